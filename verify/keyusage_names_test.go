package verify_test

import (
	"crypto/x509"
	"errors"
	"testing"

	"github.com/signet-pki/signet/verify"
)

// TestParseKeyUsageLimboNames: every key usage name of limbo's key_usage field (the X.509
// names, contentCommitment among them for the bit RFC 5280 calls nonRepudiation) is read, so
// that a harness can pass them to --key-usage as they are.
func TestParseKeyUsageLimboNames(t *testing.T) {
	for name, want := range map[string]x509.KeyUsage{
		"digitalSignature": x509.KeyUsageDigitalSignature, "contentCommitment": x509.KeyUsageContentCommitment,
		"nonRepudiation": x509.KeyUsageContentCommitment, "keyEncipherment": x509.KeyUsageKeyEncipherment,
		"dataEncipherment": x509.KeyUsageDataEncipherment, "keyAgreement": x509.KeyUsageKeyAgreement,
		"keyCertSign": x509.KeyUsageCertSign, "cRLSign": x509.KeyUsageCRLSign,
		"encipherOnly": x509.KeyUsageEncipherOnly, "decipherOnly": x509.KeyUsageDecipherOnly,
	} {
		got, err := verify.ParseKeyUsage(name)
		if err != nil || got != want {
			t.Errorf("ParseKeyUsage(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	if _, err := verify.ParseKeyUsage("contentCommitments"); !errors.Is(err, verify.ErrPolicy) {
		t.Errorf("an unknown name: %v, want ErrPolicy", err)
	}
}
