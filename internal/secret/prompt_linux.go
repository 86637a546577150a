package secret

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// readNoEcho reads one line from the terminal fd without echo. The terminal is put in
// non-canonical mode without signals (ISIG), so that Ctrl-C and Ctrl-\ reach the prompt as keys
// rather than as signals that would end the process with the terminal still silent (as
// term.ReadPassword leaves it: Go issue 31180); they end the prompt with ErrInterrupted. The
// line is edited here as the terminal would: the erase key (Backspace) removes one UTF-8
// character, the kill key (Ctrl-U) the whole line, and the end-of-file key (Ctrl-D) on an
// empty line is io.EOF. The settings are restored on every return. prompt writes the prompt,
// once the terminal no longer echoes: what the user types after seeing it is never shown,
// nor edited by the terminal's own line discipline. A SIGINT, SIGTERM or SIGHUP sent while it
// waits (by kill, a timeout, a terminal closing) still ends the process at once, by that
// signal, but with the settings restored first (restoreOnSignal).
func readNoEcho(fd int, prompt func() error) ([]byte, error) {
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, err
	}
	raw := *old
	raw.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	raw.Iflag |= unix.ICRNL
	raw.Cc[unix.VMIN], raw.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &raw); err != nil {
		return nil, err
	}
	defer unix.IoctlSetTermios(fd, unix.TCSETS, old)
	interrupted, stop, err := restoreOnSignal(func() { unix.IoctlSetTermios(fd, unix.TCSETS, old) })
	if err != nil {
		return nil, err
	}
	defer stop()
	if err := prompt(); err != nil {
		return nil, err
	}

	line := make([]byte, 0, 256)
	fail := func(err error) ([]byte, error) {
		clear(line[:cap(line)])
		return nil, err
	}
	var c [1]byte
	for {
		// Wait for a key, or for a signal that restored the terminal (interrupted): the
		// prompt must not read on once the terminal echoes again.
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}, {Fd: int32(interrupted), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, -1); errors.Is(err, unix.EINTR) {
			continue
		} else if err != nil {
			return fail(err)
		}
		if fds[1].Revents != 0 {
			return fail(ErrInterrupted)
		}
		n, err := unix.Read(fd, c[:])
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return fail(err)
		}
		if n == 0 {
			return fail(io.EOF)
		}
		switch k := c[0]; {
		case k == '\n' || k == '\r':
			return line, nil
		case k == old.Cc[unix.VINTR] || k == old.Cc[unix.VQUIT]:
			return fail(ErrInterrupted)
		case k == old.Cc[unix.VEOF]:
			if len(line) == 0 {
				return fail(io.EOF)
			}
		case k == old.Cc[unix.VERASE] || k == 0x7f || k == 0x08:
			for len(line) > 0 {
				last := line[len(line)-1]
				line[len(line)-1] = 0
				line = line[:len(line)-1]
				if last&0xc0 != 0x80 { // not a UTF-8 continuation byte: a whole character
					break
				}
			}
		case k == old.Cc[unix.VKILL]:
			clear(line)
			line = line[:0]
		case k == old.Cc[unix.VSUSP] || k == old.Cc[unix.VLNEXT] || k == old.Cc[unix.VWERASE] || k == old.Cc[unix.VREPRINT]:
			// Keys the terminal would act on; not part of a secret.
		default:
			if len(line) >= MaxLine {
				return fail(fmt.Errorf("longer than %d KiB", MaxLine>>10))
			}
			if len(line) == cap(line) {
				grown := make([]byte, len(line), 2*cap(line))
				copy(grown, line)
				clear(line)
				line = grown
			}
			line = append(line, k)
		}
	}
}

// restoreOnSignal catches SIGINT, SIGTERM and SIGHUP (those not ignored) until stop is called.
// One that comes first restores the terminal and is then sent again, which ends the process as
// it would have without the prompt: by the signal, so a shell sees 130, 143 or 129. Without
// it the default action ended the process in the middle of the prompt and left the terminal
// without echo or line editing. When the process goes on (another part of it catches the
// signal: the tunnel's reload, a server's graceful stop), the terminal echoes again, so the
// prompt must end: interrupted, a descriptor to poll, becomes readable. A signal that came
// as stop was called is handled so too, never dropped. interrupted is -1 (which poll skips)
// when every one of the signals is ignored.
func restoreOnSignal(restore func()) (interrupted int, stop func(), err error) {
	var sigs []os.Signal
	for _, s := range []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		if !signal.Ignored(s) {
			sigs = append(sigs, s)
		}
	}
	if len(sigs) == 0 {
		return -1, func() {}, nil
	}
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		return -1, nil, err
	}
	caught := make(chan os.Signal, 1)
	signal.Notify(caught, sigs...)
	handle := func(s os.Signal) {
		restore()
		// Sent again to the process: with no other catcher its default action ends it
		// (Go's, for these three: by the signal); a command that catches it itself (a
		// server's graceful stop, the tunnel's reload) still gets it.
		// It goes to this thread, which takes it before tgkill returns: a default action
		// ends the process here, before the prompt is woken below (sent to the process, it
		// could be taken on another thread while the prompt returned and signet exited 130).
		signal.Stop(caught)
		runtime.LockOSThread()
		unix.Tgkill(unix.Getpid(), unix.Gettid(), s.(syscall.Signal))
		runtime.UnlockOSThread()
		// Still here: someone else caught it. The prompt ends rather than read with echo on.
		unix.Write(p[1], []byte{0})
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case s := <-caught:
			handle(s)
		case <-done:
			// stop has stopped the catching: a signal already caught is still handled.
			select {
			case s := <-caught:
				handle(s)
			default:
			}
		}
	}()
	return p[0], func() {
		signal.Stop(caught)
		close(done)
		<-finished
		unix.Close(p[0])
		unix.Close(p[1])
	}, nil
}
