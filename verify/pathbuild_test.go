package verify_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"net"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/verify"
)

// rawName writes a Name of one RDN per (oid, tag, value) triple, with the string type given,
// so tests can encode the same name in two ways.
func rawName(parts ...any) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for i := 0; i+2 < len(parts)+1 && i < len(parts); i += 3 {
			oid, tag, val := parts[i].(asn1.ObjectIdentifier), parts[i+1].(cbasn1.Tag), parts[i+2].(string)
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(oid)
					b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(val)) })
				})
			})
		}
	})
	return b.BytesOrPanic()
}

var (
	oidO  = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidCN = asn1.ObjectIdentifier{2, 5, 4, 3}
	tagPS = cbasn1.Tag(19)
	tagU8 = cbasn1.Tag(12)
)

func verifyChain(t *testing.T, leaf *tpIssued, roots, inters []*tpIssued, mod func(*verify.Policy)) (*verify.Result, error) {
	t.Helper()
	p := verify.Policy{At: tpAt}
	for _, r := range roots {
		p.Roots = append(p.Roots, r.cert)
	}
	for _, c := range inters {
		p.Intermediates = append(p.Intermediates, c.cert)
	}
	if mod != nil {
		mod(&p)
	}
	res, err := verify.Verify(leaf.cert, nil, p)
	if res == nil {
		t.Fatalf("not checked: %v", err)
	}
	return res, err
}

func mustValid(t *testing.T, res *verify.Result, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("want valid: %v\n%s", err, dumpChecks(res))
	}
}

func mustRule(t *testing.T, res *verify.Result, err error, rule string) {
	t.Helper()
	var ve *verify.Error
	if !errors.As(err, &ve) || ve.Rule != rule {
		t.Fatalf("want rule %s, got %v\n%s", rule, err, dumpChecks(res))
	}
}

// TestNameChainingRFC5280 links an issuer and a subject whose names differ in string type,
// case and spaces, which RFC 5280 7.1 (RFC 4518 preparation) calls the same name and a byte
// comparison does not.
func TestNameChainingRFC5280(t *testing.T) {
	root := rootCA(t, "Rules Root")
	caName := rawName(oidO, tagPS, "Signet  Rules", oidCN, tagPS, "Issuing CA")
	ca := issue(t, tpCert{rawSubj: caName, ca: true, pathLen: -1}, root)
	leaf := issue(t, tpCert{subject: cn("leaf.example.com"), rawIss: rawName(oidO, tagU8, " signet rules ", oidCN, tagU8, "ISSUING   ca"), pathLen: -1}, ca)
	if string(leaf.cert.RawIssuer) == string(ca.cert.RawSubject) {
		t.Fatal("the names are byte-equal: the test proves nothing")
	}
	res, err := verifyChain(t, leaf, []*tpIssued{root}, []*tpIssued{ca}, nil)
	mustValid(t, res, err)
	// crypto/x509 compares names byte for byte and finds no chain.
	roots, inters := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(root.cert)
	inters.AddCert(ca.cert)
	if _, err := leaf.cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inters, CurrentTime: tpAt, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err == nil {
		t.Log("crypto/x509 chained them too")
	}
	// A different name does not chain.
	other := issue(t, tpCert{subject: cn("leaf2.example.com"), rawIss: rawName(oidO, tagU8, "Signet Rules", oidCN, tagU8, "Issuing CB"), pathLen: -1}, ca)
	res, err = verifyChain(t, other, []*tpIssued{root}, []*tpIssued{ca}, nil)
	mustRule(t, res, err, "signet.no-path")
}

// TestKeyRollover follows RFC 4210's rollover certificates: old-with-new and new-with-old are
// self-issued, link the two keys of one CA, and count toward no path length.
func TestKeyRollover(t *testing.T) {
	oldKey, newKey := newKey(t), newKey(t)
	oldRoot := issue(t, tpCert{subject: cn("Rollover CA"), key: oldKey, ca: true, pathLen: 0, noAKI: true}, nil)
	newRoot := issue(t, tpCert{subject: cn("Rollover CA"), key: newKey, ca: true, pathLen: 0, noAKI: true}, nil)
	newWithOld := issue(t, tpCert{subject: cn("Rollover CA"), key: newKey, ca: true, pathLen: 0}, oldRoot)
	oldWithNew := issue(t, tpCert{subject: cn("Rollover CA"), key: oldKey, ca: true, pathLen: 0}, newRoot)
	leafNew := leafCert(t, "new.example.com", &tpIssued{cert: newRoot.cert, key: newKey})
	leafOld := leafCert(t, "old.example.com", &tpIssued{cert: oldRoot.cert, key: oldKey})

	t.Run("relying party on the old root, leaf under the new key", func(t *testing.T) {
		res, err := verifyChain(t, leafNew, []*tpIssued{oldRoot}, []*tpIssued{newWithOld}, nil)
		mustValid(t, res, err)
		if len(res.Chain) != 3 {
			t.Fatalf("chain %d long\n%s", len(res.Chain), dumpChecks(res))
		}
	})
	t.Run("relying party on the new root, leaf under the old key", func(t *testing.T) {
		res, err := verifyChain(t, leafOld, []*tpIssued{newRoot}, []*tpIssued{oldWithNew}, nil)
		mustValid(t, res, err)
	})
	t.Run("both rollover certificates in the pool", func(t *testing.T) {
		res, err := verifyChain(t, leafOld, []*tpIssued{newRoot}, []*tpIssued{newWithOld, oldWithNew}, nil)
		mustValid(t, res, err)
	})
	t.Run("the self-issued certificate does not count toward max depth", func(t *testing.T) {
		res, err := verifyChain(t, leafNew, []*tpIssued{oldRoot}, []*tpIssued{newWithOld}, func(p *verify.Policy) { p.MaxDepth = new(0) })
		mustValid(t, res, err)
	})
}

// TestSelfIssuedAndNameConstraints: name constraints skip self-issued intermediates, but
// apply to a final certificate even when it is self-issued.
func TestSelfIssuedAndNameConstraints(t *testing.T) {
	nc := ncExt(true, [][]byte{gnDNS("example.com")}, nil)
	root := rootCA(t, "not-example.com", func(c *tpCert) { c.exts = []pkix.Extension{nc} })
	self := issue(t, tpCert{subject: cn("not-example.com"), ca: true, pathLen: -1, dns: []string{"not-example.com"}}, root)
	leaf := leafCert(t, "www.example.com", self)
	res, err := verifyChain(t, leaf, []*tpIssued{root}, []*tpIssued{self}, nil)
	mustValid(t, res, err)

	bad := issue(t, tpCert{subject: cn("not-example.com"), pathLen: -1, dns: []string{"not-example.com"}}, self)
	res, err = verifyChain(t, bad, []*tpIssued{root}, []*tpIssued{self}, nil)
	mustRule(t, res, err, "rfc5280.nc-permitted")
}

// TestNameConstraintForms covers the forms and their matching rules one by one.
func TestNameConstraintForms(t *testing.T) {
	dn := func(s string) pkix.Name {
		return pkix.Name{Organization: []string{"Signet Rules"}, OrganizationalUnit: []string{s}}
	}
	otherName := gn(0, true, append([]byte{0x06, 0x03, 0x2a, 0x03, 0x04}, gn(0, true, []byte{0x05, 0x00})...))
	cases := []struct {
		name       string
		permitted  [][]byte
		excluded   [][]byte
		leaf       func(*tpCert)
		clientAuth bool
		rule       string // "" = valid
	}{
		{name: "DN permitted", permitted: [][]byte{gnDir(pkix.Name{Organization: []string{"Signet Rules"}})},
			leaf: func(c *tpCert) { c.subject = dn("Servers") }},
		{name: "DN outside permitted", permitted: [][]byte{gnDir(pkix.Name{Organization: []string{"Other"}})},
			leaf: func(c *tpCert) { c.subject = dn("Servers") }, rule: "rfc5280.nc-permitted"},
		{name: "DN excluded", excluded: [][]byte{gnDir(dn("Servers"))},
			leaf: func(c *tpCert) { c.subject = dn("Servers") }, rule: "rfc5280.nc-excluded"},
		{name: "email host only: exact host", permitted: [][]byte{gnEmail("example.com")},
			leaf: func(c *tpCert) { c.emails = []string{"a@example.com"} }},
		{name: "email host only: not a subdomain", permitted: [][]byte{gnEmail("example.com")},
			leaf: func(c *tpCert) { c.emails = []string{"a@mail.example.com"} }, rule: "rfc5280.nc-permitted"},
		{name: "email domain: subdomain", permitted: [][]byte{gnEmail(".example.com")},
			leaf: func(c *tpCert) { c.emails = []string{"a@mail.example.com"} }},
		{name: "email domain: not the apex", permitted: [][]byte{gnEmail(".example.com")},
			leaf: func(c *tpCert) { c.emails = []string{"a@example.com"} }, rule: "rfc5280.nc-permitted"},
		{name: "email mailbox: exact", permitted: [][]byte{gnEmail("a@example.com")},
			leaf: func(c *tpCert) { c.emails = []string{"a@EXAMPLE.com"} }},
		{name: "email mailbox: local part differs", permitted: [][]byte{gnEmail("a@example.com")},
			leaf: func(c *tpCert) { c.emails = []string{"A@example.com"} }, rule: "rfc5280.nc-permitted"},
		{name: "email in the subject when there is no SAN", excluded: [][]byte{gnEmail("example.com")},
			leaf: func(c *tpCert) {
				c.dns = nil
				c.rawSubj = rawName(oidO, tagU8, "Signet Rules", oidCN, tagU8, "x", asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, cbasn1.Tag(22), "a@example.com")
			}, rule: "rfc5280.nc-excluded"},
		{name: "URI host", permitted: [][]byte{gnURI("host.example.com")},
			leaf: func(c *tpCert) { c.dns = nil; c.exts = append(c.exts, sanURI("https://host.example.com/x")) }},
		{name: "URI host is not a domain", permitted: [][]byte{gnURI("example.com")},
			leaf: func(c *tpCert) { c.dns = nil; c.exts = append(c.exts, sanURI("https://host.example.com/x")) }, rule: "rfc5280.nc-permitted"},
		{name: "URI domain", permitted: [][]byte{gnURI(".example.com")},
			leaf: func(c *tpCert) { c.dns = nil; c.exts = append(c.exts, sanURI("https://host.example.com/x")) }},
		{name: "IP inside", permitted: [][]byte{gnIP("192.0.2.0/24")}, leaf: func(c *tpCert) { c.ips = []net.IP{net.ParseIP("192.0.2.7")} }},
		{name: "IP outside", permitted: [][]byte{gnIP("192.0.2.0/24")}, leaf: func(c *tpCert) { c.ips = []net.IP{net.ParseIP("192.0.3.7")} }, rule: "rfc5280.nc-permitted"},
		{name: "IPv6 excluded", excluded: [][]byte{gnIP("2001:db8::/32")}, leaf: func(c *tpCert) { c.ips = []net.IP{net.ParseIP("2001:db8::1")} }, rule: "rfc5280.nc-excluded"},
		{name: "another form is not constrained", permitted: [][]byte{gnIP("192.0.2.0/24")}},
		{name: "wildcard SAN could cover an excluded name", excluded: [][]byte{gnDNS("bar.example.com")},
			leaf: func(c *tpCert) { c.dns = []string{"*.example.com"} }, rule: "rfc5280.nc-excluded"},
		{name: "wildcard SAN not wholly permitted", permitted: [][]byte{gnDNS("foo.example.com")},
			leaf: func(c *tpCert) { c.dns = []string{"*.example.com"} }, rule: "rfc5280.nc-permitted"},
		{name: "otherName constraint, no otherName: no-op", permitted: [][]byte{gnDNS("example.com")}, excluded: [][]byte{otherName}},
		{name: "otherName constraint and an otherName", permitted: [][]byte{gnDNS("example.com")}, excluded: [][]byte{otherName},
			leaf: func(c *tpCert) {
				c.exts = append(c.exts, rawExt(oidSAN, false, seqOf(otherName, gnDNS("leaf.example.com"))))
				c.dns = nil
			},
			rule: "rfc5280.nc-unsupported-form"},
		{name: "permitted subtrees intersect down the path", permitted: [][]byte{gnDNS("bar.example.com")},
			leaf: func(c *tpCert) { c.dns = []string{"foo.example.com"} }, rule: "rfc5280.nc-permitted"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := rootCA(t, "Rules Root", func(c *tpCert) {
				c.exts = []pkix.Extension{ncExt(true, [][]byte{gnDNS("example.com"), gnIP("192.0.2.0/24"), gnIP("2001:db8::/32"),
					gnEmail("example.com"), gnEmail(".example.com"), gnEmail("a@example.com"), gnURI("host.example.com"), gnURI(".example.com"),
					gnDir(pkix.Name{Organization: []string{"Signet Rules"}})}, nil)}
			})
			ca := subCA(t, "Rules Intermediate", root, func(c *tpCert) {
				c.exts = []pkix.Extension{ncExt(true, tc.permitted, tc.excluded)}
			})
			leaf := leafCert(t, "leaf.example.com", ca, func(c *tpCert) {
				c.subject = pkix.Name{Organization: []string{"Signet Rules"}, CommonName: "leaf.example.com"}
				if tc.leaf != nil {
					tc.leaf(c)
				}
			})
			res, err := verifyChain(t, leaf, []*tpIssued{root}, []*tpIssued{ca}, nil)
			if tc.rule == "" {
				mustValid(t, res, err)
			} else {
				mustRule(t, res, err, tc.rule)
			}
		})
	}
}

func big0() *big.Int { return big.NewInt(0) }

func seqOf(elems ...[]byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, e := range elems {
			b.AddBytes(e)
		}
	})
	return b.BytesOrPanic()
}

func sanURI(u string) pkix.Extension { return rawExt(oidSAN, false, seqOf(gnURI(u))) }

// TestBacktracking: the first issuer found leads to a path that fails (an expired
// cross-certificate, or a CA whose name constraints exclude the leaf); the builder must go
// back and take the other.
func TestBacktracking(t *testing.T) {
	t.Run("expired cross-signed copy of the root", func(t *testing.T) {
		rootKey := newKey(t)
		root := issue(t, tpCert{subject: cn("Pain Root"), key: rootKey, ca: true, pathLen: -1, noAKI: true}, nil)
		root2 := rootCA(t, "Other Root")
		cross := issue(t, tpCert{subject: cn("Pain Root"), key: rootKey, ca: true, pathLen: -1,
			notBefore: time.Date(1988, 1, 1, 0, 0, 0, 0, time.UTC), notAfter: time.Date(1989, 1, 1, 0, 0, 0, 0, time.UTC)}, root2)
		leaf := leafCert(t, "leaf.example.com", &tpIssued{cert: root.cert, key: rootKey})
		res, err := verifyChain(t, leaf, []*tpIssued{root2, root}, []*tpIssued{cross}, nil)
		mustValid(t, res, err)
	})
	t.Run("name constraints forbid one path", func(t *testing.T) {
		rootA := rootCA(t, "Root A", func(c *tpCert) {
			c.exts = []pkix.Extension{ncExt(true, nil, [][]byte{gnDNS("forbidden.example.com")})}
		})
		rootB := rootCA(t, "Root B")
		icaKey := newKey(t)
		viaA := issue(t, tpCert{subject: cn("Shared ICA"), key: icaKey, ca: true, pathLen: -1, dns: []string{"forbidden.example.com"}}, rootA)
		viaB := issue(t, tpCert{subject: cn("Shared ICA"), key: icaKey, ca: true, pathLen: -1}, rootB)
		leaf := leafCert(t, "unconstrained.example.com", &tpIssued{cert: viaA.cert, key: icaKey})
		res, err := verifyChain(t, leaf, []*tpIssued{rootA, rootB}, []*tpIssued{viaA, viaB}, nil)
		mustValid(t, res, err)
		if res.Chain[2].Subject != verify.Name(rootB.cert) {
			t.Fatalf("chain ends at %s", res.Chain[2].Subject)
		}
	})
	t.Run("a cycle of cross-signed CAs ends", func(t *testing.T) {
		k1, k2 := newKey(t), newKey(t)
		a := &tpIssued{cert: issue(t, tpCert{subject: cn("CA 1"), key: k1, ca: true, pathLen: -1, noAKI: true}, nil).cert, key: k1}
		b := &tpIssued{cert: issue(t, tpCert{subject: cn("CA 2"), key: k2, ca: true, pathLen: -1, noAKI: true}, nil).cert, key: k2}
		aByB := issue(t, tpCert{subject: cn("CA 1"), key: k1, ca: true, pathLen: -1}, b)
		bByA := issue(t, tpCert{subject: cn("CA 2"), key: k2, ca: true, pathLen: -1}, a)
		leaf := leafCert(t, "leaf.example.com", a)
		res, err := verifyChain(t, leaf, []*tpIssued{rootCA(t, "Unrelated Root")}, []*tpIssued{aByB, bByA}, nil)
		mustRule(t, res, err, "signet.no-path")
	})
}

// TestPathologicalPool: hundreds of CAs with one subject that all sign one another, and a
// CA with thousands of name constraints, must end quickly with an answer.
func TestPathologicalPool(t *testing.T) {
	t.Parallel()
	keys := make([]tpKey, 40)
	for i := range keys {
		keys[i] = newKey(t)
	}
	same := issue(t, tpCert{subject: cn("Same Subject"), key: keys[0], ca: true, pathLen: -1, noAKI: true}, nil)
	var pool []*tpIssued
	for i := range keys {
		for j := range 10 {
			signer := &tpIssued{cert: same.cert, key: keys[(i+j+1)%len(keys)]}
			pool = append(pool, issue(t, tpCert{subject: cn("Same Subject"), key: keys[i], ca: true, pathLen: -1}, signer))
		}
	}
	leaf := leafCert(t, "leaf.example.com", &tpIssued{cert: pool[0].cert, key: keys[0]})
	start := time.Now()
	res, err := verifyChain(t, leaf, []*tpIssued{rootCA(t, "Unrelated Root")}, pool, nil)
	elapsed := time.Since(start)
	mustRule(t, res, err, "signet.no-path")
	t.Logf("%d certificates with one subject: refused in %v: %v", len(pool), elapsed, err)
	if elapsed > 10*time.Second {
		t.Fatalf("took %v: the work budget does not hold", elapsed)
	}

	var permitted [][]byte
	for i := range 5000 {
		permitted = append(permitted, gnDNS(fmt.Sprintf("h%d.example.com", i)))
	}
	big := rootCA(t, "Big NC Root", func(c *tpCert) { c.exts = []pkix.Extension{ncExt(true, permitted, permitted[:2000])} })
	ok := leafCert(t, "h4999.example.com", big)
	start = time.Now()
	res, err = verifyChain(t, ok, []*tpIssued{big}, nil, nil)
	mustValid(t, res, err)
	var many []string
	for i := range 100 {
		many = append(many, fmt.Sprintf("h%d.example.com", 4000+i))
	}
	heavy := leafCert(t, "h4000.example.com", big, func(c *tpCert) { c.dns = many })
	res, err = verifyChain(t, heavy, []*tpIssued{big}, nil, nil)
	mustRule(t, res, err, "signet.nc-too-much-work")
	t.Logf("5000 name constraints: answered in %v", time.Since(start))
	if time.Since(start) > 10*time.Second {
		t.Fatalf("name constraint checking is not bounded")
	}
}

var _ = x509.KeyUsageCertSign

// TestSystemRootsAsTheyAre: a root of the system store is used as it is (name, key, validity),
// while the same root given explicitly with Roots is held to the profile's rules.
func TestSystemRootsAsTheyAre(t *testing.T) {
	root := rootCA(t, "Store Root", func(c *tpCert) { c.serial = big0() })
	leaf := leafCert(t, "leaf.example.com", root)
	store := writePEM(t, t.TempDir(), "store.pem", root)
	t.Setenv("SSL_CERT_FILE", store)
	res, err := verify.Verify(leaf.cert, nil, verify.Policy{SystemRoots: true, At: tpAt})
	if err != nil {
		t.Fatalf("a system root with a zero serial: %v\n%s", err, dumpChecks(res))
	}
	res, err = verify.Verify(leaf.cert, nil, verify.Policy{Roots: []*x509.Certificate{root.cert}, At: tpAt})
	mustRule(t, res, err, "rfc5280.serial-zero")
}
