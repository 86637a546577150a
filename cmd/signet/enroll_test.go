package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
)

// These tests prove issue 6's story end to end with real parts: a SoftHSM2 token enrolled by
// signet, openssl s_server as the mutual-TLS server, openssl s_client against signet tls serve.
// They run signet in process (run), one command at a time, so they do not run in parallel.

// fixturePKI is the openssl-made fixture PKI (testdata/pki/README.md).
func fixturePKI(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "pki", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// signetRun runs one signet command in process and returns its exit code and output.
func signetRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(append([]string{"signet"}, args...), strings.NewReader(""), &o, &e)
	return code, o.String(), e.String()
}

func mustSignet(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := signetRun(t, args...)
	if code != 0 {
		t.Fatalf("signet %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// newSoftHSM makes a private SoftHSM2 token directory with one token per label, points this
// test's environment at it and gives signet the module and the PIN through the environment.
func newSoftHSM(t *testing.T, labels ...string) {
	t.Helper()
	hsm := testutil.NewSoftHSM(t, "", labels...)
	t.Setenv("SIGNET_PKCS11_MODULE", hsm.Module)
	t.Setenv("SIGNET_PIN", testutil.SoftHSMPIN)
}

// freePort returns a loopback address whose port no one else gets until the test ends
// (testutil.ReservePort): for a peer tool started with it, or as an address nothing listens
// on. It was a port free a moment ago, which the kernel gave again to another test's
// listener about once in 10,000 binds.
func freePort(t *testing.T) string {
	t.Helper()
	return testutil.ReservePort(t)
}

// sServer starts openssl s_server for one connection, requiring a client certificate that
// chains to root, and returns its address once it accepts.
func sServer(t *testing.T, tlsFlag string, root string) string {
	t.Helper()
	return startSServer(t, tlsFlag, "-CAfile", root, "-Verify", "1", "-verify_return_error")
}

// startSServer starts openssl s_server for one connection with the fixture server certificate
// and chain, and the further arguments, and returns its address once it accepts.
func startSServer(t *testing.T, args ...string) string {
	t.Helper()
	openssl := testutil.RequireTool(t, "openssl")
	addr := freePort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	args = append([]string{"s_server", "-accept", addr, "-naccept", "1",
		"-cert", fixturePKI(t, "server.pem"), "-cert_chain", fixturePKI(t, "int-ca.pem"), "-key", fixturePKI(t, "server.key")}, args...)
	cmd := exec.CommandContext(ctx, openssl, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	// s_server stops at the end of its standard input: keep it open until the test ends.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cancel()
		cmd.Wait()
		if t.Failed() {
			t.Logf("openssl s_server said:\n%s", errBuf.String())
		}
	})
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "ACCEPT") {
			go func() {
				for sc.Scan() {
				}
			}()
			return addr
		}
	}
	t.Fatalf("openssl s_server did not start: %s", errBuf.String())
	return ""
}

func TestEnrollThenMutualTLSWithOpenSSL(t *testing.T) {
	newSoftHSM(t, "alice")
	root := fixturePKI(t, "root-ca.pem")
	for _, kt := range []string{"ec-p256", "ec-p384", "rsa-2048"} {
		uri := "pkcs11:token=alice;object=" + kt
		out := mustSignet(t, "enroll", "--token", uri, "--type", kt, "--subject", "CN=alice "+kt+",O=Example",
			"--san", "email:alice@example.com", "--ca", fixturePKI(t, "int-ca.pem"), "--ca-key", fixturePKI(t, "int-ca.key"))
		if !strings.Contains(out, "generated on the token") || !strings.Contains(out, "certificate  imported") {
			t.Fatalf("enroll %s printed:\n%s", kt, out)
		}
		for _, v := range []string{"-tls1_2", "-tls1_3"} {
			t.Run(kt+v, func(t *testing.T) {
				addr := sServer(t, v, root)
				code, out, errOut := signetRun(t, "tls", "check", addr, "--server-name", "www.example.com", "--roots", root, "--key", uri)
				if code != 0 {
					t.Fatalf("tls check with the token key: exit %d\n%s%s", code, out, errOut)
				}
				want := map[string]string{"-tls1_2": "TLS 1.2", "-tls1_3": "TLS 1.3"}[v]
				if !strings.Contains(out, "protocol        "+want) || !strings.Contains(out, "accepted        yes") {
					t.Errorf("report lacks %s or acceptance:\n%s", want, out)
				}
			})
		}
	}

	// Enrolling again changes nothing: still one key pair and one certificate for it.
	uri := "pkcs11:token=alice;object=ec-p256"
	out := mustSignet(t, "enroll", "--token", uri, "--subject", "CN=alice ec-p256,O=Example",
		"--ca", fixturePKI(t, "int-ca.pem"), "--ca-key", fixturePKI(t, "int-ca.key"))
	if !strings.Contains(out, "already enrolled") {
		t.Errorf("second enroll did not report the existing enrolment:\n%s", out)
	}
	objs := mustSignet(t, "token", "objects", "pkcs11:token=alice;object=ec-p256")
	for class, want := range map[string]int{"private key": 1, "public key": 1, "certificate": 1} {
		if got := strings.Count(objs, "class:         "+class+"\n"); got != want {
			t.Errorf("%d %s objects after enrolling twice, want %d:\n%s", got, class, want, objs)
		}
	}
	// --force renews the certificate, still one key and one certificate.
	out = mustSignet(t, "enroll", "--token", uri, "--subject", "CN=alice ec-p256,O=Example", "--force",
		"--ca", fixturePKI(t, "int-ca.pem"), "--ca-key", fixturePKI(t, "int-ca.key"))
	if !strings.Contains(out, "certificate  renewed") {
		t.Errorf("enroll --force did not renew:\n%s", out)
	}
	objs = mustSignet(t, "token", "objects", "pkcs11:token=alice;object=ec-p256")
	if strings.Count(objs, "class:         certificate") != 1 || strings.Count(objs, "class:         private key") != 1 {
		t.Errorf("after renewal the token holds:\n%s", objs)
	}
}

func TestTLSCheckFailures(t *testing.T) {
	newSoftHSM(t, "bob")
	root := fixturePKI(t, "root-ca.pem")
	uri := "pkcs11:token=bob;object=client"
	mustSignet(t, "enroll", "--token", uri, "--subject", "CN=bob", "--ca", fixturePKI(t, "int-ca.pem"), "--ca-key", fixturePKI(t, "int-ca.key"))
	// A client identity from another CA: the impostor root has the root's name, not its key.
	foreign := filepath.Join(t.TempDir(), "foreign")
	mustSignet(t, "key", "gen", "--no-passphrase", "-o", foreign+".key")
	mustSignet(t, "cert", "create", "--profile", "client", "--subject", "CN=mallory", "--key", foreign+".key",
		"--ca", fixturePKI(t, "impostor-root.pem"), "--ca-key", fixturePKI(t, "impostor-root.key"), "-o", foreign+".pem")

	tests := []struct {
		name   string
		args   []string
		roots  string
		reason string
	}{
		{"no client certificate", nil, root, "client certificate required"},
		{"client certificate from a foreign CA", []string{"--key", foreign + ".key", "--cert", foreign + ".pem"}, root, "client certificate rejected"},
		{"server not chaining to --roots", []string{"--key", uri}, fixturePKI(t, "impostor-root.pem"), "untrusted server"},
	}
	for _, tt := range tests {
		for _, v := range []string{"-tls1_2", "-tls1_3"} {
			t.Run(tt.name+v, func(t *testing.T) {
				addr := sServer(t, v, root)
				args := append([]string{"tls", "check", addr, "--server-name", "www.example.com", "--roots", tt.roots}, tt.args...)
				code, out, errOut := signetRun(t, args...)
				if code != exitCheckFailed || !strings.Contains(out, "FAILED "+addr+": "+tt.reason) {
					t.Errorf("exit %d, want 1 with reason %q:\n%s%s", code, tt.reason, out, errOut)
				}
			})
		}
	}
}

func TestEnrollRefusesBeforeWriting(t *testing.T) {
	newSoftHSM(t, "carol")
	// A CA key that does not belong to the CA: refused before a key is generated.
	code, _, errOut := signetRun(t, "enroll", "--token", "pkcs11:token=carol;object=client", "--subject", "CN=carol",
		"--ca", fixturePKI(t, "int-ca.pem"), "--ca-key", fixturePKI(t, "client.key"))
	if code != exitKey || !strings.Contains(errOut, "does not belong to the CA certificate") {
		t.Errorf("mismatched CA key: exit %d\n%s", code, errOut)
	}
	objs := mustSignet(t, "token", "objects", "pkcs11:token=carol")
	if strings.Contains(objs, "object=client") {
		t.Errorf("a refused enrolment wrote to the token:\n%s", objs)
	}

	// CSR for an external CA, then a certificate for another key: refused, nothing imported.
	dir := t.TempDir()
	csr := filepath.Join(dir, "carol.csr")
	mustSignet(t, "enroll", "--token", "pkcs11:token=carol;object=client", "--subject", "CN=carol", "--csr-out", csr)
	testutil.Run(t, testutil.RequireTool(t, "openssl"), "req", "-in", csr, "-verify", "-noout")
	code, _, errOut = signetRun(t, "enroll", "--token", "pkcs11:token=carol;object=client", "--cert", fixturePKI(t, "client.pem"))
	if code != exitKey || !strings.Contains(errOut, "is not for the key") {
		t.Errorf("certificate for another key: exit %d\n%s", code, errOut)
	}
	// The external CA issues it; finishing imports it.
	issued := filepath.Join(dir, "carol.pem")
	mustSignet(t, "cert", "create", "--profile", "client", "--csr", csr, "--ca", fixturePKI(t, "int-ca.pem"),
		"--ca-key", fixturePKI(t, "int-ca.key"), "-o", issued)
	out := mustSignet(t, "enroll", "--token", "pkcs11:token=carol;object=client", "--cert", issued)
	if !strings.Contains(out, "certificate  imported") {
		t.Errorf("finish did not import:\n%s", out)
	}
}

func TestOpenSSLClientAgainstServe(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	addrFile := filepath.Join(dir, "addr")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The server runs in process; SIGINT handling is exercised by the CLI script, here the
	// context ends it.
	done := make(chan int, 1)
	var serveErr bytes.Buffer
	go func() {
		done <- runContext(ctx, []string{"signet", "tls", "serve", "--listen", "127.0.0.1:0", "--addr-file", addrFile,
			"--cert", fixturePKI(t, "server-chain.pem"), "--key", fixturePKI(t, "server.key"),
			"--client-ca", fixturePKI(t, "root-ca.pem"), "--require-client-cert"}, &bytes.Buffer{}, &serveErr)
	}()
	var addr string
	for i := 0; i < 100 && addr == ""; i++ {
		b, _ := os.ReadFile(addrFile)
		addr = strings.TrimSpace(string(b))
		time.Sleep(20 * time.Millisecond)
	}
	if addr == "" {
		t.Fatalf("tls serve did not start: %s", serveErr.String())
	}
	sClient := func(extra ...string) (string, error) {
		args := append([]string{"s_client", "-connect", addr, "-CAfile", fixturePKI(t, "root-ca.pem"), "-verify_return_error", "-ign_eof"}, extra...)
		cmd := exec.Command(openssl, args...)
		cmd.Stdin = strings.NewReader("")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	// The fixture client certificate needs its intermediate sent along.
	out, err := sClient("-cert", fixturePKI(t, "client.pem"), "-key", fixturePKI(t, "client.key"), "-cert_chain", fixturePKI(t, "int-ca.pem"))
	if err != nil || !strings.Contains(out, "hello, CN=Signet Test Client") {
		t.Errorf("s_client with a client certificate: %v\n%s", err, out)
	}
	// A software client identity exported by signet cert p12 and unpacked by openssl.
	t.Setenv("SIGNET_PASSPHRASE", "p12 pass")
	p12 := filepath.Join(dir, "client.p12")
	mustSignet(t, "cert", "p12", "--cert", fixturePKI(t, "client.pem"), "--chain", fixturePKI(t, "int-ca.pem"),
		"--key", fixturePKI(t, "client.key"), "-o", p12)
	unpacked := filepath.Join(dir, "client-all.pem")
	testutil.Run(t, openssl, "pkcs12", "-in", p12, "-nodes", "-passin", "env:SIGNET_PASSPHRASE", "-out", unpacked)
	out, err = sClient("-cert", unpacked, "-key", unpacked, "-cert_chain", unpacked)
	if err != nil || !strings.Contains(out, "hello, CN=Signet Test Client") {
		t.Errorf("s_client with the identity unpacked from signet's .p12: %v\n%s", err, out)
	}

	out, _ = sClient()
	if strings.Contains(out, "hello,") {
		t.Errorf("s_client without a certificate was served:\n%s", out)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("tls serve exit %d: %s", code, serveErr.String())
	}
	log := serveErr.String()
	if !strings.Contains(log, "client certificate CN=Signet Test Client") || !strings.Contains(log, "handshake failed") {
		t.Errorf("server log lacks the accepted and the refused client:\n%s", log)
	}
}

// enroll --days is range-checked like cert create's, before the token or the CA key is
// touched (the module does not even exist here), and refused where no CA of signet's issues.
func TestEnrollDaysRange(t *testing.T) {
	t.Chdir(t.TempDir())
	token := "pkcs11:token=t;object=k?module-path=/nonexistent/module.so"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--ca", fixturePKI(t, "int-ca.pem"), "--ca-key", fixturePKI(t, "int-ca.key"), "--days", "9999999999"}, "--days must be 1 to 36500 (100 years), not 9999999999"},
		{[]string{"--ca", fixturePKI(t, "int-ca.pem"), "--ca-key", fixturePKI(t, "int-ca.key"), "--days", "-5"}, "--days must be 1 to 36500 (100 years), not -5"},
		{[]string{"--csr-out", "a.csr", "--days", "30"}, "--days applies when --ca issues the certificate"},
	} {
		args := append([]string{"enroll", "--token", token, "--subject", "CN=x"}, tc.args...)
		code, _, errOut := signetRun(t, args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("signet %s: exit %d, want %d saying %q\n%s", strings.Join(args, " "), code, exitUsage, tc.want, errOut)
		}
	}
}

// enroll --subject refuses control characters like csr and cert create, before the token is
// touched.
func TestEnrollSubjectControlCharacters(t *testing.T) {
	t.Chdir(t.TempDir())
	code, _, errOut := signetRun(t, "enroll", "--token", "pkcs11:token=t;object=k?module-path=/nonexistent/module.so",
		"--subject", "CN=evil\nOK good", "--csr-out", "a.csr")
	if code != exitUsage || !strings.Contains(errOut, `--subject "CN=evil\nOK good": the value of CN holds a control or invisible formatting character (evil\0AOK good)`) {
		t.Errorf("exit %d\n%s", code, errOut)
	}
}
