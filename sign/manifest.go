package sign

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/atomicfile"
)

// signManifest hashes the files, writes a checksum list of them and signs the list.
func signManifest(ctx context.Context, s *Signer, names []string, opts FilesOptions) ([]Receipt, error) {
	if slices.Contains(names, "-") {
		// Refused before anything is read: a manifest names files beside it, and standard
		// input has no name to list.
		return nil, &kindError{msg: "sign: standard input cannot be listed in a manifest", kind: ErrUnsupported}
	}
	list := opts.Manifest
	sigOut := opts.Out
	if sigOut == "" {
		sigOut = list + s.opts.Format.Extension()
	}
	if err := checkNotInputs(slices.Values([]string{list, sigOut}), slices.Values(names), opts.Reads); err != nil {
		return nil, err
	}
	if err := atomicfile.CheckWritable(list, opts.Force); err != nil {
		return nil, err
	}
	if sigOut != "-" {
		if err := atomicfile.CheckWritable(sigOut, opts.Force); err != nil {
			return nil, err
		}
	}
	dir, err := filepath.Abs(filepath.Dir(list))
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	skip := map[string]bool{}
	for _, p := range []string{list, sigOut} {
		if a, err := filepath.Abs(p); err == nil {
			skip[a] = true
		}
	}
	// A listed name must stay in the list's directory as verifying reads it: no "..", and no
	// symbolic link (of the file or a directory above it) that resolves outside.
	realDir, derr := filepath.EvalSymlinks(dir)
	var outside []string
	isOutside := func(name, abs string) bool {
		if filepath.IsAbs(name) || name == ".." || strings.HasPrefix(name, ".."+string(filepath.Separator)) {
			return true
		}
		if derr != nil {
			return false // the directory was read: this does not happen
		}
		real, err := filepath.EvalSymlinks(abs)
		if err != nil {
			return false // the file was just hashed; a race is caught when it is verified
		}
		rel, err := filepath.Rel(realDir, real)
		return err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	given := map[string]bool{}
	for _, n := range names {
		given[n] = true
	}
	alg := s.alg
	if opts.ListAlgorithm != 0 {
		if !opts.ListAlgorithm.Valid() {
			return nil, fmt.Errorf("%w: %s", digest.ErrUnknownAlgorithm, opts.ListAlgorithm.Name())
		}
		alg = opts.ListAlgorithm
	}
	var entries []digest.Entry
	var failed []error
	total := 0
	err = digest.HashFiles(ctx, names, digest.HashOptions{Algorithm: alg, Recursive: opts.Recursive, Workers: opts.Workers, Stdin: opts.Stdin, Skipped: opts.Skipped,
		// As without --manifest: what is signed is a regular file (a device may never end).
		RegularOnly: true,
		Progress:    opts.Progress, ProgressInterval: opts.ProgressInterval},
		func(r digest.FileResult) error {
			abs, aerr := filepath.Abs(r.Name)
			if aerr == nil && skip[abs] {
				return nil // the list itself or its signature, left from an earlier run
			}
			if !given[r.Name] && isSignatureName(r.Name) {
				if opts.SkippedSignature != nil {
					opts.SkippedSignature(r.Name)
				}
				return nil
			}
			total++
			if r.Err != nil {
				failed = append(failed, r.Err)
				return nil
			}
			name := r.Name
			if aerr == nil {
				if rel, err := filepath.Rel(dir, abs); err == nil {
					name = rel
				}
			}
			if !opts.AllowOutside && aerr == nil && isOutside(name, abs) {
				outside = append(outside, r.Name)
				return nil
			}
			if name == "-" {
				// A file called "-": sha256sum -c (and hash -c) would read "-" as standard input.
				name = "./-"
			}
			entries = append(entries, digest.Entry{Algorithm: alg, Digest: r.Digest, Name: name, Tagged: !coreutilsLists(alg)})
			return nil
		})
	if ctx.Err() != nil {
		return nil, canceled(ctx)
	}
	if err != nil {
		return nil, err
	}
	if len(failed) > 0 {
		return nil, &FilesError{Failed: failed, Total: total}
	}
	if len(outside) > 0 {
		more := ""
		if len(outside) > 1 {
			more = fmt.Sprintf(" (and %d more)", len(outside)-1)
		}
		return nil, &kindError{kind: ErrOutsideList, msg: fmt.Sprintf("sign: %s%s is outside %s, the directory of the list %s, where verifying the list refuses it: put the list in a directory above every file, or list it with --allow-outside (verify then needs it too)",
			digest.QuoteName(outside[0]), more, digest.QuoteName(dir), digest.QuoteName(list))}
	}
	if total == 0 {
		return nil, &kindError{msg: "sign: no files to list (the directories hold none)", kind: ErrNoFiles}
	}
	var buf []byte
	for _, e := range entries {
		buf = e.AppendTo(buf)
	}
	d, sig, err := s.signMessage(list, buf)
	if err != nil {
		return nil, err
	}
	tsr, err := s.RawTimestamp(sig)
	if err != nil {
		return nil, err
	}
	var b atomicfile.Batch
	defer b.Abort()
	if err := b.Add(list, buf, atomicfile.Options{Force: opts.Force}); err != nil {
		return nil, err
	}
	if sigOut != "-" {
		if err := b.Add(sigOut, sig, atomicfile.Options{Force: opts.Force}); err != nil {
			return nil, err
		}
		if tsr != nil {
			if err := b.Add(sigOut+TimestampExtension, tsr, atomicfile.Options{Force: opts.Force}); err != nil {
				return nil, err
			}
		}
	} else if tsr != nil {
		return nil, &kindError{msg: "sign: a timestamped raw signature needs a file, for its token beside it (FILE.sig.tsr), not standard output", kind: ErrUnsupported}
	}
	if err := b.CommitContext(ctx); err != nil {
		if ctx.Err() != nil {
			return nil, canceled(ctx)
		}
		return nil, err
	}
	if sigOut == "-" {
		if err := writeOne("-", sig, false, opts.Stdout); err != nil {
			return nil, err
		}
	}
	r := s.receipt(list, d, sigOut)
	r.Entries = len(entries)
	return []Receipt{r}, nil
}

// coreutilsLists reports whether coreutils has a checker for a (sha256sum, sha384sum,
// sha512sum): lists of those are written untagged, as those tools write them; the others are
// tagged ("SHA3-256 (name) = ..."), which `signet hash -c` and `cksum -c` read.
func coreutilsLists(a digest.Algorithm) bool {
	return a == digest.SHA256 || a == digest.SHA384 || a == digest.SHA512
}
