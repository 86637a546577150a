package sigformat

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/x509util"
)

// fixedTime is the fixture PKI's pinned validation time (testdata/pki/README.md).
var fixedTime = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

const pkiDir = "../testdata/pki"

// fixture is a key and chain from testdata/pki.
type fixture struct {
	key   crypto.Signer
	chain []*x509.Certificate // leaf, int-ca, root-ca
}

func mustFixture(t testing.TB, name string) fixture {
	t.Helper()
	key, err := x509util.ParsePrivateKey(mustRead(t, filepath.Join(pkiDir, name+".key")), nil)
	if err != nil {
		t.Fatal(err)
	}
	chain, err := x509util.LoadCertificates(filepath.Join(pkiDir, name+".pem"), filepath.Join(pkiDir, "int-ca.pem"), filepath.Join(pkiDir, "root-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return fixture{key: key, chain: chain}
}

// mustKey returns the test run's key of a type: p256, p384, rsa2048, ed25519.
func mustKey(t testing.TB, typ string) crypto.Signer {
	t.Helper()
	return testutil.Key(t, typ)
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func writeFile(t testing.TB, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// sigOptions says what mustSign makes.
type sigOptions struct {
	format Format
	alg    digest.Algorithm // zero: SHA-256 (SHA-512 for Ed25519 in CMS)
	pss    bool
	base64 bool
	chain  []*x509.Certificate // the signer's first; CMS needs it, a bundle without one names the key
}

// mustSign signs msg with key through this package's writers, as package sign does (which
// these tests cannot import: it imports this package), and returns the message's digest and
// the signature file.
func mustSign(t testing.TB, key crypto.Signer, msg []byte, o sigOptions) (d, out []byte) {
	t.Helper()
	_, isEd := key.Public().(ed25519.PublicKey)
	alg := o.alg
	if alg == 0 {
		alg = digest.SHA256
		if isEd && o.format == CMS {
			alg = digest.SHA512
		}
	}
	h := alg.New()
	h.Write(msg)
	d = h.Sum(nil)
	sign := func(data []byte, whole bool) []byte {
		var opts crypto.SignerOpts = alg.CryptoHash()
		switch {
		case whole:
			opts = crypto.Hash(0)
		case o.pss:
			opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: alg.CryptoHash()}
		}
		sig, err := key.Sign(rand.Reader, data, opts)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	var err error
	switch o.format {
	case CMS:
		out, err = MarshalCMS(d, CMSOptions{Algorithm: alg, PSS: o.pss, Certificates: o.chain, SigningTime: fixedTime},
			func(signed []byte) ([]byte, error) {
				if isEd {
					return sign(signed, true), nil
				}
				h := alg.New()
				h.Write(signed)
				return sign(h.Sum(nil), false), nil
			})
	case Bundle:
		var sig []byte
		if isEd {
			sig = sign(msg, true)
		} else {
			sig = sign(d, false)
		}
		out, err = MarshalBundle(BundleContent{Algorithm: alg, Digest: d, Signature: sig, Certificates: o.chain, PublicKey: key.Public()})
	default:
		if isEd {
			out = sign(msg, true)
		} else {
			out = sign(d, false)
		}
		if o.base64 {
			out = AppendBase64(nil, out)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return d, out
}

// checkSignature verifies sig over signed (hashed with h, except for Ed25519) with pub: the
// check a verifier makes with what Parse returns. It is here so that these tests prove
// Parse's SignedData and Raw are right without depending on package verify.
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
