// Package nameset answers, for the checks of sign and verify that need every name of a run at
// once (a name given twice, an output that is an input, a given name that is the signature of
// another), whether a name is among the run's names, exactly, in 8 bytes a name off Go's heap
// (issue 15): a keyed hash of the name's Key in the high bits and its offset in the run's
// spool (internal/namespool) in the low ones, sorted; a hash found is confirmed by reading the
// name back. One set serves sign and verify, so that both compare names the same way.
package nameset

import (
	"hash/maphash"
	"iter"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/signet-pki/signet/internal/namespool"
	"github.com/signet-pki/signet/internal/offheap"
)

// Key is how the names of a run are compared: cleaned and relative to the working directory
// cwd, so that "./a", "a", "d/../a" and cwd+"/a" are one name (a path that leads above cwd is
// kept absolute). It is a comparison of names, not of files: a caller that acts on a match
// where a link could make two such names two files confirms it (os.SameFile).
func Key(cwd, p string) string {
	if filepath.IsAbs(p) {
		c := filepath.Clean(p)
		below := cwd
		if !strings.HasSuffix(below, string(filepath.Separator)) { // "/" ends with one
			below += string(filepath.Separator)
		}
		if rel, ok := strings.CutPrefix(c, below); ok && rel != "" {
			return rel
		}
		if c == cwd {
			return "."
		}
		return c
	}
	c := filepath.Clean(p)
	if c == ".." || strings.HasPrefix(c, ".."+string(filepath.Separator)) {
		return Key(cwd, filepath.Join(cwd, c))
	}
	return c
}

// SameFile says whether the names a and b lead to one file (os.SameFile), as a match of their
// Keys is confirmed where a link could make two names that clean alike two files; a name
// that leads to no file is no file's.
func SameFile(a, b string) bool {
	if a == b {
		return true
	}
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

// Set is the Keys of some names of a spool, 8 bytes each, mapped from the system
// (offheap.Words) until Free.
type Set struct {
	v     []uint64
	free  func()
	shift uint // bits of offset
	seed  maphash.Seed
	cwd   string
	sp    *namespool.Spool
}

// New is the set of the names that names yields, each a name of sp with its offset, compared
// by Key relative to cwd. An error names yields is returned as it is, the set let go.
func New(sp *namespool.Spool, cwd string, names iter.Seq2[namespool.Name, error]) (*Set, error) {
	s := &Set{shift: uint(bits.Len64(uint64(sp.Size()))), seed: maphash.MakeSeed(), cwd: cwd, sp: sp}
	s.v, s.free = offheap.Words(sp.Len())
	for n, err := range names {
		if err != nil {
			s.free()
			return nil, err
		}
		s.v = append(s.v, s.hash(Key(cwd, n.Name))|uint64(n.Off))
	}
	slices.Sort(s.v)
	return s, nil
}

// Free gives the set's words back; the set must not be used after.
func (s *Set) Free() { s.free() }

// Key is Key(cwd, name) for the set's working directory.
func (s *Set) Key(name string) string { return Key(s.cwd, name) }

func (s *Set) hash(key string) uint64 { return maphash.String(s.seed, key) >> s.shift << s.shift }

func (s *Set) mask() uint64 { return uint64(1)<<s.shift - 1 }

// Find returns the first name of the set (in the spool's order) whose Key is name's, as it
// was given: "./a" for "a" when "./a" was given.
func (s *Set) Find(name string) (given string, ok bool, err error) {
	key := s.Key(name)
	h, mask := s.hash(key), s.mask()
	for i := sort.Search(len(s.v), func(i int) bool { return s.v[i] >= h }); i < len(s.v) && s.v[i]&^mask == h; i++ {
		n, err := s.sp.NameAt(int64(s.v[i] & mask))
		if err != nil {
			return "", false, err
		}
		if s.Key(n) == key {
			return n, true, nil
		}
	}
	return "", false, nil
}

// Repeats calls group with the offsets of each run of names that share a hash (more than
// one name: almost always one name given again), in the order given. group reads the names
// at those offsets (sp.NameAt) and keeps some of them (keep, each at most once, each once
// read); its first error is Repeats' error. Repeats returns whether an offset was kept, or
// nil when none was: the kept offsets are written over the set's own words as they are read,
// so that a million times one name holds nothing more than the set, and kept is valid until
// Free.
func (s *Set) Repeats(group func(offs iter.Seq[int64], keep func(int64)) error) (kept func(off int64) bool, err error) {
	mask := s.mask()
	// k offsets kept after x words are read, k <= x: a word is overwritten only once read.
	k := 0
	keep := func(off int64) {
		s.v[k] = uint64(off)
		k++
	}
	for a := 0; a < len(s.v); {
		b := a + 1
		for b < len(s.v) && s.v[b]&^mask == s.v[a]&^mask {
			b++
		}
		if b-a > 1 {
			offs := func(yield func(int64) bool) {
				for x := a; x < b; x++ {
					if !yield(int64(s.v[x] & mask)) {
						return
					}
				}
			}
			if err := group(offs, keep); err != nil {
				return nil, err
			}
		}
		a = b
	}
	if k == 0 {
		return nil, nil
	}
	offs := s.v[:k]
	slices.Sort(offs)
	return func(off int64) bool {
		_, ok := slices.BinarySearch(offs, uint64(off))
		return ok
	}, nil
}
