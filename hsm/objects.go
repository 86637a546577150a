package hsm

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/miekg/pkcs11"
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
func objectURI(base *URI, o *Object) *URI {
	u := base.Clone()
	u.Object = o.Label
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
// the other.
func pair(objs []Object) {
	same := samePair
	for i := range objs {
		p := &objs[i]
		if p.Type != TypePrivate {
			continue
		}
		for j := range objs {
			o := &objs[j]
			if !same(p, o) {
				continue
			}
			switch o.Type {
			case TypePublic:
				o.PrivateKeyURI = p.URI
				if p.Public == nil && o.Public != nil && sameKind(p, o) {
					p.Public = o.Public
				}
			case TypeCert:
				o.PrivateKeyURI = p.URI
				if p.CertificateURI == "" {
					p.CertificateURI = o.URI
				}
				if p.Public == nil && o.Public != nil && sameKind(p, o) {
					p.Public = o.Public
				}
			}
		}
	}
	for i := range objs {
		p := &objs[i]
		if p.Type != TypePublic {
			continue
		}
		for j := range objs {
			if o := &objs[j]; o.Type == TypeCert && same(p, o) && p.CertificateURI == "" {
				p.CertificateURI = o.URI
			}
		}
	}
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
