package hsm

import (
	"fmt"

	"github.com/miekg/pkcs11"
)

// loginFailure explains a failed C_Login in plain words. code is the CKR_ value, cause the
// module's error (kept in the chain for errors.As), from where the PIN came from, and after
// the token's flags read after the failure. The PIN itself is never part of the message.
func loginFailure(code uint, cause error, t TokenInfo, from string, after TokenFlags) error {
	label := t.Label
	switch code {
	case pkcs11.CKR_PIN_INCORRECT:
		msg := fmt.Sprintf("token %q: wrong PIN (from %s)", label, from)
		switch {
		case after.PINLocked:
			msg += "; the PIN is now locked; unlock it with the security officer PIN"
			return newError(ErrPINLocked, cause, msg)
		case after.PINFinalTry:
			msg += "; the token will lock after one more wrong try"
		}
		return newError(ErrPIN, cause, msg)
	case pkcs11.CKR_PIN_LOCKED:
		return newError(ErrPINLocked, cause, fmt.Sprintf("token %q: the user PIN is locked; unlock it with the security officer PIN", label))
	case pkcs11.CKR_PIN_LEN_RANGE:
		return newError(ErrPIN, cause, fmt.Sprintf("token %q: the PIN (from %s) has a length the token refuses (it takes %d to %d characters)", label, from, t.MinPINLen, t.MaxPINLen))
	case pkcs11.CKR_PIN_INVALID:
		return newError(ErrPIN, cause, fmt.Sprintf("token %q: the PIN (from %s) has characters the token refuses", label, from))
	case pkcs11.CKR_PIN_EXPIRED:
		return newError(ErrPIN, cause, fmt.Sprintf("token %q: the PIN has expired; change it with the token's tools (for example pkcs11-tool --change-pin)", label))
	case pkcs11.CKR_USER_PIN_NOT_INITIALIZED:
		return newError(ErrPIN, cause, fmt.Sprintf("token %q has no user PIN yet; set one with the security officer PIN", label))
	}
	if from != "" {
		return newError(ErrToken, cause, fmt.Sprintf("token %q: log in with the PIN from %s", label, from))
	}
	return newError(ErrToken, cause, fmt.Sprintf("token %q: log in", label))
}
