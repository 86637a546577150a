// Package testutil holds helpers shared by signet's tests: finding the real peer tools
// (openssl, pkcs11-tool, softhsm2-util) and running them.
package testutil

import (
	"bytes"
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
	out, errOut, err := RunErr(name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, errOut)
	}
	return out
}

// RunErr runs a command and returns stdout, stderr and the error, for tests that expect a
// failure.
func RunErr(name string, args ...string) (stdout, stderr []byte, err error) {
	var o, e bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.Bytes(), e.Bytes(), err
}
