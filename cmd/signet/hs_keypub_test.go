package main

import (
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// TestHSKeyPubProvesThePairing: 'key pub' on a token key whose only public key object is
// another key's (it shares the key's id; the other key's private key is gone, its own public
// key object deleted) printed that other key's public key, exit 0, though signet had logged
// in and could have asked the key: every signature was refused, but a CSR, a certificate or
// an allow-list made from what key pub printed named the wrong key. The key now signs a random
// challenge that must verify with the public key found for it (exit 4 otherwise). A key that
// asks for the PIN for every signature is not asked: its public key is printed with a warning
// that it is not proven.
func TestHSKeyPubProvesThePairing(t *testing.T) {
	tool := testutil.RequireTool(t, "pkcs11-tool")
	h := testutil.NewSoftHSM(t, "", "hs")
	t.Setenv("SIGNET_PKCS11_MODULE", h.Module)
	t.Setenv("SIGNET_PIN", testutil.SoftHSMPIN)
	p11 := func(args ...string) {
		testutil.Cmd{Env: []string{"P=" + testutil.SoftHSMPIN}}.Run(t, tool, append([]string{"--module", h.Module, "--token-label", "hs", "--login", "--pin", "env:P"}, args...)...)
	}
	p11("--keypairgen", "--key-type", "EC:prime256v1", "--id", "01", "--label", "k")
	p11("--keypairgen", "--key-type", "EC:prime256v1", "--id", "01", "--label", "z")
	p11("--delete-object", "--type", "pubkey", "--label", "k")
	p11("--delete-object", "--type", "privkey", "--label", "z")
	code, out, errOut := signetRun(t, "key", "pub", "pkcs11:token=hs;object=k")
	if code != 4 || out != "" || !strings.Contains(errOut, "does not sign for the public key stored with it") {
		t.Errorf("key pub of a key given another key's public key object: exit %d\n%s%s; want exit 4, nothing printed", code, out, errOut)
	}

	// A key that signs for its public key: printed, no warning.
	p11("--keypairgen", "--key-type", "EC:prime256v1", "--id", "02", "--label", "good")
	code, out, errOut = signetRun(t, "key", "pub", "pkcs11:token=hs;object=good")
	if code != 0 || errOut != "" || !isPublicKeyPEM(out) {
		t.Errorf("key pub of a sound key: exit %d\n%s%s", code, out, errOut)
	}

	// A key that asks for the PIN for every signature: printed, said to be unproven.
	p11("--keypairgen", "--key-type", "EC:prime256v1", "--id", "03", "--label", "piv", "--always-auth")
	code, out, errOut = signetRun(t, "key", "pub", "pkcs11:token=hs;object=piv")
	if code != 0 || !isPublicKeyPEM(out) || !strings.Contains(errOut, "not proven") || strings.Contains(errOut, "asks for the PIN for every signature (CKA_ALWAYS") {
		t.Errorf("key pub of a key that asks for the PIN at every signature: exit %d\n%s%s; want it printed, said unproven, no signature", code, out, errOut)
	}
	code, out, errOut = signetRun(t, "key", "inspect", "pkcs11:token=hs;object=piv")
	if code != 0 || !strings.Contains(errOut, "not proven") {
		t.Errorf("key inspect of a key that asks for the PIN at every signature: exit %d\n%s%s; want it said unproven", code, out, errOut)
	}
	code, out, errOut = signetRun(t, "key", "inspect", "pkcs11:token=hs;object=k")
	if code != 4 || out != "" {
		t.Errorf("key inspect of a key given another key's public key object: exit %d\n%s%s; want exit 4", code, out, errOut)
	}
}

func isPublicKeyPEM(s string) bool {
	b, _ := pem.Decode([]byte(s))
	if b == nil || b.Type != "PUBLIC KEY" {
		return false
	}
	_, err := x509.ParsePKIXPublicKey(b.Bytes)
	return err == nil
}
