//go:build !linux

package secret

import "golang.org/x/term"

// readNoEcho writes the prompt and reads one line from the terminal fd without echo.
func readNoEcho(fd int, prompt func() error) ([]byte, error) {
	if err := prompt(); err != nil {
		return nil, err
	}
	return term.ReadPassword(fd)
}
