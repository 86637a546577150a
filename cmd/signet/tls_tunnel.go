package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/internal/atomicfile"
	"github.com/signet-pki/signet/internal/tunnel"
)

var tlsTunnelHelp = `Carries a TCP service that has no TLS of its own (redis, a database, an internal HTTP API)
over mutual TLS, as stunnel does, with signet's keys and policy engine. Two sides: the
client side (--listen ADDR --connect HOST:PORT) takes plain TCP and forwards it over TLS; the
server side (--listen ADDR --tls --forward HOST:PORT) terminates mutual TLS, each client's
chain judged by the policy engine of 'signet cert verify'. One log line per connection.
` + moreHelp + `
The two sides:

  client side:  --listen ADDR --connect HOST:PORT
                accepts plain TCP on ADDR and forwards each connection over TLS to
                HOST:PORT, presenting --cert and --key (a key file, a .p12 or a pkcs11: URI;
                with a token key and no --cert, the certificate stored beside it). The
                server's chain must be valid for serverAuth and --host (default: the host of
                HOST:PORT) under --roots / --system-roots, and for digitalSignature when the
                certificate has a key usage (the server signs the handshake). Whoever connects to ADDR uses
                this side's certificate and key: an ADDR off loopback draws a warning.
  server side:  --listen ADDR --tls --forward HOST:PORT
                terminates mutual TLS on ADDR (--cert, --key) and forwards plain TCP to
                HOST:PORT. A client's certificate is checked by the policy engine of
                'signet cert verify', not by the TLS library: a chain to --client-roots valid
                for clientAuth (and digitalSignature when the certificate has a key usage:
                the client signs the handshake), the --crl CRLs, and, when given, one of the --client-subject
                names (compared as RFC 5280 7.1 says) and --client-email. A client without a
                certificate, or with one that fails, is refused during the handshake.

Both sides: one log line on stderr per connection (peer, the peer certificate's subject,
protocol, bytes each way, duration, how it ended), --json for JSON lines; at most
--max-conns connections at once (one more is closed and logged; on the server side it first
closes the oldest connection still in its handshake, if any, so that silent connections
cannot keep clients out); a connection quiet both ways for --idle-timeout is closed; a peer
that sends more than 10 certificates is refused before its chain is judged; under TLS 1.2
only ECDHE suites with AES-GCM or ChaCha20-Poly1305 are agreed to. SIGHUP reloads the
certificate (and the key, when the new certificate is for another one), roots and CRLs
without touching open connections; a reload that fails keeps what was loaded. SIGINT or
SIGTERM stops accepting and gives open connections, handshakes in flight among them,
--shutdown-grace to finish (those still open then are cut, a TCP reset to both peers and
no TLS close_notify, so that neither takes a cut transfer for a finished one, and logged as
ended by "shutdown"). With a token key, each handshake's signature takes a session from the token's
session pool: handshakes sign in parallel, with one login.

The peer's chain is also judged by:
` + tunnelPathHelp + `

EXAMPLES:
   # on the server, in front of a service on 127.0.0.1:6379
   signet tls tunnel --listen :6380 --tls --forward 127.0.0.1:6379 --cert server.pem \
       --key server.key --client-roots ca.pem --client-subject 'CN=alice,O=Example' --crl ca.crl
   # on the client: local port 6381 to the server's 6380, the key on a token
   signet tls tunnel --listen 127.0.0.1:6381 --connect 127.0.0.1:6380 --host www.example.com \
       --key 'pkcs11:token=alice;object=client' --roots ca.pem`

// The tunnel takes the path-validation flags but --ocsp: a response given once would go stale
// in a long-running process; --crl is reloaded on SIGHUP, and a server's stapled response is
// used as it comes.
var tunnelPathHelp, _, _ = strings.Cut(pathFlagsHelp, "   --ocsp FILE")

func tunnelPathFlags() []cli.Flag {
	var fs []cli.Flag
	for _, f := range pathFlags() {
		if f.Names()[0] != "ocsp" {
			fs = append(fs, f)
		}
	}
	return fs
}

func tlsTunnelCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:        "tunnel",
		Usage:       "carry a TCP service over mutual TLS (stunnel's job), either side",
		Description: tlsTunnelHelp,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "listen", Usage: "`ADDR` to accept connections on (HOST:PORT; port 0 picks a free one; required)"},
			&cli.StringFlag{Name: "addr-file", Usage: "write the address actually listened on to `FILE` (for scripts using port 0)", TakesFile: true},
			&cli.StringFlag{Name: "connect", Usage: "client side: forward over TLS to `HOST:PORT`"},
			&cli.BoolFlag{Name: "tls", Usage: "server side: accept mutual TLS on --listen"},
			&cli.StringFlag{Name: "forward", Usage: "server side: forward plain TCP to `HOST:PORT`"},
			&cli.StringFlag{Name: "cert", Usage: "this side's certificate `FILE` (PEM; the chain may follow the leaf)", TakesFile: true},
			keyFlag("this side's key `KEYREF`: a key file, a .p12 or a pkcs11: URI"),
			passphraseFileFlag(),
			moduleFlag(),
			repeatedFlag("roots", "client side: trust server certificates under the certificates in `FILE`; repeatable"),
			&cli.BoolFlag{Name: "system-roots", Usage: "client side: also trust the operating system's root store"},
			&cli.StringFlag{Name: "host", Usage: "client side: the `NAME` the server must prove, sent as SNI (default: the host of --connect)"},
			repeatedFlag("client-roots", "server side: trust client certificates under the certificates in `FILE`; repeatable"),
			repeatedFlag("client-subject", "server side: allow only clients with this subject `DN`; repeatable"),
			&cli.StringFlag{Name: "client-email", Usage: "server side: the client certificate must be for email `ADDR`"},
			repeatedFlag("intermediates", "untrusted CA certificates in `FILE` that may complete the peer's chain; repeatable"),
			repeatedFlag("crl", "check the peer's chain against the CRLs in `FILE`; repeatable (reloaded on SIGHUP)"),
			&cli.BoolFlag{Name: "require-crl", Usage: "fail a peer whose chain has a certificate without a CRL of its issuer"},
			&cli.IntFlag{Name: "max-conns", Value: 512, Usage: "at most `N` connections at once"},
			&cli.DurationFlag{Name: "idle-timeout", Value: 5 * time.Minute, Usage: "close a connection quiet both ways for `DURATION` (0: never)"},
			&cli.DurationFlag{Name: "handshake-timeout", Value: 10 * time.Second, Usage: "`DURATION` bound on connecting onwards and on the TLS handshake"},
			&cli.DurationFlag{Name: "shutdown-grace", Value: 10 * time.Second, Usage: "on SIGINT/SIGTERM, the `DURATION` open connections get to finish"},
			&cli.BoolFlag{Name: "json", Usage: "log JSON lines on stderr"},
		}, tunnelPathFlags()...),
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return usagef("tls tunnel takes no arguments (see --help)")
			}
			opts := tunnel.Options{
				Cert: c.String("cert"), Key: c.String("key"), KeyOptions: keyOptions(e, c),
				Intermediates: repeatedValues(c, "intermediates"), CRLs: repeatedValues(c, "crl"),
				MaxConns: c.Int("max-conns"), IdleTimeout: c.Duration("idle-timeout"),
				HandshakeTimeout: c.Duration("handshake-timeout"), ShutdownGrace: c.Duration("shutdown-grace"),
			}
			server := c.Bool("tls")
			switch {
			case c.String("listen") == "":
				return usagef("missing --listen ADDR (HOST:PORT; port 0 picks a free one)")
			case !c.IsSet("key"):
				return usagef("--key is required: this side's key (a file, a .p12 or a pkcs11: URI)")
			case server && c.String("forward") == "":
				return usagef("--tls needs --forward HOST:PORT: where the plain TCP goes")
			case server && c.IsSet("connect"):
				return usagef("--connect is the client side; with --tls give --forward")
			case !server && c.IsSet("forward"):
				return usagef("--forward needs --tls (the server side); the client side takes --connect")
			case !server && c.String("connect") == "":
				return usagef("give --connect HOST:PORT (client side) or --tls --forward HOST:PORT (server side)")
			case c.Int("max-conns") < 1:
				return usagef("--max-conns %d: give 1 or more", c.Int("max-conns"))
			case c.Duration("idle-timeout") < 0 || c.Duration("handshake-timeout") <= 0 || c.Duration("shutdown-grace") < 0:
				return usagef("--idle-timeout, --handshake-timeout and --shutdown-grace take positive durations")
			}
			clientOnly := []string{"roots", "system-roots", "host"}
			serverOnly := []string{"client-roots", "client-subject", "client-email"}
			wrong := serverOnly
			if server {
				wrong = clientOnly
			}
			for _, f := range wrong {
				if c.IsSet(f) {
					side := map[bool]string{true: "client side (--connect)", false: "server side (--tls)"}[server]
					return usagef("--%s belongs to the %s", f, side)
				}
			}
			var err error
			if server {
				opts.Mode, opts.Target = tunnel.Server, c.String("forward")
				if opts.Roots = repeatedValues(c, "client-roots"); len(opts.Roots) == 0 {
					return usagef("--client-roots is required: the roots client certificates must chain to")
				}
				opts.ClientSubjects = repeatedValues(c, "client-subject")
				opts.Policy.Email = c.String("client-email")
			} else {
				opts.Mode, opts.Target, opts.ServerName = tunnel.Client, c.String("connect"), c.String("host")
				roots, err := trustAnchors(e, repeatedValues(c, "roots"), c.Bool("system-roots"), "roots")
				if err != nil {
					return err
				}
				opts.Roots, opts.SystemRoots = roots.files, roots.system
			}
			if _, _, err := net.SplitHostPort(opts.Target); err != nil {
				return usagef("%q is not HOST:PORT", opts.Target)
			}
			if _, err = parsePathFlags(c, &opts.Policy); err != nil {
				return err
			}
			opts.Policy.RequireCRL = c.Bool("require-crl")
			ins := append(keyRefFiles("--key", opts.Key), fileArg{"--cert", opts.Cert})
			if err := checkNotInput("--addr-file", c.String("addr-file"), append(ins, secretFiles(c)...)...); err != nil {
				return err
			}

			// The signals are caught before the address file says the tunnel is up: a
			// script's SIGHUP or SIGTERM sent as soon as it appears reloads or stops.
			ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
			defer stop()
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			defer signal.Stop(hup)
			reload := make(chan struct{})
			go func() {
				for {
					select {
					case <-hup:
						select {
						case reload <- struct{}{}:
						case <-ctx.Done():
							return
						}
					case <-ctx.Done():
						return
					}
				}
			}()
			opts.Reload = reload
			ln, err := net.Listen("tcp", c.String("listen"))
			if err != nil {
				return usagef("--listen %s: %v", c.String("listen"), err)
			}
			opts.Listener = ln
			if a, ok := ln.Addr().(*net.TCPAddr); ok && !server && !a.IP.IsLoopback() {
				// The client side lends its certificate and key to whoever connects.
				e.warnf("the client side listens on %s, not a loopback address: anyone who can reach it gets to %s with this side's certificate and key; listen on 127.0.0.1 unless that is meant",
					ln.Addr(), opts.Target)
			}
			if f := c.String("addr-file"); f != "" {
				if err := atomicfile.WriteFile(f, []byte(ln.Addr().String()+"\n"), atomicfile.Options{Force: true}); err != nil {
					ln.Close()
					return err
				}
			}
			opts.Log = tunnelLogger(e, c.Bool("json"))
			err = tunnel.Run(ctx, opts)
			var ce *tunnel.ConfigError
			if errors.As(err, &ce) {
				return usagef("%s", ce.Detail)
			}
			return err
		},
	}
}

// tunnelLogger writes each event as one line on stderr: text, or JSON with --json. Names in
// events are escaped already (x509util.FormatName); errors are kept on one line.
func tunnelLogger(e *env, asJSON bool) func(tunnel.Event) {
	var mu sync.Mutex
	return func(ev tunnel.Event) {
		mu.Lock()
		defer mu.Unlock()
		if asJSON {
			b, err := json.Marshal(ev)
			if err == nil {
				fmt.Fprintf(e.stderr, "%s\n", b)
			}
			return
		}
		switch ev.Event {
		case "connection", "refused":
			who := ev.Subject
			if who == "" {
				who = "-"
			}
			proto := ""
			if ev.Protocol != "" {
				proto = " " + ev.Protocol + " " + ev.CipherSuite
			}
			fmt.Fprintf(e.stderr, "signet: %s %s %s%s: %d bytes in, %d bytes out, %.3fs: %s\n", ev.Event, ev.Peer, who, proto,
				ev.BytesIn, ev.BytesOut, ev.DurationMS/1000, oneLine(ev.End))
		default:
			detail := ""
			if ev.Detail != "" {
				detail = ": " + oneLine(ev.Detail)
			}
			if ev.Peer != "" {
				detail = " " + ev.Peer + detail
			}
			fmt.Fprintf(e.stderr, "signet: %s%s\n", ev.Event, detail)
		}
	}
}
