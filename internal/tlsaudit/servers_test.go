package tlsaudit

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
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
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// pki is a file of the fixture PKI (testdata/pki).
func pki(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "pki", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// freeAddr is an address on 127.0.0.1 whose port is the test's (testutil.ReservePort) for a
// peer server to listen on. It was a port free a moment ago, which another test's listener
// could take before the server bound it: the server found it in use (startServer then tried
// again, after waiting its whole 10 s deadline), or the test talked to the other test's
// server if it spoke TLS.
func freeAddr(t *testing.T) string {
	t.Helper()
	return testutil.ReservePort(t)
}

// lockedBuffer collects a server's output.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// speaksTLS reports whether what listens on addr answers a ClientHello with TLS: a
// handshake, or a TLS-level refusal (an alert, a version Go will not take).
func speaksTLS(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	err = tls.Client(c, &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS10}).Handshake()
	var rh tls.RecordHeaderError
	var ne net.Error
	return err == nil || !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) && !errors.As(err, &rh) && !(errors.As(err, &ne) && ne.Timeout())
}

// startServer runs a peer server (openssl s_server, gnutls-serv) until the test ends and
// returns its address once it accepts connections.
func startServer(t *testing.T, tool string, args func(addr string) []string) string {
	t.Helper()
	path := testutil.RequireTool(t, tool)
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, path, args(addr)...)
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	stdin, err := cmd.StdinPipe() // s_server stops at the end of its input
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		stdin.Close()
		cancel()
		<-done
		if t.Failed() {
			t.Logf("%s said:\n%s", tool, out.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			t.Fatalf("%s exited: %s", tool, out.String())
		default:
		}
		if speaksTLS(addr) {
			return addr
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not start listening on %s: %s", tool, addr, out.String())
	return ""
}

// sServer starts openssl s_server with the fixture server certificate and extra flags.
func sServer(t *testing.T, flags ...string) string {
	t.Helper()
	return startServer(t, "openssl", func(addr string) []string {
		return append([]string{"s_server", "-accept", addr, "-cert", pki(t, "server.pem"), "-cert_chain", pki(t, "int-ca.pem"),
			"-key", pki(t, "server.key"), "-quiet"}, flags...)
	})
}

// gnutlsServ starts gnutls-serv with the fixture server certificate and a priority string.
func gnutlsServ(t *testing.T, priority string, flags ...string) string {
	t.Helper()
	return gnutlsServCert(t, "server", priority, flags...)
}

// gnutlsServCert starts gnutls-serv with the fixture certificate NAME.pem (and NAME.key).
func gnutlsServCert(t *testing.T, name, priority string, flags ...string) string {
	t.Helper()
	return startServer(t, "gnutls-serv", func(addr string) []string {
		_, port, _ := net.SplitHostPort(addr)
		chain := filepath.Join(t.TempDir(), "chain.pem")
		leaf, _ := os.ReadFile(pki(t, name+".pem"))
		inter, _ := os.ReadFile(pki(t, "int-ca.pem"))
		if err := os.WriteFile(chain, append(leaf, inter...), 0o644); err != nil {
			t.Fatal(err)
		}
		return append([]string{"--port", port, "--x509certfile", chain, "--x509keyfile", pki(t, name+".key"),
			"--priority", priority, "--echo", "--quiet"}, flags...)
	})
}

func fixturePolicy(t *testing.T) verify.Policy {
	t.Helper()
	roots, err := x509util.LoadCertificates(pki(t, "root-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return verify.Policy{Roots: roots}
}

func runAudit(t *testing.T, addr string, mod ...func(*Options)) *Report {
	t.Helper()
	opts := Options{Addr: addr, ServerName: "www.example.com", Policy: fixturePolicy(t), Timeout: 3 * time.Second}
	for _, m := range mod {
		m(&opts)
	}
	rep, err := Audit(context.Background(), opts)
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	return rep
}

// auditGoServer audits a crypto/tls server on 127.0.0.1 serving cert, which completes each
// handshake and nothing more (crypto/tls serves any certificate it is given, whatever its key
// usage or names), with a timeout long enough for a loaded machine.
func auditGoServer(t *testing.T, cert tls.Certificate) *Report {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	testutil.ServeConns(t, ln, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(30 * time.Second))
		c.(*tls.Conn).Handshake()
	})
	return runAudit(t, ln.Addr().String(), func(o *Options) { o.Timeout = 20 * time.Second })
}

// finding returns the findings of an area whose subject contains subject.
func findings(rep *Report, area, subject string) []Finding {
	var out []Finding
	for _, f := range rep.Findings {
		if f.Area == area && strings.Contains(f.Subject, subject) {
			out = append(out, f)
		}
	}
	return out
}

// verdictOf is the verdict of the one finding of area about subject; "" when none.
func verdictOf(t *testing.T, rep *Report, area, subject string) Verdict {
	t.Helper()
	fs := findings(rep, area, subject)
	if len(fs) != 1 {
		t.Fatalf("%d findings for %s %q, want 1:\n%s", len(fs), area, subject, dump(rep))
	}
	return fs[0].Verdict
}

func dump(rep *Report) string {
	var b strings.Builder
	for _, f := range rep.Findings {
		b.WriteString(string(f.Verdict) + "\t" + f.Area + "\t" + f.Subject + ": " + f.Detail + "\n")
	}
	return b.String()
}
