package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// TestEnrollOnTokenProbes, on a real SoftHSM2 token: a wrong PIN stops enroll with exit 4 and
// one line that says the PIN was wrong and where it came from, never the PIN, and nothing is
// generated (the right PIN then works: the token was not locked); the key enroll generates is
// sensitive and never extractable as pkcs11-tool sees it, the certificate beside it has the
// key's label and id (the CA's certificate goes in under its own), and pkcs11-tool lists the
// same objects 'signet token objects' does.
// They found no fault.
func TestEnrollOnTokenProbes(t *testing.T) {
	p11 := testutil.RequireTool(t, "pkcs11-tool")
	sh := testutil.NewSoftHSM(t, "", "carol") // NewSoftHSM points SOFTHSM2_CONF at it
	t.Setenv("SIGNET_PKCS11_MODULE", sh.Module)
	dir := t.TempDir()
	caKey := copyFile(t, fixturePKI(t, "int-ca.key"), dir)
	if err := os.Chmod(caKey, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"enroll", "--token", "pkcs11:token=carol;object=client", "--subject", "CN=carol,O=Example",
		"--ca", fixturePKI(t, "int-ca.pem"), "--ca-key", caKey}
	list := func() string {
		return string(testutil.Run(t, p11, "--module", sh.Module, "--token-label", "carol", "--login", "--pin", testutil.SoftHSMPIN, "--list-objects"))
	}

	t.Setenv("SIGNET_PIN", "987654")
	code, out, errOut := signetRun(t, args...)
	if code != exitKey || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "wrong PIN (from $SIGNET_PIN)") || strings.Contains(errOut, "987654") {
		t.Errorf("a wrong PIN: exit %d\n%s%s", code, out, errOut)
	}
	if l := list(); strings.Contains(l, "Object") {
		t.Errorf("a wrong PIN left objects on the token:\n%s", l)
	}

	t.Setenv("SIGNET_PIN", testutil.SoftHSMPIN)
	mustSignet(t, args...)
	l := list()
	objects := regexp.MustCompile(`(?m)^(Private Key|Public Key|Certificate) Object; .*\n(?:  .*\n)*`).FindAllString(l, -1)
	if len(objects) != 4 || !strings.Contains(l, "Certificate Object; type = X.509 cert\n  label:      Signet Test Intermediate CA\n") {
		t.Fatalf("pkcs11-tool lists %d objects, want a key pair, its certificate and the CA's:\n%s", len(objects), l)
	}
	for _, o := range objects {
		if strings.Contains(o, "  label:      Signet Test Intermediate CA\n") {
			continue
		}
		if !strings.Contains(o, "  label:      client\n") || !strings.Contains(o, "  ID:         01\n") {
			t.Errorf("an object without the key's label and id:\n%s", o)
		}
		if strings.HasPrefix(o, "Private Key") && !strings.Contains(o, "sensitive, always sensitive, never extractable") {
			t.Errorf("the private key is not sensitive and never extractable:\n%s", o)
		}
	}
	objs := mustSignet(t, "token", "objects", "pkcs11:token=carol")
	for class, n := range map[string]int{"private key": 1, "public key": 1, "certificate": 2} {
		if got := strings.Count(objs, "class:         "+class+"\n"); got != n {
			t.Errorf("signet token objects shows %d %s objects, pkcs11-tool %d:\n%s", got, class, n, objs)
		}
	}
	if strings.Count(objs, "  label:         client\n") != 3 || strings.Count(objs, "  id:            01\n") != 3 ||
		!strings.Contains(objs, "flags:         sensitive, not extractable, sign") {
		t.Errorf("signet token objects does not say what pkcs11-tool does:\n%s", objs)
	}
}
