package digest

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Entry is one line of a checksum list, in either of the two forms GNU coreutils writes:
//
//	<hex>  <name>              (sha256sum; "<hex> *<name>" with the binary marker)
//	<TAG> (<name>) = <hex>     (sha256sum --tag, BSD style)
//
// A name containing a backslash, a newline or a carriage return is escaped as coreutils does
// it: the line starts with a backslash and the name has \\, \n and \r in place of those bytes.
type Entry struct {
	Algorithm Algorithm
	Digest    Digest
	Name      string
	Tagged    bool // BSD form
	Binary    bool // '*' marker before the name (untagged form only; informational on POSIX)
}

// AppendTo appends e as one list line, newline included, byte for byte as sha256sum (or
// sha256sum --tag, when e.Tagged) prints it.
func (e Entry) AppendTo(dst []byte) []byte {
	return e.appendLine(dst, nameNeedsEscape(e.Name), '\n')
}

// AppendZeroTo appends e as `sha256sum -z` (--zero) prints it: the name as it is, never
// escaped, and a NUL byte in place of the newline, for programs that split on NUL bytes
// (xargs -0). Such a list is not for checking: coreutils refuses --zero with --check, and
// ListParser reads newline-separated lines only.
func (e Entry) AppendZeroTo(dst []byte) []byte {
	return e.appendLine(dst, false, 0)
}

func (e Entry) appendLine(dst []byte, escape bool, end byte) []byte {
	if escape {
		dst = append(dst, '\\')
	}
	if e.Tagged {
		dst = append(dst, e.Algorithm.Tag()...)
		dst = append(dst, " ("...)
		dst = appendName(dst, e.Name, escape)
		dst = append(dst, ") = "...)
		dst = hex.AppendEncode(dst, e.Digest)
	} else {
		dst = hex.AppendEncode(dst, e.Digest)
		dst = append(dst, ' ')
		if e.Binary {
			dst = append(dst, '*')
		} else {
			dst = append(dst, ' ')
		}
		dst = appendName(dst, e.Name, escape)
	}
	return append(dst, end)
}

// String is the list line without its final newline.
func (e Entry) String() string {
	b := e.AppendTo(nil)
	return string(b[:len(b)-1])
}

// nameNeedsEscape is coreutils' problematic_chars: the names whose line gets a leading
// backslash.
func nameNeedsEscape(name string) bool {
	return strings.ContainsAny(name, "\\\n\r")
}

// appendName writes name, escaped like coreutils' print_filename when escape is set.
func appendName(dst []byte, name string, escape bool) []byte {
	if !escape {
		return append(dst, name...)
	}
	for i := 0; i < len(name); i++ {
		switch c := name[i]; c {
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// appendReportName writes a name as `sha256sum -c` does before ": OK": escaped (with a leading
// backslash) only when it contains a newline, the one case that would break the report into
// several lines.
func appendReportName(dst []byte, name string) []byte {
	if strings.IndexByte(name, '\n') < 0 {
		return append(dst, name...)
	}
	return appendName(append(dst, '\\'), name, true)
}

// LineError is a checksum list line that is in neither form. It wraps ErrMalformedList.
type LineError struct {
	List string // the list's name, "standard input" for "-"
	Line int    // 1-based
}

func (e *LineError) Error() string {
	return fmt.Sprintf("%s: %d: improperly formatted checksum line", QuoteName(e.List), e.Line)
}

func (e *LineError) Unwrap() error { return ErrMalformedList }

// ListParser parses checksum list lines the way GNU coreutils' `sha256sum -c` does (coreutils
// 9.x split_3 and bsd_split_3), with these rules:
//
//   - A line starting with '#' is a comment; empty lines are skipped; one trailing "\n" and
//     then one trailing "\r" are removed (so CRLF lists work).
//   - Leading blanks are skipped; a backslash then means an escaped name (only \\, \n and \r).
//   - BSD form: TAG, an optional space, "(", name up to the last ")", blanks, "=", blanks, hex.
//     The tag gives the algorithm (see [ParseTag]). In place of hex the digest may be in
//     padded base64, as `cksum --base64` writes it (coreutils 9.2 and later) and `cksum -c`
//     reads it; a base64 digest with stray bits in its last character is malformed.
//   - Untagged form: the digest, one blank, then ' ' or '*' and the name. Without a marker
//     ("<hex> <name>", as BSD `md5 -r` writes) the line is accepted only if the first untagged
//     line the parser saw had no marker either, and then every later one is read that way:
//     coreutils refuses to mix the two so that a renamed file with a leading space cannot
//     slip in. Like coreutils, this state lasts for the whole parser, across lists.
//   - The digest's length gives the algorithm of an untagged line when Algorithm is zero: 64
//     hex digits are SHA-256, 96 SHA-384, 128 SHA-512. SHA3-256 and SHA-512/256 lists (also 64
//     digits) need Algorithm set, or the BSD form.
//   - When Algorithm is set, a line of any other algorithm (tag or length) is malformed, as
//     coreutils' sha256sum treats a SHA512 line.
//   - Hex digits may be upper or lower case.
//
// Differences from coreutils, on purpose: OpenSSL's and BSD's tag spellings are accepted too
// (`openssl dgst -sha256 FILE` output can be checked); a line holding a NUL byte is malformed
// (coreutils would silently cut the name at the NUL); and ListReader drops a UTF-8 byte order
// mark at the start of a list, where coreutils would skip the first line as malformed.
type ListParser struct {
	// Algorithm, when not zero, is the only algorithm lines may use.
	Algorithm Algorithm

	form int8 // form of the untagged lines so far: formUnknown, formStandard or formReversed
}

const (
	formUnknown  = iota
	formStandard // "<hex>  <name>" or "<hex> *<name>"
	formReversed // "<hex> <name>"
)

// lineKind is what one line of a list turned out to be.
type lineKind int

const (
	lineSkip lineKind = iota // comment or empty
	lineEntry
	lineMalformed
)

// ParseLine parses one line (without or with its trailing newline). ok is false for a
// malformed line; a comment or empty line returns ok with skip set.
func (p *ListParser) ParseLine(line []byte) (e Entry, skip, ok bool) {
	switch k, e := p.parse(line, false); k {
	case lineSkip:
		return Entry{}, true, true
	case lineEntry:
		return e, false, true
	default:
		return Entry{}, false, false
	}
}

func (p *ListParser) parse(line []byte, fromStdin bool) (lineKind, Entry) {
	if len(line) > 0 && line[0] == '#' {
		return lineSkip, Entry{}
	}
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if len(line) == 0 {
		return lineSkip, Entry{}
	}
	if bytes.IndexByte(line, 0) >= 0 {
		return lineMalformed, Entry{}
	}
	e, ok := p.split(line)
	if !ok || (fromStdin && e.Name == "-") {
		return lineMalformed, Entry{}
	}
	return lineEntry, e
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func (p *ListParser) split(s []byte) (Entry, bool) {
	i := 0
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	escaped := false
	if i < len(s) && s[i] == '\\' {
		i++
		escaped = true
	}

	// BSD form: a known tag, an optional space, then "(".
	if j := bytes.IndexAny(s[i:], " ("); j > 0 {
		if a, ok := ParseTag(string(s[i : i+j])); ok {
			if p.Algorithm != 0 && a != p.Algorithm {
				return Entry{}, false
			}
			k := i + j
			if s[k] == ' ' {
				k++
			}
			if k >= len(s) || s[k] != '(' {
				return Entry{}, false
			}
			return bsdSplit(s[k+1:], a, escaped)
		}
	}

	// Untagged form.
	a := p.Algorithm
	if a == 0 {
		n := 0
		for i+n < len(s) && isHex(s[i+n]) {
			n++
		}
		var ok bool
		if a, ok = algorithmForHexLen(n); !ok {
			return Entry{}, false
		}
	}
	hexLen := a.HexLen()
	// At least the digest, a blank and one more byte (coreutils' min_digest_line_length; the
	// extra byte when s[i] is a backslash mirrors its check too).
	minLen := hexLen + 2
	if i < len(s) && s[i] == '\\' {
		minLen++
	}
	if len(s)-i < minLen {
		return Entry{}, false
	}
	digest, rest := s[i:i+hexLen], i+hexLen
	if !isBlank(s[rest]) {
		return Entry{}, false
	}
	rest++
	d, ok := decodeHex(digest)
	if !ok {
		return Entry{}, false
	}
	e := Entry{Algorithm: a, Digest: d}
	if len(s)-rest == 1 || (s[rest] != ' ' && s[rest] != '*') {
		// "<hex> <name>": BSD reversed form, only if it is what the first line was.
		if p.form == formStandard {
			return Entry{}, false
		}
		p.form = formReversed
	} else if p.form != formReversed {
		p.form = formStandard
		e.Binary = s[rest] == '*'
		rest++
	}
	name := s[rest:]
	if escaped {
		var ok bool
		if name, ok = unescapeName(name); !ok {
			return Entry{}, false
		}
	}
	e.Name = string(name)
	return e, true
}

// bsdSplit parses what follows "TAG (": the name up to the last ")", then " = hex".
func bsdSplit(s []byte, a Algorithm, escaped bool) (Entry, bool) {
	end := bytes.LastIndexByte(s, ')')
	if end < 0 {
		return Entry{}, false
	}
	name := s[:end]
	if escaped {
		var ok bool
		if name, ok = unescapeName(name); !ok {
			return Entry{}, false
		}
	}
	i := end + 1
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	if i >= len(s) || s[i] != '=' {
		return Entry{}, false
	}
	i++
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	var d Digest
	switch len(s) - i {
	case a.HexLen():
		var ok bool
		if d, ok = decodeHex(s[i:]); !ok {
			return Entry{}, false
		}
	case base64.StdEncoding.EncodedLen(a.Size()):
		// `cksum --base64` (coreutils 9.2 and later); canonical padded base64 only.
		// Decode needs room for all the text would decode to, which is more than the digest
		// when the text has no padding.
		d = make(Digest, base64.StdEncoding.DecodedLen(len(s)-i))
		n, err := base64.StdEncoding.Strict().Decode(d, s[i:])
		if err != nil || n != a.Size() {
			return Entry{}, false
		}
		d = d[:n]
	default:
		return Entry{}, false
	}
	return Entry{Algorithm: a, Digest: d, Name: string(name), Tagged: true}, true
}

// unescapeName undoes coreutils' escaping: \\, \n and \r; any other escape, or a final lone
// backslash, makes the line malformed. It returns a new slice.
func unescapeName(s []byte) ([]byte, bool) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i == len(s) {
			return nil, false
		}
		switch s[i] {
		case '\\':
			out = append(out, '\\')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		default:
			return nil, false
		}
	}
	return out, true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func decodeHex(s []byte) (Digest, bool) {
	for _, c := range s {
		if !isHex(c) {
			return nil, false
		}
	}
	d := make(Digest, len(s)/2)
	if _, err := hex.Decode(d, s); err != nil || len(s)%2 != 0 {
		return nil, false
	}
	return d, true
}

// MaxListLine bounds one line of a checksum list. The longest name a system call takes is
// PATH_MAX, 4096 bytes on Linux (8 KiB escaped), so a real line is far shorter; a longer one
// ends the list with a *LineTooLongError instead of growing without bound, as a list that
// is /dev/zero or a binary file given by mistake would make it.
const MaxListLine = 1 << 20

// LineTooLongError is a checksum list line longer than MaxListLine. It ends the list (nothing
// after it is read) and wraps ErrMalformedList.
type LineTooLongError struct {
	List string // the list's name, "standard input" for "-"
	Line int    // 1-based
}

func (e *LineTooLongError) Error() string {
	return fmt.Sprintf("%s: line %d is longer than %d MiB: not a checksum list", QuoteName(e.List), e.Line, MaxListLine>>20)
}

func (e *LineTooLongError) Unwrap() error { return ErrMalformedList }

// utf8BOM is the UTF-8 byte order mark, which ListReader drops from the start of a list.
var utf8BOM = []byte("\xef\xbb\xbf")

// ListReader reads a checksum list line by line with a ListParser. A UTF-8 byte order mark at
// the start of the list is dropped.
type ListReader struct {
	Parser ListParser
	name   string
	stdin  bool
	r      *bufio.Reader
	line   int
	valid  int
	bad    int
	err    error
}

// NewListReader reads a list called name (used in errors) from r. Entries may be of any
// algorithm when a is zero, else only of a. When fromStdin is set the list is standard input
// and, like coreutils, a line naming "-" is malformed (it cannot be the list and a file too).
// A nil r reads as an error wrapping ErrNoStdin.
func NewListReader(r io.Reader, name string, a Algorithm, fromStdin bool) *ListReader {
	return &ListReader{Parser: ListParser{Algorithm: a}, name: name, stdin: fromStdin, r: bufio.NewReaderSize(orNoInput(r), 64<<10)}
}

// Next returns the next entry, skipping comments and empty lines. A malformed line gives a
// *LineError (wrapping ErrMalformedList) and reading may go on; the end of the list is io.EOF.
// Any other error ends the list: a *LineTooLongError (wrapping ErrMalformedList too), or a
// read error.
func (lr *ListReader) Next() (Entry, error) {
	for {
		if lr.err != nil {
			return Entry{}, lr.err
		}
		line, err := lr.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A line longer than the buffer: collect it whole, up to MaxListLine.
			full := append([]byte(nil), line...)
			for err == bufio.ErrBufferFull {
				if len(full) > MaxListLine {
					lr.err = &LineTooLongError{List: lr.name, Line: lr.line + 1}
					return Entry{}, lr.err
				}
				line, err = lr.r.ReadSlice('\n')
				full = append(full, line...)
			}
			line = full
			if len(line) > MaxListLine+1 { // the newline does not count
				lr.err = &LineTooLongError{List: lr.name, Line: lr.line + 1}
				return Entry{}, lr.err
			}
		}
		if err != nil && err != io.EOF {
			lr.err = err
			return Entry{}, err
		}
		if err == io.EOF {
			lr.err = io.EOF
			if len(line) == 0 {
				return Entry{}, io.EOF
			}
		}
		if lr.line == 0 {
			// A list saved with a UTF-8 byte order mark (Windows editors, PowerShell's
			// Out-File): the mark is not part of the first line, which sha256sum would skip
			// as malformed, leaving its file unchecked.
			line = bytes.TrimPrefix(line, utf8BOM)
		}
		lr.line++
		kind, e := lr.Parser.parse(line, lr.stdin)
		switch kind {
		case lineSkip:
			continue
		case lineMalformed:
			lr.bad++
			return Entry{}, &LineError{List: lr.name, Line: lr.line}
		}
		lr.valid++
		return e, nil
	}
}

// Line is the number of the line Next last read.
func (lr *ListReader) Line() int { return lr.line }

// Counts returns how many well-formed and malformed lines were read so far.
func (lr *ListReader) Counts() (valid, malformed int) { return lr.valid, lr.bad }

// ParseList reads a whole list and returns its entries. Malformed lines are skipped and
// counted. If no line was well formed the error wraps ErrMalformedList, as `sha256sum -c`
// then fails with "no properly formatted checksum lines found"; so does a line longer than
// MaxListLine (a *LineTooLongError).
func ParseList(r io.Reader, name string, a Algorithm) (entries []Entry, malformed int, err error) {
	lr := NewListReader(r, name, a, false)
	for {
		e, err := lr.Next()
		if err == io.EOF {
			break
		}
		var le *LineError
		if errors.As(err, &le) {
			continue
		}
		var long *LineTooLongError
		if errors.As(err, &long) {
			return entries, lr.bad, err
		}
		if err != nil {
			return entries, lr.bad, fmt.Errorf("sign: reading %s: %w", QuoteName(name), err)
		}
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return nil, lr.bad, fmt.Errorf("%w: %s: no properly formatted checksum lines found", ErrMalformedList, QuoteName(name))
	}
	return entries, lr.bad, nil
}
