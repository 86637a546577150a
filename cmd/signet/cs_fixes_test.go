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
// source for the secret" (exit 4) if it were. A CSR subject the CA refuses as a name (a CN past
// RFC 5280's 64 characters, a control character) was refused with exit 2 only after the
// passphrase; it is now refused before it.
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
		exit int // 3 unless said
	}{
		{"good", csCase{}, 0},
		{"version 1", csCase{mutation: "version1"}, 3},
		{"extensionRequest twice", csCase{mutation: "extreq-twice"}, 3},
		{"extensionRequest with two values", csCase{mutation: "extreq-2values"}, 3},
		{"an attribute without a value", csCase{mutation: "attr-no-values"}, 3},
		{"an RDN with no attribute", csCase{mutation: "empty-rdn"}, 3},
		{"a UniversalString CN", csCase{subject: [][]csAttr{{{typ: "CN", oid: alice[0].oid, value: "alice", tag: 28}}}}, 3},
		// Names the CA refuses (exit 2), which IssueCertificate alone checked.
		{"a CN of 65 characters", csCase{subject: [][]csAttr{{{typ: "CN", oid: alice[0].oid, value: strings.Repeat("x", 65), tag: asn1.TagUTF8String}}}}, 2},
		{"a CN with an escape", csCase{subject: [][]csAttr{{{typ: "CN", oid: alice[0].oid, value: "evil\x1b[31m", tag: asn1.TagUTF8String}}}}, 2},
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
			if tc.exit == 2 {
				if code != 2 || !strings.HasPrefix(stderr, "signet: error: ") || strings.Contains(stderr, "passphrase") {
					t.Fatalf("exit %d, want 2 before the CA key's passphrase: %s", code, stderr)
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
