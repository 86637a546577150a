package atomicfile

import (
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// syncStaged makes the staged files' data durable with one syncfs(2) per staging directory,
// which flushes the filesystem that holds it.
func syncStaged(files []*pending) error {
	done := map[*stage]bool{}
	for _, p := range files {
		if done[p.st] {
			continue
		}
		done[p.st] = true
		d, err := os.Open(p.st.path)
		if err != nil {
			return fmt.Errorf("sync %s: %w", p.st.dir, err)
		}
		err = unix.Syncfs(int(d.Fd()))
		d.Close()
		if err != nil {
			return fmt.Errorf("sync %s: %w", p.st.dir, err)
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
