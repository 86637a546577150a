//go:build cgo

package hsm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"testing"

	"github.com/miekg/pkcs11"
)

// Probes of the security review (rh): each test pins a behaviour no other test pins.

// mustRelabelPublicKey makes the public key object of the pair with id from belong, by its
// CKA_ID and label, to the pair with id to, whose own public key object is destroyed: the
// token then holds a private key whose advertised public key is another key's, as a token
// written by a careless tool (or an attacker with write access) may.
func mustRelabelPublicKey(t *testing.T, tok *Token, from, to []byte, label string) {
	t.Helper()
	unlock, err := tok.session(true)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx := tok.mod.ctx
	find := func(id []byte) pkcs11.ObjectHandle {
		hs, err := tok.findHandles([]*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PUBLIC_KEY),
			pkcs11.NewAttribute(pkcs11.CKA_ID, id),
		})
		if err != nil || len(hs) != 1 {
			t.Fatalf("public key with id %x: %v handles, %v", id, len(hs), err)
		}
		return hs[0]
	}
	if err := ctx.DestroyObject(tok.sess, find(to)); err != nil {
		t.Fatal(err)
	}
	if err := ctx.SetAttributeValue(tok.sess, find(from), []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_ID, to),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
	}); err != nil {
		t.Fatal(err)
	}
}

// TestSignVerifiesTokenSignature: a signature the token returns is checked against the public
// key signet reports before it is handed out. Here the private key's public key object is
// another key's (a real SoftHSM token, its objects edited with C_SetAttributeValue), so every
// signature the token makes fails to verify with Public(); Sign must refuse it (ErrToken)
// rather than return a signature nobody can verify (and, for RSA, a faulty CRT signature
// that would give away the key's factors).
func TestSignVerifiesTokenSignature(t *testing.T) {
	tt := mustSoftHSM(t, "rh")
	for _, k := range []struct{ id, label string }{{"01", "a"}, {"02", "b"}} {
		tt.tool("--token-label", "rh", "--login", "--pin", "env:SIGNET_TEST_PIN", "--keypairgen",
			"--key-type", "EC:prime256v1", "--id", k.id, "--label", k.label)
	}
	tok := mustOpen(t, tt.uri(""), tt.opts(testPIN))
	mustRelabelPublicKey(t, tok, []byte{2}, []byte{1}, "a")

	s, err := tok.Signer(mustParse(t, tt.uri("object=a;id=%01")))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d := sha256.Sum256([]byte("release.tar"))
	sig, err := s.Sign(nil, d[:], crypto.SHA256)
	if err == nil {
		ok := ecdsa.VerifyASN1(s.Public().(*ecdsa.PublicKey), d[:], sig)
		t.Fatalf("Sign returned a signature (verifies with Public(): %v); want an error", ok)
	}
	t.Log(err)
	if !errors.Is(err, ErrToken) {
		t.Errorf("error %v does not wrap ErrToken", err)
	}
}

// TestPlanVerifies: the check Sign applies to a token's signature accepts the signature of
// the key itself, in each scheme Sign asks tokens for, and refuses another key's. Go's keys
// stand in for the token here; TestSignVerifiesTokenSignature covers the token end to end.
func TestPlanVerifies(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsaOther, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	ecOther, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	_, edOther, _ := ed25519.GenerateKey(rand.Reader)
	d256 := sha256.Sum256([]byte("m"))
	d512 := sha512.Sum512([]byte("m"))
	cases := []struct {
		name       string
		key, other crypto.Signer
		digest     []byte
		opts       crypto.SignerOpts
	}{
		{"rsa-pkcs1v15", rsaKey, rsaOther, d256[:], crypto.SHA256},
		{"rsa-pss", rsaKey, rsaOther, d512[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA512}},
		{"ecdsa", ecKey, ecOther, d256[:], crypto.SHA256},
		{"ed25519", edKey, edOther, []byte("message"), crypto.Hash(0)},
		{"ed25519ph", edKey, edOther, d512[:], &ed25519.Options{Hash: crypto.SHA512}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plan, err := planSignature(c.key.Public(), c.digest, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			sig, err := c.key.Sign(rand.Reader, c.digest, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !plan.verifies(c.key.Public(), sig) {
				t.Error("the key's own signature does not verify")
			}
			other, err := c.other.Sign(rand.Reader, c.digest, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if plan.verifies(c.key.Public(), other) {
				t.Error("another key's signature verifies")
			}
		})
	}
}
