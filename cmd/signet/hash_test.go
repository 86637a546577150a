package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/testutil"
)

// runSignet runs the CLI in process and returns stdout, stderr and the exit code.
func runSignet(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"signet"}, args...), strings.NewReader(stdin), &stdout, &stderr)
	return stdout.String(), stderr.String(), code
}

// runPeer runs an external tool in dir and returns stdout and its exit code.
func runPeer(t *testing.T, dir, stdin, name string, args ...string) (string, int) {
	t.Helper()
	out, _, err := testutil.Cmd{Dir: dir, Stdin: []byte(stdin)}.RunErr(testutil.RequireTool(t, name), args...)
	return string(out), testutil.ExitCode(t, err)
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestHashCLIMatchesCoreutils runs `signet hash` and the coreutils tool on the same files.
func TestHashCLIMatchesCoreutils(t *testing.T) {
	dir := t.TempDir()
	names := []string{"empty", "a b", "new\nline", `back\slash`, "cr\rname", "plain", " lead", "*star", "not\xffutf8", "tab\tname", "both\\\nx"}
	files := map[string]string{"plain": strings.Repeat("p", 1<<20)}
	for i, n := range names {
		if n != "plain" {
			files[n] = strings.Repeat(n, i) // "empty" is empty
		}
	}
	writeFiles(t, dir, files)
	t.Chdir(dir)
	for _, tc := range []struct {
		tool     string
		peerArgs []string // the coreutils tool's flags
		args     []string // signet's
	}{
		{"sha256sum", nil, nil},
		{"sha256sum", []string{"--tag"}, []string{"--tag"}},
		{"sha384sum", nil, []string{"-a", "sha384"}},
		{"sha512sum", []string{"--tag"}, []string{"-a", "SHA-512", "--tag"}},
		{"sha256sum", []string{"-z"}, []string{"-z"}},
		{"sha256sum", []string{"--zero", "--tag"}, []string{"--zero", "--tag"}},
		{"sha512sum", []string{"-z"}, []string{"-a", "sha512", "-z"}},
		{"sha256sum", []string{"-b"}, []string{"-b"}},
		{"sha256sum", []string{"--binary", "--tag"}, []string{"--binary", "--tag"}},
		{"sha256sum", []string{"--text"}, []string{"--text"}},
		{"sha384sum", []string{"-bz"}, []string{"-a", "sha384", "-b", "-z"}},
		// cksum -a (coreutils 9) writes tagged lines by default
		{"cksum", []string{"-a", "sha256"}, []string{"--tag"}},
		{"cksum", []string{"-a", "sha512", "-z"}, []string{"-a", "sha512", "--tag", "-z"}},
		{"cksum", []string{"-a", "sha384", "--untagged"}, []string{"-a", "sha384"}},
	} {
		t.Run(tc.tool+strings.Join(tc.args, ""), func(t *testing.T) {
			want, code := runPeer(t, dir, "", tc.tool, append(tc.peerArgs, append([]string{"--"}, names...)...)...)
			if code != 0 && tc.tool == "cksum" {
				t.Skip("cksum has no -a (coreutils before 9)")
			}
			if code != 0 {
				t.Fatalf("%s exit %d", tc.tool, code)
			}
			got, stderr, code := runSignet(t, "", append(append(append([]string{"hash"}, tc.args...), "--"), names...)...)
			if got != want || stderr != "" || code != 0 {
				t.Errorf("exit %d, stderr %q\n got %q\nwant %q", code, stderr, got, want)
			}
		})
	}
	t.Run("stdin", func(t *testing.T) {
		for _, args := range [][]string{nil, {"-"}, {"-", "empty", "-"}} {
			want, _ := runPeer(t, dir, "from stdin\n", "sha256sum", args...)
			got, _, code := runSignet(t, "from stdin\n", append([]string{"hash"}, args...)...)
			if got != want || code != 0 {
				t.Errorf("%q: exit %d\n got %q\nwant %q", args, code, got, want)
			}
		}
	})
}

// TestHashCheckCLIMatchesCoreutils compares `signet hash -c` with `sha256sum -c` on good,
// tampered and missing files: same standard output, same exit code (1 for a failed check).
func TestHashCheckCLIMatchesCoreutils(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a": "alpha\n", "b c": "bravo\n", "new\nline": "nl\n", "t": "original\n", "gone": "x\n"})
	t.Chdir(dir)
	list, _ := runPeer(t, dir, "", "sha256sum", "a", "b c", "new\nline")
	tagged, _ := runPeer(t, dir, "", "sha256sum", "--tag", "a", "b c", "t", "gone")
	binary, _ := runPeer(t, dir, "", "sha256sum", "-b", "a", "t", "gone")
	// unread.sum: a file that opens but cannot be read (reading /proc/self/mem at offset 0 is
	// EIO, for root too), a directory and a missing file, each "FAILED open or read".
	unread := strings.Repeat("0", 64) + "  /proc/self/mem\n" + strings.Repeat("0", 64) + "  .\n" + strings.Repeat("0", 64) + "  gone\n"
	writeFiles(t, dir, map[string]string{"good.sum": list, "bad.sum": tagged, "bin.sum": binary + "junk\n", "t": "tampered\n", "unread.sum": list + unread})
	if err := os.Remove("gone"); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"good.sum"},
		{"bad.sum"},
		{"bin.sum"},
		{"--quiet", "bad.sum", "good.sum"},
		{"--ignore-missing", "bin.sum"},
		{"--strict", "bin.sum"},
		{"--status", "bad.sum"},
		{"-"},
		{"unread.sum"},
		{"--ignore-missing", "--quiet", "unread.sum"},
		{"--status", "unread.sum"},
		// More than one of --quiet, --status and --warn: the last wins in coreutils, the
		// quietest in signet; these are the orders where the two agree.
		{"--warn", "--quiet", "bin.sum"},
		{"--quiet", "--status", "bad.sum"},
		{"--warn", "--status", "bin.sum"},
		{"--warn", "--quiet", "--status", "bad.sum"},
		{"-w", "--strict", "--quiet", "bin.sum"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			want, wantStderr, wantCode := runCoreutilsCheckCLI(t, dir, list, args)
			got, stderr, code := runSignet(t, list, append([]string{"hash", "-c"}, args...)...)
			if got != want || code != wantCode || strings.ToLower(stderr) != wantStderr {
				t.Errorf("exit %d (coreutils %d)\nstderr %q\n  want %q\n got %q\nwant %q", code, wantCode, stderr, wantStderr, got, want)
			}
		})
	}
	t.Run("warnings", func(t *testing.T) {
		_, stderr, code := runSignet(t, "", "hash", "-c", "bin.sum")
		want := "signet: error: gone: no such file or directory\n" +
			"signet: WARNING: 1 line is improperly formatted\n" +
			"signet: WARNING: 1 listed file could not be read\n" +
			"signet: WARNING: 1 computed checksum did NOT match\n"
		if stderr != want || code != exitCheckFailed {
			t.Errorf("exit %d, stderr\n%s\nwant\n%s", code, stderr, want)
		}
	})
}

// runCoreutilsCheckCLI runs `sha256sum -c args...` in dir and returns its standard output,
// its standard error in signet's words and in lower case ("sha256sum: WARNING: x" as
// "signet: warning: x", "sha256sum: x" as "signet: error: x"), and its exit code.
func runCoreutilsCheckCLI(t *testing.T, dir, stdin string, args []string) (string, string, int) {
	t.Helper()
	testutil.RequireTool(t, "sha256sum")
	// By its name, not its path: its messages start with argv[0].
	stdout, stderr, err := testutil.Cmd{Dir: dir, Stdin: []byte(stdin), Env: []string{"LC_ALL=C.UTF-8"}}.RunErr("sha256sum", append([]string{"-c"}, args...)...)
	code := testutil.ExitCode(t, err)
	var b strings.Builder
	for _, line := range strings.SplitAfter(string(stderr), "\n") {
		msg, ok := strings.CutPrefix(line, "sha256sum: ")
		switch {
		case line == "":
		case !ok:
			t.Fatalf("unexpected stderr line %q", line)
		case strings.HasPrefix(msg, "WARNING: "):
			b.WriteString("signet: " + msg)
		default:
			b.WriteString("signet: error: " + msg)
		}
	}
	return string(stdout), strings.ToLower(b.String()), code
}

func TestHashCLIErrors(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a": "alpha\n", "d/x": "x\n", "junk.sum": "junk\n"})
	t.Chdir(dir)
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"directory", []string{"hash", "a", "d", "a"}, exitBadInput,
			"b6a98d9ce9a2d9149288fa3df42d377c3e42737afdcdaf714e33c0a100b51060  a\nb6a98d9ce9a2d9149288fa3df42d377c3e42737afdcdaf714e33c0a100b51060  a\n",
			"signet: error: d: is a directory\n"},
		{"missing", []string{"hash", "missing file", "a"}, exitBadInput,
			"b6a98d9ce9a2d9149288fa3df42d377c3e42737afdcdaf714e33c0a100b51060  a\n",
			"signet: error: 'missing file': no such file or directory\n"},
		{"recursive", []string{"hash", "-r", "d"}, exitOK,
			"73cb3858a687a8494ca3323053016282f3dad39d42cf62ca4e79dda2aac7d9ac  d/x\n", ""},
		{"unknown-algorithm", []string{"hash", "-a", "md5", "a"}, exitUsage, "",
			"signet: error: -a: unknown hash algorithm \"md5\" (known: sha256, sha384, sha512, sha512-256, sha3-256, sha3-384, sha3-512)\nsignet: hint: see 'signet hash --help'\n"},
		{"tag-and-json", []string{"hash", "--tag", "--json", "a"}, exitUsage, "", "signet: error: --tag and --json cannot be used together\nsignet: hint: see 'signet hash --help'\n"},
		{"quiet-without-check", []string{"hash", "--quiet", "a"}, exitUsage, "", "signet: error: --quiet is meaningful only with --check\nsignet: hint: see 'signet hash --help'\n"},
		{"check-and-tag", []string{"hash", "-c", "--tag", "a"}, exitUsage, "", "signet: error: --tag cannot be used with --check\nsignet: hint: see 'signet hash --help'\n"},
		{"check-and-zero", []string{"hash", "-c", "-z", "a"}, exitUsage, "", "signet: error: --zero cannot be used with --check\nsignet: hint: see 'signet hash --help'\n"},
		{"check-and-binary", []string{"hash", "-c", "-b", "a"}, exitUsage, "", "signet: error: --binary cannot be used with --check\nsignet: hint: see 'signet hash --help'\n"},
		{"check-and-text", []string{"hash", "-c", "--text", "a"}, exitUsage, "", "signet: error: --text cannot be used with --check\nsignet: hint: see 'signet hash --help'\n"},
		{"binary-and-text", []string{"hash", "-b", "-t", "a"}, exitUsage, "", "signet: error: --binary and --text exclude each other\nsignet: hint: see 'signet hash --help'\n"},
		{"tag-and-text", []string{"hash", "--tag", "-t", "a"}, exitUsage, "", "signet: error: --tag does not support --text mode\nsignet: hint: see 'signet hash --help'\n"},
		{"binary-and-json", []string{"hash", "-b", "--json", "a"}, exitUsage, "", "signet: error: --binary and --json cannot be used together\nsignet: hint: see 'signet hash --help'\n"},
		{"zero-and-json", []string{"hash", "-z", "--json", "a"}, exitUsage, "", "signet: error: --zero and --json cannot be used together\nsignet: hint: see 'signet hash --help'\n"},
		{"list-missing", []string{"hash", "-c", "nope.sum"}, exitBadInput, "", "signet: error: nope.sum: no such file or directory\n"},
		{"list-junk", []string{"hash", "-c", "junk.sum"}, exitBadInput, "", "signet: error: junk.sum: no properly formatted checksum lines found\n"},
		{"unknown-flag", []string{"hash", "--nope"}, exitUsage, "", "signet: error: flag provided but not defined: -nope\nsignet: hint: see 'signet hash --help'\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := runSignet(t, "", tc.args...)
			if code != tc.code || stdout != tc.stdout || stderr != tc.stderr {
				t.Errorf("exit %d, want %d\nstdout %q\n  want %q\nstderr %q\n  want %q", code, tc.code, stdout, tc.stdout, stderr, tc.stderr)
			}
		})
	}
}

func TestHashJSON(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a": "alpha\n", "e": ""})
	t.Chdir(dir)
	stdout, stderr, code := runSignet(t, "", "hash", "--json", "-a", "sha3-256", "a", "missing", "e")
	if code != exitBadInput || stderr != "signet: error: missing: no such file or directory\n" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("%v in %s", err, stdout)
	}
	d, _, _ := digest.HashFile(t.Context(), digest.SHA3_256, "a")
	want := []map[string]any{
		{"path": "a", "algorithm": "sha3-256", "digest": d.String(), "size": 6.0},
		{"path": "missing", "algorithm": "sha3-256", "error": "no such file or directory"},
		{"path": "e", "algorithm": "sha3-256", "digest": "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a", "size": 0.0},
	}
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if !bytes.Equal(gotJSON, wantJSON) {
		t.Errorf("got  %s\nwant %s", gotJSON, wantJSON)
	}
	stdout, _, code = runSignet(t, "", "hash", "--json", "-r", "nothing-here-but-a-dir-"+t.Name())
	if code != exitBadInput || !json.Valid([]byte(stdout)) {
		t.Errorf("exit %d, invalid JSON %q", code, stdout)
	}
	if err := os.Mkdir("emptydir", 0o755); err != nil {
		t.Fatal(err)
	}
	stdout, _, code = runSignet(t, "", "hash", "--json", "-r", "emptydir")
	if code != exitOK || stdout != "[]\n" {
		t.Errorf("empty: exit %d, %q", code, stdout)
	}
}

// TestHashHelpExamples runs every line of the EXAMPLES section of `signet hash --help`, in
// order, in a directory holding the files they name (the lines with a pipe or a redirection
// with sh).
func TestHashHelpExamples(t *testing.T) {
	testutil.RequireTool(t, "sha256sum")
	testutil.RequireTool(t, "sh")
	exampleFixture(t, map[string]string{"release.tar.gz": "release\n", "dist/a.txt": "a\n", "dist/sub/b.bin": "b\n"})
	if examples, _ := runHelpExamples(t, "hash"); len(examples) < 5 {
		t.Errorf("only %d examples", len(examples))
	}
}

func TestProgressLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		p    digest.Progress
		want string
	}{
		{digest.Progress{Bytes: 0, TotalBytes: 2 << 30, Files: 0, TotalFiles: 1}, "[>                                    ]   0%  0 B / 2.0 GiB  0/1 files"},
		{digest.Progress{Bytes: 1 << 30, TotalBytes: 2 << 30, Files: 0, TotalFiles: 1}, "[================>                ]  50%  1.0 GiB / 2.0 GiB  0/1 files"},
		{digest.Progress{Bytes: 300 << 20, TotalBytes: 300 << 20, Files: 3, TotalFiles: 3}, "[=============================] 100%  300.0 MiB / 300.0 MiB  3/3 files"},
	} {
		got := progressLine(tc.p, 70)
		if got != tc.want || len(got) != 70 {
			t.Errorf("progressLine(%+v) =\n%q\nwant\n%q", tc.p, got, tc.want)
		}
	}
	if got := progressLine(digest.Progress{Files: 5, TotalFiles: 10}, 20); got != "50%  0 B / 0 B  5/10 files" {
		t.Errorf("narrow: %q", got)
	}
	if b := newProgressBar(&bytes.Buffer{}); b != nil {
		t.Errorf("a progress bar on a buffer")
	}
	var nilBar *progressBar
	nilBar.update(digest.Progress{TotalFiles: 5000})
	nilBar.clear()

	// A bar on a writer draws only for large work, and clears its line.
	var buf bytes.Buffer
	b := &progressBar{w: &buf, width: 60}
	b.update(digest.Progress{TotalBytes: 1 << 20, TotalFiles: 3})
	if buf.Len() != 0 {
		t.Errorf("drew for small work: %q", buf.String())
	}
	b.update(digest.Progress{Bytes: 1 << 30, TotalBytes: 1 << 31, TotalFiles: 1})
	b.clear()
	if got := buf.String(); !strings.HasPrefix(got, "\r[") || !strings.HasSuffix(got, "\r\033[K") {
		t.Errorf("drew %q", got)
	}
}
