package keyref

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
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
