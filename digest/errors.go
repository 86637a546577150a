package digest

import (
	"context"
	"errors"
	"fmt"
)

// The sentinels keep the "sign:" prefix they had when this package was part of package sign:
// their text reaches users in signet's messages, which are part of its contract.
var (
	// ErrCheckFailed is returned when a checksum list was checked and at least one file did not
	// match or could not be read. The individual results were already reported.
	ErrCheckFailed = errors.New("sign: check failed")
	// ErrMalformedList is returned for a checksum list line that is in neither coreutils form.
	ErrMalformedList = errors.New("sign: malformed checksum list")
	// ErrUnknownAlgorithm is returned for a hash algorithm name signet does not know; see
	// AlgorithmError.
	ErrUnknownAlgorithm = errors.New("sign: unknown hash algorithm")
	// ErrNoStdin is the reason (FileError.Err) a file named "-" cannot be read when the
	// options give no standard input.
	ErrNoStdin = errors.New("standard input is not available")
	// ErrNoContext is returned by the functions that take a context when they are given nil:
	// nothing was read.
	ErrNoContext = errors.New("digest: no context")
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

// noContext is the error of a function given a nil context, nil otherwise.
func noContext(ctx context.Context) error {
	if ctx == nil {
		return fmt.Errorf("%w: a nil context was given", ErrNoContext)
	}
	return nil
}
