package x509util

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
)

// Faults the inspection campaign (cmd/signet/ci_diff_test.go, against openssl -text) found
// in what `signet cert inspect` shows, each held here by the smallest object that shows it.

// ciRawName is a DER Name of the RDNs given, each a set of attributes whose values are
// written with the ASN.1 tag given (12 UTF8String, 19 PrintableString, 28 UniversalString).
func ciRawName(t *testing.T, rdns ...[]ciAttr) []byte {
	t.Helper()
	var seq pkix.RDNSequence
	for _, rdn := range rdns {
		var set pkix.RelativeDistinguishedNameSET
		for _, a := range rdn {
			set = append(set, pkix.AttributeTypeAndValue{Type: a.oid,
				Value: asn1.RawValue{Class: asn1.ClassUniversal, Tag: a.tag, Bytes: a.value}})
		}
		seq = append(seq, set)
	}
	der, err := asn1.Marshal(seq)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

type ciAttr struct {
	oid   asn1.ObjectIdentifier
	tag   int
	value []byte
}

var (
	ciCN  = asn1.ObjectIdentifier{2, 5, 4, 3}
	ciO   = asn1.ObjectIdentifier{2, 5, 4, 10}
	ciUID = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}
	ciUnk = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 1}
)

// TestInspectNamesAsEncoded: inspect printed a certificate's, CSR's and CRL's names from
// crypto/x509's pkix.Name, which has split every multi-valued RDN ("CN=a+UID=42" printed as
// "UID=42,CN=a", two RDNs, a different name), re-encoded an unnamed attribute's value as
// UTF8String or PrintableString (#0C... for the BMPString #1E... openssl shows), and, for a
// CSR (read with encoding/asn1), printed a UniversalString value as "<nil>". Names now print
// from their DER, as verify prints them (pkixname.FormatDN): RDNs and string types as encoded.
func TestInspectNamesAsEncoded(t *testing.T) {
	key := testutil.Key(t, "p256")
	name := ciRawName(t,
		[]ciAttr{{ciO, 12, []byte("Example")}},
		[]ciAttr{{ciCN, 12, []byte("alice")}, {ciUID, 12, []byte("42")}},
		[]ciAttr{{ciUnk, 30, []byte{0, 'a', 0, 'b'}}})
	const want = `1.3.6.1.4.1.55555.1=#1E0400610062,UID=42+CN=alice,O=Example`
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), RawSubject: name,
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1e9, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	info := DescribeCertificate(cert, time.Unix(1, 0))
	if info.Subject != want || info.Issuer != want {
		t.Errorf("certificate subject %q issuer %q, want %q", info.Subject, info.Issuer, want)
	}
	crlDER, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1),
		ThisUpdate: time.Unix(1, 0), NextUpdate: time.Unix(2, 0)}, &x509.Certificate{RawSubject: name,
		KeyUsage: x509.KeyUsageCRLSign, SubjectKeyId: []byte{1}, PublicKey: key.Public()}, key)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.ParseRevocationList(crlDER)
	if err != nil {
		t.Fatal(err)
	}
	if got := DescribeCRL(crl, time.Unix(1, 0)).Issuer; got != want {
		t.Errorf("CRL issuer %q, want %q", got, want)
	}

	// a CSR with a UniversalString value
	csrName := ciRawName(t, []ciAttr{{ciO, 28, []byte{0, 0, 0, 'O', 0, 0, 0, 'K'}}}, []ciAttr{{ciCN, 12, []byte("bob")}})
	csrDER, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{RawSubject: csrName}, key)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.ParseCertificateRequest(csrDER)
	if err != nil {
		t.Fatal(err)
	}
	if got := DescribeCSR(csr).Subject; got != "CN=bob,O=OK" {
		t.Errorf("CSR subject %q, want %q", got, "CN=bob,O=OK")
	}
}
