package pkixname

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
)

// TestInitBuildsNoTables: the names of attribute types (attrNames) are a map built on first
// use, not while the package initialises, which every signet command pays for (issue 15).
// The runtime's own report (GODEBUG=inittrace=1) of this test binary is read.
func TestInitBuildsNoTables(t *testing.T) {
	const pkg, most = "github.com/signet-pki/signet/internal/pkixname", 256
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
