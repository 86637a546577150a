package verify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"net"
	"slices"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"

	"github.com/signet-pki/signet/internal/pkixname"
)

// checkProfile applies the rules about each certificate's own contents: RFC 5280's MUSTs that
// a relying party can check, signet's refusals of weak keys, and under ProfileWebPKI the
// Baseline Requirements. Trust anchors are checked too: an operator who trusts a malformed
// root should hear about it.
func (v *verifier) checkProfile(e *evaluation) {
	if !e.anchored {
		e.skip(CheckProfile, nil, "no complete chain")
		return
	}
	failed := false
	for i, ci := range e.path {
		anchor := e.anchored && i == len(e.path)-1
		if anchor && ci.system {
			continue // the operating system's store vouches for its roots as they are
		}
		for _, f := range v.lint(ci, i, anchor, len(e.path)) {
			failed = true
			e.fail(CheckProfile, newRuleError(Malformed, ci.c, f.rule, nil, "%s %s: %s", e.role(i), Name(ci.c), f.detail))
		}
	}
	if !failed {
		e.pass(CheckProfile, nil, "every certificate conforms to the %s profile", v.p.Profile)
	}
}

// lint returns the rules certificate ci breaks at position i of a path of n certificates.
func (v *verifier) lint(ci *certInfo, i int, anchor bool, n int) []finding {
	c := ci.c
	out := append([]finding(nil), ci.findings...)
	add := func(rule, format string, args ...any) {
		out = append(out, finding{rule, fmt.Sprintf(format, args...)})
	}
	isCA := c.BasicConstraintsValid && c.IsCA
	leaf := i == 0 && !(anchor && n == 1)

	// Serial number (4.1.2.2).
	switch s := c.SerialNumber; {
	case s == nil:
	case s.Sign() == 0:
		add("rfc5280.serial-zero", "its serial number is zero; RFC 5280 4.1.2.2 requires a positive integer")
	case s.Sign() < 0:
		add("rfc5280.serial-negative", "its serial number is negative; RFC 5280 4.1.2.2 requires a positive integer")
	case (s.BitLen()+7)/8 > 20:
		add("rfc5280.serial-too-long", "its serial number is %d octets; RFC 5280 4.1.2.2 allows at most 20", (s.BitLen()+7)/8)
	}
	// Names (4.1.2.4, 4.1.2.6).
	if isEmptyName(c.RawIssuer) {
		add("rfc5280.issuer-empty", "its issuer name is empty; RFC 5280 4.1.2.4 requires a non-empty distinguished name")
	}
	if isEmptyName(c.RawSubject) {
		switch ext := findExt(c, oidExtSubjectAltName); {
		case isCA || c.KeyUsage&x509.KeyUsageCertSign != 0:
			add("rfc5280.ca-subject-empty", "it is a CA with an empty subject; RFC 5280 4.1.2.6 requires a CA's subject to be non-empty")
		case c.KeyUsage&x509.KeyUsageCRLSign != 0:
			// 4.1.2.6 asks the same of a CRL issuer, which cRLSign makes of it (4.2.1.3).
			add("rfc5280.ca-subject-empty", "it asserts cRLSign, which makes it a CRL issuer, with an empty subject; RFC 5280 4.1.2.6 requires a CRL issuer's subject to be non-empty")
		case ext == nil:
			add("rfc5280.subject-empty-no-san", "it has an empty subject and no subjectAltName (RFC 5280 4.1.2.6)")
		case !ext.Critical:
			add("rfc5280.subject-empty-san-not-critical", "it has an empty subject and a subjectAltName not marked critical (RFC 5280 4.2.1.6)")
		}
	}
	// Validity encoding (4.1.2.5.1, 4.1.2.5.2): crypto/x509 reads a UTCTime without seconds
	// or with a time zone offset, which RFC 5280 forbids.
	if why := validityEncoding(c.RawTBSCertificate); why != "" {
		add("rfc5280.validity-encoding", "its validity is written invalidly: %s (4.1.2.5)", why)
	}
	// Extensions only in version 3 (4.1.2.9).
	if c.Version < 3 && len(c.Extensions) > 0 {
		add("rfc5280.extensions-in-v1", "it is a version %d certificate with extensions; RFC 5280 4.1.2.9 allows extensions only in version 3", c.Version)
	}
	// Authority key identifier (4.2.1.1).
	aki := findExt(c, oidExtAuthorityKeyID)
	if aki != nil && aki.Critical {
		add("rfc5280.aki-critical", "its authority key identifier is marked critical; RFC 5280 4.2.1.1 requires non-critical")
	}
	keyID, issuerName, serial, akiOK := parseAKI(aki)
	if aki != nil && !akiOK {
		add("rfc5280.aki-encoding", "its authority key identifier cannot be parsed")
	}
	if !ci.selfIssued {
		switch {
		case aki == nil && v.signed(ci, ci) == nil:
			// Signed by its own key though its issuer name is not its subject: a CA
			// distributing its key in a "self-signed" certificate, which RFC 5280 4.2.1.1
			// exempts (an authority key identifier would only name the key inside).
		case aki == nil && c.Version < 3:
			add("rfc5280.aki-missing", "it is a version %d certificate, which has no extensions and so no authority key identifier; RFC 5280 4.2.1.1 requires one in every certificate that is not self-signed", c.Version)
		case aki == nil:
			add("rfc5280.aki-missing", "it has no authority key identifier; RFC 5280 4.2.1.1 requires one in every certificate that is not self-signed")
		case akiOK && len(keyID) == 0:
			add("rfc5280.aki-missing-keyid", "its authority key identifier has no keyIdentifier; RFC 5280 4.2.1.1 requires it")
		}
	}
	// Subject key identifier (4.2.1.2) and authority information access (4.2.2.1).
	if ski := findExt(c, oidExtSubjectKeyID); ski != nil && ski.Critical {
		add("rfc5280.ski-critical", "its subject key identifier is marked critical; RFC 5280 4.2.1.2 requires non-critical")
	}
	if aia := findExt(c, oidExtAuthorityInfo); aia != nil && aia.Critical {
		add("rfc5280.aia-critical", "its authority information access is marked critical; RFC 5280 4.2.2.1 requires non-critical")
	}
	if isCA && findExt(c, oidExtSubjectKeyID) == nil {
		add("rfc5280.ski-missing", "it is a CA without a subject key identifier; RFC 5280 4.2.1.2 requires one in every CA certificate")
	}
	// Key usage (4.2.1.3).
	if ku := findExt(c, oidExtKeyUsage); ku != nil && c.KeyUsage == 0 {
		add("rfc5280.ku-empty", "its key usage extension asserts no bit; RFC 5280 4.2.1.3 requires at least one")
	}
	if c.KeyUsage&x509.KeyUsageCertSign != 0 && !isCA {
		add("rfc5280.keycertsign-not-ca", "it asserts keyCertSign but is not a CA (RFC 5280 4.2.1.3)")
	}
	// Basic constraints (4.2.1.9).
	if bc := findExt(c, oidExtBasicConstraints); bc != nil {
		// crypto/x509 reads a pathLenConstraint of 0 as MaxPathLen 0 with MaxPathLenZero set.
		if c.BasicConstraintsValid && !c.IsCA && (c.MaxPathLen > 0 || c.MaxPathLenZero) {
			add("rfc5280.pathlen-not-ca", "it has a pathLenConstraint without cA; RFC 5280 4.2.1.9 forbids it")
		}
		// "unless the cA boolean is asserted and the key usage extension asserts the
		// keyCertSign bit": a key usage extension must be there, with keyCertSign.
		if isCA && (c.MaxPathLen > 0 || c.MaxPathLenZero) && (findExt(c, oidExtKeyUsage) == nil || c.KeyUsage&x509.KeyUsageCertSign == 0) {
			why := "no key usage extension"
			if findExt(c, oidExtKeyUsage) != nil {
				why = "a key usage (" + listOrNone(KeyUsageNames(c.KeyUsage)) + ") without keyCertSign"
			}
			add("rfc5280.pathlen-not-ca", "it has a pathLenConstraint and %s; RFC 5280 4.2.1.9 allows pathLenConstraint only with keyCertSign asserted", why)
		}
		if isCA && !bc.Critical && (anchor && n > 1 || v.webpki) {
			rule := "rfc5280.bc-not-critical"
			if !anchor {
				rule = "webpki.bc-not-critical"
			}
			add(rule, "it is a CA whose basic constraints are not marked critical (RFC 5280 4.2.1.9)")
		}
	}
	// Name constraints (4.2.1.10).
	if nc := findExt(c, oidExtNameConstraints); nc != nil {
		switch {
		case !isCA:
			add("rfc5280.nc-not-ca", "it carries name constraints but is not a CA; RFC 5280 4.2.1.10 allows them only in CA certificates")
		case !nc.Critical && !v.webpki:
			add("rfc5280.nc-not-critical", "its name constraints are not marked critical; RFC 5280 4.2.1.10 requires critical (the webpki profile accepts it, as the Baseline Requirements do)")
		}
	}
	// Policy constraints (4.2.1.11).
	if pc := ci.policyConstraint; pc != nil {
		if c.RequireExplicitPolicy == 0 && !c.RequireExplicitPolicyZero && c.InhibitPolicyMapping == 0 && !c.InhibitPolicyMappingZero {
			add("rfc5280.pc-empty", "its policy constraints are an empty sequence; RFC 5280 4.2.1.11 forbids it")
		}
		if !pc.Critical && (anchor || v.webpki) {
			rule := "rfc5280.pc-not-critical"
			if !anchor {
				rule = "webpki.pc-not-critical"
			}
			add(rule, "its policy constraints are not marked critical (RFC 5280 4.2.1.11)")
		}
	}
	// Extended key usage (4.2.1.12): SIZE (1..MAX).
	if eku := findExt(c, oidExtExtKeyUsage); eku != nil && emptySequence(eku.Value) {
		add("rfc5280.eku-empty", "its extended key usage extension lists no usage; RFC 5280 4.2.1.12 requires at least one")
	}
	// Subject alternative names (4.2.1.6).
	for _, g := range ci.sans {
		switch g.Form {
		case pkixname.DNSName:
			if why := pkixname.DNSSyntax(string(g.Raw)); why != "" {
				add("rfc5280.san-dns-invalid", "its dNSName %q is not a host name (%s; RFC 5280 4.2.1.6)", string(g.Raw), why)
			}
		case pkixname.RFC822Name:
			if why := pkixname.MailboxSyntax(string(g.Raw)); why != "" {
				add("rfc5280.san-email-invalid", "its rfc822Name %q is not a mailbox (%s; RFC 5280 4.2.1.6)", string(g.Raw), why)
			}
		case pkixname.IPAddress:
			if len(g.Raw) != net.IPv4len && len(g.Raw) != net.IPv6len {
				add("rfc5280.san-ip-invalid", "its iPAddress is %d octets; RFC 5280 4.2.1.6 requires 4 or 16", len(g.Raw))
			}
		}
	}
	// Keys.
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		if bits := k.N.BitLen(); bits < 2048 {
			add("signet.rsa-key-too-small", "its RSA key has %d bits; signet requires at least 2048", bits)
		} else if bits%8 != 0 {
			add("signet.rsa-key-size", "its RSA modulus is %d bits, not a multiple of 8 (as the Baseline Requirements 6.1.5 require)", bits)
		}
	case *ecdsa.PublicKey:
	default:
		if c.PublicKeyAlgorithm == x509.DSA {
			add("signet.dsa-key", "it has a DSA key, which signet does not accept (nor do the Baseline Requirements)")
		} else if k == nil {
			add("signet.unsupported-key", "its public key algorithm is not supported")
		}
	}
	if v.webpki {
		out = append(out, v.lintWebPKI(ci, leaf, anchor, isCA, keyID, issuerName, serial)...)
	}
	return out
}

// lintWebPKI applies the Baseline Requirements for TLS server certificates.
func (v *verifier) lintWebPKI(ci *certInfo, leaf, anchor, isCA bool, akiKeyID, akiIssuer []byte, akiSerial bool) []finding {
	c := ci.c
	var out []finding
	add := func(rule, format string, args ...any) {
		out = append(out, finding{rule, fmt.Sprintf(format, args...)})
	}
	// Keys (6.1.5, 6.1.6): RSA, or ECDSA on P-256, P-384 or P-521, in every certificate of
	// the path; signet refuses DSA and small RSA keys in every profile (lint).
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		if k.E < 3 || k.E%2 == 0 {
			add("webpki.rsa-exponent", "its RSA public exponent is %d; the Baseline Requirements (6.1.6) require an odd number of 3 or more", k.E)
		}
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() && k.Curve != elliptic.P384() && k.Curve != elliptic.P521() {
			add("webpki.key-algorithm", "its key is ECDSA on %s; the Baseline Requirements (6.1.5) allow the curves P-256, P-384 and P-521", k.Curve.Params().Name)
		}
	default:
		if k != nil && c.PublicKeyAlgorithm != x509.DSA {
			add("webpki.key-algorithm", "its key is %s; the Baseline Requirements (6.1.5) allow RSA and ECDSA keys only", c.PublicKeyAlgorithm)
		}
	}
	eku := findExt(c, oidExtExtKeyUsage)
	switch {
	case anchor && ci.selfIssued:
		if eku != nil {
			add("webpki.root-eku", "it is a root with an extended key usage extension (Baseline Requirements 7.1.2.1.2)")
		}
		if aki := findExt(c, oidExtAuthorityKeyID); aki != nil {
			switch {
			case len(akiIssuer) > 0 || akiSerial:
				add("webpki.root-aki", "it is a root whose authority key identifier holds more than a keyIdentifier (Baseline Requirements 7.1.2.1.3)")
			case len(akiKeyID) == 0:
				add("webpki.root-aki", "it is a root whose authority key identifier has no keyIdentifier (Baseline Requirements 7.1.2.1.3)")
			case string(akiKeyID) != string(c.SubjectKeyId):
				add("webpki.root-aki", "it is a root whose authority key identifier differs from its subject key identifier (Baseline Requirements 7.1.2.1.3)")
			}
		}
	case isCA && !leaf:
		if eku != nil {
			for _, o := range certEKUs(c) {
				if !o.Equal(ekuOID(x509.ExtKeyUsageServerAuth)) && !o.Equal(ekuOID(x509.ExtKeyUsageClientAuth)) {
					add("webpki.ca-eku", "it is a CA whose extended key usage includes %s; a TLS CA may assert only serverAuth and clientAuth (Baseline Requirements 7.1.2.10.6)", ekuName(o))
					break
				}
			}
		}
	}
	if !leaf {
		return out
	}
	if isCA {
		add("webpki.leaf-is-ca", "it is a CA certificate (basic constraints cA=TRUE), not a subscriber certificate (Baseline Requirements 7.1.2.7.8)")
	}
	// Key usage (7.1.2.7.11; RFC 5280 4.2.1.12, RFC 8446 4.4.2.2): a key usage that does not
	// let a TLS server use its key -- to sign the handshake (ECDSA, and RSA in TLS 1.3 and
	// ECDHE), or to decrypt the premaster secret (RSA key transport) -- makes the certificate
	// useless to a TLS server. An empty key usage is rfc5280.ku-empty, a CA's is judged by
	// webpki.leaf-is-ca.
	if findExt(c, oidExtKeyUsage) != nil && c.KeyUsage != 0 && !isCA {
		need, names := x509.KeyUsageDigitalSignature, "digitalSignature"
		if _, ok := c.PublicKey.(*rsa.PublicKey); ok {
			need, names = need|x509.KeyUsageKeyEncipherment, "digitalSignature or keyEncipherment"
		}
		if c.KeyUsage&need == 0 {
			add("webpki.leaf-key-usage", "its key usage (%s) lacks %s, without which a TLS server cannot use its %s key (Baseline Requirements 7.1.2.7.11)",
				strings.Join(KeyUsageNames(c.KeyUsage), ", "), names, c.PublicKeyAlgorithm)
		}
	}
	if eku != nil && eku.Critical {
		add("webpki.leaf-eku-critical", "its extended key usage is marked critical (Baseline Requirements 7.1.2.7.10)")
	}
	for _, o := range certEKUs(c) {
		if slices.ContainsFunc(leafEKUForbidden, o.Equal) {
			add("webpki.leaf-eku-forbidden", "its extended key usage includes %s, which a TLS server certificate must not assert (Baseline Requirements 7.1.2.7.10)", ekuName(o))
			break
		}
	}
	san := findExt(c, oidExtSubjectAltName)
	switch {
	case san == nil:
		add("webpki.leaf-san-missing", "it has no subjectAltName; the Baseline Requirements (7.1.2.7.12) name a server only there")
	case san.Critical && !isEmptyName(c.RawSubject):
		add("webpki.san-critical-with-subject", "its subjectAltName is critical although its subject is not empty (Baseline Requirements 7.1.2.7.12)")
	}
	for _, g := range ci.sans {
		if g.Form != pkixname.DNSName {
			continue
		}
		if strings.HasSuffix(string(g.Raw), ".") {
			add("webpki.san-dns-root-label", "its dNSName %q ends with the root zone's empty label, which Baseline Requirements 7.1.2.7.12 forbid", string(g.Raw))
		}
		name := strings.ToLower(strings.TrimSuffix(string(g.Raw), "."))
		// A wildcard over a suffix of the list's private section (s3.amazonaws.com, github.io)
		// is its owner's to hold (Baseline Requirements 3.2.2.6: "unless the Applicant proves
		// its rightful control of the entire Domain Namespace"), as Amazon's and Google's
		// certificates hold theirs: the certificate stands, and host matching never uses the
		// wildcard (webpki.wildcard-public-suffix-match, names.go).
		if rest, ok := strings.CutPrefix(name, "*."); ok {
			if over, icann := wildcardOverSuffix(name); over && icann {
				add("webpki.wildcard-public-suffix", "its dNSName %q is a wildcard over the public suffix %q (Baseline Requirements 3.2.2.6)", string(g.Raw), rest)
			}
		} else if ps, icann := publicsuffix.PublicSuffix(name); icann && ps == name {
			add("webpki.san-public-suffix", "its dNSName %q is a public suffix of the ICANN section, which no applicant can be validated for (Baseline Requirements 3.2.2.4, 7.1.2.7.12)", string(g.Raw))
		}
	}
	if f := cnNotInSAN(ci); f != "" {
		add("webpki.cn-not-in-san", "%s", f)
	}
	return out
}

// leafEKUForbidden are the extended key usages Baseline Requirements 7.1.2.7.10 forbids in a
// TLS server certificate besides anyExtendedKeyUsage (signet.eku-any): code signing, email
// protection, time stamping, OCSP signing and Certificate Transparency precertificate signing.
var leafEKUForbidden = []asn1.ObjectIdentifier{
	ekuOID(x509.ExtKeyUsageCodeSigning),
	ekuOID(x509.ExtKeyUsageEmailProtection),
	ekuOID(x509.ExtKeyUsageTimeStamping),
	ekuOID(x509.ExtKeyUsageOCSPSigning),
	{1, 3, 6, 1, 4, 1, 11129, 2, 4, 4},
}

// cnNotInSAN applies Baseline Requirements 7.1.4.3: a subject commonName must be a copy of a
// SAN value, an IP address in its canonical text (dotted decimal, RFC 5952), a domain name in
// the same case and with P-labels, never U-labels. A CN that names no SAN value at all is
// refused when it is a host name outside every dNSName's domain; a CN that is a parent domain
// of a SAN dNSName, or a host name beside IP-only SANs, is tolerated, as browsers tolerate it.
func cnNotInSAN(ci *certInfo) string {
	cns := ci.subject.Values(asn1.ObjectIdentifier{2, 5, 4, 3})
	switch {
	case len(cns) == 0:
		return ""
	case len(cns) > 1:
		return fmt.Sprintf("its subject has %d common names; the Baseline Requirements allow one, a copy of a SAN", len(cns))
	}
	var dns, ips []string
	for _, g := range ci.sans {
		switch g.Form {
		case pkixname.DNSName:
			dns = append(dns, string(g.Raw))
		case pkixname.IPAddress:
			if len(g.Raw) == 4 || len(g.Raw) == 16 {
				ips = append(ips, net.IP(g.Raw).String())
			}
		}
	}
	for _, cn := range cns {
		if contains(dns, cn) || contains(ips, cn) {
			continue
		}
		if ip := parseLooseIP(cn); ip != nil {
			return fmt.Sprintf("its subject CN %q is an IP address not written as the canonical text of a SAN iPAddress (%s)", cn, listOrNone(ips))
		}
		for _, d := range dns {
			if strings.EqualFold(d, cn) {
				return fmt.Sprintf("its subject CN %q differs in case from the SAN %q; the Baseline Requirements want a copy", cn, d)
			}
		}
		ascii := true
		for _, r := range cn {
			if r >= 0x80 {
				ascii = false
			}
		}
		if !ascii {
			a, _ := idna.Lookup.ToASCII(cn)
			return fmt.Sprintf("its subject CN %q holds Unicode labels; the Baseline Requirements want the P-label form of a SAN (%s)", cn, a)
		}
		lc := strings.ToLower(cn)
		if strings.HasPrefix(lc, "xn--") || strings.Contains(lc, ".xn--") {
			return fmt.Sprintf("its subject CN %q is an IDN not among the SAN dNSNames (%s)", cn, listOrNone(escapeAll(dns)))
		}
		if pkixname.DNSSyntax(cn) != "" || len(dns) == 0 {
			continue
		}
		parent := false
		for _, d := range dns {
			d = strings.ToLower(strings.TrimPrefix(d, "*."))
			if d == lc || strings.HasSuffix(d, "."+lc) {
				parent = true
			}
		}
		if !parent {
			return fmt.Sprintf("its subject CN %q is not among its SAN dNSNames (%s)", cn, listOrNone(escapeAll(dns)))
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// parseLooseIP reads an IP address in any notation an attacker or a careless CA may write:
// IPv6 in any case or compression, IPv4 dotted with leading zeros, hexadecimal or octal parts,
// or fewer than four parts (inet_aton). It returns nil for anything else.
func parseLooseIP(s string) net.IP {
	if ip := net.ParseIP(s); ip != nil {
		return ip
	}
	parts := strings.Split(s, ".")
	if len(parts) == 0 || len(parts) > 4 {
		return nil
	}
	var vals []uint64
	for _, p := range parts {
		if p == "" {
			return nil
		}
		base := 10
		digits := p
		switch {
		case strings.HasPrefix(strings.ToLower(p), "0x"):
			base, digits = 16, p[2:]
		case len(p) > 1 && p[0] == '0':
			base, digits = 8, p[1:]
		}
		var n uint64
		if digits == "" && base == 16 {
			return nil
		}
		for _, ch := range strings.ToLower(digits) {
			var d uint64
			switch {
			case ch >= '0' && ch <= '9':
				d = uint64(ch - '0')
			case ch >= 'a' && ch <= 'f':
				d = uint64(ch-'a') + 10
			default:
				return nil
			}
			if d >= uint64(base) {
				if base == 8 && d < 10 {
					// "001" style leading zeros with decimal digits: still an address.
					base = 10
				} else {
					return nil
				}
			}
			n = n*uint64(base) + d
			if n > 1<<32 {
				return nil
			}
		}
		vals = append(vals, n)
	}
	if len(vals) == 1 && len(parts[0]) < 3 {
		return nil // a bare small number is not an address worth flagging
	}
	var addr uint64
	for i, val := range vals {
		if i < len(vals)-1 {
			if val > 255 {
				return nil
			}
			addr |= val << (8 * (3 - uint(i)))
		} else {
			if val >= 1<<(8*(4-uint(i))) {
				return nil
			}
			addr |= val
		}
	}
	return net.IPv4(byte(addr>>24), byte(addr>>16), byte(addr>>8), byte(addr))
}

// parseAKI reads an authority key identifier extension: keyIdentifier, whether
// authorityCertIssuer is present (its content), and whether a serial is present.
func parseAKI(ext *pkix.Extension) (keyID, issuer []byte, serial, ok bool) {
	if ext == nil {
		return nil, nil, false, true
	}
	s := cryptobyte.String(ext.Value)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, nil, false, false
	}
	var kid, iss, ser cryptobyte.String
	var hasKID, hasIss, hasSer bool
	if !seq.ReadOptionalASN1(&kid, &hasKID, cbasn1.Tag(0).ContextSpecific()) ||
		!seq.ReadOptionalASN1(&iss, &hasIss, cbasn1.Tag(1).ContextSpecific().Constructed()) ||
		!seq.ReadOptionalASN1(&ser, &hasSer, cbasn1.Tag(2).ContextSpecific()) || !seq.Empty() {
		return nil, nil, false, false
	}
	if hasIss != hasSer {
		return kid, iss, hasSer, false // RFC 5280 4.2.1.1: both or neither
	}
	return kid, iss, hasSer, true
}

// validityEncoding checks the two times of a TBSCertificate's validity as RFC 5280 4.1.2.5
// requires them (timeEncoding). It returns what is wrong, or "" (also for a TBSCertificate it
// cannot read: crypto/x509 parsed it, and other rules judge its parts).
func validityEncoding(tbs []byte) string {
	s := cryptobyte.String(tbs)
	var body, validity cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) ||
		!body.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!body.SkipASN1(cbasn1.INTEGER) || !body.SkipASN1(cbasn1.SEQUENCE) || !body.SkipASN1(cbasn1.SEQUENCE) ||
		!body.ReadASN1(&validity, cbasn1.SEQUENCE) {
		return ""
	}
	for _, field := range []string{"notBefore", "notAfter"} {
		if why := timeEncoding(&validity, field); why != "" {
			return why
		}
	}
	return ""
}

// timeEncoding reads one Time (UTCTime or GeneralizedTime) from s and checks it as RFC 5280
// 4.1.2.5.1 and 4.1.2.5.2 require (for CRLs too, 5.1.2.4 to 5.1.2.6): a UTCTime is
// YYMMDDHHMMSSZ and a GeneralizedTime YYYYMMDDHHMMSSZ, in Greenwich Mean Time (Zulu), with
// seconds and without fractions. It returns what is wrong with the field, or "" (also when s
// holds no Time: the caller's parser judges that).
func timeEncoding(s *cryptobyte.String, field string) string {
	var t cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&t, &tag) {
		return ""
	}
	var want int
	var form string
	switch tag {
	case cbasn1.UTCTime:
		want, form = 13, "UTCTime YYMMDDHHMMSSZ"
	case cbasn1.GeneralizedTime:
		want, form = 15, "GeneralizedTime YYYYMMDDHHMMSSZ"
	default:
		return ""
	}
	ok := len(t) == want && t[want-1] == 'Z'
	for _, ch := range t[:max(len(t)-1, 0)] {
		ok = ok && ch >= '0' && ch <= '9'
	}
	if !ok {
		return fmt.Sprintf("%s is %q; RFC 5280 requires %s (Zulu, with seconds)", field, string(t), form)
	}
	return ""
}

func emptySequence(der []byte) bool {
	s := cryptobyte.String(der)
	var seq cryptobyte.String
	return s.ReadASN1(&seq, cbasn1.SEQUENCE) && s.Empty() && seq.Empty()
}

// escapeAll escapes names for printing.
func escapeAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = pkixname.EscapeText(n)
	}
	return out
}
