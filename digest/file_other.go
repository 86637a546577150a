//go:build !linux

package digest

import (
	"context"
	"hash"
	"os"

	"github.com/signet-pki/signet/internal/readlimit"
)

// hashPath hashes the file called name into h through buf. With regular set, a special file
// is refused (an error matching readlimit.ErrNotFile) from its type before it is opened, so
// that a named pipe with no writer does not block the open; a directory is left to the read.
func hashPath(ctx context.Context, h hash.Hash, name string, bufs *buffers, count func(int), regular bool) (int64, *FileError) {
	return hashOpen(ctx, h, nil, name, bufs, count, regular)
}

// hashInRoot is hashPath for a name opened through root (os.Root, HashOptions.Root), always
// as with regular set; the type is checked again on the open file.
func hashInRoot(ctx context.Context, h hash.Hash, root *os.Root, name string, bufs *buffers, count func(int)) (int64, *FileError) {
	return hashOpen(ctx, h, root, name, bufs, count, true)
}

func hashOpen(ctx context.Context, h hash.Hash, root *os.Root, name string, bufs *buffers, count func(int), regular bool) (int64, *FileError) {
	stat, open := os.Stat, os.Open
	if root != nil {
		stat, open = root.Stat, root.Open
	}
	if regular {
		if fi, err := stat(name); err == nil && !fi.IsDir() {
			if err := readlimit.NotRegular(fi.Mode()); err != nil {
				return 0, &FileError{Name: name, Op: "open", Err: err}
			}
		}
	}
	f, err := open(name)
	if err != nil {
		return 0, NewFileError(name, "open", err)
	}
	defer f.Close()
	if root != nil {
		if fi, err := f.Stat(); err == nil && !fi.IsDir() {
			if err := readlimit.NotRegular(fi.Mode()); err != nil {
				return 0, &FileError{Name: name, Op: "open", Err: err}
			}
		}
	}
	n, err := hashInto(ctx, h, f, bufs.first(), count)
	if err != nil {
		return n, NewFileError(name, "read", err)
	}
	return n, nil
}
