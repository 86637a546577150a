package verify_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/verify"
)

// A listed file swapped for a symbolic link leading out of the list's directory after
// VerifyManifest checked it, and before it hashed it (someone who can write in the directory
// while the list is checked; deterministic here with the afterGuard hook), was read where the
// link then led: with the list giving the outside file's digest, the entry was "ok" and the
// manifest valid. Now the files are opened through an os.Root on the directory: the entry is
// EntryOutside (ErrOutsidePath), never hashed, whether the link is relative, absolute, or a
// directory of the path swapped for a link. Entries left alone, and a link inside by an
// absolute path (which os.Root alone would refuse), still verify.
func TestRZManifestLinkSwappedAfterCheck(t *testing.T) {
	top := t.TempDir()
	dir := filepath.Join(top, "dist")
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	secret := writeFile(t, top, "secret", "secret")
	writeFile(t, top, "c", "secret") // where sub/c leads once sub is a link to top
	writeFile(t, dir, "ok", "ok")
	writeFile(t, dir, "target", "target")
	writeFile(t, dir, "rel", "rel")
	writeFile(t, dir, "abs", "abs")
	writeFile(t, dir, "sub/c", "c")
	if err := os.Symlink(filepath.Join(dir, "target"), filepath.Join(dir, "abs-inside")); err != nil {
		t.Fatal(err)
	}
	lines := []struct{ name, content string }{
		{"ok", "ok"},
		{"abs-inside", "target"},
		{"rel", "secret"}, // each swapped entry lists the outside file's digest
		{"abs", "secret"},
		{"sub/c", "secret"},
	}
	var list strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&list, "%s  %s\n", sum(l.content), l.name)
	}
	art, opts := signedList(t, dir, list.String())

	swap := func() {
		for link, target := range map[string]string{"rel": "../secret", "abs": secret} {
			p := filepath.Join(dir, link)
			if err := os.Remove(p); err != nil {
				t.Error(err)
			}
			if err := os.Symlink(target, p); err != nil {
				t.Error(err)
			}
		}
		sub := filepath.Join(dir, "sub")
		if err := os.Rename(sub, filepath.Join(top, "sub-away")); err != nil {
			t.Error(err)
		}
		if err := os.Symlink(top, sub); err != nil {
			t.Error(err)
		}
	}
	defer verify.SetAfterGuard(swap)()

	res, err := verify.VerifyManifest(context.Background(), art, opts, verify.ManifestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(res), "1:ok=ok 2:abs-inside=ok 3:rel=outside 4:abs=outside 5:sub/c=outside"; got != want {
		t.Errorf("files\n%s, want\n%s", got, want)
	}
	for _, f := range res.Files[2:] {
		if f.Actual != "" || !errors.Is(f.Err(), verify.ErrOutsidePath) {
			t.Errorf("%s: actual %q, err %v; want it unread, ErrOutsidePath", f.Name, f.Actual, f.Err())
		}
	}
	if res.Valid || !errors.Is(res.Err(), verify.ErrOutsidePath) || res.Reason != verify.ReasonOutsidePath {
		t.Errorf("valid %v, err %v, reason %q", res.Valid, res.Err(), res.Reason)
	}
}
