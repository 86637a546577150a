package sigformat

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/signet-pki/signet/digest"
)

// BundleContent is what MarshalBundle puts into a bundle.
type BundleContent struct {
	// Algorithm is the hash of Digest; CanBundle must accept it.
	Algorithm digest.Algorithm
	// Digest is the signed content's digest (messageDigest).
	Digest []byte
	// Signature is the signature over the content: over its digest for ECDSA and RSA (PKCS#1
	// v1.5: a bundle cannot say PSS), and for Ed25519 over the content itself (pure Ed25519)
	// or, with a certificate, over its SHA-512 digest (Ed25519ph), as the Sigstore algorithm
	// registry and sigstore-go have it (package doc).
	Signature []byte
	// Certificates are the signer's certificate, then its intermediates (no root). Only the
	// first is written (see MarshalBundle). Without any, the bundle names PublicKey by a hint
	// (PublicKeyHint).
	Certificates []*x509.Certificate
	// PublicKey is the signer's key, for the hint when there is no certificate.
	PublicKey crypto.PublicKey
	// Timestamps are RFC 3161 TimeStampTokens (DER) over Signature, written in
	// verificationMaterial.timestampVerificationData.rfc3161Timestamps as the specification
	// says: each a DER TimeStampResponse (granted) holding the token.
	Timestamps [][]byte
}

// MarshalBundle returns a Sigstore bundle v0.3 in its JSON form, indented the same way every
// time, with a messageSignature.
//
// The verification material is the signer's certificate alone in `certificate`, as v0.3
// requires (sigstore-go and cosign refuse `x509CertificateChain` in a v0.3 bundle), or a
// `publicKey` hint (PublicKeyHint) for a key without a certificate. Intermediates are not
// written: the verifier completes the chain from its own material (signet verify
// --intermediates or --trusted-root, a Sigstore trusted root's certChain).
//
// The bundle has no transparency-log entry: it is an "offline" bundle, whose signing time
// rests on the certificate's validity alone unless it carries a timestamp. Tools that insist
// on a Rekor entry (cosign verify-blob without --insecure-ignore-tlog, sigstore-go's default
// policy) refuse it. A hash a bundle cannot name gives an error wrapping ErrUnsupported, and
// so do what would make a bundle no verifier accepts: a digest of another size than
// c.Algorithm's, no signature, a nil or unparsed certificate, an empty timestamp token.
func MarshalBundle(c BundleContent) ([]byte, error) {
	alg, ok := bundleHashAlgorithm(c.Algorithm.CryptoHash())
	if !ok {
		return nil, fmt.Errorf("%w: %s in a bundle", ErrUnsupported, c.Algorithm)
	}
	switch {
	case len(c.Digest) != c.Algorithm.Size():
		return nil, fmt.Errorf("%w: a %d-byte digest for %s, which makes %d bytes", ErrUnsupported, len(c.Digest), c.Algorithm, c.Algorithm.Size())
	case len(c.Signature) == 0:
		return nil, fmt.Errorf("%w: a bundle without a signature", ErrUnsupported)
	case len(c.Certificates) > 0 && (c.Certificates[0] == nil || len(c.Certificates[0].Raw) == 0):
		return nil, fmt.Errorf("%w: the signer's certificate is nil or unparsed", ErrUnsupported)
	case slices.ContainsFunc(c.Timestamps, func(ts []byte) bool { return len(ts) == 0 }):
		return nil, fmt.Errorf("%w: an empty timestamp token", ErrUnsupported)
	}
	vm := &wireVerificationMaterial{}
	if len(c.Certificates) == 0 {
		hint, err := PublicKeyHint(c.PublicKey)
		if err != nil {
			return nil, err
		}
		vm.PublicKey = &wirePublicKey{Hint: hint}
	} else {
		vm.Certificate = &wireCertificate{RawBytes: c.Certificates[0].Raw}
	}
	if len(c.Timestamps) > 0 {
		vm.TimestampVerificationData = &wireTimestampData{}
		for _, ts := range c.Timestamps {
			resp, err := timestampResponse(ts)
			if err != nil {
				return nil, fmt.Errorf("sign: bundle: %w", err)
			}
			vm.TimestampVerificationData.RFC3161Timestamps = append(vm.TimestampVerificationData.RFC3161Timestamps, wireSignedTimestamp{SignedTimestamp: resp})
		}
	}
	b := wireBundle{
		MediaType:            BundleMediaType,
		VerificationMaterial: vm,
		MessageSignature: &wireMessageSignature{
			MessageDigest: &wireHashOutput{Algorithm: hashAlgorithmNames[alg], Digest: c.Digest},
			Signature:     c.Signature,
		},
	}
	out, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("sign: bundle: %w", err)
	}
	return append(out, '\n'), nil
}

// PublicKeyHint is the hint signet writes in a bundle for a key without a certificate: the
// base64 SHA-256 of the key's SubjectPublicKeyInfo DER, the key identifier of RFC 6962 §3.2
// that the Sigstore specification recommends. A key crypto/x509 cannot encode (nil too) wraps
// ErrUnsupported.
func PublicKeyHint(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrUnsupported, err)
	}
	sum := sha256.Sum256(der)
	return base64.StdEncoding.EncodeToString(sum[:]), nil
}

// CanBundle reports whether a bundle can name h (its messageDigest algorithm): SHA-256,
// SHA-384, SHA-512, SHA3-256 and SHA3-384, the values of the protobuf HashAlgorithm enum.
func CanBundle(h crypto.Hash) bool {
	_, ok := bundleHashAlgorithm(h)
	return ok
}

// Bundle media types: v0.1 and v0.2 spell the version as a parameter, v0.3 in the subtype.
const (
	bundleMediaTypeV01 = "application/vnd.dev.sigstore.bundle+json;version=0.1"
	bundleMediaTypeV02 = "application/vnd.dev.sigstore.bundle+json;version=0.2"
)

// isBundleMediaType reports whether mt names a Sigstore bundle of a version signet reads:
// v0.1, v0.2, v0.3 (and its later minor versions, v0.3.x).
func isBundleMediaType(mt string) bool {
	return mt == bundleMediaTypeV01 || mt == bundleMediaTypeV02 || mt == BundleMediaType ||
		strings.HasPrefix(mt, "application/vnd.dev.sigstore.bundle.v0.3.") && strings.HasSuffix(mt, "+json")
}

// parseBundle reads a Sigstore bundle with a messageSignature.
func parseBundle(data []byte) (*Signature, error) {
	s, timestamps, err := readBundle(data)
	if err != nil {
		return nil, malformed("bundle: %v", err)
	}
	s.Timestamps = timestamps // DER TimeStampResponses, as the specification has them
	return s, nil
}

// readBundle reads a bundle: the signature, and the RFC 3161 tokens it carries.
func readBundle(data []byte) (*Signature, [][]byte, error) {
	top, err := readObject(data, "")
	if err != nil {
		return nil, nil, err
	}
	mt, err := top.str("mediaType")
	if err != nil {
		return nil, nil, err
	}
	if !isBundleMediaType(mt) {
		if !strings.HasPrefix(mt, "application/vnd.dev.sigstore.bundle") {
			return nil, nil, fmt.Errorf("media type %q is not a Sigstore bundle's", mt)
		}
		return nil, nil, fmt.Errorf("media type %q: signet reads bundles v0.1, v0.2 and v0.3", mt)
	}
	content, err := top.oneof("messageSignature", "dsseEnvelope")
	switch {
	case err != nil:
		return nil, nil, err
	case content == "dsseEnvelope":
		return nil, nil, errors.New("DSSE envelopes are not supported, only messageSignature")
	case content == "":
		return nil, nil, errors.New("no messageSignature")
	}
	ms, err := top.object("messageSignature")
	if err != nil {
		return nil, nil, err
	}
	raw, err := ms.bytes("signature")
	if err != nil {
		return nil, nil, err
	}
	if len(raw) == 0 {
		return nil, nil, errors.New("empty signature")
	}
	s := &Signature{
		Format:             Bundle,
		Raw:                raw,
		MediaType:          mt,
		SignatureAlgorithm: x509.UnknownSignatureAlgorithm,
	}
	md, err := ms.object("messageDigest")
	if err != nil {
		return nil, nil, err
	}
	if md != nil {
		alg, err := md.enum("algorithm", hashAlgorithmNames)
		if err != nil {
			return nil, nil, err
		}
		d, err := md.bytes("digest")
		if err != nil {
			return nil, nil, err
		}
		if alg != 0 {
			// HASH_ALGORITHM_UNSPECIFIED is what sigstore-go writes for pure Ed25519
			// (PKIX_ED25519), with the message itself as the "digest": no digest at all.
			h, ok := bundleHashes[alg]
			if !ok {
				return nil, nil, fmt.Errorf("unsupported messageDigest algorithm %d", alg)
			}
			if len(d) != h.Size() {
				return nil, nil, fmt.Errorf("%d-byte messageDigest for %v", len(d), h)
			}
			s.Hash, s.ContentDigest = h, d
		}
	}

	vm, err := top.object("verificationMaterial")
	if err != nil {
		return nil, nil, err
	}
	if vm == nil {
		return nil, nil, errors.New("no verificationMaterial")
	}
	var ders [][]byte
	which, err := vm.oneof("publicKey", "x509CertificateChain", "certificate")
	if err != nil {
		return nil, nil, err
	}
	switch which {
	case "certificate":
		c, err := vm.object("certificate")
		if err != nil {
			return nil, nil, err
		}
		der, err := c.bytes("rawBytes")
		if err != nil {
			return nil, nil, err
		}
		ders = append(ders, der)
	case "x509CertificateChain":
		// v0.1 and v0.2 (and signet before v0.3 was written as such): the leaf, then
		// intermediates.
		c, err := vm.object("x509CertificateChain")
		if err != nil {
			return nil, nil, err
		}
		certs, err := c.array("certificates")
		if err != nil {
			return nil, nil, err
		}
		for _, cert := range certs {
			der, err := cert.bytes("rawBytes")
			if err != nil {
				return nil, nil, err
			}
			ders = append(ders, der)
		}
		if len(ders) == 0 {
			return nil, nil, errors.New("empty x509CertificateChain")
		}
	case "publicKey":
		pk, err := vm.object("publicKey")
		if err != nil {
			return nil, nil, err
		}
		if s.PublicKeyHint, err = pk.str("hint"); err != nil {
			return nil, nil, err
		}
	default:
		return nil, nil, errors.New("verificationMaterial has no key material")
	}
	for i, der := range ders {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, nil, fmt.Errorf("certificate %d: %v", i+1, err)
		}
		s.Certificates = append(s.Certificates, c)
	}

	tvd, err := vm.object("timestampVerificationData")
	if err != nil {
		return nil, nil, err
	}
	tss, err := tvd.array("rfc3161Timestamps")
	if err != nil {
		return nil, nil, err
	}
	var timestamps [][]byte
	for _, ts := range tss {
		der, err := ts.bytes("signedTimestamp")
		if err != nil {
			return nil, nil, err
		}
		if len(der) == 0 {
			return nil, nil, fmt.Errorf("%s: empty", ts.where)
		}
		timestamps = append(timestamps, der)
	}
	return s, timestamps, nil
}

// bundleHashes are the hashes a bundle can name, by their number in the protobuf
// HashAlgorithm enum (hashAlgorithmNames). The protobuf-specs mark the two SHA-3 values
// deprecated (they were added for LMS), but they are still values of the enum that bundles
// carry: signet keeps reading them, and writing them when -a asks for SHA-3 (README, package
// doc), rather than silently falling back to another hash.
var bundleHashes = map[int]crypto.Hash{
	1: crypto.SHA256,
	2: crypto.SHA384,
	3: crypto.SHA512,
	4: crypto.SHA3_256,
	5: crypto.SHA3_384,
}

// bundleHashAlgorithm is the bundle's number for h, ok false when a bundle cannot record it.
func bundleHashAlgorithm(h crypto.Hash) (int, bool) {
	for k, v := range bundleHashes {
		if v == h {
			return k, true
		}
	}
	return 0, false
}
