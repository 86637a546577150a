package x509util

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Signatures on certificates, CRLs and CSRs are checked by crypto/x509, except RSASSA-PSS with
// a salt other than the hash's length, which crypto/x509 does not read (it reports
// UnknownSignatureAlgorithm) although RFC 4055 allows any salt and openssl signs with the
// longest by default (`openssl x509 -req -sigopt rsa_padding_mode:pss`, `openssl req -sigopt
// rsa_padding_mode:pss`). Such signatures are checked here with crypto/rsa, from the
// parameters of the signed object's own AlgorithmIdentifier.

var (
	oidRSAPSS = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidMGF1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	pssHashes = sync.OnceValue(func() map[string]crypto.Hash {
		return map[string]crypto.Hash{
			"1.3.14.3.2.26":          crypto.SHA1,
			"2.16.840.1.101.3.4.2.1": crypto.SHA256,
			"2.16.840.1.101.3.4.2.2": crypto.SHA384,
			"2.16.840.1.101.3.4.2.3": crypto.SHA512,
		}
	})
)

// ErrWeakSignature is returned for a signature made with a hash in which collisions can be
// found (SHA-1, MD5, MD2): a CSR signed so is refused by ParseCSR unless
// CSROptions.AllowSHA1. It matches ErrUnsupported too.
var ErrWeakSignature error = &weakSignatureError{}

type weakSignatureError struct{}

func (*weakSignatureError) Error() string { return "x509util: signature with a weak hash" }
func (*weakSignatureError) Unwrap() error { return ErrUnsupported }

// CheckSignature verifies the signature sig over tbs of a signed X.509 object (a certificate,
// a CRL or a CSR; raw is the whole object as DER, SEQUENCE { tbs, signatureAlgorithm,
// signatureValue }) with pub, the signer's public key. algo is what crypto/x509 parsed from
// the object (its SignatureAlgorithm field): when it is UnknownSignatureAlgorithm and the
// object is signed with RSASSA-PSS, the PSS parameters are read from raw and the signature is
// checked with them (any salt length); everything else is crypto/x509's
// Certificate.CheckSignature, which accepts SHA-1 (callers that refuse it check algo).
// RSASSA-PSS parameters signet does not verify (a hash other than SHA-256/384/512, MGF1 with
// another hash, a trailer other than 1) wrap ErrUnsupported.
func CheckSignature(pub crypto.PublicKey, algo x509.SignatureAlgorithm, raw, tbs, sig []byte) error {
	return checkSignature(pub, algo, raw, tbs, sig, false)
}

// checkSignature is CheckSignature, and with pssSHA1 it verifies RSASSA-PSS over SHA-1 too,
// as crypto/x509 verifies PKCS#1 v1.5 over SHA-1: for a CSR, whose caller decides on SHA-1
// (ParseCSRWithOptions, CSROptions.AllowSHA1) whichever the padding.
func checkSignature(pub crypto.PublicKey, algo x509.SignatureAlgorithm, raw, tbs, sig []byte, pssSHA1 bool) error {
	if algo == x509.UnknownSignatureAlgorithm {
		if p, ok, err := pssParams(raw); ok {
			if err != nil {
				return err
			}
			if p.hash == crypto.SHA1 && !pssSHA1 {
				return fmt.Errorf("%w: RSASSA-PSS parameters signet does not verify: SHA-1", ErrUnsupported)
			}
			rsaPub, isRSA := pub.(*rsa.PublicKey)
			if !isRSA {
				return errors.New("x509util: an RSASSA-PSS signature needs an RSA key")
			}
			h := p.hash.New()
			h.Write(tbs)
			return rsa.VerifyPSS(rsaPub, p.hash, h.Sum(nil), sig, &rsa.PSSOptions{SaltLength: p.salt, Hash: p.hash})
		}
	}
	return (&x509.Certificate{PublicKey: pub}).CheckSignature(algo, tbs, sig)
}

// SignatureAlgorithmName names the signature algorithm of a signed X.509 object (raw, whole,
// as for CheckSignature) for people: crypto/x509's name, or for RSASSA-PSS with a salt
// crypto/x509 does not read "SHA256-RSAPSS (salt 222)", or the algorithm's OID.
func SignatureAlgorithmName(algo x509.SignatureAlgorithm, raw []byte) string {
	if algo != x509.UnknownSignatureAlgorithm {
		return algo.String()
	}
	p, ok, err := pssParams(raw)
	switch {
	case ok && err == nil:
		return fmt.Sprintf("%v-RSAPSS (salt %d)", map[crypto.Hash]string{crypto.SHA1: "SHA1", crypto.SHA256: "SHA256", crypto.SHA384: "SHA384", crypto.SHA512: "SHA512"}[p.hash], p.salt)
	case ok:
		return "RSASSA-PSS (" + err.Error() + ")"
	}
	if oid, ok := outerSignatureOID(raw); ok {
		return oid.String()
	}
	return algo.String()
}

// outerSignatureOID reads the OID of a signed object's outer signatureAlgorithm.
func outerSignatureOID(raw []byte) (asn1.ObjectIdentifier, bool) {
	s := cryptobyte.String(raw)
	var outer, algID cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&outer, cbasn1.SEQUENCE) || !outer.SkipASN1(cbasn1.SEQUENCE) ||
		!outer.ReadASN1(&algID, cbasn1.SEQUENCE) || !algID.ReadASN1ObjectIdentifier(&oid) {
		return nil, false
	}
	return oid, true
}

// isWeakSignature reports a signature algorithm whose hash is SHA-1 or older.
func isWeakSignature(algo x509.SignatureAlgorithm) bool {
	switch algo {
	case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		return true
	}
	return false
}

// isWeakPSS reports a signed object (raw, whole) signed with RSASSA-PSS over SHA-1, which
// crypto/x509 reads as UnknownSignatureAlgorithm.
func isWeakPSS(raw []byte) bool {
	p, ok, err := pssParams(raw)
	return ok && err == nil && p.hash == crypto.SHA1
}

type pssParameters struct {
	hash crypto.Hash
	salt int
}

// pssParams reads the RSASSA-PSS parameters of a signed object's outer AlgorithmIdentifier:
// ok is false when the algorithm is not RSASSA-PSS; err (wrapping ErrUnsupported) is set when
// its parameters are not ones signet verifies. SHA-1 (with MGF1 over SHA-1, both RFC 4055's
// defaults) is read, for checkSignature's callers to decide on.
func pssParams(raw []byte) (p pssParameters, ok bool, err error) {
	s := cryptobyte.String(raw)
	var outer, algID cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&outer, cbasn1.SEQUENCE) || !outer.SkipASN1(cbasn1.SEQUENCE) ||
		!outer.ReadASN1(&algID, cbasn1.SEQUENCE) || !algID.ReadASN1ObjectIdentifier(&oid) || !oid.Equal(oidRSAPSS) {
		return p, false, nil
	}
	bad := func(why string) (pssParameters, bool, error) {
		return pssParameters{}, true, fmt.Errorf("%w: RSASSA-PSS parameters signet does not verify: %s", ErrUnsupported, why)
	}
	var params cryptobyte.String
	if !algID.ReadASN1(&params, cbasn1.SEQUENCE) {
		return bad("absent")
	}
	p.hash, p.salt = crypto.SHA1, 20
	if params.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()) {
		var h, hAlg cryptobyte.String
		var hOID asn1.ObjectIdentifier
		if !params.ReadASN1(&h, cbasn1.Tag(0).ContextSpecific().Constructed()) || !h.ReadASN1(&hAlg, cbasn1.SEQUENCE) ||
			!hAlg.ReadASN1ObjectIdentifier(&hOID) {
			return bad("malformed hashAlgorithm")
		}
		var found bool
		if p.hash, found = pssHashes()[hOID.String()]; !found {
			return bad("hash " + hOID.String())
		}
	}
	if params.PeekASN1Tag(cbasn1.Tag(1).ContextSpecific().Constructed()) {
		var m, mAlg, mParams cryptobyte.String
		var mOID, mhOID asn1.ObjectIdentifier
		if !params.ReadASN1(&m, cbasn1.Tag(1).ContextSpecific().Constructed()) || !m.ReadASN1(&mAlg, cbasn1.SEQUENCE) ||
			!mAlg.ReadASN1ObjectIdentifier(&mOID) || !mOID.Equal(oidMGF1) ||
			!mAlg.ReadASN1(&mParams, cbasn1.SEQUENCE) || !mParams.ReadASN1ObjectIdentifier(&mhOID) {
			return bad("a mask generation function other than MGF1")
		}
		if mh, found := pssHashes()[mhOID.String()]; !found || mh != p.hash {
			return bad("MGF1 with another hash than the signature's")
		}
	} else if p.hash != crypto.SHA1 {
		return bad("MGF1 with SHA-1 (the default)")
	}
	if params.PeekASN1Tag(cbasn1.Tag(2).ContextSpecific().Constructed()) {
		var sl cryptobyte.String
		var n int64
		if !params.ReadASN1(&sl, cbasn1.Tag(2).ContextSpecific().Constructed()) || !sl.ReadASN1Integer(&n) || n < 0 || n > 1024 {
			return bad("malformed saltLength")
		}
		p.salt = int(n)
	}
	if params.PeekASN1Tag(cbasn1.Tag(3).ContextSpecific().Constructed()) {
		var tf cryptobyte.String
		var n int64
		if !params.ReadASN1(&tf, cbasn1.Tag(3).ContextSpecific().Constructed()) || !tf.ReadASN1Integer(&n) || n != 1 {
			return bad("trailerField other than 1")
		}
	}
	return p, true, nil
}
