package verify_test

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// What the seeded differential campaigns (rx, rxc, oc: against openssl; wx: against
// crypto/x509) share: the openssl they ask, their seed ranges and the tally they log.

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

// seedRange is the seeds 1 to ciCount, or those the environment variable env names as
// first:count.
func seedRange(t *testing.T, env string, ciCount int) []int64 {
	t.Helper()
	first, n := int64(1), ciCount
	if s := os.Getenv(env); s != "" {
		a, b, ok := strings.Cut(s, ":")
		f, err1 := strconv.ParseInt(a, 10, 64)
		m, err2 := strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil {
			t.Fatalf("%s=%q: want first:count", env, s)
		}
		first, n = f, m
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = first + int64(i)
	}
	return out
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
