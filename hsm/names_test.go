//go:build cgo

package hsm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

// nameCert makes a certificate for pub with crypto/x509 directly (x509util refuses control
// characters in names, which is what these tests need), signed by signer.
func nameCert(t *testing.T, subject pkix.Name, pub crypto.PublicKey, signer crypto.Signer) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               subject,
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		SubjectKeyId:          randomSKI(t),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestNamesEscaped: where the token layer prints a certificate's subject (the key-mismatch
// errors of CheckCertificateKey and ImportKeyCertificate) or makes a label of it (chain
// certificates without a printable common name), a newline in it is escaped (\0A).
func TestNamesEscaped(t *testing.T) {
	tt := mustSoftHSM(t, "names")
	tok := mustOpen(t, tt.uri(""), tt.opts(testPIN))
	key, err := tok.GenerateKey(mustParse(t, "pkcs11:object=leaf"), ECP256)
	if err != nil {
		t.Fatal(err)
	}
	s, err := tok.Signer(mustParse(t, key.URI))
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	stranger := nameCert(t, pkix.Name{CommonName: "Stranger\nOK trusted"}, foreign.Public(), foreign)
	for name, err := range map[string]error{
		"CheckCertificateKey":  CheckCertificateKey(stranger, key.Public),
		"ImportKeyCertificate": func() error { _, err := tok.ImportKeyCertificate(mustParse(t, key.URI), stranger); return err }(),
	} {
		if !errors.Is(err, ErrKeyMismatch) || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), `CN=Stranger\0AOK trusted`) {
			t.Errorf("%s: %v; want ErrKeyMismatch naming the certificate escaped", name, err)
		}
	}

	// A chain: the leaf for the token key, then a CA whose common name holds a newline and
	// one with none but a newline in its organisation.
	ca1 := nameCert(t, pkix.Name{CommonName: "Evil CA\nOK"}, foreign.Public(), foreign)
	ca2 := nameCert(t, pkix.Name{Organization: []string{"Evil Org\nOK"}}, foreign.Public(), foreign)
	leaf := nameCert(t, pkix.Name{CommonName: "leaf"}, s.Public(), s)
	objs, err := ImportCertificateChain(tt.uri("object=leaf"), []*x509.Certificate{leaf, ca1, ca2}, tt.opts(testPIN))
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, o := range objs[1:] {
		labels = append(labels, o.Label)
	}
	if got, want := strings.Join(labels, " | "), `CN=Evil CA\0AOK | O=Evil Org\0AOK`; got != want {
		t.Errorf("chain labels %q, want %q", got, want)
	}
}

// randomSKI is a subject key identifier no other certificate of the test has: the chain's CA
// certificates become token objects whose CKA_ID is their SKI, and two equal ones clash
// (ErrExists). It was 1, 2, 3, 4 and the low byte of the clock, equal for two CAs about one
// run in 256.
func randomSKI(t *testing.T) []byte {
	t.Helper()
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}
