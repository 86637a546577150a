package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// TestHelpExamples runs every EXAMPLES line of the help of the commands below, in order, in
// one scratch directory per command, so that what the help shows is known to work. Paths
// under testdata/ point at the source tree, ~/.config/signet at the test's SIGNET_HOME, and
// SIGNET_PASSPHRASE is set. A comment line ending in "exit N" announces the exit code of the
// next command; otherwise it must succeed.
func TestHelpExamples(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	testdata, err := filepath.Abs(filepath.Join("..", "..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range [][]string{
		{"cert", "create"},
		{"cert", "inspect"},
		{"cert", "p12"},
		{"crl", "create"},
		{"init"},
	} {
		t.Run(strings.Join(cmd, " "), func(t *testing.T) {
			dir := t.TempDir()
			home := filepath.Join(dir, "home")
			t.Setenv("SIGNET_HOME", home)
			t.Setenv("SIGNET_PASSPHRASE", "example passphrase")
			t.Chdir(dir)
			_, help, _ := certRun(append(cmd, "--help")...)
			examples, err := helpExamples(help)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d examples", len(examples))
			for _, ex := range examples {
				args := ex.args
				for i, a := range args {
					if rest, ok := strings.CutPrefix(a, "testdata/"); ok {
						args[i] = filepath.Join(testdata, rest)
					}
					if rest, ok := strings.CutPrefix(a, "~/.config/signet/"); ok {
						args[i] = filepath.Join(home, rest)
					}
				}
				var code int
				var out, errOut string
				switch args[0] {
				case "signet":
					code, out, errOut = certRun(args[1:]...)
				case "openssl":
					o, e, err := testutil.RunErr(openssl, args[1:]...)
					out, errOut = string(o), string(e)
					if ee, ok := err.(*exec.ExitError); ok {
						code = ee.ExitCode()
					} else if err != nil {
						t.Fatal(err)
					}
				default:
					t.Fatalf("example runs %q, which this test does not know", args[0])
				}
				if code != ex.code {
					t.Fatalf("%s: exit %d, want %d\n%s%s", strings.Join(ex.args, " "), code, ex.code, out, errOut)
				}
			}
		})
	}
}

type helpExample struct {
	args []string
	code int
}

// helpExamples extracts the commands of a help text's EXAMPLES section.
func helpExamples(help string) ([]helpExample, error) {
	_, section, ok := strings.Cut(help, "EXAMPLES")
	if !ok {
		return nil, fmt.Errorf("no EXAMPLES in the help")
	}
	section, _, _ = strings.Cut(section, "OPTIONS:")
	var out []helpExample
	var cur string
	code := 0
	for _, line := range strings.Split(section, "\n")[1:] {
		line = strings.TrimSpace(line)
		if c, ok := strings.CutPrefix(line, "#"); ok {
			if i := strings.LastIndex(c, "exit "); i >= 0 {
				n, err := strconv.Atoi(strings.TrimSpace(c[i+len("exit "):]))
				if err != nil {
					return nil, fmt.Errorf("comment %q: %v", line, err)
				}
				code = n
			}
			continue
		}
		if line == "" {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			cur += strings.TrimSuffix(line, "\\") + " "
			continue
		}
		args, err := shellFields(cur + line)
		if err != nil {
			return nil, err
		}
		out = append(out, helpExample{args: args, code: code})
		cur, code = "", 0
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no commands in the EXAMPLES")
	}
	return out, nil
}

// shellFields splits a command line as sh would for the simple quoting help texts use:
// single and double quotes, no expansion, no pipes.
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
			return nil, fmt.Errorf("%q: shell syntax %q is not supported in examples this test runs", s, r)
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
}
