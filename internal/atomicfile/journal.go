package atomicfile

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// journalName is the file in a Batch's first staging directory that holds the batch's records
// once they outgrow journalBuffer, so that a batch of a million signatures does not hold a
// million records in memory until its commit (issue 15).
const journalName = "journal"

// journalBuffer is how many bytes of records a batch keeps in memory before it writes them to
// its journal file: a batch of a few files never makes one. Tests lower it.
var journalBuffer = 16 << 10

// journal is a batch's records of its staged files, in the order they were staged: the
// first ones in a file (f, flushed bytes of it), the last ones in buf. A record is about 20
// bytes and the target's name.
type journal struct {
	buf     []byte
	f       *os.File
	flushed int64
	n       int      // records
	ids     []fileID // where a file's identity cannot be written down (idInline is false)
}

// record is one staged file as the journal keeps it.
type record struct {
	stage int // index in Batch.stageList
	num   int64
	id    fileID
	force bool
	path  string
}

// add appends rec; dir is where the journal file is made when the records outgrow the buffer.
// On error the journal is as it was: rec is not in it (its caller removes the staged file).
func (j *journal) add(rec record, dir string) (err error) {
	b := j.buf
	before, nids := len(b), len(j.ids)
	defer func() {
		if err != nil {
			// Written to the file or not, bytes past flushed are not records; rec's bytes
			// in buf are dropped, those of the records before kept for the next write.
			j.buf, j.ids = j.buf[:before], j.ids[:nids]
			j.n--
		}
	}()
	b = binary.AppendUvarint(b, uint64(rec.stage))
	b = binary.AppendUvarint(b, uint64(rec.num))
	if idInline {
		b = rec.id.appendTo(b)
	} else {
		j.ids = append(j.ids, rec.id)
	}
	force := byte(0)
	if rec.force {
		force = 1
	}
	b = append(b, force)
	b = binary.AppendUvarint(b, uint64(len(rec.path)))
	b = append(b, rec.path...)
	j.buf = b
	j.n++
	if len(j.buf) < journalBuffer {
		return nil
	}
	if j.f == nil {
		f, err := os.OpenFile(filepath.Join(dir, journalName), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("journal: %w", err)
		}
		j.f = f
	}
	if _, err := j.f.WriteAt(j.buf, j.flushed); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	j.flushed += int64(len(j.buf))
	j.buf = j.buf[:0]
	return nil
}

// all yields the records in the order they were added, then a nil error; or a read error,
// after which it stops.
func (j *journal) all(yield func(record, error) bool) {
	j.from(0, 0, func(rec record, _ int64, err error) bool { return yield(rec, err) })
}

// countingReader counts the bytes read through it: where each record starts.
type countingReader struct {
	r *bufio.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

// from yields the records from the one of index k that starts at byte off (0, 0: the first),
// each with the byte where it starts, in the order they were added; or a read error, after
// which it stops.
func (j *journal) from(off int64, k int, yield func(record, int64, error) bool) {
	var r io.Reader
	switch {
	case off >= j.flushed:
		r = bytes.NewReader(j.buf[off-j.flushed:])
	default:
		r = io.MultiReader(io.NewSectionReader(j.f, off, j.flushed-off), bytes.NewReader(j.buf))
	}
	br := &countingReader{r: bufio.NewReaderSize(r, 32<<10), n: off}
	var name []byte
	for ; k < j.n; k++ {
		at := br.n
		var rec record
		var v [2]uint64
		var err error
		for k := range v {
			if v[k], err = binary.ReadUvarint(br); err != nil {
				break
			}
		}
		if err == nil {
			if idInline {
				rec.id, err = readFileID(br)
			} else {
				rec.id = j.ids[k]
			}
		}
		var force byte
		if err == nil {
			force, err = br.ReadByte()
		}
		var n uint64
		if err == nil {
			n, err = binary.ReadUvarint(br)
		}
		if err == nil && n > 1<<20 {
			err = errors.New("a record's name is too long")
		}
		if err == nil {
			if uint64(cap(name)) < n {
				name = make([]byte, n)
			}
			name = name[:n]
			_, err = io.ReadFull(br, name)
		}
		if err != nil {
			yield(record{}, at, fmt.Errorf("read the staging journal: %w", err))
			return
		}
		rec.stage, rec.num, rec.force, rec.path = int(v[0]), int64(v[1]), force == 1, string(name)
		if !yield(rec, at, nil) {
			return
		}
	}
}

// close closes the journal file; the staging directory's removal unlinks it.
func (j *journal) close() {
	if j.f != nil {
		j.f.Close()
	}
	*j = journal{}
}
