package identity

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

func TestInitOnceThenUnchanged(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "home")
	res, err := Init(Options{Dir: dir, Name: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || len(res.Files) != len(Files()) {
		t.Fatalf("first Init: created=%v files=%d", res.Created, len(res.Files))
	}
	for _, f := range []string{RootKeyFile, InterKeyFile, SignerKeyFile} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, err %v; want 0600", f, fi.Mode().Perm(), err)
		}
	}
	before, _ := os.ReadFile(filepath.Join(dir, SignerKeyFile))

	again, err := Init(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, SignerKeyFile))
	if again.Created || !bytes.Equal(before, after) {
		t.Errorf("second Init changed the identity (created=%v)", again.Created)
	}

	forced, err := Init(Options{Dir: dir, Force: true})
	if err != nil {
		t.Fatal(err)
	}
	after, _ = os.ReadFile(filepath.Join(dir, SignerKeyFile))
	if !forced.Created || bytes.Equal(before, after) {
		t.Errorf("Init with Force did not replace the identity")
	}
}

func TestInitChainVerifiesWithOpenSSL(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	if _, err := Init(Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	id, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(id.Chain) != 2 {
		t.Fatalf("chain has %d certificates, want signer + intermediate", len(id.Chain))
	}
	signer := filepath.Join(dir, SignerCertFile)
	testutil.Run(t, openssl, "verify", "-CAfile", id.RootPath(), "-untrusted", signer, signer)
	// The signer key is the certificate's key.
	pub := testutil.Run(t, openssl, "pkey", "-in", id.KeyPath(), "-pubout")
	certPub := testutil.Run(t, openssl, "x509", "-in", signer, "-noout", "-pubkey")
	if !bytes.Equal(pub, certPub) {
		t.Errorf("signer.key is not the key of signer.pem")
	}
}

func TestLoad(t *testing.T) {
	if _, err := Load(t.TempDir()); !errors.Is(err, ErrNoIdentity) {
		t.Errorf("empty dir: error = %v, want ErrNoIdentity", err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, RootCertFile), []byte("garbage"), 0o644)
	if _, err := Load(dir); err == nil || errors.Is(err, ErrNoIdentity) {
		t.Errorf("partial identity: error = %v, want a real error", err)
	}
}

func TestHome(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"SIGNET_HOME", map[string]string{"SIGNET_HOME": "/s", "XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/s"},
		{"XDG", map[string]string{"XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/x/signet"},
		{"HOME", map[string]string{"HOME": "/h"}, "/h/.config/signet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Home(env(tt.env))
			if err != nil || got != tt.want {
				t.Errorf("Home = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
