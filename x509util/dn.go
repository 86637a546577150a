package x509util

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// dnAttribute is an attribute type signet knows by name.
type dnAttribute struct {
	oid    asn1.ObjectIdentifier
	name   string // canonical short name, for messages
	tag    int    // string type: asn1.TagPrintableString, TagIA5String, or 0 for DirectoryString
	maxLen int    // upper bound in characters from RFC 5280 appendix A, 0 for none
}

// dnAttributes maps the lowercased names accepted in a DN to their attribute types. Built on
// first use, not at start-up: most runs parse no DN.
var dnAttributes = sync.OnceValue(func() map[string]dnAttribute {
	m := map[string]dnAttribute{}
	add := func(a dnAttribute, names ...string) {
		for _, n := range names {
			m[strings.ToLower(n)] = a
		}
	}
	add(dnAttribute{asn1.ObjectIdentifier{2, 5, 4, 3}, "CN", 0, 64}, "CN", "commonName")
	add(dnAttribute{asn1.ObjectIdentifier{2, 5, 4, 6}, "C", asn1.TagPrintableString, 2}, "C", "countryName")
	add(dnAttribute{asn1.ObjectIdentifier{2, 5, 4, 10}, "O", 0, 64}, "O", "organizationName")
	add(dnAttribute{asn1.ObjectIdentifier{2, 5, 4, 11}, "OU", 0, 64}, "OU", "organizationalUnitName")
	add(dnAttribute{asn1.ObjectIdentifier{2, 5, 4, 7}, "L", 0, 128}, "L", "localityName")
	add(dnAttribute{asn1.ObjectIdentifier{2, 5, 4, 8}, "ST", 0, 128}, "ST", "stateOrProvinceName")
	add(dnAttribute{asn1.ObjectIdentifier{2, 5, 4, 9}, "STREET", 0, 128}, "STREET", "streetAddress")
	add(dnAttribute{asn1.ObjectIdentifier{2, 5, 4, 17}, "postalCode", 0, 40}, "postalCode")
	add(dnAttribute{asn1.ObjectIdentifier{2, 5, 4, 5}, "serialNumber", asn1.TagPrintableString, 64}, "serialNumber")
	add(dnAttribute{asn1.ObjectIdentifier{2, 5, 4, 12}, "title", 0, 64}, "title")
	add(dnAttribute{asn1.ObjectIdentifier{2, 5, 4, 42}, "GN", 0, 0}, "GN", "givenName")
	add(dnAttribute{asn1.ObjectIdentifier{2, 5, 4, 4}, "SN", 0, 0}, "SN", "surname")
	add(dnAttribute{asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, "DC", asn1.TagIA5String, 0}, "DC", "domainComponent")
	add(dnAttribute{asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}, "UID", 0, 0}, "UID", "userId")
	add(dnAttribute{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, "emailAddress", asn1.TagIA5String, 255}, "emailAddress", "E", "email")
	// The rest of the names signet prints (internal/pkixname's table, OpenSSL's short names),
	// so that a printed name can be given back to --subject. Bounds from RFC 5280 appendix A
	// and X.520.
	add(dnAttribute{asn1.ObjectIdentifier{2, 5, 4, 13}, "description", 0, 1024}, "description")
	add(dnAttribute{asn1.ObjectIdentifier{2, 5, 4, 15}, "businessCategory", 0, 128}, "businessCategory")
	add(dnAttribute{asn1.ObjectIdentifier{2, 5, 4, 18}, "postOfficeBox", 0, 40}, "postOfficeBox")
	add(dnAttribute{asn1.ObjectIdentifier{2, 5, 4, 20}, "telephoneNumber", asn1.TagPrintableString, 32}, "telephoneNumber")
	add(dnAttribute{asn1.ObjectIdentifier{2, 5, 4, 41}, "name", 0, 32768}, "name")
	add(dnAttribute{asn1.ObjectIdentifier{2, 5, 4, 43}, "initials", 0, 32768}, "initials")
	add(dnAttribute{asn1.ObjectIdentifier{2, 5, 4, 44}, "generationQualifier", 0, 32768}, "generationQualifier")
	add(dnAttribute{asn1.ObjectIdentifier{2, 5, 4, 46}, "dnQualifier", asn1.TagPrintableString, 0}, "dnQualifier")
	add(dnAttribute{asn1.ObjectIdentifier{2, 5, 4, 65}, "pseudonym", 0, 128}, "pseudonym")
	add(dnAttribute{asn1.ObjectIdentifier{2, 5, 4, 72}, "role", 0, 0}, "role")
	add(dnAttribute{asn1.ObjectIdentifier{2, 5, 4, 97}, "organizationIdentifier", 0, 0}, "organizationIdentifier")
	add(dnAttribute{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 1}, "jurisdictionL", 0, 128}, "jurisdictionL", "jurisdictionLocalityName")
	add(dnAttribute{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 2}, "jurisdictionST", 0, 128}, "jurisdictionST", "jurisdictionStateOrProvinceName")
	add(dnAttribute{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 3}, "jurisdictionC", asn1.TagPrintableString, 2}, "jurisdictionC", "jurisdictionCountryName")
	add(dnAttribute{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 2}, "unstructuredName", asn1.TagIA5String, 0}, "unstructuredName")
	return m
})

// DNAttributeNames returns the attribute short names ParseDN accepts besides dotted OIDs. The
// list is a copy.
func DNAttributeNames() []string { return slices.Clone(dnAttributeNames) }

var dnAttributeNames = []string{"CN", "C", "O", "OU", "L", "ST", "STREET", "postalCode", "serialNumber", "title", "GN", "SN", "DC", "UID", "emailAddress (E)",
	"description", "businessCategory", "postOfficeBox", "telephoneNumber", "name", "initials", "generationQualifier", "dnQualifier",
	"pseudonym", "role", "organizationIdentifier", "jurisdictionL", "jurisdictionST", "jurisdictionC", "unstructuredName"}

// ParseDN parses a distinguished name in either of the forms people write:
//
//   - RFC 4514, as LDAP and `openssl -nameopt RFC2253` print it: "CN=alice,O=Example Corp,C=US".
//     The most specific RDN comes first, so the ASN.1 order is the reverse of the written one.
//     Special characters in values are escaped with a backslash (\, \+ \" \\ \< \> \; \=, a
//     leading \# or \  and a trailing \ ) or as hex (\2C, \C3\A9 for UTF-8); "+" joins the
//     attributes of a multi-valued RDN ("CN=alice+UID=42,O=Example"); a value "#04..." is the
//     hex of a BER encoding. Spaces around "," "+" and "=" are ignored.
//   - OpenSSL's -subj form: "/C=US/O=Example Corp/CN=alice", in ASN.1 order, with "\/" for a
//     slash in a value, "\+" for a plus, and "+" joining a multi-valued RDN. Values are taken
//     as written, spaces included.
//
// Either way `openssl req -noout -subject` later shows "C = US, O = Example Corp, CN = alice".
//
// Attribute types are the names in DNAttributeNames (case-insensitive, long names such as
// commonName too) or dotted OIDs (whose values are encoded as strings). C must be two letters
// and serialNumber a PrintableString; emailAddress and DC are encoded as IA5String, other
// attributes as PrintableString when they fit and UTF8String otherwise. Values must not be
// empty or longer than RFC 5280's upper bounds (64 characters for CN, O and OU), and must not
// hold control characters, Unicode format characters (bidirectional overrides, zero-width
// characters) or line separators, however written (a \0A escape is refused like a newline).
//
// The returned Name has the usual fields filled for reading (CommonName, Organization, ...)
// and every attribute, in order, in ExtraNames, which is what crypto/x509 marshals, so the
// written order survives in certificates and CSRs. pkix.Name cannot hold a multi-valued RDN:
// through it, "CN=alice+UID=42" becomes two consecutive RDNs. ParseRDNSequence keeps it.
//
// Errors are a *NameError (wrapping ErrInvalidName) that says what is wrong.
func ParseDN(s string) (pkix.Name, error) {
	seq, err := ParseRDNSequence(s)
	if err != nil {
		return pkix.Name{}, err
	}
	var n pkix.Name
	n.FillFromRDNSequence(&seq)
	for _, rdn := range seq {
		n.ExtraNames = append(n.ExtraNames, rdn...)
	}
	return n, nil
}

// ParseRDNSequence parses s as ParseDN does and returns the RDNs in ASN.1 order (most general
// first), multi-valued RDNs kept. asn1.Marshal of the result is the DER Name, usable as
// RawSubject in crypto/x509 templates.
func ParseRDNSequence(s string) (pkix.RDNSequence, error) {
	var (
		seq pkix.RDNSequence
		err error
	)
	if trimmed := strings.TrimLeft(s, " "); strings.HasPrefix(trimmed, "/") {
		seq, err = dnParseSlash(trimmed)
	} else {
		seq, err = dnParse4514(s)
		// RFC 4514 writes the last RDN of the ASN.1 sequence first.
		for i, j := 0, len(seq)-1; i < j; i, j = i+1, j-1 {
			seq[i], seq[j] = seq[j], seq[i]
		}
	}
	if err != nil {
		return nil, &NameError{Kind: "distinguished name", Input: s, Reason: err.Error()}
	}
	if len(seq) == 0 {
		return nil, &NameError{Kind: "distinguished name", Input: s, Reason: "empty (write for example CN=alice,O=Example or /O=Example/CN=alice)"}
	}
	if _, err := asn1.Marshal(seq); err != nil {
		return nil, &NameError{Kind: "distinguished name", Input: s, Reason: err.Error()}
	}
	return seq, nil
}

// NameError is a distinguished name or subject alternative name that cannot be used: what
// kind of name, the input as given and why. It wraps ErrInvalidName; callers that print the
// reason in their own words (a flag's name first) take the fields rather than cutting up the
// message.
type NameError struct {
	Kind   string // "distinguished name" or "subject alternative name"
	Input  string
	Reason string
}

func (e *NameError) Error() string {
	return fmt.Sprintf("%v: %s %q: %s", ErrInvalidName, e.Kind, e.Input, e.Reason)
}

func (e *NameError) Unwrap() error { return ErrInvalidName }

// dnErr is a parse error without the sentinel, which ParseRDNSequence adds.
func dnErr(format string, args ...any) error { return fmt.Errorf(format, args...) }

// dnAttributeValue checks a parsed attribute and builds its AttributeTypeAndValue.
func dnAttributeValue(typ string, value []byte, raw bool) (pkix.AttributeTypeAndValue, error) {
	typ = strings.TrimSpace(typ)
	var atv pkix.AttributeTypeAndValue
	if typ == "" {
		return atv, dnErr("missing attribute type before %q", "="+string(value))
	}
	attr, known := dnAttributes()[strings.ToLower(typ)]
	if !known {
		oid, err := dnParseOID(typ)
		if err != nil {
			return atv, err
		}
		attr = dnAttribute{oid: oid, name: typ}
		for _, a := range dnAttributes() { // a dotted OID of a known attribute gets its rules
			if a.oid.Equal(oid) {
				attr = a
				break
			}
		}
	}
	atv.Type = attr.oid
	if raw { // #hex form: a BER value used as it is
		var rv asn1.RawValue
		if rest, err := asn1.Unmarshal(value, &rv); err != nil || len(rest) > 0 {
			return atv, dnErr("the #hex value of %s is not one BER-encoded value", attr.name)
		}
		if s, ok := attributeString(rv); ok && hasControl(s) {
			return atv, dnErr("the #hex value of %s holds a control or invisible formatting character (%s)", attr.name, escapeText(s))
		}
		atv.Value = rv
		return atv, nil
	}
	if len(value) == 0 {
		return atv, dnErr("attribute %s has an empty value", attr.name)
	}
	if !utf8.Valid(value) {
		return atv, dnErr("the value of %s is not valid UTF-8", attr.name)
	}
	v := string(value)
	if strings.ContainsRune(v, 0) {
		return atv, dnErr("the value of %s contains a NUL character", attr.name)
	}
	if hasControl(v) {
		// A newline or a terminal escape in a name lets it print as something else.
		return atv, dnErr("the value of %s holds a control or invisible formatting character (%s)", attr.name, escapeText(v))
	}
	if n := utf8.RuneCountInString(v); attr.maxLen > 0 && n > attr.maxLen && attr.tag != asn1.TagPrintableString {
		return atv, dnErr("the value of %s is %d characters long; RFC 5280 allows at most %d", attr.name, n, attr.maxLen)
	}
	switch attr.tag {
	case asn1.TagPrintableString:
		if (attr.name == "C" || attr.name == "jurisdictionC") && (len(v) != 2 || !dnIsLetters(v)) {
			return atv, dnErr("%s must be a two-letter country code (ISO 3166), not %q", attr.name, v)
		}
		if !dnIsPrintable(v) {
			return atv, dnErr("the value of %s may use only letters, digits, spaces and '()+,-./:=?", attr.name)
		}
		if attr.maxLen > 0 && len(v) > attr.maxLen {
			return atv, dnErr("the value of %s is %d characters long; RFC 5280 allows at most %d", attr.name, len(v), attr.maxLen)
		}
		atv.Value = v // Go marshals a printable string as PrintableString
	case asn1.TagIA5String:
		for _, r := range v {
			if r >= utf8.RuneSelf || r < 0x20 || r == 0x7f {
				return atv, dnErr("the value of %s must be printable ASCII (IA5String)", attr.name)
			}
		}
		atv.Value = asn1.RawValue{Tag: asn1.TagIA5String, Bytes: []byte(v)}
	default:
		atv.Value = v // PrintableString when it fits, else UTF8String
	}
	return atv, nil
}

func dnIsLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func dnIsPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte(" '()+,-./:=?", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// dnParseOID parses a dotted OID used as an attribute type.
func dnParseOID(s string) (asn1.ObjectIdentifier, error) {
	unknown := func() error {
		names := make([]string, 0, len(dnAttributeNames))
		names = append(names, dnAttributeNames...)
		sort.Strings(names)
		return dnErr("unknown attribute type %q (use one of %s, or a dotted OID such as 2.5.4.3)", s, strings.Join(names, ", "))
	}
	if s == "" || s[0] < '0' || s[0] > '9' || !strings.Contains(s, ".") {
		return nil, unknown()
	}
	if oid, ok := ParseDottedOID(s); ok {
		return oid, nil
	}
	// Say which: not numbers and dots, or numbers whose first arcs no OID has.
	for _, arc := range strings.Split(s, ".") {
		if arc == "" || strings.Trim(arc, "0123456789") != "" || len(arc) > 1 && arc[0] == '0' || len(arc) > 18 {
			return nil, dnErr("attribute type %q is not a dotted OID", s)
		}
	}
	return nil, dnErr("attribute type %q is not a valid OID (the first arc 0, 1 or 2, the second under 40 after 0 or 1, each arc under 2^31)", s)
}

// ParseDottedOID reads an OID written as dotted decimal ("2.5.4.3") with x509.ParseOID, which
// checks its form and its first two arcs, and returns it as an asn1.ObjectIdentifier. Only
// the form x509.OID prints back is taken: no leading zeros, no sign. Only an OID that
// encoding/asn1 and cryptobyte (crypto/x509's reader) read back from its DER is taken: no
// arc, and not 40*X+Y of the first two, over 31 bits; signet would otherwise write a name,
// or a TSA a policy into every token, that it cannot read itself.
func ParseDottedOID(s string) (asn1.ObjectIdentifier, bool) {
	o, err := x509.ParseOID(s)
	if err != nil || o.String() != s {
		return nil, false
	}
	arcs := strings.Split(s, ".")
	oid := make(asn1.ObjectIdentifier, len(arcs))
	for i, arc := range arcs {
		n, err := strconv.Atoi(arc)
		if err != nil {
			return nil, false
		}
		oid[i] = n
	}
	der, err := asn1.Marshal(oid)
	if err != nil {
		return nil, false
	}
	var back asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(der, &back); err != nil || len(rest) != 0 || !back.Equal(oid) {
		return nil, false
	}
	return oid, true
}

// dnParse4514 parses an RFC 4514 string into RDNs in the order written.
func dnParse4514(s string) (pkix.RDNSequence, error) {
	var (
		seq pkix.RDNSequence
		rdn pkix.RelativeDistinguishedNameSET
		i   int
	)
	skipSpaces := func() {
		for i < len(s) && s[i] == ' ' {
			i++
		}
	}
	skipSpaces()
	if i == len(s) {
		return nil, nil
	}
	for {
		// attributeType "="
		start := i
		for i < len(s) && s[i] != '=' && s[i] != ',' && s[i] != '+' {
			i++
		}
		typ := strings.TrimSpace(s[start:i])
		if i == len(s) || s[i] != '=' {
			if typ == "" {
				return nil, dnErr("empty attribute at offset %d (a stray ',' or '+'?)", start)
			}
			return nil, dnErr("missing '=' after %q", typ)
		}
		if strings.ContainsAny(typ, " \\\"") {
			return nil, dnErr("bad attribute type %q", typ)
		}
		i++ // '='
		skipSpaces()

		// attributeValue
		var (
			val     []byte
			keepLen int // length of val up to the last character that is not an unescaped space
			raw     bool
		)
		if i < len(s) && s[i] == '#' {
			raw = true
			start := i + 1
			for i < len(s) && s[i] != ',' && s[i] != '+' {
				i++
			}
			h := strings.TrimRight(s[start:i], " ")
			b, err := hex.DecodeString(h)
			if err != nil || len(b) == 0 {
				return nil, dnErr("the value of %s starts with '#' but is not hex (write \\# for a literal '#')", typ)
			}
			val = b
		} else {
			for i < len(s) && s[i] != ',' && s[i] != '+' {
				c := s[i]
				switch {
				case c == '\\':
					if i+1 >= len(s) {
						return nil, dnErr("the value of %s ends with a lone '\\'", typ)
					}
					if h, ok := dnHexPair(s, i+1); ok {
						val = append(val, h)
						i += 3
					} else if strings.IndexByte(" \"#+,;<=>\\", s[i+1]) >= 0 {
						val = append(val, s[i+1])
						i += 2
					} else {
						return nil, dnErr("bad escape '\\%c' in the value of %s (escape only \\ \" # + , ; < = > space, or write two hex digits)", s[i+1], typ)
					}
					keepLen = len(val)
				case c == '"' || c == ';' || c == '<' || c == '>':
					return nil, dnErr("unescaped '%c' in the value of %s (write \\%c)", c, typ, c)
				case c == 0:
					return nil, dnErr("NUL character in the value of %s", typ)
				default:
					val = append(val, c)
					i++
					if c != ' ' {
						keepLen = len(val)
					}
				}
			}
			val = val[:keepLen] // unescaped trailing spaces are not part of the value
		}
		atv, err := dnAttributeValue(typ, val, raw)
		if err != nil {
			return nil, err
		}
		rdn = append(rdn, atv)

		if i == len(s) {
			seq = append(seq, rdn)
			return seq, nil
		}
		sep := s[i]
		i++
		skipSpaces()
		if i == len(s) {
			return nil, dnErr("the name ends with a stray '%c'", sep)
		}
		if sep == ',' {
			seq = append(seq, rdn)
			rdn = nil
		}
	}
}

func dnHexPair(s string, i int) (byte, bool) {
	if i+1 >= len(s) {
		return 0, false
	}
	b, err := hex.DecodeString(s[i : i+2])
	if err != nil {
		return 0, false
	}
	return b[0], true
}

// dnParseSlash parses OpenSSL's "/type=value/type=value+type=value" form, which is in ASN.1
// order. A backslash makes the next character literal.
func dnParseSlash(s string) (pkix.RDNSequence, error) {
	var (
		seq pkix.RDNSequence
		rdn pkix.RelativeDistinguishedNameSET
	)
	i := 1 // past the leading '/'
	if i == len(s) {
		return nil, nil
	}
	for {
		start := i
		for i < len(s) && s[i] != '=' && s[i] != '/' && s[i] != '+' {
			i++
		}
		typ := strings.TrimSpace(s[start:i])
		if i == len(s) || s[i] != '=' {
			if typ == "" {
				return nil, dnErr("empty component at offset %d (a stray '/' or '+'?)", start)
			}
			return nil, dnErr("missing '=' after %q", typ)
		}
		i++
		var val []byte
		for i < len(s) && s[i] != '/' && s[i] != '+' {
			if s[i] == '\\' {
				if i+1 >= len(s) {
					return nil, dnErr("the value of %s ends with a lone '\\'", typ)
				}
				i++
			}
			val = append(val, s[i])
			i++
		}
		atv, err := dnAttributeValue(typ, val, false)
		if err != nil {
			return nil, err
		}
		rdn = append(rdn, atv)
		if i == len(s) {
			return append(seq, rdn), nil
		}
		sep := s[i]
		i++
		if i == len(s) {
			return nil, dnErr("the name ends with a stray '%c'", sep)
		}
		if sep == '/' {
			seq = append(seq, rdn)
			rdn = nil
		}
	}
}
