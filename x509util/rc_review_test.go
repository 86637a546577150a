package x509util

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"os"
	"path/filepath"

	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"github.com/signet-pki/signet/internal/testutil"
	"math/big"
	"net"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// Probes of the CA review (rc): an attacker's and a demanding operator's view of issuing.
// Each test says what it proves; a probe that found nothing says so too.

// rcChain issues root → i1 (path length pathLen1) with fresh-per-type keys.
func rcIssueCA(t *testing.T, cn string, issuer *x509.Certificate, issuerKeyKind, keyKind string, pathLen *int) *x509.Certificate {
	t.Helper()
	req := IssueRequest{Profile: ProfileIntermediateCA, Subject: pkix.Name{CommonName: cn},
		PublicKey: issueTestKey(t, keyKind).Public(), Issuer: issuer, IssuerKey: issueTestKey(t, issuerKeyKind), MaxPathLen: pathLen}
	if issuer == nil {
		req.Profile = ProfileRootCA
	}
	return mustIssue(t, req)
}

func rcInt(n int) *int { return &n }

// TestRCIssuePathLenConstraint: signet never mints a CA certificate that a pathLenConstraint
// above it forbids (RFC 5280 4.2.1.9: the CA could issue nothing a verifier accepts), nor one
// whose own path length is wider than the CAs above it allow, nor anything at all under an
// issuer that the constraints of the CAs above it already put out of reach. Before, all three
// were signed.
func TestRCIssuePathLenConstraint(t *testing.T) {
	root := rcIssueCA(t, "rc root", nil, "p256", "p256", nil)
	i0 := rcIssueCA(t, "rc i0", root, "p256", "p384", rcInt(0)) // may issue only leaves
	i1 := rcIssueCA(t, "rc i1", root, "p256", "p384", rcInt(1)) // one CA below it
	rootPL1 := rcIssueCA(t, "rc root pl1", nil, "rsa", "rsa", rcInt(1))
	// A path length wider than its root allows, as another CA could have made it (signet
	// now refuses to).
	midTmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "rc mid"}, IsCA: true,
		BasicConstraintsValid: true, MaxPathLen: 5, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		NotBefore: issueNow.Add(-time.Hour), NotAfter: issueNow.Add(1000 * time.Hour)}
	midDER, err := x509.CreateCertificate(rand.Reader, midTmpl, rootPL1, issueTestKey(t, "p384").Public(), issueTestKey(t, "rsa"))
	if err != nil {
		t.Fatal(err)
	}
	mid, err := x509.ParseCertificate(midDER)
	if err != nil {
		t.Fatal(err)
	}

	keyOf := func(c *x509.Certificate) string {
		switch c {
		case root:
			return "p256"
		case rootPL1:
			return "rsa"
		}
		return "p384"
	}
	ca := func(issuer *x509.Certificate, chain []*x509.Certificate, pathLen *int) IssueRequest {
		return IssueRequest{Profile: ProfileIntermediateCA, Subject: pkix.Name{CommonName: "new CA"}, Now: issueNow,
			PublicKey: issueTestKey(t, "ed25519").Public(), Issuer: issuer, IssuerChain: chain, IssuerKey: issueTestKey(t, keyOf(issuer)), MaxPathLen: pathLen}
	}
	leaf := func(issuer *x509.Certificate, chain []*x509.Certificate) IssueRequest {
		return IssueRequest{Profile: ProfileClient, Subject: pkix.Name{CommonName: "leaf"}, Now: issueNow,
			PublicKey: issueTestKey(t, "ed25519").Public(), Issuer: issuer, IssuerChain: chain, IssuerKey: issueTestKey(t, keyOf(issuer))}
	}
	refused := []struct {
		name, want string
		req        IssueRequest
	}{
		{"CA under a path length 0 CA", "rc i0", ca(i0, []*x509.Certificate{root}, nil)},
		{"path length 1 under a path length 1 CA", "rc i1", ca(i1, []*x509.Certificate{root}, rcInt(1))},
		{"CA two below a path length 1 root", "rc root pl1", ca(mid, []*x509.Certificate{rootPL1}, nil)},
	}
	for _, tt := range refused {
		_, err := IssueCertificate(tt.req)
		var pe *PathLenError
		if !errors.Is(err, ErrIssuer) || !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v; want ErrIssuer naming %q", tt.name, err, tt.want)
		}
	}
	// What the constraints allow is still issued: a leaf under i0, a path length 0 CA under
	// i1, a leaf under mid (one CA below the root), a CA under a root without a constraint.
	for _, req := range []IssueRequest{leaf(i0, []*x509.Certificate{root}), ca(i1, []*x509.Certificate{root}, nil),
		leaf(mid, []*x509.Certificate{rootPL1}), ca(root, nil, rcInt(3))} {
		mustIssue(t, req)
	}
	// A root's own path length is not bounded by anything.
	mustIssue(t, IssueRequest{Profile: ProfileRootCA, Subject: pkix.Name{CommonName: "r"}, PublicKey: issueTestKey(t, "p256").Public(),
		IssuerKey: issueTestKey(t, "p256"), MaxPathLen: rcInt(9)})
	// Nor is the path length of a CA wider than its issuer allows issued.
	if _, err := IssueCertificate(ca(rootPL1, nil, rcInt(5))); !errors.Is(err, ErrIssuer) {
		t.Errorf("path length 5 under a path length 1 root: %v", err)
	}
}

// rcRawCA makes a CA certificate with crypto/x509 alone, as another tool could have made it.
func rcRawCA(t *testing.T, cn string, notBefore, notAfter time.Time, parent *x509.Certificate, parentKey, key string, mod func(*x509.Certificate)) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn}, IsCA: true,
		BasicConstraintsValid: true, MaxPathLen: -1, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		NotBefore: notBefore, NotAfter: notAfter}
	if mod != nil {
		mod(tmpl)
	}
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, issueTestKey(t, key).Public(), issueTestKey(t, parentKey))
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRCIssueIssuerValidity: an issuer that has expired, or a CA above it in the chain that
// has, is refused by name and date (before, the message was "validity ends before it starts",
// or with --not-before in the past a certificate was issued under the expired CA); a
// certificate never outlives any CA of the chain it was given (before, only the issuer's end
// clipped it, so a leaf could outlive its root), and the warning names the CA that ends
// first. An issuer not yet valid moves the start, with a warning, as before.
func TestRCIssueIssuerValidity(t *testing.T) {
	root := rcRawCA(t, "rc short root", issueNow.Add(-48*time.Hour), issueNow.Add(30*24*time.Hour), nil, "p256", "p256", nil)
	inter := rcRawCA(t, "rc long int", issueNow.Add(-24*time.Hour), issueNow.Add(3650*24*time.Hour), root, "p256", "p384", nil)
	expired := rcRawCA(t, "rc expired", issueNow.Add(-48*time.Hour), issueNow.Add(-time.Hour), nil, "p384", "p384", nil)
	leaf := func(issuer *x509.Certificate, chain []*x509.Certificate, key string) IssueRequest {
		return IssueRequest{Profile: ProfileClient, Subject: pkix.Name{CommonName: "leaf"}, Now: issueNow,
			PublicKey: issueTestKey(t, "ed25519").Public(), Issuer: issuer, IssuerChain: chain, IssuerKey: issueTestKey(t, key)}
	}

	got, err := IssueCertificate(leaf(inter, []*x509.Certificate{root}, "p384"))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Certificate.NotAfter.Equal(root.NotAfter) || len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "rc short root") {
		t.Errorf("leaf ends %v (root ends %v), warnings %q: want clipped to the root's end, naming it", got.Certificate.NotAfter, root.NotAfter, got.Warnings)
	}

	for name, req := range map[string]IssueRequest{
		"expired issuer": leaf(expired, nil, "p384"),
		"expired issuer, backdated": func() IssueRequest {
			r := leaf(expired, nil, "p384")
			r.NotBefore = issueNow.Add(-40 * time.Hour)
			return r
		}(),
		"expired CA above the issuer":     leaf(inter, []*x509.Certificate{root}, "p384"),
		"expired issuer, intermediate-ca": func() IssueRequest { r := leaf(expired, nil, "p384"); r.Profile = ProfileIntermediateCA; return r }(),
	} {
		if name == "expired CA above the issuer" {
			req.Now = root.NotAfter.Add(time.Hour)
		}
		_, err := IssueCertificate(req)
		if !errors.Is(err, ErrIssuer) || !strings.Contains(err.Error(), "expired") {
			t.Errorf("%s: %v; want ErrIssuer saying the CA expired", name, err)
		}
	}

	future := rcRawCA(t, "rc future", issueNow.Add(24*time.Hour), issueNow.Add(3650*24*time.Hour), nil, "p384", "p384", nil)
	got, err = IssueCertificate(leaf(future, nil, "p384"))
	if err != nil || !got.Certificate.NotBefore.Equal(future.NotBefore) || len(got.Warnings) == 0 {
		t.Errorf("issuer not yet valid: %v; want the start moved to the issuer's, with a warning", err)
	}
}

// TestRCIssueIssuerEKU: a CA whose extended key usage extension restricts what it may vouch
// for (a CA for TLS servers only) issues no certificate for another purpose: Go's verifier,
// and OpenSSL's for most purposes, read a CA's EKU as a constraint on the certificates below
// it, so a code-signing leaf under a serverAuth-only CA verifies nowhere. Before, it was
// signed. A CA with anyExtendedKeyUsage, or without the extension, issues every profile; a
// CA above the issuer constrains the same way.
func TestRCIssueIssuerEKU(t *testing.T) {
	root := rcRawCA(t, "rc eku root", issueNow.Add(-time.Hour), issueNow.Add(1000*time.Hour), nil, "p256", "p256", nil)
	tlsCA := rcRawCA(t, "rc tls only", issueNow.Add(-time.Hour), issueNow.Add(1000*time.Hour), root, "p256", "p384",
		func(c *x509.Certificate) {
			c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
		})
	anyCA := rcRawCA(t, "rc any", issueNow.Add(-time.Hour), issueNow.Add(1000*time.Hour), nil, "rsa", "rsa",
		func(c *x509.Certificate) { c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageAny} })
	sub := rcRawCA(t, "rc sub", issueNow.Add(-time.Hour), issueNow.Add(1000*time.Hour), tlsCA, "p384", "ed25519", nil)
	req := func(p Profile, issuer *x509.Certificate, chain []*x509.Certificate, key string) IssueRequest {
		return IssueRequest{Profile: p, Subject: pkix.Name{CommonName: "leaf"}, DNSNames: []string{"leaf.example.com"},
			EmailAddresses: []string{"leaf@example.com"}, Now: issueNow,
			PublicKey: issueTestKey(t, "p256c").Public(), Issuer: issuer, IssuerChain: chain, IssuerKey: issueTestKey(t, key)}
	}
	for _, p := range []Profile{ProfileCodeSigning, ProfileEmail, ProfileTSA} {
		for _, r := range []IssueRequest{req(p, tlsCA, []*x509.Certificate{root}, "p384"), req(p, sub, []*x509.Certificate{tlsCA, root}, "ed25519")} {
			_, err := IssueCertificate(r)
			if !errors.Is(err, ErrIssuer) || !strings.Contains(err.Error(), "rc tls only") {
				t.Errorf("%s under %s: %v; want ErrIssuer naming the serverAuth/clientAuth CA", p, r.Issuer.Subject.CommonName, err)
			}
		}
	}
	for _, r := range []IssueRequest{
		req(ProfileServer, tlsCA, []*x509.Certificate{root}, "p384"),
		req(ProfileClient, sub, []*x509.Certificate{tlsCA, root}, "ed25519"),
		req(ProfileIntermediateCA, tlsCA, []*x509.Certificate{root}, "p384"),
		req(ProfileCodeSigning, anyCA, nil, "rsa"),
		req(ProfileCodeSigning, root, nil, "p256"),
	} {
		mustIssue(t, r)
	}
}

// rcGreedyCSR is a CSR that asks for more than a leaf: CA:TRUE (critical), name constraints,
// anyExtendedKeyUsage, a policy, an unknown critical extension, and SANs of the forms signet
// issues and of forms it does not (otherName, directoryName, registeredID).
func rcGreedyCSR(t testing.TB) *x509.CertificateRequest {
	t.Helper()
	mk := func(oid asn1.ObjectIdentifier, critical bool, v any) pkix.Extension {
		der, err := asn1.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return pkix.Extension{Id: oid, Critical: critical, Value: der}
	}
	bc := mk(asn1.ObjectIdentifier{2, 5, 29, 19}, true, struct{ CA bool }{true})
	eku := mk(asn1.ObjectIdentifier{2, 5, 29, 37}, false, []asn1.ObjectIdentifier{{2, 5, 29, 37, 0}})
	pol := mk(asn1.ObjectIdentifier{2, 5, 29, 32}, false, []struct{ ID asn1.ObjectIdentifier }{{asn1.ObjectIdentifier{1, 2, 3, 4}}})
	nc := mk(asn1.ObjectIdentifier{2, 5, 29, 30}, true, struct {
		Permitted []asn1.RawValue `asn1:"optional,tag:0"`
	}{[]asn1.RawValue{{FullBytes: mustASN1(t, struct {
		Base asn1.RawValue
	}{asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte("example.com")}})}}})
	unknown := pkix.Extension{Id: asn1.ObjectIdentifier{1, 2, 3, 4, 5}, Critical: true, Value: []byte{5, 0}}
	other := mustASN1(t, struct {
		ID    asn1.ObjectIdentifier
		Value string `asn1:"explicit,tag:0,utf8"`
	}{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3}, "admin@corp.example"})
	other[0] = 0xa0 // [0] IMPLICIT, constructed
	dir := mustASN1(t, pkix.Name{CommonName: "dir"}.ToRDNSequence())
	gns := []asn1.RawValue{
		{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte("ok.example.com")},
		{FullBytes: other},
		{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: dir},
		{Class: asn1.ClassContextSpecific, Tag: 8, Bytes: []byte{0x2a, 0x03}},
		{FullBytes: other},
	}
	san := mk(asn1.ObjectIdentifier{2, 5, 29, 17}, false, gns)
	key := issueTestKey(t, "p256c")
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "greedy"},
		ExtraExtensions: []pkix.Extension{bc, nc, eku, pol, unknown, san}}, key)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := ParseCSR(der)
	if err != nil {
		t.Fatal(err)
	}
	return csr
}

func mustASN1(t testing.TB, v any) []byte {
	t.Helper()
	der, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestRCCSRNotCertified: a certificate issued from a CSR's names (as cert create does) has the
// profile's extensions and none of what the CSR asked for (this probe found nothing wrong:
// crypto/x509 copies no request extension, and cert create takes only the subject and SANs);
// CSRNotCertified names everything left out, so the operator can be told, and nothing for a
// CSR that asks only for SANs of the forms signet issues.
func TestRCCSRNotCertified(t *testing.T) {
	root, inter, interKey := testCA(t)
	_ = root
	csr := rcGreedyCSR(t)
	got := strings.Join(CSRNotCertified(csr), "; ")
	want := "basicConstraints (critical); nameConstraints (critical); extendedKeyUsage; certificatePolicies; 1.2.3.4.5 (critical); " +
		"a subject alternative name of the form otherName; a subject alternative name of the form directoryName; a subject alternative name of the form registeredID"
	if got != want {
		t.Errorf("CSRNotCertified = %q\nwant %q", got, want)
	}
	cert := mustIssue(t, IssueRequest{Profile: ProfileServer, RawSubject: csr.RawSubject, PublicKey: csr.PublicKey,
		DNSNames: csr.DNSNames, IPAddresses: csr.IPAddresses, EmailAddresses: csr.EmailAddresses, URIs: csr.URIs,
		Issuer: inter, IssuerKey: interKey})
	if cert.IsCA || len(cert.PermittedDNSDomains) > 0 || len(cert.PolicyIdentifiers) > 0 || slices.Contains(cert.ExtKeyUsage, x509.ExtKeyUsageAny) ||
		!slices.Equal(cert.DNSNames, []string{"ok.example.com"}) {
		t.Errorf("the certificate took what the CSR asked: CA=%v nc=%v policies=%v eku=%v dns=%v", cert.IsCA, cert.PermittedDNSDomains, cert.PolicyIdentifiers, cert.ExtKeyUsage, cert.DNSNames)
	}
	for _, e := range cert.Extensions {
		if e.Id.Equal(asn1.ObjectIdentifier{1, 2, 3, 4, 5}) {
			t.Error("the unknown critical extension was copied")
		}
	}
	plain, err := CreateCSR(issueTestKey(t, "p256c"), pkix.Name{CommonName: "plain"}.ToRDNSequence(), SANs{DNSNames: []string{"a.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if left := CSRNotCertified(plain); left != nil {
		t.Errorf("a plain CSR: %q", left)
	}
}

// TestRCIssueChecksSANs: names that did not come through ParseSANs (a CSR's) are held to its
// rules; before, a CSR's "exa mple.com", "*.*.example.com", "bücher.de" or "a b@example.com"
// was certified as it was.
func TestRCIssueChecksSANs(t *testing.T) {
	_, inter, interKey := testCA(t)
	u, _ := url.Parse("https://exa_mple.com/")
	for _, sans := range []SANs{
		{DNSNames: []string{"exa mple.com"}},
		{DNSNames: []string{"*.*.example.com"}},
		{DNSNames: []string{"bücher.de"}},
		{DNSNames: []string{"ok.example.com", "192.0.2.1"}},
		{EmailAddresses: []string{"a b@example.com"}},
		{IPAddresses: []net.IP{{1, 2, 3}}},
		{URIs: []*url.URL{u}},
	} {
		_, err := IssueCertificate(IssueRequest{Profile: ProfileClient, Subject: pkix.Name{CommonName: "x"}, Now: issueNow,
			PublicKey: issueTestKey(t, "p256c").Public(), Issuer: inter, IssuerKey: interKey,
			DNSNames: sans.DNSNames, IPAddresses: sans.IPAddresses, EmailAddresses: sans.EmailAddresses, URIs: sans.URIs})
		var ne *NameError
		if !errors.As(err, &ne) || !errors.Is(err, ErrInvalidName) {
			t.Errorf("%v: %v; want a NameError", sanTestString(sans), err)
		}
	}
}

// TestRCCRLNumbersAndEntries: CRLs made without a number in the same second get different,
// growing numbers (before: the Unix second, so both had one number and a relying party
// holding the first took the second for it); an entry with removeFromCRL (delta CRLs only,
// RFC 5280 5.3.1), the unassigned code 7, a code past 10, a negative serial or a serial listed
// twice is refused (before: all were signed).
func TestRCCRLNumbersAndEntries(t *testing.T) {
	_, inter, interKey := testCA(t)
	at := issueNow.Add(123 * time.Millisecond)
	_, first, err := CreateCRL(CRLRequest{Issuer: inter, IssuerKey: interKey, Now: at})
	if err != nil {
		t.Fatal(err)
	}
	_, second, err := CreateCRL(CRLRequest{Issuer: inter, IssuerKey: interKey, Now: at.Add(time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	if second.Number.Cmp(first.Number) <= 0 || len(second.Number.Bytes()) > 20 {
		t.Errorf("two CRLs of one second: numbers %v then %v; want growing, at most 20 octets", first.Number, second.Number)
	}
	entry := func(serial int64, reason int) x509.RevocationListEntry {
		return x509.RevocationListEntry{SerialNumber: big.NewInt(serial), RevocationTime: issueNow, ReasonCode: reason}
	}
	for name, entries := range map[string][]x509.RevocationListEntry{
		"removeFromCRL":   {entry(5, 8)},
		"code 7":          {entry(5, 7)},
		"code 11":         {entry(5, 11)},
		"negative serial": {entry(-5, 1)},
		"listed twice":    {entry(5, 1), entry(6, 0), entry(5, 4)},
	} {
		if _, _, err := CreateCRL(CRLRequest{Issuer: inter, IssuerKey: interKey, Now: issueNow, Revoked: entries}); !errors.Is(err, ErrInvalidName) {
			t.Errorf("%s: %v; want ErrInvalidName", name, err)
		}
	}
	for _, code := range []int{0, 1, 2, 3, 4, 5, 6, 9, 10} {
		if _, _, err := CreateCRL(CRLRequest{Issuer: inter, IssuerKey: interKey, Now: issueNow, Revoked: []x509.RevocationListEntry{entry(5, code)}}); err != nil {
			t.Errorf("reason %d: %v", code, err)
		}
	}
}

// TestRCSerials: every serial signet issues is positive, never zero, of at least 64 random
// bits and at most 20 octets as DER writes it (RFC 5280 4.1.2.2, BR 7.1), and no two repeat.
// A source of randomness that gives only zeros (a broken IssueRequest.Rand) is an error, not
// a loop without end, as it was. (The serials themselves: no fault found.)
func TestRCSerials(t *testing.T) {
	_, inter, interKey := testCA(t)
	seen := map[string]bool{}
	for i := 0; i < 300; i++ {
		c := mustIssue(t, IssueRequest{Profile: ProfileClient, Subject: pkix.Name{CommonName: "serial"},
			PublicKey: issueTestKey(t, "ed25519").Public(), Issuer: inter, IssuerKey: interKey})
		n := c.SerialNumber
		der := mustASN1(t, n)
		if n.Sign() <= 0 || n.BitLen() < 65 || len(der)-2 > 20 || seen[n.String()] {
			t.Fatalf("serial %x: sign %d, %d bits, %d octets, repeated %v", n, n.Sign(), n.BitLen(), len(der)-2, seen[n.String()])
		}
		seen[n.String()] = true
	}
	done := make(chan error, 1)
	go func() { _, err := RandomSerial(rcZeros{}); done <- err }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("RandomSerial from zeros: no error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("RandomSerial from a source of zeros does not return")
	}
}

type rcZeros struct{}

func (rcZeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestRCSubjectDN: --subject strings are read as RFC 4514 says or refused, never split into
// other RDNs: escaped commas and plus signs stay in the value, '+' makes one multi-valued RDN,
// '=' in a value is a character, and an empty RDN, a ';' separator (RFC 2253's, not 4514's),
// control and bidi characters, a trailing backslash and an over-long CN are refused. (Probe:
// no fault found.)
func TestRCSubjectDN(t *testing.T) {
	ok := map[string]string{ // input → the RDNs, most specific first, as openssl -nameopt RFC2253 prints
		`CN=Doe\, John,O=Example`: `CN=Doe\, John,O=Example`,
		`CN=a\+b,O=x`:             `CN=a\+b,O=x`,
		`CN=a+UID=42,O=x`:         `UID=42+CN=a,O=x`, // one RDN, its SET printed last to first as openssl does
		`CN=a=b`:                  `CN=a=b`,
		`CN=\#hash`:               `CN=\#hash`,
		`CN=caf\C3\A9`:            `CN=café`,
		`/O=x/CN=a\/b`:            `CN=a/b,O=x`,
		` CN = spaced , O = x `:   `CN=spaced,O=x`,
		`CN=\ lead\ `:             `CN=\ lead\ `,
	}
	for in, want := range ok {
		seq, err := ParseRDNSequence(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if got := formatRawName(mustASN1(t, seq)); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	for _, in := range []string{"CN=a,,O=b", "CN=a;O=b", ",CN=a", "CN=a,", "CN=a\\", "CN=a\u202eb", "CN=a\x00b", "CN=a\nb",
		"CN=" + strings.Repeat("x", 65), "=a", "CN", "/CN=a//O=b", "CN=a+", "X-Unknown=a", "CN=a\\2", "CN=a\\00b"} {
		if _, err := ParseRDNSequence(in); !errors.Is(err, ErrInvalidName) {
			t.Errorf("%q: %v; want refused", in, err)
		}
	}
}

// TestRCP12Modern: what EncodeP12 writes by default opens with OpenSSL 3's pkcs12 without
// -legacy, and both its key and its certificates are encrypted with AES-256-CBC under PBKDF2
// with HMAC-SHA256 and OpenSSL's own iteration count (2048), with a SHA-256 MAC of 2048
// iterations. (Probe: no fault found; the bounds on reading hostile files are pinned by the
// p12 cost tests.)
func TestRCP12Modern(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	_, inter, interKey := testCA(t)
	key := issueTestKey(t, "p256c")
	leaf := mustIssue(t, IssueRequest{Profile: ProfileClient, Subject: pkix.Name{CommonName: "p12"}, PublicKey: key.Public(), Issuer: inter, IssuerKey: interKey})
	der, err := EncodeP12(key, leaf, []*x509.Certificate{inter}, []byte("pw"), P12Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "a.p12")
	if err := os.WriteFile(p, der, 0o600); err != nil {
		t.Fatal(err)
	}
	_, info, err := testutil.RunErr(openssl, "pkcs12", "-info", "-noout", "-in", p, "-passin", "pass:pw")
	if err != nil {
		t.Fatalf("openssl pkcs12 (no -legacy): %v\n%s", err, info)
	}
	s := string(info)
	for _, want := range []string{
		"MAC: sha256, Iteration 2048",
		"PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256",
		"Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("openssl pkcs12 -info lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "PKCS7 Data\nCertificate bag") {
		t.Errorf("certificates stored unencrypted:\n%s", s)
	}
}

// TestRCIssueWeakKeys: signet certifies no key weaker than those it generates: RSA below 2048
// bits (a CSR's 1024-bit key was certified), an EC key on P-224 (outside the curves of RFC
// 5480 that verifiers and the BRs accept), or an RSA key with an even or tiny exponent. What it
// generates is still certified (TestIssueProfilesVerifyWithOpenSSL and the zlint audit).
func TestRCIssueWeakKeys(t *testing.T) {
	_, inter, interKey := testCA(t)
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsa2048 := issueTestKey(t, "rsa").Public().(*rsa.PublicKey)
	even := &rsa.PublicKey{N: rsa2048.N, E: 65536}
	three := &rsa.PublicKey{N: rsa2048.N, E: 1}
	for name, pub := range map[string]crypto.PublicKey{"RSA 1024": &rsa1024.PublicKey, "P-224": &p224.PublicKey, "even exponent": even, "exponent 1": three} {
		_, err := IssueCertificate(IssueRequest{Profile: ProfileClient, Subject: pkix.Name{CommonName: "weak"}, Now: issueNow,
			PublicKey: pub, Issuer: inter, IssuerKey: interKey})
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v; want ErrUnsupported", name, err)
		}
	}
}

// TestRCIssueCAKeyReuse: the key to certify is never the issuing CA's own key, nor that of a
// CA above it (before, 'cert create --key int.key --ca int.pem --ca-key int.key' certified the
// CA's key as a server's, so whoever ran the server held the CA).
func TestRCIssueCAKeyReuse(t *testing.T) {
	root, inter, interKey := testCA(t)
	rootKey := issueTestKey(t, "p256")
	for name, req := range map[string]IssueRequest{
		"the issuer's key":    {Profile: ProfileServer, DNSNames: []string{"a.example.com"}, PublicKey: interKey.Public(), Issuer: inter, IssuerKey: interKey},
		"the root's key":      {Profile: ProfileClient, Subject: pkix.Name{CommonName: "c"}, PublicKey: rootKey.Public(), Issuer: inter, IssuerChain: []*x509.Certificate{root}, IssuerKey: interKey},
		"a CA of its own key": {Profile: ProfileIntermediateCA, Subject: pkix.Name{CommonName: "loop"}, PublicKey: rootKey.Public(), Issuer: root, IssuerKey: rootKey},
	} {
		req.Now = issueNow
		if _, err := IssueCertificate(req); !errors.Is(err, ErrIssuer) || !strings.Contains(err.Error(), "own key") {
			t.Errorf("%s: %v; want ErrIssuer", name, err)
		}
	}
}

// TestRCIssuerChainOrder: the CAs above the issuer are taken along the path they form, not in
// the order a --ca file lists them: with the root (path length 2) before its intermediate in
// the file, a CA three below the root was minted, since the count read the root as the
// issuer's parent; and a certificate of the file off the path (an expired, unrelated CA) no
// longer refuses or clips what is issued.
func TestRCIssuerChainOrder(t *testing.T) {
	root := rcRawCA(t, "rc order root", issueNow.Add(-time.Hour), issueNow.Add(5000*time.Hour), nil, "p256", "p256", func(c *x509.Certificate) { c.MaxPathLen = 2 })
	int1 := rcRawCA(t, "rc order int1", issueNow.Add(-time.Hour), issueNow.Add(4000*time.Hour), root, "p256", "p384", nil)
	int2 := rcRawCA(t, "rc order int2", issueNow.Add(-time.Hour), issueNow.Add(3000*time.Hour), int1, "p384", "rsa", nil)
	unrelated := rcRawCA(t, "rc unrelated", issueNow.Add(-48*time.Hour), issueNow.Add(-time.Hour), nil, "ed25519", "ed25519", nil)
	req := IssueRequest{Profile: ProfileIntermediateCA, Subject: pkix.Name{CommonName: "too deep"}, Now: issueNow,
		PublicKey: issueTestKey(t, "p256c").Public(), Issuer: int2, IssuerKey: issueTestKey(t, "rsa")}
	for _, chain := range [][]*x509.Certificate{{int1, root}, {root, int1}} {
		req.IssuerChain = chain
		var pe *PathLenError
		if _, err := IssueCertificate(req); !errors.As(err, &pe) || pe.CA != "CN=rc order root" {
			t.Errorf("chain %s, %s: %v; want the root's path length to refuse it", chain[0].Subject.CommonName, chain[1].Subject.CommonName, err)
		}
	}
	leaf := req
	leaf.Profile, leaf.IssuerChain = ProfileClient, []*x509.Certificate{unrelated, root, int1}
	got, err := IssueCertificate(leaf)
	if err != nil || !got.Certificate.NotAfter.Equal(int2.NotAfter) {
		t.Errorf("an unrelated expired CA in the file: %v; want issued, clipped to the issuer", err)
	}
}

// TestRCIssueLeafNamedAsCA: a leaf whose subject is the name of its issuer or of a CA above
// it (as RFC 5280 7.1 compares names: case and spaces folded) is refused. Before, a CSR whose
// subject copied the CA's name was certified as sent: a certificate that every display shows
// as the CA, and that RFC 5280 treats as self-issued. A CA certificate under the same name as
// its issuer (a key rollover) is still issued where path lengths allow.
func TestRCIssueLeafNamedAsCA(t *testing.T) {
	root, inter, interKey := testCA(t)
	for name, subject := range map[string]string{"the issuer's": "CN=Test Intermediate", "the root's, case folded": "CN=test  ROOT"} {
		seq, err := ParseRDNSequence(subject)
		if err != nil {
			t.Fatal(err)
		}
		_, err = IssueCertificate(IssueRequest{Profile: ProfileCodeSigning, RawSubject: mustASN1(t, seq), Now: issueNow,
			PublicKey: issueTestKey(t, "p256c").Public(), Issuer: inter, IssuerChain: []*x509.Certificate{root}, IssuerKey: interKey})
		if !errors.Is(err, ErrInvalidName) || !strings.Contains(err.Error(), "is the name of the CA") {
			t.Errorf("%s name: %v; want ErrInvalidName", name, err)
		}
	}
	mustIssue(t, IssueRequest{Profile: ProfileIntermediateCA, Subject: pkix.Name{CommonName: "Test Root"}, MaxPathLen: rcInt(0),
		PublicKey: issueTestKey(t, "p256c").Public(), Issuer: root, IssuerKey: issueTestKey(t, "p256")})
}

// TestRCCRLWrongKey: a CRL is never signed with a key that is not the CA certificate's
// (checked before signing), and its thisUpdate and nextUpdate are the issuing time and the
// time asked for. (Probe: no fault found.)
func TestRCCRLWrongKey(t *testing.T) {
	_, inter, _ := testCA(t)
	if _, _, err := CreateCRL(CRLRequest{Issuer: inter, IssuerKey: issueTestKey(t, "p256c"), Now: issueNow}); !errors.Is(err, ErrIssuer) {
		t.Errorf("CRL with another key: %v; want ErrIssuer", err)
	}
	_, crl, err := CreateCRL(CRLRequest{Issuer: inter, IssuerKey: issueTestKey(t, "rsa"), Now: issueNow, NextUpdate: issueNow.Add(48 * time.Hour)})
	if err != nil || !crl.ThisUpdate.Equal(issueNow) || !crl.NextUpdate.Equal(issueNow.Add(48*time.Hour)) {
		t.Errorf("CRL times: %v, %v (%v)", crl.ThisUpdate, crl.NextUpdate, err)
	}
}

// TestRCIssueSubjectBounds: a subject that did not come through ParseDN (a CSR's) is held to
// RFC 5280's upper bounds as --subject is: a 65-character CN or O, a country that is not two
// letters. Before, a CSR's were certified as sent (zlint: e_subject_common_name_max_length).
func TestRCIssueSubjectBounds(t *testing.T) {
	_, inter, interKey := testCA(t)
	long := strings.Repeat("x", 65)
	for name, seq := range map[string]pkix.RDNSequence{
		"CN of 65": {{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: long}}},
		"O of 65":  {{{Type: asn1.ObjectIdentifier{2, 5, 4, 10}, Value: long}}, {{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "ok"}}},
		"C of 3":   {{{Type: asn1.ObjectIdentifier{2, 5, 4, 6}, Value: "USA"}}, {{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "ok"}}},
		"empty CN": {{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: ""}}},
	} {
		_, err := IssueCertificate(IssueRequest{Profile: ProfileCodeSigning, RawSubject: mustASN1(t, seq), Now: issueNow,
			PublicKey: issueTestKey(t, "p256c").Public(), Issuer: inter, IssuerKey: interKey})
		if !errors.Is(err, ErrInvalidName) {
			t.Errorf("%s: %v; want ErrInvalidName", name, err)
		}
	}
	mustIssue(t, IssueRequest{Profile: ProfileCodeSigning, Now: issueNow, Issuer: inter, IssuerKey: interKey, PublicKey: issueTestKey(t, "p256c").Public(),
		RawSubject: mustASN1(t, pkix.RDNSequence{{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: strings.Repeat("é", 64)}}})})
}
