package digest

import (
	"os"
	"slices"
	"strings"
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

// walkEntry is a file found by the walk, or a directory that could not be read.
type walkEntry struct {
	name string
	err  error
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
		key string // name, with "/" appended for directories so that sorting matches full paths
		dir bool
	}
	kids := make([]kid, 0, len(ents))
	for _, e := range ents {
		switch t := e.Type(); {
		case t.IsDir():
			kids = append(kids, kid{key: e.Name() + "/", dir: true})
		case t.IsRegular():
			kids = append(kids, kid{key: e.Name()})
		}
	}
	slices.SortFunc(kids, func(a, b kid) int { return strings.Compare(a.key, b.key) })
	for _, k := range kids {
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
