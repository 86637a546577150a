package pkixname

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printing names that came from elsewhere. A certificate's subject, a SAN or a CRL URL can
// hold any character its encoding allows, newlines and terminal escapes included; printed raw,
// "CN=a\nOK b" forges a second line of a report. These functions are the one set of escaping
// rules for every name signet prints (DN.String here, x509util.FormatName and what x509util
// prints of SANs): a character that could disturb a terminal, a log or a reader is written as
// \XX, the hex of each of its UTF-8 bytes (a newline is \0A), the escape RFC 4514 allows for
// any character.

// unsafeRune reports whether a decoded rune must not be printed as it is: invalid UTF-8 (a
// RuneError of one byte), a control character (C0, DEL, C1), a format character (bidirectional
// overrides, zero-width characters) or a line or paragraph separator.
// UnsafeRune reports whether a rune (decoded from size bytes) could forge or hide output on a
// terminal: a byte that is not UTF-8, a control character, a format character (bidirectional
// overrides, zero-width characters) or a line or paragraph separator. It is the one rule for
// every name signet prints.
func UnsafeRune(r rune, size int) bool { return unsafeRune(r, size) }

func unsafeRune(r rune, size int) bool {
	return r == utf8.RuneError && size <= 1 || unicode.IsControl(r) ||
		unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

func writeHexEscape(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(b, `\%02X`, s[i])
	}
}

// EscapeValue writes an attribute value of a distinguished name as RFC 4514 and
// pkix.Name.String escape it (a backslash before , + " \ < > ; and before a leading space or #
// or a trailing space) and every unsafe character (see HasUnsafe) as \XX. v need not be
// valid UTF-8: each byte that is not is written as \XX.
func EscapeValue(v string) string {
	var b strings.Builder
	for k := 0; k < len(v); {
		r, size := utf8.DecodeRuneInString(v[k:])
		switch {
		case unsafeRune(r, size):
			writeHexEscape(&b, v[k:k+size])
		case strings.ContainsRune(`,+"\<>;`, r), r == ' ' && (k == 0 || k == len(v)-1), r == '#' && k == 0:
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteString(v[k : k+size])
		}
		k += size
	}
	return b.String()
}

// EscapeText makes a name that is not a DN (a SAN, a URL) safe to print: a backslash as \\
// and unsafe characters (see HasUnsafe) as \XX, so that an escape can never be mistaken for
// text. A string without either is returned as it is.
func EscapeText(s string) string {
	if !strings.Contains(s, `\`) && !HasUnsafe(s) {
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

// HasUnsafe reports whether s holds a character EscapeValue and EscapeText write as \XX: a
// byte that is not UTF-8, a control character (C0, DEL, C1), a Unicode format character
// (bidirectional overrides, zero-width characters) or a line or paragraph separator.
func HasUnsafe(s string) bool {
	for k := 0; k < len(s); {
		r, size := utf8.DecodeRuneInString(s[k:])
		if unsafeRune(r, size) {
			return true
		}
		k += size
	}
	return false
}
