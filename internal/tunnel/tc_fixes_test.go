package tunnel

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/x509util"
)

// TestTunnelServerRefusesClientKeyUsageWithoutDigitalSignature: the server side refuses a
// client certificate whose key usage does not allow signatures (keyEncipherment alone,
// keyAgreement alone): the client proves its key by signing the handshake, which such a
// certificate forbids (RFC 8446 4.4.2.2, RFC 5280 4.2.1.3). It let them in, as tls serve
// did (the TLS client-certificate campaign found it there); one with digitalSignature or
// without the extension is let in.
func TestTunnelServerRefusesClientKeyUsageWithoutDigitalSignature(t *testing.T) {
	t.Parallel()
	p := newPair(t, nil)
	now := time.Now()
	leaf := func(cn string, ku x509.KeyUsage) *x509.Certificate {
		return &x509.Certificate{Subject: pkix.Name{CommonName: cn}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
			KeyUsage: ku, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, BasicConstraintsValid: true}
	}
	for _, cn := range []string{"signs", "unrestricted"} {
		ku := map[string]x509.KeyUsage{"signs": x509.KeyUsageDigitalSignature}[cn]
		if err := dialServer(t, p, p.pki.rawClient(t, leaf(cn, ku))); err != nil {
			t.Fatalf("%s: %v", cn, err)
		}
	}
	for i, ku := range []x509.KeyUsage{x509.KeyUsageKeyEncipherment, x509.KeyUsageKeyAgreement} {
		if err := dialServer(t, p, p.pki.rawClient(t, leaf("nosign", ku))); err == nil {
			t.Errorf("key usage %v: let in", ku)
		}
		p.slog.waitFor(t, "the refusal", func(l *logs) bool { return len(l.events("refused")) == i+1 })
		if ev := p.slog.events("refused")[i]; !strings.HasSuffix(ev.End, "without digitalSignature [rfc5280.key-usage]") {
			t.Errorf("key usage %v: logged %+v, want the key-usage rule", ku, ev)
		}
	}
}

// TestTunnelClientSideRefusesServerKeyUsageWithoutDigitalSignature: the client side refuses
// a server whose certificate's key usage does not allow signatures: the server signs the
// handshake (the tunnel offers only ECDHE suites), which such a certificate forbids (RFC 8446
// 4.4.2.2, RFC 5246 7.4.2, RFC 8422 5.3). crypto/tls's server signs all the same, and the
// tunnel carried data to it, as tls check trusted such a server (the TLS client-certificate
// campaign found that, seed 461).
func TestTunnelClientSideRefusesServerKeyUsageWithoutDigitalSignature(t *testing.T) {
	t.Parallel()
	p := newPKI(t, "KeyUsage")
	cc, ck := p.issue(t, x509util.ProfileClient, "alice", "alice")
	now := time.Now()
	for _, tc := range []struct {
		ku    x509.KeyUsage
		carry bool
	}{
		{x509.KeyUsageDigitalSignature, true},
		{0, true},
		{x509.KeyUsageKeyAgreement, false},
		{x509.KeyUsageKeyEncipherment, false},
	} {
		cert := p.rawClient(t, &x509.Certificate{Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), KeyUsage: tc.ku,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true})
		ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{*cert}})
		if err != nil {
			t.Fatal(err)
		}
		testutil.ServeConns(t, ln, func(c net.Conn) {
			c.SetDeadline(time.Now().Add(30 * time.Second))
			if line, err := bufio.NewReader(c).ReadString('\n'); err == nil {
				io.WriteString(c, "echo: "+line)
			}
		})
		addr, l, _, _ := start(t, Options{Mode: Client, Target: ln.Addr().String(), ServerName: "localhost", Cert: cc, Key: ck,
			Roots: []string{p.rootFile}, HandshakeTimeout: 30 * time.Second})
		c, r := dial(t, addr)
		if err := roundTrip(t, c, r, "x"); (err == nil) != tc.carry {
			t.Errorf("key usage %v: carried data %v, want %v", tc.ku, err == nil, tc.carry)
		}
		if tc.carry {
			continue
		}
		l.waitFor(t, "the refusal", func(l *logs) bool { return len(l.events("refused")) == 1 })
		if ev := l.events("refused")[0]; !strings.HasSuffix(ev.End, "without digitalSignature [rfc5280.key-usage]") {
			t.Errorf("key usage %v: logged %+v, want the key-usage rule", tc.ku, ev)
		}
	}
}
