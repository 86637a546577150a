package verify_test

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

const pki = "../testdata/pki"

// pinned is the validation time of every fixture test (testdata/pki/README.md).
var pinned = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func mustCerts(t testing.TB, names ...string) []*x509.Certificate {
	t.Helper()
	var all []*x509.Certificate
	for _, n := range names {
		certs, err := x509util.LoadCertificateFile(filepath.Join(pki, n))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, certs...)
	}
	return all
}

func mustCRLs(t testing.TB, names ...string) []*x509.RevocationList {
	t.Helper()
	var all []*x509.RevocationList
	for _, n := range names {
		crls, err := x509util.LoadCRLs(filepath.Join(pki, n))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, crls...)
	}
	return all
}

func TestVerifyFixtures(t *testing.T) {
	type tc struct {
		name   string
		leaf   string
		roots  []string // default root-ca.pem
		inters []string // default int-ca.pem
		crls   []string
		policy func(p *verify.Policy)
		want   verify.Reason // "" = valid
		detail string        // substring of the error (or, when valid, of some check's detail)
		chain  int           // expected chain length, 0 = do not check
		as     any           // a pointer to an x509 error type errors.As must find
	}
	eku := func(us ...x509.ExtKeyUsage) func(*verify.Policy) {
		return func(p *verify.Policy) { p.EKUs = us }
	}
	var hostErr x509.HostnameError
	var invalidErr x509.CertificateInvalidError
	var unknownErr x509.UnknownAuthorityError
	var critErr x509.UnhandledCriticalExtension
	var cvErr x509.ConstraintViolationError

	tests := []tc{
		{name: "server with host and serverAuth", leaf: "server.pem", policy: func(p *verify.Policy) {
			p.DNSName, p.EKUs = "server.example.com", []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		}, chain: 3, detail: "host server.example.com matches"},
		{name: "server second SAN", leaf: "server.pem", policy: func(p *verify.Policy) { p.DNSName = "WWW.example.com" }},
		{name: "chain file carries the intermediate", leaf: "server-chain.pem", inters: []string{}, chain: 3},
		{name: "server IP", leaf: "server.pem", policy: func(p *verify.Policy) { p.IP = net.ParseIP("192.0.2.10") }},
		{name: "server wrong IP", leaf: "server.pem", policy: func(p *verify.Policy) { p.IP = net.ParseIP("192.0.2.11") },
			want: verify.NameMismatch, detail: "not valid for IP address 192.0.2.11 (its IP addresses: 192.0.2.10)", as: &hostErr},
		{name: "server wrong host", leaf: "server.pem", policy: func(p *verify.Policy) { p.DNSName = "other.example.com" },
			want: verify.NameMismatch, detail: "not valid for host other.example.com (its DNS names: server.example.com, www.example.com)", as: &hostErr},
		{name: "server CN is not a host name source", leaf: "wrong-eku.pem", policy: func(p *verify.Policy) { p.DNSName = "server.example.com" },
			want: verify.NameMismatch},
		{name: "client clientAuth", leaf: "client.pem", policy: eku(x509.ExtKeyUsageClientAuth)},
		{name: "client used as server", leaf: "client.pem", policy: eku(x509.ExtKeyUsageServerAuth),
			want: verify.EKU, detail: "is for clientAuth, not serverAuth", as: &invalidErr},
		{name: "code signing P-256", leaf: "codesign.pem", policy: func(p *verify.Policy) {
			p.EKUs, p.KeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}, x509.KeyUsageDigitalSignature
		}, detail: "digitalSignature present"},
		{name: "code signing RSA", leaf: "codesign-rsa.pem", policy: eku(x509.ExtKeyUsageCodeSigning)},
		{name: "code signing Ed25519", leaf: "codesign-ed25519.pem", policy: eku(x509.ExtKeyUsageCodeSigning)},
		{name: "no EKU constraint by default", leaf: "wrong-eku.pem", detail: "no extended key usage required"},
		{name: "any lifts the EKU constraint", leaf: "wrong-eku.pem", policy: eku(x509.ExtKeyUsageCodeSigning, x509.ExtKeyUsageAny)},
		{name: "email", leaf: "email.pem", policy: func(p *verify.Policy) {
			p.EKUs, p.Email = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}, "alice@EXAMPLE.com"
		}},
		{name: "email local part is case-sensitive", leaf: "email.pem", policy: func(p *verify.Policy) { p.Email = "Alice@example.com" },
			want: verify.NameMismatch, detail: "its email addresses: alice@example.com"},
		{name: "expired leaf", leaf: "expired.pem", want: verify.Expired,
			detail: "certificate CN=Signet Test Expired Signer,O=Signet Test expired at 2021-01-01T00:00:00Z", as: &invalidErr},
		{name: "not yet valid leaf", leaf: "not-yet-valid.pem", want: verify.NotYetValid,
			detail: "is not valid before 2040-01-01T00:00:00Z", as: &invalidErr},
		{name: "intermediate not yet valid at the leaf's time", leaf: "expired.pem", policy: func(p *verify.Policy) {
			p.At = time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)
		}, want: verify.NotYetValid, detail: "intermediate CA CN=Signet Test Intermediate CA,O=Signet Test is not valid before 2025-01-01"},
		{name: "expired intermediate", leaf: "expired-ca-leaf.pem", inters: []string{"expired-ca.pem"}, want: verify.Expired,
			detail: "intermediate CA CN=Signet Test Expired CA,O=Signet Test expired at 2021-01-01T00:00:00Z", chain: 3, as: &invalidErr},
		{name: "server certificate used for code signing", leaf: "wrong-eku.pem", policy: eku(x509.ExtKeyUsageCodeSigning),
			want: verify.EKU, detail: "is for serverAuth, not codeSigning"},
		{name: "unknown EKU OID required", leaf: "codesign.pem", policy: func(p *verify.Policy) {
			p.UnknownEKUs = append(p.UnknownEKUs, []int{1, 2, 3, 4})
		}, want: verify.EKU, detail: "not 1.2.3.4"},
		{name: "every EKU required", leaf: "eku-ca-leaf.pem", inters: []string{"eku-ca.pem"}, policy: eku(x509.ExtKeyUsageCodeSigning, x509.ExtKeyUsageEmailProtection),
			want: verify.EKU, detail: "not emailProtection"},
		{name: "CA restricts EKU", leaf: "eku-ca-leaf.pem", inters: []string{"eku-ca.pem"}, policy: eku(x509.ExtKeyUsageClientAuth),
			want: verify.EKU, detail: "intermediate CA CN=Signet Test serverAuth-only CA,O=Signet Test restricts extended key usage to serverAuth, which excludes clientAuth"},
		{name: "revoked leaf", leaf: "revoked.pem", crls: []string{"int-ca.crl"}, want: verify.Revoked,
			detail: "(serial 5167000000000015) was revoked at 2025-06-01T00:00:00Z (keyCompromise)"},
		{name: "revoked leaf without CRL is not checked", leaf: "revoked.pem", detail: "not checked: no CRL of"},
		{name: "CRL says not revoked", leaf: "codesign.pem", crls: []string{"int-ca.crl"}, detail: "not revoked according to the CRL of CN=Signet Test Intermediate CA,O=Signet Test (number 4096)"},
		{name: "stale CRL", leaf: "codesign.pem", crls: []string{"int-ca-stale.crl"}, want: verify.CRLInvalid,
			detail: "CRL of CN=Signet Test Intermediate CA,O=Signet Test (number 4097) expired at 2025-02-01T00:00:00Z (nextUpdate)"},
		{name: "stale CRL beside a current one", leaf: "codesign.pem", crls: []string{"int-ca-stale.crl", "int-ca.crl"}},
		{name: "CRL not yet valid", leaf: "codesign.pem", crls: []string{"int-ca-future.crl"}, want: verify.CRLInvalid,
			detail: "is not valid before 2027-01-01T00:00:00Z (thisUpdate)"},
		{name: "CRL signed by another key", leaf: "codesign.pem", crls: []string{"int-ca.crl", "int-ca-wrongkey.crl"}, want: verify.CRLInvalid,
			detail: "is not signed by the chain's CN=Signet Test Intermediate CA,O=Signet Test"},
		{name: "CRL with critical extension", leaf: "codesign.pem", crls: []string{"int-ca-critext.crl"}, want: verify.CRLInvalid,
			detail: "critical extension signet does not process (1.3.6.1.4.1.55555.2"},
		{name: "CRL issuer without cRLSign", leaf: "nc-ok.pem", inters: []string{"nc-ca.pem"}, crls: []string{"nc-ca.crl"},
			want: verify.CRLInvalid, detail: "the issuer's key usage (keyCertSign) lacks cRLSign", as: &cvErr},
		{name: "CRL required and missing", leaf: "codesign.pem", policy: func(p *verify.Policy) { p.RequireCRL = true },
			want: verify.CRLMissing, detail: "no CRL of CN=Signet Test Intermediate CA,O=Signet Test to check"},
		{name: "CRL required and given", leaf: "codesign.pem", crls: []string{"int-ca.crl"}, policy: func(p *verify.Policy) { p.RequireCRL = true }},
		{name: "unrelated CRL is reported", leaf: "codesign.pem", crls: []string{"int-ca.crl", "mid-ca.crl"}, detail: "Mid CA,O=Signet Test (number 4096) covers no certificate"},
		{name: "revoked intermediate", leaf: "revoked-ca-leaf.pem", inters: []string{"revoked-ca.pem"}, crls: []string{"root-ca.crl", "revoked-ca.crl"},
			want: verify.Revoked, detail: "intermediate CA CN=Signet Test Revoked CA,O=Signet Test (serial 5167000000000009) was revoked at 2025-07-01T00:00:00Z (cACompromise)"},
		{name: "two intermediates", leaf: "deep-leaf.pem", inters: []string{"mid-ca.pem", "issuing-ca.pem"}, chain: 4},
		{name: "depth exceeded", leaf: "deep-leaf.pem", inters: []string{"mid-ca.pem", "issuing-ca.pem"}, policy: func(p *verify.Policy) { p.MaxDepth = new(1) },
			want: verify.Depth, detail: "the chain has 2 intermediate(s), more than the 1 allowed"},
		{name: "depth at the limit", leaf: "deep-leaf.pem", inters: []string{"mid-ca.pem", "issuing-ca.pem"}, policy: func(p *verify.Policy) { p.MaxDepth = new(2) }},
		{name: "depth zero", leaf: "server.pem", policy: func(p *verify.Policy) { p.MaxDepth = new(0) }, want: verify.Depth},
		{name: "require CRL of every intermediate below the root's children", leaf: "deep-leaf.pem", inters: []string{"mid-ca.pem", "issuing-ca.pem"},
			crls: []string{"issuing-ca.crl"}, policy: func(p *verify.Policy) { p.RequireCRL = true },
			want: verify.CRLMissing, detail: "no CRL of CN=Signet Test Mid CA,O=Signet Test to check CN=Signet Test Issuing CA,O=Signet Test"},
		{name: "require CRL deep chain satisfied", leaf: "deep-leaf.pem", inters: []string{"mid-ca.pem", "issuing-ca.pem"},
			crls: []string{"issuing-ca.crl", "mid-ca.crl"}, policy: func(p *verify.Policy) { p.RequireCRL = true }},
		{name: "name constraints inside", leaf: "nc-ok.pem", inters: []string{"nc-ca.pem"}, policy: func(p *verify.Policy) { p.DNSName = "app.nc.example.com" }},
		{name: "name constraints outside", leaf: "nc-bad.pem", inters: []string{"nc-ca.pem"}, want: verify.Constraint,
			detail: "outside the name constraints of a CA of its chain", chain: 3, as: &invalidErr},
		{name: "CA without keyCertSign", leaf: "nokcs-leaf.pem", inters: []string{"nokcs-ca.pem"}, want: verify.Constraint,
			detail: "may not issue certificates: its key usage (digitalSignature, cRLSign) lacks keyCertSign", chain: 3, as: &cvErr},
		{name: "version 1 intermediate", leaf: "v1-leaf.pem", inters: []string{"v1-ca.pem"}, want: verify.Constraint,
			detail: "it is a version 1 certificate, without basic constraints", as: &invalidErr},
		{name: "path length exceeded", leaf: "pathlen-leaf.pem", inters: []string{"int-ca.pem", "sub-ca.pem"}, want: verify.Constraint,
			detail: "allows 0 intermediate CA(s) below it (pathLenConstraint), the chain has 1", chain: 4, as: &invalidErr},
		{name: "unknown critical extension", leaf: "critext.pem", want: verify.Constraint,
			detail: "has an unhandled critical extension 1.3.6.1.4.1.55555.1", as: &critErr},
		{name: "key usage without digitalSignature", leaf: "codesign-nods.pem", policy: func(p *verify.Policy) { p.KeyUsage = x509.KeyUsageDigitalSignature },
			want: verify.KeyUsage, detail: "has key usage keyEncipherment, without digitalSignature"},
		{name: "key usage not required", leaf: "codesign-nods.pem", policy: eku(x509.ExtKeyUsageCodeSigning)},
		{name: "keyCertSign in a leaf", leaf: "kcs-leaf.pem", want: verify.Malformed, detail: "asserts keyCertSign but is not a CA"},
		{name: "empty subject with non-critical SAN", leaf: "empty-subject.pem", want: verify.Malformed,
			detail: "certificate (empty subject): it has an empty subject and a subjectAltName not marked critical"},
		{name: "impostor root", leaf: "server.pem", roots: []string{"impostor-root.pem"}, want: verify.UnknownAuthority,
			detail: "the certificate of that name in the roots (sha256:", chain: 2, as: &unknownErr},
		{name: "missing intermediate", leaf: "server.pem", inters: []string{}, want: verify.UnknownAuthority,
			detail: "the issuer of CN=server.example.com,O=Signet Test, CN=Signet Test Intermediate CA,O=Signet Test, is neither among the trusted roots nor among the intermediates", chain: 1},
		{name: "untrusted self-signed", leaf: "int-impostor.pem", want: verify.UnknownAuthority, detail: "is self-signed and not among the trusted roots"},
		{name: "intermediate as trust anchor", leaf: "server.pem", roots: []string{"int-ca.pem"}, inters: []string{}, chain: 2},
		{name: "root verifies itself", leaf: "root-ca.pem", chain: 1, detail: "itself a trust anchor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			roots := tt.roots
			if roots == nil {
				roots = []string{"root-ca.pem"}
			}
			inters := tt.inters
			if inters == nil {
				inters = []string{"int-ca.pem"}
			}
			leafAndChain := mustCerts(t, tt.leaf)
			p := verify.Policy{Roots: mustCerts(t, roots...), Intermediates: mustCerts(t, inters...), At: pinned, CRLs: mustCRLs(t, tt.crls...)}
			if tt.policy != nil {
				tt.policy(&p)
			}
			res, err := verify.Verify(leafAndChain[0], leafAndChain[1:], p)
			if res == nil {
				t.Fatalf("no result: %v", err)
			}
			if tt.want == "" {
				if err != nil || !res.Valid || res.Reason != "" {
					t.Fatalf("want valid, got %v (valid=%v)\n%s", err, res.Valid, dumpChecks(res))
				}
			} else {
				if !errors.Is(err, verify.ErrInvalid) || !errors.Is(err, tt.want) || res.Valid || res.Reason != tt.want {
					t.Fatalf("want %s, got %v (reason %q)\n%s", tt.want, err, res.Reason, dumpChecks(res))
				}
				var ve *verify.Error
				if !errors.As(err, &ve) || ve.Reason != tt.want || res.Error != err.Error() {
					t.Fatalf("not a *verify.Error with the result's message: %#v", err)
				}
				if tt.as != nil && !errors.As(err, tt.as) {
					t.Fatalf("errors.As(%T) fails on %v", tt.as, err)
				}
			}
			if tt.detail != "" {
				found := err != nil && strings.Contains(err.Error(), tt.detail)
				for _, c := range res.Checks {
					found = found || strings.Contains(c.Detail, tt.detail)
				}
				if !found {
					t.Fatalf("no %q in the error or checks: %v\n%s", tt.detail, err, dumpChecks(res))
				}
			}
			if tt.chain != 0 && len(res.Chain) != tt.chain {
				t.Fatalf("chain has %d certificates, want %d\n%s", len(res.Chain), tt.chain, dumpChecks(res))
			}
			if res.Chain[0].Role != "leaf" || !res.Policy.At.Equal(p.At) {
				t.Fatalf("chain[0] role %q, policy at %v", res.Chain[0].Role, res.Policy.At)
			}
		})
	}
}

func dumpChecks(res *verify.Result) string {
	var b strings.Builder
	for _, c := range res.Chain {
		b.WriteString("  chain: " + c.Role + " " + c.Subject + "\n")
	}
	for _, c := range res.Checks {
		b.WriteString("  " + string(c.Status) + " " + c.Check + " [" + c.Subject + "] " + c.Detail + "\n")
	}
	return b.String()
}

func TestVerifyNotChecked(t *testing.T) {
	server := mustCerts(t, "server.pem")[0]
	tests := []struct {
		name   string
		leaf   *x509.Certificate
		policy verify.Policy
		want   error
	}{
		{"no trust anchors", server, verify.Policy{At: pinned}, verify.ErrPolicy},
		{"negative depth", server, verify.Policy{Roots: mustCerts(t, "root-ca.pem"), MaxDepth: new(-1)}, verify.ErrPolicy},
		{"unknown EKU value", server, verify.Policy{Roots: mustCerts(t, "root-ca.pem"), EKUs: []x509.ExtKeyUsage{99}}, verify.ErrPolicy},
		{"no certificate", nil, verify.Policy{Roots: mustCerts(t, "root-ca.pem")}, verify.ErrUnchecked},
		{"unparsed certificate", &x509.Certificate{}, verify.Policy{Roots: mustCerts(t, "root-ca.pem")}, verify.ErrUnchecked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := verify.Verify(tt.leaf, nil, tt.policy)
			if res != nil || !errors.Is(err, tt.want) || errors.Is(err, verify.ErrInvalid) {
				t.Fatalf("got %v, %v; want nil and %v (not ErrInvalid)", res, err, tt.want)
			}
		})
	}
}

func TestParseEKUs(t *testing.T) {
	known, unknown, err := verify.ParseEKUs([]string{"serverAuth", "CODESIGNING", "any", "1.3.6.1.5.5.7.3.4", "1.2.3.4", "OCSPSigning", "timeStamping", "clientAuth", "anyExtendedKeyUsage"})
	if err != nil {
		t.Fatal(err)
	}
	want := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageCodeSigning, x509.ExtKeyUsageAny, x509.ExtKeyUsageEmailProtection,
		x509.ExtKeyUsageOCSPSigning, x509.ExtKeyUsageTimeStamping, x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageAny}
	if len(known) != len(want) || len(unknown) != 1 || unknown[0].String() != "1.2.3.4" {
		t.Fatalf("got %v %v", known, unknown)
	}
	for i := range want {
		if known[i] != want[i] {
			t.Fatalf("got %v, want %v", known, want)
		}
	}
	// x509.ParseOID reads the OIDs: a sign in an arc ("1.2.+5", which strconv.Atoi took for
	// 1.2.5) is refused with the rest.
	for _, bad := range []string{"serverauthx", "1", "1.2.x", "3.1", "1.40", "01.2", "", "1.2.+5", "1.2.-0", "1..2", "1.2."} {
		if _, _, err := verify.ParseEKUs([]string{bad}); !errors.Is(err, verify.ErrPolicy) {
			t.Errorf("%q: err = %v, want ErrPolicy", bad, err)
		}
		if bad != "" && !strings.EqualFold(bad, "serverauthx") {
			if _, err := verify.ParsePolicyOID(bad); !errors.Is(err, verify.ErrPolicy) {
				t.Errorf("policy %q: err = %v, want ErrPolicy", bad, err)
			}
		}
	}
	if oid, err := verify.ParsePolicyOID("2.999.1"); err != nil || oid.String() != "2.999.1" {
		t.Errorf("2.999.1: %v, %v", oid, err)
	}
}

// TestResultJSON pins the JSON field names documented in `signet cert verify --help`.
func TestResultJSON(t *testing.T) {
	leaf := mustCerts(t, "revoked.pem")[0]
	res, err := verify.Verify(leaf, nil, verify.Policy{Roots: mustCerts(t, "root-ca.pem"), Intermediates: mustCerts(t, "int-ca.pem"),
		At: pinned, CRLs: mustCRLs(t, "int-ca.crl"), EKUs: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}, MaxDepth: new(3)})
	if !errors.Is(err, verify.Revoked) {
		t.Fatal(err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"valid", "reason", "error", "chain", "policy", "checks"} {
		if _, ok := m[k]; !ok {
			t.Errorf("no %q in %s", k, b)
		}
	}
	if m["reason"] != "revoked" || m["valid"] != false {
		t.Errorf("reason %v valid %v", m["reason"], m["valid"])
	}
	chain := m["chain"].([]any)[0].(map[string]any)
	for _, k := range []string{"role", "subject", "issuer", "serial", "not_before", "not_after", "sha256", "trust_anchor"} {
		if _, ok := chain[k]; !ok {
			t.Errorf("no chain[0].%s", k)
		}
	}
	pol := m["policy"].(map[string]any)
	for _, k := range []string{"at", "roots", "system_roots", "intermediates", "ekus", "key_usage", "dns_name", "ip", "email", "crls", "require_crl", "max_depth"} {
		if _, ok := pol[k]; !ok {
			t.Errorf("no policy.%s", k)
		}
	}
	if pol["at"] != "2026-06-01T00:00:00Z" || pol["max_depth"] != 3.0 || pol["ekus"].([]any)[0] != "codeSigning" {
		t.Errorf("policy = %v", pol)
	}
	check := m["checks"].([]any)[0].(map[string]any)
	for _, k := range []string{"check", "status", "subject", "detail"} {
		if _, ok := check[k]; !ok {
			t.Errorf("no checks[0].%s", k)
		}
	}
}
