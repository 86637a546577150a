package sign

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"testing"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/signet-pki/signet/digest"
)

// TestBundle: signet's bundles unmarshal strictly (no unknown fields) into the protobuf-specs
// types, marshal back to the same message, carry the verification material the chain calls
// for, and their signature verifies over the content.
func TestBundle(t *testing.T) {
	msg := []byte("bundle me\n")
	ec := mustFixture(t, "codesign")
	ed := mustFixture(t, "codesign-ed25519")
	for _, tc := range []struct {
		name  string
		key   crypto.Signer
		chain int // certificates given: 0, 1 (leaf), 2 (leaf, root) or 3 (leaf, int, root)
		alg   digest.Algorithm
		want  string // verification material: publicKey, certificate, x509CertificateChain
	}{
		{"ecdsa bare key", ec.key, 0, digest.SHA256, "publicKey"},
		{"ecdsa leaf", ec.key, 1, digest.SHA256, "certificate"},
		{"ecdsa leaf and root", ec.key, 2, digest.SHA384, "certificate"},
		{"ecdsa chain", ec.key, 3, digest.SHA512, "x509CertificateChain"},
		{"ed25519 chain", ed.key, 3, digest.SHA256, "x509CertificateChain"},
		{"rsa2048 sha3-256", mustKey(t, "rsa2048"), 0, digest.SHA3_256, "publicKey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fx := ec
			if _, isEd := tc.key.Public().(ed25519.PublicKey); isEd {
				fx = ed
			}
			var chain = map[int][]int{0: nil, 1: {0}, 2: {0, 2}, 3: {0, 1, 2}}[tc.chain]
			opts := SignOptions{Format: FormatBundle, Algorithm: tc.alg}
			for _, i := range chain {
				opts.Certificates = append(opts.Certificates, fx.chain[i])
			}
			s := mustSigner(t, tc.key, opts)
			d, out, err := s.SignMessage(msg)
			if err != nil {
				t.Fatal(err)
			}
			var b protobundle.Bundle
			if err := protojson.Unmarshal(out, &b); err != nil { // strict: unknown fields fail
				t.Fatalf("%v\n%s", err, out)
			}
			again, err := protojson.Marshal(&b)
			if err != nil {
				t.Fatal(err)
			}
			var b2 protobundle.Bundle
			if err := protojson.Unmarshal(again, &b2); err != nil || !proto.Equal(&b, &b2) {
				t.Fatalf("round trip: %v", err)
			}
			if b.GetMediaType() != BundleMediaType {
				t.Fatalf("media type %q", b.GetMediaType())
			}
			vm := b.GetVerificationMaterial()
			var got string
			switch {
			case vm.GetPublicKey() != nil:
				got = "publicKey"
				hint, _ := PublicKeyHint(tc.key.Public())
				if vm.GetPublicKey().GetHint() != hint {
					t.Fatalf("hint %q, want %q", vm.GetPublicKey().GetHint(), hint)
				}
			case vm.GetCertificate() != nil:
				got = "certificate"
			case vm.GetX509CertificateChain() != nil:
				got = "x509CertificateChain"
				if n := len(vm.GetX509CertificateChain().GetCertificates()); n != 2 {
					t.Fatalf("%d certificates in the chain, want leaf and intermediate", n)
				}
			}
			if got != tc.want {
				t.Fatalf("verification material %s, want %s", got, tc.want)
			}
			if len(vm.GetTlogEntries()) != 0 || vm.GetTimestampVerificationData() != nil {
				t.Fatal("an offline bundle has no log entry or timestamp")
			}
			md := b.GetMessageSignature().GetMessageDigest()
			if wantAlg, _ := bundleHashAlgorithm(tc.alg.CryptoHash()); md.GetAlgorithm() != wantAlg || !bytes.Equal(md.GetDigest(), d) {
				t.Fatalf("messageDigest %v %x", md.GetAlgorithm(), md.GetDigest())
			}

			p, err := ParseSignature(out)
			if err != nil {
				t.Fatal(err)
			}
			if p.Format != FormatBundle || p.Hash != tc.alg.CryptoHash() || !bytes.Equal(p.ContentDigest, d) {
				t.Fatalf("parsed %s %v %x", p.Format, p.Hash, p.ContentDigest)
			}
			if len(chain) > 0 && !p.Certificates[0].Equal(fx.chain[0]) {
				t.Fatal("the leaf is not first")
			}
			// The signature covers the content: its digest, or for Ed25519 the message.
			if _, isEd := tc.key.Public().(ed25519.PublicKey); isEd {
				err = checkSignature(tc.key.Public(), 0, false, msg, p.Raw)
			} else {
				err = checkSignature(tc.key.Public(), p.Hash, false, msg, p.Raw)
			}
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestBundleStable: the same signature gives the same bytes (protojson's whitespace varies).
func TestBundleStable(t *testing.T) {
	ed := mustFixture(t, "codesign-ed25519") // deterministic signatures
	s := mustSigner(t, ed.key, SignOptions{Format: FormatBundle, Certificates: ed.chain[:1]})
	_, a, _ := s.SignMessage([]byte("x"))
	_, b, _ := s.SignMessage([]byte("x"))
	if !bytes.Equal(a, b) || !bytes.HasPrefix(a, []byte("{\n  \"mediaType\": ")) {
		t.Fatalf("unstable or unexpected layout:\n%s\n%s", a, b)
	}
}

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
			p, err := ParseSignature(tc.data)
			if tc.ok != (err == nil) {
				t.Fatalf("err %v, want ok %v", err, tc.ok)
			}
			if err != nil && !isMalformed(err) {
				t.Fatalf("error %v does not wrap ErrMalformedSignature", err)
			}
			if err == nil && (p.Format != FormatBundle || !p.Certificates[0].Equal(ec.chain[0])) {
				t.Fatalf("parsed %+v", p)
			}
		})
	}
}
