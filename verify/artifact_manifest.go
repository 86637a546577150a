package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/signet-pki/signet/internal/readlimit"
	"github.com/signet-pki/signet/sign"
)

// Manifest verification: a signed checksum list (coreutils format, as `signet sign
// --manifest` and sha256sum write it) vouches for every file it lists.

// MaxManifestSize bounds a checksum list, which VerifyManifest reads whole: 64 MiB is more
// than half a million lines.
const MaxManifestSize = 64 << 20

// ManifestOptions say which listed files VerifyManifest checks.
type ManifestOptions struct {
	// IgnoreMissing skips listed files that do not exist instead of failing them (as
	// `sha256sum -c --ignore-missing`); a manifest of which no file was checked still fails.
	IgnoreMissing bool
	// Only, if not empty, are the files to check, by path (relative to the current directory,
	// as a user names them); each must be listed. Empty means every listed file.
	Only []string
}

// Manifest entry statuses.
const (
	EntryOK         = "ok"
	EntryMismatch   = "mismatch"   // the file's digest differs from the listed one
	EntryMissing    = "missing"    // the file does not exist
	EntryIgnored    = "ignored"    // missing, and ManifestOptions.IgnoreMissing
	EntryUnreadable = "unreadable" // the file could not be read (a directory, no permission)
	EntryNotListed  = "not-listed" // named in ManifestOptions.Only but not in the list
)

// ManifestResult is the verdict on a signed checksum list and the files it lists. Its JSON
// form is stable: fields are added, never renamed.
type ManifestResult struct {
	// Manifest is the verification of the list itself, as for any artifact.
	Manifest *ArtifactResult `json:"manifest"`
	// Valid: the list's signature and signer are acceptable, every file checked matches and
	// at least one was checked.
	Valid bool `json:"valid"`
	// Error is the first failure, "" when Valid.
	Error string `json:"error"`
	// Files are the listed files in list order (those named in Only, when it was given), with
	// what became of each; empty when the list itself failed.
	Files []ManifestEntry `json:"files"`
	// Malformed counts the lines of the list that are in neither coreutils form; they are
	// ignored, as sha256sum -c ignores them without --strict.
	Malformed int `json:"malformed_lines"`

	err error
}

// ManifestEntry is one listed file.
type ManifestEntry struct {
	// Name is the name as listed; Path is where it was read (Name relative to the list's
	// directory).
	Name      string `json:"name"`
	Path      string `json:"path"`
	Algorithm string `json:"algorithm"`
	Expected  string `json:"expected"`
	// Actual is the file's digest, "" when it could not be read.
	Actual string `json:"actual"`
	Status string `json:"status"`
	Error  string `json:"error"`

	err error
}

// Err is the error behind a failed entry: it wraps ErrSignatureMismatch for a mismatch, an fs
// error for a missing or unreadable file, ErrUnchecked for a file not listed; nil otherwise.
func (e *ManifestEntry) Err() error { return e.err }

// Err is the verdict: nil when Valid; else the list's failure (as ArtifactResult.Err), or the
// first failed entry's, or an error wrapping ErrUnchecked when no file was checked.
func (r *ManifestResult) Err() error { return r.err }

// VerifyManifest checks a signed checksum list, then the files it lists. list.Name is the
// list's path; its content is read once (unless list.Content holds it) and the same bytes are
// both verified and parsed, so the list cannot change in between. The list's signature and
// signer are judged as VerifyArtifacts judges any file; only if they pass are the listed files
// hashed (in parallel, with sign.HashFiles) and compared. Listed names are relative to the
// list's directory, so a list written by `signet sign --manifest` (or by sha256sum run in that
// directory) verifies from anywhere.
//
// The error returned is for a run that could not go on: ctx cancelled, an unusable policy
// (ErrPolicy), a list with no well-formed line (sign.ErrMalformedList) or one that cannot be
// read. The verdict is the result's Err.
func VerifyManifest(ctx context.Context, list Artifact, opts ArtifactOptions, mo ManifestOptions) (*ManifestResult, error) {
	if list.Content == nil {
		b, err := readlimit.ReadFile(list.Name, MaxManifestSize)
		switch {
		case errors.Is(err, readlimit.ErrTooLarge):
			return nil, fmt.Errorf("%w: %s %v", sign.ErrMalformedList, list.Name, err)
		case errors.Is(err, readlimit.ErrNotFile):
			return nil, artifactErrorf(ErrUnchecked, err, "manifest %s %v", list.Name, err)
		case err != nil:
			return nil, err
		}
		list.Content = b
	}
	lr, err := VerifyArtifact(ctx, list, opts)
	if lr == nil {
		return nil, err
	}
	res := &ManifestResult{Manifest: lr, Files: []ManifestEntry{}}
	if err := lr.Err(); err != nil {
		res.err, res.Error = err, fmt.Sprintf("manifest %s: %s", list.Name, lr.Error)
		return res, nil
	}
	entries, malformed, err := sign.ParseList(bytes.NewReader(list.Content), list.Name, 0)
	if err != nil {
		return nil, err
	}
	res.Malformed = malformed

	dir := filepath.Dir(list.Name)
	for _, e := range entries {
		p := e.Name
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if p == "-" {
			p = "./-" // a file called "-", never standard input
		}
		res.Files = append(res.Files, ManifestEntry{Name: e.Name, Path: p, Algorithm: e.Algorithm.Name(), Expected: e.Digest.String()})
	}
	if len(mo.Only) > 0 {
		res.Files = selectEntries(res.Files, mo.Only)
	}

	workers := opts.Workers
	groups := map[string][]int{}
	var order []string
	for i, f := range res.Files {
		if f.Status != "" {
			continue
		}
		if _, ok := groups[f.Algorithm]; !ok {
			order = append(order, f.Algorithm)
		}
		groups[f.Algorithm] = append(groups[f.Algorithm], i)
	}
	for _, name := range order {
		alg, _ := sign.ParseAlgorithm(name)
		idx := groups[name]
		names := make([]string, len(idx))
		for k, i := range idx {
			names[k] = res.Files[i].Path
		}
		k := 0
		err := sign.HashFiles(ctx, names, sign.HashOptions{Algorithm: alg, Workers: workers}, func(r sign.FileResult) error {
			f := &res.Files[idx[k]]
			k++
			switch {
			case r.Err != nil && errors.Is(r.Err, fs.ErrNotExist) && mo.IgnoreMissing:
				f.Status = EntryIgnored
			case r.Err != nil && errors.Is(r.Err, fs.ErrNotExist):
				f.Status, f.err = EntryMissing, r.Err
			case r.Err != nil:
				f.Status, f.err = EntryUnreadable, r.Err
			case r.Digest.String() != f.Expected:
				f.Actual = r.Digest.String()
				f.Status = EntryMismatch
				f.err = artifactErrorf(ErrSignatureMismatch, nil, "its %s digest %s differs from the one the signed manifest lists, %s",
					name, short(r.Digest), shortHex(f.Expected))
			default:
				f.Actual, f.Status = r.Digest.String(), EntryOK
			}
			var fe *sign.FileError
			switch {
			case errors.As(f.err, &fe):
				f.Error = fe.Err.Error() // the path is the entry's
			case f.err != nil:
				f.Error = message(f.err)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}

	checked := 0
	for i := range res.Files {
		f := &res.Files[i]
		if f.err != nil && res.err == nil {
			res.err = f.err
		}
		if f.Status == EntryOK || f.Status == EntryMismatch {
			checked++
		}
	}
	if res.err == nil && checked == 0 {
		res.err = artifactErrorf(ErrUnchecked, nil, "no file of manifest %s was checked (all missing)", list.Name)
	}
	if res.err != nil {
		res.Error = message(res.err)
		return res, nil
	}
	res.Valid = true
	return res, nil
}

// selectEntries keeps the entries whose path is one of only (compared cleaned), in list
// order, and adds a not-listed entry for each path of only that the list lacks.
func selectEntries(all []ManifestEntry, only []string) []ManifestEntry {
	want := map[string]bool{}
	for _, o := range only {
		want[filepath.Clean(o)] = true
	}
	var out []ManifestEntry
	found := map[string]bool{}
	for _, f := range all {
		c := filepath.Clean(f.Path)
		if want[c] {
			out = append(out, f)
			found[c] = true
		}
	}
	for _, o := range only {
		if c := filepath.Clean(o); !found[c] {
			found[c] = true
			err := artifactErrorf(ErrUnchecked, nil, "not listed in the manifest")
			out = append(out, ManifestEntry{Name: o, Path: o, Status: EntryNotListed, Error: message(err), err: err})
		}
	}
	return out
}
