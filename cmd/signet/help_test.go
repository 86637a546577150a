package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// allCommands lists the path of every command, those with subcommands too, and nil for
// signet itself.
func allCommands() [][]string {
	out := [][]string{nil}
	var walk func(prefix []string, cmds []*cli.Command)
	walk = func(prefix []string, cmds []*cli.Command) {
		for _, c := range cmds {
			if c.Hidden || c.Name == "help" {
				continue
			}
			p := append(append([]string{}, prefix...), c.Name)
			out = append(out, p)
			walk(p, c.Subcommands)
		}
	}
	walk(nil, newApp(&env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}).Commands)
	return out
}

// maxHelpLines is what fits a screen.
const maxHelpLines = 60

// TestHelpFitsAScreen: every --help is at most a screen (synopsis, a short description,
// the flags, three examples), and ends with the line that says where the rest is.
func TestHelpFitsAScreen(t *testing.T) {
	for _, p := range allCommands() {
		name := strings.TrimSpace("signet " + strings.Join(p, " "))
		code, help, errOut := certRun(append(p, "--help")...)
		if code != 0 {
			t.Fatalf("%s --help: exit %d\n%s", name, code, errOut)
		}
		lines := strings.Split(strings.TrimSuffix(help, "\n"), "\n")
		if len(lines) > maxHelpLines {
			t.Errorf("%s --help is %d lines, more than a screen (%d)", name, len(lines), maxHelpLines)
		}
		want := "Reference: man " + strings.ReplaceAll(name, " ", "-") + ", or " + strings.TrimSpace("signet help --full "+strings.Join(p, " "))
		if lines[len(lines)-1] != want {
			t.Errorf("%s --help does not end pointing at its reference (%q)", name, want)
		}
		if _, ex, ok := strings.Cut(help, "EXAMPLES"); ok {
			if examples, err := helpExamples("EXAMPLES" + ex); err != nil || len(examples) > helpExamplesShown {
				t.Errorf("%s --help: %d examples (%v), at most %d", name, len(examples), err, helpExamplesShown)
			}
		}
	}
}

// TestFullHelpLosesNothing: what --help no longer shows is in the manual, as text ('signet
// help --full') and as a page: every line of every command's help text, and every flag.
func TestFullHelpLosesNothing(t *testing.T) {
	app := newApp(&env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}})
	pages := manPages(app)
	for _, p := range allCommands() {
		name := strings.TrimSpace("signet " + strings.Join(p, " "))
		code, full, errOut := certRun(append([]string{"help", "--full"}, p...)...)
		if code != 0 || errOut != "" {
			t.Fatalf("signet help --full %s: exit %d\n%s", strings.Join(p, " "), code, errOut)
		}
		page := unroff(pages[strings.ReplaceAll(name, " ", "-")+".1"])
		var desc string
		var flags []cli.Flag
		if len(p) == 0 {
			desc = app.Description
		} else {
			c := findCommand(app.Commands, p[0])
			for _, w := range p[1:] {
				c = findCommand(c.Subcommands, w)
			}
			desc, flags = c.Description, c.Flags
		}
		if desc == "" {
			continue
		}
		for _, line := range strings.Split(desc, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || line == "\f" {
				continue
			}
			if !strings.Contains(full, line) {
				t.Errorf("signet help --full %s lacks %q", strings.Join(p, " "), line)
			}
			if !strings.Contains(page, line) && !strings.HasPrefix(line, "EXAMPLES") { // the heading is .SH EXAMPLES
				t.Errorf("the page of %s lacks %q", name, line)
			}
		}
		for _, f := range flags {
			if !strings.Contains(full, f.Names()[0]) || !strings.Contains(page, f.Names()[0]) {
				t.Errorf("%s: the manual lacks --%s", name, f.Names()[0])
			}
		}
		if strings.Contains(full, "\f") || strings.Contains(page, "\f") {
			t.Errorf("%s: the page break of the help text is printed", name)
		}
	}
}

// unroff undoes what roff() escapes, enough to compare a page's text with the help.
func unroff(s string) string {
	s = strings.ReplaceAll(s, `\-`, "-")
	s = strings.ReplaceAll(s, `\&`, "")
	return strings.ReplaceAll(s, `\e`, `\`)
}

// TestManPageExamples: a page's EXAMPLES are the manual's, which the tests run
// (runHelpExamples), and which begin with those of --help.
func TestManPageExamples(t *testing.T) {
	pages := manPages(newApp(&env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}))
	for _, p := range allCommands() {
		name := strings.TrimSpace("signet " + strings.Join(p, " "))
		_, full, _ := certRun(append([]string{"help", "--full"}, p...)...)
		want, err := helpExamples(full)
		if err != nil {
			continue // no examples
		}
		page := unroff(pages[strings.ReplaceAll(name, " ", "-")+".1"])
		_, ex, ok := strings.Cut(page, ".SH EXAMPLES\n")
		if !ok {
			t.Errorf("the page of %s has no EXAMPLES", name)
			continue
		}
		_, ex, _ = strings.Cut(ex, ".nf\n")
		ex, _, _ = strings.Cut(ex, ".fi\n")
		got, err := helpExamples("EXAMPLES:\n" + ex)
		if err != nil || len(got) != len(want) {
			t.Errorf("the page of %s: %d examples (%v), want %d", name, len(got), err, len(want))
			continue
		}
		for i := range got {
			if got[i].line != want[i].line || got[i].code != want[i].code {
				t.Errorf("the page of %s: example %q, want %q", name, got[i].line, want[i].line)
			}
		}
	}
}

// TestFullHelpUsage: 'signet help --full' with no command is signet(1) as text; an unknown
// command is a usage error.
func TestFullHelpUsage(t *testing.T) {
	code, out, errOut := certRun("help", "--full")
	if code != 0 || !strings.Contains(out, "EXIT CODES:") || !strings.Contains(out, "signet key gen --type ec-p256") || errOut != "" {
		t.Errorf("help --full: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = certRun("help", "--full", "key", "nope")
	if code != exitUsage || out != "" || !strings.Contains(errOut, `unknown command "key nope"`) {
		t.Errorf("help --full key nope: exit %d, %q, %q", code, out, errOut)
	}
	code, out, errOut = certRun("help", "verify", "--full", "-x")
	if code != exitUsage || out != "" || !strings.Contains(errOut, "not -x") {
		t.Errorf("help verify --full -x: exit %d, %q, %q", code, out, errOut)
	}
}

// hexEllipsis is the one "…" help may hold: signet's output shortening a fingerprint
// (sha256:ab12…), quoted as printed.
var hexEllipsis = regexp.MustCompile(`[0-9a-f]…`)

// TestHelpASCIIEllipsis: help text, manuals and pages say "..." (FILE..., and so on), never
// "…", except where they quote signet's output shortening a fingerprint.
func TestHelpASCIIEllipsis(t *testing.T) {
	pages := manPages(newApp(&env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}))
	check := func(what, text string) {
		for _, line := range strings.Split(hexEllipsis.ReplaceAllString(text, ""), "\n") {
			if strings.Contains(line, "…") {
				t.Errorf("%s: %q: write ... (ASCII)", what, strings.TrimSpace(line))
			}
		}
	}
	for _, p := range allCommands() {
		_, help, _ := certRun(append(p, "--help")...)
		check("signet "+strings.Join(p, " ")+" --help", help)
		_, full, _ := certRun(append([]string{"help", "--full"}, p...)...)
		check("signet help --full "+strings.Join(p, " "), full)
	}
	for name, page := range pages {
		check(name, page)
	}
}

// maxShortLines is "a few lines": what --help says of a command before its examples.
const maxShortLines = 10

// TestShortDescriptions: what --help shows of every help text, before its examples, is a few
// lines; the rest is reference text, after the page break (moreHelp).
func TestShortDescriptions(t *testing.T) {
	app := newApp(&env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}})
	check := func(name, desc string) {
		if n := len(strings.Split(splitHelp(desc).short, "\n")); n > maxShortLines {
			t.Errorf("%s: --help shows %d lines of description, more than %d: put the reference text after moreHelp", name, n, maxShortLines)
		}
	}
	check("signet", app.Description)
	var walk func(path string, cmds []*cli.Command)
	walk = func(path string, cmds []*cli.Command) {
		for _, c := range cmds {
			check(path+" "+c.Name, c.Description)
			walk(path+" "+c.Name, c.Subcommands)
		}
	}
	walk("signet", app.Commands)
}
