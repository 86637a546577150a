//go:build !linux

package secret

import "golang.org/x/term"

// readNoEcho reads one line from the terminal fd without echo.
func readNoEcho(fd int) ([]byte, error) { return term.ReadPassword(fd) }
