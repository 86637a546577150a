//go:build cgo

package hsm

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"

	"github.com/miekg/pkcs11"

	"github.com/signet-pki/signet/x509util"
)

// GenerateKey makes a key pair on the token: the label is the URI's object attribute
// (required), the CKA_ID its id attribute or, without one, the lowest free one-byte id (%01,
// %02, ...; two bytes once those are used). The private key is a token object that is
// private, sensitive, not extractable and may only sign; the public key has the same label
// and id and may only verify. An object with the same label or id already on the token is
// an error wrapping ErrExists. The result describes the private key, with its public key.
func (t *Token) GenerateKey(u *URI, kt KeyType) (Object, error) {
	if u == nil {
		u = t.uri
	}
	if !u.has(aObject) || u.Object == "" {
		return Object{}, &uriError{"a new key needs a label: add object=NAME to the URI"}
	}
	if u.Type != "" && u.Type != TypePrivate {
		return Object{}, &uriError{fmt.Sprintf("a new key cannot have type=%s", u.Type)}
	}
	if u.has(aID) && len(u.ID) == 0 {
		return Object{}, &uriError{"id= is empty; leave it out to let signet choose one"}
	}
	var (
		mech    uint
		keyType uint
		pubAttr []*pkcs11.Attribute
	)
	switch kt {
	case RSA2048, RSA3072, RSA4096:
		bits := map[KeyType]int{RSA2048: 2048, RSA3072: 3072, RSA4096: 4096}[kt]
		mech, keyType = pkcs11.CKM_RSA_PKCS_KEY_PAIR_GEN, pkcs11.CKK_RSA
		pubAttr = []*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_MODULUS_BITS, bits),
			pkcs11.NewAttribute(pkcs11.CKA_PUBLIC_EXPONENT, []byte{1, 0, 1}),
		}
	case ECP256, ECP384, ECP521:
		mech, keyType = pkcs11.CKM_EC_KEY_PAIR_GEN, pkcs11.CKK_EC
		pubAttr = []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, ecParams(kt))}
	case Ed25519:
		mech, keyType = CKM_EC_EDWARDS_KEY_PAIR_GEN, CKK_EC_EDWARDS
		pubAttr = []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, ecParams(kt))}
	default:
		return Object{}, newError(ErrUnsupportedKey, nil, fmt.Sprintf("key type %q (want one of %v)", kt, KeyTypes()))
	}

	unlock, err := t.session(true)
	if err != nil {
		return Object{}, err
	}
	defer unlock()
	all, err := t.objects()
	if err != nil {
		return Object{}, err
	}
	var clash []Object
	for _, o := range all {
		if o.Label == u.Object || u.has(aID) && bytes.Equal(o.ID, u.ID) {
			clash = append(clash, o)
		}
	}
	if len(clash) > 0 {
		return Object{}, newError(ErrExists, nil, fmt.Sprintf("token %q already has an object with label %q or that id: %s", t.info.Label, u.Object, joinObjectURIs(clash)))
	}
	id := u.ID
	if !u.has(aID) {
		id = freeID(all)
	}
	common := func(class uint) []*pkcs11.Attribute {
		return []*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_CLASS, class),
			pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, keyType),
			pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
			pkcs11.NewAttribute(pkcs11.CKA_LABEL, u.Object),
			pkcs11.NewAttribute(pkcs11.CKA_ID, id),
		}
	}
	// Every usage but signing is turned off, whatever the key type: left unsaid, a token's
	// defaults decide (SoftHSM2 allows decrypt and unwrap on EC keys too).
	pubTmpl := append(common(pkcs11.CKO_PUBLIC_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, false),
		pkcs11.NewAttribute(pkcs11.CKA_VERIFY, true),
		pkcs11.NewAttribute(pkcs11.CKA_ENCRYPT, false),
		pkcs11.NewAttribute(pkcs11.CKA_WRAP, false))
	pubTmpl = append(pubTmpl, pubAttr...)
	privTmpl := append(common(pkcs11.CKO_PRIVATE_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, true),
		pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, true),
		pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, false),
		pkcs11.NewAttribute(pkcs11.CKA_SIGN, true),
		pkcs11.NewAttribute(pkcs11.CKA_DERIVE, false),
		pkcs11.NewAttribute(pkcs11.CKA_DECRYPT, false),
		pkcs11.NewAttribute(pkcs11.CKA_UNWRAP, false))
	// One call, but the module writes two objects (SoftHSM2 a file each): a signal that comes
	// meanwhile ends signet once both are written.
	var pubH, privH pkcs11.ObjectHandle
	err = holdSignals(func() (err error) {
		pubH, privH, err = t.mod.ctx.GenerateKeyPair(t.sess, []*pkcs11.Mechanism{pkcs11.NewMechanism(mech, nil)}, pubTmpl, privTmpl)
		return err
	})
	if err != nil {
		var ckr pkcs11.Error
		if errors.As(err, &ckr) && (ckr == pkcs11.CKR_MECHANISM_INVALID || ckr == pkcs11.CKR_DOMAIN_PARAMS_INVALID || ckr == pkcs11.CKR_CURVE_NOT_SUPPORTED || ckr == pkcs11.CKR_KEY_SIZE_RANGE) {
			return Object{}, newError(ErrUnsupportedKey, err, fmt.Sprintf("token %q cannot generate %s keys", t.info.Label, kt))
		}
		return Object{}, newError(ErrToken, err, fmt.Sprintf("token %q: generate a %s key", t.info.Label, kt))
	}
	priv := t.readObject(privH)
	pub := t.readObject(pubH)
	priv.URI = objectURI(t.base, &priv).String()
	pub.URI = objectURI(t.base, &pub).String()
	objs := []Object{priv, pub}
	pair(objs)
	if objs[0].Public == nil {
		return objs[0], newError(ErrToken, nil, fmt.Sprintf("token %q: the new key %s has no readable public key", t.info.Label, priv.URI))
	}
	return objs[0], nil
}

// freeID returns the lowest CKA_ID no object uses: one byte while one is free, else two.
func freeID(all []Object) []byte {
	used := map[string]bool{}
	for _, o := range all {
		used[string(o.ID)] = true
	}
	for n := 1; n < 1<<16; n++ {
		id := []byte{byte(n)}
		if n > 0xff {
			id = []byte{byte(n >> 8), byte(n)}
		}
		if !used[string(id)] {
			return id
		}
	}
	return []byte{0xff, 0xff, 0xff}
}

// ImportCertificate writes a certificate onto the token as a CKO_CERTIFICATE / CKC_X_509 token
// object with the given label and CKA_ID, and CKA_SUBJECT, CKA_ISSUER, CKA_SERIAL_NUMBER and
// CKA_VALUE from cert. It does not check that a key with that id exists or matches: use
// ImportKeyCertificate for a key's certificate, this for chain certificates. A certificate
// with the same label or id is an error wrapping ErrExists; a nil or unparsed one (no DER,
// which was written as an empty certificate object) wraps ErrObjectNotFound, as for
// ImportKeyCertificate and ReplaceKeyCertificate.
func (t *Token) ImportCertificate(cert *x509.Certificate, label string, id []byte) (Object, error) {
	if cert == nil || len(cert.Raw) == 0 {
		return Object{}, newError(ErrObjectNotFound, nil, "no certificate to write: nil or unparsed")
	}
	unlock, err := t.session(true)
	if err != nil {
		return Object{}, err
	}
	defer unlock()
	return t.importCert(cert, label, id, nil)
}

// importCert writes the certificate, after a template search for certificates with the same
// label or id. The caller holds t.mu and has logged in.
func (t *Token) importCert(cert *x509.Certificate, label string, id []byte, replacing *x509.Certificate) (Object, error) {
	certs, err := t.find(search(pkcs11.CKO_CERTIFICATE, label, true, nil)...)
	if err != nil {
		return Object{}, err
	}
	if len(id) > 0 {
		byID, err := t.find(search(pkcs11.CKO_CERTIFICATE, "", false, id)...)
		if err != nil {
			return Object{}, err
		}
		certs = append(certs, byID...)
		sortObjects(certs)
	}
	same, replaced, err := certClash(t.info.Label, certs, cert, label, id, replacing)
	if err != nil {
		return Object{}, err
	}
	if same != nil {
		return t.withPartners(*same)
	}
	tmpl := []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_CERTIFICATE),
		pkcs11.NewAttribute(pkcs11.CKA_CERTIFICATE_TYPE, pkcs11.CKC_X_509),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, false),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
		pkcs11.NewAttribute(pkcs11.CKA_ID, id),
		pkcs11.NewAttribute(pkcs11.CKA_SUBJECT, cert.RawSubject),
		pkcs11.NewAttribute(pkcs11.CKA_ISSUER, cert.RawIssuer),
		pkcs11.NewAttribute(pkcs11.CKA_SERIAL_NUMBER, certSerial(cert)),
		pkcs11.NewAttribute(pkcs11.CKA_VALUE, cert.Raw),
	}
	h, err := t.mod.ctx.CreateObject(t.sess, tmpl)
	if err != nil {
		return Object{}, newError(ErrToken, err, fmt.Sprintf("token %q: write the certificate", t.info.Label))
	}
	for _, r := range replaced {
		if err := t.mod.ctx.DestroyObject(t.sess, pkcs11.ObjectHandle(r.handle)); err != nil {
			return Object{}, newError(ErrToken, err, fmt.Sprintf("token %q: the new certificate is written, but the one it replaces could not be deleted: %s", t.info.Label, r.URI))
		}
	}
	o := t.readObject(h)
	o.URI = objectURI(t.base, &o).String()
	return t.withPartners(o)
}

// certClash judges writing cert under label and id among certs, the token's certificates
// (tokenLabel names the token in the error): same is the certificate already written there
// under that label and id, nothing to write, so that an import can be run again (as
// enrolment can); replaced are those a renewal replaces (replacing, and any other certificate
// of the same key under the label or id, one left behind by a renewal interrupted between its
// two steps), to be deleted once cert is written; any other certificate with the label or id
// is ErrExists.
func certClash(tokenLabel string, certs []Object, cert *x509.Certificate, label string, id []byte, replacing *x509.Certificate) (same *Object, replaced []Object, err error) {
	var clash []Object
	for _, o := range certs {
		if (o.Label == label || len(id) > 0 && bytes.Equal(o.ID, id)) &&
			!slices.ContainsFunc(clash, func(c Object) bool { return c.handle == o.handle }) {
			clash = append(clash, o)
		}
	}
	if len(clash) == 1 && clash[0].Certificate != nil && clash[0].Certificate.Equal(cert) &&
		clash[0].Label == label && bytes.Equal(clash[0].ID, id) {
		return &clash[0], nil, nil
	}
	if replacing != nil {
		clash = slices.DeleteFunc(clash, func(o Object) bool {
			if o.Certificate != nil && (o.Certificate.Equal(replacing) || x509util.PublicKeysEqual(o.Certificate.PublicKey, cert.PublicKey)) {
				replaced = append(replaced, o)
				return true
			}
			return false
		})
	}
	if len(clash) > 0 {
		return nil, nil, newError(ErrExists, nil, fmt.Sprintf("token %q already has a certificate with label %q or that id: %s", tokenLabel, label, joinObjectURIs(clash)))
	}
	return nil, replaced, nil
}

// withPartners returns a certificate object as the key's partner search sees it.
func (t *Token) withPartners(o Object) (Object, error) {
	objs, err := t.partners(o, pkcs11.CKO_PRIVATE_KEY)
	if err != nil {
		return Object{}, err
	}
	for _, p := range objs {
		if p.handle == o.handle {
			o = p
		}
	}
	return o, nil
}

// ImportKeyCertificate writes the certificate of the private key the URI selects, with the
// key's label and CKA_ID, after checking that it certifies the key (ErrKeyMismatch otherwise):
// its public key is the key's, and the key signs a random challenge that verifies with it.
// The same certificate already written with that label and id is returned as it is.
func (t *Token) ImportKeyCertificate(u *URI, cert *x509.Certificate) (Object, error) {
	return t.importKeyCertificate(u, cert, nil)
}

// ReplaceKeyCertificate is ImportKeyCertificate for a key that has a certificate, old, to be
// replaced (a renewal): the new certificate is written beside the old one, under the same
// label and CKA_ID, and only then is the old one destroyed, with any other certificate of the
// same key there (left by an interrupted renewal), so that a failure leaves the key with its
// old certificate rather than none. The same certificate again changes nothing.
func (t *Token) ReplaceKeyCertificate(u *URI, old, cert *x509.Certificate) (Object, error) {
	return t.importKeyCertificate(u, cert, old)
}

func (t *Token) importKeyCertificate(u *URI, cert, replacing *x509.Certificate) (Object, error) {
	if cert == nil || len(cert.Raw) == 0 {
		return Object{}, newError(ErrObjectNotFound, nil, "no certificate to write: nil or unparsed")
	}
	if u == nil {
		u = t.uri
	}
	unlock, err := t.session(true)
	if err != nil {
		return Object{}, err
	}
	defer unlock()
	key, err := t.certifiedKey(u, cert)
	if err != nil {
		return Object{}, err
	}
	return t.importCert(cert, key.Label, key.ID, replacing)
}

// certifiedKey returns the private key u selects after checking that cert certifies it: its
// public key is the key's, and the key signs a random challenge that verifies with it
// (ErrKeyMismatch otherwise). The caller holds t.mu and has logged in.
func (t *Token) certifiedKey(u *URI, cert *x509.Certificate) (Object, error) {
	key, partners, err := t.findPrivateKey(u)
	if err != nil {
		return Object{}, err
	}
	if key.Public == nil {
		return Object{}, noPublicKey(key, partners)
	}
	if err := CheckCertificateKey(cert, key.Public); err != nil {
		return Object{}, newError(ErrKeyMismatch, nil, fmt.Sprintf("the certificate for \"%s\" does not certify the key %s", x509util.FormatName(cert.Subject), key.URI))
	}
	// key.Public may come from a public key object or certificate that only shares the
	// key's CKA_ID: the key itself must sign for the certificate's key.
	ok, err := t.proveKey(pkcs11.ObjectHandle(key.handle), cert.PublicKey)
	if err != nil {
		return Object{}, err
	}
	if !ok {
		return Object{}, newError(ErrKeyMismatch, nil, fmt.Sprintf("the certificate for \"%s\" matches the public key stored with %s, but the private key does not sign for it: that public key object or certificate belongs to another key", x509util.FormatName(cert.Subject), key.URI))
	}
	return key, nil
}

// testHookWrite, when set by a test, is called by ImportKeyChain after each object it writes
// and by Delete after each it deletes.
var testHookWrite func()

// ImportKeyChain writes chain[0], the certificate of the private key u selects (nil: the URI
// the token was opened with), beside the key with its label and CKA_ID (as
// ImportKeyCertificate does, or ReplaceKeyCertificate for o.Replace), and chain[1:] as chain
// certificates, each labelled with its subject's common name (the whole subject when it has
// none) and identified by its subject key identifier; a chain certificate already on the token
// (the same DER) is skipped. It writes all or nothing. Everything is checked first, while the
// token is held: the key signs for chain[0]; no certificate would get the label or id of
// another on the token or of the chain, the key's own certificate included (ErrExists; with
// o.RenewChain a CA's earlier certificate of the same subject and key is replaced, without it
// ErrChainRenewal); no certificate is nil or unparsed (ErrObjectNotFound). Then the chain is
// written, and the key's certificate last, with SIGINT, SIGTERM and SIGHUP held (one that comes
// meanwhile ends the process once the last is written); a write that fails has those before it
// undone. It returns the key's certificate object, then the chain certificates written.
func (t *Token) ImportKeyChain(u *URI, chain []*x509.Certificate, o ChainOptions) ([]Object, error) {
	if len(chain) == 0 {
		return nil, newError(ErrObjectNotFound, nil, "no certificate to import")
	}
	if err := checkChainCerts(chain); err != nil {
		return nil, err
	}
	if u == nil {
		u = t.uri
	}
	unlock, err := t.session(true)
	if err != nil {
		return nil, err
	}
	defer unlock()
	key, err := t.certifiedKey(u, chain[0])
	if err != nil {
		return nil, err
	}
	all, err := t.objects()
	if err != nil {
		return nil, err
	}
	var have []Object
	for _, a := range all {
		if a.Type == TypeCert {
			have = append(have, a)
		}
	}
	steps, err := planChain(have, t.info.Label, &key, chain[1:], o.RenewChain)
	if err != nil {
		return nil, err
	}
	// The key's certificate, checked as importCert will check it.
	same, keyReplaced, err := certClash(t.info.Label, have, chain[0], key.Label, key.ID, o.Replace)
	if err != nil {
		return nil, err
	}
	unchanged := same != nil

	var (
		written  []Object // created by this import, in order
		replaced []Object // deleted by it, each once its successor was written
		keyObj   Object
	)
	err = holdSignals(func() error {
		for _, st := range steps {
			var old *x509.Certificate
			if len(st.replaces) > 0 {
				old = st.replaces[0].Certificate
			}
			w, err := t.importCert(st.cert, st.label, st.cert.SubjectKeyId, old)
			if err != nil {
				return err
			}
			written = append(written, w)
			replaced = append(replaced, st.replaces...)
			if testHookWrite != nil {
				testHookWrite()
			}
		}
		w, err := t.importCert(chain[0], key.Label, key.ID, o.Replace)
		if err != nil {
			return err
		}
		keyObj = w
		if !unchanged {
			replaced = append(replaced, keyReplaced...)
			if testHookWrite != nil {
				testHookWrite()
			}
		}
		return nil
	})
	if err != nil {
		if uerr := t.undoWrites(written, replaced); uerr != nil {
			return nil, fmt.Errorf("%w; %w", err, uerr)
		}
		return nil, err
	}
	return append([]Object{keyObj}, written...), nil
}

// undoWrites deletes the objects an import wrote and writes again the certificates it replaced
// (the caller holds t.mu), returning an error that names what could not be undone.
func (t *Token) undoWrites(written, replaced []Object) error {
	var errs []error
	for i := len(written) - 1; i >= 0; i-- {
		if err := t.mod.ctx.DestroyObject(t.sess, pkcs11.ObjectHandle(written[i].handle)); err != nil {
			errs = append(errs, newError(ErrToken, err, fmt.Sprintf("token %q: undo the write of %s", t.info.Label, written[i].URI)))
		}
	}
	for _, r := range replaced {
		if r.Certificate == nil {
			continue
		}
		if _, err := t.importCert(r.Certificate, r.Label, r.ID, nil); err != nil {
			errs = append(errs, newError(ErrToken, err, fmt.Sprintf("token %q: write back the certificate %s", t.info.Label, r.URI)))
		}
	}
	if len(errs) > 0 {
		return errs[0] // the first: the rest follow from it, and an error is one line
	}
	return nil
}

// Delete destroys the objects a URI names and returns what it destroyed. The URI must name
// an object (object= or id=). With type= it destroys exactly one object of that type; without
// it, one key pair and its certificate: the matching objects and every key or certificate
// sharing their CKA_ID. A URI that names several keys or several pairs is an error wrapping
// ErrAmbiguous, and nothing is destroyed.
func (t *Token) Delete(u *URI) ([]Object, error) {
	if u == nil {
		u = t.uri
	}
	if !u.has(aObject) && !u.has(aID) {
		return nil, &uriError{"name what to delete with object= or id="}
	}
	unlock, err := t.session(true)
	if err != nil {
		return nil, err
	}
	defer unlock()
	all, err := t.objects()
	if err != nil {
		return nil, err
	}
	var match []Object
	for i := range all {
		if u.matchObject(&all[i]) {
			match = append(match, all[i])
		}
	}
	if len(match) == 0 {
		return nil, newError(ErrObjectNotFound, nil, fmt.Sprintf("no object matches %s on token %q", objectPart(u), t.info.Label))
	}
	victims := match
	if u.Type != "" {
		if len(match) > 1 {
			return nil, newError(ErrAmbiguous, nil, fmt.Sprintf("%s matches %d objects on token %q; name one: %s", objectPart(u), len(match), t.info.Label, joinObjectURIs(match)))
		}
	} else {
		group := func(o *Object) string {
			if len(o.ID) > 0 {
				return "id:" + string(o.ID)
			}
			return "label:" + o.Label
		}
		g := group(&match[0])
		for i := range match {
			if group(&match[i]) != g {
				return nil, newError(ErrAmbiguous, nil, fmt.Sprintf("%s matches objects of several keys on token %q; name one with id=: %s", objectPart(u), t.info.Label, joinObjectURIs(match)))
			}
		}
		victims = nil
		count := map[ObjectType]int{}
		for i := range all {
			o := &all[i]
			if group(o) == g && (o.Type == TypePrivate || o.Type == TypePublic || o.Type == TypeCert || u.matchObject(o)) {
				victims = append(victims, *o)
				count[o.Type]++
			}
		}
		for _, n := range count {
			if n > 1 {
				return nil, newError(ErrAmbiguous, nil, fmt.Sprintf("%s names %d objects that are not one key pair and its certificate on token %q; delete them one by one with type=: %s", objectPart(u), len(victims), t.info.Label, joinObjectURIs(victims)))
			}
		}
	}
	// Certificates first, the private key last: a failure leaves a usable key. A signal that
	// comes meanwhile ends signet once all are gone (holdSignals).
	var done []Object
	destroy := func(o Object) error {
		if err := t.mod.ctx.DestroyObject(t.sess, pkcs11.ObjectHandle(o.handle)); err != nil {
			return newError(ErrToken, err, fmt.Sprintf("token %q: delete %s", t.info.Label, o.URI))
		}
		done = append(done, o)
		if testHookWrite != nil {
			testHookWrite()
		}
		return nil
	}
	err = holdSignals(func() error {
		for _, typ := range []ObjectType{TypeCert, TypePublic, TypeSecretKey, TypeData, TypePrivate} {
			for _, o := range victims {
				if o.Type == typ {
					if err := destroy(o); err != nil {
						return err
					}
				}
			}
		}
		for _, o := range victims { // objects of other classes
			if classFor(o.Type) == ^uint(0) {
				if err := destroy(o); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return done, err
}

// mechanismsUsed are the mechanisms signet uses, with the flag each needs.
var mechanismsUsed = []struct {
	scheme string
	code   uint
	flag   uint
}{
	{"RSA PKCS#1 v1.5 signature", pkcs11.CKM_RSA_PKCS, pkcs11.CKF_SIGN},
	{"RSA-PSS signature", pkcs11.CKM_RSA_PKCS_PSS, pkcs11.CKF_SIGN},
	{"ECDSA signature", pkcs11.CKM_ECDSA, pkcs11.CKF_SIGN},
	{"Ed25519 signature", CKM_EDDSA, pkcs11.CKF_SIGN},
	{"RSA key generation", pkcs11.CKM_RSA_PKCS_KEY_PAIR_GEN, pkcs11.CKF_GENERATE_KEY_PAIR},
	{"EC key generation", pkcs11.CKM_EC_KEY_PAIR_GEN, pkcs11.CKF_GENERATE_KEY_PAIR},
	{"Ed25519 key generation", CKM_EC_EDWARDS_KEY_PAIR_GEN, pkcs11.CKF_GENERATE_KEY_PAIR},
}

// Mechanisms reports, for each mechanism signet uses to sign and to generate keys, whether
// the token lists it (C_GetMechanismList) with the flag signet needs (C_GetMechanismInfo).
func (t *Token) Mechanisms() ([]Mechanism, error) {
	unlock, err := t.session(false)
	if err != nil {
		return nil, err
	}
	defer unlock()
	list, err := t.mod.ctx.GetMechanismList(t.slotID)
	if err != nil {
		return nil, newError(ErrToken, err, fmt.Sprintf("token %q: list mechanisms", t.info.Label))
	}
	listed := map[uint]bool{}
	for _, m := range list {
		listed[m.Mechanism] = true
	}
	out := make([]Mechanism, 0, len(mechanismsUsed))
	for _, mu := range mechanismsUsed {
		m := Mechanism{Scheme: mu.scheme, Name: mechNames[mu.code], Code: mu.code, Listed: listed[mu.code]}
		if m.Listed {
			info, err := t.mod.ctx.GetMechanismInfo(t.slotID, []*pkcs11.Mechanism{pkcs11.NewMechanism(mu.code, nil)})
			if err == nil {
				m.Available = info.Flags&mu.flag != 0
				m.MinKeySize, m.MaxKeySize = info.MinKeySize, info.MaxKeySize
			}
		}
		out = append(out, m)
	}
	return out, nil
}
