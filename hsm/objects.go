package hsm

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/miekg/pkcs11"

	"github.com/signet-pki/signet/x509util"
)

// classOf maps CKO_ values to URI types and back.
var classOf = map[uint]ObjectType{
	pkcs11.CKO_PRIVATE_KEY: TypePrivate,
	pkcs11.CKO_PUBLIC_KEY:  TypePublic,
	pkcs11.CKO_CERTIFICATE: TypeCert,
	pkcs11.CKO_SECRET_KEY:  TypeSecretKey,
	pkcs11.CKO_DATA:        TypeData,
}

func classFor(t ObjectType) uint {
	for c, ot := range classOf {
		if ot == t {
			return c
		}
	}
	return ^uint(0)
}

func bitLen(n []byte) int {
	n = bytes.TrimLeft(n, "\x00")
	if len(n) == 0 {
		return 0
	}
	b := (len(n) - 1) * 8
	for x := n[0]; x != 0; x >>= 1 {
		b++
	}
	return b
}

func typeOrder(t ObjectType) int {
	switch t {
	case TypePrivate:
		return 0
	case TypePublic:
		return 1
	case TypeCert:
		return 2
	}
	return 3
}

// objectURI returns the URI selecting an object: the token's (base), plus label, id and type.
// The label is there even when it is empty (object=), which selects only objects without
// one: left out, the URI would select the objects of every label with that id and type.
func objectURI(base *URI, o *Object) *URI {
	u := base.Clone()
	u.Object = o.Label
	u.present |= 1 << aObject
	if o.ID != nil {
		u.ID = o.ID
	}
	if classFor(o.Type) != ^uint(0) {
		u.Type = o.Type
	}
	return u
}

// pair links keys and certificates that share a CKA_ID (or, without one, a label): a private
// key gets the public key of its public key object or certificate, and each side the URI of
// the other. A CKA_ID is only a claim, which another tool may have written on the wrong
// object, and several key pairs may share one: the key's public key is its own (RSA), else the
// one its public key objects, or without them its certificates, agree on (see keyPartners:
// those of its own label first, never one another private key of the id has by its label; a
// key whose candidates hold different keys gets none, since signet cannot tell which is its
// own). A public key object or certificate is then linked with a key only when it holds the
// key's public key (or neither key is known), those of the key's own label first: a
// certificate of another key under the key's id is no partner of it.
func pair(objs []Object) {
	for i := range objs {
		p := &objs[i]
		if p.Type != TypePrivate {
			continue
		}
		if p.Public == nil {
			p.Public = onePublic(p, pairedOf(objs, p, TypePublic), pairedOf(objs, p, TypeCert), pairedOf(objs, p, TypePrivate))
		}
		for _, o := range keyLinked(objs, p, TypePublic) {
			o.PrivateKeyURI = p.URI
		}
		for _, o := range keyLinked(objs, p, TypeCert) {
			o.PrivateKeyURI = p.URI
			if p.CertificateURI == "" {
				p.CertificateURI = o.URI
			}
		}
	}
	for i := range objs {
		p := &objs[i]
		if p.Type != TypePublic {
			continue
		}
		for _, o := range keyLinked(objs, p, TypeCert) {
			if p.CertificateURI == "" {
				p.CertificateURI = o.URI
			}
		}
	}
}

// keyLinked returns the objects of type typ that samePair pairs with p and that hold p's
// public key (partnerKey): those with p's label when there are any, else all of them.
func keyLinked(objs []Object, p *Object, typ ObjectType) []*Object {
	var out []*Object
	for _, o := range pairedOf(objs, p, typ) {
		if partnerKey(p, o) {
			out = append(out, o)
		}
	}
	return preferLabel(p, out)
}

// pairedOf returns the objects of type typ that samePair pairs with p.
func pairedOf(objs []Object, p *Object, typ ObjectType) []*Object {
	var out []*Object
	for j := range objs {
		if o := &objs[j]; o.Type == typ && samePair(p, o) {
			out = append(out, o)
		}
	}
	return out
}

// preferLabel returns those of objs with p's label, when there are any, else objs.
func preferLabel(p *Object, objs []*Object) []*Object {
	var labelled []*Object
	for _, o := range objs {
		if o.Label == p.Label {
			labelled = append(labelled, o)
		}
	}
	if len(labelled) > 0 {
		return labelled
	}
	return objs
}

// onePublic returns the public key p's partners agree on (see keyPartners), or nil when they
// hold none, or different ones.
func onePublic(p *Object, pubs, certs, privs []*Object) crypto.PublicKey {
	var pub crypto.PublicKey
	for _, o := range keyPartners(p, pubs, certs, privs) {
		if pub == nil {
			pub = o.Public
			continue
		}
		if !x509util.PublicKeysEqual(pub, o.Public) {
			return nil
		}
	}
	return pub
}

// keyPartners returns the objects that claim to hold p's public key: among its public key
// objects (pubs, paired with it by samePair) those of its key type that show a key, the ones
// with its label when there are any; when there are none, its certificates (certs) so. An
// object of another label than p's that another private key (of privs, the private keys
// paired with p) has as its own, by its label, is that key's, not a candidate for p: two key
// pairs under one id, one of them without its public key object, must not lend it the other's.
func keyPartners(p *Object, pubs, certs, privs []*Object) []*Object {
	owned := func(o *Object) bool {
		for _, q := range privs {
			if q != p && q.Label == o.Label && o.Label != p.Label {
				return true
			}
		}
		return false
	}
	for _, list := range [][]*Object{pubs, certs} {
		var out []*Object
		for _, o := range list {
			if o.Public != nil && sameKind(p, o) && !owned(o) {
				out = append(out, o)
			}
		}
		if len(out) > 0 {
			return preferLabel(p, out)
		}
	}
	return nil
}

// partnerKey reports whether o may be paired with the key k by their public keys: the same
// public key, or (objects signet cannot read the key of, paired by id alone) neither known.
func partnerKey(k, o *Object) bool {
	if k.Public == nil || o.Public == nil {
		return k.Public == nil && o.Public == nil
	}
	return x509util.PublicKeysEqual(k.Public, o.Public)
}

// keyCertificate returns the key's certificate among its partner objects: one that certifies
// pub, and of several (a renewal left the old one beside the new one, or another tool wrote
// both) one valid at now before one that is not, then the one that ends last. Token order,
// which differs between tokens and runs, never decides.
func keyCertificate(partners []Object, pub crypto.PublicKey, now time.Time) *x509.Certificate {
	var best *x509.Certificate
	valid := func(c *x509.Certificate) bool { return !now.Before(c.NotBefore) && !now.After(c.NotAfter) }
	for _, o := range partners {
		c := o.Certificate
		if o.Type != TypeCert || c == nil || CheckCertificateKey(c, pub) != nil {
			continue
		}
		switch {
		case best == nil, valid(c) && !valid(best):
			best = c
		case valid(c) == valid(best) && (c.NotAfter.After(best.NotAfter) || c.NotAfter.Equal(best.NotAfter) && c.NotBefore.After(best.NotBefore)):
			best = c
		}
	}
	return best
}

func sameKind(a, b *Object) bool { return a.KeyType == b.KeyType }

// samePair reports whether two objects belong to one key pair (and its certificate): the same
// CKA_ID, or, when neither has one, the same label.
func samePair(a, b *Object) bool {
	if len(a.ID) > 0 || len(b.ID) > 0 {
		return bytes.Equal(a.ID, b.ID)
	}
	return a.Label == b.Label
}

func joinObjectURIs(objs []Object) string {
	s := make([]string, len(objs))
	for i := range objs {
		s[i] = objs[i].URI
	}
	return strings.Join(s, ", ")
}

// objectPart describes the object attributes of a URI for messages.
func objectPart(u *URI) string {
	c := &URI{Object: u.Object, ID: u.ID, Type: u.Type, present: u.present & (1<<aObject | 1<<aID | 1<<aType)}
	s := strings.TrimPrefix(c.String(), "pkcs11:")
	if s == "" {
		return "the URI"
	}
	return s
}

// sortObjects orders objects as listings show them: by CKA_ID, then label, then private key,
// public key, certificate, other.
func sortObjects(objs []Object) {
	sort.SliceStable(objs, func(i, j int) bool {
		if c := bytes.Compare(objs[i].ID, objs[j].ID); c != 0 {
			return c < 0
		}
		if objs[i].Label != objs[j].Label {
			return objs[i].Label < objs[j].Label
		}
		return typeOrder(objs[i].Type) < typeOrder(objs[j].Type)
	})
}

// checkKeyType refuses a key reference whose type attribute names something else than a
// private key.
func checkKeyType(u *URI) error {
	if u.Type != "" && u.Type != TypePrivate {
		return &uriError{fmt.Sprintf("a key reference selects a private key; this one has type=%s", u.Type)}
	}
	return nil
}

// typeAttr describes a URI's type attribute in messages: "type=cert", or "no type".
func typeAttr(u *URI) string {
	if u.Type == "" {
		return "no type"
	}
	return "type=" + string(u.Type)
}

// pickPrivateKey returns the one private key among keys (every private key the search for u
// found, sorted) that u selects. When none matches, the message lists others (the token's
// other private keys, sorted) or says that the token has none, "visible without logging in"
// when hidden is set; when several match, it lists them. token is the token's label.
func pickPrivateKey(u *URI, keys, others []Object, token string, hidden bool) (Object, error) {
	if err := checkKeyType(u); err != nil {
		return Object{}, err
	}
	return pickObject(u, TypePrivate, keys, others, token, hidden)
}

// objectNames names the object types in messages.
var objectNames = map[ObjectType][2]string{
	TypePrivate: {"private key", "private keys"},
	TypePublic:  {"public key", "public keys"},
	TypeCert:    {"certificate", "certificates"},
}

// pickObject returns the one object of type typ among found that u selects, as
// pickPrivateKey does for private keys.
func pickObject(u *URI, typ ObjectType, found, others []Object, token string, hidden bool) (Object, error) {
	var match []Object
	for _, o := range found {
		if o.Type == typ && u.matchObject(&o) {
			match = append(match, o)
		}
	}
	sel := u.Clone()
	sel.Type = typ
	name := objectNames[typ]
	switch len(match) {
	case 1:
		return match[0], nil
	case 0:
		msg := fmt.Sprintf("no %s matches %s on token %q", name[0], objectPart(sel), token)
		if len(others) > 0 {
			msg += fmt.Sprintf("; %s there: %s", name[1], joinObjectURIs(others))
		} else {
			msg += "; the token has no " + name[0]
			if hidden {
				msg += " visible without logging in"
			}
		}
		return Object{}, newError(ErrObjectNotFound, nil, msg)
	}
	return Object{}, newError(ErrAmbiguous, nil, fmt.Sprintf("%s matches %d %s on token %q; name one with object= and id=: %s", objectPart(sel), len(match), name[1], token, joinObjectURIs(match)))
}

// noPublicKey explains why a private key has no public key (key.Public is nil): a key type or
// curve signet cannot use (ErrUnsupportedKey), public keys or certificates that share its id
// but hold different keys (ErrAmbiguous: see keyPartners), or none at all
// (ErrObjectNotFound). partners are the objects that samePair pairs with the key.
func noPublicKey(key Object, partners []Object) error {
	switch {
	case key.KeyType == "EC" && key.Curve != "P-256" && key.Curve != "P-384" && key.Curve != "P-521",
		key.KeyType != "RSA" && key.KeyType != "EC" && key.KeyType != "Ed25519":
		kind := strings.TrimSpace(key.KeyType + " " + key.Curve)
		if kind == "" {
			kind = "unknown type"
		}
		return newError(ErrUnsupportedKey, nil, fmt.Sprintf("key %s is of a type signet cannot use (%s); it uses RSA, EC P-256, P-384, P-521 and Ed25519 keys", key.URI, kind))
	}
	objs := append([]Object(nil), partners...)
	var pubs, certs, privs []*Object
	for i := range objs {
		switch o := &objs[i]; o.Type {
		case TypePublic:
			pubs = append(pubs, o)
		case TypeCert:
			certs = append(certs, o)
		case TypePrivate:
			if o.handle != key.handle {
				privs = append(privs, o)
			}
		}
	}
	var others []Object
	for _, o := range keyPartners(&key, pubs, certs, privs) {
		others = append(others, *o)
	}
	if len(others) > 1 {
		return newError(ErrAmbiguous, nil, fmt.Sprintf("key %s: the public keys or certificates that share its id hold different keys, so its own is unknown: %s", key.URI, joinObjectURIs(others)))
	}
	return newError(ErrObjectNotFound, nil, fmt.Sprintf("key %s: the token has no public key or certificate with its id, so its public key is unknown", key.URI))
}
