package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/hsm"
	"github.com/signet-pki/signet/internal/pkixname"
	"github.com/signet-pki/signet/internal/secret"
	"github.com/signet-pki/signet/x509util"
)

const tokenDescription = `Lists, inspects and manages PKCS#11 tokens (USB keys, smart cards, HSMs, SoftHSM).
` + moreHelp + `
A token, key or certificate is named by an RFC 7512 PKCS#11 URI, for example
   pkcs11:token=signet;object=release;type=private
Attribute values are percent-encoded (a space is %20; id=%01%a2 is the two bytes 01 a2).
Tokens are chosen by label (token=) or serial (serial=), never by slot number; a URI that
matches several tokens or keys is an error that lists them.

The PKCS#11 module is the URI's module-path (or module-name), else --module, else
$SIGNET_PKCS11_MODULE, else the p11-kit proxy module when it is installed. URIs printed by
these commands carry the module when it came from the URI or --module, so they work as
they are with --key.

The PIN is read from the URI's pin-source (pin-source=file:/path: the file's first line),
else $SIGNET_PIN, else a prompt on the terminal, and only when the token needs a login. A
wrong PIN is never retried; the token's retry counter is used once. When one more wrong PIN
locks the token, a PIN from pin-source or $SIGNET_PIN is not tried unless
SIGNET_PIN_FINAL_TRY=1 (a typed one is); a locked PIN is exit code 5.

EXAMPLES:
   signet token list --module /usr/lib/softhsm/libsofthsm2.so
   signet token objects 'pkcs11:token=signet' --module /usr/lib/softhsm/libsofthsm2.so
   signet token mechanisms 'pkcs11:token=signet?module-path=/usr/lib/softhsm/libsofthsm2.so'
   signet token import-cert 'pkcs11:token=signet;object=release' --cert release.crt
   signet token delete 'pkcs11:token=signet;object=old-key' --yes`

func tokenCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:        "token",
		Usage:       "list PKCS#11 tokens and the keys and certificates on them",
		Description: tokenDescription,
		Subcommands: []*cli.Command{
			tokenListCommand(e),
			tokenObjectsCommand(e),
			tokenMechanismsCommand(e),
			tokenImportCertCommand(e),
			tokenDeleteCommand(e),
		},
	}
}

func moduleFlag() cli.Flag {
	return &cli.StringFlag{
		Name:      "module",
		Usage:     "PKCS#11 module `PATH` if the URI has no module-path (else $" + hsm.EnvModule + ", else p11-kit's proxy)",
		TakesFile: true,
	}
}

// pinError marks a failure to get a token's PIN, so that the hint names the PIN's sources
// rather than the passphrase's.
type pinError struct{ err error }

func (e *pinError) Error() string { return e.err.Error() }
func (e *pinError) Unwrap() error { return e.err }

// tokenOptions fills hsm.Options from the flags: the module, the environment, a PIN prompt on
// the terminal and warnings on stderr.
func tokenOptions(e *env, c *cli.Context) hsm.Options {
	return hsm.Options{
		Module: c.String("module"),
		Getenv: e.getenv,
		PIN: func(t hsm.TokenInfo) ([]byte, error) {
			pin, err := secret.Source{What: "PIN"}.Read(fmt.Sprintf("PIN for token %q", t.Label))
			if err != nil {
				return nil, &pinError{err: err}
			}
			return pin, nil
		},
		// A warning can name what a URI chose (a pin-source path): escaped as errors are.
		Warn:    func(msg string) { e.warnf("%s", escapeControls(msg)) },
		NoLogin: c.Bool("no-login"),
		// A key reference here came from the command line: its PIN, if any, would be in
		// the process list and the shell's history.
		RefusePINValue: true,
	}
}

// tokenArgs returns the positional arguments of a token command. urfave/cli stops parsing
// flags at the first argument, but "signet token delete URI --yes" is the natural order, so
// flags after the URI are applied here; "--" ends them.
func tokenArgs(c *cli.Context) ([]string, error) {
	var pos []string
	args := c.Args().Slice()
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		var f cli.Flag
		for _, fl := range c.Command.Flags {
			for _, n := range fl.Names() {
				if n == name {
					f = fl
				}
			}
		}
		if f == nil {
			return nil, usagef("flag provided but not defined: %s (see --help)", a)
		}
		if dg, ok := f.(cli.DocGenerationFlag); ok && !dg.TakesValue() { // a switch, --help too
			if !hasValue {
				value = "true"
			}
		} else if !hasValue {
			if i+1 >= len(args) {
				return nil, usagef("flag needs an argument: %s", a)
			}
			i++
			value = args[i]
		}
		if err := c.Set(f.Names()[0], value); err != nil {
			return nil, usagef("invalid value %q for flag %s: %v", value, a, err)
		}
	}
	return pos, nil
}

// oneURI returns the command's single URI argument, after applying flags given after it.
func oneURI(c *cli.Context, what string) (string, error) {
	args, err := tokenArgs(c)
	if err != nil {
		return "", err
	}
	switch len(args) {
	case 0:
		return "", usagef("give the %s as a pkcs11: URI (see 'signet token %s --help')", what, c.Command.Name)
	case 1:
		return args[0], nil
	}
	return "", usagef("one URI only; got %d arguments (quote URIs: ';' and '&' are special to the shell)", len(args))
}

func tokenListCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "list",
		Usage:     "list the slots and tokens of a PKCS#11 module",
		ArgsUsage: "[URI]",
		Description: `Prints every slot of the module and the token in it: label, manufacturer, model,
serial, flags (initialized, login required, PIN count low, PIN final try, PIN locked) and
the URI that selects it. A URI argument filters the list by its token and slot attributes.

EXAMPLES:
   signet token list --module /usr/lib/softhsm/libsofthsm2.so
   signet token list 'pkcs11:token=signet?module-path=/usr/lib/softhsm/libsofthsm2.so' --json`,
		Flags: []cli.Flag{moduleFlag(), jsonFlag()},
		Action: func(c *cli.Context) error {
			args, err := tokenArgs(c)
			if err != nil {
				return err
			}
			uri := ""
			switch len(args) {
			case 0:
			case 1:
				uri = args[0]
			default:
				return usagef("at most one URI; got %d arguments (quote URIs: ';' and '&' are special to the shell)", len(args))
			}
			mod, toks, err := hsm.ListTokens(uri, tokenOptions(e, c))
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return writeJSON(e.stdout, struct {
					Module moduleView      `json:"module"`
					Slots  []hsm.TokenInfo `json:"slots"`
				}{viewModule(mod), nonNil(toks)})
			}
			printModule(e.stdout, mod)
			for _, t := range toks {
				fmt.Fprintln(e.stdout)
				printToken(e.stdout, t)
			}
			return nil
		},
	}
}

type moduleView struct {
	hsm.ModuleInfo
	Version string `json:"version"`
}

func viewModule(m hsm.ModuleInfo) moduleView { return moduleView{m, m.Version()} }

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func printModule(w io.Writer, m hsm.ModuleInfo) {
	fmt.Fprintf(w, "module %s\n", printable(m.Path))
	fmt.Fprintf(w, "  library:       %s, %s %s (PKCS#11 %s)\n", printable(m.Description), printable(m.Manufacturer), m.Version(), m.Cryptoki)
}

func printToken(w io.Writer, t hsm.TokenInfo) {
	fmt.Fprintf(w, "%s\n", t.URI)
	fmt.Fprintf(w, "  slot:          %d (%s)\n", t.SlotID, printable(t.SlotDescription))
	if !t.Present {
		fmt.Fprintf(w, "  token:         none\n")
		return
	}
	fmt.Fprintf(w, "  label:         %s\n", orNone(printable(t.Label)))
	fmt.Fprintf(w, "  manufacturer:  %s\n", orNone(printable(t.Manufacturer)))
	fmt.Fprintf(w, "  model:         %s\n", orNone(printable(t.Model)))
	fmt.Fprintf(w, "  serial:        %s\n", orNone(printable(t.Serial)))
	fmt.Fprintf(w, "  flags:         %s\n", strings.Join(tokenFlagWords(t.Flags), ", "))
}

// printable escapes what a token says of itself (labels, manufacturer, model, serial: any
// bytes a token or whoever wrote to it chose) for a terminal, as every name signet prints is
// escaped: a backslash as \\, and a control or format character, or a byte that is not UTF-8,
// as \XX. The URIs printed beside them percent-encode the same bytes.
func printable(s string) string { return pkixname.EscapeText(s) }

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func tokenFlagWords(f hsm.TokenFlags) []string {
	var w []string
	add := func(b bool, s string) {
		if b {
			w = append(w, s)
		}
	}
	if !f.Initialized {
		w = append(w, "not initialized")
	} else {
		w = append(w, "initialized")
	}
	add(f.LoginRequired, "login required")
	add(f.UserPINSet, "user PIN set")
	add(f.PINCountLow, "PIN count low")
	add(f.PINFinalTry, "PIN final try")
	add(f.PINLocked, "PIN locked")
	add(f.PINToBeChanged, "PIN to be changed")
	add(f.WriteProtected, "write protected")
	add(f.ProtectedAuthPath, "PIN pad")
	return w
}

// objectView is an object as `token objects --json` prints it.
type objectView struct {
	hsm.Object
	ID       string     `json:"id"`
	Subject  string     `json:"subject,omitempty"`
	Issuer   string     `json:"issuer,omitempty"`
	Serial   string     `json:"serial,omitempty"`
	NotAfter *time.Time `json:"not_after,omitempty"`
}

func viewObject(o hsm.Object) objectView {
	v := objectView{Object: o, ID: hex.EncodeToString(o.ID)}
	if c := o.Certificate; c != nil {
		v.Subject = x509util.FormatName(c.Subject)
		v.Issuer = x509util.FormatName(c.Issuer)
		v.Serial = c.SerialNumber.Text(16)
		na := c.NotAfter.UTC()
		v.NotAfter = &na
	}
	return v
}

func tokenObjectsCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "objects",
		Usage:     "list the keys and certificates on a token",
		ArgsUsage: "URI",
		Description: `Lists the objects on the token the URI selects that match its object=, id= and
type= attributes: class, label, id, key type and size, and which certificate belongs to
which key (they share the id). Each object is shown as a URI that --key accepts.

Private keys are listed only after logging in; --no-login lists the public objects without
asking for a PIN.

EXAMPLES:
   signet token objects 'pkcs11:token=signet' --module /usr/lib/softhsm/libsofthsm2.so
   signet token objects 'pkcs11:token=signet;type=cert' --json
   signet token objects 'pkcs11:token=signet;object=release?pin-source=file:pin.txt'`,
		Flags: []cli.Flag{
			moduleFlag(), jsonFlag(),
			&cli.BoolFlag{Name: "no-login", Usage: "do not log in: list only the public objects"},
		},
		Action: func(c *cli.Context) error {
			uri, err := oneURI(c, "token")
			if err != nil {
				return err
			}
			objs, err := hsm.ListObjects(uri, tokenOptions(e, c))
			if err != nil {
				return err
			}
			if c.Bool("json") {
				views := make([]objectView, len(objs))
				for i, o := range objs {
					views[i] = viewObject(o)
				}
				return writeJSON(e.stdout, views)
			}
			for i, o := range objs {
				if i > 0 {
					fmt.Fprintln(e.stdout)
				}
				printObject(e.stdout, o)
			}
			return nil
		},
	}
}

func printObject(w io.Writer, o hsm.Object) {
	kinds := map[hsm.ObjectType]string{
		hsm.TypePrivate: "private key", hsm.TypePublic: "public key", hsm.TypeCert: "certificate",
		hsm.TypeSecretKey: "secret key", hsm.TypeData: "data",
	}
	kind := kinds[o.Type]
	if kind == "" {
		kind = string(o.Type)
	}
	fmt.Fprintf(w, "%s\n", o.URI)
	fmt.Fprintf(w, "  class:         %s\n", kind)
	fmt.Fprintf(w, "  label:         %s\n", orNone(printable(o.Label)))
	fmt.Fprintf(w, "  id:            %s\n", orNone(hex.EncodeToString(o.ID)))
	if o.KeyType != "" {
		k := o.KeyType
		switch {
		case o.Curve != "" && o.Curve != o.KeyType:
			k += " " + o.Curve
		case o.Curve == "" && o.Bits > 0:
			k += fmt.Sprintf(" %d", o.Bits)
		}
		fmt.Fprintf(w, "  key:           %s\n", k)
	}
	if o.Type == hsm.TypePrivate {
		var f []string
		if o.Sensitive {
			f = append(f, "sensitive")
		}
		if o.Extractable {
			f = append(f, "extractable")
		} else {
			f = append(f, "not extractable")
		}
		if o.Sign {
			f = append(f, "sign")
		}
		fmt.Fprintf(w, "  flags:         %s\n", strings.Join(f, ", "))
	}
	if c := o.Certificate; c != nil {
		fmt.Fprintf(w, "  subject:       %s\n", x509util.FormatName(c.Subject))
		fmt.Fprintf(w, "  issuer:        %s\n", x509util.FormatName(c.Issuer))
		fmt.Fprintf(w, "  not after:     %s\n", c.NotAfter.UTC().Format(time.RFC3339))
	}
	if o.CertificateURI != "" {
		fmt.Fprintf(w, "  certificate:   %s\n", o.CertificateURI)
	}
	if o.PrivateKeyURI != "" {
		fmt.Fprintf(w, "  private key:   %s\n", o.PrivateKeyURI)
	}
}

func tokenMechanismsCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "mechanisms",
		Usage:     "show whether a token has the signing mechanisms signet uses",
		ArgsUsage: "URI",
		Description: `For each mechanism signet uses (RSA PKCS#1 v1.5 and PSS, ECDSA, Ed25519 signatures, and
RSA, EC and Ed25519 key generation) prints whether the token lists it with the flag signet
needs. signet hashes in software and asks the token to sign the digest (CKM_ECDSA,
CKM_RSA_PKCS with the DigestInfo, CKM_RSA_PKCS_PSS), or the message for Ed25519 (CKM_EDDSA).

EXAMPLES:
   signet token mechanisms 'pkcs11:token=signet' --module /usr/lib/softhsm/libsofthsm2.so
   signet token mechanisms 'pkcs11:token=signet?module-path=/usr/lib/softhsm/libsofthsm2.so' --json`,
		Flags: []cli.Flag{moduleFlag(), jsonFlag()},
		Action: func(c *cli.Context) error {
			uri, err := oneURI(c, "token")
			if err != nil {
				return err
			}
			tok, mechs, err := hsm.Mechanisms(uri, tokenOptions(e, c))
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return writeJSON(e.stdout, struct {
					Token      string          `json:"token"`
					Mechanisms []hsm.Mechanism `json:"mechanisms"`
				}{tok.URI, mechs})
			}
			fmt.Fprintf(e.stdout, "%s\n", tok.URI)
			for _, m := range mechs {
				state := "yes"
				switch {
				case !m.Listed:
					state = "no"
				case !m.Available:
					state = "listed, flag missing"
				}
				sizes := ""
				if m.Available && m.MaxKeySize > 0 {
					sizes = fmt.Sprintf("  (key sizes %d-%d)", m.MinKeySize, m.MaxKeySize)
				}
				fmt.Fprintf(e.stdout, "  %-28s %-27s %s%s\n", m.Name, m.Scheme, state, sizes)
			}
			return nil
		},
	}
}

func tokenImportCertCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "import-cert",
		Usage:     "write a key's certificate onto the token",
		ArgsUsage: "URI --cert FILE",
		Description: `Writes the certificate in FILE (PEM or DER) onto the token, with the label and id of
the private key the URI selects, so that the key and its certificate pair up. A certificate
whose public key is not that key's is refused; the same certificate already there is not
written again, another one is refused. With --with-chain, the further certificates in FILE
are written too, as separate certificate objects labelled with their subject's common name;
one already on the token is skipped. (--chain, its old name, still works as a switch here;
elsewhere, as in 'signet enroll' and 'signet cert p12', --chain names a FILE.)

EXAMPLES:
   signet token import-cert 'pkcs11:token=signet;object=release' --cert release.crt
   signet token import-cert 'pkcs11:token=signet;object=release' --cert chain.pem --with-chain`,
		Flags: []cli.Flag{
			moduleFlag(),
			&cli.StringFlag{Name: "cert", Usage: "certificate `FILE` (PEM or DER); the first certificate is the key's", TakesFile: true},
			&cli.BoolFlag{Name: "with-chain", Usage: "also write the further certificates of the --cert FILE"},
			// The old name of --with-chain, kept for the scripts that use it; hidden, since
			// --chain names a FILE in every other command.
			&cli.BoolFlag{Name: "chain", Usage: "the old name of --with-chain", Hidden: true},
		},
		Action: func(c *cli.Context) error {
			uri, err := oneURI(c, "key")
			if err != nil {
				return err
			}
			if c.String("cert") == "" {
				return usagef("--cert FILE is required")
			}
			certs, err := x509util.LoadCertificateFile(c.String("cert"))
			if err != nil {
				return err
			}
			if len(certs) > 1 && !c.Bool("with-chain") && !c.Bool("chain") {
				return usagef("%s holds %d certificates; pass --with-chain to write the others too, or give a file with only the key's certificate", c.String("cert"), len(certs))
			}
			objs, err := hsm.ImportCertificateChain(uri, certs, tokenOptions(e, c))
			for _, o := range objs {
				fmt.Fprintln(e.stdout, o.URI)
			}
			return err
		},
	}
}

func tokenDeleteCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "delete",
		Usage:     "delete a key pair and its certificate from a token",
		ArgsUsage: "URI --yes",
		Description: `Deletes what the URI names: without type=, one key pair and its certificate (every key
and certificate sharing the id of the objects the URI matches); with type=, exactly one
object. The URI must have object= or id=. A URI that names several keys deletes nothing and
lists them. Nothing is deleted without --yes. The URIs of the deleted objects are printed.

EXAMPLES:
   signet token delete 'pkcs11:token=signet;object=old-key' --yes
   # only the certificate; the key stays
   signet token delete 'pkcs11:token=signet;object=release;type=cert' --yes`,
		Flags: []cli.Flag{
			moduleFlag(), jsonFlag(),
			&cli.BoolFlag{Name: "yes", Usage: "really delete"},
		},
		Action: func(c *cli.Context) error {
			uri, err := oneURI(c, "objects")
			if err != nil {
				return err
			}
			if !c.Bool("yes") {
				return usagef("refusing to delete without --yes (deleting a key cannot be undone)")
			}
			gone, err := hsm.Delete(uri, tokenOptions(e, c))
			if c.Bool("json") && err == nil {
				views := make([]objectView, len(gone))
				for i, o := range gone {
					views[i] = viewObject(o)
				}
				return writeJSON(e.stdout, views)
			}
			for _, o := range gone {
				fmt.Fprintln(e.stdout, o.URI)
			}
			return err
		},
	}
}
