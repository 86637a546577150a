package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/atomicfile"
	"github.com/signet-pki/signet/internal/readlimit"
	"github.com/signet-pki/signet/timestamp"
	"github.com/signet-pki/signet/verify"
)

func tsCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:        "ts",
		Usage:       "RFC 3161 timestamps alone: ask a TSA for one, check one",
		Subcommands: []*cli.Command{tsQueryCommand(e), tsVerifyCommand(e)},
	}
}

// maxTSData bounds what ts query and ts verify read whole: a timestamp covers a signature or
// a small file; a large artifact is signed, and its signature timestamped.
const maxTSData = 1 << 30

const tsQueryHelp = `Asks the RFC 3161 TSAs --tsa (in order, the first that answers) for a timestamp token over
FILE (its SHA-256 digest, or -a's), with a fresh nonce and certReq, checks the answer (the
token's signature, ESS signing certificate, time-stamping certificate, imprint and nonce)
and writes the token (DER TimeStampToken; 'openssl ts -verify -token_in' reads it) to -o,
default FILE.tsr. Its TSA's chain is not judged here: 'signet ts verify' does that. FILE is
a regular file or a pipe (<(...)): a directory, a device, or a pipe that gives no bytes (a
named pipe without a writer) is refused (exit 3).

EXAMPLES:
   signet ts query --tsa $(cat tsa.url) release.tar.gz.sig
   signet ts verify release.tar.gz.sig.tsr --data release.tar.gz.sig --tsa-roots root.pem
   openssl ts -verify -token_in -in release.tar.gz.sig.tsr -data release.tar.gz.sig -CAfile root.pem`

func tsQueryCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:        "query",
		Usage:       "ask a time-stamp authority for a token over a file",
		ArgsUsage:   "FILE",
		Description: tsQueryHelp,
		Flags: append(tsaSignFlags(),
			&cli.StringFlag{Name: "algorithm", Aliases: []string{"a"}, Value: "sha256", Usage: "hash `ALG` of the imprint: sha256, sha384, sha512, sha3-256, sha3-384, sha3-512"},
			outFlag("write the token to `FILE` (default: FILE.tsr)"),
			forceFlag(),
		),
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("ts query takes one FILE (see --help)")
			}
			urls, err := tsaURLs(c)
			if err != nil {
				return err
			}
			if len(urls) == 0 {
				return usagef("missing --tsa URL: the time-stamp authority to ask")
			}
			alg, err := digest.ParseAlgorithm(c.String("algorithm"))
			if err != nil {
				return algorithmFlagError("-a", err)
			}
			in := c.Args().First()
			out := c.String("out")
			if out == "" {
				out = in + ".tsr"
			}
			if err := checkNotInput("-o", out, fileArg{"FILE", in}); err != nil {
				return err
			}
			if err := atomicfile.CheckWritable(out, c.Bool("force")); err != nil {
				return err
			}
			data, err := tsReadData(in)
			if err != nil {
				return err
			}
			client := &timestamp.Client{URLs: urls, Hash: alg.CryptoHash()}
			tok, err := client.Timestamp(c.Context, data)
			if err != nil {
				return err
			}
			return atomicfile.WriteFile(out, tok.Raw, atomicfile.Options{Force: c.Bool("force")})
		},
	}
}

const tsVerifyHelp = `Checks an RFC 3161 timestamp token (or a time-stamp response holding one, as 'openssl ts
-reply' writes) alone: the token's signature and ESS signing-certificate attribute, its tsa
name (when given, one of its TSA certificate's names, RFC 3161 2.4.2), its TSA's
certificate (extended key usage timeStamping alone, critical, RFC 3161 2.3) and chain
to --tsa-roots at the token's genTime (default: the root of 'signet init'), and that its
message imprint is the digest of --data FILE (a regular file or a pipe that gives bytes) or
equals --digest HEX. It prints the TSA, genTime, accuracy, serial number and policy. Exit 0
when valid, 1 when not, 3 when the token or the file cannot be read or the token rests on
SHA-1 (its signature or its message imprint), which signet does not rely on.
` + moreHelp + `
JSON (--json): {valid, tsa, tsa_name, gen_time, accuracy, serial, policy, hash, error,
rule, chain[]}; rule is the id of the rule the TSA's chain broke, when that was the failure.

EXAMPLES:
   signet ts query --tsa $(cat tsa.url) -o token.tsr release.tar.gz.sig
   signet ts verify token.tsr --data release.tar.gz.sig --tsa-roots root.pem
   signet ts verify --json token.tsr --tsa-roots root.pem \
       --digest e5bc2c58bbb0a51702ebe17973eaa4a28668b47457854fb917aa6d2fc45a39bd
   # another file than the one timestamped: exit 1
   signet ts verify token.tsr --data release.tar.gz --tsa-roots root.pem`

func tsVerifyCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:        "verify",
		Usage:       "check a timestamp token: signature, TSA chain, imprint",
		ArgsUsage:   "TOKEN",
		Description: tsVerifyHelp,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "data", Usage: "the token must cover `FILE` (its digest under the token's hash)", TakesFile: true},
			&cli.StringFlag{Name: "digest", Usage: "the token's imprint must be `HEX`"},
			repeatedFlag("tsa-roots", "trust TSAs that chain to the certificates in `FILE`; repeatable (default: the root of 'signet init')"),
			jsonFlag(),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("ts verify takes one TOKEN (see --help)")
			}
			if c.IsSet("data") == c.IsSet("digest") {
				return usagef("give what the token covers: --data FILE or --digest HEX (one of them)")
			}
			var covered, d []byte
			var err error
			if c.IsSet("digest") {
				if d, err = hex.DecodeString(strings.TrimSpace(c.String("digest"))); err != nil || len(d) == 0 {
					return usagef("--digest %q is not a hexadecimal digest", c.String("digest"))
				}
			} else if covered, err = tsReadData(c.String("data")); err != nil {
				return err
			}
			t, err := trustAnchors(e, repeatedValues(c, "tsa-roots"), false, "tsa-roots")
			if err != nil {
				return err
			}
			name := c.Args().First()
			token, err := readlimit.ReadFile(name, verify.MaxSignatureSize)
			if err != nil {
				return tsFileError(name, err)
			}
			r, verr := verify.VerifyTimestamp(token, covered, d, t.certs)
			code := exitOK
			switch {
			case errors.Is(verr, verify.ErrPolicy):
				return verr
			case errors.Is(verr, timestamp.ErrMalformed), errors.Is(verr, timestamp.ErrUnsupported):
				code = exitBadInput
			case verr != nil:
				code = exitCheckFailed
			}
			if c.Bool("json") {
				if err := writeJSON(e.stdout, r); err != nil {
					return err
				}
			} else if verr == nil {
				verdictLine(e.stdout, "OK", name, tsSummary(r))
			} else if code == exitCheckFailed {
				verdictLine(e.stdout, "FAILED", name, r.Error)
			}
			if verr != nil {
				return &codedError{code: code, msg: fmt.Sprintf("%s: %s", digest.QuoteName(name), r.Error)}
			}
			return nil
		},
	}
}

// tsSummary is the verdict line's detail for a valid token.
func tsSummary(r verify.TimestampReport) string {
	return fmt.Sprintf("timestamped %s (±%s) by %s, serial %s, policy %s, %s imprint",
		r.GenTime.UTC().Format("2006-01-02T15:04:05.999999Z"), r.Accuracy, r.TSA, r.Serial, r.Policy, strings.ToLower(strings.ReplaceAll(r.Hash, "-", "")))
}

// errEmptyPipe refuses a pipe that gave ts no bytes: a named pipe without a writer reads as
// empty (readlimit.ReadFile does not wait for one), and a token over no bytes at all, or a
// mismatch blamed on the token, is not what was asked for.
var errEmptyPipe = errors.New("is a pipe that gave no bytes (a named pipe without a writer reads as empty)")

// tsReadData reads the file a timestamp is over (ts query FILE, ts verify --data FILE): a
// regular file or a pipe (a shell's process substitution), as every input read whole. A
// directory, a device, a file over the cap, or a pipe that gives no bytes is refused naming
// the file (exit 3).
func tsReadData(name string) ([]byte, error) {
	data, err := readlimit.ReadFile(name, maxTSData)
	if err != nil {
		return nil, tsFileError(name, err)
	}
	if len(data) == 0 {
		if fi, err := os.Stat(name); err == nil && fi.Mode()&fs.ModeNamedPipe != 0 {
			return nil, fmt.Errorf("%s: %w", name, errEmptyPipe)
		}
	}
	return data, nil
}

// tsFileError names the file in a refusal of readlimit, which carries no path (an
// *fs.PathError names its own).
func tsFileError(name string, err error) error {
	if err == nil || errors.As(err, new(*fs.PathError)) {
		return err
	}
	return fmt.Errorf("%s: %w", name, err)
}
