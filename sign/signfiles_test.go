package sign

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/atomicfile"
	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/sigformat"
)

// manyFiles writes n files f000..f{n-1} of distinct content into a new directory.
func manyFiles(t testing.TB, n int) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	var names []string
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("f%03d", i))
		writeFile(t, p, []byte(strings.Repeat(fmt.Sprint(i), 1000)))
		names = append(names, p)
	}
	return dir, names
}

// verifyFile checks that sigPath is a valid signature of file by pub (in any format).
func verifyFile(t testing.TB, pub crypto.PublicKey, a digest.Algorithm, file, sigPath string) {
	t.Helper()
	msg := mustRead(t, file)
	p, err := sigformat.Parse(mustRead(t, sigPath))
	if err != nil {
		t.Fatal(err)
	}
	h := p.Hash
	if h == 0 {
		h = a.CryptoHash()
	}
	signed := msg
	if p.SignedData != nil {
		hh := h.New()
		hh.Write(msg)
		if !bytes.Equal(hh.Sum(nil), p.ContentDigest) {
			t.Fatalf("%s: content digest differs", file)
		}
		signed = p.SignedData
	}
	if _, ok := pub.(ed25519.PublicKey); ok && p.SignedData == nil {
		h = 0
	}
	if err := checkSignature(pub, h, p.PSS, signed, p.Raw); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

func TestSignFiles(t *testing.T) {
	ec := mustFixture(t, "codesign")
	ed := mustFixture(t, "codesign-ed25519")
	for _, tc := range []struct {
		name string
		fx   fixture
		opts SignOptions
	}{
		{"ecdsa raw", ec, SignOptions{}},
		{"ecdsa cms", ec, SignOptions{Format: sigformat.CMS, Certificates: ec.chain}},
		{"ecdsa bundle sha384", ec, SignOptions{Format: sigformat.Bundle, Algorithm: digest.SHA384, Certificates: ec.chain}},
		{"ed25519 raw", ed, SignOptions{}},
		{"ed25519 bundle", ed, SignOptions{Format: sigformat.Bundle, Certificates: ed.chain}},
		{"ed25519 cms", ed, SignOptions{Format: sigformat.CMS, Certificates: ed.chain}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, names := manyFiles(t, 40)
			s := mustSigner(t, tc.fx.key, tc.opts)
			receipts, err := SignFiles(t.Context(), s, names, FilesOptions{SignWorkers: 3})
			if err != nil {
				t.Fatal(err)
			}
			if len(receipts) != len(names) {
				t.Fatalf("%d receipts", len(receipts))
			}
			for i, r := range receipts {
				if r.Path != names[i] || r.Signature != names[i]+s.Format().Extension() || r.Format != s.Format() || r.KeyFingerprint == "" {
					t.Fatalf("receipt %+v", r)
				}
				want, _, _ := digest.HashFile(t.Context(), s.Algorithm(), names[i])
				if !bytes.Equal(r.Digest, want) {
					t.Fatalf("receipt digest %x, want %x", r.Digest, want)
				}
				if (r.Certificate != nil) != (len(tc.opts.Certificates) > 0) {
					t.Fatalf("certificate in the receipt: %+v", r.Certificate)
				}
				verifyFile(t, tc.fx.key.Public(), s.Algorithm(), names[i], r.Signature)
			}
		})
	}
}

// TestSignFilesAllOrNothing: one unreadable file among many, or an existing output, and no
// signature is written.
func TestSignFilesAllOrNothing(t *testing.T) {
	ec := mustFixture(t, "codesign")
	ed := mustFixture(t, "codesign-ed25519")
	for _, fx := range []fixture{ec, ed} {
		s := mustSigner(t, fx.key, SignOptions{})
		t.Run("missing file", func(t *testing.T) {
			dir, names := manyFiles(t, 20)
			names = append(names[:10], append([]string{filepath.Join(dir, "missing"), dir}, names[10:]...)...)
			_, err := SignFiles(t.Context(), s, names, FilesOptions{})
			var fe *FilesError
			if !errors.As(err, &fe) || len(fe.Failed) != 2 || fe.Total != 22 {
				t.Fatalf("got %v", err)
			}
			if !errors.Is(err, fs.ErrNotExist) {
				t.Fatal("errors.Is(err, fs.ErrNotExist) is false")
			}
			if !strings.Contains(err.Error(), "2 of 22 files could not be signed; nothing was written") {
				t.Fatalf("message %q", err)
			}
			assertNoSignatures(t, dir)
		})
		t.Run("existing output", func(t *testing.T) {
			dir, names := manyFiles(t, 5)
			writeFile(t, names[3]+".sig", []byte("old"))
			_, err := SignFiles(t.Context(), s, names, FilesOptions{})
			if !errors.Is(err, atomicfile.ErrExists) {
				t.Fatalf("got %v", err)
			}
			if got := mustRead(t, names[3]+".sig"); string(got) != "old" {
				t.Fatal("existing output changed")
			}
			os.Remove(names[3] + ".sig")
			assertNoSignatures(t, dir)
			if _, err := SignFiles(t.Context(), s, names, FilesOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := SignFiles(t.Context(), s, names, FilesOptions{Force: true}); err != nil {
				t.Fatalf("force: %v", err)
			}
		})
	}
}

func assertNoSignatures(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "f") || strings.Contains(e.Name(), ".") {
			t.Fatalf("left behind: %s", e.Name())
		}
	}
}

func TestSignFilesOut(t *testing.T) {
	ec := mustFixture(t, "codesign")
	s := mustSigner(t, ec.key, SignOptions{Base64: true})
	dir, names := manyFiles(t, 2)
	out := filepath.Join(dir, "custom.sig")
	if _, err := SignFiles(t.Context(), s, names[:1], FilesOptions{Out: out}); err != nil {
		t.Fatal(err)
	}
	verifyFile(t, ec.key.Public(), digest.SHA256, names[0], out)
	if _, err := SignFiles(t.Context(), s, names, FilesOptions{Out: out + "2"}); err == nil {
		t.Fatal("one output name accepted for two files")
	}
	var stdout bytes.Buffer
	r, err := SignFiles(t.Context(), s, []string{"-"}, FilesOptions{Out: "-", Stdout: &stdout, Stdin: strings.NewReader("from stdin")})
	if err != nil {
		t.Fatal(err)
	}
	p, err := sigformat.Parse(stdout.Bytes())
	if err != nil || !p.Base64 || r[0].Path != "-" || r[0].Signature != "-" {
		t.Fatalf("stdout signature: %v %+v", err, r)
	}
	if _, err := SignFiles(t.Context(), s, []string{"-"}, FilesOptions{Stdin: strings.NewReader("x")}); err == nil {
		t.Fatal("standard input signed without an output name")
	}
}

func TestSignRecursive(t *testing.T) {
	ec := mustFixture(t, "codesign")
	s := mustSigner(t, ec.key, SignOptions{})
	dir := mustTree(t, map[string]string{"a": "1", "sub/b": "2", "sub/c.sig": "old signature", "sub/d.p7s": "x"})
	r, err := SignFiles(t.Context(), s, []string{dir}, FilesOptions{Recursive: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range r {
		got = append(got, strings.TrimPrefix(x.Path, dir+"/"))
	}
	if strings.Join(got, " ") != "a sub/b" {
		t.Fatalf("signed %v", got)
	}
	// Again with --force: the signatures just made are not signed in turn.
	r, err = SignFiles(t.Context(), s, []string{dir}, FilesOptions{Recursive: true, Force: true})
	if err != nil || len(r) != 2 {
		t.Fatalf("%v, %d receipts", err, len(r))
	}
}

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

func TestSignDigestTo(t *testing.T) {
	ec := mustFixture(t, "codesign")
	ed := mustFixture(t, "codesign-ed25519")
	dir, names := manyFiles(t, 1)
	d, _, _ := digest.HashFile(t.Context(), digest.SHA256, names[0])
	s := mustSigner(t, ec.key, SignOptions{Format: sigformat.Bundle, Certificates: ec.chain})
	out := filepath.Join(dir, "x.sigstore.json")
	r, err := SignDigestTo(s, d, out, false, nil)
	if err != nil || r.Path != "" || !bytes.Equal(r.Digest, d) {
		t.Fatalf("%v %+v", err, r)
	}
	verifyFile(t, ec.key.Public(), digest.SHA256, names[0], out)
	// Ed25519: only CMS can be made from a digest.
	sEd := mustSigner(t, ed.key, SignOptions{})
	if _, err := SignDigestTo(sEd, d, out+"2", false, nil); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("got %v", err)
	}
	if _, err := os.Stat(out + "2"); err == nil {
		t.Fatal("output written")
	}
	sEdCMS := mustSigner(t, ed.key, SignOptions{Format: sigformat.CMS, Certificates: ed.chain})
	d512, _, _ := digest.HashFile(t.Context(), digest.SHA512, names[0])
	if _, err := SignDigestTo(sEdCMS, d512, out+".p7s", false, nil); err != nil {
		t.Fatal(err)
	}
	verifyFile(t, ed.key.Public(), digest.SHA512, names[0], out+".p7s")
}

// TestStagerCommitFails: when a file appears at one output between the check and the commit,
// the commit fails and leaves none of the outputs, and the file that appeared is untouched.
func TestStagerCommitFails(t *testing.T) {
	dir, names := manyFiles(t, 100)
	items := stageAll(t, names, false)
	writeFile(t, items[77].out, []byte("someone else's"))
	err := items[0].st.commit(t.Context())
	if !errors.Is(err, atomicfile.ErrExists) {
		t.Fatalf("got %v", err)
	}
	if got := string(mustRead(t, items[77].out)); got != "someone else's" {
		t.Fatalf("the other file was changed: %q", got)
	}
	os.Remove(items[77].out)
	assertNoSignatures(t, dir)
}

// TestStagerForceCommitFails: a --force run that fails part-way through moving its
// signatures into place leaves the old signatures, every one of them.
func TestStagerForceCommitFails(t *testing.T) {
	dir, names := manyFiles(t, 100)
	for _, n := range names {
		writeFile(t, n+".sig", []byte("old"))
	}
	items := stageAll(t, names, true)
	// One output becomes a directory (with a file in it) after it was staged: moving the
	// signature there fails, after others were moved.
	bad := items[len(items)/2].out
	os.Remove(bad)
	if err := os.Mkdir(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(bad, "x"), []byte("x"))
	if err := items[0].st.commit(t.Context()); err == nil {
		t.Fatal("commit over a directory succeeded")
	}
	os.RemoveAll(bad)
	for _, it := range items {
		if it.out == bad {
			continue
		}
		if got := string(mustRead(t, it.out)); got != "old" {
			t.Fatalf("%s = %q after the failed run, want the old signature", it.out, got)
		}
	}
	assertOnlyOld(t, dir, len(names)-1)
}

// stageAll stages a signature for each name, and hands back the items (each with the stager).
type stagedItem struct {
	*signItem
	st *stager
}

func stageAll(t *testing.T, names []string, force bool) []stagedItem {
	t.Helper()
	var failed atomic.Bool
	st := newStager(t.Context(), len(names), force, &failed)
	var items []stagedItem
	for _, n := range names {
		it := &signItem{name: n, out: n + ".sig", sig: []byte("sig")}
		items = append(items, stagedItem{it, st})
		st.send(it)
	}
	if err := st.wait(); err != nil {
		t.Fatal(err)
	}
	return items
}

// assertOnlyOld fails unless dir holds the files fNNN and n signatures, and nothing else.
func assertOnlyOld(t *testing.T, dir string, n int) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	sigs := 0
	for _, e := range ents {
		switch {
		case strings.HasSuffix(e.Name(), ".sig"):
			sigs++
		case !strings.HasPrefix(e.Name(), "f") || strings.Contains(e.Name(), "."):
			t.Fatalf("left behind: %s", e.Name())
		}
	}
	if sigs != n {
		t.Fatalf("%d signatures, want %d", sigs, n)
	}
}

// TestSignFilesPlainRacesForce is issue 10's race: a run without --force and one with it,
// over the same files at the same time. Whichever loses, every file keeps a valid signature:
// a roll-back never removes what the other run placed.
func TestSignFilesPlainRacesForce(t *testing.T) {
	ec := mustFixture(t, "codesign")
	s := mustSigner(t, ec.key, SignOptions{})
	dir, names := manyFiles(t, 400)
	for round := range 6 {
		for _, n := range names {
			os.Remove(n + ".sig")
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, force := range []bool{false, true} {
			wg.Go(func() {
				_, errs[i] = SignFiles(t.Context(), s, names, FilesOptions{Force: force})
			})
		}
		wg.Wait()
		if errs[1] != nil {
			t.Fatalf("round %d: the --force run failed: %v", round, errs[1])
		}
		if errs[0] != nil && !errors.Is(errs[0], atomicfile.ErrExists) {
			t.Fatalf("round %d: the plain run: %v", round, errs[0])
		}
		assertOnlyOld(t, dir, len(names))
		for _, n := range names {
			verifyFile(t, ec.key.Public(), digest.SHA256, n, n+".sig")
		}
	}
}

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
	} {
		for _, force := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s force=%v", tc.name, force), func(t *testing.T) {
				t.Chdir(t.TempDir())
				os.Mkdir("sub", 0o755)
				writeFile(t, "g.bin", []byte("artifact"))
				writeFile(t, "g.bin.sig", []byte("old signature"))
				writeFile(t, "SUMS", []byte("old list"))
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

// TestSignRecursiveSkipsTemporaries: what a killed run left (a staging directory, or the
// hidden temporaries of older signet versions) is never signed or hashed by a walk, and is
// refused when named.
func TestSignRecursiveSkipsTemporaries(t *testing.T) {
	ec := mustFixture(t, "codesign")
	s := mustSigner(t, ec.key, SignOptions{})
	dir := mustTree(t, map[string]string{
		"a":                                   "1",
		"sub/b":                               "2",
		"sub/.b.sig.tmp-2837465":              "old temporary",
		".signet-stage-0123456789abcdef/0":    "staged",
		".signet-stage-0123456789abcdef/lock": "",
	})
	var hashed []string
	err := digest.HashFiles(t.Context(), []string{dir}, digest.HashOptions{Recursive: true}, func(r digest.FileResult) error {
		hashed = append(hashed, strings.TrimPrefix(r.Name, dir+"/"))
		return nil
	})
	if err != nil || strings.Join(hashed, " ") != "a sub/b" {
		t.Fatalf("hashed %v, %v", hashed, err)
	}
	r, err := SignFiles(t.Context(), s, []string{dir}, FilesOptions{Recursive: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range r {
		got = append(got, strings.TrimPrefix(x.Path, dir+"/"))
	}
	if strings.Join(got, " ") != "a sub/b" {
		t.Fatalf("signed %v", got)
	}
	named := filepath.Join(dir, "sub/.b.sig.tmp-2837465")
	_, err = SignFiles(t.Context(), s, []string{named}, FilesOptions{})
	if !errors.Is(err, errTemporary) {
		t.Fatalf("signing %s: %v", named, err)
	}
}

// TestSignFilesNothingToSign: directories that hold no file give an error wrapping
// ErrNoFiles (the CLI's exit code comes from it, not from the words), for signatures and for a
// manifest, and nothing is written.
func TestSignFilesNothingToSign(t *testing.T) {
	ec := mustFixture(t, "codesign")
	s := mustSigner(t, ec.key, SignOptions{})
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		names []string
		opts  FilesOptions
	}{
		{"no names", nil, FilesOptions{}},
		{"empty directory", []string{empty}, FilesOptions{Recursive: true}},
		{"empty directory, manifest", []string{empty}, FilesOptions{Recursive: true, Manifest: filepath.Join(dir, "SUMS")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := SignFiles(t.Context(), s, tc.names, tc.opts)
			if !errors.Is(err, ErrNoFiles) {
				t.Fatalf("got %v, want ErrNoFiles", err)
			}
			if got := listDir(t, dir); got != "empty " {
				t.Fatalf("wrote %s", got)
			}
		})
	}
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

// TestSignFilesOptionsThatCannotApply: output names that do not fit the files are refused
// before anything is read, wrapping ErrUnsupported (a usage error in the CLI), not as errors
// of no class.
func TestSignFilesOptionsThatCannotApply(t *testing.T) {
	ec := mustFixture(t, "codesign")
	s := mustSigner(t, ec.key, SignOptions{})
	dir := mustTree(t, map[string]string{"a": "1", "b": "2"})
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, tc := range []struct {
		name  string
		names []string
		opts  FilesOptions
	}{
		{"one output for two files", []string{a, b}, FilesOptions{Out: filepath.Join(dir, "x.sig")}},
		{"standard input without an output", []string{"-"}, FilesOptions{Stdin: strings.NewReader("x")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := SignFiles(t.Context(), s, tc.names, tc.opts); !errors.Is(err, ErrUnsupported) {
				t.Fatalf("got %v, want ErrUnsupported", err)
			}
		})
	}
	if _, err := SignDigestTo(s, make(digest.Digest, 32), "", false, nil); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("a digest without an output name: %v, want ErrUnsupported", err)
	}
	if got := listDir(t, dir); got != `a="1" b="2" ` {
		t.Fatalf("wrote %s", got)
	}
}
