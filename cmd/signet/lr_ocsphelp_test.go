package main

import (
	"strings"
	"testing"
)

// TestOCSPHelpSaysProducedAtAndUnknownOverGood: --ocsp's help (cert verify, verify, tls
// check, tls audit) names what 6276642 and b08aed5 made signet do with a response: producedAt
// is compared (rfc6960.produced-at) and, of a response's answers about one certificate,
// "unknown" is taken over "good". It said "revoked" wins over "good" alone and nothing of
// producedAt, so a user refused with rfc6960.produced-at found no word of it in --help.
func TestOCSPHelpSaysProducedAtAndUnknownOverGood(t *testing.T) {
	_, ocsp, ok := strings.Cut(pathFlagsHelp, "--ocsp FILE")
	if !ok {
		t.Fatal("pathFlagsHelp has no --ocsp FILE")
	}
	flat := strings.Join(strings.Fields(ocsp), " ")
	for _, want := range []string{
		"rfc6960.produced-at",
		"producedAt",
		`"unknown" fails it unless a CRL settles its status (and wins over "good"`,
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("--ocsp's help does not say %q:\n%s", want, ocsp)
		}
	}
}
