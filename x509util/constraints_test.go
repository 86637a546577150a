package x509util

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/internal/pkixname"
	"github.com/signet-pki/signet/internal/testutil"
)

// ncTestName is a GeneralName of a constraint: its tag and content.
type ncTestName struct {
	tag   pkixname.Form
	value []byte
}

func ncDNS(s string) ncTestName   { return ncTestName{pkixname.DNSName, []byte(s)} }
func ncEmail(s string) ncTestName { return ncTestName{pkixname.RFC822Name, []byte(s)} }
func ncURI(s string) ncTestName   { return ncTestName{pkixname.URI, []byte(s)} }

func ncIP(t testing.TB, cidr string) ncTestName {
	t.Helper()
	_, n, err := net.ParseCIDR(cidr)
	if err != nil {
		t.Fatal(err)
	}
	return ncTestName{pkixname.IPAddress, append(append([]byte{}, n.IP...), n.Mask...)}
}

func ncDirName(t testing.TB, dn string) ncTestName {
	t.Helper()
	seq, err := ParseRDNSequence(dn)
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(seq)
	if err != nil {
		t.Fatal(err)
	}
	return ncTestName{pkixname.DirectoryName, der}
}

// ncExtension builds a critical nameConstraints extension.
func ncExtension(t testing.TB, permitted, excluded []ncTestName) pkix.Extension {
	t.Helper()
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(seq *cryptobyte.Builder) {
		for i, names := range [][]ncTestName{permitted, excluded} {
			if len(names) == 0 {
				continue
			}
			seq.AddASN1(cbasn1.Tag(i).ContextSpecific().Constructed(), func(c *cryptobyte.Builder) {
				for _, n := range names {
					c.AddASN1(cbasn1.SEQUENCE, func(s *cryptobyte.Builder) {
						tag := cbasn1.Tag(n.tag).ContextSpecific()
						if n.tag == pkixname.DirectoryName {
							tag = tag.Constructed()
						}
						s.AddASN1(tag, func(v *cryptobyte.Builder) { v.AddBytes(n.value) })
					})
				}
			})
		}
	})
	der, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return pkix.Extension{Id: oidExtNameConstraints, Critical: true, Value: der}
}

// ncTestCA makes a root and, under it, an intermediate with the extension given.
func ncTestCA(t *testing.T, ext pkix.Extension) (root, inter *x509.Certificate) {
	t.Helper()
	rootKey := issueTestKey(t, "p256")
	root = mustIssue(t, IssueRequest{Profile: ProfileRootCA, Subject: pkix.Name{CommonName: "NC Root"}, PublicKey: rootKey.Public(), IssuerKey: rootKey})
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "NC Intermediate"},
		NotBefore: issueNow.Add(-24 * time.Hour), NotAfter: issueNow.Add(365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		ExtraExtensions: []pkix.Extension{ext},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, root, issueTestKey(t, "p256c").Public(), rootKey)
	if err != nil {
		t.Fatal(err)
	}
	if inter, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	return root, inter
}

// TestIssueNameConstraints issues under an intermediate constrained in every name form signet
// issues. What signet issues must verify with openssl; what it refuses it refuses naming the
// constraint, and openssl refuses the same certificate made without signet's check, except
// where signet reads a constraint more narrowly on purpose (marked).
func TestIssueNameConstraints(t *testing.T) {
	root, inter := ncTestCA(t, ncExtension(t,
		[]ncTestName{
			ncDNS("example.com"), ncDNS("example.net"),
			ncEmail("example.com"), ncEmail(".mail.example.org"), ncEmail("boss@example.org"),
			ncIP(t, "192.0.2.0/24"), ncIP(t, "2001:db8::/32"),
			ncURI(".example.com"), ncURI("host.example.org"),
			ncDirName(t, "O=Good,C=US"), ncDirName(t, "O=Café,C=FR"),
		},
		[]ncTestName{
			ncDNS("bad.example.com"), ncEmail("evil@example.com"), ncEmail("bad.mail.example.org"), ncIP(t, "192.0.2.128/25"),
			ncURI(".bad.example.com"), ncURI("worse.example.com"), ncDirName(t, "OU=Bad,O=Good,C=US"),
		}))
	good := "CN=x,O=Good,C=US"
	tests := []struct {
		name    string
		subject string
		sans    []string
		refused string // "" when issued; else the constraint the error names
		// stricter: signet refuses what openssl 3 accepts, on purpose.
		stricter bool
	}{
		{"DNS inside", good, []string{"dns:www.example.com"}, "", false},
		{"DNS at the root of the subtree", good, []string{"dns:example.com"}, "", false},
		{"DNS under the second constraint", good, []string{"dns:a.example.net"}, "", false},
		{"DNS at the second constraint", good, []string{"dns:example.net"}, "", false},
		{"wildcard inside", good, []string{"dns:*.example.net"}, "", false},
		{"email at the host", good, []string{"email:alice@example.com"}, "", false},
		{"email under a leading-dot constraint", good, []string{"email:bob@x.mail.example.org"}, "", false},
		{"email: the mailbox, host in another case", good, []string{"email:boss@EXAMPLE.org"}, "", false},
		{"IPv4 inside", good, []string{"ip:192.0.2.5"}, "", false},
		{"IPv6 inside", good, []string{"ip:2001:db8::1"}, "", false},
		{"URI inside", good, []string{"uri:https://a.example.com/x"}, "", false},
		{"URI at the host", good, []string{"uri:spiffe://host.example.org/ci"}, "", false},
		{"subject in another case", "CN=x,O=GOOD,C=US", []string{"dns:example.com"}, "", false},
		{"subject in another ASCII case beside a non-ASCII letter", "CN=x,O=CAFé,C=FR", []string{"dns:example.com"}, "", false},
		{"empty subject", "", []string{"dns:example.com"}, "", false},

		{"DNS outside", good, []string{"dns:www.example.org"}, "permitted dNSName subtrees example.com, example.net", false},
		{"DNS excluded", good, []string{"dns:bad.example.com"}, "excluded dNSName subtree bad.example.com", false},
		{"DNS under the excluded", good, []string{"dns:x.bad.example.com"}, "excluded dNSName subtree bad.example.com", false},
		{"wildcard covering an excluded name", good, []string{"dns:*.example.com"}, "excluded dNSName subtree bad.example.com", true},
		{"email at a subdomain of a host", good, []string{"email:alice@sub.example.com"}, "permitted rfc822Name", false},
		{"email excluded", good, []string{"email:evil@example.com"}, "excluded rfc822Name subtree evil@example.com", false},
		{"email excluded, the local part in another case", good, []string{"email:Evil@example.com"}, "excluded rfc822Name subtree evil@example.com", true},
		{"email at an excluded host", good, []string{"email:a@bad.mail.example.org"}, "excluded rfc822Name subtree bad.mail.example.org", false},
		{"email below an excluded host", good, []string{"email:a@x.bad.mail.example.org"}, "excluded rfc822Name subtree bad.mail.example.org", true},
		{"email: the mailbox in another case", good, []string{"email:Boss@example.org"}, "permitted rfc822Name", false},
		{"IPv4 excluded", good, []string{"ip:192.0.2.200"}, "excluded iPAddress subtree 192.0.2.128/25", false},
		{"IPv4 outside", good, []string{"ip:198.51.100.1"}, "permitted iPAddress subtrees 192.0.2.0/24, 2001:db8::/32", false},
		{"IPv6 outside", good, []string{"ip:2001:db9::1"}, "permitted iPAddress", false},
		{"URI at a leading-dot constraint", good, []string{"uri:https://example.com/"}, "permitted uniformResourceIdentifier", false},
		{"URI below an exact host", good, []string{"uri:https://www.host.example.org/"}, "permitted uniformResourceIdentifier", false},
		{"URI excluded", good, []string{"uri:https://x.bad.example.com/"}, "excluded uniformResourceIdentifier subtree .bad.example.com", false},
		{"URI at an excluded host", good, []string{"uri:https://worse.example.com/"}, "excluded uniformResourceIdentifier subtree worse.example.com", false},
		{"URI below an excluded host", good, []string{"uri:https://x.worse.example.com/"}, "excluded uniformResourceIdentifier subtree worse.example.com", true},
		{"URI without a host", good, []string{"uri:urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"}, "the URI has no host", false},
		{"URI with an IP host", good, []string{"uri:https://192.0.2.1/"}, "IP address", false},
		{"subject outside", "CN=x,O=Evil,C=US", []string{"dns:example.com"}, "permitted directoryName subtrees O=Good,C=US; O=Café,C=FR", false},
		// RFC 4518 folds É to é, OpenSSL only ASCII case: a permitted subtree needs both.
		{"subject in another non-ASCII case", "CN=x,O=CAFÉ,C=FR", []string{"dns:example.com"}, "permitted directoryName", false},
		// RFC 4518 (NFKC) makes fullwidth Ｂａｄ Bad, OpenSSL does not: an excluded subtree needs either.
		{"subject excluded after RFC 4518 preparation", "CN=x,OU=Ｂａｄ,O=Good,C=US", []string{"dns:example.com"}, "excluded directoryName subtree OU=Bad,O=Good,C=US", true},
		{"subject excluded", "CN=x,OU=Bad,O=Good,C=US", []string{"dns:example.com"}, "excluded directoryName subtree OU=Bad,O=Good,C=US", false},
		{"subject emailAddress excluded", "emailAddress=evil@example.com,O=Good,C=US", []string{"dns:example.com"}, "excluded rfc822Name subtree evil@example.com", false},
		{"subject emailAddress that is not a mailbox", "emailAddress=nobody,O=Good,C=US", []string{"dns:example.com"}, "rfc822Name subtrees (not a mailbox)", false},
		{"common name that is a host outside", "CN=www.example.org,O=Good,C=US", []string{"dns:www.example.com"}, "permitted dNSName", true},
	}
	// openssl cross-checks every case when it is installed (and in CI, where it must be).
	openssl, _ := exec.LookPath("openssl")
	if openssl == "" && os.Getenv("CI") != "" {
		testutil.RequireTool(t, "openssl")
	}
	dir := t.TempDir()
	rootPEM := writePEM(t, filepath.Join(dir, "root.pem"), "CERTIFICATE", root.Raw)
	interPEM := writePEM(t, filepath.Join(dir, "int.pem"), "CERTIFICATE", inter.Raw)
	interKey := issueTestKey(t, "p256c")
	leafKey := issueTestKey(t, "p384")
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var subject pkix.Name
			if tc.subject != "" {
				var err error
				if subject, err = ParseDN(tc.subject); err != nil {
					t.Fatal(err)
				}
			}
			sans, err := ParseSANs(tc.sans)
			if err != nil {
				t.Fatal(err)
			}
			req := IssueRequest{Profile: ProfileClient, Subject: subject, PublicKey: leafKey.Public(),
				DNSNames: sans.DNSNames, IPAddresses: sans.IPAddresses, EmailAddresses: sans.EmailAddresses, URIs: sans.URIs,
				Issuer: inter, IssuerKey: interKey, Now: issueNow}
			issued, err := IssueCertificate(req)
			var nce *NameConstraintError
			switch {
			case tc.refused == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.refused != "" && (!errors.Is(err, ErrNameConstraint) || !errors.As(err, &nce)):
				t.Fatalf("IssueCertificate = %v, want a NameConstraintError", err)
			case tc.refused != "" && (!strings.Contains(err.Error(), tc.refused) || nce.CA != "CN=NC Intermediate"):
				t.Errorf("error %q does not name %q and the CA", err, tc.refused)
			}
			if openssl == "" {
				return
			}
			// The same certificate, made without the check when signet refused it.
			leaf := issued
			if leaf == nil {
				tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(100 + i)), Subject: subject,
					NotBefore: issueNow.Add(-time.Hour), NotAfter: issueNow.Add(24 * time.Hour),
					DNSNames: sans.DNSNames, IPAddresses: sans.IPAddresses, EmailAddresses: sans.EmailAddresses, URIs: sans.URIs}
				der, err := x509.CreateCertificate(rand.Reader, tmpl, inter, leafKey.Public(), interKey)
				if err != nil {
					t.Fatal(err)
				}
				leaf = &Issued{Certificate: &x509.Certificate{Raw: der}}
			}
			leafPEM := writePEM(t, filepath.Join(dir, "leaf.pem"), "CERTIFICATE", leaf.Certificate.Raw)
			out, errOut, err := testutil.RunErr(openssl, "verify", "-attime", "1780272000", "-CAfile", rootPEM, "-untrusted", interPEM, leafPEM)
			opensslOK := err == nil
			switch {
			case tc.refused == "" && !opensslOK:
				t.Errorf("signet issued a certificate openssl refuses:\n%s%s", out, errOut)
			case tc.refused != "" && opensslOK && !tc.stricter:
				t.Errorf("signet refused a certificate openssl accepts: %v", err)
			case tc.refused != "" && !opensslOK && tc.stricter:
				t.Errorf("marked stricter than openssl, but openssl refuses it too:\n%s", errOut)
			}
		})
	}
}

// A CA whose name constraints break RFC 5280's syntax does not issue at all, whatever the
// names: path validation (verify, rule rfc5280.nc-invalid) refuses everything below it. The
// error is ErrIssuer and says why, naming the CA and the constraint.
func TestIssueRefusesInvalidNameConstraints(t *testing.T) {
	// subtree is a GeneralSubtree of a dNSName base with more fields after it (minimum, maximum).
	subtree := func(base string, more ...[]byte) []byte {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(s *cryptobyte.Builder) {
			s.AddASN1(cbasn1.Tag(pkixname.DNSName).ContextSpecific(), func(v *cryptobyte.Builder) { v.AddBytes([]byte(base)) })
			for _, m := range more {
				s.AddBytes(m)
			}
		})
		return b.BytesOrPanic()
	}
	permitted := func(subtrees ...[]byte) pkix.Extension {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(seq *cryptobyte.Builder) {
			seq.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(c *cryptobyte.Builder) {
				for _, st := range subtrees {
					c.AddBytes(st)
				}
			})
		})
		return pkix.Extension{Id: oidExtNameConstraints, Critical: true, Value: b.BytesOrPanic()}
	}
	tests := []struct {
		name string
		ext  pkix.Extension
		why  string
	}{
		{"dNSName with a leading period", ncExtension(t, []ncTestName{ncDNS("example.com"), ncDNS(".example.net")}, nil), `invalid dNSName ".example.net": a dNSName constraint is a domain name without a leading period`},
		{"dNSName with a wildcard", ncExtension(t, nil, []ncTestName{ncDNS("*.example.com")}), `invalid dNSName "*.example.com"`},
		{"dNSName with an underscore", ncExtension(t, []ncTestName{ncDNS("ex_ample.com")}, nil), "underscore is not allowed"},
		{"minimum of 1", permitted(subtree("example.com", []byte{0x80, 0x01, 0x01})), "minimum is 1"},
		{"a maximum", permitted(subtree("example.com", []byte{0x81, 0x01, 0x02})), "maximum is present"},
		// crypto/x509 itself refuses to parse a CA with some other invalid constraints (a mask
		// that is not contiguous, a URI constraint that is an IP address, empty subtrees),
		// so they never reach issuing.
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, inter := ncTestCA(t, tc.ext)
			_, err := IssueCertificate(IssueRequest{Profile: ProfileServer, PublicKey: issueTestKey(t, "p384").Public(), DNSNames: []string{"www.example.com"},
				Issuer: inter, IssuerKey: issueTestKey(t, "p256c"), Now: issueNow})
			if !errors.Is(err, ErrIssuer) || errors.Is(err, ErrNameConstraint) {
				t.Fatalf("IssueCertificate = %v, want ErrIssuer", err)
			}
			if msg := err.Error(); !strings.Contains(msg, `the CA "CN=NC Intermediate" has invalid name constraints, so signet will not issue under it`) || !strings.Contains(msg, tc.why) {
				t.Errorf("error %q does not name the CA and %q", msg, tc.why)
			}
		})
	}
}

// A DNS name with a trailing dot (which a CSR can carry) is not inside a permitted subtree:
// OpenSSL compares it as written and refuses it (openssl verify: permitted subtree violation).
// Since every SAN is held to --san's rules (CheckSANs), it is refused before the constraints
// are read, as --san refuses it, under a constrained CA and any other.
func TestIssueNameConstraintsTrailingDot(t *testing.T) {
	_, inter := ncTestCA(t, ncExtension(t, []ncTestName{ncDNS("example.com")}, nil))
	req := IssueRequest{Profile: ProfileServer, PublicKey: issueTestKey(t, "p384").Public(), DNSNames: []string{"www.example.com."},
		Issuer: inter, IssuerKey: issueTestKey(t, "p256c"), Now: issueNow}
	if _, err := IssueCertificate(req); !errors.Is(err, ErrInvalidName) || !strings.Contains(err.Error(), `"dns:www.example.com.": remove the trailing '.'`) {
		t.Errorf("IssueCertificate = %v, want the name refused", err)
	}
}

// The name constraints of a CA above the issuer apply too, when the chain is given.
func TestIssueNameConstraintsOfTheChain(t *testing.T) {
	_, constrained := ncTestCA(t, ncExtension(t, []ncTestName{ncDNS("example.com")}, nil))
	// A CA under the constrained one, itself without constraints.
	subCAKey := issueTestKey(t, "ed25519")
	sub := mustIssue(t, IssueRequest{Profile: ProfileIntermediateCA, Subject: pkix.Name{CommonName: "Sub"}, PublicKey: subCAKey.Public(),
		Issuer: constrained, IssuerKey: issueTestKey(t, "p256c"), DNSNames: nil})
	req := IssueRequest{Profile: ProfileServer, PublicKey: issueTestKey(t, "p384").Public(), DNSNames: []string{"www.example.org"},
		Issuer: sub, IssuerKey: subCAKey, Now: issueNow}
	if _, err := IssueCertificate(req); err != nil {
		t.Fatalf("without the chain only the issuer's constraints apply: %v", err)
	}
	req.IssuerChain = []*x509.Certificate{constrained}
	if _, err := IssueCertificate(req); !errors.Is(err, ErrNameConstraint) || !strings.Contains(err.Error(), `"CN=NC Intermediate"`) {
		t.Errorf("with the chain: %v, want the constrained CA named", err)
	}
}

// Every form is parsed; a URI SAN on a CA with only DNS constraints is unconstrained.
func TestNameConstraintsFormsApart(t *testing.T) {
	_, inter := ncTestCA(t, ncExtension(t, []ncTestName{ncDNS("example.com")}, nil))
	u, _ := url.Parse("https://anything.example.org/")
	req := IssueRequest{Profile: ProfileServer, PublicKey: issueTestKey(t, "p384").Public(), DNSNames: []string{"www.example.com"},
		URIs: []*url.URL{u}, EmailAddresses: []string{"a@elsewhere.example"}, IPAddresses: []net.IP{net.ParseIP("198.51.100.1")},
		Issuer: inter, IssuerKey: issueTestKey(t, "p256c"), Now: issueNow}
	if _, err := IssueCertificate(req); err != nil {
		t.Errorf("names of unconstrained forms: %v", err)
	}
}

// FuzzNameConstraints: any nameConstraints extension, however malformed, is read without a
// panic, and a refusal is always ErrIssuer (unreadable) or ErrNameConstraint.
func FuzzNameConstraints(f *testing.F) {
	var seeds []pkix.Extension
	seeds = append(seeds, ncExtension(f, []ncTestName{ncDNS("example.com"), ncEmail(".example.org"), ncURI("host.example")},
		[]ncTestName{{pkixname.IPAddress, []byte{192, 0, 2, 0, 255, 255, 255, 0}}}))
	dir, _ := asn1.Marshal(pkix.RDNSequence{{{Type: oidCommonName, Value: "x"}}})
	seeds = append(seeds, ncExtension(f, []ncTestName{{pkixname.DirectoryName, dir}}, []ncTestName{{pkixname.DirectoryName, dir}}))
	for _, s := range seeds {
		f.Add(s.Value)
	}
	f.Add([]byte{0x30, 0x00})
	subject, _ := asn1.Marshal(pkix.RDNSequence{{{Type: oidCommonName, Value: "www.example.com"}}})
	u, _ := url.Parse("https://host.example/")
	sans := SANs{DNSNames: []string{"*.example.com"}, EmailAddresses: []string{"a@b.example.org"},
		IPAddresses: []net.IP{net.ParseIP("192.0.2.1")}, URIs: []*url.URL{u}}
	f.Fuzz(func(t *testing.T, ext []byte) {
		ca := &x509.Certificate{Extensions: []pkix.Extension{{Id: oidExtNameConstraints, Value: ext}}}
		err := checkNameConstraints([]*x509.Certificate{ca}, subject, sans)
		if err != nil && !errors.Is(err, ErrIssuer) && !errors.Is(err, ErrNameConstraint) {
			t.Fatalf("unexpected error: %v", err)
		}
	})
}
