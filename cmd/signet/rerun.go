package main

import (
	"fmt"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/sigformat"
)

// skipSignatures leaves out of files those that are signet signatures of other files given
// (by name and content, sigformat.DetectSignatures), saying so on stderr, one line each: so
// that `signet sign dist/*` and `signet verify dist/*` can be run again over a directory
// that holds the signatures the first run wrote.
func skipSignatures(e *env, files []string) []string {
	sigs := sigformat.DetectSignatures(files)
	if len(sigs) == 0 {
		return files
	}
	kept := make([]string, 0, len(files)-len(sigs))
	for _, f := range files {
		of, ok := sigs[f]
		if !ok {
			kept = append(kept, f)
			continue
		}
		fmt.Fprintf(e.stderr, "signet: skipped %s: the signature of %s\n", digest.QuoteName(f), digest.QuoteName(of))
	}
	return kept
}
