package verify_test

import (
	"crypto"
	"errors"
	"io/fs"
	"testing"

	"github.com/signet-pki/signet/sign"
	"github.com/signet-pki/signet/verify"
)

// LoadSignature's failures are told apart by sentinels, never by their text: the CLI's hints
// depend on them (issue 10: "no signature found" and "named as" were matched in messages).
// Each sentinel also matches the general error it is a case of, which the exit codes use.
func TestLoadSignatureSentinels(t *testing.T) {
	dir := t.TempDir()
	art := writeFile(t, dir, "art.tar.gz", "release contents\n")
	raw := rawSign(t, mustSigner(t, "codesign.key"), crypto.SHA256, false, []byte("release contents\n"))
	misnamed := writeFile(t, dir, "raw.p7s", string(raw))

	_, _, err := verify.LoadSignature(art, "")
	if !errors.Is(err, verify.ErrNoSignature) || !errors.Is(err, fs.ErrNotExist) || errors.Is(err, verify.ErrMisnamedSignature) {
		t.Errorf("no signature: %v", err)
	}
	_, _, err = verify.LoadSignature(art, misnamed)
	if !errors.Is(err, verify.ErrMisnamedSignature) || !errors.Is(err, sign.ErrMalformedSignature) || errors.Is(err, verify.ErrNoSignature) {
		t.Errorf("misnamed: %v", err)
	}
	// A signature named explicitly that does not exist is not "no signature found".
	_, _, err = verify.LoadSignature(art, art+".missing")
	if !errors.Is(err, fs.ErrNotExist) || errors.Is(err, verify.ErrNoSignature) {
		t.Errorf("missing --sig: %v", err)
	}
}
