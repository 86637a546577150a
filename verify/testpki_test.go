package verify_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/x509util"
)

// A small certificate factory for rule tests: it writes the TBSCertificate itself (so a test
// can put in a zero serial, a critical AKI or an empty EKU, which crypto/x509 refuses to
// issue) and signs it with the issuer's key. Certificates are parsed back with
// x509util.ParseCertificate, as signet reads files.

var (
	tpAt        = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	tpNotBefore = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tpNotAfter  = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tpSerial    atomic.Int64

	oidSAN  = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidBC   = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidKU   = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidSKI  = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidAKI  = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidEKU  = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidNC   = asn1.ObjectIdentifier{2, 5, 29, 30}
	oidPC   = asn1.ObjectIdentifier{2, 5, 29, 36}
	oidCP   = asn1.ObjectIdentifier{2, 5, 29, 32}
	oidCRLN = asn1.ObjectIdentifier{2, 5, 29, 20}
)

// tpKey is a key and its signature algorithm.
type tpKey struct {
	signer crypto.Signer
}

func newKey(t testing.TB) tpKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return tpKey{k}
}

func newRSAKey(t testing.TB, bits int) tpKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return tpKey{k}
}

func (k tpKey) spki(t testing.TB) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k.signer.Public())
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// keyID is the SHA-1 of the subjectPublicKey BIT STRING (RFC 5280 4.2.1.2 method 1).
func (k tpKey) keyID(t testing.TB) []byte {
	var spki struct {
		Algo pkix.AlgorithmIdentifier
		Key  asn1.BitString
	}
	if _, err := asn1.Unmarshal(k.spki(t), &spki); err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(spki.Key.Bytes)
	return sum[:]
}

// tpCert describes a certificate to make. Zero fields take defaults: a v3 certificate with a
// fresh serial, valid 2025-2030, AKI and SKI, and the extensions of its kind.
type tpCert struct {
	subject             pkix.Name
	rawSubj             []byte // overrides subject
	rawIss              []byte // overrides the issuer's subject as the issuer name
	key                 tpKey
	serial              *big.Int
	version             int // 1 or 3 (default 3)
	ca                  bool
	pathLen             int // -1: none
	noBC                bool
	bcNonCrit           bool
	ku                  x509.KeyUsage // 0: the default for its kind
	noKU                bool
	eku                 []asn1.ObjectIdentifier
	noAKI               bool
	akiCrit             bool
	noSKI               bool
	dns                 []string
	ips                 []net.IP
	emails              []string
	sanCrit             bool
	exts                []pkix.Extension // added last
	notBefore, notAfter time.Time
	sha1                bool // sign with SHA-1 (RSA issuers only)
}

// tpIssued is a made certificate with its key.
type tpIssued struct {
	cert *x509.Certificate
	key  tpKey
	der  []byte
}

func ext(oid asn1.ObjectIdentifier, critical bool, value any) pkix.Extension {
	v, err := asn1.Marshal(value)
	if err != nil {
		panic(err)
	}
	return pkix.Extension{Id: oid, Critical: critical, Value: v}
}

func rawExt(oid asn1.ObjectIdentifier, critical bool, der []byte) pkix.Extension {
	return pkix.Extension{Id: oid, Critical: critical, Value: der}
}

func kuExt(ku x509.KeyUsage) pkix.Extension {
	// ASN.1 numbers the bits of a BIT STRING from the high bit of the first byte.
	var out [2]byte
	n := 0
	for i := 0; i < 9; i++ {
		if ku&(1<<i) != 0 {
			out[i/8] |= 0x80 >> (i % 8)
			n = i + 1
		}
	}
	bs := asn1.BitString{Bytes: out[:(n+7)/8], BitLength: n}
	if n == 0 {
		bs = asn1.BitString{Bytes: []byte{}, BitLength: 0}
	}
	return ext(oidKU, true, bs)
}

func sanExt(t testing.TB, critical bool, dns []string, ips []net.IP, emails []string) pkix.Extension {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, e := range emails {
			b.AddASN1(cbasn1.Tag(1).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte(e)) })
		}
		for _, d := range dns {
			b.AddASN1(cbasn1.Tag(2).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte(d)) })
		}
		for _, ip := range ips {
			if v4 := ip.To4(); v4 != nil {
				ip = v4
			}
			b.AddASN1(cbasn1.Tag(7).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(ip) })
		}
	})
	return rawExt(oidSAN, critical, b.BytesOrPanic())
}

// ncExt builds name constraints from GeneralName DERs (each a complete [n] element).
func ncExt(critical bool, permitted, excluded [][]byte) pkix.Extension {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for i, list := range [][][]byte{permitted, excluded} {
			if list == nil {
				continue
			}
			b.AddASN1(cbasn1.Tag(i).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				for _, g := range list {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddBytes(g) })
				}
			})
		}
	})
	return rawExt(oidNC, critical, b.BytesOrPanic())
}

// gnDNS, gnEmail, gnURI, gnIP, gnDir make GeneralName elements.
func gn(tag int, constructed bool, content []byte) []byte {
	var b cryptobyte.Builder
	t := cbasn1.Tag(tag).ContextSpecific()
	if constructed {
		t = t.Constructed()
	}
	b.AddASN1(t, func(b *cryptobyte.Builder) { b.AddBytes(content) })
	return b.BytesOrPanic()
}
func gnDNS(s string) []byte   { return gn(2, false, []byte(s)) }
func gnEmail(s string) []byte { return gn(1, false, []byte(s)) }
func gnURI(s string) []byte   { return gn(6, false, []byte(s)) }
func gnIP(cidr string) []byte {
	_, n, err := net.ParseCIDR(cidr)
	if err != nil {
		panic(err)
	}
	ip := n.IP
	if v4 := ip.To4(); v4 != nil {
		ip = v4
	}
	return gn(7, false, append(append([]byte{}, ip...), n.Mask...))
}
func gnDir(n pkix.Name) []byte {
	der, err := asn1.Marshal(n.ToRDNSequence())
	if err != nil {
		panic(err)
	}
	return gn(4, true, der)
}

func nameDER(t testing.TB, n pkix.Name) []byte {
	der, err := asn1.Marshal(n.ToRDNSequence())
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// issue makes c, signed by issuer (nil: self-signed with c's own key).
func issue(t testing.TB, c tpCert, issuer *tpIssued) *tpIssued {
	t.Helper()
	if c.key.signer == nil {
		c.key = newKey(t)
	}
	der := issueDER(t, c, issuer)
	cert, err := x509util.ParseCertificate(der)
	if err != nil {
		t.Fatalf("the made certificate does not parse: %v", err)
	}
	return &tpIssued{cert: cert, key: c.key, der: der}
}

// issueDER makes the DER of c, signed by issuer, without parsing it back.
func issueDER(t testing.TB, c tpCert, issuer *tpIssued) []byte {
	t.Helper()
	if c.key.signer == nil {
		c.key = newKey(t)
	}
	subject := c.rawSubj
	if subject == nil {
		subject = nameDER(t, c.subject)
	}
	signKey := c.key
	issuerName := subject
	issuerKeyID := c.key.keyID(t)
	if issuer != nil {
		signKey = issuer.key
		issuerName = issuer.cert.RawSubject
		issuerKeyID = issuer.key.keyID(t)
	}
	if c.rawIss != nil {
		issuerName = c.rawIss
	}
	serial := c.serial
	if serial == nil {
		serial = big.NewInt(0x5167_0000 + tpSerial.Add(1))
	}
	nb, na := c.notBefore, c.notAfter
	if nb.IsZero() {
		nb = tpNotBefore
	}
	if na.IsZero() {
		na = tpNotAfter
	}
	var exts []pkix.Extension
	if c.version != 1 {
		if !c.noBC && (c.ca || c.pathLen > 0) {
			bc := struct {
				CA      bool `asn1:"optional"`
				PathLen int  `asn1:"optional,default:-1"`
			}{c.ca, -1}
			if c.pathLen >= 0 && c.ca {
				bc.PathLen = c.pathLen
			}
			if c.pathLen > 0 && !c.ca {
				bc.PathLen = c.pathLen
			}
			exts = append(exts, ext(oidBC, !c.bcNonCrit, bc))
		}
		ku := c.ku
		if ku == 0 {
			ku = x509.KeyUsageDigitalSignature
			if c.ca {
				ku = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
			}
		}
		if !c.noKU {
			exts = append(exts, kuExt(ku))
		}
		if !c.noSKI {
			exts = append(exts, ext(oidSKI, false, c.key.keyID(t)))
		}
		if !c.noAKI {
			aki := struct {
				ID []byte `asn1:"optional,tag:0"`
			}{issuerKeyID}
			exts = append(exts, ext(oidAKI, c.akiCrit, aki))
		}
		if c.eku != nil {
			exts = append(exts, ext(oidEKU, false, c.eku))
		}
		if len(c.dns)+len(c.ips)+len(c.emails) > 0 {
			exts = append(exts, sanExt(t, c.sanCrit, c.dns, c.ips, c.emails))
		}
		exts = append(exts, c.exts...)
	}
	algo := x509.ECDSAWithSHA256
	hash := crypto.SHA256
	var algID pkix.AlgorithmIdentifier
	switch signKey.signer.(type) {
	case *ecdsa.PrivateKey:
		algID.Algorithm = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	case *rsa.PrivateKey:
		algo = x509.SHA256WithRSA
		algID = pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}, Parameters: asn1.NullRawValue}
		if c.sha1 {
			hash = crypto.SHA1
			algID.Algorithm = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
		}
	}
	_ = algo
	algDER, err := asn1.Marshal(algID)
	if err != nil {
		t.Fatal(err)
	}
	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if c.version != 1 {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddASN1Int64(2) })
		}
		b.AddASN1BigInt(serial)
		b.AddBytes(algDER)
		b.AddBytes(issuerName)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1UTCTime(nb)
			b.AddASN1UTCTime(na)
		})
		b.AddBytes(subject)
		b.AddBytes(c.key.spki(t))
		if len(exts) > 0 {
			b.AddASN1(cbasn1.Tag(3).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					for _, e := range exts {
						der, err := asn1.Marshal(e)
						if err != nil {
							b.SetError(err)
							return
						}
						b.AddBytes(der)
					}
				})
			})
		}
	})
	tbs, err := tb.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	h := hash.New()
	h.Write(tbs)
	sig, err := signKey.signer.Sign(rand.Reader, h.Sum(nil), hash)
	if err != nil {
		t.Fatal(err)
	}
	var cb cryptobyte.Builder
	cb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		b.AddBytes(algDER)
		b.AddASN1BitString(sig)
	})
	return cb.BytesOrPanic()
}

func cn(s string) pkix.Name { return pkix.Name{CommonName: s, Organization: []string{"Signet Rules"}} }

// rootCA, subCA and leafCert are the default shapes.
func rootCA(t testing.TB, name string, mod ...func(*tpCert)) *tpIssued {
	c := tpCert{subject: cn(name), ca: true, pathLen: -1, noAKI: true}
	for _, m := range mod {
		m(&c)
	}
	return issue(t, c, nil)
}

func subCA(t testing.TB, name string, parent *tpIssued, mod ...func(*tpCert)) *tpIssued {
	c := tpCert{subject: cn(name), ca: true, pathLen: -1}
	for _, m := range mod {
		m(&c)
	}
	return issue(t, c, parent)
}

func leafCert(t testing.TB, name string, parent *tpIssued, mod ...func(*tpCert)) *tpIssued {
	c := tpCert{subject: cn(name), pathLen: -1, dns: []string{name}, eku: []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 1}}}
	for _, m := range mod {
		m(&c)
	}
	return issue(t, c, parent)
}

// writePEM writes certificates to a file in dir and returns its path.
func writePEM(t testing.TB, dir, name string, certs ...*tpIssued) string {
	t.Helper()
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.der})...)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// makeCRL signs a CRL by issuer with the given extensions (CRL number 1 unless exts say
// otherwise) revoking serials.
func makeCRL(t testing.TB, issuer *tpIssued, number *big.Int, numberCrit bool, extra []pkix.Extension, revoked ...*big.Int) *x509.RevocationList {
	t.Helper()
	tmpl := &x509.RevocationList{ThisUpdate: tpNotBefore, NextUpdate: tpNotAfter, ExtraExtensions: extra}
	if number != nil {
		tmpl.Number = number
	}
	for _, s := range revoked {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{SerialNumber: s, RevocationTime: tpNotBefore})
	}
	var der []byte
	var err error
	if number == nil || numberCrit {
		der = crlByHand(t, issuer, number, numberCrit, extra, revoked)
	} else {
		der, err = x509.CreateRevocationList(rand.Reader, tmpl, issuer.cert, issuer.key.signer)
		if err != nil {
			t.Fatal(err)
		}
	}
	l, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// crlByHand writes a CRL crypto/x509 will not: without a CRL number, or with it critical.
func crlByHand(t testing.TB, issuer *tpIssued, number *big.Int, numberCrit bool, extra []pkix.Extension, revoked []*big.Int) []byte {
	t.Helper()
	algID := pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}}
	algDER, _ := asn1.Marshal(algID)
	exts := []pkix.Extension{ext(oidAKI, false, struct {
		ID []byte `asn1:"optional,tag:0"`
	}{issuer.key.keyID(t)})}
	if number != nil {
		exts = append(exts, ext(oidCRLN, numberCrit, number))
	}
	exts = append(exts, extra...)
	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddBytes(algDER)
		b.AddBytes(issuer.cert.RawSubject)
		b.AddASN1UTCTime(tpNotBefore)
		b.AddASN1UTCTime(tpNotAfter)
		if len(revoked) > 0 {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, s := range revoked {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1BigInt(s)
						b.AddASN1UTCTime(tpNotBefore)
					})
				}
			})
		}
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, e := range exts {
					der, _ := asn1.Marshal(e)
					b.AddBytes(der)
				}
			})
		})
	})
	tbs := tb.BytesOrPanic()
	sum := sha256.Sum256(tbs)
	sig, err := issuer.key.signer.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	var cb cryptobyte.Builder
	cb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		b.AddBytes(algDER)
		b.AddASN1BitString(sig)
	})
	return cb.BytesOrPanic()
}
