package x509util

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Printing names that came from elsewhere. A certificate's subject, a SAN or a CRL URL can
// hold any character its encoding allows, newlines and terminal escapes included; printed raw,
// "CN=a\nOK b" forges a second line of a report. FormatName and escapeText write every
// character that could disturb a terminal, a log or a reader as an escape.

var (
	oidCommonName   = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidEmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
)

type pkixRDNs = pkix.RDNSequence

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
var rdnTypeNames = map[string]string{
	"2.5.4.6": "C", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.3": "CN", "2.5.4.5": "SERIALNUMBER",
	"2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.9": "STREET", "2.5.4.17": "POSTALCODE",
}

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
			typeName, ok := rdnTypeNames[oid]
			if !ok {
				if der, err := asn1.Marshal(tv.Value); err == nil {
					b.WriteString(oid + "=#" + hex.EncodeToString(der))
					continue // hex: nothing to escape
				}
				typeName = oid
			}
			b.WriteString(typeName)
			b.WriteByte('=')
			writeRDNValue(&b, fmt.Sprint(tv.Value))
		}
	}
	return b.String()
}

// writeRDNValue escapes an attribute value as pkix does (RFC 4514's special characters) and
// writes unsafe characters as \XX.
func writeRDNValue(b *strings.Builder, v string) {
	for k := 0; k < len(v); {
		r, size := utf8.DecodeRuneInString(v[k:])
		switch {
		case unsafeRune(r, size):
			writeHexEscape(b, v[k:k+size])
		case strings.ContainsRune(`,+"\<>;`, r), r == ' ' && (k == 0 || k == len(v)-1), r == '#' && k == 0:
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteString(v[k : k+size])
		}
		k += size
	}
}

// escapeText makes a name that is not a DN (a SAN, a URL) safe to print: a backslash as \\
// and unsafe characters as \XX, so that an escape can never be mistaken for text.
func escapeText(s string) string {
	clean := true
	for k := 0; k < len(s); {
		r, size := utf8.DecodeRuneInString(s[k:])
		if r == '\\' || unsafeRune(r, size) {
			clean = false
			break
		}
		k += size
	}
	if clean {
		return s
	}
	var b strings.Builder
	for k := 0; k < len(s); {
		r, size := utf8.DecodeRuneInString(s[k:])
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case unsafeRune(r, size):
			writeHexEscape(&b, s[k:k+size])
		default:
			b.WriteString(s[k : k+size])
		}
		k += size
	}
	return b.String()
}

// unsafeRune reports whether a decoded rune must not be printed as it is: invalid UTF-8, a
// control character, a format character or a line or paragraph separator.
func unsafeRune(r rune, size int) bool {
	return r == utf8.RuneError && size <= 1 || unicode.IsControl(r) ||
		unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

func writeHexEscape(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(b, `\%02X`, s[i])
	}
}

// hasControl reports whether s holds a character FormatName would escape.
func hasControl(s string) bool {
	for k := 0; k < len(s); {
		r, size := utf8.DecodeRuneInString(s[k:])
		if unsafeRune(r, size) {
			return true
		}
		k += size
	}
	return false
}

// directoryString decodes the universal string types a name attribute may use; ok is false
// for any other tag.
func directoryString(tag int, v []byte) (string, bool) {
	switch tag {
	case asn1.TagUTF8String, asn1.TagPrintableString, asn1.TagIA5String, asn1.TagT61String, 26 /* VisibleString */, asn1.TagNumericString:
		return string(v), true
	case asn1.TagBMPString:
		if len(v)%2 != 0 {
			return "", false
		}
		u := make([]uint16, len(v)/2)
		for i := range u {
			u[i] = uint16(v[2*i])<<8 | uint16(v[2*i+1])
		}
		return string(utf16.Decode(u)), true
	}
	return "", false
}

// attributeString is the text of an attribute value as pkix holds it: a string, or a raw
// string-typed value (ParseDN's IA5String and #hex values).
func attributeString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case asn1.RawValue:
		if v.Class == asn1.ClassUniversal {
			return directoryString(v.Tag, v.Bytes)
		}
	}
	return "", false
}
