// Package hashbench compares the SHA-3 implementations available to signet. Run it with
//
//	go test -run XXX -bench . ./bench/hash/
//
// (-count runs each sub-benchmark its count times in a row, not alternately: on a shared
// machine run the compiled test binary in a loop instead, A B A B ..., and compare per pair.)
//
// History. signet once hashed SHA-3 on amd64 with a copy of the Go project's portable
// Keccak-f[1600] permutation (sign/internal/keccak), because it measured 1.2-1.3x faster than
// crypto/sha3 on one machine; a second machine measured the opposite (106-139 MB/s for the
// copy, 147-166 MB/s for crypto/sha3). Measured again on the reference machine (2 cores, AMD
// EPYC with AVX-512, Go 1.26.8), alternating, issue 14:
//
//   - whole processes, `signet hash -a sha3-256` and `-a sha3-512` of 512 MiB, 11 pairs each
//     (bench/lib.sh's compare), machine idle: the copy took 1.32x and 1.33x crypto/sha3's
//     wall time (pairs 1.14-1.38), and crypto/sha3 0.995x and 1.005x `openssl dgst`'s; under
//     load (another engineer's tests running) 1.12x and 1.11x;
//   - in process, 21-31 pairs of 64 MiB by thread CPU time, under load: the copy took
//     1.04-1.16x crypto/sha3's CPU for SHA3-256 and 1.04-1.14x for SHA3-512;
//   - the copy's own BenchmarkSHA3_256, 15 alternating runs under load: the copy 0.83-1.24x
//     crypto/sha3's throughput, median 1.13x, the only figure in its favour.
//
// Nothing shows the copy faster by a clear margin, and whole runs show it slower: signet uses
// crypto/sha3 (which also stays inside Go's FIPS 140 module) and the copy is gone. x/crypto's
// sha3 is a thin wrapper around crypto/sha3 and measures the same; its legacy Keccak still
// runs the portable permutation and is kept below as the reference for that code.
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
