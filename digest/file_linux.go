package digest

import (
	"context"
	"hash"
	"io/fs"
	"syscall"

	"github.com/signet-pki/signet/internal/readlimit"
)

// hashPath hashes the file called name into h through buf. On Linux it opens and reads with
// plain system calls: os.Open also tries to register a regular file with the network poller
// and then resets its flags (five more system calls per file, measurable when hashing
// thousands of small files), and allocates an *os.File with a cleanup.
//
// With regular set, a special file is refused (an error matching readlimit.ErrNotFile): the
// file is opened without waiting (O_NONBLOCK, so a named pipe with no writer does not block
// the open) and its type is taken from the open descriptor (fstat), so that what is read is
// what was checked. O_NONBLOCK changes nothing for a regular file. A directory is left to the
// read, which fails with "is a directory".
func hashPath(ctx context.Context, h hash.Hash, name string, buf []byte, count func(int), regular bool) (int64, *FileError) {
	flags := syscall.O_RDONLY | syscall.O_CLOEXEC
	if regular {
		flags |= syscall.O_NONBLOCK
	}
	var fd int
	var err error
	for {
		fd, err = syscall.Open(name, flags, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return 0, &FileError{Name: name, Op: "open", Err: err}
	}
	defer syscall.Close(fd)
	if regular {
		var st syscall.Stat_t
		if err := syscall.Fstat(fd, &st); err != nil {
			return 0, &FileError{Name: name, Op: "open", Err: err}
		}
		if m := specialMode(st.Mode); m != 0 {
			return 0, &FileError{Name: name, Op: "open", Err: readlimit.NotRegular(m)}
		}
	}
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return total, &FileError{Name: name, Op: "read", Err: err}
		}
		n, err := syscall.Read(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return total, &FileError{Name: name, Op: "read", Err: err}
		}
		if n == 0 {
			return total, nil
		}
		h.Write(buf[:n])
		total += int64(n)
		if count != nil {
			count(n)
		}
	}
}

// specialMode is the fs.FileMode of a stat(2) mode that is neither a regular file nor a
// directory, and 0 for those two.
func specialMode(m uint32) fs.FileMode {
	switch m & syscall.S_IFMT {
	case syscall.S_IFIFO:
		return fs.ModeNamedPipe
	case syscall.S_IFCHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFBLK:
		return fs.ModeDevice
	case syscall.S_IFSOCK:
		return fs.ModeSocket
	case syscall.S_IFREG, syscall.S_IFDIR:
		return 0
	}
	return fs.ModeIrregular
}
