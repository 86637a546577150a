//go:build cgo

package hsm

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/miekg/pkcs11"
)

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
	pin, from, err := t.pinFor(ti)
	if err != nil {
		return err
	}
	if pin == nil {
		// A PIN pad: C_Login waits for the user at the reader, and Ctrl-C must still end
		// signet there.
		err = t.mod.ctx.Login(t.sess, pkcs11.CKU_USER, "")
	} else {
		err = holdSignals(func() error {
			if testHookLogin != nil {
				testHookLogin()
			}
			return t.mod.ctx.Login(t.sess, pkcs11.CKU_USER, string(pin))
		})
	}
	clear(pin)
	if err != nil && !isCKR(err, pkcs11.CKR_USER_ALREADY_LOGGED_IN) {
		return t.loginError(err, from)
	}
	t.markLoggedIn()
	return nil
}

// pinFor reads the token's PIN flags (ti, read just now) and then the PIN for a login, and
// says where it came from. The PIN is nil for a token with a PIN pad and no PIN source. It
// refuses, with nothing read or tried, a locked PIN (ErrPINLocked) and, on the final try, an
// unattended PIN unless $SIGNET_PIN_FINAL_TRY is 1 (ErrPINFinalTry); it warns on a low PIN
// count and on the final try; it refuses an empty PIN or one of a length the token does not
// take. The caller holds t.slot.loginMu and wipes the PIN.
func (t *Token) pinFor(ti TokenInfo) ([]byte, string, error) {
	label := t.info.Label
	padOnly := ti.Flags.ProtectedAuthPath && !t.pinConfigured()
	// What the token says about its PIN counter, before any PIN is read or tried.
	switch {
	case ti.Flags.PINLocked:
		return nil, "", newError(ErrPINLocked, nil, fmt.Sprintf("token %q: the user PIN is locked after too many wrong PINs; unlock it with the security officer PIN (for example pkcs11-tool --login --login-type so --init-pin)", label))
	case ti.Flags.PINFinalTry:
		// A PIN no one looks at before it is tried (a CI secret gone stale) must not be the
		// one that locks the token.
		if from, unattended := t.pinSource(); unattended && !padOnly && t.opts.getenv(EnvPINFinalTry) != "1" {
			return nil, "", newError(ErrPINFinalTry, nil, fmt.Sprintf("token %q: one more wrong PIN locks the token, so the PIN from %s was not tried; check it, then run again with %s=1 to try it", label, from, EnvPINFinalTry))
		}
		t.opts.warn("token %q: one more wrong PIN locks the token", label)
	case ti.Flags.PINCountLow:
		t.opts.warn("token %q: a wrong PIN was entered since the last login; a few more lock the token", label)
	}
	if padOnly {
		// C_Login waits for the PIN pad: say so first, or the command seems to hang.
		t.opts.warn("token %q: enter the PIN on the reader's PIN pad", label)
		return nil, "the token's PIN pad", nil
	}
	pin, from, err := t.readPIN(ti)
	if err != nil {
		return nil, "", err
	}
	if len(pin) == 0 {
		// Never tried: a token may count an empty PIN as a wrong one.
		return nil, "", newError(ErrPIN, nil, fmt.Sprintf("token %q: the PIN from %s is empty; it was not tried", label, from))
	}
	if n := uint(len(pin)); pinLengthOutside(n, ti.MinPINLen, ti.MaxPINLen) {
		clear(pin)
		return nil, "", newError(ErrPIN, nil, fmt.Sprintf("token %q: the PIN from %s has %d characters, and the token takes %d to %d; it was not tried", label, from, n, ti.MinPINLen, ti.MaxPINLen))
	}
	return pin, from, nil
}

// contextLogin authenticates the signing operation just started on sess, for a key with
// CKA_ALWAYS_AUTHENTICATE: C_Login with CKU_CONTEXT_SPECIFIC and the PIN read again from its
// source (pinFor: the same flag checks and refusals as the token login). Logins are
// serialised, so that prompts never overlap. failed keeps the first failure, guarded by the
// login mutex: once set it is returned with nothing read or tried.
func (t *Token) contextLogin(sess pkcs11.SessionHandle, failed *error) (err error) {
	t.slot.loginMu.Lock()
	defer t.slot.loginMu.Unlock()
	if *failed != nil {
		return *failed
	}
	defer func() {
		if err != nil {
			*failed = err
		}
	}()
	ti, err := t.mod.tokenInfo(t.slotID)
	if err != nil {
		return err
	}
	ti.URI = t.info.URI
	pin, from, err := t.pinFor(ti)
	if err != nil {
		return err
	}
	err = t.mod.ctx.Login(sess, pkcs11.CKU_CONTEXT_SPECIFIC, string(pin))
	clear(pin)
	if err != nil {
		return t.loginError(err, from)
	}
	return nil
}

func (t *Token) markLoggedIn() {
	t.mod.mu.Lock()
	t.slot.loggedIn = true
	t.mod.mu.Unlock()
}

// pinConfigured reports whether a PIN was given before the run (the URI's pin-source or
// pin-value, $SIGNET_PIN): a token with a PIN pad takes the PIN there unless one was, as
// pkcs11-tool does without --pin. Options.PIN (the terminal prompt) does not count: typing a
// PIN into the computer would pass over the pad that keeps it from the computer.
func (t *Token) pinConfigured() bool {
	return t.uri.PINSource != "" || t.uri.has(aPINValue) || t.opts.getenv(EnvPIN) != ""
}

// pinSource says where the PIN will come from, for messages, and whether it is unattended: a
// file, the URI or the environment, which no one looks at before it is tried (the prompt is
// the only attended source).
func (t *Token) pinSource() (from string, unattended bool) {
	switch {
	case t.uri.PINSource != "":
		if path, err := pinSourcePath(t.uri.PINSource); err == nil {
			return "the pin-source file " + path, true // which of a CI job's files to mend
		}
		return "the URI's pin-source", true
	case t.uri.has(aPINValue):
		return "the URI's pin-value", true
	case t.opts.getenv(EnvPIN) != "":
		return "$" + EnvPIN, true
	}
	return "the PIN prompt", false
}

// readPIN obtains the PIN and says where it came from, for messages.
func (t *Token) readPIN(ti TokenInfo) ([]byte, string, error) {
	from, _ := t.pinSource()
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

func (t *Token) slotLoggedIn() bool {
	t.mod.mu.Lock()
	defer t.mod.mu.Unlock()
	return t.slot.loggedIn
}

// pinLengthOutside reports whether a PIN of n bytes is outside what the token says it takes.
// Only a range the token states plainly is applied: a bound of 0, or of
// CK_UNAVAILABLE_INFORMATION (all ones), or a minimum above the maximum, says nothing, and a
// PIN refused by a wrongly stated range would be one the token never saw.
func pinLengthOutside(n, minLen, maxLen uint) bool {
	const unavailable = ^uint(0)
	if maxLen == unavailable {
		maxLen = 0
	}
	if minLen == unavailable || maxLen > 0 && minLen > maxLen {
		minLen = 0
	}
	return minLen > 0 && n < minLen || maxLen > 0 && n > maxLen
}

// testHookLogin, when set by a test, is called while the signals are held, before C_Login.
var testHookLogin func()

// holdSignals runs login (a C_Login, or writes to the token that go together) with SIGINT,
// SIGTERM and SIGHUP held: one that comes meanwhile is sent again once login has returned (to
// this thread, so that the caller does not run on: resend), and ends the process then as it would have (or reaches whoever in the process catches it). A token's module may write its own
// state at login: SoftHSM2 (2.6) rewrites the token's token.object in place at every C_Login,
// and a process ended in the middle left it empty, a token that no longer exists (its keys,
// wrapped under it, lost). Ctrl-C or a SIGTERM must never cost a token; SIGKILL cannot be
// held. Signals ignored at the start stay ignored.
//
// Writes are held the same way where several make one change (a key's certificate and its
// chain, a deletion, a key pair): a signal between two of them would leave the token half
// changed (HoldSignals).
//
// Of the logins, only the user's login with a PIN, when a token is opened, is held (at a PIN
// pad the login waits for the user, and Ctrl-C must end it): it comes before any command
// catches signals itself (sign does so once its key is open). The context-specific login of a key that
// needs one for each signature happens while sign catches them and rolls back on the first,
// and a second delivery, sent again from here, would end it in the middle of that roll-back.
func holdSignals(login func() error) error {
	var sigs []os.Signal
	for _, s := range []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		if !signal.Ignored(s) {
			sigs = append(sigs, s)
		}
	}
	held := make(chan os.Signal, len(sigs))
	if len(sigs) > 0 {
		signal.Notify(held, sigs...)
	}
	err := login()
	signal.Stop(held)
	select {
	case s := <-held:
		resend(s)
	default:
	}
	return err
}

// HoldSignals runs fn with SIGINT, SIGTERM and SIGHUP held, as signet holds them for a login
// and for its token writes: one that comes meanwhile is sent again once fn has returned. A
// caller whose writes to a token go together (a key generated, then its certificate) runs
// them in fn, and undoes what it wrote when fn fails, so that no signal leaves them half done.
func HoldSignals(fn func() error) error { return holdSignals(fn) }
