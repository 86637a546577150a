package keyref

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/secret"
	"github.com/signet-pki/signet/x509util"
)

// keyWithPass writes an ec-p256 key encrypted with pass.
func keyWithPass(t *testing.T, dir, name, pass string) string {
	t.Helper()
	k, err := x509util.GenerateKey(x509util.KeyECP256)
	if err != nil {
		t.Fatal(err)
	}
	data, err := x509util.MarshalPrivateKey(k, []byte(pass))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFileRefTwoKeysTwoSources: two keys encrypted with two passphrases open in one process
// without a terminal, each from the source its reference names (a file for one, a variable
// for the other), while the caller's own source holds a third, wrong, passphrase: the
// reference's source is the only one for its key.
func TestFileRefTwoKeysTwoSources(t *testing.T) {
	dir := t.TempDir()
	root := keyWithPass(t, dir, "root.key", "root passphrase")
	inter := keyWithPass(t, dir, "int.key", "intermediate passphrase")
	rootPass := filepath.Join(dir, "root.pass")
	if err := os.WriteFile(rootPass, []byte("root passphrase\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"INT_PASS": "intermediate passphrase", "SIGNET_PASSPHRASE": "wrong"}
	base := secret.Source{Env: "SIGNET_PASSPHRASE", NoTerminal: true, LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	opts := Options{Passphrase: base}

	for _, ref := range []string{
		"file:" + root + "?passphrase-source=file:" + rootPass,
		"file://" + root + "?passphrase-source=file://localhost" + rootPass,
		"FILE:" + root + "?Passphrase-Source=file:" + strings.ReplaceAll(rootPass, "/", "%2F"),
		"file:" + inter + "?passphrase-source=env:INT_PASS",
	} {
		k, err := Open(ref, opts)
		if err != nil {
			t.Fatalf("Open(%q): %v", ref, err)
		}
		k.Close()
	}
	// Without the reference's source, the caller's (wrong) one applies.
	if _, err := Open(inter, opts); !errors.Is(err, x509util.ErrIncorrectPassphrase) {
		t.Errorf("plain path: %v, want the caller's wrong passphrase refused", err)
	}
	if _, err := Open("file:"+inter, opts); !errors.Is(err, x509util.ErrIncorrectPassphrase) {
		t.Errorf("file: without a source: %v, want the caller's wrong passphrase refused", err)
	}
	// A wrong passphrase from the reference's source is a WrongSourceError naming it (the
	// CLI's hint then names that source), still ErrIncorrectPassphrase; one from the caller's
	// source is not.
	_, err := Open("file:"+inter+"?passphrase-source=env:SIGNET_PASSPHRASE", opts)
	if wse, ok := errors.AsType[*WrongSourceError](err); !ok || wse.Env != "SIGNET_PASSPHRASE" || wse.File != "" || !errors.Is(err, x509util.ErrIncorrectPassphrase) {
		t.Errorf("wrong passphrase from the reference's variable: %v", err)
	}
	if _, err := Open("file:"+inter+"?passphrase-source=file:"+rootPass, opts); !errors.As(err, new(*WrongSourceError)) {
		t.Errorf("wrong passphrase from the reference's file: %v", err)
	}
	if _, err := Open(inter, opts); errors.As(err, new(*WrongSourceError)) {
		t.Errorf("wrong passphrase from the caller's source: %v, a WrongSourceError", err)
	}
	// A variable the reference names that is not set: no fallback to the caller's source.
	_, err = Open("file:"+inter+"?passphrase-source=env:NOT_SET", opts)
	var se *SourceError
	if !errors.As(err, &se) || se.Env != "NOT_SET" || !errors.Is(err, secret.ErrNoSource) {
		t.Errorf("unset variable: %v", err)
	}
	// OpenPublic and Describe take the same references.
	if d, err := Describe("file:"+inter+"?passphrase-source=env:INT_PASS", opts); err != nil || !d.Encrypted {
		t.Errorf("Describe: %+v, %v", d, err)
	}
	// Files names the key file and the passphrase file, for the output checks.
	if got := Files("file:" + root + "?passphrase-source=file:" + rootPass); !slices.Equal(got, []string{root, rootPass}) {
		t.Errorf("Files = %q", got)
	}
}

// TestFileRefRefused: what a file: reference may not say is refused as ErrInvalidRef before
// anything is read, and the error never repeats what followed '?' (a passphrase typed there).
func TestFileRefRefused(t *testing.T) {
	dir := t.TempDir()
	key := keyWithPass(t, dir, "k.key", "pw")
	const secretText = "Hunter2Secret"
	for _, ref := range []string{
		"file:" + key + "?passphrase=" + secretText,
		"file:" + key + "?pin-value=" + secretText,
		"file:" + key + "?passphrase-source=" + secretText,
		"file:" + key + "?passphrase-source=pass:" + secretText,
		"file:" + key + "?passphrase-source=env:" + secretText + "!",
		"file:" + key + "?" + secretText,
		"file:" + key + "?passphrase-source=env:A&passphrase-source=env:" + secretText,
		"file:" + key + "?passphrase-source=file:" + secretText + "%zz",
		"file://example.com" + key,
		"file:",
		"file:%zz",
	} {
		_, err := Open(ref, Options{Passphrase: noSource})
		if !errors.Is(err, ErrInvalidRef) {
			t.Errorf("Open(%q) = %v, want ErrInvalidRef", ref, err)
		}
		if err != nil && strings.Contains(err.Error(), secretText) {
			t.Errorf("Open(%q): the error repeats the text after '?': %v", ref, err)
		}
		// Redact keeps a source that names a file or a variable (names, not secrets).
		names := strings.Contains(ref, "=env:"+secretText) || strings.Contains(ref, "=file:"+secretText)
		if !names && strings.Contains(Redact(ref), secretText) {
			t.Errorf("Redact(%q) = %q keeps it", ref, Redact(ref))
		}
	}
	// A plain path is a path, '?' and all: no file name changes meaning.
	odd := filepath.Join(dir, "k.key?passphrase-source=env:X")
	if err := os.Rename(key, odd); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(odd, Options{Passphrase: secret.Source{File: mustPassFile(t, dir, "pw-1")}}); !errors.Is(err, x509util.ErrIncorrectPassphrase) {
		t.Errorf("a plain path with '?': %v, want it read as a file (and the passphrase refused)", err)
	}
}

// TestGenerateFileRef: key gen to a file: reference takes the new key's passphrase from the
// source it names, and refuses a source that contradicts it.
func TestGenerateFileRef(t *testing.T) {
	dir := t.TempDir()
	pass := filepath.Join(dir, "new.pass")
	if err := os.WriteFile(pass, []byte("new key passphrase\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "new.key")
	g, err := Generate("file:"+key+"?passphrase-source=file:"+pass, GenerateOptions{Passphrase: noSource})
	if err != nil || !g.Encrypted || g.Key != key {
		t.Fatalf("Generate: %+v, %v", g, err)
	}
	if _, err := Open(key, Options{Passphrase: secret.Source{File: pass}}); err != nil {
		t.Errorf("the new key does not open with its passphrase: %v", err)
	}
	if _, err := Generate("file:"+pass+"?passphrase-source=file:"+pass, GenerateOptions{Force: true}); !errors.Is(err, ErrInvalidRef) {
		t.Errorf("a key over its own passphrase file: %v", err)
	}
	if _, err := Generate("file:"+key+"2?passphrase-source=file:"+pass, GenerateOptions{NoPassphrase: true}); !errors.Is(err, ErrInvalidRef) {
		t.Errorf("an unencrypted key with a passphrase source: %v", err)
	}
}

// FuzzParseFileRef: any reference parses or is refused without a panic; a refusal is
// ErrInvalidRef and never repeats what followed '?'; a file: reference that parses names a
// file, and at most one source.
func FuzzParseFileRef(f *testing.F) {
	for _, s := range []string{"file:k.key", "file:k.key?passphrase-source=env:X", "file:///a/b?passphrase-source=file:%2Fp",
		"file://localhost/k?passphrase-source=file:p&x=y", "k.key?x", "file:?", "file:%", "FILE:k?PASSPHRASE-SOURCE=ENV:_1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		r, err := parseFileRef(ref)
		if err != nil {
			if !errors.Is(err, ErrInvalidRef) {
				t.Fatalf("%q: %v is not ErrInvalidRef", ref, err)
			}
			// What the error says beyond its fixed words and the file's name.
			said := strings.ReplaceAll(err.Error(), "only passphrase-source=file:PATH or passphrase-source=env:NAME may follow '?' in a file: reference (never the passphrase itself)", "")
			p, q, ok := strings.Cut(ref, "?")
			if IsFileURI(p) {
				if dp, err := url.PathUnescape(strings.TrimLeft(p[len("file:"):], "/")); err == nil {
					said = strings.ReplaceAll(said, dp, "")
				}
			}
			if ok && len(q) >= 8 && strings.Contains(said, q) {
				t.Fatalf("%q: the error repeats the query: %v", ref, err)
			}
			return
		}
		if !IsFileURI(ref) {
			if r.path != ref || r.file != "" || r.env != "" {
				t.Fatalf("plain %q parsed as %+v", ref, r)
			}
			return
		}
		if r.path == "" || r.file != "" && r.env != "" {
			t.Fatalf("%q parsed as %+v", ref, r)
		}
	})
}
