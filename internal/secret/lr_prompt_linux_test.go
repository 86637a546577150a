package secret

import (
	"errors"
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestPromptSignalCaughtElsewhere: a signal at the prompt that another part of the process
// catches (the tunnel's reload catches SIGHUP, a server's graceful stop SIGINT and SIGTERM)
// does not end the process, and the prompt had restored the terminal for it: it read on with
// the terminal echoing, so the rest of the PIN or passphrase was shown as it was typed. The
// prompt now ends (ErrInterrupted), the terminal as it was, and the signal still reaches the
// catcher.
func TestPromptSignalCaughtElsewhere(t *testing.T) {
	master, slave := mustPTY(t)
	before := termiosOf(t, slave)
	// The other catcher: it must hold the signal for as long as it may come, twice (sent, and
	// sent again by the prompt), or the test binary ends by it.
	other := make(chan os.Signal, 2)
	signal.Notify(other, syscall.SIGHUP)
	defer signal.Stop(other)

	done := startPrompt(t, master)
	if _, err := master.WriteString("half"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the prompt has read what was typed
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		select {
		case <-other:
		case <-time.After(10 * time.Second):
			t.Fatal("the other catcher did not get SIGHUP, and again")
		}
	}
	var r promptResult
	select {
	case r = <-done:
	case <-time.After(5 * time.Second):
		echo := termiosOf(t, slave).Lflag&unix.ECHO != 0
		master.Close() // the prompt's read fails, and its goroutine ends
		t.Fatalf("the prompt still reads after SIGHUP (the terminal echoing: %v)", echo)
	}
	if r.b != nil || !errors.Is(r.err, ErrInterrupted) {
		t.Errorf("Read = %q, %v; want ErrInterrupted", r.b, r.err)
	}
	checkRestored(t, before, slave)
}
