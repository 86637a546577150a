package verify_test

// The signet faults the times campaign (tv_diff_test.go) found, each with the case that
// showed it.

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/sigformat"
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

// tvTSA is a root and a TSA certificate under it valid from nb to na.
func tvTSA(nb, na time.Time) (root, tsa *x509.Certificate, key crypto.Signer) {
	rk, k := rxKey("p256", 923), rxKey("p256", 924)
	rt := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: tsName("TV TS Root"), NotBefore: nb.Add(-48 * time.Hour), NotAfter: na.Add(48 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	root = tsMust(x509.ParseCertificate(tsMust(x509.CreateCertificate(rand.Reader, rt, rt, rk.Public(), rk))))
	tt := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: tsName("TV TS Authority"), NotBefore: nb, NotAfter: na,
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{tsExt(oidTSEKU, true, []asn1.ObjectIdentifier{oidTSTimeStamp})}}
	tsa = tsMust(x509.ParseCertificate(tsMust(x509.CreateCertificate(rand.Reader, tt, root, k.Public(), rk))))
	return root, tsa, k
}

// A CMS signingTime is a UTCTime for the years 1950 to 2049 and a GeneralizedTime otherwise,
// in UTC ("Z") with seconds, without a fraction (RFC 5652 11.3: each a MUST). signet read it
// with cryptobyte, which takes a UTCTime without seconds and either type with a time zone
// offset, and took a GeneralizedTime of any year: a signature whose signingTime was written
// so verified, and its signing time was printed as if well formed. It is now a malformed
// signature, as an unreadable signingTime was; the good forms read as before.
func TestTVSigningTimeEncoding(t *testing.T) {
	rk, lk := rxKey("p256", 931), rxKey("p256", 932)
	root, leaf := rxName("TV Root"), rxName("TV Leaf")
	cert := tsMust(x509.ParseCertificate(tvCert(leaf, root, lk, rk, 5, tvFirst, tvLast, false)))
	data := []byte("data\n")
	utc := func(s string) tvTime { return tvTime{tag: cbasn1.UTCTime, raw: s} }
	gen := func(s string) tvTime { return tvTime{tag: cbasn1.GeneralizedTime, raw: s} }
	for _, tc := range []struct {
		st   tvTime
		want time.Time // zero: malformed
	}{
		{utc("261204123456Z"), time.Date(2026, 12, 4, 12, 34, 56, 0, time.UTC)},
		{utc("500101000000Z"), time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)},
		{utc("491231235959Z"), time.Date(2049, 12, 31, 23, 59, 59, 0, time.UTC)},
		{gen("20500101000000Z"), time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC)},
		{gen("19491231235959Z"), time.Date(1949, 12, 31, 23, 59, 59, 0, time.UTC)},
		{utc("2612041234Z"), time.Time{}},
		{utc("261204123456+0100"), time.Time{}},
		{utc("261204123456-0000"), time.Time{}},
		{gen("20261204123456Z"), time.Time{}},
		{gen("20261204123456+0000"), time.Time{}},
		{gen("20610325123623+0545"), time.Time{}},
		{gen("20500101000000.5Z"), time.Time{}},
	} {
		s, err := sigformat.Parse(tvCMS(cert, lk, data, tc.st))
		if tc.want.IsZero() {
			if !errors.Is(err, sigformat.ErrMalformedSignature) || !strings.Contains(err.Error(), "signingTime") {
				t.Errorf("signingTime %q: %v, want a malformed signingTime", tc.st.raw, err)
			}
			continue
		}
		if err != nil || !s.SigningTime.Equal(tc.want) {
			t.Errorf("signingTime %q: %v, read %v, want %v", tc.st.raw, err, s.SigningTime, tc.want)
		}
	}
}
