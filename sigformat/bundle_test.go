package sigformat

import (
	"testing"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// TestParseBundleForms: older media types, the chain form and DSSE.
func TestParseBundleForms(t *testing.T) {
	ec := mustFixture(t, "codesign")
	sig := []byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01}
	mk := func(mt string, vm *protobundle.VerificationMaterial, content func(*protobundle.Bundle)) []byte {
		b := &protobundle.Bundle{MediaType: mt, VerificationMaterial: vm}
		if content != nil {
			content(b)
		} else {
			b.Content = &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
				MessageDigest: &protocommon.HashOutput{Algorithm: protocommon.HashAlgorithm_SHA2_256, Digest: make([]byte, 32)},
				Signature:     sig,
			}}
		}
		out, err := protojson.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	leafVM := &protobundle.VerificationMaterial{Content: &protobundle.VerificationMaterial_Certificate{
		Certificate: &protocommon.X509Certificate{RawBytes: ec.chain[0].Raw}}}
	for _, tc := range []struct {
		name string
		data []byte
		ok   bool
	}{
		{"v0.1 media type", mk("application/vnd.dev.sigstore.bundle+json;version=0.1", leafVM, nil), true},
		{"v0.3", mk(BundleMediaType, leafVM, nil), true},
		{"not a bundle media type", mk("application/json", leafVM, nil), false},
		{"no verification material", mk(BundleMediaType, nil, nil), false},
		{"dsse", mk(BundleMediaType, leafVM, func(b *protobundle.Bundle) {
			b.Content = &protobundle.Bundle_DsseEnvelope{}
		}), false},
		{"bad certificate", mk(BundleMediaType, &protobundle.VerificationMaterial{Content: &protobundle.VerificationMaterial_Certificate{
			Certificate: &protocommon.X509Certificate{RawBytes: []byte{1, 2, 3}}}}, nil), false},
		{"truncated", mk(BundleMediaType, leafVM, nil)[:100], false},
		{"wrong digest length", mk(BundleMediaType, leafVM, func(b *protobundle.Bundle) {
			b.Content = &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
				MessageDigest: &protocommon.HashOutput{Algorithm: protocommon.HashAlgorithm_SHA2_384, Digest: make([]byte, 32)},
				Signature:     sig,
			}}
		}), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(tc.data)
			if tc.ok != (err == nil) {
				t.Fatalf("err %v, want ok %v", err, tc.ok)
			}
			if err != nil && !isMalformed(err) {
				t.Fatalf("error %v does not wrap ErrMalformedSignature", err)
			}
			if err == nil && (p.Format != Bundle || !p.Certificates[0].Equal(ec.chain[0])) {
				t.Fatalf("parsed %+v", p)
			}
		})
	}
}
