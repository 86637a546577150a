package main

import (
	"bufio"
	"bytes"
	"fmt"
	"hash/maphash"
	"io"
	"iter"
	"math/bits"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/offheap"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/verify"
)

// signet verify --files-from over a million files holds none of them (issue 15): the names
// are put aside in a spool (in memory up to 64 KiB, then in an unnamed temporary file in
// $TMPDIR), found again by 8 bytes each (a keyed hash of the name and where it is in the
// spool) while the re-run rule of skipSignaturesToVerify is applied over all of them, and
// then read back from the spool as they are verified, a batch at a time
// (verify.VerifyArtifactsFrom).

// verifySpoolBuffer is how many bytes of names are kept in memory before the spool goes to a
// file. Tests lower it.
var verifySpoolBuffer = 64 << 10

// nameSpool holds names, NUL-terminated, in the order given: the first ones in a file (flushed
// bytes of it), the last ones in buf.
type nameSpool struct {
	buf     []byte
	f       *os.File
	flushed int64
	n       int
}

func (sp *nameSpool) add(name string) error {
	sp.buf = append(append(sp.buf, name...), 0)
	sp.n++
	if len(sp.buf) < verifySpoolBuffer {
		return nil
	}
	if sp.f == nil {
		f, err := os.CreateTemp("", "signet-names-")
		if err != nil {
			return fmt.Errorf("put the names of --files-from aside: %w", err)
		}
		os.Remove(f.Name()) // unnamed: gone with the process, however it ends
		sp.f = f
	}
	if _, err := sp.f.WriteAt(sp.buf, sp.flushed); err != nil {
		return fmt.Errorf("put the names of --files-from aside: %w", err)
	}
	sp.flushed += int64(len(sp.buf))
	sp.buf = sp.buf[:0]
	return nil
}

func (sp *nameSpool) size() int64 { return sp.flushed + int64(len(sp.buf)) }

func (sp *nameSpool) close() {
	if sp.f != nil {
		sp.f.Close()
	}
}

func (sp *nameSpool) reader(off int64) io.Reader {
	if off >= sp.flushed {
		return bytes.NewReader(sp.buf[off-sp.flushed:])
	}
	return io.MultiReader(io.NewSectionReader(sp.f, off, sp.flushed-off), bytes.NewReader(sp.buf))
}

// nameAt is the name that starts at offset off.
func (sp *nameSpool) nameAt(off int64) (string, error) {
	b, err := bufio.NewReaderSize(sp.reader(off), 512).ReadBytes(0)
	if err != nil {
		return "", fmt.Errorf("read the names of --files-from back: %w", err)
	}
	return string(b[:len(b)-1]), nil
}

// spooledName is a name of the spool, its index and offset.
type spooledName struct {
	i    int
	off  int64
	name string
}

// all yields each name in order; a read error ends it.
func (sp *nameSpool) all(yield func(spooledName, error) bool) {
	br := bufio.NewReaderSize(sp.reader(0), 64<<10)
	var off int64
	for i := range sp.n {
		b, err := br.ReadBytes(0)
		if err != nil {
			yield(spooledName{}, fmt.Errorf("read the names of --files-from back: %w", err))
			return
		}
		if !yield(spooledName{i: i, off: off, name: string(b[:len(b)-1])}, nil) {
			return
		}
		off += int64(len(b))
	}
}

// spoolNames puts files, then the names of --files-from (read once), in a spool.
func spoolNames(files []string, more iter.Seq2[string, error]) (*nameSpool, error) {
	sp := &nameSpool{}
	for _, f := range files {
		if err := sp.add(f); err != nil {
			sp.close()
			return nil, err
		}
	}
	for n, err := range more {
		if err == nil {
			err = sp.add(n)
		}
		if err != nil {
			sp.close()
			return nil, err
		}
	}
	return sp, nil
}

// givenSet answers whether a name is one of the spool's, exactly, in 8 bytes a name: a keyed
// hash of it in the high bits and its offset in the low ones, sorted; a hash found is
// confirmed by reading the name back.
type givenSet struct {
	v     []uint64 // mapped from the system (offheap.Words): free gives it back
	free  func()
	shift uint
	seed  maphash.Seed
	sp    *nameSpool
}

func newGivenSet(sp *nameSpool) (*givenSet, error) {
	s := &givenSet{shift: uint(bits.Len64(uint64(sp.size()))), seed: maphash.MakeSeed(), sp: sp}
	s.v, s.free = offheap.Words(sp.n)
	for it, err := range sp.all {
		if err != nil {
			s.free()
			return nil, err
		}
		s.v = append(s.v, s.hash(it.name)|uint64(it.off))
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
		n, err := s.sp.nameAt(int64(s.v[i] & mask))
		if err != nil || n == name {
			return err == nil, err
		}
	}
	return false, nil
}

// spooledArtifacts applies skipSignaturesToVerify's rule to the spool's names (the
// signatures among them are skipped, one line each, or checked as signatures of the files they
// sign, after the others), then yields the artifacts to verify, reading the names back.
func spooledArtifacts(e *env, sp *nameSpool) (iter.Seq2[verify.Artifact, error], error) {
	given, err := newGivenSet(sp)
	if err != nil {
		return nil, err
	}
	defer given.free() // the rule is applied: let the set go before the files are read
	var skip []uint64  // a bit per name
	var extra []verify.Artifact
	for it, err := range sp.all {
		if err != nil {
			return nil, err
		}
		of, ok, err := signatureOf(given, it.name)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		for len(skip) <= it.i/64 {
			skip = append(skip, 0)
		}
		skip[it.i/64] |= 1 << (it.i % 64)
		if verify.DefaultSignature(of) == it.name {
			fmt.Fprintf(e.stderr, "signet: skipped %s: the signature of %s\n", digest.QuoteName(it.name), digest.QuoteName(of))
			continue
		}
		fmt.Fprintf(e.stderr, "signet: %s is checked as a signature of %s\n", digest.QuoteName(it.name), digest.QuoteName(of))
		extra = append(extra, verify.Artifact{Name: of, SignatureName: it.name})
	}
	return func(yield func(verify.Artifact, error) bool) {
		for it, err := range sp.all {
			if err != nil {
				yield(verify.Artifact{}, err)
				return
			}
			if it.i/64 < len(skip) && skip[it.i/64]&(1<<(it.i%64)) != 0 {
				continue
			}
			if !yield(verify.Artifact{Name: it.name}, nil) {
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

// signatureOf is signatureCandidates' rule for one name: the file it is the signature of, by
// name (FILE and a signature extension, FILE given) and content, unless it has a signature
// of its own among the names given.
func signatureOf(given *givenSet, name string) (string, bool, error) {
	for _, f := range sigformat.Formats() {
		base, ok := strings.CutSuffix(name, f.Extension())
		if !ok || base == "" {
			continue
		}
		if ok, err := given.has(base); err != nil || !ok {
			return "", false, err
		}
		for _, ext := range verify.SignatureExtensions() {
			if ok, err := given.has(name + ext); err != nil || ok {
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
