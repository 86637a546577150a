package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/keyref"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// verifyOptions is what `signet verify` was asked, once the flags are checked.
type verifyOptions struct {
	files       []string
	names       *verify.ArtifactNames // with --files-from: files and the list's names, put aside
	sig         string                // --sig: the signature of the one FILE, or of the manifest
	manifest    string
	mo          verify.ManifestOptions
	keyRef      string
	trustedTSA  []*x509.Certificate // the timestampAuthorities of the --trusted-root files, the TSA anchors without --tsa-roots
	roots       []string
	system      bool
	inters      []string
	trusted     []string           // --trusted-root files (verify_trust.go)
	trustedCAs  []verify.TrustedCA // their certificate authorities, checked per signature
	trustedTSAs []verify.TrustedCA // their timestamp authorities, checked per timestamp
	crls        []string
	ocsp        []string
	artifact    verify.ArtifactOptions // Policy without certificates and CRLs, which come from files
	json        bool
}

const verifyDescription = `Checks that each FILE is unchanged and was signed by a key you trust; one verdict line each:
   OK art.tar.gz: signed by CN=Release Bot,O=Example (sha256:ab12…) via CN=Example CA → CN=Example Root
   FAILED art.tar.gz: certificate CN=Release Bot,O=Example expired at 2026-01-02T00:00:00Z
The signature of FILE is --sig, else FILE.sigstore.json, FILE.p7s, FILE.minisig or FILE.sig
(a Sigstore bundle, CMS, minisign or raw, known by its content). Trust: --roots, --trusted-root, --system-roots, else
the root of 'signet init'; --key checks the signature alone. Exit 10-15 say what failed.
` + moreHelp + `
The signature of FILE is --sig SIGFILE, or else the first of FILE.sigstore.json, FILE.p7s,
FILE.minisig and FILE.sig that exists. Its format comes from its content, not its name: a
Sigstore bundle (JSON), a detached CMS SignedData (DER or PEM, as 'openssl cms -sign -binary'
writes), a minisign signature (as 'minisign -S' writes), or a raw signature (as 'openssl dgst
-sign' writes: DER ECDSA, RSA, Ed25519; or its base64). A file named .sigstore.json, .p7s or
.minisig that holds another format is refused (exit 3).
A FILE that is the signature of another FILE given, in the arguments or --files-from (by
name, compared cleaned: a.p7s is ./a's; by content; and not signed itself) is not verified
as an artifact but as that FILE's signature, one line on stderr: the one verify would read
for FILE anyway is skipped, any other is checked as a further signature of FILE and fails
unless valid. So "signet verify dist/*" checks what "signet sign dist/*"
signed, and a file planted under a signature's name never passes unchecked.

What is checked, in order, every check reported (--json) even after one failed:
   digest      the file's digest against the one the signature records (CMS
               messageDigest, the bundle's messageDigest; a raw signature records none)
   signature   over the CMS signed attributes or the file's digest (the file itself for
               Ed25519), with the key of the signer's certificate, or --key
   timestamp   each RFC 3161 timestamp the signature carries (CMS unsigned attribute,
               bundle rfc3161Timestamps, FILE.sig.tsr beside a raw signature; 'signet sign
               --tsa' makes them): the token's signature and ESS signing certificate, its
               TSA's certificate (timeStamping alone, critical) and chain to --tsa-roots
               (or a --trusted-root's timestampAuthorities, each TSA as its certChain
               names it, at genTime within its validFor; without either, timestamps
               are not checked and do not date the signature; the signer's roots are not
               TSA anchors) at genTime, and its imprint
               over the signature value. When one holds, the chain below is validated at its
               genTime (the earliest, when several hold; never after --at) instead of --at, CRLs must still be current at --at, and a signer
               revoked after genTime for a reason other than a compromise (keyCompromise,
               cACompromise, aACompromise) still verifies; no reason code counts as another.
               --require-timestamp fails a signature without one (exit 15)
   chain ...   without --key: the signer's certificate, with the certificates the signature
               carries as intermediates, under the same policy engine as 'signet cert
               verify': a chain to --roots, validity at --at, extended key usage
               codeSigning asserted by the signer's certificate itself (not left out, not
               anyExtendedKeyUsage alone; --eku any lifts this), key usage digitalSignature,
               not a CA certificate (whatever --eku says), CRLs (--crl, --require-crl)
   identity    --subject, --san-email, --san-uri, --san-dns against the signer's certificate

Trust: --roots FILE (repeatable), --system-roots, --trusted-root FILE (a Sigstore
trusted_root.json, as sigstore-go and cosign read it: the last certificate of each
certificate authority's certChain trusted, the others intermediates, and a chain must go
through one authority whose validFor holds the signing time, a timestamp's genTime or --at),
or with none of these the root of the local identity that 'signet init' made,
with its intermediate (the report says so). A Sigstore bundle carries the signer's
certificate alone: the intermediates come from --intermediates, the trusted root, or a
v0.1/v0.2 bundle's chain. The chain is validated as 'man
signet-cert-verify' describes (RFC 5280 path validation, rule ids in every refusal), with:
` + pathFlagsHelp + `

--key PUBKEYREF (a public key, a certificate, a private key, a pkcs11: URI, a minisign public
key file) checks the
signature alone: no certificate, chain or policy, so it excludes --roots, --intermediates,
--trusted-root, --system-roots, --eku, --crl, --require-crl, the identity flags and the flags above.

A minisign signature (FILE.minisig) needs --key, as 'minisign -V -p' does: its key id must be
the one of the minisign public key file given (or, for another key file, the id signet derives:
the first 8 bytes of the BLAKE2b-512 of the Ed25519 key), then the Ed25519 signature over the
file's BLAKE2b-512 digest (ED; the legacy Ed signs the file itself) and the global signature
over the trusted comment must verify: a changed comment fails (exit 10). The OK line and
--json's trusted_comment give the trusted comment, quoted, once all three hold.

A raw signature names neither its signer nor its hash: it needs --key, and -a when the hash
is not sha256 (RSA-PSS needs --pss; any salt length is accepted, as openssl verifies).
Ed25519 signs the file itself, which is then read into memory (up to 1 GiB); an Ed25519
bundle whose messageDigest is sha512 may be Ed25519ph over that digest (the Sigstore
algorithm registry's PKIX_ED25519_PH, which sigstore-go and signet sign use with a
certificate): it is checked as Ed25519ph over the streamed digest first, and read whole
only if that fails and pure Ed25519 is tried. A
signature's signing time (CMS signingTime) is the signer's claim, not a trusted timestamp:
without an RFC 3161 timestamp, certificates are judged at --at, default now, so an expired
signer fails whenever its signature was made.

A CMS signature must agree with itself: a signatureAlgorithm naming another hash than the
digestAlgorithm (ecdsa-with-SHA1 beside SHA-256) or another key type than the signer's is
malformed (exit 3); a signer identifier naming no carried certificate leaves the signer
unknown (exit 11): give its certificate with --key to check the signature alone.

--manifest LIST verifies a signed checksum list (coreutils format, as 'signet sign
--manifest' and sha256sum write; its signature is --sig or LIST.sigstore.json, LIST.p7s,
LIST.sig), then hashes every file it lists, named relative to LIST's directory, and prints
a line for each; FILE arguments then select listed files to check. --ignore-missing skips
listed files that do not exist. A signed list must say plainly what it vouches for: each
malformed line fails (exit 14, as sha256sum -c --strict); a name that is absolute, has a ..
component or resolves through a symbolic link outside LIST's directory is refused unread
(exit 14) unless --allow-outside; a listed named pipe, device or directory (or a name ending
in /) is unreadable.

A name holding a backslash or a control character is escaped on its verdict line as
sha256sum escapes names (the line starts with a backslash; \\, \n, \r, \t, \xHH), and
control characters elsewhere on a line (a subject) as \0A: no name or subject can print a
line of its own. Signatures are read up to 16 MiB, lists 64 MiB, certificates and CRLs 64 MiB,
from files or pipes; a device is refused, a named pipe without a writer reads as empty; FILE
must be a regular file (read whole up to 1 GiB for Ed25519).

Many files are hashed in parallel on all cores; each signer's chain is verified once. On a
terminal, more than 1000 files or 256 MiB draw a progress bar on stderr (not on a pipe, not
when CI is set).

` + filesFromHelp + `
The names are put aside in a temporary file (in $TMPDIR), not held in memory: a list of a
million files takes about the memory of a short one (--json holds its report until the end).

` + verifyJSONHelp + `

` + verifyExitHelp + `

EXAMPLES (from the source tree: testdata/pki is a fixture PKI, valid at 2026-06-01):
   openssl rand -out art.tar.gz 65536
   # openssl signs (CMS, with the chain); signet checks it against the root, for one signer
   openssl cms -sign -binary -outform DER -in art.tar.gz -signer testdata/pki/codesign.pem \
       -inkey testdata/pki/codesign.key -certfile testdata/pki/int-ca.pem -out art.tar.gz.p7s
   signet verify --roots testdata/pki/root-ca.pem --at 2026-06-01 \
       --san-email release@example.com art.tar.gz
   # revocation required, every check as JSON
   signet verify --roots testdata/pki/root-ca.pem --at 2026-06-01 \
       --crl testdata/pki/int-ca.crl --require-crl --json art.tar.gz
   openssl cms -sign -binary -outform DER -in art.tar.gz -signer testdata/pki/wrong-eku.pem \
       -inkey testdata/pki/wrong-eku.key -certfile testdata/pki/int-ca.pem -out server.p7s
   # a server certificate used for code signing: exit 14
   signet verify --roots testdata/pki/root-ca.pem --at 2026-06-01 --sig server.p7s art.tar.gz
   # a raw signature names neither signer nor hash: --key and -a say them
   openssl dgst -sha384 -sign testdata/pki/codesign.key -out raw.sig art.tar.gz
   signet verify --key testdata/pki/codesign.pem -a sha384 --sig raw.sig art.tar.gz
   openssl rand -out art.tar.gz 65536
   # ... and once the file changed: exit 10
   signet verify --key testdata/pki/codesign.pem -a sha384 --sig raw.sig art.tar.gz
   # the local identity: sign, then verify with no flags (art.tar.gz.sigstore.json is found)
   signet init
   signet sign art.tar.gz
   signet verify art.tar.gz`

const verifyJSONHelp = `JSON (--json), one object; fields are added over time, never renamed:
   valid           true when every file passed
   exit_code       the exit code
   local_root      the root file of 'signet init' when it was trusted by default, else ""
   reason, rule, error
                   a failure of the run as a whole, not of one file: an --ocsp response
                   about no chain verified (crl-missing, signet.ocsp-unused); absent otherwise
   artifacts[]     without --manifest, one per FILE, in order:
      file, path (the same name: sign and hash records call it path), signature_file, format (raw, cms, bundle, minisign), valid, reason ("" when valid, else
      digest-mismatch, signature-mismatch, weak-algorithm, signer-not-found, unchecked,
      timestamp-missing, timestamp-invalid, or a
      chain reason of 'signet cert verify': unknown-authority, expired, revoked, eku,
      constraint, name-mismatch for an identity, ...), error, digest {algorithm, hex},
      signer {key_type, key_fingerprint, subject, sha256, chain[] as in 'signet cert
      verify'}, policy (as in 'signet cert verify'; null with --key), policies[] (the
      certificate policies the signer's chain is valid for; null with --key), rule (the id of
      the rule that failed, as in 'signet cert verify'), identity {subject, email, uri, dns},
      trusted_comment (a minisign signature's, once verified; absent otherwise),
      signing_time (claimed, absent when unknown), timestamps[] (RFC 3161, absent when none)
      {tsa, tsa_name, gen_time, accuracy, serial, policy, hash, valid, error, chain[],
      dates_signature (true on the one whose genTime the chain was judged at)},
      checks[] {check (digest, key-id, signature, trusted-comment, timestamp, chain, validity, constraints,
      policies, profile, depth, key-usage, eku, name, revocation, identity), status (pass,
      fail, skip), subject, detail, rule}
   manifest        with --manifest: manifest (the list's own result, as an artifact), valid,
                   reason (the list's, or malformed-line, outside-path, digest-mismatch,
                   unchecked), error, files[] {name, path, line, algorithm, expected, actual,
                   status (ok, mismatch, missing, ignored, unreadable, not-listed, outside,
                   malformed: a line of the list, name and path empty), error},
                   malformed_lines`

const verifyExitHelp = `EXIT CODES of signet verify (1 "a check failed" of the general table, refined):
   0   every file verified
   10  signature mismatch: the file changed, the key is not the signer's, the signature is
       another file's, damaged or truncated
   11  untrusted chain: no chain to a trusted root, a broken CA constraint, a malformed
       certificate, too many intermediates, a CA certificate as the signer, a CMS signer
       whose certificate the signature does not carry
   12  a certificate of the chain expired or is not yet valid at --at
   13  revoked, or revocation could not be established (an unusable CRL, --require-crl
       without one)
   14  policy or identity: extended key usage, key usage, --subject or --san-*, a weak hash,
       a malformed line or a name outside its directory in a signed --manifest
   15  timestamp: --require-timestamp and the signature has none, or an RFC 3161 timestamp
       it carries does not hold (signature, TSA chain to --tsa-roots, imprint)
   2   usage (also: a raw signature without --key), 3 unreadable or unparseable input,
   4   key problem
   With several files, the code is the first failure's, in argument (or list) order.`

func verifyCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:        "verify",
		Usage:       "check files against their signatures, signers and a trust policy: one verdict per file",
		ArgsUsage:   "FILE...",
		Description: verifyDescription,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "sig", Usage: "the signature `SIGFILE` (default: FILE.sigstore.json, FILE.p7s, FILE.minisig or FILE.sig)", TakesFile: true},
			keyFlag("check the signature alone with `PUBKEYREF` (public key, certificate, private key, pkcs11: URI, minisign public key file)"),
			&cli.StringFlag{Name: "algorithm", Aliases: []string{"a"}, Value: digest.DefaultAlgorithm.Name(), Usage: "hash `ALG` of raw signatures: sha256, sha384, sha512, sha512-256, sha3-256, sha3-384, sha3-512"},
			&cli.BoolFlag{Name: "pss", Usage: "raw and bundle RSA signatures are RSA-PSS, not PKCS#1 v1.5"},
			repeatedFlag("roots", "trust the certificates in `FILE` (PEM, DER, or a directory); repeatable"),
			repeatedFlag("intermediates", "untrusted CA certificates in `FILE` that may complete the chain; repeatable"),
			trustedRootFlag(),
			&cli.BoolFlag{Name: "system-roots", Usage: "also trust the operating system's root store"},
			repeatedFlag("eku", "require extended key usage `NAME|OID` (default codeSigning; any lifts it); repeatable"),
			&cli.StringFlag{Name: "at", Usage: "validation `TIME`, RFC 3339 or YYYY-MM-DD (default: now)"},
			repeatedFlag("crl", "check revocation against the CRLs in `FILE`; repeatable"),
			&cli.BoolFlag{Name: "require-crl", Usage: "fail when a certificate of the chain has no CRL of its issuer"},
			&cli.StringFlag{Name: "subject", Usage: "the signer's subject must be `DN` (whole, normalised: CN=Release Bot,O=Example)"},
			&cli.StringFlag{Name: "san-email", Usage: "the signer's certificate must have email subjectAltName `ADDR`"},
			&cli.StringFlag{Name: "san-uri", Usage: "the signer's certificate must have URI subjectAltName `URI`"},
			&cli.StringFlag{Name: "san-dns", Usage: "the signer's certificate must have DNS subjectAltName `NAME`"},
			&cli.StringFlag{Name: "manifest", Usage: "verify the signed checksum list `LIST`, then every file it lists", TakesFile: true},
			&cli.BoolFlag{Name: "ignore-missing", Usage: "with --manifest: skip listed files that do not exist"},
			&cli.BoolFlag{Name: "allow-outside", Usage: "with --manifest: accept listed files outside the list's directory (absolute, .., links out)"},
			passphraseFileFlag(),
			jsonFlag(),
		}, append(append(pathFlags(), tsaVerifyFlags()...), filesFromFlags()...)...),
		Action: func(c *cli.Context) error {
			o, err := verifyParse(c)
			if err != nil {
				return err
			}
			if o.names != nil {
				defer o.names.Close()
			}
			return verifyRun(e, c, o)
		},
	}
}

// verifyParse checks the command line before any file is read.
func verifyParse(c *cli.Context) (_ *verifyOptions, err error) {
	var files []string
	var names *verify.ArtifactNames
	if c.String("manifest") == "" && c.String("sig") == "" {
		// The arguments and the names of --files-from, put aside rather than held (issue
		// 15), the signatures among them found by the library: verify_filesfrom.go.
		args, more := c.Args().Slice(), namesFrom(c)
		if more == nil {
			if args, err = withFilesFrom(c, args); err != nil { // --null without --files-from
				return nil, err
			}
		}
		if names, err = verify.NewArtifactNames(args, more); err != nil {
			return nil, err
		}
		defer func() {
			if err != nil {
				names.Close()
			}
		}()
	} else if files, err = withFilesFrom(c, c.Args().Slice()); err != nil { // filesfrom.go: --files-from
		return nil, err
	}
	o := &verifyOptions{
		names:    names,
		files:    files,
		sig:      c.String("sig"),
		manifest: c.String("manifest"),
		keyRef:   c.String("key"),
		roots:    repeatedValues(c, "roots"),
		system:   c.Bool("system-roots"),
		inters:   repeatedValues(c, "intermediates"),
		trusted:  repeatedValues(c, "trusted-root"),
		crls:     repeatedValues(c, "crl"),
		json:     c.Bool("json"),
	}
	o.mo = verify.ManifestOptions{IgnoreMissing: c.Bool("ignore-missing"), AllowOutside: c.Bool("allow-outside")}
	switch {
	case o.manifest == "" && len(o.files) == 0 && (o.names == nil || o.names.Len() == 0):
		return nil, usagef("missing FILE: the file(s) to verify, or --manifest LIST")
	case o.manifest == "" && o.sig != "" && len(o.files) > 1:
		return nil, usagef("--sig names the signature of one FILE; with %d files leave it out (each FILE's signature is found beside it)", len(o.files))
	case o.manifest == "" && o.mo.IgnoreMissing:
		return nil, usagef("--ignore-missing applies to the files of a --manifest")
	case o.manifest == "" && o.mo.AllowOutside:
		return nil, usagef("--allow-outside applies to the files of a --manifest")
	case o.manifest != "":
		o.mo.Only = o.files
	}
	alg, err := digest.ParseAlgorithm(c.String("algorithm"))
	if err != nil {
		return nil, algorithmFlagError("-a", err)
	}
	a := &o.artifact
	a.Hash, a.PSS = alg, c.Bool("pss")
	a.Identity = verify.Identity{Subject: c.String("subject"), Email: c.String("san-email"), URI: c.String("san-uri"), DNS: c.String("san-dns")}
	if a.Identity.Subject != "" {
		if _, err := x509util.ParseDN(a.Identity.Subject); err != nil {
			return nil, flagNameError("--subject", err)
		}
	}
	if a.Identity.Email != "" && !strings.Contains(a.Identity.Email, "@") {
		return nil, usagef("--san-email %q is not an email address", a.Identity.Email)
	}

	if o.keyRef != "" {
		var given []string
		for _, f := range []string{"roots", "intermediates", "trusted-root", "system-roots", "eku", "at", "crl", "require-crl", "subject", "san-email", "san-uri", "san-dns",
			"profile", "policy", "require-explicit-policy", "inhibit-policy-mapping", "inhibit-any-policy", "ocsp"} {
			if c.IsSet(f) {
				given = append(given, "--"+f)
			}
		}
		if len(given) > 0 {
			return nil, withHint(usagef("--key checks the signature alone; %s need(s) the signer's certificate", strings.Join(given, ", ")),
				"leave out --key to verify the certificate the signature carries under the policy")
		}
		return o, nil
	}

	p := &a.Policy
	if s := c.String("at"); s != "" {
		t, err := certParseTime(s)
		if err != nil {
			return nil, err
		}
		p.At = t
	}
	if err := parseEKUFlag(c, p); err != nil {
		return nil, err
	}
	p.RequireCRL = c.Bool("require-crl")
	if o.ocsp, err = parsePathFlags(c, p); err != nil {
		return nil, err
	}
	*p = verify.CodeSigningPolicy(*p)
	return o, nil
}

// verifyRun loads the key or the trust anchors, runs the verification and prints the verdicts.
func verifyRun(e *env, c *cli.Context, o *verifyOptions) error {
	a := o.artifact
	var localRoot string
	if o.keyRef != "" {
		if key, id, ok, err := minisignPublicKey(o.keyRef); err != nil {
			return err
		} else if ok {
			a.Key, a.MinisignKeyID = key, &id
		} else {
			pub, err := keyref.OpenPublic(o.keyRef, keyOptions(e, c))
			if err != nil {
				return err
			}
			warnUnproven(e, keyref.Redact(o.keyRef), pub.Unproven)
			a.Key = pub.Key
		}
	} else {
		t, inters, err := verifyTrust(e, o, a.Policy.At)
		if err != nil {
			return err
		}
		a.Policy.Roots, a.Policy.SystemRoots = t.certs, t.system
		if t.local {
			localRoot = t.files[0]
		}
		if len(o.inters) > 0 {
			if a.Policy.Intermediates, err = x509util.LoadCertificates(o.inters...); err != nil {
				return err
			}
		}
		a.Policy.Intermediates = append(a.Policy.Intermediates, inters...)
		if len(o.crls) > 0 {
			if a.Policy.CRLs, err = x509util.LoadCRLs(o.crls...); err != nil {
				return err
			}
		}
		if len(o.ocsp) > 0 {
			if a.Policy.OCSP, err = x509util.LoadOCSPResponses(o.ocsp...); err != nil {
				return err
			}
		}
	}

	if err := tsaVerifyOptions(c, &a); err != nil {
		return err
	}
	a.TrustedCAs, a.TrustedTSAs = o.trustedCAs, o.trustedTSAs
	if a.TSARoots == nil && len(o.trustedTSA) > 0 {
		a.TSARoots = o.trustedTSA // the --trusted-root files' timestampAuthorities
	}
	report := verifyReport{LocalRoot: localRoot}
	var failures []verifyFailure
	// The OCSP responses serve the signer's chains and the TSAs': each must answer about a
	// certificate of one of them (verify.OCSPUse), judged once every file (or the list) is
	// verified.
	ocspUse := verify.NewOCSPUse(a.Policy.OCSP)
	useChains := func(r *verify.ArtifactResult) {
		if r == nil {
			return
		}
		if r.Signer != nil {
			ocspUse.Add(r.Signer.Chain)
		}
		for _, ts := range r.Timestamps {
			ocspUse.Add(ts.Chain)
		}
	}
	if o.manifest != "" {
		mr, err := verify.VerifyManifest(c.Context, verify.Artifact{Name: o.manifest, SignatureName: o.sig}, a, o.mo)
		if err != nil {
			return err
		}
		report.Manifest = mr
		useChains(mr.Manifest)
		failures = verifyManifestLines(e.stdout, mr, o.json)
	} else {
		var arts iter.Seq2[verify.Artifact, error]
		total := 0
		if o.names != nil {
			var err error
			if arts, err = o.names.Artifacts(printGivenSignature(e)); err != nil {
				return err
			}
			total = o.names.Len()
		} else { // --sig: the signature of each file is named
			list := make([]verify.Artifact, len(o.files))
			for i, f := range o.files {
				list[i] = verify.Artifact{Name: f, SignatureName: o.sig}
			}
			arts = func(yield func(verify.Artifact, error) bool) {
				for _, a := range list {
					if !yield(a, nil) {
						return
					}
				}
			}
			total = len(list)
		}
		report.Artifacts = []*verify.ArtifactResult{}
		// A bar on a terminal's stderr for many or large files, as signet hash draws; never
		// on a pipe or in CI. It moves as each file's verdict comes.
		var bar *progressBar
		if e.getenv("CI") == "" {
			bar = newProgressBar(e.stderr)
		}
		prog := digest.Progress{TotalFiles: total}
		size := func(name string) int64 {
			if fi, err := os.Stat(name); err == nil {
				return fi.Size()
			}
			return 0
		}
		if bar != nil {
			prog.TotalFiles = 0
			for a, err := range arts {
				if err != nil {
					break // the run reports it
				}
				prog.TotalFiles++
				prog.TotalBytes += size(a.Name)
			}
		}
		stdout := io.Writer(e.stdout)
		if bar != nil {
			stdout = clearBarWriter{e.stdout, bar}
		}
		err := verify.VerifyArtifactsFrom(c.Context, arts, a, func(r *verify.ArtifactResult) error {
			useChains(r)
			if o.json { // the report is printed whole only for --json: else memory stays flat in the number of files
				report.Artifacts = append(report.Artifacts, r)
			}
			if bar != nil {
				prog.Files++
				prog.Bytes += size(r.File)
				defer bar.update(prog)
			}
			if r.Valid {
				if !o.json {
					verdictLine(stdout, "OK", r.File, "signed by "+verifySignedBy(r))
				}
				return nil
			}
			msg := artifactFailure(r)
			if !o.json {
				verdictLine(stdout, "FAILED", r.File, msg)
			}
			raw := r.Format == sigformat.Raw && r.Reason == verify.ReasonSignatureMismatch
			failures = append(failures, verifyFailure{name: r.File, sigFile: r.SignatureFile, format: r.Format, msg: msg, err: r.Err(), raw: raw, rsaRaw: raw && isRSA(a.Key)})
			return nil
		})
		bar.clear()
		if err != nil {
			return err
		}
	}

	report.Valid = len(failures) == 0
	if !report.Valid {
		report.ExitCode = verifyExitCode(failures[0].err)
	}
	// A failure of the run as a whole, not of one file: a response about no chain verified.
	var runErr *codedError
	if report.Valid {
		if k, err := ocspUse.Check(); err != nil {
			runErr = &codedError{code: verifyExitCode(err), msg: fmt.Sprintf("--ocsp %s: %s", o.ocsp[k], userMessage(err.Error()))}
			report.Valid, report.ExitCode, report.Error = false, runErr.code, runErr.msg
			if ve, ok := errors.AsType[*verify.Error](err); ok {
				report.Reason, report.Rule = string(ve.Reason), ve.Rule
			}
		}
	}
	if o.json {
		if err := writeJSON(e.stdout, report); err != nil {
			return err
		}
	}
	if report.Valid {
		return nil
	}
	if runErr != nil {
		if o.json { // said once, on stdout
			return &codedError{code: runErr.code}
		}
		return runErr
	}
	// Every failure has its verdict on stdout (a FAILED line, or --json): it is not said
	// again as an error; only what to do about the first one goes to stderr.
	if h := verifyHint(failures[0], o); h != "" {
		fmt.Fprintf(e.stderr, "signet: hint: %s\n", h)
	}
	return &codedError{code: report.ExitCode}
}
