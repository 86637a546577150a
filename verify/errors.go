package verify

import (
	"crypto/x509"
	"errors"
	"slices"
)

var (
	// ErrInvalid matches every *Error: the certificate was checked and is not acceptable under
	// the policy. The CLI maps it to exit code 1.
	ErrInvalid = errors.New("verify: certificate invalid")
	// ErrPolicy is returned when the policy itself cannot be applied: no trust anchors, a
	// negative MaxDepth, an unknown extended key usage name. Nothing was checked.
	ErrPolicy = errors.New("verify: unusable policy")
	// ErrUnchecked is returned when no verdict could be reached for a reason other than the
	// certificate: no certificate given, or the system trust store cannot be read. Keep it
	// apart from ErrInvalid: "could not check" is not "checked and refused".
	ErrUnchecked = errors.New("verify: could not check")
)

// Reason classifies why a certificate is not acceptable. Reasons are stable strings (they
// appear in JSON) and each is also an error value, so a caller can map them with errors.Is:
//
//	errors.Is(err, verify.Revoked)
//
// which makes turning reasons into exit codes a table. Every Reason also matches ErrInvalid.
type Reason string

const (
	// Expired: the leaf, an intermediate or the root is past its notAfter at the
	// validation time.
	Expired Reason = "expired"
	// NotYetValid: a certificate of the chain is before its notBefore.
	NotYetValid Reason = "not-yet-valid"
	// UnknownAuthority: no chain to a trust anchor could be built (a missing intermediate, an
	// untrusted root, a root with the right name but another key).
	UnknownAuthority Reason = "unknown-authority"
	// Revoked: a CRL of the chain lists the leaf or an intermediate.
	Revoked Reason = "revoked"
	// EKU: the leaf, or a CA above it, does not allow a required extended key usage.
	EKU Reason = "eku"
	// NameMismatch: the leaf is not valid for the DNS name, IP address or email required.
	NameMismatch Reason = "name-mismatch"
	// Depth: the chain has more intermediates than Policy.MaxDepth allows.
	Depth Reason = "depth"
	// Constraint: a CA constraint is broken: an issuer that is not a CA or lacks keyCertSign,
	// a path length or name constraint exceeded, an unhandled critical extension, certificate
	// policies.
	Constraint Reason = "constraint"
	// KeyUsage: the leaf's key usage lacks a bit that Policy.KeyUsage requires.
	KeyUsage Reason = "key-usage"
	// Malformed: a certificate breaks an RFC 5280 rule about its own contents (keyCertSign in
	// a non-CA, an empty subject without a critical subjectAltName).
	Malformed Reason = "malformed"
	// CRLInvalid: revocation information given for a certificate of the chain cannot be
	// used: a CRL or OCSP response not signed by the issuer or a signer it authorised, a
	// signer without cRLSign (or id-kp-OCSPSigning), expired or not yet valid, an unsupported
	// critical extension, no CRL number.
	CRLInvalid Reason = "crl-invalid"
	// CRLMissing: the status of a certificate could not be established: Policy.RequireCRL is
	// set and no CRL covers it, or the CRLs given for its issuer do not cover it (another
	// distribution point, only some reasons, a delta without its base).
	CRLMissing Reason = "crl-missing"
)

// Reasons lists every Reason, for documentation and exhaustive mapping tables. The list is a
// copy.
func Reasons() []Reason { return slices.Clone(reasons) }

var reasons = []Reason{Expired, NotYetValid, UnknownAuthority, Revoked, EKU, NameMismatch, Depth,
	Constraint, KeyUsage, Malformed, CRLInvalid, CRLMissing}

// Error returns the reason's name, as String would: a Reason is an error only to serve as an
// errors.Is target, and prints as its name (Verify never returns a bare Reason).
func (r Reason) Error() string { return string(r) }

// Error is a verdict of "not acceptable": why (Reason), about which certificate, in words
// (Detail), and the crypto/x509 error underneath when there is one (x509.CertificateInvalidError,
// x509.UnknownAuthorityError, x509.HostnameError, x509.UnhandledCriticalExtension,
// x509.ConstraintViolationError), reachable with errors.As.
type Error struct {
	Reason Reason
	// Cert is the certificate at fault; nil when the failure is not about one (a CRL).
	Cert *x509.Certificate
	// Detail says what failed, e.g. "certificate CN=x expired at 2021-01-01T00:00:00Z".
	Detail string
	// Rule is the stable id of the rule that failed (e.g. "rfc5280.serial-zero"); the table
	// in the package documentation gives the section of the standard for each.
	Rule string
	// Err is the underlying error, or nil.
	Err error
}

func (e *Error) Error() string {
	if e.Rule == "" {
		return "verify: " + e.Detail
	}
	return "verify: " + e.Detail + " [" + e.Rule + "]"
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes every *Error match ErrInvalid and its own Reason.
func (e *Error) Is(target error) bool {
	if target == ErrInvalid {
		return true
	}
	r, ok := target.(Reason)
	return ok && r == e.Reason
}
