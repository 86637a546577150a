package verify_test

import (
	"crypto/x509"
	"fmt"
	mrand "math/rand"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/idna"

	"github.com/signet-pki/signet/internal/pkixname"
	"github.com/signet-pki/signet/verify"
)

// The peer-name differential: signet's match of a server name against a dNSName SAN
// (checkNames, after the rfc5280.san-dns-invalid rule every profile applies to the SAN) and
// crypto/x509's Certificate.VerifyHostname, on many drawn pairs. Both ways of disagreeing
// must be explained; signet matching where crypto/x509 does not is a suspected fail-open.

var wxLabels = []string{"a", "b", "foo", "example", "com", "org", "co", "uk", "xn--bcher-kva", "*", "*", "A", "Example",
	"COM", "", "f*", "*o", "xn--*", "-a", "a-", "a_b", "1", "10", "ü", "Ü", "ｌ", "bücher", "xn--p1ai", "ß", "ς", "İ", " ", "a b", "\x00",
	"local", "localhost", "xn--", "xn--a", "0x1", "K", "\u212a"}

// wxDrawName draws a name of one to five labels, with a final dot sometimes.
func wxDrawName(r *mrand.Rand) string {
	n := 1 + r.Intn(5)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = wxLabels[r.Intn(len(wxLabels))]
		if i > 0 && parts[i] == "*" && r.Intn(3) != 0 {
			parts[i] = "example"
		}
	}
	s := strings.Join(parts, ".")
	if r.Intn(10) == 0 {
		s += "."
	}
	return s
}

// wxHostFor draws a server name near pattern: itself, a wildcard filled, a case or dot changed.
func wxHostFor(r *mrand.Rand, pattern string) string {
	switch r.Intn(7) {
	case 0:
		return pattern
	case 1, 2:
		return strings.Replace(pattern, "*", wxLabels[r.Intn(len(wxLabels))], 1)
	case 3:
		return strings.ToUpper(pattern)
	case 4:
		if strings.HasSuffix(pattern, ".") {
			return strings.TrimSuffix(pattern, ".")
		}
		return pattern + "."
	case 5:
		return wxLabels[r.Intn(len(wxLabels))] + "." + pattern
	}
	return wxDrawName(r)
}

// wxSignetMatches is signet's verdict on the pair: the SAN passes the dNSName syntax rule
// and matches the server name.
func wxSignetMatches(pattern, host string) bool {
	return pkixname.DNSSyntax(pattern) == "" && verify.MatchesHostForTest([]string{pattern}, host)
}

func wxGoMatches(pattern, host string) bool {
	return (&x509.Certificate{DNSNames: []string{pattern}}).VerifyHostname(host) == nil
}

// wxNameWhy explains a disagreement on a pair, "" when nothing does.
func wxNameWhy(pattern, host string, signet bool) string {
	if signet {
		// signet matches, crypto/x509 does not: only the two normalisations signet makes
		// before comparing explain it, and crypto/x509 must match once given both.
		ref := strings.TrimSuffix(host, ".")
		if a, err := idna.Lookup.ToASCII(ref); err == nil {
			ref = a
		}
		if wxGoMatches(strings.TrimSuffix(pattern, "."), ref) {
			return "normalised: RFC 6125 6.4.2: a reference identifier's U-labels become A-labels (UTS 46 mapping, as browsers map a host before resolving it), and a dNSName with a final dot is the same absolute name (RFC 1034 3.1; the webpki profile refuses such a SAN, webpki.san-dns-root-label); crypto/x509 compares Unicode bytes and splits a final dot into an empty label"
		}
		return ""
	}
	switch {
	case pkixname.DNSSyntax(pattern) != "":
		return "san-dns-invalid: the SAN is not a host name (RFC 5280 4.2.1.6: preferred name syntax); crypto/x509 matches an invalid pattern byte for byte"
	case strings.Contains(host, "*"):
		return "wildcard-reference: RFC 6125 6.4.3: a reference identifier holding * is no host name"
	case !wxHostLabels(host):
		return "reference-not-a-host: RFC 1123 2.1: a label of the server name starts or ends with a hyphen, or is an A-label that does not decode (xn--); crypto/x509 lets a wildcard stand for it"
	}
	return ""
}

// wxHostLabels reports whether every label of a server name, in A-labels where IDNA can
// convert it, is a host-name label without a hyphen first or last.
func wxHostLabels(host string) bool {
	h := strings.TrimSuffix(host, ".")
	if a, err := idna.Lookup.ToASCII(h); err == nil {
		h = a
	}
	for _, l := range strings.Split(h, ".") {
		if l == "" || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
			return false
		}
	}
	return true
}

// TestWXNameMatching is the peer-name differential (WX_NAME_SEEDS=count explores more).
func TestWXNameMatching(t *testing.T) {
	t.Parallel()
	n := 20000
	if s := os.Getenv("WX_NAME_SEEDS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	counts := map[string]int{}
	for seed := range n {
		r := mrand.New(mrand.NewSource(int64(seed)))
		pattern := wxDrawName(r)
		host := wxHostFor(r, pattern)
		if host == "" || net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")) != nil {
			continue // IP literals take the iPAddress path
		}
		s, g := wxSignetMatches(pattern, host), wxGoMatches(pattern, host)
		if s == g {
			counts[fmt.Sprintf("agree match=%v", s)]++
			continue
		}
		why := wxNameWhy(pattern, host, s)
		if why == "" {
			t.Errorf("seed %d: SAN %q, server name %q: signet matches=%v, crypto/x509 matches=%v: a disagreement without an explanation", seed, pattern, host, s, g)
			continue
		}
		counts[why[:strings.IndexByte(why, ':')]]++
	}
	t.Log(counts)
}
