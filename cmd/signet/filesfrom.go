package main

import (
	"io/fs"
	"iter"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/readlimit"
)

// filesFromHelp is the paragraph of --help about --files-from, for sign, verify and hash.
const filesFromHelp = `--files-from LIST reads the names of the files from LIST (- for standard input) as well
as from the command line (after them): a release of a million files needs no command line
that long. Names are separated by newlines, or by NUL bytes (find -print0, git ls-files -z)
when LIST's first block holds a NUL byte or --null (-0) is given; they are taken byte for
byte (no trimming, no quoting), empty ones are skipped, and a name "-" is a file called "-".`

// filesFromFlags are --files-from and --null.
func filesFromFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "files-from", Usage: "also take the names of the files from `LIST`, one a line or NUL-separated (- for standard input)", TakesFile: true},
		&cli.BoolFlag{Name: "null", Aliases: []string{"0"}, Usage: "--files-from's names are separated by NUL bytes (default: found from the list)"},
	}
}

// namesFrom streams the names of --files-from, or is nil without it. The list is opened when
// the iteration starts and closed when it ends; an error (the list cannot be opened or read,
// a name is too long) is a *digest.FileError naming the list: bad input, exit 3. A list must
// be a regular file or a pipe (a device such as /dev/zero is refused).
func namesFrom(c *cli.Context) iter.Seq2[string, error] {
	path := c.String("files-from")
	if path == "" {
		return nil
	}
	null := c.Bool("null")
	return func(yield func(string, error) bool) {
		name := path
		r := c.App.Reader
		if path == "-" {
			name = "standard input"
		} else {
			if fi, err := os.Stat(path); err == nil && fi.Mode()&fs.ModeNamedPipe == 0 {
				if err := readlimit.NotRegular(fi.Mode()); err != nil {
					yield("", &digest.FileError{Name: name, Op: "open", Err: err})
					return
				}
			}
			f, err := os.Open(path)
			if err != nil {
				yield("", digest.NewFileError(name, "open", err))
				return
			}
			defer f.Close()
			r = f
		}
		for n, err := range digest.ReadNames(r, null) {
			if err != nil {
				yield("", digest.NewFileError(name, "read", err))
				return
			}
			if !yield(n, nil) {
				return
			}
		}
	}
}

// withFilesFrom is files followed by every name of --files-from, for the commands whose
// library call takes the whole list (sign and verify check all their outputs, or plan all
// their signatures, before they read a file).
func withFilesFrom(c *cli.Context, files []string) ([]string, error) {
	names := namesFrom(c)
	if names == nil {
		if c.Bool("null") {
			return nil, usagef("--null applies to the names of --files-from")
		}
		return files, nil
	}
	for n, err := range names {
		if err != nil {
			return nil, err
		}
		files = append(files, n)
	}
	return files, nil
}

// hashArgs are signet hash's files: the arguments, then (streamed, in more) the names of
// --files-from; standard input when there is neither. With --check the names are lists, all
// taken up front.
func hashArgs(c *cli.Context) (files []string, more iter.Seq2[string, error], err error) {
	files = c.Args().Slice()
	if c.Bool("check") || c.String("files-from") == "" {
		if files, err = withFilesFrom(c, files); err != nil {
			return nil, nil, err
		}
	} else {
		more = namesFrom(c)
	}
	if len(files) == 0 && more == nil && c.String("files-from") == "" {
		files = []string{"-"}
	}
	return files, more, nil
}
