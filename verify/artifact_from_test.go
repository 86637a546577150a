package verify

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
)

// TestVerifyArtifactsFrom: artifacts taken as they come, over more than one batch, each
// result emitted in order; an error of the sequence ends the run after the results before
// it, and is the run's error.
func TestVerifyArtifactsFrom(t *testing.T) {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	listErr := errors.New("the list cannot be read")
	n := artifactBatch + 44
	arts := func(yield func(Artifact, error) bool) {
		for i := range n {
			if !yield(Artifact{Name: fmt.Sprintf("%s/missing%d", dir, i)}, nil) {
				return
			}
		}
		yield(Artifact{}, listErr)
	}
	var got []string
	err = VerifyArtifactsFrom(t.Context(), arts, ArtifactOptions{Key: pub}, func(r *ArtifactResult) error {
		got = append(got, r.File)
		return nil
	})
	if !errors.Is(err, listErr) {
		t.Fatalf("error %v, want the list's", err)
	}
	if len(got) != n {
		t.Fatalf("%d results, want %d", len(got), n)
	}
	for i, f := range got {
		if want := fmt.Sprintf("%s/missing%d", dir, i); f != want {
			t.Fatalf("result %d is of %s, want %s", i, f, want)
		}
	}
}
