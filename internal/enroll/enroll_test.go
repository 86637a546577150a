package enroll

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/hsm"
	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/x509util"
)

// These tests enrol keys on a private SoftHSM2 token, in process.

func tokenOptions(t *testing.T) hsm.Options {
	t.Helper()
	sh := testutil.NewSoftHSM(t, "", "alice")
	return hsm.Options{Module: sh.Module, Getenv: func(k string) string {
		if k == "SIGNET_PIN" {
			return testutil.SoftHSMPIN
		}
		return ""
	}}
}

// caCert makes a CA certificate with crypto/x509 directly: x509util issues no name
// constraints and refuses control characters in names, both of which these tests need.
func caCert(t *testing.T, name pkix.Name, issuer *x509.Certificate, issuerKey crypto.Signer, mod func(*x509.Certificate)) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               name,
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	if mod != nil {
		mod(tmpl)
	}
	if issuer == nil {
		issuer, issuerKey = tmpl, k
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, k.Public(), issuerKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, k
}

func subject(cn string) pkix.RDNSequence {
	return pkix.Name{CommonName: cn}.ToRDNSequence()
}

// TestEnrollHoldsEveryCAsNameConstraints: a name outside the constraints of a CA above the
// issuing CA (here the middle of root, constrained CA, issuing CA) is refused before anything
// is written to the token, as cert create refuses it; a name inside them is enrolled.
func TestEnrollHoldsEveryCAsNameConstraints(t *testing.T) {
	topts := tokenOptions(t)
	root, rootKey := caCert(t, pkix.Name{CommonName: "Enroll Root"}, nil, nil, nil)
	mid, midKey := caCert(t, pkix.Name{CommonName: "Enroll Constrained CA"}, root, rootKey, func(c *x509.Certificate) {
		c.PermittedDNSDomains, c.PermittedDNSDomainsCritical = []string{"nc.example.com"}, true
	})
	issuing, issuingKey := caCert(t, pkix.Name{CommonName: "Enroll Issuing CA"}, mid, midKey, nil)
	ca := []*x509.Certificate{issuing, mid, root}

	_, err := Enroll(Options{Token: "pkcs11:token=alice;object=outside", TokenOptions: topts, Subject: subject("alice"),
		SANs: x509util.SANs{DNSNames: []string{"www.example.org"}}, CA: ca, CAKey: issuingKey})
	var nce *x509util.NameConstraintError
	if !errors.Is(err, x509util.ErrNameConstraint) || !errors.As(err, &nce) {
		t.Fatalf("a name outside the middle CA's constraints: %v; want ErrNameConstraint", err)
	}
	tok, err := hsm.Open("pkcs11:token=alice", topts)
	if err != nil {
		t.Fatal(err)
	}
	certs, err := tok.Objects(&hsm.URI{Type: hsm.TypeCert})
	tok.Close()
	if err != nil || len(certs) != 0 {
		t.Fatalf("the refused enrolment wrote certificates: %v, %v", certs, err)
	}

	res, err := Enroll(Options{Token: "pkcs11:token=alice;object=inside", TokenOptions: topts, Subject: subject("alice"),
		SANs: x509util.SANs{DNSNames: []string{"app.nc.example.com"}}, CA: ca, CAKey: issuingKey})
	if err != nil || res.Certificate == nil {
		t.Fatalf("a name inside the constraints: %+v, %v", res, err)
	}
}

// TestEnrollNamesEscaped: the subject and issuer of the certificate an enrolment reports come
// from a CA and are printed: a newline in them is escaped (\0A), never written as is.
func TestEnrollNamesEscaped(t *testing.T) {
	topts := tokenOptions(t)
	ca, caKey := caCert(t, pkix.Name{CommonName: "Evil CA\nOK trusted"}, nil, nil, nil)
	csrRes, err := Enroll(Options{Token: "pkcs11:token=alice;object=client", TokenOptions: topts, Subject: subject("alice")})
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509util.ParseCSR(csrRes.CSR)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "alice\nOK admin"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, csr.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Finish(FinishOptions{Token: "pkcs11:token=alice;object=client", TokenOptions: topts, Certificate: cert})
	if err != nil {
		t.Fatal(err)
	}
	if res.Subject != `CN=alice\0AOK admin` || res.Issuer != `CN=Evil CA\0AOK trusted` {
		t.Errorf("subject %q, issuer %q; want them escaped", res.Subject, res.Issuer)
	}
	// Enrolling again reports the certificate already there, escaped the same way.
	res, err = Finish(FinishOptions{Token: "pkcs11:token=alice;object=client", TokenOptions: topts, Certificate: cert})
	if err != nil || !res.AlreadyEnrolled || strings.Contains(res.Subject+res.Issuer, "\n") {
		t.Errorf("again: %+v, %v", res, err)
	}
}

// TestEnrollStoresTheIssuerChainOnly: the CA certificates written beside the key are the
// issuer and the CAs above it, in order, not every certificate of the --ca file: a stranger
// kept there went onto the token as part of the key's chain (which tls check, tls serve and
// the tunnel then send), as cert create --bundle wrote it out.
func TestEnrollStoresTheIssuerChainOnly(t *testing.T) {
	topts := tokenOptions(t)
	root, rootKey := caCert(t, pkix.Name{CommonName: "Enroll Root"}, nil, nil, nil)
	stranger, _ := caCert(t, pkix.Name{CommonName: "Stranger Root"}, nil, nil, nil)
	issuing, issuingKey := caCert(t, pkix.Name{CommonName: "Enroll Issuing CA"}, root, rootKey, nil)
	res, err := Enroll(Options{Token: "pkcs11:token=alice;object=client", TokenOptions: topts, Subject: subject("alice"),
		CA: []*x509.Certificate{issuing, stranger, root}, CAKey: issuingKey})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Imported) != 3 {
		t.Errorf("%d certificates imported, want the leaf, the issuing CA and the root: %v", len(res.Imported), res.Imported)
	}
	tok, err := hsm.Open("pkcs11:token=alice", topts)
	if err != nil {
		t.Fatal(err)
	}
	defer tok.Close()
	objs, err := tok.Objects(&hsm.URI{Type: hsm.TypeCert})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if o.Certificate != nil && o.Certificate.Equal(stranger) {
			t.Errorf("the stranger is on the token: %+v", o.URI)
		}
	}
	if len(objs) != 3 {
		t.Errorf("%d certificates on the token, want 3", len(objs))
	}
}
