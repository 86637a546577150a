package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestKeyGenTokenPubOutNowhere, on a real SoftHSM2 token: key gen -o pkcs11:... with a
// --pub-out in a directory that does not exist (or under a file) is refused, exit 3 (an existing file: exit 2), in one
// line naming the file, before the key is generated; the key was generated first and left on
// the token when its public key file could not be written.
func TestKeyGenTokenPubOutNowhere(t *testing.T) {
	newSoftHSM(t, "erin")
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i, pub := range []string{filepath.Join(dir, "missing", "erin.pub"), filepath.Join(file, "erin.pub"), file} {
		object := "k" + strconv.Itoa(i)
		code, stdout, stderr := signetRun(t, "key", "gen", "-o", "pkcs11:token=erin;object="+object, "--pub-out", pub)
		if code != exitBadInput && !(pub == file && code == exitUsage) || stdout != "" || !crlOneError(stderr) || !strings.Contains(stderr, pub) {
			t.Errorf("--pub-out %s: exit %d\n%s%s", pub, code, stdout, stderr)
		}
		objects := mustSignet(t, "token", "objects", "pkcs11:token=erin")
		if strings.Contains(objects, "object="+object) {
			t.Errorf("--pub-out %s: the refused key gen left the key on the token:\n%s", pub, objects)
		}
	}
	// A directory that exists: the key and its public key file.
	pub := filepath.Join(dir, "erin.pub")
	mustSignet(t, "key", "gen", "-o", "pkcs11:token=erin;object=good", "--pub-out", pub)
	if _, err := os.Stat(pub); err != nil {
		t.Error(err)
	}
	if objects := mustSignet(t, "token", "objects", "pkcs11:token=erin"); !strings.Contains(objects, "object=good") {
		t.Errorf("no key on the token:\n%s", objects)
	}
}
