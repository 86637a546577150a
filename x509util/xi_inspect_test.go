package x509util

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// xiSigned wraps a TBS of the elements written by tbs as a signed object with an
// ecdsa-with-SHA256 algorithm and a signature of zeros.
func xiSigned(tbs func(b *cryptobyte.Builder)) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, tbs)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier([]int{1, 2, 840, 10045, 4, 3, 2})
		})
		b.AddASN1BitString(make([]byte, 8))
	})
	return b.BytesOrPanic()
}

// TestInspectDERErrorSaysWhatTheInputIs: DER input that is no certificate was refused with
// the certificate parser's reason even when it was a CSR or a CRL that failed to parse
// ("as a certificate: x509: malformed tbs certificate"), which sent the user looking for
// a certificate's fault. The error now says what the input looks like and its own parser's
// reason.
func TestInspectDERErrorSaysWhatTheInputIs(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	name := func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier([]int{2, 5, 4, 3})
					b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte("xi")) })
				})
			})
		})
	}
	// a CSR whose extensionRequest holds an INTEGER where its list of extensions belongs
	csr := xiSigned(func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0)
		name(b)
		b.AddBytes(spki)
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier([]int{1, 2, 840, 113549, 1, 9, 14})
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddASN1Int64(5) })
			})
		})
	})
	// a CRL whose thisUpdate is no time
	crl := xiSigned(func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier([]int{1, 2, 840, 10045, 4, 3, 2})
		})
		name(b)
		b.AddASN1(cbasn1.UTCTime, func(b *cryptobyte.Builder) { b.AddBytes([]byte("26134099xx00Z")) })
	})
	// a certificate whose validity is empty
	cert := xiSigned(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddASN1Int64(2) })
		b.AddASN1Int64(7)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier([]int{1, 2, 840, 10045, 4, 3, 2})
		})
		name(b)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {})
		name(b)
		b.AddBytes(spki)
	})
	for _, tt := range []struct {
		name string
		der  []byte
		want string
		not  string
	}{
		{"csr", csr, "DER certificate signing request that does not parse: ", "as a certificate"},
		{"crl", crl, "DER CRL that does not parse: x509: ", "as a certificate"},
		{"certificate", cert, "DER certificate that does not parse: x509: ", "CSR"},
		{"garbage", []byte{0x30, 0x03, 0x02, 0x01, 0x01}, "neither PEM nor a DER certificate, CSR or CRL", "does not parse"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseObjects(tt.der)
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), tt.not) {
				t.Fatalf("err = %v, want ErrMalformed with %q and without %q", err, tt.want, tt.not)
			}
		})
	}
}
