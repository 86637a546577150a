package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// probeFlag is a switch that counts how often it is asked its names: urfave/cli's own
// flags answer that with cli.FlagNames, which runs a regular expression each time.
type probeFlag struct {
	cli.BoolFlag
	asked int
}

func (f *probeFlag) Names() []string {
	f.asked++
	return f.BoolFlag.Names()
}

// runWithProbe runs `signet cert verify` of the fixture chain with probe as the first flag of
// cert verify, args given before the leaf (no reordering by permuteArgs, which looks flags up
// by name too), and returns the run's output and the command's flags after it.
func runWithProbe(t *testing.T, probe *probeFlag, extra ...string) (string, []cli.Flag, []cli.Flag) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr,
		lookupEnv: func(string) (string, bool) { return "", false }}
	args := append([]string{"signet", "cert", "verify", "--roots", certPKI + "/root-ca.pem",
		"--intermediates", certPKI + "/int-ca.pem", "--at", certAt}, extra...)
	args = append(args, certPKI+"/codesign.pem")
	app := newAppFor(e, args)
	verify := app.Command("cert").Command("verify")
	verify.Flags = append([]cli.Flag{probe}, verify.Flags...)
	before := slices.Clone(verify.Flags)
	if err := app.RunContext(context.Background(), args); err != nil {
		t.Fatalf("cert verify: %v\n%s", err, stderr.String())
	}
	return stdout.String(), before, verify.Flags
}

// TestRunLooksUpFlagsOnce: a plain run of a command asks each of its flags its names a fixed
// number of times, whatever the number of other flags. urfave/cli's flag actions step asks
// IsSet of every flag, and IsSet of a flag not given walked the command's flags asking each
// its names: a flag placed first was asked once for every other flag not given (21 times in
// cert verify), and the regular expression behind it ran 382 times in one run (5% of its
// instructions, bench/startup). setFlagsOnlyForFlagActions leaves the flags not given out of
// that step; the flags are all back afterwards, and a given flag's Action still runs once.
func TestRunLooksUpFlagsOnce(t *testing.T) {
	probe := &probeFlag{BoolFlag: cli.BoolFlag{Name: "probe"}}
	out, before, after := runWithProbe(t, probe)
	if !strings.Contains(out, "verdict: valid\n") {
		t.Errorf("cert verify printed %q", out)
	}
	// A handful: the library's normalizeFlags, setFlagsOnlyForFlagActions' sorting of the
	// given flags, the command's own IsSet of a flag not given (3 in all). It was 23: one
	// more for every flag not given.
	if probe.asked > 4 {
		t.Errorf("the first flag of cert verify was asked its names %d times in one run, want at most 4", probe.asked)
	}
	if !allBack(before, after) {
		t.Errorf("cert verify's flags after the run are not all there: %d flags, were %d", len(after), len(before))
	}

	actions := 0
	given := &probeFlag{BoolFlag: cli.BoolFlag{Name: "probe", Action: func(*cli.Context, bool) error {
		actions++
		return nil
	}}}
	_, before, after = runWithProbe(t, given, "--probe")
	if actions != 1 {
		t.Errorf("a given flag's Action ran %d times, want once", actions)
	}
	if !allBack(before, after) {
		t.Errorf("cert verify's flags after the run are not all there: %d flags, were %d", len(after), len(before))
	}
}

// allBack reports whether every flag of before is in after, in order (the run adds --help).
func allBack(before, after []cli.Flag) bool {
	return len(after) >= len(before) && slices.Equal(after[:len(before)], before)
}

// TestFlagNamesAsTheLibrarySays: the names setFlagsOnlyForFlagActions reads from the flags'
// fields (flagNames), and the names of --help and --version (perRunBoolFlag), are the
// library's (cli.FlagNames), for every flag of every command.
func TestFlagNamesAsTheLibrarySays(t *testing.T) {
	e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	var walk func(path string, cmds []*cli.Command)
	n := 0
	walk = func(path string, cmds []*cli.Command) {
		for _, c := range cmds {
			for _, f := range c.Flags {
				n++
				if got, want := flagNames(f), f.Names(); !slices.Equal(got, want) {
					t.Errorf("%s %s: flagNames %q, the library's %q", path, c.Name, got, want)
				}
			}
			walk(path+" "+c.Name, c.Subcommands)
		}
	}
	walk("signet", newApp(e).Commands)
	if n < 100 {
		t.Errorf("only %d flags seen", n)
	}
	for _, f := range []cli.Flag{cli.HelpFlag, cli.VersionFlag} {
		b := f.(*perRunBoolFlag)
		if got, want := f.Names(), cli.FlagNames(b.Name, b.Aliases); !slices.Equal(got, want) {
			t.Errorf("Names %q, the library's %q", got, want)
		}
		if got := flagNames(f); !slices.Equal(got, f.Names()) {
			t.Errorf("flagNames %q, Names %q", got, f.Names())
		}
	}
}

// TestFlagsBackForTheAction: a command's Action, and its help printed from there, see every
// flag of the command, given or not; a Before that fails (checkSecretFiles, every leaf
// command's) leaves the flags as they were.
func TestFlagsBackForTheAction(t *testing.T) {
	var out bytes.Buffer
	var seen []string
	cmd := &cli.Command{
		Name: "x",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "alpha", Usage: "the first"},
			&cli.StringFlag{Name: "beta", Aliases: []string{"b"}, Usage: "the second"},
			&cli.BoolFlag{Name: "gamma", Usage: "the third"},
			passphraseFileFlag(),
		},
		Action: func(ctx *cli.Context) error {
			seen = nil
			for _, f := range ctx.Command.Flags {
				seen = append(seen, f.Names()[0])
			}
			return cli.ShowCommandHelp(ctx.Lineage()[1], "x")
		},
	}
	setUsageHandlers([]*cli.Command{cmd})
	run := func(args ...string) error {
		app := &cli.App{Name: "t", Writer: &out, ErrWriter: &out, Commands: []*cli.Command{cmd},
			ExitErrHandler: func(*cli.Context, error) {}}
		return app.Run(append([]string{"t", "x"}, args...))
	}
	if err := run("-b", "v"); err != nil {
		t.Fatal(err)
	}
	if want := []string{"alpha", "beta", "gamma", "passphrase-file", "help"}; !slices.Equal(seen, want) {
		t.Errorf("the Action saw flags %q, want %q", seen, want)
	}
	for _, f := range []string{"--alpha", "--beta", "--gamma"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("help printed by the Action lacks %s:\n%s", f, out.String())
		}
	}
	seen = nil
	if err := run("--gamma", "--passphrase-file", t.TempDir()+"/missing"); err == nil || seen != nil {
		t.Fatalf("a missing --passphrase-file: err %v, the Action ran: %v", err, seen != nil)
	}
	if len(cmd.Flags) != 5 {
		t.Errorf("after a failed Before the command has %d flags, want 5", len(cmd.Flags))
	}
}
