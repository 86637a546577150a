package sign

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/x509util"
)

// fixedTime is the fixture PKI's pinned validation time (testdata/pki/README.md).
var fixedTime = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

const pkiDir = "../testdata/pki"

// mustKey returns the test run's key of a type: p256, p384, p521, rsa2048, rsa3072, rsa4096,
// ed25519.
func mustKey(t testing.TB, typ string) crypto.Signer {
	t.Helper()
	return testutil.Key(t, typ)
}

// writePublic writes pub as a PEM SubjectPublicKeyInfo for openssl.
func writePublic(t testing.TB, dir string, pub crypto.PublicKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "pub.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// fixture is a key and chain from testdata/pki.
type fixture struct {
	key   crypto.Signer
	chain []*x509.Certificate // leaf, int-ca, root-ca
}

func mustFixture(t testing.TB, name string) fixture {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(pkiDir, name+".key"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := x509util.ParsePrivateKey(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	chain, err := x509util.LoadCertificates(filepath.Join(pkiDir, name+".pem"), filepath.Join(pkiDir, "int-ca.pem"), filepath.Join(pkiDir, "root-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return fixture{key: key, chain: chain}
}

func mustSigner(t testing.TB, key crypto.Signer, opts SignOptions) *Signer {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return fixedTime }
	}
	s, err := NewSigner(key, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func writeFile(t testing.TB, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// opensslDigestFlag is the `openssl dgst` flag of a.
func opensslDigestFlag(a digest.Algorithm) string { return "-" + a.Name() }

// TestRawVerifiedByOpenSSL: every raw signature signet makes passes `openssl dgst -verify`
// (Ed25519: `openssl pkeyutl -verify -rawin`), with and without --base64.
func TestRawVerifiedByOpenSSL(t *testing.T) {
	t.Parallel()
	openssl := testutil.RequireTool(t, "openssl")
	msg := []byte("release artifact\n")
	for _, tc := range []struct {
		key  string
		pss  bool
		algs []digest.Algorithm
	}{
		{"p256", false, []digest.Algorithm{digest.SHA256, digest.SHA384, digest.SHA512, digest.SHA3_256}},
		{"p384", false, []digest.Algorithm{digest.SHA384, digest.SHA256}},
		{"p521", false, []digest.Algorithm{digest.SHA512, digest.SHA256}},
		{"rsa2048", false, []digest.Algorithm{digest.SHA256, digest.SHA384, digest.SHA512, digest.SHA512_256, digest.SHA3_256, digest.SHA3_512}},
		{"rsa3072", false, []digest.Algorithm{digest.SHA256, digest.SHA384}},
		{"rsa4096", false, []digest.Algorithm{digest.SHA256, digest.SHA512}},
		{"rsa2048", true, []digest.Algorithm{digest.SHA256, digest.SHA384, digest.SHA512, digest.SHA3_256}},
		{"rsa3072", true, []digest.Algorithm{digest.SHA256, digest.SHA512}},
		{"rsa4096", true, []digest.Algorithm{digest.SHA256, digest.SHA512}},
		{"ed25519", false, []digest.Algorithm{digest.SHA256}},
	} {
		for _, a := range tc.algs {
			for _, b64 := range []bool{false, true} {
				name := tc.key + "/" + a.Name()
				if tc.pss {
					name += "/pss"
				}
				if b64 {
					name += "/base64"
				}
				t.Run(name, func(t *testing.T) {
					dir := t.TempDir()
					key := mustKey(t, tc.key)
					s := mustSigner(t, key, SignOptions{Algorithm: a, PSS: tc.pss, Base64: b64})
					d, out, err := s.SignMessage(msg)
					if err != nil {
						t.Fatal(err)
					}
					if got, _, _ := digest.HashReader(t.Context(), a, bytes.NewReader(msg)); !bytes.Equal(got, d) {
						t.Fatalf("digest %x, want %x", d, got)
					}
					sigPath := writeFile(t, filepath.Join(dir, "msg.sig"), out)
					if b64 {
						if !strings.HasSuffix(string(out), "\n") {
							t.Fatalf("base64 output has no final newline: %q", out)
						}
						testutil.Run(t, openssl, "base64", "-d", "-in", sigPath, "-out", sigPath+".bin")
						sigPath += ".bin"
					}
					msgPath := writeFile(t, filepath.Join(dir, "msg"), msg)
					pub := writePublic(t, dir, key.Public())
					var args []string
					if tc.key == "ed25519" {
						args = []string{"pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin", "-in", msgPath, "-sigfile", sigPath}
					} else {
						args = []string{"dgst", opensslDigestFlag(a), "-verify", pub, "-signature", sigPath}
						if tc.pss {
							args = append(args, "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest")
						}
						args = append(args, msgPath)
					}
					out2 := testutil.Run(t, openssl, args...)
					if !bytes.Contains(out2, []byte("Verified")) && !bytes.Contains(out2, []byte("Signature Verified Successfully")) {
						t.Fatalf("openssl: %s", out2)
					}
					// And the signature parses as raw, never as anything else.
					sig, err := sigformat.Parse(out)
					if err != nil {
						t.Fatal(err)
					}
					if sig.Format != sigformat.Raw || sig.Base64 != b64 {
						t.Fatalf("parsed as %s (base64 %v)", sig.Format, sig.Base64)
					}
				})
			}
		}
	}
}

// TestRawMatchesOpenSSLDeterministic: for the deterministic schemes (RSA PKCS#1 v1.5,
// Ed25519) signet's raw signature is byte for byte openssl's.
func TestRawMatchesOpenSSLDeterministic(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	for _, tc := range []struct{ fixture, alg string }{
		{"codesign-rsa", "sha256"},
		{"codesign-rsa", "sha512"},
		{"codesign-ed25519", ""},
	} {
		t.Run(tc.fixture+"/"+tc.alg, func(t *testing.T) {
			dir := t.TempDir()
			fx := mustFixture(t, tc.fixture)
			msg := writeFile(t, filepath.Join(dir, "msg"), []byte("deterministic\n"))
			keyPath := filepath.Join(pkiDir, tc.fixture+".key")
			var want []byte
			opts := SignOptions{}
			if tc.alg == "" {
				testutil.Run(t, openssl, "pkeyutl", "-sign", "-inkey", keyPath, "-rawin", "-in", msg, "-out", filepath.Join(dir, "o.sig"))
			} else {
				a, _ := digest.ParseAlgorithm(tc.alg)
				opts.Algorithm = a
				testutil.Run(t, openssl, "dgst", "-"+tc.alg, "-sign", keyPath, "-out", filepath.Join(dir, "o.sig"), msg)
			}
			want, _ = os.ReadFile(filepath.Join(dir, "o.sig"))
			s := mustSigner(t, fx.key, opts)
			_, got, err := s.SignMessage([]byte("deterministic\n"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("signet's signature differs from openssl's")
			}
		})
	}
}

func TestNewSignerRefuses(t *testing.T) {
	ec := mustFixture(t, "codesign")
	rsaFx := mustFixture(t, "codesign-rsa")
	ed := mustFixture(t, "codesign-ed25519")
	for _, tc := range []struct {
		name string
		key  crypto.Signer
		opts SignOptions
		want error
	}{
		{"pss with ecdsa", ec.key, SignOptions{PSS: true}, ErrUnsupported},
		{"pss in a bundle", rsaFx.key, SignOptions{PSS: true, Format: sigformat.Bundle}, ErrUnsupported},
		{"base64 cms", ec.key, SignOptions{Base64: true, Format: sigformat.CMS, Certificates: ec.chain}, ErrUnsupported},
		{"cms without certificate", ec.key, SignOptions{Format: sigformat.CMS}, ErrUnsupported},
		{"bundle with sha3-512", ec.key, SignOptions{Format: sigformat.Bundle, Algorithm: digest.SHA3_512}, ErrUnsupported},
		{"ed25519 cms with sha256", ed.key, SignOptions{Format: sigformat.CMS, Algorithm: digest.SHA256, Certificates: ed.chain}, ErrUnsupported},
		{"ed25519ph bundle with sha256", ed.key, SignOptions{Format: sigformat.Bundle, Algorithm: digest.SHA256, Certificates: ed.chain}, ErrUnsupported},
		{"certificate of another key", ec.key, SignOptions{Certificates: rsaFx.chain}, x509util.ErrKeyMismatch},
		{"unknown format", ec.key, SignOptions{Format: "pgp"}, ErrUnsupported},
		{"unknown algorithm", ec.key, SignOptions{Algorithm: 99}, digest.ErrUnknownAlgorithm},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewSigner(tc.key, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("ed25519 raw refuses a digest", func(t *testing.T) {
		s := mustSigner(t, ed.key, SignOptions{})
		if !s.NeedsMessage() {
			t.Fatal("NeedsMessage is false")
		}
		if _, err := s.SignDigest(make([]byte, 32)); !errors.Is(err, ErrUnsupported) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ed25519 bundle without a certificate refuses a digest", func(t *testing.T) {
		s := mustSigner(t, ed.key, SignOptions{Format: sigformat.Bundle})
		if _, err := s.SignDigest(make([]byte, 32)); !errors.Is(err, ErrUnsupported) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ed25519 bundle with a certificate signs a digest", func(t *testing.T) {
		// Ed25519ph: the sha512 digest is all it needs, so a file is streamed through the
		// hashing engine (and --digest works) rather than read whole.
		s := mustSigner(t, ed.key, SignOptions{Format: sigformat.Bundle, Certificates: ed.chain})
		if s.NeedsMessage() || s.Algorithm() != digest.SHA512 {
			t.Fatalf("NeedsMessage %v, algorithm %s", s.NeedsMessage(), s.Algorithm())
		}
		msg := []byte("streamed\n")
		d := sha512.Sum512(msg)
		fromDigest, err := s.SignDigest(d[:])
		if err != nil {
			t.Fatal(err)
		}
		_, fromMessage, err := s.SignMessage(msg)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fromDigest, fromMessage) { // Ed25519 is deterministic
			t.Fatalf("SignDigest and SignMessage differ:\n%s\n%s", fromDigest, fromMessage)
		}
	})
	t.Run("wrong digest length", func(t *testing.T) {
		s := mustSigner(t, ec.key, SignOptions{})
		if _, err := s.SignDigest(make([]byte, 20)); !errors.Is(err, ErrUnsupported) {
			t.Fatalf("got %v, want ErrUnsupported", err)
		}
	})
}

// certFor makes a self-signed certificate for key with crypto/x509 directly (x509util refuses
// control characters in names, which is what the tests need).
func certFor(t *testing.T, key crypto.Signer, cn string) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    fixedTime.Add(-time.Hour),
		NotAfter:     fixedTime.Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSignerNamesEscaped: the signer's subject, in a receipt (printed by --json) and in the
// error for a certificate that is not the key's, has its newline escaped (\0A), so it can
// forge no line of the output.
func TestSignerNamesEscaped(t *testing.T) {
	ec := mustFixture(t, "codesign")
	evil := certFor(t, ec.key, "Release Bot\nOK trusted")
	s := mustSigner(t, ec.key, SignOptions{Format: sigformat.Bundle, Certificates: []*x509.Certificate{evil}})
	_, names := manyFiles(t, 1)
	r, err := SignFiles(t.Context(), s, names, FilesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r[0].Certificate.Subject, `CN=Release Bot\0AOK trusted`; got != want {
		t.Errorf("receipt subject %q, want %q", got, want)
	}

	other := certFor(t, mustKey(t, "p256"), "Other\nOK trusted")
	_, err = NewSigner(ec.key, SignOptions{Certificates: []*x509.Certificate{other}})
	if !errors.Is(err, x509util.ErrKeyMismatch) || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), `"CN=Other\0AOK trusted"`) {
		t.Errorf("got %v; want ErrKeyMismatch naming the certificate escaped", err)
	}
}
