package sign

import (
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/sigformat"
)

// TestSignManifest: the checksum list passes `sha256sum -c` run in its directory and its
// signature verifies.
func TestSignManifest(t *testing.T) {
	sha256sum := testutil.RequireTool(t, "sha256sum")
	ec := mustFixture(t, "codesign")
	for _, a := range []digest.Algorithm{digest.SHA256, digest.SHA3_256} {
		t.Run(a.Name(), func(t *testing.T) {
			dir := mustTree(t, map[string]string{"dist/a.tar": "aaa", "dist/sub/b.bin": "bbb", "dist/odd name": "c"})
			s := mustSigner(t, ec.key, SignOptions{Format: sigformat.CMS, Algorithm: a, Certificates: ec.chain})
			list := filepath.Join(dir, "dist", "SHA256SUMS")
			r, err := SignFiles(t.Context(), s, []string{filepath.Join(dir, "dist")}, FilesOptions{Recursive: true, Manifest: list})
			if err != nil {
				t.Fatal(err)
			}
			if len(r) != 1 || r[0].Entries != 3 || r[0].Signature != list+".p7s" {
				t.Fatalf("receipts %+v", r)
			}
			verifyFile(t, ec.key.Public(), a, list, list+".p7s")
			content := string(mustRead(t, list))
			if a == digest.SHA256 {
				cmd := []string{"-c", "SHA256SUMS"}
				out, errOut, err := testutil.RunErr("sh", "-c", "cd "+filepath.Join(dir, "dist")+" && "+sha256sum+" "+strings.Join(cmd, " "))
				if err != nil || strings.Count(string(out), ": OK") != 3 {
					t.Fatalf("sha256sum -c: %v\n%s%s\n%s", err, out, errOut, content)
				}
			} else if !strings.HasPrefix(content, "SHA3-256 (") {
				t.Fatalf("list %q is not tagged", content)
			}
			// The list names files relative to its directory.
			if strings.Contains(content, dir) {
				t.Fatalf("absolute names in %q", content)
			}
			// Again with --force: the list and its signature are not listed.
			r, err = SignFiles(t.Context(), s, []string{filepath.Join(dir, "dist")}, FilesOptions{Recursive: true, Manifest: list, Force: true})
			if err != nil || r[0].Entries != 3 {
				t.Fatalf("%v %+v", err, r)
			}
		})
	}
	t.Run("failure writes nothing", func(t *testing.T) {
		dir := mustTree(t, map[string]string{"a": "1"})
		s := mustSigner(t, ec.key, SignOptions{})
		list := filepath.Join(dir, "SUMS")
		_, err := SignFiles(t.Context(), s, []string{filepath.Join(dir, "a"), filepath.Join(dir, "nope")}, FilesOptions{Manifest: list})
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("got %v", err)
		}
		if _, err := os.Stat(list); err == nil {
			t.Fatal("list written")
		}
	})
}

// TestSignManifestRefusesStdin: standard input has no name to list; it is refused as
// unsupported (a usage error in the CLI) before anything, standard input included, is read.
func TestSignManifestRefusesStdin(t *testing.T) {
	ec := mustFixture(t, "codesign")
	s := mustSigner(t, ec.key, SignOptions{})
	dir := mustTree(t, map[string]string{"a": "1"})
	stdin := strings.NewReader("standard input")
	list := filepath.Join(dir, "SUMS")
	_, err := SignFiles(t.Context(), s, []string{filepath.Join(dir, "a"), "-"}, FilesOptions{Manifest: list, Stdin: stdin})
	if !errors.Is(err, ErrUnsupported) || err.Error() != "sign: standard input cannot be listed in a manifest" {
		t.Fatalf("got %v, want ErrUnsupported saying standard input cannot be listed", err)
	}
	if stdin.Len() != len("standard input") {
		t.Error("standard input was read")
	}
	if _, err := os.Stat(list); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("list: %v; want none", err)
	}
}

// TestSignManifestDashFile: a file called "-" (given as ./-, or by --files-from, where "-" is a
// file) was listed as "-", which `sha256sum -c` and `signet hash -c` read as standard input:
// checked there, the list's line failed or, with the file's bytes on standard input, passed
// without reading the file. It is listed as "./-", as sha256sum lists what it is given as ./-.
func TestSignManifestDashFile(t *testing.T) {
	sha256sum := testutil.RequireTool(t, "sha256sum")
	ec := mustFixture(t, "codesign")
	s := mustSigner(t, ec.key, SignOptions{})
	dir := mustTree(t, map[string]string{"-": "dash", "sub/-": "sub dash"})
	list := filepath.Join(dir, "SUMS")
	if _, err := SignFiles(t.Context(), s, []string{filepath.Join(dir, "-"), filepath.Join(dir, "sub", "-")}, FilesOptions{Manifest: list}); err != nil {
		t.Fatal(err)
	}
	content := string(mustRead(t, list))
	sum := func(s string) digest.Digest { d := sha256.Sum256([]byte(s)); return d[:] }
	want := digest.Entry{Algorithm: digest.SHA256, Digest: sum("dash"), Name: "./-"}.String() + "\n" +
		digest.Entry{Algorithm: digest.SHA256, Digest: sum("sub dash"), Name: "sub/-"}.String() + "\n"
	if content != want {
		t.Fatalf("list\n%q, want\n%q", content, want)
	}
	out, errOut, err := testutil.RunErr("sh", "-c", "cd "+dir+" && "+sha256sum+" -c SUMS </dev/null")
	if err != nil || string(out) != "./-: OK\nsub/-: OK\n" {
		t.Fatalf("sha256sum -c: %v\n%s%s", err, out, errOut)
	}
}

// TestSignManifestOutside: a file outside the list's directory (by "..", by a symbolic link
// to it, or below a linked directory that leads out) is refused with ErrOutsideList and
// nothing is written, since verify --manifest refuses such a name (outside-path) and the
// release job would publish a list that does not verify; with AllowOutside it is listed as
// before. A link that stays inside is listed.
func TestSignManifestOutside(t *testing.T) {
	ec := mustFixture(t, "codesign")
	s := mustSigner(t, ec.key, SignOptions{})
	dir := mustTree(t, map[string]string{"rel/y": "y", "out/x": "x", "rel/sub/z": "z"})
	for _, l := range [][2]string{{"../out/x", "rel/xl"}, {"../out", "rel/dl"}, {"y", "rel/yl"}} {
		if err := os.Symlink(l[0], filepath.Join(dir, l[1])); err != nil {
			t.Fatal(err)
		}
	}
	list := filepath.Join(dir, "rel", "SUMS")
	p := func(n string) string { return filepath.Join(dir, n) }
	for _, names := range [][]string{{p("rel/y"), p("out/x")}, {p("rel/xl")}, {p("rel/dl/x")}, {p("rel/y"), p("rel/sub/../../out/x")}} {
		_, err := SignFiles(t.Context(), s, names, FilesOptions{Manifest: list})
		if !errors.Is(err, ErrOutsideList) {
			t.Errorf("%v: %v, want ErrOutsideList", names, err)
		}
		if _, serr := os.Lstat(list); !errors.Is(serr, fs.ErrNotExist) {
			t.Fatalf("%v: the list was written: %v", names, serr)
		}
		if _, err := SignFiles(t.Context(), s, names, FilesOptions{Manifest: list, AllowOutside: true, Force: true}); err != nil {
			t.Errorf("%v with AllowOutside: %v", names, err)
		}
		if err := os.Remove(list); err != nil {
			t.Fatal(err)
		}
		_ = os.Remove(list + ".sig")
	}
	if _, err := SignFiles(t.Context(), s, []string{p("rel/yl"), p("rel/sub/z")}, FilesOptions{Manifest: list}); err != nil {
		t.Fatalf("a link inside: %v", err)
	}
}
