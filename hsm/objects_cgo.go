//go:build cgo

package hsm

import (
	"crypto/x509"
	"errors"
	"fmt"
	"slices"

	"github.com/miekg/pkcs11"
)

// findHandles runs a C_FindObjects search. The caller holds t.mu.
func (t *Token) findHandles(tmpl []*pkcs11.Attribute) ([]pkcs11.ObjectHandle, error) {
	ctx := t.mod.ctx
	if err := ctx.FindObjectsInit(t.sess, tmpl); err != nil {
		return nil, newError(ErrToken, err, fmt.Sprintf("token %q: search objects", t.info.Label))
	}
	var all []pkcs11.ObjectHandle
	for {
		hs, _, err := ctx.FindObjects(t.sess, 64)
		if err != nil {
			ctx.FindObjectsFinal(t.sess)
			return nil, newError(ErrToken, err, fmt.Sprintf("token %q: search objects", t.info.Label))
		}
		if len(hs) == 0 {
			break
		}
		all = append(all, hs...)
	}
	if err := ctx.FindObjectsFinal(t.sess); err != nil {
		return nil, newError(ErrToken, err, fmt.Sprintf("token %q: search objects", t.info.Label))
	}
	return all, nil
}

// attrs reads attributes of an object; those the object lacks or hides are absent from the
// result. It asks for all at once and falls back to one by one, because one missing
// attribute fails the whole C_GetAttributeValue call.
func (t *Token) attrs(h pkcs11.ObjectHandle, types ...uint) map[uint][]byte {
	tmpl := make([]*pkcs11.Attribute, len(types))
	for i, typ := range types {
		tmpl[i] = pkcs11.NewAttribute(typ, nil)
	}
	out := make(map[uint][]byte, len(types))
	if got, err := t.mod.ctx.GetAttributeValue(t.sess, h, tmpl); err == nil {
		for _, a := range got {
			if a.Value != nil {
				out[a.Type] = a.Value
			}
		}
		return out
	}
	for _, typ := range types {
		got, err := t.mod.ctx.GetAttributeValue(t.sess, h, []*pkcs11.Attribute{pkcs11.NewAttribute(typ, nil)})
		if err == nil && len(got) == 1 && got[0].Value != nil {
			out[typ] = got[0].Value
		}
	}
	return out
}

// readObject describes one object. The caller holds t.mu.
func (t *Token) readObject(h pkcs11.ObjectHandle) Object {
	a := t.attrs(h, pkcs11.CKA_CLASS, pkcs11.CKA_LABEL, pkcs11.CKA_ID, pkcs11.CKA_PRIVATE)
	o := Object{handle: uint(h), Label: string(a[pkcs11.CKA_LABEL]), ID: a[pkcs11.CKA_ID], Private: boolAttr(a[pkcs11.CKA_PRIVATE])}
	class, _ := ulong(a[pkcs11.CKA_CLASS])
	o.Type = classOf[class]
	if o.Type == "" {
		o.Type = ObjectType(fmt.Sprintf("class-0x%x", class))
	}
	switch o.Type {
	case TypePrivate, TypePublic:
		t.readKey(h, &o)
	case TypeCert:
		c := t.attrs(h, pkcs11.CKA_CERTIFICATE_TYPE, pkcs11.CKA_VALUE)
		if ct, ok := ulong(c[pkcs11.CKA_CERTIFICATE_TYPE]); ok && ct == pkcs11.CKC_X_509 {
			if cert, err := x509.ParseCertificate(c[pkcs11.CKA_VALUE]); err == nil {
				o.Certificate = cert
				o.Public = cert.PublicKey
				o.KeyType, o.Bits, o.Curve = describePublic(cert.PublicKey)
			}
		}
	}
	return o
}

// readKey fills the key fields of a private or public key object.
func (t *Token) readKey(h pkcs11.ObjectHandle, o *Object) {
	a := t.attrs(h, pkcs11.CKA_KEY_TYPE)
	kt, ok := ulong(a[pkcs11.CKA_KEY_TYPE])
	if !ok {
		return
	}
	if o.Type == TypePrivate {
		f := t.attrs(h, pkcs11.CKA_SENSITIVE, pkcs11.CKA_EXTRACTABLE, pkcs11.CKA_SIGN)
		o.Sensitive = boolAttr(f[pkcs11.CKA_SENSITIVE])
		o.Extractable = boolAttr(f[pkcs11.CKA_EXTRACTABLE])
		o.Sign = boolAttr(f[pkcs11.CKA_SIGN])
	}
	switch kt {
	case pkcs11.CKK_RSA:
		o.KeyType = "RSA"
		r := t.attrs(h, pkcs11.CKA_MODULUS, pkcs11.CKA_PUBLIC_EXPONENT)
		if n := r[pkcs11.CKA_MODULUS]; len(n) > 0 {
			o.Bits = bitLen(n)
			if pub, err := rsaPublicKey(n, r[pkcs11.CKA_PUBLIC_EXPONENT]); err == nil {
				o.Public = pub
			}
		}
	case pkcs11.CKK_EC, CKK_EC_EDWARDS:
		o.KeyType = "EC"
		if kt == CKK_EC_EDWARDS {
			o.KeyType = "EdDSA"
		}
		e := t.attrs(h, pkcs11.CKA_EC_PARAMS)
		ci, err := parseECParams(e[pkcs11.CKA_EC_PARAMS])
		if ci.name != "" {
			o.Curve, o.Bits = ci.name, ci.bits
		}
		if ci.kind == kindEd25519 {
			o.KeyType = "Ed25519"
		}
		if err == nil && o.Type == TypePublic {
			p := t.attrs(h, pkcs11.CKA_EC_POINT)
			if pub, err := ecPublicKey(e[pkcs11.CKA_EC_PARAMS], p[pkcs11.CKA_EC_POINT]); err == nil {
				o.Public = pub
			}
		}
	default:
		o.KeyType = fmt.Sprintf("CKK 0x%x", kt)
	}
}

// objects reads every object the session can see, pairs keys and certificates by CKA_ID
// and gives each a URI. The caller holds t.mu.
func (t *Token) objects() ([]Object, error) {
	hs, err := t.findHandles(nil)
	if err != nil {
		return nil, err
	}
	objs := make([]Object, 0, len(hs))
	for _, h := range hs {
		objs = append(objs, t.readObject(h))
	}
	for i := range objs {
		objs[i].URI = objectURI(t.base, &objs[i]).String()
	}
	pair(objs)
	sortObjects(objs)
	return objs, nil
}

// Objects lists the objects on the token that match the URI's object, id and type
// attributes (nil: the URI the token was opened with). It logs in first, when the token
// needs it and Options.NoLogin is not set, so that private keys are listed too.
func (t *Token) Objects(u *URI) ([]Object, error) {
	if u == nil {
		u = t.uri
	}
	unlock, err := t.session(!t.opts.NoLogin)
	if err != nil {
		return nil, err
	}
	defer unlock()
	all, err := t.objects()
	if err != nil {
		return nil, err
	}
	var out []Object
	for i := range all {
		if u.matchObject(&all[i]) {
			out = append(out, all[i])
		}
	}
	return out, nil
}

// find reads the objects a template search (C_FindObjectsInit) selects, with their URIs,
// sorted as listings show them, unpaired. Only what the search finds is read. The caller holds
// t.mu.
func (t *Token) find(tmpl ...*pkcs11.Attribute) ([]Object, error) {
	hs, err := t.findHandles(tmpl)
	if err != nil {
		return nil, err
	}
	objs := make([]Object, 0, len(hs))
	for _, h := range hs {
		o := t.readObject(h)
		o.URI = objectURI(t.base, &o).String()
		objs = append(objs, o)
	}
	sortObjects(objs)
	return objs, nil
}

// search is a template: the class, and the label and id when they are given and not empty.
// An empty label or id is left to the caller's own comparison: tokens differ on whether an
// empty template value matches an absent attribute.
func search(class uint, label string, hasLabel bool, id []byte) []*pkcs11.Attribute {
	tmpl := []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_CLASS, class)}
	if hasLabel && label != "" {
		tmpl = append(tmpl, pkcs11.NewAttribute(pkcs11.CKA_LABEL, label))
	}
	if len(id) > 0 {
		tmpl = append(tmpl, pkcs11.NewAttribute(pkcs11.CKA_ID, id))
	}
	return tmpl
}

// partners returns o with the other objects of its key pair (samePair: its CKA_ID, or without
// one its label), of class only when it is given, paired, in listing order: one template
// search. The caller holds t.mu.
func (t *Token) partners(o Object, only ...uint) ([]Object, error) {
	var tmpl []*pkcs11.Attribute
	for _, class := range only {
		tmpl = append(tmpl, pkcs11.NewAttribute(pkcs11.CKA_CLASS, class))
	}
	switch {
	case len(o.ID) > 0:
		tmpl = append(tmpl, pkcs11.NewAttribute(pkcs11.CKA_ID, o.ID))
	case o.Label != "":
		tmpl = append(tmpl, pkcs11.NewAttribute(pkcs11.CKA_LABEL, o.Label))
	}
	found, err := t.find(tmpl...)
	if err != nil {
		return nil, err
	}
	objs := []Object{o}
	for _, f := range found {
		if f.handle != o.handle && samePair(&o, &f) {
			objs = append(objs, f)
		}
	}
	sortObjects(objs)
	pair(objs)
	return objs, nil
}

// findPrivateKey returns the one private key a URI selects, paired with its public key and
// certificate, and those partners. It searches with templates (CKA_CLASS, and the URI's
// CKA_LABEL and CKA_ID) and reads the attributes of what the searches find, not of every
// object on the token; only when no key matches does it list the token's private keys, for
// the message. The caller holds t.mu and has logged in.
func (t *Token) findPrivateKey(u *URI) (Object, []Object, error) {
	if err := checkKeyType(u); err != nil {
		return Object{}, nil, err
	}
	keys, err := t.find(search(pkcs11.CKO_PRIVATE_KEY, u.Object, u.has(aObject), u.ID)...)
	if err != nil {
		return Object{}, nil, err
	}
	var others []Object
	if !slices.ContainsFunc(keys, func(o Object) bool { return u.matchObject(&o) }) {
		if others, err = t.find(search(pkcs11.CKO_PRIVATE_KEY, "", false, nil)...); err != nil {
			return Object{}, nil, err
		}
	}
	key, err := pickPrivateKey(u, keys, others, t.info.Label, t.info.Flags.LoginRequired && !t.slotLoggedIn())
	if err != nil {
		return Object{}, nil, err
	}
	objs, err := t.partners(key)
	if err != nil {
		return Object{}, nil, err
	}
	for _, o := range objs {
		if o.handle == key.handle {
			key = o
		}
	}
	return key, objs, nil
}

// PublicObject returns the one public key or certificate object the URI's object, id and type
// attributes select (nil: the URI the token was opened with); its type attribute must be
// public or cert. It reads without logging in, since tokens show public keys and certificates
// to everyone, and logs in (unless Options.NoLogin is set) only when the token needs a login
// and nothing matches without one: some tokens keep them private objects. When the token needs
// a login and a PIN is at hand that no one types (pin-source, $SIGNET_PIN), it logs in first
// and chooses among every object, the private ones too; otherwise an answer among the visible
// ones comes with a warning that a hidden object the URI names too would go unseen. A token
// that counts a wrong PIN since its last login (CKF_USER_PIN_COUNT_LOW and lower) is read
// without a login even then, so that a read a visible object answers spends no more of its
// tries; a URI that names only hidden objects still logs in (login's final-try guard keeps
// an unattended PIN from locking the token).
func (t *Token) PublicObject(u *URI) (Object, error) {
	if u == nil {
		u = t.uri
	}
	if u.Type != TypePublic && u.Type != TypeCert {
		return Object{}, &uriError{fmt.Sprintf("a public key or certificate reference has type=public or type=cert; this one has %s", typeAttr(u))}
	}
	hidden := t.info.Flags.LoginRequired && !t.opts.NoLogin && !t.slotLoggedIn()
	// A wrong PIN since the token's last login (CKF_USER_PIN_COUNT_LOW, or fewer tries left):
	// a read that needs no login does not spend another try on a PIN that may be meant for
	// another token, as a $SIGNET_PIN set for a CI job's signing token would be, so that
	// repeated reads cannot lock the token. The answer is then among the visible objects, with
	// the warning below, as without a PIN.
	f := t.info.Flags
	tried := f.PINCountLow || f.PINFinalTry || f.PINLocked
	if hidden && t.pinConfigured() && !tried {
		// A PIN that no one types is at hand: the answer among every object, those the
		// token hides until login (CKA_PRIVATE) too. Among the visible ones alone, a public
		// object that anyone with the token may write would be the answer where a login
		// shows the URI to name the owner's private one as well.
		return t.publicObject(u, true)
	}
	o, err := t.publicObject(u, false)
	switch {
	case errors.Is(err, ErrObjectNotFound) && hidden:
		return t.publicObject(u, true)
	case err == nil && hidden && tried && t.pinConfigured():
		t.opts.warn("%s was chosen among the objects token %q shows without a login: a wrong PIN was entered since the token's last login, so signet did not spend a PIN try on reading a public object; an object the token hides until login that the URI names too would go unseen (a successful login, such as a signature, clears this)",
			o.URI, t.info.Label)
	case err == nil && hidden:
		t.opts.warn("%s was chosen among the objects token %q shows without a login: an object the token hides until login that the URI names too would go unseen (with the PIN in %s or a pin-source, signet logs in and looks at all of them)",
			o.URI, t.info.Label, EnvPIN)
	}
	return o, err
}

func (t *Token) publicObject(u *URI, login bool) (Object, error) {
	unlock, err := t.session(login)
	if err != nil {
		return Object{}, err
	}
	defer unlock()
	class := classFor(u.Type)
	found, err := t.find(search(class, u.Object, u.has(aObject), u.ID)...)
	if err != nil {
		return Object{}, err
	}
	var others []Object
	if !slices.ContainsFunc(found, func(o Object) bool { return u.matchObject(&o) }) {
		if others, err = t.find(search(class, "", false, nil)...); err != nil {
			return Object{}, err
		}
	}
	o, err := pickObject(u, u.Type, found, others, t.info.Label, t.info.Flags.LoginRequired && !t.slotLoggedIn())
	if err != nil {
		return Object{}, err
	}
	objs, err := t.partners(o)
	if err != nil {
		return Object{}, err
	}
	for _, p := range objs {
		if p.handle == o.handle {
			o = p
		}
	}
	if o.Public == nil {
		what := "its public key is of a type signet does not read"
		if o.Type == TypeCert {
			what = "it is not an X.509 certificate signet can parse"
		}
		return Object{}, newError(ErrUnsupportedKey, nil, fmt.Sprintf("%s: %s", o.URI, what))
	}
	return o, nil
}
