//go:build cgo

package hsm

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"testing"
)

// TestChainImportClashWithTheKey: 'token import-cert --with-chain' for a key labelled as its
// CA (the label the CA certificate gets) wrote the key's certificate and then failed on the
// CA's (ErrExists), the key left with its certificate and without its chain: CheckChainImport
// compared the chain with the token's certificates alone, not with the key's certificate
// about to be written. Nothing is written now.
func TestChainImportClashWithTheKey(t *testing.T) {
	tt := mustSoftHSM(t, "hs")
	tok := mustOpen(t, tt.uri(""), tt.opts(testPIN))
	_, s := mustECKey(t, tok, "pkcs11:object=HS%20CA")
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := hsCert(t, 1, "HS CA", caKey.Public(), nil, caKey, true)
	leaf := hsCert(t, 2, "client", s.Public(), ca, caKey, false)
	objs, err := ImportCertificateChain(tt.uri("object=HS%20CA"), []*x509.Certificate{leaf, ca}, tt.opts(testPIN))
	if !errors.Is(err, ErrExists) || len(objs) != 0 {
		t.Errorf("ImportCertificateChain: %d objects written, %v; want none, ErrExists", len(objs), err)
	}
	if certs, err := tok.Objects(&URI{Type: TypeCert}); err != nil || len(certs) != 0 {
		t.Errorf("the token holds %d certificates (%v), want none: %s", len(certs), err, joinObjectURIs(certs))
	}
}

// TestChainImportRenewedCA: a CA certificate renewed under the same key (same subject and
// key, new serial) where the old one is: ErrChainRenewal (an ErrExists) and nothing written
// without RenewChain; with it the old one is replaced, and the key's certificate written.
func TestChainImportRenewedCA(t *testing.T) {
	tt := mustSoftHSM(t, "hs")
	tok := mustOpen(t, tt.uri(""), tt.opts(testPIN))
	k, s := mustECKey(t, tok, "pkcs11:object=k")
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	old := hsCert(t, 1, "HS CA", caKey.Public(), nil, caKey, true)
	if _, err := tok.ImportCertificate(old, "HS CA", old.SubjectKeyId); err != nil {
		t.Fatal(err)
	}
	renewed := hsCert(t, 2, "HS CA", caKey.Public(), nil, caKey, true)
	leaf := hsCert(t, 3, "k", s.Public(), renewed, caKey, false)
	if _, err := tok.ImportKeyChain(k, []*x509.Certificate{leaf, renewed}, ChainOptions{}); !errors.Is(err, ErrChainRenewal) || !errors.Is(err, ErrExists) {
		t.Errorf("without RenewChain: %v, want ErrChainRenewal", err)
	}
	if certs, _ := tok.Objects(&URI{Type: TypeCert}); len(certs) != 1 || !certs[0].Certificate.Equal(old) {
		t.Errorf("refused, the token holds %s; want the old CA certificate alone", joinObjectURIs(certs))
	}
	objs, err := tok.ImportKeyChain(k, []*x509.Certificate{leaf, renewed}, ChainOptions{RenewChain: true})
	if err != nil || len(objs) != 2 {
		t.Fatalf("with RenewChain: %d objects, %v", len(objs), err)
	}
	certs, _ := tok.Objects(&URI{Type: TypeCert})
	var n int
	for _, c := range certs {
		if c.Certificate.Equal(leaf) || c.Certificate.Equal(renewed) {
			n++
		}
	}
	if len(certs) != 2 || n != 2 {
		t.Errorf("the token holds %s; want the key's certificate and the renewed CA's", joinObjectURIs(certs))
	}
}
