// Package pkixname compares X.509 names the way RFC 5280 says a relying party must: distinguished
// names after RFC 4518 string preparation (section 7.1), general names of every form, and name
// constraints (section 4.2.1.10) with their matching rules. It is shared by path validation
// (verify) and by issuing (x509util), so that a CA never signs what validation would refuse:
// there is one parser of names and name constraints (ParseDN, ParseGeneralName,
// ParseNameConstraints, which also refuses constraints RFC 5280's syntax forbids), one DN
// comparison (DN.Equal, DN.Within; the issuing reading below also asks OpenSSL's narrower one
// of a permitted subtree), one decoding of string values (DecodeString), one set of
// escaping rules for printing names (EscapeValue, EscapeText, HasUnsafe) and one table of the
// attribute names printed (AttributeName, OpenSSL's; x509util.FormatName uses it too).
//
// Checker matches names against constraints in two readings. The zero value is the
// verification reading, RFC 5280's, for a relying party. Checker.Conservative is the issuing
// reading, for a CA about to sign: where verifiers disagree (crypto/x509, OpenSSL and RFC 5280
// read a few constraints differently) it reads a permitted subtree narrowly and an excluded
// one broadly, so that an issued certificate passes every verifier; its doc lists how.
//
// crypto/x509 compares names byte for byte and parses only the DNS, email, IP and URI forms of
// general names; this package parses the DER itself with cryptobyte and keeps every form.
//
// # Limitations
//
// RFC 4518's prohibited code points are approximated: unassigned, private-use and non-character
// code points make a value compare byte for byte instead of after preparation. TeletexString is
// read as ISO 8859-1, as most software does. x400Address, ediPartyName, otherName and
// registeredID names are parsed and kept but cannot be matched against a constraint of their
// form: Checker.Check reports them as unsupported, as RFC 5280 4.2.1.10 allows.
package pkixname

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// ErrMalformed is wrapped by every parse error of this package.
var ErrMalformed = errors.New("malformed name")

// Attribute is one AttributeTypeAndValue of a distinguished name.
type Attribute struct {
	Type asn1.ObjectIdentifier
	// Tag is the ASN.1 tag of the value (12 UTF8String, 19 PrintableString, ...).
	Tag cbasn1.Tag
	// Value is the content octets of the value, as encoded.
	Value []byte
	// prepared is the value after RFC 4518 preparation, or the tag and bytes when the value is
	// not a string that can be prepared.
	prepared string
}

// RDN is a relative distinguished name: a set of attributes.
type RDN []Attribute

// DN is a parsed distinguished name: RDNs from the most significant (country, organisation)
// to the least (common name), as encoded.
type DN struct {
	RDNs []RDN
	// key is a canonical form: equal keys mean equal names under RFC 5280 7.1.
	key string
}

// OIDEmailAddress is PKCS #9 emailAddress, the legacy place for an email address in a subject.
var OIDEmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}

// maxAttributes bounds the attributes of one name: real names have a handful, and each one
// costs a string preparation.
const maxAttributes = 1024

// ParseDN parses a DER Name (a SEQUENCE OF RelativeDistinguishedName).
func ParseDN(der []byte) (*DN, error) { return parseDN(der, true) }

// FormatDN is ParseDN(der).String() without preparing the values for comparison (RFC 4518:
// case folding, NFKC), which printing does not use and which costs more than the parse:
// a `cert verify` report prints about 20 names.
func FormatDN(der []byte) (string, error) {
	dn, err := parseDN(der, false)
	if err != nil {
		return "", err
	}
	return dn.String(), nil
}

// parseDN parses der; prepare says whether to prepare the values and the key, which every
// method but String needs.
func parseDN(der []byte, prepare bool) (*DN, error) {
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, fmt.Errorf("%w: distinguished name is not a DER SEQUENCE", ErrMalformed)
	}
	dn := &DN{}
	attrs := 0
	var key strings.Builder
	for !seq.Empty() {
		var set cryptobyte.String
		if !seq.ReadASN1(&set, cbasn1.SET) || set.Empty() {
			return nil, fmt.Errorf("%w: relative distinguished name is not a non-empty SET", ErrMalformed)
		}
		var rdn RDN
		for !set.Empty() {
			if attrs++; attrs > maxAttributes {
				return nil, fmt.Errorf("%w: distinguished name with more than %d attributes", ErrMalformed, maxAttributes)
			}
			var atv cryptobyte.String
			var a Attribute
			var val cryptobyte.String
			if !set.ReadASN1(&atv, cbasn1.SEQUENCE) || !atv.ReadASN1ObjectIdentifier(&a.Type) ||
				!atv.ReadAnyASN1(&val, &a.Tag) || !atv.Empty() {
				return nil, fmt.Errorf("%w: bad attribute in distinguished name", ErrMalformed)
			}
			a.Value = val
			if prepare {
				a.prepared = prepareValue(a.Tag, val)
			}
			rdn = append(rdn, a)
		}
		dn.RDNs = append(dn.RDNs, rdn)
		if prepare {
			key.WriteString(rdnKey(rdn))
			key.WriteByte(0)
		}
	}
	dn.key = key.String()
	return dn, nil
}

// Key returns a canonical form of the name: two names are equal under RFC 5280 7.1 exactly
// when their keys are equal. It is meant for map keys, not for display.
func (d *DN) Key() string { return d.key }

// Empty reports whether the name has no RDN.
func (d *DN) Empty() bool { return len(d.RDNs) == 0 }

// Equal compares two names as RFC 5280 7.1 says: same number of RDNs, each with the same set of
// attribute types and values, values compared after RFC 4518 preparation (case folding, Unicode
// normalisation, insignificant space), whatever their string types.
func (d *DN) Equal(o *DN) bool { return d.key == o.key }

// Within reports whether d is within the subtree named by base: base's RDNs are the first RDNs
// of d (RFC 5280 4.2.1.10, directoryName constraints).
func (d *DN) Within(base *DN) bool {
	if len(base.RDNs) > len(d.RDNs) {
		return false
	}
	for i, r := range base.RDNs {
		if rdnKey(r) != rdnKey(d.RDNs[i]) {
			return false
		}
	}
	return true
}

// withinASCII is Within under the narrower comparison OpenSSL applies to directoryName
// constraints: string values, whatever their type, equal once leading and trailing ASCII
// white space is removed, inner runs of it are made one space and ASCII letters are lower
// case; nothing else is folded or normalised. Checker's issuing reading uses it beside Within.
func (d *DN) withinASCII(base *DN) bool {
	if len(base.RDNs) > len(d.RDNs) {
		return false
	}
	for i, r := range base.RDNs {
		if rdnKeyOf(r, asciiValue) != rdnKeyOf(d.RDNs[i], asciiValue) {
			return false
		}
	}
	return true
}

// asciiValue is the form withinASCII compares a value in: "s:" and the string with ASCII
// white space and case folded, or, like prepareValue, "b:" and the tag and bytes of anything
// else.
func asciiValue(a Attribute) string {
	s, ok := DecodeString(a.Tag, a.Value)
	if !ok {
		return bytesValue(a.Tag, a.Value)
	}
	var b strings.Builder
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r >= '\t' && r <= '\r' }) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		for _, c := range []byte(f) {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			b.WriteByte(c)
		}
	}
	return "s:" + b.String()
}

// Values returns the values of attributes of type t, decoded as text; values that are not
// strings are skipped.
func (d *DN) Values(t asn1.ObjectIdentifier) []string {
	var out []string
	for _, r := range d.RDNs {
		for _, a := range r {
			if a.Type.Equal(t) {
				if s, ok := DecodeString(a.Tag, a.Value); ok {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// rdnKey is the canonical form of an RDN: its attributes' canonical forms, sorted, since an RDN
// is a set.
func rdnKey(r RDN) string { return rdnKeyOf(r, func(a Attribute) string { return a.prepared }) }

// rdnKeyOf is rdnKey with the values in the form value gives them.
func rdnKeyOf(r RDN, value func(Attribute) string) string {
	keys := make([]string, len(r))
	for i, a := range r {
		keys[i] = a.Type.String() + "=" + value(a)
	}
	if len(keys) > 1 {
		slices.Sort(keys)
	}
	return strings.Join(keys, "\x01")
}

// String tags that hold text.
const (
	tagUTF8      = cbasn1.Tag(12)
	tagPrintable = cbasn1.Tag(19)
	tagTeletex   = cbasn1.Tag(20)
	tagIA5       = cbasn1.Tag(22)
	tagVisible   = cbasn1.Tag(26)
	tagUniversal = cbasn1.Tag(28)
	tagBMP       = cbasn1.Tag(30)
)

// DecodeString decodes an attribute value of one of the string types a name holds to UTF-8:
// UTF8String, PrintableString, IA5String and VisibleString (ASCII), TeletexString (read as
// ISO 8859-1), BMPString (UTF-16) and UniversalString (UTF-32). tag is the value's universal
// tag and v its content octets. ok is false for any other tag and for content that is not
// valid in its type (bad UTF-8, a byte above 0x7F in an ASCII type, an odd length), so that
// such a value is compared byte for byte rather than as text.
func DecodeString(tag cbasn1.Tag, v []byte) (string, bool) {
	switch tag {
	case tagUTF8:
		if !utf8.Valid(v) {
			return "", false
		}
		return string(v), true
	case tagPrintable, tagIA5, tagVisible:
		for _, b := range v {
			if b >= 0x80 {
				return "", false
			}
		}
		return string(v), true
	case tagTeletex:
		// Read as ISO 8859-1, as most software does.
		r := make([]rune, len(v))
		for i, b := range v {
			r[i] = rune(b)
		}
		return string(r), true
	case tagBMP:
		if len(v)%2 != 0 {
			return "", false
		}
		u := make([]uint16, len(v)/2)
		for i := range u {
			u[i] = uint16(v[2*i])<<8 | uint16(v[2*i+1])
		}
		return string(utf16.Decode(u)), true
	case tagUniversal:
		if len(v)%4 != 0 {
			return "", false
		}
		r := make([]rune, len(v)/4)
		for i := range r {
			r[i] = rune(uint32(v[4*i])<<24 | uint32(v[4*i+1])<<16 | uint32(v[4*i+2])<<8 | uint32(v[4*i+3]))
			if !utf8.ValidRune(r[i]) {
				return "", false
			}
		}
		return string(r), true
	}
	return "", false
}

var folder = cases.Fold()

// prepareValue returns the canonical form of an attribute value: "s:" and the RFC 4518
// caseIgnoreMatch preparation of a string value, or "b:" and the tag and bytes of anything
// else (compared exactly).
func prepareValue(tag cbasn1.Tag, v []byte) string {
	if s, ok := DecodeString(tag, v); ok {
		if p, ok := Prepare(s); ok {
			return "s:" + p
		}
	}
	return bytesValue(tag, v)
}

// bytesValue is the canonical form of a value compared byte for byte: "b:", its tag and bytes.
func bytesValue(tag cbasn1.Tag, v []byte) string { return fmt.Sprintf("b:%d:%x", tag, v) }

// Prepare applies RFC 4518 string preparation for caseIgnoreMatch: map (drop ignorable
// characters, whitespace to SPACE, case fold), NFKC, check for prohibited code points, then
// remove insignificant space (trim, and collapse inner runs to one space). ok is false when the
// string holds a prohibited code point; such values compare byte for byte.
func Prepare(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == 0x00AD || r == 0x1806 || r == 0x034F || r == 0x200B || r == 0xFFFC ||
			(r >= 0x180B && r <= 0x180D) || (r >= 0xFE00 && r <= 0xFE0F):
			// mapped to nothing (RFC 4518 2.2)
		case r == '\t' || r == '\n' || r == '\v' || r == '\f' || r == '\r' || r == 0x85:
			b.WriteByte(' ')
		case r <= 0x08 || (r >= 0x0E && r <= 0x1F) || (r >= 0x7F && r <= 0x84) || (r >= 0x86 && r <= 0x9F):
			// control characters: mapped to nothing
		case unicode.Is(unicode.Zs, r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	folded := norm.NFKC.String(folder.String(b.String()))
	for _, r := range folded {
		if r == utf8.RuneError || unicode.Is(unicode.Co, r) || unicode.Is(unicode.Cs, r) ||
			(r >= 0xFDD0 && r <= 0xFDEF) || r&0xFFFE == 0xFFFE || !unicode.IsPrint(r) && r != ' ' && !unicode.Is(unicode.Mn, r) && !unicode.Is(unicode.Cf, r) {
			return "", false
		}
	}
	return strings.Join(strings.Fields(folded), " "), true
}

// EqualDER compares two DER names under RFC 5280 7.1. Names that do not parse are equal only
// when their bytes are.
func EqualDER(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	da, err := ParseDN(a)
	if err != nil {
		return false
	}
	db, err := ParseDN(b)
	if err != nil {
		return false
	}
	return da.Equal(db)
}

// Append returns the name made of d followed by one more RDN, given as the DER of its SET (as
// a distribution point's nameRelativeToCRLIssuer is added to the CRL issuer's name).
func (d *DN) Append(rdnSet []byte) (*DN, error) {
	var b []byte
	b = append(b, 0x30)
	// Parse the RDN on its own by wrapping it in a SEQUENCE.
	inner := rdnSet
	b = appendLength(b, len(inner))
	b = append(b, inner...)
	extra, err := ParseDN(b)
	if err != nil {
		return nil, err
	}
	out := &DN{RDNs: append(append([]RDN(nil), d.RDNs...), extra.RDNs...)}
	out.key = d.key + extra.key
	return out, nil
}

func appendLength(b []byte, n int) []byte {
	switch {
	case n < 0x80:
		return append(b, byte(n))
	case n < 0x100:
		return append(b, 0x81, byte(n))
	case n < 0x10000:
		return append(b, 0x82, byte(n>>8), byte(n))
	default:
		return append(b, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
}

// MailboxSyntax returns why s is not an RFC 5321 Mailbox (local-part "@" domain, the form RFC
// 5280 4.2.1.6 requires of rfc822Name), "" when it is one.
func MailboxSyntax(s string) string {
	i := strings.LastIndexByte(s, '@')
	if i <= 0 || i == len(s)-1 {
		return "not of the form local@domain"
	}
	local, domain := s[:i], s[i+1:]
	if strings.HasSuffix(domain, ".") {
		return "the domain ends with a dot"
	}
	if why := hostSyntax(domain, false); why != "" {
		if !(strings.HasPrefix(domain, "[") && strings.HasSuffix(domain, "]")) {
			return "domain: " + why
		}
	}
	if strings.HasPrefix(local, `"`) {
		if len(local) < 2 || !strings.HasSuffix(local, `"`) {
			return "unterminated quoted local part"
		}
		return ""
	}
	if strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return "a dot at the edge of the local part or two in a row"
	}
	for _, c := range []byte(local) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-/=?^_`{|}~.", c) >= 0:
		default:
			return fmt.Sprintf("character %q is not allowed in an unquoted local part", c)
		}
	}
	return ""
}
