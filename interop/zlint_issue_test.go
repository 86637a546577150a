package interop_test

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	zx509 "github.com/zmap/zcrypto/x509"
	"github.com/zmap/zlint/v3"
	"github.com/zmap/zlint/v3/lint"

	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// TestZlintIssued lints what signet's small CA issues (x509util.IssueCertificate, the code of
// `signet cert create`): a root and an intermediate, and a leaf of every profile for every key
// type signet makes, under zlint's RFC lints and, for the certificates the CA/Browser Forum
// rules govern, the TLS Baseline Requirements'. No certificate may fail an error-level (or
// fatal) lint; the warnings that remain are pinned below, each with the reason signet keeps
// it, so that a new one (a zlint upgrade, a change in issuing) fails here until it is
// explained or fixed. ZLINT_ISSUE_PRINT=1 prints every result.
func TestZlintIssued(t *testing.T) {
	zLoadKeys(t)
	if zKeys.err != nil {
		t.Fatal(zKeys.err)
	}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	regs := map[string]lint.Registry{}
	for name, src := range map[string]lint.SourceList{
		"rfc": {lint.RFC5280, lint.RFC5480, lint.RFC5891, lint.RFC3279, lint.RFC8813},
		"br":  {lint.CABFBaselineRequirements, lint.RFC5280, lint.RFC5480, lint.RFC5891, lint.RFC3279, lint.RFC8813},
	} {
		reg, err := lint.GlobalRegistry().Filter(lint.FilterOptions{IncludeSources: src})
		if err != nil {
			t.Fatal(err)
		}
		regs[name] = reg
	}

	issue := func(req x509util.IssueRequest) *x509.Certificate {
		t.Helper()
		req.Now = now
		got, err := x509util.IssueCertificate(req)
		if err != nil {
			t.Fatalf("issue %s: %v", req.Profile, err)
		}
		return got.Certificate
	}
	root := issue(x509util.IssueRequest{Profile: x509util.ProfileRootCA, Subject: pkix.Name{CommonName: "Signet Lint Root", Organization: []string{"Signet Test"}, Country: []string{"US"}},
		PublicKey: zKeys.root.Public(), IssuerKey: zKeys.root})
	inter := issue(x509util.IssueRequest{Profile: x509util.ProfileIntermediateCA, Subject: pkix.Name{CommonName: "Signet Lint Intermediate", Organization: []string{"Signet Test"}, Country: []string{"US"}},
		PublicKey: zKeys.inter.Public(), Issuer: root, IssuerKey: zKeys.root})

	type subject struct {
		name string
		cert *x509.Certificate
		reg  string
	}
	all := []subject{{"root-ca", root, "br"}, {"intermediate-ca", inter, "br"}}
	keys := map[string]crypto.Signer{"ec-p256": zKeys.leaf, "ec-p384": zKeys.p384, "ec-p521": zKeys.p521, "rsa-2048": zKeys.rsa2048, "ed25519": zKeys.ed}
	for _, p := range x509util.Profiles() {
		if p.IsCA() {
			continue
		}
		for kn, k := range keys {
			req := x509util.IssueRequest{Profile: p, Subject: pkix.Name{CommonName: "lint " + string(p)}, PublicKey: k.Public(),
				Issuer: inter, IssuerChain: []*x509.Certificate{root}, IssuerKey: zKeys.inter, NotAfter: now.Add(90 * 24 * time.Hour)}
			reg := "rfc"
			switch p {
			case x509util.ProfileServer:
				req.Subject = pkix.Name{}
				req.DNSNames = []string{"www.example.com"}
				reg = "br" // the TLS BRs govern server certificates
			case x509util.ProfileEmail:
				req.EmailAddresses = []string{"lint@example.com"}
			}
			all = append(all, subject{string(p) + "/" + kn, issue(req), reg})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })

	// Every certificate passes zlint's RFC lints with no error and no warning. The server
	// profile and the CAs are also linted under the TLS Baseline Requirements, which govern
	// publicly trusted CAs: what they ask of such a CA and signet's private one does not do is
	// listed here with the reason; anything else fails.
	brOnly := map[string]string{
		"e_sub_cert_certificate_policies_missing":                 "a BR policy OID (2.23.140.1.2.x) asserts conformance to the BRs, which a private CA cannot",
		"e_sub_cert_cert_policy_empty":                            "the same: no certificatePolicies extension",
		"e_sub_ca_certificate_policies_missing":                   "the same, for the intermediate",
		"e_invalid_ca_certificate_policies":                       "the same, for the intermediate",
		"e_missing_crl_distrib_point":                             "signet publishes nothing: the operator distributes its CRLs (crl create); no URL to name",
		"e_sub_ca_crl_distribution_points_missing":                "the same, for the intermediate",
		"e_sub_cert_aia_missing":                                  "no OCSP responder or CA-issuers URL exists for a private CA",
		"w_sub_cert_aia_does_not_contain_issuing_ca_url":          "the same",
		"w_sub_ca_aia_missing":                                    "the same, for the intermediate",
		"w_ext_subject_key_identifier_not_recommended_subscriber": "RFC 5280 4.2.1.2 says SHOULD for end entities and path building uses it; the BRs (SC-62) say NOT RECOMMENDED; signet follows RFC 5280",
		"e_algorithm_identifier_improper_encoding":                "Ed25519 keys are outside the BRs' algorithms (RSA, ECDSA P-256/384/521): only for the ed25519 server, which no browser would accept anyway",
	}
	seen := map[string]bool{}
	for _, s := range all {
		c, err := zx509.ParseCertificate(s.cert.Raw)
		if err != nil {
			t.Fatalf("%s: zcrypto cannot parse it: %v", s.name, err)
		}
		for _, regName := range []string{"rfc", s.reg} {
			rs := zlint.LintCertificateEx(c, regs[regName])
			names := make([]string, 0, len(rs.Results))
			for n := range rs.Results {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				r := rs.Results[n]
				if r.Status < lint.Warn {
					continue
				}
				if os.Getenv("ZLINT_ISSUE_PRINT") != "" {
					fmt.Printf("%s [%s] %s: %s %s\n", s.name, regName, n, r.Status, r.Details)
				}
				why, explained := brOnly[n]
				switch {
				case regName == "rfc":
					t.Errorf("%s: RFC lint %s: %s %s", s.name, n, r.Status, r.Details)
				case !explained:
					t.Errorf("%s: BR lint %s: %s %s, not explained", s.name, n, r.Status, r.Details)
				case n == "e_algorithm_identifier_improper_encoding" && !strings.HasSuffix(s.name, "/ed25519"):
					t.Errorf("%s: %s: %s (%s)", s.name, n, r.Details, why)
				default:
					seen[n] = true
				}
			}
		}
	}
	// And every one of them verifies: with openssl verify (for the purpose its profile names,
	// where OpenSSL 3.0 has one), and with signet's verify under RFC 5280 with its EKU, and
	// the server also under the webpki profile.
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("no openssl")
	}
	dir := t.TempDir()
	pemFile := func(name string, c *x509.Certificate) string {
		p := filepath.Join(dir, strings.ReplaceAll(name, "/", "-")+".pem")
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rootPEM, interPEM := pemFile("root", root), pemFile("inter", inter)
	purposes := map[x509util.Profile]string{x509util.ProfileServer: "sslserver", x509util.ProfileClient: "sslclient",
		x509util.ProfileEmail: "smimesign", x509util.ProfileTSA: "timestampsign", x509util.ProfileCodeSigning: ""}
	ekus := map[x509util.Profile]x509.ExtKeyUsage{x509util.ProfileServer: x509.ExtKeyUsageServerAuth, x509util.ProfileClient: x509.ExtKeyUsageClientAuth,
		x509util.ProfileEmail: x509.ExtKeyUsageEmailProtection, x509util.ProfileTSA: x509.ExtKeyUsageTimeStamping, x509util.ProfileCodeSigning: x509.ExtKeyUsageCodeSigning}
	for _, s := range all {
		if s.cert.IsCA {
			continue
		}
		p := x509util.Profile(s.name[:strings.IndexByte(s.name, '/')])
		args := []string{"verify", "-attime", fmt.Sprint(now.Add(time.Hour).Unix()), "-CAfile", rootPEM, "-untrusted", interPEM}
		if purposes[p] != "" {
			args = append(args, "-purpose", purposes[p])
		}
		if out, err := exec.Command(openssl, append(args, pemFile(s.name, s.cert))...).CombinedOutput(); err != nil {
			t.Errorf("%s: openssl verify: %v\n%s", s.name, err, out)
		}
		policy := verify.Policy{Roots: []*x509.Certificate{root}, At: now.Add(time.Hour), EKUs: []x509.ExtKeyUsage{ekus[p]}}
		if _, err := verify.Verify(s.cert, []*x509.Certificate{inter}, policy); err != nil {
			t.Errorf("%s: signet verify: %v", s.name, err)
		}
		if p == x509util.ProfileServer && !strings.HasSuffix(s.name, "/ed25519") {
			policy.Profile, policy.DNSName = verify.ProfileWebPKI, "www.example.com"
			if _, err := verify.Verify(s.cert, []*x509.Certificate{inter}, policy); err != nil {
				t.Errorf("%s: signet verify --profile webpki: %v", s.name, err)
			}
		}
	}

	// The CRLs signet writes: empty, and with entries of every reason a complete CRL may
	// carry, under zlint's RFC CRL lints, and with the reasons the BRs (7.2.2) allow under
	// theirs: no warning, no error. (cACompromise, certificateHold and aACompromise are RFC
	// 5280's, which the BRs drop for TLS subscribers: a private CA may use them.)
	for i, revoked := range [][]x509.RevocationListEntry{nil, crlEntries(now, 1, 3, 4, 5, 9), crlEntries(now, 0, 1, 2, 3, 4, 5, 6, 9, 10)} {
		reg := regs["br"]
		if i == 2 {
			reg = regs["rfc"]
		}
		der, _, err := x509util.CreateCRL(x509util.CRLRequest{Issuer: inter, IssuerKey: zKeys.inter, Revoked: revoked, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		crl, err := zx509.ParseRevocationList(der)
		if err != nil {
			t.Fatalf("zcrypto cannot parse the CRL: %v", err)
		}
		rs := zlint.LintRevocationListEx(crl, reg)
		for n, r := range rs.Results {
			if r.Status >= lint.Warn {
				t.Errorf("CRL with %d entries: %s: %s %s", len(revoked), n, r.Status, r.Details)
			}
		}
		if len(rs.Results) == 0 {
			t.Error("no CRL lint ran")
		}
	}

	// An explanation nothing needs any more is taken out, so the list stays true.
	for n := range brOnly {
		if !seen[n] {
			t.Errorf("the BR lint %s no longer fires: drop its explanation", n)
		}
	}
}

// crlEntries revokes one serial for each reason code given.
func crlEntries(now time.Time, codes ...int) []x509.RevocationListEntry {
	var out []x509.RevocationListEntry
	for i, code := range codes {
		out = append(out, x509.RevocationListEntry{SerialNumber: big.NewInt(int64(1000 + i)), RevocationTime: now.Add(-time.Hour), ReasonCode: code})
	}
	return out
}
