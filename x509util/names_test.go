package x509util

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FormatName writes what pkix.Name.String writes for every name without unsafe characters
// whose attributes both name alike (CN, C, O, OU, L, ST): the fixture PKI's subjects and
// issuers, names with RFC 4514 specials. Where Go writes its own names (SERIALNUMBER) or OID
// hex (DC, UID, emailAddress), FormatName writes OpenSSL's names (TestNamesAsOpenSSL), in the
// same order, multi-valued RDNs split as pkix.Name splits them.
func TestFormatNameAsPkix(t *testing.T) {
	names := []pkix.Name{
		{},
		{CommonName: "alice", Organization: []string{"Example, Inc."}, Country: []string{"US"}},
		{CommonName: " leading and trailing ", OrganizationalUnit: []string{"#hash", `a+b"c\d<e>f;g`}},
	}
	files, _ := filepath.Glob("../testdata/pki/*.pem")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		certs, err := ParseCertificates(data)
		if err != nil {
			continue // a CRL
		}
		for _, c := range certs {
			names = append(names, c.Subject, c.Issuer)
		}
	}
	if len(names) < 20 {
		t.Fatalf("only %d names: the fixtures were not found", len(names))
	}
	for _, n := range names {
		if got, want := FormatName(n), n.String(); got != want {
			t.Errorf("FormatName = %q, pkix.Name.String = %q", got, want)
		}
	}
	for dn, want := range map[string]string{
		"CN=alice+UID=42,O=Example":                 "UID=42,CN=alice,O=Example",
		"/C=DE/O=x/emailAddress=a@example.com/CN=y": "CN=y,emailAddress=a@example.com,O=x,C=DE",
		"DC=example,DC=com,CN=z":                    "DC=example,DC=com,CN=z",
	} {
		n, err := ParseDN(dn)
		if err != nil {
			t.Fatal(err)
		}
		if got := FormatName(n); got != want {
			t.Errorf("FormatName(ParseDN(%q)) = %q, want %q", dn, got, want)
		}
	}
	if got, want := FormatName(pkix.Name{CommonName: "Jürgen Müller", SerialNumber: "42"}), "serialNumber=42,CN=Jürgen Müller"; got != want {
		t.Errorf("FormatName = %q, want %q", got, want)
	}
}

// Unsafe characters are written as \XX, the hex of each UTF-8 byte (which RFC 4514 readers,
// ParseDN among them, read back); what remains holds no control or format character.
func TestFormatNameEscapes(t *testing.T) {
	tests := []struct{ value, want string }{
		{"evil\nOK good", `CN=evil\0AOK good`},
		{"a\rb", `CN=a\0Db`},
		{"red\x1b[31m", `CN=red\1B[31m`},
		{"title\x1b]0;pwned\x07", `CN=title\1B]0\;pwned\07`},
		{"del\x7f", `CN=del\7F`},
		{"c1\u0085", `CN=c1\C2\85`},
		{"right\u202eleft", `CN=right\E2\80\AEleft`},
		{"zero\u200bwidth", `CN=zero\E2\80\8Bwidth`},
		{"line\u2028sep", `CN=line\E2\80\A8sep`},
		{"bad\xffutf8", `CN=bad\FFutf8`},
		{"tab\tand, comma", `CN=tab\09and\, comma`},
	}
	for _, tc := range tests {
		got := FormatName(pkix.Name{CommonName: tc.value})
		if got != tc.want {
			t.Errorf("FormatName(CN=%q) = %q, want %q", tc.value, got, tc.want)
		}
		if hasControl(got) {
			t.Errorf("FormatName(CN=%q) = %q still holds an unsafe character", tc.value, got)
		}
	}
	// A DER name keeps its order and multi-valued RDNs, and its values are escaped alike.
	der, _ := asn1.Marshal(pkix.RDNSequence{{{Type: oidCommonName, Value: "a\nb"}, {Type: asn1.ObjectIdentifier{2, 5, 4, 10}, Value: "o"}}})
	if got := formatRawName(der); got != `CN=a\0Ab+O=o` { // DER sorts the SET (O first); printed last to first, as OpenSSL does
		t.Errorf("formatRawName = %q", got)
	}
}

// Names are refused with a control or formatting character, however they are written: the
// character itself, an RFC 4514 escape, or a #hex BER value.
func TestParseDNRefusesControlCharacters(t *testing.T) {
	for _, dn := range []string{
		"CN=evil\nOK good", `CN=a\0Ab`, "/CN=red\x1b[31m", "CN=right\u202eleft", `CN=#0c03610a62`,
		`CN=#1e0400410007`, `CN=#1c08000000610000000a`, "O=x,CN=zero\u200bwidth", "/O=a\u2029b",
	} {
		_, err := ParseRDNSequence(dn)
		var ne *NameError
		if !errors.As(err, &ne) || !errors.Is(err, ErrInvalidName) || !strings.Contains(ne.Reason, "control or invisible formatting character") {
			t.Errorf("ParseRDNSequence(%q) = %v, want a NameError about the character", dn, err)
		}
		if err != nil && hasControl(err.Error()) {
			t.Errorf("the error prints the character raw: %q", err)
		}
	}
	for _, dn := range []string{"CN=Jürgen,O=Müller & Söhne", "CN=tab-free"} {
		if _, err := ParseRDNSequence(dn); err != nil {
			t.Errorf("ParseRDNSequence(%q) = %v", dn, err)
		}
	}
}

// IssueCertificate refuses a subject or SAN holding such a character even when it did not
// come through ParseDN (a CSR's names).
func TestIssueRefusesControlCharacters(t *testing.T) {
	_, inter, interKey := testCA(t)
	for _, req := range []IssueRequest{
		{Profile: ProfileClient, Subject: pkix.Name{CommonName: "evil\nOK good"}},
		{Profile: ProfileClient, Subject: pkix.Name{ExtraNames: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{2, 5, 4, 10},
			Value: asn1.RawValue{Tag: asn1.TagBMPString, Bytes: []byte{0, 'a', 0x20, 0x2e}}}}}},
		{Profile: ProfileServer, Subject: pkix.Name{CommonName: "x"}, DNSNames: []string{"x\x1b[2J.example"}},
		{Profile: ProfileEmail, Subject: pkix.Name{CommonName: "x"}, EmailAddresses: []string{"a\r@example.com"}},
	} {
		req.PublicKey, req.Issuer, req.IssuerKey, req.Now = issueTestKey(t, "p256b").Public(), inter, interKey, issueNow
		if _, err := IssueCertificate(req); !errors.Is(err, ErrInvalidName) || !strings.Contains(err.Error(), "control") {
			t.Errorf("IssueCertificate(%+v) = %v, want ErrInvalidName", req.Subject, err)
		}
	}
}

// Every name DescribeCertificate returns is safe to print.
func TestDescribeCertificateEscapes(t *testing.T) {
	// Names that IssueCertificate refuses, put in by hand as another CA could.
	key := issueTestKey(t, "p256b")
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "evil\nOK"},
		DNSNames: []string{"x\x1b[2J.example", `back\slash`}, CRLDistributionPoints: []string{"http://crl.example/\x1b[31m"},
		NotBefore: issueNow.Add(-time.Hour), NotAfter: issueNow.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	info := DescribeCertificate(c, issueNow)
	for _, s := range append([]string{info.Subject}, append(info.SANs.DNS, info.CRLDistribution...)...) {
		if hasControl(s) {
			t.Errorf("%q holds a control character", s)
		}
	}
	if info.Subject != `CN=evil\0AOK` || info.SANs.DNS[0] != `x\1B[2J.example` || info.SANs.DNS[1] != `back\\slash` {
		t.Errorf("escaped names: %q %q", info.Subject, info.SANs.DNS)
	}
}

func FuzzFormatName(f *testing.F) {
	f.Add("alice")
	f.Add("evil\nOK good")
	f.Add("\xff\x1b[31m\u202e")
	f.Add(" #,+\"\\<>; ")
	f.Fuzz(func(t *testing.T, v string) {
		got := FormatName(pkix.Name{CommonName: v, Organization: []string{v}})
		if hasControl(got) {
			t.Fatalf("FormatName(%q) = %q holds an unsafe character", v, got)
		}
		if !hasControl(v) && got != (pkix.Name{CommonName: v, Organization: []string{v}}).String() {
			t.Fatalf("FormatName(%q) = %q differs from pkix for a safe value", v, got)
		}
		if e := escapeText(v); hasControl(e) {
			t.Fatalf("escapeText(%q) = %q", v, e)
		}
	})
}
