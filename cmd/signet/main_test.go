package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary act as the signet command inside testscript scripts, so the
// scripts run the real main with the real exit codes.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"signet": func() { os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the end-to-end CLI scripts in testdata/script. A script that needs an
// external program starts with a line such as
//
//	[missing:openssl] skip
//
// The condition is true (skip) when the program is missing on a developer's machine, and an
// error (the script fails) when it is missing and CI is set: CI must never skip a peer check.
func TestScripts(t *testing.T) {
	// The scripts run beside the package's other parallel tests, not in a phase of their own:
	// each runs signet as a process of its own, in a work directory of its own.
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("..", "..", "testdata", "script"),
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			// A private SIGNET_HOME and no inherited secrets, whatever the developer's shell has.
			e.Setenv("SIGNET_HOME", filepath.Join(e.WorkDir, ".signet"))
			e.Setenv("XDG_CONFIG_HOME", filepath.Join(e.WorkDir, ".config"))
			e.Setenv("CI", os.Getenv("CI"))
			// A race-enabled signet sleeps a second at exit to flush reports; scripts run it
			// hundreds of times.
			e.Setenv("GORACE", "atexit_sleep_ms=0")
			// PKI is the fixture PKI (testdata/pki/README.md): scripts read $PKI/root-ca.pem
			// in place instead of carrying copies that drift when gen.sh runs again.
			pki, err := filepath.Abs(filepath.Join("..", "..", "testdata", "pki"))
			if err != nil {
				return err
			}
			e.Setenv("PKI", pki)
			return nil
		},
		Condition: scriptCondition,
	})
}

func scriptCondition(cond string) (bool, error) {
	name, ok := strings.CutPrefix(cond, "missing:")
	if !ok {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") != "" {
			return false, fmt.Errorf("%s is required in CI but not installed", name)
		}
		return true, nil
	}
	return false, nil
}
