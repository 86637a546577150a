package nameset

import (
	"fmt"
	"iter"
	"os"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/namespool"
)

func spool(t *testing.T, names ...string) *namespool.Spool {
	t.Helper()
	sp := namespool.New(16, func() (*os.File, error) { return os.CreateTemp(t.TempDir(), "names-") }, "put aside", "read back")
	t.Cleanup(sp.Close)
	for _, n := range names {
		if err := sp.Add(n); err != nil {
			t.Fatal(err)
		}
	}
	return sp
}

// TestKey: names of one path are one key, relative to the working directory.
func TestKey(t *testing.T) {
	for _, tc := range []struct{ cwd, p, want string }{
		{"/w", "a", "a"}, {"/w", "./a", "a"}, {"/w", "d/../a", "a"}, {"/w", "/w/a", "a"}, {"/w", "/w", "."},
		{"/w", "../x/a", "/x/a"}, {"/w", "/other/a", "/other/a"}, {"/", "/a", "a"}, {"/w", "-", "-"},
	} {
		if got := Key(tc.cwd, tc.p); got != tc.want {
			t.Errorf("Key(%q, %q) = %q, want %q", tc.cwd, tc.p, got, tc.want)
		}
	}
}

// TestSetFind: a name is found exactly, by its key, and given back as it was given (the first
// of its spellings), from the spool's file and its memory; a name not given, or one whose hash
// only is shared, is not found.
func TestSetFind(t *testing.T) {
	var names []string
	for i := range 300 {
		names = append(names, fmt.Sprintf("dist/f%03d", i))
	}
	long := strings.Repeat("long/", 3000) + "x"
	names = append(names, "./a", "a", long, "/w/b", "-")
	sp := spool(t, names...)
	s, err := New(sp, "/w", sp.All)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Free()
	for _, tc := range []struct{ name, want string }{
		{"dist/f000", "dist/f000"}, {"./dist/f299", "dist/f299"}, {"/w/dist/f150", "dist/f150"},
		{"a", "./a"}, {"/w/a", "./a"}, {long, long}, {"b", "/w/b"}, {"-", "-"},
		{"dist/f300", ""}, {"dist", ""}, {"", ""},
	} {
		got, ok, err := s.Find(tc.name)
		if err != nil || ok != (tc.want != "") || got != tc.want {
			t.Errorf("Find(%.20q) = %q, %v, %v; want %q", tc.name, got, ok, err, tc.want)
		}
	}
}

// TestSetRepeats: group sees the offsets of the names that share a hash, each such run once;
// what it keeps is answered by kept, and nothing else; kept is nil when nothing is kept.
func TestSetRepeats(t *testing.T) {
	names := []string{"a", "b", "a", "c", "./b", "a", "d"}
	sp := spool(t, names...)
	offs := map[string][]int64{}
	for n, err := range sp.All {
		if err != nil {
			t.Fatal(err)
		}
		offs[n.Name] = append(offs[n.Name], n.Off)
	}
	s, err := New(sp, "/w", sp.All)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Free()
	groups := 0
	kept, err := s.Repeats(func(group iter.Seq[int64], keep func(int64)) error {
		groups++
		seen := map[string]bool{}
		for off := range group {
			n, err := sp.NameAt(off)
			if err != nil {
				return err
			}
			if seen[n] {
				keep(off) // a name given again
			}
			seen[n] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if groups != 2 {
		t.Errorf("%d groups, want 2 (a, and b with ./b)", groups)
	}
	if kept == nil {
		t.Fatal("kept is nil, with offsets kept")
	}
	for n, os := range offs {
		for i, off := range os {
			if want := n == "a" && i > 0; kept(off) != want {
				t.Errorf("kept(%s #%d) = %v, want %v", n, i, !want, want)
			}
		}
	}
}

func TestSetRepeatsNone(t *testing.T) {
	sp := spool(t, "a", "b", "a")
	s, err := New(sp, "/w", sp.All)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Free()
	kept, err := s.Repeats(func(iter.Seq[int64], func(int64)) error { return nil })
	if kept != nil || err != nil {
		t.Errorf("Repeats keeping nothing: %v, %v; want nil, nil", kept != nil, err)
	}
}

// TestSameFile: two spellings of one file are one file; a name that cleans to it through a
// link that leads elsewhere is not, nor a name of no file.
func TestSameFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(dir+"/sub/deeper", 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "sub/a"} {
		if err := os.WriteFile(dir+"/"+n, []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(dir+"/sub/deeper", dir+"/link"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{dir + "/a", dir + "/./a", true}, {dir + "/a", dir + "/a", true}, {dir + "/sub/../a", dir + "/a", true},
		{dir + "/link/../a", dir + "/a", false}, {dir + "/link/../a", dir + "/sub/a", true}, {dir + "/none", dir + "/a", false},
	} {
		if got := SameFile(tc.a, tc.b); got != tc.want {
			t.Errorf("SameFile(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
