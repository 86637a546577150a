//go:build unix

package sign

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestSignFilesCanceled: a run whose context ends while its signatures are staged (the last
// file is a FIFO nobody writes to, so the run cannot finish by itself) returns promptly, an
// error carrying the cause, and leaves no signature, no temporary, and the old signatures of
// a --force run as they were.
func TestSignFilesCanceled(t *testing.T) {
	ec := mustFixture(t, "codesign")
	ed := mustFixture(t, "codesign-ed25519")
	for _, tc := range []struct {
		name string
		fx   fixture
	}{
		{"digest", ec},  // hashed by the engine, then signed
		{"message", ed}, // Ed25519 raw: each file read whole by a signing worker
	} {
		for _, force := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s force=%v", tc.name, force), func(t *testing.T) {
				s := mustSigner(t, tc.fx.key, SignOptions{})
				dir, names := manyFiles(t, 200)
				if force {
					for _, n := range names {
						writeFile(t, n+".sig", []byte("old"))
					}
				}
				names = append(names, mustFIFO(t, filepath.Join(dir, "pipe")))
				ctx, cancel := context.WithCancelCause(t.Context())
				defer cancel(nil)
				done := make(chan error, 1)
				go func() {
					_, err := SignFiles(ctx, s, names, FilesOptions{Force: force})
					done <- err
				}()
				waitStaged(t, dir, len(names)-1, done)
				stop := errors.New("stopped by the test")
				cancel(stop)
				var err error
				select {
				case err = <-done:
				case <-time.After(time.Minute):
					t.Fatal("SignFiles did not return after its context was cancelled")
				}
				if !errors.Is(err, ErrCanceled) || !errors.Is(err, context.Canceled) || !errors.Is(err, stop) {
					t.Fatalf("got %v, want ErrCanceled with the cause", err)
				}
				if want := "sign: stopped by the test; no signature was written"; err.Error() != want {
					t.Fatalf("message %q, want %q", err, want)
				}
				ents, _ := os.ReadDir(dir)
				for _, e := range ents {
					n := e.Name()
					switch {
					case force && strings.HasSuffix(n, ".sig"):
						if got := mustRead(t, filepath.Join(dir, n)); string(got) != "old" {
							t.Fatalf("%s = %q, want the old signature", n, got)
						}
					case n == "pipe":
					case !strings.HasPrefix(n, "f") || strings.Contains(n, "."):
						t.Fatalf("left behind: %s", n)
					}
				}
			})
		}
	}
}

// mustFIFO makes a FIFO, and at the end of the test opens it for writing once, so that a
// reader still blocked in open(2) goes on and ends.
func mustFIFO(t *testing.T, path string) string {
	t.Helper()
	if err := unix.Mkfifo(path, 0o600); err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() {
		if f, err := os.OpenFile(path, os.O_WRONLY|unix.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	return path
}

// waitStaged waits until a staging directory in dir holds n staged files, failing if the run
// ends first.
func waitStaged(t *testing.T, dir string, n int, done <-chan error) {
	t.Helper()
	for {
		select {
		case err := <-done:
			t.Fatalf("the run ended before it was stopped: %v", err)
		default:
		}
		staged, _ := filepath.Glob(filepath.Join(dir, ".signet-stage-*", "[0-9]*"))
		if len(staged) >= n {
			return
		}
		time.Sleep(time.Millisecond) // polling the directory, not waiting for an event
	}
}
