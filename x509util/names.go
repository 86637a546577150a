package x509util

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/internal/pkixname"
)

// Printing names that came from elsewhere. A certificate's subject, a SAN or a CRL URL can
// hold any character its encoding allows, newlines and terminal escapes included; printed raw,
// "CN=a\nOK b" forges a second line of a report. FormatName and escapeText write every
// character that could disturb a terminal, a log or a reader as an escape, by the rules of
// internal/pkixname (EscapeValue, EscapeText), which prints the names of path validation too.

var oidCommonName = asn1.ObjectIdentifier{2, 5, 4, 3}

// FormatName returns name as an RFC 4514 string, exactly as pkix.Name.String writes it (the
// same order and attribute names: "CN=alice,O=Example"), except that no character of a value
// can disturb what prints it: control characters (C0, DEL, C1), Unicode format characters
// (bidirectional overrides, zero-width characters), line and paragraph separators and bytes
// that are not UTF-8 are written as \XX, the hex of each UTF-8 byte (a newline is \0A), the
// escape RFC 4514 allows for any character. Every name signet prints from a certificate, CSR
// or CRL goes through it; other code printing a name should too.
func FormatName(name pkix.Name) string {
	var rdns pkix.RDNSequence
	// As pkix.Name.String: without ExtraNames, the parsed attributes that have no field of
	// their own come first (and so print last).
	if name.ExtraNames == nil {
		for _, atv := range name.Names {
			t := atv.Type
			if len(t) == 4 && t[0] == 2 && t[1] == 5 && t[2] == 4 {
				switch t[3] {
				case 3, 5, 6, 7, 8, 9, 10, 11, 17:
					continue
				}
			}
			rdns = append(rdns, []pkix.AttributeTypeAndValue{atv})
		}
	}
	return formatRDNs(append(rdns, name.ToRDNSequence()...))
}

// formatRawName formats a DER Name as FormatName does, keeping its order and multi-valued
// RDNs; a Name that does not parse is shown as # and its hex.
func formatRawName(der []byte) string {
	var rdns pkix.RDNSequence
	if rest, err := asn1.Unmarshal(der, &rdns); err != nil || len(rest) > 0 {
		return "#" + hex.EncodeToString(der)
	}
	return formatRDNs(rdns)
}

// rdnTypeNames are the attribute names pkix.RDNSequence.String uses; others print as OIDs.
var rdnTypeNames = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"2.5.4.6": "C", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.3": "CN", "2.5.4.5": "SERIALNUMBER",
		"2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.9": "STREET", "2.5.4.17": "POSTALCODE",
	}
})

// formatRDNs is pkix.RDNSequence.String with unsafe characters escaped.
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
			oid := tv.Type.String()
			typeName, ok := rdnTypeNames()[oid]
			if !ok {
				if der, err := asn1.Marshal(tv.Value); err == nil {
					b.WriteString(oid + "=#" + hex.EncodeToString(der))
					continue // hex: nothing to escape
				}
				typeName = oid
			}
			b.WriteString(typeName)
			b.WriteByte('=')
			b.WriteString(pkixname.EscapeValue(fmt.Sprint(tv.Value)))
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
