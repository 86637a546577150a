package sign

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"github.com/signet-pki/signet/internal/atomicfile"
	"github.com/signet-pki/signet/sigformat"
)

// BenchmarkSignFiles signs 1000 files of 64 KiB with an ECDSA P-256 key in one run, the
// release of issue 4's speed target, split into its stages: "pipeline" hashes and signs
// (no output), "stage" is the output alone (1000 atomic files, staged by stagingWriters
// writers and synced once at commit), "total"
// is SignFiles end to end. The whole-process comparison with a shell loop of openssl is
// bench/sign/sign.sh.
//
//	go test -run '^$' -bench SignFiles -benchtime 5x ./sign/
func BenchmarkSignFiles(b *testing.B) {
	names := smallFiles(b, 1000, 64<<10)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	benchSignFiles(b, key, names)
}

func benchSignFiles(b *testing.B, key crypto.Signer, names []string) {
	s, err := NewSigner(key, SignOptions{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("pipeline", func(b *testing.B) {
		for b.Loop() {
			if err := pipelineOnly(ctx, s, names); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stage", func(b *testing.B) {
		sig := make([]byte, 72)
		outs := make([]staged, len(names))
		for i, n := range names {
			outs[i] = staged{out: n + ".sig", sig: sig}
		}
		for b.Loop() {
			if err := writeOutputs(outs, FilesOptions{Force: true}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("total", func(b *testing.B) {
		for b.Loop() {
			if _, err := SignFiles(ctx, s, names, FilesOptions{Force: true}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSignScale signs 1,000 and 10,000 files of 1 KiB (P-256, raw) in one run: "fresh"
// into a new directory of inputs each iteration (made untimed), "deleted" into a directory
// whose previous signatures were just removed (untimed), the case issue 15 found superlinear:
// ext4 without a journal scans past every recently deleted inode of the block group to create
// a file. Compare ns/op of the two sizes: linear is 10x.
//
//	go test -run '^$' -bench SignScale -benchtime 3x ./sign/
func BenchmarkSignScale(b *testing.B) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	s, err := NewSigner(key, SignOptions{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("fresh/%d", n), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				names := smallFiles(b, n, 1<<10)
				b.StartTimer()
				if _, err := SignFiles(ctx, s, names, FilesOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("deleted/%d", n), func(b *testing.B) {
			names := smallFiles(b, n, 1<<10)
			for b.Loop() {
				b.StopTimer()
				if _, err := SignFiles(ctx, s, names, FilesOptions{}); err != nil {
					b.Fatal(err)
				}
				for _, name := range names {
					os.Remove(name + ".sig")
				}
				b.StartTimer()
				if _, err := SignFiles(ctx, s, names, FilesOptions{}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				for _, name := range names {
					os.Remove(name + ".sig")
				}
				b.StartTimer()
			}
		})
	}
}

// BenchmarkSign is one signature per format over a SHA-256 digest, ECDSA P-256.
func BenchmarkSign(b *testing.B) {
	fx := mustFixture(b, "codesign")
	d := sha256.Sum256([]byte("x"))
	for _, f := range sigformat.Formats() {
		opts := SignOptions{Format: f}
		if f != sigformat.Raw {
			opts.Certificates = fx.chain
		}
		s, err := NewSigner(fx.key, opts)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(string(f), func(b *testing.B) {
			for b.Loop() {
				if _, err := s.SignDigest(d[:]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// pipelineOnly hashes and signs the files as SignFiles does, and writes nothing.
func pipelineOnly(ctx context.Context, s *Signer, names []string) error {
	r := &filesRun{s: s, batch: &atomicfile.Batch{Distinct: true}}
	defer r.close()
	items, err := r.list(names)
	if err != nil {
		return err
	}
	r.items = items
	r.ds = r.newDigestStore()
	fails := &failures{}
	if err := runPipeline(ctx, s, items, r.ds, FilesOptions{}, func(int, string, []byte, []byte) {}, startProgress(items, FilesOptions{}), new(atomic.Bool), fails); err != nil {
		return err
	}
	if errs := fails.sorted(); len(errs) > 0 {
		return errs[0]
	}
	return nil
}
