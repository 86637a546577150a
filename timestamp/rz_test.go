package timestamp

// Two fail-open gaps of token verification (rz): TSTInfo extensions, and more than one ESS
// signing-certificate attribute. The tokens are signet's own TSA's, altered and re-signed
// with the TSA's key, so that everything but the altered part verifies.

import (
	"crypto"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// rzTSTInfo is the DER TSTInfo of a token signet's TSA issues for p.
func rzTSTInfo(t *testing.T, p *testPKI) []byte {
	t.Helper()
	req, _ := NewRequest([]byte("the signature value"), 0)
	der, err := p.authority().issue(req, DefaultPolicy(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ParseToken(der)
	if err != nil {
		t.Fatal(err)
	}
	return tok.tstInfo
}

// rzExtension is one Extension (RFC 5280) with an empty value; critical FALSE is omitted,
// as DER wants.
type rzExtension struct {
	id       asn1.ObjectIdentifier
	critical bool
}

// rzWithExtensions is tstInfo with extensions [1] appended (it must have none).
func rzWithExtensions(t *testing.T, tstInfo []byte, exts ...rzExtension) []byte {
	t.Helper()
	in := cryptobyte.String(tstInfo)
	var body cryptobyte.String
	if !in.ReadASN1(&body, cbasn1.SEQUENCE) {
		t.Fatal("bad TSTInfo")
	}
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(body)
		b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			for _, e := range exts {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(e.id)
					if e.critical {
						b.AddASN1Boolean(true)
					}
					b.AddASN1OctetString([]byte{0x05, 0x00})
				})
			}
		})
	})
	return b.BytesOrPanic()
}

// rzAttr is one signed attribute with one value.
func rzAttr(oid asn1.ObjectIdentifier, value func(*cryptobyte.Builder)) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1(cbasn1.SET, value)
	})
	return b.BytesOrPanic()
}

// rzESS is a signing-certificate attribute (v1: SHA-1 ESSCertID; v2: ESSCertIDv2 with the
// default SHA-256) naming c by its hash alone.
func rzESS(c *x509.Certificate, v2 bool) []byte {
	oid, sum := oidSigningCert, func(b []byte) []byte { s := sha1.Sum(b); return s[:] }
	if v2 {
		oid, sum = oidSigningCertV2, func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }
	}
	return rzAttr(oid, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SigningCertificate(V2)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // certs
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ESSCertID(v2)
					b.AddASN1OctetString(sum(c.Raw))
				})
			})
		})
	})
}

// rzSign is a token over tstInfo signed by p's TSA (ECDSA P-256, SHA-256) with the
// contentType and messageDigest attributes and then ess, in that order (not sorted, so that
// a test decides which of two attributes comes first), carrying p's TSA certificate.
func rzSign(t *testing.T, p *testPKI, tstInfo []byte, ess ...[]byte) []byte {
	t.Helper()
	digest := sha256.Sum256(tstInfo)
	attrs := append([][]byte{
		rzAttr(oidContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidTSTInfo) }),
		rzAttr(oidMessageDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(digest[:]) }),
	}, ess...)
	sa := cryptobyte.NewBuilder(nil)
	sa.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for _, a := range attrs {
			b.AddBytes(a)
		}
	})
	d := sha256.Sum256(sa.BytesOrPanic())
	sig, err := p.tsaKey.Sign(rand.Reader, d[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	sha256OID, _ := oidByHash(crypto.SHA256)
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(3)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { addAlgorithm(b, sha256OID) })
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(oidTSTInfo)
					b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						b.AddASN1OctetString(tstInfo)
					})
				})
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					b.AddBytes(p.tsa.Raw)
				})
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1Int64(1)
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddBytes(p.tsa.RawIssuer)
							b.AddASN1BigInt(p.tsa.SerialNumber)
						})
						addAlgorithm(b, sha256OID)
						b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
							for _, a := range attrs {
								b.AddBytes(a)
							}
						})
						addAlgorithm(b, asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2})
						b.AddASN1OctetString(sig)
					})
				})
			})
		})
	})
	return b.BytesOrPanic()
}

// A TSTInfo extension marked critical that signet does not process must make the token fail
// to verify, as an unknown critical extension makes a certificate fail anywhere in X.509
// (RFC 5280 4.2): the TSA says the token means something else without it. A non-critical
// one is ignored. Verify used to skip the extensions unread, critical or not. (OpenSSL
// 3.0's `openssl ts -verify` does not look at TSTInfo extensions at all: it verifies this
// same critical-extension token, "Verification: OK"; signet is stricter on purpose.)
// An extension twice is malformed.
func TestRZTokenCriticalExtension(t *testing.T) {
	p := goodPKI(t)
	base := rzTSTInfo(t, p)
	ess := rzESS(p.tsa, true)
	unknown := asn1.ObjectIdentifier{1, 2, 3, 4, 99}

	verify := func(t *testing.T, tstInfo []byte) error {
		t.Helper()
		tok, err := ParseToken(rzSign(t, p, tstInfo, ess))
		if err != nil {
			return err
		}
		_, err = tok.Verify(nil)
		return err
	}
	if err := verify(t, base); err != nil {
		t.Fatalf("control, no extension: %v", err)
	}
	if err := verify(t, rzWithExtensions(t, base, rzExtension{unknown, false})); err != nil {
		t.Errorf("a non-critical unknown extension: Verify = %v, want it ignored", err)
	}
	err := verify(t, rzWithExtensions(t, base, rzExtension{asn1.ObjectIdentifier{1, 2, 3, 4, 98}, false}, rzExtension{unknown, true}))
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("a critical unknown extension: Verify = %v, want an error wrapping ErrInvalid", err)
	}
	err = verify(t, rzWithExtensions(t, base, rzExtension{unknown, false}, rzExtension{unknown, false}))
	if !errors.Is(err, ErrMalformed) {
		t.Errorf("an extension twice: %v, want an error wrapping ErrMalformed", err)
	}
}

// The ESS signing-certificate attribute binds the token to the TSA's certificate. Only the
// first attribute was read: a second one, naming another certificate, went unchecked.
//   - Two attributes of one kind (two SigningCertificateV2, or two SigningCertificate) are
//     ambiguous and refused as malformed, whatever they name.
//   - Both kinds at once are allowed: RFC 5035 section 5.4 says that when both are present
//     they are evaluated independently, so each must name the signer; one that names
//     another certificate fails the token, whichever comes first.
func TestRZTokenSigningCertificateAttributes(t *testing.T) {
	p := goodPKI(t)
	base := rzTSTInfo(t, p)
	other := mustCert(t, &x509.Certificate{
		SerialNumber: p.tsa.SerialNumber, Subject: pkix.Name{CommonName: "Not The TSA"},
		NotBefore: notBefore, NotAfter: notAfter, ExtraExtensions: []pkix.Extension{ekuExtension(t, true, oidTimeStamping)},
	}, p.root, p.tsaKey.Public(), p.rootKey)
	v1, v2 := rzESS(p.tsa, false), rzESS(p.tsa, true)
	v1Other, v2Other := rzESS(other, false), rzESS(other, true)

	for _, c := range []struct {
		name string
		ess  [][]byte
		want error // nil: verifies
	}{
		{"v1", [][]byte{v1}, nil},
		{"v2", [][]byte{v2}, nil},
		{"v1-and-v2", [][]byte{v1, v2}, nil},
		{"v2-and-v1", [][]byte{v2, v1}, nil},
		{"v1-then-v2-other", [][]byte{v1, v2Other}, ErrInvalid},
		{"v2-then-v1-other", [][]byte{v2, v1Other}, ErrInvalid},
		{"v1-other-then-v2", [][]byte{v1Other, v2}, ErrInvalid},
		{"two-v2", [][]byte{v2, v2Other}, ErrMalformed},
		{"two-v1", [][]byte{v1, v1Other}, ErrMalformed},
		{"two-v2-same", [][]byte{v2, v2}, ErrMalformed},
	} {
		t.Run(c.name, func(t *testing.T) {
			tok, err := ParseToken(rzSign(t, p, base, c.ess...))
			if err == nil {
				_, err = tok.Verify(nil)
			}
			switch {
			case c.want == nil && err != nil:
				t.Errorf("Verify = %v, want it to verify", err)
			case c.want != nil && !errors.Is(err, c.want):
				t.Errorf("got %v, want an error wrapping %v", err, c.want)
			}
		})
	}
}
