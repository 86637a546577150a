package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/x509util"
)

// fixtureClient issues a certificate for a new P-256 key under the fixture intermediate with
// the template's fields, and writes the certificate (with the intermediate after it) and key.
func fixtureClient(t *testing.T, tmpl *x509.Certificate, issuer *x509.Certificate, issuerKey crypto.Signer, dir, name string) (certFile, keyFile string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.SerialNumber == nil {
		tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, k.Public(), issuerKey)
	if err != nil {
		t.Fatal(err)
	}
	chain := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if !bytes.Equal(issuer.RawSubject, tmpl.RawSubject) || issuer.Raw != nil {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: issuer.Raw})...)
	}
	certFile = filepath.Join(dir, name+".pem")
	if err := os.WriteFile(certFile, chain, 0o600); err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	keyFile = filepath.Join(dir, name+".key")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestServeClientAuthProbes: signet tls serve --require-client-cert lets in, through
// openssl s_client, only a client whose chain signet's engine finds valid for clientAuth
// now: a serverAuth-only certificate, an expired one, one not yet valid, one under another
// root of the same name, and a CA certificate presented as a leaf are each refused during
// the handshake, and the log gives the engine's reason and rule.
func TestServeClientAuthProbes(t *testing.T) {
	dir := t.TempDir()
	ints, err := x509util.LoadCertificateFile(fixturePKI(t, "int-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	intKey := loadFixtureKey(t, "int-ca.key")
	now := time.Now()
	client := func(cn string, from, to time.Time) *x509.Certificate {
		return &x509.Certificate{Subject: pkix.Name{CommonName: cn, Organization: []string{"Signet Test"}},
			NotBefore: from, NotAfter: to, KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, BasicConstraintsValid: true}
	}
	goodCert, goodKey := fixtureClient(t, client("good", now.Add(-time.Hour), now.Add(time.Hour)), ints[0], intKey, dir, "good")
	expCert, expKey := fixtureClient(t, client("expired", now.Add(-48*time.Hour), now.Add(-24*time.Hour)), ints[0], intKey, dir, "expired")
	futCert, futKey := fixtureClient(t, client("future", now.Add(24*time.Hour), now.Add(48*time.Hour)), ints[0], intKey, dir, "future")
	// Another root with the fixture root's very name, and a client under it.
	fk, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rootName := pkix.Name{CommonName: "Signet Test Root CA", Organization: []string{"Signet Test"}}
	ftmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: rootName, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	fder, err := x509.CreateCertificate(rand.Reader, ftmpl, ftmpl, fk.Public(), fk)
	if err != nil {
		t.Fatal(err)
	}
	froot, err := x509.ParseCertificate(fder)
	if err != nil {
		t.Fatal(err)
	}
	forCert, forKey := fixtureClient(t, client("foreign", now.Add(-time.Hour), now.Add(time.Hour)), froot, fk, dir, "foreign")

	addr, log, stop := startServe(t, "--client-ca", fixturePKI(t, "root-ca.pem"), "--require-client-cert")
	if out := sClientTo(t, addr, "-cert", goodCert, "-key", goodKey, "-cert_chain", goodCert); !strings.Contains(out, "hello, CN=good") {
		t.Fatalf("a valid client was not served:\n%s", out)
	}
	cases := []struct {
		name, cert, key, chain, why string
	}{
		{"serverAuth only", fixturePKI(t, "server.pem"), fixturePKI(t, "server.key"), fixturePKI(t, "int-ca.pem"),
			`CN=server\.example\.com,O=Signet Test \(its key not proven\) rejected: eku: .* \[rfc5280\.eku\]`},
		{"expired", expCert, expKey, expCert, `CN=expired,O=Signet Test \(its key not proven\) rejected: expired: .* \[rfc5280\.validity\]`},
		{"not yet valid", futCert, futKey, futCert, `CN=future,O=Signet Test \(its key not proven\) rejected: not-yet-valid: .* \[rfc5280\.validity\]`},
		{"another root of the same name", forCert, forKey, forCert, `CN=foreign,O=Signet Test \(its key not proven\) rejected: unknown-authority: .* \[signet\.no-path\]`},
		{"a CA as leaf", fixturePKI(t, "int-ca.pem"), fixturePKI(t, "int-ca.key"), fixturePKI(t, "int-ca.pem"),
			`CN=Signet Test Intermediate CA,O=Signet Test \(its key not proven\) rejected: constraint: .* \[signet\.leaf-is-ca\]`},
	}
	for _, tc := range cases {
		for _, v := range []string{"-tls1_2", "-tls1_3"} {
			if out := sClientTo(t, addr, v, "-cert", tc.cert, "-key", tc.key, "-cert_chain", tc.chain); strings.Contains(out, "hello,") {
				t.Errorf("%s (%s): served:\n%s", tc.name, v, out)
			}
		}
	}
	stop()
	l := log.String()
	for _, tc := range cases {
		if n := len(regexp.MustCompile(`(?m)^signet: [0-9.:]+: client presenting `+tc.why+`$`).FindAllString(l, -1)); n != 2 {
			t.Errorf("%s: %d log lines %s, want one per TLS version:\n%s", tc.name, n, tc.why, l)
		}
	}
}
