package pkixname

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/net/idna"
)

// NameConstraints is a parsed name constraints extension (RFC 5280 4.2.1.10).
type NameConstraints struct {
	Permitted []GeneralName
	Excluded  []GeneralName
}

// SyntaxError is a name constraint or name that breaks the syntax RFC 5280 gives its form, such
// as a dNSName constraint with a leading period or an IP constraint with a non-contiguous mask.
type SyntaxError struct {
	Form  Form
	Value string
	Why   string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid %s %q: %s", e.Form, e.Value, e.Why)
}

// Is makes a SyntaxError match ErrMalformed.
func (e *SyntaxError) Is(target error) bool { return target == ErrMalformed }

// ParseNameConstraints parses the value of a name constraints extension and checks each
// subtree's syntax: minimum 0 and no maximum (RFC 5280 4.2.1.10), dNSName constraints in
// preferred name syntax without a leading period, rfc822Name constraints as a mailbox, a host
// or a domain with a leading period, URI constraints as a host or a domain, iPAddress
// constraints as an address and a contiguous mask of the same family.
func ParseNameConstraints(der []byte) (*NameConstraints, error) {
	s := cryptobyte.String(der)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, fmt.Errorf("%w: name constraints are not a SEQUENCE", ErrMalformed)
	}
	nc := &NameConstraints{}
	var permitted, excluded cryptobyte.String
	var hasP, hasE bool
	if !seq.ReadOptionalASN1(&permitted, &hasP, cbasn1.Tag(0).ContextSpecific().Constructed()) ||
		!seq.ReadOptionalASN1(&excluded, &hasE, cbasn1.Tag(1).ContextSpecific().Constructed()) || !seq.Empty() {
		return nil, fmt.Errorf("%w: bad name constraints", ErrMalformed)
	}
	if !hasP && !hasE {
		return nil, fmt.Errorf("%w: name constraints with neither permitted nor excluded subtrees", ErrMalformed)
	}
	read := func(in cryptobyte.String, present bool) ([]GeneralName, error) {
		if present && in.Empty() {
			return nil, fmt.Errorf("%w: empty GeneralSubtrees", ErrMalformed)
		}
		var out []GeneralName
		for !in.Empty() {
			var st cryptobyte.String
			if !in.ReadASN1(&st, cbasn1.SEQUENCE) {
				return nil, fmt.Errorf("%w: bad GeneralSubtree", ErrMalformed)
			}
			g, err := ParseGeneralName(&st)
			if err != nil {
				return nil, err
			}
			var min int64
			if st.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific()) {
				if !st.ReadASN1Int64WithTag(&min, cbasn1.Tag(0).ContextSpecific()) {
					return nil, fmt.Errorf("%w: bad GeneralSubtree minimum", ErrMalformed)
				}
			}
			if min != 0 {
				return nil, &SyntaxError{Form: g.Form, Value: g.String(), Why: fmt.Sprintf("minimum is %d; RFC 5280 requires 0", min)}
			}
			if !st.Empty() {
				return nil, &SyntaxError{Form: g.Form, Value: g.String(), Why: "maximum is present; RFC 5280 requires it absent"}
			}
			if err := checkConstraintSyntax(g); err != nil {
				return nil, err
			}
			out = append(out, g)
		}
		return out, nil
	}
	var err error
	if nc.Permitted, err = read(permitted, hasP); err != nil {
		return nil, err
	}
	if nc.Excluded, err = read(excluded, hasE); err != nil {
		return nil, err
	}
	return nc, nil
}

func checkConstraintSyntax(g GeneralName) error {
	v := string(g.Raw)
	bad := func(why string) error { return &SyntaxError{Form: g.Form, Value: g.String(), Why: why} }
	switch g.Form {
	case DNSName:
		if v == "" {
			return nil // matches every name
		}
		if strings.HasPrefix(v, ".") {
			return bad("a dNSName constraint is a domain name without a leading period (RFC 5280 4.2.1.10)")
		}
		if why := hostSyntax(v, false); why != "" {
			return bad(why)
		}
	case RFC822Name:
		if strings.Contains(v, "@") {
			if why := MailboxSyntax(v); why != "" {
				return bad("not a mailbox: " + why)
			}
			return nil
		}
		if why := hostSyntax(strings.TrimPrefix(v, "."), false); why != "" {
			return bad(why)
		}
	case URI:
		if net.ParseIP(v) != nil {
			return bad("a URI constraint is a host or domain name, not an IP address")
		}
		if why := hostSyntax(strings.TrimPrefix(v, "."), false); why != "" {
			return bad(why)
		}
	case IPAddress:
		if len(g.Raw) != 8 && len(g.Raw) != 32 {
			return bad(fmt.Sprintf("an iPAddress constraint is 8 or 32 octets, not %d", len(g.Raw)))
		}
		mask := g.Raw[len(g.Raw)/2:]
		if ones, bits := net.IPMask(mask).Size(); ones == 0 && bits == 0 && !allZero(mask) {
			return bad("the mask is not contiguous")
		}
	}
	return nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// hostSyntax returns why s is not a host name in preferred name syntax (RFC 1034 3.5, RFC 1123
// 2.1: letters, digits and hyphens, labels of 1 to 63 octets not starting or ending with a
// hyphen), "" when it is. With wildcard, a leftmost label "*" is allowed.
func hostSyntax(s string, wildcard bool) string {
	s = strings.TrimSuffix(s, ".")
	if s == "" {
		return "empty name"
	}
	if len(s) > 253 {
		return "longer than 253 octets"
	}
	for i, label := range strings.Split(s, ".") {
		if wildcard && i == 0 && label == "*" {
			continue
		}
		if label == "" {
			return "empty label"
		}
		if len(label) > 63 {
			return "label longer than 63 octets"
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return "label starts or ends with a hyphen"
		}
		for _, c := range []byte(label) {
			switch {
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-':
			case c == '_':
				return "underscore is not allowed in a host name"
			case c == '*':
				return "wildcard is allowed only as the whole leftmost label"
			default:
				return fmt.Sprintf("character %q is not allowed in a host name", c)
			}
		}
	}
	return ""
}

// DNSSyntax returns why a dNSName subjectAltName breaks RFC 5280 4.2.1.6 (preferred name
// syntax; a leftmost "*" label is accepted as RFC 6125 wildcards are), "" when it does not.
func DNSSyntax(name string) string {
	if name == " " {
		return "a single space"
	}
	if name == "*" || strings.HasPrefix(name, "*.") && !strings.Contains(name[2:], ".") {
		return "a wildcard needs at least two labels after it"
	}
	return hostSyntax(name, true)
}

// ErrTooMuchWork is returned when checking names against constraints would take more
// comparisons than a Checker allows.
var ErrTooMuchWork = errors.New("name constraint checking exceeds its work limit")

// ErrUnsupportedForm is wrapped when a name of a form this package cannot match meets a
// constraint of that form.
var ErrUnsupportedForm = errors.New("name form constrained but not supported")

// Violation says which name broke which constraint.
type Violation struct {
	Name GeneralName
	// Excluded is the excluded subtree that contains the name; nil when the name is outside
	// every permitted subtree of its form in one certificate's constraints.
	Excluded *GeneralName
	// Permitted are the permitted subtrees of the name's form the name is outside of.
	Permitted []GeneralName
}

func (v *Violation) Error() string {
	if v.Excluded != nil {
		return fmt.Sprintf("%s %s is in the excluded subtree %s %s", v.Name.kind(), v.Name, v.Excluded.Form, v.Excluded)
	}
	var p []string
	for _, g := range v.Permitted {
		s := g.String()
		if s == "" {
			s = `""`
		}
		p = append(p, s)
	}
	of := ""
	if len(v.Permitted) > 0 && v.Permitted[0].Form != v.Name.Form {
		of = v.Permitted[0].Form.String() + " "
	}
	return fmt.Sprintf("%s %s is outside the permitted %ssubtrees (%s)", v.Name.kind(), v.Name, of, strings.Join(p, ", "))
}

// Checker accumulates the name constraints of the CAs of a path (RFC 5280 6.1.4 (g)): the
// permitted subtrees as one set per certificate (a name must be in each set that has its form,
// which is their intersection) and the excluded subtrees as one union.
type Checker struct {
	permitted [][]GeneralName
	excluded  []GeneralName
	// Budget is the number of name comparisons left; zero or less means unlimited.
	Budget int
	used   int
	// Conservative selects the issuing reading, for a CA deciding whether it may sign a
	// name; the zero value is the verification reading of RFC 5280, for a relying party.
	// Where verifiers read RFC 5280 differently, the issuing reading puts a name inside a
	// permitted subtree only when every reading does, and inside an excluded subtree when any
	// reading does, so that what a CA issues under it passes every verifier:
	//   - rfc822Name: an excluded mailbox ("a@example.com") holds its local part in any case;
	//     an excluded host ("example.com") holds mailboxes at its subdomains too, as
	//     crypto/x509 reads it.
	//   - uniformResourceIdentifier: an excluded host ("host.example.com") holds its
	//     subdomains too; a URI whose authority names no host ("https://:443/") cannot be
	//     placed, and is an error as a URI without an authority is.
	//   - dNSName and URI hosts: for a permitted subtree a trailing dot is significant
	//     ("www.example.com." is not in "example.com"), as OpenSSL compares them; the
	//     verification reading ignores it.
	//   - directoryName: a permitted subtree must also hold the name under OpenSSL's narrower
	//     comparison (only ASCII case and white space folded, no RFC 4518 preparation), and an
	//     excluded one holds the name under either comparison.
	Conservative bool
	// eai is the comparison form of the last SmtpUTF8Mailbox read, kept for its next
	// constraints.
	eai struct {
		raw, host string
		err       error
	}
}

// Add records a CA's constraints.
func (c *Checker) Add(nc *NameConstraints) {
	if nc == nil {
		return
	}
	if len(nc.Permitted) > 0 {
		c.permitted = append(c.permitted, nc.Permitted)
	}
	c.excluded = append(c.excluded, nc.Excluded...)
}

// Empty reports whether no constraint was added.
func (c *Checker) Empty() bool { return len(c.permitted) == 0 && len(c.excluded) == 0 }

// Check verifies every name against the constraints: a *Violation, an error wrapping
// ErrUnsupportedForm, ErrTooMuchWork, or nil.
func (c *Checker) Check(names []GeneralName) error {
	for _, n := range names {
		if err := c.check(n); err != nil {
			return err
		}
	}
	return nil
}

func (c *Checker) spend() error {
	c.used++
	if c.Budget > 0 && c.used > c.Budget {
		return ErrTooMuchWork
	}
	return nil
}

func (c *Checker) check(n GeneralName) error {
	if err := c.checkAs(n, n.Form); err != nil {
		return err
	}
	if isSmtpUTF8Mailbox(n) {
		// RFC 9598 6: rfc822Name constraints hold SmtpUTF8Mailbox names too; an otherName
		// constraint is still one of a form signet cannot match (checked above).
		return c.checkAs(n, RFC822Name)
	}
	return nil
}

// checkAs holds n to the constraints of form f: its own form, or rfc822Name for an
// SmtpUTF8Mailbox.
func (c *Checker) checkAs(n GeneralName, f Form) error {
	for i := range c.excluded {
		e := &c.excluded[i]
		if e.Form != f {
			continue
		}
		if err := c.spend(); err != nil {
			return err
		}
		in, err := c.within(n, *e, true)
		if err != nil {
			return err
		}
		if in {
			return &Violation{Name: n, Excluded: e}
		}
	}
	// An IPv4-mapped IPv6 address is permitted only when it is read either way: as the IPv4
	// address it maps (an IPv4 subtree) and as the IPv6 address it is written as (an IPv6
	// subtree). A CA permitted IPv6 names only must not certify an IPv4 host with it, nor one
	// permitted IPv4 subtrees an IPv6 name; ipWithin excludes it when either reading is in.
	mapped := n.Form == IPAddress && len(n.Raw) == net.IPv6len && net.IP(n.Raw).To4() != nil
	for _, set := range c.permitted {
		var ofForm []GeneralName
		matched, in4, in6 := false, false, false
		for _, p := range set {
			if p.Form != f {
				continue
			}
			ofForm = append(ofForm, p)
			if matched {
				continue
			}
			if err := c.spend(); err != nil {
				return err
			}
			in, err := c.within(n, p, false)
			if err != nil {
				return err
			}
			switch {
			case !mapped:
				matched = in
			case len(p.Raw) == 2*net.IPv4len:
				in4 = in4 || in
			default:
				in6 = in6 || in
			}
			if mapped {
				matched = in4 && in6
			}
		}
		if len(ofForm) > 0 && !matched {
			return &Violation{Name: n, Permitted: ofForm}
		}
	}
	return nil
}

// within reports whether name n is in the subtree t (same form). For an excluded subtree a
// wildcard DNS name is in it when any name the wildcard covers would be. The issuing reading
// (Conservative) is broad for an excluded subtree and narrow for a permitted one.
func (c *Checker) within(n, t GeneralName, excluded bool) (bool, error) {
	broad := c.Conservative && excluded
	narrow := c.Conservative && !excluded
	if t.Form == RFC822Name && n.Form == OtherName {
		host, err := c.eaiHost(n)
		if err != nil {
			return false, err
		}
		return smtpUTF8Within(host, string(t.Raw), excluded, broad), nil
	}
	switch n.Form {
	case DNSName:
		return dnsWithin(string(n.Raw), string(t.Raw), excluded, narrow), nil
	case RFC822Name:
		return emailWithin(string(n.Raw), string(t.Raw), broad)
	case URI:
		return uriWithin(string(n.Raw), string(t.Raw), c.Conservative, broad, narrow)
	case IPAddress:
		return ipWithin(n.Raw, t.Raw), nil
	case DirectoryName:
		if n.DN == nil || t.DN == nil {
			return false, fmt.Errorf("%w: unparsed directoryName", ErrMalformed)
		}
		in := n.DN.Within(t.DN)
		switch {
		case broad:
			in = in || n.DN.withinASCII(t.DN)
		case narrow:
			in = in && n.DN.withinASCII(t.DN)
		}
		return in, nil
	}
	return false, fmt.Errorf("%w: %s", ErrUnsupportedForm, n.Form)
}

// trimDot removes the trailing dot of a host name, unless the comparison is narrow (the
// issuing reading of a permitted subtree), where it is significant.
func trimDot(s string, narrow bool) string {
	if narrow {
		return s
	}
	return strings.TrimSuffix(s, ".")
}

func dnsWithin(name, c string, excluded, narrow bool) bool {
	name = strings.ToLower(trimDot(name, narrow))
	c = strings.ToLower(trimDot(c, narrow))
	if c == "" {
		return true
	}
	if name == c || strings.HasSuffix(name, "."+c) {
		return true
	}
	if excluded && strings.HasPrefix(name, "*.") {
		// *.example.com covers foo.example.com: an excluded foo.example.com excludes it.
		rest := name[2:]
		if i := strings.IndexByte(c, '.'); i > 0 && c[i+1:] == rest {
			return true
		}
	}
	return false
}

// emailWithin applies RFC 5280 4.2.1.10 to rfc822Name: a constraint with "@" is one mailbox
// (local part exact, host without case); a constraint starting with "." is any host in that
// domain; otherwise it is exactly that host. Read broadly, the local part compares without
// case and a host holds its subdomains too.
func emailWithin(addr, c string, broad bool) (bool, error) {
	i := strings.LastIndexByte(addr, '@')
	if i <= 0 {
		return false, &SyntaxError{Form: RFC822Name, Value: addr, Why: "not a mailbox"}
	}
	// Hosts are compared without a final dot, as DNS names are: "evil.com." is evil.com.
	local, host := addr[:i], strings.TrimSuffix(strings.ToLower(addr[i+1:]), ".")
	if j := strings.LastIndexByte(c, '@'); j >= 0 {
		cl := c[:j]
		return (local == cl || broad && strings.EqualFold(local, cl)) && host == strings.TrimSuffix(strings.ToLower(c[j+1:]), "."), nil
	}
	return hostWithin(host, strings.TrimSuffix(strings.ToLower(c), "."), broad), nil
}

// derSmtpUTF8Mailbox is the DER of id-on-SmtpUTF8Mailbox, 1.3.6.1.5.5.7.8.9 (RFC 9598 3),
// the type-id an otherName's content starts with.
var derSmtpUTF8Mailbox = []byte{0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x08, 0x09}

// isSmtpUTF8Mailbox reports whether g is an otherName of type id-on-SmtpUTF8Mailbox.
func isSmtpUTF8Mailbox(g GeneralName) bool {
	return g.Form == OtherName && bytes.HasPrefix(g.Raw, derSmtpUTF8Mailbox)
}

// smtpUTF8Mailbox reads the value of an SmtpUTF8Mailbox otherName: [0] EXPLICIT UTF8String,
// valid UTF-8, without a byte order mark (RFC 9598 3).
func smtpUTF8Mailbox(g GeneralName) (string, bool) {
	s := cryptobyte.String(g.Raw[len(derSmtpUTF8Mailbox):])
	var val, str cryptobyte.String
	if !s.ReadASN1(&val, cbasn1.Tag(0).ContextSpecific().Constructed()) || !s.Empty() ||
		!val.ReadASN1(&str, cbasn1.UTF8String) || !val.Empty() || !utf8.Valid(str) || bytes.HasPrefix(str, []byte("\uFEFF")) {
		return "", false
	}
	return string(str), true
}

// eaiProfile converts the U-labels of a mailbox domain to A-labels as RFC 5891 5.5 says,
// mapping nothing (RFC 9598 4: IDNA2008 without mappings), and refuses labels that are not
// IDNA2008 or NR-LDH.
var eaiProfile = idna.New(idna.ValidateForRegistration())

// eaiHost returns the domain of an SmtpUTF8Mailbox in its comparison form (RFC 9598 5), or
// why it has none: a *SyntaxError for a value that is not a UTF8String mailbox or whose
// domain is not IDNA2008 in LDH labels.
func (c *Checker) eaiHost(n GeneralName) (string, error) {
	if c.eai.raw == string(n.Raw) && (c.eai.host != "" || c.eai.err != nil) {
		return c.eai.host, c.eai.err
	}
	host, err := func() (string, error) {
		v, ok := smtpUTF8Mailbox(n)
		if !ok {
			return "", &SyntaxError{Form: OtherName, Value: n.String(), Why: "an SmtpUTF8Mailbox that is not one UTF8String (RFC 9598 3)"}
		}
		i := strings.LastIndexByte(v, '@')
		if i <= 0 || i == len(v)-1 {
			return "", &SyntaxError{Form: OtherName, Value: n.String(), Why: "an SmtpUTF8Mailbox that is not a mailbox (RFC 9598 3)"}
		}
		host, why := eaiDomain(v[i+1:])
		if why != "" {
			return "", &SyntaxError{Form: OtherName, Value: n.String(), Why: "the domain of an SmtpUTF8Mailbox " + why}
		}
		return host, nil
	}()
	c.eai.raw, c.eai.host, c.eai.err = string(n.Raw), host, err
	return host, err
}

// smtpUTF8Within applies an rfc822Name constraint c to an SmtpUTF8Mailbox whose domain, in
// comparison form, is host, as RFC 9598 6 says: the domain is compared with the constraint's
// host (".example.com": any host below example.com; "example.com": that host alone, or, read
// broadly, its subdomains too); the local part is not compared. A constraint naming one
// mailbox ("bob@example.com", which RFC 9598 6 deprecates) is read to fail closed: its local
// part is stripped when it is an excluded subtree, as RFC 9598 6 strips it, so it excludes
// every SmtpUTF8Mailbox at its host; as a permitted subtree it holds none, an rfc822Name never
// being equal to an SmtpUTF8Mailbox (RFC 9598 5).
func smtpUTF8Within(host, c string, excluded, broad bool) bool {
	c = strings.ToLower(c)
	if j := strings.LastIndexByte(c, '@'); j >= 0 {
		return excluded && host == strings.TrimSuffix(c[j+1:], ".")
	}
	return hostWithin(host, strings.TrimSuffix(c, "."), broad)
}

// eaiDomain returns a mailbox domain in its comparison form (RFC 9598 5): U-labels as
// A-labels, ASCII letters lower-cased; or why it has none.
func eaiDomain(d string) (string, string) {
	if strings.HasSuffix(d, ".") {
		return "", "ends with a period"
	}
	b := []byte(d)
	for i, ch := range b {
		if 'A' <= ch && ch <= 'Z' {
			b[i] = ch + 'a' - 'A'
		}
	}
	a, err := eaiProfile.ToASCII(string(b))
	if err == nil {
		// An A-label must decode to a U-label that encodes back to it (RFC 5891 5.4).
		var u string
		if u, err = eaiProfile.ToUnicode(a); err == nil {
			var back string
			if back, err = eaiProfile.ToASCII(u); err == nil && back != a {
				err = errors.New("an A-label that is not the encoding of its U-label")
			}
		}
	}
	if err != nil {
		return "", "is not an IDNA2008 domain name without mappings (RFC 9598 4): " + EscapeText(err.Error())
	}
	if why := hostSyntax(a, false); why != "" {
		return "", "is not a host name: " + why
	}
	return a, ""
}

// hostWithin is the host part of rfc822Name and URI constraints: ".example.com" holds any
// host below example.com, "example.com" that host alone, or, read broadly, its subdomains too.
func hostWithin(host, c string, broad bool) bool {
	if strings.HasPrefix(c, ".") {
		return strings.HasSuffix(host, c)
	}
	return host == c || broad && strings.HasSuffix(host, "."+c)
}

// uriWithin applies the constraint to the host of the URI as hostWithin does. A URI without a
// host name (a URN, an IP literal) cannot be checked against a URI constraint, which is an
// error; so is, in the issuing reading, an authority without a host.
func uriWithin(uri, c string, conservative, broad, narrow bool) (bool, error) {
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" || conservative && u.Hostname() == "" {
		return false, &SyntaxError{Form: URI, Value: uri, Why: "the URI has no host to check against a URI name constraint"}
	}
	host := strings.ToLower(trimDot(u.Hostname(), narrow))
	if net.ParseIP(host) != nil {
		return false, &SyntaxError{Form: URI, Value: uri, Why: "the URI's host is an IP address, which a URI name constraint cannot hold"}
	}
	return hostWithin(host, strings.ToLower(c), broad), nil
}

func ipWithin(ip, c []byte) bool {
	// An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address it maps, as
	// net.IP.Equal and every socket read it: checked as IPv4, it cannot slip past an IPv4
	// subtree by being written in 16 octets.
	if len(ip) == 16 && len(c) == 8 {
		if v4 := net.IP(ip).To4(); v4 != nil {
			ip = v4
		}
	}
	if len(c) != 2*len(ip) {
		return false
	}
	addr, mask := c[:len(ip)], c[len(ip):]
	for i := range ip {
		if ip[i]&mask[i] != addr[i]&mask[i] {
			return false
		}
	}
	return true
}

// SubjectNames returns the names of a certificate that name constraints apply to (RFC 5280
// 6.1.3 (b), (c) and 4.2.1.10): the subject as a directoryName unless it is empty, every
// subjectAltName, and, when the certificate has no subjectAltName extension, the subject's
// emailAddress attributes as rfc822Names.
func SubjectNames(subject *DN, sans []GeneralName, hasSANExtension bool) []GeneralName {
	var out []GeneralName
	if subject != nil && !subject.Empty() {
		out = append(out, GeneralName{Form: DirectoryName, DN: subject})
	}
	out = append(out, sans...)
	if !hasSANExtension && subject != nil {
		for _, e := range subject.Values(OIDEmailAddress) {
			out = append(out, GeneralName{Form: RFC822Name, Raw: []byte(e)})
		}
	}
	return out
}

// Equal reports whether two general names are the same name: same form, directory names
// compared under RFC 5280 7.1, DNS names and hosts without case, the rest byte for byte.
func (g GeneralName) Equal(o GeneralName) bool {
	if g.Form != o.Form {
		return false
	}
	switch g.Form {
	case DirectoryName:
		return g.DN != nil && o.DN != nil && g.DN.Equal(o.DN)
	case DNSName:
		return strings.EqualFold(string(g.Raw), string(o.Raw))
	}
	return bytes.Equal(g.Raw, o.Raw)
}
