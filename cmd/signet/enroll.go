package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/internal/atomicfile"
	"github.com/signet-pki/signet/internal/enroll"
	"github.com/signet-pki/signet/internal/keyref"
	"github.com/signet-pki/signet/x509util"
)

const enrollHelp = `Enrolls a key on a PKCS#11 token (USB key, smart card) for mutual TLS in one command: the
key (generated on the token when it has none), a CSR, the certificate (issued at once with
--ca and --ca-key, or by a CA elsewhere from --csr-out, then --cert), imported beside the
key. It prints the URI to use from then on; run again, it changes nothing.
` + moreHelp + `
In detail, it:

   1. uses the key the --token URI names, or generates it there (non-extractable) when the
      token has none (--type, default ec-p256);
   2. makes a CSR with the token key;
   3. either issues the certificate at once with --ca and --ca-key (the CA key may be a
      file or on another token), or writes the CSR to --csr-out for an external CA and
      stops; 'signet enroll --token URI --cert ISSUED [--chain FILE]' finishes later;
   4. imports the certificate (and the CA chain: the issuer and the CAs above it found in
      --ca or --chain, in order; other certificates there are left out) onto the token
      beside the key, with the key's label and id;
   5. prints what it did and the URI to use from now on.

Running it again on a token that holds the key and a valid certificate for it, from the same
CA and for the same subject (and SANs, when --san is given), reports that and changes
nothing; a certificate for other names is refused; --force renews the certificate (same
key), and replaces a CA certificate on the token that the CA renewed (the same subject and
key, a new one given). A CA that does not chain, a certificate that does not match the key or
is not valid now, or a certificate the token cannot take (another certificate holds its label
or id, or a CA certificate would get the key's: a key labelled as its CA) stops it before
anything is written to the token.

Then prove it works: 'signet tls check HOST:PORT --key URI --roots SERVER-ROOT' against the
server, or 'signet tls serve' for a local test.

EXAMPLES:
   signet enroll --token 'pkcs11:token=alice;object=client' --subject 'CN=alice,O=Example' \
       --san email:alice@example.com --ca ca.pem --ca-key ca.key
   # with a CA elsewhere: a CSR out, then the certificate and its chain back in
   signet enroll --token 'pkcs11:token=bob;object=client' --subject CN=bob --csr-out bob.csr
   signet cert create --profile client --csr bob.csr --ca ca.pem --ca-key ca.key -o bob.pem
   signet enroll --token 'pkcs11:token=bob;object=client' --cert bob.pem --chain ca-chain.pem`

func enrollCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:        "enroll",
		Usage:       "put a key and a client certificate on a token, ready for mutual TLS",
		Description: enrollHelp,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "token", Usage: "the key on the token: a pkcs11: `URI` with object= (quote it; required)"},
			&cli.StringFlag{Name: "subject", Usage: "subject `DN`, RFC 4514 (CN=alice,O=Example) or openssl form (/O=Example/CN=alice)"},
			repeatedFlag("san", "subject alternative name `TYPE:VALUE` (email:, dns:, ip:, uri:); repeatable"),
			&cli.StringFlag{Name: "type", Value: string(x509util.DefaultKeyType), Usage: "key `TYPE` when the key is generated"},
			&cli.StringFlag{Name: "profile", Value: string(x509util.ProfileClient), Usage: "certificate `PROFILE` (client, server, email, code-signing)"},
			&cli.StringFlag{Name: "ca", Usage: "issuing CA certificate `FILE` (its chain may follow it)", TakesFile: true},
			&cli.StringFlag{Name: "ca-key", Usage: "the CA's key: a file or a pkcs11: `KEYREF`", TakesFile: true},
			&cli.IntFlag{Name: "days", Usage: "certificate lifetime in `DAYS`, 1 to 36500", DefaultText: "365, clipped to the CA's"},
			&cli.StringFlag{Name: "csr-out", Usage: "write the CSR to `FILE` for an external CA and stop", TakesFile: true},
			&cli.StringFlag{Name: "cert", Usage: "finish: import the issued certificate `FILE`", TakesFile: true},
			&cli.StringFlag{Name: "chain", Usage: "finish: the issuer chain `FILE` to import with --cert", TakesFile: true},
			passphraseFileFlag(),
			caPassphraseFileFlag(),
			moduleFlag(),
			forceFlag(),
			jsonFlag(),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return usagef("enroll takes no arguments (see --help)")
			}
			if c.String("token") == "" {
				return usagef("missing --token URI: the key on the token, such as 'pkcs11:token=alice;object=client'")
			}
			var res *enroll.Result
			var err error
			switch {
			case c.IsSet("cert"):
				if c.IsSet("ca") || c.IsSet("csr-out") || c.IsSet("subject") {
					return usagef("--cert finishes an enrolment: it takes no --ca, --csr-out or --subject")
				}
				res, err = enrollFinish(e, c)
			case c.IsSet("ca") == c.IsSet("csr-out"):
				return usagef("give either --ca and --ca-key (issue now) or --csr-out FILE (external CA), or --cert to finish")
			default:
				res, err = enrollStart(e, c)
			}
			if err != nil {
				return enrollForceError(err)
			}
			if c.Bool("json") {
				return writeJSON(e.stdout, res)
			}
			printEnroll(e.stdout, res, c.String("csr-out"))
			return nil
		},
	}
}

// enrollForceError names --force under an enrolment error that enroll.Options.Force gets
// past (an enroll.ForceError: the key's certificate, or a CA certificate its CA renewed,
// would be replaced), as the error always said it.
func enrollForceError(err error) error {
	var fe *enroll.ForceError
	if errors.As(err, &fe) {
		return fmt.Errorf("%w; use --force to replace it", err)
	}
	return err
}

func enrollStart(e *env, c *cli.Context) (*enroll.Result, error) {
	if !c.IsSet("subject") {
		return nil, usagef("--subject is required")
	}
	switch d := c.Int("days"); {
	case c.IsSet("days") && !c.IsSet("ca"):
		return nil, usagef("--days applies when --ca issues the certificate; an external CA chooses its own")
	case c.IsSet("days") && (d < 1 || d > x509util.MaxDays):
		return nil, usagef("--days must be 1 to %d (100 years), not %d", x509util.MaxDays, d)
	}
	subject, err := x509util.ParseRDNSequence(c.String("subject"))
	if err != nil {
		return nil, flagNameError("--subject", err)
	}
	sans, err := x509util.ParseSANs(repeatedValues(c, "san"))
	if err != nil {
		return nil, flagNameError("--san", err)
	}
	kt, err := x509util.ParseKeyType(c.String("type"))
	if err != nil {
		return nil, usagef("--type: %v", err)
	}
	profile, err := x509util.ParseProfile(c.String("profile"))
	if err != nil || profile.IsCA() {
		return nil, usagef("--profile: want client, server, email or code-signing")
	}
	opts := enroll.Options{
		Token:        c.String("token"),
		TokenOptions: tokenOptions(e, c),
		KeyType:      kt,
		Subject:      subject,
		SANs:         sans,
		Profile:      profile,
		Force:        c.Bool("force"),
	}
	if out := c.String("csr-out"); out != "" {
		ins := append(keyRefFiles("--token", c.String("token")), keyRefFiles("--ca-key", c.String("ca-key"))...)
		ins = append(ins, fileArg{"--ca", c.String("ca")})
		if err := checkNotInput("--csr-out", out, append(ins, secretFiles(c)...)...); err != nil {
			return nil, err
		}
		// Checked before the key is generated on the token: a CSR that cannot be written
		// would leave the new key there.
		if err := atomicfile.CheckWritable(out, c.Bool("force")); err != nil {
			return nil, fmt.Errorf("--csr-out %s: %w", out, err)
		}
	}
	if c.IsSet("ca") {
		if !c.IsSet("ca-key") {
			return nil, usagef("--ca needs --ca-key")
		}
		if opts.CA, err = x509util.LoadCertificateFile(c.String("ca")); err != nil {
			return nil, err
		}
		caKey, err := keyref.Open(c.String("ca-key"), caKeyOptions(e, c))
		if err != nil {
			return nil, err
		}
		defer caKey.Close()
		opts.CAKey = caKey
		if err := checkCAKey(c.String("ca"), c.String("ca-key"), opts.CA[0], caKey); err != nil {
			return nil, err
		}
		if c.IsSet("days") {
			opts.NotAfter = time.Now().Add(time.Duration(c.Int("days")) * 24 * time.Hour)
		}
	}
	res, err := enroll.Enroll(opts)
	if err != nil {
		return nil, err
	}
	for _, w := range res.Warnings {
		e.warnf("%s", w)
	}
	if res.CSR != nil {
		if err := atomicfile.WriteFile(c.String("csr-out"), res.CSR, atomicfile.Options{Force: c.Bool("force")}); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func enrollFinish(e *env, c *cli.Context) (*enroll.Result, error) {
	certs, err := x509util.LoadCertificateFile(c.String("cert"))
	if err != nil {
		return nil, err
	}
	var chain []*x509.Certificate
	if f := c.String("chain"); f != "" {
		if chain, err = x509util.LoadCertificateFile(f); err != nil {
			return nil, err
		}
	}
	chain = append(certs[1:], chain...)
	return enroll.Finish(enroll.FinishOptions{
		Token:        c.String("token"),
		TokenOptions: tokenOptions(e, c),
		Certificate:  certs[0],
		Chain:        chain,
		Force:        c.Bool("force"),
	})
}

func printEnroll(w io.Writer, r *enroll.Result, csrOut string) {
	key := "existing key"
	if r.KeyGenerated {
		key = "generated on the token"
	}
	fmt.Fprintf(w, "key          %s (%s, %s)\n", key, r.KeyType, r.Fingerprint)
	switch {
	case r.AlreadyEnrolled:
		fmt.Fprintf(w, "certificate  already enrolled: %s, issued by %s, valid until %s; nothing changed\n", r.Subject, r.Issuer, r.NotAfter)
	case r.CSR != nil:
		fmt.Fprintf(w, "csr          written to %s; once the CA has issued it, finish with:\n", csrOut)
		fmt.Fprintf(w, "             signet enroll --token '%s' --cert ISSUED.pem [--chain CHAIN.pem]\n", r.KeyURI)
	default:
		verb := "imported"
		if r.Renewed {
			verb = "renewed"
		}
		fmt.Fprintf(w, "certificate  %s: %s, issued by %s, valid until %s\n", verb, r.Subject, r.Issuer, r.NotAfter)
		for _, u := range r.Imported[1:] {
			fmt.Fprintf(w, "chain        %s\n", u)
		}
	}
	fmt.Fprintf(w, "use          --key '%s'\n", r.KeyURI)
}
