package verify_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/verify"
)

// rewriteDER re-encodes der with the element at path (child indexes from the top: path[0]
// among the top-level elements, path[1] among its children, ...) replaced by edit's result,
// every enclosing length adjusted.
func rewriteDER(t testing.TB, der []byte, path []int, edit func([]byte) []byte) []byte {
	t.Helper()
	in := cryptobyte.String(der)
	b := cryptobyte.NewBuilder(nil)
	for i := 0; !in.Empty(); i++ {
		var elem cryptobyte.String
		var tag cbasn1.Tag
		if !in.ReadAnyASN1Element(&elem, &tag) {
			t.Fatal("bad DER")
		}
		switch {
		case i != path[0]:
			b.AddBytes(elem)
		case len(path) == 1:
			b.AddBytes(edit(elem))
		default:
			var content cryptobyte.String
			elem.ReadAnyASN1(&content, &tag)
			inner := rewriteDER(t, content, path[1:], edit)
			b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes(inner) })
		}
	}
	return b.BytesOrPanic()
}

// signerInfo is the path of the element i of the SignerInfo of a CMS with certificates and
// signed attributes (ContentInfo, [0], SignedData, signerInfos, SignerInfo): 1 is the signer
// identifier, 4 the signatureAlgorithm.
func signerInfo(i ...int) []int { return append([]int{0, 1, 0, 4, 0}, i...) }

func replaceWith(der []byte) func([]byte) []byte { return func([]byte) []byte { return der } }

// openssl's CMS, with one element rewritten: what a verifier must refuse, next to the original
// it accepts. (Issue 10: ecdsa-with-SHA1 beside a SHA-256 digestAlgorithm verified, and a
// signer identifier matching no carried certificate fell back to whichever verified.)
func TestVerifyArtifactCMSConsistency(t *testing.T) {
	testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	art := writeFile(t, dir, "art.tar.gz", "release contents\n")
	ctx := context.Background()
	der := func(signer string, extra ...string) []byte {
		opensslCMS(t, art, signer, extra...)
		b, err := os.ReadFile(art + "." + signer + ".p7s")
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ec, pss := der("codesign", "-nosmimecap"), der("codesign-rsa", "-nosmimecap", "-keyopt", "rsa_padding_mode:pss")
	flipLastByte := func(e []byte) []byte {
		out := append([]byte(nil), e...)
		out[len(out)-1] ^= 1
		return out
	}
	var (
		ecdsaWithSHA1 = []byte{0x30, 0x09, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01}
		sha256WithRSA = []byte{0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00}
		pssNoParams   = []byte{0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a}
		salt20        = []byte{0xa2, 0x03, 0x02, 0x01, 0x14}
	)

	tests := []struct {
		name   string
		der    []byte
		key    string // a bare key instead of the policy
		want   error
		reason string
		detail string
	}{
		{name: "EC as openssl made it", der: ec},
		{name: "RSA-PSS as openssl made it", der: pss},
		{name: "ecdsa-with-SHA1 beside SHA-256", der: rewriteDER(t, ec, signerInfo(4), replaceWith(ecdsaWithSHA1)),
			want: sigformat.ErrMalformedSignature, reason: verify.ReasonUnchecked, detail: "signatureAlgorithm ECDSA-SHA1 names SHA-1, but the digestAlgorithm is SHA-256"},
		{name: "an RSA algorithm for an EC key", der: rewriteDER(t, ec, signerInfo(4), replaceWith(sha256WithRSA)),
			want: sigformat.ErrMalformedSignature, reason: verify.ReasonUnchecked, detail: "the CMS signatureAlgorithm is for RSA keys, but the signer's key is ec-p256"},
		{name: "an RSA algorithm for an EC key, bare key", der: rewriteDER(t, ec, signerInfo(4), replaceWith(sha256WithRSA)), key: "codesign.pem",
			want: sigformat.ErrMalformedSignature, detail: "is for RSA keys"},
		{name: "RSASSA-PSS without parameters", der: rewriteDER(t, pss, signerInfo(4), replaceWith(pssNoParams)),
			want: sigformat.ErrMalformedSignature, detail: "RSASSA-PSS without its parameters"},
		{name: "RSASSA-PSS naming another salt length", der: rewriteDER(t, pss, signerInfo(4, 1, 2), replaceWith(salt20)),
			want: verify.ErrSignatureMismatch, reason: verify.ReasonSignatureMismatch},
		{name: "signer identifier matching no certificate", der: rewriteDER(t, ec, signerInfo(1), flipLastByte),
			want: verify.ErrSignerNotFound, reason: verify.ReasonSignerNotFound, detail: "the CMS signer identifier names none of the 2 certificate(s) the signature carries"},
		{name: "signer identifier matching no certificate, bare key", der: rewriteDER(t, ec, signerInfo(1), flipLastByte), key: "codesign.pem"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sigPath := filepath.Join(t.TempDir(), "art.p7s")
			if err := os.WriteFile(sigPath, tc.der, 0o644); err != nil {
				t.Fatal(err)
			}
			var opts verify.ArtifactOptions
			if tc.key != "" {
				opts.Key = mustCerts(t, tc.key)[0].PublicKey
			} else {
				opts.Policy = codeSigning(t)
			}
			res, err := verify.VerifyArtifact(ctx, verify.Artifact{Name: art, SignatureName: sigPath}, opts)
			if res == nil {
				t.Fatalf("no result: %v", err)
			}
			if tc.want == nil {
				if err != nil || !res.Valid {
					t.Fatalf("got %v, want valid", err)
				}
				return
			}
			if !errors.Is(err, tc.want) || res.Valid {
				t.Fatalf("got %v (valid %v), want %v", err, res.Valid, tc.want)
			}
			if tc.reason != "" && res.Reason != tc.reason {
				t.Errorf("reason %q, want %q", res.Reason, tc.reason)
			}
			if !strings.Contains(res.Error, tc.detail) {
				t.Errorf("error %q, want it to contain %q", res.Error, tc.detail)
			}
		})
	}
}
