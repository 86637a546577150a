package sign

import (
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"iter"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/atomicfile"
	"github.com/signet-pki/signet/internal/nameset"
	"github.com/signet-pki/signet/internal/namespool"
	"github.com/signet-pki/signet/internal/offheap"
	"github.com/signet-pki/signet/sigformat"
)

// A run over a million files holds none of them in memory (issue 15): the names, once
// expanded, are in a spool (in memory up to spoolBuffer, then in a scratch file in the staging
// area, atomicfile.Batch.Scratch), read again for each pass (checks, signing, receipts); the
// digests wait for their receipts in a scratch file too; the checks that need every input at
// once (an output that is an input, a name given twice) use 8 bytes a file for as long as
// they run.

// spoolBuffer is how many bytes of names a run keeps in memory before it writes them to a
// scratch file. Tests lower it.
var spoolBuffer = 64 << 10

// item is one file of a run: its index and offset in the spool, its name, and the error it is
// known to fail with before it is read.
type item struct {
	i    int
	off  int64
	name string
	err  error
}

// itemList is the files of a run, expanded: their names (spool), the errors of those known
// to fail before they are read (one per failing file: a run that fails may hold them), and
// the names given again, skipped (one per such name).
type itemList struct {
	sp   *namespool.Spool
	errs map[int]error
	skip bitset // by index: a name given again, a signature of another file (SkippedSignatureOf)
	live int    // items not skipped
	// maySigs says whether a name may be the signature of another (sigformat.MaySignatureOf):
	// without one, skipSignatures has nothing to look at.
	maySigs bool
}

// bitset is a set of indexes, a bit each.
type bitset []uint64

func (b *bitset) set(i int) {
	for len(*b) <= i/64 {
		*b = append(*b, 0)
	}
	(*b)[i/64] |= 1 << (i % 64)
}

func (b bitset) has(i int) bool { return i/64 < len(b) && b[i/64]&(1<<(i%64)) != 0 }

func (b bitset) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// every yields each name, skipped or not, without its known error; a read error of the
// spool ends it.
func (l *itemList) every(yield func(item, error) bool) {
	for n, err := range l.sp.All {
		if !yield(item{i: n.I, off: n.Off, name: n.Name}, err) || err != nil {
			return
		}
	}
}

// all yields each item not skipped, with its known error; a read error of the spool ends it.
func (l *itemList) all(yield func(item, error) bool) {
	for it, err := range l.every {
		if err != nil {
			yield(it, err)
			return
		}
		if l.skip.has(it.i) {
			continue
		}
		it.err = l.errs[it.i]
		if !yield(it, nil) {
			return
		}
	}
}

// digestPage is how many digests a run keeps together in memory until all of them are known.
// Tests lower it.
var digestPage = 1024

// digestStore keeps the digest of each file of a run until its receipt: by pages of
// digestPage, each written to a scratch file once its last digest is set (the pipeline goes
// through the files in order, with a few at work at once, so a few pages are in memory), or
// kept in memory when the run has only one page.
type digestStore struct {
	size   int
	n      int
	expect func(page int) int // how many digests the page will get
	mk     func() (*os.File, error)

	mu    sync.Mutex
	pages map[int]*dpage
	f     *os.File
	err   error
}

type dpage struct {
	b      []byte
	filled int
}

func (d *digestStore) page(p int) *dpage {
	pg := d.pages[p]
	if pg == nil {
		if d.pages == nil {
			d.pages = map[int]*dpage{}
		}
		pg = &dpage{b: make([]byte, digestPage*d.size)}
		d.pages[p] = pg
	}
	return pg
}

// set records the digest of file i; a failure to write it aside is kept for flush.
func (d *digestStore) set(i int, v digest.Digest) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p := i / digestPage
	pg := d.page(p)
	copy(pg.b[(i%digestPage)*d.size:], v)
	pg.filled++
	if pg.filled < d.expect(p) || d.n <= digestPage || d.err != nil {
		return
	}
	if d.f == nil {
		if d.f, d.err = d.mk(); d.err != nil {
			return
		}
	}
	if _, err := d.f.WriteAt(pg.b, int64(p)*int64(digestPage)*int64(d.size)); err != nil {
		d.err = fmt.Errorf("sign: put the digests aside: %w", err)
		return
	}
	delete(d.pages, p)
}

// reader returns at(i), the digest of file i, for reading them all in order once every one
// is set.
func (d *digestStore) reader() (at func(i int) (digest.Digest, error)) {
	cur, buf := -1, make([]byte, digestPage*d.size)
	return func(i int) (digest.Digest, error) {
		if d.err != nil {
			return nil, d.err
		}
		p := i / digestPage
		if p != cur {
			if pg := d.pages[p]; pg != nil {
				copy(buf, pg.b)
			} else if d.f == nil {
				return nil, errors.New("sign: a digest was never set")
			} else if _, err := d.f.ReadAt(buf, int64(p)*int64(digestPage)*int64(d.size)); err != nil {
				// Every page is written whole: a short one (io.EOF) is a file cut short,
				// and what buf holds past it is the page read before.
				if errors.Is(err, io.EOF) {
					err = io.ErrUnexpectedEOF
				}
				return nil, fmt.Errorf("sign: read the digests back: %w", err)
			}
			cur = p
		}
		o := (i % digestPage) * d.size
		return slices.Clone(buf[o : o+d.size]), nil
	}
}

func (d *digestStore) close() {
	if d.f != nil {
		d.f.Close()
	}
}

// list expands names, then those of opts.NamesFrom, into the run's files, put aside in a
// spool as they come, and finds the names given twice (signed once) and two names of one file
// (refused).
func (r *filesRun) list(names []string) (_ *itemList, err error) {
	opts := r.opts
	l := &itemList{sp: namespool.New(spoolBuffer, r.scratch, "sign: put the names aside", "sign: read the names back"), errs: map[int]error{}}
	defer func() {
		if err != nil {
			l.sp.Close() // its file, if it has one, is not the run's to close
		}
	}()
	var given map[string]struct{} // with Recursive, the names given (a walk's are not)
	if opts.Recursive {
		given = make(map[string]struct{}, len(names))
		for _, n := range names {
			given[n] = struct{}{}
		}
	}
	stdin := false
	var ferr error
	emit := func(name string, err error) bool {
		if name == "-" {
			if stdin {
				return true
			}
			stdin = true
		}
		if _, ok := given[name]; err == nil && given != nil && !ok && isSignatureName(name) {
			if opts.SkippedSignature != nil {
				opts.SkippedSignature(name)
			}
			return true
		}
		if err == nil && atomicfile.IsTemporary(name) {
			// Named on the command line: a recursive walk skips these (digest.Expand).
			err = &digest.FileError{Name: name, Op: "open", Err: errTemporary}
		}
		if r.scratchDir == "" {
			if out := outName(r.s, name, opts); out != "" && out != "-" {
				r.scratchDir = filepath.Dir(out)
			}
		}
		if strings.IndexByte(name, 0) >= 0 {
			// The spool ends each name with a NUL: such a name would come back as two,
			// and every name after it one place off. No file has one.
			ferr = fmt.Errorf("sign: %w", &fs.PathError{Op: "open", Path: digest.QuoteName(name), Err: errNULName})
			return false
		}
		i := l.sp.Len()
		if ferr = l.sp.Add(name); ferr != nil {
			return false
		}
		l.maySigs = l.maySigs || err == nil && sigformat.MaySignatureOf(name, false)
		if err != nil {
			l.errs[i] = err
		}
		return true
	}
	eo := digest.ExpandOptions{Recursive: opts.Recursive, Skipped: opts.Skipped}
	digest.Expand(names, eo, emit)
	if ferr == nil && opts.NamesFrom != nil {
		for n, err := range opts.NamesFrom {
			if err != nil {
				return nil, err
			}
			if digest.Expand([]string{n}, eo, emit); ferr != nil {
				break
			}
		}
	}
	if ferr != nil {
		return nil, ferr
	}
	if l.sp.Len() == 0 {
		return nil, fmt.Errorf("%w (the directories hold none)", ErrNoFiles)
	}
	// The checks over every name, each with its own set of them (withInputSet).
	if err := withInputSet(l.sp, l.every, func(set *nameset.Set) error { return r.findTwice(l, set) }); err != nil {
		return nil, err
	}
	if opts.SkippedSignatureOf != nil && l.maySigs {
		if err := withInputSet(l.sp, l.every, func(set *nameset.Set) error { return skipSignatures(l, set, opts.SkippedSignatureOf) }); err != nil {
			return nil, err
		}
	}
	l.live = l.sp.Len() - l.skip.count()
	return l, nil
}

// testHookTwice, when set by a test, is called when findTwice knows the names given again,
// before it marks them skipped.
var testHookTwice func()

// findTwice finds the names given twice (all but the first are skipped) and refuses two
// names of one file, whose signatures would be one file ("a" and "./a"), in set, the names'.
func (r *filesRun) findTwice(l *itemList, set *nameset.Set) error {
	again, err := set.Repeats(func(offs iter.Seq[int64], keep func(int64)) error {
		// Names that share a hash: almost always one name, given again. Offsets grow with
		// the order given, so the first of a name is the one kept. A name given many times
		// is one entry of first.
		first := map[string]string{} // cleaned name: the name as first given
		for off := range offs {
			name, err := l.sp.NameAt(off)
			if err != nil {
				return err
			}
			key := set.Key(name)
			earlier, seen := first[key]
			switch {
			case !seen:
				first[key] = name
			case earlier != name:
				return fmt.Errorf("sign: %w", &fs.PathError{Op: "write", Path: outName(r.s, name, r.opts), Err: errNamedTwice})
			default:
				keep(off)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if testHookTwice != nil {
		testHookTwice()
	}
	if again == nil {
		return nil // no name given twice: no need to read them again
	}
	for it, err := range l.every {
		if err != nil {
			return err
		}
		if again(it.off) {
			l.skip.set(it.i)
		}
	}
	return nil
}

// skipSignatures leaves out the files to sign that are signatures of other files to sign,
// by sigformat.SignatureOf's rule over set, the names' (the names compared cleaned, as every
// check of a run compares them), and tells each to skipped (FilesOptions.SkippedSignatureOf).
// A FILE.sig is not recognised (raw false): a raw signature cannot be told from data, and a
// file is never left out of a release because of a look-alike.
func skipSignatures(l *itemList, set *nameset.Set, skipped func(sig, of string)) error {
	var skip bitset
	for it, err := range l.all {
		if err != nil {
			return err
		}
		if it.err != nil || it.name == "-" {
			continue
		}
		of, _, ok, err := sigformat.SignatureOf(it.name, false, set.Find)
		if err != nil {
			return err
		}
		if ok {
			skip.set(it.i)
			skipped(it.name, of)
		}
	}
	// Set at the end: l.all above yields every file not skipped before.
	for i, w := range skip {
		for len(l.skip) <= i {
			l.skip = append(l.skip, 0)
		}
		l.skip[i] |= w
	}
	return nil
}

// errNULName refuses a name holding a NUL byte, which no file's name can.
var errNULName = errors.New("the name holds a NUL byte")

// errNamedTwice refuses two names of one file: their signatures would be one file. It is
// atomicfile's, which finds the same at commit where two names of one directory differ.
var errNamedTwice = atomicfile.ErrNamedTwice

// withInputSet is the prologue of the checks that need every input at once (findTwice,
// skipSignatures, checkNotInputs): it reads names (of sp) into a nameset.Set, relative to the
// working directory (standard input, "-", is not in it), calls check with it, and frees it,
// so that each check's 8 bytes a name are let go before the next check makes its own.
func withInputSet(sp *namespool.Spool, names iter.Seq2[item, error], check func(*nameset.Set) error) error {
	cwd, err := os.Getwd()
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	set, err := nameset.New(sp, cwd, func(yield func(namespool.Name, error) bool) {
		for it, err := range names {
			if it.name == "-" && err == nil {
				continue
			}
			if !yield(namespool.Name{I: it.i, Off: it.off, Name: it.name}, err) || err != nil {
				return
			}
		}
	})
	if err != nil {
		return err
	}
	defer set.Free()
	return check(set)
}

// outputs yields every output of the run, in the order of the files: the signatures, and
// beside a timestamped raw signature its token; "" for a file without one.
func (r *filesRun) outputs(yield func(string) bool) {
	for it, err := range r.items.all {
		if err != nil {
			return // the passes before found none; the run's next pass reports it
		}
		out := outName(r.s, it.name, r.opts)
		if !yield(out) {
			return
		}
		if r.s.rawTimestamped() && out != "" && !yield(out+TimestampExtension) {
			return
		}
	}
}

// checkNotInputs is the package's checkNotInputs over the run's files, in 8 bytes a file:
// first each output's name against the inputs' (a nameset.Set) and opts.Reads; then, if some
// outputs exist, each input's identity against theirs (a sorted set of their hashes, a hash
// found confirmed by looking at the outputs again).
func (r *filesRun) checkNotInputs() error {
	// The files to sign: not those skipped.
	if err := withInputSet(r.items.sp, r.items.all, r.checkOutputNames); err != nil {
		return err
	}
	// The names' set is let go: now the outputs that exist, by identity (a hash of it), and
	// where there is none to take (not Unix) as they are.
	seed := maphash.MakeSeed()
	outs := r.items.live
	if r.s.rawTimestamped() {
		outs *= 2
	}
	exist, free := offheap.Words(outs) // mapped, as a nameset.Set's
	defer free()
	var unkeyed []existing
	for out := range r.outputs {
		if out == "" || out == "-" {
			continue
		}
		if fi, err := os.Stat(out); err == nil {
			if k, ok := fileKeyOf(fi); ok {
				exist = append(exist, maphash.Comparable(seed, k))
			} else {
				unkeyed = append(unkeyed, existing{ReadFile{Path: out}, fi})
			}
		}
	}
	if len(exist) == 0 && len(unkeyed) == 0 {
		return nil
	}
	slices.Sort(exist)
	check := func(in ReadFile) error {
		fi, err := os.Stat(in.Path)
		if err != nil {
			return nil
		}
		if k, ok := fileKeyOf(fi); ok {
			if _, hit := slices.BinarySearch(exist, maphash.Comparable(seed, k)); hit {
				// Which output: look again.
				for out := range r.outputs {
					if out == "" || out == "-" {
						continue
					}
					if ofi, err := os.Stat(out); err == nil {
						if ok, _ := fileKeyOf(ofi); ok == k {
							return &OutputIsInputError{Output: out, Input: in.Path, What: in.What}
						}
					}
				}
			}
		}
		for _, out := range unkeyed {
			if os.SameFile(out.fi, fi) {
				return &OutputIsInputError{Output: out.in.Path, Input: in.Path, What: in.What}
			}
		}
		return nil
	}
	for it, err := range r.items.all {
		if err != nil {
			return err
		}
		if it.name == "-" {
			continue
		}
		if err := check(ReadFile{Path: it.name}); err != nil {
			return err
		}
	}
	for _, rf := range r.opts.Reads {
		if rf.Path == "" || rf.Path == "-" {
			continue
		}
		if err := check(rf); err != nil {
			return err
		}
	}
	return nil
}

// checkOutputNames is the first half of checkNotInputs: each output's name against the
// inputs' (set) and opts.Reads.
func (r *filesRun) checkOutputNames(set *nameset.Set) error {
	reads := map[string]ReadFile{}
	for _, rf := range r.opts.Reads {
		if rf.Path != "" && rf.Path != "-" {
			if _, dup := reads[set.Key(rf.Path)]; !dup {
				reads[set.Key(rf.Path)] = rf
			}
		}
	}
	for out := range r.outputs {
		if out == "" || out == "-" {
			continue
		}
		key := set.Key(out)
		in, ok, err := set.Find(out)
		if err != nil {
			return err
		}
		if ok {
			return &OutputIsInputError{Output: out, Input: in}
		}
		if rf, ok := reads[key]; ok {
			return &OutputIsInputError{Output: out, Input: rf.Path, What: rf.What}
		}
	}
	return nil
}
