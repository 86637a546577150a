package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/hsm"
	"github.com/signet-pki/signet/internal/atomicfile"
	"github.com/signet-pki/signet/internal/identity"
	"github.com/signet-pki/signet/internal/secret"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/sign"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// TestExitCode pins the exit-code contract: classified errors keep their codes however they
// are wrapped, a cancelled run is 130, and an error nothing classified is the internal code,
// never "bad input".
func TestExitCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, exitOK},
		{"unclassified", errors.New("something nobody foresaw"), exitInternal},
		{"unclassified, wrapped", fmt.Errorf("issue: %w", errors.New("boom")), exitInternal},
		{"cancelled", context.Canceled, exitInterrupted},
		{"cancelled, wrapped twice", fmt.Errorf("sign: %w", fmt.Errorf("hash a.txt: %w", context.Canceled)), exitInterrupted},
		{"cancelled beats the class of the error it interrupted", errors.Join(x509util.ErrMalformed, context.Canceled), exitInterrupted},
		{"usage", usagef("bad flag"), exitUsage},
		{"coded", &codedError{code: exitCheckFailed}, exitCheckFailed},
		{"refused overwrite", fmt.Errorf("write a: %w", atomicfile.ErrExists), exitUsage},
		{"object on the token exists", fmt.Errorf("enroll: %w", hsm.ErrExists), exitUsage},
		{"invalid URI", fmt.Errorf("%w: x", hsm.ErrInvalidURI), exitUsage},
		{"malformed", fmt.Errorf("read k: %w: x", x509util.ErrMalformed), exitBadInput},
		{"missing file", &fs.PathError{Op: "open", Path: "k", Err: fs.ErrNotExist}, exitBadInput},
		{"other file error", &fs.PathError{Op: "read", Path: "k", Err: errors.New("is a directory")}, exitBadInput},
		{"wrong passphrase", fmt.Errorf("read k: %w", x509util.ErrIncorrectPassphrase), exitKey},
		{"no terminal", fmt.Errorf("%w: eof", secret.ErrTerminal), exitKey},
		{"token", fmt.Errorf("%w: x", hsm.ErrPIN), exitKey},
		{"PIN final try, not tried", fmt.Errorf("%w: x", hsm.ErrPINFinalTry), exitKey},
		{"PIN locked", fmt.Errorf("%w: x", hsm.ErrPINLocked), exitPINLocked},
		{"name constraints", fmt.Errorf("%w: x", x509util.ErrNameConstraint), exitUsage},
		{"validity", fmt.Errorf("%w: x", x509util.ErrValidity), exitUsage},
		{"nothing to sign", fmt.Errorf("%w (the directories hold none)", sign.ErrNoFiles), exitBadInput},
		{"nothing to sign, in a list of failures", &sign.FilesError{Failed: []error{sign.ErrNoFiles}, Total: 1}, exitBadInput},
		{"no home directory", fmt.Errorf("%w: $HOME is not defined", identity.ErrNoHome), exitUsage},
		{"unknown hash algorithm", &digest.AlgorithmError{Name: "md5"}, exitUsage},
		{"unknown signature format", parseFormatError(t), exitUsage},
		{"a directory as the file to verify", loadSignatureError(t), exitBadInput},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := exitCode(tc.err); got != tc.want {
				t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.want)
			}
		})
	}
}

// TestExitCodesDocumented keeps the help text and the constants together.
func TestExitCodesDocumented(t *testing.T) {
	t.Parallel()
	for _, code := range []int{exitOK, exitCheckFailed, exitUsage, exitBadInput, exitKey, exitPINLocked, exitInternal, exitInterrupted} {
		if !strings.Contains(exitCodesHelp, fmt.Sprintf("\n   %d  ", code)) {
			t.Errorf("exit code %d is not in exitCodesHelp", code)
		}
	}
	code, out, _ := certRun("--help")
	if code != 0 || !strings.Contains(out, "70  internal error") || !strings.Contains(out, "130  interrupted") {
		t.Errorf("signet --help does not list exit codes 70 and 130:\n%s", out)
	}
}

// A run whose context is cancelled (SIGINT, SIGTERM) exits 130 with one line, even when the
// command would otherwise report a failed check.
func TestInterruptedRunExits130(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut strings.Builder
	code := runContext(ctx, []string{"signet", "tls", "check", freePort(t), "--roots", fixturePKI(t, "root-ca.pem")}, &out, &errOut)
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitInterrupted, out.String(), errOut.String())
	}
	if got := errOut.String(); strings.Count(got, "\n") != 1 || !strings.Contains(got, "interrupted") {
		t.Errorf("stderr is not one line saying interrupted: %q", got)
	}
	if out.Len() != 0 {
		t.Errorf("an interrupted check printed a report:\n%s", out.String())
	}
}

// Flags a command cannot run without are usage errors (exit 2, one line and a pointer to the
// command's help), not the CLI library's help dump with exit 3.
func TestMissingRequiredFlagIsUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"enroll", "--subject", "CN=a", "--csr-out", "a.csr"},
		{"tls", "serve", "--cert", "x.pem", "--key", "x.key", "--client-ca", "ca.pem"},
		{"tls", "serve", "--listen", "127.0.0.1:0", "--key", "x.key", "--client-ca", "ca.pem"},
	} {
		code, out, errOut := certRun(args...)
		if code != exitUsage || out != "" || strings.Count(errOut, "\n") != 2 || !strings.Contains(errOut, "missing --") ||
			!strings.HasSuffix(errOut, "\nsignet: hint: see 'signet "+strings.Join(args[:1+btoi(args[0] == "tls")], " ")+" --help'\n") {
			t.Errorf("signet %s: exit %d, want %d with one line and a hint\nstdout: %q\nstderr: %q", strings.Join(args, " "), code, exitUsage, out, errOut)
		}
	}
}

// parseFormatError is the error sigformat.ParseFormat gives for a name it does not know.
func parseFormatError(t *testing.T) error {
	t.Helper()
	_, err := sigformat.ParseFormat("pgp")
	if err == nil {
		t.Fatal("sigformat.ParseFormat accepted pgp")
	}
	return err
}

// loadSignatureError is the error verify.LoadSignature gives for a directory given as the file.
func loadSignatureError(t *testing.T) error {
	t.Helper()
	_, _, err := verify.LoadSignature(t.TempDir(), "x.sig")
	if err == nil {
		t.Fatal("verify.LoadSignature accepted a directory")
	}
	return err
}
