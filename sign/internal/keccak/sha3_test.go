package keccak

import (
	"bytes"
	"crypto/sha3"
	"encoding/hex"
	"hash"
	"testing"
)

var impls = []struct {
	name string
	ours func() hash.Hash
	std  func() hash.Hash
}{
	{"sha3-256", New256, func() hash.Hash { return sha3.New256() }},
	{"sha3-384", New384, func() hash.Hash { return sha3.New384() }},
	{"sha3-512", New512, func() hash.Hash { return sha3.New512() }},
}

// TestVectors uses the FIPS 202 examples (empty message and "abc").
func TestVectors(t *testing.T) {
	for _, tc := range []struct {
		new  func() hash.Hash
		msg  string
		want string
	}{
		{New256, "", "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"},
		{New256, "abc", "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"},
		{New384, "abc", "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b298d88cea927ac7f539f1edf228376d25"},
		{New512, "abc", "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0"},
	} {
		h := tc.new()
		h.Write([]byte(tc.msg))
		if got := hex.EncodeToString(h.Sum(nil)); got != tc.want {
			t.Errorf("%d-byte digest of %q = %s, want %s", h.Size(), tc.msg, got, tc.want)
		}
	}
}

// TestAgainstStdlib compares with crypto/sha3 for every length around the block sizes, in
// one write and in uneven pieces, and checks that Sum does not disturb the state and Reset
// restores it.
func TestAgainstStdlib(t *testing.T) {
	data := make([]byte, 1000)
	for i := range data {
		data[i] = byte(i*7 + i>>3)
	}
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			ours, std := im.ours(), im.std()
			if ours.Size() != std.Size() || ours.BlockSize() != std.BlockSize() {
				t.Fatalf("size %d/%d block %d/%d", ours.Size(), std.Size(), ours.BlockSize(), std.BlockSize())
			}
			for n := 0; n <= len(data); n++ {
				ours.Reset()
				std.Reset()
				ours.Write(data[:n])
				std.Write(data[:n])
				if !bytes.Equal(ours.Sum(nil), std.Sum(nil)) {
					t.Fatalf("length %d differs", n)
				}
				// In pieces of 1, 2, 3, ... bytes, with a Sum part way.
				ours.Reset()
				for i, k := 0, 1; i < n; i, k = i+k, k+1 {
					ours.Write(data[i:min(i+k, n)])
					if k == 3 {
						ours.Sum(nil)
					}
				}
				if !bytes.Equal(ours.Sum([]byte("prefix")), std.Sum([]byte("prefix"))) {
					t.Fatalf("length %d in pieces differs", n)
				}
			}
		})
	}
}

// FuzzAgainstStdlib compares with crypto/sha3 on arbitrary contents split at an arbitrary
// point.
func FuzzAgainstStdlib(f *testing.F) {
	f.Add([]byte("abc"), uint16(1))
	f.Add(bytes.Repeat([]byte{0xff}, 300), uint16(136))
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		s := min(int(split), len(data))
		for _, im := range impls {
			ours, std := im.ours(), im.std()
			ours.Write(data[:s])
			ours.Write(data[s:])
			std.Write(data)
			if !bytes.Equal(ours.Sum(nil), std.Sum(nil)) {
				t.Fatalf("%s differs for %d bytes split at %d", im.name, len(data), s)
			}
		}
	})
}

func BenchmarkSHA3_256(b *testing.B) {
	buf := make([]byte, 256<<10)
	for _, im := range impls[:1] {
		for name, h := range map[string]hash.Hash{"keccak": im.ours(), "crypto-sha3": im.std()} {
			b.Run(name, func(b *testing.B) {
				b.SetBytes(int64(len(buf)))
				for b.Loop() {
					h.Write(buf)
				}
			})
		}
	}
}
