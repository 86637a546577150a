package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// TestKeyPubOfAKeyLimitedToOtherMechanisms: 7bd9215 has 'key pub' prove a token key's public
// key with a signature made with CKM_RSA_PKCS or CKM_ECDSA; a key whose
// CKA_ALLOWED_MECHANISMS leaves those out (an RSA key kept to PSS, an EC key to ECDSA-SHA384,
// as pkcs11-tool --allowed-mechanisms writes them) made key pub, key inspect and every use of
// its public key fail (exit 4, 'cannot sign with CKM_RSA_PKCS') where they printed it before.
// Such a key cannot be asked, as one that wants the PIN for every signature is not: its
// public key is printed, said not proven and why.
func TestKeyPubOfAKeyLimitedToOtherMechanisms(t *testing.T) {
	tool := testutil.RequireTool(t, "pkcs11-tool")
	h := testutil.NewSoftHSM(t, "", "lr")
	t.Setenv("SIGNET_PKCS11_MODULE", h.Module)
	t.Setenv("SIGNET_PIN", testutil.SoftHSMPIN)
	p11 := func(args ...string) {
		testutil.Cmd{Env: []string{"P=" + testutil.SoftHSMPIN}}.Run(t, tool, append([]string{"--module", h.Module, "--token-label", "lr", "--login", "--pin", "env:P"}, args...)...)
	}
	p11("--keypairgen", "--key-type", "rsa:2048", "--id", "01", "--label", "pss", "--allowed-mechanisms", "RSA-PKCS-PSS,SHA256-RSA-PKCS-PSS")
	p11("--keypairgen", "--key-type", "EC:prime256v1", "--id", "02", "--label", "ec384", "--allowed-mechanisms", "ECDSA-SHA384")
	for _, k := range []string{"pss", "ec384"} {
		code, out, errOut := signetRun(t, "key", "pub", "pkcs11:token=lr;object="+k)
		if code != 0 || !isPublicKeyPEM(out) || !strings.Contains(errOut, "not proven") || !strings.Contains(errOut, "CKR_MECHANISM_INVALID") {
			t.Errorf("key pub of %s: exit %d\n%s%s; want it printed, said not proven and why", k, code, out, errOut)
		}
		code, out, errOut = signetRun(t, "key", "inspect", "--json", "pkcs11:token=lr;object="+k)
		if code != 0 || !strings.Contains(out, `"unproven"`) {
			t.Errorf("key inspect --json of %s: exit %d\n%s%s; want it said unproven", k, code, out, errOut)
		}
	}
}

// TestVerifyKeyUnprovenIsSaid: 'verify --key' and 'cert create --key' with a token key's URI
// used a public key not proven to be the key's own (a key that asks for the PIN for every
// signature is not asked to sign for it) without a word, where key pub and key inspect warn
// of it: a verdict could rest on the public key object that only shares the key's id. They
// warn as key pub does.
func TestVerifyKeyUnprovenIsSaid(t *testing.T) {
	tool := testutil.RequireTool(t, "pkcs11-tool")
	h := testutil.NewSoftHSM(t, "", "lr")
	t.Setenv("SIGNET_PKCS11_MODULE", h.Module)
	t.Setenv("SIGNET_PIN", testutil.SoftHSMPIN)
	testutil.Cmd{Env: []string{"P=" + testutil.SoftHSMPIN}}.Run(t, tool, "--module", h.Module, "--token-label", "lr", "--login", "--pin", "env:P",
		"--keypairgen", "--key-type", "EC:prime256v1", "--id", "03", "--label", "piv", "--always-auth")
	dir := t.TempDir()
	f := filepath.Join(dir, "f")
	if err := os.WriteFile(f, []byte("signed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const key = "pkcs11:token=lr;object=piv"
	if code, out, errOut := signetRun(t, "sign", "--format", "raw", "--key", key, f); code != 0 {
		t.Fatalf("sign: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := signetRun(t, "verify", "--key", key, f)
	if code != 0 || !strings.Contains(errOut, "not proven") {
		t.Errorf("verify --key of a key that asks for the PIN at every signature: exit %d\n%s%s; want OK and a warning that its public key is not proven", code, out, errOut)
	}
	root, rootKey := filepath.Join(dir, "root.pem"), filepath.Join(dir, "root.key")
	if code, out, errOut := signetRun(t, "key", "gen", "--no-passphrase", "-o", rootKey); code != 0 {
		t.Fatalf("key gen: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := signetRun(t, "cert", "create", "--profile", "root-ca", "--subject", "CN=LR Root", "--key", rootKey, "-o", root); code != 0 {
		t.Fatalf("cert create root: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = signetRun(t, "cert", "create", "--profile", "client", "--subject", "CN=lr", "--key", key, "--ca", root, "--ca-key", rootKey, "-o", filepath.Join(dir, "c.pem"))
	if code != 0 || !strings.Contains(errOut, "not proven") {
		t.Errorf("cert create --key of a key that asks for the PIN at every signature: exit %d\n%s%s; want a warning that its public key is not proven", code, out, errOut)
	}
}
