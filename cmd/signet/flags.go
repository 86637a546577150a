package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/keyref"
	"github.com/signet-pki/signet/internal/secret"
	"github.com/signet-pki/signet/x509util"
)

// Shared flags. Each constructor returns a fresh flag so commands never share parse state; the
// names, aliases and help texts are defined once, here.

const (
	envPassphrase   = "SIGNET_PASSPHRASE"
	envCAPassphrase = "SIGNET_CA_PASSPHRASE"
	envPIN          = "SIGNET_PIN"
)

func jsonFlag() cli.Flag {
	return &cli.BoolFlag{Name: "json", Usage: "print machine-readable JSON on stdout"}
}

func quietFlag() cli.Flag {
	return &cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing on success (no 'wrote FILE' line on stderr)"}
}

// wrote says on stderr, in one line, that the command wrote an output: stdout stays data, and
// a run that succeeds is not silent about what it made. Nothing with -q, with --json (whose
// report names the files) or for standard output.
func wrote(e *env, c *cli.Context, path, what string) {
	if path == "" || path == "-" || c.Bool("quiet") || c.Bool("json") {
		return
	}
	fmt.Fprintf(e.stderr, "signet: wrote %s (%s)\n", digest.QuoteName(path), what)
}

func forceFlag() cli.Flag {
	return &cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "replace output files that already exist (never one of the command's inputs)"}
}

func outFlag(usage string) cli.Flag {
	return &cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: usage, TakesFile: true}
}

func keyFlag(usage string) cli.Flag {
	return &cli.StringFlag{Name: "key", Aliases: []string{"k"}, Usage: usage, TakesFile: true}
}

func passphraseFileFlag() cli.Flag {
	return &cli.StringFlag{
		Name:      "passphrase-file",
		Usage:     "read the key passphrase from the first line of `FILE` (else $" + envPassphrase + ", else a prompt)",
		TakesFile: true,
	}
}

func caPassphraseFileFlag() cli.Flag {
	return &cli.StringFlag{
		Name:      "ca-passphrase-file",
		Usage:     "the passphrase of --ca-key: the first line of `FILE` (else $" + envCAPassphrase + ", else as for --key)",
		TakesFile: true,
	}
}

// passphraseSource is where a command reads a passphrase from, given its flags.
func passphraseSource(e *env, c *cli.Context, confirm bool) secret.Source {
	return secret.Source{
		File:      c.String("passphrase-file"),
		Env:       envPassphrase,
		What:      "passphrase",
		Confirm:   confirm,
		LookupEnv: e.lookupEnv,
	}
}

// writeJSON prints v as indented JSON followed by a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// repeated collects every value of a repeated flag as given; unlike cli.StringSliceFlag it
// does not split values on commas, which file names and DNs may contain.
type repeated []string

func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }
func (r *repeated) String() string     { return strings.Join(*r, " ") }

// repeatedFlag is a flag that may be given several times, each value kept whole.
func repeatedFlag(name, usage string) cli.Flag {
	return &cli.GenericFlag{Name: name, Value: &repeated{}, Usage: usage, TakesFile: true}
}

func repeatedValues(c *cli.Context, name string) []string {
	if r, ok := c.Generic(name).(*repeated); ok {
		return *r
	}
	return nil
}

// keyOptions is how every command opens a key reference: the passphrase sources for key
// files and the module, PIN and warning hooks for token keys.
func keyOptions(e *env, c *cli.Context) keyref.Options {
	return keyref.Options{Passphrase: passphraseSource(e, c, false), Token: tokenOptions(e, c),
		Warn: func(m string) { e.warnf("%s", escapeControls(m)) }}
}

// caKeyOptions is how a command opens --ca-key, the second key of a command that may take
// two (cert create, crl create, enroll): its passphrase comes from --ca-passphrase-file, else
// SIGNET_CA_PASSPHRASE, else from where --key's comes from (--passphrase-file, then
// SIGNET_PASSPHRASE, then a prompt that names the file). So two encrypted keys with two
// passphrases need no terminal. This is the one place that rule lives; README.md (Secrets)
// states it.
func caKeyOptions(e *env, c *cli.Context) keyref.Options {
	o := keyOptions(e, c)
	if f := c.String("ca-passphrase-file"); f != "" {
		o.Passphrase.File, o.Passphrase.Env = f, ""
	} else if _, ok := e.lookupEnv(envCAPassphrase); ok {
		o.Passphrase.File, o.Passphrase.Env = "", envCAPassphrase
	}
	return o
}

// flagNameError puts a name the user gave with flag into a usage error: "--subject: ... C must
// be a two-letter country code", from the fields of x509util.NameError rather than its text.
func flagNameError(flag string, err error) error {
	var ne *x509util.NameError
	if errors.As(err, &ne) {
		return usagef("%s %q: %s", flag, ne.Input, ne.Reason)
	}
	return err
}

// fileArg is a file a command reads, and the flag (or argument) that named it, for messages.
type fileArg struct{ flag, path string }

// keyRefFiles are the files a key reference reads (keyref.Files), named by flag.
func keyRefFiles(flag, ref string) []fileArg {
	var in []fileArg
	for _, f := range keyref.Files(ref) {
		in = append(in, fileArg{flag, f})
	}
	return in
}

// secretFiles are the passphrase files and the --module a command was given, whichever of
// those flags it has.
func secretFiles(c *cli.Context) []fileArg {
	var in []fileArg
	for _, flag := range []string{"passphrase-file", "key-passphrase-file", "ca-passphrase-file", "module"} {
		if f := c.String(flag); f != "" {
			in = append(in, fileArg{"--" + flag, f})
		}
	}
	return in
}

// checkNotInput refuses to write an output (named by outFlag) over one of the command's
// inputs: the same path once made absolute and cleaned, or the same file reached another way
// (a hard or symbolic link). --force does not lift this: replacing an input with what was
// made from it (a private key with its public key) destroys it. "-" (standard output) and
// "" are never a file.
func checkNotInput(outFlag, out string, ins ...fileArg) error {
	if out == "" || out == "-" || keyref.IsPKCS11(out) {
		return nil
	}
	for _, in := range ins {
		if in.path != "" && in.path != "-" && sameFile(out, in.path) {
			return refusef("%s %s is also the %s input: refusing to write over it, even with --force", outFlag, out, in.flag)
		}
	}
	return nil
}

// sameFile reports whether paths a and b name one file: equal once absolute and cleaned, or
// existing files with the same identity (device and inode). It guards outputs, so it errs
// toward "the same": "link/../x" and "x" clean alike and count as one even when the link
// makes them two. nameset.SameFile, which decides that a name may be skipped, errs the other
// way and does not clean.
func sameFile(a, b string) bool {
	if aa, err := filepath.Abs(a); err == nil {
		if ab, err := filepath.Abs(b); err == nil && aa == ab {
			return true
		}
	}
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}
