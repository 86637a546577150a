// Package atomicfile writes output files so that a reader, or a later run, never sees a
// half-written file: data goes to a temporary file in the target directory, is synced, and is
// then moved into place in one step.
//
// Without Force an existing file is never replaced: the final step is renameat2(2) with
// RENAME_NOREPLACE on Linux, else link(2), both of which fail when the name exists, so two
// concurrent writers cannot both win. With Force it is rename(2).
//
// A Batch prepares several files and commits them together, so that a command producing a key
// and its public half either leaves both or neither.
//
// # Limitations
//
// Atomicity holds on one filesystem; the temporary file is created beside the target for that
// reason. On a filesystem without hard links (some FUSE and network mounts) a write without
// Force falls back to an existence check followed by rename, which has a small race.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrExists is returned when the target exists and Force was not set.
var ErrExists = errors.New("file exists")

// Options controls one write.
type Options struct {
	// Perm is the mode of the new file. Zero means 0644. Private keys use 0600.
	Perm fs.FileMode
	// Force allows replacing an existing file.
	Force bool
}

// WriteFile writes data to path atomically.
func WriteFile(path string, data []byte, opts Options) error {
	var b Batch
	if err := b.Add(path, data, opts); err != nil {
		return err
	}
	return b.Commit()
}

// CheckWritable reports ErrExists (wrapped with the path) when path exists and force is false,
// and an error when path names a directory. Commands call it before expensive work so a refusal
// comes early; the final write checks again.
func CheckWritable(path string, force bool) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.IsDir():
		return &fs.PathError{Op: "write", Path: path, Err: errors.New("is a directory")}
	case !force:
		return &fs.PathError{Op: "write", Path: path, Err: ErrExists}
	}
	return nil
}

type pending struct {
	path, tmp string
	force     bool
}

// Batch is a set of files written together: Add stages each file in a temporary file, Commit
// moves them all into place, and Abort (or a failed Commit) removes everything staged. The zero
// value is ready to use. A Batch is not safe for concurrent use.
type Batch struct {
	// SyncOnCommit defers making the staged data durable to Commit, where one syncfs(2) per
	// directory's filesystem replaces an fsync per file, before any file is moved into place.
	// It is for batches of many small files (a signature per artifact of a release); the zero
	// value syncs each file as it is staged. Elsewhere than Linux, Commit syncs each file.
	SyncOnCommit bool

	files     []pending
	committed []string
}

// Add stages data for path. On error nothing is left on disk for this file; files staged
// earlier stay staged until Commit or Abort.
func (b *Batch) Add(path string, data []byte, opts Options) (err error) {
	if err := CheckWritable(path, opts.Force); err != nil {
		return err
	}
	for _, p := range b.files {
		if p.path == path {
			return &fs.PathError{Op: "write", Path: path, Err: errors.New("named twice as output")}
		}
	}
	perm := opts.Perm
	if perm == 0 {
		perm = 0o644
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("create temporary file for %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	// CreateTemp makes the file 0600; set the final mode before any byte is written, and never
	// widen a private key's mode even briefly.
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if !b.SyncOnCommit {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	b.files = append(b.files, pending{path: path, tmp: tmp, force: opts.Force})
	return nil
}

// Commit moves every staged file into place. If one fails, the files this Commit already
// placed are removed again, the rest of the staged files are deleted, and the error names the
// file that failed.
func (b *Batch) Commit() error {
	if b.SyncOnCommit {
		// The data must be on disk before any name points at it.
		if err := syncStaged(b.files); err != nil {
			b.Abort()
			return err
		}
	}
	for i, p := range b.files {
		if err := place(p); err != nil {
			for _, done := range b.committed {
				os.Remove(done)
			}
			b.committed = nil
			for _, rest := range b.files[i:] {
				os.Remove(rest.tmp)
			}
			b.files = nil
			return err
		}
		b.committed = append(b.committed, p.path)
	}
	// One directory sync per directory makes the renames durable; a batch of a thousand
	// signatures beside their files syncs their directory once, not a thousand times.
	synced := map[string]bool{}
	for _, p := range b.files {
		if dir := filepath.Dir(p.path); !synced[dir] {
			synced[dir] = true
			syncDir(dir)
		}
	}
	b.files, b.committed = nil, nil
	return nil
}

// Abort removes every staged file. It is safe to call after Commit, and more than once.
func (b *Batch) Abort() {
	for _, p := range b.files {
		os.Remove(p.tmp)
	}
	b.files = nil
}

func place(p pending) error {
	if p.force {
		if err := os.Rename(p.tmp, p.path); err != nil {
			return fmt.Errorf("write %s: %w", p.path, err)
		}
		return nil
	}
	err := renameNoReplace(p.tmp, p.path)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrExist):
		os.Remove(p.tmp)
		return &fs.PathError{Op: "write", Path: p.path, Err: ErrExists}
	}
	// No renameat2 here (another OS, an old kernel or a filesystem without it): link, which
	// also fails when the name exists, then drop the temporary name.
	err = os.Link(p.tmp, p.path)
	switch {
	case err == nil:
		os.Remove(p.tmp)
		return nil
	case errors.Is(err, fs.ErrExist):
		os.Remove(p.tmp)
		return &fs.PathError{Op: "write", Path: p.path, Err: ErrExists}
	}
	// No hard links here: check, then rename.
	if _, statErr := os.Lstat(p.path); statErr == nil {
		os.Remove(p.tmp)
		return &fs.PathError{Op: "write", Path: p.path, Err: ErrExists}
	}
	if err := os.Rename(p.tmp, p.path); err != nil {
		os.Remove(p.tmp)
		return fmt.Errorf("write %s: %w", p.path, err)
	}
	return nil
}

// syncDir makes the rename durable; errors are ignored because some filesystems refuse to
// sync a directory and the file itself is already on disk.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
