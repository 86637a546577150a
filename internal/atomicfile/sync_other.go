//go:build !linux

package atomicfile

import (
	"errors"
	"fmt"
	"os"
)

// syncStaged makes each staged file's data durable.
func (b *Batch) syncStaged() error {
	for rec, err := range b.journal.all {
		if err != nil {
			return err
		}
		p := b.pending(rec)
		f, err := os.OpenFile(p.tmp(), os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("sync %s: %w", p.path, err)
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return fmt.Errorf("sync %s: %w", p.path, err)
		}
	}
	return nil
}

// renameNoReplace is not available here; the caller links instead.
func renameNoReplace(oldpath, newpath string) error { return errors.ErrUnsupported }

// exchange is not available here; the caller links instead.
func exchange(a, b string) error { return errors.ErrUnsupported }
