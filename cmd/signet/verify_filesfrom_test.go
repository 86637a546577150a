package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestNameSpool: names put aside past the buffer come back whole and in order, from the
// temporary file and memory, and the given set finds exactly the names given.
func TestNameSpool(t *testing.T) {
	defer func(n int) { verifySpoolBuffer = n }(verifySpoolBuffer)
	verifySpoolBuffer = 16
	var names []string
	for i := range 500 {
		names = append(names, fmt.Sprintf("dist/f%03d", i))
	}
	names = append(names, strings.Repeat("long/", 30000)+"x", "last")
	sp, err := spoolNames(names[:3], seq2(names[3:]))
	if err != nil {
		t.Fatal(err)
	}
	defer sp.close()
	if sp.f == nil {
		t.Fatal("the spool did not go to its file")
	}
	var got []string
	for it, err := range sp.all {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, it.name)
		if n, err := sp.nameAt(it.off); err != nil || n != it.name {
			t.Fatalf("nameAt(%d) = %.20q, %v, want %.20q", it.off, n, err, it.name)
		}
	}
	if !slices.Equal(got, names) {
		t.Fatalf("the spool gave back %d names, not the %d given", len(got), len(names))
	}
	given, err := newGivenSet(sp)
	if err != nil {
		t.Fatal(err)
	}
	defer given.free()
	for _, tc := range []struct {
		name string
		want bool
	}{{"dist/f000", true}, {"dist/f499", true}, {"last", true}, {names[500], true}, {"dist/f500", false}, {"./dist/f000", false}, {"", false}} {
		if got, err := given.has(tc.name); err != nil || got != tc.want {
			t.Errorf("has(%.20q) = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}

func seq2(names []string) func(func(string, error) bool) {
	return func(yield func(string, error) bool) {
		for _, n := range names {
			if !yield(n, nil) {
				return
			}
		}
	}
}
