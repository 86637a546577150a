package verify_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// A raw signature checked with the signer's bare key, as `signet verify --key` does: valid,
// then refused once the file changed.
func ExampleVerifyArtifact() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "art.tar.gz")
	os.WriteFile(file, []byte("release 1.0\n"), 0o644)

	// What `openssl dgst -sha256 -sign codesign.key -out art.tar.gz.sig art.tar.gz` makes.
	pem, _ := os.ReadFile("../testdata/pki/codesign.key")
	key, _ := x509util.ParsePrivateKey(pem, nil)
	digest := sha256.Sum256([]byte("release 1.0\n"))
	raw, _ := key.Sign(rand.Reader, digest[:], crypto.SHA256)
	sig, _ := sigformat.Parse(raw)

	opts := verify.ArtifactOptions{Key: key.Public()} // Hash: zero means SHA-256
	res, err := verify.VerifyArtifact(context.Background(), verify.Artifact{Name: file, Signature: sig}, opts)
	fmt.Println(res.Valid, err, res.Signer.KeyType)

	os.WriteFile(file, []byte("release 1.0, changed\n"), 0o644)
	res, err = verify.VerifyArtifact(context.Background(), verify.Artifact{Name: file, Signature: sig}, opts)
	fmt.Println(res.Valid, res.Reason, errors.Is(err, verify.ErrSignatureMismatch))
	for _, c := range res.Checks {
		fmt.Println(c.Check, c.Status)
	}
	// Output:
	// true <nil> ec-p256
	// false signature-mismatch true
	// digest skip
	// signature fail
}
