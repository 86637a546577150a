package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// TestLRPublicURIHiddenOnlyWrongPIN: a type=public URI that names only an object the token
// hides until login still logs in once the token counts a wrong PIN (it cannot be found
// otherwise), spending a try each read until the login's final-try guard refuses the
// unattended PIN; README and 'signet key --help' said a read after a wrong PIN spends none.
func TestLRPublicURIHiddenOnlyWrongPIN(t *testing.T) {
	tool := testutil.RequireTool(t, "pkcs11-tool")
	h := testutil.NewSoftHSM(t, "", "lr")
	t.Setenv("SIGNET_PKCS11_MODULE", h.Module)
	dir := t.TempDir()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "owner.der")
	if err := os.WriteFile(f, der, 0o600); err != nil {
		t.Fatal(err)
	}
	testutil.Cmd{Env: []string{"P=" + testutil.SoftHSMPIN}}.Run(t, tool, "--module", h.Module, "--token-label", "lr", "--login", "--pin", "env:P", "--write-object", f, "--type", "pubkey", "--label", "k", "--id", "01", "--private")
	t.Setenv("SIGNET_PIN", "999999")
	for range 3 {
		code, out, errOut := signetRun(t, "key", "pub", "pkcs11:token=lr;object=k;type=public")
		if code != 4 || out != "" || !strings.Contains(errOut, "wrong PIN (from $SIGNET_PIN)") || strings.Contains(errOut, "999999") {
			t.Fatalf("key pub of a hidden-only object with a wrong $SIGNET_PIN: exit %d\n%s%s; want exit 4, a login that fails, no PIN shown", code, out, errOut)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{string(readme), keyRefHelp} {
		if strings.Contains(doc, "A read spends at most one PIN try") || strings.Contains(doc, "a read spends no PIN try then)") {
			t.Errorf("the docs still say a read after a wrong PIN never logs in")
		}
	}
}
