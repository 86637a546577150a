package verify_test

// The signet faults the times campaign (tv_diff_test.go) found, each with the case that
// showed it.

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/timestamp"
	"github.com/signet-pki/signet/verify"
)

// tvToken is a good token of tsa over data whose genTime is written as raw.
func tvToken(tsa *x509.Certificate, key crypto.Signer, data []byte, raw string) []byte {
	d := sha256.Sum256(data)
	certHash := sha256.Sum256(tsa.Raw)
	ess := tsAttr(oidTSESSv2, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1OctetString(certHash[:]) })
			})
		})
	})
	p := tsTokenPlan{imprintHash: crypto.SHA256, imprint: d[:], policy: tsPolicyA, digestHash: crypto.SHA256,
		contentType: "ok", msgDigest: "ok", attrs: [][]byte{ess}, certs: [][]byte{tsa.Raw}, signer: key, genTimeRaw: raw}
	return p.build(tsNow(), tsa)
}

// A TSTInfo's genTime is YYYYMMDDhhmmss[.s...]Z (RFC 3161 2.4.2): the decimal point "MUST be
// the point option '.'", the fraction "MUST omit all trailing 0's" and a fraction of 0 "MUST
// be wholly omitted". signet read the genTime with time.Parse, which also takes a comma for
// the point and a fraction with trailing zeros, so a token written ",5Z", ".50Z" or ".0Z"
// verified as if well formed. It is now malformed (timestamp.ErrMalformed), and the good
// forms still read to the nanosecond.
func TestTVGenTimeEncoding(t *testing.T) {
	root, tsa, key := tsFixTSA(t)
	data := []byte("a signature\n")
	base := tsNow().Add(-time.Hour)
	day := base.Format("20060102150405")
	for _, tc := range []struct {
		raw  string
		want time.Time // zero: malformed
	}{
		{day + "Z", base},
		{day + ".5Z", base.Add(500 * time.Millisecond)},
		{day + ".000001Z", base.Add(time.Microsecond)},
		{day + ".123456789Z", base.Add(123456789)},
		{day + ",5Z", time.Time{}},
		{day + ".50Z", time.Time{}},
		{day + ".0Z", time.Time{}},
		{day + ".Z", time.Time{}},
		{day + "z", time.Time{}},
		{day, time.Time{}},
		{day + "+0000", time.Time{}},
		{day[:12] + "Z", time.Time{}},
		{day + ".5+0100", time.Time{}},
	} {
		r, err := verify.VerifyTimestamp(tvToken(tsa, key, data, tc.raw), data, nil, []*x509.Certificate{root})
		if tc.want.IsZero() {
			if !errors.Is(err, timestamp.ErrMalformed) || !strings.Contains(err.Error(), "genTime") {
				t.Errorf("genTime %q: %v, want malformed genTime", tc.raw, err)
			}
			continue
		}
		if err != nil || !r.GenTime.Equal(tc.want) {
			t.Errorf("genTime %q: %v at %v, want valid at %v", tc.raw, err, r.GenTime, tc.want)
		}
	}
}
