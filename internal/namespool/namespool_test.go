package namespool

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestSpool: names put aside past the bound come back whole and in order, from the file and
// from memory, each also by its offset; a name longer than the reader's buffer too.
func TestSpool(t *testing.T) {
	made := 0
	sp := New(16, func() (*os.File, error) {
		made++
		return os.CreateTemp(t.TempDir(), "names-")
	}, "put aside", "read back")
	defer sp.Close()
	var names []string
	for i := range 500 {
		names = append(names, fmt.Sprintf("dist/f%03d", i))
	}
	names = append(names, strings.Repeat("long/", 30000)+"x", "", "last")
	for _, n := range names {
		if err := sp.Add(n); err != nil {
			t.Fatal(err)
		}
	}
	if made != 1 || !sp.InFile() || sp.Len() != len(names) {
		t.Fatalf("%d files made, in file %v, %d names; want 1, true, %d", made, sp.InFile(), sp.Len(), len(names))
	}
	var got []string
	for it, err := range sp.All {
		if err != nil {
			t.Fatal(err)
		}
		if it.I != len(got) {
			t.Fatalf("name %d has index %d", len(got), it.I)
		}
		got = append(got, it.Name)
		if n, err := sp.NameAt(it.Off); err != nil || n != it.Name {
			t.Fatalf("NameAt(%d) = %.20q, %v, want %.20q", it.Off, n, err, it.Name)
		}
	}
	if !slices.Equal(got, names) {
		t.Fatalf("the spool gave back %d names, not the %d given", len(got), len(names))
	}
}

// TestSpoolErrors: the file cannot be made (its error as it is), written (aside), or read
// back (back).
func TestSpoolErrors(t *testing.T) {
	noFile := errors.New("no scratch file")
	sp := New(4, func() (*os.File, error) { return nil, noFile }, "put aside", "read back")
	if err := sp.Add("abcdef"); !errors.Is(err, noFile) {
		t.Fatalf("Add: %v, want the maker's error", err)
	}
	f, err := os.CreateTemp(t.TempDir(), "names-")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	sp = New(4, func() (*os.File, error) { return f, nil }, "put aside", "read back")
	if err := sp.Add("abcdef"); err == nil || !strings.HasPrefix(err.Error(), "put aside: ") || !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Add to a closed file: %v", err)
	}

	g, err := os.CreateTemp(t.TempDir(), "names-")
	if err != nil {
		t.Fatal(err)
	}
	sp = New(4, func() (*os.File, error) { return g, nil }, "put aside", "read back")
	if err := sp.Add("abcdef"); err != nil {
		t.Fatal(err)
	}
	if err := g.Truncate(3); err != nil { // the file cut short: the name has no end
		t.Fatal(err)
	}
	if _, err := sp.NameAt(0); err == nil || !strings.HasPrefix(err.Error(), "read back: ") {
		t.Fatalf("NameAt over a file cut short: %v", err)
	}
	for _, err := range sp.All {
		if err == nil || !strings.HasPrefix(err.Error(), "read back: ") {
			t.Fatalf("All over a file cut short: %v", err)
		}
	}
	sp.Close()
}
