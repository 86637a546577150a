package verify_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/verify"
)

func mustBundle(t testing.TB, data []byte) *sigformat.Signature {
	t.Helper()
	s, err := sigformat.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func signatureCheck(res *verify.ArtifactResult) string {
	for _, c := range res.Checks {
		if c.Check == verify.CheckSignature {
			return c.Detail
		}
	}
	return ""
}

// TestVerifyBundleEd25519 follows the Sigstore algorithm registry as sigstore-go applies it:
// an Ed25519 certificate's bundle is Ed25519ph over the SHA-512 messageDigest
// (PKIX_ED25519_PH); a pure Ed25519 bundle of sigstore-go (PKIX_ED25519) names no hash and
// carries the message as its digest; signet's earlier pure Ed25519 bundles still verify.
func TestVerifyBundleEd25519(t *testing.T) {
	key := mustSigner(t, "codesign-ed25519.key")
	leaf := mustCerts(t, "codesign-ed25519.pem")
	msg := "an artifact signed with Ed25519\n"
	dir := t.TempDir()
	file := writeFile(t, dir, "art.txt", msg)
	d512 := sha512.Sum512([]byte(msg))
	d256 := sha256.Sum256([]byte(msg))
	ph, err := key.Sign(rand.Reader, d512[:], &ed25519.Options{Hash: crypto.SHA512})
	if err != nil {
		t.Fatal(err)
	}
	pure, err := key.Sign(rand.Reader, []byte(msg), crypto.Hash(0))
	if err != nil {
		t.Fatal(err)
	}
	other := sha512.Sum512([]byte("another file"))
	phOther, _ := key.Sign(rand.Reader, other[:], &ed25519.Options{Hash: crypto.SHA512})

	marshal := func(alg digest.Algorithm, d, sig []byte) []byte {
		out, err := sigformat.MarshalBundle(sigformat.BundleContent{Algorithm: alg, Digest: d, Signature: sig, Certificates: leaf})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	// What sigstore-go writes for PKIX_ED25519: algorithm left out (unspecified), the
	// message as the digest.
	unspecified, _ := json.Marshal(map[string]any{
		"mediaType":            sigformat.BundleMediaType,
		"verificationMaterial": map[string]any{"certificate": map[string]any{"rawBytes": base64.StdEncoding.EncodeToString(leaf[0].Raw)}},
		"messageSignature": map[string]any{
			"messageDigest": map[string]any{"digest": base64.StdEncoding.EncodeToString([]byte(msg))},
			"signature":     base64.StdEncoding.EncodeToString(pure),
		},
	})
	for _, tc := range []struct {
		name   string
		bundle []byte
		valid  bool
		scheme string
	}{
		{"Ed25519ph, sha512 messageDigest (PKIX_ED25519_PH)", marshal(digest.SHA512, d512[:], ph), true, "Ed25519ph over the file's sha512 digest"},
		{"pure Ed25519, no hash named (sigstore-go's PKIX_ED25519)", unspecified, true, "Ed25519 over the file"},
		{"pure Ed25519, sha256 messageDigest (signet before)", marshal(digest.SHA256, d256[:], pure), true, "Ed25519 over the file"},
		{"pure Ed25519, sha512 messageDigest (signet before, -a sha512)", marshal(digest.SHA512, d512[:], pure), true, "Ed25519 over the file"},
		{"Ed25519ph over another digest", marshal(digest.SHA512, d512[:], phOther), false, ""},
		{"Ed25519ph where the digest recorded is another file's", marshal(digest.SHA512, other[:], phOther), false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := codeSigning(t)
			p.Intermediates = mustCerts(t, "int-ca.pem")
			res, err := verify.VerifyArtifact(context.Background(), verify.Artifact{Name: file, Signature: mustBundle(t, tc.bundle)},
				verify.ArtifactOptions{Policy: p, Workers: 1})
			if res == nil {
				t.Fatal(err)
			}
			if res.Valid != tc.valid {
				t.Fatalf("valid %v (%v), want %v", res.Valid, err, tc.valid)
			}
			if !tc.valid {
				if !errors.Is(err, verify.ErrSignatureMismatch) {
					t.Fatalf("error %v, want a signature mismatch", err)
				}
				return
			}
			if got := signatureCheck(res); !strings.HasPrefix(got, tc.scheme) {
				t.Fatalf("signature check %q, want it to start %q", got, tc.scheme)
			}
		})
	}
}

// TestVerifyBundleChainCompletion: a v0.3 bundle carries the leaf alone; the chain is
// completed from Policy.Intermediates (--intermediates, a trusted root's certChain), and a
// v0.2 bundle's x509CertificateChain still completes it by itself.
func TestVerifyBundleChainCompletion(t *testing.T) {
	key := mustSigner(t, "codesign.key")
	leaf, inter := mustCerts(t, "codesign.pem"), mustCerts(t, "int-ca.pem")
	msg := "release\n"
	file := writeFile(t, t.TempDir(), "art.txt", msg)
	d := sha256.Sum256([]byte(msg))
	sig := rawSign(t, key, crypto.SHA256, false, []byte(msg))
	v03, err := sigformat.MarshalBundle(sigformat.BundleContent{Algorithm: digest.SHA256, Digest: d[:], Signature: sig, Certificates: append(leaf, inter...)})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(v03), "x509CertificateChain") {
		t.Fatal("a v0.3 bundle with a chain")
	}
	v02 := fmt.Appendf(nil, `{"mediaType":"application/vnd.dev.sigstore.bundle+json;version=0.2",
		"verificationMaterial":{"x509CertificateChain":{"certificates":[{"rawBytes":%q},{"rawBytes":%q}]}},
		"messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":%q},"signature":%q}}`,
		base64.StdEncoding.EncodeToString(leaf[0].Raw), base64.StdEncoding.EncodeToString(inter[0].Raw),
		base64.StdEncoding.EncodeToString(d[:]), base64.StdEncoding.EncodeToString(sig))

	withInter := codeSigning(t)
	withInter.Intermediates = inter
	for _, tc := range []struct {
		name   string
		bundle []byte
		policy verify.Policy
		reason string
	}{
		{"v0.3, intermediates given", v03, withInter, ""},
		{"v0.3, no intermediate", v03, codeSigning(t), string(verify.UnknownAuthority)},
		{"v0.2 chain", v02, codeSigning(t), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, _ := verify.VerifyArtifact(context.Background(), verify.Artifact{Name: file, Signature: mustBundle(t, tc.bundle)},
				verify.ArtifactOptions{Policy: tc.policy, Workers: 1})
			if res.Valid != (tc.reason == "") || res.Reason != tc.reason {
				t.Fatalf("valid %v reason %q (%s), want reason %q", res.Valid, res.Reason, res.Error, tc.reason)
			}
		})
	}
}

// trustedRootJSON is a Sigstore trusted root listing chains (issuing CA first, root last), as
// sigstore-go's root.NewTrustedRoot marshals it.
func trustedRootJSON(t testing.TB, mediaType string, start, end time.Time, chains ...[]string) []byte {
	t.Helper()
	var cas []any
	for _, chain := range chains {
		var certs []any
		for _, f := range chain {
			certs = append(certs, map[string]any{"rawBytes": base64.StdEncoding.EncodeToString(mustCerts(t, f)[0].Raw)})
		}
		vf := map[string]any{"start": start.Format(time.RFC3339)}
		if !end.IsZero() {
			vf["end"] = end.Format(time.RFC3339)
		}
		cas = append(cas, map[string]any{
			"subject":   map[string]any{"organization": "Signet Test", "commonName": "test"},
			"uri":       "https://ca.example",
			"certChain": map[string]any{"certificates": certs},
			"validFor":  vf,
		})
	}
	out, err := json.Marshal(map[string]any{"mediaType": mediaType, "tlogs": []any{}, "certificateAuthorities": cas, "ctlogs": []any{}, "timestampAuthorities": []any{}})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTrustedRoot: the certificate authorities of a Sigstore trusted root give the trust
// anchors (the last of each certChain) and the intermediates (the others), for the
// authorities whose validFor holds the validation time; a malformed root is refused.
func TestTrustedRoot(t *testing.T) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	data := trustedRootJSON(t, "application/vnd.dev.sigstore.trustedroot+json;version=0.1", start, end, []string{"int-ca.pem", "root-ca.pem"})
	tr, err := verify.ParseTrustedRoot(data)
	if err != nil {
		t.Fatal(err)
	}
	roots, inters := tr.Anchors(pinned, false)
	if len(roots) != 1 || !roots[0].Equal(mustCerts(t, "root-ca.pem")[0]) || len(inters) != 1 || !inters[0].Equal(mustCerts(t, "int-ca.pem")[0]) {
		t.Fatalf("anchors %d, intermediates %d", len(roots), len(inters))
	}
	if r, _ := tr.Anchors(end.Add(time.Hour), false); len(r) != 0 {
		t.Fatal("an authority past validFor.end is trusted")
	}
	if r, _ := tr.Anchors(start.Add(-time.Hour), false); len(r) != 0 {
		t.Fatal("an authority before validFor.start is trusted")
	}

	// A bundle of a signer under int-ca verifies with the trusted root's material alone.
	key := mustSigner(t, "codesign.key")
	msg := "release\n"
	file := writeFile(t, t.TempDir(), "art.txt", msg)
	d := sha256.Sum256([]byte(msg))
	b, _ := sigformat.MarshalBundle(sigformat.BundleContent{Algorithm: digest.SHA256, Digest: d[:], Signature: rawSign(t, key, crypto.SHA256, false, []byte(msg)), Certificates: mustCerts(t, "codesign.pem")})
	p := verify.CodeSigningPolicy(verify.Policy{Roots: roots, Intermediates: inters, At: pinned})
	if res, err := verify.VerifyArtifact(context.Background(), verify.Artifact{Name: file, Signature: mustBundle(t, b)}, verify.ArtifactOptions{Policy: p}); err != nil || !res.Valid {
		t.Fatalf("with the trusted root's material: %v", err)
	}

	for _, tc := range []struct{ name, json string }{
		{"not JSON", `{"mediaType":`},
		{"another media type", `{"mediaType":"application/json","certificateAuthorities":[]}`},
		{"no authority", `{"mediaType":"application/vnd.dev.sigstore.trustedroot.v0.2+json","certificateAuthorities":[]}`},
		{"no chain", `{"mediaType":"application/vnd.dev.sigstore.trustedroot.v0.2+json","certificateAuthorities":[{"validFor":{"start":"2025-01-01T00:00:00Z"}}]}`},
		{"no validFor", `{"mediaType":"application/vnd.dev.sigstore.trustedroot.v0.2+json","certificateAuthorities":[{"certChain":{"certificates":[{"rawBytes":"MAA="}]}}]}`},
		{"bad certificate", `{"mediaType":"application/vnd.dev.sigstore.trustedroot.v0.2+json","certificateAuthorities":[{"certChain":{"certificates":[{"rawBytes":"MAA="}]},"validFor":{"start":"2025-01-01T00:00:00Z"}}]}`},
	} {
		_, err := verify.ParseTrustedRoot([]byte(tc.json))
		if err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v", tc.name, err)
		}
	}
}

// TestVerifyBundleNoHashECDSA: a bundle whose messageDigest names no hash
// (HASH_ALGORITHM_UNSPECIFIED) or that has none is checked with the hash the Sigstore
// algorithm registry pairs with the signer's ECDSA curve, as sigstore-go checks it: SHA-384
// for P-384, SHA-512 for P-521, not -a's SHA-256 (which is for raw signatures).
func TestVerifyBundleNoHashECDSA(t *testing.T) {
	msg := "an artifact whose bundle names no hash\n"
	file := writeFile(t, t.TempDir(), "art.txt", msg)
	for _, tc := range []struct {
		curve elliptic.Curve
		h     crypto.Hash
	}{{elliptic.P256(), crypto.SHA256}, {elliptic.P384(), crypto.SHA384}, {elliptic.P521(), crypto.SHA512}} {
		key, err := ecdsa.GenerateKey(tc.curve, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		hh := tc.h.New()
		hh.Write([]byte(msg))
		sig, err := ecdsa.SignASN1(rand.Reader, key, hh.Sum(nil))
		if err != nil {
			t.Fatal(err)
		}
		b64 := base64.StdEncoding.EncodeToString
		for name, ms := range map[string]map[string]any{
			"unspecified": {"messageDigest": map[string]any{"algorithm": "HASH_ALGORITHM_UNSPECIFIED", "digest": b64(hh.Sum(nil))}, "signature": b64(sig)},
			"no digest":   {"signature": b64(sig)},
		} {
			t.Run(tc.curve.Params().Name+" "+name, func(t *testing.T) {
				b, _ := json.Marshal(map[string]any{
					"mediaType":            sigformat.BundleMediaType,
					"verificationMaterial": map[string]any{"publicKey": map[string]any{"hint": "k"}},
					"messageSignature":     ms,
				})
				res, err := verify.VerifyArtifact(context.Background(), verify.Artifact{Name: file, Signature: mustBundle(t, b)},
					verify.ArtifactOptions{Key: key.Public(), Workers: 1})
				if res == nil || !res.Valid {
					t.Fatalf("not valid: %v", err)
				}
				if got, want := signatureCheck(res), fmt.Sprintf("ECDSA %v", tc.h); !strings.HasPrefix(got, want) {
					t.Fatalf("signature check %q, want it to start %q", got, want)
				}
			})
		}
	}
}
