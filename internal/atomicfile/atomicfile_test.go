package atomicfile

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestWriteFile(t *testing.T) {
	tests := []struct {
		name     string
		existing []byte // nil: no file before the write
		opts     Options
		wantErr  error
		want     []byte
		wantMode fs.FileMode
	}{
		{name: "new file default mode", want: []byte("data"), wantMode: 0o644},
		{name: "new private key", opts: Options{Perm: 0o600}, want: []byte("data"), wantMode: 0o600},
		{name: "existing refused", existing: []byte("old"), wantErr: ErrExists, want: []byte("old")},
		{name: "existing forced", existing: []byte("old"), opts: Options{Force: true, Perm: 0o600}, want: []byte("data"), wantMode: 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out")
			if tt.existing != nil {
				if err := os.WriteFile(path, tt.existing, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := WriteFile(path, []byte("data"), tt.opts)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("WriteFile error = %v, want %v", err, tt.wantErr)
			}
			got, rerr := os.ReadFile(path)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if string(got) != string(tt.want) {
				t.Errorf("content = %q, want %q", got, tt.want)
			}
			if tt.wantMode != 0 {
				fi, _ := os.Stat(path)
				if fi.Mode().Perm() != tt.wantMode {
					t.Errorf("mode = %v, want %v", fi.Mode().Perm(), tt.wantMode)
				}
			}
			assertOnly(t, dir, "out")
		})
	}
}

func TestWriteFileDirectoryTarget(t *testing.T) {
	dir := t.TempDir()
	err := WriteFile(dir, []byte("x"), Options{Force: true})
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != dir {
		t.Fatalf("error = %v, want a PathError naming %s", err, dir)
	}
}

func TestBatchAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.key"), filepath.Join(dir, "b.pub")
	var batch Batch
	if err := batch.Add(a, []byte("A"), Options{Perm: 0o600}); err != nil {
		t.Fatal(err)
	}
	if err := batch.Add(b, []byte("B"), Options{}); err != nil {
		t.Fatal(err)
	}
	// Another writer takes b's name between staging and commit: the batch must fail and leave
	// neither a.key nor its temporary files behind, and b.pub as the other writer left it.
	if err := os.WriteFile(b, []byte("other"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := batch.Commit(); !errors.Is(err, ErrExists) {
		t.Fatalf("Commit error = %v, want ErrExists", err)
	}
	if got, _ := os.ReadFile(b); string(got) != "other" {
		t.Errorf("b.pub = %q, want the other writer's content", got)
	}
	assertOnly(t, dir, "b.pub")
}

func TestBatchAbort(t *testing.T) {
	dir := t.TempDir()
	var batch Batch
	if err := batch.Add(filepath.Join(dir, "x"), []byte("x"), Options{}); err != nil {
		t.Fatal(err)
	}
	if err := batch.Add(filepath.Join(dir, "x"), []byte("y"), Options{}); err == nil {
		t.Error("the same output named twice was accepted")
	}
	batch.Abort()
	batch.Abort()
	assertOnly(t, dir)
}

// TestBatchForceFailureKeepsOldFiles: a --force batch that fails part-way leaves the files it
// was replacing as they were, not just without its own.
func TestBatchForceFailureKeepsOldFiles(t *testing.T) {
	dir := t.TempDir()
	names := []string{"a.sig", "b.sig", "c.sig", "d.sig"}
	for _, n := range names {
		writeFile(t, filepath.Join(dir, n), "old "+n)
	}
	var batch Batch
	for _, n := range names {
		if err := batch.Add(filepath.Join(dir, n), []byte("new "+n), Options{Force: true}); err != nil {
			t.Fatal(err)
		}
	}
	// c.sig becomes a directory that holds a file: the third move fails.
	c := filepath.Join(dir, "c.sig")
	os.Remove(c)
	if err := os.Mkdir(c, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(c, "x"), "x")
	err := batch.Commit()
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != c {
		t.Fatalf("Commit error = %v, want one naming %s", err, c)
	}
	for _, n := range []string{"a.sig", "b.sig", "d.sig"} {
		if got := readFile(t, filepath.Join(dir, n)); got != "old "+n {
			t.Errorf("%s = %q after the failed commit, want the old content", n, got)
		}
	}
	assertOnly(t, dir, names...)
}

// TestCommitCanceled: a context that ends part-way through the moves takes back what was
// placed: new names removed, replaced files put back.
func TestCommitCanceled(t *testing.T) {
	for _, force := range []bool{false, true} {
		t.Run(fmt.Sprint("force=", force), func(t *testing.T) {
			dir := t.TempDir()
			var names []string
			for i := range 20 {
				names = append(names, fmt.Sprintf("f%02d.sig", i))
				if force && i%2 == 0 {
					writeFile(t, filepath.Join(dir, names[i]), "old")
				}
			}
			var batch Batch
			batch.SyncOnCommit = true
			for _, n := range names {
				if err := batch.Add(filepath.Join(dir, n), []byte("new"), Options{Force: force}); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithCancel(t.Context())
			setHook(t, func(i int) {
				if i == 13 {
					cancel()
				}
			})
			if err := batch.CommitContext(ctx); !errors.Is(err, context.Canceled) {
				t.Fatalf("CommitContext error = %v, want context.Canceled", err)
			}
			var want []string
			for i, n := range names {
				if force && i%2 == 0 {
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

// TestRollBackLeavesOthersFiles: a roll-back removes or replaces only the files its batch
// placed: a name that meanwhile holds another file (another run's) keeps it.
func TestRollBackLeavesOthersFiles(t *testing.T) {
	for _, force := range []bool{false, true} {
		t.Run(fmt.Sprint("force=", force), func(t *testing.T) {
			dir := t.TempDir()
			a, b := filepath.Join(dir, "a.sig"), filepath.Join(dir, "b.sig")
			if force {
				writeFile(t, a, "old a")
			}
			var batch Batch
			for _, p := range []string{a, b} {
				if err := batch.Add(p, []byte("mine"), Options{Force: force}); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithCancel(t.Context())
			setHook(t, func(i int) {
				if i == 1 {
					// Another writer replaces a.sig after this batch placed it.
					other := filepath.Join(t.TempDir(), "other")
					writeFile(t, other, "theirs")
					if err := os.Rename(other, a); err != nil {
						t.Fatal(err)
					}
					cancel()
				}
			})
			if err := batch.CommitContext(ctx); !errors.Is(err, context.Canceled) {
				t.Fatalf("CommitContext error = %v", err)
			}
			if got := readFile(t, a); got != "theirs" {
				t.Errorf("a.sig = %q, want the other writer's file", got)
			}
			assertOnly(t, dir, "a.sig")
		})
	}
}

// TestStaleStagingRemoved: what a killed process staged is removed by the next batch in that
// directory; what a live process stages is not, and a stale directory keeps names a Batch
// does not make.
func TestStaleStagingRemoved(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no flock(2): stale staging directories are never removed")
	}
	dir := t.TempDir()
	// A live batch, staged and not committed.
	var live Batch
	if err := live.Add(filepath.Join(dir, "live.sig"), []byte("x"), Options{}); err != nil {
		t.Fatal(err)
	}
	// A dead one: its staging directory with files, and its lock released as at exit.
	dead := mustStage(t, dir)
	writeFile(t, filepath.Join(dead.path, "0"), "staged")
	writeFile(t, filepath.Join(dead.path, "1.old"), "replaced")
	writeFile(t, filepath.Join(dead.path, journalName), "records")
	writeFile(t, filepath.Join(dead.path, scratchPrefix+"1"), "names")
	dead.lock.Close()
	// A dead one holding a file that is not signet's.
	odd := mustStage(t, dir)
	writeFile(t, filepath.Join(odd.path, "notes.txt"), "someone's")
	odd.lock.Close()
	// A dead one killed before it made its lock.
	early := filepath.Join(dir, stagePrefix+"0123456789abcdef")
	if err := os.Mkdir(early, 0o700); err != nil {
		t.Fatal(err)
	}
	// A symbolic link with a staging directory's name is not followed.
	victim := t.TempDir()
	writeFile(t, filepath.Join(victim, "0"), "keep")
	if err := os.Symlink(victim, filepath.Join(dir, stagePrefix+"fedcba9876543210")); err != nil {
		t.Fatal(err)
	}

	if err := WriteFile(filepath.Join(dir, "next.sig"), []byte("y"), Options{}); err != nil {
		t.Fatal(err)
	}
	assertOnly(t, dir, filepath.Base(live.stages[dir].name), filepath.Base(odd.name), stagePrefix+"fedcba9876543210", "next.sig")
	assertOnly(t, odd.path, "notes.txt")
	assertOnly(t, victim, "0")
	if err := live.Commit(); err != nil {
		t.Fatalf("the live batch lost its staged file: %v", err)
	}
	if got := readFile(t, filepath.Join(dir, "live.sig")); got != "x" {
		t.Fatalf("live.sig = %q", got)
	}
}

// TestBatchConcurrentAdd: Add from many goroutines at once, as the signature stager does.
func TestBatchConcurrentAdd(t *testing.T) {
	dir := t.TempDir()
	var batch Batch
	batch.SyncOnCommit = true
	var wg sync.WaitGroup
	var want []string
	for i := range 200 {
		name := fmt.Sprintf("f%03d", i)
		want = append(want, name)
		wg.Go(func() {
			if err := batch.Add(filepath.Join(dir, name), []byte(name), Options{}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := batch.Commit(); err != nil {
		t.Fatal(err)
	}
	assertOnly(t, dir, want...)
	for _, n := range want {
		if got := readFile(t, filepath.Join(dir, n)); got != n {
			t.Fatalf("%s = %q", n, got)
		}
	}
}

// TestConcurrentBatches: a batch without Force and one with Force over the same names, at the
// same time, again and again: every name ends up with one of them, never with nothing, and
// the batch without Force either wins entirely or fails.
func TestConcurrentBatches(t *testing.T) {
	dir := t.TempDir()
	const n = 150
	var names []string
	for i := range n {
		names = append(names, filepath.Join(dir, fmt.Sprintf("f%03d.sig", i)))
	}
	for round := range 10 {
		for _, p := range names {
			os.Remove(p)
		}
		var wg sync.WaitGroup
		var plainErr error
		for _, force := range []bool{false, true} {
			wg.Go(func() {
				var b Batch
				b.SyncOnCommit = true
				for _, p := range names {
					if err := b.Add(p, []byte(fmt.Sprint(force)), Options{Force: force}); err != nil {
						if force {
							t.Error(err)
						}
						b.Abort()
						return
					}
				}
				err := b.Commit()
				if force && err != nil {
					t.Error(err)
				}
				if !force {
					plainErr = err
				}
			})
		}
		wg.Wait()
		for _, p := range names {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			if s := string(data); s != "true" && s != "false" {
				t.Fatalf("round %d: %s = %q", round, p, s)
			}
		}
		if plainErr != nil && !errors.Is(plainErr, ErrExists) {
			t.Fatalf("round %d: the batch without Force: %v", round, plainErr)
		}
		assertOnlyNames(t, dir, names)
	}
}

func TestIsTemporary(t *testing.T) {
	for _, tc := range []struct {
		path string
		want bool
	}{
		{"dist/" + stagePrefix + "0123456789abcdef/0", true},
		{stagePrefix + "0123456789abcdef", true},
		{"dist/.app.tar.gz.sig.tmp-3141592", true}, // signet before staging directories
		{"dist/app.tar.gz", false},
		{"dist/.signet-stage-notours/0", false},
		{"dist/.tmp-12", false},
		{"dist/.a.tmp-", false},
		{"dist/.a.tmp-12x", false},
		{"dist/a.tmp-12", false},
	} {
		if got := IsTemporary(tc.path); got != tc.want {
			t.Errorf("IsTemporary(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}

func setHook(t *testing.T, hook func(i int)) {
	t.Helper()
	testHookPlace = hook
	t.Cleanup(func() { testHookPlace = nil })
}

func mustStage(t *testing.T, dir string) *stage {
	t.Helper()
	st, err := newStage(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.lock == nil {
		t.Skip("no flock(2) on this filesystem")
	}
	return st
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// assertOnlyNames is assertOnly with full paths.
func assertOnlyNames(t *testing.T, dir string, paths []string) {
	t.Helper()
	var names []string
	for _, p := range paths {
		names = append(names, strings.TrimPrefix(p, dir+string(filepath.Separator)))
	}
	assertOnly(t, dir, names...)
}

// assertOnly fails unless dir holds exactly the named entries (no temporary files left).
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	names = slices.Sorted(slices.Values(names))
	if len(got) != len(names) {
		t.Fatalf("directory holds %q, want %q", got, names)
	}
	for i := range got {
		if got[i] != names[i] {
			t.Fatalf("directory holds %q, want %q", got, names)
		}
	}
}

// TestStagingDirectorySwapped: someone who can write to the target directory renames a live
// batch's staging directory and puts a symbolic link to another directory in its place. The
// batch must neither unlink nor move files there, whether it commits or aborts.
func TestStagingDirectorySwapped(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("staging directories are pinned through /proc/self/fd on Linux")
	}
	for _, commit := range []bool{false, true} {
		t.Run(fmt.Sprintf("commit=%v", commit), func(t *testing.T) {
			dir, victim := t.TempDir(), t.TempDir()
			for _, n := range []string{"0", "1", "1.old", "lock"} {
				writeFile(t, filepath.Join(victim, n), "victim's "+n)
			}
			var b Batch
			for _, n := range []string{"a.sig", "b.sig"} {
				if err := b.Add(filepath.Join(dir, n), []byte("signature "+n), Options{}); err != nil {
					t.Fatal(err)
				}
			}
			st := b.stages[dir]
			if err := os.Rename(st.name, filepath.Join(dir, "moved-away")); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(victim, st.name); err != nil {
				t.Fatal(err)
			}
			if commit {
				if err := b.Commit(); err != nil {
					t.Fatal(err)
				}
				if got := readFile(t, filepath.Join(dir, "a.sig")); got != "signature a.sig" {
					t.Fatalf("a.sig = %q: the staged file was not the one moved in", got)
				}
			} else {
				b.Abort()
			}
			for _, n := range []string{"0", "1", "1.old", "lock"} {
				if got := readFile(t, filepath.Join(victim, n)); got != "victim's "+n {
					t.Fatalf("victim's %s = %q after the batch", n, got)
				}
			}
		})
	}
}

// TestKeptBackupSurvives: when a roll-back cannot put a replaced file back, the old file is
// kept under a name no later clean-up removes, and the error says where.
func TestKeptBackupSurvives(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.sig"), filepath.Join(dir, "b.sig")
	writeFile(t, a, "the user's only copy")
	var batch Batch
	for _, p := range []string{a, b} {
		if err := batch.Add(p, []byte("new"), Options{Force: true}); err != nil {
			t.Fatal(err)
		}
	}
	errPutBackForTest = errors.New("simulated failure")
	testHookPlace = func(i int) {
		if i == 1 {
			os.Mkdir(b, 0o700) // the second file cannot be placed: the commit rolls back
			writeFile(t, filepath.Join(b, "x"), "x")
		}
	}
	defer func() { errPutBackForTest, testHookPlace = nil, nil }()
	err := batch.Commit()
	batch.Abort()
	var rb *RollBackError
	if err == nil || !strings.Contains(err.Error(), "the old file is kept at ") || !errors.As(err, &rb) {
		t.Fatalf("Commit = %v; want a *RollBackError saying where the old file is", err)
	}
	kept := err.Error()[strings.Index(err.Error(), "kept at ")+len("kept at "):]
	// The next batch in the directory, with this process's lock released as at exit.
	var next Batch
	if err := next.Add(filepath.Join(dir, "other.sig"), []byte("x"), Options{}); err != nil {
		t.Fatal(err)
	}
	next.Abort()
	if got := readFile(t, kept); got != "the user's only copy" {
		t.Fatalf("kept backup %s = %q", kept, got)
	}
}

// TestBatchMemoryPerFile: a batch of a release's signatures stages each file until its
// commit, so what it keeps per file bounds a sign run's memory (issue 15: 100,000 files took
// 102 MiB, about 0.8 KiB a file, of which the batch kept about 200 bytes, then 64 bytes of
// record and hash). Its records go to its journal, so a Distinct batch keeps nothing per
// file, while staging and while committing; one without Distinct keeps 8 bytes of hash. The
// bound is on the batch's own bytes: the target names are the caller's.
func TestBatchMemoryPerFile(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes what the heap holds")
	}
	defer func(n int) { journalBuffer = n }(journalBuffer)
	journalBuffer = 4 << 10 // the buffer is constant: keep it small against n
	const n = 1500
	dir := t.TempDir()
	names := make([]string, n)
	for i := range names {
		names[i] = filepath.Join(dir, fmt.Sprintf("f%05d.sig", i))
	}
	heap := func() int64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.GC() // what finalizers (of files) let go
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	for _, tc := range []struct {
		distinct bool
		max      float64
	}{{true, 2}, {false, 32}} {
		t.Run(fmt.Sprint("distinct=", tc.distinct), func(t *testing.T) {
			// measure stages and commits one batch and returns the bytes its heap grew by per
			// file, while staging and while committing.
			measure := func() (staged, committing float64) {
				var b Batch
				b.SyncOnCommit, b.Distinct = true, tc.distinct
				defer b.Abort()
				// What is made once (the staging directory, its lock, the journal's buffer and
				// file, a reader of it) is in both measures: only what grows with the files counts.
				const first = 200
				for _, name := range names[:first] {
					if err := b.Add(name, []byte("s"), Options{}); err != nil {
						t.Fatal(err)
					}
				}
				before := heap()
				for _, name := range names[first:] {
					if err := b.Add(name, []byte("s"), Options{}); err != nil {
						t.Fatal(err)
					}
				}
				staged = float64(heap()-before) / (n - first)
				var atFirst, atLast int64
				setHook(t, func(i int) {
					switch i {
					case first:
						atFirst = heap()
					case n - 1:
						atLast = heap()
					}
				})
				if err := b.Commit(); err != nil {
					t.Fatal(err)
				}
				committing = float64(atLast-atFirst) / (n - 1 - first)
				for _, name := range names {
					os.Remove(name)
				}
				return staged, committing
			}
			// The least of three batches: what else the process holds at one measure and not
			// at the other (the runtime's, a goroutine of an earlier test still ending) moves
			// one batch's figure, by 4.2 bytes a file in one run of 20 of a Distinct batch,
			// over its bound of 2; what the batch keeps per file is in all three.
			staged, committing := measure()
			for range 2 {
				s, c := measure()
				staged, committing = min(staged, s), min(committing, c)
			}
			t.Logf("%.1f bytes per staged file; %.1f while committing (the least of three batches)", staged, committing)
			if staged > tc.max || committing > tc.max {
				t.Errorf("the batch keeps %.1f bytes per staged file, %.1f while committing, want at most %.0f", staged, committing, tc.max)
			}
		})
	}
	runtime.KeepAlive(names)
}

// TestBatchHashCollision: a target whose hash is in the batch's set but which was never
// staged (two targets with one hash) is staged, not refused as named twice; and a target whose
// Add failed can be added again.
func TestBatchHashCollision(t *testing.T) {
	dir := t.TempDir()
	var b Batch
	defer b.Abort()
	if err := b.Add(filepath.Join(dir, "a"), []byte("a"), Options{}); err != nil {
		t.Fatal(err)
	}
	c := filepath.Join(dir, "c")
	b.outs[maphash.String(b.seed, c)] = struct{}{} // as if "a" had c's hash
	if err := b.Add(c, []byte("c"), Options{}); err != nil {
		t.Fatalf("a target sharing only a hash was refused: %v", err)
	}
	if err := b.Add(c, []byte("c"), Options{}); err == nil {
		t.Fatal("a target named twice was accepted")
	}
	// A failed Add (its directory is a file) leaves nothing that refuses the name later.
	bad := filepath.Join(dir, "notdir")
	if err := os.WriteFile(bad, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := b.Add(filepath.Join(bad, "x"), []byte("x"), Options{}); err == nil {
		t.Fatal("Add under a file succeeded")
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	assertOnly(t, dir, "a", "c", "notdir")
}

// TestRemoveStaleMemory: looking for stale staging directories in a directory of many files
// (a release's million files and their signatures) holds a few of its names at a time, not
// all of them: it read every name at once, 30 bytes or more each.
func TestRemoveStaleMemory(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes what the heap holds")
	}
	if runtime.GOOS == "windows" {
		t.Skip("no flock(2): stale staging directories are never removed")
	}
	heap := func() int64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	measure := func(n int) (held int64) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "f"), "")
		for i := range n { // names are what it reads: links, quicker to make than files
			if err := os.Link(filepath.Join(dir, "f"), filepath.Join(dir, fmt.Sprintf("f%06d", i))); err != nil {
				t.Fatal(err)
			}
		}
		dead := mustStage(t, dir)
		dead.lock.Close()
		base := heap()
		testHookStale = func(string) { held = heap() - base }
		defer func() { testHookStale = nil }()
		removeStale(dir, "")
		if _, err := os.Lstat(dead.name); err == nil {
			t.Fatal("the stale staging directory was not removed")
		}
		return held
	}
	const n = 4000
	h1, h3 := measure(n), measure(3*n)
	perName := float64(h3-h1) / (2 * n)
	t.Logf("%d bytes held among %d names, %d among %d: %.1f bytes per name", h1, n, h3, 3*n, perName)
	if perName > 8 { // the chunk read when it is found varies: a few KiB over 8,000 names
		t.Errorf("looking for stale staging directories holds %.1f bytes per name of the directory, want none", perName)
	}
}

// TestRollBackTargetNamedTwice: a target reached by two names (a directory and a symbolic
// link to it), replaced twice by one batch whose commit then fails, gets its own file back.
// The roll-back went in the order of placing: the first file placed was no longer at the
// target (the second had replaced it) and was left, then the second was taken back by putting
// back what it had replaced, the batch's first file: the user's file was lost, and the target
// held a file of a commit that failed. It goes in the reverse order now, as the files were
// placed, over batches larger than the journal's blocks.
func TestRollBackTargetNamedTwice(t *testing.T) {
	for _, extra := range []int{0, 2500} { // files placed before: the roll-back reads them by blocks
		t.Run(fmt.Sprint("before=", extra), func(t *testing.T) {
			dir := t.TempDir()
			d1, d2 := filepath.Join(dir, "d1"), filepath.Join(dir, "d2")
			if err := os.Mkdir(d1, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("d1", d2); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(d1, "a.sig"), "the user's")
			var targets []string
			for i := range extra {
				targets = append(targets, filepath.Join(dir, fmt.Sprintf("f%04d", i)))
			}
			c := filepath.Join(dir, "c.sig")
			targets = append(targets, filepath.Join(d1, "a.sig"), filepath.Join(d2, "a.sig"), c)
			var b Batch
			b.Distinct, b.SyncOnCommit = true, true
			for i, p := range targets {
				if err := b.Add(p, []byte(fmt.Sprint("new ", i)), Options{Force: true}); err != nil {
					t.Fatal(err)
				}
			}
			setHook(t, func(i int) {
				if i == len(targets)-1 {
					os.Mkdir(c, 0o700) // the last file cannot be placed: the commit rolls back
					writeFile(t, filepath.Join(c, "x"), "x")
				}
			})
			if err := b.Commit(); err == nil {
				t.Fatal("the commit succeeded")
			}
			if got := readFile(t, filepath.Join(d1, "a.sig")); got != "the user's" {
				t.Fatalf("a.sig = %q after a failed commit, want the user's file", got)
			}
			assertOnly(t, dir, "c.sig", "d1", "d2")
		})
	}
}

// Two targets that are one file by names that differ in a symbolic link are found at commit,
// when the second finds its name taken by the first: that is "named twice", not an existing
// file the user might mean to replace with --force, and nothing is left behind.
func TestCommitNamedTwiceThroughLink(t *testing.T) {
	for _, extra := range []int{0, 400} { // 400 targets before: the journal is read back from its file
		t.Run(fmt.Sprint("before=", extra), func(t *testing.T) {
			dir := t.TempDir()
			d1, d2 := filepath.Join(dir, "d1"), filepath.Join(dir, "d2")
			if err := os.Mkdir(d1, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("d1", d2); err != nil {
				t.Fatal(err)
			}
			var targets []string
			for i := range extra {
				targets = append(targets, filepath.Join(dir, fmt.Sprintf("f%04d", i)))
			}
			targets = append(targets, filepath.Join(d1, "a.sig"), filepath.Join(dir, "b.sig"), filepath.Join(d2, "a.sig"))
			var b Batch
			for i, p := range targets {
				if err := b.Add(p, []byte(fmt.Sprint("new ", i)), Options{}); err != nil {
					t.Fatal(err)
				}
			}
			err := b.Commit()
			var pe *fs.PathError
			if !errors.Is(err, ErrNamedTwice) || errors.Is(err, ErrExists) || !errors.As(err, &pe) || pe.Path != filepath.Join(d2, "a.sig") {
				t.Fatalf("Commit: %v, want %s named twice", err, filepath.Join(d2, "a.sig"))
			}
			assertOnly(t, dir, "d1", "d2")
			assertOnly(t, d1)
		})
	}
}

// A target that another process creates during the commit is still an existing file.
func TestCommitTakenMidwayExists(t *testing.T) {
	dir := t.TempDir()
	a, c := filepath.Join(dir, "a.sig"), filepath.Join(dir, "c.sig")
	var b Batch
	for _, p := range []string{a, c} {
		if err := b.Add(p, []byte("new"), Options{}); err != nil {
			t.Fatal(err)
		}
	}
	setHook(t, func(i int) {
		if i == 1 {
			writeFile(t, c, "another's")
		}
	})
	if err := b.Commit(); !errors.Is(err, ErrExists) || errors.Is(err, ErrNamedTwice) {
		t.Fatalf("Commit: %v, want the file exists", err)
	}
	if got := readFile(t, c); got != "another's" {
		t.Fatalf("c.sig = %q, want another's", got)
	}
	assertOnly(t, dir, "c.sig")
}
