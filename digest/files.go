package digest

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"iter"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// FileResult is the outcome of hashing one file.
type FileResult struct {
	Name      string    // as given, or as found by the recursive walk; "-" is standard input
	Algorithm Algorithm // the algorithm used
	Digest    Digest    // nil when Err is set
	Size      int64     // bytes hashed
	Err       error     // a *FileError when the file could not be hashed; nil otherwise
}

// FileError is a file that could not be opened or read. Its message is "NAME: reason" with the
// name quoted like coreutils quotes it ("dir: is a directory", "'a b': no such file or
// directory"): it has no package prefix because it is printed as is after "signet: error: ",
// the way *fs.PathError is. errors.Is(err, fs.ErrNotExist) and the like work through Unwrap.
type FileError struct {
	Name string
	Op   string // "open", "read" or "readdir"
	Err  error  // the system's reason, such as syscall.ENOENT
}

func (e *FileError) Error() string { return QuoteName(e.Name) + ": " + e.Err.Error() }

func (e *FileError) Unwrap() error { return e.Err }

// NewFileError is the FileError for name: the reason is err, taken out of an *fs.PathError
// (whose message would name the file a second time).
func NewFileError(name, op string, err error) *FileError {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &FileError{Name: name, Op: op, Err: err}
}

// Progress is how far a HashFiles run is. Totals are known up front (the files are listed and
// their sizes read before hashing starts); standard input counts as size 0 in TotalBytes.
type Progress struct {
	Bytes, TotalBytes int64
	Files, TotalFiles int
}

// HashOptions configures HashFiles. The zero value hashes with SHA-256 on GOMAXPROCS workers.
type HashOptions struct {
	// Algorithm is the hash; zero means DefaultAlgorithm.
	Algorithm Algorithm
	// Recursive expands directory arguments into the regular files below them (see walk.go
	// for the rules: sorted, names joined to the argument, symbolic links inside not
	// followed). Without it a directory is a per-file error ("is a directory").
	Recursive bool
	// Workers is the number of files hashed at once; zero means runtime.GOMAXPROCS(0). Each
	// worker owns one buffer of BufferSize bytes, and two of 1 MiB once it has read a large
	// file ahead (on Linux, when a core is free), so memory stays bounded whatever the
	// number or size of the files.
	Workers int
	// BufferSize is the read size; zero means the package's BufferSize.
	BufferSize int
	// NamesFrom, if set, gives more names after those HashFiles is called with, as they are
	// read (ReadNames: a list of a million names is never in memory at once). The first error
	// it yields ends the run: the results before it are emitted and HashFiles returns it.
	NamesFrom iter.Seq2[string, error]
	// Skipped, if set, is called with each temporary of signet (atomicfile.IsTemporary: a
	// staging directory, or an older version's ".NAME.tmp-DIGITS" file) that a recursive walk
	// skipped, so that the caller can say so: in its place among the calls of emit, from the
	// same goroutine.
	Skipped func(name string)
	// Stdin is read for the name "-". If nil, "-" is a per-file error.
	Stdin io.Reader
	// RegularOnly refuses a name that is not a regular file (a named pipe, a device, a
	// socket) with a per-file error matching readlimit.ErrNotFile, as JobOptions.RegularOnly
	// does, rather than reading it: a device may never end, and a pipe wait for a writer.
	RegularOnly bool
	// Progress, if set, is called about every ProgressInterval (zero: 200ms) while results are
	// awaited, and once at the end, from the goroutine that called HashFiles (never at the
	// same time as emit). Setting it makes HashFiles list every file and read its size before
	// it starts, to know the totals.
	Progress         func(Progress)
	ProgressInterval time.Duration
	// Flush, if set, is called when the next result has kept HashFiles waiting for a short
	// while (20ms), so that a caller buffering what emit writes can show it: output streams
	// past a slow file without a write per line.
	Flush func() error
	// Root, if set, confines the run to a directory: names are relative to it and opened
	// through it (os.Root: no ".." component, absolute path or symbolic link may lead out of
	// it, not even a link swapped in while the run goes on; on Linux the kernel resolves each
	// component under the root's descriptor). A name that would leave it is a per-file error,
	// never read. A file that is not a regular file is refused as with JobOptions.RegularOnly.
	// "-" still reads Stdin (name a file called "-" "./-"). Recursive cannot be used with it.
	// Without Root, names are opened as paths, the fast way (file_linux.go).
	Root *os.Root
}

// HashFile returns the digest of the file called name, and its size. A nil ctx is an error
// wrapping ErrNoContext, the file unopened.
func HashFile(ctx context.Context, a Algorithm, name string) (Digest, int64, error) {
	if err := noContext(ctx); err != nil {
		return nil, 0, err
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, NewFileError(name, "open", err)
	}
	defer f.Close()
	d, n, err := HashReader(ctx, a, f)
	if err != nil && ctx.Err() == nil {
		return nil, n, NewFileError(name, "read", err)
	}
	return d, n, err
}

// HashFiles hashes the named files (then those of opts.NamesFrom) in parallel and calls emit
// with each result in the order of names (with directories expanded in place when opts.Recursive), as soon as that result and
// all before it are ready: output streams while later files are still being read. A file that
// cannot be hashed (missing, unreadable, a directory) gives a result with Err set and the run
// goes on. HashFiles returns ctx's error if it was cancelled, emit's error if emit failed (no
// further calls are made), and nil otherwise; a nil ctx is an error wrapping ErrNoContext,
// nothing read.
func HashFiles(ctx context.Context, names []string, opts HashOptions, emit func(FileResult) error) error {
	if err := noContext(ctx); err != nil {
		return err
	}
	a := opts.Algorithm
	if a == 0 {
		a = DefaultAlgorithm
	}
	if !a.Valid() {
		return fmt.Errorf("%w: %s", ErrUnknownAlgorithm, a.Name())
	}
	if opts.Root != nil && opts.Recursive {
		return errors.New("digest: HashOptions.Root cannot be used with Recursive")
	}
	en := newEngine(opts.Workers, opts.BufferSize, opts.Stdin)
	en.root = opts.Root
	en.regular = opts.RegularOnly
	var listErr error // set by the producer; read once en.run has returned
	all := func(yield func(string) bool) {
		for _, n := range names {
			if !yield(n) {
				return
			}
		}
		if opts.NamesFrom != nil {
			for n, err := range opts.NamesFrom {
				if err != nil {
					listErr = err
					return
				}
				if !yield(n) {
					return
				}
			}
		}
	}
	produce := func(send func(*job) bool) {
		expand(all, a, opts.Recursive, send)
	}
	var total Progress
	if opts.Progress != nil {
		// List everything first, with sizes, so that the totals are known.
		var listed []*job
		expand(all, a, opts.Recursive, func(j *job) bool {
			listed = append(listed, j)
			return true
		})
		for _, j := range listed {
			if j.skipped {
				continue
			}
			total.TotalFiles++
			if j.pre == nil && !j.stdin {
				stat := os.Stat
				if opts.Root != nil {
					stat = opts.Root.Stat
				}
				if fi, err := stat(j.name); err == nil && fi.Mode().IsRegular() {
					total.TotalBytes += fi.Size()
				}
			}
		}
		produce = func(send func(*job) bool) {
			for _, j := range listed {
				if !send(j) {
					return
				}
			}
		}
		en.progressEvery = opts.ProgressInterval
		if en.progressEvery <= 0 {
			en.progressEvery = 200 * time.Millisecond
		}
		en.progress = func() {
			p := total
			p.Bytes = en.bytesDone.Load()
			p.Files = int(en.filesDone.Load())
			opts.Progress(p)
		}
	}
	en.flush = opts.Flush
	err := en.run(ctx, produce, func(j *job) error {
		if j.skipped {
			if opts.Skipped != nil {
				opts.Skipped(j.name)
			}
			return nil
		}
		return emit(j.res)
	})
	if err == nil {
		err = listErr
	}
	return err
}

// expand sends one job per name, expanding directories when recursive is set. A walk skips
// signet's temporary files (atomicfile.IsTemporary): each is sent as a job marked skipped,
// which is not hashed, for the consumer to tell in order.
func expand(names iter.Seq[string], a Algorithm, recursive bool, send func(*job) bool) {
	for name := range names {
		if name == "-" {
			if !send(&job{name: name, alg: a, stdin: true}) {
				return
			}
			continue
		}
		if recursive {
			if fi, err := os.Stat(name); err == nil && fi.IsDir() {
				ok := walkDir(name, func(we walkEntry) bool {
					if we.skipped {
						// What a signet run is staging, or what a killed one left:
						// never an artifact to hash or sign.
						return send(&job{name: we.name, alg: a, skipped: true, pre: &FileResult{Name: we.name, Algorithm: a}})
					}
					j := &job{name: we.name, alg: a}
					if we.err != nil {
						j.pre = &FileResult{Name: we.name, Algorithm: a, Err: we.err}
					}
					return send(j)
				})
				if !ok {
					return
				}
				continue
			}
		}
		if !send(&job{name: name, alg: a}) {
			return
		}
	}
}

// ExpandOptions configures Expand.
type ExpandOptions struct {
	// Recursive walks directories, as HashOptions.Recursive.
	Recursive bool
	// Skipped, if set, is called with each temporary of signet a walk skipped, as
	// HashOptions.Skipped.
	Skipped func(name string)
}

// Expand calls fn with each file names stand for, in order, until fn returns false: each
// name as given ("-" included), or with opts.Recursive the regular files below a directory, as
// HashOptions.Recursive walks them (signet's temporary files are skipped, and told to
// opts.Skipped). For a directory that cannot be read fn gets the directory's name and err, a
// *FileError. Expand reads no file.
func Expand(names []string, opts ExpandOptions, fn func(name string, err error) bool) {
	expand(slices.Values(names), 0, opts.Recursive, func(j *job) bool {
		if j.skipped {
			if opts.Skipped != nil {
				opts.Skipped(j.name)
			}
			return true
		}
		var err error
		if j.pre != nil {
			err = j.pre.Err
		}
		return fn(j.name, err)
	})
}

// Job is one file for HashJobs to hash.
type Job struct {
	// Name is the file to open; with Stdin set it only names standard input ("-").
	Name string
	// Stdin reads JobOptions.Stdin instead of opening Name.
	Stdin bool
	// Algorithm is the hash. It must be valid.
	Algorithm Algorithm
	// Err, when set, is the job's outcome, known without hashing: its FileResult carries it.
	Err error
	// Ref is the caller's own data, handed back with the job.
	Ref any
}

// JobOptions configures HashJobs. The zero value hashes on GOMAXPROCS workers with
// BufferSize reads, and has no standard input.
type JobOptions struct {
	Workers    int
	BufferSize int
	Stdin      io.Reader
	// RegularOnly refuses a file that is not a regular file (a named pipe, a device, a
	// socket) with a per-file error matching readlimit.ErrNotFile, without waiting for a
	// pipe's writer or reading a device: for files that must be what was asked to be signed.
	RegularOnly bool
}

// HashJobs is the engine of HashFiles and Check, for callers that list the files themselves
// and do their own work with each digest (sign.SignFiles): produce runs on a goroutine of its
// own and sends jobs until send returns false; the jobs are hashed on opts.Workers workers,
// each with its own buffers (see HashOptions.Workers); consume is called with each job and its result in the order the jobs
// were sent, as soon as that result and all before it are ready. Only a window of jobs is in
// flight ahead of consume, so memory stays bounded however many files there are.
//
// HashJobs returns consume's first error (it is then called no more), ctx's error if ctx
// ended first, and nil otherwise. A worker reading a file that never ends (a FIFO with no
// writer) is not waited for once ctx has ended. A nil ctx is an error wrapping ErrNoContext,
// produce never called.
func HashJobs(ctx context.Context, opts JobOptions, produce func(send func(Job) bool), consume func(Job, FileResult) error) error {
	if err := noContext(ctx); err != nil {
		return err
	}
	en := newEngine(opts.Workers, opts.BufferSize, opts.Stdin)
	en.regular = opts.RegularOnly
	return en.run(ctx, func(send func(*job) bool) {
		produce(func(j Job) bool {
			ij := &job{name: j.Name, alg: j.Algorithm, stdin: j.Stdin, ref: j}
			if j.Err != nil {
				ij.pre = &FileResult{Name: j.Name, Algorithm: j.Algorithm, Err: j.Err}
			}
			return send(ij)
		})
	}, func(ij *job) error { return consume(ij.ref.(Job), ij.res) })
}

// flushDelay is how long a result may keep buffered output waiting.
const flushDelay = 20 * time.Millisecond

// job is one unit of work of the engine: a file to hash, or a result known already.
type job struct {
	name  string
	alg   Algorithm
	stdin bool
	pre   *FileResult // result known without hashing: skip the workers
	// skipped marks a temporary of signet's that a walk skipped: not a file of the run, only
	// told to HashOptions.Skipped in its place in the order.
	skipped bool
	ref     any // the producer's own data, for the consumer
	res     FileResult
	done    chan struct{} // closed when res is set
}

// engine hashes jobs on a bounded pool of workers and hands results back in job order.
type engine struct {
	workers int
	bufSize int
	stdin   io.Reader
	regular bool     // refuse special files (JobOptions.RegularOnly)
	root    *os.Root // open names through it (HashOptions.Root)

	bytesDone atomic.Int64
	filesDone atomic.Int64
	busy      atomic.Int64 // workers hashing a file now

	progress      func()
	progressEvery time.Duration
	flush         func() error
}

func newEngine(workers, bufSize int, stdin io.Reader) *engine {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if bufSize <= 0 {
		bufSize = BufferSize
	}
	return &engine{workers: workers, bufSize: bufSize, stdin: stdin}
}

// run starts produce on its own goroutine and the workers on theirs, and calls consume with
// each job, in the order produce sent them, once its result is ready. At most a window of jobs
// is in flight ahead of consume, so memory stays bounded even for millions of files.
func (en *engine) run(parent context.Context, produce func(send func(*job) bool), consume func(*job) error) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()

	window := 4*en.workers + 64
	order := make(chan *job, window)
	files := make(chan *job, en.workers)
	stdins := make(chan *job, window) // standard input is read by one goroutine, in order

	var wg, workers sync.WaitGroup
	wg.Go(func() {
		defer close(order)
		defer close(files)
		defer close(stdins)
		produce(func(j *job) bool {
			j.done = make(chan struct{})
			select {
			case order <- j:
			case <-ctx.Done():
				return false
			}
			if j.pre != nil {
				j.res = *j.pre
				if !j.skipped {
					en.filesDone.Add(1)
				}
				close(j.done)
				return true
			}
			to := files
			if j.stdin {
				to = stdins
			}
			select {
			case to <- j:
				return true
			case <-ctx.Done():
				return false
			}
		})
	})
	for range en.workers {
		workers.Go(func() { en.work(ctx, files) })
	}
	// The standard input reader is not waited for when the run is cancelled: a read from a
	// pipe or terminal cannot be interrupted. Nor are the file workers when the caller's
	// context ended: opening a FIFO that has no writer, or reading a hung network file,
	// cannot be interrupted either, and a stopped run must return.
	var stdinWG sync.WaitGroup
	stdinWG.Go(func() { en.work(ctx, stdins) })

	var tick <-chan time.Time
	if en.progress != nil {
		t := time.NewTicker(en.progressEvery)
		defer t.Stop()
		tick = t.C
	}
	// Output is flushed only when a result keeps us waiting for flushDelay: small files
	// complete faster than that, so their lines go out in large writes, while a slow file
	// never holds back the lines before it for long.
	flushTimer := time.NewTimer(time.Hour)
	flushTimer.Stop()
	defer flushTimer.Stop()
	err := func() error {
		for j := range order {
			if err := ctx.Err(); err != nil {
				return err
			}
			select {
			case <-j.done:
			default:
				if en.flush != nil {
					flushTimer.Reset(flushDelay)
				}
			wait:
				for {
					select {
					case <-j.done:
						break wait
					case <-flushTimer.C:
						if err := en.flush(); err != nil {
							return err
						}
					case <-tick:
						en.progress()
					case <-ctx.Done():
						return ctx.Err()
					}
				}
				flushTimer.Stop()
			}
			if err := consume(j); err != nil {
				return err
			}
		}
		return ctx.Err()
	}()
	cancel()
	wg.Wait()
	if err == nil || parent.Err() == nil {
		workers.Wait()
	}
	if err == nil {
		stdinWG.Wait()
	}
	if en.progress != nil {
		en.progress()
	}
	return err
}

// work hashes the jobs it receives with its own buffers and hash states, reused from file to
// file: no allocation per file beyond the digest.
func (en *engine) work(ctx context.Context, jobs <-chan *job) {
	bufs := &buffers{size: en.bufSize, readAhead: true, busy: &en.busy, cores: runtime.GOMAXPROCS(0)}
	var hs [len(algorithms)]hash.Hash
	count := func(n int) { en.bytesDone.Add(int64(n)) }
	for j := range jobs {
		h := hs[j.alg]
		if h == nil {
			h = j.alg.New()
			hs[j.alg] = h
		} else {
			h.Reset()
		}
		en.busy.Add(1)
		j.res = en.hashOne(ctx, j, h, bufs, count)
		en.busy.Add(-1)
		en.filesDone.Add(1)
		close(j.done)
	}
}

func (en *engine) hashOne(ctx context.Context, j *job, h hash.Hash, bufs *buffers, count func(int)) FileResult {
	res := FileResult{Name: j.name, Algorithm: j.alg}
	var ferr *FileError
	if j.stdin {
		if en.stdin == nil {
			res.Err = &FileError{Name: j.name, Op: "open", Err: ErrNoStdin}
			return res
		}
		n, err := hashInto(ctx, h, en.stdin, bufs.first(), count)
		res.Size = n
		if err != nil {
			ferr = NewFileError(j.name, "read", err)
		}
	} else if en.root != nil {
		res.Size, ferr = hashInRoot(ctx, h, en.root, j.name, bufs, count)
	} else {
		res.Size, ferr = hashPath(ctx, h, j.name, bufs, count, en.regular)
	}
	if ferr != nil {
		res.Err = ferr
		return res
	}
	res.Digest = h.Sum(nil)
	return res
}

// Reading ahead (hashAhead, on Linux): a file larger than readAheadMin is read on a goroutine
// of its own while the worker hashes, when a core is free for it, in readAheadSize reads into
// two buffers that take turns. Reads that large keep the hand-offs between the goroutines few
// (each wakes the reader through the runtime and the kernel): with 256 KiB reads the run took
// 1.08-1.17 times the CPU time of reading in the worker, with 1 MiB reads 1.0-1.08 (bench/hash).
const (
	readAheadMin  = 1 << 20
	readAheadSize = 1 << 20
	readAheadBufs = 2
)

// buffers are one worker's read buffers: the first, for every file, and with readAhead set
// readAheadBufs more for reading a large file ahead of the hash. They are made on first use
// and kept from file to file.
type buffers struct {
	size      int
	readAhead bool
	busy      *atomic.Int64 // if set, the workers hashing now: read ahead only if fewer than cores
	cores     int
	bufs      [][]byte
}

// first is the buffer every file is read into first.
func (b *buffers) first() []byte {
	if len(b.bufs) == 0 {
		b.bufs = append(b.bufs, make([]byte, b.size))
	}
	return b.bufs[0]
}

// ahead tells whether a large file may be read ahead now: when every core has a worker
// hashing, a read-ahead goroutine would only take time from another file.
func (b *buffers) ahead() bool {
	return b.readAhead && (b.busy == nil || int(b.busy.Load()) < b.cores)
}

// all is the first buffer and the read-ahead ones.
func (b *buffers) all() [][]byte {
	b.first()
	for len(b.bufs) < 1+readAheadBufs {
		b.bufs = append(b.bufs, make([]byte, readAheadSize))
	}
	return b.bufs
}

// drop forgets the buffers, which a read-ahead goroutine that was not waited for may still be
// reading into.
func (b *buffers) drop() { b.bufs = nil }
