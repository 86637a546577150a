package verify

import (
	"testing"
	"time"
)

// FuzzCRLExtensions: the CRL distribution points of a certificate and the issuing
// distribution point of a CRL (both from a peer or a user's file, read by hand with
// cryptobyte) are read or refused without a panic, in bounded time; what is read once reads
// the same again.
//
//	go test -run '^$' -fuzz FuzzCRLExtensions -fuzztime 60s ./verify/
func FuzzCRLExtensions(f *testing.F) {
	// CRLDistributionPoints of one point with a fullName URI and reasons; an IDP with a
	// fullName URI, onlyContainsUserCerts and onlySomeReasons.
	f.Add([]byte{0x30, 0x14, 0x30, 0x12, 0xa0, 0x0c, 0xa0, 0x0a, 0x86, 0x08, 'h', 't', 't', 'p', ':', '/', '/', 'a',
		0x81, 0x02, 0x06, 0x40})
	f.Add([]byte{0x30, 0x15, 0xa0, 0x0c, 0xa0, 0x0a, 0x86, 0x08, 'h', 't', 't', 'p', ':', '/', '/', 'a',
		0x81, 0x01, 0xff, 0x83, 0x02, 0x06, 0x40})
	f.Add([]byte{0x30, 0x05, 0x30, 0x03, 0xa0, 0x01, 0xa1})
	f.Fuzz(func(t *testing.T, der []byte) {
		start := time.Now()
		dps, err := parseDistPoints(der)
		if err == nil {
			again, err := parseDistPoints(der)
			if err != nil || len(again) != len(dps) {
				t.Fatalf("distribution points read twice: %d, then %d, %v", len(dps), len(again), err)
			}
		}
		idp, err := parseIDP(der)
		if err == nil && idp == nil {
			t.Fatal("no IDP and no error")
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("took %v", d)
		}
	})
}
