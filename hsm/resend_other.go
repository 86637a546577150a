//go:build cgo && !linux

package hsm

import "os"

// resend sends s, a signal held while the token was written, again to the process.
func resend(s os.Signal) {
	if p, err := os.FindProcess(os.Getpid()); err == nil {
		p.Signal(s)
	}
}
