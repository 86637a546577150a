//go:build cgo

package keyref

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/hsm"
	"github.com/signet-pki/signet/internal/testutil"
)

// p11toolURLs returns the URIs `p11tool --list-all` prints for a token, by the type they name
// (private, public, cert), exactly as printed.
func p11toolURLs(t *testing.T, h *testutil.SoftHSM, login bool, token string) map[string]string {
	t.Helper()
	args := []string{"--provider", h.Module, "--list-all", token}
	env := []string{h.Env()}
	if login {
		args = append([]string{"--login"}, args...)
		env = append(env, "GNUTLS_PIN="+testutil.SoftHSMPIN)
	}
	out := testutil.Cmd{Env: env}.Run(t, testutil.RequireTool(t, "p11tool"), args...)
	urls := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		u, ok := strings.CutPrefix(strings.TrimSpace(line), "URL: ")
		if !ok {
			continue
		}
		_, typ, _ := strings.Cut(u, ";type=")
		if urls[typ] != "" {
			t.Fatalf("p11tool lists two objects of type %s:\n%s", typ, out)
		}
		urls[typ] = u
	}
	return urls
}

// A key reference that only needs the public half (key pub, key inspect, verify --key, cert
// create --key) takes the URIs p11tool prints for a token's public key and certificate, as
// printed, and reads them without a PIN: public objects need no login. They were refused as
// "a key reference selects a private key".
func TestTokenPublicKeyAndCertificateURIs(t *testing.T) {
	h := testutil.NewSoftHSM(t, "", "my token")
	testutil.Cmd{Env: []string{h.Env(), "SIGNET_TEST_PIN=" + testutil.SoftHSMPIN}}.Run(t, testutil.RequireTool(t, "pkcs11-tool"),
		"--module", h.Module, "--token-label", "my token", "--login", "--pin", "env:SIGNET_TEST_PIN",
		"--keypairgen", "--key-type", "EC:prime256v1", "--id", "0102", "--label", "ec key")
	withPIN := Options{Passphrase: noSource, Token: hsm.Options{Module: h.Module, Getenv: func(k string) string {
		if k == hsm.EnvPIN {
			return testutil.SoftHSMPIN
		}
		return ""
	}}}
	noPIN := Options{Passphrase: noSource, Token: hsm.Options{Module: h.Module, Getenv: func(string) string { return "" }}}

	// A certificate for the key, made with the key on the token and stored beside it.
	priv := p11toolURLs(t, h, true, "pkcs11:token=my%20token")["private"]
	key, err := Open(priv, withPIN)
	if err != nil {
		t.Fatalf("Open(%s): %v", priv, err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "ec key"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	key.Close()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hsm.ImportCertificate(priv, cert, withPIN.Token); err != nil {
		t.Fatal(err)
	}

	urls := p11toolURLs(t, h, false, "pkcs11:token=my%20token")
	if urls["public"] == "" || urls["cert"] == "" || urls["private"] != "" {
		t.Fatalf("p11tool without --login lists %v", urls)
	}
	for typ, u := range urls {
		t.Run(typ, func(t *testing.T) {
			p, err := OpenPublic(u, noPIN)
			if err != nil {
				t.Fatalf("OpenPublic(%s) without a PIN: %v", u, err)
			}
			if !cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(p.Key) || p.Private || p.Encoding != EncodingPKCS11 {
				t.Errorf("OpenPublic(%s) = %+v, want the key's public key, not private", u, p)
			}
			d, err := Describe(u, noPIN)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"public": "public key", "cert": "certificate"}[typ]
			if d.Kind != want || d.Ref != u || d.Encoding != string(EncodingPKCS11) {
				t.Errorf("Describe(%s) = kind %q, ref %q, encoding %q; want %q", u, d.Kind, d.Ref, d.Encoding, want)
			}
			if typ == "cert" && (len(p.Certificates) != 1 || !p.Certificates[0].Equal(cert)) {
				t.Errorf("OpenPublic(%s) gave certificates %v", u, p.Certificates)
			}
			// Signing still needs the private key: the refusal says so and names the type.
			if _, err := Open(u, withPIN); !errors.Is(err, hsm.ErrInvalidURI) || !strings.Contains(err.Error(), "type="+typ) {
				t.Errorf("Open(%s) = %v, want hsm.ErrInvalidURI naming type=%s", u, err, typ)
			}
		})
	}
}
