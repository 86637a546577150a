package sigformat

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/digest"
)

// Why signet builds CMS itself: the maintained Go CMS library (github.com/smallstep/pkcs7)
// computes the messageDigest attribute by hashing content it holds in memory, so a multi-GB
// artifact would be read into memory, a precomputed digest (--digest) could not be signed at
// all, and the digest computed by the parallel hashing engine would be thrown away; it also
// has no Ed25519 (RFC 8419). What signet needs of RFC 5652 is small: one detached SignedData
// with one signer, three signed attributes and the certificates. It is built here with
// golang.org/x/crypto/cryptobyte over the digest signet computed, and checked against openssl
// cms and GnuTLS's certtool in both directions (cms_test.go here and in package sign).

// CMSOptions says what MarshalCMS writes besides the digest.
type CMSOptions struct {
	// Algorithm is the hash of the digest: the digestAlgorithm, and with the key type the
	// signatureAlgorithm.
	Algorithm digest.Algorithm
	// PSS names RSASSA-PSS (a salt as long as the digest, MGF1 with the same hash) for an RSA
	// key; false names PKCS#1 v1.5. The signature sign returns must be made that way.
	PSS bool
	// Certificates are the signer's certificate, which identifies the signer (issuer and
	// serial number) and whose key type names the signature algorithm, then the rest of the
	// chain to carry (no root: verifiers bring their own).
	Certificates []*x509.Certificate
	// SigningTime is the signingTime attribute (truncated to the second, in UTC).
	SigningTime time.Time
	// Timestamp, if not nil, is called with the signature value once it is made and returns
	// an RFC 3161 TimeStampToken (DER) over it, which is added as the unsigned attribute
	// id-aa-signatureTimeStampToken (RFC 3161 appendix A). Its error is returned as it is.
	Timestamp func(signature []byte) ([]byte, error)
}

// oidTimeStampToken is id-aa-signatureTimeStampToken (RFC 3161 appendix A).
var oidTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}

// timestampResponse wraps an RFC 3161 TimeStampToken in a granted TimeStampResp (RFC 3161
// 2.4.2: SEQUENCE { PKIStatusInfo { status 0 }, token }), the form a Sigstore bundle's
// rfc3161Timestamps hold.
func timestampResponse(token []byte) ([]byte, error) {
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1Int64(0) })
		b.AddBytes(token)
	})
	return b.Bytes()
}

// MarshalCMS returns a DER ContentInfo holding a detached SignedData over content whose
// digest under opts.Algorithm is d. sign is called once, with the DER of the signed attributes
// (a SET OF, as RFC 5652 §5.4 says they are signed), and returns the signature over them: for
// Ed25519 over those bytes themselves (RFC 8419), otherwise over their digest under
// opts.Algorithm, with RSASSA-PSS when opts.PSS.
//
// The shape is what `openssl cms -sign -binary -nosmimecap -outform DER` writes: version 1,
// the signer identified by issuer and serial number, signed attributes contentType (id-data),
// signingTime and messageDigest, the signature algorithm as OpenSSL 3 names it
// (ecdsa-with-SHAxxx, rsaEncryption, RSASSA-PSS with its parameters, Ed25519). A hash or key
// CMS cannot name here gives an error wrapping ErrUnsupported; sign's error is returned as it
// is.
func MarshalCMS(d []byte, opts CMSOptions, sign func(signedAttrs []byte) ([]byte, error)) ([]byte, error) {
	if len(opts.Certificates) == 0 || slices.ContainsFunc(opts.Certificates, func(c *x509.Certificate) bool { return c == nil || len(c.Raw) == 0 }) {
		return nil, fmt.Errorf("%w: a CMS signature needs the signer's certificate (and no nil or unparsed one)", ErrUnsupported)
	}
	if sign == nil {
		return nil, fmt.Errorf("%w: a CMS signature needs a function to sign with", ErrUnsupported)
	}
	leaf := opts.Certificates[0]
	digestOID, ok := oidByHash(opts.Algorithm.CryptoHash())
	if !ok {
		return nil, fmt.Errorf("%w: %s in CMS", ErrUnsupported, opts.Algorithm)
	}
	if len(d) != opts.Algorithm.Size() {
		return nil, fmt.Errorf("%w: a %d-byte digest for %s, which makes %d bytes", ErrUnsupported, len(d), opts.Algorithm, opts.Algorithm.Size())
	}
	sigAlg, err := cmsSignatureAlgorithm(leaf.PublicKey, opts)
	if err != nil {
		return nil, err
	}
	attrs, err := signedAttributes(d, opts.SigningTime)
	if err != nil {
		return nil, err
	}
	// The signature covers the attributes encoded as a SET OF (RFC 5652 §5.4).
	signed := cryptobyte.NewBuilder(nil)
	signed.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for _, a := range attrs {
			b.AddBytes(a)
		}
	})
	signedDER, err := signed.Bytes()
	if err != nil {
		return nil, fmt.Errorf("sign: cms: %w", err)
	}
	sig, err := sign(signedDER)
	if err != nil {
		return nil, err
	}
	if len(sig) == 0 {
		return nil, fmt.Errorf("%w: the signature made is empty", ErrUnsupported)
	}
	var token []byte
	if opts.Timestamp != nil {
		if token, err = opts.Timestamp(sig); err != nil {
			return nil, err
		}
	}

	certs := make([][]byte, len(opts.Certificates))
	for i, c := range opts.Certificates {
		certs[i] = c.Raw
	}
	slices.SortFunc(certs, bytes.Compare) // DER orders a SET OF by encoding

	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ContentInfo
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignedData
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					addAlgorithm(b, digestOID, nil)
				})
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // detached: no eContent
					b.AddASN1ObjectIdentifier(oidData)
				})
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					for _, c := range certs {
						b.AddBytes(c)
					}
				})
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignerInfo
						b.AddASN1Int64(1)
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerAndSerialNumber
							b.AddBytes(leaf.RawIssuer)
							b.AddASN1BigInt(leaf.SerialNumber)
						})
						addAlgorithm(b, digestOID, nil)
						b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
							for _, a := range attrs {
								b.AddBytes(a)
							}
						})
						b.AddBytes(sigAlg)
						b.AddASN1OctetString(sig)
						if token != nil {
							b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
								b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
									b.AddASN1ObjectIdentifier(oidTimeStampToken)
									b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(token) })
								})
							})
						}
					})
				})
			})
		})
	})
	return b.Bytes()
}

// addAlgorithm adds an AlgorithmIdentifier; params is its DER parameters, or nil for none.
func addAlgorithm(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, params []byte) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		if params != nil {
			b.AddBytes(params)
		}
	})
}

var asn1NULL = []byte{0x05, 0x00}

// cmsSignatureAlgorithm is the DER AlgorithmIdentifier of the SignerInfo's signatureAlgorithm
// for the signer's key pub.
func cmsSignatureAlgorithm(pub crypto.PublicKey, opts CMSOptions) ([]byte, error) {
	alg := opts.Algorithm
	b := cryptobyte.NewBuilder(nil)
	switch pub.(type) {
	case ed25519.PublicKey:
		addAlgorithm(b, oidEd25519, nil) // RFC 8419: parameters absent
		return b.Bytes()
	case *ecdsa.PublicKey:
		oid, ok := ecdsaSignatureOID(alg.CryptoHash())
		if !ok {
			return nil, fmt.Errorf("%w: ECDSA with %s in CMS", ErrUnsupported, alg)
		}
		addAlgorithm(b, oid, nil) // RFC 5758: parameters absent
		return b.Bytes()
	case *rsa.PublicKey:
	default:
		return nil, fmt.Errorf("%w: %T keys in CMS", ErrUnsupported, pub)
	}
	switch {
	case opts.PSS:
		hashOID, ok := oidByHash(alg.CryptoHash())
		if !ok {
			return nil, fmt.Errorf("%w: RSA-PSS with %s in CMS", ErrUnsupported, alg)
		}
		// RSASSA-PSS-params (RFC 4055): hash, MGF1 with the same hash, salt = hash length,
		// trailerField left at its default.
		params := cryptobyte.NewBuilder(nil)
		params.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				addAlgorithm(b, hashOID, asn1NULL)
			})
			b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(oidMGF1)
					addAlgorithm(b, hashOID, asn1NULL)
				})
			})
			b.AddASN1(cbasn1.Tag(2).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1Int64(int64(alg.Size()))
			})
		})
		p, err := params.Bytes()
		if err != nil {
			return nil, err
		}
		addAlgorithm(b, oidRSAPSS, p)
	default:
		addAlgorithm(b, oidRSAEncryption, asn1NULL) // as OpenSSL writes PKCS#1 v1.5 in CMS
	}
	return b.Bytes()
}

// signedAttributes returns the DER of the contentType, signingTime and messageDigest
// attributes, in DER's SET OF order.
func signedAttributes(d []byte, now time.Time) ([][]byte, error) {
	attr := func(oid asn1.ObjectIdentifier, value func(*cryptobyte.Builder)) ([]byte, error) {
		b := cryptobyte.NewBuilder(nil)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oid)
			b.AddASN1(cbasn1.SET, value)
		})
		return b.Bytes()
	}
	now = now.UTC().Truncate(time.Second)
	var out [][]byte
	for _, a := range []struct {
		oid   asn1.ObjectIdentifier
		value func(*cryptobyte.Builder)
	}{
		{oidContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidData) }},
		{oidSigningTime, func(b *cryptobyte.Builder) {
			// RFC 5652 §11.3: UTCTime for 1950 to 2049, GeneralizedTime otherwise.
			if y := now.Year(); y >= 1950 && y < 2050 {
				b.AddASN1UTCTime(now)
			} else {
				b.AddASN1GeneralizedTime(now)
			}
		}},
		{oidMessageDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(d) }},
	} {
		der, err := attr(a.oid, a.value)
		if err != nil {
			return nil, fmt.Errorf("sign: cms: %w", err)
		}
		out = append(out, der)
	}
	slices.SortFunc(out, bytes.Compare)
	return out, nil
}
