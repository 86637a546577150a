package x509util

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// Probes of the security review (rh): each pins a behaviour no other test pins.

// p12TamperMAC returns der with the first byte of its MAC value flipped: a file whose content
// is intact but whose MAC no password verifies, as a damaged or altered file is.
func p12TamperMAC(t testing.TB, der []byte) []byte {
	t.Helper()
	var pfx struct {
		Version  int
		AuthSafe asn1.RawValue
		MacData  struct {
			Mac struct {
				Algorithm pkix.AlgorithmIdentifier
				Digest    []byte
			}
			MacSalt    []byte
			Iterations int `asn1:"optional,default:1"`
		}
	}
	if rest, err := asn1.Unmarshal(der, &pfx); err != nil || len(rest) > 0 {
		t.Fatalf("PFX: %v", err)
	}
	pfx.MacData.Mac.Digest[0] ^= 1
	out, err := asn1.Marshal(pfx)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestP12MACFailureIsNotWrongPassphrase: a PKCS#12 file whose MAC fails with the right
// passphrase (the file was damaged or altered) is reported as such (ErrMalformed), not as a
// wrong passphrase, which sent the user looking for another passphrase; a wrong passphrase is
// still ErrIncorrectPassphrase, on an intact file and on an altered one alike, so the
// distinction tells nothing to someone who does not know the passphrase. Files from signet
// (modern and legacy) and from openssl pkcs12 -export (its defaults, and with the
// certificates unencrypted, so that only the key's encryption can tell) are tried.
func TestP12MACFailureIsNotWrongPassphrase(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	root, inter, interKey := testCA(t)
	key := issueTestKey(t, "p256")
	leaf := mustIssue(t, IssueRequest{Profile: ProfileClient, Subject: pkix.Name{CommonName: "p12 mac"},
		PublicKey: key.Public(), Issuer: inter, IssuerKey: interKey})
	const pass = "correct horse"
	files := map[string][]byte{}
	for name, legacy := range map[string]bool{"signet modern": false, "signet legacy": true} {
		der, err := EncodeP12(key, leaf, []*x509.Certificate{inter, root}, []byte(pass), P12Options{Legacy: legacy})
		if err != nil {
			t.Fatal(err)
		}
		files[name] = der
	}
	dir := t.TempDir()
	keyPEM, err := MarshalPrivateKey(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	keyFile, certFile := filepath.Join(dir, "k.pem"), filepath.Join(dir, "c.pem")
	os.WriteFile(keyFile, keyPEM, 0o600)
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw}), 0o600)
	t.Setenv("P12_TEST_PASS", pass)
	for name, extra := range map[string][]string{"openssl": nil, "openssl certpbe NONE": {"-certpbe", "NONE"}} {
		out := filepath.Join(dir, "o.p12")
		args := append([]string{"pkcs12", "-export", "-inkey", keyFile, "-in", certFile, "-passout", "env:P12_TEST_PASS", "-out", out}, extra...)
		testutil.Cmd{}.Run(t, openssl, args...)
		der, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = der
	}
	pw := func(s string) func() ([]byte, error) { return func() ([]byte, error) { return []byte(s), nil } }
	for name, der := range files {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseP12(der, pw(pass)); err != nil {
				t.Fatalf("intact file, right passphrase: %v", err)
			}
			if _, err := ParseP12(der, pw("wrong")); !errors.Is(err, ErrIncorrectPassphrase) {
				t.Errorf("intact file, wrong passphrase: %v", err)
			}
			bad := p12TamperMAC(t, der)
			_, err := ParseP12(bad, pw(pass))
			if !errors.Is(err, ErrMalformed) || errors.Is(err, ErrIncorrectPassphrase) {
				t.Errorf("altered file, right passphrase: %v; want ErrMalformed (the MAC), not a wrong passphrase", err)
			}
			t.Log(err)
			if _, err := ParseP12(bad, pw("wrong")); !errors.Is(err, ErrIncorrectPassphrase) {
				t.Errorf("altered file, wrong passphrase: %v", err)
			}
		})
	}
}

// FuzzParseP12: ParseP12, which now walks a file whose MAC failed a second time to tell a
// damaged file from a wrong passphrase (p12PassphraseOpens), never panics, and every error
// wraps one of x509util's sentinels. Seeds: signet's files, one with its MAC altered, and
// the hostile files of the iteration-bound tests.
func FuzzParseP12(f *testing.F) {
	key := issueTestKey(f, "p256")
	leaf := mustIssue(f, IssueRequest{Profile: ProfileRootCA, Subject: pkix.Name{CommonName: "fuzz"}, PublicKey: key.Public(), IssuerKey: key})
	for _, legacy := range []bool{false, true} {
		der, err := EncodeP12(key, leaf, nil, []byte("pw"), P12Options{Legacy: legacy})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
		f.Add(p12TamperMAC(f, der))
	}
	f.Add(p12Hostile(f, p12TestPBES2(f, 2048), false, 2048, true))
	f.Add(p12HiddenKey(f, "pw", 2048))
	f.Fuzz(func(t *testing.T, der []byte) {
		_, err := ParseP12(der, func() ([]byte, error) { return []byte("pw"), nil })
		if err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupported) &&
			!errors.Is(err, ErrIncorrectPassphrase) && !errors.Is(err, ErrKeyMismatch) {
			t.Fatalf("error without a sentinel: %v", err)
		}
	})
}

// TestP12NoPasswordMACFailure: a PKCS#12 file without a password (the empty one) whose MAC
// fails is reported as damaged (ErrMalformed) without asking for a passphrase: the empty
// password decrypts its contents, so no passphrase the user could type would be the right
// one. Before, the user was prompted, and then told the passphrase was wrong.
func TestP12NoPasswordMACFailure(t *testing.T) {
	key := issueTestKey(t, "p256")
	leaf := mustIssue(t, IssueRequest{Profile: ProfileRootCA, Subject: pkix.Name{CommonName: "no password"}, PublicKey: key.Public(), IssuerKey: key})
	der, err := EncodeP12(key, leaf, nil, nil, P12Options{NoPassphrase: true})
	if err != nil {
		t.Fatal(err)
	}
	asked := 0
	ask := func() ([]byte, error) { asked++; return []byte("a guess"), nil }
	if _, err := ParseP12(der, ask); err != nil || asked != 0 {
		t.Fatalf("intact file without a password: %v, asked %d times", err, asked)
	}
	_, err = ParseP12(p12TamperMAC(t, der), ask)
	if !errors.Is(err, ErrMalformed) || asked != 0 {
		t.Errorf("altered file without a password: %v, asked %d times; want ErrMalformed, never asked", err, asked)
	}
	t.Log(err)
}
