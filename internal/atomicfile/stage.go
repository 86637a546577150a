package atomicfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
)

// stage is a Batch's staging directory in one target directory.
type stage struct {
	dir  string   // the target directory, as named
	path string   // the staging directory
	lock *os.File // its lock file, locked; nil where flock(2) does not work
	next atomic.Int64
	keep bool // a roll-back could not put a replaced file back: it is only here now
}

// errLocked is tryLock's answer when another open file holds the lock.
var errLocked = errors.New("locked")

// newStage makes a staging directory in dir and takes its lock.
//
// A process removing stale staging directories (removeStale) may open the lock file between
// its creation and the lock being taken, and take it first: it then removes the directory.
// So the lock is tried without waiting, and once held, the lock file must still be the one
// at its name; otherwise another name is tried.
func newStage(dir string) (*stage, error) {
	for range 10 {
		var rnd [8]byte
		rand.Read(rnd[:])
		path := filepath.Join(dir, stagePrefix+hex.EncodeToString(rnd[:]))
		if err := os.Mkdir(path, 0o700); err != nil {
			if errors.Is(err, fs.ErrExist) {
				continue
			}
			return nil, err
		}
		lockPath := filepath.Join(path, "lock")
		lock, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			os.Remove(path) // empty: removed; otherwise someone else's now
			if errors.Is(err, fs.ErrNotExist) {
				continue // a stale-directory removal took the empty directory
			}
			return nil, err
		}
		switch err := tryLock(lock); {
		case errors.Is(err, errLocked):
			lock.Close() // the removal has it and removes the directory
			continue
		case err != nil:
			// No locks on this filesystem: the directory works, but nothing can tell it from
			// a stale one, so nothing ever removes it but this process.
			lock.Close()
			return &stage{dir: dir, path: path}, nil
		}
		held, err := lock.Stat()
		if cur, serr := os.Lstat(lockPath); err != nil || serr != nil || !os.SameFile(held, cur) {
			lock.Close()
			continue
		}
		return &stage{dir: dir, path: path, lock: lock}, nil
	}
	return nil, &fs.PathError{Op: "stage", Path: dir, Err: errNoStage}
}

// errNoStage is why no staging directory could be made (every name taken); it comes inside an
// *fs.PathError, which callers report as an unwritable place.
var errNoStage = errors.New("no staging directory could be made")

// remove removes the staging directory and releases its lock. It unlinks the names a Batch
// makes there and never removes a directory's content: if a target that was a directory
// ended up here, it stays, and so does the staging directory.
func (st *stage) remove() {
	if !st.keep {
		if d, err := os.Open(st.path); err == nil {
			names, _ := d.Readdirnames(-1)
			d.Close()
			for _, n := range names {
				if isStagedName(n) {
					syscall.Unlink(filepath.Join(st.path, n))
				}
			}
		}
		syscall.Unlink(filepath.Join(st.path, "lock"))
		syscall.Rmdir(st.path)
	}
	if st.lock != nil {
		st.lock.Close()
	}
}

// removeStale removes the staging directories in dir, other than own, that no live process
// holds: those whose lock this process can take.
func removeStale(dir, own string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	for _, name := range names {
		if name != own && isStageName(name) {
			removeStaleStage(dir, name)
		}
	}
}
