//go:build cgo

package hsm

import (
	"os"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// resend sends s, a signal held while the token was written, again to this thread (tgkill),
// which takes it before the call returns: with no catcher its default action ends the process
// here, before the caller goes on. Sent to the process, the kernel may hand it to another
// thread while this goroutine runs on past the writes it was held for. A catcher elsewhere in
// the process (sign's roll-back) still gets it.
func resend(s os.Signal) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	unix.Tgkill(unix.Getpid(), unix.Gettid(), s.(syscall.Signal))
}
