package verify_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/timestamp"
	"github.com/signet-pki/signet/verify"
)

// TestTimestampESSChain: a token's ESS signing-certificate attribute may name certificates
// after the TSA's own, which restrict the TSA's chain (RFC 2634 5.4); one naming a
// certificate that is not in the chain validated must fail the timestamp. openssl ts -reply
// (ess_cert_id_chain = yes) names the certificates of -chain after the TSA's.
func TestTimestampESSChain(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	content := []byte("a release\n")
	// openssl's TSA says the present time: a signer valid now, checked now.
	cert, key := mustCerts(t, "codesign.pem")[0], mustSigner(t, "codesign.key")
	tsa := tsaAuthority(t, true)
	write := func(name, typ string, ders ...[]byte) string {
		var b []byte
		for _, d := range ders {
			b = append(b, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: d})...)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(tsa.Key)
	if err != nil {
		t.Fatal(err)
	}
	tsaPEM, tsaKey := write("tsa.pem", "CERTIFICATE", tsa.Chain[0].Raw), write("tsa.key", "PRIVATE KEY", keyDER)
	conf := write("tsa.cnf", "X")
	os.WriteFile(conf, []byte("[ tsa ]\ndefault_tsa = c\n[ c ]\nserial = "+filepath.Join(dir, "serial")+
		"\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256\ness_cert_id_alg = sha256\ness_cert_id_chain = yes\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "serial"), []byte("01\n"), 0o600)
	stampWith := func(chain string) func([]byte) []byte {
		return func(sig []byte) []byte {
			sigFile, req, resp, tok := filepath.Join(dir, "sig"), filepath.Join(dir, "req.tsq"), filepath.Join(dir, "resp.tsr"), filepath.Join(dir, "tok.der")
			os.WriteFile(sigFile, sig, 0o600)
			testutil.Run(t, openssl, "ts", "-query", "-data", sigFile, "-sha256", "-cert", "-no_nonce", "-out", req)
			testutil.Run(t, openssl, "ts", "-reply", "-config", conf, "-queryfile", req, "-inkey", tsaKey, "-signer", tsaPEM,
				"-chain", chain, "-out", resp)
			testutil.Run(t, openssl, "ts", "-reply", "-in", resp, "-token_out", "-out", tok)
			der, err := os.ReadFile(tok)
			if err != nil {
				t.Fatal(err)
			}
			return der
		}
	}
	run := func(chain string) (*verify.ArtifactResult, error) {
		s := cmsWithTimestamp(t, content, cert, key, stampWith(chain))
		p := codeSigning(t)
		p.At, p.Intermediates = time.Time{}, mustCerts(t, "int-ca.pem")
		return verify.VerifyArtifact(context.Background(), verify.Artifact{Name: "app", Content: content, Signature: s},
			verify.ArtifactOptions{Policy: p, TSARoots: mustCerts(t, "root-ca.pem")})
	}
	// The intermediate is in the TSA's chain: the token holds.
	if _, err := run(write("chain-int.pem", "CERTIFICATE", mustCerts(t, "int-ca.pem")[0].Raw)); err != nil {
		t.Fatalf("ESS naming the TSA and its intermediate: %v", err)
	}
	// Another CA, not in the TSA's chain: the timestamp fails.
	res, err := run(write("chain-other.pem", "CERTIFICATE", mustCerts(t, "mid-ca.pem")[0].Raw))
	if !errors.Is(err, verify.ErrTimestamp) || !errors.Is(err, timestamp.ErrInvalid) || res.Reason != verify.ReasonTimestampInvalid {
		t.Fatalf("ESS naming a certificate outside the TSA's chain: err = %v, reason %q", err, res.Reason)
	}
}
