//go:build cgo

package hsm

import (
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/miekg/pkcs11"
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
	if err := opts.admit(u); err != nil {
		return nil, err
	}
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

// dropSignSession closes a signing session instead of returning it to the pool, for a session
// whose operation may still be active; the pool opens a fresh one when it needs one.
func (t *Token) dropSignSession(s pkcs11.SessionHandle) {
	t.mu.Lock()
	t.mod.ctx.CloseSession(s) // nothing to do about a failure: the session is not used again
	t.open--
	t.inUse--
	t.cond.Broadcast()
	t.mu.Unlock()
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
	if err := opts.admit(u); err != nil {
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

// session is the preamble of every operation on the token's objects: it takes t.mu, checks
// that the token is still open and, when login is set, logs in if the token needs it. On
// success the caller holds t.mu and must call unlock; on error nothing is held.
func (t *Token) session(login bool) (unlock func(), err error) {
	t.mu.Lock()
	if err := t.checkOpen(); err != nil {
		t.mu.Unlock()
		return nil, err
	}
	if login {
		if err := t.login(); err != nil {
			t.mu.Unlock()
			return nil, err
		}
	}
	return t.mu.Unlock, nil
}

// checkOpen returns an error when the token was closed. The caller holds t.mu.
func (t *Token) checkOpen() error {
	if t.closed {
		return newError(ErrToken, nil, fmt.Sprintf("token %q: used after Close", t.info.Label))
	}
	return nil
}
