//go:build cgo

package sign

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"slices"
	"testing"
	"time"

	"github.com/signet-pki/signet/hsm"
	"github.com/signet-pki/signet/internal/testutil"
)

// BenchmarkSignFilesToken is BenchmarkSignFiles with an ECDSA P-256 key on a fresh SoftHSM2
// token (one login, signatures on the token's session pool), and "ratio" alternates token
// and software runs of the pipeline (hash and sign, no output) and reports the median ratio
// of their times: issue 4's target is at most 2.
//
//	go test -run '^$' -bench SignFilesToken -benchtime 5x ./sign/
func BenchmarkSignFilesToken(b *testing.B) {
	softhsm := testutil.NewSoftHSM(b, "", "bench")
	opts := hsm.Options{Module: softhsm.Module, Getenv: func(k string) string {
		if k == hsm.EnvPIN {
			return testutil.SoftHSMPIN
		}
		return ""
	}}
	uri := "pkcs11:token=bench;object=p256"
	if _, err := hsm.GenerateKey(uri, hsm.ECP256, opts); err != nil {
		b.Fatal(err)
	}
	tokenKey, err := hsm.OpenSigner(uri, opts)
	if err != nil {
		b.Fatal(err)
	}
	defer tokenKey.Close()
	softKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	names := smallFiles(b, 1000, 64<<10)
	benchSignFiles(b, tokenKey, names)

	b.Run("ratio", func(b *testing.B) {
		run := func(s *Signer) time.Duration {
			start := time.Now()
			if err := pipelineOnly(context.Background(), s, names); err != nil {
				b.Fatal(err)
			}
			return time.Since(start)
		}
		tok, _ := NewSigner(tokenKey, SignOptions{})
		soft, _ := NewSigner(softKey, SignOptions{})
		var ratios []float64
		var tt, ts []time.Duration
		for b.Loop() {
			t1, t2 := run(tok), run(soft)
			tt, ts = append(tt, t1), append(ts, t2)
			ratios = append(ratios, float64(t1)/float64(t2))
		}
		slices.Sort(ratios)
		slices.Sort(tt)
		slices.Sort(ts)
		b.ReportMetric(ratios[len(ratios)/2], "token/software")
		b.Logf("1000 files hashed and signed: token %v, software %v (medians), median ratio %.2f (want <= 2)",
			tt[len(tt)/2], ts[len(ts)/2], ratios[len(ratios)/2])
	})
}
