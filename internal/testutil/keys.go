package testutil

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"sync"
	"testing"
)

// keys holds the test binary's keys, made once each: RSA generation is slow and tests need
// distinct keys, not fresh ones.
var keys struct {
	sync.Mutex
	m map[string]crypto.Signer
}

// Key returns the test binary's key named name: a type (p256, p384, p521, rsa2048, rsa3072,
// rsa4096, ed25519), optionally followed by "/" and a label for a second key of that type
// ("p256/b"). The same name gives the same key for the whole run.
func Key(t testing.TB, name string) crypto.Signer {
	t.Helper()
	keys.Lock()
	defer keys.Unlock()
	if k, ok := keys.m[name]; ok {
		return k
	}
	typ, _, _ := strings.Cut(name, "/")
	var k crypto.Signer
	var err error
	switch typ {
	case "p256":
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "p384":
		k, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "p521":
		k, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case "rsa2048":
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	case "rsa3072":
		k, err = rsa.GenerateKey(rand.Reader, 3072)
	case "rsa4096":
		k, err = rsa.GenerateKey(rand.Reader, 4096)
	case "ed25519":
		_, k, err = ed25519.GenerateKey(rand.Reader)
	default:
		t.Fatalf("testutil.Key: unknown key type %q", typ)
	}
	if err != nil {
		t.Fatal(err)
	}
	if keys.m == nil {
		keys.m = map[string]crypto.Signer{}
	}
	keys.m[name] = k
	return k
}
