package verify_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	mrand "math/rand"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/timestamp"
)

// The generator of the time-stamp campaign (ts_diff_test.go): from one seed, a TSA (a root,
// maybe an intermediate, the TSA's certificate; key types drawn from P-256, P-384, RSA and
// Ed25519) and a token over some data, made by this generator (every field drawn), by signet's
// Authority or by `openssl ts -reply`. The TSA certificate's extended key usage (timeStamping
// critical, not critical, absent, beside other purposes), key usage, validity against genTime,
// basic constraints and unknown critical extensions vary; so do the token's ESS attributes
// (v1, v2 over SHA-256 or SHA-384, both; issuerSerial present, absent or wrong; the hash of
// another certificate; IDs after the signer's), its signed attributes (content type,
// message digest), message imprint (hash, value), nonce, policy, accuracy, ordering, tsa
// name, the certificates it carries, its signer identifier, its signature (by another key),
// a critical TSTInfo extension, and the response around it (none, granted, grantedWithMods,
// rejection). Keys come from the chain campaign's pool (rxKey): a seed replays the same case.

var (
	oidTSTSTInfo     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	oidTSSignedData  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidTSData        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidTSContentType = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidTSMsgDigest   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidTSSigningTime = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidTSESS         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	oidTSESSv2       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidTSEKU         = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidTSTimeStamp   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
	oidTSUnknownExt  = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 9}
	tsPolicyA        = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 1, 1}
	tsPolicyB        = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 1, 2}
)

// tsHashOID names the hashes of imprints, digest algorithms and ESS IDs.
var tsHashOID = map[crypto.Hash]asn1.ObjectIdentifier{
	crypto.SHA1:   {1, 3, 14, 3, 2, 26},
	crypto.SHA256: {2, 16, 840, 1, 101, 3, 4, 2, 1},
	crypto.SHA384: {2, 16, 840, 1, 101, 3, 4, 2, 2},
	crypto.SHA512: {2, 16, 840, 1, 101, 3, 4, 2, 3},
}

// tsCase is one seed's TSA, token and what it is checked against.
type tsCase struct {
	seed     int64
	feats    []string
	spoilers []string // the spoiling choices drawn (see tsGen)
	maker    string   // "gen", "signet", "openssl"

	root, inter, tsa []byte // DER; inter nil without an intermediate
	tsaKey           crypto.Signer
	tsaKeyType       string
	tsaSAN           string // the TSA certificate's dNSName

	data    []byte
	genTime time.Time
	token   []byte // the token, or a TimeStampResp (resp)
	resp    bool
	digest  bool // checked against the imprint (--digest) rather than the data (--data)
	want    []byte
	// query: the request the token answers (openssl -queryfile); nil when none is judged.
	query []byte
	// osslConf: the openssl ts -reply configuration, for maker openssl.
	osslConf *tsOSSLConf
}

func (c *tsCase) has(prefix string) bool {
	return slices.ContainsFunc(c.feats, func(f string) bool { return strings.HasPrefix(f, prefix) })
}

func (c *tsCase) String() string {
	return fmt.Sprintf("seed %d [%s]", c.seed, strings.Join(c.feats, " "))
}

// tsGen draws from one seeded source. Choices whose name starts with "!" spoil the case
// (a token or certificate that should be refused, or a disagreement signet chose): a seed
// draws at most faults of them, so that most cases have none or one and a disagreement
// points at its cause.
type tsGen struct {
	r      *mrand.Rand
	c      *tsCase
	faults int
}

// bad reports, one time in n, that a spoiling feature is drawn, while the budget lasts.
func (g *tsGen) bad(n int) bool {
	if g.faults == 0 || g.r.Intn(n) != 0 {
		return false
	}
	g.faults--
	g.c.spoilers = append(g.c.spoilers, fmt.Sprintf("bad(%d)", n))
	return true
}

func (g *tsGen) feat(format string, args ...any) {
	g.c.feats = append(g.c.feats, fmt.Sprintf(format, args...))
}

// pick returns one of the weighted choices' names (weights and names alternate), and notes
// it as a feature of the case under key.
func (g *tsGen) pick(key string, choices ...any) string {
	weight := func(i int) int {
		if g.faults == 0 && strings.HasPrefix(choices[i+1].(string), "!") {
			return 0
		}
		return choices[i].(int)
	}
	total := 0
	for i := 0; i < len(choices); i += 2 {
		total += weight(i)
	}
	n := g.r.Intn(total)
	for i := 0; i < len(choices); i += 2 {
		if n < weight(i) {
			s, spoils := strings.CutPrefix(choices[i+1].(string), "!")
			if spoils {
				g.faults--
				g.c.spoilers = append(g.c.spoilers, key+":"+s)
			}
			g.feat("%s:%s", key, s)
			return s
		}
		n -= weight(i)
	}
	panic("unreachable")
}

func tsName(cn string) pkix.Name {
	return pkix.Name{Organization: []string{"TS campaign"}, CommonName: cn}
}

func tsMust[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func tsExt(oid asn1.ObjectIdentifier, critical bool, v any) pkix.Extension {
	return pkix.Extension{Id: oid, Critical: critical, Value: tsMust(asn1.Marshal(v))}
}

// tsNow is the verification time: the openssl-made tokens carry the clock's time, so every
// case is judged now; the generated ones carry a genTime a day earlier.
func tsNow() time.Time { return time.Now().UTC().Truncate(time.Second) }

// tsGenerate draws the case of seed.
func tsGenerate(seed int64) *tsCase {
	g := &tsGen{r: mrand.New(mrand.NewSource(seed)), c: &tsCase{seed: seed}}
	c := g.c
	now := tsNow()
	g.faults = []int{0, 0, 1, 1, 1, 2}[g.r.Intn(6)]
	c.maker = g.pick("maker", 60, "gen", 20, "signet", 20, "openssl")
	keyType := func(who string, slot int, types ...string) (string, crypto.Signer) {
		if len(types) == 0 {
			types = []string{"p256", "p384", "rsa", "ed25519"}
		}
		typ := types[g.r.Intn(len(types))]
		g.feat("%s-key:%s", who, typ)
		return typ, rxKey(typ, slot)
	}
	caTypes := []string{"p256", "p384", "rsa", "ed25519"}
	tsaTypes := caTypes
	if c.maker == "openssl" {
		tsaTypes = []string{"p256", "p384", "rsa"} // openssl ts signs with PKCS#7: no Ed25519
	}
	_, rootKey := keyType("root", 901, caTypes...)
	rootTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: tsName("TS Root"),
		NotBefore: now.Add(-10 * 365 * 24 * time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	rootDER := tsMust(x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, rootKey.Public(), rootKey))
	root := tsMust(x509.ParseCertificate(rootDER))
	c.root = rootDER
	issuer, issuerKey := root, rootKey
	if g.r.Intn(2) == 0 {
		_, ik := keyType("inter", 902, caTypes...)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(2), Subject: tsName("TS Intermediate"),
			NotBefore: now.Add(-5 * 365 * 24 * time.Hour), NotAfter: now.Add(5 * 365 * 24 * time.Hour),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		}
		switch g.pick("inter-eku", 80, "none", 10, "timestamping", 10, "serverauth") {
		case "timestamping":
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}
		case "serverauth":
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		}
		c.inter = tsMust(x509.CreateCertificate(rand.Reader, tmpl, root, ik.Public(), rootKey))
		issuer, issuerKey = tsMust(x509.ParseCertificate(c.inter)), ik
	}

	// The TSA certificate.
	c.tsaKeyType, c.tsaKey = keyType("tsa", 903, tsaTypes...)
	c.tsaSAN = "tsa.example.com"
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0x7500 + int64(g.r.Intn(200))), Subject: tsName("TS Authority"),
		NotBefore: now.Add(-2 * 365 * 24 * time.Hour), NotAfter: now.Add(2 * 365 * 24 * time.Hour),
		DNSNames: []string{c.tsaSAN}, SubjectKeyId: []byte{0x75, byte(seed), byte(seed >> 8), 1},
	}
	goodTSA := c.maker == "openssl" // openssl ts -reply signs with a time-stamping certificate only
	ekuChoices := []any{55, "critical", 10, "!noncritical", 8, "!absent", 8, "!with-serverauth", 7, "!with-unknown", 6, "!with-any", 6, "!serverauth-only"}
	kuChoices := []any{40, "digitalSignature", 15, "nonRepudiation", 20, "absent", 8, "!ds+keyEncipherment", 6, "!keyCertSign", 6, "!keyEncipherment", 5, "ds+nr"}
	if goodTSA {
		ekuChoices = []any{1, "critical"}
		kuChoices = []any{3, "digitalSignature", 1, "nonRepudiation", 1, "absent", 1, "ds+nr"}
	}
	eku := g.pick("eku", ekuChoices...)
	switch eku {
	case "critical":
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, tsExt(oidTSEKU, true, []asn1.ObjectIdentifier{oidTSTimeStamp}))
	case "noncritical":
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, tsExt(oidTSEKU, false, []asn1.ObjectIdentifier{oidTSTimeStamp}))
	case "with-serverauth":
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, tsExt(oidTSEKU, true, []asn1.ObjectIdentifier{oidTSTimeStamp, rxEKUServer}))
	case "with-unknown":
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, tsExt(oidTSEKU, true, []asn1.ObjectIdentifier{oidTSTimeStamp, {1, 3, 6, 1, 4, 1, 55555, 3}}))
	case "with-any":
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, tsExt(oidTSEKU, true, []asn1.ObjectIdentifier{oidTSTimeStamp, ekuAnyRX}))
	case "serverauth-only":
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, tsExt(oidTSEKU, true, []asn1.ObjectIdentifier{rxEKUServer}))
	}
	if c.tsaKeyType == "ed25519" { // an Ed25519 key enciphers nothing
		kuChoices = []any{40, "digitalSignature", 15, "nonRepudiation", 20, "absent", 6, "!keyCertSign", 5, "ds+nr"}
	}
	switch g.pick("ku", kuChoices...) {
	case "digitalSignature":
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	case "nonRepudiation":
		tmpl.KeyUsage = x509.KeyUsageContentCommitment
	case "ds+nr":
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	case "ds+keyEncipherment":
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	case "keyCertSign":
		tmpl.KeyUsage = x509.KeyUsageCertSign
	case "keyEncipherment":
		tmpl.KeyUsage = x509.KeyUsageKeyEncipherment
	}
	// The generated tokens are a day old; the others are made now.
	c.genTime = now.Add(-24 * time.Hour)
	if c.maker != "gen" {
		c.genTime = now
	} else {
		switch g.pick("gentime", 90, "past", 5, "!future", 5, "within-skew") {
		case "future": // beyond the clock skew signet allows (5 minutes), and any accuracy drawn
			c.genTime = now.Add(3 * time.Hour)
		case "within-skew":
			c.genTime = now.Add(2 * time.Minute)
		}
	}
	if !goodTSA {
		switch g.pick("validity", 80, "covers", 7, "!expired-before-gentime", 7, "!after-gentime", 6, "expired-since") {
		case "expired-before-gentime":
			tmpl.NotAfter = c.genTime.Add(-time.Hour)
		case "after-gentime":
			tmpl.NotBefore = c.genTime.Add(time.Hour)
		case "expired-since": // valid at genTime, expired at the verification time
			tmpl.NotAfter = c.genTime.Add(time.Hour)
		}
		if g.bad(15) {
			g.feat("tsa-ca")
			tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		}
		if g.bad(12) {
			g.feat("tsa-unknown-critical-ext")
			tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, tsExt(oidTSUnknownExt, true, true))
		}
	}
	c.tsa = tsMust(x509.CreateCertificate(rand.Reader, tmpl, issuer, c.tsaKey.Public(), issuerKey))
	tsaCert := tsMust(x509.ParseCertificate(c.tsa))

	c.data = fmt.Appendf(nil, "signature bytes of seed %d\n", seed)
	c.digest = g.r.Intn(3) == 0
	if c.digest {
		g.feat("check:digest")
	}
	switch c.maker {
	case "gen":
		g.genToken(tsaCert, issuer)
	case "signet":
		g.signetToken(tsaCert)
	case "openssl":
		g.opensslPlan()
	}
	return c
}

// tsTokenPlan is everything the generator writes into a token.
type tsTokenPlan struct {
	version     int64
	imprintHash crypto.Hash
	imprint     []byte
	policy      asn1.ObjectIdentifier
	accuracy    []int64 // secs, millis, micros; nil: none
	ordering    bool
	nonce       *big.Int
	tsaName     []byte // the GeneralName, nil: none
	tstExt      *pkix.Extension
	digestHash  crypto.Hash
	contentType string // ok, data, missing
	msgDigest   string // ok, wrong, missing
	signingTime bool
	attrs       [][]byte // the ESS attributes
	certs       [][]byte
	sidKeyID    bool
	signer      crypto.Signer
	corrupt     bool
	genTimeRaw  string // the genTime's bytes as written, when not empty (the times campaign)
}

// genToken draws a token made by the generator itself.
func (g *tsGen) genToken(tsaCert, issuer *x509.Certificate) {
	c := g.c
	p := tsTokenPlan{policy: tsPolicyA, signer: c.tsaKey}
	p.imprintHash = map[string]crypto.Hash{"sha256": crypto.SHA256, "sha384": crypto.SHA384, "sha512": crypto.SHA512, "sha1": crypto.SHA1}[g.pick("imprint", 50, "sha256", 20, "sha384", 15, "sha512", 15, "!sha1")]
	h := p.imprintHash.New()
	h.Write(c.data)
	p.imprint = h.Sum(nil)
	c.want = slices.Clone(p.imprint)
	if g.pick("imprint-value", 85, "match", 15, "!other") == "other" {
		p.imprint[0] ^= 0x55
	}
	if g.r.Intn(5) == 0 {
		g.feat("policy:B")
		p.policy = tsPolicyB
	}
	switch g.pick("accuracy", 40, "none", 30, "1s", 15, "500ms+100us", 10, "!2h", 5, "59m59s") {
	case "1s":
		p.accuracy = []int64{1, 0, 0}
	case "500ms+100us":
		p.accuracy = []int64{0, 500, 100}
	case "2h":
		p.accuracy = []int64{7200, 0, 0}
	case "59m59s":
		p.accuracy = []int64{3599, 0, 0}
	}
	p.version = 1
	if g.pick("version", 95, "1", 5, "!2") == "2" {
		p.version = 2
	}
	p.ordering = g.r.Intn(4) == 0
	if p.ordering {
		g.feat("ordering")
	}
	if g.r.Intn(2) == 0 {
		p.nonce = big.NewInt(g.r.Int63())
		g.feat("nonce")
	}
	dirName := func(raw []byte) []byte {
		b := cryptobyte.NewBuilder(nil)
		b.AddASN1(cbasn1.Tag(4).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(raw) })
		return b.BytesOrPanic()
	}
	dnsName := func(s string) []byte {
		b := cryptobyte.NewBuilder(nil)
		b.AddASN1(cbasn1.Tag(2).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte(s)) })
		return b.BytesOrPanic()
	}
	switch g.pick("tsa-name", 45, "none", 25, "subject", 10, "!other-dn", 10, "san-dns", 10, "!other-dns") {
	case "subject":
		p.tsaName = dirName(tsaCert.RawSubject)
	case "other-dn":
		p.tsaName = dirName(issuer.RawSubject)
	case "san-dns":
		p.tsaName = dnsName(c.tsaSAN)
	case "other-dns":
		p.tsaName = dnsName("evil.example.net")
	}
	if g.r.Intn(12) == 0 {
		crit := g.bad(2)
		g.feat("tstinfo-ext:critical=%v", crit)
		e := tsExt(oidTSUnknownExt, crit, true)
		p.tstExt = &e
	}
	p.digestHash = crypto.SHA256
	switch {
	case c.tsaKeyType == "ed25519":
		p.digestHash = crypto.SHA512
	default:
		p.digestHash = map[string]crypto.Hash{"sha256": crypto.SHA256, "sha384": crypto.SHA384, "sha512": crypto.SHA512, "sha1": crypto.SHA1}[g.pick("digest-alg", 60, "sha256", 15, "sha384", 15, "sha512", 10, "!sha1")]
	}
	p.contentType = g.pick("content-type", 90, "ok", 5, "!data", 5, "!missing")
	p.msgDigest = g.pick("message-digest", 88, "ok", 7, "!wrong", 5, "!missing")
	p.signingTime = g.r.Intn(2) == 0

	// ESS: v1, v2 or both, each naming the signer first (or another certificate).
	chain := [][]byte{c.inter, c.root}
	if c.inter == nil {
		chain = chain[1:]
	}
	other := tsMust(x509.ParseCertificate(c.root)) // a certificate that is not the signer's
	essKind := g.pick("ess", 35, "v1", 40, "v2", 15, "both", 5, "!none")
	idOf := func(v2 bool, hash crypto.Hash, explicit bool, der []byte, is string) []byte {
		cert := tsMust(x509.ParseCertificate(der))
		hh := hash.New()
		hh.Write(der)
		b := cryptobyte.NewBuilder(nil)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			if v2 && (explicit || hash != crypto.SHA256) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(tsHashOID[hash]) })
			}
			b.AddASN1OctetString(hh.Sum(nil))
			if is == "absent" {
				return
			}
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.Tag(4).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						if is == "wrong-issuer" {
							b.AddBytes(cert.RawSubject)
						} else {
							b.AddBytes(cert.RawIssuer)
						}
					})
				})
				serial := new(big.Int).Set(cert.SerialNumber)
				if is == "wrong-serial" {
					serial.Add(serial, big.NewInt(1))
				}
				b.AddASN1BigInt(serial)
			})
		})
		return b.BytesOrPanic()
	}
	essAttr := func(v2 bool) []byte {
		hash := crypto.SHA1
		explicit := false
		if v2 {
			switch g.pick("ess-v2-hash", 60, "sha256", 15, "sha256-explicit", 25, "sha384") {
			case "sha256-explicit":
				hash, explicit = crypto.SHA256, true
			case "sha384":
				hash = crypto.SHA384
			default:
				hash = crypto.SHA256
			}
		}
		first := c.tsa
		if g.bad(12) {
			g.feat("ess-v2=%v:names-another", v2)
			first = other.Raw
		}
		is := g.pick(fmt.Sprintf("ess-v2=%v-issuerserial", v2), 50, "present", 35, "absent", 8, "!wrong-serial", 7, "!wrong-issuer")
		ids := [][]byte{idOf(v2, hash, explicit, first, is)}
		switch g.pick(fmt.Sprintf("ess-v2=%v-more", v2), 70, "none", 20, "chain", 10, "!foreign") {
		case "chain":
			for _, d := range chain {
				ids = append(ids, idOf(v2, hash, explicit, d, "present"))
			}
		case "foreign":
			st := &x509.Certificate{SerialNumber: big.NewInt(99), Subject: tsName("Stranger"),
				NotBefore: c.genTime.Add(-time.Hour), NotAfter: c.genTime.Add(time.Hour)}
			stranger := tsMust(x509.CreateCertificate(rand.Reader, st, st, rxKey("p256", 904).Public(), rxKey("p256", 904)))
			ids = append(ids, idOf(v2, hash, explicit, stranger, "present"))
		}
		oid := oidTSESS
		if v2 {
			oid = oidTSESSv2
		}
		return tsAttr(oid, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					for _, id := range ids {
						b.AddBytes(id)
					}
				})
			})
		})
	}
	switch essKind {
	case "v1":
		p.attrs = append(p.attrs, essAttr(false))
	case "v2":
		p.attrs = append(p.attrs, essAttr(true))
	case "both":
		p.attrs = append(p.attrs, essAttr(false), essAttr(true))
	}
	switch g.pick("certs", 45, "tsa", 30, "tsa+chain", 8, "!none", 7, "tsa+stranger", 5, "!chain-only", 5, "tsa-twice") {
	case "tsa": // and the intermediate, which the TSA's chain needs
		p.certs = [][]byte{c.tsa}
		if c.inter != nil {
			p.certs = append(p.certs, c.inter)
		}
	case "tsa+chain":
		p.certs = append([][]byte{c.tsa}, chain...)
	case "tsa+stranger":
		// Another certificate for the TSA's key, issued by a stranger.
		st := &x509.Certificate{SerialNumber: big.NewInt(98), Subject: tsName("Stranger"), NotBefore: c.genTime.Add(-time.Hour), NotAfter: c.genTime.Add(time.Hour)}
		p.certs = [][]byte{c.tsa, tsMust(x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(98), Subject: tsName("TS Authority"),
			NotBefore: c.genTime.Add(-time.Hour), NotAfter: c.genTime.Add(time.Hour)}, st, c.tsaKey.Public(), rxKey("p256", 904)))}
	case "chain-only":
		p.certs = chain
	case "tsa-twice":
		p.certs = [][]byte{c.tsa, c.tsa}
	}
	p.sidKeyID = g.r.Intn(5) == 0
	if p.sidKeyID {
		g.feat("sid:keyid")
	}
	switch g.pick("signature", 88, "ok", 6, "!other-key", 6, "!corrupt") {
	case "other-key":
		p.signer = rxKey(c.tsaKeyType, 905)
	case "corrupt":
		p.corrupt = true
	}
	c.token = p.build(c.genTime, tsaCert)
	g.wrap()
}

// wrap puts c.token in a TimeStampResp, or leaves it alone.
func (g *tsGen) wrap() {
	c := g.c
	switch g.pick("wrap", 50, "token", 30, "granted", 10, "grantedWithMods", 5, "!rejection", 5, "!rejection+token") {
	case "granted":
		c.token, c.resp = tsResponse(0, c.token), true
	case "grantedWithMods":
		c.token, c.resp = tsResponse(1, c.token), true
	case "rejection":
		c.token, c.resp = tsResponse(2, nil), true
	case "rejection+token":
		c.token, c.resp = tsResponse(2, c.token), true
	}
}

func tsResponse(status int64, token []byte) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Int64(status)
			if status == 2 {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte("no")) })
				})
				b.AddASN1BitString([]byte{0x80}) // badAlg
			}
		})
		b.AddBytes(token)
	})
	return b.BytesOrPanic()
}

func tsAttr(oid asn1.ObjectIdentifier, value func(*cryptobyte.Builder)) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1(cbasn1.SET, value)
	})
	return b.BytesOrPanic()
}

// build writes the token of p, its genTime t, for the TSA certificate tsa.
func (p tsTokenPlan) build(t time.Time, tsa *x509.Certificate) []byte {
	ti := cryptobyte.NewBuilder(nil)
	ti.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(max(p.version, 1))
		b.AddASN1ObjectIdentifier(p.policy)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(tsHashOID[p.imprintHash]) })
			b.AddASN1OctetString(p.imprint)
		})
		b.AddASN1BigInt(big.NewInt(t.UnixNano() & 0xffffff))
		gt := t.UTC().Format("20060102150405Z")
		if p.genTimeRaw != "" {
			gt = p.genTimeRaw
		}
		b.AddASN1(cbasn1.GeneralizedTime, func(b *cryptobyte.Builder) { b.AddBytes([]byte(gt)) })
		if p.accuracy != nil {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				if p.accuracy[0] > 0 {
					b.AddASN1Int64(p.accuracy[0])
				}
				if p.accuracy[1] > 0 {
					b.AddASN1Int64WithTag(p.accuracy[1], cbasn1.Tag(0).ContextSpecific())
				}
				if p.accuracy[2] > 0 {
					b.AddASN1Int64WithTag(p.accuracy[2], cbasn1.Tag(1).ContextSpecific())
				}
			})
		}
		if p.ordering {
			b.AddASN1Boolean(true)
		}
		if p.nonce != nil {
			b.AddASN1BigInt(p.nonce)
		}
		if p.tsaName != nil {
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(p.tsaName) })
		}
		if p.tstExt != nil {
			b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddBytes(tsMust(asn1.Marshal(*p.tstExt)))
			})
		}
	})
	tstInfo := ti.BytesOrPanic()

	md := p.digestHash.New()
	md.Write(tstInfo)
	digest := md.Sum(nil)
	if p.msgDigest == "wrong" {
		digest[0] ^= 1
	}
	attrs := slices.Clone(p.attrs)
	switch p.contentType {
	case "ok":
		attrs = append(attrs, tsAttr(oidTSContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidTSTSTInfo) }))
	case "data":
		attrs = append(attrs, tsAttr(oidTSContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidTSData) }))
	}
	if p.msgDigest != "missing" {
		attrs = append(attrs, tsAttr(oidTSMsgDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(digest) }))
	}
	if p.signingTime {
		attrs = append(attrs, tsAttr(oidTSSigningTime, func(b *cryptobyte.Builder) { b.AddASN1UTCTime(t) }))
	}
	slices.SortFunc(attrs, bytes.Compare)
	sa := cryptobyte.NewBuilder(nil)
	sa.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for _, a := range attrs {
			b.AddBytes(a)
		}
	})
	signed := sa.BytesOrPanic()

	var sigOID asn1.ObjectIdentifier
	var sig []byte
	switch k := p.signer.(type) {
	case ed25519.PrivateKey:
		sigOID = asn1.ObjectIdentifier{1, 3, 101, 112}
		sig = ed25519.Sign(k, signed)
	case *ecdsa.PrivateKey:
		sigOID = map[crypto.Hash]asn1.ObjectIdentifier{
			crypto.SHA1: {1, 2, 840, 10045, 4, 1}, crypto.SHA256: {1, 2, 840, 10045, 4, 3, 2},
			crypto.SHA384: {1, 2, 840, 10045, 4, 3, 3}, crypto.SHA512: {1, 2, 840, 10045, 4, 3, 4},
		}[p.digestHash]
		d := p.digestHash.New()
		d.Write(signed)
		sig = tsMust(k.Sign(rand.Reader, d.Sum(nil), p.digestHash))
	case *rsa.PrivateKey:
		sigOID = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
		d := p.digestHash.New()
		d.Write(signed)
		sig = tsMust(k.Sign(rand.Reader, d.Sum(nil), p.digestHash))
	default:
		panic(fmt.Sprintf("ts: key %T", p.signer))
	}
	if p.corrupt {
		sig[len(sig)/2] ^= 0x10
	}
	certs := slices.Clone(p.certs)
	slices.SortFunc(certs, bytes.Compare)
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidTSSignedData)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(3)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(tsHashOID[p.digestHash]) })
				})
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(oidTSTSTInfo)
					b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1OctetString(tstInfo) })
				})
				if len(certs) > 0 {
					b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						for _, d := range certs {
							b.AddBytes(d)
						}
					})
				}
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					tsSignerInfo(b, tsa, p.sidKeyID, tsHashOID[p.digestHash], sigOID, attrs, sig)
				})
			})
		})
	})
	return b.BytesOrPanic()
}

// tsSignerInfo adds a SignerInfo (RFC 5652 5.3) by signer's certificate, named by its subject
// key identifier (version 3) or its issuer and serial number (version 1), over the DER signed
// attributes attrs, with the digest and signature algorithms and the signature given.
func tsSignerInfo(b *cryptobyte.Builder, signer *x509.Certificate, bySKI bool, digestOID, sigOID asn1.ObjectIdentifier, attrs [][]byte, sig []byte) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if bySKI {
			b.AddASN1Int64(3)
			b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(signer.SubjectKeyId) })
		} else {
			b.AddASN1Int64(1)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddBytes(signer.RawIssuer)
				b.AddASN1BigInt(signer.SerialNumber)
			})
		}
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(digestOID) })
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			for _, a := range attrs {
				b.AddBytes(a)
			}
		})
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(sigOID) })
		b.AddASN1OctetString(sig)
	})
}

// tsRequest draws the request a TSA answers (signet's Authority or openssl ts -reply), and
// the one the token is judged against with openssl -queryfile: the same, or one with another
// nonce, none, or another policy (signet's ts verify takes no request: these are openssl's).
func (g *tsGen) tsRequest() *timestamp.Request {
	c := g.c
	hash := map[string]crypto.Hash{"sha256": crypto.SHA256, "sha384": crypto.SHA384, "sha512": crypto.SHA512}[g.pick("imprint", 60, "sha256", 20, "sha384", 20, "sha512")]
	h := hash.New()
	h.Write(c.data)
	req := &timestamp.Request{Hash: hash, HashedMessage: h.Sum(nil), CertReq: g.r.Intn(5) != 0}
	c.want = req.HashedMessage
	if !req.CertReq {
		g.feat("certreq:false")
	}
	if g.r.Intn(3) != 0 {
		req.Nonce = big.NewInt(g.r.Int63())
		g.feat("nonce")
	}
	if g.r.Intn(4) == 0 {
		req.Policy = tsPolicyA
		g.feat("req-policy:A")
	}
	answered := tsMust(req.Marshal())
	c.query = answered
	q := *req
	switch g.pick("query", 80, "same", 8, "!other-nonce", 6, "!no-nonce", 6, "!other-policy") {
	case "other-nonce":
		q.Nonce = big.NewInt(g.r.Int63())
	case "no-nonce":
		q.Nonce = nil
	case "other-policy":
		q.Policy = tsPolicyB
	}
	c.query = tsMust(q.Marshal())
	return req
}

// signetToken draws a token of signet's Authority.
func (g *tsGen) signetToken(tsaCert *x509.Certificate) {
	c := g.c
	a := &timestamp.Authority{Key: c.tsaKey, Chain: []*x509.Certificate{tsaCert}, Now: func() time.Time { return c.genTime }}
	if c.inter != nil && g.r.Intn(2) == 0 {
		g.feat("authority-chain")
		a.Chain = append(a.Chain, tsMust(x509.ParseCertificate(c.inter)))
	}
	if g.r.Intn(2) == 0 {
		a.Policy = tsPolicyA
	}
	a.Accuracy = []time.Duration{0, time.Second, 1500 * time.Microsecond, 2 * time.Hour}[g.r.Intn(4)]
	g.feat("accuracy:%s", a.Accuracy)
	req := g.tsRequest()
	resp, _, err := a.Respond(tsMust(req.Marshal()))
	if resp == nil {
		panic(err)
	}
	c.token, c.resp = resp, true
	if g.r.Intn(2) == 0 {
		// The bare token, as signet keeps it beside a signature, when there is one.
		if tok, err := timestamp.ParseResponse(resp); err == nil {
			g.feat("bare-token")
			c.token, c.resp = tok.Raw, false
		}
	}
}

// tsOSSLConf is what an openssl ts -reply configuration says.
type tsOSSLConf struct {
	signerDigest string // signer_digest
	essAlg       string // ess_cert_id_alg: sha1 writes a v1 attribute, others v2
	essChain     bool   // ess_cert_id_chain
	chain        bool   // certs = the intermediate
	accuracy     string // accuracy, "" none
	ordering     bool
	tsaName      bool
	policy       string // default_policy
	request      *timestamp.Request
	tokenOut     bool // -token_out: the bare token, not the response
}

// opensslPlan draws an openssl ts -reply configuration and request (the token is made by
// the differential test, which runs openssl).
func (g *tsGen) opensslPlan() {
	c := g.c
	o := &tsOSSLConf{}
	o.signerDigest = g.pick("signer-digest", 50, "sha256", 20, "sha384", 20, "sha512", 10, "sha1")
	o.essAlg = g.pick("ess-alg", 40, "sha1", 40, "sha256", 20, "sha384")
	o.essChain = g.r.Intn(3) == 0
	if o.essChain {
		g.feat("ess-chain")
	}
	o.chain = c.inter != nil && g.r.Intn(2) == 0
	if o.chain {
		g.feat("certs-chain")
	}
	o.accuracy = g.pick("accuracy", 40, "", 30, "secs:1", 20, "secs:0, millisecs:500, microsecs:100", 10, "secs:7200")
	o.ordering = g.r.Intn(3) == 0
	o.tsaName = g.r.Intn(2) == 0
	if o.tsaName {
		g.feat("tsa_name")
	}
	o.policy = tsPolicyA.String()
	o.request = g.tsRequest()
	o.tokenOut = g.r.Intn(2) == 0
	if o.tokenOut {
		g.feat("bare-token")
	}
	c.osslConf = o
}

// tsSHA1 and tsSHA256 are for the explanations.
func tsSHA1(b []byte) []byte   { s := sha1.Sum(b); return s[:] }
func tsSHA256(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

var _ = elliptic.P256
