//go:build cgo

package hsm

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The tests below run against a real SoftHSM2 token, a fresh one in a temporary directory
// per test (SOFTHSM2_CONF points at a config whose directories.tokendir is there). SoftHSM
// reads SOFTHSM2_CONF when the module is initialised, and the module registry finalises it
// when the last Token closes, so each test closes everything it opens (t.Cleanup) and tests
// that set SOFTHSM2_CONF never run in parallel (t.Setenv forbids it anyway).

const (
	testPIN   = "1234"
	testSOPIN = "5678"
)

// need returns the path of an external program. Under CI its absence fails the test; on a
// developer's machine it skips.
func need(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required in CI but not installed", name)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

// softhsmModule returns the SoftHSM2 module path, failing or skipping like need.
func softhsmModule(t testing.TB) string {
	t.Helper()
	for _, p := range []string{
		"/usr/lib/softhsm/libsofthsm2.so",
		"/usr/lib/" + multiarchTriplet() + "/softhsm/libsofthsm2.so",
		"/usr/lib64/pkcs11/libsofthsm2.so",
		"/usr/local/lib/softhsm/libsofthsm2.so",
	} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("libsofthsm2.so is required in CI but not installed")
	}
	t.Skip("libsofthsm2.so not installed")
	return ""
}

// testToken is a fresh SoftHSM2 token directory with initialised tokens.
type testToken struct {
	t      testing.TB
	module string
	dir    string
	label  string
	serial string
}

// mustSoftHSM makes a private SoftHSM2 token directory, points SOFTHSM2_CONF at it and
// initialises one token per label (user PIN 1234, SO PIN 5678).
func mustSoftHSM(t testing.TB, labels ...string) *testToken {
	t.Helper()
	util := need(t, "softhsm2-util")
	mod := softhsmModule(t)
	dir := t.TempDir()
	tokdir := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokdir, 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	if err := os.WriteFile(conf, []byte("directories.tokendir = "+tokdir+"\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", conf)
	for _, l := range labels {
		out, err := exec.Command(util, "--init-token", "--free", "--label", l, "--pin", testPIN, "--so-pin", testSOPIN).CombinedOutput()
		if err != nil {
			t.Fatalf("softhsm2-util --init-token: %v\n%s", err, out)
		}
	}
	tt := &testToken{t: t, module: mod, dir: dir}
	if len(labels) > 0 {
		tt.label = labels[0]
	}
	t.Cleanup(func() {
		registry.Lock()
		n := len(registry.modules)
		registry.Unlock()
		if n != 0 {
			t.Errorf("%d module(s) still loaded after the test: a Token was not closed", n)
		}
	})
	return tt
}

// opts returns Options that find the module through Options.Module and the PIN through a
// private environment.
func (tt *testToken) opts(pin string) Options {
	return Options{
		Module: tt.module,
		Getenv: func(k string) string {
			if k == EnvPIN {
				return pin
			}
			return ""
		},
	}
}

// uri returns a URI for the token with extra path attributes and the module in the query.
func (tt *testToken) uri(extra string) string {
	s := "pkcs11:token=" + tt.label
	if extra != "" {
		s += ";" + extra
	}
	return s + "?module-path=" + tt.module
}

// tool runs pkcs11-tool against the token's module with the given arguments. The PIN goes
// through the environment (--pin env:VAR), never the arguments.
func (tt *testToken) tool(args ...string) string {
	tt.t.Helper()
	p := need(tt.t, "pkcs11-tool")
	cmd := exec.Command(p, append([]string{"--module", tt.module}, args...)...)
	cmd.Env = append(os.Environ(), "SIGNET_TEST_PIN="+testPIN)
	out, err := cmd.CombinedOutput()
	if err != nil {
		tt.t.Fatalf("pkcs11-tool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// run runs a program and returns its standard output, failing the test on error.
func run(t testing.TB, env []string, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(need(t, name), args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return out
}

// writePublicPEM writes a public key as a PEM SubjectPublicKeyInfo for openssl.
func writePublicPEM(t testing.TB, dir string, pub crypto.PublicKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "pub.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustOpen(t testing.TB, uri string, opts Options) *Token {
	t.Helper()
	tok, err := Open(uri, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", uri, err)
	}
	t.Cleanup(func() {
		if err := tok.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return tok
}

func mustParse(t testing.TB, s string) *URI {
	t.Helper()
	u, err := ParseURI(s)
	if err != nil {
		t.Fatalf("ParseURI(%q): %v", s, err)
	}
	return u
}
