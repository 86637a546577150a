//go:build cgo

package hsm

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	mrand "math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/pkcs11"

	"github.com/signet-pki/signet/internal/testutil"
)

// The population of the seeded PKCS#11 campaign (pt): per seed, one or two SoftHSM2 tokens
// (sometimes with the same label) filled by pkcs11-tool with key pairs of every type
// (RSA 1024-4096, EC P-256/384/521, secp256k1, Ed25519), some with CKA_ALWAYS_AUTHENTICATE
// or CKA_SIGN false, private keys without their public key object, public keys alone
// (some CKA_PRIVATE), certificates with and without a key, under labels and ids drawn to
// collide (shared labels, shared ids, ids of 0-4 bytes, labels with spaces, "/", "%", ";",
// "?", non-ASCII, bytes that are not UTF-8, terminal escapes, the empty label). What is on the
// tokens is then read back from pkcs11-tool --list-objects, which is what the oracle of
// pt_diff_test.go computes matches from. The key material behind each object (its public
// key, as pkcs11-tool printed or exported it, or as the test made it) is recorded to check
// which key signet used.

// ptToken is one initialised token of a population.
type ptToken struct {
	label, serial, manufacturer, model string
	slot                               uint64
}

// ptObject is one object the campaign put on a token.
type ptObject struct {
	token      int
	class      ObjectType
	label      string
	id         []byte
	key        int // index into ptPop.keys
	noSign     bool
	alwaysAuth bool
	private    bool // CKA_PRIVATE on a public key or certificate
}

// ptKey is the key material behind objects: its public key as pkcs11-tool exported it (nil
// for a curve Go does not know, secp256k1), and that key as PEM for openssl.
type ptKey struct {
	kind string // pkcs11-tool's --key-type, or "go-..." for a key the test made
	pub  crypto.PublicKey
	pem  string
}

// ptListed is one object as pkcs11-tool --list-objects shows it.
type ptListed struct {
	class ObjectType
	label string
	id    []byte
}

type ptPop struct {
	t      *testing.T
	tt     *testToken
	seed   int64
	dir    string
	tokens []ptToken
	objs   []ptObject
	keys   []ptKey
	listed [][]ptListed // per token, as pkcs11-tool lists it after login
}

// ptLabels are the labels drawn: every character class RFC 7512 encodes differently.
var ptLabels = []string{
	"k", "key", "a b", "x/y", "p%q", "s;t", "q?r", "é", "\xff\xfe", "", "esc\x1b[31mred",
	"Ünï cödé", " lead", "tab\tx", "k&m", "eq=1", "dot.dash-_~",
}

// ptKeyTypes are the key pairs pkcs11-tool generates, with weights.
var ptKeyTypes = []struct {
	kind   string
	weight int
}{
	{"rsa:1024", 14}, {"rsa:2048", 8}, {"rsa:3072", 1}, {"rsa:4096", 1},
	{"EC:prime256v1", 20}, {"EC:secp384r1", 10}, {"EC:secp521r1", 10},
	{"EC:secp256k1", 6}, {"EC:edwards25519", 12},
}

func ptDrawKeyType(r *mrand.Rand) string {
	total := 0
	for _, k := range ptKeyTypes {
		total += k.weight
	}
	n := r.Intn(total)
	for _, k := range ptKeyTypes {
		if n < k.weight {
			return k.kind
		}
		n -= k.weight
	}
	return ptKeyTypes[0].kind
}

// ptTool runs pkcs11-tool on the token's slot, logged in, and returns what it printed.
func (p *ptPop) tool(tok int, args ...string) string {
	p.t.Helper()
	a := []string{"--slot", strconv.FormatUint(p.tokens[tok].slot, 10), "--login", "--pin", "env:SIGNET_TEST_PIN"}
	return p.tt.tool(append(a, args...)...)
}

// ptSlots reads the initialised tokens' slots and serials from pkcs11-tool -L.
func ptSlots(t *testing.T, tt *testToken) []ptToken {
	t.Helper()
	var out []ptToken
	var cur *ptToken
	for _, line := range strings.Split(tt.tool("-L"), "\n") {
		if strings.HasPrefix(line, "Slot ") {
			out = append(out, ptToken{})
			cur = &out[len(out)-1]
			_, rest, _ := strings.Cut(line, "(0x")
			hexID, _, _ := strings.Cut(rest, ")")
			n, err := strconv.ParseUint(hexID, 16, 64)
			if err != nil {
				t.Fatalf("pkcs11-tool -L: slot line %q", line)
			}
			cur.slot = n
			continue
		}
		if cur == nil {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "token label":
			cur.label = strings.TrimRight(strings.TrimPrefix(v, " "), " ")
		case "serial num":
			cur.serial = strings.TrimSpace(v)
		case "token manufacturer":
			cur.manufacturer = strings.TrimSpace(v)
		case "token model":
			cur.model = strings.TrimSpace(v)
		}
	}
	var toks []ptToken
	for _, s := range out {
		if s.serial != "" {
			toks = append(toks, s)
		}
	}
	return toks
}

// ptNewPop draws and makes the population of a seed.
func ptNewPop(t *testing.T, seed int64) *ptPop {
	t.Helper()
	r := mrand.New(mrand.NewSource(seed))
	labels := []string{"pt"}
	if r.Intn(3) == 0 {
		if r.Intn(2) == 0 {
			labels = append(labels, "pt") // two tokens with the same label
		} else {
			labels = append(labels, "pt two")
		}
	}
	tt := mustSoftHSM(t, labels...)
	p := &ptPop{t: t, tt: tt, seed: seed, dir: t.TempDir()}
	p.tokens = ptSlots(t, tt)
	if len(p.tokens) != len(labels) {
		t.Fatalf("pkcs11-tool -L lists %d initialised tokens, want %d", len(p.tokens), len(labels))
	}
	var (
		usedLabels []string
		usedIDs    [][]byte
		pending    []int // objects whose CKA_ID is still the temporary one
		tmpIDs     = map[int][]byte{}
	)
	drawLabel := func() string {
		if len(usedLabels) > 0 && r.Intn(10) < 3 {
			return usedLabels[r.Intn(len(usedLabels))]
		}
		l := ptLabels[r.Intn(len(ptLabels))]
		usedLabels = append(usedLabels, l)
		return l
	}
	drawID := func() []byte {
		if len(usedIDs) > 0 && r.Intn(4) == 0 {
			return usedIDs[r.Intn(len(usedIDs))]
		}
		n := r.Intn(5)
		if n == 0 && r.Intn(2) == 0 {
			n = 1
		}
		id := make([]byte, n)
		r.Read(id)
		usedIDs = append(usedIDs, id)
		return id
	}
	tmpCount := 0
	tmpID := func() []byte {
		tmpCount++
		return []byte(fmt.Sprintf("\xee\xeetmp%03d", tmpCount)) // never drawn: drawn ids are at most 4 bytes
	}
	n := 3 + r.Intn(4)
	for e := 0; e < n; e++ {
		tok := r.Intn(len(p.tokens))
		label, id := drawLabel(), drawID()
		switch k := r.Intn(100); {
		case k < 60: // a key pair by pkcs11-tool
			kind := ptDrawKeyType(r)
			tid := tmpID()
			args := []string{"--keypairgen", "--key-type", kind, "--id", hex.EncodeToString(tid), "--label", label}
			always := r.Intn(10) == 0
			if always {
				args = append(args, "--always-auth")
			}
			out := p.tool(tok, args...)
			ki := p.addKey(kind, p.exportPub(tok, kind, tid, out))
			priv := ptObject{token: tok, class: TypePrivate, label: label, id: id, key: ki, alwaysAuth: always, noSign: r.Intn(12) == 0}
			pub := ptObject{token: tok, class: TypePublic, label: label, id: id, key: ki}
			switch d := r.Intn(100); {
			case d < 15:
				p.tool(tok, "--delete-object", "--type", "pubkey", "--id", hex.EncodeToString(tid))
				p.objs = append(p.objs, priv)
			case d < 25:
				p.tool(tok, "--delete-object", "--type", "privkey", "--id", hex.EncodeToString(tid))
				p.objs = append(p.objs, pub)
			default:
				p.objs = append(p.objs, priv, pub)
			}
			for i := len(p.objs) - 1; i >= 0 && p.objs[i].key == ki && p.objs[i].class != TypeCert; i-- {
				pending = append(pending, i)
				tmpIDs[i] = tid
			}
			if r.Intn(10) < 3 && p.keys[ki].pub != nil { // its certificate
				cl, cid := label, id
				if r.Intn(5) == 0 {
					cl, cid = drawLabel(), drawID()
				}
				p.writeCert(tok, ki, cl, cid)
			}
		case k < 75: // a public key alone, made here
			ki := p.addGoKey(r)
			priv := r.Intn(3) == 0
			args := []string{"--write-object", p.der(ki), "--type", "pubkey", "--label", label}
			if len(id) > 0 {
				args = append(args, "--id", hex.EncodeToString(id))
			}
			if priv {
				args = append(args, "--private")
			}
			p.tool(tok, args...)
			p.objs = append(p.objs, ptObject{token: tok, class: TypePublic, label: label, id: id, key: ki, private: priv})
		case k < 85: // a private key alone, made here (CKA_SENSITIVE, but not "local")
			sk, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			ki := p.addKey("go-p256", sk.Public())
			der, err := x509.MarshalPKCS8PrivateKey(sk)
			if err != nil {
				t.Fatal(err)
			}
			f := filepath.Join(p.dir, fmt.Sprintf("priv%d.der", ki))
			if err := os.WriteFile(f, der, 0o600); err != nil {
				t.Fatal(err)
			}
			args := []string{"--write-object", f, "--type", "privkey", "--label", label, "--sensitive"}
			if len(id) > 0 {
				args = append(args, "--id", hex.EncodeToString(id))
			}
			p.tool(tok, args...)
			p.objs = append(p.objs, ptObject{token: tok, class: TypePrivate, label: label, id: id, key: ki})
		default: // a certificate without a key on the token
			ki := p.addGoKey(r)
			p.writeCert(tok, ki, label, id)
		}
	}
	// CKA_SIGN false cannot be had from pkcs11-tool 0.23 with SoftHSM (it sets CKA_SIGN on
	// every private key it makes): it is set here, on the keys drawn for it, while their
	// CKA_ID is still the temporary one.
	var noSign [][]byte
	for _, i := range pending {
		if p.objs[i].class == TypePrivate && p.objs[i].noSign {
			noSign = append(noSign, tmpIDs[i])
		}
	}
	for i := range p.objs {
		if p.objs[i].class == TypePrivate && p.objs[i].noSign && tmpIDs[i] == nil {
			p.objs[i].noSign = false
		}
	}
	if len(noSign) > 0 {
		p.setNoSign(noSign)
	}
	for _, i := range pending {
		typ := map[ObjectType]string{TypePrivate: "privkey", TypePublic: "pubkey"}[p.objs[i].class]
		p.tool(p.objs[i].token, "--type", typ, "--id", hex.EncodeToString(tmpIDs[i]), "--set-id", hex.EncodeToString(p.objs[i].id))
	}
	p.listed = make([][]ptListed, len(p.tokens))
	for i := range p.tokens {
		p.listed[i] = ptParseList(t, p.tool(i, "--list-objects"))
	}
	p.checkRecord()
	return p
}

// setNoSign sets CKA_SIGN false on the private keys with these ids, through the module (the
// one place the population is not made by pkcs11-tool). Every token is searched.
func (p *ptPop) setNoSign(ids [][]byte) {
	p.t.Helper()
	for _, tk := range p.tokens {
		tok, err := Open("pkcs11:serial="+tk.serial, p.tt.opts(testPIN))
		if err != nil {
			p.t.Fatal(err)
		}
		unlock, err := tok.session(true)
		if err != nil {
			p.t.Fatal(err)
		}
		for _, id := range ids {
			hs, err := tok.findHandles([]*pkcs11.Attribute{
				pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PRIVATE_KEY),
				pkcs11.NewAttribute(pkcs11.CKA_ID, id),
			})
			if err != nil {
				p.t.Fatal(err)
			}
			for _, h := range hs {
				if err := tok.mod.ctx.SetAttributeValue(tok.sess, h, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_SIGN, false)}); err != nil {
					p.t.Fatalf("set CKA_SIGN false: %v", err)
				}
			}
		}
		unlock()
		if err := tok.Close(); err != nil {
			p.t.Fatal(err)
		}
	}
}

func (p *ptPop) addKey(kind string, pub crypto.PublicKey) int {
	p.t.Helper()
	k := ptKey{kind: kind, pub: pub}
	if pub != nil {
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			p.t.Fatal(err)
		}
		k.pem = filepath.Join(p.dir, fmt.Sprintf("key%d.pem", len(p.keys)))
		if err := os.WriteFile(k.pem, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
			p.t.Fatal(err)
		}
	}
	p.keys = append(p.keys, k)
	return len(p.keys) - 1
}

// addGoKey makes a key here (P-256, P-384 or RSA-2048: what pkcs11-tool writes as a public key).
func (p *ptPop) addGoKey(r *mrand.Rand) int {
	p.t.Helper()
	var (
		pub  crypto.PublicKey
		kind string
	)
	switch r.Intn(3) {
	case 0:
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		pub, kind = k.Public(), "go-p256"
	case 1:
		k, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		pub, kind = k.Public(), "go-p384"
	default:
		k := testutil.Key(p.t, fmt.Sprintf("rsa2048/pt%d", r.Intn(3)))
		pub, kind = k.Public(), "go-rsa"
	}
	return p.addKey(kind, pub)
}

func (p *ptPop) der(ki int) string {
	p.t.Helper()
	der, err := x509.MarshalPKIXPublicKey(p.keys[ki].pub)
	if err != nil {
		p.t.Fatal(err)
	}
	f := filepath.Join(p.dir, fmt.Sprintf("key%d.der", ki))
	if err := os.WriteFile(f, der, 0o600); err != nil {
		p.t.Fatal(err)
	}
	return f
}

// ptCA signs the campaign's certificates (any key does: signet pairs a certificate with a key
// by its public key, never by who issued it).
var ptCA = func() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}()

// writeCert writes a certificate for key ki with pkcs11-tool. (pkcs11-tool 0.23 ignores
// --private for certificates: CKA_PRIVATE objects are public keys here.)
func (p *ptPop) writeCert(tok, ki int, label string, id []byte) {
	p.t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(int64(len(p.objs) + 1)),
		Subject:      pkix.Name{CommonName: fmt.Sprintf("pt %d key %d", p.seed, ki)},
		NotBefore:    time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, &x509.Certificate{Subject: pkix.Name{CommonName: "pt CA"}}, p.keys[ki].pub, ptCA)
	if err != nil {
		p.t.Fatal(err)
	}
	f := filepath.Join(p.dir, fmt.Sprintf("cert%d.der", len(p.objs)))
	if err := os.WriteFile(f, der, 0o600); err != nil {
		p.t.Fatal(err)
	}
	args := []string{"--write-object", f, "--type", "cert", "--label", label}
	if len(id) > 0 {
		args = append(args, "--id", hex.EncodeToString(id))
	}
	p.tool(tok, args...)
	p.objs = append(p.objs, ptObject{token: tok, class: TypeCert, label: label, id: id, key: ki})
}

// exportPub returns the public key of a pair pkcs11-tool made: the EC_POINT it printed
// (EC, Ed25519), or the key --read-object exports (RSA). secp256k1 gives nil: Go has no such
// curve, and signet refuses it.
func (p *ptPop) exportPub(tok int, kind string, id []byte, out string) crypto.PublicKey {
	p.t.Helper()
	if strings.HasPrefix(kind, "rsa:") {
		f := filepath.Join(p.dir, "read.der")
		p.tool(tok, "--read-object", "--type", "pubkey", "--id", hex.EncodeToString(id), "-o", f)
		der, err := os.ReadFile(f)
		if err != nil {
			p.t.Fatal(err)
		}
		pub, err := x509.ParsePKIXPublicKey(der)
		if err != nil {
			if k, err2 := x509.ParsePKCS1PublicKey(der); err2 == nil {
				return k
			}
			p.t.Fatalf("pkcs11-tool --read-object of an RSA public key: %v", err)
		}
		return pub.(*rsa.PublicKey)
	}
	_, rest, ok := strings.Cut(out, "EC_POINT:")
	if !ok {
		p.t.Fatalf("pkcs11-tool printed no EC_POINT for %s:\n%s", kind, out)
	}
	line, _, _ := strings.Cut(strings.TrimSpace(rest), "\n")
	raw, err := hex.DecodeString(strings.TrimSpace(line))
	if err != nil {
		p.t.Fatalf("EC_POINT %q: %v", line, err)
	}
	var point []byte
	if rest, err := asn1.Unmarshal(raw, &point); err != nil || len(rest) > 0 {
		p.t.Fatalf("EC_POINT %x is not an OCTET STRING", raw)
	}
	var curve elliptic.Curve
	switch kind {
	case "EC:prime256v1":
		curve = elliptic.P256()
	case "EC:secp384r1":
		curve = elliptic.P384()
	case "EC:secp521r1":
		curve = elliptic.P521()
	case "EC:edwards25519":
		if len(point) != 32 {
			p.t.Fatalf("Ed25519 point of %d bytes", len(point))
		}
		return edPublic(point)
	default:
		return nil
	}
	k, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		p.t.Fatalf("EC_POINT of %s: %v", kind, err)
	}
	return k
}

// ptParseList reads pkcs11-tool --list-objects: each object's class, label and id.
func ptParseList(t *testing.T, out string) []ptListed {
	t.Helper()
	var objs []ptListed
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "Private Key Object"):
			objs = append(objs, ptListed{class: TypePrivate})
		case strings.HasPrefix(line, "Public Key Object"):
			objs = append(objs, ptListed{class: TypePublic})
		case strings.HasPrefix(line, "Certificate Object"):
			objs = append(objs, ptListed{class: TypeCert})
		case strings.HasPrefix(line, "Data object"), strings.HasPrefix(line, "Secret Key Object"):
			objs = append(objs, ptListed{class: ObjectType("other")})
		case strings.HasPrefix(line, "  label:      ") && len(objs) > 0:
			objs[len(objs)-1].label = strings.TrimPrefix(line, "  label:      ")
		case strings.HasPrefix(line, "  ID:         ") && len(objs) > 0:
			id, err := hex.DecodeString(strings.TrimSpace(strings.TrimPrefix(line, "  ID:         ")))
			if err != nil {
				t.Fatalf("pkcs11-tool ID line %q: %v", line, err)
			}
			objs[len(objs)-1].id = id
		}
	}
	return objs
}

// ptKeyOf names a listed object for multiset comparisons.
func ptKeyOf(class ObjectType, label string, id []byte) string {
	return fmt.Sprintf("%s|%q|%x", class, label, id)
}

// checkRecord holds the population the test recorded to what pkcs11-tool lists: a
// difference is a fault of the campaign (or of pkcs11-tool), not of signet.
func (p *ptPop) checkRecord() {
	p.t.Helper()
	for tok := range p.tokens {
		want := map[string]int{}
		for _, o := range p.objs {
			if o.token == tok {
				want[ptKeyOf(o.class, o.label, o.id)]++
			}
		}
		got := map[string]int{}
		for _, o := range p.listed[tok] {
			got[ptKeyOf(o.class, o.label, o.id)]++
		}
		if !mapsEqual(want, got) {
			p.t.Fatalf("seed %d token %d: pkcs11-tool lists %v, the campaign made %v", p.seed, tok, got, want)
		}
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// ptSamePub reports whether two public keys are the same key.
func ptSamePub(a, b crypto.PublicKey) bool {
	if a == nil || b == nil {
		return false
	}
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}

// edPublic is an Ed25519 public key from its 32 bytes.
func edPublic(b []byte) crypto.PublicKey { return ed25519.PublicKey(bytes.Clone(b)) }
