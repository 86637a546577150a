//go:build cgo && unix

package hsm

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestLoginHoldsSignals: a SIGTERM that comes while signet logs in to a token waits for the
// login to end, then ends the process. SoftHSM2 rewrites its token.object in place at every
// C_Login, and a process that SIGTERM or Ctrl-C ended in the middle left it empty: the token
// was gone, and the next run found "no initialised token" (the kill campaign of cmd/signet
// found it). A child process of this test sends itself SIGTERM just before C_Login: the login
// must still happen (token.object rewritten), the child must end by SIGTERM, and the token
// must open and log in afterwards.
func TestLoginHoldsSignals(t *testing.T) {
	if uri := os.Getenv("SIGNET_HSM_HOLD_CHILD"); uri != "" {
		testHookLogin = func() {
			syscall.Kill(os.Getpid(), syscall.SIGTERM)
			time.Sleep(300 * time.Millisecond) // without the hold, the process ends here
		}
		tok, err := Open(uri, Options{Getenv: func(k string) string {
			if k == EnvPIN {
				return testPIN
			}
			return ""
		}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tok.Signer(nil); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Second) // the held SIGTERM ends the process before this
		t.Fatal("still alive after the held SIGTERM")
	}
	tt := mustSoftHSM(t, "hold")
	tt.tool("--token-label", "hold", "--login", "--pin", "env:SIGNET_TEST_PIN", "--keypairgen",
		"--key-type", "EC:prime256v1", "--id", "01", "--label", "k")
	objs, _ := filepath.Glob(filepath.Join(tt.dir, "tokens", "*", "token.object"))
	if len(objs) != 1 {
		t.Fatalf("token.object: %v", objs)
	}
	before, err := os.Stat(objs[0])
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond) // a rewrite gets another modification time
	uri := tt.uri("object=k")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoginHoldsSignals$")
	cmd.Env = append(os.Environ(), "SIGNET_HSM_HOLD_CHILD="+uri)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || !ee.Sys().(syscall.WaitStatus).Signaled() || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
		t.Fatalf("the child: %v, want ended by SIGTERM\n%s", err, out)
	}
	after, err := os.Stat(objs[0])
	if err != nil {
		t.Fatal(err)
	}
	if after.ModTime().Equal(before.ModTime()) {
		t.Errorf("SIGTERM before C_Login ended the process before the login: token.object was not written (%v)", after.ModTime())
	}
	if after.Size() == 0 {
		t.Errorf("token.object is empty after SIGTERM during the login")
	}
	tok := mustOpen(t, uri, tt.opts(testPIN))
	if _, err := tok.Signer(nil); err != nil {
		t.Errorf("the token after SIGTERM during a login: %v", err)
	}
}
