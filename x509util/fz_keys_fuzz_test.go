package x509util

import (
	"errors"
	"strings"
	"testing"
)

// FuzzKeyReadings holds the three readers of a key file to one another: what DecodeKey
// reads first, ParsePrivateKey (a private key) or ParsePublicKey (a public key or
// certificate) reads too, as the same key; and no error of any of them repeats the
// passphrase.
//
//	go test -run '^$' -fuzz FuzzKeyReadings -fuzztime 60s ./x509util/
func FuzzKeyReadings(f *testing.F) {
	for _, s := range keyFuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pass := func() ([]byte, error) { return []byte(keyFuzzPass), nil }
		dk, errAny := DecodeKey(data, pass)
		priv, errPriv := ParsePrivateKey(data, pass)
		pub, errPub := ParsePublicKey(data)
		for _, err := range []error{errAny, errPriv, errPub} {
			if err != nil && strings.Contains(err.Error(), keyFuzzPass) {
				t.Fatalf("the error repeats the passphrase: %v", err)
			}
		}
		if errAny != nil {
			return
		}
		if dk.Signer != nil {
			if errPriv != nil {
				if errors.Is(errPriv, ErrUnsupported) && checkSigningKey(dk.Signer) != nil {
					return
				}
				t.Fatalf("DecodeKey read a private key, ParsePrivateKey: %v", errPriv)
			}
			if !PublicKeysEqual(priv.Public(), dk.Public) {
				t.Fatal("DecodeKey and ParsePrivateKey read different keys")
			}
			return
		}
		if errPub != nil {
			t.Fatalf("DecodeKey read a public key (%v), ParsePublicKey: %v", dk.Encoding, errPub)
		}
		if !PublicKeysEqual(pub, dk.Public) {
			t.Fatal("DecodeKey and ParsePublicKey read different keys")
		}
	})
}
