package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/signet-pki/signet/internal/pkixname"
	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/x509util"
)

// The seeded differential campaign of `signet cert inspect` (certificates, CRLs and CSRs)
// against `openssl x509|crl|req -text -noout -nameopt RFC2253` (the generator is
// ci_gen_test.go). Each seed writes its three objects, runs signet in process (--json and
// text) and openssl, reads openssl's text into fields, and holds signet to them:
//
//   - what openssl refuses signet refuses too (exit 3, one line naming the file), and what
//     openssl reads signet reads;
//   - names (subject, issuer, a CSR's subject, a CRL's issuer) are the same attributes with
//     the same values in the same RDNs, once both escapes are undone (openssl -nameopt
//     RFC2253 writes every byte above 0x7F as \XX, signet only unsafe characters);
//   - serial, validity dates, key algorithm, size and curve, signature algorithm;
//   - every extension openssl shows, in order, with its criticality;
//   - the contents of the extensions signet takes apart: SANs of every form, key usage,
//     extended key usage, basic constraints, name constraints, key identifiers, CRL
//     distribution point URIs, AIA; a CRL's number and entries (serial, date, reason, invalidity date, certificate
//     issuer); a CSR's signature, its requested extensions in the same fields and held to
//     the same lines as a certificate's, and its attributes (a challengePassword by its
//     presence);
//   - the text output: never a raw control, bidirectional or non-UTF-8 character, and the
//     names and SANs of --json in it.
//
// The differences explained (each outcome is tallied):
//
//   - openssl's X509_NAME refuses a UTF8String that is not UTF-8, a VisibleString and a
//     value that is no string (ciOpenSSLRefusalExplained2); signet shows the object, such a
//     value as # and the hex of its DER (a VisibleString as text);
//   - a value not valid in its string type (a PrintableString with bytes above 0x7F) signet
//     shows as # and hex, openssl as Latin-1 text: the same bytes (ciSameDN);
//   - openssl dumps the bytes of an extension it cannot decode (a name in it it refuses):
//     its contents are then not compared (ciDumped, ciAKIDecoded);
//   - openssl writes a SAN's directoryName as X509_NAME_oneline does: a BMPString,
//     UniversalString or TeletexString value as its raw bytes, no more than 255 bytes of it;
//     such a name is compared by its printable ASCII (ciDiffSANs), and by count where the
//     object holds a BMPString or UniversalString;
//   - openssl prints a URI's control characters raw, in a distribution point as '.' but a
//     carriage return (ciAsPrinted);
//   - signet carries an indirect CRL's certificateIssuer to the entries after it (RFC 5280
//     5.3.3); openssl shows it on its entry only;
//   - signet never prints a CSR's challengePassword (a secret), which openssl shows;
//   - a CSR that requests an extension twice, or one signet takes apart whose value does not
//     parse, openssl shows (both, or the value's bytes) and signet refuses, naming it
//     (ciRefusalExplained): what the CSR asks for is not shown in part;
//   - openssl 3.0 writes a BMPString DisplayText (a user notice's organization or explicit
//     text) as its raw bytes, which the first NUL ends: such an empty text of openssl's is
//     compared by presence; and it writes an AKI's serial as its magnitude, a negative one
//     without its sign (xi_ci_test.go);
//   - policies, policy mappings and constraints, inhibitAnyPolicy, issuer alternative names,
//     subject information access, SCTs, an AKI's issuer and serial, freshest CRL, a CRL's IDP
//     and delta CRL indicator are compared to openssl's lines of them (xi_ci_test.go), a
//     directoryName in them by its presence; a distribution point's reasons, CRL issuer and
//     relative name, which signet does not take apart, by presence, order and criticality
//     only.
//
// CI runs ciCI seeds (ciCIRace under -race); CI_SEEDS=first:count runs others.

const (
	ciCI     = 150
	ciCIRace = 50
)

// ciOpenSSLExtNames maps the headers of openssl -text to OIDs.
var ciOpenSSLExtNames = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"X509v3 Subject Key Identifier":       "2.5.29.14",
		"X509v3 Key Usage":                    "2.5.29.15",
		"X509v3 Subject Alternative Name":     "2.5.29.17",
		"X509v3 Issuer Alternative Name":      "2.5.29.18",
		"X509v3 Basic Constraints":            "2.5.29.19",
		"X509v3 CRL Number":                   "2.5.29.20",
		"X509v3 CRL Reason Code":              "2.5.29.21",
		"Invalidity Date":                     "2.5.29.24",
		"X509v3 Delta CRL Indicator":          "2.5.29.27",
		"X509v3 Issuing Distribution Point":   "2.5.29.28",
		"X509v3 Certificate Issuer":           "2.5.29.29",
		"X509v3 Name Constraints":             "2.5.29.30",
		"X509v3 CRL Distribution Points":      "2.5.29.31",
		"X509v3 Certificate Policies":         "2.5.29.32",
		"X509v3 Policy Mappings":              "2.5.29.33",
		"X509v3 Authority Key Identifier":     "2.5.29.35",
		"X509v3 Policy Constraints":           "2.5.29.36",
		"X509v3 Extended Key Usage":           "2.5.29.37",
		"X509v3 Freshest CRL":                 "2.5.29.46",
		"X509v3 Inhibit Any Policy":           "2.5.29.54",
		"Authority Information Access":        "1.3.6.1.5.5.7.1.1",
		"Subject Information Access":          "1.3.6.1.5.5.7.1.11",
		"OCSP No Check":                       "1.3.6.1.5.5.7.48.1.5",
		"CT Precertificate SCTs":              "1.3.6.1.4.1.11129.2.4.2",
		"CT Precertificate Poison":            "1.3.6.1.4.1.11129.2.4.3",
		"X509v3 Subject Directory Attributes": "2.5.29.9",
	}
})

var ciKUNames = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"Digital Signature": "digitalSignature", "Non Repudiation": "nonRepudiation",
		"Key Encipherment": "keyEncipherment", "Data Encipherment": "dataEncipherment",
		"Key Agreement": "keyAgreement", "Certificate Sign": "keyCertSign", "CRL Sign": "cRLSign",
		"Encipher Only": "encipherOnly", "Decipher Only": "decipherOnly",
	}
})

var ciEKUNames = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"TLS Web Server Authentication": "1.3.6.1.5.5.7.3.1", "TLS Web Client Authentication": "1.3.6.1.5.5.7.3.2",
		"Code Signing": "1.3.6.1.5.5.7.3.3", "E-mail Protection": "1.3.6.1.5.5.7.3.4",
		"Time Stamping": "1.3.6.1.5.5.7.3.8", "OCSP Signing": "1.3.6.1.5.5.7.3.9",
		"Any Extended Key Usage": "2.5.29.37.0", "Microsoft Server Gated Crypto": "1.3.6.1.4.1.311.10.3.3",
	}
})

var ciReasonNames = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"Unspecified": "unspecified", "Key Compromise": "keyCompromise", "CA Compromise": "cACompromise",
		"Affiliation Changed": "affiliationChanged", "Superseded": "superseded",
		"Cessation Of Operation": "cessationOfOperation", "Certificate Hold": "certificateHold",
		"Remove From CRL": "removeFromCRL", "Privilege Withdrawn": "privilegeWithdrawn", "AA Compromise": "aACompromise",
	}
})

var ciSigAlgs = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"ecdsa-with-SHA256": "ECDSA-SHA256", "sha256WithRSAEncryption": "SHA256-RSA", "ED25519": "Ed25519",
	}
})

// ciExt is an extension as openssl shows it: header and body lines.
type ciOExt struct {
	oid      string
	critical bool
	body     []string
}

// ciOpenSSL is what openssl -text showed of one object.
type ciOpenSSL struct {
	refused   bool
	stderr    string
	fields    map[string]string // "Serial Number", "Issuer", "Subject", ...
	serialHex string            // the serial's hex, "-" before a negative one
	keyBits   int
	keyAlg    string
	curve     string
	exts      []ciOExt
	revoked   []ciORevoked
	// attrs are a CSR's attributes as openssl lists them ("unstructuredName :Example"),
	// each line trimmed, a further value's line (" :y") joined to its attribute's
	attrs []string
}

type ciORevoked struct {
	serial string
	date   string
	exts   []ciOExt
}

func ciIndent(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }

// ciParseExts reads extension headers at indentation ind and their bodies below.
func ciParseExts(lines []string, ind int) ([]ciOExt, []string) {
	var out []ciOExt
	i := 0
	for ; i < len(lines); i++ {
		l := lines[i]
		if ciIndent(l) == ind && strings.TrimSpace(l) != "" {
			h := strings.TrimSpace(l)
			crit := strings.HasSuffix(h, ": critical")
			h = strings.TrimSuffix(strings.TrimSuffix(h, " critical"), ":")
			oid, ok := ciOpenSSLExtNames()[h]
			if !ok {
				if _, isOID := x509util.ParseDottedOID(h); !isOID {
					break
				}
				oid = h
			}
			out = append(out, ciOExt{oid: oid, critical: crit})
			continue
		}
		if len(out) == 0 || ciIndent(l) < ind && ciSectionEnd(strings.TrimSpace(l)) {
			break
		}
		out[len(out)-1].body = append(out[len(out)-1].body, l)
	}
	return out, lines[i:]
}

// ciSectionEnd reports whether a line less indented than extensions ends them (a raw newline
// in a name openssl prints starts a line with no indentation, which does not).
func ciSectionEnd(l string) bool {
	for _, p := range []string{"Signature Algorithm:", "Signature Value:", "Revoked Certificates:", "No Revoked Certificates.",
		"Attributes:", "Serial Number:", "Subject Public Key Info:", "Subject:", "Requested Extensions:"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

func ciRunOpenSSL(t *testing.T, kind, file string) ciOpenSSL {
	t.Helper()
	cmd := map[string]string{"certificate": "x509", "crl": "crl", "csr": "req"}[kind]
	stdout, stderr, err := testutil.RunErr(testutil.RequireTool(t, "openssl"), cmd, "-inform", "DER", "-in", file,
		"-noout", "-text", "-nameopt", "RFC2253")
	o := ciOpenSSL{fields: map[string]string{}, stderr: string(stderr)}
	if err != nil {
		o.refused = true
		return o
	}
	lines := strings.Split(string(stdout), "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		tl := strings.TrimSpace(l)
		k, v, _ := strings.Cut(tl, ":")
		switch {
		case k == "Serial Number" && kind == "certificate":
			v = strings.TrimSpace(v)
			if v == "" || v == "(Negative)" {
				neg := v == "(Negative)"
				i++
				h := strings.ReplaceAll(strings.TrimSpace(lines[i]), ":", "")
				if strings.HasPrefix(h, "(Negative)") {
					neg, h = true, strings.TrimPrefix(h, "(Negative)")
				}
				n, _ := new(big.Int).SetString(h, 16)
				if neg {
					n.Neg(n)
				}
				o.serialHex = x509util.FormatSerial(n)
			} else {
				d, _, _ := strings.Cut(v, " ")
				n, _ := new(big.Int).SetString(d, 10)
				o.serialHex = x509util.FormatSerial(n)
			}
		case k == "Issuer" || k == "Subject":
			o.fields[k] = strings.TrimPrefix(strings.TrimPrefix(l, strings.Repeat(" ", ciIndent(l))+k+":"), " ")
		case k == "Not Before" || k == "Not After " || k == "Last Update" || k == "Next Update":
			o.fields[strings.TrimSpace(k)] = strings.TrimSpace(v)
		case k == "Signature Algorithm" && o.fields["Signature Algorithm"] == "":
			o.fields[k] = strings.TrimSpace(v)
		case k == "ASN1 OID" && o.curve == "":
			o.curve = strings.TrimSpace(v)
		case k == "Public Key Algorithm":
			o.keyAlg = strings.TrimSpace(v)
		case strings.Contains(tl, "Public-Key: (") && o.keyBits == 0:
			_, b, _ := strings.Cut(tl, "(")
			o.keyBits, _ = strconv.Atoi(strings.TrimSuffix(b, " bit)"))
		case tl == "Attributes:" && kind == "csr":
			for i+1 < len(lines) && ciIndent(lines[i+1]) > ciIndent(l) {
				a := strings.TrimSpace(lines[i+1])
				if a == "Requested Extensions:" {
					break
				}
				i++
				switch {
				case a == "(none)" || a == "a0:00":
				case strings.HasPrefix(a, ":") && len(o.attrs) > 0:
					o.attrs[len(o.attrs)-1] += "|" + strings.TrimPrefix(a, ":")
				default:
					o.attrs = append(o.attrs, a)
				}
			}
		case tl == "X509v3 extensions:" || tl == "CRL extensions:" || tl == "Requested Extensions:":
			var rest []string
			o.exts, rest = ciParseExts(lines[i+1:], ciIndent(l)+4)
			i = len(lines) - len(rest) - 1
		case k == "Serial Number" && kind == "crl":
			r := ciORevoked{serial: strings.ToLower(strings.TrimSpace(v))}
			for i+1 < len(lines) && ciIndent(lines[i+1]) > ciIndent(l) {
				i++
				tl2 := strings.TrimSpace(lines[i])
				if d, ok := strings.CutPrefix(tl2, "Revocation Date: "); ok {
					r.date = d
				}
				if tl2 == "CRL entry extensions:" {
					var rest []string
					r.exts, rest = ciParseExts(lines[i+1:], ciIndent(lines[i])+4)
					i = len(lines) - len(rest) - 1
				}
			}
			o.revoked = append(o.revoked, r)
		}
	}
	return o
}

// ciRDN is a name as a list of RDNs of "type=value" with every escape undone.
func ciParseDN(s string, oneline bool) [][]string {
	var rdns [][]string
	var cur []string
	var b []byte
	quoted := false
	flush := func() { cur = append(cur, string(b)); b = nil }
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+2 < len(s)+0 && i+2 <= len(s)-1 && ciIsHex(s[i+1]) && ciIsHex(s[i+2]):
			v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b = append(b, byte(v))
			i += 2
		case c == '\\' && i+1 < len(s):
			b = append(b, s[i+1])
			i++
		case c == '"' && oneline:
			quoted = !quoted
		case quoted:
			b = append(b, c)
		case c == '+' || c == ',':
			flush()
			if c == ',' {
				rdns = append(rdns, cur)
				cur = nil
			}
			if oneline && i+1 < len(s) && s[i+1] == ' ' {
				i++
			}
		case oneline && c == ' ' && (strings.HasPrefix(s[i:], " = ") || strings.HasPrefix(s[i:], " + ")):
			// " = " and " + " of XN_FLAG_ONELINE
			if s[i+1] == '=' {
				b = append(b, '=')
			} else {
				flush()
			}
			i += 2
		default:
			b = append(b, c)
		}
	}
	if len(b) > 0 || len(cur) > 0 {
		flush()
		rdns = append(rdns, cur)
	}
	return rdns
}

// ciSameDN compares openssl's name (o) with signet's (s), attribute by attribute. Where
// signet shows # and hex for a value that is not valid in its string type (a PrintableString
// or IA5String with bytes above 0x7F: RFC 4514's form for a value it cannot write as text),
// openssl writes its bytes as Latin-1 text: the two agree when the bytes do.
func ciSameDN(o, s [][]string) bool {
	if len(o) != len(s) {
		return false
	}
	for i := range o {
		if len(o[i]) != len(s[i]) {
			return false
		}
		for j := range o[i] {
			if o[i][j] == s[i][j] {
				continue
			}
			ot, ov, _ := strings.Cut(o[i][j], "=")
			st, sv, _ := strings.Cut(s[i][j], "=")
			der, err := hex.DecodeString(strings.TrimPrefix(sv, "#"))
			if ot != st || !strings.HasPrefix(sv, "#") || err != nil || len(der) < 2 {
				return false
			}
			var text []rune
			for _, b := range der[2:] {
				text = append(text, rune(b))
			}
			if der[0] == 0x0c || string(text) != ov {
				return false
			}
		}
	}
	return true
}

func ciIsHex(c byte) bool { return strings.IndexByte("0123456789abcdefABCDEF", c) >= 0 }

// ciUnescape undoes signet's escapes of a SAN or URL: \\ and \XX.
func ciUnescape(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && s[i+1] == '\\' {
			b = append(b, '\\')
			i++
		} else if s[i] == '\\' && i+2 < len(s) && ciIsHex(s[i+1]) && ciIsHex(s[i+2]) {
			v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b = append(b, byte(v))
			i += 2
		} else {
			b = append(b, s[i])
		}
	}
	return string(b)
}

func ciOpenSSLTime(s string) time.Time {
	t, err := time.Parse("Jan _2 15:04:05 2006 GMT", s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// ciCheckText holds signet's text output to its rules: no raw unsafe character, and every
// want in it.
func ciCheckText(text string, want ...string) []string {
	var bad []string
	for k := 0; k < len(text); {
		r, size := utf8.DecodeRuneInString(text[k:])
		if r != '\n' && pkixname.UnsafeRune(r, size) {
			bad = append(bad, fmt.Sprintf("text output holds raw %q at %d", text[k:k+size], k))
			break
		}
		k += size
	}
	for _, w := range want {
		if w != "" && !strings.Contains(text, w) {
			bad = append(bad, fmt.Sprintf("text output lacks %q", w))
		}
	}
	return bad
}

func ciJoinDN(rdns [][]string) string {
	var s []string
	for _, r := range rdns {
		s = append(s, strings.Join(r, "+"))
	}
	return fmt.Sprintf("%q", s)
}

// ciCompareExts holds signet's extension list to openssl's.
func ciCompareExts(o []ciOExt, s []x509util.ExtensionInfo) []string {
	var bad []string
	if len(o) != len(s) {
		return []string{fmt.Sprintf("extensions: openssl shows %d, signet %d", len(o), len(s))}
	}
	for i := range o {
		if o[i].oid != s[i].OID || o[i].critical != s[i].Critical {
			bad = append(bad, fmt.Sprintf("extension %d: openssl %s critical=%v, signet %s critical=%v", i, o[i].oid, o[i].critical, s[i].OID, s[i].Critical))
		}
	}
	return bad
}

func ciExtBody(exts []ciOExt, oid string) ([]string, bool) {
	for _, e := range exts {
		if e.oid == oid {
			return e.body, true
		}
	}
	return nil, false
}

// ciSANs reads openssl's GeneralNames line: "DNS:a, IP Address:1.2.3.4, ...".
func ciSANs(body []string) map[string][]string {
	out := map[string][]string{}
	line := strings.Trim(strings.Join(body, "\n"), " ")
	for _, part := range strings.Split(line, ", ") {
		k, v, _ := strings.Cut(part, ":")
		if k == "IP Address" {
			if ip := net.ParseIP(v); ip != nil {
				v = ip.String()
			}
		}
		out[k] = append(out[k], v)
	}
	return out
}

// ciDumped reports whether openssl dumped the bytes of a GeneralNames extension it could not
// decode (a name value not valid in its string type, which openssl refuses) instead of
// writing its names. The campaign then checks signet's names only against the text rules.
func ciDumped(body []string) bool {
	for _, p := range []string{"DNS:", "IP Address:", "email:", "URI:", "DirName:", "othername:", "Registered ID:"} {
		if strings.Contains(strings.Join(body, "\n"), p) {
			return false
		}
	}
	return true
}

// ciAsPrinted is signet's URIs as openssl prints them in a line of -text: a newline ends the
// line (the campaign's URIs have one only at their end), and in a distribution point (dots)
// a control character but a carriage return is a '.'.
func ciAsPrinted(uris []string, dots bool) []string {
	out := ciUnescapeAll(uris)
	for i := range out {
		out[i] = strings.Map(func(r rune) rune {
			switch {
			case r == '\n':
				return -1
			case dots && r != '\r' && (r < 0x20 || r == 0x7f):
				return '.'
			}
			return r
		}, out[i])
	}
	return out
}

// ciAKIDecoded reports whether openssl decoded an authority key identifier (a line of
// colon-separated hex), rather than dumping bytes it could not decode.
func ciAKIDecoded(body []string) bool {
	for _, l := range body {
		l = strings.TrimPrefix(strings.TrimSpace(l), "keyid:")
		if len(l) >= 5 && strings.Trim(l, "0123456789ABCDEF:") == "" {
			return true
		}
	}
	return false
}

func ciSame(a, b []string) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return slices.Equal(a, b)
}

func ciUnescapeAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = ciUnescape(x)
	}
	return out
}

// ciDiffCert compares signet's description of a certificate with openssl's.
func ciDiffCert(o ciOpenSSL, c *x509util.CertificateInfo) []string {
	var bad []string
	for _, f := range []struct{ name, s string }{{"Subject", c.Subject}, {"Issuer", c.Issuer}} {
		if a, b := ciParseDN(o.fields[f.name], false), ciParseDN(f.s, false); !ciSameDN(a, b) {
			bad = append(bad, fmt.Sprintf("%s: openssl %q %s, signet %q %s", f.name, o.fields[f.name], ciJoinDN(a), f.s, ciJoinDN(b)))
		}
	}
	if o.serialHex != c.Serial {
		bad = append(bad, fmt.Sprintf("serial: openssl %s, signet %s", o.serialHex, c.Serial))
	}
	if t := ciOpenSSLTime(o.fields["Not Before"]); !t.Equal(c.NotBefore) {
		bad = append(bad, fmt.Sprintf("not before: openssl %s, signet %s", o.fields["Not Before"], c.NotBefore))
	}
	if t := ciOpenSSLTime(o.fields["Not After"]); !t.Equal(c.NotAfter) {
		bad = append(bad, fmt.Sprintf("not after: openssl %s, signet %s", o.fields["Not After"], c.NotAfter))
	}
	if s := ciSigAlgs()[o.fields["Signature Algorithm"]]; s != c.SignatureAlgorithm {
		bad = append(bad, fmt.Sprintf("signature algorithm: openssl %s, signet %s", o.fields["Signature Algorithm"], c.SignatureAlgorithm))
	}
	bad = append(bad, ciDiffKey(o, c.PublicKey)...)
	bad = append(bad, ciCompareExts(o.exts, c.Extensions)...)
	bad = append(bad, ciDiffFields(o, c.SANs, c.ExtensionFields())...)
	return bad
}

// ciDiffFields compares the extensions signet shows in fields, a certificate's or those a
// CSR requests (the same fields), with openssl's lines of them.
func ciDiffFields(o ciOpenSSL, sans x509util.SANInfo, c x509util.ExtensionFields) []string {
	var bad []string
	if body, ok := ciExtBody(o.exts, "2.5.29.17"); ok && !ciDumped(body) {
		bad = append(bad, ciDiffSANs(ciSANs(body), sans)...)
	} else if !ok && sans.Len() != 0 {
		bad = append(bad, "SANs without a SAN extension")
	}
	if body, ok := ciExtBody(o.exts, "2.5.29.15"); ok {
		var want []string
		for _, n := range strings.Split(strings.TrimSpace(strings.Join(body, "")), ", ") {
			want = append(want, ciKUNames()[n])
		}
		if !slices.Equal(want, c.KeyUsage) {
			bad = append(bad, fmt.Sprintf("key usage: openssl %q, signet %q", want, c.KeyUsage))
		}
	} else if c.KeyUsage != nil {
		bad = append(bad, "key usage without the extension")
	}
	if body, ok := ciExtBody(o.exts, "2.5.29.37"); ok {
		var want, got []string
		for _, n := range strings.Split(strings.TrimSpace(strings.Join(body, "")), ", ") {
			if oid, ok := ciEKUNames()[n]; ok {
				n = oid
			}
			want = append(want, n)
		}
		for _, n := range c.ExtKeyUsage {
			if e, ok := x509util.ExtKeyUsageByName(n); ok {
				n = e.OID.String()
			}
			got = append(got, n)
		}
		if !slices.Equal(want, got) {
			bad = append(bad, fmt.Sprintf("ext key usage: openssl %q, signet %q", want, got))
		}
	}
	if body, ok := ciExtBody(o.exts, "2.5.29.19"); ok {
		want := strings.TrimSpace(strings.Join(body, ""))
		got := "(none)"
		if b := c.BasicConstraints; b != nil {
			got = "CA:FALSE"
			if b.CA {
				got = "CA:TRUE"
			}
			if b.PathLen != nil {
				got += fmt.Sprintf(", pathlen:%d", *b.PathLen)
			}
		}
		if want != got {
			bad = append(bad, fmt.Sprintf("basic constraints: openssl %q, signet %q", want, got))
		}
	}
	if body, ok := ciExtBody(o.exts, "2.5.29.14"); ok {
		if want := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(strings.Join(body, "")), ":", "")); want != c.SubjectKeyID {
			bad = append(bad, fmt.Sprintf("subject key id: openssl %s, signet %s", want, c.SubjectKeyID))
		}
	}
	if body, ok := ciExtBody(o.exts, "2.5.29.35"); ok && ciAKIDecoded(body) {
		// (openssl dumps an extension it cannot decode: then there is no key id to compare)
		want := ""
		for _, l := range body {
			l = strings.TrimSpace(l)
			if strings.Count(l, ":") > 2 && !strings.HasPrefix(l, "DirName") && !strings.HasPrefix(l, "serial") {
				want = strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(l, "keyid:"), ":", ""))
			}
		}
		if want != c.AuthorityKeyID {
			bad = append(bad, fmt.Sprintf("authority key id: openssl %q, signet %s", body, c.AuthorityKeyID))
		}
	}
	if body, ok := ciExtBody(o.exts, "2.5.29.30"); ok && (ciHasLine(body, "Permitted:") || ciHasLine(body, "Excluded:")) {
		bad = append(bad, ciDiffNC(body, c.NameConstraints)...)
	} else if !ok && c.NameConstraints != nil {
		bad = append(bad, "name constraints without the extension")
	}
	if body, ok := ciExtBody(o.exts, "2.5.29.31"); ok && strings.Contains(strings.Join(body, ""), " Name:") {
		var want []string
		for _, l := range body {
			if u, ok := strings.CutPrefix(strings.Trim(l, " "), "URI:"); ok {
				// openssl 3.0 writes no newline between a last URI and "CRL Issuer:" or
				// "Reasons:"
				u, _, _ = strings.Cut(u, "                ")
				want = append(want, u)
			}
		}
		if got := ciAsPrinted(c.CRLDistribution, true); !ciSame(want, got) {
			bad = append(bad, fmt.Sprintf("CRL distribution points: openssl %q, signet %q", want, c.CRLDistribution))
		}
	}
	if body, ok := ciExtBody(o.exts, "1.3.6.1.5.5.7.1.1"); ok && strings.Contains(strings.Join(body, ""), " - ") {
		var ocsp, ca []string
		for _, l := range body {
			l = strings.Trim(l, " ")
			if u, ok := strings.CutPrefix(l, "OCSP - URI:"); ok {
				ocsp = append(ocsp, u)
			}
			if u, ok := strings.CutPrefix(l, "CA Issuers - URI:"); ok {
				ca = append(ca, u)
			}
		}
		if !ciSame(ocsp, ciAsPrinted(c.OCSPServers, false)) || !ciSame(ca, ciAsPrinted(c.IssuingCertURLs, false)) {
			bad = append(bad, fmt.Sprintf("AIA: openssl %q, signet %q %q", body, c.OCSPServers, c.IssuingCertURLs))
		}
	}
	bad = append(bad, ciDiffMore(o.exts, ciMore{policies: c.Policies, mappings: c.PolicyMappings, constraints: c.PolicyConstraints,
		inhibit: c.InhibitAnyPolicy, ian: c.IssuerAltNames, sia: c.SubjectInfoAccess, scts: c.SCTs, akiIssuer: c.AuthorityCertIssuer,
		akiSerial: c.AuthorityCertSerial, freshest: c.FreshestCRL})...)
	return bad
}

func ciHasLine(body []string, l string) bool {
	for _, b := range body {
		if strings.TrimSpace(b) == l {
			return true
		}
	}
	return false
}

// ciDiffNC compares name constraints as openssl lists them (its names printed as in a
// distribution point, ciAsPrinted) ("Permitted:", "Excluded:", a
// subtree a line: "DNS:a", "IP:192.0.2.0/255.255.255.0", "DirName:/CN=a") with signet's:
// the same number of subtrees each way, the same forms and, but for directoryNames (written
// as in a SAN), the same names.
func ciDiffNC(body []string, nc *x509util.NameConstraintsInfo) []string {
	if nc == nil {
		return []string{fmt.Sprintf("name constraints: openssl %q, signet none", body)}
	}
	var want [2][]string
	k := -1
	for _, l := range body {
		switch t := strings.TrimLeft(l, " "); {
		case t == "Permitted:":
			k = 0
		case t == "Excluded:":
			k = 1
		case k >= 0 && t != "":
			form, v, _ := strings.Cut(t, ":")
			switch form {
			case "DNS":
				want[k] = append(want[k], "dns:"+v)
			case "email":
				want[k] = append(want[k], "email:"+v)
			case "URI":
				want[k] = append(want[k], "uri:"+v)
			case "IP":
				addr, mask, _ := strings.Cut(v, "/")
				ones, _ := net.IPMask(net.ParseIP(mask).To4()).Size()
				if ip := net.ParseIP(addr); ip != nil && ip.To4() == nil {
					ones, _ = net.IPMask(net.ParseIP(mask)).Size()
				}
				want[k] = append(want[k], fmt.Sprintf("ip:%s/%d", net.ParseIP(addr), ones))
			default:
				want[k] = append(want[k], form)
			}
		}
	}
	var bad []string
	for i, got := range [][]string{nc.Permitted, nc.Excluded} {
		g := make([]string, len(got))
		for j, n := range got {
			// openssl prints a control character there as '.', but for CR and LF
			g[j] = ciAsPrinted([]string{n}, true)[0]
			if strings.HasPrefix(n, "dirName:") {
				g[j] = "DirName"
			} else if strings.HasPrefix(n, "otherName:") {
				g[j] = "othername"
			}
		}
		if !ciSame(want[i], g) {
			bad = append(bad, fmt.Sprintf("name constraints %s: openssl %q, signet %q", []string{"permitted", "excluded"}[i], want[i], got))
		}
	}
	return bad
}

func ciDiffKey(o ciOpenSSL, k x509util.KeyInfo) []string {
	alg := map[string]string{"id-ecPublicKey": "ECDSA", "rsaEncryption": "RSA", "ED25519": "Ed25519", "ED448": "Ed448",
		"X25519": "X25519", "dsaEncryption": "DSA"}[o.keyAlg]
	if alg == "" {
		alg = o.keyAlg
	}
	curve := map[string]string{"prime256v1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}[o.curve]
	if curve == "" {
		curve = o.curve
	}
	// openssl gives no size for Ed25519, Ed448 and X25519
	if alg != k.Algorithm || o.keyBits != 0 && o.keyBits != k.Bits || curve != k.Curve {
		return []string{fmt.Sprintf("public key: openssl %s %s %d bits, signet %s %s %d bits", o.keyAlg, o.curve, o.keyBits, k.Algorithm, k.Curve, k.Bits)}
	}
	return nil
}

func ciDiffSANs(o map[string][]string, s x509util.SANInfo) []string {
	var bad []string
	for _, f := range []struct {
		name string
		got  []string
	}{{"DNS", s.DNS}, {"IP Address", s.IP}, {"email", s.Email}, {"URI", s.URI}} {
		if !ciSame(o[f.name], ciUnescapeAll(f.got)) {
			bad = append(bad, fmt.Sprintf("SAN %s: openssl %q, signet %q", f.name, o[f.name], f.got))
		}
	}
	// openssl writes a directoryName of a SAN as X509_NAME_oneline does ("/CN=a/O=b", each
	// byte above 0x7E and below 0x20 as \xHH, a multi-valued RDN's parts as separate RDNs):
	// compared by count and by its values in order.
	if len(o["DirName"]) != len(s.DirName) {
		bad = append(bad, fmt.Sprintf("SAN DirName: openssl %q, signet %q", o["DirName"], s.DirName))
	} else {
		for i, d := range o["DirName"] {
			want, got := ciOneline(d), ciAsOneline(ciParseDN(s.DirName[i], false))
			// oneline writes a BMPString, UniversalString or TeletexString value as its bytes,
			// a value that is no string as its text, and no more than 255 bytes: those are
			// compared by their ASCII letters and punctuation, openssl's a prefix of signet's
			skeleton := func(s string) string {
				return strings.Map(func(r rune) rune {
					if r > 0x20 && r < 0x7f {
						return r
					}
					return -1
				}, s)
			}
			if want != got && utf8.ValidString(want) && !strings.Contains(want, "\x00") && !strings.Contains(got, "=#") &&
				!strings.HasPrefix(skeleton(got), skeleton(want)) {
				bad = append(bad, fmt.Sprintf("SAN DirName %d: openssl %q, signet %q", i, want, got))
			}
		}
	}
	var others []string
	for _, n := range o["othername"] {
		// "othername: UPN::user@corp.example"
		if v, ok := strings.CutPrefix(strings.Trim(n, " "), "UPN::"); ok {
			n = "1.3.6.1.4.1.311.20.2.3:" + v
		}
		others = append(others, n)
	}
	if !ciSame(others, ciUnescapeAll(s.OtherName)) {
		bad = append(bad, fmt.Sprintf("SAN othername: openssl %q, signet %q", o["othername"], s.OtherName))
	}
	if !ciSame(o["Registered ID"], s.RegisteredID) {
		bad = append(bad, fmt.Sprintf("SAN Registered ID: openssl %q, signet %q", o["Registered ID"], s.RegisteredID))
	}
	return bad
}

// ciOneline undoes the \xHH escapes of a name as X509_NAME_oneline writes it.
func ciOneline(v string) string {
	var b []byte
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) && (v[i+1] == '+' || v[i+1] == '/') {
			b = append(b, v[i+1])
			i++
			continue
		}
		if v[i] == '\\' && i+3 < len(v) && v[i+1] == 'x' && ciIsHex(v[i+2]) && ciIsHex(v[i+3]) {
			x, _ := strconv.ParseUint(v[i+2:i+4], 16, 8)
			b = append(b, byte(x))
			i += 3
			continue
		}
		b = append(b, v[i])
	}
	return string(b)
}

// ciAsOneline writes a parsed RFC 4514 name as X509_NAME_oneline does: most significant RDN
// first, "/" before each, "+" between the attributes of one, in their encoded order.
func ciAsOneline(rdns [][]string) string {
	var b strings.Builder
	for i := len(rdns) - 1; i >= 0; i-- {
		b.WriteByte('/')
		for j := len(rdns[i]) - 1; j >= 0; j-- {
			b.WriteString(rdns[i][j])
			if j > 0 {
				b.WriteByte('+')
			}
		}
	}
	return b.String()
}

func ciDiffCSR(o ciOpenSSL, r *x509util.CSRInfo) []string {
	var bad []string
	if a, b := ciParseDN(o.fields["Subject"], false), ciParseDN(r.Subject, false); !ciSameDN(a, b) {
		bad = append(bad, fmt.Sprintf("Subject: openssl %q %s, signet %q %s", o.fields["Subject"], ciJoinDN(a), r.Subject, ciJoinDN(b)))
	}
	bad = append(bad, ciDiffKey(o, r.PublicKey)...)
	bad = append(bad, ciCompareExts(o.exts, r.Extensions)...)
	bad = append(bad, ciDiffFields(o, r.SANs, r.ExtensionFields)...)
	bad = append(bad, ciDiffAttributes(o, r)...)
	if !r.SignatureValid {
		bad = append(bad, "CSR signature not valid: "+r.SignatureError)
	}
	return bad
}

// ciDiffAttributes compares a CSR's attributes with openssl's: the same attributes in order
// (openssl's name or OID), a challengePassword by its presence alone, the values of the
// others where openssl prints them ("unable to print attribute" for a value that is no
// string).
func ciDiffAttributes(o ciOpenSSL, r *x509util.CSRInfo) []string {
	var want []string
	challenge := false
	for _, a := range o.attrs {
		name, v, _ := strings.Cut(a, ":")
		name = strings.TrimSpace(name)
		if name == "challengePassword" {
			challenge = true
			continue
		}
		if v == "unable to print attribute" {
			v = "?"
		}
		want = append(want, name+"="+v)
	}
	var got []string
	for _, a := range r.Attributes {
		name := a.Name
		if name == "" {
			name = a.OID
		}
		v := strings.Join(ciUnescapeAll(a.Values), "|")
		if len(a.Values) == 1 && strings.HasPrefix(a.Values[0], "#") {
			v = "?"
		}
		got = append(got, name+"="+v)
	}
	var bad []string
	if challenge != r.ChallengePassword {
		bad = append(bad, fmt.Sprintf("challenge password: openssl %v, signet %v", challenge, r.ChallengePassword))
	}
	if !ciSame(want, got) {
		bad = append(bad, fmt.Sprintf("attributes: openssl %q, signet %q", want, got))
	}
	return bad
}

func ciDiffCRL(o ciOpenSSL, l *x509util.CRLInfo) []string {
	var bad []string
	if a, b := ciParseDN(o.fields["Issuer"], false), ciParseDN(l.Issuer, false); !ciSameDN(a, b) {
		bad = append(bad, fmt.Sprintf("Issuer: openssl %q %s, signet %q %s", o.fields["Issuer"], ciJoinDN(a), l.Issuer, ciJoinDN(b)))
	}
	if t := ciOpenSSLTime(o.fields["Last Update"]); !t.Equal(l.ThisUpdate) {
		bad = append(bad, fmt.Sprintf("this update: openssl %s, signet %s", o.fields["Last Update"], l.ThisUpdate))
	}
	if nu := o.fields["Next Update"]; nu == "NONE" && l.NextUpdate != nil || nu != "NONE" && (l.NextUpdate == nil || !ciOpenSSLTime(nu).Equal(*l.NextUpdate)) {
		bad = append(bad, fmt.Sprintf("next update: openssl %s, signet %v", nu, l.NextUpdate))
	}
	if s := ciSigAlgs()[o.fields["Signature Algorithm"]]; s != l.SignatureAlgorithm {
		bad = append(bad, fmt.Sprintf("signature algorithm: openssl %s, signet %s", o.fields["Signature Algorithm"], l.SignatureAlgorithm))
	}
	bad = append(bad, ciCompareExts(o.exts, l.Extensions)...)
	bad = append(bad, ciDiffMore(o.exts, ciMore{ian: l.IssuerAltNames, akiIssuer: l.AuthorityCertIssuer, akiSerial: l.AuthorityCertSerial,
		freshest: l.FreshestCRL, idp: l.IssuingDistributionPoint, delta: l.DeltaCRLIndicator})...)
	if body, ok := ciExtBody(o.exts, "2.5.29.20"); ok {
		if want := strings.TrimSpace(strings.Join(body, "")); want != l.Number {
			n, ok := new(big.Int).SetString(strings.ReplaceAll(strings.TrimPrefix(want, "0x"), ":", ""), 16)
			if !ok || n.String() != l.Number {
				bad = append(bad, fmt.Sprintf("CRL number: openssl %s, signet %s", want, l.Number))
			}
		}
	}
	if len(o.revoked) != len(l.Revoked) {
		return append(bad, fmt.Sprintf("revoked: openssl %d entries, signet %d", len(o.revoked), len(l.Revoked)))
	}
	var issuer []string
	for i, r := range o.revoked {
		s := l.Revoked[i]
		n, _ := new(big.Int).SetString(strings.TrimPrefix(r.serial, "-"), 16)
		if strings.HasPrefix(r.serial, "-") {
			n.Neg(n)
		}
		if x509util.FormatSerial(n) != s.Serial {
			bad = append(bad, fmt.Sprintf("revoked %d: serial openssl %s, signet %s", i, r.serial, s.Serial))
		}
		if !ciOpenSSLTime(r.date).Equal(s.RevokedAt) {
			bad = append(bad, fmt.Sprintf("revoked %d: date openssl %s, signet %s", i, r.date, s.RevokedAt))
		}
		reason := ""
		if body, ok := ciExtBody(r.exts, "2.5.29.21"); ok {
			reason = ciReasonNames()[strings.TrimSpace(strings.Join(body, ""))]
		}
		if reason != s.Reason {
			bad = append(bad, fmt.Sprintf("revoked %d: reason openssl %q, signet %q", i, reason, s.Reason))
		}
		bad = append(bad, ciDiffEntryExtras(i, r, s, &issuer)...)
	}
	return bad
}

// ciResult is one seed's verdict.
type ciResult struct {
	bad      []string
	outcomes []string
}

func ciRunSeed(t *testing.T, seed int64, dir string) ciResult {
	t.Helper()
	c := ciGenerate(t, seed)
	var res ciResult
	for _, obj := range []struct {
		kind string
		der  []byte
	}{{"certificate", c.cert}, {"crl", c.crl}, {"csr", c.csr}} {
		file := filepath.Join(dir, fmt.Sprintf("%d.%s", seed, obj.kind))
		if err := os.WriteFile(file, obj.der, 0o644); err != nil {
			t.Fatal(err)
		}
		o := ciRunOpenSSL(t, obj.kind, file)
		out, errOut, code := runSignet(t, "", "cert", "inspect", "--at", "2026-06-01", "--json", file)
		text, _, _ := runSignet(t, "", "cert", "inspect", "--at", "2026-06-01", file)
		prefix := obj.kind + ": "
		if o.refused {
			switch {
			case code == 3 && strings.Count(errOut, "\n") == 1 && strings.Contains(errOut, file):
				res.outcomes = append(res.outcomes, obj.kind+" refused by both")
			case code == 0 && ciOpenSSLRefusalExplained(c, obj.kind):
				res.outcomes = append(res.outcomes, obj.kind+" refused by openssl only: "+ciOpenSSLRefusalExplained2(c, obj.kind))
			default:
				res.bad = append(res.bad, prefix+fmt.Sprintf("openssl refuses (%s), signet exit %d %q", firstLine(o.stderr), code, errOut))
			}
			continue
		}
		if code != 0 {
			if why := ciRefusalExplained(c, obj.kind, errOut); why != "" && code == 3 && strings.Count(errOut, "\n") == 1 {
				res.outcomes = append(res.outcomes, obj.kind+" refused by signet only: "+why)
				continue
			}
			res.bad = append(res.bad, prefix+fmt.Sprintf("openssl reads it, signet exit %d: %s", code, errOut))
			continue
		}
		var got []certInspected
		if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 1 {
			res.bad = append(res.bad, prefix+fmt.Sprintf("--json: %v (%d objects)", err, len(got)))
			continue
		}
		var bad []string
		switch obj.kind {
		case "certificate":
			ci := got[0].Certificate
			bad = ciDiffCert(o, ci)
			want := []string{ci.Subject, ci.Issuer}
			want = append(want, ci.SANs.DNS...)
			want = append(want, ci.SANs.URI...)
			want = append(want, ci.SANs.DirName...)
			want = append(want, ci.SANs.OtherName...)
			bad = append(bad, ciCheckText(text, want...)...)
		case "csr":
			bad = ciDiffCSR(o, got[0].CSR)
			bad = append(bad, ciCheckText(text, got[0].CSR.Subject)...)
			if c.has("csr", "csr-challenge") && (strings.Contains(text, "secret") || strings.Contains(out, "secret")) {
				bad = append(bad, "the challenge password's value is shown")
			}
		case "crl":
			bad = ciDiffCRL(o, got[0].CRL)
			bad = append(bad, ciCheckText(text, got[0].CRL.Issuer)...)
		}
		for _, b := range bad {
			if strings.HasPrefix(b, "SAN DirName ") && (c.has(obj.kind, "bmp") || c.has(obj.kind, "universal")) {
				// oneline writes a BMPString or UniversalString as its bytes, which may be
				// printable ASCII: such a name is compared by count
				res.outcomes = append(res.outcomes, obj.kind+" SAN directoryName with a BMPString or UniversalString: by count")
				continue
			}
			res.bad = append(res.bad, prefix+b)
		}
		res.outcomes = append(res.outcomes, obj.kind+" read by both")
	}
	return res
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// ciOpenSSLRefusalExplained says why openssl may refuse what signet reads.
func ciOpenSSLRefusalExplained(c *ciCase, kind string) bool {
	return ciOpenSSLRefusalExplained2(c, kind) != ""
}

func ciOpenSSLRefusalExplained2(c *ciCase, kind string) string {
	// openssl's X509_NAME refuses a UTF8String that is not UTF-8, a VisibleString and a value
	// that is no string; signet shows such a value as # and the hex of its DER (RFC 4514's
	// form for a value it cannot write as text)
	for _, f := range []string{"badutf8", "visible", "attr-nonstring"} {
		if c.has(kind, f) {
			return "a name value openssl refuses: " + f
		}
	}
	return ""
}

// ciRefusalExplained says why signet may refuse what openssl reads: a CSR whose requested
// extensions are malformed (one twice, a value that does not parse), which openssl shows
// (each of the two, or the bytes of the value) and signet refuses, naming it.
func ciRefusalExplained(c *ciCase, kind, errOut string) string {
	switch {
	case kind == "csr" && c.has(kind, "csr-dup-ext") && strings.Contains(errOut, "is requested twice"):
		return "a requested extension twice"
	case kind == "csr" && c.has(kind, "csr-bad-ext") && strings.Contains(errOut, "does not parse"):
		return "a requested extension that does not parse"
	}
	return ""
}

func TestCIInspectCampaign(t *testing.T) {
	testutil.RequireTool(t, "openssl")
	n := ciCI
	if raceEnabled {
		n = ciCIRace
	}
	seeds := testutil.Seeds(t, "CI_SEEDS", n)
	dir := t.TempDir()
	var tally testutil.Tally
	t.Run("seeds", func(t *testing.T) {
		for _, seed := range seeds {
			t.Run(strconv.FormatInt(seed, 10), func(t *testing.T) {
				t.Parallel()
				r := ciRunSeed(t, seed, dir)
				for _, o := range r.outcomes {
					tally.Add(o)
				}
				if len(r.bad) > 0 {
					c := ciGenerate(t, seed)
					t.Errorf("seed %d (%s):\n\t%s", seed, strings.Join(c.feats, " "), strings.Join(r.bad, "\n\t"))
				}
			})
		}
	})
	tally.Log(t, len(seeds))
}

func TestCIDump(t *testing.T) {
	dir := os.Getenv("CI_DUMP")
	if dir == "" {
		t.Skip("CI_DUMP=dir")
	}
	for _, s := range testutil.Seeds(t, "CI_SEEDS", 30) {
		c := ciGenerate(t, s)
		p := filepath.Join(dir, strconv.FormatInt(s, 10))
		for ext, b := range map[string][]byte{".crt": c.cert, ".crl": c.crl, ".csr": c.csr, ".feats": []byte(strings.Join(c.feats, "\n") + "\n")} {
			if err := os.WriteFile(p+ext, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// ciDiffEntryExtras compares the invalidity date and certificate issuer of a CRL entry;
// issuer is the certificate issuer openssl showed last (RFC 5280 5.3.3 carries it to the
// entries after it, which signet shows and openssl does not).
func ciDiffEntryExtras(i int, r ciORevoked, s x509util.RevokedInfo, issuer *[]string) []string {
	var bad []string
	var inval *time.Time
	for _, e := range r.exts {
		switch e.oid {
		case "2.5.29.24":
			t := ciOpenSSLTime(strings.TrimSpace(strings.Join(e.body, "")))
			inval = &t
		case "2.5.29.29":
			*issuer = nil
			for _, n := range ciSANs(e.body) {
				*issuer = append(*issuer, n...)
			}
		case "2.5.29.21":
		default:
			bad = append(bad, fmt.Sprintf("revoked %d: openssl shows %s %q, signet nothing", i, e.oid, e.body))
		}
	}
	if (inval == nil) != (s.InvalidityDate == nil) || inval != nil && !inval.Equal(*s.InvalidityDate) {
		bad = append(bad, fmt.Sprintf("revoked %d: invalidity date openssl %v, signet %v", i, inval, s.InvalidityDate))
	}
	if len(*issuer) != len(s.CertificateIssuer) {
		bad = append(bad, fmt.Sprintf("revoked %d: certificate issuer openssl %q, signet %q", i, *issuer, s.CertificateIssuer))
	}
	return bad
}
