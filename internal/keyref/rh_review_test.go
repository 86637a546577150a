package keyref

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/secret"
	"github.com/signet-pki/signet/x509util"
)

// Probes of the security review (rh): each pins a behaviour no other test pins.

// TestGenerateSymlinkPlanted: a symbolic link planted where the new private key goes (as in a
// shared directory) is never written through: without --force a dangling link is replaced by
// the key file itself, and with --force a link to an existing file replaces the link, leaving
// the file it pointed to as it was. The key file is 0600 either way.
func TestGenerateSymlinkPlanted(t *testing.T) {
	dir := t.TempDir()
	elsewhere := t.TempDir()
	for _, force := range []bool{false, true} {
		victim := filepath.Join(elsewhere, "victim")
		os.Remove(victim)
		if force {
			if err := os.WriteFile(victim, []byte("precious\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		out := filepath.Join(dir, "new.key")
		os.Remove(out)
		if err := os.Symlink(victim, out); err != nil {
			t.Fatal(err)
		}
		if _, err := Generate(out, GenerateOptions{NoPassphrase: true, Force: force}); err != nil {
			t.Logf("force=%v: %v", force, err)
		}
		if b, err := os.ReadFile(victim); force && string(b) != "precious\n" || !force && err == nil {
			t.Errorf("force=%v: the link's target was written: %q, %v", force, b, err)
		}
		fi, err := os.Lstat(out)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().IsRegular() && fi.Mode().Perm() != 0o600 {
			t.Errorf("force=%v: key file mode %v", force, fi.Mode())
		}
		t.Logf("force=%v: %s is %v", force, out, fi.Mode())
	}
}

// TestGenerateUmask: the new private key is 0600 and its public key 0644 whatever the umask
// (with umask 0 a key written with 0666 would be world-readable).
func TestGenerateUmask(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	key, pub := filepath.Join(dir, "k.key"), filepath.Join(dir, "k.pub")
	if _, err := Generate(key, GenerateOptions{NoPassphrase: true, PublicOut: pub}); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{key: 0o600, pub: 0o644} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", filepath.Base(p), fi.Mode().Perm(), want)
		}
	}
}

// TestWarnExposedKeyFile: an unencrypted private key (PEM, or a PKCS#12 file without a
// password) in a file others may read or write gets a warning through Options.Warn, as ssh
// warns (ssh even refuses the key); a key file of mode 0600, an encrypted key and a public key
// get none, and no warning names anything but the file and its mode.
func TestWarnExposedKeyFile(t *testing.T) {
	dir := t.TempDir()
	plain, key := mustKeyFile(t, dir, "plain.key", x509util.KeyECP256, false)
	enc, _ := mustKeyFile(t, dir, "enc.key", x509util.KeyECP256, true)
	pubPEM, err := x509util.MarshalPublicKeyPEM(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	pub := filepath.Join(dir, "k.pub")
	os.WriteFile(pub, pubPEM, 0o644)
	cert := mustIssueSelf(t, key)
	p12, err := x509util.EncodeP12(key, cert, nil, nil, x509util.P12Options{NoPassphrase: true})
	if err != nil {
		t.Fatal(err)
	}
	nopass := filepath.Join(dir, "nopass.p12")
	os.WriteFile(nopass, p12, 0o644)
	passFile := mustPassFile(t, dir, testPass)
	cases := []struct {
		path string
		mode os.FileMode
		warn bool
	}{
		{plain, 0o644, true},
		{plain, 0o660, true},
		{plain, 0o602, true},
		{plain, 0o600, false},
		{plain, 0o400, false},
		{enc, 0o644, false},
		{pub, 0o644, false},
		{nopass, 0o644, true},
	}
	for _, c := range cases {
		if err := os.Chmod(c.path, c.mode); err != nil {
			t.Fatal(err)
		}
		var got []string
		opts := Options{Passphrase: secret.Source{File: passFile}, Warn: func(m string) { got = append(got, m) }}
		open := func() error { _, err := OpenPublic(c.path, opts); return err }
		if c.path != pub {
			open = func() error {
				k, err := Open(c.path, opts)
				if k != nil {
					k.Close()
				}
				return err
			}
		}
		if err := open(); err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		name := fmt.Sprintf("%s %04o", filepath.Base(c.path), c.mode)
		switch {
		case c.warn && len(got) != 1:
			t.Errorf("%s: %d warnings, want 1", name, len(got))
		case !c.warn && len(got) != 0:
			t.Errorf("%s: warned %q", name, got)
		case c.warn && (!strings.Contains(got[0], c.path) || !strings.Contains(got[0], fmt.Sprintf("%04o", c.mode)) || !strings.Contains(got[0], "chmod 600")):
			t.Errorf("%s: warning %q does not name the file, its mode and the fix", name, got[0])
		}
	}
}

// mustIssueSelf is a self-signed certificate for key.
func mustIssueSelf(t *testing.T, key crypto.Signer) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "exposed"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
