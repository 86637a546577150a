package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/json"
	"fmt"
	"hash"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/testutil"
)

// The seeded differential campaign of signed manifests (the generator is mf_gen_test.go). Each
// seed builds its tree, runs the signet binary to sign a list of it, and holds the result to
// three oracles:
//
//  1. the list is byte for byte what the coreutils tool of its hash (sha256sum, sha384sum,
//     sha512sum) writes for the same names, run in the list's directory (names relative to
//     it, cleaned: "sign --help", "the files named relative to NAME's directory"; a file
//     called "-" is "./-", which the tool does not read as standard input), and that tool's
//     -c accepts it; a SHA3-256 list is the tagged lines `cksum --tag` would write;
//  2. the list's signature verifies with the peer: `openssl dgst -verify` (raw), `openssl cms
//     -verify` (cms), `minisign -V` (minisign); a bundle has no peer here (interop/ has
//     sigstore-go);
//  3. after the drawn mutations of the tree and the list (re-signed by the same key, another,
//     or not), `signet verify --manifest --json` gives per line the verdict `sha256sum -c`
//     gives (OK, FAILED, missing, unreadable), but where the README says otherwise: a name
//     outside the list's directory (absolute, a .. component, a link resolving out) is
//     refused unread (outside-path) unless --allow-outside, each malformed line fails the
//     list, a named pipe is unreadable (where sha256sum would wait on it: it is given a
//     directory there, which it fails as unreadable too). The exit code and the --json reason
//     are the first failure's in list order. No outside file is ever read: each one holds
//     the bytes a listed line names, so reading it would pass. `signet hash -c` on the same
//     list gives sha256sum -c's standard output and exit code.
//
// A failed signing (a named pipe, a dangling link, a directory without -r, a missing file)
// exits 3 and writes nothing; a list edited and not re-signed, or signed by another key,
// fails as the list (exit 10, or 11 for an untrusted signer) and no file is read.
//
// CI runs mfCI seeds (two at a time); MF_SEEDS=first:count runs others.

const mfCI = 150

// mfEnv is what every seed shares: the signet binary, the peer tools and the keys.
type mfEnv struct {
	signet, openssl, minisign string
	tools                     map[string]string // coreutils tool by name
	keys                      string            // directory of the keys
}

func mfSetUp(t *testing.T) *mfEnv {
	e := &mfEnv{openssl: testutil.RequireTool(t, "openssl"), minisign: testutil.RequireTool(t, "minisign"), tools: map[string]string{}}
	for _, a := range mfAlgs() {
		if a.tool != "" {
			e.tools[a.tool] = testutil.RequireTool(t, a.tool)
		}
	}
	if dir := scriptSignet(t); dir != "" {
		e.signet = filepath.Join(dir, "signet") // built without -race: the campaign starts it ~8 times a seed
	} else {
		e.signet = testutil.RequireTool(t, "signet") // this test binary, as testscript.Main puts it on PATH
	}
	e.keys = t.TempDir()
	pki := filepath.Join("..", "..", "testdata", "pki")
	cp := func(from, to string) {
		b, err := os.ReadFile(filepath.Join(pki, from))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(e.keys, to), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cp("codesign.key", "k.key")
	cp("codesign-ed25519.key", "e.key")
	cp("root-ca.pem", "root.pem")
	cp("int-ca.pem", "int.pem")
	chain := slices.Concat(mfRead(t, filepath.Join(pki, "codesign.pem")), mfRead(t, filepath.Join(pki, "int-ca.pem")))
	if err := os.WriteFile(filepath.Join(e.keys, "chain.pem"), chain, 0o600); err != nil {
		t.Fatal(err)
	}
	k := testutil.Cmd{Dir: e.keys}
	k.Run(t, e.openssl, "pkey", "-in", "k.key", "-pubout", "-out", "pub.pem")
	k.Run(t, e.openssl, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "other.key")
	k.Run(t, e.openssl, "genpkey", "-algorithm", "ED25519", "-out", "other-e.key")
	k.Run(t, e.openssl, "req", "-x509", "-new", "-key", "other.key", "-subj", "/CN=Other Signer", "-days", "7300",
		"-addext", "extendedKeyUsage=codeSigning", "-addext", "keyUsage=critical,digitalSignature", "-addext", "basicConstraints=critical,CA:FALSE",
		"-out", "other.pem")
	k.Run(t, e.signet, "key", "pub", "-q", "--format", "minisign", "e.key", "-o", "mini.pub")
	return e
}

func mfRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mfReadRegular reads p if it is (or leads to) a regular file: never waits on a named pipe.
func mfReadRegular(p string) ([]byte, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", p)
	}
	return os.ReadFile(p)
}

func mfSum(a mfAlg, data []byte) []byte {
	var h hash.Hash
	switch a.name {
	case "sha256":
		h = sha256.New()
	case "sha384":
		h = sha512.New384()
	case "sha512":
		h = sha512.New()
	default:
		h = sha3.New256()
	}
	h.Write(data)
	return h.Sum(nil)
}

// mfExt is the signature's extension of each format.
func mfExt(format string) string {
	return map[string]string{"raw": ".sig", "cms": ".p7s", "bundle": ".sigstore.json", "minisign": ".minisig"}[format]
}

// mfRun is one program's run.
type mfRun struct {
	stdout, stderr string
	code           int
}

func mfExec(t *testing.T, dir string, name string, args ...string) mfRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute) // nothing may wait on a pipe
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = []string{"LC_ALL=C.UTF-8", "PATH=/usr/bin:/bin", "HOME=" + dir, "SIGNET_HOME=" + filepath.Join(dir, ".nohome"), "GORACE=atexit_sleep_ms=0"}
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return mfRun{o.String(), e.String(), code}
}

// mfSeed is one seed's directories: top holds the tree t, the outside files and the names
// list.
type mfSeed struct {
	*mfCase
	e        *mfEnv
	top      string
	tree     string
	outMatch map[string]string // an outside file's name by the listed content it holds
	problems []string
	tally    []string
}

func (s *mfSeed) fail(format string, args ...any) {
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

func (s *mfSeed) path(name string) string { return filepath.Join(s.tree, name) }

// build makes the tree and the outside files.
func (s *mfSeed) build(t *testing.T) {
	must := func(err error) {
		if err != nil {
			t.Fatalf("seed %d: %v", s.seed, err)
		}
	}
	s.tree = filepath.Join(s.top, "t")
	must(os.MkdirAll(filepath.Join(s.top, "OUT", "dir"), 0o755))
	must(os.WriteFile(filepath.Join(s.top, "OUT", "dir", "f"), []byte("outside"), 0o644))
	must(os.Mkdir(s.tree, 0o755))
	s.outMatch = map[string]string{}
	for _, n := range s.nodes {
		p := s.path(n.name)
		switch n.kind {
		case "dir":
			must(os.Mkdir(p, 0o755))
		case "file":
			must(os.WriteFile(p, n.data, 0o644))
		}
	}
	for _, n := range s.nodes {
		p := s.path(n.name)
		switch n.kind {
		case "hard":
			must(os.Link(s.path(n.target), p))
		case "fifo":
			must(syscall.Mkfifo(p, 0o644))
		case "dir", "file":
		default:
			target := n.target
			if rest, ok := strings.CutPrefix(target, "/ABS/"); ok {
				target = s.path(rest)
			} else if rest, ok := strings.CutPrefix(target, "OUT/"); ok {
				target = filepath.Join(s.top, "OUT", rest)
			}
			must(os.Symlink(target, p))
		}
	}
	// The outside file a link-out leads to holds the bytes of a file of the tree: signing
	// through the link lists them.
	for _, n := range s.nodes {
		if n.kind == "file" {
			must(os.WriteFile(filepath.Join(s.top, "OUT", "match"), n.data, 0o644))
			break
		}
	}
}

// outsideFile writes an outside file holding data (so that a line naming it with data's
// digest would pass if it were read) and returns its path.
func (s *mfSeed) outsideFile(t *testing.T, data []byte) string {
	k := string(data)
	if p, ok := s.outMatch[k]; ok {
		return p
	}
	p := filepath.Join(s.top, "OUT", fmt.Sprintf("m%d", len(s.outMatch)))
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	s.outMatch[k] = p
	return p
}

func (s *mfSeed) cwd() string {
	if s.above {
		return s.top
	}
	return s.tree
}

// arg is an argument as given from cwd.
func (s *mfSeed) arg(a string) string {
	if !s.above {
		if a == "" {
			return "."
		}
		return a
	}
	if a == "" {
		return "t"
	}
	return "t/" + a
}

func (s *mfSeed) listArg() string { return s.arg("SUMS") }

// keyArgs are the key (and certificate) arguments of signet sign for who: "same" or "other".
func (s *mfSeed) keyArgs(who string) []string {
	k := s.e.keys
	switch {
	case s.format == "minisign" && who == "other":
		return []string{"--key", filepath.Join(k, "other-e.key")}
	case s.format == "minisign":
		return []string{"--key", filepath.Join(k, "e.key")}
	case s.format == "raw" && who == "other":
		return []string{"--key", filepath.Join(k, "other.key")}
	case s.format == "raw":
		return []string{"--key", filepath.Join(k, "k.key")}
	case who == "other":
		return []string{"--key", filepath.Join(k, "other.key"), "--cert", filepath.Join(k, "other.pem")}
	}
	return []string{"--key", filepath.Join(k, "k.key"), "--cert", filepath.Join(k, "chain.pem")}
}

func (s *mfSeed) algArgs() []string {
	// With minisign, -a is the list's hash only (the signature's is BLAKE2b-512).
	return []string{"-a", s.alg.name}
}

func (s *mfSeed) sign(t *testing.T, allowOutside bool) mfRun {
	args := append([]string{"sign", "-q", "--format", s.format}, s.keyArgs("same")...)
	if allowOutside {
		args = append(args, "--allow-outside")
	}
	args = append(args, s.algArgs()...)
	args = append(args, "--manifest", s.listArg())
	if s.recursive {
		args = append(args, "-r")
	}
	var names []string
	for _, a := range s.args {
		if a == "-" && !s.filesFrom && !s.above {
			a = "./-" // standard input as an argument; in --files-from a file called "-"
		}
		names = append(names, s.arg(a))
	}
	if s.filesFrom {
		sep := "\n"
		if slices.ContainsFunc(names, func(n string) bool { return strings.Contains(n, "\n") }) {
			sep = "\x00"
			args = append(args, "--null")
		}
		list := filepath.Join(s.top, "names")
		if err := os.WriteFile(list, []byte(strings.Join(names, sep)+sep), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--files-from", list)
		names = nil
	}
	args = append(append(args, "--"), names...)
	return mfExec(t, s.cwd(), s.e.signet, args...)
}

// coreutilsList is what the coreutils tool writes for the entries, or the tagged lines for an
// algorithm it lacks (coreutils' escaping: hcEscape).
func (s *mfSeed) coreutilsList(t *testing.T) string {
	var names []string
	for _, e := range s.entries {
		n := e.name
		if n == "-" {
			n = "./-"
		}
		names = append(names, n)
	}
	a := s.alg
	if a.tool == "" {
		var b strings.Builder
		for _, e := range s.entries {
			data, err := os.ReadFile(s.path(e.name))
			if err != nil {
				t.Fatal(err)
			}
			n := e.name
			if n == "-" {
				n = "./-"
			}
			esc, needs := hcEscape(n)
			if needs {
				b.WriteByte('\\')
			}
			fmt.Fprintf(&b, "%s (%s) = %x\n", a.tag, esc, mfSum(a, data))
		}
		return b.String()
	}
	tool := a.tool
	r := mfExec(t, s.tree, s.e.tools[tool], append([]string{"--"}, names...)...)
	if r.code != 0 {
		s.fail("%s of the listed names: exit %d %s", tool, r.code, r.stderr)
	}
	return r.stdout
}

// listTool is the coreutils tool that checks the list, "" when there is none.
func (s *mfSeed) listTool() string {
	if s.alg.tool == "" {
		return ""
	}
	return s.e.tools[s.alg.tool]
}

// peerVerify checks the list's signature with the format's peer.
func (s *mfSeed) peerVerify(t *testing.T) {
	k := s.e.keys
	sig := "SUMS" + mfExt(s.format)
	var r mfRun
	switch s.format {
	case "raw":
		r = mfExec(t, s.tree, s.e.openssl, "dgst", "-"+s.alg.name, "-verify", filepath.Join(k, "pub.pem"), "-signature", sig, "SUMS")
	case "cms":
		r = mfExec(t, s.tree, s.e.openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", "SUMS",
			"-CAfile", filepath.Join(k, "root.pem"), "-purpose", "any", "-attime", "1780272000", "-out", os.DevNull)
	case "minisign":
		r = mfExec(t, s.tree, s.e.minisign, "-V", "-q", "-p", filepath.Join(k, "mini.pub"), "-x", sig, "-m", "SUMS")
	default:
		return
	}
	if r.code != 0 {
		s.fail("peer refuses the list's %s signature: exit %d %s%s", s.format, r.code, r.stdout, r.stderr)
	}
}

// mfVerdict is signet verify's --json.
type mfVerdict struct {
	Valid    bool `json:"valid"`
	ExitCode int  `json:"exit_code"`
	Manifest *struct {
		Valid    bool   `json:"valid"`
		Reason   string `json:"reason"`
		Manifest struct {
			Valid  bool   `json:"valid"`
			Reason string `json:"reason"`
		} `json:"manifest"`
		Files []mfFileVerdict `json:"files"`
	} `json:"manifest"`
}

// mfFileVerdict is a listed file's verdict in verify --json.
type mfFileVerdict struct {
	Name   string `json:"name"`
	Line   int    `json:"line"`
	Status string `json:"status"`
	Actual string `json:"actual"`
}

// outsideListed reports whether verify --manifest, over the list as signed and without
// --allow-outside, refuses a listed name as outside the list's directory.
func (s *mfSeed) outsideListed(t *testing.T) bool {
	saved := *s
	s.ignore, s.allow, s.only = false, false, nil
	args := s.verifyArgs()
	*s = saved
	r := mfExec(t, s.cwd(), s.e.signet, args...)
	var v mfVerdict
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || v.Manifest == nil {
		t.Fatalf("verify --json of the list as signed: exit %d, %v: %q %s", r.code, err, r.stdout, r.stderr)
	}
	return slices.ContainsFunc(v.Manifest.Files, func(f mfFileVerdict) bool { return f.Status == "outside" })
}

func (s *mfSeed) verifyArgs() []string {
	k := s.e.keys
	args := []string{"verify", "--json", "--manifest", s.listArg()}
	switch s.format {
	case "raw":
		args = append(args, "--key", filepath.Join(k, "pub.pem"), "-a", s.alg.name)
	case "minisign":
		args = append(args, "--key", filepath.Join(k, "mini.pub"))
	default:
		args = append(args, "--roots", filepath.Join(k, "root.pem"), "--intermediates", filepath.Join(k, "int.pem"), "--at", "2026-06-01T00:00:00Z")
	}
	if s.ignore {
		args = append(args, "--ignore-missing")
	}
	if s.allow {
		args = append(args, "--allow-outside")
	}
	if s.only != nil {
		args = append(args, "--")
		for _, o := range s.only {
			args = append(args, s.arg(o))
		}
	}
	return args
}

// mutate applies the drawn mutations; it returns the list's new lines (without their ends)
// and whether they end in CRLF.
func (s *mfSeed) mutate(t *testing.T, list string) (lines []string, crlf, noEOL bool) {
	r := rand.New(rand.NewPCG(uint64(s.seed), 0x6d75))
	lines = strings.SplitAfter(list, "\n")
	lines = slices.DeleteFunc(lines, func(l string) bool { return l == "" })
	for i := range lines {
		lines[i] = strings.TrimSuffix(lines[i], "\n")
	}
	lineOf := func(name string, data []byte) string {
		a := s.alg
		esc, needs := hcEscape(name)
		bs := ""
		if needs {
			bs = `\`
		}
		if a.tool == "" {
			return fmt.Sprintf("%s%s (%s) = %x", bs, a.tag, esc, mfSum(a, data))
		}
		return fmt.Sprintf("%s%x  %s", bs, mfSum(a, data), esc)
	}
	content := func(e mfEntry) []byte {
		b, _ := mfReadRegular(s.path(e.name))
		return b
	}
	must := func(err error) {
		if err != nil {
			t.Fatalf("seed %d: %v", s.seed, err)
		}
	}
	for _, m := range s.muts {
		s.tally = append(s.tally, "mutation "+m.kind)
		e := s.entries[m.node]
		p := s.path(e.name)
		switch m.kind {
		case "change":
			if b, err := mfReadRegular(p); err == nil {
				must(os.WriteFile(p, append(b, 'x'), 0o644))
			}
		case "touch":
			if b, err := mfReadRegular(p); err == nil {
				must(os.WriteFile(p, b, 0o644))
			}
		case "remove", "link-out", "fifo", "dir":
			old, err := mfReadRegular(p)
			if err != nil {
				continue // removed or replaced already
			}
			must(os.Remove(p))
			switch m.kind {
			case "link-out":
				must(os.Symlink(s.outsideFile(t, old), p))
			case "fifo":
				must(syscall.Mkfifo(p, 0o644))
			case "dir":
				must(os.Mkdir(p, 0o755))
			}
		case "add":
			n := s.nodes[m.add]
			b, _ := mfReadRegular(s.path(n.name))
			lines = slices.Insert(lines, r.IntN(len(lines)+1), lineOf(n.name, b))
		case "del":
			if len(lines) > 1 {
				lines = slices.Delete(lines, m.node%len(lines), m.node%len(lines)+1)
			}
		case "dup":
			i := m.node % len(lines)
			lines = slices.Insert(lines, r.IntN(len(lines)+1), lines[i])
		case "reorder":
			r.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
		case "crlf":
			crlf = true
		case "noeol":
			noEOL = true
		case "dir-out":
			// The directory of a listed file moved out of the tree, a link to it left in its
			// place: its files are where the link leads, each with the bytes listed.
			d, _, ok := strings.Cut(e.name, "/")
			if fi, err := os.Lstat(s.path(d)); !ok || err != nil || !fi.IsDir() {
				continue
			}
			moved := filepath.Join(s.top, "OUT", fmt.Sprintf("moved%d", r.IntN(1000)))
			must(os.Rename(s.path(d), moved))
			target := moved
			if r.IntN(2) == 0 {
				target, _ = filepath.Rel(filepath.Dir(s.path(d)), moved)
			}
			must(os.Symlink(target, s.path(d)))
		case "comment":
			esc, _ := hcEscape(e.name) // a newline would end the comment
			lines = slices.Insert(lines, r.IntN(len(lines)+1), "# "+esc)
		case "junk":
			lines = slices.Insert(lines, r.IntN(len(lines)+1), []string{"junk", "0123  ", "SHA256 (x) ="}[r.IntN(3)])
		case "dotdot":
			data := content(e)
			rel, err := filepath.Rel(s.tree, s.outsideFile(t, data))
			must(err)
			lines = slices.Insert(lines, r.IntN(len(lines)+1), lineOf(rel, data))
		case "abs":
			data := content(e)
			lines = slices.Insert(lines, r.IntN(len(lines)+1), lineOf(s.outsideFile(t, data), data))
		case "slash":
			lines = slices.Insert(lines, r.IntN(len(lines)+1), lineOf(e.name+"/", content(e)))
		case "dotdot-in":
			for _, n := range s.nodes {
				if n.kind == "dir" {
					lines = slices.Insert(lines, r.IntN(len(lines)+1), lineOf(n.name+"/../"+e.name, content(e)))
					break
				}
			}
		}
	}
	return lines, crlf, noEOL
}

// outsideName reports whether a listed name leaves the tree: absolute, a .. component, or a
// path that resolves (symbolic links followed) outside it.
func (s *mfSeed) outsideName(name string) bool {
	if filepath.IsAbs(name) || slices.Contains(strings.Split(name, "/"), "..") {
		return true
	}
	real, err := filepath.EvalSymlinks(s.path(name))
	if err != nil {
		// Resolve the directory alone: a missing file in a directory that leads out.
		d, err := filepath.EvalSymlinks(filepath.Dir(s.path(name)))
		if err != nil {
			return false
		}
		real = filepath.Join(d, filepath.Base(name))
	}
	top, _ := filepath.EvalSymlinks(s.tree)
	rel, err := filepath.Rel(top, real)
	return err != nil || rel == ".." || strings.HasPrefix(rel, "../")
}

// coreutilsCheck runs the tool's -c on the list in the tree with every named pipe (in the
// tree or out of it, where its links lead) replaced by a directory (the tool would wait on a pipe; it fails a directory as unreadable, the
// verdict signet gives a pipe), and returns per well-formed line ok, mismatch, missing or
// unreadable, and the run.
func (s *mfSeed) coreutilsCheck(t *testing.T, tool string, dash []byte) ([]string, mfRun, mfRun) {
	var pipes []string
	filepath.WalkDir(s.top, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type()&os.ModeNamedPipe != 0 {
			pipes = append(pipes, p)
		}
		return nil
	})
	for _, p := range pipes {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	defer func() {
		for _, p := range pipes {
			os.Remove(p)
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}()
	cu := mfExec(t, s.tree, tool, "-c", "SUMS")
	sg := mfExec(t, s.tree, s.e.signet, "hash", "-c", "SUMS")
	if dash != nil {
		// verify reads a listed "-" as the file called "-" beside the list (README), where
		// the tool's -c (and hash -c) read standard input: the tool is given "./-" to
		// judge verify's verdicts.
		if err := os.WriteFile(filepath.Join(s.tree, "SUMS.dash"), dash, 0o644); err != nil {
			t.Fatal(err)
		}
		cu = mfExec(t, s.tree, tool, "-c", "SUMS.dash")
	}
	var out []string
	var errs []string
	for _, l := range strings.SplitAfter(cu.stderr, "\n") {
		if l != "" && !strings.Contains(l, ": WARNING: ") {
			errs = append(errs, l)
		}
	}
	for _, l := range strings.SplitAfter(cu.stdout, "\n") {
		switch {
		case l == "":
		case strings.HasSuffix(l, ": OK\n"):
			out = append(out, "ok")
		case strings.HasSuffix(l, ": FAILED open or read\n"):
			st := "unreadable"
			if len(errs) > 0 && strings.HasSuffix(errs[0], ": No such file or directory\n") {
				st = "missing"
			}
			if len(errs) > 0 {
				errs = errs[1:]
			}
			out = append(out, st)
		case strings.HasSuffix(l, ": FAILED\n"):
			out = append(out, "mismatch")
		default:
			out = append(out, "? "+l)
		}
	}
	return out, cu, sg
}

// mfExit is the exit code and --json reason of a manifest's first failed entry.
func mfExit(status string) (int, string) {
	switch status {
	case "mismatch":
		return exitSigMismatch, "digest-mismatch"
	case "missing", "unreadable", "not-listed":
		return exitBadInput, "unchecked"
	case "outside":
		return exitPolicy, "outside-path"
	case "malformed":
		return exitPolicy, "malformed-line"
	}
	return -1, "?"
}

func (s *mfSeed) run(t *testing.T) {
	s.build(t)
	sg := s.sign(t, false)
	refusedOutside := false
	if s.bad == "" && sg.code == exitUsage {
		// A file outside the list's directory: refused (ErrOutsideList) with nothing written,
		// and listed with --allow-outside, where verifying without it must then refuse a name
		// as outside (checked below): sign and verify agree on what is outside.
		if _, err := os.Lstat(s.path("SUMS")); err == nil {
			s.fail("sign refused a file outside and wrote the list")
		}
		refusedOutside = true
		s.tally = append(s.tally, "sign refused outside")
		sg = s.sign(t, true)
	}
	if s.bad != "" {
		// All or nothing: a file that cannot be signed fails the run (exit 3: a directory
		// without -r is one too) and nothing is written.
		if sg.code != exitBadInput {
			s.fail("sign with %q: exit %d, want %d: %s", s.bad, sg.code, exitBadInput, sg.stderr)
		}
		if _, err := os.Lstat(s.path("SUMS")); err == nil {
			s.fail("sign with %q wrote the list", s.bad)
		}
		s.tally = append(s.tally, "sign refused")
		return
	}
	if sg.code != 0 {
		s.fail("sign: exit %d: %s", sg.code, sg.stderr)
		return
	}
	list := string(mfRead(t, s.path("SUMS")))
	if outside := s.outsideListed(t); outside != refusedOutside {
		s.fail("sign without --allow-outside refused %v, but verify without it finds a name outside: %v", refusedOutside, outside)
	}
	// Oracle 1: the list is coreutils', and its -c accepts it.
	want := s.coreutilsList(t)
	if list != want {
		s.fail("the list differs from coreutils':\n\t\tsignet    %q\n\t\tcoreutils %q", list, want)
	}
	tool := s.listTool()
	if tool != "" {
		if r := mfExec(t, s.tree, tool, "-c", "--strict", "SUMS"); r.code != 0 {
			s.fail("%s -c of the list: exit %d %s%s", filepath.Base(tool), r.code, r.stdout, r.stderr)
		}
	}
	// Oracle 2: the peer verifies its signature.
	s.peerVerify(t)

	// Oracle 3: mutations, then verify.
	lines, crlf, noEOL := s.mutate(t, list)
	end := "\n"
	if crlf {
		end = "\r\n"
	}
	edited := strings.Join(lines, end) + end
	if noEOL {
		edited = strings.TrimSuffix(edited, end)
	}
	if edited != list {
		if err := os.WriteFile(s.path("SUMS"), []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if s.resign != "none" {
		args := append([]string{"sign", "-q", "--force", "--format", s.format}, s.keyArgs(s.resign)...)
		if s.format != "minisign" { // signing the list as a file: -a is the signature's hash, which minisign's is not
			args = append(args, s.algArgs()...)
		}
		if r := mfExec(t, s.tree, s.e.signet, append(append(args, "-o", "SUMS"+mfExt(s.format), "--"), "SUMS")...); r.code != 0 {
			s.fail("re-signing the list: exit %d %s", r.code, r.stderr)
			return
		}
	}
	vr := mfExec(t, s.cwd(), s.e.signet, s.verifyArgs()...)
	var v mfVerdict
	if err := json.Unmarshal([]byte(vr.stdout), &v); err != nil || v.Manifest == nil {
		s.fail("verify --json: exit %d, %v: %q %s", vr.code, err, vr.stdout, vr.stderr)
		return
	}
	if v.ExitCode != vr.code {
		s.fail("verify: exit %d, --json says %d", vr.code, v.ExitCode)
	}
	listChanged := edited != list
	if (listChanged && s.resign == "none") || s.resign == "other" {
		// The list fails as a whole; no file is read.
		want := map[string][]int{"raw": {exitSigMismatch}, "minisign": {exitSigMismatch, exitUntrusted}, "cms": {exitSigMismatch, exitUntrusted}, "bundle": {exitSigMismatch, exitUntrusted}}[s.format]
		if s.resign == "none" {
			want = []int{exitSigMismatch}
		}
		if v.Manifest.Manifest.Valid || !slices.Contains(want, vr.code) || len(v.Manifest.Files) != 0 {
			s.fail("a list %s: verify exit %d (want %v), list valid %v, %d files", map[bool]string{true: "signed by another key", false: "edited, not re-signed"}[s.resign == "other"], vr.code, want, v.Manifest.Manifest.Valid, len(v.Manifest.Files))
		}
		s.tally = append(s.tally, fmt.Sprintf("list refused %s exit %d %s", s.format, vr.code, v.Manifest.Reason))
		return
	}
	if !v.Manifest.Manifest.Valid {
		s.fail("the list's signature fails: exit %d %s", vr.code, v.Manifest.Manifest.Reason)
		return
	}
	// Per line, against coreutils.
	var cu []string
	var cuRun, hc mfRun
	if tool != "" {
		var dash []byte
		var p digest.ListParser
		for _, l := range lines {
			if e, skip, ok := p.ParseLine([]byte(l)); ok && !skip && e.Name == "-" {
				if e.Tagged {
					l = strings.Replace(l, " (-) = ", " (./-) = ", 1)
				} else {
					l = strings.TrimSuffix(l, "-") + "./-"
				}
				s.tally = append(s.tally, "explained: a listed - is the file called -")
			}
			dash = append(append(dash, l...), end...)
		}
		if bytes.Equal(dash, []byte(edited)) {
			dash = nil
		}
		cu, cuRun, hc = s.coreutilsCheck(t, tool, nil)
		if dash != nil {
			cu, _, _ = s.coreutilsCheck(t, tool, dash)
		}
		if hc.stdout != cuRun.stdout || hc.code != cuRun.code {
			s.fail("hash -c differs from %s -c:\n\t\tsignet    exit %d %q %q\n\t\tcoreutils exit %d %q %q", filepath.Base(tool), hc.code, hc.stdout, hc.stderr, cuRun.code, cuRun.stdout, cuRun.stderr)
		}
	}
	// coreutils' verdicts by line: its k-th verdict is of the k-th well-formed line.
	var parser digest.ListParser
	names := map[int]string{} // by line: --json names are UTF-8, a byte that is not is U+FFFD there
	cuByLine := map[int]string{}
	k := 0
	for i, l := range lines {
		if e, skip, ok := parser.ParseLine([]byte(l)); ok && !skip {
			names[i+1] = e.Name
			if k < len(cu) {
				cuByLine[i+1] = cu[k]
			}
			k++
		}
	}
	if tool != "" && k != len(cu) {
		s.fail("signet reads %d well-formed lines, %s -c %d: %q", k, filepath.Base(tool), len(cu), cu)
	}
	selected := func(name string) bool {
		if s.only == nil {
			return true
		}
		return slices.Contains(s.only, filepath.Clean(name))
	}
	firstCode, firstReason := 0, ""
	checked := 0
	seen := map[int]bool{}
	for _, f := range v.Manifest.Files {
		got := f.Status
		f.Name = names[f.Line]
		seen[f.Line] = true
		switch {
		case got == "not-listed":
			if f.Line != 0 || s.only == nil {
				s.fail("line %d %q not-listed", f.Line, f.Name)
			}
		case got != "malformed":
			if !selected(f.Name) {
				s.fail("line %d %q checked, not one of the files named %q", f.Line, f.Name, s.only)
			}
			want, ok := cuByLine[f.Line]
			if !ok {
				want = "?"
			}
			if s.outsideName(f.Name) && !s.allow {
				if got != "outside" && got != "missing" || f.Actual != "" {
					s.fail("line %d %q leads out of the directory: %s (actual %q), want outside, unread", f.Line, f.Name, got, f.Actual)
				}
				if got == "missing" && !strings.HasSuffix(f.Name, "/") {
					// A link dangling out: nothing there to read. Anything else out is refused.
					if _, err := os.Stat(s.path(f.Name)); err == nil || filepath.IsAbs(f.Name) || strings.Contains(f.Name, "..") {
						s.fail("line %d %q leads out and exists: missing, want outside", f.Line, f.Name)
					}
				}
				want = got
			}
			if s.ignore && want == "missing" {
				want = "ignored"
			}
			if tool != "" && got != want {
				s.fail("line %d %q: signet %s, %s -c %s", f.Line, f.Name, got, filepath.Base(tool), want)
			}
			if got == "ok" || got == "mismatch" {
				checked++
			}
		}
		if firstCode == 0 && got != "ok" && got != "ignored" {
			firstCode, firstReason = mfExit(got)
		}
		s.tally = append(s.tally, "entry "+got)
	}
	for line, name := range names {
		if selected(name) && !seen[line] {
			s.fail("line %d %q not checked", line, name)
		}
	}
	if firstCode == 0 && checked == 0 {
		firstCode, firstReason = exitBadInput, "unchecked"
	}
	// The text verdicts: one line for the list and one a line of it (but those ignored),
	// whatever the names hold (README: escaped as sha256sum escapes names).
	args := slices.DeleteFunc(s.verifyArgs(), func(a string) bool { return a == "--json" })
	text := mfExec(t, s.cwd(), s.e.signet, args...)
	wantLines := 1
	for _, f := range v.Manifest.Files {
		if f.Status != "ignored" {
			wantLines++
		}
	}
	tl := strings.Split(strings.TrimSuffix(text.stdout, "\n"), "\n")
	if text.code != vr.code || len(tl) != wantLines {
		s.fail("verify without --json: exit %d, %d lines, want exit %d and %d lines: %q", text.code, len(tl), vr.code, wantLines, text.stdout)
	}
	for _, l := range tl {
		l = strings.TrimPrefix(l, `\`)
		if !strings.HasPrefix(l, "OK ") && !strings.HasPrefix(l, "FAILED ") || strings.ContainsAny(l, "\r\x00") {
			s.fail("verify without --json: line %q", l)
		}
	}
	if vr.code != firstCode || v.Manifest.Reason != firstReason {
		s.fail("verify: exit %d reason %q, want %d %q (the first failure in list order)", vr.code, v.Manifest.Reason, firstCode, firstReason)
	}
	s.tally = append(s.tally, fmt.Sprintf("verify exit %d", vr.code))
}

func TestManifestCampaign(t *testing.T) {
	e := mfSetUp(t)
	seeds := testutil.Seeds(t, "MF_SEEDS", mfCI)
	root := t.TempDir()
	var tally testutil.Tally
	t.Run("seeds", func(t *testing.T) {
		for _, seed := range seeds {
			t.Run(strconv.FormatInt(seed, 10), func(t *testing.T) {
				t.Parallel()
				s := &mfSeed{mfCase: mfDraw(seed), e: e, top: filepath.Join(root, strconv.FormatInt(seed, 10))}
				s.run(t)
				for _, k := range s.tally {
					tally.Add(k)
				}
				if len(s.problems) > 0 {
					t.Errorf("%v\n\t%s", s.mfCase, strings.Join(s.problems, "\n\t"))
					return
				}
				os.RemoveAll(s.top)
			})
		}
	})
	tally.Log(t, len(seeds))
}
