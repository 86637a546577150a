package x509util

import (
	"errors"
	"fmt"
)

// MaxPeerCertificates is the most certificates signet takes from a TLS peer, client or
// server: a leaf and nine CA certificates, more than any real chain needs. crypto/tls takes
// up to 256 KiB of them, and path building over hundreds of same-named certificates, each
// signature tried, costs hundreds of milliseconds of CPU per handshake (0.38 s for 300 P-521
// ones, measured), spent before the peer has proven it holds any key; a report would print
// every one. tls serve, the tunnel (both sides), tls check and tls audit refuse more, through
// CheckPeerChainLength.
const MaxPeerCertificates = 10

// ErrTooManyCertificates is a TLS peer's chain of more than MaxPeerCertificates
// certificates, refused unjudged (CheckPeerChainLength).
var ErrTooManyCertificates = errors.New("x509util: too many certificates")

// CheckPeerChainLength refuses a chain of n certificates sent by a TLS peer when n is over
// MaxPeerCertificates: the error wraps ErrTooManyCertificates and says "it sent N
// certificates, more than the 10 a chain may have here", for the caller to say who "it" is.
func CheckPeerChainLength(n int) error {
	if n > MaxPeerCertificates {
		return &tooManyCertificatesError{n}
	}
	return nil
}

type tooManyCertificatesError struct{ sent int }

func (e *tooManyCertificatesError) Error() string {
	return fmt.Sprintf("it sent %d certificates, more than the %d a chain may have here", e.sent, MaxPeerCertificates)
}

func (e *tooManyCertificatesError) Unwrap() error { return ErrTooManyCertificates }
