package secret

import (
	"context"
	"errors"
	"os"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// mustPTY opens a pseudo-terminal, points the prompt at its terminal side for the test and
// returns the other side, where the test plays the user's keyboard and screen.
func mustPTY(t *testing.T) (master *os.File, slave string) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetUint32(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("ptsname: %v", err)
	}
	slave = "/dev/pts/" + strconv.Itoa(int(n))
	// Hold the terminal side open: with none open, reading the other side fails (EIO).
	hold, err := os.OpenFile(slave, os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open %s: %v", slave, err)
	}
	t.Cleanup(func() { hold.Close() })
	old := ttyPath
	ttyPath = slave
	t.Cleanup(func() { ttyPath = old })
	return m, slave
}

// termiosOf reads the terminal settings of the terminal side.
func termiosOf(t *testing.T, slave string) *unix.Termios {
	t.Helper()
	f, err := os.OpenFile(slave, os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tio, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return tio
}

// TestPromptKeys: at the prompt, Ctrl-C (and Ctrl-\) ends the prompt with an error that is
// context.Canceled (exit 130 in the CLI) and ErrInterrupted, and the terminal gets its echo
// back: term.ReadPassword left the terminal without echo when Ctrl-C killed the process (Go
// issue 31180), and where the signal went nowhere it waited on. Backspace and Ctrl-U edit the
// line, Enter ends it, and the terminal's settings are as they were after every outcome.
func TestPromptKeys(t *testing.T) {
	cases := []struct {
		name, keys string
		want       string
		wantErr    error
	}{
		{"enter", "hunter2\r", "hunter2", nil},
		{"backspace", "hunteX\x7fr2\r", "hunter2", nil},
		{"backspace over utf-8", "pé\x7fw\r", "pw", nil},
		{"ctrl-u", "wrong\x15right\r", "right", nil},
		{"ctrl-c", "half-typed\x03", "", ErrInterrupted},
		{"ctrl-backslash", "half\x1c", "", ErrInterrupted},
		{"ctrl-d", "\x04", "", ErrTerminal},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			master, slave := mustPTY(t)
			before := termiosOf(t, slave)
			done := startPrompt(t, master)
			if _, err := master.WriteString(c.keys); err != nil {
				t.Fatal(err)
			}
			var r promptResult
			select {
			case r = <-done:
			case <-time.After(20 * time.Second):
				master.Close() // the prompt's read fails, and its goroutine ends
				t.Fatalf("the prompt is still reading after %q", c.keys)
			}
			if string(r.b) != c.want || !errors.Is(r.err, c.wantErr) {
				t.Errorf("Read = %q, %v; want %q, %v", r.b, r.err, c.want, c.wantErr)
			}
			if errors.Is(c.wantErr, ErrInterrupted) && !errors.Is(r.err, context.Canceled) {
				t.Errorf("error %v is not context.Canceled", r.err)
			}
			checkRestored(t, before, slave)
		})
	}
}

// promptResult is what a prompt's Read returned.
type promptResult struct {
	b   []byte
	err error
}

// startPrompt reads a PIN at the terminal (the test's standard input) in a goroutine, and
// returns once the prompt is written on master, as a user waits for it before typing.
func startPrompt(t *testing.T, master *os.File) <-chan promptResult {
	t.Helper()
	done := make(chan promptResult, 1)
	go func() {
		b, err := Source{What: "PIN"}.Read("")
		done <- promptResult{b, err}
	}()
	buf := make([]byte, 256)
	if n, err := master.Read(buf); err != nil || n == 0 {
		t.Fatalf("prompt: %q, %v", buf[:n], err)
	}
	return done
}

// checkRestored fails the test when the terminal's settings are not those it had before.
func checkRestored(t *testing.T, before *unix.Termios, slave string) {
	t.Helper()
	after := termiosOf(t, slave)
	if after.Lflag != before.Lflag || after.Iflag != before.Iflag || after.Cc != before.Cc {
		t.Errorf("terminal settings not restored: lflag %#x -> %#x, iflag %#x -> %#x", before.Lflag, after.Lflag, before.Iflag, after.Iflag)
	}
}
