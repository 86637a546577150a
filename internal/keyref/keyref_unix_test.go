//go:build unix

package keyref

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/signet-pki/signet/internal/readlimit"
	"github.com/signet-pki/signet/x509util"
)

// TestOpenSpecialFiles: a key reference naming a device or a named pipe nobody writes to is
// answered at once with a one-line error of a class the CLI maps to bad input (exit 3):
// /dev/zero is refused unread, where it used to be read up to the cap, and the pipe reads as
// empty, not a key, where opening it used to wait for a writer for ever.
func TestOpenSpecialFiles(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "key.fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() {
		// Let a reader still blocked in open(2) (the bug this tests) go on and end.
		if f, err := os.OpenFile(fifo, os.O_WRONLY|unix.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	tests := []struct {
		name   string
		ref    string
		target error
		msg    string
	}{
		{"device", "/dev/zero", readlimit.ErrNotFile, "read /dev/zero: is a character device, not a file"},
		{"pipe without a writer", fifo, x509util.ErrMalformed, "read " + fifo + ": "},
	}
	for _, tc := range tests {
		for _, open := range []struct {
			name string
			f    func(string) error
		}{
			{"Open", func(ref string) error { _, err := Open(ref, Options{Passphrase: noSource}); return err }},
			{"OpenPublic", func(ref string) error { _, err := OpenPublic(ref, Options{Passphrase: noSource}); return err }},
		} {
			t.Run(tc.name+"/"+open.name, func(t *testing.T) {
				done := make(chan error, 1)
				go func() { done <- open.f(tc.ref) }()
				var err error
				select {
				case err = <-done:
				case <-time.After(time.Minute):
					t.Fatal("still reading the key reference")
				}
				if !errors.Is(err, tc.target) || !strings.HasPrefix(err.Error(), tc.msg) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("got %v, want one line starting %q, matching %v", err, tc.msg, tc.target)
				}
				var pe *fs.PathError
				if tc.target == readlimit.ErrNotFile && !errors.As(err, &pe) {
					t.Errorf("%v is not an *fs.PathError (the CLI's bad input)", err)
				}
			})
		}
	}
}
