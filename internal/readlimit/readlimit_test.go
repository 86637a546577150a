//go:build unix

package readlimit_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/readlimit"
)

// within fails the test if f has not returned after a generous while: the property under test
// is that nothing waits for ever, and a hung test would say nothing.
func within[T any](t *testing.T, f func() T) T {
	t.Helper()
	done := make(chan T, 1)
	go func() { done <- f() }()
	select {
	case v := <-done:
		return v
	case <-time.After(20 * time.Second):
		t.Fatal("still blocked after 20s")
	}
	var zero T
	return zero
}

func mkfifo(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	return p
}

type result struct {
	data []byte
	err  error
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A sparse file larger than the cap: refused from its size, never read.
	big := filepath.Join(dir, "big")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 40); err != nil {
		t.Skipf("no sparse files here: %v", err)
	}
	f.Close()

	tests := []struct {
		name  string
		path  string
		limit int64
		want  string // content
		err   error
		msg   string
	}{
		{name: "regular file", path: small, limit: 10, want: "0123456789"},
		{name: "one byte over", path: small, limit: 9, err: readlimit.ErrTooLarge, msg: "is larger than 9 bytes"},
		{name: "a terabyte", path: big, limit: 64 << 20, err: readlimit.ErrTooLarge, msg: "is larger than 64 MiB"},
		{name: "directory", path: dir, limit: 10, err: readlimit.ErrNotFile, msg: "is a directory, not a file"},
		{name: "/dev/zero", path: "/dev/zero", limit: 64 << 20, err: readlimit.ErrNotFile, msg: "is a character device, not a file"},
		{name: "missing", path: filepath.Join(dir, "missing"), limit: 10, err: fs.ErrNotExist, msg: "open " + filepath.Join(dir, "missing") + ": no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := os.Stat(tc.path); tc.err != fs.ErrNotExist && err != nil {
				t.Skip(err)
			}
			r := within(t, func() result { b, err := readlimit.ReadFile(tc.path, tc.limit); return result{b, err} })
			if tc.err == nil {
				if r.err != nil || string(r.data) != tc.want {
					t.Fatalf("got %q, %v", r.data, r.err)
				}
				return
			}
			if !errors.Is(r.err, tc.err) || !strings.Contains(r.err.Error(), tc.msg) {
				t.Fatalf("got %v, want %v containing %q", r.err, tc.err, tc.msg)
			}
		})
	}
}

// A named pipe with no writer reads as empty at once; one with a writer is read up to the cap.
func TestReadFilePipe(t *testing.T) {
	fifo := mkfifo(t, t.TempDir())
	r := within(t, func() result { b, err := readlimit.ReadFile(fifo, 10); return result{b, err} })
	if r.err != nil || len(r.data) != 0 {
		t.Fatalf("no writer: got %q, %v", r.data, r.err)
	}

	for _, tc := range []struct {
		name    string
		content string
		err     error
	}{
		{"within the cap", "0123456789", nil},
		{"over the cap", "0123456789A", readlimit.ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A reader that never reads holds the pipe open, so that the writer need not wait
			// and what it writes stays until ReadFile reads it. (A writer opened while ReadFile
			// runs raced it: ReadFile could find no writer, read nothing and return, and the
			// writer then waited forever for a reader.)
			keep, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer keep.Close()
			w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			w.WriteString(tc.content)
			w.Close()
			r := within(t, func() result { b, err := readlimit.ReadFile(fifo, 10); return result{b, err} })
			if tc.err != nil {
				if !errors.Is(r.err, tc.err) {
					t.Fatalf("got %q, %v; want %v", r.data, r.err, tc.err)
				}
				return
			}
			if r.err != nil || string(r.data) != tc.content {
				t.Fatalf("got %q, %v", r.data, r.err)
			}
		})
	}
}

func TestCheckRegular(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	link := filepath.Join(dir, "link")
	os.Symlink(file, link)
	fifo := mkfifo(t, dir)
	for _, tc := range []struct {
		path string
		err  error
		msg  string
	}{
		{file, nil, ""},
		{link, nil, ""},
		{fifo, readlimit.ErrNotFile, "is a named pipe, not a regular file"},
		{dir, readlimit.ErrNotFile, "is a directory, not a file"},
		{"/dev/null", readlimit.ErrNotFile, "is a character device, not a regular file"},
		{filepath.Join(dir, "missing"), fs.ErrNotExist, "no such file"},
	} {
		err := readlimit.CheckRegular(tc.path)
		if tc.err == nil {
			if err != nil {
				t.Errorf("%s: %v", tc.path, err)
			}
			continue
		}
		if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: got %v, want %v containing %q", tc.path, err, tc.err, tc.msg)
		}
	}
}
