package digest

import (
	"context"
	"hash"
	"syscall"
)

// hashPath hashes the file called name into h through buf. On Linux it opens and reads with
// plain system calls: os.Open also tries to register a regular file with the network poller
// and then resets its flags (five more system calls per file, measurable when hashing
// thousands of small files), and allocates an *os.File with a cleanup.
func hashPath(ctx context.Context, h hash.Hash, name string, buf []byte, count func(int)) (int64, *FileError) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return 0, &FileError{Name: name, Op: "open", Err: err}
	}
	defer syscall.Close(fd)
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
