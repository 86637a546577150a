package sign

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/atomicfile"
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
func checkNotInputs(outputs, inputs []string, reads []ReadFile) error {
	all := make([]ReadFile, 0, len(inputs)+len(reads))
	for _, in := range inputs {
		all = append(all, ReadFile{Path: in})
	}
	for _, r := range reads {
		if r.Path != "" {
			all = append(all, r)
		}
	}
	cwd, err := os.Getwd()
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return filepath.Clean(p)
		}
		return filepath.Join(cwd, p)
	}
	byPath := make(map[string]ReadFile, len(all))
	for _, in := range all {
		if in.Path != "-" {
			if _, dup := byPath[abs(in.Path)]; !dup {
				byPath[abs(in.Path)] = in
			}
		}
	}
	type existing struct {
		in ReadFile
		fi fs.FileInfo
	}
	var exist []existing
	for _, out := range outputs {
		if out == "" || out == "-" {
			continue
		}
		if in, ok := byPath[abs(out)]; ok {
			return &OutputIsInputError{Output: out, Input: in.Path, What: in.What}
		}
		if fi, err := os.Stat(out); err == nil {
			exist = append(exist, existing{ReadFile{Path: out}, fi})
		}
	}
	if len(exist) == 0 {
		return nil
	}
	// The same file under two names has one size and one modification time: compare only
	// those with os.SameFile, so that --force over thousands of files stays linear.
	type key struct {
		size  int64
		mtime int64
	}
	byKey := map[key][]existing{}
	for _, in := range all {
		if in.Path == "-" {
			continue
		}
		if fi, err := os.Stat(in.Path); err == nil {
			k := key{fi.Size(), fi.ModTime().UnixNano()}
			byKey[k] = append(byKey[k], existing{in, fi})
		}
	}
	for _, out := range exist {
		for _, in := range byKey[key{out.fi.Size(), out.fi.ModTime().UnixNano()}] {
			if os.SameFile(out.fi, in.fi) {
				return &OutputIsInputError{Output: out.in.Path, Input: in.in.Path, What: in.in.What}
			}
		}
	}
	return nil
}

// checkOutputs refuses early, before any file is read, outputs that exist (without Force).
// With tsr, a raw signature's token file (out+TimestampExtension) too.
func checkOutputs(items []*signItem, opts FilesOptions, tsr bool) error {
	for _, it := range items {
		if it.out == "" || it.out == "-" {
			continue
		}
		if err := atomicfile.CheckWritable(it.out, opts.Force); err != nil {
			return err
		}
		if tsr {
			if err := atomicfile.CheckWritable(it.out+TimestampExtension, opts.Force); err != nil {
				return err
			}
		}
	}
	return nil
}
