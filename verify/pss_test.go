package verify_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// TestRSAPSSSaltLengths: certificates openssl signs with RSASSA-PSS and any salt length (its
// default is the longest, which crypto/x509 cannot read) verify; a signature made with other
// parameters than those it names does not.
func TestRSAPSSSaltLengths(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	f := func(n string) string { return filepath.Join(dir, n) }
	testutil.Run(t, openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f("ca.key"), "-subj", "/CN=PSS Root",
		"-days", "30", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", f("ca.pem"))
	testutil.Run(t, openssl, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", f("leaf.key"),
		"-subj", "/CN=leaf.example.com", "-out", f("leaf.csr"))
	ext := "basicConstraints=CA:FALSE\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName=DNS:leaf.example.com\n"
	if err := os.WriteFile(f("ext.cnf"), []byte(ext), 0o644); err != nil {
		t.Fatal(err)
	}
	root, err := x509util.LoadCertificateFile(f("ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		opts []string
	}{
		{"openssl's default salt (the longest)", []string{"-sigopt", "rsa_padding_mode:pss"}},
		{"salt 20 with SHA-256", []string{"-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:20"}},
		{"salt equal to the hash, SHA-384", []string{"-sha384", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := f("leaf.pem")
			args := append([]string{"x509", "-req", "-in", f("leaf.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-set_serial", "7",
				"-days", "10", "-extfile", f("ext.cnf"), "-out", out}, tc.opts...)
			testutil.Run(t, openssl, args...)
			leaf, err := x509util.LoadCertificateFile(out)
			if err != nil {
				t.Fatal(err)
			}
			res, err := verify.Verify(leaf[0], nil, verify.Policy{Roots: root})
			mustValid(t, res, err)
			// The same certificate with one bit of its signature flipped.
			bad := append([]byte(nil), leaf[0].Raw...)
			bad[len(bad)-1] ^= 1
			tampered, err := x509util.ParseCertificate(bad)
			if err != nil {
				t.Fatal(err)
			}
			res, err = verify.Verify(tampered, nil, verify.Policy{Roots: root})
			mustRule(t, res, err, "signet.no-path")
		})
	}
}
