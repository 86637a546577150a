//go:build unix

package digest

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/signet-pki/signet/internal/readlimit"
)

// TestCheckRefusesSpecialFiles: an entry of a checksum list that names a named pipe with no
// writer (which `hash -c` waited on in open(2) for ever) or a device (/dev/zero, read without
// end) is refused at once as a file that cannot be read, with an error matching
// readlimit.ErrNotFile, and the rest of the list is checked.
func TestCheckRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	pipe := filepath.Join(dir, "pipe")
	if err := unix.Mkfifo(pipe, 0o600); err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { // let a reader blocked in open(2) go on
		if f, err := os.OpenFile(pipe, os.O_WRONLY|unix.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	ok := filepath.Join(dir, "ok")
	if err := os.WriteFile(ok, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	list := filepath.Join(dir, "SUMS")
	body := abc + "  " + ok + "\n" + empty + "  " + pipe + "\n" + empty + "  /dev/zero\n"
	if err := os.WriteFile(list, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	type result struct {
		sum   CheckSummary
		err   error
		diags []Diagnostic
		out   string
	}
	done := make(chan result, 1)
	go func() {
		var r result
		var out bytes.Buffer
		r.sum, r.err = Check(t.Context(), []string{list}, CheckOptions{Out: &out, Diag: func(d Diagnostic) { r.diags = append(r.diags, d) }})
		r.out = out.String()
		done <- r
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(time.Minute):
		t.Fatal("Check is still opening or reading a special file")
	}
	if r.err != nil || r.sum.OK != 1 || r.sum.Unreadable != 2 || !errors.Is(r.sum.Err(), ErrCheckFailed) {
		t.Fatalf("summary %+v, %v; want 1 OK, 2 unreadable", r.sum, r.err)
	}
	want := ok + ": OK\n" + pipe + ": FAILED open or read\n/dev/zero: FAILED open or read\n"
	if r.out != want {
		t.Fatalf("report %q, want %q", r.out, want)
	}
	var refused int
	for _, d := range r.diags {
		if errors.Is(d.Err, readlimit.ErrNotFile) && strings.Contains(d.Msg, "not a regular file") {
			refused++
		}
	}
	if refused != 2 {
		t.Fatalf("diagnostics %+v; want two refusals matching readlimit.ErrNotFile", r.diags)
	}
}
