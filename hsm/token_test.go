//go:build cgo

package hsm

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/pkcs11"

	"github.com/signet-pki/signet/internal/testutil"
)

// TestGenerateKeyPeers generates every key type on the token and checks that pkcs11-tool and
// p11tool see the keys, that pkcs11-tool can sign with them, and that the signatures verify
// against the public key signet reports.
func TestGenerateKeyPeers(t *testing.T) {
	tt := mustSoftHSM(t, "gen")
	p11tool := testutil.RequireTool(t, "p11tool")
	tok := mustOpen(t, tt.uri(""), tt.opts(testPIN))
	types := []struct {
		kt    KeyType
		mech  string // pkcs11-tool -m
		hash  crypto.Hash
		bits  int
		curve string
	}{
		{RSA2048, "SHA256-RSA-PKCS", crypto.SHA256, 2048, ""},
		{RSA3072, "SHA384-RSA-PKCS", crypto.SHA384, 3072, ""},
		{ECP256, "ECDSA", crypto.SHA256, 256, "P-256"},
		{ECP384, "ECDSA", crypto.SHA384, 384, "P-384"},
		{ECP521, "ECDSA", crypto.SHA512, 521, "P-521"},
		{Ed25519, "EDDSA", 0, 255, "Ed25519"},
	}
	if !testing.Short() {
		types = append(types, struct {
			kt    KeyType
			mech  string
			hash  crypto.Hash
			bits  int
			curve string
		}{RSA4096, "SHA512-RSA-PKCS", crypto.SHA512, 4096, ""})
	}
	msg := []byte("pkcs11-tool signs this\n")
	msgPath := filepath.Join(t.TempDir(), "msg")
	if err := os.WriteFile(msgPath, msg, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range types {
		t.Run(string(c.kt), func(t *testing.T) {
			label := "signet-" + string(c.kt)
			obj, err := tok.GenerateKey(mustParse(t, "pkcs11:object="+label), c.kt)
			if err != nil {
				t.Fatal(err)
			}
			if obj.Type != TypePrivate || obj.Label != label || len(obj.ID) == 0 || obj.Bits != c.bits || obj.Curve != c.curve {
				t.Errorf("GenerateKey = %+v", obj)
			}
			if !obj.Sensitive || obj.Extractable || !obj.Sign || !obj.Private {
				t.Errorf("private key flags: sensitive=%v extractable=%v sign=%v private=%v", obj.Sensitive, obj.Extractable, obj.Sign, obj.Private)
			}
			if obj.Public == nil {
				t.Fatal("no public key")
			}
			id := hex.EncodeToString(obj.ID)

			// pkcs11-tool lists both halves under the label and id.
			listed := tt.tool("--token-label", "gen", "--login", "--pin", "env:SIGNET_TEST_PIN", "-O", "--id", id)
			if strings.Count(listed, label) != 2 {
				t.Errorf("pkcs11-tool -O --id %s does not list the private and public key %q:\n%s", id, label, listed)
			}
			// p11tool lists them through an RFC 7512 URI: the public key without logging in,
			// both with.
			public := string(run(t, nil, p11tool, "--provider", tt.module, "--list-all", "pkcs11:token=gen"))
			if !strings.Contains(public, "object="+label+";type=public") {
				t.Errorf("p11tool --list-all does not show the public key %q:\n%s", label, public)
			}
			all := string(run(t, []string{"GNUTLS_PIN=" + testPIN}, p11tool, "--provider", tt.module, "--login", "--list-all", "pkcs11:token=gen"))
			if !strings.Contains(all, "object="+label+";type=private") || !strings.Contains(all, "object="+label+";type=public") {
				t.Errorf("p11tool --login --list-all does not show both keys %q:\n%s", label, all)
			}

			// pkcs11-tool signs with the new key; the signature verifies with signet's public key.
			sigPath := filepath.Join(t.TempDir(), "sig")
			in := msgPath
			if c.mech == "ECDSA" {
				// pkcs11-tool's plain ECDSA signs its input as the digest: give it one.
				in = filepath.Join(t.TempDir(), "digest")
				if err := os.WriteFile(in, digestOf(c.hash, msg), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			args := []string{"--token-label", "gen", "--login", "--pin", "env:SIGNET_TEST_PIN", "--sign", "--id", id, "-m", c.mech, "-i", in, "-o", sigPath}
			if c.mech == "ECDSA" {
				args = append(args, "--signature-format", "openssl")
			}
			tt.tool(args...)
			sig, err := os.ReadFile(sigPath)
			if err != nil {
				t.Fatal(err)
			}
			switch pub := obj.Public.(type) {
			case *rsa.PublicKey:
				if err := rsa.VerifyPKCS1v15(pub, c.hash, digestOf(c.hash, msg), sig); err != nil {
					t.Errorf("pkcs11-tool's signature does not verify: %v", err)
				}
			case *ecdsa.PublicKey:
				if !ecdsa.VerifyASN1(pub, digestOf(c.hash, msg), sig) {
					t.Error("pkcs11-tool's signature does not verify")
				}
			case ed25519.PublicKey:
				if !ed25519.Verify(pub, msg, sig) {
					t.Error("pkcs11-tool's signature does not verify")
				}
			default:
				t.Fatalf("public key %T", pub)
			}
		})
	}

	t.Run("exists", func(t *testing.T) {
		_, err := tok.GenerateKey(mustParse(t, "pkcs11:object=signet-ec-p256"), ECP256)
		if !errors.Is(err, ErrExists) || !errors.Is(err, ErrToken) {
			t.Errorf("same label: %v, want ErrExists", err)
		}
		_, err = tok.GenerateKey(mustParse(t, "pkcs11:object=fresh;id=%01"), ECP256)
		if !errors.Is(err, ErrExists) {
			t.Errorf("same id: %v, want ErrExists", err)
		}
		_, err = tok.GenerateKey(mustParse(t, "pkcs11:id=%77"), ECP256)
		if !errors.Is(err, ErrInvalidURI) {
			t.Errorf("no label: %v, want ErrInvalidURI", err)
		}
		_, err = tok.GenerateKey(mustParse(t, "pkcs11:object=x"), KeyType("dsa-1024"))
		if !errors.Is(err, ErrUnsupportedKey) {
			t.Errorf("unknown type: %v, want ErrUnsupportedKey", err)
		}
	})
	t.Run("explicit-id", func(t *testing.T) {
		obj, err := tok.GenerateKey(mustParse(t, "pkcs11:object=with-id;id=%C0%FF%EE"), ECP256)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(obj.ID, []byte{0xc0, 0xff, 0xee}) || !strings.Contains(obj.URI, "id=%C0%FF%EE") {
			t.Errorf("id = %x, URI %s", obj.ID, obj.URI)
		}
	})
}

// TestWrongPIN checks that a wrong PIN is reported in plain words, keeps its CKR_ code, is
// tried exactly once and never shows up in the error.
func TestWrongPIN(t *testing.T) {
	tt := mustSoftHSM(t, "pin")
	if _, err := GenerateKey(tt.uri("object=k"), ECP256, tt.opts(testPIN)); err != nil {
		t.Fatal(err)
	}
	const wrong = "Wr0ng-PIN-7c1e9"
	calls := 0
	opts := tt.opts("")
	opts.PIN = func(ti TokenInfo) ([]byte, error) {
		calls++
		if ti.Label != "pin" {
			t.Errorf("PIN callback got token %q", ti.Label)
		}
		return []byte(wrong), nil
	}
	_, err := OpenSigner(tt.uri("object=k"), opts)
	if err == nil {
		t.Fatal("OpenSigner with a wrong PIN succeeded")
	}
	if calls != 1 {
		t.Errorf("the PIN was asked for %d times; a wrong PIN must never be retried", calls)
	}
	if !errors.Is(err, ErrPIN) || !errors.Is(err, ErrToken) {
		t.Errorf("error %v does not wrap ErrPIN and ErrToken", err)
	}
	var ckr pkcs11.Error
	if !errors.As(err, &ckr) || ckr != pkcs11.CKR_PIN_INCORRECT {
		t.Errorf("errors.As(pkcs11.Error) = %v, want CKR_PIN_INCORRECT", ckr)
	}
	if !strings.Contains(err.Error(), "wrong PIN") {
		t.Errorf("error %q does not say \"wrong PIN\"", err)
	}
	if strings.Contains(err.Error(), wrong) {
		t.Errorf("error %q shows the PIN", err)
	}
	t.Log(err)
	_, toks, err := ListTokens("", tt.opts(""))
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, ti := range toks {
		if ti.Label == "pin" {
			found = true
			if !ti.Flags.PINCountLow {
				t.Error("CKF_USER_PIN_COUNT_LOW is not set after one wrong PIN")
			}
		}
	}
	if !found {
		t.Fatal("token not listed")
	}

	// The same wrong PIN from a pin-source file (with its newline) and from SIGNET_PIN.
	pinFile := filepath.Join(t.TempDir(), "pin")
	if err := os.WriteFile(pinFile, []byte(wrong+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = OpenSigner("pkcs11:token=pin;object=k?module-path="+tt.module+"&pin-source=file:"+pinFile, tt.opts(""))
	if !errors.Is(err, ErrPIN) || strings.Contains(err.Error(), wrong) || !strings.Contains(err.Error(), "pin-source file "+pinFile) {
		t.Errorf("pin-source: %v (want the file named)", err)
	}
	_, err = OpenSigner(tt.uri("object=k"), tt.opts(wrong))
	if !errors.Is(err, ErrPIN) || strings.Contains(err.Error(), wrong) || !strings.Contains(err.Error(), EnvPIN) {
		t.Errorf("SIGNET_PIN: %v", err)
	}

	// The right PIN from a pin-source file whose trailing newline must not count.
	if err := os.WriteFile(pinFile, []byte(testPIN+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := OpenSigner("pkcs11:token=pin;object=k?module-path="+tt.module+"&pin-source="+pinFile, tt.opts(""))
	if err != nil {
		t.Fatalf("right PIN from pin-source: %v", err)
	}
	s.Close()

	// No PIN anywhere.
	_, err = OpenSigner(tt.uri("object=k"), tt.opts(""))
	if !errors.Is(err, ErrPIN) || !strings.Contains(err.Error(), "needs a PIN") {
		t.Errorf("no PIN: %v", err)
	}
}

// TestOpenErrors covers a missing or broken module, unknown and ambiguous tokens and keys.
func TestOpenErrors(t *testing.T) {
	tt := mustSoftHSM(t, "twin", "twin", "other")
	// signet refuses a second key with the same label; pkcs11-tool does not.
	for _, id := range []string{"01", "02"} {
		tt.tool("--token-label", "other", "--login", "--pin", "env:SIGNET_TEST_PIN", "--keypairgen", "--key-type", "EC:prime256v1", "--id", id, "--label", "dup")
	}
	notModule := filepath.Join(t.TempDir(), "libnot.so")
	if err := os.WriteFile(notModule, []byte("not an ELF file"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		uri    string
		opts   Options
		target error
		want   []string
	}{
		{"missing module", "pkcs11:token=x?module-path=/nonexistent/libnope.so", Options{}, ErrModule,
			[]string{"/nonexistent/libnope.so", "no such file"}},
		{"missing module option", "pkcs11:token=x", Options{Module: "/nonexistent/libopt.so"}, ErrModule,
			[]string{"/nonexistent/libopt.so", "no such file"}},
		{"directory module", "pkcs11:token=x", Options{Module: t.TempDir()}, ErrModule,
			[]string{"is a directory"}},
		{"not a module", "pkcs11:token=x", Options{Module: notModule}, ErrModule,
			[]string{notModule, "cannot load"}},
		{"module from env", "pkcs11:token=x", Options{Getenv: func(k string) string {
			if k == EnvModule {
				return "/nonexistent/libenv.so"
			}
			return ""
		}}, ErrModule, []string{"/nonexistent/libenv.so"}},
		{"no token", tt.uri(""), tt.opts(testPIN), ErrTokenNotFound, nil},
		{"ambiguous token", "pkcs11:token=twin?module-path=" + tt.module, tt.opts(testPIN), ErrAmbiguous,
			[]string{"pkcs11:token=twin matches 2 tokens", "pkcs11:token=twin;serial="}},
		{"any token", "pkcs11:?module-path=" + tt.module, tt.opts(testPIN), ErrAmbiguous,
			[]string{"matches 3 tokens", "token=other"}},
		{"unknown token", "pkcs11:token=nope?module-path=" + tt.module, tt.opts(testPIN), ErrTokenNotFound,
			[]string{"tokens there:", "pkcs11:token=other;serial=", "pkcs11:token=twin;serial="}},
		{"ambiguous key", "pkcs11:token=other;object=dup?module-path=" + tt.module, tt.opts(testPIN), ErrAmbiguous,
			[]string{"matches 2 private keys", "object=dup;id=%01;type=private", "object=dup;id=%02;type=private"}},
		{"unknown key", "pkcs11:token=other;object=nope?module-path=" + tt.module, tt.opts(testPIN), ErrObjectNotFound,
			[]string{"no private key matches object=nope;type=private", "private keys there:", "object=dup;id=%01"}},
		{"wrong type", "pkcs11:token=other;object=dup;type=cert?module-path=" + tt.module, tt.opts(testPIN), ErrInvalidURI,
			[]string{"type=cert"}},
		{"vendor path attribute", "pkcs11:token=other;x-color=red?module-path=" + tt.module, tt.opts(testPIN), ErrInvalidURI,
			[]string{"x-color"}},
		{"bad URI", "pkcs11:tokn=other", Options{}, ErrInvalidURI, []string{`unknown path attribute "tokn"`}},
	}
	tt.label = "nope"
	cases[5].uri = tt.uri("")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := OpenSigner(c.uri, c.opts)
			if err == nil {
				s.Close()
				t.Fatal("OpenSigner succeeded")
			}
			t.Log(err)
			if !errors.Is(err, c.target) {
				t.Errorf("error %v does not wrap %v", err, c.target)
			}
			if c.target != ErrInvalidURI && !errors.Is(err, ErrToken) {
				t.Errorf("error %v does not wrap ErrToken", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestObjectsCertificatesDelete lists objects, imports a certificate the token key signed
// itself, checks it with pkcs11-tool and p11tool, and deletes the key pair and certificate.
func TestObjectsCertificatesDelete(t *testing.T) {
	tt := mustSoftHSM(t, "objs")
	p11tool := testutil.RequireTool(t, "p11tool")
	tok := mustOpen(t, tt.uri(""), tt.opts(testPIN))
	key, err := tok.GenerateKey(mustParse(t, "pkcs11:object=ca"), ECP384)
	if err != nil {
		t.Fatal(err)
	}
	other, err := tok.GenerateKey(mustParse(t, "pkcs11:object=other"), Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	s, err := tok.Signer(mustParse(t, key.URI))
	if err != nil {
		t.Fatal(err)
	}
	if s.Certificate() != nil {
		t.Error("Certificate() before import")
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(0x5167e7),
		Subject:               pkix.Name{CommonName: "signet token CA", Organization: []string{"Example"}},
		NotBefore:             time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, s.Public(), s)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := cert.CheckSignatureFrom(cert); err != nil {
		t.Fatalf("self-signed certificate made with the token key: %v", err)
	}

	t.Run("mismatch", func(t *testing.T) {
		_, err := tok.ImportKeyCertificate(mustParse(t, other.URI), cert)
		if !errors.Is(err, ErrKeyMismatch) {
			t.Errorf("import for the wrong key: %v, want ErrKeyMismatch", err)
		}
		if err := CheckCertificateKey(cert, other.Public); !errors.Is(err, ErrKeyMismatch) {
			t.Errorf("CheckCertificateKey: %v", err)
		}
		if err := CheckCertificateKey(cert, key.Public); err != nil {
			t.Errorf("CheckCertificateKey(own key): %v", err)
		}
	})

	certObj, err := tok.ImportKeyCertificate(mustParse(t, "pkcs11:object=ca"), cert)
	if err != nil {
		t.Fatal(err)
	}
	if certObj.Type != TypeCert || certObj.Label != "ca" || !bytes.Equal(certObj.ID, key.ID) || certObj.PrivateKeyURI != key.URI {
		t.Errorf("imported certificate object %+v", certObj)
	}
	// The same certificate again: nothing written, the same object back, so that an import
	// can be run again. Another certificate for the key: ErrExists.
	again, err := tok.ImportKeyCertificate(mustParse(t, "pkcs11:object=ca"), cert)
	if err != nil || again.URI != certObj.URI || again.PrivateKeyURI != key.URI {
		t.Errorf("second import of the same certificate: %+v, %v", again, err)
	}
	tmpl.SerialNumber = big.NewInt(0x5167e8)
	der2, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, s.Public(), s)
	if err != nil {
		t.Fatal(err)
	}
	cert2, err := x509.ParseCertificate(der2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tok.ImportKeyCertificate(mustParse(t, "pkcs11:object=ca"), cert2); !errors.Is(err, ErrExists) {
		t.Errorf("import of another certificate for the key: %v, want ErrExists", err)
	}

	objs, err := tok.Objects(mustParse(t, "pkcs11:"))
	if err != nil {
		t.Fatal(err)
	}
	byType := map[string]Object{}
	for _, o := range objs {
		byType[o.Label+"/"+string(o.Type)] = o
	}
	if len(objs) != 5 {
		t.Errorf("%d objects, want 5: %+v", len(objs), objs)
	}
	priv := byType["ca/private"]
	if priv.CertificateURI != certObj.URI || priv.KeyType != "EC" || priv.Curve != "P-384" || priv.Bits != 384 {
		t.Errorf("private key %+v", priv)
	}
	if pub := byType["ca/public"]; pub.PrivateKeyURI != priv.URI || pub.CertificateURI != certObj.URI {
		t.Errorf("public key %+v", pub)
	}
	if ed := byType["other/private"]; ed.KeyType != "Ed25519" || ed.CertificateURI != "" {
		t.Errorf("Ed25519 key %+v", ed)
	}
	for _, o := range objs {
		u := mustParse(t, o.URI)
		got, err := tok.Objects(u)
		if err != nil || len(got) != 1 || got[0].URI != o.URI {
			t.Errorf("the URI %s selects %d objects (%v)", o.URI, len(got), err)
		}
	}

	// A Signer now finds the certificate.
	s2, err := tok.Signer(mustParse(t, "pkcs11:object=ca"))
	if err != nil {
		t.Fatal(err)
	}
	if s2.Certificate() == nil || !s2.Certificate().Equal(cert) {
		t.Error("Signer.Certificate() does not return the imported certificate")
	}

	// pkcs11-tool sees the certificate; p11tool exports it unchanged.
	if out := tt.tool("--token-label", "objs", "-O", "--type", "cert"); !strings.Contains(out, "label:      ca") && !strings.Contains(out, "ca") {
		t.Errorf("pkcs11-tool -O --type cert:\n%s", out)
	}
	exported := run(t, nil, p11tool, "--provider", tt.module, "--export", "pkcs11:token=objs;object=ca;type=cert", "--outder")
	if !bytes.Equal(exported, der) {
		t.Errorf("p11tool --export returned %d bytes that differ from the %d imported", len(exported), len(der))
	}

	t.Run("delete", func(t *testing.T) {
		if _, err := tok.Delete(mustParse(t, "pkcs11:type=private")); !errors.Is(err, ErrInvalidURI) {
			t.Errorf("delete without object or id: %v", err)
		}
		if _, err := tok.Delete(mustParse(t, "pkcs11:object=nope")); !errors.Is(err, ErrObjectNotFound) {
			t.Errorf("delete of nothing: %v", err)
		}
		gone, err := tok.Delete(mustParse(t, "pkcs11:object=ca"))
		if err != nil {
			t.Fatal(err)
		}
		if len(gone) != 3 || gone[0].Type != TypeCert || gone[2].Type != TypePrivate {
			t.Errorf("deleted %+v, want certificate, public and private key", gone)
		}
		left, err := tok.Objects(mustParse(t, "pkcs11:"))
		if err != nil {
			t.Fatal(err)
		}
		if len(left) != 2 || left[0].Label != "other" {
			t.Errorf("left on the token: %+v", left)
		}
		if out := tt.tool("--token-label", "objs", "--login", "--pin", "env:SIGNET_TEST_PIN", "-O"); strings.Contains(out, "label:      ca") {
			t.Errorf("pkcs11-tool still lists the deleted key:\n%s", out)
		}
	})
}

// TestMechanismsAndListing checks the mechanism report and the token list.
func TestMechanismsAndListing(t *testing.T) {
	tt := mustSoftHSM(t, "mech")
	tok, mechs, err := Mechanisms(tt.uri(""), tt.opts(""))
	if err != nil {
		t.Fatal(err)
	}
	if tok.Label != "mech" {
		t.Errorf("token %+v", tok)
	}
	for _, m := range mechs {
		if !m.Listed || !m.Available {
			t.Errorf("SoftHSM2 should offer %s (%s): %+v", m.Name, m.Scheme, m)
		}
	}
	if len(mechs) != len(mechanismsUsed) {
		t.Errorf("%d mechanisms reported", len(mechs))
	}

	mod, toks, err := ListTokens("", tt.opts(""))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(mod.Manufacturer, "SoftHSM") || mod.Path != tt.module {
		t.Errorf("module %+v", mod)
	}
	if len(toks) != 2 {
		t.Fatalf("%d slots, want the token and SoftHSM's spare one: %+v", len(toks), toks)
	}
	var ti TokenInfo
	for _, x := range toks {
		if x.Label == "mech" {
			ti = x
		}
	}
	if !ti.Flags.Initialized || !ti.Flags.LoginRequired || !ti.Flags.UserPINSet || ti.Serial == "" || ti.Model == "" {
		t.Errorf("token %+v", ti)
	}
	want := "pkcs11:token=mech;serial=" + ti.Serial + "?module-path=" + tt.module
	if ti.URI != want {
		t.Errorf("token URI %s, want %s", ti.URI, want)
	}
	if _, toks, err := ListTokens("pkcs11:serial="+ti.Serial, tt.opts("")); err != nil || len(toks) != 1 {
		t.Errorf("ListTokens by serial: %v, %+v", err, toks)
	}
	// The listed URI opens the token, without any option.
	tok2 := mustOpen(t, ti.URI, Options{})
	if tok2.Info().Serial != ti.Serial || tok2.URI() != ti.URI {
		t.Errorf("token opened from its URI: %+v %s", tok2.Info(), tok2.URI())
	}
}

// TestModuleLifecycle checks reference counting: the module stays loaded while any Token is
// open, is finalised after the last Close, and can be loaded again.
func TestModuleLifecycle(t *testing.T) {
	tt := mustSoftHSM(t, "life")
	count := func() int {
		registry.Lock()
		defer registry.Unlock()
		return len(registry.modules)
	}
	a, err := Open(tt.uri(""), tt.opts(testPIN))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open("pkcs11:token=life?module-path=/usr/lib/"+multiarchTriplet()+"/softhsm/libsofthsm2.so", tt.opts(testPIN))
	if err != nil {
		// The symlink target may live elsewhere on other systems.
		b, err = Open(tt.uri(""), tt.opts(testPIN))
		if err != nil {
			t.Fatal(err)
		}
	}
	if count() != 1 {
		t.Errorf("%d modules loaded for one module file", count())
	}
	if _, err := a.Objects(nil); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := a.Objects(nil); !errors.Is(err, ErrToken) {
		t.Errorf("Objects after Close: %v", err)
	}
	if count() != 1 {
		t.Error("module unloaded while a Token is open")
	}
	if _, err := b.GenerateKey(mustParse(t, "pkcs11:object=k"), ECP256); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if count() != 0 {
		t.Error("module still loaded after the last Close")
	}
	// Loaded again: a fresh C_Initialize.
	s, err := OpenSigner(tt.uri("object=k"), tt.opts(testPIN))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sign(nil, make([]byte, 32), crypto.SHA256); err != nil {
		t.Error(err)
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
}

// TestProxyModule lists the test token through the p11-kit proxy, the default module, when it
// is installed (it is optional: p11-kit-modules on Debian).
func TestProxyModule(t *testing.T) {
	if ProxyModule() == "" {
		t.Skip("p11-kit proxy module not installed")
	}
	tt := mustSoftHSM(t, "proxy")
	mod, toks, err := ListTokens("pkcs11:token=proxy", Options{Getenv: func(k string) string {
		if k == "HOME" || k == "XDG_CONFIG_HOME" {
			return os.Getenv(k)
		}
		return ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	if mod.Path != ProxyModule() || len(toks) != 1 {
		t.Errorf("through %s: %+v", mod.Path, toks)
	}
	_ = tt
}

// TestPublicKeysMatchGoTypes checks that a P-521 key comes back as Go's P-521 curve.
func TestPublicKeysMatchGoTypes(t *testing.T) {
	tt := mustSoftHSM(t, "types")
	tok := mustOpen(t, tt.uri(""), tt.opts(testPIN))
	obj, err := tok.GenerateKey(mustParse(t, "pkcs11:object=p521"), ECP521)
	if err != nil {
		t.Fatal(err)
	}
	pub, ok := obj.Public.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P521() {
		t.Errorf("P-521 public key %T", obj.Public)
	}
}
