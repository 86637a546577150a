package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestJSONPathEverywhere: the file a record is about is "path" in the JSON of sign, hash and
// verify alike (verify's "file" stays beside it), for an artifact and for a signed manifest.
func TestJSONPathEverywhere(t *testing.T) {
	exampleFixture(t, map[string]string{"dist/app.tar.gz": "an app\n"})
	mustSignet(t, "init")
	var receipts []map[string]any
	if err := json.Unmarshal([]byte(mustSignet(t, "sign", "--json", "dist/app.tar.gz")), &receipts); err != nil || len(receipts) != 1 || receipts[0]["path"] != "dist/app.tar.gz" {
		t.Fatalf("sign --json: %v %v", receipts, err)
	}
	var hashes []map[string]any
	if err := json.Unmarshal([]byte(mustSignet(t, "hash", "--json", "dist/app.tar.gz")), &hashes); err != nil || len(hashes) != 1 || hashes[0]["path"] != "dist/app.tar.gz" {
		t.Fatalf("hash --json: %v %v", hashes, err)
	}
	var report struct {
		Valid     bool             `json:"valid"`
		Artifacts []map[string]any `json:"artifacts"`
	}
	out := mustSignet(t, "verify", "--json", "dist/app.tar.gz")
	if err := json.Unmarshal([]byte(out), &report); err != nil || !report.Valid || len(report.Artifacts) != 1 {
		t.Fatalf("verify --json: %v\n%s", err, out)
	}
	if a := report.Artifacts[0]; a["path"] != "dist/app.tar.gz" || a["file"] != "dist/app.tar.gz" || a["signature_file"] != "dist/app.tar.gz.sigstore.json" || a["checks"] == nil {
		t.Errorf("verify --json artifact: path %v, file %v, signature_file %v", a["path"], a["file"], a["signature_file"])
	}

	mustSignet(t, "sign", "--manifest", "dist/SHA256SUMS", "dist/app.tar.gz")
	var mreport struct {
		Manifest struct {
			Manifest map[string]any   `json:"manifest"`
			Valid    bool             `json:"valid"`
			Files    []map[string]any `json:"files"`
		} `json:"manifest"`
	}
	out = mustSignet(t, "verify", "--json", "--manifest", "dist/SHA256SUMS")
	if err := json.Unmarshal([]byte(out), &mreport); err != nil || !mreport.Manifest.Valid || len(mreport.Manifest.Files) != 1 {
		t.Fatalf("verify --json --manifest: %v\n%s", err, out)
	}
	if m := mreport.Manifest.Manifest; m["path"] != "dist/SHA256SUMS" || m["file"] != "dist/SHA256SUMS" {
		t.Errorf("the manifest's own result: path %v, file %v", m["path"], m["file"])
	}
	if f := mreport.Manifest.Files[0]; f["name"] != "app.tar.gz" || !strings.HasSuffix(f["path"].(string), "app.tar.gz") {
		t.Errorf("a listed file: %v", f)
	}
}

// TestVerifyJSONUnreadableManifest: with --json, a --manifest that cannot be read (missing, a
// directory) or is no list (no well-formed line) is a JSON verdict, the list unchecked and
// exit 3, as a missing artifact is: it used to print no JSON at all, only an error on stderr,
// which a CI job reading the report could not tell from a crash.
func TestVerifyJSONUnreadableManifest(t *testing.T) {
	dir := t.TempDir()
	junk := dir + "/junk.sums"
	writeFiles(t, dir, map[string]string{"junk.sums": "not a list\n"})
	if _, errOut, code := runSignet(t, "", "sign", "-q", "--key", fixturePKI(t, "codesign.key"), "-F", "raw", junk); code != 0 {
		t.Fatalf("sign: exit %d: %s", code, errOut)
	}
	for _, list := range []string{dir + "/missing.sums", dir, junk} {
		out, errOut, code := runSignet(t, "", "verify", "--json", "--key", fixturePKI(t, "codesign.pem"), "--manifest", list)
		var v struct {
			Valid    bool `json:"valid"`
			ExitCode int  `json:"exit_code"`
			Manifest *struct {
				Reason   string `json:"reason"`
				Manifest struct {
					File   string `json:"file"`
					Reason string `json:"reason"`
				} `json:"manifest"`
				Files []json.RawMessage `json:"files"`
			} `json:"manifest"`
		}
		if err := json.Unmarshal([]byte(out), &v); err != nil || v.Manifest == nil {
			t.Fatalf("%s: exit %d, no JSON verdict (%v): %q %s", list, code, err, out, errOut)
		}
		if code != 3 || v.Valid || v.ExitCode != 3 || v.Manifest.Reason != "unchecked" || v.Manifest.Manifest.File != list || len(v.Manifest.Files) != 0 {
			t.Errorf("%s: exit %d, %+v", list, code, v)
		}
	}
}
