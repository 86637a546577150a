package sign

import (
	"bytes"
	"encoding/json"
	"fmt"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/signet-pki/signet/digest"
)

// bundle returns a Sigstore bundle v0.3 in its JSON form, for content whose digest is d and
// the signature sig over it.
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
func (s *Signer) bundle(d digest.Digest, sig []byte) ([]byte, error) {
	alg, ok := bundleHashAlgorithm(s.alg.CryptoHash())
	if !ok {
		return nil, fmt.Errorf("%w: %s in a bundle", ErrUnsupported, s.alg)
	}
	vm := &protobundle.VerificationMaterial{}
	switch len(s.chain) {
	case 0:
		hint, err := PublicKeyHint(s.pub)
		if err != nil {
			return nil, err
		}
		vm.Content = &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: hint}}
	case 1:
		vm.Content = &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: s.chain[0].Raw}}
	default:
		chain := &protocommon.X509CertificateChain{}
		for _, c := range s.chain {
			chain.Certificates = append(chain.Certificates, &protocommon.X509Certificate{RawBytes: c.Raw})
		}
		vm.Content = &protobundle.VerificationMaterial_X509CertificateChain{X509CertificateChain: chain}
	}
	b := &protobundle.Bundle{
		MediaType:            BundleMediaType,
		VerificationMaterial: vm,
		Content: &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
			MessageDigest: &protocommon.HashOutput{Algorithm: alg, Digest: d},
			Signature:     sig,
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
