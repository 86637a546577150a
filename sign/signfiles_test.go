package sign

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/sha512"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/atomicfile"
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
	if k, ok := pub.(ed25519.PublicKey); ok && p.Format == sigformat.Bundle && len(p.Certificates) > 0 {
		// Ed25519ph over the SHA-512 digest (PKIX_ED25519_PH), as sigstore-go checks it.
		d := sha512.Sum512(msg)
		if err := ed25519.VerifyWithOptions(k, d[:], p.Raw, &ed25519.Options{Hash: crypto.SHA512}); err != nil {
			t.Fatalf("%s: Ed25519ph: %v", file, err)
		}
		return
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
	// Each temporary is skipped and told once: the staging directory as one entry.
	wantSkipped := dir + "/.signet-stage-0123456789abcdef " + dir + "/sub/.b.sig.tmp-2837465"
	var hashed, skipped []string
	err := digest.HashFiles(t.Context(), []string{dir}, digest.HashOptions{Recursive: true, Skipped: func(n string) { skipped = append(skipped, n) }}, func(r digest.FileResult) error {
		hashed = append(hashed, strings.TrimPrefix(r.Name, dir+"/"))
		return nil
	})
	if err != nil || strings.Join(hashed, " ") != "a sub/b" {
		t.Fatalf("hashed %v, %v", hashed, err)
	}
	if got := strings.Join(skipped, " "); got != wantSkipped {
		t.Fatalf("HashFiles told skipped %q, want %q", got, wantSkipped)
	}
	skipped = nil
	r, err := SignFiles(t.Context(), s, []string{dir}, FilesOptions{Recursive: true, Skipped: func(n string) { skipped = append(skipped, n) }})
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
	if got := strings.Join(skipped, " "); got != wantSkipped {
		t.Fatalf("SignFiles told skipped %q, want %q", got, wantSkipped)
	}
	skipped = nil
	if _, err := SignFiles(t.Context(), s, []string{dir}, FilesOptions{Recursive: true, Manifest: filepath.Join(dir, "SUMS"), Skipped: func(n string) { skipped = append(skipped, n) }}); err != nil {
		t.Fatal(err)
	}
	// The signing run removed the stale staging directory; the old temporary is still there.
	if got, want := strings.Join(skipped, " "), dir+"/sub/.b.sig.tmp-2837465"; got != want {
		t.Fatalf("SignFiles --manifest told skipped %q, want %q", got, want)
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
