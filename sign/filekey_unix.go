//go:build unix

package sign

import (
	"io/fs"
	"syscall"
)

// fileKey is a file's identity: device and inode.
type fileKey struct{ dev, ino uint64 }

// fileKeyOf is fi's identity, as os.SameFile compares it.
func fileKeyOf(fi fs.FileInfo) (fileKey, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileKey{}, false
	}
	return fileKey{dev: uint64(st.Dev), ino: uint64(st.Ino)}, true
}
