package x509util

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/internal/testutil"
)

// xcCSR parses a PEM CSR as cert inspect does (ParseObjects) and describes it.
func xcCSR(t *testing.T, data []byte) CSRInfo {
	t.Helper()
	objs, err := ParseObjects(data)
	if err != nil {
		t.Fatalf("ParseObjects: %v", err)
	}
	if len(objs) != 1 || objs[0].Kind != KindCSR {
		t.Fatalf("ParseObjects: %d objects, want one CSR", len(objs))
	}
	return DescribeCSR(objs[0].CSR)
}

// TestXCRequestedExtensionsOpenSSL: a CSR openssl req makes with -addext of every kind is
// described with its requested extensions taken apart as a certificate's are (key usage,
// EKU, basic constraints with CA and path length, policies, name constraints), in the same
// JSON fields: a request for CA:TRUE does not read as one without it. Its unknown
// extensions, critical or not, are listed by OID with their value.
func TestXCRequestedExtensionsOpenSSL(t *testing.T) {
	dir := t.TempDir()
	keyFile := mustKeyWrite(t, filepath.Join(dir, "k.pem"), mustKeyPEM(t, KeyECP256))
	data := keyTestOpenSSL(t, dir, "req", "-new", "-key", keyFile, "-subj", "/CN=greedy",
		"-addext", "subjectAltName=DNS:a.example,IP:192.0.2.1,email:a@b.example,URI:https://u.example/",
		"-addext", "keyUsage=critical,digitalSignature,keyCertSign",
		"-addext", "extendedKeyUsage=serverAuth,1.2.3.4",
		"-addext", "basicConstraints=critical,CA:TRUE,pathlen:2",
		"-addext", "certificatePolicies=2.23.140.1.2.1,1.3.6.1.4.1.5.6",
		"-addext", "nameConstraints=critical,permitted;DNS:example.com,excluded;IP:10.0.0.0/255.0.0.0",
		"-addext", "subjectKeyIdentifier=0102030405",
		"-addext", "1.2.3.4.5=critical,DER:0500",
		"-addext", "1.2.3.4.6=ASN1:UTF8String:hi")
	got := xcCSR(t, data)
	if !slices.Equal(got.KeyUsage, []string{"digitalSignature", "keyCertSign"}) {
		t.Errorf("key usage %q", got.KeyUsage)
	}
	if !slices.Equal(got.ExtKeyUsage, []string{"serverAuth", "1.2.3.4"}) {
		t.Errorf("ext key usage %q", got.ExtKeyUsage)
	}
	if bc := got.BasicConstraints; bc == nil || !bc.CA || bc.PathLen == nil || *bc.PathLen != 2 || !bc.Critical {
		t.Errorf("basic constraints %+v, want CA:TRUE, path length 2, critical", bc)
	}
	if len(got.Policies) != 2 || got.Policies[0].OID != "2.23.140.1.2.1" || got.Policies[1].OID != "1.3.6.1.4.1.5.6" {
		t.Errorf("policies %+v", got.Policies)
	}
	if nc := got.NameConstraints; nc == nil || !slices.Equal(nc.Permitted, []string{"dns:example.com"}) ||
		!slices.Equal(nc.Excluded, []string{"ip:10.0.0.0/8"}) || !nc.Critical {
		t.Errorf("name constraints %+v", nc)
	}
	if got.SubjectKeyID != "0102030405" {
		t.Errorf("subject key id %q", got.SubjectKeyID)
	}
	if s := got.SANs; !slices.Equal(s.DNS, []string{"a.example"}) || !slices.Equal(s.IP, []string{"192.0.2.1"}) ||
		!slices.Equal(s.Email, []string{"a@b.example"}) || !slices.Equal(s.URI, []string{"https://u.example/"}) {
		t.Errorf("SANs %+v", s)
	}
	var unknown []string
	for _, e := range got.Extensions {
		if e.Name == "" {
			unknown = append(unknown, e.OID+map[bool]string{true: " critical", false: ""}[e.Critical]+" "+e.Value)
		}
	}
	if !slices.Equal(unknown, []string{"1.2.3.4.5 critical 0500", "1.2.3.4.6 0c026869"}) {
		t.Errorf("unknown extensions %q", unknown)
	}
	// the JSON fields are a certificate's
	j, _ := json.Marshal(got)
	for _, f := range []string{`"key_usage":["digitalSignature","keyCertSign"]`, `"basic_constraints":{"ca":true,"path_len":2,"critical":true}`,
		`"ext_key_usage":["serverAuth","1.2.3.4"]`, `"policy_mappings":null`, `"challenge_password":false`} {
		if !strings.Contains(string(j), f) {
			t.Errorf("JSON lacks %s:\n%s", f, j)
		}
	}
	// and a CSR without them says none was requested
	plain := xcCSR(t, keyTestOpenSSL(t, dir, "req", "-new", "-key", keyFile, "-subj", "/CN=plain"))
	if plain.KeyUsage != nil || plain.ExtKeyUsage != nil || plain.BasicConstraints != nil || plain.Policies != nil || plain.NameConstraints != nil {
		t.Errorf("a CSR asking for nothing: %+v", plain.ExtensionFields)
	}
}

// TestXCRequestedAsCertificate: a CSR's requested extensions are shown in the same fields,
// with the same values, as a certificate's: a CSR and a self-signed certificate openssl makes
// of one extension section (every extension cert inspect takes apart) describe them alike,
// and the decoders of requested extensions read the certificates of testdata as
// DescribeCertificate does.
func TestXCRequestedAsCertificate(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	cnf := filepath.Join(dir, "ext.cnf")
	conf := `[req]
distinguished_name = dn
[dn]
[ext]
subjectAltName = DNS:a.example, IP:192.0.2.1, email:a@b.example, URI:https://u.example/
keyUsage = critical, digitalSignature, keyCertSign, cRLSign
extendedKeyUsage = serverAuth, clientAuth, 1.3.6.1.4.1.55555.7
basicConstraints = critical, CA:TRUE, pathlen:1
nameConstraints = critical, permitted;DNS:example.com, excluded;IP:10.0.0.0/255.0.0.0
certificatePolicies = 2.5.29.32.0, @pol1
policyMappings = 1.3.6.1.4.1.55555.2.0:1.3.6.1.4.1.55555.3.0
policyConstraints = requireExplicitPolicy:0
inhibitAnyPolicy = 1
issuerAltName = DNS:ca.example
subjectInfoAccess = caRepository;URI:http://repo.example/
authorityInfoAccess = OCSP;URI:http://ocsp.example/, caIssuers;URI:http://ca.example/ca.crt
crlDistributionPoints = URI:http://crl.example/ca.crl
freshestCRL = URI:http://crl.example/delta.crl
subjectKeyIdentifier = 0102030405
1.3.6.1.4.1.11129.2.4.2 = DER:` + strings.ToUpper(hex.EncodeToString(xiSCTList())) + `
[pol1]
policyIdentifier = 1.3.6.1.4.1.55555.2.1
CPS.1 = "https://cps.example/"
`
	if err := os.WriteFile(cnf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "k.pem")
	certFile, csrFile := filepath.Join(dir, "c.pem"), filepath.Join(dir, "r.pem")
	if _, errOut, err := testutil.RunErr(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", key, "-subj", "/CN=CA", "-days", "10", "-config", cnf, "-extensions", "ext", "-out", certFile); err != nil {
		t.Fatalf("openssl req -x509: %v %s", err, errOut)
	}
	if _, errOut, err := testutil.RunErr(openssl, "req", "-new", "-key", key, "-subj", "/CN=CA", "-config", cnf,
		"-reqexts", "ext", "-out", csrFile); err != nil {
		t.Fatalf("openssl req: %v %s", err, errOut)
	}
	certs, err := LoadObjects(certFile)
	if err != nil {
		t.Fatal(err)
	}
	reqs, err := LoadObjects(csrFile)
	if err != nil {
		t.Fatal(err)
	}
	c := DescribeCertificate(certs[0].Certificate, time.Now())
	r := DescribeCSR(reqs[0].CSR)
	wj, _ := json.Marshal(c.ExtensionFields())
	gj, _ := json.Marshal(r.ExtensionFields)
	if string(wj) != string(gj) {
		t.Errorf("the certificate's extensions\n%s\nthe CSR's\n%s", wj, gj)
	}
	if r.BasicConstraints == nil || r.Policies == nil || r.SCTs == nil || r.FreshestCRL == nil || r.SubjectInfoAccess == nil {
		t.Errorf("the CSR's extensions not taken apart: %s", gj)
	}

	files, _ := filepath.Glob("../testdata/pki/*.pem")
	n := 0
	for _, f := range files {
		objs, err := LoadObjects(f)
		if err != nil {
			continue
		}
		for _, o := range objs {
			if o.Kind != KindCertificate {
				continue
			}
			n++
			want := DescribeCertificate(o.Certificate, o.Certificate.NotBefore).ExtensionFields()
			got := describeRequested(o.Certificate.Extensions)
			wj, _ := json.Marshal(want)
			gj, _ := json.Marshal(got)
			if string(wj) != string(gj) {
				t.Errorf("%s: as a certificate\n%s\nas requested\n%s", f, wj, gj)
			}
		}
	}
	if n < 5 {
		t.Fatalf("only %d certificates compared", n)
	}
}

// xcSignCSR signs a CSR's TBS (written by tbs) with key.
func xcSignCSR(t *testing.T, key crypto.Signer, attrs func(b *cryptobyte.Builder)) []byte {
	t.Helper()
	spki, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{2, 5, 4, 3})
					b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte("crafted")) })
				})
			})
		})
		b.AddBytes(spki)
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), attrs)
	})
	tbs := b.BytesOrPanic()
	digest := sha256.Sum256(tbs)
	sig, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	var out cryptobyte.Builder
	out.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2})
		})
		b.AddASN1BitString(sig)
	})
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: out.BytesOrPanic()})
}

// xcAttr writes an attribute of oid with the values of f.
func xcAttr(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, f func(b *cryptobyte.Builder)) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1(cbasn1.SET, f)
	})
}

// xcExt writes an extension.
func xcExt(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, critical bool, value []byte) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		if critical {
			b.AddASN1Boolean(true)
		}
		b.AddASN1OctetString(value)
	})
}

// TestXCMalformedRequestRefused: a CSR whose requested extensions are malformed is refused by
// cert inspect's reading (ParseObjects) and by cert create's (ParseCSR), each with
// ErrMalformed and one line saying what: an extension requested twice (crypto/x509 refuses
// two subjectAltNames, and the reading for inspection showed the first alone, so that a name
// of the second was not seen), the value of an extension signet takes apart that does not
// parse (a basicConstraints, a keyUsage, a subjectAltName with bytes after it, which
// crypto/x509 reads and shows the names of), and an extensionRequest attribute that does not
// parse.
func TestXCMalformedRequestRefused(t *testing.T) {
	key := testutil.Key(t, "p256/xc")
	extReq := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 14}
	san := asn1.ObjectIdentifier{2, 5, 29, 17}
	sanA := []byte{0x30, 0x0b, 0x82, 0x09, 'a', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e'}
	sanEvil := []byte{0x30, 0x0b, 0x82, 0x09, 'e', 'v', 'i', 'l', '.', 't', 'e', 's', 't'}
	exts := func(e ...func(b *cryptobyte.Builder)) func(b *cryptobyte.Builder) {
		return func(b *cryptobyte.Builder) {
			xcAttr(b, extReq, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					for _, f := range e {
						f(b)
					}
				})
			})
		}
	}
	ext := func(oid asn1.ObjectIdentifier, crit bool, v []byte) func(b *cryptobyte.Builder) {
		return func(b *cryptobyte.Builder) { xcExt(b, oid, crit, v) }
	}
	for _, tc := range []struct {
		name  string
		attrs func(b *cryptobyte.Builder)
		want  string
	}{
		{"two subjectAltNames", exts(ext(san, false, sanA), ext(san, false, sanEvil)), "the extension subjectAltName is requested twice"},
		{"basicConstraints not a SEQUENCE", exts(ext(asn1.ObjectIdentifier{2, 5, 29, 19}, true, []byte{0x01, 0x01, 0xff})),
			"the requested extension basicConstraints does not parse"},
		{"basicConstraints with a negative path length", exts(ext(asn1.ObjectIdentifier{2, 5, 29, 19}, true, []byte{0x30, 0x06, 0x01, 0x01, 0xff, 0x02, 0x01, 0xff})),
			"the requested extension basicConstraints does not parse"},
		{"keyUsage a NULL", exts(ext(asn1.ObjectIdentifier{2, 5, 29, 15}, true, []byte{0x05, 0x00})), "the requested extension keyUsage does not parse"},
		{"subjectAltName with bytes after it", exts(ext(san, false, append(append([]byte{}, sanA...), 0xff))),
			"the requested extension subjectAltName does not parse"},
		{"extendedKeyUsage empty", exts(ext(asn1.ObjectIdentifier{2, 5, 29, 37}, false, []byte{0x30, 0x00})),
			"the requested extension extendedKeyUsage does not parse"},
		{"extensionRequest holding an OCTET STRING", func(b *cryptobyte.Builder) {
			xcAttr(b, extReq, func(b *cryptobyte.Builder) { b.AddASN1OctetString([]byte{1, 2, 3}) })
		}, "does not"},
		{"an extension with a trailing element", exts(func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(san)
				b.AddASN1OctetString(sanA)
				b.AddASN1Int64(1)
			})
		}), "does not"},
		{"an extensionRequest of two values", func(b *cryptobyte.Builder) {
			xcAttr(b, extReq, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { xcExt(b, san, false, sanA) })
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { xcExt(b, san, false, sanEvil) })
			})
		}, "the extensionRequest attribute has more than one value"},
		{"two extensionRequest attributes", func(b *cryptobyte.Builder) {
			exts(ext(san, false, sanA))(b)
			exts(ext(asn1.ObjectIdentifier{2, 5, 29, 19}, true, []byte{0x30, 0x03, 0x01, 0x01, 0xff}))(b)
		}, "the extensionRequest attribute is given twice"},
		{"an extensionRequest attribute with a trailing element", func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(extReq)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { xcExt(b, san, false, sanA) })
				})
				b.AddASN1Int64(7)
			})
		}, "does not parse"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := xcSignCSR(t, key, tc.attrs)
			_, err := ParseObjects(data)
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("ParseObjects = %v, want ErrMalformed, one line: %s", err, tc.want)
			}
			if _, err := ParseCSR(data); !errors.Is(err, ErrMalformed) || strings.Contains(err.Error(), "\n") {
				t.Errorf("ParseCSR = %v, want ErrMalformed in one line", err)
			}
		})
	}
}

// TestXCAttributes: a CSR's challengePassword is shown present, never with its value (a
// secret), and its other attributes by OID (and PKCS #9 name) with their values.
func TestXCAttributes(t *testing.T) {
	key := testutil.Key(t, "p256/xc")
	data := xcSignCSR(t, key, func(b *cryptobyte.Builder) {
		xcAttr(b, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 7}, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte("hunter2-s3cret")) })
		})
		xcAttr(b, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 2}, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte("Example Ltd")) })
		})
		xcAttr(b, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 3}, func(b *cryptobyte.Builder) { b.AddASN1Int64(5) })
	})
	got := xcCSR(t, data)
	if !got.ChallengePassword {
		t.Error("challenge password not shown present")
	}
	want := []AttributeInfo{{OID: "1.2.840.113549.1.9.2", Name: "unstructuredName", Values: []string{"Example Ltd"}},
		{OID: "1.3.6.1.4.1.55555.3", Name: "", Values: []string{"#020105"}}}
	gj, _ := json.Marshal(got.Attributes)
	wj, _ := json.Marshal(want)
	if string(gj) != string(wj) {
		t.Errorf("attributes %s, want %s", gj, wj)
	}
	if j, _ := json.Marshal(got); strings.Contains(string(j), "hunter2") {
		t.Errorf("the challenge password is in the description: %s", j)
	}
}

// TestXCSignetCSR: a CSR signet csr makes (CreateCSR) is described with its names and no
// other extension requested.
func TestXCSignetCSR(t *testing.T) {
	sans, err := ParseSANs([]string{"dns:a.example", "ip:192.0.2.7"})
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := ParseRDNSequence("CN=a.example")
	csr, err := CreateCSRPEM(testutil.Key(t, "p256/xc"), subject, sans)
	if err != nil {
		t.Fatal(err)
	}
	got := xcCSR(t, csr)
	if !slices.Equal(got.SANs.DNS, []string{"a.example"}) || !slices.Equal(got.SANs.IP, []string{"192.0.2.7"}) ||
		got.KeyUsage != nil || got.BasicConstraints != nil || got.ChallengePassword || len(got.Attributes) != 0 || !got.SignatureValid {
		t.Errorf("signet csr described as %+v", got)
	}
}
