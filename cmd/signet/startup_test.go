package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/urfave/cli/v2"
)

// commandNames is the names of cmds, in order.
func commandNames(cmds []*cli.Command) []string {
	var names []string
	for _, c := range cmds {
		names = append(names, c.Name)
	}
	return names
}

// TestTopCommandNames: the name under which topCommands finds each command is the name the
// command gives itself, and no command has an alias that the table would not find (a run of
// an alias would otherwise build every command, still correct but slow).
func TestTopCommandNames(t *testing.T) {
	e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	for _, c := range topCommands {
		cmd := c.build(e)
		if cmd.Name != c.name || len(cmd.Aliases) > 0 {
			t.Errorf("topCommands has %q for the command named %q with aliases %q", c.name, cmd.Name, cmd.Aliases)
		}
	}
}

// TestRunBuildsOnlyItsCommand: a run builds the command it runs and not the others (their
// flags, help texts and tables are a measurable share of a short run: bench/startup); help,
// completion, the manual and anything unknown still see every command.
func TestRunBuildsOnlyItsCommand(t *testing.T) {
	e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	all := commandNames(newApp(e).Commands)
	if len(all) != len(topCommands) {
		t.Fatalf("newApp has commands %q, want all %d of topCommands", all, len(topCommands))
	}
	cases := map[string][]string{
		"signet --version":                  nil,
		"signet -v":                         nil,
		"signet":                            all,
		"signet --help":                     all,
		"signet -h":                         all,
		"signet --version --help":           all,
		"signet hsh":                        all,
		"signet --generate-bash-completion": all,
		"signet completion bash":            all,
		"signet man /tmp/man":               all,
		"signet cert verify --roots r.pem leaf.pem": {"cert"},
		"signet hash -c SHA256SUMS":                 {"hash"},
		"signet verify release.tar.gz":              {"verify"},
		"signet version":                            {"version"},
		"signet tls check --help":                   {"tls"},
	}
	for line, want := range cases {
		got := commandNames(newAppFor(e, strings.Fields(line)).Commands)
		if !slices.Equal(got, want) {
			t.Errorf("%s: built %q, want %q", line, got, want)
		}
	}
}

// TestLazyAppSameOutput: for every command, the app a run builds (newAppFor) prints the same
// help, and says the same about an unknown subcommand or flag, as the whole app (newApp).
func TestLazyAppSameOutput(t *testing.T) {
	var paths [][]string
	groups := map[string]bool{"": true} // commands that have subcommands, by path
	var walk func(prefix []string, cmds []*cli.Command)
	walk = func(prefix []string, cmds []*cli.Command) {
		for _, c := range cmds {
			p := append(append([]string{}, prefix...), c.Name)
			paths = append(paths, p)
			groups[strings.Join(p, " ")] = len(c.Subcommands) > 0
			walk(p, c.Subcommands)
		}
	}
	walk(nil, newApp(&env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}).Commands)
	runWith := func(build func(*env, []string) *cli.App, args []string) (string, string, error) {
		var out, errOut bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, lookupEnv: func(string) (string, bool) { return "", false }}
		app := build(e, args)
		err := app.RunContext(context.Background(), permuteArgs(app, args))
		return out.String(), errOut.String(), err
	}
	whole := func(e *env, _ []string) *cli.App { return newApp(e) }
	for _, p := range append(paths, nil) {
		for _, extra := range [][]string{{"--help"}, {"--no-such-flag"}, {"no-such-command"}} {
			args := append(append([]string{"signet"}, p...), extra...)
			if extra[0] == "no-such-command" && !groups[strings.Join(p, " ")] {
				continue // an argument of a command that runs: not a question for the app
			}
			t.Run(strings.Join(args[1:], " "), func(t *testing.T) {
				out1, err1, e1 := runWith(whole, args)
				out2, err2, e2 := runWith(newAppFor, args)
				if out1 != out2 || err1 != err2 || (e1 == nil) != (e2 == nil) || (e1 != nil && e1.Error() != e2.Error()) {
					t.Errorf("whole app: %q %q %v\nlazy app:  %q %q %v", out1, err1, e1, out2, err2, e2)
				}
			})
		}
	}
}

// initBudget is the most a package of signet's may allocate while it initialises: every
// command pays for every package's init, so tables, regular expressions and maps that only
// some commands use are built on first use (sync.OnceValue), not at init (issue 15).
const initBudget = 8 << 10

// initBudgetOf is the budget of pkg: initBudget, or less for a package whose tables were
// moved to first use and are held there. x509util's (extension, curve and algorithm names,
// PBE schemes, PEM block kinds, revocation reasons, ...) cost every command 7.5 KB in 42
// allocations, and most use none of them; what is left is the sync.OnceValue closures
// themselves (1,368 bytes). pkixname's names of attribute types are a map built on first use
// (72 bytes left). Each package's own test measured its test binary, whose figure counts the
// tables of the package's test files, which no user pays for: x509util's stood at 2,336
// bytes, and a campaign's table of twenty entries in one of its test files put it over its
// budget (4,152 bytes) with x509util unchanged.
func initBudgetOf(pkg string) int {
	switch pkg {
	case "github.com/signet-pki/signet/x509util":
		return 3 << 10
	case "github.com/signet-pki/signet/internal/pkixname":
		return 256
	}
	return initBudget
}

// TestInitIsLight: no package of signet's allocates more than its budget (initBudgetOf) at init, as
// the runtime reports it (GODEBUG=inittrace=1) for `signet --version` built as the README
// installs it. The command itself, not this test binary: a test binary also initialises the
// tables of the package's test files (the campaigns' pools and maps), which no user pays for and
// which pushed main's figure over the budget at random. Allocation, not time: the figure is the
// same on a busy machine.
func TestInitIsLight(t *testing.T) {
	goTool := testutil.RequireTool(t, "go")
	bin := filepath.Join(t.TempDir(), "signet")
	if out, err := exec.Command(goTool, "build", "-tags", "urfave_cli_no_docs", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "--version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	line := regexp.MustCompile(`(?m)^init (\S+) @.* clock, (\d+) bytes, (\d+) allocs$`)
	seen := map[string]bool{}
	for _, m := range line.FindAllStringSubmatch(string(out), -1) {
		pkg := m[1]
		if pkg == "main" {
			pkg = "github.com/signet-pki/signet/cmd/signet"
		}
		if !strings.HasPrefix(pkg, "github.com/signet-pki/signet/") {
			continue
		}
		seen[pkg] = true
		if n, _ := strconv.Atoi(m[2]); n > initBudgetOf(pkg) {
			t.Errorf("%s allocates %d bytes in %s allocations at init, more than %d: build its tables on first use", pkg, n, m[3], initBudgetOf(pkg))
		}
	}
	if len(seen) < 5 || !seen["github.com/signet-pki/signet/x509util"] || !seen["github.com/signet-pki/signet/internal/pkixname"] {
		t.Fatalf("inittrace reported %d of signet's packages, want them all:\n%s", len(seen), out)
	}
}
