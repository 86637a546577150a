package hsm

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/miekg/pkcs11"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseECParams(t *testing.T) {
	cases := []struct {
		hex  string
		name string
		kind keyKind
		err  bool
	}{
		{"06082a8648ce3d030107", "P-256", kindEC, false},
		{"06052b81040022", "P-384", kindEC, false},
		{"06052b81040023", "P-521", kindEC, false},
		{"06032b6570", "Ed25519", kindEd25519, false},
		{"130c656477617264733235353139", "Ed25519", kindEd25519, false}, // PrintableString "edwards25519", as pkcs11-tool writes
		{"06032b6571", "Ed448", kindUnknown, false},
		{"06052b8104000a", "OID 1.3.132.0.10", kindUnknown, true}, // secp256k1
		{"13086375727665323535", "curve255", kindUnknown, true},
		{"0500", "", kindUnknown, true},
		{"", "", kindUnknown, true},
	}
	for _, c := range cases {
		ci, err := parseECParams(mustHex(t, c.hex))
		if (err != nil) != c.err || ci.name != c.name || ci.kind != c.kind {
			t.Errorf("parseECParams(%s) = %+v, %v", c.hex, ci, err)
		}
	}
	for _, kt := range []KeyType{ECP256, ECP384, ECP521, Ed25519} {
		ci, err := parseECParams(ecParams(kt))
		if err != nil || ci.kind == kindUnknown {
			t.Errorf("ecParams(%s) does not parse back: %v", kt, err)
		}
	}
}

func TestECPublicKey(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	point, err := k.PublicKey.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	wrapped, _ := asn1.Marshal(point)
	for name, p := range map[string][]byte{"DER OCTET STRING": wrapped, "bare": point} {
		pub, err := ecPublicKey(ecParams(ECP256), p)
		if err != nil || !k.PublicKey.Equal(pub) {
			t.Errorf("%s point: %v, %v", name, pub, err)
		}
	}
	if _, err := ecPublicKey(ecParams(ECP256), point[:40]); err == nil {
		t.Error("a truncated point was accepted")
	}
	bad := bytes.Clone(point)
	bad[10] ^= 1
	if _, err := ecPublicKey(ecParams(ECP256), bad); err == nil {
		t.Error("a point off the curve was accepted")
	}

	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	edWrapped, _ := asn1.Marshal([]byte(edPub))
	printable := mustHex(t, "130c656477617264733235353139")
	for name, p := range map[string][]byte{"DER OCTET STRING": edWrapped, "bare": edPub} {
		pub, err := ecPublicKey(printable, p)
		if err != nil || !edPub.Equal(pub) {
			t.Errorf("Ed25519 %s point: %v, %v", name, pub, err)
		}
	}
}

func TestRSAPublicKey(t *testing.T) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := rsaPublicKey(k.N.Bytes(), big.NewInt(int64(k.E)).Bytes())
	if err != nil || !k.PublicKey.Equal(pub) {
		t.Errorf("rsaPublicKey: %v", err)
	}
	if _, err := rsaPublicKey(k.N.Bytes(), []byte{2}); err == nil {
		t.Error("even exponent accepted")
	}
	if _, err := rsaPublicKey([]byte{1, 2, 3}, []byte{3}); err == nil {
		t.Error("tiny modulus accepted")
	}
}

func TestECDSADER(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	d := sha256.Sum256([]byte("m"))
	r, s, err := ecdsa.Sign(rand.Reader, k, d[:])
	if err != nil {
		t.Fatal(err)
	}
	raw := append(r.FillBytes(make([]byte, 48)), s.FillBytes(make([]byte, 48))...)
	der, err := ecdsaDER(raw, 48)
	if err != nil {
		t.Fatal(err)
	}
	if !ecdsa.VerifyASN1(&k.PublicKey, d[:], der) {
		t.Error("re-encoded signature does not verify")
	}
	// Leading zeros in r and s must become minimal DER INTEGERs.
	small := append(make([]byte, 31), 1)
	der, err = ecdsaDER(append(bytes.Clone(small), small...), 32)
	if err != nil || !bytes.Equal(der, mustHex(t, "3006020101020101")) {
		t.Errorf("ecdsaDER(1, 1) = %x, %v", der, err)
	}
	high := append([]byte{0x80}, make([]byte, 31)...)
	der, err = ecdsaDER(append(bytes.Clone(high), high...), 32)
	if err != nil || der[3] != 0x21 || der[4] != 0 {
		t.Errorf("ecdsaDER of a high r lacks the sign byte: %x, %v", der, err)
	}
	if _, err := ecdsaDER(raw[:95], 48); !errors.Is(err, ErrToken) {
		t.Errorf("odd length: %v", err)
	}
	if _, err := ecdsaDER(make([]byte, 64), 32); !errors.Is(err, ErrToken) {
		t.Errorf("zero r: %v", err)
	}
}

func TestPlanSignature(t *testing.T) {
	rsaKey := &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 2047), E: 65537}
	ecKey := &ecdsa.PublicKey{Curve: elliptic.P521()}
	edKey := make(ed25519.PublicKey, 32)
	d32, d48, d64 := make([]byte, 32), make([]byte, 48), make([]byte, 64)
	cases := []struct {
		name   string
		pub    crypto.PublicKey
		digest []byte
		opts   crypto.SignerOpts
		mech   uint
		salt   uint
		input  int
		err    bool
	}{
		{"rsa sha256", rsaKey, d32, crypto.SHA256, pkcs11.CKM_RSA_PKCS, 0, 19 + 32, false},
		{"rsa sha512", rsaKey, d64, crypto.SHA512, pkcs11.CKM_RSA_PKCS, 0, 19 + 64, false},
		{"rsa sha3-256", rsaKey, d32, crypto.SHA3_256, pkcs11.CKM_RSA_PKCS, 0, 19 + 32, false},
		{"rsa wrong length", rsaKey, d32, crypto.SHA384, 0, 0, 0, true},
		{"rsa no hash", rsaKey, d32, crypto.Hash(0), 0, 0, 0, true},
		{"rsa md5", rsaKey, make([]byte, 16), crypto.MD5, 0, 0, 0, true},
		{"pss equals hash", rsaKey, d32, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}, pkcs11.CKM_RSA_PKCS_PSS, 32, 32, false},
		{"pss auto", rsaKey, d48, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto, Hash: crypto.SHA384}, pkcs11.CKM_RSA_PKCS_PSS, 48, 48, false},
		{"pss explicit", rsaKey, d64, &rsa.PSSOptions{SaltLength: 7, Hash: crypto.SHA512}, pkcs11.CKM_RSA_PKCS_PSS, 7, 64, false},
		{"pss max salt", rsaKey, d32, &rsa.PSSOptions{SaltLength: 256 - 32 - 2, Hash: crypto.SHA256}, pkcs11.CKM_RSA_PKCS_PSS, 222, 32, false},
		{"pss salt too long", rsaKey, d32, &rsa.PSSOptions{SaltLength: 256 - 32 - 1, Hash: crypto.SHA256}, 0, 0, 0, true},
		{"pss negative salt", rsaKey, d32, &rsa.PSSOptions{SaltLength: -3, Hash: crypto.SHA256}, 0, 0, 0, true},
		{"ecdsa sha256", ecKey, d32, crypto.SHA256, pkcs11.CKM_ECDSA, 0, 32, false},
		{"ecdsa prehashed any length", ecKey, d48, crypto.Hash(0), pkcs11.CKM_ECDSA, 0, 48, false},
		{"ecdsa wrong length", ecKey, d48, crypto.SHA256, 0, 0, 0, true},
		{"ed25519", edKey, []byte("message"), crypto.Hash(0), CKM_EDDSA, 0, 7, false},
		{"ed25519 options", edKey, []byte("message"), &ed25519.Options{}, CKM_EDDSA, 0, 7, false},
		{"ed25519ph", edKey, d64, crypto.SHA512, CKM_EDDSA, 0, 64, false},
		{"ed25519ph options", edKey, d64, &ed25519.Options{Hash: crypto.SHA512}, CKM_EDDSA, 0, 64, false},
		{"ed25519ph wrong length", edKey, d32, crypto.SHA512, 0, 0, 0, true},
		{"ed25519 sha256", edKey, d32, crypto.SHA256, 0, 0, 0, true},
		{"ed25519ctx", edKey, []byte("m"), &ed25519.Options{Context: "x"}, 0, 0, 0, true},
		{"ed25519ph with context", edKey, d64, &ed25519.Options{Hash: crypto.SHA512, Context: "x"}, 0, 0, 0, true},
		{"nil opts", ecKey, d32, nil, 0, 0, 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := planSignature(c.pub, c.digest, c.opts)
			if c.err {
				if !errors.Is(err, ErrUnsupportedKey) {
					t.Errorf("planSignature = %+v, %v; want ErrUnsupportedKey", p, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.mech != c.mech || p.pssSalt != c.salt || len(p.input) != c.input {
				t.Errorf("plan %+v", p)
			}
			if c.mech == pkcs11.CKM_ECDSA && p.ecdsaSize != 66 {
				t.Errorf("P-521 r and s size %d, want 66", p.ecdsaSize)
			}
			if wantPh := c.opts.HashFunc() == crypto.SHA512 && c.mech == CKM_EDDSA; p.ed25519ph != wantPh {
				t.Errorf("ed25519ph %v, want %v", p.ed25519ph, wantPh)
			}
		})
	}
	// The PKCS#1 v1.5 input is the DigestInfo that Go's own signer would produce.
	p, _ := planSignature(rsaKey, d32, crypto.SHA256)
	if !bytes.HasPrefix(p.input, mustHex(t, "3031300d060960864801650304020105000420")) {
		t.Errorf("SHA-256 DigestInfo %x", p.input)
	}
}

// TestCheckEd25519ph: what a token returns for Ed25519ph is checked. A pure Ed25519 signature
// over the digest (what a token that ignores phFlag makes: SoftHSM 2.6.1) is refused as the
// limitation it is (ErrUnsupportedKey), anything else that does not verify as a token fault.
func TestCheckEd25519ph(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	d := make([]byte, 64)
	rand.Read(d)
	ph, err := priv.Sign(nil, d, crypto.SHA512)
	if err != nil {
		t.Fatal(err)
	}
	pure := ed25519.Sign(priv, d)
	if err := checkEd25519ph(pub, "t", d, ph); err != nil {
		t.Fatalf("a good Ed25519ph signature: %v", err)
	}
	err = checkEd25519ph(pub, "t", d, pure)
	if !errors.Is(err, ErrUnsupportedKey) || !strings.Contains(err.Error(), "phFlag") {
		t.Fatalf("pure Ed25519 over the digest: %v, want ErrUnsupportedKey naming phFlag", err)
	}
	bad := bytes.Clone(ph)
	bad[3] ^= 1
	err = checkEd25519ph(pub, "t", d, bad)
	if !errors.Is(err, ErrToken) || errors.Is(err, ErrUnsupportedKey) {
		t.Fatalf("a damaged signature: %v, want ErrToken alone", err)
	}
}

func TestLoginFailure(t *testing.T) {
	ti := TokenInfo{Label: "card", MinPINLen: 4, MaxPINLen: 8}
	cause := errors.New("pkcs11: CKR_X")
	cases := []struct {
		code   uint
		after  TokenFlags
		target error
		want   string
	}{
		{pkcs11.CKR_PIN_INCORRECT, TokenFlags{PINCountLow: true}, ErrPIN, `token "card": wrong PIN (from $SIGNET_PIN)`},
		{pkcs11.CKR_PIN_INCORRECT, TokenFlags{PINFinalTry: true}, ErrPIN, "wrong PIN (from $SIGNET_PIN); the token will lock after one more wrong try"},
		{pkcs11.CKR_PIN_INCORRECT, TokenFlags{PINLocked: true}, ErrPINLocked, "the PIN is now locked"},
		{pkcs11.CKR_PIN_LOCKED, TokenFlags{}, ErrPINLocked, "the user PIN is locked"},
		{pkcs11.CKR_PIN_LEN_RANGE, TokenFlags{}, ErrPIN, "it takes 4 to 8 characters"},
		{pkcs11.CKR_PIN_INVALID, TokenFlags{}, ErrPIN, "characters the token refuses"},
		{pkcs11.CKR_PIN_EXPIRED, TokenFlags{}, ErrPIN, "expired"},
		{pkcs11.CKR_USER_PIN_NOT_INITIALIZED, TokenFlags{}, ErrPIN, "no user PIN"},
		{pkcs11.CKR_DEVICE_REMOVED, TokenFlags{}, ErrToken, "log in"},
	}
	for _, c := range cases {
		err := loginFailure(c.code, cause, ti, "$SIGNET_PIN", c.after)
		if !errors.Is(err, c.target) || !errors.Is(err, ErrToken) || !errors.Is(err, cause) {
			t.Errorf("0x%x: %v does not wrap %v, ErrToken and the cause", c.code, err, c.target)
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("0x%x: %q does not contain %q", c.code, err, c.want)
		}
	}
	if err := loginFailure(pkcs11.CKR_PIN_LOCKED, cause, ti, "x", TokenFlags{}); !errors.Is(err, ErrPIN) {
		t.Error("ErrPINLocked does not wrap ErrPIN")
	}
}

func TestReadPIN(t *testing.T) {
	dir := t.TempDir()
	o := Options{Getenv: func(k string) string {
		if k == EnvPIN {
			return "env-pin"
		}
		return ""
	}}
	got, err := o.readPIN(mustParseURI(t, "pkcs11:?pin-value=uri-pin"), TokenInfo{})
	if err != nil || string(got) != "uri-pin" {
		t.Errorf("pin-value: %q, %v", got, err)
	}
	got, err = o.readPIN(mustParseURI(t, "pkcs11:"), TokenInfo{})
	if err != nil || string(got) != "env-pin" {
		t.Errorf("env: %q, %v", got, err)
	}
	_, err = o.readPIN(mustParseURI(t, "pkcs11:?pin-source=file:"+dir+"/missing"), TokenInfo{Label: "L"})
	if !errors.Is(err, ErrPIN) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing pin-source: %v", err)
	}
	o.Getenv = func(string) string { return "" }
	o.PIN = func(TokenInfo) ([]byte, error) { return nil, errors.New("no terminal") }
	_, err = o.readPIN(mustParseURI(t, "pkcs11:"), TokenInfo{Label: "L"})
	if !errors.Is(err, ErrPIN) || !strings.Contains(err.Error(), "no terminal") {
		t.Errorf("callback error: %v", err)
	}
}
