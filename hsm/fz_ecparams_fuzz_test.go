package hsm

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"strings"
	"testing"
)

// FuzzECPublicKey: CKA_EC_PARAMS and CKA_EC_POINT, as a token returns them (any module,
// any bytes), make a public key or an error, never a panic; a key made has the point given
// (bare or in its OCTET STRING) and the curve the parameters name, and an error is one line.
//
//	go test -run '^$' -fuzz FuzzECPublicKey -fuzztime 60s ./hsm/
func FuzzECPublicKey(f *testing.F) {
	for _, kt := range []KeyType{ECP256, ECP384, ECP521, Ed25519} {
		f.Add(ecParams(kt), []byte{0x04, 0x01, 0x04})
	}
	f.Add([]byte{0x13, 0x0c, 'e', 'd', 'w', 'a', 'r', 'd', 's', '2', '5', '5', '1', '9'}, bytes.Repeat([]byte{1}, 32))
	f.Add([]byte{0x13, 0x0a, 'e', 'd', 'w', 'a', 'r', 'd', 's', '4', '4', '8'}, bytes.Repeat([]byte{1}, 57))
	f.Fuzz(func(t *testing.T, params, point []byte) {
		pub, err := ecPublicKey(params, point)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error of more than one line: %q", err)
			}
			return
		}
		ci, err := parseECParams(params)
		if err != nil {
			t.Fatalf("a key from parameters parseECParams refuses: %v", err)
		}
		switch k := pub.(type) {
		case *ecdsa.PublicKey:
			raw, err := k.Bytes()
			if err != nil || ci.curve != k.Curve || !bytes.Equal(raw, point) && !bytes.HasSuffix(point, raw) {
				t.Fatalf("%s key %x from point %x (%v)", ci.name, raw, point, err)
			}
		case ed25519.PublicKey:
			if ci.kind != kindEd25519 || !bytes.HasSuffix(point, k) {
				t.Fatalf("%s key %x from point %x", ci.name, []byte(k), point)
			}
		default:
			t.Fatalf("a %T key", pub)
		}
		if typ, _, _ := describePublic(pub); typ == "" {
			t.Fatalf("describePublic knows no %T", pub)
		}
	})
}
