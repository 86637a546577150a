package testutil

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// What the seeded campaigns of several packages share: their seed ranges and the tally of
// outcomes they log.

// Seeds is the seeds a seeded campaign runs: 1 to ciCount, or those the environment variable
// env names as first:count (count at least 1: a campaign that runs no seed checks nothing).
// The campaigns of several packages share it.
func Seeds(t testing.TB, env string, ciCount int) []int64 {
	t.Helper()
	first, n := int64(1), ciCount
	if s := os.Getenv(env); s != "" {
		a, b, ok := strings.Cut(s, ":")
		f, err1 := strconv.ParseInt(a, 10, 64)
		m, err2 := strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil || m < 1 {
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

// Tally counts a campaign's outcomes from its parallel subtests. The zero value is ready.
type Tally struct {
	mu     sync.Mutex
	counts map[string]int
}

// Add counts one outcome.
func (c *Tally) Add(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[string]int{}
	}
	c.counts[k]++
}

// Log logs the counts in the order of their keys, after the number of seeds run.
func (c *Tally) Log(t testing.TB, seeds int) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(c.counts)) {
		fmt.Fprintf(&b, "\n  %5d %s", c.counts[k], k)
	}
	t.Logf("%d seeds:%s", seeds, b.String())
}
