// Package namespool puts a run's names aside as they come, in memory up to a bound and then
// in a file, so that a run over a million files holds none of them (issue 15), and gives
// them back in order, or one by its offset. It serves sign's files and verify's
// --files-from.
package namespool

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// Spool holds names, NUL-terminated, in the order given: the first ones in a file (its
// first flushed bytes), the last ones in memory. A name must hold no NUL byte.
type Spool struct {
	buf     []byte
	f       *os.File
	flushed int64
	n       int
	limit   int
	mk      func() (*os.File, error)
	aside   string
	back    string
}

// New returns an empty spool that keeps up to limit bytes of names in memory before it
// writes them to a file that mk makes the first time one is needed (its errors are returned
// as they are; the file is closed by Close). A failure to write names to the file or to read
// them back is an error that starts with aside or back ("sign: put the names aside: ...").
func New(limit int, mk func() (*os.File, error), aside, back string) *Spool {
	return &Spool{limit: limit, mk: mk, aside: aside, back: back}
}

// Add puts name aside, after the others.
func (sp *Spool) Add(name string) error {
	sp.buf = append(append(sp.buf, name...), 0)
	sp.n++
	if len(sp.buf) < sp.limit {
		return nil
	}
	if sp.f == nil {
		f, err := sp.mk()
		if err != nil {
			return err
		}
		sp.f = f
	}
	if _, err := sp.f.WriteAt(sp.buf, sp.flushed); err != nil {
		return fmt.Errorf("%s: %w", sp.aside, err)
	}
	sp.flushed += int64(len(sp.buf))
	sp.buf = sp.buf[:0]
	return nil
}

// Len is the number of names.
func (sp *Spool) Len() int { return sp.n }

// Size is the number of bytes the names take, a NUL after each: every offset is below it.
func (sp *Spool) Size() int64 { return sp.flushed + int64(len(sp.buf)) }

// InFile says whether some names went to the file.
func (sp *Spool) InFile() bool { return sp.f != nil }

// NameAt is the name that starts at offset off.
func (sp *Spool) NameAt(off int64) (string, error) {
	if off >= sp.flushed {
		b := sp.buf[off-sp.flushed:]
		return string(b[:bytes.IndexByte(b, 0)]), nil
	}
	r := bufio.NewReaderSize(io.MultiReader(io.NewSectionReader(sp.f, off, sp.flushed-off), bytes.NewReader(sp.buf)), 512)
	b, err := r.ReadBytes(0)
	if err != nil {
		return "", fmt.Errorf("%s: %w", sp.back, err)
	}
	return string(b[:len(b)-1]), nil
}

// Name is a name of the spool, with its index and its offset.
type Name struct {
	I    int
	Off  int64
	Name string
}

// All yields each name in order; a read error is yielded last.
func (sp *Spool) All(yield func(Name, error) bool) {
	var r io.Reader = bytes.NewReader(sp.buf)
	if sp.f != nil {
		r = io.MultiReader(io.NewSectionReader(sp.f, 0, sp.flushed), r)
	}
	br := bufio.NewReaderSize(r, 64<<10)
	var off int64
	for i := range sp.n {
		b, err := br.ReadSlice(0)
		if errors.Is(err, bufio.ErrBufferFull) {
			b = slices.Clone(b) // the next read reuses the buffer
			var more []byte
			more, err = br.ReadBytes(0)
			b = append(b, more...)
		}
		if err != nil {
			yield(Name{}, fmt.Errorf("%s: %w", sp.back, err))
			return
		}
		if !yield(Name{I: i, Off: off, Name: string(b[:len(b)-1])}, nil) {
			return
		}
		off += int64(len(b))
	}
}

// Close closes the spool's file, if it has one.
func (sp *Spool) Close() {
	if sp.f != nil {
		sp.f.Close()
	}
}
