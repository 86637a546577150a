//go:build cgo

package hsm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/signet-pki/signet/internal/testutil"
)

// signCase is one way of signing with a key, and how Go and openssl check the result.
type signCase struct {
	name string
	hash crypto.Hash // 0: Ed25519 over the message
	opts crypto.SignerOpts
	// saltLen is the PSS salt length openssl must be told (0: not PSS).
	saltLen int
}

func casesFor(pub crypto.PublicKey) []signCase {
	switch pub.(type) {
	case *rsa.PublicKey:
		return []signCase{
			{"pkcs1v15-sha256", crypto.SHA256, crypto.SHA256, 0},
			{"pkcs1v15-sha384", crypto.SHA384, crypto.SHA384, 0},
			{"pkcs1v15-sha512", crypto.SHA512, crypto.SHA512, 0},
			{"pss-sha256-equalshash", crypto.SHA256, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}, 32},
			{"pss-sha256-auto", crypto.SHA256, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto, Hash: crypto.SHA256}, 32},
			{"pss-sha512-salt20", crypto.SHA512, &rsa.PSSOptions{SaltLength: 20, Hash: crypto.SHA512}, 20},
		}
	case *ecdsa.PublicKey:
		return []signCase{
			{"sha256", crypto.SHA256, crypto.SHA256, 0},
			{"sha384", crypto.SHA384, crypto.SHA384, 0},
			{"sha512", crypto.SHA512, crypto.SHA512, 0},
		}
	case ed25519.PublicKey:
		return []signCase{{"pure", 0, crypto.Hash(0), 0}}
	}
	return nil
}

// verifyGo checks a signature with Go's crypto.
func verifyGo(t *testing.T, pub crypto.PublicKey, c signCase, msg, digest, sig []byte) {
	t.Helper()
	var ok bool
	var err error
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if pss, isPSS := c.opts.(*rsa.PSSOptions); isPSS {
			err = rsa.VerifyPSS(k, c.hash, digest, sig, &rsa.PSSOptions{SaltLength: c.saltLen, Hash: pss.Hash})
		} else {
			err = rsa.VerifyPKCS1v15(k, c.hash, digest, sig)
		}
		ok = err == nil
	case *ecdsa.PublicKey:
		ok = ecdsa.VerifyASN1(k, digest, sig)
	case ed25519.PublicKey:
		ok = ed25519.Verify(k, msg, sig)
	}
	if !ok {
		t.Errorf("Go does not verify the signature: %v", err)
	}
}

// verifyOpenSSL checks a signature with openssl, given the public key the Signer reported.
func verifyOpenSSL(t *testing.T, pub crypto.PublicKey, c signCase, msg, sig []byte) {
	t.Helper()
	dir := t.TempDir()
	pubPath := writePublicPEM(t, dir, pub)
	msgPath := filepath.Join(dir, "msg")
	sigPath := filepath.Join(dir, "sig")
	if err := os.WriteFile(msgPath, msg, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sigPath, sig, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok := pub.(ed25519.PublicKey); ok {
		run(t, nil, "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pubPath, "-rawin", "-in", msgPath, "-sigfile", sigPath)
		return
	}
	args := []string{"dgst", "-" + map[crypto.Hash]string{crypto.SHA256: "sha256", crypto.SHA384: "sha384", crypto.SHA512: "sha512"}[c.hash]}
	if c.saltLen != 0 {
		args = append(args, "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:"+strconv.Itoa(c.saltLen))
	}
	args = append(args, "-verify", pubPath, "-signature", sigPath, msgPath)
	run(t, nil, "openssl", args...)
}

func digestOf(h crypto.Hash, msg []byte) []byte {
	switch h {
	case crypto.SHA256:
		d := sha256.Sum256(msg)
		return d[:]
	case crypto.SHA384:
		d := sha512.Sum384(msg)
		return d[:]
	case crypto.SHA512:
		d := sha512.Sum512(msg)
		return d[:]
	}
	return msg
}

// TestSignPeerKeys signs with keys pkcs11-tool generated, in every scheme signet uses, and
// checks each signature with Go and with openssl against the public key the Signer read.
func TestSignPeerKeys(t *testing.T) {
	tt := mustSoftHSM(t, "peer")
	testutil.RequireTool(t, "openssl")
	keys := []struct{ keyType, id, label string }{
		{"rsa:2048", "01", "rsa2048"},
		{"EC:prime256v1", "02", "p256"},
		{"EC:secp384r1", "03", "p384"},
		{"EC:edwards25519", "04", "ed25519"},
	}
	for _, k := range keys {
		tt.tool("--token-label", "peer", "--login", "--pin", "env:SIGNET_TEST_PIN", "--keypairgen", "--key-type", k.keyType, "--id", k.id, "--label", k.label)
	}
	msg := []byte("signet signs this message\n")
	for _, k := range keys {
		t.Run(k.label, func(t *testing.T) {
			s, err := OpenSigner(tt.uri("object="+k.label+";id=%"+k.id), tt.opts(testPIN))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := s.Object().Label; got != k.label {
				t.Errorf("Object().Label = %q", got)
			}
			pub := s.Public()
			for _, c := range casesFor(pub) {
				t.Run(c.name, func(t *testing.T) {
					digest := digestOf(c.hash, msg)
					sig, err := s.Sign(nil, digest, c.opts)
					if err != nil {
						t.Fatal(err)
					}
					verifyGo(t, pub, c, msg, digest, sig)
					verifyOpenSSL(t, pub, c, msg, sig)
				})
			}
		})
	}
}

// TestSignerConcurrent signs from several goroutines with one Signer, and with a second
// Signer on the same token that shares the login.
func TestSignerConcurrent(t *testing.T) {
	tt := mustSoftHSM(t, "conc")
	if _, err := GenerateKey(tt.uri("object=k"), ECP256, tt.opts(testPIN)); err != nil {
		t.Fatal(err)
	}
	pinCalls := 0
	opts := tt.opts("")
	opts.PIN = func(TokenInfo) ([]byte, error) { pinCalls++; return []byte(testPIN), nil }
	s1, err := OpenSigner(tt.uri("object=k"), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s1.Close()
	s2, err := OpenSigner(tt.uri("object=k"), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if pinCalls != 1 {
		t.Errorf("the PIN was asked for %d times, want once per process and token", pinCalls)
	}
	digest := digestOf(crypto.SHA256, []byte("concurrent"))
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(s *Signer) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				sig, err := s.Sign(nil, digest, crypto.SHA256)
				if err != nil {
					errs <- err
					return
				}
				if !ecdsa.VerifyASN1(s.Public().(*ecdsa.PublicKey), digest, sig) {
					errs <- errors.New("signature does not verify")
					return
				}
			}
		}([]*Signer{s1, s2}[g%2])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestSignOptionsRefused checks the crypto.Signer contract where it must refuse.
func TestSignOptionsRefused(t *testing.T) {
	tt := mustSoftHSM(t, "opts")
	tok := mustOpen(t, tt.uri(""), tt.opts(testPIN))
	for _, kt := range []KeyType{ECP256, Ed25519, RSA2048} {
		if _, err := tok.GenerateKey(mustParse(t, "pkcs11:object="+string(kt)), kt); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		key    KeyType
		digest []byte
		opts   crypto.SignerOpts
	}{
		{ECP256, make([]byte, 20), crypto.SHA256},              // digest length does not match the hash
		{Ed25519, make([]byte, 32), crypto.SHA256},             // Ed25519 takes no SHA-256 digest
		{Ed25519, make([]byte, 32), crypto.SHA512},             // Ed25519ph of a short digest
		{Ed25519, []byte("m"), &ed25519.Options{Context: "c"}}, // Ed25519ctx
		{RSA2048, make([]byte, 32), crypto.Hash(0)},            // raw RSA
		{RSA2048, make([]byte, 20), crypto.SHA1},               // SHA-1
		{RSA2048, make([]byte, 64), &rsa.PSSOptions{SaltLength: 1000, Hash: crypto.SHA512}},
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("%d-%s", i, c.key), func(t *testing.T) {
			s, err := tok.Signer(mustParse(t, "pkcs11:object="+string(c.key)))
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Sign(nil, c.digest, c.opts)
			if !errors.Is(err, ErrUnsupportedKey) {
				t.Errorf("Sign = %v, want ErrUnsupportedKey", err)
			}
		})
	}
}

// TestEdDSAPhParams: CK_EDDSA_PARAMS{phFlag: CK_TRUE, ulContextDataLen: 0, pContextData:
// NULL} as a module reads it on this platform (a CK_BBOOL, a CK_ULONG, a pointer, naturally
// aligned outside Windows).
func TestEdDSAPhParams(t *testing.T) {
	p := eddsaPhParams()
	want := int(unsafe.Sizeof(struct {
		phFlag byte
		n      uint
		ptr    uintptr
	}{}))
	if len(p) != want || p[0] != 1 || strings.Trim(string(p[1:]), "\x00") != "" {
		t.Fatalf("CK_EDDSA_PARAMS % x, want 01 then %d zero bytes", p, want-1)
	}
}

// TestSignEd25519ph: Ed25519ph asks the token for CKM_EDDSA with CK_EDDSA_PARAMS.phFlag and
// checks what comes back. SoftHSM 2.6.1 takes the parameter and ignores it (it signs the
// digest as a message, pure Ed25519): Sign says so with ErrUnsupportedKey instead of returning
// a signature no verifier accepts; a token that honours the flag gives a valid Ed25519ph
// signature. Pure Ed25519 with the same key still works afterwards.
func TestSignEd25519ph(t *testing.T) {
	tt := mustSoftHSM(t, "ph")
	tok := mustOpen(t, tt.uri(""), tt.opts(testPIN))
	if _, err := tok.GenerateKey(mustParse(t, "pkcs11:object=ed"), Ed25519); err != nil {
		t.Fatal(err)
	}
	s, err := tok.Signer(mustParse(t, "pkcs11:object=ed"))
	if err != nil {
		t.Fatal(err)
	}
	pub := s.Public().(ed25519.PublicKey)
	d := sha512.Sum512([]byte("a release"))
	for _, opts := range []crypto.SignerOpts{crypto.SHA512, &ed25519.Options{Hash: crypto.SHA512}} {
		sig, err := s.Sign(nil, d[:], opts)
		switch {
		case err == nil:
			if err := ed25519.VerifyWithOptions(pub, d[:], sig, &ed25519.Options{Hash: crypto.SHA512}); err != nil {
				t.Fatalf("the token's Ed25519ph signature does not verify: %v", err)
			}
			t.Log("the token makes Ed25519ph")
		case errors.Is(err, ErrUnsupportedKey) && strings.Contains(err.Error(), "phFlag") && strings.Contains(err.Error(), `"ph"`):
			t.Logf("as expected of SoftHSM 2.6.1: %v", err)
		default:
			t.Fatalf("Sign = %v; want an Ed25519ph signature or ErrUnsupportedKey naming the token and phFlag", err)
		}
	}
	sig, err := s.Sign(nil, []byte("a release"), crypto.Hash(0))
	if err != nil || !ed25519.Verify(pub, []byte("a release"), sig) {
		t.Fatalf("pure Ed25519 after Ed25519ph: %v", err)
	}
}

// TestSignerFindsPartners: a key found by the template search gets its public key and
// certificate from the objects that share its CKA_ID, or, for a key pkcs11-tool made without
// an id, its label; other keys and certificates on the token are not taken for them.
func TestSignerFindsPartners(t *testing.T) {
	tt := mustSoftHSM(t, "partners")
	tool := func(args ...string) {
		tt.tool(append([]string{"--token-label", "partners", "--login", "--pin", "env:SIGNET_TEST_PIN"}, args...)...)
	}
	tool("--keypairgen", "--key-type", "EC:prime256v1", "--label", "noid")
	tool("--keypairgen", "--key-type", "EC:prime256v1", "--label", "withid", "--id", "07")
	tool("--keypairgen", "--key-type", "EC:prime256v1", "--label", "decoy", "--id", "08")
	tok := mustOpen(t, tt.uri(""), tt.opts(testPIN))
	withID, err := tok.Signer(mustParse(t, "pkcs11:object=withid"))
	if err != nil {
		t.Fatal(err)
	}
	if withID.Certificate() != nil {
		t.Fatal("a certificate before one was imported")
	}
	cert := selfSigned(t, withID, "withid")
	if _, err := tok.ImportKeyCertificate(mustParse(t, "pkcs11:object=withid"), cert); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		uri      string
		wantCert bool
	}{
		{"pkcs11:object=noid", false},
		{"pkcs11:object=withid", true},
		{"pkcs11:id=%07", true},
		{"pkcs11:object=decoy;id=%08", false},
	} {
		t.Run(tc.uri, func(t *testing.T) {
			s, err := tok.Signer(mustParse(t, tc.uri))
			if err != nil {
				t.Fatal(err)
			}
			if s.Public() == nil {
				t.Fatal("no public key")
			}
			t.Logf("key id %x", s.Object().ID)
			if (s.Certificate() != nil) != tc.wantCert || tc.wantCert && !s.Certificate().Equal(cert) {
				t.Fatalf("certificate %v, want one: %v", s.Certificate() != nil, tc.wantCert)
			}
			d := sha256.Sum256([]byte("partners"))
			sig, err := s.Sign(nil, d[:], crypto.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			if !ecdsa.VerifyASN1(s.Public().(*ecdsa.PublicKey), d[:], sig) {
				t.Fatal("the public key found is not the key's")
			}
		})
	}
}

// selfSigned makes a self-signed certificate for a token key.
func selfSigned(t testing.TB, key crypto.Signer, cn string) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
