package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// The EXAMPLES of a command's help are run as written, so that what the help shows is known to
// work. runHelpExamples is the one runner; each command's test makes the fixture directory its
// examples start from and asserts what they promise.
//
// An example line is a command, possibly continued with a trailing backslash. A comment line
// ending in "exit N" announces the exit code of the next command; otherwise it must succeed.
// A line with shell syntax (a pipe, a redirection, $) runs with sh, where `signet` is the test
// binary (TestMain puts it first in PATH); any other line runs in process when it is a signet
// command, and as the named peer tool (openssl, sha256sum, ...) otherwise. Paths under
// testdata/ point at the source tree and ~/.config/signet/ at the test's SIGNET_HOME.

type helpExample struct {
	line      string   // the command as the help shows it, continuations joined
	args      []string // its fields; nil when it needs a shell
	code      int      // the exit code it must have
	announced bool     // a comment announced code
}

// exampleResult is what one example printed.
type exampleResult struct {
	line           string
	stdout, stderr string
}

// exampleFixture makes a scratch directory holding files (name -> content), points
// SIGNET_HOME at home/ inside it and makes it the working directory.
func exampleFixture(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("SIGNET_HOME", filepath.Join(dir, "home"))
	t.Chdir(dir)
	for name, data := range files {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runHelpExamples runs every example of the command's manual (`signet help --full CMD`, the
// EXAMPLES of its man page), in order, in the working directory, failing the test at the
// first one whose exit code is not the announced one. It returns what each example printed.
// The examples `signet CMD --help` shows are among them (checked here): the first three that
// run the command.
func runHelpExamples(t *testing.T, cmd ...string) ([]helpExample, []exampleResult) {
	t.Helper()
	examples := manualExamples(t, cmd...)
	results := make([]exampleResult, 0, len(examples))
	for _, ex := range examples {
		var code int
		var out, errOut string
		switch {
		case ex.args == nil:
			if strings.Contains(ex.line, "testdata/") || strings.Contains(ex.line, "~/") {
				t.Fatalf("%s: paths in an example run by sh are not rewritten", ex.line)
			}
			if _, err := exec.LookPath("signet"); err != nil {
				t.Fatalf("%s: signet is not in PATH (TestMain puts it there): %v", ex.line, err)
			}
			// A race-enabled signet sleeps a second at exit to flush reports.
			sh := testutil.Cmd{Env: []string{"GORACE=atexit_sleep_ms=0"}}
			o, e, err := sh.RunErr(testutil.RequireTool(t, "sh"), "-c", ex.line)
			code, out, errOut = testutil.ExitCode(t, err), string(o), string(e)
		default:
			args := rewriteExamplePaths(t, ex.args)
			if args[0] == "signet" {
				code, out, errOut = certRun(args[1:]...)
				break
			}
			o, e, err := testutil.RunErr(testutil.RequireTool(t, args[0]), args[1:]...)
			code, out, errOut = testutil.ExitCode(t, err), string(o), string(e)
		}
		if code != ex.code {
			t.Fatalf("%s: exit %d, want %d\n%s%s", ex.line, code, ex.code, out, errOut)
		}
		results = append(results, exampleResult{line: ex.line, stdout: out, stderr: errOut})
	}
	t.Logf("signet %s: %d examples ran", strings.Join(cmd, " "), len(examples))
	return examples, results
}

// manualExamples returns the examples of `signet help --full CMD`, failing the test unless
// the examples of `signet CMD --help` are the first of them that run the command, as many as
// it shows.
func manualExamples(t *testing.T, cmd ...string) []helpExample {
	t.Helper()
	code, full, errOut := certRun(append([]string{"help", "--full"}, cmd...)...)
	if code != 0 {
		t.Fatalf("signet help --full %s: exit %d\n%s", strings.Join(cmd, " "), code, errOut)
	}
	examples, err := helpExamples(full)
	if err != nil {
		t.Fatalf("signet help --full %s: %v", strings.Join(cmd, " "), err)
	}
	code, help, errOut := certRun(append(cmd, "--help")...)
	if code != 0 {
		t.Fatalf("signet %s --help: exit %d\n%s", strings.Join(cmd, " "), code, errOut)
	}
	shown, err := helpExamples(help)
	if err != nil {
		t.Fatalf("signet %s --help: %v", strings.Join(cmd, " "), err)
	}
	var want []helpExample // the first examples that run the command
	for _, ex := range examples {
		if len(want) < helpExamplesShown && runsCommand(ex.line, strings.Join(append([]string{"signet"}, cmd...), " ")) {
			want = append(want, ex)
		}
	}
	if !reflect.DeepEqual(shown, want) {
		t.Fatalf("signet %s --help shows examples\n%+v\nnot the first %d of its manual's that run it\n%+v", strings.Join(cmd, " "), shown, helpExamplesShown, examples)
	}
	return examples
}

// sourceTestdata is the absolute path of the source tree's testdata, taken before any test
// changes directory.
var sourceTestdata = func() string {
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata"))
	if err != nil {
		panic(err)
	}
	return p
}()

// rewriteExamplePaths returns args with testdata/ and ~/.config/signet/ resolved.
func rewriteExamplePaths(t *testing.T, args []string) []string {
	t.Helper()
	out := make([]string, len(args))
	for i, a := range args {
		if rest, ok := strings.CutPrefix(a, "testdata/"); ok {
			a = filepath.Join(sourceTestdata, rest)
		}
		if rest, ok := strings.CutPrefix(a, "~/.config/signet/"); ok {
			home := os.Getenv("SIGNET_HOME")
			if home == "" {
				t.Fatalf("%q: SIGNET_HOME is not set", a)
			}
			a = filepath.Join(home, rest)
		}
		out[i] = a
	}
	return out
}

// helpExamples extracts the commands of a help text's EXAMPLES section: the lines after the
// EXAMPLES heading up to the first blank line (or the OPTIONS heading).
func helpExamples(help string) ([]helpExample, error) {
	_, section, ok := strings.Cut(help, "EXAMPLES")
	if !ok {
		return nil, fmt.Errorf("no EXAMPLES in the help")
	}
	section, _, _ = strings.Cut(section, "OPTIONS:")
	var out []helpExample
	var cur string
	code, announced := 0, false
	for _, line := range strings.Split(section, "\n")[1:] {
		line = strings.TrimSpace(line)
		if line == "" {
			break
		}
		if c, ok := strings.CutPrefix(line, "#"); ok {
			if i := strings.LastIndex(c, "exit "); i >= 0 {
				n, err := strconv.Atoi(strings.TrimSpace(c[i+len("exit "):]))
				if err != nil {
					return nil, fmt.Errorf("comment %q: %v", line, err)
				}
				code, announced = n, true
			}
			continue
		}
		if strings.HasSuffix(line, "\\") {
			cur += strings.TrimSuffix(line, "\\") + " "
			continue
		}
		ex := helpExample{line: cur + line, code: code, announced: announced}
		args, err := shellFields(ex.line)
		switch {
		case errors.Is(err, errShellSyntax):
		case err != nil:
			return nil, err
		default:
			ex.args = args
		}
		out = append(out, ex)
		cur, code, announced = "", 0, false
	}
	if cur != "" {
		return nil, fmt.Errorf("%q: continued past the end of the EXAMPLES", cur)
	}
	if announced {
		return nil, fmt.Errorf("an exit code is announced after the last example")
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no commands in the EXAMPLES")
	}
	return out, nil
}

var errShellSyntax = errors.New("shell syntax")

// shellFields splits a command line as sh would for the simple quoting help texts use:
// single and double quotes, no expansion. A line with pipes, redirections or expansions gets
// errShellSyntax: it must run with sh.
func shellFields(s string) ([]string, error) {
	var fields []string
	var cur strings.Builder
	inField := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inField = r, true
		case r == ' ' || r == '\t':
			if inField {
				fields = append(fields, cur.String())
				cur.Reset()
				inField = false
			}
		case r == '|' || r == '>' || r == '<' || r == '$' || r == ';':
			return nil, fmt.Errorf("%q: %w %q", s, errShellSyntax, r)
		default:
			cur.WriteRune(r)
			inField = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("%q: unterminated quote", s)
	}
	if inField {
		fields = append(fields, cur.String())
	}
	return fields, nil
}

func TestShellFields(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"signet a b", []string{"signet", "a", "b"}},
		{"signet --subject 'CN=A B,O=C'  -o x", []string{"signet", "--subject", "CN=A B,O=C", "-o", "x"}},
		{`x "a 'b'" ''`, []string{"x", "a 'b'", ""}},
	}
	for _, tt := range tests {
		got, err := shellFields(tt.in)
		if err != nil || strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
			t.Errorf("shellFields(%q) = %q, %v", tt.in, got, err)
		}
	}
	for _, bad := range []string{"a | b", "a 'b", "echo $HOME"} {
		if _, err := shellFields(bad); err == nil {
			t.Errorf("shellFields(%q) accepted", bad)
		}
	}
	for _, sh := range []string{"a | b", "echo $HOME", "a > b"} {
		if _, err := shellFields(sh); !errors.Is(err, errShellSyntax) {
			t.Errorf("shellFields(%q) = %v, want errShellSyntax", sh, err)
		}
	}
}

func TestHelpExamplesParse(t *testing.T) {
	help := "NAME:\n   x\n\n   EXAMPLES:\n      signet a 'b c' \\\n          d\n      # fails: exit 3\n      signet e\n" +
		"      echo x | signet f\n\nCOMMANDS:\n   gen   not an example\n\nOPTIONS:\n"
	got, err := helpExamples(help)
	if err != nil {
		t.Fatal(err)
	}
	want := []helpExample{
		{line: "signet a 'b c'  d", args: []string{"signet", "a", "b c", "d"}},
		{line: "signet e", args: []string{"signet", "e"}, code: 3, announced: true},
		{line: "echo x | signet f"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("helpExamples:\n%+v\nwant\n%+v", got, want)
	}
	for _, bad := range []string{"no examples", "EXAMPLES:\n\n", "EXAMPLES:\n  signet a \\\n\n", "EXAMPLES:\n  # exit x\n  signet a\n", "EXAMPLES:\n  signet a\n  # exit 1\n"} {
		if _, err := helpExamples(bad); err == nil {
			t.Errorf("helpExamples(%q) accepted", bad)
		}
	}
}

// TestHelpExamples runs the EXAMPLES of the commands below, each in its own scratch
// directory, with SIGNET_PASSPHRASE set.
func TestHelpExamples(t *testing.T) {
	testutil.RequireTool(t, "openssl")
	for _, cmd := range [][]string{
		{"cert", "create"},
		{"cert", "inspect"},
		{"cert", "p12"},
		{"crl", "create"},
		{"init"},
		{"completion"},
		{"man"},
	} {
		t.Run(strings.Join(cmd, " "), func(t *testing.T) {
			exampleFixture(t, nil)
			t.Setenv("SIGNET_PASSPHRASE", "example passphrase")
			runHelpExamples(t, cmd...)
		})
	}
}

// TestKeyHelpExamples runs the EXAMPLES of every key and csr help text, each command's in a
// fresh directory holding the files its examples start from, with a SoftHSM2 token labelled
// ci for the example that generates a key on a token.
func TestKeyHelpExamples(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	newSoftHSM(t, "ci")
	t.Setenv("SIGNET_PASSPHRASE", "example passphrase")
	fixtures := t.TempDir()
	fx := func(name string) string { return filepath.Join(fixtures, name) }
	mustSignet(t, "key", "gen", "--no-passphrase", "-o", fx("signer.key"), "--pub-out", fx("signer.pub"))
	mustSignet(t, "key", "gen", "--no-passphrase", "--type", "rsa-2048", "-o", fx("tls.key"))
	testutil.Run(t, openssl, "req", "-x509", "-new", "-key", fx("tls.key"), "-subj", "/CN=server", "-days", "1", "-out", fx("server.crt"))
	if err := os.WriteFile(fx("pass.txt"), []byte("a passphrase in a file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		cmd      []string
		fixtures []string
		want     int
	}{
		{[]string{"key"}, nil, 3},
		{[]string{"key", "gen"}, []string{"pass.txt"}, 6},
		{[]string{"key", "pub"}, []string{"signer.key", "server.crt"}, 5},
		{[]string{"key", "inspect"}, []string{"signer.key", "signer.pub"}, 2},
		{[]string{"csr"}, []string{"signer.key", "tls.key"}, 4},
	} {
		t.Run(strings.Join(tc.cmd, " "), func(t *testing.T) {
			dir := exampleFixture(t, nil)
			for _, f := range tc.fixtures {
				// as cp would: same content, same mode (keys are 0600)
				b, err := os.ReadFile(fx(f))
				if err != nil {
					t.Fatal(err)
				}
				fi, err := os.Stat(fx(f))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, f), b, fi.Mode().Perm()); err != nil {
					t.Fatal(err)
				}
			}
			if examples, _ := runHelpExamples(t, tc.cmd...); len(examples) != tc.want {
				t.Errorf("%d examples ran, want %d", len(examples), tc.want)
			}
		})
	}
}

// TestTopLevelHelpExamples runs the EXAMPLES of `signet --help`: the main job (init, sign,
// verify) and the first steps with keys, as a new user types them.
func TestTopLevelHelpExamples(t *testing.T) {
	exampleFixture(t, map[string]string{"release.tar.gz": "a release\n"})
	t.Setenv("SIGNET_PASSPHRASE", "example passphrase")
	if examples, _ := runHelpExamples(t); len(examples) != 6 {
		t.Errorf("signet --help has %d examples, want 6", len(examples))
	}
}
