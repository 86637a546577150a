package hsm_test

import (
	"crypto"
	"crypto/sha256"
	"fmt"

	"github.com/signet-pki/signet/hsm"
)

func ExampleParseURI() {
	u, err := hsm.ParseURI("pkcs11:token=My%20Token;object=release;id=%01;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=1234")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("token %q, key %q, id %x\n", u.Token, u.Object, u.ID)
	fmt.Println(u.Warnings()[0][:40])
	// String is canonical and never shows the PIN.
	fmt.Println(u)
	// Output:
	// token "My Token", key "release", id 01
	// the URI holds the PIN in pin-value, wher
	// pkcs11:token=My%20Token;object=release;id=%01;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so
}

func ExampleOpenSigner() {
	// The PIN comes from $SIGNET_PIN here; the CLI adds a terminal prompt via Options.PIN.
	s, err := hsm.OpenSigner("pkcs11:token=signet;object=release?module-path=/usr/lib/softhsm/libsofthsm2.so", hsm.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close() // logs out and finalises the module
	digest := sha256.Sum256([]byte("hello"))
	sig, err := s.Sign(nil, digest[:], crypto.SHA256)
	fmt.Println(len(sig) > 0, err)
}
