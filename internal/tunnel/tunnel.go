// Package tunnel carries a TCP service over mutual TLS, as stunnel does, with signet's keys
// and policy engine. In Client mode it accepts plain TCP and forwards each connection over
// TLS, presenting a client certificate whose key may be on a token; in Server mode it
// terminates mutual TLS and forwards plain TCP.
//
// Peers are judged by verify.Verify under a verify.Policy, never by crypto/tls alone: in
// Server mode the client's chain must be valid for clientAuth under the roots and CRLs given
// and match an allowed subject when any is given; in Client mode the server's chain must be
// valid for serverAuth and the server name. crypto/tls only runs the handshake
// (InsecureSkipVerify on the client side, RequireAnyClientCert on the server side) and
// calls back into that check before any data flows.
//
// # Keys and sessions
//
// The key comes through internal/keyref: a key file, a PKCS#12 file or a pkcs11: URI. A token
// key is one hsm.Signer for the whole run: each handshake's signature takes a session from the
// token's session pool and gives it back, so concurrent handshakes sign in parallel where the
// token allows it and the login is done once. TLS sessions are not resumed: every connection
// is a full handshake that the key signs, and whose peer's chain is checked (see below).
//
// Path validation is the main cost of a handshake here: a chain found valid is remembered,
// under the material it was checked with, for up to a minute, never past the notAfter of a
// certificate of its path or the nextUpdate of a CRL; a reload starts afresh. Refusals are
// never remembered.
//
// # Reload
//
// Each value received on Options.Reload reloads the certificate chain, the key when the new
// certificate is for another key, the roots, intermediates and CRLs. Connections already open
// keep running on what they were accepted with; new ones use the reloaded material. A reload
// that fails (a missing file, a certificate that does not match the key) changes nothing and
// is logged.
//
// # Limitations
//
//   - TLS 1.2 and 1.3 only.
//   - The idle timeout counts bytes in either direction: a connection quiet both ways for
//     that long is closed.
//   - Old keys replaced by a reload stay open until Run returns.
package tunnel

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/signet-pki/signet/internal/keyref"
	"github.com/signet-pki/signet/internal/pkixname"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// Mode says which side of the tunnel this is.
type Mode int

const (
	// Client accepts plain TCP and connects to Target over mutual TLS.
	Client Mode = iota
	// Server accepts mutual TLS and connects to Target over plain TCP.
	Server
)

// Options configure a tunnel. Files are read at start and again on each reload.
type Options struct {
	Mode Mode
	// Listener is where connections are accepted; Run closes it.
	Listener net.Listener
	// Target is the HOST:PORT each connection is forwarded to.
	Target string
	// ServerName (Client mode) is the name the server must prove and the SNI sent; empty
	// means the host of Target.
	ServerName string
	// Cert is the PEM file of this side's certificate chain, leaf first; empty takes the chain
	// stored with the key (a PKCS#12 file, the certificate beside a token key).
	Cert string
	// Key is a key reference (internal/keyref) and KeyOptions how to open it.
	Key        string
	KeyOptions keyref.Options
	// Roots are files of trust anchors for the peer's chain, SystemRoots adds the system
	// store; Intermediates untrusted CA certificates that may complete it; CRLs files of CRLs
	// checked against it.
	Roots         []string
	SystemRoots   bool
	Intermediates []string
	CRLs          []string
	// Policy holds the rest of what the peer is judged by (profile, policy OIDs, RequireCRL,
	// Email); Run sets Roots, Intermediates, CRLs, the EKU (clientAuth in Server mode,
	// serverAuth in Client mode) and, in Client mode, the server name.
	Policy verify.Policy
	// ClientSubjects (Server mode), if any, are the distinguished names (as x509util.ParseDN
	// reads them) a client certificate's subject must equal one of, compared as RFC 5280 7.1
	// says.
	ClientSubjects []string
	// MaxConns bounds the connections open at once; one more is closed at once and logged.
	// Zero means 512.
	MaxConns int
	// IdleTimeout closes a connection quiet in both directions for that long; zero: never.
	IdleTimeout time.Duration
	// HandshakeTimeout bounds connecting to Target and the TLS handshake; zero: 10 seconds.
	HandshakeTimeout time.Duration
	// ShutdownGrace is how long open connections may finish once ctx is done; zero: 10 s.
	ShutdownGrace time.Duration
	// Reload triggers a reload of the certificate, key, roots and CRLs.
	Reload <-chan struct{}
	// Log receives one Event per connection and per state change.
	Log func(Event)
}

// Event is a log line. Its JSON form is part of signet's output.
type Event struct {
	Time  time.Time `json:"time"`
	Event string    `json:"event"` // listening, connection, refused, reloaded, reload-failed, stopping, stopped
	Peer  string    `json:"peer,omitempty"`
	// Subject is the peer certificate's subject (the client's in Server mode, the server's in
	// Client mode), escaped as x509util.FormatName writes names.
	Subject     string `json:"subject,omitempty"`
	Protocol    string `json:"protocol,omitempty"`
	CipherSuite string `json:"cipher_suite,omitempty"`
	// BytesIn counts bytes from the accepted peer to Target, BytesOut from Target back.
	BytesIn    int64   `json:"bytes_in"`
	BytesOut   int64   `json:"bytes_out"`
	DurationMS float64 `json:"duration_ms"`
	// End says how a connection ended: "closed", "idle", "shutdown" or an error.
	End string `json:"end,omitempty"`
	// Detail is the message of other events.
	Detail string `json:"detail,omitempty"`
}

// ErrConfig matches errors of a configuration that cannot work (a subject that does not
// parse); they are *ConfigError.
var ErrConfig = errors.New("tunnel: unusable configuration")

// ConfigError is a configuration that cannot work, in words (Detail), with the error
// underneath. It matches ErrConfig.
type ConfigError struct {
	Detail string
	Err    error
}

func (e *ConfigError) Error() string        { return ErrConfig.Error() + ": " + e.Detail }
func (e *ConfigError) Unwrap() error        { return e.Err }
func (e *ConfigError) Is(target error) bool { return target == ErrConfig }

func configErrorf(err error, format string, args ...any) error {
	d := fmt.Sprintf(format, args...)
	if err != nil {
		d += ": " + err.Error()
	}
	return &ConfigError{Detail: d, Err: err}
}

// material is what a connection is served with; a reload makes a new one.
type material struct {
	cert    tls.Certificate
	key     keyref.Key
	policy  verify.Policy
	caNames *x509.CertPool // advertised in the CertificateRequest (Server mode)
	// valid remembers peer chains verify.Verify accepted under policy, by the SHA-256 of
	// their certificates, until the verdict may change: see remember.
	mu    sync.Mutex
	valid map[[32]byte]time.Time
}

// Verdicts are remembered at most this long, and for at most this many chains.
const (
	verdictTTL  = time.Minute
	maxVerdicts = 4096
)

func chainKey(certs []*x509.Certificate) [32]byte {
	h := sha256.New()
	for _, c := range certs {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(c.Raw)))
		h.Write(n[:])
		h.Write(c.Raw)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// known reports whether chain was found valid under m.policy and that verdict still holds.
func (m *material) known(k [32]byte) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	until, ok := m.valid[k]
	return ok && time.Now().Before(until)
}

// remember keeps a valid verdict until the first of: a minute from now, the notAfter of a
// certificate of the path, the nextUpdate of a CRL of the policy. The policy is fixed for the
// material's life (a reload makes new material), so nothing else can change the verdict.
func (m *material) remember(k [32]byte, res *verify.Result) {
	until := time.Now().Add(verdictTTL)
	for _, c := range res.Chain {
		if c.NotAfter.Before(until) {
			until = c.NotAfter
		}
	}
	for _, crl := range m.policy.CRLs {
		if !crl.NextUpdate.IsZero() && crl.NextUpdate.Before(until) {
			until = crl.NextUpdate
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.valid == nil || len(m.valid) >= maxVerdicts {
		m.valid = map[[32]byte]time.Time{}
	}
	m.valid[k] = until
}

type tunnel struct {
	opts     Options
	subjects [][]byte // DER of ClientSubjects
	mu       sync.Mutex
	cur      *material
	keys     []keyref.Key // every key opened, closed when Run returns
	conns    map[net.Conn]struct{}
	open     atomic.Int64
}

func (t *tunnel) log(ev Event) {
	if t.opts.Log != nil {
		ev.Time = time.Now().UTC()
		t.opts.Log(ev)
	}
}

// Run serves until ctx is done, then stops accepting, lets open connections finish for
// ShutdownGrace, closes the rest and returns nil. Errors at start (files, the key) are
// returned before anything is accepted.
func Run(ctx context.Context, opts Options) error {
	t := &tunnel{opts: opts, conns: map[net.Conn]struct{}{}}
	defer opts.Listener.Close()
	defer func() {
		for _, k := range t.keys {
			k.Close()
		}
	}()
	for _, s := range opts.ClientSubjects {
		rdn, err := x509util.ParseRDNSequence(s)
		if err != nil {
			return configErrorf(err, "client subject %q", s)
		}
		der, err := asn1.Marshal(rdn)
		if err != nil {
			return configErrorf(err, "client subject %q", s)
		}
		t.subjects = append(t.subjects, der)
	}
	if t.opts.MaxConns <= 0 {
		t.opts.MaxConns = 512
	}
	if t.opts.HandshakeTimeout <= 0 {
		t.opts.HandshakeTimeout = 10 * time.Second
	}
	if t.opts.ShutdownGrace <= 0 {
		t.opts.ShutdownGrace = 10 * time.Second
	}
	if t.opts.ServerName == "" && opts.Mode == Client {
		host, _, err := net.SplitHostPort(opts.Target)
		if err != nil {
			return configErrorf(err, "target %q", opts.Target)
		}
		t.opts.ServerName = host
	}
	m, err := t.load(nil)
	if err != nil {
		return err
	}
	t.cur = m
	t.log(Event{Event: "listening", Peer: opts.Listener.Addr().String(), Detail: t.describe(m)})

	reloadDone := make(chan struct{})
	go func() {
		defer close(reloadDone)
		for {
			select {
			case <-ctx.Done():
				return
			case _, ok := <-opts.Reload:
				if !ok {
					return
				}
				t.reload()
			}
		}
	}()

	var wg sync.WaitGroup
	acceptDone := make(chan struct{})
	go func() {
		defer close(acceptDone)
		for {
			c, err := opts.Listener.Accept()
			if err != nil {
				if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
					return
				}
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					continue
				}
				t.log(Event{Event: "accept-failed", Detail: err.Error()})
				time.Sleep(50 * time.Millisecond) // out of file descriptors: do not spin
				continue
			}
			if t.open.Load() >= int64(t.opts.MaxConns) {
				t.log(Event{Event: "refused", Peer: c.RemoteAddr().String(), End: fmt.Sprintf("%d connections open (the limit)", t.opts.MaxConns)})
				c.Close()
				continue
			}
			t.open.Add(1)
			t.track(c, true)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer t.open.Add(-1)
				defer t.track(c, false)
				t.serve(ctx, c)
			}()
		}
	}()

	<-ctx.Done()
	t.log(Event{Event: "stopping", Detail: fmt.Sprintf("%d connections open", t.open.Load())})
	opts.Listener.Close()
	<-acceptDone
	<-reloadDone
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(t.opts.ShutdownGrace):
		t.mu.Lock()
		for c := range t.conns {
			c.Close()
		}
		t.mu.Unlock()
		<-finished
	}
	t.log(Event{Event: "stopped"})
	return nil
}

func (t *tunnel) track(c net.Conn, add bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if add {
		t.conns[c] = struct{}{}
	} else {
		delete(t.conns, c)
	}
}

func (t *tunnel) current() *material {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cur
}

func (t *tunnel) describe(m *material) string {
	mode := "client side: plain TCP in, mutual TLS to " + t.opts.Target
	if t.opts.Mode == Server {
		mode = "server side: mutual TLS in, plain TCP to " + t.opts.Target
	}
	return fmt.Sprintf("%s; certificate %s (until %s); %d CRLs", mode, x509util.FormatName(m.cert.Leaf.Subject),
		m.cert.Leaf.NotAfter.UTC().Format(time.RFC3339), len(m.policy.CRLs))
}

func (t *tunnel) reload() {
	m, err := t.load(t.current())
	if err != nil {
		t.log(Event{Event: "reload-failed", Detail: err.Error() + "; the previous certificate and CRLs stay in use"})
		return
	}
	t.mu.Lock()
	t.cur = m
	t.mu.Unlock()
	t.log(Event{Event: "reloaded", Detail: t.describe(m)})
}

// load reads the certificate chain, the key (kept from prev when the certificate is still
// for it), roots, intermediates and CRLs.
func (t *tunnel) load(prev *material) (*material, error) {
	o := t.opts
	var chain []*x509.Certificate
	var err error
	if o.Cert != "" {
		if chain, err = x509util.LoadCertificateFile(o.Cert); err != nil {
			return nil, err
		}
	}
	var key keyref.Key
	if prev != nil && len(chain) > 0 && x509util.PublicKeysEqual(chain[0].PublicKey, prev.key.Public()) {
		key = prev.key
	} else {
		if key, err = keyref.Open(o.Key, o.KeyOptions); err != nil {
			return nil, err
		}
		t.mu.Lock()
		t.keys = append(t.keys, key)
		t.mu.Unlock()
	}
	if len(chain) == 0 {
		if chain = key.Certificates(); len(chain) == 0 {
			return nil, configErrorf(nil, "no certificate given, and none is stored with the key")
		}
	}
	if !x509util.PublicKeysEqual(chain[0].PublicKey, key.Public()) {
		return nil, fmt.Errorf("%w: the key does not belong to the certificate \"%s\"", x509util.ErrKeyMismatch, x509util.FormatName(chain[0].Subject))
	}
	m := &material{key: key, policy: o.Policy}
	m.cert = tls.Certificate{PrivateKey: key, Leaf: chain[0]}
	for _, c := range chain {
		m.cert.Certificate = append(m.cert.Certificate, c.Raw)
	}
	p := &m.policy
	p.SystemRoots = o.SystemRoots
	if len(o.Roots) > 0 {
		if p.Roots, err = x509util.LoadCertificates(o.Roots...); err != nil {
			return nil, err
		}
	}
	if len(o.Intermediates) > 0 {
		if p.Intermediates, err = x509util.LoadCertificates(o.Intermediates...); err != nil {
			return nil, err
		}
	}
	if len(o.CRLs) > 0 {
		if p.CRLs, err = x509util.LoadCRLs(o.CRLs...); err != nil {
			return nil, err
		}
	}
	if len(p.Roots) == 0 && !p.SystemRoots {
		return nil, fmt.Errorf("%w: no trust anchors for the peer's certificate", verify.ErrPolicy)
	}
	if o.Mode == Server {
		p.EKUs = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		m.caNames = x509.NewCertPool()
		for _, r := range p.Roots {
			m.caNames.AddCert(r)
		}
	} else {
		p.EKUs = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		if ip := net.ParseIP(t.opts.ServerName); ip != nil {
			p.IP = ip
		} else {
			p.DNSName = t.opts.ServerName
		}
	}
	return m, nil
}

// errPeer is a peer refused by the policy; it carries the verdict for the log.
type errPeer struct{ err error }

func (e *errPeer) Error() string { return e.err.Error() }
func (e *errPeer) Unwrap() error { return e.err }

// checkPeer judges the peer's chain with verify.Verify and, in Server mode, the client
// subjects allowed. It returns the leaf's subject for the log.
func (t *tunnel) checkPeer(m *material, cs tls.ConnectionState) (string, error) {
	if len(cs.PeerCertificates) == 0 {
		return "", &errPeer{errors.New("no certificate")}
	}
	chain := make([]*x509.Certificate, 0, len(cs.PeerCertificates))
	for _, pc := range cs.PeerCertificates {
		c, err := x509util.ParseCertificate(pc.Raw)
		if err != nil {
			return "", &errPeer{fmt.Errorf("a certificate does not parse: %w", err)}
		}
		chain = append(chain, c)
	}
	subject := x509util.FormatName(chain[0].Subject)
	p := m.policy
	stapled := t.opts.Mode == Client && len(cs.OCSPResponse) > 0
	if stapled {
		p.OCSP = append(append([][]byte{}, p.OCSP...), cs.OCSPResponse)
	}
	// A chain found valid a moment ago under the same policy is not validated again: path
	// validation (an RSA-3072 signature in Go costs a millisecond) would otherwise bound the
	// connection rate. A stapled OCSP response varies per connection: never remembered.
	k := chainKey(chain)
	if stapled || !m.known(k) {
		res, err := verify.Verify(chain[0], chain[1:], p)
		if err != nil {
			return subject, &errPeer{err}
		}
		if !stapled {
			m.remember(k, res)
		}
	}
	if t.opts.Mode == Server && len(t.subjects) > 0 {
		ok := false
		for _, der := range t.subjects {
			if pkixname.EqualDER(der, chain[0].RawSubject) {
				ok = true
				break
			}
		}
		if !ok {
			return subject, &errPeer{fmt.Errorf("%w: client %s is not an allowed subject", verify.NameMismatch, subject)}
		}
	}
	return subject, nil
}

// serve handles one accepted connection.
func (t *tunnel) serve(ctx context.Context, in net.Conn) {
	start := time.Now()
	ev := Event{Event: "connection", Peer: in.RemoteAddr().String()}
	defer in.Close()
	m := t.current()
	hctx, cancel := context.WithTimeout(ctx, t.opts.HandshakeTimeout)
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
			VerifyConnection: verifyConn,
			// No resumption: every connection proves possession of its key.
			SessionTicketsDisabled: true,
		})
		if err = tconn.HandshakeContext(hctx); err == nil {
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
				MinVersion: tls.VersionTLS12,
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
		case ctx.Err() != nil:
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
	if ctx.Err() != nil && ev.End != "idle" {
		ev.End = "shutdown"
	}
	ev.DurationMS = ms(time.Since(start))
	t.log(ev)
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
					a.Close()
					b.Close()
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
				a.Close()
				b.Close()
				return
			}
			if errors.Is(err, io.EOF) {
				closeWrite(dst)
				return
			}
			if !errors.Is(err, net.ErrClosed) {
				firstErr.CompareAndSwap(nil, err.Error())
			}
			a.Close()
			b.Close()
			return
		}
	}
	wg.Add(2)
	go copyDir(b, a, &ab)
	go copyDir(a, b, &ba)
	wg.Wait()
	a.Close()
	b.Close()
	switch {
	case idle.Load():
		return ab, ba, "idle"
	case firstErr.Load() != nil:
		return ab, ba, firstErr.Load().(string)
	}
	return ab, ba, "closed"
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
