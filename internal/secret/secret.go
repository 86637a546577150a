// Package secret obtains passphrases and PINs without ever taking them from the command line.
//
// The order is fixed and non-interactive first: a file named by the caller (for example
// --passphrase-file), then an environment variable (SIGNET_PASSPHRASE, SIGNET_PIN), then a
// prompt without echo on the controlling terminal (/dev/tty), only when there is one. A secret is
// never retried, logged, or put into an error message.
package secret

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

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
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
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
	if _, err := io.WriteString(tty, prompt); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTerminal, err)
	}
	b, err := term.ReadPassword(int(tty.Fd()))
	io.WriteString(tty, "\n")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTerminal, err)
	}
	return b, nil
}

// ReadFile reads a secret from the first line of a file. The line ending (\n or \r\n) is
// dropped; the rest of the line is kept as it is, spaces included. Errors are *fs.PathError
// naming the file, never its content.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, &fs.PathError{Op: "read", Path: path, Err: errors.New("is a directory")}
	}
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, pe
		}
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		rest := b[i:]
		b = b[:i]
		clear(rest)
	}
	b = bytes.TrimSuffix(b, []byte("\r"))
	return b, nil
}
