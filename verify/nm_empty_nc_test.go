package verify_test

import (
	"testing"
)

// TestNMEmptyEmailAndURIConstraints: an rfc822Name or URI name constraint whose base is the
// empty string is written invalidly, and the CA that holds it is refused for everything below
// it (rfc5280.nc-invalid), as other invalid constraints are. RFC 5280 4.2.1.10 gives an
// rfc822Name constraint three forms (a mailbox, a host, a domain with a leading period) and
// says a URI constraint "MUST be specified as a fully qualified domain name"; the empty
// string is none of them. Unlike a dNSName constraint, where "zero or more labels" added to
// the left of the empty name make every name, the standard gives it no reading, and the
// readings found are opposite: crypto/x509 (go1.26) takes it to hold every name, openssl 3.0
// none, so that one accepts what the other refuses, permitted or excluded. Nothing pins
// another verdict: x509-limbo has no such case (only empty GeneralSubtrees, refused as
// invalid too), and the rx campaign draws the empty dNSName constraint but no empty rfc822Name
// or URI one.
func TestNMEmptyEmailAndURIConstraints(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                string
		permitted, excluded [][]byte
		rule                string
	}{
		{"permitted empty rfc822Name", [][]byte{gnEmail("")}, nil, "rfc5280.nc-invalid"},
		{"excluded empty rfc822Name", nil, [][]byte{gnEmail("")}, "rfc5280.nc-invalid"},
		{"permitted empty URI", [][]byte{gnURI("")}, nil, "rfc5280.nc-invalid"},
		{"excluded empty URI", nil, [][]byte{gnURI("")}, "rfc5280.nc-invalid"},
		{"permitted empty URI beside a valid one", [][]byte{gnURI("example.com"), gnURI("")}, nil, "rfc5280.nc-invalid"},
		// The empty dNSName constraint is every DNS name (RFC 5280 4.2.1.10).
		{"permitted empty dNSName", [][]byte{gnDNS("")}, nil, ""},
		{"excluded empty dNSName", nil, [][]byte{gnDNS("")}, "rfc5280.nc-excluded"},
	} {
		for _, sans := range [][][]byte{
			{gnDNS("example.com"), gnEmail("user@example.com"), gnURI("https://example.com/")},
			{gnDNS("example.com")}, // no name of the form: the constraint is still invalid
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				root, ca, leaf := eaiChain(t, tc.permitted, tc.excluded, sans...)
				res, err := verifyChain(t, leaf, []*tpIssued{root}, []*tpIssued{ca}, nil)
				if tc.rule == "" {
					mustValid(t, res, err)
				} else {
					mustRule(t, res, err, tc.rule)
				}
			})
		}
	}
}
