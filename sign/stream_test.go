package sign

import (
	"crypto"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/sigformat"
)

// TestMain runs the package's tests with a spool of names that spills to its scratch file
// past 64 bytes and pages of 4 digests: the runs of the other tests, of a few files, read
// their names and digests back from scratch files as a run of a million does.
func TestMain(m *testing.M) {
	spoolBuffer, digestPage = 64, 4
	os.Exit(m.Run())
}

func seqOf(names ...string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for _, n := range names {
			if !yield(n, nil) {
				return
			}
		}
	}
}

// TestSignFilesNamesFrom: names streamed after the arguments are signed as if given, in order,
// once each (a name given twice, in either, is signed once), each signature verifies, its
// receipt has the file's digest, and nothing is left of the scratch files.
func TestSignFilesNamesFrom(t *testing.T) {
	for _, msg := range []bool{false, true} { // a digest signed, or the whole message (Ed25519)
		t.Run(fmt.Sprint("message=", msg), func(t *testing.T) {
			var key crypto.Signer = mustFixture(t, "codesign").key
			if msg {
				key = mustKey(t, "ed25519")
			}
			s := mustSigner(t, key, SignOptions{})
			t.Chdir(t.TempDir())
			var all []string
			for i := range 40 {
				all = append(all, writeFile(t, fmt.Sprintf("f%02d", i), []byte(strings.Repeat("x", i))))
			}
			var got []Receipt
			_, err := SignFiles(t.Context(), s, []string{"f00", "f01", "f05"}, FilesOptions{
				NamesFrom: seqOf(append(all[2:], "f05", "f39", "f00")...),
				Receipts:  func(r Receipt) error { got = append(got, r); return nil },
			})
			if err != nil {
				t.Fatal(err)
			}
			want := append([]string{"f00", "f01", "f05"}, slices.DeleteFunc(slices.Clone(all[2:]), func(n string) bool { return n == "f05" })...)
			if len(got) != len(want) {
				t.Fatalf("%d receipts, want %d", len(got), len(want))
			}
			for i, r := range got {
				if r.Path != want[i] || r.Signature != want[i]+".sig" {
					t.Fatalf("receipt %d is of %s (%s), want %s", i, r.Path, r.Signature, want[i])
				}
				d, _, err := digest.HashFile(t.Context(), s.Algorithm(), r.Path)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(r.Digest, d) {
					t.Fatalf("receipt of %s: digest %x, want %x", r.Path, r.Digest, d)
				}
				verifyFile(t, key.Public(), s.Algorithm(), r.Path, r.Signature)
			}
			ents, _ := os.ReadDir(".")
			if len(ents) != 80 {
				t.Fatalf("%d entries in the directory, want the 40 files and their 40 signatures", len(ents))
			}
		})
	}
}

// TestSignFilesNamesFromRefused: what is refused before any file is read is refused as well
// among names streamed and spilled to the scratch file, exactly (the hashes that find them
// are confirmed by the names), and nothing is written, nothing left of the scratch files.
func TestSignFilesNamesFromRefused(t *testing.T) {
	ec := mustFixture(t, "codesign")
	s := mustSigner(t, ec.key, SignOptions{})
	listErr := errors.New("the list cannot be read")
	for _, tc := range []struct {
		name  string
		list  iter.Seq2[string, error]
		force bool
		setup func(t *testing.T)
		check func(t *testing.T, err error)
	}{
		{name: "a signature is a file named later", list: seqOf("a", "b", "c", "d", "b.sig"), check: func(t *testing.T, err error) {
			var oi *OutputIsInputError
			if !errors.As(err, &oi) || oi.Output != "b.sig" || oi.Input != "b.sig" {
				t.Fatalf("got %v, want b.sig refused as an input", err)
			}
		}},
		{name: "a signature is another file, spelled otherwise", list: seqOf("a", "b", "c", "./sub/../d.sig", "d"), check: func(t *testing.T, err error) {
			var oi *OutputIsInputError
			if !errors.As(err, &oi) || oi.Output != "d.sig" || oi.Input != "./sub/../d.sig" {
				t.Fatalf("got %v, want d.sig refused as ./sub/../d.sig", err)
			}
		}},
		{name: "an existing signature is a hard link to a file", list: seqOf("a", "b", "c", "d"), force: true,
			setup: func(t *testing.T) { mustLink(t, os.Link, "a", "d.sig") },
			check: func(t *testing.T, err error) {
				var oi *OutputIsInputError
				if !errors.As(err, &oi) || oi.Output != "d.sig" || oi.Input != "a" {
					t.Fatalf("got %v, want d.sig refused as a", err)
				}
			}},
		{name: "two names of one file", list: seqOf("a", "b", "c", "d", "./b"), check: func(t *testing.T, err error) {
			var pe *fs.PathError
			if !errors.As(err, &pe) || pe.Path != "./b.sig" || !errors.Is(err, errNamedTwice) {
				t.Fatalf("got %v, want ./b.sig named twice", err)
			}
		}},
		{name: "two names of one file, the names put aside", list: seqOf("a", "b", "c", "d", "./"+strings.Repeat("sub/../", 10)+"b"), check: func(t *testing.T, err error) {
			if !errors.Is(err, errNamedTwice) {
				t.Fatalf("got %v, want b named twice", err)
			}
		}},
		{name: "an existing signature", list: seqOf("a", "b", "c", "d"), setup: func(t *testing.T) { writeFile(t, "c.sig", []byte("old")) },
			check: func(t *testing.T, err error) {
				if !errors.Is(err, fs.ErrExist) && !strings.Contains(err.Error(), "exists") {
					t.Fatalf("got %v, want c.sig refused as existing", err)
				}
			}},
		{name: "the list fails", list: func(yield func(string, error) bool) {
			for _, n := range []string{"a", "b", "c", "d"} {
				if !yield(n, nil) {
					return
				}
			}
			yield("", listErr)
		}, check: func(t *testing.T, err error) {
			if !errors.Is(err, listErr) {
				t.Fatalf("got %v, want the list's error", err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			for _, n := range []string{"a", "b", "c", "d"} {
				writeFile(t, n, []byte(n))
			}
			os.Mkdir("sub", 0o755)
			writeFile(t, "d.sig", []byte("a file called d.sig"))
			writeFile(t, "b.sig", []byte("a file called b.sig"))
			if tc.setup != nil {
				tc.setup(t)
			}
			before, fds := listDir(t, "."), openFiles(t)
			_, err := SignFiles(t.Context(), s, nil, FilesOptions{NamesFrom: tc.list, Force: tc.force})
			if err == nil {
				t.Fatal("accepted")
			}
			tc.check(t, err)
			if after := listDir(t, "."); after != before {
				t.Fatalf("directory changed: %s, was %s", after, before)
			}
			if n := openFiles(t); n != fds {
				t.Fatalf("%d files open after the run, %d before: its scratch files are left open", n, fds)
			}
		})
	}
}

// openFiles is how many files the process has open (-1 where /proc/self/fd does not say).
// A scratch file left open is unlinked with its staging directory but keeps its disk space
// until the garbage collector closes it.
func openFiles(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// TestSignFilesNameManyTimes: a name given a hundred thousand times is signed once, in time
// that grows with the names, not with their square.
func TestSignFilesNameManyTimes(t *testing.T) {
	s := mustSigner(t, mustFixture(t, "codesign").key, SignOptions{})
	t.Chdir(t.TempDir())
	writeFile(t, "a", []byte("a"))
	many := func(yield func(string, error) bool) {
		for range 100000 {
			if !yield("a", nil) {
				return
			}
		}
	}
	rs, err := SignFiles(t.Context(), s, nil, FilesOptions{NamesFrom: many})
	if err != nil || len(rs) != 1 || rs[0].Path != "a" {
		t.Fatalf("got %d receipts, %v; want one, of a", len(rs), err)
	}
}

// TestSignFilesSkippedSignatureOf: among streamed names, the bundle of a file also named is
// skipped and told (a re-run over a listing that holds the signatures), with Force, the names
// compared cleaned (b.sigstore.json is the signature of ./b, told as given); a file named like
// a bundle that holds none is signed.
func TestSignFilesSkippedSignatureOf(t *testing.T) {
	ec := mustFixture(t, "codesign")
	s := mustSigner(t, ec.key, SignOptions{Certificates: ec.chain, Format: sigformat.Bundle})
	t.Chdir(t.TempDir())
	for _, n := range []string{"a", "b", "c"} {
		writeFile(t, n, []byte(n))
	}
	if _, err := SignFiles(t.Context(), s, []string{"a", "b"}, FilesOptions{}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, "notes.sigstore.json", []byte("not a bundle"))
	var told []string
	rs, err := SignFiles(t.Context(), s, nil, FilesOptions{
		NamesFrom:          seqOf("a", "a.sigstore.json", "./b", "b.sigstore.json", "c", "notes.sigstore.json"),
		Force:              true,
		SkippedSignatureOf: func(sig, of string) { told = append(told, sig+" of "+of) },
	})
	var fe *FilesError
	if errors.As(err, &fe) {
		t.Fatal(fe.Failed)
	}
	if err != nil {
		t.Fatal(err)
	}
	var signed []string
	for _, r := range rs {
		signed = append(signed, r.Path)
	}
	if want := []string{"a", "./b", "c", "notes.sigstore.json"}; !slices.Equal(signed, want) {
		t.Errorf("signed %q, want %q", signed, want)
	}
	if want := []string{"a.sigstore.json of a", "b.sigstore.json of ./b"}; !slices.Equal(told, want) {
		t.Errorf("told %q, want %q", told, want)
	}
}

// TestWithoutSignatures: the same rule over names held (a manifest's): the signatures of
// other names are left out and told, the names compared cleaned; a raw FILE.sig, a look-alike
// and a signature that is signed itself stay.
func TestWithoutSignatures(t *testing.T) {
	ec := mustFixture(t, "codesign")
	t.Chdir(t.TempDir())
	for _, n := range []string{"a", "b", "c"} {
		writeFile(t, n, []byte(n))
	}
	for _, f := range []sigformat.Format{sigformat.Bundle, sigformat.CMS} {
		s := mustSigner(t, ec.key, SignOptions{Certificates: ec.chain, Format: f})
		if _, err := SignFiles(t.Context(), s, []string{"a", "b"}, FilesOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	raw := mustSigner(t, ec.key, SignOptions{Format: sigformat.Raw})
	if _, err := SignFiles(t.Context(), raw, []string{"a", "b.p7s"}, FilesOptions{}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, "c.sigstore.json", []byte("not a bundle"))
	names := []string{"./a", "a.sigstore.json", "a.p7s", "a.sig", "b", "b.sigstore.json", "b.p7s", "b.p7s.sig", "c", "c.sigstore.json"}
	var told []string
	kept, err := WithoutSignatures(names, func(sig, of string) { told = append(told, sig+" of "+of) })
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"./a", "a.sig", "b", "b.p7s", "b.p7s.sig", "c", "c.sigstore.json"}; !slices.Equal(kept, want) {
		t.Errorf("kept %q, want %q", kept, want)
	}
	if want := []string{"a.sigstore.json of ./a", "a.p7s of ./a", "b.sigstore.json of b"}; !slices.Equal(told, want) {
		t.Errorf("told %q, want %q", told, want)
	}
	if names[1] != "a.sigstore.json" {
		t.Errorf("names changed: %q", names)
	}
}

// TestSignFilesNameWithNUL: a name holding a NUL byte (no file can have one) is refused, the
// run fails and writes nothing. The names are put aside NUL-terminated: taken as it was, "a\x00b"
// came back as two names, "a" and "b", and every name after it one place off, so that files
// not given were signed.
func TestSignFilesNameWithNUL(t *testing.T) {
	s := mustSigner(t, mustFixture(t, "codesign").key, SignOptions{})
	t.Chdir(t.TempDir())
	for _, n := range []string{"a", "b", "c"} {
		writeFile(t, n, []byte(n))
	}
	for _, tc := range []struct {
		names []string
		from  []string
	}{
		{names: []string{"a\x00b", "c"}},
		{names: []string{"c"}, from: []string{"a\x00b"}},
	} {
		opts := FilesOptions{}
		if tc.from != nil {
			opts.NamesFrom = seqOf(tc.from...)
		}
		_, err := SignFiles(t.Context(), s, tc.names, opts)
		if err == nil || !strings.Contains(err.Error(), "NUL") {
			t.Fatalf("%q then %q: err = %v, want a refusal of the NUL byte", tc.names, tc.from, err)
		}
		ents, _ := os.ReadDir(".")
		if len(ents) != 3 {
			t.Fatalf("%q then %q: %d entries in the directory, want a, b and c only", tc.names, tc.from, len(ents))
		}
	}
}

// TestDigestStoreShortRead: a page of digests read back short from its scratch file (the file
// cut short under the run) is an error, never the bytes of the page read before it: a receipt
// then told another file's digest.
func TestDigestStoreShortRead(t *testing.T) {
	const size = 32
	n := 3 * digestPage
	var f *os.File
	d := &digestStore{size: size, n: n, expect: func(int) int { return digestPage }, mk: func() (*os.File, error) {
		var err error
		f, err = os.CreateTemp(t.TempDir(), "digests")
		return f, err
	}}
	defer d.close()
	for i := range n {
		d.set(i, digest.Digest(slices.Repeat([]byte{byte(i)}, size)))
	}
	if f == nil {
		t.Fatal("no page was put aside")
	}
	if err := f.Truncate(int64(digestPage*size + size)); err != nil { // page 1 has its first digest only
		t.Fatal(err)
	}
	at := d.reader()
	for i := range n {
		v, err := at(i)
		if i < digestPage {
			if err != nil || v[0] != byte(i) {
				t.Fatalf("digest %d = %x, %v", i, v, err)
			}
			continue
		}
		if err == nil {
			t.Fatalf("digest %d read back as %x from a file cut short, want an error", i, v)
		}
		break
	}
}
