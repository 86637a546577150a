package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/x509util"
)

// The CLI's side of the key-file campaign (x509util/kx_diff_test.go): what `signet key gen`
// writes, openssl and ssh-keygen read as the same key; and the exit codes of keys openssl
// writes, read with the right passphrase, a wrong one, or refused.

// TestKXSignetWrites: every type signet generates, encrypted or not, is written mode 0600;
// `openssl pkey -check` reads it with the passphrase and prints the public key signet wrote
// beside it (--pub-out) and prints (key pub); ssh-keygen -y reads the RSA and ECDSA ones as the
// same key. OpenSSH 9.2 reads no Ed25519 key from PEM (only from its own format, which signet
// does not write): ssh-keygen refuses it, "invalid format", encrypted or not. A wrong
// passphrase is exit 4 (key pub, key inspect), no passphrase source with no terminal too.
func TestKXSignetWrites(t *testing.T) {
	t.Parallel()
	openssl := testutil.RequireTool(t, "openssl")
	sshKeygen := testutil.RequireTool(t, "ssh-keygen")
	dir := t.TempDir()
	pass := filepath.Join(dir, "pass")
	wrong := filepath.Join(dir, "wrong")
	if err := os.WriteFile(pass, []byte("pässwörd kx\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wrong, []byte("pässwörd kx.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, kt := range x509util.KeyTypes() {
		for _, encrypted := range []bool{true, false} {
			name := string(kt) + map[bool]string{true: "-encrypted", false: "-plain"}[encrypted]
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				key, pub := filepath.Join(dir, name), filepath.Join(dir, name+".pub")
				args := []string{"key", "gen", "-q", "--type", string(kt), "-o", key, "--pub-out", pub}
				if encrypted {
					args = append(args, "--passphrase-file", pass)
				} else {
					args = append(args, "--no-passphrase")
				}
				mustSignet(t, args...)
				st, err := os.Stat(key)
				if err != nil {
					t.Fatal(err)
				}
				if st.Mode().Perm() != 0o600 {
					t.Errorf("the private key is mode %o, want 600", st.Mode().Perm())
				}
				written, err := os.ReadFile(pub)
				if err != nil {
					t.Fatal(err)
				}
				testutil.Run(t, openssl, "pkey", "-in", key, "-passin", "file:"+pass, "-check", "-noout")
				if got := testutil.Run(t, openssl, "pkey", "-in", key, "-passin", "file:"+pass, "-pubout"); !bytes.Equal(got, written) {
					t.Errorf("openssl's public key:\n%s\n--pub-out:\n%s", got, written)
				}
				if got := mustSignet(t, "key", "pub", "--passphrase-file", pass, key); got != string(written) {
					t.Errorf("key pub:\n%s\n--pub-out:\n%s", got, written)
				}
				line, errOut, err := testutil.RunErr(sshKeygen, "-y", "-P", "pässwörd kx", "-f", key)
				switch {
				case kt == x509util.KeyEd25519:
					if err == nil || !strings.Contains(string(errOut), "invalid format") {
						t.Errorf("ssh-keygen -y of an Ed25519 PKCS#8 key: %v %s; the test expects OpenSSH 9.2's refusal", err, errOut)
					}
				case err != nil:
					t.Errorf("ssh-keygen -y: %v\n%s", err, errOut)
				default:
					sk, _, _, _, err := ssh.ParseAuthorizedKey(line)
					if err != nil {
						t.Fatal(err)
					}
					want, err := x509util.ParsePublicKey(written)
					if err != nil {
						t.Fatal(err)
					}
					if !x509util.PublicKeysEqual(sk.(ssh.CryptoPublicKey).CryptoPublicKey(), want) {
						t.Errorf("ssh-keygen -y reads another key: %s", line)
					}
				}
				if !encrypted {
					return
				}
				for _, cmd := range [][]string{{"key", "pub", "--passphrase-file", wrong, key}, {"key", "inspect", "--passphrase-file", wrong, key}} {
					if code, out, errOut := signetRun(t, cmd...); code != exitKey || out != "" || strings.Contains(errOut, "pässwörd") {
						t.Errorf("signet %s: exit %d, want %d\n%s%s", strings.Join(cmd, " "), code, exitKey, out, errOut)
					}
				}
			})
		}
	}
}

// TestKXExitCodes: keys openssl and ssh-keygen write, read by the CLI with the right
// passphrase (exit 0, openssl's public key), a wrong one (exit 4: every encryption signet
// reads) or refused (exit 3: an encryption, algorithm or curve signet does not read, named).
func TestKXExitCodes(t *testing.T) {
	t.Parallel()
	openssl := testutil.RequireTool(t, "openssl")
	sshKeygen := testutil.RequireTool(t, "ssh-keygen")
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	if err := os.WriteFile(at("pass"), []byte("correct horse\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(at("wrong"), []byte("correct horse.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	testutil.Run(t, openssl, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", at("ec"))
	testutil.Run(t, openssl, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", at("rsa"))
	testutil.Run(t, sshKeygen, "-q", "-t", "ed25519", "-N", "correct horse", "-a", "2", "-f", at("ssh"))
	legacy := []string{"-provider", "legacy", "-provider", "default"}
	passout := []string{"-passout", "file:" + at("pass")}
	cases := []struct {
		name string
		make []string // openssl arguments; nil: the file exists
		from string   // the key whose public key it is
		code int      // with the right passphrase; a wrong one is exitKey where this is 0
	}{
		{"pbes2-aes", append([]string{"pkcs8", "-topk8", "-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA512", "-in", at("ec"), "-out", at("pbes2-aes")}, passout...), "ec", 0},
		{"pbes2-des3", append([]string{"pkcs8", "-topk8", "-v2", "des3", "-in", at("rsa"), "-out", at("pbes2-des3")}, passout...), "rsa", 0},
		{"scrypt", append([]string{"pkcs8", "-topk8", "-scrypt", "-in", at("ec"), "-out", at("scrypt")}, passout...), "ec", 0},
		{"pbes1-3des", append(append([]string{"pkcs8", "-topk8", "-v1", "PBE-SHA1-3DES", "-in", at("rsa"), "-out", at("pbes1-3des")}, passout...), legacy...), "rsa", 0},
		{"pbes1-rc4", append(append([]string{"pkcs8", "-topk8", "-v1", "PBE-SHA1-RC4-128", "-in", at("ec"), "-out", at("pbes1-rc4")}, passout...), legacy...), "ec", 0},
		{"pbes1-md5-des", append(append([]string{"pkcs8", "-topk8", "-v1", "PBE-MD5-DES", "-in", at("ec"), "-out", at("pbes1-md5-des")}, passout...), legacy...), "ec", 0},
		{"traditional-aes", append([]string{"rsa", "-traditional", "-aes256", "-in", at("rsa"), "-out", at("traditional-aes")}, passout...), "rsa", 0},
		{"traditional-ec-des3", append([]string{"ec", "-des3", "-in", at("ec"), "-out", at("traditional-ec-des3")}, passout...), "ec", 0},
		{"openssh", nil, "ssh", 0},
		{"pbes2-camellia", append([]string{"pkcs8", "-topk8", "-v2", "camellia-256-cbc", "-in", at("ec"), "-out", at("pbes2-camellia")}, passout...), "ec", exitBadInput},
		{"traditional-aria", append([]string{"ec", "-aria128", "-in", at("ec"), "-out", at("traditional-aria")}, passout...), "ec", exitBadInput},
	}
	for _, c := range cases {
		if c.make != nil {
			testutil.Run(t, openssl, c.make...)
		}
		file := at(c.name)
		if c.make == nil {
			file = at(c.from)
		}
		var want string
		if c.from == "ssh" {
			line := testutil.Run(t, sshKeygen, "-y", "-P", "correct horse", "-f", file)
			sk, _, _, _, err := ssh.ParseAuthorizedKey(line)
			if err != nil {
				t.Fatal(err)
			}
			b, err := x509util.MarshalPublicKeyPEM(sk.(ssh.CryptoPublicKey).CryptoPublicKey())
			if err != nil {
				t.Fatal(err)
			}
			want = string(b)
		} else {
			want = string(testutil.Run(t, openssl, "pkey", "-in", at(c.from), "-pubout"))
		}
		code, out, errOut := signetRun(t, "key", "pub", "--passphrase-file", at("pass"), file)
		if code != c.code || c.code == 0 && out != want {
			t.Errorf("%s: exit %d, want %d\n%s%s", c.name, code, c.code, out, errOut)
		}
		wantWrong := c.code
		if wantWrong == 0 {
			wantWrong = exitKey
		}
		if code, out, errOut := signetRun(t, "key", "pub", "--passphrase-file", at("wrong"), file); code != wantWrong || out != "" {
			t.Errorf("%s, a wrong passphrase: exit %d, want %d\n%s%s", c.name, code, wantWrong, out, errOut)
		}
	}
}
