package digest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// checkRun is the outcome of one `-c` run: standard output, standard error and success.
type checkRun struct {
	stdout, stderr string
	ok             bool
}

// runCoreutilsCheck runs `sha256sum -c flags lists...` in dir and normalizes its standard
// error to signet's form: "sha256sum: WARNING: x" becomes "signet: WARNING: x", the per-line
// "improperly formatted SHA256 checksum line" a warning without the algorithm, any other
// message "signet: error: x", all in lower case (Go's errno texts are lower case).
func runCoreutilsCheck(t *testing.T, dir string, stdin string, flags, lists []string) checkRun {
	t.Helper()
	return runCoreutilsCheckWith(t, SHA256, dir, stdin, flags, lists)
}

// runCoreutilsCheckWith is runCoreutilsCheck with the coreutils tool of a: sha256sum,
// sha384sum or sha512sum.
func runCoreutilsCheckWith(t *testing.T, a Algorithm, dir string, stdin string, flags, lists []string) checkRun {
	t.Helper()
	tool := a.Name() + "sum"
	testutil.RequireTool(t, tool)
	// By its name, not its path: its messages start with argv[0].
	c := testutil.Cmd{Dir: dir, Stdin: []byte(stdin), Env: []string{"LC_ALL=C.UTF-8"}}
	stdout, stderr, err := c.RunErr(tool, append(append([]string{"-c"}, flags...), lists...)...)
	testutil.ExitCode(t, err) // fails the test unless the tool ran
	var norm []string
	for _, line := range strings.SplitAfter(string(stderr), "\n") {
		if line == "" {
			continue
		}
		msg, ok := strings.CutPrefix(line, tool+": ")
		if !ok {
			t.Fatalf("unexpected stderr line %q", line)
		}
		switch {
		case strings.HasPrefix(msg, "WARNING: "):
			line = "signet: " + msg
		case strings.Contains(msg, "improperly formatted "+a.Tag()+" checksum line"):
			line = "signet: WARNING: " + strings.Replace(msg, " "+a.Tag(), "", 1)
		default:
			line = "signet: error: " + msg
		}
		norm = append(norm, strings.ToLower(line))
	}
	return checkRun{stdout: string(stdout), stderr: strings.Join(norm, ""), ok: err == nil}
}

func runSignetCheck(t *testing.T, dir string, stdin string, opts CheckOptions, lists []string) (checkRun, CheckSummary) {
	t.Helper()
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	opts.Stdin = strings.NewReader(stdin)
	opts.Out = &stdout
	opts.Diag = func(d Diagnostic) {
		if d.Warning {
			fmt.Fprintf(&stderr, "signet: WARNING: %s\n", d.Msg)
		} else {
			fmt.Fprintf(&stderr, "signet: error: %s\n", d.Msg)
		}
	}
	sum, err := Check(context.Background(), lists, opts)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	return checkRun{stdout: stdout.String(), stderr: strings.ToLower(stderr.String()), ok: sum.Err() == nil}, sum
}

func optsFromFlags(flags []string) CheckOptions {
	var o CheckOptions
	for _, f := range flags {
		switch f {
		case "--quiet":
			o.Quiet = true
		case "--status":
			o.Status = true
		case "--strict":
			o.Strict = true
		case "--warn":
			o.Warn = true
		case "--ignore-missing":
			o.IgnoreMissing = true
		default:
			panic(f)
		}
	}
	return o
}

// checkFixture is a directory of files, some of them changed after their list was made.
type checkFixture struct {
	dir  string
	line map[string]string // name -> "<hex>  <name>" line as sha256sum printed it, \n included
	hex  map[string]string // name -> digest at list time
}

func newCheckFixture(t *testing.T) *checkFixture {
	files := map[string]string{
		"a":             "alpha\n",
		"b c":           "bravo charlie\n",
		" lead":         "leading space\n",
		"new\nline":     "newline\n",
		`back\slash`:    "backslash\n",
		"cr\rname":      "carriage return\n",
		"tampered":      "original\n",
		"tampered 2":    "original 2\n",
		"empty":         "",
		"sub/deep file": "deep\n",
		"gone":          "will be removed\n",
		"dir/x":         "in a directory\n",
	}
	dir := mustTree(t, files)
	fx := &checkFixture{dir: dir, line: map[string]string{}, hex: map[string]string{}}
	sha256sum := testutil.RequireTool(t, "sha256sum")
	for name := range files {
		out := testutil.Cmd{Dir: dir}.Run(t, sha256sum, "--", name)
		fx.line[name] = string(out)
		fx.hex[name] = strings.TrimPrefix(string(out), `\`)[:64]
	}
	fx.line["dir"] = fx.hex["a"] + "  dir\n"
	fx.line["missing"] = fx.hex["a"] + "  missing\n"
	if err := os.WriteFile(filepath.Join(dir, "tampered"), []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tampered 2"), []byte("changed 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "gone")); err != nil {
		t.Fatal(err)
	}
	return fx
}

func (fx *checkFixture) lines(names ...string) string {
	var b strings.Builder
	for _, n := range names {
		b.WriteString(fx.line[n])
	}
	return b.String()
}

// TestCheckMatchesCoreutils runs the same lists through `sha256sum -c` and Check, with each
// combination of the options, and wants the same standard output byte for byte, the same
// (normalized) standard error and the same success.
func TestCheckMatchesCoreutils(t *testing.T) {
	fx := newCheckFixture(t)
	h := fx.hex
	good := fx.lines("a", "b c", " lead", "new\nline", `back\slash`, "cr\rname", "empty", "sub/deep file")
	lists := map[string]string{
		"good":          good,
		"tampered":      fx.lines("a", "tampered", "b c", "tampered 2"),
		"missing":       fx.lines("a", "gone", "missing", "b c"),
		"all-missing":   fx.lines("gone", "missing"),
		"directory":     fx.lines("a", "dir"),
		"everything":    good + fx.lines("tampered", "gone", "dir"),
		"junk":          "not a checksum line\nnor this\n",
		"empty-list":    "",
		"comments-only": "# just a comment\n\n",
		"mixed": "# made by hand\n" + fx.line["a"] + "garbage line\n\n" +
			h["b c"] + " *b c\r\n" + // binary marker, CRLF
			"SHA256 (empty) = " + h["empty"] + "\n" + // BSD form
			"SHA256(sub/deep file)= " + strings.ToUpper(h["sub/deep file"]) + "\n" + // no space, upper case
			"\tSHA256 (a)\t=\t" + h["a"] + "\n" + // blanks
			"  SHA256  (a) = " + h["a"] + "\n" + // two spaces after the tag: malformed
			"SHA512 (a) = " + h["a"] + "\n" + // wrong tag for sha256: malformed
			h["a"] + "  a \n" + // trailing space is part of the name
			h["a"][:63] + "  a\n" + // short digest
			h["a"] + "g  a\n" + // long digest
			h["a"] + "  a\r\r\n" + // one CR removed, the other is the name's
			"#" + h["a"] + "  a\n" + // comment
			" #" + h["a"] + "  a\n" + // not a comment: malformed
			" \\" + h["a"] + "  a\n" + // blanks then escape mark
			"\\" + h["a"] + "  a\\sb\n" + // bad escape
			"\\" + h["a"] + "  a\\\n" + // lone final backslash
			h["a"] + "  a\\\n" + // not escaped: a literal backslash
			"SHA256 (a)) = " + h["a"] + "\n" + // name up to the last ')'
			"SHA256 () = " + h["a"] + "\n" + // empty name
			h["a"] + "  \n", // name is " " (read in the BSD reversed form)
		"tagged":       "SHA256 (a) = " + h["a"] + "\n\\SHA256 (new\\nline) = " + h["new\nline"] + "\n\\SHA256 (back\\\\slash) = " + h[`back\slash`] + "\nSHA256 (tampered) = " + h["tampered"] + "\n",
		"reversed":     h["a"] + " a\n" + h["b c"] + " b c\n" + h["a"] + "  a\n",
		"standard-rev": fx.line["a"] + h["a"] + " a\n",
		"no-newline":   strings.TrimSuffix(fx.line["a"], "\n"),
		"cr-only":      strings.ReplaceAll(fx.line["a"], "\n", "\r"),
		"dash":         h["a"] + "  -\n",
	}
	for name, content := range lists {
		if err := os.WriteFile(filepath.Join(fx.dir, name+".sum"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	flagSets := [][]string{nil, {"--quiet"}, {"--status"}, {"--strict"}, {"--warn"}, {"--ignore-missing"}, {"--quiet", "--ignore-missing"}, {"--warn", "--strict"}}
	type tcase struct {
		name  string
		lists []string
		stdin string
	}
	var cases []tcase
	for name := range lists {
		cases = append(cases, tcase{name: name, lists: []string{name + ".sum"}})
	}
	cases = append(cases,
		tcase{"several", []string{"good.sum", "missing.sum", "nonexistent.sum", "tampered.sum"}, ""},
		tcase{"state-across-lists", []string{"good.sum", "reversed.sum"}, ""},
		tcase{"state-across-lists-2", []string{"reversed.sum", "good.sum"}, ""},
		tcase{"list-is-a-directory", []string{"dir"}, ""},
		tcase{"stdin", []string{"-"}, fx.lines("a", "tampered", "gone")},
		tcase{"stdin-dash-entry", []string{"-"}, h["a"] + "  -\n"},
		tcase{"dash-entry-reads-stdin", []string{"dash.sum"}, "alpha\n"},
		tcase{"stdin-twice", []string{"-", "-"}, fx.lines("a")},
	)
	for _, tc := range cases {
		for _, flags := range flagSets {
			for _, a := range []Algorithm{0, SHA256} {
				t.Run(fmt.Sprintf("%s/%s/alg=%v", tc.name, strings.Join(flags, ""), a), func(t *testing.T) {
					want := runCoreutilsCheck(t, fx.dir, tc.stdin, flags, tc.lists)
					opts := optsFromFlags(flags)
					opts.Algorithm = a
					got, _ := runSignetCheck(t, fx.dir, tc.stdin, opts, tc.lists)
					if got.stdout != want.stdout {
						t.Errorf("stdout\n got: %q\nwant: %q", got.stdout, want.stdout)
					}
					if got.stderr != want.stderr {
						t.Errorf("stderr\n got: %q\nwant: %q", got.stderr, want.stderr)
					}
					if got.ok != want.ok {
						t.Errorf("success %v, coreutils %v", got.ok, want.ok)
					}
				})
			}
		}
	}
}

// TestCheckResult checks the error Check's summary gives, which decides the exit code.
func TestCheckResult(t *testing.T) {
	fx := newCheckFixture(t)
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(fx.dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("good.sum", fx.lines("a", "b c"))
	write("bad.sum", fx.lines("a", "tampered"))
	write("junk.sum", "junk\n")
	write("malformed.sum", fx.lines("a")+"junk\n")
	write("missing.sum", fx.lines("missing"))
	// A line longer than MaxListLine ends its list (exit 3), but not what was found before it.
	long := strings.Repeat("x", MaxListLine+10) + "\n"
	write("bad-long.sum", fx.lines("a", "tampered")+long+fx.lines("b c"))
	write("good-long.sum", fx.lines("a")+long)
	write("malformed-long.sum", fx.lines("a")+"junk\n"+long)
	for _, tc := range []struct {
		name   string
		lists  []string
		opts   CheckOptions
		target error // nil: success
		sum    CheckSummary
	}{
		{"good", []string{"good.sum"}, CheckOptions{}, nil, CheckSummary{Lists: 1, OK: 2}},
		{"mismatch", []string{"bad.sum"}, CheckOptions{}, ErrCheckFailed, CheckSummary{Lists: 1, OK: 1, Mismatched: 1}},
		{"missing-file", []string{"missing.sum"}, CheckOptions{}, ErrCheckFailed, CheckSummary{Lists: 1, Unreadable: 1}},
		{"ignore-missing-nothing-verified", []string{"missing.sum"}, CheckOptions{IgnoreMissing: true}, ErrCheckFailed, CheckSummary{Lists: 1, Missing: 1}},
		{"no-list", []string{"nope.sum"}, CheckOptions{}, fs.ErrNotExist, CheckSummary{Lists: 1}},
		{"junk", []string{"junk.sum"}, CheckOptions{}, ErrMalformedList, CheckSummary{Lists: 1, Malformed: 1}},
		{"malformed-lenient", []string{"malformed.sum"}, CheckOptions{}, nil, CheckSummary{Lists: 1, OK: 1, Malformed: 1}},
		{"malformed-strict", []string{"malformed.sum"}, CheckOptions{Strict: true}, ErrCheckFailed, CheckSummary{Lists: 1, OK: 1, Malformed: 1}},
		{"failure-wins-over-bad-list", []string{"junk.sum", "bad.sum"}, CheckOptions{}, ErrCheckFailed, CheckSummary{Lists: 2, OK: 1, Mismatched: 1, Malformed: 1}},
		{"failure-wins-over-long-line", []string{"bad-long.sum"}, CheckOptions{}, ErrCheckFailed, CheckSummary{Lists: 1, OK: 1, Mismatched: 1}},
		{"long-line", []string{"good-long.sum"}, CheckOptions{}, ErrMalformedList, CheckSummary{Lists: 1, OK: 1}},
		{"strict-malformed-wins-over-long-line", []string{"malformed-long.sum"}, CheckOptions{Strict: true}, ErrCheckFailed, CheckSummary{Lists: 1, OK: 1, Malformed: 1}},
		{"lenient-malformed-before-long-line", []string{"malformed-long.sum"}, CheckOptions{}, ErrMalformedList, CheckSummary{Lists: 1, OK: 1, Malformed: 1}},
		{"stdin-unavailable", []string{"-"}, CheckOptions{}, ErrNoStdin, CheckSummary{Lists: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Chdir(fx.dir)
			sum, err := Check(context.Background(), tc.lists, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			res := sum.Err()
			switch {
			case tc.target == nil && res != nil:
				t.Errorf("Err() = %v, want nil", res)
			case tc.target != nil && !errors.Is(res, tc.target):
				t.Errorf("Err() = %v, want %v", res, tc.target)
			}
			sum.failed, sum.listErr = false, nil
			if sum != tc.sum {
				t.Errorf("summary %+v, want %+v", sum, tc.sum)
			}
		})
	}
}

// TestCheckInference checks lists of every algorithm without -a (tags, digest lengths) and
// with it (sha3-256 and sha512-256 untagged lists need it).
func TestCheckInference(t *testing.T) {
	dir := mustTree(t, map[string]string{"f": "data\n", "g": "more\n"})
	t.Chdir(dir)
	var mixed []byte
	for _, a := range Algorithms() {
		for _, tagged := range []bool{false, true} {
			var list []byte
			for _, n := range []string{"f", "g"} {
				d, _, err := HashFile(context.Background(), a, n)
				if err != nil {
					t.Fatal(err)
				}
				list = Entry{Algorithm: a, Digest: d, Name: n, Tagged: tagged}.AppendTo(list)
			}
			inferred, _ := algorithmForHexLen(a.HexLen())
			if tagged || inferred == a {
				mixed = append(mixed, list...)
			}
			name := fmt.Sprintf("%s-%v.sum", a, tagged)
			if err := os.WriteFile(name, list, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Run(name, func(t *testing.T) {
				for _, opt := range []Algorithm{0, a} {
					var out bytes.Buffer
					sum, err := Check(context.Background(), []string{name}, CheckOptions{Algorithm: opt, Out: &out})
					wantOK := tagged || opt == a || inferred == a
					if err != nil || (sum.Err() == nil) != wantOK {
						t.Errorf("-a %v: err %v, result %v, want ok %v", opt, err, sum.Err(), wantOK)
					}
					if wantOK && out.String() != "f: OK\ng: OK\n" {
						t.Errorf("-a %v: output %q", opt, out.String())
					}
				}
				// A list checked as an algorithm of another length, or another tag, fails to parse.
				other := SHA384
				if a.HexLen() == other.HexLen() {
					other = SHA512
				}
				sum, _ := Check(context.Background(), []string{name}, CheckOptions{Algorithm: other})
				if !errors.Is(sum.Err(), ErrMalformedList) {
					t.Errorf("-a %v: %v, want ErrMalformedList", other, sum.Err())
				}
			})
		}
	}
	if err := os.WriteFile("mixed.sum", mixed, 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sum, err := Check(context.Background(), []string{"mixed.sum"}, CheckOptions{Out: &out, Quiet: true})
	if err != nil || sum.Err() != nil || sum.OK != 2*(len(Algorithms())+3) || out.Len() != 0 {
		t.Errorf("mixed list: %v %v %+v", err, sum.Err(), sum)
	}
}

// TestCheckOpenSSLLists checks lists written by `openssl dgst` in both of its forms.
func TestCheckOpenSSLLists(t *testing.T) {
	dir := mustTree(t, map[string]string{"f": "data\n", "g h": "more\n"})
	t.Chdir(dir)
	for _, a := range Algorithms() {
		for _, r := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/r=%v", a, r), func(t *testing.T) {
				args := []string{"dgst", "-" + a.Name()}
				if r {
					args = append(args, "-r")
				}
				list := runTool(t, nil, "openssl", append(args, "f", "g h")...)
				if err := os.WriteFile("list", []byte(list), 0o644); err != nil {
					t.Fatal(err)
				}
				opts := CheckOptions{}
				if r {
					opts.Algorithm = a // untagged: the length alone cannot tell sha3-256 from sha256
				}
				var out bytes.Buffer
				opts.Out = &out
				sum, err := Check(context.Background(), []string{"list"}, opts)
				if err != nil || sum.Err() != nil || out.String() != "f: OK\ng h: OK\n" {
					t.Errorf("list %q: %v %v %q", list, err, sum.Err(), out.String())
				}
			})
		}
	}
}

// TestCheckStreams checks that a write error on Out stops the check.
func TestCheckStreams(t *testing.T) {
	fx := newCheckFixture(t)
	var big strings.Builder
	for range 20000 {
		big.WriteString(fx.line["a"])
	}
	if err := os.WriteFile(filepath.Join(fx.dir, "big.sum"), []byte(big.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(fx.dir)
	w := &failWriter{after: 2}
	_, err := Check(context.Background(), []string{"big.sum"}, CheckOptions{Out: w})
	if !errors.Is(err, errWrite) {
		t.Errorf("err %v, want the write error", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Check(ctx, []string{"big.sum"}, CheckOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err %v", err)
	}
}

var errWrite = errors.New("write failed")

type failWriter struct{ after int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.after == 0 {
		return 0, errWrite
	}
	w.after--
	return len(p), nil
}

// TestCheckByteOrderMark: a list saved with a UTF-8 byte order mark (Windows editors,
// PowerShell's Out-File) has its first line checked, not skipped as malformed (sha256sum
// skips it, and passes a list whose first file was changed); a mark anywhere else is part of
// its line.
func TestCheckByteOrderMark(t *testing.T) {
	const bom = "\xef\xbb\xbf"
	fx := newCheckFixture(t)
	for _, tc := range []struct {
		name, list                string
		ok, mismatched, malformed int
	}{
		{"first-file-changed", bom + fx.lines("tampered", "a"), 1, 1, 0},
		{"all-good-crlf", bom + strings.ReplaceAll(fx.lines("a", "b c"), "\n", "\r\n"), 2, 0, 0},
		{"comment-first", bom + "# made on Windows\n" + fx.lines("a"), 1, 0, 0},
		{"tagged", bom + "SHA256 (a) = " + fx.hex["a"] + "\n", 1, 0, 0},
		{"not-first", fx.lines("a") + bom + fx.lines("b c"), 1, 0, 1},
		{"twice", bom + bom + fx.lines("a", "b c"), 1, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(filepath.Join(fx.dir, "bom.sum"), []byte(tc.list), 0o644); err != nil {
				t.Fatal(err)
			}
			_, sum := runSignetCheck(t, fx.dir, "", CheckOptions{}, []string{"bom.sum"})
			if sum.OK != tc.ok || sum.Mismatched != tc.mismatched || sum.Malformed != tc.malformed {
				t.Errorf("ok %d, mismatched %d, malformed %d; want %d, %d, %d", sum.OK, sum.Mismatched, sum.Malformed, tc.ok, tc.mismatched, tc.malformed)
			}
			if wantFail := tc.mismatched > 0; (sum.Err() != nil) != wantFail {
				t.Errorf("Err() = %v", sum.Err())
			}
		})
	}
}

// TestCheckBase64Digests checks BSD lines whose digest is in base64, as `cksum --base64`
// writes them (coreutils 9.2 and later), for every algorithm, with digests made by
// `openssl dgst -binary | openssl base64`: the good file is OK and the changed one FAILED.
func TestCheckBase64Digests(t *testing.T) {
	dir := mustTree(t, map[string]string{"f": "data\n", "g h": "more\n"})
	t.Chdir(dir)
	b64 := func(a Algorithm, file string) string {
		raw := runTool(t, nil, "openssl", "dgst", "-"+a.Name(), "-binary", file)
		return strings.TrimSpace(runTool(t, []byte(raw), "openssl", "base64", "-A"))
	}
	for _, a := range Algorithms() {
		t.Run(a.Name(), func(t *testing.T) {
			list := a.Tag() + " (f) = " + b64(a, "f") + "\n" + a.Tag() + " (g h) = " + b64(a, "f") + "\n"
			if err := os.WriteFile("list", []byte(list), 0o644); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			sum, err := Check(context.Background(), []string{"list"}, CheckOptions{Out: &out})
			if err != nil || !errors.Is(sum.Err(), ErrCheckFailed) || sum.Malformed != 0 || out.String() != "f: OK\ng h: FAILED\n" {
				t.Errorf("list %q: %v %v, %d malformed, %q", list, err, sum.Err(), sum.Malformed, out.String())
			}
		})
	}
}
