// Package readlimit reads the files signet parses whole in memory (certificates, CRLs,
// signatures, checksum lists) with a size cap, and without waiting forever on special files.
//
// A reader given a hostile path must neither grow without bound (/dev/zero, a huge file) nor
// block for ever (a named pipe that nobody writes to: opening one for reading waits for a
// writer). ReadFile refuses devices, sockets and directories before opening them, opens a
// named pipe without waiting for a writer, and stops at the cap. CheckRegular is for files
// that are streamed by name elsewhere (artifacts hashed by digest.HashFiles) and must be
// regular files.
//
// # Limitations
//
// The type of a path is checked when it is opened (ReadFile) or stated (CheckRegular): a
// path swapped for another kind of file afterwards is seen as what it became. A writer that
// opens a pipe and never writes still holds its reader, as with any pipe.
package readlimit

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

var (
	// ErrTooLarge matches the error for content longer than the cap.
	ErrTooLarge = errors.New("readlimit: too large")
	// ErrNotFile matches the error for a path that is a directory, a device, a socket, or
	// (for CheckRegular) a named pipe.
	ErrNotFile = errors.New("readlimit: not a file")
)

// limitError is a refusal. Its text starts with "is" and has no path, so that callers put the
// path in front in their own words ("certs.pem is larger than 64 MiB").
type limitError struct {
	msg  string
	kind error
}

func (e *limitError) Error() string        { return e.msg }
func (e *limitError) Is(target error) bool { return target == e.kind }

// TooLarge returns the error ReadFile gives for content over limit bytes, for readers that
// enforce the same cap on a stream.
func TooLarge(limit int64) error {
	return &limitError{msg: "is larger than " + Size(limit), kind: ErrTooLarge}
}

// Size writes a cap for messages: "64 MiB", "64 KiB", "100 bytes".
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// kind names a file mode for messages: "a named pipe", "a character device".
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}

// notFile is the refusal of a path of mode m where what is wanted is a "file" or a "regular
// file".
func notFile(m fs.FileMode, what string) error {
	if m.IsDir() {
		what = "file" // "is a directory, not a file", as signet has always said
	}
	return &limitError{msg: fmt.Sprintf("is %s, not a %s", kind(m), what), kind: ErrNotFile}
}

// CheckRegular returns nil if name is a regular file (after symbolic links), the *fs.PathError
// of os.Stat if it cannot be stated, or an error matching ErrNotFile ("is a named pipe, not a
// regular file") for anything else.
func CheckRegular(name string) error {
	fi, err := os.Stat(name)
	if err != nil {
		return err
	}
	return NotRegular(fi.Mode())
}

// NotRegular is CheckRegular for a mode already known: nil for a regular file, else an error
// matching ErrNotFile that says what the file is.
func NotRegular(m fs.FileMode) error {
	if m.IsRegular() {
		return nil
	}
	return notFile(m, "regular file")
}

// ReadFile reads the file called name whole, refusing more than limit bytes. Regular files are
// read (one larger than limit is refused from its size, unread); so are pipes (a named pipe,
// or /dev/fd/N from a shell's process substitution), opened without waiting for a writer: a
// pipe that has none reads as empty. A directory, a device or a socket is refused without
// being opened.
//
// Errors: the *fs.PathError of open, stat or read; an error matching ErrNotFile ("is a
// character device, not a file"); an error matching ErrTooLarge ("is larger than 64 MiB").
// The last two carry no path: the caller names the file.
func ReadFile(name string, limit int64) ([]byte, error) {
	fi, err := os.Stat(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			pe.Op = "open" // this stat stands for the open: "open x.pem: no such file or directory"
		}
		return nil, err
	}
	if err := readable(fi.Mode()); err != nil {
		return nil, err // a device is not even opened: opening one can have effects
	}
	// O_NONBLOCK: opening a named pipe for reading otherwise waits for a writer. Reads of
	// regular files ignore it; a pipe's reads go through Go's poller, which waits for data.
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err = f.Stat() // what was opened, which may not be what was stated
	if err != nil {
		return nil, err
	}
	if err := readable(fi.Mode()); err != nil {
		return nil, err
	}
	if fi.Mode().IsRegular() && fi.Size() > limit {
		return nil, TooLarge(limit)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, TooLarge(limit)
	}
	return data, nil
}

// readable accepts the modes ReadFile reads: regular files and pipes.
func readable(m fs.FileMode) error {
	if m.IsRegular() || m&fs.ModeNamedPipe != 0 {
		return nil
	}
	return notFile(m, "file")
}
