//go:build cgo

package hsm

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"github.com/miekg/pkcs11"
)

// TestPINPadPreferredToPrompt: a token with a PIN pad (CKF_PROTECTED_AUTHENTICATION_PATH)
// takes the PIN there when none was given before the run (pin-source, pin-value,
// SIGNET_PIN), as pkcs11-tool does: the terminal prompt (Options.PIN) is not asked, the user
// is told to use the pad before C_Login waits for it, and a failure names the pad. Before,
// the CLI's prompt counted as a PIN source, so a pad was never used. A PIN given before the
// run is still used. SoftHSM has no pad: its flag is written into the token file, and its
// C_Login refuses the empty PIN a pad login passes, which is what the test sees fail.
func TestPINPadPreferredToPrompt(t *testing.T) {
	tt := mustSoftHSM(t, "pad")
	if _, err := GenerateKey(tt.uri("object=k"), ECP256, tt.opts(testPIN)); err != nil {
		t.Fatal(err)
	}
	tt.setTokenFlags("pad", pkcs11.CKF_PROTECTED_AUTHENTICATION_PATH)
	if f := tt.tokenFlagsNow(); !f.ProtectedAuthPath {
		t.Fatalf("flags %+v, want the PIN pad flag", f)
	}

	prompted := false
	var warnings []string
	opts := tt.opts("")
	opts.PIN = func(TokenInfo) ([]byte, error) { prompted = true; return []byte(testPIN), nil }
	opts.Warn = func(m string) { warnings = append(warnings, m) }
	_, err := OpenSigner(tt.uri("object=k"), opts)
	if prompted {
		t.Fatal("the prompt was asked although the token has a PIN pad")
	}
	if !strings.Contains(strings.Join(warnings, "\n"), "enter the PIN on the reader's PIN pad") {
		t.Errorf("warnings %q: the user is not told to use the pad", warnings)
	}
	if err == nil || !strings.Contains(err.Error(), "PIN pad") {
		t.Fatalf("SoftHSM has no pad, so the pad login must fail, naming the pad: %v", err)
	}

	// A PIN given before the run is used, pad or not.
	s, err := OpenSigner(tt.uri("object=k"), tt.opts(testPIN))
	if err != nil {
		t.Fatalf("SIGNET_PIN beside a PIN pad: %v", err)
	}
	defer s.Close()
	d := sha256.Sum256([]byte("pad"))
	if _, err := s.Sign(rand.Reader, d[:], crypto.SHA256); err != nil {
		t.Fatal(err)
	}
}

// TestPublicURIRefusedBeforeLogin: a type=public or type=cert URI given where a private key
// is needed (sign --key, pasted from p11tool) is refused before any PIN is read: the prompt
// was asked, and the PIN tried, before "selects a private key".
func TestPublicURIRefusedBeforeLogin(t *testing.T) {
	tt := mustSoftHSM(t, "pubsign")
	if _, err := GenerateKey(tt.uri("object=k"), ECP256, tt.opts(testPIN)); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"public", "cert"} {
		prompted := false
		opts := tt.opts("")
		opts.PIN = func(TokenInfo) ([]byte, error) { prompted = true; return []byte(testPIN), nil }
		_, err := OpenSigner(tt.uri("object=k;type="+typ), opts)
		if err == nil || !errors.Is(err, ErrInvalidURI) && !strings.Contains(err.Error(), "private key") {
			t.Errorf("type=%s: %v, want the refusal of a reference that cannot sign", typ, err)
		}
		if prompted {
			t.Errorf("type=%s: the PIN was asked for before the refusal", typ)
		}
	}
}
