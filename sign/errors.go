package sign

import (
	"errors"
)

var (
	// ErrMalformedSignature is returned for a signature file that cannot be read: truncated,
	// in no format signet knows, or using a feature it does not support (several CMS signers,
	// a DSSE bundle). It is bad input, not a failed check: nothing was verified.
	ErrMalformedSignature = errors.New("sign: malformed signature")
	// ErrUnsupported is returned when the key, format and hash asked for do not go together:
	// RSA-PSS with a key that is not RSA or in a bundle, a hash a bundle cannot name, a CMS
	// signature without a certificate, a digest given for an Ed25519 raw signature, an
	// unknown signature format, standard input in a manifest; and options that cannot apply
	// (one output name for several files, standard input or a digest without one, a digest of
	// the wrong length).
	ErrUnsupported = errors.New("sign: unsupported")
	// ErrNoFiles is returned by SignFiles when the names given expand to no file at all (a
	// recursive run over directories that hold none): there is nothing to sign or list.
	ErrNoFiles = errors.New("sign: no files to sign")
)

// kindError is an error in its own words that matches a sentinel (errors.Is), for messages
// that would read badly as "sentinel: detail".
type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }
