package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
)

// TestTunnelSignalsAsSoonAsAddrFile: the --addr-file is how a script knows the tunnel is up;
// a SIGHUP (reload) or SIGTERM sent as soon as it appears is handled. The file was written
// before the handlers were installed, and a SIGHUP then ended the process (signal: hangup),
// a SIGTERM ended it by the signal rather than stopping it (the tn campaign saw both).
func TestTunnelSignalsAsSoonAsAddrFile(t *testing.T) {
	t.Parallel()
	bin := testutil.RequireTool(t, "signet")
	p := tnFixtures(t)
	for i := range 8 {
		sig := syscall.SIGHUP
		if i%2 == 1 {
			sig = syscall.SIGTERM
		}
		t.Run(fmt.Sprint(i, sig), func(t *testing.T) {
			t.Parallel()
			tnSignalAsSoonAsUp(t, bin, p, sig)
		})
	}
}

func tnSignalAsSoonAsUp(t *testing.T, bin string, p tnPKI, sig syscall.Signal) {
	{
		addrFile := filepath.Join(t.TempDir(), "addr")
		cmd := exec.Command(bin, "tls", "tunnel", "--listen", "127.0.0.1:0", "--addr-file", addrFile, "--tls", "--forward", "127.0.0.1:1",
			"--cert", p.serverChain, "--key", p.serverKey, "--client-roots", p.root)
		out := &syncBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		deadline := time.Now().Add(20 * time.Second)
		for {
			if b, err := os.ReadFile(addrFile); err == nil && len(b) > 0 {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("no address file:\n%s", out.String())
			}
			time.Sleep(100 * time.Microsecond)
		}
		cmd.Process.Signal(sig)
		if sig == syscall.SIGHUP {
			select {
			case err := <-done:
				t.Fatalf("SIGHUP just after the address file: the tunnel ended (%v)\n%s", err, out.String())
			case <-time.After(100 * time.Millisecond):
			}
			cmd.Process.Signal(syscall.SIGTERM)
		}
		select {
		case err := <-done:
			if code := testutil.ExitCode(t, err); code != 0 {
				t.Fatalf("%v just after the address file: exit %d (%v), want a stop and 0\n%s", sig, code, err, out.String())
			}
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("the tunnel did not stop on SIGTERM\n%s", out.String())
		}
	}
}
