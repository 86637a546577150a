//go:build unix

package digest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestWorkersGoOnPastAHeldUpFile: results come back in the order of the names, but a file
// that holds its worker up (here a named pipe, whose open(2) waits for a writer; on a busy
// machine, a worker whose thread is off the CPU) does not stop the other workers after a few
// dozen files: they hash the next ones, up to the engine's window (4,096 jobs), meanwhile.
// With the window of 72 jobs it had, the other worker stopped after 72 of the 2,000 files.
func TestWorkersGoOnPastAHeldUpFile(t *testing.T) {
	dir := t.TempDir()
	pipe := filepath.Join(dir, "pipe")
	if err := unix.Mkfifo(pipe, 0o600); err != nil {
		t.Skip(err)
	}
	const n = 2000
	names := []string{pipe}
	for i := range n {
		name := filepath.Join(dir, fmt.Sprintf("f%04d", i))
		if err := os.WriteFile(name, []byte{byte(i)}, 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	reached := make(chan struct{})
	most := make(chan int, 1) // the most files done while the pipe waited
	most <- 0
	progress := func(p Progress) {
		m := <-most
		most <- max(m, p.Files)
		if p.Files == n && m < n {
			close(reached) // every file but the pipe is done: let the pipe's open return
		}
	}
	released := make(chan error, 1)
	release := func() {
		go func() { // open(2) for writing returns once the worker's open for reading waits
			f, err := os.OpenFile(pipe, os.O_WRONLY, 0)
			if err == nil {
				err = f.Close()
			}
			released <- err
		}()
	}
	before := make(chan int, 1) // the most files done before the pipe was let go
	go func() {
		select {
		case <-reached:
		case <-time.After(20 * time.Second): // only so that a failure ends
		}
		m := <-most
		before <- m
		most <- m
		release()
	}()
	var got []string
	err := HashFiles(t.Context(), names, HashOptions{Workers: 2, Progress: progress, ProgressInterval: time.Millisecond},
		func(r FileResult) error {
			if r.Err != nil {
				return r.Err
			}
			got = append(got, r.Name)
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-released; err != nil {
		t.Fatal(err)
	}
	if m := <-before; m < n {
		t.Errorf("the other worker stopped after %d of the %d files while the first was held up", m, n)
	}
	if len(got) != n+1 || got[0] != pipe || got[n] != names[n] {
		t.Errorf("%d results, first %q: want %d in the order given", len(got), got[0], n+1)
	}
}
