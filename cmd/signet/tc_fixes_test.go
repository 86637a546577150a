package main

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/x509util"
)

// TestServeRefusesClientKeyUsageWithoutDigitalSignature: a client proves its key by signing
// the handshake (CertificateVerify), so a certificate whose key usage does not allow
// signatures (keyEncipherment alone, keyAgreement alone) cannot be used for TLS client
// authentication (RFC 8446 4.4.2.2; RFC 5280 4.2.1.3). tls serve let both in, through
// openssl s_client, in TLS 1.2 and 1.3 (found by the TLS client-certificate campaign, seed
// 17); it now refuses them with the engine's rule, and still serves a certificate with
// digitalSignature or with no key usage extension (unrestricted, RFC 5280 4.2.1.3).
func TestServeRefusesClientKeyUsageWithoutDigitalSignature(t *testing.T) {
	dir := t.TempDir()
	ints, err := x509util.LoadCertificateFile(fixturePKI(t, "int-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	intKey := loadFixtureKey(t, "int-ca.key")
	now := time.Now()
	client := func(cn string, ku x509.KeyUsage) (string, string) {
		return fixtureClient(t, &x509.Certificate{Subject: pkix.Name{CommonName: cn}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
			KeyUsage: ku, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, BasicConstraintsValid: true}, ints[0], intKey, dir, cn)
	}
	addr, log, stop := startServe(t, "--client-ca", fixturePKI(t, "root-ca.pem"), "--require-client-cert")
	for _, tc := range []struct {
		cn    string
		ku    x509.KeyUsage
		serve bool
	}{
		{"signs", x509.KeyUsageDigitalSignature, true},
		{"unrestricted", 0, true},
		{"encipherment", x509.KeyUsageKeyEncipherment, false},
		{"agreement", x509.KeyUsageKeyAgreement, false},
	} {
		cert, key := client(tc.cn, tc.ku)
		for _, v := range []string{"-tls1_2", "-tls1_3"} {
			out := sClientTo(t, addr, v, "-cert", cert, "-key", key, "-cert_chain", cert)
			if served := strings.Contains(out, "hello, CN="+tc.cn); served != tc.serve {
				t.Errorf("%s (%s): served %v, want %v:\n%s", tc.cn, v, served, tc.serve, out)
			}
		}
	}
	stop()
	for _, cn := range []string{"encipherment", "agreement"} {
		re := regexp.MustCompile(`(?m)^signet: [0-9.:]+: client presenting CN=` + cn + ` \(its key not proven\) rejected: key-usage: .*without digitalSignature \[rfc5280\.key-usage\]$`)
		if n := len(re.FindAllString(log.String(), -1)); n != 2 {
			t.Errorf("%s: %d log lines with the key-usage rule, want one per TLS version:\n%s", cn, n, log.String())
		}
	}
}
