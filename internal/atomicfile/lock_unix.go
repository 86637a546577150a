//go:build unix

package atomicfile

import (
	"cmp"
	"context"
	"errors"
	"os"
	"slices"
	"time"

	"golang.org/x/sys/unix"
)

// tryLock takes an exclusive flock(2) on f without waiting: errLocked when another open file
// holds it, another error when the filesystem has no such locks.
func tryLock(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		switch err {
		case nil:
			return nil
		case unix.EINTR:
			continue
		case unix.EWOULDBLOCK:
			return errLocked
		}
		return err
	}
}

// removeStaleStage removes the staging directory dir/name if its lock can be taken, which
// proves that the process that made it is gone. It works on descriptors, never following a
// symbolic link, and removes only the names a Batch creates there; errors leave things as
// they are.
func removeStaleStage(dir, name string) {
	parent, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	defer unix.Close(parent)
	sfd, err := unix.Openat(parent, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	sdir := os.NewFile(uintptr(sfd), name)
	defer sdir.Close()
	lfd, err := unix.Openat(sfd, "lock", unix.O_RDWR|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err == unix.ENOENT {
		// Its maker died before it made the lock, or is about to make it (it then tries
		// another name): removed only if empty.
		unix.Unlinkat(parent, name, unix.AT_REMOVEDIR)
		return
	}
	if err != nil {
		return
	}
	lock := os.NewFile(uintptr(lfd), "lock")
	defer lock.Close()
	if tryLock(lock) != nil {
		return // alive, or no locks here: not provably stale
	}
	var held, cur unix.Stat_t
	if unix.Fstat(lfd, &held) != nil || unix.Fstatat(sfd, "lock", &cur, unix.AT_SYMLINK_NOFOLLOW) != nil ||
		held.Dev != cur.Dev || held.Ino != cur.Ino {
		return
	}
	unlinkStaged(func() (*os.File, error) {
		// A descriptor of its own for each reading, from the start.
		fd, err := unix.Openat(sfd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return nil, err
		}
		return os.NewFile(uintptr(fd), name), nil
	}, func(n string) error { return unix.Unlinkat(sfd, n, 0) })
	unix.Unlinkat(sfd, "lock", 0)
	unix.Unlinkat(parent, name, unix.AT_REMOVEDIR)
}

// lockDirs takes an exclusive flock(2) on each directory, in the order of their device and
// inode numbers so that two processes locking the same directories under other names cannot
// deadlock, waiting for each until ctx ends. A directory that cannot be opened or locked
// (no read permission, no locks on its filesystem) is not locked. unlock releases them all.
func lockDirs(ctx context.Context, dirs []string) (unlock func(), err error) {
	type held struct {
		f        *os.File
		dev, ino uint64
	}
	var locks []held
	unlock = func() {
		for _, l := range locks {
			l.f.Close()
		}
	}
	for _, dir := range dirs {
		f, err := os.Open(dir)
		if err != nil {
			continue
		}
		var st unix.Stat_t
		if unix.Fstat(int(f.Fd()), &st) != nil {
			f.Close()
			continue
		}
		dev, ino := uint64(st.Dev), uint64(st.Ino)
		if slices.ContainsFunc(locks, func(l held) bool { return l.dev == dev && l.ino == ino }) {
			f.Close()
			continue
		}
		locks = append(locks, held{f, dev, ino})
	}
	slices.SortFunc(locks, func(a, b held) int {
		return cmp.Or(cmp.Compare(a.dev, b.dev), cmp.Compare(a.ino, b.ino))
	})
	for _, l := range locks {
		wait := time.Millisecond
		for {
			err := tryLock(l.f)
			if !errors.Is(err, errLocked) {
				break // locked, or no locks here
			}
			// Another process is committing into this directory: its moves take
			// milliseconds.
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				unlock()
				return nil, ctx.Err()
			case <-t.C:
			}
			wait = min(2*wait, 50*time.Millisecond)
		}
	}
	return unlock, nil
}

// openDirNoFollow opens a directory without following a symbolic link at its name.
func openDirNoFollow(path string) (*os.File, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), path), nil
}
