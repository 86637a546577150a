package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// TestBashCompletion sources the script of 'signet completion bash' in a real bash and asks it
// what it completes: commands, subcommands, flags, flag values taken from the libraries that
// parse them, and files.
func TestBashCompletion(t *testing.T) {
	t.Parallel()
	bash := testutil.RequireTool(t, "bash")
	dir := t.TempDir()
	code, script, errOut := certRun("completion", "bash")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if err := os.WriteFile(filepath.Join(dir, "signet.bash"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "release.tar.gz"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for line, want := range map[string][]string{
		"signet ce":                       {"cert"},
		"signet cert c":                   {"create"},
		"signet cert create --pro":        {"--profile"},
		"signet cert create --profile ":   {"root-ca", "intermediate-ca", "server", "client", "code-signing", "email", "tsa"},
		"signet verify --profile ":        {"rfc5280", "webpki"},
		"signet key gen --type ed":        {"ed25519"},
		"signet sign -a sha3":             {"sha384", "sha3-256", "sha3-384", "sha3-512"},
		"signet sign --format ":           {"raw", "cms", "bundle", "minisign"},
		"signet sign rel":                 {"release.tar.gz"},
		"signet sign --cert rel":          {"release.tar.gz"},
		"signet completion ":              {"bash", "zsh", "fish"},
		"signet tls tunnel --handshake-t": {"--handshake-timeout"},
	} {
		words := strings.Fields(line)
		if strings.HasSuffix(line, " ") {
			words = append(words, "")
		}
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = shellQuote(w)
		}
		cmd := exec.Command(bash, "-c", `complete() { :; }; source signet.bash; COMP_WORDS=(`+strings.Join(quoted, " ")+`); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _signet; printf '%s\n' "${COMPREPLY[@]}"`)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", line, err, out)
		}
		got := strings.Fields(string(out))
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%q completes to %q, want %q", line, got, want)
		}
	}
	// zsh runs the same function under bashcompinit; fish gets one line per command and flag.
	if _, z, _ := certRun("completion", "zsh"); !strings.HasPrefix(z, "#compdef signet\n") || !strings.Contains(z, "bashcompinit") || !strings.Contains(z, "_signet()") {
		t.Errorf("zsh script:\n%.300s", z)
	}
	_, fish, _ := certRun("completion", "fish")
	for _, want := range []string{
		"complete -c signet -n '__fish_seen_subcommand_from cert; and __fish_seen_subcommand_from create' -l profile -s p -x -a 'root-ca intermediate-ca server client code-signing email tsa'",
		"complete -c signet -n '__fish_seen_subcommand_from sign' -F",
	} {
		if !strings.Contains(fish, want) {
			t.Errorf("fish script lacks %s", want)
		}
	}
	if code, _, _ := certRun("completion", "tcsh"); code != exitUsage {
		t.Errorf("completion tcsh: exit %d, want 2", code)
	}
}

// TestManPagesCurrent: the pages checked in under man/ are what 'signet man' writes from the
// commands as they are, no more and no fewer; after changing a command, run
// 'go run ./cmd/signet man man' from the source tree.
func TestManPagesCurrent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if code, _, errOut := certRun("man", "-q", dir); code != 0 {
		t.Fatalf("signet man: exit %d: %s", code, errOut)
	}
	made, err := filepath.Glob(filepath.Join(dir, "*.1"))
	if err != nil {
		t.Fatal(err)
	}
	checkedIn, err := filepath.Glob(filepath.Join("..", "..", "man", "*.1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(made) < 30 || len(made) != len(checkedIn) {
		t.Errorf("signet man writes %d pages, man/ holds %d: run 'go run ./cmd/signet man man'", len(made), len(checkedIn))
	}
	for _, m := range made {
		want, _ := os.ReadFile(m)
		got, err := os.ReadFile(filepath.Join("..", "..", "man", filepath.Base(m)))
		if err != nil || string(got) != string(want) {
			t.Errorf("man/%s is not current: run 'go run ./cmd/signet man man'", filepath.Base(m))
		}
	}
	if man, err := exec.LookPath("man"); err == nil {
		out, err := exec.Command(man, "-l", filepath.Join(dir, "signet-sign.1")).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "SIGNET-SIGN(1)") {
			t.Errorf("man -l signet-sign.1: %v\n%.500s", err, out)
		}
	}
}
