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
//     are not found. DSS and static (EC)DH suites are not all listed.
//   - A server that requires a client certificate lets no anonymous handshake complete:
//     without Options.ClientCert, resumption and renegotiation are reported as not tested.
//   - Only what the server sends is judged: no intermediate is fetched (no network beyond the
//     server), so an incomplete chain fails unless Policy.Intermediates completes it.
package tlsaudit

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
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
}

func (a *auditor) add(v Verdict, area, subject, format string, args ...any) {
	a.rep.Findings = append(a.rep.Findings, Finding{Verdict: v, Area: area, Subject: subject, Detail: fmt.Sprintf(format, args...)})
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
		if i == 0 && len(a.hellos) == 0 {
			break // no TLS spoken there: nothing further to probe
		}
	}
	a.rep.OK = a.rep.Failures == 0
	return a.rep, nil
}

// probe runs one raw probe; network failures other than a refusal stop the audit.
func (a *auditor) probe(ctx context.Context, h *hello) (*serverHello, error) {
	h.serverName = a.opts.ServerName
	sh, err := probe(ctx, a.opts.Addr, a.timeout, h)
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

func (a *auditor) accepted(v uint16) bool { return a.hellos[v] != nil }

func (a *auditor) versions(ctx context.Context) error {
	for _, v := range probedVersions {
		vr := VersionReport{Version: VersionName(v)}
		sh, err := a.probe(ctx, versionHello(v, suitesFor(v)))
		switch {
		case err == nil && sh.version == v:
			vr.Accepted = true
			a.hellos[v] = sh
		case err == nil:
			vr.Answer = "chose " + VersionName(sh.version)
		case ctx.Err() != nil:
			return ctx.Err()
		default:
			vr.Answer = answer(err)
		}
		a.rep.Versions = append(a.rep.Versions, vr)
		name := VersionName(v)
		switch {
		case vr.Accepted && v <= VersionTLS11:
			a.add(Fail, AreaProtocol, name, "accepted; %s is obsolete (RFC 8996)", name)
		case vr.Accepted:
			a.add(OK, AreaProtocol, name, "accepted")
		case v == VersionTLS13:
			a.add(Warn, AreaProtocol, name, "not accepted (%s)", vr.Answer)
		case v == VersionTLS12 && !a.accepted(VersionTLS13):
			a.add(Warn, AreaProtocol, name, "not accepted (%s)", vr.Answer)
		default:
			a.add(OK, AreaProtocol, name, "not accepted (%s)", vr.Answer)
		}
	}
	if len(a.hellos) == 0 {
		a.add(Fail, AreaProtocol, "handshake", "no protocol version offered was accepted: is it a TLS server?")
	}
	return nil
}

func (a *auditor) version(v uint16) *VersionReport {
	for i := range a.rep.Versions {
		if a.rep.Versions[i].Version == VersionName(v) {
			return &a.rep.Versions[i]
		}
	}
	return nil
}

// ciphers enumerates the suites of each accepted version: offer all, note the one chosen,
// offer the rest, until the server refuses; then offer the accepted ones in reverse to see
// whose order wins.
func (a *auditor) ciphers(ctx context.Context) error {
	for _, v := range probedVersions {
		if !a.accepted(v) {
			continue
		}
		vr := a.version(v)
		remaining := suitesFor(v)
		var got []uint16
		for len(remaining) > 0 {
			sh, err := a.probe(ctx, versionHello(v, remaining))
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil || sh.version != v || !slices.Contains(remaining, sh.suite) {
				break
			}
			got = append(got, sh.suite)
			remaining = slices.DeleteFunc(remaining, func(id uint16) bool { return id == sh.suite })
		}
		for _, id := range got {
			info := suiteByID[id]
			sr := SuiteReport{Name: suiteName(id), ID: fmt.Sprintf("0x%04x", id)}
			if info != nil {
				sr.Weak = info.weak
			}
			vr.Suites = append(vr.Suites, sr)
			subject := vr.Version + " " + sr.Name
			switch {
			case len(sr.Weak) == 0:
				a.add(OK, AreaCipher, subject, "accepted")
			case slices.ContainsFunc(sr.Weak, func(w string) bool { return severe[w] }):
				a.add(Fail, AreaCipher, subject, "accepted; weak: %s", strings.Join(sr.Weak, ", "))
			default:
				a.add(Warn, AreaCipher, subject, "accepted; weak: %s", strings.Join(sr.Weak, ", "))
			}
		}
		if len(got) == 0 {
			a.add(Warn, AreaCipher, vr.Version, "the version is accepted but none of the %d suites offered one by one", len(suitesFor(v)))
			continue
		}
		if len(got) < 2 {
			continue
		}
		rev := slices.Clone(got)
		slices.Reverse(rev)
		sh, err := a.probe(ctx, versionHello(v, rev))
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			continue
		}
		server := sh.suite == got[0]
		vr.ServerOrder = &server
		if server {
			a.add(OK, AreaCipher, vr.Version+" order", "the server chooses by its own preference: %s first", suiteName(got[0]))
		} else {
			verdict := Info
			if v < VersionTLS13 && slices.ContainsFunc(got, func(id uint16) bool { return suiteByID[id] != nil && len(suiteByID[id].weak) > 0 }) {
				verdict = Warn // a client that prefers a weak suite gets it
			}
			a.add(verdict, AreaCipher, vr.Version+" order", "the server follows the client's order (it chose %s when offered last-first)", suiteName(sh.suite))
		}
	}
	return nil
}

// groups offers each group alone for TLS 1.3 (with its key share) and each elliptic curve
// with ECDHE suites for TLS 1.2, reading the curve the ServerKeyExchange names. In TLS 1.2
// the supported_groups extension also limits the curve of an ECDSA certificate, so a curve
// refused alone is offered again beside the leaf's own.
func (a *auditor) groups(ctx context.Context) error {
	for _, v := range []uint16{VersionTLS13, VersionTLS12} {
		if !a.accepted(v) {
			continue
		}
		vr := a.version(v)
		var ecdhe []uint16
		for _, s := range suitesFor(v) {
			if info := suiteByID[s]; v == VersionTLS12 && info.kex == "ECDHE" {
				ecdhe = append(ecdhe, s)
			}
		}
		for _, g := range groups {
			var h *hello
			if v == VersionTLS13 {
				h = versionHello(v, suitesFor(v))
				h.groups, h.keyShares = []uint16{g}, []uint16{g}
			} else {
				if !ecGroup(g) {
					continue
				}
				h = versionHello(v, ecdhe)
				h.groups, h.wantSKE = []uint16{g}, true
			}
			sh, err := a.probe(ctx, h)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if v == VersionTLS12 && (err != nil || sh.skeGroup != g) && a.leafCurve != 0 && a.leafCurve != g {
				h.groups = []uint16{g, a.leafCurve}
				sh, err = a.probe(ctx, h)
				if ctx.Err() != nil {
					return ctx.Err()
				}
			}
			switch {
			case err != nil || sh.version != v:
			case v == VersionTLS13 && sh.group == g, v == VersionTLS12 && sh.skeGroup == g:
				vr.Groups = append(vr.Groups, GroupName(g))
			}
		}
		if len(vr.Groups) == 0 {
			if v == VersionTLS12 {
				a.add(Info, AreaGroup, vr.Version, "no ECDHE with any curve offered alone")
			} else {
				a.add(Warn, AreaGroup, vr.Version, "no group offered alone was accepted")
			}
			continue
		}
		a.add(Info, AreaGroup, vr.Version, "key exchange groups: %s", strings.Join(vr.Groups, ", "))
	}
	return nil
}

// downgrade checks the TLS 1.3 downgrade sentinel and TLS_FALLBACK_SCSV.
func (a *auditor) downgrade(ctx context.Context) error {
	if sh := a.hellos[VersionTLS12]; sh != nil && a.accepted(VersionTLS13) {
		if string(sh.random[24:]) == string(downgradeTLS12) {
			a.add(OK, AreaDowngrade, "TLS 1.3 sentinel", "offered TLS 1.2 alone, the server marks ServerHello.random with DOWNGRD\\x01 (RFC 8446 4.1.3)")
		} else {
			a.add(Fail, AreaDowngrade, "TLS 1.3 sentinel", "offered TLS 1.2 alone, the server accepts TLS 1.3 but ServerHello.random lacks DOWNGRD\\x01 (RFC 8446 4.1.3): a downgrade would go unnoticed")
		}
	}
	for _, old := range []uint16{VersionTLS11, VersionTLS10} {
		sh := a.hellos[old]
		if sh == nil || !(a.accepted(VersionTLS12) || a.accepted(VersionTLS13)) {
			continue
		}
		name := VersionName(old)
		switch {
		case string(sh.random[24:]) == string(downgradeTLS11):
			a.add(OK, AreaDowngrade, name+" sentinel", "offered %s alone, the server marks ServerHello.random with DOWNGRD\\x00", name)
		case a.accepted(VersionTLS13):
			a.add(Fail, AreaDowngrade, name+" sentinel", "offered %s alone, the server accepts TLS 1.3 but ServerHello.random lacks DOWNGRD\\x00 (RFC 8446 4.1.3)", name)
		default:
			a.add(Warn, AreaDowngrade, name+" sentinel", "offered %s alone, ServerHello.random lacks DOWNGRD\\x00, which TLS 1.2 servers should send (RFC 8446 4.1.3)", name)
		}
	}

	var acc []uint16
	for _, v := range probedVersions {
		if a.accepted(v) {
			acc = append(acc, v)
		}
	}
	if len(acc) < 2 {
		a.add(Info, AreaDowngrade, "TLS_FALLBACK_SCSV", "not applicable: the server accepts one protocol version")
		return nil
	}
	top, below := acc[len(acc)-1], acc[len(acc)-2]
	h := versionHello(below, append(suitesFor(below), scsvFallback))
	sh, err := a.probe(ctx, h)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ae *AlertError
	switch {
	case err == nil:
		a.add(Fail, AreaDowngrade, "TLS_FALLBACK_SCSV", "offered %s with TLS_FALLBACK_SCSV, the server accepted %s though it speaks %s (RFC 7507)", VersionName(below), VersionName(sh.version), VersionName(top))
	case errors.As(err, &ae) && ae.Description == alertInappropriateFallbck:
		a.add(OK, AreaDowngrade, "TLS_FALLBACK_SCSV", "offered %s with TLS_FALLBACK_SCSV, the server answers inappropriate_fallback (RFC 7507)", VersionName(below))
	default:
		a.add(Warn, AreaDowngrade, "TLS_FALLBACK_SCSV", "offered %s with TLS_FALLBACK_SCSV, the server refused with %s, not inappropriate_fallback (RFC 7507)", VersionName(below), answer(err))
	}
	return nil
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
	d := net.Dialer{Timeout: a.timeout}
	raw, err := d.DialContext(ctx, "tcp", a.opts.Addr)
	if err != nil {
		return nil, nil, err
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

func summarize(c *x509.Certificate) ChainCert {
	sum := sha256.Sum256(c.Raw)
	return ChainCert{
		Subject:            x509util.FormatName(c.Subject),
		Issuer:             x509util.FormatName(c.Issuer),
		SHA256:             hex.EncodeToString(sum[:]),
		NotAfter:           c.NotAfter.UTC().Format(time.RFC3339),
		Key:                describeKey(c.PublicKey),
		SignatureAlgorithm: c.SignatureAlgorithm.String(),
	}
}

func describeKey(pub any) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}

// chain makes a full handshake, and judges the chain served, the OCSP staple and the
// client certificate request.
func (a *auditor) chain(ctx context.Context) error {
	var served []*x509.Certificate
	var stapled []byte
	var parseErr error
	cfg := &tls.Config{
		VerifyConnection: func(cs tls.ConnectionState) error {
			for _, pc := range cs.PeerCertificates {
				c, err := x509util.ParseCertificate(pc.Raw)
				if err != nil {
					parseErr = err
					return err
				}
				served = append(served, c)
			}
			stapled = cs.OCSPResponse
			return nil
		},
		GetClientCertificate: func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
			a.rep.ClientCertRequested = true
			for _, dn := range cri.AcceptableCAs {
				a.rep.AcceptableCAs = append(a.rep.AcceptableCAs, describeDN(dn))
			}
			return a.clientCert(cri)
		},
	}
	conn, _, err := a.handshake(ctx, cfg)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if conn != nil {
		conn.Close()
	}
	if a.rep.ClientCertRequested {
		cas := "any"
		if len(a.rep.AcceptableCAs) > 0 {
			cas = strings.Join(a.rep.AcceptableCAs, "; ")
		}
		a.add(Info, AreaClientAuth, "certificate request", "the server asks for a client certificate; acceptable CAs: %s", cas)
	} else if len(served) > 0 {
		a.add(Info, AreaClientAuth, "certificate request", "the server does not ask for a client certificate")
	}
	switch {
	case parseErr != nil:
		a.add(Fail, AreaCertificate, "chain", "a served certificate does not parse: %v", parseErr)
		return nil
	case len(served) == 0 && err != nil:
		a.add(Fail, AreaCertificate, "chain", "no handshake completed to read the chain: %v", err)
		return nil
	case len(served) == 0:
		a.add(Fail, AreaCertificate, "chain", "the server sent no certificate")
		return nil
	}
	for _, c := range served {
		a.rep.Chain = append(a.rep.Chain, summarize(c))
	}
	if k, ok := served[0].PublicKey.(*ecdsa.PublicKey); ok {
		a.leafCurve = map[string]uint16{"P-256": groupP256, "P-384": groupP384, "P-521": groupP521}[k.Curve.Params().Name]
	}
	a.judgeChain(served)
	a.judgeOCSP(served, stapled)
	return nil
}

func (a *auditor) judgeChain(served []*x509.Certificate) {
	leaf := served[0]
	now := a.opts.Policy.At
	if now.IsZero() {
		now = time.Now()
	}
	// Order: each certificate is issued by the next one.
	inOrder := true
	for i := 0; i+1 < len(served); i++ {
		if !issuedBy(served[i], served[i+1]) {
			inOrder = false
			a.add(Fail, AreaCertificate, "order", "certificate %d (%s) is not issued by certificate %d (%s): the chain is out of order or holds a stranger",
				i, x509util.FormatName(served[i].Subject), i+1, x509util.FormatName(served[i+1].Subject))
			break
		}
	}
	if inOrder {
		a.add(OK, AreaCertificate, "order", "%d certificate(s), each issued by the next", len(served))
	}

	// The policy engine's verdict.
	p := a.opts.Policy
	if ip := net.ParseIP(a.opts.ServerName); ip != nil {
		p.IP = ip
	} else {
		p.DNSName = a.opts.ServerName
	}
	if len(p.EKUs) == 0 && len(p.UnknownEKUs) == 0 {
		p.EKUs = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	res, err := verify.Verify(leaf, served[1:], p)
	a.rep.Verification = res
	var ve *verify.Error
	switch {
	case err == nil:
		a.add(OK, AreaCertificate, "trust", "valid for %s under the policy (%s profile): %s", a.opts.ServerName, profileName(p.Profile), pathString(res))
	case errors.As(err, &ve) && ve.Reason == verify.UnknownAuthority && res != nil && missingIssuer(res):
		a.add(Fail, AreaCertificate, "trust", "incomplete chain: the issuer of %s is neither served nor trusted (a missing intermediate?): %v", lastOf(res), err)
	case err != nil:
		a.add(Fail, AreaCertificate, "trust", "%v", err)
	}
	if res != nil && err == nil {
		inPath := map[string]bool{}
		for _, c := range res.Chain {
			inPath[c.SHA256] = true
			if c.TrustAnchor {
				for _, s := range served {
					if x509util.CertificateFingerprint(s) == c.SHA256 {
						a.add(Info, AreaCertificate, "extra", "the trust anchor %s is served: clients have it already", x509util.FormatName(s.Subject))
					}
				}
			}
		}
		for _, s := range served {
			if !inPath[x509util.CertificateFingerprint(s)] {
				a.add(Warn, AreaCertificate, "extra", "%s is served but not part of the path", x509util.FormatName(s.Subject))
			}
		}
	}

	// The leaf's names against the host, whatever the trust verdict.
	names := slices.Clone(leaf.DNSNames)
	for _, ip := range leaf.IPAddresses {
		names = append(names, ip.String())
	}
	if err := leaf.VerifyHostname(a.opts.ServerName); err != nil {
		a.add(Fail, AreaCertificate, "names", "the leaf is not valid for %s (its names: %s)", a.opts.ServerName, orNone(names))
	} else {
		a.add(OK, AreaCertificate, "names", "the leaf is valid for %s (its names: %s)", a.opts.ServerName, strings.Join(names, ", "))
	}

	warnAt := a.opts.ExpiryWarning
	if warnAt == 0 {
		warnAt = 30 * 24 * time.Hour
	}
	for i, c := range served {
		who := x509util.FormatName(c.Subject)
		days := int(c.NotAfter.Sub(now).Hours() / 24)
		switch {
		case now.After(c.NotAfter):
			a.add(Fail, AreaCertificate, who, "expired %s", c.NotAfter.UTC().Format(time.RFC3339))
		case now.Before(c.NotBefore):
			a.add(Fail, AreaCertificate, who, "not valid before %s", c.NotBefore.UTC().Format(time.RFC3339))
		case c.NotAfter.Sub(now) < warnAt:
			a.add(Warn, AreaCertificate, who, "expires in %d days (%s)", days, c.NotAfter.UTC().Format("2006-01-02"))
		case i == 0:
			a.add(OK, AreaCertificate, who, "expires in %d days (%s)", days, c.NotAfter.UTC().Format("2006-01-02"))
		}
		key := describeKey(c.PublicKey)
		if k, ok := c.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() < 2048 {
			a.add(Fail, AreaCertificate, who, "key %s: under 2048 bits", key)
		} else if i == 0 {
			a.add(OK, AreaCertificate, who, "key %s", key)
		}
		selfSigned := c.CheckSignatureFrom(c) == nil
		switch c.SignatureAlgorithm {
		case x509.MD5WithRSA, x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.DSAWithSHA1, x509.MD2WithRSA:
			if selfSigned {
				a.add(Info, AreaCertificate, who, "self-signed with %s (a trust anchor's own signature is not relied on)", c.SignatureAlgorithm)
			} else {
				a.add(Fail, AreaCertificate, who, "signed with %s, a broken hash", c.SignatureAlgorithm)
			}
		default:
			if i == 0 {
				a.add(OK, AreaCertificate, who, "signed with %s", c.SignatureAlgorithm)
			}
		}
	}
}

func issuedBy(child, parent *x509.Certificate) bool {
	return string(child.RawIssuer) == string(parent.RawSubject) && child.CheckSignatureFrom(parent) == nil
}

func profileName(p verify.Profile) string {
	if p == "" {
		return string(verify.ProfileRFC5280)
	}
	return string(p)
}

func pathString(res *verify.Result) string {
	var parts []string
	for _, c := range res.Chain {
		parts = append(parts, c.Subject)
	}
	return strings.Join(parts, " → ")
}

// missingIssuer reports whether the longest path built ends in a certificate that is not
// self-issued: its issuer was never found.
func missingIssuer(res *verify.Result) bool {
	if len(res.Chain) == 0 {
		return false
	}
	last := res.Chain[len(res.Chain)-1]
	return !last.TrustAnchor && last.Certificate != nil && string(last.Certificate.RawIssuer) != string(last.Certificate.RawSubject)
}

func lastOf(res *verify.Result) string { return res.Chain[len(res.Chain)-1].Subject }

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// judgeOCSP checks a stapled OCSP response with the policy engine (RFC 6960: signed by the
// issuer or a responder it delegated, current at the validation time): the staple alone,
// without the CRLs given, must settle the leaf's status.
func (a *auditor) judgeOCSP(served []*x509.Certificate, stapled []byte) {
	a.rep.OCSPStapled = len(stapled) > 0
	if len(stapled) == 0 {
		a.add(Info, AreaOCSP, "staple", "no OCSP response stapled")
		return
	}
	leaf := served[0]
	p := a.opts.Policy
	if ip := net.ParseIP(a.opts.ServerName); ip != nil {
		p.IP = ip
	} else {
		p.DNSName = a.opts.ServerName
	}
	p.CRLs, p.RequireCRL = nil, true
	p.OCSP = append(append([][]byte{}, p.OCSP...), stapled)
	res, err := verify.Verify(leaf, served[1:], p)
	settled := false
	if res != nil {
		for _, c := range res.Checks {
			if c.Check == verify.CheckRevocation && c.Status == verify.Pass && c.Subject == verify.Name(leaf) {
				settled = true
			}
		}
	}
	when := ""
	if resp, perr := ocsp.ParseResponse(stapled, nil); perr == nil {
		when = " (thisUpdate " + resp.ThisUpdate.UTC().Format(time.RFC3339)
		if !resp.NextUpdate.IsZero() {
			when += ", nextUpdate " + resp.NextUpdate.UTC().Format(time.RFC3339)
		}
		when += ")"
	}
	var ve *verify.Error
	switch {
	case errors.As(err, &ve) && ve.Reason == verify.Revoked && ve.Cert != nil && ve.Cert.Equal(leaf):
		a.add(Fail, AreaOCSP, "staple", "the stapled OCSP response says the leaf is revoked: %v", err)
	case errors.As(err, &ve) && ve.Reason == verify.CRLInvalid:
		a.add(Fail, AreaOCSP, "staple", "the stapled OCSP response cannot be used (not signed by the issuer or its delegate, or not current)%s: %v", when, err)
	case settled:
		a.add(OK, AreaOCSP, "staple", "a good OCSP response is stapled, signed by the issuer or its delegate, current%s", when)
	case err != nil && (ve == nil || ve.Reason != verify.CRLMissing):
		a.add(Fail, AreaOCSP, "staple", "an OCSP response is stapled but cannot be checked: %v", err)
	default:
		a.add(Fail, AreaOCSP, "staple", "the stapled OCSP response does not settle the leaf's status (about another certificate, or status unknown)%s", when)
	}
}

// describeDN renders a DER distinguished name from a CertificateRequest, escaped: the server
// chose it, and it is printed.
func describeDN(der []byte) string {
	var seq pkix.RDNSequence
	if rest, err := asn1.Unmarshal(der, &seq); err == nil && len(rest) == 0 {
		var name pkix.Name
		name.FillFromRDNSequence(&seq)
		return x509util.FormatName(name)
	}
	return hex.EncodeToString(der)
}
