// Package hashbench compares the SHA-3 implementations available to signet, to back the
// choice made in sign (crypto/sha3) with numbers. Run it with
//
//	go test -run XXX -bench . ./bench/hash/
//
// Findings on the reference machine (2 cores, AVX-512), with Go 1.26: golang.org/x/crypto/sha3
// is now a thin wrapper around the standard library's crypto/sha3, so both run the same
// assembly Keccak-f[1600] permutation and measure the same; x/crypto's legacy Keccak (the
// only part it still implements itself, in pure Go, same rate as SHA3-256) is slower. There is
// no faster sound pure-Go implementation, so the gap to OpenSSL's (AVX-512) Keccak stays; it
// is measured by hash.sh beside this file.
package hashbench

import (
	"crypto/sha3"
	"hash"
	"testing"

	xsha3 "golang.org/x/crypto/sha3"
)

func benchHash(b *testing.B, h hash.Hash) {
	buf := make([]byte, 256<<10)
	for i := range buf {
		buf[i] = byte(i)
	}
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		h.Write(buf)
	}
	h.Sum(nil)
}

func BenchmarkSHA3_256(b *testing.B) {
	b.Run("crypto-sha3", func(b *testing.B) { benchHash(b, sha3.New256()) })
	b.Run("x-crypto-sha3", func(b *testing.B) { benchHash(b, xsha3.New256()) })
	b.Run("x-crypto-legacy-keccak256-purego", func(b *testing.B) { benchHash(b, xsha3.NewLegacyKeccak256()) })
}

func BenchmarkSHA3_512(b *testing.B) {
	b.Run("crypto-sha3", func(b *testing.B) { benchHash(b, sha3.New512()) })
	b.Run("x-crypto-sha3", func(b *testing.B) { benchHash(b, xsha3.New512()) })
	b.Run("x-crypto-legacy-keccak512-purego", func(b *testing.B) { benchHash(b, xsha3.NewLegacyKeccak512()) })
}
