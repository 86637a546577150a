package main

import (
	"fmt"
	"iter"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/digest"
)

// streamFilesFrom says whether signet sign streams the names of --files-from to the library
// (sign.FilesOptions.NamesFrom), which puts them aside on disk rather than in memory (issue 15:
// a million names). A run with -o, --manifest or --recursive takes them all first, as it did:
// -o names one signature, a manifest lists every name, a recursive run tells the names given
// from the files found below them.
func streamFilesFrom(c *cli.Context) bool {
	return c.String("files-from") != "" && !c.IsSet("digest") && c.String("manifest") == "" &&
		c.String("out") == "" && !c.Bool("recursive")
}

// pullNames starts reading the names of --files-from and reads the first one, so that a list
// that cannot be opened, or is empty, is known before the key is opened. next yields every
// name, the first one again included; stop ends the reading (it must be called). A name "-"
// in the list is a file called "-" (./-), as in signet hash, not standard input.
func pullNames(c *cli.Context) (next iter.Seq2[string, error], empty bool, stop func(), err error) {
	pull, stop := iter.Pull2(namesFrom(c)) // filesfrom.go
	first, err, ok := pull()
	if !ok {
		return nil, true, stop, nil
	}
	if err != nil {
		return nil, false, stop, err
	}
	dash := func(n string) string {
		if n == "-" {
			return "./-"
		}
		return n
	}
	next = func(yield func(string, error) bool) {
		if !yield(dash(first), nil) {
			return
		}
		for {
			n, err, ok := pull()
			if !ok || !yield(dash(n), err) || err != nil {
				return
			}
		}
	}
	return next, false, stop, nil
}

// skippedSignatureOf is sign.FilesOptions.SkippedSignatureOf: the library leaves out of the
// files to sign (the arguments and --files-from's names alike) the signatures of other files
// among them, and signet says so on stderr, one line each.
func skippedSignatureOf(e *env) func(sig, of string) {
	return func(sig, of string) {
		fmt.Fprintf(e.stderr, "signet: skipped %s: the signature of %s\n", digest.QuoteName(sig), digest.QuoteName(of))
	}
}
