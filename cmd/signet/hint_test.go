package main

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/verify"
)

// TestChainHint: the hint follows the rule that failed, and names --require-crl only when it
// was given.
func TestChainHint(t *testing.T) {
	t.Parallel()
	wrap := func(reason verify.Reason, rule string) error {
		return fmt.Errorf("app: %w", &verify.Error{Reason: reason, Rule: rule, Detail: "x"})
	}
	for _, tc := range []struct {
		err        error
		requireCRL bool
		want, not  string
	}{
		{wrap(verify.UnknownAuthority, "signet.unsupported-algorithm"), false, "cannot verify that signature algorithm", "--intermediates"},
		{wrap(verify.UnknownAuthority, "signet.no-path"), false, "--intermediates FILE", "cannot verify"},
		{wrap(verify.CRLMissing, "rfc5280.crl-scope"), false, "covers the certificate", "--require-crl"},
		{wrap(verify.CRLMissing, "signet.crl-required"), true, "drop --require-crl", ""},
		{wrap(verify.CRLMissing, "signet.crl-required"), false, "--crl FILE", "--require-crl"},
	} {
		got := chainHint(tc.err, tc.requireCRL)
		if !strings.Contains(got, tc.want) || tc.not != "" && strings.Contains(got, tc.not) {
			t.Errorf("%v (require-crl %v): %q", tc.err, tc.requireCRL, got)
		}
	}
}

// TestMinisignForgeableKeyHint: a minisign public key file whose key is of small order (the
// all-zero key) is refused whatever the signature, exit 10, and the hint says the file is not a
// signer's key, where it used to repeat the mismatch hint ("check that the file is the one
// signed..."), which sends the user after the file.
func TestMinisignForgeableKeyHint(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "m.txt")
	if err := os.WriteFile(file, []byte("minisign\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runSignet(t, "", "sign", "-q", "--key", fixturePKI(t, "codesign-ed25519.key"), "-F", "minisign", file); code != 0 {
		t.Fatalf("sign: exit %d: %s", code, errOut)
	}
	sig, err := os.ReadFile(file + ".minisig")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Split(string(sig), "\n")[1])
	if err != nil {
		t.Fatal(err)
	}
	// The signature's algorithm and key id, then the all-zero key: the key id matches, so the
	// key itself is what is refused.
	pub := base64.StdEncoding.EncodeToString(append([]byte("Ed"), append(raw[2:10:10], make([]byte, 32)...)...))
	pubFile := filepath.Join(dir, "zero.pub")
	if err := os.WriteFile(pubFile, []byte("untrusted comment: small order\n"+pub+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runSignet(t, "", "verify", "--key", pubFile, file)
	if code != 10 || !strings.Contains(out, "point of small order") || !strings.Contains(errOut, "not a key a signer generated") || strings.Contains(errOut, "the one signed") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
}
