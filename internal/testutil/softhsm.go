package testutil

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
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

// SetTokenFlags adds flags (CKF_ values) to the CK_TOKEN_INFO flags SoftHSM2 keeps for the
// token labelled label, in its token.object file (attribute CKA_OS_TOKENFLAGS, 0x8000534b, a
// CK_ULONG stored big-endian). SoftHSM 2.6.1 sets CKF_USER_PIN_COUNT_LOW after a wrong PIN
// but never CKF_USER_PIN_FINAL_TRY or CKF_USER_PIN_LOCKED, and never locks; with the flags
// written here the real module reports them, as a smart card one try from locking, or
// locked, does (it still accepts the right PIN). No process may have the module loaded:
// SoftHSM reads the file when it is initialised.
func (s *SoftHSM) SetTokenFlags(t testing.TB, label string, flags uint64) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(s.Dir, "tokens", "*", "token.object"))
	if err != nil {
		t.Fatal(err)
	}
	attr := []byte{0, 0, 0, 0, 0x80, 0, 0x53, 0x4b, 0, 0, 0, 0, 0, 0, 0, 2} // type, then "unsigned long"
	padded := []byte(label + strings.Repeat(" ", max(32-len(label), 0)))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, padded) {
			continue
		}
		i := bytes.Index(b, attr)
		if i < 0 || len(b) < i+len(attr)+8 {
			t.Fatalf("%s: no CKA_OS_TOKENFLAGS", f)
		}
		v := b[i+len(attr) : i+len(attr)+8]
		binary.BigEndian.PutUint64(v, binary.BigEndian.Uint64(v)|flags)
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("no SoftHSM token labelled %q in %s", label, s.Dir)
}
