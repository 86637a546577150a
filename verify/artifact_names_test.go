package verify

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/sigformat"
)

func seqNames(names []string) func(func(string, error) bool) {
	return func(yield func(string, error) bool) {
		for _, n := range names {
			if !yield(n, nil) {
				return
			}
		}
	}
}

// TestArtifactNames: names put aside past the buffer (in the temporary file and memory) come
// back in order as artifacts, every time they are taken, less the signatures of other names
// given: the one verifying their file reads anyway is skipped, any other is checked as a
// further signature of its file, after the others. A name is a signature by name and
// content, and only when it has no signature of its own among the names; the names are
// compared cleaned (e.sigstore.json is the signature of dir/./e, told as given).
func TestArtifactNames(t *testing.T) {
	defer func(n int) { namesBuffer = n }(namesBuffer)
	namesBuffer = 16
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	d := sha512.Sum512([]byte("a"))
	sig := ed25519.Sign(priv, d[:])
	bundle, err := sigformat.MarshalBundle(sigformat.BundleContent{Algorithm: digest.SHA512, Digest: d[:], Signature: sig, PublicKey: pub})
	if err != nil {
		t.Fatal(err)
	}
	raw := bytes.Repeat([]byte{0xff}, ed25519.SignatureSize) // a plausible raw signature
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	for name, content := range map[string][]byte{
		"a": []byte("a"), "a.sigstore.json": bundle, "a.sig": raw, // a's default signature, and another
		"b.sigstore.json": bundle,                                                             // b is not given: an artifact
		"c":               []byte("c"), "c.sigstore.json": bundle, "c.sigstore.json.sig": raw, // signed itself: an artifact, its signature skipped
		"d": []byte("d"), "d.p7s": bundle, // not what its name says: an artifact
		"e": []byte("e"), "e.sigstore.json": bundle, // e given as dir/./e: the names compared cleaned
	} {
		if err := os.WriteFile(p(name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	for i := range 300 {
		names = append(names, p(fmt.Sprintf("f%03d", i)))
	}
	long := p(strings.Repeat("long/", 3000) + "x")
	names = append(names, p("a.sig"), p("a"), p("a.sigstore.json"), p("b.sigstore.json"), p("c"), p("c.sigstore.json"),
		p("c.sigstore.json.sig"), long, p("d"), p("d.p7s"), dir+"/./e", p("e.sigstore.json"))
	l, err := NewArtifactNames(names[:3], seqNames(names[3:]))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.Len() != len(names) || !l.sp.InFile() {
		t.Fatalf("%d names, in a file: %v; want %d, true", l.Len(), l.sp.InFile(), len(names))
	}
	var found []GivenSignature
	arts, err := l.Artifacts(func(g GivenSignature) { found = append(found, g) })
	if err != nil {
		t.Fatal(err)
	}
	wantFound := []GivenSignature{{Name: p("a.sig"), Of: p("a")}, {Name: p("a.sigstore.json"), Of: p("a"), Skipped: true},
		{Name: p("c.sigstore.json.sig"), Of: p("c.sigstore.json"), Skipped: true}, {Name: p("e.sigstore.json"), Of: dir + "/./e", Skipped: true}}
	if !slices.Equal(found, wantFound) {
		t.Errorf("signatures found: %+v, want %+v", found, wantFound)
	}
	var want []Artifact
	for _, n := range names {
		if n != p("a.sig") && n != p("a.sigstore.json") && n != p("c.sigstore.json.sig") && n != p("e.sigstore.json") {
			want = append(want, Artifact{Name: n})
		}
	}
	want = append(want, Artifact{Name: p("a"), SignatureName: p("a.sig")})
	for range 2 {
		var got []Artifact
		for a, err := range arts {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, a)
		}
		if !slices.EqualFunc(got, want, func(a, b Artifact) bool { return a.Name == b.Name && a.SignatureName == b.SignatureName }) {
			t.Fatalf("%d artifacts, want %d", len(got), len(want))
		}
	}

}

// TestArtifactNamesListError: an error of the list is returned as it is, nothing kept.
func TestArtifactNamesListError(t *testing.T) {
	listErr := errors.New("the list cannot be read")
	l, err := NewArtifactNames([]string{"a"}, func(yield func(string, error) bool) {
		if yield("b", nil) {
			yield("", listErr)
		}
	})
	if l != nil || err != listErr {
		t.Fatalf("NewArtifactNames: %v, %v; want nil, the list's error", l, err)
	}
}

// TestArtifactNamesMemory: the names of a list are held in a file, not on Go's heap, once put
// aside and while the artifacts are read back (issue 15: verify --files-from over a million
// files). What grows with the names is measured as the difference between n names and 3n.
func TestArtifactNamesMemory(t *testing.T) {
	if namesRaceEnabled {
		t.Skip("the race detector changes what the heap holds")
	}
	defer func(n int) { namesBuffer = n }(namesBuffer)
	namesBuffer = 1 << 10
	heap := func() int64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	measure := func(n int) (spooled, reading int64) {
		names := func(yield func(string, error) bool) {
			for i := range n {
				if !yield(fmt.Sprintf("dist/release-%07d.tar.gz", i), nil) {
					return
				}
			}
			// A name that may be a signature (of the first, by name; it does not exist): the
			// signatures are looked for among all the names, with their set.
			yield("dist/release-0000000.tar.gz.sigstore.json", nil)
		}
		base := heap()
		l, err := NewArtifactNames(nil, names)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		spooled = heap() - base
		arts, err := l.Artifacts(nil)
		if err != nil {
			t.Fatal(err)
		}
		count := 0
		for _, err := range arts {
			if err != nil {
				t.Fatal(err)
			}
			if count++; count == n/2 {
				reading = heap() - base
			}
		}
		if count != n+1 {
			t.Fatalf("%d artifacts, want %d", count, n+1)
		}
		return spooled, reading
	}
	measure(100)
	const n = 20000
	s1, r1 := measure(n)
	s3, r3 := measure(3 * n)
	for _, m := range []struct {
		what   string
		d1, d3 int64
	}{{"put aside", s1, s3}, {"read back", r1, r3}} {
		perName := float64(m.d3-m.d1) / (2 * n)
		t.Logf("%s: %d bytes for %d names, %d for %d: %.1f bytes per name", m.what, m.d1, n, m.d3, 3*n, perName)
		if perName > 1 {
			t.Errorf("%s, the names hold %.1f bytes each on the heap, want none", m.what, perName)
		}
	}
}
