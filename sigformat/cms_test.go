package sigformat

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/testutil"
)

// TestCMSFromOpenSSL: what `openssl cms -sign -binary -outform DER` writes (with the chain
// through -certfile, with and without -nosmimecap, PEM too) parses, and its SignedData and Raw
// verify against the leaf's key.
func TestCMSFromOpenSSL(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	msg := []byte("signed by openssl\n")
	for _, tc := range []struct {
		fixture string
		md      string
		pss     bool
		extra   []string
	}{
		{"codesign", "sha256", false, nil},
		{"codesign", "sha384", false, []string{"-nosmimecap"}},
		{"codesign", "sha256", false, []string{"-nosmimecap"}},
		{"codesign-rsa", "sha256", false, nil},
		{"codesign-rsa", "sha512", false, []string{"-nosmimecap"}},
		{"codesign-rsa", "sha256", true, nil},
		{"codesign", "sha256", false, []string{"-nocerts"}},
		{"codesign", "sha256", false, []string{"-keyid"}},
		{"codesign", "sha256", false, []string{"-outform", "PEM"}},
	} {
		name := fmt.Sprintf("%s/%s/pss=%v/%v", tc.fixture, tc.md, tc.pss, tc.extra)
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			fx := mustFixture(t, tc.fixture)
			msgPath := writeFile(t, filepath.Join(dir, "msg"), msg)
			sigPath := filepath.Join(dir, "msg.p7s")
			args := []string{"cms", "-sign", "-binary", "-outform", "DER", "-in", msgPath,
				"-signer", filepath.Join(pkiDir, tc.fixture+".pem"), "-inkey", filepath.Join(pkiDir, tc.fixture+".key"),
				"-certfile", filepath.Join(pkiDir, "int-ca.pem"), "-md", tc.md, "-out", sigPath}
			if tc.pss {
				args = append(args, "-keyopt", "rsa_padding_mode:pss")
			}
			args = append(args, tc.extra...)
			testutil.Run(t, openssl, args...)
			data, err := os.ReadFile(sigPath)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			// The same signature with BER's indefinite lengths, as streaming writers make
			// them, reads the same.
			if tc.extra == nil {
				pb, err := Parse(toIndefinite(t, data))
				if err != nil {
					t.Fatalf("BER: %v", err)
				}
				if !bytes.Equal(pb.SignedData, p.SignedData) || !bytes.Equal(pb.Raw, p.Raw) || len(pb.Certificates) != len(p.Certificates) {
					t.Fatal("BER form parsed differently")
				}
			}
			if p.Format != CMS || p.PSS != tc.pss {
				t.Fatalf("parsed as %s, pss %v", p.Format, p.PSS)
			}
			a, _ := digest.ParseAlgorithm(tc.md)
			want, _, _ := digest.HashReader(t.Context(), a, bytes.NewReader(msg))
			if p.Hash != a.CryptoHash() || !bytes.Equal(p.ContentDigest, want) {
				t.Fatalf("hash %v digest %x, want %v %x", p.Hash, p.ContentDigest, a.CryptoHash(), want)
			}
			if p.SignedData == nil || p.SigningTime.IsZero() || time.Since(p.SigningTime) > time.Hour {
				t.Fatalf("signed attributes: %d bytes, signing time %v", len(p.SignedData), p.SigningTime)
			}
			nocerts := len(tc.extra) > 0 && tc.extra[0] == "-nocerts"
			if nocerts {
				if len(p.Certificates) != 1 || p.SignerIdentified { // only the -certfile one
					t.Fatalf("%d certificates, identified %v", len(p.Certificates), p.SignerIdentified)
				}
			} else {
				if !p.SignerIdentified || !p.Certificates[0].Equal(fx.chain[0]) || len(p.Certificates) != 2 {
					t.Fatalf("certificates %d, signer identified %v", len(p.Certificates), p.SignerIdentified)
				}
			}
			if err := checkSignature(fx.key.Public(), p.Hash, p.PSS, p.SignedData, p.Raw); err != nil {
				t.Fatal(err)
			}
			if alg := p.SignatureAlgorithm; alg == x509.UnknownSignatureAlgorithm {
				t.Fatalf("signature algorithm unknown")
			}
		})
	}
}

// TestCMSNoSignedAttributes: openssl's -noattr signature covers the content itself.
func TestCMSNoSignedAttributes(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	msg := []byte("no attributes\n")
	msgPath := writeFile(t, filepath.Join(dir, "msg"), msg)
	sigPath := filepath.Join(dir, "msg.p7s")
	testutil.Run(t, openssl, "cms", "-sign", "-binary", "-noattr", "-outform", "DER", "-in", msgPath,
		"-signer", filepath.Join(pkiDir, "codesign.pem"), "-inkey", filepath.Join(pkiDir, "codesign.key"), "-out", sigPath)
	data, _ := os.ReadFile(sigPath)
	p, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if p.SignedData != nil || p.ContentDigest != nil {
		t.Fatal("signed attributes reported")
	}
	if err := checkSignature(mustFixture(t, "codesign").key.Public(), p.Hash, false, msg, p.Raw); err != nil {
		t.Fatal(err)
	}
}

// TestCMSEd25519FromGnuTLS: GnuTLS's certtool, the peer that implements Ed25519 CMS (RFC
// 8419), makes a detached signature that parses and verifies. The other direction is sign's
// TestCMSEd25519GnuTLS.
func TestCMSEd25519FromGnuTLS(t *testing.T) {
	certtool := testutil.RequireTool(t, "certtool")
	dir := t.TempDir()
	fx := mustFixture(t, "codesign-ed25519")
	msg := []byte("an Ed25519 CMS signature\n")
	msgPath := writeFile(t, filepath.Join(dir, "msg"), msg)
	sig := filepath.Join(dir, "certtool.p7s")
	testutil.Run(t, certtool, "--p7-detached-sign", "--p7-time", "--outder", "--load-privkey", filepath.Join(pkiDir, "codesign-ed25519.key"),
		"--load-certificate", filepath.Join(pkiDir, "codesign-ed25519.pem"), "--infile", msgPath, "--outfile", sig)
	data, _ := os.ReadFile(sig)
	p, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	want, _, _ := digest.HashReader(t.Context(), digest.SHA512, bytes.NewReader(msg))
	if p.Format != CMS || p.Hash != crypto.SHA512 || !bytes.Equal(p.ContentDigest, want) || p.SignatureAlgorithm != x509.PureEd25519 {
		t.Fatalf("parsed %s %v %x %v", p.Format, p.Hash, p.ContentDigest, p.SignatureAlgorithm)
	}
	if !p.SignerIdentified {
		t.Fatal("signer not identified")
	}
	if err := checkSignature(fx.key.Public(), p.Hash, false, p.SignedData, p.Raw); err != nil {
		t.Fatal(err)
	}
}

// TestBERToDER: DER passes through unchanged; indefinite lengths become definite.
func TestBERToDER(t *testing.T) {
	ec := mustFixture(t, "codesign")
	_, der := mustSign(t, ec.key, []byte("x"), sigOptions{format: CMS, chain: ec.chain[:2]})
	got, err := berToDER(der)
	if err != nil || !bytes.Equal(got, der) {
		t.Fatalf("DER changed: %v", err)
	}
	for _, tc := range []struct {
		name    string
		in, out []byte
	}{
		{"indefinite", []byte{0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00}, []byte{0x30, 0x03, 0x02, 0x01, 0x05}},
		{"nested", []byte{0x30, 0x80, 0xa0, 0x80, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00}, []byte{0x30, 0x04, 0xa0, 0x02, 0x04, 0x00}},
		{"long form made minimal", []byte{0x04, 0x81, 0x01, 0xff}, []byte{0x04, 0x01, 0xff}},
		{"primitive indefinite", []byte{0x04, 0x80, 0x00, 0x00}, nil},
		{"truncated", []byte{0x30, 0x80, 0x02, 0x01}, nil},
		{"trailing", []byte{0x04, 0x00, 0x00}, nil},
		{"deep", append(bytes.Repeat([]byte{0x30, 0x80}, 100), bytes.Repeat([]byte{0, 0}, 100)...), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := berToDER(tc.in)
			if tc.out == nil {
				if err == nil {
					t.Fatalf("accepted: %x", got)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tc.out) {
				t.Fatalf("got %x, %v; want %x", got, err, tc.out)
			}
		})
	}
}

// toIndefinite re-encodes every constructed element of a DER element with an indefinite
// length, as BER streaming writers do.
func toIndefinite(t *testing.T, der []byte) []byte {
	t.Helper()
	var conv func(in []byte) (out, rest []byte)
	conv = func(in []byte) ([]byte, []byte) {
		tag := in[0]
		n, size := 2, int(in[1])
		if in[1] >= 0x80 {
			k := int(in[1] & 0x7f)
			size = 0
			for _, b := range in[2 : 2+k] {
				size = size<<8 | int(b)
			}
			n = 2 + k
		}
		content, rest := in[n:n+size], in[n+size:]
		if tag&0x20 == 0 {
			return in[:n+size], rest
		}
		out := []byte{tag, 0x80}
		for len(content) > 0 {
			var el []byte
			el, content = conv(content)
			out = append(out, el...)
		}
		return append(out, 0, 0), rest
	}
	out, rest := conv(der)
	if len(rest) != 0 || bytes.Equal(out, der) {
		t.Fatal("toIndefinite: unexpected input")
	}
	return out
}

// patchLast returns der with the last occurrence of old replaced by new (of the same length),
// after the first occurrence of after when it is given.
func patchLast(t *testing.T, der, after, old, new []byte) []byte {
	t.Helper()
	start := 0
	if after != nil {
		start = bytes.LastIndex(der, after)
	}
	i := bytes.LastIndex(der[start:], old)
	if start < 0 || i < 0 || len(old) != len(new) {
		t.Fatalf("%x not found", old)
	}
	out := bytes.Clone(der)
	copy(out[start+i:], new)
	return out
}

// TestCMSAlgorithmConsistency: a SignerInfo whose signatureAlgorithm contradicts its
// digestAlgorithm is malformed, whether the algorithm's OID names another hash or the
// RSASSA-PSS parameters do; the consistent originals parse, and record what the algorithm
// says of the key and the salt.
func TestCMSAlgorithmConsistency(t *testing.T) {
	msg := []byte("a release\n")
	cms := func(fixture string, alg digest.Algorithm, pss bool) []byte {
		fx := mustFixture(t, fixture)
		_, out := mustSign(t, fx.key, msg, sigOptions{format: CMS, alg: alg, pss: pss, chain: fx.chain[:2]})
		return out
	}
	ec, pss := cms("codesign", digest.SHA256, false), cms("codesign-rsa", digest.SHA256, true)
	var (
		ecdsaSHA256 = []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02}
		ecdsaSHA384 = []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03}
		rsaPSS      = []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a}
		sha256      = []byte{0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01}
		sha384      = []byte{0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02}
		// the PSS hash, then the MGF1 hash: the first and second sha256 after rsaPSS
		pssHash = func(der []byte, which int) []byte {
			start := bytes.LastIndex(der, rsaPSS)
			i := start
			for range which {
				i += bytes.Index(der[i:], sha256) + 1
			}
			out := bytes.Clone(der)
			copy(out[i-1:], sha384)
			return out
		}
	)

	for name, der := range map[string][]byte{"ECDSA": ec, "RSA-PSS": pss} {
		s, err := Parse(der)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		switch {
		case name == "ECDSA" && (s.KeyAlgorithm != x509.ECDSA || s.PSS):
			t.Errorf("ECDSA: key %v, pss %v", s.KeyAlgorithm, s.PSS)
		case name == "RSA-PSS" && (s.KeyAlgorithm != x509.RSA || !s.PSS || s.PSSSaltLength != 32):
			t.Errorf("RSA-PSS: key %v, pss %v, salt %d", s.KeyAlgorithm, s.PSS, s.PSSSaltLength)
		}
	}

	for _, tc := range []struct {
		name string
		der  []byte
		msg  string
	}{
		{"ecdsa-with-SHA384 beside SHA-256", patchLast(t, ec, nil, ecdsaSHA256, ecdsaSHA384),
			"cms: signatureAlgorithm ECDSA-SHA384 names SHA-384, but the digestAlgorithm is SHA-256"},
		{"PSS hash SHA-384 beside SHA-256", pssHash(pss, 1),
			"cms: RSASSA-PSS parameters name SHA-384 with MGF1-SHA-256, but the digestAlgorithm is SHA-256"},
		{"PSS MGF1 hash SHA-384 beside SHA-256", pssHash(pss, 2),
			"cms: RSASSA-PSS parameters name SHA-256 with MGF1-SHA-384, but the digestAlgorithm is SHA-256"},
		{"PSS trailer field 2", patchLast(t, pss, rsaPSS, []byte{0xa2, 0x03, 0x02, 0x01, 0x20}, []byte{0xa3, 0x03, 0x02, 0x01, 0x02}),
			"cms: bad RSASSA-PSS parameters (trailerField)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.der)
			if !errors.Is(err, ErrMalformedSignature) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, want %q", err, tc.msg)
			}
		})
	}
}
