package digest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// CheckOptions configures Check. The zero value checks every line with the algorithm its tag
// or digest length gives, prints "name: OK" for each match, and discards the report.
type CheckOptions struct {
	// Algorithm, when not zero, is the only algorithm the lists may use: lines of another
	// algorithm are malformed, and 64-digit untagged lines are read as this algorithm
	// (sha3-256, sha512-256) rather than SHA-256.
	Algorithm Algorithm
	// IgnoreMissing skips listed files that do not exist instead of failing them; a list where
	// nothing was verified still fails ("no file was verified").
	IgnoreMissing bool
	// Strict makes a list with malformed lines fail.
	Strict bool
	// Warn reports each malformed line.
	Warn bool
	// Quiet omits the "name: OK" lines.
	Quiet bool
	// Status prints nothing on Out and no summary warnings: the result alone tells. It wins
	// over Quiet and Warn. Open errors and unusable lists are still reported, as coreutils does.
	Status bool
	// Workers and BufferSize are as in HashOptions.
	Workers    int
	BufferSize int
	// Stdin is read for a list named "-" and for an entry named "-" in a list that is a file.
	Stdin io.Reader
	// Out receives the report, byte for byte what `sha256sum -c` prints on standard output.
	// Check buffers it and flushes before waiting for a slow file and before each Diag.
	Out io.Writer
	// Diag receives what coreutils prints on standard error, in order, without program name.
	Diag func(Diagnostic)
}

// Diagnostic is a message about a list or a file, for standard error.
type Diagnostic struct {
	// Warning is set for the warnings coreutils prefixes with "WARNING:" (the summary counts)
	// and for malformed lines reported under CheckOptions.Warn; otherwise the message is an
	// error about one file or list.
	Warning bool
	// Msg is the message, without program name or level: "1 computed checksum did NOT match",
	// "missing: no such file or directory", "sums.txt: no properly formatted checksum lines
	// found".
	Msg string
	// Err is the error behind the message, if any.
	Err error
}

// CheckSummary counts what Check saw, over all lists.
type CheckSummary struct {
	Lists      int // lists read (whether usable or not)
	OK         int // files that matched
	Mismatched int // files that did not match
	Unreadable int // files that could not be opened or read
	Missing    int // files skipped because they do not exist (IgnoreMissing)
	Malformed  int // malformed lines

	failed  bool  // some list failed the check
	listErr error // the first list that could not be used
}

// Err is the outcome of the check, already reported through Out and Diag: nil if every list
// passed; an error wrapping ErrCheckFailed if any file failed, any list verified nothing, no
// list was checked (the zero CheckSummary too), or (Strict) a list had malformed lines; otherwise, if a list could not be used (unreadable, or with no
// well-formed line), that list's error, wrapping ErrMalformedList or the fs error.
func (s CheckSummary) Err() error {
	switch {
	case s.Lists == 0:
		return fmt.Errorf("%w: no checksum list was checked", ErrCheckFailed)
	case s.failed:
		return fmt.Errorf("%w: %d mismatched, %d unreadable, %d malformed", ErrCheckFailed, s.Mismatched, s.Unreadable, s.Malformed)
	case s.listErr != nil:
		return s.listErr
	}
	return nil
}

// Check verifies the checksum lists named by lists ("-" is opts.Stdin) like `sha256sum -c`:
// the lines in either coreutils form (see ListParser), the report on Out and the diagnostics
// on Diag byte for byte as coreutils 9 writes them (less the program name). The files of a list
// are hashed in parallel and reported in list order as they complete.
//
// The outcome of the check is summary.Err(). The error returned is for a check that could not
// go on: ctx cancelled, or writing to Out failed. No lists (nil or empty) verify nothing: the
// check fails (ErrCheckFailed), with a diagnostic. So does the zero CheckSummary's Err: a
// summary no Check filled in checked nothing, as a nil ctx returns it with an error wrapping
// ErrNoContext, no list read.
func Check(ctx context.Context, lists []string, opts CheckOptions) (CheckSummary, error) {
	if err := noContext(ctx); err != nil {
		return CheckSummary{}, err
	}
	c := &checker{opts: opts, parser: ListParser{Algorithm: opts.Algorithm}}
	if opts.Status {
		c.opts.Quiet, c.opts.Warn = false, false
	}
	out := opts.Out
	if out == nil || opts.Status {
		out = io.Discard
	}
	c.out = bufio.NewWriterSize(out, 32<<10)
	if len(lists) == 0 {
		// Nothing to check verifies nothing, and must not pass: a --files-from list that is
		// empty (a find that matched no file) would otherwise succeed.
		c.sum.failed = true
		c.diag(Diagnostic{Msg: "no checksum list was given: no file was verified", Err: ErrCheckFailed})
	}
	for _, name := range lists {
		if err := c.checkList(ctx, name); err != nil {
			c.out.Flush()
			return c.sum, err
		}
	}
	return c.sum, c.out.Flush()
}

type checker struct {
	opts   CheckOptions
	parser ListParser // shared by all lists, as coreutils' is
	out    *bufio.Writer
	sum    CheckSummary
	line   []byte
}

func (c *checker) diag(d Diagnostic) {
	c.out.Flush()
	if c.opts.Diag != nil {
		c.opts.Diag(d)
	}
}

func (c *checker) listFailed(err error) {
	if c.sum.listErr == nil {
		c.sum.listErr = err
	}
}

// checkEntry is what the producer attaches to each job of a list.
type checkEntry struct {
	line  int
	entry Entry
	bad   bool // malformed line
}

func (c *checker) checkList(ctx context.Context, name string) error {
	c.sum.Lists++
	display := name
	var r io.Reader
	fromStdin := name == "-"
	if fromStdin {
		display = "standard input"
		if c.opts.Stdin == nil {
			err := &FileError{Name: display, Op: "open", Err: ErrNoStdin}
			c.diag(Diagnostic{Msg: err.Error(), Err: err})
			c.listFailed(err)
			return nil
		}
		r = c.opts.Stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			ferr := NewFileError(name, "open", err)
			c.diag(Diagnostic{Msg: ferr.Error(), Err: ferr})
			c.listFailed(ferr)
			return nil
		}
		defer f.Close()
		r = f
	}

	lr := &ListReader{Parser: c.parser, name: display, stdin: fromStdin, r: bufio.NewReaderSize(r, 64<<10)}
	var readErr error
	produce := func(send func(*job) bool) {
		for {
			e, err := lr.Next()
			var le *LineError
			switch {
			case err == io.EOF:
				return
			case errors.As(err, &le):
				bad := &FileResult{}
				if !send(&job{pre: bad, ref: checkEntry{line: le.Line, bad: true}}) {
					return
				}
				continue
			case err != nil:
				readErr = err
				return
			}
			j := &job{name: e.Name, alg: e.Algorithm, stdin: e.Name == "-", ref: checkEntry{line: lr.Line(), entry: e}}
			if !send(j) {
				return
			}
		}
	}

	var (
		properlyFormatted, matched        bool
		malformed, unreadable, mismatched int
	)
	en := newEngine(c.opts.Workers, c.opts.BufferSize, c.opts.Stdin)
	// A list names files to check, not pipes or devices: "/dev/zero" or a named pipe in a
	// list is refused as unreadable, not read for ever or waited on.
	en.regular = true
	en.flush = c.out.Flush
	err := en.run(ctx, produce, func(j *job) error {
		ce := j.ref.(checkEntry)
		if ce.bad {
			malformed++
			c.sum.Malformed++
			if c.opts.Warn {
				le := &LineError{List: display, Line: ce.line}
				c.diag(Diagnostic{Warning: true, Msg: le.Error(), Err: le})
			}
			return nil
		}
		properlyFormatted = true
		res := j.res
		switch {
		case res.Err != nil && c.opts.IgnoreMissing && errors.Is(res.Err, fs.ErrNotExist):
			c.sum.Missing++
			return nil
		case res.Err != nil:
			unreadable++
			c.sum.Unreadable++
			c.diag(Diagnostic{Msg: res.Err.Error(), Err: res.Err})
			return c.report(res.Name, "FAILED open or read")
		case !bytes.Equal(res.Digest, ce.entry.Digest):
			mismatched++
			c.sum.Mismatched++
			return c.report(res.Name, "FAILED")
		default:
			matched = true
			c.sum.OK++
			if !c.opts.Quiet {
				return c.report(res.Name, "OK")
			}
		}
		return nil
	})
	// The parser's state (which untagged form the lists use) carries over to the next list.
	c.parser = lr.Parser
	if err != nil {
		return err
	}
	// A list that ends in a read error or a line too long is not usable, and coreutils prints
	// no summary after a read error; but a file already reported FAILED before it fails the
	// check as it would in any other list (exit 1, not 3: the failure wins), and so does an
	// improperly formatted line under --strict.
	if readErr != nil && (mismatched > 0 || unreadable > 0 || c.opts.Strict && malformed > 0) {
		c.sum.failed = true
	}
	var long *LineTooLongError
	if errors.As(readErr, &long) {
		c.diag(Diagnostic{Msg: long.Error(), Err: long})
		c.listFailed(long)
		return nil
	}
	if readErr != nil {
		ferr := NewFileError(display, "read", readErr)
		c.diag(Diagnostic{Msg: QuoteName(display) + ": read error", Err: ferr}) // coreutils' words
		c.listFailed(ferr)
		return nil
	}
	if !properlyFormatted {
		err := fmt.Errorf("%w: %s: no properly formatted checksum lines found", ErrMalformedList, QuoteName(display))
		c.diag(Diagnostic{Msg: fmt.Sprintf("%s: no properly formatted checksum lines found", QuoteName(display)), Err: err})
		c.listFailed(err)
		return nil
	}
	if !c.opts.Status {
		if malformed > 0 {
			c.diag(Diagnostic{Warning: true, Msg: plural(malformed, "line is improperly formatted", "lines are improperly formatted")})
		}
		if unreadable > 0 {
			c.diag(Diagnostic{Warning: true, Msg: plural(unreadable, "listed file could not be read", "listed files could not be read")})
		}
		if mismatched > 0 {
			c.diag(Diagnostic{Warning: true, Msg: plural(mismatched, "computed checksum did NOT match", "computed checksums did NOT match")})
		}
		if c.opts.IgnoreMissing && !matched {
			c.diag(Diagnostic{Msg: QuoteName(display) + ": no file was verified"})
		}
	}
	if !matched || mismatched > 0 || unreadable > 0 || (c.opts.Strict && malformed > 0) {
		c.sum.failed = true
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// report writes "name: STATUS\n" as sha256sum -c does. The error is the first write error
// (bufio keeps it), so that a closed pipe stops the check.
func (c *checker) report(name, status string) error {
	c.line = appendReportName(c.line[:0], name)
	c.line = append(c.line, ": "...)
	c.line = append(c.line, status...)
	c.line = append(c.line, '\n')
	_, err := c.out.Write(c.line)
	return err
}
