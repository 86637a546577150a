package main

import (
	"cmp"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/identity"
	"github.com/signet-pki/signet/internal/keyref"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/sign"
	"github.com/signet-pki/signet/x509util"
)

const signDescription = `Signs each FILE with a key and writes its signature beside it: FILE.sigstore.json (a
Sigstore bundle, when a certificate is known), FILE.p7s (--format cms, as openssl cms writes)
FILE.minisig (--format minisign, as minisign writes) or FILE.sig (raw, as openssl dgst writes).
Without --key, the identity of 'signet init' signs.
All or nothing: when a file fails, no signature is written; an existing one needs --force.
` + moreHelp + `
Signs files with a key, in one of four formats, each with its peers:

   raw      the bare signature, exactly what "openssl dgst -sha256 -sign KEY -out SIG FILE"
            writes and "openssl dgst -verify" checks: DER ECDSA, RSA PKCS#1 v1.5, RSA-PSS
            with --pss (salt as long as the digest), Ed25519 over the whole file (as
            "openssl pkeyutl -sign -rawin"). FILE.sig; --base64 writes it as text.
   cms      a detached CMS SignedData (RFC 5652), DER, with signed attributes (content type,
            message digest, signing time) and the signer's chain, which "openssl cms -verify
            -binary -inform DER -content FILE -CAfile ROOT -purpose any" accepts. Ed25519
            follows RFC 8419 (SHA-512); OpenSSL cannot check Ed25519 CMS, GnuTLS's certtool
            --p7-verify can. FILE.p7s.
   bundle   a Sigstore bundle v0.3 (JSON): the signature, the digest, and the signer's
            certificate alone (verifiers complete the chain from their trusted root or
            --intermediates) or, for a bare key, a public-key hint. Ed25519 is Ed25519ph
            over SHA-512 with a certificate and pure Ed25519 with a bare key, as sigstore-go
            and cosign check them. It has no transparency-log entry: an "offline" bundle,
            which tools demanding a Rekor entry (cosign by default) refuse. FILE.sigstore.json.
   minisign an Ed25519 key's signature as "minisign -S" writes it, which "minisign -V -p
            PUBFILE -m FILE" accepts ("signet key pub --format minisign KEYREF" writes
            PUBFILE): Ed25519 over the file's BLAKE2b-512 digest (the file is read whole, up
            to 1 GiB), the key id (derived from the key: the first 8 bytes of the BLAKE2b-512
            of the public key), the untrusted comment "signature from signet secret key" and
            the trusted comment, signed too: --trusted-comment TEXT, default minisign's
            "timestamp:UNIX<tab>file:NAME<tab>hashed". Another key type, -a, --cert, --tsa and
            --digest are refused (exit 2). FILE.minisig.

The default format is bundle when a certificate is known (--cert, the identity of
"signet init", a PKCS#12 file, a token key with its certificate), else raw; --base64 alone
means raw. Roots are left out of the chain a signature carries: verifiers bring their own.

Without --key, the identity "signet init" made signs (its key and chain in $SIGNET_HOME).
With --cert, the certificate for the key is found in CHAINFILE and the rest of it is the
chain; a certificate that is not the key's is refused (exit 4).

Many files are signed in one run: the key is opened once (one passphrase prompt, one token
login), the files are hashed in parallel and signed on a pool of workers. It is all or
nothing: if any file cannot be read or signed, each failure is reported, the exit code is
not zero and no signature is written, so the run can be repeated as it is. An existing
signature is not replaced without --force; with --force the old signatures are kept until
all new ones are in place, and put back if the run fails. An output that is one of the
files to sign, the key, --cert or --passphrase-file (by name or through a link) is refused
(exit 2), --force or not. With
--recursive, directories are expanded to the regular files below them; files found there
whose names end in .sig, .p7s, .sigstore.json or .minisig are not signed; one that is not a signature
of the file beside it is named on stderr (not with -q). A FILE that is the signature
of another FILE given, in the arguments or --files-from (FILE.sigstore.json, .p7s or .minisig beside
it, the names compared cleaned: a.p7s is ./a's; with such content, and not signed itself) is
skipped with one line on stderr, so "signet sign --force dist/*" can be run again, and a
--manifest does not list it; a FILE.sig is signed (a raw signature cannot be told from data).

Ctrl-C (SIGINT) or SIGTERM stops a run: nothing is written, replaced signatures are as they
were, and signet exits 130 or 143. Signatures are staged in a hidden .signet-stage-*
directory beside them; one left by a killed run (kill -9) is never signed, and the next run
that writes to that directory removes it. Runs over the same files at the same time never
remove each other's signatures.

--manifest NAME hashes the files, writes a checksum list NAME in sha256sum's format (tagged
lines, as "signet hash --tag", for hashes coreutils has no tool for) with the files named
relative to NAME's directory, so "sha256sum -c NAME" run there checks it, and signs NAME.
A file outside that directory (a name with .., or a link, of the file or a directory above
it, that leads out) is refused (exit 2) before anything is written, since 'signet verify
--manifest' refuses such a name: put NAME in a directory above every file, or list it with
--allow-outside (verify then needs --allow-outside too).

--digest HEX signs a digest computed elsewhere (with -a's algorithm, default sha256) and
reads no file; the signature goes to -o FILE, or with -o - to standard output. An Ed25519
signature in the raw format, or in a bundle without a certificate, covers the whole message,
so it cannot be made from a digest: use --format cms, or a bundle with a certificate
(Ed25519ph), whose Ed25519 signature covers a SHA-512 digest. Such a whole-message
signature reads each FILE whole, up to 1 GiB. Any signature is of a regular file (or - for
standard input): a device or a named pipe is refused at once (exit 3), never waited on.

--tsa URL (repeatable; the first that answers) asks an RFC 3161 Time-Stamp Authority over
HTTP for a token over each signature value, with a nonce and certReq, and checks it (the
token's signature, ESS signing certificate, a time-stamping TSA certificate, imprint and
nonce) before anything is written. CMS keeps it as the unsigned attribute
id-aa-signatureTimeStampToken, a bundle in timestampVerificationData.rfc3161Timestamps, a
raw signature beside it as FILE.sig.tsr (written, and refused without --force, with the
signature). No TSA answering with a valid token fails the run: exit 69, nothing written.
'signet verify' then validates the signer's chain at the token's time ('signet tsa serve'
is a small TSA for CI).

-o names the signature when there is one (one FILE, --manifest or --digest); - is standard
output. --json prints one receipt per signature: the file, its digest and algorithm, the
format, where the signature went, the key's fingerprint and the certificate's subject and
fingerprint (sha256, as cert inspect shows it). On a terminal, more than 1000 files or 256
MiB draw a progress bar on stderr (not on a pipe, not when CI is set).

` + filesFromHelp + `
The names are put aside in the hidden staging directory beside the first signature, not held
in memory: a list of a million files takes about the memory of a short one. With -o,
--manifest or --recursive they are read first.

` + keyRefHelp + `

EXAMPLES:
   signet init
   signet sign release.tar.gz
   signet sign --format cms -a sha384 release.tar.gz
   openssl cms -verify -binary -inform DER -in release.tar.gz.p7s -content release.tar.gz -CAfile ~/.config/signet/root.pem -purpose any -out release.check
   signet key gen --no-passphrase -o release.key --pub-out release.pub
   signet sign --key release.key release.tar.gz
   openssl dgst -sha256 -verify release.pub -signature release.tar.gz.sig release.tar.gz
   signet sign --key release.key --base64 -o - release.tar.gz
   signet key gen --type ed25519 --no-passphrase -o release-ed.key
   signet sign --key release-ed.key --format minisign --trusted-comment 'release 1.0' release.tar.gz
   signet sign --json --force dist/app-linux.tar.gz dist/app-darwin.tar.gz
   signet sign --manifest dist/SHA256SUMS --recursive dist
   signet sign -a sha256 --digest 2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae -o foo.sigstore.json
   # a missing file: nothing is signed, exit 3
   signet sign --force release.tar.gz missing.tar.gz`

func signCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:        "sign",
		Usage:       "sign files: raw (openssl dgst), CMS (openssl cms), Sigstore bundle or minisign",
		ArgsUsage:   "FILE...",
		Description: signDescription,
		Flags: append([]cli.Flag{
			keyFlag("sign with `KEYREF` (default: the identity of 'signet init')"),
			&cli.StringFlag{Name: "cert", Usage: "the signer's certificate and its chain, PEM or DER, in `CHAINFILE`", TakesFile: true},
			&cli.StringFlag{Name: "format", Aliases: []string{"F"}, Usage: "signature `FORMAT`: raw, cms, bundle or minisign (default: bundle with a certificate, else raw)"},
			&cli.StringFlag{Name: "trusted-comment", Usage: "the trusted comment `TEXT` of minisign signatures (default: timestamp:UNIX<tab>file:NAME<tab>hashed, as minisign's)"},
			&cli.StringFlag{Name: "algorithm", Aliases: []string{"a"}, Usage: "hash `ALG`: sha256 (default; sha512 for Ed25519 in CMS and in a bundle with a certificate), sha384, sha512, sha512-256, sha3-256, sha3-384, sha3-512; with --manifest, also the list's (minisign: the list's only)"},
			&cli.BoolFlag{Name: "pss", Usage: "RSA-PSS (salt as long as the digest) instead of PKCS#1 v1.5"},
			&cli.BoolFlag{Name: "base64", Usage: "write a raw signature as base64 text"},
			outFlag("write the signature to `FILE` (one FILE, --manifest or --digest; - for standard output)"),
			&cli.StringFlag{Name: "digest", Usage: "sign this precomputed digest (`HEX`) instead of files"},
			&cli.StringFlag{Name: "manifest", Usage: "write a checksum list `NAME` of the files and sign it", TakesFile: true},
			&cli.BoolFlag{Name: "allow-outside", Usage: "with --manifest: list files outside the list's directory (.., links out), which verify --manifest then needs --allow-outside for"},
			&cli.BoolFlag{Name: "recursive", Aliases: []string{"r"}, Usage: "sign the regular files below each directory"},
			jsonFlag(),
			forceFlag(),
			quietFlag(),
			passphraseFileFlag(),
			moduleFlag(),
		}, append(tsaSignFlags(), filesFromFlags()...)...),
		Action: func(c *cli.Context) error { return runSign(e, c) },
	}
}

// signOptions is what `signet sign` was asked, once the command line is checked.
type signOptions struct {
	files []string // to sign; none with --digest
	// namesFrom streams the names of --files-from after files, when the run does not need
	// them all first (streamFilesFrom); stopNames ends its reading, and close calls it.
	namesFrom iter.Seq2[string, error]
	stopNames func()
	close     func()
	digest    digest.Digest // --digest, decoded; nil without it
	manifest  string
	// listAlg is -a with --format minisign --manifest: the list's hash (the signature's is
	// always BLAKE2b-512).
	listAlg digest.Algorithm
	out     string
	certs   []*x509.Certificate // --cert; nil without it
	sign    sign.SignOptions    // Format and Certificates are settled once the key is open
}

// signParse checks the command line and reads --cert, before the key is opened: a mistake in
// it never costs a passphrase prompt or a token login.
func signParse(e *env, c *cli.Context) (_ *signOptions, err error) {
	o := &signOptions{manifest: c.String("manifest"), out: c.String("out")}
	o.close = func() {
		if o.stopNames != nil {
			o.stopNames()
		}
	}
	defer func() {
		if err != nil {
			o.close()
		}
	}()
	var files []string
	listed := false         // names come from --files-from, streamed (o.namesFrom)
	if streamFilesFrom(c) { // sign_filesfrom.go
		files = c.Args().Slice()
		var empty bool
		o.namesFrom, empty, o.stopNames, err = pullNames(c)
		if err != nil {
			return nil, err
		}
		listed = !empty
	} else if files, err = withFilesFrom(c, c.Args().Slice()); err != nil { // filesfrom.go: --files-from
		return nil, err
	}
	digestHex, manifest, out := c.String("digest"), o.manifest, o.out
	switch {
	case c.IsSet("digest") && len(files) > 0:
		return nil, usagef("--digest signs a digest, not files: give no FILE")
	case c.IsSet("digest") && (manifest != "" || c.Bool("recursive")):
		return nil, usagef("--digest cannot be used with --manifest or --recursive")
	case c.IsSet("digest") && out == "":
		return nil, usagef("--digest needs -o FILE (or -o - for standard output)")
	case c.Bool("allow-outside") && manifest == "":
		return nil, usagef("--allow-outside applies to the files of a --manifest")
	case !c.IsSet("digest") && len(files) == 0 && !listed:
		return nil, usagef("no FILE to sign; see 'signet sign --help'")
	case out != "" && manifest == "" && !c.IsSet("digest") && (len(files) > 1 || c.Bool("recursive")):
		return nil, usagef("-o names one signature: give one FILE, or use --manifest")
	case out == "" && manifest == "" && !c.IsSet("digest") && containsStdin(files):
		return nil, usagef("standard input (-) needs -o FILE")
	}
	o.files = files
	if err := checkNotInput("-o", out, signReadArgs(e, c)...); err != nil {
		return nil, err
	}
	tsas, err := tsaURLs(c)
	if err != nil {
		return nil, err
	}
	o.sign = sign.SignOptions{PSS: c.Bool("pss"), Base64: c.Bool("base64"), Timestamp: tsaSignHook(c.Context, tsas), TrustedComment: c.String("trusted-comment")}
	if c.IsSet("algorithm") {
		a, err := digest.ParseAlgorithm(c.String("algorithm"))
		if err != nil {
			return nil, algorithmFlagError("-a", err)
		}
		o.sign.Algorithm = a
	}
	if c.IsSet("format") {
		f, err := sigformat.ParseFormat(c.String("format"))
		if err != nil {
			return nil, usagef("%v", err)
		}
		o.sign.Format = f
	}
	if o.sign.Format == sigformat.Minisign && o.manifest != "" && o.sign.Algorithm != 0 {
		o.listAlg, o.sign.Algorithm = o.sign.Algorithm, 0
	}
	if c.IsSet("digest") {
		d, err := hex.DecodeString(strings.TrimSpace(digestHex))
		if err != nil || len(d) == 0 {
			return nil, usagef("--digest %q is not a hexadecimal digest", digestHex)
		}
		o.digest = d
	}
	if c.IsSet("cert") {
		if o.certs, err = x509util.LoadCertificates(c.String("cert")); err != nil {
			return nil, err
		}
	}
	// What the key cannot change is refused now, in NewSigner's words. With --cert the
	// default format is known already: bundle (unless --base64), as runSign settles it.
	early := o.sign
	if early.Format == sigformat.Minisign {
		early.Certificates = o.certs // --cert: a minisign signature carries none
	}
	if early.Format == "" && len(o.certs) > 0 && !early.Base64 {
		early.Format = sigformat.Bundle
	}
	if err := sign.CheckOptions(early); err != nil {
		return nil, err
	}
	if o.digest != nil && !slices.Contains(sign.DigestSizes(early), len(o.digest)) {
		a := cmp.Or(early.Algorithm, digest.DefaultAlgorithm)
		return nil, usagef("--digest has %d hex digits; %s digests have %d (set -a)", 2*len(o.digest), a, a.HexLen())
	}
	return o, nil
}

func runSign(e *env, c *cli.Context) error {
	o, err := signParse(e, c)
	if err != nil {
		return err
	}
	defer o.close()
	opts, chain, sum, out, files, manifest := o.sign, o.certs, o.digest, o.out, o.files, o.manifest

	key, idChain, err := openSigningKey(e, c)
	if err != nil {
		return err
	}
	defer key.Close()
	if chain == nil {
		chain = idChain
	}
	if chain == nil {
		chain = key.Certificates()
	}
	opts.Certificates = chain
	if opts.Format == sigformat.Minisign {
		// The identity's or the token's certificate: a minisign signature carries none
		// (--cert was refused).
		opts.Certificates = nil
	}
	if opts.Format == "" {
		switch {
		case opts.Base64 || len(chain) == 0:
			opts.Format = sigformat.Raw
		default:
			opts.Format = sigformat.Bundle
		}
	}
	signer, err := sign.NewSigner(key, opts)
	if err != nil {
		if errors.Is(err, x509util.ErrKeyMismatch) && c.IsSet("cert") {
			// NewSigner names the certificate by its subject; the user gave a file.
			return fmt.Errorf("%w (--cert %s)", err, c.String("cert"))
		}
		return err
	}
	if sum != nil && len(sum) != signer.Algorithm().Size() {
		return usagef("--digest has %d hex digits; %s digests have %d (set -a)", 2*len(sum), signer.Algorithm(), signer.Algorithm().HexLen())
	}

	pr := newSignPrinter(e, c) // sign_progress.go: receipts as they come, the progress bar
	if sum != nil {
		r, err := sign.SignDigestTo(signer, sum, out, c.Bool("force"), e.stdout)
		if err != nil {
			return err
		}
		if err := pr.receipt(*r); err != nil {
			return err
		}
	} else {
		// The key is open (any prompt is over): from here a SIGINT or SIGTERM stops the run
		// and rolls it back, and signet exits 130 or 143.
		ctx, stop := signalContext(c.Context)
		_, err = sign.SignFiles(ctx, signer, files, sign.FilesOptions{
			Out:                out,
			Stdout:             e.stdout,
			Force:              c.Bool("force"),
			Recursive:          c.Bool("recursive"),
			Manifest:           manifest,
			AllowOutside:       c.Bool("allow-outside"),
			ListAlgorithm:      o.listAlg,
			Stdin:              e.stdin,
			Skipped:            warnSkipped(e),
			SkippedSignature:   noteSkippedSignature(e, c.Bool("quiet")),
			Reads:              signReads(e, c),
			NamesFrom:          o.namesFrom,
			SkippedSignatureOf: skippedSignatureOf(e),
			Receipts:           pr.receipt,
			Progress:           pr.progress(),
		})
		stop()
		pr.clearBar()
		var fe *sign.FilesError
		if errors.As(err, &fe) && fe.Total > 1 {
			for _, f := range fe.Failed {
				fmt.Fprintf(e.stderr, "signet: error: %s\n", oneLine(f.Error()))
			}
		}
		if err != nil {
			return err
		}
	}
	return pr.finish()
}

func containsStdin(files []string) bool {
	for _, f := range files {
		if f == "-" {
			return true
		}
	}
	return false
}

// openSigningKey opens --key, or the identity of 'signet init' when there is none. For the
// identity it also returns its chain.
func openSigningKey(e *env, c *cli.Context) (keyref.Key, []*x509.Certificate, error) {
	if ref := c.String("key"); ref != "" {
		k, err := keyref.Open(ref, keyOptions(e, c))
		return k, nil, err
	}
	home, err := identity.Home(e.getenv)
	if err != nil {
		return nil, nil, err
	}
	id, err := identity.Load(home)
	if errors.Is(err, identity.ErrNoIdentity) {
		return nil, nil, withHint(usagef("no signing key: give --key KEYREF"),
			"or run 'signet init' to make a local signing identity that signs by default")
	}
	if err != nil {
		return nil, nil, err
	}
	k, err := keyref.Open(id.KeyPath(), keyOptions(e, c))
	if err != nil {
		return nil, nil, err
	}
	if c.IsSet("cert") {
		return k, nil, nil
	}
	return k, id.Chain, nil
}
