package verify

import (
	"fmt"
	"iter"
	"os"

	"github.com/signet-pki/signet/internal/nameset"
	"github.com/signet-pki/signet/internal/namespool"
	"github.com/signet-pki/signet/sigformat"
)

// Verifying a list of a million files holds none of them (issue 15): the names are put aside
// in a spool (in memory up to 64 KiB, then in an unnamed temporary file in $TMPDIR), found
// again by 8 bytes each (internal/nameset, the set sign's checks use) while the signatures
// among them are found, and then read back from the spool as they are verified, a batch at a
// time (VerifyArtifactsFrom). The command line's files are put aside the same way, so that
// one rule (sigformat.SignatureOf) finds the signatures among the arguments and the list.

// namesBuffer is how many bytes of names ArtifactNames keeps in memory before it writes them
// to a file. Tests lower it.
var namesBuffer = 64 << 10

// ArtifactNames are the names of the files to verify, put aside as they are read: memory
// does not grow with their number. Close lets them go.
type ArtifactNames struct {
	sp *namespool.Spool
	// maySigs says whether a name may be the signature of another (sigformat.MaySignatureOf):
	// without one, Artifacts has no signature to look for.
	maySigs bool
}

// NewArtifactNames puts files, then the names more yields (read once, to its end; nil
// yields none), aside. An error more yields is returned as it is; nothing is kept.
func NewArtifactNames(files []string, more iter.Seq2[string, error]) (*ArtifactNames, error) {
	sp := namespool.New(namesBuffer, func() (*os.File, error) {
		f, err := os.CreateTemp("", "signet-names-")
		if err != nil {
			return nil, fmt.Errorf("put the names of the files to verify aside: %w", err)
		}
		os.Remove(f.Name()) // unnamed: gone with the process, however it ends
		return f, nil
	}, "put the names of the files to verify aside", "read the names of the files to verify back")
	l := &ArtifactNames{sp: sp}
	for _, f := range files {
		if err := sp.Add(f); err != nil {
			sp.Close()
			return nil, err
		}
		l.maySigs = l.maySigs || sigformat.MaySignatureOf(f, true)
	}
	if more == nil {
		more = func(func(string, error) bool) {}
	}
	for n, err := range more {
		if err == nil {
			err = sp.Add(n)
		}
		if err != nil {
			sp.Close()
			return nil, err
		}
		l.maySigs = l.maySigs || sigformat.MaySignatureOf(n, true)
	}
	return l, nil
}

// Len is the number of names.
func (l *ArtifactNames) Len() int { return l.sp.Len() }

// Close lets the names go (the file they were put in).
func (l *ArtifactNames) Close() { l.sp.Close() }

// GivenSignature is a name given that is the signature of another name given, Of (as it was
// given), by sigformat.SignatureOf's rule, raw signatures included: by name (Of and a
// signature extension, the names compared cleaned: "a.p7s" is the signature of "./a"), by
// content (sigformat.DetectFile), and only when it has no signature of its own among the
// names (a file that is itself signed is an artifact). Skipped, it is the file
// DefaultSignature(Of) reads (os.SameFile): verifying Of checks it. Else it is checked as a
// further signature of Of, after the other files: a file planted under a signature's name
// fails unless it is a valid signature of Of.
type GivenSignature struct {
	Name, Of string
	Skipped  bool
}

// Artifacts finds the signatures among the names (each told to found, if not nil, in the
// order given), then returns the artifacts to verify, for VerifyArtifactsFrom: every name
// that is not such a signature, in order, then Of with each signature not skipped. The names
// are read back from where they were put aside as the artifacts are taken; they can be
// taken more than once. Finding the signatures holds 8 bytes a name (off Go's heap), let go
// before Artifacts returns.
func (l *ArtifactNames) Artifacts(found func(GivenSignature)) (iter.Seq2[Artifact, error], error) {
	sp := l.sp
	var skip []uint64 // a bit per name
	var extra []Artifact
	if l.maySigs {
		var err error
		if skip, extra, err = l.signatures(found); err != nil {
			return nil, err
		}
	}
	return func(yield func(Artifact, error) bool) {
		for it, err := range sp.All {
			if err != nil {
				yield(Artifact{}, err)
				return
			}
			if it.I/64 < len(skip) && skip[it.I/64]&(1<<(it.I%64)) != 0 {
				continue
			}
			if !yield(Artifact{Name: it.Name}, nil) {
				return
			}
		}
		for _, a := range extra {
			if !yield(a, nil) {
				return
			}
		}
	}, nil
}

// signatures finds the signatures among the names, tells each to found, and returns them as
// a bit per name (by index) and the artifacts of those not skipped.
func (l *ArtifactNames) signatures(found func(GivenSignature)) (skip []uint64, extra []Artifact, err error) {
	cwd, err := os.Getwd()
	if err != nil {
		return nil, nil, fmt.Errorf("verify: %w", err)
	}
	given, err := nameset.New(l.sp, cwd, l.sp.All)
	if err != nil {
		return nil, nil, err
	}
	defer given.Free() // the signatures are found: let the set go before the files are read
	for it, err := range l.sp.All {
		if err != nil {
			return nil, nil, err
		}
		of, _, ok, err := sigformat.SignatureOf(it.Name, true, given.Find)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			continue
		}
		for len(skip) <= it.I/64 {
			skip = append(skip, 0)
		}
		skip[it.I/64] |= 1 << (it.I % 64)
		g := GivenSignature{Name: it.Name, Of: of, Skipped: isDefaultSignature(of, it.Name)}
		if found != nil {
			found(g)
		}
		if !g.Skipped {
			extra = append(extra, Artifact{Name: of, SignatureName: it.Name})
		}
	}
	return skip, extra, nil
}

// isDefaultSignature says whether sig is the signature verifying file reads when none is
// named (DefaultSignature): the same file, however the two are spelled ("a.p7s" for "./a").
func isDefaultSignature(file, sig string) bool {
	def := DefaultSignature(file)
	return def != "" && nameset.SameFile(def, sig)
}
