package interop_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/verify"
)

// TestTrustedRootTSAIsTheListedOne (a finding of the bundle campaign): a trusted root's
// timestampAuthorities name TSAs, each by its certChain (the TSA's certificate, its CAs, the
// root). A timestamp from another TSA under the same root, which the trusted root does not
// list, must not date a signature: sigstore-go pins the TSA's certificate, and signet took
// every TSA chaining to the authority's root for a listed one.
func TestTrustedRootTSAIsTheListedOne(t *testing.T) {
	dir := t.TempDir()
	listedDir, otherDir := filepath.Join(dir, "listed"), filepath.Join(dir, "other")
	for _, d := range []string{listedDir, otherDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	listed, other := startTSA(t, listedDir), startTSA(t, otherDir)
	trPath, tr := trustedRootWithTSA(t, listedDir, listed.chain)
	art := filepath.Join(dir, "release.tar.gz")
	content := []byte("a release, timestamped by a TSA the trusted root lists, or not\n")
	if err := os.WriteFile(art, content, 0o644); err != nil {
		t.Fatal(err)
	}
	sigstoreTimestamped := func(b []byte) error {
		var bb bundle.Bundle
		if err := bb.UnmarshalJSON(b); err != nil {
			return err
		}
		v, err := verify.NewVerifier(tr, verify.WithSignedTimestamps(1))
		if err != nil {
			t.Fatal(err)
		}
		_, err = v.Verify(&bb, verify.NewPolicy(verify.WithArtifact(bytes.NewReader(content)), verify.WithoutIdentitiesUnsafe()))
		return err
	}
	for _, c := range []struct {
		name string
		url  string
		ok   bool
	}{{"listed", listed.url, true}, {"unlisted", other.url, false}} {
		t.Run(c.name, func(t *testing.T) {
			sigDir := filepath.Join(dir, "sig-"+c.name)
			if err := os.Mkdir(sigDir, 0o755); err != nil {
				t.Fatal(err)
			}
			out := signBundle(t, sigDir, "codesign", art, "--tsa", c.url)
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if err := sigstoreTimestamped(b); (err == nil) != c.ok {
				t.Fatalf("sigstore-go: %v, want ok=%v", err, c.ok)
			}
			code, msg := run(t, "verify", "--json", "--trusted-root", trPath, "--require-timestamp", "--sig", out, art)
			var rep struct {
				Artifacts []struct{ Reason string }
			}
			if err := json.Unmarshal([]byte(msg), &rep); err != nil || len(rep.Artifacts) != 1 {
				t.Fatalf("signet verify --json: exit %d: %s", code, msg)
			}
			switch {
			case c.ok && code != 0:
				t.Fatalf("signet verify: exit %d: %s", code, msg)
			case !c.ok && (code != 15 || rep.Artifacts[0].Reason != "timestamp-invalid"):
				t.Fatalf("signet verify of a timestamp from a TSA the trusted root does not list: exit %d reason %q, want 15 timestamp-invalid:\n%s", code, rep.Artifacts[0].Reason, msg)
			}
		})
	}
}
