package sigformat

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/testutil"
)

// fakeToken stands for an RFC 3161 token: this package carries tokens, it does not read them
// (package timestamp does, and package verify checks them).
var fakeToken = []byte{0x30, 0x06, 0x06, 0x04, 0x2a, 0x03, 0x04, 0x05}

// TestCMSTimestampAttribute: the token the Timestamp hook returns for the signature value is
// written as the unsigned attribute id-aa-signatureTimeStampToken, read back by Parse, and the
// signature still verifies with openssl cms -verify.
func TestCMSTimestampAttribute(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	fx := mustFixture(t, "codesign")
	msg := []byte("timestamped\n")
	h := digest.SHA256.New()
	h.Write(msg)
	d := h.Sum(nil)
	var stamped []byte
	out, err := MarshalCMS(d, CMSOptions{Algorithm: digest.SHA256, Certificates: fx.chain[:2], SigningTime: fixedTime,
		Timestamp: func(sig []byte) ([]byte, error) {
			stamped = bytes.Clone(sig)
			return fakeToken, nil
		}},
		func(signed []byte) ([]byte, error) {
			h := digest.SHA256.New()
			h.Write(signed)
			return fx.key.Sign(nil, h.Sum(nil), digest.SHA256.CryptoHash())
		})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Timestamps) != 1 || !bytes.Equal(p.Timestamps[0], fakeToken) {
		t.Fatalf("timestamps %x", p.Timestamps)
	}
	if !bytes.Equal(stamped, p.Raw) {
		t.Fatal("the hook was not given the signature value")
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "msg"), msg)
	writeFile(t, filepath.Join(dir, "msg.p7s"), out)
	testutil.Run(t, openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", filepath.Join(dir, "msg.p7s"),
		"-content", filepath.Join(dir, "msg"), "-CAfile", filepath.Join(pkiDir, "root-ca.pem"), "-purpose", "any", "-out", os.DevNull)
	// openssl's printout shows the attribute where RFC 3161 appendix A puts it.
	pr := testutil.Run(t, openssl, "cms", "-cmsout", "-print", "-inform", "DER", "-in", filepath.Join(dir, "msg.p7s"))
	if !bytes.Contains(pr, []byte("id-smime-aa-timeStampToken")) {
		t.Errorf("openssl does not see the timestamp attribute:\n%s", pr)
	}
}

// TestBundleTimestamps: tokens given to MarshalBundle come back from Parse.
func TestBundleTimestamps(t *testing.T) {
	fx := mustFixture(t, "codesign")
	d, _ := mustSign(t, fx.key, []byte("x"), sigOptions{format: Bundle, chain: fx.chain[:1]})
	out, err := MarshalBundle(BundleContent{Algorithm: digest.SHA256, Digest: d, Signature: []byte{1, 2, 3}, Certificates: fx.chain[:1],
		Timestamps: [][]byte{fakeToken, fakeToken[:2]}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte(`"rfc3161Timestamps"`)) {
		t.Fatalf("no rfc3161Timestamps in\n%s", out)
	}
	p, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	// Each token is written inside a granted TimeStampResponse, as the Sigstore
	// specification's RFC3161SignedTimestamp says.
	want := func(tok []byte) []byte {
		return append([]byte{0x30, byte(5 + len(tok)), 0x30, 0x03, 0x02, 0x01, 0x00}, tok...)
	}
	if len(p.Timestamps) != 2 || !bytes.Equal(p.Timestamps[0], want(fakeToken)) || !bytes.Equal(p.Timestamps[1], want(fakeToken[:2])) {
		t.Fatalf("timestamps %x", p.Timestamps)
	}
}
