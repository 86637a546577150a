package verify_test

import (
	"errors"
	"testing"
	"time"

	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// FuzzParseTrustedRoot: a Sigstore trusted root (a user's file, or one fetched) is read or
// refused with x509util.ErrMalformed, never a panic; what is read has what ParseTrustedRoot
// promises: an authority at least, each with a chain, a start, and no end before it.
//
//	go test -run '^$' -fuzz FuzzParseTrustedRoot -fuzztime 60s ./verify/
func FuzzParseTrustedRoot(f *testing.F) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Add(trustedRootJSON(f, "application/vnd.dev.sigstore.trustedroot+json;version=0.1", start, end, []string{"int-ca.pem", "root-ca.pem"}))
	f.Add(trustedRootJSON(f, "application/vnd.dev.sigstore.trustedroot.v0.2+json", start, time.Time{}, []string{"root-ca.pem"}))
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.trustedroot.v0.2+json","certificateAuthorities":[{"certChain":{"certificates":[{"rawBytes":"MAA="}]},"validFor":{"start":"2025-01-01T00:00:00Z"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := verify.ParseTrustedRoot(data)
		if err != nil {
			if !errors.Is(err, x509util.ErrMalformed) {
				t.Fatalf("error without ErrMalformed: %v", err)
			}
			return
		}
		if len(r.CertificateAuthorities) == 0 {
			t.Fatal("read a root with no certificate authority")
		}
		for _, ca := range append(r.CertificateAuthorities, r.TimestampAuthorities...) {
			if len(ca.Chain) == 0 || ca.Start.IsZero() || !ca.End.IsZero() && ca.End.Before(ca.Start) {
				t.Fatalf("read an authority without a chain or with a bad validFor: %+v", ca)
			}
			for _, c := range ca.Chain {
				if c == nil {
					t.Fatal("a nil certificate in a chain")
				}
			}
		}
	})
}
