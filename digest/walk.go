package digest

import (
	"os"
	"slices"
	"strings"

	"github.com/signet-pki/signet/internal/atomicfile"
)

// Recursive expansion (HashOptions.Recursive) follows `find DIR -type f | LC_ALL=C sort`:
//
//   - Only regular files are listed. Symbolic links inside the tree are neither followed nor
//     listed (so a link cannot make a file appear twice or a walk loop), and neither are
//     devices, FIFOs or sockets. A symbolic link given as an argument is followed, like any
//     argument, and may name a directory.
//   - Names are the argument joined with the path below it, byte for byte as given
//     ("dir" gives "dir/a", "dir/" gives "dir/a", "." gives "./a"), so that a list made with
//     -r is checked with -c from the same working directory.
//   - Files come in byte-wise order of those names, whatever the depth: "a.txt" before "a/b".
//     The walk streams: it reads one directory at a time, so the first files are hashed before
//     the whole tree is read.
//   - A directory that cannot be read gives a per-file error under its own name; the walk goes
//     on with the rest.
//   - signet's own temporaries (atomicfile.IsTemporary: a staging directory ".signet-stage-*",
//     or a ".NAME.tmp-DIGITS" file of an older version) are what a run is staging or a killed
//     run left, never artifacts: they are skipped, each reported once (a staging directory as
//     one entry, not walked into) to the caller's Skipped, so that nothing is left out
//     silently.

// walkEntry is a file found by the walk, or a directory that could not be read.
type walkEntry struct {
	name    string
	err     error
	skipped bool // a temporary of signet's, not listed
}

// walkDir calls fn for each regular file below dir (a directory named by the user as
// name), in sorted order, stopping when fn returns false.
func walkDir(name string, fn func(walkEntry) bool) bool {
	prefix := name
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return walkSorted(prefix, fn)
}

func walkSorted(prefix string, fn func(walkEntry) bool) bool {
	dir := strings.TrimSuffix(prefix, "/")
	if dir == "" {
		dir = "/"
	}
	ents, err := os.ReadDir(prefix)
	if err != nil && len(ents) == 0 {
		return fn(walkEntry{name: dir, err: NewFileError(dir, "open", err)})
	}
	type kid struct {
		key     string // name, with "/" appended for directories so that sorting matches full paths
		dir     bool
		skipped bool
	}
	kids := make([]kid, 0, len(ents))
	for _, e := range ents {
		switch t := e.Type(); {
		case (t.IsDir() || t.IsRegular()) && atomicfile.IsTemporary(e.Name()):
			kids = append(kids, kid{key: e.Name(), skipped: true})
		case t.IsDir():
			kids = append(kids, kid{key: e.Name() + "/", dir: true})
		case t.IsRegular():
			kids = append(kids, kid{key: e.Name()})
		}
	}
	slices.SortFunc(kids, func(a, b kid) int { return strings.Compare(a.key, b.key) })
	for _, k := range kids {
		if k.skipped {
			if !fn(walkEntry{name: prefix + k.key, skipped: true}) {
				return false
			}
			continue
		}
		if k.dir {
			if !walkSorted(prefix+k.key, fn) {
				return false
			}
			continue
		}
		if !fn(walkEntry{name: prefix + k.key}) {
			return false
		}
	}
	if err != nil {
		// ReadDir stopped part way: report it after what it did read.
		return fn(walkEntry{name: dir, err: NewFileError(dir, "readdir", err)})
	}
	return true
}
