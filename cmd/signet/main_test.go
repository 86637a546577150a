package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/signet-pki/signet/internal/testutil"
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
//
// Under -race, the scripts run a signet built without it (scriptSignet), unless
// SIGNET_SCRIPTS_RACE=1: the scripts start signet about 900 times, and the race detector
// makes each start cost 50 ms and each key derivation (PBKDF2, bcrypt) a second or more,
// most of the package's time. The race detector still watches the same commands run in
// process (TestRunsAreIndependent and the package's other tests) and the libraries' own tests.
func TestScripts(t *testing.T) {
	// The scripts run beside the package's other parallel tests, not in a phase of their own:
	// each runs signet as a process of its own, in a work directory of its own.
	t.Parallel()
	binDir := scriptSignet(t)
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("..", "..", "testdata", "script"),
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			if binDir != "" {
				e.Setenv("PATH", binDir+string(filepath.ListSeparator)+e.Getenv("PATH"))
			}
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

// scriptSignet returns the directory of the signet the scripts run instead of this test
// binary, or "" for this binary: under -race, a signet built without it, once per test run,
// with the flags of the README's install line (so the build cache serves TestREADME's build
// and this one from the same compiled packages). SIGNET_SCRIPTS_RACE=1 keeps the scripts on
// this race-enabled binary.
func scriptSignet(t *testing.T) string {
	t.Helper()
	if !raceEnabled || os.Getenv("SIGNET_SCRIPTS_RACE") == "1" {
		return ""
	}
	goTool := testutil.RequireTool(t, "go")
	dir := t.TempDir()
	cmd := exec.Command(goTool, "build", "-tags", "urfave_cli_no_docs", "-o", filepath.Join(dir, "signet"), ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build for the scripts: %v\n%s", err, out)
	}
	t.Logf("scripts run %s, built without -race (SIGNET_SCRIPTS_RACE=1 runs them under it)", filepath.Join(dir, "signet"))
	return dir
}
