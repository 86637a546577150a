// Package keccak is SHA-3 (FIPS 202) for signet's file hashing on amd64, built on the Go
// project's portable Keccak-f[1600] permutation (keccakf.go, copied from golang.org/x/crypto
// with its licence).
//
// Why: on amd64 the standard library's crypto/sha3 runs an old assembly permutation that is
// slower than what the Go compiler now makes of the portable code. Measured on the reference
// machine (bench/hash, go test -bench SHA3): crypto/sha3 (and golang.org/x/crypto/sha3,
// which wraps it) about 0.21-0.34 GB/s for SHA3-256, this package about 0.38-0.46 GB/s,
// OpenSSL about 0.49 GB/s. The permutation is unchanged Go code, the one crypto/sha3 itself
// compiles with the purego tag and on architectures without assembly; only the sponge around
// it is written here, and it is tested against crypto/sha3 (FIPS 202 vectors, a
// differential fuzz target over contents and write splits) and against OpenSSL in sign's
// tests.
//
// Only the fixed-length SHA3-256, SHA3-384 and SHA3-512 are provided. Signatures keep using
// crypto.SHA3_256 and friends: the digests are the same bytes.
package keccak

import (
	"encoding/binary"
	"hash"
)

const maxRate = 168

// digest is a SHA-3 sponge in its absorbing phase.
type digest struct {
	a      [25]uint64    // the state
	buf    [maxRate]byte // a partial block not absorbed yet
	n      int           // bytes in buf
	rate   int           // block size in bytes: 200 - 2*outLen
	outLen int
}

// New256 returns a SHA3-256 hash.
func New256() hash.Hash { return &digest{rate: 136, outLen: 32} }

// New384 returns a SHA3-384 hash.
func New384() hash.Hash { return &digest{rate: 104, outLen: 48} }

// New512 returns a SHA3-512 hash.
func New512() hash.Hash { return &digest{rate: 72, outLen: 64} }

func (d *digest) Size() int      { return d.outLen }
func (d *digest) BlockSize() int { return d.rate }

func (d *digest) Reset() {
	d.a = [25]uint64{}
	d.n = 0
}

// absorb XORs one full block into the state and permutes it.
func (d *digest) absorb(block []byte) {
	for i := 0; i < d.rate/8; i++ {
		d.a[i] ^= binary.LittleEndian.Uint64(block[8*i:])
	}
	keccakF1600(&d.a)
}

func (d *digest) Write(p []byte) (int, error) {
	n := len(p)
	if d.n > 0 {
		k := copy(d.buf[d.n:d.rate], p)
		d.n += k
		p = p[k:]
		if d.n < d.rate {
			return n, nil
		}
		d.absorb(d.buf[:d.rate])
		d.n = 0
	}
	for len(p) >= d.rate {
		d.absorb(p[:d.rate])
		p = p[d.rate:]
	}
	d.n = copy(d.buf[:], p)
	return n, nil
}

// Sum appends the digest of what was written to b, leaving the state as it was.
func (d *digest) Sum(b []byte) []byte {
	c := *d
	// SHA-3 padding: the domain bits 01, then pad10*1 (FIPS 202, B.2: 0x06 ... 0x80).
	clear(c.buf[c.n:c.rate])
	c.buf[c.n] = 0x06
	c.buf[c.rate-1] |= 0x80
	c.absorb(c.buf[:c.rate])
	var out [64]byte
	for i := 0; i < c.outLen/8; i++ {
		binary.LittleEndian.PutUint64(out[8*i:], c.a[i])
	}
	return append(b, out[:c.outLen]...)
}
