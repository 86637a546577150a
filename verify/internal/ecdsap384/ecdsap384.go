// Package ecdsap384 verifies ECDSA signatures on P-384 without the table of multiples of the
// base point that Go's crypto/ecdsa builds on the first P-384 operation of a process.
//
// Why it exists (measured, issue 9): `signet cert verify` of the fixture chain, whose root
// is P-384, checks one P-384 signature per process. crypto/ecdsa computes u1·G with
// crypto/internal/fips140/nistec's precomputed generator table, which is built on first use
// (96 windows of 15 points, about 1,440 point additions and 200 KB of allocations): the
// first crypto/ecdsa.VerifyASN1 of a process took 1.5-2.1 ms on the reference machine, the
// next ones 0.5 ms, and that first one was about a third of the whole `cert verify` process.
// Computing u1·G + u2·Q in one pass of 4-bit windows over both scalars (Shamir's trick:
// the doublings shared, 16-point tables of G and Q built per call) builds no lasting table:
// 7.05 M instructions per verification against 12.6 M for two separate constant-time
// scalar multiplications through crypto/elliptic, which this package did first, and against
// 1.5-2.1 ms for crypto/ecdsa's first call. After a few verifications the table pays for
// itself, and the caller (verify.checkSignedBy) goes back to crypto/ecdsa.
//
// What is hand-written is only the ECDSA verification equation of FIPS 186-5 section 6.4.2
// and its joint multiplication, over public data (the scalars come from the signature, the
// hash and the key, so the variable-time skipping of zero windows leaks nothing); the field
// and group arithmetic is filippo.io/nistec's, the standard library's own P-384 code
// published as a module (crypto/elliptic exposes no point addition without conversions). The ASN.1
// reading of the signature is crypto/ecdsa's (cryptobyte, DER only). The tests hold it to
// every Wycheproof ECDSA P-384 vector and to crypto/ecdsa itself on random and edge-case
// inputs (r or s zero, n, above n, high s, a sum at infinity, keys off the curve or at
// infinity, other curves).
package ecdsap384

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"math/big"

	"filippo.io/nistec"
	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// size is the length in bytes of P-384's order n and of its field elements.
const size = 48

// VerifyASN1 reports whether sig, an ASN.1 DER ECDSA-Sig-Value, is a valid signature of hash
// by pub, exactly as crypto/ecdsa.VerifyASN1 answers: a hash longer than 48 bytes is
// truncated to its leftmost 48, r and s must be in [1, n-1], pub must be a point of P-384
// other than the point at infinity, and a key of another curve is refused.
func VerifyASN1(pub *ecdsa.PublicKey, hash, sig []byte) bool {
	c := elliptic.P384()
	if pub == nil || pub.Curve != c {
		return false
	}
	// Bytes refuses what crypto/ecdsa's own conversion of the key refuses: a point off the
	// curve, the point at infinity, negative coordinates or coordinates of p or more.
	q, err := pub.Bytes()
	if err != nil || len(q) != 1+2*size {
		return false
	}
	rb, sb, ok := parseSignature(sig)
	if !ok {
		return false
	}
	params := c.Params()
	n := params.N
	r, s := new(big.Int).SetBytes(rb), new(big.Int).SetBytes(sb)
	if r.Sign() <= 0 || r.Cmp(n) >= 0 || s.Sign() <= 0 || s.Cmp(n) >= 0 {
		return false
	}
	// e: the leftmost 384 bits of the hash (n is exactly 384 bits long, so whole bytes).
	if len(hash) > size {
		hash = hash[:size]
	}
	e := new(big.Int).SetBytes(hash)
	w := new(big.Int).ModInverse(s, n) // s is in [1, n-1] and n is prime: never nil
	u1 := new(big.Int).Mul(e, w)
	u1.Mod(u1, n)
	u2 := new(big.Int).Mul(r, w)
	u2.Mod(u2, n)
	// R = u1·G + u2·Q, without crypto/ecdsa's base-point table (this package's reason to exist).
	x, ok := jointMult(q, u1.FillBytes(make([]byte, size)), u2.FillBytes(make([]byte, size)))
	if !ok {
		return false // R at infinity, or q not a point of the curve
	}
	xi := new(big.Int).SetBytes(x)
	xi.Mod(xi, n)
	return xi.Cmp(r) == 0
}

// jointMult returns the x coordinate of k1·G + k2·Q (Shamir's trick: one pass of 4-bit
// windows over both scalars, sharing the doublings), or false when Q is not a point of P-384
// or the sum is the point at infinity. The scalars are public (derived from the signature,
// the hash and the key), so the additions that skip a zero window leak nothing.
func jointMult(q, k1, k2 []byte) ([]byte, bool) {
	Q, err := nistec.NewP384Point().SetBytes(q)
	if err != nil {
		return nil, false
	}
	var tg, tq [16]*nistec.P384Point
	tg[1], tq[1] = nistec.NewP384Point().SetGenerator(), Q
	for i := 2; i < 16; i++ {
		tg[i] = nistec.NewP384Point().Add(tg[i-1], tg[1])
		tq[i] = nistec.NewP384Point().Add(tq[i-1], tq[1])
	}
	R := nistec.NewP384Point()
	for i := range 2 * size {
		if i > 0 {
			R.Double(R)
			R.Double(R)
			R.Double(R)
			R.Double(R)
		}
		a, b := k1[i/2]>>4, k2[i/2]>>4
		if i%2 == 1 {
			a, b = k1[i/2]&15, k2[i/2]&15
		}
		if a != 0 {
			R.Add(R, tg[a])
		}
		if b != 0 {
			R.Add(R, tq[b])
		}
	}
	x, err := R.BytesX()
	if err != nil {
		return nil, false
	}
	return x, true
}

// parseSignature reads SEQUENCE { r INTEGER, s INTEGER } and nothing after it, as
// crypto/ecdsa's parseSignature does: minimal DER integers, not negative.
func parseSignature(sig []byte) (r, s []byte, ok bool) {
	var inner cryptobyte.String
	input := cryptobyte.String(sig)
	if !input.ReadASN1(&inner, asn1.SEQUENCE) ||
		!input.Empty() ||
		!inner.ReadASN1Integer(&r) ||
		!inner.ReadASN1Integer(&s) ||
		!inner.Empty() {
		return nil, nil, false
	}
	return r, s, true
}
