package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// TestSignHelpExamples runs every EXAMPLES line of 'signet sign --help' in order in one
// scratch directory holding the files they name, so that what the help shows works.
func TestSignHelpExamples(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	t.Setenv("SIGNET_HOME", home)
	t.Chdir(dir)
	for name, data := range map[string]string{
		"release.tar.gz":          "release\n",
		"dist/app-linux.tar.gz":   "linux\n",
		"dist/app-darwin.tar.gz":  "darwin\n",
		"dist/docs/README.md":     "docs\n",
		"dist/app-linux.tar.gz.x": "not a signature\n",
	} {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, help, _ := certRun("sign", "--help")
	examples, err := helpExamples(help)
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range examples {
		args := ex.args
		for i, a := range args {
			if rest, ok := strings.CutPrefix(a, "~/.config/signet/"); ok {
				args[i] = filepath.Join(home, rest)
			}
		}
		var code int
		var out, errOut string
		switch args[0] {
		case "signet":
			code, out, errOut = certRun(args[1:]...)
		case "openssl":
			o, e, err := testutil.RunErr(openssl, args[1:]...)
			out, errOut = string(o), string(e)
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("example runs %q, which this test does not know", args[0])
		}
		if code != ex.code {
			t.Fatalf("%s: exit %d, want %d\n%s%s", strings.Join(ex.args, " "), code, ex.code, out, errOut)
		}
	}
	if len(examples) < 10 {
		t.Fatalf("only %d examples ran", len(examples))
	}
	// What the examples promise is there.
	for _, f := range []string{"release.tar.gz.sigstore.json", "release.tar.gz.p7s", "release.tar.gz.sig",
		"dist/SHA256SUMS", "dist/SHA256SUMS.sigstore.json", "foo.sigstore.json"} {
		if _, err := os.Stat(f); err != nil {
			t.Error(err)
		}
	}
	sums, _ := os.ReadFile("dist/SHA256SUMS")
	if !strings.Contains(string(sums), "  docs/README.md\n") || strings.Contains(string(sums), ".sigstore.json") {
		t.Errorf("manifest:\n%s", sums)
	}
}
