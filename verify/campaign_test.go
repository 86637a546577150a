package verify_test

import (
	"fmt"
	"maps"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
)

// What the seeded differential campaigns (rx, rxc, oc: against openssl; wx: against
// crypto/x509) share: the openssl they ask and the tally they log (their seed ranges:
// testutil.Seeds, which the other packages' campaigns share).

// campaignOpenSSL is the openssl a campaign asks, "" when there is none or it is not OpenSSL 3,
// for which the campaigns' explanations are written.
func campaignOpenSSL(t *testing.T) string {
	t.Helper()
	openssl, _ := exec.LookPath("openssl")
	if openssl == "" {
		return ""
	}
	out, _ := exec.Command(openssl, "version").Output()
	if !strings.HasPrefix(string(out), "OpenSSL 3.") {
		t.Logf("openssl is %s; the explanations are written for OpenSSL 3.0: not asked", strings.TrimSpace(string(out)))
		return ""
	}
	return openssl
}

// tally counts a campaign's outcomes from its parallel subtests.
type tally struct {
	mu     sync.Mutex
	counts map[string]int
}

func (c *tally) add(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[string]int{}
	}
	c.counts[k]++
}

// log logs the counts in the order of their keys, after the number of seeds run.
func (c *tally) log(t *testing.T, seeds int) {
	t.Helper()
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(c.counts)) {
		fmt.Fprintf(&b, "\n  %5d %s", c.counts[k], k)
	}
	t.Logf("%d seeds:%s", seeds, b.String())
}
