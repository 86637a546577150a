package interop_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// The draws of the issuing campaign (ic_campaign_test.go): per seed, the flags a user would
// give signet to make a CA chain and one certificate under it, or one input signet must refuse.

// icCase is one seed's draw.
type icCase struct {
	seed int64
	// The chain: a root, maybe an intermediate, each with its key type, subject, --path-len
	// ("" for none) and --days.
	rootKey, intKey, leafKey    string
	rootDN, intDN               string
	rootSANs, intSANs           []string // the CAs' --san: their subjects' mailboxes
	rootPathLen, intPathLen     string
	rootDays, intDays           int
	hasInt                      bool
	profile                     string   // the leaf's --profile
	leafDN                      string   // --subject, "" for none
	subjectEmails               []string // the --san email: of leafDN's emailAddress attributes, in sans
	sans                        []string // --san values
	viaCSR                      bool     // signet csr first, then cert create --csr
	csrOverride                 bool     // with viaCSR: cert create gives --subject and --san again
	days                        int      // --days, 0 for none
	notAfterPastCA              bool     // --not-after a year past the issuer's end
	reason                      string   // the CRL reason of the leaf's revocation
	bad                         string   // the refusal drawn (icBadCases), "" for a valid case
	badCA                       string   // the intermediate's refusal drawn, "" for none
	badArgs                     []string // the cert create flags replaced or added for it
	wantExit                    int      // the exit code the refusal documents
	wildcard, idn, ipSAN, email bool     // what the SANs hold, for the tally
}

// icKeyTypes are signet key gen's types. The CAs draw among the cheaper ones.
var icKeyTypes = []string{"ec-p256", "ec-p384", "ec-p521", "ed25519", "rsa-2048", "rsa-3072", "rsa-4096"}

// icLeafProfiles are the leaf profiles of cert create.
var icLeafProfiles = []string{"server", "client", "client", "email", "code-signing", "tsa"}

var icReasons = []string{"unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded", "cessationOfOperation", "certificateHold", "privilegeWithdrawn", "aACompromise"}

func icPick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// icValueChars are the characters subject values are drawn from: ASCII letters and digits,
// the characters RFC 4514 escapes, and non-ASCII (Latin, CJK, an emoji outside the BMP).
var icValueChars = []string{"a", "b", "Z", "7", " ", "-", ".", ",", "+", "=", "\"", "\\", "<", ">", ";", "#", "é", "ß", "日", "本", "Ω", "😀", "'", "(", ")", "/"}

// icValue draws a value of 1 to max characters (a third of the time exactly max: the upper
// bound of RFC 5280), without leading or trailing spaces.
func icValue(r *rand.Rand, max int, ascii bool) string {
	n := 1 + r.IntN(min(max, 12))
	if r.IntN(3) == 0 {
		n = max
	}
	var b strings.Builder
	for i := 0; i < n; i++ {
		c := icPick(r, icValueChars)
		if ascii && c[0] >= 0x80 {
			c = "x"
		}
		if (i == 0 || i == n-1) && c == " " {
			c = "q"
		}
		b.WriteString(c)
	}
	return b.String()
}

// icEscape writes v as an RFC 4514 value.
func icEscape(v string) string {
	var b strings.Builder
	for i, c := range v {
		switch {
		case strings.ContainsRune(",+\"\\<>;=", c), i == 0 && c == '#':
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// icAttr draws one attribute as RFC 4514 writes it; an emailAddress's mailbox is added to
// emails, for the --san email: RFC 5280 4.1.2.6 wants beside it.
func icAttr(r *rand.Rand, emails *[]string) string {
	switch r.IntN(12) {
	case 0:
		return "C=" + icPick(r, []string{"US", "DE", "JP", "fr", "BR"})
	case 1:
		m := icMailbox(r)
		*emails = append(*emails, m)
		return "emailAddress=" + icEscape(m)
	case 2:
		return "serialNumber=" + strconv.Itoa(r.IntN(1e9))
	case 3:
		return "DC=" + icPick(r, []string{"example", "com", "corp", "xn--bcher-kva"})
	case 4:
		return "UID=" + icEscape(icValue(r, 20, false))
	case 5:
		return "ST=" + icEscape(icValue(r, 128, false))
	case 6:
		return "L=" + icEscape(icValue(r, 128, false))
	case 7:
		return "OU=" + icEscape(icValue(r, 64, false))
	case 8:
		return "title=" + icEscape(icValue(r, 64, false))
	case 9:
		return "GN=" + icEscape(icValue(r, 30, false))
	}
	return "O=" + icEscape(icValue(r, 64, false))
}

// icDN draws a subject: a CN and 0 to 5 more RDNs, a fifth of them multi-valued, in RFC 4514
// order (most specific first). It returns the --san flags of its emailAddress attributes.
func icDN(r *rand.Rand, cn string) (string, []string) {
	var emails []string
	rdns := []string{"CN=" + icEscape(cn)}
	if r.IntN(5) == 0 {
		rdns[0] += "+" + icAttr(r, &emails)
	}
	for range r.IntN(6) {
		rdn := icAttr(r, &emails)
		if r.IntN(5) == 0 {
			rdn += "+" + icAttr(r, &emails)
		}
		rdns = append(rdns, rdn)
	}
	var sans []string
	for _, e := range emails {
		if !slices.Contains(sans, "email:"+e) {
			sans = append(sans, "email:"+e)
		}
	}
	return strings.Join(rdns, ","), sans
}

func icMailbox(r *rand.Rand) string {
	local := icPick(r, []string{"alice", "bob.smith", "x+tag", "o'hara", "a_b-c", strings.Repeat("l", 64)})
	return local + "@" + icHost(r, false)
}

// icHost draws a host name under a public suffix; wildcard allows a "*." first label.
func icHost(r *rand.Rand, wildcard bool) string {
	labels := []string{}
	for range 1 + r.IntN(3) {
		labels = append(labels, icPick(r, []string{"www", "api", "mail", "a1", "x-y", "xn--bcher-kva", "xn--80ak6aa92e", strings.Repeat("h", 63), "test"}))
	}
	labels = append(labels, icPick(r, []string{"example", "signet-ic", "xn--mnchen-3ya"}), icPick(r, []string{"com", "org", "de", "jp", "net"}))
	if wildcard {
		labels[0] = "*"
	}
	return strings.Join(labels, ".")
}

// icPublicIP draws an address outside every IANA special-purpose block (the BRs refuse
// reserved addresses in a server certificate).
func icPublicIP(r *rand.Rand) string {
	if r.IntN(2) == 0 {
		return fmt.Sprintf("93.184.%d.%d", r.IntN(256), 1+r.IntN(254))
	}
	return fmt.Sprintf("2606:4700:%x::%x", r.IntN(0x10000), 1+r.IntN(0xfffe))
}

// icSANs draws the SANs of a leaf of profile p.
func icSANs(r *rand.Rand, c *icCase) []string {
	var out []string
	add := func(s string) {
		for _, o := range out {
			if strings.EqualFold(o, s) {
				return
			}
		}
		out = append(out, s)
	}
	switch c.profile {
	case "server":
		for range 1 + r.IntN(4) {
			switch r.IntN(5) {
			case 0:
				c.ipSAN = true
				add("ip:" + icPublicIP(r))
			case 1:
				c.wildcard = true
				add("dns:" + icHost(r, true))
			default:
				add("dns:" + icHost(r, false))
			}
		}
	default:
		if c.profile == "email" {
			c.email = true
			add("email:" + icMailbox(r))
		}
		for range r.IntN(4) {
			switch r.IntN(5) {
			case 0:
				c.email = true
				add("email:" + icMailbox(r))
			case 1:
				add("dns:" + icHost(r, r.IntN(4) == 0))
			case 2:
				c.ipSAN = true
				add("ip:" + icPick(r, []string{"192.0.2.7", "10.1.2.3", "2001:db8::1", "::1", icPublicIP(r)}))
			case 3:
				add("uri:" + icPick(r, []string{"https://" + icHost(r, false) + "/id/" + strconv.Itoa(r.IntN(100)), "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", "spiffe://example.org/ns/prod/sa/web"}))
			default:
				add("dns:" + icHost(r, false))
			}
		}
	}
	for _, s := range out {
		if strings.Contains(s, "xn--") {
			c.idn = true
		}
	}
	return out
}

// icBadCases are the refusals drawn: the flags that replace or join a valid leaf's, and the
// exit code the refusal documents (2 usage: ErrInvalidName, ErrValidity; 3 bad input:
// ErrIssuer, which PathLenError wraps). Each must be refused before anything is written.
var icBadCases = []struct {
	name string
	exit int
	args func(c *icCase) []string
}{
	// A U-label: --san takes IDNs in their xn-- form only (san.go: sanCheckDNS).
	{"san-u-label", 2, func(c *icCase) []string { return []string{"--san", "dns:bücher.example.com"} }},
	{"san-ip-as-dns", 2, func(c *icCase) []string { return []string{"--san", "dns:192.0.2.1"} }},
	{"san-double-wildcard", 2, func(c *icCase) []string { return []string{"--san", "dns:*.*.example.com"} }},
	{"san-partial-wildcard", 2, func(c *icCase) []string { return []string{"--san", "dns:w*.example.com"} }},
	{"san-empty-label", 2, func(c *icCase) []string { return []string{"--san", "dns:a..example.com"} }},
	{"san-hyphen-label", 2, func(c *icCase) []string { return []string{"--san", "dns:-a.example.com"} }},
	{"san-long-label", 2, func(c *icCase) []string { return []string{"--san", "dns:" + strings.Repeat("a", 64) + ".example.com"} }},
	{"san-bad-ip", 2, func(c *icCase) []string { return []string{"--san", "ip:192.0.2.256"} }},
	{"san-ip-zone", 2, func(c *icCase) []string { return []string{"--san", "ip:fe80::1%eth0"} }},
	{"san-email-no-at", 2, func(c *icCase) []string { return []string{"--san", "email:alice.example.com"} }},
	{"san-email-non-ascii", 2, func(c *icCase) []string { return []string{"--san", "email:jösé@example.com"} }},
	{"san-uri-relative", 2, func(c *icCase) []string { return []string{"--san", "uri:/relative/path"} }},
	{"san-uri-space", 2, func(c *icCase) []string { return []string{"--san", "uri:https://example.com/a b"} }},
	{"san-unknown-kind", 2, func(c *icCase) []string { return []string{"--san", "rid:1.2.3"} }},
	{"subject-cn-65", 2, func(c *icCase) []string { return []string{"--subject", "CN=" + strings.Repeat("c", 65)} }},
	{"subject-country-3", 2, func(c *icCase) []string { return []string{"--subject", "CN=x,C=USA"} }},
	{"subject-control", 2, func(c *icCase) []string { return []string{"--subject", `CN=a\0Ab`} }},
	// RFC 5280 4.1.2.6: a mailbox in the subject is also in the SAN.
	{"subject-email-not-in-san", 2, func(c *icCase) []string {
		return []string{"--subject", "CN=mail,emailAddress=not-in-san@example.com"}
	}},
	{"subject-empty-value", 2, func(c *icCase) []string { return []string{"--subject", "CN=,O=x"} }},
	// A leaf named as its CA would show as the CA.
	{"subject-is-ca", 2, func(c *icCase) []string { return []string{"--subject", c.issuerDN()} }},
	{"path-len-on-leaf", 2, func(c *icCase) []string { return []string{"--path-len", "1"} }},
	{"days-0", 2, func(c *icCase) []string { return []string{"--days", "0"} }},
	{"days-36501", 2, func(c *icCase) []string { return []string{"--days", "36501"} }},
	{"not-after-before-not-before", 2, func(c *icCase) []string {
		return []string{"--not-before", "2027-01-02T00:00:00Z", "--not-after", "2027-01-01T00:00:00Z"}
	}},
	{"unknown-profile", 2, func(c *icCase) []string { return []string{"--profile", "webserver"} }},
}

func (c *icCase) issuerDN() string {
	if c.hasInt {
		return c.intDN
	}
	return c.rootDN
}

// icDraw draws seed's case.
func icDraw(seed int64) *icCase {
	r := rand.New(rand.NewPCG(uint64(seed), 0x1c))
	caKeys := []string{"ec-p256", "ec-p384", "ed25519", "rsa-2048"}
	c := &icCase{seed: seed, rootKey: icPick(r, caKeys), intKey: icPick(r, caKeys), leafKey: icPick(r, icKeyTypes)}
	c.rootDN, c.rootSANs = icDN(r, fmt.Sprintf("IC Root %d", seed))
	c.intDN, c.intSANs = icDN(r, fmt.Sprintf("IC Issuing CA %d", seed))
	c.hasInt = r.IntN(3) > 0
	c.rootDays = 3650
	c.intDays = 400 + r.IntN(2000)
	if c.hasInt {
		c.rootPathLen = icPick(r, []string{"", "", "1", "2", "5"})
		c.intPathLen = icPick(r, []string{"", "0"})
	} else {
		c.rootPathLen = icPick(r, []string{"", "0", "1"})
	}
	// An intermediate the root's pathLenConstraint forbids (RFC 5280 4.2.1.9), refused
	// with ErrIssuer (exit 3): under a root of path length 0, or itself wider than the root
	// leaves room for.
	if c.hasInt && r.IntN(10) == 0 {
		if r.IntN(2) == 0 {
			c.badCA, c.rootPathLen = "int-under-path-len-0", "0"
		} else {
			c.badCA, c.rootPathLen, c.intPathLen = "int-path-len-too-wide", "1", "1"
		}
	}
	c.profile = icPick(r, icLeafProfiles)
	c.sans = icSANs(r, c)
	switch c.profile {
	case "server":
		// A subject of the BRs' shape (7.1.4.2): none, or a CN that is one of the SANs,
		// maybe with an organization, its locality and country.
		// (A host longer than the 64 characters of ub-common-name stays out of the CN.)
		if cn := strings.SplitN(c.sans[0], ":", 2)[1]; r.IntN(3) > 0 && len(cn) <= 64 {
			c.leafDN = "CN=" + cn
			if r.IntN(2) == 0 {
				// Plain values: what the BRs ask of them (3.2.2.1: from an authoritative
				// source, no metadata such as ";" or "-" alone) is a public CA's vetting.
				c.leafDN += ",O=" + icPick(r, []string{"Example GmbH", "Signet Test", "Ünïcödé AG"}) + ",L=" + icPick(r, []string{"München", "Berlin"}) + ",ST=Bavaria,C=DE"
			}
		}
	case "client":
		if len(c.sans) == 0 || r.IntN(4) > 0 {
			c.leafDN, c.subjectEmails = icDN(r, icValue(r, 64, false))
		}
	default:
		c.leafDN, c.subjectEmails = icDN(r, icValue(r, 64, false))
	}
	for _, e := range c.subjectEmails {
		if !slices.Contains(c.sans, e) {
			c.sans = append(c.sans, e)
		}
	}
	c.viaCSR = r.IntN(2) == 0
	c.csrOverride = c.viaCSR && r.IntN(4) == 0
	switch r.IntN(4) {
	case 0:
		c.days = 1 + r.IntN(3000)
	case 1:
		c.notAfterPastCA = true
	}
	c.reason = icPick(r, icReasons)
	if r.IntN(4) == 0 {
		b := icPick(r, icBadCases[:])
		c.bad, c.wantExit, c.badArgs = b.name, b.exit, b.args(c)
	}
	return c
}
