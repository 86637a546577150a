//go:build !unix

package sign

import "io/fs"

// fileKey is a file's identity where there is one to take; here there is none, and
// checkNotInputs compares with os.SameFile.
type fileKey struct{}

func fileKeyOf(fs.FileInfo) (fileKey, bool) { return fileKey{}, false }
