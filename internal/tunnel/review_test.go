package tunnel

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/x509util"
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
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				sc := bufio.NewScanner(c)
				for sc.Scan() {
					fmt.Fprintf(c, "echo: %s\n", sc.Text())
				}
			}()
		}
	}()
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
	if err := dialServer(t, p, withExtra(maxPeerCertificates-1)); err != nil {
		t.Fatalf("a chain of %d certificates: %v", maxPeerCertificates, err)
	}
	if err := dialServer(t, p, withExtra(maxPeerCertificates)); err == nil {
		t.Fatalf("a chain of %d certificates was let in", maxPeerCertificates+1)
	}
	p.slog.waitFor(t, "the refusal", func(l *logs) bool { return len(l.events("refused")) == 1 })
	want := fmt.Sprintf("peer refused: it sent %d certificates, more than the %d a chain may have here", maxPeerCertificates+1, maxPeerCertificates)
	if ev := p.slog.events("refused")[0]; ev.End != want || ev.Subject != "CN=alice,O=Example" {
		t.Errorf("logged %+v, want End %q", ev, want)
	}
}
