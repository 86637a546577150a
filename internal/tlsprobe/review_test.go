package tlsprobe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/x509util"
)

// cbcSuites are the TLS 1.2 CBC suites crypto/tls still enables by default: signet's own
// audit warns of them ("weak: cbc").
func cbcSuites() []uint16 {
	return []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
		tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA}
}

// TestServeOffersOnlyAEADSuites: under TLS 1.2 Serve agrees only to ECDHE suites with an AEAD
// cipher; a client that offers CBC suites alone is refused (crypto/tls's defaults took them).
func TestServeOffersOnlyAEADSuites(t *testing.T) {
	p := makePKI(t)
	addr, _ := startServer(t, p, false, 0)
	dial := func(suites []uint16) error {
		c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: poolOf(p.root), ServerName: "localhost",
			MaxVersion: tls.VersionTLS12, CipherSuites: suites})
		if err == nil {
			c.Close()
		}
		return err
	}
	if err := dial(cbcSuites()); err == nil {
		t.Error("a client offering only CBC suites was served under TLS 1.2")
	}
	if err := dial([]uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}); err != nil {
		t.Errorf("an AES-GCM client: %v", err)
	}
	if err := dial([]uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}); err != nil {
		t.Errorf("a ChaCha20-Poly1305 client: %v", err)
	}
}

// TestServeRefusesLongClientChains: a client that sends more certificates than any real chain
// needs is refused before VerifyClient is asked: path building over hundreds of same-named
// certificates costs hundreds of milliseconds of CPU per handshake, spent before the client
// has proven anything. A chain of the most certificates allowed is still judged, and accepted.
func TestServeRefusesLongClientChains(t *testing.T) {
	p := makePKI(t)
	var asked atomic.Int32
	verify := clientVerifierFor(p.root)
	addr, logs, stop := serve(t, ServeOptions{Certificate: p.server, RequireClientCert: true,
		VerifyClient: func(chain []*x509.Certificate) error { asked.Add(1); return verify(chain) }})
	withExtra := func(n int) *tls.Certificate {
		c := p.client
		c.Certificate = append([][]byte{}, p.client.Certificate...)
		for range n {
			c.Certificate = append(c.Certificate, p.root.Raw)
		}
		return &c
	}
	rep, err := Check(context.Background(), Options{Addr: addr, ServerName: "localhost", ClientCert: withExtra(x509util.MaxPeerCertificates - 1), VerifyServer: verifierFor(p.root)})
	if err != nil || !rep.ClientCertAccepted {
		t.Fatalf("a chain of %d certificates: %+v, %v", x509util.MaxPeerCertificates, rep, err)
	}
	if asked.Load() != 1 {
		t.Fatalf("VerifyClient asked %d times", asked.Load())
	}
	rep, err = Check(context.Background(), Options{Addr: addr, ServerName: "localhost", ClientCert: withExtra(x509util.MaxPeerCertificates), VerifyServer: verifierFor(p.root)})
	if err == nil || rep.Reason != ReasonClientCertRejected {
		t.Errorf("a chain of %d certificates: %+v, %v", x509util.MaxPeerCertificates+1, rep, err)
	}
	if asked.Load() != 1 {
		t.Errorf("VerifyClient was asked about a chain of %d certificates", x509util.MaxPeerCertificates+1)
	}
	stop()
	want := fmt.Sprintf("client presenting CN=alice (its key not proven) rejected: it sent %d certificates, more than the %d a chain may have here", x509util.MaxPeerCertificates+1, x509util.MaxPeerCertificates)
	if l := logs(); !strings.Contains(l, want) {
		t.Errorf("log lacks %q:\n%s", want, l)
	}
}

// failingListener fails its first Accept as a process out of file descriptors does.
type failingListener struct {
	net.Listener
	failed atomic.Bool
}

func (l *failingListener) Accept() (net.Conn, error) {
	if !l.failed.Swap(true) {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

// TestServeGoesOnAfterAcceptError: an accept that fails (too many open files, which a burst
// of clients can cause) is logged and the server goes on; it used to end Serve, and with it
// signet tls serve.
func TestServeGoesOnAfterAcceptError(t *testing.T) {
	p := makePKI(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var log strings.Builder
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, ServeOptions{Listener: &failingListener{Listener: ln}, Certificate: p.server,
			Log: func(f string, a ...any) { mu.Lock(); defer mu.Unlock(); fmt.Fprintf(&log, f+"\n", a...) }})
	}()
	rep, err := Check(context.Background(), Options{Addr: ln.Addr().String(), ServerName: "localhost", VerifyServer: verifierFor(p.root), Timeout: 30 * time.Second})
	if err != nil {
		t.Errorf("after a failed accept: %+v, %v", rep, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(log.String(), "accept: accept tcp: accept4: too many open files\n") {
		t.Errorf("log:\n%s", log.String())
	}
}

// TestServeConnectionLimit: at most MaxConns connections are served at once. At the limit
// the oldest connection still in its handshake is closed to make room and logged as evicted,
// so that connections that never say hello cannot keep clients out (they held every place
// for the handshake timeout); with no handshake to evict, one more is closed at once.
func TestServeConnectionLimit(t *testing.T) {
	p := makePKI(t)
	addr, logs, stop := serve(t, ServeOptions{Certificate: p.server, MaxConns: 1, HandshakeTimeout: time.Minute})
	silent, err := net.Dial("tcp", addr) // holds the one place: it never says hello
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	silent.SetReadDeadline(time.Now().Add(20 * time.Second))
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(logs(), "evicted") {
		if time.Now().After(deadline) {
			t.Fatalf("the silent connection was not evicted; log:\n%s", logs())
		}
		if _, err := Check(context.Background(), Options{Addr: addr, ServerName: "localhost", VerifyServer: verifierFor(p.root), Timeout: 30 * time.Second}); err != nil {
			t.Fatalf("a client while a silent connection held the limit: %v", err)
		}
	}
	if _, err := silent.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("the evicted connection: read %v, want it closed", err)
	}
	stop()
	if l := logs(); !regexp.MustCompile(`(?m)^[0-9.:]+: evicted: its handshake was the oldest unfinished one when a connection came at the limit$`).MatchString(l) {
		t.Errorf("log:\n%s", l)
	}
}

// TestCheckRefusesLongServerChains: a server that sends more certificates than any real
// chain needs is refused before VerifyServer is asked, as tls serve refuses such a client:
// path building over them costs CPU and the report printed every one. Only the leaf is
// described. A chain of the most certificates allowed is still judged, and accepted.
func TestCheckRefusesLongServerChains(t *testing.T) {
	p := makePKI(t)
	withExtra := func(n int) tls.Certificate {
		c := p.server
		c.Certificate = append([][]byte{}, p.server.Certificate...)
		for range n {
			c.Certificate = append(c.Certificate, p.root.Raw)
		}
		return c
	}
	listen := func(cert tls.Certificate) string {
		ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
		if err != nil {
			t.Fatal(err)
		}
		testutil.ServeConns(t, ln, func(c net.Conn) {
			c.SetDeadline(time.Now().Add(10 * time.Second))
			c.(*tls.Conn).Handshake()
		})
		return ln.Addr().String()
	}
	var asked atomic.Int32
	verify := verifierFor(p.root)
	counting := func(chain []*x509.Certificate, name string, ocsp []byte) error {
		asked.Add(1)
		return verify(chain, name, ocsp)
	}
	max := x509util.MaxPeerCertificates
	rep, err := Check(context.Background(), Options{Addr: listen(withExtra(max - 1)), ServerName: "localhost", VerifyServer: counting})
	if err != nil || !rep.ServerTrusted || len(rep.ServerChain) != max {
		t.Fatalf("a chain of %d certificates: %+v, %v", max, rep, err)
	}
	rep, err = Check(context.Background(), Options{Addr: listen(withExtra(max)), ServerName: "localhost", VerifyServer: counting})
	if err == nil || rep.Reason != ReasonUntrustedServer || rep.ServerTrusted {
		t.Fatalf("a chain of %d certificates: %+v, %v", max+1, rep, err)
	}
	if asked.Load() != 1 {
		t.Errorf("VerifyServer was asked about a chain of %d certificates", max+1)
	}
	if len(rep.ServerChain) != 1 || rep.ServerChain[0].Subject != "CN=localhost" {
		t.Errorf("the report describes %d certificates: %+v", len(rep.ServerChain), rep.ServerChain)
	}
	want := fmt.Sprintf("server chain refused: it sent %d certificates, more than the %d a chain may have here", max+1, max)
	if rep.Detail != want || rep.ServerError != want {
		t.Errorf("detail %q, server error %q, want %q", rep.Detail, rep.ServerError, want)
	}
}
