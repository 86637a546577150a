package tunnel

import (
	"bufio"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// testPKI is a root CA issuing a server and clients, written to files as the tunnel reads
// them, with a CRL.
type testPKI struct {
	dir               string
	root              *x509.Certificate
	rootKey           crypto.Signer
	rootFile, crlFile string
	serverCert        string // chain file
	serverKey         string
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func writePEM(t *testing.T, path, typ string, der []byte) string {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeKey(t *testing.T, path string, k *ecdsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return writePEM(t, path, "PRIVATE KEY", der)
}

func newPKI(t *testing.T, name string) *testPKI {
	t.Helper()
	p := &testPKI{dir: t.TempDir()}
	k := newKey(t)
	iss, err := x509util.IssueCertificate(x509util.IssueRequest{Profile: x509util.ProfileRootCA, Subject: pkix.Name{CommonName: name + " Root"},
		PublicKey: k.Public(), IssuerKey: k})
	if err != nil {
		t.Fatal(err)
	}
	p.root, p.rootKey = iss.Certificate, k
	p.rootFile = writePEM(t, filepath.Join(p.dir, "root.pem"), "CERTIFICATE", p.root.Raw)
	p.writeCRL(t)
	p.serverCert, p.serverKey = p.issue(t, x509util.ProfileServer, "localhost", "server")
	return p
}

// issue makes a leaf and writes its certificate and key files.
func (p *testPKI) issue(t *testing.T, profile x509util.Profile, cn, file string, emails ...string) (certFile, keyFile string) {
	t.Helper()
	k := newKey(t)
	req := x509util.IssueRequest{Profile: profile, Subject: pkix.Name{CommonName: cn, Organization: []string{"Example"}},
		PublicKey: k.Public(), Issuer: p.root, IssuerKey: p.rootKey, EmailAddresses: emails}
	if profile == x509util.ProfileServer {
		req.DNSNames, req.IPAddresses = []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	iss, err := x509util.IssueCertificate(req)
	if err != nil {
		t.Fatal(err)
	}
	return writePEM(t, filepath.Join(p.dir, file+".pem"), "CERTIFICATE", iss.Certificate.Raw), writeKey(t, filepath.Join(p.dir, file+".key"), k)
}

// writeCRL (re)writes the CRL file, revoking the certificates in files.
func (p *testPKI) writeCRL(t *testing.T, files ...string) {
	t.Helper()
	var revoked []x509.RevocationListEntry
	for _, f := range files {
		cs, err := x509util.LoadCertificateFile(f)
		if err != nil {
			t.Fatal(err)
		}
		revoked = append(revoked, x509.RevocationListEntry{SerialNumber: cs[0].SerialNumber, RevocationTime: time.Now().Add(-time.Minute)})
	}
	der, _, err := x509util.CreateCRL(x509util.CRLRequest{Issuer: p.root, IssuerKey: p.rootKey, Revoked: revoked,
		Number: big.NewInt(time.Now().UnixNano()), ThisUpdate: time.Now().Add(-time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	p.crlFile = writePEM(t, filepath.Join(p.dir, "root.crl"), "X509 CRL", der)
}

func (p *testPKI) tlsCert(t *testing.T, certFile, keyFile string) tls.Certificate {
	t.Helper()
	c, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (p *testPKI) pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.root)
	return pool
}

// logs collects a tunnel's events.
type logs struct {
	mu  sync.Mutex
	evs []Event
}

func (l *logs) add(e Event) { l.mu.Lock(); l.evs = append(l.evs, e); l.mu.Unlock() }

func (l *logs) events(kind string) []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Event
	for _, e := range l.evs {
		if e.Event == kind {
			out = append(out, e)
		}
	}
	return out
}

// waitFor polls the log until pred holds (events arrive from other goroutines).
func (l *logs) waitFor(t *testing.T, what string, pred func(*logs) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !pred(l) {
		if time.Now().After(deadline) {
			l.mu.Lock()
			evs := append([]Event(nil), l.evs...)
			l.mu.Unlock()
			t.Fatalf("timed out waiting for %s; log: %+v", what, evs)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// start runs a tunnel until the test ends and returns its address.
func start(t *testing.T, opts Options) (string, *logs, chan struct{}, context.CancelFunc) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &logs{}
	opts.Listener, opts.Log = ln, l.add
	reload := make(chan struct{})
	opts.Reload = reload
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, opts) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	l.waitFor(t, "listening", func(l *logs) bool { return len(l.events("listening")) == 1 })
	return ln.Addr().String(), l, reload, cancel
}

// echoServer answers each line with "echo: " and the line, until the client closes.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	testutil.ServeConns(t, ln, func(c net.Conn) {
		sc := bufio.NewScanner(c)
		for sc.Scan() {
			fmt.Fprintf(c, "echo: %s\n", sc.Text())
		}
	})
	return ln.Addr().String()
}

func roundTrip(t *testing.T, c net.Conn, r *bufio.Reader, line string) error {
	t.Helper()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := fmt.Fprintf(c, "%s\n", line); err != nil {
		return err
	}
	got, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	if got != "echo: "+line+"\n" {
		return fmt.Errorf("got %q", got)
	}
	return nil
}

// pair starts a server tunnel in front of an echo server and a client tunnel in front of
// it, and returns the client tunnel's address.
type pair struct {
	pki              *testPKI
	client, server   string // addresses
	clog, slog       *logs
	sreload, creload chan struct{}
	clientCert       string
	sopts            Options
}

func newPair(t *testing.T, mod func(s, c *Options)) *pair {
	t.Helper()
	p := &pair{pki: newPKI(t, "Tunnel")}
	cc, ck := p.pki.issue(t, x509util.ProfileClient, "alice", "alice")
	p.clientCert = cc
	p.sopts = Options{Mode: Server, Target: echoServer(t), Cert: p.pki.serverCert, Key: p.pki.serverKey,
		Roots: []string{p.pki.rootFile}, CRLs: []string{p.pki.crlFile}, HandshakeTimeout: 30 * time.Second}
	copts := Options{Mode: Client, ServerName: "localhost", Cert: cc, Key: ck, Roots: []string{p.pki.rootFile}, HandshakeTimeout: 30 * time.Second}
	if mod != nil {
		mod(&p.sopts, &copts)
	}
	p.server, p.slog, p.sreload, _ = start(t, p.sopts)
	copts.Target = p.server
	p.client, p.clog, p.creload, _ = start(t, copts)
	return p
}

func dial(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, bufio.NewReader(c)
}

func TestTunnelPairRoundTrip(t *testing.T) {
	t.Parallel()
	p := newPair(t, nil)
	c, r := dial(t, p.client)
	for i := range 3 {
		if err := roundTrip(t, c, r, fmt.Sprint("hello ", i)); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	p.slog.waitFor(t, "the server's connection line", func(l *logs) bool { return len(l.events("connection")) == 1 })
	ev := p.slog.events("connection")[0]
	if ev.Subject != "CN=alice,O=Example" || ev.BytesIn != 24 || ev.BytesOut != 42 || ev.End != "closed" || ev.Protocol != "TLS 1.3" {
		t.Errorf("server log line %+v", ev)
	}
	p.clog.waitFor(t, "the client's connection line", func(l *logs) bool { return len(l.events("connection")) == 1 })
	if ev := p.clog.events("connection")[0]; ev.Subject != "CN=localhost,O=Example" || ev.BytesIn != 24 || ev.BytesOut != 42 {
		t.Errorf("client log line %+v", ev)
	}
}

// dialServer connects to a server tunnel directly with TLS, offering cert (nil: none), and
// returns the error of a first round trip: a refused client fails there.
func dialServer(t *testing.T, p *pair, cert *tls.Certificate) error {
	t.Helper()
	cfg := &tls.Config{ServerName: "localhost", RootCAs: p.pki.pool()}
	if cert != nil {
		// Sent whatever CAs the server names: a foreign certificate is offered too.
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
	}
	c, err := tls.Dial("tcp", p.server, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	return roundTrip(t, c, bufio.NewReader(c), "let me in")
}

// TestTunnelServerRefuses: the server side lets in only clients whose certificate the policy
// engine accepts: none, a foreign one, a revoked one, a server certificate (no clientAuth)
// and one outside --client-subject are refused, each logged with its reason.
func TestTunnelServerRefuses(t *testing.T) {
	t.Parallel()
	p := newPair(t, func(s, c *Options) { s.ClientSubjects = []string{"CN=alice,O=Example", "/O=Example/CN=bob"} })
	foreign := newPKI(t, "Foreign")
	fc, fk := foreign.issue(t, x509util.ProfileClient, "alice", "alice")
	rc, rk := p.pki.issue(t, x509util.ProfileClient, "bob", "revoked")
	ec, ek := p.pki.issue(t, x509util.ProfileClient, "eve", "eve")
	bc, bk := p.pki.issue(t, x509util.ProfileClient, "bob", "bob")
	p.pki.writeCRL(t, rc)
	p.sreload <- struct{}{}
	p.slog.waitFor(t, "the reload", func(l *logs) bool { return len(l.events("reloaded")) == 1 })

	good := p.pki.tlsCert(t, bc, bk)
	if err := dialServer(t, p, &good); err != nil {
		t.Fatalf("bob, allowed and not revoked: %v", err)
	}
	cases := []struct {
		name string
		cert *tls.Certificate
		why  string
	}{
		{"no certificate", nil, "didn't provide a certificate"},
		{"foreign", ptr(foreign.tlsCert(t, fc, fk)), "peer refused: verify: no chain to a trusted root"},
		{"revoked", ptr(p.pki.tlsCert(t, rc, rk)), "[rfc5280.revoked]"},
		{"server certificate", ptr(p.pki.tlsCert(t, p.pki.serverCert, p.pki.serverKey)), "peer refused: verify: certificate CN=localhost,O=Example is for serverAuth, not clientAuth"},
		{"subject not allowed", ptr(p.pki.tlsCert(t, ec, ek)), "not an allowed subject"},
	}
	for i, tc := range cases {
		if err := dialServer(t, p, tc.cert); err == nil {
			t.Errorf("%s: let in", tc.name)
		}
		p.slog.waitFor(t, tc.name+" refused", func(l *logs) bool { return len(l.events("refused")) == i+1 })
		ev := p.slog.events("refused")[i]
		if !strings.Contains(ev.End, tc.why) {
			t.Errorf("%s: logged %+v, want %q", tc.name, ev, tc.why)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestTunnelClientRefusesServer: the client side checks the server's chain and name.
func TestTunnelClientRefusesServer(t *testing.T) {
	t.Parallel()
	other := newPKI(t, "Other")
	p := newPair(t, func(s, c *Options) { c.Roots = []string{other.rootFile} })
	c, r := dial(t, p.client)
	if err := roundTrip(t, c, r, "x"); err == nil {
		t.Fatal("a server under another root was trusted")
	}
	p.clog.waitFor(t, "the refusal", func(l *logs) bool { return len(l.events("refused")) == 1 })
	if ev := p.clog.events("refused")[0]; !strings.Contains(ev.End, "peer refused: verify: no chain to a trusted root") {
		t.Errorf("logged %+v", ev)
	}

	q := newPair(t, func(s, c *Options) { c.ServerName = "db.example.com" })
	c, r = dial(t, q.client)
	if err := roundTrip(t, c, r, "x"); err == nil {
		t.Fatal("a server without the name was trusted")
	}
	q.clog.waitFor(t, "the refusal", func(l *logs) bool { return len(l.events("refused")) == 1 })
	if ev := q.clog.events("refused")[0]; !strings.Contains(ev.End, "peer refused: verify: ") || !strings.Contains(ev.End, "db.example.com") {
		t.Errorf("logged %+v", ev)
	}
}

// TestTunnelConcurrent: 100 connections open at once through the pair, each answered.
func TestTunnelConcurrent(t *testing.T) {
	t.Parallel()
	p := newPair(t, nil)
	const n = 100
	var wg, opened sync.WaitGroup
	errs := make(chan error, n)
	release := make(chan struct{})
	opened.Add(n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", p.client)
			if err != nil {
				opened.Done()
				errs <- err
				return
			}
			defer c.Close()
			r := bufio.NewReader(c)
			err = roundTrip(t, c, r, fmt.Sprint("conn ", i))
			opened.Done()
			if err != nil {
				errs <- err
				return
			}
			<-release // all n stay open together
			errs <- roundTrip(t, c, r, fmt.Sprint("again ", i))
		}()
	}
	opened.Wait()
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	p.slog.waitFor(t, "100 connection lines", func(l *logs) bool { return len(l.events("connection")) == n })
}

// TestTunnelReload: a reload renews the server certificate and revokes a client through a new
// CRL; a connection open across the reload keeps working, new ones see the new certificate
// and the revoked client is refused.
func TestTunnelReload(t *testing.T) {
	t.Parallel()
	p := newPair(t, nil)
	c, r := dial(t, p.client)
	if err := roundTrip(t, c, r, "before"); err != nil {
		t.Fatal(err)
	}
	old, err := x509util.LoadCertificateFile(p.pki.serverCert)
	if err != nil {
		t.Fatal(err)
	}
	// Renew: a new certificate and key in the same files, and a CRL revoking alice.
	cert, key := p.pki.issue(t, x509util.ProfileServer, "localhost", "renewed")
	for src, dst := range map[string]string{cert: p.pki.serverCert, key: p.pki.serverKey} {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	bc, bk := p.pki.issue(t, x509util.ProfileClient, "bob", "bob")
	p.pki.writeCRL(t, p.clientCert)
	p.sreload <- struct{}{}
	p.slog.waitFor(t, "the reload", func(l *logs) bool { return len(l.events("reloaded")) == 1 })

	if err := roundTrip(t, c, r, "after"); err != nil {
		t.Fatalf("the connection open across the reload: %v", err)
	}
	bob := p.pki.tlsCert(t, bc, bk)
	conn, err := tls.Dial("tcp", p.server, &tls.Config{ServerName: "localhost", RootCAs: p.pki.pool(), Certificates: []tls.Certificate{bob}})
	if err != nil {
		t.Fatal(err)
	}
	got := conn.ConnectionState().PeerCertificates[0]
	if err := roundTrip(t, conn, bufio.NewReader(conn), "bob"); err != nil {
		t.Fatalf("bob after the reload: %v", err)
	}
	conn.Close()
	if got.SerialNumber.Cmp(old[0].SerialNumber) == 0 {
		t.Error("a new connection still gets the old certificate")
	}
	c2, r2 := dial(t, p.client)
	if err := roundTrip(t, c2, r2, "alice again"); err == nil {
		t.Error("alice, revoked by the reloaded CRL, was let in")
	}

	// A reload that fails (the key no longer matches) keeps what was loaded.
	other := newKey(t)
	writeKey(t, p.pki.serverKey, other)
	os.WriteFile(p.pki.serverCert, []byte("not a certificate"), 0o600)
	p.sreload <- struct{}{}
	p.slog.waitFor(t, "the failed reload", func(l *logs) bool { return len(l.events("reload-failed")) == 1 })
	conn, err = tls.Dial("tcp", p.server, &tls.Config{ServerName: "localhost", RootCAs: p.pki.pool(), Certificates: []tls.Certificate{bob}})
	if err != nil {
		t.Fatalf("after a failed reload: %v", err)
	}
	if err := roundTrip(t, conn, bufio.NewReader(conn), "still"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
}

// TestTunnelLimits: --max-conns refuses one connection too many; --idle-timeout closes a
// quiet connection.
func TestTunnelLimits(t *testing.T) {
	t.Parallel()
	p := newPair(t, func(s, c *Options) { c.MaxConns = 2 })
	c1, r1 := dial(t, p.client)
	c2, r2 := dial(t, p.client)
	for _, x := range []struct {
		c net.Conn
		r *bufio.Reader
	}{{c1, r1}, {c2, r2}} {
		if err := roundTrip(t, x.c, x.r, "in"); err != nil {
			t.Fatal(err)
		}
	}
	c3, r3 := dial(t, p.client)
	if err := roundTrip(t, c3, r3, "one too many"); err == nil {
		t.Error("a third connection beyond --max-conns 2 was served")
	}
	p.clog.waitFor(t, "the refusal", func(l *logs) bool { return len(l.events("refused")) == 1 })
	if err := roundTrip(t, c1, r1, "the first two still work"); err != nil {
		t.Error(err)
	}

	// The server side closes a connection after 300 ms of quiet both ways.
	q := newPair(t, func(s, c *Options) { s.IdleTimeout = 300 * time.Millisecond })
	c4, r4 := dial(t, q.client)
	if err := roundTrip(t, c4, r4, "then quiet"); err != nil {
		t.Fatal(err)
	}
	c4.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := r4.ReadByte(); !errors.Is(err, io.EOF) {
		t.Errorf("a quiet connection: %v, want EOF", err)
	}
	q.slog.waitFor(t, "the idle end", func(l *logs) bool {
		evs := l.events("connection")
		return len(evs) == 1 && evs[0].End == "idle"
	})
}

// TestTunnelShutdown: cancelling stops accepting; an open connection may finish within the
// grace period.
func TestTunnelShutdown(t *testing.T) {
	t.Parallel()
	pk := newPKI(t, "Shutdown")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cc, ck := pk.issue(t, x509util.ProfileClient, "alice", "alice")
	l, cancel, wait := runStoppable(t, ln, Options{Mode: Client, Target: echoServerTLS(t, pk), ServerName: "localhost",
		Cert: cc, Key: ck, Roots: []string{pk.rootFile}, ShutdownGrace: 5 * time.Second})
	c, r := dial(t, ln.Addr().String())
	if err := roundTrip(t, c, r, "one"); err != nil {
		t.Fatal(err)
	}
	cancel()
	l.waitFor(t, "stopping", func(l *logs) bool { return len(l.events("stopping")) == 1 })
	if err := roundTrip(t, c, r, "still there"); err != nil {
		t.Fatalf("an open connection during the grace period: %v", err)
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("still accepting after the stop")
	}
	c.Close()
	wait()
	if len(l.events("stopped")) != 1 {
		t.Errorf("log %+v", l.evs)
	}
}

// echoServerTLS is an echo server behind TLS that asks for no client certificate.
func echoServerTLS(t *testing.T, p *testPKI) string {
	t.Helper()
	cert := p.tlsCert(t, p.serverCert, p.serverKey)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	testutil.ServeConns(t, ln, func(c net.Conn) {
		sc := bufio.NewScanner(c)
		for sc.Scan() {
			fmt.Fprintf(c, "echo: %s\n", sc.Text())
		}
	})
	return ln.Addr().String()
}

func TestTunnelConfigErrors(t *testing.T) {
	t.Parallel()
	pk := newPKI(t, "Config")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, otherKey := pk.issue(t, x509util.ProfileClient, "x", "x")
	for name, o := range map[string]Options{
		"bad subject":  {Mode: Server, ClientSubjects: []string{"CN"}},
		"key mismatch": {Mode: Server, Cert: pk.serverCert, Key: otherKey, Roots: []string{pk.rootFile}},
		"no roots":     {Mode: Server, Cert: pk.serverCert, Key: pk.serverKey},
	} {
		o.Listener, o.Target = ln, "127.0.0.1:1"
		if err := Run(context.Background(), o); err == nil {
			t.Errorf("%s: Run started", name)
		}
		ln, _ = net.Listen("tcp", "127.0.0.1:0")
	}
	ln.Close()
}

// TestVerdictMemory: a valid verdict is kept no longer than a minute, the notAfter of the
// path, or the nextUpdate of a CRL of the policy.
func TestVerdictMemory(t *testing.T) {
	t.Parallel()
	p := newPKI(t, "Memory")
	crls, err := x509util.LoadCRLs(p.crlFile)
	if err != nil {
		t.Fatal(err)
	}
	soon := time.Now().Add(10 * time.Second)
	crls[0].NextUpdate = soon
	m := &material{policy: verify.Policy{CRLs: crls}}
	k := [32]byte{1}
	path := func(notAfter time.Time) *verify.Result {
		return &verify.Result{Valid: true, Chain: []verify.ChainCert{{NotAfter: notAfter}, {NotAfter: time.Now().Add(24 * time.Hour)}}}
	}
	m.remember(k, path(time.Now().Add(time.Hour)))
	if !m.known(k) || !m.valid[k].Equal(soon) {
		t.Errorf("kept until %v, want the CRL's nextUpdate %v", m.valid[k], soon)
	}
	m2 := &material{}
	expiry := time.Now().Add(5 * time.Second)
	m2.remember(k, path(expiry))
	if !m2.valid[k].Equal(expiry) {
		t.Errorf("kept until %v, want the path's notAfter %v", m2.valid[k], expiry)
	}
	m3 := &material{}
	m3.remember(k, path(time.Now().Add(time.Hour)))
	if d := time.Until(m3.valid[k]); d > verdictTTL || d < verdictTTL-10*time.Second {
		t.Errorf("kept for %v, want %v", d, verdictTTL)
	}
	m3.valid[k] = time.Now().Add(-time.Second)
	if m3.known(k) {
		t.Error("an expired verdict is still known")
	}
}

// TestTunnelClientIdentityAndCRLs: --client-email and --require-crl reach the policy engine.
func TestTunnelClientIdentityAndCRLs(t *testing.T) {
	t.Parallel()
	p := newPair(t, func(s, c *Options) { s.Policy.Email = "bob@example.com" })
	bc, bk := p.pki.issue(t, x509util.ProfileClient, "bob", "bob", "bob@example.com")
	if err := dialServer(t, p, ptr(p.pki.tlsCert(t, bc, bk))); err != nil {
		t.Fatalf("bob, with the email required: %v", err)
	}
	c, r := dial(t, p.client) // alice, without it
	if err := roundTrip(t, c, r, "x"); err == nil {
		t.Fatal("a client without the email required was let in")
	}
	p.slog.waitFor(t, "the refusal", func(l *logs) bool { return len(l.events("refused")) == 1 })
	if ev := p.slog.events("refused")[0]; !strings.Contains(ev.End, "bob@example.com") {
		t.Errorf("logged %+v", ev)
	}

	// RequireCRL without a CRL for the root refuses; with it, the client passes.
	q := newPair(t, func(s, c *Options) { s.Policy.RequireCRL, s.CRLs = true, nil })
	c, r = dial(t, q.client)
	if err := roundTrip(t, c, r, "x"); err == nil {
		t.Fatal("RequireCRL without a CRL let the client in")
	}
	q.slog.waitFor(t, "the refusal", func(l *logs) bool { return len(l.events("refused")) == 1 })
	if ev := q.slog.events("refused")[0]; !strings.Contains(ev.End, "[signet.crl-required]") {
		t.Errorf("logged %+v", ev)
	}
	w := newPair(t, func(s, c *Options) { s.Policy.RequireCRL = true })
	c, r = dial(t, w.client)
	if err := roundTrip(t, c, r, "x"); err != nil {
		t.Fatalf("RequireCRL with the root's CRL: %v", err)
	}
}

// A connection accepted before the stop whose handshake is still in flight is an open
// connection: it gets the grace period like any other, instead of being cut with "shutdown"
// (the handshake's context was the run's, so the stop canceled it).
func TestTunnelShutdownFinishesHandshakesInFlight(t *testing.T) {
	t.Parallel()
	pk := newPKI(t, "Handshake")
	cc, ck := pk.issue(t, x509util.ProfileClient, "alice", "alice")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sl := testutil.NewSignalListener(ln)
	l, cancel, wait := runStoppable(t, sl, Options{Mode: Server, Target: echoServer(t), Cert: pk.serverCert, Key: pk.serverKey,
		Roots: []string{pk.rootFile}, ShutdownGrace: 10 * time.Second})
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	<-sl.Accepted
	cancel()
	<-sl.Closed // the tunnel has stopped accepting; the handshake starts only now
	good := pk.tlsCert(t, cc, ck)
	c := tls.Client(raw, &tls.Config{ServerName: "localhost", RootCAs: pk.pool(),
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &good, nil }})
	if err := roundTrip(t, c, bufio.NewReader(c), "after the stop"); err != nil {
		l.mu.Lock()
		defer l.mu.Unlock()
		t.Fatalf("a connection accepted before the stop: %v (log %+v)", err, l.evs)
	}
	c.Close()
	wait()
	if evs := l.events("connection"); len(evs) != 1 || evs[0].Subject != "CN=alice,O=Example" || evs[0].End == "shutdown" {
		t.Errorf("connection lines %+v, refused %+v", evs, l.events("refused"))
	}
}

// A connection still open when the grace runs out is closed and logged as ended by the
// shutdown; one its peer closed during the grace (above) is logged as closed.
func TestTunnelShutdownGraceRunsOut(t *testing.T) {
	t.Parallel()
	pk := newPKI(t, "Grace")
	cc, ck := pk.issue(t, x509util.ProfileClient, "alice", "alice")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l, cancel, wait := runStoppable(t, ln, Options{Mode: Client, Target: echoServerTLS(t, pk), ServerName: "localhost",
		Cert: cc, Key: ck, Roots: []string{pk.rootFile}, ShutdownGrace: 100 * time.Millisecond})
	c, r := dial(t, ln.Addr().String())
	if err := roundTrip(t, c, r, "one"); err != nil {
		t.Fatal(err)
	}
	cancel()
	wait()
	if evs := l.events("connection"); len(evs) != 1 || evs[0].End != "shutdown" {
		t.Errorf("connection lines %+v", evs)
	}
	// The peer sees the transfer cut, not ended: a reset, where a close read as the end of
	// the stream (a client waiting for the rest took a short transfer for a whole one).
	wantCut(t, c, r)
}

// wantCut fails the test unless reading r to its end fails with a connection reset.
func wantCut(t *testing.T, c net.Conn, r io.Reader) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := io.Copy(io.Discard, r)
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("the peer's read after the grace ran out: %d bytes, %v; want a connection reset", n, err)
	}
}

// TestTunnelShutdownGraceRunsOutServer: on a server tunnel, a TLS client whose connection
// the stop cut read a clean end (the tunnel sent close_notify, as when the backend closes)
// and so could not tell a cut transfer from a finished one; it now reads a reset.
func TestTunnelShutdownGraceRunsOutServer(t *testing.T) {
	t.Parallel()
	pk := newPKI(t, "GraceServer")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l, cancel, wait := runStoppable(t, ln, Options{Mode: Server, Target: echoServer(t), Cert: pk.serverCert, Key: pk.serverKey,
		Roots: []string{pk.rootFile}, ShutdownGrace: 100 * time.Millisecond})
	cc, ck := pk.issue(t, x509util.ProfileClient, "alice", "alice")
	cert := pk.tlsCert(t, cc, ck)
	c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{ServerName: "localhost", RootCAs: pk.pool(), Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	if err := roundTrip(t, c, r, "one"); err != nil {
		t.Fatal(err)
	}
	cancel()
	wait()
	if evs := l.events("connection"); len(evs) != 1 || evs[0].End != "shutdown" {
		t.Errorf("connection lines %+v", evs)
	}
	wantCut(t, c, r)
}

// runStoppable runs a tunnel with opts on ln until cancel, for the tests of its stop, and
// returns its log, cancel, and wait: wait fails the test unless Run returns nil within 15 s.
func runStoppable(t *testing.T, ln net.Listener, opts Options) (l *logs, cancel context.CancelFunc, wait func()) {
	t.Helper()
	l = &logs{}
	opts.Listener, opts.Log = ln, l.add
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	done := make(chan error, 1)
	go func() { done <- Run(ctx, opts) }()
	return l, cancel, func() {
		t.Helper()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(15 * time.Second):
			t.Fatal("Run did not return")
		}
	}
}
