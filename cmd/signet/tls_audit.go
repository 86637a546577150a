package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/internal/keyref"
	"github.com/signet-pki/signet/internal/tlsaudit"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

const tlsAuditHelp = `Says what the server at HOST:PORT really accepts, one verdict per line (OK, INFO, WARN,
FAIL), from real connections made one after another: protocol versions, cipher suites and
their order, key exchange groups, downgrade protection, the chain as served and its
verdict, an OCSP staple, client-certificate requests, resumption and renegotiation.
Exit 0 when no line says FAIL (with --fail-on warn, none says WARN either).
` + moreHelp + `
The areas:

  protocol       SSL 3.0 and TLS 1.0 to 1.3, each offered alone; accepting 1.0 or 1.1 fails
                 (RFC 8996)
  cipher         the suites accepted per version, found by offering every suite signet knows
                 and taking away the one chosen until the server refuses, then what is left
                 again one key exchange and authentication at a time; then the accepted
                 ones in reverse order, to see whether the server honours its own order.
                 RSA key exchange (no forward secrecy) and CBC warn; 3DES, RC4, DES, export,
                 NULL, anonymous and MD5 suites fail
  group          key exchange groups, each offered alone: TLS 1.3 with its key share
                 (X25519MLKEM768, x25519, P-256/384/521, x448, ffdhe2048-4096), TLS 1.2 ECDHE
                 curves as its ServerKeyExchange names them (a curve the server's ECDSA
                 certificate keeps from being asked about alone is said not determined)
  downgrade      the TLS 1.3 downgrade sentinel (DOWNGRD in ServerHello.random, RFC 8446
                 4.1.3) when 1.2 or lower is offered alone, and TLS_FALLBACK_SCSV (RFC 7507):
                 a hello one version below the highest must get inappropriate_fallback
  certificate    the chain as served: order, extra certificates, the trust anchor sent, the
                 leaf's names against the server name, days to expiry (WARN within
                 --expiry-warning), key size, signature algorithms; and the verdict of signet's
                 policy engine ('signet cert verify'), serverAuth and the name required; a
                 chain missing an intermediate fails (nothing is fetched), and so does one of
                 more than 10 certificates, unjudged, and a leaf whose key usage leaves out
                 digitalSignature (the server signs the handshake; tls check refuses it)
  ocsp           a stapled OCSP response: signed by the issuer or its delegate, good, current
  client-auth    whether a client certificate is requested, and the CA names advertised
  resumption     TLS 1.2 by session ID and by ticket, TLS 1.3 by PSK ticket: does a second
                 connection resume; the ticket lifetime (WARN above --max-ticket-lifetime,
                 FAIL above 7 days in TLS 1.3)
  renegotiation  the RFC 5746 indication, and whether a renegotiation the client starts is
                 accepted (WARN)

How: versions, suites, groups, the sentinel, TLS_FALLBACK_SCSV and the RFC 5746 indication are
probed with ClientHellos that signet writes byte by byte (golang.org/x/crypto/cryptobyte),
reading only the server's ServerHello or alert, because Go's crypto/tls cannot offer SSL 3.0,
RC4, export or NULL suites, one version or group alone, or the SCSVs. The chain, the OCSP
staple, the client certificate request and resumption come from whole handshakes made with
crypto/tls; the TLS 1.3 ticket lifetime is read by decrypting the server's NewSessionTicket
with the connection's own traffic secret. A client-initiated renegotiation is a second
ClientHello that signet encrypts itself with the keys of a TLS 1.2 AES-GCM connection.

A server that requires a client certificate lets no anonymous handshake complete: give
--key (a key file, a .p12 or a pkcs11: URI) and --cert to present one, or resumption and
renegotiation are reported as not tested. Only suites and groups signet knows are found.

Trust is explicit, as for 'signet tls check': --roots FILE (repeatable) or --system-roots;
with neither, the root of 'signet init'. The chain goes through the path validation of
'signet cert verify' (the chain sent as intermediates, --intermediates added), and:
` + pathFlagsHelp + `

Exit 0 when no line says FAIL (with --fail-on warn, none says WARN either), 1 otherwise or
when the server cannot be reached.

JSON (--json): {address, server_name, versions[] {version, accepted, answer, cipher_suites[]
{name, id, weak[]}, server_order, groups[], groups_undetermined[]}, resumption {tls12_session_id, tls12_ticket,
tls12_ticket_lifetime_hint, tls13_psk, tls13_ticket_lifetimes[]}, renegotiation {secure,
client_initiated}, chain[] {subject, issuer, sha256, not_after, key, signature_algorithm},
verification (as 'signet cert verify --json'), ocsp_stapled, client_cert_requested,
acceptable_cas[], findings[] {verdict, area, subject, detail}, failures, warnings, ok}.

EXAMPLES:
   signet tls audit 127.0.0.1:8443 --server-name www.example.com --roots root.pem
   signet tls audit 127.0.0.1:8443 --server-name www.example.com --roots root.pem --json
   # CBC suites and the like are warnings; with --fail-on warn they fail the run: exit 1
   signet tls audit 127.0.0.1:8443 --server-name www.example.com --roots root.pem --fail-on warn`

func tlsAuditCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:        "audit",
		Usage:       "say what a TLS server accepts: versions, suites, groups, downgrade, resumption, chain",
		ArgsUsage:   "HOST:PORT",
		Description: tlsAuditHelp,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "cert", Usage: "client certificate `FILE` to present when asked (PEM; the chain may follow the leaf)", TakesFile: true},
			keyFlag("client key `KEYREF`: a key file or a pkcs11: URI"),
			passphraseFileFlag(),
			moduleFlag(),
			repeatedFlag("roots", "trust the certificates in `FILE` (PEM, DER, or a directory); repeatable"),
			&cli.BoolFlag{Name: "system-roots", Usage: "also trust the operating system's root store"},
			&cli.StringFlag{Name: "server-name", Usage: "the `NAME` sent as SNI and required of the leaf (default: the host of HOST:PORT)"},
			repeatedFlag("intermediates", "untrusted CA certificates in `FILE` that may complete the server's chain; repeatable"),
			repeatedFlag("crl", "check the server's chain against the CRLs in `FILE`; repeatable"),
			&cli.DurationFlag{Name: "timeout", Value: 5 * time.Second, Usage: "`DURATION` bound on each connection"},
			&cli.IntFlag{Name: "expiry-warning", Value: 30, Usage: "warn when a served certificate expires within `DAYS`"},
			&cli.DurationFlag{Name: "max-ticket-lifetime", Value: 24 * time.Hour, Usage: "warn about session tickets that live longer than `DURATION`"},
			&cli.StringFlag{Name: "fail-on", Value: "fail", Usage: "exit 1 on a `VERDICT` of fail, or also on warn"},
			jsonFlag(),
		}, pathFlags()...),
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("give one HOST:PORT (see 'signet tls audit --help')")
			}
			addr := c.Args().First()
			if _, _, err := net.SplitHostPort(addr); err != nil {
				return usagef("%q is not HOST:PORT", addr)
			}
			failOnWarn := false
			switch c.String("fail-on") {
			case "fail":
			case "warn":
				failOnWarn = true
			default:
				return usagef("--fail-on %q: use fail or warn", c.String("fail-on"))
			}
			if c.Int("expiry-warning") < 0 {
				return usagef("--expiry-warning %d: give a number of days, 0 or more", c.Int("expiry-warning"))
			}
			roots, err := trustAnchors(e, repeatedValues(c, "roots"), c.Bool("system-roots"), "roots")
			if err != nil {
				return err
			}
			policy := verify.Policy{Roots: roots.certs, SystemRoots: roots.system}
			if err := loadServerPolicy(c, &policy); err != nil {
				return err
			}
			if c.IsSet("cert") && !c.IsSet("key") {
				return usagef("--cert needs --key")
			}
			var clientCert *tls.Certificate
			if c.IsSet("key") {
				key, err := keyref.Open(c.String("key"), keyOptions(e, c))
				if err != nil {
					return err
				}
				defer key.Close()
				if clientCert, err = clientCertificate(key, c.String("cert")); err != nil {
					return err
				}
			}
			rep, err := tlsaudit.Audit(c.Context, tlsaudit.Options{
				ClientCert:        clientCert,
				Addr:              addr,
				ServerName:        c.String("server-name"),
				Policy:            policy,
				Timeout:           c.Duration("timeout"),
				ExpiryWarning:     time.Duration(c.Int("expiry-warning")) * 24 * time.Hour,
				MaxTicketLifetime: c.Duration("max-ticket-lifetime"),
			})
			if err := c.Context.Err(); err != nil {
				return fmt.Errorf("interrupted: %w", err)
			}
			if errors.Is(err, tlsaudit.ErrUnreachable) {
				return &codedError{code: exitCheckFailed, msg: err.Error()}
			}
			if err != nil {
				return err
			}
			if c.Bool("json") {
				if err := writeJSON(e.stdout, rep); err != nil {
					return err
				}
			} else {
				printAudit(e.stdout, rep, failOnWarn)
			}
			if rep.Failures > 0 || failOnWarn && rep.Warnings > 0 {
				return &codedError{code: exitCheckFailed}
			}
			return nil
		},
	}
}

// loadServerPolicy fills the path-validation flags, --intermediates, --crl and --ocsp into p.
func loadServerPolicy(c *cli.Context, p *verify.Policy) error {
	ocspFiles, err := parsePathFlags(c, p)
	if err != nil {
		return err
	}
	if f := repeatedValues(c, "intermediates"); len(f) > 0 {
		if p.Intermediates, err = x509util.LoadCertificates(f...); err != nil {
			return err
		}
	}
	if f := repeatedValues(c, "crl"); len(f) > 0 {
		if p.CRLs, err = x509util.LoadCRLs(f...); err != nil {
			return err
		}
	}
	if len(ocspFiles) > 0 {
		if p.OCSP, err = x509util.LoadOCSPResponses(ocspFiles...); err != nil {
			return err
		}
	}
	return nil
}

func printAudit(w io.Writer, r *tlsaudit.Report, failOnWarn bool) {
	fmt.Fprintf(w, "%s (server name %s)\n", r.Addr, r.ServerName)
	for _, f := range r.Findings {
		fmt.Fprintf(w, "  %-5s %-14s %s: %s\n", strings.ToUpper(string(f.Verdict)), f.Area, f.Subject, f.Detail)
	}
	switch {
	case r.Failures > 0 || failOnWarn && r.Warnings > 0:
		fmt.Fprintf(w, "FAILED %s: %d failed, %d warnings\n", r.Addr, r.Failures, r.Warnings)
	default:
		fmt.Fprintf(w, "OK %s: nothing failed, %d warnings\n", r.Addr, r.Warnings)
	}
}
