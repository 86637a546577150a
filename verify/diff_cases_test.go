package verify_test

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"net"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/verify"
)

// The cases of the differential audit (diff_openssl_test.go), by dimension.

// attr is one attribute of a name written byte for byte: its OID, string tag and value.
type attr struct {
	oid asn1.ObjectIdentifier
	tag cbasn1.Tag
	val string
}

var (
	dOidCN   = asn1.ObjectIdentifier{2, 5, 4, 3}
	dOidO    = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidEmail = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	tagUTF8  = cbasn1.Tag(12)
	tagPrint = cbasn1.Tag(19)
	tagIA5   = cbasn1.Tag(22)
)

// dRawName writes a Name of one attribute per RDN, in order.
func dRawName(attrs ...attr) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, a := range attrs {
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(a.oid)
					b.AddASN1(a.tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(a.val)) })
				})
			})
		}
	})
	return b.BytesOrPanic()
}

// dCRLSpec describes a CRL written byte for byte.
type dCRLSpec struct {
	issuer      *dIssued
	signKey     string // default: the issuer's key
	thisUpdate  time.Time
	nextUpdate  time.Time // zero: dNotAfter; see noNext
	noNext      bool
	revoked     []*big.Int
	entryExts   []pkix.Extension // on every entry
	exts        []pkix.Extension // after AKI and CRL number
	noNumber    bool
	number      int64 // CRL number (default 7)
	issuerName  []byte
	corruptSign bool
	rawThis     []byte // the thisUpdate element as is
	rawRevDate  []byte // every entry's revocationDate element as is
	version     int    // 0: v2 (INTEGER 1); -1: absent (v1)
}

func dCRL(s dCRLSpec) []byte {
	key := s.issuer.key
	if s.signKey != "" {
		key = s.signKey
	}
	tu, nu := s.thisUpdate, s.nextUpdate
	if tu.IsZero() {
		tu = dNotBefore
	}
	if nu.IsZero() {
		nu = dNotAfter
	}
	name := s.issuer.subj
	if s.issuerName != nil {
		name = s.issuerName
	}
	exts := []pkix.Extension{dAKI(dKeyID(dKey(s.issuer.key)))}
	if !s.noNumber {
		n := s.number
		if n == 0 {
			n = 7
		}
		exts = append(exts, dExt(oidCRLN, false, big.NewInt(n)))
	}
	exts = append(exts, s.exts...)
	alg := algID(oidECDSASHA256, nil)
	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if s.version == 0 {
			b.AddASN1Int64(1)
		}
		b.AddBytes(alg)
		b.AddBytes(name)
		if s.rawThis != nil {
			b.AddBytes(s.rawThis)
		} else {
			b.AddASN1UTCTime(tu)
		}
		if !s.noNext {
			b.AddASN1UTCTime(nu)
		}
		if len(s.revoked) > 0 {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, r := range s.revoked {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1BigInt(r)
						if s.rawRevDate != nil {
							b.AddBytes(s.rawRevDate)
						} else {
							b.AddASN1UTCTime(dNotBefore)
						}
						if len(s.entryExts) > 0 {
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
								for _, e := range s.entryExts {
									der, _ := asn1.Marshal(e)
									b.AddBytes(der)
								}
							})
						}
					})
				}
			})
		}
		if s.version >= 0 {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					for _, e := range exts {
						der, _ := asn1.Marshal(e)
						b.AddBytes(der)
					}
				})
			})
		}
	})
	tbs := tb.BytesOrPanic()
	h := dSHA256(tbs)
	sig, err := dKey(key).Sign(rand.Reader, h, cryptoSHA256)
	if err != nil {
		panic(err)
	}
	if s.corruptSign {
		sig[len(sig)/2] ^= 1
	}
	var cb cryptobyte.Builder
	cb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		b.AddBytes(alg)
		b.AddASN1BitString(sig)
	})
	return cb.BytesOrPanic()
}

var (
	oidIDP      = asn1.ObjectIdentifier{2, 5, 29, 28}
	oidDeltaCRL = asn1.ObjectIdentifier{2, 5, 29, 27}
	oidUnknown  = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 1}
	oidCRLDP    = asn1.ObjectIdentifier{2, 5, 29, 31}
)

// idpExt writes an issuing distribution point with only the booleans set that are true:
// onlyContainsUserCerts [1], onlyContainsCACerts [2], indirectCRL [4].
func idpExt(userOnly, caOnly bool) pkix.Extension {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if userOnly {
			b.AddASN1(cbasn1.Tag(1).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte{0xff}) })
		}
		if caOnly {
			b.AddASN1(cbasn1.Tag(2).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte{0xff}) })
		}
	})
	return pkix.Extension{Id: oidIDP, Critical: true, Value: b.BytesOrPanic()}
}

func policiesOf(oids ...asn1.ObjectIdentifier) pkix.Extension {
	type info struct{ ID asn1.ObjectIdentifier }
	var v []info
	for _, o := range oids {
		v = append(v, info{o})
	}
	return dExt(oidCP, false, v)
}

func mappingsOf(pairs ...asn1.ObjectIdentifier) pkix.Extension {
	type m struct{ Issuer, Subject asn1.ObjectIdentifier }
	var v []m
	for i := 0; i+1 < len(pairs); i += 2 {
		v = append(v, m{pairs[i], pairs[i+1]})
	}
	return dExt(asn1.ObjectIdentifier{2, 5, 29, 33}, true, v)
}

// pcExt writes policy constraints; -1 leaves a field out.
func pcExt(require, inhibit int) pkix.Extension {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if require >= 0 {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(intBytes(require)) })
		}
		if inhibit >= 0 {
			b.AddASN1(cbasn1.Tag(1).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(intBytes(inhibit)) })
		}
	})
	return pkix.Extension{Id: oidPC, Critical: true, Value: b.BytesOrPanic()}
}

func intBytes(n int) []byte {
	der, _ := asn1.Marshal(n)
	return der[2:]
}

func inhibitAnyExt(n int) pkix.Extension {
	return dExt(asn1.ObjectIdentifier{2, 5, 29, 54}, true, n)
}

var (
	pol1   = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 2, 1}
	pol2   = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 2, 2}
	pol3   = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 2, 3}
	polAny = asn1.ObjectIdentifier{2, 5, 29, 32, 0}
)

func ncOf(permitted, excluded [][]byte) func([]pkix.Extension) []pkix.Extension {
	return addExt(ncExt(true, permitted, excluded))
}

func sanOfNames(critical bool, names ...[]byte) pkix.Extension {
	return rawExt(oidSAN, critical, seqOf(names...))
}

func withPol(f func(*verify.Policy), ossl ...string) func(dChain) dChain {
	return func(ch dChain) dChain {
		ch.pol, ch.ossl = f, ossl
		return ch
	}
}

func then(b func() dChain, f func(dChain) dChain) func() dChain {
	return func() dChain { return f(b()) }
}

// leafNames sets the leaf's SAN to names (critical or not) and its subject to subj (nil: as
// is).
func leafSAN(critical bool, names ...[]byte) func(*dCert) {
	return func(c *dCert) { c.mod = setExt(sanOfNames(critical, names...)) }
}

func dnOf(cn, o string) pkix.Name { return pkix.Name{CommonName: cn, Organization: []string{o}} }

func diffCases() []dCase {
	return slices.Concat(diffCases1(), diffCases2(), diffCases3(), diffCases4(), diffCases5(), diffCases6(), diffCases7())
}

func diffCases1() []dCase {
	at := dAt
	sec := time.Second
	serverEKU := func(p *verify.Policy) { p.EKUs = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth} }
	dns := func(s ...string) [][]byte {
		var out [][]byte
		for _, d := range s {
			out = append(out, gnDNS(d))
		}
		return out
	}
	interNC := func(permitted, excluded [][]byte) func(*dCert) { return mod(ncOf(permitted, excluded)) }
	revokedLeaf := big.NewInt(0x7777)
	crlChain := func(spec func(inter *dIssued) dCRLSpec, ossl ...string) func() dChain {
		return func() dChain {
			ch := three(nil, nil, func(c *dCert) { c.serial = revokedLeaf })()
			ch.crls = [][]byte{dCRL(spec(ch.inters[0]))}
			ch.ossl = append([]string{"-crl_check"}, ossl...)
			ch.pol = func(p *verify.Policy) { p.RequireCRL = true }
			return ch
		}
	}
	return []dCase{
		{name: "control", signet: "", openssl: true, build: three(nil, nil, nil)},

		// Validity.
		{name: "leaf notBefore is now", signet: "", openssl: true, build: three(nil, nil, func(c *dCert) { c.nb = at })},
		{name: "leaf notBefore a second later", signet: "rfc5280.validity", openssl: false, build: three(nil, nil, func(c *dCert) { c.nb = at.Add(sec) })},
		{name: "leaf notAfter is now", signet: "", openssl: false, class: "signet", why: "RFC 5280 4.1.2.5: the validity period includes notAfter; openssl treats the second of notAfter as expired", build: three(nil, nil, func(c *dCert) { c.na = at })},
		{name: "leaf notAfter a second before", signet: "rfc5280.validity", openssl: false, build: three(nil, nil, func(c *dCert) { c.na = at.Add(-sec) })},
		{name: "intermediate notAfter is now", signet: "", openssl: false, class: "signet", why: "RFC 5280 4.1.2.5: the validity period includes notAfter", build: three(nil, func(c *dCert) { c.na = at }, nil)},
		{name: "root expired", signet: "rfc5280.validity", openssl: false, build: three(func(c *dCert) { c.na = at.Add(-sec) }, nil, nil)},
		{name: "root not yet valid", signet: "rfc5280.validity", openssl: false, build: three(func(c *dCert) { c.nb = at.Add(sec) }, nil, nil)},
		{name: "leaf outlives its CA", signet: "", openssl: true, build: three(nil, func(c *dCert) { c.na = at.AddDate(1, 0, 0) }, func(c *dCert) { c.na = at.AddDate(5, 0, 0) })},
		{name: "notBefore after notAfter", signet: "rfc5280.validity", openssl: false, build: three(nil, nil, func(c *dCert) { c.nb, c.na = at.AddDate(1, 0, 0), at.AddDate(-1, 0, 0) })},
		{name: "GeneralizedTime before 2050", signet: "", openssl: true, build: three(nil, nil, func(c *dCert) { c.genTime = true })},
		{name: "GeneralizedTime notAfter 2050", signet: "", openssl: true, build: three(nil, nil, func(c *dCert) {
			c.genTime, c.na = true, time.Date(2050, 6, 1, 0, 0, 0, 0, time.UTC)
		})},
		{name: "UTCTime notAfter 50 (1950)", signet: "rfc5280.validity", openssl: false, build: three(nil, nil, func(c *dCert) { c.rawNA = append([]byte{0x17, 13}, "500601000000Z"...) })},
		{name: "UTCTime without seconds", signet: "rfc5280.validity-encoding", openssl: false, class: "fixed", why: "RFC 5280 4.1.2.5.1: a UTCTime MUST include seconds; crypto/x509 reads it, signet accepted it (TestValidityEncoding)", build: three(nil, nil, func(c *dCert) { c.rawNA = append([]byte{0x17, 11}, "2901010000Z"...) })},
		{name: "GeneralizedTime with fraction", signet: "unparsed", openssl: false, build: three(nil, nil, func(c *dCert) { c.rawNA = append([]byte{0x18, 17}, "20290101000000.5Z"...) })},
		{name: "UTCTime with offset", signet: "rfc5280.validity-encoding", openssl: false, class: "fixed", why: "RFC 5280 4.1.2.5.1: a UTCTime MUST be Zulu; crypto/x509 reads an offset, signet accepted it (TestValidityEncoding)", build: three(nil, nil, func(c *dCert) { c.rawNA = append([]byte{0x17, 17}, "290101000000+0100"...) })},

		// Basic constraints.
		{name: "intermediate without basicConstraints", signet: "rfc5280.issuer-not-ca", openssl: false, build: three(nil, mod(without(oidBC)), nil)},
		{name: "intermediate basicConstraints not critical", signet: "", openssl: false, class: "policy", why: "PKITS 4.6.4 (Valid basicConstraints Not Critical) holds such an intermediate valid; the rfc5280 profile refuses it in a trust anchor, the webpki profile everywhere (doc.go)", build: three(nil, mod(setExt(bcExt(false, true, -1))), nil)},
		{name: "intermediate cA false with keyCertSign", signet: "rfc5280.issuer-not-ca", openssl: false, build: three(nil, mod(setExt(bcExt(true, false, -1))), nil)},
		{name: "leaf keyCertSign without cA", signet: "rfc5280.keycertsign-not-ca", openssl: false, build: three(nil, nil, mod(setExt(kuExt(x509.KeyUsageDigitalSignature|x509.KeyUsageCertSign))))},
		{name: "leaf pathLen without cA", signet: "rfc5280.pathlen-not-ca", openssl: false, build: three(nil, nil, mod(addExt(bcExt(true, false, 2))))},
		{name: "root without basicConstraints", signet: "rfc5280.issuer-not-ca", openssl: false, build: three(mod(without(oidBC)), nil, nil)},
		{name: "root without basicConstraints or key usage", signet: "rfc5280.issuer-not-ca", openssl: false, build: three(mod(without(oidBC, oidKU)), nil, nil)},
		{name: "root basicConstraints not critical", signet: "rfc5280.bc-not-critical", openssl: false, build: three(mod(setExt(bcExt(false, true, -1))), nil, nil)},
		{name: "root pathLen 0 over an intermediate", signet: "rfc5280.pathlen", openssl: false, build: three(mod(setExt(bcExt(true, true, 0))), nil, nil)},
		{name: "intermediate pathLen 0 over a self-issued intermediate", signet: "", openssl: true, build: func() dChain {
			r := dBuild(dCert{cn: "Diff Root", ca: true}, nil)
			i := dBuild(dCert{cn: "Diff Intermediate", ca: true, mod: setExt(bcExt(true, true, 0))}, r)
			si := dBuild(dCert{cn: "Diff Intermediate", key: "Diff Intermediate 2", ca: true}, i)
			l := dBuild(dCert{cn: "leaf.example.com"}, si)
			return dChain{leaf: l, inters: []*dIssued{i, si}, roots: []*dIssued{r}}
		}},
		{name: "intermediate pathLen 0 over another intermediate", signet: "rfc5280.pathlen", openssl: false, build: func() dChain {
			r := dBuild(dCert{cn: "Diff Root", ca: true}, nil)
			i := dBuild(dCert{cn: "Diff Intermediate", ca: true, mod: setExt(bcExt(true, true, 0))}, r)
			i2 := dBuild(dCert{cn: "Diff Intermediate 2", ca: true}, i)
			l := dBuild(dCert{cn: "leaf.example.com"}, i2)
			return dChain{leaf: l, inters: []*dIssued{i, i2}, roots: []*dIssued{r}}
		}},
		{name: "intermediate key usage without keyCertSign", signet: "rfc5280.issuer-no-keycertsign", openssl: false, build: three(nil, mod(setExt(kuExt(x509.KeyUsageCRLSign|x509.KeyUsageDigitalSignature))), nil)},
		{name: "intermediate without key usage", signet: "", openssl: false, class: "policy", why: "RFC 5280 6.1.4 (n) checks keyCertSign only when key usage is present; openssl -x509_strict refuses a CA without it (4.2.1.3 is a MUST for the CA that issues)", build: three(nil, mod(without(oidKU)), nil)},
		{name: "leaf is a CA", signet: "", openssl: true, build: three(nil, nil, mod(addExt(bcExt(true, true, -1))))},
		{name: "leaf is a CA, serverAuth required", signet: "signet.leaf-is-ca", openssl: true, class: "policy", why: "signet.leaf-is-ca: a CA certificate is not an end entity for an EKU purpose (doc.go)", build: then(three(nil, nil, mod(addExt(bcExt(true, true, -1)))), withPol(serverEKU, "-purpose", "sslserver"))},

		// Versions.
		{name: "v1 root", signet: "", openssl: false, class: "policy", why: "RFC 5280 6.1.1 (d): the trust anchor is an input, a v1 root included (the CA check of 6.1.4 (k) is for intermediates); openssl -x509_strict refuses v1 CAs", build: three(func(c *dCert) { c.version, c.noDefault = 1, true }, nil, nil)},
		{name: "v1 intermediate", signet: "rfc5280.issuer-not-ca", openssl: false, build: three(nil, func(c *dCert) { c.version, c.noDefault = 1, true }, nil)},
		{name: "v2 intermediate with extensions", signet: "rfc5280.issuer-not-ca", openssl: false, build: three(nil, func(c *dCert) { c.version = 2 }, nil)},
		{name: "v1 leaf", signet: "rfc5280.aki-missing", openssl: true, class: "policy", why: "RFC 5280 4.2.1.1: every certificate that is not self-signed carries an authority key identifier, which a v1 certificate cannot; openssl's -x509_strict checks it in v3 certificates only", build: three(nil, nil, func(c *dCert) { c.version, c.noDefault = 1, true })},
		{name: "v1 leaf with extensions", signet: "rfc5280.aki-missing", openssl: false, build: three(nil, nil, func(c *dCert) { c.version = 1 })},

		// Key usage and extended key usage (openssl -purpose sslserver, signet serverAuth).
		{name: "leaf clientAuth only, serverAuth required", signet: "rfc5280.eku", openssl: false, build: then(three(nil, nil, mod(setExt(dExt(oidEKU, false, []asn1.ObjectIdentifier{ekuClient})))), withPol(serverEKU, "-purpose", "sslserver"))},
		{name: "intermediate EKU codeSigning, serverAuth required", signet: "signet.ca-eku", openssl: false, build: then(three(nil, mod(addExt(dExt(oidEKU, false, []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 3}}))), nil), withPol(serverEKU, "-purpose", "sslserver"))},
		{name: "leaf without EKU, serverAuth required", signet: "", openssl: true, build: then(three(nil, nil, mod(without(oidEKU))), withPol(serverEKU, "-purpose", "sslserver"))},
		{name: "leaf anyEKU only, serverAuth required", signet: "", openssl: false, class: "policy", why: "RFC 5280 4.2.1.12: anyExtendedKeyUsage allows every purpose; Policy.ExplicitEKU and the webpki profile refuse it", build: then(three(nil, nil, mod(setExt(dExt(oidEKU, false, []asn1.ObjectIdentifier{ekuAny})))), withPol(serverEKU, "-purpose", "sslserver"))},
		{name: "leaf key usage cRLSign only, serverAuth required", signet: "", openssl: false, class: "policy", why: "signet checks the key usage bits the caller requires (Policy.KeyUsage, none here); openssl's sslserver purpose wants digitalSignature, keyEncipherment or keyAgreement", build: then(three(nil, nil, mod(setExt(kuExt(x509.KeyUsageCRLSign)))), withPol(serverEKU, "-purpose", "sslserver"))},
		{name: "leaf key usage empty", signet: "rfc5280.ku-empty", openssl: false, build: three(nil, nil, mod(setExt(kuExt(0))))},
		{name: "leaf EKU empty", signet: "rfc5280.eku-empty", openssl: true, class: "signet", why: "RFC 5280 4.2.1.12: ExtKeyUsageSyntax is SIZE (1..MAX)", build: three(nil, nil, mod(setExt(rawExt(oidEKU, false, []byte{0x30, 0}))))},

		// Name chaining.
		{name: "issuer name in other case", signet: "", openssl: true, build: three(nil, nil, func(c *dCert) { c.iss = dName("DIFF intermediate") })},
		{name: "issuer name with extra spaces", signet: "", openssl: true, build: three(nil, nil, func(c *dCert) { c.iss = dName("  Diff   Intermediate ") })},
		{name: "issuer name UTF8String, subject PrintableString", signet: "", openssl: true, build: three(nil, func(c *dCert) {
			c.subj = dRawName(attr{dOidO, tagPrint, "Signet Diff"}, attr{dOidCN, tagPrint, "Diff Intermediate"})
		}, func(c *dCert) {
			c.iss = dRawName(attr{dOidO, tagUTF8, "Signet Diff"}, attr{dOidCN, tagUTF8, "Diff Intermediate"})
		})},
		{name: "issuer name attributes in another order", signet: "signet.no-path", openssl: false, build: three(nil, nil, func(c *dCert) {
			c.iss = dRawName(attr{dOidCN, tagPrint, "Diff Intermediate"}, attr{dOidO, tagPrint, "Signet Diff"})
		})},
		{name: "issuer name differs", signet: "signet.no-path", openssl: false, build: three(nil, nil, func(c *dCert) { c.iss = dName("Diff Intermediat") })},
		{name: "leaf empty subject, critical SAN", signet: "", openssl: true, build: three(nil, nil, func(c *dCert) {
			c.subj = []byte{0x30, 0}
			c.mod = setExt(sanOfNames(true, gnDNS("leaf.example.com")))
		})},
		{name: "leaf empty subject, SAN not critical", signet: "rfc5280.subject-empty-san-not-critical", openssl: false, build: three(nil, nil, func(c *dCert) { c.subj = []byte{0x30, 0} })},
		{name: "leaf empty subject, no SAN", signet: "rfc5280.subject-empty-no-san", openssl: false, build: three(nil, nil, func(c *dCert) { c.subj, c.mod = []byte{0x30, 0}, without(oidSAN) })},
		{name: "intermediate empty subject", signet: "rfc5280.issuer-empty", openssl: false, build: three(nil, func(c *dCert) { c.subj = []byte{0x30, 0} }, nil)},
		{name: "leaf critical SAN beside a subject", signet: "", openssl: true, build: three(nil, nil, mod(setExt(sanOfNames(true, gnDNS("leaf.example.com")))))},
		{name: "leaf AKI names another key", signet: "", openssl: false, class: "signet", why: "RFC 5280 6.1 never uses key identifiers; 4.2.1.1 makes them a path-building aid: the name and the signature chain the leaf", build: three(nil, nil, mod(setExt(dAKI([]byte("not the issuer's key id")))))},
		{name: "intermediate SKI is another key's", signet: "", openssl: false, class: "signet", why: "RFC 5280 6.1 never uses key identifiers: the name and the signature chain the leaf", build: three(nil, mod(setExt(dExt(oidSKI, false, []byte("another id")))), nil)},
		{name: "leaf without AKI", signet: "rfc5280.aki-missing", openssl: false, build: three(nil, nil, mod(without(oidAKI)))},
		{name: "intermediate without SKI", signet: "rfc5280.ski-missing", openssl: false, build: three(nil, mod(without(oidSKI)), nil)},
		{name: "impostor intermediate of the same name first", signet: "", openssl: true, build: func() dChain {
			ch := three(nil, nil, nil)()
			fake := dBuild(dCert{cn: "Diff Intermediate", key: "Diff Impostor", ca: true}, ch.roots[0])
			ch.inters = append([]*dIssued{fake}, ch.inters...)
			return ch
		}},
		{name: "leaf signed by another key", signet: "signet.no-path", openssl: false, build: three(nil, nil, func(c *dCert) { c.signedBy = "Diff Other" })},
		{name: "leaf signature corrupt", signet: "signet.no-path", openssl: false, build: three(nil, nil, func(c *dCert) { c.corrupt = true })},

		// Encodings.
		{name: "outer signature algorithm differs from TBS", signet: "unparsed", openssl: false, build: three(nil, nil, func(c *dCert) { c.outerAlg = algID(asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}, nil) })},
		{name: "ECDSA algorithm with NULL parameters", signet: "", openssl: true, build: three(nil, nil, func(c *dCert) { c.alg = "ecdsa-null" })},
		{name: "trailing data after the leaf", signet: "unparsed", openssl: true, class: "signet", why: "X.690 10: a certificate is one DER value; openssl ignores bytes after it", build: three(nil, nil, func(c *dCert) { c.trailing = []byte{0, 0} })},
		{name: "duplicate extension", signet: "unparsed", openssl: false, build: three(nil, nil, mod(addExt(dExt(oidSKI, false, []byte("dup")))))},
		{name: "serial zero", signet: "rfc5280.serial-zero", openssl: true, class: "signet", why: "RFC 5280 4.1.2.2: the serial MUST be a positive integer", build: three(nil, nil, func(c *dCert) { c.serial = big.NewInt(0) })},
		{name: "serial negative", signet: "rfc5280.serial-negative", openssl: true, class: "signet", why: "RFC 5280 4.1.2.2: the serial MUST be a positive integer (parsed gracefully, then refused by rule)", build: three(nil, nil, func(c *dCert) { c.serial = big.NewInt(-77) })},
		{name: "serial 20 octets", signet: "", openssl: true, build: three(nil, nil, func(c *dCert) { c.serial = new(big.Int).Lsh(big.NewInt(1), 158) })},
		{name: "serial 21 octets", signet: "rfc5280.serial-too-long", openssl: true, class: "signet", why: "RFC 5280 4.1.2.2: conforming CAs MUST NOT use serial numbers longer than 20 octets", build: three(nil, nil, func(c *dCert) { c.serial = new(big.Int).Lsh(big.NewInt(1), 162) })},
		{name: "RSA-PSS SHA-256 salt 32", signet: "", openssl: true, build: three(nil, func(c *dCert) { c.key = "rsa:inter" }, func(c *dCert) { c.alg = "pss" })},
		{name: "RSA-PSS SHA-256 salt 20", signet: "", openssl: true, build: three(nil, func(c *dCert) { c.key = "rsa:inter" }, func(c *dCert) { c.alg = "pss-salt20" })},
		{name: "RSA-PSS MGF1 hash differs", signet: "signet.no-path", openssl: false, build: three(nil, func(c *dCert) { c.key = "rsa:inter" }, func(c *dCert) { c.alg = "pss-mgf-sha1" })},
		{name: "RSA-PSS default parameters (SHA-1)", signet: "signet.no-path", openssl: true, class: "policy", why: "absent RSASSA-PSS parameters mean SHA-1 (RFC 4055), which signet does not verify", build: three(nil, func(c *dCert) { c.key = "rsa:inter" }, func(c *dCert) { c.alg = "pss-noparams" })},
		{name: "RSA PKCS1 SHA-256", signet: "", openssl: true, build: three(nil, func(c *dCert) { c.key = "rsa:inter" }, nil)},

		// Unknown critical extensions.
		{name: "unknown critical extension in leaf", signet: "rfc5280.unknown-critical-extension", openssl: false, build: three(nil, nil, mod(addExt(pkix.Extension{Id: oidUnknown, Critical: true, Value: []byte{5, 0}})))},
		{name: "unknown critical extension in intermediate", signet: "rfc5280.unknown-critical-extension", openssl: false, build: three(nil, mod(addExt(pkix.Extension{Id: oidUnknown, Critical: true, Value: []byte{5, 0}})), nil)},
		{name: "unknown critical extension in root", signet: "rfc5280.unknown-critical-extension", openssl: false, build: three(mod(addExt(pkix.Extension{Id: oidUnknown, Critical: true, Value: []byte{5, 0}})), nil, nil)},
		{name: "unknown non-critical extension in leaf", signet: "", openssl: true, build: three(nil, nil, mod(addExt(pkix.Extension{Id: oidUnknown, Value: []byte{5, 0}})))},
		{name: "critical SKI in intermediate", signet: "rfc5280.ski-critical", openssl: false, build: three(nil, mod(setExt(pkix.Extension{Id: oidSKI, Critical: true, Value: mustMarshal([]byte("id"))})), nil)},
		{name: "critical AIA in leaf", signet: "rfc5280.unknown-critical-extension", openssl: false, build: three(nil, nil, mod(addExt(pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}, Critical: true,
			Value: seqOf(seqOfRaw(mustMarshal(asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1}), gnURI("http://ocsp.example.com")))})))},

		// Name constraints.
		{name: "nc dns permitted, inside", signet: "", openssl: true, build: three(nil, interNC(dns("example.com"), nil), nil)},
		{name: "nc dns permitted, outside", signet: "rfc5280.nc-permitted", openssl: false, build: three(nil, interNC(dns("example.org"), nil), nil)},
		{name: "nc dns permitted, suffix not on a label", signet: "rfc5280.nc-permitted", openssl: false, build: three(nil, interNC(dns("ample.com"), nil), nil)},
		{name: "nc dns permitted, other case", signet: "", openssl: true, build: three(nil, interNC(dns("EXAMPLE.com"), nil), nil)},
		{name: "nc dns excluded, inside", signet: "rfc5280.nc-excluded", openssl: false, build: three(nil, interNC(nil, dns("example.com")), nil)},
		{name: "nc dns excluded in root", signet: "rfc5280.nc-excluded", openssl: false, build: three(mod(ncOf(nil, dns("example.com"))), nil, nil)},
		{name: "nc dns permitted, CN outside and no SAN", signet: "", openssl: false, class: "policy", why: "RFC 5280 4.2.1.10 applies dNSName constraints to dNSNames only, and signet never takes the common name for a host name (checkNames); openssl checks a host-like CN", build: three(nil, interNC(dns("example.org"), nil), func(c *dCert) { c.dnsNames = []string{""} })},
		{name: "nc dns permitted, CN outside beside a SAN inside", signet: "", openssl: true, build: three(nil, interNC(dns("example.com"), nil), func(c *dCert) {
			c.cn, c.key, c.dnsNames = "evil.example.org", "leaf", []string{"leaf.example.com"}
		})},
		{name: "nc dns permitted, leaf trailing dot", signet: "", openssl: false, class: "policy", why: "leaf.example.com. is the same host as leaf.example.com (RFC 1034 3.1) and inside example.com; openssl compares the strings", build: three(nil, interNC(dns("example.com"), nil), func(c *dCert) { c.dnsNames = []string{"leaf.example.com."} })},
		{name: "nc dns permitted, wildcard leaf", signet: "", openssl: true, build: three(nil, interNC(dns("example.com"), nil), func(c *dCert) { c.dnsNames = []string{"*.example.com"} })},
		{name: "nc dns excluded, wildcard leaf above", signet: "rfc5280.nc-excluded", openssl: true, class: "policy", why: "*.example.com can stand for a.example.com, which is excluded: signet refuses it, as Chromium and x509-limbo do; RFC 5280 does not say how wildcards meet constraints", build: three(nil, interNC(nil, dns("a.example.com")), func(c *dCert) { c.dnsNames = []string{"*.example.com"} })},
		{name: "nc ip permitted, inside", signet: "", openssl: true, build: three(nil, interNC([][]byte{gnIP("10.0.0.0/8")}, nil), leafSAN(false, gn(7, false, []byte{10, 1, 2, 3})))},
		{name: "nc ip permitted, outside", signet: "rfc5280.nc-permitted", openssl: false, build: three(nil, interNC([][]byte{gnIP("10.0.0.0/8")}, nil), leafSAN(false, gn(7, false, []byte{11, 1, 2, 3})))},
		{name: "nc ip permitted v6, leaf v4", signet: "rfc5280.nc-permitted", openssl: false, build: three(nil, interNC([][]byte{gnIP("2001:db8::/32")}, nil), leafSAN(false, gn(7, false, []byte{10, 1, 2, 3})))},
		{name: "nc ip non-contiguous mask", signet: "unparsed", openssl: false, build: three(nil, interNC([][]byte{gn(7, false, []byte{10, 0, 0, 0, 255, 0, 255, 0})}, nil), leafSAN(false, gn(7, false, []byte{10, 1, 2, 3})))},
		{name: "nc ip excluded, inside", signet: "rfc5280.nc-excluded", openssl: false, build: three(nil, interNC(nil, [][]byte{gnIP("10.1.0.0/16")}), leafSAN(false, gn(7, false, []byte{10, 1, 2, 3})))},
		{name: "nc ip constraint, leaf only DNS", signet: "", openssl: true, build: three(nil, interNC([][]byte{gnIP("10.0.0.0/8")}, nil), nil)},
		{name: "nc email domain, inside", signet: "", openssl: true, build: three(nil, interNC([][]byte{gnEmail("example.com")}, nil), leafSAN(false, gnEmail("a@example.com")))},
		{name: "nc email domain, subdomain", signet: "rfc5280.nc-permitted", openssl: false, build: three(nil, interNC([][]byte{gnEmail("example.com")}, nil), leafSAN(false, gnEmail("a@sub.example.com")))},
		{name: "nc email .domain, subdomain", signet: "", openssl: true, build: three(nil, interNC([][]byte{gnEmail(".example.com")}, nil), leafSAN(false, gnEmail("a@sub.example.com")))},
		{name: "nc email .domain, the domain itself", signet: "rfc5280.nc-permitted", openssl: false, build: three(nil, interNC([][]byte{gnEmail(".example.com")}, nil), leafSAN(false, gnEmail("a@example.com")))},
		{name: "nc email mailbox, another mailbox", signet: "rfc5280.nc-permitted", openssl: false, build: three(nil, interNC([][]byte{gnEmail("a@example.com")}, nil), leafSAN(false, gnEmail("b@example.com")))},
		{name: "nc email mailbox, domain case", signet: "", openssl: true, build: three(nil, interNC([][]byte{gnEmail("a@example.com")}, nil), leafSAN(false, gnEmail("a@EXAMPLE.com")))},
		{name: "nc email, subject emailAddress outside", signet: "rfc5280.nc-permitted", openssl: false, build: three(nil, interNC([][]byte{gnEmail("example.com")}, nil), func(c *dCert) {
			c.subj = dRawName(attr{dOidO, tagUTF8, "Signet Diff"}, attr{oidEmail, tagIA5, "x@evil.org"})
			c.mod = without(oidSAN)
		})},
		{name: "nc uri host, inside", signet: "", openssl: true, build: three(nil, interNC([][]byte{gnURI("example.com")}, nil), leafSAN(false, gnURI("https://example.com/path")))},
		{name: "nc uri host, subdomain", signet: "rfc5280.nc-permitted", openssl: false, build: three(nil, interNC([][]byte{gnURI("example.com")}, nil), leafSAN(false, gnURI("https://a.example.com/")))},
		{name: "nc uri .domain, subdomain", signet: "", openssl: true, build: three(nil, interNC([][]byte{gnURI(".example.com")}, nil), leafSAN(false, gnURI("https://a.example.com/")))},
		{name: "nc uri, uri with userinfo and port", signet: "", openssl: false, class: "signet", why: "RFC 5280 4.2.1.10: a URI constraint applies to the host part (RFC 3986 3.2.2), example.com here; openssl takes u@example.com for the host", build: three(nil, interNC([][]byte{gnURI("example.com")}, nil), leafSAN(false, gnURI("https://u@example.com:8443/")))},
		{name: "nc uri, uri without host", signet: "rfc5280.nc-unchecked-name", openssl: false, build: three(nil, interNC([][]byte{gnURI("example.com")}, nil), leafSAN(false, gnURI("urn:example:com")))},
		{name: "nc dirName permitted, inside", signet: "", openssl: true, build: three(nil, interNC([][]byte{gnDir(pkix.Name{Organization: []string{"Signet Diff"}})}, nil), nil)},
		{name: "nc dirName permitted, outside", signet: "rfc5280.nc-permitted", openssl: false, build: three(nil, interNC([][]byte{gnDir(pkix.Name{Organization: []string{"Other"}})}, nil), nil)},
		{name: "nc dirName excluded, inside", signet: "rfc5280.nc-excluded", openssl: false, build: three(nil, interNC(nil, [][]byte{gnDir(pkix.Name{Organization: []string{"Signet Diff"}})}), nil)},
		{name: "nc dirName permitted, other case", signet: "", openssl: true, build: three(nil, interNC([][]byte{gnDir(pkix.Name{Organization: []string{"SIGNET diff"}})}, nil), nil)},
		{name: "nc dirName permitted, leaf empty subject", signet: "", openssl: true, build: three(nil, interNC([][]byte{gnDir(pkix.Name{Organization: []string{"Other"}})}, nil), func(c *dCert) {
			c.subj = []byte{0x30, 0}
			c.mod = setExt(sanOfNames(true, gnDNS("leaf.example.com")))
		})},
		{name: "nc dirName, dirName SAN outside", signet: "rfc5280.nc-permitted", openssl: false, build: three(nil, interNC([][]byte{gnDir(pkix.Name{Organization: []string{"Signet Diff"}})}, nil),
			leafSAN(false, gnDNS("leaf.example.com"), gnDir(dnOf("x", "Other"))))},
		{name: "nc in root, self-issued intermediate outside", signet: "", openssl: true, build: func() dChain {
			r := dBuild(dCert{cn: "Diff Root", ca: true, mod: ncOf([][]byte{gnDir(pkix.Name{Organization: []string{"Other"}})}, nil)}, nil)
			si := dBuild(dCert{cn: "Diff Root", key: "Diff Root 2", ca: true}, r)
			l := dBuild(dCert{subj: dRawName(attr{dOidO, tagUTF8, "Other"}, attr{dOidCN, tagUTF8, "leaf"}), key: "leaf", dnsNames: []string{"leaf.example.com"}}, si)
			return dChain{leaf: l, inters: []*dIssued{si}, roots: []*dIssued{r}}
		}},
		{name: "nc in self-issued intermediate applies to leaf", signet: "rfc5280.nc-permitted", openssl: false, build: func() dChain {
			r := dBuild(dCert{cn: "Diff Root", ca: true}, nil)
			si := dBuild(dCert{cn: "Diff Root", key: "Diff Root 2", ca: true, mod: ncOf(dns("example.org"), nil)}, r)
			l := dBuild(dCert{cn: "leaf.example.com"}, si)
			return dChain{leaf: l, inters: []*dIssued{si}, roots: []*dIssued{r}}
		}},
		{name: "nc not critical", signet: "rfc5280.nc-not-critical", openssl: true, class: "policy", why: "RFC 5280 4.2.1.10: conforming CAs MUST mark name constraints critical; the rfc5280 profile refuses it, the webpki profile accepts it as the Baseline Requirements do", build: three(nil, mod(addExt(ncExt(false, dns("example.com"), nil))), nil)},
		{name: "nc in leaf", signet: "rfc5280.nc-not-ca", openssl: true, class: "signet", why: "RFC 5280 4.2.1.10: name constraints MUST be used only in a CA certificate", build: three(nil, nil, mod(ncOf(dns("example.com"), nil)))},
		{name: "nc dns leading period", signet: "rfc5280.nc-invalid", openssl: true, class: "policy", why: "rfc5280.nc-invalid: RFC 5280 4.2.1.10 gives the leading period meaning to URI and email constraints only; a dNSName constraint is a host name (doc.go)", build: three(nil, interNC(dns(".example.com"), nil), nil)},
		{name: "nc empty", signet: "unparsed", openssl: true, class: "signet", why: "RFC 5280 4.2.1.10: an empty name constraints sequence MUST NOT be issued; crypto/x509 refuses to parse it (the CLI exits with a malformed-input error)", build: three(nil, mod(addExt(rawExt(oidNC, true, []byte{0x30, 0}))), nil)},
		{name: "nc permitted dns, leaf SAN otherName only", signet: "", openssl: true, build: three(nil, interNC(dns("example.com"), nil),
			leafSAN(true, gn(0, true, append(mustMarshal(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3}), gn(0, true, []byte{0x0c, 1, 'x'})...))))},
		{name: "nc permitted dns, leaf SAN otherName malformed", signet: "rfc5280.san-encoding", openssl: false, class: "fixed", why: "RFC 5280 4.2.1.6: an otherName is a type-id and one [0] value; signet did not read it and accepted the certificate (TestSANOpaqueFormsEncoding)", build: three(nil, interNC(dns("example.com"), nil),
			leafSAN(true, gn(0, true, seqOfRaw(mustMarshal(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3}), gn(0, true, []byte{0x0c, 1, 'x'})))))},

		// Certificate policies (openssl -policy / -explicit_policy / -inhibit_*).
		{name: "policy required and asserted", signet: "", openssl: true, build: then(three(mod(addExt(policiesOf(pol1))), mod(addExt(policiesOf(pol1))), mod(addExt(policiesOf(pol1)))),
			withPol(func(p *verify.Policy) { p.Policies, p.RequireExplicitPolicy = []asn1.ObjectIdentifier{pol1}, true }, "-policy", pol1.String(), "-explicit_policy"))},
		{name: "policy required, another asserted", signet: "rfc5280.policy-required", openssl: false, build: then(three(nil, mod(addExt(policiesOf(pol1))), mod(addExt(policiesOf(pol1)))),
			withPol(func(p *verify.Policy) { p.Policies, p.RequireExplicitPolicy = []asn1.ObjectIdentifier{pol2}, true }, "-policy", pol2.String(), "-explicit_policy"))},
		{name: "policy required, leaf without policies", signet: "rfc5280.policy-required", openssl: false, build: then(three(nil, mod(addExt(policiesOf(pol1))), nil),
			withPol(func(p *verify.Policy) { p.RequireExplicitPolicy = true }, "-explicit_policy"))},
		{name: "policy not required, leaf without policies", signet: "", openssl: true, build: then(three(nil, mod(addExt(policiesOf(pol1))), nil),
			withPol(func(p *verify.Policy) { p.Policies = []asn1.ObjectIdentifier{pol2} }, "-policy", pol2.String(), "-policy_check"))},
		{name: "policy required, anyPolicy among those accepted", signet: "", openssl: true, build: then(three(nil, mod(addExt(policiesOf(pol1))), mod(addExt(policiesOf(pol1)))),
			withPol(func(p *verify.Policy) {
				p.Policies, p.RequireExplicitPolicy = []asn1.ObjectIdentifier{pol2, polAny}, true
			}, "-policy", pol2.String(), "-policy", "anyPolicy", "-explicit_policy"))},
		{name: "policy anyPolicy in intermediate", signet: "", openssl: true, build: then(three(nil, mod(addExt(policiesOf(polAny))), mod(addExt(policiesOf(pol1)))),
			withPol(func(p *verify.Policy) { p.Policies, p.RequireExplicitPolicy = []asn1.ObjectIdentifier{pol1}, true }, "-policy", pol1.String(), "-explicit_policy"))},
		{name: "policy anyPolicy in intermediate, inhibit any", signet: "rfc5280.policy-required", openssl: false, build: then(three(nil, mod(addExt(policiesOf(polAny))), mod(addExt(policiesOf(pol1)))),
			withPol(func(p *verify.Policy) {
				p.Policies, p.RequireExplicitPolicy, p.InhibitAnyPolicy = []asn1.ObjectIdentifier{pol1}, true, true
			}, "-policy", pol1.String(), "-explicit_policy", "-inhibit_any"))},
		{name: "policy anyPolicy in leaf, inhibit any", signet: "rfc5280.policy-required", openssl: false, build: then(three(nil, mod(addExt(policiesOf(pol1))), mod(addExt(policiesOf(polAny)))),
			withPol(func(p *verify.Policy) {
				p.Policies, p.RequireExplicitPolicy, p.InhibitAnyPolicy = []asn1.ObjectIdentifier{pol1}, true, true
			}, "-policy", pol1.String(), "-explicit_policy", "-inhibit_any"))},
		{name: "policy mapped", signet: "", openssl: true, build: then(three(nil, mod(addExt(policiesOf(pol1), mappingsOf(pol1, pol2))), mod(addExt(policiesOf(pol2)))),
			withPol(func(p *verify.Policy) { p.Policies, p.RequireExplicitPolicy = []asn1.ObjectIdentifier{pol1}, true }, "-policy", pol1.String(), "-explicit_policy"))},
		{name: "policy mapped, inhibit mapping", signet: "rfc5280.policy-required", openssl: false, build: then(three(nil, mod(addExt(policiesOf(pol1), mappingsOf(pol1, pol2))), mod(addExt(policiesOf(pol2)))),
			withPol(func(p *verify.Policy) {
				p.Policies, p.RequireExplicitPolicy, p.InhibitPolicyMapping = []asn1.ObjectIdentifier{pol1}, true, true
			}, "-policy", pol1.String(), "-explicit_policy", "-inhibit_map"))},
		{name: "policy mapped, asked in the subject domain", signet: "rfc5280.policy-required", openssl: false, build: then(three(nil, mod(addExt(policiesOf(pol1), mappingsOf(pol1, pol2))), mod(addExt(policiesOf(pol2)))),
			withPol(func(p *verify.Policy) { p.Policies, p.RequireExplicitPolicy = []asn1.ObjectIdentifier{pol2}, true }, "-policy", pol2.String(), "-explicit_policy"))},
		{name: "policy mapping of anyPolicy", signet: "rfc5280.policy-mapping-any", openssl: false, build: then(three(nil, mod(addExt(policiesOf(pol1), mappingsOf(polAny, pol2))), mod(addExt(policiesOf(pol2)))),
			withPol(nil, "-policy_check"))},
		{name: "policy intermediate requireExplicitPolicy 0, leaf without", signet: "rfc5280.policy-required", openssl: false, build: then(three(nil, mod(addExt(policiesOf(pol1), pcExt(0, -1))), nil), withPol(nil, "-policy_check"))},
		{name: "policy root requireExplicitPolicy 1, leaf without", signet: "", openssl: true, build: then(three(mod(addExt(pcExt(1, -1))), mod(addExt(policiesOf(pol1))), nil), withPol(nil, "-policy_check"))},
		{name: "policy root requireExplicitPolicy 2, leaf without", signet: "", openssl: true, build: then(three(mod(addExt(pcExt(2, -1))), mod(addExt(policiesOf(pol1))), nil), withPol(nil, "-policy_check"))},
		{name: "policy intermediate inhibitPolicyMapping 0, leaf's issuer maps", signet: "rfc5280.policy-required", openssl: false, build: func() dChain {
			r := dBuild(dCert{cn: "Diff Root", ca: true}, nil)
			i := dBuild(dCert{cn: "Diff Intermediate", ca: true, mod: addExt(policiesOf(pol1), pcExt(-1, 0))}, r)
			i2 := dBuild(dCert{cn: "Diff Intermediate 2", ca: true, mod: addExt(policiesOf(pol1), mappingsOf(pol1, pol2))}, i)
			l := dBuild(dCert{cn: "leaf.example.com", mod: addExt(policiesOf(pol2))}, i2)
			ch := dChain{leaf: l, inters: []*dIssued{i, i2}, roots: []*dIssued{r}}
			return withPol(func(p *verify.Policy) { p.RequireExplicitPolicy = true }, "-explicit_policy")(ch)
		}},
		{name: "policy intermediate inhibitAnyPolicy 0, next asserts anyPolicy", signet: "rfc5280.policy-required", openssl: false, build: func() dChain {
			r := dBuild(dCert{cn: "Diff Root", ca: true}, nil)
			i := dBuild(dCert{cn: "Diff Intermediate", ca: true, mod: addExt(policiesOf(polAny), inhibitAnyExt(0))}, r)
			i2 := dBuild(dCert{cn: "Diff Intermediate 2", ca: true, mod: addExt(policiesOf(polAny))}, i)
			l := dBuild(dCert{cn: "leaf.example.com", mod: addExt(policiesOf(pol1))}, i2)
			ch := dChain{leaf: l, inters: []*dIssued{i, i2}, roots: []*dIssued{r}}
			return withPol(func(p *verify.Policy) { p.RequireExplicitPolicy = true }, "-explicit_policy")(ch)
		}},
		{name: "policy self-issued intermediate anyPolicy under inhibitAnyPolicy 0", signet: "", openssl: false, class: "signet", why: "RFC 5280 6.1.3 (d)(2): anyPolicy in a self-issued certificate that is not the last is processed whatever inhibit_anyPolicy says", build: func() dChain {
			r := dBuild(dCert{cn: "Diff Root", ca: true}, nil)
			i := dBuild(dCert{cn: "Diff Intermediate", ca: true, mod: addExt(policiesOf(pol1), inhibitAnyExt(0))}, r)
			si := dBuild(dCert{cn: "Diff Intermediate", key: "Diff Intermediate 2", ca: true, mod: addExt(policiesOf(polAny))}, i)
			l := dBuild(dCert{cn: "leaf.example.com", mod: addExt(policiesOf(pol1))}, si)
			ch := dChain{leaf: l, inters: []*dIssued{i, si}, roots: []*dIssued{r}}
			return withPol(func(p *verify.Policy) { p.RequireExplicitPolicy = true }, "-explicit_policy")(ch)
		}},
		{name: "policy constraints empty", signet: "rfc5280.pc-empty", openssl: true, class: "signet", why: "RFC 5280 4.2.1.11: conforming CAs MUST NOT issue an empty policy constraints sequence", build: three(nil, mod(addExt(rawExt(oidPC, true, []byte{0x30, 0}))), nil)},

		// CRLs (openssl -crl_check: the leaf; signet RequireCRL, which needs the same CRLs here).
		{name: "crl current, leaf not listed", signet: "", openssl: true, build: crlChain(func(i *dIssued) dCRLSpec { return dCRLSpec{issuer: i} })},
		{name: "crl lists the leaf", signet: "rfc5280.revoked", openssl: false, build: crlChain(func(i *dIssued) dCRLSpec { return dCRLSpec{issuer: i, revoked: []*big.Int{revokedLeaf}} })},
		{name: "crl expired", signet: "rfc5280.crl-expired", openssl: false, build: crlChain(func(i *dIssued) dCRLSpec { return dCRLSpec{issuer: i, nextUpdate: at.Add(-sec)} })},
		{name: "crl nextUpdate is now", signet: "", openssl: false, class: "signet", why: "RFC 5280 6.3.3 (a): a CRL is stale only when the current time is after nextUpdate", build: crlChain(func(i *dIssued) dCRLSpec { return dCRLSpec{issuer: i, nextUpdate: at} })},
		{name: "crl thisUpdate in the future", signet: "rfc5280.crl-not-yet-valid", openssl: false, build: crlChain(func(i *dIssued) dCRLSpec { return dCRLSpec{issuer: i, thisUpdate: at.Add(sec)} })},
		{name: "crl without nextUpdate", signet: "rfc5280.crl-next-update-missing", openssl: true, class: "policy", why: "RFC 5280 5.1.2.5: CRL issuers MUST include nextUpdate; without it a CRL is never stale, so signet refuses it", build: crlChain(func(i *dIssued) dCRLSpec { return dCRLSpec{issuer: i, noNext: true} })},
		{name: "crl signed by another key", signet: "rfc5280.crl-signature", openssl: false, build: crlChain(func(i *dIssued) dCRLSpec { return dCRLSpec{issuer: i, signKey: "Diff Other"} })},
		{name: "crl signature corrupt", signet: "rfc5280.crl-signature", openssl: false, build: crlChain(func(i *dIssued) dCRLSpec { return dCRLSpec{issuer: i, corruptSign: true} })},
		{name: "crl of another issuer name", signet: "rfc5280.crl-scope", openssl: false, build: crlChain(func(i *dIssued) dCRLSpec { return dCRLSpec{issuer: i, issuerName: dName("Diff Elsewhere")} })},
		{name: "crl without CRL number", signet: "rfc5280.crl-number-missing", openssl: true, class: "policy", why: "RFC 5280 5.2.3: CRL issuers MUST include the CRL number; signet refuses a CRL without it (rfc5280.crl-number-missing) rather than use it", build: crlChain(func(i *dIssued) dCRLSpec { return dCRLSpec{issuer: i, noNumber: true} })},
		{name: "crl unknown critical extension", signet: "rfc5280.crl-unknown-critical-extension", openssl: false, build: crlChain(func(i *dIssued) dCRLSpec {
			return dCRLSpec{issuer: i, exts: []pkix.Extension{{Id: oidUnknown, Critical: true, Value: []byte{5, 0}}}}
		})},
		{name: "crl entry unknown critical extension", signet: "rfc5280.crl-entry-unknown-critical-extension", openssl: false, build: crlChain(func(i *dIssued) dCRLSpec {
			return dCRLSpec{issuer: i, revoked: []*big.Int{big.NewInt(5)}, entryExts: []pkix.Extension{{Id: oidUnknown, Critical: true, Value: []byte{5, 0}}}}
		})},
		{name: "crl IDP only CA certificates", signet: "rfc5280.crl-scope", openssl: false, build: crlChain(func(i *dIssued) dCRLSpec {
			return dCRLSpec{issuer: i, revoked: []*big.Int{revokedLeaf}, exts: []pkix.Extension{idpExt(false, true)}}
		})},
		{name: "crl IDP only user certificates, lists the leaf", signet: "rfc5280.revoked", openssl: false, build: crlChain(func(i *dIssued) dCRLSpec {
			return dCRLSpec{issuer: i, revoked: []*big.Int{revokedLeaf}, exts: []pkix.Extension{idpExt(true, false)}}
		})},
		{name: "crl is a delta only", signet: "rfc5280.crl-scope", openssl: false, build: crlChain(func(i *dIssued) dCRLSpec {
			return dCRLSpec{issuer: i, revoked: []*big.Int{revokedLeaf}, exts: []pkix.Extension{dExt(oidDeltaCRL, true, big.NewInt(6))}}
		}, "-use_deltas")},
		{name: "crl issuer without cRLSign", signet: "rfc5280.crl-signer-no-crlsign", openssl: false, build: func() dChain {
			ch := three(nil, mod(setExt(kuExt(x509.KeyUsageCertSign))), func(c *dCert) { c.serial = revokedLeaf })()
			ch.crls = [][]byte{dCRL(dCRLSpec{issuer: ch.inters[0]})}
			ch.ossl, ch.pol = []string{"-crl_check"}, func(p *verify.Policy) { p.RequireCRL = true }
			return ch
		}},
		{name: "crl missing, required", signet: "signet.crl-required", openssl: false, build: then(three(nil, nil, nil), withPol(func(p *verify.Policy) { p.RequireCRL = true }, "-crl_check"))},
		{name: "crl base and delta revoking the leaf", signet: "rfc5280.revoked", openssl: true, class: "signet", why: "RFC 5280 5.2.4, 6.3.3 (c), (i): a delta CRL given with its base lists the leaf; openssl uses deltas only beside a freshest CRL extension, which governs fetching, not use", build: func() dChain {
			ch := three(nil, nil, func(c *dCert) { c.serial = revokedLeaf })()
			base := dCRL(dCRLSpec{issuer: ch.inters[0]})
			delta := dCRL(dCRLSpec{issuer: ch.inters[0], number: 8, revoked: []*big.Int{revokedLeaf}, exts: []pkix.Extension{dExt(oidDeltaCRL, true, big.NewInt(7))}})
			ch.crls = [][]byte{base, delta}
			ch.ossl, ch.pol = []string{"-crl_check", "-use_deltas"}, func(p *verify.Policy) { p.RequireCRL = true }
			return ch
		}},
		{name: "crl of the root lists the intermediate (crl_check_all)", signet: "rfc5280.revoked", openssl: false, build: func() dChain {
			ch := three(nil, func(c *dCert) { c.serial = revokedLeaf }, nil)()
			ch.crls = [][]byte{dCRL(dCRLSpec{issuer: ch.roots[0], revoked: []*big.Int{revokedLeaf}}), dCRL(dCRLSpec{issuer: ch.inters[0]})}
			ch.ossl, ch.pol = []string{"-crl_check_all"}, func(p *verify.Policy) { p.RequireCRL = true }
			return ch
		}},
	}
}

// seqOfRaw wraps DER elements in a SEQUENCE.
func seqOfRaw(elems ...[]byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, e := range elems {
			b.AddBytes(e)
		}
	})
	return b.BytesOrPanic()
}

// chainOf is root -> inters... -> leaf, each certificate adjusted by its function (nil: the
// default), the intermediates named Diff CA 1, 2, ...
func chainOf(root func(*dCert), inters []func(*dCert), leaf func(*dCert)) func() dChain {
	return func() dChain {
		r := dCert{cn: "Diff Root", ca: true}
		if root != nil {
			root(&r)
		}
		parent := dBuild(r, nil)
		ch := dChain{roots: []*dIssued{parent}}
		for k, f := range inters {
			c := dCert{cn: "Diff CA " + string(rune('1'+k)), ca: true}
			if f != nil {
				f(&c)
			}
			parent = dBuild(c, parent)
			ch.inters = append(ch.inters, parent)
		}
		l := dCert{cn: "leaf.example.com"}
		if leaf != nil {
			leaf(&l)
		}
		ch.leaf = dBuild(l, parent)
		return ch
	}
}

func diffCases2() []dCase {
	at := dAt
	dns := func(s ...string) [][]byte {
		var out [][]byte
		for _, d := range s {
			out = append(out, gnDNS(d))
		}
		return out
	}
	interNC := func(permitted, excluded [][]byte) func(*dCert) { return mod(ncOf(permitted, excluded)) }
	explicit := func(pols ...asn1.ObjectIdentifier) func(dChain) dChain {
		args := []string{"-explicit_policy"}
		for _, p := range pols {
			args = append(args, "-policy", p.String())
		}
		return withPol(func(p *verify.Policy) { p.Policies, p.RequireExplicitPolicy = pols, true }, args...)
	}
	pols := func(oids ...asn1.ObjectIdentifier) func(*dCert) { return mod(addExt(policiesOf(oids...))) }
	selfIssued := func(key string, m func([]pkix.Extension) []pkix.Extension) func(*dCert) {
		// named as the CA above it (Diff CA k-1 is the previous one's name)
		return func(c *dCert) { c.key, c.mod = key, m }
	}
	revokedLeaf := big.NewInt(0x7777)
	crldpExt := func(uri string) pkix.Extension { return rawExt(oidCRLDP, false, crldp(uri)) }
	idpURI := func(uri string) pkix.Extension {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddBytes(gnURI(uri)) })
			})
		})
		return pkix.Extension{Id: oidIDP, Critical: true, Value: b.BytesOrPanic()}
	}
	crlFor := func(leafMod func(*dCert), spec func(inter *dIssued) dCRLSpec, ossl ...string) func() dChain {
		return func() dChain {
			ch := three(nil, nil, func(c *dCert) {
				c.serial = revokedLeaf
				if leafMod != nil {
					leafMod(c)
				}
			})()
			ch.crls = [][]byte{dCRL(spec(ch.inters[0]))}
			ch.ossl = append([]string{"-crl_check"}, ossl...)
			ch.pol = func(p *verify.Policy) { p.RequireCRL = true }
			return ch
		}
	}
	return []dCase{
		// Policies, harder.
		{name: "policy anyPolicy intermediate maps P1 to P2, leaf P2, asked P1", signet: "", openssl: true,
			build: then(three(nil, mod(addExt(policiesOf(polAny), mappingsOf(pol1, pol2))), pols(pol2)), explicit(pol1))},
		{name: "policy two mappings in a row", signet: "", openssl: true,
			build: then(chainOf(nil, []func(*dCert){mod(addExt(policiesOf(pol1), mappingsOf(pol1, pol2))), mod(addExt(policiesOf(pol2), mappingsOf(pol2, pol3)))}, pols(pol3)), explicit(pol1))},
		{name: "policy leaf anyPolicy, intermediates anyPolicy, asked P1", signet: "", openssl: true,
			build: then(three(pols(polAny), pols(polAny), pols(polAny)), explicit(pol1))},
		{name: "policy mapping P1 to P2 and P3, leaf P3", signet: "", openssl: true,
			build: then(three(nil, mod(addExt(policiesOf(pol1), mappingsOf(pol1, pol2, pol1, pol3))), pols(pol3)), explicit(pol1))},
		{name: "policy requireExplicitPolicy 1 counted past a self-issued CA", signet: "rfc5280.policy-required", openssl: false,
			build: then(chainOf(nil, []func(*dCert){mod(addExt(policiesOf(pol1), pcExt(1, -1))), func(c *dCert) {
				c.cn, c.key, c.mod = "Diff CA 1", "Diff CA 1b", addExt(policiesOf(pol1))
			}}, nil), withPol(nil, "-policy_check"))},
		{name: "policy requireExplicitPolicy 1, intermediate then leaf without", signet: "rfc5280.policy-required", openssl: false,
			build: then(chainOf(nil, []func(*dCert){mod(addExt(policiesOf(pol1), pcExt(1, -1))), pols(pol1)}, nil), withPol(nil, "-policy_check"))},
		{name: "policy requireExplicitPolicy 2, intermediate then leaf without", signet: "rfc5280.policy-required", openssl: false,
			build: then(chainOf(nil, []func(*dCert){mod(addExt(policiesOf(pol1), pcExt(2, -1))), pols(pol1)}, nil), withPol(nil, "-policy_check"))},
		{name: "policy inhibitPolicyMapping 1, mapping one below", signet: "", openssl: true,
			build: then(chainOf(nil, []func(*dCert){mod(addExt(policiesOf(pol1), pcExt(-1, 1))), mod(addExt(policiesOf(pol1), mappingsOf(pol1, pol2)))}, pols(pol2)), explicit(pol1))},
		{name: "policy inhibitPolicyMapping 1, mapping two below", signet: "rfc5280.policy-required", openssl: false,
			build: then(chainOf(nil, []func(*dCert){mod(addExt(policiesOf(pol1), pcExt(-1, 1))), pols(pol1), mod(addExt(policiesOf(pol1), mappingsOf(pol1, pol2)))}, pols(pol2)), explicit(pol1))},
		{name: "policy inhibitAnyPolicy 1, anyPolicy one below", signet: "", openssl: true,
			build: then(chainOf(nil, []func(*dCert){mod(addExt(policiesOf(pol1), inhibitAnyExt(1))), pols(polAny)}, pols(pol1)), explicit(pol1))},
		{name: "policy inhibitAnyPolicy 1, anyPolicy two below", signet: "rfc5280.policy-required", openssl: false,
			build: then(chainOf(nil, []func(*dCert){mod(addExt(policiesOf(pol1), inhibitAnyExt(1))), pols(polAny), pols(polAny)}, pols(pol1)), explicit(pol1))},
		{name: "policy anyPolicy leaf under inhibitAnyPolicy 0", signet: "rfc5280.policy-required", openssl: false,
			build: then(three(nil, mod(addExt(policiesOf(pol1), inhibitAnyExt(0))), pols(polAny)), explicit(pol1))},
		{name: "policy intermediate without policies, leaf P1", signet: "rfc5280.policy-required", openssl: false,
			build: then(three(nil, nil, pols(pol1)), explicit(pol1))},
		{name: "policy mapping in the leaf's issuer to a policy the leaf lacks", signet: "rfc5280.policy-required", openssl: false,
			build: then(three(nil, mod(addExt(policiesOf(pol1), mappingsOf(pol1, pol2))), pols(pol1)), explicit(pol1))},
		{name: "policy self-issued intermediate maps", signet: "", openssl: true,
			build: then(chainOf(nil, []func(*dCert){pols(pol1), selfIssued("Diff CA 1b", addExt(policiesOf(pol1), mappingsOf(pol1, pol2)))}, pols(pol2)), func(ch dChain) dChain {
				return explicit(pol1)(ch)
			})},

		// Path length and depth.
		{name: "root pathLen 1 over two intermediates", signet: "rfc5280.pathlen", openssl: false, build: chainOf(mod(setExt(bcExt(true, true, 1))), []func(*dCert){nil, nil}, nil)},
		{name: "root pathLen 1, intermediate pathLen 5, two intermediates", signet: "rfc5280.pathlen", openssl: false,
			build: chainOf(mod(setExt(bcExt(true, true, 1))), []func(*dCert){mod(setExt(bcExt(true, true, 5))), nil}, nil)},
		{name: "intermediate pathLen 0 and a self-issued one below it", signet: "", openssl: true,
			build: chainOf(nil, []func(*dCert){mod(setExt(bcExt(true, true, 0))), func(c *dCert) { c.cn, c.key = "Diff CA 1", "Diff CA 1b" }}, nil)},
		{name: "self-issued intermediate with pathLen 0 over another CA", signet: "rfc5280.pathlen", openssl: false,
			build: chainOf(nil, []func(*dCert){nil, func(c *dCert) { c.cn, c.key, c.mod = "Diff CA 1", "Diff CA 1b", setExt(bcExt(true, true, 0)) }, nil}, nil)},
		{name: "fourteen intermediates", signet: "", openssl: true, build: chainOf(nil, make([]func(*dCert), 14), nil)},
		{name: "fifteen intermediates", signet: "signet.no-path", openssl: true, class: "policy", why: "signet builds paths of at most 16 certificates (work bound, RFC 4158); openssl allows 100", build: chainOf(nil, make([]func(*dCert), 15), nil)},

		// Name constraints, harder.
		{name: "nc root permits example.com, intermediate permits example.org", signet: "rfc5280.nc-permitted", openssl: false,
			build: three(mod(ncOf(dns("example.com"), nil)), interNC(dns("example.org"), nil), nil)},
		{name: "nc root excludes leaf.example.com, intermediate permits example.com", signet: "rfc5280.nc-excluded", openssl: false,
			build: three(mod(ncOf(nil, dns("leaf.example.com"))), interNC(dns("example.com"), nil), nil)},
		{name: "nc email constraint, SAN present, subject emailAddress outside", signet: "", openssl: false, class: "policy", why: "RFC 5280 4.2.1.10 applies rfc822Name constraints to the subject's emailAddress only without a subjectAltName, and signet never matches an email against the subject (Policy.Email)",
			build: three(nil, interNC([][]byte{gnEmail("example.com")}, nil), func(c *dCert) {
				c.subj = dRawName(attr{dOidO, tagUTF8, "Signet Diff"}, attr{oidEmail, tagIA5, "x@evil.org"})
				c.mod = setExt(sanOfNames(false, gnEmail("a@example.com")))
			})},
		{name: "nc email constraint, SAN DNS only, subject emailAddress outside", signet: "", openssl: false, class: "policy", why: "as above: the subjectAltName is present, and signet never matches an email against the subject",
			build: three(nil, interNC([][]byte{gnEmail("example.com")}, nil), func(c *dCert) {
				c.subj = dRawName(attr{dOidO, tagUTF8, "Signet Diff"}, attr{oidEmail, tagIA5, "x@evil.org"})
			})},
		{name: "nc ip permitted v4, leaf v6", signet: "rfc5280.nc-permitted", openssl: false,
			build: three(nil, interNC([][]byte{gnIP("10.0.0.0/8")}, nil), leafSAN(false, gn(7, false, []byte{0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})))},
		{name: "nc ip excluded v4, leaf v4-mapped v6", signet: "rfc5280.nc-excluded", openssl: true, class: "signet", why: "an IPv4-mapped IPv6 address (RFC 4291 2.5.5.2) is the IPv4 address inside an excluded subtree; openssl compares octet strings of different lengths and lets it out",
			build: three(nil, interNC(nil, [][]byte{gnIP("10.0.0.0/8")}), leafSAN(false, gn(7, false, []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3})))},
		{name: "nc ip permitted 0.0.0.0/0, leaf v4", signet: "", openssl: true,
			build: three(nil, interNC([][]byte{gnIP("0.0.0.0/0")}, nil), leafSAN(false, gn(7, false, []byte{10, 1, 2, 3})))},
		{name: "nc ip constraint host bits set", signet: "", openssl: true,
			build: three(nil, interNC([][]byte{gn(7, false, []byte{10, 1, 2, 3, 255, 0, 0, 0})}, nil), leafSAN(false, gn(7, false, []byte{10, 9, 9, 9})))},
		{name: "nc dns uppercase leaf", signet: "", openssl: true, build: three(nil, interNC(dns("example.com"), nil), func(c *dCert) { c.dnsNames = []string{"LEAF.EXAMPLE.COM"} })},
		{name: "nc dns excluded, uppercase leaf", signet: "rfc5280.nc-excluded", openssl: false, build: three(nil, interNC(nil, dns("example.com")), func(c *dCert) { c.dnsNames = []string{"LEAF.EXAMPLE.COM"} })},
		{name: "nc dns permitted, intermediate SAN outside", signet: "rfc5280.nc-permitted", openssl: false,
			build: three(mod(ncOf(dns("example.com"), nil)), mod(addExt(sanOfNames(false, gnDNS("ca.example.org")))), nil)},
		{name: "nc uri, IP literal host under a DNS-like constraint", signet: "rfc5280.nc-unchecked-name", openssl: false,
			build: three(nil, interNC([][]byte{gnURI("example.com")}, nil), leafSAN(false, gnURI("https://10.0.0.1/")))},
		{name: "nc uri, host in other case", signet: "", openssl: true,
			build: three(nil, interNC([][]byte{gnURI("example.com")}, nil), leafSAN(false, gnURI("https://EXAMPLE.com/")))},
		{name: "nc email, quoted local part with @", signet: "", openssl: true,
			build: three(nil, interNC([][]byte{gnEmail("example.com")}, nil), leafSAN(false, gnEmail(`"a@evil.org"@example.com`)))},
		{name: "nc dirName, multi-valued RDN leaf", signet: "rfc5280.nc-permitted", openssl: false,
			build: three(nil, interNC([][]byte{gnDir(pkix.Name{Organization: []string{"Signet Diff"}})}, nil), func(c *dCert) {
				var b cryptobyte.Builder
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1ObjectIdentifier(dOidO)
							b.AddASN1(tagUTF8, func(b *cryptobyte.Builder) { b.AddBytes([]byte("Signet Diff")) })
						})
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1ObjectIdentifier(dOidCN)
							b.AddASN1(tagUTF8, func(b *cryptobyte.Builder) { b.AddBytes([]byte("leaf")) })
						})
					})
				})
				c.subj = b.BytesOrPanic()
			})},
		{name: "nc on an anchor that is not self-signed", signet: "rfc5280.nc-permitted", openssl: false, build: func() dChain {
			ch := three(nil, interNC(dns("example.org"), nil), nil)()
			ch.roots, ch.inters = ch.inters, nil
			ch.ossl = []string{"-partial_chain"}
			return ch
		}},
		{name: "pathLen 0 on an anchor that is not self-signed, one CA below", signet: "rfc5280.pathlen", openssl: false, build: func() dChain {
			ch := chainOf(nil, []func(*dCert){mod(setExt(bcExt(true, true, 0))), nil}, nil)()
			ch.roots, ch.inters = ch.inters[:1], ch.inters[1:]
			ch.ossl = []string{"-partial_chain"}
			return ch
		}},
		{name: "anchor EKU clientAuth only, serverAuth required", signet: "signet.ca-eku", openssl: false,
			build: then(three(mod(addExt(dExt(oidEKU, false, []asn1.ObjectIdentifier{ekuClient}))), nil, nil),
				withPol(func(p *verify.Policy) { p.EKUs = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth} }, "-purpose", "sslserver"))},

		// Names, harder.
		{name: "issuer name non-ASCII case differs", signet: "", openssl: false, class: "signet", why: "RFC 5280 7.1: names compare under RFC 4518 (case folding of all of Unicode); openssl folds ASCII only", build: three(nil, func(c *dCert) { c.cn = "Diff Émetteur" }, func(c *dCert) { c.iss = dName("Diff émetteur") })},
		{name: "issuer name with a BMPString", signet: "", openssl: true, build: three(nil, nil, func(c *dCert) {
			c.iss = dRawName(attr{dOidO, cbasn1.Tag(30), string(bmp("Signet Diff"))}, attr{dOidCN, cbasn1.Tag(30), string(bmp("Diff Intermediate"))})
		})},
		{name: "issuer name one RDN multi-valued, subject two RDNs", signet: "signet.no-path", openssl: false, build: three(nil, nil, func(c *dCert) {
			var b cryptobyte.Builder
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(dOidO)
						b.AddASN1(tagPrint, func(b *cryptobyte.Builder) { b.AddBytes([]byte("Signet Diff")) })
					})
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(dOidCN)
						b.AddASN1(tagPrint, func(b *cryptobyte.Builder) { b.AddBytes([]byte("Diff Intermediate")) })
					})
				})
			})
			c.iss = b.BytesOrPanic()
		})},
		{name: "expired intermediate first, a cross-signed valid one second", signet: "", openssl: true, build: func() dChain {
			ch := three(nil, nil, nil)()
			old := dBuild(dCert{cn: "Diff Intermediate", ca: true, na: at.AddDate(0, -1, 0)}, ch.roots[0])
			ch.inters = append([]*dIssued{old}, ch.inters...)
			return ch
		}},
		{name: "intermediate only cross-signed by an untrusted root", signet: "signet.no-path", openssl: false, build: func() dChain {
			ch := three(nil, nil, nil)()
			other := dBuild(dCert{cn: "Diff Other Root", ca: true}, nil)
			ch.inters = append(ch.inters, ch.roots[0])
			ch.roots = []*dIssued{other}
			return ch
		}},
		{name: "SHA-1 RSA signature on the leaf", signet: "signet.weak-signature", openssl: true, class: "policy", why: "signet.weak-signature: SHA-1 signatures are refused (chosen-prefix collisions); openssl 3.0 at security level 1 accepts them", build: three(nil, func(c *dCert) { c.key = "rsa:inter" }, func(c *dCert) { c.alg = "rsa-sha1" })},
		{name: "RSA 1024 intermediate", signet: "signet.rsa-key-too-small", openssl: true, class: "policy", why: "signet.rsa-key-too-small: NIST SP 800-131A, 2048 bits at least", build: three(nil, func(c *dCert) { c.key = "rsa1024:inter" }, nil)},
		{name: "leaf P-384 key under P-256 CA", signet: "", openssl: true, build: three(nil, nil, func(c *dCert) { c.key = "p384:leaf" })},

		// CRLs, harder.
		{name: "crl IDP names another distribution point", signet: "rfc5280.crl-scope", openssl: false,
			build: crlFor(mod(addExt(crldpExt("http://a.example/crl"))), func(i *dIssued) dCRLSpec {
				return dCRLSpec{issuer: i, exts: []pkix.Extension{idpURI("http://b.example/crl")}}
			})},
		{name: "crl IDP names the certificate's distribution point", signet: "rfc5280.revoked", openssl: false,
			build: crlFor(mod(addExt(crldpExt("http://a.example/crl"))), func(i *dIssued) dCRLSpec {
				return dCRLSpec{issuer: i, revoked: []*big.Int{revokedLeaf}, exts: []pkix.Extension{idpURI("http://a.example/crl")}}
			})},
		{name: "crl IDP with a name, certificate without distribution points", signet: "rfc5280.crl-scope", openssl: false,
			build: crlFor(nil, func(i *dIssued) dCRLSpec {
				return dCRLSpec{issuer: i, revoked: []*big.Int{revokedLeaf}, exts: []pkix.Extension{idpURI("http://b.example/crl")}}
			})},
		{name: "crl without IDP, certificate with a distribution point", signet: "rfc5280.revoked", openssl: false,
			build: crlFor(mod(addExt(crldpExt("http://a.example/crl"))), func(i *dIssued) dCRLSpec {
				return dCRLSpec{issuer: i, revoked: []*big.Int{revokedLeaf}}
			})},
		{name: "crl delta whose base is newer than the CRL", signet: "rfc5280.revoked", openssl: true, class: "policy", why: "Policy.CRLs, RFC 5280 5.2.4: the delta cannot be combined with the older complete CRL, but it is a current CRL of the issuer and scope that lists the leaf, newer than that complete CRL; openssl passes over it (check_delta_base) and accepts on the complete CRL alone, as signet did until TestRVDeltaOfNewerBaseListsTheLeaf", build: func() dChain {
			ch := three(nil, nil, func(c *dCert) { c.serial = revokedLeaf })()
			base := dCRL(dCRLSpec{issuer: ch.inters[0], number: 7})
			delta := dCRL(dCRLSpec{issuer: ch.inters[0], number: 10, revoked: []*big.Int{revokedLeaf}, exts: []pkix.Extension{dExt(oidDeltaCRL, true, big.NewInt(9))}})
			ch.crls = [][]byte{base, delta}
			ch.ossl, ch.pol = []string{"-crl_check", "-use_deltas"}, func(p *verify.Policy) { p.RequireCRL = true }
			return ch
		}},
		{name: "crl delta expired", signet: "rfc5280.crl-expired", openssl: true, class: "signet", why: "RFC 5280 5.2 and 6.3.3 (a)(2): the delta CRL of the complete CRL used must be current, or the status it may change is not established (signet passed over it and judged on the complete CRL alone until TestRXCDeltaUnusable); openssl ignores the delta here (no freshest CRL extension), and uses it whatever its dates when there is one (rxcWhys openssl-delta-time-unchecked)", build: func() dChain {
			ch := three(nil, nil, func(c *dCert) { c.serial = revokedLeaf })()
			base := dCRL(dCRLSpec{issuer: ch.inters[0], number: 7})
			delta := dCRL(dCRLSpec{issuer: ch.inters[0], number: 8, nextUpdate: at.Add(-time.Second), exts: []pkix.Extension{dExt(oidDeltaCRL, true, big.NewInt(7))}})
			ch.crls = [][]byte{base, delta}
			ch.ossl, ch.pol = []string{"-crl_check", "-use_deltas"}, func(p *verify.Policy) { p.RequireCRL = true }
			return ch
		}},
		{name: "crl delta removeFromCRL of a base entry", signet: "", openssl: false, class: "policy", why: "RFC 5280 5.3.1: removeFromCRL in a delta takes the entry off its base; openssl ignores the delta (no freshest CRL extension) and keeps the base entry", build: func() dChain {
			ch := three(nil, nil, func(c *dCert) { c.serial = revokedLeaf })()
			base := dCRL(dCRLSpec{issuer: ch.inters[0], number: 7, revoked: []*big.Int{revokedLeaf}})
			delta := dCRL(dCRLSpec{issuer: ch.inters[0], number: 8, revoked: []*big.Int{revokedLeaf},
				entryExts: []pkix.Extension{dExt(asn1.ObjectIdentifier{2, 5, 29, 21}, false, asn1.Enumerated(8))},
				exts:      []pkix.Extension{dExt(oidDeltaCRL, true, big.NewInt(7))}})
			ch.crls = [][]byte{base, delta}
			ch.ossl, ch.pol = []string{"-crl_check", "-use_deltas"}, func(p *verify.Policy) { p.RequireCRL = true }
			return ch
		}},
		{name: "crl entry certificateHold", signet: "rfc5280.revoked", openssl: false,
			build: crlFor(nil, func(i *dIssued) dCRLSpec {
				return dCRLSpec{issuer: i, revoked: []*big.Int{revokedLeaf}, entryExts: []pkix.Extension{dExt(asn1.ObjectIdentifier{2, 5, 29, 21}, false, asn1.Enumerated(6))}}
			})},
		{name: "crl signed by a rolled-over key, lists the leaf", signet: "rfc5280.revoked", openssl: false, class: "fixed", why: "refused for the right reason now, revoked; before, rfc5280.crl-signer-invalid (TestRequireCRLRolledOverSigner)", build: rollover(revokedLeaf, true)},
		{name: "crl signed by a rolled-over key, leaf not listed", signet: "", openssl: true, class: "fixed", why: "RFC 5280 6.3.3 (f): the CRL signer's path is valid; under RequireCRL signet required a root CRL for a signer the root issued, which the chain's own intermediate does not need (TestRequireCRLRolledOverSigner)", build: rollover(revokedLeaf, false)},
	}
}

// bmp encodes s as a BMPString's contents (UTF-16BE).
func bmp(s string) []byte {
	var out []byte
	for _, r := range s {
		out = append(out, byte(r>>8), byte(r))
	}
	return out
}

// rollover is root -> intermediate -> leaf (serial), the CRL signed by the intermediate's
// successor (same name, a new key, issued by the root and given as an intermediate), listing
// the leaf or not; openssl finds such a signer only with -extended_crl.
func rollover(serial *big.Int, list bool) func() dChain {
	return func() dChain {
		ch := three(nil, nil, func(c *dCert) { c.serial = serial })()
		next := dBuild(dCert{cn: "Diff Intermediate", key: "Diff Intermediate next", ca: true}, ch.roots[0])
		ch.inters = append(ch.inters, next)
		spec := dCRLSpec{issuer: next}
		if list {
			spec.revoked = []*big.Int{serial}
		}
		ch.crls = [][]byte{dCRL(spec)}
		ch.ossl, ch.pol = []string{"-crl_check", "-extended_crl"}, func(p *verify.Policy) { p.RequireCRL = true }
		return ch
	}
}

// diffCases3: encodings of certificates and CRLs that crypto/x509 reads leniently, and a few
// more names and key usages.
func diffCases3() []dCase {
	revoked := big.NewInt(0x7777)
	crlFor := func(spec func(inter *dIssued) dCRLSpec) func() dChain {
		return func() dChain {
			ch := three(nil, nil, func(c *dCert) { c.serial = revoked })()
			ch.crls = [][]byte{dCRL(spec(ch.inters[0]))}
			ch.ossl, ch.pol = []string{"-crl_check"}, func(p *verify.Policy) { p.RequireCRL = true }
			return ch
		}
	}
	utc := func(s string) []byte { return append([]byte{0x17, byte(len(s))}, s...) }
	bcRaw := func(content ...byte) pkix.Extension {
		return rawExt(oidBC, true, append([]byte{0x30, byte(len(content))}, content...))
	}
	unknownAttr := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 9}
	return []dCase{
		// CRL encodings.
		{name: "crl thisUpdate without seconds", signet: "rfc5280.crl-time-encoding", openssl: false, class: "fixed", why: "RFC 5280 5.1.2.4: thisUpdate as 4.1.2.5.1 says, with seconds; crypto/x509 reads it, signet used the CRL (TestCRLTimeEncoding)", build: crlFor(func(i *dIssued) dCRLSpec { return dCRLSpec{issuer: i, rawThis: utc("2501010000Z")} })},
		{name: "crl thisUpdate with an offset", signet: "rfc5280.crl-time-encoding", openssl: false, class: "fixed", why: "RFC 5280 5.1.2.4: thisUpdate in Zulu; crypto/x509 reads an offset, signet used the CRL (TestCRLTimeEncoding)", build: crlFor(func(i *dIssued) dCRLSpec { return dCRLSpec{issuer: i, rawThis: utc("250101000000+0100")} })},
		{name: "crl revocationDate without seconds, leaf listed", signet: "rfc5280.crl-time-encoding", openssl: false, build: crlFor(func(i *dIssued) dCRLSpec {
			return dCRLSpec{issuer: i, revoked: []*big.Int{revoked}, rawRevDate: utc("2501010000Z")}
		})},
		{name: "crl revocationDate without seconds, another serial", signet: "rfc5280.crl-time-encoding", openssl: true, class: "signet", why: "RFC 5280 5.1.2.6: revocationDate is written as 5.1.2.4 says; openssl reads only thisUpdate and nextUpdate strictly", build: crlFor(func(i *dIssued) dCRLSpec {
			return dCRLSpec{issuer: i, revoked: []*big.Int{big.NewInt(5)}, rawRevDate: utc("2501010000Z")}
		})},
		{name: "crl v1 without extensions", signet: "unparsed", openssl: true, class: "policy", why: "RFC 5280 5.2.3 requires a CRL number, so a conforming CRL is v2; crypto/x509 refuses v1 CRLs and the CLI reports bad input", build: crlFor(func(i *dIssued) dCRLSpec { return dCRLSpec{issuer: i, version: -1} })},
		{name: "crl duplicate extension", signet: "", openssl: true, build: crlFor(func(i *dIssued) dCRLSpec {
			return dCRLSpec{issuer: i, exts: []pkix.Extension{dExt(oidCRLN, false, big.NewInt(8))}}
		})},
		{name: "crl entry serial of another width", signet: "", openssl: true, build: crlFor(func(i *dIssued) dCRLSpec {
			return dCRLSpec{issuer: i, revoked: []*big.Int{new(big.Int).Add(revoked, new(big.Int).Lsh(big.NewInt(1), 64))}}
		})},

		// Certificate encodings.
		{name: "basicConstraints cA FALSE written out", signet: "", openssl: true, build: three(nil, nil, mod(addExt(bcRaw(0x01, 0x01, 0x00))))},
		{name: "basicConstraints cA TRUE as 0x01", signet: "unparsed", openssl: true, class: "signet", why: "X.690 11.1: DER writes TRUE as 0xFF; crypto/x509 refuses to parse it (the CLI exits with a malformed-input error)", build: three(nil, mod(setExt(bcRaw(0x01, 0x01, 0x01))), nil)},
		{name: "basicConstraints negative pathLen", signet: "unparsed", openssl: false, build: three(nil, mod(setExt(bcRaw(0x01, 0x01, 0xff, 0x02, 0x01, 0xff))), nil)},
		{name: "key usage with trailing zero bits", signet: "", openssl: true, build: three(nil, nil, mod(setExt(rawExt(oidKU, true, []byte{0x03, 0x03, 0x00, 0x80, 0x00}))))},
		{name: "key usage unused-bits count wrong", signet: "", openssl: true, build: three(nil, nil, mod(setExt(rawExt(oidKU, true, []byte{0x03, 0x02, 0x00, 0x80}))))},
		{name: "SAN empty dNSName", signet: "rfc5280.san-dns-invalid", openssl: true, class: "signet", why: "rfc5280.san-dns-invalid: RFC 5280 4.2.1.6, a dNSName of \" \" or empty MUST NOT be used", build: three(nil, nil, leafSAN(false, gnDNS("leaf.example.com"), gnDNS("")))},
		{name: "SAN dNSName with a space", signet: "rfc5280.san-dns-invalid", openssl: true, class: "signet", why: "rfc5280.san-dns-invalid: RFC 5280 4.2.1.6 requires the preferred name syntax of RFC 1034 3.5", build: three(nil, nil, leafSAN(false, gnDNS("leaf .example.com")))},
		{name: "SAN iPAddress of 5 octets", signet: "unparsed", openssl: true, class: "signet", why: "RFC 5280 4.2.1.6: an iPAddress is 4 or 16 octets; crypto/x509 refuses to parse it (the CLI exits with a malformed-input error)", build: three(nil, nil, leafSAN(false, gnDNS("leaf.example.com"), gn(7, false, []byte{10, 0, 0, 1, 2})))},
		{name: "SAN empty", signet: "rfc5280.san-empty", openssl: false, build: three(nil, nil, mod(setExt(rawExt(oidSAN, false, []byte{0x30, 0}))))},
		{name: "AKI with issuer and no serial", signet: "rfc5280.aki-encoding", openssl: false, build: three(nil, nil, mod(setExt(rawExt(oidAKI, false, seqOfRaw(gn(0, false, []byte("id")), gn(1, true, gnDNS("x")))))))},
		{name: "extensions wrapper empty", signet: "rfc5280.aki-missing", openssl: false, build: three(nil, nil, func(c *dCert) { c.noDefault, c.mod = true, nil })},

		// Names.
		{name: "issuer name unknown attribute in other case", signet: "", openssl: true, build: three(nil, func(c *dCert) {
			c.subj = dRawName(attr{dOidO, tagUTF8, "Signet Diff"}, attr{unknownAttr, tagUTF8, "Diff Intermediate"})
		}, func(c *dCert) {
			c.iss = dRawName(attr{dOidO, tagUTF8, "Signet Diff"}, attr{unknownAttr, tagUTF8, "DIFF intermediate"})
		})},
		{name: "issuer name UTF8 with a NUL", signet: "", openssl: false, class: "signet", why: "RFC 5280 7.1 compares names after RFC 4518 preparation, whose step 2.2 maps control code points (U+0000 among them) to nothing: the names are equal; openssl compares the bytes", build: three(nil, func(c *dCert) {
			c.subj = dRawName(attr{dOidO, tagUTF8, "Signet Diff"}, attr{dOidCN, tagUTF8, "Diff Intermediate"})
		}, func(c *dCert) {
			c.iss = dRawName(attr{dOidO, tagUTF8, "Signet Diff"}, attr{dOidCN, tagUTF8, "Diff Intermediate\x00"})
		})},
		{name: "self-issued by case only, not counted under root pathLen 1", signet: "", openssl: true, build: func() dChain {
			r := dBuild(dCert{cn: "Diff Root", ca: true, mod: setExt(bcExt(true, true, 1))}, nil)
			si := dBuild(dCert{cn: "DIFF ROOT", key: "Diff Root 2", ca: true}, r)
			i := dBuild(dCert{cn: "Diff Intermediate", ca: true}, si)
			l := dBuild(dCert{cn: "leaf.example.com"}, i)
			return dChain{leaf: l, inters: []*dIssued{si, i}, roots: []*dIssued{r}}
		}},
	}
}

// diffCases4: attempts to slip a name past an excluded subtree, and the user-constrained
// policy set.
func diffCases4() []dCase {
	dns := func(s ...string) [][]byte {
		var out [][]byte
		for _, d := range s {
			out = append(out, gnDNS(d))
		}
		return out
	}
	interNC := func(permitted, excluded [][]byte) func(*dCert) { return mod(ncOf(permitted, excluded)) }
	explicit := func(pols ...asn1.ObjectIdentifier) func(dChain) dChain {
		args := []string{"-explicit_policy"}
		for _, p := range pols {
			args = append(args, "-policy", p.String())
		}
		return withPol(func(p *verify.Policy) { p.Policies, p.RequireExplicitPolicy = pols, true }, args...)
	}
	pols := func(oids ...asn1.ObjectIdentifier) func(*dCert) { return mod(addExt(policiesOf(oids...))) }
	return []dCase{
		{name: "nc dns permitted, second SAN outside", signet: "rfc5280.nc-permitted", openssl: false,
			build: three(nil, interNC(dns("example.com"), nil), func(c *dCert) { c.dnsNames = []string{"leaf.example.com", "leaf.example.org"} })},
		{name: "nc dns excluded, leaf in capitals with a trailing dot", signet: "rfc5280.nc-excluded", openssl: true, class: "signet", why: "RFC 5280 4.2.1.10 with RFC 1034 3.1: LEAF.EXAMPLE.COM. names leaf.example.com, inside the excluded subtree; openssl compares the strings and lets it past",
			build: three(nil, interNC(nil, dns("example.com")), func(c *dCert) { c.dnsNames = []string{"LEAF.EXAMPLE.COM."} })},
		{name: "nc dns excluded, the excluded name itself with a trailing dot", signet: "rfc5280.nc-excluded", openssl: true, class: "signet", why: "example.com. is example.com (RFC 1034 3.1), which is excluded; openssl lets it past",
			build: three(nil, interNC(nil, dns("example.com")), func(c *dCert) { c.dnsNames = []string{"example.com."} })},
		{name: "nc dns permitted, wildcard over the TLD", signet: "rfc5280.nc-permitted", openssl: false,
			build: three(nil, interNC(dns("example.com"), nil), func(c *dCert) { c.dnsNames = []string{"*.com"} })},
		{name: "nc uri excluded, host with a trailing dot", signet: "unparsed", openssl: true, class: "signet", why: "crypto/x509 refuses a URI whose host has an empty label (the CLI exits with a malformed-input error); openssl lets example.com. past the excluded example.com",
			build: three(nil, interNC(nil, [][]byte{gnURI("example.com")}), leafSAN(false, gnDNS("leaf.example.org"), gnURI("https://example.com./")))},
		{name: "nc uri excluded, host in capitals", signet: "rfc5280.nc-excluded", openssl: false,
			build: three(nil, interNC(nil, [][]byte{gnURI("example.com")}), leafSAN(false, gnDNS("leaf.example.org"), gnURI("https://EXAMPLE.COM/")))},
		{name: "nc uri excluded, IPv6 literal host", signet: "rfc5280.nc-unchecked-name", openssl: true, class: "policy", why: "rfc5280.nc-unchecked-name: a URI constraint is a domain (RFC 5280 4.2.1.10), which an IP-literal host can neither match nor be shown to avoid; signet refuses what it cannot check",
			build: three(nil, interNC(nil, [][]byte{gnURI("example.com")}), leafSAN(false, gnDNS("leaf.example.org"), gnURI("https://[::1]/")))},
		{name: "nc email excluded, local part in capitals", signet: "", openssl: true,
			build: three(nil, interNC(nil, [][]byte{gnEmail("bad@example.com")}), leafSAN(false, gnDNS("leaf.example.com"), gnEmail("BAD@example.com")))},
		{name: "nc email excluded, domain in capitals", signet: "rfc5280.nc-excluded", openssl: false,
			build: three(nil, interNC(nil, [][]byte{gnEmail("example.com")}), leafSAN(false, gnDNS("leaf.example.com"), gnEmail("a@EXAMPLE.COM")))},
		{name: "nc email permitted, domain with a trailing dot", signet: "rfc5280.san-email-invalid", openssl: false,
			build: three(nil, interNC([][]byte{gnEmail("example.com")}, nil), leafSAN(false, gnEmail("a@example.com.")))},
		{name: "nc dirName excluded, subject in other case and spacing", signet: "rfc5280.nc-excluded", openssl: false,
			build: three(nil, interNC(nil, [][]byte{gnDir(pkix.Name{Organization: []string{"Evil Corp"}})}), func(c *dCert) {
				c.subj = dRawName(attr{dOidO, tagPrint, "  evil   CORP "}, attr{dOidCN, tagUTF8, "leaf"})
			})},
		{name: "nc dirName excluded, dirName SAN with an empty subject", signet: "rfc5280.nc-excluded", openssl: false,
			build: three(nil, interNC(nil, [][]byte{gnDir(pkix.Name{Organization: []string{"Evil Corp"}})}), func(c *dCert) {
				c.subj = []byte{0x30, 0}
				c.mod = setExt(sanOfNames(true, gnDNS("leaf.example.com"), gnDir(dnOf("x", "Evil Corp"))))
			})},
		{name: "nc ip excluded, v4-compatible v6", signet: "", openssl: true,
			build: three(nil, interNC(nil, [][]byte{gnIP("10.0.0.0/8")}), leafSAN(false, gnDNS("leaf.example.com"), gn(7, false, []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 1, 2, 3})))},

		{name: "policy two asked, intermediate anyPolicy, leaf the second", signet: "", openssl: true,
			build: then(three(nil, pols(polAny), pols(pol2)), explicit(pol1, pol2))},
		{name: "policy asked P1, chain P1 then P2 only", signet: "rfc5280.policy-required", openssl: false,
			build: then(three(nil, pols(pol1, pol2), pols(pol2)), explicit(pol1))},
		{name: "policy mapping allowed one level by inhibitPolicyMapping 1 in the mapping CA", signet: "", openssl: true,
			build: then(chainOf(nil, []func(*dCert){mod(addExt(policiesOf(pol1), mappingsOf(pol1, pol2), pcExt(-1, 1))), mod(addExt(policiesOf(pol2), mappingsOf(pol2, pol3)))}, pols(pol3)), explicit(pol1))},
		{name: "policy mapping stopped by inhibitPolicyMapping 0 in the mapping CA", signet: "rfc5280.policy-required", openssl: false,
			build: then(chainOf(nil, []func(*dCert){mod(addExt(policiesOf(pol1), mappingsOf(pol1, pol2), pcExt(-1, 0))), mod(addExt(policiesOf(pol2), mappingsOf(pol2, pol3)))}, pols(pol3)), explicit(pol1))},
		{name: "policy leaf requireExplicitPolicy 0, leaf without policies", signet: "rfc5280.policy-required", openssl: false,
			build: then(three(nil, pols(pol1), mod(addExt(pcExt(0, -1)))), withPol(nil, "-policy_check"))},
		{name: "policy duplicate policy in a certificate", signet: "unparsed", openssl: false,
			build: then(three(nil, pols(pol1, pol1), pols(pol1)), explicit(pol1))},
	}
}

// diffCases5: pairs of mutations, and path building around a failing candidate.
func diffCases5() []dCase {
	at := dAt
	dns := func(s ...string) [][]byte {
		var out [][]byte
		for _, d := range s {
			out = append(out, gnDNS(d))
		}
		return out
	}
	explicit := func(pols ...asn1.ObjectIdentifier) func(dChain) dChain {
		args := []string{"-explicit_policy"}
		for _, p := range pols {
			args = append(args, "-policy", p.String())
		}
		return withPol(func(p *verify.Policy) { p.Policies, p.RequireExplicitPolicy = pols, true }, args...)
	}
	requireCRL := func(all bool) func(dChain) dChain {
		flag := "-crl_check"
		if all {
			flag = "-crl_check_all"
		}
		return withPol(func(p *verify.Policy) { p.RequireCRL = true }, flag)
	}
	// selfIssuedLeaf is root -> intermediate -> a leaf named as the intermediate, with a key
	// of its own: self-issued, and still the target.
	selfIssuedLeaf := func(interMod, leafMod func(*dCert)) func() dChain {
		return func() dChain {
			r := dBuild(dCert{cn: "Diff Root", ca: true}, nil)
			ic := dCert{cn: "Diff Intermediate", ca: true}
			if interMod != nil {
				interMod(&ic)
			}
			i := dBuild(ic, r)
			lc := dCert{cn: "Diff Intermediate", key: "self-issued leaf", dnsNames: []string{"leaf.example.com"}}
			if leafMod != nil {
				leafMod(&lc)
			}
			return dChain{leaf: dBuild(lc, i), inters: []*dIssued{i}, roots: []*dIssued{r}}
		}
	}
	return []dCase{
		{name: "pair: self-issued leaf outside the dirName constraint", signet: "rfc5280.nc-permitted", openssl: false,
			build: selfIssuedLeaf(mod(ncOf([][]byte{gnDir(pkix.Name{Organization: []string{"Other"}})}, nil)), nil)},
		{name: "pair: self-issued leaf outside the DNS constraint", signet: "rfc5280.nc-permitted", openssl: false,
			build: selfIssuedLeaf(mod(ncOf(dns("example.org"), nil)), nil)},
		{name: "pair: self-issued leaf anyPolicy under inhibitAnyPolicy 0", signet: "rfc5280.policy-required", openssl: false,
			build: then(selfIssuedLeaf(mod(addExt(policiesOf(pol1), inhibitAnyExt(0))), mod(addExt(policiesOf(polAny)))), explicit(pol1))},
		{name: "pair: self-issued leaf under pathLen 0", signet: "", openssl: true,
			build: selfIssuedLeaf(mod(setExt(bcExt(true, true, 0))), nil)},
		{name: "pair: expired and revoked leaf", signet: "rfc5280.validity", openssl: false, build: func() dChain {
			ch := three(nil, nil, func(c *dCert) { c.serial, c.na = big.NewInt(0x7777), at.Add(-time.Hour) })()
			ch.crls = [][]byte{dCRL(dCRLSpec{issuer: ch.inters[0], revoked: []*big.Int{big.NewInt(0x7777)}})}
			return requireCRL(false)(ch)
		}},
		{name: "pair: name constraints and policy required, both broken", signet: "rfc5280.nc-permitted", openssl: false,
			build: then(three(nil, mod(addExt(ncExt(true, dns("example.org"), nil), policiesOf(pol1))), nil), explicit(pol1))},
		{name: "pair: unknown critical extension in a self-issued intermediate", signet: "rfc5280.unknown-critical-extension", openssl: false,
			build: chainOf(nil, []func(*dCert){nil, func(c *dCert) {
				c.cn, c.key, c.mod = "Diff CA 1", "Diff CA 1b", addExt(pkix.Extension{Id: oidUnknown, Critical: true, Value: []byte{5, 0}})
			}}, nil)},
		{name: "pair: v1 self-signed root given as an intermediate too", signet: "", openssl: false, class: "policy", why: "as v1 root: the trust anchor is an input (RFC 5280 6.1.1 (d)); openssl -x509_strict refuses v1 CAs", build: func() dChain {
			ch := three(func(c *dCert) { c.version, c.noDefault = 1, true }, nil, nil)()
			ch.inters = append(ch.inters, ch.roots[0])
			return ch
		}},
		{name: "root basicConstraints cA false", signet: "rfc5280.issuer-not-ca", openssl: false, build: three(mod(setExt(bcExt(true, false, -1))), nil, nil)},

		// Path building around a failing candidate.
		{name: "revoked intermediate first, another certificate of its key second", signet: "", openssl: false, class: "signet", why: "a valid path exists through the certificate of the same key that is not revoked (RFC 4158 backtracking); openssl judges the first one only", build: func() dChain {
			r := dBuild(dCert{cn: "Diff Root", ca: true}, nil)
			bad := dBuild(dCert{cn: "Diff Intermediate", ca: true, serial: big.NewInt(0x6666)}, r)
			good := dBuild(dCert{cn: "Diff Intermediate", ca: true}, r)
			l := dBuild(dCert{cn: "leaf.example.com"}, good)
			crls := [][]byte{dCRL(dCRLSpec{issuer: r, revoked: []*big.Int{big.NewInt(0x6666)}}), dCRL(dCRLSpec{issuer: good})}
			return requireCRL(true)(dChain{leaf: l, inters: []*dIssued{bad, good}, roots: []*dIssued{r}, crls: crls})
		}},
		{name: "intermediate under a name constraint first, an unconstrained one second", signet: "", openssl: false, class: "signet", why: "a valid path exists through the second certificate of the intermediate's name and key (RFC 4158 backtracking); openssl judges the first one only", build: func() dChain {
			r := dBuild(dCert{cn: "Diff Root", ca: true}, nil)
			constrained := dBuild(dCert{cn: "Diff Intermediate", ca: true, mod: ncOf(dns("example.org"), nil)}, r)
			free := dBuild(dCert{cn: "Diff Intermediate", ca: true}, r)
			l := dBuild(dCert{cn: "leaf.example.com"}, free)
			return dChain{leaf: l, inters: []*dIssued{constrained, free}, roots: []*dIssued{r}}
		}},
		{name: "two roots of one name, the first of another key", signet: "", openssl: true, build: func() dChain {
			ch := three(nil, nil, nil)()
			other := dBuild(dCert{cn: "Diff Root", key: "Diff Root other", ca: true}, nil)
			ch.roots = append([]*dIssued{other}, ch.roots...)
			return ch
		}},
		{name: "leaf is itself a trust anchor", signet: "", openssl: true, build: func() dChain {
			ch := three(nil, nil, nil)()
			ch.roots = []*dIssued{ch.leaf}
			ch.inters = nil
			ch.ossl = []string{"-partial_chain"}
			return ch
		}},
		{name: "anchor expired, the same key in a valid cross-certificate", signet: "", openssl: false, class: "signet", why: "RFC 4158 and RFC 5280 6: a valid path exists (leaf, intermediate, the cross-certificate, the second root); openssl stops at the expired trusted certificate", build: func() dChain {
			old := dBuild(dCert{cn: "Diff Root", ca: true, na: at.Add(-time.Hour)}, nil)
			r2 := dBuild(dCert{cn: "Diff Root 2", ca: true}, nil)
			cross := dBuild(dCert{cn: "Diff Root", ca: true}, r2)
			i := dBuild(dCert{cn: "Diff Intermediate", ca: true}, old)
			l := dBuild(dCert{cn: "leaf.example.com"}, i)
			return dChain{leaf: l, inters: []*dIssued{i, cross}, roots: []*dIssued{old, r2}}
		}},
	}
}

// diffCases6: host, IP and email matching (openssl -verify_hostname, -verify_ip,
// -verify_email).
func diffCases6() []dCase {
	host := func(sans []string, h string) func() dChain {
		return then(three(nil, nil, func(c *dCert) { c.dnsNames = sans }), withPol(func(p *verify.Policy) { p.DNSName = h }, "-verify_hostname", h))
	}
	return []dCase{
		{name: "host exact", signet: "", openssl: true, build: host([]string{"leaf.example.com"}, "leaf.example.com")},
		{name: "host in capitals", signet: "", openssl: true, build: host([]string{"leaf.example.com"}, "LEAF.Example.COM")},
		{name: "host with a trailing dot", signet: "", openssl: false, class: "signet", why: "leaf.example.com. is the absolute form of leaf.example.com (RFC 1034 3.1), as a browser takes it; openssl compares the strings", build: host([]string{"leaf.example.com"}, "leaf.example.com.")},
		{name: "host under a wildcard", signet: "", openssl: true, build: host([]string{"*.example.com"}, "a.example.com")},
		{name: "host two labels under a wildcard", signet: "rfc6125.host", openssl: false, build: host([]string{"*.example.com"}, "a.b.example.com")},
		{name: "host the wildcard's parent", signet: "rfc6125.host", openssl: false, build: host([]string{"*.example.com"}, "example.com")},
		{name: "host under a partial wildcard", signet: "rfc5280.san-dns-invalid", openssl: true, class: "policy", why: "rfc5280.san-dns-invalid: a wildcard is a whole leftmost label or nothing (RFC 9525, the Baseline Requirements Wildcard Domain Name); openssl matches f*.example.com", build: host([]string{"f*.example.com"}, "foo.example.com")},
		{name: "host under a wildcard over a public suffix", signet: "rfc5280.san-dns-invalid", openssl: false, build: host([]string{"*.com"}, "example.com")},
		{name: "host under a wildcard in the second label", signet: "rfc5280.san-dns-invalid", openssl: false, build: host([]string{"a.*.example.com"}, "a.b.example.com")},
		{name: "host only in the CN", signet: "rfc6125.host", openssl: true, class: "signet", why: "RFC 9525 drops CN-IDs: the common name is never matched (RFC 6125 6.4.4 allowed it as a last resort); openssl falls back to a host-like CN", build: then(three(nil, nil, func(c *dCert) { c.dnsNames = []string{""} }),
			withPol(func(p *verify.Policy) { p.DNSName = "leaf.example.com" }, "-verify_hostname", "leaf.example.com"))},
		{name: "host IDN U-label against its A-label", signet: "", openssl: false, class: "signet", why: "RFC 6125 6.4.2: a U-label reference is compared as its A-label; openssl compares the bytes", build: host([]string{"xn--bcher-kva.example"}, "bücher.example")},
		{name: "host is an IP, SAN dNSName of it", signet: "rfc6125.ip", openssl: true, class: "signet", why: "RFC 5280 4.2.1.6 and RFC 9525 (IP-IDs): an IP reference matches an iPAddress only, never a dNSName", build: host([]string{"10.1.2.3"}, "10.1.2.3")},
		{name: "ip matches an iPAddress", signet: "", openssl: true, build: then(three(nil, nil, leafSAN(false, gn(7, false, []byte{10, 1, 2, 3}))),
			withPol(func(p *verify.Policy) { p.IP = net.IPv4(10, 1, 2, 3) }, "-verify_ip", "10.1.2.3"))},
		{name: "ip v4 against a v4-mapped iPAddress", signet: "", openssl: false, class: "policy", why: "::ffff:10.1.2.3 is 10.1.2.3 (RFC 4291 2.5.5.2), as signet also holds it under name constraints and crypto/x509 matches it; openssl compares octet strings", build: then(three(nil, nil, leafSAN(false, gn(7, false, []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3}))),
			withPol(func(p *verify.Policy) { p.IP = net.IPv4(10, 1, 2, 3) }, "-verify_ip", "10.1.2.3"))},
		{name: "email domain in capitals", signet: "", openssl: true, build: then(three(nil, nil, leafSAN(false, gnEmail("a@EXAMPLE.com"))),
			withPol(func(p *verify.Policy) { p.Email = "a@example.com" }, "-verify_email", "a@example.com"))},
		{name: "email local part in capitals", signet: "rfc5280.email", openssl: false, build: then(three(nil, nil, leafSAN(false, gnEmail("A@example.com"))),
			withPol(func(p *verify.Policy) { p.Email = "a@example.com" }, "-verify_email", "a@example.com"))},
		{name: "email only in the subject", signet: "rfc5280.email", openssl: true, class: "policy", why: "RFC 5280 4.2.1.6: an email address belongs in the subjectAltName rfc822Name, and Policy.Email never reads the subject; openssl checks emailAddress when no SAN holds one", build: then(three(nil, nil, func(c *dCert) {
			c.subj = dRawName(attr{dOidO, tagUTF8, "Signet Diff"}, attr{oidEmail, tagIA5, "a@example.com"})
		}), withPol(func(p *verify.Policy) { p.Email = "a@example.com" }, "-verify_email", "a@example.com"))},
	}
}

// diffCases7: bytes after the value inside an extension's OCTET STRING.
func diffCases7() []dCase {
	trail := func(e pkix.Extension) pkix.Extension {
		e.Value = append(append([]byte{}, e.Value...), 0x05, 0x00)
		return e
	}
	return []dCase{
		{name: "trailing bytes in the leaf's key usage", signet: "rfc5280.extension-encoding", openssl: true, class: "signet", why: "RFC 5280 4.1: extnValue holds the DER encoding of one value; crypto/x509 and openssl ignore bytes after it, signet accepted them too until TestExtensionEncoding", build: three(nil, nil, mod(setExt(trail(kuExt(x509.KeyUsageDigitalSignature)))))},
		{name: "trailing bytes in the intermediate's basic constraints", signet: "rfc5280.extension-encoding", openssl: true, class: "signet", why: "RFC 5280 4.1: extnValue holds the DER encoding of one value; crypto/x509 and openssl ignore bytes after it, signet accepted them too until TestExtensionEncoding", build: three(nil, mod(setExt(trail(bcExt(true, true, -1)))), nil)},
		{name: "trailing bytes in the leaf's SAN", signet: "rfc5280.extension-encoding", openssl: true, class: "signet", why: "RFC 5280 4.1: extnValue holds the DER encoding of one value; crypto/x509 and openssl ignore bytes after it, signet accepted them too until TestExtensionEncoding", build: three(nil, nil, mod(setExt(trail(sanOfNames(false, gnDNS("leaf.example.com"))))))},
		{name: "trailing bytes in the intermediate's name constraints", signet: "unparsed", openssl: true, class: "signet", why: "RFC 5280 4.1: extnValue holds the DER encoding of one value; crypto/x509 refuses to parse it (the CLI exits with a malformed-input error), openssl ignores the bytes",
			build: three(nil, mod(addExt(trail(ncExt(true, [][]byte{gnDNS("example.com")}, nil)))), nil)},
		{name: "trailing bytes in the leaf's EKU", signet: "rfc5280.extension-encoding", openssl: true, class: "signet", why: "RFC 5280 4.1: extnValue holds the DER encoding of one value; crypto/x509 and openssl ignore bytes after it, signet accepted them too until TestExtensionEncoding",
			build: three(nil, nil, mod(setExt(trail(dExt(oidEKU, false, []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 1}})))))},
		{name: "trailing bytes in the leaf's AKI", signet: "rfc5280.extension-encoding", openssl: true, class: "signet", why: "RFC 5280 4.1: extnValue holds the DER encoding of one value; openssl ignores bytes after it", build: three(nil, nil, func(c *dCert) {
			c.mod = func(exts []pkix.Extension) []pkix.Extension {
				for k := range exts {
					if exts[k].Id.Equal(oidAKI) {
						exts[k] = trail(exts[k])
					}
				}
				return exts
			}
		})},
		{name: "trailing bytes in the leaf's policies", signet: "rfc5280.extension-encoding", openssl: true, class: "signet", why: "RFC 5280 4.1: extnValue holds the DER encoding of one value; crypto/x509 and openssl ignore bytes after it, signet accepted them too until TestExtensionEncoding", build: three(nil, nil, mod(addExt(trail(policiesOf(pol1)))))},
		{name: "trailing bytes in the intermediate's policy constraints", signet: "rfc5280.extension-encoding", openssl: true, class: "signet", why: "RFC 5280 4.1: extnValue holds the DER encoding of one value; crypto/x509 and openssl ignore bytes after it, signet accepted them too until TestExtensionEncoding", build: three(nil, mod(addExt(trail(pcExt(5, -1)))), nil)},
		{name: "trailing bytes in the leaf's CRL distribution points", signet: "rfc5280.crldp-encoding", openssl: true, class: "signet", why: "rfc5280.crldp-encoding: extnValue holds one DER value (RFC 5280 4.1); openssl ignores bytes after it",
			build: three(nil, nil, mod(addExt(trail(rawExt(oidCRLDP, false, crldp("http://a.example/crl"))))))},
		{name: "trailing bytes in a CRL's issuing distribution point", signet: "rfc5280.crl-idp-encoding", openssl: true, class: "signet", why: "rfc5280.crl-idp-encoding: extnValue holds one DER value (RFC 5280 4.1, 5.2); openssl ignores bytes after it", build: func() dChain {
			ch := three(nil, nil, nil)()
			ch.crls = [][]byte{dCRL(dCRLSpec{issuer: ch.inters[0], exts: []pkix.Extension{trail(idpExt(true, false))}})}
			ch.ossl, ch.pol = []string{"-crl_check"}, func(p *verify.Policy) { p.RequireCRL = true }
			return ch
		}},
	}
}
