//go:build unix

package atomicfile

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestModeWhateverUmask: a file gets exactly the mode asked for, whatever the umask: one
// that narrows it (077) is undone before any byte is written, and a private key's 0600 is
// never widened. The staged file is created with plain system calls on Linux (issue 15).
func TestModeWhateverUmask(t *testing.T) {
	for _, umask := range []int{0o077, 0o022, 0} {
		old := syscall.Umask(umask)
		dir := t.TempDir()
		for _, perm := range []fs.FileMode{0o644, 0o600} {
			p := filepath.Join(dir, perm.String())
			for _, sync := range []bool{false, true} {
				os.Remove(p)
				b := Batch{SyncOnCommit: sync}
				if err := b.Add(p, []byte("data"), Options{Perm: perm}); err != nil {
					t.Fatal(err)
				}
				if err := b.Commit(); err != nil {
					t.Fatal(err)
				}
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != perm || fi.Size() != 4 {
					t.Errorf("umask %03o: %s is %v, %d bytes; want %v, 4 bytes", umask, p, fi.Mode().Perm(), fi.Size(), perm)
				}
			}
		}
		syscall.Umask(old)
	}
}
