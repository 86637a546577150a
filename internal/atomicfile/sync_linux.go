package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// syncStaged makes the staged files' data durable with one syncfs(2) per staging directory,
// which flushes the filesystem that holds it.
func (b *Batch) syncStaged() error {
	for _, st := range b.stageList {
		d, err := os.Open(st.path)
		if err != nil {
			return fmt.Errorf("sync %s: %w", st.dir, err)
		}
		err = unix.Syncfs(int(d.Fd()))
		d.Close()
		if err != nil {
			return fmt.Errorf("sync %s: %w", st.dir, err)
		}
	}
	return nil
}

// renameNoReplace moves oldpath to newpath unless newpath exists (fs.ErrExist then). Any
// other failure, such as a filesystem without RENAME_NOREPLACE, lets the caller fall back.
func renameNoReplace(oldpath, newpath string) error {
	err := unix.Renameat2(unix.AT_FDCWD, oldpath, unix.AT_FDCWD, newpath, unix.RENAME_NOREPLACE)
	if err == unix.EEXIST {
		return fs.ErrExist
	}
	return err
}

// exchange swaps the files at a and b in one step (renameat2(2) with RENAME_EXCHANGE):
// fs.ErrNotExist when either is missing, errors.ErrUnsupported when the filesystem cannot.
func exchange(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	switch err {
	case nil:
		return nil
	case unix.ENOENT:
		return fs.ErrNotExist
	}
	return errors.ErrUnsupported
}
