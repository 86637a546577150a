//go:build cgo

package hsm

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/miekg/pkcs11"

	"github.com/signet-pki/signet/internal/secret"
)

// Token is an open session with one token. It is safe for concurrent use: operations on the
// session are serialised. Close logs out (when this was the process's last Token on that
// token), closes the session and releases the module; the last release finalises it.
type Token struct {
	mod    *module
	slotID uint
	slot   *slotState
	info   TokenInfo
	uri    *URI // the URI the token was opened with
	base   *URI // selects this token in the URIs signet prints
	opts   Options

	mu     sync.Mutex // guards sess, closed and the signing sessions
	sess   pkcs11.SessionHandle
	closed bool

	// Signatures run on a pool of sessions of their own, so that concurrent Sign calls
	// proceed in parallel where the token allows it; sess serves everything else.
	idle    []pkcs11.SessionHandle
	open    int        // signing sessions opened (idle or in use)
	inUse   int        // signing sessions in use
	maxSign int        // at most this many signing sessions
	cond    *sync.Cond // on mu: a signing session came back, or the token closed
}

// Open loads the module a PKCS#11 URI names (see Options for the order), finds the one
// initialised token the URI's token, slot and library attributes select, and opens a session.
// It does not log in: operations that need the private objects do, once per process and
// token. A URI matching no token is an error listing the tokens there are; a URI matching
// several lists them as candidates.
func Open(uri string, opts Options) (*Token, error) {
	u, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	return openURI(u, opts)
}

func openURI(u *URI, opts Options) (t *Token, err error) {
	for _, w := range u.Warnings() {
		opts.warn("%s", w)
	}
	if v := u.vendorPathAttr(); v != "" {
		return nil, &uriError{fmt.Sprintf("vendor attribute %q is not understood by signet and would match nothing", v)}
	}
	path, src, err := resolveModule(u, &opts)
	if err != nil {
		return nil, err
	}
	mod, err := acquireModule(path)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			mod.release()
		}
	}()
	base := baseQuery(u, src, path)
	if !u.matchModule(mod.info) {
		return nil, newError(ErrTokenNotFound, nil, fmt.Sprintf("module %s (%s %s %s) does not match the URI's library attributes", path, mod.info.Manufacturer, mod.info.Description, mod.info.Version()))
	}
	all, err := mod.tokens()
	if err != nil {
		return nil, err
	}
	var match, usable []TokenInfo
	for i := range all {
		all[i].URI = tokenURI(all[i], base).String()
		if !all[i].Present || !all[i].Flags.Initialized {
			continue // SoftHSM always offers a blank token; it can never be the one meant
		}
		usable = append(usable, all[i])
		if u.matchToken(all[i]) {
			match = append(match, all[i])
		}
	}
	switch {
	case len(match) == 0:
		avail := "the module has no initialised token"
		if len(usable) > 0 {
			avail = "tokens there: " + joinTokenURIs(usable)
		}
		return nil, newError(ErrTokenNotFound, nil, fmt.Sprintf("no token matches %s in module %s; %s", pathPart(u.tokenPart()), path, avail))
	case len(match) > 1:
		return nil, newError(ErrAmbiguous, nil, fmt.Sprintf("%s matches %d tokens; name one: %s", pathPart(u.tokenPart()), len(match), joinTokenURIs(match)))
	}
	ti := match[0]
	sess, err := mod.ctx.OpenSession(ti.SlotID, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
	if isCKR(err, pkcs11.CKR_TOKEN_WRITE_PROTECTED) {
		sess, err = mod.ctx.OpenSession(ti.SlotID, pkcs11.CKF_SERIAL_SESSION)
	}
	if err != nil {
		return nil, newError(ErrToken, err, fmt.Sprintf("token %q: open a session", ti.Label))
	}
	t = &Token{
		mod:     mod,
		slotID:  ti.SlotID,
		slot:    mod.acquireSlot(ti.SlotID),
		info:    ti,
		uri:     u,
		base:    tokenURI(ti, base),
		opts:    opts,
		sess:    sess,
		maxSign: min(max(runtime.GOMAXPROCS(0), 1), 16),
	}
	t.cond = sync.NewCond(&t.mu)
	return t, nil
}

// signSession takes a signing session from the pool, opening one when none is idle and the
// pool may grow, else waiting for one. Pair it with putSignSession.
func (t *Token) signSession() (pkcs11.SessionHandle, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for {
		if err := t.checkOpen(); err != nil {
			return 0, err
		}
		if n := len(t.idle); n > 0 {
			s := t.idle[n-1]
			t.idle = t.idle[:n-1]
			t.inUse++
			return s, nil
		}
		if t.open < t.maxSign {
			s, err := t.mod.ctx.OpenSession(t.slotID, pkcs11.CKF_SERIAL_SESSION)
			if err == nil {
				t.open++
				t.inUse++
				return s, nil
			}
			if t.open == 0 {
				return 0, newError(ErrToken, err, fmt.Sprintf("token %q: open a session", t.info.Label))
			}
			t.maxSign = t.open // the token allows no more sessions: share those there are
			continue
		}
		t.cond.Wait()
	}
}

func (t *Token) putSignSession(s pkcs11.SessionHandle) {
	t.mu.Lock()
	t.idle = append(t.idle, s)
	t.inUse--
	t.cond.Broadcast()
	t.mu.Unlock()
}

// baseQuery returns the query part carried into printed URIs: the module when it came from
// the URI or an option (not from the environment or the default), and the pin-source.
func baseQuery(u *URI, src moduleSource, path string) *URI {
	b := &URI{PINSource: u.PINSource}
	switch src {
	case fromURI:
		b.ModulePath, b.ModuleName = u.ModulePath, u.ModuleName
	case fromOption:
		if abs, err := filepath.Abs(path); err == nil {
			b.ModulePath = abs
		}
	}
	return b
}

// tokenURI returns the URI selecting a token: its label and serial (manufacturer and model
// when it has no serial), or the slot id for an empty slot, plus the query of q.
func tokenURI(t TokenInfo, q *URI) *URI {
	u := &URI{ModulePath: q.ModulePath, ModuleName: q.ModuleName, PINSource: q.PINSource}
	if !t.Present {
		u.SlotID = strconv.FormatUint(uint64(t.SlotID), 10)
		return u
	}
	u.Token = t.Label
	u.present |= 1 << aToken
	if t.Serial != "" {
		u.Serial = t.Serial
	} else {
		u.Manufacturer, u.Model = t.Manufacturer, t.Model
		u.present |= 1<<aManufacturer | 1<<aModel
	}
	return u
}

// pathPart is a URI without its query, for messages that name the module separately.
func pathPart(u *URI) string {
	s, _, _ := strings.Cut(u.String(), "?")
	return s
}

func joinTokenURIs(ts []TokenInfo) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.URI
	}
	return strings.Join(s, ", ")
}

func isCKR(err error, code uint) bool {
	var ckr pkcs11.Error
	return errors.As(err, &ckr) && uint(ckr) == code
}

// listTokens lists the module's slots and tokens; the URI's token attributes filter them.
func listTokens(uri string, opts Options) (ModuleInfo, []TokenInfo, error) {
	u, err := ParseURI(uri)
	if err != nil {
		return ModuleInfo{}, nil, err
	}
	for _, w := range u.Warnings() {
		opts.warn("%s", w)
	}
	path, src, err := resolveModule(u, &opts)
	if err != nil {
		return ModuleInfo{}, nil, err
	}
	mod, err := acquireModule(path)
	if err != nil {
		return ModuleInfo{}, nil, err
	}
	defer mod.release()
	if !u.matchModule(mod.info) {
		return mod.info, nil, nil
	}
	all, err := mod.tokens()
	if err != nil {
		return mod.info, nil, err
	}
	base := baseQuery(u, src, path)
	var out []TokenInfo
	for _, t := range all {
		if !u.matchToken(t) {
			continue
		}
		t.URI = tokenURI(t, base).String()
		out = append(out, t)
	}
	return mod.info, out, nil
}

// Info returns the token's description as it was when the token was opened.
func (t *Token) Info() TokenInfo { return t.info }

// Module returns the description of the token's module.
func (t *Token) Module() ModuleInfo { return t.mod.info }

// URI returns the URI that selects this token.
func (t *Token) URI() string { return t.base.String() }

// Close logs out when this is the process's last Token on the token, closes the session and
// releases the module. It is safe to call more than once.
func (t *Token) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	t.cond.Broadcast()
	for t.inUse > 0 { // signatures in flight finish first
		t.cond.Wait()
	}
	var errs []error
	for _, s := range t.idle {
		if err := t.mod.ctx.CloseSession(s); err != nil {
			errs = append(errs, newError(ErrToken, err, fmt.Sprintf("token %q: close a session", t.info.Label)))
		}
	}
	t.idle = nil
	last, loggedIn := t.mod.releaseSlot(t.slotID)
	if last && loggedIn {
		if err := t.mod.ctx.Logout(t.sess); err != nil && !isCKR(err, pkcs11.CKR_USER_NOT_LOGGED_IN) {
			errs = append(errs, newError(ErrToken, err, fmt.Sprintf("token %q: log out", t.info.Label)))
		}
	}
	if err := t.mod.ctx.CloseSession(t.sess); err != nil {
		errs = append(errs, newError(ErrToken, err, fmt.Sprintf("token %q: close the session", t.info.Label)))
	}
	t.mu.Unlock()
	if err := t.mod.release(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// checkOpen returns an error when the token was closed. The caller holds t.mu.
func (t *Token) checkOpen() error {
	if t.closed {
		return newError(ErrToken, nil, fmt.Sprintf("token %q: used after Close", t.info.Label))
	}
	return nil
}

// login logs the user in when the token needs it and nobody in the process has yet. The
// caller holds t.mu. A PIN is tried once; a wrong one is reported, never retried.
func (t *Token) login() error {
	if !t.info.Flags.LoginRequired {
		return nil
	}
	if t.opts.NoLogin {
		return newError(ErrPIN, nil, fmt.Sprintf("token %q: this needs a login, and logging in was turned off", t.info.Label))
	}
	t.slot.loginMu.Lock()
	defer t.slot.loginMu.Unlock()
	t.mod.mu.Lock()
	done := t.slot.loggedIn
	t.mod.mu.Unlock()
	if done {
		return nil
	}
	if si, err := t.mod.ctx.GetSessionInfo(t.sess); err == nil &&
		(si.State == pkcs11.CKS_RO_USER_FUNCTIONS || si.State == pkcs11.CKS_RW_USER_FUNCTIONS) {
		t.markLoggedIn()
		return nil
	}
	ti, err := t.mod.tokenInfo(t.slotID)
	if err != nil {
		return err
	}
	ti.URI = t.info.URI
	label := t.info.Label
	switch {
	case ti.Flags.PINLocked:
		return newError(ErrPINLocked, nil, fmt.Sprintf("token %q: the user PIN is locked after too many wrong PINs; unlock it with the security officer PIN (for example pkcs11-tool --login --login-type so --init-pin)", label))
	case ti.Flags.PINFinalTry:
		t.opts.warn("token %q: one more wrong PIN locks the token", label)
	}
	var pin []byte
	from := "the token's PIN pad"
	if !ti.Flags.ProtectedAuthPath || t.pinConfigured() {
		pin, from, err = t.readPIN(ti)
		if err != nil {
			return err
		}
	}
	err = t.mod.ctx.Login(t.sess, pkcs11.CKU_USER, string(pin))
	secret.Wipe(pin)
	if err != nil && !isCKR(err, pkcs11.CKR_USER_ALREADY_LOGGED_IN) {
		return t.loginError(err, from)
	}
	t.markLoggedIn()
	return nil
}

func (t *Token) markLoggedIn() {
	t.mod.mu.Lock()
	t.slot.loggedIn = true
	t.mod.mu.Unlock()
}

// pinConfigured reports whether a PIN comes from somewhere other than the PIN pad.
func (t *Token) pinConfigured() bool {
	return t.uri.PINSource != "" || t.uri.has(aPINValue) || t.opts.getenv(EnvPIN) != "" || t.opts.PIN != nil
}

// readPIN obtains the PIN and says where it came from, for messages.
func (t *Token) readPIN(ti TokenInfo) ([]byte, string, error) {
	from := "the PIN prompt"
	switch {
	case t.uri.PINSource != "":
		from = "the URI's pin-source"
	case t.uri.has(aPINValue):
		from = "the URI's pin-value"
	case t.opts.getenv(EnvPIN) != "":
		from = "$" + EnvPIN
	}
	pin, err := t.opts.readPIN(t.uri, ti)
	return pin, from, err
}

// loginError turns a failed C_Login into plain words, keeping the CKR_ code in the chain.
func (t *Token) loginError(err error, from string) error {
	after, _ := t.mod.tokenInfo(t.slotID)
	var ckr pkcs11.Error
	errors.As(err, &ckr)
	return loginFailure(uint(ckr), err, t.info, from, after.Flags)
}

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
		objs[i].URI = t.objectURI(&objs[i]).String()
	}
	pair(objs)
	sort.SliceStable(objs, func(i, j int) bool {
		if c := bytes.Compare(objs[i].ID, objs[j].ID); c != 0 {
			return c < 0
		}
		if objs[i].Label != objs[j].Label {
			return objs[i].Label < objs[j].Label
		}
		return typeOrder(objs[i].Type) < typeOrder(objs[j].Type)
	})
	return objs, nil
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

// objectURI returns the URI selecting an object: the token's, plus label, id and type.
func (t *Token) objectURI(o *Object) *URI {
	u := t.base.Clone()
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
	same := func(a, b *Object) bool {
		if len(a.ID) > 0 || len(b.ID) > 0 {
			return bytes.Equal(a.ID, b.ID)
		}
		return a.Label == b.Label
	}
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

// Objects lists the objects on the token that match the URI's object, id and type
// attributes (nil: the URI the token was opened with). It logs in first, when the token
// needs it and Options.NoLogin is not set, so that private keys are listed too.
func (t *Token) Objects(u *URI) ([]Object, error) {
	if u == nil {
		u = t.uri
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.checkOpen(); err != nil {
		return nil, err
	}
	if !t.opts.NoLogin {
		if err := t.login(); err != nil {
			return nil, err
		}
	}
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

func joinObjectURIs(objs []Object) string {
	s := make([]string, len(objs))
	for i := range objs {
		s[i] = objs[i].URI
	}
	return strings.Join(s, ", ")
}

// findPrivateKey returns the one private key a URI selects. The caller holds t.mu and has
// logged in.
func (t *Token) findPrivateKey(u *URI, all []Object) (Object, error) {
	if u.Type != "" && u.Type != TypePrivate {
		return Object{}, &uriError{fmt.Sprintf("a key reference selects a private key; this one has type=%s", u.Type)}
	}
	var keys, others []Object
	for _, o := range all {
		if o.Type == TypePrivate && u.matchObject(&o) {
			keys = append(keys, o)
		} else if o.Type == TypePrivate {
			others = append(others, o)
		}
	}
	sel := u.Clone()
	sel.Type = TypePrivate
	switch len(keys) {
	case 1:
		return keys[0], nil
	case 0:
		msg := fmt.Sprintf("no private key matches %s on token %q", objectPart(sel), t.info.Label)
		if len(others) > 0 {
			msg += "; private keys there: " + joinObjectURIs(others)
		} else {
			msg += "; the token has no private key"
			if t.info.Flags.LoginRequired && !t.slotLoggedIn() {
				msg += " visible without logging in"
			}
		}
		return Object{}, newError(ErrObjectNotFound, nil, msg)
	}
	return Object{}, newError(ErrAmbiguous, nil, fmt.Sprintf("%s matches %d private keys on token %q; name one with object= and id=: %s", objectPart(sel), len(keys), t.info.Label, joinObjectURIs(keys)))
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

func (t *Token) slotLoggedIn() bool {
	t.mod.mu.Lock()
	defer t.mod.mu.Unlock()
	return t.slot.loggedIn
}
