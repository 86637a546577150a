package verify_test

import (
	"context"
	"crypto"
	"errors"
	"io/fs"
	"testing"

	"github.com/signet-pki/signet/internal/readlimit"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/verify"
)

// LoadSignature's failures are told apart by sentinels, never by their text: the CLI's hints
// depend on them (issue 10: "no signature found" and "named as" were matched in messages).
// Each sentinel also matches the general error it is a case of, which the exit codes use.
func TestLoadSignatureSentinels(t *testing.T) {
	dir := t.TempDir()
	art := writeFile(t, dir, "art.tar.gz", "release contents\n")
	raw := rawSign(t, mustSigner(t, "codesign.key"), crypto.SHA256, false, []byte("release contents\n"))
	misnamed := writeFile(t, dir, "raw.p7s", string(raw))

	_, _, err := verify.LoadSignature(art, "")
	if !errors.Is(err, verify.ErrNoSignature) || !errors.Is(err, fs.ErrNotExist) || errors.Is(err, verify.ErrMisnamedSignature) {
		t.Errorf("no signature: %v", err)
	}
	_, _, err = verify.LoadSignature(art, misnamed)
	if !errors.Is(err, verify.ErrMisnamedSignature) || !errors.Is(err, sigformat.ErrMalformedSignature) || errors.Is(err, verify.ErrNoSignature) {
		t.Errorf("misnamed: %v", err)
	}
	// A signature named explicitly that does not exist is not "no signature found".
	_, _, err = verify.LoadSignature(art, art+".missing")
	if !errors.Is(err, fs.ErrNotExist) || errors.Is(err, verify.ErrNoSignature) {
		t.Errorf("missing --sig: %v", err)
	}
	// A directory given as the file is bad input (ErrUnchecked, exit 3), not an unforeseen
	// error: it used to be a bare errors.New, which the CLI could only call a bug (exit 70).
	_, _, err = verify.LoadSignature(dir, misnamed)
	if !errors.Is(err, verify.ErrUnchecked) || !errors.Is(err, readlimit.ErrNotFile) || err.Error() != "verify: is a directory, not a file" {
		t.Errorf("directory: %v", err)
	}
	// ... also when the content is given and the name only labels it.
	res, err := verify.VerifyArtifact(context.Background(), verify.Artifact{Name: dir, Content: []byte("x")}, verify.ArtifactOptions{Key: mustSigner(t, "codesign.key").Public()})
	if !errors.Is(err, verify.ErrUnchecked) || res == nil || res.Reason != verify.ReasonUnchecked || res.Error != "is a directory, not a file" {
		t.Errorf("directory with content: %+v, %v", res, err)
	}
}

// Verdict messages are built from the errors' types, not by cutting their text: they carry no
// package name, whichever error made them.
func TestVerdictMessages(t *testing.T) {
	dir := t.TempDir()
	data := "release contents\n"
	art := writeFile(t, dir, "art.tar.gz", data)
	ec := mustSigner(t, "codesign.key")
	raw := rawSignature(t, rawSign(t, ec, crypto.SHA256, false, []byte(data)))
	ctx := context.Background()

	// No key for a raw signature: ErrNoKey, in its own words.
	res, err := verify.VerifyArtifact(ctx, verify.Artifact{Name: art, Signature: raw}, verify.ArtifactOptions{Policy: codeSigning(t)})
	if !errors.Is(err, verify.ErrNoKey) || res.Error != "no key to check the signature with: a raw signature names no signer" {
		t.Errorf("no key: %q, %v", res.Error, err)
	}
	// A weak hash named by the signature: ErrWeakAlgorithm, said as the artifact's verdict.
	weak := *raw
	weak.Format, weak.Hash = sigformat.Bundle, crypto.SHA1
	res, err = verify.VerifyArtifact(ctx, verify.Artifact{Name: art, Signature: &weak}, verify.ArtifactOptions{Key: ec.Public()})
	if !errors.Is(err, verify.ErrWeakAlgorithm) || res.Reason != verify.ReasonWeakAlgorithm ||
		res.Error != "the signature's hash SHA-1 is refused as weak: collisions can be made, so a valid signature would not prove what was signed" {
		t.Errorf("weak hash: %q (%s), %v", res.Error, res.Reason, err)
	}
	// A chain verdict (*verify.Error): its detail and rule, as the error prints them after
	// the package's name.
	res, err = verify.VerifyArtifact(ctx, verify.Artifact{Name: art, Signature: opensslCMS(t, art, "wrong-eku")}, verify.ArtifactOptions{Policy: codeSigning(t)})
	var ve *verify.Error
	if !errors.As(err, &ve) || ve.Rule == "" || res.Error != ve.Detail+" ["+ve.Rule+"]" || "verify: "+res.Error != err.Error() {
		t.Errorf("chain verdict: %q, %v", res.Error, err)
	}
}
