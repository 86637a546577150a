package sign

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/sigformat"
)

// TestBundle: signet's bundles carry the verification material the chain calls for (the leaf
// alone in a v0.3 bundle), the messageDigest, and a signature that verifies over the content:
// Ed25519 with a certificate is Ed25519ph over the SHA-512 messageDigest (PKIX_ED25519_PH,
// and only that: not pure Ed25519), with a bare key pure Ed25519 over the content
// (PKIX_ED25519). That sigstore-go reads them strictly (protojson, no unknown field) and
// accepts them is checked in interop/.
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
		{"ecdsa chain", ec.key, 3, digest.SHA512, "certificate"},
		{"ed25519 chain", ed.key, 3, 0, "certificate"},
		{"ed25519 leaf sha512", ed.key, 1, digest.SHA512, "certificate"},
		{"ed25519 bare key", ed.key, 0, 0, "publicKey"},
		{"rsa2048 sha3-256", mustKey(t, "rsa2048"), 0, digest.SHA3_256, "publicKey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fx := ec
			if _, isEd := tc.key.Public().(ed25519.PublicKey); isEd {
				fx = ed
			}
			var chain = map[int][]int{0: nil, 1: {0}, 2: {0, 2}, 3: {0, 1, 2}}[tc.chain]
			opts := SignOptions{Format: sigformat.Bundle, Algorithm: tc.alg}
			for _, i := range chain {
				opts.Certificates = append(opts.Certificates, fx.chain[i])
			}
			s := mustSigner(t, tc.key, opts)
			d, out, err := s.SignMessage(msg)
			if err != nil {
				t.Fatal(err)
			}
			var b struct {
				MediaType            string
				VerificationMaterial map[string]json.RawMessage
				MessageSignature     struct {
					MessageDigest struct {
						Algorithm string
						Digest    []byte
					}
					Signature []byte
				}
			}
			if err := json.Unmarshal(out, &b); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if b.MediaType != sigformat.BundleMediaType {
				t.Fatalf("media type %q", b.MediaType)
			}
			vm := b.VerificationMaterial
			var got string
			for _, k := range []string{"publicKey", "certificate", "x509CertificateChain"} {
				if _, ok := vm[k]; ok {
					got = k
				}
			}
			if got != tc.want || len(vm) != 1 {
				t.Fatalf("verification material %s (%d fields), want %s alone: an offline bundle has no log entry or timestamp", got, len(vm), tc.want)
			}
			if got == "publicKey" {
				var pk struct{ Hint string }
				_ = json.Unmarshal(vm[got], &pk)
				hint, _ := sigformat.PublicKeyHint(tc.key.Public())
				if pk.Hint != hint {
					t.Fatalf("hint %q, want %q", pk.Hint, hint)
				}
			}
			if got == "certificate" {
				var c struct{ RawBytes string }
				_ = json.Unmarshal(vm[got], &c)
				if c.RawBytes != base64.StdEncoding.EncodeToString(fx.chain[0].Raw) {
					t.Fatal("the certificate is not the leaf")
				}
			}
			md := b.MessageSignature.MessageDigest
			_, isEd := tc.key.Public().(ed25519.PublicKey)
			ph := isEd && len(chain) > 0
			alg := tc.alg
			switch {
			case alg == 0 && ph:
				alg = digest.SHA512
			case alg == 0:
				alg = digest.DefaultAlgorithm
			}
			if s.NeedsMessage() != (isEd && !ph) {
				t.Fatalf("NeedsMessage %v for Ed25519 %v, Ed25519ph %v", s.NeedsMessage(), isEd, ph)
			}
			// The enum's names, as the protobuf-specs spell them.
			wantAlg := map[digest.Algorithm]string{digest.SHA256: "SHA2_256", digest.SHA384: "SHA2_384", digest.SHA512: "SHA2_512", digest.SHA3_256: "SHA3_256"}[alg]
			if md.Algorithm != wantAlg || !bytes.Equal(md.Digest, d) {
				t.Fatalf("messageDigest %v %x", md.Algorithm, md.Digest)
			}

			p, err := sigformat.Parse(out)
			if err != nil {
				t.Fatal(err)
			}
			if p.Format != sigformat.Bundle || p.Hash != alg.CryptoHash() || !bytes.Equal(p.ContentDigest, d) {
				t.Fatalf("parsed %s %v %x", p.Format, p.Hash, p.ContentDigest)
			}
			if len(chain) > 0 && !p.Certificates[0].Equal(fx.chain[0]) {
				t.Fatal("the leaf is not first")
			}
			// The signature covers the content: its digest, or for Ed25519 the message (pure)
			// or its SHA-512 digest (Ed25519ph), and not the other one.
			if isEd {
				pub := tc.key.Public().(ed25519.PublicKey)
				d512 := sha512.Sum512(msg)
				phOK := ed25519.VerifyWithOptions(pub, d512[:], p.Raw, &ed25519.Options{Hash: crypto.SHA512}) == nil
				pureOK := ed25519.Verify(pub, msg, p.Raw)
				if phOK != ph || pureOK == ph {
					t.Fatalf("Ed25519ph verifies: %v, pure Ed25519 verifies: %v; want Ed25519ph %v", phOK, pureOK, ph)
				}
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
	s := mustSigner(t, ed.key, SignOptions{Format: sigformat.Bundle, Certificates: ed.chain[:1]})
	_, a, _ := s.SignMessage([]byte("x"))
	_, b, _ := s.SignMessage([]byte("x"))
	if !bytes.Equal(a, b) || !bytes.HasPrefix(a, []byte("{\n  \"mediaType\": ")) {
		t.Fatalf("unstable or unexpected layout:\n%s\n%s", a, b)
	}
}
