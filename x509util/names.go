package x509util

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"strings"

	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/internal/pkixname"
)

// Printing names that came from elsewhere. A certificate's subject, a SAN or a CRL URL can
// hold any character its encoding allows, newlines and terminal escapes included; printed raw,
// "CN=a\nOK b" forges a second line of a report. FormatName and escapeText write every
// character that could disturb a terminal, a log or a reader as an escape, by the rules of
// internal/pkixname (EscapeValue, EscapeText), which prints the names of path validation too.

var oidCommonName = asn1.ObjectIdentifier{2, 5, 4, 3}

// FormatName returns name as an RFC 4514 string in the order pkix.Name.String writes it
// ("CN=alice,O=Example"), with the attribute names `openssl x509 -subject -nameopt RFC2253`
// prints (pkixname.AttributeName: DC, UID, emailAddress, serialNumber, street, ...; Go's own
// String writes SERIALNUMBER and the others as OID hex), and such that no character of a
// value can disturb what prints it: control characters (C0, DEL, C1), Unicode format characters
// (bidirectional overrides, zero-width characters), line and paragraph separators and bytes
// that are not UTF-8 are written as \XX, the hex of each UTF-8 byte (a newline is \0A), the
// escape RFC 4514 allows for any character. Every name signet prints from a certificate, CSR
// or CRL goes through it; other code printing a name should too.
func FormatName(name pkix.Name) string {
	// A parsed name (Names filled, ExtraNames not) prints in the order of its encoding, as
	// openssl prints it, rather than in pkix.Name's fixed order of fields (which put
	// "O=b,CN=a" as "CN=a,O=b" and every attribute without a field of its own last).
	// pkix.Name has already split multi-valued RDNs; formatRawName keeps them.
	if name.ExtraNames == nil && len(name.Names) > 0 {
		rdns := make(pkix.RDNSequence, len(name.Names))
		for i, atv := range name.Names {
			rdns[i] = []pkix.AttributeTypeAndValue{atv}
		}
		return formatRDNs(rdns)
	}
	return formatRDNs(name.ToRDNSequence())
}

// formatRawName formats a DER Name as FormatName does, keeping its order, multi-valued RDNs
// and string types (pkixname.FormatDN, verify's printing); a Name that does not parse is shown
// as # and its hex.
func formatRawName(der []byte) string {
	s, err := pkixname.FormatDN(der)
	if err != nil {
		return "#" + hex.EncodeToString(der)
	}
	return s
}

// formatRDNs is pkix.RDNSequence.String with the attribute names of pkixname.AttributeName
// (OpenSSL's) and unsafe characters escaped: a string value of a named type as text, any other
// value as # and the hex of its DER in capitals (as Go encodes it: a value parsed into a Go
// string has lost its string type).
func formatRDNs(r pkix.RDNSequence) string {
	var b strings.Builder
	for i := range r {
		rdn := r[len(r)-1-i]
		if i > 0 {
			b.WriteByte(',')
		}
		for j, tv := range rdn {
			if j > 0 {
				b.WriteByte('+')
			}
			typeName, named := pkixname.AttributeName(tv.Type)
			if !named {
				typeName = tv.Type.String()
			}
			b.WriteString(typeName)
			b.WriteByte('=')
			if s, ok := attributeString(tv.Value); ok && named {
				b.WriteString(pkixname.EscapeValue(s))
			} else if der, err := asn1.Marshal(tv.Value); err == nil {
				b.WriteString("#" + strings.ToUpper(hex.EncodeToString(der))) // hex: nothing to escape
			} else {
				b.WriteString(pkixname.EscapeValue(fmt.Sprint(tv.Value)))
			}
		}
	}
	return b.String()
}

// escapeText makes a name that is not a DN (a SAN, a URL) safe to print: a backslash as \\
// and unsafe characters as \XX (pkixname.EscapeText).
func escapeText(s string) string { return pkixname.EscapeText(s) }

// hasControl reports whether s holds a character FormatName would escape (pkixname.HasUnsafe).
func hasControl(s string) bool { return pkixname.HasUnsafe(s) }

// attributeString is the text of an attribute value as pkix holds it (a string, or a raw
// string-typed value: ParseDN's IA5String and #hex values), for checking that it prints as it
// is. A value of a single-byte or UTF-8 string type is its bytes as they are, which hasControl
// judges as a reader printing them raw would show them (a byte that is not UTF-8 is unsafe);
// a BMPString or UniversalString is decoded by pkixname.DecodeString.
func attributeString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case asn1.RawValue:
		if v.Class != asn1.ClassUniversal {
			return "", false
		}
		switch v.Tag {
		case asn1.TagUTF8String, asn1.TagPrintableString, asn1.TagIA5String, asn1.TagT61String, 26 /* VisibleString */, asn1.TagNumericString:
			return string(v.Bytes), true
		case asn1.TagBMPString, 28 /* UniversalString */ :
			return pkixname.DecodeString(cbasn1.Tag(v.Tag), v.Bytes)
		}
	}
	return "", false
}
