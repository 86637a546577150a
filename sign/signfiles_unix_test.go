//go:build unix

package sign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/readlimit"
)

// TestSignFilesCanceled: a run whose context ends while its signatures are staged returns
// promptly, an error carrying the cause, and leaves no signature, no temporary, and the old
// signatures of a --force run as they were. The run cannot finish by itself: the key holds
// the last file's signature until the run was stopped (a FIFO cannot hold it: SignFiles
// refuses special files).
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
				dir, names := manyFiles(t, 200)
				if force {
					for _, n := range names {
						writeFile(t, n+".sig", []byte("old"))
					}
				}
				key := tc.fx.key
				release := make(chan struct{})
				var once sync.Once
				defer once.Do(func() { close(release) })
				// The last file, whose signature waits for release. A digest signer is handed
				// the file's SHA-256, an Ed25519 raw signer the file itself.
				last := filepath.Join(dir, "last")
				writeFile(t, last, []byte("the last file"))
				names = append(names, last)
				hold := []byte("the last file")
				if tc.name == "digest" {
					sum := sha256.Sum256(hold)
					hold = sum[:]
				}
				key = &gatedSigner{Signer: key, hold: hold, release: release}
				s := mustSigner(t, key, SignOptions{})
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
				once.Do(func() { close(release) })
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
					case n == "last":
					case !strings.HasPrefix(n, "f") || strings.Contains(n, "."):
						t.Fatalf("left behind: %s", n)
					}
				}
			})
		}
	}
}

// gatedSigner signs as Signer does, except that signing the message hold waits for release.
type gatedSigner struct {
	crypto.Signer
	hold    []byte
	release chan struct{}
}

func (g *gatedSigner) Sign(r io.Reader, msg []byte, opts crypto.SignerOpts) ([]byte, error) {
	if bytes.Equal(msg, g.hold) {
		<-g.release
	}
	return g.Signer.Sign(r, msg, opts)
}

// TestSignFilesCanceledReadingStdin: a run stopped while it reads standard input, which may
// never end, returns promptly without waiting for the read, and writes nothing.
func TestSignFilesCanceledReadingStdin(t *testing.T) {
	ec := mustFixture(t, "codesign")
	ed := mustFixture(t, "codesign-ed25519")
	for _, tc := range []struct {
		name string
		fx   fixture
	}{
		{"digest", ec},  // hashed by the engine
		{"message", ed}, // Ed25519 raw: read whole by a signing worker
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mustSigner(t, tc.fx.key, SignOptions{})
			out := filepath.Join(t.TempDir(), "stdin.sig")
			pr, pw := io.Pipe() // written to once, never closed: the read never ends
			defer pw.Close()
			ctx, cancel := context.WithCancelCause(t.Context())
			defer cancel(nil)
			done := make(chan error, 1)
			go func() {
				_, err := SignFiles(ctx, s, []string{"-"}, FilesOptions{Out: out, Stdin: pr})
				done <- err
			}()
			if _, err := pw.Write([]byte("some of the message")); err != nil {
				t.Fatal(err)
			}
			cancel(errors.New("stopped by the test"))
			select {
			case err := <-done:
				if !errors.Is(err, ErrCanceled) {
					t.Fatalf("got %v, want ErrCanceled", err)
				}
			case <-time.After(time.Minute):
				t.Fatal("SignFiles waited for standard input after its context was cancelled")
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("%s: %v; want no signature", out, err)
			}
		})
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

// TestSignDigestRefusesSpecialFiles: a file hashed for a signature over its digest must be a
// regular file too. A named pipe with no writer was opened by the hashing engine, which
// waited in open(2) for ever (issue 10); a device was read without end. Both are refused at
// once, as files that cannot be read, and nothing is written.
func TestSignDigestRefusesSpecialFiles(t *testing.T) {
	ec := mustFixture(t, "codesign")
	s := mustSigner(t, ec.key, SignOptions{})
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok")
	writeFile(t, ok, []byte("fine"))
	for _, name := range []string{"/dev/zero", mustFIFO(t, filepath.Join(dir, "pipe"))} {
		t.Run(name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := SignFiles(t.Context(), s, []string{ok, name}, FilesOptions{})
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(time.Minute):
				t.Fatal("SignFiles is still opening or reading " + name)
			}
			var fe *digest.FileError
			if !errors.As(err, &fe) || !errors.Is(err, readlimit.ErrNotFile) || fe.Name != name {
				t.Fatalf("got %v, want a *FileError for %s matching readlimit.ErrNotFile", err, name)
			}
			if want := "not a regular file"; !strings.Contains(fe.Error(), want) {
				t.Errorf("message %q does not say %q", fe, want)
			}
			for _, out := range []string{ok + ".sig", name + ".sig"} {
				if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("%s: %v; want no signature", out, err)
				}
			}
		})
	}
}

// TestSignMessageRefusesSpecialFiles: a file read whole for an Ed25519 signature over the
// message must be a regular file. A device (/dev/zero, which would be read up to the 1 GiB cap
// for nothing) and a named pipe without a writer (which would block, or read as nothing) are
// refused at once, as files that cannot be read, and nothing is written.
func TestSignMessageRefusesSpecialFiles(t *testing.T) {
	ed := mustFixture(t, "codesign-ed25519")
	s := mustSigner(t, ed.key, SignOptions{})
	dir := t.TempDir()
	for _, name := range []string{"/dev/zero", mustFIFO(t, filepath.Join(dir, "pipe"))} {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(dir, "out.sig")
			done := make(chan error, 1)
			go func() {
				_, err := SignFiles(t.Context(), s, []string{name}, FilesOptions{Out: out})
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(time.Minute):
				t.Fatal("SignFiles is still reading")
			}
			var fe *digest.FileError
			if !errors.As(err, &fe) || !errors.Is(err, readlimit.ErrNotFile) || fe.Name != name {
				t.Fatalf("got %v, want a *FileError for %s matching readlimit.ErrNotFile", err, name)
			}
			if want := "not a regular file"; !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("message %q does not say %q on one line", err, want)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("%s: %v; want no signature", out, err)
			}
		})
	}
}
