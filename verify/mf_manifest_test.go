package verify_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/signet-pki/signet/verify"
)

// A listed name that ends in "/" (or "/.") names a directory: `sha256sum -c` fails "a/" for a
// regular file a (open: not a directory) and reads nothing. VerifyManifest joined the name
// to the list's directory, which cleaned the slash away, and checked the file a: the line
// passed where sha256sum's fails. Now such a name is unreadable (ErrUnchecked) unless it is
// missing, as sha256sum says; whether the list is valid does not rest on a name it does not
// say plainly.
func TestManifestNameEndingInSlash(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a", "a")
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "sub/b", "b")
	list := sum("a") + "  a\n" +
		sum("a") + "  a/\n" +
		sum("b") + "  sub/b/.\n" +
		sum("c") + "  c/\n" + // missing, as sha256sum says
		sum("b") + "  sub/\n"
	art, opts := signedList(t, dir, list)
	for _, allow := range []bool{false, true} {
		res, err := verify.VerifyManifest(context.Background(), art, opts, verify.ManifestOptions{AllowOutside: allow})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := statuses(res), "1:a=ok 2:a/=unreadable 3:sub/b/.=unreadable 4:c/=missing 5:sub/=unreadable"; got != want {
			t.Errorf("allow-outside %v: files\n%s, want\n%s", allow, got, want)
		}
		if res.Valid || !errors.Is(res.Err(), verify.ErrUnchecked) || res.Reason != verify.ReasonUnchecked {
			t.Errorf("allow-outside %v: valid %v reason %q err %v, want unchecked", allow, res.Valid, res.Reason, res.Err())
		}
		for _, f := range res.Files[1:3] {
			if f.Actual != "" || f.Error != "not a directory (the listed name ends in /)" {
				t.Errorf("%s: actual %q error %q", f.Name, f.Actual, f.Error)
			}
		}
	}
}
