package verify_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"

	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"net"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/verify"
)

// ruleChain is what a rule case builds: a leaf, its intermediates, its roots, CRLs and the
// policy adjustments.
type ruleChain struct {
	leaf   *tpIssued
	inters []*tpIssued
	roots  []*tpIssued
	crls   []*x509.RevocationList
	policy func(*verify.Policy)
}

// ruleCase builds a chain with the fault (fault true) or the same chain without it, which
// must be valid; with the fault, every failing check must name rule.
type ruleCase struct {
	name    string
	rule    string
	profile verify.Profile
	build   func(t *testing.T, fault bool) ruleChain
	// openssl: OpenSSL 3.0 with -x509_strict refuses the faulty chain too (differential test).
	openssl bool
	// also lists rules the fault cannot help breaking too (an empty CA subject is also its
	// leaf's empty issuer).
	also []string
}

var (
	ekuServer = []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 1}}
	ekuAny    = asn1.ObjectIdentifier{2, 5, 29, 37, 0}
)

// simple is root -> intermediate -> leaf with one place to put the fault.
func simple(rootMod, interMod, leafMod func(c *tpCert, fault bool)) func(t *testing.T, fault bool) ruleChain {
	return func(t *testing.T, fault bool) ruleChain {
		root := rootCA(t, "Rules Root", func(c *tpCert) {
			if rootMod != nil {
				rootMod(c, fault)
			}
		})
		inter := subCA(t, "Rules Intermediate", root, func(c *tpCert) {
			if interMod != nil {
				interMod(c, fault)
			}
		})
		leaf := leafCert(t, "leaf.example.com", inter, func(c *tpCert) {
			if leafMod != nil {
				leafMod(c, fault)
			}
		})
		return ruleChain{leaf: leaf, inters: []*tpIssued{inter}, roots: []*tpIssued{root}}
	}
}

func ruleCases() []ruleCase {
	return []ruleCase{
		{name: "serial zero", rule: "rfc5280.serial-zero", build: simple(nil, nil, func(c *tpCert, f bool) {
			if f {
				c.serial = big.NewInt(0)
			}
		})},
		{name: "serial negative", rule: "rfc5280.serial-negative", build: simple(nil, nil, func(c *tpCert, f bool) {
			if f {
				c.serial = big.NewInt(-5)
			}
		})},
		{name: "serial over 20 octets", rule: "rfc5280.serial-too-long", build: simple(nil, nil, func(c *tpCert, f bool) {
			c.serial = new(big.Int).Lsh(big.NewInt(1), 150)
			if f {
				c.serial = new(big.Int).Lsh(big.NewInt(1), 170)
			}
		})},
		{name: "leaf without AKI", rule: "rfc5280.aki-missing", openssl: true, build: simple(nil, nil, func(c *tpCert, f bool) { c.noAKI = f })},
		{name: "intermediate without AKI", rule: "rfc5280.aki-missing", openssl: true, build: simple(nil, func(c *tpCert, f bool) { c.noAKI = f }, nil)},
		{name: "root with critical AKI", rule: "rfc5280.aki-critical", openssl: true, build: simple(func(c *tpCert, f bool) {
			c.noAKI = false
			c.akiCrit = f
		}, nil, nil)},
		{name: "intermediate without SKI", rule: "rfc5280.ski-missing", openssl: true, build: simple(nil, func(c *tpCert, f bool) { c.noSKI = f }, nil)},
		{name: "root without SKI", rule: "rfc5280.ski-missing", build: simple(func(c *tpCert, f bool) { c.noSKI = f }, nil, nil)},
		{name: "root basicConstraints not critical", rule: "rfc5280.bc-not-critical", openssl: true, build: simple(func(c *tpCert, f bool) { c.bcNonCrit = f }, nil, nil)},
		{name: "root without basicConstraints", rule: "rfc5280.issuer-not-ca", build: simple(func(c *tpCert, f bool) {
			if f {
				c.noBC, c.noKU = true, true
			}
		}, nil, nil)},
		{name: "root key usage without keyCertSign", rule: "rfc5280.issuer-no-keycertsign", build: simple(func(c *tpCert, f bool) {
			if f {
				c.ku = x509.KeyUsageCRLSign
			}
		}, nil, nil)},
		{name: "root policy constraints not critical", rule: "rfc5280.pc-not-critical", build: simple(func(c *tpCert, f bool) {
			c.exts = append(c.exts, ext(oidPC, !f, struct {
				Require int `asn1:"optional,tag:0"`
			}{5}))
		}, nil, nil)},
		{name: "empty policy constraints", rule: "rfc5280.pc-empty", build: simple(nil, func(c *tpCert, f bool) {
			if f {
				c.exts = append(c.exts, rawExt(oidPC, true, []byte{0x30, 0x00}))
			}
		}, nil)},
		{name: "empty extended key usage", rule: "rfc5280.eku-empty", build: simple(nil, nil, func(c *tpCert, f bool) {
			if f {
				c.eku = nil
				c.exts = append(c.exts, rawExt(oidEKU, false, []byte{0x30, 0x00}))
			}
		})},
		{name: "key usage with no bit", rule: "rfc5280.ku-empty", build: simple(nil, nil, func(c *tpCert, f bool) {
			if f {
				c.noKU = true
				c.exts = append(c.exts, rawExt(oidKU, true, []byte{0x03, 0x01, 0x00}))
			}
		})},
		{name: "dNSName constraint with a leading period", rule: "rfc5280.nc-invalid", build: simple(nil, func(c *tpCert, f bool) {
			d := "example.com"
			if f {
				d = ".example.com"
			}
			c.exts = append(c.exts, ncExt(true, [][]byte{gnDNS(d)}, nil))
		}, func(c *tpCert, _ bool) { c.dns = []string{"leaf.example.com"} })},
		{name: "name constraints in a leaf", rule: "rfc5280.nc-not-ca", build: simple(nil, nil, func(c *tpCert, f bool) {
			if f {
				c.exts = append(c.exts, ncExt(true, [][]byte{gnDNS("example.com")}, nil))
			}
		})},
		{name: "name constraints not critical", rule: "rfc5280.nc-not-critical", build: simple(nil, func(c *tpCert, f bool) {
			c.exts = append(c.exts, ncExt(!f, [][]byte{gnDNS("example.com")}, nil))
		}, nil)},
		{name: "DNS name with an underscore", rule: "rfc5280.san-dns-invalid", build: simple(nil, nil, func(c *tpCert, f bool) {
			if f {
				c.dns = []string{"le_af.example.com"}
			}
		})},
		{name: "email that is not a mailbox", rule: "rfc5280.san-email-invalid", build: simple(nil, nil, func(c *tpCert, f bool) {
			c.emails = []string{"user@example.com"}
			if f {
				c.emails = []string{"in@valid@example.com"}
			}
		})},
		{name: "RSA key under 2048 bits", rule: "signet.rsa-key-too-small", build: simple(nil, nil, func(c *tpCert, f bool) {
			if f {
				c.key = newRSAKey(t0, 1024)
			}
		})},
		{name: "empty issuer name", rule: "rfc5280.issuer-empty", build: func(t *testing.T, fault bool) ruleChain {
			// The leaf is trusted as it is, so that nothing but its own contents is judged.
			root := rootCA(t, "Rules Root")
			leaf := leafCert(t, "leaf.example.com", root, func(c *tpCert) {
				if fault {
					c.rawIss = []byte{0x30, 0x00}
				}
			})
			return ruleChain{leaf: leaf, roots: []*tpIssued{leaf}}
		}},
		{name: "keyCertSign in a leaf", rule: "rfc5280.keycertsign-not-ca", openssl: true, build: simple(nil, nil, func(c *tpCert, f bool) {
			if f {
				c.ku = x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign
			}
		})},
		{name: "unknown critical extension in the root", rule: "rfc5280.unknown-critical-extension", openssl: true, build: simple(func(c *tpCert, f bool) {
			c.exts = append(c.exts, rawExt(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 7}, f, []byte{0x05, 0x00}))
		}, nil, nil)},
		{name: "SHA-1 signature", rule: "signet.weak-signature", build: func(t *testing.T, fault bool) ruleChain {
			root := rootCA(t, "Rules Root", func(c *tpCert) { c.key = newRSAKey(t, 2048) })
			leaf := leafCert(t, "leaf.example.com", root, func(c *tpCert) { c.sha1 = fault })
			return ruleChain{leaf: leaf, roots: []*tpIssued{root}}
		}},
		{name: "CRL without CRL number", rule: "rfc5280.crl-number-missing", build: func(t *testing.T, fault bool) ruleChain {
			ch := simple(nil, nil, nil)(t, fault)
			num := big.NewInt(7)
			if fault {
				num = nil
			}
			ch.crls = []*x509.RevocationList{makeCRL(t, ch.inters[0], num, false, nil)}
			return ch
		}},
		{name: "CRL number critical", rule: "rfc5280.crl-number-critical", build: func(t *testing.T, fault bool) ruleChain {
			ch := simple(nil, nil, nil)(t, fault)
			ch.crls = []*x509.RevocationList{makeCRL(t, ch.inters[0], big.NewInt(7), fault, nil)}
			return ch
		}},
		{name: "CA as the leaf for serverAuth", rule: "signet.leaf-is-ca", build: func(t *testing.T, fault bool) ruleChain {
			root := rootCA(t, "Rules Root")
			leaf := leafCert(t, "leaf.example.com", root, func(c *tpCert) {
				if fault {
					c.ca = true
					c.ku = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
				}
			})
			return ruleChain{leaf: leaf, roots: []*tpIssued{root}, policy: func(p *verify.Policy) { p.EKUs = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth} }}
		}},

		{name: "AKI without keyIdentifier", rule: "rfc5280.aki-missing-keyid", build: simple(nil, nil, func(c *tpCert, f bool) {
			if f {
				c.noAKI = true
				c.exts = append(c.exts, rawExt(oidAKI, false, seqOf(gn(1, true, seqOf(gnDir(cn("Rules Intermediate")))), gn(2, false, []byte{0x01}))))
			}
		})},
		{name: "pathLenConstraint without cA", rule: "rfc5280.pathlen-not-ca", build: simple(nil, nil, func(c *tpCert, f bool) {
			if f {
				c.exts = append(c.exts, ext(oidBC, true, struct {
					PathLen int `asn1:"optional"`
				}{3}))
			}
		})},
		{name: "CA with an empty subject", rule: "rfc5280.ca-subject-empty", also: []string{"rfc5280.issuer-empty"}, build: func(t *testing.T, fault bool) ruleChain {
			root := rootCA(t, "Rules Root")
			inter := subCA(t, "Rules Intermediate", root, func(c *tpCert) {
				if fault {
					c.rawSubj = []byte{0x30, 0x00}
					c.dns = []string{"ca.example.com"}
					c.sanCrit = true
				}
			})
			return ruleChain{leaf: leafCert(t, "leaf.example.com", inter), inters: []*tpIssued{inter}, roots: []*tpIssued{root}}
		}},
		{name: "empty subject without SAN", rule: "rfc5280.subject-empty-no-san", build: simple(nil, nil, func(c *tpCert, f bool) {
			if f {
				c.rawSubj, c.dns = []byte{0x30, 0x00}, nil
			}
		})},
		{name: "empty subjectAltName", rule: "rfc5280.san-empty", build: simple(nil, nil, func(c *tpCert, f bool) {
			if f {
				c.dns = nil
				c.exts = append(c.exts, rawExt(oidSAN, false, []byte{0x30, 0x00}))
			}
		})},
		{name: "URI name without host under a URI constraint", rule: "rfc5280.nc-unchecked-name", build: simple(nil, func(c *tpCert, _ bool) {
			c.exts = append(c.exts, ncExt(true, [][]byte{gnURI(".example.com")}, nil))
		}, func(c *tpCert, f bool) {
			u := "https://www.example.com/"
			if f {
				u = "urn:uuid:0f1e2d3c"
			}
			c.exts = append(c.exts, rawExt(oidSAN, false, seqOf(gnDNS("leaf.example.com"), gnURI(u))))
			c.dns = nil
		})},
		{name: "policy mapping to anyPolicy", rule: "rfc5280.policy-mapping-any", build: simple(nil, func(c *tpCert, f bool) {
			to := asn1.ObjectIdentifier{1, 2, 3, 4}
			if f {
				to = asn1.ObjectIdentifier{2, 5, 29, 32, 0}
			}
			c.exts = append(c.exts, ext(oidCP, false, []struct{ ID asn1.ObjectIdentifier }{{asn1.ObjectIdentifier{2, 5, 29, 32, 0}}}),
				ext(asn1.ObjectIdentifier{2, 5, 29, 33}, true, []struct{ From, To asn1.ObjectIdentifier }{{asn1.ObjectIdentifier{1, 2, 3, 5}, to}}))
		}, func(c *tpCert, _ bool) {
			c.exts = append(c.exts, ext(oidCP, false, []struct{ ID asn1.ObjectIdentifier }{{asn1.ObjectIdentifier{1, 2, 3, 4}}}))
		})},
		{name: "CRL listing one serial twice", rule: "rfc5280.crl-duplicate-entry", build: func(t *testing.T, fault bool) ruleChain {
			ch := simple(nil, nil, nil)(t, fault)
			revoked := []*big.Int{big.NewInt(77)}
			if fault {
				revoked = append(revoked, big.NewInt(77))
			}
			ch.crls = []*x509.RevocationList{makeCRL(t, ch.inters[0], big.NewInt(7), false, nil, revoked...)}
			return ch
		}},
		{name: "CRL with an unknown critical extension", rule: "rfc5280.crl-unknown-critical-extension", build: func(t *testing.T, fault bool) ruleChain {
			ch := simple(nil, nil, nil)(t, fault)
			ch.crls = []*x509.RevocationList{makeCRL(t, ch.inters[0], big.NewInt(7), false,
				[]pkix.Extension{rawExt(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 8}, fault, []byte{0x05, 0x00})})}
			return ch
		}},
		{name: "CRL signed by another key", rule: "rfc5280.crl-signature", build: func(t *testing.T, fault bool) ruleChain {
			ch := simple(nil, nil, nil)(t, fault)
			signer := ch.inters[0]
			if fault {
				signer = &tpIssued{cert: signer.cert, key: newKey(t)}
			}
			ch.crls = []*x509.RevocationList{makeCRL(t, signer, big.NewInt(7), true, nil)}
			if !fault {
				ch.crls = []*x509.RevocationList{makeCRL(t, signer, big.NewInt(7), false, nil)}
			}
			return ch
		}},
		{name: "CRL signer without cRLSign", rule: "rfc5280.crl-signer-no-crlsign", build: func(t *testing.T, fault bool) ruleChain {
			ch := simple(nil, func(c *tpCert, f bool) {
				if f {
					c.ku = x509.KeyUsageCertSign
				}
			}, nil)(t, fault)
			l, err := x509.ParseRevocationList(crlByHand(t, ch.inters[0], big.NewInt(7), false, nil, nil))
			if err != nil {
				t.Fatal(err)
			}
			ch.crls = []*x509.RevocationList{l}
			return ch
		}},
		{name: "CRL for CA certificates only, checking a leaf", rule: "rfc5280.crl-scope", build: func(t *testing.T, fault bool) ruleChain {
			ch := simple(nil, nil, nil)(t, fault)
			var extra []pkix.Extension
			if fault {
				extra = []pkix.Extension{rawExt(asn1.ObjectIdentifier{2, 5, 29, 28}, true, seqOf(gn(2, false, []byte{0xff})))}
			}
			ch.crls = []*x509.RevocationList{makeCRL(t, ch.inters[0], big.NewInt(7), false, extra)}
			return ch
		}},
		{name: "webpki indirect CRL", rule: "webpki.crl-indirect", profile: verify.ProfileWebPKI, build: func(t *testing.T, fault bool) ruleChain {
			ch := simple(nil, nil, nil)(t, fault)
			var extra []pkix.Extension
			if fault {
				extra = []pkix.Extension{rawExt(asn1.ObjectIdentifier{2, 5, 29, 28}, true, seqOf(gn(4, false, []byte{0xff})))}
			}
			ch.crls = []*x509.RevocationList{makeCRL(t, ch.inters[0], big.NewInt(7), false, extra)}
			return ch
		}},
		{name: "webpki policy constraints not critical in an intermediate", rule: "webpki.pc-not-critical", profile: verify.ProfileWebPKI, build: simple(nil, func(c *tpCert, f bool) {
			c.exts = append(c.exts, ext(oidPC, !f, struct {
				Require int `asn1:"optional,tag:0"`
			}{5}))
		}, nil)},

		// webpki
		{name: "webpki leaf without EKU", rule: "signet.eku-missing", profile: verify.ProfileWebPKI, build: simple(nil, nil, func(c *tpCert, f bool) {
			if f {
				c.eku = nil
			}
		})},
		{name: "webpki leaf with anyExtendedKeyUsage", rule: "signet.eku-any", profile: verify.ProfileWebPKI, build: simple(nil, nil, func(c *tpCert, f bool) {
			if f {
				c.eku = []asn1.ObjectIdentifier{ekuAny}
			}
		})},
		{name: "webpki critical EKU", rule: "webpki.leaf-eku-critical", profile: verify.ProfileWebPKI, build: simple(nil, nil, func(c *tpCert, f bool) {
			if f {
				c.eku = nil
				c.exts = append(c.exts, ext(oidEKU, true, ekuServer))
			}
		})},
		{name: "webpki root with EKU", rule: "webpki.root-eku", profile: verify.ProfileWebPKI, build: simple(func(c *tpCert, f bool) {
			if f {
				c.eku = ekuServer
			}
		}, nil, nil)},
		{name: "webpki CN not among the SANs", rule: "webpki.cn-not-in-san", profile: verify.ProfileWebPKI, build: simple(nil, nil, func(c *tpCert, f bool) {
			if f {
				c.subject = cn("other.example.org")
			}
		})},
		{name: "webpki CN differs in case", rule: "webpki.cn-not-in-san", profile: verify.ProfileWebPKI, build: simple(nil, nil, func(c *tpCert, f bool) {
			if f {
				c.subject = cn("Leaf.Example.COM")
			}
		})},
		{name: "webpki CN an IP in another notation", rule: "webpki.cn-not-in-san", profile: verify.ProfileWebPKI, build: simple(nil, nil, func(c *tpCert, f bool) {
			c.ips = []net.IP{net.ParseIP("192.168.1.1")}
			c.subject = cn("192.168.1.1")
			if f {
				c.subject = cn("192.168.001.001")
			}
		})},
		{name: "webpki wildcard over a public suffix", rule: "webpki.wildcard-public-suffix", profile: verify.ProfileWebPKI, build: simple(nil, nil, func(c *tpCert, f bool) {
			c.subject = cn("*.example.co.uk")
			c.dns = []string{"*.example.co.uk"}
			if f {
				c.subject = cn("*.co.uk")
				c.dns = []string{"*.co.uk"}
			}
		})},
		{name: "webpki critical SAN beside a subject", rule: "webpki.san-critical-with-subject", profile: verify.ProfileWebPKI, build: simple(nil, nil, func(c *tpCert, f bool) { c.sanCrit = f })},
		{name: "webpki leaf without SAN", rule: "webpki.leaf-san-missing", profile: verify.ProfileWebPKI, build: func(t *testing.T, fault bool) ruleChain {
			ch := simple(nil, nil, func(c *tpCert, f bool) {
				if f {
					c.dns = nil
				}
			})(t, fault)
			ch.policy = func(p *verify.Policy) { p.DNSName = "" }
			return ch
		}},
		{name: "critical subject key identifier", rule: "rfc5280.ski-critical", openssl: true, build: simple(nil, func(c *tpCert, f bool) {
			if f {
				c.noSKI = true
				c.key = newKey(t0)
				c.exts = append(c.exts, ext(oidSKI, true, c.key.keyID(t0)))
			}
		}, nil)},
		{name: "webpki leaf that is a CA", rule: "webpki.leaf-is-ca", profile: verify.ProfileWebPKI, build: simple(nil, nil, func(c *tpCert, f bool) {
			if f {
				c.ca = true
			}
		})},
		{name: "webpki root AKI not its SKI", rule: "webpki.root-aki", profile: verify.ProfileWebPKI, build: simple(func(c *tpCert, f bool) {
			c.noAKI = !f
			if f {
				c.exts = append(c.exts, ext(oidAKI, false, struct {
					ID []byte `asn1:"optional,tag:0"`
				}{[]byte("another key id 1234")}))
				c.noAKI = true
			}
		}, nil, nil)},
		{name: "RSA modulus not a multiple of 8", rule: "signet.rsa-key-size", build: simple(nil, nil, func(c *tpCert, f bool) {
			if f {
				c.key = newRSAKey(t0, 2052)
			} else {
				c.key = newRSAKey(t0, 2048)
			}
		})},
		{name: "webpki CA EKU with codeSigning", rule: "webpki.ca-eku", profile: verify.ProfileWebPKI, build: simple(nil, func(c *tpCert, f bool) {
			c.eku = ekuServer
			if f {
				c.eku = []asn1.ObjectIdentifier{ekuServer[0], {1, 3, 6, 1, 5, 5, 7, 3, 3}}
			}
		}, nil)},
		{name: "webpki intermediate basicConstraints not critical", rule: "webpki.bc-not-critical", profile: verify.ProfileWebPKI, build: simple(nil, func(c *tpCert, f bool) { c.bcNonCrit = f }, nil)},
	}
}

// TestRulesAgreeWithOpenSSL runs the faulty and the control chain of every rule OpenSSL 3.0
// also applies under -x509_strict through `openssl verify`, which must agree with signet.
func TestRulesAgreeWithOpenSSL(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	for _, rc := range ruleCases() {
		if !rc.openssl {
			continue
		}
		t.Run(rc.name, func(t *testing.T) {
			for _, fault := range []bool{false, true} {
				ch := rc.build(t, fault)
				dir := t.TempDir()
				args := []string{"verify", "-x509_strict", "-attime", "1780272000", "-CAfile", writePEM(t, dir, "roots.pem", ch.roots...)}
				if len(ch.inters) > 0 {
					args = append(args, "-untrusted", writePEM(t, dir, "inters.pem", ch.inters...))
				}
				args = append(args, writePEM(t, dir, "leaf.pem", ch.leaf))
				out, stderr, err := testutil.RunErr(openssl, args...)
				if fault != (err != nil) {
					t.Fatalf("fault=%v: openssl verify err=%v\n%s%s", fault, err, out, stderr)
				}
			}
		})
	}
}

// t0 is for key generation inside case tables built before a test runs.
var t0 = &testing.T{}

func runRuleChain(t *testing.T, rc ruleCase, ch ruleChain) (*verify.Result, error) {
	t.Helper()
	p := verify.Policy{At: tpAt, Profile: rc.profile}
	for _, r := range ch.roots {
		p.Roots = append(p.Roots, r.cert)
	}
	for _, c := range ch.inters {
		p.Intermediates = append(p.Intermediates, c.cert)
	}
	p.CRLs = ch.crls
	if rc.profile == verify.ProfileWebPKI {
		p.DNSName = "leaf.example.com"
		if ip := ch.leaf.cert.IPAddresses; len(ip) > 0 && len(ch.leaf.cert.DNSNames) == 0 {
			p.DNSName, p.IP = "", ip[0]
		}
		if strings.HasPrefix(firstDNS(ch.leaf.cert), "*.") {
			p.DNSName = "www" + firstDNS(ch.leaf.cert)[1:]
		}
	}
	if ch.policy != nil {
		ch.policy(&p)
	}
	res, err := verify.Verify(ch.leaf.cert, nil, p)
	if res == nil {
		t.Fatalf("not checked: %v", err)
	}
	return res, err
}

func firstDNS(c *x509.Certificate) string {
	if len(c.DNSNames) > 0 {
		return c.DNSNames[0]
	}
	return ""
}

// TestRules trips each rule with a chain that breaks exactly that rule, and checks the same
// chain without the fault passes.
func TestRules(t *testing.T) {
	t.Parallel()
	for _, rc := range ruleCases() {
		t.Run(rc.name, func(t *testing.T) {
			res, err := runRuleChain(t, rc, rc.build(t, false))
			if err != nil {
				t.Fatalf("control chain refused: %v\n%s", err, dumpChecks(res))
			}
			res, err = runRuleChain(t, rc, rc.build(t, true))
			var ve *verify.Error
			if !errors.As(err, &ve) {
				t.Fatalf("faulty chain accepted or unchecked: %v\n%s", err, dumpChecks(res))
			}
			found := false
			for _, c := range res.Checks {
				found = found || c.Status == verify.Fail && c.Rule == rc.rule
			}
			if !found || len(rc.also) == 0 && (ve.Rule != rc.rule || res.Rule != rc.rule) {
				t.Fatalf("rule %q, want %q: %v\n%s", ve.Rule, rc.rule, err, dumpChecks(res))
			}
			for _, c := range res.Checks {
				if c.Status == verify.Fail && c.Rule != rc.rule && !slices.Contains(rc.also, c.Rule) {
					t.Fatalf("another rule fails too: %s (%s)\n%s", c.Rule, c.Detail, dumpChecks(res))
				}
			}
			if !strings.Contains(err.Error(), "["+ve.Rule+"]") {
				t.Fatalf("the message does not name the rule: %v", err)
			}
		})
	}
}

// cryptobyte keeps the imports used by helpers in other files of the test package.
var _ = cryptobyte.String(nil)
var _ cbasn1.Tag
var _ pkix.Name

// TestRuleTable checks that every rule id the engine can report is in the table of the
// package documentation, and that the table names no rule the engine lost.
func TestRuleTable(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`"((?:rfc5280|rfc6125|rfc6960|signet|webpki)\.[a-z0-9-]+)"`)
	files, _ := filepath.Glob("*.go")
	used := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = true
		}
	}
	if len(used) < 50 {
		t.Fatalf("found only %d rule ids in the sources", len(used))
	}
	for r := range used {
		if strings.HasPrefix(r, "rfc6960.") {
			r = "rfc6960.*"
		}
		if !strings.Contains(string(doc), r) {
			t.Errorf("rule %s is not in the table of doc.go", r)
		}
	}
}
