package main

import (
	"fmt"
	"iter"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/verify"
)

// signet verify --files-from over a million files holds none of them (issue 15): the names
// are put aside by verify.NewArtifactNames, the signatures among them found and the
// artifacts read back by its Artifacts, then verified a batch at a time
// (verify.VerifyArtifactsFrom). Here is only what the CLI says of them.

// nameSpool is the names of a run with --files-from (the arguments, then the list's), put
// aside; n is how many there are.
type nameSpool struct {
	names *verify.ArtifactNames
	n     int
}

// spoolNames puts files, then the names of --files-from (read once), aside.
func spoolNames(files []string, more iter.Seq2[string, error]) (*nameSpool, error) {
	names, err := verify.NewArtifactNames(files, more)
	if err != nil {
		return nil, err
	}
	return &nameSpool{names: names, n: names.Len()}, nil
}

func (sp *nameSpool) close() { sp.names.Close() }

// spooledArtifacts is the artifacts to verify of the spool's names, the signatures among them
// said on stderr, one line each, as skipSignaturesToVerify says them.
func spooledArtifacts(e *env, sp *nameSpool) (iter.Seq2[verify.Artifact, error], error) {
	return sp.names.Artifacts(func(g verify.GivenSignature) {
		if g.Skipped {
			fmt.Fprintf(e.stderr, "signet: skipped %s: the signature of %s\n", digest.QuoteName(g.Name), digest.QuoteName(g.Of))
		} else {
			fmt.Fprintf(e.stderr, "signet: %s is checked as a signature of %s\n", digest.QuoteName(g.Name), digest.QuoteName(g.Of))
		}
	})
}
