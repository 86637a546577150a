package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPKITSThroughTheCLI runs every NIST PKITS test through `signet cert verify` with the
// mapping the vectors' README gives (the flags are a contract): trust anchor -> --roots, the
// pool -> --intermediates, CRLs -> --crl each plus --require-crl, --at, --eku any, and the
// policy inputs -> --policy, --require-explicit-policy, --inhibit-policy-mapping,
// --inhibit-any-policy. SUCCESS must exit 0 with PKITS's user-constrained policy set in
// --json; FAILURE must exit 1 (a verdict), or 3 where the end entity cannot be read.
func TestPKITSThroughTheCLI(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "..", "shared", "vectors", "pkits")
	data, err := os.ReadFile(filepath.Join(dir, "pkits.json"))
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	var doc struct {
		Testcases []struct {
			ID           string   `json:"id"`
			Anchor       string   `json:"trust_anchor"`
			Chain        []string `json:"chain"`
			EE           string   `json:"end_entity"`
			CRLs         []string `json:"crls"`
			Expected     string   `json:"expected"`
			Initial      []string `json:"initial_policy_set"`
			Explicit     bool     `json:"initial_explicit_policy"`
			NoMapping    bool     `json:"initial_policy_mapping_inhibit"`
			NoAny        bool     `json:"initial_inhibit_any_policy"`
			UserPolicies []string `json:"user_constrained_policy_set"`
		} `json:"testcases"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	oid := func(name string) string {
		if name == "anyPolicy" {
			return "anyPolicy"
		}
		return "2.16.840.1.101.3.2.1.48." + strings.TrimPrefix(name, "NIST-test-policy-")
	}
	for _, tc := range doc.Testcases {
		if strings.Contains(tc.ID, "DSA") && tc.Expected == "SUCCESS" {
			continue // DSA is refused (verify/pkits_test.go lists them)
		}
		t.Run(tc.ID, func(t *testing.T) {
			args := []string{"cert", "verify", "--json", "--at", "2011-04-15T00:00:00Z", "--eku", "any",
				"--roots", filepath.Join(dir, "certs", tc.Anchor), "--require-crl"}
			for _, c := range tc.Chain {
				args = append(args, "--intermediates", filepath.Join(dir, "certs", c))
			}
			for _, c := range tc.CRLs {
				args = append(args, "--crl", filepath.Join(dir, "crls", c))
			}
			for _, p := range tc.Initial {
				args = append(args, "--policy", oid(p))
			}
			if tc.Explicit {
				args = append(args, "--require-explicit-policy")
			}
			if tc.NoMapping {
				args = append(args, "--inhibit-policy-mapping")
			}
			if tc.NoAny {
				args = append(args, "--inhibit-any-policy")
			}
			args = append(args, filepath.Join(dir, "certs", tc.EE))
			code, stdout, stderr := certRun(args...)
			switch tc.Expected {
			case "SUCCESS":
				if code != 0 {
					t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
				}
				var res struct {
					Policies []string `json:"policies"`
				}
				if err := json.Unmarshal([]byte(stdout), &res); err != nil {
					t.Fatal(err)
				}
				var want []string
				for _, p := range tc.UserPolicies {
					want = append(want, oid(p))
				}
				slices.Sort(want)
				if want == nil {
					want = []string{}
				}
				if !slices.Equal(res.Policies, want) {
					t.Fatalf("policies %v, want %v", res.Policies, want)
				}
			default:
				if code != 1 && code != 3 {
					t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
				}
			}
		})
	}
}
