package x509util

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
)

// checkedSigner checks every signature its signer makes against the public key it claims,
// before crypto/x509 sees it. crypto/x509 makes the same check, but reports a failure only in
// its message; here it is an error wrapping ErrKeyMismatch, which callers branch on (a token
// that signed with another object than it described, a broken module).
type checkedSigner struct{ crypto.Signer }

func (s checkedSigner) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	sig, err := s.Signer.Sign(rand, digest, opts)
	if err != nil {
		return nil, err
	}
	if err := CheckSignerSignature(s.Public(), digest, sig, opts); err != nil {
		return nil, err
	}
	return sig, nil
}

// CheckSignerSignature checks sig, which a crypto.Signer's Sign returned for digest (the
// message itself for pure Ed25519) and opts, against pub, the public key the signer claims
// (its Public()). An error wraps ErrKeyMismatch: the key that signed is not the one it
// describes (a token that signed with another object, a broken module), or ErrUnsupported
// for a key type signet does not sign with.
func CheckSignerSignature(pub crypto.PublicKey, digest, sig []byte, opts crypto.SignerOpts) error {
	if err := verifyDigest(pub, digest, sig, opts); err != nil {
		if errors.Is(err, ErrUnsupported) {
			return err
		}
		return fmt.Errorf("%w: the key's signature does not verify with its public key: %v", ErrKeyMismatch, err)
	}
	return nil
}

// verifyDigest checks a signature made by crypto.Signer.Sign with opts over digest (the
// message itself for Ed25519).
func verifyDigest(pub crypto.PublicKey, digest, sig []byte, opts crypto.SignerOpts) error {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(k, digest, sig) {
			return fmt.Errorf("ECDSA verification failure")
		}
		return nil
	case *rsa.PublicKey:
		if pss, ok := opts.(*rsa.PSSOptions); ok {
			return rsa.VerifyPSS(k, pss.Hash, digest, sig, pss)
		}
		return rsa.VerifyPKCS1v15(k, opts.HashFunc(), digest, sig)
	case ed25519.PublicKey:
		if o, ok := opts.(*ed25519.Options); ok {
			return ed25519.VerifyWithOptions(k, digest, sig, o)
		}
		if !ed25519.Verify(k, digest, sig) {
			return fmt.Errorf("Ed25519 verification failure")
		}
		return nil
	}
	return fmt.Errorf("%w: public key of type %T", ErrUnsupported, pub)
}
