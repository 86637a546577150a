package verify_test

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// pkitsDir holds NIST PKITS 1.0.1 (certificates, CRLs and pkits.json, the expected result and
// policy inputs of each of its 249 tests), read in place from the shared vectors.
const pkitsDir = "../../shared/vectors/pkits"

type pkitsCase struct {
	ID                 string   `json:"id"`
	Section            string   `json:"section"`
	TrustAnchor        string   `json:"trust_anchor"`
	Chain              []string `json:"chain"`
	EndEntity          string   `json:"end_entity"`
	CRLs               []string `json:"crls"`
	Expected           string   `json:"expected"`
	InitialPolicySet   []string `json:"initial_policy_set"`
	ExplicitPolicy     bool     `json:"initial_explicit_policy"`
	PolicyMappingInhib bool     `json:"initial_policy_mapping_inhibit"`
	InhibitAnyPolicy   bool     `json:"initial_inhibit_any_policy"`
	UserConstrainedSet []string `json:"user_constrained_policy_set"`
}

// pkitsSkipped are the tests that need DSA signatures, which signet refuses (crypto/x509
// cannot verify them, and DSA is deprecated): skipped by name, with that reason.
var pkitsSkipped = map[string]string{
	"4.1.4 Valid DSA Signatures Test4":            "DSA signatures are refused by signet",
	"4.1.5 Valid DSA Parameter Inheritance Test5": "DSA signatures (and DSA parameter inheritance) are refused by signet",
}

func pkitsPolicyOID(name string) asn1.ObjectIdentifier {
	if name == "anyPolicy" {
		return asn1.ObjectIdentifier{2, 5, 29, 32, 0}
	}
	n := strings.TrimPrefix(name, "NIST-test-policy-")
	var k int
	for _, ch := range n {
		k = k*10 + int(ch-'0')
	}
	return asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 2, 1, 48, k}
}

func loadPKITS(t testing.TB) []pkitsCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(pkitsDir, "pkits.json"))
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PKITS vectors: %v", err)
		}
		t.Skipf("no PKITS vectors: %v", err)
	}
	var doc struct {
		Testcases []pkitsCase `json:"testcases"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Testcases
}

// TestPKITS runs every NIST PKITS test through verify.Verify, with its policy inputs as the
// Policy fields `signet cert verify` sets from --policy, --require-explicit-policy,
// --inhibit-policy-mapping and --inhibit-any-policy, its CRLs with RequireCRL (PKITS
// assumes hard-fail revocation), the intermediates as an unordered pool, and the validation
// time of the README. A successful validation must also yield PKITS's user-constrained policy
// set.
func TestPKITS(t *testing.T) {
	t.Parallel()
	cases := loadPKITS(t)
	if len(cases) != 249 {
		t.Fatalf("pkits.json lists %d tests, want 249", len(cases))
	}
	at := time.Date(2011, 4, 15, 0, 0, 0, 0, time.UTC)
	cert := func(t *testing.T, name string) *x509.Certificate {
		t.Helper()
		certs, err := x509util.LoadCertificateFile(filepath.Join(pkitsDir, "certs", name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return certs[0]
	}
	ran, skipped := 0, 0
	for _, tc := range cases {
		t.Run(tc.ID, func(t *testing.T) {
			if why, ok := pkitsSkipped[tc.ID]; ok {
				skipped++
				t.Skip(why)
			}
			ran++
			p := verify.Policy{
				Roots:                 []*x509.Certificate{cert(t, tc.TrustAnchor)},
				At:                    at,
				RequireCRL:            true,
				EKUs:                  []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
				RequireExplicitPolicy: tc.ExplicitPolicy,
				InhibitPolicyMapping:  tc.PolicyMappingInhib,
				InhibitAnyPolicy:      tc.InhibitAnyPolicy,
			}
			for _, name := range tc.InitialPolicySet {
				p.Policies = append(p.Policies, pkitsPolicyOID(name))
			}
			for _, name := range tc.Chain {
				p.Intermediates = append(p.Intermediates, cert(t, name))
			}
			for _, name := range tc.CRLs {
				crls, err := x509util.LoadCRLs(filepath.Join(pkitsDir, "crls", name))
				if err != nil {
					t.Fatal(err)
				}
				p.CRLs = append(p.CRLs, crls...)
			}
			var leaf *x509.Certificate
			certs, err := x509util.LoadCertificateFile(filepath.Join(pkitsDir, "certs", tc.EndEntity))
			if err != nil {
				if tc.Expected == "FAILURE" {
					t.Logf("end entity refused by the parser: %v", err)
					return
				}
				t.Fatalf("end entity: %v", err)
			}
			leaf = certs[0]
			res, verr := verify.Verify(leaf, nil, p)
			if res == nil {
				t.Fatalf("not checked: %v", verr)
			}
			switch tc.Expected {
			case "SUCCESS":
				if verr != nil {
					t.Fatalf("want SUCCESS, got %v (rule %s)\n%s", verr, res.Rule, dumpChecks(res))
				}
				var want []string
				for _, name := range tc.UserConstrainedSet {
					want = append(want, policyName(pkitsPolicyOID(name)))
				}
				slices.Sort(want)
				if want == nil {
					want = []string{}
				}
				if !slices.Equal(res.Policies, want) {
					t.Fatalf("user-constrained policy set %v, want %v\n%s", res.Policies, want, dumpChecks(res))
				}
			case "FAILURE":
				if verr == nil {
					t.Fatalf("want FAILURE, got valid\n%s", dumpChecks(res))
				}
				t.Logf("refused: %s (%s)", res.Rule, verr)
			default:
				t.Fatalf("unknown expectation %q", tc.Expected)
			}
		})
	}
	t.Logf("PKITS: %d tests run, %d skipped (DSA)", ran, skipped)
}

func policyName(o asn1.ObjectIdentifier) string {
	if o.Equal(asn1.ObjectIdentifier{2, 5, 29, 32, 0}) {
		return "anyPolicy"
	}
	return o.String()
}
