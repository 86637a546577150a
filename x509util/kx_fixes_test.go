package x509util

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"github.com/signet-pki/signet/internal/testutil"
	"math/big"
	"slices"
	"strings"
	"testing"
)

// Faults the key-file campaign (kx_diff_test.go) found, each held by a focused test.

// kxSEC1 is an ECPrivateKey (RFC 5915) with the fields the tests below set.
type kxSEC1 struct {
	Version    int
	PrivateKey []byte
	Params     asn1.ObjectIdentifier `asn1:"optional,explicit,tag:0"`
	PublicKey  asn1.BitString        `asn1:"optional,explicit,tag:1"`
}

// kxSEC1Of is k's SEC1 DER with pub (a point's encoding) as its publicKey.
func kxSEC1Of(t *testing.T, k *ecdsa.PrivateKey, pub []byte) []byte {
	t.Helper()
	d, err := k.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(kxSEC1{1, d, asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}, asn1.BitString{Bytes: pub, BitLength: 8 * len(pub)}})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// kxPoint encodes k's public point in form 4 (uncompressed), 2 (compressed) or 6 (hybrid).
func kxPoint(t *testing.T, k *ecdsa.PublicKey, form byte) []byte {
	t.Helper()
	u, err := k.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	odd := u[len(u)-1] & 1
	switch form {
	case 2:
		return append([]byte{2 | odd}, u[1:1+len(u)/2]...)
	case 6:
		return append([]byte{6 | odd}, u[1:]...)
	}
	return u
}

// TestKeyEmbeddedPublicKeyChecked: an EC private key (SEC1, alone or inside PKCS#8) or an
// Ed25519 one (PKCS#8 v2, RFC 8410) carries its public key beside the private one, and
// `openssl pkey -pubout` prints that one. crypto/x509 ignores it and derives the public key
// from the private, so a file whose two halves differ (damaged, or a ciphertext byte flipped
// in an encrypted key: CBC garbles one block of the scalar and leaves the structure whole)
// was read as a key that is not the file's: signet signed with a key whose public half is not
// the one openssl, or the certificate made from the file, names. It is refused (ErrMalformed)
// in every form of the point openssl writes; a file whose halves agree is read as before.
func TestKeyEmbeddedPublicKeyChecked(t *testing.T) {
	a, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	b, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pkcs8 := func(sec1 []byte) []byte {
		der, err := asn1.Marshal(struct {
			Version int
			Algo    pkix.AlgorithmIdentifier
			Key     []byte
		}{0, pkix.AlgorithmIdentifier{Algorithm: keyOIDEC, Parameters: asn1.RawValue{FullBytes: []byte{6, 8, 0x2a, 0x86, 0x48, 0xce, 0x3d, 3, 1, 7}}}, sec1})
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	for _, form := range []byte{4, 2, 6} {
		same, other := kxSEC1Of(t, a, kxPoint(t, &a.PublicKey, form)), kxSEC1Of(t, a, kxPoint(t, &b.PublicKey, form))
		for _, c := range []struct {
			name, typ string
			der       []byte
			ok        bool
		}{
			{"sec1 own", "EC PRIVATE KEY", same, true},
			{"pkcs8 own", "PRIVATE KEY", pkcs8(same), true},
			{"sec1 other", "EC PRIVATE KEY", other, false},
			{"pkcs8 other", "PRIVATE KEY", pkcs8(other), false},
		} {
			for _, in := range [][]byte{c.der, pem.EncodeToMemory(&pem.Block{Type: c.typ, Bytes: c.der})} {
				k, err := ParsePrivateKey(in, nil)
				switch {
				case c.ok && (err != nil || !k.(*ecdsa.PrivateKey).Equal(a)):
					t.Errorf("form %d, %s: %v; want the key", form, c.name, err)
				case !c.ok && (!errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "public key")):
					t.Errorf("form %d, %s: %v (key %v); want ErrMalformed naming the public key", form, c.name, err, k != nil)
				}
			}
		}
	}

	// Ed25519 in PKCS#8 v2 (OneAsymmetricKey) with a publicKey [1].
	_, e, _ := ed25519.GenerateKey(rand.Reader)
	f, _, _ := ed25519.GenerateKey(rand.Reader)
	seed, _ := asn1.Marshal(e.Seed())
	for _, c := range []struct {
		name string
		pub  []byte
		ok   bool
	}{{"own", e.Public().(ed25519.PublicKey), true}, {"other", f, false}} {
		der, err := asn1.Marshal(struct {
			Version int
			Algo    pkix.AlgorithmIdentifier
			Key     []byte
			Pub     asn1.BitString `asn1:"tag:1"`
		}{1, pkix.AlgorithmIdentifier{Algorithm: keyOIDEd25519}, seed, asn1.BitString{Bytes: c.pub, BitLength: 256}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := x509.ParsePKCS8PrivateKey(der); err != nil {
			t.Fatalf("crypto/x509 does not read the v2 key: %v", err)
		}
		k, err := ParsePrivateKey(der, nil)
		switch {
		case c.ok && (err != nil || !k.(ed25519.PrivateKey).Equal(e)):
			t.Errorf("ed25519 %s: %v; want the key", c.name, err)
		case !c.ok && !errors.Is(err, ErrMalformed):
			t.Errorf("ed25519 %s: %v; want ErrMalformed", c.name, err)
		}
	}
}

// TestScryptWorkBounded: scrypt's bound was on N·r (the memory of one mix, 128·r·N bytes)
// and p on its own, so p=16 mixes of 256 MiB each (28 s here), or r=2^20 with N=2 (2.5 GiB
// allocated: its p·128·r bytes of PBKDF2 output are not in 128·r·N), were run after the
// passphrase was asked. The bound is now on the whole work, N·r·p ≤ 2^21 (one 256 MiB mix,
// under a second; openssl writes N·r·p = 2^17), checked before the passphrase is asked.
func TestScryptWorkBounded(t *testing.T) {
	aes256 := asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	for _, c := range []struct{ n, r, p int }{
		{2, 1 << 20, 16},
		{1 << 21, 1, 16},
		{1 << 14, 8, 32},
		{1 << 18, 8, 2},
		{1 << 20, 1 << 20, 1 << 20},
	} {
		b, err := asn1.Marshal(keyScryptParams{Salt: []byte("salt"), CostParameter: c.n, BlockSize: c.r, Parallelization: c.p})
		if err != nil {
			t.Fatal(err)
		}
		der := keyTestEncrypted(t, keyAlgorithmIdentifier{Algorithm: keyOIDScrypt, Parameters: asn1.RawValue{FullBytes: b}}, aes256, make([]byte, 16), make([]byte, 32))
		passFunc, calls := keyTestPassFunc("x")
		_, err = DecodeKey(der, passFunc)
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "scrypt") || *calls != 0 {
			t.Errorf("N=%d r=%d p=%d: %v, passphrase asked %d times; want ErrUnsupported naming scrypt, not asked", c.n, c.r, c.p, err, *calls)
		}
	}
}

// TestPBKDF2SHA512Truncated: DecodeKey's doc says PBKDF2 with HMAC-SHA1 or SHA-2, but of
// RFC 8018's SHA-2 PRFs hmacWithSHA512-224 and hmacWithSHA512-256 were refused as unknown
// OIDs, though `openssl pkcs8 -topk8 -v2prf hmacWithSHA512-256` writes them.
func TestPBKDF2SHA512Truncated(t *testing.T) {
	dir := t.TempDir()
	keyTestOpenSSL(t, dir, "genpkey", "-algorithm", "ED25519", "-out", "@k")
	want := keyTestOpenSSL(t, dir, "pkey", "-in", "@k", "-pubout")
	for _, prf := range []string{"hmacWithSHA512-224", "hmacWithSHA512-256"} {
		keyTestOpenSSL(t, dir, "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-v2prf", prf, "-in", "@k", "-passout", "pass:"+keyTestPass, "-out", "@"+prf)
		passFunc, _ := keyTestPassFunc(keyTestPass)
		k, err := DecodeKey(mustKeyRead(t, dir+"/"+prf), passFunc)
		if err != nil {
			t.Errorf("%s: %v", prf, err)
			continue
		}
		if got, _ := MarshalPublicKeyPEM(k.Public); string(got) != string(want) {
			t.Errorf("%s: public key %s, openssl's %s", prf, got, want)
		}
	}
}

// kxPKCS1 is an RSAPrivateKey (RFC 8017 A.1.2), multi-prime included.
type kxPKCS1 struct {
	Version               int
	N, E, D, P, Q, Dp, Dq *big.Int
	Qinv                  *big.Int
	Additional            []kxPKCS1Prime `asn1:"optional"`
}

type kxPKCS1Prime struct{ Prime, Exp, Coeff *big.Int }

// TestRSAMultiPrimeChecked: crypto/x509 reads an RSA key of more than two primes (openssl
// genpkey -pkeyopt rsa_keygen_primes:3) without checking that its primes multiply to its
// modulus, or that its private exponent inverts e, as it checks a two-prime key. A 3-prime
// key file with a byte of its modulus changed (seed 5 of the campaign: a byte flipped in
// the DER) was read as a key whose public key is the changed modulus, which its private half
// does not match (openssl pkey -check: "n does not equal product of primes"). It is refused,
// ErrMalformed, in PKCS#1 and PKCS#8; the key as openssl wrote it is read as before.
func TestRSAMultiPrimeChecked(t *testing.T) {
	dir := t.TempDir()
	keyTestOpenSSL(t, dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-pkeyopt", "rsa_keygen_primes:3", "-out", "@k")
	der := keyTestOpenSSL(t, dir, "rsa", "-in", "@k", "-traditional", "-outform", "DER")
	var k kxPKCS1
	if rest, err := asn1.Unmarshal(der, &k); err != nil || len(rest) > 0 || len(k.Additional) != 1 {
		t.Fatalf("openssl's 3-prime key: %v, %d additional primes", err, len(k.Additional))
	}
	wrap := func(p1 []byte) []byte {
		p8, err := asn1.Marshal(struct {
			Version int
			Algo    pkix.AlgorithmIdentifier
			Key     []byte
		}{0, pkix.AlgorithmIdentifier{Algorithm: keyOIDRSA, Parameters: asn1.NullRawValue}, p1})
		if err != nil {
			t.Fatal(err)
		}
		return p8
	}
	for _, c := range []struct {
		name   string
		change func(k *kxPKCS1)
		ok     bool
	}{
		{"as written", func(*kxPKCS1) {}, true},
		{"modulus changed", func(k *kxPKCS1) { k.N = new(big.Int).Xor(k.N, big.NewInt(1<<20)) }, false},
		{"third prime changed", func(k *kxPKCS1) { k.Additional[0].Prime = new(big.Int).Add(k.Additional[0].Prime, big.NewInt(2)) }, false},
		{"private exponent changed", func(k *kxPKCS1) { k.D = new(big.Int).Add(k.D, big.NewInt(2)) }, false},
		// Refused before any arithmetic costs: its signature would take time cubic in it.
		{"modulus of 16400 bits", func(k *kxPKCS1) { k.N = new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 16400), big.NewInt(1)) }, false},
	} {
		changed := k
		changed.Additional = slices.Clone(k.Additional)
		c.change(&changed)
		p1, err := asn1.Marshal(changed)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range []struct {
			typ string
			der []byte
		}{{"RSA PRIVATE KEY", p1}, {"PRIVATE KEY", wrap(p1)}} {
			got, err := ParsePrivateKey(pem.EncodeToMemory(&pem.Block{Type: in.typ, Bytes: in.der}), nil)
			switch {
			case c.ok && err != nil:
				t.Errorf("%s, %s: %v", c.name, in.typ, err)
			case !c.ok && !errors.Is(err, ErrMalformed):
				t.Errorf("%s, %s: %v (key %v); want ErrMalformed", c.name, in.typ, err, got != nil)
			}
		}
	}
}

// TestRSAPublicKeyTrailingData: crypto/x509 reads an RSAPublicKey (PKCS#1 "RSA PUBLIC KEY",
// or inside a SubjectPublicKeyInfo) without checking that nothing follows its exponent in its
// SEQUENCE, nor, in an SPKI, that nothing follows the SEQUENCE in the BIT STRING. A PKCS#1
// public key with its exponent's length byte changed from 3 to 1 (seed 147 of the campaign)
// was read as a key of exponent 1, the two bytes after it ignored, where openssl refuses the
// file ("too long"). An RSA public key must be the DER of the key it holds: the others are
// refused, ErrMalformed.
func TestRSAPublicKeyTrailingData(t *testing.T) {
	dir := t.TempDir()
	keyTestOpenSSL(t, dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "@k")
	p1 := keyTestOpenSSL(t, dir, "rsa", "-in", "@k", "-RSAPublicKey_out", "-outform", "DER")
	spki := keyTestOpenSSL(t, dir, "pkey", "-in", "@k", "-pubout", "-outform", "DER")
	if !bytes.HasSuffix(p1, []byte{2, 3, 1, 0, 1}) {
		t.Fatalf("openssl's RSAPublicKey does not end with e = 65537: % x", p1[len(p1)-5:])
	}
	shortE := slices.Clone(p1)
	shortE[len(shortE)-4] = 1 // INTEGER of 1 byte (1), then 00 01 inside the SEQUENCE
	// The SPKI with one more element inside its RSAPublicKey, and with a NULL after it in the
	// BIT STRING.
	inner := p1
	var rsaKey asn1.RawValue
	if _, err := asn1.Unmarshal(inner, &rsaKey); err != nil {
		t.Fatal(err)
	}
	extra, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: append(slices.Clone(rsaKey.Bytes), 5, 0)})
	spkiOf := func(bits []byte) []byte {
		der, err := asn1.Marshal(struct {
			Algo pkix.AlgorithmIdentifier
			Key  asn1.BitString
		}{pkix.AlgorithmIdentifier{Algorithm: keyOIDRSA, Parameters: asn1.NullRawValue}, asn1.BitString{Bytes: bits, BitLength: 8 * len(bits)}})
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	if !bytes.Equal(spkiOf(inner), spki) {
		t.Fatal("the SPKI built here is not openssl's")
	}
	for _, c := range []struct {
		name, typ string
		der       []byte
		ok, ossl  bool
	}{
		{"pkcs1 as written", "RSA PUBLIC KEY", p1, true, true},
		{"spki as written", "PUBLIC KEY", spki, true, true},
		{"pkcs1 exponent of 1 byte, 2 bytes after it", "RSA PUBLIC KEY", shortE, false, false},
		{"pkcs1 with a NULL after the exponent", "RSA PUBLIC KEY", extra, false, false},
		{"spki with a NULL after the exponent", "PUBLIC KEY", spkiOf(extra), false, false},
		// openssl reads this one, the NULL ignored; the BIT STRING is to hold the DER of the
		// RSAPublicKey (RFC 3279 section 2.3.1), and signet reads only that.
		{"spki with a NULL after the RSAPublicKey", "PUBLIC KEY", spkiOf(append(slices.Clone(inner), 5, 0)), false, true},
	} {
		in := pem.EncodeToMemory(&pem.Block{Type: c.typ, Bytes: c.der})
		_, err := ParsePublicKey(in)
		if c.ok != (err == nil) || !c.ok && !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v; want it read: %v", c.name, err, c.ok)
		}
		f := mustKeyWrite(t, dir+"/in", in)
		args := []string{"pkey", "-pubin", "-in", f, "-noout"}
		if c.typ == "RSA PUBLIC KEY" {
			args = []string{"rsa", "-RSAPublicKey_in", "-in", f, "-noout"}
		}
		if _, _, err := testutil.RunErr("openssl", args...); c.ossl != (err == nil) {
			t.Errorf("%s: openssl: %v; the test expects it read: %v", c.name, err, c.ossl)
		}
	}
}

// TestECPublicKeyCompressedNamed: a SubjectPublicKeyInfo whose EC point is compressed or
// hybrid (openssl ec -pubout -conv_form compressed) is a form RFC 5480 section 2.2 lets a
// reader refuse, and crypto/x509 reads only the uncompressed one; signet called the file
// malformed ("ecdsa: invalid uncompressed public key"), which it is not. It is ErrUnsupported
// (the same exit 3), naming the form and the openssl command that writes it uncompressed.
func TestECPublicKeyCompressedNamed(t *testing.T) {
	dir := t.TempDir()
	keyTestOpenSSL(t, dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "@k")
	for _, form := range []string{"compressed", "hybrid"} {
		for _, outform := range []string{"PEM", "DER"} {
			in := keyTestOpenSSL(t, dir, "ec", "-in", "@k", "-pubout", "-conv_form", form, "-outform", outform)
			_, err := ParsePublicKey(in)
			if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), form) || !strings.Contains(err.Error(), "-conv_form uncompressed") {
				t.Errorf("%s %s: %v; want ErrUnsupported naming the form and the command", form, outform, err)
			}
		}
	}
}

// TestKeyEmbeddedPublicKeyTagChanged: encoding/asn1 takes an optional field whose tag is
// wrong for an absent one, so a SEC1 key whose publicKey BIT STRING tag was changed (03 to
// 43: seed 4919 of the campaign, a ciphertext byte of an encrypted P-384 key changed, which
// garbled a block of the scalar and flipped that bit of the next block) was read with its
// changed scalar and no public key to check it against; openssl refuses the file. SEC1 and
// PKCS#8 are read strictly: their fields in order, nothing after them.
func TestKeyEmbeddedPublicKeyTagChanged(t *testing.T) {
	a, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	b, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	// As openssl writes SEC1 inside PKCS#8: without the curve, which PKCS#8 names.
	d, _ := a.Bytes()
	pb := kxPoint(t, &b.PublicKey, 4)
	other, err := asn1.Marshal(struct {
		Version    int
		PrivateKey []byte
		PublicKey  asn1.BitString `asn1:"explicit,tag:1"`
	}{1, d, asn1.BitString{Bytes: pb, BitLength: 8 * len(pb)}})
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(other, []byte{0xa1, 0x64, 0x03, 0x62, 0x00, 0x04})
	if i < 0 {
		t.Fatalf("no publicKey field in % x", other)
	}
	tagged := slices.Clone(other)
	tagged[i+2] ^= 0x40
	var body asn1.RawValue
	asn1.Unmarshal(other, &body)
	trailing, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: append(slices.Clone(body.Bytes), 5, 0)})
	p8 := func(sec1 []byte) []byte {
		der, err := asn1.Marshal(struct {
			Version int
			Algo    pkix.AlgorithmIdentifier
			Key     []byte
		}{0, pkix.AlgorithmIdentifier{Algorithm: keyOIDEC, Parameters: asn1.RawValue{FullBytes: []byte{6, 5, 0x2b, 0x81, 4, 0, 0x22}}}, sec1})
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	for name, der := range map[string][]byte{"tag changed": tagged, "a NULL after the public key": trailing} {
		for _, in := range [][]byte{pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8(der)}), p8(der)} {
			if k, err := ParsePrivateKey(in, nil); !errors.Is(err, ErrMalformed) {
				t.Errorf("%s: %v (key %v); want ErrMalformed", name, err, k != nil)
			}
		}
	}
}

// TestDSAKeyDERNamed: a DSA private key in OpenSSL's traditional DER (openssl pkey -outform
// DER: a SEQUENCE of six INTEGERs) took the shape of a PKCS#1 RSA key, whose first four
// fields it has, and was refused as a malformed RSA key ("PKCS#1 RSA private key: asn1:
// structure error: integer too large"; seed 7412 of the campaign). It is named, as the PEM
// "DSA PRIVATE KEY" is: ErrUnsupported, a DSA key.
func TestDSAKeyDERNamed(t *testing.T) {
	dir := t.TempDir()
	keyTestOpenSSL(t, dir, "genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt", "dsa_paramgen_bits:1024", "-out", "@params")
	keyTestOpenSSL(t, dir, "genpkey", "-paramfile", "@params", "-out", "@k")
	der := keyTestOpenSSL(t, dir, "pkey", "-in", "@k", "-outform", "DER")
	for _, in := range [][]byte{der, keyTestOpenSSL(t, dir, "pkey", "-in", "@k")} {
		_, err := DecodeKey(in, nil)
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "DSA") {
			t.Errorf("DecodeKey: %v; want ErrUnsupported naming DSA", err)
		}
	}
}
