package tunnel

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// One connection: the handshake on the TLS side, the peer judged, the bytes copied both
// ways until either side closes, and its log line.

// serve handles one accepted connection.
func (t *tunnel) serve(ctx context.Context, in net.Conn) {
	start := time.Now()
	ev := Event{Event: "connection", Peer: in.RemoteAddr().String()}
	defer in.Close()
	m := t.current()
	// The handshake and the dial do not end with ctx: a connection accepted before the stop
	// is open, and has the grace period to finish like one already piping (Run closes it when
	// the grace ends). HandshakeTimeout still bounds them.
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.opts.HandshakeTimeout)
	defer cancel()
	var subject string
	var peerErr error
	var tconn *tls.Conn
	var out net.Conn
	verifyConn := func(cs tls.ConnectionState) error {
		s, err := t.checkPeer(m, cs)
		subject, peerErr = s, err
		return err
	}
	var err error
	if t.opts.Mode == Server {
		tconn = tls.Server(in, &tls.Config{
			Certificates:     []tls.Certificate{m.cert},
			ClientAuth:       tls.RequireAnyClientCert, // verified by verifyConn, under the policy
			ClientCAs:        m.caNames,
			MinVersion:       tls.VersionTLS12,
			CipherSuites:     aeadSuites(),
			VerifyConnection: verifyConn,
			// No resumption: every connection proves possession of its key.
			SessionTicketsDisabled: true,
		})
		err = tconn.HandshakeContext(hctx)
		if t.limit.HandshakeDone(in) { // closed under the handshake, even if it had just finished
			err = errors.New("evicted: its handshake was the oldest unfinished one when a connection came at the limit")
		}
		if err == nil {
			d := net.Dialer{Timeout: t.opts.HandshakeTimeout}
			out, err = d.DialContext(hctx, "tcp", t.opts.Target)
		}
	} else {
		d := net.Dialer{Timeout: t.opts.HandshakeTimeout}
		var raw net.Conn
		if raw, err = d.DialContext(hctx, "tcp", t.opts.Target); err == nil {
			tconn = tls.Client(raw, &tls.Config{
				ServerName:         t.opts.ServerName,
				InsecureSkipVerify: true, // verified by verifyConn, under the policy
				VerifyConnection:   verifyConn,
				GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
					return &m.cert, nil
				},
				MinVersion:   tls.VersionTLS12,
				CipherSuites: aeadSuites(),
			})
			if err = tconn.HandshakeContext(hctx); err != nil {
				raw.Close()
			}
		}
	}
	ev.Subject = subject
	if tconn != nil {
		st := tconn.ConnectionState()
		if st.HandshakeComplete {
			ev.Protocol, ev.CipherSuite = tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite)
		}
	}
	if err != nil {
		ev.Event = "refused"
		switch {
		case peerErr != nil:
			ev.End = "peer refused: " + peerErr.Error()
		case t.cut.Load():
			ev.End = "shutdown"
		default:
			ev.End = err.Error()
		}
		ev.DurationMS = ms(time.Since(start))
		t.log(ev)
		if tconn != nil && t.opts.Mode == Client {
			tconn.Close()
		}
		return
	}
	var a, b net.Conn = tconn, out // a faces the accepted peer
	if t.opts.Mode == Client {
		a, b = in, tconn
	}
	t.track(b, true)
	defer t.track(b, false)
	ev.BytesIn, ev.BytesOut, ev.End = t.pipe(a, b)
	if t.cut.Load() && ev.End != "idle" {
		ev.End = "shutdown"
	}
	ev.DurationMS = ms(time.Since(start))
	t.log(ev)
}

// aeadSuites are the TLS 1.2 suites either side agrees to: ECDHE with AES-GCM or
// ChaCha20-Poly1305. crypto/tls's defaults also take ECDHE with AES-CBC and HMAC-SHA1, which
// signet's own audit reports as weak (cbc); TLS 1.3's suites are all AEAD.
func aeadSuites() []uint16 {
	return []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// pipe copies both ways until both directions end, forwarding a half-close, and closes both.
// It returns the bytes copied from a to b and from b to a, and how it ended.
func (t *tunnel) pipe(a, b net.Conn) (ab, ba int64, end string) {
	var last atomic.Int64
	last.Store(time.Now().UnixNano())
	var idle atomic.Bool
	var wg sync.WaitGroup
	var firstErr atomic.Value
	// Once Run's stop has cut the connections (the grace ran out), both sides are aborted,
	// not closed: a peer must see a transfer cut short as cut (a TCP reset, no TLS
	// close_notify), never as one that finished.
	closeBoth := func() {
		if t.cut.Load() {
			abort(a)
			abort(b)
			return
		}
		a.Close()
		b.Close()
	}
	copyDir := func(dst, src net.Conn, n *int64) {
		defer wg.Done()
		buf := make([]byte, 64<<10)
		for {
			if t.opts.IdleTimeout > 0 {
				src.SetReadDeadline(time.Now().Add(t.opts.IdleTimeout))
			}
			r, err := src.Read(buf)
			if r > 0 {
				last.Store(time.Now().UnixNano())
				if t.opts.IdleTimeout > 0 {
					dst.SetWriteDeadline(time.Now().Add(t.opts.IdleTimeout))
				}
				w, werr := dst.Write(buf[:r])
				*n += int64(w)
				if werr != nil {
					firstErr.CompareAndSwap(nil, werr.Error())
					closeBoth()
					return
				}
			}
			if err == nil {
				continue
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && t.opts.IdleTimeout > 0 {
				if time.Since(time.Unix(0, last.Load())) < t.opts.IdleTimeout {
					continue // the other direction is busy
				}
				idle.Store(true)
				closeBoth()
				return
			}
			if errors.Is(err, io.EOF) {
				closeWrite(dst)
				return
			}
			if !errors.Is(err, net.ErrClosed) {
				firstErr.CompareAndSwap(nil, err.Error())
			}
			closeBoth()
			return
		}
	}
	wg.Add(2)
	go copyDir(b, a, &ab)
	go copyDir(a, b, &ba)
	wg.Wait()
	closeBoth()
	switch {
	case idle.Load():
		return ab, ba, "idle"
	case firstErr.Load() != nil:
		return ab, ba, firstErr.Load().(string)
	}
	return ab, ba, "closed"
}

// abort closes c at once: a TCP reset (SO_LINGER 0) in place of a FIN, and for TLS, no
// close_notify. The peer's read fails (connection reset) where a close would read as the end
// of the stream: Go's crypto/tls, like many TLS stacks, reports a TCP FIN without
// close_notify at a record boundary as a clean end.
func abort(c net.Conn) {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	if tcp, ok := c.(*net.TCPConn); ok {
		tcp.SetLinger(0)
	}
	c.Close()
}

// closeWrite half-closes c: a TCP FIN, or a TLS close_notify.
func closeWrite(c net.Conn) {
	switch c := c.(type) {
	case *tls.Conn:
		c.CloseWrite()
	case interface{ CloseWrite() error }:
		c.CloseWrite()
	}
}
