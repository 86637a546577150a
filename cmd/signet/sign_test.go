package main

import (
	"os"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// TestSignHelpExamples runs every EXAMPLES line of 'signet sign --help' in order in one
// scratch directory holding the files they name, so that what the help shows works.
func TestSignHelpExamples(t *testing.T) {
	testutil.RequireTool(t, "openssl")
	exampleFixture(t, map[string]string{
		"release.tar.gz":          "release\n",
		"dist/app-linux.tar.gz":   "linux\n",
		"dist/app-darwin.tar.gz":  "darwin\n",
		"dist/docs/README.md":     "docs\n",
		"dist/app-linux.tar.gz.x": "not a signature\n",
	})
	examples, _ := runHelpExamples(t, "sign")
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
