package verify_test

import (
	"crypto/x509"
	"math/big"
	"testing"
	"time"

	"github.com/signet-pki/signet/verify"
)

// ocspOnceChain is root -> depth intermediates -> leaf, and a response of the last
// intermediate's key that carries many certificates and answers about another serial.
func ocspOnceChain(t testing.TB, depth int) (leaf *x509.Certificate, p verify.Policy, resp []byte) {
	root := rootCA(t, "RV Root")
	ca := root
	var inters []*x509.Certificate
	for range depth {
		ca = subCA(t, "RV Inter", ca)
		inters = append(inters, ca.cert)
	}
	l := leafCert(t, "leaf.example.com", ca)
	var certs [][]byte
	for range 40 {
		certs = append(certs, ca.der)
	}
	s := rvSingle{issuer: ca.cert, serial: big.NewInt(7), nextUpdate: tpAt.Add(24 * time.Hour), reason: -1}
	resp = rvOCSP{signer: ca, certs: certs, singles: []rvSingle{s}}.der(t)
	return l.cert, verify.Policy{Roots: []*x509.Certificate{root.cert}, Intermediates: inters, At: tpAt}, resp
}

// TestOCSPParsedOncePerVerify: every OCSP response was read again for every certificate of
// the chain (its SingleResponses, its certificates): the cost of a response grew with the
// length of the chain. It is now read once per Verify call. The test holds the memory a
// response costs with a chain of five intermediates to less than twice what it costs with one.
func TestOCSPParsedOncePerVerify(t *testing.T) {
	cost := func(depth int) float64 {
		leaf, p, resp := ocspOnceChain(t, depth)
		without := testing.AllocsPerRun(5, func() {
			if _, err := verify.Verify(leaf, nil, p); err != nil {
				t.Fatal(err)
			}
		})
		p.OCSP = [][]byte{resp}
		with := testing.AllocsPerRun(5, func() {
			if _, err := verify.Verify(leaf, nil, p); err != nil {
				t.Fatal(err)
			}
		})
		return with - without
	}
	one, five := cost(1), cost(5)
	t.Logf("a response costs %.0f allocations with one intermediate, %.0f with five", one, five)
	if five > 2*one {
		t.Fatalf("a response costs %.0f allocations with five intermediates, %.1f times the %.0f with one", five, five/one, one)
	}
}

// BenchmarkVerifyOCSP is a chain of three intermediates checked against four responses: one
// about each certificate below the root, each signed by its issuer, and one about no
// certificate of the chain.
func BenchmarkVerifyOCSP(b *testing.B) {
	root := rootCA(b, "RV Root")
	ca := root
	var inters []*x509.Certificate
	var cas []*tpIssued
	for range 3 {
		ca = subCA(b, "RV Inter", ca)
		inters = append(inters, ca.cert)
		cas = append(cas, ca)
	}
	leaf := leafCert(b, "leaf.example.com", ca)
	p := verify.Policy{Roots: []*x509.Certificate{root.cert}, Intermediates: inters, At: tpAt}
	good := func(issuer *tpIssued, serial *big.Int) []byte {
		s := rvSingle{issuer: issuer.cert, serial: serial, nextUpdate: tpAt.Add(24 * time.Hour), reason: -1}
		return rvOCSP{signer: issuer, certs: [][]byte{issuer.der}, singles: []rvSingle{s}}.der(b)
	}
	p.OCSP = [][]byte{good(root, cas[0].cert.SerialNumber), good(cas[0], cas[1].cert.SerialNumber), good(cas[1], cas[2].cert.SerialNumber),
		good(cas[2], leaf.cert.SerialNumber), good(cas[2], big.NewInt(7))}
	for b.Loop() {
		if _, err := verify.Verify(leaf.cert, nil, p); err != nil {
			b.Fatal(err)
		}
	}
}
