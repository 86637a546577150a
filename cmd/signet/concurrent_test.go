package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestRunsAreIndependent runs signet in process many times at once, the way the parallel
// tests of this package do: help, version, a usage error and real commands. Under -race it
// fails if two runs share mutable state (urfave/cli v2 shares its --help and --version flag
// objects between apps unless each app gets its own).
func TestRunsAreIndependent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(file, []byte("abc"), 0o600); err != nil {
		t.Fatal(err)
	}
	const sha256abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	cases := []struct {
		args []string
		code int
		out  string // in stdout
		err  string // in stderr
	}{
		{[]string{"--help"}, exitOK, "EXIT CODES", ""},
		{[]string{"-h"}, exitOK, "EXIT CODES", ""},
		{[]string{"--version"}, exitOK, "signet ", ""},
		{[]string{"version"}, exitOK, "signet ", ""},
		{[]string{"hash", "--help"}, exitOK, "EXAMPLES", ""},
		{[]string{"key", "gen", "-h"}, exitOK, "EXAMPLES", ""},
		{[]string{"help", "verify"}, exitOK, "EXAMPLES", ""},
		{[]string{"hash", "--no-such-flag"}, exitUsage, "", "no-such-flag"},
		{[]string{"no-such-command"}, exitUsage, "", "no-such-command"},
		{[]string{"hash", file}, exitOK, sha256abc, ""},
		{[]string{"hash", "--json", file}, exitOK, sha256abc, ""},
	}
	const rounds = 4
	var wg sync.WaitGroup
	for range rounds {
		for _, c := range cases {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var stdout, stderr bytes.Buffer
				e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, lookupEnv: noEnv}
				code := runEnv(context.Background(), e, append([]string{"signet"}, c.args...))
				if code != c.code || !strings.Contains(stdout.String(), c.out) || !strings.Contains(stderr.String(), c.err) {
					t.Errorf("signet %s: exit %d, want %d (stdout has %q? stderr has %q?)\n--- stdout\n%s\n--- stderr\n%s",
						strings.Join(c.args, " "), code, c.code, c.out, c.err, stdout.String(), stderr.String())
				}
			}()
		}
	}
	wg.Wait()
}

// noEnv is an empty environment, for in-process runs that must not see the test's.
func noEnv(string) (string, bool) { return "", false }
