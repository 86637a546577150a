package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// TestRCInspectHostile (review rc): `cert inspect` of a certificate built to attack the
// terminal -- control characters, a terminal escape and bidi overrides in its subject,
// issuer, SANs (DNS, email; crypto/x509 refuses such a URI) and an unknown extension's OID, 2000 extensions and one of
// 1 MB nested 5000 levels deep -- prints every name escaped, in human and JSON output: no
// control character but the newline, no Unicode format character (bidi overrides, zero-width)
// reaches the output, and it finishes. (Probe: no fault found.)
func TestRCInspectHostile(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	evil := "a\u202eb\x1b[2J\x1b]0;pwned\x07c\rd\u200b"
	ia5 := "x\x1b[31m.example" // IA5String: ASCII only, escape included
	gn := func(tag int, s string) asn1.RawValue {
		return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: tag, Bytes: []byte(s)}
	}
	san, _ := asn1.Marshal([]asn1.RawValue{gn(2, ia5), gn(1, "u\x1b[0m@example.com")})
	nested := []byte{0x05, 0x00}
	for i := 0; i < 5000; i++ {
		var l []byte
		switch n := len(nested); {
		case n < 128:
			l = []byte{byte(n)}
		case n < 256:
			l = []byte{0x81, byte(n)}
		case n < 65536:
			l = []byte{0x82, byte(n >> 8), byte(n)}
		default:
			l = []byte{0x83, byte(n >> 16), byte(n >> 8), byte(n)}
		}
		nested = append(append([]byte{0x30}, l...), nested...)
	}
	nested = append(nested[:0:0], nested...)
	exts := []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 17}, Value: san},
		{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}, Value: nested}}
	for i := 0; i < 2000; i++ {
		exts = append(exts, pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 2, i}, Value: []byte{5, 0}})
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: evil, Organization: []string{evil}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtraExtensions: exts}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "evil.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"cert", "inspect", file}, {"cert", "inspect", "--json", file}} {
		out, errOut, code := runSignet(t, "", args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		for _, r := range out + errOut {
			if r == utf8.RuneError || (r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r))) {
				t.Errorf("%v: the output holds %U raw:\n%s", args, r, out)
				break
			}
		}
		if !strings.Contains(out, "1.3.6.1.4.1.99999.1") || strings.Count(out, "1.3.6.1.4.1.99999.2.") != 2000 {
			t.Errorf("%v: the extensions are not all listed", args)
		}
	}
}
