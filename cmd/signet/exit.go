package main

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"syscall"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/hsm"
	"github.com/signet-pki/signet/internal/atomicfile"
	"github.com/signet-pki/signet/internal/enroll"
	"github.com/signet-pki/signet/internal/identity"
	"github.com/signet-pki/signet/internal/keyref"
	"github.com/signet-pki/signet/internal/readlimit"
	"github.com/signet-pki/signet/internal/secret"
	"github.com/signet-pki/signet/internal/tunnel"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/sign"
	"github.com/signet-pki/signet/timestamp"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// Exit codes. This table is the one place they are defined; `signet --help` and the README
// print the same list (exitCodesHelp).
const (
	exitOK          = 0 // success
	exitCheckFailed = 1 // a check failed: hash mismatch, signature or chain invalid
	exitUsage       = 2 // usage error: unknown flag, bad flag value, refused overwrite
	exitBadInput    = 3 // bad input: missing, unreadable or unparseable file
	exitKey         = 4 // key or token problem: wrong passphrase or PIN, key not found, token missing
	exitPINLocked   = 5 // the token's user PIN is locked: only its security officer can unlock it

	// signet verify refines exitCheckFailed into classes (verifyClasses, verifyExitCode).
	exitSigMismatch = 10 // the file changed, wrong key, another file's signature
	exitUntrusted   = 11 // no chain to a trusted root, CA constraints
	exitValidity    = 12 // expired or not yet valid
	exitRevoked     = 13 // revoked, or revocation not established
	exitPolicy      = 14 // EKU, key usage, identity, weak algorithm
	exitTimestamp   = 15 // RFC 3161 timestamp missing (--require-timestamp) or not valid

	// exitUnavailable is a service signet needed that did not answer usably: no RFC 3161 TSA
	// gave a token that checks (sysexits.h EX_UNAVAILABLE).
	exitUnavailable = 69

	// exitInternal is an error nothing above classified: a bug in signet or a failure it did
	// not foresee, never "bad input" by default (sysexits.h EX_SOFTWARE).
	exitInternal = 70
	// exitInterrupted is a run stopped by SIGINT (Ctrl-C), or whose context was cancelled:
	// 128 + SIGINT, as shells report an interrupted command. exitTerminated is one stopped by
	// SIGTERM: 128 + SIGTERM. Either way nothing was written (signalContext, main.go).
	exitInterrupted = 130
	exitTerminated  = 143
)

const exitCodesHelp = `EXIT CODES:
   0  success
   1  a check failed (hash mismatch, signature or chain invalid)
   2  usage error (unknown flag or command, bad flag value, output exists without --force,
      a token object of that label or id exists, no SIGNET_HOME, XDG_CONFIG_HOME or HOME for the local identity)
   3  bad input (missing, unreadable or unparseable file; directories with no file to sign)
   4  key or token problem (wrong passphrase or PIN, no passphrase source, key not found or not the certificate's)
   5  the token's user PIN is locked, before or by this try (unlock it with the security officer PIN)
   10-15  signet verify refines 1: 10 signature mismatch, 11 untrusted chain, 12 expired or
      not yet valid, 13 revoked, 14 policy or identity, 15 timestamp missing
      (--require-timestamp) or invalid (see 'man signet-verify')
   69  no RFC 3161 time-stamp authority answered with a valid token (sign --tsa, ts query)
   70  internal error: a failure signet did not foresee (a bug; please report it)
   130  interrupted by SIGINT (Ctrl-C), 143 terminated by SIGTERM; nothing written`

// errorClass maps an error to its exit code. Library packages return sentinels and typed
// errors; only this table turns them into process exit codes. The first matching row wins.
var errorClasses = []struct {
	target error
	code   int
}{
	{digest.ErrCheckFailed, exitCheckFailed},
	{verify.ErrInvalid, exitCheckFailed},
	{verify.ErrSignatureMismatch, exitCheckFailed},
	{verify.ErrWeakAlgorithm, exitCheckFailed},
	{verify.ErrNoKey, exitUsage},
	{verify.ErrMalformedLine, exitCheckFailed},
	{verify.ErrOutsidePath, exitCheckFailed},
	{verify.ErrSignerNotFound, exitCheckFailed},
	{verify.ErrTimestamp, exitCheckFailed},
	{timestamp.ErrUnavailable, exitUnavailable},
	{timestamp.ErrMalformed, exitBadInput},
	{timestamp.ErrInvalid, exitCheckFailed},
	{timestamp.ErrMismatch, exitCheckFailed},
	{timestamp.ErrRejected, exitUnavailable},
	{timestamp.ErrUnsupported, exitUsage},
	{sign.ErrCanceled, exitInterrupted},
	{sign.ErrOutputIsInput, exitUsage},

	{atomicfile.ErrExists, exitUsage},
	// An object of that label or id already on the token is an output that exists, as a file
	// would be: not a key or token fault (it comes before ErrToken, of which it is a kind).
	{hsm.ErrExists, exitUsage},
	{digest.ErrUnknownAlgorithm, exitUsage},
	{sigformat.ErrUnsupported, exitUsage},
	{x509util.ErrInvalidName, exitUsage},
	{x509util.ErrNameConstraint, exitUsage},
	{x509util.ErrValidity, exitUsage},
	{verify.ErrPolicy, exitUsage},
	{tunnel.ErrConfig, exitUsage},
	{hsm.ErrInvalidURI, exitUsage},
	{keyref.ErrInvalidRef, exitUsage},
	// No SIGNET_HOME, XDG_CONFIG_HOME or HOME: the environment the command runs in is
	// incomplete, as a missing flag would be (set one, or give --key / --roots).
	{identity.ErrNoHome, exitUsage},

	{secret.ErrNoSource, exitKey},
	{secret.ErrMismatch, exitKey},
	{secret.ErrEmpty, exitKey},
	{x509util.ErrEmptyPassphrase, exitKey},
	{secret.ErrTerminal, exitKey},
	{x509util.ErrIncorrectPassphrase, exitKey},
	// A key that does not belong to its certificate, the CA's --ca-key too (which is also
	// ErrIssuer, below: this row comes first).
	{x509util.ErrKeyMismatch, exitKey},
	{timestamp.ErrKeyMismatch, exitKey},
	// A locked PIN is not retried by waiting or by another PIN: someone with the security
	// officer PIN must unlock the token, so a script tells it from exitKey.
	{hsm.ErrPINLocked, exitPINLocked},
	{hsm.ErrToken, exitKey},

	{enroll.ErrCANotChaining, exitBadInput},
	{x509util.ErrMalformed, exitBadInput},
	{x509util.ErrIssuer, exitBadInput},
	{verify.ErrUnchecked, exitBadInput},
	{x509util.ErrUnsupported, exitBadInput},
	{digest.ErrMalformedList, exitBadInput},
	{sigformat.ErrMalformedSignature, exitBadInput},
	{fs.ErrNotExist, exitBadInput},
	{fs.ErrPermission, exitBadInput},
	// A directory, a device or a socket where a file was expected, or a file over the cap of
	// what it should be: bad input, whichever command read it (readlimit.ReadFile).
	{readlimit.ErrNotFile, exitBadInput},
	{readlimit.ErrTooLarge, exitBadInput},
	// ts query FILE, ts verify --data FILE: a pipe that gave no bytes.
	{errEmptyPipe, exitBadInput},
	{identity.ErrNoIdentity, exitBadInput},
	// The directories given hold no file to sign: the input is empty, the command line fine.
	{sign.ErrNoFiles, exitBadInput},
	{sign.ErrOutsideList, exitUsage},
}

// verifyClasses refine exitCheckFailed for signet verify, by the verify package's sentinels and
// Reasons: one row per Reason, so a new Reason shows up here (TestVerifyClassesCoverReasons).
var verifyClasses = []struct {
	target error
	code   int
}{
	// A signed list that says something signet refuses to act on is a policy refusal; a
	// signer whose certificate is not there has no chain.
	{verify.ErrMalformedLine, exitPolicy},
	{verify.ErrOutsidePath, exitPolicy},
	{verify.ErrSignerNotFound, exitUntrusted},
	{verify.ErrTimestamp, exitTimestamp},
	{verify.ErrSignatureMismatch, exitSigMismatch},
	{verify.UnknownAuthority, exitUntrusted},
	{verify.Constraint, exitUntrusted},
	{verify.Malformed, exitUntrusted},
	{verify.Depth, exitUntrusted},
	{verify.Expired, exitValidity},
	{verify.NotYetValid, exitValidity},
	{verify.Revoked, exitRevoked},
	{verify.CRLInvalid, exitRevoked},
	{verify.CRLMissing, exitRevoked},
	{verify.EKU, exitPolicy},
	{verify.KeyUsage, exitPolicy},
	{verify.NameMismatch, exitPolicy},
	{verify.ErrWeakAlgorithm, exitPolicy},
}

// verifyExitCode is exitCode with a failed check refined by verifyClasses.
func verifyExitCode(err error) int {
	code := exitCode(err)
	if code != exitCheckFailed {
		return code
	}
	for _, c := range verifyClasses {
		if errors.Is(err, c.target) {
			return c.code
		}
	}
	return code
}

// exitCode maps an error to its exit code: an explicit usage or coded error, a cancelled
// run, then the first row of errorClasses the error wraps, then a file that could not be
// read or written. Anything else is exitInternal: an error no table row names is a bug to
// fix here or in the package that returned it, not a guess at "bad input".
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	var ce *codedError
	if errors.As(err, &ce) {
		return ce.code
	}
	if errors.Is(err, context.Canceled) {
		return exitInterrupted
	}
	for _, c := range errorClasses {
		if errors.Is(err, c.target) {
			return c.code
		}
	}
	var pe *fs.PathError
	var fe *digest.FileError
	if errors.As(err, &pe) || errors.As(err, &fe) {
		return exitBadInput
	}
	return exitInternal
}

// usageError is a bad command line: exit 2. The message is followed by a pointer to the
// command's --help, unless noHelp: the help has nothing to add (an output that is an input).
type usageError struct {
	msg    string
	noHelp bool
}

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: sprintf(format, args...)}
}

// refusef is a usage error about the files named rather than the flags: no pointer to --help.
func refusef(format string, args ...any) error {
	return &usageError{msg: sprintf(format, args...), noHelp: true}
}

// codedError carries an explicit exit code for outcomes that are not errors of a package, such
// as "3 of 10 files failed the check" after each failure was already reported.
type codedError struct {
	code int
	msg  string
}

func (e *codedError) Error() string { return e.msg }

// interrupted is the cause of a run stopped by sig (signalContext), with its exit code.
func interrupted(sig os.Signal) error {
	if sig == syscall.SIGTERM {
		return &codedError{code: exitTerminated, msg: "interrupted by SIGTERM"}
	}
	return &codedError{code: exitInterrupted, msg: "interrupted by SIGINT"}
}

// hintedError adds a hint line after the error.
type hintedError struct {
	err  error
	hint string
}

func (e *hintedError) Error() string { return e.err.Error() }
func (e *hintedError) Unwrap() error { return e.err }

func withHint(err error, hint string) error {
	if err == nil {
		return nil
	}
	return &hintedError{err: err, hint: hint}
}

// hintFor returns the hint to print under an error, or "".
func hintFor(err error) string {
	var he *hintedError
	if errors.As(err, &he) {
		return he.hint
	}
	switch {
	case errors.Is(err, atomicfile.ErrExists):
		return "use --force to replace it"
	case errors.As(err, new(*keyref.SourceError)):
		return "set that variable or fill that file, or change the key reference's passphrase-source"
	case errors.Is(err, secret.ErrNoSource) && errors.As(err, new(*pinError)):
		return "set SIGNET_PIN, name a PIN file in the URI (pin-source=FILE), or run on a terminal to be prompted"
	case errors.Is(err, secret.ErrNoSource):
		return "set SIGNET_PASSPHRASE, pass --passphrase-file FILE (--ca-passphrase-file for --ca-key), or run on a terminal to be prompted"
	case errors.As(err, new(*keyref.WrongSourceError)):
		return "check the file or variable the key reference's passphrase-source names (--passphrase-file and SIGNET_PASSPHRASE do not apply to that key)"
	case errors.Is(err, x509util.ErrIncorrectPassphrase):
		return "check SIGNET_PASSPHRASE or the --passphrase-file contents"
	case errors.Is(err, identity.ErrNoHome):
		return "set SIGNET_HOME to the directory of the local identity of 'signet init' (or set HOME)"
	}
	return ""
}
