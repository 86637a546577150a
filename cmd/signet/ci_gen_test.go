package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"math/big"
	mrand "math/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/internal/testutil"
)

// The generator of the inspection campaign (ci_diff_test.go): from one seed, a certificate, a
// CRL and a CSR whose every field is drawn, written byte by byte with cryptobyte so that
// encodings crypto/x509 would never write (every string type, multi-valued RDNs, control and
// bidirectional characters, bytes that are not UTF-8, UTCTime and GeneralizedTime at their
// edges, negative, zero and long serials, every extension RFC 5280 defines with drawn
// contents and criticality, unknown extensions) can be drawn. The draw uses only the seeded
// math/rand; the issuers' keys come from testutil.Key, so a seed replays the same objects
// but for the signature bytes.

// ciSPKI are subject public keys the campaign cannot make with Go (or need not): each is a
// DER SubjectPublicKeyInfo made once by openssl, with what openssl says of it.
var ciSPKI = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"ed448":     "3043300506032b6571033a00f85871e61a9c09347fb8fc278cfeba9de6f92ead91c9a585c339744de2be69bbbe553bc03318543ed2cfc24055fbe49f2e3631c346ab53cd00",
		"x25519":    "302a300506032b656e0321005a16425502671e94efb997e89cdcb9be64e56a8ae5fb2aa3de9516bac296cd14",
		"secp256k1": "3056301006072a8648ce3d020106052b8104000a03420004691d44196538b4c42732c6751a4230bf8bf9d6866bee7520c221523f6e1777bfd93411992ac6ac586ebdbda383042a5969d7b574ff339f61bf908e7467ce2fa7",
		"brainpool": "305a301406072a8648ce3d020106092b2403030208010107034200042dc4758b802bb2710cb51e1e7aba5c8f747a316a4f2bf44dc002dbf490c2d740737230bf56721fa5dba2adaa23ab95ba15bd5f333d826f7e264946cafae08241",
		"rsa1024":   "30819f300d06092a864886f70d010101050003818d0030818902818100b45dbc5acb81983735cc82dd9e89ab99b59be94e286c41b90e5f0f1e005be1e53db910c89ba29a4cfd95ca713ec44358ec60e3f121a8bed2648740d09eb3b30d87207beb23ef4efd40229bd8a8b8eef8e77270d4d35a2eb6761b40e9b29ed6659ca2278c4494f3dea3dc6362d081a51c717e9b6cf631fff12b8af4b2c98526110203010001",
		"dsa1024":   "308201be3082013306072a8648ce380401308201260281810091353c6c06599931a6fdd6e9ec67bb4a94b04d7a998cf561f9cc0202439d3ed8888c67e680ec44e47321c8a54d4cb2f4de31f75767de85206924e10332ca844f94977636100e7e70e8cc644ea387f9983ad02c241d1b78bfd16996a3f2ac40cd345b0fea842a14ca72e0d051f96dd7af4b97ab15cd96a63c73330688d66801a7021d00c3f82830386de8977fc7f21cc2ee228a19428274357cfca0b1401dc7028180265024e39bd57c14c9c6ccf13b1d6443ad949aad02cba7b85faab0793b006ec385beb1dd33994140907f723f7ed19e0749800d0bdebcf679146118704d75c89e811a1747fc4caefff0f410d96090e7024e78eb59a0f2fc610269914748d0e0ec8cd4d2aed842be2d895238fbb5ed50344ead53fbc559280479a2c90a17c13015038184000281804adc608805361356ae22b5c6ea0642d2b336bc83fcd80135cdf7e4309026786b4a4b7bcbf69ea5788c5ecd2700ae3cb990719c0399adf8ddb8e7ea744f312f569d8d702af3970d85a41d815f2a5468374359ea3b639ae444ee735e38a50341a4152999fe4ede5f0154e46b7184e7d46a92cbe314187cd836a0bb7f73d0180c98",
	}
})

// ciCase is what one seed drew.
type ciCase struct {
	seed  int64
	cert  []byte // DER
	crl   []byte // DER
	csr   []byte // DER
	feats []string
	// objFeats are the features of each object: "certificate", "csr", "crl"
	objFeats map[string][]string
}

// has reports whether the object kind drew feature f.
func (c *ciCase) has(kind, f string) bool {
	for _, x := range c.objFeats[kind] {
		if x == f || strings.HasPrefix(x, f+"=") {
			return true
		}
	}
	return false
}

type ciGen struct {
	r     *mrand.Rand
	t     testing.TB
	feats []string
}

func (g *ciGen) feat(format string, args ...any) {
	g.feats = append(g.feats, fmt.Sprintf(format, args...))
}
func (g *ciGen) n(k int) int    { return g.r.Intn(k) }
func (g *ciGen) p(pct int) bool { return g.r.Intn(100) < pct }

var (
	ciOIDCN    = asn1.ObjectIdentifier{2, 5, 4, 3}
	ciAttrOIDs = []struct {
		oid  asn1.ObjectIdentifier
		kind string // "any", "c" (two letters), "ia5", "num"
	}{
		{asn1.ObjectIdentifier{2, 5, 4, 3}, "any"},
		{asn1.ObjectIdentifier{2, 5, 4, 10}, "any"},
		{asn1.ObjectIdentifier{2, 5, 4, 11}, "any"},
		{asn1.ObjectIdentifier{2, 5, 4, 6}, "c"},
		{asn1.ObjectIdentifier{2, 5, 4, 7}, "any"},
		{asn1.ObjectIdentifier{2, 5, 4, 8}, "any"},
		{asn1.ObjectIdentifier{2, 5, 4, 5}, "any"},
		{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, "ia5"},
		{asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, "ia5"},
		{asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}, "any"},
		{asn1.ObjectIdentifier{2, 5, 4, 97}, "any"},
		{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 1}, "any"},
	}
)

// ciPieces are the parts values are made of: plain text, RFC 4514 specials, non-ASCII text,
// control characters, terminal escapes, bidirectional overrides and zero-width characters.
var ciPieces = []string{"alice", "Example Ltd", "a,b", "x+y", "#x", " ", "q\"t", "<>;", `back\slash`,
	"Jürgen", "東京", "é", "\n", "\r", "\t", "\x00", "\x1b[31m", "\x7f", "\u0085", "\u202e", "\u200b",
	"\u2028", "OK", "=", "*", "&"}

// ciValue draws a string value of an attribute and the ASN.1 tag to write it with.
func (g *ciGen) ciValue(kind string) (cbasn1.Tag, []byte) {
	switch kind {
	case "c":
		return cbasn1.PrintableString, []byte([]string{"DE", "US", "FR", "JP"}[g.n(4)])
	case "num":
		return cbasn1.Tag(asn1.TagNumericString), []byte("0123 45")
	}
	var s strings.Builder
	for i := 0; i < 1+g.n(3); i++ {
		s.WriteString(ciPieces[g.n(len(ciPieces))])
	}
	v := s.String()
	ascii, printable := true, true
	for _, b := range []byte(v) {
		if b >= 0x80 {
			ascii = false
		}
		if !strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '()+,-./:=?", rune(b)) {
			printable = false
		}
	}
	if kind == "ia5" {
		if !ascii {
			v = "alice@example.com"
		}
		return cbasn1.IA5String, []byte(v)
	}
	switch k := g.n(10); {
	case k == 0 && printable:
		return cbasn1.PrintableString, []byte(v)
	case k == 1 && ascii:
		return cbasn1.IA5String, []byte(v)
	case k == 2:
		// TeletexString: each byte a Latin-1 character, so bytes that are not UTF-8.
		g.feat("t61")
		b := []byte(v)
		if g.p(50) {
			b = append(b, 0xe9, 0xfc)
		}
		return cbasn1.T61String, b
	case k == 3:
		g.feat("bmp")
		var b []byte
		for _, r := range v {
			if r > 0xffff {
				r = '?'
			}
			b = append(b, byte(r>>8), byte(r))
		}
		return cbasn1.Tag(asn1.TagBMPString), b
	case k == 4:
		g.feat("universal")
		var b []byte
		for _, r := range v {
			b = append(b, byte(r>>24), byte(r>>16), byte(r>>8), byte(r))
		}
		return cbasn1.Tag(28), b
	case k == 5 && ascii && g.p(30):
		g.feat("visible")
		return cbasn1.Tag(26), []byte(v)
	case k == 6 && g.p(20):
		g.feat("badutf8")
		return cbasn1.UTF8String, append([]byte(v), 0xff)
	case k == 7 && g.p(20):
		g.feat("badprintable")
		return cbasn1.PrintableString, []byte(v + "@_")
	case k == 8 && g.p(20):
		g.feat("numeric")
		return cbasn1.Tag(asn1.TagNumericString), []byte(fmt.Sprintf("%d %d", g.n(1000), g.n(1000)))
	}
	return cbasn1.UTF8String, []byte(v)
}

// name draws a Name: zero to four RDNs, some multi-valued.
func (g *ciGen) name(b *cryptobyte.Builder, role string) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		n := 1 + g.n(4)
		if g.p(5) {
			g.feat("empty-%s", role)
			n = 0
		}
		for i := 0; i < n; i++ {
			m := 1
			if g.p(15) {
				g.feat("multi-rdn")
				m = 2 + g.n(2)
			}
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				for j := 0; j < m; j++ {
					a := ciAttrOIDs[g.n(len(ciAttrOIDs))]
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(a.oid)
						if a.oid[0] == 1 && len(a.oid) == 8 && g.p(30) {
							// an unknown attribute whose value is no string
							g.feat("attr-nonstring")
							b.AddASN1Int64(int64(g.n(1000)))
							return
						}
						tag, v := g.ciValue(a.kind)
						b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes(v) })
					})
				}
			})
		}
	})
}

// ciTime writes t as RFC 5280 says (UTCTime through 2049, GeneralizedTime from 2050), or
// now and then as GeneralizedTime before 2050.
func (g *ciGen) time(b *cryptobyte.Builder, t time.Time) {
	if t.Year() < 2050 && t.Year() >= 1950 && !g.p(10) {
		b.AddASN1(cbasn1.UTCTime, func(b *cryptobyte.Builder) { b.AddBytes([]byte(t.Format("060102150405Z"))) })
		return
	}
	if t.Year() < 2050 {
		g.feat("gentime-before-2050")
	}
	b.AddASN1(cbasn1.GeneralizedTime, func(b *cryptobyte.Builder) { b.AddBytes([]byte(t.Format("20060102150405Z"))) })
}

func (g *ciGen) drawTime() time.Time {
	switch g.n(8) {
	case 0:
		return time.Date(2049, 12, 31, 23, 59, 59, 0, time.UTC)
	case 1:
		return time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC)
	case 2:
		return time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	case 3:
		return time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(1990+g.n(60), time.Month(1+g.n(12)), 1+g.n(28), g.n(24), g.n(60), g.n(60), 0, time.UTC)
}

func (g *ciGen) serial() *big.Int {
	switch g.n(8) {
	case 0:
		g.feat("serial-zero")
		return big.NewInt(0)
	case 1:
		g.feat("serial-negative")
		return big.NewInt(-1 - int64(g.n(1<<20)))
	case 2:
		g.feat("serial-20")
		b := make([]byte, 20)
		g.r.Read(b)
		b[0] |= 0x80
		return new(big.Int).SetBytes(b) // 21 octets encoded
	case 3:
		b := make([]byte, 19)
		g.r.Read(b)
		b[0] |= 0x40
		return new(big.Int).SetBytes(b)
	}
	return big.NewInt(int64(g.n(1 << 30)))
}

// generalName draws one GeneralName of any form.
func (g *ciGen) generalName(b *cryptobyte.Builder, forms string) {
	f := forms[g.n(len(forms))]
	g.feat("gn-%c", f)
	ia5 := func(tag int, s string) {
		b.AddASN1(cbasn1.Tag(tag).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte(s)) })
	}
	ctl := func() string {
		if g.p(10) {
			g.feat("gn-control")
			return []string{"\n", "\x1b[2J", "\r", "\x7f"}[g.n(4)]
		}
		return ""
	}
	switch f {
	case 'd':
		ia5(2, []string{"example.com", "*.example.org", "xn--bcher-kva.example", "a.b.c.d", "localhost"}[g.n(5)]+ctl())
	case 'e':
		ia5(1, []string{"alice@example.com", "example.net", ".example.net", "bob@b.example"}[g.n(4)]+ctl())
	case 'u':
		ia5(6, []string{"https://example.com/a?b=c", "ldap://ldap.example/cn=x", "http://crl.example/ca.crl", "urn:x:y"}[g.n(4)]+ctl())
	case 'i':
		ip := [][]byte{{192, 0, 2, 1}, {10, 0, 0, 1}, {0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, {0, 0, 0, 0}}[g.n(4)]
		b.AddASN1(cbasn1.Tag(7).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(ip) })
	case 'I': // an IP network, as name constraints have them
		ip := [][]byte{{192, 0, 2, 0, 255, 255, 255, 0}, {10, 0, 0, 0, 255, 0, 0, 0}}[g.n(2)]
		b.AddASN1(cbasn1.Tag(7).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(ip) })
	case 'n':
		b.AddASN1(cbasn1.Tag(4).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { g.name(b, "dirname") })
	case 'o':
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3}) // UPN
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte("user@corp.example" + ctl())) })
			})
		})
	case 'r':
		b.AddASN1(cbasn1.Tag(8).ContextSpecific(), func(b *cryptobyte.Builder) {
			var o cryptobyte.Builder
			o.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, g.n(9)})
			der := o.BytesOrPanic()
			b.AddBytes(der[2:])
		})
	}
}

// displayText writes a DisplayText of s in a drawn string type: UTF8String, IA5String,
// VisibleString or BMPString.
func (g *ciGen) displayText(b *cryptobyte.Builder, s string) {
	switch g.n(4) {
	case 0:
		b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(s)) })
	case 1:
		b.AddASN1(cbasn1.IA5String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(s)) })
	case 2:
		g.feat("display-visible")
		b.AddASN1(cbasn1.Tag(26), func(b *cryptobyte.Builder) { b.AddBytes([]byte(s)) })
	default:
		g.feat("display-bmp")
		b.AddASN1(cbasn1.Tag(30), func(b *cryptobyte.Builder) {
			for _, r := range s {
				b.AddUint16(uint16(r))
			}
		})
	}
}

func (g *ciGen) generalNames(b *cryptobyte.Builder, forms string, max int) {
	for i := 0; i < 1+g.n(max); i++ {
		g.generalName(b, forms)
	}
}

// ciExt is one extension drawn.
type ciExt struct {
	oid      asn1.ObjectIdentifier
	critical bool
	value    []byte
}

func ciOID(s string) asn1.ObjectIdentifier {
	var o asn1.ObjectIdentifier
	for _, p := range strings.Split(s, ".") {
		var n int
		fmt.Sscan(p, &n)
		o = append(o, n)
	}
	return o
}

func build(f func(b *cryptobyte.Builder)) []byte {
	var b cryptobyte.Builder
	f(&b)
	return b.BytesOrPanic()
}

// extensions draws the extensions of a certificate (or, with csr, of a CSR's request).
func (g *ciGen) extensions(csr bool) []ciExt {
	var out []ciExt
	add := func(name, oid string, critical bool, v []byte) {
		if g.p(10) {
			critical = !critical
		}
		g.feat("ext-%s", name)
		if critical {
			g.feat("crit-%s", name)
		}
		out = append(out, ciExt{ciOID(oid), critical, v})
	}
	seq := func(f func(b *cryptobyte.Builder)) []byte {
		return build(func(b *cryptobyte.Builder) { b.AddASN1(cbasn1.SEQUENCE, f) })
	}
	if g.p(60) {
		add("ski", "2.5.29.14", false, build(func(b *cryptobyte.Builder) {
			k := make([]byte, []int{20, 8, 32}[g.n(3)])
			g.r.Read(k)
			b.AddASN1OctetString(k)
		}))
	}
	if g.p(50) {
		add("aki", "2.5.29.35", false, seq(func(b *cryptobyte.Builder) {
			if g.p(80) {
				k := make([]byte, 20)
				g.r.Read(k)
				b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(k) })
			}
			if g.p(30) {
				g.feat("aki-issuer")
				b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { g.generalNames(b, "n", 1) })
				b.AddASN1(cbasn1.Tag(2).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(big.NewInt(int64(1 + g.n(1<<20))).Bytes()) })
			}
		}))
	}
	if g.p(60) {
		add("ku", "2.5.29.15", true, build(func(b *cryptobyte.Builder) {
			bits := uint16(g.n(1 << 9))
			if bits == 0 {
				bits = 1
			}
			// BIT STRING, DER: trailing zero bits dropped
			n := 9
			for n > 0 && bits&(1<<(n-1)) == 0 {
				n--
			}
			bs := make([]byte, (n+7)/8)
			for i := 0; i < n; i++ {
				if bits&(1<<i) != 0 {
					bs[i/8] |= 0x80 >> (i % 8)
				}
			}
			b.AddASN1BitString(bs)
			_ = n
		}))
	}
	if g.p(50) {
		add("bc", "2.5.29.19", true, seq(func(b *cryptobyte.Builder) {
			if g.p(70) {
				b.AddASN1Boolean(true)
				if g.p(50) {
					b.AddASN1Int64(int64(g.n(5)))
				}
			}
		}))
	}
	if g.p(60) {
		add("san", "2.5.29.17", false, seq(func(b *cryptobyte.Builder) { g.generalNames(b, "deuiinor", 5) }))
	}
	if g.p(15) {
		add("ian", "2.5.29.18", false, seq(func(b *cryptobyte.Builder) { g.generalNames(b, "deuinor", 3) }))
	}
	if g.p(40) {
		add("eku", "2.5.29.37", false, seq(func(b *cryptobyte.Builder) {
			for i := 0; i < 1+g.n(4); i++ {
				o := []string{"1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.3", "1.3.6.1.5.5.7.3.4",
					"1.3.6.1.5.5.7.3.8", "1.3.6.1.5.5.7.3.9", "2.5.29.37.0", "1.3.6.1.4.1.55555.7", "1.3.6.1.4.1.311.10.3.3"}[g.n(9)]
				b.AddASN1ObjectIdentifier(ciOID(o))
			}
		}))
	}
	if g.p(25) {
		add("nc", "2.5.29.30", true, seq(func(b *cryptobyte.Builder) {
			for tag := 0; tag < 2; tag++ {
				if g.p(60) {
					if tag == 1 {
						g.feat("nc-excluded")
					}
					b.AddASN1(cbasn1.Tag(tag).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
						for i := 0; i < 1+g.n(3); i++ {
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { g.generalName(b, "deuIno") })
						}
					})
				}
			}
		}))
	}
	if g.p(30) {
		add("policies", "2.5.29.32", false, seq(func(b *cryptobyte.Builder) {
			for i := 0; i < 1+g.n(2); i++ {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(ciOID([]string{"2.5.29.32.0", "2.23.140.1.2.1", "1.3.6.1.4.1.55555.2." + fmt.Sprint(i)}[g.n(3)]))
					if g.p(40) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
								b.AddASN1ObjectIdentifier(ciOID("1.3.6.1.5.5.7.2.1"))
								b.AddASN1(cbasn1.IA5String, func(b *cryptobyte.Builder) { b.AddBytes([]byte("https://cps.example/")) })
							})
							if g.p(50) {
								b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
									b.AddASN1ObjectIdentifier(ciOID("1.3.6.1.5.5.7.2.2"))
									b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
										// a notice reference, an explicit text, or both
										shape := g.n(3)
										if shape != 1 {
											g.feat("notice-ref")
											b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
												g.displayText(b, []string{"Org", "Example CA Ltd"}[g.n(2)])
												b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
													for k := 0; k < 1+g.n(3); k++ {
														b.AddASN1Int64(int64(1 + g.n(1000)))
													}
												})
											})
										}
										if shape != 0 {
											g.feat("notice-text")
											g.displayText(b, []string{"notice", "Relying parties: see the CPS"}[g.n(2)])
										}
									})
								})
							}
						})
					}
				})
			}
		}))
	}
	if g.p(10) {
		add("policymappings", "2.5.29.33", true, seq(func(b *cryptobyte.Builder) {
			for k := 0; k < 1+g.n(3); k++ {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(ciOID([]string{"1.3.6.1.4.1.55555.2.0", "2.5.29.32.0", "2.23.140.1.2.2"}[g.n(3)]))
					b.AddASN1ObjectIdentifier(ciOID(fmt.Sprintf("1.3.6.1.4.1.55555.3.%d", k)))
				})
			}
		}))
	}
	if g.p(10) {
		add("policyconstraints", "2.5.29.36", true, seq(func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddUint8(uint8(g.n(3))) })
			if g.p(50) {
				b.AddASN1(cbasn1.Tag(1).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddUint8(uint8(g.n(3))) })
			}
		}))
	}
	if g.p(10) {
		add("inhibitany", "2.5.29.54", true, build(func(b *cryptobyte.Builder) { b.AddASN1Int64(int64(g.n(3))) }))
	}
	dps := func(b *cryptobyte.Builder) {
		for i := 0; i < 1+g.n(2); i++ {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				switch g.n(4) {
				case 0:
					g.feat("dp-relative")
					b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
								b.AddASN1ObjectIdentifier(ciOIDCN)
								b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte("CRL1")) })
							})
						})
					})
				default:
					b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { g.generalNames(b, "uun", 2) })
					})
				}
				if g.p(20) {
					g.feat("dp-reasons")
					b.AddASN1(cbasn1.Tag(1).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte{1, 0x60}) })
				}
				if g.p(20) {
					g.feat("dp-crlissuer")
					b.AddASN1(cbasn1.Tag(2).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { g.generalNames(b, "n", 1) })
				}
			})
		}
	}
	if g.p(40) {
		add("crldp", "2.5.29.31", false, seq(dps))
	}
	if g.p(10) {
		add("freshest", "2.5.29.46", false, seq(dps))
	}
	ad := func(b *cryptobyte.Builder, methods ...string) {
		for i := 0; i < 1+g.n(3); i++ {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(ciOID(methods[g.n(len(methods))]))
				g.generalName(b, "uuun")
			})
		}
	}
	if g.p(40) {
		add("aia", "1.3.6.1.5.5.7.1.1", false, seq(func(b *cryptobyte.Builder) {
			ad(b, "1.3.6.1.5.5.7.48.1", "1.3.6.1.5.5.7.48.2", "1.3.6.1.4.1.55555.9")
		}))
	}
	if g.p(10) {
		add("sia", "1.3.6.1.5.5.7.1.11", false, seq(func(b *cryptobyte.Builder) {
			ad(b, "1.3.6.1.5.5.7.48.5", "1.3.6.1.5.5.7.48.3")
		}))
	}
	if g.p(10) {
		add("ocspnocheck", "1.3.6.1.5.5.7.48.1.5", false, []byte{5, 0})
	}
	if g.p(10) {
		add("sct", "1.3.6.1.4.1.11129.2.4.2", false, build(func(b *cryptobyte.Builder) {
			b.AddASN1OctetString(build(func(b *cryptobyte.Builder) {
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
					for k := 0; k < 1+g.n(3); k++ {
						b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
							b.AddUint8(0)
							id := make([]byte, 32)
							g.r.Read(id)
							b.AddBytes(id)
							b.AddUint64(uint64(1700000000000 + g.n(1<<30)))
							b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
								if g.p(20) {
									g.feat("sct-ext")
									b.AddBytes([]byte{0, 0, 5, 1, 2, 3, 4, 5})
								}
							})
							b.AddUint8(4)                     // sha256
							b.AddUint8([]uint8{3, 1}[g.n(2)]) // ecdsa, rsa
							b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte{0x30, 0x06, 2, 1, 1, 2, 1, byte(1 + g.n(100))}) })
						})
					}
				})
			}))
		}))
	}
	for i := 0; i < g.n(3); i++ {
		if g.p(50) {
			continue
		}
		v := build(func(b *cryptobyte.Builder) {
			switch g.n(3) {
			case 0:
				b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte("unknown\x1b[31m")) })
			case 1:
				b.AddASN1OctetString([]byte{0xde, 0xad, 0xbe, 0xef})
			default:
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1Int64(int64(g.n(100))) })
			}
		})
		add("unknown", "1.3.6.1.4.1.55555.100."+fmt.Sprint(i), g.p(40), v)
	}
	// a drawn order
	g.r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	if csr && len(out) > 0 && g.p(8) {
		// a request openssl shows but that is malformed: an extension twice, or the value of
		// one signet takes apart that does not parse
		if g.p(50) {
			g.feat("csr-dup-ext")
			out = append(out, out[g.n(len(out))])
		} else {
			g.feat("csr-bad-ext")
			bad := []ciExt{{ciOID("2.5.29.19"), true, []byte{0x01, 0x01, 0xff}}, {ciOID("2.5.29.15"), true, []byte{0x05, 0x00}},
				{ciOID("2.5.29.37"), false, []byte{0x30, 0x00}}, {ciOID("2.5.29.17"), false, []byte{0x30, 0x03, 0x82, 0x01, 'a', 0x00}}}[g.n(4)]
			out = append(out[:0:0], append([]ciExt{bad}, out...)...)
		}
	}
	return out
}

func ciAddExts(b *cryptobyte.Builder, exts []ciExt) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, e := range exts {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(e.oid)
				if e.critical {
					b.AddASN1Boolean(true)
				}
				b.AddASN1OctetString(e.value)
			})
		}
	})
}

// ciSigner is an issuer's key and how it signs.
func ciSign(k crypto.Signer, tbs []byte) (alg, sig []byte) {
	var h crypto.Hash
	switch k.(type) {
	case *ecdsa.PrivateKey:
		alg, h = build(func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(ciOID("1.2.840.10045.4.3.2")) })
		}), crypto.SHA256
	case *rsa.PrivateKey:
		alg, h = build(func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(ciOID("1.2.840.113549.1.1.11"))
				b.AddASN1NULL()
			})
		}), crypto.SHA256
	case ed25519.PrivateKey:
		s, err := k.Sign(rand.Reader, tbs, crypto.Hash(0))
		if err != nil {
			panic(err)
		}
		return build(func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(ciOID("1.3.101.112")) })
		}), s
	}
	d := sha256.Sum256(tbs)
	s, err := k.Sign(rand.Reader, d[:], h)
	if err != nil {
		panic(err)
	}
	return alg, s
}

func ciSigned(k crypto.Signer, tbs []byte) []byte {
	alg, sig := ciSign(k, tbs)
	return build(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddBytes(tbs)
			b.AddBytes(alg)
			b.AddASN1BitString(sig)
		})
	})
}

// spki draws a subject key: a key of the test binary or one of ciSPKI.
func (g *ciGen) spki() (der []byte, key crypto.Signer) {
	names := []string{"p256", "p384", "p521", "rsa2048", "ed25519", "ed448", "x25519", "secp256k1", "brainpool", "rsa1024", "dsa1024"}
	n := names[g.n(len(names))]
	g.feat("key=%s", n)
	if h, ok := ciSPKI()[n]; ok {
		b, _ := hex.DecodeString(h)
		return b, nil
	}
	k := testutil.Key(g.t, n+"/ci")
	der, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		panic(err)
	}
	return der, k
}

func ciGenerate(t testing.TB, seed int64) *ciCase {
	g := &ciGen{r: mrand.New(mrand.NewSource(seed)), t: t}
	issuerKey := testutil.Key(t, []string{"p256/cica", "rsa2048/cica", "ed25519/cica"}[g.n(3)])
	c := &ciCase{seed: seed}

	// the certificate
	spki, subjKey := g.spki()
	selfSigned := subjKey != nil && g.p(30)
	signer := issuerKey
	if selfSigned {
		signer = subjKey
		g.feat("self-signed")
	}
	var subject []byte
	tbs := build(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			version := 2
			if g.p(5) {
				version = 0
				g.feat("v1")
			}
			if version != 0 {
				b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddASN1Int64(int64(version)) })
			}
			b.AddASN1BigInt(g.serial())
			alg, _ := ciSign(signer, nil)
			b.AddBytes(alg)
			subject = build(func(b *cryptobyte.Builder) { g.name(b, "subject") })
			if selfSigned {
				b.AddBytes(subject)
			} else {
				g.name(b, "issuer")
			}
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				nb, na := g.drawTime(), g.drawTime()
				if na.Before(nb) && g.p(80) {
					nb, na = na, nb
				}
				g.time(b, nb)
				g.time(b, na)
			})
			b.AddBytes(subject)
			b.AddBytes(spki)
			if version == 2 {
				if exts := g.extensions(false); len(exts) > 0 {
					b.AddASN1(cbasn1.Tag(3).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { ciAddExts(b, exts) })
				}
			}
		})
	})
	c.cert = ciSigned(signer, tbs)
	c.objFeats = map[string][]string{"certificate": g.feats}
	n := len(g.feats)

	// the CSR: subject, a key of the test binary, requested extensions, a challenge password
	csrKey := testutil.Key(t, []string{"p256/ci", "rsa2048/ci", "ed25519/ci"}[g.n(3)])
	csrSPKI, _ := x509.MarshalPKIXPublicKey(csrKey.Public())
	cri := build(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Int64(0)
			g.name(b, "csr")
			b.AddBytes(csrSPKI)
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				if g.p(30) {
					g.feat("csr-challenge")
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(ciOID("1.2.840.113549.1.9.7"))
						b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
							b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte("secret")) })
						})
					})
				}
				if g.p(20) {
					g.feat("csr-unstructured-name")
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(ciOID("1.2.840.113549.1.9.2"))
						b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
							tag := []cbasn1.Tag{cbasn1.UTF8String, cbasn1.PrintableString}[g.n(2)]
							v := []string{"Example Ltd", "host.example", "a,b"}[g.n(3)]
							if tag == cbasn1.UTF8String && g.p(30) {
								v = "Jürgen"
							}
							b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(v)) })
						})
					})
				}
				if g.p(15) {
					g.feat("csr-unknown-attribute")
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(ciOID("1.3.6.1.4.1.55555.30"))
						b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddASN1Int64(int64(g.n(1000))) })
					})
				}
				if exts := g.extensions(true); len(exts) > 0 {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(ciOID("1.2.840.113549.1.9.14"))
						b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { ciAddExts(b, exts) })
					})
				}
			})
		})
	})
	c.csr = ciSigned(csrKey, cri)
	c.objFeats["csr"] = g.feats[n:]
	n = len(g.feats)

	// the CRL
	crlTBS := build(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Int64(1)
			alg, _ := ciSign(issuerKey, nil)
			b.AddBytes(alg)
			g.name(b, "crl-issuer")
			g.time(b, g.drawTime())
			if g.p(85) {
				g.time(b, g.drawTime())
			} else {
				g.feat("crl-no-next")
			}
			if n := g.n(4); n > 0 {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					for i := 0; i < n; i++ {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							s := g.serial()
							b.AddASN1BigInt(s)
							g.time(b, g.drawTime())
							var exts []ciExt
							if g.p(60) {
								r := []int{0, 1, 2, 3, 4, 5, 6, 8, 9, 10}[g.n(10)]
								g.feat("crl-reason-%d", r)
								exts = append(exts, ciExt{ciOID("2.5.29.21"), false, build(func(b *cryptobyte.Builder) { b.AddASN1Enum(int64(r)) })})
							}
							if g.p(20) {
								g.feat("crl-invalidity")
								exts = append(exts, ciExt{ciOID("2.5.29.24"), false, build(func(b *cryptobyte.Builder) {
									b.AddASN1GeneralizedTime(time.Date(2020+g.n(10), 3, 4, 5, 6, 7, 0, time.UTC))
								})})
							}
							if g.p(15) {
								g.feat("crl-certissuer")
								exts = append(exts, ciExt{ciOID("2.5.29.29"), true, build(func(b *cryptobyte.Builder) {
									b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { g.generalNames(b, "nd", 1) })
								})})
							}
							if len(exts) > 0 {
								ciAddExts(b, exts)
							}
						})
					}
				})
			}
			var exts []ciExt
			if g.p(70) {
				exts = append(exts, ciExt{ciOID("2.5.29.20"), false, build(func(b *cryptobyte.Builder) { b.AddASN1BigInt(g.serial()) })})
			}
			if g.p(50) {
				exts = append(exts, ciExt{ciOID("2.5.29.35"), false, build(func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte{1, 2, 3, 4, 5, 6, 7, 8}) })
					})
				})})
			}
			if g.p(10) {
				g.feat("crl-ian")
				exts = append(exts, ciExt{ciOID("2.5.29.18"), false, build(func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { g.generalNames(b, "deui", 2) })
				})})
			}
			if g.p(15) {
				g.feat("crl-delta")
				exts = append(exts, ciExt{ciOID("2.5.29.27"), true, build(func(b *cryptobyte.Builder) { b.AddASN1Int64(int64(g.n(100))) })})
			}
			if g.p(20) {
				g.feat("crl-idp")
				exts = append(exts, ciExt{ciOID("2.5.29.28"), true, build(func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						if g.p(85) {
							b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
								b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { g.generalNames(b, "uud", 2) })
							})
						}
						// onlyContainsUserCerts [1], onlyContainsCACerts [2], onlySomeReasons
						// [3], indirectCRL [4], onlyContainsAttributeCerts [5]
						for tag := 1; tag <= 5; tag++ {
							if !g.p(30) {
								continue
							}
							g.feat("idp-%d", tag)
							if tag == 3 {
								b.AddASN1(cbasn1.Tag(3).ContextSpecific(), func(b *cryptobyte.Builder) {
									b.AddBytes([]byte{[]byte{1, 5, 0}[g.n(3)], []byte{0x60, 0x80, 0x42}[g.n(3)]})
								})
								continue
							}
							b.AddASN1(cbasn1.Tag(tag).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddUint8(0xff) })
						}
					})
				})})
			}
			if len(exts) > 0 {
				b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { ciAddExts(b, exts) })
			}
		})
	})
	c.crl = ciSigned(issuerKey, crlTBS)
	c.objFeats["crl"] = g.feats[n:]
	c.feats = g.feats
	return c
}
