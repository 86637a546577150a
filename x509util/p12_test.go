package x509util

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

func TestP12RoundTripWithOpenSSL(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	root, inter, interKey := testCA(t)
	key := issueTestKey(t, "p384")
	leaf := mustIssue(t, IssueRequest{Profile: ProfileClient, Subject: pkix.Name{CommonName: "p12 client"},
		PublicKey: key.Public(), Issuer: inter, IssuerKey: interKey})
	pass := []byte("correct horse")
	t.Setenv("P12_TEST_PASS", string(pass))

	for _, legacy := range []bool{false, true} {
		name := map[bool]string{false: "modern", true: "legacy"}[legacy]
		t.Run("signet writes "+name, func(t *testing.T) {
			der, err := EncodeP12(key, leaf, []*x509.Certificate{inter, root}, pass, P12Options{Legacy: legacy})
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, name+".p12")
			os.WriteFile(p, der, 0o600)
			stdout, errOut, err := testutil.RunErr(openssl, "pkcs12", "-in", p, "-info", "-noout", "-passin", "env:P12_TEST_PASS")
			if err != nil {
				t.Fatalf("openssl pkcs12 -info: %v\n%s", err, errOut)
			}
			info := string(stdout) + string(errOut) // openssl prints the algorithms on stderr
			want := "AES-256-CBC"
			if legacy {
				want = "pbeWithSHA1And3-KeyTripleDES-CBC"
			}
			if !strings.Contains(info, want) {
				t.Errorf("openssl pkcs12 -info does not mention %s:\n%s", want, info)
			}
			got, err := ParseP12(der, func() ([]byte, error) { return []byte(string(pass)), nil })
			if err != nil {
				t.Fatal(err)
			}
			if !got.Certificate.Equal(leaf) || len(got.Chain) != 2 {
				t.Errorf("round trip: leaf equal %v, chain %d", got.Certificate.Equal(leaf), len(got.Chain))
			}
		})
	}

	t.Run("openssl writes", func(t *testing.T) {
		keyPEM := filepath.Join(dir, "k.pem")
		pk, _ := x509.MarshalPKCS8PrivateKey(key)
		writePEM(t, keyPEM, "PRIVATE KEY", pk)
		certPEM := writePEM(t, filepath.Join(dir, "c.pem"), "CERTIFICATE", leaf.Raw)
		chainPEM := writePEM(t, filepath.Join(dir, "chain.pem"), "CERTIFICATE", inter.Raw, root.Raw)
		out := filepath.Join(dir, "openssl.p12")
		testutil.Run(t, openssl, "pkcs12", "-export", "-inkey", keyPEM, "-in", certPEM, "-certfile", chainPEM,
			"-passout", "env:P12_TEST_PASS", "-out", out)
		der, _ := os.ReadFile(out)
		got, err := ParseP12(der, func() ([]byte, error) { return pass, nil })
		if err != nil {
			t.Fatal(err)
		}
		if !got.Certificate.Equal(leaf) || !PublicKeysEqual(got.Key.Public(), key.Public()) || len(got.Chain) != 2 {
			t.Errorf("openssl's p12 read wrongly")
		}
		_, err = ParseP12(der, func() ([]byte, error) { return []byte("wrong"), nil })
		if !errors.Is(err, ErrIncorrectPassphrase) {
			t.Errorf("wrong passphrase: error = %v, want ErrIncorrectPassphrase", err)
		}
	})

	t.Run("key does not match", func(t *testing.T) {
		if _, err := EncodeP12(issueTestKey(t, "p256b"), leaf, nil, pass, P12Options{}); !errors.Is(err, ErrKeyMismatch) {
			t.Errorf("error = %v, want ErrKeyMismatch", err)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		if _, err := ParseP12([]byte("not a p12"), nil); !errors.Is(err, ErrMalformed) {
			t.Errorf("error = %v, want ErrMalformed", err)
		}
	})
}
