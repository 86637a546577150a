package keyref

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/hsm"
	"github.com/signet-pki/signet/internal/atomicfile"
	"github.com/signet-pki/signet/internal/secret"
	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/x509util"
)

const testPass = "keyref test passphrase"

// mustKeyFile writes a key of type kt, encrypted with testPass when encrypted is true.
func mustKeyFile(t *testing.T, dir, name string, kt x509util.KeyType, encrypted bool) (string, crypto.Signer) {
	t.Helper()
	k, err := x509util.GenerateKey(kt)
	if err != nil {
		t.Fatal(err)
	}
	var pass []byte
	if encrypted {
		pass = []byte(testPass)
	}
	data, err := x509util.MarshalPrivateKey(k, pass)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, k
}

func mustPassFile(t *testing.T, dir, pass string) string {
	t.Helper()
	p := filepath.Join(dir, "pass-"+pass[:4]+".txt")
	if err := os.WriteFile(p, []byte(pass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// noSource never prompts and has nothing to read: using it fails with secret.ErrNoSource.
var noSource = secret.Source{NoTerminal: true}

func TestOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	plain, plainKey := mustKeyFile(t, dir, "plain.key", x509util.KeyEd25519, false)
	enc, encKey := mustKeyFile(t, dir, "enc.key", x509util.KeyECP256, true)
	good := mustPassFile(t, dir, testPass)
	bad := mustPassFile(t, dir, "wrong passphrase")
	pubFile := filepath.Join(dir, "plain.pub")
	pubPEM, _ := x509util.MarshalPublicKeyPEM(plainKey.Public())
	os.WriteFile(pubFile, pubPEM, 0o644)
	big := filepath.Join(dir, "big.key")
	os.WriteFile(big, bytes.Repeat([]byte("A"), MaxFileSize+1), 0o600)

	tests := []struct {
		name   string
		ref    string
		src    secret.Source
		want   crypto.Signer
		target error
		msg    string
	}{
		{"plain key never reads a passphrase", plain, secret.Source{File: filepath.Join(dir, "missing-pass")}, plainKey, nil, ""},
		{"encrypted key, passphrase file", enc, secret.Source{File: good}, encKey, nil, ""},
		{"encrypted key, wrong passphrase", enc, secret.Source{File: bad}, nil, x509util.ErrIncorrectPassphrase, "read " + enc + ": "},
		{"encrypted key, no source", enc, noSource, nil, secret.ErrNoSource, "read " + enc + ": passphrase"},
		{"missing file", filepath.Join(dir, "nope.key"), noSource, nil, fs.ErrNotExist, "nope.key"},
		{"directory", dir, noSource, nil, nil, "read " + dir + ": is a directory"},
		{"public key only", pubFile, noSource, nil, x509util.ErrMalformed, "no private key"},
		{"too large", big, noSource, nil, x509util.ErrMalformed, "not a key file"},
		{"empty ref", "", noSource, nil, x509util.ErrMalformed, "no file name"},
		{"pkcs11 goes to the token layer", "pkcs11:token=t;object=k?module-path=/nonexistent/mod.so&pin-value=1234", noSource, nil, hsm.ErrToken, "module /nonexistent/mod.so"},
		{"PKCS11 any case", "PKCS11:object=k?module-path=/nonexistent/mod.so", noSource, nil, hsm.ErrToken, "module /nonexistent/mod.so"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := Open(tc.ref, Options{Passphrase: tc.src})
			if tc.want != nil {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				defer k.Close()
				if !x509util.PublicKeysEqual(k.Public(), tc.want.Public()) {
					t.Error("wrong key")
				}
				if k.Certificates() != nil {
					t.Error("a key file has no certificates")
				}
				digest := sha256.Sum256([]byte("data"))
				opts := crypto.SignerOpts(crypto.SHA256)
				if _, ok := tc.want.(interface{ Seed() []byte }); ok {
					digest, opts = sha256.Sum256(nil), crypto.Hash(0)
				}
				if _, err := k.Sign(rand.Reader, digest[:], opts); err != nil {
					t.Errorf("Sign: %v", err)
				}
				if s, ok := Software(k); !ok || !x509util.PublicKeysEqual(s.Public(), tc.want.Public()) {
					t.Error("Software did not return the key")
				}
				return
			}
			if err == nil {
				t.Fatal("Open succeeded")
			}
			if tc.target != nil && !errors.Is(err, tc.target) {
				t.Errorf("Open = %v, want %v", err, tc.target)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Open = %q, want it to mention %q", err, tc.msg)
			}
			if strings.Contains(err.Error(), "1234") {
				t.Errorf("error shows the URI's pin-value: %v", err)
			}
		})
	}
}

func TestOpenPublicAndDescribe(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	plain, key := mustKeyFile(t, dir, "plain.key", x509util.KeyECP384, false)
	enc, _ := mustKeyFile(t, dir, "enc.key", x509util.KeyEd25519, true)
	pubPEM, _ := x509util.MarshalPublicKeyPEM(key.Public())
	pub := filepath.Join(dir, "plain.pub")
	os.WriteFile(pub, pubPEM, 0o644)

	tests := []struct {
		ref       string
		src       secret.Source
		kind      string
		encoding  string
		encrypted bool
		typ       x509util.KeyType
	}{
		{plain, noSource, "private key", "PKCS#8 PEM", false, x509util.KeyECP384},
		{pub, noSource, "public key", "SubjectPublicKeyInfo PEM", false, x509util.KeyECP384},
		{enc, secret.Source{File: mustPassFile(t, dir, testPass)}, "private key", "PKCS#8 PEM", true, x509util.KeyEd25519},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.ref), func(t *testing.T) {
			d, err := Describe(tc.ref, Options{Passphrase: tc.src})
			if err != nil {
				t.Fatal(err)
			}
			if d.Ref != tc.ref || d.Kind != tc.kind || d.Encoding != tc.encoding || d.Encrypted != tc.encrypted || d.Type != tc.typ {
				t.Errorf("Describe = %+v", d)
			}
			if !strings.HasPrefix(d.Fingerprint, "sha256:") || len(d.Fingerprint) != len("sha256:")+64 {
				t.Errorf("fingerprint %q", d.Fingerprint)
			}
		})
	}
	if _, err := OpenPublic(enc, Options{Passphrase: noSource}); !errors.Is(err, secret.ErrNoSource) {
		t.Errorf("OpenPublic(encrypted key) without a source = %v", err)
	}
	// The JSON form is a contract: these keys, nothing renamed.
	d, _ := Describe(plain, Options{Passphrase: noSource})
	b, _ := json.Marshal(d)
	var m map[string]any
	json.Unmarshal(b, &m)
	for _, k := range []string{"ref", "type", "algorithm", "bits", "curve", "fingerprint", "kind", "encoding", "encrypted"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
}

func TestGenerate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	passFile := mustPassFile(t, dir, testPass)

	t.Run("encrypted key and public key, read by openssl", func(t *testing.T) {
		key, pub := filepath.Join(dir, "a.key"), filepath.Join(dir, "a.pub")
		g, err := Generate(key, GenerateOptions{Type: x509util.KeyECP256, PublicOut: pub, Passphrase: secret.Source{File: passFile}})
		if err != nil {
			t.Fatal(err)
		}
		if !g.Encrypted || g.Type != x509util.KeyECP256 || g.Key != key || g.PublicKey != pub || g.PEM != nil {
			t.Errorf("Generated = %+v", g)
		}
		for path, mode := range map[string]fs.FileMode{key: 0o600, pub: 0o644} {
			fi, err := os.Stat(path)
			if err != nil || fi.Mode().Perm() != mode {
				t.Errorf("%s: %v, mode %v, want %v", path, err, fi.Mode().Perm(), mode)
			}
		}
		testutil.RequireTool(t, "openssl")
		got := testutil.Run(t, "openssl", "pkey", "-in", key, "-passin", "file:"+passFile, "-pubout")
		if want, _ := os.ReadFile(pub); !bytes.Equal(got, want) {
			t.Errorf("openssl's public key differs from the .pub file")
		}
		d, err := Describe(key, Options{Passphrase: secret.Source{File: passFile}})
		if err != nil || d.Fingerprint != g.Fingerprint {
			t.Errorf("Describe = %+v, %v; want fingerprint %s", d, err, g.Fingerprint)
		}
	})

	t.Run("existing public key: nothing written", func(t *testing.T) {
		key, pub := filepath.Join(dir, "b.key"), filepath.Join(dir, "b.pub")
		os.WriteFile(pub, []byte("keep me"), 0o644)
		_, err := Generate(key, GenerateOptions{PublicOut: pub, NoPassphrase: true})
		if !errors.Is(err, atomicfile.ErrExists) {
			t.Fatalf("Generate = %v, want ErrExists", err)
		}
		if _, err := os.Stat(key); !errors.Is(err, fs.ErrNotExist) {
			t.Error("the key was written although its public key could not be")
		}
		if b, _ := os.ReadFile(pub); string(b) != "keep me" {
			t.Error("the existing file changed")
		}
		if _, err := Generate(key, GenerateOptions{PublicOut: pub, NoPassphrase: true, Force: true}); err != nil {
			t.Errorf("with Force: %v", err)
		}
	})

	t.Run("existing key refused before asking for a passphrase", func(t *testing.T) {
		key := filepath.Join(dir, "c.key")
		os.WriteFile(key, []byte("old"), 0o600)
		_, err := Generate(key, GenerateOptions{Passphrase: noSource})
		if !errors.Is(err, atomicfile.ErrExists) {
			t.Errorf("Generate = %v, want ErrExists (not a passphrase error)", err)
		}
	})

	t.Run("no passphrase source", func(t *testing.T) {
		key := filepath.Join(dir, "d.key")
		if _, err := Generate(key, GenerateOptions{Passphrase: noSource}); !errors.Is(err, secret.ErrNoSource) {
			t.Errorf("Generate = %v, want ErrNoSource", err)
		}
		if _, err := os.Stat(key); !errors.Is(err, fs.ErrNotExist) {
			t.Error("a key was written")
		}
	})

	t.Run("plain to stdout", func(t *testing.T) {
		g, err := Generate("-", GenerateOptions{Type: x509util.KeyEd25519, NoPassphrase: true})
		if err != nil {
			t.Fatal(err)
		}
		k, err := x509util.ParsePrivateKey(g.PEM, nil)
		if err != nil || g.Encrypted {
			t.Fatalf("PEM does not parse as a plain key: %v", err)
		}
		if fp, _ := x509util.Fingerprint(k.Public()); fp != g.Fingerprint {
			t.Error("fingerprint is not the key's")
		}
		if _, err := os.Stat("-"); err == nil {
			t.Error("a file named - was written")
		}
	})

	t.Run("same file twice", func(t *testing.T) {
		key := filepath.Join(dir, "e.key")
		if _, err := Generate(key, GenerateOptions{PublicOut: key, NoPassphrase: true}); err == nil {
			t.Error("key and public key to one file accepted")
		}
	})

	t.Run("pkcs11", func(t *testing.T) {
		if _, err := Generate("pkcs11:token=x;object=y", GenerateOptions{NoPassphrase: true}); !errors.Is(err, hsm.ErrToken) {
			t.Errorf("Generate(pkcs11:) = %v, want hsm.ErrToken", err)
		}
	})
}

// TestPKCS12: a .p12 that openssl writes is a key reference like any other; its certificate
// chain comes with the key, and its passphrase is asked for only when it has one.
func TestPKCS12(t *testing.T) {
	testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	keyFile, key := mustKeyFile(t, dir, "id.key", x509util.KeyECP256, false)
	cert := filepath.Join(dir, "id.crt")
	testutil.Run(t, "openssl", "req", "-x509", "-new", "-key", keyFile, "-subj", "/CN=p12 test", "-days", "1", "-out", cert)
	withPass := filepath.Join(dir, "id.pfx")
	testutil.Run(t, "openssl", "pkcs12", "-export", "-inkey", keyFile, "-in", cert, "-passout", "pass:"+testPass, "-out", withPass)
	noPass := filepath.Join(dir, "nopass.p12")
	testutil.Run(t, "openssl", "pkcs12", "-export", "-inkey", keyFile, "-in", cert, "-passout", "pass:", "-out", noPass)

	k, err := Open(withPass, Options{Passphrase: secret.Source{File: mustPassFile(t, dir, testPass)}})
	if err != nil {
		t.Fatal(err)
	}
	if !x509util.PublicKeysEqual(k.Public(), key.Public()) || len(k.Certificates()) != 1 || k.Certificates()[0].Subject.CommonName != "p12 test" {
		t.Errorf("Open(.p12): key or certificates wrong: %v", k.Certificates())
	}
	if _, err := Open(withPass, Options{Passphrase: secret.Source{File: mustPassFile(t, dir, "wrong one")}}); !errors.Is(err, x509util.ErrIncorrectPassphrase) {
		t.Errorf("wrong passphrase: %v", err)
	}
	d, err := Describe(noPass, Options{Passphrase: noSource})
	if err != nil {
		t.Fatalf("Describe(.p12 without a password) asked for one: %v", err)
	}
	if d.Kind != "private key" || d.Encoding != "PKCS#12 DER" || d.Encrypted || d.Type != x509util.KeyECP256 {
		t.Errorf("Describe = %+v", d)
	}
	if d, err := Describe(withPass, Options{Passphrase: secret.Source{File: mustPassFile(t, dir, testPass)}}); err != nil || !d.Encrypted {
		t.Errorf("Describe(.pfx) = %+v, %v; want encrypted", d, err)
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"signer.key", "signer.key"},
		{"pin-value=1234.key", "pin-value=1234.key"}, // a file, whatever its name
		{"pkcs11:token=t;object=k", "pkcs11:token=t;object=k"},
		{"pkcs11:token=t;object=k?pin-value=1234", "pkcs11:token=t;object=k?pin-value=REDACTED"},
		// A query value may hold '?' and ';' (RFC 7512): only '&' ends the PIN.
		{"pkcs11:token=t;object=k?module-path=/m.so&pin-value=1234?LEAKED", "pkcs11:token=t;object=k?module-path=/m.so&pin-value=REDACTED"},
		{"pkcs11:token=t?pin-value=12;34?56&x=y", "pkcs11:token=t?pin-value=REDACTED&x=y"},
		{"PKCS11:token=t?module-path=/m.so&pin-value=1234&x-a=b", "PKCS11:token=t?module-path=/m.so&pin-value=REDACTED&x-a=b"},
		{"pkcs11:token=t?pin-source=file:/run/pin", "pkcs11:token=t?pin-source=file:/run/pin"},
		{"pkcs11:pin-value=1234", "pkcs11:pin-value=REDACTED"},
		{"pkcs11:token=t?pin%2Dvalue=1234", "pkcs11:token=t?pin%2Dvalue=REDACTED"},
		{"pkcs11:token=t?PIN-VALUE=1234", "pkcs11:token=t?PIN-VALUE=REDACTED"},
		{"pkcs11:token=t?pin-value1234", "pkcs11:token=t?pin-value=REDACTED"},
		{"pkcs11:token=t?pin-value=12%zz34&pin-value=5678", "pkcs11:token=t?pin-value=REDACTED&pin-value=REDACTED"},
		{"pkcs11:token=t;pin-value=1234;object=k", "pkcs11:token=t;pin-value=REDACTED;object=k"},
	}
	for _, tc := range tests {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
