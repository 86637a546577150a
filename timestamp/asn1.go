package timestamp

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/internal/hashoid"
)

// Errors. Each says what kind of problem it is, so that callers (and signet's exit codes)
// branch with errors.Is, never on the text.
var (
	// ErrMalformed is returned for a request, response or token that cannot be read:
	// truncated, not DER, not the structure RFC 3161 defines. Nothing was verified.
	ErrMalformed = errors.New("timestamp: malformed")
	// ErrInvalid is returned for a token that was read but does not hold: its signature does
	// not verify, its ESS signing-certificate attribute names another certificate, its signer
	// is not a time-stamping certificate (a critical extended key usage with only
	// id-kp-timeStamping), its content digest differs, its TSTInfo has a critical extension
	// or a tsa name that is not its signer's.
	ErrInvalid = errors.New("timestamp: invalid token")
	// ErrMismatch is returned when a valid token does not cover what it is claimed to cover:
	// its message imprint differs from the digest of the data, or its nonce from the
	// request's.
	ErrMismatch = errors.New("timestamp: token does not match")
	// ErrRejected is returned for a response whose status is not granted (rejection,
	// waiting, revocation warnings): the TSA said no.
	ErrRejected = errors.New("timestamp: the TSA refused the request")
	// ErrUnavailable is returned by Client when no TSA answered with a usable response.
	ErrUnavailable = errors.New("timestamp: no time-stamp authority answered")
	// ErrUnsupported is returned for a hash or key type signet cannot use in a timestamp.
	ErrUnsupported = errors.New("timestamp: unsupported")
	// ErrOutsideValidity is returned by an Authority whose clock is outside its
	// certificate's validity: Check and Serve refuse it, Respond answers systemFailure.
	ErrOutsideValidity = errors.New("timestamp: the TSA certificate is not valid at the TSA's time")
	// ErrKeyMismatch is returned by an Authority whose certificate is not for its key:
	// every token it signed would fail verification. Check and Serve refuse it, Respond
	// answers systemFailure.
	ErrKeyMismatch = errors.New("timestamp: key mismatch")
	// ErrNoSigner is returned by an Authority without a key or without a certificate.
	ErrNoSigner = errors.New("timestamp: an authority needs a key and its certificate")
	// ErrNoContext is returned by Client.Timestamp and Authority.Serve when given a nil
	// context: no TSA was asked, nothing was served.
	ErrNoContext = errors.New("timestamp: no context")
)

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

var (
	oidSignedData     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidTSTInfo        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	oidContentType    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidSigningCert    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	oidSigningCertV2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidRSAEncryption  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSAPSS         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidEd25519        = asn1.ObjectIdentifier{1, 3, 101, 112}
	oidECPublicKey    = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidExtKeyUsage    = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}
)

func hashByOID(oid asn1.ObjectIdentifier) (crypto.Hash, bool) { return hashoid.Hash(oid) }

func oidByHash(h crypto.Hash) (asn1.ObjectIdentifier, bool) { return hashoid.OID(h) }

// signatureAlgorithms name a SignerInfo's signature algorithm by its OID (those that name
// their hash); rsaEncryption, id-ecPublicKey and RSASSA-PSS take the hash from the digest
// algorithm (sigAlgorithm).
var signatureAlgorithms = []struct {
	oid asn1.ObjectIdentifier
	alg x509.SignatureAlgorithm
}{
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}, x509.SHA256WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}, x509.SHA384WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}, x509.SHA512WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}, x509.SHA1WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}, x509.ECDSAWithSHA256},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}, x509.ECDSAWithSHA384},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}, x509.ECDSAWithSHA512},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}, x509.ECDSAWithSHA1},
}

// sigAlgorithm is crypto/x509's name for a SignerInfo's signatureAlgorithm oid with digest
// algorithm h.
func sigAlgorithm(oid asn1.ObjectIdentifier, h crypto.Hash) x509.SignatureAlgorithm {
	pick := func(rsa, ec, pss x509.SignatureAlgorithm, which int) x509.SignatureAlgorithm {
		return [...]x509.SignatureAlgorithm{rsa, ec, pss}[which]
	}
	by := func(which int) x509.SignatureAlgorithm {
		switch h {
		case crypto.SHA256:
			return pick(x509.SHA256WithRSA, x509.ECDSAWithSHA256, x509.SHA256WithRSAPSS, which)
		case crypto.SHA384:
			return pick(x509.SHA384WithRSA, x509.ECDSAWithSHA384, x509.SHA384WithRSAPSS, which)
		case crypto.SHA512:
			return pick(x509.SHA512WithRSA, x509.ECDSAWithSHA512, x509.SHA512WithRSAPSS, which)
		}
		return x509.UnknownSignatureAlgorithm
	}
	switch {
	case oid.Equal(oidEd25519):
		return x509.PureEd25519
	case oid.Equal(oidRSAEncryption):
		return by(0)
	case oid.Equal(oidECPublicKey):
		return by(1)
	case oid.Equal(oidRSAPSS):
		return by(2)
	}
	for _, s := range signatureAlgorithms {
		if s.oid.Equal(oid) {
			return s.alg
		}
	}
	return x509.UnknownSignatureAlgorithm
}

// addAlgorithm adds an AlgorithmIdentifier without parameters.
func addAlgorithm(b *cryptobyte.Builder, oid asn1.ObjectIdentifier) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oid) })
}

// readAlgorithm reads an AlgorithmIdentifier and returns its OID (the parameters are
// skipped: the hashes take none, or NULL).
func readAlgorithm(s *cryptobyte.String, oid *asn1.ObjectIdentifier) bool {
	var alg cryptobyte.String
	return s.ReadASN1(&alg, cbasn1.SEQUENCE) && alg.ReadASN1ObjectIdentifier(oid)
}

// readBigInt reads an INTEGER of any size.
func readBigInt(s *cryptobyte.String, n **big.Int) bool {
	*n = new(big.Int)
	return s.ReadASN1Integer(*n)
}

// addGeneralizedTime writes t in UTC with the fraction of a second it has (none when whole),
// as RFC 3161 2.4.2 asks: no trailing zeros, no fraction for a whole second.
func addGeneralizedTime(b *cryptobyte.Builder, t time.Time) {
	s := t.UTC().Format("20060102150405.999999999") + "Z"
	b.AddASN1(cbasn1.GeneralizedTime, func(b *cryptobyte.Builder) { b.AddBytes([]byte(s)) })
}
