package sign

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/signet-pki/signet/internal/atomicfile"
)

// TestSignFilesMemoryPerFile: what a run holds per file, beyond the names it is given, while
// its signatures are moved into place and while its receipts are handed out (issue 15: 100,000
// files took 102 MiB, about 0.8 KiB a file: a record with five slices per file, its output
// name, the batch's records, and a receipt per file with its own certificate summary).
func TestSignFilesMemoryPerFile(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes what the heap holds")
	}
	const n = 1000
	ec := mustFixture(t, "codesign")
	s := mustSigner(t, ec.key, SignOptions{Certificates: ec.chain}) // bundles, with a certificate in each receipt
	dir, names := manyFiles(t, n+1)
	// Short relative names, as a release's are: what is measured does not depend on how long
	// the temporary directory's name is.
	t.Chdir(dir)
	for i, name := range names {
		names[i] = filepath.Base(name)
	}
	// A first run of one file: what is made once (the key's tables) is not per file.
	if _, err := SignFiles(t.Context(), s, names[n:], FilesOptions{}); err != nil {
		t.Fatal(err)
	}
	names = names[:n]
	heap := func() int64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	base := heap()
	var atCommit, atReceipts int64
	testHookCommit = func(ctx context.Context, b *atomicfile.Batch) error {
		atCommit = heap()
		return b.CommitContext(ctx)
	}
	defer func() { testHookCommit = nil }()
	count := 0
	rs, err := SignFiles(t.Context(), s, names, FilesOptions{Receipts: func(r Receipt) error {
		if count++; count == n {
			atReceipts = heap()
		}
		return nil
	}})
	if err != nil || rs != nil || count != n {
		t.Fatalf("SignFiles: %d receipts handed out, %d returned, %v", count, len(rs), err)
	}
	for what, at := range map[string]int64{"at commit": atCommit, "handing out receipts": atReceipts} {
		perFile := float64(at-base) / n
		t.Logf("%s: %.0f bytes per file", what, perFile)
		// The name (kept by the caller), 32 bytes of digest, 16 of error, the output name
		// (about as long as the name) and the batch's record (about 60 bytes).
		if perFile > 220 {
			t.Errorf("%s the run holds %.0f bytes per file, want at most 220", what, perFile)
		}
	}
}
