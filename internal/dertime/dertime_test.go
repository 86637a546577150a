package dertime

import (
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// TestReadGeneralizedTime holds the one reader of timestamp's genTime and verify's OCSP times
// to DER's form: a fraction without trailing zeros after a "." point, Z, nothing else.
func TestReadGeneralizedTime(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Time // zero: refused
	}{
		{"20261205021500Z", time.Date(2026, 12, 5, 2, 15, 0, 0, time.UTC)},
		{"20261205021500.5Z", time.Date(2026, 12, 5, 2, 15, 0, 5e8, time.UTC)},
		{"20261205021500.123456Z", time.Date(2026, 12, 5, 2, 15, 0, 123456000, time.UTC)},
		{"20261205021500.50Z", time.Time{}},  // trailing zero
		{"20261205021500.Z", time.Time{}},    // a point and no digit
		{"20261205021500,5Z", time.Time{}},   // a comma
		{"20261205021500+0100", time.Time{}}, // an offset
		{"20261205021500", time.Time{}},      // no Z
		{"202612050215Z", time.Time{}},       // no seconds
		{"20261305021500Z", time.Time{}},     // month 13
		{"20260230021500Z", time.Time{}},     // 30 February
		{"2026120502150a0Z", time.Time{}},    // not a digit
		{"20261205021500.5.5Z", time.Time{}}, // two points
		{"20261205021500.-5Z", time.Time{}},  // a sign
		{"20261205021500.0Z", time.Time{}},   // a zero fraction
		{"20261205021500.000001Z", time.Date(2026, 12, 5, 2, 15, 0, 1000, time.UTC)},
	} {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.GeneralizedTime, func(b *cryptobyte.Builder) { b.AddBytes([]byte(c.in)) })
		s := cryptobyte.String(b.BytesOrPanic())
		var got time.Time
		why := ReadGeneralizedTime(&s, &got)
		switch {
		case c.want.IsZero() && why == "":
			t.Errorf("%s: read as %v, want it refused", c.in, got)
		case !c.want.IsZero() && (why != "" || !got.Equal(c.want) || got.Location() != time.UTC):
			t.Errorf("%s: %v (%q), want %v", c.in, got, why, c.want)
		}
	}
	var s cryptobyte.String
	var got time.Time
	if why := ReadGeneralizedTime(&s, &got); why == "" {
		t.Error("nothing read as a time")
	}
	utc := cryptobyte.String([]byte{0x17, 13, '2', '6', '1', '2', '0', '5', '0', '2', '1', '5', '0', '0', 'Z'})
	if why := ReadGeneralizedTime(&utc, &got); why == "" {
		t.Error("a UTCTime read as a GeneralizedTime")
	}
}
