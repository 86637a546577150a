//go:build !unix

package atomicfile

import (
	"context"
	"errors"
	"os"
)

// tryLock: there is no flock(2) here.
func tryLock(f *os.File) error { return errors.ErrUnsupported }

// removeStaleStage: without locks nothing proves that a staging directory is stale.
func removeStaleStage(dir, name string) {}

// lockDirs: without locks, commits over one directory are not serialised.
func lockDirs(ctx context.Context, dirs []string) (func(), error) { return func() {}, nil }

// openDirNoFollow: staging directories are used by name here.
func openDirNoFollow(path string) (*os.File, error) { return nil, errors.ErrUnsupported }
