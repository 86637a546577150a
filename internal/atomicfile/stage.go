package atomicfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
)

// stage is a Batch's staging directory in one target directory.
//
// Everything a Batch does inside it goes through path, which on Linux is the directory's
// open descriptor seen through /proc/self/fd: anyone who can write to the target directory
// could rename the staging directory and put a symbolic link in its place, and a path by name
// would then follow it (files created, moved in or unlinked elsewhere). The descriptor is the
// directory the Batch made, whatever its name points to now.
type stage struct {
	dir   string   // the target directory, as named
	name  string   // the staging directory, by name
	path  string   // the staging directory as the Batch reaches it: through dirFD, or name
	dirFD *os.File // the staging directory, open; nil where it could not be pinned
	lock  *os.File // its lock file, locked; nil where flock(2) does not work
	next  atomic.Int64
	index int  // in Batch.stageList
	keep  bool // a roll-back could not put a replaced file back: it is only here now
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
			return pinStage(&stage{dir: dir, name: path, path: path}), nil
		}
		held, err := lock.Stat()
		if cur, serr := os.Lstat(lockPath); err != nil || serr != nil || !os.SameFile(held, cur) {
			lock.Close()
			continue
		}
		return pinStage(&stage{dir: dir, name: path, path: path, lock: lock}), nil
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
		unlinkStaged(func() (*os.File, error) { return os.Open(st.path) }, func(n string) error {
			return syscall.Unlink(filepath.Join(st.path, n))
		})
		syscall.Unlink(filepath.Join(st.path, "lock"))
		// By name, only while the name is still the directory made (rmdir refuses a
		// symbolic link, and an empty directory someone else put there is theirs).
		if st.dirFD == nil || st.isStill() {
			syscall.Rmdir(st.name)
		}
	}
	if st.lock != nil {
		st.lock.Close()
	}
	if st.dirFD != nil {
		st.dirFD.Close()
	}
}

// unlinkStaged unlinks the names a Batch makes (isStagedName) in a staging directory, reading
// its names a thousand at a time: after a commit with Force it holds every file replaced, a
// million after a million signatures, whose names are not read into memory at once (issue
// 15). A directory read while names are unlinked may pass over some, so it is read again
// until a reading unlinks nothing.
func unlinkStaged(open func() (*os.File, error), unlink func(name string) error) {
	for range 100 {
		d, err := open()
		if err != nil {
			return
		}
		removed := false
		for {
			names, err := d.Readdirnames(1024)
			for _, n := range names {
				if isStagedName(n) && unlink(n) == nil {
					removed = true
				}
			}
			if err != nil || len(names) == 0 {
				break
			}
		}
		d.Close()
		if !removed {
			return
		}
	}
}

// pinStage opens the staging directory just made (without following a symbolic link), checks
// it is the one at its name, and makes path reach it through the descriptor where
// /proc/self/fd does. Where it cannot, the stage works by name as before.
func pinStage(st *stage) *stage {
	fd, err := openDirNoFollow(st.name)
	if err != nil {
		return st
	}
	st.dirFD = fd
	if !st.isStill() {
		return st
	}
	via := fmt.Sprintf("/proc/self/fd/%d", fd.Fd())
	if fi, err := os.Stat(via); err == nil {
		if held, err := fd.Stat(); err == nil && os.SameFile(fi, held) {
			st.path = via
		}
	}
	return st
}

// isStill reports whether the staging directory's name still names the directory made.
func (st *stage) isStill() bool {
	held, err := st.dirFD.Stat()
	cur, lerr := os.Lstat(st.name)
	return err == nil && lerr == nil && os.SameFile(held, cur)
}

// testHookStale, when set by a test, is called before removeStale looks at a staging
// directory's lock.
var testHookStale func(name string)

// removeStale removes the staging directories in dir, other than own, that no live process
// holds: those whose lock this process can take. It reads dir's names a thousand at a time:
// dir is where the outputs go, with a million signatures beside a million files (issue 15),
// whose names are not read into memory at once.
func removeStale(dir, own string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	defer d.Close()
	for {
		names, err := d.Readdirnames(1024)
		for _, name := range names {
			if name != own && isStageName(name) {
				if testHookStale != nil {
					testHookStale(name)
				}
				removeStaleStage(dir, name)
			}
		}
		if err != nil || len(names) == 0 {
			return
		}
	}
}
