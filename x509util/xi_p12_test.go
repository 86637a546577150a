package x509util

import (
	"crypto/x509/pkix"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// TestP12EmptyPassphraseIsAChoice: EncodeP12 with an empty or nil passphrase wrote a file
// under the empty password, which anyone reads: a key in the clear, by a slip (an empty
// variable, a nil slice). It is refused now (ErrEmptyPassphrase) unless NoPassphrase says
// so, and NoPassphrase with a passphrase is refused too; the file NoPassphrase writes is one
// openssl reads with -passin pass: and ParseP12 without asking.
func TestP12EmptyPassphraseIsAChoice(t *testing.T) {
	key := issueTestKey(t, "p256")
	leaf := mustIssue(t, IssueRequest{Profile: ProfileRootCA, Subject: pkix.Name{CommonName: "xi p12"}, PublicKey: key.Public(), IssuerKey: key})
	for _, pw := range [][]byte{nil, {}} {
		for _, legacy := range []bool{false, true} {
			if _, err := EncodeP12(key, leaf, nil, pw, P12Options{Legacy: legacy}); !errors.Is(err, ErrEmptyPassphrase) {
				t.Errorf("EncodeP12(passphrase %q, legacy %v) = %v, want ErrEmptyPassphrase", pw, legacy, err)
			}
		}
	}
	if _, err := EncodeP12(key, leaf, nil, []byte("pw"), P12Options{NoPassphrase: true}); !errors.Is(err, ErrEmptyPassphrase) {
		t.Errorf("NoPassphrase with a passphrase: %v, want ErrEmptyPassphrase", err)
	}
	openssl := testutil.RequireTool(t, "openssl")
	for _, legacy := range []bool{false, true} {
		der, err := EncodeP12(key, leaf, nil, nil, P12Options{Legacy: legacy, NoPassphrase: true})
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), "nopass.p12")
		if err := os.WriteFile(p, der, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, errOut, err := testutil.RunErr(openssl, "pkcs12", "-in", p, "-info", "-noout", "-passin", "pass:"); err != nil {
			t.Fatalf("openssl cannot read NoPassphrase's file (legacy %v): %v %s", legacy, err, errOut)
		}
		got, err := ParseP12(der, func() ([]byte, error) { t.Error("asked for a passphrase"); return nil, nil })
		if err != nil || got.Certificate == nil || !got.Certificate.Equal(leaf) {
			t.Fatalf("ParseP12: %v", err)
		}
	}
}
