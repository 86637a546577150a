//go:build cgo

package hsm

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	mrand "math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
)

// The seeded differential campaign of PKCS#11 URIs (pt) over the populations of
// pt_gen_test.go. Per seed:
//
//   - every object signet lists (Token.Objects) is one pkcs11-tool lists, and the other way
//     round (class, label and id as a multiset), and each listed URI is canonical and selects
//     exactly that object (and its identical twins, which no URI can tell apart);
//   - URIs drawn by label, id, both, type, with token, serial, slot-id, manufacturer and
//     model, module-path or module-name (in any case), values percent-encoded at random (hex
//     in either case), the scheme in any case, attributes in any order, are put to OpenSigner
//     and PublicObject. The oracle computes, by RFC 7512's rules over what pkcs11-tool
//     listed, which token and objects each selects: none is "not found", several are
//     "ambiguous", never one chosen; one private key signs, and the signature verifies with
//     openssl against the public key pkcs11-tool printed or exported for that key; a key that
//     may not sign, or of a curve signet does not use, is a clear refusal;
//   - a key signet generates on the token is CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE and not
//     extractable, as pkcs11-tool sees it, with one CKA_ID on the private key, the public key
//     and the certificate imported for it.
//
// SIGNET_PT_SEEDS=first:count runs other seeds (CI runs ptCISeeds).

const ptCISeeds = 8

func TestPTCampaign(t *testing.T) {
	testutil.RequireTool(t, "pkcs11-tool")
	testutil.RequireTool(t, "openssl")
	seeds := testutil.Seeds(t, "SIGNET_PT_SEEDS", ptCISeeds)
	var tally testutil.Tally
	for _, seed := range seeds {
		t.Run(strconv.FormatInt(seed, 10), func(t *testing.T) {
			p := ptNewPop(t, seed)
			p.checkListing(&tally)
			p.drawURIs(mrand.New(mrand.NewSource(seed*7919+1)), 30, &tally)
			p.checkGenerated(mrand.New(mrand.NewSource(seed*104729+3)), &tally)
		})
	}
	tally.Log(t, len(seeds))
}

// ptOpts are the options of the campaign: the module from Options.Module, the PIN from the
// environment (context logins of CKA_ALWAYS_AUTHENTICATE keys included).
func (p *ptPop) opts() Options { return p.tt.opts(testPIN) }

// checkListing compares Token.Objects with pkcs11-tool --list-objects, and checks that each
// listed URI round-trips.
func (p *ptPop) checkListing(tally *testutil.Tally) {
	t := p.t
	for tok, tk := range p.tokens {
		objs, err := ListObjects("pkcs11:serial="+tk.serial, p.opts())
		if err != nil {
			t.Fatalf("seed %d: ListObjects token %d: %v", p.seed, tok, err)
		}
		got := map[string]int{}
		for _, o := range objs {
			got[ptKeyOf(o.Type, o.Label, o.ID)]++
		}
		want := map[string]int{}
		for _, o := range p.listed[tok] {
			want[ptKeyOf(o.class, o.label, o.id)]++
		}
		if !mapsEqual(got, want) {
			t.Errorf("seed %d token %d: signet lists %v, pkcs11-tool %v", p.seed, tok, got, want)
		}
		for _, o := range objs {
			u, err := ParseURI(o.URI)
			if err != nil {
				t.Errorf("seed %d: listed URI %s does not parse: %v", p.seed, o.URI, err)
				continue
			}
			if u.String() != o.URI {
				t.Errorf("seed %d: listed URI %s is printed again as %s", p.seed, o.URI, u.String())
			}
			toks, sel := p.oracle(u)
			twins := want[ptKeyOf(o.Type, o.Label, o.ID)]
			if len(toks) != 1 || toks[0] != tok || len(sel[tok]) != twins {
				t.Errorf("seed %d: listed URI %s selects tokens %v and %d object(s) there, want token %d and %d", p.seed, o.URI, toks, len(sel[tok]), tok, twins)
			}
			tally.Add("listed uri round-trips")
		}
	}
}

// oracle returns the tokens a URI selects (RFC 7512: every token attribute it has equals the
// token's) and, per token, the listed objects its object, id and type attributes select.
func (p *ptPop) oracle(u *URI) ([]int, map[int][]ptListed) {
	var toks []int
	sel := map[int][]ptListed{}
	for i, tk := range p.tokens {
		if u.has(aToken) && u.Token != tk.label || u.has(aSerial) && u.Serial != tk.serial ||
			u.has(aManufacturer) && u.Manufacturer != tk.manufacturer || u.has(aModel) && u.Model != tk.model ||
			u.has(aSlotID) && u.SlotID != strconv.FormatUint(tk.slot, 10) {
			continue
		}
		toks = append(toks, i)
		for _, o := range p.listed[i] {
			if u.has(aObject) && u.Object != o.label || u.has(aID) && !bytes.Equal(u.ID, o.id) || u.Type != "" && u.Type != o.class {
				continue
			}
			sel[i] = append(sel[i], o)
		}
	}
	return toks, sel
}

// record returns the campaign's record of a listed object (unique when the caller found it
// the only match).
func (p *ptPop) record(tok int, o ptListed) ptObject {
	for _, r := range p.objs {
		if r.token == tok && r.class == o.class && r.label == o.label && bytes.Equal(r.id, o.id) {
			return r
		}
	}
	p.t.Fatalf("seed %d: no record of %v", p.seed, o)
	return ptObject{}
}

// ptKind is the key type signet pairs objects by.
func ptKind(kind string) string {
	switch {
	case strings.HasPrefix(kind, "rsa:"), kind == "go-rsa":
		return "RSA"
	case kind == "EC:edwards25519":
		return "Ed25519"
	}
	return "EC"
}

// ptPartnerKeys returns the distinct public keys that the objects sharing the private key
// k's CKA_ID (without one, its label) claim for it: its public key objects of its type
// (those with its label, when there are any), or when there are none its certificates so;
// an object that another private key of its label has is not k's. This is the rule a key's
// public key is known by; RSA keys carry their own.
func (p *ptPop) ptPartnerKeys(k ptObject) []crypto.PublicKey {
	same := func(o ptObject) bool {
		if len(k.id) > 0 || len(o.id) > 0 {
			return bytes.Equal(k.id, o.id)
		}
		return k.label == o.label
	}
	kind := ptKind(p.keys[k.key].kind)
	// An object of another label that a private key of its own label (sharing the id) has
	// is that key's.
	owned := func(o ptObject) bool {
		for _, q := range p.objs {
			if q.token == k.token && q.class == TypePrivate && same(q) && q.label == o.label && o.label != k.label {
				return true
			}
		}
		return false
	}
	for _, class := range []ObjectType{TypePublic, TypeCert} {
		var all, labelled []ptObject
		for _, o := range p.objs {
			if o.token != k.token || o.class != class || !same(o) || p.keys[o.key].pub == nil || ptKind(p.keys[o.key].kind) != kind || owned(o) {
				continue
			}
			all = append(all, o)
			if o.label == k.label {
				labelled = append(labelled, o)
			}
		}
		if len(labelled) > 0 {
			all = labelled
		}
		var keys []crypto.PublicKey
	next:
		for _, o := range all {
			for _, have := range keys {
				if ptSamePub(have, p.keys[o.key].pub) {
					continue next
				}
			}
			keys = append(keys, p.keys[o.key].pub)
		}
		if len(keys) > 0 {
			return keys
		}
	}
	return nil
}

// ptOutcome names an error by the sentinel it wraps.
func ptOutcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrInvalidURI):
		return "invalid-uri"
	case errors.Is(err, ErrTokenNotFound):
		return "token-not-found"
	case errors.Is(err, ErrAmbiguous):
		return "ambiguous"
	case errors.Is(err, ErrObjectNotFound):
		return "not-found"
	case errors.Is(err, ErrUnsupportedKey):
		return "unsupported"
	case errors.Is(err, ErrPIN):
		return "pin"
	}
	return "other"
}

// ptURI is a drawn URI: its attributes, before encoding.
type ptURI struct {
	attrs  [][2]string // path attributes, values decoded
	query  [][2]string
	scheme string
}

// encode writes the URI with each value percent-encoded at random where RFC 7512 allows the
// character as it is, and always where it does not, in upper or lower case hex.
func (q ptURI) encode(r *mrand.Rand) string {
	enc := func(v string, query bool) string {
		var b strings.Builder
		for i := 0; i < len(v); i++ {
			c := v[i]
			plain := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~:[]@!$'()*+,=", c) >= 0 ||
				!query && c == '&' || query && strings.IndexByte("/?|", c) >= 0
			if plain && r.Intn(4) != 0 {
				b.WriteByte(c)
				continue
			}
			h := fmt.Sprintf("%%%02X", c)
			if r.Intn(2) == 0 {
				h = strings.ToLower(h)
			}
			b.WriteString(h)
		}
		return b.String()
	}
	var parts []string
	for _, a := range q.attrs {
		parts = append(parts, a[0]+"="+enc(a[1], false))
	}
	r.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	s := q.scheme + strings.Join(parts, ";")
	var qs []string
	for _, a := range q.query {
		qs = append(qs, a[0]+"="+enc(a[1], true))
	}
	if len(qs) > 0 {
		s += "?" + strings.Join(qs, "&")
	}
	return s
}

// drawURI draws a URI aimed at one of the population's objects, or at nothing.
func (p *ptPop) drawURI(r *mrand.Rand) ptURI {
	q := ptURI{scheme: []string{"pkcs11:", "pkcs11:", "PKCS11:", "Pkcs11:"}[r.Intn(4)]}
	tk := p.tokens[r.Intn(len(p.tokens))]
	switch r.Intn(14) {
	case 0, 1, 8, 9:
		q.attrs = append(q.attrs, [2]string{"token", tk.label})
	case 2:
		q.attrs = append(q.attrs, [2]string{"serial", tk.serial})
	case 3:
		q.attrs = append(q.attrs, [2]string{"token", tk.label}, [2]string{"serial", tk.serial})
	case 4:
		q.attrs = append(q.attrs, [2]string{"slot-id", strconv.FormatUint(tk.slot, 10)})
	case 5:
		q.attrs = append(q.attrs, [2]string{"manufacturer", tk.manufacturer}, [2]string{"model", tk.model})
	case 6:
		q.attrs = append(q.attrs, [2]string{"token", strings.ToUpper(tk.label)}) // labels compare exactly
	case 7:
		q.attrs = append(q.attrs, [2]string{"token", "no such token"})
	case 10, 11:
		q.attrs = append(q.attrs, [2]string{"serial", tk.serial}, [2]string{"slot-id", strconv.FormatUint(tk.slot, 10)})
	}
	// The object: one of the population's, or a label and id drawn from the pools.
	label, id := ptLabels[r.Intn(len(ptLabels))], []byte{byte(r.Intn(256))}
	typ := ""
	if len(p.objs) > 0 && r.Intn(5) != 0 {
		o := p.objs[r.Intn(len(p.objs))]
		var keys []ptObject
		for _, k := range p.objs {
			if k.class == TypePrivate {
				keys = append(keys, k)
			}
		}
		if len(keys) > 0 && r.Intn(2) == 0 {
			o = keys[r.Intn(len(keys))] // aim at the keys more often than at the rest
		}
		label, id = o.label, o.id
		if r.Intn(2) == 0 {
			typ = string(o.class)
		}
	}
	if typ == "" {
		typ = []string{"", "", "private", "public", "cert"}[r.Intn(5)]
	}
	switch r.Intn(7) {
	case 0:
		q.attrs = append(q.attrs, [2]string{"object", label})
	case 1:
		q.attrs = append(q.attrs, [2]string{"id", string(id)})
	case 2, 3, 4:
		q.attrs = append(q.attrs, [2]string{"object", label}, [2]string{"id", string(id)})
	case 5:
		// no object attribute: type alone, or nothing
	case 6:
		q.attrs = append(q.attrs, [2]string{"object", label + "x"})
	}
	if typ != "" {
		q.attrs = append(q.attrs, [2]string{"type", typ})
	}
	switch r.Intn(4) {
	case 0:
		q.query = append(q.query, [2]string{"module-path", p.tt.module})
	case 1:
		name := []string{"softhsm2", "SoftHSM2", "SOFTHSM2", "libsofthsm2"}[r.Intn(4)]
		q.query = append(q.query, [2]string{"module-name", name})
	}
	return q
}

// drawURIs puts n drawn URIs to signet and holds each outcome to the oracle's.
func (p *ptPop) drawURIs(r *mrand.Rand, n int, tally *testutil.Tally) {
	t := p.t
	for i := 0; i < n; i++ {
		q := p.drawURI(r)
		s := q.encode(r)
		u, err := ParseURI(s)
		if err != nil {
			t.Errorf("seed %d: drawn URI %q does not parse: %v", p.seed, s, err)
			continue
		}
		if u.ModuleName != "" && findModuleIn(p11kitModuleDirs(), u.ModuleName) == "" && (&Options{}).findRegisteredModule(u.ModuleName) == "" {
			continue // no p11-kit registration of SoftHSM2 on this machine
		}
		toks, sel := p.oracle(u)
		switch u.Type {
		case "", TypePrivate:
			p.checkSigner(s, u, toks, sel, tally)
		default:
			p.checkPublic(s, u, toks, sel, tally)
		}
	}
}

// wantToken returns the outcome the token attributes alone decide, or "".
func wantToken(toks []int) string {
	switch len(toks) {
	case 0:
		return "token-not-found"
	case 1:
		return ""
	}
	return "ambiguous"
}

func (p *ptPop) checkSigner(s string, u *URI, toks []int, sel map[int][]ptListed, tally *testutil.Tally) {
	t := p.t
	want := wantToken(toks)
	var key ptObject
	if want == "" {
		var keys []ptListed
		for _, o := range sel[toks[0]] {
			if o.class == TypePrivate {
				keys = append(keys, o)
			}
		}
		switch len(keys) {
		case 0:
			want = "not-found"
		case 1:
			key = p.record(toks[0], keys[0])
		default:
			want = "ambiguous"
		}
	}
	signer, err := OpenSigner(s, p.opts())
	got := ptOutcome(err)
	if signer != nil {
		defer signer.Close()
	}
	if want != "" {
		tally.Add("signer " + want)
		if got != want {
			t.Errorf("seed %d: OpenSigner(%s): %s (%v), want %s", p.seed, s, got, err, want)
		}
		return
	}
	k := p.keys[key.key]
	switch {
	case k.pub == nil:
		want = "unsupported" // secp256k1
	case key.noSign:
		want = "unsupported"
	case ptKind(k.kind) != "RSA":
		switch claimed := p.ptPartnerKeys(key); len(claimed) {
		case 0:
			want = "not-found"
		case 1:
			if !ptSamePub(claimed[0], k.pub) {
				want = "lying"
			}
		default:
			want = "ambiguous"
		}
	}
	switch {
	case want == "" && got == "ok":
		tally.Add("signer ok " + ptKind(k.kind))
		if !ptSamePub(signer.Public(), k.pub) {
			t.Errorf("seed %d: OpenSigner(%s) took a key whose public key is not the one pkcs11-tool made for %q (id %x): a wrong key", p.seed, s, key.label, key.id)
			return
		}
		p.signAndVerify(s, signer, k)
	case want == "lying":
		// The only public key the token offers for the key is another key's: signet may
		// take it (and then must refuse every signature) or refuse the key.
		tally.Add("signer lying-partner " + got)
		if got == "ok" {
			if _, err := signer.Sign(rand.Reader, make([]byte, 32), crypto.SHA256); !errors.Is(err, ErrToken) || err == nil {
				t.Errorf("seed %d: OpenSigner(%s): a key whose public key object is another key's signed: %v", p.seed, s, err)
			}
		}
	default:
		tally.Add("signer " + want)
		if got != want {
			t.Errorf("seed %d: OpenSigner(%s): %s (%v), want %s", p.seed, s, got, err, want)
		}
	}
}

// signAndVerify signs a message with the token key and checks the signature with openssl
// against the public key pkcs11-tool gave for it.
func (p *ptPop) signAndVerify(s string, signer *Signer, k ptKey) {
	t := p.t
	msg := make([]byte, 100)
	rand.Read(msg)
	mf := filepath.Join(p.dir, "msg")
	sf := filepath.Join(p.dir, "sig")
	if err := os.WriteFile(mf, msg, 0o600); err != nil {
		t.Fatal(err)
	}
	var (
		sig  []byte
		err  error
		args []string
	)
	switch k.pub.(type) {
	case ed25519.PublicKey:
		sig, err = signer.Sign(rand.Reader, msg, crypto.Hash(0))
		args = []string{"pkeyutl", "-verify", "-pubin", "-inkey", k.pem, "-rawin", "-in", mf, "-sigfile", sf}
	case *rsa.PublicKey:
		d := sha256.Sum256(msg)
		if msg[0]&1 == 0 {
			sig, err = signer.Sign(rand.Reader, d[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256})
			args = []string{"dgst", "-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32", "-verify", k.pem, "-signature", sf, mf}
		} else {
			sig, err = signer.Sign(rand.Reader, d[:], crypto.SHA256)
			args = []string{"dgst", "-sha256", "-verify", k.pem, "-signature", sf, mf}
		}
	default:
		d := sha256.Sum256(msg)
		sig, err = signer.Sign(rand.Reader, d[:], crypto.SHA256)
		args = []string{"dgst", "-sha256", "-verify", k.pem, "-signature", sf, mf}
	}
	if err != nil {
		t.Errorf("seed %d: %s: Sign: %v", p.seed, s, err)
		return
	}
	if err := os.WriteFile(sf, sig, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, errOut, err := (testutil.Cmd{}).RunErr("openssl", args...); err != nil {
		t.Errorf("seed %d: %s: openssl does not verify signet's signature with the key pkcs11-tool made: %v\n%s%s", p.seed, s, err, out, errOut)
	}
}

func (p *ptPop) checkPublic(s string, u *URI, toks []int, sel map[int][]ptListed, tally *testutil.Tally) {
	for _, pinAtHand := range []bool{true, false} {
		p.checkPublicView(s, u, toks, sel, pinAtHand, tally)
	}
}

// checkPublicView checks Token.PublicObject with a PIN at hand (SIGNET_PIN) or none.
func (p *ptPop) checkPublicView(s string, u *URI, toks []int, sel map[int][]ptListed, pinAtHand bool, tally *testutil.Tally) {
	t := p.t
	want := wantToken(toks)
	var obj ptObject
	view := "login"
	if want == "" {
		// With a PIN at hand that no one types, Token.PublicObject logs in and selects among
		// every object. Without one it reads without logging in, as documented, and logs in
		// only when nothing matches there (which fails here, with no PIN): the objects it
		// selects from are those visible without a login (not CKA_PRIVATE) when any matches.
		var visible []ptObject
		for _, r := range p.objs {
			if r.token == toks[0] && !r.private && r.class == u.Type && (!u.has(aObject) || u.Object == r.label) && (!u.has(aID) || bytes.Equal(u.ID, r.id)) {
				visible = append(visible, r)
			}
		}
		n := len(sel[toks[0]])
		if !pinAtHand {
			view = "public"
			if n > len(visible) {
				view = "public, hiding CKA_PRIVATE twins"
			}
			if len(visible) == 0 {
				view, want = "login without a PIN", "pin"
			}
			n = len(visible)
		}
		switch {
		case want != "":
		case n == 0:
			want = "not-found"
		case n == 1:
			if !pinAtHand {
				obj = visible[0]
			} else {
				obj = p.record(toks[0], sel[toks[0]][0])
			}
			if p.keys[obj.key].pub == nil {
				want = "unsupported"
			}
		default:
			want = "ambiguous"
		}
	}
	opts := p.opts()
	if !pinAtHand {
		opts = p.tt.opts("")
	}
	o, err := PublicObject(s, opts)
	got := ptOutcome(err)
	if want == "" {
		want = "ok"
	}
	tally.Add(fmt.Sprintf("public %s %s (%s view)", u.Type, want, view))
	if got != want {
		t.Errorf("seed %d: PublicObject(%s), PIN at hand %v: %s (%v), want %s", p.seed, s, pinAtHand, got, err, want)
		return
	}
	if got == "ok" && !ptSamePub(o.Public, p.keys[obj.key].pub) {
		t.Errorf("seed %d: PublicObject(%s) returned %s, whose key is not the one of %q (id %x)", p.seed, s, o.URI, obj.label, obj.id)
	}
}

// checkGenerated has signet generate a key on the first token and checks it with
// pkcs11-tool: a token object, private, sensitive, never extractable, its public key and
// then its certificate under the same CKA_ID and label.
func (p *ptPop) checkGenerated(r *mrand.Rand, tally *testutil.Tally) {
	t := p.t
	label := ptLabels[r.Intn(len(ptLabels))] + " gen" + strconv.Itoa(r.Intn(1000))
	kt := KeyTypes()[r.Intn(len(KeyTypes()))]
	if kt == RSA3072 || kt == RSA4096 {
		kt = RSA2048 // the slow sizes are drawn by pkcs11-tool's populations
	}
	q := ptURI{scheme: "pkcs11:", attrs: [][2]string{{"serial", p.tokens[0].serial}, {"object", label}}}
	var id []byte
	if r.Intn(2) == 0 {
		id = []byte{0xab, byte(r.Intn(256))}
		q.attrs = append(q.attrs, [2]string{"id", string(id)})
	}
	s := q.encode(r)
	clash := false
	for _, o := range p.listed[0] {
		if o.label == label || id != nil && bytes.Equal(o.id, id) {
			clash = true
		}
	}
	obj, err := GenerateKey(s, kt, p.opts())
	if clash {
		if !errors.Is(err, ErrExists) {
			t.Errorf("seed %d: GenerateKey(%s) over an object of that label or id: %v, want ErrExists", p.seed, s, err)
		}
		return
	}
	if err != nil {
		t.Errorf("seed %d: GenerateKey(%s, %s): %v", p.seed, s, kt, err)
		return
	}
	tally.Add("generated " + string(kt))
	if id != nil && !bytes.Equal(obj.ID, id) {
		t.Errorf("seed %d: generated key has id %x, want %x", p.seed, obj.ID, id)
	}
	// A certificate for it, imported as 'token import-cert' does.
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pt gen"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, &x509.Certificate{Subject: pkix.Name{CommonName: "pt CA"}}, obj.Public, ptCA)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	if _, err := ImportCertificate(s, cert, p.opts()); err != nil {
		t.Errorf("seed %d: ImportCertificate(%s): %v", p.seed, s, err)
		return
	}
	full := p.tool(0, "--list-objects")
	var mine []ptListed
	for _, o := range ptParseList(t, full) {
		if o.label == label {
			mine = append(mine, o)
		}
	}
	classes := map[ObjectType]int{}
	for _, o := range mine {
		if bytes.Equal(o.id, obj.ID) {
			classes[o.class]++
		}
	}
	if len(mine) != 3 || classes[TypePrivate] != 1 || classes[TypePublic] != 1 || classes[TypeCert] != 1 {
		t.Errorf("seed %d: pkcs11-tool lists %v under the new key's label %q, want a private key, a public key and a certificate with id %x", p.seed, mine, label, obj.ID)
	}
	// The private key's attributes, as pkcs11-tool prints them: sensitive and never
	// extractable (CKA_EXTRACTABLE was false from the start), and not listed without a login
	// (CKA_PRIVATE). Listed by another process at all: CKA_TOKEN.
	for _, block := range ptBlocks(full) {
		if !strings.HasPrefix(block, "Private Key Object") || !strings.Contains(block, "\n  label:      "+label+"\n") {
			continue
		}
		_, access, _ := strings.Cut(block, "\n  Access:")
		access, _, _ = strings.Cut(access, "\n")
		flags := map[string]bool{}
		for _, f := range strings.Split(access, ",") {
			flags[strings.TrimSpace(f)] = true
		}
		if !flags["sensitive"] || !flags["never extractable"] || flags["extractable"] {
			t.Errorf("seed %d: generated private key: pkcs11-tool says Access:%s", p.seed, access)
		}
		tally.Add("generated key sensitive, never extractable")
	}
	public := string(testutil.Cmd{}.Run(t, testutil.RequireTool(t, "pkcs11-tool"), "--module", p.tt.module, "--slot", strconv.FormatUint(p.tokens[0].slot, 10), "--list-objects"))
	for _, o := range ptParseList(t, public) {
		if o.class == TypePrivate {
			t.Errorf("seed %d: pkcs11-tool lists a private key without logging in: %v", p.seed, o)
		}
	}
}

// ptBlocks splits pkcs11-tool --list-objects output into one block per object.
func ptBlocks(out string) []string {
	var blocks []string
	for _, line := range strings.Split(out, "\n") {
		if line != "" && line[0] != ' ' || len(blocks) == 0 {
			blocks = append(blocks, line)
			continue
		}
		blocks[len(blocks)-1] += "\n" + line
	}
	return blocks
}
