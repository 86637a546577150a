package main

import (
	"fmt"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/verify"
)

// signet verify over a million files holds none of them (issue 15): the names, the arguments
// then those of --files-from, are put aside by verify.NewArtifactNames, the signatures among
// them found and the artifacts read back by its Artifacts (one rule for both,
// sigformat.SignatureOf), then verified a batch at a time (verify.VerifyArtifactsFrom). Here
// is only what the CLI says of them.

// printGivenSignature says on stderr, one line each, what became of a signature named among
// the files: skipped, since verifying its file reads it, or checked as a further signature of
// its file.
func printGivenSignature(e *env) func(verify.GivenSignature) {
	return func(g verify.GivenSignature) {
		if g.Skipped {
			fmt.Fprintf(e.stderr, "signet: skipped %s: the signature of %s\n", digest.QuoteName(g.Name), digest.QuoteName(g.Of))
		} else {
			fmt.Fprintf(e.stderr, "signet: %s is checked as a signature of %s\n", digest.QuoteName(g.Name), digest.QuoteName(g.Of))
		}
	}
}
