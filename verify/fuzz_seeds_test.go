package verify_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/verify"
)

// fuzzChain returns the DER of certificates made here deterministically (Ed25519 keys from
// fixed seeds, fixed serials and times, Ed25519 signatures being deterministic), so that
// every fuzzing worker gets the same seeds. Ed25519 is also the cheapest signature to check:
// under the fuzzer's instrumentation a P-384 or RSA-3072 check costs about a second, and
// FuzzVerifyPool ran one input a second over the fixture PKI's chains.
func fuzzChain(tb testing.TB, shape string) []byte {
	tb.Helper()
	key := func(name string) ed25519.PrivateKey {
		seed := sha256.Sum256([]byte("signet fuzz seed " + name))
		return ed25519.NewKeyFromSeed(seed[:])
	}
	notBefore := tpAt.Add(-24 * time.Hour)
	serial := int64(1)
	issue := func(tmpl *x509.Certificate, name string, parent *x509.Certificate, parentKey ed25519.PrivateKey) (*x509.Certificate, ed25519.PrivateKey) {
		tb.Helper()
		k := key(name)
		tmpl.SerialNumber = big.NewInt(serial)
		serial++
		tmpl.Subject = pkix.Name{CommonName: name}
		tmpl.NotBefore, tmpl.NotAfter = notBefore, notBefore.Add(365*24*time.Hour)
		skid := sha256.Sum256(k.Public().(ed25519.PublicKey))
		tmpl.SubjectKeyId = skid[:20]
		if parent == nil {
			parent, parentKey = tmpl, k
		}
		der, err := x509.CreateCertificate(nil, tmpl, parent, k.Public(), parentKey)
		if err != nil {
			tb.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			tb.Fatal(err)
		}
		return c, k
	}
	ca := func(pathLen int) *x509.Certificate {
		return &x509.Certificate{BasicConstraintsValid: true, IsCA: true, MaxPathLen: pathLen, MaxPathLenZero: pathLen == 0,
			KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	}
	leafTmpl := func(dns ...string) *x509.Certificate {
		return &x509.Certificate{BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, DNSNames: dns}
	}
	root, rootKey := issue(ca(-1), "Fuzz Root", nil, nil)
	var chain []*x509.Certificate
	switch shape {
	case "plain":
		inter, interKey := issue(ca(0), "Fuzz Intermediate", root, rootKey)
		leaf, _ := issue(leafTmpl("leaf.example.com"), "leaf.example.com", inter, interKey)
		chain = []*x509.Certificate{leaf, inter}
	case "constrained":
		t := ca(-1)
		t.PermittedDNSDomains, t.ExcludedDNSDomains = []string{"example.com"}, []string{"bad.example.com"}
		t.PermittedEmailAddresses, t.PermittedURIDomains = []string{"example.com"}, []string{".example.com"}
		inter, interKey := issue(t, "Fuzz Constrained", root, rootKey)
		leaf, _ := issue(leafTmpl("leaf.example.com", "x.bad.example.com"), "leaf.example.com", inter, interKey)
		chain = []*x509.Certificate{leaf, inter}
	case "deep":
		mid, midKey := issue(ca(1), "Fuzz Mid", root, rootKey)
		low, lowKey := issue(ca(0), "Fuzz Low", mid, midKey)
		self, _ := issue(ca(0), "Fuzz Low", low, lowKey) // self-issued: the same name, another key
		leaf, _ := issue(leafTmpl("leaf.example.com"), "leaf.example.com", low, lowKey)
		chain = []*x509.Certificate{leaf, self, low, mid}
	case "impostor":
		inter, interKey := issue(ca(-1), "Fuzz Intermediate", root, rootKey)
		fake, _ := issue(ca(-1), "Fuzz Intermediate", nil, nil) // same name, self-signed
		leaf, _ := issue(leafTmpl("leaf.example.com"), "leaf.example.com", inter, interKey)
		chain = []*x509.Certificate{leaf, fake, inter}
	default:
		tb.Fatalf("no chain shape %q", shape)
	}
	var out []byte
	for _, c := range append(chain, root) {
		out = append(out, c.Raw...)
	}
	return out
}

// TestFuzzChainsDeterministic: the seeds are the same bytes each time, and the plain one
// verifies (a seed that fails everywhere would leave the fuzzer little to explore).
func TestFuzzChainsDeterministic(t *testing.T) {
	for _, shape := range []string{"plain", "constrained", "deep", "impostor"} {
		if a, b := fuzzChain(t, shape), fuzzChain(t, shape); string(a) != string(b) {
			t.Errorf("%s: two runs made different certificates", shape)
		}
	}
	var certs []*x509.Certificate
	for s := cryptobyte.String(fuzzChain(t, "plain")); !s.Empty(); {
		var el cryptobyte.String
		if !s.ReadASN1Element(&el, cbasn1.SEQUENCE) {
			t.Fatal("the plain seed does not split into certificates")
		}
		c, err := x509.ParseCertificate(el)
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, c)
	}
	p := verify.Policy{Roots: certs[len(certs)-1:], Intermediates: certs[1 : len(certs)-1], At: tpAt, DNSName: "leaf.example.com"}
	if _, err := verify.Verify(certs[0], nil, p); err != nil {
		t.Errorf("the plain seed does not verify: %v", err)
	}
}
