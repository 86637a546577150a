package sigformat

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/signet-pki/signet/digest"
)

var testSig = []byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// bundleJSON is a bundle written by hand, as protojson (and so sigstore-go, cosign) would.
func bundleJSON(t testing.TB, mt string, vm, content map[string]any) []byte {
	t.Helper()
	b := map[string]any{"mediaType": mt}
	if vm != nil {
		b["verificationMaterial"] = vm
	}
	if content == nil {
		content = map[string]any{"messageSignature": map[string]any{
			"messageDigest": map[string]any{"algorithm": "SHA2_256", "digest": b64(make([]byte, 32))},
			"signature":     b64(testSig),
		}}
	}
	for k, v := range content {
		b[k] = v
	}
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func certVM(der []byte) map[string]any {
	return map[string]any{"certificate": map[string]any{"rawBytes": b64(der)}}
}

// TestParseBundleForms: the media types of v0.1 to v0.3, the chain form of v0.1/v0.2, DSSE,
// and malformed bundles, each refused with ErrMalformedSignature.
func TestParseBundleForms(t *testing.T) {
	ec := mustFixture(t, "codesign")
	leafVM := certVM(ec.chain[0].Raw)
	chainVM := map[string]any{"x509CertificateChain": map[string]any{"certificates": []any{
		map[string]any{"rawBytes": b64(ec.chain[0].Raw)}, map[string]any{"rawBytes": b64(ec.chain[1].Raw)}}}}
	msgSig := func(md map[string]any) map[string]any {
		return map[string]any{"messageSignature": map[string]any{"messageDigest": md, "signature": b64(testSig)}}
	}
	for _, tc := range []struct {
		name  string
		data  []byte
		ok    bool
		certs int
	}{
		{"v0.1 media type", bundleJSON(t, "application/vnd.dev.sigstore.bundle+json;version=0.1", leafVM, nil), true, 1},
		{"v0.2 chain", bundleJSON(t, "application/vnd.dev.sigstore.bundle+json;version=0.2", chainVM, nil), true, 2},
		{"v0.3", bundleJSON(t, BundleMediaType, leafVM, nil), true, 1},
		{"v0.3 chain (signet before v0.3 was followed)", bundleJSON(t, BundleMediaType, chainVM, nil), true, 2},
		{"v0.3.1", bundleJSON(t, "application/vnd.dev.sigstore.bundle.v0.3.1+json", leafVM, nil), true, 1},
		{"not a bundle media type", bundleJSON(t, "application/json", leafVM, nil), false, 0},
		{"unknown version", bundleJSON(t, "application/vnd.dev.sigstore.bundle.v0.9+json", leafVM, nil), false, 0},
		{"no verification material", bundleJSON(t, BundleMediaType, nil, nil), false, 0},
		{"empty verification material", bundleJSON(t, BundleMediaType, map[string]any{}, nil), false, 0},
		{"dsse", bundleJSON(t, BundleMediaType, leafVM, map[string]any{"dsseEnvelope": map[string]any{}}), false, 0},
		{"no content", bundleJSON(t, BundleMediaType, leafVM, map[string]any{}), false, 0},
		{"bad certificate", bundleJSON(t, BundleMediaType, certVM([]byte{1, 2, 3}), nil), false, 0},
		{"truncated", bundleJSON(t, BundleMediaType, leafVM, nil)[:100], false, 0},
		{"wrong digest length", bundleJSON(t, BundleMediaType, leafVM, msgSig(map[string]any{"algorithm": "SHA2_384", "digest": b64(make([]byte, 32))})), false, 0},
		{"unknown hash name", bundleJSON(t, BundleMediaType, leafVM, msgSig(map[string]any{"algorithm": "MD5", "digest": b64(make([]byte, 16))})), false, 0},
		{"unknown hash number", bundleJSON(t, BundleMediaType, leafVM, msgSig(map[string]any{"algorithm": 9, "digest": b64(make([]byte, 32))})), false, 0},
		{"empty signature", bundleJSON(t, BundleMediaType, leafVM, map[string]any{"messageSignature": map[string]any{}}), false, 0},
		{"certificate and chain (one oneof)", bundleJSON(t, BundleMediaType, map[string]any{
			"certificate": leafVM["certificate"], "x509CertificateChain": chainVM["x509CertificateChain"]}, nil), false, 0},
		{"empty chain", bundleJSON(t, BundleMediaType, map[string]any{"x509CertificateChain": map[string]any{"certificates": []any{}}}, nil), false, 0},
		{"not base64", bundleJSON(t, BundleMediaType, map[string]any{"certificate": map[string]any{"rawBytes": "%%%"}}, nil), false, 0},
		{"bytes as a number", bundleJSON(t, BundleMediaType, map[string]any{"certificate": map[string]any{"rawBytes": 42}}, nil), false, 0},
		{"material as a string", bundleJSON(t, BundleMediaType, map[string]any{"certificate": "x"}, nil), false, 0},
		{"media type as an array", []byte(`{"mediaType": ["` + BundleMediaType + `"]}`), false, 0},
		{"data after the bundle", append(bundleJSON(t, BundleMediaType, leafVM, nil), []byte(` {}`)...), false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(tc.data)
			if tc.ok != (err == nil) {
				t.Fatalf("err %v, want ok %v", err, tc.ok)
			}
			if err != nil {
				if !isMalformed(err) {
					t.Fatalf("error %v does not wrap ErrMalformedSignature", err)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Fatalf("error on several lines: %q", err)
				}
				return
			}
			if p.Format != Bundle || len(p.Certificates) != tc.certs || !p.Certificates[0].Equal(ec.chain[0]) {
				t.Fatalf("parsed %+v", p)
			}
		})
	}
}

// TestParseBundleProtojsonRules: what protojson (with DiscardUnknown, as signet read bundles
// before) accepts, the reader accepts too, and what it refuses is refused.
func TestParseBundleProtojsonRules(t *testing.T) {
	ec := mustFixture(t, "codesign")
	raw := b64(ec.chain[0].Raw)
	urlNoPad := strings.TrimRight(base64.URLEncoding.EncodeToString(ec.chain[0].Raw), "=")
	d := make([]byte, 32)
	d[0] = 0xfb // a digest whose base64 has + or / in standard and - or _ in URL-safe
	d[1] = 0xff
	for _, tc := range []struct {
		name string
		json string
		ok   bool
	}{
		{"camelCase", `{"mediaType":"%MT%","verificationMaterial":{"certificate":{"rawBytes":"` + raw + `"}},"messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"%D%"},"signature":"%S%"}}`, true},
		{"snake_case (proto names)", `{"media_type":"%MT%","verification_material":{"certificate":{"raw_bytes":"` + raw + `"}},"message_signature":{"message_digest":{"algorithm":"SHA2_256","digest":"%D%"},"signature":"%S%"}}`, true},
		{"URL-safe base64 without padding", `{"mediaType":"%MT%","verificationMaterial":{"certificate":{"rawBytes":"` + urlNoPad + `"}},"messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"%DU%"},"signature":"%S%"}}`, true},
		{"enum by number", `{"mediaType":"%MT%","verificationMaterial":{"certificate":{"rawBytes":"` + raw + `"}},"messageSignature":{"messageDigest":{"algorithm":1,"digest":"%D%"},"signature":"%S%"}}`, true},
		{"unknown fields and nulls", `{"mediaType":"%MT%","future":{"x":[1,2]},"dsseEnvelope":null,"verificationMaterial":{"tlogEntries":[{"logIndex":"1"}],"publicKey":null,"certificate":{"rawBytes":"` + raw + `","extra":true}},"messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"%D%"},"signature":"%S%"}}`, true},
		{"a field twice", `{"mediaType":"%MT%","mediaType":"%MT%","verificationMaterial":{"certificate":{"rawBytes":"` + raw + `"}},"messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"%D%"},"signature":"%S%"}}`, false},
		{"a field by both names", `{"mediaType":"%MT%","verificationMaterial":{"certificate":{"rawBytes":"` + raw + `","raw_bytes":"` + raw + `"}},"messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"%D%"},"signature":"%S%"}}`, false},
		{"names are case-sensitive", `{"MediaType":"%MT%","verificationMaterial":{"certificate":{"rawBytes":"` + raw + `"}},"messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"%D%"},"signature":"%S%"}}`, false},
		{"unknown enum name", `{"mediaType":"%MT%","verificationMaterial":{"certificate":{"rawBytes":"` + raw + `"}},"messageSignature":{"messageDigest":{"algorithm":"SHA256","digest":"%D%"},"signature":"%S%"}}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := strings.NewReplacer("%MT%", BundleMediaType, "%D%", b64(d), "%DU%", strings.TrimRight(base64.URLEncoding.EncodeToString(d), "="), "%S%", b64(testSig))
			p, err := Parse([]byte(r.Replace(tc.json)))
			if tc.ok != (err == nil) {
				t.Fatalf("err %v, want ok %v", err, tc.ok)
			}
			if err != nil {
				if !isMalformed(err) {
					t.Fatalf("error %v does not wrap ErrMalformedSignature", err)
				}
				return
			}
			if !p.Certificates[0].Equal(ec.chain[0]) || p.Hash != crypto.SHA256 || !bytes.Equal(p.ContentDigest, d) || !bytes.Equal(p.Raw, testSig) {
				t.Fatalf("parsed %+v", p)
			}
		})
	}
}

// TestParseBundleEd25519Unspecified: sigstore-go's pure Ed25519 bundles (PKIX_ED25519) name
// no hash (HASH_ALGORITHM_UNSPECIFIED, or the field left out) and carry the message as the
// "digest": the bundle then records no digest, and the signature covers the file itself.
func TestParseBundleEd25519Unspecified(t *testing.T) {
	ed := mustFixture(t, "codesign-ed25519")
	msg := []byte("a message of any length, not a digest\n")
	for _, md := range []map[string]any{
		{"algorithm": "HASH_ALGORITHM_UNSPECIFIED", "digest": b64(msg)},
		{"digest": b64(msg)},
		{"algorithm": 0, "digest": b64(msg)},
	} {
		data := bundleJSON(t, BundleMediaType, certVM(ed.chain[0].Raw), map[string]any{"messageSignature": map[string]any{
			"messageDigest": md, "signature": b64(make([]byte, 64))}})
		p, err := Parse(data)
		if err != nil {
			t.Fatalf("%v: %v", md, err)
		}
		if p.Hash != 0 || p.ContentDigest != nil {
			t.Fatalf("%v: hash %v, digest %x: want none", md, p.Hash, p.ContentDigest)
		}
	}
}

// TestMarshalBundleLeafOnly: v0.3 carries the signer's certificate alone, never
// x509CertificateChain (sigstore-go: "verification material cannot be X.509 certificate chain
// (for bundle v0.3)"), whatever chain it is given.
func TestMarshalBundleLeafOnly(t *testing.T) {
	ec := mustFixture(t, "codesign")
	for n := 1; n <= 3; n++ {
		out, err := MarshalBundle(BundleContent{Algorithm: digest.SHA256, Digest: make([]byte, 32), Signature: testSig, Certificates: ec.chain[:n]})
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(out, []byte("x509CertificateChain")) {
			t.Fatalf("%d certificates: a chain in a v0.3 bundle:\n%s", n, out)
		}
		p, err := Parse(out)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Certificates) != 1 || !p.Certificates[0].Equal(ec.chain[0]) {
			t.Fatalf("%d certificates given: read %d", n, len(p.Certificates))
		}
	}
}

// TestMarshalBundleBytes: the bytes signet wrote with protojson, kept (a bare key's bundle).
func TestMarshalBundleBytes(t *testing.T) {
	ec := mustFixture(t, "codesign")
	out, err := MarshalBundle(BundleContent{Algorithm: digest.SHA256, Digest: make([]byte, 32), Signature: testSig, PublicKey: ec.key.Public()})
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
  "verificationMaterial": {
    "publicKey": {
      "hint": "iUtUL5bFxLOUUD3kr568z77BnLP0fovMxMaUkB3Ub40="
    }
  },
  "messageSignature": {
    "messageDigest": {
      "algorithm": "SHA2_256",
      "digest": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
    },
    "signature": "MAYCAQECAQE="
  }
}
`
	if string(out) != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
}

// FuzzParseBundle: any JSON text parses or fails with ErrMalformedSignature in one line, and
// a bundle that parses marshals and parses back to the same signature.
func FuzzParseBundle(f *testing.F) {
	ec := mustFixture(f, "codesign")
	f.Add(bundleJSON(f, BundleMediaType, certVM(ec.chain[0].Raw), nil))
	f.Add(bundleJSON(f, "application/vnd.dev.sigstore.bundle+json;version=0.2", map[string]any{"x509CertificateChain": map[string]any{"certificates": []any{
		map[string]any{"rawBytes": b64(ec.chain[0].Raw)}, map[string]any{"rawBytes": b64(ec.chain[1].Raw)}}}}, nil))
	f.Add(bundleJSON(f, BundleMediaType, map[string]any{"publicKey": map[string]any{"hint": "abc"},
		"timestampVerificationData": map[string]any{"rfc3161Timestamps": []any{map[string]any{"signedTimestamp": "MAA="}}}}, nil))
	f.Add([]byte(`{"media_type":"application/vnd.dev.sigstore.bundle.v0.3+json","message_signature":{"signature":"AA"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, ts, err := readBundle(data)
		if err != nil {
			if _, perr := Parse(append([]byte("{"), data...)); perr != nil && (!isMalformed(perr) || strings.Contains(perr.Error(), "\n")) {
				t.Fatalf("Parse error %q", perr)
			}
			return
		}
		c := BundleContent{Signature: s.Raw, Certificates: s.Certificates, Timestamps: ts, Algorithm: digest.SHA256, Digest: make([]byte, 32)}
		for _, a := range digest.Algorithms() {
			if s.Hash != 0 && a.CryptoHash() == s.Hash {
				c.Algorithm, c.Digest = a, s.ContentDigest
			}
		}
		if len(s.Certificates) == 0 {
			return // a hint is not a key: nothing to marshal from
		}
		out, err := MarshalBundle(c)
		if err != nil {
			t.Fatal(err)
		}
		s2, ts2, err := readBundle(out)
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if !bytes.Equal(s2.Raw, s.Raw) || !s2.Certificates[0].Equal(s.Certificates[0]) || len(ts2) != len(ts) {
			t.Fatalf("round trip changed the bundle:\n%s", out)
		}
	})
}
