package sign

import (
	"bytes"
	"crypto"
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
// cms in both directions (cms_test.go).

// cms returns a DER ContentInfo holding a detached SignedData over content whose digest is d.
//
// The shape is what `openssl cms -sign -binary -nosmimecap -outform DER` writes: version 1,
// the signer identified by issuer and serial number, signed attributes contentType (id-data),
// signingTime and messageDigest, the signature algorithm as OpenSSL 3 names it
// (ecdsa-with-SHAxxx, rsaEncryption, RSASSA-PSS with its parameters, Ed25519).
func (s *Signer) cms(d digest.Digest) ([]byte, error) {
	leaf := s.chain[0]
	digestOID, ok := oidByHash(s.alg.CryptoHash())
	if !ok {
		return nil, fmt.Errorf("%w: %s in CMS", ErrUnsupported, s.alg)
	}
	sigAlg, err := s.cmsSignatureAlgorithm()
	if err != nil {
		return nil, err
	}
	attrs, err := signedAttributes(d, s.now())
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
	var sig []byte
	if s.kind == kindEd25519 {
		sig, err = s.key.Sign(s.random, signedDER, crypto.Hash(0))
		if err != nil {
			return nil, fmt.Errorf("sign: %w", err)
		}
	} else {
		h := s.alg.New()
		h.Write(signedDER)
		if sig, err = s.signDigest(h.Sum(nil)); err != nil {
			return nil, err
		}
	}

	certs := make([][]byte, len(s.chain))
	for i, c := range s.chain {
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

// cmsSignatureAlgorithm is the DER AlgorithmIdentifier of the SignerInfo's signatureAlgorithm.
func (s *Signer) cmsSignatureAlgorithm() ([]byte, error) {
	b := cryptobyte.NewBuilder(nil)
	switch {
	case s.kind == kindEd25519:
		addAlgorithm(b, oidEd25519, nil) // RFC 8419: parameters absent
	case s.kind == kindECDSA:
		oid, ok := ecdsaSignatureOID(s.alg.CryptoHash())
		if !ok {
			return nil, fmt.Errorf("%w: ECDSA with %s in CMS", ErrUnsupported, s.alg)
		}
		addAlgorithm(b, oid, nil) // RFC 5758: parameters absent
	case s.opts.PSS:
		hashOID, ok := oidByHash(s.alg.CryptoHash())
		if !ok {
			return nil, fmt.Errorf("%w: RSA-PSS with %s in CMS", ErrUnsupported, s.alg)
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
				b.AddASN1Int64(int64(s.alg.Size()))
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
func signedAttributes(d digest.Digest, now time.Time) ([][]byte, error) {
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
