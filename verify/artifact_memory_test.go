package verify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/sigformat"
)

// TestVerifyArtifactsBoundsWholeFiles: Ed25519 signatures over whole files need each file in
// memory, but never all of them at once (issue 15: `signet verify` of 1,000 Ed25519 files
// peaked at 79 MiB, every file held until every file was checked). With W workers, at most W
// files are held at once, whatever the number of files, and every verdict is still right.
func TestVerifyArtifactsBoundsWholeFiles(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	const size, files, workers = 64 << 10, 300, 2
	dir := t.TempDir()
	var arts []Artifact
	for i := range files {
		content := bytes.Repeat([]byte{byte(i)}, size)
		name := filepath.Join(dir, fmt.Sprintf("f%03d", i))
		if err := os.WriteFile(name, content, 0o644); err != nil {
			t.Fatal(err)
		}
		if i == 123 {
			content = []byte("something else")
		}
		sig, err := sigformat.Parse(ed25519.Sign(priv, content))
		if err != nil {
			t.Fatal(err)
		}
		arts = append(arts, Artifact{Name: name, Signature: sig})
	}
	var mu sync.Mutex
	var most int64
	testHookHeld = func(n int64) {
		mu.Lock()
		most = max(most, n)
		mu.Unlock()
	}
	defer func() { testHookHeld = nil }()
	i := 0
	err = VerifyArtifacts(context.Background(), arts, ArtifactOptions{Key: pub, Workers: workers}, func(r *ArtifactResult) error {
		if r.Valid != (i != 123) {
			t.Errorf("%s: valid %v: %v", r.File, r.Valid, r.Err())
		}
		i++
		return nil
	})
	if err != nil || i != files {
		t.Fatalf("%v after %d results", err, i)
	}
	if most == 0 || most > workers*size {
		t.Fatalf("%d bytes of files held at once; want at most %d (%d workers × %d)", most, workers*size, workers, size)
	}
}

// TestVerifyArtifactsStreamsEd25519ph: an Ed25519 bundle with a SHA-512 messageDigest is
// checked as Ed25519ph over the streamed digest first, so no file is held whole when that
// holds (sign makes such bundles of files of any size; verify used to read each whole, up to
// 1 GiB); a pure Ed25519 signature in the same shape still verifies, read whole then.
func TestVerifyArtifactsStreamsEd25519ph(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	const size, files = 64 << 10, 20
	dir := t.TempDir()
	var arts []Artifact
	for i := range files {
		content := bytes.Repeat([]byte{byte(i)}, size)
		name := filepath.Join(dir, fmt.Sprintf("f%03d", i))
		if err := os.WriteFile(name, content, 0o644); err != nil {
			t.Fatal(err)
		}
		d := sha512.Sum512(content)
		var sig []byte
		if i%2 == 0 {
			sig, err = priv.Sign(rand.Reader, d[:], &ed25519.Options{Hash: crypto.SHA512})
		} else {
			sig = ed25519.Sign(priv, content)
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := sigformat.MarshalBundle(sigformat.BundleContent{Algorithm: digest.SHA512, Digest: d[:], Signature: sig, PublicKey: pub})
		if err != nil {
			t.Fatal(err)
		}
		s, err := sigformat.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		arts = append(arts, Artifact{Name: name, Signature: s})
	}
	var mu sync.Mutex
	held := 0
	testHookHeld = func(int64) {
		mu.Lock()
		held++
		mu.Unlock()
	}
	defer func() { testHookHeld = nil }()
	i := 0
	err = VerifyArtifacts(context.Background(), arts, ArtifactOptions{Key: pub, Workers: 2}, func(r *ArtifactResult) error {
		if !r.Valid {
			t.Errorf("%s: %v", r.File, r.Err())
		}
		i++
		return nil
	})
	if err != nil || i != files {
		t.Fatalf("%v after %d results", err, i)
	}
	if held != files/2 {
		t.Fatalf("%d files read whole; want %d (the pure Ed25519 ones only)", held, files/2)
	}
}

// TestEd25519phFallbackVerdicts: when an Ed25519 bundle over a sha512 digest does not verify
// as Ed25519ph, a file too large to try pure Ed25519 over is a signature mismatch (exit 10),
// as a smaller one is, not bad input; and a bundle whose digest is another file's is refused
// without reading the file whole.
func TestEd25519phFallbackVerdicts(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	content := bytes.Repeat([]byte("x"), 4096)
	name := filepath.Join(dir, "big")
	if err := os.WriteFile(name, content, 0o644); err != nil {
		t.Fatal(err)
	}
	d := sha512.Sum512(content)
	other := sha512.Sum512([]byte("another file"))
	bad, _ := priv.Sign(rand.Reader, other[:], &ed25519.Options{Hash: crypto.SHA512})
	bundle := func(dig []byte) *sigformat.Signature {
		b, err := sigformat.MarshalBundle(sigformat.BundleContent{Algorithm: digest.SHA512, Digest: dig, Signature: bad, PublicKey: pub})
		if err != nil {
			t.Fatal(err)
		}
		s, err := sigformat.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	defer func(c int64) { wholeFileCap = c }(wholeFileCap)
	wholeFileCap = 1024 // the file is "too large" for pure Ed25519
	held := 0
	testHookHeld = func(int64) { held++ }
	defer func() { testHookHeld = nil }()
	for _, tc := range []struct {
		name string
		dig  []byte
	}{{"too large for the fallback", d[:]}, {"digest of another file", other[:]}} {
		res, err := VerifyArtifact(context.Background(), Artifact{Name: name, Signature: bundle(tc.dig)}, ArtifactOptions{Key: pub, Workers: 1})
		if res == nil || res.Valid {
			t.Fatalf("%s: valid %v, %v", tc.name, res != nil && res.Valid, err)
		}
		if !errors.Is(err, ErrSignatureMismatch) {
			t.Errorf("%s: %v, want a signature mismatch", tc.name, err)
		}
	}
	if held != 0 {
		t.Errorf("%d files read whole; want none", held)
	}
}
