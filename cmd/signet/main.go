// Command signet hashes, signs and verifies documents, and manages the keys and certificates
// that do it, in software or on PKCS#11 tokens.
//
// This package is wiring only: each command parses its flags into an options struct, calls one
// function of a library package, and prints the result. Exit codes live in exit.go.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/urfave/cli/v2"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3"; otherwise it comes from
// the module build information.
var version = ""

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// env is what every command may touch of the process: its standard streams and environment.
// Commands receive it explicitly; there is no package-level state.
type env struct {
	stdin     io.Reader
	stdout    io.Writer
	stderr    io.Writer
	lookupEnv func(string) (string, bool)
}

// getenv is the value of an environment variable, "" when it is not set.
func (e *env) getenv(k string) string {
	v, _ := e.lookupEnv(k)
	return v
}

func (e *env) warnf(format string, args ...any) {
	fmt.Fprintf(e.stderr, "signet: warning: "+format+"\n", args...)
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runIO(context.Background(), args, stdin, stdout, stderr)
}

// signalContext returns a context that the first SIGINT or SIGTERM cancels, and stop, which
// stops catching them (call it when the work is done). The context's cause (context.Cause) is
// then a *codedError whose code is the shell's for a process ended by that signal, 128 plus
// its number: 130 for SIGINT, 143 for SIGTERM.
//
// A command uses it around work that honours its context and cleans up after itself (sign);
// before that work (a passphrase prompt) and after it, the signals keep their default action
// and end the process at once. After the first signal the default action is back too, so a
// second Ctrl-C ends a run whose clean-up hangs (what it staged is then removed by a later
// run). A signal that was ignored when signet started (SIGINT for a background job of a
// non-interactive shell) stays ignored.
func signalContext(parent context.Context) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	var sigs []os.Signal
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		if !signal.Ignored(sig) {
			sigs = append(sigs, sig)
		}
	}
	caught := make(chan os.Signal, 1)
	if len(sigs) > 0 {
		signal.Notify(caught, sigs...)
	}
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-caught:
			signal.Stop(caught)
			cancel(interrupted(sig))
		case <-done:
		}
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			signal.Stop(caught)
			close(done)
			cancel(nil)
		})
	}
}

// runContext runs signet with no input until ctx ends (tests use it to stop a server).
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runIO(ctx, args, strings.NewReader(""), stdout, stderr)
}

func runIO(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runEnv(ctx, &env{stdin: stdin, stdout: stdout, stderr: stderr, lookupEnv: os.LookupEnv}, args)
}

// runEnv runs signet in e: its streams and its environment.
func runEnv(ctx context.Context, e *env, args []string) int {
	args, stopProfile := startProfile(e, args) // profile.go: SIGNET_CPUPROFILE, --cpuprofile
	defer stopProfile()
	stderr := e.stderr
	// "signet help CMD..." is "signet CMD... --help", as git and go have it; "signet help
	// --full CMD..." prints the command's whole manual (help.go), from the whole app.
	var err error
	full := false
	if len(args) > 1 && args[1] == "help" {
		full, err = fullHelp(newApp(e), e.stdout, args[2:])
		args = append(append([]string{args[0]}, args[2:]...), "--help")
	}
	app := newAppFor(e, args)
	if !full {
		err = app.RunContext(ctx, permuteArgs(app, args))
	}
	if err == nil {
		return exitOK
	}
	var ce *codedError
	if errors.As(err, &ce) && ce.msg == "" {
		return ce.code // already reported
	}
	msg := userMessage(err.Error())
	fmt.Fprintf(stderr, "signet: error: %s\n", msg)
	h := hintFor(err)
	var ue *usageError
	if h == "" && errors.As(err, &ue) && !ue.noHelp && !strings.Contains(msg, "--help") {
		// Every usage error points at the help of the command it is about.
		h = sprintf("see '%s --help'", commandPath(app, args))
	}
	if h != "" {
		fmt.Fprintf(stderr, "signet: hint: %s\n", h)
	}
	return exitCode(err)
}

// commandPath is the command args run, as its help names it ("signet tls serve"): the
// program and the commands named before the first positional argument.
func commandPath(app *cli.App, args []string) string {
	path := []string{"signet"}
	cmds, flags := app.Commands, app.Flags
	for i := 1; i < len(args); i++ {
		a := args[i]
		if isFlag(a) {
			if takesValue(flags, a) && !strings.Contains(a, "=") {
				i++
			}
			continue
		}
		cmd := findCommand(cmds, a)
		if cmd == nil {
			break
		}
		path = append(path, cmd.Name)
		cmds, flags = cmd.Subcommands, cmd.Flags
	}
	return strings.Join(path, " ")
}

// oneLine keeps an error on one line, whatever a library put into it.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// versionString is the version signet reports: the module version (or the -X main.version
// of a release build, or "devel"), then the source revision, its time and whether the tree
// had changes, and the Go version, as the build recorded them (runtime/debug.ReadBuildInfo).
// A build with -buildvcs=false, or outside a repository, records no revision.
func versionString() string {
	v := version
	bi, ok := debug.ReadBuildInfo()
	if v == "" {
		v = "devel"
		if ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	if !ok {
		return v
	}
	var rev, at string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	var extra []string
	if rev != "" {
		r := "revision " + rev[:min(12, len(rev))]
		if at != "" {
			r += " of " + at
		}
		if modified {
			r += ", modified"
		}
		extra = append(extra, r)
	}
	extra = append(extra, bi.GoVersion)
	return v + " (" + strings.Join(extra, ", ") + ")"
}

// urfave/cli v2 keeps its --help and --version flags, and its version printer, in package
// variables that every App uses. Applying a *cli.BoolFlag to a flag set writes to it, so two
// runs in one process (the parallel tests) raced on those two objects. They are replaced here,
// once, before any run, by flags whose Apply works on a copy: every run then has flag values
// of its own, and these package variables are only read afterwards. The version printer
// prints to the App of the run that asks.
func init() {
	cli.HelpFlag = &perRunBoolFlag{cli.BoolFlag{Name: "help", Aliases: []string{"h"}, Usage: "show help"}}
	cli.VersionFlag = &perRunBoolFlag{cli.BoolFlag{Name: "version", Aliases: []string{"v"}, Usage: "print the version"}}
	cli.VersionPrinter = func(c *cli.Context) { fmt.Fprintf(c.App.Writer, "signet %s\n", versionString()) }
}

// perRunHelpCommands keeps urfave/cli v2's package-level help command out of every run.
// The library appends that one command to every command it runs that has no "help" of its
// own, and writes to it (setup), which races between runs in one process. So a command with
// subcommands gets a "help" of its own ("signet key help gen"), which behaves as the
// library's does; a command without subcommands gets none (HideHelpCommand: a positional
// "help" is then an argument like any other, as in "signet hash help"), and prints its
// --help page with the template the library gave it.
func perRunHelpCommands(cmds []*cli.Command) {
	for _, c := range cmds {
		if len(c.Subcommands) == 0 {
			c.HideHelpCommand = true
			if c.CustomHelpTemplate == "" {
				c.CustomHelpTemplate = cli.CommandHelpTemplate
			}
			continue
		}
		perRunHelpCommands(c.Subcommands)
		if c.HideHelp || c.HideHelpCommand || c.Command("help") != nil {
			continue
		}
		c.Subcommands = append(c.Subcommands, &cli.Command{
			Name:               "help",
			Aliases:            []string{"h"},
			Usage:              "Shows a list of commands or help for one command",
			ArgsUsage:          "[command]",
			HideHelpCommand:    true,
			CustomHelpTemplate: cli.CommandHelpTemplate,
			Action: func(ctx *cli.Context) error {
				parent := ctx.Lineage()[1] // the context of the command whose help this is
				if ctx.Args().Present() {
					return cli.ShowCommandHelp(parent, ctx.Args().First())
				}
				return cli.ShowSubcommandHelp(parent)
			},
		})
	}
}

// perRunBoolFlag is a switch that the CLI library may share between apps: Apply registers a
// copy, so the shared value is never written.
type perRunBoolFlag struct{ cli.BoolFlag }

// Apply registers a copy of the flag in set.
func (f *perRunBoolFlag) Apply(set *flag.FlagSet) error {
	c := f.BoolFlag
	return c.Apply(set)
}

// GetDefaultText is empty: a switch is off unless given ("(default: false)" says nothing).
func (f *perRunBoolFlag) GetDefaultText() string { return "" }

// Names is the flag's name and aliases. The library's own Names (cli.FlagNames) runs a
// regular expression over each, to cut off what urfave/cli v1 allowed after a comma; these
// two names have none, and every command of every run asks for them.
func (f *perRunBoolFlag) Names() []string { return append([]string{f.Name}, f.Aliases...) }

// String is the flag's line in a help page.
func (f *perRunBoolFlag) String() string { return cli.FlagStringer(f) }

// newApp is the whole of signet's command line: every command, as help, completion and the
// manual pages see it.
func newApp(e *env) *cli.App { return newAppFor(e, nil) }

// newAppFor is the command line that runs args: the same app as newApp, built with only the
// commands args can reach (see commandsFor), so that a run does not pay for building the
// flags and help of the other fifteen.
func newAppFor(e *env, args []string) *cli.App {
	helpTemplates() // help.go
	app := &cli.App{
		Name:    "signet",
		Usage:   "hash, sign and verify documents; keys, CSRs and certificates in software or on PKCS#11 tokens",
		Version: versionString(),
		Description: `signet hashes documents, signs them with a software key or a key on a PKCS#11 token,
and verifies signatures and certificate chains under an explicit policy.

Secrets are never taken on the command line: a passphrase comes from --passphrase-file,
then SIGNET_PASSPHRASE, then a prompt on the terminal; a token PIN from the URI's
pin-source, then SIGNET_PIN, then a prompt.

EXAMPLES:
   signet init
   signet sign release.tar.gz
   signet verify release.tar.gz
   signet hash release.tar.gz
   signet key gen --type ec-p256 -o signer.key
   signet csr --key signer.key --subject 'CN=Release Bot,O=Example'`,
		Reader:                 e.stdin,
		Writer:                 e.stdout,
		ErrWriter:              e.stderr,
		HideHelpCommand:        true,
		UseShortOptionHandling: true,
		Suggest:                true,
		EnableBashCompletion:   true,
		// The framework must never exit by itself: run() owns the exit code.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError:   onUsageError,
		Commands:       commandsFor(e, args),
	}
	app.CustomAppHelpTemplate = cli.AppHelpTemplate + "\n" + exitCodesHelp + "\n"
	setUsageHandlers(app.Commands)
	perRunHelpCommands(app.Commands)
	app.Action = func(c *cli.Context) error {
		if c.Args().Present() {
			return usagef("unknown command %q; see 'signet --help'", c.Args().First())
		}
		return cli.ShowAppHelp(c)
	}
	return app
}

// topCommands are signet's commands, in the order help lists them: the name that selects each
// and the function that builds it (TestTopCommandNames holds each name to its command's).
var topCommands = []struct {
	name  string
	build func(*env) *cli.Command
}{
	{"hash", hashCommand},
	{"key", keyCommand},
	{"csr", csrCommand},
	{"cert", certCommand},
	{"crl", crlCommand},
	{"init", initCommand},
	{"sign", signCommand},
	{"verify", verifyCommand},
	{"tsa", tsaCommand},
	{"ts", tsCommand},
	{"token", tokenCommand},
	{"enroll", enrollCommand},
	{"tls", tlsCommand},
	{"version", versionCommand},
	{"completion", completionCommand},
	{"man", manCommand},
}

// commandsFor builds the commands a run of args can reach. Building all of them (their flags,
// help texts and the tables those name) is a measurable share of a short run's time, so:
//   - "signet CMD ...": CMD alone, when CMD is a command that does not read the whole app
//     (completion and man print all of it);
//   - "signet --version" (the CLI library's version flag, alone): none;
//   - anything else (no args: all, for newApp; "signet --help", an unknown command, shell
//     completion of the command names): all of them, which help and suggestions list.
func commandsFor(e *env, args []string) []*cli.Command {
	if len(args) == 2 && cli.VersionFlag != nil && slices.ContainsFunc(cli.VersionFlag.Names(), func(n string) bool {
		return args[1] == "-"+n || args[1] == "--"+n
	}) {
		return nil
	}
	if len(args) > 1 && !isFlag(args[1]) && args[1] != "completion" && args[1] != "man" {
		for _, c := range topCommands {
			if c.name == args[1] {
				return []*cli.Command{c.build(e)}
			}
		}
	}
	cmds := make([]*cli.Command, len(topCommands))
	for i, c := range topCommands {
		cmds[i] = c.build(e)
	}
	return cmds
}

func versionCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print signet's version",
		Action: func(c *cli.Context) error {
			fmt.Fprintf(e.stdout, "signet %s\n", versionString())
			return nil
		},
	}
}

// onUsageError turns flag parse errors into usage errors (exit 2) instead of letting urfave
// print the whole help text.
func onUsageError(c *cli.Context, err error, isSubcommand bool) error {
	return &usageError{msg: err.Error()}
}

// checkSecretFiles checks, before a command does anything, that the passphrase files it was
// given exist, so that a missing --passphrase-file is said as such, first,
// rather than as a failure to read the key it was for, or after another key's prompt.
func checkSecretFiles(c *cli.Context) error {
	for _, name := range []string{"passphrase-file", "ca-passphrase-file", "key-passphrase-file"} {
		f := c.String(name)
		if f == "" {
			continue
		}
		// Stat, not open: a named pipe (a process substitution) is read once, by the command.
		if _, err := os.Stat(f); err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return &fs.PathError{Op: "--" + name, Path: f, Err: err}
		}
	}
	return nil
}

// setUsageHandlers gives every command the same usage-error handling and a check that no
// unexpected positional argument is silently ignored by commands that take none.
func setUsageHandlers(cmds []*cli.Command) {
	for _, c := range cmds {
		if c.OnUsageError == nil {
			c.OnUsageError = onUsageError
		}
		if c.Before == nil && len(c.Subcommands) == 0 {
			c.Before = checkSecretFiles
			if c.Action != nil {
				setFlagsOnlyForFlagActions(c)
			}
		}
		for _, f := range c.Flags {
			// A switch is off unless given: "(default: false)" after each says nothing.
			if b, ok := f.(*cli.BoolFlag); ok {
				b.DisableDefaultText = true
			}
		}
		if len(c.Subcommands) > 0 {
			setUsageHandlers(c.Subcommands)
			if c.Action == nil {
				name := c.Name
				c.Action = func(ctx *cli.Context) error {
					if ctx.Args().Present() {
						return usagef("unknown command %q for %q; see 'signet %s --help'", ctx.Args().First(), name, name)
					}
					return cli.ShowSubcommandHelp(ctx)
				}
			}
		}
	}
}

// setFlagsOnlyForFlagActions keeps c's unset flags out of the one step of a run of c that
// would otherwise look each of them up by name: after c's Before and before its Action,
// urfave/cli (runFlagActions) asks IsSet of every flag of the command, and IsSet of a flag
// that was not given walks the command's flags, asking each its Names, until it finds it.
// Names runs a regular expression (cli.FlagNames), so a command of n flags ran it about n²/2
// times: 382 times for a plain 'cert verify', 5% of its instructions (bench/startup).
//
// So c's Before, once its own check has passed, leaves in c.Flags only the flags that were
// set (on the command line, or by a flag's environment variable: Context.LocalFlagNames,
// which is what IsSet reports), and c's Action and After put every flag back first. The step
// between them acts on set flags only (a flag's Action runs when it was given), so it sees
// the same flags either way; parsing, --help, shell completion and usage errors all come
// before Before, and the command's own work, help included, after the flags are back. No
// flag changes type: the library's type assertions (*cli.BoolFlag, ...) still see the flags
// signet made. TestRunLooksUpFlagsOnce holds it.
func setFlagsOnlyForFlagActions(c *cli.Command) {
	before, action, after := c.Before, c.Action, c.After
	var all []cli.Flag // c's flags while the unset ones are left out; nil otherwise
	restore := func(ctx *cli.Context) error {
		if all != nil {
			c.Flags, all = all, nil
		}
		if after != nil {
			return after(ctx)
		}
		return nil
	}
	c.Before = func(ctx *cli.Context) error {
		if err := before(ctx); err != nil {
			return err
		}
		set := map[string]bool{}
		for _, n := range ctx.LocalFlagNames() {
			set[n] = true
		}
		given := []cli.Flag{}
		for _, f := range c.Flags {
			if len(set) > 0 && slices.ContainsFunc(flagNames(f), func(n string) bool { return set[n] }) {
				given = append(given, f)
			}
		}
		all, c.Flags = c.Flags, given
		return nil
	}
	c.Action = func(ctx *cli.Context) error {
		if all != nil {
			c.Flags, all = all, nil
		}
		return action(ctx)
	}
	c.After = restore
}

// flagNames is f's name and aliases, read from the fields of the flag types signet makes,
// without the regular expression of their Names (cli.FlagNames, which only cuts what follows
// a comma or a space: signet's names have none, TestFlagNamesAsTheLibrarySays); f.Names() for
// any other type.
func flagNames(f cli.Flag) []string {
	var name string
	var aliases []string
	switch f := f.(type) {
	case *cli.BoolFlag:
		name, aliases = f.Name, f.Aliases
	case *cli.StringFlag:
		name, aliases = f.Name, f.Aliases
	case *cli.GenericFlag:
		name, aliases = f.Name, f.Aliases
	case *cli.IntFlag:
		name, aliases = f.Name, f.Aliases
	case *perRunBoolFlag:
		name, aliases = f.Name, f.Aliases
	default:
		return f.Names()
	}
	return append([]string{name}, aliases...)
}
