package verify_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/verify"
)

// mustIssue makes a leaf signed by the fixture intermediate (whose key is committed), for the
// edge cases of a rule that openssl's configuration language cannot express.
func mustIssue(t *testing.T, tmpl *x509.Certificate) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(pki, "int-ca.key"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	caKey, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	ca := mustCerts(t, "int-ca.pem")[0]
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	tmpl.NotBefore = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tmpl.NotAfter = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey.(crypto.Signer))
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestVerifyRuleEdges(t *testing.T) {
	tests := []struct {
		name   string
		tmpl   *x509.Certificate
		policy func(*verify.Policy)
		want   verify.Reason
		detail string
	}{
		// crypto/x509 marks the SAN critical when the subject is empty, as RFC 5280 wants.
		{name: "empty subject, critical SAN", tmpl: &x509.Certificate{DNSNames: []string{"x.example.com"}}},
		{name: "empty subject, no SAN", tmpl: &x509.Certificate{}, want: verify.Malformed,
			detail: "has an empty subject and no subjectAltName"},
		{name: "no key usage extension passes a key usage requirement",
			tmpl:   &x509.Certificate{Subject: pkix.Name{CommonName: "no ku"}},
			policy: func(p *verify.Policy) { p.KeyUsage = x509.KeyUsageDigitalSignature }},
		{name: "no EKU extension passes an EKU requirement",
			tmpl:   &x509.Certificate{Subject: pkix.Name{CommonName: "no eku"}},
			policy: func(p *verify.Policy) { p.EKUs = []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning} }},
		{name: "anyExtendedKeyUsage in the leaf allows codeSigning",
			tmpl:   &x509.Certificate{Subject: pkix.Name{CommonName: "any"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}},
			policy: func(p *verify.Policy) { p.EKUs = []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning} }},
		{name: "unknown EKU OID in the leaf satisfies the same OID",
			tmpl:   &x509.Certificate{Subject: pkix.Name{CommonName: "oid"}, UnknownExtKeyUsage: []asn1OID{{1, 3, 6, 1, 4, 1, 55555, 9}}},
			policy: func(p *verify.Policy) { p.UnknownEKUs = []asn1OID{{1, 3, 6, 1, 4, 1, 55555, 9}} }},
		{name: "several key usage bits, one missing",
			tmpl: &x509.Certificate{Subject: pkix.Name{CommonName: "ku"}, KeyUsage: x509.KeyUsageDigitalSignature},
			policy: func(p *verify.Policy) {
				p.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
			}, want: verify.KeyUsage, detail: "has key usage digitalSignature, without nonRepudiation"},
		{name: "email domain case-insensitive",
			tmpl:   &x509.Certificate{Subject: pkix.Name{CommonName: "mail"}, EmailAddresses: []string{"Bob@Example.ORG"}},
			policy: func(p *verify.Policy) { p.Email = "Bob@example.org" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			leaf := mustIssue(t, tt.tmpl)
			p := verify.Policy{Roots: mustCerts(t, "root-ca.pem"), Intermediates: mustCerts(t, "int-ca.pem"), At: pinned}
			if tt.policy != nil {
				tt.policy(&p)
			}
			res, err := verify.Verify(leaf, nil, p)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("want valid: %v\n%s", err, dumpChecks(res))
				}
				return
			}
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.detail) {
				t.Fatalf("got %v, want %s with %q", err, tt.want, tt.detail)
			}
		})
	}
}

func TestVerifySystemRoots(t *testing.T) {
	leaf := mustCerts(t, "server.pem")[0]
	res, err := verify.Verify(leaf, mustCerts(t, "int-ca.pem"), verify.Policy{SystemRoots: true, At: pinned})
	switch {
	case errors.Is(err, verify.ErrUnchecked) && res == nil:
		t.Logf("no system roots here: %v", err)
	case errors.Is(err, verify.UnknownAuthority) && res != nil:
		if !res.Policy.SystemRoots || len(res.Policy.Roots) != 0 {
			t.Fatalf("policy %+v", res.Policy)
		}
	default:
		t.Fatalf("the fixture root is in no system store: got %v", err)
	}
}

type asn1OID = asn1.ObjectIdentifier
