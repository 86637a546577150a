package verify_test

import (
	"encoding/asn1"
	"slices"
	"testing"

	"github.com/signet-pki/signet/verify"
)

// TestRVInitialPolicySetWithAnyPolicy: RFC 5280 6.1.1 (c), a user-initial-policy-set that holds
// any-policy says the relying party is not concerned about certificate policy, whatever else
// it lists (openssl -policy anyPolicy -policy P: x509 policy tree_calculate_user_set). signet
// intersected the policies valid for the chain with the set as if anyPolicy were one policy
// among others, so `--policy anyPolicy,P --require-explicit-policy` refused a chain valid for
// another policy Q (rfc5280.policy-required) that `--policy anyPolicy` accepts. The set is now
// any-policy when it holds anyPolicy (diff_cases "policy required, anyPolicy among those
// accepted").
func TestRVInitialPolicySetWithAnyPolicy(t *testing.T) {
	t.Parallel()
	polQ := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 2, 1}
	polP := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 2, 2}
	anyPol := asn1.ObjectIdentifier{2, 5, 29, 32, 0}
	for _, tc := range []struct {
		name    string
		initial []asn1.ObjectIdentifier
		chain   asn1.ObjectIdentifier // the policy the CA and the leaf assert
		want    string
		valid   []string
	}{
		{"anyPolicy and another, chain valid for a third", []asn1.ObjectIdentifier{polP, anyPol}, polQ, "", []string{polQ.String()}},
		{"anyPolicy alone", []asn1.ObjectIdentifier{anyPol}, polQ, "", []string{polQ.String()}},
		{"anyPolicy and the chain's", []asn1.ObjectIdentifier{anyPol, polQ}, polQ, "", []string{polQ.String()}},
		// Controls: a set without anyPolicy still restricts.
		{"another alone", []asn1.ObjectIdentifier{polP}, polQ, "rfc5280.policy-required", nil},
		{"the chain's", []asn1.ObjectIdentifier{polP, polQ}, polQ, "", []string{polQ.String()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cp := policiesOf(tc.chain)
			leaf, p := rxMakeChain(t, rxSpec{exts: rxCAExts}, rxSpec{exts: append(slices.Clone(rxCAExts), cp)},
				rxSpec{subj: rxName("leaf.example.com"), exts: append(slices.Clone(rxLeafExts), cp)})
			p.Policies, p.RequireExplicitPolicy = tc.initial, true
			got := rxRules(t, leaf, p)
			if tc.want == "" && len(got) > 0 || tc.want != "" && !slices.Equal(got, []string{tc.want}) {
				t.Fatalf("failing rules %q, want %q", got, tc.want)
			}
			if tc.want == "" {
				res, err := verify.Verify(leaf, nil, p)
				if err != nil || !slices.Equal(res.Policies, tc.valid) {
					t.Errorf("policies %q (%v), want %q", res.Policies, err, tc.valid)
				}
			}
		})
	}
}
