package verify_test

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	mrand "math/rand"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// The generator of the OCSP campaign (oc_diff_test.go): from one seed, a chain of a root, an
// intermediate and a leaf (key types drawn) that path validation accepts, and OCSP responses
// (RFC 6960) about the leaf and sometimes the intermediate, written here byte by byte so that
// every field can be drawn from a menu of valid and invalid forms: the responder (the issuing
// CA itself; a delegated responder the CA certified, with or without id-kp-OCSPSigning and
// id-pkix-ocsp-nocheck; one another CA certified; one expired or not yet valid; one nobody
// certified), named by name or by key hash, the right entity or not; the answer (good, revoked
// with or without a reason, unknown) among other answers or absent; its CertID hashed with
// SHA-1 or SHA-256, its name hash, key hash or serial wrong; thisUpdate, nextUpdate (absent,
// past, future, before thisUpdate) and producedAt; a responseStatus other than successful; a
// bad signature; an unknown critical extension (of the response or the answer); a nonce. It
// reuses the chain campaign's helpers (rx_gen_test.go): the seeded draw (rxGen), the key pool
// (rxKey), the certificate writer (rxCert) and the signatures (rxSign).
//
// openssl ocsp checks thisUpdate and nextUpdate against the clock, not -attime
// (OCSP_check_validity), so the dates of a case are offsets from ocNow, the time the test
// process started, and the validation time is ocNow unless a case draws another one.

// ocNow is the base of every date of the campaign.
var ocNow = time.Now().UTC().Truncate(time.Second)

var (
	oidOCEKUOCSPSigning = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 9}
	oidOCNoCheck        = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}
	oidOCNonce          = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}
	oidOCBasic          = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	oidOCUnknown        = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 48}
	oidOCSHA1           = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidOCSHA256         = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
)

// ocSingle is one SingleResponse to write.
type ocSingle struct {
	serial              *big.Int
	issuerName          []byte // the DER name hashed into issuerNameHash
	issuerKey           crypto.Signer
	hash                string // the CertID's hash: "" (SHA-1), "sha256", "sha384", "sha512"
	wrongName, wrongKey bool
	status              string // "good", "revoked", "unknown"
	reason              int    // revoked: -1 no reason
	revokedAt           time.Time
	this, next          time.Time // next zero: absent
	critExt, nonCritExt bool
	// thisRaw, nextRaw, revokedRaw: when not nil, the time's element as written (the times
	// campaign, tm_ocsp_times_test.go).
	thisRaw, nextRaw, revokedRaw []byte
}

// ocResp is one OCSPResponse to write.
type ocResp struct {
	status      int // responseStatus: 0 successful (the rest carry no responseBytes)
	byKey       bool
	idName      []byte        // byName: this name
	idKey       crypto.Signer // byKey: the hash of this key
	producedAt  time.Time
	singles     []ocSingle
	nonce       int // 0 none, 1 non-critical, 2 critical
	critUnknown bool
	signer      crypto.Signer
	certs       [][]byte
	corrupt     bool
	sha1        bool        // signed over SHA-1 (RSA, ECDSA signers)
	pss         crypto.Hash // RSASSA-PSS over this hash (RSA signers)
	producedRaw []byte      // when not nil, producedAt's element as written (the times campaign)
}

// ocKeyBits is the subjectPublicKey BIT STRING contents of k.
func ocKeyBits(k crypto.Signer) []byte {
	spki := cryptobyte.String(dSPKI(k))
	var inner, algo cryptobyte.String
	var bits asn1.BitString
	if !spki.ReadASN1(&inner, cbasn1.SEQUENCE) || !inner.ReadASN1(&algo, cbasn1.SEQUENCE) || !inner.ReadASN1BitString(&bits) {
		panic("oc: SPKI")
	}
	return bits.Bytes
}

// ocHashes are the CertID hashes drawn: openssl ocsp's digest option, and the OID.
var ocHashes = map[string]struct {
	h   crypto.Hash
	oid asn1.ObjectIdentifier
}{
	"":       {crypto.SHA1, oidOCSHA1},
	"sha256": {crypto.SHA256, oidOCSHA256},
	"sha384": {crypto.SHA384, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}},
	"sha512": {crypto.SHA512, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}},
}

func ocHash(name string, b []byte) []byte {
	h := ocHashes[name].h.New()
	h.Write(b)
	return h.Sum(nil)
}

func (o ocResp) der() []byte {
	var out cryptobyte.Builder
	if o.status != 0 {
		out.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1Enum(int64(o.status)) })
		return out.BytesOrPanic()
	}
	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if o.byKey {
			b.AddASN1(cbasn1.Tag(2).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1OctetString(ocHash("", ocKeyBits(o.idKey)))
			})
		} else {
			b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddBytes(o.idName) })
		}
		if o.producedRaw != nil {
			b.AddBytes(o.producedRaw)
		} else {
			b.AddASN1GeneralizedTime(o.producedAt)
		}
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, s := range o.singles {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddBytes(algID(ocHashes[s.hash].oid, []byte{5, 0}))
						nh, kh := ocHash(s.hash, s.issuerName), ocHash(s.hash, ocKeyBits(s.issuerKey))
						if s.wrongName {
							nh[0] ^= 1
						}
						if s.wrongKey {
							kh[0] ^= 1
						}
						b.AddASN1OctetString(nh)
						b.AddASN1OctetString(kh)
						b.AddASN1BigInt(s.serial)
					})
					switch s.status {
					case "good":
						b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(*cryptobyte.Builder) {})
					case "revoked":
						b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
							if s.revokedRaw != nil {
								b.AddBytes(s.revokedRaw)
							} else {
								b.AddASN1GeneralizedTime(s.revokedAt)
							}
							if s.reason >= 0 {
								b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddASN1Enum(int64(s.reason)) })
							}
						})
					default:
						b.AddASN1(cbasn1.Tag(2).ContextSpecific(), func(*cryptobyte.Builder) {})
					}
					if s.thisRaw != nil {
						b.AddBytes(s.thisRaw)
					} else {
						b.AddASN1GeneralizedTime(s.this)
					}
					if s.nextRaw != nil {
						b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddBytes(s.nextRaw) })
					} else if !s.next.IsZero() {
						b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddASN1GeneralizedTime(s.next) })
					}
					if s.critExt || s.nonCritExt {
						b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
								ocAddExt(b, rawExt(oidOCUnknown, s.critExt, []byte{5, 0}))
							})
						})
					}
				})
			}
		})
		if o.nonce > 0 || o.critUnknown {
			b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					if o.nonce > 0 {
						ocAddExt(b, rawExt(oidOCNonce, o.nonce == 2, []byte{4, 8, 1, 2, 3, 4, 5, 6, 7, 8}))
					}
					if o.critUnknown {
						ocAddExt(b, rawExt(oidOCUnknown, true, []byte{5, 0}))
					}
				})
			})
		}
	})
	tbs := tb.BytesOrPanic()
	alg, sig := rxSign(o.signer, tbs, o.pss)
	if o.sha1 {
		alg, sig = ocSignSHA1(o.signer, tbs)
	}
	if o.corrupt {
		sig[len(sig)/2] ^= 1
	}
	var bb cryptobyte.Builder
	bb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		b.AddBytes(alg)
		b.AddASN1BitString(sig)
		if len(o.certs) > 0 {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					for _, c := range o.certs {
						b.AddBytes(c)
					}
				})
			})
		}
	})
	basic := bb.BytesOrPanic()
	out.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Enum(0)
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidOCBasic)
				b.AddASN1OctetString(basic)
			})
		})
	})
	return out.BytesOrPanic()
}

func ocAddExt(b *cryptobyte.Builder, e pkix.Extension) {
	der, err := asn1.Marshal(e)
	if err != nil {
		panic(err)
	}
	b.AddBytes(der)
}

// ocTarget is one certificate of the chain a response is given for.
type ocTarget struct {
	name    string // "leaf", "inter"
	cert    []byte
	issuer  []byte // the issuer's certificate
	hash    string // the hash of its answer's CertID ("" SHA-1; openssl ocsp -sha256 ...)
	resp    int    // the index of its response in ocCase.resps, -1 none
	present bool   // the response holds an answer whose CertID names it
}

// ocCase is one seed's chain and responses.
type ocCase struct {
	rx      *rxCase // seed, feats; roots, inters, leaf
	at      time.Time
	resps   [][]byte
	targets []ocTarget
}

func (c *ocCase) String() string    { return c.rx.String() }
func (c *ocCase) has(s string) bool { return c.rx.has(s) }

// ocIssuer is one CA of the chain, as a response about what it issued needs it.
type ocIssuer struct {
	subj []byte
	key  crypto.Signer
	der  []byte
}

// ocGenerate draws the case of one seed.
func ocGenerate(seed int64) *ocCase {
	rc := &rxCase{seed: seed}
	g := &rxGen{r: mrand.New(mrand.NewSource(seed)), c: rc}
	r := g.r
	c := &ocCase{rx: rc, at: ocNow}
	serial := int64(0x0c50_0000) + seed*16
	nb, na := ocNow.Add(-90*24*time.Hour), ocNow.Add(365*24*time.Hour)
	g.where = "root"
	rkt := g.keyType()
	g.feat("key=%s", rkt)
	root := ocIssuer{subj: rxName("OC Root"), key: rxKey(rkt, 0)}
	root.der = rxCert{subj: root.subj, iss: root.subj, key: root.key, signer: root.key, serial: serial, nb: nb, na: na,
		exts: []pkix.Extension{bcExt(true, true, -1), kuExt(x509.KeyUsageCertSign | x509.KeyUsageCRLSign), dExt(oidSKI, false, dKeyID(root.key))}}.der()
	g.where = "inter"
	ikt := g.keyType()
	g.feat("key=%s", ikt)
	inter := ocIssuer{subj: rxName("OC Intermediate"), key: rxKey(ikt, 1)}
	inter.der = rxCert{subj: inter.subj, iss: root.subj, key: inter.key, signer: root.key, serial: serial + 1, nb: nb, na: na,
		exts: []pkix.Extension{bcExt(true, true, -1), kuExt(x509.KeyUsageCertSign | x509.KeyUsageCRLSign),
			dExt(oidSKI, false, dKeyID(inter.key)), dAKI(dKeyID(root.key))}}.der()
	g.where = "leaf"
	lkt := g.keyType()
	g.feat("key=%s", lkt)
	lkey := rxKey(lkt, 4)
	leafSerial := big.NewInt(serial + 2)
	leaf := rxCert{subj: rxName("leaf.example.com"), iss: inter.subj, key: lkey, signer: inter.key, serial: serial + 2, nb: nb, na: na,
		exts: []pkix.Extension{bcExt(true, false, -1), kuExt(x509.KeyUsageDigitalSignature),
			dExt(oidEKU, false, []asn1.ObjectIdentifier{rxEKUServer}), dExt(oidSKI, false, dKeyID(lkey)), dAKI(dKeyID(inter.key))}}.der()
	rc.roots, rc.inters, rc.leaf = [][]byte{root.der}, [][]byte{inter.der}, leaf

	g.where = "at"
	switch g.pick(90, "now", 5, "past", 5, "future") {
	case "past":
		g.feat("at=past")
		c.at = ocNow.Add(-20 * 24 * time.Hour)
	case "future":
		g.feat("at=future")
		c.at = ocNow.Add(20 * 24 * time.Hour)
	}

	c.targets = append(c.targets, ocTarget{name: "leaf", cert: leaf, issuer: inter.der, resp: -1})
	if r.Intn(100) < 35 {
		c.targets = append(c.targets, ocTarget{name: "inter", cert: inter.der, issuer: root.der, resp: -1})
	}
	for k := range c.targets {
		t := &c.targets[k]
		g.where = t.name
		iss, other, tserial := inter, root, leafSerial
		if t.name == "inter" {
			iss, other, tserial = root, inter, big.NewInt(serial+1)
		}
		resp, present, hash := ocResponse(g, seed, k, iss, other, root, tserial)
		t.resp, t.present, t.hash = len(c.resps), present, hash
		c.resps = append(c.resps, resp)
	}
	return c
}

// ocResponse draws a response about the certificate of serial tserial that iss issued (other
// is another CA of the chain, root the root): its DER, whether an answer names the
// certificate, and the hash of that answer's CertID.
func ocResponse(g *rxGen, seed int64, k int, iss, other, root ocIssuer, tserial *big.Int) ([]byte, bool, string) {
	r := g.r
	o := ocResp{producedAt: ocNow.Add(-time.Hour)}
	// The responder.
	kind := g.pick(40, "ca", 28, "delegated", 5, "delegated-nocheck", 5, "delegated-noeku", 5, "delegated-other-ca",
		3, "delegated-expired", 3, "delegated-notyet", 3, "delegated-selfsigned", 3, "other-ca", 2, "delegated-ku-nodigsig",
		3, "delegated-not-included", 2, "delegated-issuer-name", 2, "delegated-unknown-critical")
	if kind != "ca" {
		g.feat("responder=%s", kind)
	}
	rkt := g.keyType()
	rkey := rxKey(rkt, 20+k)
	rsubj := rxName(fmt.Sprintf("OC Responder %d", k))
	switch kind {
	case "ca":
		o.signer, o.idName, o.idKey = iss.key, iss.subj, iss.key
		if r.Intn(100) < 20 {
			g.feat("certs=issuer")
			o.certs = append(o.certs, iss.der)
		}
	case "other-ca":
		o.signer, o.idName, o.idKey = other.key, other.subj, other.key
		o.certs = append(o.certs, other.der)
	default:
		g.feat("responder-key=%s", rkt)
		rc := rxCert{subj: rsubj, iss: iss.subj, key: rkey, signer: iss.key, serial: 0x0c5f_0000 + seed*4 + int64(k),
			nb: ocNow.Add(-30 * 24 * time.Hour), na: ocNow.Add(60 * 24 * time.Hour)}
		ku := x509.KeyUsageDigitalSignature
		eku := true
		switch kind {
		case "delegated-other-ca":
			rc.iss, rc.signer = other.subj, other.key
		case "delegated-selfsigned":
			rc.iss, rc.signer = rsubj, rkey
		case "delegated-expired":
			rc.nb, rc.na = ocNow.Add(-90*24*time.Hour), ocNow.Add(-10*24*time.Hour)
		case "delegated-notyet":
			rc.nb, rc.na = ocNow.Add(10*24*time.Hour), ocNow.Add(90*24*time.Hour)
		case "delegated-noeku":
			eku = false
		case "delegated-ku-nodigsig":
			ku = x509.KeyUsageKeyEncipherment
		case "delegated-issuer-name":
			// Certified by the issuer's key, in the name of another CA.
			rc.iss = other.subj
		}
		rc.exts = []pkix.Extension{bcExt(true, false, -1), kuExt(ku), dExt(oidSKI, false, dKeyID(rkey)), dAKI(dKeyID(rc.signer))}
		if eku {
			rc.exts = append(rc.exts, dExt(oidEKU, false, []asn1.ObjectIdentifier{oidOCEKUOCSPSigning}))
		}
		if kind == "delegated-unknown-critical" {
			rc.exts = append(rc.exts, rawExt(oidOCUnknown, true, []byte{5, 0}))
		}
		if kind == "delegated-nocheck" {
			rc.exts = append(rc.exts, rawExt(oidOCNoCheck, false, []byte{5, 0}))
		}
		o.signer, o.idName, o.idKey = rkey, rsubj, rkey
		if kind != "delegated-not-included" {
			o.certs = append(o.certs, rc.der())
		}
		if r.Intn(100) < 15 {
			g.feat("certs+issuer")
			o.certs = append(o.certs, iss.der)
		}
	}
	o.byKey = r.Intn(100) < 40
	if o.byKey {
		g.feat("id=key")
	}
	switch v := g.pick(86, "right", 4, "other-entity", 4, "unknown", 3, "name-printable", 3, "name-case"); v {
	case "name-printable", "name-case":
		// The same name in another encoding, or in other letter case: equal under RFC 5280
		// 7.1 (and openssl's X509_NAME_cmp of canonical encodings).
		if !o.byKey {
			g.feat("id=%s", v)
			o.idName = ocReencode(o.idName, v == "name-case")
		}
	case "other-entity":
		g.feat("id=other-entity")
		o.idName, o.idKey = root.subj, root.key
		if sameSigner(o.signer, root.key) {
			o.idName, o.idKey = iss.subj, iss.key
			if sameSigner(o.signer, iss.key) {
				o.idName, o.idKey = other.subj, other.key
			}
		}
	case "unknown":
		g.feat("id=unknown")
		o.idName, o.idKey = rxName("OC Nobody"), rxKey("p256", 30)
	}
	// The answers: the certificate's, and others about other serials of the same issuer.
	hash := g.pick(70, "", 22, "sha256", 4, "sha384", 4, "sha512")
	if hash != "" {
		g.feat("certid=%s", hash)
	}
	single := func(serial *big.Int) ocSingle {
		return ocSingle{serial: serial, issuerName: iss.subj, issuerKey: iss.key, hash: hash, status: "good",
			this: ocNow.Add(-time.Hour), next: ocNow.Add(7 * 24 * time.Hour), reason: -1}
	}
	mine := single(tserial)
	mine.status = g.pick(60, "good", 25, "revoked", 15, "unknown")
	g.feat("status=%s", mine.status)
	if mine.status == "revoked" {
		mine.revokedAt = ocNow.Add(-10 * 24 * time.Hour)
		rs := rxcReasons[r.Intn(len(rxcReasons))]
		mine.reason = rs.code
		if rs.code != -1 {
			g.feat("reason=%s", rs.name)
		}
	}
	// A second answer about it that says revoked, after a good one.
	dup := mine.status == "good" && r.Intn(100) < 3
	if dup {
		g.feat("dup=revoked")
	}
	present := true
	switch v := g.pick(91, "right", 3, "wrong-name-hash", 3, "wrong-key-hash", 3, "wrong-serial"); v {
	case "wrong-name-hash":
		mine.wrongName = true
	case "wrong-key-hash":
		mine.wrongKey = true
	case "wrong-serial":
		mine.serial = new(big.Int).Add(tserial, big.NewInt(1000))
	}
	if mine.wrongName || mine.wrongKey || mine.serial.Cmp(tserial) != 0 {
		present = false
		g.feat("certid=%s", map[bool]string{true: "wrong-hash", false: "wrong-serial"}[mine.wrongName || mine.wrongKey])
	}
	switch v := g.pick(66, "ok", 2, "this-skew", 2, "this-beyond-skew", 6, "this-future", 5, "this-old", 8, "next-absent", 3, "next-absent-old", 5, "next-past", 3, "next-before-this", 2, "next-before-this-skew"); v {
	case "ok":
	case "this-skew":
		// Within the clock skew both tools allow (signet's ocspSkew, openssl ocsp's
		// -validity_period 300), however long the campaign runs after ocNow.
		mine.this = ocNow.Add(3 * time.Minute)
	case "this-beyond-skew":
		// Beyond it for both while the campaign runs for less than 15 minutes.
		mine.this = ocNow.Add(20 * time.Minute)
	case "this-future":
		mine.this = ocNow.Add(2 * time.Hour)
	case "this-old":
		mine.this = ocNow.Add(-5 * 24 * time.Hour)
	case "next-absent":
		mine.next = time.Time{}
	case "next-absent-old":
		mine.this, mine.next = ocNow.Add(-3*24*time.Hour), time.Time{}
	case "next-past":
		mine.this, mine.next = ocNow.Add(-3*24*time.Hour), ocNow.Add(-2*time.Hour)
	case "next-before-this":
		mine.this, mine.next = ocNow.Add(-time.Hour), ocNow.Add(-3*time.Hour)
	case "next-before-this-skew":
		// Both inside the clock skew of the validation time, nextUpdate first.
		mine.this, mine.next = ocNow.Add(4*time.Minute), ocNow.Add(time.Minute)
	}
	if v := "dates"; mine.this != ocNow.Add(-time.Hour) || mine.next != ocNow.Add(7*24*time.Hour) {
		g.feat("%s=%s", v, ocDates(mine))
	}
	switch g.pick(95, "none", 3, "crit", 2, "noncrit") {
	case "crit":
		g.feat("single-ext=critical")
		mine.critExt = true
	case "noncrit":
		g.feat("single-ext=noncritical")
		mine.nonCritExt = true
	}
	n := g.pick(80, "0", 12, "1", 8, "2")
	if n != "0" {
		g.feat("others=%s", n)
	}
	var others []ocSingle
	for i := range int(n[0] - '0') {
		s := single(new(big.Int).Add(tserial, big.NewInt(int64(100+i))))
		s.status = g.pick(50, "good", 30, "revoked", 20, "unknown")
		s.revokedAt = ocNow.Add(-5 * 24 * time.Hour)
		others = append(others, s)
	}
	if r.Intn(100) < 3 {
		g.feat("absent")
		present = false
		if len(others) == 0 {
			others = append(others, single(new(big.Int).Add(tserial, big.NewInt(200))))
		}
	} else {
		at := r.Intn(len(others) + 1)
		if at > 0 {
			g.feat("mine-at=%d", at)
		}
		mines := []ocSingle{mine}
		if dup {
			d := mine
			d.status, d.revokedAt = "revoked", ocNow.Add(-2*24*time.Hour)
			mines = append(mines, d)
		}
		others = append(others[:at:at], append(mines, others[at:]...)...)
	}
	o.singles = others
	switch g.pick(88, "ok", 4, "produced-future", 4, "produced-before-this", 4, "produced-old") {
	case "ok":
		// Signed when its answer was known: not before thisUpdate (rfc6960.produced-at).
		if mine.this.After(o.producedAt) {
			o.producedAt = mine.this
		}
	case "produced-future":
		g.feat("produced=future")
		o.producedAt = ocNow.Add(3 * time.Hour)
	case "produced-before-this":
		g.feat("produced=before-this")
		o.producedAt = mine.this.Add(-2 * time.Hour)
	case "produced-old":
		g.feat("produced=old")
		o.producedAt = ocNow.Add(-40 * 24 * time.Hour)
	}
	switch g.pick(88, "none", 7, "nonce", 2, "nonce-crit", 3, "unknown-crit") {
	case "nonce":
		g.feat("nonce")
		o.nonce = 1
	case "nonce-crit":
		g.feat("nonce=critical")
		o.nonce = 2
	case "unknown-crit":
		g.feat("resp-ext=critical")
		o.critUnknown = true
	}
	if r.Intn(100) < 4 {
		g.feat("signature=bad")
		o.corrupt = true
	}
	if _, ed := o.signer.(ed25519.PrivateKey); !ed && r.Intn(100) < 3 {
		g.feat("signature=sha1")
		o.sha1 = true
	} else if _, rsa := o.signer.(*rsa.PrivateKey); rsa {
		o.pss = g.pss(o.signer)
	}
	switch v := g.pick(94, "successful", 2, "tryLater", 2, "unauthorized", 2, "malformedRequest"); v {
	case "tryLater":
		o.status = 3
	case "unauthorized":
		o.status = 6
	case "malformedRequest":
		o.status = 1
	}
	if o.status != 0 {
		g.feat("response-status=%d", o.status)
	}
	return o.der(), present, hash
}

// ocDates describes an answer's dates relative to ocNow.
func ocDates(s ocSingle) string {
	rel := func(t time.Time) string {
		if t.IsZero() {
			return "absent"
		}
		return t.Sub(ocNow).String()
	}
	return fmt.Sprintf("this%s/next%s", rel(s.this), rel(s.next))
}

// ocSignSHA1 signs tbs over SHA-1: sha1WithRSAEncryption or ecdsa-with-SHA1.
func ocSignSHA1(k crypto.Signer, tbs []byte) (alg, sig []byte) {
	h := sha1.Sum(tbs)
	sig, err := k.Sign(rand.Reader, h[:], crypto.SHA1)
	if err != nil {
		panic(err)
	}
	if _, ok := k.(*rsa.PrivateKey); ok {
		return algID(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}, []byte{5, 0}), sig
	}
	return algID(asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}, nil), sig
}

// ocReencode writes a DER name with its UTF8String values as PrintableString, upper-cased
// when upper.
func ocReencode(name []byte, upper bool) []byte {
	in := cryptobyte.String(name)
	var rdns cryptobyte.String
	if !in.ReadASN1(&rdns, cbasn1.SEQUENCE) {
		panic("oc: name")
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for !rdns.Empty() {
			var set cryptobyte.String
			if !rdns.ReadASN1(&set, cbasn1.SET) {
				panic("oc: name")
			}
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				for !set.Empty() {
					var atv, val cryptobyte.String
					var oid asn1.ObjectIdentifier
					var tag cbasn1.Tag
					if !set.ReadASN1(&atv, cbasn1.SEQUENCE) || !atv.ReadASN1ObjectIdentifier(&oid) || !atv.ReadAnyASN1(&val, &tag) {
						panic("oc: name")
					}
					v := string(val)
					if upper {
						v = strings.ToUpper(v)
					}
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(oid)
						b.AddASN1(tagPrint, func(b *cryptobyte.Builder) { b.AddBytes([]byte(v)) })
					})
				}
			})
		}
	})
	return b.BytesOrPanic()
}

// sameSigner reports whether two keys of the pool are the same key.
func sameSigner(a, b crypto.Signer) bool {
	return string(dSPKI(a)) == string(dSPKI(b))
}
