package secret

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Probes of the security review (rh) of secret files (--passphrase-file, a token URI's
// pin-source): each pins a behaviour no other test pins.

// TestReadFileSpecialFiles: a device is refused, not read (/dev/zero gave a 64 KiB secret of
// NUL bytes); a named pipe nobody writes to reads as empty instead of waiting for ever; a pipe
// with a writer (a shell's <(...), /dev/fd/N) is still read.
func TestReadFileSpecialFiles(t *testing.T) {
	t.Run("device", func(t *testing.T) {
		b, err := ReadFile("/dev/zero")
		if err == nil {
			t.Fatalf("/dev/zero was read as a secret of %d bytes", len(b))
		}
		if _, ok := errors.AsType[*fs.PathError](err); !ok || !strings.Contains(err.Error(), "/dev/zero") {
			t.Errorf("error %v is not a *fs.PathError naming the file", err)
		}
		t.Log(err)
	})
	t.Run("fifo without writer", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "pin.fifo")
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Skip(err)
		}
		type result struct {
			b   []byte
			err error
		}
		done := make(chan result, 1)
		go func() { b, err := ReadFile(p); done <- result{b, err} }()
		select {
		case r := <-done:
			if r.err != nil || len(r.b) != 0 {
				t.Errorf("ReadFile = %q, %v; want empty", r.b, r.err)
			}
			_, err := Source{File: p}.Read("")
			if !errors.Is(err, ErrEmpty) {
				t.Errorf("Source.Read = %v, want ErrEmpty", err)
			}
		case <-time.After(30 * time.Second):
			// Unblock the reader so that the test binary can end.
			if f, err := os.OpenFile(p, os.O_WRONLY, 0); err == nil {
				f.Close()
			}
			t.Fatal("ReadFile is still waiting for a writer on a named pipe")
		}
	})
	t.Run("pipe with writer", func(t *testing.T) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		w.WriteString("s3cret\n")
		w.Close()
		b, err := ReadFile("/dev/fd/" + strconv.Itoa(int(r.Fd())))
		if err != nil || string(b) != "s3cret" {
			t.Errorf("ReadFile(/dev/fd/N) = %q, %v", b, err)
		}
	})
}

// TestReadFileLongLine: a first line longer than the 64 KiB read is refused, not cut short (a
// passphrase cut at 64 KiB would encrypt a new key with a secret the user never gave); a long
// file whose first line is short is read as before.
func TestReadFileLongLine(t *testing.T) {
	dir := t.TempDir()
	long := bytes.Repeat([]byte("a"), 70_000)
	for name, content := range map[string][]byte{
		"no newline":    long,
		"late newline":  append(append([]byte{}, long...), '\n', 'b'),
		"one byte over": append(bytes.Repeat([]byte("a"), 64<<10), 'x'),
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
		if err := os.WriteFile(p, content, 0o600); err != nil {
			t.Fatal(err)
		}
		b, err := ReadFile(p)
		if err == nil {
			t.Errorf("%s: read a secret of %d bytes from a first line of more than 64 KiB", name, len(b))
			continue
		}
		if !strings.Contains(err.Error(), p) || strings.Contains(err.Error(), "aaaa") {
			t.Errorf("%s: error %v does not name the file, or shows its content", name, err)
		}
	}
	p := filepath.Join(dir, "short-first-line")
	if err := os.WriteFile(p, append([]byte("pass\r\n"), long...), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(p); err != nil || string(b) != "pass" {
		t.Errorf("short first line, long file: %q, %v", b, err)
	}
	p = filepath.Join(dir, "max")
	if err := os.WriteFile(p, append(bytes.Repeat([]byte("a"), 64<<10), '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(p); err != nil || len(b) != 64<<10 {
		t.Errorf("a first line of exactly 64 KiB: %d bytes, %v", len(b), err)
	}
}
