package sign

import (
	"slices"
	"testing"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/sigformat"
)

// TestCheckOptionsAgreesWithNewSigner: every option set CheckOptions refuses, NewSigner
// refuses for every key type, and for an RSA key (which no key-dependent rule refuses before
// these) with the same words, so a command that checks early says what it would have said
// after opening the key; an option set it lets through is one that some key can sign with.
// DigestSizes holds the size NewSigner settles on.
func TestCheckOptionsAgreesWithNewSigner(t *testing.T) {
	keys := []string{"p256", "rsa2048", "ed25519"}
	for _, f := range []sigformat.Format{"", sigformat.Raw, sigformat.CMS, sigformat.Bundle, "pgp"} {
		for _, a := range []digest.Algorithm{0, digest.SHA256, digest.SHA384, digest.SHA512, digest.SHA3_512} {
			for _, pss := range []bool{false, true} {
				for _, b64 := range []bool{false, true} {
					opts := SignOptions{Format: f, Algorithm: a, PSS: pss, Base64: b64}
					early := CheckOptions(opts)
					anyOK := false
					for _, k := range keys {
						s, err := NewSigner(mustKey(t, k), opts)
						if early != nil && (err == nil || k == "rsa2048" && err.Error() != early.Error()) {
							t.Errorf("%+v, %s key: CheckOptions says %q, NewSigner %v", opts, k, early, err)
						}
						if err == nil {
							anyOK = true
							if !slices.Contains(DigestSizes(opts), s.Algorithm().Size()) {
								t.Errorf("%+v, %s key: signs with %s, not among DigestSizes %v", opts, k, s.Algorithm(), DigestSizes(opts))
							}
						}
					}
					// CMS needs a certificate, which these options lack: no key signs them.
					if early == nil && !anyOK && f != sigformat.CMS {
						t.Errorf("%+v: CheckOptions lets it through, no key signs with it", opts)
					}
				}
			}
		}
	}
}
