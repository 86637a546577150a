//go:build cgo

package hsm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
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
	"strings"
	"testing"
	"time"

	"github.com/miekg/pkcs11"
)

// Probes of the security review (rh): each test pins a behaviour no other test pins.

// mustRelabelPublicKey makes the public key object of the pair with id from belong, by its
// CKA_ID and label, to the pair with id to, whose own public key object is destroyed: the
// token then holds a private key whose advertised public key is another key's, as a token
// written by a careless tool (or an attacker with write access) may.
func mustRelabelPublicKey(t *testing.T, tok *Token, from, to []byte, label string) {
	t.Helper()
	unlock, err := tok.session(true)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx := tok.mod.ctx
	find := func(id []byte) pkcs11.ObjectHandle {
		hs, err := tok.findHandles([]*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PUBLIC_KEY),
			pkcs11.NewAttribute(pkcs11.CKA_ID, id),
		})
		if err != nil || len(hs) != 1 {
			t.Fatalf("public key with id %x: %v handles, %v", id, len(hs), err)
		}
		return hs[0]
	}
	if err := ctx.DestroyObject(tok.sess, find(to)); err != nil {
		t.Fatal(err)
	}
	if err := ctx.SetAttributeValue(tok.sess, find(from), []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_ID, to),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
	}); err != nil {
		t.Fatal(err)
	}
}

// TestSignVerifiesTokenSignature: a signature the token returns is checked against the public
// key signet reports before it is handed out. Here the private key's public key object is
// another key's (a real SoftHSM token, its objects edited with C_SetAttributeValue), so every
// signature the token makes fails to verify with Public(); Sign must refuse it (ErrToken)
// rather than return a signature nobody can verify (and, for RSA, a faulty CRT signature
// that would give away the key's factors).
func TestSignVerifiesTokenSignature(t *testing.T) {
	tt := mustSoftHSM(t, "rh")
	for _, k := range []struct{ id, label string }{{"01", "a"}, {"02", "b"}} {
		tt.tool("--token-label", "rh", "--login", "--pin", "env:SIGNET_TEST_PIN", "--keypairgen",
			"--key-type", "EC:prime256v1", "--id", k.id, "--label", k.label)
	}
	tok := mustOpen(t, tt.uri(""), tt.opts(testPIN))
	mustRelabelPublicKey(t, tok, []byte{2}, []byte{1}, "a")

	s, err := tok.Signer(mustParse(t, tt.uri("object=a;id=%01")))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d := sha256.Sum256([]byte("release.tar"))
	sig, err := s.Sign(nil, d[:], crypto.SHA256)
	if err == nil {
		ok := ecdsa.VerifyASN1(s.Public().(*ecdsa.PublicKey), d[:], sig)
		t.Fatalf("Sign returned a signature (verifies with Public(): %v); want an error", ok)
	}
	t.Log(err)
	if !errors.Is(err, ErrToken) {
		t.Errorf("error %v does not wrap ErrToken", err)
	}
}

// TestPlanVerifies: the check Sign applies to a token's signature accepts the signature of
// the key itself, in each scheme Sign asks tokens for, and refuses another key's. Go's keys
// stand in for the token here; TestSignVerifiesTokenSignature covers the token end to end.
func TestPlanVerifies(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsaOther, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	ecOther, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	_, edOther, _ := ed25519.GenerateKey(rand.Reader)
	d256 := sha256.Sum256([]byte("m"))
	d512 := sha512.Sum512([]byte("m"))
	cases := []struct {
		name       string
		key, other crypto.Signer
		digest     []byte
		opts       crypto.SignerOpts
	}{
		{"rsa-pkcs1v15", rsaKey, rsaOther, d256[:], crypto.SHA256},
		{"rsa-pss", rsaKey, rsaOther, d512[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA512}},
		{"ecdsa", ecKey, ecOther, d256[:], crypto.SHA256},
		{"ed25519", edKey, edOther, []byte("message"), crypto.Hash(0)},
		{"ed25519ph", edKey, edOther, d512[:], &ed25519.Options{Hash: crypto.SHA512}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plan, err := planSignature(c.key.Public(), c.digest, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			sig, err := c.key.Sign(rand.Reader, c.digest, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !plan.verifies(c.key.Public(), sig) {
				t.Error("the key's own signature does not verify")
			}
			other, err := c.other.Sign(rand.Reader, c.digest, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if plan.verifies(c.key.Public(), other) {
				t.Error("another key's signature verifies")
			}
		})
	}
}

// TestWrongPINThenRightPIN: a failed login leaves no state behind in the process. With a
// Token on the same token held open throughout, the module stays initialised (TestWrongPIN
// reloads it between tries): a wrong PIN fails once, then the right PIN logs in and signs.
// (A login is the process's, as PKCS#11 makes it: while a Token that logged in is open, a
// Token opened without a PIN uses it too; the last Close logs out.)
func TestWrongPINThenRightPIN(t *testing.T) {
	tt := mustSoftHSM(t, "rh")
	if _, err := GenerateKey(tt.uri("object=k"), ECP256, tt.opts(testPIN)); err != nil {
		t.Fatal(err)
	}
	noLogin := tt.opts("")
	noLogin.NoLogin = true
	holder := mustOpen(t, tt.uri(""), noLogin)
	if _, err := OpenSigner(tt.uri("object=k"), tt.opts("0000")); !errors.Is(err, ErrPIN) {
		t.Fatalf("wrong PIN: %v", err)
	}
	if holder.slotLoggedIn() {
		t.Fatal("the slot is marked logged in after a wrong PIN")
	}
	s, err := OpenSigner(tt.uri("object=k"), tt.opts(testPIN))
	if err != nil {
		t.Fatalf("right PIN after a wrong one: %v", err)
	}
	defer s.Close()
	d := sha256.Sum256([]byte("x"))
	if _, err := s.Sign(nil, d[:], crypto.SHA256); err != nil {
		t.Fatal(err)
	}
}

// TestURINULInFileNames: module-path, module-name and pin-source name files, and no file name
// holds a NUL byte: %00 in them is refused when the URI is parsed (ErrInvalidURI, exit 2),
// before anything reads the environment or a file. It was accepted, and the error that came
// later printed the raw NUL; C code given such a path would read a shorter one.
func TestURINULInFileNames(t *testing.T) {
	for _, s := range []string{
		"pkcs11:token=a?module-path=/usr/lib/softhsm/libsofthsm2.so%00.evil",
		"pkcs11:token=a?module-name=softhsm2%00x",
		"pkcs11:token=a?pin-source=/run/pin%00x",
		"pkcs11:token=a?pin-source=file:/run/pin%00x",
	} {
		_, err := ParseURI(s)
		if !errors.Is(err, ErrInvalidURI) {
			t.Errorf("%s: %v, want ErrInvalidURI", s, err)
			continue
		}
		if strings.ContainsRune(err.Error(), 0) {
			t.Errorf("%s: the error holds a NUL byte: %q", s, err)
		}
	}
	// Elsewhere %00 is a byte like any other: labels and ids are compared, not opened.
	if u, err := ParseURI("pkcs11:token=a%00b;id=%00"); err != nil || u.Token != "a\x00b" || string(u.ID) != "\x00" {
		t.Errorf("token=a%%00b;id=%%00: %+v, %v", u, err)
	}
}

// TestImportKeyCertificateProvesKey: a certificate is written beside a token key only when
// the key itself signs for the certificate's public key, not merely when the certificate
// matches the public key object that shares the key's CKA_ID. Here that object is another
// key's (as in TestSignVerifiesTokenSignature), and a certificate for it must be refused with
// ErrKeyMismatch, leaving no certificate on the token.
func TestImportKeyCertificateProvesKey(t *testing.T) {
	tt := mustSoftHSM(t, "rh")
	for _, k := range []struct{ id, label string }{{"01", "a"}, {"02", "b"}} {
		tt.tool("--token-label", "rh", "--login", "--pin", "env:SIGNET_TEST_PIN", "--keypairgen",
			"--key-type", "EC:prime256v1", "--id", k.id, "--label", k.label)
	}
	tok := mustOpen(t, tt.uri(""), tt.opts(testPIN))
	// A certificate for b's public key, signed by b on the token.
	sb, err := tok.Signer(mustParse(t, tt.uri("object=b")))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "b"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, sb.Public(), sb)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	mustRelabelPublicKey(t, tok, []byte{2}, []byte{1}, "a")

	_, err = tok.ImportKeyCertificate(mustParse(t, tt.uri("object=a;id=%01")), cert)
	if !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("ImportKeyCertificate of another key's certificate: %v, want ErrKeyMismatch", err)
	}
	t.Log(err)
	certs, err := tok.Objects(&URI{Type: TypeCert})
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 0 {
		t.Errorf("certificates on the token after the refusal: %d", len(certs))
	}
}

// TestEmptyPINNeverTried: an empty PIN (pin-value= with nothing after it) is refused before
// C_Login, so it never costs one of the token's tries: the token's PIN-count-low flag, which
// SoftHSM sets after one wrong PIN, stays clear.
func TestEmptyPINNeverTried(t *testing.T) {
	tt := mustSoftHSM(t, "rh")
	if _, err := GenerateKey(tt.uri("object=k"), ECP256, tt.opts(testPIN)); err != nil {
		t.Fatal(err)
	}
	_, err := OpenSigner(tt.uri("object=k")+"&pin-value=", tt.opts(""))
	if !errors.Is(err, ErrPIN) {
		t.Fatalf("empty pin-value: %v, want ErrPIN", err)
	}
	t.Log(err)
	var ckr pkcs11.Error
	if errors.As(err, &ckr) {
		t.Errorf("the empty PIN reached the token: %v", ckr)
	}
	_, toks, err := ListTokens(tt.uri(""), tt.opts(""))
	if err != nil {
		t.Fatal(err)
	}
	if len(toks) != 1 || toks[0].Flags.PINCountLow {
		t.Errorf("after an empty PIN: %+v", toks)
	}
}

// TestPINLengthCheckedFirst: a PIN shorter or longer than the token takes (CK_TOKEN_INFO's
// ulMinPinLen and ulMaxPinLen; SoftHSM: 4 to 255) is refused before C_Login, with the range
// in the message and never the PIN, so that a typo'd PIN costs no try.
func TestPINLengthCheckedFirst(t *testing.T) {
	tt := mustSoftHSM(t, "rh")
	if _, err := GenerateKey(tt.uri("object=k"), ECP256, tt.opts(testPIN)); err != nil {
		t.Fatal(err)
	}
	for _, pin := range []string{"12", strings.Repeat("9", 300)} {
		_, err := OpenSigner(tt.uri("object=k"), tt.opts(pin))
		if !errors.Is(err, ErrPIN) {
			t.Fatalf("PIN of %d characters: %v, want ErrPIN", len(pin), err)
		}
		t.Log(err)
		var ckr pkcs11.Error
		if errors.As(err, &ckr) {
			t.Errorf("a PIN of %d characters reached the token: %v", len(pin), ckr)
		}
		if strings.Contains(err.Error(), pin) || !strings.Contains(err.Error(), "4 to 255") {
			t.Errorf("error %q shows the PIN or lacks the range", err)
		}
	}
}

// TestPINSourceExposedWarns: a pin-source file that users other than its owner may read or
// write gets a warning naming the file, its mode and chmod 600 (and never the PIN); one of
// mode 0600 gets none. The PIN is used either way.
func TestPINSourceExposedWarns(t *testing.T) {
	tt := mustSoftHSM(t, "rh")
	if _, err := GenerateKey(tt.uri("object=k"), ECP256, tt.opts(testPIN)); err != nil {
		t.Fatal(err)
	}
	pinFile := filepath.Join(t.TempDir(), "pin")
	if err := os.WriteFile(pinFile, []byte(testPIN+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o644, 0o600, 0o640} {
		if err := os.Chmod(pinFile, mode); err != nil {
			t.Fatal(err)
		}
		var warnings []string
		opts := tt.opts("")
		opts.Warn = func(m string) { warnings = append(warnings, m) }
		s, err := OpenSigner(tt.uri("object=k")+"&pin-source=file:"+pinFile, opts)
		if err != nil {
			t.Fatalf("mode %04o: %v", mode, err)
		}
		s.Close()
		want := 0
		if mode&0o077 != 0 {
			want = 1
		}
		if len(warnings) != want {
			t.Fatalf("mode %04o: warnings %q, want %d", mode, warnings, want)
		}
		if want == 1 && (!strings.Contains(warnings[0], pinFile) || !strings.Contains(warnings[0], fmt.Sprintf("%04o", mode)) ||
			!strings.Contains(warnings[0], "chmod 600") || strings.Contains(strings.ReplaceAll(warnings[0], pinFile, ""), testPIN)) {
			t.Errorf("mode %04o: warning %q", mode, warnings[0])
		}
	}
}

// TestPINLengthRangeStatedPlainly: only a range the token states is applied; an unavailable
// (all ones) or zero bound, or a minimum above the maximum, refuses nothing.
func TestPINLengthRangeStatedPlainly(t *testing.T) {
	const unavailable = ^uint(0)
	for _, c := range []struct {
		n, min, max uint
		out         bool
	}{
		{6, 4, 255, false}, {3, 4, 255, true}, {256, 4, 255, true},
		{2, 0, 0, false}, {300, 0, 0, false},
		{6, unavailable, unavailable, false}, {6, unavailable, 8, false}, {9, unavailable, 8, true},
		{6, 4, unavailable, false}, {3, 4, unavailable, true},
		{6, 10, 8, false}, {9, 10, 8, true},
	} {
		if got := pinLengthOutside(c.n, c.min, c.max); got != c.out {
			t.Errorf("pinLengthOutside(%d, %d, %d) = %v, want %v", c.n, c.min, c.max, got, c.out)
		}
	}
}
