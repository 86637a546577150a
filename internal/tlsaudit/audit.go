// Package tlsaudit says what a TLS server really accepts: protocol versions each tried alone,
// cipher suites per version and whose order wins, key exchange groups, downgrade protection
// (the TLS 1.3 sentinel and TLS_FALLBACK_SCSV), session resumption, renegotiation, the
// certificate chain as served (judged by the verify package), OCSP stapling and client
// certificate requests. Audit returns a Report of findings, each with a verdict.
//
// # How it probes
//
// Versions, suites, groups, the downgrade sentinel, TLS_FALLBACK_SCSV and the secure
// renegotiation indication are probed with ClientHellos written byte by byte
// (golang.org/x/crypto/cryptobyte), reading only the server's first answer: crypto/tls
// cannot offer SSL 3.0, RC4, export, NULL or anonymous suites, one version or group alone,
// or the SCSVs, and does not expose ServerHello.random. Each probe is one TCP connection,
// made one after the other (openssl s_server serves one connection at a time).
//
// The chain, OCSP staple, client certificate request, resumption and renegotiation need whole
// handshakes: those are made with crypto/tls, with the handshake bytes kept aside to read what
// it does not expose (the TLS 1.2 session ID and ticket lifetime hint; the TLS 1.3
// NewSessionTicket, decrypted with the traffic secret from Config.KeyLogWriter). Client
// initiated renegotiation is tried over a TLS 1.2 AES-GCM connection: the audit encrypts a
// second ClientHello itself with the keys of that connection and reads the server's answer.
//
// # Limitations
//
//   - Suites and groups are those the package knows (suites.go); others a server may accept
//     are not found. Every suite OpenSSL 3.0 or GnuTLS negotiates with a certificate is listed
//     (tests hold the table to `openssl ciphers` and `gnutls-cli -l`); PSK, SRP, GOST and
//     static (EC)DH suites are not.
//   - A server that requires a client certificate lets no anonymous handshake complete:
//     without Options.ClientCert, resumption and renegotiation are reported as not tested.
//   - Only what the server sends is judged: no intermediate is fetched (no network beyond the
//     server), so an incomplete chain fails unless Policy.Intermediates completes it.
package tlsaudit

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/signet-pki/signet/internal/pkixname"
	"github.com/signet-pki/signet/verify"
)

// Verdict is the judgement on one finding.
type Verdict string

const (
	OK   Verdict = "ok"   // as it should be
	Info Verdict = "info" // a fact, neither good nor bad
	Warn Verdict = "warn" // weaker than it should be
	Fail Verdict = "fail" // a finding: fix the server
)

// Areas of findings.
const (
	AreaProtocol      = "protocol"
	AreaDowngrade     = "downgrade"
	AreaCipher        = "cipher"
	AreaGroup         = "group"
	AreaResumption    = "resumption"
	AreaRenegotiation = "renegotiation"
	AreaCertificate   = "certificate"
	AreaOCSP          = "ocsp"
	AreaClientAuth    = "client-auth"
)

// Finding is one line of the report.
type Finding struct {
	Verdict Verdict `json:"verdict"`
	Area    string  `json:"area"`
	// Subject is what the finding is about: a version, a suite, a certificate.
	Subject string `json:"subject"`
	Detail  string `json:"detail"`
}

// Options for Audit.
type Options struct {
	// Addr is HOST:PORT.
	Addr string
	// ServerName is sent as SNI and checked against the leaf; empty means the host of Addr.
	ServerName string
	// Policy judges the served chain with verify.Verify: its trust anchors and profile. Audit
	// sets DNSName or IP from ServerName, and EKUs to serverAuth when none are given.
	Policy verify.Policy
	// Timeout bounds each connection; zero means 5 seconds.
	Timeout time.Duration
	// ExpiryWarning is how close to its notAfter a served certificate gets a warning; zero
	// means 30 days.
	ExpiryWarning time.Duration
	// MaxTicketLifetime is the longest session ticket lifetime that is not a warning; zero
	// means 24 hours (RFC 8446 allows up to 7 days, which is always a failure beyond).
	MaxTicketLifetime time.Duration
	// ClientCert, if not nil, is presented when the server asks for a client certificate, so
	// that the handshakes resumption and renegotiation need complete with a server that
	// requires one. Nil presents none.
	ClientCert *tls.Certificate
}

// SuiteReport is one accepted cipher suite.
type SuiteReport struct {
	Name string   `json:"name"`
	ID   string   `json:"id"`
	Weak []string `json:"weak,omitempty"`
}

// VersionReport is what one protocol version offered alone gave.
type VersionReport struct {
	Version  string `json:"version"`
	Accepted bool   `json:"accepted"`
	// Answer is the server's answer when it did not accept: an alert name, "closed", or the
	// version it chose instead.
	Answer string        `json:"answer,omitempty"`
	Suites []SuiteReport `json:"cipher_suites,omitempty"`
	// ServerOrder is whether the server chose by its own order rather than the client's; nil
	// when fewer than two suites were accepted.
	ServerOrder *bool    `json:"server_order,omitempty"`
	Groups      []string `json:"groups,omitempty"`
	// GroupsUndetermined are TLS 1.2 curves the server could not be asked about alone: its
	// ECDHE suites need its ECDSA certificate's curve offered too, and it chose that one.
	GroupsUndetermined []string `json:"groups_undetermined,omitempty"`
}

// Resumption says how sessions resume.
type Resumption struct {
	SessionID12       *bool   `json:"tls12_session_id"`
	Ticket12          *bool   `json:"tls12_ticket"`
	Ticket12Lifetime  *uint32 `json:"tls12_ticket_lifetime_hint,omitempty"`
	PSK13             *bool   `json:"tls13_psk"`
	Ticket13Lifetimes []int64 `json:"tls13_ticket_lifetimes,omitempty"`
}

// Renegotiation says how renegotiation is handled (TLS 1.2 and below).
type Renegotiation struct {
	// Secure is whether the server indicates RFC 5746 secure renegotiation.
	Secure *bool `json:"secure"`
	// ClientInitiated is whether a renegotiation the client starts is accepted.
	ClientInitiated *bool `json:"client_initiated"`
}

// ChainCert describes a certificate as served.
type ChainCert struct {
	Subject            string `json:"subject"`
	Issuer             string `json:"issuer"`
	SHA256             string `json:"sha256"`
	NotAfter           string `json:"not_after"`
	Key                string `json:"key"`
	SignatureAlgorithm string `json:"signature_algorithm"`
}

// Report is everything the audit found. Its JSON form is part of signet's output.
type Report struct {
	Addr          string          `json:"address"`
	ServerName    string          `json:"server_name"`
	Versions      []VersionReport `json:"versions"`
	Resumption    Resumption      `json:"resumption"`
	Renegotiation Renegotiation   `json:"renegotiation"`
	Chain         []ChainCert     `json:"chain"`
	// Verification is the verify package's verdict on the chain, nil when no certificate was
	// received.
	Verification        *verify.Result `json:"verification,omitempty"`
	OCSPStapled         bool           `json:"ocsp_stapled"`
	ClientCertRequested bool           `json:"client_cert_requested"`
	AcceptableCAs       []string       `json:"acceptable_cas,omitempty"`
	Findings            []Finding      `json:"findings"`
	Failures            int            `json:"failures"`
	Warnings            int            `json:"warnings"`
	// OK is true when no finding failed.
	OK bool `json:"ok"`
}

// ErrUnreachable is returned when no connection to the server could be made at all.
var ErrUnreachable = errors.New("tlsaudit: server unreachable")

type auditor struct {
	opts    Options
	rep     *Report
	host    string
	hellos  map[uint16]*serverHello // the ServerHello of each version offered alone
	timeout time.Duration
	// leafCurve is the named group of the served leaf's ECDSA key, 0 for other keys: in TLS
	// 1.2 the client's supported_groups must allow it too.
	leafCurve uint16
	// gone is set when a connection to the server could no longer be made: the audit ends
	// with it, rather than report as refused what was never asked.
	gone error
}

// dialFailed notes a connection that could not be made (ErrUnreachable) and returns it; other
// errors are returned as they are.
func (a *auditor) dialFailed(err error) error {
	var oe *net.OpError
	if a.gone == nil && errors.As(err, &oe) && oe.Op == "dial" {
		a.gone = fmt.Errorf("%w: it stopped taking connections during the audit: %v", ErrUnreachable, err)
	}
	if a.gone != nil {
		return a.gone
	}
	return err
}

func (a *auditor) add(v Verdict, area, subject, format string, args ...any) {
	detail := fmt.Sprintf(format, args...)
	// Names are escaped where they are formatted; this is the backstop for any text the
	// server chose that reached a finding otherwise (an error's words): never raw.
	if pkixname.HasUnsafe(detail) {
		detail = pkixname.EscapeText(detail)
	}
	if pkixname.HasUnsafe(subject) {
		subject = pkixname.EscapeText(subject)
	}
	a.rep.Findings = append(a.rep.Findings, Finding{Verdict: v, Area: area, Subject: subject, Detail: detail})
	switch v {
	case Fail:
		a.rep.Failures++
	case Warn:
		a.rep.Warnings++
	}
}

// Audit probes the server and returns the report. An error is returned only when the audit
// could not run (an unreachable server wraps ErrUnreachable, a cancelled context its error);
// findings, failed ones included, are in the report.
func Audit(ctx context.Context, opts Options) (*Report, error) {
	host, _, err := net.SplitHostPort(opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("tlsaudit: address %q: %w", opts.Addr, err)
	}
	if opts.ServerName == "" {
		opts.ServerName = host
	}
	a := &auditor{opts: opts, host: host, hellos: map[uint16]*serverHello{},
		rep:     &Report{Addr: opts.Addr, ServerName: opts.ServerName},
		timeout: opts.Timeout}
	if a.timeout == 0 {
		a.timeout = 5 * time.Second
	}
	d := net.Dialer{Timeout: a.timeout}
	c, err := d.DialContext(ctx, "tcp", opts.Addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	c.Close()

	steps := []func(context.Context) error{a.versions, a.ciphers, a.downgrade, a.chain, a.groups, a.resumption, a.renegotiation}
	for i, step := range steps {
		if err := step(ctx); err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if a.gone != nil {
			return nil, a.gone
		}
		if i == 0 && len(a.hellos) == 0 {
			break // no TLS spoken there: nothing further to probe
		}
	}
	a.rep.OK = a.rep.Failures == 0
	return a.rep, nil
}

// probe runs one raw probe; network failures other than a refusal stop the audit.
func (a *auditor) probe(ctx context.Context, h *hello) (*serverHello, error) {
	if a.gone != nil {
		return nil, a.gone
	}
	h.serverName = a.opts.ServerName
	sh, err := probe(ctx, a.opts.Addr, a.timeout, h)
	if err != nil {
		err = a.dialFailed(err)
	}
	var ae *AlertError
	switch {
	case err == nil, errors.As(err, &ae), errors.Is(err, errRefused):
		return sh, err
	case ctx.Err() != nil:
		return nil, ctx.Err()
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return nil, err // a server that does not answer a hello: treated as a refusal by callers
	}
	return nil, err
}

// answer describes a probe's failure for the report.
func answer(err error) string {
	var ae *AlertError
	var ne net.Error
	switch {
	case errors.As(err, &ae):
		return ae.Error()
	case errors.Is(err, errRefused):
		return "connection closed"
	case errors.As(err, &ne) && ne.Timeout():
		return "no answer in time"
	}
	return err.Error()
}

var probedVersions = []uint16{VersionSSL30, VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13}

// versionHello is a hello offering version v alone, with the given suites.
func versionHello(v uint16, suiteIDs []uint16) *hello {
	switch v {
	case VersionTLS13:
		sid := make([]byte, 32) // a legacy session id, as middlebox-compatible clients send
		return &hello{version: VersionTLS12, versions: []uint16{VersionTLS13}, suites: suiteIDs, groups: groups,
			keyShares: []uint16{groupX25519, groupP256}, sessionID: sid}
	case VersionSSL30:
		return &hello{version: v, suites: suiteIDs, noExts: true}
	}
	var ec []uint16
	for _, g := range groups {
		if ecGroup(g) {
			ec = append(ec, g)
		}
	}
	return &hello{version: v, suites: suiteIDs, groups: ec}
}

// goSuites are every TLS 1.0-1.2 suite crypto/tls implements, insecure ones included, so
// that the full handshakes reach servers that offer nothing better.
func goSuites() []uint16 {
	var ids []uint16
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		ids = append(ids, s.ID)
	}
	return ids
}

// handshake makes a full crypto/tls handshake with cfg (ServerName, InsecureSkipVerify and
// suites filled in) and returns the connection, its sniffer and the handshake error.
func (a *auditor) handshake(ctx context.Context, cfg *tls.Config) (*tls.Conn, *sniffConn, error) {
	cfg.ServerName = a.opts.ServerName
	cfg.InsecureSkipVerify = true // the chain is judged by verify.Verify, in chain()
	cfg.CipherSuites = goSuites()
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS10
	}
	if a.gone != nil {
		return nil, nil, a.gone
	}
	d := net.Dialer{Timeout: a.timeout}
	raw, err := d.DialContext(ctx, "tcp", a.opts.Addr)
	if err != nil {
		return nil, nil, a.dialFailed(err)
	}
	raw.SetDeadline(time.Now().Add(a.timeout))
	sc := &sniffConn{Conn: raw}
	conn := tls.Client(sc, cfg)
	hctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	if err := conn.HandshakeContext(hctx); err != nil {
		raw.Close()
		return nil, sc, err
	}
	return conn, sc, nil
}
