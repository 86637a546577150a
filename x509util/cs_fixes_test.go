package x509util

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Faults the CSR campaign (cmd/signet/cs_diff_test.go) found in the requests signet took, each
// held here by the smallest request that shows it. Every request below is signed by its own
// key, so that its signature verifies and only the fault decides.

// csReq is a request to write: its version, its subject as DER and its attributes as DER.
type csReq struct {
	version int64
	subject []byte
	attrs   [][]byte
}

func (q csReq) der(t *testing.T, k *ecdsa.PrivateKey) []byte {
	t.Helper()
	spki, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(q.version)
		b.AddBytes(q.subject)
		b.AddBytes(spki)
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			for _, a := range q.attrs {
				b.AddBytes(a)
			}
		})
	})
	tbs := tb.BytesOrPanic()
	h := sha256.Sum256(tbs)
	sig, err := k.Sign(rand.Reader, h[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2})
		})
		b.AddASN1BitString(sig)
	})
	return b.BytesOrPanic()
}

// csName is a Name of one RDN per attribute value given as DER (nil for an RDN with none).
func csName(values ...[]byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, v := range values {
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				if v == nil {
					return
				}
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{2, 5, 4, 3})
					b.AddBytes(v)
				})
			})
		}
	})
	return b.BytesOrPanic()
}

func csTagged(tag int, body []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.Tag(tag), func(b *cryptobyte.Builder) { b.AddBytes(body) })
	return b.BytesOrPanic()
}

func csAttr(oid asn1.ObjectIdentifier, values ...[]byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
			for _, v := range values {
				b.AddBytes(v)
			}
		})
	})
	return b.BytesOrPanic()
}

// csExts is an extensionRequest value: Extensions with one extension of oid and value.
func csExts(oid asn1.ObjectIdentifier, value []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oid)
			b.AddASN1OctetString(value)
		})
	})
	return b.BytesOrPanic()
}

// TestParseCSRStructure: ParseCSR took requests that RFC 2986 and PKCS #9 say are not
// requests, as crypto/x509 reads them (it checks neither the version nor the attributes it
// does not use): a version other than 0 (v1, the only one), an attribute with no value, and
// an extensionRequest given twice or with two values, which crypto/x509 and openssl read
// differently (crypto/x509 reads every extensionRequest attribute but only the first value of
// each; openssl the first value of the first attribute), so that a CA and the requester's tools
// disagree on what was asked; the second value's names were dropped without a warning. `cert
// create --csr` went on to open the CA's key (asking its passphrase) and issued. Each is now
// ErrMalformed (exit 3), before any key is opened.
func TestParseCSRStructure(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	subject := csName(csTagged(asn1.TagUTF8String, []byte("alice")))
	oidExtReq := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 14}
	oidChallenge := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 7}
	san := csExts(asn1.ObjectIdentifier{2, 5, 29, 17}, []byte{0x30, 0x0d, 0x82, 0x0b, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm'})
	bc := csExts(asn1.ObjectIdentifier{2, 5, 29, 19}, []byte{0x30, 0x03, 0x01, 0x01, 0xff})
	password := csTagged(asn1.TagPrintableString, []byte("sesame"))
	for _, tc := range []struct {
		name string
		req  csReq
		bad  bool
	}{
		{"good", csReq{subject: subject, attrs: [][]byte{csAttr(oidExtReq, san), csAttr(oidChallenge, password)}}, false},
		{"no attributes", csReq{subject: subject}, false},
		{"version 1", csReq{version: 1, subject: subject}, true},
		{"version 2", csReq{version: 2, subject: subject, attrs: [][]byte{csAttr(oidExtReq, san)}}, true},
		{"version -1", csReq{version: -1, subject: subject}, true},
		{"extensionRequest twice", csReq{subject: subject, attrs: [][]byte{csAttr(oidExtReq, san), csAttr(oidExtReq, bc)}}, true},
		{"extensionRequest with two values", csReq{subject: subject, attrs: [][]byte{csAttr(oidExtReq, bc, san)}}, true},
		{"extensionRequest with no value", csReq{subject: subject, attrs: [][]byte{csAttr(oidExtReq)}}, true},
		{"challengePassword with no value", csReq{subject: subject, attrs: [][]byte{csAttr(oidChallenge)}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			der := tc.req.der(t, k)
			if _, err := x509.ParseCertificateRequest(der); err != nil {
				t.Fatalf("crypto/x509 refuses the request itself: %v", err)
			}
			_, err := ParseCSR(der)
			switch {
			case !tc.bad && err != nil:
				t.Fatalf("ParseCSR: %v", err)
			case tc.bad && !errors.Is(err, ErrMalformed):
				t.Fatalf("ParseCSR: %v, want ErrMalformed", err)
			}
		})
	}
}

// TestParseCSRSubjectCertificateCanCarry: a request's subject is copied into the certificate
// byte for byte, and crypto/x509 writes only what it reads back: a subject with a
// UniversalString value (RFC 5280 allows it in a DirectoryString, for old subjects) or a value
// that is no string at all got through every check of `cert create --csr`, the CA's key was
// opened and its passphrase asked, and then issuing failed with "x509: invalid RDNSequence"
// and exit 70, an internal error. An RDN with no attribute (RFC 5280: SIZE (1..MAX)) was
// issued into a certificate as it was. ParseCSR now refuses the first two (ErrUnsupported,
// exit 3: valid requests signet cannot certify) and the last (ErrMalformed), before any key.
func TestParseCSRSubjectCertificateCanCarry(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	utf32 := []byte{0, 0, 0, 'a', 0, 0, 0, 'b'}
	for _, tc := range []struct {
		name    string
		subject []byte
		want    error // nil: parsed
	}{
		{"UTF8String", csName(csTagged(asn1.TagUTF8String, []byte("Jürgen"))), nil},
		{"PrintableString", csName(csTagged(asn1.TagPrintableString, []byte("alice"))), nil},
		{"T61String", csName(csTagged(asn1.TagT61String, []byte{'J', 0xfc, 'r'})), nil},
		{"BMPString", csName(csTagged(asn1.TagBMPString, []byte{0, 'a', 0, 'b'})), nil},
		{"IA5String", csName(csTagged(asn1.TagIA5String, []byte("alice"))), nil},
		{"empty subject", csName(), nil},
		{"UniversalString", csName(csTagged(28, utf32)), ErrUnsupported},
		{"INTEGER", csName([]byte{0x02, 0x01, 0x2a}), ErrUnsupported},
		{"an empty RDN", csName(nil), ErrMalformed},
		{"an empty RDN after a CN", csName(csTagged(asn1.TagUTF8String, []byte("alice")), nil), ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			der := csReq{subject: tc.subject}.der(t, k)
			if _, err := x509.ParseCertificateRequest(der); err != nil {
				t.Skipf("crypto/x509 refuses the request itself: %v", err)
			}
			_, err := ParseCSR(der)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("ParseCSR: %v, want %v", err, tc.want)
			}
		})
	}
}

// TestCheckProfileNamesSubjectBounds: a CSR's subject reaches IssueCertificate unchecked by
// ParseDN, which holds it to RFC 5280's upper bounds and refuses a control character (a name
// that cannot be printed as it is can spoof what prints it). IssueCertificate refused both,
// but CheckProfileNames, which a command calls before opening the CA's key, did not: `cert
// create --csr` asked the CA key's passphrase and then refused the request (exit 2). It now
// makes the same checks.
func TestCheckProfileNamesSubjectBounds(t *testing.T) {
	for _, tc := range []struct {
		name string
		cn   string
		bad  bool
	}{
		{"64 characters", strings.Repeat("x", 64), false},
		{"65 characters", strings.Repeat("x", 65), true},
		{"an escape", "evil\x1b[31m", true},
		{"empty", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := csName(csTagged(asn1.TagUTF8String, []byte(tc.cn)))
			req := IssueRequest{Profile: ProfileClient, RawSubject: raw}
			err := CheckProfileNames(req)
			var ne *NameError
			switch {
			case !tc.bad && err != nil:
				t.Fatalf("CheckProfileNames: %v", err)
			case tc.bad && !errors.As(err, &ne):
				t.Fatalf("CheckProfileNames: %v, want a *NameError", err)
			}
		})
	}
}
