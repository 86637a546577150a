package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/urfave/cli/v2"
)

// Every command has one help text, its Description, in up to three parts:
//
//	what it does, in a few lines       --help, the manual page, 'signet help --full'
//	moreHelp
//	the reference: what is checked,    the manual page and 'signet help --full' only
//	trust rules, formats, JSON, exit codes
//	EXAMPLES...:                       --help shows three; the manual all of them
//
// so that --help fits a screen (synopsis, the short description, the flags, three examples
// and a line pointing at the rest) and nothing is lost: the reference moves, it is not cut.
// A Description without moreHelp is short already and is shown whole. The examples are one
// list, run in order by the tests (examples_test.go); --help shows the first three that run
// the command itself (shownExamples), the manual all of them, with the steps that make the
// files they start from.

// moreHelp separates, in a Description, the short text --help shows from the reference text:
// `short` + moreHelp + `reference`. It is a form feed on a line of its own, a page break,
// and never printed.
const moreHelp = "\n\f\n"

// helpExamplesShown is how many examples --help shows; the manual page shows them all.
const helpExamplesShown = 3

// helpParts is a Description taken apart.
type helpParts struct {
	short     string // what --help shows of the text
	reference string // the rest of the text; "" when all of it is short
	examples  string // the EXAMPLES heading and every example, as written; "" when none
}

func splitHelp(desc string) helpParts {
	var p helpParts
	body := desc
	if i := examplesStart(desc); i >= 0 {
		body, p.examples = desc[:i], strings.TrimRight(desc[i:], "\n ")
	}
	short, ref, _ := strings.Cut(body, moreHelp)
	p.short, p.reference = strings.TrimRight(short, "\n "), strings.TrimRight(strings.TrimLeft(ref, "\n"), "\n ")
	return p
}

// examplesStart is where the EXAMPLES heading of a Description starts (a line that starts
// with EXAMPLES), or -1.
func examplesStart(desc string) int {
	if strings.HasPrefix(desc, "EXAMPLES") {
		return 0
	}
	if i := strings.Index(desc, "\n\nEXAMPLES"); i >= 0 {
		return i + 2
	}
	return -1
}

// text is the whole description: the short text and the reference, without the examples.
func (p helpParts) text() string {
	if p.reference == "" {
		return p.short
	}
	return p.short + "\n\n" + p.reference
}

// shownExamples is the EXAMPLES heading and the first n examples that run the command
// (their line has "signet CMD", helpName), each with its comment lines and continuation
// lines: what --help shows. The examples before and between them (making the files they
// start from) are in the manual, which shows them all.
func shownExamples(examples, helpName string, n int) string {
	lines := strings.Split(examples, "\n")
	out := lines[:1]
	var block []string // an example: its comments, its lines
	cmd := ""
	for _, line := range lines[1:] {
		t := strings.TrimSpace(line)
		if t == "" {
			break
		}
		block = append(block, line)
		if strings.HasPrefix(t, "#") {
			continue
		}
		cmd += " " + strings.TrimSuffix(t, `\`)
		if strings.HasSuffix(t, `\`) {
			continue
		}
		if runsCommand(cmd, helpName) {
			out = append(out, block...)
			if n--; n == 0 {
				break
			}
		}
		block, cmd = nil, ""
	}
	return strings.Join(out, "\n")
}

// runsCommand says whether an example's command line runs the command helpName names
// ("signet key gen"; "signet" for any).
func runsCommand(line, helpName string) bool {
	f := strings.Fields(line)
	want := strings.Fields(helpName)
	for i := range f {
		if len(f)-i >= len(want) && slices.Equal(f[i:i+len(want)], want) {
			return true
		}
	}
	return false
}

// shortHelp is what --help shows of a Description.
func shortHelp(desc, helpName string) string {
	p := splitHelp(desc)
	if p.examples == "" {
		return p.short
	}
	return p.short + "\n\n" + shownExamples(p.examples, helpName, helpExamplesShown)
}

// helpPointer is the last line of a --help: where the rest is.
func helpPointer(helpName string) string {
	words := strings.Fields(helpName)
	if len(words) == 0 {
		words = []string{"signet"}
	}
	full := "signet help --full"
	if len(words) > 1 {
		full += " " + strings.Join(words[1:], " ")
	}
	return fmt.Sprintf("Reference: man %s, or %s",
		strings.Join(words, "-"), full)
}

// helpData returns the Description and the name of what a help template is printed for.
func helpData(data any) (desc, helpName string) {
	switch d := data.(type) {
	case *cli.App:
		return d.Description, d.HelpName
	case *cli.Command:
		return d.Description, d.HelpName
	}
	return "", ""
}

// helpTemplates installs signet's help templates: urfave/cli's, with the short description
// in place of the whole and the pointer line at the end. They are package variables of the
// library, set once (every app is built by newAppFor, which calls this first) and only read
// afterwards; once, not at init, so that a run that prints no help does not build them.
var helpTemplates = sync.OnceFunc(func() {
	helpFuncs := map[string]any{
		"shortHelp": func(data any) string {
			return shortHelp(helpData(data))
		},
		"helpPointer": func(data any) string {
			_, name := helpData(data)
			return helpPointer(name)
		},
	}
	const pointer = "\n{{helpPointer .}}\n"
	cli.HelpPrinter = func(w io.Writer, templ string, data any) {
		if _, ok := data.(*cli.App); ok {
			// signet's own help template is the library's and the exit codes (newApp): the
			// pointer goes after them, at the end.
			templ += pointer
		}
		cli.HelpPrinterCustom(w, templ, data, helpFuncs)
	}
	const whole, short = `{{template "descriptionTemplate" .}}`, `{{wrap (shortHelp .) 3}}`
	cli.CommandHelpTemplate = strings.Replace(cli.CommandHelpTemplate, whole, short, 1) + pointer
	cli.SubcommandHelpTemplate = strings.Replace(cli.SubcommandHelpTemplate, whole, short, 1) + pointer
	cli.AppHelpTemplate = strings.Replace(cli.AppHelpTemplate, whole, short, 1)
})

// A manual is one command's whole help, from the definitions --help prints: what 'signet man'
// writes as a page and 'signet help --full' prints as text.
type manual struct {
	name     string // signet-key-gen
	usage    string
	synopsis string
	text     string // the description and the reference
	commands [][2]string
	options  []string // each flag as --help prints it: names and placeholder, a tab, usage
	examples string   // the EXAMPLES heading and every example; "" when none
	exit     string   // the exit codes (signet(1) only)
	seeAlso  []string
}

func commandManual(path []string, c *cli.Command) manual {
	p := splitHelp(c.Description)
	m := manual{name: "signet-" + strings.Join(path, "-"), usage: c.Usage, text: p.text(), examples: p.examples, seeAlso: []string{"signet"}}
	m.synopsis = "signet " + strings.Join(path, " ")
	if len(c.Subcommands) > 0 {
		m.synopsis += " COMMAND"
	} else {
		m.synopsis += " [OPTIONS]"
		if c.ArgsUsage != "" {
			m.synopsis += " " + c.ArgsUsage
		}
	}
	for _, s := range c.Subcommands {
		if !s.Hidden && s.Name != "help" {
			m.commands = append(m.commands, [2]string{s.Name, s.Usage})
		}
	}
	for _, f := range c.Flags {
		if v, ok := f.(cli.VisibleFlag); ok && !v.IsVisible() {
			continue
		}
		m.options = append(m.options, fmt.Sprint(f))
	}
	return m
}

func appManual(app *cli.App, all []string) manual {
	p := splitHelp(app.Description)
	m := manual{name: "signet", usage: app.Usage, synopsis: "signet COMMAND [OPTIONS] [ARGS]", text: p.text(), examples: p.examples, seeAlso: all}
	for _, c := range app.Commands {
		if !c.Hidden && c.Name != "help" {
			m.commands = append(m.commands, [2]string{c.Name, c.Usage})
		}
	}
	_, m.exit, _ = strings.Cut(exitCodesHelp, "\n")
	return m
}

// findManual returns the manual of the command path names ("key", "gen"; none: signet).
func findManual(app *cli.App, path []string) (manual, error) {
	cmds := app.Commands
	var c *cli.Command
	for i, name := range path {
		c = nil
		for _, x := range cmds {
			if x.HasName(name) && !x.Hidden {
				c = x
			}
		}
		if c == nil {
			return manual{}, usagef("unknown command %q; see 'signet %s --help'", strings.Join(path[:i+1], " "), strings.Join(path[:i], " "))
		}
		path[i] = c.Name
		cmds = c.Subcommands
	}
	if c == nil {
		return appManual(app, allManualNames(app)), nil
	}
	return commandManual(path, c), nil
}

// writeText prints the manual as text: 'signet help --full'.
func (m manual) writeText(w io.Writer) {
	indent := func(s string) string {
		lines := strings.Split(s, "\n")
		for i, l := range lines {
			if l != "" {
				lines[i] = "   " + l
			}
		}
		return strings.Join(lines, "\n")
	}
	fmt.Fprintf(w, "NAME:\n   %s - %s\n\nSYNOPSIS:\n   %s\n", strings.ReplaceAll(m.name, "-", " "), m.usage, m.synopsis)
	if m.text != "" {
		fmt.Fprintf(w, "\nDESCRIPTION:\n%s\n", indent(m.text))
	}
	tw := tabwriter.NewWriter(w, 1, 8, 2, ' ', 0)
	if len(m.commands) > 0 {
		fmt.Fprintf(tw, "\nCOMMANDS:\n")
		for _, c := range m.commands {
			fmt.Fprintf(tw, "   %s\t%s\n", c[0], c[1])
		}
	}
	if len(m.options) > 0 {
		fmt.Fprintf(tw, "\nOPTIONS:\n")
		for _, o := range m.options {
			fmt.Fprintf(tw, "   %s\n", o)
		}
	}
	tw.Flush()
	if m.exit != "" {
		fmt.Fprintf(w, "\nEXIT CODES:\n%s\n", m.exit)
	}
	if m.examples != "" {
		fmt.Fprintf(w, "\n%s\n", m.examples)
	}
}

// fullHelp handles 'signet help --full [CMD...]', printing the command's manual as text. It
// returns false when args (those after "help") are not that.
func fullHelp(app *cli.App, w io.Writer, args []string) (bool, error) {
	if !slices.Contains(args, "--full") {
		return false, nil
	}
	var path []string
	for _, a := range args {
		switch {
		case a == "--full":
		case strings.HasPrefix(a, "-"):
			return true, usagef("'signet help --full' takes command names, not %s", a)
		default:
			path = append(path, a)
		}
	}
	m, err := findManual(app, path)
	if err != nil {
		return true, err
	}
	m.writeText(w)
	return true, nil
}
