package x509util

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/pkixname"
	"github.com/signet-pki/signet/internal/testutil"
)

// opensslSubject is `openssl x509 -noout -subject -nameopt RFC2253` of the certificate in
// file, without the "subject=" in front.
func opensslSubject(t *testing.T, openssl, file string) string {
	t.Helper()
	out, err := exec.Command(openssl, "x509", "-in", file, "-noout", "-subject", "-nameopt", "RFC2253").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl x509: %v: %s", err, out)
	}
	return strings.TrimPrefix(strings.TrimSpace(string(out)), "subject=")
}

// TestNamesAsOpenSSL: signet prints names as `openssl x509 -subject -nameopt RFC2253` does:
// domainComponent, userId, emailAddress, serialNumber, title, givenName, surname, initials,
// pseudonym, dnQualifier, generationQualifier, businessCategory, the EV jurisdiction
// attributes, organizationIdentifier, street and postalCode by openssl's names, with their
// values (an IA5String DC or emailAddress too), and an attribute openssl does not name as its
// dotted OID and the hex of its DER value, string type included. FormatName printed the first
// ones as OID hex, and SERIALNUMBER, STREET and POSTALCODE by Go's names; pkixname.FormatDN
// (verify's names) had a table of its own and printed unknown attributes as text.
func TestNamesAsOpenSSL(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()

	// A certificate made by openssl, its RDNs in the order pkix.Name prints them (the
	// attributes without a field of their own first), so that FormatName can agree too.
	key, cert := filepath.Join(dir, "k.pem"), filepath.Join(dir, "c.pem")
	subj := "/DC=org/DC=example/UID=jdoe/emailAddress=jane@example.org/title=Dr/GN=Jane/SN=Doe/initials=JD/pseudonym=jd" +
		"/dnQualifier=q1/generationQualifier=III/businessCategory=Private Organization/jurisdictionC=DE" +
		"/jurisdictionST=Bayern/jurisdictionL=Munich/organizationIdentifier=VATDE-123456789" +
		"/C=DE/ST=BY/L=Munich/street=Main St 1/postalCode=80331/O=Example/OU=IT/CN=Jane Doe/serialNumber=S-1"
	if out, err := exec.Command(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", key, "-out", cert, "-days", "1", "-subj", subj).CombinedOutput(); err != nil {
		t.Fatalf("openssl req: %v: %s", err, out)
	}
	certs, err := LoadCertificateFile(cert)
	if err != nil {
		t.Fatal(err)
	}
	c := certs[0]
	want := opensslSubject(t, openssl, cert)
	if !strings.Contains(want, "DC=org") || !strings.Contains(want, "UID=jdoe") {
		t.Fatalf("openssl printed %q", want)
	}
	if got := FormatName(c.Subject); got != want {
		t.Errorf("FormatName:\n got %s\nwant %s", got, want)
	}
	if got, err := pkixname.FormatDN(c.RawSubject); err != nil || got != want {
		t.Errorf("pkixname.FormatDN:\n got %s (%v)\nwant %s", got, err, want)
	}
	if got := formatRawName(c.RawSubject); got != want {
		t.Errorf("formatRawName:\n got %s\nwant %s", got, want)
	}
	// Any order, as encoded: openssl's -subj /CN=a/O=b puts CN first in the DER, and openssl
	// prints O=b,CN=a; pkix.Name's order of fields printed CN=a,O=b, and jurisdictionC last.
	odd := filepath.Join(dir, "odd.pem")
	if out, err := exec.Command(openssl, "req", "-x509", "-key", key, "-out", odd, "-days", "1",
		"-subj", "/CN=Acme GmbH/O=Acme/jurisdictionC=DE/C=DE/serialNumber=HRB 1").CombinedOutput(); err != nil {
		t.Fatalf("openssl req: %v: %s", err, out)
	}
	oddCerts, err := LoadCertificateFile(odd)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := FormatName(oddCerts[0].Subject), opensslSubject(t, openssl, odd); got != want {
		t.Errorf("FormatName of a name in another order:\n got %s\nwant %s", got, want)
	}

	// As ParseDN builds it (DC and emailAddress as IA5String raw values): printed as written.
	const written = "CN=Jane Doe,emailAddress=jane@example.org,UID=jdoe,DC=example,DC=org"
	n, err := ParseDN(written)
	if err != nil {
		t.Fatal(err)
	}
	if got := FormatName(n); got != written {
		t.Errorf("FormatName(ParseDN(%q)) = %q", written, got)
	}

	// A certificate with every attribute signet names, each a UTF8String, in one RDN after
	// another, with a multi-valued RDN and attributes openssl does not name (IA5String and
	// PrintableString values, which openssl prints as their DER in hex).
	var rdns pkix.RDNSequence
	for i, oid := range pkixname.AttributeTypes() {
		v := asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte("v" + string(rune('a'+i%26)) + "1")}
		rdns = append(rdns, []pkix.AttributeTypeAndValue{{Type: oid, Value: v}})
	}
	unknown := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 1}
	rdns = append(rdns,
		[]pkix.AttributeTypeAndValue{{Type: unknown, Value: asn1.RawValue{Tag: asn1.TagIA5String, Bytes: []byte("ia5")}}},
		[]pkix.AttributeTypeAndValue{{Type: unknown, Value: "printable"}},
		[]pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "multi"}, {Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}, Value: "42"}})
	raw, err := asn1.Marshal(rdns)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), RawSubject: raw, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	all := filepath.Join(dir, "all.pem")
	if err := os.WriteFile(all, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	want = opensslSubject(t, openssl, all)
	if strings.Contains(want, "2.5.4.") || strings.Contains(want, "0.9.2342") || strings.Contains(want, "1.2.840") || strings.Contains(want, "1.3.6.1.4.1.311.") {
		t.Errorf("openssl names fewer attributes than signet: %s", want)
	}
	if got, err := pkixname.FormatDN(raw); err != nil || got != want {
		t.Errorf("pkixname.FormatDN:\n got %s (%v)\nwant %s", got, err, want)
	}
	if got := formatRawName(raw); got != want {
		t.Errorf("formatRawName:\n got %s\nwant %s", got, want)
	}
}
