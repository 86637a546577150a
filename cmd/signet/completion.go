package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// The shell completion scripts are generated from the command tree, the same definitions
// --help prints: a command, a flag or a flag value added anywhere is completed without
// touching this file. What a flag's value may be comes from the library that parses it
// (flagValues).

func completionCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script: bash, zsh or fish",
		ArgsUsage: "SHELL",
		Description: `Prints a script that completes signet's commands, flags, file arguments and the values
of flags that take a name (profiles, key types, algorithms, formats) in SHELL. Install it
where the shell looks: bash, /etc/bash_completion.d/signet (or source it from ~/.bashrc);
zsh, a file _signet in a directory of $fpath; fish, ~/.config/fish/completions/signet.fish.

EXAMPLES:
   signet completion bash > signet.bash
   signet completion zsh > _signet
   signet completion fish > signet.fish`,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("give one SHELL: bash, zsh or fish")
			}
			tree := completionTree(c.App)
			switch c.Args().First() {
			case "bash":
				return writeBashCompletion(e.stdout, tree, false)
			case "zsh":
				return writeBashCompletion(e.stdout, tree, true)
			case "fish":
				return writeFishCompletion(e.stdout, tree)
			}
			return usagef("unknown shell %q: bash, zsh or fish", c.Args().First())
		},
	}
}

// compNode is a command as completion sees it: its path, subcommands and flags.
type compNode struct {
	path  string // "key gen"; "" for signet itself
	usage string
	subs  []string
	flags []compFlag
	files bool // takes file arguments
}

type compFlag struct {
	names  []string // with dashes: --out, -o
	usage  string
	file   bool     // its value is a file
	value  bool     // takes a value
	values []string // the values it takes, when they are a list
}

func completionTree(app *cli.App) []compNode {
	var nodes []compNode
	var walk func(path string, usage string, cmds []*cli.Command, flags []cli.Flag, args string)
	walk = func(path, usage string, cmds []*cli.Command, flags []cli.Flag, args string) {
		n := compNode{path: path, usage: usage, files: args != ""}
		for _, c := range cmds {
			if c.Hidden || c.Name == "help" {
				continue
			}
			n.subs = append(n.subs, c.Name)
		}
		if path == "completion" {
			// Its argument is a word, not a file: the shells.
			n.subs, n.files = []string{"bash", "zsh", "fish"}, false
		}
		for _, f := range flags {
			if v, ok := f.(cli.VisibleFlag); ok && !v.IsVisible() {
				continue // an old spelling kept for scripts (token import-cert --chain)
			}
			cf := compFlag{}
			for _, name := range f.Names() {
				if len(name) == 1 {
					cf.names = append(cf.names, "-"+name)
				} else {
					cf.names = append(cf.names, "--"+name)
				}
			}
			if dg, ok := f.(cli.DocGenerationFlag); ok {
				cf.value = dg.TakesValue()
				cf.usage = strings.ReplaceAll(dg.GetUsage(), "`", "")
			}
			if tf, ok := f.(interface{ TakesFile() bool }); ok && tf.TakesFile() {
				cf.file = true
			}
			if gf, ok := f.(*cli.GenericFlag); ok && gf.TakesFile {
				cf.file = true
			}
			if sf, ok := f.(*cli.StringFlag); ok && sf.TakesFile {
				cf.file = true
			}
			cf.values = flagValues(path, f.Names()[0])
			n.flags = append(n.flags, cf)
		}
		nodes = append(nodes, n)
		for _, c := range cmds {
			if c.Hidden || c.Name == "help" {
				continue
			}
			p := strings.TrimSpace(path + " " + c.Name)
			walk(p, c.Usage, c.Subcommands, append(c.Flags, &cli.BoolFlag{Name: "help", Aliases: []string{"h"}, Usage: "show help"}), c.ArgsUsage)
		}
	}
	walk("", app.Usage, app.Commands, app.Flags, "")
	return nodes
}

// flagValues is the list a flag's value is chosen from, as the library that parses it knows
// it; nil for free values (files, names, numbers).
func flagValues(path, flag string) []string {
	str := func(n int, f func(int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	switch {
	case flag == "profile" && (path == "cert create" || path == "enroll"):
		p := x509util.Profiles()
		return str(len(p), func(i int) string { return string(p[i]) })
	case flag == "profile":
		p := verify.Profiles()
		return str(len(p), func(i int) string { return string(p[i]) })
	case flag == "type":
		return keyTypeNames()
	case flag == "algorithm":
		a := digest.Algorithms()
		return str(len(a), func(i int) string { return a[i].Name() })
	case flag == "format":
		// The formats sign --format takes (ParseFormat), which verify reads too.
		var names []string
		for _, f := range sigformat.Formats() {
			if _, err := sigformat.ParseFormat(string(f)); err == nil {
				names = append(names, string(f))
			}
		}
		return names
	case flag == "eku":
		return []string{"any", "serverAuth", "clientAuth", "codeSigning", "emailProtection", "timeStamping", "OCSPSigning"}
	case flag == "fail-on":
		return []string{"fail", "warn"}
	case flag == "min-version" || flag == "max-version":
		return []string{"1.2", "1.3"}
	}
	return nil
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// writeBashCompletion writes a bash completion function; for zsh, the same under
// bashcompinit, which zsh ships for this.
func writeBashCompletion(w io.Writer, nodes []compNode, zsh bool) error {
	var b strings.Builder
	if zsh {
		b.WriteString("#compdef signet\n# signet completion for zsh (generated by 'signet completion zsh')\nautoload -U +X bashcompinit && bashcompinit\n")
	} else {
		b.WriteString("# signet completion for bash (generated by 'signet completion bash')\n")
	}
	b.WriteString(`_signet() {
  local cur prev path="" i w subs
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="${COMP_WORDS[i]}"
    [[ $w == -* ]] && continue
    subs=" $(_signet_subs "$path") "
    [[ $subs == *" $w "* ]] && path="${path:+$path }$w"
  done
  if [[ $prev == -* ]]; then
    case "$path|$prev" in
`)
	for _, n := range nodes {
		for _, f := range n.flags {
			if !f.value {
				continue
			}
			pat := make([]string, len(f.names))
			for i, name := range f.names {
				pat[i] = shellQuote(n.path + "|" + name)
			}
			switch {
			case len(f.values) > 0:
				fmt.Fprintf(&b, "      %s) COMPREPLY=($(compgen -W %s -- \"$cur\")); return ;;\n", strings.Join(pat, "|"), shellQuote(strings.Join(f.values, " ")))
			case f.file:
				fmt.Fprintf(&b, "      %s) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", strings.Join(pat, "|"))
			default:
				fmt.Fprintf(&b, "      %s) COMPREPLY=(); return ;;\n", strings.Join(pat, "|"))
			}
		}
	}
	b.WriteString(`    esac
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_signet_flags "$path")" -- "$cur"))
    return
  fi
  subs="$(_signet_subs "$path")"
  if [[ -n $subs ]]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
_signet_subs() {
  case "$1" in
`)
	for _, n := range nodes {
		if len(n.subs) > 0 {
			fmt.Fprintf(&b, "    %s) echo %s ;;\n", shellQuote(n.path), shellQuote(strings.Join(n.subs, " ")))
		}
	}
	b.WriteString("  esac\n}\n_signet_flags() {\n  case \"$1\" in\n")
	for _, n := range nodes {
		var names []string
		for _, f := range n.flags {
			names = append(names, f.names...)
		}
		sort.Strings(names)
		fmt.Fprintf(&b, "    %s) echo %s ;;\n", shellQuote(n.path), shellQuote(strings.Join(names, " ")))
	}
	b.WriteString("  esac\n}\ncomplete -o filenames -F _signet signet\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeFishCompletion writes fish "complete" lines: each command under the commands above
// it, each flag under its command, with its values or files.
func writeFishCompletion(w io.Writer, nodes []compNode) error {
	var b strings.Builder
	b.WriteString("# signet completion for fish (generated by 'signet completion fish')\ncomplete -c signet -f\n")
	cond := func(path string) string {
		if path == "" {
			return "__fish_use_subcommand"
		}
		var parts []string
		for _, p := range strings.Fields(path) {
			parts = append(parts, "__fish_seen_subcommand_from "+p)
		}
		return strings.Join(parts, "; and ")
	}
	usage := map[string]string{}
	for _, n := range nodes {
		usage[n.path] = n.usage
	}
	for _, n := range nodes {
		c := cond(n.path)
		for _, s := range n.subs {
			sub := strings.TrimSpace(n.path + " " + s)
			fmt.Fprintf(&b, "complete -c signet -n %s -a %s -d %s\n", shellQuote(c), shellQuote(s), shellQuote(usage[sub]))
		}
		if n.files && len(n.subs) == 0 {
			fmt.Fprintf(&b, "complete -c signet -n %s -F\n", shellQuote(c))
		}
		for _, f := range n.flags {
			var opts []string
			for _, name := range f.names {
				if strings.HasPrefix(name, "--") {
					opts = append(opts, "-l "+name[2:])
				} else {
					opts = append(opts, "-s "+name[1:])
				}
			}
			switch {
			case len(f.values) > 0:
				opts = append(opts, "-x -a "+shellQuote(strings.Join(f.values, " ")))
			case f.file:
				opts = append(opts, "-r -F")
			case f.value:
				opts = append(opts, "-x")
			}
			fmt.Fprintf(&b, "complete -c signet -n %s %s -d %s\n", shellQuote(c), strings.Join(opts, " "), shellQuote(f.usage))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
