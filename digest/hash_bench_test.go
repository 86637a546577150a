package digest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// The benchmarks measure the hashing loop and the parallel engine in process. The comparison
// with openssl and coreutils, which needs whole processes timed side by side, is
// bench/hash/hash.sh.

func benchFile(b *testing.B, size int) string {
	b.Helper()
	name := filepath.Join(b.TempDir(), "data")
	if err := os.WriteFile(name, bytes.Repeat([]byte{0x5a}, size), 0o644); err != nil {
		b.Fatal(err)
	}
	return name
}

// BenchmarkHashReader is the single-stream loop over a cached file, per algorithm and read
// size: the read size is BufferSize because larger reads stopped helping there.
func BenchmarkHashReader(b *testing.B) {
	const size = 64 << 20
	name := benchFile(b, size)
	for _, a := range []Algorithm{SHA256, SHA512, SHA3_256} {
		for _, bs := range []int{32 << 10, 128 << 10, 256 << 10, 1 << 20} {
			for _, ahead := range []bool{false, true} {
				b.Run(fmt.Sprintf("%s/buf=%dK/ahead=%v", a, bs>>10, ahead), func(b *testing.B) {
					bufs := &buffers{size: bs, readAhead: ahead}
					h := a.New()
					b.SetBytes(size)
					for b.Loop() {
						h.Reset()
						if _, ferr := hashPath(context.Background(), h, name, bufs, nil, false); ferr != nil {
							b.Fatal(ferr)
						}
					}
				})
			}
		}
	}
}

func smallFiles(b *testing.B, n, size int) []string {
	b.Helper()
	dir := b.TempDir()
	data := bytes.Repeat([]byte{0xa5}, size)
	names := make([]string, n)
	for i := range names {
		names[i] = filepath.Join(dir, fmt.Sprintf("f%04d", i))
		if err := os.WriteFile(names[i], data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return names
}

// BenchmarkHashFiles is 1000 files of 64 KiB through the ordered parallel engine, against a
// bare loop (one goroutine) and an unordered split over two goroutines: the engine's own cost
// is the difference.
func BenchmarkHashFiles(b *testing.B) {
	names := smallFiles(b, 1000, 64<<10)
	b.Run("engine", func(b *testing.B) {
		b.SetBytes(int64(len(names)) * 64 << 10)
		for b.Loop() {
			err := HashFiles(context.Background(), names, HashOptions{}, func(FileResult) error { return nil })
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("engine-1worker", func(b *testing.B) {
		b.SetBytes(int64(len(names)) * 64 << 10)
		for b.Loop() {
			err := HashFiles(context.Background(), names, HashOptions{Workers: 1}, func(FileResult) error { return nil })
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("loop", func(b *testing.B) {
		b.SetBytes(int64(len(names)) * 64 << 10)
		bufs := &buffers{size: BufferSize}
		h := SHA256.New()
		for b.Loop() {
			for _, n := range names {
				h.Reset()
				if _, ferr := hashPath(context.Background(), h, n, bufs, nil, false); ferr != nil {
					b.Fatal(ferr)
				}
				h.Sum(nil)
			}
		}
	})
	b.Run("split2", func(b *testing.B) {
		b.SetBytes(int64(len(names)) * 64 << 10)
		for b.Loop() {
			var wg sync.WaitGroup
			for w := range 2 {
				wg.Go(func() {
					bufs := &buffers{size: BufferSize}
					h := SHA256.New()
					for i := w; i < len(names); i += 2 {
						h.Reset()
						hashPath(context.Background(), h, names[i], bufs, nil, false)
						h.Sum(nil)
					}
				})
			}
			wg.Wait()
		}
	})
}
