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
	if regular {
		if fi, err := os.Stat(name); err == nil && !fi.IsDir() {
			if err := readlimit.NotRegular(fi.Mode()); err != nil {
				return 0, &FileError{Name: name, Op: "open", Err: err}
			}
		}
	}
	f, err := os.Open(name)
	if err != nil {
		return 0, NewFileError(name, "open", err)
	}
	defer f.Close()
	n, err := hashInto(ctx, h, f, bufs.first(), count)
	if err != nil {
		return n, NewFileError(name, "read", err)
	}
	return n, nil
}
