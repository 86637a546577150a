package digest

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// QuoteName quotes a file name for a diagnostic the way GNU coreutils does (gnulib's quotef:
// shell-escape quoting, colons quoted too), so that signet's messages name odd files like
// sha256sum's do: plain names stay as they are, "a b" becomes 'a b', "it's" becomes "it's", and
// control characters are written as $'\n'. It only ever goes into messages, never into
// checksum lists, which have their own escaping (see [Entry.AppendTo]).
func QuoteName(name string) string {
	if name == "" {
		return "''"
	}
	needs, control, single, dqCompatible := false, false, false, true
	for i := 0; i < len(name); {
		r, size := utf8.DecodeRuneInString(name[i:])
		switch {
		case r == utf8.RuneError && size <= 1, r < 0x20, r == 0x7f, r >= 0x80 && !unicode.IsPrint(r):
			needs, control = true, true
		case isQuoteSafe(r):
		case (r == '#' || r == '~') && i > 0:
			dqCompatible = false // harmless here, but gnulib then prefers '...'
		case r == '\'':
			needs, single = true, true
		case r == ' ' || r == '#' || r == '~':
			needs = true
		default: // shell specials, ':', '\\', and so on
			needs, dqCompatible = true, false
		}
		i += size
	}
	switch {
	case !needs:
		return name
	case control:
		q := quoteControl(name)
		// gnulib (coreutils 9.1) quotes a name with an apostrophe in a second pass, which
		// starts in the state the first ended in: after a name that ends in an escape, a
		// printable first character other than an apostrophe closes an escape never opened,
		// an empty '' after the opening quote ("a'\x80" is '''a'\'''$'\200'). That is still
		// correct shell, and signet writes it the same. A name that starts with an escape
		// loses its $' to the same stale state ('\200''a'\''b'$'\001' for "\x80a'b\x01":
		// a backslash, read as shell): there signet keeps the name correct.
		if single && name[0] != '\'' && printableAt(name, 0) && !printableLast(name) {
			q = "'''" + q[1:]
		}
		return q
	case single && dqCompatible:
		return `"` + name + `"`
	default:
		return "'" + strings.ReplaceAll(name, "'", `'\''`) + "'"
	}
}

func isQuoteSafe(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return true
	case r >= 0x80: // printable non-ASCII (the caller checked), as in a UTF-8 locale
		return true
	}
	return strings.ContainsRune("%+,-./]_{}@", r)
}

// printableAt reports whether the rune at byte i of name is one quoteControl writes as it is.
func printableAt(name string, i int) bool {
	r, size := utf8.DecodeRuneInString(name[i:])
	return isPrintableRune(r, size)
}

// printableLast reports whether the last rune of name is one quoteControl writes as it is.
func printableLast(name string) bool {
	r, size := utf8.DecodeLastRuneInString(name)
	return isPrintableRune(r, size)
}

func isPrintableRune(r rune, size int) bool {
	return !(r == utf8.RuneError && size <= 1) && r >= 0x20 && r != 0x7f && (r < 0x80 || unicode.IsPrint(r))
}

// quoteControl writes printable runs in single quotes and the rest as $'\ooo' escapes, so
// "new\nline" becomes
//
//	'new'$'\n''line'
//
// as gnulib's shell-escape-always style writes them: a run of unprintable bytes shares one
// $'...', and an apostrophe right after one closes it with its own quote, so "\x01'" becomes
//
//	''$'\001'\'''
func quoteControl(name string) string {
	var b strings.Builder
	b.WriteByte('\'')
	inEscape := false // inside $'...', not yet closed
	for i := 0; i < len(name); {
		r, size := utf8.DecodeRuneInString(name[i:])
		printable := isPrintableRune(r, size)
		switch {
		case printable && r == '\'':
			// Closes whichever quotes are open, $'...' or '...', and opens '...' again.
			b.WriteString(`'\''`)
			inEscape = false
		case printable:
			if inEscape {
				b.WriteString("''")
				inEscape = false
			}
			b.WriteString(name[i : i+size])
		default:
			if !inEscape {
				b.WriteString("'$'")
				inEscape = true
			}
			for j := i; j < i+size; j++ {
				switch c := name[j]; c {
				case '\a':
					b.WriteString(`\a`)
				case '\b':
					b.WriteString(`\b`)
				case '\f':
					b.WriteString(`\f`)
				case '\n':
					b.WriteString(`\n`)
				case '\r':
					b.WriteString(`\r`)
				case '\t':
					b.WriteString(`\t`)
				case '\v':
					b.WriteString(`\v`)
				default:
					b.WriteByte('\\')
					b.WriteByte('0' + c>>6)
					b.WriteByte('0' + c>>3&7)
					b.WriteByte('0' + c&7)
				}
			}
		}
		i += size
	}
	b.WriteByte('\'')
	return b.String()
}
