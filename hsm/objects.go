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
// the other. A CKA_ID is only a claim, which another tool may have written on the wrong
// object: the key's public key comes from its own attributes, else from a public key object,
// and only without one from its certificates, when they all certify one key; and a
// certificate (or public key object) is paired with a key only when it holds the key's public
// key. A certificate of another key under the key's id is no partner of it.
func pair(objs []Object) {
	same := samePair
	for i := range objs {
		p := &objs[i]
		if p.Type != TypePrivate {
			continue
		}
		var certs []*Object
		for j := range objs {
			o := &objs[j]
			if !same(p, o) {
				continue
			}
			switch o.Type {
			case TypePublic:
				if p.Public == nil && o.Public != nil && sameKind(p, o) {
					p.Public = o.Public
				}
			case TypeCert:
				certs = append(certs, o)
			}
		}
		if p.Public == nil {
			for _, o := range certs {
				if o.Public != nil && sameKind(p, o) {
					if p.Public != nil && !samePublic(p.Public, o.Public) {
						p.Public = nil // certificates of two keys: none is taken for the key's
						break
					}
					p.Public = o.Public
				}
			}
		}
		for j := range objs {
			o := &objs[j]
			if !same(p, o) || o.Type != TypePublic && o.Type != TypeCert || !partnerKey(p, o) {
				continue
			}
			o.PrivateKeyURI = p.URI
			if o.Type == TypeCert && p.CertificateURI == "" {
				p.CertificateURI = o.URI
			}
		}
	}
	for i := range objs {
		p := &objs[i]
		if p.Type != TypePublic {
			continue
		}
		for j := range objs {
			if o := &objs[j]; o.Type == TypeCert && same(p, o) && p.CertificateURI == "" && partnerKey(p, o) {
				p.CertificateURI = o.URI
			}
		}
	}
}

// partnerKey reports whether o may be paired with the key k by their public keys: the same
// public key, or (objects signet cannot read the key of, paired by id alone) neither known.
func partnerKey(k, o *Object) bool {
	if k.Public == nil || o.Public == nil {
		return k.Public == nil && o.Public == nil
	}
	return samePublic(k.Public, o.Public)
}

// samePublic reports whether two public keys are the same key.
func samePublic(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
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
