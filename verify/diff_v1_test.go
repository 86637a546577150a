package verify_test

import (
	"strings"
	"testing"

	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// A version 1 leaf under a v3 CA is refused as rfc5280.aki-missing (the audit's "v1 leaf"),
// and the message says why it has none: a v1 certificate cannot carry extensions.
func TestV1LeafMessageSaysVersion(t *testing.T) {
	ch := three(nil, nil, func(c *dCert) { c.version, c.noDefault = 1, true })()
	leaf, err := x509util.ParseCertificate(ch.leaf.der)
	if err != nil {
		t.Fatal(err)
	}
	p := verify.Policy{At: dAt}
	for _, d := range ch.roots {
		c, err := x509util.ParseCertificate(d.der)
		if err != nil {
			t.Fatal(err)
		}
		p.Roots = append(p.Roots, c)
	}
	for _, d := range ch.inters {
		c, err := x509util.ParseCertificate(d.der)
		if err != nil {
			t.Fatal(err)
		}
		p.Intermediates = append(p.Intermediates, c)
	}
	res, err := verify.Verify(leaf, nil, p)
	if err == nil || res.Rule != "rfc5280.aki-missing" {
		t.Fatalf("Verify = %v (rule %q), want rfc5280.aki-missing", err, res.Rule)
	}
	if !strings.Contains(err.Error(), "version 1 certificate") {
		t.Errorf("message does not say the certificate is version 1: %v", err)
	}
}
