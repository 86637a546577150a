package sigformat

import "errors"

// The sentinels keep the "sign:" prefix they had when this package was part of package sign:
// their text reaches users in signet's messages, which are part of its contract.
var (
	// ErrMalformedSignature is returned for a signature file that cannot be read: truncated,
	// in no format signet knows, or using a feature it does not support (several CMS signers,
	// a DSSE bundle). It is bad input, not a failed check: nothing was verified.
	ErrMalformedSignature = errors.New("sign: malformed signature")
	// ErrUnsupported is returned for what the formats cannot express: an unknown format name,
	// a hash a bundle or CMS cannot name, a key type CMS cannot name. Package sign returns it
	// too (sign.ErrUnsupported is this error) for combinations of key, format and hash it
	// cannot make.
	ErrUnsupported = errors.New("sign: unsupported")
)

// kindError is an error in its own words that matches a sentinel (errors.Is), for messages
// that would read badly as "sentinel: detail".
type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }
