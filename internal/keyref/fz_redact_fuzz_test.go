package keyref

import (
	"testing"

	"github.com/signet-pki/signet/hsm"
)

// FuzzRedact holds Redact, which works on the text, to the parsers that read a reference:
// a pkcs11: URI whose pin-value hsm.ParseURI reads still parses once redacted, with the
// pin-value Redacted in place of the PIN; a file: reference that parses is left as it was.
//
//	go test -run '^$' -fuzz FuzzRedact -fuzztime 60s ./internal/keyref/
func FuzzRedact(f *testing.F) {
	for _, s := range []string{
		"pkcs11:token=t;object=k?pin-value=1234",
		"pkcs11:token=t;object=k?module-path=/m.so&pin-value=12%3B34",
		"PKCS11:token=t?pin-value=a?b;c&x-a=b",
		"pkcs11:token=t?pin-source=file:/run/pin",
		"pkcs11:token=t?x-pin-value=1",
		"file:k.key?passphrase-source=env:X",
		"file:///a/b?passphrase-source=file:%2Fp",
		"signer.key",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		red := Redact(ref)
		if u, err := hsm.ParseURI(ref); err == nil && u.PINValue != "" {
			r, err := hsm.ParseURI(red)
			if err != nil {
				t.Fatalf("Redact(%q) = %q does not parse: %v", ref, red, err)
			}
			if r.PINValue != Redacted {
				t.Fatalf("Redact(%q) = %q has pin-value %q", ref, red, r.PINValue)
			}
		}
		if IsFileURI(ref) {
			if fr, err := parseFileRef(ref); err == nil {
				if red != ref {
					t.Fatalf("Redact(%q) = %q changes a valid reference (%+v)", ref, red, fr)
				}
			}
		}
	})
}
