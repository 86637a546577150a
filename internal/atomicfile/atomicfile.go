// Package atomicfile writes output files so that a reader, or a later run, never sees a
// half-written file: data goes to a temporary file in a staging directory beside the target,
// is made durable (fsync, or with Batch.SyncOnCommit one syncfs(2) per filesystem at commit),
// and is then moved into place in one step.
//
// Without Force an existing file is never replaced: the final step is renameat2(2) with
// RENAME_NOREPLACE on Linux, else link(2), both of which fail when the name exists, so two
// concurrent writers cannot both win. With Force it is renameat2(2) with RENAME_EXCHANGE,
// which keeps the replaced file in the staging directory until the whole batch is in place
// (rename(2) and a hard link where there is no exchange).
//
// A Batch prepares several files and commits them together, so that a command producing a key
// and its public half, or a signature for each of a thousand files, leaves all of them or none.
// What it keeps of each staged file (its target, its staged name and identity) is written to a
// journal file in its first staging directory once they pass 16 KiB, and read back at commit:
// a batch of a million files holds no record per file in memory (with Batch.Distinct, not
// even a hash of its target).
//
// # Staging directories
//
// A Batch stages its files in a staging directory of its own inside each target directory,
// named ".signet-stage-" and 16 hexadecimal digits, 0700. While the process that made it is
// alive it holds an exclusive flock(2) on the "lock" file in it. Temporary files live only
// there, so they are easy to recognise (IsTemporary: a recursive walk skips them) and never
// look like outputs. When a Batch first stages a file in a directory it removes the staging
// directories there whose lock it can take: their owner is gone (killed with SIGKILL, or the
// machine stopped). A staging directory whose lock is held belongs to a live process and is
// left alone, and only the names a Batch creates are removed from a stale one.
//
// # Commit and roll-back
//
// Commit takes an exclusive flock(2) on each target directory while it moves files into
// place, so that the commits and roll-backs of concurrent batches over one directory never
// interleave. Without Force it first checks that no target exists, then moves the files; with
// Force it keeps each file it replaces (exchanged into the staging directory) until every file
// is in place. If a move fails, or the context of CommitContext ends, every file the
// commit placed is taken back, the last placed first: the file it replaced is put back, or the new name removed. A file is taken back only if its name still holds the file the batch placed (the
// same device and inode): a batch never removes or replaces a file it did not place.
//
// # Limitations
//
// Atomicity holds on one filesystem; the staging directory is created beside the target for
// that reason. On a filesystem without hard links (some FUSE and network mounts) a write
// without Force falls back to an existence check followed by rename, which has a small race,
// and a write with Force moves the old file aside for a moment instead of linking it. Where
// flock(2) does not work (some network filesystems; not on Windows) commits over one directory
// are not serialised and a staging directory left by a killed process is never removed. The
// identity checks guard against other signet processes, which take the directory lock; a
// program that replaces a target between the check and the roll-back's move, without the
// lock, can still lose its file. A process killed (SIGKILL) while it moves the files into
// place, a window of milliseconds at the end, leaves the files it moved so far.
package atomicfile

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// ErrExists is returned when the target exists and Force was not set.
var ErrExists = errors.New("file exists")

// ErrNamedTwice is returned when two targets of a batch are one file: named alike, or by two
// names that differ only in the symbolic links on their way (a working directory reached
// through a link, and the same directory named by its real path).
var ErrNamedTwice = errors.New("named twice as output")

// Options controls one write.
type Options struct {
	// Perm is the mode of the new file. Zero means 0644. Private keys use 0600.
	Perm fs.FileMode
	// Force allows replacing an existing file.
	Force bool
}

// WriteFile writes data to path atomically.
func WriteFile(path string, data []byte, opts Options) error {
	var b Batch
	if err := b.Add(path, data, opts); err != nil {
		return err
	}
	return b.Commit()
}

// CheckWritable reports ErrExists (wrapped with the path) when path exists and force is false,
// and an error when path names a directory or its directory does not exist (or is not one).
// Commands call it before expensive work, or work that cannot be undone (a key generated on
// a token), so a refusal comes early; the final write checks again.
func CheckWritable(path string, force bool) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		dir := filepath.Dir(path)
		di, err := os.Stat(dir)
		switch {
		case err != nil:
			return &fs.PathError{Op: "write", Path: path, Err: err}
		case !di.IsDir():
			return &fs.PathError{Op: "write", Path: path, Err: fmt.Errorf("%s is not a directory: %w", dir, syscall.ENOTDIR)}
		}
		return nil
	case err != nil:
		return err
	case fi.IsDir():
		return &fs.PathError{Op: "write", Path: path, Err: errIsDir}
	case !force:
		return &fs.PathError{Op: "write", Path: path, Err: ErrExists}
	}
	return nil
}

var errIsDir = errors.New("is a directory")

// stagePrefix starts the name of every staging directory.
const stagePrefix = ".signet-stage-"

// IsTemporary reports whether path names a temporary file of signet: something inside a
// staging directory (or the directory itself), or a file named like the ".NAME.tmp-DIGITS"
// temporaries of signet versions before staging directories. Recursive walks skip them, so
// that what a killed run left is never hashed or signed.
func IsTemporary(path string) bool {
	for elem := range strings.SplitSeq(filepath.ToSlash(path), "/") {
		if isStageName(elem) {
			return true
		}
	}
	base := filepath.Base(path)
	if !strings.HasPrefix(base, ".") {
		return false
	}
	i := strings.LastIndex(base, ".tmp-")
	return i > 1 && isDigits(base[i+len(".tmp-"):])
}

// isStageName reports whether name is a staging directory's name.
func isStageName(name string) bool {
	hex, ok := strings.CutPrefix(name, stagePrefix)
	if !ok || len(hex) != 16 {
		return false
	}
	for _, c := range hex {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// isStagedName reports whether name is one a Batch creates in its staging directory: a
// staged file (decimal digits), a replaced file kept for a roll-back (digits and ".old"), the
// batch's journal, or a scratch file (Batch.Scratch: "scratch-" and digits).
func isStagedName(name string) bool {
	if name == journalName {
		return true
	}
	if n, ok := strings.CutPrefix(name, scratchPrefix); ok {
		return isDigits(n)
	}
	return isDigits(strings.TrimSuffix(name, ".old"))
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// pending is one staged file while a commit moves it into place. A batch keeps no pending
// per file: its records are in its journal (issue 15: a sign run's memory must not grow with
// the number of files), and a commit reads them back one at a time.
type pending struct {
	path  string // the target, as given
	st    *stage
	num   int64  // the staged file's name in st, in decimal
	id    fileID // the staged file, to know it again by device and inode
	force bool

	// Set by Commit.
	backup backupKind // what in st is the file this one replaced, kept for a roll-back
	aside  bool       // the replaced file was moved to its backup, not linked (no hard links here)
}

// backupKind says where a commit kept the file a staged file replaced.
type backupKind uint8

const (
	noBackup      backupKind = iota
	backupSwapped            // under the staged name (RENAME_EXCHANGE)
	backupOld                // under the staged name and ".old" (a link, or moved aside)
)

func (p *pending) name() string { return strconv.FormatInt(p.num, 10) }

func (p *pending) tmp() string { return filepath.Join(p.st.path, p.name()) }

// backupName is the name in st of the replaced file kept, or "" when none is.
func (p *pending) backupName() string {
	switch p.backup {
	case backupSwapped:
		return p.name()
	case backupOld:
		return p.name() + ".old"
	}
	return ""
}

// Batch is a set of files written together: Add stages each file in a staging directory
// beside its target, Commit moves them all into place, and Abort (or a failed Commit) removes
// everything staged. The zero value is ready to use. Add may be called from several goroutines
// at once; Commit and Abort must not run at the same time as any other method.
type Batch struct {
	// SyncOnCommit defers making the staged data durable to Commit, where one syncfs(2) per
	// directory's filesystem replaces an fsync per file, before any file is moved into place.
	// It is for batches of many small files (a signature per artifact of a release); the zero
	// value syncs each file as it is staged. Elsewhere than Linux, Commit syncs each file.
	SyncOnCommit bool

	// Distinct says that the caller has made sure that no target is named twice (as
	// sign.SignFiles does before it stages anything): the batch then keeps nothing per file
	// in memory, and does not look for a target named twice. Without it, Add refuses a target
	// named twice, at the cost of 8 bytes of hash a file.
	Distinct bool

	mu        sync.Mutex
	stages    map[string]*stage // by target directory, as named
	stageList []*stage          // the same, in the order made: the journal's stage indexes
	// outs holds a hash of each target staged (cleaned and absolute), to refuse a target
	// named twice, unless Distinct: 8 bytes a file where the names themselves would be a
	// hundred. A hash found there is confirmed against the journal and inflight.
	outs     map[uint64]struct{}
	inflight map[string]int // targets (cleaned and absolute) being written, without Distinct
	seed     maphash.Seed
	cwd      string
	journal  journal // the staged files, in the order they were staged
	scratch  int     // scratch files made
}

// Add stages data for path. On error nothing is left on disk for this file; files staged
// earlier stay staged until Commit or Abort.
func (b *Batch) Add(path string, data []byte, opts Options) (err error) {
	if err := CheckWritable(path, opts.Force); err != nil {
		return err
	}
	perm := opts.Perm
	if perm == 0 {
		perm = 0o644
	}
	b.mu.Lock()
	var key string
	var h uint64
	var seen bool
	if !b.Distinct {
		if key, err = b.abs(path); err != nil {
			b.mu.Unlock()
			return fmt.Errorf("write %s: %w", path, err)
		}
		if b.outs == nil {
			b.outs = map[uint64]struct{}{}
			b.inflight = map[string]int{}
			b.seed = maphash.MakeSeed()
		}
		h = maphash.String(b.seed, key)
		if _, seen = b.outs[h]; seen {
			twice, err := b.stagedAs(key)
			if err == nil && twice {
				err = &fs.PathError{Op: "write", Path: path, Err: ErrNamedTwice}
			}
			if err != nil {
				b.mu.Unlock()
				return err
			}
		}
	}
	st, err := b.stageFor(filepath.Dir(path))
	if err != nil {
		b.mu.Unlock()
		return fmt.Errorf("create temporary file for %s: %w", path, err)
	}
	if !b.Distinct {
		// The target is known before the file is written, so that a concurrent Add of the
		// same target finds it (stagedAs).
		b.outs[h] = struct{}{}
		b.inflight[key]++
	}
	num := st.next.Add(1) - 1
	b.mu.Unlock()

	id, err := writeStaged(filepath.Join(st.path, strconv.FormatInt(num, 10)), data, perm, !b.SyncOnCommit)
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.Distinct {
		if b.inflight[key]--; b.inflight[key] == 0 {
			delete(b.inflight, key)
		}
	}
	if err == nil {
		err = b.journal.add(record{stage: st.index, num: num, id: id, force: opts.Force, path: path}, b.stageList[0].path)
		if err != nil {
			os.Remove(filepath.Join(st.path, strconv.FormatInt(num, 10)))
		}
	}
	if err != nil && !b.Distinct && !seen {
		delete(b.outs, h)
	}
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe) && pe.Op == "open":
		return fmt.Errorf("create temporary file for %s: %w", path, pe.Err)
	case err != nil:
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// stagedAs reports whether the batch has staged, or is staging, the target key (cleaned and
// absolute). It reads the journal, so it is called only when key's hash is in outs: for a
// target named twice, or, once in billions, two targets with one hash. b.mu is held.
func (b *Batch) stagedAs(key string) (bool, error) {
	if b.inflight[key] > 0 {
		return true, nil
	}
	for rec, err := range b.journal.all {
		if err != nil {
			return false, err
		}
		if k, err := b.abs(rec.path); err == nil && k == key {
			return true, nil
		}
	}
	return false, nil
}

// abs is filepath.Abs with the working directory looked up once per batch (filepath.Abs
// looks it up, with two stat calls, every time). b.mu is held.
func (b *Batch) abs(path string) (string, error) {
	if filepath.IsAbs(path) {
		return filepath.Clean(path), nil
	}
	if b.cwd == "" {
		cwd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		b.cwd = cwd
	}
	return filepath.Join(b.cwd, path), nil
}

// stageFor returns the batch's staging directory in dir, making it (and removing stale ones
// there) the first time. b.mu is held.
func (b *Batch) stageFor(dir string) (*stage, error) {
	if st := b.stages[dir]; st != nil {
		return st, nil
	}
	st, err := newStage(dir)
	if err != nil {
		return nil, err
	}
	if b.stages == nil {
		b.stages = map[string]*stage{}
	}
	b.stages[dir] = st
	st.index = len(b.stageList)
	b.stageList = append(b.stageList, st)
	removeStale(dir, filepath.Base(st.name))
	return st, nil
}

// Commit is CommitContext without a context.
func (b *Batch) Commit() error { return b.CommitContext(context.Background()) }

// testHookPlace, when set by a test, is called before the file of index i is moved into place.
var testHookPlace func(i int)

// CommitContext moves every staged file into place, or none: if one cannot be placed, or ctx
// ends first, the files already placed are taken back (see the package documentation), the
// staged files are removed, and the error says which file failed, or is ctx's error. After
// CommitContext returns, nothing of the batch is left but the placed files.
//
// It reads the batch's records back from its journal, one at a time: what it holds does not
// grow with the number of files.
func (b *Batch) CommitContext(ctx context.Context) (err error) {
	defer b.Abort() // the staging directories: unplaced files, replaced files, locks
	if b.journal.n == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if b.SyncOnCommit {
		// The data must be on disk before any name points at it.
		if err := b.syncStaged(); err != nil {
			return err
		}
	}
	var dirs []string
	for _, st := range b.stageList {
		dirs = append(dirs, st.dir)
	}
	unlock, err := lockDirs(ctx, dirs)
	if err != nil {
		return err
	}
	defer unlock()
	// Refuse before moving anything: a roll-back is a moment in which the outputs exist.
	for rec, err := range b.journal.all {
		if err != nil {
			return err
		}
		if rec.force {
			continue
		}
		if _, err := os.Lstat(rec.path); err == nil {
			return &fs.PathError{Op: "write", Path: rec.path, Err: ErrExists}
		}
	}
	i := 0
	for rec, err := range b.journal.all {
		if err == nil {
			if testHookPlace != nil {
				testHookPlace(i)
			}
			err = ctx.Err()
		}
		if err == nil {
			p := b.pending(rec)
			err = place(&p)
			if errors.Is(err, ErrExists) && b.placedEarlier(rec.path, i) {
				// Absent before the batch began (checked above, under the directories'
				// locks): an earlier target of this batch is this file by another name.
				err = &fs.PathError{Op: "write", Path: rec.path, Err: ErrNamedTwice}
			}
		}
		if err != nil {
			if rerr := b.rollBack(i); rerr != nil {
				return errors.Join(err, &RollBackError{Err: rerr})
			}
			return err
		}
		i++
	}
	// One directory sync per directory makes the renames durable; a batch of a thousand
	// signatures beside their files syncs their directory once, not a thousand times.
	for _, dir := range dirs {
		syncDir(dir)
	}
	return nil
}

// placedEarlier reports whether path is the file one of the batch's first n targets was
// placed as. It is asked only when a target found its name taken in the middle of a commit.
func (b *Batch) placedEarlier(path string, n int) bool {
	fi, err := os.Lstat(path)
	if err != nil {
		return false
	}
	j := 0
	for rec, err := range b.journal.all {
		if err != nil || j >= n {
			return false
		}
		j++
		if other, err := os.Lstat(rec.path); err == nil && os.SameFile(fi, other) {
			return true
		}
	}
	return false
}

// pending is the record of a staged file, ready to be moved into place.
func (b *Batch) pending(rec record) pending {
	return pending{path: rec.path, st: b.stageList[rec.stage], num: rec.num, id: rec.id, force: rec.force}
}

// Abort removes every staged file that was not placed, and the staging directories. It is
// safe to call after Commit, and more than once.
func (b *Batch) Abort() {
	b.journal.close()
	for _, st := range b.stages {
		st.remove()
	}
	b.stages, b.stageList, b.outs, b.inflight, b.cwd = nil, nil, nil, nil, ""
}

// scratchPrefix starts the name of a scratch file (Batch.Scratch) in a staging directory.
const scratchPrefix = "scratch-"

// Scratch makes a new empty file in the batch's staging directory in dir (made if need be),
// open for reading and writing: room on the outputs' own disk for what a caller must put
// aside rather than hold in memory, such as a list of names that can be read only once. It
// is removed with the staging directory (at Commit or Abort, or, if the process is killed,
// by the next batch that stages a file in dir); the caller closes it.
func (b *Batch) Scratch(dir string) (*os.File, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	st, err := b.stageFor(dir)
	if err != nil {
		return nil, fmt.Errorf("create a scratch file in %s: %w", dir, err)
	}
	b.scratch++
	f, err := os.OpenFile(filepath.Join(st.path, scratchPrefix+strconv.Itoa(b.scratch)), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create a scratch file in %s: %w", dir, err)
	}
	return f, nil
}

// place moves one staged file into place.
func place(p *pending) error {
	if p.force {
		return replace(p)
	}
	err := moveNoReplace(p.tmp(), p.path)
	if errors.Is(err, fs.ErrExist) {
		return &fs.PathError{Op: "write", Path: p.path, Err: ErrExists}
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", p.path, err)
	}
	return nil
}

// moveNoReplace renames oldpath to newpath unless newpath exists (an error wrapping
// fs.ErrExist then).
func moveNoReplace(oldpath, newpath string) error {
	err := renameNoReplace(oldpath, newpath)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	// No renameat2 here (another OS, an old kernel or a filesystem without it): link, which
	// also fails when the name exists, then drop the old name.
	err = os.Link(oldpath, newpath)
	switch {
	case err == nil:
		os.Remove(oldpath)
		return nil
	case errors.Is(err, fs.ErrExist):
		return err
	}
	// No hard links here: check, then rename.
	if _, err := os.Lstat(newpath); err == nil {
		return fs.ErrExist
	}
	return os.Rename(oldpath, newpath)
}

// replace moves a staged file into place over whatever is there, keeping what was there in
// the staging directory until the commit is over.
func replace(p *pending) error {
	if err := swap(p); !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	old, err := os.Lstat(p.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// Nothing to keep.
	case err != nil:
		return fmt.Errorf("write %s: %w", p.path, err)
	case old.IsDir():
		return &fs.PathError{Op: "write", Path: p.path, Err: errIsDir}
	default:
		if err := keepOld(p); err != nil {
			return err
		}
	}
	if err := os.Rename(p.tmp(), p.path); err != nil {
		if p.aside {
			// The name was left empty by keepOld: put the old file back, unless something
			// else came meanwhile.
			if moveNoReplace(filepath.Join(p.st.path, p.backupName()), p.path) == nil {
				p.backup, p.aside = noBackup, false
			}
		}
		return fmt.Errorf("write %s: %w", p.path, err)
	}
	return nil
}

// swap moves a staged file into place with one renameat2(2) RENAME_EXCHANGE, after which the
// staged name holds the file that was replaced: the commit keeps it at no cost. It returns
// errors.ErrUnsupported where there is no such exchange.
func swap(p *pending) error {
	for range 3 {
		err := exchange(p.tmp(), p.path)
		switch {
		case err == nil:
			if fi, err := os.Lstat(p.tmp()); err == nil && fi.IsDir() {
				// A directory appeared at the target: never take it.
				exchange(p.tmp(), p.path)
				return &fs.PathError{Op: "write", Path: p.path, Err: errIsDir}
			}
			p.backup = backupSwapped
			return nil
		case errors.Is(err, fs.ErrNotExist):
			// Nothing to replace (or keep).
			err := moveNoReplace(p.tmp(), p.path)
			if errors.Is(err, fs.ErrExist) {
				continue // something came meanwhile: replace it too
			}
			if err != nil {
				return fmt.Errorf("write %s: %w", p.path, err)
			}
			return nil
		}
		return errors.ErrUnsupported
	}
	return errors.ErrUnsupported
}

// keepOld keeps the file at p.path in the staging directory, for a roll-back to put back.
func keepOld(p *pending) error {
	bpath := filepath.Join(p.st.path, p.name()+".old")
	err := os.Link(p.path, bpath)
	if err == nil {
		p.backup = backupOld
		return nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil // gone meanwhile: nothing to keep
	}
	// No hard links here: move the old file aside; the name is empty for a moment.
	err = os.Rename(p.path, bpath)
	switch {
	case err == nil:
		p.backup, p.aside = backupOld, true
		return nil
	case errors.Is(err, fs.ErrNotExist):
		return nil
	}
	return fmt.Errorf("write %s: %w", p.path, err)
}

// RollBackError is part of the error of a commit that failed (or whose context ended) and
// could not take back every file it had placed: Err says which, and where a replaced file that
// could not be put back is kept. The error CommitContext returns then joins the reason the
// commit stopped with a *RollBackError; errors.As finds it, so that a caller that reports the
// stop in its own words (a cancelled run) still reports this.
type RollBackError struct{ Err error }

func (e *RollBackError) Error() string { return "roll-back: " + e.Err.Error() }

func (e *RollBackError) Unwrap() error { return e.Err }

// errPutBackForTest, when set by a test, stands for a failure to put a replaced file back.
var errPutBackForTest error

// rollBackBlock is how many records a roll-back reads at once, going back through the
// journal.
const rollBackBlock = 1024

// rollBack takes back the first n files of the journal, which the commit placed, the last
// placed first: each name that still holds the file the batch placed gets back the file it
// replaced, or is removed. Undoing in the reverse order matters when two records name one
// file (through a symbolic link to a directory, which no lexical check sees): the second
// replaced the first, and only its roll-back followed by the first's gives the target its
// own file back. The journal is read forwards, so the records are taken by blocks: the start
// of each block is noted going forwards (8 bytes a thousand files), then each block is read
// and undone from its end. What a commit kept of a replaced file is found in the staging
// directory (backupOf).
func (b *Batch) rollBack(n int) error {
	var errs []error
	type mark struct {
		off int64
		k   int
	}
	var marks []mark
	k := 0
	b.journal.from(0, 0, func(_ record, off int64, err error) bool {
		if k == n {
			return false
		}
		if err != nil {
			errs = append(errs, err)
			return false
		}
		if k%rollBackBlock == 0 {
			marks = append(marks, mark{off, k})
		}
		k++
		return true
	})
	n = k // a record that cannot be read is not undone: the error says so
	block := make([]record, 0, rollBackBlock)
	for m := len(marks) - 1; m >= 0; m-- {
		block = block[:0]
		k := marks[m].k
		b.journal.from(marks[m].off, k, func(rec record, _ int64, err error) bool {
			if err != nil {
				errs = append(errs, err) // read without error before: the file changed
				return false
			}
			if k == n || len(block) == rollBackBlock {
				return false
			}
			block = append(block, rec)
			k++
			return true
		})
		for i := len(block) - 1; i >= 0; i-- {
			if err := b.undo(block[i]); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// undo takes back one file the commit placed (rollBack).
func (b *Batch) undo(rec record) error {
	pv := b.pending(rec)
	p := &pv
	p.backup = p.backupOf()
	cur, err := os.Lstat(p.path)
	if err != nil || !p.id.sameFile(cur) {
		return nil // not ours any more: leave it
	}
	if p.backup != noBackup {
		err := errPutBackForTest
		if err == nil {
			err = os.Rename(filepath.Join(p.st.path, p.backupName()), p.path)
		}
		if err != nil {
			// The old file is only in the staging directory now. It is given a name no
			// clean-up removes (not a staged name, so the directory is never empty) and
			// the error says where it is.
			kept := "kept-" + filepath.Base(p.path) + "-" + p.backupName()
			where := filepath.Join(p.st.path, p.backupName())
			if os.Rename(where, filepath.Join(p.st.path, kept)) == nil {
				where = filepath.Join(p.st.name, kept)
			}
			p.st.keep = true
			return fmt.Errorf("put back %s: %w; the old file is kept at %s", p.path, err, where)
		}
		return nil
	}
	if err := os.Remove(p.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", p.path, err)
	}
	return nil
}

// backupOf finds what a commit kept of the file that p, placed, replaced: under the staged
// name and ".old" (a link, or moved aside), or under the staged name (exchanged), which then
// holds another file than the one staged. Only a forced file replaces one.
func (p *pending) backupOf() backupKind {
	if !p.force {
		return noBackup
	}
	if _, err := os.Lstat(filepath.Join(p.st.path, p.name()+".old")); err == nil {
		return backupOld
	}
	if fi, err := os.Lstat(p.tmp()); err == nil && !p.id.sameFile(fi) {
		return backupSwapped
	}
	return noBackup
}

// syncDir makes the rename durable; errors are ignored because some filesystems refuse to
// sync a directory and the file itself is already on disk.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
