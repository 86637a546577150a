package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/internal/atomicfile"
	"github.com/signet-pki/signet/internal/keyref"
	"github.com/signet-pki/signet/internal/pkixname"
	"github.com/signet-pki/signet/internal/tlsprobe"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

func tlsCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "tls",
		Usage: "prove a mutual-TLS setup, audit a server, tunnel TCP over mutual TLS",
		Subcommands: []*cli.Command{
			tlsCheckCommand(e),
			tlsAuditCommand(e),
			tlsServeCommand(e),
			tlsTunnelCommand(e),
		},
	}
}

const tlsCheckHelp = `Connects to HOST:PORT, does a real TLS handshake and reports: the protocol and cipher
suite, the server's chain as verified by signet's policy engine (serverAuth and the server
name, as 'signet cert verify --host' would, and digitalSignature when the server's certificate
has a key usage: the server signs the handshake), whether the server asked for a client
certificate and which CAs it named, which certificate was sent, and whether the server
accepted it. Under TLS 1.3 a server rejects a client certificate only after the handshake:
signet waits for its verdict (data, a session ticket, an alert or a close) before answering.
` + moreHelp + `
The client key comes from a file or a token (--key pkcs11:...). With a token key and no
--cert, the certificate stored on the token beside the key is used.

Trust is explicit: --roots FILE (repeatable) or --system-roots; with neither, the root of
'signet init' when there is one. The server's chain goes through the path validation of
'signet cert verify' (the chain it sent as intermediates, --intermediates added), with an
OCSP response the server stapled checked as --ocsp would, and:
` + pathFlagsHelp + `
A server that sends more than 10 certificates is refused before its chain is judged
(untrusted server), and only its leaf is listed.

Exit 0 only when the server is trusted and, if a client certificate was offered, it was
accepted; otherwise 1 with the reason: untrusted server, name mismatch, client certificate
required, client certificate rejected, protocol version, handshake failed, connection failed.

JSON (--json): {address, server_name, protocol, cipher_suite, server_chain[] {subject,
issuer, sha256, not_after}, server_trusted, ocsp_stapled, server_error, client_cert_requested,
acceptable_cas[], client_cert_sent {subject, issuer, sha256, not_after}, client_cert_accepted,
client_cert_settled, ok, reason, detail}.

EXAMPLES:
   signet tls check 127.0.0.1:8443 --server-name www.example.com --roots root.pem \
       --cert client.pem --key client.key
   signet tls check 127.0.0.1:8443 --server-name www.example.com --roots root.pem \
       --key 'pkcs11:token=alice;object=client'
   signet tls check 127.0.0.1:8443 --server-name www.example.com --roots root.pem --min-version 1.3 --json`

func tlsCheckCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:        "check",
		Usage:       "connect to a TLS server, optionally with a client certificate, and report",
		ArgsUsage:   "HOST:PORT",
		Description: tlsCheckHelp,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "cert", Usage: "client certificate `FILE` (PEM; the chain may follow the leaf)", TakesFile: true},
			keyFlag("client key `KEYREF`: a key file or a pkcs11: URI"),
			passphraseFileFlag(),
			moduleFlag(),
			repeatedFlag("roots", "trust the certificates in `FILE` (PEM, DER, or a directory); repeatable"),
			&cli.BoolFlag{Name: "system-roots", Usage: "also trust the operating system's root store"},
			&cli.StringFlag{Name: "server-name", Usage: "the `NAME` the server must prove (default: the host of HOST:PORT)"},
			&cli.StringFlag{Name: "min-version", Value: "1.2", Usage: "lowest TLS `VERSION` to offer: 1.2 or 1.3"},
			&cli.StringFlag{Name: "max-version", Value: "1.3", Usage: "highest TLS `VERSION` to offer: 1.2 or 1.3"},
			&cli.DurationFlag{Name: "timeout", Value: 10 * time.Second, Usage: "`DURATION` bound on connecting and the handshake"},
			repeatedFlag("intermediates", "untrusted CA certificates in `FILE` that may complete the server's chain; repeatable"),
			repeatedFlag("crl", "check the server's chain against the CRLs in `FILE`; repeatable"),
			&cli.BoolFlag{Name: "require-crl", Usage: "fail when a certificate of the server's chain has no CRL of its issuer"},
			jsonFlag(),
		}, pathFlags()...),
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("give one HOST:PORT (see 'signet tls check --help')")
			}
			addr := c.Args().First()
			if _, _, err := net.SplitHostPort(addr); err != nil {
				return usagef("%q is not HOST:PORT", addr)
			}
			minV, err := tlsVersion(c.String("min-version"))
			if err != nil {
				return err
			}
			maxV, err := tlsVersion(c.String("max-version"))
			if err != nil {
				return err
			}
			if c.IsSet("cert") && !c.IsSet("key") {
				return usagef("--cert needs --key")
			}
			roots, err := trustAnchors(e, repeatedValues(c, "roots"), c.Bool("system-roots"), "roots")
			if err != nil {
				return err
			}
			// The server signs the handshake (TLS 1.3's CertificateVerify, TLS 1.2's
			// ServerKeyExchange: crypto/tls offers no RSA key transport by default): its
			// certificate must allow signatures when it restricts its key's usage (RFC 8446
			// 4.4.2.2, RFC 5246 7.4.2, RFC 8422 5.3).
			base := verify.Policy{Roots: roots.certs, SystemRoots: roots.system, EKUs: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
				KeyUsage: x509.KeyUsageDigitalSignature, RequireCRL: c.Bool("require-crl")}
			ocspFiles, err := parsePathFlags(c, &base)
			if err != nil {
				return err
			}
			if f := repeatedValues(c, "intermediates"); len(f) > 0 {
				if base.Intermediates, err = x509util.LoadCertificates(f...); err != nil {
					return err
				}
			}
			if f := repeatedValues(c, "crl"); len(f) > 0 {
				if base.CRLs, err = x509util.LoadCRLs(f...); err != nil {
					return err
				}
			}
			if len(ocspFiles) > 0 {
				if base.OCSP, err = x509util.LoadOCSPResponses(ocspFiles...); err != nil {
					return err
				}
			}
			opts := tlsprobe.Options{
				Addr:       addr,
				ServerName: c.String("server-name"),
				MinVersion: minV,
				MaxVersion: maxV,
				Timeout:    c.Duration("timeout"),
				VerifyServer: func(chain []*x509.Certificate, name string, stapled []byte) error {
					p := base
					p.OCSPAboutChain = true // given and stapled responses serve this chain only
					if len(stapled) > 0 {
						p.OCSP = append(append([][]byte{}, base.OCSP...), stapled)
					}
					if ip := net.ParseIP(name); ip != nil {
						p.IP = ip
					} else {
						p.DNSName = name
					}
					_, err := verify.Verify(chain[0], chain[1:], p)
					return err
				},
				NameMismatch: func(err error) bool { return errors.Is(err, verify.NameMismatch) },
			}
			if c.IsSet("key") {
				key, err := keyref.Open(c.String("key"), keyOptions(e, c))
				if err != nil {
					return err
				}
				defer key.Close()
				cert, err := clientCertificate(key, c.String("cert"))
				if err != nil {
					return err
				}
				opts.ClientCert = cert
			}
			rep, cerr := tlsprobe.Check(c.Context, opts)
			if err := c.Context.Err(); err != nil {
				return fmt.Errorf("interrupted: %w", err) // exit 130, not a verdict on the server
			}
			if rep == nil {
				return cerr
			}
			if c.Bool("json") {
				if err := writeJSON(e.stdout, rep); err != nil {
					return err
				}
			} else {
				printTLSReport(e.stdout, rep, roots)
			}
			if cerr != nil {
				return &codedError{code: exitCheckFailed, msg: ""}
			}
			return nil
		},
	}
}

// clientCertificate pairs the key with its certificate chain: from --cert, else the chain
// stored with the key (a token or a PKCS#12 file).
func clientCertificate(key keyref.Key, certFile string) (*tls.Certificate, error) {
	var chain []*x509.Certificate
	if certFile != "" {
		var err error
		if chain, err = x509util.LoadCertificateFile(certFile); err != nil {
			return nil, err
		}
	} else {
		chain = key.Certificates()
		if len(chain) == 0 {
			return nil, usagef("no client certificate: give --cert FILE (none is stored with the key)")
		}
	}
	if !x509util.PublicKeysEqual(chain[0].PublicKey, key.Public()) {
		from := "" // the chain stored with the key: the key names it
		if certFile != "" {
			from = " (--cert " + certFile + ")"
		}
		return nil, fmt.Errorf("%w: the key does not belong to the certificate \"%s\"%s", x509util.ErrKeyMismatch, x509util.FormatName(chain[0].Subject), from)
	}
	tc := &tls.Certificate{PrivateKey: key, Leaf: chain[0]}
	for _, c := range chain {
		tc.Certificate = append(tc.Certificate, c.Raw)
	}
	return tc, nil
}

func tlsVersion(s string) (uint16, error) {
	switch strings.TrimPrefix(strings.ToLower(s), "tls") {
	case "1.2", "12":
		return tls.VersionTLS12, nil
	case "1.3", "13":
		return tls.VersionTLS13, nil
	}
	return 0, usagef("TLS version %q: want 1.2 or 1.3", s)
}

func printTLSReport(w io.Writer, r *tlsprobe.Report, roots *trust) {
	row := func(k, v string) { fmt.Fprintf(w, "  %-15s %s\n", k, v) }
	fmt.Fprintf(w, "%s (server name %s)\n", r.Addr, r.ServerName)
	if r.Version != "" {
		row("protocol", r.Version+", "+r.CipherSuite)
	}
	for i, c := range r.ServerChain {
		label := ""
		if i == 0 {
			label = "server chain"
		}
		row(label, c.Subject+" (sha256:"+c.Fingerprint[:16]+"...)")
	}
	if r.Version == "" && len(r.ServerChain) == 0 {
		// No handshake got as far as the server's certificate: there is nothing to say of
		// the server's trust or of client certificates, only the failure.
		fmt.Fprintf(w, "FAILED %s: %s: %s\n", r.Addr, r.Reason, r.Detail)
		return
	}
	trusted := "no"
	if r.ServerTrusted {
		trusted = "yes, under " + roots.describe()
	} else if r.ServerError != "" {
		trusted = "no: " + r.ServerError
	}
	row("server trusted", trusted)
	if r.ClientCertRequested {
		cas := "any"
		if len(r.AcceptableCAs) > 0 {
			cas = strings.Join(r.AcceptableCAs, "; ")
		}
		row("client cert", "requested; acceptable CAs: "+cas)
	} else {
		row("client cert", "not requested by the server")
	}
	if r.ClientCertSent != nil {
		row("sent", r.ClientCertSent.Subject+" (sha256:"+r.ClientCertSent.Fingerprint[:16]+"...)")
		switch {
		case r.ClientCertAccepted && r.ClientCertSettled:
			row("accepted", "yes")
		case r.ClientCertAccepted:
			row("accepted", "yes (the server neither answered nor objected in time)")
		default:
			row("accepted", "no")
		}
	}
	if r.OK {
		fmt.Fprintf(w, "OK %s\n", r.Addr)
	} else {
		fmt.Fprintf(w, "FAILED %s: %s: %s\n", r.Addr, r.Reason, r.Detail)
	}
}

const tlsServeHelp = `A small mutual-TLS test server: it logs each client's certificate subject and
verification result on stderr and answers a one-line greeting naming the certificate the
client presented. It lets an operator test a freshly enrolled token before touching a
production server. The server key may be on a token (--key pkcs11:...). It stops cleanly
on SIGINT or SIGTERM: no new connection, and handshakes in flight finish (10 s at most).
` + moreHelp + `
With --require-client-cert, clients without a certificate that chains to --client-ca are
refused during the handshake; without it a certificate is asked for and verified when given.
Client chains go through signet's path validation (clientAuth, and digitalSignature when
the certificate has a key usage: the client signs the handshake), completed by the
certificates the client sends and --client-intermediates; the log says why a client was
refused (for a leaf sent alone, which intermediate is missing). --crl FILE (repeatable)
refuses a client its CA has revoked; with --require-crl, which needs --crl (exit 2), also
one whose chain has a certificate without a CRL of its issuer. The CRLs are read once, at start; a resumed session
is judged again. A client that sends more than 10 certificates is refused before its chain
is judged. Under TLS 1.2 only ECDHE suites with AES-GCM or ChaCha20-Poly1305 are agreed to.
At most 512 connections are served at once: one more first closes the oldest connection
still in its handshake (logged as evicted), else it is closed and logged; each handshake
has 10 seconds.

EXAMPLES:
   signet tls serve --listen 127.0.0.1:8443 --cert server.pem --key server.key \
       --client-ca root.pem --require-client-cert
   signet tls serve --listen 127.0.0.1:0 --addr-file addr.txt --cert tls.pem \
       --key 'pkcs11:token=server;object=tls' --client-ca root.pem`

func tlsServeCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:        "serve",
		Usage:       "run a small mutual-TLS test server",
		Description: tlsServeHelp,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "listen", Usage: "`ADDR` to listen on (HOST:PORT; port 0 picks a free one; required)"},
			&cli.StringFlag{Name: "addr-file", Usage: "write the address actually listened on to `FILE` (for scripts using port 0)", TakesFile: true},
			&cli.StringFlag{Name: "cert", Usage: "server certificate `FILE` (PEM; the chain may follow the leaf; required)", TakesFile: true},
			keyFlag("server key `KEYREF`: a key file or a pkcs11: URI"),
			passphraseFileFlag(),
			moduleFlag(),
			repeatedFlag("client-ca", "trust client certificates issued under the certificates in `FILE`; repeatable"),
			repeatedFlag("client-intermediates", "untrusted CA certificates in `FILE` that may complete a client's chain; repeatable"),
			repeatedFlag("crl", "refuse client certificates revoked by the CRLs in `FILE`; repeatable"),
			&cli.BoolFlag{Name: "require-crl", Usage: "refuse a client whose chain has a certificate without a CRL of its issuer"},
			&cli.BoolFlag{Name: "require-client-cert", Usage: "refuse clients without a valid certificate"},
			&cli.StringFlag{Name: "min-version", Value: "1.2", Usage: "lowest TLS `VERSION` to accept: 1.2 or 1.3"},
			&cli.StringFlag{Name: "max-version", Value: "1.3", Usage: "highest TLS `VERSION` to accept: 1.2 or 1.3"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return usagef("tls serve takes no arguments (see --help)")
			}
			switch {
			case c.String("listen") == "":
				return usagef("missing --listen ADDR (HOST:PORT; port 0 picks a free one)")
			case c.String("cert") == "":
				return usagef("missing --cert FILE: the server certificate")
			case !c.IsSet("key"):
				return usagef("--key is required")
			}
			cas := repeatedValues(c, "client-ca")
			if len(cas) == 0 {
				return usagef("--client-ca is required: the roots client certificates must chain to")
			}
			minV, err := tlsVersion(c.String("min-version"))
			if err != nil {
				return err
			}
			maxV, err := tlsVersion(c.String("max-version"))
			if err != nil {
				return err
			}
			// --addr-file is always replaced: it must not be the key or a certificate.
			ins := append(keyRefFiles("--key", c.String("key")), fileArg{"--cert", c.String("cert")})
			for _, f := range cas {
				ins = append(ins, fileArg{"--client-ca", f})
			}
			inters := repeatedValues(c, "client-intermediates")
			for _, f := range inters {
				ins = append(ins, fileArg{"--client-intermediates", f})
			}
			crls := repeatedValues(c, "crl")
			if c.Bool("require-crl") && len(crls) == 0 {
				// Else the server starts and refuses every client certificate.
				return usagef("--require-crl needs the CRLs of the client CAs: give them with --crl FILE")
			}
			for _, f := range crls {
				ins = append(ins, fileArg{"--crl", f})
			}
			if err := checkNotInput("--addr-file", c.String("addr-file"), append(ins, secretFiles(c)...)...); err != nil {
				return err
			}
			caCerts, err := x509util.LoadCertificates(cas...)
			if err != nil {
				return err
			}
			pool := x509.NewCertPool()
			for _, ca := range caCerts {
				pool.AddCert(ca)
			}
			// Clients are judged by the path validation of 'cert verify', for clientAuth.
			// A client proves its key by signing the handshake (CertificateVerify): its
			// certificate must allow signatures when it restricts its key's usage (RFC 8446
			// 4.4.2.2, RFC 5280 4.2.1.3).
			policy := verify.Policy{Roots: caCerts, EKUs: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
				KeyUsage: x509.KeyUsageDigitalSignature, RequireCRL: c.Bool("require-crl")}
			if len(inters) > 0 {
				if policy.Intermediates, err = x509util.LoadCertificates(inters...); err != nil {
					return err
				}
			}
			if len(crls) > 0 {
				if policy.CRLs, err = x509util.LoadCRLs(crls...); err != nil {
					return err
				}
			}
			key, err := keyref.Open(c.String("key"), keyOptions(e, c))
			if err != nil {
				return err
			}
			defer key.Close()
			cert, err := clientCertificate(key, c.String("cert"))
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", c.String("listen"))
			if err != nil {
				// A busy port or an address this host does not have: the flag's value is wrong.
				return usagef("--listen %s: %v", c.String("listen"), err)
			}
			addr := ln.Addr().String()
			if f := c.String("addr-file"); f != "" {
				if err := atomicfile.WriteFile(f, []byte(addr+"\n"), atomicfile.Options{Force: true}); err != nil {
					ln.Close()
					return err
				}
			}
			ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
			defer stop()
			fmt.Fprintf(e.stderr, "signet: listening on %s (client certificates %s)\n", addr,
				map[bool]string{true: "required", false: "optional"}[c.Bool("require-client-cert")])
			err = tlsprobe.Serve(ctx, tlsprobe.ServeOptions{
				Listener:    ln,
				Certificate: *cert,
				ClientCAs:   pool,
				VerifyClient: func(chain []*x509.Certificate) error {
					_, err := verify.Verify(chain[0], chain[1:], policy)
					return clientRefusal(err, chain, policy)
				},
				RequireClientCert: c.Bool("require-client-cert"),
				MinVersion:        minV,
				MaxVersion:        maxV,
				Log:               func(f string, a ...any) { fmt.Fprintf(e.stderr, "signet: "+f+"\n", a...) },
			})
			fmt.Fprintf(e.stderr, "signet: stopped\n")
			return err
		},
	}
}

// clientRefusal turns verify's verdict on a client's chain into the one line tls serve logs:
// a chain that stops at a certificate whose issuer is nowhere to be found names that issuer
// and where it was looked for; any other refusal gives the engine's reason, detail and rule.
// It reads the verdict from its type and rule id, never from its text. Nil stays nil.
func clientRefusal(err error, sent []*x509.Certificate, p verify.Policy) error {
	ve, ok := errors.AsType[*verify.Error](err)
	if !ok {
		return err
	}
	if ve.Reason == verify.UnknownAuthority && ve.Rule == "signet.no-path" && ve.Cert != nil &&
		!pkixname.EqualDER(ve.Cert.RawIssuer, ve.Cert.RawSubject) && !holdsSubject(ve.Cert.RawIssuer, sent, p.Intermediates, p.Roots) {
		of := ""
		if !bytes.Equal(ve.Cert.Raw, sent[0].Raw) {
			of = " (of " + verify.Name(ve.Cert) + ")"
		}
		return &refusal{err: err, msg: fmt.Sprintf("no issuer %s%s among the chain it sent, --client-intermediates or --client-ca",
			x509util.FormatName(ve.Cert.Issuer), of)}
	}
	msg := string(ve.Reason) + ": " + ve.Detail
	if ve.Rule != "" {
		msg += " [" + ve.Rule + "]"
	}
	return &refusal{err: err, msg: msg}
}

// holdsSubject reports whether any certificate of the sets has the subject name.
func holdsSubject(name []byte, sets ...[]*x509.Certificate) bool {
	for _, set := range sets {
		for _, c := range set {
			if pkixname.EqualDER(c.RawSubject, name) {
				return true
			}
		}
	}
	return false
}

// refusal is a verdict in the words of a log line, over the engine's error.
type refusal struct {
	err error
	msg string
}

func (r *refusal) Error() string { return r.msg }
func (r *refusal) Unwrap() error { return r.err }
