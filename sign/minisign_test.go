package sign

import (
	"crypto"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/sigformat"
)

// TestMinisignVerifiedByMinisign: SignFiles writes FILE.minisig for many files, each of which
// the real minisign -V accepts with the public key file signet writes, with minisign 0.11's
// default trusted comment (timestamp, the file's base name, "hashed") or the one given.
func TestMinisignVerifiedByMinisign(t *testing.T) {
	minisign := testutil.RequireTool(t, "minisign")
	key := testutil.Key(t, "ed25519")
	dir := t.TempDir()
	pubFile := filepath.Join(dir, "signet.pub")
	if err := os.WriteFile(pubFile, sigformat.MarshalMinisignPublicKey(key.Public().(ed25519.PublicKey)), 0o644); err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1796400000, 0)
	for _, comment := range []string{"", "release 1.0\tready ✓"} {
		_, names := manyFiles(t, 12)
		s := mustSigner(t, key, SignOptions{Format: sigformat.Minisign, TrustedComment: comment, Now: func() time.Time { return now }})
		receipts, err := SignFiles(t.Context(), s, names, FilesOptions{SignWorkers: 3})
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range receipts {
			if r.Signature != names[i]+".minisig" || r.Format != sigformat.Minisign {
				t.Fatalf("receipt %+v", r)
			}
			want := comment
			if want == "" {
				want = fmt.Sprintf("timestamp:1796400000\tfile:%s\thashed", filepath.Base(names[i]))
			}
			out := testutil.Run(t, minisign, "-V", "-p", pubFile, "-m", names[i])
			if !strings.Contains(string(out), "\nTrusted comment: "+want+"\n") {
				t.Fatalf("minisign -V says:\n%s\nwant the trusted comment %q", out, want)
			}
			data, _ := os.ReadFile(r.Signature)
			if !strings.HasPrefix(string(data), "untrusted comment: signature from signet secret key\n") {
				t.Fatalf("signature file:\n%s", data)
			}
		}
	}
}

// TestMinisignRefused: what a minisign signature cannot be is refused before anything is
// signed, as a usage error (ErrUnsupported).
func TestMinisignRefused(t *testing.T) {
	ed, ec := testutil.Key(t, "ed25519"), testutil.Key(t, "p256")
	fx := mustFixture(t, "codesign-ed25519")
	for name, c := range map[string]struct {
		key  crypto.Signer
		opts SignOptions
		want string
	}{
		"ecdsa":           {ec, SignOptions{Format: sigformat.Minisign}, "a minisign signature is Ed25519, and the key is ECDSA"},
		"hash":            {ed, SignOptions{Format: sigformat.Minisign, Algorithm: digest.SHA512}, "BLAKE2b-512, not sha512"},
		"certificate":     {ed, SignOptions{Format: sigformat.Minisign, Certificates: fx.chain}, "carries no certificate"},
		"timestamp":       {ed, SignOptions{Format: sigformat.Minisign, Timestamp: func([]byte) ([]byte, error) { return nil, nil }}, "RFC 3161"},
		"two lines":       {ed, SignOptions{Format: sigformat.Minisign, TrustedComment: "a\nb"}, "one line"},
		"too long":        {ed, SignOptions{Format: sigformat.Minisign, TrustedComment: strings.Repeat("x", 8174)}, "longer than the 8173"},
		"comment for raw": {ed, SignOptions{TrustedComment: "x"}, "for minisign signatures only"},
	} {
		_, err := NewSigner(c.key, c.opts)
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
		if name != "ecdsa" {
			if err := CheckOptions(c.opts); !errors.Is(err, ErrUnsupported) {
				t.Errorf("%s: CheckOptions %v", name, err)
			}
		}
	}
	// A digest is not a message: minisign signs the file's BLAKE2b-512 digest, which signet
	// does not take from elsewhere.
	s := mustSigner(t, ed, SignOptions{Format: sigformat.Minisign})
	if _, err := s.SignDigest(make([]byte, 32)); !errors.Is(err, ErrUnsupported) {
		t.Errorf("SignDigest: %v", err)
	}
}
