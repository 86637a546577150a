package verify

import (
	"fmt"
	"hash/maphash"
	"iter"
	"math/bits"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/signet-pki/signet/internal/namespool"
	"github.com/signet-pki/signet/internal/offheap"
	"github.com/signet-pki/signet/sigformat"
)

// Verifying a list of a million files holds none of them (issue 15): the names are put aside
// in a spool (in memory up to 64 KiB, then in an unnamed temporary file in $TMPDIR), found
// again by 8 bytes each (a keyed hash of the name and where it is in the spool) while the
// signatures among them are found, and then read back from the spool as they are verified,
// a batch at a time (VerifyArtifactsFrom).

// namesBuffer is how many bytes of names ArtifactNames keeps in memory before it writes them
// to a file. Tests lower it.
var namesBuffer = 64 << 10

// ArtifactNames are the names of the files to verify, put aside as they are read: memory
// does not grow with their number. Close lets them go.
type ArtifactNames struct {
	sp *namespool.Spool
}

// NewArtifactNames puts files, then the names more yields (read once, to its end), aside. An
// error more yields is returned as it is; nothing is kept.
func NewArtifactNames(files []string, more iter.Seq2[string, error]) (*ArtifactNames, error) {
	sp := namespool.New(namesBuffer, func() (*os.File, error) {
		f, err := os.CreateTemp("", "signet-names-")
		if err != nil {
			return nil, fmt.Errorf("put the names of --files-from aside: %w", err)
		}
		os.Remove(f.Name()) // unnamed: gone with the process, however it ends
		return f, nil
	}, "put the names of --files-from aside", "read the names of --files-from back")
	for _, f := range files {
		if err := sp.Add(f); err != nil {
			sp.Close()
			return nil, err
		}
	}
	for n, err := range more {
		if err == nil {
			err = sp.Add(n)
		}
		if err != nil {
			sp.Close()
			return nil, err
		}
	}
	return &ArtifactNames{sp: sp}, nil
}

// Len is the number of names.
func (l *ArtifactNames) Len() int { return l.sp.Len() }

// Close lets the names go (the file they were put in).
func (l *ArtifactNames) Close() { l.sp.Close() }

// GivenSignature is a name given that is the signature of another name given, Of (by name:
// Of and a signature extension; and by content, sigformat.DetectFile), and that has no
// signature of its own among the names (a file that is itself signed is an artifact).
// Skipped, it is the signature DefaultSignature(Of) reads: verifying Of checks it. Else it
// is checked as a further signature of Of, after the other files: a file planted under a
// signature's name fails unless it is a valid signature of Of.
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
	given, err := newGivenSet(sp)
	if err != nil {
		return nil, err
	}
	defer given.free() // the signatures are found: let the set go before the files are read
	var skip []uint64  // a bit per name
	var extra []Artifact
	for it, err := range sp.All {
		if err != nil {
			return nil, err
		}
		of, ok, err := given.signatureOf(it.Name)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		for len(skip) <= it.I/64 {
			skip = append(skip, 0)
		}
		skip[it.I/64] |= 1 << (it.I % 64)
		g := GivenSignature{Name: it.Name, Of: of, Skipped: DefaultSignature(of) == it.Name}
		if found != nil {
			found(g)
		}
		if !g.Skipped {
			extra = append(extra, Artifact{Name: of, SignatureName: it.Name})
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

// givenSet answers whether a name is one of the spool's, exactly, in 8 bytes a name: a keyed
// hash of it in the high bits and its offset in the low ones, sorted; a hash found is
// confirmed by reading the name back.
type givenSet struct {
	v     []uint64 // mapped from the system (offheap.Words): free gives it back
	free  func()
	shift uint
	seed  maphash.Seed
	sp    *namespool.Spool
}

func newGivenSet(sp *namespool.Spool) (*givenSet, error) {
	s := &givenSet{shift: uint(bits.Len64(uint64(sp.Size()))), seed: maphash.MakeSeed(), sp: sp}
	s.v, s.free = offheap.Words(sp.Len())
	for it, err := range sp.All {
		if err != nil {
			s.free()
			return nil, err
		}
		s.v = append(s.v, s.hash(it.Name)|uint64(it.Off))
	}
	slices.Sort(s.v)
	return s, nil
}

func (s *givenSet) hash(name string) uint64 {
	return maphash.String(s.seed, name) >> s.shift << s.shift
}

func (s *givenSet) has(name string) (bool, error) {
	h, mask := s.hash(name), uint64(1)<<s.shift-1
	for i := sort.Search(len(s.v), func(i int) bool { return s.v[i] >= h }); i < len(s.v) && s.v[i]&^mask == h; i++ {
		n, err := s.sp.NameAt(int64(s.v[i] & mask))
		if err != nil || n == name {
			return err == nil, err
		}
	}
	return false, nil
}

// signatureOf is GivenSignature's rule for one name: the file it is the signature of, by name
// (FILE and a signature extension, FILE given) and content, unless it has a signature of its
// own among the names given.
func (s *givenSet) signatureOf(name string) (string, bool, error) {
	for _, f := range sigformat.Formats() {
		base, ok := strings.CutSuffix(name, f.Extension())
		if !ok || base == "" {
			continue
		}
		if ok, err := s.has(base); err != nil || !ok {
			return "", false, err
		}
		for _, ext := range signatureExtensions {
			if ok, err := s.has(name + ext); err != nil || ok {
				return "", false, err
			}
		}
		if got, isSig := sigformat.DetectFile(name); isSig && got == f {
			return base, true, nil
		}
		return "", false, nil
	}
	return "", false, nil
}
