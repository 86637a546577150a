package tlsaudit

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"
)

// TestAuditKeyUsageWithoutDigitalSignature: a server whose certificate's key usage is
// keyAgreement alone still signs the handshake with its key (Go's server, like openssl's,
// does not look): tls check and the tunnel refuse it (RFC 8446 4.4.2.2), and the audit now
// fails it too, where it had nothing to say. A certificate with digitalSignature, or without
// the extension, gets no such finding.
func TestAuditKeyUsageWithoutDigitalSignature(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		ku   x509.KeyUsage
		fail bool
	}{
		{"keyAgreement alone", x509.KeyUsageKeyAgreement, true},
		{"digitalSignature", x509.KeyUsageDigitalSignature | x509.KeyUsageKeyAgreement, false},
		{"no key usage", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "www.example.com"},
				DNSNames: []string{"www.example.com"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
				ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: tc.ku}
			der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
			if err != nil {
				t.Fatal(err)
			}
			rep := auditGoServer(t, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: k})
			fs := findings(rep, AreaCertificate, "key usage")
			switch {
			case tc.fail && (len(fs) != 1 || fs[0].Verdict != Fail || !strings.Contains(fs[0].Detail, "keyAgreement, without digitalSignature")):
				t.Errorf("key usage findings %+q, want one failure naming keyAgreement:\n%s", fs, dump(rep))
			case !tc.fail && len(fs) != 0:
				t.Errorf("key usage findings %+q, want none", fs)
			}
		})
	}
}
