package sigformat

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"

	"github.com/signet-pki/signet/internal/hashoid"
)

// Object identifiers of the digest and signature algorithms in CMS (RFC 5754 for SHA-2,
// RFC 8702 for SHA-3, RFC 4055 for RSA-PSS, RFC 5758 for ECDSA, RFC 8419 for Ed25519).

// hashByOID is the hash a CMS digestAlgorithm names: those of internal/hashoid, and MD5, which
// signet never writes but reads, so that the verifier refuses it as weak (as it does SHA-1)
// rather than as a malformed signature.
func hashByOID(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	if oid.Equal(oidMD5) {
		return crypto.MD5, true
	}
	return hashoid.Hash(oid)
}

// oidMD5 is id-md5 (RFC 1321), a digestAlgorithm of old CMS writers (openssl cms -md md5).
var oidMD5 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 5}

func oidByHash(h crypto.Hash) (asn1.ObjectIdentifier, bool) { return hashoid.OID(h) }

var (
	oidRSAEncryption = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSAPSS        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidMGF1          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	oidECPublicKey   = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidEd25519       = asn1.ObjectIdentifier{1, 3, 101, 112}
)

// signatureOIDs are the signature algorithms whose OID names the hash too.
var signatureOIDs = []struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
	alg  x509.SignatureAlgorithm
	ec   bool // ECDSA; else RSA PKCS#1 v1.5
}{
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}, crypto.SHA256, x509.SHA256WithRSA, false},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}, crypto.SHA384, x509.SHA384WithRSA, false},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}, crypto.SHA512, x509.SHA512WithRSA, false},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 14}, crypto.SHA224, x509.UnknownSignatureAlgorithm, false},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}, crypto.SHA1, x509.SHA1WithRSA, false},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 4}, crypto.MD5, x509.MD5WithRSA, false},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 14}, crypto.SHA3_256, x509.UnknownSignatureAlgorithm, false},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 15}, crypto.SHA3_384, x509.UnknownSignatureAlgorithm, false},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 16}, crypto.SHA3_512, x509.UnknownSignatureAlgorithm, false},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}, crypto.SHA256, x509.ECDSAWithSHA256, true},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}, crypto.SHA384, x509.ECDSAWithSHA384, true},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}, crypto.SHA512, x509.ECDSAWithSHA512, true},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 1}, crypto.SHA224, x509.UnknownSignatureAlgorithm, true},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}, crypto.SHA1, x509.ECDSAWithSHA1, true},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 10}, crypto.SHA3_256, x509.UnknownSignatureAlgorithm, true},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 11}, crypto.SHA3_384, x509.UnknownSignatureAlgorithm, true},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 12}, crypto.SHA3_512, x509.UnknownSignatureAlgorithm, true},
}

// signatureAlgorithmByOID maps a CMS signatureAlgorithm to crypto/x509's constant, given the
// SignerInfo's digest algorithm h: OpenSSL writes rsaEncryption (the key type only) for
// PKCS#1 v1.5, and some writers id-ecPublicKey for ECDSA. ok is false for an algorithm signet
// cannot verify; alg is UnknownSignatureAlgorithm for one crypto/x509 has no constant for.
func signatureAlgorithmByOID(oid asn1.ObjectIdentifier, h crypto.Hash) (alg x509.SignatureAlgorithm, pss, ok bool) {
	switch {
	case oid.Equal(oidEd25519):
		return x509.PureEd25519, false, true
	case oid.Equal(oidRSAPSS):
		switch h {
		case crypto.SHA256:
			return x509.SHA256WithRSAPSS, true, true
		case crypto.SHA384:
			return x509.SHA384WithRSAPSS, true, true
		case crypto.SHA512:
			return x509.SHA512WithRSAPSS, true, true
		}
		return x509.UnknownSignatureAlgorithm, true, true
	case oid.Equal(oidRSAEncryption):
		for _, s := range signatureOIDs {
			if !s.ec && s.hash == h {
				return s.alg, false, true
			}
		}
		return x509.UnknownSignatureAlgorithm, false, true
	case oid.Equal(oidECPublicKey):
		for _, s := range signatureOIDs {
			if s.ec && s.hash == h {
				return s.alg, false, true
			}
		}
		return x509.UnknownSignatureAlgorithm, false, true
	}
	for _, s := range signatureOIDs {
		if s.oid.Equal(oid) {
			return s.alg, false, true
		}
	}
	return x509.UnknownSignatureAlgorithm, false, false
}

// signatureOID is the signatureAlgorithm signet writes for a key type ("rsa", "ecdsa") and
// hash, as OpenSSL 3 writes it: ecdsa-with-SHAxxx for ECDSA, rsaEncryption for PKCS#1 v1.5.
func ecdsaSignatureOID(h crypto.Hash) (asn1.ObjectIdentifier, bool) {
	for _, s := range signatureOIDs {
		if s.ec && s.hash == h && len(s.oid) > 6 {
			return s.oid, true
		}
	}
	return nil, false
}
