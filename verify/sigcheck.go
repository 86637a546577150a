package verify

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Signatures on certificates and CRLs are checked by crypto/x509, except RSASSA-PSS with a
// salt other than the hash's length, which crypto/x509 does not read (it reports
// UnknownSignatureAlgorithm) although RFC 4055 allows any salt and openssl signs with the
// longest by default (`openssl x509 -req -sigopt rsa_padding_mode:pss`). Such signatures are
// checked here with crypto/rsa, from the parameters of the signed object's own
// AlgorithmIdentifier.

var (
	oidRSAPSS = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidMGF1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	pssHashes = map[string]crypto.Hash{
		"2.16.840.1.101.3.4.2.1": crypto.SHA256,
		"2.16.840.1.101.3.4.2.2": crypto.SHA384,
		"2.16.840.1.101.3.4.2.3": crypto.SHA512,
	}
)

// checkSignedBy verifies the signature of a signed object (a certificate or a CRL, given whole
// as DER: SEQUENCE { tbs, signatureAlgorithm, signatureValue }) made by parent's key.
func checkSignedBy(parent *x509.Certificate, algo x509.SignatureAlgorithm, raw, tbs, sig []byte) error {
	if algo == x509.UnknownSignatureAlgorithm {
		if hash, salt, ok, err := pssParams(raw); ok {
			if err != nil {
				return err
			}
			pub, isRSA := parent.PublicKey.(*rsa.PublicKey)
			if !isRSA {
				return errors.New("an RSASSA-PSS signature needs an RSA key")
			}
			h := hash.New()
			h.Write(tbs)
			return rsa.VerifyPSS(pub, hash, h.Sum(nil), sig, &rsa.PSSOptions{SaltLength: salt, Hash: hash})
		}
	}
	return parent.CheckSignature(algo, tbs, sig)
}

// pssParams reads the RSASSA-PSS parameters of a signed object's outer AlgorithmIdentifier:
// ok is false when the algorithm is not RSASSA-PSS; err is set when its parameters are not
// ones signet verifies (a hash other than SHA-256/384/512, MGF1 with another hash, a trailer
// other than 1).
func pssParams(raw []byte) (hash crypto.Hash, salt int, ok bool, err error) {
	s := cryptobyte.String(raw)
	var outer, algID cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&outer, cbasn1.SEQUENCE) || !outer.SkipASN1(cbasn1.SEQUENCE) ||
		!outer.ReadASN1(&algID, cbasn1.SEQUENCE) || !algID.ReadASN1ObjectIdentifier(&oid) || !oid.Equal(oidRSAPSS) {
		return 0, 0, false, nil
	}
	bad := func(why string) (crypto.Hash, int, bool, error) {
		return 0, 0, true, fmt.Errorf("RSASSA-PSS parameters signet does not verify: %s", why)
	}
	var params cryptobyte.String
	if !algID.ReadASN1(&params, cbasn1.SEQUENCE) {
		return bad("absent")
	}
	hash, salt = crypto.SHA1, 20
	if params.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()) {
		var h, hAlg cryptobyte.String
		var hOID asn1.ObjectIdentifier
		if !params.ReadASN1(&h, cbasn1.Tag(0).ContextSpecific().Constructed()) || !h.ReadASN1(&hAlg, cbasn1.SEQUENCE) ||
			!hAlg.ReadASN1ObjectIdentifier(&hOID) {
			return bad("malformed hashAlgorithm")
		}
		var found bool
		if hash, found = pssHashes[hOID.String()]; !found {
			return bad("hash " + hOID.String())
		}
	}
	if hash == crypto.SHA1 {
		return bad("SHA-1")
	}
	if params.PeekASN1Tag(cbasn1.Tag(1).ContextSpecific().Constructed()) {
		var m, mAlg, mParams cryptobyte.String
		var mOID, mhOID asn1.ObjectIdentifier
		if !params.ReadASN1(&m, cbasn1.Tag(1).ContextSpecific().Constructed()) || !m.ReadASN1(&mAlg, cbasn1.SEQUENCE) ||
			!mAlg.ReadASN1ObjectIdentifier(&mOID) || !mOID.Equal(oidMGF1) ||
			!mAlg.ReadASN1(&mParams, cbasn1.SEQUENCE) || !mParams.ReadASN1ObjectIdentifier(&mhOID) {
			return bad("a mask generation function other than MGF1")
		}
		if mh, found := pssHashes[mhOID.String()]; !found || mh != hash {
			return bad("MGF1 with another hash than the signature's")
		}
	} else {
		return bad("MGF1 with SHA-1 (the default)")
	}
	if params.PeekASN1Tag(cbasn1.Tag(2).ContextSpecific().Constructed()) {
		var sl cryptobyte.String
		var n int64
		if !params.ReadASN1(&sl, cbasn1.Tag(2).ContextSpecific().Constructed()) || !sl.ReadASN1Integer(&n) || n < 0 || n > 1024 {
			return bad("malformed saltLength")
		}
		salt = int(n)
	}
	if params.PeekASN1Tag(cbasn1.Tag(3).ContextSpecific().Constructed()) {
		var tf cryptobyte.String
		var n int64
		if !params.ReadASN1(&tf, cbasn1.Tag(3).ContextSpecific().Constructed()) || !tf.ReadASN1Integer(&n) || n != 1 {
			return bad("trailerField other than 1")
		}
	}
	return hash, salt, true, nil
}
