package main

import (
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
