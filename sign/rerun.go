package sign

import (
	"math"
	"os"
	"strings"

	"github.com/signet-pki/signet/internal/nameset"
	"github.com/signet-pki/signet/internal/namespool"
	"github.com/signet-pki/signet/sigformat"
)

// WithoutSignatures is names less the signatures of other names among them, each told to
// skipped: the rule of FilesOptions.SkippedSignatureOf (skipSignatures), for the runs that
// SignFiles takes over the names as given, a Manifest's (its checksum list then lists the
// artifacts of a directory, not the signatures an earlier run left beside them). names is
// not changed.
func WithoutSignatures(names []string, skipped func(sig, of string)) ([]string, error) {
	l := &itemList{sp: namespool.New(math.MaxInt, func() (*os.File, error) { panic("unreachable: the names stay in memory") }, "", "")}
	for _, n := range names {
		if strings.IndexByte(n, 0) >= 0 {
			return names, nil // no file has such a name: the run refuses it
		}
		if err := l.sp.Add(n); err != nil {
			return nil, err
		}
		l.maySigs = l.maySigs || sigformat.MaySignatureOf(n, false)
	}
	if !l.maySigs {
		return names, nil
	}
	if err := withInputSet(l.sp, l.every, func(set *nameset.Set) error { return skipSignatures(l, set, skipped) }); err != nil {
		return nil, err
	}
	kept := make([]string, 0, len(names))
	for i, n := range names {
		if !l.skip.has(i) {
			kept = append(kept, n)
		}
	}
	return kept, nil
}
