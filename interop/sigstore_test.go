package interop_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/sign"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"google.golang.org/protobuf/encoding/protojson"
)

// pki is the fixture PKI: root-ca issues int-ca, which issues the code signers.
var pki = filepath.Join("..", "testdata", "pki")

var build struct {
	once sync.Once
	bin  string
	err  error
}

// signet builds the signet command from the parent module once per run.
func signet(t *testing.T) string {
	t.Helper()
	build.once.Do(func() {
		dir, err := os.MkdirTemp("", "signet-interop")
		if err != nil {
			build.err = err
			return
		}
		build.bin = filepath.Join(dir, "signet")
		cmd := exec.Command("go", "build", "-o", build.bin, "./cmd/signet")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			build.err = errors.New(string(out))
		}
	})
	if build.err != nil {
		t.Fatalf("building signet: %v", build.err)
	}
	return build.bin
}

// run runs signet with args and returns its exit code and its output.
func run(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(signet(t), args...)
	cmd.Env = append(os.Environ(), "SIGNET_HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &ee):
		return ee.ExitCode(), string(out)
	}
	t.Fatal(err)
	return 0, ""
}

// signBundle signs art with signet as the fixture PKI's signer (its key and its certificate
// under the intermediate) into a bundle beside it in dir, with extra flags, and returns the
// bundle's path.
func signBundle(t *testing.T, dir, signer, art string, extra ...string) string {
	t.Helper()
	chain := filepath.Join(dir, signer+"-chain.pem")
	leaf, _ := os.ReadFile(filepath.Join(pki, signer+".pem"))
	inter, _ := os.ReadFile(filepath.Join(pki, "int-ca.pem"))
	if err := os.WriteFile(chain, append(leaf, inter...), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, signer+".sigstore.json")
	args := append([]string{"sign", "--key", filepath.Join(pki, signer+".key"), "--cert", chain, "--format", "bundle", "-o", out}, extra...)
	if code, msg := run(t, append(args, art)...); code != 0 {
		t.Fatalf("signet %s: exit %d: %s", strings.Join(args, " "), code, msg)
	}
	return out
}

// mustPEM is the first PEM block of the fixture PKI's file name.
func mustPEM(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(pki, name))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s: no PEM", name)
	}
	return blk.Bytes
}

func mustCert(t *testing.T, name string) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(mustPEM(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustKey(t *testing.T, name string) crypto.Signer {
	t.Helper()
	k, err := x509.ParsePKCS8PrivateKey(mustPEM(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return k.(crypto.Signer)
}

// trustedRoot writes the trusted root both tools read: one certificate authority, int-ca
// then root-ca, valid from 2025 on, and no log.
func trustedRoot(t *testing.T, dir string) (string, root.TrustedMaterial) {
	t.Helper()
	var certs []any
	for _, f := range []string{"int-ca.pem", "root-ca.pem"} {
		certs = append(certs, map[string]any{"rawBytes": base64.StdEncoding.EncodeToString(mustCert(t, f).Raw)})
	}
	data, err := json.MarshalIndent(map[string]any{
		"mediaType": root.TrustedRootMediaType01,
		"tlogs":     []any{},
		"certificateAuthorities": []any{map[string]any{
			"subject":   map[string]any{"organization": "Signet Test", "commonName": "Signet Test Intermediate CA"},
			"uri":       "https://ca.signet.test",
			"certChain": map[string]any{"certificates": certs},
			"validFor":  map[string]any{"start": "2025-01-01T00:00:00Z"},
		}},
		"ctlogs":               []any{},
		"timestampAuthorities": []any{},
	}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "trusted_root.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	tr, err := root.NewTrustedRootFromJSON(data)
	if err != nil {
		t.Fatalf("sigstore-go refuses the trusted root: %v", err)
	}
	return path, tr
}

// sigstoreVerify verifies a bundle with sigstore-go as cosign verify-blob --offline
// --insecure-ignore-tlog --insecure-ignore-sct would: the certificate's chain to the trusted
// root at the current time, no identity policy, the artifact itself.
func sigstoreVerify(t *testing.T, tr root.TrustedMaterial, bundleJSON, artifact []byte) error {
	t.Helper()
	var b bundle.Bundle
	if err := b.UnmarshalJSON(bundleJSON); err != nil {
		return err
	}
	v, err := verify.NewVerifier(tr, verify.WithCurrentTime())
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.Verify(&b, verify.NewPolicy(verify.WithArtifact(bytes.NewReader(artifact)), verify.WithoutIdentitiesUnsafe()))
	return err
}

// TestSignetSignsSigstoreGoVerifies: bundles that signet sign writes for a signer under an
// intermediate verify in sigstore-go with the trusted root alone (a v0.3 bundle carries the
// leaf as `certificate`), for each key type, Ed25519 as Ed25519ph; and in signet verify.
func TestSignetSignsSigstoreGoVerifies(t *testing.T) {
	dir := t.TempDir()
	trPath, tr := trustedRoot(t, dir)
	art := filepath.Join(dir, "release.tar.gz")
	content := []byte("a release, signed by signet, verified by sigstore-go\n")
	if err := os.WriteFile(art, content, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, signer := range []string{"codesign", "codesign-rsa", "codesign-ed25519"} {
		t.Run(signer, func(t *testing.T) {
			out := signBundle(t, dir, signer, art)
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			// sigstore-go checks a certificate's Ed25519 key as Ed25519ph (PKIX_ED25519_PH), and
			// only so: signet signs the SHA-512 digest as Ed25519ph.
			if err := sigstoreVerify(t, tr, b, content); err != nil {
				t.Fatalf("sigstore-go: %v\n%s", err, b)
			}
			if signer == "codesign-ed25519" && !isEd25519ph(t, b, content) {
				t.Fatal("the Ed25519 bundle is not Ed25519ph over the content's SHA-512")
			}
			// signet verify reads it back with the same trusted root.
			if code, msg := run(t, "verify", "--trusted-root", trPath, "--sig", out, art); code != 0 {
				t.Fatalf("signet verify: exit %d: %s", code, msg)
			}
			// Changed content: sigstore-go refuses it (the check above is not vacuous).
			if err := sigstoreVerify(t, tr, b, append(content, '!')); err == nil {
				t.Fatal("sigstore-go accepts the bundle for other content")
			}
		})
	}
}

// isEd25519ph reports whether the bundle's signature is Ed25519ph over content's SHA-512.
func isEd25519ph(t *testing.T, bundleJSON, content []byte) bool {
	var b struct {
		VerificationMaterial struct{ Certificate struct{ RawBytes []byte } }
		MessageSignature     struct{ Signature []byte }
	}
	if json.Unmarshal(bundleJSON, &b) != nil {
		return false
	}
	c, err := x509.ParseCertificate(b.VerificationMaterial.Certificate.RawBytes)
	if err != nil {
		return false
	}
	pub, ok := c.PublicKey.(ed25519.PublicKey)
	d := sha512.Sum512(content)
	return ok && ed25519.VerifyWithOptions(pub, d[:], b.MessageSignature.Signature, &ed25519.Options{Hash: crypto.SHA512}) == nil
}

// fixtureCA is a sigstore-go CertificateProvider that issues a code-signing certificate for
// the keypair's key with the fixture intermediate, as a private Fulcio would.
type fixtureCA struct {
	t *testing.T
}

func (ca fixtureCA) GetCertificate(_ context.Context, kp sign.Keypair, _ *sign.CertificateProviderOptions) ([]byte, error) {
	issuer, key := mustCert(ca.t, "int-ca.pem"), mustKey(ca.t, "int-ca.key")
	tmpl := &x509.Certificate{
		SerialNumber:   big.NewInt(time.Now().UnixNano()),
		Subject:        pkix.Name{Organization: []string{"Signet Test"}, CommonName: "sigstore-go signer"},
		NotBefore:      time.Now().Add(-time.Hour),
		NotAfter:       time.Now().Add(time.Hour),
		KeyUsage:       x509.KeyUsageDigitalSignature,
		ExtKeyUsage:    []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		EmailAddresses: []string{"signer@example.com"},
	}
	return x509.CreateCertificate(rand.Reader, tmpl, issuer, kp.GetPublicKey(), key)
}

// TestSigstoreGoSignsSignetVerifies: bundles sigstore-go signs with a certificate of the
// fixture CA verify with signet verify --trusted-root (the same file sigstore-go reads), for
// ECDSA, pure Ed25519 (PKIX_ED25519, no hash named, which sigstore-go itself then refuses)
// and Ed25519ph (PKIX_ED25519_PH); the same
// bundle over changed content fails with exit 10.
func TestSigstoreGoSignsSignetVerifies(t *testing.T) {
	dir := t.TempDir()
	trPath, tr := trustedRoot(t, dir)
	content := []byte("a release, signed by sigstore-go, verified by signet\n")
	for _, alg := range []protocommon.PublicKeyDetails{
		protocommon.PublicKeyDetails_PKIX_ECDSA_P256_SHA_256,
		protocommon.PublicKeyDetails_PKIX_ECDSA_P384_SHA_384,
		protocommon.PublicKeyDetails_PKIX_ED25519,
		protocommon.PublicKeyDetails_PKIX_ED25519_PH,
	} {
		t.Run(alg.String(), func(t *testing.T) {
			kp, err := sign.NewEphemeralKeypair(&sign.EphemeralKeypairOptions{Algorithm: alg})
			if err != nil {
				t.Fatal(err)
			}
			pb, err := sign.Bundle(&sign.PlainData{Data: content}, kp, sign.BundleOptions{CertificateProvider: fixtureCA{t}})
			if err != nil {
				t.Fatal(err)
			}
			b, err := protojson.Marshal(pb)
			if err != nil {
				t.Fatal(err)
			}
			// The peer accepts its own bundle: the setup is sound. Except pure Ed25519: with a
			// certificate sigstore-go checks Ed25519 as Ed25519ph, and so refuses the pure
			// Ed25519 bundle it wrote itself ("no compatible verifier found"); signet reads
			// it (no hash named: the signature covers the file).
			err = sigstoreVerify(t, tr, b, content)
			if alg == protocommon.PublicKeyDetails_PKIX_ED25519 {
				if err == nil {
					t.Log("sigstore-go now accepts pure Ed25519 with a certificate")
				}
			} else if err != nil {
				t.Fatalf("sigstore-go refuses its own bundle: %v", err)
			}
			name := strings.ToLower(alg.String())
			art := filepath.Join(dir, name+".txt")
			sig := art + ".sigstore.json"
			if err := os.WriteFile(art, content, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(sig, b, 0o644); err != nil {
				t.Fatal(err)
			}
			if code, out := run(t, "verify", "--trusted-root", trPath, "--san-email", "signer@example.com", art); code != 0 || !strings.HasPrefix(out, "OK ") {
				t.Fatalf("signet verify: exit %d: %s\n%s", code, out, b)
			}
			if err := os.WriteFile(art, append(content, '!'), 0o644); err != nil {
				t.Fatal(err)
			}
			if code, out := run(t, "verify", "--trusted-root", trPath, art); code != 10 {
				t.Fatalf("changed content: exit %d, want 10: %s", code, out)
			}
		})
	}
}
