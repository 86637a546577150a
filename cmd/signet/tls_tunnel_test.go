package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/x509util"
)

// These tests run signet tls tunnel as real processes (the test binary is signet in PATH, see
// TestMain), in front of a real redis-server, against redis-cli and stunnel4.

// syncBuffer is a process's output, read while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// waitOutput polls out until it contains want (the process writes it when an event happens).
func waitOutput(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in:\n%s", want, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitPort waits until addr accepts connections.
func waitPort(t *testing.T, addr string, out *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on %s: %v\n%s", addr, err, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// tunnelProc is a signet tls tunnel running as a process.
type tunnelProc struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	addr string
	done chan error
}

// startTunnel runs `signet tls tunnel ARGS --listen 127.0.0.1:0 --addr-file F` until the test
// ends (then SIGTERM) and returns once it listens.
func startTunnel(t *testing.T, args ...string) *tunnelProc {
	t.Helper()
	bin := testutil.RequireTool(t, "signet")
	addrFile := filepath.Join(t.TempDir(), "addr")
	cmd := exec.Command(bin, append([]string{"tls", "tunnel", "--listen", "127.0.0.1:0", "--addr-file", addrFile}, args...)...)
	cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
	p := &tunnelProc{cmd: cmd, out: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("signet tls tunnel %s said:\n%s", strings.Join(args, " "), p.out.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if b, err := os.ReadFile(addrFile); err == nil && len(b) > 0 {
			p.addr = strings.TrimSpace(string(b))
			return p
		}
		select {
		case err := <-p.done:
			t.Fatalf("signet tls tunnel exited: %v\n%s", err, p.out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("signet tls tunnel did not start:\n%s", p.out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends SIGTERM and returns the exit code.
func (p *tunnelProc) stop(t *testing.T) int {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err // for the cleanup
		return testutil.ExitCode(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("signet tls tunnel did not stop on SIGTERM")
	}
	return -1
}

// startRedis runs a redis-server on loopback, without persistence, until the test ends.
func startRedis(t *testing.T) string {
	t.Helper()
	bin := testutil.RequireTool(t, "redis-server")
	addr := freePort(t)
	_, port, _ := net.SplitHostPort(addr)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", t.TempDir(), "--maxclients", "1000")
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	waitPort(t, addr, out)
	return addr
}

// redisCLI runs redis-cli against addr and returns its output, trimmed.
func redisCLI(t *testing.T, addr string, args ...string) string {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	out, errOut, err := testutil.RunErr(testutil.RequireTool(t, "redis-cli"), append([]string{"-h", host, "-p", port}, args...)...)
	if err != nil {
		t.Fatalf("redis-cli %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
	}
	return strings.TrimSpace(string(out))
}

// redisInline sends one inline command on an open connection and returns the reply line.
func redisInline(c net.Conn, r *bufio.Reader, cmd string) (string, error) {
	c.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := fmt.Fprintf(c, "%s\r\n", cmd); err != nil {
		return "", err
	}
	line, err := r.ReadString('\n')
	return strings.TrimSpace(line), err
}

// testCA is a root made by the test, writing what it issues to files.
type testCA struct {
	dir      string
	cert     *x509.Certificate
	key      crypto.Signer
	certFile string
}

func newTestCA(t *testing.T, cn string) *testCA {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	iss, err := x509util.IssueCertificate(x509util.IssueRequest{Profile: x509util.ProfileRootCA, Subject: pkix.Name{CommonName: cn}, PublicKey: k.Public(), IssuerKey: k})
	if err != nil {
		t.Fatal(err)
	}
	ca := &testCA{dir: t.TempDir(), cert: iss.Certificate, key: k}
	ca.certFile = writePEMFile(t, filepath.Join(ca.dir, "ca.pem"), "CERTIFICATE", iss.Certificate.Raw)
	return ca
}

func writePEMFile(t *testing.T, path, typ string, der []byte) string {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// client issues a client certificate and key, written to NAME.pem and NAME.key.
func (ca *testCA) client(t *testing.T, name string) (cert *x509.Certificate, certFile, keyFile string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	iss, err := x509util.IssueCertificate(x509util.IssueRequest{Profile: x509util.ProfileClient, Subject: pkix.Name{CommonName: name, Organization: []string{"Example"}},
		PublicKey: k.Public(), Issuer: ca.cert, IssuerKey: ca.key})
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return iss.Certificate, writePEMFile(t, filepath.Join(ca.dir, name+".pem"), "CERTIFICATE", iss.Certificate.Raw),
		writePEMFile(t, filepath.Join(ca.dir, name+".key"), "PRIVATE KEY", der)
}

// crl writes a CRL revoking certs.
func (ca *testCA) crl(t *testing.T, certs ...*x509.Certificate) string {
	t.Helper()
	var revoked []x509.RevocationListEntry
	for _, c := range certs {
		revoked = append(revoked, x509.RevocationListEntry{SerialNumber: c.SerialNumber, RevocationTime: time.Now().Add(-time.Hour)})
	}
	der, _, err := x509util.CreateCRL(x509util.CRLRequest{Issuer: ca.cert, IssuerKey: ca.key, Revoked: revoked, Number: big.NewInt(1),
		ThisUpdate: time.Now().Add(-time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	return writePEMFile(t, filepath.Join(ca.dir, "ca.crl"), "X509 CRL", der)
}

// copyFile copies src to a new file in dir and returns its path.
func copyFile(t *testing.T, src, dir string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, filepath.Base(src))
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dst
}

// jsonEvents parses the JSON log lines of a tunnel.
func jsonEvents(t *testing.T, out string) []map[string]any {
	t.Helper()
	var evs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		evs = append(evs, ev)
	}
	return evs
}

// dialTLS connects to a server tunnel with cert (nil: none) and tries one PING; a refused
// client fails at the handshake or at the first read.
func dialTLS(addr string, cert *tls.Certificate, roots *x509.CertPool) (*tls.Conn, error) {
	cfg := &tls.Config{ServerName: "www.example.com", RootCAs: roots}
	if cert != nil {
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
	}
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addr, cfg)
	if err != nil {
		return nil, err
	}
	if reply, err := redisInline(c, bufio.NewReader(c), "PING"); err != nil || reply != "+PONG" {
		c.Close()
		return nil, fmt.Errorf("PING: %q, %v", reply, err)
	}
	return c, nil
}

func fixtureRoots(t *testing.T) *x509.CertPool {
	t.Helper()
	roots, err := x509util.LoadCertificates(fixturePKI(t, "root-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(roots[0])
	return pool
}

// TestTunnelRedisTokenKey is issue 13's story: redis behind a server-side tunnel, redis-cli
// through a client-side tunnel whose key is on a SoftHSM2 token. It runs signet enroll in
// process with SOFTHSM2_CONF set, so it does not run in parallel.
func TestTunnelRedisTokenKey(t *testing.T) {
	newSoftHSM(t, "alice")
	testutil.RequireTool(t, "redis-cli")
	mustSignet(t, "enroll", "--token", "pkcs11:token=alice;object=client", "--type", "ec-p256", "--subject", "CN=alice,O=Example",
		"--ca", fixturePKI(t, "int-ca.pem"), "--ca-key", fixturePKI(t, "int-ca.key"))
	redis := startRedis(t)

	// A second CA whose CRL revokes one of its clients, and a CA the server does not trust.
	other, foreign := newTestCA(t, "Other CA"), newTestCA(t, "Foreign CA")
	revoked, revokedCert, revokedKey := other.client(t, "revoked")
	_, goodOtherCert, goodOtherKey := other.client(t, "carol")
	_, foreignCert, foreignKey := foreign.client(t, "mallory")
	crl := other.crl(t, revoked)

	dir := t.TempDir()
	srvCert, srvKey := copyFile(t, fixturePKI(t, "server-chain.pem"), dir), copyFile(t, fixturePKI(t, "server.key"), dir)
	srv := startTunnel(t, "--tls", "--forward", redis, "--cert", srvCert, "--key", srvKey,
		"--client-roots", fixturePKI(t, "root-ca.pem"), "--client-roots", other.certFile, "--intermediates", fixturePKI(t, "int-ca.pem"),
		"--crl", crl, "--json")
	cli := startTunnel(t, "--connect", srv.addr, "--host", "www.example.com", "--key", "pkcs11:token=alice;object=client",
		"--roots", fixturePKI(t, "root-ca.pem"))

	if got := redisCLI(t, cli.addr, "SET", "greeting", "hello over mutual TLS"); got != "OK" {
		t.Fatalf("SET: %q", got)
	}
	if got := redisCLI(t, cli.addr, "GET", "greeting"); got != "hello over mutual TLS" {
		t.Fatalf("GET: %q", got)
	}
	waitOutput(t, srv.out, `"subject":"CN=alice,O=Example"`)
	for _, ev := range jsonEvents(t, srv.out.String()) {
		if ev["event"] == "connection" && (ev["bytes_in"].(float64) == 0 || ev["bytes_out"].(float64) == 0 || ev["protocol"] != "TLS 1.3" || ev["end"] != "closed") {
			t.Errorf("server log line %v", ev)
		}
	}

	// Refused: no certificate, a foreign one, a revoked one. A good one of the other CA passes.
	roots := fixtureRoots(t)
	load := func(c, k string) *tls.Certificate {
		kp, err := tls.LoadX509KeyPair(c, k)
		if err != nil {
			t.Fatal(err)
		}
		return &kp
	}
	if c, err := dialTLS(srv.addr, load(goodOtherCert, goodOtherKey), roots); err != nil {
		t.Fatalf("carol, of the other CA, not revoked: %v", err)
	} else {
		c.Close()
	}
	for _, c := range []struct {
		name string
		cert *tls.Certificate
		why  string
	}{
		{"no certificate", nil, "didn't provide a certificate"},
		{"foreign", load(foreignCert, foreignKey), "no chain to a trusted root"},
		{"revoked", load(revokedCert, revokedKey), "[rfc5280.revoked]"},
	} {
		if conn, err := dialTLS(srv.addr, c.cert, roots); err == nil {
			conn.Close()
			t.Errorf("%s: let in", c.name)
		}
		waitOutput(t, srv.out, c.why)
	}

	// 100 connections open at once through the tunnel pair, each handshake signed on the
	// token through its session pool.
	const n = 100
	var wg, opened sync.WaitGroup
	errs := make(chan error, 2*n)
	release := make(chan struct{})
	opened.Add(n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", cli.addr, 10*time.Second)
			if err != nil {
				opened.Done()
				errs <- err
				return
			}
			defer c.Close()
			r := bufio.NewReader(c)
			reply, err := redisInline(c, r, fmt.Sprintf("SET k%d v%d", i, i))
			opened.Done()
			if err != nil || reply != "+OK" {
				errs <- fmt.Errorf("connection %d: SET: %q, %v", i, reply, err)
				return
			}
			<-release
			if reply, err := redisInline(c, r, fmt.Sprintf("GET k%d", i)); err != nil || reply != "$"+fmt.Sprint(len(fmt.Sprint("v", i))) {
				errs <- fmt.Errorf("connection %d: GET: %q, %v", i, reply, err)
			}
		}()
	}
	opened.Wait()
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// SIGHUP: a renewed server certificate (same key) is served to new connections, while a
	// connection opened before keeps working.
	keep, err := net.Dial("tcp", cli.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer keep.Close()
	keepR := bufio.NewReader(keep)
	if reply, err := redisInline(keep, keepR, "SET kept before"); err != nil || reply != "+OK" {
		t.Fatalf("before the renewal: %q %v", reply, err)
	}
	renewed := renewServerCert(t, srvCert)
	srv.cmd.Process.Signal(syscall.SIGHUP)
	waitOutput(t, srv.out, `"event":"reloaded"`)
	if reply, err := redisInline(keep, keepR, "GET kept"); err != nil || reply != "$6" {
		t.Fatalf("the connection open across the reload: %q %v", reply, err)
	}
	if got := redisCLI(t, cli.addr, "GET", "greeting"); got != "hello over mutual TLS" {
		t.Fatalf("GET after the renewal: %q", got)
	}
	c, err := dialTLS(srv.addr, load(goodOtherCert, goodOtherKey), roots)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.ConnectionState().PeerCertificates[0]; !got.Equal(renewed) {
		t.Errorf("after SIGHUP the server still presents serial %s", got.SerialNumber)
	}
	c.Close()

	if code := cli.stop(t); code != 0 {
		t.Errorf("client tunnel: exit %d", code)
	}
	if code := srv.stop(t); code != 0 {
		t.Errorf("server tunnel: exit %d", code)
	}
	if !strings.Contains(cli.out.String(), "signet: stopped") || !strings.Contains(srv.out.String(), `"event":"stopped"`) {
		t.Errorf("no clean stop:\n%s\n%s", cli.out.String(), srv.out.String())
	}
}

// renewServerCert replaces the chain file with a new certificate for the fixture server key,
// issued by the fixture intermediate, and returns it.
func renewServerCert(t *testing.T, chainFile string) *x509.Certificate {
	t.Helper()
	ints, err := x509util.LoadCertificateFile(fixturePKI(t, "int-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	intKey := loadFixtureKey(t, "int-ca.key")
	srvKey := loadFixtureKey(t, "server.key")
	iss, err := x509util.IssueCertificate(x509util.IssueRequest{Profile: x509util.ProfileServer, Subject: pkix.Name{CommonName: "server.example.com", Organization: []string{"Signet Test"}},
		PublicKey: srvKey.Public(), DNSNames: []string{"server.example.com", "www.example.com"}, Issuer: ints[0], IssuerKey: intKey})
	if err != nil {
		t.Fatal(err)
	}
	chain := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: iss.Certificate.Raw})
	chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ints[0].Raw})...)
	if err := os.WriteFile(chainFile, chain, 0o600); err != nil {
		t.Fatal(err)
	}
	return iss.Certificate
}

func loadFixtureKey(t *testing.T, name string) crypto.Signer {
	t.Helper()
	b, err := os.ReadFile(fixturePKI(t, name))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(crypto.Signer)
}

// stunnel runs stunnel4 with the configuration lines given (service section included) until
// the test ends; it waits for addr to accept.
func stunnel(t *testing.T, addr string, conf ...string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "stunnel.conf")
	text := "foreground = yes\npid =\ndebug = notice\n" + strings.Join(conf, "\n") + "\n"
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	waitPort(t, addr, tnRun(t, "stunnel4", file))
}

// TestTunnelStunnelInterop: signet's client side against a stunnel4 server, and a stunnel4
// client against signet's server side, redis behind both.
func TestTunnelStunnelInterop(t *testing.T) {
	t.Parallel()
	redis := startRedis(t)
	dir := t.TempDir()
	clientChain := filepath.Join(dir, "client-chain.pem")
	var chain []byte
	for _, f := range []string{"client.pem", "int-ca.pem"} {
		b, err := os.ReadFile(fixturePKI(t, f))
		if err != nil {
			t.Fatal(err)
		}
		chain = append(chain, b...)
	}
	if err := os.WriteFile(clientChain, chain, 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("signet client, stunnel server", func(t *testing.T) {
		addr := freePort(t)
		stunnel(t, addr, "[redis]", "accept = "+addr, "connect = "+redis,
			"cert = "+fixturePKI(t, "server-chain.pem"), "key = "+fixturePKI(t, "server.key"),
			"CAfile = "+fixturePKI(t, "root-ca.pem"), "verifyChain = yes", "requireCert = yes")
		cli := startTunnel(t, "--connect", addr, "--host", "www.example.com", "--cert", clientChain, "--key", fixturePKI(t, "client.key"),
			"--roots", fixturePKI(t, "root-ca.pem"))
		if got := redisCLI(t, cli.addr, "SET", "via", "stunnel server"); got != "OK" {
			t.Fatalf("SET: %q", got)
		}
		if got := redisCLI(t, cli.addr, "GET", "via"); got != "stunnel server" {
			t.Fatalf("GET: %q", got)
		}
		waitOutput(t, cli.out, "CN=server.example.com,O=Signet Test")
	})
	t.Run("stunnel client, signet server", func(t *testing.T) {
		srv := startTunnel(t, "--tls", "--forward", redis, "--cert", fixturePKI(t, "server-chain.pem"), "--key", fixturePKI(t, "server.key"),
			"--client-roots", fixturePKI(t, "root-ca.pem"))
		addr := freePort(t)
		stunnel(t, addr, "[redis]", "client = yes", "accept = "+addr, "connect = "+srv.addr,
			"cert = "+clientChain, "key = "+fixturePKI(t, "client.key"),
			"CAfile = "+fixturePKI(t, "root-ca.pem"), "verifyChain = yes", "checkHost = www.example.com")
		if got := redisCLI(t, addr, "SET", "via", "stunnel client"); got != "OK" {
			t.Fatalf("SET: %q", got)
		}
		if got := redisCLI(t, addr, "GET", "via"); got != "stunnel client" {
			t.Fatalf("GET: %q", got)
		}
		waitOutput(t, srv.out, "connection 127.0.0.1:")
		waitOutput(t, srv.out, "CN=Signet Test Client,O=Signet Test")
	})
}
