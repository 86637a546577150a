package verify_test

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	mrand "math/rand"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// The generator of the revocation campaign (rxc_diff_test.go): from one seed, a chain of a
// root, up to two intermediates and a leaf that path validation accepts, each issuer with its
// CRLs drawn from a menu of valid and invalid forms: signed by the CA, by a separate key of
// the CA's name, or by an indirect CRL issuer; listing a certificate of the chain or not, with
// reasons (removeFromCRL and certificateHold among them) and invalidity dates; current,
// expired, not yet valid or without nextUpdate; CRL number missing or critical; issuing
// distribution points (user or CA certificates only, some reasons, a distribution point name
// that matches the certificate's or not, indirect); delta CRLs whose base number is the
// complete CRL's or not; unknown critical CRL and entry extensions; a bad signature. It reuses
// the chain campaign's helpers (rx_gen_test.go): the seeded draw (rxGen), the key pool
// (rxKey), the certificate writer (rxCert) and the signatures (rxSign).

var (
	rxcThis    = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	rxcNext    = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	rxcRevoked = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
)

var (
	oidRXCReason     = asn1.ObjectIdentifier{2, 5, 29, 21}
	oidRXCInvalidity = asn1.ObjectIdentifier{2, 5, 29, 24}
	oidRXCCertIssuer = asn1.ObjectIdentifier{2, 5, 29, 29}
	oidRXCUnknown    = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 7}
)

// rxcEntry is one revokedCertificates entry.
type rxcEntry struct {
	serial      int64
	reason      int // -1: no reason code
	invalidity  bool
	certIssuer  []byte // a certificateIssuer extension naming this DN
	unknownCrit bool
}

// rxcCRL is one CRL to write.
type rxcCRL struct {
	issuer     []byte
	signer     crypto.Signer
	pss        crypto.Hash
	this, next time.Time
	noNext     bool
	number     int64
	noNumber   bool
	numberCrit bool
	exts       []pkix.Extension
	entries    []rxcEntry
	corrupt    bool
}

func (l rxcCRL) der() []byte {
	alg, _ := rxSign(l.signer, nil, l.pss)
	exts := []pkix.Extension{dAKI(dKeyID(l.signer))}
	if !l.noNumber {
		exts = append(exts, dExt(oidCRLN, l.numberCrit, big.NewInt(l.number)))
	}
	exts = append(exts, l.exts...)
	marshal := func(b *cryptobyte.Builder, e pkix.Extension) {
		der, err := asn1.Marshal(e)
		if err != nil {
			panic(err)
		}
		b.AddBytes(der)
	}
	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddBytes(alg)
		b.AddBytes(l.issuer)
		b.AddASN1UTCTime(l.this)
		if !l.noNext {
			b.AddASN1UTCTime(l.next)
		}
		if len(l.entries) > 0 {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, en := range l.entries {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1BigInt(big.NewInt(en.serial))
						b.AddASN1UTCTime(rxcRevoked)
						var ee []pkix.Extension
						if en.reason >= 0 {
							ee = append(ee, dExt(oidRXCReason, false, asn1.Enumerated(en.reason)))
						}
						if en.invalidity {
							v, err := asn1.MarshalWithParams(rxcRevoked.Add(-48*time.Hour), "generalized")
							if err != nil {
								panic(err)
							}
							ee = append(ee, rawExt(oidRXCInvalidity, false, v))
						}
						if en.certIssuer != nil {
							ee = append(ee, rawExt(oidRXCCertIssuer, true, seqOf(gn(4, true, en.certIssuer))))
						}
						if en.unknownCrit {
							ee = append(ee, rawExt(oidRXCUnknown, true, []byte{5, 0}))
						}
						if len(ee) > 0 {
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
								for _, e := range ee {
									marshal(b, e)
								}
							})
						}
					})
				}
			})
		}
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, e := range exts {
					marshal(b, e)
				}
			})
		})
	})
	tbs := tb.BytesOrPanic()
	alg, sig := rxSign(l.signer, tbs, l.pss)
	if l.corrupt {
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

// rxcReasonBits is the content of a ReasonFlags BIT STRING (the unused-bits octet first,
// trailing zero bits dropped as DER wants) with the bits given set (1 keyCompromise ... 8
// aACompromise).
func rxcReasonBits(bits ...int) []byte {
	var v uint16
	hi := 0
	for _, b := range bits {
		v |= 1 << (15 - b)
		hi = max(hi, b)
	}
	n := hi/8 + 1
	out := []byte{byte(7 - hi%8), byte(v >> 8)}
	if n == 2 {
		out = append(out, byte(v))
	}
	return out
}

// rxcCDP writes a certificate's CRL distribution points: one point with a fullName (nil:
// none), reasons (nil: all) and a cRLIssuer (nil: the certificate's issuer).
func rxcCDP(full [][]byte, reasons []byte, crlIssuer []byte) pkix.Extension {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			if full != nil {
				lcDPName(b, full, nil)
			}
			if reasons != nil {
				b.AddASN1(cbasn1.Tag(1).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(reasons) })
			}
			if crlIssuer != nil {
				b.AddASN1(cbasn1.Tag(2).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddBytes(gn(4, true, crlIssuer)) })
			}
		})
	})
	return rawExt(oidCRLDP, false, b.BytesOrPanic())
}

// rxcReasons are the CRLReason codes an entry is drawn with (-1: no reason code extension).
var rxcReasons = []struct {
	name string
	code int
}{{"none", -1}, {"unspecified", 0}, {"keyCompromise", 1}, {"affiliationChanged", 3}, {"superseded", 4},
	{"cessationOfOperation", 5}, {"privilegeWithdrawn", 9}}

// rxcIssuerPlan is what one issuing CA of the chain publishes about the certificate it issued.
type rxcIssuerPlan struct {
	mode      string // "ca", "sep-key", "indirect", "none"
	cdp       string // the issued certificate's CRL distribution point: "", "uri", "uri-reasons", "dirname", "crlissuer"
	idp       string // "", "dp-match", "dp-other", "only-user", "only-ca", "some-reasons", "some-reasons-all"
	target    string // what the CRL says of the issued certificate: "none", "revoked", "remove", "hold"
	reason    int
	signerKU  string // sep-key and indirect: "crlsign", "digsig", "absent"
	signerBad string // sep-key and indirect: "", "expired", "by-other-root"
}

// rxcGenerate draws the case of one seed: c.crls holds the CRLs, c.requireCRL the policy.
func rxcGenerate(seed int64) *rxCase {
	c := &rxCase{seed: seed, requireCRL: true}
	g := &rxGen{r: mrand.New(mrand.NewSource(seed)), c: c}
	r := g.r
	serial := int64(0x6300_0000) + seed*32
	nCA := 1 + r.Intn(3)
	type ca struct {
		subj    []byte
		key     crypto.Signer
		pss     crypto.Hash // how it signs (RSA issuers)
		crlSign bool
	}
	var cas []ca
	nb, na := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	// The issuers' plans come first: the certificate each issues carries its distribution point.
	plans := make([]rxcIssuerPlan, nCA)
	for j := range plans {
		g.where = fmt.Sprintf("crl%d", j)
		p := &plans[j]
		p.mode = g.pick(72, "ca", 12, "sep-key", 11, "indirect", 5, "none")
		if p.mode != "ca" {
			g.feat("mode=%s", p.mode)
		}
		if p.mode == "sep-key" || p.mode == "indirect" {
			p.signerKU = g.pick(86, "crlsign", 8, "digsig", 6, "absent")
			if p.signerKU != "crlsign" {
				g.feat("signer-ku=%s", p.signerKU)
			}
			p.signerBad = g.pick(92, "", 4, "expired", 4, "by-other-root")
			if p.signerBad != "" {
				g.feat("signer=%s", p.signerBad)
			}
		}
		if p.mode == "indirect" {
			p.cdp = g.pick(85, "crlissuer", 15, "")
		} else {
			p.cdp = g.pick(70, "", 18, "uri", 6, "uri-reasons", 6, "dirname")
		}
		if p.cdp != "" {
			g.feat("cdp=%s", p.cdp)
		}
		p.idp = g.pick(64, "", 8, "dp-match", 5, "dp-other", 7, "only-user", 7, "only-ca", 5, "some-reasons", 4, "some-reasons-all")
		if p.idp != "" {
			g.feat("idp=%s", p.idp)
		}
		p.target = g.pick(62, "none", 24, "revoked", 8, "remove", 6, "hold")
		if p.target != "none" {
			rs := rxcReasons[r.Intn(len(rxcReasons))]
			p.reason = rs.code
			switch p.target {
			case "revoked":
				g.feat("target=revoked(%s)", rs.name)
			case "remove":
				p.reason = 8
				g.feat("target=removeFromCRL")
			case "hold":
				p.reason = 6
				g.feat("target=certificateHold")
			}
		}
	}
	var path [][]byte // root first
	for i := range nCA {
		g.where = fmt.Sprintf("ca%d", i)
		if i == 0 {
			g.where = "root"
		}
		kt := g.keyType()
		g.feat("key=%s", kt)
		key := rxKey(kt, 30+i)
		subj := rxName(fmt.Sprintf("RXC CA %d", i))
		iss, signer := subj, key
		var ipss crypto.Hash
		if i > 0 {
			iss, signer, ipss = cas[i-1].subj, cas[i-1].key, cas[i-1].pss
		}
		cert := rxCert{subj: subj, iss: iss, key: key, signer: signer, pss: ipss, serial: serial + int64(i), nb: nb, na: na}
		ku := x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		if r.Intn(100) < 5 {
			g.feat("ku=certsign")
			ku = x509.KeyUsageCertSign
		}
		cert.exts = append(cert.exts, bcExt(true, true, -1), kuExt(ku), dExt(oidSKI, false, dKeyID(key)))
		if i > 0 {
			cert.exts = append(cert.exts, dAKI(dKeyID(signer)))
			cert.exts = append(cert.exts, rxcCDPOf(plans[i-1], i-1)...)
		}
		cas = append(cas, ca{subj: subj, key: key, pss: g.pss(key), crlSign: ku&x509.KeyUsageCRLSign != 0})
		path = append(path, cert.der())
	}
	g.where = "leaf"
	kt := g.keyType()
	g.feat("key=%s", kt)
	lkey := rxKey(kt, 34)
	issuer := cas[nCA-1]
	leaf := rxCert{subj: rxName("leaf.example.com"), iss: issuer.subj, key: lkey, signer: issuer.key, pss: issuer.pss,
		serial: serial + 8, nb: nb, na: na}
	leaf.exts = append(leaf.exts, kuExt(x509.KeyUsageDigitalSignature), sanOfNames(false, gnDNS("leaf.example.com")),
		dExt(oidEKU, false, []asn1.ObjectIdentifier{rxEKUServer}), dExt(oidSKI, false, dKeyID(lkey)), dAKI(dKeyID(issuer.key)))
	leaf.exts = append(leaf.exts, rxcCDPOf(plans[nCA-1], nCA-1)...)
	c.leaf = leaf.der()
	c.roots = [][]byte{path[0]}
	c.inters = append(c.inters, path[1:]...)

	// The CRLs of each issuer j, about the certificate it issued (serial + j + 1; the leaf's is
	// serial + 8).
	for j, p := range plans {
		g.where = fmt.Sprintf("crl%d", j)
		if p.mode == "none" {
			continue
		}
		subjectSerial := serial + int64(j) + 1
		if j == nCA-1 {
			subjectSerial = serial + 8
		}
		l := rxcCRL{issuer: cas[j].subj, signer: cas[j].key, pss: cas[j].pss, this: rxcThis, next: rxcNext, number: int64(100 + 10*j)}
		var certIssuer []byte // the certificateIssuer of the first entry (indirect CRLs)
		switch p.mode {
		case "sep-key", "indirect":
			// The signer's certificate: a key of the CA's name (sep-key) or of another
			// name (indirect), issued by the CA (sep-key) or the root (indirect).
			skey := rxKey(g.keyType(), 40+j)
			name, by := cas[j].subj, cas[j]
			if p.mode == "indirect" {
				name, by = rxName(fmt.Sprintf("RXC CRL Issuer %d", j)), cas[0]
				certIssuer = cas[j].subj
				if r.Intn(100) < 10 {
					// Entries without certificateIssuer are about the CRL issuer's own
					// certificates (RFC 5280 5.3.3).
					g.feat("no-certificate-issuer")
					certIssuer = nil
				}
			}
			sc := rxCert{subj: name, iss: by.subj, key: skey, signer: by.key, pss: by.pss, serial: serial + 16 + int64(j), nb: nb, na: na}
			switch p.signerBad {
			case "expired":
				sc.na = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			case "by-other-root":
				ok := rxKey("p256", 49)
				sc.iss, sc.signer, sc.pss = rxName("RXC Other Root"), ok, 0
			}
			switch p.signerKU {
			case "crlsign":
				sc.exts = append(sc.exts, kuExt(x509.KeyUsageCRLSign))
			case "digsig":
				sc.exts = append(sc.exts, kuExt(x509.KeyUsageDigitalSignature))
			}
			sc.exts = append(sc.exts, dExt(oidSKI, false, dKeyID(skey)), dAKI(dKeyID(sc.signer)))
			// Its distribution point is that of the certificates its issuer issued (the
			// CA's for sep-key, the root's for indirect), or none.
			if r.Intn(100) < 75 {
				if p.mode == "sep-key" {
					sc.exts = append(sc.exts, rxcCDPOf(p, j)...)
				} else {
					sc.exts = append(sc.exts, rxcCDPOf(plans[0], 0)...)
				}
			} else {
				g.feat("signer-no-cdp")
			}
			c.inters = append(c.inters, sc.der())
			l.issuer, l.signer, l.pss = name, skey, g.pss(skey)
		}
		switch v := g.pick(88, "current", 4, "expired", 4, "notyet", 4, "no-next"); v {
		case "expired":
			l.this, l.next = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
			g.feat("time=%s", v)
		case "notyet":
			l.this, l.next = time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
			g.feat("time=%s", v)
		case "no-next":
			l.noNext = true
			g.feat("time=%s", v)
		}
		switch v := g.pick(93, "ok", 4, "missing", 3, "critical"); v {
		case "missing":
			l.noNumber = true
			g.feat("number=%s", v)
		case "critical":
			l.numberCrit = true
			g.feat("number=%s", v)
		}
		idp := rxcIDPOf(p, j)
		if p.mode == "indirect" {
			idp.indirect = true
		}
		if idp.full != nil || idp.onlyUser || idp.onlyCA || idp.reasons != nil || idp.indirect {
			l.exts = append(l.exts, idp.ext())
		}
		if r.Intn(100) < 3 {
			g.feat("unknown-critical")
			l.exts = append(l.exts, rawExt(oidRXCUnknown, true, []byte{5, 0}))
		}
		// Entries: unrelated serials, and the certificate issued when the plan says so.
		firstIssuer := certIssuer // the certificateIssuer of another CRL's first entry
		for k := range r.Intn(3) {
			l.entries = append(l.entries, rxcEntry{serial: serial + 24 + int64(k), reason: -1, certIssuer: certIssuer})
			certIssuer = nil
		}
		target := rxcEntry{serial: subjectSerial, reason: p.reason, certIssuer: certIssuer}
		if p.target != "none" {
			if r.Intn(100) < 20 {
				g.feat("invalidity-date")
				target.invalidity = true
			}
			if r.Intn(100) < 4 {
				g.feat("entry-unknown-critical")
				target.unknownCrit = true
			}
			l.entries = append(l.entries, target)
		}
		if j == 0 && r.Intn(100) < 2 {
			g.feat("lists-root")
			l.entries = append(l.entries, rxcEntry{serial: serial, reason: 1, certIssuer: certIssuer})
		}
		if r.Intn(100) < 4 {
			g.feat("bad-signature")
			l.corrupt = true
		}
		hasDelta := r.Intn(100) < 14
		idpExts := l.exts
		if hasDelta && r.Intn(100) < 90 {
			// The complete CRL says where its deltas are (RFC 5280 5.2.6): openssl
			// -use_deltas looks for a delta only then.
			l.exts = append(slices.Clone(l.exts), rxcFreshest(j))
		} else if hasDelta {
			g.feat("no-freshest")
		}
		c.crls = append(c.crls, l.der())
		if hasDelta {
			// A delta CRL (RFC 5280 5.2.4): its base number, its own number, what it says.
			d := l
			d.exts = idpExts
			d.corrupt, d.noNumber, d.numberCrit, d.this, d.next, d.noNext = false, false, false, rxcThis.Add(24*time.Hour), rxcNext, false
			d.entries = nil
			base := l.number
			switch s := g.pick(70, "0", 15, "-1", 15, "+1"); s {
			case "-1":
				base = l.number - 1
			case "+1":
				base = l.number + 1
			}
			d.number = l.number + 1
			if r.Intn(100) < 12 {
				d.number = l.number
			}
			delta := g.pick(40, "revoke", 30, "remove", 30, "nothing")
			if delta != "nothing" {
				en := rxcEntry{serial: subjectSerial, reason: 1, certIssuer: firstIssuer}
				if delta == "remove" {
					en.reason = 8
				}
				d.entries = append(d.entries, en)
			}
			d.exts = append([]pkix.Extension{rawExt(oidDeltaCRL, true, intDER(base))}, idpExts...)
			if len(idpExts) > 0 && r.Intn(100) < 10 {
				g.feat("delta-without-idp")
				d.exts = d.exts[:1]
			}
			g.feat("delta(base=%d/%d number=%d %s)", base, l.number, d.number, delta)
			if r.Intn(100) < 20 {
				d = rxcSpoil(g, "delta-", d)
			}
			c.crls = append(c.crls, d.der())
		}
		if r.Intn(100) < 7 {
			// Another complete CRL of the issuer, newer or older (both current), that
			// cannot be used: does its problem show, and what if it lists the certificate?
			o := l
			o.corrupt = false
			when := g.pick(50, "newer", 50, "older")
			if when == "newer" {
				o.number, o.this = l.number+2, rxcThis.Add(48*time.Hour)
			} else {
				o.number, o.this = l.number-2, rxcThis.Add(-48*time.Hour)
			}
			o.entries = nil
			lists := r.Intn(2) == 0
			if lists {
				o.entries = []rxcEntry{{serial: subjectSerial, reason: 1, certIssuer: firstIssuer}}
			}
			g.feat("other-complete(%s lists=%v)", when, lists)
			c.crls = append(c.crls, rxcSpoil(g, "other-", o).der())
		}
		if r.Intn(100) < 5 {
			// A stale CRL beside the current one: older, expired, listing the certificate.
			s := l
			s.corrupt, s.this, s.next, s.number = false, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), l.number-5
			s.entries = []rxcEntry{{serial: subjectSerial, reason: 1, certIssuer: firstIssuer}}
			g.feat("stale-crl")
			c.crls = append(c.crls, s.der())
		}
		if r.Intn(100) < 6 {
			// An older complete CRL of the issuer that can be used (current, not listing
			// the certificate): it must never settle what the newer one, or its delta,
			// cannot (the newer one may be spoiled, or its delta).
			o := l
			o.corrupt, o.number, o.this, o.entries = false, l.number-3, rxcThis.Add(-72*time.Hour), nil
			g.feat("older-usable")
			c.crls = append(c.crls, o.der())
		}
		if r.Intn(100) < 2 {
			// A CRL in the CA's name that no key of the CA signed.
			f := l
			f.issuer, f.signer, f.pss, f.corrupt = cas[j].subj, rxKey("p256", 48), 0, false
			g.feat("forged-beside")
			c.crls = append(c.crls, f.der())
		}
	}
	if len(c.crls) > 1 {
		r.Shuffle(len(c.crls), func(i, j int) { c.crls[i], c.crls[j] = c.crls[j], c.crls[i] })
	}
	if len(c.inters) > 1 {
		r.Shuffle(len(c.inters), func(i, j int) { c.inters[i], c.inters[j] = c.inters[j], c.inters[i] })
	}
	return c
}

// rxcSpoil gives a CRL one problem that makes it unusable.
func rxcSpoil(g *rxGen, prefix string, l rxcCRL) rxcCRL {
	v := g.pick(30, "unknown-critical", 15, "entry-unknown-critical", 15, "expired", 15, "notyet", 15, "bad-signature", 10, "number-critical")
	g.feat("%s%s", prefix, v)
	switch v {
	case "unknown-critical":
		l.exts = append(slices.Clone(l.exts), rawExt(oidRXCUnknown, true, []byte{5, 0}))
	case "entry-unknown-critical":
		l.entries = append(slices.Clone(l.entries), rxcEntry{serial: 0x7fff_0000, reason: -1, unknownCrit: true})
	case "expired":
		l.this, l.next = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	case "notyet":
		l.this, l.next = time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	case "bad-signature":
		l.corrupt = true
	case "number-critical":
		l.numberCrit = true
	}
	return l
}

// rxcFreshest is a freshest CRL extension: where issuer j's delta CRLs are.
func rxcFreshest(j int) pkix.Extension {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			lcDPName(b, [][]byte{gnURI(fmt.Sprintf("http://crl.example.com/ca%d-delta.crl", j))}, nil)
		})
	})
	return rawExt(asn1.ObjectIdentifier{2, 5, 29, 46}, false, b.BytesOrPanic())
}

func intDER(n int64) []byte {
	der, err := asn1.Marshal(big.NewInt(n))
	if err != nil {
		panic(err)
	}
	return der
}

// rxcURI is the distribution point URI of issuer j's CRLs.
func rxcURI(j int) []byte { return gnURI(fmt.Sprintf("http://crl.example.com/ca%d.crl", j)) }

// rxcCDPOf is the CRL distribution points extension of a certificate issuer j issued.
func rxcCDPOf(p rxcIssuerPlan, j int) []pkix.Extension {
	switch p.cdp {
	case "uri":
		return []pkix.Extension{rxcCDP([][]byte{rxcURI(j)}, nil, nil)}
	case "uri-reasons":
		return []pkix.Extension{rxcCDP([][]byte{rxcURI(j)}, rxcReasonBits(1, 2), nil)}
	case "dirname":
		return []pkix.Extension{rxcCDP([][]byte{gn(4, true, rxName(fmt.Sprintf("RXC CRL DP %d", j)))}, nil, nil)}
	case "crlissuer":
		return []pkix.Extension{rxcCDP([][]byte{rxcURI(j)}, nil, rxName(fmt.Sprintf("RXC CRL Issuer %d", j)))}
	}
	return nil
}

// rxcIDPOf is the issuing distribution point of issuer j's CRLs (zero: none).
func rxcIDPOf(p rxcIssuerPlan, j int) lcIDP {
	var idp lcIDP
	switch p.idp {
	case "dp-match":
		idp.full = [][]byte{rxcURI(j)}
		if p.cdp == "dirname" {
			idp.full = [][]byte{gn(4, true, rxName(fmt.Sprintf("RXC CRL DP %d", j)))}
		}
	case "dp-other":
		idp.full = [][]byte{gnURI(fmt.Sprintf("http://crl.example.com/ca%d-other.crl", j))}
	case "only-user":
		idp.onlyUser = true
	case "only-ca":
		idp.onlyCA = true
	case "some-reasons":
		idp.reasons = rxcReasonBits(1, 2)
	case "some-reasons-all":
		idp.reasons = rxcReasonBits(1, 2, 3, 4, 5, 6, 7, 8)
	}
	return idp
}
