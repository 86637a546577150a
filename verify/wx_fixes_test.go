package verify_test

import (
	"crypto/x509"
	"errors"
	"net"
	"testing"

	"github.com/signet-pki/signet/verify"
)

// TestWXWildcardNeedsHostLabel: a wildcard dNSName stands for one host-name label (RFC 6125
// 6.4.3; RFC 1123 2.1 letters, digits, hyphens not first or last), so a server name whose
// leftmost label is not one -- a NUL byte that a C resolver stops at, a space, a slash, a
// leading hyphen, Unicode that is no IDNA label -- matches no wildcard: signet matched "evil\x00.example.com" (which getaddrinfo
// resolves as "evil") against *.example.com. Found by TestWXNameMatching (seeds 6388,
// 10529, 11221), crypto/x509 refusing the same names.
func TestWXWildcardNeedsHostLabel(t *testing.T) {
	root := rootCA(t, "WX Root")
	leaf := leafCert(t, "wx leaf", root, func(c *tpCert) { c.dns = []string{"*.example.com"} })
	for _, host := range []string{"evil\x00.example.com", " .example.com", "a b.example.com", "a/b.example.com",
		"a@b.example.com", "a:1.example.com", "\x00.example.com", "ｌ\x00.example.com",
		"-a.example.com", "a-.example.com"} {
		for _, profile := range verify.Profiles() {
			_, err := verify.Verify(leaf.cert, nil, verify.Policy{At: tpAt, Roots: []*x509.Certificate{root.cert}, DNSName: host, Profile: profile})
			if !errors.Is(err, verify.NameMismatch) {
				t.Errorf("%s, host %q: %v, want a name mismatch", profile, host, err)
			}
		}
	}
	// Unicode case mapping is no IDNA mapping: where IDNA refuses the name (the label xn--a
	// does not decode), the Kelvin sign and a dotted capital I must not become k and i.
	odd := leafCert(t, "wx odd", root, func(c *tpCert) { c.dns = []string{"*.xn--a.example.com"} })
	for _, host := range []string{"\u212a.xn--a.example.com", "\u0130.xn--a.example.com"} {
		if _, err := verify.Verify(odd.cert, nil, verify.Policy{At: tpAt, Roots: []*x509.Certificate{root.cert}, DNSName: host}); !errors.Is(err, verify.NameMismatch) {
			t.Errorf("host %q: %v, want a name mismatch", host, err)
		}
	}
	for _, host := range []string{"foo.example.com", "FOO.example.com", "foo.example.com.", "a_b.example.com", "xn--bcher-kva.example.com", "bücher.example.com"} {
		if _, err := verify.Verify(leaf.cert, nil, verify.Policy{At: tpAt, Roots: []*x509.Certificate{root.cert}, DNSName: host, Profile: verify.ProfileWebPKI}); err != nil {
			t.Errorf("host %q: %v", host, err)
		}
	}
}

// TestWXEmailDomainASCIIFold: the domain of an email address compares without regard to
// ASCII case only (RFC 5280 4.2.1.6, 7.5: a case-insensitive match of IA5 host names);
// strings.EqualFold folded the Kelvin sign into k, so user@\u212aexample.com matched the SAN
// user@kexample.com.
func TestWXEmailDomainASCIIFold(t *testing.T) {
	root := rootCA(t, "WX Root")
	leaf := leafCert(t, "wx mail", root, func(c *tpCert) { c.dns, c.emails = nil, []string{"user@kexample.com"} })
	pol := verify.Policy{At: tpAt, Roots: []*x509.Certificate{root.cert}}
	for _, m := range []string{"user@\u212aexample.com", "user@kexample.com\u0000"} {
		pol.Email = m
		if _, err := verify.Verify(leaf.cert, nil, pol); !errors.Is(err, verify.NameMismatch) {
			t.Errorf("email %q: %v, want a name mismatch", m, err)
		}
	}
	for _, m := range []string{"user@kexample.com", "user@KEXAMPLE.com"} {
		pol.Email = m
		if _, err := verify.Verify(leaf.cert, nil, pol); err != nil {
			t.Errorf("email %q: %v", m, err)
		}
	}
}

// TestWXHostIPLiteral: a server name that is an IP literal is matched as an IP address, never
// as a dNSName (RFC 6125 1.7.2, 6.2.1), also when Policy.IP names another address: the host
// was then matched against the dNSNames, where a dNSName "10.1.2.3" passed it. Brackets
// count only in pairs, as crypto/x509 reads them: "[10.1.2.3" is no IP literal (and no host
// name), where it was taken for 10.1.2.3.
func TestWXHostIPLiteral(t *testing.T) {
	root := rootCA(t, "WX Root")
	leaf := leafCert(t, "wx ip", root, func(c *tpCert) {
		c.dns, c.ips = []string{"10.1.2.3", "leaf.example.com"}, []net.IP{net.ParseIP("192.168.1.1").To4(), net.ParseIP("2001:db8::1")}
	})
	pol := verify.Policy{At: tpAt, Roots: []*x509.Certificate{root.cert}}
	for _, tc := range []struct {
		host string
		ip   net.IP
		ok   bool
	}{
		{"10.1.2.3", nil, false},
		{"10.1.2.3", net.ParseIP("192.168.1.1"), false},
		{"192.168.1.1", nil, true},
		{"192.168.1.1", net.ParseIP("192.168.1.1"), true},
		{"[2001:db8::1]", net.ParseIP("192.168.1.1"), true},
		{"[192.168.1.1", nil, false},
		{"192.168.1.1]", nil, false},
		{"leaf.example.com", net.ParseIP("192.168.1.1"), true},
	} {
		pol.DNSName, pol.IP = tc.host, tc.ip
		_, err := verify.Verify(leaf.cert, nil, pol)
		if tc.ok && err != nil || !tc.ok && !errors.Is(err, verify.NameMismatch) {
			t.Errorf("host %q, IP %v: %v, want ok=%v", tc.host, tc.ip, err, tc.ok)
		}
	}
}

// TestWXMappedAddressPermitted: an IPv4-mapped IPv6 iPAddress (::ffff:10.1.2.3) is within the
// permitted subtrees only when it is whichever way it is read, as the IPv4 address it maps
// and as the 16 octets it is written in; it is excluded when either reading is (pkixname
// ipWithin). A CA permitted only IPv6 (::/0) certified the IPv4 host 10.1.2.3 with it, and one
// permitted only 10.0.0.0/8 an IPv6 name; crypto/x509 refuses both (wx_diff_test.go, seed
// 56416, class go-ipv4-mapped-permitted before this fix).
func TestWXMappedAddressPermitted(t *testing.T) {
	mapped := rawSAN(gn(7, false, net.ParseIP("10.1.2.3").To16()))
	for _, tc := range []struct {
		label     string
		permitted [][]byte
		ok        bool
	}{
		{"IPv6 only", [][]byte{gnIP("::/0")}, false},
		{"IPv4 only", [][]byte{gnIP("10.0.0.0/8")}, false},
		{"both", [][]byte{gnIP("10.0.0.0/8"), gnIP("::/0")}, true},
		{"both, IPv4 elsewhere", [][]byte{gnIP("192.168.0.0/16"), gnIP("::/0")}, false},
	} {
		root := rootCA(t, "NC Root")
		inter := subCA(t, "NC Inter", root, func(c *tpCert) { c.exts = append(c.exts, ncExt(true, tc.permitted, nil)) })
		leaf := leafCert(t, "leaf", inter, func(c *tpCert) { c.dns = nil; c.exts = append(c.exts, mapped) })
		p := verify.Policy{Roots: []*x509.Certificate{root.cert}, Intermediates: []*x509.Certificate{inter.cert}, At: tpAt}
		res, err := verify.Verify(leaf.cert, nil, p)
		switch {
		case tc.ok && err != nil:
			t.Errorf("%s: %v", tc.label, err)
		case !tc.ok && (res == nil || res.Rule != "rfc5280.nc-permitted"):
			t.Errorf("%s: %v, want rfc5280.nc-permitted", tc.label, err)
		}
	}
}
