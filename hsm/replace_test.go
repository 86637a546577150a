//go:build cgo

package hsm

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestReplaceKeyCertificate: a renewal writes the new certificate beside the old one and only
// then deletes the old one: the key ends with exactly the new certificate under its label and
// CKA_ID; the same certificate again changes nothing; a leftover certificate of the same key
// (an interrupted renewal) goes too; one of another key under the label is refused
// (ErrExists) and the token left as it was.
func TestReplaceKeyCertificate(t *testing.T) {
	tt := mustSoftHSM(t, "renew")
	tt.tool("--token-label", "renew", "--login", "--pin", "env:SIGNET_TEST_PIN",
		"--keypairgen", "--key-type", "EC:prime256v1", "--label", "client", "--id", "01")
	tok := mustOpen(t, tt.uri(""), tt.opts(testPIN))
	ku := mustParse(t, "pkcs11:object=client")
	s, err := tok.Signer(ku)
	if err != nil {
		t.Fatal(err)
	}
	first, second, third := selfSigned(t, s, "first"), selfSigned(t, s, "second"), selfSigned(t, s, "third")
	if _, err := tok.ImportKeyCertificate(ku, first); err != nil {
		t.Fatal(err)
	}
	certs := func() []Object {
		t.Helper()
		objs, err := tok.Objects(&URI{Type: TypeCert})
		if err != nil {
			t.Fatal(err)
		}
		return objs
	}
	// Without a replacement named, the clash is refused, as before.
	if _, err := tok.ImportKeyCertificate(ku, second); !errors.Is(err, ErrExists) {
		t.Fatalf("a second certificate imported plainly: %v, want ErrExists", err)
	}
	o, err := tok.ReplaceKeyCertificate(ku, first, second)
	if err != nil {
		t.Fatal(err)
	}
	if got := certs(); len(got) != 1 || !got[0].Certificate.Equal(second) || got[0].Label != "client" || string(got[0].ID) != "\x01" {
		t.Fatalf("after the replacement: %d certificate(s), want the new one as client, id 01", len(got))
	}
	if o.Certificate == nil || !o.Certificate.Equal(second) {
		t.Fatalf("ReplaceKeyCertificate returned %+v", o)
	}
	if _, err := tok.ReplaceKeyCertificate(ku, second, second); err != nil {
		t.Fatalf("the same certificate again: %v", err)
	}
	if got := certs(); len(got) != 1 {
		t.Fatalf("the same certificate again: %d certificate(s), want one", len(got))
	}
	// A renewal interrupted between its two steps leaves two certificates of the key under
	// its label and id (written here with pkcs11-tool): the next replacement clears both.
	leftover := filepath.Join(t.TempDir(), "third.der")
	if err := os.WriteFile(leftover, third.Raw, 0o600); err != nil {
		t.Fatal(err)
	}
	tt.tool("--token-label", "renew", "--login", "--pin", "env:SIGNET_TEST_PIN",
		"--write-object", leftover, "--type", "cert", "--label", "client", "--id", "01")
	if got := certs(); len(got) != 2 {
		t.Fatalf("the leftover was not written: %d certificate(s)", len(got))
	}
	fourth := selfSigned(t, s, "fourth")
	if _, err := tok.ReplaceKeyCertificate(ku, second, fourth); err != nil {
		t.Fatalf("a replacement beside a leftover of the same key: %v", err)
	}
	if got := certs(); len(got) != 1 || !got[0].Certificate.Equal(fourth) {
		t.Fatalf("after replacing beside a leftover: %d certificate(s), want the new one only", len(got))
	}
	// A certificate of another key under the label is not the key's to replace: refused, the
	// token unchanged.
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(t.TempDir(), "foreign.der")
	if err := os.WriteFile(foreign, selfSigned(t, other, "foreign").Raw, 0o600); err != nil {
		t.Fatal(err)
	}
	tt.tool("--token-label", "renew", "--login", "--pin", "env:SIGNET_TEST_PIN",
		"--write-object", foreign, "--type", "cert", "--label", "client", "--id", "01")
	if _, err := tok.ReplaceKeyCertificate(ku, fourth, selfSigned(t, s, "fifth")); !errors.Is(err, ErrExists) {
		t.Fatalf("a replacement beside another key's certificate: %v, want ErrExists", err)
	}
	if got := certs(); len(got) != 2 {
		t.Fatalf("a refused replacement changed the token: %d certificate(s), want 2", len(got))
	}
}
