package verify_test

import (
	"crypto"
	//lint:ignore SA1019 DSA keys are made here only to be refused
	"crypto/dsa"
	"crypto/elliptic"
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
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// Regression cases after C2SP/x509-limbo's generators (limbo/testcases): each case is built
// here from its description, not copied, and named by its limbo id. Limbo's "server
// validation" is signet's webpki profile with the host example.com; the rest is the default
// rfc5280 profile. want is the rule signet refuses with, "" for valid. Where signet keeps a
// result limbo does not expect, the case says why in note (implementation-defined in limbo,
// or a rule of a profile signet does not have).

// lcRevoked is one CRL entry.
type lcRevoked struct {
	serial *big.Int
	at     time.Time // zero: a day before tpAt
	exts   []pkix.Extension
}

// lcCRL describes a CRL to make by hand, so that a case can write what crypto/x509 will not
// (no CRL number, a critical one, duplicate entries, another key than the issuer's).
type lcCRL struct {
	issuer     *tpIssued // its subject is the CRL issuer, its key signs
	signer     *tpKey    // signs instead of issuer's key (a forgery)
	this, next time.Time // zero: a day before tpAt, thirty days after
	noNumber   bool
	numberCrit bool
	revoked    []lcRevoked
	exts       []pkix.Extension
	noNext     bool  // no nextUpdate
	genTime    bool  // thisUpdate and nextUpdate as GeneralizedTime
	version    int64 // the version field's value (default 1, v2)
}

func (lc lcCRL) make(t testing.TB) *x509.RevocationList {
	t.Helper()
	l, err := x509.ParseRevocationList(lc.der(t))
	if err != nil {
		t.Fatalf("the made CRL does not parse: %v", err)
	}
	return l
}

// der writes the CRL.
func (lc lcCRL) der(t testing.TB) []byte {
	t.Helper()
	this, next := lc.this, lc.next
	if this.IsZero() {
		this = tpAt.Add(-24 * time.Hour)
	}
	if next.IsZero() {
		next = tpAt.Add(30 * 24 * time.Hour)
	}
	key := lc.issuer.key
	if lc.signer != nil {
		key = *lc.signer
	}
	algDER, _ := asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}})
	exts := []pkix.Extension{ext(oidAKI, false, struct {
		ID []byte `asn1:"optional,tag:0"`
	}{lc.issuer.key.keyID(t)})}
	if !lc.noNumber {
		exts = append(exts, ext(oidCRLN, lc.numberCrit, big.NewInt(42)))
	}
	exts = append(exts, lc.exts...)
	addExts := func(b *cryptobyte.Builder, exts []pkix.Extension) {
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
	}
	version := lc.version
	if version == 0 {
		version = 1
	}
	addTime := func(b *cryptobyte.Builder, t time.Time) {
		if lc.genTime {
			b.AddASN1GeneralizedTime(t)
		} else {
			b.AddASN1UTCTime(t)
		}
	}
	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(version)
		b.AddBytes(algDER)
		b.AddBytes(lc.issuer.cert.RawSubject)
		addTime(b, this)
		if !lc.noNext {
			addTime(b, next)
		}
		if len(lc.revoked) > 0 {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, r := range lc.revoked {
					at := r.at
					if at.IsZero() {
						at = tpAt.Add(-24 * time.Hour)
					}
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1BigInt(r.serial)
						b.AddASN1UTCTime(at)
						if len(r.exts) > 0 {
							addExts(b, r.exts)
						}
					})
				}
			})
		}
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { addExts(b, exts) })
	})
	tbs, err := tb.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(tbs)
	sig, err := key.signer.Sign(rand.Reader, sum[:], crypto.SHA256)
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

var oidLimboUnknown = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55738, 666, 1}

// lcUnknownExt is limbo's unrecognised extension: an arbitrary OID with an empty value.
func lcUnknownExt(critical bool) pkix.Extension {
	return pkix.Extension{Id: oidLimboUnknown, Critical: critical, Value: []byte{}}
}

func randSerial() *big.Int {
	s, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 150))
	return s.Add(s, big.NewInt(1))
}

// lcDPName writes a DistributionPointName with a fullName of GeneralName elements, or (rdn
// not nil) a nameRelativeToCRLIssuer of the attribute SEQUENCEs in rdn.
func lcDPName(b *cryptobyte.Builder, full [][]byte, rdn []byte) {
	b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
		if rdn != nil {
			b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddBytes(rdn) })
			return
		}
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			for _, g := range full {
				b.AddBytes(g)
			}
		})
	})
}

// lcCDP is a certificate's CRL distribution points: one point with a fullName.
func lcCDP(names ...[]byte) pkix.Extension {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { lcDPName(b, names, nil) })
	})
	return rawExt(asn1.ObjectIdentifier{2, 5, 29, 31}, false, b.BytesOrPanic())
}

// lcIDP describes an issuing distribution point (RFC 5280 5.2.5).
type lcIDP struct {
	full                       [][]byte
	relative                   []byte
	onlyUser, onlyCA, onlyAttr bool
	reasons                    []byte // the content of onlySomeReasons (unused-bits octet first)
	indirect                   bool
}

func (i lcIDP) ext() pkix.Extension {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if i.full != nil || i.relative != nil {
			lcDPName(b, i.full, i.relative)
		}
		flag := func(tag int, on bool) {
			if on {
				b.AddASN1(cbasn1.Tag(tag).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddUint8(0xff) })
			}
		}
		flag(1, i.onlyUser)
		flag(2, i.onlyCA)
		if i.reasons != nil {
			b.AddASN1(cbasn1.Tag(3).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(i.reasons) })
		}
		flag(4, i.indirect)
		flag(5, i.onlyAttr)
	})
	return rawExt(asn1.ObjectIdentifier{2, 5, 29, 28}, true, b.BytesOrPanic())
}

// limboChain is what a case builds.
type limboChain struct {
	roots, inters []*tpIssued
	leaf          *tpIssued
	crls          []*x509.RevocationList
	policy        func(*verify.Policy)
}

type limboCase struct {
	id     string // the x509-limbo testcase id
	server bool   // limbo's server validation: the webpki profile, host example.com
	build  func(t *testing.T) limboChain
	want   string // the rule signet refuses with; "" for valid
	note   string // why signet's result differs from limbo's expectation, if it does
}

// lcRoot is limbo's default root: a self-signed CA with keyCertSign and cRLSign.
func lcRoot(t *testing.T, mod ...func(*tpCert)) *tpIssued {
	c := tpCert{subject: pkix.Name{CommonName: "x509-limbo-root"}, ca: true, pathLen: -1, noAKI: true}
	for _, m := range mod {
		m(&c)
	}
	return issue(t, c, nil)
}

// lcLeaf is limbo's default end entity: CN=example.com, SAN example.com, serverAuth,
// digitalSignature.
func lcLeaf(t *testing.T, parent *tpIssued, mod ...func(*tpCert)) *tpIssued {
	c := tpCert{subject: pkix.Name{CommonName: "example.com"}, pathLen: -1, dns: []string{"example.com"}, eku: ekuServer}
	for _, m := range mod {
		m(&c)
	}
	return issue(t, c, parent)
}

func lcInter(t *testing.T, parent *tpIssued, name string, mod ...func(*tpCert)) *tpIssued {
	c := tpCert{subject: pkix.Name{CommonName: name}, ca: true, pathLen: -1}
	for _, m := range mod {
		m(&c)
	}
	return issue(t, c, parent)
}

// rootWithCRL is root -> leaf with one CRL of the root, made by crl from the pair.
func rootWithCRL(leafMod func(*tpCert), crl func(t *testing.T, root, leaf *tpIssued) lcCRL) func(t *testing.T) limboChain {
	return func(t *testing.T) limboChain {
		root := lcRoot(t)
		var mods []func(*tpCert)
		if leafMod != nil {
			mods = append(mods, leafMod)
		}
		leaf := lcLeaf(t, root, mods...)
		return limboChain{roots: []*tpIssued{root}, leaf: leaf, crls: []*x509.RevocationList{crl(t, root, leaf).make(t)}}
	}
}

func otherRevoked() []lcRevoked { return []lcRevoked{{serial: randSerial()}} }

func withCDP(names ...[]byte) func(*tpCert) {
	return func(c *tpCert) { c.exts = append(c.exts, lcCDP(names...)) }
}

const limboURI = "http://example.com/partition.crl"

// limboCRLCases: crl/structure, crl/idp, crl/temporal, crl/cabf, rfc5280/crl, webpki/crl.
func limboCRLCases() []limboCase {
	revokeLeaf := func(at time.Time, exts ...pkix.Extension) func(t *testing.T, root, leaf *tpIssued) lcCRL {
		return func(t *testing.T, root, leaf *tpIssued) lcCRL {
			return lcCRL{issuer: root, revoked: []lcRevoked{{serial: leaf.cert.SerialNumber, at: at, exts: exts}}}
		}
	}
	plain := func(mod func(*lcCRL)) func(t *testing.T, root, leaf *tpIssued) lcCRL {
		return func(t *testing.T, root, leaf *tpIssued) lcCRL {
			l := lcCRL{issuer: root, revoked: otherRevoked()}
			if mod != nil {
				mod(&l)
			}
			return l
		}
	}
	day := 24 * time.Hour
	twoRoots := func(t *testing.T) (*tpIssued, *tpIssued, *tpIssued) {
		r1 := lcRoot(t, func(c *tpCert) { c.subject = pkix.Name{CommonName: "Root CA 1"} })
		r2 := lcRoot(t, func(c *tpCert) { c.subject = pkix.Name{CommonName: "Root CA 2"} })
		return r1, r2, lcLeaf(t, r1)
	}
	idpCase := func(leafMod func(*tpCert), idp lcIDP, revoked bool) func(t *testing.T) limboChain {
		return rootWithCRL(leafMod, func(t *testing.T, root, leaf *tpIssued) lcCRL {
			l := lcCRL{issuer: root, exts: []pkix.Extension{idp.ext()}}
			if revoked {
				l.revoked = otherRevoked()
			}
			return l
		})
	}
	uri := [][]byte{gnURI(limboURI)}
	keyCompromise := []byte{0x06, 0x40}
	return []limboCase{
		{id: "rfc5280::crl::revoked-certificate-with-crl", server: true, want: "rfc5280.revoked",
			build: rootWithCRL(nil, revokeLeaf(time.Time{}))},
		{id: "rfc5280::crl::crlnumber-missing", server: true, want: "rfc5280.crl-number-missing",
			build: rootWithCRL(nil, plain(func(l *lcCRL) { l.noNumber = true }))},
		{id: "rfc5280::crl::crlnumber-critical", server: true, want: "rfc5280.crl-number-critical",
			build: rootWithCRL(nil, plain(func(l *lcCRL) { l.numberCrit = true }))},
		{id: "rfc5280::crl::certificate-not-on-crl", server: true,
			build: rootWithCRL(nil, plain(func(l *lcCRL) { l.revoked = append(l.revoked, lcRevoked{serial: randSerial()}) }))},
		{id: "rfc5280::crl::certificate-serial-on-crl-different-issuer", server: true,
			build: func(t *testing.T) limboChain {
				r1, r2, leaf := twoRoots(t)
				return limboChain{roots: []*tpIssued{r1, r2}, leaf: leaf, crls: []*x509.RevocationList{
					lcCRL{issuer: r1}.make(t),
					lcCRL{issuer: r2, revoked: []lcRevoked{{serial: leaf.cert.SerialNumber}}}.make(t),
				}}
			}},
		{id: "rfc5280::crl::issuer-missing-crlsign", server: true, want: "rfc5280.crl-signer-no-crlsign",
			build: func(t *testing.T) limboChain {
				root := lcRoot(t, func(c *tpCert) { c.ku = x509.KeyUsageCertSign })
				leaf := lcLeaf(t, root)
				return limboChain{roots: []*tpIssued{root}, leaf: leaf, crls: []*x509.RevocationList{lcCRL{issuer: root, revoked: otherRevoked()}.make(t)}}
			}},
		{id: "rfc5280::crl::issuer-no-keyusage-extension", server: true,
			build: func(t *testing.T) limboChain {
				root := lcRoot(t, func(c *tpCert) { c.noKU = true })
				leaf := lcLeaf(t, root)
				return limboChain{roots: []*tpIssued{root}, leaf: leaf, crls: []*x509.RevocationList{lcCRL{issuer: root, revoked: otherRevoked()}.make(t)}}
			}},
		{id: "rfc5280::crl::issuer-valid-crlsign-and-keycertsign", server: true,
			build: rootWithCRL(nil, plain(nil))},
		{id: "crl::structure::crl-invalid-signature", server: true, want: "rfc5280.crl-signature",
			build: rootWithCRL(nil, func(t *testing.T, root, leaf *tpIssued) lcCRL {
				k := newKey(t)
				return lcCRL{issuer: root, signer: &k, revoked: otherRevoked()}
			})},
		{id: "crl::structure::crl-wrong-signing-key", server: true, want: "rfc5280.crl-signature",
			build: func(t *testing.T) limboChain {
				r1, r2, leaf := twoRoots(t)
				return limboChain{roots: []*tpIssued{r1, r2}, leaf: leaf, crls: []*x509.RevocationList{
					lcCRL{issuer: r1, signer: &r2.key, revoked: otherRevoked()}.make(t)}}
			}},
		{id: "crl::structure::crl-empty", server: true,
			build: rootWithCRL(nil, func(t *testing.T, root, leaf *tpIssued) lcCRL { return lcCRL{issuer: root} })},
		{id: "crl::structure::crl-very-large", server: true,
			build: rootWithCRL(nil, func(t *testing.T, root, leaf *tpIssued) lcCRL {
				l := lcCRL{issuer: root}
				for range 10_000 {
					l.revoked = append(l.revoked, lcRevoked{serial: randSerial(), at: tpNotBefore})
				}
				return l
			})},
		{id: "crl::structure::crl-unknown-critical-extension", server: true, want: "rfc5280.crl-unknown-critical-extension",
			build: rootWithCRL(nil, plain(func(l *lcCRL) { l.exts = []pkix.Extension{lcUnknownExt(true)} }))},
		{id: "crl::structure::crl-unknown-noncritical-extension", server: true,
			build: rootWithCRL(nil, plain(func(l *lcCRL) { l.exts = []pkix.Extension{lcUnknownExt(false)} }))},
		{id: "crl::structure::crl-duplicate-revoked-serial (also webpki::crl::crl-duplicate-revoked-serial)", server: true, want: "rfc5280.crl-duplicate-entry",
			build: rootWithCRL(nil, plain(func(l *lcCRL) { l.revoked = append(l.revoked, l.revoked[0]) }))},
		{id: "rfc5280::crl::entry-unknown-critical-extension", server: true, want: "rfc5280.crl-entry-unknown-critical-extension",
			build: rootWithCRL(nil, revokeLeaf(time.Time{}, lcUnknownExt(true)))},
		{id: "rfc5280::crl::entry-unknown-noncritical-extension", server: true, want: "rfc5280.revoked",
			build: rootWithCRL(nil, revokeLeaf(time.Time{}, lcUnknownExt(false)))},
		{id: "crl::temporal::this-update-in-future", server: true, want: "rfc5280.crl-not-yet-valid",
			build: rootWithCRL(nil, func(t *testing.T, root, leaf *tpIssued) lcCRL {
				return lcCRL{issuer: root, this: tpAt.Add(day), next: tpAt.Add(30 * day)}
			})},
		{id: "crl::temporal::next-update-in-past", server: true, want: "rfc5280.crl-expired",
			build: rootWithCRL(nil, func(t *testing.T, root, leaf *tpIssued) lcCRL {
				return lcCRL{issuer: root, this: tpAt.Add(-60 * day), next: tpAt.Add(-30 * day)}
			})},
		{id: "crl::temporal::revocation-date-in-future", server: true, want: "rfc5280.revoked",
			build: rootWithCRL(nil, revokeLeaf(tpAt.Add(day)))},
		{id: "crl::temporal::revocation-date-before-not-before", server: true, want: "rfc5280.revoked",
			build: rootWithCRL(func(c *tpCert) { c.notBefore = tpAt.Add(-30 * day) }, revokeLeaf(tpAt.Add(-60*day)))},
		{id: "crl::temporal::crl-validity-no-overlap", server: true, want: "rfc5280.crl-expired",
			build: rootWithCRL(func(c *tpCert) { c.notBefore, c.notAfter = tpAt.Add(-30*day), tpAt.Add(30*day) },
				func(t *testing.T, root, leaf *tpIssued) lcCRL {
					return lcCRL{issuer: root, this: tpAt.Add(-365 * day), next: tpAt.Add(-180 * day)}
				})},
		{id: "rfc5280::crl::similar-certs-different-serials", server: true,
			build: func(t *testing.T) limboChain {
				root := lcRoot(t)
				k := newKey(t)
				lcLeaf(t, root, func(c *tpCert) { c.serial, c.key = big.NewInt(1000), k })
				leaf := lcLeaf(t, root, func(c *tpCert) { c.serial, c.key = big.NewInt(2000), k })
				return limboChain{roots: []*tpIssued{root}, leaf: leaf, crls: []*x509.RevocationList{lcCRL{issuer: root, revoked: []lcRevoked{{serial: big.NewInt(1000)}}}.make(t)}}
			}},
		{id: "rfc5280::crl::similar-certs-different-serials-revoked", server: true, want: "rfc5280.revoked",
			build: func(t *testing.T) limboChain {
				root := lcRoot(t)
				k := newKey(t)
				leaf := lcLeaf(t, root, func(c *tpCert) { c.serial, c.key = big.NewInt(1000), k })
				lcLeaf(t, root, func(c *tpCert) { c.serial, c.key = big.NewInt(2000), k })
				return limboChain{roots: []*tpIssued{root}, leaf: leaf, crls: []*x509.RevocationList{lcCRL{issuer: root, revoked: []lcRevoked{{serial: big.NewInt(1000)}}}.make(t)}}
			}},
		{id: "rfc5280::crl::adjacent-serial-numbers", server: true,
			build: rootWithCRL(func(c *tpCert) { c.serial = big.NewInt(5001) }, func(t *testing.T, root, leaf *tpIssued) lcCRL {
				return lcCRL{issuer: root, revoked: []lcRevoked{{serial: big.NewInt(5000)}}}
			})},
		{id: "rfc5280::crl::small-serial-number-revocation", server: true, want: "rfc5280.revoked",
			build: rootWithCRL(func(c *tpCert) { c.serial = big.NewInt(1) }, revokeLeaf(time.Time{}))},
		{id: "rfc5280::crl::large-serial-number-revocation", server: true, want: "rfc5280.revoked",
			build: rootWithCRL(func(c *tpCert) { c.serial = new(big.Int).Lsh(big.NewInt(1), 127) }, revokeLeaf(time.Time{}))},
		{id: "rfc5280::crl::issuer-mismatch-root-vs-intermediate", server: true,
			build: func(t *testing.T) limboChain {
				root := lcRoot(t)
				inter := lcInter(t, root, "Intermediate CA", func(c *tpCert) { c.pathLen = 0 })
				leaf := lcLeaf(t, inter)
				return limboChain{roots: []*tpIssued{root}, inters: []*tpIssued{inter}, leaf: leaf, crls: []*x509.RevocationList{
					lcCRL{issuer: root, revoked: []lcRevoked{{serial: leaf.cert.SerialNumber}}}.make(t),
					lcCRL{issuer: inter}.make(t),
				}}
			}},
		{id: "rfc5280::crl::crl-issuer-name-signature-mismatch", server: true, want: "rfc5280.crl-scope",
			build: func(t *testing.T) limboChain {
				root := lcRoot(t)
				leaf := lcLeaf(t, root)
				fake := &tpIssued{cert: &x509.Certificate{RawSubject: nameDER(t, pkix.Name{CommonName: "Fake Issuer"})}, key: root.key}
				return limboChain{roots: []*tpIssued{root}, leaf: leaf, crls: []*x509.RevocationList{
					lcCRL{issuer: fake, revoked: []lcRevoked{{serial: leaf.cert.SerialNumber}}}.make(t)}}
			}},
		{id: "rfc5280::crl::leaf-with-cdp-extension", server: true,
			build: rootWithCRL(withCDP(gnURI("http://example.com/root.crl")), func(t *testing.T, root, leaf *tpIssued) lcCRL { return lcCRL{issuer: root} })},
		{id: "rfc5280::crl::cdp-with-indirect-crl-issuer", server: true,
			note: "the CRL of the cRLIssuer has no issuing distribution point asserting indirectCRL, so RFC 5280 6.3.3 (b)(1) does not let it cover the leaf; the leaf's status is not checked, which is not a failure without --require-crl",
			build: func(t *testing.T) limboChain {
				certIssuer := lcRoot(t, func(c *tpCert) { c.subject = pkix.Name{CommonName: "Certificate Issuer CA"} })
				crlIssuer := lcRoot(t, func(c *tpCert) { c.subject = pkix.Name{CommonName: "CRL Issuer CA"} })
				var cdp cryptobyte.Builder
				cdp.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						lcDPName(b, [][]byte{gnURI("http://example.com/indirect.crl")}, nil)
						b.AddASN1(cbasn1.Tag(2).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddBytes(gnDir(pkix.Name{CommonName: "CRL Issuer CA"})) })
					})
				})
				leaf := lcLeaf(t, certIssuer, func(c *tpCert) {
					c.exts = append(c.exts, rawExt(asn1.ObjectIdentifier{2, 5, 29, 31}, false, cdp.BytesOrPanic()))
				})
				return limboChain{roots: []*tpIssued{certIssuer, crlIssuer}, leaf: leaf, crls: []*x509.RevocationList{lcCRL{issuer: crlIssuer}.make(t)}}
			}},
		{id: "rfc5280::crl::cdp-without-crl-issuer-rejects-indirect-crl", server: true,
			build: func(t *testing.T) limboChain {
				certIssuer := lcRoot(t, func(c *tpCert) { c.subject = pkix.Name{CommonName: "Certificate Issuer CA"} })
				wrong := lcRoot(t, func(c *tpCert) { c.subject = pkix.Name{CommonName: "Wrong CRL Issuer CA"} })
				leaf := lcLeaf(t, certIssuer, withCDP(gnURI("http://example.com/direct.crl")))
				return limboChain{roots: []*tpIssued{certIssuer, wrong}, leaf: leaf, crls: []*x509.RevocationList{
					lcCRL{issuer: certIssuer}.make(t), lcCRL{issuer: wrong, revoked: []lcRevoked{{serial: leaf.cert.SerialNumber}}}.make(t)}}
			}},
		{id: "crl::idp::idp-cdp-scope-mismatch", server: true, want: "rfc5280.crl-scope",
			build: idpCase(withCDP(gnURI("http://example.com/cdp.crl")), lcIDP{full: [][]byte{gnURI("http://example.com/other.crl")}}, false)},
		{id: "crl::idp::idp-cdp-scope-match", server: true,
			build: idpCase(withCDP(uri...), lcIDP{full: uri}, false)},
		{id: "crl::idp::idp-only-contains-user-certs-ca-target", server: true, want: "rfc5280.crl-scope",
			build: func(t *testing.T) limboChain {
				root := lcRoot(t)
				inter := lcInter(t, root, "x509-limbo-intermediate")
				leaf := lcLeaf(t, inter)
				return limboChain{roots: []*tpIssued{root}, inters: []*tpIssued{inter}, leaf: leaf, crls: []*x509.RevocationList{
					lcCRL{issuer: root, exts: []pkix.Extension{lcIDP{onlyUser: true}.ext()}}.make(t),
					lcCRL{issuer: inter}.make(t),
				}}
			}},
		{id: "crl::idp::idp-only-contains-ca-certs-ee-target", server: true, want: "rfc5280.crl-scope",
			build: idpCase(nil, lcIDP{onlyCA: true}, false)},
		{id: "crl::idp::idp-present-certificate-missing-cdp", server: true, want: "rfc5280.crl-scope",
			build: idpCase(nil, lcIDP{full: uri}, false)},
		{id: "crl::idp::idp-present-certificate-cdp-non-uri-generalname", server: true, want: "webpki.crldp-not-uri",
			build: idpCase(withCDP(gnURI(limboURI), gnDNS("example.com")), lcIDP{full: uri}, false)},
		{id: "crl::idp::idp-only-contains-attribute-certs", server: true, want: "rfc5280.crl-scope",
			build: idpCase(nil, lcIDP{onlyAttr: true}, true)},
		{id: "crl::cabf::idp-name-relative-to-crl-issuer", server: true, want: "rfc5280.crl-scope",
			build: idpCase(nil, lcIDP{relative: lcAttr(oidCN, "partition")}, false)},
		{id: "crl::cabf::idp-fullname-non-uri-generalname", server: true, want: "webpki.crl-idp-not-uri",
			build: idpCase(withCDP(uri...), lcIDP{full: [][]byte{gnURI(limboURI), gnDNS("example.com")}}, false)},
		{id: "crl::cabf::idp-indirect-crl", server: true, want: "webpki.crl-indirect",
			build: idpCase(withCDP(uri...), lcIDP{full: uri, indirect: true}, false)},
		{id: "crl::cabf::idp-only-some-reasons-no-complete-crl", server: true, want: "webpki.crl-only-some-reasons",
			build: idpCase(withCDP(uri...), lcIDP{full: uri, reasons: keyCompromise}, false)},
		{id: "crl::cabf::idp-uri-not-byte-identical", server: true, want: "rfc5280.crl-scope",
			build: idpCase(withCDP(gnURI("http://example.com/crls/%73hard.crl")), lcIDP{full: [][]byte{gnURI("http://example.com/crls/shard.crl")}}, false)},
	}
}

// lcAttr is one AttributeTypeAndValue (UTF8String), the content of an RDN.
func lcAttr(oid asn1.ObjectIdentifier, v string) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(v)) })
	})
	return b.BytesOrPanic()
}

func runLimbo(t *testing.T, tc limboCase) {
	t.Helper()
	ch := tc.build(t)
	p := verify.Policy{At: tpAt, CRLs: ch.crls}
	for _, r := range ch.roots {
		p.Roots = append(p.Roots, r.cert)
	}
	for _, c := range ch.inters {
		p.Intermediates = append(p.Intermediates, c.cert)
	}
	if tc.server {
		p.Profile = verify.ProfileWebPKI
		p.DNSName = "example.com"
	}
	if ch.policy != nil {
		ch.policy(&p)
	}
	res, err := verify.Verify(ch.leaf.cert, nil, p)
	if res == nil {
		t.Fatalf("not checked: %v", err)
	}
	if tc.want == "" {
		mustValid(t, res, err)
		return
	}
	mustRule(t, res, err, tc.want)
}

func TestLimboCRL(t *testing.T) {
	for _, tc := range limboCRLCases() {
		t.Run(tc.id, func(t *testing.T) { runLimbo(t, tc) })
	}
}

var (
	ekuEmail      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 4}
	ekuClient     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}
	ekuCode       = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}
	ekuTimeStamp  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
	ekuServerAuth = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 1}
)

// smime builds root [-> intermediate] -> leaf for limbo's S/MIME cases, validated as client
// validation with emailProtection required and the peer name user@example.com (signet's
// --eku emailProtection --email user@example.com).
func smime(email string, rootMod, interMod, leafMod func(*tpCert)) func(t *testing.T) limboChain {
	return func(t *testing.T) limboChain {
		root := lcRoot(t, func(c *tpCert) {
			if rootMod != nil {
				rootMod(c)
			}
		})
		ch := limboChain{roots: []*tpIssued{root}}
		parent := root
		if interMod != nil {
			inter := lcInter(t, root, "x509-limbo-intermediate", func(c *tpCert) { c.pathLen = 0 }, interMod)
			ch.inters, parent = []*tpIssued{inter}, inter
		}
		ch.leaf = lcLeaf(t, parent, func(c *tpCert) {
			c.dns, c.emails, c.eku = nil, []string{"user@example.com"}, []asn1.ObjectIdentifier{ekuEmail}
			if leafMod != nil {
				leafMod(c)
			}
		})
		ch.policy = func(p *verify.Policy) {
			p.EKUs = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}
			p.Email = email
		}
		return ch
	}
}

func withEKU(ekus ...asn1.ObjectIdentifier) func(*tpCert) {
	return func(c *tpCert) { c.eku = ekus }
}

func withKU(ku x509.KeyUsage, rsaKey bool) func(*tpCert) {
	return func(c *tpCert) {
		c.ku = ku
		if rsaKey {
			c.key = newRSAKey(t0, 2048)
		}
	}
}

const smimeBR = "an S/MIME Baseline Requirements rule; signet has no S/MIME profile and RFC 5280 allows it"

// limboSMIMECases: smime/eku, smime/ku, smime/san.
func limboSMIMECases() []limboCase {
	const user = "user@example.com"
	return []limboCase{
		{id: "smime::eku::ee-email-protection", build: smime(user, nil, nil, nil)},
		{id: "smime::eku::ee-missing-email-protection", want: "rfc5280.eku", build: smime(user, nil, nil, withEKU(ekuClient))},
		{id: "smime::eku::ee-without-eku", note: "pedantic-smime-eku: " + smimeBR + " (no EKU allows every usage, RFC 5280 4.2.1.12)",
			build: smime(user, nil, nil, func(c *tpCert) { c.eku = nil })},
		{id: "smime::eku::ee-has-server-auth", note: "pedantic-smime-eku: " + smimeBR, build: smime(user, nil, nil, withEKU(ekuEmail, ekuServerAuth))},
		{id: "smime::eku::ee-has-code-signing", note: "pedantic-smime-eku: " + smimeBR, build: smime(user, nil, nil, withEKU(ekuEmail, ekuCode))},
		{id: "smime::eku::ee-has-time-stamping", note: "pedantic-smime-eku: " + smimeBR, build: smime(user, nil, nil, withEKU(ekuEmail, ekuTimeStamp))},
		{id: "smime::eku::ee-has-any-eku", note: "pedantic-smime-eku: " + smimeBR, build: smime(user, nil, nil, withEKU(ekuEmail, ekuAny))},
		{id: "smime::eku::root-has-eku", note: "pedantic-smime-eku: " + smimeBR, build: smime(user, withEKU(ekuEmail), nil, nil)},
		{id: "smime::eku::intermediate-missing-email-protection", want: "signet.ca-eku", build: smime(user, nil, withEKU(ekuServerAuth), nil)},
		{id: "smime::eku::intermediate-has-server-auth", note: "pedantic-smime-eku: " + smimeBR, build: smime(user, nil, withEKU(ekuEmail, ekuServerAuth), nil)},
		{id: "smime::eku::intermediate-has-any-eku", note: "pedantic-smime-eku: " + smimeBR, build: smime(user, nil, withEKU(ekuEmail, ekuAny), nil)},
		{id: "smime::eku::intermediate-has-code-signing", note: "pedantic-smime-eku: " + smimeBR, build: smime(user, nil, withEKU(ekuEmail, ekuCode), nil)},
		{id: "smime::eku::intermediate-has-time-stamping", note: "pedantic-smime-eku: " + smimeBR, build: smime(user, nil, withEKU(ekuEmail, ekuTimeStamp), nil)},
		{id: "smime::ku::signing-only-rsa-digital-signature", build: smime(user, nil, nil, withKU(x509.KeyUsageDigitalSignature, true))},
		{id: "smime::ku::signing-only-rsa-with-nonrepudiation", build: smime(user, nil, nil, withKU(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment, true))},
		{id: "smime::ku::key-management-only-rsa", build: smime(user, nil, nil, withKU(x509.KeyUsageKeyEncipherment, true))},
		{id: "smime::ku::dual-use-rsa", build: smime(user, nil, nil, withKU(x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment, true))},
		{id: "smime::ku::signing-only-ec", build: smime(user, nil, nil, withKU(x509.KeyUsageDigitalSignature, false))},
		{id: "smime::ku::key-management-only-ec", build: smime(user, nil, nil, withKU(x509.KeyUsageKeyAgreement, false))},
		{id: "smime::ku::ee-key-cert-sign", want: "rfc5280.keycertsign-not-ca", build: smime(user, nil, nil, withKU(x509.KeyUsageDigitalSignature|x509.KeyUsageCertSign, false))},
		{id: "smime::ku::ee-missing-key-usage", note: smimeBR + " (RFC 5280 4.2.1.3: a certificate without key usage is unrestricted)",
			build: smime(user, nil, nil, func(c *tpCert) { c.noKU = true })},
		{id: "smime::ku::ee-key-usage-not-critical", note: "pedantic-smime-eku: " + smimeBR,
			build: smime(user, nil, nil, func(c *tpCert) {
				c.noKU, c.exts = true, []pkix.Extension{{Id: oidKU, Value: kuExt(x509.KeyUsageDigitalSignature).Value}}
			})},
		{id: "smime::ku::intermediate-missing-key-cert-sign", want: "rfc5280.issuer-no-keycertsign",
			build: smime(user, nil, func(c *tpCert) { c.ku, c.eku = x509.KeyUsageCRLSign, []asn1.ObjectIdentifier{ekuEmail} }, nil)},
		{id: "smime::ku::intermediate-missing-crl-sign", note: smimeBR + " (cRLSign matters only for a CA's CRLs, RFC 5280 6.3.3 (f))",
			build: smime(user, nil, func(c *tpCert) { c.ku, c.eku = x509.KeyUsageCertSign, []asn1.ObjectIdentifier{ekuEmail} }, nil)},
		{id: "smime::san::exact-rfc822-san", build: smime(user, nil, nil, nil)},
		{id: "smime::san::no-san", want: "rfc5280.email",
			build: smime(user, nil, nil, func(c *tpCert) { c.subject, c.emails = pkix.Name{CommonName: user}, nil })},
		{id: "smime::san::san-without-rfc822name", want: "rfc5280.email",
			build: smime(user, nil, nil, func(c *tpCert) { c.dns, c.emails = []string{"example.com"}, nil })},
		{id: "smime::san::san-critical-with-nonempty-subject", note: smimeBR + " (a SHOULD NOT of S/MIME BR 7.1.2.3 (h))",
			build: smime(user, nil, nil, func(c *tpCert) { c.subject, c.sanCrit = pkix.Name{CommonName: user}, true })},
		{id: "smime::san::san-critical-with-empty-subject",
			build: smime(user, nil, nil, func(c *tpCert) { c.rawSubj, c.sanCrit = []byte{0x30, 0}, true })},
		{id: "smime::san::mismatch-rfc822-san", want: "rfc5280.email", build: smime("other@example.com", nil, nil, nil)},
		{id: "smime::san::mismatch-domain-rfc822-san", want: "rfc5280.email", build: smime("user@example.org", nil, nil, nil)},
		{id: "smime::san::multiple-rfc822-sans",
			build: smime(user, nil, nil, func(c *tpCert) { c.emails = []string{"other@example.com", user} })},
	}
}

func TestLimboSMIME(t *testing.T) {
	for _, tc := range limboSMIMECases() {
		t.Run(tc.id, func(t *testing.T) { runLimbo(t, tc) })
	}
}

// limboPathCases: ee_pathlen, pathological, cve, webpki/ku.
func limboPathCases() []limboCase {
	eePathlen := func(n int) func(t *testing.T) limboChain {
		return func(t *testing.T) limboChain {
			root := lcRoot(t)
			inter := lcInter(t, root, "x509-limbo-intermediate-pathlen", func(c *tpCert) { c.pathLen = n })
			return limboChain{roots: []*tpIssued{root}, inters: []*tpIssued{inter}, leaf: lcLeaf(t, inter)}
		}
	}
	// cycle is root -/-> (ICA1 <-> ICA2) -> EE: two CAs that sign for each other, with the
	// same subject (one logical CA) or not.
	cycle := func(sameName bool, maxDepth int) func(t *testing.T) limboChain {
		return func(t *testing.T) limboChain {
			root := lcRoot(t)
			n1, n2 := pkix.Name{CommonName: "intermediate-cycle-distinct-ca1"}, pkix.Name{CommonName: "intermediate-cycle-distinct-ca2"}
			if sameName {
				n1 = pkix.Name{CommonName: "intermediate-cycle-same-logical-ca"}
				n2 = n1
			}
			k1, k2 := newKey(t), newKey(t)
			as := func(n pkix.Name, k tpKey) *tpIssued {
				return &tpIssued{cert: &x509.Certificate{RawSubject: nameDER(t, n)}, key: k}
			}
			ica1 := issue(t, tpCert{subject: n1, key: k1, ca: true, pathLen: -1, ku: x509.KeyUsageCertSign, noKU: sameName}, as(n2, k2))
			ica2 := issue(t, tpCert{subject: n2, key: k2, ca: true, pathLen: -1, ku: x509.KeyUsageCertSign, noKU: sameName}, as(n1, k1))
			ch := limboChain{roots: []*tpIssued{root}, inters: []*tpIssued{ica1, ica2}, leaf: lcLeaf(t, ica1)}
			if maxDepth > 0 {
				ch.policy = func(p *verify.Policy) { p.MaxDepth = &maxDepth }
			}
			return ch
		}
	}
	return []limboCase{
		{id: "ee-pathlen::ee-with-intermediate-pathlen-0", build: eePathlen(0)},
		{id: "ee-pathlen::ee-with-intermediate-pathlen-1", build: eePathlen(1)},
		{id: "ee-pathlen::ee-with-intermediate-pathlen-2", build: eePathlen(2)},
		{id: "pathological::multiple-chains-expired-intermediate", server: true,
			build: func(t *testing.T) limboChain {
				root := lcRoot(t)
				root2 := lcRoot(t, func(c *tpCert) { c.subject = pkix.Name{CommonName: "x509-limbo-root-2"} })
				expired := issue(t, tpCert{rawSubj: root.cert.RawSubject, key: root.key, ca: true, pathLen: 1,
					notBefore: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), notAfter: time.Date(1988, 11, 25, 0, 0, 0, 0, time.UTC)}, root2)
				return limboChain{roots: []*tpIssued{root, root2}, inters: []*tpIssued{expired}, leaf: lcLeaf(t, root)}
			}},
		{id: "pathological::intermediate-cycle-distinct-cas", server: true, want: "signet.no-path", build: cycle(false, 0)},
		{id: "pathological::intermediate-cycle-distinct-cas-max-depth", server: true, want: "signet.no-path", build: cycle(false, 255)},
		{id: "pathological::intermediate-cycle-same-logical-ca", server: true, want: "signet.no-path", build: cycle(true, 0)},
		{id: "pathological::nc-dos-1", server: true, want: "rfc5280.nc-invalid", build: ncDoS(true)},
		{id: "pathological::nc-dos-1 (without its malformed \".test\" names)", server: true, want: "signet.nc-too-much-work", build: ncDoS(false)},
		{id: "cve::cve-2024-0567", server: true, build: cve20240567},
		{id: "cve::cve-2025-61727", server: true, want: "rfc5280.nc-excluded",
			build: cve202561727(nil, [][]byte{gnDNS("example.com")}, [][]byte{gnDNS("bar.example.com")}, "bar.example.com")},
		{id: "cve::cve-2025-61727-nc-permits-variant", server: true, want: "rfc5280.nc-permitted",
			build: cve202561727(nil, [][]byte{gnDNS("foo.example.com")}, nil, "foo.example.com")},
		{id: "webpki::ku::ee-rsa-without-any-usages", server: true, want: "rfc5280.ku-empty",
			build: func(t *testing.T) limboChain {
				root := lcRoot(t)
				leaf := lcLeaf(t, root, func(c *tpCert) {
					c.key, c.noKU = newRSAKey(t, 2048), true
					c.exts = []pkix.Extension{rawExt(oidKU, true, []byte{0x03, 0x01, 0x00})}
				})
				return limboChain{roots: []*tpIssued{root}, leaf: leaf}
			}},
	}
}

// ncDoS is root [1027 name constraints] -> EE [514 SANs], OpenSSL's many-names1 against
// many-constraints: t0.test ... t512.test permitted, x0.test ... x512.test excluded, and (with
// dotted) ".test", a dNSName constraint with a leading period, permitted and in the SAN too.
func ncDoS(dotted bool) func(t *testing.T) limboChain {
	return func(t *testing.T) limboChain {
		var permitted, excluded [][]byte
		for i := range 513 {
			permitted = append(permitted, gnDNS(fmt.Sprintf("t%d.test", i)))
			excluded = append(excluded, gnDNS(fmt.Sprintf("x%d.test", i)))
		}
		if dotted {
			permitted = append(permitted, gnDNS(".test"))
		}
		root := lcRoot(t, withNC(true, permitted, excluded))
		leaf := lcLeaf(t, root, func(c *tpCert) {
			c.rawSubj, c.dns, c.sanCrit = []byte{0x30, 0}, nil, true
			c.exts = append(c.exts, rawExt(oidSAN, true, seqOf(permitted...)))
		})
		return limboChain{roots: []*tpIssued{root}, leaf: leaf, policy: host("t0.test")}
	}
}

// cve202561727 is root -> ICA (name constraints) -> EE (SAN *.example.com), validated for host.
func cve202561727(_ func(*tpCert), permitted, excluded [][]byte, host string) func(t *testing.T) limboChain {
	return func(t *testing.T) limboChain {
		root := lcRoot(t)
		ica := lcInter(t, root, "x509-limbo-intermediate", func(c *tpCert) { c.exts = []pkix.Extension{ncExt(true, permitted, excluded)} })
		leaf := lcLeaf(t, ica, func(c *tpCert) { c.dns = []string{"*.example.com"} })
		return limboChain{roots: []*tpIssued{root}, inters: []*tpIssued{ica}, leaf: leaf,
			policy: func(p *verify.Policy) { p.DNSName = host }}
	}
}

// cve20240567 is leaf -> A1 -> (A <-> B <-> C) -> Root A: A, B and C cross-sign each other,
// and A is also a trusted self-signed certificate (whose issuer name is not its subject).
func cve20240567(t *testing.T) limboChain {
	name := func(s string) pkix.Name { return pkix.Name{CommonName: s} }
	kA, kB, kC := newKey(t), newKey(t), newKey(t)
	as := func(n string, k tpKey) *tpIssued {
		return &tpIssued{cert: &x509.Certificate{RawSubject: nameDER(t, name(n))}, key: k}
	}
	ca := func(subject string, key tpKey, by *tpIssued) *tpIssued {
		return issue(t, tpCert{subject: name(subject), key: key, ca: true, pathLen: -1, ku: x509.KeyUsageCertSign}, by)
	}
	rootA := issue(t, tpCert{subject: name("Root A"), rawIss: nameDER(t, name("x509-limbo-root")), key: kA, ca: true, pathLen: -1, noAKI: true}, nil)
	a1 := ca("Intermediate A1", newKey(t), as("Root A", kA))
	inters := []*tpIssued{a1,
		ca("Root A", kA, as("Root B", kB)), ca("Root A", kA, as("Root C", kC)),
		ca("Intermediate B1", newKey(t), as("Root B", kB)),
		ca("Root B", kB, as("Root A", kA)), ca("Root B", kB, as("Root C", kC)),
		ca("Intermediate C1", newKey(t), as("Root C", kC)),
		ca("Root C", kC, as("Root A", kA)), ca("Root C", kC, as("Root B", kB)),
	}
	leaf := issue(t, tpCert{rawSubj: []byte{0x30, 0}, pathLen: -1, dns: []string{"cve-2024-0567.example.com"}, sanCrit: true, eku: ekuServer}, a1)
	return limboChain{roots: []*tpIssued{rootA}, inters: inters, leaf: leaf,
		policy: func(p *verify.Policy) { p.DNSName = "cve-2024-0567.example.com" }}
}

func TestLimboPaths(t *testing.T) {
	for _, tc := range limboPathCases() {
		t.Run(tc.id, func(t *testing.T) { runLimbo(t, tc) })
	}
}

// TestLimboSelfSignedAnchorAKI: cve::cve-2024-0567 trusts a certificate signed by its own key
// whose issuer name is not its subject, without an authority key identifier. RFC 5280 4.2.1.1
// lets a CA omit the AKI where it distributes its key in a self-signed certificate; the same
// anchor signed by another key still needs one.
func TestLimboSelfSignedAnchorAKI(t *testing.T) {
	k := newKey(t)
	other := &tpIssued{cert: &x509.Certificate{RawSubject: nameDER(t, pkix.Name{CommonName: "x509-limbo-root"})}, key: newKey(t)}
	for _, tc := range []struct {
		name string
		by   *tpIssued
		want string
	}{
		{"signed by its own key", nil, ""},
		{"signed by another key", other, "rfc5280.aki-missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			anchor := issue(t, tpCert{subject: pkix.Name{CommonName: "Root A"}, rawIss: nameDER(t, pkix.Name{CommonName: "x509-limbo-root"}),
				key: k, ca: true, pathLen: -1, noAKI: true}, tc.by)
			leaf := lcLeaf(t, anchor)
			runLimbo(t, limboCase{id: tc.name, want: tc.want, build: func(t *testing.T) limboChain {
				return limboChain{roots: []*tpIssued{anchor}, leaf: leaf}
			}})
		})
	}
}

// mldsa describes an ML-DSA parameter set of RFC 9881: its OID (for the key and the
// signature) and its public key and signature sizes.
type mldsa struct {
	name           string
	oid            asn1.ObjectIdentifier
	pubLen, sigLen int
}

var mldsaSets = []mldsa{
	{"ml-dsa-44", asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 17}, 1312, 2420},
	{"ml-dsa-65", asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 18}, 1952, 3309},
	{"ml-dsa-87", asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 19}, 2592, 4627},
}

// mldsaCert writes a certificate with an ML-DSA key and an ML-DSA signature algorithm. Go has
// no ML-DSA signer, so the key and the signature are random octets of the right sizes: to a
// verifier that cannot check ML-DSA, a genuine chain and a forged one look the same, and both
// must be refused.
func mldsaCert(t *testing.T, set mldsa, subject, issuer pkix.Name, pub, issuerPub []byte, ca bool, ku x509.KeyUsage) *tpIssued {
	t.Helper()
	algDER, _ := asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: set.oid})
	spki, err := asn1.Marshal(struct {
		Algo pkix.AlgorithmIdentifier
		Key  asn1.BitString
	}{pkix.AlgorithmIdentifier{Algorithm: set.oid}, asn1.BitString{Bytes: pub, BitLength: 8 * len(pub)}})
	if err != nil {
		t.Fatal(err)
	}
	keyID := func(p []byte) []byte { s := sha256.Sum256(p); return s[:20] }
	exts := []pkix.Extension{kuExt(ku), ext(oidSKI, false, keyID(pub))}
	if ca {
		exts = append(exts, ext(oidBC, true, struct {
			CA bool `asn1:"optional"`
		}{true}))
	} else {
		exts = append(exts, sanExt(t, false, []string{"example.com"}, nil, nil), ext(oidEKU, false, ekuServer),
			ext(oidAKI, false, struct {
				ID []byte `asn1:"optional,tag:0"`
			}{keyID(issuerPub)}))
	}
	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddASN1Int64(2) })
		b.AddASN1BigInt(randSerial())
		b.AddBytes(algDER)
		b.AddBytes(nameDER(t, issuer))
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1UTCTime(tpNotBefore)
			b.AddASN1UTCTime(tpNotAfter)
		})
		b.AddBytes(nameDER(t, subject))
		b.AddBytes(spki)
		b.AddASN1(cbasn1.Tag(3).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, e := range exts {
					der, _ := asn1.Marshal(e)
					b.AddBytes(der)
				}
			})
		})
	})
	sig := make([]byte, set.sigLen)
	rand.Read(sig)
	var cb cryptobyte.Builder
	cb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tb.BytesOrPanic())
		b.AddBytes(algDER)
		b.AddASN1BitString(sig)
	})
	der := cb.BytesOrPanic()
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("the made certificate does not parse: %v", err)
	}
	return &tpIssued{cert: cert, der: der}
}

// TestLimboRFC9881 covers rfc9881::*: chains of ML-DSA certificates. signet cannot verify
// ML-DSA signatures (crypto/x509 has no ML-DSA), so limbo's valid chains (ml-dsa-44, -65, -87)
// are refused, as are its invalid ones (a bad signature, a key usage ML-DSA forbids): with a
// clear refusal naming the unsupported algorithm (signet.unsupported-algorithm), never
// acceptance.
func TestLimboRFC9881(t *testing.T) {
	rootName, leafName := pkix.Name{CommonName: "x509-limbo-root"}, pkix.Name{CommonName: "example.com"}
	for _, set := range mldsaSets {
		for _, leafKU := range []x509.KeyUsage{x509.KeyUsageDigitalSignature, x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment} {
			t.Run(fmt.Sprintf("%s/ku=%s", set.name, strings.Join(verify.KeyUsageNames(leafKU), "+")), func(t *testing.T) {
				rootPub, leafPub := make([]byte, set.pubLen), make([]byte, set.pubLen)
				rand.Read(rootPub)
				rand.Read(leafPub)
				root := mldsaCert(t, set, rootName, rootName, rootPub, rootPub, true, x509.KeyUsageCertSign|x509.KeyUsageCRLSign)
				leaf := mldsaCert(t, set, leafName, rootName, leafPub, rootPub, false, leafKU)
				for _, server := range []bool{false, true} {
					p := verify.Policy{At: tpAt, Roots: []*x509.Certificate{root.cert}}
					if server {
						p.Profile, p.DNSName = verify.ProfileWebPKI, "example.com"
					}
					res, err := verify.Verify(leaf.cert, nil, p)
					var ve *verify.Error
					if res == nil || !errors.As(err, &ve) || ve.Rule != "signet.unsupported-algorithm" || ve.Reason != verify.UnknownAuthority {
						t.Fatalf("webpki=%v: want refused (signet.unsupported-algorithm), got %v", server, err)
					}
					if want := strings.ToUpper(set.name) + ")"; !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "does not support") {
						t.Errorf("webpki=%v: the refusal does not name the unsupported algorithm %s: %v", server, want, err)
					}
				}
			})
		}
	}
}

// chain3 is root -> intermediate -> leaf with a modifier for each, as limbo's defaults make them.
func chain3(rootMod, interMod, leafMod func(*tpCert)) func(t *testing.T) limboChain {
	opt := func(m func(*tpCert)) []func(*tpCert) {
		if m == nil {
			return nil
		}
		return []func(*tpCert){m}
	}
	return func(t *testing.T) limboChain {
		root := lcRoot(t, opt(rootMod)...)
		ch := limboChain{roots: []*tpIssued{root}}
		parent := root
		if interMod != nil {
			inter := lcInter(t, root, "x509-limbo-intermediate", interMod)
			ch.inters, parent = []*tpIssued{inter}, inter
		}
		ch.leaf = lcLeaf(t, parent, opt(leafMod)...)
		return ch
	}
}

func noop(*tpCert) {}

func validityOf(nb, na string) func(*tpCert) {
	return func(c *tpCert) {
		c.notBefore, _ = time.Parse(time.RFC3339, nb)
		c.notAfter, _ = time.Parse(time.RFC3339, na)
	}
}

func at(s string) func(*verify.Policy) {
	return func(p *verify.Policy) { p.At, _ = time.Parse(time.RFC3339Nano, s) }
}

func withPolicy(b func(t *testing.T) limboChain, pol func(*verify.Policy)) func(t *testing.T) limboChain {
	return func(t *testing.T) limboChain {
		ch := b(t)
		ch.policy = pol
		return ch
	}
}

// limboRFC5280Cases: rfc5280 (the module's own cases), rfc5280/aki, ski, eku, pc, serial,
// validity.
func limboRFC5280Cases() []limboCase {
	unknownCrit := func(c *tpCert) { c.exts = append(c.exts, lcUnknownExt(true)) }
	emptyKU := func(c *tpCert) { c.noKU, c.exts = true, append(c.exts, rawExt(oidKU, false, []byte{0x03, 0x01, 0x00})) }
	aia := func(critical bool) func(*tpCert) {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 2})
				b.AddBytes(gnDNS("example.com"))
			})
		})
		e := rawExt(asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}, critical, b.BytesOrPanic())
		return func(c *tpCert) { c.exts = append(c.exts, e) }
	}
	day := "2024-03-01T00:00:00Z"
	month := "2024-04-01T00:00:00Z"
	validity := func(nb, na string, at0 string) func(t *testing.T) limboChain {
		v := validityOf(nb, na)
		return withPolicy(chain3(v, v, v), at(at0))
	}
	return []limboCase{
		{id: "rfc5280::ee-empty-issuer", server: true, want: "signet.no-path",
			build: chain3(nil, nil, func(c *tpCert) { c.rawIss = []byte{0x30, 0} })},
		{id: "rfc5280::ca-empty-subject (refused first for the leaf's empty issuer name)", server: true, want: "rfc5280.issuer-empty",
			build: chain3(func(c *tpCert) { c.rawSubj = []byte{0x30, 0} }, nil, nil)},
		{id: "rfc5280::unknown-critical-extension-ee", server: true, want: "rfc5280.unknown-critical-extension", build: chain3(nil, nil, unknownCrit)},
		{id: "rfc5280::unknown-critical-extension-root", server: true, want: "rfc5280.unknown-critical-extension", build: chain3(unknownCrit, nil, nil)},
		{id: "rfc5280::unknown-critical-extension-intermediate", server: true, want: "rfc5280.unknown-critical-extension",
			build: chain3(nil, func(c *tpCert) { c.pathLen = 0; unknownCrit(c) }, nil)},
		{id: "rfc5280::chain-untrusted-root", server: true, want: "signet.no-path",
			build: func(t *testing.T) limboChain {
				ch := chain3(nil, noop, nil)(t)
				unrelated := lcRoot(t, func(c *tpCert) { c.subject = pkix.Name{CommonName: "x509-limbo-unrelated-root"} })
				ch.inters, ch.roots = append(ch.inters, ch.roots...), []*tpIssued{unrelated}
				return ch
			}},
		{id: "rfc5280::intermediate-ca-without-ca-bit", server: true, want: "rfc5280.issuer-not-ca",
			build: chain3(nil, func(c *tpCert) {
				c.ca = false
				c.exts = append(c.exts, ext(oidBC, true, struct {
					CA bool `asn1:"optional"`
				}{false}))
			}, nil)},
		{id: "rfc5280::intermediate-ca-missing-basic-constraints (with the intermediate given)", server: true, want: "rfc5280.issuer-not-ca",
			build: chain3(nil, func(c *tpCert) { c.noBC = true }, nil)},
		{id: "rfc5280::root-missing-basic-constraints", server: true, want: "rfc5280.issuer-not-ca", build: chain3(func(c *tpCert) { c.noBC = true }, nil, nil)},
		{id: "rfc5280::root-non-critical-basic-constraints", server: true, want: "rfc5280.bc-not-critical", build: chain3(func(c *tpCert) { c.bcNonCrit = true }, nil, nil)},
		{id: "rfc5280::root-inconsistent-ca-extensions", server: true, want: "rfc5280.issuer-no-keycertsign", build: chain3(emptyKU, nil, nil)},
		{id: "rfc5280::ica-ku-keycertsign (with the intermediate given)", server: true, want: "rfc5280.issuer-no-keycertsign",
			build: chain3(nil, func(c *tpCert) { c.pathLen = 0; emptyKU(c) }, nil)},
		{id: "rfc5280::leaf-ku-keycertsign", server: true, want: "rfc5280.keycertsign-not-ca",
			build: chain3(nil, nil, func(c *tpCert) {
				c.ku = x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign
				c.exts = append(c.exts, ext(oidBC, true, struct {
					CA bool `asn1:"optional"`
				}{false}))
			})},
		{id: "rfc5280::ee-aia", server: true, build: chain3(nil, nil, aia(false))},
		{id: "rfc5280::ee-critical-aia-invalid (refused first as a critical extension signet does not process)", server: true, want: "rfc5280.unknown-critical-extension", build: chain3(nil, nil, aia(true))},
		{id: "rfc5280::no-keyusage", server: true, build: chain3(nil, nil, func(c *tpCert) { c.noKU = true })},
		{id: "rfc5280::no-basicconstraints", server: true, build: chain3(nil, nil, nil)},
		{id: "rfc5280::ca-as-leaf", server: true, want: "webpki.leaf-is-ca",
			note:  "limbo marks it as conflicting with webpki::ca-as-leaf; server validation is the webpki profile here, which refuses a CA leaf (BR 7.1.2.7.8)",
			build: withPolicy(chain3(nil, nil, func(c *tpCert) { c.ca, c.dns = true, []string{"ca.example.com"} }), func(p *verify.Policy) { p.DNSName = "ca.example.com" })},
		{id: "rfc5280::ca-as-leaf (rfc5280 profile)",
			build: withPolicy(chain3(nil, nil, func(c *tpCert) { c.ca, c.dns = true, []string{"ca.example.com"} }), func(p *verify.Policy) { p.DNSName = "ca.example.com" })},
		{id: "rfc5280::ca-as-leaf-wrong-san (rfc5280 profile)", want: "rfc6125.host",
			build: withPolicy(chain3(nil, nil, func(c *tpCert) { c.ca, c.dns = true, []string{"ca.example.com"} }), func(p *verify.Policy) { p.DNSName = "some-other-ca.example.com" })},
		{id: "rfc5280::root-and-intermediate-swapped", server: true,
			build: func(t *testing.T) limboChain {
				ch := chain3(nil, noop, nil)(t)
				ch.roots, ch.inters = ch.inters, ch.roots
				return ch
			}},
		{id: "rfc5280::aki::critical-aki", server: true, want: "rfc5280.aki-critical", build: chain3(func(c *tpCert) { c.noAKI = false; c.akiCrit = true }, nil, nil)},
		{id: "rfc5280::aki::leaf-missing-aki", server: true, want: "rfc5280.aki-missing", build: chain3(nil, nil, func(c *tpCert) { c.noAKI = true })},
		{id: "rfc5280::aki::intermediate-missing-aki", server: true, want: "rfc5280.aki-missing", build: chain3(nil, func(c *tpCert) { c.pathLen, c.noAKI = 0, true }, nil)},
		{id: "rfc5280::aki::self-signed-root-missing-aki", server: true, build: chain3(nil, nil, nil)},
		{id: "rfc5280::aki::cross-signed-root-missing-aki", server: true, want: "rfc5280.aki-missing",
			build: func(t *testing.T) limboChain {
				ch := chain3(nil, func(c *tpCert) { c.pathLen, c.noAKI = 0, true }, nil)(t)
				ch.roots, ch.inters = ch.inters, nil
				return ch
			}},
		{id: "rfc5280::ski::critical-ski", server: true, want: "rfc5280.ski-critical",
			build: chain3(func(c *tpCert) {
				c.key, c.noSKI = newKey(t0), true
				c.exts = append(c.exts, ext(oidSKI, true, c.key.keyID(t0)))
			}, nil, nil)},
		{id: "rfc5280::ski::root-missing-ski", server: true, want: "rfc5280.ski-missing", build: chain3(func(c *tpCert) { c.noSKI = true }, nil, nil)},
		{id: "rfc5280::ski::intermediate-missing-ski", server: true, want: "rfc5280.ski-missing", build: chain3(nil, func(c *tpCert) { c.noSKI = true }, nil)},
		{id: "rfc5280::eku::ee-wrong-eku", server: true, want: "rfc5280.eku", build: chain3(nil, nil, withEKU(ekuClient))},
		{id: "rfc5280::eku::ee-without-eku", server: true, want: "signet.eku-missing",
			note:  "limbo marks it as conflicting with webpki::eku::ee-without-eku; server validation is the webpki profile here (BR 7.1.2.7.10 requires the EKU)",
			build: chain3(nil, nil, func(c *tpCert) { c.eku = nil })},
		{id: "rfc5280::pc::ica-noncritical-pc", server: true, want: "webpki.pc-not-critical",
			build: chain3(nil, func(c *tpCert) {
				c.exts = append(c.exts, ext(oidPC, false, struct {
					Require int `asn1:"optional,tag:0"`
				}{3}))
			}, nil)},
		{id: "rfc5280::serial::serial-number-too-long", server: true, want: "rfc5280.serial-too-long",
			build: chain3(nil, nil, func(c *tpCert) { c.serial = new(big.Int).Lsh(big.NewInt(0x55), 8*21) })},
		{id: "rfc5280::serial::serial-number-negative", server: true, want: "rfc5280.serial-negative",
			build: func(t *testing.T) limboChain {
				self := lcRoot(t, func(c *tpCert) {
					c.subject, c.serial, c.dns = pkix.Name{CommonName: "gov.us"}, big.NewInt(-5), []string{"gov.us"}
				})
				return limboChain{roots: []*tpIssued{self}, leaf: self, policy: func(p *verify.Policy) { p.DNSName = "gov.us" }}
			}},
		{id: "rfc5280::serial::serial-number-zero", server: true, want: "rfc5280.serial-zero", build: chain3(nil, nil, func(c *tpCert) { c.serial = big.NewInt(0) })},
		{id: "rfc5280::validity::expired-root", server: true, want: "rfc5280.validity",
			build: withPolicy(chain3(validityOf("2016-01-01T00:00:00Z", "2020-01-01T00:00:00Z"), validityOf("2016-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
				validityOf("2018-01-01T00:00:00Z", "2023-01-01T00:00:00Z")), at("2022-01-01T00:00:00Z"))},
		{id: "rfc5280::validity::expired-intermediate", server: true, want: "rfc5280.validity",
			build: withPolicy(chain3(validityOf("2016-01-01T00:00:00Z", "2026-01-01T00:00:00Z"), validityOf("2016-01-01T00:00:00Z", "2020-01-01T00:00:00Z"),
				validityOf("2018-01-01T00:00:00Z", "2023-01-01T00:00:00Z")), at("2022-01-01T00:00:00Z"))},
		{id: "rfc5280::validity::expired-leaf", server: true, want: "rfc5280.validity",
			build: withPolicy(chain3(validityOf("2016-01-01T00:00:00Z", "2026-01-01T00:00:00Z"), validityOf("2016-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
				validityOf("2018-01-01T00:00:00Z", "2021-01-01T00:00:00Z")), at("2022-01-01T00:00:00Z"))},
		{id: "rfc5280::validity::notbefore-exact", server: true, build: validity(day, month, day)},
		{id: "rfc5280::validity::notbefore-fractional", server: true, want: "rfc5280.validity", build: validity("2024-03-01T00:00:01Z", month, "2024-03-01T00:00:00.999Z")},
		{id: "rfc5280::validity::notafter-exact", server: true, build: validity(day, month, month)},
		{id: "rfc5280::validity::notafter-fractional", server: true, build: validity(day, month, "2024-04-01T00:00:00.005Z")},
	}
}

func TestLimboRFC5280(t *testing.T) {
	for _, tc := range limboRFC5280Cases() {
		t.Run(tc.id, func(t *testing.T) { runLimbo(t, tc) })
	}
}

// TestLimboUnparseable: rfc5280::duplicate-extensions, rfc5280::mismatching-signature-algorithm,
// rfc5280::san::malformed, three rfc5280::nc cases with malformed iPAddress values, and
// webpki's malformed AIA, non-ASCII dNSName, empty name constraints and P-192 key are
// certificates signet refuses to read at all
// (x509util.ParseCertificate, as every command reads certificates), which is a failure too.
func TestLimboUnparseable(t *testing.T) {
	root := lcRoot(t)
	san := sanExt(t, false, []string{"example.com"}, nil, nil)
	for _, tc := range []struct {
		id  string
		der []byte
	}{
		{"rfc5280::duplicate-extensions", issueDER(t, tpCert{subject: pkix.Name{CommonName: "example.com"}, pathLen: -1, exts: []pkix.Extension{san, san}}, root)},
		{"rfc5280::nc::invalid-ipv4-address (a root whose iPAddress constraint has no mask)",
			issueDER(t, tpCert{subject: pkix.Name{CommonName: "root"}, ca: true, pathLen: -1, exts: []pkix.Extension{ncExt(true, [][]byte{rawIP(127, 0, 0, 1)}, nil)}}, nil)},
		{"rfc5280::nc::invalid-ipv6-address (a root whose iPAddress constraint has no mask)",
			issueDER(t, tpCert{subject: pkix.Name{CommonName: "root"}, ca: true, pathLen: -1, exts: []pkix.Extension{ncExt(true, [][]byte{rawIP(net.ParseIP("::1")...)}, nil)}}, nil)},
		{"rfc5280::nc::nc-permits-invalid-ip-san (a leaf whose iPAddress is a network)",
			issueDER(t, tpCert{subject: pkix.Name{CommonName: "example.com"}, pathLen: -1, exts: []pkix.Extension{rawExt(oidSAN, false, seqOf(gnIP("192.0.2.0/24")))}}, root)},
		{"rfc5280::san::malformed (a SAN of ASCII bytes, not DER)", issueDER(t, tpCert{subject: pkix.Name{CommonName: "example.com"}, pathLen: -1,
			exts: []pkix.Extension{rawExt(oidSAN, false, []byte("example.com"))}}, root)},
		{"webpki::unicode-emoji-san (a dNSName that is not IA5String)", issueDER(t, tpCert{subject: pkix.Name{CommonName: "example.com"}, pathLen: -1,
			exts: []pkix.Extension{rawExt(oidSAN, false, seqOf(gnDNS("\U0001F61C.example.com")))}}, root)},
		{"webpki::malformed-aia", issueDER(t, tpCert{subject: pkix.Name{CommonName: "example.com"}, pathLen: -1, dns: []string{"example.com"},
			exts: []pkix.Extension{rawExt(asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}, false, []byte("malformed"))}}, root)},
		{"webpki::nc::intermediate-permitted-excluded-subtrees-both-null", issueDER(t, tpCert{subject: pkix.Name{CommonName: "ica"}, ca: true, pathLen: -1,
			exts: []pkix.Extension{rawExt(oidNC, true, []byte{0x30, 0x00})}}, root)},
		{"webpki::nc::intermediate-permitted-excluded-subtrees-both-empty-sequences", issueDER(t, tpCert{subject: pkix.Name{CommonName: "ica"}, ca: true, pathLen: -1,
			exts: []pkix.Extension{rawExt(oidNC, true, []byte{0x30, 0x04, 0xa0, 0x00, 0xa1, 0x00})}}, root)},
		{"webpki::forbidden-p192-spki-leaf", func() []byte {
			point := make([]byte, 49)
			point[0] = 4
			rand.Read(point[1:])
			spki := mustMarshal(struct {
				Algo struct {
					Algo, Curve asn1.ObjectIdentifier
				}
				Key asn1.BitString
			}{struct{ Algo, Curve asn1.ObjectIdentifier }{asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}, asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 1}},
				asn1.BitString{Bytes: point, BitLength: 8 * len(point)}})
			return rawCert(t, nameDER(t, pkix.Name{CommonName: "example.com"}), root.cert.RawSubject, spki, leafExts(t), ecdsaSHA256, signedBy(root.key))
		}()},
		{"invalid::invalid-issuer-key (an intermediate whose RSA key is an empty BIT STRING)", rawCert(t, nameDER(t, pkix.Name{CommonName: "ica"}), root.cert.RawSubject,
			[]byte{0x30, 0x12, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x01, 0x00},
			[]pkix.Extension{ext(oidBC, true, struct {
				CA bool `asn1:"optional"`
			}{true})}, ecdsaSHA256, signedBy(root.key))},
		{"basic::duplicate-extensions", issueDER(t, tpCert{subject: pkix.Name{CommonName: "example.com"}, pathLen: -1, dns: []string{"example.com"}, exts: []pkix.Extension{san}}, root)},
		{"webpki::explicit-curve (a P-256 key with explicit curve parameters)", func() []byte {
			k := newKey(t)
			var spki struct {
				Algo pkix.AlgorithmIdentifier
				Key  asn1.BitString
			}
			if _, err := asn1.Unmarshal(k.spki(t), &spki); err != nil {
				t.Fatal(err)
			}
			// ECParameters { version 1, fieldID, curve, base, order }: its shape is enough for
			// a parser that accepts only namedCurve to refuse it.
			params := mustMarshal(struct {
				Version int
				Field   struct {
					Type  asn1.ObjectIdentifier
					Prime *big.Int
				}
				Curve struct{ A, B []byte }
				Base  []byte
				Order *big.Int
			}{Version: 1, Field: struct {
				Type  asn1.ObjectIdentifier
				Prime *big.Int
			}{asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 1}, elliptic.P256().Params().P},
				Curve: struct{ A, B []byte }{[]byte{1}, elliptic.P256().Params().B.Bytes()}, Base: spki.Key.Bytes, Order: elliptic.P256().Params().N})
			explicit := mustMarshal(struct {
				Algo pkix.AlgorithmIdentifier
				Key  asn1.BitString
			}{pkix.AlgorithmIdentifier{Algorithm: spki.Algo.Algorithm, Parameters: asn1.RawValue{FullBytes: params}}, spki.Key})
			return rawCert(t, nameDER(t, pkix.Name{CommonName: "example.com"}), root.cert.RawSubject, explicit, leafExts(t), ecdsaSHA256, signedBy(root.key))
		}()},
		{"rfc5280::mismatching-signature-algorithm", func() []byte {
			der := issueDER(t, tpCert{subject: pkix.Name{CommonName: "example.com"}, pathLen: -1, dns: []string{"example.com"}}, root)
			// The outer signatureAlgorithm says ecdsa-with-SHA384, the inner one SHA256.
			sha256OID, _ := asn1.Marshal(asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2})
			i := bytesLastIndex(der, sha256OID)
			out := append([]byte(nil), der...)
			out[i+len(sha256OID)-1] = 3
			return out
		}()},
	} {
		t.Run(tc.id, func(t *testing.T) {
			if c, err := x509util.ParseCertificate(tc.der); err == nil {
				t.Fatalf("read: %v", c.Subject)
			} else {
				t.Log(err)
			}
		})
	}
}

func bytesLastIndex(s, sep []byte) int {
	for i := len(s) - len(sep); i >= 0; i-- {
		if string(s[i:i+len(sep)]) == string(sep) {
			return i
		}
	}
	return -1
}

func withNC(critical bool, permitted, excluded [][]byte) func(*tpCert) {
	return func(c *tpCert) { c.exts = append(c.exts, ncExt(critical, permitted, excluded)) }
}

func sanOf(names ...[]byte) func(*tpCert) {
	return func(c *tpCert) {
		c.dns, c.emails, c.ips = nil, nil, nil
		c.exts = append(c.exts, rawExt(oidSAN, false, seqOf(names...)))
	}
}

func host(h string) func(*verify.Policy) { return func(p *verify.Policy) { p.DNSName = h } }

func ipPeer(s string) func(*verify.Policy) {
	return func(p *verify.Policy) { p.DNSName, p.IP = "", net.ParseIP(s) }
}

// emailClient is limbo's client validation with clientAuth and an RFC822 peer name.
func emailClient(addr string) func(*verify.Policy) {
	return func(p *verify.Policy) {
		p.EKUs, p.Email = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, addr
	}
}

func rawIP(b ...byte) []byte { return gn(7, false, b) }

// limboNCCases: rfc5280/nc.
func limboNCCases() []limboCase {
	dns := func(s ...string) [][]byte {
		var out [][]byte
		for _, d := range s {
			out = append(out, gnDNS(d))
		}
		return out
	}
	dir := func(cn string) []byte { return gnDir(pkix.Name{CommonName: cn}) }
	rootNC := func(permitted, excluded [][]byte, leaf func(*tpCert), pol func(*verify.Policy)) func(t *testing.T) limboChain {
		return withPolicy(chain3(withNC(true, permitted, excluded), nil, leaf), pol)
	}
	interNC := func(permitted, excluded [][]byte, leaf func(*tpCert), pol func(*verify.Policy)) func(t *testing.T) limboChain {
		return withPolicy(chain3(nil, withNC(true, permitted, excluded), leaf), pol)
	}
	clientEKU := func(c *tpCert) { c.eku = []asn1.ObjectIdentifier{ekuClient} }
	both := func(fs ...func(*tpCert)) func(*tpCert) {
		return func(c *tpCert) {
			for _, f := range fs {
				f(c)
			}
		}
	}
	subj := func(cn string) func(*tpCert) { return func(c *tpCert) { c.subject = pkix.Name{CommonName: cn} } }
	ipv4 := func(s string) []byte { return rawIP(net.ParseIP(s).To4()...) }
	ipv6 := func(s string) []byte { return rawIP(net.ParseIP(s)...) }
	chainOfFour := func(rootMod, ica1Mod, ica2Mod, leafMod func(*tpCert)) func(t *testing.T) limboChain {
		return func(t *testing.T) limboChain {
			root := lcRoot(t, rootMod)
			ica1 := lcInter(t, root, "ica1", ica1Mod)
			ica2 := lcInter(t, ica1, "ica2", ica2Mod)
			return limboChain{roots: []*tpIssued{root}, inters: []*tpIssued{ica1, ica2}, leaf: lcLeaf(t, ica2, leafMod)}
		}
	}
	otherName := gn(0, true, append(mustMarshal(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55738, 666, 3}), gn(0, true, []byte{0x05, 0x00})...))
	return []limboCase{
		{id: "rfc5280::nc::permitted-dns-mismatch", server: true, want: "rfc5280.nc-permitted",
			build: rootNC(dns("example.com"), nil, sanOf(gnDNS("not-example.com")), host("not-example.com"))},
		{id: "rfc5280::nc::excluded-dns-match", server: true, want: "rfc5280.nc-excluded", build: interNC(nil, dns("example.com"), nil, nil)},
		{id: "rfc5280::nc::permitted-dns-match", server: true, build: rootNC(dns("example.com"), nil, nil, nil)},
		{id: "rfc5280::nc::permitted-dns-match-noncritical", server: true,
			note:  "limbo marks it as conflicting with webpki::nc::permitted-dns-match-noncritical (rfc5280-incompatible-with-webpki); server validation is the webpki profile here, which accepts non-critical name constraints as the Baseline Requirements do",
			build: withPolicy(chain3(withNC(false, dns("example.com"), nil), nil, nil), nil)},
		{id: "rfc5280::nc::permitted-dns-match-noncritical (rfc5280 profile)", want: "rfc5280.nc-not-critical",
			build: withPolicy(chain3(withNC(false, dns("example.com"), nil), nil, nil), nil)},
		{id: "rfc5280::nc::permitted-dns-match-more", server: true,
			build: rootNC(dns("example.com"), nil, sanOf(gnDNS("foo.bar.example.com")), host("foo.bar.example.com"))},
		{id: "rfc5280::nc::excluded-dns-match-second", server: true, want: "rfc5280.nc-excluded",
			build: rootNC(nil, dns("not-allowed.example.com"), sanOf(gnDNS("example.com"), gnDNS("not-allowed.example.com")), nil)},
		{id: "rfc5280::nc::permitted-ip-mismatch", server: true, want: "rfc5280.nc-permitted",
			build: rootNC([][]byte{gnIP("192.0.2.0/24")}, nil, sanOf(ipv4("192.0.3.1")), ipPeer("192.0.3.1"))},
		{id: "rfc5280::nc::excluded-ipv4-match", server: true, want: "rfc5280.nc-excluded",
			build: rootNC(nil, [][]byte{gnIP("192.0.2.0/24")}, sanOf(ipv4("192.0.2.1")), ipPeer("192.0.2.1"))},
		{id: "rfc5280::nc::excluded-ipv6-match", server: true, want: "rfc5280.nc-excluded",
			build: rootNC(nil, [][]byte{gnIP("::1/128")}, sanOf(ipv6("::1")), ipPeer("::1"))},
		{id: "rfc5280::nc::permitted-ipv4-match", server: true,
			build: rootNC([][]byte{gnIP("192.0.2.0/24")}, nil, sanOf(ipv4("192.0.2.1")), ipPeer("192.0.2.1"))},
		{id: "rfc5280::nc::permitted-ipv6-match", server: true,
			build: rootNC([][]byte{gnIP("::1/128")}, nil, sanOf(ipv6("::1")), ipPeer("::1"))},
		{id: "rfc5280::nc::permitted-dn-mismatch", server: true, want: "rfc5280.nc-permitted",
			build: rootNC([][]byte{dir("foo")}, nil, both(subj("not-foo"), sanOf(dir("not-foo"))), host(""))},
		{id: "rfc5280::nc::excluded-dn-match", server: true, want: "rfc5280.nc-excluded",
			build: rootNC(nil, [][]byte{dir("foo")}, both(subj("foo"), sanOf(dir("foo"))), host(""))},
		{id: "rfc5280::nc::permitted-dn-match", server: true,
			build: rootNC([][]byte{dir("foo")}, nil, both(subj("foo"), sanOf(dir("foo"))), host(""))},
		{id: "rfc5280::nc::permitted-dn-match-subject-san-mismatch", server: true, want: "rfc5280.nc-permitted",
			build: rootNC([][]byte{dir("foo")}, nil, both(subj("not-foo"), sanOf(dir("foo"))), host(""))},
		{id: "rfc5280::nc::excluded-dn-match-sub-mismatch", server: true, want: "rfc5280.nc-excluded",
			build: rootNC(nil, [][]byte{dir("foo")}, both(subj("foo"), sanOf(dir("not-foo"))), host(""))},
		{id: "rfc5280::nc::permitted-self-issued", server: true,
			build: func(t *testing.T) limboChain {
				n := pkix.Name{CommonName: "not-example.com"}
				root := lcRoot(t, subj("not-example.com"), sanOf(gnDNS("not-example.com")), withNC(true, dns("example.com"), nil))
				inter := issue(t, tpCert{subject: n, ca: true, pathLen: -1, exts: []pkix.Extension{rawExt(oidSAN, false, seqOf(gnDNS("not-example.com")))}}, root)
				return limboChain{roots: []*tpIssued{root}, inters: []*tpIssued{inter}, leaf: lcLeaf(t, inter)}
			}},
		{id: "rfc5280::nc::excluded-self-issued-leaf", server: true, want: "rfc5280.nc-permitted",
			build: func(t *testing.T) limboChain {
				root := lcRoot(t, withNC(true, dns("example.com"), nil))
				inter := lcInter(t, root, "not-example.com", sanOf(gnDNS("not-example.com")))
				leaf := lcLeaf(t, inter, subj("not-example.com"), sanOf(gnDNS("not-example.com")))
				return limboChain{roots: []*tpIssued{root}, inters: []*tpIssued{inter}, leaf: leaf, policy: host("not-example.com")}
			}},
		{id: "rfc5280::nc::excluded-match-permitted-and-excluded", server: true, want: "rfc5280.nc-excluded", build: rootNC(dns("example.com"), dns("example.com"), nil, nil)},
		{id: "rfc5280::nc::permitted-different-constraint-type", server: true, build: rootNC([][]byte{gnIP("192.0.2.0/24")}, nil, nil, nil)},
		{id: "rfc5280::nc::excluded-different-constraint-type", server: true, build: rootNC(nil, [][]byte{gnIP("192.0.2.0/24")}, nil, nil)},
		{id: "rfc5280::nc::invalid-dnsname-wildcard", server: true, want: "rfc5280.nc-invalid",
			build: rootNC(dns("*.example.com"), nil, sanOf(gnDNS("foo.example.com")), host("foo.example.com"))},
		{id: "rfc5280::nc::invalid-dnsname-leading-period", server: true, want: "rfc5280.nc-invalid",
			build: rootNC(dns(".example.com"), nil, sanOf(gnDNS("foo.example.com")), host("foo.example.com"))},
		{id: "rfc5280::nc::invalid-email-address", want: "rfc5280.nc-invalid",
			build: rootNC([][]byte{gnEmail("invalid@invalid@example.com")}, nil, both(sanOf(gnEmail("example@example.com")), clientEKU), emailClient("example@example.com"))},
		{id: "rfc5280::nc::not-allowed-in-ee-noncritical", server: true, want: "rfc5280.nc-not-ca", build: chain3(nil, nil, withNC(false, dns("example.com"), nil))},
		{id: "rfc5280::nc::not-allowed-in-ee-critical", server: true, want: "rfc5280.nc-not-ca", build: chain3(nil, nil, withNC(true, dns("example.com"), nil))},
		{id: "rfc5280::nc::intermediate-with-san-rejected-by-intermediate-nc", server: true, want: "rfc5280.nc-excluded",
			build: withPolicy(chainOfFour(noop, withNC(true, dns("permitted.example.com"), dns("forbidden.example.com")), sanOf(gnDNS("forbidden.example.com")),
				both(subj("permitted.example.com"), sanOf(gnDNS("permitted.example.com")))), host("permitted.example.com"))},
		{id: "rfc5280::nc::intermediate-with-san-rejected-by-root-nc", server: true, want: "rfc5280.nc-excluded",
			build: withPolicy(chainOfFour(withNC(true, dns("permitted.example.com"), dns("forbidden.example.com")), noop, sanOf(gnDNS("forbidden.example.com")),
				both(subj("permitted.example.com"), sanOf(gnDNS("permitted.example.com")))), host("permitted.example.com"))},
		{id: "rfc5280::nc::restrictive-permits-in-intermediates-narrows", server: true, want: "rfc5280.nc-permitted",
			build: withPolicy(chainOfFour(noop, withNC(true, dns("foo.example.com", "bar.example.com"), nil), withNC(true, dns("bar.example.com"), nil),
				both(subj("foo.example.com"), sanOf(gnDNS("foo.example.com")))), host("foo.example.com"))},
		{id: "rfc5280::nc::restrictive-permits-in-intermediates-widens", server: true, want: "rfc5280.nc-permitted",
			build: withPolicy(chainOfFour(noop, withNC(true, dns("bar.example.com"), nil), withNC(true, dns("foo.example.com", "bar.example.com"), nil),
				both(subj("foo.example.com"), sanOf(gnDNS("foo.example.com")))), host("foo.example.com"))},
		{id: "rfc5280::nc::nc-permits-invalid-dns-san", server: true, want: "rfc5280.san-dns-invalid",
			build: interNC(dns("example.com"), nil, sanOf(gnDNS(".example.com"), gnDNS("foo.example.com")), host("foo.example.com"))},
		{id: "rfc5280::nc::nc-permits-invalid-email-san", want: "rfc5280.san-email-invalid",
			build: interNC([][]byte{gnEmail("example.com")}, nil,
				both(sanOf(gnEmail("good@example.com"), gnEmail("alsogood@example.com"), gnEmail("invalid@address@example.com")), clientEKU), emailClient("good@example.com"))},
		{id: "rfc5280::nc::nc-forbids-alternate-chain-ica", server: true,
			build: func(t *testing.T) limboChain {
				discarded, trusted := lcRoot(t, subj("discarded-root")), lcRoot(t)
				icaA := lcInter(t, trusted, "ica-a", withNC(true, dns("permitted.example.com"), dns("forbidden.example.com")))
				k := newKey(t)
				b1 := lcInter(t, discarded, "an-intermediate", func(c *tpCert) { c.key = k }, sanOf(gnDNS("forbidden.example.com")))
				b2 := lcInter(t, icaA, "an-intermediate", func(c *tpCert) { c.key = k })
				leaf := lcLeaf(t, b1, subj("permitted.example.com"), sanOf(gnDNS("permitted.example.com")))
				return limboChain{roots: []*tpIssued{trusted}, inters: []*tpIssued{icaA, b1, b2}, leaf: leaf, policy: host("permitted.example.com")}
			}},
		{id: "rfc5280::nc::nc-forbids-same-chain-ica", server: true,
			build: func(t *testing.T) limboChain {
				rootA, rootB := lcRoot(t, subj("root-a")), lcRoot(t, subj("root-b"))
				icaA := lcInter(t, rootA, "ica-a", withNC(true, nil, dns("forbidden.example.com")))
				k := newKey(t)
				b1 := lcInter(t, icaA, "an-intermediate", func(c *tpCert) { c.key = k }, sanOf(gnDNS("forbidden.example.com")))
				b2 := lcInter(t, rootB, "an-intermediate", func(c *tpCert) { c.key = k }, sanOf(gnDNS("unconstrained-ica.example.com")))
				leaf := lcLeaf(t, b1, subj("unconstrained.example.com"), sanOf(gnDNS("unconstrained.example.com")))
				return limboChain{roots: []*tpIssued{rootA, rootB}, inters: []*tpIssued{icaA, b1, b2}, leaf: leaf, policy: host("unconstrained.example.com")}
			}},
		{id: "rfc5280::nc::nc-permits-email-exact",
			build: interNC([][]byte{gnEmail("foo@example.com")}, nil, both(sanOf(gnEmail("foo@example.com")), clientEKU), emailClient("foo@example.com"))},
		{id: "rfc5280::nc::nc-permits-email-domain",
			build: interNC([][]byte{gnEmail("example.com")}, nil, both(sanOf(gnEmail("foo@example.com")), clientEKU), emailClient("foo@example.com"))},
		{id: "rfc5280::nc::nc-forbids-othername", server: true, want: "rfc5280.nc-unsupported-form",
			build: interNC(dns("example.com"), [][]byte{otherName}, sanOf(gnDNS("example.com"), otherName), nil)},
		{id: "rfc5280::nc::nc-forbids-othername-noop", server: true, build: interNC(dns("example.com"), [][]byte{otherName}, nil, nil)},
	}
}

func mustMarshal(v any) []byte {
	der, err := asn1.Marshal(v)
	if err != nil {
		panic(err)
	}
	return der
}

func TestLimboNameConstraints(t *testing.T) {
	for _, tc := range limboNCCases() {
		t.Run(tc.id, func(t *testing.T) { runLimbo(t, tc) })
	}
}

var ekuPrecert = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 4}

// limboWebPKICases: webpki (the module's own cases), webpki/aki, cn, eku, nc, san; and
// rfc5280/san.
func limboWebPKICases() []limboCase {
	subj := func(cn string) func(*tpCert) { return func(c *tpCert) { c.subject = pkix.Name{CommonName: cn} } }
	both := func(fs ...func(*tpCert)) func(*tpCert) {
		return func(c *tpCert) {
			for _, f := range fs {
				f(c)
			}
		}
	}
	leafSAN := func(san string, peer string) func(t *testing.T) limboChain {
		return withPolicy(chain3(nil, nil, sanOf(gnDNS(san))), host(peer))
	}
	ipv4 := func(s string) []byte { return rawIP(net.ParseIP(s).To4()...) }
	ipv6 := func(s string) []byte { return rawIP(net.ParseIP(s)...) }
	cnIP := func(cn string, ip []byte, peer string) func(t *testing.T) limboChain {
		return withPolicy(chain3(nil, nil, both(subj(cn), sanOf(ip))), ipPeer(peer))
	}
	cnDNS := func(cn, peer string, sans ...string) func(t *testing.T) limboChain {
		var names [][]byte
		for _, s := range sans {
			names = append(names, gnDNS(s))
		}
		return withPolicy(chain3(nil, nil, both(subj(cn), sanOf(names...))), host(peer))
	}
	rootAKI := func(keyID, issuer bool, serial bool, mismatch bool) func(*tpCert) {
		return func(c *tpCert) {
			c.key = newKey(t0)
			var b cryptobyte.Builder
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				if keyID {
					id := c.key.keyID(t0)
					if mismatch {
						id = newKey(t0).keyID(t0)
					}
					b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(id) })
				}
				if issuer {
					b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddBytes(gnDir(pkix.Name{CommonName: "myCN"})) })
				}
				if serial {
					b.AddASN1(cbasn1.Tag(2).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte{0x04, 0xd2}) })
				}
			})
			c.exts = append(c.exts, rawExt(oidAKI, false, b.BytesOrPanic()))
		}
	}
	ekus := func(e ...asn1.ObjectIdentifier) func(t *testing.T) limboChain { return chain3(nil, nil, withEKU(e...)) }
	const pedanticEKU = "pedantic-webpki-eku: "
	return []limboCase{
		{id: "webpki::exact-san (also webpki::san::exact-dns-san)", server: true, build: leafSAN("example.com", "example.com")},
		{id: "webpki::san::exact-localhost-ip-san", server: true, build: withPolicy(chain3(nil, nil, sanOf(ipv4("127.0.0.1"))), ipPeer("127.0.0.1"))},
		{id: "webpki::mismatch-domain-san", server: true, want: "rfc6125.host", build: leafSAN("example.com", "example2.com")},
		{id: "webpki::mismatch-subdomain-san", server: true, want: "rfc6125.host", build: withPolicy(chain3(nil, nil, both(subj("abc.example.com"), sanOf(gnDNS("abc.example.com")))), host("def.example.com"))},
		{id: "webpki::mismatch-subdomain-apex-san", server: true, want: "rfc6125.host", build: leafSAN("example.com", "abc.example.com")},
		{id: "webpki::mismatch-apex-subdomain-san", server: true, want: "rfc6125.host", build: withPolicy(chain3(nil, nil, both(subj("abc.example.com"), sanOf(gnDNS("abc.example.com")))), host("example.com"))},
		{id: "webpki::public-suffix-wildcard-san (refused first as a wildcard over one label)", server: true, want: "rfc5280.san-dns-invalid", build: leafSAN("*.com", "example.com")},
		{id: "webpki::leftmost-wildcard-san", server: true, build: leafSAN("*.example.com", "foo.example.com")},
		{id: "webpki::wildcard-embedded-leftmost-san", server: true, want: "rfc5280.san-dns-invalid", build: leafSAN("ba*.example.com", "baz.example.com")},
		{id: "webpki::wildcard-not-in-leftmost-san", server: true, want: "rfc5280.san-dns-invalid", build: leafSAN("foo.*.example.com", "foo.bar.example.com")},
		{id: "webpki::wildcard-match-across-labels-san", server: true, want: "rfc6125.host", build: leafSAN("*.example.com", "foo.bar.example.com")},
		{id: "webpki::wildcard-embedded-ulabel-san", server: true, want: "rfc5280.san-dns-invalid", build: leafSAN("xn--*-1b3c148a.example.com", "xn--bliss-1b3c148a.example.com")},
		{id: "webpki::root-with-extkeyusage (also webpki::eku::root-has-eku)", server: true, want: "webpki.root-eku", build: chain3(withEKU(ekuServerAuth), nil, nil)},
		{id: "webpki::san-critical-with-nonempty-subject", server: true, want: "webpki.san-critical-with-subject",
			build: chain3(nil, nil, func(c *tpCert) {
				c.subject, c.sanCrit = pkix.Name{CommonName: "example.com", Organization: []string{"something-else"}}, true
			})},
		{id: "webpki::no-san", server: true, want: "webpki.leaf-san-missing", build: chain3(nil, nil, func(c *tpCert) { c.dns = nil })},
		{id: "webpki::v1-cert (refused first for the AKI a version 1 certificate cannot hold)", server: true, want: "rfc5280.aki-missing", build: chain3(nil, nil, func(c *tpCert) { c.version = 1 })},
		{id: "webpki::eku-contains-anyeku (also webpki::eku::ee-anyeku)", server: true, want: "signet.eku-any", build: ekus(ekuServerAuth, ekuAny)},
		{id: "webpki::ee-basicconstraints-ca", server: true, want: "webpki.leaf-is-ca", build: chain3(nil, nil, func(c *tpCert) { c.ca, c.ku = true, x509.KeyUsageDigitalSignature })},
		{id: "webpki::eku::ee-critical-eku", server: true, want: "webpki.leaf-eku-critical",
			build: chain3(nil, nil, func(c *tpCert) { c.eku, c.exts = nil, append(c.exts, ext(oidEKU, true, ekuServer)) })},
		{id: "webpki::eku::ee-without-eku", server: true, want: "signet.eku-missing", build: chain3(nil, nil, func(c *tpCert) { c.eku = nil })},
		{id: "webpki::eku::ee-clientauth-only", server: true, want: "rfc5280.eku", build: ekus(ekuClient)},
		{id: "webpki::eku::ee-precertificate-only", server: true, want: "webpki.leaf-eku-forbidden", build: ekus(ekuPrecert)},
		{id: "webpki::eku::ee-precertificate-with-serverauth", server: true, want: "webpki.leaf-eku-forbidden", note: pedanticEKU + "BR 7.1.2.7.10 MUST NOT", build: ekus(ekuServerAuth, ekuPrecert)},
		{id: "webpki::eku::ee-serverauth-with-additional", server: true, build: ekus(ekuServerAuth, ekuClient)},
		{id: "webpki::eku::ee-codesigning-with-serverauth", server: true, want: "webpki.leaf-eku-forbidden", note: pedanticEKU + "BR 7.1.2.7.10 MUST NOT", build: ekus(ekuServerAuth, ekuCode)},
		{id: "webpki::eku::ee-emailprotection-with-serverauth", server: true, want: "webpki.leaf-eku-forbidden", note: pedanticEKU + "BR 7.1.2.7.10 MUST NOT", build: ekus(ekuServerAuth, ekuEmail)},
		{id: "webpki::eku::ee-timestamping-with-serverauth", server: true, want: "webpki.leaf-eku-forbidden", note: pedanticEKU + "BR 7.1.2.7.10 MUST NOT", build: ekus(ekuServerAuth, ekuTimeStamp)},
		{id: "webpki::eku::ee-ocspsigning-with-serverauth", server: true, want: "webpki.leaf-eku-forbidden", note: pedanticEKU + "BR 7.1.2.7.10 MUST NOT",
			build: ekus(ekuServerAuth, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 9})},
		{id: "webpki::aki::root-with-aki-missing-keyidentifier", server: true, want: "webpki.root-aki", build: chain3(rootAKI(false, false, false, false), nil, nil)},
		{id: "webpki::aki::root-with-aki-authoritycertissuer", server: true, want: "rfc5280.aki-encoding", build: chain3(rootAKI(true, true, false, false), nil, nil)},
		{id: "webpki::aki::root-with-aki-authoritycertserialnumber", server: true, want: "rfc5280.aki-encoding", build: chain3(rootAKI(true, false, true, false), nil, nil)},
		{id: "webpki::aki::root-with-aki-all-fields", server: true, want: "webpki.root-aki", build: chain3(rootAKI(true, true, true, false), nil, nil)},
		{id: "webpki::aki::root-with-aki-ski-mismatch", server: true, want: "webpki.root-aki", build: chain3(rootAKI(true, false, false, true), nil, nil)},
		{id: "webpki::nc::permitted-dns-match-noncritical", server: true, build: chain3(withNC(false, [][]byte{gnDNS("example.com")}, nil), nil, nil)},
		{id: "webpki::cn::cabf-cn-ipv4-hex-mismatch", server: true, want: "webpki.cn-not-in-san", build: cnIP("0xC0A80101", ipv4("192.168.1.1"), "192.168.1.1")},
		{id: "webpki::cn::cabf-cn-ipv4-leading-zeros-mismatch", server: true, want: "webpki.cn-not-in-san", build: cnIP("192.168.001.001", ipv4("192.168.1.1"), "192.168.1.1")},
		{id: "webpki::cn::cabf-cn-ipv6-uppercase-mismatch", server: true, want: "webpki.cn-not-in-san", build: cnIP("2001:DB8::8A2E:370:7334", ipv6("2001:db8::8a2e:370:7334"), "2001:db8::8a2e:370:7334")},
		{id: "webpki::cn::cabf-cn-ipv6-uncompressed-mismatch", server: true, want: "webpki.cn-not-in-san", build: cnIP("2001:0db8:0000:0000:0000:0000:0000:0001", ipv6("2001:db8::1"), "2001:db8::1")},
		{id: "webpki::cn::cabf-cn-ipv6-non-rfc5952-mismatch", server: true, want: "webpki.cn-not-in-san", build: cnIP("2001:db8:0:0:1:0:0:1", ipv6("2001:db8::1:0:0:1"), "2001:db8::1:0:0:1")},
		{id: "webpki::cn::cabf-cn-punycode-not-in-san", server: true, want: "webpki.cn-not-in-san", build: cnDNS("xn--nxasmq6b.com", "xn--n3h.com", "xn--n3h.com")},
		{id: "webpki::cn::cabf-cn-utf8-vs-punycode-mismatch", server: true, want: "webpki.cn-not-in-san", build: cnDNS("test-測試.com", "xn--test--wg5h0h.com", "xn--test--wg5h0h.com")},
		{id: "webpki::cn::cabf-cn-not-in-san", server: true, want: "webpki.cn-not-in-san", build: cnDNS("notinsan.example.com", "valid.example.com", "valid.example.com", "another.example.com")},
		{id: "webpki::cn::cabf-cn-case-mismatch", server: true, want: "webpki.cn-not-in-san", build: cnDNS("Example.COM", "example.com", "example.com")},
		{id: "webpki::forbidden-weak-rsa-key-in-root", server: true, want: "signet.rsa-key-too-small", build: chain3(func(c *tpCert) { c.key = newRSAKey(t0, 1024) }, nil, nil)},
		{id: "webpki::forbidden-weak-rsa-in-leaf", server: true, want: "signet.rsa-key-too-small", build: chain3(nil, nil, func(c *tpCert) { c.key = newRSAKey(t0, 1024) })},
		{id: "webpki::forbidden-rsa-not-divisable-by-8-in-root", server: true, want: "signet.rsa-key-size", build: chain3(func(c *tpCert) { c.key = newRSAKey(t0, 2052) }, nil, nil)},
		{id: "webpki::forbidden-rsa-key-not-divisable-by-8-in-leaf", server: true, want: "signet.rsa-key-size", build: chain3(nil, nil, func(c *tpCert) { c.key = newRSAKey(t0, 2052) })},
		{id: "webpki::ca-as-leaf", server: true, want: "webpki.leaf-is-ca",
			build: withPolicy(chain3(nil, nil, func(c *tpCert) { c.ca, c.eku, c.dns = true, nil, []string{"ca.example.com"} }), host("ca.example.com"))},
		{id: "rfc5280::san::noncritical-with-empty-subject", server: true, want: "rfc5280.subject-empty-san-not-critical",
			build: chain3(nil, nil, func(c *tpCert) { c.rawSubj = []byte{0x30, 0} })},
	}
}

func TestLimboWebPKI(t *testing.T) {
	t.Parallel()
	for _, tc := range limboWebPKICases() {
		t.Run(tc.id, func(t *testing.T) { runLimbo(t, tc) })
	}
}

// dsaPair is a real DSA key (1024-bit parameters: the size does not matter to the rules that
// refuse DSA, and larger ones take seconds to generate).
type dsaPair struct {
	priv *dsa.PrivateKey
	spki []byte
}

var oidDSA = asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 1}

func newDSA(t *testing.T) dsaPair {
	t.Helper()
	var k dsa.PrivateKey
	if err := dsa.GenerateParameters(&k.Parameters, rand.Reader, dsa.L1024N160); err != nil {
		t.Fatal(err)
	}
	if err := dsa.GenerateKey(&k, rand.Reader); err != nil {
		t.Fatal(err)
	}
	params := mustMarshal(struct{ P, Q, G *big.Int }{k.P, k.Q, k.G})
	y := mustMarshal(k.Y)
	spki := mustMarshal(struct {
		Algo pkix.AlgorithmIdentifier
		Key  asn1.BitString
	}{pkix.AlgorithmIdentifier{Algorithm: oidDSA, Parameters: asn1.RawValue{FullBytes: params}}, asn1.BitString{Bytes: y, BitLength: 8 * len(y)}})
	return dsaPair{&k, spki}
}

// rawCert writes a v3 certificate with the SPKI given, signed by sign under the algorithm
// identifier sigAlg: for keys and signatures tpCert cannot hold (DSA, P-192).
func rawCert(t *testing.T, subject, issuer []byte, spki []byte, exts []pkix.Extension, sigAlg []byte, sign func(tbs []byte) []byte) []byte {
	t.Helper()
	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddASN1Int64(2) })
		b.AddASN1BigInt(randSerial())
		b.AddBytes(sigAlg)
		b.AddBytes(issuer)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1UTCTime(tpNotBefore)
			b.AddASN1UTCTime(tpNotAfter)
		})
		b.AddBytes(subject)
		b.AddBytes(spki)
		b.AddASN1(cbasn1.Tag(3).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, e := range exts {
					b.AddBytes(mustMarshal(e))
				}
			})
		})
	})
	tbs := tb.BytesOrPanic()
	var cb cryptobyte.Builder
	cb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		b.AddBytes(sigAlg)
		b.AddASN1BitString(sign(tbs))
	})
	return cb.BytesOrPanic()
}

var (
	ecdsaSHA256 = mustMarshal(pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}})
	dsaSHA256   = mustMarshal(pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 2}})
)

func signedBy(k tpKey) func([]byte) []byte {
	return func(tbs []byte) []byte {
		sum := sha256.Sum256(tbs)
		sig, err := k.signer.Sign(rand.Reader, sum[:], crypto.SHA256)
		if err != nil {
			panic(err)
		}
		return sig
	}
}

func (d dsaPair) sign(tbs []byte) []byte {
	sum := sha256.Sum256(tbs)
	r, s, err := dsa.Sign(rand.Reader, d.priv, sum[:20])
	if err != nil {
		panic(err)
	}
	return mustMarshal(struct{ R, S *big.Int }{r, s})
}

func (d dsaPair) keyID() []byte {
	var spki struct {
		Algo pkix.AlgorithmIdentifier
		Key  asn1.BitString
	}
	if _, err := asn1.Unmarshal(d.spki, &spki); err != nil {
		panic(err)
	}
	sum := sha1.Sum(spki.Key.Bytes)
	return sum[:]
}

func parsed(t *testing.T, der []byte) *tpIssued {
	t.Helper()
	c, err := x509util.ParseCertificate(der)
	if err != nil {
		t.Fatalf("the made certificate does not parse: %v", err)
	}
	return &tpIssued{cert: c, der: der}
}

func akiExt(id []byte) pkix.Extension {
	return ext(oidAKI, false, struct {
		ID []byte `asn1:"optional,tag:0"`
	}{id})
}

func leafExts(t *testing.T) []pkix.Extension {
	return []pkix.Extension{kuExt(x509.KeyUsageDigitalSignature), ext(oidEKU, false, ekuServer), sanExt(t, false, []string{"example.com"}, nil, nil)}
}

// TestLimboDSA: webpki::forbidden-dsa-spki-leaf and webpki::forbidden-signature-algorithm-in-leaf
// (a leaf with a DSA key), webpki::forbidden-signature-algorithm-in-root (a DSA root that signs
// the leaf: crypto/x509 cannot check DSA signatures, so no path is found, and the refusal says
// the algorithm is not supported). DSA is refused in every profile.
func TestLimboDSA(t *testing.T) {
	t.Parallel()
	d := newDSA(t)
	leafName := nameDER(t, pkix.Name{CommonName: "example.com"})
	t.Run("webpki::forbidden-dsa-spki-leaf", func(t *testing.T) {
		root := lcRoot(t)
		exts := append(leafExts(t), akiExt(root.key.keyID(t)), ext(oidSKI, false, d.keyID()))
		leaf := parsed(t, rawCert(t, leafName, root.cert.RawSubject, d.spki, exts, ecdsaSHA256, signedBy(root.key)))
		for _, server := range []bool{true, false} {
			runLimbo(t, limboCase{id: "dsa leaf", server: server, want: "signet.dsa-key", build: func(t *testing.T) limboChain {
				return limboChain{roots: []*tpIssued{root}, leaf: leaf}
			}})
		}
	})
	t.Run("webpki::forbidden-signature-algorithm-in-root", func(t *testing.T) {
		rootName := nameDER(t, pkix.Name{CommonName: "x509-limbo-root"})
		root := parsed(t, rawCert(t, rootName, rootName, d.spki, []pkix.Extension{
			ext(oidBC, true, struct {
				CA bool `asn1:"optional"`
			}{true}), kuExt(x509.KeyUsageCertSign | x509.KeyUsageCRLSign), ext(oidSKI, false, d.keyID()),
		}, dsaSHA256, d.sign))
		k := newKey(t)
		exts := append(leafExts(t), akiExt(d.keyID()), ext(oidSKI, false, k.keyID(t)))
		leaf := parsed(t, rawCert(t, leafName, rootName, k.spki(t), exts, dsaSHA256, d.sign))
		for _, server := range []bool{true, false} {
			runLimbo(t, limboCase{id: "dsa root", server: server, want: "signet.unsupported-algorithm", build: func(t *testing.T) limboChain {
				return limboChain{roots: []*tpIssued{root}, leaf: leaf}
			}})
		}
	})
}

// limboPathlenCases: pathlen.
func limboPathlenCases() []limboCase {
	// chainN is root -> ICA(pathlens[0]) -> ICA(pathlens[1]) ... -> leaf; a subject of "" reuses
	// the issuer's subject (a self-issued intermediate); leaf false ends at the last ICA.
	chainN := func(leaf bool, pathlens []int, subjects []string) func(t *testing.T) limboChain {
		return func(t *testing.T) limboChain {
			root := lcRoot(t)
			ch := limboChain{roots: []*tpIssued{root}}
			parent := root
			for i, n := range pathlens {
				name := fmt.Sprintf("ica-%d", i)
				if subjects != nil {
					name = subjects[i]
				}
				ica := lcInter(t, parent, name, func(c *tpCert) {
					c.pathLen = n
					if name == "" {
						c.subject, c.rawSubj = pkix.Name{}, parent.cert.RawSubject
					}
				})
				ch.inters, parent = append(ch.inters, ica), ica
			}
			if leaf {
				ch.leaf = lcLeaf(t, parent)
			} else {
				ch.leaf, ch.inters = parent, ch.inters[:len(ch.inters)-1]
			}
			return ch
		}
	}
	return []limboCase{
		{id: "pathlen::ee-with-intermediate-pathlen-0", server: true, build: chainN(true, []int{0}, nil)},
		{id: "pathlen::ee-with-intermediate-pathlen-1", server: true, build: chainN(true, []int{1}, nil)},
		{id: "pathlen::ee-with-intermediate-pathlen-2", server: true, build: chainN(true, []int{2}, nil)},
		{id: "pathlen::validation-ignores-pathlen-in-leaf", server: true, want: "webpki.leaf-is-ca",
			note:  "the leaf is a CA; server validation is the webpki profile here, which refuses a CA leaf (BR 7.1.2.7.8, as webpki::ca-as-leaf expects)",
			build: withPolicy(chainN(false, []int{0, 0}, nil), nil)},
		{id: "pathlen::validation-ignores-pathlen-in-leaf (rfc5280 profile)", build: chainN(false, []int{0, 0}, nil)},
		{id: "pathlen::intermediate-violates-pathlen-0", server: true, want: "rfc5280.pathlen", build: chainN(true, []int{0, 0}, nil)},
		{id: "pathlen::intermediate-pathlen-may-increase", server: true, build: chainN(true, []int{1, 2}, nil)},
		{id: "pathlen::intermediate-pathlen-too-long", server: true, want: "rfc5280.pathlen", build: chainN(true, []int{1, 0, 0}, nil)},
		{id: "pathlen::self-issued-certs-pathlen", server: true, build: chainN(true, []int{1, 1, 0}, []string{"ica-prime", "", "ica-second"})},
	}
}

func TestLimboPathlen(t *testing.T) {
	for _, tc := range limboPathlenCases() {
		t.Run(tc.id, func(t *testing.T) { runLimbo(t, tc) })
	}
}

// limboSMIMEProfileCases: smime (the module's own cases).
func limboSMIMEProfileCases() []limboCase {
	const user = "user@example.com"
	rsaOf := func(bits int) func(*tpCert) { return func(c *tpCert) { c.key = newRSAKey(t0, bits) } }
	return []limboCase{
		{id: "smime::valid-smime-chain", build: smime(user, nil, nil, nil)},
		{id: "smime::valid-smime-chain-with-intermediate", build: smime(user, nil, withEKU(ekuEmail), nil)},
		{id: "smime::v1-cert", want: "rfc5280.aki-missing", build: smime(user, nil, nil, func(c *tpCert) { c.version = 1 })},
		{id: "smime::ee-basicconstraints-ca-true", want: "signet.leaf-is-ca", build: smime(user, nil, nil, func(c *tpCert) { c.ca = true })},
		{id: "smime::ee-basicconstraints-pathlen-present", want: "signet.leaf-is-ca", build: smime(user, nil, nil, func(c *tpCert) { c.ca, c.pathLen = true, 0 })},
		{id: "smime::ca-as-leaf", want: "signet.leaf-is-ca",
			build: smime("ca@example.com", nil, nil, func(c *tpCert) { c.ca, c.eku, c.emails = true, nil, []string{"ca@example.com"} })},
		{id: "smime::forbidden-weak-rsa-key-in-root", want: "signet.rsa-key-too-small", build: smime(user, rsaOf(1024), nil, nil)},
		{id: "smime::forbidden-weak-rsa-in-leaf", want: "signet.rsa-key-too-small", build: smime(user, nil, nil, rsaOf(1024))},
		{id: "smime::forbidden-rsa-not-divisible-by-8-in-root", want: "signet.rsa-key-size", build: smime(user, rsaOf(2052), nil, nil)},
		{id: "smime::forbidden-rsa-key-not-divisible-by-8-in-leaf", want: "signet.rsa-key-size", build: smime(user, nil, nil, rsaOf(2052))},
	}
}

func TestLimboSMIMEProfile(t *testing.T) {
	t.Parallel()
	for _, tc := range limboSMIMEProfileCases() {
		t.Run(tc.id, func(t *testing.T) { runLimbo(t, tc) })
	}
}

// TestLimboCRLExternal: crl::external::*, malformed CRLs that list the leaf. Limbo expects the
// CRL to be ignored and the leaf accepted; signet refuses instead, as limbo's own
// crlnumber-missing and crlnumber-critical cases expect of an invalid CRL and as issue 9 asks:
// a CRL the relying party gives is evidence, and one that is wrong fails the verdict rather
// than being passed over (fail closed).
func TestLimboCRLExternal(t *testing.T) {
	root := lcRoot(t)
	leaf := lcLeaf(t, root)
	listing := []lcRevoked{{serial: leaf.cert.SerialNumber}}
	for _, tc := range []limboCase{
		{id: "crl::external::crl-missing-next-update", server: true, want: "rfc5280.crl-next-update-missing",
			note: "limbo: accepted (the CRL ignored); signet: CRLInvalid"},
		{id: "crl::external::crl-update-generalizedtime-2025", server: true, want: "rfc5280.revoked",
			note: "limbo: accepted (the CRL ignored for its GeneralizedTime dates); signet reads the dates and the leaf is listed"},
	} {
		crl := lcCRL{issuer: root, revoked: listing, noNext: tc.id == "crl::external::crl-missing-next-update", genTime: tc.id == "crl::external::crl-update-generalizedtime-2025"}.make(t)
		tc.build = func(t *testing.T) limboChain {
			return limboChain{roots: []*tpIssued{root}, leaf: leaf, crls: []*x509.RevocationList{crl}}
		}
		t.Run(tc.id, func(t *testing.T) { runLimbo(t, tc) })
	}
	t.Run("crl::external::crl-invalid-version", func(t *testing.T) {
		// limbo: accepted (the CRL ignored); signet cannot read it, and a CRL file it cannot
		// read is an error, never skipped.
		der := lcCRL{issuer: root, revoked: listing, version: 5}.der(t)
		if _, err := x509.ParseRevocationList(der); err == nil {
			t.Fatal("a CRL of version 6 was read")
		}
	})
}
