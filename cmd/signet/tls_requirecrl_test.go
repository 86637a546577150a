package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestTLSServeRequireCRLWithoutCRL: tls serve --require-crl without --crl is a usage error
// (exit 2) at start; the server started and refused every client certificate.
func TestTLSServeRequireCRLWithoutCRL(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	var stderr bytes.Buffer
	go func() {
		done <- runContext(ctx, []string{"signet", "tls", "serve", "--listen", "127.0.0.1:0",
			"--cert", fixturePKI(t, "server-chain.pem"), "--key", fixturePKI(t, "server.key"),
			"--client-ca", fixturePKI(t, "root-ca.pem"), "--require-crl"}, &bytes.Buffer{}, &stderr)
	}()
	select {
	case code := <-done:
		if code != exitUsage || !strings.Contains(stderr.String(), "--require-crl") || !strings.Contains(stderr.String(), "--crl FILE") {
			t.Errorf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		cancel()
		<-done
		t.Fatalf("tls serve --require-crl without --crl started: %s", stderr.String())
	}
}
