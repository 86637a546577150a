package main

import (
	"fmt"

	"github.com/signet-pki/signet/digest"
)

// warnSkipped is the Skipped of a recursive walk (hash -r, sign -r): one warning line for each
// temporary of signet's that the walk left out, so that nothing is skipped silently.
func warnSkipped(e *env) func(name string) {
	return func(name string) {
		fmt.Fprintf(e.stderr, "signet: warning: skipped %s: a temporary of a signet run (being staged, or left by a killed run)\n", digest.QuoteName(name))
	}
}
