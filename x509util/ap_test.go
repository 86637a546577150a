package x509util_test

import (
	"crypto"
	//lint:ignore SA1019 a DSA key is made here only to be refused
	"crypto/dsa"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/x509util"
)

// A careless or hostile library caller: keys IssueCertificate cannot certify given to the
// check that says whether it would, nil certificates, CSRs and keys, a zero time. Each fails
// closed with a sentinel or does what its doc says the zero value means; none panics.

func apRecover(t *testing.T) {
	t.Helper()
	if r := recover(); r != nil {
		t.Fatalf("panic: %v", r)
	}
}

func TestAPCheckPublicKey(t *testing.T) {
	x, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var dp dsa.PrivateKey
	if err := dsa.GenerateParameters(&dp.Parameters, rand.Reader, dsa.L1024N160); err != nil {
		t.Fatal(err)
	}
	if err := dsa.GenerateKey(&dp, rand.Reader); err != nil {
		t.Fatal(err)
	}
	ca := loadCert(t, "int-ca.pem")
	caKey := loadKey(t, "int-ca.key")
	tests := []struct {
		name string
		pub  crypto.PublicKey
		ok   bool
	}{
		{name: "P-256", pub: testutil.Key(t, "p256").Public(), ok: true},
		{name: "Ed25519", pub: testutil.Key(t, "ed25519").Public(), ok: true},
		{name: "RSA 2048", pub: testutil.Key(t, "rsa2048").Public(), ok: true},
		{name: "nil"},
		{name: "X25519", pub: x.PublicKey()},
		{name: "DSA", pub: &dp.PublicKey},
		{name: "EC key without a curve", pub: &ecdsa.PublicKey{}},
		{name: "not a key", pub: "a string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer apRecover(t)
			err := x509util.CheckPublicKey(tc.pub)
			if tc.ok != (err == nil) || err != nil && !errors.Is(err, x509util.ErrUnsupported) {
				t.Fatalf("CheckPublicKey: %v, want ok %v", err, tc.ok)
			}
			// CheckPublicKey says whether IssueCertificate would certify the key.
			_, ierr := x509util.IssueCertificate(x509util.IssueRequest{Profile: x509util.ProfileServer, Subject: pkix.Name{CommonName: "a.example"},
				DNSNames: []string{"a.example"}, PublicKey: tc.pub, Issuer: ca, IssuerKey: caKey, Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
			if tc.ok != (ierr == nil) {
				t.Errorf("IssueCertificate: %v, CheckPublicKey: %v", ierr, err)
			}
		})
	}
}

func TestAPCheckCRLIssuerCurrentZeroTime(t *testing.T) {
	defer apRecover(t)
	expired := loadCert(t, "expired-ca.pem")
	// Zero is now, as CRLRequest.Now: not the year 1, before every CA expired.
	if err := x509util.CheckCRLIssuerCurrent(expired, time.Time{}); !errors.Is(err, x509util.ErrIssuer) {
		t.Errorf("an expired CA at the zero time: %v, want ErrIssuer", err)
	}
	if err := x509util.CheckCRLIssuerCurrent(nil, time.Now()); !errors.Is(err, x509util.ErrIssuer) {
		t.Errorf("no CA: %v, want ErrIssuer", err)
	}
	if err := x509util.CheckIssuer(nil, nil, x509.KeyUsageCertSign); !errors.Is(err, x509util.ErrIssuer) {
		t.Errorf("CheckIssuer with no CA: %v, want ErrIssuer", err)
	}
}

func loadCert(t *testing.T, name string) *x509.Certificate {
	t.Helper()
	certs, err := x509util.LoadCertificateFile("../testdata/pki/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return certs[0]
}

func loadKey(t *testing.T, name string) crypto.Signer {
	t.Helper()
	data, err := os.ReadFile("../testdata/pki/" + name)
	if err != nil {
		t.Fatal(err)
	}
	k, err := x509util.ParsePrivateKey(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Nil where a certificate, a chain certificate or a key is wanted: an error with a sentinel,
// never a panic.
func TestAPIssueNilArguments(t *testing.T) {
	ca := loadCert(t, "int-ca.pem")
	caKey := loadKey(t, "int-ca.key")
	k := testutil.Key(t, "p256")
	req := x509util.IssueRequest{Profile: x509util.ProfileServer, Subject: pkix.Name{CommonName: "a.example"}, DNSNames: []string{"a.example"},
		PublicKey: k.Public(), Issuer: ca, IssuerKey: caKey, Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"issuer chain with a nil certificate", func() error {
			r := req
			r.IssuerChain = []*x509.Certificate{nil}
			_, err := x509util.IssueCertificate(r)
			return err
		}, x509util.ErrIssuer},
		{"no public key", func() error { r := req; r.PublicKey = nil; _, err := x509util.IssueCertificate(r); return err }, x509util.ErrUnsupported},
		{"PKCS#12 without a key", func() error {
			_, err := x509util.EncodeP12(nil, ca, nil, []byte("pw"), x509util.P12Options{})
			return err
		}, x509util.ErrKeyMismatch},
		{"PKCS#12 without a certificate", func() error {
			_, err := x509util.EncodeP12(caKey, nil, nil, []byte("pw"), x509util.P12Options{})
			return err
		}, x509util.ErrKeyMismatch},
		{"PKCS#12 with a nil chain certificate", func() error {
			_, err := x509util.EncodeP12(caKey, ca, []*x509.Certificate{nil}, []byte("pw"), x509util.P12Options{})
			return err
		}, x509util.ErrKeyMismatch},
		{"CSR without a key", func() error {
			_, err := x509util.CreateCSR(nil, pkix.Name{CommonName: "a"}.ToRDNSequence(), x509util.SANs{})
			return err
		}, x509util.ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer apRecover(t)
			if err := tc.call(); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("IssuerPath", func(t *testing.T) {
		defer apRecover(t)
		if p := x509util.IssuerPath(nil, nil); p != nil {
			t.Errorf("IssuerPath(nil) = %v", p)
		}
		root := loadCert(t, "root-ca.pem")
		if p := x509util.IssuerPath(ca, []*x509.Certificate{nil, root}); len(p) != 2 || p[1] != root {
			t.Errorf("IssuerPath with a nil certificate: %d certificates", len(p))
		}
	})
}
