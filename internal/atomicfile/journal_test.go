package atomicfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestMain runs the package's tests with a journal buffer of about two records, so that every
// batch of more than two files reads its records back from its journal file as well as from
// memory: the commits, roll-backs and clean-ups the other tests check go through the file.
// TestJournal checks the buffer alone (a batch of a few files writes no journal file).
func TestMain(m *testing.M) {
	journalBuffer = 100
	os.Exit(m.Run())
}

// TestJournal: a batch's records come back from memory alone, from the journal file and
// memory, and from the file alone, in the order staged, and a commit that is stopped
// part-way takes back exactly what it placed (the first 30 files), from the records.
func TestJournal(t *testing.T) {
	defer func(n int) { journalBuffer = n }(journalBuffer)
	for _, buf := range []int{64 << 10, 100, 1} {
		t.Run(fmt.Sprint("buffer=", buf), func(t *testing.T) {
			journalBuffer = buf
			dir := t.TempDir()
			var names []string
			for i := range 50 {
				names = append(names, fmt.Sprintf("f%02d.sig", i))
				if i%2 == 0 {
					writeFile(t, filepath.Join(dir, names[i]), "old")
				}
			}
			var b Batch
			b.SyncOnCommit, b.Distinct = true, true
			for _, n := range names {
				if err := b.Add(filepath.Join(dir, n), []byte("new "+n), Options{Force: true}); err != nil {
					t.Fatal(err)
				}
			}
			st := b.stages[dir]
			_, err := os.Lstat(filepath.Join(st.name, journalName))
			if hasFile := err == nil; hasFile != (buf < 64<<10) {
				t.Errorf("journal file made: %v, want %v", hasFile, buf < 64<<10)
			}
			i := 0
			for rec, err := range b.journal.all {
				if err != nil {
					t.Fatal(err)
				}
				if want := filepath.Join(dir, names[i]); rec.path != want || rec.num != int64(i) || !rec.force {
					t.Fatalf("record %d = %+v, want %s, staged as %d", i, rec, want, i)
				}
				i++
			}
			if i != len(names) {
				t.Fatalf("%d records, want %d", i, len(names))
			}
			ctx, cancel := context.WithCancel(t.Context())
			setHook(t, func(i int) {
				if i == 30 {
					cancel()
				}
			})
			if err := b.CommitContext(ctx); !errors.Is(err, context.Canceled) {
				t.Fatalf("CommitContext error = %v, want context.Canceled", err)
			}
			var want []string
			for i, n := range names {
				if i%2 == 0 {
					want = append(want, n)
					if got := readFile(t, filepath.Join(dir, n)); got != "old" {
						t.Errorf("%s = %q, want the old content back", n, got)
					}
				}
			}
			assertOnly(t, dir, want...)
		})
	}
}

// TestScratch: a scratch file lives in the batch's staging directory, is not a staged file
// (a commit does not place it), and goes with the staging directory.
func TestScratch(t *testing.T) {
	for _, commit := range []bool{true, false} {
		t.Run(fmt.Sprint("commit=", commit), func(t *testing.T) {
			dir := t.TempDir()
			var b Batch
			f, err := b.Scratch(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := os.Lstat(filepath.Join(b.stages[dir].name, scratchPrefix+"1")); err != nil {
				t.Errorf("the scratch file is not in the staging directory: %v", err)
			}
			if _, err := io.WriteString(f, "a\x00b\x00"); err != nil {
				t.Fatal(err)
			}
			if err := b.Add(filepath.Join(dir, "out.sig"), []byte("s"), Options{}); err != nil {
				t.Fatal(err)
			}
			if commit {
				if err := b.Commit(); err != nil {
					t.Fatal(err)
				}
				assertOnly(t, dir, "out.sig")
			} else {
				b.Abort()
				assertOnly(t, dir)
			}
		})
	}
}

// TestForceCommitRemovesManyBackups: after a forced commit over more files than a reading of
// the staging directory takes at once, every replaced file kept there is removed, and the
// staging directory with them.
func TestForceCommitRemovesManyBackups(t *testing.T) {
	dir := t.TempDir()
	var names []string
	for i := range 2500 {
		names = append(names, fmt.Sprintf("f%04d.sig", i))
		writeFile(t, filepath.Join(dir, names[i]), "old")
	}
	var b Batch
	b.SyncOnCommit, b.Distinct = true, true
	for _, n := range names {
		if err := b.Add(filepath.Join(dir, n), []byte("new"), Options{Force: true}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	assertOnly(t, dir, names...)
	if got := readFile(t, filepath.Join(dir, names[2499])); got != "new" {
		t.Fatalf("%s = %q", names[2499], got)
	}
}

// TestJournalAddFailsLeavesNoRecord: an Add whose record cannot be written to the journal
// (here the journal file cannot be made: a file is in its way) fails with nothing left of
// its file, and the batch goes on as if it had not been called: the files staged before
// and after are committed. The record used to stay in the journal's memory, a record of a
// staged file that Add had removed, and the commit of the files that were staged failed.
func TestJournalAddFailsLeavesNoRecord(t *testing.T) {
	defer func(n int) { journalBuffer = n }(journalBuffer)
	journalBuffer = 1 << 30
	a, bdir := t.TempDir(), t.TempDir()
	var b Batch
	defer b.Abort()
	if err := b.Add(filepath.Join(a, "x"), []byte("x"), Options{}); err != nil {
		t.Fatal(err)
	}
	planted := filepath.Join(b.stageList[0].name, journalName)
	writeFile(t, planted, "in the way")
	journalBuffer = 1 // every record now goes to the journal file
	if err := b.Add(filepath.Join(bdir, "y"), []byte("y"), Options{}); err == nil {
		t.Fatal("Add succeeded with the journal file impossible to make")
	}
	if err := os.Remove(planted); err != nil {
		t.Fatal(err)
	}
	if err := b.Add(filepath.Join(bdir, "z"), []byte("z"), Options{}); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(); err != nil {
		t.Fatalf("commit of the files staged: %v", err)
	}
	for _, p := range []string{filepath.Join(a, "x"), filepath.Join(bdir, "z")} {
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
	if _, err := os.Lstat(filepath.Join(bdir, "y")); err == nil {
		t.Error("y, whose Add failed, was written")
	}
}
