package tunnel

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"strings"
	"testing"
	"time"
)

// TestTunnelServerRefusesClientKeyUsageWithoutDigitalSignature: the server side refuses a
// client certificate whose key usage does not allow signatures (keyEncipherment alone,
// keyAgreement alone): the client proves its key by signing the handshake, which such a
// certificate forbids (RFC 8446 4.4.2.2, RFC 5280 4.2.1.3). It let them in, as tls serve
// did (the TLS client-certificate campaign found it there); one with digitalSignature or
// without the extension is let in.
func TestTunnelServerRefusesClientKeyUsageWithoutDigitalSignature(t *testing.T) {
	t.Parallel()
	p := newPair(t, nil)
	now := time.Now()
	leaf := func(cn string, ku x509.KeyUsage) *x509.Certificate {
		return &x509.Certificate{Subject: pkix.Name{CommonName: cn}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
			KeyUsage: ku, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, BasicConstraintsValid: true}
	}
	for _, cn := range []string{"signs", "unrestricted"} {
		ku := map[string]x509.KeyUsage{"signs": x509.KeyUsageDigitalSignature}[cn]
		if err := dialServer(t, p, p.pki.rawClient(t, leaf(cn, ku))); err != nil {
			t.Fatalf("%s: %v", cn, err)
		}
	}
	for i, ku := range []x509.KeyUsage{x509.KeyUsageKeyEncipherment, x509.KeyUsageKeyAgreement} {
		if err := dialServer(t, p, p.pki.rawClient(t, leaf("nosign", ku))); err == nil {
			t.Errorf("key usage %v: let in", ku)
		}
		p.slog.waitFor(t, "the refusal", func(l *logs) bool { return len(l.events("refused")) == i+1 })
		if ev := p.slog.events("refused")[i]; !strings.HasSuffix(ev.End, "without digitalSignature [rfc5280.key-usage]") {
			t.Errorf("key usage %v: logged %+v, want the key-usage rule", ku, ev)
		}
	}
}
