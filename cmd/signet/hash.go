package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/signet-pki/signet/digest"
)

const hashDescription = `Prints or checks checksums exactly like GNU coreutils' sha256sum (sha384sum,
sha512sum): the same "<hex>  <name>" lines, the same escaping of names that hold a
backslash, newline or carriage return, and "--tag" for the BSD form "SHA256 (name) = <hex>".
With no FILE, or when FILE is -, standard input is read and named "-". With -c, checks the
lists it is given as "sha256sum -c" does: exit 1 when a file does not match.
` + moreHelp + `
Files are hashed in parallel on all cores with a fixed buffer per core; results are
printed in argument order as they complete. A file that cannot be read (missing, a
directory without --recursive) is reported as "signet: error: NAME: reason"; the other
files are still hashed, and the exit code is then 3.

--recursive expands each directory into the regular files below it, in byte-wise sorted
order of their names ("dir/a.txt" before "dir/a/b"), named from the argument as given.
Symbolic links inside the tree are neither followed nor listed (like find -type f); a
symbolic link given as an argument is followed.

-b (--binary) writes "<hex> *<name>", the marker of "sha256sum -b"; -t (--text) the default
"<hex>  <name>". On Linux both read the same bytes; the marker is only kept. --tag ignores -b
and, like coreutils, refuses -t.

-z (--zero) ends each line with a NUL byte instead of a newline and writes names as they
are, unescaped, as "sha256sum -z" does: for programs that split on NUL bytes (xargs -0).
Like coreutils, -c does not read such lists.

--json prints one JSON array, one object per file, in argument order:
   {"path": "...", "algorithm": "sha256", "digest": "<hex>", "size": 123}
and for a file that could not be read {"path": "...", "algorithm": "...", "error": "..."}.

--check reads lists in either form, as written by sha256sum, sha256sum --tag, "sha256sum -b"
(the "*" marker), "openssl dgst -r" and "openssl dgst" (SHA2-256(name)= <hex>), with CRLF
line ends and '#' comment lines, and prints "name: OK", "name: FAILED" or "name: FAILED open
or read" like "sha256sum -c", then the same warnings on standard error. It also reads what
sha256sum -c skips as malformed: a UTF-8 byte order mark at the start of a list (its first
line is checked) and BSD lines with a base64 digest ("cksum --base64"). The algorithm of a
line is its tag or, untagged, its length: 64 hex digits are sha256, 96 sha384, 128 sha512.
A list of sha3-256 or sha512-256 digests without tags needs -a. Of --quiet, --status and -w
the quietest given wins (--status, then --quiet; coreutils takes the last one). Exit code 1
if any file failed or (--strict) a line was malformed (in any list, also before where a list
stops), or a list verified nothing, or no list was given (an empty --files-from); otherwise 3
if a list could not be read, had no well-formed line, or has a line longer than 1 MiB (reading
stops there: a list that is /dev/zero or a binary file does not grow without bound). A listed file that is a device or a named pipe is
"FAILED open or read" at once, never read or waited on.

Algorithms: sha256 (default), sha384, sha512, sha512-256, sha3-256, sha3-384, sha3-512.
--tag names them SHA256, SHA384, SHA512 (as coreutils), SHA512/256 (as Perl's shasum),
SHA3-256, SHA3-384, SHA3-512 (as openssl and coreutils' cksum).

A progress bar is drawn on standard error when it is a terminal and the work is large
(over 256 MiB or 1000 files).

` + filesFromHelp + ` Hashing streams the list: lines come out
while it is read, and a list of any length takes no more memory than a short one.

EXAMPLES:
   signet hash release.tar.gz
   signet hash -a sha512 --tag release.tar.gz
   echo hello | signet hash
   signet hash -r dist > SHA256SUMS
   signet hash -c SHA256SUMS
   sha256sum -c SHA256SUMS
   signet hash -c --quiet --ignore-missing SHA256SUMS
   signet hash --json -a sha3-256 release.tar.gz
   find dist -type f -print0 | signet hash --files-from - > SHA256SUMS`

func hashCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:        "hash",
		Usage:       "print or check SHA-2/SHA-3 checksums, byte-identical to sha256sum",
		ArgsUsage:   "[FILE...] | -c [LIST...]",
		Description: hashDescription,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "algorithm", Aliases: []string{"a"}, Value: digest.DefaultAlgorithm.Name(), Usage: "hash `ALG`: sha256, sha384, sha512, sha512-256, sha3-256, sha3-384, sha3-512"},
			&cli.BoolFlag{Name: "tag", Usage: "print BSD-style lines: ALG (name) = hex"},
			&cli.BoolFlag{Name: "binary", Aliases: []string{"b"}, Usage: "mark each name binary with '*' (\"<hex> *<name>\"), as sha256sum -b; the bytes read are the same"},
			&cli.BoolFlag{Name: "text", Aliases: []string{"t"}, Usage: "mark each name text (\"<hex>  <name>\", the default), as sha256sum -t"},
			&cli.BoolFlag{Name: "zero", Aliases: []string{"z"}, Usage: "end each line with a NUL byte, not a newline, and do not escape names (as sha256sum -z)"},
			jsonFlag(),
			&cli.BoolFlag{Name: "recursive", Aliases: []string{"r"}, Usage: "hash the regular files below each directory, sorted"},
			&cli.BoolFlag{Name: "check", Aliases: []string{"c"}, Usage: "read checksum lists and check the files they name"},
			&cli.BoolFlag{Name: "quiet", Usage: "with -c: do not print OK for each file that matched"},
			&cli.BoolFlag{Name: "status", Usage: "with -c: print nothing on stdout; the exit code tells"},
			&cli.BoolFlag{Name: "strict", Usage: "with -c: fail on improperly formatted lines"},
			&cli.BoolFlag{Name: "warn", Aliases: []string{"w"}, Usage: "with -c: warn about each improperly formatted line"},
			&cli.BoolFlag{Name: "ignore-missing", Usage: "with -c: skip listed files that do not exist"},
		}, filesFromFlags()...),
		Action: func(c *cli.Context) error {
			alg, err := digest.ParseAlgorithm(c.String("algorithm"))
			if err != nil {
				return algorithmFlagError("-a", err)
			}
			files, more, err := hashArgs(c) // filesfrom.go: --files-from
			if err != nil {
				return err
			}
			if c.Bool("check") {
				for _, f := range []string{"tag", "json", "recursive", "zero", "binary", "text"} {
					if c.Bool(f) {
						return usagef("--%s cannot be used with --check", f)
					}
				}
				// In coreutils the last of --quiet, --status and --warn wins. Their order is not
				// known here, so the quietest wins: --status, then --quiet. Only what is printed
				// differs; the exit code is the same whichever wins.
				quiet, status, warn := c.Bool("quiet"), c.Bool("status"), c.Bool("warn")
				if status {
					quiet, warn = false, false
				} else if quiet {
					warn = false
				}
				opts := digest.CheckOptions{
					IgnoreMissing: c.Bool("ignore-missing"),
					Strict:        c.Bool("strict"),
					Warn:          warn,
					Quiet:         quiet,
					Status:        status,
					Stdin:         e.stdin,
					Out:           e.stdout,
					Diag: func(d digest.Diagnostic) {
						if d.Warning {
							fmt.Fprintf(e.stderr, "signet: WARNING: %s\n", d.Msg)
						} else {
							fmt.Fprintf(e.stderr, "signet: error: %s\n", d.Msg)
						}
					},
				}
				if c.IsSet("algorithm") {
					opts.Algorithm = alg
				}
				return runCheck(c.Context, opts, files)
			}
			for _, f := range []string{"quiet", "status", "strict", "warn", "ignore-missing"} {
				if c.Bool(f) {
					return usagef("--%s is meaningful only with --check", f)
				}
			}
			for _, f := range []string{"tag", "zero", "binary", "text"} {
				if c.Bool(f) && c.Bool("json") {
					return usagef("--%s and --json cannot be used together", f)
				}
			}
			if c.Bool("binary") && c.Bool("text") {
				return usagef("--binary and --text exclude each other")
			}
			if c.Bool("tag") && c.Bool("text") {
				return usagef("--tag does not support --text mode") // coreutils' words
			}
			opts := digest.HashOptions{Algorithm: alg, Recursive: c.Bool("recursive"), Stdin: e.stdin, Skipped: warnSkipped(e), NamesFrom: more}
			form := hashForm{tag: c.Bool("tag"), binary: c.Bool("binary"), zero: c.Bool("zero"), json: c.Bool("json")}
			return runHash(c.Context, e, opts, files, form)
		},
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func runCheck(ctx context.Context, opts digest.CheckOptions, lists []string) error {
	sum, err := digest.Check(ctx, lists, opts)
	if err != nil {
		return err
	}
	if err := sum.Err(); err != nil {
		return &codedError{code: exitCode(err)} // every failure was reported already
	}
	return nil
}

// hashJSON is one element of `signet hash --json`.
type hashJSON struct {
	Path      string           `json:"path"`
	Algorithm digest.Algorithm `json:"algorithm"`
	Digest    digest.Digest    `json:"digest,omitempty"`
	Size      *int64           `json:"size,omitempty"`
	Error     string           `json:"error,omitempty"`
}

// hashForm is how runHash prints: --tag, --binary, --zero, --json.
type hashForm struct{ tag, binary, zero, json bool }

func runHash(ctx context.Context, e *env, opts digest.HashOptions, files []string, form hashForm) error {
	asJSON := form.json
	bar := newProgressBar(e.stderr)
	out := bufio.NewWriterSize(clearBarWriter{e.stdout, bar}, 64<<10)
	opts.Flush = out.Flush
	if bar != nil {
		opts.Progress = bar.update
	}
	failed := 0
	var line []byte
	first := true
	var jbuf bytes.Buffer
	enc := json.NewEncoder(&jbuf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("  ", "  ")
	if asJSON {
		out.WriteString("[")
	}
	err := digest.HashFiles(ctx, files, opts, func(r digest.FileResult) error {
		if r.Err != nil {
			failed++
			if err := out.Flush(); err != nil {
				return err
			}
			bar.clear()
			fmt.Fprintf(e.stderr, "signet: error: %s\n", r.Err)
		}
		switch {
		case asJSON:
			j := hashJSON{Path: r.Name, Algorithm: r.Algorithm}
			if r.Err != nil {
				j.Error = r.Err.Error()
				var fe *digest.FileError
				if errors.As(r.Err, &fe) {
					j.Error = fe.Err.Error() // the name is in "path" already
				}
			} else {
				j.Digest, j.Size = r.Digest, &r.Size
			}
			jbuf.Reset()
			if err := enc.Encode(j); err != nil {
				return err
			}
			if !first {
				out.WriteString(",")
			}
			first = false
			out.WriteString("\n  ")
			out.Write(bytes.TrimSuffix(jbuf.Bytes(), []byte("\n")))
		case r.Err == nil:
			entry := digest.Entry{Algorithm: r.Algorithm, Digest: r.Digest, Name: r.Name, Tagged: form.tag, Binary: form.binary}
			if form.zero {
				line = entry.AppendZeroTo(line[:0])
			} else {
				line = entry.AppendTo(line[:0])
			}
			out.Write(line)
		}
		_, err := out.Write(nil) // bufio keeps the first write error: stop on a closed pipe
		return err
	})
	bar.clear()
	// The array is closed whatever ended the run (a --files-from list that cannot be read, an
	// interrupt): stdout stays JSON, of the files hashed before it, and the error is on
	// stderr. After a failed write of stdout, bufio keeps that error and writes nothing more.
	if asJSON {
		if first {
			out.WriteString("]\n")
		} else {
			out.WriteString("\n]\n")
		}
	}
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	if failed > 0 {
		return &codedError{code: exitBadInput} // each file's error was printed already
	}
	return nil
}

// clearBarWriter clears the progress bar before output reaches the terminal, so that lines
// on stdout do not land behind the bar when both streams are the same terminal.
type clearBarWriter struct {
	w   io.Writer
	bar *progressBar
}

func (c clearBarWriter) Write(p []byte) (int, error) {
	c.bar.clear()
	return c.w.Write(p)
}

// progressBar draws one line on a terminal's standard error, only for large work.
type progressBar struct {
	w     io.Writer
	width int
	shown bool
}

const (
	progressMinBytes = 256 << 20
	progressMinFiles = 1000
)

// newProgressBar returns a bar if w is a terminal, else nil (a nil bar does nothing).
func newProgressBar(w io.Writer) *progressBar {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil || width < 40 {
		width = 80
	}
	return &progressBar{w: w, width: width}
}

func (b *progressBar) update(p digest.Progress) {
	if b == nil || (p.TotalBytes <= progressMinBytes && p.TotalFiles <= progressMinFiles) {
		return
	}
	fmt.Fprintf(b.w, "\r%s", progressLine(p, b.width-1))
	b.shown = true
}

func (b *progressBar) clear() {
	if b == nil || !b.shown {
		return
	}
	fmt.Fprint(b.w, "\r\033[K")
	b.shown = false
}

// progressLine renders "[=====>    ]  42%  1.2 GiB / 2.0 GiB  12/30 files" in width columns.
func progressLine(p digest.Progress, width int) string {
	frac := 0.0
	switch {
	case p.TotalBytes > 0:
		frac = float64(p.Bytes) / float64(p.TotalBytes)
	case p.TotalFiles > 0:
		frac = float64(p.Files) / float64(p.TotalFiles)
	}
	frac = min(max(frac, 0), 1)
	tail := fmt.Sprintf(" %3.0f%%  %s / %s  %d/%d files", frac*100, humanBytes(p.Bytes), humanBytes(p.TotalBytes), p.Files, p.TotalFiles)
	barWidth := width - len(tail) - 2
	if barWidth < 10 {
		return strings.TrimSpace(tail)
	}
	filled := int(frac * float64(barWidth))
	bar := strings.Repeat("=", filled)
	if filled < barWidth {
		bar += ">" + strings.Repeat(" ", barWidth-filled-1)
	}
	return "[" + bar + "]" + tail
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// algorithmFlagError puts an unknown hash algorithm given with flag into a usage error
// ('-a: unknown hash algorithm "md5" (known: sha256, ...)'), from the fields of
// digest.AlgorithmError rather than its text.
func algorithmFlagError(flag string, err error) error {
	var ae *digest.AlgorithmError
	if errors.As(err, &ae) {
		return usagef("%s: unknown hash algorithm %q (known: %s)", flag, ae.Name, ae.Known())
	}
	return err
}
