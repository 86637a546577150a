package ecdsap384

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"hash"
	"math/big"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// wycheproofDir holds Project Wycheproof's vectors, read in place (shared by the projects on
// this machine, never copied into the repository).
const wycheproofDir = "../../../../shared/vectors/wycheproof"

type wpFile struct {
	Schema     string `json:"schema"`
	NumTests   int    `json:"numberOfTests"`
	TestGroups []struct {
		PublicKeyDER string `json:"publicKeyDer"`
		SHA          string `json:"sha"`
		Tests        []struct {
			TcID    int    `json:"tcId"`
			Comment string `json:"comment"`
			Msg     string `json:"msg"`
			Sig     string `json:"sig"`
			Result  string `json:"result"`
		} `json:"tests"`
	} `json:"testGroups"`
}

// TestWycheproof: every ECDSA P-384 vector of Wycheproof, DER and P1363 (re-encoded as DER
// when r||s has the right length, as signet's signatures are DER), gets Wycheproof's answer
// from VerifyASN1.
func TestWycheproof(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(wycheproofDir, "ecdsa_secp384r1_*_test.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		// As verify's vector tests: missing vectors fail CI and skip on a developer's machine.
		if os.Getenv("CI") != "" {
			t.Fatalf("no Wycheproof ECDSA P-384 vectors in %s", wycheproofDir)
		}
		t.Skipf("no Wycheproof ECDSA P-384 vectors in %s", wycheproofDir)
	}
	total := 0
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var f wpFile
		if err := json.Unmarshal(raw, &f); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		p1363 := f.Schema == "ecdsa_p1363_verify_schema_v1.json" || f.Schema == "ecdsa_p1363_verify_schema.json"
		n := 0
		for _, g := range f.TestGroups {
			der, _ := hex.DecodeString(g.PublicKeyDER)
			k, err := x509.ParsePKIXPublicKey(der)
			if err != nil {
				t.Fatalf("%s: key %s: %v", name, g.PublicKeyDER, err)
			}
			pub := k.(*ecdsa.PublicKey)
			newHash := map[string]func() hash.Hash{"SHA-256": sha256.New, "SHA-384": sha512.New384, "SHA-512": sha512.New}[g.SHA]
			if newHash == nil {
				t.Fatalf("%s: hash %s", name, g.SHA)
			}
			for _, tc := range g.Tests {
				n++
				msg, _ := hex.DecodeString(tc.Msg)
				sig, _ := hex.DecodeString(tc.Sig)
				h := newHash()
				h.Write(msg)
				digest := h.Sum(nil)
				if p1363 {
					if len(sig) != 2*size {
						if tc.Result == "valid" {
							t.Errorf("%s #%d: a valid P1363 signature of %d bytes", name, tc.TcID, len(sig))
						}
						continue // not r||s: no DER form to try
					}
					sig = derSig(new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:]))
				}
				// crypto/ecdsa's answer is Wycheproof's on every vector (verify's own
				// Wycheproof test holds it there); it is asked here only where Wycheproof
				// leaves the answer open, which halves this test's time under -race.
				got := VerifyASN1(pub, digest, sig)
				want := tc.Result == "valid"
				if tc.Result == "acceptable" {
					want = ecdsa.VerifyASN1(pub, digest, sig)
				}
				if got != want {
					t.Errorf("%s #%d (%s, %s): VerifyASN1 = %v, want %v", filepath.Base(name), tc.TcID, tc.Comment, tc.Result, got, want)
				}
			}
		}
		if n != f.NumTests {
			t.Errorf("%s: ran %d vectors, the file has %d", name, n, f.NumTests)
		}
		total += n
	}
	t.Logf("%d Wycheproof vectors in %d files", total, len(files))
}

// derSig encodes r and s (either may be negative or too large) as an ECDSA-Sig-Value.
func derSig(r, s *big.Int) []byte {
	var b cryptobyte.Builder
	b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1BigInt(r)
		b.AddASN1BigInt(s)
	})
	return b.BytesOrPanic()
}

// same fails the test when VerifyASN1 and crypto/ecdsa disagree, or when both differ from
// want, and names the case.
func same(t *testing.T, what string, pub *ecdsa.PublicKey, hash, sig []byte, want bool) {
	t.Helper()
	got, std := VerifyASN1(pub, hash, sig), ecdsa.VerifyASN1(pub, hash, sig)
	if got != std || got != want {
		t.Errorf("%s: VerifyASN1 = %v, crypto/ecdsa = %v, want %v (hash %x, sig %x)", what, got, std, want, hash, sig)
	}
}

// TestDifferential: on random keys, hashes of every length ECDSA meets (shorter, as long as
// and longer than n) and signatures, valid and altered, VerifyASN1 answers as crypto/ecdsa.
func TestDifferential(t *testing.T) {
	n := elliptic.P384().Params().N
	rng := mrand.New(mrand.NewPCG(1, 2))
	rounds := 50
	if testing.Short() {
		rounds = 20
	}
	for i := range rounds {
		key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		other, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		hash := make([]byte, []int{0, 1, 20, 32, 47, 48, 49, 64, 100}[i%9])
		rand.Read(hash)
		sig, err := ecdsa.SignASN1(rand.Reader, key, hash)
		if err != nil {
			t.Fatal(err)
		}
		same(t, "valid", &key.PublicKey, hash, sig, true)
		same(t, "another key", &other.PublicKey, hash, sig, false)
		if len(hash) > 0 {
			h := append([]byte{}, hash...)
			bit := rng.IntN(len(h) * 8)
			h[bit/8] ^= 1 << (bit % 8)
			// A flipped bit past the 48th byte is cut off with the rest: still valid.
			same(t, "hash with a bit flipped", &key.PublicKey, h, sig, bit/8 >= size)
		}
		s2 := append([]byte{}, sig...)
		bit := rng.IntN(len(s2) * 8)
		s2[bit/8] ^= 1 << (bit % 8)
		same(t, "signature with a bit flipped", &key.PublicKey, hash, s2, ecdsa.VerifyASN1(&key.PublicKey, hash, s2))
		same(t, "signature with a byte more", &key.PublicKey, hash, append(append([]byte{}, sig...), 0), false)

		r, s := parseInts(t, sig)
		same(t, "high s (n - s)", &key.PublicKey, hash, derSig(r, new(big.Int).Sub(n, s)), true)
		same(t, "r + n", &key.PublicKey, hash, derSig(new(big.Int).Add(r, n), s), false)
		same(t, "s + n", &key.PublicKey, hash, derSig(r, new(big.Int).Add(s, n)), false)
		same(t, "r - n (negative)", &key.PublicKey, hash, derSig(new(big.Int).Sub(r, n), s), false)
		same(t, "-s", &key.PublicKey, hash, derSig(r, new(big.Int).Neg(s)), false)
		same(t, "r and s swapped", &key.PublicKey, hash, derSig(s, r), false)
	}
}

func parseInts(t *testing.T, sig []byte) (r, s *big.Int) {
	t.Helper()
	rb, sb, ok := parseSignature(sig)
	if !ok {
		t.Fatalf("parseSignature(%x) failed", sig)
	}
	return new(big.Int).SetBytes(rb), new(big.Int).SetBytes(sb)
}

// TestEdgeCases: the values a careless verifier accepts.
func TestEdgeCases(t *testing.T) {
	c := elliptic.P384()
	n := c.Params().N
	key, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hash := sha512.Sum384([]byte("edge"))
	sig, err := ecdsa.SignASN1(rand.Reader, key, hash[:])
	if err != nil {
		t.Fatal(err)
	}
	r, s := parseInts(t, sig)
	zero, one := big.NewInt(0), big.NewInt(1)
	nMinus1 := new(big.Int).Sub(n, one)
	for _, tc := range []struct {
		what string
		r, s *big.Int
	}{
		{"r = 0", zero, s}, {"s = 0", r, zero}, {"r = s = 0", zero, zero},
		{"r = n", n, s}, {"s = n", r, n}, {"r = n + 1", new(big.Int).Add(n, one), s},
		{"s = 2n", r, new(big.Int).Lsh(n, 1)}, {"r = 2^384", new(big.Int).Lsh(one, 384), s},
		{"r = s = 1", one, one}, {"r = s = n - 1", nMinus1, nMinus1}, {"s = n - 1", r, nMinus1},
	} {
		same(t, tc.what, &key.PublicKey, hash[:], derSig(tc.r, tc.s), false)
	}
	for _, tc := range []struct {
		what string
		sig  []byte
	}{
		{"empty", nil},
		{"empty SEQUENCE", []byte{0x30, 0x00}},
		{"one INTEGER", derSigOne(r)},
		{"BER long-form length", berLong(sig)},
		{"a SET, not a SEQUENCE", append([]byte{0x31}, sig[1:]...)},
	} {
		same(t, tc.what, &key.PublicKey, hash[:], tc.sig, false)
	}

	// R at infinity: with Q = G (private key 1), u1·G + u2·G = (e + r)·w·G, which is the point
	// at infinity when e = n - r. crypto/ecdsa refuses it; so must VerifyASN1.
	one1 := oneKey(t)
	e := new(big.Int).Sub(n, r)
	same(t, "R at infinity (Q = G, e = n - r)", one1, e.FillBytes(make([]byte, size)), derSig(r, s), false)
	// The same key with an honest signature is valid (Q = G is a legal key).
	d1, err := ecdsa.ParseRawPrivateKey(c, one.FillBytes(make([]byte, size)))
	if err != nil {
		t.Fatal(err)
	}
	sig1, err := ecdsa.SignASN1(rand.Reader, d1, hash[:])
	if err != nil {
		t.Fatal(err)
	}
	same(t, "Q = G, valid", one1, hash[:], sig1, true)

	// Keys that are not points of P-384, and keys of other curves.
	g := c.Params()
	for _, tc := range []struct {
		what string
		x, y *big.Int
	}{
		{"key at infinity (0, 0)", zero, zero},
		{"key off the curve", g.Gx, new(big.Int).Add(g.Gy, one)},
		{"key with x + p", new(big.Int).Add(g.Gx, g.P), g.Gy},
		{"key with -y", g.Gx, new(big.Int).Neg(g.Gy)},
	} {
		//lint:ignore SA1019 a key no parser makes, to see it refused
		bad := &ecdsa.PublicKey{Curve: c, X: tc.x, Y: tc.y}
		same(t, tc.what, bad, hash[:], sig1, false)
	}
	for _, curve := range []elliptic.Curve{elliptic.P256(), elliptic.P521()} {
		k, err := ecdsa.GenerateKey(curve, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		sig, err := ecdsa.SignASN1(rand.Reader, k, hash[:])
		if err != nil {
			t.Fatal(err)
		}
		if VerifyASN1(&k.PublicKey, hash[:], sig) {
			t.Errorf("%s key: VerifyASN1 accepted (it verifies P-384 only)", curve.Params().Name)
		}
		// The same coordinates claimed as P-384: not a P-384 point.
		//lint:ignore SA1019 a key no parser makes, to see it refused
		claimed := &ecdsa.PublicKey{Curve: c, X: k.X, Y: k.Y}
		same(t, curve.Params().Name+" point as P-384", claimed, hash[:], sig, false)
	}
	if VerifyASN1(nil, hash[:], sig) {
		t.Error("nil key accepted")
	}
}

// oneKey is the public key of the private key 1: the generator.
func oneKey(t *testing.T) *ecdsa.PublicKey {
	t.Helper()
	g := elliptic.P384().Params()
	b := append([]byte{4}, g.Gx.FillBytes(make([]byte, size))...)
	b = append(b, g.Gy.FillBytes(make([]byte, size))...)
	k, err := ecdsa.ParseUncompressedPublicKey(elliptic.P384(), b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func derSigOne(r *big.Int) []byte {
	var b cryptobyte.Builder
	b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1BigInt(r) })
	return b.BytesOrPanic()
}

// berLong re-encodes a DER SEQUENCE's short length in BER's long form (0x81 len).
func berLong(sig []byte) []byte {
	return append([]byte{0x30, 0x81, sig[1]}, sig[2:]...)
}

// FuzzVerifyASN1: on any hash and signature bytes, with a fixed key, VerifyASN1 answers as
// crypto/ecdsa does (and never panics).
func FuzzVerifyASN1(f *testing.F) {
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	hash := sha512.Sum384([]byte("fuzz"))
	sig, err := ecdsa.SignASN1(rand.Reader, key, hash[:])
	if err != nil {
		f.Fatal(err)
	}
	f.Add(hash[:], sig)
	f.Add([]byte{}, []byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01})
	f.Fuzz(func(t *testing.T, h, s []byte) {
		if got, std := VerifyASN1(&key.PublicKey, h, s), ecdsa.VerifyASN1(&key.PublicKey, h, s); got != std {
			t.Fatalf("VerifyASN1 = %v, crypto/ecdsa = %v (hash %x, sig %x)", got, std, h, s)
		}
	})
}

// TestSumIsDoubling: with Q = G and e = r, u1 = u2 and R = u1·G + u2·Q adds a point to
// itself, the case an incomplete addition formula gets wrong. A valid signature of that
// shape (k random, s = k⁻¹(e + r·1)) verifies, and the same with s + 1 does not.
func TestSumIsDoubling(t *testing.T) {
	c := elliptic.P384()
	n := c.Params().N
	q := oneKey(t)
	for range 5 {
		k, err := rand.Int(rand.Reader, new(big.Int).Sub(n, big.NewInt(1)))
		if err != nil {
			t.Fatal(err)
		}
		k.Add(k, big.NewInt(1))
		//lint:ignore SA1019 a signature built by hand, with a nonce of the test's choosing
		rx, _ := c.ScalarBaseMult(k.FillBytes(make([]byte, size)))
		r := new(big.Int).Mod(rx, n)
		e := new(big.Int).Set(r)
		s := new(big.Int).Lsh(r, 1) // e + r·d with d = 1
		s.Mul(s, new(big.Int).ModInverse(k, n))
		s.Mod(s, n)
		if r.Sign() == 0 || s.Sign() == 0 {
			continue
		}
		hash := e.FillBytes(make([]byte, size))
		same(t, "u1·G = u2·Q, valid", q, hash, derSig(r, s), true)
		s1 := new(big.Int).Add(s, big.NewInt(1))
		same(t, "u1·G = u2·Q, s + 1", q, hash, derSig(r, s1.Mod(s1, n)), false)
	}
}
