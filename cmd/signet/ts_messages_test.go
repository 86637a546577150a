package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestTSVerifyNamesItsRootsFlag: ts verify with neither --tsa-roots nor a local identity is a
// usage error that names the flag ts verify has, --tsa-roots; it named --roots and
// --system-roots, which ts verify does not take.
func TestTSVerifyNamesItsRootsFlag(t *testing.T) {
	t.Setenv("SIGNET_HOME", t.TempDir())
	_, errOut, code := runSignet(t, "", "ts", "verify", "token.tsr", "--digest", "00")
	if code != exitUsage || !strings.Contains(errOut, "give --tsa-roots FILE") || strings.Contains(errOut, "--roots") {
		t.Errorf("exit %d, want %d naming --tsa-roots alone:\n%s", code, exitUsage, errOut)
	}
	// cert verify keeps its own words.
	_, errOut, code = runSignet(t, "", "cert", "verify", fixturePKI(t, "server.pem"))
	if code != exitUsage || !strings.Contains(errOut, "give --roots FILE (or --system-roots)") {
		t.Errorf("cert verify: exit %d, want %d naming --roots:\n%s", code, exitUsage, errOut)
	}
}

// TestTSVerifyFailureWordsAndRule: a token whose TSA does not chain to --tsa-roots fails with
// one "timestamp:" (the timestamp package's errors said it again: "timestamp: timestamp:
// ..."), and --json gives the rule the TSA's chain broke, as cert verify --json does.
func TestTSVerifyFailureWordsAndRule(t *testing.T) {
	url := testTSA(t)
	root, impostor := fixturePKI(t, "root-ca.pem"), fixturePKI(t, "impostor-root.pem")
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("f.txt", []byte("release bytes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runSignet(t, "", "ts", "query", "--tsa", url, "f.txt", "-o", "f.tsr"); code != exitOK {
		t.Fatalf("ts query: exit %d: %s", code, errOut)
	}
	// Another file: the imprint does not match (a timestamp package error).
	if err := os.WriteFile("g.txt", []byte("other bytes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runSignet(t, "", "ts", "verify", "f.tsr", "--data", "g.txt", "--tsa-roots", root)
	if code != exitCheckFailed || strings.Contains(out+errOut, "timestamp: timestamp:") || !strings.Contains(out, "FAILED f.tsr: timestamp: token does not match") {
		t.Errorf("another file: exit %d, want %d with one \"timestamp:\":\n%s%s", code, exitCheckFailed, out, errOut)
	}
	// A TSA that does not chain to the roots given: the chain's rule is in --json.
	out, errOut, code = runSignet(t, "", "ts", "verify", "--json", "f.tsr", "--data", "f.txt", "--tsa-roots", impostor)
	if code != exitCheckFailed {
		t.Fatalf("untrusted TSA: exit %d, want %d: %s%s", code, exitCheckFailed, out, errOut)
	}
	var r struct {
		Valid bool   `json:"valid"`
		Error string `json:"error"`
		Rule  string `json:"rule"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	if r.Valid || r.Rule == "" || !strings.Contains(r.Error, "["+r.Rule+"]") || strings.Contains(r.Error, "timestamp: timestamp:") {
		t.Errorf("untrusted TSA: --json %s: want a rule, the one the error names", out)
	}
}
