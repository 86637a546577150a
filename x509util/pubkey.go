package x509util

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
)

// MarshalPublicKeyPEM encodes pub as a SubjectPublicKeyInfo "PUBLIC KEY" PEM block, byte for
// byte what `openssl pkey -pubout` writes for the same key (EC points uncompressed, on a named
// curve).
func MarshalPublicKeyPEM(pub crypto.PublicKey) ([]byte, error) {
	der, err := marshalSPKI(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

func marshalSPKI(pub crypto.PublicKey) ([]byte, error) {
	switch pub.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
	default:
		return nil, fmt.Errorf("%w: public key of type %T", ErrUnsupported, pub)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	return der, nil
}

// FingerprintPrefix starts every fingerprint Fingerprint returns.
const FingerprintPrefix = "sha256:"

// Fingerprint identifies a public key: "sha256:" followed by the lowercase hex SHA-256 of its
// SubjectPublicKeyInfo DER. The same value comes from
//
//	openssl pkey -pubin -in key.pub -outform DER | sha256sum
//
// and it is the same whether computed from the private key, the public key or a certificate
// for it. (It is not the certificate fingerprint, which hashes the whole certificate.)
func Fingerprint(pub crypto.PublicKey) (string, error) {
	der, err := marshalSPKI(pub)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(der)
	return FingerprintPrefix + hex.EncodeToString(sum[:]), nil
}

// CertificateFingerprint identifies a certificate: the lowercase hex SHA-256 of its DER, what
// `openssl x509 -noout -fingerprint -sha256` prints without its colons. It is the value of
// every "sha256" field signet writes for a certificate (cert inspect, cert verify, verify, init,
// cert create, cert p12), and messages write it after "sha256:". It is not Fingerprint, which
// identifies a public key and carries the "sha256:" prefix.
func CertificateFingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// KeyInfo describes a public key. Its JSON form is stable: fields are only ever added.
type KeyInfo struct {
	// Type is signet's name for the key type, as --type spells it: "ec-p256", "rsa-3072",
	// "ed25519".
	Type KeyType `json:"type"`
	// Algorithm is "ECDSA", "RSA" or "Ed25519" (cert inspect also describes keys signet does
	// not use, with an empty Type: "DSA", "Ed448", "X25519", ...).
	Algorithm string `json:"algorithm"`
	// Bits is the key size: the RSA modulus size, the curve size, or 256 for Ed25519.
	Bits int `json:"bits"`
	// Curve is the ECDSA curve ("P-256", "P-384", "P-521"); empty for RSA and Ed25519.
	Curve string `json:"curve,omitempty"`
	// Fingerprint is Fingerprint(pub).
	Fingerprint string `json:"fingerprint"`
}

// Inspect describes pub. Keys other than RSA, ECDSA and Ed25519 wrap ErrUnsupported.
func Inspect(pub crypto.PublicKey) (KeyInfo, error) {
	t, err := KeyTypeOf(pub)
	if err != nil {
		return KeyInfo{}, err
	}
	fp, err := Fingerprint(pub)
	if err != nil {
		return KeyInfo{}, err
	}
	info := KeyInfo{Type: t, Fingerprint: fp}
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		info.Algorithm, info.Bits, info.Curve = "ECDSA", k.Curve.Params().BitSize, k.Curve.Params().Name
	case *rsa.PublicKey:
		info.Algorithm, info.Bits = "RSA", k.N.BitLen()
	case ed25519.PublicKey:
		info.Algorithm, info.Bits = "Ed25519", 256
	}
	return info, nil
}
