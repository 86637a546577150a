package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// The hc campaign's part against Perl's shasum, for the one algorithm signet takes from it:
// SHA-512/256 (-a 512256, tag SHA512/256). Each seed draws files with the names of the
// coreutils campaign, has shasum and signet write a list of them (with --tag, -b or -t, and a
// missing file), then changes some files, removes some, and has both check shasum's list.
//
// shasum 6 writes a name holding a carriage return as it is, where coreutils 9 (and signet,
// which writes lists as sha256sum does) escapes it: such names are not drawn. Its -c prints a
// name holding a newline as it is, where sha256sum -c (and signet) escapes it: the check's
// report is compared as the sequence of its verdicts, with the names in the order of the list.
// Standard error is shasum's own wording and is not compared; the exit codes are (a file that
// cannot be read while writing a list exits 3, not 1: README).

// hcVerdicts is the verdicts of a check's report, in order.
func hcVerdicts(out string) []string {
	var v []string
	for _, line := range strings.Split(out, "\n") {
		for _, verdict := range []string{"FAILED open or read", "FAILED", "OK"} {
			if strings.HasSuffix(line, ": "+verdict) {
				v = append(v, verdict)
				break
			}
		}
	}
	return v
}

func TestHashShasumCampaign(t *testing.T) {
	shasum, err := exec.LookPath("shasum")
	if err != nil {
		t.Skip("shasum not installed")
	}
	root := t.TempDir()
	t.Chdir(root)
	seeds := testutil.Seeds(t, "HC_SHASUM_SEEDS", 40)

	runShasum := func(dir string, args ...string) (string, int) {
		cmd := exec.Command(shasum, append([]string{"-a", "512256"}, args...)...)
		cmd.Dir = dir
		var out bytes.Buffer
		cmd.Stdout = &out
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), code
	}
	for _, seed := range seeds {
		r := rand.New(rand.NewPCG(uint64(seed), 0x7368))
		dir := filepath.Join(root, strconv.FormatInt(seed, 10))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chdir(dir); err != nil {
			t.Fatal(err)
		}
		taken := map[string]bool{}
		var names []string
		for len(names) < 1+r.IntN(5) {
			name := hcName(r, taken)
			if strings.Contains(name, "\r") {
				continue
			}
			data := make([]byte, r.IntN(300))
			for i := range data {
				data[i] = byte(r.IntN(256))
			}
			if err := os.WriteFile(name, data, 0o644); err != nil {
				t.Fatal(err)
			}
			names = append(names, name)
		}
		args := slices.Clone(names)
		r.Shuffle(len(args), func(i, j int) { args[i], args[j] = args[j], args[i] })
		if r.IntN(4) == 0 {
			args = append(args, hcName(r, taken)) // missing
		}
		var flags []string
		switch r.IntN(4) {
		case 0:
			flags = []string{"--tag"}
		case 1:
			flags = []string{"-b"}
		case 2:
			flags = []string{"-t"}
		}
		want, wantCode := runShasum(dir, append(append(slices.Clone(flags), "--"), args...)...)
		got := runHCSignet("", append(append([]string{"hash", "-a", "sha512-256"}, flags...), append([]string{"--"}, args...)...))
		if wantCode == 1 {
			wantCode = exitBadInput
		}
		if got.stdout != want || got.code != wantCode {
			t.Errorf("seed %d: signet hash %q\n\texit %d, shasum %d\n\tstdout %q\n\tshasum %q", seed, flags, got.code, wantCode, got.stdout, want)
		}
		// Check shasum's list after changing and removing some files.
		if err := os.WriteFile("list", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			switch r.IntN(5) {
			case 0:
				os.WriteFile(name, []byte("changed"), 0o644)
			case 1:
				os.Remove(name)
			}
		}
		var cflags []string
		if r.IntN(3) == 0 {
			cflags = append(cflags, "--ignore-missing")
		}
		if r.IntN(4) == 0 {
			cflags = append(cflags, "--quiet")
		}
		cwant, cwantCode := runShasum(dir, append(append([]string{"-c"}, cflags...), "list")...)
		cgot := runHCSignet("", append(append([]string{"hash", "-c", "-a", "sha512-256"}, cflags...), "list"))
		if cwantCode == 1 && cgot.code == exitBadInput && !strings.Contains(want, "\n") {
			cwantCode = exitBadInput // an empty list: no properly formatted line (README)
		}
		if !slices.Equal(hcVerdicts(cgot.stdout), hcVerdicts(cwant)) || cgot.code != cwantCode {
			t.Errorf("seed %d: signet hash -c %q of\n\t%q\n\texit %d, shasum %d\n\tstdout %q\n\tshasum %q", seed, cflags, want, cgot.code, cwantCode, cgot.stdout, cwant)
		}
		if err := os.Chdir(root); err != nil {
			t.Fatal(err)
		}
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d seeds from %d", len(seeds), seeds[0])
}
