package tlsaudit

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/internal/tlsprobe"
	"github.com/signet-pki/signet/x509util"
)

// Each test audits real servers started by the test (openssl s_server, gnutls-serv, signet's
// own tls serve) in two settings, and checks that the finding flips with the setting.

func TestAuditProtocolVersions(t *testing.T) {
	t.Parallel()
	modern := runAudit(t, sServer(t))
	old := runAudit(t, sServer(t, "-tls1", "-cipher", "ALL:@SECLEVEL=0"))
	for _, c := range []struct {
		rep        *Report
		v10, v13   Verdict
		ok         bool
		acceptedV1 bool
	}{{modern, OK, OK, true, false}, {old, Fail, Warn, false, true}} {
		if got := verdictOf(t, c.rep, AreaProtocol, "TLS 1.0"); got != c.v10 {
			t.Errorf("TLS 1.0: %s, want %s\n%s", got, c.v10, dump(c.rep))
		}
		if got := verdictOf(t, c.rep, AreaProtocol, "TLS 1.3"); got != c.v13 {
			t.Errorf("TLS 1.3: %s, want %s", got, c.v13)
		}
		if c.rep.OK != c.ok || c.rep.Versions[1].Accepted != c.acceptedV1 {
			t.Errorf("ok %v, versions %+v", c.rep.OK, c.rep.Versions)
		}
	}
	if v := verdictOf(t, modern, AreaProtocol, "SSL 3.0"); v != OK {
		t.Errorf("SSL 3.0: %s", v)
	}
}

// TestAuditCipherSuites: gnutls-serv with an RSA certificate, first with its defaults (no
// RSA key exchange, no 3DES, no RC4), then with them added and its own order enforced.
func TestAuditCipherSuites(t *testing.T) {
	t.Parallel()
	normal := runAudit(t, gnutlsServCert(t, "client", "NORMAL:-VERS-TLS1.3:-RSA"))
	weak := runAudit(t, gnutlsServCert(t, "client", "NORMAL:-VERS-TLS1.3:+3DES-CBC:+RSA:+ARCFOUR-128:%SERVER_PRECEDENCE"))
	for suite, want := range map[string]Verdict{
		"TLS 1.2 TLS_RSA_WITH_3DES_EDE_CBC_SHA":   Fail,
		"TLS 1.2 TLS_ECDHE_RSA_WITH_RC4_128_SHA":  Fail,
		"TLS 1.2 TLS_RSA_WITH_AES_128_GCM_SHA256": Warn, // no forward secrecy
	} {
		if fs := findings(normal, AreaCipher, suite); len(fs) != 0 {
			t.Errorf("defaults: %s found: %+v", suite, fs)
		}
		if got := verdictOf(t, weak, AreaCipher, suite); got != want {
			t.Errorf("weak: %s is %s, want %s", suite, got, want)
		}
	}
	if got := verdictOf(t, normal, AreaCipher, "TLS 1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"); got != OK {
		t.Errorf("a good suite: %s", got)
	}
	if got := verdictOf(t, normal, AreaCipher, "TLS 1.2 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"); got != Warn {
		t.Errorf("a CBC suite: %s", got)
	}
	for _, f := range normal.Findings {
		if f.Area == AreaCipher && f.Verdict == Fail {
			t.Errorf("defaults: %+v", f)
		}
	}
	// Whose order: gnutls follows the client by default, its own with %SERVER_PRECEDENCE.
	if o := normal.version(VersionTLS12).ServerOrder; o == nil || *o {
		t.Errorf("gnutls NORMAL: server order %v", o)
	}
	if o := weak.version(VersionTLS12).ServerOrder; o == nil || !*o {
		t.Errorf("gnutls %%SERVER_PRECEDENCE: server order %v", o)
	}
	if got := verdictOf(t, weak, AreaCipher, "TLS 1.2 order"); got != OK {
		t.Errorf("server order verdict %s", got)
	}
}

func (r *Report) version(v uint16) *VersionReport {
	for i := range r.Versions {
		if r.Versions[i].Version == VersionName(v) {
			return &r.Versions[i]
		}
	}
	return nil
}

// TestAuditOpenSSLOrderAndGroups: openssl s_server with and without -serverpref, and with one
// curve allowed.
func TestAuditOpenSSLOrderAndGroups(t *testing.T) {
	t.Parallel()
	client := runAudit(t, sServer(t, "-tls1_2"))
	server := runAudit(t, sServer(t, "-tls1_2", "-serverpref", "-groups", "P-384"))
	if o := client.version(VersionTLS12).ServerOrder; o == nil || *o {
		t.Errorf("openssl default: server order %v", o)
	}
	if o := server.version(VersionTLS12).ServerOrder; o == nil || !*o {
		t.Errorf("openssl -serverpref: server order %v", o)
	}
	if g := strings.Join(client.version(VersionTLS12).Groups, ","); !strings.Contains(g, "x25519") || !strings.Contains(g, "secp384r1") {
		t.Errorf("openssl default groups: %s", g)
	}
	if g := strings.Join(server.version(VersionTLS12).Groups, ","); g != "secp384r1" {
		t.Errorf("openssl -groups P-384: groups %s", g)
	}
	tls13 := runAudit(t, sServer(t, "-tls1_3", "-groups", "X25519:P-521"))
	if g := strings.Join(tls13.version(VersionTLS13).Groups, ","); g != "x25519,secp521r1" {
		t.Errorf("TLS 1.3 -groups X25519:P-521: groups %s", g)
	}
}

// TestAuditDowngrade: real servers mark the random and honour TLS_FALLBACK_SCSV; a server
// that does neither (brokenServer) fails both checks.
func TestAuditDowngrade(t *testing.T) {
	t.Parallel()
	good := runAudit(t, sServer(t))
	if v := verdictOf(t, good, AreaDowngrade, "TLS 1.3 sentinel"); v != OK {
		t.Errorf("openssl sentinel: %s", v)
	}
	if v := verdictOf(t, good, AreaDowngrade, "TLS_FALLBACK_SCSV"); v != OK {
		t.Errorf("openssl SCSV: %s", v)
	}
	gnutls := runAudit(t, gnutlsServ(t, "NORMAL:+VERS-TLS1.1"))
	for _, s := range []string{"TLS 1.3 sentinel", "TLS 1.1 sentinel", "TLS_FALLBACK_SCSV"} {
		if v := verdictOf(t, gnutls, AreaDowngrade, s); v != OK {
			t.Errorf("gnutls %s: %s", s, v)
		}
	}
	bad := runAudit(t, brokenServer(t))
	if v := verdictOf(t, bad, AreaDowngrade, "TLS 1.3 sentinel"); v != Fail {
		t.Errorf("broken server sentinel: %s\n%s", v, dump(bad))
	}
	if v := verdictOf(t, bad, AreaDowngrade, "TLS_FALLBACK_SCSV"); v != Fail {
		t.Errorf("broken server SCSV: %s", v)
	}
	one := runAudit(t, sServer(t, "-tls1_3"))
	if v := verdictOf(t, one, AreaDowngrade, "TLS_FALLBACK_SCSV"); v != Info {
		t.Errorf("a one-version server: %s", v)
	}
}

// brokenServer answers every ClientHello with a ServerHello for the highest version offered
// (TLS 1.3 through supported_versions), a random of zeros (no downgrade sentinel), the first
// suite offered, and ignores TLS_FALLBACK_SCSV; then it closes. It stands for servers that
// predate RFC 7507 and RFC 8446, which no maintained TLS library is any more.
func brokenServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	testutil.ServeConns(t, ln, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		var hdr [5]byte
		if _, err := io.ReadFull(c, hdr[:]); err != nil {
			return
		}
		body := make([]byte, int(hdr[3])<<8|int(hdr[4]))
		if _, err := io.ReadFull(c, body); err != nil {
			return
		}
		s := cryptobyte.String(body[4:])
		var version, suite uint16
		var random, sid, suites, comp, exts cryptobyte.String
		if !s.ReadUint16(&version) || !s.ReadBytes((*[]byte)(&random), 32) || !s.ReadUint8LengthPrefixed(&sid) ||
			!s.ReadUint16LengthPrefixed(&suites) || !suites.ReadUint16(&suite) || !s.ReadUint8LengthPrefixed(&comp) {
			return
		}
		var tls13 bool
		var group uint16
		if s.ReadUint16LengthPrefixed(&exts) {
			for !exts.Empty() {
				var id uint16
				var data cryptobyte.String
				exts.ReadUint16(&id)
				exts.ReadUint16LengthPrefixed(&data)
				switch id {
				case extSupportedVersions:
					tls13 = true
				case extKeyShare:
					var list cryptobyte.String
					data.ReadUint16LengthPrefixed(&list)
					list.ReadUint16(&group)
				}
			}
		}
		var b cryptobyte.Builder
		b.AddUint8(typeServerHello)
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddUint16(min(version, VersionTLS12))
			b.AddBytes(make([]byte, 32))
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(sid) })
			b.AddUint16(suite)
			b.AddUint8(0)
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				if tls13 {
					b.AddUint16(extSupportedVersions)
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint16(VersionTLS13) })
					b.AddUint16(extKeyShare)
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
						b.AddUint16(group)
						b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(make([]byte, 32)) })
					})
				}
			})
		})
		msg := b.BytesOrPanic()
		c.Write(append([]byte{recordHandshake, 3, 3, byte(len(msg) >> 8), byte(len(msg))}, msg...))
	})
	return ln.Addr().String()
}

// TestAuditResumption: tickets and the session cache switched off one by one.
func TestAuditResumption(t *testing.T) {
	t.Parallel()
	all := runAudit(t, sServer(t))
	none := runAudit(t, sServer(t, "-no_ticket", "-no_cache", "-num_tickets", "0"))
	r, n := all.Resumption, none.Resumption
	if r.SessionID12 == nil || !*r.SessionID12 || n.SessionID12 == nil || *n.SessionID12 {
		t.Errorf("session ID: %v with the cache, %v without", r.SessionID12, n.SessionID12)
	}
	if r.Ticket12 == nil || !*r.Ticket12 || n.Ticket12 == nil || *n.Ticket12 {
		t.Errorf("TLS 1.2 tickets: %v by default, %v with -no_ticket", r.Ticket12, n.Ticket12)
	}
	if r.PSK13 == nil || !*r.PSK13 || n.PSK13 == nil || *n.PSK13 {
		t.Errorf("TLS 1.3 tickets: %v by default, %v with -num_tickets 0", r.PSK13, n.PSK13)
	}
	// OpenSSL's session timeout, 7200 s, is the lifetime of its tickets.
	if r.Ticket12Lifetime == nil || *r.Ticket12Lifetime != 7200 || len(r.Ticket13Lifetimes) == 0 || r.Ticket13Lifetimes[0] != 7200 {
		t.Errorf("lifetimes: %v, %v", r.Ticket12Lifetime, r.Ticket13Lifetimes)
	}
	if v := findings(all, AreaResumption, "TLS 1.3 ticket"); len(v) != 2 || v[1].Verdict != OK {
		t.Errorf("TLS 1.3 ticket findings %+v", v)
	}
	short := runAudit(t, sServer(t, "-tls1_3"), func(o *Options) { o.MaxTicketLifetime = time.Hour })
	if v := findings(short, AreaResumption, "TLS 1.3 ticket"); len(v) != 2 || v[1].Verdict != Warn {
		t.Errorf("a 2 h ticket against a 1 h limit: %+v", v)
	}
}

// TestJudgeLifetime: RFC 8446 4.6.1 caps TLS 1.3 ticket lifetimes at 7 days.
func TestJudgeLifetime(t *testing.T) {
	for _, c := range []struct {
		secs  int64
		tls13 bool
		want  Verdict
	}{{3600, true, OK}, {2 * 86400, true, Warn}, {8 * 86400, true, Fail}, {8 * 86400, false, Warn}, {0, false, Info}} {
		a := &auditor{rep: &Report{}}
		a.judgeLifetime("x", c.secs, c.tls13)
		if got := a.rep.Findings[0].Verdict; got != c.want {
			t.Errorf("%d s (TLS 1.3 %v): %s, want %s", c.secs, c.tls13, got, c.want)
		}
	}
}

// TestAuditRenegotiation: OpenSSL 3 refuses a renegotiation the client starts unless told
// -client_renegotiation; the audit encrypts that second ClientHello itself.
func TestAuditRenegotiation(t *testing.T) {
	t.Parallel()
	refused := runAudit(t, sServer(t, "-tls1_2"))
	allowed := runAudit(t, sServer(t, "-tls1_2", "-client_renegotiation"))
	if c := refused.Renegotiation.ClientInitiated; c == nil || *c {
		t.Errorf("openssl default: client-initiated %v\n%s", c, dump(refused))
	}
	if c := allowed.Renegotiation.ClientInitiated; c == nil || !*c {
		t.Errorf("openssl -client_renegotiation: client-initiated %v\n%s", c, dump(allowed))
	}
	if v := verdictOf(t, allowed, AreaRenegotiation, "client-initiated"); v != Warn {
		t.Errorf("verdict %s", v)
	}
	if s := refused.Renegotiation.Secure; s == nil || !*s {
		t.Errorf("RFC 5746: %v", s)
	}
	// TLS 1.3 has no renegotiation.
	tls13 := runAudit(t, sServer(t, "-tls1_3"))
	if v := verdictOf(t, tls13, AreaRenegotiation, "renegotiation"); v != OK || tls13.Renegotiation.Secure != nil {
		t.Errorf("TLS 1.3 only: %s %+v", v, tls13.Renegotiation)
	}
}

// TestAuditClientAuth: the request and the CA names advertised, from openssl and from signet's
// own tls serve.
func TestAuditClientAuth(t *testing.T) {
	t.Parallel()
	plain := runAudit(t, sServer(t))
	asks := runAudit(t, sServer(t, "-verify", "1", "-CAfile", pki(t, "root-ca.pem")))
	if plain.ClientCertRequested || !asks.ClientCertRequested {
		t.Errorf("requested: %v without -verify, %v with", plain.ClientCertRequested, asks.ClientCertRequested)
	}
	if len(asks.AcceptableCAs) != 1 || asks.AcceptableCAs[0] != "CN=Signet Test Root CA,O=Signet Test" {
		t.Errorf("acceptable CAs %q", asks.AcceptableCAs)
	}
	// signet tls serve requires a client certificate: its CA names come through, and the
	// handshakes resumption needs are reported as not tested.
	srv := signetServe(t, tls.VersionTLS13)
	if !srv.ClientCertRequested || len(srv.AcceptableCAs) != 1 {
		t.Errorf("tls serve: requested %v, CAs %q", srv.ClientCertRequested, srv.AcceptableCAs)
	}
}

// signetServe audits signet's own tls serve (tlsprobe.Serve) with the fixture server
// certificate and the given highest version.
func signetServe(t *testing.T, maxVersion uint16, mod ...func(*Options)) *Report {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(pki(t, "server-chain.pem"), pki(t, "server.key"))
	if err != nil {
		t.Fatal(err)
	}
	roots, err := x509util.LoadCertificates(pki(t, "root-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(roots[0])
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- tlsprobe.Serve(ctx, tlsprobe.ServeOptions{Listener: ln, Certificate: cert, ClientCAs: pool,
			RequireClientCert: true, MaxVersion: maxVersion, HandshakeTimeout: 3 * time.Second})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	return runAudit(t, ln.Addr().String(), mod...)
}

// TestAuditSignetServe: signet's own server, TLS 1.3 allowed or not.
func TestAuditSignetServe(t *testing.T) {
	t.Parallel()
	v13 := signetServe(t, tls.VersionTLS13)
	v12 := signetServe(t, tls.VersionTLS12)
	if v := verdictOf(t, v13, AreaProtocol, "TLS 1.3"); v != OK {
		t.Errorf("tls serve: TLS 1.3 %s", v)
	}
	if v := verdictOf(t, v12, AreaProtocol, "TLS 1.3"); v != Warn {
		t.Errorf("tls serve --max-version 1.2: TLS 1.3 %s", v)
	}
	if v := verdictOf(t, v13, AreaDowngrade, "TLS 1.3 sentinel"); v != OK {
		t.Errorf("Go's sentinel: %s", v)
	}
	if fs := findings(v13, AreaResumption, "TLS 1.2"); len(fs) != 1 || !strings.Contains(fs[0].Detail, "not tested") ||
		!strings.Contains(fs[0].Detail, "give one to test this") {
		t.Errorf("resumption against a server requiring a client certificate: %+v", fs)
	}
	// With a client certificate the handshakes complete: Go's server resumes by ticket in both
	// versions, has no session cache, and refuses renegotiation.
	leaf, _ := os.ReadFile(pki(t, "client.pem"))
	inter, _ := os.ReadFile(pki(t, "int-ca.pem"))
	key, _ := os.ReadFile(pki(t, "client.key"))
	cert, err := tls.X509KeyPair(append(leaf, inter...), key)
	if err != nil {
		t.Fatal(err)
	}
	mtls := signetServe(t, tls.VersionTLS13, func(o *Options) { o.ClientCert = &cert })
	r := mtls.Resumption
	if r.Ticket12 == nil || !*r.Ticket12 || r.PSK13 == nil || !*r.PSK13 || r.SessionID12 == nil || *r.SessionID12 {
		t.Errorf("with a client certificate: resumption %+v\n%s", r, dump(mtls))
	}
	if c := mtls.Renegotiation.ClientInitiated; c == nil || *c {
		t.Errorf("with a client certificate: client-initiated renegotiation %v\n%s", c, dump(mtls))
	}
	if !v13.OK || v13.Failures != 0 {
		t.Errorf("signet tls serve fails its own audit:\n%s", dump(v13))
	}
}

// TestAuditChain: the chain as served, judged with the fixture root.
func TestAuditChain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cat := func(name string, files ...string) string {
		var b []byte
		for _, f := range files {
			d, err := os.ReadFile(pki(t, f))
			if err != nil {
				t.Fatal(err)
			}
			b = append(b, d...)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	startWith := func(chain string) string {
		return startServer(t, "openssl", func(addr string) []string {
			args := []string{"s_server", "-accept", addr, "-cert", pki(t, "server.pem"), "-key", pki(t, "server.key"), "-quiet"}
			if chain != "" {
				args = append(args, "-cert_chain", chain)
			}
			return args
		})
	}
	good := runAudit(t, startWith(cat("good.pem", "int-ca.pem")))
	if v := verdictOf(t, good, AreaCertificate, "trust"); v != OK || good.Verification == nil || !good.Verification.Valid {
		t.Errorf("a good chain: %s\n%s", v, dump(good))
	}
	missing := runAudit(t, startWith(""))
	if fs := findings(missing, AreaCertificate, "trust"); len(fs) != 1 || fs[0].Verdict != Fail || !strings.Contains(fs[0].Detail, "incomplete chain") {
		t.Errorf("no intermediate served: %+v", fs)
	}
	completed := runAudit(t, startWith(""), func(o *Options) {
		ints, err := x509util.LoadCertificates(pki(t, "int-ca.pem"))
		if err != nil {
			t.Fatal(err)
		}
		o.Policy.Intermediates = ints
	})
	if v := verdictOf(t, completed, AreaCertificate, "trust"); v != OK {
		t.Errorf("no intermediate served, but given: %s", v)
	}
	swapped := runAudit(t, startWith(cat("swapped.pem", "root-ca.pem", "int-ca.pem")))
	if v := verdictOf(t, swapped, AreaCertificate, "order"); v != Fail {
		t.Errorf("root before intermediate: order %s", v)
	}
	extra := runAudit(t, startWith(cat("extra.pem", "int-ca.pem", "root-ca.pem")))
	if fs := findings(extra, AreaCertificate, "extra"); len(fs) != 1 || fs[0].Verdict != Info || !strings.Contains(fs[0].Detail, "trust anchor") {
		t.Errorf("the root served: %+v", fs)
	}
	stranger := runAudit(t, startWith(cat("stranger.pem", "int-ca.pem", "eku-ca.pem")))
	if fs := findings(stranger, AreaCertificate, "extra"); len(fs) != 1 || fs[0].Verdict != Warn {
		t.Errorf("an unrelated CA served: %+v\n%s", fs, dump(stranger))
	}
	wrongName := runAudit(t, startWith(cat("good2.pem", "int-ca.pem")), func(o *Options) { o.ServerName = "other.example.com" })
	if v := verdictOf(t, wrongName, AreaCertificate, "names"); v != Fail {
		t.Errorf("another name: %s", v)
	}
	if v := verdictOf(t, wrongName, AreaCertificate, "trust"); v != Fail {
		t.Errorf("another name, trust: %s", v)
	}
	soon := runAudit(t, startWith(cat("good3.pem", "int-ca.pem")), func(o *Options) { o.ExpiryWarning = 30 * 365 * 24 * time.Hour })
	if fs := findings(soon, AreaCertificate, "CN=server.example.com"); len(fs) == 0 || fs[0].Verdict != Warn || !strings.Contains(fs[0].Detail, "expires in") {
		t.Errorf("expiry within the warning: %+v", fs)
	}
}

// TestAuditOCSP: a good, a revoked and no stapled response.
func TestAuditOCSP(t *testing.T) {
	t.Parallel()
	good, revoked := ocspResponse(t, "V"), ocspResponse(t, "R")
	for _, c := range []struct {
		flags []string
		want  Verdict
		text  string
	}{
		{nil, Info, "no OCSP response stapled"},
		{[]string{"-status_file", good}, OK, "a good OCSP response is stapled"},
		{[]string{"-status_file", revoked}, Fail, "revoked"},
	} {
		rep := runAudit(t, sServer(t, c.flags...))
		fs := findings(rep, AreaOCSP, "staple")
		if len(fs) != 1 || fs[0].Verdict != c.want || !strings.Contains(fs[0].Detail, c.text) {
			t.Errorf("%v: %+v", c.flags, fs)
		}
	}
	// The good response (nextUpdate one day on) judged three days later: stale.
	later := runAudit(t, sServer(t, "-status_file", good), func(o *Options) { o.Policy.At = time.Now().Add(72 * time.Hour) })
	if fs := findings(later, AreaOCSP, "staple"); len(fs) != 1 || fs[0].Verdict != Fail || !strings.Contains(fs[0].Detail, "cannot be used") {
		t.Errorf("a stale staple: %+v", fs)
	}
}

// ocspResponse has openssl answer, as the fixture intermediate, for the fixture server
// certificate with the given index status ("V" or "R").
func ocspResponse(t *testing.T, status string) string {
	t.Helper()
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	certs, err := x509util.LoadCertificateFile(pki(t, "server.pem"))
	if err != nil {
		t.Fatal(err)
	}
	c := certs[0]
	rev := ""
	if status == "R" {
		rev = "250601000000Z,keyCompromise"
	}
	index := filepath.Join(dir, "index.txt")
	line := fmt.Sprintf("%s\t%s\t%s\t%X\tunknown\t/CN=x\n", status, c.NotAfter.UTC().Format("060102150405Z"), rev, c.SerialNumber)
	if err := os.WriteFile(index, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	ca, key := pki(t, "int-ca.pem"), pki(t, "int-ca.key")
	req, resp := filepath.Join(dir, "req.der"), filepath.Join(dir, "resp.der")
	testutil.Run(t, openssl, "ocsp", "-issuer", ca, "-cert", pki(t, "server.pem"), "-no_nonce", "-reqout", req)
	testutil.Run(t, openssl, "ocsp", "-index", index, "-CA", ca, "-rsigner", ca, "-rkey", key, "-reqin", req, "-respout", resp, "-ndays", "1")
	return resp
}

func TestAuditUnreachable(t *testing.T) {
	t.Parallel()
	_, err := Audit(context.Background(), Options{Addr: freeAddr(t), Timeout: time.Second})
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("Audit of a closed port: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Audit(ctx, Options{Addr: sServer(t), Timeout: time.Second, Policy: fixturePolicy(t)}); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled audit: %v", err)
	}
}

// FuzzServerHello: the reader of the server's first flight never panics and never reads past
// its bound, whatever the bytes.
func FuzzServerHello(f *testing.F) {
	f.Add([]byte{22, 3, 3, 0, 4, 2, 0, 0, 0}, false)
	f.Add([]byte{21, 3, 3, 0, 2, 2, 40}, false)
	f.Add(append([]byte{22, 3, 3, 0, 42, 2, 0, 0, 38, 3, 3}, make([]byte, 36)...), true)
	f.Fuzz(func(t *testing.T, data []byte, ske bool) {
		sh, err := readServerHello(strings.NewReader(string(data)), ske)
		if err == nil && sh == nil {
			t.Fatal("no ServerHello and no error")
		}
		parseServerHello(data)
		records(data)
		splitHandshake(data)
	})
}

// TestAuditNotTLS: a server that does not speak TLS fails the audit in one finding, after the
// versions, without probing further.
func TestAuditNotTLS(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
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
			io.WriteString(c, "-ERR unknown command\r\n")
			c.Close()
		}
	}()
	rep := runAudit(t, ln.Addr().String())
	if rep.OK || rep.Failures != 1 || len(rep.Findings) != 6 || rep.Findings[5].Subject != "handshake" {
		t.Errorf("a server that is not TLS:\n%s", dump(rep))
	}
}
