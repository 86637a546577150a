package verify_test

import (
	"crypto/x509"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// FuzzVerifyPool feeds path building and validation a leaf and a pool of certificates cut out
// of the input (concatenated DER): no panic, and an answer within a few seconds whatever the
// pool, with the first parsed certificate as the leaf and the last as the trust anchor.
func FuzzVerifyPool(f *testing.F) {
	// Seeds made deterministically with Ed25519 keys (fuzzChain): the same in every worker,
	// and cheap to check under the fuzzer's instrumentation.
	for _, shape := range []string{"plain", "constrained", "deep", "impostor"} {
		f.Add(fuzzChain(f, shape))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		watchdog := time.AfterFunc(5*time.Second, func() { panic("this input has run for 5s") })
		defer watchdog.Stop()
		var certs []*x509.Certificate
		s := cryptobyte.String(data)
		for !s.Empty() && len(certs) < 64 {
			var el cryptobyte.String
			if !s.ReadASN1Element(&el, cbasn1.SEQUENCE) {
				break
			}
			if c, err := x509util.ParseCertificate(el); err == nil {
				certs = append(certs, c)
			}
		}
		if len(certs) < 2 {
			return
		}
		p := verify.Policy{Roots: certs[len(certs)-1:], Intermediates: certs[1 : len(certs)-1], At: tpAt,
			DNSName: "leaf.example.com", Policies: nil}
		start := time.Now()
		res, err := verify.Verify(certs[0], nil, p)
		if res == nil && err == nil {
			t.Fatal("no result and no error")
		}
		if res != nil && res.Valid != (err == nil) {
			t.Fatalf("valid=%v with err=%v", res.Valid, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("took %v", d)
		}
	})
}
