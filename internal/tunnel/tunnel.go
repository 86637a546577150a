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
	"encoding/asn1"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/signet-pki/signet/internal/connlimit"
	"github.com/signet-pki/signet/internal/keyref"
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
	// serverAuth in Client mode), the key usage (digitalSignature: the peer signs the
	// handshake) and, in Client mode, the server name.
	Policy verify.Policy
	// ClientSubjects (Server mode), if any, are the distinguished names (as x509util.ParseDN
	// reads them) a client certificate's subject must equal one of, compared as RFC 5280 7.1
	// says.
	ClientSubjects []string
	// MaxConns bounds the connections open at once; one more is closed at once and logged.
	// In Server mode it first makes room by closing the oldest connection still in its
	// handshake (internal/connlimit), if any. Zero means 512.
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
	// End says how a connection ended: "closed", "idle", "shutdown" (still open when the
	// stop's grace ran out) or an error.
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

type tunnel struct {
	opts     Options
	subjects [][]byte // DER of ClientSubjects
	mu       sync.Mutex
	cur      *material
	keys     []keyref.Key // every key opened, closed when Run returns
	conns    map[net.Conn]struct{}
	limit    *connlimit.Limit // the connections open, and the server side's in their handshake
	cut      atomic.Bool      // the stop's grace ran out and Run closed what was open
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
	t.limit = connlimit.New(t.opts.MaxConns)
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
			if !t.limit.Admit(c, opts.Mode == Server) {
				t.log(Event{Event: "refused", Peer: c.RemoteAddr().String(), End: fmt.Sprintf("%d connections open (the limit)", t.limit.Max())})
				c.Close()
				continue
			}
			t.track(c, true)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer t.limit.Release()
				defer t.track(c, false)
				t.serve(ctx, c)
			}()
		}
	}()

	<-ctx.Done()
	t.log(Event{Event: "stopping", Detail: fmt.Sprintf("%d connections open", t.limit.Open())})
	opts.Listener.Close()
	<-acceptDone
	<-reloadDone
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(t.opts.ShutdownGrace):
		t.cut.Store(true)
		t.mu.Lock()
		for c := range t.conns {
			abort(c) // the transfer is cut: its peers see a reset, not an end (pipe aborts the other side)
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
