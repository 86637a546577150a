package verify_test

import (
	"context"
	"crypto"
	"errors"
	"iter"
	"os"
	"path/filepath"
	"testing"

	"github.com/signet-pki/signet/verify"
)

// What a careless caller leaves nil: a context, the emit callback, the artifacts' iterator,
// a certificate to name. Each is an error (ErrUnchecked: nothing was checked), never a panic.
func TestAPVerifyNilArguments(t *testing.T) {
	dir := t.TempDir()
	art := filepath.Join(dir, "a.bin")
	if err := os.WriteFile(art, []byte("release\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	signer := mustSigner(t, "codesign.key")
	a := verify.Artifact{Name: art, Signature: rawSignature(t, rawSign(t, signer, crypto.SHA256, false, []byte("release\n")))}
	key := signer.Public()
	ctx := context.Background()
	var nilCtx context.Context // a careless caller's
	t.Run("VerifyArtifact nil context", func(t *testing.T) {
		var res *verify.ArtifactResult
		err := apCall(t, func() (err error) {
			res, err = verify.VerifyArtifact(nilCtx, a, verify.ArtifactOptions{Key: key})
			return err
		})
		if !errors.Is(err, verify.ErrUnchecked) || res != nil && res.Valid {
			t.Fatalf("got %v, want ErrUnchecked", err)
		}
	})

	t.Run("VerifyArtifacts nil emit", func(t *testing.T) {
		err := apCall(t, func() error {
			return verify.VerifyArtifacts(ctx, []verify.Artifact{a}, verify.ArtifactOptions{Key: key}, nil)
		})
		if !errors.Is(err, verify.ErrUnchecked) {
			t.Fatalf("got %v, want ErrUnchecked", err)
		}
	})
	t.Run("VerifyArtifactsFrom nil artifacts", func(t *testing.T) {
		var arts iter.Seq2[verify.Artifact, error]
		err := apCall(t, func() error {
			return verify.VerifyArtifactsFrom(ctx, arts, verify.ArtifactOptions{Key: key}, func(*verify.ArtifactResult) error { return nil })
		})
		if !errors.Is(err, verify.ErrUnchecked) {
			t.Fatalf("got %v, want ErrUnchecked", err)
		}
	})
	t.Run("VerifyManifest nil context", func(t *testing.T) {
		err := apCall(t, func() error {
			_, err := verify.VerifyManifest(nilCtx, a, verify.ArtifactOptions{Key: key}, verify.ManifestOptions{})
			return err
		})
		if !errors.Is(err, verify.ErrUnchecked) {
			t.Fatalf("got %v, want ErrUnchecked", err)
		}
	})
}

func TestAPVerifyHelpersNil(t *testing.T) {
	if got := apCallString(t, func() string { return verify.Name(nil) }); got == "" {
		t.Errorf("Name(nil) is empty")
	}
	err := apCall(t, func() error { return verify.Signature(nil, nil, nil, verify.SignatureParams{}) })
	if !errors.Is(err, verify.ErrUnchecked) {
		t.Errorf("Signature with no key: %v, want ErrUnchecked", err)
	}
	key := mustSigner(t, "codesign.key").Public()
	err = apCall(t, func() error {
		return verify.Signature(key, make([]byte, 32), make([]byte, 64), verify.SignatureParams{})
	})
	if !errors.Is(err, verify.ErrUnchecked) {
		t.Errorf("ECDSA signature with no hash: %v, want ErrUnchecked", err)
	}
	err = apCall(t, func() error {
		_, err := verify.VerifyTimestamp(nil, nil, nil, nil)
		return err
	})
	if !errors.Is(err, verify.ErrPolicy) {
		t.Errorf("VerifyTimestamp with no roots: %v, want ErrPolicy", err)
	}
}

func apCallString(t *testing.T, f func() string) (s string) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic: %v", r)
		}
	}()
	return f()
}
