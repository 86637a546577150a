package sigformat

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/internal/testutil"
)

// withDigestAlgorithms returns the CMS der with SignedData.digestAlgorithms replaced by set
// (the SET's content).
func withDigestAlgorithms(t *testing.T, der, set []byte) []byte {
	t.Helper()
	in := cryptobyte.String(der)
	var ci, content, sd, version, algs cryptobyte.String
	var oid cryptobyte.String
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) || !ci.ReadASN1Element(&oid, cbasn1.OBJECT_IDENTIFIER) ||
		!ci.ReadASN1(&content, cbasn1.Tag(0).Constructed().ContextSpecific()) || !content.ReadASN1(&sd, cbasn1.SEQUENCE) ||
		!sd.ReadASN1Element(&version, cbasn1.INTEGER) || !sd.ReadASN1(&algs, cbasn1.SET) {
		t.Fatal("not a SignedData")
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(oid)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddBytes(version)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(set) })
				b.AddBytes(sd)
			})
		})
	})
	return b.BytesOrPanic()
}

// TestCMSDigestAlgorithmsListSigner (the CMS campaign's digest-algs tampering): a SignedData whose
// digestAlgorithms do not name the SignerInfo's digestAlgorithm parsed, and verified, where
// openssl cms -verify refuses it ("no matching digest"): RFC 5652 5.1 has the collection list
// the digest algorithms of all the signers. It is malformed now; the same signature with
// SHA-1 beside SHA-256 in the collection, or the hash twice, still parses.
func TestCMSDigestAlgorithmsListSigner(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	msg := writeFile(t, filepath.Join(dir, "msg"), []byte("signed by openssl\n"))
	sig := filepath.Join(dir, "msg.p7s")
	testutil.Run(t, openssl, "cms", "-sign", "-binary", "-outform", "DER", "-in", msg, "-md", "sha256",
		"-signer", filepath.Join(pkiDir, "codesign.pem"), "-inkey", filepath.Join(pkiDir, "codesign.key"), "-out", sig)
	der, err := os.ReadFile(sig)
	if err != nil {
		t.Fatal(err)
	}
	var (
		sha1       = []byte{0x30, 0x07, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a}
		sha256     = []byte{0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01}
		sha384     = []byte{0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02}
		sha256Null = []byte{0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00}
		unknown    = []byte{0x30, 0x05, 0x06, 0x03, 0x2a, 0x03, 0x04}
	)
	cat := func(bs ...[]byte) []byte { return bytes.Join(bs, nil) }
	for _, tc := range []struct {
		name string
		set  []byte
		ok   bool
	}{
		{"as openssl wrote it", sha256, true},
		{"with parameters NULL", sha256Null, true},
		{"SHA-1 beside SHA-256", cat(sha1, sha256), true},
		{"with an unknown algorithm beside", cat(sha256, unknown), true},
		{"SHA-1 alone", sha1, false},
		{"SHA-384 alone", sha384, false},
		{"an unknown algorithm alone", unknown, false},
		{"empty", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(withDigestAlgorithms(t, der, tc.set))
			switch {
			case tc.ok && err != nil:
				t.Fatalf("refused: %v", err)
			case !tc.ok && !errors.Is(err, ErrMalformedSignature):
				t.Fatalf("got %v, want ErrMalformedSignature", err)
			case !tc.ok && !strings.Contains(err.Error(), "digestAlgorithms"):
				t.Fatalf("error %q does not say what is wrong", err)
			}
		})
	}
}
