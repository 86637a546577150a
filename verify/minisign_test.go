package verify_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/blake2b"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/verify"
)

// minisignKey makes a key with the real minisign (no password) and returns its files, the
// public key and its id.
func minisignKey(t *testing.T, dir, name string) (keyFile string, pub ed25519.PublicKey, id sigformat.MinisignKeyID) {
	t.Helper()
	minisign := testutil.RequireTool(t, "minisign")
	pubFile, keyFile := filepath.Join(dir, name+".pub"), filepath.Join(dir, name+".key")
	testutil.Run(t, minisign, "-G", "-W", "-p", pubFile, "-s", keyFile)
	data, err := os.ReadFile(pubFile)
	if err != nil {
		t.Fatal(err)
	}
	pub, id, err = sigformat.ParseMinisignPublicKey(data)
	if err != nil {
		t.Fatal(err)
	}
	return keyFile, pub, id
}

// TestMinisignRealSignatures verifies what the real minisign -S makes, and catches every
// change minisign -V catches: the file, the trusted comment, another key, a truncated
// signature.
func TestMinisignRealSignatures(t *testing.T) {
	minisign := testutil.RequireTool(t, "minisign")
	dir := t.TempDir()
	keyFile, pub, id := minisignKey(t, dir, "k")
	_, otherPub, otherID := minisignKey(t, dir, "other")
	file := writeFile(t, dir, "release.tar", strings.Repeat("release\n", 5000))
	testutil.Run(t, minisign, "-S", "-s", keyFile, "-m", file, "-t", "release 1.0\tby the test")
	legacy := file + ".legacy"
	testutil.Run(t, minisign, "-S", "-l", "-s", keyFile, "-m", file, "-x", legacy)
	sigData, _ := os.ReadFile(file + ".minisig")

	run := func(name, sigFile string, key ed25519.PublicKey, keyID *sigformat.MinisignKeyID) *verify.ArtifactResult {
		t.Helper()
		res, err := verify.VerifyArtifact(context.Background(), verify.Artifact{Name: name, SignatureName: sigFile},
			verify.ArtifactOptions{Key: key, MinisignKeyID: keyID})
		if res == nil {
			t.Fatalf("%s: %v", name, err)
		}
		return res
	}

	// FILE.minisig is found beside the file; ED and the legacy Ed both verify.
	for _, sigFile := range []string{"", legacy} {
		res := run(file, sigFile, pub, &id)
		if !res.Valid || res.Format != sigformat.Minisign || res.TrustedComment != "release 1.0\tby the test" && sigFile == "" {
			t.Fatalf("%q: %+v", sigFile, res)
		}
	}
	if res := run(file, "", pub, &id); res.Digest == nil || res.Digest.Algorithm != "blake2b-512" {
		t.Fatalf("digest %+v", res.Digest)
	}

	mismatch := func(what string, res *verify.ArtifactResult, check, want string) {
		t.Helper()
		if res.Valid || !errors.Is(res.Err(), verify.ErrSignatureMismatch) || res.Reason != verify.ReasonSignatureMismatch || res.TrustedComment != "" {
			t.Fatalf("%s: valid %v, reason %q, err %v, comment %q", what, res.Valid, res.Reason, res.Err(), res.TrustedComment)
		}
		var failed string
		for _, c := range res.Checks {
			if c.Status == verify.Fail {
				failed = c.Check
				break
			}
		}
		if failed != check || !strings.Contains(res.Error, want) {
			t.Fatalf("%s: first failed check %q, error %q; want %q, %q", what, failed, res.Error, check, want)
		}
	}

	// A tampered file, under both algorithms.
	tampered := writeFile(t, dir, "tampered.tar", strings.Repeat("release\n", 4999)+"Release\n")
	mismatch("tampered file", run(tampered, file+".minisig", pub, &id), verify.CheckSignature, "does not verify")
	mismatch("tampered file, legacy", run(tampered, legacy, pub, &id), verify.CheckSignature, "does not verify")

	// A changed trusted comment: minisign's point.
	forged := filepath.Join(dir, "forged.minisig")
	if err := os.WriteFile(forged, []byte(strings.Replace(string(sigData), "release 1.0", "release 2.0", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := testutil.RunErr(minisign, "-V", "-p", filepath.Join(dir, "k.pub"), "-m", file, "-x", forged); err == nil {
		t.Fatal("minisign accepts the forged comment")
	}
	mismatch("changed trusted comment", run(file, forged, pub, &id), verify.CheckTrustedComment, `"release 2.0\tby the test"`)

	// Another key: its id is not the signature's, and both are named.
	mismatch("wrong key", run(file, "", otherPub, &otherID), verify.CheckKeyID, id.String()+", not "+otherID.String())
	// The right key with an id of its own that is not the signature's (the key file given is
	// a PEM file, whose id signet derives): refused too, naming both.
	mismatch("derived id", run(file, "", pub, nil), verify.CheckKeyID, sigformat.MinisignKeyIDOf(pub).String()+", the key id signet derives for the key given: it was made with another key, or with a key minisign made")
	// Another key under the signature's id: the signatures do not verify.
	mismatch("wrong key, same id", run(file, "", otherPub, &id), verify.CheckSignature, "does not verify")

	// A truncated signature is malformed: nothing checked.
	trunc := filepath.Join(dir, "trunc.minisig")
	if err := os.WriteFile(trunc, sigData[:len(sigData)-30], 0o644); err != nil {
		t.Fatal(err)
	}
	if res := run(file, trunc, pub, &id); res.Valid || !errors.Is(res.Err(), sigformat.ErrMalformedSignature) || res.Reason != verify.ReasonUnchecked {
		t.Fatalf("truncated: %+v", res)
	}

	// No key: a minisign signature carries no certificate.
	res, _ := verify.VerifyArtifact(context.Background(), verify.Artifact{Name: file}, verify.ArtifactOptions{Policy: codeSigning(t)})
	if res == nil || !errors.Is(res.Err(), verify.ErrNoKey) {
		t.Fatalf("no key: %+v", res)
	}
	// A key that is not Ed25519.
	ec := mustSigner(t, "codesign.key")
	res, _ = verify.VerifyArtifact(context.Background(), verify.Artifact{Name: file}, verify.ArtifactOptions{Key: ec.Public()})
	if res == nil || !errors.Is(res.Err(), verify.ErrSignatureMismatch) || res.Reason != verify.ReasonSignatureMismatch {
		t.Fatalf("ECDSA key: %+v", res)
	}
}

// TestMinisignDerivedID: a signature that names the id signet derives verifies with the bare
// key (a PEM file's), so that signet's own minisign signatures need no minisign key file.
func TestMinisignDerivedID(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	id := sigformat.MinisignKeyIDOf(pub)
	content := []byte("content")
	h := blake2bSum(content)
	sig := ed25519.Sign(priv, h)
	m := &sigformat.MinisignSignature{Algorithm: "ED", KeyID: id, TrustedComment: "tc"}
	m.GlobalSignature = ed25519.Sign(priv, m.GlobalMessage(sig))
	s := &sigformat.Signature{Format: sigformat.Minisign, Raw: sig, Minisign: m}
	res, err := verify.VerifyArtifact(context.Background(), verify.Artifact{Name: "x", Content: content, Signature: s}, verify.ArtifactOptions{Key: pub})
	if err != nil || !res.Valid || res.TrustedComment != "tc" {
		t.Fatalf("%v %+v", err, res)
	}
}

func blake2bSum(b []byte) []byte {
	s := blake2b.Sum512(b)
	return s[:]
}
