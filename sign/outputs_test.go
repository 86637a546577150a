package sign

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/sigformat"
)

// TestSignFilesOutputIsInput: an output that is one of the files to sign is refused, with or
// without --force, and nothing is written or changed.
func TestSignFilesOutputIsInput(t *testing.T) {
	ec := mustFixture(t, "codesign")
	s := mustSigner(t, ec.key, SignOptions{})
	for _, tc := range []struct {
		name  string
		files []string
		opts  FilesOptions
		setup func(t *testing.T)
	}{
		{name: "-o the file", files: []string{"g.bin"}, opts: FilesOptions{Out: "g.bin"}},
		{name: "-o the file, other spelling", files: []string{"g.bin"}, opts: FilesOptions{Out: "./sub/../g.bin"}},
		{name: "-o a hard link to it", files: []string{"g.bin"}, opts: FilesOptions{Out: "h.bin"},
			setup: func(t *testing.T) { mustLink(t, os.Link, "g.bin", "h.bin") }},
		{name: "-o a symbolic link to it", files: []string{"g.bin"}, opts: FilesOptions{Out: "l.bin"},
			setup: func(t *testing.T) { mustLink(t, os.Symlink, "g.bin", "l.bin") }},
		{name: "one file's signature is another file", files: []string{"g.bin", "g.bin.sig"}},
		{name: "--manifest names a file", files: []string{"g.bin", "SUMS"}, opts: FilesOptions{Manifest: "SUMS"}},
		{name: "--manifest -o names a file", files: []string{"g.bin"}, opts: FilesOptions{Manifest: "SUMS", Out: "g.bin"}},
		// The other files the run reads (issue 10): the key, the certificate, the passphrase.
		{name: "-o the key", files: []string{"g.bin"}, opts: FilesOptions{Out: "k.key", Reads: []ReadFile{{"k.key", "the --key file"}}}},
		{name: "a signature is the certificate", files: []string{"g.bin"}, opts: FilesOptions{Reads: []ReadFile{{"./g.bin.sig", "the --cert file"}}}},
		{name: "--manifest the passphrase file", files: []string{"g.bin"}, opts: FilesOptions{Manifest: "pass.txt", Reads: []ReadFile{{"pass.txt", "the --passphrase-file"}}}},
		{name: "--manifest's signature a link to the key", files: []string{"g.bin"}, opts: FilesOptions{Manifest: "SUMS", Reads: []ReadFile{{"k.key", "the --key file"}}},
			setup: func(t *testing.T) { mustLink(t, os.Symlink, "k.key", "SUMS.sig") }},
		{name: "-r: a signature a hard link to the key", files: []string{"sub"}, opts: FilesOptions{Recursive: true, Reads: []ReadFile{{"k.key", "the --key file"}}},
			setup: func(t *testing.T) {
				writeFile(t, "sub/x", []byte("x"))
				mustLink(t, os.Link, "k.key", "sub/x.sig")
			}},
	} {
		for _, force := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s force=%v", tc.name, force), func(t *testing.T) {
				t.Chdir(t.TempDir())
				os.Mkdir("sub", 0o755)
				writeFile(t, "g.bin", []byte("artifact"))
				writeFile(t, "g.bin.sig", []byte("old signature"))
				writeFile(t, "SUMS", []byte("old list"))
				writeFile(t, "k.key", []byte("the key"))
				writeFile(t, "pass.txt", []byte("the passphrase"))
				if tc.setup != nil {
					tc.setup(t)
				}
				before := listDir(t, ".")
				opts := tc.opts
				opts.Force = force
				_, err := SignFiles(t.Context(), s, tc.files, opts)
				var oi *OutputIsInputError
				if !errors.Is(err, ErrOutputIsInput) || !errors.As(err, &oi) {
					t.Fatalf("got %v, want ErrOutputIsInput", err)
				}
				if len(opts.Reads) > 0 && (oi.What != opts.Reads[0].What || !strings.Contains(err.Error(), "which the run reads")) {
					t.Fatalf("error %q (%+v) does not name %s", err, oi, opts.Reads[0].What)
				}
				if got := string(mustRead(t, "g.bin")); got != "artifact" {
					t.Fatalf("g.bin = %q", got)
				}
				if after := listDir(t, "."); after != before {
					t.Fatalf("directory changed: %s, was %s", after, before)
				}
			})
		}
	}
}

func mustLink(t *testing.T, link func(string, string) error, oldname, newname string) {
	t.Helper()
	if err := link(oldname, newname); err != nil {
		t.Skip(err)
	}
}

// listDir describes a directory: every name with its size and content, to see that nothing
// changed.
func listDir(t *testing.T, dir string) string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range ents {
		fmt.Fprintf(&b, "%s", e.Name())
		if e.Type().IsRegular() {
			fmt.Fprintf(&b, "=%q", mustRead(t, filepath.Join(dir, e.Name())))
		}
		b.WriteString(" ")
	}
	return b.String()
}

// TestReceiptCertificate: a receipt names the signer's certificate by x509util's one
// certificate fingerprint, in the form every other "sha256" field has (bare lowercase hex),
// and keeps its older "fingerprint" field, the same value after "sha256:".
func TestReceiptCertificate(t *testing.T) {
	fx := mustFixture(t, "codesign")
	s := mustSigner(t, fx.key, SignOptions{Format: sigformat.Bundle, Certificates: fx.chain})
	dir := mustTree(t, map[string]string{"a": "1"})
	rs, err := SignFiles(t.Context(), s, []string{filepath.Join(dir, "a")}, FilesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(fx.chain[0].Raw)
	want := hex.EncodeToString(sum[:])
	c := rs[0].Certificate
	if c == nil || c.SHA256 != want || c.Fingerprint != "sha256:"+want {
		t.Fatalf("certificate %+v, want sha256 %s", c, want)
	}
	js, err := json.Marshal(rs[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"sha256":"`+want+`"`) || !strings.Contains(string(js), `"fingerprint":"sha256:`+want+`"`) {
		t.Fatalf("JSON %s", js)
	}
}

// TestPathKey: one file named by an absolute path and by a relative one has one key, whatever
// the working directory (the root too), and a name that leaves it ("..") is made absolute.
func TestPathKey(t *testing.T) {
	for _, tc := range []struct{ cwd, p, want string }{
		{"/w/x", "a", "a"},
		{"/w/x", "./a/../a", "a"},
		{"/w/x", "/w/x/a", "a"},
		{"/w/x", "../x/a", "a"},
		{"/w/x", "../y/a", "/w/y/a"},
		{"/w/x", "/w/xa", "/w/xa"},
		{"/w/x", "/w/x", "."},
		{"/", "a", "a"},
		{"/", "/a", "a"},
		{"/", "/", "."},
		{"/", ".", "."},
	} {
		if got := pathKey(tc.cwd, tc.p); got != tc.want {
			t.Errorf("pathKey(%q, %q) = %q, want %q", tc.cwd, tc.p, got, tc.want)
		}
	}
}
