package main

import (
	"os/exec"
	"strings"
	"testing"
)

// startupHeavy are packages whose initialisation every run of signet would pay for, and
// which signet does without (measured in bench/startup and the README's notes on start-up):
// golang.org/x/crypto/ssh builds tables of key exchanges, ciphers and MACs at init (0.12-0.2
// ms, 218 allocations); signet reads OpenSSH keys with x509util/internal/sshkey.
var startupHeavy = []string{"golang.org/x/crypto/ssh"}

// TestStartupDeps: the command, as the README's Install section builds it, links none of
// startupHeavy (tests may: they hold signet's readers to them).
func TestStartupDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-tags", "urfave_cli_no_docs", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	for _, heavy := range startupHeavy {
		for _, d := range deps {
			if d == heavy || strings.HasPrefix(d, heavy+"/") {
				t.Errorf("signet links %s, whose init every run pays for", d)
			}
		}
	}
}
