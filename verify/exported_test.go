package verify_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"slices"
	"testing"

	"github.com/signet-pki/signet/verify"
)

// TestPolicyListsAreCopies: the lists verify exports are copies, so an importer that changes
// what it got (here: drops SHA-256 from the accepted hashes, SHA-1 in its place) changes
// nothing for anyone. When AcceptedHashes was a variable, the same change made Signature
// refuse every SHA-256 signature in the process, and the opposite one could have weakened it.
func TestPolicyListsAreCopies(t *testing.T) {
	h := verify.AcceptedHashes()
	for i := range h {
		h[i] = crypto.SHA1
	}
	if slices.Contains(verify.AcceptedHashes(), crypto.SHA1) || !slices.Contains(verify.AcceptedHashes(), crypto.SHA256) {
		t.Fatalf("AcceptedHashes changed: %v", verify.AcceptedHashes())
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	d := sha256.Sum256([]byte("x"))
	sig, err := ecdsa.SignASN1(rand.Reader, k, d[:])
	if err != nil {
		t.Fatal(err)
	}
	if err := verify.Signature(k.Public(), d[:], sig, verify.SignatureParams{Hash: crypto.SHA256}); err != nil {
		t.Fatalf("Signature after the change: %v", err)
	}
	if err := verify.Signature(k.Public(), make([]byte, 20), sig, verify.SignatureParams{Hash: crypto.SHA1}); !errors.Is(err, verify.ErrWeakAlgorithm) {
		t.Fatalf("SHA-1 after the change: %v", err)
	}

	for name, list := range map[string]func() []string{"SignatureExtensions": verify.SignatureExtensions, "EKUNames": verify.EKUNames} {
		l := list()
		want := slices.Clone(l)
		l[0] = ".txt"
		if got := list(); !slices.Equal(got, want) {
			t.Errorf("%s changed: %v", name, got)
		}
	}
	p := verify.Profiles()
	p[0] = "none"
	if _, err := verify.ParseProfile("none"); err == nil {
		t.Error("a changed Profiles list made a profile")
	}
	r := verify.Reasons()
	r[0] = "fine"
	if verify.Reasons()[0] == "fine" {
		t.Error("Reasons changed")
	}
}
