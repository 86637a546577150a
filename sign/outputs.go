package sign

import (
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/atomicfile"
	"github.com/signet-pki/signet/internal/nameset"
)

// ErrOutputIsInput is wrapped by the error for an output that is one of the files to sign,
// which writing the output would destroy: a usage error, refused whatever Force says.
var ErrOutputIsInput = errors.New("sign: an output is one of the files to sign")

// OutputIsInputError names an output that is one of the files to sign, or another file the
// run reads (FilesOptions.Reads): Output names the same path as Input, or the same file (a
// hard or symbolic link). What is empty for a file to sign, else what Input is ("the --key
// file"). errors.Is(err, ErrOutputIsInput) is true for it.
type OutputIsInputError struct {
	Output, Input string
	What          string
}

func (e *OutputIsInputError) Error() string {
	if e.What != "" {
		return fmt.Sprintf("sign: the output %s is %s %s, which the run reads", digest.QuoteName(e.Output), e.What, digest.QuoteName(e.Input))
	}
	if e.Output == e.Input {
		return fmt.Sprintf("sign: the output %s is one of the files to sign", digest.QuoteName(e.Output))
	}
	return fmt.Sprintf("sign: the output %s is %s, one of the files to sign", digest.QuoteName(e.Output), digest.QuoteName(e.Input))
}

// Is makes errors.Is(err, ErrOutputIsInput) true.
func (e *OutputIsInputError) Is(target error) bool { return target == ErrOutputIsInput }

// ReadFile is a file a signing run reads besides the files it signs (FilesOptions.Reads).
type ReadFile struct {
	Path string
	What string // what it is, for the error: "the --key file"
}

// checkNotInputs refuses an output that is one of the inputs, or one of the other files the
// run reads: the same cleaned absolute path, or, when the output exists, the same file.
// Standard input and output ("-") are neither. Inputs are looked at (stat) only when some
// output exists.
//
// It is a manifest's check (two outputs, the names it lists): what it holds per file is a map
// entry per input keyed by its cleaned name, and the identity (device and inode) of each
// output that exists. A run over many files checks the same with filesRun.checkNotInputs, in
// 8 bytes a file.
func checkNotInputs(outputs, inputs iter.Seq[string], reads []ReadFile) error {
	cwd, err := os.Getwd()
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	key := func(p string) string { return pathKey(cwd, p) }
	byPath := map[string]ReadFile{}
	all := func(yield func(ReadFile) bool) {
		for in := range inputs {
			if !yield(ReadFile{Path: in}) {
				return
			}
		}
		for _, r := range reads {
			if r.Path != "" && !yield(r) {
				return
			}
		}
	}
	for in := range all {
		if in.Path != "-" {
			if _, dup := byPath[key(in.Path)]; !dup {
				byPath[key(in.Path)] = in
			}
		}
	}
	// The outputs that exist, by identity: the same file under two names has one.
	exist := map[fileKey]string{}
	var unkeyed []existing // where a file has no device and inode to compare (not Unix)
	for out := range outputs {
		if out == "" || out == "-" {
			continue
		}
		if in, ok := byPath[key(out)]; ok {
			return &OutputIsInputError{Output: out, Input: in.Path, What: in.What}
		}
		if fi, err := os.Stat(out); err == nil {
			if k, ok := fileKeyOf(fi); ok {
				if _, dup := exist[k]; !dup {
					exist[k] = out
				}
			} else {
				unkeyed = append(unkeyed, existing{ReadFile{Path: out}, fi})
			}
		}
	}
	if len(exist) == 0 && len(unkeyed) == 0 {
		return nil
	}
	for in := range all {
		if in.Path == "-" {
			continue
		}
		fi, err := os.Stat(in.Path)
		if err != nil {
			continue
		}
		if k, ok := fileKeyOf(fi); ok {
			if out, ok := exist[k]; ok {
				return &OutputIsInputError{Output: out, Input: in.Path, What: in.What}
			}
		}
		for _, out := range unkeyed {
			if os.SameFile(out.fi, fi) {
				return &OutputIsInputError{Output: out.in.Path, Input: in.Path, What: in.What}
			}
		}
	}
	return nil
}

type existing struct {
	in ReadFile
	fi fs.FileInfo
}

// pathKey is how a run's names are compared (nameset.Key): the same file named by an absolute
// path and by a relative one gets the same key.
func pathKey(cwd, p string) string { return nameset.Key(cwd, p) }

// checkOutputs refuses early, before any file is read, outputs that exist (without Force).
func checkOutputs(outputs iter.Seq[string], opts FilesOptions) error {
	for out := range outputs {
		if out == "" || out == "-" {
			continue
		}
		if err := atomicfile.CheckWritable(out, opts.Force); err != nil {
			return err
		}
	}
	return nil
}
