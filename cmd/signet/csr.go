package main

import (
	"crypto/x509/pkix"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/internal/atomicfile"
	"github.com/signet-pki/signet/internal/keyref"
	"github.com/signet-pki/signet/x509util"
)

func csrCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "csr",
		Usage:     "create a certificate signing request (PKCS#10) for a key",
		ArgsUsage: " ",
		Description: `Creates a PKCS#10 certificate signing request for the key --key names, signed by it,
and prints it as PEM on standard output or writes it to -o FILE.
` + moreHelp + `
--subject takes a distinguished name in either form:
   RFC 4514, most specific first:   'CN=alice,O=Example Corp,C=US'
   OpenSSL's, most general first:   '/C=US/O=Example Corp/CN=alice'
Both give the same name, which "openssl req -noout -subject" shows as
"C = US, O = Example Corp, CN = alice". In the RFC 4514 form escape , + " \ < > ; with a
backslash (or as hex, \2C), and join the parts of a multi-valued RDN with +
('CN=alice+UID=42,O=Example'); in OpenSSL's form escape / and + with a backslash.
Attributes: ` + strings.Join(x509util.DNAttributeNames(), ", ") + `, or dotted OIDs.

--san adds a subject alternative name; repeat it for more (values are not split on commas):
   dns:NAME     host name, or a wildcard *.example.com
   ip:ADDR      IPv4 or IPv6 address
   email:ADDR   email address
   uri:URI      absolute URI, such as spiffe://example.org/ci/release

The signature is ECDSA with SHA-256, SHA-384 or SHA-512 for P-256, P-384 and P-521 keys,
RSA PKCS#1 v1.5 with SHA-256, or Ed25519. A malformed name is a usage error (exit 2) and
nothing is written.

` + keyRefHelp + `

EXAMPLES:
   signet csr --key signer.key --subject 'CN=Release Bot,O=Example Corp,C=US'
   signet csr --key tls.key --subject /CN=www.example.com --san dns:www.example.com --san dns:example.com -o www.csr
   signet csr --key signer.key --subject 'CN=alice,OU=Engineering,O=Example Corp' --san email:alice@example.com -o alice.csr
   openssl req -in www.csr -verify -noout -text`,
		Flags: []cli.Flag{
			keyFlag("the key to request a certificate for (`KEYREF`)"),
			&cli.StringFlag{Name: "subject", Aliases: []string{"s"}, Usage: "the subject distinguished name (`DN`), 'CN=alice,O=Example' or '/O=Example/CN=alice'"},
			repeatedFlag("san", "a subject alternative name (`TYPE:VALUE`): dns:NAME, ip:ADDR, email:ADDR or uri:URI; repeatable"),
			outFlag("write the CSR to `FILE` instead of standard output"),
			passphraseFileFlag(),
			moduleFlag(),
			forceFlag(),
			quietFlag(),
		},
		Action: func(c *cli.Context) error {
			o, err := csrParse(c)
			if err != nil {
				return err
			}
			return csrRun(e, c, o)
		},
	}
}

// csrOptions is what `signet csr` was asked, once the command line is checked.
type csrOptions struct {
	key     string // KEYREF
	subject pkix.RDNSequence
	sans    x509util.SANs
	out     string // "" or "-": standard output
	force   bool
}

// csrParse checks the command line, the names included, before the key is opened: a typo
// never costs a passphrase.
func csrParse(c *cli.Context) (*csrOptions, error) {
	if c.Args().Present() {
		return nil, usagef("unexpected argument %q; see 'signet csr --help'", c.Args().First())
	}
	o := &csrOptions{key: c.String("key"), out: c.String("out"), force: c.Bool("force")}
	if o.key == "" {
		return nil, usagef("missing --key KEYREF")
	}
	if !c.IsSet("subject") {
		return nil, usagef("missing --subject DN, such as 'CN=alice,O=Example Corp,C=US'")
	}
	var err error
	if o.subject, err = x509util.ParseRDNSequence(c.String("subject")); err != nil {
		return nil, flagNameError("--subject", err)
	}
	if o.sans, err = x509util.ParseSANs(repeatedValues(c, "san")); err != nil {
		return nil, flagNameError("--san", err)
	}
	if err := x509util.CheckCSRNames(o.subject, o.sans); err != nil {
		return nil, err
	}
	if err := checkNotInput("-o", o.out, append(keyRefFiles("--key", o.key), secretFiles(c)...)...); err != nil {
		return nil, err
	}
	if o.out != "" && o.out != "-" {
		if err := atomicfile.CheckWritable(o.out, o.force); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// csrRun opens the key, makes the request in one call and writes it.
func csrRun(e *env, c *cli.Context, o *csrOptions) error {
	key, err := keyref.Open(o.key, keyOptions(e, c))
	if err != nil {
		return err
	}
	defer key.Close()
	pemBytes, err := x509util.CreateCSRPEM(key, o.subject, o.sans)
	if err != nil {
		return err
	}
	return writeOutput(e, c, o.out, pemBytes, o.force, "certificate signing request")
}

// writeOutput writes the PEM a command made to out (0644, atomically, replacing a file only
// with force) and says so, or prints it on standard output when out is "" or "-".
func writeOutput(e *env, c *cli.Context, out string, pemBytes []byte, force bool, what string) error {
	if out == "" || out == "-" {
		_, err := e.stdout.Write(pemBytes)
		return err
	}
	if err := atomicfile.WriteFile(out, pemBytes, atomicfile.Options{Perm: 0o644, Force: force}); err != nil {
		return err
	}
	wrote(e, c, out, what)
	return nil
}
