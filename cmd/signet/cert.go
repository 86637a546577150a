package main

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/hsm"
	"github.com/signet-pki/signet/internal/keyref"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// certCommand groups the certificate subcommands, each built by its own constructor and
// listed here explicitly.
func certCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "cert",
		Usage: "issue, inspect and verify certificates; bundle a key and its chain as PKCS#12",
		Subcommands: []*cli.Command{
			certCreateCommand(e),
			certInspectCommand(e),
			certVerifyCommand(e),
			certP12Command(e),
		},
	}
}

// certVerifyOptions is what `signet cert verify` was asked, once the flags are checked.
type certVerifyOptions struct {
	certFile      string
	roots         []string
	intermediates []string
	crls          []string
	ocsp          []string
	policy        verify.Policy // everything but the certificates and CRLs, which come from files
	json          bool
	// localRoot is the root certificate file of 'signet init', trusted because neither
	// --roots nor --system-roots was given; "" otherwise.
	localRoot string
}

const certVerifyJSONHelp = `JSON (--json), one object; fields are added over time, never renamed:
   file            the certificate file verified (its first certificate is the leaf)
   valid           true or false
   reason          "" when valid, else one of: expired, not-yet-valid, unknown-authority,
                   revoked, eku, name-mismatch, depth, constraint, key-usage, malformed,
                   crl-invalid, crl-missing
   rule            "" when valid, else the id of the rule that failed (rfc5280.serial-zero,
                   webpki.cn-not-in-san, ...; the table is in the verify package's docs)
   error           the message of the refusal, "" when valid
   policies[]      the certificate policies the chain is valid for (RFC 5280 6.1.5's
                   user-constrained set: dotted OIDs or anyPolicy); null when no chain
   chain[]         leaf first: role (leaf, intermediate, root), subject, issuer, serial (hex),
                   not_before, not_after (RFC 3339), sha256 (hex of the DER), trust_anchor
   policy          at, roots[] and intermediates[] ({subject, sha256}), system_roots, ekus[]
                   (empty: no constraint), key_usage[], dns_name, ip, email, crls[] ({issuer,
                   number, this_update, next_update, sha256}), require_crl, max_depth (null:
                   unlimited), profile, initial_policies[], require_explicit_policy,
                   inhibit_policy_mapping, inhibit_any_policy, ocsp_responses (a count),
                   explicit_eku, leaf_not_ca
   checks[]        every check made, in order: check (chain, validity, constraints, policies,
                   profile, depth, key-usage, eku, name, revocation), status (pass, fail,
                   skip), subject (the certificate it is about, "" for the whole chain),
                   detail, rule (the rule a failed check broke)
   local_root      the root file of 'signet init' when it was trusted because no --roots or
                   --system-roots was given, else ""`

func certVerifyCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "verify",
		Usage:     "check a certificate against trusted roots, a time, a purpose, names and CRLs",
		ArgsUsage: "CERT",
		Description: `Builds a chain from CERT to a trusted root and checks it under the policy the flags
describe, then prints the chain (leaf → ... → root, with SHA-256 fingerprints), the policy
applied, every check made and the verdict. Exit 0: valid; 1: not valid (the reason is on
the verdict line, e.g. "certificate ... expired at 2021-01-01T00:00:00Z", said once; stderr
has at most a hint); 2: bad flags; 3: a file is missing or unreadable.
` + moreHelp + `
CERT is a PEM or DER file; certificates after the first (a chain file, as servers send it)
are used as untrusted intermediates. --roots and --intermediates take PEM files with any
number of certificates, DER files, or directories (their *.pem, *.crt, *.cer and *.der
files, in name order). Every --roots certificate is a trust anchor, self-signed or not. The
system's trust store is used only with --system-roots. Without --roots or --system-roots
the root of the local development identity that 'signet init' made in $SIGNET_HOME is
trusted, and the report says so; when there is none the command refuses to run (exit 2).

The policy:
   --at TIME         validation time, RFC 3339 (2026-06-01T00:00:00Z) or a date (2026-06-01,
                     midnight UTC); default now. Certificates and CRLs are checked at TIME.
   --eku NAME|OID    a required extended key usage, repeatable (all are required):
                     serverAuth, clientAuth, codeSigning, emailProtection, timeStamping,
                     OCSPSigning, anyExtendedKeyUsage (or any: no constraint), or a dotted OID.
                     It must be allowed by the leaf and by every CA that restricts usages.
                     Default: serverAuth when --host or --ip is given, else no constraint.
   --key-usage NAME  a key usage bit the leaf must assert if it has a key usage extension,
                     repeatable: digitalSignature, nonRepudiation, keyEncipherment,
                     dataEncipherment, keyAgreement, keyCertSign, cRLSign. Default: none.
   --host, --ip, --email
                     must match a subjectAltName of the leaf (never the subject CN).
   --crl FILE        CRLs (PEM or DER, files or directories of *.crl, *.pem, *.der). Each must
                     be signed by its issuer in the chain (which needs cRLSign) and be current
                     at TIME; a listed certificate fails with its serial, date and reason.
   --require-crl     a certificate below the root without a CRL of its issuer fails (the
                     root's own CRL is needed only when the root issued the leaf; a CRL
                     signer the root issued needs none either).
   --max-depth N     at most N intermediates between the leaf and the root (0: the root
                     issued the leaf); self-issued intermediates (key rollover) do not count.
` + pathFlagsHelp + `

Path validation is RFC 5280 section 6, by signet itself: paths are built by issuer name
(compared as RFC 5280 7.1 says), backtracking past a path that fails to the next (cross-
signed and rolled-over CAs), within a work budget; every certificate's validity, signature
(SHA-1 and MD5 refused), basic constraints, keyCertSign, path length (self-issued
certificates not counted), name constraints of every form (directory names, DNS, email,
URI, IP; self-issued intermediates exempt), certificate policies with mappings, and unknown
critical extensions; CRLs by distribution point, issuing distribution point, reasons,
indirect CRLs, separate CRL signing keys and delta CRLs. The rfc5280 profile also refuses
certificates that break RFC 5280's rules on their own contents: a serial of zero, negative or
over 20 octets, a missing authority or subject key identifier, an empty EKU or key usage,
name constraints in a leaf or written invalidly, a DNS name with an underscore, an RSA key
under 2048 bits, a trust anchor whose basic constraints are not critical. Each refusal names
its rule (e.g. rfc5280.serial-zero, webpki.cn-not-in-san).

` + certVerifyJSONHelp + `

EXAMPLES (run from the source tree; the fixtures of testdata/pki are valid at 2026-06-01):
   # a server's chain file, for its host name (serverAuth implied): valid, exit 0
   signet cert verify --at 2026-06-01T00:00:00Z --roots testdata/pki/root-ca.pem \
       --host server.example.com testdata/pki/server-chain.pem
   # a code signer checked against its CA's CRL: revoked, exit 1
   signet cert verify --at 2026-06-01T00:00:00Z --roots testdata/pki/root-ca.pem \
       --intermediates testdata/pki/int-ca.pem --eku codeSigning --key-usage digitalSignature \
       --crl testdata/pki/int-ca.crl --require-crl testdata/pki/revoked.pem
   # the server's chain under the CA/Browser Forum's rules for TLS servers: valid, exit 0
   signet cert verify --at 2026-06-01 --roots testdata/pki/root-ca.pem --profile webpki \
       --host server.example.com testdata/pki/server-chain.pem
   # a certificate policy the chain must be valid for, which it does not carry: exit 1
   signet cert verify --at 2026-06-01 --roots testdata/pki/root-ca.pem \
       --intermediates testdata/pki/int-ca.pem --policy 2.23.140.1.2.1 \
       --require-explicit-policy testdata/pki/codesign.pem
   # two intermediates where one is allowed, as JSON: exit 1
   signet cert verify --at 2026-06-01 --roots testdata/pki/root-ca.pem \
       --intermediates testdata/pki/mid-ca.pem --intermediates testdata/pki/issuing-ca.pem \
       --max-depth 1 --json testdata/pki/deep-leaf.pem`,
		Flags: append([]cli.Flag{
			repeatedFlag("roots", "trust the certificates in `FILE` (PEM, DER, or a directory); repeatable"),
			repeatedFlag("intermediates", "untrusted CA certificates in `FILE` that may complete the chain; repeatable"),
			&cli.BoolFlag{Name: "system-roots", Usage: "also trust the operating system's root store"},
			&cli.StringFlag{Name: "at", Usage: "validation `TIME`, RFC 3339 or YYYY-MM-DD (default: now)"},
			repeatedFlag("eku", "require extended key usage `NAME|OID`; repeatable"),
			repeatedFlag("key-usage", "require key usage bit `NAME` (digitalSignature, ...); repeatable"),
			&cli.StringFlag{Name: "host", Usage: "the leaf must be valid for DNS `NAME`"},
			&cli.StringFlag{Name: "ip", Usage: "the leaf must be valid for IP `ADDR`"},
			&cli.StringFlag{Name: "email", Usage: "the leaf must be valid for email `ADDR`"},
			repeatedFlag("crl", "check revocation against the CRLs in `FILE`; repeatable"),
			&cli.BoolFlag{Name: "require-crl", Usage: "fail when a certificate of the chain has no CRL of its issuer"},
			&cli.IntFlag{Name: "max-depth", Usage: "allow at most `N` intermediates", DefaultText: "no limit"},
			jsonFlag(),
		}, pathFlags()...),
		Action: func(c *cli.Context) error {
			opts, err := certVerifyParse(e, c)
			if err != nil {
				return err
			}
			return certVerify(e, opts)
		},
	}
}

// certVerifyParse checks the command line and turns it into options, before any file is read.
func certVerifyParse(e *env, c *cli.Context) (*certVerifyOptions, error) {
	switch c.NArg() {
	case 0:
		return nil, usagef("missing CERT: the certificate file to verify")
	case 1:
	default:
		return nil, usagef("one CERT at a time (got %d arguments); put a chain in one file", c.NArg())
	}
	o := &certVerifyOptions{
		certFile:      c.Args().First(),
		roots:         repeatedValues(c, "roots"),
		intermediates: repeatedValues(c, "intermediates"),
		crls:          repeatedValues(c, "crl"),
		json:          c.Bool("json"),
	}
	p := &o.policy
	p.SystemRoots = c.Bool("system-roots")
	if len(o.roots) == 0 && !p.SystemRoots {
		root, err := localRoot(e, "roots")
		if err != nil {
			return nil, err
		}
		o.roots, o.localRoot = []string{root}, root
	}
	if s := c.String("at"); s != "" {
		t, err := certParseTime(s)
		if err != nil {
			return nil, err
		}
		p.At = t
	}
	p.DNSName = c.String("host")
	if s := c.String("ip"); s != "" {
		if p.IP = net.ParseIP(s); p.IP == nil {
			return nil, usagef("--ip %q is not an IP address", s)
		}
	}
	p.Email = c.String("email")
	if p.Email != "" && !strings.Contains(p.Email, "@") {
		return nil, usagef("--email %q is not an email address", p.Email)
	}
	if err := parseEKUFlag(c, p); err != nil {
		return nil, err
	}
	if len(p.EKUs) == 0 && len(p.UnknownEKUs) == 0 && (p.DNSName != "" || p.IP != nil) {
		p.EKUs = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	for _, v := range repeatedValues(c, "key-usage") {
		for _, name := range strings.Split(v, ",") {
			bit, err := verify.ParseKeyUsage(strings.TrimSpace(name))
			if err != nil {
				return nil, usagef("--key-usage: unknown key usage %q (use %s)", name, strings.Join(verify.KeyUsageNames(^x509.KeyUsage(0)), ", "))
			}
			p.KeyUsage |= bit
		}
	}
	p.RequireCRL = c.Bool("require-crl")
	ocsp, err := parsePathFlags(c, p)
	if err != nil {
		return nil, err
	}
	o.ocsp = ocsp
	if c.IsSet("max-depth") {
		n := c.Int("max-depth")
		if n < 0 {
			return nil, usagef("--max-depth must be 0 or more, not %d", n)
		}
		p.MaxDepth = &n
	}
	return o, nil
}

func certParseTime(s string) (time.Time, error) { return certParseTimeFlag("at", s) }

// certParseTimeFlag reads the TIME of a flag: RFC 3339, or a date meaning midnight UTC.
func certParseTimeFlag(flag, s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil && rfc3339Offset(s) {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, usagef("--%s %q is not an RFC 3339 time (2026-06-01T00:00:00Z) or a date (2026-06-01)", flag, s)
}

// rfc3339Offset reports whether the offset that ends RFC 3339 time s is "Z" or one RFC 3339
// 5.6 allows, its hour 00 to 23 and its minute 00 to 59: time.Parse also takes an hour of 24
// and a minute of 60, which would move the time by a day or an hour from any the user meant.
func rfc3339Offset(s string) bool {
	if strings.HasSuffix(s, "Z") || len(s) < 6 {
		return true
	}
	off := s[len(s)-6:] // +hh:mm
	return off[1:3] <= "23" && off[4:6] <= "59"
}

// checkCAKey refuses a CA key that is not the key of the CA certificate read from --ca FILE,
// naming both (x509util.CheckIssuer, which would refuse it when issuing, names only the
// certificate's subject, and a user with several CAs' files cannot tell which one is wrong).
// It is a key that does not belong to its certificate, x509util.ErrKeyMismatch (exit 4), as
// it is everywhere else (cert p12 --key, tls serve, x509util.CheckIssuer).
func checkCAKey(caFile, caKeyRef string, ca *x509.Certificate, key crypto.Signer) error {
	if key == nil || x509util.PublicKeysEqual(ca.PublicKey, key.Public()) {
		return nil
	}
	return fmt.Errorf("%w: the CA key does not belong to the CA certificate %q (--ca-key %s, --ca %s)",
		x509util.ErrKeyMismatch, x509util.FormatName(ca.Subject), certKeyName(caKeyRef), caFile)
}

// certKeyName is a key reference fit for a message: a pkcs11: URI is printed without any
// pin-value it carries.
func certKeyName(ref string) string {
	if !keyref.IsPKCS11(ref) {
		return ref
	}
	if u, err := hsm.ParseURI(ref); err == nil {
		return u.String()
	}
	return "the pkcs11: key"
}

// certVerify reads the files, runs the policy engine and prints its report.
func certVerify(e *env, o *certVerifyOptions) error {
	certs, err := x509util.LoadCertificateFile(o.certFile)
	if err != nil {
		return err
	}
	p := o.policy
	if len(o.roots) > 0 {
		if p.Roots, err = x509util.LoadCertificates(o.roots...); err != nil {
			return err
		}
	}
	if len(o.intermediates) > 0 {
		if p.Intermediates, err = x509util.LoadCertificates(o.intermediates...); err != nil {
			return err
		}
	}
	if len(o.crls) > 0 {
		if p.CRLs, err = x509util.LoadCRLs(o.crls...); err != nil {
			return err
		}
	}
	if len(o.ocsp) > 0 {
		if p.OCSP, err = x509util.LoadOCSPResponses(o.ocsp...); err != nil {
			return err
		}
	}
	p.OCSPAboutChain = true // the responses serve this chain only
	res, verr := verify.Verify(certs[0], certs[1:], p)
	if res == nil {
		return verr // not checked: no verdict to print
	}
	if o.json {
		report := struct {
			File string `json:"file"`
			*verify.Result
			LocalRoot string `json:"local_root"`
		}{o.certFile, res, o.localRoot}
		if err := writeJSON(e.stdout, report); err != nil {
			return err
		}
	} else {
		certVerifyPrint(e.stdout, o.certFile, o.localRoot, res, verr)
	}
	if verr == nil {
		return nil
	}
	// The verdict, with its reason, is on stdout (the report or --json): it is not said again
	// as an error; only what to do about it goes to stderr.
	if h := chainHint(verr, o.policy.RequireCRL); h != "" {
		fmt.Fprintln(e.stderr, "signet: hint: "+h)
	}
	return &codedError{code: exitCode(verr)}
}

// ruleOf returns the id of the rule a verification error names, or "".
func ruleOf(err error) string {
	var ve *verify.Error
	if errors.As(err, &ve) {
		return ve.Rule
	}
	return ""
}

// chainHint says what to do about a chain that failed, or "": the hint follows the rule that
// failed, not only its reason, and names --require-crl only when it was given.
func chainHint(err error, requireCRL bool) string {
	rule := ruleOf(err)
	switch {
	case rule == "sigstore.trusted-root-path":
		return "the trusted root's certificate authorities (certChain, validFor) do not cover this signer at its signing time"
	case rule == "signet.unsupported-algorithm":
		return "signet cannot verify that signature algorithm (ML-DSA, DSA): no missing certificate would help"
	case errors.Is(err, verify.UnknownAuthority):
		return "give the missing CA certificates with --intermediates FILE, or the root that issued them with --roots FILE"
	case rule == "signet.ocsp-unused":
		return "the --ocsp response answers about another certificate: give the responses for this chain's certificates, or leave it out"
	case errors.Is(err, verify.CRLMissing) && rule == "rfc5280.crl-scope":
		return "give a CRL of the issuer that covers the certificate (its distribution point, every reason) with --crl FILE"
	case errors.Is(err, verify.CRLMissing) && requireCRL:
		return "give the issuer's CRL with --crl FILE, or drop --require-crl"
	case errors.Is(err, verify.CRLMissing):
		return "give the issuer's CRL with --crl FILE"
	}
	return ""
}

// certVerifyPrint writes the human report: chain, policy, checks, verdict.
func certVerifyPrint(w io.Writer, file, localRoot string, r *verify.Result, verr error) {
	fmt.Fprintf(w, "certificate: %s\n", file)
	fmt.Fprintln(w, "chain:")
	for _, c := range r.Chain {
		anchor := ""
		if c.TrustAnchor {
			anchor = "  (trust anchor)"
		}
		fmt.Fprintf(w, "  %-13s %s%s\n  %-13s sha256:%s\n", c.Role, c.Subject, anchor, "", c.SHA256)
	}
	if n := len(r.Chain); n > 0 && !r.Chain[n-1].TrustAnchor {
		fmt.Fprintln(w, "  (no trusted issuer found)")
	}

	pol := r.Policy
	fmt.Fprintln(w, "policy:")
	row := func(k, v string) { fmt.Fprintf(w, "  %-14s %s\n", k, v) }
	row("at", pol.At.Format(time.RFC3339))
	roots := certRefNames(pol.Roots)
	if pol.SystemRoots {
		roots = append(roots, "the system roots")
	}
	row("roots", strings.Join(roots, "; "))
	if localRoot != "" {
		row("", "the local development root of 'signet init' ("+localRoot+"), trusted because no --roots was given")
	}
	if len(pol.Intermediates) > 0 {
		row("intermediates", strings.Join(certRefNames(pol.Intermediates), "; "))
	}
	row("eku", certOr(strings.Join(pol.EKUs, ", "), "no constraint"))
	if len(pol.KeyUsage) > 0 {
		row("key usage", strings.Join(pol.KeyUsage, ", "))
	}
	if pol.DNSName != "" {
		row("host", pol.DNSName)
	}
	if pol.IP != "" {
		row("ip", pol.IP)
	}
	if pol.Email != "" {
		row("email", pol.Email)
	}
	var crls []string
	for _, l := range pol.CRLs {
		s := l.Issuer
		if l.Number != "" {
			s += " #" + l.Number
		}
		crls = append(crls, s)
	}
	row("crls", certOr(strings.Join(crls, "; "), "none"))
	row("require crl", certYesNo(pol.RequireCRL))
	depth := "unlimited"
	if pol.MaxDepth != nil {
		depth = fmt.Sprintf("%d intermediate(s)", *pol.MaxDepth)
	}
	row("max depth", depth)
	row("profile", pol.Profile)
	pols := strings.Join(pol.InitialPolicies, ", ")
	var flags []string
	if pol.RequireExplicitPolicy {
		flags = append(flags, "explicit policy required")
	}
	if pol.InhibitPolicyMapping {
		flags = append(flags, "policy mapping inhibited")
	}
	if pol.InhibitAnyPolicy {
		flags = append(flags, "anyPolicy inhibited")
	}
	if len(flags) > 0 {
		pols += " (" + strings.Join(flags, ", ") + ")"
	}
	row("policies", pols)
	if pol.OCSP > 0 {
		row("ocsp", fmt.Sprintf("%d response(s)", pol.OCSP))
	}

	fmt.Fprintln(w, "checks:")
	for _, c := range r.Checks {
		text := certCheckText(c)
		if c.Rule != "" {
			text += " [" + c.Rule + "]"
		}
		fmt.Fprintf(w, "  %-4s  %-11s %s\n", c.Status, c.Check, text)
	}
	if r.Policies != nil {
		fmt.Fprintf(w, "valid for policies: %s\n", certOr(strings.Join(r.Policies, ", "), "none"))
	}
	if r.Valid {
		fmt.Fprintln(w, "verdict: valid")
	} else {
		var ve *verify.Error
		msg := r.Error
		if errors.As(verr, &ve) {
			msg = ve.Detail
		}
		if r.Rule != "" {
			msg += " [" + r.Rule + "]"
		}
		fmt.Fprintf(w, "verdict: NOT VALID (%s): %s\n", r.Reason, msg)
	}
}

// certCheckText puts the certificate a check is about in front of its detail, unless the
// detail already names it.
func certCheckText(c verify.Check) string {
	if c.Subject == "" || strings.Contains(c.Detail, c.Subject) {
		return c.Detail
	}
	return c.Subject + ": " + c.Detail
}

func certRefNames(refs []verify.CertRef) []string {
	var s []string
	for _, r := range refs {
		s = append(s, fmt.Sprintf("%s (sha256:%s…)", r.Subject, r.SHA256[:16]))
	}
	return s
}

func certOr(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

func certYesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
