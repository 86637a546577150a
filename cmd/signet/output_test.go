package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOutputIsNotAnInput: a command whose output names one of its inputs (the same path,
// written another way, or the same file through a hard or symbolic link) is a usage error,
// exit 2, whatever --force says, and the input is left as it was. Before, `key pub k.key -o
// k.key --force` replaced a private key with its public key.
func TestOutputIsNotAnInput(t *testing.T) {
	t.Setenv("SIGNET_PASSPHRASE", "p12-passphrase")
	t.Setenv("SIGNET_PKCS11_MODULE", "")
	token := "pkcs11:token=t;object=k?module-path=/nonexistent/module.so&pin-source=file:pin.txt"
	tests := []struct {
		name   string
		victim string   // the input the output names
		args   []string // OUT stands for the output path
	}{
		{"key pub over its key", "server.key", []string{"key", "pub", "server.key", "-o", "OUT"}},
		{"key pub over the passphrase file", "pass.txt", []string{"key", "pub", "--passphrase-file", "pass.txt", "server.key", "-o", "OUT"}},
		{"key gen over the passphrase file", "pass.txt", []string{"key", "gen", "--passphrase-file", "pass.txt", "-o", "OUT"}},
		{"key gen --pub-out over the token's pin-source", "pin.txt", []string{"key", "gen", "-o", token, "--pub-out", "OUT"}},
		{"csr over its key", "server.key", []string{"csr", "--key", "server.key", "--subject", "CN=x", "-o", "OUT"}},
		{"cert create over its key", "server.key", []string{"cert", "create", "--profile", "root-ca", "--subject", "CN=x", "--key", "server.key", "-o", "OUT"}},
		{"cert create over its CSR", "s.csr", []string{"cert", "create", "--profile", "server", "--csr", "s.csr", "--ca", "int-ca.pem", "--ca-key", "int-ca.key", "-o", "OUT"}},
		{"cert create over the CA", "int-ca.pem", []string{"cert", "create", "--profile", "server", "--csr", "s.csr", "--ca", "int-ca.pem", "--ca-key", "int-ca.key", "-o", "OUT"}},
		{"cert create over the CA key", "int-ca.key", []string{"cert", "create", "--profile", "server", "--csr", "s.csr", "--ca", "int-ca.pem", "--ca-key", "int-ca.key", "-o", "OUT"}},
		{"crl create over a revoked certificate", "revoked.pem", []string{"crl", "create", "--ca", "int-ca.pem", "--ca-key", "int-ca.key", "--revoke", "revoked.pem", "-o", "OUT"}},
		{"crl create over the CA key", "int-ca.key", []string{"crl", "create", "--ca", "int-ca.pem", "--ca-key", "int-ca.key", "-o", "OUT"}},
		{"cert p12 over its key", "server.key", []string{"cert", "p12", "--cert", "server.pem", "--key", "server.key", "-o", "OUT"}},
		{"cert p12 over its chain", "int-ca.pem", []string{"cert", "p12", "--cert", "server.pem", "--chain", "int-ca.pem", "--key", "server.key", "-o", "OUT"}},
		{"enroll --csr-out over the token's pin-source", "pin.txt", []string{"enroll", "--token", token, "--subject", "CN=x", "--csr-out", "OUT"}},
		{"tls serve --addr-file over its key", "server.key", []string{"tls", "serve", "--listen", "127.0.0.1:0", "--addr-file", "OUT",
			"--cert", "server.pem", "--key", "server.key", "--client-ca", "root-ca.pem"}},
	}
	// The ways of naming the victim again.
	variants := []struct {
		name string
		out  func(victim string) string
	}{
		{"same path", func(v string) string { return v }},
		{"another spelling", func(v string) string { return "./sub/../" + v }},
		{"absolute", func(v string) string { abs, _ := filepath.Abs(v); return abs }},
		{"symbolic link", func(v string) string {
			if err := os.Symlink(v, "sym-"+v); err != nil {
				t.Fatal(err)
			}
			return "sym-" + v
		}},
		{"hard link", func(v string) string {
			if err := os.Link(v, "hard-"+v); err != nil {
				t.Fatal(err)
			}
			return "hard-" + v
		}},
	}
	for _, tc := range tests {
		for _, v := range variants {
			t.Run(tc.name+"/"+v.name, func(t *testing.T) {
				outputFixture(t)
				before, err := os.ReadFile(tc.victim)
				if err != nil {
					t.Fatal(err)
				}
				out := v.out(tc.victim)
				args := []string{"signet"}
				for _, a := range tc.args {
					args = append(args, strings.ReplaceAll(a, "OUT", out))
				}
				if tc.args[0] != "tls" { // tls serve has no --force: it always replaces --addr-file
					args = append(args, "--force")
				}
				// A run that wrongly goes ahead (tls serve) is stopped rather than left serving.
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				var o, e bytes.Buffer
				code := runContext(ctx, args, &o, &e)
				if code != exitUsage || strings.Count(e.String(), "\n") != 1 || !strings.Contains(e.String(), "refusing to write over it") {
					t.Errorf("%s: exit %d, want %d with one line\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, exitUsage, o.String(), e.String())
				}
				if after, err := os.ReadFile(tc.victim); err != nil || !bytes.Equal(after, before) {
					t.Errorf("%s changed (%v)", tc.victim, err)
				}
			})
		}
	}

	t.Run("key gen -o and --pub-out the same file", func(t *testing.T) {
		outputFixture(t)
		for _, pub := range []string{"new.key", "./new.key", "sub/../new.key"} {
			code, _, errOut := certRun("key", "gen", "--no-passphrase", "-o", "new.key", "--pub-out", pub, "--force")
			if code != exitUsage || !strings.Contains(errOut, "both name new.key") {
				t.Errorf("--pub-out %s: exit %d\n%s", pub, code, errOut)
			}
			if _, err := os.Stat("new.key"); err == nil {
				t.Errorf("--pub-out %s: new.key was written", pub)
			}
		}
	})
}

// outputFixture makes a working directory with the files TestOutputIsNotAnInput's commands
// read: copies of fixtures (the tests must not risk the originals), a CSR, a passphrase file
// and a PIN file.
func outputFixture(t *testing.T) {
	t.Helper()
	files := map[string][]byte{}
	for _, f := range []string{"server.key", "server.pem", "int-ca.pem", "int-ca.key", "revoked.pem", "root-ca.pem"} {
		data, err := os.ReadFile(fixturePKI(t, f))
		if err != nil {
			t.Fatal(err)
		}
		files[f] = data
	}
	t.Chdir(t.TempDir())
	for f, data := range files {
		if err := os.WriteFile(f, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range map[string]string{"pass.txt": "a passphrase\n", "pin.txt": "1234\n"} {
		if err := os.WriteFile(name, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir("sub", 0o755); err != nil {
		t.Fatal(err)
	}
	mustSignet(t, "csr", "--key", "server.key", "--subject", "CN=s", "--san", "dns:s.example", "-o", "s.csr")
}
