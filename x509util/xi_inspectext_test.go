package x509util

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"

	"github.com/signet-pki/signet/internal/testutil"
)

// xiSCTList is an SCT list extension's value of two SCTs (the second with extensions), as
// RFC 6962 3.3 writes it.
func xiSCTList() []byte {
	sct := func(b *cryptobyte.Builder, id byte, ts uint64, ext []byte) {
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddUint8(0)
			for i := 0; i < 32; i++ {
				b.AddUint8(id + byte(i))
			}
			b.AddUint64(ts)
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(ext) })
			b.AddUint8(4)
			b.AddUint8(3)
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte{0x30, 6, 2, 1, 1, 2, 1, 1}) })
		})
	}
	var b cryptobyte.Builder
	b.AddASN1OctetString(build(func(b *cryptobyte.Builder) {
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			sct(b, 0, 1700000000123, nil)
			sct(b, 0xa0, 1, []byte{1, 2})
		})
	}))
	return b.BytesOrPanic()
}

func build(f func(b *cryptobyte.Builder)) []byte {
	var b cryptobyte.Builder
	f(&b)
	return b.BytesOrPanic()
}

// TestInspectDecodesPolicyAndIssuerExtensions: cert inspect showed certificatePolicies (CPS
// and userNotice qualifiers), policyMappings, policyConstraints, inhibitAnyPolicy, issuer
// alternative names, subjectInfoAccess, SCT lists and an AKI's issuer and serial only as the
// hex of their value. They are decoded now, to the facts `openssl x509 -text` shows of a
// certificate openssl itself wrote with them (its text is checked here too).
func TestInspectDecodesPolicyAndIssuerExtensions(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	cnf := filepath.Join(dir, "ext.cnf")
	conf := `[req]
distinguished_name = dn
[dn]
[ext]
certificatePolicies = 2.5.29.32.0, @pol1
policyMappings = 1.3.6.1.4.1.55555.2.0:1.3.6.1.4.1.55555.3.0, 1.2.3.4:1.2.3.5
policyConstraints = requireExplicitPolicy:0, inhibitPolicyMapping:2
inhibitAnyPolicy = 1
issuerAltName = DNS:ca.example, email:ca@example.com, URI:http://ca.example/
subjectInfoAccess = caRepository;URI:http://repo.example/, 1.3.6.1.5.5.7.48.3;URI:http://ts.example/
authorityKeyIdentifier = keyid:always, issuer:always
basicConstraints = critical, CA:TRUE
subjectKeyIdentifier = hash
1.3.6.1.4.1.11129.2.4.2 = DER:` + strings.ToUpper(hex.EncodeToString(xiSCTList())) + `
[pol1]
policyIdentifier = 1.3.6.1.4.1.55555.2.1
CPS.1 = "https://cps.example/"
userNotice.1 = @notice
[notice]
explicitText = "notice text"
organization = "Org"
noticeNumbers = 1, 2
`
	if err := os.WriteFile(cnf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	pemFile := filepath.Join(dir, "ca.pem")
	if _, errOut, err := testutil.RunErr(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", filepath.Join(dir, "ca.key"), "-subj", "/CN=CA", "-set_serial", "0x5ab8", "-days", "10",
		"-config", cnf, "-extensions", "ext", "-out", pemFile); err != nil {
		t.Fatalf("openssl req: %v %s", err, errOut)
	}
	text, _, err := testutil.RunErr(openssl, "x509", "-in", pemFile, "-noout", "-text")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Policy: X509v3 Any Policy", "Policy: 1.3.6.1.4.1.55555.2.1", "CPS: https://cps.example/",
		"Organization: Org", "Numbers: 1, 2", "Explicit Text: notice text",
		"1.3.6.1.4.1.55555.2.0:1.3.6.1.4.1.55555.3.0, 1.2.3.4:1.2.3.5", "Require Explicit Policy:0, Inhibit Policy Mapping:2",
		"DNS:ca.example, email:ca@example.com, URI:http://ca.example/", "CA Repository - URI:http://repo.example/",
		"AD Time Stamping - URI:http://ts.example/", "DirName:/CN=CA", "serial:5A:B8",
		"Timestamp : Nov 14 22:13:20.123 2023 GMT", "Extensions: 01:02", "Signature : ecdsa-with-SHA256"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("openssl x509 -text lacks %q", want)
		}
	}
	data, _ := os.ReadFile(pemFile)
	objs, err := ParseObjects(data)
	if err != nil {
		t.Fatal(err)
	}
	got := DescribeCertificate(objs[0].Certificate, time.Now())
	zero, two := 0, 2
	wantPolicies := []PolicyInfo{
		{OID: "2.5.29.32.0", CPS: []string{}, UserNotices: []UserNoticeInfo{}, Other: []string{}},
		{OID: "1.3.6.1.4.1.55555.2.1", CPS: []string{"https://cps.example/"},
			UserNotices: []UserNoticeInfo{{Organization: "Org", Numbers: []string{"1", "2"}, ExplicitText: "notice text"}}, Other: []string{}},
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"policies", got.Policies, wantPolicies},
		{"policy mappings", got.PolicyMappings, []PolicyMappingInfo{{"1.3.6.1.4.1.55555.2.0", "1.3.6.1.4.1.55555.3.0"}, {"1.2.3.4", "1.2.3.5"}}},
		{"policy constraints", got.PolicyConstraints, &PolicyConstraintsInfo{RequireExplicitPolicy: &zero, InhibitPolicyMapping: &two}},
		{"inhibit any policy", got.InhibitAnyPolicy, func() *int { n := 1; return &n }()},
		{"issuer alt names", got.IssuerAltNames, []string{"dns:ca.example", "email:ca@example.com", "uri:http://ca.example/"}},
		{"subject info access", got.SubjectInfoAccess, []AccessInfo{{"caRepository", "uri:http://repo.example/"}, {"timeStamping", "uri:http://ts.example/"}}},
		{"aki issuer", got.AuthorityCertIssuer, []string{"dirName:CN=CA"}},
		{"aki serial", got.AuthorityCertSerial, "5ab8"},
		{"scts", got.SCTs, []SCTInfo{
			{LogID: "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", Timestamp: time.UnixMilli(1700000000123).UTC(),
				SignatureAlgorithm: "ECDSA-SHA256", Signature: "3006020101020101"},
			{LogID: "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf", Timestamp: time.UnixMilli(1).UTC(),
				Extensions: "0102", SignatureAlgorithm: "ECDSA-SHA256", Signature: "3006020101020101"}}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: %+v, want %+v", c.name, c.got, c.want)
		}
	}
}

// TestInspectDecodesCRLExtensions: a CRL's issuingDistributionPoint, freshestCRL,
// deltaCRLIndicator, issuer alternative names and AKI issuer and serial were shown as hex;
// they are decoded now to what `openssl crl -text` shows of them. A value that does not parse
// leaves its field null and its hex in extensions[].
func TestInspectDecodesCRLExtensions(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "CRL CA"}, NotBefore: time.Unix(0, 0),
		NotAfter: time.Unix(2e9, 0), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCRLSign | x509.KeyUsageCertSign,
		SubjectKeyId: []byte{1, 2, 3, 4}}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ = x509.ParseCertificate(caDER)
	mk := func(exts ...pkix.Extension) []byte {
		der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(9), ThisUpdate: time.Unix(1e9, 0),
			NextUpdate: time.Unix(1.1e9, 0), ExtraExtensions: exts}, ca, key)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	// IDP: fullName URI, onlyContainsUserCerts, onlySomeReasons keyCompromise and
	// cACompromise, indirectCRL
	idp := []byte{0x30, 0x1f, 0xa0, 0x13, 0xa0, 0x11, 0x86, 0x0f, 'h', 't', 't', 'p', ':', '/', '/', 'c', 'r', 'l', '.', 'e', 'x', '/', 'a',
		0x81, 0x01, 0xff, 0x83, 0x02, 0x05, 0x60, 0x84, 0x01, 0xff}
	fresh := []byte{0x30, 0x16, 0x30, 0x14, 0xa0, 0x12, 0xa0, 0x10, 0x86, 0x0e, 'h', 't', 't', 'p', ':', '/', '/', 'd', '.', 'e', 'x', '/', 'd', 'l'}
	ian := []byte{0x30, 0x0c, 0x82, 0x0a, 'c', 'a', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e'}
	delta, _ := asn1.Marshal(7)
	der := mk(pkix.Extension{Id: oidExtIssuingDP, Critical: true, Value: idp}, pkix.Extension{Id: oidExtFreshestCRL, Value: fresh},
		pkix.Extension{Id: oidExtIssuerAltName, Value: ian}, pkix.Extension{Id: oidExtDeltaCRLIndicator, Critical: true, Value: delta})
	p := filepath.Join(t.TempDir(), "x.crl")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	text, errOut, err := testutil.RunErr(openssl, "crl", "-in", p, "-noout", "-text")
	if err != nil {
		t.Fatalf("openssl crl: %v %s", err, errOut)
	}
	for _, want := range []string{"URI:http://crl.ex/a", "Only User Certificates", "Only Some Reasons:", "Key Compromise, CA Compromise",
		"Indirect CRL", "URI:http://d.ex/dl", "DNS:ca.example", "X509v3 Delta CRL Indicator: critical"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("openssl crl -text lacks %q:\n%s", want, text)
		}
	}
	crl, err := inspectParseCRL(der)
	if err != nil {
		t.Fatal(err)
	}
	got := DescribeCRL(crl, time.Now())
	wantIDP := &IssuingDistributionPointInfo{FullName: []string{"uri:http://crl.ex/a"}, OnlyUserCerts: true,
		OnlySomeReasons: []string{"keyCompromise", "cACompromise"}, IndirectCRL: true}
	if !reflect.DeepEqual(got.IssuingDistributionPoint, wantIDP) {
		t.Errorf("IDP %+v, want %+v", got.IssuingDistributionPoint, wantIDP)
	}
	if !reflect.DeepEqual(got.FreshestCRL, []string{"http://d.ex/dl"}) || !reflect.DeepEqual(got.IssuerAltNames, []string{"dns:ca.example"}) ||
		got.DeltaCRLIndicator != "7" {
		t.Errorf("freshest %q, issuer alt names %q, delta %q", got.FreshestCRL, got.IssuerAltNames, got.DeltaCRLIndicator)
	}
	// a damaged IDP: null, its hex kept
	bad := mk(pkix.Extension{Id: oidExtIssuingDP, Critical: true, Value: []byte{0x30, 0x03, 0x81, 0x01, 0xff, 0x00}})
	crl, err = inspectParseCRL(bad)
	if err != nil {
		t.Fatal(err)
	}
	got = DescribeCRL(crl, time.Now())
	if got.IssuingDistributionPoint != nil || !strings.Contains(got.Extensions[len(got.Extensions)-1].Value, "30038101ff00") {
		t.Errorf("damaged IDP: %+v, extensions %+v", got.IssuingDistributionPoint, got.Extensions)
	}
}
