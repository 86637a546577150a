//go:build cgo

package hsm

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// The tests below run against a real SoftHSM2 token, a fresh one in a temporary directory
// per test (SOFTHSM2_CONF points at a config whose directories.tokendir is there). SoftHSM
// reads SOFTHSM2_CONF when the module is initialised, and the module registry finalises it
// when the last Token closes, so each test closes everything it opens (t.Cleanup) and tests
// that set SOFTHSM2_CONF never run in parallel (t.Setenv forbids it anyway).

const (
	testPIN   = testutil.SoftHSMPIN
	testSOPIN = testutil.SoftHSMSOPIN
)

// testToken is a fresh SoftHSM2 token directory with initialised tokens.
type testToken struct {
	t      testing.TB
	module string
	dir    string
	label  string
}

// mustSoftHSM makes a private SoftHSM2 token directory, points SOFTHSM2_CONF at it and
// initialises one token per label (user PIN 1234, SO PIN 5678). Its slots are not removable,
// and the test fails if it leaves a module loaded.
func mustSoftHSM(t testing.TB, labels ...string) *testToken {
	t.Helper()
	hsm := testutil.NewSoftHSM(t, "slots.removable = false\n", labels...)
	tt := &testToken{t: t, module: hsm.Module, dir: hsm.Dir}
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

// tool runs pkcs11-tool against the token's module with the given arguments and returns
// what it printed (stdout, then stderr). The PIN goes through the environment
// (--pin env:VAR), never the arguments.
func (tt *testToken) tool(args ...string) string {
	tt.t.Helper()
	p := testutil.RequireTool(tt.t, "pkcs11-tool")
	out, errOut, err := testutil.Cmd{Env: []string{"SIGNET_TEST_PIN=" + testPIN}}.RunErr(p, append([]string{"--module", tt.module}, args...)...)
	if err != nil {
		tt.t.Fatalf("pkcs11-tool %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
	}
	return string(out) + string(errOut)
}

// run runs a program with extra environment and returns its standard output, failing the
// test on error.
func run(t testing.TB, env []string, name string, args ...string) []byte {
	t.Helper()
	return testutil.Cmd{Env: env}.Run(t, testutil.RequireTool(t, name), args...)
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

// mustECKey generates an EC P-256 key pair on tok at uri and returns the key's URI and its
// Signer.
func mustECKey(t testing.TB, tok *Token, uri string) (*URI, *Signer) {
	t.Helper()
	k := mustParse(t, uri)
	if _, err := tok.GenerateKey(k, ECP256); err != nil {
		t.Fatal(err)
	}
	s, err := tok.Signer(k)
	if err != nil {
		t.Fatal(err)
	}
	return k, s
}

func mustParse(t testing.TB, s string) *URI {
	t.Helper()
	u, err := ParseURI(s)
	if err != nil {
		t.Fatalf("ParseURI(%q): %v", s, err)
	}
	return u
}
