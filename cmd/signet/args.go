package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// permuteArgs moves flags that follow positional arguments in front of them, so that
// `signet hash FILE -a sha512` and `signet token delete URI --yes` work as they do with GNU
// tools. urfave/cli v2, like Go's flag package, stops at the first positional argument.
//
// It finds the command being run by walking the command tree, then uses that command's flag
// definitions to tell flags that take a value from boolean ones. "--" ends the flags: it and
// everything after it stay positional. A lone "-" (stdin) is positional. Unknown flags are
// moved too, so the parser reports them instead of treating them as file names.
func permuteArgs(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	cmds, flags := app.Commands, app.Flags
	i := 1
	// Walk the command path: leading flags of each level stay where they are.
	for i < len(args) {
		a := args[i]
		if isFlag(a) {
			out = append(out, a)
			if takesValue(flags, a) && !strings.Contains(a, "=") && i+1 < len(args) {
				out = append(out, args[i+1])
				i++
			}
			i++
			continue
		}
		cmd := findCommand(cmds, a)
		if cmd == nil && len(out) == 1 {
			return args // an unknown command: let the app report it as such
		}
		if cmd == nil {
			break
		}
		out = append(out, a)
		cmds, flags = cmd.Subcommands, cmd.Flags
		i++
		if len(cmds) == 0 {
			break
		}
	}
	var moved, positional []string
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i:]...)
			break
		}
		if !isFlag(a) {
			positional = append(positional, a)
			continue
		}
		moved = append(moved, a)
		if takesValue(flags, a) && !strings.Contains(a, "=") && i+1 < len(args) {
			moved = append(moved, args[i+1])
			i++
		}
	}
	// "signet hash FILE --help" asks for hash's help, as git and go read it; with the FILE
	// still there the CLI library looked for a help topic named FILE (exit 70).
	for _, m := range moved {
		if m == "--help" || m == "-h" {
			return append(out, "--help")
		}
	}
	out = append(out, moved...)
	if len(positional) > 0 && positional[0] != "--" && len(moved) > 0 {
		// Keep a positional that looks like a flag from being read as one.
		for _, p := range positional {
			if strings.HasPrefix(p, "-") && p != "-" {
				out = append(out, "--")
				break
			}
		}
	}
	return append(out, positional...)
}

func isFlag(a string) bool { return len(a) > 1 && a[0] == '-' }

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// takesValue reports whether the flag named by arg (-x, --name, --name=v) takes a value.
func takesValue(flags []cli.Flag, arg string) bool {
	name, _, _ := strings.Cut(strings.TrimLeft(arg, "-"), "=")
	for _, f := range flags {
		for _, n := range flagNames(f) {
			if n != name {
				continue
			}
			if dg, ok := f.(cli.DocGenerationFlag); ok {
				return dg.TakesValue()
			}
			return false
		}
	}
	return false
}
