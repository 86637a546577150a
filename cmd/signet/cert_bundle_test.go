package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/x509util"
)

// TestCertCreateBundleIsTheIssuerChain: --bundle writes the issuer and the CAs above it, in
// order, and nothing else of the --ca file: not its private key block, not a certificate off
// the path (a leaf of the same CA, an impostor root of the same name). It wrote every
// certificate of the file, in the file's order.
func TestCertCreateBundleIsTheIssuerChain(t *testing.T) {
	dir := t.TempDir()
	var ca []byte
	for _, f := range []string{"int-ca.pem", "int-ca.key", "codesign.pem", "impostor-root.pem", "root-ca.pem"} {
		data, err := os.ReadFile(fixturePKI(t, f))
		if err != nil {
			t.Fatal(err)
		}
		ca = append(ca, data...)
	}
	caFile := filepath.Join(dir, "ca-and-key.pem")
	if err := os.WriteFile(caFile, ca, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "www-chain.pem")
	code, stdout, stderr := certRun("cert", "create", "--profile", "server", "--subject", "CN=www.example.com", "--san", "dns:www.example.com",
		"--key", fixturePKI(t, "server.key"), "--ca", caFile, "--ca-key", fixturePKI(t, "int-ca.key"), "--bundle", "-o", out, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "PRIVATE KEY") {
		t.Fatal("the bundle holds the CA's private key")
	}
	certs, err := x509util.ParseCertificates(data)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"", "int-ca.pem", "root-ca.pem"}
	if len(certs) != len(want) {
		t.Fatalf("the bundle holds %d certificates, want %d: the new one, int-ca, root-ca", len(certs), len(want))
	}
	var rep struct {
		Bundle []struct{ SHA256 string } `json:"bundle"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || len(rep.Bundle) != len(want)-1 {
		t.Fatalf("--json bundle %+v (%v): %s", rep.Bundle, err, stdout)
	}
	for i, f := range want[1:] {
		c, err := x509util.LoadCertificateFile(fixturePKI(t, f))
		if err != nil {
			t.Fatal(err)
		}
		if !certs[i+1].Equal(c[0]) {
			t.Errorf("certificate %d of the bundle is %s, want %s", i+1, x509util.FormatName(certs[i+1].Subject), f)
		}
		if rep.Bundle[i].SHA256 != x509util.CertificateFingerprint(c[0]) {
			t.Errorf("--json bundle[%d] is %s, want %s", i, rep.Bundle[i].SHA256, f)
		}
	}
}

// TestCertCreateBundleSelfSigned: a self-signed certificate has no issuer chain; --bundle
// writes it alone.
func TestCertCreateBundleSelfSigned(t *testing.T) {
	out := filepath.Join(t.TempDir(), "root.pem")
	if code, _, stderr := certRun("cert", "create", "--profile", "root-ca", "--subject", "CN=Bundle Root", "--key", fixturePKI(t, "root-ca.key"),
		"--bundle", "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	certs, err := x509util.LoadCertificateFile(out)
	if err != nil || len(certs) != 1 {
		t.Fatalf("%d certificates, %v", len(certs), err)
	}
}
