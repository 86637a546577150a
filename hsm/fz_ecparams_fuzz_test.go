package hsm

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/asn1"
	"strings"
	"testing"
)

// FuzzECPublicKey: CKA_EC_PARAMS and CKA_EC_POINT, as a token returns them (any module,
// any bytes), make a public key or an error, never a panic; a key made has the point given
// (bare or in its OCTET STRING) and the curve the parameters name, and an error is one line.
//
//	go test -run '^$' -fuzz FuzzECPublicKey -fuzztime 60s ./hsm/
func FuzzECPublicKey(f *testing.F) {
	for kt, c := range map[KeyType]elliptic.Curve{ECP256: elliptic.P256(), ECP384: elliptic.P384(), ECP521: elliptic.P521()} {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			f.Fatal(err)
		}
		point, _ := k.PublicKey.Bytes()
		wrapped, _ := asn1.Marshal(point)
		f.Add(ecParams(kt), point)
		f.Add(ecParams(kt), wrapped)
	}
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	edWrapped, _ := asn1.Marshal([]byte(edPub))
	f.Add(ecParams(Ed25519), []byte(edPub))
	f.Add(ecParams(Ed25519), edWrapped)
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
