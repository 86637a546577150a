package verify_test

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// rxVerdicts are the answers of the three verifiers on one case.
type rxVerdicts struct {
	rfc, web string // signet's rule under each profile, "" when valid, "unparsed"
	ossl     string // openssl's error number ("ok" when it accepts), "" when not run
	osslLine string
	gox      string // crypto/x509's verdict: "ok" or the error, "" when not run
	// osslOnChain is openssl's verdict on signet's chain alone, when signet accepts and
	// openssl does not.
	osslOnChain string
}

func rxParse(der []byte) (*x509.Certificate, error) { return x509util.ParseCertificate(der) }

func (c *rxCase) policy(profile verify.Profile) (verify.Policy, *x509.Certificate, error) {
	p := verify.Policy{At: rxAt, Profile: profile, DNSName: c.host, IP: c.ip, Email: c.email, Policies: c.policies,
		RequireExplicitPolicy: c.explicit, InhibitPolicyMapping: c.inhibitMap, InhibitAnyPolicy: c.inhibitAny}
	switch c.eku {
	case "serverAuth":
		p.EKUs = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	case "clientAuth":
		p.EKUs = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	for _, d := range c.roots {
		r, err := rxParse(d)
		if err != nil {
			return p, nil, err
		}
		p.Roots = append(p.Roots, r)
	}
	for _, d := range c.inters {
		r, err := rxParse(d)
		if err != nil {
			return p, nil, err
		}
		p.Intermediates = append(p.Intermediates, r)
	}
	leaf, err := rxParse(c.leaf)
	return p, leaf, err
}

// signet returns signet's rule under a profile ("" valid, "unparsed").
func (c *rxCase) signet(t testing.TB, profile verify.Profile) string {
	p, leaf, err := c.policy(profile)
	if err != nil {
		return "unparsed"
	}
	res, err := verify.Verify(leaf, nil, p)
	if err == nil {
		return ""
	}
	var ve *verify.Error
	if !errors.As(err, &ve) || res == nil || res.Rule == "" {
		t.Fatalf("seed %d: not a verdict: %v", c.seed, err)
	}
	return res.Rule
}

var rxOSSLErr = regexp.MustCompile(`(?m)^error (\d+) at (\d+) depth lookup: (.*)$`)

// openssl returns openssl verify's verdict: "ok", or the number of its first error.
func (c *rxCase) openssl(t testing.TB, bin string) (string, string) {
	return c.opensslWith(t, bin, c.roots, c.inters)
}

// opensslWith is openssl's verdict on the case with other roots and intermediates.
func (c *rxCase) opensslWith(t testing.TB, bin string, roots, inters [][]byte) (string, string) {
	dir := t.TempDir()
	args := []string{"verify", "-x509_strict", "-attime", fmt.Sprint(rxAt.Unix()),
		"-CAfile", dPEMtb(t, dir, "roots.pem", roots...)}
	if len(inters) > 0 {
		args = append(args, "-untrusted", dPEMtb(t, dir, "inters.pem", inters...))
	}
	if c.partialChain || len(roots) > 0 && !rxSelfSigned(roots[0]) {
		args = append(args, "-partial_chain")
	}
	switch c.eku {
	case "serverAuth":
		args = append(args, "-purpose", "sslserver")
	case "clientAuth":
		args = append(args, "-purpose", "sslclient")
	}
	if c.host != "" {
		args = append(args, "-verify_hostname", c.host)
	}
	if c.ip != nil {
		args = append(args, "-verify_ip", c.ip.String())
	}
	if c.email != "" {
		args = append(args, "-verify_email", c.email)
	}
	// openssl's user-initial-policy-set is empty unless -policy says otherwise; RFC 5280
	// 6.1.1 (c) makes it any-policy by default, as signet does.
	pols := c.policies
	if len(pols) == 0 {
		pols = []asn1.ObjectIdentifier{polAny}
	}
	for _, o := range pols {
		args = append(args, "-policy", o.String())
	}
	if c.explicit {
		args = append(args, "-explicit_policy")
	}
	if c.inhibitMap {
		args = append(args, "-inhibit_map")
	}
	if c.inhibitAny {
		args = append(args, "-inhibit_any")
	}
	args = append(args, "-policy_check")
	args = append(args, dPEMtb(t, dir, "leaf.pem", c.leaf))
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err == nil {
		return "ok", ""
	}
	m := rxOSSLErr.FindSubmatch(out)
	if m == nil {
		return "unparsed", strings.TrimSpace(string(out))
	}
	return string(m[1]), string(m[0])
}

func dPEMtb(t testing.TB, dir, name string, ders ...[]byte) string {
	tt, ok := t.(*testing.T)
	if !ok {
		panic("rx: dPEM needs a *testing.T")
	}
	return dPEM(tt, dir, name, "CERTIFICATE", ders...)
}

// gox returns crypto/x509's verdict: "ok", or its error.
func (c *rxCase) gox() string {
	opts := x509.VerifyOptions{CurrentTime: rxAt, Roots: x509.NewCertPool(), Intermediates: x509.NewCertPool()}
	for _, d := range c.roots {
		r, err := x509.ParseCertificate(d)
		if err != nil {
			return "unparsed"
		}
		opts.Roots.AddCert(r)
	}
	for _, d := range c.inters {
		r, err := x509.ParseCertificate(d)
		if err != nil {
			return "unparsed"
		}
		opts.Intermediates.AddCert(r)
	}
	leaf, err := x509.ParseCertificate(c.leaf)
	if err != nil {
		return "unparsed"
	}
	switch c.eku {
	case "serverAuth":
		opts.KeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	case "clientAuth":
		opts.KeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	default:
		opts.KeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageAny}
	}
	if c.host != "" {
		opts.DNSName = c.host
	} else if c.ip != nil {
		opts.DNSName = c.ip.String()
	}
	for _, o := range c.policies {
		oid, err := x509.OIDFromInts(intsOf(o))
		if err != nil {
			panic(err)
		}
		opts.CertificatePolicies = append(opts.CertificatePolicies, oid)
	}
	if _, err := leaf.Verify(opts); err != nil {
		return "err: " + err.Error()
	}
	return "ok"
}

func intsOf(o asn1.ObjectIdentifier) []uint64 {
	out := make([]uint64, len(o))
	for i, v := range o {
		out[i] = uint64(v)
	}
	return out
}

func rxSelfSigned(der []byte) bool {
	c, err := x509.ParseCertificate(der)
	return err == nil && bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil
}

// signetChain is the chain signet validated (leaf first, anchor last), nil when it refuses.
func (c *rxCase) signetChain(t testing.TB) [][]byte {
	p, leaf, err := c.policy(verify.ProfileRFC5280)
	if err != nil {
		return nil
	}
	p.Profile = verify.ProfileRFC5280
	res, err := verify.Verify(leaf, nil, p)
	if err != nil {
		return nil
	}
	var out [][]byte
	for _, r := range res.Chain {
		out = append(out, r.Certificate.Raw)
	}
	return out
}

// run asks every verifier.
func (c *rxCase) run(t testing.TB, openssl string) rxVerdicts {
	v := rxVerdicts{rfc: c.signet(t, verify.ProfileRFC5280), web: c.signet(t, verify.ProfileWebPKI), gox: c.gox()}
	if openssl != "" {
		v.ossl, v.osslLine = c.openssl(t, openssl)
		if v.rfc == "" && v.ossl != "ok" {
			if ch := c.signetChain(t); len(ch) > 1 {
				v.osslOnChain, _ = c.opensslWith(t, openssl, ch[len(ch)-1:], ch[1:len(ch)-1])
			}
		}
	}
	return v
}

func (c *rxCase) String() string {
	return fmt.Sprintf("seed %d: %s", c.seed, strings.Join(c.feats, " "))
}

// rxSeeds reads the campaign's seeds: RX_SEEDS=first:count, or the fixed CI set.
func rxSeeds(t *testing.T, ciCount int) []int64 {
	first, n := int64(1), ciCount
	if s := os.Getenv("RX_SEEDS"); s != "" {
		a, b, ok := strings.Cut(s, ":")
		f, err1 := strconv.ParseInt(a, 10, 64)
		m, err2 := strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil {
			t.Fatalf("RX_SEEDS=%q: want first:count", s)
		}
		first, n = f, m
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = first + int64(i)
	}
	return out
}

// TestRXExplore prints every disagreement of the seeds of RX_SEEDS, grouped (a tool for the
// campaign, skipped without RX_EXPLORE).
func TestRXExplore(t *testing.T) {
	if os.Getenv("RX_EXPLORE") == "" {
		t.Skip("set RX_EXPLORE=1 (and RX_SEEDS=first:count)")
	}
	openssl, _ := exec.LookPath("openssl")
	seeds := rxSeeds(t, 300)
	type row struct {
		c *rxCase
		v rxVerdicts
	}
	var mu sync.Mutex
	groups := map[string][]row{}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for _, s := range seeds {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c := rxGenerate(s)
			v := c.run(t, openssl)
			key := ""
			sok := v.rfc == ""
			ook := v.ossl == "ok"
			if v.ossl != "" && sok != ook && rxExplain(rxOpenSSLWhys, c, v) == nil {
				key = fmt.Sprintf("openssl rfc=%q ossl=%s", v.rfc, v.ossl)
			}
			if gok := v.gox == "ok"; v.gox != "unparsed" && gok != sok {
				g := v.gox
				if i := strings.Index(g, ":"); i > 0 && len(g) > 60 {
					g = g[:60]
				}
				key += fmt.Sprintf(" | go rfc=%q go=%s", v.rfc, g)
			}
			if why := rxWebMonotone(v); why != "" {
				key += " | " + why
			}
			if key == "" {
				return
			}
			mu.Lock()
			groups[key] = append(groups[key], row{c, v})
			mu.Unlock()
		}()
	}
	wg.Wait()
	var keys []string
	for k := range groups {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return len(groups[b]) - len(groups[a]) })
	for _, k := range keys {
		rows := groups[k]
		var b bytes.Buffer
		fmt.Fprintf(&b, "== %d × %s\n", len(rows), k)
		for i, r := range rows {
			if i >= 400 {
				break
			}
			fmt.Fprintf(&b, "   %s\n      web=%q go=%s ossl=%s\n", r.c, r.v.web, r.v.gox, r.v.osslLine)
		}
		t.Log(b.String())
	}
}

// TestRXDump writes the certificates of the seed RX_DUMP into RX_DIR (a tool for the
// campaign), with the openssl command line that judges them.
func TestRXDump(t *testing.T) {
	s := os.Getenv("RX_DUMP")
	if s == "" {
		t.Skip("set RX_DUMP=seed RX_DIR=dir")
	}
	seed, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("RX_DIR")
	c := rxGenerate(seed)
	for i, d := range slices.Concat(c.roots, c.inters, [][]byte{c.leaf}) {
		if err := os.WriteFile(fmt.Sprintf("%s/c%d.der", dir, i), d, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dPEM(t, dir, "roots.pem", "CERTIFICATE", c.roots...)
	dPEM(t, dir, "inters.pem", "CERTIFICATE", c.inters...)
	dPEM(t, dir, "leaf.pem", "CERTIFICATE", c.leaf)
	openssl, _ := exec.LookPath("openssl")
	v := c.run(t, openssl)
	t.Logf("%s\nrfc=%q web=%q go=%s openssl=%s %s", c, v.rfc, v.web, v.gox, v.ossl, v.osslLine)
	p, leaf, err := c.policy(verify.ProfileRFC5280)
	if err == nil {
		res, _ := verify.Verify(leaf, nil, p)
		for _, ch := range res.Checks {
			t.Logf("  %s %s %s %s", ch.Check, ch.Status, ch.Rule, ch.Detail)
		}
	}
}

// rxExplain returns the first explanation of a disagreement, nil when none fits.
func rxExplain(whys []rxWhy, c *rxCase, v rxVerdicts) *rxWhy {
	for i := range whys {
		if whys[i].match(c, v) {
			return &whys[i]
		}
	}
	return nil
}

// rxWebMonotone checks that the webpki profile is at least as strict as rfc5280 (it adds
// rules), but for the rules it lifts (doc.go): rfc5280.nc-not-critical.
func rxWebMonotone(v rxVerdicts) string {
	if v.rfc != "" && v.rfc != "unparsed" && v.web == "" && v.rfc != "rfc5280.nc-not-critical" {
		return fmt.Sprintf("webpki accepts what rfc5280 refuses (%s)", v.rfc)
	}
	return ""
}

// rxWhy explains one kind of disagreement between signet and a peer.
type rxWhy struct {
	id string
	// class: "peer" (the peer is wrong: why gives the RFC section), "choice" (a documented
	// choice of signet's: why says where it is documented), "harness" (the peer was not told
	// the same policy, so its verdict is not comparable).
	class, why string
	match      func(c *rxCase, v rxVerdicts) bool
}

// rxLeaf is the leaf as crypto/x509 reads it (nil when it does not parse).
func (c *rxCase) leafCert() *x509.Certificate {
	l, err := x509.ParseCertificate(c.leaf)
	if err != nil {
		return nil
	}
	return l
}

func rule(rules ...string) func(*rxCase, rxVerdicts) bool {
	return func(_ *rxCase, v rxVerdicts) bool { return slices.Contains(rules, v.rfc) }
}

func osslErr(codes ...string) func(*rxCase, rxVerdicts) bool {
	return func(_ *rxCase, v rxVerdicts) bool { return v.rfc == "" && slices.Contains(codes, v.ossl) }
}

func both(a, b func(*rxCase, rxVerdicts) bool) func(*rxCase, rxVerdicts) bool {
	return func(c *rxCase, v rxVerdicts) bool { return a(c, v) && b(c, v) }
}

func feat(prefixes ...string) func(*rxCase, rxVerdicts) bool {
	return func(c *rxCase, _ rxVerdicts) bool {
		for _, p := range prefixes {
			if c.has(p) {
				return true
			}
		}
		return false
	}
}

// rxOpenSSLWhys explain the disagreements with `openssl verify -x509_strict` (OpenSSL 3.0).
var rxOpenSSLWhys = []rxWhy{
	{"openssl-path-building", "peer", "RFC 4158 and RFC 5280 6: a valid path exists (signet's, which openssl accepts when given only it); openssl builds one path and does not backtrack to the cross-certificate or past the impostor (as diff_cases 'anchor expired, the same key in a valid cross-certificate')",
		func(c *rxCase, v rxVerdicts) bool { return v.rfc == "" && v.osslOnChain == "ok" }},
	{"openssl-akid", "peer", "RFC 5280 4.2.1.1: key identifiers are a path-building aid and 6.1 never uses them; openssl refuses an issuer whose subject key identifier is not the authority key identifier (diff_cases 'leaf AKI names another key')",
		both(osslErr("2", "20", "21"), feat("aki=wrong", "ski=wrong"))},
	{"openssl-ca-without-ku", "choice", "RFC 5280 6.1.4 (n) checks keyCertSign only when key usage is present; diff_cases 'intermediate without key usage' (policy)",
		osslErr("92")},
	{"openssl-bc-not-critical", "choice", "PKITS 4.6.4 holds an intermediate with non-critical basicConstraints valid; doc.go rfc5280.bc-not-critical (anchors; webpki everywhere)",
		osslErr("89")},
	{"openssl-purpose-ku", "choice", "signet checks the leaf key usage bits the caller asks for (Policy.KeyUsage, none here), openssl's sslserver/sslclient purposes want digitalSignature, keyEncipherment or keyAgreement; diff_cases 'leaf key usage cRLSign only, serverAuth required'",
		both(osslErr("26"), func(c *rxCase, _ rxVerdicts) bool {
			l := c.leafCert()
			return l != nil && l.KeyUsage != 0 && l.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageKeyAgreement|x509.KeyUsageKeyEncipherment) != x509.KeyUsageDigitalSignature|x509.KeyUsageKeyAgreement|x509.KeyUsageKeyEncipherment
		})},
	{"openssl-cn-fallback", "peer", "RFC 9525 drops CN-IDs (RFC 6125 6.4.4 allowed them only as a last resort); signet never matches the common name (Policy.DNSName doc, diff_cases 'host only in the CN'); openssl falls back to a host-like CN when no dNSName is present",
		both(rule("rfc6125.host"), func(c *rxCase, _ rxVerdicts) bool { l := c.leafCert(); return l != nil && len(l.DNSNames) == 0 })},
	{"openssl-eku-empty", "peer", "RFC 5280 4.2.1.12: ExtKeyUsageSyntax is SIZE (1..MAX); openssl reads an empty one (diff_cases 'leaf EKU empty')",
		rule("rfc5280.eku-empty")},
	{"openssl-nc-invalid", "choice", "doc.go rfc5280.nc-invalid: a dNSName constraint with a leading period is written invalidly (diff_cases 'nc dns leading period')",
		rule("rfc5280.nc-invalid")},
	{"openssl-nc-not-critical", "choice", "doc.go rfc5280.nc-not-critical: RFC 5280 4.2.1.10 MUST be critical, refused under the rfc5280 profile (diff_cases 'nc not critical')",
		rule("rfc5280.nc-not-critical")},
	{"openssl-anchor-contents", "choice", "doc.go 'Trust anchors': a trust anchor's contents are checked (aki-missing, ski-missing: 'anchors included'); openssl -partial_chain does not look at them",
		both(rule("rfc5280.aki-missing", "rfc5280.ski-missing", "rfc5280.bc-not-critical", "rfc5280.pc-not-critical"), feat("pool:partial-chain"))},
	{"unparsed-nc-mask", "peer", "RFC 5280 4.2.1.10 with RFC 4632: an iPAddress constraint's mask is a CIDR prefix; crypto/x509 refuses a non-contiguous one (the CLI exits 3), openssl keeps it",
		both(rule("unparsed"), feat("ip:badmask"))},
}
