package interop_test

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/sign"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/options"
	"google.golang.org/protobuf/encoding/protojson"
)

// keyVerify verifies a public-key bundle with sigstore-go as cosign verify-blob --key does
// (--insecure-ignore-tlog): the bundle's hint names a key of the trusted material, whose
// verifier is signature.LoadVerifier's for the key (for Ed25519 pure Ed25519, PKIX_ED25519;
// loadOpts may ask for another scheme).
func keyVerify(t *testing.T, pub crypto.PublicKey, bundleJSON, artifact []byte, loadOpts ...signature.LoadOption) error {
	t.Helper()
	var b bundle.Bundle
	if err := b.UnmarshalJSON(bundleJSON); err != nil {
		return err
	}
	var hint struct {
		VerificationMaterial struct{ PublicKey struct{ Hint string } }
	}
	if err := json.Unmarshal(bundleJSON, &hint); err != nil || hint.VerificationMaterial.PublicKey.Hint == "" {
		t.Fatalf("no public-key hint in the bundle: %v\n%s", err, bundleJSON)
	}
	v, err := signature.LoadVerifierWithOpts(pub, append([]signature.LoadOption{options.WithHash(crypto.SHA256)}, loadOpts...)...)
	if err != nil {
		t.Fatal(err)
	}
	tm := root.NewTrustedPublicKeyMaterialFromMapping(map[string]*root.ExpiringKey{
		hint.VerificationMaterial.PublicKey.Hint: root.NewExpiringKey(v, time.Time{}, time.Time{}),
	})
	sv, err := verify.NewVerifier(tm, verify.WithCurrentTime())
	if err != nil {
		t.Fatal(err)
	}
	_, err = sv.Verify(&b, verify.NewPolicy(verify.WithArtifact(bytes.NewReader(artifact)), verify.WithKey()))
	return err
}

// TestSignetKeyBundlesSigstoreGo: a bundle signet signs with a bare key (a publicKey hint, no
// certificate) verifies in sigstore-go with that key, as cosign verify-blob --key checks it.
// Ed25519 there is pure Ed25519 (PKIX_ED25519): the scheme signature.LoadVerifier, and so
// cosign verify-blob --key, applies to an Ed25519 key, and the one cosign sign-blob --key
// writes without a log entry; an Ed25519ph verifier refuses it.
func TestSignetKeyBundlesSigstoreGo(t *testing.T) {
	dir := t.TempDir()
	art := filepath.Join(dir, "release.tar.gz")
	content := []byte("a release, signed by a bare key\n")
	if err := os.WriteFile(art, content, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, signer := range []string{"codesign", "codesign-ed25519"} {
		t.Run(signer, func(t *testing.T) {
			out := filepath.Join(dir, signer+".sigstore.json")
			if code, msg := run(t, "sign", "--key", filepath.Join(pki, signer+".key"), "--format", "bundle", "-o", out, art); code != 0 {
				t.Fatalf("signet sign: exit %d: %s", code, msg)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			pub := mustKey(t, signer+".key").Public()
			if err := keyVerify(t, pub, b, content); err != nil {
				t.Fatalf("sigstore-go: %v\n%s", err, b)
			}
			if err := keyVerify(t, pub, b, append(content, '!')); err == nil {
				t.Fatal("sigstore-go accepts the bundle for other content")
			}
			if _, ok := pub.(ed25519.PublicKey); ok {
				if err := keyVerify(t, pub, b, content, options.WithED25519ph()); err == nil {
					t.Fatal("a bare key's Ed25519 bundle verifies as Ed25519ph: it should be pure Ed25519")
				}
			}
		})
	}
}

// tsa is signet tsa serve running for a test, with a certificate from signet cert create
// --profile tsa issued by the fixture intermediate.
type tsa struct {
	url   string
	chain []byte // PEM: the TSA's certificate, then int-ca
}

func startTSA(t *testing.T, dir string) tsa {
	t.Helper()
	key, csr, chain := filepath.Join(dir, "tsa.key"), filepath.Join(dir, "tsa.csr"), filepath.Join(dir, "tsa.pem")
	for _, args := range [][]string{
		{"key", "gen", "--no-passphrase", "-o", key},
		{"csr", "--key", key, "--subject", "CN=Interop TSA,O=Signet Test", "-o", csr},
		{"cert", "create", "--profile", "tsa", "--csr", csr, "--ca", filepath.Join(pki, "int-ca.pem"),
			"--ca-key", filepath.Join(pki, "int-ca.key"), "--bundle", "-o", chain},
	} {
		if code, msg := run(t, args...); code != 0 {
			t.Fatalf("signet %s: exit %d: %s", strings.Join(args, " "), code, msg)
		}
	}
	addr := filepath.Join(dir, "tsa.url")
	cmd := exec.Command(signet(t), "tsa", "serve", "--listen", "127.0.0.1:0", "--addr-file", addr, "--key", key, "--cert", chain)
	cmd.Env = append(os.Environ(), "SIGNET_HOME="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	var url string
	for i := 0; i < 400 && url == ""; i++ {
		b, _ := os.ReadFile(addr)
		url = strings.TrimSpace(string(b))
		if url == "" {
			time.Sleep(25 * time.Millisecond)
		}
	}
	if url == "" {
		t.Fatalf("signet tsa serve did not start:\n%s", stderr.String())
	}
	pemChain, err := os.ReadFile(chain)
	if err != nil {
		t.Fatal(err)
	}
	return tsa{url: url, chain: pemChain}
}

// trustedRootWithTSA is trustedRoot's file with the TSA in timestampAuthorities (its
// certificate, int-ca, root-ca), or without it when tsaChain is nil.
func trustedRootWithTSA(t *testing.T, dir string, tsaChain []byte) (string, root.TrustedMaterial) {
	t.Helper()
	path, _ := trustedRoot(t, dir)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var tr map[string]any
	if err := json.Unmarshal(data, &tr); err != nil {
		t.Fatal(err)
	}
	if tsaChain != nil {
		var certs []any
		rest := tsaChain
		for {
			var blk *pem.Block
			blk, rest = pem.Decode(rest)
			if blk == nil {
				break
			}
			certs = append(certs, map[string]any{"rawBytes": base64.StdEncoding.EncodeToString(blk.Bytes)})
		}
		certs = append(certs, map[string]any{"rawBytes": base64.StdEncoding.EncodeToString(mustCert(t, "root-ca.pem").Raw)})
		tr["timestampAuthorities"] = []any{map[string]any{
			"subject":   map[string]any{"organization": "Signet Test", "commonName": "Interop TSA"},
			"uri":       "http://tsa.signet.test",
			"certChain": map[string]any{"certificates": certs},
			"validFor":  map[string]any{"start": "2025-01-01T00:00:00Z"},
		}}
	}
	if data, err = json.MarshalIndent(tr, "", "  "); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := root.NewTrustedRootFromJSON(data)
	if err != nil {
		t.Fatalf("sigstore-go refuses the trusted root: %v", err)
	}
	return path, m
}

// TestSignetTimestampSigstoreGo: a bundle signed with signet sign --tsa, the TSA being
// signet tsa serve, verifies in sigstore-go with the TSA in the trusted root's
// timestampAuthorities and a signed timestamp required (the signing time is the token's
// genTime, not the current time); without the TSA in the trusted root it fails.
func TestSignetTimestampSigstoreGo(t *testing.T) {
	dir := t.TempDir()
	ts := startTSA(t, dir)
	withTSA := filepath.Join(dir, "with")
	without := filepath.Join(dir, "without")
	for _, d := range []string{withTSA, without} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	trPath, tr := trustedRootWithTSA(t, withTSA, ts.chain)
	_, trNoTSA := trustedRootWithTSA(t, without, nil)
	art := filepath.Join(dir, "release.tar.gz")
	content := []byte("a release, timestamped by signet tsa serve\n")
	if err := os.WriteFile(art, content, 0o644); err != nil {
		t.Fatal(err)
	}
	timestamped := func(tm root.TrustedMaterial, b []byte) error {
		var bb bundle.Bundle
		if err := bb.UnmarshalJSON(b); err != nil {
			return err
		}
		v, err := verify.NewVerifier(tm, verify.WithSignedTimestamps(1))
		if err != nil {
			t.Fatal(err)
		}
		_, err = v.Verify(&bb, verify.NewPolicy(verify.WithArtifact(bytes.NewReader(content)), verify.WithoutIdentitiesUnsafe()))
		return err
	}
	for _, signer := range []string{"codesign", "codesign-ed25519"} {
		t.Run(signer, func(t *testing.T) {
			out := signBundle(t, dir, signer, art, "--tsa", ts.url)
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if err := timestamped(tr, b); err != nil {
				t.Fatalf("sigstore-go with the TSA trusted: %v\n%s", err, b)
			}
			if err := timestamped(trNoTSA, b); err == nil {
				t.Fatal("sigstore-go accepts the timestamp of a TSA its trusted root does not list")
			}
			if code, msg := run(t, "verify", "--trusted-root", trPath, "--tsa-roots", filepath.Join(pki, "root-ca.pem"), "--require-timestamp", "--sig", out, art); code != 0 {
				t.Fatalf("signet verify --require-timestamp: exit %d: %s", code, msg)
			}
		})
	}
}

// TestSigstoreGoKeySignsSignetVerifies: bundles sigstore-go signs with a bare key (a publicKey
// hint, no certificate) verify with signet verify --key: ECDSA, pure Ed25519 (PKIX_ED25519,
// which names no hash) and Ed25519ph (PKIX_ED25519_PH); changed content fails with exit 10.
func TestSigstoreGoKeySignsSignetVerifies(t *testing.T) {
	dir := t.TempDir()
	content := []byte("a release, signed by sigstore-go with a bare key\n")
	for _, alg := range []protocommon.PublicKeyDetails{
		protocommon.PublicKeyDetails_PKIX_ECDSA_P256_SHA_256,
		protocommon.PublicKeyDetails_PKIX_ED25519,
		protocommon.PublicKeyDetails_PKIX_ED25519_PH,
	} {
		t.Run(alg.String(), func(t *testing.T) {
			kp, err := sign.NewEphemeralKeypair(&sign.EphemeralKeypairOptions{Algorithm: alg})
			if err != nil {
				t.Fatal(err)
			}
			pb, err := sign.Bundle(&sign.PlainData{Data: content}, kp, sign.BundleOptions{})
			if err != nil {
				t.Fatal(err)
			}
			b, err := protojson.Marshal(pb)
			if err != nil {
				t.Fatal(err)
			}
			name := strings.ToLower(alg.String())
			art, sig, pub := filepath.Join(dir, name+".txt"), filepath.Join(dir, name+".sigstore.json"), filepath.Join(dir, name+".pub")
			pubPEM, err := kp.GetPublicKeyPem()
			if err != nil {
				t.Fatal(err)
			}
			for f, data := range map[string][]byte{art: content, sig: b, pub: []byte(pubPEM)} {
				if err := os.WriteFile(f, data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if code, out := run(t, "verify", "--key", pub, "--sig", sig, art); code != 0 || !strings.HasPrefix(out, "OK ") {
				t.Fatalf("signet verify --key: exit %d: %s\n%s", code, out, b)
			}
			if err := os.WriteFile(art, append(content, '!'), 0o644); err != nil {
				t.Fatal(err)
			}
			if code, out := run(t, "verify", "--key", pub, "--sig", sig, art); code != 10 {
				t.Fatalf("changed content: exit %d, want 10: %s", code, out)
			}
		})
	}
}
