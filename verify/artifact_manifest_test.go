package verify_test

import (
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/signet-pki/signet/verify"
)

func sum(content string) string {
	d := sha256.Sum256([]byte(content))
	return hex.EncodeToString(d[:])
}

// signedList writes list in dir/SHA256SUMS and returns it with a raw signature by the fixture
// code signer, and the options that trust that key.
func signedList(t *testing.T, dir, list string) (verify.Artifact, verify.ArtifactOptions) {
	t.Helper()
	p := writeFile(t, dir, "SHA256SUMS", list)
	k := mustSigner(t, "codesign.key")
	sig := rawSignature(t, rawSign(t, k, crypto.SHA256, false, []byte(list)))
	return verify.Artifact{Name: p, Signature: sig}, verify.ArtifactOptions{Key: k.Public()}
}

func statuses(res *verify.ManifestResult) string {
	var s []string
	for _, f := range res.Files {
		s = append(s, fmt.Sprintf("%d:%s=%s", f.Line, f.Name, f.Status))
	}
	return strings.Join(s, " ")
}

// A malformed line of a signed list fails the verdict, even when every file it can read
// matches: the files it would have named are not checked, so "OK" would vouch for nothing.
// (Issue 10: one good line, two malformed ones naming changed files, exit 0.)
func TestVerifyManifestMalformedLines(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a", "a")
	writeFile(t, dir, "b", "changed")
	writeFile(t, dir, "c", "changed")
	list := sum("a") + "  a\n" +
		"garbage " + sum("b") + "  b\n" +
		"# a comment is not malformed\n\n" +
		`\` + sum("c") + "  c\\\n" // a dangling escape
	art, opts := signedList(t, dir, list)
	ctx := context.Background()

	for _, tc := range []struct {
		name string
		mo   verify.ManifestOptions
		want string
	}{
		{"every file", verify.ManifestOptions{}, "1:a=ok 2:=malformed 5:=malformed"},
		{"only the good file", verify.ManifestOptions{Only: []string{filepath.Join(dir, "a")}}, "1:a=ok 2:=malformed 5:=malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := verify.VerifyManifest(ctx, art, opts, tc.mo)
			if err != nil {
				t.Fatal(err)
			}
			if got := statuses(res); got != tc.want {
				t.Errorf("files %s, want %s", got, tc.want)
			}
			if res.Valid || !errors.Is(res.Err(), verify.ErrMalformedLine) || res.Reason != verify.ReasonMalformedLine || res.Malformed != 2 {
				t.Fatalf("valid %v, err %v, reason %q, malformed %d", res.Valid, res.Err(), res.Reason, res.Malformed)
			}
			if want := "line 2 is not a checksum line"; !strings.Contains(res.Error, want) {
				t.Errorf("error %q, want %q", res.Error, want)
			}
		})
	}
}

// Listed names stay in the list's directory unless AllowOutside: absolute paths, ".." and
// symbolic links that resolve outside are refused unread; links inside are followed.
func TestVerifyManifestOutside(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "dist")
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	writeFile(t, root, "secret", "secret")
	writeFile(t, dir, "a", "a")
	writeFile(t, dir, "sub/b", "b")
	for link, target := range map[string]string{
		"inside-link": "a",              // a file beside it
		"inside-dir":  "sub",            // a directory beside it
		"out-link":    "../secret",      // a file outside
		"out-dir":     root,             // a directory outside, by absolute path
		"loop":        "loop",           // cannot be resolved: left to the hashing
		"dangling":    "../nonexistent", // idem
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(root, "secret")
	lines := []struct{ name, content string }{
		{"a", "a"},
		{"sub/b", "b"},
		{"inside-link", "a"},
		{"inside-dir/b", "b"},
		{"./sub/../a", "a"},
		{"../secret", "secret"},
		{secret, "secret"},
		{"out-link", "secret"},
		{"out-dir/secret", "secret"},
		{"loop", "x"},
		{"dangling", "x"},
	}
	var list strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&list, "%s  %s\n", sum(l.content), l.name)
	}
	art, opts := signedList(t, dir, list.String())
	ctx := context.Background()

	res, err := verify.VerifyManifest(ctx, art, opts, verify.ManifestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := "1:a=ok 2:sub/b=ok 3:inside-link=ok 4:inside-dir/b=ok 5:./sub/../a=outside 6:../secret=outside " +
		"7:" + secret + "=outside 8:out-link=outside 9:out-dir/secret=outside 10:loop=unreadable 11:dangling=missing"
	if got := statuses(res); got != want {
		t.Errorf("files\n%s, want\n%s", got, want)
	}
	if res.Valid || !errors.Is(res.Err(), verify.ErrOutsidePath) || res.Reason != verify.ReasonOutsidePath {
		t.Fatalf("valid %v, err %v, reason %q", res.Valid, res.Err(), res.Reason)
	}
	for _, f := range res.Files {
		if f.Status == verify.EntryOutside && f.Actual != "" {
			t.Errorf("%s was read: %s", f.Name, f.Actual)
		}
	}
	for name, detail := range map[string]string{"../secret": "(a .. component)", secret: "(an absolute path)", "out-link": "(it resolves to " + secret + ")"} {
		for _, f := range res.Files {
			if f.Name == name && f.Error != "is outside the list's directory "+detail {
				t.Errorf("%s: error %q, want %q", name, f.Error, detail)
			}
		}
	}

	res, err = verify.VerifyManifest(ctx, art, opts, verify.ManifestOptions{AllowOutside: true})
	if err != nil {
		t.Fatal(err)
	}
	want = "1:a=ok 2:sub/b=ok 3:inside-link=ok 4:inside-dir/b=ok 5:./sub/../a=ok 6:../secret=ok " +
		"7:" + secret + "=ok 8:out-link=ok 9:out-dir/secret=ok 10:loop=unreadable 11:dangling=missing"
	if got := statuses(res); got != want {
		t.Errorf("with AllowOutside: files\n%s, want\n%s", got, want)
	}
}

// A listed named pipe is unreadable at once instead of blocking the run; so is a directory.
func TestVerifyManifestSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a", "a")
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600); err != nil {
		t.Skip(err)
	}
	os.Mkdir(filepath.Join(dir, "dir"), 0o755)
	art, opts := signedList(t, dir, sum("a")+"  a\n"+sum("")+"  fifo\n"+sum("")+"  dir\n")
	done := make(chan struct{})
	var res *verify.ManifestResult
	var err error
	go func() {
		defer close(done)
		res, err = verify.VerifyManifest(context.Background(), art, opts, verify.ManifestOptions{})
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("blocked on the named pipe")
	}
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(res), "1:a=ok 2:fifo=unreadable 3:dir=unreadable"; got != want {
		t.Errorf("files %s, want %s", got, want)
	}
	if e := res.Files[1].Error; e != "is a named pipe, not a regular file" {
		t.Errorf("fifo: %q", e)
	}
	if !errors.Is(res.Err(), verify.ErrUnchecked) || res.Reason != verify.ReasonUnchecked {
		t.Errorf("err %v, reason %q", res.Err(), res.Reason)
	}
}
