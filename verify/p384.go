package verify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"errors"
	"sync/atomic"

	"github.com/signet-pki/signet/verify/internal/ecdsap384"
)

// p384Untabled is how many P-384 ECDSA signatures of certificates and CRLs a process checks
// with ecdsap384 before it leaves them to crypto/ecdsa. Go's crypto/ecdsa builds a table of
// multiples of P-384's base point on its first P-384 verification (1.5-2.1 ms here, a third
// of a one-chain `signet cert verify`); ecdsap384 builds none and takes 0.7-0.9 ms a
// signature against crypto/ecdsa's 0.5 ms once the table is built. A path of a few P-384
// certificates is cheaper without the table; a long run (a tunnel, many CRLs) is cheaper
// with it, and pays for it once.
const p384Untabled = 4

// p384Checked counts the signatures checkP384 has taken, in this process.
var p384Checked atomic.Int64

// errECDSAMismatch is crypto/x509's error for an ECDSA signature that does not verify, with
// its words, so that a message does not depend on which code checked the signature.
var errECDSAMismatch = errors.New("x509: ECDSA verification failure")

// checkP384 checks an ECDSA P-384 signature with ecdsap384 while this process has checked
// fewer than p384Untabled of them; ok is false when it did not (another key or algorithm,
// or the quota is spent): the caller checks the signature as usual.
func checkP384(pub crypto.PublicKey, algo x509.SignatureAlgorithm, tbs, sig []byte) (ok bool, err error) {
	k, isECDSA := pub.(*ecdsa.PublicKey)
	if !isECDSA || k.Curve != elliptic.P384() {
		return false, nil
	}
	var h crypto.Hash
	switch algo {
	case x509.ECDSAWithSHA256:
		h = crypto.SHA256
	case x509.ECDSAWithSHA384:
		h = crypto.SHA384
	case x509.ECDSAWithSHA512:
		h = crypto.SHA512
	default:
		return false, nil // SHA-1 (refused by crypto/x509 as insecure), or not ECDSA
	}
	if p384Checked.Add(1) > p384Untabled {
		return false, nil
	}
	d := h.New()
	d.Write(tbs)
	if !ecdsap384.VerifyASN1(k, d.Sum(nil), sig) {
		return true, errECDSAMismatch
	}
	return true, nil
}
