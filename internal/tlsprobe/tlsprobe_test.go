package tlsprobe

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/x509util"
)

type testPKI struct {
	root, foreignRoot   *x509.Certificate
	server, client, bad tls.Certificate
}

func newKey(t *testing.T) crypto.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func issue(t *testing.T, req x509util.IssueRequest) *x509.Certificate {
	t.Helper()
	got, err := x509util.IssueCertificate(req)
	if err != nil {
		t.Fatal(err)
	}
	return got.Certificate
}

func makePKI(t *testing.T) *testPKI {
	t.Helper()
	rootKey, foreignKey := newKey(t), newKey(t)
	root := issue(t, x509util.IssueRequest{Profile: x509util.ProfileRootCA, Subject: pkix.Name{CommonName: "Probe Root"}, PublicKey: rootKey.Public(), IssuerKey: rootKey})
	foreign := issue(t, x509util.IssueRequest{Profile: x509util.ProfileRootCA, Subject: pkix.Name{CommonName: "Foreign Root"}, PublicKey: foreignKey.Public(), IssuerKey: foreignKey})
	leaf := func(profile x509util.Profile, cn string, issuer *x509.Certificate, issuerKey crypto.Signer) tls.Certificate {
		k := newKey(t)
		req := x509util.IssueRequest{Profile: profile, Subject: pkix.Name{CommonName: cn}, PublicKey: k.Public(), Issuer: issuer, IssuerKey: issuerKey}
		if profile == x509util.ProfileServer {
			req.DNSNames, req.IPAddresses = []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1)}
		}
		c := issue(t, req)
		return tls.Certificate{Certificate: [][]byte{c.Raw}, PrivateKey: k, Leaf: c}
	}
	return &testPKI{
		root: root, foreignRoot: foreign,
		server: leaf(x509util.ProfileServer, "localhost", root, rootKey),
		client: leaf(x509util.ProfileClient, "alice", root, rootKey),
		bad:    leaf(x509util.ProfileClient, "mallory", foreign, foreignKey),
	}
}

func verifierFor(roots ...*x509.Certificate) ServerVerifier {
	pool := x509.NewCertPool()
	for _, r := range roots {
		pool.AddCert(r)
	}
	return func(chain []*x509.Certificate, name string, _ []byte) error {
		inter := x509.NewCertPool()
		for _, c := range chain[1:] {
			inter.AddCert(c)
		}
		_, err := chain[0].Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter, DNSName: name,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
		return err
	}
}

// clientVerifierFor judges client chains with crypto/x509 under roots, for clientAuth (the
// CLI judges them with signet's engine; this package only carries the verdict).
func clientVerifierFor(roots ...*x509.Certificate) ClientVerifier {
	pool := x509.NewCertPool()
	for _, r := range roots {
		pool.AddCert(r)
	}
	return func(chain []*x509.Certificate) error {
		inter := x509.NewCertPool()
		for _, c := range chain[1:] {
			inter.AddCert(c)
		}
		_, err := chain[0].Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
		return err
	}
}

func startServer(t *testing.T, p *testPKI, require bool, maxVersion uint16) (addr string, logs func() string) {
	t.Helper()
	addr, logs, _ = serve(t, ServeOptions{Certificate: p.server, ClientCAs: poolOf(p.root), VerifyClient: clientVerifierFor(p.root),
		RequireClientCert: require, MaxVersion: maxVersion})
	return addr, logs
}

// serve runs Serve with opts, on a port of its own and with a log of its own, until stop is
// called or the test ends; logs returns what it has logged, one line per call.
func serve(t *testing.T, opts ServeOptions) (addr string, logs func() string, stop func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var b strings.Builder
	opts.Listener = ln
	opts.Log = func(f string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		b.WriteString(strings.TrimSpace(fmt.Sprintf(f, a...)) + "\n")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, opts) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Serve: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return ln.Addr().String(), func() string { mu.Lock(); defer mu.Unlock(); return b.String() }, stop
}

func poolOf(certs ...*x509.Certificate) *x509.CertPool {
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool
}

func TestCheckAgainstServe(t *testing.T) {
	p := makePKI(t)
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		addr, logs := startServer(t, p, true, v)
		tests := []struct {
			name       string
			opts       Options
			wantReason string
		}{
			{"trusted client", Options{ClientCert: &p.client, VerifyServer: verifierFor(p.root)}, ""},
			{"no client certificate", Options{VerifyServer: verifierFor(p.root)}, ReasonClientCertRequired},
			{"foreign client certificate", Options{ClientCert: &p.bad, VerifyServer: verifierFor(p.root)}, ReasonClientCertRejected},
			{"untrusted server", Options{ClientCert: &p.client, VerifyServer: verifierFor(p.foreignRoot)}, ReasonUntrustedServer},
			{"name mismatch", Options{ClientCert: &p.client, ServerName: "other.example", VerifyServer: verifierFor(p.root)}, ReasonNameMismatch},
		}
		if v == tls.VersionTLS12 {
			tests = append(tests, struct {
				name       string
				opts       Options
				wantReason string
			}{"protocol version", Options{ClientCert: &p.client, MinVersion: tls.VersionTLS13, VerifyServer: verifierFor(p.root)}, ReasonProtocolVersion})
		}
		for _, tt := range tests {
			t.Run(tls.VersionName(v)+"/"+tt.name, func(t *testing.T) {
				tt.opts.Addr = addr
				rep, err := Check(context.Background(), tt.opts)
				if tt.wantReason == "" {
					if err != nil {
						t.Fatalf("Check: %v\nserver log:\n%s", err, logs())
					}
					if !rep.OK || !rep.ClientCertAccepted || !rep.ClientCertRequested || !rep.ServerTrusted || rep.Version != tls.VersionName(v) {
						t.Errorf("report %+v", rep)
					}
					if len(rep.AcceptableCAs) != 1 || !strings.Contains(rep.AcceptableCAs[0], "Probe Root") {
						t.Errorf("acceptable CAs %q", rep.AcceptableCAs)
					}
					return
				}
				if !errors.Is(err, ErrCheckFailed) || rep == nil || rep.Reason != tt.wantReason {
					t.Fatalf("Check = %+v, %v; want reason %q", rep, err, tt.wantReason)
				}
			})
		}
	}
}

func TestServeOptionalClientCert(t *testing.T) {
	p := makePKI(t)
	addr, logs := startServer(t, p, false, 0)
	rep, err := Check(context.Background(), Options{Addr: addr, VerifyServer: verifierFor(p.root)})
	if err != nil || !rep.OK || rep.ClientCertAccepted {
		t.Fatalf("anonymous client against optional client auth: %+v, %v", rep, err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(logs(), "no client certificate") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(logs(), "no client certificate") {
		t.Errorf("server log lacks the anonymous client:\n%s", logs())
	}
}

// rawCert makes a certificate with crypto/x509 directly (x509util refuses control characters
// in names, which is what the tests need): a CA when issuer is nil or isCA is set.
func rawCert(t *testing.T, cn string, isCA bool, issuer *x509.Certificate, issuerKey crypto.Signer) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	k := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	if isCA {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
		tmpl.DNSNames = []string{"localhost"}
	}
	if issuer == nil {
		issuer, issuerKey = tmpl, k
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, k.Public(), issuerKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, k
}

// TestNamesEscaped: subjects chosen by the other side (the server's chain, the CA names it
// asks for, the client's certificate in Serve's log and greeting) hold a newline; each is
// printed with it escaped (\0A), so none can forge a line of a report or a log.
func TestNamesEscaped(t *testing.T) {
	root, rootKey := rawCert(t, "Evil Root\nOK trusted", true, nil, nil)
	srv, srvKey := rawCert(t, "localhost\nOK server", false, root, rootKey)
	cli, cliKey := rawCert(t, "alice\nOK admin", false, root, rootKey)
	pool := poolOf(root)
	addr, logs, _ := serve(t, ServeOptions{Certificate: tls.Certificate{Certificate: [][]byte{srv.Raw}, PrivateKey: srvKey, Leaf: srv},
		ClientCAs: pool, VerifyClient: clientVerifierFor(root), RequireClientCert: true})
	client := tls.Certificate{Certificate: [][]byte{cli.Raw}, PrivateKey: cliKey, Leaf: cli}

	rep, err := Check(context.Background(), Options{Addr: addr, ServerName: "localhost", ClientCert: &client, VerifyServer: verifierFor(root)})
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	names := map[string]string{"server subject": rep.ServerChain[0].Subject, "server issuer": rep.ServerChain[0].Issuer, "client sent": rep.ClientCertSent.Subject}
	for i, ca := range rep.AcceptableCAs {
		names[fmt.Sprint("acceptable CA ", i)] = ca
	}
	for what, name := range names {
		if strings.ContainsAny(name, "\n\r") || !strings.Contains(name, `\0A`) {
			t.Errorf("%s %q is not escaped", what, name)
		}
	}
	if len(rep.AcceptableCAs) != 1 {
		t.Errorf("acceptable CAs %q", rep.AcceptableCAs)
	}

	// Serve's greeting and log.
	conn, err := tls.Dial("tcp", addr, &tls.Config{ServerName: "localhost", RootCAs: pool, Certificates: []tls.Certificate{client}})
	if err != nil {
		t.Fatal(err)
	}
	greeting, err := io.ReadAll(conn)
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	if want := "hello, CN=alice\\0AOK admin\n"; string(greeting) != want {
		t.Errorf("greeting %q, want %q", greeting, want)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		l := logs()
		if strings.Count(l, `client certificate CN=alice\0AOK admin (verified)`) == 2 {
			if strings.Contains(l, "\nOK admin") {
				t.Errorf("the log has a forged line:\n%s", l)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the log does not show the client, escaped, twice:\n%s", l)
		}
		time.Sleep(10 * time.Millisecond) // polling the log, not waiting for an event
	}
}

// TestCheckClientRefusesServerVersion: a server that answers a TLS 1.3-only client with a TLS
// 1.2 ServerHello and no supported_versions (as a server that predates TLS 1.3 does) is refused
// by the client itself, which sends the protocol_version alert; the reason is still "protocol
// version", read from the alert sent rather than from the error's words.
func TestCheckClientRefusesServerVersion(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, 1<<16)
		if _, err := c.Read(buf); err != nil { // the ClientHello
			return
		}
		body := append([]byte{0x03, 0x03}, make([]byte, 32)...) // TLS 1.2, a random of zeros
		body = append(body, 0)                                  // no session id
		body = append(body, 0xc0, 0x2f, 0)                      // ECDHE-RSA-AES128-GCM-SHA256, no compression
		hs := append([]byte{2, 0, byte(len(body) >> 8), byte(len(body))}, body...)
		rec := append([]byte{22, 3, 3, byte(len(hs) >> 8), byte(len(hs))}, hs...)
		c.Write(rec)
		io.Copy(io.Discard, c) // until the client gives up
	}()
	rep, err := Check(context.Background(), Options{Addr: ln.Addr().String(), ServerName: "localhost", MinVersion: tls.VersionTLS13,
		VerifyServer: func([]*x509.Certificate, string, []byte) error { return nil }})
	if !errors.Is(err, ErrCheckFailed) || rep == nil || rep.Reason != ReasonProtocolVersion {
		t.Fatalf("Check = %+v, %v; want reason %q", rep, err, ReasonProtocolVersion)
	}
}

// TestServeVerifyClientVerdict: Serve asks VerifyClient about every client chain, refuses the
// client when it says no (the client sees its certificate rejected, in TLS 1.2 and 1.3), and
// logs the verdict's own words on one line with the client's subject; crypto/tls's own
// verification plays no part (a client of a root Serve names is still refused).
func TestServeVerifyClientVerdict(t *testing.T) {
	p := makePKI(t)
	verdict := errors.New("no issuer CN=Somewhere among what it sent")
	var asked sync.Map
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			addr, logs, stop := serve(t, ServeOptions{Certificate: p.server, ClientCAs: poolOf(p.root), RequireClientCert: true, MaxVersion: v,
				VerifyClient: func(chain []*x509.Certificate) error {
					asked.Store(chain[0].Subject.CommonName, true)
					return verdict
				}})
			rep, err := Check(context.Background(), Options{Addr: addr, ServerName: "localhost", ClientCert: &p.client, VerifyServer: verifierFor(p.root)})
			if !errors.Is(err, ErrCheckFailed) || rep == nil || rep.Reason != ReasonClientCertRejected {
				t.Errorf("Check = %+v, %v; want reason %q", rep, err, ReasonClientCertRejected)
			}
			stop() // the log is complete once Serve has returned
			want := "client presenting CN=alice (its key not proven) rejected: " + verdict.Error() + "\n"
			if l := logs(); !strings.HasSuffix(l, want) || strings.Contains(l, "handshake failed") {
				t.Errorf("log %q, want a line ending %q", l, want)
			}
		})
	}
	if _, ok := asked.Load("alice"); !ok {
		t.Error("VerifyClient was not asked")
	}
}

// TestServeDefaultVerifier: without VerifyClient, a client is judged by crypto/x509 under
// ClientCAs, for clientAuth: one of the root is accepted, a foreign one refused and logged.
func TestServeDefaultVerifier(t *testing.T) {
	p := makePKI(t)
	addr, logs, stop := serve(t, ServeOptions{Certificate: p.server, ClientCAs: poolOf(p.root), RequireClientCert: true})
	good, err := Check(context.Background(), Options{Addr: addr, ServerName: "localhost", ClientCert: &p.client, VerifyServer: verifierFor(p.root)})
	if err != nil || !good.ClientCertAccepted {
		t.Errorf("client of the root: %+v, %v", good, err)
	}
	bad, err := Check(context.Background(), Options{Addr: addr, ServerName: "localhost", ClientCert: &p.bad, VerifyServer: verifierFor(p.root)})
	if err == nil || bad.Reason != ReasonClientCertRejected {
		t.Errorf("foreign client: %+v, %v", bad, err)
	}
	stop()
	if l := logs(); !strings.Contains(l, "client presenting CN=mallory (its key not proven) rejected: ") {
		t.Errorf("log lacks the refused client:\n%s", l)
	}
}

// TestServeResumedSessionJudgedAgain: a session resumes across connections (one ticket key
// for every connection), and a resumed session is judged again by VerifyClient: a client
// accepted once and refused since is refused on resumption too.
func TestServeResumedSessionJudgedAgain(t *testing.T) {
	p := makePKI(t)
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			var refuse atomic.Bool
			addr, _, _ := serve(t, ServeOptions{Certificate: p.server, RequireClientCert: true, MaxVersion: v,
				VerifyClient: func([]*x509.Certificate) error {
					if refuse.Load() {
						return errors.New("refused now")
					}
					return nil
				}})
			roots := x509.NewCertPool()
			roots.AddCert(p.root)
			cfg := &tls.Config{ServerName: "localhost", RootCAs: roots, Certificates: []tls.Certificate{p.client},
				ClientSessionCache: tls.NewLRUClientSessionCache(4), MaxVersion: v}
			dial := func() (resumed bool, err error) {
				c, err := tls.Dial("tcp", addr, cfg)
				if err != nil {
					return false, err
				}
				defer c.Close()
				_, err = io.ReadAll(c) // the greeting, then the server closes; a refusal arrives here in TLS 1.3
				return c.ConnectionState().DidResume, err
			}
			if _, err := dial(); err != nil {
				t.Fatalf("first connection: %v", err)
			}
			if resumed, err := dial(); err != nil || !resumed {
				t.Fatalf("second connection: resumed %v, %v", resumed, err)
			}
			refuse.Store(true)
			if _, err := dial(); err == nil {
				t.Fatal("a resumed session of a client refused since was served")
			}
		})
	}
}

// A handshake in flight when Serve is told to stop is completed and logged as verified: the
// stop refuses new connections only. (signet tls serve interrupted right after a client's
// handshake logged it as "handshake failed: context canceled", which the client had seen
// succeed.)
func TestServeStopFinishesHandshakesInFlight(t *testing.T) {
	p := makePKI(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sl := testutil.NewSignalListener(ln)
	var mu sync.Mutex
	var log strings.Builder
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, ServeOptions{Listener: sl, Certificate: p.server, ClientCAs: poolOf(p.root),
			VerifyClient: clientVerifierFor(p.root), RequireClientCert: true,
			Log: func(f string, a ...any) { mu.Lock(); defer mu.Unlock(); fmt.Fprintf(&log, f+"\n", a...) }})
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	<-sl.Accepted
	cancel()
	<-sl.Closed // Serve has stopped accepting; the handshake starts only now
	conn := tls.Client(raw, &tls.Config{RootCAs: poolOf(p.root), ServerName: "localhost",
		Certificates: []tls.Certificate{p.client}})
	if err := conn.Handshake(); err != nil {
		t.Fatalf("handshake after the stop: %v", err)
	}
	greeting, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("read greeting: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(log.String(), "client certificate CN=alice") || strings.Contains(log.String(), "handshake failed") {
		t.Errorf("log:\n%s", log.String())
	}
	if !strings.HasPrefix(string(greeting), "hello, CN=alice") {
		t.Errorf("greeting %q", greeting)
	}
}
