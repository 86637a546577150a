package digest

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// base64Line finds a BSD line with a SHA-256 or SHA-512 digest in base64 (43 characters and
// "=", or 86 and "==").
var base64Line = regexp.MustCompile(`(?m)\)[ \t]*=[ \t]*([A-Za-z0-9+/]{43}=|[A-Za-z0-9+/]{86}==)\r?$`)

// gnulibDropsEscape reports a name that coreutils 9.1 misquotes in its messages and signet
// does not (see QuoteName): an apostrophe, and an unprintable character first and last.
func gnulibDropsEscape(name string) bool {
	return strings.Contains(name, "'") && !printableAt(name, 0) && !printableLast(name)
}

// FuzzCheckMatchesCoreutils is a differential fuzz target: each input is a checksum list that
// both the real `sha256sum -c` and Check read, in a directory of files with odd names, and the
// two must agree on standard output byte for byte, on standard error (normalized as in
// TestCheckMatchesCoreutils) and on success. The second input picks the flags: one of
// --quiet, --status and --warn (or none), and --strict and --ignore-missing; and, with its
// bit 16, sha512sum -c and SHA-512 in place of sha256sum -c and SHA-256.
//
// Lists with a NUL byte (signet refuses the line, coreutils cuts the name there: a documented
// difference) or a '/' (a name that could reach outside the directory, such as /dev/zero,
// which coreutils would read for ever) are skipped, as are lists over 4 KiB and lists with
// OpenSSL's tags (SHA2-256), which signet reads and sha256sum does not, and lists that start
// with a UTF-8 byte order mark, which signet drops, and lists with a BSD line whose digest
// is in base64, which signet reads as cksum does (all three documented too), and lists
// naming a file coreutils 9.1 misquotes in its messages (gnulibDropsEscape).
//
//	go test -fuzz=FuzzCheckMatchesCoreutils -fuzztime=2m ./digest/
func FuzzCheckMatchesCoreutils(f *testing.F) {
	testutil.RequireTool(f, "sha256sum")
	files := map[string]string{
		"a":          "alpha\n",
		" b":         "leading space\n",
		"*c":         "leading star\n",
		"new\nline":  "newline\n",
		`back\slash`: "backslash\n",
		"cr\rname":   "carriage return\n",
		"d/x":        "d is a directory\n",
		"e":          "",
		"t":          "tampered\n", // listed in the seeds with another digest
	}
	dir := mustTree(f, files)
	sum := func(s string) string { d := sha256.Sum256([]byte(s)); return hex.EncodeToString(d[:]) }
	a, b, c := sum(files["a"]), sum(files[" b"]), sum(files["*c"])
	for _, seed := range []string{
		a + "  a\n",
		a + " *a\n" + b + "   b\n" + c + "  *c\n",
		b + "  b\n" + a + " a\n",
		a + " a\n" + b + "  b\n" + c + " *c\n",
		`\` + sum(files["new\nline"]) + `  new\nline` + "\n" + `\` + sum(files[`back\slash`]) + `  back\\slash` + "\n",
		`\` + sum(files["cr\rname"]) + `  cr\rname` + "\r\n",
		"SHA256 (a) = " + a + "\n" + `\SHA256 (new\nline) = ` + sum(files["new\nline"]) + "\n",
		"SHA256( b)= " + strings.ToUpper(b) + "\r\n",
		"SHA512 (a) = " + a + "\n" + a + "  a\n",
		a + "  t\n" + a + "  d\n" + a + "  gone\n" + a + "  -\n",
		"# comment\n\n" + a + "0  a\n" + a[:62] + "  a\n" + a + "  a \n",
		a + "\t a\n \t" + a + "  a\n" + a + "  e\n",
		"junk\n",
		"",
	} {
		for _, flags := range []uint8{0, 1, 2, 3, 4, 8, 3 | 4 | 8} {
			f.Add([]byte(seed), flags)
		}
	}
	sum512 := func(s string) string { d := sha512.Sum512([]byte(s)); return hex.EncodeToString(d[:]) }
	for _, seed := range []string{
		sum512(files["a"]) + "  a\n" + sum512(files[" b"]) + " * b\n",
		"SHA512 (a) = " + strings.ToUpper(sum512(files["a"])) + "\r\n" + `\SHA512 (new\nline) = ` + sum512(files["new\nline"]) + "\n",
		sum512(files["*c"]) + " *c\n" + a + "  a\n" + sum512(files["t"])[1:] + "  t\n",
	} {
		for _, flags := range []uint8{16, 16 | 3, 16 | 4 | 8} {
			f.Add([]byte(seed), flags)
		}
	}
	list := filepath.Join(dir, "l.sum")
	f.Fuzz(func(t *testing.T, data []byte, flagBits uint8) {
		if len(data) > 4096 || bytes.IndexByte(data, 0) >= 0 || bytes.IndexByte(data, '/') >= 0 || bytes.Contains(data, []byte("SHA2-")) || bytes.HasPrefix(data, utf8BOM) || base64Line.Match(data) {
			t.Skip()
		}
		for lr := NewListReader(bytes.NewReader(data), "l.sum", 0, false); ; {
			e, err := lr.Next()
			if err == io.EOF {
				break
			}
			if err == nil && gnulibDropsEscape(e.Name) {
				t.Skip()
			}
		}
		var flags []string
		switch flagBits & 3 {
		case 1:
			flags = append(flags, "--quiet")
		case 2:
			flags = append(flags, "--status")
		case 3:
			flags = append(flags, "--warn")
		}
		if flagBits&4 != 0 {
			flags = append(flags, "--strict")
		}
		if flagBits&8 != 0 {
			flags = append(flags, "--ignore-missing")
		}
		alg := SHA256
		if flagBits&16 != 0 {
			alg = SHA512
		}
		if err := os.WriteFile(list, data, 0o644); err != nil {
			t.Fatal(err)
		}
		want := runCoreutilsCheckWith(t, alg, dir, "", flags, []string{"l.sum"})
		opts := optsFromFlags(flags)
		opts.Algorithm = alg
		got, _ := runSignetCheck(t, dir, "", opts, []string{"l.sum"})
		if got != want {
			t.Errorf("%v: list %q, flags %q:\nstdout\n got: %q\nwant: %q\nstderr\n got: %q\nwant: %q\nsuccess %v, coreutils %v",
				alg, data, flags, got.stdout, want.stdout, got.stderr, want.stderr, got.ok, want.ok)
		}
	})
}
