package enroll

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/hsm"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// TestEnrollAgainForOtherNames: enrolling again a key that holds a valid certificate of the
// same CA, but for another subject or other SANs (when SANs are given), is refused without
// Force and changes nothing; it used to report the token "already enrolled" (exit 0) while it held another
// person's certificate. The same names (given in another RDN order of RFC 4514's form)
// are still already enrolled, and Force renews for the new names.
func TestEnrollAgainForOtherNames(t *testing.T) {
	topts := tokenOptions(t)
	root, rootKey := caCert(t, pkix.Name{CommonName: "Names Root"}, nil, nil, nil)
	dn := func(s string) pkix.RDNSequence {
		seq, err := x509util.ParseRDNSequence(s)
		if err != nil {
			t.Fatal(err)
		}
		return seq
	}
	alice := x509util.SANs{EmailAddresses: []string{"alice@example.com"}}
	opts := Options{Token: "pkcs11:token=alice;object=client", TokenOptions: topts, Subject: dn("CN=alice,O=Example"),
		SANs: alice, CA: []*x509.Certificate{root}, CAKey: rootKey}
	first, err := Enroll(opts)
	if err != nil {
		t.Fatal(err)
	}
	same := opts
	same.Subject = dn("/O=Example/CN=alice")
	if again, err := Enroll(same); err != nil || !again.AlreadyEnrolled || !again.Certificate.Equal(first.Certificate) {
		t.Fatalf("the same names again: %+v, %v", again, err)
	}
	bob := opts
	bob.Subject = dn("CN=bob,O=Example")
	_, err = Enroll(bob)
	if !errors.Is(err, hsm.ErrExists) || !strings.Contains(err.Error(), "a certificate for CN=alice,O=Example") ||
		!strings.Contains(err.Error(), "not the subject asked for (CN=bob,O=Example)") {
		t.Errorf("another subject: %v", err)
	}
	otherSAN := opts
	otherSAN.SANs = x509util.SANs{EmailAddresses: []string{"mallory@example.com"}}
	if _, err := Enroll(otherSAN); !errors.Is(err, hsm.ErrExists) || !strings.Contains(err.Error(), "not the subject alternative names asked for") {
		t.Errorf("other SANs: %v", err)
	}
	noSAN := opts // no SANs asked for: the subject decides
	noSAN.SANs = x509util.SANs{}
	if again, err := Enroll(noSAN); err != nil || !again.AlreadyEnrolled {
		t.Errorf("the same subject, no SANs given: %+v, %v", again, err)
	}
	certs := tokenCerts(t, topts)
	if len(certs) != 2 || !certs[0].Certificate.Equal(first.Certificate) && !certs[1].Certificate.Equal(first.Certificate) {
		t.Fatalf("the refused enrolments changed the token: %+v", certs)
	}
	bob.Force = true
	renewed, err := Enroll(bob)
	if err != nil || !renewed.Renewed || renewed.Subject != "CN=bob,O=Example" {
		t.Fatalf("--force for bob: %+v, %v", renewed, err)
	}
}

// TestFinishRefusesCertificateNotValidNow: finishing with a certificate for the token key that
// has expired, or is not yet valid, is refused before anything is written, chain or no chain;
// without a chain it used to be imported.
func TestFinishRefusesCertificateNotValidNow(t *testing.T) {
	topts := tokenOptions(t)
	const uri = "pkcs11:token=alice;object=ext"
	res, err := Enroll(Options{Token: uri, TokenOptions: topts, Subject: subject("alice")})
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509util.ParseCSR(res.CSR)
	if err != nil {
		t.Fatal(err)
	}
	root, rootKey := caCert(t, pkix.Name{CommonName: "Validity Root"}, nil, nil, nil)
	now := time.Now()
	for _, tc := range []struct {
		name     string
		from, to time.Time
	}{
		{"expired", now.Add(-48 * time.Hour), now.Add(-24 * time.Hour)},
		{"not yet valid", now.Add(24 * time.Hour), now.Add(48 * time.Hour)},
	} {
		der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(now.UnixNano()), Subject: pkix.Name{CommonName: "alice"},
			NotBefore: tc.from, NotAfter: tc.to, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, root, csr.PublicKey, rootKey)
		if err != nil {
			t.Fatal(err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		for _, chain := range [][]*x509.Certificate{nil, {root}} {
			if _, err := Finish(FinishOptions{Token: uri, TokenOptions: topts, Certificate: cert, Chain: chain}); !errors.Is(err, verify.ErrInvalid) ||
				!strings.Contains(err.Error(), `the certificate "CN=alice" is not valid now`) {
				t.Errorf("%s, chain %d: %v", tc.name, len(chain), err)
			}
		}
	}
	if n := len(tokenCerts(t, topts)); n != 0 {
		t.Fatalf("refused steps wrote %d certificate(s)", n)
	}
}

// TestEnrollAgainAfterOutsideCA: a key enrolled through the CSR route, its certificate issued
// by an outside CA with the subject as the CSR carries it (DC and UID attributes, a
// multi-valued RDN, which pkix.Name's re-encoding reorders or splits), is already enrolled
// when the same enrolment runs again; it was refused as "not the subject asked for".
func TestEnrollAgainAfterOutsideCA(t *testing.T) {
	topts := tokenOptions(t)
	root, rootKey := caCert(t, pkix.Name{CommonName: "Outside Root"}, nil, nil, nil)
	for i, subj := range []string{"CN=host,DC=example,DC=org", "CN=a+OU=b,O=Example", "CN=host,UID=u1,O=Example"} {
		seq, err := x509util.ParseRDNSequence(subj)
		if err != nil {
			t.Fatal(err)
		}
		opts := Options{Token: "pkcs11:token=alice;object=out" + string(rune('a'+i)), TokenOptions: topts, Subject: seq}
		res, err := Enroll(opts)
		if err != nil || res.CSR == nil {
			t.Fatalf("%s: the CSR step: %+v, %v", subj, res, err)
		}
		csr, err := x509util.ParseCSR(res.CSR)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(1000 + i)), RawSubject: csr.RawSubject,
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, root, csr.PublicKey, rootKey)
		if err != nil {
			t.Fatal(err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Finish(FinishOptions{Token: opts.Token, TokenOptions: topts, Certificate: cert, Chain: []*x509.Certificate{root}}); err != nil {
			t.Fatalf("%s: Finish: %v", subj, err)
		}
		opts.CA, opts.CAKey = []*x509.Certificate{root}, rootKey
		again, err := Enroll(opts)
		if err != nil || !again.AlreadyEnrolled {
			t.Errorf("%s: enrolling again: %+v, %v; want already enrolled", subj, again, err)
		}
	}
}

// TestEnrollAgainForAnotherProfile: enrolling again a key whose certificate (same CA, same
// names) is not for the extended key usage the profile asked for gives, is refused without
// Force and changes nothing; it reported the token "already enrolled", exit 0, while it held
// a client certificate where a server one was asked for (which no TLS client would accept).
// A certificate that allows the usage (the same profile, or no EKU extension: any use) is
// still already enrolled, and Force renews it for the profile asked for.
func TestEnrollAgainForAnotherProfile(t *testing.T) {
	topts := tokenOptions(t)
	root, rootKey := caCert(t, pkix.Name{CommonName: "Profile Root"}, nil, nil, nil)
	opts := Options{Token: "pkcs11:token=alice;object=client", TokenOptions: topts, Subject: subject("alice"),
		SANs: x509util.SANs{DNSNames: []string{"alice.example"}}, CA: []*x509.Certificate{root}, CAKey: rootKey}
	first, err := Enroll(opts)
	if err != nil {
		t.Fatal(err)
	}
	server := opts
	server.Profile = x509util.ProfileServer
	if _, err := Enroll(server); !errors.Is(err, hsm.ErrExists) || !strings.Contains(err.Error(), "not for the server profile") {
		t.Errorf("the server profile over a client certificate: %v; want ErrExists naming the profile", err)
	}
	if certs := tokenCerts(t, topts); len(certs) != 2 || !certs[0].Certificate.Equal(first.Certificate) && !certs[1].Certificate.Equal(first.Certificate) {
		t.Fatalf("the refused enrolment changed the token: %+v", certs)
	}
	client := opts
	client.Profile = x509util.ProfileClient
	if again, err := Enroll(client); err != nil || !again.AlreadyEnrolled {
		t.Errorf("the client profile again: %+v, %v", again, err)
	}
	server.Force = true
	renewed, err := Enroll(server)
	if err != nil || !renewed.Renewed || !slices.Contains(renewed.Certificate.ExtKeyUsage, x509.ExtKeyUsageServerAuth) {
		t.Fatalf("--force for the server profile: %+v, %v", renewed, err)
	}
	server.Force = false
	if again, err := Enroll(server); err != nil || !again.AlreadyEnrolled {
		t.Errorf("the server profile again: %+v, %v", again, err)
	}
}

// TestEnrollRefusesNamesBeforeTheToken: what the CA would refuse to certify whatever the key
// (a server profile without a DNS or IP name, a subject that is the name of a CA of the chain,
// a name outside a CA's name constraints, a profile whose usage a CA's EKU leaves out) is
// refused before the token is opened. It was refused only when the certificate was issued,
// after a new key pair had been generated on the token, and that key stayed there: on a
// card with four key slots, each refused enrolment took one.
func TestEnrollRefusesNamesBeforeTheToken(t *testing.T) {
	noToken := hsm.Options{Module: "/nonexistent/libnone.so"}
	root, rootKey := caCert(t, pkix.Name{CommonName: "Names Root"}, nil, nil, nil)
	constrained, constrainedKey := caCert(t, pkix.Name{CommonName: "Names Constrained CA"}, root, rootKey, func(c *x509.Certificate) {
		c.PermittedDNSDomains, c.PermittedDNSDomainsCritical = []string{"nc.example.com"}, true
	})
	clientOnly, clientOnlyKey := caCert(t, pkix.Name{CommonName: "Names Client CA"}, root, rootKey, func(c *x509.Certificate) {
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	})
	base := Options{Token: "pkcs11:token=alice;object=k", TokenOptions: noToken, Subject: subject("alice"),
		CA: []*x509.Certificate{root}, CAKey: rootKey}
	for _, tc := range []struct {
		name   string
		mod    func(*Options)
		target error
	}{
		{"server without a DNS or IP name", func(o *Options) { o.Profile = x509util.ProfileServer }, x509util.ErrInvalidName},
		{"named as its CA", func(o *Options) { o.Subject = subject("Names Root") }, x509util.ErrInvalidName},
		{"outside the name constraints", func(o *Options) {
			o.CA, o.CAKey = []*x509.Certificate{constrained, root}, constrainedKey
			o.SANs = x509util.SANs{DNSNames: []string{"www.example.org"}}
		}, x509util.ErrNameConstraint},
		{"a usage the CA's EKU leaves out", func(o *Options) {
			o.CA, o.CAKey = []*x509.Certificate{clientOnly, root}, clientOnlyKey
			o.Profile, o.SANs = x509util.ProfileServer, x509util.SANs{DNSNames: []string{"alice.example"}}
		}, x509util.ErrIssuer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			tc.mod(&o)
			_, err := Enroll(o)
			if errors.Is(err, hsm.ErrModule) {
				t.Fatalf("the token was opened (a key would have been generated first): %v", err)
			}
			if !errors.Is(err, tc.target) {
				t.Fatalf("got %v, want %v", err, tc.target)
			}
		})
	}
}
