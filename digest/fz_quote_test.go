package digest

import (
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// TestQuoteNameGnulibSecondPass: a name with an apostrophe that ends with an unprintable
// character is quoted as sha256sum quotes it, with the empty pair of quotes gnulib's second
// pass writes after the opening quote (found by FuzzCheckMatchesCoreutils, input
// 8e71029b9e0bc171).
func TestQuoteNameGnulibSecondPass(t *testing.T) {
	chdir(t, t.TempDir())
	testutil.RequireTool(t, "sha256sum")
	for _, n := range []string{"a'\x80", "a'b\x80", "a'b c\x01", "x\x01y'z\x02", "ab'\x01\x02", "ü'\xff",
		// and where it writes none: an apostrophe first, or a printable character last
		"'a\x80", "a'\x80b", "a\x01'b", "''\x80"} {
		_, stderr, _ := testutil.Cmd{Env: []string{"LC_ALL=C.UTF-8"}}.RunErr("sha256sum", "--", n)
		want := strings.TrimSuffix(strings.TrimPrefix(string(stderr), "sha256sum: "), ": No such file or directory\n")
		if got := QuoteName(n); got != want {
			t.Errorf("QuoteName(%q) = %s, coreutils %s", n, got, want)
		}
	}
}

// TestQuoteNameWhereCoreutilsErrs: a name with an apostrophe that starts and ends with an
// unprintable character, which coreutils 9.1 quotes without the $ of its first escape (a
// backslash, read as shell), is quoted correctly, and FuzzCheckMatchesCoreutils skips it.
func TestQuoteNameWhereCoreutilsErrs(t *testing.T) {
	name := "\x80a'b\x01"
	if got, want := QuoteName(name), `''$'\200''a'\''b'$'\001'`; got != want {
		t.Errorf("QuoteName(%q) = %s, want %s", name, got, want)
	}
	if !gnulibDropsEscape(name) {
		t.Errorf("FuzzCheckMatchesCoreutils does not skip %q", name)
	}
}
