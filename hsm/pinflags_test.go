//go:build cgo

package hsm

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/miekg/pkcs11"

	"github.com/signet-pki/signet/internal/testutil"
)

// setTokenFlags makes the token labelled label report flags too (testutil.SoftHSM.SetTokenFlags).
func (tt *testToken) setTokenFlags(label string, flags uint64) {
	tt.t.Helper()
	(&testutil.SoftHSM{Dir: tt.dir}).SetTokenFlags(tt.t, label, flags)
}

// tokenFlagsNow lists the token and returns its flags as the module reports them.
func (tt *testToken) tokenFlagsNow() TokenFlags {
	tt.t.Helper()
	_, toks, err := ListTokens(tt.uri(""), tt.opts(""))
	if err != nil || len(toks) != 1 {
		tt.t.Fatalf("ListTokens: %v, %v", toks, err)
	}
	return toks[0].Flags
}

// TestPINFinalTry: when the token says one more wrong PIN locks it (CKF_USER_PIN_FINAL_TRY),
// a PIN that no one looks at before it is tried (a pin-source file, a pin-value, SIGNET_PIN:
// a CI job) is not tried unless SIGNET_PIN_FINAL_TRY=1 asks for it: a stale PIN in a CI
// secret would otherwise lock the token. The error says so and wraps ErrPINFinalTry (and
// ErrPIN). A PIN typed at the prompt is tried, after a warning printed before the prompt.
// Before, the PIN from SIGNET_PIN was tried with only a warning.
func TestPINFinalTry(t *testing.T) {
	tt := mustSoftHSM(t, "rp")
	if _, err := GenerateKey(tt.uri("object=k"), ECP256, tt.opts(testPIN)); err != nil {
		t.Fatal(err)
	}
	tt.setTokenFlags("rp", pkcs11.CKF_USER_PIN_FINAL_TRY)
	if f := tt.tokenFlagsNow(); !f.PINFinalTry || f.PINCountLow {
		t.Fatalf("flags %+v, want the final-try flag alone", f)
	}
	const wrong = "Wr0ng-PIN-final"
	pinFile := filepath.Join(t.TempDir(), "pin")
	if err := os.WriteFile(pinFile, []byte(wrong+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, uri := range map[string]string{
		"SIGNET_PIN": tt.uri("object=k"),
		"pin-source": tt.uri("object=k") + "&pin-source=file:" + pinFile,
		"pin-value":  tt.uri("object=k") + "&pin-value=" + wrong,
	} {
		_, err := OpenSigner(uri, tt.opts(wrong))
		if !errors.Is(err, ErrPINFinalTry) || !errors.Is(err, ErrPIN) || !strings.Contains(err.Error(), EnvPINFinalTry+"=1") || strings.Contains(err.Error(), wrong) {
			t.Fatalf("%s: %v, want ErrPINFinalTry naming %s=1 and not the PIN", name, err, EnvPINFinalTry)
		}
		t.Log(err)
		// Not tried: SoftHSM counts a wrong PIN with CKF_USER_PIN_COUNT_LOW.
		if tt.tokenFlagsNow().PINCountLow {
			t.Fatalf("%s: the PIN was tried", name)
		}
	}

	// Asked for: the PIN is tried, with a warning.
	var warnings []string
	opts := tt.opts(testPIN)
	env := opts.Getenv
	opts.Getenv = func(k string) string {
		if k == EnvPINFinalTry {
			return "1"
		}
		return env(k)
	}
	opts.Warn = func(m string) { warnings = append(warnings, m) }
	s, err := OpenSigner(tt.uri("object=k"), opts)
	if err != nil {
		t.Fatalf("%s=1: %v", EnvPINFinalTry, err)
	}
	s.Close()
	if len(warnings) != 1 || !strings.Contains(warnings[0], "one more wrong PIN locks") {
		t.Errorf("%s=1: warnings %q", EnvPINFinalTry, warnings)
	}

	// At the prompt: the warning comes first, then the prompt, then the PIN is tried.
	tt.setTokenFlags("rp", pkcs11.CKF_USER_PIN_FINAL_TRY) // a good login cleared it
	var events []string
	opts = tt.opts("")
	opts.Warn = func(m string) { events = append(events, "warn: "+m) }
	opts.PIN = func(TokenInfo) ([]byte, error) {
		events = append(events, "prompt")
		return []byte(testPIN), nil
	}
	s, err = OpenSigner(tt.uri("object=k"), opts)
	if err != nil {
		t.Fatalf("prompt: %v", err)
	}
	s.Close()
	if len(events) != 2 || !strings.Contains(events[0], "one more wrong PIN locks") || events[1] != "prompt" {
		t.Errorf("prompt: events %q, want the warning before the prompt", events)
	}
}

// TestPINLocked: a token whose user PIN is locked is reported before any PIN is read or
// tried, with an error wrapping ErrPINLocked (the CLI's exit code 5), whatever the PIN source.
func TestPINLocked(t *testing.T) {
	tt := mustSoftHSM(t, "rp")
	if _, err := GenerateKey(tt.uri("object=k"), ECP256, tt.opts(testPIN)); err != nil {
		t.Fatal(err)
	}
	tt.setTokenFlags("rp", pkcs11.CKF_USER_PIN_LOCKED)
	opts := tt.opts(testPIN)
	opts.PIN = func(TokenInfo) ([]byte, error) {
		t.Error("the PIN of a locked token was asked for")
		return []byte(testPIN), nil
	}
	_, err := OpenSigner(tt.uri("object=k"), opts)
	if !errors.Is(err, ErrPINLocked) || !errors.Is(err, ErrPIN) || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("locked token: %v, want ErrPINLocked", err)
	}
	t.Log(err)
}

// TestPINCountLowWarned: after a wrong PIN (SoftHSM sets CKF_USER_PIN_COUNT_LOW, as a card
// does when its counter has gone down), the next login warns before the PIN is tried that
// wrong PINs were entered and more lock the token.
func TestPINCountLowWarned(t *testing.T) {
	tt := mustSoftHSM(t, "rp")
	if _, err := GenerateKey(tt.uri("object=k"), ECP256, tt.opts(testPIN)); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenSigner(tt.uri("object=k"), tt.opts("0000")); !errors.Is(err, ErrPIN) {
		t.Fatalf("wrong PIN: %v", err)
	}
	if !tt.tokenFlagsNow().PINCountLow {
		t.Fatal("SoftHSM did not set CKF_USER_PIN_COUNT_LOW after a wrong PIN")
	}
	var warnings []string
	opts := tt.opts(testPIN)
	opts.Warn = func(m string) { warnings = append(warnings, m) }
	s, err := OpenSigner(tt.uri("object=k"), opts)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if len(warnings) != 1 || !strings.Contains(warnings[0], "wrong PIN") || !strings.Contains(warnings[0], `"rp"`) {
		t.Errorf("warnings %q, want one about the wrong PINs entered", warnings)
	}
	if tt.tokenFlagsNow().PINCountLow {
		t.Error("the right PIN did not clear CKF_USER_PIN_COUNT_LOW")
	}
}
