package hsm

import (
	"errors"
	"testing"
)

// TestReplaceKeyCertificate: a renewal writes the new certificate beside the old one and only
// then deletes the old one: the key ends with exactly the new certificate under its label and
// CKA_ID; a replacement that cannot be made (the certificate named as the old one is not on
// the token) leaves the token as it was; the same certificate again changes nothing.
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
	// Named as replacing a certificate that is not the token's: refused, the token unchanged.
	if _, err := tok.ReplaceKeyCertificate(ku, third, second); !errors.Is(err, ErrExists) {
		t.Fatalf("a replacement of a certificate the token does not hold: %v, want ErrExists", err)
	}
	if got := certs(); len(got) != 1 || !got[0].Certificate.Equal(first) {
		t.Fatalf("a refused replacement changed the token: %d certificate(s)", len(got))
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
}
