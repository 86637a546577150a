package sign

import (
	"errors"

	"github.com/signet-pki/signet/sigformat"
)

var (
	// ErrUnsupported is returned when the key, format and hash asked for do not go together:
	// RSA-PSS with a key that is not RSA or in a bundle, a hash a bundle cannot name, a CMS
	// signature without a certificate, a digest given for an Ed25519 raw signature, an
	// unknown signature format, standard input in a manifest; and options that cannot apply
	// (one output name for several files, standard input or a digest without one, a digest of
	// the wrong length). It is sigformat.ErrUnsupported, so that one errors.Is covers what
	// the formats cannot express and what the signer cannot make.
	ErrUnsupported = sigformat.ErrUnsupported
	// ErrNoFiles is returned by SignFiles when the names given expand to no file at all (a
	// recursive run over directories that hold none): there is nothing to sign or list.
	ErrNoFiles = errors.New("sign: no files to sign")
	// ErrOutsideList is returned by SignFiles with a Manifest when a file to list is outside
	// the list's directory and FilesOptions.AllowOutside is not set: the list would name it
	// by a path that verifying refuses unless told to allow it (verify.ReasonOutsidePath).
	ErrOutsideList = errors.New("sign: file outside the list's directory")
)

// kindError is an error in its own words that matches a sentinel (errors.Is), for messages
// that would read badly as "sentinel: detail".
type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }
