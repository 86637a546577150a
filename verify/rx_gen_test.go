package verify_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	mrand "math/rand"
	"net"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/x509util"
)

// The generator of the randomized differential campaign (rx_diff_test.go): from one seed, a
// chain of one to four CAs and a leaf whose every field is drawn from a menu of valid and
// invalid forms, and a policy to verify it under. The draw uses only the seeded math/rand, so
// a seed replays the same chain and policy (the keys come from a pool made once per run:
// their bytes change between runs, never a verdict).

// rxAt is the validation time of every case.
var rxAt = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

var rxKeys = struct {
	sync.Mutex
	m map[string]crypto.Signer
}{m: map[string]crypto.Signer{}}

// rxKey returns the key of a type for a slot of the chain (each certificate of a chain has its
// own slot, so that keys differ unless a case reuses one on purpose).
func rxKey(typ string, slot int) crypto.Signer {
	name := fmt.Sprintf("%s:%d", typ, slot)
	rxKeys.Lock()
	defer rxKeys.Unlock()
	if k, ok := rxKeys.m[name]; ok {
		return k
	}
	kt, ok := map[string]x509util.KeyType{"p256": x509util.KeyECP256, "p384": x509util.KeyECP384,
		"p521": x509util.KeyECP521, "rsa": x509util.KeyRSA2048, "ed25519": x509util.KeyEd25519}[typ]
	if !ok {
		panic("rx: key type " + typ)
	}
	k, err := x509util.GenerateKey(kt)
	if err != nil {
		panic(err)
	}
	rxKeys.m[name] = k
	return k
}

// rxSign returns the AlgorithmIdentifier a key signs with and the signature of tbs: ECDSA
// with the hash of its curve's size, Ed25519, and for RSA PKCS #1 v1.5 with SHA-256 or, when
// pss names a hash, RSASSA-PSS with it (MGF1 over the same hash, salt its length).
func rxSign(k crypto.Signer, tbs []byte, pss crypto.Hash) (alg, sig []byte) {
	var h crypto.Hash
	var opts crypto.SignerOpts
	switch pk := k.(type) {
	case *ecdsa.PrivateKey:
		switch pk.Curve {
		case elliptic.P384():
			alg, h = algID(asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}, nil), crypto.SHA384
		case elliptic.P521():
			alg, h = algID(asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}, nil), crypto.SHA512
		default:
			alg, h = algID(oidECDSASHA256, nil), crypto.SHA256
		}
	case *rsa.PrivateKey:
		alg, h = algID(oidRSASHA256, []byte{5, 0}), crypto.SHA256
		if pss != 0 {
			hashOID := map[crypto.Hash]asn1.ObjectIdentifier{crypto.SHA256: oidSHA256, crypto.SHA384: {2, 16, 840, 1, 101, 3, 4, 2, 2}}[pss]
			alg, h = algID(oidRSAPSS, pssParams(hashOID, hashOID, pss.Size())), pss
			opts = &rsa.PSSOptions{SaltLength: pss.Size(), Hash: pss}
		}
	case ed25519.PrivateKey:
		s, err := pk.Sign(rand.Reader, tbs, crypto.Hash(0))
		if err != nil {
			panic(err)
		}
		return algID(asn1.ObjectIdentifier{1, 3, 101, 112}, nil), s
	}
	hh := h.New()
	hh.Write(tbs)
	if opts == nil {
		opts = h
	}
	s, err := k.Sign(rand.Reader, hh.Sum(nil), opts)
	if err != nil {
		panic(err)
	}
	return alg, s
}

// rxCert is one certificate to write.
type rxCert struct {
	subj, iss []byte
	key       crypto.Signer // the subject's key
	signer    crypto.Signer // the issuer's key
	pss       crypto.Hash   // sign with RSASSA-PSS over this hash (RSA issuers)
	serial    int64
	nb, na    time.Time
	exts      []pkix.Extension
}

func (c rxCert) der() []byte {
	return c.derSigned(func(tbs []byte) (alg, sig []byte) { return rxSign(c.signer, tbs, c.pss) })
}

// derSigned writes the certificate signed by sign, which returns the AlgorithmIdentifier and
// the signature of tbs (and is asked once with nil tbs for the AlgorithmIdentifier alone).
func (c rxCert) derSigned(sign func(tbs []byte) (alg, sig []byte)) []byte {
	alg, _ := sign(nil)
	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddASN1Int64(2) })
		b.AddASN1BigInt(big.NewInt(c.serial))
		b.AddBytes(alg)
		b.AddBytes(c.iss)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1UTCTime(c.nb)
			b.AddASN1UTCTime(c.na)
		})
		b.AddBytes(c.subj)
		b.AddBytes(dSPKI(c.key))
		if len(c.exts) > 0 {
			b.AddASN1(cbasn1.Tag(3).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					for _, e := range c.exts {
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
	tbs := tb.BytesOrPanic()
	alg, sig := sign(tbs)
	var cb cryptobyte.Builder
	cb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		b.AddBytes(alg)
		b.AddASN1BitString(sig)
	})
	return cb.BytesOrPanic()
}

// rxCase is one generated chain and the policy to verify it under.
type rxCase struct {
	seed   int64
	leaf   []byte
	inters [][]byte
	roots  [][]byte
	// feats says, in order, every choice drawn: the replayable description of the case.
	feats []string
	// the policy
	eku          string // "", "serverAuth", "clientAuth"
	host         string
	ip           net.IP
	email        string
	policies     []asn1.ObjectIdentifier
	explicit     bool
	inhibitMap   bool
	inhibitAny   bool
	maxDepth     int  // Policy.MaxDepth + 1 (0: none)
	partialChain bool // a trusted certificate is not self-signed
	// The revocation campaign's (rxc_gen_test.go): the CRLs given (Policy.CRLs, openssl's
	// -CRLfile), Policy.RequireCRL, and openssl's revocation flags (-crl_check_all ...).
	crls       [][]byte
	requireCRL bool
	osslCRL    []string
}

// has reports whether a drawn feature contains s ("ski=wrong", "leaf:bc=ca").
func (c *rxCase) has(s string) bool {
	for _, f := range c.feats {
		if strings.Contains(f, s) {
			return true
		}
	}
	return false
}

// rxGen draws from one seeded source.
type rxGen struct {
	// ncRate and polRate are the percentages of certificates with name constraints and with
	// certificate policies (mappings and constraints at a fraction of it).
	ncRate, polRate int
	r               *mrand.Rand
	c               *rxCase
	where           string // the certificate being drawn, for feats
}

func (g *rxGen) feat(format string, args ...any) {
	g.c.feats = append(g.c.feats, g.where+":"+fmt.Sprintf(format, args...))
}

// pick returns one of the weighted choices' names: weights and names alternate.
func (g *rxGen) pick(choices ...any) string {
	total := 0
	for i := 0; i < len(choices); i += 2 {
		total += choices[i].(int)
	}
	n := g.r.Intn(total)
	for i := 0; i < len(choices); i += 2 {
		if n < choices[i].(int) {
			return choices[i+1].(string)
		}
		n -= choices[i].(int)
	}
	panic("unreachable")
}

func rxName(cn string) []byte {
	return dRawName(attr{dOidO, tagUTF8, "RX"}, attr{dOidCN, tagUTF8, cn})
}

var (
	rxEKUServer = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 1}
	rxEKUClient = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}
	rxEKUCode   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}
	rxEKUMail   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 4}
	ekuAnyRX    = asn1.ObjectIdentifier{2, 5, 29, 37, 0}
)

func (g *rxGen) validity() (time.Time, time.Time) {
	switch v := g.pick(92, "ok", 4, "expired", 4, "notyet"); v {
	case "expired":
		g.feat("validity=expired")
		return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	case "notyet":
		g.feat("validity=notyet")
		return time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
}

func (g *rxGen) keyType() string {
	return g.pick(36, "p256", 18, "p384", 6, "p521", 25, "rsa", 15, "ed25519")
}

// ekuList draws an extended key usage extension, nil for none.
func (g *rxGen) ekuExt(ca bool) *pkix.Extension {
	var v string
	if ca {
		v = g.pick(70, "none", 8, "server", 4, "client", 6, "server+client", 4, "code", 4, "any", 2, "server+any", 2, "empty")
	} else {
		v = g.pick(8, "none", 40, "server", 12, "client", 14, "server+client", 6, "code", 4, "mail", 6, "any", 4, "server+any", 2, "empty")
	}
	if v == "none" {
		return nil
	}
	g.feat("eku=%s", v)
	var oids []asn1.ObjectIdentifier
	for _, p := range strings.Split(v, "+") {
		switch p {
		case "server":
			oids = append(oids, rxEKUServer)
		case "client":
			oids = append(oids, rxEKUClient)
		case "code":
			oids = append(oids, rxEKUCode)
		case "mail":
			oids = append(oids, rxEKUMail)
		case "any":
			oids = append(oids, ekuAnyRX)
		}
	}
	if v == "empty" {
		e := rawExt(oidEKU, false, []byte{0x30, 0})
		return &e
	}
	e := dExt(oidEKU, g.r.Intn(20) == 0, oids)
	if e.Critical {
		g.feat("eku-critical")
	}
	return &e
}

// The name constraint menu: every form, inside and outside the leaf's names, and invalid ones.
var rxNCForms = []struct {
	name string
	gn   func() []byte
}{
	{"dns:example.com", func() []byte { return gnDNS("example.com") }},
	{"dns:a.example.com", func() []byte { return gnDNS("a.example.com") }},
	{"dns:example.org", func() []byte { return gnDNS("example.org") }},
	{"dns:.example.com", func() []byte { return gnDNS(".example.com") }},
	{"dns:", func() []byte { return gnDNS("") }},
	{"dns:EXAMPLE.com", func() []byte { return gnDNS("EXAMPLE.com") }},
	{"ip:10.0.0.0/8", func() []byte { return gnIP("10.0.0.0/8") }},
	{"ip:10.1.2.0/24", func() []byte { return gnIP("10.1.2.0/24") }},
	{"ip:192.168.0.0/16", func() []byte { return gnIP("192.168.0.0/16") }},
	{"ip:2001:db8::/32", func() []byte { return gnIP("2001:db8::/32") }},
	{"ip:0.0.0.0/0", func() []byte { return gnIP("0.0.0.0/0") }},
	{"ip:badmask", func() []byte { return gn(7, false, []byte{10, 0, 0, 0, 255, 0, 255, 0}) }},
	{"email:example.com", func() []byte { return gnEmail("example.com") }},
	{"email:.example.com", func() []byte { return gnEmail(".example.com") }},
	{"email:user@example.com", func() []byte { return gnEmail("user@example.com") }},
	{"email:example.org", func() []byte { return gnEmail("example.org") }},
	{"uri:example.com", func() []byte { return gnURI("example.com") }},
	{"uri:.example.com", func() []byte { return gnURI(".example.com") }},
	{"uri:example.org", func() []byte { return gnURI("example.org") }},
	{"dn:O=RX", func() []byte { return gn(4, true, dRawName(attr{dOidO, tagUTF8, "RX"})) }},
	{"dn:O=Other", func() []byte { return gn(4, true, dRawName(attr{dOidO, tagUTF8, "Other"})) }},
	{"dn:O=RX,CN=leaf.example.com", func() []byte { return gn(4, true, rxName("leaf.example.com")) }},
	{"dn:O=rx(printable)", func() []byte { return gn(4, true, dRawName(attr{dOidO, tagPrint, "rx"})) }},
}

func (g *rxGen) ncExt() *pkix.Extension {
	if g.r.Intn(100) >= g.ncRate {
		return nil
	}
	var perm, excl [][]byte
	var pn, en []string
	np, ne := g.r.Intn(3), g.r.Intn(3)
	if np+ne == 0 {
		np = 1
	}
	for range np {
		f := rxNCForms[g.r.Intn(len(rxNCForms))]
		perm, pn = append(perm, f.gn()), append(pn, f.name)
	}
	for range ne {
		f := rxNCForms[g.r.Intn(len(rxNCForms))]
		excl, en = append(excl, f.gn()), append(en, f.name)
	}
	crit := g.r.Intn(10) != 0
	g.feat("nc(permit=%s exclude=%s critical=%v)", strings.Join(pn, ","), strings.Join(en, ","), crit)
	e := ncExt(crit, perm, excl)
	return &e
}

var rxPolicies = []struct {
	name string
	oid  asn1.ObjectIdentifier
}{{"p1", pol1}, {"p2", pol2}, {"p3", pol3}, {"any", polAny}}

func (g *rxGen) policyExts(ca bool) []pkix.Extension {
	var out []pkix.Extension
	if g.r.Intn(100) < g.polRate {
		n := 1 + g.r.Intn(2)
		var oids []asn1.ObjectIdentifier
		var names []string
		seen := map[string]bool{}
		for range n {
			p := rxPolicies[g.r.Intn(len(rxPolicies))]
			if seen[p.name] {
				continue
			}
			seen[p.name] = true
			oids, names = append(oids, p.oid), append(names, p.name)
		}
		g.feat("policies=%s", strings.Join(names, ","))
		out = append(out, policiesOf(oids...))
	}
	if !ca {
		return out
	}
	if g.r.Intn(100) < g.polRate/4 {
		pairs := [][2]int{{0, 1}, {1, 2}, {0, 2}, {2, 0}, {0, 0}, {3, 0}, {1, 0}, {2, 1}}
		var oids []asn1.ObjectIdentifier
		var names []string
		for range 1 + g.r.Intn(2) {
			p := pairs[g.r.Intn(len(pairs))]
			names = append(names, rxPolicies[p[0]].name+"->"+rxPolicies[p[1]].name)
			oids = append(oids, rxPolicies[p[0]].oid, rxPolicies[p[1]].oid)
		}
		g.feat("mapping=%s", strings.Join(names, ","))
		out = append(out, mappingsOf(oids...))
	}
	if g.r.Intn(100) < g.polRate/4 {
		req, inh := g.r.Intn(4)-1, g.r.Intn(4)-1
		if req < 0 && inh < 0 {
			req = 0
		}
		g.feat("pc(require=%d inhibit=%d)", req, inh)
		out = append(out, pcExt(req, inh))
	}
	if g.r.Intn(100) < g.polRate/6 {
		n := g.r.Intn(2)
		g.feat("inhibitAny=%d", n)
		out = append(out, inhibitAnyExt(n))
	}
	return out
}

// The SAN menu of the leaf.
var rxSANForms = []struct {
	name string
	gn   func() []byte
}{
	{"dns:leaf.example.com", func() []byte { return gnDNS("leaf.example.com") }},
	{"dns:a.example.com", func() []byte { return gnDNS("a.example.com") }},
	{"dns:x.a.example.com", func() []byte { return gnDNS("x.a.example.com") }},
	{"dns:*.example.com", func() []byte { return gnDNS("*.example.com") }},
	{"dns:*.a.example.com", func() []byte { return gnDNS("*.a.example.com") }},
	{"dns:www.example.org", func() []byte { return gnDNS("www.example.org") }},
	{"dns:example.com", func() []byte { return gnDNS("example.com") }},
	{"dns:Leaf.Example.COM", func() []byte { return gnDNS("Leaf.Example.COM") }},
	{"ip:10.1.2.3", func() []byte { return gn(7, false, []byte{10, 1, 2, 3}) }},
	{"ip:192.168.1.1", func() []byte { return gn(7, false, []byte{192, 168, 1, 1}) }},
	{"ip:2001:db8::1", func() []byte { return gn(7, false, net.ParseIP("2001:db8::1")) }},
	{"email:user@example.com", func() []byte { return gnEmail("user@example.com") }},
	{"email:user@a.example.com", func() []byte { return gnEmail("user@a.example.com") }},
	{"email:u@example.org", func() []byte { return gnEmail("u@example.org") }},
	{"email:User@EXAMPLE.com", func() []byte { return gnEmail("User@EXAMPLE.com") }},
	{"uri:https://example.com/x", func() []byte { return gnURI("https://example.com/x") }},
	{"uri:https://a.example.com/", func() []byte { return gnURI("https://a.example.com/") }},
	{"uri:https://example.org", func() []byte { return gnURI("https://example.org") }},
	{"dn:O=RX,CN=dir", func() []byte { return gn(4, true, rxName("dir")) }},
}

// rxGenerate draws the case of one seed.
func rxGenerate(seed int64) *rxCase {
	c := &rxCase{seed: seed}
	g := &rxGen{r: mrand.New(mrand.NewSource(seed)), c: c, ncRate: 18, polRate: 30}
	r := g.r
	// One seed in three draws a chain dense in name constraints or in policies.
	switch seed % 3 {
	case 1:
		g.ncRate = 45
	case 2:
		g.polRate = 70
	}
	serial := int64(0x5200_0000) + seed*16
	type made struct {
		subj []byte
		key  crypto.Signer
		der  []byte
		self bool
	}
	nCA := 1 + r.Intn(4)
	var cas []made
	for i := range nCA {
		g.where = fmt.Sprintf("ca%d", i)
		if i == 0 {
			g.where = "root"
		}
		kt := g.keyType()
		g.feat("key=%s", kt)
		key := rxKey(kt, i)
		subj := rxName(fmt.Sprintf("RX CA %d", i))
		var iss []byte
		var signer crypto.Signer
		selfIssued := false
		if i == 0 {
			iss, signer = subj, key
		} else {
			iss, signer = cas[i-1].subj, cas[i-1].key
			if r.Intn(100) < 8 {
				subj, selfIssued = cas[i-1].subj, true
				g.feat("self-issued")
			}
		}
		cert := rxCert{subj: subj, iss: iss, key: key, signer: signer, serial: serial + int64(i), pss: g.pss(signer)}
		cert.nb, cert.na = g.validity()
		// basicConstraints
		switch v := g.pick(74, "ca", 10, "ca-pathlen", 5, "ca-noncrit", 4, "absent", 4, "not-ca", 3, "ca-pathlen-noncrit"); v {
		case "ca":
			cert.exts = append(cert.exts, bcExt(true, true, -1))
		case "ca-pathlen", "ca-pathlen-noncrit":
			n := r.Intn(3)
			g.feat("bc=%s:%d", v, n)
			cert.exts = append(cert.exts, bcExt(v == "ca-pathlen", true, n))
		case "ca-noncrit":
			g.feat("bc=%s", v)
			cert.exts = append(cert.exts, bcExt(false, true, -1))
		case "not-ca":
			g.feat("bc=%s", v)
			cert.exts = append(cert.exts, bcExt(true, false, -1))
		default:
			g.feat("bc=%s", v)
		}
		// keyUsage
		switch v := g.pick(72, "certsign+crlsign", 8, "absent", 6, "certsign", 5, "digsig+certsign", 5, "digsig", 4, "crlsign"); v {
		case "certsign+crlsign":
			cert.exts = append(cert.exts, kuExt(x509.KeyUsageCertSign|x509.KeyUsageCRLSign))
		case "absent":
			g.feat("ku=absent")
		default:
			g.feat("ku=%s", v)
			var ku x509.KeyUsage
			for _, p := range strings.Split(v, "+") {
				ku |= map[string]x509.KeyUsage{"certsign": x509.KeyUsageCertSign, "crlsign": x509.KeyUsageCRLSign, "digsig": x509.KeyUsageDigitalSignature}[p]
			}
			cert.exts = append(cert.exts, kuExt(ku))
		}
		if e := g.ekuExt(true); e != nil {
			cert.exts = append(cert.exts, *e)
		}
		cert.exts = append(cert.exts, g.keyIDs(key, signer, i == 0)...)
		if e := g.ncExt(); e != nil {
			cert.exts = append(cert.exts, *e)
		}
		cert.exts = append(cert.exts, g.policyExts(true)...)
		if r.Intn(100) < 2 {
			g.feat("unknown-critical")
			cert.exts = append(cert.exts, rawExt(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 9}, true, []byte{5, 0}))
		}
		cas = append(cas, made{subj: subj, key: key, der: cert.der(), self: selfIssued})
	}
	// The leaf.
	g.where = "leaf"
	issuer := cas[nCA-1]
	kt := g.keyType()
	g.feat("key=%s", kt)
	key := rxKey(kt, 4)
	leafCN := "leaf.example.com"
	subj := rxName(leafCN)
	switch v := g.pick(85, "cn", 6, "empty", 5, "cn-other", 4, "cn+email"); v {
	case "empty":
		g.feat("subject=empty")
		subj = []byte{0x30, 0}
	case "cn-other":
		g.feat("subject=cn:www.example.net")
		subj = rxName("www.example.net")
	case "cn+email":
		g.feat("subject=cn+emailAddress:user@example.net")
		subj = dRawName(attr{dOidO, tagUTF8, "RX"}, attr{dOidCN, tagUTF8, leafCN}, attr{oidEmail, tagIA5, "user@example.net"})
	}
	leaf := rxCert{subj: subj, iss: issuer.subj, key: key, signer: issuer.key, serial: serial + 8, pss: g.pss(issuer.key)}
	leaf.nb, leaf.na = g.validity()
	switch v := g.pick(80, "absent", 10, "not-ca", 5, "ca", 5, "not-ca-noncrit"); v {
	case "not-ca":
		g.feat("bc=not-ca")
		leaf.exts = append(leaf.exts, bcExt(true, false, -1))
	case "not-ca-noncrit":
		g.feat("bc=not-ca-noncrit")
		leaf.exts = append(leaf.exts, bcExt(false, false, -1))
	case "ca":
		g.feat("bc=ca")
		leaf.exts = append(leaf.exts, bcExt(true, true, -1))
	}
	switch v := g.pick(55, "digsig", 10, "absent", 12, "digsig+keyenc", 6, "keyenc", 5, "keyagree", 4, "certsign", 4, "crlsign", 4, "nonrep"); v {
	case "absent":
		g.feat("ku=absent")
	default:
		if v != "digsig" {
			g.feat("ku=%s", v)
		}
		var ku x509.KeyUsage
		for _, p := range strings.Split(v, "+") {
			ku |= map[string]x509.KeyUsage{"digsig": x509.KeyUsageDigitalSignature, "keyenc": x509.KeyUsageKeyEncipherment,
				"keyagree": x509.KeyUsageKeyAgreement, "certsign": x509.KeyUsageCertSign, "crlsign": x509.KeyUsageCRLSign,
				"nonrep": x509.KeyUsageContentCommitment}[p]
		}
		leaf.exts = append(leaf.exts, kuExt(ku))
	}
	if e := g.ekuExt(false); e != nil {
		leaf.exts = append(leaf.exts, *e)
	}
	leaf.exts = append(leaf.exts, g.keyIDs(key, issuer.key, false)...)
	var sanNames []string
	if r.Intn(100) < 93 {
		n := 1 + r.Intn(3)
		var gns [][]byte
		seen := map[string]bool{}
		for range n {
			f := rxSANForms[r.Intn(len(rxSANForms))]
			if seen[f.name] {
				continue
			}
			seen[f.name] = true
			gns, sanNames = append(gns, f.gn()), append(sanNames, f.name)
		}
		crit := string(subj) == "\x30\x00" || r.Intn(25) == 0
		g.feat("san=%s critical=%v", strings.Join(sanNames, ","), crit)
		leaf.exts = append(leaf.exts, sanOfNames(crit, gns...))
	} else {
		g.feat("san=absent")
	}
	leaf.exts = append(leaf.exts, g.policyExts(false)...)
	if r.Intn(100) < g.polRate/10 {
		// Policy constraints in an end-entity certificate: 6.1.5 (b) reads requireExplicitPolicy 0.
		req := r.Intn(2)
		g.feat("pc(require=%d)", req)
		leaf.exts = append(leaf.exts, pcExt(req, -1))
	}
	if r.Intn(100) < 2 {
		g.feat("unknown-critical")
		leaf.exts = append(leaf.exts, rawExt(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 9}, true, []byte{5, 0}))
	}
	c.leaf = leaf.der()
	for _, m := range cas[1:] {
		c.inters = append(c.inters, m.der)
	}
	c.roots = [][]byte{cas[0].der}

	// Extras: a cross-signed first intermediate, an impostor, a partial chain.
	g.where = "pool"
	if nCA > 1 && r.Intn(100) < 10 {
		kt := g.keyType()
		rkey := rxKey(kt, 5)
		rsubj := rxName("RX Cross Root")
		root2 := rxCert{subj: rsubj, iss: rsubj, key: rkey, signer: rkey, serial: serial + 9,
			nb: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), na: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
			exts: append([]pkix.Extension{bcExt(true, true, -1), kuExt(x509.KeyUsageCertSign | x509.KeyUsageCRLSign)}, g.keyIDs(rkey, rkey, true)...)}
		cross := rxCert{subj: cas[1].subj, iss: rsubj, key: cas[1].key, signer: rkey, serial: serial + 10,
			nb: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), na: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
			exts: append([]pkix.Extension{bcExt(true, true, -1), kuExt(x509.KeyUsageCertSign | x509.KeyUsageCRLSign)}, g.keyIDs(cas[1].key, rkey, false)...)}
		v := g.pick(40, "both-trusted", 40, "only-cross-root", 20, "cross-expired")
		switch v {
		case "both-trusted":
			c.roots = append(c.roots, root2.der())
		case "only-cross-root":
			c.roots = [][]byte{root2.der()}
		case "cross-expired":
			cross.na = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			c.roots = append(c.roots, root2.der())
		}
		g.feat("cross-sign=%s key=%s", v, kt)
		c.inters = append(c.inters, cross.der())
	}
	if nCA > 1 && r.Intn(100) < 5 {
		// An impostor: the issuer's name, another key.
		g.feat("impostor")
		ik := rxKey("p256", 6)
		imp := rxCert{subj: issuer.subj, iss: issuer.subj, key: ik, signer: ik, serial: serial + 11,
			nb: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), na: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
			exts: append([]pkix.Extension{bcExt(true, true, -1), kuExt(x509.KeyUsageCertSign)}, g.keyIDs(ik, ik, true)...)}
		c.inters = append([][]byte{imp.der()}, c.inters...)
	}
	if nCA > 1 && r.Intn(100) < 5 {
		g.feat("partial-chain")
		c.roots = [][]byte{c.inters[len(c.inters)-1]}
		if c.has("pool:cross-sign") {
			c.roots = [][]byte{cas[nCA-1].der}
		}
		c.partialChain = true
	}
	if r.Intn(100) < 3 {
		// The leaf is itself trusted: it ends its own path (doc.go, Trust anchors).
		g.feat("leaf-trusted")
		c.roots = append(c.roots, c.leaf)
		c.partialChain = true
	}
	if len(c.inters) > 1 {
		r.Shuffle(len(c.inters), func(i, j int) { c.inters[i], c.inters[j] = c.inters[j], c.inters[i] })
	}

	// The policy.
	g.where = "policy"
	c.eku = g.pick(45, "", 40, "serverAuth", 15, "clientAuth")
	if c.eku != "" {
		g.feat("eku=%s", c.eku)
	}
	if r.Intn(100) < 40 {
		c.host = []string{"leaf.example.com", "a.example.com", "foo.example.com", "b.x.a.example.com", "www.example.org", "example.com", "x.a.example.com", "LEAF.example.com"}[r.Intn(8)]
		g.feat("host=%s", c.host)
	} else if r.Intn(100) < 12 {
		c.ip = net.ParseIP([]string{"10.1.2.3", "192.168.1.1", "2001:db8::1", "10.9.9.9"}[r.Intn(4)])
		g.feat("ip=%s", c.ip)
	}
	if r.Intn(100) < 10 {
		c.email = []string{"user@example.com", "user@a.example.com", "u@example.org", "user@EXAMPLE.COM", "User@example.com"}[r.Intn(5)]
		g.feat("email=%s", c.email)
	}
	if r.Intn(100) < 20 {
		p := rxPolicies[r.Intn(3)]
		c.policies = []asn1.ObjectIdentifier{p.oid}
		g.feat("policy=%s", p.name)
	}
	if r.Intn(100) < 12 {
		c.explicit = true
		g.feat("explicit-policy")
	}
	if r.Intn(100) < 8 {
		c.inhibitMap = true
		g.feat("inhibit-map")
	}
	if r.Intn(100) < 8 {
		c.inhibitAny = true
		g.feat("inhibit-any")
	}
	if r.Intn(100) < 8 {
		c.maxDepth = 1 + r.Intn(3)
		g.feat("max-depth=%d", c.maxDepth-1)
	}
	return c
}

// pss draws the signature scheme of an RSA issuer: PKCS #1 v1.5 mostly, RSASSA-PSS sometimes.
func (g *rxGen) pss(signer crypto.Signer) crypto.Hash {
	if _, ok := signer.(*rsa.PrivateKey); !ok {
		return 0
	}
	switch g.pick(80, "pkcs1", 12, "pss-sha256", 8, "pss-sha384") {
	case "pss-sha256":
		g.feat("sig=pss-sha256")
		return crypto.SHA256
	case "pss-sha384":
		g.feat("sig=pss-sha384")
		return crypto.SHA384
	}
	return 0
}

// keyIDs draws the subject and authority key identifiers of a certificate.
func (g *rxGen) keyIDs(key, signer crypto.Signer, root bool) []pkix.Extension {
	var out []pkix.Extension
	switch v := g.pick(90, "ok", 5, "absent", 5, "wrong"); v {
	case "ok":
		out = append(out, dExt(oidSKI, false, dKeyID(key)))
	case "absent":
		g.feat("ski=absent")
	case "wrong":
		g.feat("ski=wrong")
		out = append(out, dExt(oidSKI, false, []byte("not this key's id")))
	}
	if root {
		if g.r.Intn(100) < 30 {
			out = append(out, dAKI(dKeyID(key)))
		}
		return out
	}
	switch v := g.pick(88, "ok", 5, "absent", 5, "wrong", 2, "critical"); v {
	case "ok":
		out = append(out, dAKI(dKeyID(signer)))
	case "absent":
		g.feat("aki=absent")
	case "wrong":
		g.feat("aki=wrong")
		out = append(out, dAKI([]byte("not the issuer's key")))
	case "critical":
		g.feat("aki=critical")
		e := dAKI(dKeyID(signer))
		e.Critical = true
		out = append(out, e)
	}
	return out
}
