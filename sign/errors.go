package sign

import (
	"errors"
	"fmt"
)

var (
	// ErrCheckFailed is returned when a checksum list was checked and at least one file did not
	// match or could not be read. The individual results were already reported.
	ErrCheckFailed = errors.New("sign: check failed")
	// ErrMalformedList is returned for a checksum list line that is in neither coreutils form.
	ErrMalformedList = errors.New("sign: malformed checksum list")
	// ErrUnknownAlgorithm is returned for a hash algorithm name signet does not know; see
	// AlgorithmError.
	ErrUnknownAlgorithm = errors.New("sign: unknown hash algorithm")
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

// AlgorithmError is a hash algorithm name signet does not know. It wraps ErrUnknownAlgorithm;
// callers that say it in their own words (the flag first) take Name and Known rather than
// cutting up the message.
type AlgorithmError struct {
	Name string // the name as given
}

func (e *AlgorithmError) Error() string {
	return fmt.Sprintf("%v %q (known: %s)", ErrUnknownAlgorithm, e.Name, e.Known())
}

func (e *AlgorithmError) Unwrap() error { return ErrUnknownAlgorithm }

// Known lists the names of the algorithms signet knows, for messages: "sha256, sha384, ...".
func (e *AlgorithmError) Known() string { return algorithmNames() }

// kindError is an error in its own words that matches a sentinel (errors.Is), for messages
// that would read badly as "sentinel: detail".
type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }
