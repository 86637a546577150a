package x509util

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
)

// TestInitBuildsNoTables: x509util's lookup tables (extension, curve and algorithm names,
// PBE schemes, PEM block kinds, revocation reasons, ...) are built on first use, not while
// the package initialises: every signet command paid for them at start-up, 7.5 KB in 42
// allocations, and most use none of them (issue 15). The runtime's own report
// (GODEBUG=inittrace=1) of this test binary is read; what is left is the sync.OnceValue
// closures themselves and what the test files declare.
func TestInitBuildsNoTables(t *testing.T) {
	checkInitBytes(t, "github.com/signet-pki/signet/x509util", 3072)
}

// checkInitBytes fails when pkg allocates more than most bytes at init in this test binary.
func checkInitBytes(t *testing.T, pkg string, most int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1", "GORACE=atexit_sleep_ms=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	m := regexp.MustCompile(`(?m)^init ` + regexp.QuoteMeta(pkg) + ` @.* clock, (\d+) bytes, (\d+) allocs$`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no inittrace line for %s in:\n%s", pkg, out)
	}
	if n, _ := strconv.Atoi(string(m[1])); n > most {
		t.Errorf("%s allocates %d bytes in %s allocations at init, more than %d: build its tables on first use", pkg, n, m[2], most)
	}
}
