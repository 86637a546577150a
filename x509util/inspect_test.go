package x509util

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
)

// inspectAt is the fixture PKI's pinned validation time.
var inspectAt = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func TestParseObjects(t *testing.T) {
	dir := t.TempDir()
	keyFile := mustKeyWrite(t, filepath.Join(dir, "k.pem"), mustKeyPEM(t, KeyECP256))
	csrPEM := keyTestOpenSSL(t, dir, "req", "-new", "-key", keyFile, "-subj", "/CN=inspect me")
	csrBlock, _ := pem.Decode(csrPEM)
	chain := mustCertfileFixture(t, "server-chain.pem")
	withKey := append(mustCertfileFixture(t, "codesign.key"), mustCertfileFixture(t, "codesign.pem")...)
	mixed := append(append(bytes.Clone(chain), csrPEM...), mustCertfileFixture(t, "int-ca.crl")...)
	twoDER := append(mustCertfileDER(t, "root-ca.pem"), mustCertfileDER(t, "int-ca.pem")...)

	tests := []struct {
		name  string
		data  []byte
		kinds string // the kinds found, comma-separated
		pem   bool
	}{
		{"certificate PEM", mustCertfileFixture(t, "server.pem"), "certificate", true},
		{"chain PEM", chain, "certificate,certificate", true},
		{"key beside certificate", withKey, "certificate", true},
		{"CSR PEM", csrPEM, "csr", true},
		{"old CSR PEM type", pem.EncodeToMemory(&pem.Block{Type: "NEW CERTIFICATE REQUEST", Bytes: csrBlock.Bytes}), "csr", true},
		{"CRL PEM", mustCertfileFixture(t, "int-ca.crl"), "crl", true},
		{"everything in one file", mixed, "certificate,certificate,csr,crl", true},
		{"certificate DER", mustCertfileDER(t, "codesign-ed25519.pem"), "certificate", false},
		{"two certificates DER", twoDER, "certificate,certificate", false},
		{"CSR DER", csrBlock.Bytes, "csr", false},
		{"CRL DER", mustCertfileDER(t, "root-ca.crl"), "crl", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := ParseObjects(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, o := range objs {
				kinds = append(kinds, string(o.Kind))
				set := 0
				if o.Certificate != nil {
					set++
				}
				if o.CSR != nil {
					set++
				}
				if o.CRL != nil {
					set++
				}
				if set != 1 || o.PEM != tt.pem {
					t.Fatalf("object %+v", o)
				}
			}
			if got := strings.Join(kinds, ","); got != tt.kinds {
				t.Fatalf("kinds %s, want %s", got, tt.kinds)
			}
		})
	}
}

func TestParseObjectsErrors(t *testing.T) {
	server := mustCertfileFixture(t, "server.pem")
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", []byte("  \n"), "empty input"},
		{"garbage", []byte("hello, world"), "neither PEM nor a DER certificate, CSR or CRL"},
		{"truncated PEM", server[:len(server)/2], "PEM block 1 (line 1): CERTIFICATE block is truncated or damaged"},
		{"only a key", mustCertfileFixture(t, "server.key"), "no CERTIFICATE, CERTIFICATE REQUEST or X509 CRL PEM block (the input has PRIVATE KEY)"},
		{"certificate block holding a CRL", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: mustCertfileDER(t, "int-ca.crl")}), "PEM block 1 (line 1): CERTIFICATE block does not parse"},
		{"truncated DER", mustCertfileDER(t, "server.pem")[:100], "neither PEM nor a DER"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseObjects(tt.data)
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrMalformed with %q", err, tt.want)
			}
		})
	}
	t.Run("directory", func(t *testing.T) {
		_, err := LoadObjects(certfilePKI)
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "is a directory, not a file") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		_, err := LoadObjects(filepath.Join(t.TempDir(), "nope.pem"))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("file named in the error", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "bad.pem")
		if err := os.WriteFile(p, []byte("junk"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadObjects(p)
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), p+": neither PEM") {
			t.Fatalf("err = %v", err)
		}
	})
}

// inspectOpenSSLNames maps openssl's display names of usages to RFC 5280's.
var inspectOpenSSLNames = map[string]string{
	"Digital Signature": "digitalSignature", "Non Repudiation": "nonRepudiation",
	"Key Encipherment": "keyEncipherment", "Data Encipherment": "dataEncipherment",
	"Key Agreement": "keyAgreement", "Certificate Sign": "keyCertSign", "CRL Sign": "cRLSign",
	"TLS Web Server Authentication": "serverAuth", "TLS Web Client Authentication": "clientAuth",
	"Code Signing": "codeSigning", "E-mail Protection": "emailProtection",
}

// inspectOpenSSLExt returns the value lines of one extension as `openssl x509 -ext` prints
// it, "" when absent, and whether openssl marks it critical.
func inspectOpenSSLExt(t *testing.T, openssl, file, ext string) (string, bool) {
	out := string(testutil.Run(t, openssl, "x509", "-in", file, "-noout", "-ext", ext))
	head, body, ok := strings.Cut(out, "\n")
	if !ok {
		return "", false
	}
	return strings.TrimSpace(body), strings.Contains(head, "critical")
}

func inspectOpenSSLList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if n, ok := inspectOpenSSLNames[p]; ok {
			p = n
		}
		out = append(out, p)
	}
	return out
}

func inspectHexColons(s string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), ":", ""))
}

// TestDescribeCertificateAgreesWithOpenSSL compares what DescribeCertificate says about each
// kind of fixture with `openssl x509`.
func TestDescribeCertificateAgreesWithOpenSSL(t *testing.T) {
	t.Parallel()
	openssl := testutil.RequireTool(t, "openssl")
	for _, name := range []string{"root-ca.pem", "int-ca.pem", "server.pem", "client.pem", "codesign.pem",
		"codesign-ed25519.pem", "email.pem", "expired.pem", "not-yet-valid.pem", "v1-ca.pem", "critext.pem", "mid-ca.pem", "eku-ca.pem"} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(certfilePKI, name)
			certs, err := ParseCertificates(mustCertfileFixture(t, name))
			if err != nil {
				t.Fatal(err)
			}
			info := DescribeCertificate(certs[0], inspectAt)

			fields := map[string]string{}
			for _, line := range strings.Split(string(testutil.Run(t, openssl, "x509", "-in", file, "-noout",
				"-serial", "-fingerprint", "-sha256", "-startdate", "-enddate")), "\n") {
				if k, v, ok := strings.Cut(line, "="); ok {
					fields[k] = v
				}
			}
			if want := strings.ToLower(fields["serial"]); strings.TrimLeft(want, "0") != info.Serial {
				t.Errorf("serial %s, openssl %s", info.Serial, want)
			}
			if want := inspectHexColons(fields["sha256 Fingerprint"]); want != info.SHA256 || want != CertificateFingerprint(certs[0]) {
				t.Errorf("sha256 %s, CertificateFingerprint %s, openssl %s", info.SHA256, CertificateFingerprint(certs[0]), want)
			}
			for k, got := range map[string]time.Time{"notBefore": info.NotBefore, "notAfter": info.NotAfter} {
				want, err := time.Parse("Jan _2 15:04:05 2006 MST", fields[k])
				if err != nil || !want.Equal(got) {
					t.Errorf("%s %v, openssl %q", k, got, fields[k])
				}
			}
			ski, _ := inspectOpenSSLExt(t, openssl, file, "subjectKeyIdentifier")
			if inspectHexColons(ski) != info.SubjectKeyID {
				t.Errorf("SKI %s, openssl %s", info.SubjectKeyID, ski)
			}
			aki, _ := inspectOpenSSLExt(t, openssl, file, "authorityKeyIdentifier")
			if inspectHexColons(strings.TrimPrefix(aki, "keyid:")) != info.AuthorityKeyID {
				t.Errorf("AKI %s, openssl %s", info.AuthorityKeyID, aki)
			}
			ku, kuCrit := inspectOpenSSLExt(t, openssl, file, "keyUsage")
			switch {
			case ku == "" && info.KeyUsage != nil:
				t.Errorf("key usage %v, openssl none", info.KeyUsage)
			case ku != "" && !slices.Equal(inspectOpenSSLList(ku), info.KeyUsage):
				t.Errorf("key usage %v, openssl %s", info.KeyUsage, ku)
			}
			eku, _ := inspectOpenSSLExt(t, openssl, file, "extendedKeyUsage")
			switch {
			case eku == "" && info.ExtKeyUsage != nil:
				t.Errorf("EKU %v, openssl none", info.ExtKeyUsage)
			case eku != "" && !slices.Equal(inspectOpenSSLList(eku), info.ExtKeyUsage):
				t.Errorf("EKU %v, openssl %s", info.ExtKeyUsage, eku)
			}
			bc, bcCrit := inspectOpenSSLExt(t, openssl, file, "basicConstraints")
			if bc == "" {
				if info.BasicConstraints != nil {
					t.Errorf("basic constraints %+v, openssl none", info.BasicConstraints)
				}
			} else {
				want := "CA:FALSE"
				if b := info.BasicConstraints; b != nil && b.CA {
					want = "CA:TRUE"
					if b.PathLen != nil {
						want += ", pathlen:" + big.NewInt(int64(*b.PathLen)).String()
					}
				}
				if bc != want || bcCrit != info.BasicConstraints.Critical {
					t.Errorf("basic constraints %+v, openssl %q critical=%v", info.BasicConstraints, bc, bcCrit)
				}
			}
			for _, e := range info.Extensions {
				if e.Name == "keyUsage" && e.Critical != kuCrit {
					t.Errorf("keyUsage critical %v, openssl %v", e.Critical, kuCrit)
				}
			}
			san, _ := inspectOpenSSLExt(t, openssl, file, "subjectAltName")
			if n := strings.Count(san, ":"); san != "" && n < info.SANs.Len() {
				t.Errorf("SANs %+v, openssl %s", info.SANs, san)
			}
			if info.SANs.Len() == 0 && san != "" {
				t.Errorf("no SANs, openssl %s", san)
			}
			if info.PublicKey.Fingerprint == "" {
				t.Errorf("no public key fingerprint")
			}
		})
	}
}

func TestDescribeCertificateFixtures(t *testing.T) {
	desc := func(name string) CertificateInfo {
		certs, err := ParseCertificates(mustCertfileFixture(t, name))
		if err != nil {
			t.Fatal(err)
		}
		return DescribeCertificate(certs[0], inspectAt)
	}
	root := desc("root-ca.pem")
	if !root.SelfSigned || root.BasicConstraints == nil || !root.BasicConstraints.CA || root.BasicConstraints.PathLen != nil {
		t.Errorf("root: %+v", root)
	}
	if root.PublicKey.Type != "ec-p384" || root.Version != 3 {
		t.Errorf("root key %+v version %d", root.PublicKey, root.Version)
	}
	if impostor := desc("int-impostor.pem"); !impostor.SelfSigned {
		t.Errorf("int-impostor is self-signed")
	}
	server := desc("server.pem")
	if server.SelfSigned || server.Subject != "CN=server.example.com,O=Signet Test" || server.Issuer != "CN=Signet Test Intermediate CA,O=Signet Test" {
		t.Errorf("server: %+v", server)
	}
	if strings.Join(server.SANs.DNS, " ") != "server.example.com www.example.com" || strings.Join(server.SANs.IP, " ") != "192.0.2.10" {
		t.Errorf("server SANs %+v", server.SANs)
	}
	if server.Validity.Status != ValidityValid || server.Validity.Days != 6789 { // 2026-06-01 to 2045-01-01
		t.Errorf("server validity %+v", server.Validity)
	}
	if e := desc("expired.pem").Validity; e.Status != ValidityExpired || e.Days != 1977 { // since 2021-01-01
		t.Errorf("expired %+v", e)
	}
	if e := desc("not-yet-valid.pem").Validity; e.Status != ValidityNotYetValid || e.Days != 4962 { // until 2040-01-01
		t.Errorf("not yet valid %+v", e)
	}
	v1 := desc("v1-ca.pem")
	if v1.Version != 1 || v1.KeyUsage != nil || v1.ExtKeyUsage != nil || v1.BasicConstraints != nil || len(v1.Extensions) != 0 {
		t.Errorf("v1: %+v", v1)
	}
	crit := desc("critext.pem")
	found := false
	for _, e := range crit.Extensions {
		if e.OID == "1.3.6.1.4.1.55555.1" && e.Critical && e.Name == "" {
			found = true
		}
	}
	if !found {
		t.Errorf("critext extensions %+v", crit.Extensions)
	}
	cs := desc("codesign.pem")
	if strings.Join(cs.SANs.Email, "") != "release@example.com" || strings.Join(cs.SANs.URI, "") != "https://example.com/release-bot" {
		t.Errorf("codesign SANs %+v", cs.SANs)
	}
}

func TestDescribeCSR(t *testing.T) {
	dir := t.TempDir()
	keyFile := mustKeyWrite(t, filepath.Join(dir, "k.pem"), mustKeyPEM(t, KeyECP384))
	csrPEM := keyTestOpenSSL(t, dir, "req", "-new", "-key", keyFile, "-subj", "/O=Example/CN=inspect me",
		"-addext", "subjectAltName=DNS:a.example,email:x@example.com")
	objs, err := ParseObjects(csrPEM)
	if err != nil {
		t.Fatal(err)
	}
	info := DescribeCSR(objs[0].CSR)
	if !info.SignatureValid || info.SignatureError != "" || info.Subject != "CN=inspect me,O=Example" || info.PublicKey.Type != "ec-p384" {
		t.Errorf("%+v", info)
	}
	if strings.Join(info.SANs.DNS, "") != "a.example" || strings.Join(info.SANs.Email, "") != "x@example.com" {
		t.Errorf("SANs %+v", info.SANs)
	}
	if len(info.Extensions) != 1 || info.Extensions[0].Name != "subjectAltName" {
		t.Errorf("extensions %+v", info.Extensions)
	}
	block, _ := pem.Decode(csrPEM)
	tampered := bytes.Clone(block.Bytes)
	i := bytes.Index(tampered, []byte("inspect me"))
	tampered[i] = 'I'
	objs, err = ParseObjects(tampered)
	if err != nil {
		t.Fatal(err)
	}
	if info := DescribeCSR(objs[0].CSR); info.SignatureValid || info.SignatureError == "" {
		t.Errorf("tampered CSR: %+v", info)
	}
}

func TestDescribeCRL(t *testing.T) {
	crl, err := ParseCRL(mustCertfileFixture(t, "int-ca.crl"))
	if err != nil {
		t.Fatal(err)
	}
	info := DescribeCRL(crl, inspectAt)
	if info.Issuer != "CN=Signet Test Intermediate CA,O=Signet Test" || info.Number != "4096" {
		t.Errorf("%+v", info)
	}
	if info.NextUpdate == nil || !info.NextUpdate.Equal(time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC)) || info.Validity.Status != ValidityValid {
		t.Errorf("dates %+v %+v", info.NextUpdate, info.Validity)
	}
	want := []RevokedInfo{{Serial: "5167000000000015", RevokedAt: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), Reason: "keyCompromise"}}
	if !reflect.DeepEqual(info.Revoked, want) {
		t.Errorf("revoked %+v", info.Revoked)
	}
	if info.AuthorityKeyID != "5dcf77b0015027a9d93325260888ad2a7c8f8196" {
		t.Errorf("AKI %s", info.AuthorityKeyID)
	}
	stale, err := ParseCRL(mustCertfileFixture(t, "int-ca-stale.crl"))
	if err != nil {
		t.Fatal(err)
	}
	if v := DescribeCRL(stale, inspectAt).Validity; v.Status != ValidityExpired {
		t.Errorf("stale CRL %+v", v)
	}
	empty, err := ParseCRL(mustCertfileFixture(t, "mid-ca.crl"))
	if err != nil {
		t.Fatal(err)
	}
	if info := DescribeCRL(empty, inspectAt); info.Revoked == nil || len(info.Revoked) != 0 {
		t.Errorf("empty CRL revoked %#v", info.Revoked)
	}
}

func TestDescribeValidity(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		at     time.Time
		end    time.Time
		status string
		days   int
	}{
		{"inside", start.Add(24 * time.Hour), end, ValidityValid, 364},
		{"at the start", start, end, ValidityValid, 365},
		{"at the end", end, end, ValidityValid, 0},
		{"a second after", end.Add(time.Second), end, ValidityExpired, 0},
		{"two days after", end.Add(49 * time.Hour), end, ValidityExpired, 2},
		{"before", start.Add(-36 * time.Hour), end, ValidityNotYetValid, 1},
		{"no end", start.Add(1000 * 24 * time.Hour), time.Time{}, ValidityValid, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := DescribeValidity(start, tt.end, tt.at)
			if v.Status != tt.status || v.Days != tt.days {
				t.Fatalf("got %+v, want %s %d", v, tt.status, tt.days)
			}
		})
	}
}

func TestParseSerial(t *testing.T) {
	tests := []struct {
		in   string
		want string // hex; "" for an error
	}{
		{"5167000000000015", "5167000000000015"},
		{"51:67:00:00:00:00:00:15", "5167000000000015"},
		{"serial=5167000000000015", "5167000000000015"},
		{"0x1000", "1000"},
		{"0X00ff", "ff"},
		{"0x100", "0100"}, // whole bytes, as openssl prints them
		{"DEADbeef", "deadbeef"},
		{"decimal:4096", "1000"},
		{"Decimal:1", "01"},
		{" 1a ", "1a"},
		{"1000", "1000"}, // a bare number is hex
		{"", ""},
		{"0x", ""},
		{"0", ""},
		{"00:00", ""},
		{"decimal:", ""},
		{"decimal:0x10", ""},
		{"decimal:-5", ""},
		{"-5", ""},
		{"12:", ""},
		{":12", ""},
		{"12::34", ""},
		{"xyz", ""},
		{"12 34", ""},
		{strings.Repeat("ff", 20), strings.Repeat("ff", 20)},
		{strings.Repeat("ff", 21), ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, err := ParseSerial(tt.in)
			if tt.want == "" {
				var se *SerialError
				if !errors.Is(err, ErrMalformed) || !errors.As(err, &se) || se.Input != tt.in || se.Reason == "" {
					t.Fatalf("ParseSerial(%q) = %v, %v; want a *SerialError wrapping ErrMalformed", tt.in, n, err)
				}
				return
			}
			if err != nil || FormatSerial(n) != tt.want {
				t.Fatalf("ParseSerial(%q) = %v, %v; want %s", tt.in, n, err, tt.want)
			}
		})
	}
}

func TestUsageNames(t *testing.T) {
	if got := strings.Join(KeyUsageNames(x509.KeyUsageDigitalSignature|x509.KeyUsageCRLSign), ","); got != "digitalSignature,cRLSign" {
		t.Errorf("KeyUsageNames = %s", got)
	}
	if KeyUsageNames(0) == nil {
		t.Error("KeyUsageNames(0) is nil")
	}
	for _, n := range []string{"digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"} {
		bit, ok := KeyUsageBit(strings.ToLower(n))
		if !ok || KeyUsageNames(bit)[0] != n {
			t.Errorf("KeyUsageBit(%s) = %v %v", n, bit, ok)
		}
	}
	if _, ok := KeyUsageBit("codeSigning"); ok {
		t.Error("codeSigning is not a key usage")
	}
	for _, e := range ExtKeyUsages() {
		byName, ok1 := ExtKeyUsageByName(strings.ToUpper(e.Name))
		byOID, ok2 := ExtKeyUsageByOID(e.OID)
		if !ok1 || !ok2 || byName.Usage != e.Usage || byOID.Name != e.Name || !ExtKeyUsageOID(e.Usage).Equal(e.OID) || ExtKeyUsageName(e.OID) != e.Name {
			t.Errorf("%s does not round-trip", e.Name)
		}
	}
	if got := ExtKeyUsageName([]int{1, 2, 3, 4}); got != "1.2.3.4" {
		t.Errorf("unknown EKU name %s", got)
	}
}

func FuzzParseObjects(f *testing.F) {
	for _, s := range certfileSeeds(f, "server-chain.pem", "int-ca.crl", "v1-ca.pem", "critext.pem", "codesign-ed25519.pem") {
		f.Add(s)
	}
	f.Add(append(mustCertfileFixture(f, "server.key"), mustCertfileFixture(f, "server.pem")...))
	f.Add([]byte("-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := ParseObjects(data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		if len(objs) == 0 {
			t.Fatal("no objects and no error")
		}
		for _, o := range objs {
			// Describing must never panic, whatever parsed.
			switch o.Kind {
			case KindCertificate:
				DescribeCertificate(o.Certificate, inspectAt)
			case KindCSR:
				DescribeCSR(o.CSR)
			case KindCRL:
				DescribeCRL(o.CRL, inspectAt)
			default:
				t.Fatalf("kind %q", o.Kind)
			}
		}
	})
}

func FuzzParseSerial(f *testing.F) {
	for _, s := range []string{"5167000000000015", "51:67:00:15", "serial=0A", "0x1000", "decimal:4096", "", "::", "decimal:", "-1", strings.Repeat("f", 41)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSerial(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		if n.Sign() <= 0 || len(n.Bytes()) > 20 {
			t.Fatalf("ParseSerial(%q) = %v", s, n)
		}
		back, err := ParseSerial(FormatSerial(n))
		if err != nil || back.Cmp(n) != 0 {
			t.Fatalf("FormatSerial(%v) = %q does not parse back: %v %v", n, FormatSerial(n), back, err)
		}
	})
}
