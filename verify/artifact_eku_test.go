package verify_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/verify"
)

// opensslLeaf issues with `openssl ca` and the fixture intermediate a P-256 leaf whose
// extensions are the openssl config lines ext, valid 2025 to 2045 like the fixtures, and
// returns the base path of NAME.pem and NAME.key in dir.
func opensslLeaf(t *testing.T, dir, name, ext string, serial int) string {
	t.Helper()
	testutil.RequireTool(t, "openssl")
	base := filepath.Join(dir, name)
	cnf := fmt.Sprintf(`[ ca ]
default_ca = ca_default
[ ca_default ]
database = %[1]s/index.txt
new_certs_dir = %[1]s
serial = %[1]s/serial
default_md = sha256
policy = policy_any
[ policy_any ]
commonName = supplied
organizationName = optional
[ leaf ]
%[2]s
`, dir, ext)
	writeFile(t, dir, name+".cnf", cnf)
	writeFile(t, dir, "index.txt", "")
	writeFile(t, dir, "serial", fmt.Sprintf("%04X\n", serial))
	testutil.Run(t, "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", base+".key")
	testutil.Run(t, "openssl", "req", "-new", "-key", base+".key", "-subj", "/O=Signet Test/CN="+name, "-out", base+".csr")
	testutil.Run(t, "openssl", "ca", "-batch", "-notext", "-preserveDN", "-config", base+".cnf", "-extensions", "leaf",
		"-cert", filepath.Join(pki, "int-ca.pem"), "-keyfile", filepath.Join(pki, "int-ca.key"), "-in", base+".csr",
		"-startdate", "20250101000000Z", "-enddate", "20450101000000Z", "-out", base+".pem")
	return base
}

// Code signing needs a leaf that asserts codeSigning itself and is not a CA: a leaf without
// the EKU extension, one with anyExtendedKeyUsage only, and a CA certificate all passed the
// default policy before (issue 10). --eku any (ExtKeyUsageAny) lifts the EKU requirement, not
// the CA refusal.
func TestCodeSigningPolicyLeaf(t *testing.T) {
	dir := t.TempDir()
	art := writeFile(t, dir, "art.tar.gz", "release contents\n")
	const leafKU = "keyUsage = critical, digitalSignature\n"
	leaves := []struct {
		name, ext string
		want      error  // under the default policy
		detail    string // its message
		anyWant   error  // under --eku any
	}{
		{"codesign", "basicConstraints = critical, CA:FALSE\n" + leafKU + "extendedKeyUsage = codeSigning", nil, "", nil},
		{"codesign-and-any", "basicConstraints = critical, CA:FALSE\n" + leafKU + "extendedKeyUsage = codeSigning, anyExtendedKeyUsage", nil, "", nil},
		{"no-eku", "basicConstraints = critical, CA:FALSE\n" + leafKU, verify.EKU,
			"certificate CN=no-eku,O=Signet Test has no extended key usage extension; it must assert codeSigning", nil},
		{"any-eku", "basicConstraints = critical, CA:FALSE\n" + leafKU + "extendedKeyUsage = anyExtendedKeyUsage", verify.EKU,
			"certificate CN=any-eku,O=Signet Test relies on anyExtendedKeyUsage; it must assert codeSigning itself", nil},
		{"ca-leaf", "basicConstraints = critical, CA:TRUE\nkeyUsage = critical, digitalSignature, keyCertSign\nextendedKeyUsage = codeSigning", verify.Constraint,
			"certificate CN=ca-leaf,O=Signet Test is a CA certificate (basic constraints cA=TRUE), not an end entity", verify.Constraint},
	}
	ctx := context.Background()
	for i, l := range leaves {
		t.Run(l.name, func(t *testing.T) {
			base := opensslLeaf(t, t.TempDir(), l.name, l.ext, 0x100+i)
			sigPath := base + ".p7s"
			testutil.Run(t, "openssl", "cms", "-sign", "-binary", "-outform", "DER", "-in", art, "-signer", base+".pem",
				"-inkey", base+".key", "-certfile", filepath.Join(pki, "int-ca.pem"), "-out", sigPath)
			b, err := os.ReadFile(sigPath)
			if err != nil {
				t.Fatal(err)
			}
			sig, err := sigformat.Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			for _, pc := range []struct {
				name string
				ekus []x509.ExtKeyUsage
				want error
			}{
				{"default", nil, l.want},
				{"--eku any", []x509.ExtKeyUsage{x509.ExtKeyUsageAny}, l.anyWant},
			} {
				p := codeSigning(t)
				if pc.ekus != nil {
					p = verify.CodeSigningPolicy(verify.Policy{Roots: mustCerts(t, "root-ca.pem"), At: pinned, EKUs: pc.ekus})
				}
				res, err := verify.VerifyArtifact(ctx, verify.Artifact{Name: art, Signature: sig}, verify.ArtifactOptions{Policy: p})
				if res == nil {
					t.Fatalf("%s: no result: %v", pc.name, err)
				}
				if pc.want == nil {
					if err != nil || !res.Valid {
						t.Errorf("%s: got %v, want valid", pc.name, err)
					}
					continue
				}
				if !errors.Is(err, pc.want) || res.Valid || res.Reason != string(pc.want.(verify.Reason)) {
					t.Errorf("%s: got %v (reason %q), want %v", pc.name, err, res.Reason, pc.want)
					continue
				}
				if !strings.Contains(res.Error, l.detail) {
					t.Errorf("%s: error %q, want %q", pc.name, res.Error, l.detail)
				}
			}
		})
	}
}
