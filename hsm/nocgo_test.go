//go:build !cgo

package hsm

import (
	"errors"
	"strings"
	"testing"
)

// TestNoCgo checks that a build without cgo parses URIs and answers every token operation
// with "built without PKCS#11 support".
func TestNoCgo(t *testing.T) {
	const uri = "pkcs11:token=t;object=k?module-path=/usr/lib/softhsm/libsofthsm2.so"
	checks := map[string]error{}
	_, checks["Open"] = Open(uri, Options{})
	_, checks["OpenSigner"] = OpenSigner(uri, Options{})
	_, _, checks["ListTokens"] = ListTokens("", Options{})
	_, checks["ListObjects"] = ListObjects(uri, Options{})
	_, checks["GenerateKey"] = GenerateKey(uri, ECP256, Options{})
	_, checks["Delete"] = Delete(uri, Options{})
	_, _, checks["Mechanisms"] = Mechanisms(uri, Options{})
	_, checks["ImportCertificate"] = ImportCertificate(uri, nil, Options{})
	for name, err := range checks {
		if !errors.Is(err, ErrNotSupported) || !errors.Is(err, ErrToken) {
			t.Errorf("%s: %v, want ErrNotSupported", name, err)
		}
		if err != nil && !strings.Contains(err.Error(), "built without PKCS#11 support") {
			t.Errorf("%s: %q", name, err)
		}
	}
	if _, err := Open("pkcs11:tokn=x", Options{}); !errors.Is(err, ErrInvalidURI) {
		t.Errorf("a bad URI: %v, want ErrInvalidURI", err)
	}
}
