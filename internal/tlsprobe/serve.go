package tlsprobe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/signet-pki/signet/x509util"
)

// ServeOptions configures the mutual-TLS test server.
type ServeOptions struct {
	// Listener is where to accept connections; the caller owns its address.
	Listener net.Listener
	// Certificate is the server's certificate chain and key (the key may be on a token).
	Certificate tls.Certificate
	// ClientCAs are the roots client certificates must chain to.
	ClientCAs *x509.CertPool
	// RequireClientCert refuses clients without a valid certificate; otherwise a certificate
	// is asked for and verified when given.
	RequireClientCert bool
	// MinVersion zero means TLS 1.2; MaxVersion zero means TLS 1.3.
	MinVersion, MaxVersion uint16
	// Log receives one line per event (connection, client certificate, result).
	Log func(format string, args ...any)
	// HandshakeTimeout bounds each client's handshake; zero means 10 seconds.
	HandshakeTimeout time.Duration
}

// Serve accepts connections until ctx is done, then closes the listener, waits for the
// connections being served, and returns nil. Each client gets a one-line greeting naming the
// certificate it presented.
func Serve(ctx context.Context, opts ServeOptions) error {
	logf := opts.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	auth := tls.VerifyClientCertIfGiven
	if opts.RequireClientCert {
		auth = tls.RequireAndVerifyClientCert
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
	}
	ln := tls.NewListener(opts.Listener, cfg)
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("tlsprobe: accept: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			serveConn(ctx, c.(*tls.Conn), timeout, logf)
		}()
	}
}

func serveConn(ctx context.Context, conn *tls.Conn, timeout time.Duration, logf func(string, ...any)) {
	defer conn.Close()
	peer := conn.RemoteAddr().String()
	hctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := conn.HandshakeContext(hctx); err != nil {
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
