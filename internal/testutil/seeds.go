package testutil

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

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
