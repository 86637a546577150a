package main

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/x509util"
)

// The PINs of TestPINValueNeverPrinted: distinctive, and made of characters no hex digest,
// base64 line or date can hold together, so that finding one in output is a leak.
const (
	leakPIN      = "Zq8pin?Xw" // a '?' may stand unencoded in a query value (RFC 7512)
	leakWrongPIN = "Wr0ngPinYv"
)

// leakFragments are what must never appear: the PINs and recognisable pieces of them (an
// error that quoted "the value from byte 3" would leak part of one).
var leakFragments = []string{leakPIN, "Zq8p", "pin?Xw", "?Xw", leakWrongPIN, "Wr0ng", "PinYv"}

// leakRun is one command of TestPINValueNeverPrinted and what it printed.
type leakRun struct {
	args           []string
	code           int
	stdout, stderr string
}

// TestPINValueNeverPrinted runs every command that takes a key reference (key gen, pub and
// inspect; csr; cert create --key and --ca-key; crl create; cert p12; sign; verify --key;
// enroll --token and --ca-key; tls check and serve; every token subcommand) against a real
// SoftHSM2 token: with pkcs11: URIs that work, the PIN read from a pin-source file, so that
// the success paths and --json are covered; and with URIs that carry the PIN in pin-value,
// which every command refuses (exit 2: a PIN on the command line is in the process list and
// the shell's history), malformed in every way a PIN-bearing URI can be too (pin-value beside
// pin-source or in the path, a missing module, a wrong PIN). Then it looks for the PIN in
// everything: stdout, stderr and every file written.
func TestPINValueNeverPrinted(t *testing.T) {
	hsm := testutil.NewSoftHSM(t, "")
	testutil.Run(t, testutil.RequireTool(t, "softhsm2-util"), "--init-token", "--free", "--label", "leak",
		"--pin", leakPIN, "--so-pin", testutil.SoftHSMSOPIN)
	t.Setenv("SIGNET_PIN", "")
	t.Setenv("SIGNET_PKCS11_MODULE", "")
	t.Setenv("SIGNET_PASSPHRASE", "p12-passphrase")
	dir := t.TempDir()
	t.Chdir(dir)
	for name, data := range map[string]string{"f.txt": "one\n", "g.txt": "two\n", "h.txt": "three\n"} {
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// uri names an object on the token, the PIN in a file outside dir (which is searched for
	// the PIN below).
	pinFile := filepath.Join(t.TempDir(), "pin")
	if err := os.WriteFile(pinFile, []byte(leakPIN+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	uri := func(object string) string {
		return "pkcs11:token=leak;object=" + object + "?module-path=" + hsm.Module + "&pin-source=file:" + pinFile
	}
	var runs []leakRun
	signet := func(wantOK bool, args ...string) leakRun {
		t.Helper()
		code, out, errOut := signetRun(t, args...)
		r := leakRun{args: args, code: code, stdout: out, stderr: errOut}
		runs = append(runs, r)
		if wantOK && code != 0 {
			t.Fatalf("signet %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
		if !wantOK && code == 0 {
			t.Errorf("signet %s: exit 0, want a failure\n%s", strings.Join(args, " "), out)
		}
		return r
	}

	// URIs that work: every command, text and --json.
	signet(true, "key", "gen", "--type", "ec-p256", "-o", uri("ca"), "--pub-out", "ca.pub", "--json")
	signet(true, "key", "gen", "--type", "ec-p256", "-o", uri("srv"))
	signet(true, "key", "gen", "--type", "ec-p384", "-o", uri("cli"), "--json")
	signet(true, "key", "pub", uri("ca"))
	signet(true, "key", "pub", uri("ca"), "-o", "ca2.pub")
	signet(true, "key", "inspect", "--json", uri("ca"))
	// pin-source is a file name, not a secret: printed as given.
	if r := signet(true, "key", "inspect", uri("ca")); !strings.Contains(r.stdout, "ref:         "+uri("ca")+"\n") {
		t.Errorf("key inspect does not print a pin-source URI as given:\n%s", r.stdout)
	}
	signet(true, "csr", "--key", uri("ca"), "--subject", "CN=leak")
	signet(true, "csr", "--key", uri("ca"), "--subject", "CN=leak", "-o", "ca.csr")
	signet(true, "cert", "create", "--profile", "root-ca", "--subject", "CN=Leak Root", "--key", uri("ca"), "-o", "root.pem", "--json")
	signet(true, "token", "import-cert", uri("ca"), "--cert", "root.pem")
	signet(true, "cert", "create", "--profile", "server", "--subject", "CN=srv", "--san", "ip:127.0.0.1",
		"--key", uri("srv"), "--ca", "root.pem", "--ca-key", uri("ca"), "-o", "srv.pem", "--json")
	signet(true, "cert", "create", "--profile", "client", "--subject", "CN=cli", "--key", uri("cli"), "--ca-key", uri("ca"), "-o", "cli.pem")
	signet(true, "token", "import-cert", uri("cli"), "--cert", "cli.pem")
	signet(true, "crl", "create", "--ca-key", uri("ca"), "-o", "root.crl", "--json")
	signet(true, "crl", "create", "--ca", "root.pem", "--ca-key", uri("ca"), "--revoke", "srv.pem", "-o", "root2.crl")
	signet(false, "cert", "p12", "--key", uri("cli"), "--cert", "cli.pem", "-o", "cli.p12")
	signet(true, "sign", "--key", uri("cli"), "f.txt")
	signet(true, "sign", "--key", uri("cli"), "--json", "--format", "raw", "g.txt")
	signet(true, "verify", "--key", uri("cli"), "g.txt")
	signet(true, "verify", "--key", uri("cli"), "--json", "g.txt")
	signet(true, "enroll", "--token", uri("enr"), "--subject", "CN=enr", "--ca", "root.pem", "--ca-key", uri("ca"))
	signet(true, "enroll", "--token", uri("enr"), "--subject", "CN=enr", "--ca", "root.pem", "--ca-key", uri("ca"), "--json")
	signet(true, "enroll", "--token", uri("enr2"), "--subject", "CN=enr2", "--csr-out", "enr2.csr", "--json")
	signet(true, "token", "list", uri("ca"))
	signet(true, "token", "list", uri("ca"), "--json")
	signet(true, "token", "objects", uri("ca"))
	signet(true, "token", "objects", uri("ca"), "--json")
	signet(true, "token", "mechanisms", uri("ca"))
	signet(true, "token", "mechanisms", uri("ca"), "--json")

	// tls serve with the server key on the token, tls check with the client key on it.
	// The server runs as a process of its own: two in-process runs at once would share
	// urfave/cli's global help flag, which each run writes.
	var serveOut, serveErr syncBuffer
	serveArgs := []string{"tls", "serve", "--listen", "127.0.0.1:0", "--addr-file", "addr", "--cert", "srv.pem",
		"--key", uri("srv"), "--client-ca", "root.pem", "--require-client-cert"}
	serve := exec.Command("signet", serveArgs...)
	serve.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
	serve.Stdout, serve.Stderr = &serveOut, &serveErr
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- serve.Wait() }()
	addr := leakWaitAddr(t, "addr")
	signet(true, "tls", "check", addr, "--key", uri("cli"), "--roots", "root.pem")
	signet(true, "tls", "check", addr, "--key", uri("cli"), "--roots", "root.pem", "--json")
	serve.Process.Signal(syscall.SIGTERM)
	select {
	case <-served:
	case <-time.After(20 * time.Second):
		serve.Process.Kill()
		t.Fatalf("tls serve still running 20 s after SIGTERM")
	}
	runs = append(runs, leakRun{args: serveArgs, stdout: serveOut.String(), stderr: serveErr.String()})
	signet(true, "token", "delete", uri("enr2"), "--yes")
	signet(true, "token", "delete", uri("enr"), "--yes", "--json")

	// URIs that fail, through every command. A wrong PIN goes last: it marks the token's
	// PIN count low.
	m := "module-path=" + hsm.Module
	bad := []string{ // OBJ is the object's label
		"pkcs11:token=leak;object=OBJ?" + m + "&pin-value=" + leakPIN + "&pin-source=file:" + filepath.Join(dir, "f.txt"),
		"pkcs11:token=leak;object=OBJ?" + m + "&pin-value=" + leakPIN + "%",
		"pkcs11:token=leak;object=OBJ?" + m + "&pin-value=" + leakPIN + " x",
		"pkcs11:token=leak;object=OBJ?" + m + "&pin-value=" + leakPIN + "&pin-value=" + leakPIN,
		"pkcs11:token=leak;object=OBJ;pin-value=" + leakPIN + "?" + m,
		"pkcs11:tokn=leak;object=OBJ?" + m + "&pin-value=" + leakPIN,
		"pkcs11:token=leak;object=OBJ?module-path=" + filepath.Join(dir, "no-such-module.so") + "&pin-value=" + leakPIN,
		"pkcs11:token=leak;object=OBJ?" + m + "&pin-value=" + leakWrongPIN,
	}
	for i, tmpl := range bad {
		u := strings.ReplaceAll(tmpl, "OBJ", "ca")
		signet(false, "key", "gen", "--type", "ec-p256", "-o", strings.ReplaceAll(tmpl, "OBJ", "new"))
		signet(false, "key", "pub", u)
		signet(false, "key", "inspect", u)
		signet(false, "key", "inspect", "--json", u)
		signet(false, "csr", "--key", u, "--subject", "CN=x", "-o", "bad.csr")
		signet(false, "cert", "create", "--profile", "root-ca", "--subject", "CN=x", "--key", u, "-o", "bad.pem", "--json")
		signet(false, "cert", "create", "--profile", "client", "--subject", "CN=x", "--key", "ca.pub", "--ca", "root.pem", "--ca-key", u, "-o", "bad.pem")
		signet(false, "crl", "create", "--ca-key", u, "-o", "bad.crl", "--json")
		signet(false, "cert", "p12", "--key", u, "--cert", "cli.pem", "-o", "bad.p12")
		signet(false, "sign", "--key", u, "h.txt")
		signet(false, "sign", "--key", u, "--json", "h.txt")
		signet(false, "verify", "--key", u, "g.txt")
		signet(false, "enroll", "--token", strings.ReplaceAll(tmpl, "OBJ", "e"), "--subject", "CN=x", "--csr-out", "bad.csr")
		signet(false, "enroll", "--token", uri("enr3"), "--subject", "CN=x", "--ca", "root.pem", "--ca-key", u)
		signet(false, "tls", "check", "127.0.0.1:1", "--key", u, "--cert", "cli.pem", "--roots", "root.pem")
		signet(false, "tls", "serve", "--listen", "127.0.0.1:0", "--cert", "srv.pem", "--key", u, "--client-ca", "root.pem")
		signet(false, "token", "objects", u)
		signet(false, "token", "import-cert", u, "--cert", "cli.pem")
		signet(false, "token", "delete", strings.ReplaceAll(tmpl, "OBJ", "missing"), "--yes")
		if i < 6 { // malformed URIs: these fail before any token is opened
			signet(false, "token", "list", u)
			signet(false, "token", "mechanisms", u)
		}
	}
	// A well-formed URI with a PIN in pin-value is refused as a usage error, before any
	// token is opened: the PIN is never tried.
	pinValue := "pkcs11:token=leak;object=ca?" + m + "&pin-value=" + leakPIN
	for _, args := range [][]string{{"sign", "--key", pinValue, "h.txt"}, {"key", "pub", pinValue}, {"token", "list", pinValue}} {
		if r := signet(false, args...); r.code != 2 || !strings.Contains(r.stderr, "holds the PIN in pin-value") {
			t.Errorf("signet %s: exit %d, want 2 and the refusal of pin-value\n%s", args[0], r.code, r.stderr)
		}
	}
	// A key that is not on the token, with the right PIN.
	signet(false, "key", "pub", uri("missing"))
	signet(false, "sign", "--key", uri("missing"), "h.txt")
	signet(false, "csr", "--key", uri("missing"), "--subject", "CN=x", "-o", "bad.csr")

	for _, r := range runs {
		for _, frag := range leakFragments {
			if strings.Contains(r.stdout, frag) || strings.Contains(r.stderr, frag) {
				t.Errorf("signet %s (exit %d) printed the PIN:\nstdout: %s\nstderr: %s",
					keyRedactArgs(r.args), r.code, r.stdout, r.stderr)
				break
			}
		}
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, frag := range leakFragments {
			if bytes.Contains(data, []byte(frag)) {
				t.Errorf("%s holds the PIN", path)
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) < 150 {
		t.Errorf("only %d runs: the matrix lost commands", len(runs))
	}
}

// keyRedactArgs shows a command line of the test without its PINs, so that the failure message
// itself is not what a reader greps.
func keyRedactArgs(args []string) string {
	s := strings.Join(args, " ")
	return strings.NewReplacer(leakPIN, "<PIN>", leakWrongPIN, "<WRONG-PIN>").Replace(s)
}

// leakWaitAddr waits for tls serve to write the address it listens on.
func leakWaitAddr(t *testing.T, file string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(file); err == nil && len(b) > 0 {
			return strings.TrimSpace(string(b))
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("tls serve did not write %s", file)
	return ""
}

// TestPassphraseFromInjectedEnvironment: the passphrase comes from the environment signet was
// given (env.lookupEnv), not straight from the process's: with SIGNET_PASSPHRASE set but
// empty in the process, which would fail with "empty secret", a key is made and encrypted
// with the injected one.
func TestPassphraseFromInjectedEnvironment(t *testing.T) {
	t.Setenv("SIGNET_PASSPHRASE", "")
	dir := t.TempDir()
	key := filepath.Join(dir, "k.key")
	var out, errOut bytes.Buffer
	injected := func(k string) (string, bool) {
		if k == "SIGNET_PASSPHRASE" {
			return "injected passphrase", true
		}
		return os.LookupEnv(k)
	}
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, lookupEnv: injected}
	if code := runEnv(t.Context(), e, []string{"signet", "key", "gen", "--type", "ec-p256", "-o", key}); code != exitOK {
		t.Fatalf("key gen: exit %d: %s", code, errOut.String())
	}
	data, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x509util.ParsePrivateKey(data, func() ([]byte, error) { return []byte("injected passphrase"), nil }); err != nil {
		t.Fatalf("the key does not open with the injected passphrase: %v", err)
	}
}
