package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// leafCommands lists the path of every command that does something ("key gen", "tls serve").
func leafCommands() [][]string {
	var out [][]string
	var walk func(prefix []string, cmds []*cli.Command)
	walk = func(prefix []string, cmds []*cli.Command) {
		for _, c := range cmds {
			if c.Hidden || c.Name == "help" {
				continue
			}
			p := append(append([]string{}, prefix...), c.Name)
			if len(c.Subcommands) > 0 {
				walk(p, c.Subcommands)
				continue
			}
			out = append(out, p)
		}
	}
	walk(nil, newApp(&env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}).Commands)
	return out
}

// TestUsageErrorsEverywhere: a usage error is exit 2, nothing on stdout, one error line and
// one line pointing at the command's own --help, for every command: an unknown flag, and the
// missing required flags or arguments of the commands the issue found printing their whole
// help page (enroll, tls serve) or pointing nowhere.
func TestUsageErrorsEverywhere(t *testing.T) {
	cases := map[string][]string{}
	for _, p := range leafCommands() {
		cases[strings.Join(p, " ")+" --no-such-flag"] = append(append([]string{}, p...), "--no-such-flag")
	}
	for _, c := range []string{
		"enroll", "tls serve", "tls tunnel", "tls check", "tls audit", "cert create", "cert verify",
		"cert p12", "crl create", "csr", "sign", "verify", "key pub", "token import-cert", "token delete",
		"key gen --type nope -o k.key", "verify --manifest",
	} {
		cases[c] = strings.Fields(c)
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := certRun(args...)
			if code != exitUsage || out != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2 and nothing on stdout", code, out, errOut)
			}
			lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
			if len(lines) > 2 || !strings.HasPrefix(lines[0], "signet: error: ") {
				t.Fatalf("stderr is not one error line and a hint:\n%s", errOut)
			}
			var path []string
			for _, a := range args {
				if strings.HasPrefix(a, "-") {
					break
				}
				path = append(path, a)
			}
			if !strings.Contains(errOut, "--help") {
				t.Errorf("no pointer to --help:\n%s", errOut)
			}
			if len(lines) == 2 && strings.HasPrefix(lines[1], "signet: hint: see ") && !strings.Contains(lines[1], "'signet "+strings.Join(path, " ")+" --help'") {
				t.Errorf("the hint points at another command's help:\n%s", errOut)
			}
		})
	}
}

// TestHelpCommand: "signet help" and "signet help CMD..." print what --help prints.
func TestHelpCommand(t *testing.T) {
	for _, p := range append(leafCommands(), nil, []string{"key"}, []string{"tls"}) {
		t.Run(strings.Join(append([]string{"help"}, p...), " "), func(t *testing.T) {
			code, out, errOut := certRun(append([]string{"help"}, p...)...)
			wantCode, want, _ := certRun(append(append([]string{}, p...), "--help")...)
			if code != 0 || wantCode != 0 || out != want || errOut != "" {
				t.Fatalf("exit %d, stderr %q; stdout same as --help: %v", code, errOut, out == want)
			}
		})
	}
	if code, _, errOut := certRun("help", "nope"); code != exitUsage || !strings.Contains(errOut, `unknown command "nope"`) {
		t.Errorf("help nope: exit %d, %q", code, errOut)
	}
}

// TestHelpFlagLines: every command's flags (signet's own and those of commands with
// subcommands too), in --help, in the manual and on the man page, say their default once at
// most, never "(default: false)" after a switch, and name what a value is rather than
// "value".
func TestHelpFlagLines(t *testing.T) {
	pages := manPages(newApp(&env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}))
	for _, p := range allCommands() {
		name := strings.TrimSpace("signet " + strings.Join(p, " "))
		_, help, _ := certRun(append(p, "--help")...)
		_, full, _ := certRun(append([]string{"help", "--full"}, p...)...)
		page := unroff(pages[strings.ReplaceAll(name, " ", "-")+".1"])
		for what, text := range map[string]string{"--help": help, "help --full": full, "man page": page} {
			_, opts, ok := strings.Cut(text, "OPTIONS:\n")
			if what == "man page" {
				_, opts, ok = strings.Cut(text, ".SH OPTIONS\n")
				opts, _, _ = strings.Cut(opts, ".SH ")
			}
			if !ok {
				continue
			}
			for _, line := range strings.Split(opts, "\n") {
				switch {
				case strings.Count(line, "(default") > 1:
					t.Errorf("%s %s: two defaults: %s", name, what, line)
				case strings.Contains(line, "(default: false)"):
					t.Errorf("%s %s: a switch's default: %s", name, what, line)
				case strings.Contains(line, " value ") || strings.HasSuffix(line, " value") || strings.Contains(line, " value\t"):
					t.Errorf("%s %s: a placeholder that names nothing: %s", name, what, line)
				}
			}
		}
	}
}
