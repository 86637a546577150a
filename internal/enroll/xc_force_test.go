package enroll

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/hsm"
)

// TestXCForceErrorIsTyped: what Force gets past (the key already holds a certificate for
// other names; Finish with another certificate for the key) is a *ForceError wrapping
// hsm.ErrExists, and its message names no flag: it said "use --force to replace it", a word
// of signet's command line in a library, which a caller could only find in the text. signet
// adds the words for its flag (TestEnrollForceWordsUnchanged).
func TestXCForceErrorIsTyped(t *testing.T) {
	topts := tokenOptions(t)
	ca, caKey := caCert(t, pkix.Name{CommonName: "Force CA"}, nil, nil, nil)
	opts := Options{Token: "pkcs11:token=alice;object=k1", TokenOptions: topts, Subject: subject("alice"),
		CA: []*x509.Certificate{ca}, CAKey: caKey}
	first, err := Enroll(opts)
	if err != nil {
		t.Fatal(err)
	}
	bob := opts
	bob.Subject = subject("bob")
	_, err = Enroll(bob)
	var fe *ForceError
	if !errors.As(err, &fe) || !errors.Is(err, hsm.ErrExists) || strings.Contains(err.Error(), "--force") ||
		!strings.Contains(err.Error(), "the key already has a certificate for CN=alice") {
		t.Errorf("another subject without Force: %v; want a ForceError wrapping ErrExists, naming no flag", err)
	}
	bob.Force = true
	if res, err := Enroll(bob); err != nil || !res.Renewed {
		t.Fatalf("with Force: %+v, %v", res, err)
	}

	// Finish with a certificate for the key other than the one it holds
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "carol"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, first.Certificate.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	other, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Finish(FinishOptions{Token: "pkcs11:token=alice;object=k1", TokenOptions: topts, Certificate: other})
	if !errors.As(err, &fe) || !errors.Is(err, hsm.ErrExists) || strings.Contains(err.Error(), "--force") {
		t.Errorf("Finish with another certificate without Force: %v; want a ForceError wrapping ErrExists, naming no flag", err)
	}
}
