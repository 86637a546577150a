//go:build !linux

package digest

import (
	"context"
	"hash"
	"os"
)

// hashPath hashes the file called name into h through buf.
func hashPath(ctx context.Context, h hash.Hash, name string, buf []byte, count func(int)) (int64, *FileError) {
	f, err := os.Open(name)
	if err != nil {
		return 0, NewFileError(name, "open", err)
	}
	defer f.Close()
	n, err := hashInto(ctx, h, f, buf, count)
	if err != nil {
		return n, NewFileError(name, "read", err)
	}
	return n, nil
}
