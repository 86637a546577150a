package sign

import (
	"context"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/signet-pki/signet/internal/atomicfile"
)

// stagingWriters is how many signatures are staged at once, into one atomicfile.Batch, at
// most one per directory. Staged files are synced together at commit (Batch.SyncOnCommit), so
// a writer's time is creating and writing a file. Creating files in one directory is
// serialised by the kernel (the directory's lock, held while ext4 looks for a free inode,
// which after many deletions means scanning past every recently deleted one): a second writer
// in the same directory only spins on that lock, taking a core from hashing and signing
// (issue 15). So each directory has one writer, and a tree spread over directories gets up to
// stagingWriters.
const stagingWriters = 4

// stager stages signature files on parallel writers into one atomicfile.Batch, as the
// signatures come, and moves them all into place at the end (commit), or none (abort).
type stager struct {
	ctx    context.Context
	batch  *atomicfile.Batch
	chs    []chan staged // one per writer; a directory's signatures all go to one
	wg     sync.WaitGroup
	closed bool
	errs   []error
	failed *atomic.Bool // set on any failure: stop staging
}

// newStager starts the writers. They stop when ctx ends, and then stage nothing more.
func newStager(ctx context.Context, batch *atomicfile.Batch, n int, force bool, failed *atomic.Bool) *stager {
	n = max(1, min(stagingWriters, n))
	st := &stager{ctx: ctx, batch: batch, chs: make([]chan staged, n), errs: make([]error, n), failed: failed}
	// Many small signature files: one filesystem sync at commit, not one per file.
	st.batch.SyncOnCommit = true
	for w := range n {
		ch := make(chan staged, 64)
		st.chs[w] = ch
		st.wg.Go(func() {
			for {
				var it staged
				var ok bool
				select {
				case it, ok = <-ch:
				case <-ctx.Done():
					return
				}
				if !ok || ctx.Err() != nil {
					return // closed, or the run was cancelled
				}
				if st.failed.Load() || st.errs[w] != nil {
					continue
				}
				err := st.batch.Add(it.out, it.sig, atomicfile.Options{Force: force})
				if err == nil && it.tsr != nil {
					err = st.batch.Add(it.out+TimestampExtension, it.tsr, atomicfile.Options{Force: force})
				}
				if err != nil {
					st.errs[w] = fmt.Errorf("sign: %w", err)
					st.failed.Store(true)
				}
				// The signature is on disk and dropped: memory holds no more than the
				// writers' queues, however many files the run signs.
			}
		})
	}
	return st
}

// send hands a signature to the writer of its directory, unless the run was cancelled.
func (st *stager) send(it staged) {
	ch := st.chs[0]
	if len(st.chs) > 1 {
		h := fnv.New32a()
		h.Write([]byte(filepath.Dir(it.out)))
		ch = st.chs[h.Sum32()%uint32(len(st.chs))]
	}
	select {
	case ch <- it:
	case <-st.ctx.Done():
	}
}

// wait closes the stager's input and waits for the writers; it returns the first staging
// error. Every send must have returned.
func (st *stager) wait() error {
	if !st.closed {
		st.closed = true
		for _, ch := range st.chs {
			close(ch)
		}
	}
	st.wg.Wait()
	return firstError(st.errs)
}

// abort waits for the writers, which stop as soon as the input is closed or the run's context
// ends, and removes everything staged.
func (st *stager) abort() {
	st.wg.Wait()
	st.batch.Abort()
}

// commit moves every staged file into place, or none (atomicfile.Batch.CommitContext).
func (st *stager) commit(ctx context.Context) error {
	if testHookCommit != nil {
		return testHookCommit(ctx, st.batch)
	}
	return st.batch.CommitContext(ctx)
}

// testHookCommit, when set by a test, commits in place of Batch.CommitContext.
var testHookCommit func(ctx context.Context, b *atomicfile.Batch) error

// writeOutputs stages and commits signatures made already (the benchmark's "stage").
func writeOutputs(outs []staged, opts FilesOptions) error {
	var failed atomic.Bool
	ctx := context.Background()
	st := newStager(ctx, &atomicfile.Batch{Distinct: true}, len(outs), opts.Force, &failed)
	for _, o := range outs {
		st.send(o)
	}
	if err := st.wait(); err != nil {
		st.abort()
		return err
	}
	return st.commit(ctx)
}

func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
