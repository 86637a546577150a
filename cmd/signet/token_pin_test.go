package main

import (
	"strings"
	"testing"

	"github.com/signet-pki/signet/hsm"
	"github.com/signet-pki/signet/internal/testutil"
)

// The PIN flags of a real SoftHSM2 token (testutil.SoftHSM.SetTokenFlags), as a CI job meets
// them: a token one wrong PIN from locking is not given the PIN from SIGNET_PIN (exit 4,
// nothing tried) unless SIGNET_PIN_FINAL_TRY=1; a locked PIN is exit 5, its own code, so that
// a job can tell "call the security officer" from "fix the PIN".
func TestTokenPINFlagsExitCodes(t *testing.T) {
	const (
		ckfUserPINFinalTry = 0x20000 // CKF_USER_PIN_FINAL_TRY
		ckfUserPINLocked   = 0x40000 // CKF_USER_PIN_LOCKED
	)
	h := testutil.NewSoftHSM(t, "", "ci")
	t.Setenv("SIGNET_PKCS11_MODULE", h.Module)
	t.Setenv("SIGNET_PIN", testutil.SoftHSMPIN)
	t.Setenv(hsm.EnvPINFinalTry, "")
	t.Chdir(t.TempDir())
	key := "pkcs11:token=ci;object=release"
	mustSignet(t, "key", "gen", "--type", "ec-p256", "-o", key)

	h.SetTokenFlags(t, "ci", ckfUserPINFinalTry)
	code, _, errOut := signetRun(t, "key", "pub", key)
	if code != exitKey || !strings.Contains(errOut, "one more wrong PIN locks the token") || !strings.Contains(errOut, "SIGNET_PIN_FINAL_TRY=1") {
		t.Errorf("final try, PIN from SIGNET_PIN: exit %d\n%s", code, errOut)
	}
	t.Setenv(hsm.EnvPINFinalTry, "1")
	code, out, errOut := signetRun(t, "key", "pub", key)
	if code != 0 || !strings.Contains(out, "PUBLIC KEY") || !strings.Contains(errOut, "warning") {
		t.Errorf("final try with SIGNET_PIN_FINAL_TRY=1: exit %d\n%s%s", code, out, errOut)
	}

	h.SetTokenFlags(t, "ci", ckfUserPINLocked)
	code, _, errOut = signetRun(t, "key", "pub", key)
	if code != exitPINLocked || code == exitKey || !strings.Contains(errOut, "locked") || strings.Count(strings.TrimSpace(errOut), "\n") > 1 {
		t.Errorf("locked: exit %d, want %d\n%s", code, exitPINLocked, errOut)
	}
}
