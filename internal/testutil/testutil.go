// Package testutil holds helpers shared by signet's tests: finding the real peer tools
// (openssl, pkcs11-tool, softhsm2-util) and running them.
package testutil

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// RequireTool returns the path of an external program the test needs. When it is missing the
// test fails under CI (CI set) and is skipped on a developer's machine: CI must never silently
// skip a check against a real peer.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required in CI but not installed", name)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

// Run runs a command and returns its stdout; a non-zero exit fails the test with stderr.
func Run(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	return Cmd{}.Run(t, name, args...)
}

// RunErr runs a command and returns stdout, stderr and the error, for tests that expect a
// failure.
func RunErr(name string, args ...string) (stdout, stderr []byte, err error) {
	return Cmd{}.RunErr(name, args...)
}

// Cmd runs a command with a working directory, standard input or extra environment; the zero
// Cmd is what Run and RunErr use.
type Cmd struct {
	Dir   string   // working directory; "" for the test's
	Stdin []byte   // standard input; nil for none
	Env   []string // added to the test's environment, "KEY=value"
}

// Run runs the command and returns its stdout; a non-zero exit fails the test with stderr.
func (c Cmd) Run(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	out, errOut, err := c.RunErr(name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, errOut)
	}
	return out
}

// RunErr runs the command and returns stdout, stderr and the error.
func (c Cmd) RunErr(name string, args ...string) (stdout, stderr []byte, err error) {
	var o, e bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Dir = c.Dir
	if c.Stdin != nil {
		cmd.Stdin = bytes.NewReader(c.Stdin)
	}
	if c.Env != nil {
		cmd.Env = append(os.Environ(), c.Env...)
	}
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.Bytes(), e.Bytes(), err
}

// ExitCode is the exit code of a command that ran: 0 for a nil error, the status of an
// *exec.ExitError. Any other error (the command did not start) fails the test.
func ExitCode(t testing.TB, err error) int {
	t.Helper()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	t.Fatal(err)
	return -1
}
