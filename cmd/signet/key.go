package main

import (
	"crypto/ed25519"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/signet-pki/signet/internal/atomicfile"
	"github.com/signet-pki/signet/internal/keyref"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/x509util"
)

const keyRefHelp = `KEYREF is a file: a private key (PKCS#8, plain or encrypted; PKCS#1 "RSA PRIVATE KEY"; SEC1
"EC PRIVATE KEY", with or without its EC PARAMETERS block; OpenSSL's traditional encrypted
PEM; the legacy PBES1 encryptions of openssl pkcs8 -v1, read only; an OpenSSH private key,
plain or encrypted; PEM or DER) or a PKCS#12 file, and where only the public half is needed
also a public key (PEM, DER, an OpenSSH .pub line or RFC 4716) or a certificate. The
passphrase of an encrypted key comes from --passphrase-file, then SIGNET_PASSPHRASE, then a
prompt on the terminal; it is asked for only when the key is encrypted. A key reference
file:PATH?passphrase-source=file:PASSFILE (or =env:NAME) names that key's own source, the
only one used for it, so two encrypted keys in one command need no terminal.

KEYREF may also be an RFC 7512 URI naming a key on a PKCS#11 token (quote it: ';' and '&'
are special to the shell), for example
   'pkcs11:token=ci;object=release?module-path=/usr/lib/softhsm/libsofthsm2.so'
The module comes from the URI's module-path, then --module, then SIGNET_PKCS11_MODULE, then
the p11-kit proxy; the PIN from the URI's pin-source file, then SIGNET_PIN, then a prompt
(a reader's PIN pad instead of the prompt, when the token has one). A PIN in the URI
(pin-value) is refused: on a command line other users see it. A wrong PIN is never retried. Where only the public half is needed, a URI with type=public
or type=cert (as p11tool and 'signet token objects' print them) names that public key or
certificate, read without a PIN (with SIGNET_PIN or a pin-source at hand, after a login, so
that an object the token hides until then is seen too, unless a wrong PIN was entered since
the token's last login: a read that a visible object answers spends no PIN try then, one of
an object only a login shows still logs in); a private key's URI gives its public
key once the key has signed a random challenge for it (a key that asks for the PIN for every
signature, or that the token lets sign only with other mechanisms, is not asked, and a
warning says so).`

func keyCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "key",
		Usage: "generate a key pair, print a public key, describe a key",
		Description: `Software keys for signing: generate them, print the public half, describe them.
` + moreHelp + `
` + keyRefHelp + `

EXAMPLES:
   signet key gen -o signer.key --pub-out signer.pub
   signet key pub signer.key
   signet key inspect signer.key`,
		Subcommands: []*cli.Command{
			keyGenCommand(e),
			keyPubCommand(e),
			keyInspectCommand(e),
		},
	}
}

func keyGenCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "gen",
		Usage:     "generate a private key (encrypted PKCS#8 PEM, mode 0600)",
		ArgsUsage: " ",
		Description: `Generates a private key and writes it as PKCS#8 PEM, mode 0600. It is encrypted
unless --no-passphrase: PBES2 with PBKDF2-HMAC-SHA256 (600,000 iterations) and AES-256-CBC,
which "openssl pkey -in KEYFILE" reads. The passphrase comes from --passphrase-file, then
SIGNET_PASSPHRASE, then a prompt on the terminal that asks twice.
` + moreHelp + `
--pub-out also writes the public key (SubjectPublicKeyInfo PEM, as "openssl pkey -pubout"
writes it); the two files are written together, both or neither. Existing files are
replaced only with --force. One line on stderr per file written (-q: none); --json
prints the key type, its fingerprint and the files written.

-o - prints the private key on standard output instead, for a pipe; signet refuses to
print a private key on a terminal.

Types: ` + strings.Join(keyTypeNames(), ", ") + ` (default ` + string(x509util.DefaultKeyType) + `).
RSA-4096 takes a few seconds to generate.

EXAMPLES:
   signet key gen -o signer.key
   signet key gen --type ed25519 -o release.key --pub-out release.pub
   signet key gen --type rsa-3072 --no-passphrase -o tls.key
   signet key gen --passphrase-file pass.txt --json -o ci.key
   signet key gen --no-passphrase -o - | openssl pkey -noout -text
   signet key gen --type ec-p384 -o 'pkcs11:token=ci;object=release?module-path=/usr/lib/softhsm/libsofthsm2.so'`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "type", Aliases: []string{"t"}, Value: string(x509util.DefaultKeyType), Usage: "key `TYPE`: " + strings.Join(keyTypeNames(), ", ")},
			outFlag("write the private key to `FILE` (required; - for standard output)"),
			&cli.StringFlag{Name: "pub-out", Usage: "also write the public key to `FILE`", TakesFile: true},
			&cli.BoolFlag{Name: "no-passphrase", Usage: "write the private key unencrypted"},
			passphraseFileFlag(),
			moduleFlag(),
			forceFlag(),
			quietFlag(),
			jsonFlag(),
		},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usagef("unexpected argument %q; the key file goes after -o", c.Args().First())
			}
			t, err := x509util.ParseKeyType(c.String("type"))
			if err != nil {
				return usagef("--type: %v", err)
			}
			out, pubOut := c.String("out"), c.String("pub-out")
			switch {
			case out == "":
				return usagef("missing -o FILE for the private key")
			case pubOut == "-":
				return usagef("--pub-out takes a file; print a public key with: signet key pub KEYFILE")
			case out == "-" && c.Bool("json"):
				return usagef("-o - and --json both want standard output")
			case out == "-" && keyIsTerminal(e.stdout):
				return usagef("refusing to print a private key on a terminal; write it to a file with -o FILE")
			case keyref.IsPKCS11(out) && (c.Bool("no-passphrase") || c.String("passphrase-file") != ""):
				return usagef("a key generated on a token has no passphrase; the token's PIN protects it")
			case c.Bool("no-passphrase") && c.String("passphrase-file") != "":
				return usagef("--no-passphrase and --passphrase-file contradict each other")
			case pubOut != "" && out != "-" && !keyref.IsPKCS11(out) && sameFile(out, pubOut):
				return usagef("-o and --pub-out both name %s: the private and the public key need a file each", out)
			}
			// A token's -o reads files too: its module and pin-source; a file: reference's,
			// the passphrase file it names (after the key file, which is the output).
			ins := secretFiles(c)
			outFile := out
			switch {
			case keyref.IsPKCS11(out):
				ins = append(ins, keyRefFiles("-o", out)...)
			case keyref.IsFileURI(out):
				if f := keyRefFiles("-o", out); len(f) > 0 {
					outFile = f[0].path
					ins = append(ins, f[1:]...)
				}
			}
			if pubOut != "" && outFile != out && sameFile(outFile, pubOut) {
				return usagef("-o and --pub-out both name %s: the private and the public key need a file each", outFile)
			}
			for _, o := range []struct{ flag, file string }{{"-o", outFile}, {"--pub-out", pubOut}} {
				if err := checkNotInput(o.flag, o.file, ins...); err != nil {
					return err
				}
			}
			g, err := keyref.Generate(out, keyref.GenerateOptions{
				Type:         t,
				PublicOut:    pubOut,
				Force:        c.Bool("force"),
				NoPassphrase: c.Bool("no-passphrase"),
				Passphrase:   passphraseSource(e, c, true),
				Token:        tokenOptions(e, c),
			})
			if err != nil {
				return err
			}
			if g.PEM != nil {
				_, err = e.stdout.Write(g.PEM)
				return err
			}
			if c.Bool("json") {
				return writeJSON(e.stdout, g)
			}
			switch {
			case keyref.IsPKCS11(out):
				if !c.Bool("quiet") {
					fmt.Fprintf(e.stderr, "signet: generated an %s key on the token: %s\n", t, keyref.Redact(g.Key))
				}
			case g.Encrypted:
				wrote(e, c, g.Key, string(t)+" private key, encrypted")
			default:
				wrote(e, c, g.Key, string(t)+" private key, unencrypted")
			}
			wrote(e, c, pubOut, "public key")
			return nil
		},
	}
}

func keyPubCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "pub",
		Usage:     "print the public key (SubjectPublicKeyInfo PEM, or minisign's) of a key or certificate",
		ArgsUsage: "KEYREF",
		Description: `Prints the public key of KEYREF as SubjectPublicKeyInfo PEM, byte for byte what
"openssl pkey -pubout" prints, on standard output or to -o FILE.
` + moreHelp + `
--format minisign prints an Ed25519 key as a minisign public key file instead, which
"minisign -V -p FILE" and "signet verify --key FILE" read. Its key id is the one signet's
minisign signatures name: minisign draws a key id at random when it makes a key, signet
derives it from the key (the first 8 bytes of the BLAKE2b-512 of the public key), so this
file and every signature agree without any state kept beside the key.

` + keyRefHelp + `

EXAMPLES:
   signet key pub signer.key
   signet key pub signer.key -o signer.pub
   signet key pub server.crt
   signet key gen --type ed25519 --no-passphrase -o release.key
   signet key pub --format minisign release.key -o release.minisign.pub`,
		Flags: []cli.Flag{
			outFlag("write the public key to `FILE` instead of standard output"),
			&cli.StringFlag{Name: "format", Aliases: []string{"F"}, Usage: "`FORMAT` pem (default) or minisign (an Ed25519 key, as minisign -G writes it)"},
			passphraseFileFlag(),
			moduleFlag(),
			forceFlag(),
			quietFlag(),
		},
		Action: func(c *cli.Context) error {
			o, err := keyPubParse(c)
			if err != nil {
				return err
			}
			return keyPubRun(e, c, o)
		},
	}
}

// keyPubOptions is what `signet key pub` was asked, once the command line is checked.
type keyPubOptions struct {
	ref      string // KEYREF
	out      string // "" or "-": standard output
	force    bool
	minisign bool // --format minisign
}

// keyPubParse checks the command line before the key is opened.
func keyPubParse(c *cli.Context) (*keyPubOptions, error) {
	ref, err := keyOneArg(c)
	if err != nil {
		return nil, err
	}
	o := &keyPubOptions{ref: ref, out: c.String("out"), force: c.Bool("force")}
	switch f := strings.ToLower(c.String("format")); f {
	case "", "pem":
	case "minisign":
		o.minisign = true
	default:
		return nil, usagef("--format %q: a public key is written as pem or minisign", c.String("format"))
	}
	if err := checkNotInput("-o", o.out, append(keyRefFiles("KEYREF", ref), secretFiles(c)...)...); err != nil {
		return nil, err
	}
	if o.out != "" && o.out != "-" {
		if err := atomicfile.CheckWritable(o.out, o.force); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// warnUnproven says, when why is not empty, that the public key of the token key ref (redacted)
// was not proven to be the key's own (keyref.Public.Unproven): whatever is made or checked
// with it rests on the public key object or certificate stored with the key.
func warnUnproven(e *env, ref, why string) {
	if why != "" {
		e.warnf("%s: not proven to be the key's own public key: %s", ref, why)
	}
}

// keyPubRun opens the public half of the key and writes it.
func keyPubRun(e *env, c *cli.Context, o *keyPubOptions) error {
	pub, err := keyref.OpenPublic(o.ref, keyOptions(e, c))
	if err != nil {
		return err
	}
	warnUnproven(e, keyref.Redact(o.ref), pub.Unproven)
	if o.minisign {
		k, ok := pub.Key.(ed25519.PublicKey)
		if !ok {
			return usagef("--format minisign: %s is not an Ed25519 key (minisign keys are Ed25519)", o.ref)
		}
		return writeOutput(e, c, o.out, sigformat.MarshalMinisignPublicKey(k), o.force, "public key")
	}
	pemBytes, err := x509util.MarshalPublicKeyPEM(pub.Key)
	if err != nil {
		return fmt.Errorf("%s: %w", o.ref, err)
	}
	return writeOutput(e, c, o.out, pemBytes, o.force, "public key")
}

func keyInspectCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "inspect",
		Usage:     "describe a key: type, size or curve, SHA-256 fingerprint, encryption",
		ArgsUsage: "KEYREF",
		Description: `Describes KEYREF: what it is (private key, public key, certificate) and how it is
stored, the key type as --type names it, the algorithm, size and curve, whether it is
encrypted, and its fingerprint: "sha256:" and the hex SHA-256 of the SubjectPublicKeyInfo
DER, the same for a private key, its public key and a certificate for it. openssl computes
it with: openssl pkey -pubin -in signer.pub -outform DER | sha256sum
` + moreHelp + `
--json prints one object:
   {"ref": "signer.key", "type": "ec-p256", "algorithm": "ECDSA", "bits": 256,
    "curve": "P-256", "fingerprint": "sha256:...", "kind": "private key",
    "encoding": "PKCS#8 PEM", "encrypted": true}
("curve" is left out for RSA and Ed25519; "ref" is KEYREF as given.)

` + keyRefHelp + `

EXAMPLES:
   signet key inspect signer.key
   signet key inspect --json signer.pub`,
		Flags: []cli.Flag{
			jsonFlag(),
			passphraseFileFlag(),
			moduleFlag(),
		},
		Action: func(c *cli.Context) error {
			ref, err := keyOneArg(c)
			if err != nil {
				return err
			}
			d, err := keyref.Describe(ref, keyOptions(e, c))
			if err != nil {
				return err
			}
			warnUnproven(e, d.Ref, d.Unproven)
			if c.Bool("json") {
				return writeJSON(e.stdout, d)
			}
			yes := map[bool]string{true: "yes", false: "no"}
			fmt.Fprintf(e.stdout, "ref:         %s\n", d.Ref)
			fmt.Fprintf(e.stdout, "kind:        %s\n", d.Kind)
			fmt.Fprintf(e.stdout, "encoding:    %s\n", d.Encoding)
			if d.Kind == "private key" {
				fmt.Fprintf(e.stdout, "encrypted:   %s\n", yes[d.Encrypted])
			}
			fmt.Fprintf(e.stdout, "type:        %s\n", d.Type)
			fmt.Fprintf(e.stdout, "algorithm:   %s\n", d.Algorithm)
			fmt.Fprintf(e.stdout, "bits:        %d\n", d.Bits)
			if d.Curve != "" {
				fmt.Fprintf(e.stdout, "curve:       %s\n", d.Curve)
			}
			fmt.Fprintf(e.stdout, "fingerprint: %s\n", d.Fingerprint)
			return nil
		},
	}
}

// keyOneArg returns the single KEYREF argument of a command.
func keyOneArg(c *cli.Context) (string, error) {
	switch c.NArg() {
	case 0:
		return "", usagef("missing KEYREF; see 'signet key %s --help'", c.Command.Name)
	case 1:
		return c.Args().First(), nil
	}
	return "", usagef("one KEYREF expected, got %d: %s", c.NArg(), strings.Join(c.Args().Slice(), " "))
}

func keyTypeNames() []string {
	names := make([]string, len(x509util.KeyTypes()))
	for i, t := range x509util.KeyTypes() {
		names[i] = string(t)
	}
	return names
}

// keyIsTerminal reports whether w is a terminal.
func keyIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
