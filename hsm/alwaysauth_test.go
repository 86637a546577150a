//go:build cgo

package hsm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestAlwaysAuthenticateSigns: a key with CKA_ALWAYS_AUTHENTICATE (a PIN for every signature,
// as on PIV signature keys; pkcs11-tool --always-auth makes one on SoftHSM2, which enforces
// it) signs: each signature logs in to its operation (C_Login with CKU_CONTEXT_SPECIFIC) with
// the PIN from the same source as the token login, read again each time. It was refused as a
// key signet does not support.
func TestAlwaysAuthenticateSigns(t *testing.T) {
	tt := mustSoftHSM(t, "aa")
	tt.tool("--token-label", "aa", "--login", "--pin", "env:SIGNET_TEST_PIN", "--keypairgen",
		"--key-type", "EC:prime256v1", "--id", "07", "--label", "piv", "--always-auth")
	pinFile := filepath.Join(t.TempDir(), "pin")
	if err := os.WriteFile(pinFile, []byte(testPIN+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sources := map[string]struct {
		uri  string
		opts Options
	}{
		"SIGNET_PIN": {tt.uri("object=piv"), tt.opts(testPIN)},
		"pin-source": {tt.uri("object=piv") + "&pin-source=file:" + pinFile, tt.opts("")},
		"pin-value":  {tt.uri("object=piv") + "&pin-value=" + testPIN, tt.opts("")},
	}
	for name, src := range sources {
		t.Run(name, func(t *testing.T) {
			s, err := OpenSigner(src.uri, src.opts)
			if err != nil {
				t.Fatalf("OpenSigner: %v", err)
			}
			defer s.Close()
			// Several signatures, some at once: each one authenticates its own operation.
			var wg sync.WaitGroup
			errs := make([]error, 6)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					d := sha256.Sum256(fmt.Appendf(nil, "message %d", i))
					sig, err := s.Sign(nil, d[:], crypto.SHA256)
					if err == nil && !ecdsa.VerifyASN1(s.Public().(*ecdsa.PublicKey), d[:], sig) {
						err = errors.New("the signature does not verify")
					}
					errs[i] = err
				}()
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
		})
	}

	// At the prompt: asked once for the login, then once per signature. A wrong PIN for a
	// signature fails it, and is never tried again: later signatures fail without asking.
	var asked int
	pins := []string{testPIN, testPIN, "0000"}
	opts := tt.opts("")
	opts.PIN = func(TokenInfo) ([]byte, error) {
		asked++
		if asked > len(pins) {
			t.Error("the PIN was asked for after a wrong one")
			return []byte(testPIN), nil
		}
		return []byte(pins[asked-1]), nil
	}
	var warnings []string
	opts.Warn = func(m string) { warnings = append(warnings, m) }
	s, err := OpenSigner(tt.uri("object=piv"), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d := sha256.Sum256([]byte("prompted"))
	if _, err := s.Sign(nil, d[:], crypto.SHA256); err != nil || asked != 2 {
		t.Fatalf("first signature: %v, asked %d times", err, asked)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "every signature") {
		t.Errorf("warnings %q, want one saying the key asks for the PIN for every signature", warnings)
	}
	_, err = s.Sign(nil, d[:], crypto.SHA256)
	if !errors.Is(err, ErrPIN) || !strings.Contains(err.Error(), "wrong PIN") || strings.Contains(err.Error(), "0000") {
		t.Fatalf("signature with a wrong PIN: %v, want ErrPIN", err)
	}
	t.Log(err)
	if _, err2 := s.Sign(nil, d[:], crypto.SHA256); !errors.Is(err2, ErrPIN) || asked != 3 {
		t.Fatalf("after a wrong PIN: %v, asked %d times; want the same failure, not asked again", err2, asked)
	}
}

// TestAlwaysAuthenticateKeyProved: a certificate is stored beside a key with
// CKA_ALWAYS_AUTHENTICATE only when the key signs a challenge that verifies with the
// certificate's public key, as for any key (the challenge's operation gets its own login).
// Such keys were let through unproved, so a certificate matching the public key object that
// shares the key's CKA_ID, but not the key, was stored.
func TestAlwaysAuthenticateKeyProved(t *testing.T) {
	tt := mustSoftHSM(t, "aa")
	tt.tool("--token-label", "aa", "--login", "--pin", "env:SIGNET_TEST_PIN", "--keypairgen",
		"--key-type", "EC:prime256v1", "--id", "01", "--label", "a", "--always-auth")
	tt.tool("--token-label", "aa", "--login", "--pin", "env:SIGNET_TEST_PIN", "--keypairgen",
		"--key-type", "EC:prime256v1", "--id", "02", "--label", "b")
	tok := mustOpen(t, tt.uri(""), tt.opts(testPIN))
	selfSigned := func(s *Signer) *x509.Certificate {
		t.Helper()
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: s.Object().Label},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, s.Public(), s)
		if err != nil {
			t.Fatal(err)
		}
		return mustCert(t, der)
	}
	sa, err := tok.Signer(mustParse(t, tt.uri("object=a")))
	if err != nil {
		t.Fatal(err)
	}
	// a's own certificate is proved and stored.
	if _, err := tok.ImportKeyCertificate(mustParse(t, tt.uri("object=a")), selfSigned(sa)); err != nil {
		t.Fatalf("a's own certificate: %v", err)
	}
	if _, err := tok.Delete(mustParse(t, tt.uri("object=a;type=cert"))); err != nil {
		t.Fatal(err)
	}
	// b's certificate, once b's public key object claims a's id, is refused.
	sb, err := tok.Signer(mustParse(t, tt.uri("object=b")))
	if err != nil {
		t.Fatal(err)
	}
	certB := selfSigned(sb)
	mustRelabelPublicKey(t, tok, []byte{2}, []byte{1}, "a")
	_, err = tok.ImportKeyCertificate(mustParse(t, tt.uri("object=a;id=%01")), certB)
	if !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("another key's certificate beside an always-authenticate key: %v, want ErrKeyMismatch", err)
	}
	t.Log(err)
}
