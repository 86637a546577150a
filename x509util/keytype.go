package x509util

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// KeyType names a kind of key the way signet's --type flag spells it: "ec-p256", "rsa-3072",
// "ed25519". The types signet generates are the KeyTypes constants; KeyTypeOf may also name
// keys read from elsewhere that signet does not generate, such as "rsa-8192" or "ec-p224".
type KeyType string

// The key types GenerateKey makes. KeyECP256 is the default: small, fast, and accepted by
// every peer signet talks to.
const (
	KeyECP256  KeyType = "ec-p256"
	KeyECP384  KeyType = "ec-p384"
	KeyECP521  KeyType = "ec-p521"
	KeyEd25519 KeyType = "ed25519"
	KeyRSA2048 KeyType = "rsa-2048"
	KeyRSA3072 KeyType = "rsa-3072"
	KeyRSA4096 KeyType = "rsa-4096"
)

// DefaultKeyType is the type made when none is asked for.
const DefaultKeyType = KeyECP256

// KeyTypes lists the types GenerateKey makes, in the order help texts show them. The list is
// a copy.
func KeyTypes() []KeyType { return slices.Clone(keyTypes) }

var keyTypes = []KeyType{KeyECP256, KeyECP384, KeyECP521, KeyEd25519, KeyRSA2048, KeyRSA3072, KeyRSA4096}

// String returns the type's name.
func (t KeyType) String() string { return string(t) }

// ParseKeyType returns the generatable key type named s (case-insensitive; "" is
// DefaultKeyType). An unknown name wraps ErrUnsupported and lists the valid ones.
func ParseKeyType(s string) (KeyType, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return DefaultKeyType, nil
	}
	for _, t := range keyTypes {
		if string(t) == s {
			return t, nil
		}
	}
	return "", fmt.Errorf("%w: key type %q (want one of %s)", ErrUnsupported, s, keyTypeList())
}

func keyTypeList() string {
	names := make([]string, len(keyTypes))
	for i, t := range keyTypes {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// GenerateKey makes a new private key of type t with crypto/rand. The result is an
// *ecdsa.PrivateKey, ed25519.PrivateKey or *rsa.PrivateKey. RSA-4096 takes a second or more.
func GenerateKey(t KeyType) (crypto.Signer, error) {
	switch t {
	case KeyECP256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case KeyECP384:
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case KeyECP521:
		return ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case KeyEd25519:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	case KeyRSA2048, KeyRSA3072, KeyRSA4096:
		bits, _ := strconv.Atoi(strings.TrimPrefix(string(t), "rsa-"))
		return rsa.GenerateKey(rand.Reader, bits)
	}
	return nil, fmt.Errorf("%w: cannot generate key type %q (want one of %s)", ErrUnsupported, t, keyTypeList())
}

// KeyTypeOf names the type of a public key: "ec-" and the curve for ECDSA, "rsa-" and the
// modulus size for RSA, "ed25519". Other keys wrap ErrUnsupported.
func KeyTypeOf(pub crypto.PublicKey) (KeyType, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve == nil {
			break
		}
		return KeyType("ec-" + strings.ToLower(strings.ReplaceAll(k.Curve.Params().Name, "-", ""))), nil
	case *rsa.PublicKey:
		if k.N == nil {
			break
		}
		return KeyType("rsa-" + strconv.Itoa(k.N.BitLen())), nil
	case ed25519.PublicKey:
		return KeyEd25519, nil
	}
	return "", fmt.Errorf("%w: public key of type %T", ErrUnsupported, pub)
}

// SignatureAlgorithmFor is the signature algorithm signet uses for certificates and CSRs
// signed by a key whose public half is pub: ECDSA with SHA-256, SHA-384 or SHA-512 by curve
// size (P-256, P-384, P-521), RSA PKCS#1 v1.5 with SHA-256 for any RSA size, and pure
// Ed25519.
func SignatureAlgorithmFor(pub crypto.PublicKey) (x509.SignatureAlgorithm, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve == nil {
			break
		}
		switch bits := k.Curve.Params().BitSize; {
		case bits > 384:
			return x509.ECDSAWithSHA512, nil
		case bits > 256:
			return x509.ECDSAWithSHA384, nil
		default:
			return x509.ECDSAWithSHA256, nil
		}
	case *rsa.PublicKey:
		return x509.SHA256WithRSA, nil
	case ed25519.PublicKey:
		return x509.PureEd25519, nil
	}
	return x509.UnknownSignatureAlgorithm, fmt.Errorf("%w: no signature algorithm for a public key of type %T", ErrUnsupported, pub)
}
