package x509util

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"math/big"
	"net"
	"reflect"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/internal/testutil"
)

// Faults the inspection campaign (cmd/signet/ci_diff_test.go, against openssl -text) found
// in what `signet cert inspect` shows, each held here by the smallest object that shows it.

// ciRawName is a DER Name of the RDNs given, each a set of attributes whose values are
// written with the ASN.1 tag given (12 UTF8String, 19 PrintableString, 28 UniversalString).
func ciRawName(t *testing.T, rdns ...[]ciAttr) []byte {
	t.Helper()
	var seq pkix.RDNSequence
	for _, rdn := range rdns {
		var set pkix.RelativeDistinguishedNameSET
		for _, a := range rdn {
			set = append(set, pkix.AttributeTypeAndValue{Type: a.oid,
				Value: asn1.RawValue{Class: asn1.ClassUniversal, Tag: a.tag, Bytes: a.value}})
		}
		seq = append(seq, set)
	}
	der, err := asn1.Marshal(seq)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

type ciAttr struct {
	oid   asn1.ObjectIdentifier
	tag   int
	value []byte
}

var (
	ciCN  = asn1.ObjectIdentifier{2, 5, 4, 3}
	ciO   = asn1.ObjectIdentifier{2, 5, 4, 10}
	ciUID = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}
	ciUnk = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 1}
)

// TestInspectNamesAsEncoded: inspect printed a certificate's, CSR's and CRL's names from
// crypto/x509's pkix.Name, which has split every multi-valued RDN ("CN=a+UID=42" printed as
// "UID=42,CN=a", two RDNs, a different name), re-encoded an unnamed attribute's value as
// UTF8String or PrintableString (#0C... for the BMPString #1E... openssl shows), and, for a
// CSR (read with encoding/asn1), printed a UniversalString value as "<nil>". Names now print
// from their DER, as verify prints them (pkixname.FormatDN): RDNs and string types as encoded.
func TestInspectNamesAsEncoded(t *testing.T) {
	key := testutil.Key(t, "p256")
	name := ciRawName(t,
		[]ciAttr{{ciO, 12, []byte("Example")}},
		[]ciAttr{{ciCN, 12, []byte("alice")}, {ciUID, 12, []byte("42")}},
		[]ciAttr{{ciUnk, 30, []byte{0, 'a', 0, 'b'}}})
	const want = `1.3.6.1.4.1.55555.1=#1E0400610062,UID=42+CN=alice,O=Example`
	_, cert := ciSelfSigned(t, key, &x509.Certificate{RawSubject: name})
	info := DescribeCertificate(cert, time.Unix(1, 0))
	if info.Subject != want || info.Issuer != want {
		t.Errorf("certificate subject %q issuer %q, want %q", info.Subject, info.Issuer, want)
	}
	crlDER, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1),
		ThisUpdate: time.Unix(1, 0), NextUpdate: time.Unix(2, 0)}, &x509.Certificate{RawSubject: name,
		KeyUsage: x509.KeyUsageCRLSign, SubjectKeyId: []byte{1}, PublicKey: key.Public()}, key)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.ParseRevocationList(crlDER)
	if err != nil {
		t.Fatal(err)
	}
	if got := DescribeCRL(crl, time.Unix(1, 0)).Issuer; got != want {
		t.Errorf("CRL issuer %q, want %q", got, want)
	}

	// a CSR with a UniversalString value
	csrName := ciRawName(t, []ciAttr{{ciO, 28, []byte{0, 0, 0, 'O', 0, 0, 0, 'K'}}}, []ciAttr{{ciCN, 12, []byte("bob")}})
	csrDER, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{RawSubject: csrName}, key)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.ParseCertificateRequest(csrDER)
	if err != nil {
		t.Fatal(err)
	}
	if got := DescribeCSR(csr).Subject; got != "CN=bob,O=OK" {
		t.Errorf("CSR subject %q, want %q", got, "CN=bob,O=OK")
	}
}

// ciSANExt is a subjectAltName extension of one name of every form RFC 5280 defines but
// x400Address and ediPartyName: dNSName, iPAddress, rfc822Name, URI, directoryName, otherName
// (a UPN) and registeredID.
func ciSANExt(t *testing.T) pkix.Extension {
	t.Helper()
	dir := ciRawName(t, []ciAttr{{ciO, 12, []byte("Corp")}}, []ciAttr{{ciCN, 12, []byte("alice")}})
	upn, err := asn1.Marshal(struct {
		Type  asn1.ObjectIdentifier
		Value string `asn1:"explicit,tag:0,utf8"`
	}{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3}, "alice@corp.example"})
	if err != nil {
		t.Fatal(err)
	}
	rid, _ := asn1.Marshal(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 5})
	names := []asn1.RawValue{
		{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte("a.example")},
		{Class: asn1.ClassContextSpecific, Tag: 7, Bytes: []byte{192, 0, 2, 1}},
		{Class: asn1.ClassContextSpecific, Tag: 1, Bytes: []byte("a@example.com")},
		{Class: asn1.ClassContextSpecific, Tag: 6, Bytes: []byte("https://a.example/")},
		{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: dir},
		{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: upn[2:]},
		{Class: asn1.ClassContextSpecific, Tag: 8, Bytes: rid[2:]},
	}
	v, err := asn1.Marshal(names)
	if err != nil {
		t.Fatal(err)
	}
	return pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 17}, Value: v}
}

// TestInspectSANsOfEveryForm: inspect showed the SANs crypto/x509 parses (DNS, IP, email,
// URI) and dropped the others without a word: a certificate or CSR naming a directoryName,
// an otherName (a Windows UPN, as smart-card logon certificates carry) or a registeredID was
// shown with fewer names than it has, or "(none)". They are now in sans.dir_name,
// sans.other_name (OID and value) and sans.registered_id, and in the text.
func TestInspectSANsOfEveryForm(t *testing.T) {
	key := testutil.Key(t, "p256")
	san := ciSANExt(t)
	_, cert := ciSelfSigned(t, key, &x509.Certificate{Subject: pkix.Name{CommonName: "x"}, ExtraExtensions: []pkix.Extension{san}})
	csrDER, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "x"}, ExtraExtensions: []pkix.Extension{san}}, key)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.ParseCertificateRequest(csrDER)
	if err != nil {
		t.Fatal(err)
	}
	want := SANInfo{DNS: []string{"a.example"}, IP: []string{"192.0.2.1"}, Email: []string{"a@example.com"},
		URI: []string{"https://a.example/"}, DirName: []string{"CN=alice,O=Corp"},
		OtherName: []string{"1.3.6.1.4.1.311.20.2.3:alice@corp.example"}, RegisteredID: []string{"1.3.6.1.4.1.55555.5"},
		Other: []string{}}
	for what, got := range map[string]SANInfo{"certificate": DescribeCertificate(cert, time.Unix(1, 0)).SANs, "CSR": DescribeCSR(csr).SANs} {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: sans %+v,\nwant %+v", what, got, want)
		}
		if got.Len() != 7 {
			t.Errorf("%s: Len %d, want 7", what, got.Len())
		}
	}
}

// TestInspectExtensionValues: inspect listed an extension it does not know by its OID and
// criticality alone, so that a critical extension no relying party understands (or a
// non-critical one carrying data) showed nothing of what it says, where openssl dumps its
// bytes. Every extension now carries the hex of its value (extensions[].value), and the text
// shows it for the unknown ones.
func TestInspectExtensionValues(t *testing.T) {
	key := testutil.Key(t, "p256")
	unknown := pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 100}, Critical: true, Value: []byte{0x0c, 0x02, 'h', 'i'}}
	_, cert := ciSelfSigned(t, key, &x509.Certificate{Subject: pkix.Name{CommonName: "x"}, ExtraExtensions: []pkix.Extension{unknown}})
	exts := DescribeCertificate(cert, time.Unix(1, 0)).Extensions
	last := exts[len(exts)-1]
	if last.OID != "1.3.6.1.4.1.55555.100" || !last.Critical || last.Name != "" || last.Value != "0c026869" {
		t.Errorf("unknown extension %+v, want its OID, critical and value 0c026869", last)
	}
}

// TestInspectCRLEntryExtensions: inspect showed a CRL entry's serial, date and reason only.
// An indirect CRL's certificateIssuer (RFC 5280 5.3.3: the entry, and the entries after it
// up to the next certificateIssuer, revoke certificates of that issuer, not of the CRL's)
// was dropped, so that a serial revoked for another CA read as revoked by the CRL's issuer;
// the invalidity date was dropped; and an explicit reason "unspecified" read as no reason.
// They are now in revoked[].certificate_issuer (inherited as RFC 5280 says),
// invalidity_date and reason.
func TestInspectCRLEntryExtensions(t *testing.T) {
	key := testutil.Key(t, "p256")
	gn, err := asn1.Marshal([]asn1.RawValue{{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte("other-ca.example")}})
	if err != nil {
		t.Fatal(err)
	}
	inval := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	invalDER, _ := asn1.MarshalWithParams(inval, "generalized")
	unspecified, _ := asn1.Marshal(asn1.Enumerated(0))
	entries := []x509.RevocationListEntry{
		{SerialNumber: big.NewInt(1), RevocationTime: time.Unix(100, 0)},
		{SerialNumber: big.NewInt(2), RevocationTime: time.Unix(100, 0), ExtraExtensions: []pkix.Extension{
			// crypto/x509 writes no explicit "unspecified": 2.5.29.99 becomes 2.5.29.21 below
			{Id: asn1.ObjectIdentifier{2, 5, 29, 99}, Value: unspecified},
			{Id: asn1.ObjectIdentifier{2, 5, 29, 24}, Value: invalDER},
			{Id: asn1.ObjectIdentifier{2, 5, 29, 29}, Critical: true, Value: gn}}},
		{SerialNumber: big.NewInt(3), RevocationTime: time.Unix(100, 0), ReasonCode: 1},
	}
	crlDER, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1),
		ThisUpdate: time.Unix(1, 0), NextUpdate: time.Unix(2, 0), RevokedCertificateEntries: entries},
		&x509.Certificate{RawSubject: ciRawName(t, []ciAttr{{ciCN, 12, []byte("CA")}}),
			KeyUsage: x509.KeyUsageCRLSign, SubjectKeyId: []byte{1}, PublicKey: key.Public()}, key)
	if err != nil {
		t.Fatal(err)
	}
	crlDER = bytes.Replace(crlDER, []byte{6, 3, 0x55, 0x1d, 99}, []byte{6, 3, 0x55, 0x1d, 21}, 1)
	crl, err := x509.ParseRevocationList(crlDER)
	if err != nil {
		t.Fatal(err)
	}
	got := DescribeCRL(crl, time.Unix(1, 0)).Revoked
	if len(got) != 3 {
		t.Fatalf("revoked %+v", got)
	}
	if got[0].CertificateIssuer != nil || got[0].InvalidityDate != nil || got[0].Reason != "" {
		t.Errorf("entry 1: %+v, want no issuer, no invalidity date, no reason", got[0])
	}
	if !reflect.DeepEqual(got[1].CertificateIssuer, []string{"dns:other-ca.example"}) || got[1].InvalidityDate == nil ||
		!got[1].InvalidityDate.Equal(inval) || got[1].Reason != "unspecified" {
		t.Errorf("entry 2: %+v, want issuer dns:other-ca.example, invalid since %s, reason unspecified", got[1], inval)
	}
	if !reflect.DeepEqual(got[2].CertificateIssuer, []string{"dns:other-ca.example"}) || got[2].Reason != "keyCompromise" {
		t.Errorf("entry 3: %+v, want the issuer of entry 2 (RFC 5280 5.3.3), reason keyCompromise", got[2])
	}
}

// ciCertWithSPKI is a certificate (signed by a P-256 key) for the DER SubjectPublicKeyInfo
// spki, whatever its algorithm: crypto/x509 writes only the keys it knows.
func ciCertWithSPKI(t *testing.T, spki []byte) []byte {
	t.Helper()
	return ciCertWithSPKIName(t, spki, ciRawName(t, []ciAttr{{ciCN, 12, []byte("k")}}))
}

// ciCertWithSPKIName is ciCertWithSPKI with name as subject and issuer.
func ciCertWithSPKIName(t *testing.T, spki, name []byte) []byte {
	t.Helper()
	key := testutil.Key(t, "p256")
	alg, _ := asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}})
	validity, _ := asn1.Marshal(struct{ A, B time.Time }{time.Unix(0, 0).UTC(), time.Unix(1e9, 0).UTC()})
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddASN1Int64(2) })
		b.AddASN1Int64(9)
		b.AddBytes(alg)
		b.AddBytes(name)
		b.AddBytes(validity)
		b.AddBytes(name)
		b.AddBytes(spki)
	})
	tbs := b.BytesOrPanic()
	sum := sha256.Sum256(tbs)
	sig, err := key.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	var c cryptobyte.Builder
	c.AddASN1(cbasn1.SEQUENCE, func(c *cryptobyte.Builder) {
		c.AddBytes(tbs)
		c.AddBytes(alg)
		c.AddASN1BitString(sig)
	})
	return c.BytesOrPanic()
}

// TestInspectKeysSignetDoesNotUse: a certificate for a key signet does not use was shown with
// crypto/x509's name of the algorithm and no size: "DSA", 0 bits, for a 1024-bit DSA key
// openssl shows as such, and "0" (crypto/x509's UnknownPublicKeyAlgorithm), 0 bits, for an
// Ed448 or X25519 key. They are now named from the SubjectPublicKeyInfo with their size and
// fingerprint (of the SubjectPublicKeyInfo, as for every key).
func TestInspectKeysSignetDoesNotUse(t *testing.T) {
	for _, tc := range []struct {
		spki      string
		algorithm string
		bits      int
	}{
		{"308201be3082013306072a8648ce380401308201260281810091353c6c06599931a6fdd6e9ec67bb4a94b04d7a998cf561f9cc0202439d3ed8888c67e680ec44e47321c8a54d4cb2f4de31f75767de85206924e10332ca844f94977636100e7e70e8cc644ea387f9983ad02c241d1b78bfd16996a3f2ac40cd345b0fea842a14ca72e0d051f96dd7af4b97ab15cd96a63c73330688d66801a7021d00c3f82830386de8977fc7f21cc2ee228a19428274357cfca0b1401dc7028180265024e39bd57c14c9c6ccf13b1d6443ad949aad02cba7b85faab0793b006ec385beb1dd33994140907f723f7ed19e0749800d0bdebcf679146118704d75c89e811a1747fc4caefff0f410d96090e7024e78eb59a0f2fc610269914748d0e0ec8cd4d2aed842be2d895238fbb5ed50344ead53fbc559280479a2c90a17c13015038184000281804adc608805361356ae22b5c6ea0642d2b336bc83fcd80135cdf7e4309026786b4a4b7bcbf69ea5788c5ecd2700ae3cb990719c0399adf8ddb8e7ea744f312f569d8d702af3970d85a41d815f2a5468374359ea3b639ae444ee735e38a50341a4152999fe4ede5f0154e46b7184e7d46a92cbe314187cd836a0bb7f73d0180c98", "DSA", 1024},
		{"3043300506032b6571033a00f85871e61a9c09347fb8fc278cfeba9de6f92ead91c9a585c339744de2be69bbbe553bc03318543ed2cfc24055fbe49f2e3631c346ab53cd00", "Ed448", 456},
		{"302a300506032b656e0321005a16425502671e94efb997e89cdcb9be64e56a8ae5fb2aa3de9516bac296cd14", "X25519", 256},
	} {
		spki, err := hex.DecodeString(tc.spki)
		if err != nil {
			t.Fatal(err)
		}
		cert, err := ParseCertificate(ciCertWithSPKI(t, spki))
		if err != nil {
			t.Fatalf("%s: %v", tc.algorithm, err)
		}
		sum := sha256.Sum256(spki)
		want := KeyInfo{Algorithm: tc.algorithm, Bits: tc.bits, Fingerprint: FingerprintPrefix + hex.EncodeToString(sum[:])}
		if got := DescribeCertificate(cert, time.Unix(1, 0)).PublicKey; got != want {
			t.Errorf("public key %+v, want %+v", got, want)
		}
	}
}

// TestInspectReadsWhatCryptoX509Refuses: inspect refused, as "neither PEM nor a DER
// certificate, CSR or CRL", a certificate, CRL or CSR that openssl reads, because
// crypto/x509 refuses a part of it that inspecting need not judge: a name holding a
// UniversalString or a PrintableString with '@' or '_' (as old CAs wrote them), a key on a
// curve crypto/x509 does not know (secp256k1, brainpool), an extension it cannot read. Such
// an object is now read for inspection with those parts set aside from crypto/x509's reading
// and shown from their DER; verification (ParseCertificate) is unchanged and still refuses it.
func TestInspectReadsWhatCryptoX509Refuses(t *testing.T) {
	key := testutil.Key(t, "p256")
	universal := ciRawName(t, []ciAttr{{ciO, 28, []byte{0, 0, 0, 'O', 0, 0, 0, 'K'}}}, []ciAttr{{ciCN, 19, []byte("a@b_c")}})
	const want = `CN=a@b_c,O=OK`

	// a certificate with such a subject and issuer, and a secp256k1 key
	secp256k1, _ := hex.DecodeString("3056301006072a8648ce3d020106052b8104000a03420004691d44196538b4c42732c6751a4230bf8bf9d6866bee7520c221523f6e1777bfd93411992ac6ac586ebdbda383042a5969d7b574ff339f61bf908e7467ce2fa7")
	der := ciCertWithSPKIName(t, secp256k1, universal)
	if _, err := ParseCertificate(der); err == nil {
		t.Fatal("ParseCertificate reads it: the test shows nothing")
	}
	objs, err := ParseObjects(der)
	if err != nil {
		t.Fatalf("ParseObjects: %v", err)
	}
	info := DescribeCertificate(objs[0].Certificate, time.Unix(1, 0))
	if info.Subject != want || info.Issuer != want || info.PublicKey.Algorithm != "ECDSA" ||
		info.PublicKey.Curve != "secp256k1" || info.PublicKey.Bits != 256 || info.Serial != "09" {
		t.Errorf("certificate %+v", info)
	}

	// a CRL by such an issuer
	crlDER, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1),
		ThisUpdate: time.Unix(1, 0), NextUpdate: time.Unix(2, 0)}, &x509.Certificate{RawSubject: universal,
		KeyUsage: x509.KeyUsageCRLSign, SubjectKeyId: []byte{1}, PublicKey: key.Public()}, key)
	if err != nil {
		t.Fatal(err)
	}
	objs, err = ParseObjects(crlDER)
	if err != nil {
		t.Fatalf("ParseObjects of the CRL: %v", err)
	}
	if got := DescribeCRL(objs[0].CRL, time.Unix(1, 0)); got.Issuer != want || got.Number != "1" {
		t.Errorf("CRL %+v", got)
	}

	// a CSR with such a subject: its signature still verifies
	csrDER, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{RawSubject: universal}, key)
	if err != nil {
		t.Fatal(err)
	}
	objs, err = ParseObjects(csrDER)
	if err != nil {
		t.Fatalf("ParseObjects of the CSR: %v", err)
	}
	if got := DescribeCSR(objs[0].CSR); got.Subject != want || !got.SignatureValid {
		t.Errorf("CSR %+v", got)
	}
}

// TestInspectEKUsInOrder: inspect listed a certificate's extended key usages as crypto/x509
// splits them, the ones it knows first, so that [1.3.6.1.4.1.55555.7, serverAuth] showed as
// [serverAuth, 1.3.6.1.4.1.55555.7], not as the certificate and openssl have them. They are
// now in the extension's order.
func TestInspectEKUsInOrder(t *testing.T) {
	key := testutil.Key(t, "p256")
	eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 4, 1, 55555, 7}, {1, 3, 6, 1, 5, 5, 7, 3, 1}})
	_, cert := ciSelfSigned(t, key, &x509.Certificate{Subject: pkix.Name{CommonName: "x"}, ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Value: eku}}})
	if got, want := DescribeCertificate(cert, time.Unix(1, 0)).ExtKeyUsage, []string{"1.3.6.1.4.1.55555.7", "serverAuth"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ext key usage %q, want %q", got, want)
	}
}

// TestInspectUnparsableURI: a certificate or CSR whose SAN holds a URI crypto/x509 cannot
// parse (a control character, which net/url refuses) was refused as "neither PEM nor a DER
// certificate, CSR or CRL"; openssl shows it. For a CSR the reading for inspection sets its
// attributes aside and reads the requested extensions itself; the URI shows escaped.
func TestInspectUnparsableURI(t *testing.T) {
	key := testutil.Key(t, "p256")
	v, err := asn1.Marshal([]asn1.RawValue{{Class: asn1.ClassContextSpecific, Tag: 6, Bytes: []byte("ldap://x.example/\nOK")}})
	if err != nil {
		t.Fatal(err)
	}
	san := pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 17}, Value: v}
	certDER := ciSelfSignedDER(t, key, &x509.Certificate{Subject: pkix.Name{CommonName: "x"}, ExtraExtensions: []pkix.Extension{san}})
	csrDER, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "x"}, ExtraExtensions: []pkix.Extension{san}}, key)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`ldap://x.example/\0AOK`}
	objs, err := ParseObjects(certDER)
	if err != nil {
		t.Fatalf("certificate: %v", err)
	}
	if got := DescribeCertificate(objs[0].Certificate, time.Unix(1, 0)).SANs.URI; !reflect.DeepEqual(got, want) {
		t.Errorf("certificate: uri %q, want %q", got, want)
	}
	objs, err = ParseObjects(csrDER)
	if err != nil {
		t.Fatalf("CSR: %v", err)
	}
	info := DescribeCSR(objs[0].CSR)
	if !reflect.DeepEqual(info.SANs.URI, want) || !info.SignatureValid || len(info.Extensions) != 1 {
		t.Errorf("CSR: %+v, want uri %q, a valid signature, one extension", info, want)
	}
}

// TestInspectCriticalAIA: ParseCertificate sets a critical authority information access
// extension aside from crypto/x509's reading (path validation refuses it by rule) and did
// not restore what it says, so inspect showed such a certificate without its OCSP responder
// and CA issuers URLs, which openssl shows. They are now read from the extension.
func TestInspectCriticalAIA(t *testing.T) {
	key := testutil.Key(t, "p256")
	type ad struct {
		Method asn1.ObjectIdentifier
		Loc    asn1.RawValue
	}
	v, err := asn1.Marshal([]ad{
		{asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1}, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 6, Bytes: []byte("http://ocsp.example/")}},
		{asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 2}, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 6, Bytes: []byte("http://ca.example/ca.crt")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	der := ciSelfSignedDER(t, key, &x509.Certificate{Subject: pkix.Name{CommonName: "x"}, ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}, Critical: true, Value: v}}})
	objs, err := ParseObjects(der)
	if err != nil {
		t.Fatal(err)
	}
	info := DescribeCertificate(objs[0].Certificate, time.Unix(1, 0))
	if !reflect.DeepEqual(info.OCSPServers, []string{"http://ocsp.example/"}) || !reflect.DeepEqual(info.IssuingCertURLs, []string{"http://ca.example/ca.crt"}) {
		t.Errorf("ocsp %q, CA issuers %q", info.OCSPServers, info.IssuingCertURLs)
	}
}

// TestInspectCRLDistributionPointURIs: inspect listed the CRL distribution points crypto/x509
// reads, which stops at the first name of a fullName that is not a URI, so that a point
// naming [directoryName, URI] showed no URL, where openssl shows it. Every URI of every
// fullName is now listed.
func TestInspectCRLDistributionPointURIs(t *testing.T) {
	key := testutil.Key(t, "p256")
	dir := ciRawName(t, []ciAttr{{ciCN, 12, []byte("CRL1")}})
	full, _ := asn1.Marshal([]asn1.RawValue{
		{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: dir},
		{Class: asn1.ClassContextSpecific, Tag: 6, Bytes: []byte("http://crl.example/a.crl")},
	})
	full[0] = 0xa0 // fullName [0] IMPLICIT GeneralNames
	dpName, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: full})
	dp, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: dpName})
	v, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: dp})
	_, cert := ciSelfSigned(t, key, &x509.Certificate{Subject: pkix.Name{CommonName: "x"}, ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 31}, Value: v}}})
	if got, want := DescribeCertificate(cert, time.Unix(1, 0)).CRLDistribution, []string{"http://crl.example/a.crl"}; !reflect.DeepEqual(got, want) {
		t.Errorf("crl_distribution_points %q, want %q", got, want)
	}
}

// TestInspectNameConstraints: inspect listed a name constraints extension by name and
// criticality only, so that a CA's constraints (which names it may certify, which it may
// not) showed nothing of what they permit or exclude, where openssl lists both. They are now
// in name_constraints {permitted[], excluded[], critical}, each subtree's base as SANs are
// listed in text ("dns:", "ip:" with its prefix length, "dirName:", ...).
func TestInspectNameConstraints(t *testing.T) {
	key := testutil.Key(t, "p256")
	_, ipnet, _ := net.ParseCIDR("192.0.2.0/24")
	_, cert := ciSelfSigned(t, key, &x509.Certificate{Subject: pkix.Name{CommonName: "x"}, IsCA: true, BasicConstraintsValid: true, PermittedDNSDomainsCritical: true, PermittedDNSDomains: []string{"example.com"}, ExcludedDNSDomains: []string{"bad.example.com"}, ExcludedIPRanges: []*net.IPNet{ipnet}, PermittedEmailAddresses: []string{"example.com"}})
	want := &NameConstraintsInfo{Permitted: []string{"dns:example.com", "email:example.com"},
		Excluded: []string{"dns:bad.example.com", "ip:192.0.2.0/24"}, Critical: true}
	if got := DescribeCertificate(cert, time.Unix(1, 0)).NameConstraints; !reflect.DeepEqual(got, want) {
		t.Errorf("name constraints %+v, want %+v", got, want)
	}
}

// ciSelfSignedDER self-signs tmpl with key, as serial 7 valid from 1970 to 2001.
func ciSelfSignedDER(t *testing.T, key crypto.Signer, tmpl *x509.Certificate) []byte {
	t.Helper()
	tmpl.SerialNumber, tmpl.NotBefore, tmpl.NotAfter = big.NewInt(7), time.Unix(0, 0), time.Unix(1e9, 0)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// ciSelfSigned is ciSelfSignedDER's DER and the certificate ParseCertificate reads from it.
func ciSelfSigned(t *testing.T, key crypto.Signer, tmpl *x509.Certificate) ([]byte, *x509.Certificate) {
	t.Helper()
	der := ciSelfSignedDER(t, key, tmpl)
	cert, err := ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return der, cert
}
