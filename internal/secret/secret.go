// Package secret obtains passphrases and PINs without ever taking them from the command line.
//
// The order is fixed and non-interactive first: a file named by the caller (for example
// --passphrase-file), then an environment variable (SIGNET_PASSPHRASE, SIGNET_PIN), then a
// prompt without echo on the controlling terminal (/dev/tty), only when there is one. A secret is
// never retried, logged, or put into an error message. A file is read by ReadFile: a regular
// file or a pipe, never a device, and never waiting for a pipe's writer. A prompt ended with
// Ctrl-C returns ErrInterrupted, with the terminal's settings (echo) restored.
package secret

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/term"
)

// ErrNoSource is returned when no file or environment variable is set and there is no terminal
// to prompt on.
var ErrNoSource = errors.New("no source for the secret")

// ErrMismatch is returned when the two entries of a confirmed prompt differ.
var ErrMismatch = errors.New("the two entries do not match")

// ErrEmpty is returned when a secret is empty.
var ErrEmpty = errors.New("empty secret")

// ErrTerminal is returned when the terminal was there but could not be read from or written
// to (the prompt was closed with end-of-file, the terminal went away).
var ErrTerminal = errors.New("cannot read the secret from the terminal")

// ttyPath is the terminal prompts are written to and read from: the controlling terminal
// (tests point it at a pseudo-terminal).
var ttyPath = "/dev/tty"

// Source says where a secret may come from. The zero value allows only the terminal.
type Source struct {
	// File is a path whose first line is the secret (a trailing newline is removed).
	File string
	// Env is the name of an environment variable holding the secret.
	Env string
	// What names the secret in prompts and errors, for example "passphrase" or "PIN".
	What string
	// Confirm asks twice on the terminal, for secrets that protect something new.
	Confirm bool
	// NoTerminal forbids the prompt (for tests and --batch style runs).
	NoTerminal bool
	// LookupEnv reads the environment, as os.LookupEnv does (which nil means): the caller's
	// environment is injected, as it is everywhere else in signet, so that what a run reads
	// is what its caller gave it. A variable that is set but empty is an error (ErrEmpty).
	LookupEnv func(string) (string, bool)
}

func (s Source) what() string {
	if s.What == "" {
		return "passphrase"
	}
	return s.What
}

// Read returns the secret. The caller should clear the returned slice (with the built-in
// clear) when done: it is best effort, as Go may have copied the bytes elsewhere.
func (s Source) Read(prompt string) ([]byte, error) {
	if s.File != "" {
		b, err := ReadFile(s.File)
		if err != nil {
			return nil, err
		}
		if len(b) == 0 {
			return nil, fmt.Errorf("%s file %s: %w", s.what(), s.File, ErrEmpty)
		}
		return b, nil
	}
	if s.Env != "" {
		lookup := s.LookupEnv
		if lookup == nil {
			lookup = os.LookupEnv
		}
		if v, ok := lookup(s.Env); ok {
			if v == "" {
				return nil, fmt.Errorf("environment variable %s: %w", s.Env, ErrEmpty)
			}
			return []byte(v), nil
		}
	}
	if s.NoTerminal {
		return nil, fmt.Errorf("%s: %w", s.what(), ErrNoSource)
	}
	tty, err := os.OpenFile(ttyPath, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.what(), ErrNoSource)
	}
	defer tty.Close()
	if !term.IsTerminal(int(tty.Fd())) {
		return nil, fmt.Errorf("%s: %w", s.what(), ErrNoSource)
	}
	if prompt == "" {
		prompt = "Enter " + s.what()
	}
	first, err := readTTY(tty, prompt+": ")
	if err != nil {
		return nil, err
	}
	if len(first) == 0 {
		return nil, fmt.Errorf("%s: %w", s.what(), ErrEmpty)
	}
	if !s.Confirm {
		return first, nil
	}
	second, err := readTTY(tty, "Confirm "+s.what()+": ")
	if err != nil {
		clear(first)
		return nil, err
	}
	defer clear(second)
	if !bytes.Equal(first, second) {
		clear(first)
		return nil, fmt.Errorf("%s: %w", s.what(), ErrMismatch)
	}
	return first, nil
}

func readTTY(tty *os.File, prompt string) ([]byte, error) {
	b, err := readNoEcho(int(tty.Fd()), func() error {
		_, err := io.WriteString(tty, prompt)
		return err
	})
	io.WriteString(tty, "\n")
	switch {
	case errors.Is(err, ErrInterrupted):
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrTerminal, err)
	}
	return b, nil
}

// MaxLine is the longest secret ReadFile reads: the first line of a file, without its line
// ending, may be up to this many bytes.
const MaxLine = 64 << 10

// ReadFile reads a secret from the first line of a file. The line ending (\n or \r\n) is
// dropped; the rest of the line is kept as it is, spaces included. Errors are *fs.PathError
// naming the file, never its content.
//
// Regular files and pipes are read (a named pipe, or /dev/fd/N from a shell's <(...)); a pipe
// is opened without waiting for a writer, and one that has none reads as empty. A directory,
// a device (/dev/zero, a terminal) or a socket is refused without being opened, and a first
// line longer than MaxLine is refused rather than cut short.
func ReadFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		if pe, ok := errors.AsType[*fs.PathError](err); ok {
			pe.Op = "open" // this stat stands for the open: "open pin: no such file or directory"
		}
		return nil, err
	}
	if err := readable(path, fi.Mode()); err != nil {
		return nil, err // a device is not even opened: opening one can have effects
	}
	// O_NONBLOCK: opening a named pipe for reading otherwise waits for a writer. Reads of
	// regular files ignore it; a pipe's reads go through Go's poller, which waits for data.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := readable(path, fi.Mode()); err != nil {
		return nil, err // what was opened, which may not be what was stated
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxLine+2)) // the longest line, \r\n
	if err != nil {
		clear(b)
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, pe
		}
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		i = len(b)
	}
	line := bytes.TrimSuffix(b[:i], []byte("\r"))
	if len(line) > MaxLine { // also when the read stopped inside the line
		clear(b)
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("the first line is longer than %d KiB, too long for a passphrase or PIN", MaxLine>>10)}
	}
	clear(b[len(line):])
	return line, nil
}

// readable accepts the modes ReadFile reads: regular files and pipes.
func readable(path string, m fs.FileMode) error {
	what := ""
	switch {
	case m.IsRegular(), m&fs.ModeNamedPipe != 0:
		return nil
	case m.IsDir():
		what = "directory"
	case m&fs.ModeCharDevice != 0:
		what = "character device"
	case m&fs.ModeDevice != 0:
		what = "block device"
	case m&fs.ModeSocket != 0:
		what = "socket"
	default:
		what = "special file"
	}
	return &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("is a %s, not a file", what)}
}

// ErrInterrupted is returned when the user ends a prompt with Ctrl-C (or Ctrl-\). It also
// matches context.Canceled: the run was interrupted.
var ErrInterrupted error = interruptedError{}

type interruptedError struct{}

func (interruptedError) Error() string { return "interrupted at the prompt" }
func (interruptedError) Is(target error) bool {
	return target == context.Canceled
}
