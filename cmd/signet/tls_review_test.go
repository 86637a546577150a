package main

import (
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

// startServe runs 'signet tls serve' in process with the fixture server identity and the
// further flags until the test ends; it returns the address and the log (complete once stop
// has been called).
func startServe(t *testing.T, flags ...string) (addr string, log *syncBuffer, stop func()) {
	t.Helper()
	addrFile := filepath.Join(t.TempDir(), "addr")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	log = &syncBuffer{}
	go func() {
		done <- runContext(ctx, append([]string{"signet", "tls", "serve", "--listen", "127.0.0.1:0", "--addr-file", addrFile,
			"--cert", fixturePKI(t, "server-chain.pem"), "--key", fixturePKI(t, "server.key")}, flags...), &bytes.Buffer{}, log)
	}()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("tls serve exit %d: %s", code, log.String())
			}
		}
	}
	t.Cleanup(stop)
	for i := 0; i < 200 && addr == ""; i++ {
		b, _ := os.ReadFile(addrFile)
		addr = strings.TrimSpace(string(b))
		time.Sleep(20 * time.Millisecond)
	}
	if addr == "" {
		t.Fatalf("tls serve did not start: %s", log.String())
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
