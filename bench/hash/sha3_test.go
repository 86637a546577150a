// Package hashbench compares the SHA-3 implementations available to signet, to back the
// choice made in sign with numbers. Run it with
//
//	go test -run XXX -bench . ./bench/hash/
//	go test -run XXX -bench . ./sign/internal/keccak/   # signet's SHA-3 vs crypto/sha3
//
// Findings on the reference machine (2 cores, AVX-512), with Go 1.26: golang.org/x/crypto/sha3
// is now a thin wrapper around the standard library's crypto/sha3, so both run the same
// amd64 assembly permutation and measure the same (0.21-0.35 GB/s for SHA3-256, noisy). The
// Go project's portable permutation, which x/crypto still compiles for its legacy Keccak
// (same rate as SHA3-256), is faster here: 0.38-0.47 GB/s. signet therefore hashes SHA-3 on
// amd64 with that permutation under a SHA-3 sponge (sign/internal/keccak), tested against
// crypto/sha3. OpenSSL's SHA3-256 (`openssl speed -evp sha3-256`) does about 0.49 GB/s, so a
// gap of roughly 10-20% remains; hash.sh beside this file measures it process to process.
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
