package verify_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// TestVerifyArtifactCMSNoCerts: a CMS signature that carries no certificate (`openssl cms
// -sign -nocerts`) is checked with the signer's certificate taken from the intermediates,
// the one its signer identifier names (issuer and serial, or with -keyid the subject key
// identifier); its chain is then checked as usual. Another certificate of the same CA is
// never taken in its place.
func TestVerifyArtifactCMSNoCerts(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	art := writeFile(t, dir, "art.tar.gz", "release contents\n")
	sign := func(name string, extra ...string) string {
		out := filepath.Join(dir, name+".p7s")
		args := append([]string{"cms", "-sign", "-binary", "-outform", "DER", "-nocerts", "-in", art,
			"-signer", filepath.Join(pki, "codesign.pem"), "-inkey", filepath.Join(pki, "codesign.key"), "-out", out}, extra...)
		testutil.Run(t, openssl, args...)
		return out
	}
	bare, keyid := sign("bare"), sign("keyid", "-keyid")
	withInt := sign("with-int", "-certfile", filepath.Join(pki, "int-ca.pem"))

	tests := []struct {
		name   string
		sig    string
		inters []string
		file   string // the artifact, when not art
		want   error
		detail string
	}{
		{name: "signer among the intermediates", sig: bare, inters: []string{"int-ca.pem", "codesign.pem"}},
		{name: "signer by subject key identifier", sig: keyid, inters: []string{"codesign.pem", "int-ca.pem"}},
		{name: "the carried intermediate completes the chain", sig: withInt, inters: []string{"codesign.pem"}},
		{name: "no intermediates", sig: bare, want: verify.ErrSignerNotFound, detail: "carries no certificate (openssl cms -sign -nocerts), and no intermediates were given: the signer"},
		{name: "the signer is not among them", sig: bare, inters: []string{"int-ca.pem"}, want: verify.ErrSignerNotFound, detail: "nor among the 1 intermediate(s) given"},
		{name: "another certificate of the same CA", sig: bare, inters: []string{"int-ca.pem", "codesign-rsa.pem"}, want: verify.ErrSignerNotFound},
		{name: "another certificate of the same CA, by key identifier", sig: keyid, inters: []string{"int-ca.pem", "codesign-rsa.pem"}, want: verify.ErrSignerNotFound},
		{name: "no chain without the intermediate CA", sig: bare, inters: []string{"codesign.pem"}, want: verify.UnknownAuthority},
		{name: "the file changed", sig: bare, inters: []string{"int-ca.pem", "codesign.pem"}, file: writeFile(t, dir, "changed.tar.gz", "other contents\n"), want: verify.ErrSignatureMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := codeSigning(t)
			p.Intermediates = mustCerts(t, tc.inters...)
			file := art
			if tc.file != "" {
				file = tc.file
			}
			res, err := verify.VerifyArtifact(context.Background(), verify.Artifact{Name: file, SignatureName: tc.sig}, verify.ArtifactOptions{Policy: p})
			if res == nil {
				t.Fatalf("no result: %v", err)
			}
			if tc.want == nil {
				if err != nil || !res.Valid {
					t.Fatalf("got %v, want valid", err)
				}
				if want := x509util.CertificateFingerprint(mustCerts(t, "codesign.pem")[0]); res.Signer == nil || res.Signer.SHA256 != want {
					t.Errorf("signer %+v, want codesign.pem (%s)", res.Signer, want)
				}
				return
			}
			if !errors.Is(err, tc.want) || res.Valid {
				t.Fatalf("got %v (valid %v), want %v", err, res.Valid, tc.want)
			}
			if !strings.Contains(res.Error, tc.detail) {
				t.Errorf("error %q, want it to contain %q", res.Error, tc.detail)
			}
		})
	}
	// Without the signature's help the signer was never found: the file above is what openssl
	// made, with no certificate in it.
	if b, _ := os.ReadFile(bare); len(b) > 2000 {
		t.Fatalf("the -nocerts signature is %d bytes: it seems to carry certificates", len(b))
	}
}
