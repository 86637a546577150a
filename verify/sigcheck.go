package verify

import (
	"crypto/x509"

	"github.com/signet-pki/signet/x509util"
)

// checkSignedBy verifies the signature of a signed object (a certificate or a CRL, given whole
// as DER: SEQUENCE { tbs, signatureAlgorithm, signatureValue }) made by parent's key. It is
// x509util.CheckSignature, which checks RSASSA-PSS with any salt length (openssl signs with the
// longest by default) where crypto/x509 reads only a salt as long as the hash.
//
// The first few ECDSA P-384 signatures of a process are checked by checkP384 (p384.go), which
// spares a one-chain run the table crypto/ecdsa builds on its first P-384 verification.
func checkSignedBy(parent *x509.Certificate, algo x509.SignatureAlgorithm, raw, tbs, sig []byte) error {
	if ok, err := checkP384(parent.PublicKey, algo, tbs, sig); ok {
		return err
	}
	return x509util.CheckSignature(parent.PublicKey, algo, raw, tbs, sig)
}
