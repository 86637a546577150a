package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func trMake(t *testing.T, tmpl, parent *x509.Certificate, pub crypto.PublicKey, priv crypto.Signer) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTrustedRootRetiredAuthority (a review finding): a Sigstore trusted root lists a retired
// authority [I1, R] and a current one [I2, R] sharing the root. A signature whose leaf I1
// issued, carrying I1 itself, must not verify: the path goes through no authority valid at
// the signing time, whatever the shared root.
func TestTrustedRootRetiredAuthority(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mk := func(tmpl, parent *x509.Certificate, pub crypto.PublicKey, priv crypto.Signer) *x509.Certificate {
		return trMake(t, tmpl, parent, pub, priv)
	}

	now := time.Now()
	rk, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ik1, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ik2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	lk, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := func(sn int64, cn string) *x509.Certificate {
		return &x509.Certificate{SerialNumber: big.NewInt(sn), Subject: pkix.Name{CommonName: cn},
			NotBefore: now.Add(-5 * 365 * 24 * time.Hour), NotAfter: now.Add(5 * 365 * 24 * time.Hour),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	}
	root := mk(ca(1, "Root"), ca(1, "Root"), &rk.PublicKey, rk)
	i1 := mk(ca(2, "Retired Intermediate"), root, &ik1.PublicKey, rk)
	i2 := mk(ca(3, "Current Intermediate"), root, &ik2.PublicKey, rk)
	lt := &x509.Certificate{SerialNumber: big.NewInt(4), Subject: pkix.Name{CommonName: "Signer under retired CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}}
	leaf := mk(lt, i1, &lk.PublicKey, ik1)
	content := []byte("malicious payload\n")
	os.WriteFile(filepath.Join(dir, "app"), content, 0o644)
	d := sha256.Sum256(content)
	sig, _ := ecdsa.SignASN1(rand.Reader, lk, d[:])
	b64 := base64.StdEncoding.EncodeToString
	bundle := map[string]any{
		"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
		"verificationMaterial": map[string]any{"x509CertificateChain": map[string]any{"certificates": []any{
			map[string]any{"rawBytes": b64(leaf.Raw)}, map[string]any{"rawBytes": b64(i1.Raw)}}}},
		"messageSignature": map[string]any{"messageDigest": map[string]any{"algorithm": "SHA2_256", "digest": b64(d[:])}, "signature": b64(sig)},
	}
	bj, _ := json.MarshalIndent(bundle, "", " ")
	os.WriteFile(filepath.Join(dir, "app.sigstore.json"), bj, 0o644)
	f := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	chain := func(cs ...*x509.Certificate) map[string]any {
		var l []any
		for _, c := range cs {
			l = append(l, map[string]any{"rawBytes": b64(c.Raw)})
		}
		return map[string]any{"certificates": l}
	}
	tr := map[string]any{
		"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
		"certificateAuthorities": []any{
			map[string]any{"uri": "retired", "certChain": chain(i1, root), "validFor": map[string]any{"start": f(now.Add(-4 * 365 * 24 * time.Hour)), "end": f(now.Add(-2 * 365 * 24 * time.Hour))}},
			map[string]any{"uri": "current", "certChain": chain(i2, root), "validFor": map[string]any{"start": f(now.Add(-2 * 365 * 24 * time.Hour))}},
		},
	}
	tj, _ := json.MarshalIndent(tr, "", " ")
	os.WriteFile(filepath.Join(dir, "trusted_root.json"), tj, 0o644)

	code, out, errOut := signetRun(t, "verify", "--trusted-root", filepath.Join(dir, "trusted_root.json"), filepath.Join(dir, "app"))
	if code != exitUntrusted || !strings.Contains(out, "sigstore.trusted-root-path") && !strings.Contains(out+errOut, "no certificate authority of the trusted root") {
		t.Fatalf("a retired authority's signer: exit %d\n%s%s", code, out, errOut)
	}
}
