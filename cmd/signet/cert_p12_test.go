package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// hostileP12 is a PKCS#12 file with no content and a SHA-1 MAC of 2^31-1 iterations: enough
// to keep go-pkcs12 busy for half an hour while it derives the MAC key.
func hostileP12(t *testing.T) []byte {
	t.Helper()
	oidData := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(pfx *cryptobyte.Builder) {
		pfx.AddASN1Int64(3)
		pfx.AddASN1(cbasn1.SEQUENCE, func(ci *cryptobyte.Builder) { // authSafe: data
			ci.AddASN1ObjectIdentifier(oidData)
			ci.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(c *cryptobyte.Builder) {
				c.AddASN1(cbasn1.OCTET_STRING, func(o *cryptobyte.Builder) {
					o.AddASN1(cbasn1.SEQUENCE, func(*cryptobyte.Builder) {}) // no containers
				})
			})
		})
		pfx.AddASN1(cbasn1.SEQUENCE, func(mac *cryptobyte.Builder) {
			mac.AddASN1(cbasn1.SEQUENCE, func(di *cryptobyte.Builder) {
				di.AddASN1(cbasn1.SEQUENCE, func(alg *cryptobyte.Builder) {
					alg.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26})
				})
				di.AddASN1OctetString(make([]byte, 20))
			})
			mac.AddASN1OctetString(make([]byte, 8))
			mac.AddASN1Int64(1<<31 - 1)
		})
	})
	der, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// A hostile PKCS#12 file is refused at once, wherever a key is read: exit 3, one line naming
// the count, no passphrase asked for (none is set).
func TestHostileP12IsRefused(t *testing.T) {
	t.Setenv("SIGNET_PASSPHRASE", "")
	dir := t.TempDir()
	p12 := filepath.Join(dir, "hostile.p12")
	if err := os.WriteFile(p12, hostileP12(t), 0o600); err != nil {
		t.Fatal(err)
	}
	doc := filepath.Join(dir, "doc.txt")
	if err := os.WriteFile(doc, []byte("doc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"key", "inspect", p12},
		{"key", "pub", p12},
		{"sign", "--key", p12, doc},
		{"csr", "--key", p12, "--subject", "CN=x"},
		{"cert", "p12", "--key", p12, "-o", filepath.Join(dir, "out.p12")},
	} {
		code, out, errOut := certRun(args...)
		if code != exitBadInput || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "the iteration count of the MAC is 2147483647") {
			t.Errorf("signet %s: exit %d, want %d with one line naming the count\nstdout: %s\nstderr: %s",
				strings.Join(args, " "), code, exitBadInput, out, errOut)
		}
	}
}

// Subjects in cert p12's and cert create's --json are escaped like cert inspect's: a CA whose
// subject holds a newline cannot put one into a report.
func TestJSONSubjectsEscaped(t *testing.T) {
	t.Setenv("SIGNET_PASSPHRASE", "p12-passphrase")
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "evil\nOK good"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	p8, _ := x509.MarshalPKCS8PrivateKey(key)
	caPEM, keyPEM := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "ca.key")
	os.WriteFile(caPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyPEM, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}), 0o600)

	var p12 struct{ Subject string }
	out := mustSignet(t, "cert", "p12", "--cert", caPEM, "--key", keyPEM, "-o", filepath.Join(dir, "ca.p12"), "--json")
	if err := json.Unmarshal([]byte(out), &p12); err != nil || p12.Subject != `CN=evil\0AOK good` {
		t.Errorf("cert p12 --json subject %q (%v)", p12.Subject, err)
	}
	var created struct {
		Certificate struct{ Issuer string }
		Bundle      []struct{ Subject string }
	}
	// The leaf gets a key of its own: signet does not certify the CA's key under the CA.
	leafKey := filepath.Join(dir, "leaf.key")
	mustSignet(t, "key", "gen", "--no-passphrase", "-o", leafKey)
	out = mustSignet(t, "cert", "create", "--profile", "client", "--subject", "CN=leaf", "--key", leafKey,
		"--ca", caPEM, "--ca-key", keyPEM, "--bundle", "-o", filepath.Join(dir, "leaf.pem"), "--json")
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.Certificate.Issuer != `CN=evil\0AOK good` ||
		len(created.Bundle) != 1 || created.Bundle[0].Subject != `CN=evil\0AOK good` {
		t.Errorf("cert create --json: %+v (%v)", created, err)
	}
}
