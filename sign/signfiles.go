package sign

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/atomicfile"
	"github.com/signet-pki/signet/internal/readlimit"
	"github.com/signet-pki/signet/sigformat"
)

// FilesOptions configures SignFiles. The zero value signs each file into FILE plus the
// format's extension, refusing to replace existing files.
type FilesOptions struct {
	// Out names the signature file when there is one signature: one file, or a Manifest.
	// Empty means the default name (the signed file's name followed by the format's Extension).
	// "-" writes the signature to Stdout.
	Out    string
	Stdout io.Writer
	// Force replaces existing output files.
	Force bool
	// Recursive expands directories into the regular files below them, as
	// digest.HashOptions does.
	// Files that look like signatures (names ending in .sig, .p7s or .sigstore.json) found
	// in a directory are skipped, so that signing a tree again does not sign its signatures;
	// named on the command line they are signed like any file.
	Recursive bool
	// Manifest, when set, makes SignFiles write a checksum list of the files under this name
	// (in coreutils' format, with names relative to the list's directory, so that `sha256sum
	// -c` run there checks it) and sign that list instead of each file. Standard input ("-")
	// cannot be listed: it is refused (ErrUnsupported) before anything is read. A file outside
	// the list's directory (a name with "..", or a symbolic link, of the file or of a directory
	// above it, that resolves outside) is refused (ErrOutsideList) before anything is written,
	// unless AllowOutside: verify.VerifyManifest refuses such a name unless told to allow it,
	// so the list would not verify as made.
	Manifest string
	// AllowOutside lists files outside the Manifest's directory, as
	// verify.ManifestOptions.AllowOutside accepts them.
	AllowOutside bool
	// ListAlgorithm is the hash of a Manifest's entries; zero means the Signer's algorithm.
	// A minisign signature always hashes with BLAKE2b-512, so this is how a minisign-signed
	// list can be SHA512SUMS.
	ListAlgorithm digest.Algorithm
	// Workers is the number of files hashed at once; zero means GOMAXPROCS.
	Workers int
	// SignWorkers is the number of signatures made at once; zero means GOMAXPROCS. Token keys
	// sign on a pool of sessions, so they gain from it too.
	SignWorkers int
	// Stdin is read for the file name "-" (which needs Out).
	Stdin io.Reader
	// Reads are the other files the run reads (the key, its certificate, a passphrase file):
	// no output may be one of them, whatever Force says (ErrOutputIsInput).
	Reads []ReadFile
	// Skipped, if set, is called with each temporary of signet that a recursive walk
	// skipped (digest.HashOptions.Skipped), before anything is read: the CLI warns of each.
	Skipped func(name string)
	// SkippedSignature, if set, is called with each file a recursive walk found and did not
	// sign because its name is a signature's (FILE.sig, .p7s, .sigstore.json, .tsr): the CLI
	// says so, so that no file is left out of a release in silence.
	SkippedSignature func(name string)
	// Receipts, if set, is given each receipt, in the order of the files, once every
	// signature is in place, and SignFiles returns no slice of them: a run over a million
	// files then holds no receipt per file (issue 15). Its first error ends the calls and is
	// SignFiles' error; the signatures stay written.
	Receipts func(Receipt) error
	// SkippedSignatureOf, if set, leaves out of the files to sign each one named like the
	// signature of another file to sign (FILE.sigstore.json, FILE.p7s or FILE.minisig, the same name and
	// the extension), that holds such a signature (sigformat.DetectFile), and that has no
	// signature of its own among the files to sign, and tells it with that other file: so
	// that a list of a release's files that already holds their signatures can be signed
	// again (with Force). A FILE.sig is signed like any file (a raw signature cannot be told
	// from data). Names are compared cleaned, relative to the working directory, and a match
	// is confirmed as one file (sigformat.SignatureOf). With Manifest, the signatures are
	// left out of the list.
	SkippedSignatureOf func(sig, of string)
	// NamesFrom, if set, gives more names after those SignFiles is called with, as they are
	// read (a list of a million names is never in memory at once: see SignFiles). Its first
	// error ends the run before any file is read, and is SignFiles' error. With Recursive or
	// Manifest its names are all taken first, and held.
	NamesFrom iter.Seq2[string, error]
	// Progress, if set, is called about every ProgressInterval (zero: 200ms) while files are
	// hashed and signed, and once when every signature is made, before they are moved into
	// place, from a goroutine of its own (never two calls at once). Files counts the
	// signatures made, Bytes the bytes they cover; the totals are known up front (setting it
	// makes SignFiles read each file's size before it starts), as digest.HashOptions.Progress.
	Progress         func(digest.Progress)
	ProgressInterval time.Duration
}

// FilesError is returned by SignFiles when some files could not be read or signed. Nothing
// was written: a run that signs many files leaves all of their signatures or none, so that
// a failed release step can be run again as it is.
type FilesError struct {
	// Failed holds one error per file that failed (a *digest.FileError for a file that could
	// not be read), in the order of the files.
	Failed []error
	// Total is the number of files the run was to sign.
	Total int
}

func (e *FilesError) Error() string {
	if e.Total == 1 && len(e.Failed) == 1 {
		return e.Failed[0].Error()
	}
	return fmt.Sprintf("%d of %d files could not be signed; nothing was written", len(e.Failed), e.Total)
}

// Unwrap gives errors.Is and errors.As every file's error.
func (e *FilesError) Unwrap() []error { return e.Failed }

// maxMessage bounds the files read whole into memory, which Ed25519 raw and bundle signatures
// need (pure Ed25519 signs the message, not a digest).
const maxMessage = 1 << 30

// staged is a signature on its way to its file (and a raw signature's timestamp token, for
// out+TimestampExtension).
type staged struct {
	out      string
	sig, tsr []byte
}

// outName is the signature file of the file name: opts.Out, or name and the format's
// extension; "" for standard input without opts.Out.
func outName(s *Signer, name string, opts FilesOptions) string {
	switch {
	case opts.Out != "":
		return opts.Out
	case name != "-":
		return name + s.opts.Format.Extension()
	}
	return ""
}

// SignFiles signs every named file (then those of opts.NamesFrom) with s, or with
// opts.Manifest a checksum list of them, and writes the signatures, all or none: when any
// file cannot be read or signed the error is a *FilesError listing them and no output file is
// left. Files are hashed in parallel (the hashing engine of digest.HashFiles), signed on a
// pool of opts.SignWorkers, and staged in parallel; the signatures are moved into place only
// once every one of them is ready (see atomicfile.Batch: with opts.Force the files they
// replace are kept until all are in place, and a failure puts them back). A name given twice
// is signed once.
//
// Before anything is read, an output that is one of the files to sign or opts.Reads (the same
// name, or the same file under another name) is refused with an error wrapping ErrOutputIsInput, whatever
// opts.Force says, an existing output without opts.Force with an error wrapping
// atomicfile.ErrExists, two names of one file ("a" and "./a", whose signatures would be one
// file) with an error naming the second signature, and names that expand to no file
// (directories that hold none) with an error wrapping ErrNoFiles.
//
// When ctx ends first, SignFiles stops, removes what it staged (and, if it was moving files
// into place, takes them back), and returns an error wrapping ErrCanceled and ctx's cause.
//
// Memory does not grow with the number of files, but for 8 bytes a file while the outputs
// are checked, before any file is read (and for names given to it as a slice, which the
// caller holds; with Recursive or Manifest, opts.NamesFrom's names too). The names, once
// expanded, are put aside in a scratch file in the staging directory of the first signature
// (or, if none can be made there, in an unnamed temporary file) past 64 KiB, and read again
// for each pass; the digests wait there for their receipts; the staging batch keeps its
// records in its journal (atomicfile.Batch); and with opts.Receipts no receipt is held. A
// file that fails is held with its error, to be reported.
//
// A nil s or ctx is refused (ErrUnsupported) before anything is read.
func SignFiles(ctx context.Context, s *Signer, names []string, opts FilesOptions) ([]Receipt, error) {
	switch {
	case s == nil:
		return nil, &kindError{msg: "sign: no Signer", kind: ErrUnsupported}
	case ctx == nil:
		return nil, &kindError{msg: "sign: no context", kind: ErrUnsupported}
	}
	if opts.NamesFrom != nil && (opts.Manifest != "" || opts.Recursive) {
		// A manifest lists every name; a recursive run tells the names given from the files
		// found below them: both hold the names.
		for n, err := range opts.NamesFrom {
			if err != nil {
				return nil, err
			}
			names = append(names, n)
		}
		opts.NamesFrom = nil
	}
	if len(names) == 0 && opts.NamesFrom == nil {
		return nil, ErrNoFiles
	}
	if opts.Manifest != "" {
		if opts.SkippedSignatureOf != nil {
			// The list names the artifacts, not the signatures an earlier run left beside them.
			var err error
			if names, err = WithoutSignatures(names, opts.SkippedSignatureOf); err != nil {
				return nil, err
			}
		}
		rs, err := signManifest(ctx, s, names, opts)
		if err != nil || opts.Receipts == nil {
			return rs, err
		}
		for _, r := range rs {
			if err := opts.Receipts(r); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	r := &filesRun{s: s, opts: opts, batch: &atomicfile.Batch{SyncOnCommit: true, Distinct: true}}
	defer r.close()
	return r.run(ctx, names)
}

// filesRun is one run of SignFiles over many files.
type filesRun struct {
	s     *Signer
	opts  FilesOptions
	batch *atomicfile.Batch
	// scratchDir is where the run puts aside what it does not hold in memory: the
	// directory of its first signature, in the batch's staging directory there.
	scratchDir string
	items      *itemList
	ds         *digestStore
}

func (r *filesRun) close() {
	if r.items != nil {
		r.items.sp.Close()
	}
	if r.ds != nil {
		r.ds.close()
	}
	r.batch.Abort() // what is left of the staging directories, after a commit or not
}

// scratch makes a scratch file: in the batch's staging directory beside the first signature,
// or, where none can be made, an unnamed temporary file.
func (r *filesRun) scratch() (*os.File, error) {
	if r.scratchDir != "" {
		if f, err := r.batch.Scratch(r.scratchDir); err == nil {
			return f, nil
		}
	}
	f, err := os.CreateTemp("", "signet-sign-")
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	os.Remove(f.Name())
	return f, nil
}

func (r *filesRun) run(ctx context.Context, names []string) ([]Receipt, error) {
	s, opts := r.s, r.opts
	items, err := r.list(names)
	if err != nil {
		return nil, err
	}
	r.items = items
	if opts.Out != "" && items.live != 1 {
		return nil, &kindError{msg: fmt.Sprintf("sign: one output name for %d files", items.live), kind: ErrUnsupported}
	}
	for it, err := range items.all {
		if err != nil {
			return nil, err
		}
		if it.err == nil && outName(s, it.name, opts) == "" {
			return nil, &kindError{msg: fmt.Sprintf("sign: %s needs an output name", digest.QuoteName(it.name)), kind: ErrUnsupported}
		}
		if s.rawTimestamped() && outName(s, it.name, opts) == "-" {
			return nil, &kindError{msg: "sign: a timestamped raw signature needs a file, for its token beside it (FILE.sig.tsr), not standard output", kind: ErrUnsupported}
		}
	}
	if err := r.checkNotInputs(); err != nil {
		return nil, err
	}
	if err := checkOutputs(r.outputs, opts); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, canceled(ctx)
	}
	// Signatures are staged as they come, so that writing them overlaps hashing and signing;
	// they are moved into place only when all are ready.
	var failed atomic.Bool
	st := newStager(ctx, r.batch, items.live, opts.Force, &failed)
	r.ds = r.newDigestStore()
	prog := startProgress(items, opts)
	var toStdout []byte
	fails := &failures{}
	err = runPipeline(ctx, s, items, r.ds, opts, func(i int, name string, sig, tsr []byte) {
		prog.files.Add(1)
		out := outName(s, name, opts)
		if out == "-" {
			toStdout = sig // one file only (opts.Out)
			return
		}
		st.send(staged{out: out, sig: sig, tsr: tsr})
	}, prog, &failed, fails)
	prog.stop()
	if ctx.Err() != nil {
		st.abort()
		return nil, canceled(ctx)
	}
	if serr := st.wait(); err == nil {
		err = serr
	}
	if err == nil {
		err = r.ds.err
	}
	if err != nil {
		st.abort()
		return nil, err
	}
	if errs := fails.sorted(); len(errs) > 0 {
		st.abort()
		return nil, &FilesError{Failed: errs, Total: items.live}
	}
	if err := st.commit(ctx); err != nil {
		if ctx.Err() != nil {
			// Stopped while moving signatures into place: the commit took back what it
			// had placed, and if it could not, that must be said (which file, where the
			// old one is kept), not lost behind the cancellation.
			ce := &canceledError{cause: context.Cause(ctx)}
			errors.As(err, &ce.rollBack)
			return nil, ce
		}
		return nil, err
	}
	if toStdout != nil {
		if err := writeOne("-", toStdout, false, opts.Stdout); err != nil {
			return nil, err
		}
	}
	return r.receipts()
}

// receipts hands out (opts.Receipts) or returns a receipt for each file, in order.
func (r *filesRun) receipts() ([]Receipt, error) {
	// One summary of the certificate for every receipt, not one each.
	var cert *CertificateSummary
	if c := r.s.Certificate(); c != nil {
		cert = summarize(c)
	}
	at := r.ds.reader()
	var receipts []Receipt
	for it, err := range r.items.all {
		if err != nil {
			return nil, err
		}
		d, err := at(it.i)
		if err != nil {
			return nil, err
		}
		rc := r.s.receipt(it.name, d, outName(r.s, it.name, r.opts))
		rc.Certificate = cert
		if r.opts.Receipts != nil {
			if err := r.opts.Receipts(rc); err != nil {
				return nil, err
			}
			continue
		}
		receipts = append(receipts, rc)
	}
	return receipts, nil
}

// newDigestStore keeps the run's digests until their receipts. A page expects a digest from
// each of its files that is not skipped and not known to fail.
func (r *filesRun) newDigestStore() *digestStore {
	n := r.items.sp.Len()
	counts := map[int]int{}
	expect := func(p int) int {
		if c, ok := counts[p]; ok {
			return c
		}
		c := min(digestPage, n-p*digestPage)
		for i := p * digestPage; i < (p+1)*digestPage && i < n; i++ {
			if r.items.skip.has(i) {
				c--
			} else if r.items.errs[i] != nil {
				c--
			}
		}
		counts[p] = c
		return c
	}
	return &digestStore{size: r.s.alg.Size(), n: n, expect: expect, mk: r.scratch}
}

// failures are the errors of the files that failed, by index.
type failures struct {
	mu   sync.Mutex
	errs map[int]error
}

func (f *failures) set(i int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.errs == nil {
		f.errs = map[int]error{}
	}
	f.errs[i] = err
}

// sorted is the errors in the order of the files.
func (f *failures) sorted() []error {
	f.mu.Lock()
	defer f.mu.Unlock()
	idx := make([]int, 0, len(f.errs))
	for i := range f.errs {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	errs := make([]error, 0, len(idx))
	for _, i := range idx {
		errs = append(errs, f.errs[i])
	}
	return errs
}

// ErrCanceled is wrapped by the error SignFiles returns when its context ended before every
// signature was in place. Nothing was written then: what was staged is removed, and files that
// existed (with Force) are as they were, unless taking back what the commit had placed failed:
// the error then also wraps that *atomicfile.RollBackError, which says which file and where a
// replaced file is kept. The error also wraps the context's cause
// (context.Cause), so a caller that cancelled with a cause of its own (such as the signal that
// stopped the run) finds it with errors.Is or errors.As.
var ErrCanceled = fmt.Errorf("sign: %w", context.Canceled)

// canceledError is ErrCanceled with the context's cause, and the failure of the roll-back
// if a commit that was stopped could not take back everything it had placed.
type canceledError struct {
	cause    error
	rollBack *atomicfile.RollBackError
}

func (e *canceledError) Error() string {
	if e.rollBack != nil {
		return "sign: " + e.cause.Error() + " while signatures were moved into place, and the " + e.rollBack.Error()
	}
	return "sign: " + e.cause.Error() + "; no signature was written"
}

func (e *canceledError) Unwrap() []error {
	if e.rollBack != nil {
		return []error{ErrCanceled, e.cause, e.rollBack}
	}
	return []error{ErrCanceled, e.cause}
}

func canceled(ctx context.Context) error { return &canceledError{cause: context.Cause(ctx)} }

// isSignatureName reports whether a file found by a recursive walk is a signature signet
// would write, and so is not signed again.
func isSignatureName(name string) bool {
	for _, f := range sigformat.Formats() {
		if strings.HasSuffix(name, f.Extension()) || strings.HasSuffix(name, f.Extension()+TimestampExtension) {
			return true
		}
	}
	return false
}

// runPipeline records each file's digest (in ds) or its error (in fails), and hands each
// signature to signed (with the file's index and name) as soon as it is made, from the
// signing workers. Hashing runs on the engine's workers and hands digests over in order;
// signing runs on its own pool.
//
// failed is set as soon as any file fails: the run will write nothing, so no more signatures
// are made.
//
// When ctx ends, runPipeline returns without waiting for a worker that is reading a file (a
// read from a FIFO with no writer never ends), but only once no signature is being made and
// none will be: the caller may close the key as soon as it returns.
func runPipeline(ctx context.Context, s *Signer, items *itemList, ds *digestStore, opts FilesOptions, signed func(i int, name string, sig, tsr []byte), prog *progress, failed *atomic.Bool, fails *failures) error {
	workers := opts.SignWorkers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	type job struct {
		i    int
		name string
		d    digest.Digest // nil for a signature over the message
	}
	toSign := make(chan job, 2*workers)
	// keyMu is held (shared) while a signature is made; keyDone, set under keyMu, says that
	// no more may be made.
	var keyMu sync.RWMutex
	keyDone := false
	sign := func(j job, msg []byte) (sig, tsr []byte, err error) {
		keyMu.RLock()
		defer keyMu.RUnlock()
		if keyDone {
			return nil, nil, ctx.Err()
		}
		if msg != nil {
			var d digest.Digest
			d, sig, err = s.signMessage(j.name, msg)
			if err == nil {
				ds.set(j.i, d)
			}
		} else {
			sig, err = s.SignDigest(j.d)
		}
		if err == nil {
			tsr, err = s.RawTimestamp(sig)
		}
		return sig, tsr, err
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range toSign {
				if failed.Load() || ctx.Err() != nil {
					// The run writes nothing: sign no more, but still find the files that
					// cannot be read, to report them all.
					if s.NeedsMessage() && ctx.Err() == nil {
						if err := checkReadable(j.name); err != nil {
							fails.set(j.i, err)
						}
					}
					continue
				}
				var sig, tsr []byte
				var err error
				if s.NeedsMessage() {
					var msg []byte
					msg, err = readMessage(ctx, j.name, opts.Stdin)
					prog.bytes.Add(int64(len(msg)))
					if err == nil {
						sig, tsr, err = sign(j, msg)
					}
				} else {
					sig, tsr, err = sign(j, nil)
				}
				if err != nil {
					var fe *digest.FileError
					if !errors.As(err, &fe) {
						err = fmt.Errorf("%s: %w", digest.QuoteName(j.name), err)
					}
					fails.set(j.i, err)
					failed.Store(true)
					continue
				}
				signed(j.i, j.name, sig, tsr)
			}
		})
	}
	var runErr error
	if s.NeedsMessage() {
	feed:
		for it, err := range items.all {
			if err != nil {
				runErr = err
				break
			}
			if it.err != nil {
				fails.set(it.i, it.err)
				failed.Store(true)
				continue
			}
			select {
			case toSign <- job{i: it.i, name: it.name}:
			case <-ctx.Done():
				break feed
			}
		}
		if runErr == nil {
			runErr = ctx.Err()
		}
	} else {
		var listErr error
		produce := func(send func(digest.Job) bool) {
			for it, err := range items.all {
				if err != nil {
					listErr = err
					return
				}
				if !send(digest.Job{Name: it.name, Stdin: it.name == "-", Algorithm: s.alg, Err: it.err, Ref: it.i}) {
					return
				}
			}
		}
		jobOpts := digest.JobOptions{Workers: opts.Workers, Stdin: opts.Stdin, RegularOnly: true}
		runErr = digest.HashJobs(ctx, jobOpts, produce, func(j digest.Job, res digest.FileResult) error {
			i := j.Ref.(int)
			if res.Err != nil {
				fails.set(i, res.Err)
				failed.Store(true)
				return nil // go on: every failing file is reported
			}
			ds.set(i, res.Digest)
			prog.bytes.Add(res.Size)
			select {
			case toSign <- job{i: i, name: j.Name, d: slices.Clone(res.Digest)}:
			case <-ctx.Done():
				return ctx.Err()
			}
			return nil
		})
		if runErr == nil {
			runErr = listErr
		}
	}
	close(toSign)
	finished := make(chan struct{})
	go func() {
		wg.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		return runErr
	case <-ctx.Done():
		keyMu.Lock()
		keyDone = true
		keyMu.Unlock()
		return ctx.Err()
	}
}

// readMessage reads a whole file (or standard input) for a signature over the message. A
// file must be a regular file (readlimit.CheckRegular), as signet verify requires of what it
// checks: a device (/dev/zero) would be read up to the cap for nothing, and a named pipe
// either blocks until a writer comes or, opened without waiting, reads as empty, and a
// signature over nothing is not what was asked for. One over maxMessage is refused from its
// size, unread.
func readMessage(ctx context.Context, name string, stdin io.Reader) ([]byte, error) {
	if name == "-" {
		if stdin == nil {
			return nil, &digest.FileError{Name: name, Op: "open", Err: digest.ErrNoStdin}
		}
		data, err := io.ReadAll(io.LimitReader(stdin, maxMessage+1))
		if err != nil {
			return nil, digest.NewFileError(name, "read", err)
		}
		if len(data) > maxMessage {
			return nil, errMessageTooLarge
		}
		return data, ctx.Err()
	}
	if err := readlimit.CheckRegular(name); err != nil {
		return nil, digest.NewFileError(name, "open", err)
	}
	data, err := readlimit.ReadFile(name, maxMessage)
	switch {
	case errors.Is(err, readlimit.ErrTooLarge):
		return nil, errMessageTooLarge
	case err != nil:
		return nil, digest.NewFileError(name, "read", err)
	}
	return data, ctx.Err()
}

// errMessageTooLarge refuses a message over maxMessage: the key and format asked for cannot
// sign it, another format can.
var errMessageTooLarge = fmt.Errorf("%w: over %d MiB, which an Ed25519 signature over the whole message would hold in memory; sign it in the cms format, where Ed25519 signs a SHA-512 digest", ErrUnsupported, maxMessage>>20)

// errTemporary is the reason a temporary file of signet (atomicfile.IsTemporary) is not
// signed: it is what an unfinished run staged, not an artifact.
var errTemporary = errors.New("is a temporary file of an unfinished signet run, not signed")

// checkReadable is readMessage's checks without the reading: the file is a regular file (so
// opening it cannot block) that can be opened.
func checkReadable(name string) error {
	if name == "-" {
		return nil
	}
	if err := readlimit.CheckRegular(name); err != nil {
		return digest.NewFileError(name, "open", err)
	}
	f, err := os.Open(name)
	if err != nil {
		return digest.NewFileError(name, "open", err)
	}
	return f.Close()
}
