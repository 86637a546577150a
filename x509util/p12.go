package x509util

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"

	"software.sslmate.com/src/go-pkcs12"
)

// P12Options chooses how a PKCS#12 file is protected.
type P12Options struct {
	// Legacy selects 3DES and SHA-1 (PBE-SHA1-3DES, the strongest encoding that Windows before
	// Server 2019 and old Java and macOS releases import). The zero value is AES-256-CBC with
	// PBKDF2-HMAC-SHA256 and a SHA-256 MAC.
	Legacy bool
}

// EncodeP12 bundles a private key, its certificate and the issuer chain into a PKCS#12 file
// protected by passphrase.
func EncodeP12(key crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate, passphrase []byte, opts P12Options) ([]byte, error) {
	if !PublicKeysEqual(cert.PublicKey, key.Public()) {
		return nil, fmt.Errorf("%w: the key does not belong to the certificate %q", ErrKeyMismatch, FormatName(cert.Subject))
	}
	enc := pkcs12.Modern2023
	if opts.Legacy {
		enc = pkcs12.LegacyDES
	}
	der, err := enc.Encode(key, cert, chain, string(passphrase))
	if err != nil {
		return nil, fmt.Errorf("x509util: encode PKCS#12: %w", err)
	}
	return der, nil
}

// P12 is what a PKCS#12 file holds: a key, its certificate and the rest of the chain.
type P12 struct {
	Key         crypto.Signer
	Certificate *x509.Certificate
	Chain       []*x509.Certificate
}

// ParseP12 reads a PKCS#12 file as openssl and signet write them. The passphrase callback is
// called once; a file without a password is tried first with the empty password, so callers
// are not prompted for nothing.
//
// Before any key derivation, the MAC's and every visible encryption's iteration count must lie
// within 1..1,000,000, the derivations of the whole file must add up to at most 2,000,000
// iterations, and there may be at most 4 encrypted containers; a file asking for more wraps
// ErrUnsupported and says which count, without asking for the passphrase. A private key hidden inside an
// encrypted container is held to the same bound, once the container is decrypted with the
// password about to be tried.
func ParseP12(data []byte, passphrase func() ([]byte, error)) (*P12, error) {
	if err := p12CheckHidden(data, p12Passwords(nil)); err != nil {
		return nil, err
	}
	key, cert, chain, err := pkcs12.DecodeChain(data, "")
	if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		if passphrase == nil {
			return nil, fmt.Errorf("%w: the PKCS#12 file is protected and no passphrase was given", ErrIncorrectPassphrase)
		}
		pw, perr := passphrase()
		if perr != nil {
			return nil, perr
		}
		if err := p12CheckHidden(data, p12Passwords(pw)); err != nil {
			clear(pw)
			return nil, err
		}
		key, cert, chain, err = pkcs12.DecodeChain(data, string(pw))
		for i := range pw {
			pw[i] = 0
		}
	}
	switch {
	case errors.Is(err, pkcs12.ErrIncorrectPassword):
		return nil, ErrIncorrectPassphrase
	case err != nil:
		return nil, fmt.Errorf("%w: PKCS#12: %v", ErrMalformed, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: PKCS#12 key of type %T", ErrUnsupported, key)
	}
	if !PublicKeysEqual(cert.PublicKey, signer.Public()) {
		return nil, fmt.Errorf("%w: the PKCS#12 key does not belong to its certificate", ErrKeyMismatch)
	}
	if err := checkSigningKey(signer); err != nil {
		return nil, err
	}
	return &P12{Key: signer, Certificate: cert, Chain: chain}, nil
}
