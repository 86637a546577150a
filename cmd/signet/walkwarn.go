package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/sign"
)

// noteSkippedSignature says that a recursive walk left out a file named like a signature,
// unless it is one (by content) of the file beside it, as an earlier run writes them, or -q.
func noteSkippedSignature(e *env, quiet bool) func(name string) {
	return func(name string) {
		if quiet {
			return
		}
		for _, f := range sigformat.Formats() {
			base, ok := strings.CutSuffix(strings.TrimSuffix(name, sign.TimestampExtension), f.Extension())
			if !ok {
				continue
			}
			if _, err := os.Stat(base); err == nil {
				if _, isSig := sigformat.DetectFile(name); isSig || strings.HasSuffix(name, sign.TimestampExtension) {
					return
				}
			}
		}
		fmt.Fprintf(e.stderr, "signet: skipped %s: named like a signature, not signed (name it on the command line to sign it)\n", digest.QuoteName(name))
	}
}

// warnSkipped is the Skipped of a recursive walk (hash -r, sign -r): one warning line for each
// temporary of signet's that the walk left out, so that nothing is skipped silently.
func warnSkipped(e *env) func(name string) {
	return func(name string) {
		fmt.Fprintf(e.stderr, "signet: warning: skipped %s: a temporary of a signet run (being staged, or left by a killed run)\n", digest.QuoteName(name))
	}
}
