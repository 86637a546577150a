package pkixname

import (
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/cryptobyte"
)

// The names of attribute types in printed names: the one table of DN.String (verify's
// names) and x509util.FormatName (every other name signet prints). They are OpenSSL's short
// names, so that a name prints as `openssl x509 -subject -nameopt RFC2253` prints it; an
// attribute not in the table prints as its dotted OID and the hex of its DER value (RFC 4514
// 2.4), as OpenSSL prints one it does not know.
var attributeTable = []struct {
	oid  asn1.ObjectIdentifier
	name string
}{
	{asn1.ObjectIdentifier{2, 5, 4, 3}, "CN"},
	{asn1.ObjectIdentifier{2, 5, 4, 4}, "SN"},
	{asn1.ObjectIdentifier{2, 5, 4, 5}, "serialNumber"},
	{asn1.ObjectIdentifier{2, 5, 4, 6}, "C"},
	{asn1.ObjectIdentifier{2, 5, 4, 7}, "L"},
	{asn1.ObjectIdentifier{2, 5, 4, 8}, "ST"},
	{asn1.ObjectIdentifier{2, 5, 4, 9}, "street"},
	{asn1.ObjectIdentifier{2, 5, 4, 10}, "O"},
	{asn1.ObjectIdentifier{2, 5, 4, 11}, "OU"},
	{asn1.ObjectIdentifier{2, 5, 4, 12}, "title"},
	{asn1.ObjectIdentifier{2, 5, 4, 13}, "description"},
	{asn1.ObjectIdentifier{2, 5, 4, 15}, "businessCategory"},
	{asn1.ObjectIdentifier{2, 5, 4, 17}, "postalCode"},
	{asn1.ObjectIdentifier{2, 5, 4, 18}, "postOfficeBox"},
	{asn1.ObjectIdentifier{2, 5, 4, 20}, "telephoneNumber"},
	{asn1.ObjectIdentifier{2, 5, 4, 41}, "name"},
	{asn1.ObjectIdentifier{2, 5, 4, 42}, "GN"},
	{asn1.ObjectIdentifier{2, 5, 4, 43}, "initials"},
	{asn1.ObjectIdentifier{2, 5, 4, 44}, "generationQualifier"},
	{asn1.ObjectIdentifier{2, 5, 4, 46}, "dnQualifier"},
	{asn1.ObjectIdentifier{2, 5, 4, 65}, "pseudonym"},
	{asn1.ObjectIdentifier{2, 5, 4, 72}, "role"},
	{asn1.ObjectIdentifier{2, 5, 4, 97}, "organizationIdentifier"},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 1}, "jurisdictionL"},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 2}, "jurisdictionST"},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 3}, "jurisdictionC"},
	{asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}, "UID"},
	{asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, "DC"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, "emailAddress"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 2}, "unstructuredName"},
}

// attributeNames is attributeTable by dotted OID: built on first use, not at init, which
// every signet command pays for (issue 15).
var attributeNames = sync.OnceValue(func() map[string]string {
	m := make(map[string]string, len(attributeTable))
	for _, a := range attributeTable {
		m[a.oid.String()] = a.name
	}
	return m
})

// AttributeName returns the name a printed DN gives the attribute type t (OpenSSL's short
// name: "CN", "DC", "emailAddress", "serialNumber"), false for a type printed as its OID.
func AttributeName(t asn1.ObjectIdentifier) (string, bool) {
	n, ok := attributeNames()[t.String()]
	return n, ok
}

// AttributeTypes returns the attribute types AttributeName names, in a fixed order. The list
// is a copy.
func AttributeTypes() []asn1.ObjectIdentifier {
	out := make([]asn1.ObjectIdentifier, len(attributeTable))
	for i, a := range attributeTable {
		out[i] = append(asn1.ObjectIdentifier(nil), a.oid...)
	}
	return out
}

// String prints a distinguished name in RFC 4514 order (most specific first) with the
// attribute names of AttributeName and their values escaped by EscapeValue, so that no name
// can forge a line of output; a type without a name, or a value that is not a string, is
// written as RFC 4514 and OpenSSL write it: the dotted OID (or the name) and # with the hex of
// the value's DER, in capitals. The RDNs print last to first, and so do the attributes of a
// multi-valued RDN (in the order of their DER SET), as OpenSSL prints them.
func (d *DN) String() string {
	var b strings.Builder
	for i := len(d.RDNs) - 1; i >= 0; i-- {
		if i < len(d.RDNs)-1 {
			b.WriteByte(',')
		}
		// The attributes of a multi-valued RDN last to first too, as OpenSSL prints them.
		rdn := d.RDNs[i]
		for j := range rdn {
			a := rdn[len(rdn)-1-j]
			if j > 0 {
				b.WriteByte('+')
			}
			name, named := AttributeName(a.Type)
			if !named {
				name = a.Type.String()
			}
			b.WriteString(name)
			b.WriteByte('=')
			if s, ok := DecodeString(a.Tag, a.Value); ok && named {
				b.WriteString(EscapeValue(s))
			} else {
				b.WriteString(valueHex(a))
			}
		}
	}
	return b.String()
}

// valueHex is # and the hex of an attribute value's DER encoding: its tag, length and content.
func valueHex(a Attribute) string {
	var bld cryptobyte.Builder
	bld.AddASN1(a.Tag, func(c *cryptobyte.Builder) { c.AddBytes(a.Value) })
	if der, err := bld.Bytes(); err == nil {
		return "#" + strings.ToUpper(hex.EncodeToString(der))
	}
	// A tag the builder does not write (a high tag number): the tag's number, then the content.
	return fmt.Sprintf("#%02X%X", uint8(a.Tag), a.Value)
}
