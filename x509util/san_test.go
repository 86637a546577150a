package x509util

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseSANs(t *testing.T) {
	tests := []struct {
		in   string
		want string // kind=value as stored
	}{
		{"dns:www.example.com", "dns=www.example.com"},
		{"DNS:www.example.com", "dns=www.example.com"},
		{"dns:*.example.com", "dns=*.example.com"},
		{"dns:localhost", "dns=localhost"},
		{"dns:xn--bcher-kva.example", "dns=xn--bcher-kva.example"},
		{"dns:1password.com", "dns=1password.com"},
		{"dns: spaced.example.com ", "dns=spaced.example.com"},
		{"dns:" + strings.Repeat("a", 63) + ".com", "dns=" + strings.Repeat("a", 63) + ".com"},
		{"ip:192.0.2.1", "ip=192.0.2.1"},
		{"IP:2001:db8::1", "ip=2001:db8::1"},
		{"ip:::1", "ip=::1"},
		{"email:alice@example.com", "email=alice@example.com"},
		{"email:first.last+tag@mail.example.org", "email=first.last+tag@mail.example.org"},
		{"uri:https://example.com/path?q=1", "uri=https://example.com/path?q=1"},
		{"URI:spiffe://example.org/ci/release", "uri=spiffe://example.org/ci/release"},
		{"uri:urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", "uri=urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66"},
		{"uri:https://192.0.2.1:8443/x,y", "uri=https://192.0.2.1:8443/x,y"},
		{"uri:mailto:alice@example.com", "uri=mailto:alice@example.com"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			s, err := ParseSANs([]string{tc.in})
			if err != nil {
				t.Fatalf("ParseSANs(%q): %v", tc.in, err)
			}
			if got := sanTestString(s); got != tc.want {
				t.Errorf("ParseSANs(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func sanTestString(s SANs) string {
	var parts []string
	for _, d := range s.DNSNames {
		parts = append(parts, "dns="+d)
	}
	for _, ip := range s.IPAddresses {
		parts = append(parts, "ip="+ip.String())
	}
	for _, e := range s.EmailAddresses {
		parts = append(parts, "email="+e)
	}
	for _, u := range s.URIs {
		parts = append(parts, "uri="+u.String())
	}
	return strings.Join(parts, ",")
}

func TestParseSANsKeepsOrderAndDropsDuplicates(t *testing.T) {
	s, err := ParseSANs([]string{"dns:b.example", "dns:a.example", "DNS:B.EXAMPLE", "ip:10.0.0.1", "ip:10.0.0.1", "email:x@y.example", "email:x@y.example"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sanTestString(s), "dns=b.example,dns=a.example,ip=10.0.0.1,email=x@y.example"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if s.Len() != 4 {
		t.Errorf("Len = %d", s.Len())
	}
	if len(s.IPAddresses[0]) != 4 {
		t.Errorf("IPv4 address stored in %d bytes, want 4", len(s.IPAddresses[0]))
	}
}

func TestParseSANsErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"www.example.com", "write dns:NAME"},
		{"host:www.example.com", "write dns:NAME"},
		{"dns:", "nothing after"},
		{"dns:exa mple.com", "not allowed"},
		{"dns:under_score.example", `character '_'`},
		{"dns:-lead.example", "starts or ends with '-'"},
		{"dns:trail-.example", "starts or ends with '-'"},
		{"dns:a..b", "empty label"},
		{"dns:.example.com", "empty label"},
		{"dns:example.com.", "trailing '.'"},
		{"dns:www.*.example.com", "whole first label"},
		{"dns:*example.com", "whole first label"},
		{"dns:**.example.com", "whole first label"},
		{"dns:bücher.example", "xn--"},
		{"dns:192.0.2.1", "write ip:192.0.2.1"},
		{"dns:" + strings.Repeat("a", 64) + ".com", "longer than 63"},
		{"dns:" + strings.Repeat("abcdefghi.", 26) + "com", "longer than 253"},
		{"ip:192.0.2.256", "not an IPv4 or IPv6"},
		{"ip:example.com", "not an IPv4 or IPv6"},
		{"ip:fe80::1%eth0", "zone"},
		{"ip:10.0.0.0/8", "not an IPv4 or IPv6"},
		{"email:alice", "needs an '@'"},
		{"email:@example.com", "nothing before"},
		{"email:alice@", "nothing after"},
		{"email:al ice@example.com", "not allowed before"},
		{"email:.alice@example.com", "misplaced '.'"},
		{"email:alice@exa_mple.com", "domain"},
		{"email:jürgen@example.com", "non-ASCII"},
		{"uri:/relative/path", "absolute"},
		{"uri:example.com", "absolute"},
		{"uri:https://exa mple.com/", "percent-encoded"},
		{"uri:https://example.com/ä", "percent-encoded"},
		{"uri:https:", "nothing after the scheme"},
		{"uri:https:///path", "no host"},
		{"uri:https://bad_host.example/", "host"},
		{"uri:http://[::1", "not a URI: missing ']' in host"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			_, err := ParseSANs([]string{"dns:ok.example", tc.in})
			if !errors.Is(err, ErrInvalidName) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), fmt.Sprintf("%q", tc.in)) {
				t.Errorf("ParseSANs(%q) = %v; want ErrInvalidName naming it and mentioning %q", tc.in, err, tc.want)
			}
		})
	}
}

// A URI net/url cannot parse is quoted once: url.Error's own quote of it is dropped through
// errors.As, not by cutting its text.
func TestParseSANsURLErrorQuotedOnce(t *testing.T) {
	_, err := ParseSANs([]string{"uri:http://[::1"})
	if err == nil || strings.Count(err.Error(), "[::1") != 1 || !strings.HasSuffix(err.Error(), "not a URI: missing ']' in host") {
		t.Errorf("ParseSANs = %v", err)
	}
}
