package verify_test

// Hostile inputs a review of the engine found accepted, or answered only after minutes; each
// test here failed before its fix.

import (
	"crypto"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"net"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// hangLimit is far above what any test here takes; passing it means the work is unbounded.
const hangLimit = 10 * time.Second

type single struct {
	nameHash, keyHash []byte
	serial            *big.Int
	revoked           bool
}

func spkiBits(t *testing.T, c *x509.Certificate) []byte {
	var s struct {
		A pkix.AlgorithmIdentifier
		K asn1.BitString
	}
	if _, err := asn1.Unmarshal(c.RawSubjectPublicKeyInfo, &s); err != nil {
		t.Fatal(err)
	}
	return s.K.Bytes
}

func certIDFor(t *testing.T, issuer *x509.Certificate, serial *big.Int, revoked bool) single {
	n := sha1.Sum(issuer.RawSubject)
	k := sha1.Sum(spkiBits(t, issuer))
	return single{n[:], k[:], serial, revoked}
}

// ocspByHand writes a BasicOCSPResponse with several SingleResponses, signed by signer.
var ocspNoNext bool
var ocspEmbed []byte // DER of a certificate to put in BasicOCSPResponse.certs

func ocspByHand(t *testing.T, signer *tpIssued, at time.Time, singles ...single) []byte {
	gt := func(b *cryptobyte.Builder, tm time.Time) { b.AddASN1GeneralizedTime(tm.UTC()) }
	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		// responderID byName [1]
		b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddBytes(signer.cert.RawSubject) })
		gt(b, at)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, s := range singles {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26})
							b.AddASN1NULL()
						})
						b.AddASN1OctetString(s.nameHash)
						b.AddASN1OctetString(s.keyHash)
						b.AddASN1BigInt(s.serial)
					})
					if s.revoked {
						b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { gt(b, at.Add(-time.Hour)) })
					} else {
						b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) {})
					}
					gt(b, at.Add(-time.Minute))
					if !ocspNoNext {
						b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { gt(b, at.Add(24*time.Hour)) })
					}
				})
			}
		})
	})
	tbs := tb.BytesOrPanic()
	sum := sha256.Sum256(tbs)
	sig, err := signer.key.signer.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	var basic cryptobyte.Builder
	basic.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2})
		})
		b.AddASN1BitString(sig)
		if ocspEmbed != nil {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddBytes(ocspEmbed) })
			})
		}
	})
	var out cryptobyte.Builder
	out.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Enum(0)
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1})
				b.AddASN1OctetString(basic.BytesOrPanic())
			})
		})
	})
	return out.BytesOrPanic()
}

func rawSAN(names ...[]byte) pkix.Extension {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, n := range names {
			b.AddBytes(n)
		}
	})
	return rawExt(oidSAN, false, b.BytesOrPanic())
}

func runNC(t *testing.T, label string, nc pkix.Extension, san pkix.Extension, pol func(*verify.Policy)) {
	root := rootCA(t, "NC Root")
	inter := subCA(t, "NC Inter", root, func(c *tpCert) { c.exts = append(c.exts, nc) })
	leaf := leafCert(t, "leaf", inter, func(c *tpCert) { c.dns = nil; c.exts = append(c.exts, san) })
	p := verify.Policy{Roots: []*x509.Certificate{root.cert}, Intermediates: []*x509.Certificate{inter.cert}, At: tpAt}
	if pol != nil {
		pol(&p)
	}
	res, err := verify.Verify(leaf.cert, nil, p)
	if err == nil {
		t.Errorf("%s: accepted despite an excluded subtree\n%s", label, dumpChecks(res))
	}
}

func bigRDN(k int) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
			for i := k; i > 0; i-- {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier([]int{2, 5, 4, 11})
					b.AddASN1(cbasn1.Tag(12), func(b *cryptobyte.Builder) { b.AddBytes([]byte(fmt.Sprintf("%07d", i))) })
				})
			}
		})
	})
	return b.BytesOrPanic()
}

func manyCNs(k int) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for i := 0; i < k; i++ {
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier([]int{2, 5, 4, 3})
					b.AddASN1(cbasn1.Tag(12), func(b *cryptobyte.Builder) { b.AddBytes([]byte("com")) })
				})
			})
		}
	})
	return b.BytesOrPanic()
}

func policiesExt(n int) func(*tpCert) {
	var pols []struct{ ID asn1.ObjectIdentifier }
	for i := 0; i < n; i++ {
		pols = append(pols, struct{ ID asn1.ObjectIdentifier }{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, i}})
	}
	e := ext(oidCP, false, pols)
	return func(c *tpCert) { c.exts = append(c.exts, e) }
}

func crldp(uri string) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.Tag(6).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte(uri)) })
				})
			})
		})
	})
	return b.BytesOrPanic()
}

func wantRefused(t *testing.T, label string, res *verify.Result, err error, rule string) {
	t.Helper()
	var ve *verify.Error
	if !errors.As(err, &ve) || (rule != "" && ve.Rule != rule) {
		dump := ""
		if res != nil {
			dump = dumpChecks(res)
		}
		t.Fatalf("%s: want refused (%s), got %v\n%s", label, rule, err, dump)
	}
}

// TestHostileCRLSignerPool: certificates bearing the trusted root's name and key, signed by an
// attacker's CA, must not make CRL-signer validation recurse over them.
func TestHostileCRLSignerPool(t *testing.T) {
	honest := rootCA(t, "Honest Root")
	crl := makeCRL(t, honest, big.NewInt(1), false, nil)
	att := rootCA(t, "Attacker")
	p2 := subCA(t, "x", att, func(c *tpCert) { c.rawSubj = honest.cert.RawSubject })
	chain := []*x509.Certificate{att.cert, p2.cert}
	for range 30 {
		f := subCA(t, "x", p2, func(c *tpCert) {
			c.rawSubj = honest.cert.RawSubject
			c.key = honest.key
			c.notAfter = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
		})
		chain = append(chain, f.cert)
	}
	leaf := leafCert(t, "victim.example", p2)
	start := time.Now()
	res, err := verify.Verify(leaf.cert, chain, verify.Policy{Roots: []*x509.Certificate{honest.cert}, CRLs: []*x509.RevocationList{crl}, At: tpAt})
	if d := time.Since(start); d > hangLimit {
		t.Fatalf("took %v", d)
	}
	wantRefused(t, "attacker pool", res, err, "")
}

// TestHostileOCSP: the answer read is the one whose CertID matched; a good answer does not
// hide a CRL that lists the certificate; a SHA-1 responder certificate and an old answer
// without nextUpdate are refused.
func TestHostileOCSP(t *testing.T) {
	root := rootCA(t, "OCSP Root")
	inter := subCA(t, "OCSP Inter", root)
	other := subCA(t, "Sister CA", root)
	leaf := leafCert(t, "leaf.example.com", inter)
	base := verify.Policy{Roots: []*x509.Certificate{root.cert}, Intermediates: []*x509.Certificate{inter.cert}, At: tpAt}

	p := base
	p.OCSP = [][]byte{ocspByHand(t, inter, tpAt,
		certIDFor(t, other.cert, leaf.cert.SerialNumber, false),
		certIDFor(t, inter.cert, leaf.cert.SerialNumber, true))}
	res, err := verify.Verify(leaf.cert, nil, p)
	wantRefused(t, "two answers for one serial", res, err, "rfc6960.revoked")

	p = base
	p.CRLs = []*x509.RevocationList{makeCRL(t, inter, big.NewInt(2), false, nil, leaf.cert.SerialNumber)}
	p.OCSP = [][]byte{ocspByHand(t, inter, tpAt, certIDFor(t, inter.cert, leaf.cert.SerialNumber, false))}
	res, err = verify.Verify(leaf.cert, nil, p)
	wantRefused(t, "good OCSP beside a CRL that revokes", res, err, "rfc5280.revoked")

	rsaInter := subCA(t, "OCSP RSA Inter", root, func(c *tpCert) { c.key = newRSAKey(t, 2048) })
	rsaLeaf := leafCert(t, "leaf.example.com", rsaInter)
	resp := issue(t, tpCert{subject: cn("S1 Responder"), pathLen: -1, sha1: true,
		eku: []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 9}}}, rsaInter)
	ocspEmbed = resp.der
	p = base
	p.Intermediates = []*x509.Certificate{rsaInter.cert}
	p.OCSP = [][]byte{ocspByHand(t, resp, tpAt, certIDFor(t, rsaInter.cert, rsaLeaf.cert.SerialNumber, false))}
	ocspEmbed = nil
	res, err = verify.Verify(rsaLeaf.cert, nil, p)
	wantRefused(t, "SHA-1 responder certificate", res, err, "signet.weak-signature")

	ocspNoNext = true
	p = base
	p.OCSP = [][]byte{ocspByHand(t, inter, tpAt.AddDate(-1, 0, 0), certIDFor(t, inter.cert, leaf.cert.SerialNumber, false))}
	ocspNoNext = false
	res, err = verify.Verify(leaf.cert, nil, p)
	wantRefused(t, "old answer without nextUpdate", res, err, "rfc6960.expired")
}

// TestHostileNameConstraintForms: an IPv4-mapped address and a mailbox domain with a final
// dot are the names they stand for.
func TestHostileNameConstraintForms(t *testing.T) {
	nc := ncExt(true, nil, [][]byte{gnIP("10.0.0.0/8")})
	runNC(t, "mapped ::ffff:10.1.2.3", nc, rawSAN(gn(7, false, net.ParseIP("10.1.2.3").To16())), func(p *verify.Policy) { p.IP = net.ParseIP("10.1.2.3") })
	for _, ex := range []string{"evil.com", ".evil.com", "ceo@evil.com"} {
		nc := ncExt(true, nil, [][]byte{gnEmail(ex)})
		runNC(t, "trailing dot, excluded "+ex, nc, rawSAN(gnEmail("ceo@evil.com."), gnEmail("ceo@mail.evil.com.")), nil)
	}
}

// TestHostileCertificateIssuerInDirectCRL: certificateIssuer in a CRL that is not indirect
// makes the CRL unusable rather than hiding the entries after it.
func TestHostileCertificateIssuerInDirectCRL(t *testing.T) {
	root := rootCA(t, "CI Root")
	inter := subCA(t, "CI Inter", root)
	leaf := leafCert(t, "leaf.example.com", inter)
	other := gnDir(pkix.Name{CommonName: "Some Other CA"})
	gns, _ := asn1.Marshal(asn1.RawValue{Class: 0, Tag: 16, IsCompound: true, Bytes: other})
	ciExt := pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 29}, Critical: true, Value: gns}
	mk := func(withCI bool) *x509.RevocationList {
		e1 := x509.RevocationListEntry{SerialNumber: big.NewInt(999), RevocationTime: tpNotBefore}
		if withCI {
			e1.ExtraExtensions = []pkix.Extension{ciExt}
		}
		tmpl := &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: tpNotBefore, NextUpdate: tpNotAfter,
			RevokedCertificateEntries: []x509.RevocationListEntry{e1, {SerialNumber: leaf.cert.SerialNumber, RevocationTime: tpNotBefore}}}
		der, err := x509.CreateRevocationList(rand.Reader, tmpl, inter.cert, inter.key.signer)
		if err != nil {
			t.Fatal(err)
		}
		l, err := x509.ParseRevocationList(der)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	p := verify.Policy{Roots: []*x509.Certificate{root.cert}, Intermediates: []*x509.Certificate{inter.cert}, At: tpAt,
		CRLs: []*x509.RevocationList{mk(true)}}
	res, err := verify.Verify(leaf.cert, nil, p)
	wantRefused(t, "certificateIssuer in a direct CRL", res, err, "rfc5280.crl-entry-issuer")
}

// TestHostileSizes: a name with tens of thousands of attributes, a leaf with thousands of
// common names and DNS names, and CAs with thousands of policies are answered quickly.
func TestHostileSizes(t *testing.T) {
	root := rootCA(t, "Trusted Root")
	start := time.Now()
	leaf := issue(t, tpCert{rawSubj: bigRDN(20000), pathLen: -1, dns: []string{"a.example"}}, nil)
	res, err := verify.Verify(leaf.cert, nil, verify.Policy{Roots: []*x509.Certificate{root.cert}, At: tpAt})
	wantRefused(t, "20000 attributes", res, err, "")
	var dns []string
	for i := range 10000 {
		dns = append(dns, fmt.Sprintf("h%d.com", i))
	}
	leaf = issue(t, tpCert{rawSubj: manyCNs(10000), pathLen: -1, dns: dns}, root)
	res, err = verify.Verify(leaf.cert, nil, verify.Policy{Roots: []*x509.Certificate{root.cert}, At: tpAt, Profile: verify.ProfileWebPKI})
	wantRefused(t, "10000 common names", res, err, "")
	if d := time.Since(start); d > hangLimit {
		t.Fatalf("names took %v", d)
	}
	start = time.Now()
	i1 := subCA(t, "Pol I1", root, policiesExt(4000))
	i2 := subCA(t, "Pol I2", i1, policiesExt(4000))
	pleaf := leafCert(t, "leaf", i2, policiesExt(4000))
	res, err = verify.Verify(pleaf.cert, nil, verify.Policy{Roots: []*x509.Certificate{root.cert}, Intermediates: []*x509.Certificate{i1.cert, i2.cert}, At: tpAt})
	if err != nil {
		t.Fatalf("4000 policies: %v\n%s", err, dumpChecks(res))
	}
	if d := time.Since(start); d > hangLimit {
		t.Fatalf("policies took %v", d)
	}
}

// TestHostileDuplicateExtension: setting a CRL distribution point extension aside must not
// hide a second copy of it.
func TestHostileDuplicateExtension(t *testing.T) {
	root := rootCA(t, "Dup Root")
	inter := subCA(t, "Dup Inter", root)
	oid := asn1.ObjectIdentifier{2, 5, 29, 31}
	c := tpCert{subject: cn("leaf.example.com"), pathLen: -1, exts: []pkix.Extension{rawExt(oid, false, crldp("http://a.example/a.crl")), rawExt(oid, false, crldp("http://b.example/b.crl"))}}
	der := issueDER(t, c, inter)
	if _, err := x509util.ParseCertificate(der); err == nil {
		t.Fatal("a certificate with two CRL distribution points extensions was read")
	}
}

var _ = crypto.SHA256
var _ = sha1.Sum
var _ = sha256.Sum256
var _ = rand.Reader
