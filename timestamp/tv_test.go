package timestamp

import (
	"encoding/asn1"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// The token's signingTime attribute is a UTCTime for 1950 to 2049 and a GeneralizedTime from
// 2050 (RFC 5652 11.3). The Authority wrote a UTCTime whatever the year, which cryptobyte
// cannot write for 2050: issuing panicked (BytesOrPanic), and `signet tsa serve` whose clock
// read 2050 or later crashed on the first request. It now writes the type of the year, and
// the token's genTime and signingTime name the same second.
func TestTVAuthoritySigningTimeFrom2050(t *testing.T) {
	p := goodPKI(t)
	for _, now := range []time.Time{
		time.Date(2049, 12, 31, 23, 59, 59, 250_000_000, time.UTC),
		time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2107, 3, 4, 5, 6, 7, 0, time.UTC),
	} {
		a := p.authority()
		a.Now = func() time.Time { return now }
		req, _ := NewRequest([]byte("sig"), 0)
		var der []byte
		var err error
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("issuing at %v panicked: %v", now, r)
				}
			}()
			der, err = a.issue(req, DefaultPolicy(), a.now())
		}()
		if err != nil {
			t.Fatalf("issuing at %v: %v", now, err)
		}
		tok, err := ParseToken(der)
		if err != nil {
			t.Fatal(err)
		}
		if !tok.GenTime.Equal(now.Truncate(time.Microsecond)) {
			t.Errorf("genTime %v, want %v", tok.GenTime, now)
		}
		st, tag := tvSigningTime(t, tok.signedAttrs)
		want := cbasn1.UTCTime
		if now.Year() >= 2050 {
			want = cbasn1.GeneralizedTime
		}
		if tag != want || !st.Equal(now.Truncate(time.Second)) {
			t.Errorf("at %v: signingTime %v of tag %v, want %v of tag %v", now, st, tag, now.Truncate(time.Second), want)
		}
	}
}

// tvSigningTime finds the signingTime attribute in the DER SET of signed attributes.
func tvSigningTime(t *testing.T, attrs []byte) (time.Time, cbasn1.Tag) {
	t.Helper()
	s := cryptobyte.String(attrs)
	var set cryptobyte.String
	if !s.ReadASN1(&set, cbasn1.SET) {
		t.Fatal("signed attributes: not a SET")
	}
	for !set.Empty() {
		var attr, vals cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !set.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&oid) || !attr.ReadASN1(&vals, cbasn1.SET) {
			t.Fatal("bad attribute")
		}
		if !oid.Equal(oidSigningTime) {
			continue
		}
		var tm time.Time
		switch {
		case vals.PeekASN1Tag(cbasn1.UTCTime) && vals.ReadASN1UTCTime(&tm):
			return tm, cbasn1.UTCTime
		case vals.PeekASN1Tag(cbasn1.GeneralizedTime) && vals.ReadASN1GeneralizedTime(&tm):
			return tm, cbasn1.GeneralizedTime
		}
		t.Fatalf("signingTime %x unreadable", []byte(vals))
	}
	t.Fatal("no signingTime")
	return time.Time{}, 0
}
