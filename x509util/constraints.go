package x509util

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"net"
	"net/url"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Name constraints (RFC 5280 section 4.2.1.10) are checked when a certificate is issued, so
// that signet never signs a certificate its own CA's constraints forbid. crypto/x509 only
// checks them when verifying, and not for directoryName at all; the extension is read here
// with cryptobyte, every form signet issues included: dNSName, rfc822Name, iPAddress,
// uniformResourceIdentifier and directoryName.
//
// Where readings of RFC 5280 differ, a permitted subtree is read narrowly and an excluded one
// broadly, so that a certificate signet issues passes every verifier's reading:
//   - dNSName: "example.com" holds it and its subdomains, ".example.com" only subdomains; a
//     wildcard "*.example.com" is inside an excluded subtree that any name it matches is in.
//   - rfc822Name: "a@example.com" is that mailbox; "example.com" permits mailboxes at that host
//     and excludes those at its subdomains too (as crypto/x509 reads it); ".example.com" holds
//     mailboxes at subdomains.
//   - uniformResourceIdentifier: applies to the URI's host; "host.example.com" permits only that
//     host (and excludes its subdomains too); ".example.com" holds subdomains. A URI with no host
//     name (urn:, an IP address) cannot be shown to be inside or outside: it is refused under a
//     CA with URI constraints, as crypto/x509 refuses it when verifying.
//   - iPAddress: address and mask, IPv4 and IPv6 apart.
//   - directoryName: the subject must start with the constraint's RDNs, compared attribute by
//     attribute, strings without regard to case or repeated spaces (RFC 5280 section 7.1).
//     An emailAddress attribute of the subject is held to the rfc822Name constraints (RFC 5280
//     asks it), and a common name that is a host name to the dNSName constraints, for clients
//     that still read it (OpenSSL does so only when there is no DNS SAN; signet always).

var oidExtNameConstraints = asn1.ObjectIdentifier{2, 5, 29, 30}

// NameConstraintError is a name of a certificate to issue that a CA's name constraints do not
// allow. It wraps ErrNameConstraint.
type NameConstraintError struct {
	// CA is the subject of the constrained CA (FormatName).
	CA string
	// Name is the offending name as --san writes it ("dns:www.example.org"), or "subject
	// CN=..." for the subject.
	Name string
	// Constraint says which constraint it breaks: "permitted dNSName subtrees nc.example.com"
	// or "excluded rfc822Name subtree example.org".
	Constraint string
}

func (e *NameConstraintError) Error() string {
	return fmt.Sprintf("%v: %s is outside the %s of the CA %q", ErrNameConstraint, e.Name, e.Constraint, e.CA)
}

func (e *NameConstraintError) Unwrap() error { return ErrNameConstraint }

// nameSubtrees are the permitted or the excluded subtrees of a nameConstraints extension.
type nameSubtrees struct {
	dns, email, uri []string
	ip              []*net.IPNet
	dir             []ncDir
}

// nameConstraints is a CA's parsed nameConstraints extension.
type nameConstraints struct {
	ca                  string
	permitted, excluded nameSubtrees
}

// parseNameConstraints reads the nameConstraints extension of ca; nil when it has none.
func parseNameConstraints(ca *x509.Certificate) (*nameConstraints, error) {
	for _, e := range ca.Extensions {
		if !e.Id.Equal(oidExtNameConstraints) {
			continue
		}
		nc := &nameConstraints{ca: FormatName(ca.Subject)}
		in := cryptobyte.String(e.Value)
		var seq cryptobyte.String
		var perm, excl cryptobyte.String
		var hasPerm, hasExcl bool
		if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() ||
			!seq.ReadOptionalASN1(&perm, &hasPerm, cbasn1.Tag(0).ContextSpecific().Constructed()) ||
			!seq.ReadOptionalASN1(&excl, &hasExcl, cbasn1.Tag(1).ContextSpecific().Constructed()) || !seq.Empty() {
			return nil, fmt.Errorf("%w: the name constraints of the CA %q cannot be read", ErrIssuer, nc.ca)
		}
		var err error
		if nc.permitted, err = parseSubtrees(perm); err == nil {
			nc.excluded, err = parseSubtrees(excl)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: the name constraints of the CA %q: %v", ErrIssuer, nc.ca, err)
		}
		return nc, nil
	}
	return nil, nil
}

// GeneralName tags (RFC 5280 section 4.2.1.6).
const (
	gnEmail = 1
	gnDNS   = 2
	gnDir   = 4
	gnURI   = 6
	gnIP    = 7
)

func parseSubtrees(der cryptobyte.String) (nameSubtrees, error) {
	var s nameSubtrees
	for !der.Empty() {
		var subtree, base cryptobyte.String
		var tag cbasn1.Tag
		if !der.ReadASN1(&subtree, cbasn1.SEQUENCE) || !subtree.ReadAnyASN1(&base, &tag) {
			return s, fmt.Errorf("malformed GeneralSubtree")
		}
		if tag&0x1f == 0x1f || tag&0xc0 != 0x80 { // context-specific, low tag number
			return s, fmt.Errorf("malformed GeneralName")
		}
		switch int(tag & 0x1f) {
		case gnEmail:
			s.email = append(s.email, string(base))
		case gnDNS:
			s.dns = append(s.dns, string(base))
		case gnURI:
			s.uri = append(s.uri, string(base))
		case gnIP:
			switch len(base) {
			case 8, 32:
				n := len(base) / 2
				s.ip = append(s.ip, &net.IPNet{IP: net.IP(base[:n]), Mask: net.IPMask(base[n:])})
			default:
				return s, fmt.Errorf("iPAddress constraint of %d bytes", len(base))
			}
		case gnDir:
			// [4] EXPLICIT Name
			var raw, name cryptobyte.String
			if !base.ReadASN1Element(&raw, cbasn1.SEQUENCE) || !base.Empty() {
				return s, fmt.Errorf("malformed directoryName")
			}
			full := []byte(raw)
			if !raw.ReadASN1(&name, cbasn1.SEQUENCE) {
				return s, fmt.Errorf("malformed directoryName")
			}
			rdns, ok := parseRDNs(name)
			if !ok {
				return s, fmt.Errorf("malformed directoryName")
			}
			s.dir = append(s.dir, ncDir{rdns: rdns, raw: full})
		}
		// Other forms (otherName, x400Address, ...) constrain names signet never issues.
	}
	return s, nil
}

// ncDir is a directoryName constraint: its RDNs for comparing and its DER for messages.
type ncDir struct {
	rdns []ncRDN
	raw  []byte
}

// ncAttr is one attribute of a name, its value normalised for comparison: strings folded to
// lower case with runs of spaces made one and the ends trimmed, other values as tag and bytes.
type ncAttr struct {
	oid   string
	value string
}

// ncRDN is a relative distinguished name: a set of attributes.
type ncRDN []ncAttr

// parseRDNs reads the content of a Name SEQUENCE.
func parseRDNs(name cryptobyte.String) ([]ncRDN, bool) {
	var rdns []ncRDN
	for !name.Empty() {
		var set cryptobyte.String
		if !name.ReadASN1(&set, cbasn1.SET) {
			return nil, false
		}
		var rdn ncRDN
		for !set.Empty() {
			var atv, value cryptobyte.String
			var oid asn1.ObjectIdentifier
			var tag cbasn1.Tag
			if !set.ReadASN1(&atv, cbasn1.SEQUENCE) || !atv.ReadASN1ObjectIdentifier(&oid) ||
				!atv.ReadAnyASN1(&value, &tag) || !atv.Empty() {
				return nil, false
			}
			rdn = append(rdn, ncAttr{oid: oid.String(), value: ncNormalize(tag, value)})
		}
		rdns = append(rdns, rdn)
	}
	return rdns, true
}

// ncNormalize puts a DirectoryString (or IA5String) value in the form RFC 5280 section 7.1
// compares, and any other value as its tag and bytes.
func ncNormalize(tag cbasn1.Tag, v []byte) string {
	s, ok := directoryString(int(tag), v)
	if !ok {
		return fmt.Sprintf("%d:%x", tag, v)
	}
	return "s:" + strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// rdnsHavePrefix reports whether name starts with prefix, RDN by RDN, each RDN the same set.
func rdnsHavePrefix(name, prefix []ncRDN) bool {
	if len(prefix) > len(name) {
		return false
	}
	for i, p := range prefix {
		if !sameRDN(name[i], p) {
			return false
		}
	}
	return true
}

func sameRDN(a, b ncRDN) bool {
	if len(a) != len(b) {
		return false
	}
	used := make([]bool, len(b))
outer:
	for _, x := range a {
		for j, y := range b {
			if !used[j] && x == y {
				used[j] = true
				continue outer
			}
		}
		return false
	}
	return true
}

// ncName is one name of a certificate to issue, for checking and for messages.
type ncName struct {
	show  string // as --san writes it
	form  int    // a GeneralName tag
	value string // a DNS name or a mailbox
	ip    net.IP
	uri   *url.URL
}

// checkNameConstraints checks the subject (DER) and names of a certificate to issue against
// the name constraints of each CA in cas.
func checkNameConstraints(cas []*x509.Certificate, rawSubject []byte, sans SANs) error {
	var names []ncName
	for _, d := range sans.DNSNames {
		names = append(names, ncName{show: "dns:" + d, form: gnDNS, value: d})
	}
	for _, e := range sans.EmailAddresses {
		names = append(names, ncName{show: "email:" + e, form: gnEmail, value: e})
	}
	for _, ip := range sans.IPAddresses {
		names = append(names, ncName{show: "ip:" + ip.String(), form: gnIP, ip: ip})
	}
	for _, u := range sans.URIs {
		names = append(names, ncName{show: "uri:" + u.String(), form: gnURI, uri: u})
	}
	in := cryptobyte.String(rawSubject)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return fmt.Errorf("%w: the subject is not a DER Name", ErrInvalidName)
	}
	subject, ok := parseRDNs(seq)
	if !ok {
		return fmt.Errorf("%w: the subject is not a DER Name", ErrInvalidName)
	}
	// Names in the subject that verifiers hold to the SAN constraints.
	subjectNames, err := subjectConstrainedNames(rawSubject)
	if err != nil {
		return err
	}
	names = append(names, subjectNames...)

	for _, ca := range cas {
		nc, err := parseNameConstraints(ca)
		if err != nil {
			return err
		}
		if nc == nil {
			continue
		}
		if len(subject) > 0 {
			shown := "subject " + formatRawName(rawSubject)
			if len(nc.permitted.dir) > 0 {
				var all []string
				inside := false
				for _, p := range nc.permitted.dir {
					inside = inside || rdnsHavePrefix(subject, p.rdns)
					all = append(all, formatRawName(p.raw))
				}
				if !inside {
					return &NameConstraintError{CA: nc.ca, Name: shown, Constraint: "permitted directoryName subtrees " + strings.Join(all, "; ")}
				}
			}
			for _, x := range nc.excluded.dir {
				if rdnsHavePrefix(subject, x.rdns) {
					return &NameConstraintError{CA: nc.ca, Name: shown, Constraint: "excluded directoryName subtree " + formatRawName(x.raw)}
				}
			}
		}
		for _, n := range names {
			if err := nc.check(n); err != nil {
				return err
			}
		}
	}
	return nil
}

// check holds one name to the permitted and excluded subtrees of its form.
func (nc *nameConstraints) check(n ncName) error {
	var permitted, excluded []string
	var formName string
	var in func(constraint string, excluded bool) (bool, error)
	switch n.form {
	case gnDNS:
		formName, permitted, excluded = "dNSName", nc.permitted.dns, nc.excluded.dns
		in = func(c string, ex bool) (bool, error) { return dnsInSubtree(n.value, c, ex), nil }
	case gnEmail:
		formName, permitted, excluded = "rfc822Name", nc.permitted.email, nc.excluded.email
		in = func(c string, ex bool) (bool, error) { return emailInSubtree(n.value, c, ex), nil }
	case gnURI:
		formName, permitted, excluded = "uniformResourceIdentifier", nc.permitted.uri, nc.excluded.uri
		in = func(c string, ex bool) (bool, error) { return uriInSubtree(n.uri, c, ex) }
	case gnIP:
		for _, p := range nc.excluded.ip {
			if ipInSubtree(n.ip, p) {
				return &NameConstraintError{CA: nc.ca, Name: n.show, Constraint: "excluded iPAddress subtree " + ncIPString(p)}
			}
		}
		if len(nc.permitted.ip) == 0 {
			return nil
		}
		var all []string
		for _, p := range nc.permitted.ip {
			if ipInSubtree(n.ip, p) {
				return nil
			}
			all = append(all, ncIPString(p))
		}
		return &NameConstraintError{CA: nc.ca, Name: n.show, Constraint: "permitted iPAddress subtrees " + strings.Join(all, ", ")}
	}
	for _, c := range excluded {
		inside, err := in(c, true)
		if err != nil {
			return &NameConstraintError{CA: nc.ca, Name: n.show, Constraint: "excluded " + formName + " subtree " + ncQuote(c) + " (" + err.Error() + ")"}
		}
		if inside {
			return &NameConstraintError{CA: nc.ca, Name: n.show, Constraint: "excluded " + formName + " subtree " + ncQuote(c)}
		}
	}
	if len(permitted) == 0 {
		return nil
	}
	var quoted []string
	for _, c := range permitted {
		inside, err := in(c, false)
		if err != nil {
			return &NameConstraintError{CA: nc.ca, Name: n.show, Constraint: "permitted " + formName + " subtrees (" + err.Error() + ")"}
		}
		if inside {
			return nil
		}
		quoted = append(quoted, ncQuote(c))
	}
	return &NameConstraintError{CA: nc.ca, Name: n.show, Constraint: "permitted " + formName + " subtrees " + strings.Join(quoted, ", ")}
}

// ncQuote shows a constraint value safely (escaping what a hostile CA could put in it).
func ncQuote(s string) string { return escapeText(s) }

func ncIPString(n *net.IPNet) string {
	ones, bits := n.Mask.Size()
	if bits == 0 {
		return fmt.Sprintf("%v/%x", n.IP, []byte(n.Mask))
	}
	return fmt.Sprintf("%v/%d", n.IP, ones)
}

// subjectConstrainedNames are the names in a subject that verifiers hold to SAN constraints:
// emailAddress attributes (RFC 5280 requires it) and common names that are host names
// (OpenSSL does it).
func subjectConstrainedNames(rawSubject []byte) ([]ncName, error) {
	var rdns pkixRDNs
	if rest, err := asn1.Unmarshal(rawSubject, &rdns); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("%w: the subject is not a DER Name", ErrInvalidName)
	}
	var names []ncName
	for _, rdn := range rdns {
		for _, atv := range rdn {
			s, ok := atv.Value.(string)
			if !ok {
				continue
			}
			switch {
			case atv.Type.Equal(oidEmailAddress):
				names = append(names, ncName{show: "subject emailAddress " + escapeText(s), form: gnEmail, value: s})
			case atv.Type.Equal(oidCommonName) && strings.Contains(s, ".") && sanCheckDNS(s, true) == nil:
				names = append(names, ncName{show: "subject CN " + escapeText(s), form: gnDNS, value: s})
			}
		}
	}
	return names, nil
}

// dnsInSubtree reports whether name is in the subtree of a dNSName constraint. For an
// excluded subtree a wildcard name counts as inside when a name it matches is: *.example.com
// is inside the excluded subtree bad.example.com.
func dnsInSubtree(name, constraint string, excluded bool) bool {
	name, constraint = strings.ToLower(name), strings.ToLower(constraint)
	if domainWithin(name, constraint) {
		return true
	}
	if base, ok := strings.CutPrefix(name, "*."); ok && excluded && !strings.HasPrefix(constraint, ".") {
		label, rest, ok := strings.Cut(constraint, ".")
		return ok && label != "" && rest == base
	}
	return false
}

// domainWithin is crypto/x509's reading of a domain constraint: "" holds everything,
// ".example.com" the subdomains of example.com, "example.com" it and its subdomains.
func domainWithin(domain, constraint string) bool {
	if constraint == "" {
		return true
	}
	domain = strings.TrimSuffix(domain, ".")
	if c, ok := strings.CutPrefix(constraint, "."); ok {
		return strings.HasSuffix(domain, "."+c)
	}
	return domain == constraint || strings.HasSuffix(domain, "."+constraint)
}

// emailInSubtree reports whether a mailbox is in the subtree of an rfc822Name constraint.
func emailInSubtree(addr, constraint string, excluded bool) bool {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return false
	}
	local, domain := addr[:at], strings.ToLower(addr[at+1:])
	constraint = strings.ToLower(constraint)
	if i := strings.LastIndexByte(constraint, '@'); i >= 0 {
		// A mailbox: the local part compares exactly (it is case-sensitive), the host not.
		cl := constraint[:i]
		return strings.EqualFold(domain, constraint[i+1:]) && (local == cl || excluded && strings.EqualFold(local, cl))
	}
	if c, ok := strings.CutPrefix(constraint, "."); ok {
		return strings.HasSuffix(domain, "."+c)
	}
	if excluded {
		return domainWithin(domain, constraint)
	}
	return domain == constraint
}

// uriInSubtree reports whether a URI's host is in the subtree of a
// uniformResourceIdentifier constraint. A URI without a host name cannot be placed.
func uriInSubtree(u *url.URL, constraint string, excluded bool) (bool, error) {
	host := strings.ToLower(u.Hostname())
	switch {
	case host == "":
		return false, fmt.Errorf("the URI has no host to hold to it")
	case net.ParseIP(host) != nil:
		return false, fmt.Errorf("the URI's host is an IP address, which URI constraints cannot hold")
	}
	constraint = strings.ToLower(constraint)
	if c, ok := strings.CutPrefix(constraint, "."); ok {
		return strings.HasSuffix(host, "."+c), nil
	}
	if excluded {
		return domainWithin(host, constraint), nil
	}
	return host == constraint, nil
}

// ipInSubtree reports whether ip is in the network of an iPAddress constraint of its family.
func ipInSubtree(ip net.IP, n *net.IPNet) bool {
	if v4 := ip.To4(); v4 != nil && len(n.IP) == net.IPv4len {
		ip = v4
	}
	if len(ip) != len(n.IP) || len(n.Mask) != len(n.IP) {
		return false
	}
	for i := range ip {
		if ip[i]&n.Mask[i] != n.IP[i]&n.Mask[i] {
			return false
		}
	}
	return true
}
