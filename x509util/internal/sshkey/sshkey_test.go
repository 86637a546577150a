package sshkey

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/ssh"
)

type equaler interface{ Equal(crypto.PublicKey) bool }

// testKeys are keys of every type ParsePublicKey reads, and a 1024-bit RSA key (small, for
// speed: this package does not judge key sizes).
func testKeys(t testing.TB) []crypto.Signer {
	t.Helper()
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	keys := []crypto.Signer{ed}
	for _, c := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	r, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	return append(keys, r)
}

// TestPublicKeysAsXCryptoSSH: the blob x/crypto/ssh writes of each key reads back as that key.
func TestPublicKeysAsXCryptoSSH(t *testing.T) {
	for _, k := range testKeys(t) {
		sp, err := ssh.NewPublicKey(k.Public())
		if err != nil {
			t.Fatal(err)
		}
		pub, typ, err := ParsePublicKey(sp.Marshal())
		if err != nil || typ != sp.Type() || !pub.(equaler).Equal(k.Public()) {
			t.Errorf("%s: ParsePublicKey = %T, %q, %v", sp.Type(), pub, typ, err)
		}
		// A byte more, a byte less: refused, as x/crypto/ssh refuses them.
		blob := sp.Marshal()
		for _, b := range [][]byte{append(bytes.Clone(blob), 0), blob[:len(blob)-1]} {
			if _, _, err := ParsePublicKey(b); err == nil {
				t.Errorf("%s: a blob of %d bytes for %d accepted", sp.Type(), len(b), len(blob))
			}
		}
	}
}

// TestPublicKeyRefusals: what x/crypto/ssh refuses of the types read here, and the types not
// read here, named.
func TestPublicKeyRefusals(t *testing.T) {
	str := func(b []byte) []byte { return append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	q256, _ := p256.PublicKey.Bytes()
	for _, tc := range []struct {
		what string
		blob []byte
		typ  string // set for an *UnsupportedTypeError of that type
	}{
		{"even RSA exponent", cat(str([]byte(TypeRSA)), str([]byte{1, 0, 0}), str([]byte{0x7f, 1})), ""},
		{"RSA exponent 1", cat(str([]byte(TypeRSA)), str([]byte{1}), str([]byte{0x7f, 1})), ""},
		{"RSA exponent over 2^24", cat(str([]byte(TypeRSA)), str([]byte{1, 0, 0, 1}), str([]byte{0x7f, 1})), ""},
		{"negative RSA modulus", cat(str([]byte(TypeRSA)), str([]byte{1, 0, 1}), str([]byte{0x80, 1})), ""},
		{"RSA modulus over 16384 bits", cat(str([]byte(TypeRSA)), str([]byte{1, 0, 1}), str(append([]byte{0x7f}, make([]byte, 2048)...))), ""},
		{"Ed25519 key of 31 bytes", cat(str([]byte(TypeEd25519)), str(make([]byte, 31))), ""},
		{"P-256 point under the P-384 type", cat(str([]byte(TypeECDSAP384)), str([]byte("nistp384")), str(q256)), ""},
		{"curve name not the type's", cat(str([]byte(TypeECDSAP256)), str([]byte("nistp384")), str(q256)), ""},
		{"point off the curve", cat(str([]byte(TypeECDSAP256)), str([]byte("nistp256")), str(append(bytes.Clone(q256[:64]), q256[64]^1))), ""},
		{"truncated", []byte{0, 0, 0, 7, 's', 's', 'h'}, ""},
		{"DSA", cat(str([]byte("ssh-dss")), make([]byte, 40)), "ssh-dss"},
		{"security key", cat(str([]byte("sk-ssh-ed25519@openssh.com")), str(make([]byte, 32))), "sk-ssh-ed25519@openssh.com"},
		{"certificate", cat(str([]byte("ssh-ed25519-cert-v01@openssh.com")), str(make([]byte, 32))), "ssh-ed25519-cert-v01@openssh.com"},
	} {
		_, _, err := ParsePublicKey(tc.blob)
		var u *UnsupportedTypeError
		switch {
		case err == nil:
			t.Errorf("%s: accepted", tc.what)
		case tc.typ != "" && (!errors.As(err, &u) || u.Type != tc.typ || u.Certificate != (tc.what == "certificate")):
			t.Errorf("%s: %v, want an UnsupportedTypeError for %s", tc.what, err, tc.typ)
		case tc.typ == "" && errors.As(err, &u):
			t.Errorf("%s: %v, want a malformed key", tc.what, err)
		}
		if tc.typ == "" && tc.what != "negative RSA modulus" { // x/crypto/ssh reads it, negative
			if _, sshErr := ssh.ParsePublicKey(tc.blob); sshErr == nil {
				t.Errorf("%s: x/crypto/ssh accepts it", tc.what)
			}
		}
	}
}

// section decrypts the private section of an openssh-key-v1 PEM block with passphrase (nil
// for a key in the clear), as x509util's reader does.
func section(t testing.TB, block *pem.Block, passphrase []byte) ([]byte, bool) {
	t.Helper()
	s := cryptobyte.String(block.Bytes[len("openssh-key-v1\x00"):])
	var cipherName, kdfName, kdfOpts, pubBlob, priv []byte
	var n uint32
	if !ReadString(&s, &cipherName) || !ReadString(&s, &kdfName) || !ReadString(&s, &kdfOpts) || !s.ReadUint32(&n) || !ReadString(&s, &pubBlob) || !ReadString(&s, &priv) {
		t.Fatal("malformed container")
	}
	if passphrase == nil {
		return priv, false
	}
	o := cryptobyte.String(kdfOpts)
	var salt []byte
	var rounds uint32
	if !ReadString(&o, &salt) || !o.ReadUint32(&rounds) {
		t.Fatal("malformed KDF options")
	}
	keyIV, err := BcryptPBKDF(passphrase, salt, int(rounds), 48)
	if err != nil {
		t.Fatal(err)
	}
	priv = bytes.Clone(priv)
	if err := Decrypt(string(cipherName), keyIV, priv); err != nil {
		t.Fatal(err)
	}
	return priv, true
}

// TestPrivateKeysAsXCryptoSSH: keys x/crypto/ssh writes, in the clear and encrypted (bcrypt
// with its salt and 16 rounds: each key is a new derivation, against x/crypto/ssh's own
// bcrypt_pbkdf), read back as the same keys; a wrong passphrase is ErrIncorrectPassphrase.
func TestPrivateKeysAsXCryptoSSH(t *testing.T) {
	// bcrypt-pbkdf at 16 rounds takes seconds under the race detector: every key in the
	// clear, and three derivations (one of them wrong) over two key types.
	for i, k := range testKeys(t) {
		passes := [][]byte{nil}
		switch i {
		case 0: // Ed25519
			passes = append(passes, []byte("pässphrase"), bytes.Repeat([]byte("long "), 30))
		case 2: // P-384
			passes = append(passes, []byte("x"))
		}
		for _, pass := range passes {
			var block *pem.Block
			var err error
			if pass == nil {
				block, err = ssh.MarshalPrivateKey(k, "comment")
			} else {
				block, err = ssh.MarshalPrivateKeyWithPassphrase(k, "comment", pass)
			}
			if err != nil {
				t.Fatal(err)
			}
			sec, encrypted := section(t, block, pass)
			got, err := ParsePrivate(sec, encrypted)
			if err != nil {
				t.Fatalf("%T, passphrase %q: %v", k, pass, err)
			}
			if !got.Public().(equaler).Equal(k.Public()) || !reflect.DeepEqual(privBytes(t, got), privBytes(t, k)) {
				t.Errorf("%T, passphrase %q: another key read back", k, pass)
			}
			if pass != nil && i == 2 {
				wrong, _ := section(t, block, append(bytes.Clone(pass), '!'))
				if _, err := ParsePrivate(wrong, true); !errors.Is(err, ErrIncorrectPassphrase) {
					t.Errorf("%T: wrong passphrase: %v", k, err)
				}
			}
		}
	}
}

func privBytes(t testing.TB, k crypto.Signer) string {
	switch k := k.(type) {
	case ed25519.PrivateKey:
		return fmt.Sprintf("%x", []byte(k))
	case *ecdsa.PrivateKey:
		b, err := k.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%x", b)
	case *rsa.PrivateKey:
		return k.D.String() + "/" + k.Primes[0].String() + "/" + k.Primes[1].String()
	}
	t.Fatalf("key %T", k)
	return ""
}

// TestPrivateSectionRefusals: a section whose key disagrees with itself, whose padding or
// check integers are wrong, or that is cut short is refused.
func TestPrivateSectionRefusals(t *testing.T) {
	for _, k := range testKeys(t) {
		block, err := ssh.MarshalPrivateKey(k, "c")
		if err != nil {
			t.Fatal(err)
		}
		sec, _ := section(t, block, nil)
		if _, err := ParsePrivate(sec, false); err != nil {
			t.Fatalf("%T: %v", k, err)
		}
		mod := func(f func(b []byte)) []byte { b := bytes.Clone(sec); f(b); return b }
		cases := map[string][]byte{
			"check integers differ": mod(func(b []byte) { b[0] ^= 1 }),
			"padding not 1, 2, 3":   mod(func(b []byte) { b[len(b)-1] ^= 0x40 }),
			"cut short":             sec[:len(sec)/2],
			"a byte of the key changed": mod(func(b []byte) {
				b[len(b)-len("c")-4-padLen(b)-8] ^= 1 // inside the last field of the key
			}),
		}
		for what, b := range cases {
			if _, err := ParsePrivate(b, false); err == nil || errors.Is(err, ErrIncorrectPassphrase) {
				t.Errorf("%T, %s: %v", k, what, err)
			}
		}
	}
}

// padLen is the length of an unencrypted section's padding (its last byte, when it is one).
func padLen(b []byte) int {
	n := int(b[len(b)-1])
	if n > 0 && n < 8 && bytes.Equal(b[len(b)-n:], []byte{1, 2, 3, 4, 5, 6, 7}[:n]) {
		return n
	}
	return 0
}

// TestBcryptPBKDFArgs: out-of-range arguments are refused, not run.
func TestBcryptPBKDFArgs(t *testing.T) {
	for _, tc := range []struct {
		salt          []byte
		rounds, keyLn int
	}{
		{[]byte("s"), 0, 48}, {nil, 1, 48}, {make([]byte, 1<<20+1), 1, 48}, {[]byte("s"), 1, 1025}, {[]byte("s"), 1, 0},
	} {
		if _, err := BcryptPBKDF([]byte("p"), tc.salt, tc.rounds, tc.keyLn); err == nil {
			t.Errorf("salt %d bytes, rounds %d, key %d: accepted", len(tc.salt), tc.rounds, tc.keyLn)
		}
	}
}

// FuzzParsePublicKey: on any blob, ParsePublicKey accepts exactly the blobs of its types
// that x/crypto/ssh accepts, as the same key.
func FuzzParsePublicKey(f *testing.F) {
	for _, k := range testKeys(f) {
		sp, _ := ssh.NewPublicKey(k.Public())
		f.Add(sp.Marshal())
	}
	f.Fuzz(func(t *testing.T, blob []byte) {
		pub, typ, err := ParsePublicKey(blob)
		sp, sshErr := ssh.ParsePublicKey(blob)
		var u *UnsupportedTypeError
		if errors.As(err, &u) {
			return // a type signet does not read: x/crypto/ssh may read it
		}
		if err != nil && sshErr == nil && nonPositiveModulus(sp) {
			return // x/crypto/ssh reads an RSA modulus of 0 or below; a key nobody can use
		}
		if (err == nil) != (sshErr == nil) {
			t.Fatalf("ParsePublicKey: %v; x/crypto/ssh: %v (blob %x)", err, sshErr, blob)
		}
		if err == nil && (typ != sp.Type() || !pub.(equaler).Equal(sp.(ssh.CryptoPublicKey).CryptoPublicKey())) {
			t.Fatalf("ParsePublicKey read another key than x/crypto/ssh (blob %x)", blob)
		}
	})
}

func nonPositiveModulus(k ssh.PublicKey) bool {
	r, ok := k.(ssh.CryptoPublicKey).CryptoPublicKey().(*rsa.PublicKey)
	return ok && r.N.Sign() <= 0
}

// TestPrivateRSAPrimesBounded: an RSA private section whose primes are not its modulus's is
// refused before crypto/rsa works on them. crypto/rsa computes q⁻¹ mod p by exponentiation
// before it checks p·q = n, in time cubic in p's length (a p of 32768 bits took 87 s on the
// reference machine): a 2^17-bit p, 16 KB of a key file, would hold the reader for hours.
// A valid key's primes are at most half of a 16384-bit modulus, as x/crypto/ssh requires.
func TestPrivateRSAPrimesBounded(t *testing.T) {
	str := func(b []byte) []byte { return append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...) }
	mpint := func(x *big.Int) []byte {
		b := x.Bytes()
		if len(b) > 0 && b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return str(b)
	}
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	sec := func(p, q *big.Int) []byte {
		b := bytes.Join([][]byte{{1, 2, 3, 4, 1, 2, 3, 4}, str([]byte(TypeRSA)), mpint(k.N), mpint(big.NewInt(int64(k.E))),
			mpint(k.D), mpint(k.Precomputed.Qinv), mpint(p), mpint(q), str([]byte("c"))}, nil)
		for i := byte(1); len(b)%8 != 0; i++ {
			b = append(b, i)
		}
		return b
	}
	p, q := k.Primes[0], k.Primes[1]
	if _, err := ParsePrivate(sec(p, q), false); err != nil {
		t.Fatalf("the key itself: %v", err)
	}
	huge := new(big.Int).Lsh(big.NewInt(1), 1<<17)
	huge.Add(huge, p) // odd, like a prime
	for what, pq := range map[string][2]*big.Int{
		"p of 2^17 bits":       {huge, q},
		"q of 2^17 bits":       {p, huge},
		"p and q swapped":      {q, p},
		"p·q = n, p composite": {new(big.Int).Mul(p, q), big.NewInt(1)},
		"p + 2":                {new(big.Int).Add(p, big.NewInt(2)), q},
	} {
		if what == "p and q swapped" {
			if _, err := ParsePrivate(sec(pq[0], pq[1]), false); err != nil {
				t.Errorf("%s: %v (a key with its primes in either order is valid)", what, err)
			}
			continue
		}
		if _, err := ParsePrivate(sec(pq[0], pq[1]), false); err == nil {
			t.Errorf("%s: accepted", what)
		}
	}
}

// FuzzParsePrivate: on any private section in the clear, ParsePrivate never panics, accepts
// only what x/crypto/ssh accepts, as the same key, and reads every key x/crypto/ssh reads once
// x/crypto/ssh writes it again (where it refuses the section, that is an encoding it is
// stricter about: negative integers, an Ed25519 key whose halves disagree).
func FuzzParsePrivate(f *testing.F) {
	for _, k := range testKeys(f) {
		block, err := ssh.MarshalPrivateKey(k, "c")
		if err != nil {
			f.Fatal(err)
		}
		sec, _ := section(f, block, nil)
		f.Add(sec)
	}
	str := func(b []byte) []byte { return append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...) }
	f.Fuzz(func(t *testing.T, sec []byte) {
		got, err := ParsePrivate(sec, false)
		container := bytes.Join([][]byte{[]byte("openssh-key-v1\x00"), str([]byte("none")), str([]byte("none")), str(nil), {0, 0, 0, 1}, str(nil), str(sec)}, nil)
		want, sshErr := ssh.ParseRawPrivateKey(pem.EncodeToMemory(&pem.Block{Type: "OPENSSH PRIVATE KEY", Bytes: container}))
		if sshErr != nil {
			if err == nil {
				t.Fatalf("ParsePrivate accepts a section x/crypto/ssh refuses (%v): %x", sshErr, sec)
			}
			return
		}
		if p, ok := want.(*ed25519.PrivateKey); ok {
			want = *p
			if !bytes.Equal((*p)[32:], ed25519.NewKeyFromSeed((*p)[:32])[32:]) {
				if err == nil {
					t.Fatalf("ParsePrivate accepts an Ed25519 key whose halves disagree: %x", sec)
				}
				return
			}
		}
		signer := want.(crypto.Signer)
		if err == nil {
			if !reflect.DeepEqual(privBytes(t, got), privBytes(t, signer)) {
				t.Fatalf("ParsePrivate read another key than x/crypto/ssh: %x", sec)
			}
			return
		}
		block, mErr := ssh.MarshalPrivateKey(signer, "c")
		if mErr != nil {
			return // a key x/crypto/ssh reads but does not write
		}
		again, _ := section(t, block, nil)
		if _, err2 := ParsePrivate(again, false); err2 != nil {
			t.Fatalf("x/crypto/ssh reads the key (%v), ParsePrivate refuses it even as x/crypto/ssh writes it: %v", err, err2)
		}
	})
}

// TestDecryptRefusals: a CBC section that is not whole AES blocks, a cipher not read here and
// a key of the wrong length are errors, not panics (cipher.BlockMode panics on a partial block).
func TestDecryptRefusals(t *testing.T) {
	keyIV := make([]byte, 48)
	for _, tc := range []struct {
		cipher string
		keyIV  []byte
		n      int
	}{
		{"aes256-cbc", keyIV, 17}, {"aes256-cbc", keyIV, 15}, {"chacha20-poly1305@openssh.com", keyIV, 32},
		{"aes256-ctr", keyIV[:47], 32}, {"aes256-ctr", append(bytes.Clone(keyIV), 0), 32},
	} {
		if err := Decrypt(tc.cipher, tc.keyIV, make([]byte, tc.n)); err == nil {
			t.Errorf("%s, key and IV of %d bytes, %d bytes: no error", tc.cipher, len(tc.keyIV), tc.n)
		}
	}
	for _, c := range []string{"aes256-cbc", "aes256-ctr"} {
		if err := Decrypt(c, keyIV, make([]byte, 32)); err != nil {
			t.Errorf("%s: %v", c, err)
		}
	}
}

// TestBcryptPBKDFKnownAnswers: the vectors OpenBSD's bcrypt_pbkdf(3) gives (as
// x/crypto/ssh/internal/bcrypt_pbkdf's tests hold them), among them a key of 88 bytes, three
// blocks spread over the output, and passwords and salts with NUL bytes and UTF-8.
func TestBcryptPBKDFKnownAnswers(t *testing.T) {
	for _, v := range []struct {
		rounds         int
		password, salt string
		want           string
	}{
		{12, "password", "salt", "1ae42c05d487bc02f64921a4ebe4ea93bcacfe135fda99974c06b7b01fae149a"},
		{3, "passwordy\x00PASSWORD\x00", "salty\x00SALT\x00", "7f310bd3e78c3280c59ce4595211a2928e8d4ec744c1ed2efc9f764e3388e0ad"},
		{8, "секретное слово", "посолить немножко", "8df43fc6fe131fc47f0c9e39224bd94c70b6fcc8ee8135faddf61156e6cb2733ea765f315a3e1e4afc35bf8687d189254c1e05a6fe80c0617f9183d67260d6a115c6c94e3603e2303fbb43a76a64523ffda686b1d4518543"},
	} {
		want, _ := hex.DecodeString(v.want)
		got, err := BcryptPBKDF([]byte(v.password), []byte(v.salt), v.rounds, len(want))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%q, %q, %d rounds: %x, %v; want %x", v.password, v.salt, v.rounds, got, err, want)
		}
	}
}

// TestPrivateScalarsAndHalves: an ECDSA private scalar of 0, n, above n or longer than the
// curve's order, and an Ed25519 section whose public field is not its seed's, are refused.
func TestPrivateScalarsAndHalves(t *testing.T) {
	str := func(b []byte) []byte { return append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...) }
	pad := func(b []byte) []byte {
		for i := byte(1); len(b)%8 != 0; i++ {
			b = append(b, i)
		}
		return b
	}
	check := []byte{9, 9, 9, 9, 9, 9, 9, 9}
	for _, c := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		typ := map[elliptic.Curve]string{elliptic.P256(): TypeECDSAP256, elliptic.P384(): TypeECDSAP384, elliptic.P521(): TypeECDSAP521}[c]
		id, _ := curve(typ)
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		q, _ := k.PublicKey.Bytes()
		sec := func(d []byte) []byte {
			return pad(bytes.Join([][]byte{check, str([]byte(typ)), str([]byte(id)), str(q), str(d), str([]byte("c"))}, nil))
		}
		raw, _ := k.Bytes()
		if _, err := ParsePrivate(sec(append([]byte{0}, raw...)), false); err != nil {
			t.Fatalf("%s: the key itself: %v", typ, err)
		}
		n := c.Params().N
		long := append([]byte{1}, raw...) // d + 2^(8·size): d's low bytes, a byte longer
		for what, d := range map[string][]byte{
			"d = 0": nil, "d = n": append([]byte{0}, n.Bytes()...), "d = n + 1": append([]byte{0}, new(big.Int).Add(n, big.NewInt(1)).Bytes()...),
			"d a byte longer than n": long,
		} {
			if _, err := ParsePrivate(sec(d), false); err == nil {
				t.Errorf("%s, %s: accepted", typ, what)
			}
		}
	}
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	edSec := func(pub []byte) []byte {
		return pad(bytes.Join([][]byte{check, str([]byte(TypeEd25519)), str(pub), str(ed), str([]byte("c"))}, nil))
	}
	if _, err := ParsePrivate(edSec(ed[32:]), false); err != nil {
		t.Fatalf("Ed25519: the key itself: %v", err)
	}
	if _, err := ParsePrivate(edSec(other[32:]), false); err == nil {
		t.Error("Ed25519: a public field of another key accepted")
	}
}
