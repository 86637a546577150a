package digest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// oddNames are file names that exercise coreutils' escaping and quoting.
var oddNames = []string{
	"empty",
	"plain.txt",
	"a b",
	" leading space",
	"new\nline",
	`back\slash`,
	"cr\rname",
	"both\\\nx",
	"it's",
	"*star",
	"ü-utf8",
	"not\xffutf8",
	"tab\tname",
}

// mustTree writes files (name -> content) under a new temporary directory and returns it.
func mustTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func oddTree(t testing.TB) string {
	files := map[string]string{}
	for i, n := range oddNames {
		files[n] = strings.Repeat(fmt.Sprintf("content %d\n", i), i)
	}
	return mustTree(t, files)
}

// chdir changes to dir for the rest of the test, so names stay relative as users type them.
func chdir(t *testing.T, dir string) {
	t.Helper()
	t.Chdir(dir)
}

// hashOutput runs HashFiles and returns what `signet hash` would print.
func hashOutput(t *testing.T, names []string, opts HashOptions, tag bool) string {
	t.Helper()
	return hashOutputMode(t, names, opts, lineMode{tag: tag})
}

// lineMode is how `signet hash` writes its lines: --tag, --binary, --zero.
type lineMode struct{ tag, binary, zero bool }

func hashOutputMode(t *testing.T, names []string, opts HashOptions, m lineMode) string {
	t.Helper()
	var out []byte
	err := HashFiles(context.Background(), names, opts, func(r FileResult) error {
		if r.Err != nil {
			return fmt.Errorf("unexpected error: %w", r.Err)
		}
		e := Entry{Algorithm: r.Algorithm, Digest: r.Digest, Name: r.Name, Tagged: m.tag, Binary: m.binary}
		if m.zero {
			out = e.AppendZeroTo(out)
		} else {
			out = e.AppendTo(out)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// runTool runs a peer tool with stdin and returns its stdout; a failure fails the test.
func runTool(t *testing.T, stdin []byte, name string, args ...string) string {
	t.Helper()
	return string(testutil.Cmd{Stdin: stdin}.Run(t, testutil.RequireTool(t, name), args...))
}

func TestHashMatchesCoreutils(t *testing.T) {
	chdir(t, oddTree(t))
	for _, tc := range []struct {
		tool string
		alg  Algorithm
	}{
		{"sha256sum", SHA256},
		{"sha384sum", SHA384},
		{"sha512sum", SHA512},
	} {
		for _, m := range []struct {
			args []string
			mode lineMode
		}{
			{nil, lineMode{}},
			{[]string{"--tag"}, lineMode{tag: true}},
			{[]string{"-b"}, lineMode{binary: true}},
			{[]string{"-z"}, lineMode{zero: true}},
			{[]string{"--tag", "-z"}, lineMode{tag: true, zero: true}},
			{[]string{"-b", "-z"}, lineMode{binary: true, zero: true}},
		} {
			t.Run(fmt.Sprintf("%s/%s", tc.tool, strings.Join(m.args, "")), func(t *testing.T) {
				want := runTool(t, nil, tc.tool, append(append(m.args, "--"), oddNames...)...)
				got := hashOutputMode(t, oddNames, HashOptions{Algorithm: tc.alg}, m.mode)
				if got != want {
					t.Errorf("output differs\n got: %q\nwant: %q", got, want)
				}
			})
		}
	}
}

func TestHashStdinMatchesCoreutils(t *testing.T) {
	data := []byte("standard input\nwith two lines\n")
	for _, tag := range []bool{false, true} {
		t.Run(fmt.Sprintf("tag=%v", tag), func(t *testing.T) {
			args := []string{"-"}
			if tag {
				args = []string{"--tag", "-"}
			}
			want := runTool(t, data, "sha256sum", args...)
			got := hashOutput(t, []string{"-"}, HashOptions{Stdin: bytes.NewReader(data)}, tag)
			if got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
	t.Run("no-stdin", func(t *testing.T) {
		err := HashFiles(context.Background(), []string{"-"}, HashOptions{}, func(r FileResult) error {
			if r.Err == nil {
				t.Errorf("hashing - without Stdin succeeded")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestHashMatchesOpenSSL compares every algorithm with `openssl dgst -r`, file by file
// (openssl marks every name binary with '*' and escapes only newlines, so only the digests are
// compared), and the BSD tag of SHA-512/256 with Perl's shasum.
func TestHashMatchesOpenSSL(t *testing.T) {
	chdir(t, oddTree(t))
	for _, a := range Algorithms() {
		t.Run(a.Name(), func(t *testing.T) {
			var got []FileResult
			err := HashFiles(context.Background(), oddNames, HashOptions{Algorithm: a}, func(r FileResult) error {
				got = append(got, r)
				return r.Err
			})
			if err != nil {
				t.Fatal(err)
			}
			for i, name := range oddNames {
				out := runTool(t, nil, "openssl", "dgst", "-"+a.Name(), "-r", name)
				want, _, _ := strings.Cut(strings.TrimPrefix(out, `\`), " ")
				if got[i].Name != name || got[i].Digest.String() != want {
					t.Errorf("%q: got %s %x, openssl %s", name, got[i].Name, got[i].Digest, want)
				}
				if got[i].Size != int64(len(strings.Repeat(fmt.Sprintf("content %d\n", i), i))) {
					t.Errorf("%q: size %d", name, got[i].Size)
				}
			}
		})
	}
	t.Run("shasum-512256-tag", func(t *testing.T) {
		want := runTool(t, nil, "shasum", "-a", "512256", "--tag", "plain.txt", "a b")
		got := hashOutput(t, []string{"plain.txt", "a b"}, HashOptions{Algorithm: SHA512_256}, true)
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}

func TestHashFileErrors(t *testing.T) {
	dir := mustTree(t, map[string]string{"a": "a\n", "d/x": "x\n", "z": "z\n"})
	chdir(t, dir)
	unreadable := filepath.Join(dir, "unreadable")
	if err := os.WriteFile(unreadable, []byte("secret"), 0o000); err != nil {
		t.Fatal(err)
	}
	names := []string{"a", "missing", "d", "z", "unreadable"}
	var got []FileResult
	err := HashFiles(context.Background(), names, HashOptions{}, func(r FileResult) error {
		got = append(got, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(names) {
		t.Fatalf("got %d results, want %d", len(got), len(names))
	}
	for i, r := range got {
		if r.Name != names[i] {
			t.Errorf("result %d is %q, want %q", i, r.Name, names[i])
		}
	}
	for _, tc := range []struct {
		i      int
		target error
		msg    string
	}{
		{1, fs.ErrNotExist, "missing: no such file or directory"},
		{2, syscall.EISDIR, "d: is a directory"},
	} {
		r := got[tc.i]
		var fe *FileError
		if !errors.As(r.Err, &fe) || !errors.Is(r.Err, tc.target) || r.Digest != nil {
			t.Errorf("%s: err %v (%T), digest %x; want a FileError wrapping %v", r.Name, r.Err, r.Err, r.Digest, tc.target)
			continue
		}
		if r.Err.Error() != tc.msg {
			t.Errorf("%s: message %q, want %q", r.Name, r.Err.Error(), tc.msg)
		}
	}
	if os.Geteuid() != 0 && !errors.Is(got[4].Err, fs.ErrPermission) {
		t.Errorf("unreadable: err %v, want permission denied", got[4].Err)
	}
	for _, i := range []int{0, 3} {
		if got[i].Err != nil || got[i].Digest == nil {
			t.Errorf("%s: %v", got[i].Name, got[i].Err)
		}
	}
}

// TestHashFilesOrder hashes files of very different sizes on several workers: results must
// come in argument order, each with its own digest.
func TestHashFilesOrder(t *testing.T) {
	files := map[string]string{}
	var names []string
	for i := range 300 {
		name := fmt.Sprintf("f%03d", i)
		size := 1 + (i*7919)%5000
		if i%50 == 0 {
			size = 3 << 20 // a few large ones among small ones
		}
		files[name] = strings.Repeat(string(rune('a'+i%26)), size)
		names = append(names, name)
	}
	chdir(t, mustTree(t, files))
	for _, workers := range []int{1, 3, 8} {
		t.Run(fmt.Sprint("workers=", workers), func(t *testing.T) {
			i := 0
			err := HashFiles(context.Background(), names, HashOptions{Workers: workers, BufferSize: 4096}, func(r FileResult) error {
				want := sha256.Sum256([]byte(files[names[i]]))
				if r.Name != names[i] || !bytes.Equal(r.Digest, want[:]) || r.Size != int64(len(files[names[i]])) {
					t.Fatalf("result %d: %s %x size %d; want %s %x", i, r.Name, r.Digest, r.Size, names[i], want)
				}
				i++
				return nil
			})
			if err != nil || i != len(names) {
				t.Fatalf("err %v after %d results", err, i)
			}
		})
	}
}

func TestHashFilesStops(t *testing.T) {
	files := map[string]string{}
	var names []string
	for i := range 200 {
		name := fmt.Sprintf("f%03d", i)
		files[name] = strings.Repeat("x", 10000)
		names = append(names, name)
	}
	chdir(t, mustTree(t, files))

	t.Run("emit-error", func(t *testing.T) {
		stop := errors.New("stop")
		n := 0
		err := HashFiles(context.Background(), names, HashOptions{}, func(FileResult) error {
			n++
			if n == 5 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != 5 {
			t.Errorf("err %v after %d calls, want stop after 5", err, n)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		n := 0
		err := HashFiles(ctx, names, HashOptions{}, func(FileResult) error {
			n++
			if n == 3 {
				cancel()
			}
			return nil
		})
		if !errors.Is(err, context.Canceled) || n > 4 {
			t.Errorf("err %v after %d calls, want context.Canceled soon after 3", err, n)
		}
	})
	t.Run("cancelled-before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := HashFiles(ctx, names, HashOptions{}, func(FileResult) error { return nil })
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err %v, want context.Canceled", err)
		}
		if _, _, err := HashReader(ctx, SHA256, strings.NewReader("x")); !errors.Is(err, context.Canceled) {
			t.Errorf("HashReader: err %v, want context.Canceled", err)
		}
	})
}

func TestHashFilesProgress(t *testing.T) {
	chdir(t, mustTree(t, map[string]string{"a": strings.Repeat("a", 1000), "d/b": strings.Repeat("b", 500), "d/c": ""}))
	var last Progress
	calls := 0
	err := HashFiles(context.Background(), []string{"a", "d", "missing"}, HashOptions{Recursive: true, Progress: func(p Progress) {
		last = p
		calls++
	}}, func(FileResult) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	want := Progress{Bytes: 1500, TotalBytes: 1500, Files: 4, TotalFiles: 4}
	if calls == 0 || last != want {
		t.Errorf("last progress %+v after %d calls, want %+v", last, calls, want)
	}
}

func TestRecursive(t *testing.T) {
	dir := mustTree(t, map[string]string{
		"top/a.txt":       "1",
		"top/a/b":         "2",
		"top/a/c/d":       "3",
		"top/B":           "4",
		"top/.hidden":     "5",
		"top/z z/e\nf":    "6",
		"top/empty/.keep": "",
		"other":           "7",
	})
	chdir(t, dir)
	if err := os.Symlink("a.txt", "top/link-to-file"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a", "top/link-to-dir"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("top", "toplink"); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir("top/emptydir", 0o755); err != nil {
		t.Fatal(err)
	}

	names := func(args ...string) []string {
		var got []string
		err := HashFiles(context.Background(), args, HashOptions{Recursive: true}, func(r FileResult) error {
			if r.Err != nil {
				return r.Err
			}
			got = append(got, r.Name)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	want := []string{"top/.hidden", "top/B", "top/a.txt", "top/a/b", "top/a/c/d", "top/empty/.keep", "top/z z/e\nf"}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"top"}, want},
		{[]string{"top/"}, want},
		{[]string{"other", "top", "other"}, slices.Concat([]string{"other"}, want, []string{"other"})},
		{[]string{"toplink"}, replacePrefix(want, "top/", "toplink/")},
		{[]string{"top/link-to-file"}, []string{"top/link-to-file"}},
		{[]string{"top/emptydir"}, nil},
	} {
		t.Run(strings.Join(tc.args, ","), func(t *testing.T) {
			if got := names(tc.args...); !slices.Equal(got, tc.want) {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}

	t.Run("same-as-find", func(t *testing.T) {
		find := testutil.RequireTool(t, "find")
		out := testutil.Cmd{Env: []string{"LC_ALL=C"}}.Run(t, find, ".", "-type", "f", "-print0")
		found := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
		slices.Sort(found) // byte order, like LC_ALL=C sort
		if got := names("."); !slices.Equal(got, found) {
			t.Errorf("got %q\nfind %q", got, found)
		}
	})

	t.Run("unreadable-subdir", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root reads every directory")
		}
		if err := os.Chmod("top/a/c", 0o000); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod("top/a/c", 0o755)
		var errs []string
		HashFiles(context.Background(), []string{"top"}, HashOptions{Recursive: true}, func(r FileResult) error {
			if r.Err != nil {
				errs = append(errs, r.Name)
			}
			return nil
		})
		if !slices.Equal(errs, []string{"top/a/c"}) {
			t.Errorf("errors for %q, want top/a/c", errs)
		}
	})
}

func replacePrefix(names []string, old, new string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = new + strings.TrimPrefix(n, old)
	}
	return out
}

func TestParseAlgorithm(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Algorithm
	}{
		{"sha256", SHA256}, {"SHA256", SHA256}, {"sha-256", SHA256}, {"SHA-256", SHA256}, {"sha2-256", SHA256},
		{"sha384", SHA384}, {"SHA-384", SHA384},
		{"sha512", SHA512}, {"Sha-512", SHA512},
		{"sha512-256", SHA512_256}, {"SHA512/256", SHA512_256}, {"sha-512/256", SHA512_256}, {"sha512t256", SHA512_256}, {"SHA2-512/256", SHA512_256},
		{"sha3-256", SHA3_256}, {"SHA3-256", SHA3_256}, {"sha3_256", SHA3_256},
		{"sha3-384", SHA3_384}, {"sha3-512", SHA3_512},
	} {
		got, err := ParseAlgorithm(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseAlgorithm(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "md5", "sha1", "sha224", "sha3", "sha512-224", "blake2b"} {
		if _, err := ParseAlgorithm(bad); !errors.Is(err, ErrUnknownAlgorithm) {
			t.Errorf("ParseAlgorithm(%q): err %v, want ErrUnknownAlgorithm", bad, err)
		}
	}
}

func TestAlgorithmProperties(t *testing.T) {
	abc := map[Algorithm]string{ // FIPS 180-4 and FIPS 202 examples for "abc"
		SHA256:     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		SHA384:     "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
		SHA512:     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
		SHA512_256: "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23",
		SHA3_256:   "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
		SHA3_384:   "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b298d88cea927ac7f539f1edf228376d25",
		SHA3_512:   "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0",
	}
	if len(Algorithms()) != len(abc) || Algorithms()[0] != DefaultAlgorithm {
		t.Fatalf("Algorithms() = %v", Algorithms())
	}
	for _, a := range Algorithms() {
		t.Run(a.Name(), func(t *testing.T) {
			if !a.Valid() || a.Size() != a.New().Size() || a.CryptoHash().Size() != a.Size() || a.HexLen() != 2*a.Size() {
				t.Errorf("sizes: %d %d %d", a.Size(), a.New().Size(), a.CryptoHash().Size())
			}
			if !a.CryptoHash().Available() {
				t.Errorf("%v not available", a.CryptoHash())
			}
			if p, err := ParseAlgorithm(a.Name()); p != a || err != nil {
				t.Errorf("ParseAlgorithm(Name) = %v, %v", p, err)
			}
			if p, ok := ParseTag(a.Tag()); p != a || !ok {
				t.Errorf("ParseTag(Tag) = %v, %v", p, ok)
			}
			d, n, err := HashReader(context.Background(), a, strings.NewReader("abc"))
			if err != nil || n != 3 || d.String() != abc[a] {
				t.Errorf("HashReader(abc) = %s, %d, %v; want %s", d, n, err, abc[a])
			}
			if ch := a.CryptoHash().New(); hex.EncodeToString(ch.Sum(nil)) != hex.EncodeToString(a.New().Sum(nil)) {
				t.Errorf("CryptoHash().New() computes something else")
			}
			text, err := a.MarshalText()
			var back Algorithm
			if err != nil || back.UnmarshalText(text) != nil || back != a {
				t.Errorf("text round trip: %s %v %v", text, err, back)
			}
		})
	}
	var zero Algorithm
	if zero.Valid() || zero.Size() != 0 || zero.Tag() != "" || zero.CryptoHash() != 0 {
		t.Errorf("zero Algorithm looks valid")
	}
	if _, err := zero.MarshalText(); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("zero.MarshalText: %v", err)
	}
	if _, _, err := HashReader(context.Background(), zero, strings.NewReader("")); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("HashReader(zero): %v", err)
	}
}

func TestHashFile(t *testing.T) {
	chdir(t, mustTree(t, map[string]string{"f": "abc"}))
	d, n, err := HashFile(context.Background(), SHA256, "f")
	if err != nil || n != 3 || d.String() != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("HashFile = %s, %d, %v", d, n, err)
	}
	if _, _, err := HashFile(context.Background(), SHA256, "nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}

func TestQuoteNameMatchesCoreutils(t *testing.T) {
	names := []string{"plain-name_1.txt", "a b", "new\nline", "it's", "a'b c", `a"b`, "a'\"b", "a*b", "~x", "x~",
		"#a", "a#", "tab\there", "a=b", "a:b", "a,b", "a$b", "@a", "%a", "+a", "a^b", "{a}", "!a", "\n", "\na", "a\n",
		"'", "\x01", "\xff", `a\b`, "it's@", " ", "a?b", "a]b", "ü", "é z",
		// an apostrophe right after an escape, and escapes in a row (one $'...' for a run)
		"\x80'", "a\x01'b", "a\x01'", "'\x80", "a\x01\x02b", "x\x80\x81", "a\n\nb", "\x80\x01'\n'x", "ü\xffü"}
	dir := t.TempDir()
	chdir(t, dir)
	testutil.RequireTool(t, "sha256sum")
	for _, n := range names {
		// By its name, not its path: its messages start with argv[0]. It fails: n is missing.
		_, stderr, _ := testutil.Cmd{Env: []string{"LC_ALL=C.UTF-8"}}.RunErr("sha256sum", "--", n)
		want := strings.TrimSuffix(strings.TrimPrefix(string(stderr), "sha256sum: "), ": No such file or directory\n")
		if got := QuoteName(n); got != want {
			t.Errorf("QuoteName(%q) = %s, coreutils %s", n, got, want)
		}
	}
}
