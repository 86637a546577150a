package main

import (
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
			if c.Args().Present() {
				return usagef("unexpected argument %q; see 'signet csr --help'", c.Args().First())
			}
			ref := c.String("key")
			if ref == "" {
				return usagef("missing --key KEYREF")
			}
			if !c.IsSet("subject") {
				return usagef("missing --subject DN, such as 'CN=alice,O=Example Corp,C=US'")
			}
			// Names are checked before the key is opened, so a typo never costs a passphrase.
			subject, err := x509util.ParseRDNSequence(c.String("subject"))
			if err != nil {
				return flagNameError("--subject", err)
			}
			sans, err := x509util.ParseSANs(repeatedValues(c, "san"))
			if err != nil {
				return flagNameError("--san", err)
			}
			out := c.String("out")
			if err := checkNotInput("-o", out, append(keyRefFiles("--key", ref), secretFiles(c)...)...); err != nil {
				return err
			}
			if out != "" && out != "-" {
				if err := atomicfile.CheckWritable(out, c.Bool("force")); err != nil {
					return err
				}
			}
			key, err := keyref.Open(ref, keyOptions(e, c))
			if err != nil {
				return err
			}
			defer key.Close()
			csr, err := x509util.CreateCSR(key, subject, sans)
			if err != nil {
				return err
			}
			pemBytes := x509util.MarshalCSRPEM(csr)
			if out == "" || out == "-" {
				_, err = e.stdout.Write(pemBytes)
				return err
			}
			if err := atomicfile.WriteFile(out, pemBytes, atomicfile.Options{Perm: 0o644, Force: c.Bool("force")}); err != nil {
				return err
			}
			wrote(e, c, out, "certificate signing request")
			return nil
		},
	}
}
