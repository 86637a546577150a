package main

import (
	"encoding/json"

	"github.com/signet-pki/signet/verify"
)

// verify's JSON names an artifact's file "file" (verify.ArtifactResult), where the records of
// sign and hash name it "path". Each artifact (and a manifest's own result) also carries
// "path", the same name as given, so that one jq filter reads all three; "file" stays, as
// every field does (scripts rely on them).

// artifactJSON is an artifact's verdict with "path" beside "file".
type artifactJSON struct {
	*verify.ArtifactResult
	Path string `json:"path"`
}

func withPath(r *verify.ArtifactResult) *artifactJSON {
	if r == nil {
		return nil
	}
	return &artifactJSON{ArtifactResult: r, Path: r.File}
}

// manifestJSON is a manifest's verdict, its own result with "path".
type manifestJSON struct {
	*verify.ManifestResult
	Manifest *artifactJSON `json:"manifest"`
}

// MarshalJSON writes the report with "path" in every artifact.
func (r verifyReport) MarshalJSON() ([]byte, error) {
	type plain verifyReport // the fields, without this method
	out := struct {
		plain
		Artifacts []*artifactJSON `json:"artifacts,omitempty"`
		Manifest  *manifestJSON   `json:"manifest,omitempty"`
	}{plain: plain(r)}
	for _, a := range r.Artifacts {
		out.Artifacts = append(out.Artifacts, withPath(a))
	}
	if r.Manifest != nil {
		out.Manifest = &manifestJSON{ManifestResult: r.Manifest, Manifest: withPath(r.Manifest.Manifest)}
	}
	return json.Marshal(out)
}
