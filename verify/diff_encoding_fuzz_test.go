package verify

import (
	"testing"

	"github.com/signet-pki/signet/internal/pkixname"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// FuzzTimeEncoding feeds the readers of certificate and CRL times (validityEncoding,
// crlTimeEncoding) arbitrary times: no panic, both readers agree, and a time is refused
// exactly when it is not written YYMMDDHHMMSSZ or YYYYMMDDHHMMSSZ.
func FuzzTimeEncoding(f *testing.F) {
	f.Add([]byte("250101000000Z"), true)
	f.Add([]byte("20500101000000Z"), false)
	f.Add([]byte("2501010000Z"), true)
	f.Add([]byte("250101000000+0100"), true)
	f.Fuzz(func(t *testing.T, raw []byte, utc bool) {
		tag := cbasn1.GeneralizedTime
		if utc {
			tag = cbasn1.UTCTime
		}
		var b cryptobyte.Builder
		b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes(raw) })
		elem, err := b.Bytes()
		if err != nil {
			return
		}
		// A TBSCertificate with the time as both validity dates, and a TBSCertList with it
		// as thisUpdate and revocationDate.
		var tbs cryptobyte.Builder
		tbs.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Int64(1)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {})
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {})
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddBytes(elem); b.AddBytes(elem) })
		})
		why := validityEncoding(tbs.BytesOrPanic())
		var crl cryptobyte.Builder
		crl.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Int64(1)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {})
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {})
			b.AddBytes(elem)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1Int64(5); b.AddBytes(elem) })
			})
		})
		whyCRL := crlTimeEncoding(crl.BytesOrPanic())
		if (why == "") != (whyCRL == "") {
			t.Fatalf("certificate %q, CRL %q: one reader refuses what the other accepts", why, whyCRL)
		}
		wellWritten := (len(raw) == 13 && utc || len(raw) == 15 && !utc) && raw[len(raw)-1] == 'Z'
		for _, c := range raw[:max(len(raw)-1, 0)] {
			wellWritten = wellWritten && c >= '0' && c <= '9'
		}
		if wellWritten && why != "" {
			t.Fatalf("%q refused: %s", raw, why)
		}
		if !wellWritten && why == "" {
			t.Fatalf("%q accepted", raw)
		}
	})
}

// FuzzOpaqueNames feeds opaqueNameProblem the general names pkixname reads from arbitrary
// GeneralNames: no panic.
func FuzzOpaqueNames(f *testing.F) {
	f.Add([]byte{0xa0, 0x0f, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x14, 0x02, 0x03, 0xa0, 0x01, 0x0c})
	f.Add([]byte{0x88, 0x03, 0x2a, 0x03, 0x04})
	f.Add([]byte{0x88, 0x01, 0x80})
	f.Fuzz(func(t *testing.T, content []byte) {
		names, err := pkixname.ParseGeneralNames(content, true)
		if err != nil {
			return
		}
		_ = opaqueNameProblem(names)
	})
}
