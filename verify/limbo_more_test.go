package verify_test

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// The x509-limbo cases limbo_cases_test.go and limbo_gaps_test.go did not have (a third
// audit, against the generators under limbo/testcases and the ids other projects quote from
// newer limbo.json files), built the same way: server validation is the webpki profile with
// the host example.com unless the case says another, want is the rule of the refusal, ""
// for valid. The table at the end of this file accounts for every limbo id found.

func limboMoreCases() []limboCase {
	dns := func(s ...string) [][]byte {
		var out [][]byte
		for _, d := range s {
			out = append(out, gnDNS(d))
		}
		return out
	}
	return []limboCase{
		// webpki/san: the same "*" SAN as san-wildcard-only, asked for the name "com".
		{id: "webpki::san::san-wildcard-only-tld", server: true, want: "rfc5280.san-dns-invalid",
			build: withPolicy(chain3(nil, nil, sanOf(gnDNS("*"))), host("com"))},

		// rfc5280: a certificate with an unknown critical extension that is not on the path
		// (a second trusted root, a second intermediate in the pool) is never looked at: the
		// chain through the others is valid.
		{id: "rfc5280::unknown-critical-extension-unrelated-root", server: true,
			build: func(t *testing.T) limboChain {
				root := lcRoot(t)
				other := lcRoot(t, func(c *tpCert) {
					c.subject = pkix.Name{CommonName: "x509-limbo-unrelated-root"}
					c.exts = append(c.exts, lcUnknownExt(true))
				})
				return limboChain{roots: []*tpIssued{other, root}, leaf: lcLeaf(t, root)}
			}},
		{id: "rfc5280::unknown-critical-extension-unrelated-root (rfc5280 profile)",
			build: func(t *testing.T) limboChain {
				root := lcRoot(t)
				other := lcRoot(t, func(c *tpCert) {
					c.subject = pkix.Name{CommonName: "x509-limbo-unrelated-root"}
					c.exts = append(c.exts, lcUnknownExt(true))
				})
				return limboChain{roots: []*tpIssued{other, root}, leaf: lcLeaf(t, root)}
			}},
		{id: "rfc5280::unknown-critical-extension-unrelated-intermediate", server: true,
			build: func(t *testing.T) limboChain {
				root := lcRoot(t)
				ica := lcInter(t, root, "x509-limbo-intermediate")
				other := lcInter(t, root, "x509-limbo-unrelated-intermediate", func(c *tpCert) { c.exts = append(c.exts, lcUnknownExt(true)) })
				return limboChain{roots: []*tpIssued{root}, inters: []*tpIssued{other, ica}, leaf: lcLeaf(t, ica)}
			}},
		{id: "rfc5280::unknown-critical-extension-unrelated-intermediate (same subject, the unknown one first)", server: true,
			note: "a reconstruction beyond limbo's: both intermediates name the leaf's issuer and have its key, so the builder must pass over the one it cannot process and take the other",
			build: func(t *testing.T) limboChain {
				root := lcRoot(t)
				k := newKey(t)
				bad := lcInter(t, root, "x509-limbo-intermediate", func(c *tpCert) { c.key = k; c.exts = append(c.exts, lcUnknownExt(true)) })
				good := lcInter(t, root, "x509-limbo-intermediate", func(c *tpCert) { c.key = k })
				return limboChain{roots: []*tpIssued{root}, inters: []*tpIssued{bad, good}, leaf: lcLeaf(t, good)}
			}},

		// rfc5280/nc: a wildcard dNSName SAN under a constraint that excludes a name the
		// wildcard stands for. Read literally (RFC 5280 4.2.1.10), "*.example.com" is not
		// within the excluded bar.example.com, but it would stand for it (the reasoning of
		// cve::cve-2025-61727, RFC 9525 6.3): refused, whatever name is asked for, and in
		// the rfc5280 profile as in webpki. Reconstructed from the id and from what other
		// validators' limbo fixtures quote of it (FAILURE, a name constraint violation).
		{id: "rfc5280::nc::nc-forbids-dnsname-wildcard-san", server: true, want: "rfc5280.nc-excluded",
			build: withPolicy(chain3(nil, withNC(true, nil, dns("bar.example.com")), sanOf(gnDNS("*.example.com"))), host("foo.example.com"))},
		{id: "rfc5280::nc::nc-forbids-dnsname-wildcard-san (rfc5280 profile, no peer name)", want: "rfc5280.nc-excluded",
			build: chain3(nil, withNC(true, nil, dns("bar.example.com")), sanOf(gnDNS("*.example.com")))},
		{id: "rfc5280::nc::nc-forbids-dnsname-wildcard-san (permitted subtree narrower than the wildcard, rfc5280 profile)", want: "rfc5280.nc-permitted",
			build: chain3(nil, withNC(true, dns("foo.example.com"), nil), sanOf(gnDNS("*.example.com")))},

		// online::s3.amazonaws.com (a live chain saved by limbo): the leaf names
		// s3.amazonaws.com and *.s3.amazonaws.com, a wildcard over a public suffix of the
		// list's private section, which its owner may hold (Baseline Requirements 3.2.2.6:
		// "unless the Applicant proves its rightful control of the entire Domain Namespace").
		// Valid for the name it holds exactly; the wildcard is never matched
		// (webpki::san::public-suffix-private-namespace-wildcard-san).
		{id: "online::s3.amazonaws.com (its shape: an exact name beside a wildcard over a private public suffix)", server: true,
			build: withPolicy(chain3(nil, nil, cnAndSAN("s3.amazonaws.com", gnDNS("s3.amazonaws.com"), gnDNS("*.s3.amazonaws.com"), gnDNS("*.s3.dualstack.us-east-1.amazonaws.com"))), host("s3.amazonaws.com"))},
		{id: "online::s3.amazonaws.com (a bucket's name, matched only by the wildcard)", server: true, want: "webpki.wildcard-public-suffix-match",
			build: withPolicy(chain3(nil, nil, cnAndSAN("s3.amazonaws.com", gnDNS("s3.amazonaws.com"), gnDNS("*.s3.amazonaws.com"))), host("bucket.s3.amazonaws.com"))},
		{id: "online::s3.amazonaws.com (an ICANN suffix's wildcard beside an exact name)", server: true, want: "webpki.wildcard-public-suffix",
			build: withPolicy(chain3(nil, nil, cnAndSAN("example.co.uk", gnDNS("example.co.uk"), gnDNS("*.co.uk"))), host("example.co.uk"))},

		// pathological: many intermediates of one subject, each with a key of its own and
		// each signed by another of them, none by the root: the builder must give up
		// within its bounds, not try every order.
		{id: "pathological::pathological-chain-same-subject-distinct-key", server: true, want: "signet.no-path",
			note: "reconstructed from the id and the 'bounded' expectation other projects quote; limbo's own graph may differ",
			build: func(t *testing.T) limboChain {
				root := lcRoot(t)
				name := nameDER(t, pkix.Name{CommonName: "x509-limbo-same-subject"})
				const n = 24
				keys := make([]tpKey, n)
				for i := range keys {
					keys[i] = newKey(t)
				}
				var inters []*tpIssued
				for i := range n {
					for j := range n {
						if i == j || (i+j)%3 != 0 {
							continue
						}
						issuer := &tpIssued{cert: &x509.Certificate{RawSubject: name}, key: keys[j]}
						inters = append(inters, issue(t, tpCert{rawSubj: name, key: keys[i], ca: true, pathLen: -1,
							subject: pkix.Name{CommonName: fmt.Sprint(i)}}, issuer))
					}
				}
				leaf := lcLeaf(t, inters[0])
				return limboChain{roots: []*tpIssued{root}, inters: inters, leaf: leaf}
			}},
	}
}

// cnAndSAN gives a leaf the subject CN cn and the SAN of names.
func cnAndSAN(cn string, names ...[]byte) func(*tpCert) {
	return func(c *tpCert) {
		c.subject = pkix.Name{CommonName: cn}
		sanOf(names...)(c)
	}
}

func TestLimboMore(t *testing.T) {
	for _, tc := range limboMoreCases() {
		t.Run(tc.id, func(t *testing.T) {
			start := time.Now()
			runLimbo(t, tc)
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// p192SPKI is a SubjectPublicKeyInfo of a P-192 point (random octets: no parser that refuses
// the curve looks further).
func p192SPKI() []byte {
	point := make([]byte, 49)
	point[0] = 4
	rand.Read(point[1:])
	return mustMarshal(struct {
		Algo struct{ Algo, Curve asn1.ObjectIdentifier }
		Key  asn1.BitString
	}{struct{ Algo, Curve asn1.ObjectIdentifier }{asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}, asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 1}},
		asn1.BitString{Bytes: point, BitLength: 8 * len(point)}})
}

// TestLimboMoreUnreadable: limbo's P-192 roots (webpki::forbidden-p192-root,
// smime::forbidden-p192-root) and S/MIME's P-192 leaf (smime::forbidden-p192-leaf): signet
// refuses to read a certificate with a key on a curve it does not support
// (x509util.ParseCertificate, as every command reads certificates, roots included), so
// neither chain is ever accepted.
func TestLimboMoreUnreadable(t *testing.T) {
	rootName := nameDER(t, pkix.Name{CommonName: "x509-limbo-root"})
	k := newKey(t)
	caExts := []pkix.Extension{ext(oidBC, true, struct {
		CA bool `asn1:"optional"`
	}{true}), kuExt(x509.KeyUsageCertSign)}
	smimeLeafExts := []pkix.Extension{kuExt(x509.KeyUsageDigitalSignature), ext(oidEKU, false, []asn1.ObjectIdentifier{ekuEmail}),
		sanExt(t, false, nil, nil, []string{"user@example.com"})}
	for _, tc := range []struct {
		id  string
		der []byte
	}{
		{"webpki::forbidden-p192-root (also smime::forbidden-p192-root)", rawCert(t, rootName, rootName, p192SPKI(), caExts, ecdsaSHA256, signedBy(k))},
		{"smime::forbidden-p192-leaf", rawCert(t, nameDER(t, pkix.Name{CommonName: "user"}), rootName, p192SPKI(), smimeLeafExts, ecdsaSHA256, signedBy(k))},
	} {
		t.Run(tc.id, func(t *testing.T) {
			if c, err := x509util.ParseCertificate(tc.der); err == nil {
				t.Fatalf("read: %v", c.Subject)
			}
		})
	}
}

// TestLimboMoreSMIMEDSA: smime::forbidden-dsa-leaf and smime::forbidden-dsa-root, the S/MIME
// twins of webpki's DSA cases (TestLimboDSA), validated as limbo's S/MIME client validation
// (emailProtection, the peer user@example.com): a DSA leaf key is refused (signet.dsa-key),
// and a DSA root's signature cannot be checked, so no path is found.
func TestLimboMoreSMIMEDSA(t *testing.T) {
	t.Parallel()
	d := newDSA(t)
	smimePolicy := func(p *verify.Policy) {
		p.EKUs, p.Email = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}, "user@example.com"
	}
	leafExts := func(t *testing.T, akid, skid []byte) []pkix.Extension {
		return []pkix.Extension{kuExt(x509.KeyUsageDigitalSignature), ext(oidEKU, false, []asn1.ObjectIdentifier{ekuEmail}),
			sanExt(t, false, nil, nil, []string{"user@example.com"}), akiExt(akid), ext(oidSKI, false, skid)}
	}
	leafName := nameDER(t, pkix.Name{CommonName: "user"})
	t.Run("smime::forbidden-dsa-leaf", func(t *testing.T) {
		root := lcRoot(t)
		leaf := parsed(t, rawCert(t, leafName, root.cert.RawSubject, d.spki, leafExts(t, root.key.keyID(t), d.keyID()), ecdsaSHA256, signedBy(root.key)))
		runLimbo(t, limboCase{id: "smime dsa leaf", want: "signet.dsa-key", build: func(t *testing.T) limboChain {
			return limboChain{roots: []*tpIssued{root}, leaf: leaf, policy: smimePolicy}
		}})
	})
	t.Run("smime::forbidden-dsa-root", func(t *testing.T) {
		rootName := nameDER(t, pkix.Name{CommonName: "x509-limbo-root"})
		root := parsed(t, rawCert(t, rootName, rootName, d.spki, []pkix.Extension{
			ext(oidBC, true, struct {
				CA bool `asn1:"optional"`
			}{true}), kuExt(x509.KeyUsageCertSign | x509.KeyUsageCRLSign), ext(oidSKI, false, d.keyID()),
		}, dsaSHA256, d.sign))
		k := newKey(t)
		leaf := parsed(t, rawCert(t, leafName, rootName, k.spki(t), leafExts(t, d.keyID(), k.keyID(t)), dsaSHA256, d.sign))
		runLimbo(t, limboCase{id: "smime dsa root", want: "signet.unsupported-algorithm", build: func(t *testing.T) limboChain {
			return limboChain{roots: []*tpIssued{root}, leaf: leaf, policy: smimePolicy}
		}})
	})
}

// limboVerdicts is signet's verdict on each case of the limbo test files: true for valid.
func limboVerdicts() map[string]bool {
	out := map[string]bool{}
	for _, cases := range [][]limboCase{limboCRLCases(), limboSMIMECases(), limboPathCases(), limboRFC5280Cases(), limboNCCases(),
		limboWebPKICases(), limboPathlenCases(), limboSMIMEProfileCases(), limboGapCases(), limboMoreCases()} {
		for _, tc := range cases {
			out[tc.id] = tc.want == ""
		}
	}
	return out
}

// namedIn reports whether src names s as a case id: after a quote, and followed by neither a
// letter, a digit, '-' nor ':' (so that pathlen::max-chain-depth-1 is not found in
// pathlen::max-chain-depth-1-exhausted); or, for a Test function, as its declaration.
func namedIn(src, s string) bool {
	if strings.HasPrefix(s, "Test") {
		return strings.Contains(src, "func "+s+"(")
	}
	for rest := src; ; {
		i := strings.Index(rest, `"`+s)
		if i < 0 {
			return false
		}
		rest = rest[i+1+len(s):]
		if rest == "" || !strings.ContainsRune("abcdefghijklmnopqrstuvwxyz0123456789-:", rune(rest[0])) {
			return true
		}
	}
}

// TestLimboAccounted keeps limboAccounting true: every id once, every case it says is held by
// another test named there, every case it says was added here in this file, signet's verdict
// the one the named case asserts, and a note wherever signet differs from limbo.
func TestLimboAccounted(t *testing.T) {
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	var other, own strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if f == "limbo_more_test.go" {
			s := string(b)
			own.WriteString(s[:strings.Index(s, "var limboAccounting")])
			continue
		}
		other.Write(b)
	}
	verdicts := limboVerdicts()
	seen := map[string]bool{}
	for _, e := range limboAccounting {
		if seen[e.id] {
			t.Errorf("%s: listed twice", e.id)
		}
		seen[e.id] = true
		if e.limbo != e.signet && e.signet != "-" && e.note == "" {
			t.Errorf("%s: limbo %s, signet %s, and no note says why", e.id, e.limbo, e.signet)
		}
		switch e.by {
		case "N/A":
			if e.signet != "-" || e.note == "" {
				t.Errorf("%s: not rebuilt, but no reason given", e.id)
			}
			continue
		case "ADDED":
			if !strings.Contains(own.String(), e.id) {
				t.Errorf("%s: said to be added here, but no case of this file has it", e.id)
			}
		}
		by := e.by
		if by == "" {
			by = e.id
		}
		if by == "ADDED" {
			by = e.id
		} else if !namedIn(other.String(), by) {
			t.Errorf("%s: no test names %q", e.id, by)
		}
		if valid, ok := verdicts[by]; ok && valid != (e.signet == "S") {
			t.Errorf("%s: the table says signet %s, the case %q asserts the opposite", e.id, e.signet, by)
		}
	}
	t.Logf("%d limbo ids accounted for", len(limboAccounting))
}

// limboAccounting is every x509-limbo testcase id found (the generators under limbo/testcases,
// and the ids of newer limbo.json files that other validators' harnesses name), with limbo's
// expected result and signet's, S for SUCCESS and F for FAILURE: signet's under the webpki
// profile for limbo's server validation, the rfc5280 profile for its client validation ("-"
// where the case is not rebuilt). by names the test that holds the case: a case id of another
// limbo test file (or the start of one, before its parenthesised variant), a Test function,
// ADDED for a case of this file, N/A for one not rebuilt (note says why). note says why signet
// differs from limbo, with the standard's section. TestLimboAccounted keeps the table true.
// The single-file generators limbo had before it split them into packages (rfc5280.py,
// webpki.py, crl.py) carry older ids of earlier versions of these chains (rfc5280::critical-aki
// for rfc5280::aki::critical-aki, rfc5280::missing-ski for rfc5280::ski::root-missing-ski):
// they are not listed one by one.
var limboAccounting = []struct{ id, limbo, signet, by, note string }{
	// crl (crl/__init__.py; the same cases were rfc5280::crl::* and, earlier, crl::* in crl.py)
	{"crl::revoked-certificate-with-crl", "F", "F", "rfc5280::crl::revoked-certificate-with-crl", ""},
	{"crl::crlnumber-missing", "F", "F", "rfc5280::crl::crlnumber-missing", ""},
	{"crl::crlnumber-critical", "F", "F", "rfc5280::crl::crlnumber-critical", ""},
	{"crl::certificate-not-on-crl", "S", "S", "rfc5280::crl::certificate-not-on-crl", ""},
	{"crl::certificate-serial-on-crl-different-issuer", "S", "S", "rfc5280::crl::certificate-serial-on-crl-different-issuer", ""},
	{"crl::issuer-missing-crlsign", "F", "F", "rfc5280::crl::issuer-missing-crlsign", ""},
	{"crl::issuer-no-keyusage-extension", "S", "S", "rfc5280::crl::issuer-no-keyusage-extension", ""},
	{"crl::issuer-valid-crlsign-and-keycertsign", "S", "S", "rfc5280::crl::issuer-valid-crlsign-and-keycertsign", ""},
	// crl/structure.py (also rfc5280::crl::<name> while the cases were in rfc5280/crl.py)
	{"crl::structure::crl-invalid-signature", "F", "F", "", ""},
	{"crl::structure::crl-wrong-signing-key", "F", "F", "", ""},
	{"crl::structure::crl-empty", "S", "S", "", ""},
	{"crl::structure::crl-very-large", "S", "S", "", ""},
	{"crl::structure::crl-unknown-critical-extension", "F", "F", "", ""},
	{"crl::structure::crl-unknown-noncritical-extension", "S", "S", "", ""},
	{"crl::structure::crl-duplicate-revoked-serial", "F", "F", "", ""},
	{"webpki::crl::crl-duplicate-revoked-serial", "F", "F", "crl::structure::crl-duplicate-revoked-serial (also webpki::crl::crl-duplicate-revoked-serial)", ""},
	// crl/idp.py
	{"crl::idp::idp-cdp-scope-mismatch", "F", "F", "", ""},
	{"crl::idp::idp-cdp-scope-match", "S", "S", "", ""},
	{"crl::idp::idp-only-contains-user-certs-ca-target", "F", "F", "", ""},
	{"crl::idp::idp-only-contains-ca-certs-ee-target", "F", "F", "", ""},
	{"crl::idp::idp-present-certificate-missing-cdp", "F", "F", "", ""},
	{"crl::idp::idp-present-certificate-cdp-non-uri-generalname", "F", "F", "", ""},
	{"crl::idp::idp-only-contains-attribute-certs", "F", "F", "", ""},
	// crl/cabf.py
	{"crl::cabf::idp-name-relative-to-crl-issuer", "F", "F", "", ""},
	{"crl::cabf::idp-fullname-non-uri-generalname", "F", "F", "", ""},
	{"crl::cabf::idp-indirect-crl", "F", "F", "", ""},
	{"crl::cabf::idp-only-some-reasons-no-complete-crl", "F", "F", "", ""},
	{"crl::cabf::idp-uri-not-byte-identical", "F", "F", "", ""},
	// crl/temporal.py
	{"crl::temporal::this-update-in-future", "F", "F", "", ""},
	{"crl::temporal::next-update-in-past", "F", "F", "", ""},
	{"crl::temporal::revocation-date-in-future", "F", "F", "", ""},
	{"crl::temporal::revocation-date-before-not-before", "F", "F", "", ""},
	{"crl::temporal::crl-validity-no-overlap", "F", "F", "", ""},
	// rfc5280/crl.py before its cases moved to crl/structure.py, idp.py and temporal.py: the same
	// chains under their older ids
	{"rfc5280::crl::crl-invalid-signature", "F", "F", "crl::structure::crl-invalid-signature", "older name"},
	{"rfc5280::crl::crl-wrong-signing-key", "F", "F", "crl::structure::crl-wrong-signing-key", "older name"},
	{"rfc5280::crl::crl-empty", "S", "S", "crl::structure::crl-empty", "older name"},
	{"rfc5280::crl::crl-very-large", "S", "S", "crl::structure::crl-very-large", "older name"},
	{"rfc5280::crl::crl-unknown-critical-extension", "F", "F", "crl::structure::crl-unknown-critical-extension", "older name"},
	{"rfc5280::crl::crl-unknown-noncritical-extension", "S", "S", "crl::structure::crl-unknown-noncritical-extension", "older name"},
	{"rfc5280::crl::idp-cdp-scope-mismatch", "F", "F", "crl::idp::idp-cdp-scope-mismatch", "older name"},
	{"rfc5280::crl::idp-cdp-scope-match", "S", "S", "crl::idp::idp-cdp-scope-match", "older name"},
	{"rfc5280::crl::idp-only-contains-user-certs-ca-target", "F", "F", "crl::idp::idp-only-contains-user-certs-ca-target", "older name"},
	{"rfc5280::crl::idp-only-contains-ca-certs-ee-target", "F", "F", "crl::idp::idp-only-contains-ca-certs-ee-target", "older name"},
	{"rfc5280::crl::idp-present-certificate-missing-cdp", "F", "F", "crl::idp::idp-present-certificate-missing-cdp", "older name"},
	{"rfc5280::crl::idp-only-contains-attribute-certs", "F", "F", "crl::idp::idp-only-contains-attribute-certs", "older name"},
	{"rfc5280::crl::this-update-in-future", "F", "F", "crl::temporal::this-update-in-future", "older name"},
	{"rfc5280::crl::next-update-in-past", "F", "F", "crl::temporal::next-update-in-past", "older name"},
	{"rfc5280::crl::revocation-date-in-future", "F", "F", "crl::temporal::revocation-date-in-future", "older name"},
	{"rfc5280::crl::revocation-date-before-not-before", "F", "F", "crl::temporal::revocation-date-before-not-before", "older name"},
	{"rfc5280::crl::crl-validity-no-overlap", "F", "F", "crl::temporal::crl-validity-no-overlap", "older name"},
	// crl/external.py: malformed CRLs that list the leaf; limbo ignores the CRL, signet fails closed
	{"crl::external::crl-invalid-version", "S", "F", "", "RFC 5280 5.1.2.1: a CRL signet cannot read is an error, never skipped"},
	{"crl::external::crl-update-generalizedtime-2025", "S", "F", "", "RFC 5280 5.1.2.4: signet reads the dates, and the CRL lists the leaf"},
	{"crl::external::crl-missing-next-update", "S", "F", "", "RFC 5280 5.1.2.5: the CRL is refused as invalid (CRLInvalid), not passed over"},
	// rfc5280/crl.py
	{"rfc5280::crl::entry-unknown-critical-extension", "F", "F", "", ""},
	{"rfc5280::crl::entry-unknown-noncritical-extension", "F", "F", "", ""},
	{"rfc5280::crl::similar-certs-different-serials", "S", "S", "", ""},
	{"rfc5280::crl::similar-certs-different-serials-revoked", "F", "F", "", ""},
	{"rfc5280::crl::adjacent-serial-numbers", "S", "S", "", ""},
	{"rfc5280::crl::small-serial-number-revocation", "F", "F", "", ""},
	{"rfc5280::crl::large-serial-number-revocation", "F", "F", "", ""},
	{"rfc5280::crl::issuer-mismatch-root-vs-intermediate", "S", "S", "", ""},
	{"rfc5280::crl::leaf-with-cdp-extension", "S", "S", "", ""},
	{"rfc5280::crl::cdp-with-indirect-crl-issuer", "S", "S", "", ""},
	{"rfc5280::crl::cdp-without-crl-issuer-rejects-indirect-crl", "S", "S", "", ""},
	{"rfc5280::crl::crl-issuer-name-signature-mismatch", "F", "F", "", ""},
	// pathlen.py
	{"pathlen::ee-with-intermediate-pathlen-0", "S", "S", "", ""},
	{"pathlen::ee-with-intermediate-pathlen-1", "S", "S", "", ""},
	{"pathlen::ee-with-intermediate-pathlen-2", "S", "S", "", ""},
	{"pathlen::validation-ignores-pathlen-in-leaf", "S", "F", "", "conflicts with webpki::ca-as-leaf; BR 7.1.2.7.8 (cA false in a subscriber certificate); the rfc5280 profile accepts it"},
	{"pathlen::intermediate-violates-pathlen-0", "F", "F", "", ""},
	{"pathlen::intermediate-pathlen-may-increase", "S", "S", "", ""},
	{"pathlen::intermediate-pathlen-too-long", "F", "F", "", ""},
	{"pathlen::self-issued-certs-pathlen", "S", "S", "", ""},
	{"pathlen::max-chain-depth-0", "S", "S", "", ""},
	{"pathlen::max-chain-depth-0-exhausted", "F", "F", "", ""},
	{"pathlen::max-chain-depth-1", "S", "S", "", ""},
	{"pathlen::max-chain-depth-1-exhausted", "F", "F", "", ""},
	{"pathlen::max-chain-depth-1-self-issued", "S", "S", "", ""},
	// ee_pathlen.py (client validation)
	{"ee-pathlen::ee-with-intermediate-pathlen-0", "S", "S", "", ""},
	{"ee-pathlen::ee-with-intermediate-pathlen-1", "S", "S", "", ""},
	{"ee-pathlen::ee-with-intermediate-pathlen-2", "S", "S", "", ""},
	// pathological.py
	{"pathological::multiple-chains-expired-intermediate", "S", "S", "", ""},
	{"pathological::intermediate-cycle-distinct-cas", "F", "F", "", ""},
	{"pathological::intermediate-cycle-distinct-cas-max-depth", "F", "F", "", ""},
	{"pathological::intermediate-cycle-same-logical-ca", "F", "F", "", ""},
	{"pathological::nc-dos-1", "F", "F", "", ""},
	{"pathological::nc-dos-2", "F", "F", "pathological::nc-dos-2 (many rfc822Names", ""},
	{"pathological::nc-dos-3", "F", "F", "pathological::nc-dos-3 (many subject CNs", ""},
	{"pathological::pathological-chain-same-subject-distinct-key", "F", "F", "ADDED", "reconstructed: its generator is newer than the stored ones"},
	// cve.py
	{"cve::cve-2024-0567", "S", "S", "", ""},
	{"cve::cve-2025-61727", "F", "F", "", ""},
	{"cve::cve-2025-61727-nc-permits-variant", "F", "F", "", ""},
	// invalid.py, basic.py
	{"invalid::invalid-issuer-key", "F", "F", "invalid::invalid-issuer-key (an intermediate", ""},
	{"basic::duplicate-extensions", "F", "F", "", ""},
	// rfc9881.py: signet cannot verify ML-DSA (crypto/x509 has none) and refuses every chain
	{"rfc9881::ml-dsa-44", "S", "F", "TestLimboRFC9881", "signet.unsupported-algorithm: no ML-DSA verifier; refused, never accepted unchecked"},
	{"rfc9881::ml-dsa-65", "S", "F", "TestLimboRFC9881", "signet.unsupported-algorithm: no ML-DSA verifier; refused, never accepted unchecked"},
	{"rfc9881::ml-dsa-87", "S", "F", "TestLimboRFC9881", "signet.unsupported-algorithm: no ML-DSA verifier; refused, never accepted unchecked"},
	{"rfc9881::ml-dsa-44-bad-signature", "F", "F", "TestLimboRFC9881", ""},
	{"rfc9881::ml-dsa-44-key-encipherment", "F", "F", "TestLimboRFC9881", ""},
	{"rfc9881::ml-dsa-44-key-agreement", "F", "F", "TestLimboRFC9881", ""},
	// rfc5280/__init__.py
	{"rfc5280::ee-empty-issuer", "F", "F", "", ""},
	{"rfc5280::ca-empty-subject", "F", "F", "rfc5280::ca-empty-subject (refused first", ""},
	{"rfc5280::unknown-critical-extension-ee", "F", "F", "", ""},
	{"rfc5280::unknown-critical-extension-root", "F", "F", "", ""},
	{"rfc5280::unknown-critical-extension-intermediate", "F", "F", "", ""},
	{"rfc5280::unknown-critical-extension-unrelated-root", "S", "S", "ADDED", ""},
	{"rfc5280::unknown-critical-extension-unrelated-intermediate", "S", "S", "ADDED", ""},
	{"rfc5280::chain-untrusted-root", "F", "F", "", ""},
	{"rfc5280::intermediate-ca-without-ca-bit", "F", "F", "", ""},
	{"rfc5280::intermediate-ca-missing-basic-constraints", "F", "F", "rfc5280::intermediate-ca-missing-basic-constraints (with the intermediate given)", ""},
	{"rfc5280::root-missing-basic-constraints", "F", "F", "", ""},
	{"rfc5280::root-non-critical-basic-constraints", "F", "F", "", ""},
	{"rfc5280::root-inconsistent-ca-extensions", "F", "F", "", ""},
	{"rfc5280::ica-ku-keycertsign", "F", "F", "rfc5280::ica-ku-keycertsign (with the intermediate given)", ""},
	{"rfc5280::leaf-ku-keycertsign", "F", "F", "", ""},
	{"rfc5280::ee-aia", "S", "S", "", ""},
	{"rfc5280::ee-critical-aia-invalid", "F", "F", "rfc5280::ee-critical-aia-invalid (refused first", ""},
	{"rfc5280::duplicate-extensions", "F", "F", "", ""},
	{"rfc5280::no-keyusage", "S", "S", "", ""},
	{"rfc5280::no-basicconstraints", "S", "S", "", ""},
	{"rfc5280::mismatching-signature-algorithm", "F", "F", "", ""},
	{"rfc5280::ca-as-leaf", "S", "F", "", "conflicts with webpki::ca-as-leaf; BR 7.1.2.7.8; the rfc5280 profile accepts it"},
	{"rfc5280::ca-as-leaf-wrong-san", "F", "F", "rfc5280::ca-as-leaf-wrong-san (rfc5280 profile)", ""},
	{"rfc5280::root-and-intermediate-swapped", "S", "S", "", ""},
	// rfc5280/aki.py, ski.py
	{"rfc5280::aki::critical-aki", "F", "F", "", ""},
	{"rfc5280::aki::leaf-missing-aki", "F", "F", "", ""},
	{"rfc5280::aki::intermediate-missing-aki", "F", "F", "", ""},
	{"rfc5280::aki::self-signed-root-missing-aki", "S", "S", "", ""},
	{"rfc5280::aki::cross-signed-root-missing-aki", "F", "F", "", ""},
	{"rfc5280::ski::critical-ski", "F", "F", "", ""},
	{"rfc5280::ski::root-missing-ski", "F", "F", "", ""},
	{"rfc5280::ski::intermediate-missing-ski", "F", "F", "", ""},
	// rfc5280/eku.py, pc.py, san.py
	{"rfc5280::eku::ee-wrong-eku", "F", "F", "", ""},
	{"rfc5280::wrong-eku", "F", "F", "rfc5280::eku::ee-wrong-eku", "the older name"},
	{"rfc5280::eku::ee-without-eku", "S", "F", "", "conflicts with webpki::eku::ee-without-eku; BR 7.1.2.7.10 (EKU required); the rfc5280 profile accepts it"},
	{"rfc5280::eku::ee-eku-empty", "F", "F", "", ""},
	{"rfc5280::pc::ica-noncritical-pc", "F", "F", "", ""},
	{"rfc5280::san::malformed", "F", "F", "rfc5280::san::malformed (a SAN", ""},
	{"rfc5280::san::noncritical-with-empty-subject", "F", "F", "", ""},
	{"rfc5280::san::underscore-dns", "F", "F", "", ""},
	// rfc5280/serial.py (newer limbo names them rfc5280::serial::too-long, ::zero, ::negative)
	{"rfc5280::serial::serial-number-too-long", "F", "F", "", ""},
	{"rfc5280::serial::serial-number-zero", "F", "F", "", ""},
	{"rfc5280::serial::serial-number-negative", "F", "F", "", ""},
	{"rfc5280::serial::too-long", "F", "F", "rfc5280::serial::serial-number-too-long", "newer name"},
	{"rfc5280::serial::zero", "F", "F", "rfc5280::serial::serial-number-zero", "newer name"},
	{"rfc5280::serial::negative", "F", "F", "rfc5280::serial::serial-number-negative", "newer name"},
	// rfc5280/validity.py
	{"rfc5280::validity::expired-root", "F", "F", "", ""},
	{"rfc5280::validity::expired-intermediate", "F", "F", "", ""},
	{"rfc5280::validity::expired-leaf", "F", "F", "", ""},
	{"rfc5280::validity::notbefore-exact", "S", "S", "", ""},
	{"rfc5280::validity::notbefore-fractional", "F", "F", "", ""},
	{"rfc5280::validity::notafter-exact", "S", "S", "", ""},
	{"rfc5280::validity::notafter-fractional", "S", "S", "", ""},
	// rfc5280/nc.py
	{"rfc5280::nc::permitted-dns-mismatch", "F", "F", "", ""},
	{"rfc5280::nc::excluded-dns-match", "F", "F", "", ""},
	{"rfc5280::nc::permitted-dns-match", "S", "S", "", ""},
	{"rfc5280::nc::permitted-dns-match-noncritical", "F", "S", "", "conflicts with webpki::nc::permitted-dns-match-noncritical; BR 7.1.2.5.2 allows a non-critical name constraints extension; the rfc5280 profile refuses it (rfc5280.nc-not-critical, RFC 5280 4.2.1.10)"},
	{"rfc5280::nc::permitted-dns-match-more", "S", "S", "", ""},
	{"rfc5280::nc::excluded-dns-match-second", "F", "F", "", ""},
	{"rfc5280::nc::permitted-ip-mismatch", "F", "F", "", ""},
	{"rfc5280::nc::excluded-ipv4-match", "F", "F", "", ""},
	{"rfc5280::nc::excluded-ipv6-match", "F", "F", "", ""},
	{"rfc5280::nc::permitted-ipv4-match", "S", "S", "", ""},
	{"rfc5280::nc::permitted-ipv6-match", "S", "S", "", ""},
	{"rfc5280::nc::permitted-dn-mismatch", "F", "F", "", ""},
	{"rfc5280::nc::excluded-dn-match", "F", "F", "", ""},
	{"rfc5280::nc::permitted-dn-match", "S", "S", "", ""},
	{"rfc5280::nc::permitted-dn-match-subject-san-mismatch", "F", "F", "", ""},
	{"rfc5280::nc::excluded-dn-match-sub-mismatch", "F", "F", "", ""},
	{"rfc5280::nc::permitted-self-issued", "S", "S", "", ""},
	{"rfc5280::nc::excluded-self-issued-leaf", "F", "F", "", ""},
	{"rfc5280::nc::excluded-match-permitted-and-excluded", "F", "F", "", ""},
	{"rfc5280::nc::permitted-different-constraint-type", "S", "S", "", ""},
	{"rfc5280::nc::excluded-different-constraint-type", "S", "S", "", ""},
	{"rfc5280::nc::invalid-dnsname", "F", "F", "rfc5280::nc::invalid-dnsname-wildcard", "the older name"},
	{"rfc5280::nc::invalid-dnsname-wildcard", "F", "F", "", ""},
	{"rfc5280::nc::invalid-dnsname-leading-period", "F", "F", "", ""},
	{"rfc5280::nc::invalid-ipv4-address", "F", "F", "rfc5280::nc::invalid-ipv4-address (a root", ""},
	{"rfc5280::nc::invalid-ipv6-address", "F", "F", "rfc5280::nc::invalid-ipv6-address (a root", ""},
	{"rfc5280::nc::invalid-email-address", "F", "F", "", ""},
	{"rfc5280::nc::not-allowed-in-ee-noncritical", "F", "F", "", ""},
	{"rfc5280::nc::not-allowed-in-ee-critical", "F", "F", "", ""},
	{"rfc5280::nc::intermediate-with-san-rejected-by-intermediate-nc", "F", "F", "", ""},
	{"rfc5280::nc::intermediate-with-san-rejected-by-root-nc", "F", "F", "", ""},
	{"rfc5280::nc::restrictive-permits-in-intermediates-narrows", "F", "F", "", ""},
	{"rfc5280::nc::restrictive-permits-in-intermediates-widens", "F", "F", "", ""},
	{"rfc5280::nc::nc-permits-invalid-dns-san", "F", "F", "", ""},
	{"rfc5280::nc::nc-permits-invalid-ip-san", "F", "F", "rfc5280::nc::nc-permits-invalid-ip-san (a leaf", ""},
	{"rfc5280::nc::nc-permits-invalid-email-san", "F", "F", "", ""},
	{"rfc5280::nc::nc-forbids-othername", "F", "F", "", ""},
	{"rfc5280::nc::nc-forbids-othername-noop", "S", "S", "", ""},
	{"rfc5280::nc::nc-forbids-alternate-chain-ica", "S", "S", "", ""},
	{"rfc5280::nc::nc-forbids-same-chain-ica", "S", "S", "", ""},
	{"rfc5280::nc::nc-forbids-dnsname-wildcard-san", "F", "F", "ADDED", "reconstructed: its generator is newer than the stored ones"},
	{"rfc5280::nc::nc-permits-email-exact", "S", "S", "", ""},
	{"rfc5280::nc::nc-permits-email-domain", "S", "S", "", ""},
	{"rfc5280::nc::nc-permits-email-literal-asterisk-exact-match", "S", "S", "", ""},
	{"rfc5280::nc::nc-permits-email-literal-asterisk-rejects-user", "F", "F", "", ""},
	{"rfc5280::nc::nc-permits-email-literal-asterisk-rejects-subdomain", "F", "F", "", ""},
	{"rfc5280::nc::nc-permits-email-literal-double-asterisk", "S", "S", "", ""},
	{"rfc5280::nc::nc-permits-email-literal-double-asterisk-rejects-single", "F", "F", "", ""},
	{"rfc5280::nc::nc-permits-email-literal-mid-asterisk", "S", "S", "", ""},
	{"rfc5280::nc::permitted-empty-sequence-excluded-nonempty", "F", "F", "", ""},
	{"rfc5280::nc::permitted-nonempty-excluded-empty-sequence", "F", "F", "", ""},
	// webpki/__init__.py and webpki.py (the webpki::<name>-san ids moved to webpki::san::<name>)
	{"webpki::cryptographydotio-chain", "S", "-", "N/A", "a saved real chain (limbo/_assets/cryptography.io.pem, 2023): not rebuilt; the shape (RSA chain, key usage digitalSignature) is covered throughout"},
	{"webpki::cryptographydotio-chain-missing-intermediate", "F", "-", "N/A", "the saved real chain without its intermediate: not rebuilt; the shape is rfc5280::chain-untrusted-root's (signet.no-path)"},
	{"webpki::exact-san", "S", "S", "webpki::exact-san (also webpki::san::exact-dns-san)", ""},
	{"webpki::mismatch-domain-san", "F", "F", "", ""},
	{"webpki::mismatch-subdomain-san", "F", "F", "", ""},
	{"webpki::mismatch-subdomain-apex-san", "F", "F", "", ""},
	{"webpki::mismatch-apex-subdomain-san", "F", "F", "", ""},
	{"webpki::public-suffix-wildcard-san", "F", "F", "webpki::public-suffix-wildcard-san (refused first", ""},
	{"webpki::leftmost-wildcard-san", "S", "S", "", ""},
	{"webpki::wildcard-embedded-leftmost-san", "F", "F", "", ""},
	{"webpki::wildcard-not-in-leftmost-san", "F", "F", "", ""},
	{"webpki::wildcard-match-across-labels-san", "F", "F", "", ""},
	{"webpki::wildcard-embedded-ulabel-san", "F", "F", "", ""},
	{"webpki::unicode-emoji-san", "F", "F", "webpki::unicode-emoji-san (a dNSName", ""},
	{"webpki::malformed-aia", "F", "F", "", ""},
	{"webpki::root-with-extkeyusage", "F", "F", "webpki::root-with-extkeyusage (also webpki::eku::root-has-eku)", ""},
	{"webpki::san-critical-with-nonempty-subject", "F", "F", "", ""},
	{"webpki::forbidden-p192-spki-leaf", "F", "F", "", ""},
	{"webpki::forbidden-p192-leaf", "F", "F", "webpki::forbidden-p192-spki-leaf", "newer name"},
	{"webpki::forbidden-p192-root", "F", "F", "ADDED", ""},
	{"webpki::forbidden-dsa-spki-leaf", "F", "F", "", ""},
	{"webpki::forbidden-dsa-leaf", "F", "F", "webpki::forbidden-dsa-spki-leaf", "newer name"},
	{"webpki::forbidden-signature-algorithm-in-root", "F", "F", "", ""},
	{"webpki::forbidden-dsa-root", "F", "F", "webpki::forbidden-signature-algorithm-in-root", "newer name"},
	{"webpki::forbidden-signature-algorithm-in-leaf", "F", "F", "TestLimboDSA", "the same DSA leaf as forbidden-dsa-spki-leaf"},
	{"webpki::forbidden-weak-rsa-key-in-root", "F", "F", "", ""},
	{"webpki::forbidden-weak-rsa-in-leaf", "F", "F", "", ""},
	{"webpki::forbidden-rsa-not-divisable-by-8-in-root", "F", "F", "", ""},
	{"webpki::forbidden-rsa-key-not-divisable-by-8-in-leaf", "F", "F", "", ""},
	{"webpki::forbidden-rsa-not-divisible-by-8-in-root", "F", "F", "webpki::forbidden-rsa-not-divisable-by-8-in-root", "newer spelling"},
	{"webpki::forbidden-rsa-key-not-divisible-by-8-in-leaf", "F", "F", "webpki::forbidden-rsa-key-not-divisable-by-8-in-leaf", "newer spelling"},
	{"webpki::explicit-curve", "F", "F", "webpki::explicit-curve (a P-256 key", ""},
	{"webpki::no-san", "F", "F", "", ""},
	{"webpki::v1-cert", "F", "F", "webpki::v1-cert (refused first", ""},
	{"webpki::eku-contains-anyeku", "F", "F", "webpki::eku-contains-anyeku (also webpki::eku::ee-anyeku)", ""},
	{"webpki::ee-basicconstraints-ca", "F", "F", "", ""},
	{"webpki::ca-as-leaf", "F", "F", "", ""},
	// webpki/san.py
	{"webpki::san::exact-dns-san", "S", "S", "webpki::exact-san (also webpki::san::exact-dns-san)", ""},
	{"webpki::san::exact-localhost-ip-san", "S", "S", "", ""},
	{"webpki::san::mismatch-domain-san", "F", "F", "webpki::mismatch-domain-san", ""},
	{"webpki::san::mismatch-subdomain-san", "F", "F", "webpki::mismatch-subdomain-san", ""},
	{"webpki::san::mismatch-subdomain-apex-san", "F", "F", "webpki::mismatch-subdomain-apex-san", ""},
	{"webpki::san::mismatch-apex-subdomain-san", "F", "F", "webpki::mismatch-apex-subdomain-san", ""},
	{"webpki::san::public-suffix-wildcard-san", "F", "F", "webpki::public-suffix-wildcard-san (refused first", ""},
	{"webpki::san::public-suffix-multi-label-wildcard-san", "F", "F", "", ""},
	{"webpki::san::public-suffix-private-namespace-wildcard-san", "F", "F", "", ""},
	{"webpki::san::leftmost-wildcard-san", "S", "S", "webpki::leftmost-wildcard-san", ""},
	{"webpki::san::wildcard-embedded-leftmost-san", "F", "F", "webpki::wildcard-embedded-leftmost-san", ""},
	{"webpki::san::wildcard-not-in-leftmost-san", "F", "F", "webpki::wildcard-not-in-leftmost-san", ""},
	{"webpki::san::wildcard-match-across-labels-san", "F", "F", "webpki::wildcard-match-across-labels-san", ""},
	{"webpki::san::wildcard-embedded-ulabel-san", "F", "F", "webpki::wildcard-embedded-ulabel-san", ""},
	{"webpki::san::unicode-emoji-san", "F", "F", "webpki::unicode-emoji-san (a dNSName", ""},
	{"webpki::san::no-san", "F", "F", "webpki::no-san", ""},
	{"webpki::san::san-critical-with-nonempty-subject", "F", "F", "webpki::san-critical-with-nonempty-subject", ""},
	{"webpki::san::san-wildcard-only", "F", "F", "webpki::san::san-wildcard-only (also", ""},
	{"webpki::san::san-wildcard-only-tld", "F", "F", "ADDED", ""},
	// webpki/aki.py, cn.py (newer limbo drops the cabf-cn- prefix: webpki::cn::case-mismatch, ...)
	{"webpki::aki::root-with-aki-missing-keyidentifier", "F", "F", "", ""},
	{"webpki::aki::root-with-aki-authoritycertissuer", "F", "F", "", ""},
	{"webpki::aki::root-with-aki-authoritycertserialnumber", "F", "F", "", ""},
	{"webpki::aki::root-with-aki-all-fields", "F", "F", "", ""},
	{"webpki::aki::root-with-aki-ski-mismatch", "F", "F", "", ""},
	{"webpki::cn::cabf-cn-ipv4-hex-mismatch", "F", "F", "", ""},
	{"webpki::cn::cabf-cn-ipv4-leading-zeros-mismatch", "F", "F", "", ""},
	{"webpki::cn::cabf-cn-ipv6-uppercase-mismatch", "F", "F", "", ""},
	{"webpki::cn::cabf-cn-ipv6-uncompressed-mismatch", "F", "F", "", ""},
	{"webpki::cn::cabf-cn-ipv6-non-rfc5952-mismatch", "F", "F", "", ""},
	{"webpki::cn::cabf-cn-punycode-not-in-san", "F", "F", "", ""},
	{"webpki::cn::cabf-cn-utf8-vs-punycode-mismatch", "F", "F", "", ""},
	{"webpki::cn::cabf-cn-not-in-san", "F", "F", "", ""},
	{"webpki::cn::cabf-cn-case-mismatch", "F", "F", "", ""},
	{"webpki::cn::ipv4-hex-mismatch", "F", "F", "webpki::cn::cabf-cn-ipv4-hex-mismatch", "newer name"},
	{"webpki::cn::ipv4-leading-zeros-mismatch", "F", "F", "webpki::cn::cabf-cn-ipv4-leading-zeros-mismatch", "newer name"},
	{"webpki::cn::ipv6-uppercase-mismatch", "F", "F", "webpki::cn::cabf-cn-ipv6-uppercase-mismatch", "newer name"},
	{"webpki::cn::ipv6-uncompressed-mismatch", "F", "F", "webpki::cn::cabf-cn-ipv6-uncompressed-mismatch", "newer name"},
	{"webpki::cn::ipv6-non-rfc5952-mismatch", "F", "F", "webpki::cn::cabf-cn-ipv6-non-rfc5952-mismatch", "newer name"},
	{"webpki::cn::punycode-not-in-san", "F", "F", "webpki::cn::cabf-cn-punycode-not-in-san", "newer name"},
	{"webpki::cn::utf8-vs-punycode-mismatch", "F", "F", "webpki::cn::cabf-cn-utf8-vs-punycode-mismatch", "newer name"},
	{"webpki::cn::not-in-san", "F", "F", "webpki::cn::cabf-cn-not-in-san", "newer name"},
	{"webpki::cn::case-mismatch", "F", "F", "webpki::cn::cabf-cn-case-mismatch", "newer name"},
	// webpki/eku.py, ku.py, nc.py
	{"webpki::eku::ee-anyeku", "F", "F", "webpki::eku-contains-anyeku (also webpki::eku::ee-anyeku)", ""},
	{"webpki::eku::ee-critical-eku", "F", "F", "", ""},
	{"webpki::eku::ee-without-eku", "F", "F", "", ""},
	{"webpki::eku::root-has-eku", "F", "F", "webpki::root-with-extkeyusage (also webpki::eku::root-has-eku)", ""},
	{"webpki::eku::ee-clientauth-only", "F", "F", "", ""},
	{"webpki::eku::ee-precertificate-only", "F", "F", "", ""},
	{"webpki::eku::ee-precertificate-with-serverauth", "F", "F", "", ""},
	{"webpki::eku::ee-serverauth-with-additional", "S", "S", "", ""},
	{"webpki::eku::ee-codesigning-with-serverauth", "F", "F", "", ""},
	{"webpki::eku::ee-emailprotection-with-serverauth", "F", "F", "", ""},
	{"webpki::eku::ee-timestamping-with-serverauth", "F", "F", "", ""},
	{"webpki::eku::ee-ocspsigning-with-serverauth", "F", "F", "", ""},
	{"webpki::ku::ee-rsa-without-any-usages", "F", "F", "", ""},
	{"webpki::ku::ee-ecc-without-digitalsignature", "F", "F", "", ""},
	{"webpki::nc::permitted-dns-match-noncritical", "S", "S", "", ""},
	{"webpki::nc::intermediate-permitted-excluded-subtrees-both-null", "F", "F", "", ""},
	{"webpki::nc::intermediate-permitted-excluded-subtrees-both-empty-sequences", "F", "F", "", ""},
	{"webpki::nc::nc-permits-dns-san-pattern", "S", "S", "", ""},
	// webpki/online.py and online.py: chains saved from live sites (limbo/_assets/online)
	{"online::akamai.com", "S", "-", "N/A", "a live site's saved chain: not rebuilt"},
	{"online::amazon.com", "S", "-", "N/A", "a live site's saved chain: not rebuilt (checked by hand with signet cert verify --profile webpki: valid)"},
	{"online::apple.com", "S", "-", "N/A", "a live site's saved chain: not rebuilt"},
	{"online::aws.amazon.com", "S", "-", "N/A", "a live site's saved chain: not rebuilt"},
	{"online::bing.com", "S", "-", "N/A", "a live site's saved chain: not rebuilt"},
	{"online::cloudflare.com", "S", "-", "N/A", "a live site's saved chain: not rebuilt (checked by hand with signet cert verify --profile webpki: valid; Baltimore CyberTrust Root, SHA-1 self-signed)"},
	{"online::docs.python.org", "S", "-", "N/A", "a live site's saved chain: not rebuilt"},
	{"online::facebook.com", "S", "-", "N/A", "a live site's saved chain: not rebuilt"},
	{"online::fastly.com", "S", "-", "N/A", "a live site's saved chain: not rebuilt"},
	{"online::google.com", "S", "-", "N/A", "a live site's saved chain: not rebuilt"},
	{"online::microsoft.com", "S", "-", "N/A", "a live site's saved chain: not rebuilt"},
	{"online::s3.amazonaws.com", "S", "S", "ADDED", "rebuilt by its shape (an exact name beside wildcards over private public suffixes); the saved chain checked by hand with signet cert verify --profile webpki: valid"},
	{"online::stackoverflow.com", "S", "-", "N/A", "a live site's saved chain: not rebuilt (checked by hand with signet cert verify --profile webpki: valid; P-384 CAs signing with ECDSA-SHA384)"},
	{"online::storage.googleapis.com", "S", "-", "N/A", "a live site's saved chain: not rebuilt"},
	{"webpki::online::*", "S", "-", "N/A", "the older ids of the online::<site> chains (webpki/online.py): not rebuilt"},
	{"webpki::topsites::*", "S", "-", "N/A", "chains fetched by a live TLS handshake when limbo.json is generated (webpki/topsites.py, the same eleven sites as online::<site>): not rebuilt"},
	// bettertls.py: bettertls::nameconstraints::tcN and bettertls::pathbuilding::tcN, rebuilt by shape
	{"bettertls::nameconstraints::*", "S/F", "S/F", "TestBetterTLSNameConstraints", "272 cases where BetterTLS accepts a leaf whose CN is not among its SANs are refused under webpki (BR 7.1.4.3, as webpki::cn::not-in-san); the rfc5280 profile agrees with every case"},
	{"bettertls::pathbuilding::*", "S/F", "S/F", "TestBetterTLSPathBuilding", "42 cases refused under webpki for the same CN rule; the rfc5280 profile agrees with every case"},
	// smime/__init__.py (client validation: --eku emailProtection --email user@example.com, rfc5280 profile)
	{"smime::valid-smime-chain", "S", "S", "", ""},
	{"smime::valid-smime-chain-with-intermediate", "S", "S", "", ""},
	{"smime::v1-cert", "F", "F", "", ""},
	{"smime::ee-basicconstraints-ca-true", "F", "F", "", ""},
	{"smime::ee-basicconstraints-pathlen-present", "F", "F", "", ""},
	{"smime::ca-as-leaf", "F", "F", "", ""},
	{"smime::forbidden-p192-leaf", "F", "F", "ADDED", ""},
	{"smime::forbidden-p192-root", "F", "F", "ADDED", ""},
	{"smime::forbidden-dsa-leaf", "F", "F", "ADDED", ""},
	{"smime::forbidden-dsa-root", "F", "F", "ADDED", ""},
	{"smime::forbidden-weak-rsa-key-in-root", "F", "F", "", ""},
	{"smime::forbidden-weak-rsa-in-leaf", "F", "F", "", ""},
	{"smime::forbidden-rsa-not-divisible-by-8-in-root", "F", "F", "", ""},
	{"smime::forbidden-rsa-key-not-divisible-by-8-in-leaf", "F", "F", "", ""},
	// smime/eku.py
	{"smime::eku::ee-email-protection", "S", "S", "", ""},
	{"smime::eku::ee-missing-email-protection", "F", "F", "", ""},
	{"smime::eku::ee-without-eku", "F", "S", "", "pedantic-smime-eku; S/MIME BR 7.1.2.3 (f), a profile signet does not have; RFC 5280 4.2.1.12 allows it"},
	{"smime::eku::ee-has-server-auth", "F", "S", "", "pedantic-smime-eku; S/MIME BR 7.1.2.3 (f)"},
	{"smime::eku::ee-has-code-signing", "F", "S", "", "pedantic-smime-eku; S/MIME BR 7.1.2.3 (f)"},
	{"smime::eku::ee-has-time-stamping", "F", "S", "", "pedantic-smime-eku; S/MIME BR 7.1.2.3 (f)"},
	{"smime::eku::ee-has-any-eku", "F", "S", "", "pedantic-smime-eku; S/MIME BR 7.1.2.3 (f)"},
	{"smime::eku::root-has-eku", "F", "S", "", "pedantic-smime-eku; S/MIME BR 7.1.2.1 (d)"},
	{"smime::eku::intermediate-missing-email-protection", "F", "F", "", ""},
	{"smime::eku::intermediate-has-server-auth", "F", "S", "", "pedantic-smime-eku; S/MIME BR 7.1.2.2 (g)"},
	{"smime::eku::intermediate-has-any-eku", "F", "S", "", "pedantic-smime-eku; S/MIME BR 7.1.2.2 (g)"},
	{"smime::eku::intermediate-has-code-signing", "F", "S", "", "pedantic-smime-eku; S/MIME BR 7.1.2.2 (g)"},
	{"smime::eku::intermediate-has-time-stamping", "F", "S", "", "pedantic-smime-eku; S/MIME BR 7.1.2.2 (g)"},
	// smime/ku.py
	{"smime::ku::signing-only-rsa-digital-signature", "S", "S", "", ""},
	{"smime::ku::signing-only-rsa-with-nonrepudiation", "S", "S", "", ""},
	{"smime::ku::key-management-only-rsa", "S", "S", "", ""},
	{"smime::ku::dual-use-rsa", "S", "S", "", ""},
	{"smime::ku::signing-only-ec", "S", "S", "", ""},
	{"smime::ku::key-management-only-ec", "S", "S", "", ""},
	{"smime::ku::ee-key-cert-sign", "F", "F", "", ""},
	{"smime::ku::ee-missing-key-usage", "F", "S", "", "not marked pedantic, but an S/MIME BR 7.1.2.3 (e) rule; RFC 5280 4.2.1.3 lets a certificate without key usage be used for any"},
	{"smime::ku::ee-key-usage-not-critical", "F", "S", "", "pedantic-smime-eku; S/MIME BR 7.1.2.3 (e) (a SHOULD)"},
	{"smime::ku::intermediate-missing-key-cert-sign", "F", "F", "", ""},
	{"smime::ku::intermediate-missing-crl-sign", "F", "S", "", "not marked pedantic, but an S/MIME BR 7.1.2.2 (e) rule; cRLSign matters only for a CA's CRLs (RFC 5280 6.3.3 (f))"},
	// smime/san.py
	{"smime::san::exact-rfc822-san", "S", "S", "", ""},
	{"smime::san::no-san", "F", "F", "", ""},
	{"smime::san::san-without-rfc822name", "F", "F", "", ""},
	{"smime::san::san-critical-with-nonempty-subject", "F", "S", "", "not marked pedantic, but a SHOULD NOT of S/MIME BR 7.1.2.3 (h); RFC 5280 4.2.1.6 allows it"},
	{"smime::san::san-critical-with-empty-subject", "S", "S", "", ""},
	{"smime::san::mismatch-rfc822-san", "F", "F", "", ""},
	{"smime::san::mismatch-domain-rfc822-san", "F", "F", "", ""},
	{"smime::san::multiple-rfc822-sans", "S", "S", "", ""},
}
