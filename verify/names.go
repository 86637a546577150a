package verify

import (
	"crypto/x509"
	"net"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"

	"github.com/signet-pki/signet/internal/pkixname"
)

// checkNames matches the names the policy asks for against the leaf's subjectAltNames only:
// never the subject's common name (RFC 6125 6.4.4; the Baseline Requirements name servers in
// the SAN).
func (v *verifier) checkNames(e *evaluation) {
	leaf := e.path[0]
	host := v.p.DNSName
	var wantIPs []net.IP
	if v.p.IP != nil {
		wantIPs = append(wantIPs, v.p.IP)
	}
	if host != "" {
		lit := host
		if len(lit) >= 3 && lit[0] == '[' && lit[len(lit)-1] == ']' {
			lit = lit[1 : len(lit)-1]
		}
		if parsed := net.ParseIP(lit); parsed != nil {
			// A host given as an IP literal (bare, or in brackets) is matched as an IP
			// address, never as a dNSName, beside Policy.IP when that is given too.
			host = ""
			if v.p.IP == nil || !v.p.IP.Equal(parsed) {
				wantIPs = append(wantIPs, parsed)
			}
		}
	}
	if host == "" && len(wantIPs) == 0 && v.p.Email == "" {
		e.skip(CheckName, leaf, "no name required")
		return
	}
	// dns and emails are matched as they are; dnsShown and emailsShown are printed.
	var dns, ips, emails, dnsShown, emailsShown []string
	for _, g := range leaf.sans {
		switch g.Form {
		case pkixname.DNSName:
			dns, dnsShown = append(dns, string(g.Raw)), append(dnsShown, g.String())
		case pkixname.IPAddress:
			if len(g.Raw) == 4 || len(g.Raw) == 16 {
				ips = append(ips, net.IP(g.Raw).String())
			}
		case pkixname.RFC822Name:
			emails, emailsShown = append(emails, string(g.Raw)), append(emailsShown, g.String())
		}
	}
	c := leaf.c
	if host != "" {
		matched, overSuffix := matchHost(dns, host, v.webpki)
		switch {
		case matched:
			e.pass(CheckName, leaf, "host %s matches", pkixname.EscapeText(host))
		case overSuffix != "":
			e.fail(CheckName, newRuleError(NameMismatch, c, "webpki.wildcard-public-suffix-match", x509.HostnameError{Certificate: c, Host: host},
				"certificate %s names host %s only by its dNSName %s, a wildcard over a public suffix (of the list's private section), which the webpki profile does not match (Baseline Requirements 3.2.2.6)",
				Name(c), pkixname.EscapeText(host), pkixname.EscapeText(overSuffix)))
		default:
			e.fail(CheckName, newRuleError(NameMismatch, c, "rfc6125.host", x509.HostnameError{Certificate: c, Host: host},
				"certificate %s is not valid for host %s (its DNS names: %s)", Name(c), pkixname.EscapeText(host), listOrNone(dnsShown)))
		}
	}
	for _, ip := range wantIPs {
		matched := false
		for _, g := range leaf.sans {
			if g.Form == pkixname.IPAddress && (len(g.Raw) == 4 || len(g.Raw) == 16) && net.IP(g.Raw).Equal(ip) {
				matched = true
			}
		}
		if matched {
			e.pass(CheckName, leaf, "IP address %s matches", ip)
		} else {
			e.fail(CheckName, newRuleError(NameMismatch, c, "rfc6125.ip", x509.HostnameError{Certificate: c, Host: ip.String()},
				"certificate %s is not valid for IP address %s (its IP addresses: %s)", Name(c), ip, listOrNone(ips)))
		}
	}
	if m := v.p.Email; m != "" {
		matched := false
		for _, a := range emails {
			if emailEqual(a, m) {
				matched = true
			}
		}
		if matched {
			e.pass(CheckName, leaf, "email %s matches", pkixname.EscapeText(m))
		} else {
			e.fail(CheckName, newRuleError(NameMismatch, c, "rfc5280.email", nil, "certificate %s is not valid for email %s (its email addresses: %s)",
				Name(c), pkixname.EscapeText(m), listOrNone(emailsShown)))
		}
	}
}

// matchesHost reports whether one of the dNSNames matches the server name host (a DNS name,
// not an IP literal).
func matchesHost(dns []string, host string) bool {
	matched, _ := matchHost(dns, host, false)
	return matched
}

// matchHost reports whether one of the dNSNames matches the server name host (a DNS name,
// not an IP literal). Under webpki a wildcard over a public suffix of the list's private
// section matches no host; when only such a wildcard would have matched, overSuffix is it.
func matchHost(dns []string, host string, webpki bool) (matched bool, overSuffix string) {
	ref, ok := referenceHost(host)
	if !ok {
		return false, ""
	}
	for _, d := range dns {
		if !hostMatches(d, ref) {
			continue
		}
		if over, icann := wildcardOverSuffix(d); webpki && over && !icann {
			overSuffix = d
			continue
		}
		return true, ""
	}
	return false, overSuffix
}

// wildcardOverSuffix reports whether a dNSName is a wildcard over a public suffix, and
// whether that suffix is of the list's ICANN section. Over an ICANN suffix (*.co.uk) the
// certificate is malformed under webpki (webpki.wildcard-public-suffix, profile.go); over a
// suffix of the private section (*.s3.amazonaws.com, *.github.io) it is its owner's to hold
// (Baseline Requirements 3.2.2.6), but the name of no single site under it, so the webpki
// profile never matches a host through it.
func wildcardOverSuffix(name string) (over, icann bool) {
	rest, ok := strings.CutPrefix(asciiLower(strings.TrimSuffix(name, ".")), "*.")
	if !ok {
		return false, false
	}
	ps, icann := publicsuffix.PublicSuffix(rest)
	return ps == rest, icann
}

// referenceHost puts a host name in the form certificates use: lower case, no final dot,
// A-labels for internationalised names. It is not usable (false) unless every label is then
// a host-name label: letters, digits, hyphens not first or last (RFC 1123 2.1) and, as
// resolvers take them, underscores. A wildcard would otherwise stand for a label no host
// has: a NUL byte, which a C resolver stops at ("evil\x00.example.com" is "evil" to
// getaddrinfo), a space, a slash, Unicode that is no IDNA label, "*". Only ASCII letters
// are lowered: Unicode case mapping turns some letters into ASCII ones (the Kelvin sign
// into k, a dotted capital I into i), which would make a name IDNA refused match another.
func referenceHost(h string) (string, bool) {
	h = strings.TrimSuffix(h, ".")
	if a, err := idna.Lookup.ToASCII(h); err == nil {
		h = a
	}
	h = asciiLower(h)
	if h == "" || len(h) > 253 {
		return h, false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return h, false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return h, false
			}
		}
	}
	return h, true
}

// hostMatches matches a dNSName against a reference host (RFC 6125 6.4): without regard to
// case, and a wildcard only as the whole leftmost label, standing for exactly one label.
func hostMatches(pattern, host string) bool {
	p := asciiLower(strings.TrimSuffix(pattern, "."))
	if p == host {
		return true
	}
	rest, ok := strings.CutPrefix(p, "*.")
	if !ok || strings.Contains(rest, "*") || !strings.Contains(rest, ".") {
		return false
	}
	i := strings.IndexByte(host, '.')
	return i > 0 && host[i+1:] == rest
}

// asciiLower lowers the ASCII letters of s and leaves every other byte as it is.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// emailEqual compares addresses as RFC 5280 4.2.1.6 says: the local part exactly, the domain
// without regard to ASCII case.
func emailEqual(a, b string) bool {
	ai, bi := strings.LastIndexByte(a, '@'), strings.LastIndexByte(b, '@')
	if ai < 0 || bi < 0 {
		return a == b
	}
	// ASCII case only: strings.EqualFold folds the Kelvin sign into k.
	return a[:ai] == b[:bi] && asciiLower(a[ai+1:]) == asciiLower(b[bi+1:])
}
