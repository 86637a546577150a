package x509util

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// SANs are subject alternative names, grouped the way crypto/x509 templates hold them.
type SANs struct {
	DNSNames       []string
	IPAddresses    []net.IP
	EmailAddresses []string
	URIs           []*url.URL
}

// Len is the number of names.
func (s SANs) Len() int {
	return len(s.DNSNames) + len(s.IPAddresses) + len(s.EmailAddresses) + len(s.URIs)
}

// ParseSANs parses subject alternative names written as --san takes them, each one of
//
//	dns:NAME     a host name (RFC 1035 letters, digits and hyphens; IDNs in their xn-- form),
//	             optionally a wildcard "*.example.com"
//	ip:ADDR      an IPv4 or IPv6 address, without a zone
//	email:ADDR   an ASCII mailbox, local@domain
//	uri:URI      an absolute URI (a scheme and something after it); a host in it must be a
//	             host name or IP address
//
// The prefixes are case-insensitive (openssl's DNS:, IP:, URI: work). Exact duplicates are
// dropped. Errors are a *NameError (wrapping ErrInvalidName) that says which name is wrong
// and why.
func ParseSANs(specs []string) (SANs, error) {
	var s SANs
	for _, spec := range specs {
		if err := s.Add(spec); err != nil {
			return SANs{}, err
		}
	}
	return s, nil
}

// Add parses one name as ParseSANs does and adds it to s.
func (s *SANs) Add(spec string) error {
	kind, value, ok := strings.Cut(spec, ":")
	kind = strings.ToLower(strings.TrimSpace(kind))
	value = strings.TrimSpace(value)
	bad := func(why string, args ...any) error {
		return &NameError{Kind: "subject alternative name", Input: spec, Reason: fmt.Sprintf(why, args...)}
	}
	if !ok || (kind != "dns" && kind != "ip" && kind != "email" && kind != "uri") {
		return bad("write dns:NAME, ip:ADDR, email:ADDR or uri:URI")
	}
	if value == "" {
		return bad("nothing after %q", kind+":")
	}
	switch kind {
	case "dns":
		if err := sanCheckDNS(value, true); err != nil {
			return bad("%v", err)
		}
		for _, d := range s.DNSNames {
			if strings.EqualFold(d, value) {
				return nil
			}
		}
		s.DNSNames = append(s.DNSNames, value)
	case "ip":
		addr, err := netip.ParseAddr(value)
		switch {
		case err != nil:
			return bad("not an IPv4 or IPv6 address")
		case addr.Zone() != "":
			return bad("an address with a zone (%%%s) cannot go in a certificate", addr.Zone())
		}
		ip := net.IP(addr.AsSlice())
		for _, d := range s.IPAddresses {
			if d.Equal(ip) {
				return nil
			}
		}
		s.IPAddresses = append(s.IPAddresses, ip)
	case "email":
		if err := sanCheckEmail(value); err != nil {
			return bad("%v", err)
		}
		for _, d := range s.EmailAddresses {
			if d == value {
				return nil
			}
		}
		s.EmailAddresses = append(s.EmailAddresses, value)
	case "uri":
		u, err := sanCheckURI(value)
		if err != nil {
			return bad("%v", err)
		}
		for _, d := range s.URIs {
			if d.String() == u.String() {
				return nil
			}
		}
		s.URIs = append(s.URIs, u)
	}
	return nil
}

// sanCheckDNS checks a host name: RFC 1035 labels (letters, digits, inner hyphens, 1 to 63
// characters; RFC 1123 allows a leading digit), at most 253 characters, and, when wildcard is
// true, an optional "*." first label.
func sanCheckDNS(name string, wildcard bool) error {
	host := name
	if wildcard {
		host = strings.TrimPrefix(name, "*.")
	}
	switch {
	case len(name) > 253:
		return fmt.Errorf("longer than 253 characters")
	case strings.HasSuffix(host, "."):
		return fmt.Errorf("remove the trailing '.'")
	case strings.Contains(host, "*"):
		if wildcard {
			return fmt.Errorf("a wildcard must be the whole first label, as in *.example.com")
		}
		return fmt.Errorf("a wildcard is not allowed here")
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return fmt.Errorf("an IP address is not a host name; write ip:%s", host)
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" {
			return fmt.Errorf("empty label (two dots in a row, or a leading dot)")
		}
		if len(label) > 63 {
			return fmt.Errorf("label %q is longer than 63 characters", label)
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			switch {
			case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			case c == '-':
				if i == 0 || i == len(label)-1 {
					return fmt.Errorf("label %q starts or ends with '-'", label)
				}
			case c >= 0x80:
				return fmt.Errorf("non-ASCII host name; write it in its IDNA form (xn--...)")
			default:
				return fmt.Errorf("character %q is not allowed in a host name", c)
			}
		}
	}
	return nil
}

// sanCheckEmail checks an RFC 5321 mailbox in its plain form: a dot-atom local part (no quoted
// strings) of at most 64 characters, "@", and a host name.
func sanCheckEmail(addr string) error {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return fmt.Errorf("an email address needs an '@'")
	}
	local, domain := addr[:at], addr[at+1:]
	switch {
	case local == "":
		return fmt.Errorf("nothing before the '@'")
	case len(local) > 64:
		return fmt.Errorf("the part before the '@' is longer than 64 characters")
	case domain == "":
		return fmt.Errorf("nothing after the '@'")
	case strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, ".."):
		return fmt.Errorf("misplaced '.' before the '@'")
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-/=?^_`{|}~.", c) >= 0:
		case c >= 0x80:
			return fmt.Errorf("non-ASCII email address (certificates carry only ASCII rfc822Name)")
		default:
			return fmt.Errorf("character %q is not allowed before the '@'", c)
		}
	}
	if err := sanCheckDNS(domain, false); err != nil {
		return fmt.Errorf("domain %q: %v", domain, err)
	}
	return nil
}

// sanCheckURI checks a URI as RFC 5280 section 4.2.1.6 wants it: ASCII, absolute (scheme and
// scheme-specific part), and with an authority only if it names a host.
func sanCheckURI(s string) (*url.URL, error) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f {
			return nil, fmt.Errorf("spaces, control and non-ASCII characters must be percent-encoded")
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		// *url.Error quotes the whole URI, which the caller's message already does.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("not a URI: %v", err)
	}
	switch {
	case u.Scheme == "":
		return nil, fmt.Errorf("not an absolute URI (it needs a scheme, as in https://example.com/ or urn:...)")
	case u.Opaque == "" && u.Host == "" && u.Path == "":
		return nil, fmt.Errorf("nothing after the scheme")
	case strings.HasPrefix(s[len(u.Scheme)+1:], "//") && u.Host == "":
		return nil, fmt.Errorf("the URI has an authority but no host")
	}
	if u.Host != "" {
		host := u.Hostname()
		if _, err := netip.ParseAddr(host); err != nil {
			if err := sanCheckDNS(host, false); err != nil {
				return nil, fmt.Errorf("host %q: %v", host, err)
			}
		}
	}
	return u, nil
}

// CheckSANs holds names that did not come through ParseSANs (a CSR's, a caller's) to the
// rules ParseSANs applies: host names and wildcards, ASCII mailboxes, absolute URIs whose
// host is a host name or an address, IPv4 or IPv6 addresses of 4 or 16 octets. The first
// name that breaks them is returned as a *NameError (wrapping ErrInvalidName) whose Input is
// the name as --san writes it.
func CheckSANs(s SANs) error {
	bad := func(spec string, err error) error {
		return &NameError{Kind: "subject alternative name", Input: spec, Reason: err.Error()}
	}
	for _, d := range s.DNSNames {
		if err := sanCheckDNS(d, true); err != nil {
			return bad("dns:"+d, err)
		}
	}
	for _, ip := range s.IPAddresses {
		if len(ip) != net.IPv4len && len(ip) != net.IPv6len {
			return bad(fmt.Sprintf("ip:%x", []byte(ip)), fmt.Errorf("an address has 4 or 16 octets, not %d", len(ip)))
		}
	}
	for _, e := range s.EmailAddresses {
		if err := sanCheckEmail(e); err != nil {
			return bad("email:"+e, err)
		}
	}
	for _, u := range s.URIs {
		if u == nil {
			return bad("uri:", fmt.Errorf("no URI"))
		}
		if _, err := sanCheckURI(u.String()); err != nil {
			return bad("uri:"+u.String(), err)
		}
	}
	return nil
}
