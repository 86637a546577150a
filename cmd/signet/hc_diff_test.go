package main

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/testutil"
)

// The seeded differential campaign of `signet hash` and `signet hash -c` against coreutils'
// sha256sum, sha384sum and sha512sum (the generator is hc_gen_test.go). Each seed runs signet
// in process and the coreutils tool in the seed's directory, and compares:
//
//   - standard output, byte for byte;
//   - the exit code: the same, but where the README says signet's differs (a file that cannot
//     be read while writing a list exits 3, not 1; with -c, a list that cannot be used exits
//     3, not 1, when nothing else failed);
//   - standard error, line by line in signet's words ("sha256sum: X" is "signet: error: x",
//     "sha256sum: WARNING: X" is "signet: WARNING: X", compared in lower case), but for the
//     per-line warning of -w, whose wording the README gives.
//
// Where signet reads a list line on purpose otherwise than coreutils (the README and --help:
// a line of another algorithm without -a, openssl's tag, a base64 digest, a NUL byte), the
// generator wrote what coreutils must be given to mean the same (hcLine.cu); the difference
// is explained only if coreutils, given that list, answers as signet did.
//
// CI runs hcCI seeds; HC_SEEDS=first:count runs others.

const hcCI = 1200

// hcRun is what one program did.
type hcRun struct {
	stdout string
	stderr []string // in signet's words
	code   int
}

func (r hcRun) String() string {
	return fmt.Sprintf("exit %d\n\t\tstdout %q\n\t\tstderr %q", r.code, r.stdout, r.stderr)
}

// hcToolPaths finds the coreutils tools once.
func hcToolPaths(t *testing.T) map[string]string {
	out := map[string]string{}
	for _, a := range hcAlgs {
		p, err := exec.LookPath(a.tool)
		if err != nil {
			t.Skipf("%s not installed", a.tool)
		}
		out[a.tool] = p
	}
	return out
}

// hcWarnLine is coreutils' per-line warning of -w, "LIST: N: improperly formatted SHA256
// checksum line", in signet's words, "LIST: N: improperly formatted checksum line" (README).
func hcWarnLine(msg string) (string, bool) {
	for _, a := range hcAlgs {
		if s, ok := strings.CutSuffix(msg, ": improperly formatted "+a.tag+" checksum line"); ok {
			return s + ": improperly formatted checksum line", true
		}
	}
	return "", false
}

// runHCCoreutils runs tool with args in dir and puts its standard error in signet's words.
func runHCCoreutils(t *testing.T, tool, dir, stdin string, args []string) hcRun {
	t.Helper()
	cmd := exec.Command(tool, args...)
	cmd.Args[0] = filepath.Base(tool) // its messages start with argv[0]
	cmd.Dir = dir
	cmd.Env = []string{"LC_ALL=C.UTF-8", "PATH=/usr/bin:/bin"}
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	run := hcRun{stdout: stdout.String(), code: code}
	prefix := filepath.Base(tool) + ": "
	for _, line := range strings.SplitAfter(stderr.String(), "\n") {
		if line == "" {
			continue
		}
		msg, ok := strings.CutPrefix(line, prefix)
		switch {
		case !ok:
			run.stderr = append(run.stderr, "?"+line)
		case strings.HasPrefix(msg, "WARNING: "):
			run.stderr = append(run.stderr, strings.ToLower("signet: "+msg))
		default:
			if w, ok := hcWarnLine(strings.TrimSuffix(msg, "\n")); ok {
				run.stderr = append(run.stderr, strings.ToLower("signet: warning: "+w+"\n"))
			} else {
				run.stderr = append(run.stderr, strings.ToLower("signet: error: "+msg))
			}
		}
	}
	return run
}

func runHCSignet(stdin string, args []string) hcRun {
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"signet"}, args...), strings.NewReader(stdin), &stdout, &stderr)
	r := hcRun{stdout: stdout.String(), code: code}
	for _, line := range strings.SplitAfter(stderr.String(), "\n") {
		if line != "" {
			r.stderr = append(r.stderr, strings.ToLower(line))
		}
	}
	return r
}

// setUp makes the seed's files in dir, and its lists as signet (cu false) or coreutils reads
// them.
func (c *hcCase) setUp(t *testing.T, dir string, cu bool) string {
	t.Helper()
	for _, f := range c.files {
		p := filepath.Join(dir, f.name)
		var err error
		if f.dir {
			err = os.Mkdir(p, 0o755)
		} else {
			err = os.WriteFile(p, f.data, 0o644)
		}
		if err != nil && !os.IsExist(err) {
			t.Fatal(err)
		}
	}
	stdin := c.stdin
	for _, l := range c.lists {
		if l.name == "-" {
			stdin = l.text(cu)
			continue
		}
		if l.name == "missing-list" || !strings.HasPrefix(l.name, "list") {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, l.name), []byte(l.text(cu)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return stdin
}

// hcJudge compares signet's run with coreutils' (after explain) and returns the differences.
func hcJudge(sg, cu hcRun) (problems []string) {
	if sg.stdout != cu.stdout {
		problems = append(problems, "stdout differs")
	}
	if !slices.Equal(sg.stderr, cu.stderr) {
		problems = append(problems, "stderr differs")
	}
	if sg.code != cu.code {
		problems = append(problems, fmt.Sprintf("exit %d, coreutils %d", sg.code, cu.code))
	}
	return problems
}

// hashExitExplained: writing a list, a file that cannot be read exits 3 where coreutils exits 1
// (README), when signet printed that file's error.
func hashExitExplained(sg, cu hcRun) bool {
	return sg.code == exitBadInput && cu.code == 1 && len(sg.stderr) > 0
}

func TestHashCoreutilsCampaign(t *testing.T) {
	tools := hcToolPaths(t)
	root := t.TempDir()
	t.Chdir(root)
	seeds := testutil.Seeds(t, "HC_SEEDS", hcCI)
	counts := map[string]int{}
	var failures []string
	for _, seed := range seeds {
		c := hcDraw(seed)
		dir := filepath.Join(root, strconv.FormatInt(seed, 10))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		stdin := c.setUp(t, dir, false)
		if err := os.Chdir(dir); err != nil {
			t.Fatal(err)
		}
		sg := runHCSignet(stdin, c.signetArgs())
		cu := runHCCoreutils(t, tools[c.alg.tool], dir, stdin, c.coreutilsArgs())
		why := c.explain(t, dir, tools[c.alg.tool], &sg, &cu)
		if hcStaleQuote(sg.stderr, cu.stderr) {
			cu.stderr = sg.stderr
			why += " stale-quote"
		}
		problems := hcJudge(sg, cu)
		mode := "hash"
		if c.check {
			mode = "check"
		}
		if len(problems) > 0 {
			counts[mode+" differs"]++
			failures = append(failures, fmt.Sprintf("%v\n\t%s\n\tsignet:    %v\n\tcoreutils: %v", c, strings.Join(problems, "; "), sg, cu))
		} else {
			counts[fmt.Sprintf("%s exit %d %s", mode, sg.code, why)]++
		}
		if err := os.Chdir(root); err != nil {
			t.Fatal(err)
		}
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
	for i, f := range failures {
		if i == 6 {
			t.Errorf("... and %d more", len(failures)-i)
			break
		}
		t.Error(f)
	}
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		fmt.Fprintf(&b, "\n  %5d %s", counts[k], k)
	}
	t.Logf("%d seeds:%s", len(seeds), b.String())
}

// explain applies the README's documented differences: it may replace cu by coreutils' run
// on the lists as signet reads them, and adjusts the exit code where the README says signet's
// differs. It returns the names of the differences used.
func (c *hcCase) explain(t *testing.T, dir, tool string, sg, cu *hcRun) string {
	var why []string
	if !c.check {
		if sg.code != cu.code && hashExitExplained(*sg, *cu) {
			cu.code = sg.code
			why = append(why, "unreadable-exit-3")
		}
		return strings.Join(why, ",")
	}
	if sg.stdout != cu.stdout || !slices.Equal(sg.stderr, cu.stderr) || sg.code != cu.code {
		reasons := map[string]bool{}
		for _, l := range c.lists {
			for _, ln := range l.lines {
				if ln.why != "" {
					reasons[ln.why] = true
				}
			}
		}
		if len(reasons) > 0 {
			cdir := dir + ".cu"
			if err := os.Mkdir(cdir, 0o755); err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(cdir)
			stdin := c.setUp(t, cdir, true)
			*cu = runHCCoreutils(t, tool, cdir, stdin, c.coreutilsArgs())
			why = append(why, slices.Sorted(maps.Keys(reasons))...)
		}
	}
	// A list that cannot be used (unreadable, no well-formed line) exits 3 where coreutils
	// exits 1, when no other list failed: coreutils without those lists exits 0.
	if sg.code == exitBadInput && cu.code == 1 {
		var usable []hcList
		unusable := false
		for _, l := range c.lists {
			display := l.name
			if display == "-" {
				display = "standard input"
			}
			prefix := strings.ToLower("signet: error: " + digest.QuoteName(display) + ": ")
			if slices.ContainsFunc(cu.stderr, func(s string) bool {
				reason, ok := strings.CutPrefix(s, prefix)
				return ok && slices.Contains([]string{"no properly formatted checksum lines found\n", "no such file or directory\n", "is a directory\n", "read error\n"}, reason)
			}) {
				unusable = true
				continue
			}
			usable = append(usable, l)
		}
		if unusable {
			ok := len(usable) == 0
			if !ok {
				rc := *c
				rc.lists = usable
				cdir := dir + ".rerun"
				if err := os.Mkdir(cdir, 0o755); err != nil {
					t.Fatal(err)
				}
				defer os.RemoveAll(cdir)
				stdin := rc.setUp(t, cdir, true)
				ok = runHCCoreutils(t, tool, cdir, stdin, rc.coreutilsArgs()).code == 0
			}
			if ok {
				cu.code = exitBadInput
				why = append(why, "unusable-list-exit-3")
			}
		}
	}
	return strings.Join(why, ",")
}

// hcStaleQuote is whether cu differs from sg only in names that start with a byte quoted as
// an escape, end with one and hold an apostrophe. gnulib's quoting (coreutils 9.1) loses that first escape's
// dollar-quote to the state its first pass ended in, which the shell reads as a backslash;
// signet writes the name (digest.QuoteName; the README says so).
func hcStaleQuote(sg, cu []string) bool {
	if len(sg) != len(cu) || slices.Equal(sg, cu) {
		return false
	}
	for i := range sg {
		if sg[i] == cu[i] {
			continue
		}
		k := strings.Index(sg[i], "''$'\\")
		if k < 0 || !strings.Contains(sg[i], `\''`) || sg[i][:k]+"'"+sg[i][k+4:] != cu[i] {
			return false
		}
	}
	return true
}
