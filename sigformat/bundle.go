package sigformat

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/signet-pki/signet/digest"
)

// BundleContent is what MarshalBundle puts into a bundle.
type BundleContent struct {
	// Algorithm is the hash of Digest; CanBundle must accept it.
	Algorithm digest.Algorithm
	// Digest is the signed content's digest (messageDigest).
	Digest []byte
	// Signature is the signature over the content: over its digest for ECDSA and RSA (PKCS#1
	// v1.5: a bundle cannot say PSS), over the content itself for Ed25519.
	Signature []byte
	// Certificates are the signer's certificate, then its intermediates (no root). Without
	// any, the bundle names PublicKey by a hint (PublicKeyHint).
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
// The verification material is, following the protobuf-specs comments:
//
//   - the leaf alone in `certificate`, when the chain has no intermediate: the form v0.3
//     prefers and the only one sigstore-go and cosign accept in a v0.3 bundle;
//   - `x509CertificateChain`, leaf first and without the root, when there are intermediates:
//     the specification allows it outside Sigstore's public-good instance, and without it a
//     verifier holding only the root could not build the chain (sigstore-go refuses such a
//     v0.3 bundle; signet verify reads it);
//   - `publicKey` with a hint (PublicKeyHint) for a key without a certificate.
//
// The bundle has no transparency-log entry and no timestamp: it is an "offline" bundle, whose
// signing time rests on the certificate's validity alone. Tools that insist on a Rekor entry
// (cosign verify-blob without --insecure-ignore-tlog, sigstore-go's default policy) refuse it.
// A hash a bundle cannot name gives an error wrapping ErrUnsupported.
func MarshalBundle(c BundleContent) ([]byte, error) {
	alg, ok := bundleHashAlgorithm(c.Algorithm.CryptoHash())
	if !ok {
		return nil, fmt.Errorf("%w: %s in a bundle", ErrUnsupported, c.Algorithm)
	}
	vm := &protobundle.VerificationMaterial{}
	switch len(c.Certificates) {
	case 0:
		hint, err := PublicKeyHint(c.PublicKey)
		if err != nil {
			return nil, err
		}
		vm.Content = &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: hint}}
	case 1:
		vm.Content = &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: c.Certificates[0].Raw}}
	default:
		chain := &protocommon.X509CertificateChain{}
		for _, cert := range c.Certificates {
			chain.Certificates = append(chain.Certificates, &protocommon.X509Certificate{RawBytes: cert.Raw})
		}
		vm.Content = &protobundle.VerificationMaterial_X509CertificateChain{X509CertificateChain: chain}
	}
	if len(c.Timestamps) > 0 {
		tvd := &protobundle.TimestampVerificationData{}
		for _, t := range c.Timestamps {
			resp, err := timestampResponse(t)
			if err != nil {
				return nil, fmt.Errorf("sign: bundle: %w", err)
			}
			tvd.Rfc3161Timestamps = append(tvd.Rfc3161Timestamps, &protocommon.RFC3161SignedTimestamp{SignedTimestamp: resp})
		}
		vm.TimestampVerificationData = tvd
	}
	b := &protobundle.Bundle{
		MediaType:            BundleMediaType,
		VerificationMaterial: vm,
		Content: &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
			MessageDigest: &protocommon.HashOutput{Algorithm: alg, Digest: c.Digest},
			Signature:     c.Signature,
		}},
	}
	out, err := protojson.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("sign: bundle: %w", err)
	}
	// protojson deliberately varies its whitespace from build to build; indent it the same
	// way every time so that bundles are stable and readable.
	var buf bytes.Buffer
	if err := json.Indent(&buf, out, "", "  "); err != nil {
		return nil, fmt.Errorf("sign: bundle: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// PublicKeyHint is the hint signet writes in a bundle for a key without a certificate: the
// base64 SHA-256 of the key's SubjectPublicKeyInfo DER, the key identifier of RFC 6962 §3.2
// that the Sigstore specification recommends.
func PublicKeyHint(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
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

// parseBundle reads a Sigstore bundle with a messageSignature.
func parseBundle(data []byte) (*Signature, error) {
	var b protobundle.Bundle
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, &b); err != nil {
		return nil, malformed("bundle: %v", err)
	}
	mt := b.GetMediaType()
	if !strings.HasPrefix(mt, "application/vnd.dev.sigstore.bundle") {
		return nil, malformed("bundle: media type %q is not a Sigstore bundle's", mt)
	}
	if b.GetDsseEnvelope() != nil {
		return nil, malformed("bundle: DSSE envelopes are not supported, only messageSignature")
	}
	ms := b.GetMessageSignature()
	if ms == nil {
		return nil, malformed("bundle: no messageSignature")
	}
	if len(ms.GetSignature()) == 0 {
		return nil, malformed("bundle: empty signature")
	}
	s := &Signature{
		Format:             Bundle,
		Raw:                ms.GetSignature(),
		MediaType:          mt,
		SignatureAlgorithm: x509.UnknownSignatureAlgorithm,
	}
	if md := ms.GetMessageDigest(); md != nil {
		h, ok := bundleHashes[md.GetAlgorithm()]
		if !ok {
			return nil, malformed("bundle: unsupported messageDigest algorithm %v", md.GetAlgorithm())
		}
		if len(md.GetDigest()) != h.Size() {
			return nil, malformed("bundle: %d-byte messageDigest for %v", len(md.GetDigest()), h)
		}
		s.Hash, s.ContentDigest = h, md.GetDigest()
	}
	vm := b.GetVerificationMaterial()
	if vm == nil {
		return nil, malformed("bundle: no verificationMaterial")
	}
	var ders [][]byte
	switch {
	case vm.GetCertificate() != nil:
		ders = append(ders, vm.GetCertificate().GetRawBytes())
	case vm.GetX509CertificateChain() != nil:
		for _, c := range vm.GetX509CertificateChain().GetCertificates() {
			ders = append(ders, c.GetRawBytes())
		}
		if len(ders) == 0 {
			return nil, malformed("bundle: empty x509CertificateChain")
		}
	case vm.GetPublicKey() != nil:
		s.PublicKeyHint = vm.GetPublicKey().GetHint()
	default:
		return nil, malformed("bundle: verificationMaterial has no key material")
	}
	for _, t := range vm.GetTimestampVerificationData().GetRfc3161Timestamps() {
		if len(t.GetSignedTimestamp()) == 0 {
			return nil, malformed("bundle: empty rfc3161Timestamps entry")
		}
		s.Timestamps = append(s.Timestamps, t.GetSignedTimestamp())
	}
	for i, der := range ders {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, malformed("bundle: certificate %d: %v", i+1, err)
		}
		s.Certificates = append(s.Certificates, c)
	}
	return s, nil
}

// bundleHashes are the hashes a bundle can name. The protobuf-specs mark the two SHA-3 values
// deprecated (they were added for LMS), but they are still values of the enum that bundles
// carry: signet keeps reading them, and writing them when -a asks for SHA-3 (README, package
// doc), rather than silently falling back to another hash.
var bundleHashes = map[protocommon.HashAlgorithm]crypto.Hash{
	protocommon.HashAlgorithm_SHA2_256: crypto.SHA256,
	protocommon.HashAlgorithm_SHA2_384: crypto.SHA384,
	protocommon.HashAlgorithm_SHA2_512: crypto.SHA512,
	//lint:ignore SA1019 deliberate: see bundleHashes
	protocommon.HashAlgorithm_SHA3_256: crypto.SHA3_256,
	//lint:ignore SA1019 deliberate: see bundleHashes
	protocommon.HashAlgorithm_SHA3_384: crypto.SHA3_384,
}

// bundleHashAlgorithm is the bundle's name for h, ok false when a bundle cannot record it.
func bundleHashAlgorithm(h crypto.Hash) (protocommon.HashAlgorithm, bool) {
	for k, v := range bundleHashes {
		if v == h {
			return k, true
		}
	}
	return 0, false
}
