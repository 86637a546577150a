package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/readlimit"
)

// Manifest verification: a signed checksum list (coreutils format, as `signet sign
// --manifest` and sha256sum write it) vouches for every file it lists.

// MaxManifestSize bounds a checksum list, which VerifyManifest reads whole: 64 MiB is more
// than half a million lines.
const MaxManifestSize = 64 << 20

// Sentinels of the manifest verdicts that are neither a mismatch nor an unreadable file: the
// list is signed, and says something signet refuses to act on.
var (
	// ErrMalformedLine matches a line of a signed checksum list that is in neither coreutils
	// form. What it says cannot be checked, so the verdict fails (as `sha256sum -c --strict`
	// fails), whatever else the list holds.
	ErrMalformedLine = errors.New("verify: malformed line in a signed list")
	// ErrOutsidePath matches a listed name that leaves the list's directory: an absolute path,
	// a ".." component, or a symbolic link that resolves outside it. Such a file is not read
	// unless ManifestOptions.AllowOutside.
	ErrOutsidePath = errors.New("verify: listed path outside the list's directory")
)

// Reasons a manifest fails besides an artifact's, as ManifestResult.Reason spells them.
const (
	// ReasonMalformedLine: a line of the signed list is malformed (ErrMalformedLine).
	ReasonMalformedLine = "malformed-line"
	// ReasonOutsidePath: a listed name leaves the list's directory (ErrOutsidePath).
	ReasonOutsidePath = "outside-path"
)

// ManifestOptions say which listed files VerifyManifest checks.
type ManifestOptions struct {
	// IgnoreMissing skips listed files that do not exist instead of failing them (as
	// `sha256sum -c --ignore-missing`); a manifest of which no file was checked still fails.
	IgnoreMissing bool
	// Only, if not empty, are the files to check, by path (relative to the current directory,
	// as a user names them); each must be listed. Empty means every listed file.
	Only []string
	// AllowOutside lets listed names leave the list's directory (absolute paths, ".."
	// components, symbolic links that resolve outside it). False (the zero value) refuses
	// them (EntryOutside) without reading them: a list vouches for the files beside it, not
	// for /etc/passwd.
	AllowOutside bool
}

// Manifest entry statuses.
const (
	EntryOK         = "ok"
	EntryMismatch   = "mismatch"   // the file's digest differs from the listed one
	EntryMissing    = "missing"    // the file does not exist
	EntryIgnored    = "ignored"    // missing, and ManifestOptions.IgnoreMissing
	EntryUnreadable = "unreadable" // the file could not be read (a directory, a named pipe, no permission)
	EntryNotListed  = "not-listed" // named in ManifestOptions.Only but not in the list
	EntryOutside    = "outside"    // leaves the list's directory, not read (ErrOutsidePath)
	EntryMalformed  = "malformed"  // a malformed line of the list, not a file (ErrMalformedLine)
)

// ManifestResult is the verdict on a signed checksum list and the files it lists. Its JSON
// form is stable: fields are added, never renamed.
type ManifestResult struct {
	// Manifest is the verification of the list itself, as for any artifact.
	Manifest *ArtifactResult `json:"manifest"`
	// Valid: the list's signature and signer are acceptable, the list has no malformed line,
	// every file checked matches and is inside the list's directory, and at least one was
	// checked.
	Valid bool `json:"valid"`
	// Reason is "" when Valid, else why the first failure failed: the list's own Reason (as
	// ArtifactResult's) when the list failed, ReasonMalformedLine, ReasonOutsidePath,
	// ReasonDigestMismatch for a listed file that changed, or ReasonUnchecked (a file missing,
	// unreadable or not listed, or no file checked).
	Reason string `json:"reason"`
	// Error is the first failure, "" when Valid.
	Error string `json:"error"`
	// Files are the lines of the list in order, with what became of each: the listed files
	// (those named in Only, when it was given) and every malformed line (status malformed,
	// empty name and path). Empty when the list itself failed.
	Files []ManifestEntry `json:"files"`
	// Malformed counts the lines of the list that are in neither coreutils form. Each fails
	// the verdict, as with sha256sum -c --strict.
	Malformed int `json:"malformed_lines"`

	err error
}

// ManifestEntry is one listed file, or one malformed line of the list.
type ManifestEntry struct {
	// Name is the name as listed; Path is where it was read (Name relative to the list's
	// directory).
	Name string `json:"name"`
	Path string `json:"path"`
	// Line is the entry's line in the list, 0 for a file named in Only and not listed.
	Line      int    `json:"line"`
	Algorithm string `json:"algorithm"`
	Expected  string `json:"expected"`
	// Actual is the file's digest, "" when it could not be read.
	Actual string `json:"actual"`
	Status string `json:"status"`
	Error  string `json:"error"`

	err error
}

// Err is the error behind a failed entry: it wraps ErrSignatureMismatch for a mismatch, an fs
// error for a missing or unreadable file, ErrUnchecked for a file not listed or not a regular
// file, ErrOutsidePath or ErrMalformedLine; nil otherwise.
func (e *ManifestEntry) Err() error { return e.err }

// Err is the verdict: nil when Valid; else the list's failure (as ArtifactResult.Err), or the
// first failed entry's in list order, or an error wrapping ErrUnchecked when no file was
// checked.
func (r *ManifestResult) Err() error { return r.err }

// unreadableList is the result for a list that could not be read or parsed (err): the list
// unchecked, no file read.
func unreadableList(list Artifact, opts ArtifactOptions, err error) *ManifestResult {
	lr := &ArtifactResult{File: list.Name, SignatureFile: list.SignatureName, Checks: []Check{}, Identity: opts.Identity,
		Reason: ReasonUnchecked, err: err, Error: message(err)}
	return &ManifestResult{Manifest: lr, Files: []ManifestEntry{}, err: err, Reason: ReasonUnchecked, Error: message(err)}
}

// VerifyManifest checks a signed checksum list, then the files it lists. list.Name is the
// list's path; its content is read once (unless list.Content holds it; at most
// MaxManifestSize, from a file or a pipe) and the same bytes are both verified and parsed, so
// the list cannot change in between. The list's signature and signer are judged as
// VerifyArtifacts judges any file; only if they pass are the listed files hashed (in parallel,
// with digest.HashFiles) and compared. Listed names are relative to the list's directory, so a
// list written by `signet sign --manifest` (or by sha256sum run in that directory) verifies
// from anywhere.
//
// A signed list must be well formed and stay in its directory: each malformed line fails the
// verdict (EntryMalformed), and a name that leaves the directory is refused unread
// (EntryOutside) unless mo.AllowOutside. A listed file must be a regular file (a named pipe
// would block the hashing, a device never end): anything else is unreadable. A symbolic link
// is followed when it resolves inside the directory. Unless mo.AllowOutside, the files are
// then opened through an os.Root on the directory (digest.HashOptions.Root; on Linux each
// component is resolved under the directory's descriptor), so that a file or a directory of
// its path swapped for a link leading out between the check and the read (by someone who can
// write in the directory while the list is checked) is not read either: the entry is
// EntryOutside, or EntryUnreadable when it cannot be told where it leads now. A special
// file swapped in is refused when opened (EntryUnreadable), without blocking.
//
// The error returned is for a run that could not go on: ctx cancelled, an unusable policy
// (ErrPolicy). A list that cannot be read (missing, not a regular file or pipe, over
// MaxManifestSize) or is no list (no well-formed line, a line over digest.MaxListLine:
// digest.ErrMalformedList) is a result: its Manifest unchecked (ReasonUnchecked) with that
// error, and no file read. The verdict is the result's Err.
func VerifyManifest(ctx context.Context, list Artifact, opts ArtifactOptions, mo ManifestOptions) (*ManifestResult, error) {
	if list.Content == nil {
		b, err := readlimit.ReadFile(list.Name, MaxManifestSize)
		switch {
		case errors.Is(err, readlimit.ErrTooLarge):
			return unreadableList(list, opts, fmt.Errorf("%w: %s %v", digest.ErrMalformedList, list.Name, err)), nil
		case errors.Is(err, readlimit.ErrNotFile):
			return unreadableList(list, opts, artifactErrorf(ErrUnchecked, err, "the list %v", err)), nil
		case errors.Is(err, fs.ErrNotExist):
			// Worded as a missing artifact is, since the verdict line names the list already.
			return unreadableList(list, opts, artifactErrorf(ErrUnchecked, err, "no such file")), nil
		case err != nil:
			var pe *fs.PathError
			if errors.As(err, &pe) && pe.Path == list.Name {
				return unreadableList(list, opts, artifactErrorf(ErrUnchecked, err, "the list cannot be read: %v", pe.Err)), nil
			}
			return unreadableList(list, opts, err), nil
		}
		list.Content = b
	}
	lr, err := VerifyArtifact(ctx, list, opts)
	if lr == nil {
		return nil, err
	}
	res := &ManifestResult{Manifest: lr, Files: []ManifestEntry{}}
	if err := lr.Err(); err != nil {
		res.err, res.Reason, res.Error = err, lr.Reason, fmt.Sprintf("manifest %s: %s", list.Name, lr.Error)
		return res, nil
	}
	dir := filepath.Dir(list.Name)
	if res.Files, res.Malformed, err = manifestEntries(list.Content, list.Name, dir); err != nil {
		return unreadableList(list, opts, err), nil
	}
	if len(mo.Only) > 0 {
		res.Files = selectEntries(res.Files, mo.Only)
	}
	guard := newEntryGuard(dir, mo.AllowOutside)
	open := make([]string, len(res.Files)) // the name to open, relative to root when there is one
	for i := range res.Files {
		if f := &res.Files[i]; f.Status == "" {
			f.Status, open[i], f.err = guard.check(f.Name, f.Path)
		}
	}
	// Checked and read are two steps: without AllowOutside the files are opened through an
	// os.Root on the list's directory, so that a symbolic link swapped in between cannot lead
	// the read out of it (afterGuard lets a test make that swap).
	var root *os.Root
	if !mo.AllowOutside {
		root, err = os.OpenRoot(guard.real)
		if err != nil {
			root = nil
			for i := range res.Files {
				if f := &res.Files[i]; f.Status == "" {
					f.Status, f.err = EntryUnreadable, artifactErrorf(ErrUnchecked, err, "the list's directory cannot be opened: %v", err)
				}
			}
		} else {
			defer root.Close()
		}
	}
	if afterGuard != nil {
		afterGuard()
	}

	workers := opts.Workers
	var recheck *entryGuard
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
		alg, _ := digest.ParseAlgorithm(name)
		idx := groups[name]
		names := make([]string, len(idx))
		for k, i := range idx {
			names[k] = res.Files[i].Path
			if root != nil {
				names[k] = open[i]
			}
		}
		k := 0
		err := digest.HashFiles(ctx, names, digest.HashOptions{Algorithm: alg, Workers: workers, Root: root}, func(r digest.FileResult) error {
			f := &res.Files[idx[k]]
			k++
			if r.Err != nil && root != nil && !errors.Is(r.Err, fs.ErrNotExist) {
				// The root refused it or it cannot be read: if it leads out now (swapped
				// since the check; asked afresh, without the directories resolved then), say
				// so; if it leads nowhere (a link dangling out of the directory, which the
				// root refuses before it looks), it is missing.
				if recheck == nil {
					recheck = newEntryGuard(dir, false)
				}
				if status, _, err := recheck.check(f.Name, f.Path); status == EntryOutside {
					f.Status, f.err = status, err
					return nil
				}
				if _, err := os.Stat(f.Path); errors.Is(err, fs.ErrNotExist) {
					r.Err = err
				}
			}
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
			return nil
		})
		if err != nil {
			return nil, err
		}
	}

	checked := 0
	for i := range res.Files {
		f := &res.Files[i]
		var fe *digest.FileError
		switch {
		case errors.As(f.err, &fe):
			f.Error = fe.Err.Error() // the path is the entry's
		case f.err != nil:
			f.Error = message(f.err)
		}
		if f.err != nil && res.err == nil {
			res.err, res.Reason = f.err, entryReason(f.Status)
		}
		if f.Status == EntryOK || f.Status == EntryMismatch {
			checked++
		}
	}
	if res.err == nil && checked == 0 {
		res.err, res.Reason = artifactErrorf(ErrUnchecked, nil, "no file of manifest %s was checked (all missing)", list.Name), ReasonUnchecked
	}
	if res.err != nil {
		res.Error = message(res.err)
		return res, nil
	}
	res.Valid = true
	return res, nil
}

// entryReason is the ManifestResult.Reason of a failed entry of this status.
func entryReason(status string) string {
	switch status {
	case EntryMismatch:
		return ReasonDigestMismatch
	case EntryMalformed:
		return ReasonMalformedLine
	case EntryOutside:
		return ReasonOutsidePath
	}
	return ReasonUnchecked
}

// manifestEntries parses a list into its entries, in line order, malformed lines included
// (EntryMalformed), with each listed name joined to dir. Like digest.ParseList, a list without
// a well-formed line is an error wrapping digest.ErrMalformedList.
func manifestEntries(content []byte, name, dir string) (entries []ManifestEntry, malformed int, err error) {
	lr := digest.NewListReader(bytes.NewReader(content), name, 0, false)
	valid := 0
	for {
		e, err := lr.Next()
		var le *digest.LineError
		switch {
		case err == io.EOF:
			if valid == 0 {
				return nil, malformed, fmt.Errorf("%w: %s: no properly formatted checksum lines found", digest.ErrMalformedList, digest.QuoteName(name))
			}
			return entries, malformed, nil
		case errors.As(err, &le):
			malformed++
			entries = append(entries, ManifestEntry{Line: le.Line, Status: EntryMalformed,
				err: artifactErrorf(ErrMalformedLine, nil, "line %d is not a checksum line in sha256sum's format, and a signed list must have none", le.Line)})
			continue
		case err != nil:
			return nil, malformed, err
		}
		valid++
		p := e.Name
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if p == "-" {
			p = "./-" // a file called "-", never standard input
		}
		entries = append(entries, ManifestEntry{Name: e.Name, Path: p, Line: lr.Line(), Algorithm: e.Algorithm.Name(), Expected: e.Digest.String()})
	}
}

// entryGuard decides, before a listed file is read, whether it may be: inside the list's
// directory unless allow, and a regular file. It costs one lstat per file: the directories of
// the entries are resolved once each.
type entryGuard struct {
	allow bool
	cwd   string            // to make paths absolute without a getcwd per entry
	real  string            // the list's directory, absolute, symbolic links resolved; "" if it cannot be
	dirs  map[string]string // an entry's directory as joined -> resolved, absolute ("" if it cannot be)
}

func newEntryGuard(dir string, allow bool) *entryGuard {
	g := &entryGuard{allow: allow, dirs: map[string]string{}}
	g.cwd, _ = os.Getwd()
	g.real = g.resolve(dir)
	return g
}

// resolve returns p with symbolic links resolved, absolute; "" if it cannot be.
func (g *entryGuard) resolve(p string) string {
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		return ""
	}
	if !filepath.IsAbs(r) {
		r = filepath.Join(g.cwd, r)
	}
	return r
}

func (g *entryGuard) inside(real string) bool {
	rel, err := filepath.Rel(g.real, real)
	return g.real != "" && err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// check returns EntryOutside and an error wrapping ErrOutsidePath if name (as listed; path as
// joined to the list's directory) leaves the directory, EntryUnreadable and an error wrapping
// ErrUnchecked if it is not a regular file, or "" and nil: a file to hash, or one that cannot
// be looked at (missing, a loop of links), left to the hashing to report. With "", open is
// the name to open in an os.Root on the directory (g.real) unless g.allow: where it resolved,
// relative to the directory (so that a link inside by an absolute path, which os.Root would
// refuse, is opened where it led), else the name as listed, cleaned ("./-" for "-").
func (g *entryGuard) check(name, path string) (status, open string, err error) {
	outside := func(why string, args ...any) (string, string, error) {
		return EntryOutside, "", artifactErrorf(ErrOutsidePath, nil, "is outside the list's directory (%s)", fmt.Sprintf(why, args...))
	}
	open = notStdin(filepath.Clean(name))
	if !g.allow {
		switch {
		case filepath.IsAbs(name):
			return outside("an absolute path")
		case slices.Contains(strings.Split(filepath.ToSlash(name), "/"), ".."):
			return outside("a .. component")
		}
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return "", open, nil
	}
	link := fi.Mode()&fs.ModeSymlink != 0
	if !g.allow {
		var real string
		if link {
			real = g.resolve(path)
		} else {
			d := filepath.Dir(path)
			rd, ok := g.dirs[d]
			if !ok {
				rd = g.resolve(d)
				g.dirs[d] = rd
			}
			if rd != "" {
				real = filepath.Join(rd, filepath.Base(path))
			}
		}
		if real == "" {
			return "", open, nil
		}
		if !g.inside(real) {
			return outside("it resolves to %s", real)
		}
		if rel, err := filepath.Rel(g.real, real); err == nil {
			open = notStdin(rel)
		}
	}
	if link {
		if fi, err = os.Stat(path); err != nil {
			return "", open, nil
		}
	}
	if namesDir(name) && fi.Mode().IsRegular() {
		// "a/" names a directory: sha256sum -c fails it (not a directory), where the path,
		// joined and so cleaned, is the file a.
		return EntryUnreadable, "", artifactErrorf(ErrUnchecked, nil, "not a directory (the listed name ends in /)")
	}
	if err := readlimit.NotRegular(fi.Mode()); err != nil {
		return EntryUnreadable, "", artifactErrorf(ErrUnchecked, err, "%v", err)
	}
	return "", open, nil
}

// namesDir reports whether a listed name can only name a directory: it ends in "/" or "/.",
// or is ".".
func namesDir(name string) bool {
	return name == "." || strings.HasSuffix(name, "/") || strings.HasSuffix(name, "/.")
}

// notStdin is name, or "./-" for "-": a file called "-", never standard input.
func notStdin(name string) string {
	if name == "-" {
		return "./-"
	}
	return name
}

// afterGuard, if set, is called by VerifyManifest between the entries' check and their
// hashing: a test's way to swap a file in between.
var afterGuard func()

// selectEntries keeps the entries whose path is one of only (compared cleaned) and the
// malformed lines, in list order, and adds a not-listed entry for each path of only that the
// list lacks.
func selectEntries(all []ManifestEntry, only []string) []ManifestEntry {
	want := map[string]bool{}
	for _, o := range only {
		want[filepath.Clean(o)] = true
	}
	var out []ManifestEntry
	found := map[string]bool{}
	for _, f := range all {
		if f.Status == EntryMalformed {
			out = append(out, f) // fails the list, whichever files are checked
			continue
		}
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
