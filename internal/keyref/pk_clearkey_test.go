package keyref

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/secret"
	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/x509util"
)

// TestPKCS12KeyInTheClear: `openssl pkcs12 -export -keypbe NONE` with a password writes the
// private key in a plain key bag, in a container that is not encrypted: the password only
// keys the MAC, and anyone who can read the file reads the key (openssl asn1parse shows it).
// Such a file is not an encrypted key: key inspect must not say so, and a file others can
// read is warned about as any unencrypted key file is.
func TestPKCS12KeyInTheClear(t *testing.T) {
	testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	keyFile, _ := mustKeyFile(t, dir, "id.key", x509util.KeyECP256, false)
	cert := filepath.Join(dir, "id.crt")
	testutil.Run(t, "openssl", "req", "-x509", "-new", "-key", keyFile, "-subj", "/CN=p12 clear", "-days", "1", "-out", cert)
	pass := secret.Source{File: mustPassFile(t, dir, testPass)}
	for _, tc := range []struct {
		name      string
		args      []string
		encrypted bool
	}{
		{"keypbe NONE", []string{"-keypbe", "NONE"}, false},
		{"keypbe and certpbe NONE", []string{"-keypbe", "NONE", "-certpbe", "NONE"}, false},
		{"certpbe NONE", []string{"-certpbe", "NONE"}, true},
		{"default", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".p12")
			testutil.Run(t, "openssl", append([]string{"pkcs12", "-export", "-inkey", keyFile, "-in", cert, "-passout", "pass:" + testPass, "-out", p}, tc.args...)...)
			if err := os.Chmod(p, 0o644); err != nil {
				t.Fatal(err)
			}
			d, err := Describe(p, Options{Passphrase: pass})
			if err != nil {
				t.Fatal(err)
			}
			if d.Encrypted != tc.encrypted {
				t.Errorf("Describe: encrypted = %v, want %v", d.Encrypted, tc.encrypted)
			}
			var warned []string
			k, err := Open(p, Options{Passphrase: pass, Warn: func(s string) { warned = append(warned, s) }})
			if err != nil {
				t.Fatal(err)
			}
			k.Close()
			if exposed := len(warned) == 1 && strings.Contains(warned[0], "unencrypted private key"); exposed == tc.encrypted {
				t.Errorf("warnings for a 0644 file = %q, want one about an unencrypted key: %v", warned, !tc.encrypted)
			}
		})
	}
}
