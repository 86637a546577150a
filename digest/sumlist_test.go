package digest

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

const (
	hexA   = "98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4"
	hex384 = "4284b5694ca6c0d2cf4789a0b95ac8025c818de52304364be7cd2981b2d2edc685b322277ec25819962413d8c9b2c1f5"
	hex512 = "d78abb0542736865f94704521609c230dac03a2f369d043ac212d6933b91410e06399e37f9c5cc88436a31737330c1c8eccb2c2f9f374d62f716432a32d50fac"
)

func TestParseLine(t *testing.T) {
	for _, tc := range []struct {
		name string
		alg  Algorithm // parser's
		line string
		want *Entry // nil: malformed
		skip bool
	}{
		{"standard", 0, hexA + "  a b\n", &Entry{Algorithm: SHA256, Name: "a b"}, false},
		{"binary", 0, hexA + " *a b\n", &Entry{Algorithm: SHA256, Name: "a b", Binary: true}, false},
		{"crlf", 0, hexA + "  a\r\n", &Entry{Algorithm: SHA256, Name: "a"}, false},
		{"upper", 0, strings.ToUpper(hexA) + "  a", &Entry{Algorithm: SHA256, Name: "a"}, false},
		{"tab-separator", 0, hexA + "\t a", &Entry{Algorithm: SHA256, Name: "a"}, false},
		{"sha384-by-length", 0, hex384 + "  a", &Entry{Algorithm: SHA384, Name: "a"}, false},
		{"sha512-by-length", 0, hex512 + "  a", &Entry{Algorithm: SHA512, Name: "a"}, false},
		{"sha3-256-by-flag", SHA3_256, hexA + "  a", &Entry{Algorithm: SHA3_256, Name: "a"}, false},
		{"sha512-256-by-flag", SHA512_256, hexA + "  a", &Entry{Algorithm: SHA512_256, Name: "a"}, false},
		{"wrong-length-for-flag", SHA384, hexA + "  a", nil, false},
		{"escaped", 0, `\` + hexA + `  a\\b\nc\rd`, &Entry{Algorithm: SHA256, Name: "a\\b\nc\rd"}, false},
		{"bad-escape", 0, `\` + hexA + `  a\tb`, nil, false},
		{"lone-backslash", 0, `\` + hexA + `  a\`, nil, false},
		{"unescaped-backslash", 0, hexA + `  a\tb`, &Entry{Algorithm: SHA256, Name: `a\tb`}, false},
		{"bsd", 0, "SHA256 (a b) = " + hexA, &Entry{Algorithm: SHA256, Name: "a b", Tagged: true}, false},
		{"bsd-compact", 0, "SHA256(a)=" + hexA, &Entry{Algorithm: SHA256, Name: "a", Tagged: true}, false},
		{"bsd-openssl", 0, "SHA2-256(a)= " + hexA, &Entry{Algorithm: SHA256, Name: "a", Tagged: true}, false},
		{"bsd-sha512-256", 0, "SHA512/256 (a) = " + hexA, &Entry{Algorithm: SHA512_256, Name: "a", Tagged: true}, false},
		{"bsd-sha512t256", 0, "SHA512t256 (a) = " + hexA, &Entry{Algorithm: SHA512_256, Name: "a", Tagged: true}, false},
		{"bsd-sha3", 0, "SHA3-256 (a) = " + hexA, &Entry{Algorithm: SHA3_256, Name: "a", Tagged: true}, false},
		{"bsd-tag-against-flag", SHA256, "SHA3-256 (a) = " + hexA, nil, false},
		{"bsd-length-against-tag", 0, "SHA512 (a) = " + hexA, nil, false},
		// 64 characters are SHA-384 in base64, as cksum -c reads them too: the line is
		// checked (and fails), not skipped
		{"bsd-sha256-hex-under-sha384-tag", 0, "SHA384 (a) = " + hexA, &Entry{Algorithm: SHA384, Name: "a", Tagged: true}, false},
		{"bsd-escaped", 0, `\SHA256 (a\nb) = ` + hexA, &Entry{Algorithm: SHA256, Name: "a\nb", Tagged: true}, false},
		{"bsd-last-paren", 0, "SHA256 (a) b) = " + hexA, &Entry{Algorithm: SHA256, Name: "a) b", Tagged: true}, false},
		{"bsd-base64", 0, "SHA256 (a) = mOpuTyFvL7S2n/+bOkSELDhobKaF8/VdxIxdP7EQe+Q=", &Entry{Algorithm: SHA256, Name: "a", Tagged: true}, false},
		{"bsd-base64-unpadded", 0, "SHA256 (a) = mOpuTyFvL7S2n/+bOkSELDhobKaF8/VdxIxdP7EQe+Q", nil, false},
		{"bsd-base64-stray-bits", 0, "SHA256 (a) = mOpuTyFvL7S2n/+bOkSELDhobKaF8/VdxIxdP7EQe+R=", nil, false},
		{"bsd-base64-44-unpadded", 0, "SHA256()=" + strings.Repeat("0", 44), nil, false}, // 33 bytes: once a panic
		{"bsd-base64-sha384", 0, "SHA384 (a) = " + strings.Repeat("AAAA", 16), &Entry{Algorithm: SHA384, Name: "a", Tagged: true}, false},
		{"bsd-base64-wrong-length", 0, "SHA512 (a) = mOpuTyFvL7S2n/+bOkSELDhobKaF8/VdxIxdP7EQe+Q=", nil, false},
		{"untagged-base64", 0, "mOpuTyFvL7S2n/+bOkSELDhobKaF8/VdxIxdP7EQe+Q=  a", nil, false},
		{"bsd-lowercase-tag", 0, "sha256 (a) = " + hexA, nil, false},
		{"bsd-two-spaces", 0, "SHA256  (a) = " + hexA, nil, false},
		{"bsd-trailing-space", 0, "SHA256 (a) = " + hexA + " ", nil, false},
		{"comment", 0, "# " + hexA + "  a", nil, true},
		{"empty", 0, "\n", nil, true},
		{"cr-only", 0, "\r\n", nil, true},
		{"indented-comment", 0, " # x", nil, false},
		{"nul", 0, hexA + "  a\x00b", nil, false},
		{"no-name", 0, hexA + " ", nil, false},
		{"short", 0, hexA[:60] + "  a", nil, false},
		{"junk", 0, "hello world", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p ListParser
			p.Algorithm = tc.alg
			e, skip, ok := p.ParseLine([]byte(tc.line))
			switch {
			case tc.skip:
				if !skip || !ok {
					t.Errorf("got %+v skip=%v ok=%v, want a skipped line", e, skip, ok)
				}
			case tc.want == nil:
				if ok {
					t.Errorf("got %+v, want malformed", e)
				}
			default:
				if !ok || skip {
					t.Fatalf("malformed (skip=%v), want %+v", skip, *tc.want)
				}
				if e.Algorithm != tc.want.Algorithm || e.Name != tc.want.Name || e.Tagged != tc.want.Tagged || e.Binary != tc.want.Binary || len(e.Digest) != e.Algorithm.Size() {
					t.Errorf("got %+v, want %+v", e, *tc.want)
				}
			}
		})
	}
}

// TestParserForms checks coreutils' rule against mixing "<hex>  name" and "<hex> name".
func TestParserForms(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines []string
		valid []bool
		names []string
	}{
		{"standard-then-reversed", []string{hexA + "  a", hexA + " a"}, []bool{true, false}, []string{"a"}},
		{"reversed-then-standard", []string{hexA + " a", hexA + "  a"}, []bool{true, true}, []string{"a", " a"}},
		{"bsd-does-not-decide", []string{"SHA256 (x) = " + hexA, hexA + " a", hexA + " *b"}, []bool{true, true, true}, []string{"x", "a", "*b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p ListParser
			var names []string
			for i, l := range tc.lines {
				e, _, ok := p.ParseLine([]byte(l))
				if ok != tc.valid[i] {
					t.Errorf("line %d: ok=%v", i+1, ok)
				}
				if ok {
					names = append(names, e.Name)
				}
			}
			if strings.Join(names, "|") != strings.Join(tc.names, "|") {
				t.Errorf("names %q, want %q", names, tc.names)
			}
		})
	}
}

func TestEntryAppendTo(t *testing.T) {
	d := make(Digest, 32)
	d[0] = 0xab
	z := "ab" + strings.Repeat("0", 62)
	for _, tc := range []struct {
		e    Entry
		want string
	}{
		{Entry{Algorithm: SHA256, Digest: d, Name: "a b"}, z + "  a b\n"},
		{Entry{Algorithm: SHA256, Digest: d, Name: "a b", Binary: true}, z + " *a b\n"},
		{Entry{Algorithm: SHA256, Digest: d, Name: "a\nb\\c\rd"}, `\` + z + `  a\nb\\c\rd` + "\n"},
		{Entry{Algorithm: SHA256, Digest: d, Name: "a b", Tagged: true}, "SHA256 (a b) = " + z + "\n"},
		{Entry{Algorithm: SHA3_256, Digest: d, Name: "x\ny", Tagged: true}, `\SHA3-256 (x\ny) = ` + z + "\n"},
		{Entry{Algorithm: SHA512_256, Digest: d, Name: "-", Tagged: true}, "SHA512/256 (-) = " + z + "\n"},
	} {
		if got := string(tc.e.AppendTo(nil)); got != tc.want {
			t.Errorf("AppendTo(%+v) = %q, want %q", tc.e, got, tc.want)
		}
		if got := tc.e.String(); got != strings.TrimSuffix(tc.want, "\n") {
			t.Errorf("String() = %q", got)
		}
	}
}

func TestParseList(t *testing.T) {
	list := "# comment\n" + hexA + "  a\nbad line\r\nSHA512 (b) = " + hex512 + "\r\n" + strings.Repeat("x", 200000) + "\n" + hex384 + "  c"
	entries, malformed, err := ParseList(strings.NewReader(list), "list", 0)
	if err != nil || malformed != 2 || len(entries) != 3 {
		t.Fatalf("ParseList: %d entries, %d malformed, %v", len(entries), malformed, err)
	}
	if entries[0].Name != "a" || entries[1].Algorithm != SHA512 || entries[2].Algorithm != SHA384 {
		t.Errorf("entries %+v", entries)
	}

	lr := NewListReader(strings.NewReader("junk\n"+hexA+"  a\n"), "sums", 0, false)
	_, err = lr.Next()
	var le *LineError
	if !errors.As(err, &le) || le.Line != 1 || !errors.Is(err, ErrMalformedList) || err.Error() != "sums: 1: improperly formatted checksum line" {
		t.Errorf("first line: %v", err)
	}
	if e, err := lr.Next(); err != nil || e.Name != "a" || lr.Line() != 2 {
		t.Errorf("second line: %+v %v", e, err)
	}
	if _, err := lr.Next(); err != io.EOF {
		t.Errorf("end: %v", err)
	}

	if _, _, err := ParseList(strings.NewReader("junk\n"), "junk", 0); !errors.Is(err, ErrMalformedList) {
		t.Errorf("junk list: %v", err)
	}
	if _, _, err := ParseList(strings.NewReader(""), "empty", 0); !errors.Is(err, ErrMalformedList) {
		t.Errorf("empty list: %v", err)
	}
	readErr := errors.New("disk on fire")
	if _, _, err := ParseList(io.MultiReader(strings.NewReader(hexA+"  a\n"), errReader{readErr}), "x", 0); !errors.Is(err, readErr) {
		t.Errorf("read error: %v", err)
	}
	// Standard input lists cannot name "-".
	lr = NewListReader(strings.NewReader(hexA+"  -\n"), "standard input", 0, true)
	if _, err := lr.Next(); !errors.Is(err, ErrMalformedList) {
		t.Errorf("- in a stdin list: %v", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// FuzzListParser feeds arbitrary lists to the parser. Whatever it accepts must survive a round
// trip: formatted back with AppendTo and parsed by a fresh parser, an entry comes back the same.
func FuzzListParser(f *testing.F) {
	for _, seed := range []string{
		hexA + "  a b\n",
		hexA + " *a\r\n",
		hexA + " a\n" + hexA + "  b\n",
		`\` + hexA + `  a\\b\nc` + "\n",
		"SHA256 (a) = " + hexA + "\n",
		`\SHA256 (a\nb) = ` + hexA + "\n",
		"SHA2-256(a)= " + hexA,
		"SHA3-512 (x)) = " + hex512 + "\n",
		"SHA512/256 () = " + hexA + "\n",
		hex384 + "  c\n" + hex512 + " *d\n",
		"# comment\n\n\r\n",
		"SHA256 (a) = " + hexA + " \n",
		" \t\\" + hexA + "\t x",
		"\x00\xff\\\n",
	} {
		f.Add([]byte(seed), uint8(0))
		f.Add([]byte(seed), uint8(SHA3_256))
	}
	f.Fuzz(func(t *testing.T, data []byte, alg uint8) {
		a := Algorithm(alg)
		if !a.Valid() {
			a = 0
		}
		lr := NewListReader(bytes.NewReader(data), "fuzz", a, false)
		for {
			e, err := lr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				if !errors.Is(err, ErrMalformedList) {
					t.Fatalf("unexpected error %v", err)
				}
				continue
			}
			if !e.Algorithm.Valid() || len(e.Digest) != e.Algorithm.Size() || strings.IndexByte(e.Name, 0) >= 0 {
				t.Fatalf("bad entry %+v", e)
			}
			if a != 0 && e.Algorithm != a {
				t.Fatalf("entry of %v from a %v parser", e.Algorithm, a)
			}
			line := e.AppendTo(nil)
			var p ListParser
			p.Algorithm = a
			back, skip, ok := p.ParseLine(line)
			if !ok || skip || back.Name != e.Name || !bytes.Equal(back.Digest, e.Digest) || back.Algorithm != e.Algorithm || back.Tagged != e.Tagged || back.Binary != e.Binary {
				t.Fatalf("round trip of %+v via %q gave %+v (ok=%v skip=%v)", e, line, back, ok, skip)
			}
		}
	})
}
