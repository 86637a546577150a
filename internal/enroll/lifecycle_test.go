package enroll

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/signet-pki/signet/hsm"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// These tests run enrolments on a private SoftHSM2 token, in process: each step's result,
// what is on the token afterwards, and what is refused before the token is touched.

// tokenCerts lists the certificates on the token.
func tokenCerts(t *testing.T, topts hsm.Options) []hsm.Object {
	t.Helper()
	return tokenList(t, "pkcs11:token=alice;type=cert", topts)
}

// tokenObjects lists every object on the token.
func tokenObjects(t *testing.T, topts hsm.Options) []hsm.Object {
	t.Helper()
	return tokenList(t, "pkcs11:token=alice", topts)
}

// tokenList lists the objects on the token that uri selects.
func tokenList(t *testing.T, uri string, topts hsm.Options) []hsm.Object {
	t.Helper()
	objs, err := hsm.ListObjects(uri, topts)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// TestEnrollLifecycle: a first enrolment generates the key and stores the certificate and the
// CA's chain; a second one changes nothing; Force renews the certificate and replaces it;
// another CA without Force is refused, and leaves the certificate as it was.
func TestEnrollLifecycle(t *testing.T) {
	topts := tokenOptions(t)
	root, rootKey := caCert(t, pkix.Name{CommonName: "Lifecycle Root"}, nil, nil, nil)
	issuing, issuingKey := caCert(t, pkix.Name{CommonName: "Lifecycle Issuing CA"}, root, rootKey, nil)
	ca := []*x509.Certificate{issuing, root}
	opts := Options{Token: "pkcs11:token=alice;object=client", TokenOptions: topts, Subject: subject("alice"),
		SANs: x509util.SANs{EmailAddresses: []string{"alice@example.com"}}, CA: ca, CAKey: issuingKey, KeyType: x509util.KeyECP384}

	first, err := Enroll(opts)
	if err != nil {
		t.Fatal(err)
	}
	if !first.KeyGenerated || first.KeyType != "ec-p384" || first.AlreadyEnrolled || first.Renewed || first.Certificate == nil {
		t.Fatalf("first enrolment: %+v", first)
	}
	if first.Subject != "CN=alice" || first.Issuer != "CN=Lifecycle Issuing CA" || len(first.Imported) != 3 {
		t.Fatalf("first enrolment: subject %q issuer %q imported %v", first.Subject, first.Issuer, first.Imported)
	}
	// The certificate is a client certificate for the token key, and chains to the root.
	if _, err := verify.Verify(first.Certificate, []*x509.Certificate{issuing}, verify.Policy{Roots: []*x509.Certificate{root},
		EKUs: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Fatalf("the enrolled certificate: %v", err)
	}
	if n := len(tokenCerts(t, topts)); n != 3 {
		t.Fatalf("%d certificates on the token, want leaf, issuing CA and root", n)
	}

	again, err := Enroll(opts)
	if err != nil || !again.AlreadyEnrolled || again.KeyGenerated || !again.Certificate.Equal(first.Certificate) || again.KeyURI != first.KeyURI {
		t.Fatalf("enrolling again: %+v, %v", again, err)
	}

	opts.Force = true
	renewed, err := Enroll(opts)
	if err != nil || !renewed.Renewed || renewed.Certificate.Equal(first.Certificate) {
		t.Fatalf("renewal: %+v, %v", renewed, err)
	}
	// The old certificate is gone: one leaf for the key.
	leaves := 0
	for _, c := range tokenCerts(t, topts) {
		if c.Certificate != nil && c.Certificate.Subject.CommonName == "alice" {
			leaves++
		}
	}
	if leaves != 1 {
		t.Fatalf("%d certificates for the key after renewal", leaves)
	}

	other, otherKey := caCert(t, pkix.Name{CommonName: "Other CA"}, nil, nil, nil)
	opts.Force = false
	opts.CA, opts.CAKey = []*x509.Certificate{other}, otherKey
	if _, err := Enroll(opts); !errors.Is(err, hsm.ErrExists) {
		t.Fatalf("another CA without Force: %v, want hsm.ErrExists", err)
	}
	if got := tokenCerts(t, topts); len(got) != 3 {
		t.Fatalf("the refused enrolment changed the token: %d certificates", len(got))
	}
}

// TestEnrollCSRThenFinish: without a CA the enrolment stops at a CSR made by the token key;
// Finish imports what an external CA issued for it, refuses a certificate for another key, a
// chain that does not verify and a second certificate without Force, and takes the same
// certificate twice as already enrolled.
func TestEnrollCSRThenFinish(t *testing.T) {
	topts := tokenOptions(t)
	const uri = "pkcs11:token=alice;object=ext"
	res, err := Enroll(Options{Token: uri, TokenOptions: topts, Subject: subject("alice"), SANs: x509util.SANs{DNSNames: []string{"alice.example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.CSR == nil || res.Certificate != nil || !res.KeyGenerated {
		t.Fatalf("CSR step: %+v", res)
	}
	csr, err := x509util.ParseCSR(res.CSR)
	if err != nil {
		t.Fatal(err)
	}
	if err := csr.CheckSignature(); err != nil {
		t.Fatalf("the CSR's signature: %v", err)
	}
	if csr.Subject.CommonName != "alice" || len(csr.DNSNames) != 1 || csr.DNSNames[0] != "alice.example.com" {
		t.Fatalf("CSR subject %v, DNS names %v", csr.Subject, csr.DNSNames)
	}
	if n := len(tokenCerts(t, topts)); n != 0 {
		t.Fatalf("the CSR step wrote %d certificate(s)", n)
	}

	root, rootKey := caCert(t, pkix.Name{CommonName: "External Root"}, nil, nil, nil)
	issue := func(pub any, issuer *x509.Certificate, key any) *x509.Certificate {
		t.Helper()
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(time.Now().UnixNano()),
			Subject:      pkix.Name{CommonName: "alice"},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, pub, key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	cert := issue(csr.PublicKey, root, rootKey)
	fopts := FinishOptions{Token: uri, TokenOptions: topts, Certificate: cert, Chain: []*x509.Certificate{root}}

	stranger, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	bad := fopts
	bad.Certificate = issue(stranger.Public(), root, rootKey)
	if _, err := Finish(bad); !errors.Is(err, hsm.ErrKeyMismatch) {
		t.Fatalf("a certificate for another key: %v, want hsm.ErrKeyMismatch", err)
	}
	otherRoot, _ := caCert(t, pkix.Name{CommonName: "Unrelated Root"}, nil, nil, nil)
	bad = fopts
	bad.Chain = []*x509.Certificate{otherRoot}
	if _, err := Finish(bad); !errors.Is(err, ErrCANotChaining) {
		t.Fatalf("a chain that does not verify: %v, want ErrCANotChaining", err)
	}
	if n := len(tokenCerts(t, topts)); n != 0 {
		t.Fatalf("refused steps wrote %d certificate(s)", n)
	}

	done, err := Finish(fopts)
	if err != nil || done.Certificate == nil || !done.Certificate.Equal(cert) || len(done.Imported) != 2 {
		t.Fatalf("Finish: %+v, %v", done, err)
	}
	again, err := Finish(fopts)
	if err != nil || !again.AlreadyEnrolled {
		t.Fatalf("Finish again: %+v, %v", again, err)
	}
	second := fopts
	second.Certificate = issue(csr.PublicKey, root, rootKey)
	if _, err := Finish(second); !errors.Is(err, hsm.ErrExists) {
		t.Fatalf("a second certificate without Force: %v, want hsm.ErrExists", err)
	}
	second.Force = true
	if res, err := Finish(second); err != nil || !res.Renewed {
		t.Fatalf("a second certificate with Force: %+v, %v", res, err)
	}
	// A renewal imports the new certificate beside the old one, then removes the old one by
	// its content: one leaf stays, the new one; the same certificate again stays one object.
	leaves := func() []*x509.Certificate {
		var out []*x509.Certificate
		for _, o := range tokenCerts(t, topts) {
			if o.Certificate != nil && o.Certificate.Subject.CommonName == "alice" {
				out = append(out, o.Certificate)
			}
		}
		return out
	}
	if got := leaves(); len(got) != 1 || !got[0].Equal(second.Certificate) {
		t.Fatalf("after renewal the token holds %d leaf certificate(s), want the new one only", len(got))
	}
	if res, err := Finish(second); err != nil {
		t.Fatalf("the same certificate again with Force: %+v, %v", res, err)
	}
	if got := leaves(); len(got) != 1 || !got[0].Equal(second.Certificate) {
		t.Fatalf("after the same certificate again the token holds %d leaf certificate(s), want one", len(got))
	}
}

// TestEnrollRefusesBeforeTheToken: a CA without its key, with another key, or whose chain does
// not verify, and a URI that names no key, are refused before the token is opened (the token
// options here could not open one).
func TestEnrollRefusesBeforeTheToken(t *testing.T) {
	noToken := hsm.Options{Module: "/nonexistent/libnone.so"}
	root, rootKey := caCert(t, pkix.Name{CommonName: "Refusing Root"}, nil, nil, nil)
	issuing, issuingKey := caCert(t, pkix.Name{CommonName: "Refusing CA"}, root, rootKey, nil)
	otherRoot, _ := caCert(t, pkix.Name{CommonName: "Other Root"}, nil, nil, nil)
	leafLike, _ := caCert(t, pkix.Name{CommonName: "Not a CA"}, root, rootKey, func(c *x509.Certificate) {
		c.IsCA, c.KeyUsage = false, x509.KeyUsageDigitalSignature
	})
	base := Options{Token: "pkcs11:token=alice;object=k", TokenOptions: noToken, Subject: subject("alice")}
	for _, tc := range []struct {
		name   string
		mod    func(*Options)
		target error
	}{
		{"CA without its key", func(o *Options) { o.CA = []*x509.Certificate{issuing, root} }, x509util.ErrIssuer},
		{"CA with another key", func(o *Options) { o.CA, o.CAKey = []*x509.Certificate{issuing, root}, rootKey }, x509util.ErrIssuer},
		{"not a CA", func(o *Options) { o.CA, o.CAKey = []*x509.Certificate{leafLike, root}, issuingKey }, x509util.ErrIssuer},
		{"chain to another root", func(o *Options) { o.CA, o.CAKey = []*x509.Certificate{issuing, otherRoot}, issuingKey }, ErrCANotChaining},
		{"URI naming no key", func(o *Options) { o.Token = "pkcs11:token=alice" }, hsm.ErrInvalidURI},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			tc.mod(&o)
			_, err := Enroll(o)
			if !errors.Is(err, tc.target) {
				t.Fatalf("got %v, want %v", err, tc.target)
			}
			if errors.Is(err, hsm.ErrModule) {
				t.Fatal("the token was opened")
			}
		})
	}
}

// TestEnrolledOK: an existing certificate stays only while it certifies the key, is within its
// validity and, when a CA is given, was issued by it.
func TestEnrolledOK(t *testing.T) {
	root, rootKey := caCert(t, pkix.Name{CommonName: "OK Root"}, nil, nil, nil)
	other, _ := caCert(t, pkix.Name{CommonName: "OK Other"}, nil, nil, nil)
	leaf, leafKey := caCert(t, pkix.Name{CommonName: "leaf"}, root, rootKey, func(c *x509.Certificate) { c.IsCA = false })
	now := time.Now()
	for _, tc := range []struct {
		name string
		pub  any
		ca   []*x509.Certificate
		at   time.Time
		want bool
	}{
		{"valid, no CA asked", leafKey.Public(), nil, now, true},
		{"valid, from the CA", leafKey.Public(), []*x509.Certificate{root}, now, true},
		{"from another CA", leafKey.Public(), []*x509.Certificate{other}, now, false},
		{"another key", rootKey.Public(), nil, now, false},
		{"expired", leafKey.Public(), nil, now.Add(48 * time.Hour), false},
		{"not yet valid", leafKey.Public(), nil, now.Add(-48 * time.Hour), false},
	} {
		if got := enrolledOK(leaf, tc.pub, tc.ca, tc.at); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
