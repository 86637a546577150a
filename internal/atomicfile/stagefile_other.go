//go:build !linux

package atomicfile

import (
	"io"
	"io/fs"
	"os"
)

// fileID is a file's identity, as os.SameFile compares it.
type fileID struct{ fi fs.FileInfo }

// sameFile reports whether fi is the file id names.
func (id fileID) sameFile(fi fs.FileInfo) bool { return id.fi != nil && os.SameFile(id.fi, fi) }

// idInline is false: a fileID is kept in memory by the journal (one per staged file here,
// where Linux keeps none).
const idInline = false

func (id fileID) appendTo(b []byte) []byte { return b }

func readFileID(io.ByteReader) (fileID, error) { return fileID{}, nil }

// writeStaged creates tmp, which must not exist, with data and the mode perm exactly (whatever
// the umask), synced to disk if sync is set, and returns its identity. On error nothing is
// left at tmp. The file is created 0600 and set to perm before any byte is written, so a
// private key's file is never wider than perm, even for a moment.
func writeStaged(tmp string, data []byte, perm fs.FileMode, sync bool) (id fileID, err error) {
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return id, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(perm); err != nil {
		return id, err
	}
	if _, err := f.Write(data); err != nil {
		return id, err
	}
	if sync {
		if err := f.Sync(); err != nil {
			return id, err
		}
	}
	fi, err := f.Stat()
	if err != nil {
		return id, err
	}
	if err := f.Close(); err != nil {
		return id, err
	}
	return fileID{fi: fi}, nil
}
