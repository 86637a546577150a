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
	"testing"
	"time"
)

// TestChainImportClashWithinChain: two chain certificates that would get the same label (an
// intermediate and a root of one common name, as some PKIs name them) passed
// CheckChainImport, which compared each with the token alone, and ImportCertificateChain
// wrote the key's certificate and the first of them before failing on the second (ErrExists):
// the key left with its certificate and half its chain, the partial enrolment the check is
// there to prevent. The clash is now found before anything is written.
func TestChainImportClashWithinChain(t *testing.T) {
	tt := mustSoftHSM(t, "lr")
	tok := mustOpen(t, tt.uri(""), tt.opts(testPIN))
	k1 := mustParse(t, "pkcs11:object=k1")
	if _, err := tok.GenerateKey(k1, ECP256); err != nil {
		t.Fatal(err)
	}
	s, err := tok.Signer(k1)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	issue := func(serial int64, cn, issuerCN string, pub crypto.PublicKey, parentKey crypto.Signer, ca bool) *x509.Certificate {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
			BasicConstraintsValid: true, IsCA: ca, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
		parent := &x509.Certificate{Subject: pkix.Name{CommonName: issuerCN}}
		if issuerCN == cn {
			parent = tmpl
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	rootKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	intKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	root := issue(1, "Same CA", "Same CA", rootKey.Public(), rootKey, true)
	inter := issue(2, "Same CA", "Same CA", intKey.Public(), rootKey, true)
	leaf := issue(3, "k1", "Same CA", s.Public(), intKey, false)
	s.Close()

	if err := tok.CheckChainImport([]*x509.Certificate{inter, root}); !errors.Is(err, ErrExists) {
		t.Errorf("CheckChainImport of two certificates of one label: %v, want ErrExists", err)
	}
	objs, err := ImportCertificateChain(tt.uri("object=k1"), []*x509.Certificate{leaf, inter, root}, tt.opts(testPIN))
	if !errors.Is(err, ErrExists) || len(objs) != 0 {
		t.Errorf("ImportCertificateChain: %d objects written, %v; want none, ErrExists", len(objs), err)
	}
	if all, err := tok.Objects(&URI{}); err != nil || len(all) != 2 {
		t.Errorf("the token holds %d objects (%v), want the key pair alone", len(all), err)
	}
}
