package timestamp

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
)

// tmOpenSSLRequest is a request `openssl ts -query` writes for data, with certReq.
func tmOpenSSLRequest(t *testing.T, openssl, dir string) []byte {
	t.Helper()
	data := filepath.Join(dir, "data")
	if err := os.WriteFile(data, []byte("a signature value\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	req := filepath.Join(dir, "req.tsq")
	testutil.Run(t, openssl, "ts", "-query", "-data", data, "-sha256", "-cert", "-out", req)
	der, err := os.ReadFile(req)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestTMAuthorityCertificateValidity: an Authority whose certificate is not valid at its
// clock (expired, or not yet valid) issued tokens all the same, each one a token no verifier
// accepts (RFC 3161 4.1: the TSA's certificate is checked at genTime), and Serve, as `signet
// tsa serve`, started with it. Check (and so Serve) now refuses it, and Respond answers every
// request with a rejection, failInfo systemFailure (the TSA's failure, not the request's),
// which `openssl ts -reply` reads; at either end of the validity it still grants.
func TestTMAuthorityCertificateValidity(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	p := goodPKI(t)
	dir := t.TempDir()
	reqDER := tmOpenSSLRequest(t, openssl, dir)
	for _, tc := range []struct {
		name  string
		now   time.Time
		grant bool
	}{
		{"at notBefore", notBefore, true},
		{"at notAfter", notAfter, true},
		{"a second before notBefore", notBefore.Add(-time.Second), false},
		{"a microsecond after notAfter", notAfter.Add(time.Microsecond), false},
		{"a year after notAfter", notAfter.AddDate(1, 0, 0), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := p.authority()
			a.Now = func() time.Time { return tc.now }
			resp, tok, err := a.Respond(reqDER)
			if tc.grant {
				if err != nil || tok == nil {
					t.Fatalf("Respond: %v, want a token", err)
				}
				if _, err := tok.Verify(nil); err != nil {
					t.Errorf("the token does not verify: %v", err)
				}
				if err := a.Check(); err != nil {
					t.Errorf("Check: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrOutsideValidity) || tok != nil || !strings.Contains(err.Error(), "CN=Test TSA") {
				t.Fatalf("Respond: %v (token %v), want ErrOutsideValidity", err, tok != nil)
			}
			var re *ResponseError
			if _, perr := ParseResponse(resp); !errors.As(perr, &re) || re.Status != StatusRejection || re.FailInfo != FailSystemFailure {
				t.Errorf("the answer: %v, want a rejection with systemFailure", perr)
			}
			f := filepath.Join(dir, "resp.tsr")
			if err := os.WriteFile(f, resp, 0o644); err != nil {
				t.Fatal(err)
			}
			text := string(testutil.Run(t, openssl, "ts", "-reply", "-in", f, "-text"))
			if !strings.Contains(text, "Status: Rejected") || !strings.Contains(text, "system failure") ||
				!strings.Contains(text, "TST info:\nNot included") {
				t.Errorf("openssl ts -reply -text:\n%s", text)
			}
			if err := a.Check(); !errors.Is(err, ErrOutsideValidity) {
				t.Errorf("Check: %v, want ErrOutsideValidity", err)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := a.Serve(ctx, ln); !errors.Is(err, ErrOutsideValidity) {
				t.Errorf("Serve: %v, want ErrOutsideValidity before serving", err)
			}
			// The same authority as an http.Handler, without Serve's Check.
			w := httptest.NewRecorder()
			r := httptest.NewRequest("POST", "/", bytes.NewReader(reqDER))
			r.Header.Set("Content-Type", contentTypeQuery)
			a.ServeHTTP(w, r)
			if _, err := ParseResponse(w.Body.Bytes()); !errors.As(err, &re) || re.FailInfo != FailSystemFailure {
				t.Errorf("ServeHTTP: %v, want a rejection with systemFailure", err)
			}
		})
	}
}

// tmBadSigner is a signer that signs wrongly: with another key, or a flipped bit.
type tmBadSigner struct {
	crypto.Signer
	other crypto.Signer // nil: flip a bit of the good signature
}

func (s tmBadSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if s.other != nil {
		return s.other.Sign(r, digest, opts)
	}
	sig, err := s.Signer.Sign(r, digest, opts)
	if err == nil {
		sig[len(sig)/2] ^= 0x10
	}
	return sig, err
}

// TestTMAuthorityChecksItsSignature: an Authority whose signer signs wrongly (a token or
// module fault, another key behind the certificate's) granted tokens whose signature does not
// verify: the client's check refuses them, but the TSA logged them granted and never noticed.
// The Authority now checks each signature against its certificate's key (crypto/x509) before
// answering: a rejection, systemFailure, and an error wrapping ErrInvalid. A good signer's
// token passes Verify and `openssl ts -verify` (Ed25519: Verify alone).
func TestTMAuthorityChecksItsSignature(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	for _, kind := range []string{"ec", "rsa", "ed25519"} {
		t.Run(kind, func(t *testing.T) {
			var key, other crypto.Signer
			switch kind {
			case "ec":
				key, other = mustECKey(t), mustECKey(t)
			case "rsa":
				key, other = tmRSAKey(t), tmRSAKey(t)
			case "ed25519":
				key, other = tmEd25519Key(t), tmEd25519Key(t)
			}
			p := newPKI(t, key, ekuExtension(t, true, oidTimeStamping))
			dir := t.TempDir()
			reqDER := tmOpenSSLRequest(t, openssl, dir)
			writePEM(t, filepath.Join(dir, "root.pem"), p.root)
			for _, tc := range []struct {
				name   string
				signer crypto.Signer
				good   bool
			}{
				{"good signer", p.tsaKey, true},
				{"signs with another key", tmBadSigner{Signer: p.tsaKey, other: other}, false},
				{"flips a bit", tmBadSigner{Signer: p.tsaKey}, false},
			} {
				t.Run(tc.name, func(t *testing.T) {
					a := &Authority{Key: tc.signer, Chain: []*x509.Certificate{p.tsa}}
					resp, tok, err := a.Respond(reqDER)
					if !tc.good {
						var re *ResponseError
						if !errors.Is(err, ErrInvalid) || tok != nil {
							t.Fatalf("Respond: %v (token %v), want ErrInvalid", err, tok != nil)
						}
						if _, perr := ParseResponse(resp); !errors.As(perr, &re) || re.FailInfo != FailSystemFailure {
							t.Errorf("the answer: %v, want a rejection with systemFailure", perr)
						}
						return
					}
					if err != nil || tok == nil {
						t.Fatalf("Respond: %v", err)
					}
					if _, err := tok.Verify(nil); err != nil {
						t.Fatalf("the token does not verify: %v", err)
					}
					if kind == "ed25519" {
						return // openssl ts -verify reads the token as PKCS#7, which has no Ed25519 in OpenSSL 3.0
					}
					f := filepath.Join(dir, "resp.tsr")
					if err := os.WriteFile(f, resp, 0o644); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join(dir, "req.der"), reqDER, 0o644); err != nil {
						t.Fatal(err)
					}
					out := testutil.Run(t, openssl, "ts", "-verify", "-queryfile", filepath.Join(dir, "req.der"), "-in", f,
						"-CAfile", filepath.Join(dir, "root.pem"))
					if !strings.Contains(string(out), "Verification: OK") {
						t.Errorf("openssl ts -verify: %s", out)
					}
				})
			}
		})
	}
}

func tmRSAKey(t *testing.T) crypto.Signer {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func tmEd25519Key(t *testing.T) crypto.Signer {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestTMAuthorityChainValidity: the Authority checked only its own certificate's validity, so a
// TSA whose CA certificate had expired (the TSA certificate itself issued to outlive it, as
// crypto/x509 and openssl allow) went on issuing tokens no verifier accepts: the path to the
// root is checked at genTime too. Check refuses it naming the issuer, Respond rejects with
// systemFailure; while the issuer is valid it grants.
func TestTMAuthorityChainValidity(t *testing.T) {
	rootKey, caKey, tsaKey := mustECKey(t), mustECKey(t), mustECKey(t)
	rootTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Chain Root"},
		NotBefore: notBefore, NotAfter: notAfter, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign,
	}
	root := mustCert(t, rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	caEnd := notBefore.AddDate(1, 0, 0)
	ca := mustCert(t, &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Short-lived TSA CA"},
		NotBefore: notBefore, NotAfter: caEnd, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign,
	}, root, caKey.Public(), rootKey)
	tsa := mustCert(t, &x509.Certificate{
		SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "Chain TSA"},
		NotBefore: notBefore, NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{ekuExtension(t, true, oidTimeStamping)},
	}, ca, tsaKey.Public(), caKey)
	req, err := NewRequest([]byte("data"), 0)
	if err != nil {
		t.Fatal(err)
	}
	reqDER, err := req.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		now   time.Time
		grant bool
	}{{caEnd, true}, {caEnd.Add(time.Second), false}, {notAfter, false}} {
		a := &Authority{Key: tsaKey, Chain: []*x509.Certificate{tsa, ca}, Now: func() time.Time { return tc.now }}
		resp, tok, err := a.Respond(reqDER)
		if tc.grant {
			if err != nil || tok == nil || a.Check() != nil {
				t.Errorf("at %s: Respond %v, Check %v; want a token", tc.now, err, a.Check())
			}
			continue
		}
		if err := a.Check(); !errors.Is(err, ErrOutsideValidity) || !strings.Contains(err.Error(), "issuer CN=Short-lived TSA CA expired") {
			t.Errorf("at %s: Check: %v, want ErrOutsideValidity naming the TSA's issuer", tc.now, err)
		}
		var re *ResponseError
		if _, perr := ParseResponse(resp); !errors.Is(err, ErrOutsideValidity) || tok != nil || !errors.As(perr, &re) || re.FailInfo != FailSystemFailure {
			t.Errorf("at %s: Respond: %v (token %v), answer %v; want a systemFailure rejection", tc.now, err, tok != nil, perr)
		}
	}
}
