package hsm

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// These tests need no cgo and no token: the URIs signet prints, the pairing of keys and
// certificates and the choice of a key are plain Go over what a token reported. Run them
// with CGO_ENABLED=0 too.

func TestTokenURIAndBaseQuery(t *testing.T) {
	withSerial := TokenInfo{Present: true, Label: "ci token", Serial: "0a1b", Manufacturer: "m", Model: "x"}
	noSerial := TokenInfo{Present: true, Label: "card", Manufacturer: "ACME Inc", Model: "Key 2"}
	empty := TokenInfo{SlotID: 7}
	u := mustParseURI(t, "pkcs11:token=ci%20token?module-path=/usr/lib/p.so&pin-source=/run/pin")
	abs, err := filepath.Abs("rel/mod.so")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		tok  TokenInfo
		base *URI
		want string
	}{
		{"module from the URI", withSerial, baseQuery(u, fromURI, "/usr/lib/p.so"),
			"pkcs11:token=ci%20token;serial=0a1b?module-path=/usr/lib/p.so&pin-source=/run/pin"},
		{"module from an option, made absolute", withSerial, baseQuery(u, fromOption, "rel/mod.so"),
			"pkcs11:token=ci%20token;serial=0a1b?module-path=" + abs + "&pin-source=/run/pin"},
		{"module from the environment is not repeated", withSerial, baseQuery(u, fromEnv, "/env/mod.so"),
			"pkcs11:token=ci%20token;serial=0a1b?pin-source=/run/pin"},
		{"no serial: manufacturer and model", noSerial, &URI{},
			"pkcs11:token=card;manufacturer=ACME%20Inc;model=Key%202"},
		{"empty slot: slot id", empty, &URI{}, "pkcs11:slot-id=7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tokenURI(tc.tok, tc.base).String(); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
	if got := pathPart(mustParseURI(t, "pkcs11:token=a;object=k?module-path=/m.so")); got != "pkcs11:token=a;object=k" {
		t.Errorf("pathPart %q", got)
	}
	if got := joinTokenURIs([]TokenInfo{{URI: "pkcs11:token=a"}, {URI: "pkcs11:token=b"}}); got != "pkcs11:token=a, pkcs11:token=b" {
		t.Errorf("joinTokenURIs %q", got)
	}
}

func TestPairAndSort(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	base := mustParseURI(t, "pkcs11:token=t")
	objs := []Object{
		{Type: TypeCert, Label: "a", ID: []byte{1}, KeyType: "EC", Public: k.Public()},
		{Type: TypePrivate, Label: "b", ID: []byte{2}, KeyType: "EC"},
		{Type: TypePublic, Label: "a", ID: []byte{1}, KeyType: "EC", Public: k.Public()},
		{Type: TypePrivate, Label: "a", ID: []byte{1}, KeyType: "EC"},
		{Type: TypePrivate, Label: "nolabel-pair"},
		{Type: TypeCert, Label: "nolabel-pair"},
		{Type: ObjectType("class-0x80000001"), Label: "vendor", ID: []byte{1}},
	}
	for i := range objs {
		objs[i].URI = objectURI(base, &objs[i]).String()
	}
	pair(objs)
	sortObjects(objs)
	var order []string
	for _, o := range objs {
		order = append(order, o.URI)
	}
	want := []string{
		"pkcs11:token=t;object=nolabel-pair;type=private",
		"pkcs11:token=t;object=nolabel-pair;type=cert",
		"pkcs11:token=t;object=a;id=%01;type=private",
		"pkcs11:token=t;object=a;id=%01;type=public",
		"pkcs11:token=t;object=a;id=%01;type=cert",
		"pkcs11:token=t;object=vendor;id=%01",
		"pkcs11:token=t;object=b;id=%02;type=private",
	}
	if strings.Join(order, "\n") != strings.Join(want, "\n") {
		t.Fatalf("order:\n%s\nwant:\n%s", strings.Join(order, "\n"), strings.Join(want, "\n"))
	}
	key := objs[2]
	if key.Public == nil || key.CertificateURI != want[4] {
		t.Errorf("the key got public %v, certificate %q", key.Public, key.CertificateURI)
	}
	if objs[3].PrivateKeyURI != want[2] || objs[3].CertificateURI != want[4] || objs[4].PrivateKeyURI != want[2] {
		t.Errorf("partners: public %q %q, cert %q", objs[3].PrivateKeyURI, objs[3].CertificateURI, objs[4].PrivateKeyURI)
	}
	if objs[0].CertificateURI != want[1] || objs[1].PrivateKeyURI != want[0] {
		t.Error("objects without an id are paired by label")
	}
	if objs[6].Public != nil || objs[6].CertificateURI != "" {
		t.Error("a key with another id got a partner")
	}
}

func TestPickPrivateKey(t *testing.T) {
	k := func(label string, id byte) Object {
		o := Object{Type: TypePrivate, Label: label, ID: []byte{id}}
		o.URI = objectURI(mustParseURI(t, "pkcs11:token=t"), &o).String()
		return o
	}
	dup1, dup2, other := k("dup", 1), k("dup", 2), k("other", 3)
	all := []Object{dup1, dup2, other}
	for _, tc := range []struct {
		name   string
		uri    string
		keys   []Object
		hidden bool
		want   string // the URI of the key, or a piece of the error
		target error
	}{
		{"one match", "pkcs11:object=dup;id=%02", all, false, dup2.URI, nil},
		{"only key", "pkcs11:", []Object{other}, false, other.URI, nil},
		{"two match", "pkcs11:object=dup", all, false, "object=dup;type=private matches 2 private keys on token \"t\"; name one with object= and id=: " + dup1.URI + ", " + dup2.URI, ErrAmbiguous},
		{"none, others listed", "pkcs11:object=nope", nil, false, "no private key matches object=nope;type=private on token \"t\"; private keys there: " + dup1.URI, ErrObjectNotFound},
		{"none at all", "pkcs11:object=nope", nil, false, "the token has no private key", ErrObjectNotFound},
		{"none visible", "pkcs11:object=nope", nil, true, "the token has no private key visible without logging in", ErrObjectNotFound},
		{"wrong type", "pkcs11:object=dup;type=cert", all, false, "this one has type=cert", ErrInvalidURI},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var others []Object
			if strings.Contains(tc.name, "others listed") {
				others = all
			}
			got, err := pickPrivateKey(mustParseURI(t, tc.uri), tc.keys, others, "t", tc.hidden)
			if tc.target == nil {
				if err != nil || got.URI != tc.want {
					t.Fatalf("got %q, %v; want %q", got.URI, err, tc.want)
				}
				return
			}
			if !errors.Is(err, tc.target) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v; want %v containing %q", err, tc.target, tc.want)
			}
		})
	}
}

func TestBitLenAndClasses(t *testing.T) {
	for _, tc := range []struct {
		n    []byte
		bits int
	}{{nil, 0}, {[]byte{0, 0}, 0}, {[]byte{1}, 1}, {[]byte{0, 0x80, 0}, 16}, {[]byte{0x7f, 0xff}, 15}} {
		if got := bitLen(tc.n); got != tc.bits {
			t.Errorf("bitLen(%x) = %d, want %d", tc.n, got, tc.bits)
		}
	}
	for c, typ := range classOf {
		if classFor(typ) != c {
			t.Errorf("classFor(%s) = %d, want %d", typ, classFor(typ), c)
		}
	}
	if classFor("class-0x80000001") != ^uint(0) {
		t.Error("an unknown type has a class")
	}
}

// TestPickObjectPublicAndCert: a public key or certificate URI (PublicObject) picks one object
// of its type as a key URI does, and names what matched or what there is.
func TestPickObjectPublicAndCert(t *testing.T) {
	o := func(typ ObjectType, label string, id byte) Object {
		o := Object{Type: typ, Label: label, ID: []byte{id}}
		o.URI = objectURI(mustParseURI(t, "pkcs11:token=t"), &o).String()
		return o
	}
	c1, c2, pub := o(TypeCert, "ca", 1), o(TypeCert, "ca", 2), o(TypePublic, "ca", 1)
	all := []Object{c1, pub, c2}
	if got, err := pickObject(mustParseURI(t, "pkcs11:object=ca;id=%01;type=public"), TypePublic, all, nil, "t", false); err != nil || got.URI != pub.URI {
		t.Errorf("public key: %q, %v", got.URI, err)
	}
	_, err := pickObject(mustParseURI(t, "pkcs11:object=ca;type=cert"), TypeCert, all, nil, "t", false)
	if !errors.Is(err, ErrAmbiguous) || !strings.Contains(err.Error(), "matches 2 certificates on token \"t\"") ||
		!strings.Contains(err.Error(), c1.URI) || !strings.Contains(err.Error(), c2.URI) {
		t.Errorf("two certificates: %v", err)
	}
	_, err = pickObject(mustParseURI(t, "pkcs11:object=nope;type=cert"), TypeCert, nil, []Object{c1, c2}, "t", false)
	if !errors.Is(err, ErrObjectNotFound) || !strings.Contains(err.Error(), "no certificate matches object=nope;type=cert on token \"t\"; certificates there: "+c1.URI+", "+c2.URI) {
		t.Errorf("no certificate: %v", err)
	}
}
