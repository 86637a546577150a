package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/verify"
)

// Every Reason of the policy engine has its refined exit code for signet verify, and stays 1
// in the general table.
func TestVerifyClassesCoverReasons(t *testing.T) {
	t.Parallel()
	for _, r := range verify.Reasons() {
		err := &verify.Error{Reason: r, Detail: "x"}
		code := verifyExitCode(err)
		if code < exitSigMismatch || code > exitPolicy {
			t.Errorf("reason %s: signet verify exit code %d", r, code)
		}
		if got := exitCode(err); got != exitCheckFailed {
			t.Errorf("reason %s: general exit code %d, want %d", r, got, exitCheckFailed)
		}
	}
}

func TestVerifyExitCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want int
	}{
		{fmt.Errorf("%w: x", verify.ErrSignatureMismatch), exitSigMismatch},
		{&verify.Error{Reason: verify.UnknownAuthority}, exitUntrusted},
		{&verify.Error{Reason: verify.Expired}, exitValidity},
		{&verify.Error{Reason: verify.NotYetValid}, exitValidity},
		{&verify.Error{Reason: verify.Revoked}, exitRevoked},
		{&verify.Error{Reason: verify.CRLMissing}, exitRevoked},
		{&verify.Error{Reason: verify.EKU}, exitPolicy},
		{&verify.Error{Reason: verify.NameMismatch}, exitPolicy},
		{fmt.Errorf("%w: SHA-1", verify.ErrWeakAlgorithm), exitPolicy},
		{fmt.Errorf("%w: raw", verify.ErrNoKey), exitUsage},
		{fmt.Errorf("%w: cms", sigformat.ErrMalformedSignature), exitBadInput},
		{fmt.Errorf("%w: nothing", verify.ErrUnchecked), exitBadInput},
		{errors.New("anything else"), exitInternal},
	}
	for _, tc := range tests {
		if got := verifyExitCode(tc.err); got != tc.want {
			t.Errorf("%v: %d, want %d", tc.err, got, tc.want)
		}
	}
	if got := exitCode(fmt.Errorf("%w: x", verify.ErrSignatureMismatch)); got != exitCheckFailed {
		t.Errorf("general code of a mismatch: %d", got)
	}
}

// TestVerifyHelpExamples runs every EXAMPLES line of `signet verify --help`, in order, in a
// scratch directory, with the exit codes their comments announce (see runHelpExamples).
func TestVerifyHelpExamples(t *testing.T) {
	testutil.RequireTool(t, "openssl")
	exampleFixture(t, nil)
	runHelpExamples(t, "verify")
}

// TestEscapeNameSeparatorsAndFormat: a line separator or a zero-width character in a file name
// cannot make a verdict line look like another.
func TestEscapeNameSeparatorsAndFormat(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"evil\u2028OK release.tar.gz", "release.tar.gz\u200b", "a\u202ezyx"} {
		got, escaped := escapeName(name)
		if !escaped || strings.ContainsAny(got, "\u2028\u200b\u202e") {
			t.Errorf("escapeName(%q) = %q, %v", name, got, escaped)
		}
	}
}
