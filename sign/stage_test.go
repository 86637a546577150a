package sign

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/atomicfile"
)

// TestStagerCommitFails: when a file appears at one output between the check and the commit,
// the commit fails and leaves none of the outputs, and the file that appeared is untouched.
func TestStagerCommitFails(t *testing.T) {
	dir, names := manyFiles(t, 100)
	items := stageAll(t, names, false)
	writeFile(t, items[77].out, []byte("someone else's"))
	err := items[0].st.commit(t.Context())
	if !errors.Is(err, atomicfile.ErrExists) {
		t.Fatalf("got %v", err)
	}
	if got := string(mustRead(t, items[77].out)); got != "someone else's" {
		t.Fatalf("the other file was changed: %q", got)
	}
	os.Remove(items[77].out)
	assertNoSignatures(t, dir)
}

// TestStagerForceCommitFails: a --force run that fails part-way through moving its
// signatures into place leaves the old signatures, every one of them.
func TestStagerForceCommitFails(t *testing.T) {
	dir, names := manyFiles(t, 100)
	for _, n := range names {
		writeFile(t, n+".sig", []byte("old"))
	}
	items := stageAll(t, names, true)
	// One output becomes a directory (with a file in it) after it was staged: moving the
	// signature there fails, after others were moved.
	bad := items[len(items)/2].out
	os.Remove(bad)
	if err := os.Mkdir(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(bad, "x"), []byte("x"))
	if err := items[0].st.commit(t.Context()); err == nil {
		t.Fatal("commit over a directory succeeded")
	}
	os.RemoveAll(bad)
	for _, it := range items {
		if it.out == bad {
			continue
		}
		if got := string(mustRead(t, it.out)); got != "old" {
			t.Fatalf("%s = %q after the failed run, want the old signature", it.out, got)
		}
	}
	assertOnlyOld(t, dir, len(names)-1)
}

// stageAll stages a signature for each name, and hands back the items (each with the stager).
type stagedItem struct {
	staged
	st *stager
}

func stageAll(t *testing.T, names []string, force bool) []stagedItem {
	t.Helper()
	var failed atomic.Bool
	st := newStager(t.Context(), &atomicfile.Batch{Distinct: true}, len(names), force, &failed)
	var items []stagedItem
	for _, n := range names {
		it := staged{out: n + ".sig", sig: []byte("sig")}
		items = append(items, stagedItem{it, st})
		st.send(it)
	}
	if err := st.wait(); err != nil {
		t.Fatal(err)
	}
	return items
}

// assertOnlyOld fails unless dir holds the files fNNN and n signatures, and nothing else.
func assertOnlyOld(t *testing.T, dir string, n int) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	sigs := 0
	for _, e := range ents {
		switch {
		case strings.HasSuffix(e.Name(), ".sig"):
			sigs++
		case !strings.HasPrefix(e.Name(), "f") || strings.Contains(e.Name(), "."):
			t.Fatalf("left behind: %s", e.Name())
		}
	}
	if sigs != n {
		t.Fatalf("%d signatures, want %d", sigs, n)
	}
}

// TestSignFilesPlainRacesForce is issue 10's race: a run without --force and one with it,
// over the same files at the same time. Whichever loses, every file keeps a valid signature:
// a roll-back never removes what the other run placed.
func TestSignFilesPlainRacesForce(t *testing.T) {
	t.Parallel()
	ec := mustFixture(t, "codesign")
	s := mustSigner(t, ec.key, SignOptions{})
	dir, names := manyFiles(t, 400)
	for round := range 6 {
		for _, n := range names {
			os.Remove(n + ".sig")
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, force := range []bool{false, true} {
			wg.Go(func() {
				_, errs[i] = SignFiles(t.Context(), s, names, FilesOptions{Force: force})
			})
		}
		wg.Wait()
		if errs[1] != nil {
			t.Fatalf("round %d: the --force run failed: %v", round, errs[1])
		}
		if errs[0] != nil && !errors.Is(errs[0], atomicfile.ErrExists) {
			t.Fatalf("round %d: the plain run: %v", round, errs[0])
		}
		assertOnlyOld(t, dir, len(names))
		for _, n := range names {
			verifyFile(t, ec.key.Public(), digest.SHA256, n, n+".sig")
		}
	}
}

// TestSignFilesCanceledRollBackFails: when a run is stopped while its signatures are moved
// into place and the commit cannot take back what it placed (a replaced signature that could
// not be put back), the error still says ErrCanceled with the cause, and also carries the
// roll-back's failure (which says where the old file is kept) instead of "no signature was
// written". The real roll-back failure is atomicfile's TestKeptBackupSurvives; here the
// commit stands in for it.
func TestSignFilesCanceledRollBackFails(t *testing.T) {
	ec := mustFixture(t, "codesign")
	s := mustSigner(t, ec.key, SignOptions{})
	_, names := manyFiles(t, 3)
	ctx, cancel := context.WithCancelCause(t.Context())
	defer cancel(nil)
	stop := errors.New("stopped by the test")
	kept := &atomicfile.RollBackError{Err: errors.New("put back f001.sig: simulated; the old file is kept at .signet-stage-x/kept-f001.sig-1")}
	testHookCommit = func(ctx context.Context, b *atomicfile.Batch) error {
		cancel(stop)
		b.Abort()
		return errors.Join(ctx.Err(), kept)
	}
	defer func() { testHookCommit = nil }()
	_, err := SignFiles(ctx, s, names, FilesOptions{Force: true})
	var rb *atomicfile.RollBackError
	if !errors.Is(err, ErrCanceled) || !errors.Is(err, stop) || !errors.As(err, &rb) || rb != kept {
		t.Fatalf("got %v; want ErrCanceled with the cause and the roll-back's failure", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "kept at .signet-stage-x/kept-f001.sig-1") || strings.Contains(msg, "no signature was written") || strings.Contains(msg, "\n") {
		t.Fatalf("message %q: want one line saying where the old file is kept", msg)
	}
}
