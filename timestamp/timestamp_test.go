package timestamp

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
)

// testPKI is a root and a TSA certificate under it, made here (no clock: fixed dates).
type testPKI struct {
	root    *x509.Certificate
	rootKey crypto.Signer
	tsa     *x509.Certificate
	tsaKey  crypto.Signer
}

var (
	notBefore = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	notAfter  = time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC)
)

func mustCert(t *testing.T, tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ekuExtension is an extended key usage extension with the given OIDs, critical or not.
func ekuExtension(t *testing.T, critical bool, oids ...asn1.ObjectIdentifier) pkix.Extension {
	t.Helper()
	v, err := asn1.Marshal(oids)
	if err != nil {
		t.Fatal(err)
	}
	return pkix.Extension{Id: oidExtKeyUsage, Critical: critical, Value: v}
}

var oidTimeStamping = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}

func mustECKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newPKI makes a root and a TSA certificate whose EKU extension is eku.
func newPKI(t *testing.T, tsaKey crypto.Signer, eku pkix.Extension) *testPKI {
	t.Helper()
	rootKey := mustECKey(t)
	rootTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test TSA Root"},
		NotBefore: notBefore, NotAfter: notAfter, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	root := mustCert(t, rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	if tsaKey == nil {
		tsaKey = mustECKey(t)
	}
	tsa := mustCert(t, &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Test TSA", Organization: []string{"signet"}},
		NotBefore: notBefore, NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{eku},
	}, root, tsaKey.Public(), rootKey)
	return &testPKI{root: root, rootKey: rootKey, tsa: tsa, tsaKey: tsaKey}
}

func goodPKI(t *testing.T) *testPKI {
	return newPKI(t, nil, ekuExtension(t, true, oidTimeStamping))
}

func (p *testPKI) authority() *Authority {
	return &Authority{Key: p.tsaKey, Chain: []*x509.Certificate{p.tsa}, Accuracy: 1500 * time.Millisecond}
}

func writePEM(t *testing.T, path string, certs ...*x509.Certificate) {
	t.Helper()
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func writeKey(t *testing.T, path string, k crypto.Signer) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestRoundTrip: a request answered by the Authority gives a token that Verify, Covers and the
// client's checks accept, with every TSTInfo field as asked.
func TestRoundTrip(t *testing.T) {
	p := goodPKI(t)
	a := p.authority()
	a.Now = func() time.Time { return time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.UTC) }
	data := []byte("a signature value")
	req, err := NewRequest(data, 0)
	if err != nil {
		t.Fatal(err)
	}
	der, err := req.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	resp, _, err := a.Respond(der)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ParseResponse(resp)
	if err != nil {
		t.Fatal(err)
	}
	if err := check(tok, req, data); err != nil {
		t.Fatal(err)
	}
	if !tok.GenTime.Equal(time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC)) {
		t.Errorf("genTime %v", tok.GenTime)
	}
	if tok.Accuracy != 1500*time.Millisecond || !tok.Policy.Equal(DefaultPolicy()) || tok.TSAName != "CN=Test TSA,O=signet" {
		t.Errorf("accuracy %v policy %v tsa %q", tok.Accuracy, tok.Policy, tok.TSAName)
	}
	if err := tok.Covers([]byte("another signature")); !errors.Is(err, ErrMismatch) {
		t.Errorf("Covers(other) = %v, want ErrMismatch", err)
	}
	// Without certReq the token carries no certificate: Verify needs it given.
	req.CertReq = false
	der, _ = req.Marshal()
	resp, _, _ = a.Respond(der)
	tok, err = ParseResponse(resp)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tok.Verify(nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("Verify without the certificate = %v, want ErrInvalid", err)
	}
	if _, err := tok.Verify([]*x509.Certificate{p.tsa}); err != nil {
		t.Errorf("Verify with the certificate given: %v", err)
	}
}

// TestVerifyRefuses: each way a token can be wrong is caught by the check made for it.
func TestVerifyRefuses(t *testing.T) {
	p := goodPKI(t)
	data := []byte("sig")
	token := func(t *testing.T, a *Authority) *Token {
		t.Helper()
		req, _ := NewRequest(data, 0)
		tokDER, err := a.issue(req, DefaultPolicy(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		tok, err := ParseToken(tokDER)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	t.Run("signature", func(t *testing.T) {
		tok := token(t, p.authority())
		tok.signature[len(tok.signature)-3] ^= 1
		if _, err := tok.Verify(nil); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "signature") {
			t.Errorf("Verify = %v", err)
		}
	})
	t.Run("content", func(t *testing.T) {
		tok := token(t, p.authority())
		tok.tstInfo = append([]byte(nil), tok.tstInfo...)
		tok.tstInfo[len(tok.tstInfo)-1] ^= 1
		if _, err := tok.Verify(nil); !errors.Is(err, ErrInvalid) {
			t.Errorf("Verify = %v", err)
		}
	})
	t.Run("ess-other-certificate", func(t *testing.T) {
		// Another certificate for the same key, issuer and serial: only the ESS hash tells.
		tok := token(t, p.authority())
		other := mustCert(t, &x509.Certificate{
			SerialNumber: p.tsa.SerialNumber, Subject: pkix.Name{CommonName: "Not The TSA"},
			NotBefore: notBefore, NotAfter: notAfter, ExtraExtensions: []pkix.Extension{ekuExtension(t, true, oidTimeStamping)},
		}, p.root, p.tsaKey.Public(), p.rootKey)
		tok.Certificates = []*x509.Certificate{other}
		if _, err := tok.Verify(nil); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "ESS") {
			t.Errorf("Verify = %v, want the ESS attribute refused", err)
		}
	})
	for name, eku := range map[string]pkix.Extension{
		"eku-not-critical": ekuExtension(t, false, oidTimeStamping),
		"eku-other":        ekuExtension(t, true, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}),
		"eku-two":          ekuExtension(t, true, oidTimeStamping, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}),
	} {
		t.Run(name, func(t *testing.T) {
			bad := newPKI(t, nil, eku)
			a := bad.authority()
			if err := a.Check(); !errors.Is(err, ErrNotTSACertificate) {
				t.Errorf("Check = %v, want ErrNotTSACertificate", err)
			}
			if _, err := token(t, a).Verify(nil); !errors.Is(err, ErrNotTSACertificate) || !errors.Is(err, ErrInvalid) {
				t.Errorf("Verify = %v, want ErrNotTSACertificate", err)
			}
		})
	}
}

// TestClient: the client takes the first TSA that answers with a good token, and says what
// each of the others did wrong.
func TestClient(t *testing.T) {
	p := goodPKI(t)
	good := httptest.NewServer(p.authority())
	defer good.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	// A replaying TSA: always the same (valid) answer, whatever the nonce.
	req, _ := NewRequest([]byte("sig"), 0)
	reqDER, _ := req.Marshal()
	replay, _, _ := p.authority().Respond(reqDER)
	replaying := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentTypeReply)
		w.Write(replay)
	}))
	defer replaying.Close()
	rejecting := httptest.NewServer(&Authority{Key: p.tsaKey, Chain: []*x509.Certificate{p.tsa}, Policy: asn1.ObjectIdentifier{1, 2, 3}})
	defer rejecting.Close()

	c := &Client{URLs: []string{down.URL, replaying.URL, good.URL}}
	tok, err := c.Timestamp(context.Background(), []byte("sig"))
	if err != nil {
		t.Fatal(err)
	}
	if err := tok.Covers([]byte("sig")); err != nil {
		t.Fatal(err)
	}

	c = &Client{URLs: []string{down.URL, replaying.URL}}
	_, err = c.Timestamp(context.Background(), []byte("sig"))
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "nonce") {
		t.Errorf("err = %v, want ErrUnavailable with the nonce mismatch", err)
	}
	// A request for another policy than the TSA's is refused by it.
	c = &Client{URLs: []string{rejecting.URL}}
	req.Policy = asn1.ObjectIdentifier{1, 2, 4}
	reqDER, _ = req.Marshal()
	resp, _, _ := (&Authority{Key: p.tsaKey, Chain: []*x509.Certificate{p.tsa}, Policy: asn1.ObjectIdentifier{1, 2, 3}}).Respond(reqDER)
	var re *ResponseError
	if _, err := ParseResponse(resp); !errors.As(err, &re) || re.FailInfo != FailUnacceptedPolicy || !errors.Is(err, ErrRejected) {
		t.Errorf("ParseResponse = %v, want unacceptedPolicy", err)
	}
}

// TestOpenSSLQueryToSignet: `openssl ts -query` answered by signet's Authority, and the
// answer verified by `openssl ts -verify`, for EC and RSA TSA keys.
func TestOpenSSLQueryToSignet(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for name, key := range map[string]crypto.Signer{"ec": mustECKey(t), "rsa": rsaKey} {
		t.Run(name, func(t *testing.T) {
			p := newPKI(t, key, ekuExtension(t, true, oidTimeStamping))
			dir := t.TempDir()
			data := filepath.Join(dir, "data")
			os.WriteFile(data, []byte("hello, timestamps\n"), 0o600)
			writePEM(t, filepath.Join(dir, "root.pem"), p.root)
			writePEM(t, filepath.Join(dir, "tsa.pem"), p.tsa)
			tsq := filepath.Join(dir, "req.tsq")
			testutil.Run(t, openssl, "ts", "-query", "-data", data, "-sha256", "-cert", "-out", tsq)
			reqDER, _ := os.ReadFile(tsq)
			resp, tok, err := p.authority().Respond(reqDER)
			if err != nil || tok == nil {
				t.Fatalf("Respond: %v", err)
			}
			tsr := filepath.Join(dir, "resp.tsr")
			os.WriteFile(tsr, resp, 0o600)
			out := testutil.Run(t, openssl, "ts", "-verify", "-data", data, "-in", tsr, "-CAfile", filepath.Join(dir, "root.pem"))
			if !strings.Contains(string(out), "Verification: OK") {
				t.Errorf("openssl ts -verify: %s", out)
			}
			// And the request's nonce is checked by openssl too.
			testutil.Run(t, openssl, "ts", "-verify", "-queryfile", tsq, "-in", tsr, "-CAfile", filepath.Join(dir, "root.pem"))
			// Tampered data fails.
			os.WriteFile(data, []byte("hello, timestamps!\n"), 0o600)
			if _, _, err := testutil.RunErr(openssl, "ts", "-verify", "-data", data, "-in", tsr, "-CAfile", filepath.Join(dir, "root.pem")); err == nil {
				t.Error("openssl ts -verify accepted other data")
			}
		})
	}
}

// TestOpenSSLAsTSA: signet's request answered by `openssl ts -reply` (ESS v1 with SHA-1, as
// openssl writes by default, and v2 with SHA-256), and the answer accepted by the client's
// checks; a response for another request is refused.
func TestOpenSSLAsTSA(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	for _, essAlg := range []string{"sha1", "sha256"} {
		t.Run(essAlg, func(t *testing.T) {
			p := goodPKI(t)
			dir := t.TempDir()
			writePEM(t, filepath.Join(dir, "tsa.pem"), p.tsa)
			writePEM(t, filepath.Join(dir, "root.pem"), p.root)
			writeKey(t, filepath.Join(dir, "tsa.key"), p.tsaKey)
			conf := `[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = ` + filepath.Join(dir, "serial") + `
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1, millisecs:500
ordering = yes
tsa_name = yes
ess_cert_id_alg = ` + essAlg + `
ess_cert_id_chain = no
`
			os.WriteFile(filepath.Join(dir, "serial"), []byte("01\n"), 0o600)
			os.WriteFile(filepath.Join(dir, "tsa.cnf"), []byte(conf), 0o600)
			data := []byte("the signature value")
			req, err := NewRequest(data, 0)
			if err != nil {
				t.Fatal(err)
			}
			der, _ := req.Marshal()
			os.WriteFile(filepath.Join(dir, "req.tsq"), der, 0o600)
			testutil.Run(t, openssl, "ts", "-reply", "-config", filepath.Join(dir, "tsa.cnf"), "-queryfile", filepath.Join(dir, "req.tsq"),
				"-inkey", filepath.Join(dir, "tsa.key"), "-signer", filepath.Join(dir, "tsa.pem"), "-out", filepath.Join(dir, "resp.tsr"))
			resp, _ := os.ReadFile(filepath.Join(dir, "resp.tsr"))
			tok, err := ParseResponse(resp)
			if err != nil {
				t.Fatal(err)
			}
			if err := check(tok, req, data); err != nil {
				t.Fatal(err)
			}
			if tok.Accuracy != 1500*time.Millisecond || !tok.Ordering || !tok.Policy.Equal(asn1.ObjectIdentifier{1, 2, 3, 4, 1}) || tok.SerialNumber.Int64() != 2 { // openssl counts from the serial file's value plus one
				t.Errorf("accuracy %v ordering %v policy %v serial %v", tok.Accuracy, tok.Ordering, tok.Policy, tok.SerialNumber)
			}
			other, _ := NewRequest(data, 0)
			if err := check(tok, other, data); !errors.Is(err, ErrMismatch) {
				t.Errorf("a token for another request (nonce): %v", err)
			}
			// The token alone, as -token_out writes it, reads the same way.
			testutil.Run(t, openssl, "ts", "-reply", "-in", filepath.Join(dir, "resp.tsr"), "-token_out", "-out", filepath.Join(dir, "tok.der"))
			tokDER, _ := os.ReadFile(filepath.Join(dir, "tok.der"))
			tok2, err := ParseTokenOrResponse(tokDER)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tok2.Verify(nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestMalformed: structures that are not RFC 3161 are refused as malformed, not as invalid.
func TestMalformed(t *testing.T) {
	for name, der := range map[string][]byte{
		"empty":    nil,
		"garbage":  []byte("not DER"),
		"sequence": {0x30, 0x00},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseTokenOrResponse(der); !errors.Is(err, ErrMalformed) {
				t.Errorf("ParseTokenOrResponse = %v", err)
			}
			if _, err := ParseRequest(der); !errors.Is(err, ErrMalformed) {
				t.Errorf("ParseRequest = %v", err)
			}
		})
	}
	// A token truncated anywhere is malformed.
	p := goodPKI(t)
	req, _ := NewRequest([]byte("x"), 0)
	tokDER, err := p.authority().issue(req, DefaultPolicy(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(tokDER); i += 7 {
		if _, err := ParseToken(tokDER[:i]); err == nil {
			t.Fatalf("truncated at %d: parsed", i)
		}
	}
}

func FuzzParseToken(f *testing.F) {
	f.Add([]byte{0x30, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		tok, err := ParseTokenOrResponse(der)
		if err == nil {
			tok.Verify(nil)
			tok.Covers(der)
		}
	})
}

func FuzzParseRequest(f *testing.F) {
	f.Add([]byte{0x30, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		if r, err := ParseRequest(der); err == nil {
			if _, err := r.Marshal(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestAuthorityKeyTypes: tokens signed with each key type an Authority takes verify, with the
// hash its key suggests (RFC 8419 for Ed25519: the attributes signed whole).
func TestAuthorityKeyTypes(t *testing.T) {
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	for name, key := range map[string]crypto.Signer{"p384": p384, "p521": p521, "ed25519": ed, "rsa": rsaKey} {
		t.Run(name, func(t *testing.T) {
			p := newPKI(t, key, ekuExtension(t, true, oidTimeStamping))
			req, _ := NewRequest([]byte("sig"), crypto.SHA512)
			der, _ := req.Marshal()
			resp, _, err := p.authority().Respond(der)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := ParseResponse(resp)
			if err != nil {
				t.Fatal(err)
			}
			if err := check(tok, req, []byte("sig")); err != nil {
				t.Fatal(err)
			}
		})
	}
}
