package sigformat

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

// TestSignatureOf: a name is the signature of another name given only when it is that name
// plus a format's extension, its content is that format, and it has no signature of its own
// among the names; every format, key type and the base64 text form are recognised, and a
// look-alike is not. Raw signatures only when asked for (verify), not for sign. The names are
// compared as find compares them (here cleaned, as sign and verify do), and the file each
// name leads to must be the one given: a name that cleans to a given one through a link is
// not its signature.
func TestSignatureOf(t *testing.T) {
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	msg := []byte("release contents\n")
	fx := mustFixture(t, "codesign")
	var names []string
	want := map[string]string{}
	add := func(name string, data []byte, of string) {
		writeFile(t, p(name), data)
		names = append(names, p(name))
		if of != "" {
			want[p(name)] = p(of)
		}
	}
	signed := func(name string, key string, o sigOptions) {
		add(name, msg, "")
		k := fx.key
		if key != "" {
			k = mustKey(t, key)
		}
		_, sig := mustSign(t, k, msg, o)
		add(name+o.format.Extension(), sig, name)
	}
	signed("a.tar.gz", "", sigOptions{format: Bundle, chain: fx.chain})
	signed("b.tar.gz", "", sigOptions{format: CMS, chain: fx.chain})
	signed("c.bin", "p256", sigOptions{format: Raw})
	signed("d.bin", "rsa2048", sigOptions{format: Raw})
	signed("e.bin", "ed25519", sigOptions{format: Raw})
	signed("f.bin", "rsa2048", sigOptions{format: Raw, base64: true})
	signed("g.bin", "ed25519", sigOptions{format: Bundle})
	// The signature of a signature (what --force made of a second run) is a signature, and
	// the signature it signs, signed itself, is an artifact.
	_, sig := mustSign(t, fx.key, mustRead(t, p("a.tar.gz.sigstore.json")), sigOptions{format: Bundle, chain: fx.chain})
	add("a.tar.gz.sigstore.json.sigstore.json", sig, "a.tar.gz.sigstore.json")
	delete(want, p("a.tar.gz.sigstore.json"))
	// A file given as dir/./h: h.p7s is its signature, of the name as given.
	_, sig = mustSign(t, fx.key, msg, sigOptions{format: CMS, chain: fx.chain})
	writeFile(t, p("h"), msg)
	names = append(names, dir+"/./h")
	add("h.p7s", sig, "")
	want[p("h.p7s")] = dir + "/./h"
	// link/../i cleans to i, given, but leads elsewhere (sub/i, which does not exist): the CMS
	// signature there is not i's.
	writeFile(t, p("i"), msg)
	if err := os.MkdirAll(p("sub/deeper"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(p("sub/deeper"), p("link")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, p("sub/i.p7s"), sig)
	names = append(names, p("i"), dir+"/link/../i.p7s")

	// Look-alikes, each a file to sign.
	add("notes", msg, "")
	add("notes.sig", []byte("a text file that is called .sig\n"), "")              // text, not a signature
	add("page.sigstore.json", []byte("<html>saved page</html>\n"), "")             // no page given: name alone
	add("page", msg, "")                                                           // ... and now given, but HTML
	add("data.p7s", mustRead(t, p("a.tar.gz.sigstore.json")), "")                  // a bundle named .p7s
	add("data", msg, "")                                                           //
	add("lone.tar.gz.sigstore.json", mustRead(t, p("a.tar.gz.sigstore.json")), "") // its file not given
	if err := syscall.Mkfifo(p("fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	names = append(names, p("fifo.sig"), p("fifo"))
	if err := syscall.Mkfifo(p("fifo.sig"), 0o644); err != nil { // never opened: it would block
		t.Fatal(err)
	}
	names = append(names, p("missing.sig"), p("missing"))

	find := func(name string) (string, bool, error) {
		for _, n := range names {
			if filepath.Clean(n) == filepath.Clean(name) {
				return n, true, nil
			}
		}
		return "", false, nil
	}
	for _, raw := range []bool{true, false} {
		got := map[string]string{}
		for _, n := range names {
			of, f, ok, err := SignatureOf(n, raw, find)
			if err != nil {
				t.Fatal(err)
			}
			if ok != (of != "") || ok != (f != "") || ok && !strings.HasSuffix(n, f.Extension()) {
				t.Errorf("SignatureOf(%s) = %q, %q, %v", n, of, f, ok)
			}
			if ok {
				got[n] = of
			}
			if may := MaySignatureOf(n, raw); ok && !may {
				t.Errorf("MaySignatureOf(%s, %v) = false, and it is a signature", n, raw)
			}
		}
		w := maps.Clone(want)
		if !raw {
			maps.DeleteFunc(w, func(n, _ string) bool { return strings.HasSuffix(n, Raw.Extension()) })
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("raw %v:\n got %v\nwant %v", raw, got, w)
		}
	}
	for name, want := range map[string]Format{"a.tar.gz.sigstore.json": Bundle, "b.tar.gz.p7s": CMS, "f.bin.sig": Raw, "data.p7s": Bundle, "page.sigstore.json": "", "notes.sig": "", "fifo.sig": "", "missing.sig": ""} {
		if got, ok := DetectFile(p(name)); got != want || ok != (want != "") {
			t.Errorf("DetectFile(%s) = %q, %v; want %q", name, got, ok, want)
		}
	}

	for _, tc := range []struct {
		name string
		raw  bool
		want bool
	}{{"a.p7s", false, true}, {"a.sigstore.json", false, true}, {"a.sig", false, false}, {"a.sig", true, true},
		{".p7s", true, false}, {"a", true, false}, {"a.json", true, false}, {"a.sig.tsr", true, false}} {
		if got := MaySignatureOf(tc.name, tc.raw); got != tc.want {
			t.Errorf("MaySignatureOf(%q, %v) = %v, want %v", tc.name, tc.raw, got, tc.want)
		}
	}

	// find's error is SignatureOf's.
	findErr := errors.New("the names cannot be read back")
	if _, _, ok, err := SignatureOf(p("b.tar.gz.p7s"), true, func(string) (string, bool, error) { return "", false, findErr }); ok || err != findErr {
		t.Errorf("SignatureOf with a failing find: %v, %v; want false, its error", ok, err)
	}
}
