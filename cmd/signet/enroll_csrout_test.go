package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestEnrollCSROutNowhere, on a real SoftHSM2 token: a --csr-out in a directory that does not
// exist (or under a file) is refused, exit 3, in one line naming the flag, before the token is
// written; the key was generated on the token first, and left there when the CSR could not be
// written.
func TestEnrollCSROutNowhere(t *testing.T) {
	newSoftHSM(t, "dora")
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i, out := range []string{filepath.Join(dir, "missing", "dora.csr"), filepath.Join(file, "dora.csr")} {
		token := "pkcs11:token=dora;object=client" + strconv.Itoa(i)
		code, stdout, stderr := signetRun(t, "enroll", "--token", token, "--subject", "CN=dora", "--csr-out", out)
		if code != exitBadInput || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "--csr-out "+out) {
			t.Errorf("--csr-out %s: exit %d\n%s%s", out, code, stdout, stderr)
		}
		objects := mustSignet(t, "token", "objects", "pkcs11:token=dora")
		if strings.Contains(objects, "object=client"+strconv.Itoa(i)) {
			t.Errorf("--csr-out %s: the refused enrolment left objects on the token:\n%s", out, objects)
		}
	}
}
