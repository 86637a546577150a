// Package dertime reads a GeneralizedTime as DER writes it (X.690 11.7), the one form both
// RFC 3161 (a token's genTime, 2.4.2) and RFC 6960 (an OCSP response's times, 4.2.1) allow:
// YYYYMMDDhhmmss[.s...]Z, in UTC, the decimal point ".", the fraction of a second without
// trailing zeros (and none for a whole second). cryptobyte's reader refuses any fraction,
// which DER allows and openssl reads, and takes a time zone offset, which DER forbids;
// time.Parse takes a comma for the point, trailing zeros and an offset.
package dertime

import (
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ReadGeneralizedTime reads a GeneralizedTime element from s into t. It returns what is
// wrong, to follow the field's name in a message, or "" with t set (in UTC).
func ReadGeneralizedTime(s *cryptobyte.String, t *time.Time) string {
	var raw cryptobyte.String
	if !s.ReadASN1(&raw, cbasn1.GeneralizedTime) {
		return "is missing or not a GeneralizedTime"
	}
	digits := func(b []byte) bool {
		for _, c := range b {
			if c < '0' || c > '9' {
				return false
			}
		}
		return len(b) > 0
	}
	ok := len(raw) >= 15 && raw[len(raw)-1] == 'Z' && digits(raw[:14])
	if ok && len(raw) > 15 {
		frac := raw[14 : len(raw)-1]
		ok = frac[0] == '.' && digits(frac[1:]) && frac[len(frac)-1] != '0'
	}
	if !ok {
		return fmt.Sprintf("%q is not YYYYMMDDhhmmss[.s...]Z (DER: UTC, a \".\" point, no trailing zeros)", string(raw))
	}
	v, err := time.Parse("20060102150405Z0700", string(raw))
	if err != nil {
		return fmt.Sprintf("%q is no date", string(raw))
	}
	*t = v.UTC()
	return ""
}
