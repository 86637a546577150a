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

// TestChainImportClashWithinChain: two chain certificates that would get the same label (an
// intermediate and a root of one common name, as some PKIs name them) passed
// CheckChainImport, which compared each with the token alone, and ImportCertificateChain
// wrote the key's certificate and the first of them before failing on the second (ErrExists):
// the key left with its certificate and half its chain, the partial enrolment the check is
// there to prevent. The clash is now found before anything is written.
func TestChainImportClashWithinChain(t *testing.T) {
	tt := mustSoftHSM(t, "lr")
	tok := mustOpen(t, tt.uri(""), tt.opts(testPIN))
	_, s := mustECKey(t, tok, "pkcs11:object=k1")
	rootKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	intKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	root := hsCert(t, 1, "Same CA", rootKey.Public(), nil, rootKey, true)
	inter := hsCert(t, 2, "Same CA", intKey.Public(), root, rootKey, true)
	leaf := hsCert(t, 3, "k1", s.Public(), inter, intKey, false)

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
