package atomicfile

import (
	"encoding/binary"
	"io"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// fileID is a file's identity: device and inode.
type fileID struct{ dev, ino uint64 }

// sameFile reports whether fi is the file id names.
func (id fileID) sameFile(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && uint64(st.Dev) == id.dev && st.Ino == id.ino
}

// idInline says that a fileID is written into a batch's journal (appendTo, readFileID).
const idInline = true

func (id fileID) appendTo(b []byte) []byte {
	return binary.AppendUvarint(binary.AppendUvarint(b, id.dev), id.ino)
}

func readFileID(r io.ByteReader) (fileID, error) {
	dev, err := binary.ReadUvarint(r)
	if err != nil {
		return fileID{}, err
	}
	ino, err := binary.ReadUvarint(r)
	return fileID{dev: dev, ino: ino}, err
}

// writeStaged creates tmp, which must not exist, with data and the mode perm exactly (whatever
// the umask), synced to disk if sync is set, and returns its identity. On error nothing is
// left at tmp.
//
// It uses plain system calls: four per file (open, fstat, write, close), where os.OpenFile,
// Chmod, Stat and Close take about ten (os.OpenFile registers the file with the network
// poller and resets its flags). Creating files is most of the time of signing many small
// files (issue 15). The file is created with perm, which the umask can only narrow; when it
// did, the mode is set to perm before any byte is written, so a private key's file is never
// wider than perm, even for a moment.
func writeStaged(tmp string, data []byte, perm fs.FileMode, sync bool) (id fileID, err error) {
	var fd int
	for {
		fd, err = unix.Open(tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, uint32(perm.Perm()))
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return id, &fs.PathError{Op: "open", Path: tmp, Err: err}
	}
	defer func() {
		if err != nil {
			unix.Close(fd)
			unix.Unlink(tmp)
		}
	}()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return id, os.NewSyscallError("fstat", err)
	}
	if fs.FileMode(st.Mode&0o777) != perm.Perm() {
		if err := unix.Fchmod(fd, uint32(perm.Perm())); err != nil {
			return id, os.NewSyscallError("fchmod", err)
		}
	}
	for b := data; len(b) > 0; {
		n, err := unix.Write(fd, b)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return id, os.NewSyscallError("write", err)
		}
		b = b[n:]
	}
	if sync {
		if err := unix.Fsync(fd); err != nil {
			return id, os.NewSyscallError("fsync", err)
		}
	}
	if err := unix.Close(fd); err != nil {
		fd = -1 // closed, whatever the error says
		unix.Unlink(tmp)
		return id, os.NewSyscallError("close", err)
	}
	return fileID{dev: uint64(st.Dev), ino: st.Ino}, nil
}
