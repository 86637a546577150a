package sign

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/x509util"
)

// A careless or hostile library caller: no key, no certificate, no Signer, no context, and
// keys that are not what they claim (a token whose private key object is not the one its
// public key describes) or that fail. Each is an error errors.Is can tell, never a panic,
// and no signature file is written that its own key does not verify.

// mispaired signs with one real key and claims another's public key, as a token whose key
// objects do not belong together does.
type mispaired struct {
	crypto.Signer // signs
	claims        crypto.Signer
}

func (m mispaired) Public() crypto.PublicKey { return m.claims.Public() }

// failing is a key whose every signature fails, as a token pulled out does.
type failing struct{ crypto.Signer }

var errTokenGone = errors.New("the token is gone")

func (failing) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) { return nil, errTokenGone }

func apRecover(t *testing.T) {
	t.Helper()
	if r := recover(); r != nil {
		t.Fatalf("panic: %v", r)
	}
}

func TestAPNewSignerMisuse(t *testing.T) {
	k := testutil.Key(t, "p256")
	tests := []struct {
		name string
		key  crypto.Signer
		opts SignOptions
		want error
	}{
		{name: "nil key", opts: SignOptions{}, want: ErrUnsupported},
		{name: "nil certificate", key: k, opts: SignOptions{Certificates: []*x509.Certificate{nil}}, want: x509util.ErrKeyMismatch},
		{name: "unknown format", key: k, opts: SignOptions{Format: "pgp"}, want: ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer apRecover(t)
			s, err := NewSigner(tc.key, tc.opts)
			if !errors.Is(err, tc.want) || s != nil {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestAPSignMispairedKey(t *testing.T) {
	keys := map[string][2]crypto.Signer{
		"P-256":   {testutil.Key(t, "p256"), testutil.Key(t, "p256/b")},
		"RSA":     {testutil.Key(t, "rsa2048"), testutil.Key(t, "rsa2048/b")},
		"Ed25519": {testutil.Key(t, "ed25519"), testutil.Key(t, "ed25519/b")},
	}
	formats := []sigformat.Format{sigformat.Raw, sigformat.Bundle, sigformat.Minisign}
	for name, pair := range keys {
		for _, f := range formats {
			if f == sigformat.Minisign && name != "Ed25519" {
				continue
			}
			t.Run(name+"/"+string(f), func(t *testing.T) {
				defer apRecover(t)
				dir := t.TempDir()
				file := filepath.Join(dir, "release.tar")
				if err := os.WriteFile(file, []byte("release\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				s, err := NewSigner(mispaired{Signer: pair[0], claims: pair[1]}, SignOptions{Format: f})
				if err != nil {
					t.Fatal(err)
				}
				_, err = SignFiles(context.Background(), s, []string{file}, FilesOptions{})
				if !errors.Is(err, x509util.ErrKeyMismatch) {
					t.Fatalf("got %v, want ErrKeyMismatch", err)
				}
				if ents, _ := os.ReadDir(dir); len(ents) != 1 {
					t.Errorf("a signature was written: %v", ents)
				}
				// The key is not at fault: paired, the same signer signs.
				good, err := NewSigner(pair[0], SignOptions{Format: f})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := SignFiles(context.Background(), good, []string{file}, FilesOptions{}); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
	t.Run("failing key", func(t *testing.T) {
		defer apRecover(t)
		s, err := NewSigner(failing{testutil.Key(t, "p256")}, SignOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SignDigest(make([]byte, 32)); !errors.Is(err, errTokenGone) {
			t.Fatalf("got %v, want the key's error", err)
		}
	})
}

func TestAPSignNilArguments(t *testing.T) {
	defer apRecover(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "release.tar")
	if err := os.WriteFile(file, []byte("release\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(testutil.Key(t, "p256"), SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := SignFiles(context.Background(), nil, []string{file}, FilesOptions{}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("SignFiles without a Signer: %v, want ErrUnsupported", err)
	}
	var nilCtx context.Context // a careless caller's
	if _, err := SignFiles(nilCtx, s, []string{file}, FilesOptions{}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("SignFiles without a context: %v, want ErrUnsupported", err)
	}
	if _, err := SignDigestTo(nil, make([]byte, 32), filepath.Join(dir, "d.sig"), false, nil); !errors.Is(err, ErrUnsupported) {
		t.Errorf("SignDigestTo without a Signer: %v, want ErrUnsupported", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("a signature was written: %v", ents)
	}
}
