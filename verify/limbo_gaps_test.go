package verify_test

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"testing"

	"github.com/signet-pki/signet/verify"
)

// Cases of x509-limbo that limbo_cases_test.go did not have (a second audit against the
// generators and the ids of the newer limbo.json, where several were renamed: the id given is
// the one of the generator read, with the newer name in parentheses where it differs). Same
// conventions as limbo_cases_test.go: server validation is the webpki profile with the host
// example.com, want is the rule of the refusal, "" for valid.

func depth(n int) func(*verify.Policy) { return func(p *verify.Policy) { p.MaxDepth = &n } }

// limboChainOf is root -> ICA ... -> leaf, the intermediates named by subjects ("" repeats the
// issuer's subject: a self-issued intermediate, with a key of its own).
func limboChainOf(subjects ...string) func(t *testing.T) limboChain {
	return func(t *testing.T) limboChain {
		root := lcRoot(t)
		ch := limboChain{roots: []*tpIssued{root}}
		parent := root
		for _, s := range subjects {
			ica := lcInter(t, parent, s, func(c *tpCert) {
				if s == "" {
					c.subject, c.rawSubj = pkix.Name{}, parent.cert.RawSubject
				}
			})
			ch.inters, parent = append(ch.inters, ica), ica
		}
		ch.leaf = lcLeaf(t, parent)
		return ch
	}
}

// emailNC is limbo's client validation of root -> ICA (permits the mailbox constraint) -> EE
// (the rfc822Name), clientAuth and the peer name the EE's mailbox.
func emailNC(constraint, mailbox string) func(t *testing.T) limboChain {
	return withPolicy(chain3(nil, withNC(true, [][]byte{gnEmail(constraint)}, nil), func(c *tpCert) {
		c.dns, c.eku = nil, []asn1.ObjectIdentifier{ekuClient}
		c.exts = append(c.exts, rawExt(oidSAN, false, seqOf(gnEmail(mailbox))))
	}), emailClient(mailbox))
}

func limboGapCases() []limboCase {
	dns := func(s ...string) [][]byte {
		var out [][]byte
		for _, d := range s {
			out = append(out, gnDNS(d))
		}
		return out
	}
	// rawNC is a name constraints extension written byte for byte: limbo's malformed ones.
	rawNC := func(der []byte) func(*tpCert) {
		return func(c *tpCert) { c.exts = append(c.exts, rawExt(oidNC, true, der)) }
	}
	excludedFoo := append([]byte{0xa1, byte(len(seqOf(gnDNS("foo.example.com"))))}, seqOf(gnDNS("foo.example.com"))...)
	return []limboCase{
		// pathlen: max_chain_depth is signet's MaxDepth (--max-depth): intermediates between
		// the leaf and the anchor, self-issued ones not counted.
		{id: "pathlen::max-chain-depth-0", server: true, build: withPolicy(limboChainOf(), depth(0))},
		{id: "pathlen::max-chain-depth-0-exhausted", server: true, want: "signet.max-depth", build: withPolicy(limboChainOf("ica"), depth(0))},
		{id: "pathlen::max-chain-depth-1", server: true, build: withPolicy(limboChainOf("ica"), depth(1))},
		{id: "pathlen::max-chain-depth-1-exhausted", server: true, want: "signet.max-depth", build: withPolicy(limboChainOf("ica1", "ica2"), depth(1))},
		{id: "pathlen::max-chain-depth-1-self-issued", server: true, build: withPolicy(limboChainOf("ica", ""), depth(1))},

		// rfc5280/nc: a GeneralSubtrees of no element (SIZE (1..MAX)) beside one that has some.
		{id: "rfc5280::nc::permitted-empty-sequence-excluded-nonempty", server: true, want: "rfc5280.nc-invalid",
			build: chain3(rawNC(append([]byte{0x30, byte(2 + len(excludedFoo)), 0xa0, 0x00}, excludedFoo...)), nil, nil)},
		{id: "rfc5280::nc::permitted-nonempty-excluded-empty-sequence", server: true, want: "rfc5280.nc-invalid",
			build: chain3(rawNC(func() []byte {
				permitted := append([]byte{0xa0, byte(len(seqOf(gnDNS("example.com"))))}, seqOf(gnDNS("example.com"))...)
				return append(append([]byte{0x30, byte(len(permitted) + 2)}, permitted...), 0xa1, 0x00)
			}()), nil, nil)},
		// webpki/nc: a wildcard SAN is within a permitted subtree when every name it stands for is.
		{id: "webpki::nc::nc-permits-dns-san-pattern", server: true,
			build: withPolicy(chain3(nil, withNC(true, dns("example.com"), nil), sanOf(gnDNS("*.example.com"))), host("foo.example.com"))},

		// webpki/san: "*" alone stands for every name.
		{id: "webpki::san::san-wildcard-only (also webpki::san::san-wildcard-only-tld)", server: true, want: "rfc5280.san-dns-invalid",
			build: withPolicy(chain3(nil, nil, sanOf(gnDNS("*"))), host("example.com"))},
		// webpki/ku: an ECC subscriber key without digitalSignature (all bits clear).
		{id: "webpki::ku::ee-ecc-without-digitalsignature", server: true, want: "rfc5280.ku-empty",
			build: chain3(nil, nil, func(c *tpCert) {
				c.noKU, c.exts = true, []pkix.Extension{rawExt(oidKU, true, []byte{0x03, 0x01, 0x00})}
			})},
		// rfc5280/eku: an EKU extension with no usage.
		{id: "rfc5280::eku::ee-eku-empty", server: true, want: "rfc5280.eku-empty",
			build: chain3(nil, nil, func(c *tpCert) { c.eku, c.exts = nil, []pkix.Extension{rawExt(oidEKU, false, []byte{0x30, 0x00})} })},
		{id: "rfc5280::eku::ee-eku-empty (rfc5280 profile)", want: "rfc5280.eku-empty",
			build: chain3(nil, nil, func(c *tpCert) { c.eku, c.exts = nil, []pkix.Extension{rawExt(oidEKU, false, []byte{0x30, 0x00})} })},
		// rfc5280/san: a dNSName with an underscore is not a host name (RFC 1034 3.5).
		{id: "rfc5280::san::underscore-dns", server: true, want: "rfc5280.san-dns-invalid",
			build: withPolicy(chain3(nil, nil, sanOf(gnDNS("foo_bar.example.com"))), host("foo_bar.example.com"))},
		{id: "rfc5280::san::underscore-dns (rfc5280 profile)", want: "rfc5280.san-dns-invalid",
			build: chain3(nil, nil, sanOf(gnDNS("foo_bar.example.com")))},

		// webpki/san: wildcards over public suffixes of more than one label, ICANN (co.uk) and
		// private (s3.amazonaws.com): a label count cannot tell, the public suffix list can.
		{id: "webpki::san::public-suffix-multi-label-wildcard-san", server: true, want: "webpki.wildcard-public-suffix",
			build: withPolicy(chain3(nil, nil, sanOf(gnDNS("*.co.uk"))), host("foo.co.uk"))},
		{id: "webpki::san::public-suffix-private-namespace-wildcard-san", server: true, want: "webpki.wildcard-public-suffix-match",
			build: withPolicy(chain3(nil, nil, cnAndSAN("*.s3.amazonaws.com", gnDNS("*.s3.amazonaws.com"))), host("foo.s3.amazonaws.com"))},

		// rfc5280/nc: an asterisk in a mailbox constraint is a literal character of the
		// local-part (RFC 5321 atext), never a pattern.
		{id: "rfc5280::nc::nc-permits-email-literal-asterisk-exact-match", build: emailNC("*@example.com", "*@example.com")},
		{id: "rfc5280::nc::nc-permits-email-literal-asterisk-rejects-user", want: "rfc5280.nc-permitted", build: emailNC("*@example.com", "user@example.com")},
		{id: "rfc5280::nc::nc-permits-email-literal-asterisk-rejects-subdomain", want: "rfc5280.nc-permitted", build: emailNC("*@example.com", "*@sub.example.com")},
		{id: "rfc5280::nc::nc-permits-email-literal-double-asterisk", build: emailNC("**@example.com", "**@example.com")},
		{id: "rfc5280::nc::nc-permits-email-literal-double-asterisk-rejects-single", want: "rfc5280.nc-permitted", build: emailNC("**@example.com", "*@example.com")},
		{id: "rfc5280::nc::nc-permits-email-literal-mid-asterisk", build: emailNC("user*@example.com", "user*@example.com")},

		// pathological: OpenSSL's many-names2 and many-names3 against many-constraints.
		{id: "pathological::nc-dos-2 (many rfc822Names against many rfc822Name constraints)", server: true, want: "signet.nc-too-much-work",
			build: func(t *testing.T) limboChain {
				var permitted, excluded, names [][]byte
				for i := range 513 {
					permitted = append(permitted, gnEmail(fmt.Sprintf("t%d@example.com", i)))
					excluded = append(excluded, gnEmail(fmt.Sprintf("x%d@example.com", i)))
					names = append(names, gnEmail(fmt.Sprintf("t%d@example.com", i)))
				}
				root := lcRoot(t, withNC(true, append(permitted, gnDNS("example.com")), excluded))
				leaf := lcLeaf(t, root, sanOf(append(names, gnDNS("example.com"))...))
				return limboChain{roots: []*tpIssued{root}, leaf: leaf}
			}},
		{id: "pathological::nc-dos-2 (many rfc822Names under many dNSName constraints)", server: true, want: "signet.nc-too-much-work",
			note: "no name meets a constraint of its form, so no comparison is made, but the certificate is still held against every constraint: the work is names times constraints, as OpenSSL counts it",
			build: func(t *testing.T) limboChain {
				var permitted, excluded, names [][]byte
				for i := range 513 {
					permitted = append(permitted, gnDNS(fmt.Sprintf("t%d.test", i)))
					excluded = append(excluded, gnDNS(fmt.Sprintf("x%d.test", i)))
					names = append(names, gnEmail(fmt.Sprintf("t%d@t%d.test", i, i)))
				}
				root := lcRoot(t, withNC(true, append(permitted, gnDNS("example.com")), excluded))
				leaf := lcLeaf(t, root, sanOf(append(names, gnDNS("example.com"))...))
				return limboChain{roots: []*tpIssued{root}, leaf: leaf}
			}},
		{id: "pathological::nc-dos-3 (many subject CNs, no SAN)", server: true, want: "webpki.leaf-san-missing",
			build: func(t *testing.T) limboChain {
				var permitted, excluded [][]byte
				var subject pkix.RDNSequence
				for i := range 513 {
					permitted = append(permitted, gnDNS(fmt.Sprintf("t%d.test", i)))
					excluded = append(excluded, gnDNS(fmt.Sprintf("x%d.test", i)))
					subject = append(subject, pkix.RelativeDistinguishedNameSET{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: fmt.Sprintf("t%d.test", i)}})
				}
				root := lcRoot(t, withNC(true, permitted, excluded))
				leaf := lcLeaf(t, root, func(c *tpCert) { c.dns, c.rawSubj = nil, mustMarshal(subject) })
				return limboChain{roots: []*tpIssued{root}, leaf: leaf, policy: host("t0.test")}
			}},
	}
}

func TestLimboGaps(t *testing.T) {
	for _, tc := range limboGapCases() {
		t.Run(tc.id, func(t *testing.T) { runLimbo(t, tc) })
	}
}
