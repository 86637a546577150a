// Package tlsprobe does real TLS handshakes to prove a mutual-TLS setup works: Check connects
// to a server as a client (optionally presenting a client certificate whose key may live on a
// token) and reports what happened; Serve is a small mutual-TLS test server.
//
// # Limitations
//
// Under TLS 1.3 a server rejects a client certificate after the client has finished its side
// of the handshake. Check therefore waits, after the handshake, until the server has spoken
// (application data or a session ticket), closed the connection, or sent an alert, for at
// most Options.SettleTimeout. A server that does none of these within that time is reported as
// having accepted the certificate, with Report.ClientCertSettled false so callers can say so.
package tlsprobe

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/signet-pki/signet/x509util"
)

// Failure reasons of a check, stable strings for JSON and scripts.
const (
	ReasonUntrustedServer    = "untrusted server"
	ReasonNameMismatch       = "name mismatch"
	ReasonClientCertRequired = "client certificate required"
	ReasonClientCertRejected = "client certificate rejected"
	ReasonProtocolVersion    = "protocol version"
	ReasonHandshake          = "handshake failed"
	ReasonConnect            = "connection failed"
)

// ErrCheckFailed wraps every failed check; the Report says why.
var ErrCheckFailed = errors.New("tlsprobe: check failed")

// ServerVerifier checks the server's chain (leaf first, as sent) for the given name, with the
// OCSP response the server stapled (nil when none), and returns an error when it is not
// acceptable. The error's reason is classified by Options.NameMismatch, or as
// ReasonUntrustedServer.
type ServerVerifier func(chain []*x509.Certificate, serverName string, stapledOCSP []byte) error

// Options for Check.
type Options struct {
	// Addr is HOST:PORT.
	Addr string
	// ServerName is the name the server must prove; empty means the host part of Addr.
	ServerName string
	// ClientCert is offered when the server asks for one; nil offers none.
	ClientCert *tls.Certificate
	// MinVersion is tls.VersionTLS12 (the zero value) or tls.VersionTLS13. MaxVersion zero
	// means TLS 1.3.
	MinVersion, MaxVersion uint16
	// VerifyServer checks the server's chain. It is required: Check never trusts a server on
	// its own.
	VerifyServer ServerVerifier
	// NameMismatch reports whether a VerifyServer error is a name mismatch rather than an
	// untrusted chain. Nil means errors.As(err, *x509.HostnameError).
	NameMismatch func(error) bool
	// Timeout bounds the connection and handshake; zero means 10 seconds.
	Timeout time.Duration
	// SettleTimeout bounds the wait for the server's verdict on a client certificate after a
	// TLS 1.3 handshake; zero means 2 seconds.
	SettleTimeout time.Duration
}

// CertSummary names a certificate in a report.
type CertSummary struct {
	Subject     string `json:"subject"`
	Issuer      string `json:"issuer"`
	Fingerprint string `json:"sha256"`
	NotAfter    string `json:"not_after"`
}

// Summarize describes cert for a report. Names are written with x509util.FormatName, so that
// no control character of a subject can forge a line of what prints the report.
func Summarize(cert *x509.Certificate) CertSummary {
	sum := sha256.Sum256(cert.Raw)
	return CertSummary{
		Subject:     x509util.FormatName(cert.Subject),
		Issuer:      x509util.FormatName(cert.Issuer),
		Fingerprint: hex.EncodeToString(sum[:]),
		NotAfter:    cert.NotAfter.UTC().Format(time.RFC3339),
	}
}

// Report is what a check found. Its JSON form is part of signet's documented output.
type Report struct {
	Addr        string        `json:"address"`
	ServerName  string        `json:"server_name"`
	Version     string        `json:"protocol,omitempty"`
	CipherSuite string        `json:"cipher_suite,omitempty"`
	ServerChain []CertSummary `json:"server_chain,omitempty"`
	// ServerTrusted is true when VerifyServer accepted the chain.
	ServerTrusted bool `json:"server_trusted"`
	// OCSPStapled is true when the server stapled an OCSP response, which VerifyServer got.
	OCSPStapled bool   `json:"ocsp_stapled"`
	ServerError string `json:"server_error,omitempty"`
	// ClientCertRequested is true when the server asked for a client certificate;
	// AcceptableCAs are the CA names it sent with the request.
	ClientCertRequested bool          `json:"client_cert_requested"`
	AcceptableCAs       []string      `json:"acceptable_cas,omitempty"`
	ClientCertSent      *CertSummary  `json:"client_cert_sent,omitempty"`
	ClientCertAccepted  bool          `json:"client_cert_accepted"`
	ClientCertSettled   bool          `json:"client_cert_settled"`
	OK                  bool          `json:"ok"`
	Reason              string        `json:"reason,omitempty"`
	Detail              string        `json:"detail,omitempty"`
	Elapsed             time.Duration `json:"-"`
}

// Check connects, handshakes and reports. It returns the report and, when the check failed,
// an error wrapping ErrCheckFailed whose text is the reason and detail.
func Check(ctx context.Context, opts Options) (*Report, error) {
	if opts.VerifyServer == nil {
		return nil, errors.New("tlsprobe: no server verifier")
	}
	host, _, err := net.SplitHostPort(opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("tlsprobe: address %q: %w", opts.Addr, err)
	}
	rep := &Report{Addr: opts.Addr, ServerName: opts.ServerName}
	if rep.ServerName == "" {
		rep.ServerName = host
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	settle := opts.SettleTimeout
	if settle == 0 {
		settle = 2 * time.Second
	}
	nameMismatch := opts.NameMismatch
	if nameMismatch == nil {
		nameMismatch = func(err error) bool {
			var he x509.HostnameError
			return errors.As(err, &he)
		}
	}
	start := time.Now()
	defer func() { rep.Elapsed = time.Since(start) }()

	tickets := &ticketWatch{}
	var serverErr error
	cfg := &tls.Config{
		ServerName: rep.ServerName,
		MinVersion: opts.MinVersion,
		MaxVersion: opts.MaxVersion,
		// The chain is verified by VerifyServer below, under signet's policy, so that the
		// report can tell an untrusted chain from a name mismatch. The handshake is aborted
		// when it fails, before any client certificate is sent.
		InsecureSkipVerify: true,
		// VerifyConnection runs once the server's certificates and stapled OCSP response are
		// in, before any client certificate is sent, in TLS 1.2 and 1.3 alike.
		VerifyConnection: func(cs tls.ConnectionState) error {
			if err := x509util.CheckPeerChainLength(len(cs.PeerCertificates)); err != nil {
				// Refused unjudged, as tls serve refuses such a client: path building over
				// them costs CPU, and the report would list every one. The leaf says who.
				if c, perr := x509util.ParseCertificate(cs.PeerCertificates[0].Raw); perr == nil {
					rep.ServerChain = append(rep.ServerChain, Summarize(c))
				}
				serverErr = fmt.Errorf("server chain refused: %w", err)
				return serverErr
			}
			chain := make([]*x509.Certificate, 0, len(cs.PeerCertificates))
			for _, pc := range cs.PeerCertificates {
				c, err := x509util.ParseCertificate(pc.Raw)
				if err != nil {
					serverErr = fmt.Errorf("server certificate: %w", err)
					return serverErr
				}
				chain = append(chain, c)
				rep.ServerChain = append(rep.ServerChain, Summarize(c))
			}
			if len(chain) == 0 {
				serverErr = errors.New("the server sent no certificate")
				return serverErr
			}
			rep.OCSPStapled = len(cs.OCSPResponse) > 0
			if err := opts.VerifyServer(chain, rep.ServerName, cs.OCSPResponse); err != nil {
				serverErr = err
				return err
			}
			rep.ServerTrusted = true
			return nil
		},
		GetClientCertificate: func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
			rep.ClientCertRequested = true
			for _, dn := range cri.AcceptableCAs {
				rep.AcceptableCAs = append(rep.AcceptableCAs, describeDN(dn))
			}
			if opts.ClientCert == nil || len(opts.ClientCert.Certificate) == 0 {
				return &tls.Certificate{}, nil
			}
			leaf := opts.ClientCert.Leaf
			if leaf == nil {
				var err error
				if leaf, err = x509.ParseCertificate(opts.ClientCert.Certificate[0]); err != nil {
					return nil, err
				}
			}
			s := Summarize(leaf)
			rep.ClientCertSent = &s
			return opts.ClientCert, nil
		},
		ClientSessionCache: tickets,
	}

	dialer := &net.Dialer{Timeout: timeout}
	raw, err := dialer.DialContext(ctx, "tcp", opts.Addr)
	if err != nil {
		return fail(rep, ReasonConnect, err.Error())
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(timeout))
	sent := newAlertWatch(raw)
	conn := tls.Client(sent, cfg)
	herr := conn.HandshakeContext(ctx)
	state := conn.ConnectionState()
	if state.Version != 0 {
		rep.Version = tls.VersionName(state.Version)
		rep.CipherSuite = tls.CipherSuiteName(state.CipherSuite)
	}
	if herr != nil {
		switch {
		case serverErr != nil && nameMismatch(serverErr):
			rep.ServerError = serverErr.Error()
			return fail(rep, ReasonNameMismatch, serverErr.Error())
		case serverErr != nil:
			rep.ServerError = serverErr.Error()
			return fail(rep, ReasonUntrustedServer, serverErr.Error())
		}
		return classifyAlert(rep, herr, sent, leafOnly(opts.ClientCert))
	}

	if state.Version == tls.VersionTLS13 && rep.ClientCertRequested {
		// The server's verdict on our certificate arrives after our Finished: wait for it.
		raw.SetDeadline(time.Now().Add(settle))
		buf := make([]byte, 1)
		_, rerr := conn.Read(buf)
		var ne net.Error
		switch {
		case rerr == nil:
			rep.ClientCertSettled = true
		case errors.As(rerr, &ne) && ne.Timeout():
			rep.ClientCertSettled = tickets.seen.Load()
		case errors.Is(rerr, io.EOF) && tickets.seen.Load():
			rep.ClientCertSettled = true
		default:
			return classifyAlert(rep, rerr, sent, leafOnly(opts.ClientCert))
		}
	} else {
		rep.ClientCertSettled = true
	}
	rep.ClientCertAccepted = rep.ClientCertSent != nil
	rep.OK = true
	return rep, nil
}

// TLS alert descriptions (RFC 8446 6, RFC 5246 7.2) that classifyAlert tells apart. crypto/tls
// does not export its names for them.
const (
	alertHandshakeFailure    = 40
	alertBadCertificate      = 42
	alertUnknownCA           = 48
	alertProtocolVersion     = 70
	alertCertificateRequired = 116
)

// leafOnly reports whether the client certificate goes without any CA certificate.
func leafOnly(c *tls.Certificate) bool { return c != nil && len(c.Certificate) == 1 }

// classifyAlert turns a handshake or post-handshake error into a reason, from what the error
// is, never from its text: the alert the server sent (remoteAlert), the alert this side sent
// (sent, see alertWatch), a connection the server closed (io.EOF) or reset (ECONNRESET). A
// certificate sent without its intermediates and refused with unknown_ca (the server found no
// issuer it trusts) says that the intermediates may be what it lacks.
func classifyAlert(rep *Report, err error, sent *alertWatch, leafOnly bool) (*Report, error) {
	msg := err.Error()
	remote, isRemote := remoteAlert(err)
	local, isLocal := sent.alert()
	closed := errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)
	switch {
	case isRemote && remote == alertProtocolVersion, isLocal && local == alertProtocolVersion:
		return fail(rep, ReasonProtocolVersion, msg)
	case rep.ClientCertRequested && rep.ClientCertSent == nil &&
		(isRemote && (remote == alertCertificateRequired || remote == alertHandshakeFailure || remote == alertBadCertificate) ||
			errors.Is(err, io.EOF)):
		return fail(rep, ReasonClientCertRequired, msg)
	case rep.ClientCertSent != nil && (isRemote || closed):
		if isRemote && remote == alertUnknownCA && leafOnly {
			msg += " (the certificate was sent without its intermediate CA certificates, which the server may need)"
		}
		return fail(rep, ReasonClientCertRejected, msg)
	}
	return fail(rep, ReasonHandshake, msg)
}

// remoteAlert returns the description of the alert the peer sent, if err is one. crypto/tls
// reports a received alert as a *net.OpError with Op "remote error" around a value of its
// unexported alert type, a uint8 (it wraps the exported tls.AlertError only for QUIC): the
// number is read from the value's kind, and tls.AlertError is accepted too.
func remoteAlert(err error) (uint8, bool) {
	var ae tls.AlertError
	if errors.As(err, &ae) {
		return uint8(ae), true
	}
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "remote error" || oe.Err == nil {
		return 0, false
	}
	if v := reflect.ValueOf(oe.Err); v.Kind() == reflect.Uint8 {
		return uint8(v.Uint()), true
	}
	return 0, false
}

// alertWatch is a connection that notes the last alert this side sent in the clear: crypto/tls
// returns its own refusals (a server version it does not accept, say) as plain errors, after
// sending the peer the alert that names the reason. Alerts sent once the handshake is
// encrypted are not seen, and need not be: classifyAlert reads those from the error.
type alertWatch struct {
	net.Conn
	mu   sync.Mutex
	last int // the description of the last alert sent, -1 when none
}

func newAlertWatch(c net.Conn) *alertWatch { return &alertWatch{Conn: c, last: -1} }

// Write notes every plaintext alert record in b: content type 21, a two-byte body of level
// and description. Writes are whole records, as crypto/tls makes them.
func (w *alertWatch) Write(b []byte) (int, error) {
	for rec := b; len(rec) >= 5; {
		n := int(rec[3])<<8 | int(rec[4])
		if len(rec) < 5+n {
			break
		}
		if rec[0] == 21 && n == 2 {
			w.mu.Lock()
			w.last = int(rec[6])
			w.mu.Unlock()
		}
		rec = rec[5+n:]
	}
	return w.Conn.Write(b)
}

// alert returns the description of the last plaintext alert sent.
func (w *alertWatch) alert() (uint8, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return uint8(w.last), w.last >= 0
}

func fail(rep *Report, reason, detail string) (*Report, error) {
	rep.OK, rep.Reason, rep.Detail = false, reason, detail
	return rep, fmt.Errorf("%w: %s: %s", ErrCheckFailed, reason, detail)
}

// ticketWatch is a session cache that only notes that the server sent a TLS 1.3 session
// ticket, which it does after it has accepted the client's Finished (and certificate).
type ticketWatch struct{ seen atomic.Bool }

func (t *ticketWatch) Get(string) (*tls.ClientSessionState, bool) { return nil, false }
func (t *ticketWatch) Put(_ string, cs *tls.ClientSessionState) {
	if cs != nil {
		t.seen.Store(true)
	}
}

// describeDN renders a DER distinguished name from a CertificateRequest, escaped as
// x509util.FormatName escapes names: the server chose it, and it is printed.
func describeDN(der []byte) string {
	var seq pkix.RDNSequence
	if rest, err := asn1.Unmarshal(der, &seq); err == nil && len(rest) == 0 {
		var name pkix.Name
		name.FillFromRDNSequence(&seq)
		return x509util.FormatName(name)
	}
	return hex.EncodeToString(der)
}
