package main

import (
	"fmt"
	"strings"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/verify"
)

// Re-running `signet sign dist/*` or `signet verify dist/*` over a directory that holds the
// signatures of an earlier run: the signatures among the arguments are not artifacts. Neither
// command may let a file pass unchecked because of its name, so each takes the narrowest rule
// that still makes re-runs work.

// signatureCandidates returns the arguments that are signatures of other arguments by name and
// content (sigformat.DetectSignatures), mapped to the file each signs, less those that have a
// signature of their own among the arguments: a file that is itself signed is an artifact.
func signatureCandidates(files []string) map[string]string {
	sigs := sigformat.DetectSignatures(files)
	if len(sigs) == 0 {
		return sigs
	}
	given := make(map[string]bool, len(files))
	for _, f := range files {
		given[f] = true
	}
	for s := range sigs {
		for _, ext := range verify.SignatureExtensions() {
			if given[s+ext] {
				delete(sigs, s)
				break
			}
		}
	}
	return sigs
}

// skipSignaturesToSign leaves out of the files to sign the Sigstore bundles and CMS signatures
// of other files given, saying so on stderr, one line each. A raw signature has no header to
// recognise it by, so a file named FILE.sig is signed like any other (and an existing output
// is refused without --force, as always).
func skipSignaturesToSign(e *env, files []string) []string {
	sigs := signatureCandidates(files)
	kept := make([]string, 0, len(files))
	for _, f := range files {
		of, ok := sigs[f]
		if !ok || strings.HasSuffix(f, sigformat.Raw.Extension()) {
			kept = append(kept, f)
			continue
		}
		fmt.Fprintf(e.stderr, "signet: skipped %s: the signature of %s\n", digest.QuoteName(f), digest.QuoteName(of))
	}
	return kept
}

// skipSignaturesToVerify turns the signatures among the files to verify into checks of the
// files they sign: a signature is not verified as an artifact, but it is never left out
// unchecked either. The one verifying FILE finds by itself (FILE.sigstore.json before
// FILE.p7s before FILE.sig) is checked with FILE; any other is returned as a further artifact,
// FILE with that signature, so that a file planted under a signature's name fails unless it
// is a valid signature of FILE.
func skipSignaturesToVerify(e *env, files []string) (kept []string, extra []verify.Artifact) {
	sigs := signatureCandidates(files)
	kept = make([]string, 0, len(files))
	for _, f := range files {
		of, ok := sigs[f]
		if !ok {
			kept = append(kept, f)
			continue
		}
		if verify.DefaultSignature(of) == f {
			fmt.Fprintf(e.stderr, "signet: skipped %s: the signature of %s\n", digest.QuoteName(f), digest.QuoteName(of))
			continue
		}
		fmt.Fprintf(e.stderr, "signet: %s is checked as a signature of %s\n", digest.QuoteName(f), digest.QuoteName(of))
		extra = append(extra, verify.Artifact{Name: of, SignatureName: f})
	}
	return kept, extra
}
