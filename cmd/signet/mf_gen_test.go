package main

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
)

// The generator of the seeded differential campaign of signed manifests (mf_diff_test.go):
// each seed draws a tree of files with awkward names (spaces, newlines, backslashes, '*', '-'
// first, bytes that are not UTF-8, deep directories), links of every kind (to a file or a
// directory inside, out of the tree, dangling, in a loop), hard links, named pipes and empty
// files; the arguments of `signet sign --manifest` over it (the list in the tree's top
// directory, signet run there or above it, names spelled "./x" or "d/../x", given twice, by
// --files-from, or a directory with --recursive), its format and hash; then what is done to
// the tree and the list before `signet verify --manifest` judges them.

// mfAlg is a hash of -a, with the coreutils tool that writes and checks its lists ("" when
// coreutils has none: the list is tagged then).
type mfAlg struct {
	name, tool, tag string
}

func mfAlgs() []mfAlg {
	return []mfAlg{{"sha256", "sha256sum", "SHA256"}, {"sha384", "sha384sum", "SHA384"}, {"sha512", "sha512sum", "SHA512"}, {"sha3-256", "", "SHA3-256"}}
}

// mfNode is one entry of the tree, by its path below the tree's top directory.
type mfNode struct {
	name   string
	kind   string // file, hard, link-in, link-dir, link-out, dir-out, dangle, dangle-out, loop, fifo, dir
	data   []byte // a file's bytes
	target string // a link's target as written, a hard link's file
}

// signable reports whether signing the node as an argument succeeds: it is (or leads to) a
// regular file.
func (n mfNode) signable() bool {
	return slices.Contains([]string{"file", "hard", "link-in", "link-out"}, n.kind)
}

// mfMut is one thing done after signing: to a file of the tree, or to the list.
type mfMut struct {
	kind string
	node int    // the line it concerns (an index into the case's entries)
	add  int    // the node an added line names (an index into the case's nodes)
	text string // a line added
}

// mfEntry is one line of the list signet writes: its name (relative to the tree) and the node
// it reads.
type mfEntry struct {
	name string
	node int
}

type mfCase struct {
	seed      int64
	alg       mfAlg
	format    string // raw, cms, bundle, minisign
	above     bool   // signet runs in the tree's parent and names "t/..."
	nodes     []mfNode
	args      []string // as given (relative to the tree; "t/" is prefixed when above)
	bad       string   // an argument that makes the signing fail, "" for none
	recursive bool
	filesFrom bool
	entries   []mfEntry // what the list must say, in order (empty when bad)
	muts      []mfMut
	resign    string   // after list edits: "same" key, "other" key, "none"
	ignore    bool     // --ignore-missing
	allow     bool     // --allow-outside
	only      []string // verify's FILE arguments, relative to the tree and cleaned; nil for none
}

func (c *mfCase) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d: %s -a %s above=%v recursive=%v files-from=%v", c.seed, c.format, c.alg.name, c.above, c.recursive, c.filesFrom)
	for _, n := range c.nodes {
		fmt.Fprintf(&b, "\n\t%-10s %q", n.kind, n.name)
		if n.target != "" {
			fmt.Fprintf(&b, " -> %q", n.target)
		}
	}
	fmt.Fprintf(&b, "\n\targs %q bad %q", c.args, c.bad)
	for _, m := range c.muts {
		fmt.Fprintf(&b, "\n\tmutation %s", m.kind)
		if !slices.Contains([]string{"crlf", "noeol", "reorder", "comment", "add", "junk"}, m.kind) {
			fmt.Fprintf(&b, " of line %d", m.node+1)
		}
		if m.text != "" {
			fmt.Fprintf(&b, " %q", m.text)
		}
	}
	fmt.Fprintf(&b, "\n\tresign %s ignore-missing=%v allow-outside=%v only=%q", c.resign, c.ignore, c.allow, c.only)
	return b.String()
}

// mfNamePieces are what names are made of; none ends a name in a signature's extension.
var mfNamePieces = []string{"a", "b", "x y", " ", "\n", "\\", "*", "-", "\xff", "é", "\t", "#", "(", ")", ".txt", "  ", "=", "\r", "'"}

func mfName(r *rand.Rand, dir string, taken map[string]bool) string {
	for {
		var b strings.Builder
		for range 1 + r.IntN(3) {
			b.WriteString(mfNamePieces[r.IntN(len(mfNamePieces))])
		}
		n := b.String()
		if r.IntN(8) == 0 {
			n = "-" // a file called "-"
		}
		full := n
		if dir != "" {
			full = dir + "/" + n
		}
		if n == "." || n == ".." || n == "SUMS" || strings.HasPrefix(n, "SUMS.") || taken[full] {
			continue
		}
		taken[full] = true
		return full
	}
}

func mfRandData(r *rand.Rand) []byte {
	if r.IntN(6) == 0 {
		return []byte{}
	}
	d := make([]byte, 1+r.IntN(80))
	for i := range d {
		d[i] = byte(r.IntN(256))
	}
	return d
}

func mfDraw(seed int64) *mfCase {
	r := rand.New(rand.NewPCG(uint64(seed), 0x6d66))
	algs := mfAlgs()
	c := &mfCase{seed: seed, alg: algs[r.IntN(len(algs))], format: []string{"raw", "cms", "bundle", "minisign"}[r.IntN(4)], above: r.IntN(2) == 0}
	taken := map[string]bool{}
	dirs := []string{""}
	for range r.IntN(3) {
		parent := dirs[r.IntN(len(dirs))]
		d := mfName(r, parent, taken)
		dirs = append(dirs, d)
		c.nodes = append(c.nodes, mfNode{name: d, kind: "dir"})
	}
	var files []int
	for range 1 + r.IntN(5) {
		c.nodes = append(c.nodes, mfNode{name: mfName(r, dirs[r.IntN(len(dirs))], taken), kind: "file", data: mfRandData(r)})
		files = append(files, len(c.nodes)-1)
	}
	rel := func(from, to string) string { // a relative link target
		t, _ := filepath.Rel(filepath.Dir("/t/"+from), "/t/"+to)
		return t
	}
	for range r.IntN(5) {
		d := dirs[r.IntN(len(dirs))]
		n := mfNode{name: mfName(r, d, taken)}
		f := c.nodes[files[r.IntN(len(files))]]
		switch k := r.IntN(9); k {
		case 0:
			n.kind, n.target = "hard", f.name
		case 1, 2:
			n.kind, n.target = "link-in", rel(n.name, f.name)
			if r.IntN(3) == 0 {
				n.target = "/ABS/" + f.name // made absolute into the tree when built
			}
		case 3:
			n.kind, n.target = "link-out", "OUT/match"
		case 4:
			n.kind, n.target = "dir-out", "OUT/dir"
		case 5:
			n.kind, n.target = "dangle", "nowhere"
		case 6:
			n.kind, n.target = "dangle-out", "OUT/nowhere"
		case 7:
			n.kind = "fifo"
		case 8:
			if len(dirs) > 1 {
				n.kind, n.target = "link-dir", rel(n.name, dirs[1+r.IntN(len(dirs)-1)])
			} else {
				n.kind, n.target = "loop", filepath.Base(n.name)
			}
		}
		c.nodes = append(c.nodes, n)
	}

	// The signing: the files given, perhaps a directory with -r, perhaps one that fails.
	var signable []int
	for i, n := range c.nodes {
		if n.signable() {
			signable = append(signable, i)
		}
	}
	c.recursive = r.IntN(5) == 0
	if c.recursive {
		c.args = append(c.args, []string{".", "./", ""}[r.IntN(3)])
	} else {
		for range 1 + r.IntN(5) {
			i := signable[r.IntN(len(signable))]
			c.args = append(c.args, c.spell(r, c.nodes[i].name))
			c.entries = append(c.entries, mfEntry{name: c.nodes[i].name, node: i})
		}
	}
	c.filesFrom = !c.recursive && r.IntN(4) == 0
	if r.IntN(10) == 0 {
		var bad []string
		for _, n := range c.nodes {
			if n.kind == "fifo" || n.kind == "dangle" || n.kind == "loop" || (n.kind == "dir-out" || n.kind == "dir") && !c.recursive {
				bad = append(bad, n.name)
			}
		}
		bad = append(bad, "missing")
		c.bad = bad[r.IntN(len(bad))]
		c.args = append(c.args, c.bad)
		c.entries = nil
		return c
	}
	if c.recursive {
		// find . -type f | LC_ALL=C sort, as README and digest/walk.go say: hard links are
		// regular files; links, pipes and directories are not listed.
		for i, n := range c.nodes {
			if n.kind == "file" || n.kind == "hard" {
				c.entries = append(c.entries, mfEntry{name: n.name, node: i})
			}
		}
		slices.SortFunc(c.entries, func(a, b mfEntry) int { return strings.Compare(a.name, b.name) })
	}

	// What is done after signing.
	for range r.IntN(4) {
		m := mfMut{node: r.IntN(len(c.entries))}
		m.kind = []string{"change", "change", "remove", "link-out", "fifo", "dir", "touch",
			"add", "del", "dup", "reorder", "crlf", "comment", "junk", "dotdot", "abs", "slash", "dotdot-in", "noeol", "dir-out", "dir-out"}[r.IntN(21)]
		if m.kind == "add" {
			m.add = r.IntN(len(c.nodes))
		}
		c.muts = append(c.muts, m)
	}
	c.resign = "none"
	if c.editsList() {
		c.resign = []string{"same", "same", "same", "other", "none"}[r.IntN(5)]
	} else if r.IntN(10) == 0 {
		c.resign = "other"
	}
	c.ignore = r.IntN(4) == 0
	c.allow = r.IntN(5) == 0
	if r.IntN(5) == 0 {
		// verify FILE...: some listed files (spelled another way), perhaps one not listed.
		c.only = []string{}
		for range 1 + r.IntN(3) {
			e := c.entries[r.IntN(len(c.entries))]
			c.only = append(c.only, filepath.Clean(c.spell(r, e.name)))
		}
		if r.IntN(3) == 0 {
			c.only = append(c.only, "not-listed")
		}
	}
	return c
}

// spell writes the name of a node as an argument another way, sometimes: "./x", "d/../x"
// (d a real directory of the tree), "d//x".
func (c *mfCase) spell(r *rand.Rand, name string) string {
	switch r.IntN(6) {
	case 0:
		return "./" + name
	case 1:
		for _, n := range c.nodes {
			if n.kind == "dir" && !strings.Contains(n.name, "/") {
				return n.name + "/../" + name
			}
		}
	case 2:
		if i := strings.LastIndexByte(name, '/'); i > 0 {
			return name[:i] + "//" + name[i+1:]
		}
	}
	return name
}

// editsList reports whether a mutation changes the list.
func (c *mfCase) editsList() bool {
	for _, m := range c.muts {
		if slices.Contains([]string{"add", "del", "dup", "reorder", "crlf", "comment", "junk", "dotdot", "abs", "slash", "dotdot-in", "noeol"}, m.kind) {
			return true
		}
	}
	return false
}
