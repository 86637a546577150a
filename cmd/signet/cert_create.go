package main

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/internal/atomicfile"
	"github.com/signet-pki/signet/internal/keyref"
	"github.com/signet-pki/signet/internal/readlimit"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// certCreateOptions is what `signet cert create` was asked, once the flags are checked.
type certCreateOptions struct {
	profile  x509util.Profile
	subject  pkix.RDNSequence // nil: from the CSR
	sans     []string         // as given; nil: from the CSR
	keyRef   string
	csrFile  string
	caFile   string
	caKeyRef string
	// notBefore and notAfter are zero for the profile's defaults; days > 0 sets the end
	// relative to the start.
	notBefore, notAfter time.Time
	days                int
	pathLen             *int
	bundle              bool
	out                 string
	force, json         bool
	keys                keyref.Options
	caKeys              keyref.Options // --ca-key's: its own passphrase source (caKeyOptions)

	// allowSHA1CSR accepts a CSR signed with SHA-1 (--allow-sha1-csr).
	allowSHA1CSR bool
}

func certProfileHelp() string {
	var b strings.Builder
	desc := map[x509util.Profile]string{
		x509util.ProfileRootCA:         "self-signed CA: keyCertSign, cRLSign; path length: none",
		x509util.ProfileIntermediateCA: "CA under --ca: keyCertSign, cRLSign; path length 0",
		x509util.ProfileServer:         "TLS server: serverAuth; needs --san dns:NAME or ip:ADDR",
		x509util.ProfileClient:         "TLS client (mutual TLS): clientAuth; needs a subject or a SAN",
		x509util.ProfileCodeSigning:    "artifact signing: codeSigning; needs a subject",
		x509util.ProfileEmail:          "S/MIME: emailProtection; needs --san email:ADDR",
		x509util.ProfileTSA:            "RFC 3161 time-stamping: timeStamping alone, critical; needs a subject",
	}
	for _, p := range x509util.Profiles() {
		fmt.Fprintf(&b, "   %-16s %4d days  %s\n", p, int(p.DefaultLifetime()/(24*time.Hour)), desc[p])
	}
	return b.String()
}

const certCreateJSONHelp = `JSON (--json), one object; fields are added over time, never renamed:
   file            the file written ("-" for standard output)
   warnings[]      what was also printed as "signet: warning:" (a clipped validity, what
                   a --csr asks for that is not certified)
   certificate     the new certificate, as 'signet cert inspect --json' describes one
   bundle[]        the issuer certificates written after it with --bundle: {subject, sha256}`

func certCreateCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "create",
		Usage:     "issue a certificate: a root CA, an intermediate, or a leaf for a key or a CSR",
		ArgsUsage: " ",
		Description: `Issues a certificate for the key --key names (its public half is enough when --ca
signs) or for the CSR in --csr (its signature is checked; its subject, byte for byte, and
its SANs are used unless --subject or --san is given). With --ca CACERT and --ca-key KEYREF
the CA signs it; without them it is self-signed by --key. --ca may be left out when --ca-key
carries the CA certificate (a PKCS#12 file, or a token key with its certificate).
` + moreHelp + `
Profiles (--profile), with their default lifetimes (--path-len sets a CA's path length):
` + certProfileHelp() + `
Every certificate gets a random 127-bit serial number, a subject key identifier, an
authority key identifier (under a CA) and key usages that fit its key: digitalSignature,
plus keyEncipherment for an RSA server or email key. Validity starts 5 minutes
before now unless --not-before; --days N (1 to 36500) or --not-after TIME sets its end,
which like the start must lie in the years 1950 to 9999 that X.509 encodes. A validity past
the end of the CA, or of a CA above it in the --ca file, is clipped to it, with a warning; so
is a server certificate's past 825 days (Apple's platforms refuse a TLS server certificate
valid longer, even under a private CA).

Refused, with nothing written: an issuer that is not a CA or lacks keyCertSign, a key to
certify that is the CA's own (or that of a CA above it), an issuer
or a CA above it in the --ca file that has expired (whatever --not-before says), or whose
extended key usages leave out the profile's (code-signing under a CA for TLS only), a CA (or a
--path-len) that the pathLenConstraint of the issuer or of a CA above it in the --ca file
forbids, an issuer whose name constraints break RFC 5280's syntax (a dNSName with a leading period, a minimum or
maximum: every verifier would refuse what it issues),
a CSR whose signature does not verify, a CSR signed with SHA-1 unless --allow-sha1-csr,
a CSR that RFC 2986 or PKCS #9 does not allow (a version other than 0, an attribute with no
value, an extensionRequest twice or with two values, an RDN with no attribute) or whose
subject holds a value crypto/x509 cannot write into a certificate (a UniversalString),
a CSR whose requested extensions are malformed (one requested twice, one that does not
parse, though the profile decides them; 'signet cert inspect' names it),
and a key weaker than signet makes (RSA below 2048 bits or with an even exponent, EC keys on
curves other than P-256, P-384, P-521) (exit 3); a profile
without the names it needs, a subject emailAddress that is not also a --san email: (RFC 5280
4.1.2.6 wants a certificate's mailboxes there), a leaf whose subject is the name of its CA (or
of a CA above it: it would show as the CA), a bad name or flag, a name with a control character, a name
outside the name constraints of the CA or of a CA above it in the --ca file (the constraint
is named) (exit 2); a key that cannot be opened, or a --ca-key that is not the key of --ca
(exit 4). Name constraints are checked for
every name form signet issues: dNSName, rfc822Name, iPAddress, URI and directoryName (the
subject; its emailAddress and a host-name CN are held to the rfc822Name and dNSName ones).

From a CSR only the key, the subject and the SANs are taken: the profile alone decides the
extensions (basic constraints, key usages, policies), as 'openssl ca' does without
copy_extensions. A warning lists what the CSR asks for and does not get (CA:TRUE, name
constraints, extended key usages, an unknown extension, a SAN form signet does not issue such
as otherName). The CSR's SANs are held to the rules of --san (exit 2 naming the CSR).

--subject takes 'CN=alice,O=Example' or '/O=Example/CN=alice', + joining the attributes of a
multi-valued RDN ('CN=alice+UID=42,O=Example'; see 'man signet-csr');
--san takes dns:NAME, ip:ADDR, email:ADDR or uri:URI and is repeatable. TIME is RFC 3339
(2026-06-01T00:00:00Z) or a date (2026-06-01, midnight UTC).

The certificate is written as PEM to -o FILE (- for standard output); --bundle adds the
issuer chain after it: the CA and the CAs above it that the --ca file (or the --ca-key's
stored chain) holds, in order up to the root, each issued by the next; the file's other
certificates and any key block in it are left out. One line on stderr says what was written
(-q: none); --json prints a report.

` + keyRefHelp + ` The same
--passphrase-file or SIGNET_PASSPHRASE serves --key and --ca-key, unless --ca-key has its own:
--ca-passphrase-file, then SIGNET_CA_PASSPHRASE; a prompt names the file.

` + certCreateJSONHelp + `

EXAMPLES:
   signet key gen --no-passphrase -o root.key
   signet cert create --profile root-ca --subject 'CN=Example Root CA,O=Example' --key root.key -o root.pem
   signet key gen --no-passphrase -o int.key
   signet cert create --profile intermediate-ca --subject 'CN=Example Issuing CA,O=Example' \
       --key int.key --ca root.pem --ca-key root.key --days 1825 -o int.pem
   signet key gen --no-passphrase -o www.key
   signet cert create --profile server --subject CN=www.example.com --san dns:www.example.com \
       --key www.key --ca int.pem --ca-key int.key --bundle -o www-chain.pem
   signet csr --key www.key --subject CN=api.example.com --san dns:api.example.com -o api.csr
   signet cert create --profile server --csr api.csr --ca int.pem --ca-key int.key --days 90 -o api.pem
   openssl verify -CAfile root.pem -untrusted int.pem api.pem`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "profile", Aliases: []string{"p"}, Usage: "the certificate's `PROFILE`: " + certProfileNames()},
			&cli.StringFlag{Name: "subject", Aliases: []string{"s"}, Usage: "the subject distinguished name (`DN`); default: the CSR's"},
			repeatedFlag("san", "a subject alternative name (`TYPE:VALUE`): dns:, ip:, email:, uri:; repeatable; default: the CSR's"),
			keyFlag("the key to certify (`KEYREF`); it also signs a self-signed certificate"),
			&cli.StringFlag{Name: "csr", Usage: "certify the key and names of the CSR in `FILE` (PEM or DER, a file or a pipe, up to 64 MiB)", TakesFile: true},
			&cli.BoolFlag{Name: "allow-sha1-csr", Usage: "accept a --csr signed with SHA-1 (refused by default: its signature proves nothing)"},
			&cli.StringFlag{Name: "ca", Usage: "the issuing CA certificate `FILE` (its chain may follow it)", TakesFile: true},
			&cli.StringFlag{Name: "ca-key", Usage: "the issuing CA's key (`KEYREF`)", TakesFile: true},
			&cli.IntFlag{Name: "days", Usage: "valid for `N` days, 1 to 36500", DefaultText: "the profile's"},
			&cli.StringFlag{Name: "not-before", Usage: "valid from `TIME` (default: now minus 5 minutes)"},
			&cli.StringFlag{Name: "not-after", Usage: "valid until `TIME`"},
			&cli.IntFlag{Name: "path-len", Usage: "CA profiles: at most `N` CAs below this one", DefaultText: "root: none, intermediate: 0"},
			&cli.BoolFlag{Name: "bundle", Usage: "write the issuer chain after the certificate"},
			outFlag("write the certificate to `FILE` (required; - for standard output)"),
			passphraseFileFlag(),
			caPassphraseFileFlag(),
			moduleFlag(),
			forceFlag(),
			quietFlag(),
			jsonFlag(),
		},
		Action: func(c *cli.Context) error {
			o, err := certCreateParse(e, c)
			if err != nil {
				return err
			}
			if err := certCreate(e, o); err != nil {
				return err
			}
			wrote(e, c, o.out, "certificate")
			return nil
		},
	}
}

func certProfileNames() string {
	names := make([]string, len(x509util.Profiles()))
	for i, p := range x509util.Profiles() {
		names[i] = string(p)
	}
	return strings.Join(names, ", ")
}

// certCreateParse checks the command line, before any file is read or key opened.
func certCreateParse(e *env, c *cli.Context) (*certCreateOptions, error) {
	if c.Args().Present() {
		return nil, usagef("unexpected argument %q; see 'signet cert create --help'", c.Args().First())
	}
	o := &certCreateOptions{
		keyRef:   c.String("key"),
		csrFile:  c.String("csr"),
		caFile:   c.String("ca"),
		caKeyRef: c.String("ca-key"),
		bundle:   c.Bool("bundle"),
		out:      c.String("out"),
		force:    c.Bool("force"),
		json:     c.Bool("json"),
		keys:     keyOptions(e, c),
		caKeys:   caKeyOptions(e, c),
	}
	o.allowSHA1CSR = c.Bool("allow-sha1-csr")
	if !c.IsSet("profile") {
		return nil, usagef("missing --profile (%s)", certProfileNames())
	}
	p, err := x509util.ParseProfile(c.String("profile"))
	if err != nil {
		return nil, usagef("--profile: unknown profile %q (want one of %s)", c.String("profile"), certProfileNames())
	}
	o.profile = p
	switch {
	case o.keyRef == "" && o.csrFile == "":
		return nil, usagef("missing --key KEYREF or --csr FILE: the key to certify")
	case o.keyRef != "" && o.csrFile != "":
		return nil, usagef("--key and --csr both name the key to certify; give one")
	case o.caFile != "" && o.caKeyRef == "":
		return nil, usagef("--ca needs --ca-key: the CA's key")
	case p == x509util.ProfileRootCA && o.caKeyRef != "":
		return nil, usagef("a root-ca is self-signed: drop --ca and --ca-key, or use --profile intermediate-ca")
	case p == x509util.ProfileIntermediateCA && o.caKeyRef == "":
		return nil, usagef("an intermediate-ca needs its issuer: give --ca CACERT and --ca-key KEYREF")
	case o.csrFile != "" && o.caKeyRef == "":
		return nil, usagef("a CSR carries no private key to sign with: give --ca CACERT and --ca-key KEYREF")
	case o.out == "":
		return nil, usagef("missing -o FILE for the certificate")
	case o.allowSHA1CSR && o.csrFile == "":
		return nil, usagef("--allow-sha1-csr applies to a --csr")
	case o.out == "-" && o.json:
		return nil, usagef("-o - and --json both want standard output")
	}
	if c.IsSet("subject") {
		// RDNs rather than a pkix.Name, which would split a multi-valued RDN.
		n, err := x509util.ParseRDNSequence(c.String("subject"))
		if err != nil {
			return nil, flagNameError("--subject", err)
		}
		o.subject = n
	}
	if v := repeatedValues(c, "san"); len(v) > 0 {
		if _, err := x509util.ParseSANs(v); err != nil {
			return nil, flagNameError("--san", err)
		}
		o.sans = v
	}
	if c.IsSet("not-before") {
		if o.notBefore, err = certParseTimeFlag("not-before", c.String("not-before")); err != nil {
			return nil, err
		}
	}
	if c.IsSet("not-after") {
		if o.notAfter, err = certParseTimeFlag("not-after", c.String("not-after")); err != nil {
			return nil, err
		}
	}
	if c.IsSet("days") {
		switch o.days = c.Int("days"); {
		case c.IsSet("not-after"):
			return nil, usagef("--days and --not-after both set the end of validity; give one")
		case o.days < 1 || o.days > x509util.MaxDays:
			return nil, usagef("--days must be 1 to %d (100 years), not %d", x509util.MaxDays, o.days)
		}
	}
	if c.IsSet("path-len") {
		n := c.Int("path-len")
		switch {
		case !p.IsCA():
			return nil, usagef("--path-len applies to root-ca and intermediate-ca, not %s", p)
		case n < 0:
			return nil, usagef("--path-len must be 0 or more, not %d", n)
		}
		o.pathLen = &n
	}
	ins := append(keyRefFiles("--key", o.keyRef), keyRefFiles("--ca-key", o.caKeyRef)...)
	ins = append(ins, fileArg{"--csr", o.csrFile}, fileArg{"--ca", o.caFile})
	if err := checkNotInput("-o", o.out, append(ins, secretFiles(c)...)...); err != nil {
		return nil, err
	}
	return o, nil
}

// certCreate reads the inputs, issues the certificate and writes it.
func certCreate(e *env, o *certCreateOptions) error {
	if o.out != "-" {
		if err := atomicfile.CheckWritable(o.out, o.force); err != nil {
			return err
		}
	}
	// Whole seconds, as in the certificate, so that --days 30 is described as 30 days.
	now := time.Now().Truncate(time.Second)
	req := x509util.IssueRequest{Profile: o.profile, NotBefore: o.notBefore, NotAfter: o.notAfter, MaxPathLen: o.pathLen, Now: now}
	var sans x509util.SANs
	var csrWarnings []string // printed once the certificate is issued, and in --json
	if o.csrFile != "" {
		data, err := csrReadFile(o.csrFile)
		if err != nil {
			return err
		}
		csr, err := x509util.ParseCSRWithOptions(data, x509util.CSROptions{AllowSHA1: o.allowSHA1CSR})
		if errors.Is(err, x509util.ErrWeakSignature) {
			return withHint(fmt.Errorf("%s: %w", o.csrFile, err),
				"ask for a CSR signed with SHA-256 (openssl req -sha256), or give --allow-sha1-csr if you know who made this one")
		}
		if err != nil {
			return fmt.Errorf("%s: %w", o.csrFile, err)
		}
		req.PublicKey = csr.PublicKey
		// A key signet does not certify (RSA below 2048 bits, P-224), before any passphrase.
		if err := x509util.CheckPublicKey(csr.PublicKey); err != nil {
			return fmt.Errorf("%s: %w", o.csrFile, err)
		}
		// The CSR's subject byte for byte: its order, multi-valued RDNs and string types.
		req.RawSubject = csr.RawSubject
		sans = x509util.SANs{DNSNames: csr.DNSNames, IPAddresses: csr.IPAddresses, EmailAddresses: csr.EmailAddresses, URIs: csr.URIs}
		if o.sans == nil {
			// The CSR's names, held to what --san accepts, before any key is opened.
			if err := x509util.CheckSANs(sans); err != nil {
				return csrNameError(o.csrFile, err)
			}
		}
		if left := x509util.CSRNotCertified(csr); len(left) > 0 {
			csrWarnings = append(csrWarnings, fmt.Sprintf("%s asks for what is not certified: %s", o.csrFile, strings.Join(left, ", ")))
		}
	}
	if o.subject != nil {
		raw, err := asn1.Marshal(o.subject)
		if err != nil {
			return fmt.Errorf("%w: --subject: %v", x509util.ErrInvalidName, err)
		}
		req.RawSubject = raw
	}
	if o.sans != nil {
		var err error
		if sans, err = x509util.ParseSANs(o.sans); err != nil {
			return err
		}
	}
	req.DNSNames, req.IPAddresses, req.EmailAddresses, req.URIs = sans.DNSNames, sans.IPAddresses, sans.EmailAddresses, sans.URIs
	// The names the profile needs, before any key is opened: a missing SAN is said before a
	// passphrase is asked for.
	if err := x509util.CheckProfileNames(req); err != nil {
		return err
	}

	var caChain []*x509.Certificate
	var caKey keyref.Key
	switch {
	case o.caFile != "":
		certs, err := x509util.LoadCertificateFile(o.caFile)
		if err != nil {
			return err
		}
		caChain = certs
		// Refuse a certificate that cannot issue before asking for any passphrase.
		if err := x509util.CheckIssuer(certs[0], nil, x509.KeyUsageCertSign); err != nil {
			return err
		}
	case o.caKeyRef != "":
		// No --ca: the CA certificate comes with its key (a PKCS#12 file, a token).
		key, err := keyref.Open(o.caKeyRef, o.caKeys)
		if err != nil {
			return err
		}
		defer key.Close()
		caKey, caChain = key, key.Certificates()
		if len(caChain) == 0 {
			return usagef("--ca-key %s holds no certificate: give the CA certificate with --ca FILE", certKeyName(o.caKeyRef))
		}
	}
	if len(caChain) > 0 {
		// The CAs above the issuer, as far as --ca (or the key) carries them: their name
		// constraints apply too.
		req.Issuer, req.IssuerChain = caChain[0], caChain[1:]
		// What the CAs forbid (a path length), before any passphrase is asked for.
		if err := x509util.CheckIssuerAllows(req); err != nil {
			return err
		}
	}
	if o.days > 0 {
		start := o.notBefore
		if start.IsZero() {
			start = now
		}
		req.NotAfter = start.Add(time.Duration(o.days) * 24 * time.Hour)
	}

	if o.keyRef != "" {
		if o.caKeyRef == "" {
			key, err := keyref.Open(o.keyRef, o.keys)
			if err != nil {
				return err
			}
			defer key.Close()
			req.PublicKey, req.IssuerKey = key.Public(), key
		} else {
			pub, err := keyref.OpenPublic(o.keyRef, o.keys)
			if err != nil {
				return err
			}
			warnUnproven(e, keyref.Redact(o.keyRef), pub.Unproven)
			req.PublicKey = pub.Key
		}
	}
	if o.caKeyRef != "" && caKey == nil {
		key, err := keyref.Open(o.caKeyRef, o.caKeys)
		if err != nil {
			return err
		}
		defer key.Close()
		caKey = key
	}
	if caKey != nil {
		req.IssuerKey = caKey
		if o.caFile != "" {
			if err := checkCAKey(o.caFile, o.caKeyRef, caChain[0], caKey); err != nil {
				return err
			}
		}
	}

	issued, err := x509util.IssueCertificate(req)
	if err != nil {
		return err
	}
	warnings := append(csrWarnings, issued.Warnings...)
	for _, w := range warnings {
		e.warnf("%s", w)
	}
	cert := issued.Certificate
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	var bundle []verify.CertRef
	if o.bundle && len(caChain) > 0 { // a self-signed certificate has no issuer chain
		// The issuer and the CAs above it, in order: not every certificate of the --ca file
		// (a bundle of roots, a leaf of the same CA, an impostor of the same name).
		for _, c := range x509util.IssuerPath(caChain[0], caChain[1:]) {
			data = append(data, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
			bundle = append(bundle, verify.CertRef{Subject: certSubject(c), SHA256: x509util.CertificateFingerprint(c)})
		}
	}
	if o.out == "-" {
		_, err := e.stdout.Write(data)
		return err
	}
	if err := atomicfile.WriteFile(o.out, data, atomicfile.Options{Perm: 0o644, Force: o.force}); err != nil {
		return err
	}
	if !o.json {
		return nil
	}
	if bundle == nil {
		bundle = []verify.CertRef{}
	}
	if warnings == nil {
		warnings = []string{}
	}
	return writeJSON(e.stdout, struct {
		File        string                   `json:"file"`
		Warnings    []string                 `json:"warnings"`
		Certificate x509util.CertificateInfo `json:"certificate"`
		Bundle      []verify.CertRef         `json:"bundle"`
	}{o.out, warnings, x509util.DescribeCertificate(cert, now), bundle})
}

// csrNameError says which name of the CSR in file is refused and why (exit 2, as for --san).
func csrNameError(file string, err error) error {
	var ne *x509util.NameError
	if errors.As(err, &ne) {
		return usagef("%s: %s %q: %s", file, ne.Kind, ne.Input, ne.Reason)
	}
	return fmt.Errorf("%s: %w", file, err)
}

// csrReadFile reads a CSR file or pipe up to x509util.MaxCertificateFileSize, as certificate
// files are read: a directory, a device or a socket is refused unopened, a named pipe is
// opened without waiting for a writer (one without reads as empty, which is no CSR), and a
// larger file is refused from its size, so that --csr /dev/zero or an idle FIFO is answered at
// once with exit 3.
func csrReadFile(path string) ([]byte, error) {
	data, err := readlimit.ReadFile(path, x509util.MaxCertificateFileSize)
	switch {
	case errors.Is(err, readlimit.ErrTooLarge):
		return nil, fmt.Errorf("%w: %s %v: not a CSR file", x509util.ErrMalformed, path, err)
	case errors.Is(err, readlimit.ErrNotFile):
		return nil, fmt.Errorf("%w: %s %v", x509util.ErrMalformed, path, err)
	}
	return data, err // nil, or the *fs.PathError of open or read
}
