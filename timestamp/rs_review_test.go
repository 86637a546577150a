package timestamp

// Probes of a security review of RFC 3161 tokens (rs): what a token signed by a trusted TSA
// may still not be trusted for. Each test pins a behaviour no other test pins.

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// opensslToken has `openssl ts -reply` answer a request over data, as a TSA configured with
// signerDigest (sha1, sha256, ...) signs it, and returns the token as ParseResponse reads it.
func opensslToken(t *testing.T, p *testPKI, signerDigest string, data []byte) *Token {
	t.Helper()
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	writePEM(t, filepath.Join(dir, "tsa.pem"), p.tsa)
	writeKey(t, filepath.Join(dir, "tsa.key"), p.tsaKey)
	conf := "[ tsa ]\ndefault_tsa = c\n[ c ]\nserial = " + filepath.Join(dir, "serial") +
		"\nsigner_digest = " + signerDigest + "\ndefault_policy = 1.2.3.4.1\ndigests = sha256\ness_cert_id_alg = sha256\n"
	if err := os.WriteFile(filepath.Join(dir, "serial"), []byte("01\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tsa.cnf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	req, err := NewRequest(data, 0)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := req.Marshal()
	if err := os.WriteFile(filepath.Join(dir, "req.tsq"), der, 0o600); err != nil {
		t.Fatal(err)
	}
	testutil.Run(t, openssl, "ts", "-reply", "-config", filepath.Join(dir, "tsa.cnf"), "-queryfile", filepath.Join(dir, "req.tsq"),
		"-inkey", filepath.Join(dir, "tsa.key"), "-signer", filepath.Join(dir, "tsa.pem"), "-out", filepath.Join(dir, "resp.tsr"))
	resp, err := os.ReadFile(filepath.Join(dir, "resp.tsr"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ParseResponse(resp)
	if err != nil {
		t.Fatalf("openssl's %s token: %v", signerDigest, err)
	}
	return tok
}

// A token whose TSA signed it with SHA-1 (signer_digest = sha1: the messageDigest of the
// TSTInfo and the signature over the signed attributes both SHA-1) was accepted by Verify,
// although a SHA-1 message imprint is refused (Covers) and signet refuses SHA-1 in every
// other signature: a collision on the signed attributes or the TSTInfo makes the TSA vouch
// for a time or an imprint it never signed. `openssl ts -verify` accepts it; signet, by its
// policy on SHA-1, must not. The same token signed with SHA-256 is the control.
func TestRSTokenSignedWithSHA1(t *testing.T) {
	p := goodPKI(t)
	data := []byte("the signature value")
	good := opensslToken(t, p, "sha256", data)
	if _, err := good.Verify(nil); err != nil {
		t.Fatalf("control: openssl's SHA-256 token: %v", err)
	}
	weak := opensslToken(t, p, "sha1", data)
	if _, err := weak.Verify(nil); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("a token signed with SHA-1: Verify = %v, want an error wrapping ErrUnsupported", err)
	}
}
