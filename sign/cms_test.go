package sign

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/sigformat"
)

// checkSignature verifies sig over signed (hashed with h, except for Ed25519) with pub: the
// check a verifier makes with what ParseSignature returns. It is here so that these tests
// prove ParseSignature's SignedData and Raw are right without depending on package verify.
func checkSignature(pub crypto.PublicKey, h crypto.Hash, pss bool, signed, sig []byte) error {
	if k, ok := pub.(ed25519.PublicKey); ok {
		if !ed25519.Verify(k, signed, sig) {
			return fmt.Errorf("ed25519: invalid signature")
		}
		return nil
	}
	hh := h.New()
	hh.Write(signed)
	d := hh.Sum(nil)
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(k, d, sig) {
			return fmt.Errorf("ecdsa: invalid signature")
		}
		return nil
	case *rsa.PublicKey:
		if pss {
			return rsa.VerifyPSS(k, h, d, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
		}
		return rsa.VerifyPKCS1v15(k, h, d, sig)
	}
	return fmt.Errorf("key %T", pub)
}

// TestCMSVerifiedByOpenSSL: signet's CMS passes `openssl cms -verify` with the fixture root
// for EC and RSA (PKCS#1 v1.5 and PSS) signers, and reads back with ParseSignature. Ed25519 is
// in TestCMSEd25519GnuTLS: OpenSSL's cms command can neither make nor check Ed25519
// SignedData (up to 3.6 at least; openssl/openssl#32248).
func TestCMSVerifiedByOpenSSL(t *testing.T) {
	t.Parallel()
	openssl := testutil.RequireTool(t, "openssl")
	msg := []byte("a release, signed in CMS\n")
	for _, tc := range []struct {
		fixture string
		alg     digest.Algorithm
		pss     bool
	}{
		{"codesign", digest.SHA256, false},
		{"codesign", digest.SHA384, false},
		{"codesign", digest.SHA512, false},
		{"codesign-rsa", digest.SHA256, false},
		{"codesign-rsa", digest.SHA512, false},
		{"codesign-rsa", digest.SHA256, true},
		{"codesign-rsa", digest.SHA384, true},
	} {
		name := fmt.Sprintf("%s/%v/pss=%v", tc.fixture, tc.alg, tc.pss)
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			fx := mustFixture(t, tc.fixture)
			s := mustSigner(t, fx.key, SignOptions{Format: sigformat.CMS, Algorithm: tc.alg, PSS: tc.pss, Certificates: fx.chain})
			d, out, err := s.SignMessage(msg)
			if err != nil {
				t.Fatal(err)
			}
			sigPath := writeFile(t, filepath.Join(dir, "msg.p7s"), out)
			msgPath := writeFile(t, filepath.Join(dir, "msg"), msg)
			testutil.Run(t, openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", sigPath, "-content", msgPath,
				"-CAfile", filepath.Join(pkiDir, "root-ca.pem"), "-purpose", "any", "-attime", "1780272000", "-out", os.DevNull)
			// openssl also reads its structure without complaint.
			testutil.Run(t, openssl, "cms", "-cmsout", "-print", "-inform", "DER", "-in", sigPath)

			p, err := sigformat.Parse(out)
			if err != nil {
				t.Fatal(err)
			}
			if p.Format != sigformat.CMS || !p.SignerIdentified || !p.Certificates[0].Equal(fx.chain[0]) {
				t.Fatalf("parsed %s, signer identified %v", p.Format, p.SignerIdentified)
			}
			if len(p.Certificates) != 2 {
				t.Fatalf("%d certificates, want leaf and intermediate (the root is left out)", len(p.Certificates))
			}
			if !bytes.Equal(p.ContentDigest, d) || p.Hash != s.Algorithm().CryptoHash() || p.PSS != tc.pss {
				t.Fatalf("digest %x hash %v pss %v", p.ContentDigest, p.Hash, p.PSS)
			}
			if !p.SigningTime.Equal(fixedTime) {
				t.Fatalf("signing time %v", p.SigningTime)
			}
			if err := checkSignature(fx.key.Public(), p.Hash, p.PSS, p.SignedData, p.Raw); err != nil {
				t.Fatal(err)
			}
			// A tampered content fails openssl's check.
			tampered := writeFile(t, filepath.Join(dir, "tampered"), append([]byte("X"), msg...))
			if _, _, err := testutil.RunErr(openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", sigPath, "-content", tampered,
				"-CAfile", filepath.Join(pkiDir, "root-ca.pem"), "-purpose", "any", "-attime", "1780272000", "-out", os.DevNull); err == nil {
				t.Fatal("openssl accepted the signature for other content")
			}
		})
	}
}

// TestCMSEd25519GnuTLS checks signet's Ed25519 CMS (RFC 8419) against GnuTLS's certtool, the
// peer that implements it: the signature passes `certtool --p7-verify` and fails it for other
// content. The other direction is sigformat's TestCMSEd25519FromGnuTLS.
func TestCMSEd25519GnuTLS(t *testing.T) {
	certtool := testutil.RequireTool(t, "certtool")
	dir := t.TempDir()
	fx := mustFixture(t, "codesign-ed25519")
	msg := []byte("an Ed25519 CMS signature\n")
	msgPath := writeFile(t, filepath.Join(dir, "msg"), msg)
	other := writeFile(t, filepath.Join(dir, "other"), []byte("other\n"))
	root := filepath.Join(pkiDir, "root-ca.pem")

	t.Run("signet signs, certtool verifies", func(t *testing.T) {
		s := mustSigner(t, fx.key, SignOptions{Format: sigformat.CMS, Certificates: fx.chain})
		if s.Algorithm() != digest.SHA512 {
			t.Fatalf("algorithm %v, want sha512 (RFC 8419)", s.Algorithm())
		}
		_, out, err := s.SignMessage(msg)
		if err != nil {
			t.Fatal(err)
		}
		sig := writeFile(t, filepath.Join(dir, "signet.p7s"), out)
		testutil.Run(t, certtool, "--p7-verify", "--inder", "--infile", sig, "--load-data", msgPath, "--load-ca-certificate", root)
		if _, _, err := testutil.RunErr(certtool, "--p7-verify", "--inder", "--infile", sig, "--load-data", other, "--load-ca-certificate", root); err == nil {
			t.Fatal("certtool accepted the signature for other content")
		}
	})
}
