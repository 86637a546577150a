package verify_test

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/verify"
)

// TestOCSPWithOpenSSL has `openssl ocsp` answer for the fixture intermediate, as the CA itself
// and through a delegated responder, and checks signet reads its answers as RFC 6960 says.
func TestOCSPWithOpenSSL(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	pkiPath := func(n string) string { p, _ := filepath.Abs(filepath.Join(pki, n)); return p }
	ca, caKey := pkiPath("int-ca.pem"), pkiPath("int-ca.key")
	good, revoked := mustCerts(t, "codesign.pem")[0], mustCerts(t, "revoked.pem")[0]
	index := filepath.Join(dir, "index.txt")
	line := func(status string, c *x509.Certificate, rev string) string {
		return fmt.Sprintf("%s\t%s\t%s\t%X\tunknown\t/CN=x\n", status, c.NotAfter.UTC().Format("060102150405Z"), rev, c.SerialNumber)
	}
	if err := os.WriteFile(index, []byte(line("V", good, "")+line("R", revoked, "250601000000Z,keyCompromise")), 0o644); err != nil {
		t.Fatal(err)
	}
	// A delegated responder: issued by the intermediate, with and without id-kp-OCSPSigning.
	respKey := filepath.Join(dir, "resp.key")
	testutil.Run(t, openssl, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", respKey)
	csr := filepath.Join(dir, "resp.csr")
	testutil.Run(t, openssl, "req", "-new", "-key", respKey, "-subj", "/CN=OCSP Responder", "-out", csr)
	responder := func(name, eku string) string {
		ext := filepath.Join(dir, name+".ext")
		body := "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
		if eku != "" {
			body += "extendedKeyUsage=" + eku + "\n"
		}
		if err := os.WriteFile(ext, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, name+".pem")
		testutil.Run(t, openssl, "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", caKey, "-set_serial", "4242", "-days", "30", "-extfile", ext, "-out", out)
		return out
	}
	delegated, noEKU := responder("delegated", "OCSPSigning"), responder("no-eku", "serverAuth")

	respond := func(t *testing.T, leaf string, signer, key string, extra ...string) []byte {
		t.Helper()
		req := filepath.Join(dir, "req.der")
		testutil.Run(t, openssl, "ocsp", "-issuer", ca, "-cert", leaf, "-no_nonce", "-reqout", req)
		out := filepath.Join(dir, "resp.der")
		args := append([]string{"ocsp", "-index", index, "-CA", ca, "-rsigner", signer, "-rkey", key, "-reqin", req, "-respout", out, "-ndays", "1"}, extra...)
		testutil.Run(t, openssl, args...)
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	check := func(leaf *x509.Certificate, resp []byte, at time.Time) (*verify.Result, error) {
		res, err := verify.Verify(leaf, nil, verify.Policy{Roots: mustCerts(t, "root-ca.pem"), Intermediates: mustCerts(t, "int-ca.pem"),
			At: at, OCSP: [][]byte{resp}})
		if res == nil {
			t.Fatalf("not checked: %v", err)
		}
		return res, err
	}
	now := time.Now()
	goodPath, revokedPath := pkiPath("codesign.pem"), pkiPath("revoked.pem")

	t.Run("good, signed by the CA", func(t *testing.T) {
		res, err := check(good, respond(t, goodPath, ca, caKey), now)
		mustValid(t, res, err)
		if !strings.Contains(dumpChecks(res), "not revoked according to an OCSP response") {
			t.Fatalf("the OCSP answer was not used\n%s", dumpChecks(res))
		}
	})
	t.Run("revoked, signed by the CA", func(t *testing.T) {
		res, err := check(revoked, respond(t, revokedPath, ca, caKey), now)
		mustRule(t, res, err, "rfc6960.revoked")
		if !errors.Is(err, verify.Revoked) {
			t.Fatal(err)
		}
	})
	t.Run("good, delegated responder with OCSPSigning", func(t *testing.T) {
		res, err := check(good, respond(t, goodPath, delegated, respKey), now)
		mustValid(t, res, err)
	})
	t.Run("delegated responder without OCSPSigning", func(t *testing.T) {
		res, err := check(good, respond(t, goodPath, noEKU, respKey), now)
		mustRule(t, res, err, "rfc6960.responder-eku")
	})
	t.Run("response past its nextUpdate", func(t *testing.T) {
		res, err := check(good, respond(t, goodPath, ca, caKey), now.Add(72*time.Hour))
		mustRule(t, res, err, "rfc6960.expired")
	})
	t.Run("response signed by another CA's key", func(t *testing.T) {
		res, err := check(good, respond(t, goodPath, pkiPath("mid-ca.pem"), pkiPath("mid-ca.key")), now)
		var ve *verify.Error
		if !errors.As(err, &ve) || !strings.HasPrefix(ve.Rule, "rfc6960.") {
			t.Fatalf("want an rfc6960 refusal, got %v\n%s", err, dumpChecks(res))
		}
	})
}
