package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/asn1"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCertCreateCSRRefusedBeforeCAKey: requests that RFC 2986 or PKCS #9 say are not requests
// (a version other than 0, an extensionRequest twice or with two values, an attribute without
// a value, an RDN with no attribute) went through every check of `cert create --csr`: the CA's
// key was opened, its passphrase asked, and the certificate issued (or, for a subject value
// crypto/x509 cannot write into a certificate, such as a UniversalString, refused with exit 70
// after the passphrase). Each is now refused with exit 3 and one line naming the CSR, before
// the CA's key is opened: the encrypted key below, with no passphrase anywhere, would say "no
// source for the secret" (exit 4) if it were.
func TestCertCreateCSRRefusedBeforeCAKey(t *testing.T) {
	dir := t.TempDir()
	caKeyEnc, caCert, pass := filepath.Join(dir, "ca.key"), filepath.Join(dir, "ca.pem"), filepath.Join(dir, "pass")
	if err := os.WriteFile(pass, []byte("campaign\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustSignet(t, "key", "gen", "--passphrase-file", pass, "-q", "-o", caKeyEnc)
	mustSignet(t, "cert", "create", "--profile", "root-ca", "--subject", "CN=Root", "--key", caKeyEnc, "--passphrase-file", pass, "-q", "-o", caCert)
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	alice := []csAttr{{typ: "CN", oid: asn1.ObjectIdentifier{2, 5, 4, 3}, value: "alice", tag: asn1.TagUTF8String}}
	names := []csName{{kind: "email", value: "alice@example.com"}}
	for _, tc := range []struct {
		name string
		c    csCase
	}{
		{"good", csCase{}},
		{"version 1", csCase{mutation: "version1"}},
		{"extensionRequest twice", csCase{mutation: "extreq-twice"}},
		{"extensionRequest with two values", csCase{mutation: "extreq-2values"}},
		{"an attribute without a value", csCase{mutation: "attr-no-values"}},
		{"an RDN with no attribute", csCase{mutation: "empty-rdn"}},
		{"a UniversalString CN", csCase{subject: [][]csAttr{{{typ: "CN", oid: alice[0].oid, value: "alice", tag: 28}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			c.key = &csKey{name: "p256", signer: k}
			c.names = names
			if c.subject == nil {
				c.subject = [][]csAttr{alice}
			}
			csr := filepath.Join(t.TempDir(), "req.der")
			if err := os.WriteFile(csr, c.built(), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "leaf.pem")
			code, _, stderr := signetRun(t, "cert", "create", "--profile", "email", "--csr", csr, "--ca", caCert, "--ca-key", caKeyEnc, "-o", out)
			if tc.name == "good" {
				if code != 4 || !strings.Contains(stderr, "no source for the secret") {
					t.Fatalf("a good request: exit %d, want 4 at the CA key's passphrase: %s", code, stderr)
				}
				return
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if code != 3 || len(lines) != 1 || !strings.Contains(lines[0], csr) {
				t.Fatalf("exit %d, want 3 with one line naming the CSR: %s", code, stderr)
			}
		})
	}
}
