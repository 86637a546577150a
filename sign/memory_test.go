package sign

import (
	"context"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/signet-pki/signet/internal/atomicfile"
)

// TestSignFilesMemoryPerFile: what a run holds per file while its signatures are moved into
// place and while its receipts are handed out, with the names streamed (FilesOptions.NamesFrom,
// as --files-from gives them). Issue 15: 100,000 files took 102 MiB, about 0.8 KiB a file
// (a record with five slices per file, its output name, the batch's records, a receipt per
// file with its own certificate summary), then about 200 bytes (the names, a digest, the
// output name, the batch's record). Now the names, digests and the batch's records are in
// scratch files and its journal: what grows with the number of files is measured as the
// difference between a run of n and one of 3n (what is made once, such as buffers, is in both),
// with the buffers made small so that both runs spill them. With force, the run replaces the
// signatures of an earlier one (sign --force over a release signed before): the batch keeps
// each replaced signature until the commit is over, and its checks find every output existing.
func TestSignFilesMemoryPerFile(t *testing.T) {
	for _, force := range []bool{false, true} {
		t.Run(fmt.Sprintf("force=%v", force), func(t *testing.T) { testSignFilesMemoryPerFile(t, force) })
	}
}

func testSignFilesMemoryPerFile(t *testing.T, force bool) {
	if raceEnabled {
		t.Skip("the race detector changes what the heap holds")
	}
	defer func(sp, dp int) { spoolBuffer, digestPage = sp, dp }(spoolBuffer, digestPage)
	spoolBuffer, digestPage = 1<<10, 64
	ec := mustFixture(t, "codesign")
	s := mustSigner(t, ec.key, SignOptions{Certificates: ec.chain}) // bundles, with a certificate in each receipt
	heap := func() int64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	// measure signs n files, named from a stream, and returns the heap at commit and at the
	// last receipt, less the heap before the run.
	measure := func(n int) (atCommit, atReceipts int64) {
		dir := t.TempDir()
		for i := range n {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%05d", i)), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// Short relative names, as a release's are.
		t.Chdir(dir)
		// And one named like a signature, not one: the run looks for the signatures among
		// the names (SkippedSignatureOf), with their set, and signs it.
		writeFile(t, "notes.p7s", []byte("x"))
		names := func(yield func(string, error) bool) {
			for i := range n {
				if !yield(fmt.Sprintf("f%05d", i), nil) {
					return
				}
			}
			yield("notes.p7s", nil)
		}
		if force { // an earlier run's signatures, replaced by the one measured
			if _, err := SignFiles(t.Context(), s, nil, FilesOptions{NamesFrom: iter.Seq2[string, error](names), Receipts: func(Receipt) error { return nil }}); err != nil {
				t.Fatalf("SignFiles before: %v", err)
			}
		}
		base := heap()
		testHookCommit = func(ctx context.Context, b *atomicfile.Batch) error {
			atCommit = heap() - base
			return b.CommitContext(ctx)
		}
		defer func() { testHookCommit = nil }()
		count := 0
		rs, err := SignFiles(t.Context(), s, nil, FilesOptions{NamesFrom: iter.Seq2[string, error](names), Force: force, Receipts: func(r Receipt) error {
			if count++; count == n+1 {
				atReceipts = heap() - base
			}
			return nil
		}, SkippedSignatureOf: func(sig, of string) { t.Errorf("%s skipped as the signature of %s", sig, of) }})
		if err != nil || rs != nil || count != n+1 {
			t.Fatalf("SignFiles: %d receipts handed out, %d returned, %v", count, len(rs), err)
		}
		return atCommit, atReceipts
	}
	// A first run: what is made once in a process (the key's tables) is not per file.
	measure(10)
	const n = 1000
	c1, r1 := measure(n)
	c3, r3 := measure(3 * n)
	for _, m := range []struct {
		what   string
		d1, d3 int64
	}{{"at commit", c1, c3}, {"handing out receipts", r1, r3}} {
		perFile := float64(m.d3-m.d1) / (2 * n)
		t.Logf("%s: %d bytes for %d files, %d for %d: %.1f bytes per file", m.what, m.d1, n, m.d3, 3*n, perFile)
		if perFile > 8 {
			t.Errorf("%s the run holds %.1f bytes per file, want at most 8", m.what, perFile)
		}
	}
}

// TestSignFilesSameNameMemory: a list that gives one name many times (a hostile or broken
// --files-from: a million times "a") is signed once, and finding the names given again holds
// nothing per name but the run's 8 bytes (mapped, not on the heap). It held a map entry for
// each name given again, tens of bytes each, until they were marked skipped.
func TestSignFilesSameNameMemory(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes what the heap holds")
	}
	s := mustSigner(t, mustFixture(t, "codesign").key, SignOptions{})
	heap := func() int64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	measure := func(n int) (held int64) {
		t.Chdir(t.TempDir())
		writeFile(t, "a", []byte("a"))
		names := func(yield func(string, error) bool) {
			for range n {
				if !yield("a", nil) {
					return
				}
			}
		}
		base := heap()
		testHookTwice = func() { held = heap() - base }
		defer func() { testHookTwice = nil }()
		var got []string
		_, err := SignFiles(t.Context(), s, nil, FilesOptions{NamesFrom: iter.Seq2[string, error](names), Receipts: func(r Receipt) error {
			got = append(got, r.Path)
			return nil
		}})
		if err != nil || len(got) != 1 || got[0] != "a" {
			t.Fatalf("SignFiles: receipts %q, %v; want one, of a", got, err)
		}
		return held
	}
	measure(10)
	const n = 10000
	h1, h3 := measure(n), measure(3*n)
	perName := float64(h3-h1) / (2 * n)
	t.Logf("%d bytes held for %d names, %d for %d: %.1f bytes per name", h1, n, h3, 3*n, perName)
	if perName > 2 {
		t.Errorf("finding the names given again holds %.1f bytes per name, want none", perName)
	}
}
