package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// The PINs of the tokens NewSoftHSM initialises.
const (
	SoftHSMPIN   = "1234"
	SoftHSMSOPIN = "5678"
)

// SoftHSMModule returns the path of the SoftHSM2 PKCS#11 module. When it is missing the test
// fails under CI and is skipped otherwise, like RequireTool.
func SoftHSMModule(t testing.TB) string {
	t.Helper()
	// Debian's multiarch directories are matched by a glob rather than a second copy of hsm's
	// architecture table.
	multiarch, _ := filepath.Glob("/usr/lib/*-linux-gnu*/softhsm/libsofthsm2.so")
	for _, p := range append(append([]string{"/usr/lib/softhsm/libsofthsm2.so"}, multiarch...),
		"/usr/lib64/pkcs11/libsofthsm2.so", "/usr/local/lib/softhsm/libsofthsm2.so") {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("libsofthsm2.so is required in CI but not installed")
	}
	t.Skip("libsofthsm2.so not installed")
	return ""
}

// SoftHSM is a private SoftHSM2 token directory that SOFTHSM2_CONF points at.
type SoftHSM struct {
	Module string // the module's path
	Dir    string // holds softhsm2.conf and tokens/
	Conf   string // the configuration file, Dir/softhsm2.conf
}

// Env is the environment variable that selects the token directory, for a process the test
// starts ("SOFTHSM2_CONF=...").
func (s *SoftHSM) Env() string { return "SOFTHSM2_CONF=" + s.Conf }

// NewSoftHSM makes a SoftHSM2 token directory in a temporary directory, points this test's
// SOFTHSM2_CONF at it (so the test cannot run in parallel) and initialises one token per label
// with SoftHSMPIN and SoftHSMSOPIN. extraConf is appended to the configuration file (lines
// ending in a newline, or ""). softhsm2-util and the module are required as RequireTool
// requires a tool.
func NewSoftHSM(t testing.TB, extraConf string, labels ...string) *SoftHSM {
	t.Helper()
	s := NewSoftHSMDir(t, extraConf, labels...)
	t.Setenv("SOFTHSM2_CONF", s.Conf)
	return s
}

// NewSoftHSMDir is NewSoftHSM without touching the test's environment: the token directory is
// for processes the test starts with s.Env() in their environment, and the test may run in
// parallel with others.
func NewSoftHSMDir(t testing.TB, extraConf string, labels ...string) *SoftHSM {
	t.Helper()
	util := RequireTool(t, "softhsm2-util")
	s := &SoftHSM{Module: SoftHSMModule(t), Dir: t.TempDir()}
	tokens := filepath.Join(s.Dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		t.Fatal(err)
	}
	s.Conf = filepath.Join(s.Dir, "softhsm2.conf")
	if err := os.WriteFile(s.Conf, []byte("directories.tokendir = "+tokens+"\nobjectstore.backend = file\nlog.level = ERROR\n"+extraConf), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, l := range labels {
		Cmd{Env: []string{s.Env()}}.Run(t, util, "--init-token", "--free", "--label", l, "--pin", SoftHSMPIN, "--so-pin", SoftHSMSOPIN)
	}
	return s
}
