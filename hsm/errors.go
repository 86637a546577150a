package hsm

import (
	"errors"
	"strings"
)

// ErrToken is the root of every error about a PKCS#11 module, token, PIN or token key; more
// specific errors wrap it, so errors.Is(err, ErrToken) tells callers "key or token problem".
var ErrToken = errors.New("hsm: token error")

// Specific errors. Each wraps ErrToken (ErrPINLocked and ErrPINFinalTry also wrap ErrPIN), so callers can branch
// on the detail or treat them all as "key or token problem". Errors from the module keep the
// module's return value: errors.As(err, &pkcs11.Error(0)) finds the CKR_ code.
var (
	// ErrNotSupported is returned for every token operation of a binary built without cgo.
	ErrNotSupported = newKind("built without PKCS#11 support", ErrToken)
	// ErrModule is returned when no PKCS#11 module is configured, or the module cannot be
	// found, loaded or initialised.
	ErrModule = newKind("PKCS#11 module", ErrToken)
	// ErrTokenNotFound is returned when no initialised token matches a URI.
	ErrTokenNotFound = newKind("token not found", ErrToken)
	// ErrObjectNotFound is returned when no key, certificate or object matches a URI.
	ErrObjectNotFound = newKind("object not found", ErrToken)
	// ErrAmbiguous is returned when a URI matches several tokens or several keys where one is
	// needed; the message lists the candidates as URIs.
	ErrAmbiguous = newKind("ambiguous URI", ErrToken)
	// ErrPIN is returned for a PIN the token refused (wrong, wrong length, expired) and when
	// no PIN could be obtained for a token that needs one.
	ErrPIN = newKind("PIN", ErrToken)
	// ErrPINLocked is returned when the token's user PIN is locked; it wraps ErrPIN.
	ErrPINLocked = newKind("PIN locked", ErrPIN)
	// ErrPINFinalTry is returned, without trying the PIN, when one more wrong PIN locks the
	// token (CKF_USER_PIN_FINAL_TRY) and the PIN comes from a file, the URI or $SIGNET_PIN,
	// unless $SIGNET_PIN_FINAL_TRY is 1; it wraps ErrPIN.
	ErrPINFinalTry = newKind("PIN final try", ErrPIN)
	// ErrExists is returned when a new key or certificate would reuse the label or id of an
	// object already on the token.
	ErrExists = newKind("object exists", ErrToken)
	// ErrChainRenewal is returned when a chain certificate to write would take the place of
	// another certificate of the same CA (the same subject and public key: the CA renewed its
	// certificate under its key) and the import was not asked to replace it
	// (ChainOptions.RenewChain); it wraps ErrExists.
	ErrChainRenewal = newKind("CA certificate renewed", ErrExists)
	// ErrUnsupportedKey is returned for a key type, curve, size, hash or signature scheme
	// signet cannot use on a token, and for a mechanism the token does not offer.
	ErrUnsupportedKey = newKind("unsupported key or mechanism", ErrToken)
	// ErrKeyMismatch is returned when a certificate's public key is not the token key's.
	ErrKeyMismatch = newKind("certificate does not match the key", ErrToken)
)

// ErrInvalidURI is returned for a string that is not a well-formed RFC 7512 PKCS#11 URI, or a
// URI that cannot be used for the operation asked (for example key generation without
// object=). It does not wrap ErrToken: it is a usage problem, not a token problem.
var ErrInvalidURI = errors.New("hsm: invalid PKCS#11 URI")

// kind is a sentinel that wraps a parent sentinel.
type kind struct {
	msg    string
	parent error
}

func newKind(msg string, parent error) error { return &kind{msg: "hsm: " + msg, parent: parent} }

func (k *kind) Error() string { return k.msg }
func (k *kind) Unwrap() error { return k.parent }

// tokenError is an error whose message is written for people while its chain carries a
// sentinel (for exit codes) and, when there is one, the module's CKR_ code.
type tokenError struct {
	msg   string
	kind  error
	cause error
	quiet bool // cause is wrapped but its text is already in msg
}

func (e *tokenError) Error() string {
	var b strings.Builder
	b.WriteString("hsm: ")
	b.WriteString(e.msg)
	if e.cause != nil && !e.quiet {
		b.WriteString(" (")
		b.WriteString(e.cause.Error())
		b.WriteString(")")
	}
	return b.String()
}

func (e *tokenError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

// newError builds an error of the given kind. cause may be nil; otherwise its text is shown in
// parentheses and errors.As reaches it.
func newError(kind error, cause error, msg string) error {
	return &tokenError{msg: msg, kind: kind, cause: cause}
}

// wrapError builds an error of the given kind whose message already says what cause says;
// errors.Is and errors.As still reach cause.
func wrapError(kind error, cause error, msg string) error {
	return &tokenError{msg: msg, kind: kind, cause: cause, quiet: true}
}

// uriError is a malformed URI. It never quotes the URI itself, which may hold a pin-value.
type uriError struct{ msg string }

func (e *uriError) Error() string { return "hsm: invalid PKCS#11 URI: " + e.msg }
func (e *uriError) Unwrap() error { return ErrInvalidURI }
