package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
)

// startServe runs 'signet tls serve' in process with the fixture server identity and the
// further flags until the test ends; it returns the address and the log (complete once stop
// has been called).
func startServe(t *testing.T, flags ...string) (addr string, log *syncBuffer, stop func()) {
	t.Helper()
	return startInProcess(t, "tls serve", append([]string{"signet", "tls", "serve", "--listen", "127.0.0.1:0",
		"--cert", fixturePKI(t, "server-chain.pem"), "--key", fixturePKI(t, "server.key")}, flags...))
}

// startInProcess runs a signet server command (args: "signet", the two words of the command,
// its flags; --addr-file is added after the command words) in process until the test ends or stop is called, which fails the test unless it exits 0; it
// returns the address the command wrote and its log (complete once stop has been called).
func startInProcess(t *testing.T, what string, args []string) (addr string, log *syncBuffer, stop func()) {
	t.Helper()
	addrFile := filepath.Join(t.TempDir(), "addr")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	log = &syncBuffer{}
	go func() {
		done <- runContext(ctx, slices.Concat(args[:3], []string{"--addr-file", addrFile}, args[3:]), &bytes.Buffer{}, log)
	}()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("%s exit %d: %s", what, code, log.String())
			}
		}
	}
	t.Cleanup(stop)
	for i := 0; i < 400 && addr == ""; i++ {
		b, _ := os.ReadFile(addrFile)
		addr = strings.TrimSpace(string(b))
		if addr == "" {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if addr == "" {
		t.Fatalf("%s did not start: %s", what, log.String())
	}
	return addr, log, stop
}

// sClientTo runs openssl s_client against addr with the fixture root and the further
// arguments, and returns what it printed.
func sClientTo(t *testing.T, addr string, extra ...string) string {
	t.Helper()
	openssl := testutil.RequireTool(t, "openssl")
	args := append([]string{"s_client", "-connect", addr, "-CAfile", fixturePKI(t, "root-ca.pem"), "-verify_return_error", "-ign_eof"}, extra...)
	cmd := exec.Command(openssl, args...)
	cmd.Stdin = strings.NewReader("")
	out, _ := cmd.CombinedOutput()
	return string(out)
}

// TestServeRefusesWeakSuitesOpenSSL: openssl s_client offering only a CBC suite under TLS 1.2
// gets no handshake from signet tls serve; offering an AES-GCM one it is served.
func TestServeRefusesWeakSuitesOpenSSL(t *testing.T) {
	addr, _, _ := startServe(t, "--client-ca", fixturePKI(t, "root-ca.pem"))
	client := []string{"-tls1_2", "-cert", fixturePKI(t, "client.pem"), "-key", fixturePKI(t, "client.key"), "-cert_chain", fixturePKI(t, "int-ca.pem")}
	if out := sClientTo(t, addr, append(client, "-cipher", "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA")...); strings.Contains(out, "hello,") {
		t.Errorf("served over a CBC suite:\n%s", out)
	}
	if out := sClientTo(t, addr, append(client, "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256")...); !strings.Contains(out, "hello, CN=Signet Test Client") {
		t.Errorf("not served over AES-GCM:\n%s", out)
	}
}

// TestServeProtocolFloorProbes: what openssl s_client and gnutls-cli report when talking to
// signet tls serve: TLS 1.1 gets the protocol_version alert (70), RSA key exchange and
// finite-field DHE get handshake_failure (40), and a modern gnutls-cli gets TLS 1.3 with an
// AEAD suite. They found no fault.
func TestServeProtocolFloorProbes(t *testing.T) {
	gnutls := testutil.RequireTool(t, "gnutls-cli")
	addr, _, _ := startServe(t, "--client-ca", fixturePKI(t, "root-ca.pem"))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-tls1_1", "-cipher", "ALL:@SECLEVEL=0"}, "alert protocol version"},
		{[]string{"-tls1_2", "-cipher", "AES128-GCM-SHA256"}, "alert handshake failure"},
		{[]string{"-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256"}, "alert handshake failure"},
	} {
		if out := sClientTo(t, addr, tc.args...); !strings.Contains(out, tc.want) || strings.Contains(out, "hello,") {
			t.Errorf("s_client %v: want %q:\n%s", tc.args, tc.want, out)
		}
	}
	_, port, _ := net.SplitHostPort(addr)
	gnutlsCLI := func(priority string) string {
		cmd := exec.Command(gnutls, "--insecure", "--priority", priority, "-p", port, "127.0.0.1")
		cmd.Stdin = strings.NewReader("")
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	if out := gnutlsCLI("NORMAL:-VERS-ALL:+VERS-TLS1.1"); !strings.Contains(out, "Received alert [70]") {
		t.Errorf("gnutls-cli TLS 1.1:\n%s", out)
	}
	if out := gnutlsCLI("NORMAL"); !regexp.MustCompile(`Description: \(TLS1\.3-X\.509\)-\(ECDHE-[^)]*\)-\([^)]*\)-\((AES-(128|256)-GCM|CHACHA20-POLY1305)\)`).MatchString(out) ||
		!strings.Contains(out, "hello, anonymous client") {
		t.Errorf("gnutls-cli NORMAL:\n%s", out)
	}
}

// TestTunnelClientSideWarnsOffLoopback: the client side of a tunnel lends its certificate and
// key to whoever connects to it; listening anywhere but on loopback (":6380", a LAN address)
// draws a warning that says so. Loopback, and the server side anywhere, draw none.
func TestTunnelClientSideWarnsOffLoopback(t *testing.T) {
	key := copyFile(t, fixturePKI(t, "client.key"), t.TempDir())
	if err := os.Chmod(key, 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		out := &syncBuffer{}
		done := make(chan int, 1)
		go func() {
			done <- runContext(ctx, append([]string{"signet", "tls", "tunnel", "--key", key}, args...), &bytes.Buffer{}, out)
		}()
		waitOutput(t, out, "signet: listening")
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("exit %d:\n%s", code, out.String())
		}
		return out.String()
	}
	const warning = "not a loopback address: anyone who can reach it gets to 127.0.0.1:1 with this side's certificate and key"
	client := []string{"--connect", "127.0.0.1:1", "--cert", fixturePKI(t, "client.pem"), "--roots", fixturePKI(t, "root-ca.pem")}
	if out := run(append(client, "--listen", "0.0.0.0:0")...); !strings.Contains(out, "signet: warning: the client side listens on ") || !strings.Contains(out, warning) {
		t.Errorf("the client side on 0.0.0.0: no warning:\n%s", out)
	}
	if out := run(append(client, "--listen", "127.0.0.1:0")...); strings.Contains(out, "warning") {
		t.Errorf("the client side on loopback:\n%s", out)
	}
	server := []string{"--tls", "--forward", "127.0.0.1:1", "--cert", fixturePKI(t, "client.pem"), "--client-roots", fixturePKI(t, "root-ca.pem"), "--listen", "0.0.0.0:0"}
	if out := run(server...); strings.Contains(out, "loopback") {
		t.Errorf("the server side:\n%s", out)
	}
}
