package main

import (
	"crypto/x509"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/x509util"
)

const certInspectJSONHelp = `JSON (--json): an array with one object per certificate, CSR or CRL, in the order of the
files and of the objects in each; fields are added over time, never renamed. Names are
RFC 4514 strings ("CN=alice,O=Example"), times RFC 3339 UTC, hashes and key ids lowercase
hex, serials lowercase hex (as 'openssl x509 -serial' prints them, there in upper case).
   file, index     the file as given, and the object's place in it (1 = first)
   kind            "certificate", "csr" or "crl"
   encoding        "PEM" or "DER"
   certificate     (kind certificate) version, subject, issuer, self_signed, serial,
                   not_before, not_after, validity {status: valid | expired | not-yet-valid,
                   days: until the end, since the end, or until the start}, public_key {type
                   ("" for a key signet does not use: DSA, Ed448, X25519, other curves),
                   algorithm, bits, curve, fingerprint (sha256: of the SubjectPublicKeyInfo)},
                   signature_algorithm, sans {dns[], ip[], email[], uri[], dir_name[],
                   other_name[] (OID:value), registered_id[], other[]}, key_usage[] (null:
                   no extension), ext_key_usage[] (names or OIDs; null: no extension),
                   basic_constraints {ca, path_len (null: no limit), critical} (null: no
                   extension), subject_key_id, authority_key_id, crl_distribution_points[],
                   ocsp_servers[], issuing_certificate_urls[], extensions[] {oid, name,
                   critical, value (hex)}, name_constraints {permitted[], excluded[] (each
                   subtree's base as "dns:", "ip:" with prefix length, "dirName:", ...),
                   critical} (null: no extension), sha256 (of the DER certificate);
                   and, each null without its extension or when its value does not parse
                   (its hex is then in extensions[]): policies[] {oid, cps[],
                   user_notices[] {organization, numbers[], explicit_text},
                   other_qualifiers[]}, policy_mappings[] {issuer_domain_policy,
                   subject_domain_policy}, policy_constraints {require_explicit_policy,
                   inhibit_policy_mapping}, inhibit_any_policy, issuer_alt_names[],
                   subject_info_access[] {method, location}, scts[] {version, log_id,
                   timestamp, extensions, signature_algorithm, signature},
                   authority_cert_issuer[], authority_cert_serial ("" when absent),
                   freshest_crl[]
   csr             (kind csr) subject, public_key, signature_algorithm, signature_valid,
                   signature_error, sans, extensions[] (requested), sha256,
                   challenge_password (true when present; its value is never shown),
                   attributes[] {oid, name, values[]} (the others but extensionRequest);
                   and the requested extensions in a certificate's fields: key_usage,
                   ext_key_usage, basic_constraints, subject_key_id, authority_key_id,
                   crl_distribution_points, ocsp_servers, issuing_certificate_urls,
                   name_constraints, policies, ..., freshest_crl (as for a certificate:
                   null, [] or "" when not requested)
   crl             (kind crl) issuer, number (decimal, "" when absent), this_update,
                   next_update (null when absent), validity (expired: past next_update),
                   signature_algorithm, authority_key_id, revoked[] {serial, revoked_at,
                   reason ("" when none), invalidity_date (null when none),
                   certificate_issuer[] (an indirect CRL's: the entry's certificateIssuer
                   or the last one before it, RFC 5280 5.3.3; null: the CRL's issuer)},
                   extensions[], sha256, issuer_alt_names[], authority_cert_issuer[],
                   authority_cert_serial, freshest_crl[], issuing_distribution_point
                   {full_name[], relative_name, only_user_certs, only_ca_certs,
                   only_some_reasons[] (null: all), indirect_crl, only_attribute_certs},
                   delta_crl_indicator ("" when absent)`

func certInspectCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "inspect",
		Usage:     "describe certificates, chains, CSRs and CRLs (PEM or DER)",
		ArgsUsage: "FILE...",
		Description: `Describes every certificate, certificate signing request and CRL in each FILE, PEM or
DER, found without being told which: a chain file shows each certificate, a file may mix
kinds, and other PEM blocks (a private key beside its certificate) are skipped.
` + moreHelp + `
A certificate: subject, issuer, serial, validity with the time left (or how long ago it
expired, or when it starts), public key type, size and fingerprint, subject alternative
names of every form, key usage, extended key usage, basic constraints, name constraints
(what is permitted and what excluded), key identifiers, certificate policies (CPS and user
notices), policy mappings and constraints, inhibitAnyPolicy, issuer alternative names,
subject information access, signed certificate timestamps, an authority key identifier's
issuer and serial, and the other
extensions (critical ones marked; one signet does not know with the hex of its value) and
the SHA-256 fingerprint of the certificate. A CSR: subject,
key, names, whether its signature verifies, the extensions it requests taken apart as a
certificate's (in the same lines, "(not requested)" where it asks for none: a request for
CA:TRUE shows), whether it has a challenge password (its value is never shown) and its other
attributes by OID. A CRL: issuer, number, this and next
update, the issuing distribution point, freshest CRL and delta CRL indicator, and each
revoked serial with its date, reason, invalidity date and, in an indirect CRL, the issuer of
the certificate it revokes. Times are placed against --at
(default now).

An object is shown even where a part of it is one signet does not use or read (a name
value of a string type crypto/x509 refuses, a key on another curve, an extension that does
not parse): each is shown from its DER, and 'signet cert verify' refuses such a certificate.
A CSR whose requested extensions are malformed (one requested twice, an extensionRequest
that does not parse, a value of one signet takes apart that does not parse) is refused, as
'signet cert create --csr' refuses it: what it asks for is never shown in part.

Inspecting checks nothing beyond a CSR's signature: a CRL's signature needs its issuer
and a certificate's trust needs a policy; use 'signet cert verify'. Exit 0 when every
file was read, 3 when one is missing or holds no certificate, CSR or CRL (nothing is then
printed).

` + certInspectJSONHelp + `

EXAMPLES (run from the source tree):
   signet cert inspect --at 2026-06-01 testdata/pki/server-chain.pem
   signet cert inspect --at 2026-06-01 testdata/pki/int-ca.crl testdata/pki/expired.pem
   signet cert inspect --json testdata/pki/codesign-ed25519.pem`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "at", Usage: "place validity and CRL dates against `TIME`, RFC 3339 or YYYY-MM-DD (default: now)"},
			jsonFlag(),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usagef("missing FILE: a certificate, chain, CSR or CRL file")
			}
			at := time.Now()
			if c.IsSet("at") {
				var err error
				if at, err = certParseTime(c.String("at")); err != nil {
					return err
				}
			}
			// Read everything first: a bad file prints one error and no partial report.
			var all []certInspected
			for _, f := range c.Args().Slice() {
				objs, err := x509util.LoadObjects(f)
				if err != nil {
					return err
				}
				for i, o := range objs {
					all = append(all, certInspectDescribe(f, i+1, len(objs), o, at))
				}
			}
			if c.Bool("json") {
				return writeJSON(e.stdout, all)
			}
			for i, d := range all {
				if i > 0 {
					fmt.Fprintln(e.stdout)
				}
				certInspectPrint(e.stdout, d)
			}
			return nil
		},
	}
}

// certInspected is one object of one file, as --json prints it.
type certInspected struct {
	File        string                    `json:"file"`
	Index       int                       `json:"index"`
	Kind        x509util.ObjectKind       `json:"kind"`
	Encoding    string                    `json:"encoding"`
	Certificate *x509util.CertificateInfo `json:"certificate,omitempty"`
	CSR         *x509util.CSRInfo         `json:"csr,omitempty"`
	CRL         *x509util.CRLInfo         `json:"crl,omitempty"`
	of          int
}

func certInspectDescribe(file string, index, of int, o x509util.Object, at time.Time) certInspected {
	d := certInspected{File: file, Index: index, Kind: o.Kind, Encoding: "DER", of: of}
	if o.PEM {
		d.Encoding = "PEM"
	}
	switch o.Kind {
	case x509util.KindCertificate:
		info := x509util.DescribeCertificate(o.Certificate, at)
		d.Certificate = &info
	case x509util.KindCSR:
		info := x509util.DescribeCSR(o.CSR)
		d.CSR = &info
	case x509util.KindCRL:
		info := x509util.DescribeCRL(o.CRL, at)
		d.CRL = &info
	}
	return d
}

func certInspectPrint(w io.Writer, d certInspected) {
	what := map[x509util.ObjectKind]string{x509util.KindCertificate: "certificate", x509util.KindCSR: "certificate signing request", x509util.KindCRL: "CRL"}[d.Kind]
	if d.of > 1 {
		what += fmt.Sprintf(" %d of %d", d.Index, d.of)
	}
	fmt.Fprintf(w, "%s: %s (%s)\n", d.File, what, d.Encoding)
	row := func(k, v string) { fmt.Fprintf(w, "  %-18s %s\n", k, v) }
	switch {
	case d.Certificate != nil:
		c := d.Certificate
		row("subject", certOr(c.Subject, "(empty)"))
		row("issuer", certOr(c.Issuer, "(empty)")+certIf(c.SelfSigned, "  (self-signed)"))
		row("serial", c.Serial)
		row("not before", c.NotBefore.Format(time.RFC3339))
		row("not after", c.NotAfter.Format(time.RFC3339))
		row("validity", certValidityText(c.Validity, true, "expires in", "EXPIRED", "starts in"))
		row("public key", certKeyText(c.PublicKey))
		row("signature", c.SignatureAlgorithm)
		row("names (SAN)", certSANText(c.SANs))
		certInspectExtensions(w, row, c.ExtensionFields(), c.Extensions, false)
		row("extensions", certExtText(c.Extensions))
		row("sha256", c.SHA256)
	case d.CSR != nil:
		r := d.CSR
		row("subject", certOr(r.Subject, "(empty)"))
		row("public key", certKeyText(r.PublicKey))
		sig := r.SignatureAlgorithm + ", valid"
		if !r.SignatureValid {
			sig = r.SignatureAlgorithm + ", NOT VALID: " + r.SignatureError
		}
		row("signature", sig)
		row("names (SAN)", certSANText(r.SANs))
		certInspectExtensions(w, row, r.ExtensionFields, r.Extensions, true)
		if r.ChallengePassword {
			row("challenge password", "present (not shown)")
		}
		if len(r.Attributes) > 0 {
			var a []string
			for _, at := range r.Attributes {
				a = append(a, certOr(at.Name, at.OID)+" "+strings.Join(at.Values, ", "))
			}
			row("attributes", strings.Join(a, "; "))
		}
		row("extensions", certExtText(r.Extensions))
		row("sha256", r.SHA256)
	case d.CRL != nil:
		l := d.CRL
		row("issuer", certOr(l.Issuer, "(empty)"))
		row("number", certOr(l.Number, "(none)"))
		row("this update", l.ThisUpdate.Format(time.RFC3339))
		next := "(none)"
		if l.NextUpdate != nil {
			next = l.NextUpdate.Format(time.RFC3339)
		}
		row("next update", next)
		row("validity", certValidityText(l.Validity, l.NextUpdate != nil, "next update in", "STALE: next update was due", "not current for another"))
		row("signature", l.SignatureAlgorithm+" (not checked: that needs the issuer; use cert verify --crl)")
		row("authority key id", certOr(l.AuthorityKeyID, "(none)"))
		certInspectCRLMore(row, l)
		row("revoked", fmt.Sprintf("%d certificate(s)", len(l.Revoked)))
		width := 0
		for _, r := range l.Revoked {
			width = max(width, len(r.Serial))
		}
		for _, r := range l.Revoked {
			more := ""
			if r.InvalidityDate != nil {
				more += "  invalid since " + r.InvalidityDate.Format(time.RFC3339)
			}
			if r.CertificateIssuer != nil {
				more += "  certificate issuer " + strings.Join(r.CertificateIssuer, ", ")
			}
			fmt.Fprintf(w, "    %-*s  %s  %s%s\n", width, r.Serial, r.RevokedAt.Format(time.RFC3339), certOr(r.Reason, "(no reason)"), more)
		}
		row("sha256", l.SHA256)
	}
}

// certValidityText puts a Validity in words: "valid, expires in 20 days", "EXPIRED 3 days
// ago", "NOT YET VALID, starts in 2 hours".
func certValidityText(v x509util.Validity, hasEnd bool, ends, ended, starts string) string {
	switch {
	case v.Status == x509util.ValidityExpired:
		return ended + " " + certSpan(v.Left) + " ago"
	case v.Status == x509util.ValidityNotYetValid:
		return "NOT YET VALID, " + starts + " " + certSpan(v.Left)
	case !hasEnd:
		return "valid, no end"
	}
	return "valid, " + ends + " " + certSpan(v.Left)
}

// certSpan says a duration in the largest unit that keeps it above one, rounded to the
// nearest (a 7-day CRL looked at a second after it was made is "7 days", not 6; JSON keeps
// whole days, rounded down).
func certSpan(d time.Duration) string {
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d >= 48*time.Hour:
		return plural(int(d.Round(24*time.Hour)/(24*time.Hour)), "day")
	case d >= 2*time.Hour:
		return plural(int(d.Round(time.Hour)/time.Hour), "hour")
	case d >= time.Minute:
		return plural(int(d.Round(time.Minute)/time.Minute), "minute")
	}
	return plural(int(d.Round(time.Second)/time.Second), "second")
}

func certKeyText(k x509util.KeyInfo) string {
	detail := fmt.Sprintf("%s %d bits", k.Algorithm, k.Bits)
	if k.Curve != "" {
		detail = k.Algorithm + " " + k.Curve
	}
	if k.Type == "" {
		return fmt.Sprintf("%s (not a key type signet uses)  %s", detail, k.Fingerprint)
	}
	return fmt.Sprintf("%s (%s)  %s", k.Type, detail, k.Fingerprint)
}

func certSANText(s x509util.SANInfo) string {
	var all []string
	for _, group := range []struct {
		prefix string
		names  []string
	}{{"dns:", s.DNS}, {"ip:", s.IP}, {"email:", s.Email}, {"uri:", s.URI}, {"dirName:", s.DirName},
		{"otherName:", s.OtherName}, {"registeredID:", s.RegisteredID}, {"", s.Other}} {
		for _, n := range group.names {
			all = append(all, group.prefix+n)
		}
	}
	return certListOr(all, "(none)")
}

func certListOr(s []string, none string) string {
	if s == nil {
		return none
	}
	return strings.Join(s, ", ")
}

func certBasicText(b *x509util.BasicConstraintsInfo) string {
	if b == nil {
		return "(no extension: not a CA)"
	}
	s := "CA:FALSE"
	if b.PathLen != nil {
		// a CSR's pathLenConstraint is shown after CA:FALSE too, as openssl shows it
		s = fmt.Sprintf("CA:FALSE, path length %d", *b.PathLen)
	}
	if b.CA {
		s = "CA:TRUE, no path length limit"
		if b.PathLen != nil {
			s = fmt.Sprintf("CA:TRUE, path length %d", *b.PathLen)
		}
	}
	return s + certIf(b.Critical, " (critical)")
}

func certExtText(exts []x509util.ExtensionInfo) string {
	var s []string
	for _, e := range exts {
		if e.Name == "" {
			// what signet does not know, shown as openssl -text shows it: its value
			s = append(s, e.OID+" (unknown"+certIf(e.Critical, ", critical")+": "+e.Value+")")
			continue
		}
		s = append(s, e.Name+certIf(e.Critical, " (critical)"))
	}
	if s == nil {
		return "(none)"
	}
	return strings.Join(s, ", ")
}

func certIf(b bool, s string) string {
	if b {
		return s
	}
	return ""
}

// certSubject is a certificate's subject as signet prints it everywhere: x509util.FormatName
// (RFC 4514, control characters escaped), "(empty subject)" for none.
func certSubject(c *x509.Certificate) string {
	if s := x509util.FormatName(c.Subject); s != "" {
		return s
	}
	return "(empty subject)"
}

// certCrit is " (critical)" when the extension oid among exts is critical.
func certCrit(exts []x509util.ExtensionInfo, oid string) string {
	for _, e := range exts {
		if e.OID == oid {
			return certIf(e.Critical, " (critical)")
		}
	}
	return ""
}

// certInspectExtensions prints the extensions a certificate carries, or a CSR requests
// (csr), taken apart: the same rows for both; where a certificate has no key usage, extended
// key usage or basic constraints, what that means, and where a CSR has none, that it asks for
// none.
func certInspectExtensions(w io.Writer, row func(k, v string), f x509util.ExtensionFields, exts []x509util.ExtensionInfo, csr bool) {
	anyUse, notCA := "(no extension: any)", "(no extension: not a CA)"
	if csr {
		anyUse, notCA = "(not requested)", "(not requested)"
	}
	row("key usage", certListOr(f.KeyUsage, anyUse))
	row("ext key usage", certListOr(f.ExtKeyUsage, anyUse))
	if f.BasicConstraints == nil {
		row("basic constraints", notCA)
	} else {
		row("basic constraints", certBasicText(f.BasicConstraints))
	}
	if !csr || f.SubjectKeyID != "" {
		row("subject key id", certOr(f.SubjectKeyID, "(none)"))
	}
	if !csr || f.AuthorityKeyID != "" {
		row("authority key id", certOr(f.AuthorityKeyID, "(none)"))
	}
	if nc := f.NameConstraints; nc != nil {
		row("name constraints", "permitted "+certListOr(nc.Permitted, "")+certIf(len(nc.Permitted) == 0, "(none)")+
			"; excluded "+certListOr(nc.Excluded, "")+certIf(len(nc.Excluded) == 0, "(none)")+certIf(nc.Critical, " (critical)"))
	}
	if len(f.CRLDistribution) > 0 {
		row("CRL distribution", strings.Join(f.CRLDistribution, ", "))
	}
	if len(f.OCSPServers) > 0 {
		row("OCSP", strings.Join(f.OCSPServers, ", "))
	}
	if len(f.IssuingCertURLs) > 0 {
		row("CA issuers", strings.Join(f.IssuingCertURLs, ", "))
	}
	certInspectMore(w, row, exts, f)
}

// certInspectMore prints the extensions of a certificate or CSR decoded beyond its names and
// usages, one row each (a policy or an SCT a line of its own below its row).
func certInspectMore(w io.Writer, row func(k, v string), exts []x509util.ExtensionInfo, c x509util.ExtensionFields) {
	sub := func(f string, a ...any) { fmt.Fprintf(w, "    "+f+"\n", a...) }
	if c.AuthorityCertIssuer != nil || c.AuthorityCertSerial != "" {
		row("authority issuer", certOr(strings.Join(c.AuthorityCertIssuer, ", "), "(none)")+", serial "+certOr(c.AuthorityCertSerial, "(none)"))
	}
	if c.Policies != nil {
		row("policies", fmt.Sprintf("%d%s", len(c.Policies), certCrit(exts, "2.5.29.32")))
		for _, p := range c.Policies {
			sub("%s", p.OID+certIf(p.OID == "2.5.29.32.0", " (anyPolicy)"))
			for _, u := range p.CPS {
				sub("  CPS %s", u)
			}
			for _, n := range p.UserNotices {
				var parts []string
				if n.Numbers != nil {
					parts = append(parts, "organization \""+n.Organization+"\" numbers "+strings.Join(n.Numbers, ", "))
				}
				if n.ExplicitText != "" {
					parts = append(parts, "text \""+n.ExplicitText+"\"")
				}
				sub("  user notice: %s", certOr(strings.Join(parts, ", "), "(empty)"))
			}
			for _, o := range p.Other {
				sub("  qualifier %s", o)
			}
		}
	}
	if c.PolicyMappings != nil {
		var m []string
		for _, p := range c.PolicyMappings {
			m = append(m, p.IssuerDomainPolicy+" -> "+p.SubjectDomainPolicy)
		}
		row("policy mappings", certOr(strings.Join(m, ", "), "(none)")+certCrit(exts, "2.5.29.33"))
	}
	if pc := c.PolicyConstraints; pc != nil {
		n := func(p *int) string {
			if p == nil {
				return "(none)"
			}
			return fmt.Sprint(*p)
		}
		row("policy constraints", "require explicit policy "+n(pc.RequireExplicitPolicy)+", inhibit policy mapping "+n(pc.InhibitPolicyMapping)+certCrit(exts, "2.5.29.36"))
	}
	if c.InhibitAnyPolicy != nil {
		row("inhibit anyPolicy", fmt.Sprintf("after %d certificate(s)%s", *c.InhibitAnyPolicy, certCrit(exts, "2.5.29.54")))
	}
	if c.IssuerAltNames != nil {
		row("issuer alt names", certOr(strings.Join(c.IssuerAltNames, ", "), "(none)")+certCrit(exts, "2.5.29.18"))
	}
	if c.SubjectInfoAccess != nil {
		var a []string
		for _, d := range c.SubjectInfoAccess {
			a = append(a, d.Method+" "+d.Location)
		}
		row("subject info", certOr(strings.Join(a, ", "), "(none)")+certCrit(exts, "1.3.6.1.5.5.7.1.11"))
	}
	if c.FreshestCRL != nil {
		row("freshest CRL", certOr(strings.Join(c.FreshestCRL, ", "), "(no URI)")+certCrit(exts, "2.5.29.46"))
	}
	if c.SCTs != nil {
		row("SCTs", fmt.Sprintf("%d%s", len(c.SCTs), certCrit(exts, "1.3.6.1.4.1.11129.2.4.2")))
		for _, t := range c.SCTs {
			sub("log %s  %s  %s%s", t.LogID, t.Timestamp.Format("2006-01-02T15:04:05.000Z07:00"), t.SignatureAlgorithm,
				certIf(t.Extensions != "", "  extensions "+t.Extensions))
		}
	}
}

// certInspectCRLMore prints a CRL's extensions decoded beyond its number and key id.
func certInspectCRLMore(row func(k, v string), l *x509util.CRLInfo) {
	if l.AuthorityCertIssuer != nil || l.AuthorityCertSerial != "" {
		row("authority issuer", certOr(strings.Join(l.AuthorityCertIssuer, ", "), "(none)")+", serial "+certOr(l.AuthorityCertSerial, "(none)"))
	}
	if l.DeltaCRLIndicator != "" {
		row("delta of CRL", l.DeltaCRLIndicator+certCrit(l.Extensions, "2.5.29.27"))
	}
	if p := l.IssuingDistributionPoint; p != nil {
		var parts []string
		if p.FullName != nil {
			parts = append(parts, strings.Join(p.FullName, ", "))
		}
		if p.RelativeName != "" {
			parts = append(parts, "relative name "+p.RelativeName)
		}
		for _, f := range []struct {
			on   bool
			what string
		}{{p.OnlyUserCerts, "only user certificates"}, {p.OnlyCACerts, "only CA certificates"},
			{p.OnlyAttributeCert, "only attribute certificates"}, {p.IndirectCRL, "indirect CRL"}} {
			if f.on {
				parts = append(parts, f.what)
			}
		}
		if p.OnlySomeReasons != nil {
			parts = append(parts, "only reasons "+strings.Join(p.OnlySomeReasons, ", "))
		}
		row("distribution point", certOr(strings.Join(parts, "; "), "(all)")+certCrit(l.Extensions, "2.5.29.28"))
	}
	if l.FreshestCRL != nil {
		row("freshest CRL", certOr(strings.Join(l.FreshestCRL, ", "), "(no URI)")+certCrit(l.Extensions, "2.5.29.46"))
	}
	if l.IssuerAltNames != nil {
		row("issuer alt names", certOr(strings.Join(l.IssuerAltNames, ", "), "(none)")+certCrit(l.Extensions, "2.5.29.18"))
	}
}
