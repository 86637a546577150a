package main

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"math/rand/v2"
	"strings"
)

// The generator of the seeded differential campaign of `signet hash` and `signet hash -c`
// against coreutils (hc_diff_test.go): each seed draws a few files with awkward names, then
// either the arguments of a run that writes a list, or checksum lists to check. Every line of
// a list is drawn with the list coreutils would be given to mean what signet reads in it
// (hcLine.cu): the two differ only where signet differs on purpose, as its README and --help
// say, and the campaign reruns coreutils on that list to explain a difference.

// hcAlg is an algorithm both signet and a coreutils tool have.
type hcAlg struct {
	name string // signet's -a
	tool string // the coreutils tool
	tag  string // coreutils' --tag
	new  func() hash.Hash
}

var hcAlgs = []hcAlg{
	{"sha256", "sha256sum", "SHA256", sha256.New},
	{"sha384", "sha384sum", "SHA384", sha512.New384},
	{"sha512", "sha512sum", "SHA512", sha512.New},
}

func (a hcAlg) sum(data []byte) []byte {
	h := a.new()
	h.Write(data)
	return h.Sum(nil)
}

// openSSLTag is how `openssl dgst` names a (SHA2-256(name)= hex), a spelling signet's -c
// takes and coreutils' does not.
func (a hcAlg) openSSLTag() string { return "SHA2-" + strings.TrimPrefix(a.tag, "SHA") }

// hcFile is a file of a seed's directory.
type hcFile struct {
	name string
	data []byte
	dir  bool // a directory, not a file
}

// hcLine is one line of a checksum list: sg is what signet reads, cu what coreutils is given
// to mean the same (equal to sg but where signet differs on purpose: why says where).
type hcLine struct {
	kind string
	sg   string
	cu   string
	why  string // the documented difference that makes cu differ from sg
}

// hcList is one checksum list of a check case.
type hcList struct {
	name  string // the file it is written to, or "-"
	lines []hcLine
	crlf  bool // every line ends in CRLF
	noEOL bool // the last line has no newline
}

func (l hcList) text(cu bool) string {
	var b strings.Builder
	for i, ln := range l.lines {
		s := ln.sg
		if cu {
			s = ln.cu
		}
		b.WriteString(s)
		if i == len(l.lines)-1 && l.noEOL {
			break
		}
		if l.crlf {
			b.WriteString("\r\n")
		} else {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// hcCase is one seed's run.
type hcCase struct {
	seed  int64
	alg   hcAlg
	files []hcFile
	stdin string
	// a run that writes a list
	check bool
	flags []string // after the command, before "--"
	args  []string
	// a check
	giveAlg bool // -a given to signet (coreutils' tool is always of that algorithm)
	lists   []hcList
}

func (c *hcCase) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d: %s", c.seed, c.alg.tool)
	for _, f := range c.files {
		if f.dir {
			fmt.Fprintf(&b, "\n\tdir %q", f.name)
		} else {
			fmt.Fprintf(&b, "\n\tfile %q (%d bytes)", f.name, len(f.data))
		}
	}
	if c.stdin != "" {
		fmt.Fprintf(&b, "\n\tstdin %q", c.stdin)
	}
	if !c.check {
		fmt.Fprintf(&b, "\n\tsignet %q", c.signetArgs())
		return b.String()
	}
	fmt.Fprintf(&b, "\n\tsignet %q", c.signetArgs())
	for _, l := range c.lists {
		fmt.Fprintf(&b, "\n\tlist %s crlf=%v noEOL=%v:", l.name, l.crlf, l.noEOL)
		for _, ln := range l.lines {
			fmt.Fprintf(&b, "\n\t  %-10s %q", ln.kind, ln.sg)
			if ln.cu != ln.sg {
				fmt.Fprintf(&b, "\n\t  %-10s %q (coreutils, %s)", "", ln.cu, ln.why)
			}
		}
	}
	return b.String()
}

// signetArgs are the arguments of signet's run, without the program name.
func (c *hcCase) signetArgs() []string {
	args := []string{"hash"}
	if c.check {
		args = append(args, "-c")
		if c.giveAlg {
			args = append(args, "-a", c.alg.name)
		}
		args = append(args, c.flags...)
		args = append(args, "--")
		for _, l := range c.lists {
			args = append(args, l.name)
		}
		return args
	}
	args = append(args, "-a", c.alg.name)
	args = append(args, c.flags...)
	return append(append(args, "--"), c.args...)
}

// coreutilsArgs are the arguments of coreutils' run.
func (c *hcCase) coreutilsArgs() []string {
	var args []string
	if c.check {
		args = append(args, "-c")
	}
	args = append(args, c.flags...)
	args = append(args, "--")
	if c.check {
		for _, l := range c.lists {
			args = append(args, l.name)
		}
		return args
	}
	return append(args, c.args...)
}

// hcNamePieces are what names are made of: the bytes list lines escape (backslash, newline,
// carriage return), blanks, a leading '-' or '*', a byte that is not UTF-8, unprintables, and
// the characters of the BSD form.
var hcNamePieces = []string{"a", "b", "c", "x y", " ", "\n", "\\", "\r", "-", "*", "\xff", "\x01", "\t", "(", ")", "=", "'", "é", "#", "n", ".txt", "\\n", "SHA256 ", "  "}

func hcName(r *rand.Rand, taken map[string]bool) string {
	for {
		var b strings.Builder
		for range 1 + r.IntN(4) {
			b.WriteString(hcNamePieces[r.IntN(len(hcNamePieces))])
		}
		n := b.String()
		if n == "-" || n == "." || n == ".." || taken[n] {
			continue
		}
		taken[n] = true
		return n
	}
}

func hcDraw(seed int64) *hcCase {
	r := rand.New(rand.NewPCG(uint64(seed), 0x6863))
	c := &hcCase{seed: seed, alg: hcAlgs[r.IntN(len(hcAlgs))]}
	taken := map[string]bool{}
	for range 1 + r.IntN(5) {
		data := make([]byte, r.IntN(200))
		for i := range data {
			data[i] = byte(r.IntN(256))
		}
		c.files = append(c.files, hcFile{name: hcName(r, taken), data: data})
	}
	if r.IntN(3) == 0 {
		c.files = append(c.files, hcFile{name: hcName(r, taken), dir: true})
	}
	missing := hcName(r, taken)
	if r.IntN(4) == 0 {
		c.stdin = fmt.Sprintf("stdin %d\n", r.IntN(1000))
	}
	if r.IntN(2) == 0 {
		c.drawHash(r, missing)
	} else {
		c.drawCheck(r, missing)
	}
	return c
}

// drawHash draws a run that writes a list: the seed's files, perhaps "-", a directory and a
// missing file, in any order and with repeats, with --tag, -z and -b.
func (c *hcCase) drawHash(r *rand.Rand, missing string) {
	for range 1 + r.IntN(6) {
		switch k := r.IntN(10); {
		case k == 0:
			c.args = append(c.args, "-")
		case k == 1:
			c.args = append(c.args, missing)
		default:
			c.args = append(c.args, c.files[r.IntN(len(c.files))].name)
		}
	}
	if r.IntN(3) == 0 {
		c.flags = append(c.flags, "--tag")
	}
	if r.IntN(3) == 0 {
		c.flags = append(c.flags, "-z")
	}
	if r.IntN(4) == 0 {
		c.flags = append(c.flags, "-b")
	} else if r.IntN(6) == 0 && !hasFlag(c.flags, "--tag") {
		c.flags = append(c.flags, "-t")
	}
}

func hasFlag(flags []string, f string) bool {
	for _, g := range flags {
		if g == f {
			return true
		}
	}
	return false
}

// hcEscape is coreutils' escaping of a name in a list line: whether the line needs the
// leading backslash, and the name with \\, \n and \r.
func hcEscape(name string) (string, bool) {
	if !strings.ContainsAny(name, "\\\n\r") {
		return name, false
	}
	return strings.NewReplacer("\\", `\\`, "\n", `\n`, "\r", `\r`).Replace(name), true
}

// drawCheck draws one to three lists of lines of every kind, and the flags of the check.
func (c *hcCase) drawCheck(r *rand.Rand, missing string) {
	c.check = true
	c.giveAlg = r.IntN(2) == 0
	nLists := 1 + r.IntN(3)
	if r.IntN(4) == 0 {
		nLists = 1
	}
	stdinList := c.stdin == "" && r.IntN(5) == 0
	for i := range nLists {
		l := hcList{name: fmt.Sprintf("list%d", i), crlf: r.IntN(6) == 0, noEOL: r.IntN(5) == 0}
		if stdinList && i == nLists-1 {
			l.name = "-"
		}
		switch r.IntN(25) {
		case 0:
			l.name = "missing-list" // never written
		case 1:
			l.name = c.files[r.IntN(len(c.files))].name // a file hashed, or a directory
		}
		for range r.IntN(8) {
			l.lines = append(l.lines, c.drawLine(r, missing, l.name == "-"))
		}
		c.lists = append(c.lists, l)
	}
	if r.IntN(3) == 0 {
		c.flags = append(c.flags, "--strict")
	}
	if r.IntN(3) == 0 {
		c.flags = append(c.flags, "--ignore-missing")
	}
	r.Shuffle(len(c.flags), func(i, j int) { c.flags[i], c.flags[j] = c.flags[j], c.flags[i] })
	// Of --warn, --quiet and --status, coreutils takes the last, signet the quietest: given
	// from loudest to quietest the two agree (the README says so).
	for _, f := range []string{"--warn", "--quiet", "--status"} {
		if r.IntN(4) == 0 {
			c.flags = append(c.flags, f)
		}
	}
}

// drawLine draws one list line.
func (c *hcCase) drawLine(r *rand.Rand, missing string, stdinList bool) hcLine {
	// The file the line names: one of the seed's files, the missing one, or "-".
	name, data, exists := missing, []byte(nil), false
	switch k := r.IntN(12); {
	case k == 0:
		if !stdinList {
			name, data, exists = "-", []byte(c.stdin), true
		}
	case k <= 9:
		f := c.files[r.IntN(len(c.files))]
		name, data, exists = f.name, f.data, !f.dir
	}
	a := c.alg
	good := a.sum(data)
	digest := good
	wrong := r.IntN(4) == 0 || !exists
	if wrong {
		digest = append([]byte(nil), good...)
		digest[r.IntN(len(digest))] ^= 1 << r.IntN(8)
	}
	hx := hex.EncodeToString(digest)
	if r.IntN(6) == 0 {
		hx = strings.ToUpper(hx)
	}
	esc, needs := hcEscape(name)
	lead := ""
	if r.IntN(10) == 0 {
		lead = []string{" ", "\t", "  "}[r.IntN(3)]
	}
	bs := ""
	if needs || r.IntN(20) == 0 {
		bs = `\`
	}
	line := func(kind, s string) hcLine { return hcLine{kind: kind, sg: s, cu: s} }
	switch k := r.IntN(40); {
	case k < 14:
		sep := "  "
		if r.IntN(4) == 0 {
			sep = " *"
		}
		return line("plain", lead+bs+hx+sep+esc)
	case k < 20:
		return line("bsd", lead+bs+a.tag+" ("+esc+") = "+hx)
	case k == 20:
		return line("bsd-nosp", lead+bs+a.tag+"("+esc+")="+hx)
	case k == 21:
		// "<hex> <name>": BSD's md5 -r form, which neither mixes with the standard one.
		return line("reversed", bs+hx+" "+esc)
	case k == 22:
		return line("blank", "")
	case k == 23:
		return line("comment", "# "+esc)
	case k == 24:
		junk := []string{"junk", "x  y", "=", "()", hx, hx + " ", a.tag + " (" + esc + ")", a.tag + " (" + esc + ") = ",
			"\\" + hx + "  a\\qb", a.tag + "X (" + esc + ") = " + hx, "\\", hx + "  ", hx + " *", hx + "\t\t", hx + " \\",
			"  ", "\t", " # " + esc, "\r", a.tag + " () = " + hx, a.tag + "  (" + esc + ") = " + hx, a.tag + " (" + esc + ") = " + hx + " ",
			"\\" + a.tag + " (a\\) = " + hx, strings.ToLower(a.tag) + " (" + esc + ") = " + hx, hx + "  " + esc + "\r\r"}
		return line("junk", junk[r.IntN(len(junk))])
	case k == 25:
		// A digest of the wrong length.
		n := len(hx) + []int{-2, -1, 1, 2}[r.IntN(4)]
		h := strings.Repeat(hx, 2)[:n]
		if r.IntN(2) == 0 {
			return line("short", h+"  "+esc)
		}
		return line("short-bsd", a.tag+" ("+esc+") = "+h)
	case k <= 28:
		// A line of another algorithm: malformed for coreutils' tool and for signet -a; without
		// -a, signet checks it with that algorithm (its tag or its length), as coreutils' tool
		// would a line of its own algorithm naming the same file with a digest as right or wrong.
		o := hcAlgs[r.IntN(len(hcAlgs))]
		od := o.sum(data)
		if wrong {
			od[0] ^= 0x80
		}
		ohx := hex.EncodeToString(od)
		var s, cu string
		if r.IntN(2) == 0 {
			s, cu = bs+o.tag+" ("+esc+") = "+ohx, bs+a.tag+" ("+esc+") = "+hx
		} else {
			s, cu = bs+ohx+"  "+esc, bs+hx+"  "+esc
		}
		if o.name == a.name || c.giveAlg {
			cu = s
		}
		l := hcLine{kind: "other-" + o.name, sg: s, cu: cu}
		if cu != s {
			l.why = "other-alg"
		}
		return l
	case k == 29:
		// openssl dgst's spelling of the tag, which signet reads and coreutils does not.
		return hcLine{kind: "openssl", sg: bs + a.openSSLTag() + "(" + esc + ")= " + hx, cu: bs + a.tag + " (" + esc + ") = " + hx, why: "openssl-tag"}
	case k == 30:
		// A NUL byte: coreutils checks the name cut at the NUL, signet takes the line as
		// malformed (ListParser's doc, README).
		s := hx + "  " + esc
		at := 1 + r.IntN(len(s)-1)
		return hcLine{kind: "nul", sg: s[:at] + "\x00" + s[at:], cu: "malformed line (was NUL)", why: "nul"}
	case k == 31:
		// A base64 digest (cksum --base64), which signet reads and sha256sum -c does not.
		return hcLine{kind: "base64", sg: a.tag + " (" + esc + ") = " + base64.StdEncoding.EncodeToString(digest), cu: a.tag + " (" + esc + ") = " + hex.EncodeToString(digest), why: "base64"}
	case k == 32:
		// A name that is escaped though it holds nothing to escape, or a bad escape.
		if needs {
			return line("plain", bs+hx+"  "+esc)
		}
		return line("escaped", `\`+hx+"  "+name)
	case k == 33:
		// Blanks inside the BSD form.
		return line("bsd-blank", bs+a.tag+" ("+esc+")\t=  "+hx)
	case k == 34:
		if r.IntN(2) == 0 {
			return line("tab-sep", hx+"\t "+esc)
		}
		// A BSD line whose digest is as long as another algorithm's hex: for SHA384, 64
		// characters are its base64 length too, and hex digits are base64 ones, so signet
		// reads them as base64 (a wrong digest, unless drawn so) where sha384sum finds the line
		// malformed; coreutils is given the digest signet read, in hex.
		o := hcAlgs[r.IntN(len(hcAlgs))]
		ohx := hex.EncodeToString(o.sum(data))
		l := line("bsd-len-"+o.name, a.tag+" ("+esc+") = "+ohx)
		if d, err := base64.StdEncoding.Strict().DecodeString(ohx); err == nil && len(d) == len(good) && o.name != a.name {
			l.cu, l.why = a.tag+" ("+esc+") = "+hex.EncodeToString(d), "base64"
		}
		return l
	case k == 35:
		// Trailing blank after the name: part of the name.
		return line("trail", hx+"  "+esc+" ")
	default:
		return line("plain", bs+hx+"  "+esc)
	}
}
