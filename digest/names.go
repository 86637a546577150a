package digest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
)

// MaxListedName bounds one name in a list of file names (ReadNames): a longer record is an
// error, not a buffer that grows without end on hostile input. Linux's PATH_MAX is 4096.
const MaxListedName = 4096

// ErrNameList is wrapped by the errors of ReadNames about the list itself (a name too long, a
// NUL byte in a newline-separated list).
var ErrNameList = errors.New("list of file names")

// ReadNames reads file names from r, the list of `--files-from`, one at a time: memory holds
// one name, however long the list. Names are separated by NUL bytes when null is set, or when
// the list's first block (what its first read returns, up to 64 KiB) holds a NUL byte (find
// -print0, git ls-files -z); otherwise by newlines (find -print, ls -1). Names are taken byte for byte: no trimming of spaces or
// carriage returns, no quoting; empty records (a blank line, the final separator) are skipped.
// A name "-" in a list is a file called "-" (returned as "./-"), never standard input.
//
// The iterator yields each name with a nil error, and stops after yielding a non-nil error: a
// read error, or an error wrapping ErrNameList that gives the record's number. A nil r is a
// read error wrapping ErrNoStdin.
func ReadNames(r io.Reader, null bool) iter.Seq2[string, error] {
	r = orNoInput(r)
	return func(yield func(string, error) bool) {
		br := bufio.NewReaderSize(r, 64<<10)
		sep := byte('\n')
		if null {
			sep = 0
		} else {
			// Look at what the first read brought, without waiting for more: a list that
			// comes slowly down a pipe is worked on as it comes.
			br.Peek(1)
			if head, _ := br.Peek(br.Buffered()); bytes.IndexByte(head, 0) >= 0 {
				sep = 0
			}
		}
		var name []byte
		n := 0
		for {
			chunk, err := br.ReadSlice(sep)
			if len(name)+len(chunk) > MaxListedName+1 {
				yield("", fmt.Errorf("%w: name %d is longer than %d bytes", ErrNameList, n+1, MaxListedName))
				return
			}
			name = append(name, chunk...)
			if err == bufio.ErrBufferFull {
				continue
			}
			if err != nil && err != io.EOF {
				yield("", err)
				return
			}
			rec := bytes.TrimSuffix(name, []byte{sep})
			if len(rec) > 0 {
				n++
				if sep != 0 && bytes.IndexByte(rec, 0) >= 0 {
					yield("", fmt.Errorf("%w: name %d holds a NUL byte (a NUL-separated list? give --null)", ErrNameList, n))
					return
				}
				s := string(rec)
				if s == "-" {
					s = "./-"
				}
				if !yield(s, nil) {
					return
				}
			}
			if err == io.EOF {
				return
			}
			name = name[:0]
		}
	}
}

// noInput is the reader of a caller who gave none (a nil io.Reader): every read fails with
// an error wrapping ErrNoStdin, where reading nil would panic.
type noInput struct{}

func (noInput) Read([]byte) (int, error) {
	return 0, fmt.Errorf("digest: no reader given: %w", ErrNoStdin)
}

// orNoInput is r, or noInput when r is nil.
func orNoInput(r io.Reader) io.Reader {
	if r == nil {
		return noInput{}
	}
	return r
}
