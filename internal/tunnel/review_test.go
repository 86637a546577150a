package tunnel

import (
	"bufio"
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
	"syscall"
	"testing"
	"time"

	"github.com/signet-pki/signet/x509util"

	"github.com/signet-pki/signet/internal/testutil"
)

// cbcSuites are the TLS 1.2 CBC suites crypto/tls still enables by default: signet's own
// audit warns of them ("weak: cbc").
func cbcSuites() []uint16 {
	return []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
		tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA}
}

// TestTunnelOnlyAEADSuites: under TLS 1.2 both sides of the tunnel agree only to ECDHE with an
// AEAD cipher. The server side refuses a client that offers CBC suites alone; the client side
// refuses a server that will speak only CBC.
func TestTunnelOnlyAEADSuites(t *testing.T) {
	t.Parallel()
	p := newPair(t, nil)
	cc, ck := p.pki.issue(t, x509util.ProfileClient, "alice", "alice2")
	cert := p.pki.tlsCert(t, cc, ck)
	dialWith := func(suites []uint16) error {
		c, err := tls.Dial("tcp", p.server, &tls.Config{ServerName: "localhost", RootCAs: p.pki.pool(),
			Certificates: []tls.Certificate{cert}, MaxVersion: tls.VersionTLS12, CipherSuites: suites})
		if err != nil {
			return err
		}
		defer c.Close()
		return roundTrip(t, c, bufio.NewReader(c), "suite")
	}
	if err := dialWith(cbcSuites()); err == nil {
		t.Error("server side: a client offering only CBC suites got through under TLS 1.2")
	}
	if err := dialWith([]uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}); err != nil {
		t.Errorf("server side: an AES-GCM client: %v", err)
	}

	// The client side in front of a TLS 1.2 server that speaks CBC only.
	scert := p.pki.tlsCert(t, p.pki.serverCert, p.pki.serverKey)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{scert},
		MaxVersion: tls.VersionTLS12, CipherSuites: cbcSuites()})
	if err != nil {
		t.Fatal(err)
	}
	testutil.ServeConns(t, ln, func(c net.Conn) {
		sc := bufio.NewScanner(c)
		for sc.Scan() {
			fmt.Fprintf(c, "echo: %s\n", sc.Text())
		}
	})
	addr, l, _, _ := start(t, Options{Mode: Client, Target: ln.Addr().String(), ServerName: "localhost", Cert: cc, Key: ck,
		Roots: []string{p.pki.rootFile}, HandshakeTimeout: 30 * time.Second})
	c, r := dial(t, addr)
	if err := roundTrip(t, c, r, "x"); err == nil {
		t.Fatal("client side: carried data over a CBC suite")
	}
	l.waitFor(t, "the refusal", func(l *logs) bool { return len(l.events("refused")) == 1 })
	if ev := l.events("refused")[0]; !strings.Contains(ev.End, "handshake failure") {
		t.Errorf("logged %+v", ev)
	}
}

// TestTunnelRefusesLongChains: a client that sends more certificates than any real chain
// needs is refused before its chain is judged (path building over hundreds of same-named
// certificates costs hundreds of milliseconds of CPU per handshake, before the client has proven
// anything); one that sends the most allowed is judged, and let in.
func TestTunnelRefusesLongChains(t *testing.T) {
	t.Parallel()
	p := newPair(t, nil)
	cc, ck := p.pki.issue(t, x509util.ProfileClient, "alice", "alice2")
	base := p.pki.tlsCert(t, cc, ck)
	withExtra := func(n int) *tls.Certificate {
		c := base
		c.Certificate = append([][]byte{}, base.Certificate...)
		for range n {
			c.Certificate = append(c.Certificate, p.pki.root.Raw)
		}
		return &c
	}
	if err := dialServer(t, p, withExtra(x509util.MaxPeerCertificates-1)); err != nil {
		t.Fatalf("a chain of %d certificates: %v", x509util.MaxPeerCertificates, err)
	}
	if err := dialServer(t, p, withExtra(x509util.MaxPeerCertificates)); err == nil {
		t.Fatalf("a chain of %d certificates was let in", x509util.MaxPeerCertificates+1)
	}
	p.slog.waitFor(t, "the refusal", func(l *logs) bool { return len(l.events("refused")) == 1 })
	want := fmt.Sprintf("peer refused: it sent %d certificates, more than the %d a chain may have here", x509util.MaxPeerCertificates+1, x509util.MaxPeerCertificates)
	if ev := p.slog.events("refused")[0]; ev.End != want || ev.Subject != "CN=alice,O=Example" {
		t.Errorf("logged %+v, want End %q", ev, want)
	}
}

// rawClient issues a certificate under p's root from the template, for a new key, and
// returns it as a TLS identity.
func (p *testPKI) rawClient(t *testing.T, tmpl *x509.Certificate) *tls.Certificate {
	t.Helper()
	k := newKey(t)
	if tmpl.SerialNumber == nil {
		tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.root, k.Public(), p.rootKey)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: k}
}

// TestTunnelServerProbes: the server side refuses, each with the engine's rule, a client
// certificate that has expired, one not yet valid, and a CA certificate (with clientAuth)
// presented as a leaf; a silent client is cut at the handshake timeout; and no session is
// resumed, in TLS 1.2 or 1.3, so every connection is judged afresh. They found no fault.
func TestTunnelServerProbes(t *testing.T) {
	t.Parallel()
	p := newPair(t, nil)
	now := time.Now()
	leaf := func(cn string, from, to time.Time, ca bool) *x509.Certificate {
		c := &x509.Certificate{Subject: pkix.Name{CommonName: cn}, NotBefore: from, NotAfter: to,
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, BasicConstraintsValid: true}
		if ca {
			c.IsCA, c.KeyUsage = true, x509.KeyUsageCertSign|x509.KeyUsageDigitalSignature
		}
		return c
	}
	if err := dialServer(t, p, p.pki.rawClient(t, leaf("good", now.Add(-time.Hour), now.Add(time.Hour), false))); err != nil {
		t.Fatalf("a valid client: %v", err)
	}
	cases := []struct {
		name string
		cert *tls.Certificate
		rule string
	}{
		{"expired", p.pki.rawClient(t, leaf("expired", now.Add(-2*time.Hour), now.Add(-time.Hour), false)), "[rfc5280.validity]"},
		{"not yet valid", p.pki.rawClient(t, leaf("future", now.Add(time.Hour), now.Add(2*time.Hour), false)), "[rfc5280.validity]"},
		{"a CA as leaf", p.pki.rawClient(t, leaf("ca", now.Add(-time.Hour), now.Add(time.Hour), true)), "[signet.leaf-is-ca]"},
	}
	for i, tc := range cases {
		if err := dialServer(t, p, tc.cert); err == nil {
			t.Errorf("%s: let in", tc.name)
		}
		p.slog.waitFor(t, tc.name+" refused", func(l *logs) bool { return len(l.events("refused")) == i+1 })
		if ev := p.slog.events("refused")[i]; !strings.HasPrefix(ev.End, "peer refused: verify: ") || !strings.HasSuffix(ev.End, tc.rule) {
			t.Errorf("%s: logged %+v, want the rule %s", tc.name, ev, tc.rule)
		}
	}

	// A client that connects and says nothing is cut at the handshake timeout (a pair of its
	// own: a short timeout would cut real handshakes on a loaded machine).
	q := newPair(t, func(s, c *Options) { s.HandshakeTimeout = 500 * time.Millisecond })
	silent, err := net.Dial("tcp", q.server)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	silent.SetReadDeadline(time.Now().Add(20 * time.Second))
	if _, err := silent.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("a silent client: read %v, want the connection closed", err)
	}

	// No resumption: a client with a session cache gets a full handshake each time.
	good := p.pki.rawClient(t, leaf("again", now.Add(-time.Hour), now.Add(time.Hour), false))
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		cfg := &tls.Config{ServerName: "localhost", RootCAs: p.pki.pool(), Certificates: []tls.Certificate{*good},
			ClientSessionCache: tls.NewLRUClientSessionCache(4), MaxVersion: v}
		for i := range 2 {
			c, err := tls.Dial("tcp", p.server, cfg)
			if err != nil {
				t.Fatalf("%s: %v", tls.VersionName(v), err)
			}
			if err := roundTrip(t, c, bufio.NewReader(c), "resume?"); err != nil {
				t.Fatalf("%s: %v", tls.VersionName(v), err)
			}
			if c.ConnectionState().DidResume {
				t.Errorf("%s: connection %d resumed a session", tls.VersionName(v), i+1)
			}
			c.Close()
		}
	}
}

// TestTunnelSilentClientsCannotFillTheLimit: on the server side, connections that never
// finish their handshake held every place under MaxConns for the handshake timeout, so that
// anyone who could reach the port could keep every client out by opening MaxConns silent
// connections every few seconds. At the limit, the oldest unfinished handshake now makes
// room for a new connection and is logged as evicted; finished (authenticated)
// connections are never evicted.
func TestTunnelSilentClientsCannotFillTheLimit(t *testing.T) {
	t.Parallel()
	p := newPair(t, func(s, c *Options) { s.MaxConns = 3; s.HandshakeTimeout = time.Minute })
	cc, ck := p.pki.issue(t, x509util.ProfileClient, "alice", "alice2")
	cert := p.pki.tlsCert(t, cc, ck)
	// One authenticated connection stays open throughout.
	held, err := tls.Dial("tcp", p.server, &tls.Config{ServerName: "localhost", RootCAs: p.pki.pool(), Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	hr := bufio.NewReader(held)
	if err := roundTrip(t, held, hr, "held"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		s, err := net.Dial("tcp", p.server)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
	}
	// Each client makes room by evicting one silent connection. (A client that finds the
	// previous one's place not yet given back, with no handshake left to evict, is refused
	// at the limit: it tries again.)
	for i := range 2 {
		deadline := time.Now().Add(20 * time.Second)
		for {
			err := dialServer(t, p, &cert)
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("client %d, the limit held by silent connections: %v", i+1, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if err := roundTrip(t, held, hr, "still here"); err != nil {
		t.Errorf("the authenticated connection: %v", err)
	}
	// The first client's place is given back when it closes, so the second may find room
	// without evicting: at least one eviction, not necessarily two.
	p.slog.waitFor(t, "an eviction", func(l *logs) bool {
		for _, ev := range l.events("refused") {
			if strings.HasPrefix(ev.End, "evicted: ") {
				return true
			}
		}
		return false
	})
}

// TestTunnelClientSideServerProbes: the client side refuses, each with the engine's rule, a
// server whose certificate is for clientAuth only, has expired, or is a CA certificate, all
// under the trusted root and for the right name. They found no fault.
func TestTunnelClientSideServerProbes(t *testing.T) {
	t.Parallel()
	p := newPKI(t, "Probe")
	cc, ck := p.issue(t, x509util.ProfileClient, "alice", "alice")
	now := time.Now()
	server := func(tmpl *x509.Certificate) string {
		c := p.rawClient(t, tmpl)
		ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{*c}})
		if err != nil {
			t.Fatal(err)
		}
		testutil.ServeConns(t, ln, func(c net.Conn) {
			c.SetDeadline(time.Now().Add(30 * time.Second))
			c.(*tls.Conn).Handshake()
		})
		return ln.Addr().String()
	}
	base := func(eku x509.ExtKeyUsage, from, to time.Time, ca bool) *x509.Certificate {
		c := &x509.Certificate{Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"}, NotBefore: from, NotAfter: to,
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{eku}, BasicConstraintsValid: true, IsCA: ca}
		if ca {
			c.KeyUsage |= x509.KeyUsageCertSign
		}
		return c
	}
	for _, tc := range []struct {
		name string
		cert *x509.Certificate
		rule string
	}{
		{"clientAuth only", base(x509.ExtKeyUsageClientAuth, now.Add(-time.Hour), now.Add(time.Hour), false), "[rfc5280.eku]"},
		{"expired", base(x509.ExtKeyUsageServerAuth, now.Add(-2*time.Hour), now.Add(-time.Hour), false), "[rfc5280.validity]"},
		{"a CA as leaf", base(x509.ExtKeyUsageServerAuth, now.Add(-time.Hour), now.Add(time.Hour), true), "[signet.leaf-is-ca]"},
	} {
		addr, l, _, _ := start(t, Options{Mode: Client, Target: server(tc.cert), ServerName: "localhost", Cert: cc, Key: ck,
			Roots: []string{p.rootFile}, HandshakeTimeout: 30 * time.Second})
		c, r := dial(t, addr)
		if err := roundTrip(t, c, r, "x"); err == nil {
			t.Errorf("%s: carried data", tc.name)
		}
		l.waitFor(t, tc.name+" refused", func(l *logs) bool { return len(l.events("refused")) == 1 })
		if ev := l.events("refused")[0]; !strings.HasPrefix(ev.End, "peer refused: verify: ") || !strings.HasSuffix(ev.End, tc.rule) {
			t.Errorf("%s: logged %+v, want the rule %s", tc.name, ev, tc.rule)
		}
	}
}
