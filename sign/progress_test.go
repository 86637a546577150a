package sign

import (
	"os"
	"sync"
	"testing"
	"time"

	"github.com/signet-pki/signet/digest"
)

// TestSignFilesProgress: a run tells its progress while it works and once at the end, with
// the totals known from the start, over digests (P-256) and over whole messages (Ed25519).
func TestSignFilesProgress(t *testing.T) {
	for _, name := range []string{"codesign", "codesign-ed25519"} {
		t.Run(name, func(t *testing.T) {
			fx := mustFixture(t, name)
			s := mustSigner(t, fx.key, SignOptions{})
			_, names := manyFiles(t, 30)
			var size int64
			for _, n := range names {
				fi, err := os.Stat(n)
				if err != nil {
					t.Fatal(err)
				}
				size += fi.Size()
			}
			var mu sync.Mutex
			var calls []digest.Progress
			_, err := SignFiles(t.Context(), s, names, FilesOptions{ProgressInterval: time.Millisecond, Progress: func(p digest.Progress) {
				mu.Lock()
				defer mu.Unlock()
				calls = append(calls, p)
			}})
			if err != nil {
				t.Fatal(err)
			}
			if len(calls) == 0 {
				t.Fatal("Progress was never called")
			}
			want := digest.Progress{Bytes: size, TotalBytes: size, Files: len(names), TotalFiles: len(names)}
			if last := calls[len(calls)-1]; last != want {
				t.Errorf("last progress %+v, want %+v", last, want)
			}
			for i, p := range calls {
				if p.TotalBytes != size || p.TotalFiles != len(names) || (i > 0 && (p.Files < calls[i-1].Files || p.Bytes < calls[i-1].Bytes)) {
					t.Errorf("progress %d: %+v after %+v", i, p, calls[max(i-1, 0)])
				}
			}
		})
	}
}
