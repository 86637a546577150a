package main

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/x509util"
)

// TestCertP12OptionsReadByOpenSSL: signet cert p12 with each of its options (--chain repeated, a
// --cert holding its chain, an encrypted --key with --key-passphrase-file, --legacy, --key of a
// .p12 re-encoded, --json, --force over an existing file) writes a file of mode 0600 that
// openssl pkcs12 -nodes reads with the new passphrase: the key it was given, the certificate and
// chain in order, the key's localKeyID on its certificate alone, the encryption --json names.
func TestCertP12OptionsReadByOpenSSL(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	t.Setenv("SIGNET_PASSPHRASE", "")
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	outPW, out2PW, keyPW := write("out.pw", "nouveau mot de passe ü\n"), write("out2.pw", "second\n"), write("key.pw", "key pass\n")
	encKey := filepath.Join(dir, "enc.key")
	testutil.Run(t, openssl, "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", certFixture("server.key"), "-passout", "file:"+keyPW, "-out", encKey)
	load := func(name string) []*x509.Certificate {
		cs, err := x509util.LoadCertificateFile(certFixture(name))
		if err != nil {
			t.Fatal(err)
		}
		return cs
	}
	server, inter, root := load("server.pem")[0], load("int-ca.pem")[0], load("root-ca.pem")[0]
	want := []*x509.Certificate{server, inter, root}
	p12 := func(name string) string { return filepath.Join(dir, name) }
	for _, tc := range []struct {
		name   string
		args   []string
		pw     string // the new file's passphrase file
		want   []*x509.Certificate
		legacy bool
	}{
		{"chain flags", []string{"--cert", certFixture("server.pem"), "--chain", certFixture("int-ca.pem"), "--chain", certFixture("root-ca.pem"),
			"--key", certFixture("server.key"), "-o", p12("a.p12")}, outPW, want, false},
		{"chain in --cert, encrypted key, legacy", []string{"--cert", certFixture("server-chain.pem"), "--key", encKey,
			"--key-passphrase-file", keyPW, "--legacy", "-o", p12("b.p12")}, outPW, want[:2], true},
		{"re-encoded", []string{"--key", p12("a.p12"), "--key-passphrase-file", outPW, "-o", p12("c.p12")}, out2PW, want, false},
		{"re-encoded legacy over an existing file", []string{"--key", p12("b.p12"), "--key-passphrase-file", outPW, "--legacy", "--force", "-o", p12("c.p12")}, out2PW, want[:2], true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"cert", "p12", "--json", "--passphrase-file", tc.pw}, tc.args...)
			code, stdout, stderr := certRun(args...)
			if code != 0 {
				t.Fatalf("signet %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
			}
			var report struct {
				File, Encryption string
				Chain            []struct{ Subject string }
			}
			if err := json.Unmarshal([]byte(stdout), &report); err != nil {
				t.Fatal(err)
			}
			enc := map[bool]string{false: "aes-256-cbc-pbkdf2-sha256", true: "legacy-3des-sha1"}[tc.legacy]
			if report.Encryption != enc || len(report.Chain) != len(tc.want)-1 {
				t.Errorf("--json: %+v", report)
			}
			fi, err := os.Stat(report.File)
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("%s: %v, mode %v, want 0600", report.File, err, fi.Mode().Perm())
			}
			pemOut, errOut, err := testutil.RunErr(openssl, "pkcs12", "-in", report.File, "-nodes", "-info", "-passin", "file:"+tc.pw)
			if err != nil {
				t.Fatalf("openssl pkcs12: %v\n%s", err, errOut)
			}
			info := string(errOut)
			for _, w := range map[bool][]string{false: {"MAC: sha256", "AES-256-CBC"}, true: {"MAC: sha1", "pbeWithSHA1And3-KeyTripleDES-CBC"}}[tc.legacy] {
				if !strings.Contains(info, w) {
					t.Errorf("openssl pkcs12 -info does not say %q:\n%s", w, info)
				}
			}
			var certs []*x509.Certificate
			var keyIDs, certIDs []string
			rest := pemOut
			for {
				i := bytes.Index(rest, []byte("-----BEGIN "))
				if i < 0 {
					break
				}
				_, id, _ := strings.Cut(string(rest[:i]), "localKeyID:")
				id, _, _ = strings.Cut(id, "\n")
				var b *pem.Block
				if b, rest = pem.Decode(rest[i:]); b == nil {
					t.Fatalf("openssl printed:\n%s", pemOut)
				}
				switch b.Type {
				case "CERTIFICATE":
					c, err := x509.ParseCertificate(b.Bytes)
					if err != nil {
						t.Fatal(err)
					}
					certs, certIDs = append(certs, c), append(certIDs, strings.TrimSpace(id))
				case "PRIVATE KEY":
					k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
					if err != nil {
						t.Fatal(err)
					}
					if !x509util.PublicKeysEqual(k.(crypto.Signer).Public(), server.PublicKey) {
						t.Errorf("openssl reads another key")
					}
					keyIDs = append(keyIDs, strings.TrimSpace(id))
				}
			}
			if len(certs) != len(tc.want) || len(keyIDs) != 1 {
				t.Fatalf("openssl reads %d certificates and %d keys, want %d and 1", len(certs), len(keyIDs), len(tc.want))
			}
			for i := range certs {
				if !certs[i].Equal(tc.want[i]) {
					t.Errorf("certificate %d is %q, want %q", i, certs[i].Subject, tc.want[i].Subject)
				}
			}
			if keyIDs[0] == "" || keyIDs[0] != certIDs[0] || strings.Join(certIDs[1:], "") != "" {
				t.Errorf("localKeyIDs: key %q, certificates %q", keyIDs[0], certIDs)
			}
		})
	}
}
