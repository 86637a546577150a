package tlsprobe

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/signet-pki/signet/internal/connlimit"
	"github.com/signet-pki/signet/x509util"
)

// ServeOptions configures the mutual-TLS test server.
type ServeOptions struct {
	// Listener is where to accept connections; the caller owns its address.
	Listener net.Listener
	// Certificate is the server's certificate chain and key (the key may be on a token).
	Certificate tls.Certificate
	// ClientCAs are the CA names sent in the certificate request, so that a client can pick
	// its certificate; nil names none. They only name: VerifyClient judges.
	ClientCAs *x509.CertPool
	// VerifyClient judges every client certificate chain. Nil means crypto/x509's verdict: a
	// chain to ClientCAs (nil: the system roots) for clientAuth, with the certificates the
	// client sent as intermediates, as crypto/tls would judge it.
	VerifyClient ClientVerifier
	// RequireClientCert refuses clients without a certificate; otherwise a certificate is
	// asked for and verified when given.
	RequireClientCert bool
	// MinVersion zero means TLS 1.2; MaxVersion zero means TLS 1.3.
	MinVersion, MaxVersion uint16
	// Log receives one line per event (connection, client certificate, result).
	Log func(format string, args ...any)
	// HandshakeTimeout bounds each client's handshake; zero means 10 seconds.
	HandshakeTimeout time.Duration
	// MaxConns bounds the connections served at once; one more first makes room by closing
	// the oldest connection still in its handshake, if any, or else is closed at once and
	// logged. Zero means 512.
	MaxConns int
}

// ClientVerifier judges a client's chain, leaf first and as the client sent it. A non-nil
// error refuses the client: the handshake ends with the bad_certificate alert (the only
// reason TLS lets a server give for a refused certificate) and the log line carries the
// error's text, which should say in one line what is wrong or missing.
type ClientVerifier func(chain []*x509.Certificate) error

// Serve accepts connections until ctx is done, then closes the listener, waits for the
// connections being served, and returns nil. Each client gets a one-line greeting naming the
// certificate it presented. A connection accepted before ctx is done is served to its end:
// ctx stops new connections, not handshakes in flight, which are bounded by their own timeout
// (an interrupt that cut them would log as failed a handshake that the client saw succeed).
func Serve(ctx context.Context, opts ServeOptions) error {
	verifyClient := opts.VerifyClient
	if verifyClient == nil {
		verifyClient = x509Verifier(opts.ClientCAs)
	}
	logf := opts.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	// crypto/tls only collects the client's certificates; VerifyClient judges them, in
	// VerifyConnection, which also runs when a session is resumed.
	auth := tls.RequestClientCert
	if opts.RequireClientCert {
		auth = tls.RequireAnyClientCert
	}
	min := opts.MinVersion
	if min == 0 {
		min = tls.VersionTLS12
	}
	timeout := opts.HandshakeTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	cfg := &tls.Config{
		Certificates: []tls.Certificate{opts.Certificate},
		ClientAuth:   auth,
		ClientCAs:    opts.ClientCAs,
		MinVersion:   min,
		MaxVersion:   opts.MaxVersion,
		CipherSuites: aeadSuites(),
	}
	// Each connection gets a clone of cfg (serveConn); one session ticket key, set here, is
	// shared by the clones, so that a session from one connection resumes on the next (each
	// clone would otherwise draw its own key). Resumed sessions are judged again by
	// VerifyConnection.
	var ticketKey [32]byte
	if _, err := rand.Read(ticketKey[:]); err != nil {
		return fmt.Errorf("tlsprobe: session ticket key: %w", err)
	}
	cfg.SetSessionTicketKeys([][32]byte{ticketKey})
	ln := opts.Listener
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	limit := connlimit.New(opts.MaxConns)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			// Out of file descriptors, say, which a burst of clients can cause: the server
			// goes on once connections have closed, instead of ending.
			logf("accept: %v", err)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(50 * time.Millisecond):
			}
			continue
		}
		if !limit.Admit(c, true) {
			logf("%s: refused: %d connections open (the limit)", c.RemoteAddr(), limit.Max())
			c.Close()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer limit.Release()
			serveConn(ctx, c, cfg, verifyClient, timeout, logf, limit)
		}()
	}
}

// aeadSuites are the TLS 1.2 suites Serve agrees to: ECDHE with AES-GCM or ChaCha20-Poly1305.
// crypto/tls's defaults also take ECDHE with AES-CBC and HMAC-SHA1, which signet's own audit
// reports as weak (cbc); TLS 1.3's suites are all AEAD and not configurable.
func aeadSuites() []uint16 {
	return []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	}
}

// x509Verifier is the default ClientVerifier: crypto/x509's path validation under roots.
func x509Verifier(roots *x509.CertPool) ClientVerifier {
	return func(chain []*x509.Certificate) error {
		inter := x509.NewCertPool()
		for _, c := range chain[1:] {
			inter.AddCert(c)
		}
		_, err := chain[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
		return err
	}
}

// serveConn does one client's handshake, with the client judged by verifyClient, and greets
// it. The verdict is kept beside the connection rather than read from the handshake's error:
// a handshake interrupted by ctx reports the interruption, even after a refusal.
func serveConn(ctx context.Context, raw net.Conn, base *tls.Config, verifyClient ClientVerifier, timeout time.Duration, logf func(string, ...any), limit *connlimit.Limit) {
	var rejected string // the client's subject and VerifyClient's verdict, once refused
	cfg := base.Clone()
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return nil // refused by crypto/tls already when one is required
		}
		// More certificates than a chain needs (x509util.MaxPeerCertificates) are refused
		// before they are judged.
		err := x509util.CheckPeerChainLength(len(cs.PeerCertificates))
		if err == nil {
			err = verifyClient(cs.PeerCertificates)
		}
		if err != nil {
			// crypto/tls calls VerifyConnection before the client's CertificateVerify: anyone
			// holding a copy of a certificate (they are public) may present it, so the log
			// does not say the client is that subject.
			rejected = "client presenting " + x509util.FormatName(cs.PeerCertificates[0].Subject) + " (its key not proven) rejected: " + err.Error()
			return err
		}
		return nil
	}
	conn := tls.Server(raw, cfg)
	defer conn.Close()
	peer := conn.RemoteAddr().String()
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	err := conn.HandshakeContext(hctx)
	if limit.HandshakeDone(raw) {
		logf("%s: evicted: its handshake was the oldest unfinished one when a connection came at the limit", peer)
		return
	}
	if err != nil {
		if rejected != "" {
			logf("%s: %s", peer, rejected)
			return
		}
		logf("%s: handshake failed: %v", peer, err)
		return
	}
	st := conn.ConnectionState()
	// The client's subject is printed in the log and sent back: escaped, so that it can forge
	// no line of either.
	who := "no client certificate"
	if len(st.PeerCertificates) > 0 {
		who = "client certificate " + x509util.FormatName(st.PeerCertificates[0].Subject) + " (verified)"
	}
	logf("%s: %s %s, %s", peer, tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite), who)
	conn.SetWriteDeadline(time.Now().Add(timeout))
	greeting := "hello, anonymous client\n"
	if len(st.PeerCertificates) > 0 {
		greeting = "hello, " + x509util.FormatName(st.PeerCertificates[0].Subject) + "\n"
	}
	if _, err := io.WriteString(conn, greeting); err != nil {
		logf("%s: write: %v", peer, err)
	}
}
