package main

import (
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"syscall"
	"time"

	"os/signal"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/internal/atomicfile"
	"github.com/signet-pki/signet/internal/keyref"
	"github.com/signet-pki/signet/timestamp"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

func tsaCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:        "tsa",
		Usage:       "run a small RFC 3161 time-stamp authority",
		Subcommands: []*cli.Command{tsaServeCommand(e)},
	}
}

const tsaServeHelp = `A small RFC 3161 Time-Stamp Authority for CI and tests: it answers time-stamp requests
(HTTP POST, application/timestamp-query, on any path) with tokens signed by --key, whose
certificate --cert must be a time-stamping certificate (extended key usage timeStamping
alone, critical: 'signet cert create --profile tsa' makes one). The key may be a file or
on a token (--key 'pkcs11:...'). Each token carries the TSA's chain when asked (certReq),
the request's nonce, genTime to the microsecond, --accuracy, and the ESS
signingCertificateV2 attribute; 'openssl ts -verify' accepts them. A request for another
policy than --policy is refused (unacceptedPolicy). One line per request on stderr; it
stops cleanly on SIGINT or SIGTERM. It keeps no state: serial numbers are random.
` + moreHelp + `
It refuses to start while a certificate of --cert is not valid (the TSA's or an issuer's in
the chain, expired or not yet valid: its tokens would verify nowhere), and once one expires it
answers every request with a rejection (systemFailure). Each token's signature is checked against --cert before it is sent: a key
that signs wrongly gets a rejection (systemFailure), never a token that does not verify.

EXAMPLES:
   signet init
   signet key gen --no-passphrase -o tsa.key
   signet csr --key tsa.key --subject 'CN=Test TSA,O=Example' -o tsa.csr
   signet cert create --profile tsa --csr tsa.csr --ca ~/.config/signet/intermediate.pem \
       --ca-key ~/.config/signet/intermediate.key --bundle -o tsa.pem
   signet tsa serve --listen 127.0.0.1:0 --addr-file tsa.url --key tsa.key --cert tsa.pem 2>tsa.log & \
       while [ ! -s tsa.url ]; do sleep 0.1; done; \
       signet sign --tsa "$(cat tsa.url)" release.tar.gz; status=$?; kill $!; exit $status
   signet verify --tsa-roots ~/.config/signet/root.pem --require-timestamp release.tar.gz
   openssl verify -purpose timestampsign -CAfile ~/.config/signet/root.pem -untrusted tsa.pem tsa.pem`

func tsaServeCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:        "serve",
		Usage:       "answer RFC 3161 time-stamp requests over HTTP",
		Description: tsaServeHelp,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "listen", Usage: "`ADDR` to listen on (HOST:PORT; port 0 picks a free one; required)"},
			&cli.StringFlag{Name: "addr-file", Usage: "write the URL actually listened on to `FILE` (for scripts using port 0)", TakesFile: true},
			&cli.StringFlag{Name: "cert", Usage: "the TSA's certificate, then its chain, in `CHAINFILE` (PEM or DER; required)", TakesFile: true},
			keyFlag("the TSA's key (`KEYREF`): a key file or a pkcs11: URI (required)"),
			&cli.StringFlag{Name: "policy", Usage: "the TSA policy `OID` of every token (default " + timestamp.DefaultPolicy().String() + ", a test policy)"},
			&cli.DurationFlag{Name: "accuracy", Value: time.Second, Usage: "the `DURATION` of accuracy each token states (0: none)"},
			passphraseFileFlag(),
			moduleFlag(),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return usagef("tsa serve takes no arguments (see --help)")
			}
			switch {
			case c.String("listen") == "":
				return usagef("missing --listen ADDR (HOST:PORT; port 0 picks a free one)")
			case c.String("cert") == "":
				return usagef("missing --cert CHAINFILE: the TSA's certificate")
			case !c.IsSet("key"):
				return usagef("missing --key KEYREF: the TSA's key")
			case c.Duration("accuracy") < 0:
				return usagef("--accuracy must not be negative")
			}
			a := &timestamp.Authority{Accuracy: c.Duration("accuracy")}
			if p := c.String("policy"); p != "" {
				oid, err := verify.ParsePolicyOID(p)
				if err != nil {
					return usagef("--policy %q is not an OID", p)
				}
				a.Policy = oid
			}
			ins := append(keyRefFiles("--key", c.String("key")), fileArg{"--cert", c.String("cert")})
			if err := checkNotInput("--addr-file", c.String("addr-file"), append(ins, secretFiles(c)...)...); err != nil {
				return err
			}
			chain, err := x509util.LoadCertificates(c.String("cert"))
			if err != nil {
				return err
			}
			key, err := keyref.Open(c.String("key"), keyOptions(e, c))
			if err != nil {
				return err
			}
			defer key.Close()
			a.Key, a.Chain = key, chain
			if err := a.Check(); err != nil {
				// A certificate that cannot serve: bad input, unless it is not --key's
				// certificate (a key that does not match its certificate is exit 4 everywhere).
				code := exitBadInput
				if errors.Is(err, timestamp.ErrKeyMismatch) {
					code = exitKey
				}
				return &codedError{code: code, msg: fmt.Sprintf("--cert %s: %v", c.String("cert"), err)}
			}
			ln, err := net.Listen("tcp", c.String("listen"))
			if err != nil {
				return usagef("--listen %s: %v", c.String("listen"), err)
			}
			url := "http://" + ln.Addr().String() + "/"
			if f := c.String("addr-file"); f != "" {
				if err := atomicfile.WriteFile(f, []byte(url+"\n"), atomicfile.Options{Force: true}); err != nil {
					ln.Close()
					return err
				}
			}
			a.Log = log.New(e.stderr, "signet: tsa: ", 0)
			ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
			defer stop()
			fmt.Fprintf(e.stderr, "signet: tsa listening on %s as %s\n", url, chain[0].Subject)
			err = a.Serve(ctx, ln)
			fmt.Fprintf(e.stderr, "signet: stopped\n")
			return err
		},
	}
}
