package testutil

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func TestCmd(t *testing.T) {
	sh := RequireTool(t, "sh")
	dir := t.TempDir()
	out := Cmd{Dir: dir, Stdin: []byte("in"), Env: []string{"TESTUTIL_X=x"}}.Run(t, sh, "-c", `pwd; cat; echo " $TESTUTIL_X"`)
	if got, want := string(out), dir+"\nin x\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	o, e, err := RunErr(sh, "-c", "echo out; echo err >&2; exit 3")
	if string(o) != "out\n" || string(e) != "err\n" || ExitCode(t, err) != 3 {
		t.Errorf("RunErr: %q, %q, %v", o, e, err)
	}
	if ExitCode(t, nil) != 0 {
		t.Error("ExitCode(nil) != 0")
	}
}

func TestNewSoftHSM(t *testing.T) {
	s := NewSoftHSM(t, "slots.removable = false\n", "a", "b")
	conf, err := os.ReadFile(os.Getenv("SOFTHSM2_CONF"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(conf), "directories.tokendir = "+s.Dir+"/tokens\n") || !strings.HasSuffix(string(conf), "slots.removable = false\n") {
		t.Errorf("softhsm2.conf:\n%s", conf)
	}
	out := string(Run(t, RequireTool(t, "softhsm2-util"), "--show-slots"))
	var labels []string
	for _, line := range strings.Split(out, "\n") {
		if l, ok := strings.CutPrefix(strings.TrimSpace(line), "Label:"); ok && strings.TrimSpace(l) != "" {
			labels = append(labels, strings.TrimSpace(l))
		}
	}
	slices.Sort(labels) // SoftHSM lists slots by their renumbered ids, not in creation order
	if strings.Join(labels, ",") != "a,b" {
		t.Errorf("softhsm2-util --show-slots:\n%s", out)
	}
}

// TestNewSoftHSMDir: the tokens are there for a process given s.Env(), and the test's own
// environment is left alone (the test runs in parallel).
func TestNewSoftHSMDir(t *testing.T) {
	t.Parallel()
	before, had := os.LookupEnv("SOFTHSM2_CONF")
	s := NewSoftHSMDir(t, "", "c")
	if now, has := os.LookupEnv("SOFTHSM2_CONF"); now != before || has != had {
		t.Errorf("SOFTHSM2_CONF changed to %q", now)
	}
	out := string(Cmd{Env: []string{s.Env()}}.Run(t, RequireTool(t, "softhsm2-util"), "--show-slots"))
	found := false
	for _, line := range strings.Split(out, "\n") {
		if l, ok := strings.CutPrefix(strings.TrimSpace(line), "Label:"); ok && strings.TrimSpace(l) == "c" {
			found = true
		}
	}
	if !found {
		t.Errorf("softhsm2-util --show-slots with %s has no token c:\n%s", s.Env(), out)
	}
}

func TestSeeds(t *testing.T) {
	t.Setenv("SIGNET_TESTUTIL_SEEDS", "")
	if got := Seeds(t, "SIGNET_TESTUTIL_SEEDS", 3); !slices.Equal(got, []int64{1, 2, 3}) {
		t.Errorf("CI seeds %v", got)
	}
	t.Setenv("SIGNET_TESTUTIL_SEEDS", "41:2")
	if got := Seeds(t, "SIGNET_TESTUTIL_SEEDS", 3); !slices.Equal(got, []int64{41, 42}) {
		t.Errorf("41:2 gives %v", got)
	}
}
