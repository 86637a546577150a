package verify_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	mrand "math/rand"
	"net"
	"strings"
	"sync"
	"time"
)

// The generator of the server-validation differential campaign (wx_diff_test.go): from one
// seed, a chain of one to four CAs and a TLS server leaf, drawn around what a WebPKI
// validator decides (SANs of every form and spelling, wildcards, IDNs, the subject CN, name
// constraints of every form on roots and intermediates, EKUs, basic constraints, key usage,
// validity, keys, SHA-1 signatures, key identifiers, cross-signs), and the server name to
// verify it for. As in rx_gen_test.go the draw uses only the seeded math/rand, so a seed
// replays the same case (the keys come from a pool made once per run).

// wxCase is one generated chain and the server name it is checked for.
type wxCase struct {
	seed   int64
	leaf   []byte
	inters [][]byte
	roots  [][]byte
	host   string // the server name: a DNS name, or an IP address literal
	feats  []string
	// cross and crossRoot are the cross-certificate and its root when drawn (both also in
	// inters and roots, or the root alone replacing the chain's own).
	cross, crossRoot []byte
	// goAdjust, when set, changes each certificate as crypto/x509 parsed it before it
	// judges the case: an explanation's rerun without the one difference it explains.
	goAdjust func(*x509.Certificate)
}

func (c *wxCase) has(s string) bool {
	for _, f := range c.feats {
		if strings.Contains(f, s) {
			return true
		}
	}
	return false
}

func (c *wxCase) String() string {
	return fmt.Sprintf("seed %d: host=%q %s", c.seed, c.host, strings.Join(c.feats, " "))
}

var wxKeys = struct {
	sync.Mutex
	m map[string]crypto.Signer
}{m: map[string]crypto.Signer{}}

// wxKey returns a key of the types rxKey does not make (RSA 1024, P-224), or rxKey's.
func wxKey(typ string, slot int) crypto.Signer {
	switch typ {
	case "rsa1024", "p224":
	default:
		return rxKey(typ, slot)
	}
	name := fmt.Sprintf("%s:%d", typ, slot)
	wxKeys.Lock()
	defer wxKeys.Unlock()
	if k, ok := wxKeys.m[name]; ok {
		return k
	}
	var k crypto.Signer
	var err error
	if typ == "rsa1024" {
		k, err = rsa.GenerateKey(rand.Reader, 1024)
	} else {
		k, err = ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	}
	if err != nil {
		panic(err)
	}
	wxKeys.m[name] = k
	return k
}

// wxSign signs tbs as rxSign does, or with SHA-1 (sha1WithRSAEncryption, ecdsa-with-SHA1).
func wxSign(k crypto.Signer, tbs []byte, weak bool) (alg, sig []byte) {
	if !weak {
		if ek, ok := k.(*ecdsa.PrivateKey); ok && ek.Curve == elliptic.P224() {
			h := crypto.SHA256.New()
			h.Write(tbs)
			s, err := k.Sign(rand.Reader, h.Sum(nil), crypto.SHA256)
			if err != nil {
				panic(err)
			}
			return algID(oidECDSASHA256, nil), s
		}
		return rxSign(k, tbs, 0)
	}
	sum := sha1.Sum(tbs)
	switch k.(type) {
	case *rsa.PrivateKey:
		alg = algID(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}, []byte{5, 0})
	case *ecdsa.PrivateKey:
		alg = algID(asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}, nil)
	default:
		return rxSign(k, tbs, 0)
	}
	s, err := k.Sign(rand.Reader, sum[:], crypto.SHA1)
	if err != nil {
		panic(err)
	}
	return alg, s
}

// wxCert is one certificate to write.
type wxCert struct {
	subj, iss []byte
	key       crypto.Signer
	signer    crypto.Signer
	sha1      bool
	serial    int64
	nb, na    time.Time
	exts      []pkix.Extension
}

func (c wxCert) der() []byte {
	rc := rxCert{subj: c.subj, iss: c.iss, key: c.key, signer: c.signer, serial: c.serial, nb: c.nb, na: c.na, exts: c.exts}
	return rc.derSigned(func(tbs []byte) (alg, sig []byte) { return wxSign(c.signer, tbs, c.sha1) })
}

// wxDNSNames are the dNSName SANs drawn: host names of every spelling, wildcards at every
// label, IDNs, and names that are not host names.
var wxDNSNames = []string{
	"leaf.example.com", "leaf.example.com", "a.example.com", "x.a.example.com", "example.com",
	"*.example.com", "*.example.com", "*.a.example.com", "a.*.example.com", "*leaf.example.com", "f*.example.com",
	"*.*.example.com", "*", "*.com", "*.co.uk", "co.uk", "com",
	"LEAF.EXAMPLE.COM", "Leaf.Example.Com", "*.EXAMPLE.COM", "leaf.example.com.", "*.example.com.",
	"xn--bcher-kva.example", "*.xn--bcher-kva.example", "xn--*.example.com",
	"leaf_x.example.com", "-leaf.example.com", "leaf..example.com", ".example.com", "", " ",
	"10.1.2.3", "www.example.org", "*.xn--p1ai", "xn--p1ai",
	"a.b.c.d.example.com", "*.b.c.d.example.com", "leaf.EXAMPLE.com", "localhost", "*.local",
}

// wxGoodDNSNames are the host names and wildcards drawn most.
var wxGoodDNSNames = []string{
	"leaf.example.com", "a.example.com", "x.a.example.com", "example.com", "*.example.com", "*.a.example.com",
	"LEAF.EXAMPLE.COM", "Leaf.Example.Com", "*.EXAMPLE.COM", "xn--bcher-kva.example", "*.xn--bcher-kva.example",
	"www.example.org", "a.b.c.d.example.com", "*.b.c.d.example.com", "localhost", "*.local", "xn--80ak6aa92e.com",
}

// wxHosts are the server names asked for.
var wxHosts = []string{
	"leaf.example.com", "leaf.example.com", "LEAF.Example.COM", "leaf.example.com.", "foo.example.com",
	"a.example.com", "x.a.example.com", "b.x.a.example.com", "example.com", "www.example.org",
	"bücher.example", "BÜCHER.example", "xn--bcher-kva.example", "sub.xn--bcher-kva.example", "sub.bücher.example",
	"*.example.com", "f.example.com", "fleaf.example.com", "foo.co.uk", "co.uk", "foo.com",
	"10.1.2.3", "2001:db8::1", "[2001:db8::1]", "::ffff:10.1.2.3", "192.168.1.1", "10.1.2.4",
	"a.b.c.d.example.com", "x.b.c.d.example.com", "localhost", "foo.local", "ｌｅａｆ.example.com",
	"leaf.example.com..", ".leaf.example.com", "foo.xn--p1ai", "xn--p1ai", "leaf.example.com\x00.evil.com",
	"LEAF.EXAMPLE.COM.",
}

// wxNCForms are the name constraints drawn, of every form.
var wxNCForms = []struct {
	name string
	gn   func() []byte
}{
	{"dns:example.com", func() []byte { return gnDNS("example.com") }},
	{"dns:a.example.com", func() []byte { return gnDNS("a.example.com") }},
	{"dns:leaf.example.com", func() []byte { return gnDNS("leaf.example.com") }},
	{"dns:example.org", func() []byte { return gnDNS("example.org") }},
	{"dns:.example.com", func() []byte { return gnDNS(".example.com") }},
	{"dns:", func() []byte { return gnDNS("") }},
	{"dns:EXAMPLE.COM", func() []byte { return gnDNS("EXAMPLE.COM") }},
	{"dns:xn--bcher-kva.example", func() []byte { return gnDNS("xn--bcher-kva.example") }},
	{"dns:com", func() []byte { return gnDNS("com") }},
	{"dns:ample.com", func() []byte { return gnDNS("ample.com") }},
	{"dns:x.a.example.com", func() []byte { return gnDNS("x.a.example.com") }},
	{"ip:10.0.0.0/8", func() []byte { return gnIP("10.0.0.0/8") }},
	{"ip:10.1.2.3/32", func() []byte { return gnIP("10.1.2.3/32") }},
	{"ip:192.168.0.0/16", func() []byte { return gnIP("192.168.0.0/16") }},
	{"ip:2001:db8::/32", func() []byte { return gnIP("2001:db8::/32") }},
	{"ip:0.0.0.0/0", func() []byte { return gnIP("0.0.0.0/0") }},
	{"ip:::/0", func() []byte { return gnIP("::/0") }},
	{"ip:::ffff:10.0.0.0/104", func() []byte {
		return gn(7, false, append(net.ParseIP("::ffff:10.0.0.0").To16(), net.CIDRMask(104, 128)...))
	}},
	{"email:example.com", func() []byte { return gnEmail("example.com") }},
	{"email:.example.com", func() []byte { return gnEmail(".example.com") }},
	{"uri:example.com", func() []byte { return gnURI("example.com") }},
	{"uri:.example.com", func() []byte { return gnURI(".example.com") }},
	{"dn:O=WX", func() []byte { return gn(4, true, dRawName(attr{dOidO, tagUTF8, "WX"})) }},
	{"dn:O=Other", func() []byte { return gn(4, true, dRawName(attr{dOidO, tagUTF8, "Other"})) }},
}

// wxOtherSANs are the SANs of other forms drawn beside dNSNames.
var wxOtherSANs = []struct {
	name string
	gn   func() []byte
}{
	{"ip:10.1.2.3", func() []byte { return gn(7, false, []byte{10, 1, 2, 3}) }},
	{"ip:192.168.1.1", func() []byte { return gn(7, false, []byte{192, 168, 1, 1}) }},
	{"ip:2001:db8::1", func() []byte { return gn(7, false, net.ParseIP("2001:db8::1")) }},
	{"ip:::ffff:10.1.2.3", func() []byte { return gn(7, false, net.ParseIP("::ffff:10.1.2.3").To16()) }},
	{"ip:5-octets", func() []byte { return gn(7, false, []byte{10, 1, 2, 3, 4}) }},
	{"email:user@example.com", func() []byte { return gnEmail("user@example.com") }},
	{"uri:https://leaf.example.com/", func() []byte { return gnURI("https://leaf.example.com/") }},
	{"uri:https://example.org/", func() []byte { return gnURI("https://example.org/") }},
	{"dn:O=WX,CN=dir", func() []byte { return gn(4, true, wxName("dir")) }},
}

func wxName(cn string) []byte {
	return dRawName(attr{dOidO, tagUTF8, "WX"}, attr{dOidCN, tagUTF8, cn})
}

var wxEKUUnknown = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 1}

// wxGenerate draws the case of one seed.
func wxGenerate(seed int64) *wxCase {
	c := &wxCase{seed: seed}
	g := &rxGen{r: mrand.New(mrand.NewSource(seed)), c: &rxCase{}, ncRate: 20}
	r := g.r
	if seed%3 == 1 {
		g.ncRate = 50
	}
	feat := func(format string, args ...any) { c.feats = append(c.feats, g.where+":"+fmt.Sprintf(format, args...)) }
	// Half the seeds are quiet: the structure of the chain (keys, validity, basic
	// constraints, key usage, key identifiers, signatures) is mostly right, so that what
	// decides is the names, their constraints and the EKUs.
	quiet := seed%3 != 0
	calm := func() bool { return quiet && r.Intn(100) < 97 }
	keyType := func() string {
		if calm() {
			return "p256"
		}
		return g.pick(40, "p256", 16, "p384", 4, "p521", 28, "rsa", 4, "ed25519", 4, "rsa1024", 4, "p224")
	}
	validity := func() (time.Time, time.Time) {
		if calm() {
			return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		switch g.pick(90, "ok", 4, "expired", 4, "notyet", 2, "edge") {
		case "expired":
			feat("validity=expired")
			return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		case "notyet":
			feat("validity=notyet")
			return time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		case "edge":
			feat("validity=ends-at")
			return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), rxAt
		}
		return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	ekuExt := func(ca bool) *pkix.Extension {
		var v string
		switch {
		case calm() && (ca || r.Intn(2) == 0):
			if ca || g.where == "root" {
				return nil
			}
			v = "server"
		case ca:
			v = g.pick(60, "none", 12, "server", 6, "client", 8, "server+client", 3, "code", 4, "any", 2, "server+any", 2, "unknown", 1, "empty")
		default:
			v = g.pick(6, "none", 50, "server", 8, "client", 14, "server+client", 4, "code", 4, "any", 4, "server+any", 4, "server+unknown", 2, "unknown", 2, "mail", 1, "empty")
		}
		if v == "none" {
			return nil
		}
		feat("eku=%s", v)
		if v == "empty" {
			e := rawExt(oidEKU, false, []byte{0x30, 0})
			return &e
		}
		var oids []asn1.ObjectIdentifier
		for _, p := range strings.Split(v, "+") {
			oids = append(oids, map[string]asn1.ObjectIdentifier{"server": rxEKUServer, "client": rxEKUClient, "code": rxEKUCode,
				"mail": rxEKUMail, "any": ekuAnyRX, "unknown": wxEKUUnknown}[p])
		}
		e := dExt(oidEKU, r.Intn(12) == 0, oids)
		if e.Critical {
			feat("eku-critical")
		}
		return &e
	}
	ncExtDraw := func() *pkix.Extension {
		if r.Intn(100) >= g.ncRate {
			return nil
		}
		var perm, excl [][]byte
		var pn, en []string
		np, ne := r.Intn(3), r.Intn(3)
		if np+ne == 0 {
			np = 1
		}
		for range np {
			f := wxNCForms[r.Intn(len(wxNCForms))]
			perm, pn = append(perm, f.gn()), append(pn, f.name)
		}
		for range ne {
			f := wxNCForms[r.Intn(len(wxNCForms))]
			excl, en = append(excl, f.gn()), append(en, f.name)
		}
		crit := calm() || r.Intn(6) != 0
		feat("nc(permit=%s exclude=%s critical=%v)", strings.Join(pn, ","), strings.Join(en, ","), crit)
		if len(perm) == 0 {
			perm = nil
		}
		if len(excl) == 0 {
			excl = nil
		}
		e := ncExt(crit, perm, excl)
		return &e
	}
	keyIDs := func(key, signer crypto.Signer, root bool) []pkix.Extension {
		var out []pkix.Extension
		if calm() {
			out = append(out, dExt(oidSKI, false, dKeyID(key)))
			if !root {
				out = append(out, dAKI(dKeyID(signer)))
			}
			return out
		}
		switch g.pick(92, "ok", 4, "absent", 4, "wrong") {
		case "ok":
			out = append(out, dExt(oidSKI, false, dKeyID(key)))
		case "absent":
			feat("ski=absent")
		case "wrong":
			feat("ski=wrong")
			out = append(out, dExt(oidSKI, false, []byte("not this key's id")))
		}
		if root {
			if r.Intn(100) < 30 {
				out = append(out, dAKI(dKeyID(key)))
			}
			return out
		}
		switch g.pick(92, "ok", 4, "absent", 4, "wrong") {
		case "ok":
			out = append(out, dAKI(dKeyID(signer)))
		case "absent":
			feat("aki=absent")
		case "wrong":
			feat("aki=wrong")
			out = append(out, dAKI([]byte("not the issuer's key")))
		}
		return out
	}
	weak := func(signer crypto.Signer) bool {
		switch signer.(type) {
		case *rsa.PrivateKey, *ecdsa.PrivateKey:
			if !calm() && r.Intn(100) < 5 {
				feat("sig=sha1")
				return true
			}
		}
		return false
	}

	serial := int64(0x7700_0000) + seed*16
	type made struct {
		subj []byte
		key  crypto.Signer
		der  []byte
	}
	nCA := 1 + r.Intn(4)
	var cas []made
	for i := range nCA {
		g.where = fmt.Sprintf("ca%d", i)
		if i == 0 {
			g.where = "root"
		}
		kt := keyType()
		if kt != "p256" {
			feat("key=%s", kt)
		}
		key := wxKey(kt, i)
		subj := wxName(fmt.Sprintf("WX CA %d", i))
		iss, signer := subj, key
		if i > 0 {
			iss, signer = cas[i-1].subj, cas[i-1].key
		}
		cert := wxCert{subj: subj, iss: iss, key: key, signer: signer, serial: serial + int64(i)}
		if i > 0 {
			cert.sha1 = weak(signer)
		}
		cert.nb, cert.na = validity()
		bcv := "ca"
		if !calm() {
			bcv = g.pick(80, "ca", 10, "ca-pathlen", 3, "ca-noncrit", 3, "absent", 4, "not-ca")
		}
		switch v := bcv; v {
		case "ca":
			cert.exts = append(cert.exts, bcExt(true, true, -1))
		case "ca-pathlen":
			n := r.Intn(3)
			feat("bc=pathlen:%d", n)
			cert.exts = append(cert.exts, bcExt(true, true, n))
		case "ca-noncrit":
			feat("bc=%s", v)
			cert.exts = append(cert.exts, bcExt(false, true, -1))
		case "not-ca":
			feat("bc=%s", v)
			cert.exts = append(cert.exts, bcExt(true, false, -1))
		default:
			feat("bc=%s", v)
		}
		kuv := "certsign+crlsign"
		if !calm() {
			kuv = g.pick(84, "certsign+crlsign", 5, "absent", 4, "digsig", 4, "certsign", 3, "crlsign")
		}
		switch v := kuv; v {
		case "certsign+crlsign":
			cert.exts = append(cert.exts, kuExt(x509.KeyUsageCertSign|x509.KeyUsageCRLSign))
		case "absent":
			feat("ku=absent")
		default:
			feat("ku=%s", v)
			cert.exts = append(cert.exts, kuExt(map[string]x509.KeyUsage{"certsign": x509.KeyUsageCertSign,
				"crlsign": x509.KeyUsageCRLSign, "digsig": x509.KeyUsageDigitalSignature}[v]))
		}
		if e := ekuExt(true); e != nil {
			cert.exts = append(cert.exts, *e)
		}
		cert.exts = append(cert.exts, keyIDs(key, signer, i == 0)...)
		if e := ncExtDraw(); e != nil {
			cert.exts = append(cert.exts, *e)
		}
		cas = append(cas, made{subj: subj, key: key, der: cert.der()})
	}

	// The leaf.
	g.where = "leaf"
	issuer := cas[nCA-1]
	kt := keyType()
	if kt != "p256" {
		feat("key=%s", kt)
	}
	key := wxKey(kt, 4)
	leaf := wxCert{iss: issuer.subj, key: key, signer: issuer.key, serial: serial + 8}
	leaf.sha1 = weak(issuer.key)
	leaf.nb, leaf.na = validity()
	// The SANs: dNSNames mostly, other forms beside them.
	var gns [][]byte
	var sanNames, dnsNames []string
	if r.Intn(100) < 95 {
		for range r.Intn(4) + 1 {
			d := wxDNSNames[r.Intn(len(wxDNSNames))]
			if r.Intn(100) < 70 {
				d = wxGoodDNSNames[r.Intn(len(wxGoodDNSNames))]
			}
			gns, sanNames, dnsNames = append(gns, gnDNS(d)), append(sanNames, fmt.Sprintf("dns:%q", d)), append(dnsNames, d)
		}
		for range max(0, r.Intn(5)-2) {
			f := wxOtherSANs[r.Intn(len(wxOtherSANs))]
			if f.name == "ip:5-octets" && r.Intn(4) != 0 {
				f = wxOtherSANs[0]
			}
			gns, sanNames = append(gns, f.gn()), append(sanNames, f.name)
		}
		if !calm() && r.Intn(40) == 0 {
			gns, sanNames = nil, []string{"(empty)"}
		}
	}
	// The subject: a CN copying a SAN (or not), or none.
	var cn string
	switch v := g.pick(50, "first-dns", 20, "none", 8, "other", 5, "upper", 5, "ip", 4, "unicode", 4, "empty-subject", 4, "two"); v {
	case "first-dns":
		if len(dnsNames) > 0 {
			cn = dnsNames[0]
		}
	case "other":
		cn = "www.example.net"
	case "upper":
		if len(dnsNames) > 0 {
			cn = strings.ToUpper(dnsNames[0])
		}
	case "ip":
		cn = []string{"10.1.2.3", "010.001.002.003", "2001:DB8::1", "2001:db8::1"}[r.Intn(4)]
	case "unicode":
		cn = "bücher.example"
	}
	switch v := g.pick(92, "name", 4, "empty-subject", 4, "two-cns"); {
	case v == "empty-subject":
		feat("subject=empty")
		leaf.subj = []byte{0x30, 0}
	case v == "two-cns":
		feat("subject=two-cns:%q,%q", cn, "leaf.example.com")
		leaf.subj = dRawName(attr{dOidO, tagUTF8, "WX"}, attr{dOidCN, tagUTF8, cn}, attr{dOidCN, tagUTF8, "leaf.example.com"})
	case cn == "":
		feat("subject=no-cn")
		leaf.subj = dRawName(attr{dOidO, tagUTF8, "WX"})
	default:
		feat("subject=cn:%q", cn)
		leaf.subj = wxName(cn)
	}
	lbc := "absent"
	if !calm() {
		lbc = g.pick(80, "absent", 10, "not-ca", 5, "ca", 5, "not-ca-noncrit")
	}
	switch v := lbc; v {
	case "not-ca":
		feat("bc=not-ca")
		leaf.exts = append(leaf.exts, bcExt(true, false, -1))
	case "not-ca-noncrit":
		feat("bc=not-ca-noncrit")
		leaf.exts = append(leaf.exts, bcExt(false, false, -1))
	case "ca":
		feat("bc=ca")
		leaf.exts = append(leaf.exts, bcExt(true, true, -1))
	}
	lku := "digsig"
	if !calm() {
		lku = g.pick(55, "digsig", 12, "absent", 12, "digsig+keyenc", 6, "keyenc", 5, "keyagree", 4, "certsign", 3, "crlsign", 3, "nonrep")
	}
	switch v := lku; v {
	case "absent":
		feat("ku=absent")
	default:
		if v != "digsig" {
			feat("ku=%s", v)
		}
		var ku x509.KeyUsage
		for _, p := range strings.Split(v, "+") {
			ku |= map[string]x509.KeyUsage{"digsig": x509.KeyUsageDigitalSignature, "keyenc": x509.KeyUsageKeyEncipherment,
				"keyagree": x509.KeyUsageKeyAgreement, "certsign": x509.KeyUsageCertSign, "crlsign": x509.KeyUsageCRLSign,
				"nonrep": x509.KeyUsageContentCommitment}[p]
		}
		leaf.exts = append(leaf.exts, kuExt(ku))
	}
	if e := ekuExt(false); e != nil {
		leaf.exts = append(leaf.exts, *e)
	}
	leaf.exts = append(leaf.exts, keyIDs(key, issuer.key, false)...)
	if sanNames != nil {
		crit := string(leaf.subj) == "\x30\x00" || r.Intn(25) == 0
		feat("san=%s critical=%v", strings.Join(sanNames, ","), crit)
		leaf.exts = append(leaf.exts, sanOfNames(crit, gns...))
	} else {
		feat("san=absent")
	}
	c.leaf = leaf.der()
	for _, m := range cas[1:] {
		c.inters = append(c.inters, m.der)
	}
	c.roots = [][]byte{cas[0].der}

	// Extras: a cross-signed first intermediate, an intermediate trusted as the anchor.
	g.where = "pool"
	if nCA > 1 && r.Intn(100) < 12 {
		kt := keyType()
		rkey := wxKey(kt, 5)
		rsubj := wxName("WX Cross Root")
		nb, na := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		root2 := wxCert{subj: rsubj, iss: rsubj, key: rkey, signer: rkey, serial: serial + 9, nb: nb, na: na,
			exts: append([]pkix.Extension{bcExt(true, true, -1), kuExt(x509.KeyUsageCertSign | x509.KeyUsageCRLSign)}, dExt(oidSKI, false, dKeyID(rkey)))}
		cross := wxCert{subj: cas[1].subj, iss: rsubj, key: cas[1].key, signer: rkey, serial: serial + 10, nb: nb, na: na,
			exts: []pkix.Extension{bcExt(true, true, -1), kuExt(x509.KeyUsageCertSign | x509.KeyUsageCRLSign),
				dExt(oidSKI, false, dKeyID(cas[1].key)), dAKI(dKeyID(rkey))}}
		v := g.pick(30, "both-trusted", 30, "only-cross-root", 15, "cross-expired", 15, "cross-nc", 10, "cross-eku-client")
		switch v {
		case "cross-expired":
			cross.na = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		case "cross-nc":
			cross.exts = append(cross.exts, ncExt(true, [][]byte{gnDNS("example.org")}, nil))
		case "cross-eku-client":
			cross.exts = append(cross.exts, dExt(oidEKU, false, []asn1.ObjectIdentifier{rxEKUClient}))
		}
		if v == "only-cross-root" || v == "cross-nc" || v == "cross-eku-client" {
			c.roots = [][]byte{root2.der()}
		} else {
			c.roots = append(c.roots, root2.der())
		}
		feat("cross-sign=%s", v)
		c.cross, c.crossRoot = cross.der(), c.roots[len(c.roots)-1]
		c.inters = append(c.inters, c.cross)
	}
	if nCA > 1 && r.Intn(100) < 4 {
		feat("partial-chain")
		c.roots = [][]byte{cas[nCA-1].der}
	}
	if len(c.inters) > 1 {
		r.Shuffle(len(c.inters), func(i, j int) { c.inters[i], c.inters[j] = c.inters[j], c.inters[i] })
	}

	// The server name: one of the leaf's names mostly, or a name drawn.
	g.where = "policy"
	if len(dnsNames) > 0 && r.Intn(100) < 45 {
		d := dnsNames[r.Intn(len(dnsNames))]
		if strings.HasPrefix(d, "*.") {
			d = []string{"foo", "a", "xn--bcher-kva", "FOO", "*", ""}[r.Intn(6)] + d[1:]
		}
		c.host = d
	} else {
		c.host = wxHosts[r.Intn(len(wxHosts))]
	}
	if c.host == "" {
		c.host = "leaf.example.com"
	}
	return c
}
