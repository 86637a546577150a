package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/signet-pki/signet/verify"
)

// TestChainHint: the hint follows the rule that failed, and names --require-crl only when it
// was given.
func TestChainHint(t *testing.T) {
	t.Parallel()
	wrap := func(reason verify.Reason, rule string) error {
		return fmt.Errorf("app: %w", &verify.Error{Reason: reason, Rule: rule, Detail: "x"})
	}
	for _, tc := range []struct {
		err        error
		requireCRL bool
		want, not  string
	}{
		{wrap(verify.UnknownAuthority, "signet.unsupported-algorithm"), false, "cannot verify that signature algorithm", "--intermediates"},
		{wrap(verify.UnknownAuthority, "signet.no-path"), false, "--intermediates FILE", "cannot verify"},
		{wrap(verify.CRLMissing, "rfc5280.crl-scope"), false, "covers the certificate", "--require-crl"},
		{wrap(verify.CRLMissing, "signet.crl-required"), true, "drop --require-crl", ""},
		{wrap(verify.CRLMissing, "signet.crl-required"), false, "--crl FILE", "--require-crl"},
	} {
		got := chainHint(tc.err, tc.requireCRL)
		if !strings.Contains(got, tc.want) || tc.not != "" && strings.Contains(got, tc.not) {
			t.Errorf("%v (require-crl %v): %q", tc.err, tc.requireCRL, got)
		}
	}
}
