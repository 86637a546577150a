package x509util

import "errors"

var (
	// ErrMalformed is returned when input is not a key, certificate, CSR or CRL in any encoding
	// signet reads (truncated PEM, garbage, wrong PEM type).
	ErrMalformed = errors.New("x509util: malformed input")
	// ErrUnsupported is returned for a well-formed object of a kind signet does not handle
	// (an unknown key algorithm or curve).
	ErrUnsupported = errors.New("x509util: unsupported")
	// ErrIncorrectPassphrase is returned when an encrypted key does not decrypt with the
	// passphrase given.
	ErrIncorrectPassphrase = errors.New("x509util: incorrect passphrase")
	// ErrKeyMismatch is returned when a key does not belong with a certificate or another key.
	ErrKeyMismatch = errors.New("x509util: key mismatch")
	// ErrInvalidName is returned for a malformed distinguished name or subject alternative name.
	ErrInvalidName = errors.New("x509util: invalid name")
	// ErrNameConstraint is returned when a certificate to issue has a name outside the name
	// constraints of its issuer (or of a CA above it); see NameConstraintError.
	ErrNameConstraint = errors.New("x509util: name outside the issuer's name constraints")
	// ErrValidity is returned for a validity period that cannot be issued: one that ends
	// before it starts, or a time X.509 cannot encode (outside the years 1950 to 9999).
	ErrValidity = errors.New("x509util: invalid validity period")
	// ErrEmptyPassphrase is returned when a file that holds a private key would be written
	// under the empty passphrase without the explicit choice of none (P12Options.NoPassphrase),
	// or with that choice and a passphrase given as well.
	ErrEmptyPassphrase = errors.New("x509util: empty passphrase")
)
