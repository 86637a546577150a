package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEnrollForceWordsUnchanged: the refusals --force gets past say so in the words they
// always had ("; use --force to replace it", exit 2), now that internal/enroll returns an
// enroll.ForceError and signet names its flag (enrollForceError): enrolling a key that holds
// a certificate for other names, and finishing with another certificate for the key. An
// error that --force does not mend gets no such words.
func TestEnrollForceWordsUnchanged(t *testing.T) {
	newSoftHSM(t, "alice")
	uri := "pkcs11:token=alice;object=client"
	ca, caKey := fixturePKI(t, "int-ca.pem"), fixturePKI(t, "int-ca.key")
	mustSignet(t, "enroll", "--token", uri, "--subject", "CN=alice,O=Example", "--ca", ca, "--ca-key", caKey)

	code, _, errOut := signetRun(t, "enroll", "--token", uri, "--subject", "CN=bob,O=Example", "--ca", ca, "--ca-key", caKey)
	want := regexp.MustCompile(`(?m)^signet: error: .*the key already has a certificate for CN=alice,O=Example, valid until \S+, .*; use --force to replace it$`)
	if code != 2 || !want.MatchString(errOut) || strings.Count(errOut, "--force") != 1 {
		t.Errorf("enroll for other names: exit %d\n%s", code, errOut)
	}

	// another certificate for the key, to finish with
	dir := t.TempDir()
	pub := filepath.Join(dir, "pub.pem")
	if err := os.WriteFile(pub, []byte(mustSignet(t, "key", "pub", uri)), 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.pem")
	mustSignet(t, "cert", "create", "--profile", "client", "--subject", "CN=carol,O=Example", "--key", pub,
		"--ca", ca, "--ca-key", caKey, "-o", other)
	code, _, errOut = signetRun(t, "enroll", "--token", uri, "--cert", other)
	want = regexp.MustCompile(`(?m)^signet: error: .*the key already has a certificate \(CN=alice,O=Example\); use --force to replace it$`)
	if code != 2 || !want.MatchString(errOut) {
		t.Errorf("enroll --cert with another certificate: exit %d\n%s", code, errOut)
	}
	if code, _, errOut := signetRun(t, "enroll", "--token", uri, "--cert", other, "--force"); code != 0 {
		t.Errorf("enroll --cert --force: exit %d\n%s", code, errOut)
	}

	// a refusal --force does not mend: no word of it
	code, _, errOut = signetRun(t, "enroll", "--token", uri, "--cert", fixturePKI(t, "server.pem"))
	if code == 0 || strings.Contains(errOut, "--force") {
		t.Errorf("enroll --cert with a certificate for another key: exit %d\n%s", code, errOut)
	}
}
