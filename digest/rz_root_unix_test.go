//go:build unix

package digest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/signet-pki/signet/internal/readlimit"
)

// TestHashFilesRoot: with HashOptions.Root, names are opened through an os.Root on the
// directory, so no name leads out of it: a symbolic link to a file outside (relative or
// absolute) or a ".." is a per-file error and the file outside is never hashed, whereas
// without Root the same link is followed (the control). Links inside are followed, a
// named pipe with no writer is refused without blocking the open (O_NONBLOCK, fstat), a
// missing file is fs.ErrNotExist, "./-" is a file called "-".
func TestHashFilesRoot(t *testing.T) {
	top := t.TempDir()
	dir := filepath.Join(top, "dist")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(path, content string) {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(top, "secret"), "secret")
	write(filepath.Join(dir, "a"), "a")
	write(filepath.Join(dir, "-"), "dash")
	for link, target := range map[string]string{
		"in":      "a",
		"out":     "../secret",
		"out-abs": filepath.Join(top, "secret"),
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := unix.Mkfifo(filepath.Join(dir, "pipe"), 0o600); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	sum := func(s string) string { d := sha256.Sum256([]byte(s)); return hex.EncodeToString(d[:]) }

	run := func(opts HashOptions, names ...string) map[string]FileResult {
		t.Helper()
		got := map[string]FileResult{}
		if err := HashFiles(context.Background(), names, opts, func(r FileResult) error {
			got[r.Name] = r
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}

	// The control: without Root, the link out is read where it leads.
	if r := run(HashOptions{}, filepath.Join(dir, "out"))[filepath.Join(dir, "out")]; r.Err != nil || r.Digest.String() != sum("secret") {
		t.Fatalf("control, no root: %+v", r)
	}

	got := run(HashOptions{Root: root}, "a", "in", "./-", "out", "out-abs", "../secret", "pipe", "missing")
	for _, name := range []string{"a", "in"} {
		if r := got[name]; r.Err != nil || r.Digest.String() != sum("a") {
			t.Errorf("%s: %+v, want the digest of a", name, r)
		}
	}
	if r := got["./-"]; r.Err != nil || r.Digest.String() != sum("dash") {
		t.Errorf("./-: %+v, want the file called -", r)
	}
	for _, name := range []string{"out", "out-abs", "../secret"} {
		r := got[name]
		var fe *FileError
		if r.Err == nil || !errors.As(r.Err, &fe) || r.Digest != nil || errors.Is(r.Err, fs.ErrNotExist) {
			t.Errorf("%s leads out of the root: %+v (%v), want a per-file error and no digest", name, r, r.Err)
		}
	}
	if r := got["pipe"]; !errors.Is(r.Err, readlimit.ErrNotFile) {
		t.Errorf("pipe: %v, want an error matching readlimit.ErrNotFile", r.Err)
	}
	if r := got["missing"]; !errors.Is(r.Err, fs.ErrNotExist) {
		t.Errorf("missing: %v, want fs.ErrNotExist", r.Err)
	}

	if err := HashFiles(context.Background(), []string{"a"}, HashOptions{Root: root, Recursive: true}, func(FileResult) error { return nil }); err == nil {
		t.Error("Root with Recursive: no error")
	}
}
