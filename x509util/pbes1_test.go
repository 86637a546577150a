package x509util

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// TestDecodeKeyLegacyPBE: keys `openssl pkcs8 -topk8 -v1 ALG` encrypts with every scheme it
// offers (the PKCS#12 PBE ones and PKCS#5 v1.5's PBES1) are read, give openssl's public key,
// and a wrong passphrase is ErrIncorrectPassphrase. The passphrase holds non-ASCII letters,
// which the PKCS#12 schemes take as UTF-16.
func TestDecodeKeyLegacyPBE(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	const pass = "pässwört"
	plain := filepath.Join(dir, "plain.pem")
	testutil.Run(t, openssl, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", plain)
	wantPub := string(testutil.Run(t, openssl, "pkey", "-in", plain, "-pubout"))
	for _, tc := range []struct{ alg, oidName string }{
		{"PBE-SHA1-3DES", "pbeWithSHAAnd3-KeyTripleDES-CBC"},
		{"PBE-SHA1-2DES", "pbeWithSHAAnd2-KeyTripleDES-CBC"},
		{"PBE-SHA1-RC2-128", "pbeWithSHAAnd128BitRC2-CBC"},
		{"PBE-SHA1-RC2-40", "pbeWithSHAAnd40BitRC2-CBC"},
		{"PBE-SHA1-RC4-128", "pbeWithSHAAnd128BitRC4"},
		{"PBE-SHA1-RC4-40", "pbeWithSHAAnd40BitRC4"},
		{"PBE-MD5-DES", "pbeWithMD5AndDES-CBC"},
		{"PBE-SHA1-DES", "pbeWithSHA1AndDES-CBC"},
		{"PBE-MD5-RC2-64", "pbeWithMD5AndRC2-CBC"},
		{"PBE-SHA1-RC2-64", "pbeWithSHA1AndRC2-CBC"},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			out := filepath.Join(dir, tc.alg+".pem")
			args := []string{"pkcs8", "-topk8", "-v1", tc.alg, "-in", plain, "-passout", "pass:" + pass, "-out", out}
			// OpenSSL 3 keeps RC2, RC4, single DES and PBKDF1 in its legacy provider.
			if _, _, err := testutil.RunErr(openssl, args...); err != nil {
				if _, stderr, err := testutil.RunErr(openssl, append(args, "-provider", "legacy", "-provider", "default")...); err != nil {
					t.Skipf("openssl cannot write %s: %s", tc.alg, stderr)
				}
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			// The scheme openssl used is the one named.
			block, _ := pem.Decode(data)
			var info keyEncryptedPKCS8Outline
			if block == nil || !keyOutline(block.Bytes, &info) || keyPBES1Schemes()[info.Algo.Algorithm.String()].name != tc.oidName {
				t.Fatalf("openssl wrote %v, want %s", info.Algo.Algorithm, tc.oidName)
			}
			passFunc, calls := keyTestPassFunc(pass)
			k, err := DecodeKey(data, passFunc)
			if err != nil {
				t.Fatalf("DecodeKey: %v", err)
			}
			if !k.Encrypted || k.Encoding != EncodingPKCS8 || *calls != 1 {
				t.Errorf("DecodeKey = {Encrypted %v Encoding %s}, passphrase asked %d times", k.Encrypted, k.Encoding, *calls)
			}
			got, err := MarshalPublicKeyPEM(k.Public)
			if err != nil || string(got) != wantPub {
				t.Errorf("public key differs from openssl's (%v):\n%s\nwant\n%s", err, got, wantPub)
			}
			wrong, _ := keyTestPassFunc("passwort")
			if _, err := DecodeKey(data, wrong); !errors.Is(err, ErrIncorrectPassphrase) {
				t.Errorf("wrong passphrase: %v, want ErrIncorrectPassphrase", err)
			}
		})
	}
}

// TestDecodeKeyLegacyPBELimits: a legacy-encrypted key whose parameters are malformed or ask
// for more work than PBES2 is allowed is refused before the passphrase is asked for.
func TestDecodeKeyLegacyPBELimits(t *testing.T) {
	build := func(oid asn1.ObjectIdentifier, params any, data []byte) []byte {
		p, err := asn1.Marshal(params)
		if err != nil {
			t.Fatal(err)
		}
		der, err := asn1.Marshal(keyEncryptedPKCS8Outline{Algo: pkix.AlgorithmIdentifier{Algorithm: oid, Parameters: asn1.RawValue{FullBytes: p}}, Data: data})
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	des3 := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}
	md5des := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 3}
	salt := []byte("12345678")
	for _, tc := range []struct {
		name   string
		der    []byte
		target error
		want   string
	}{
		{"iterations above the cap", build(des3, keyPBEParams{salt, keyMaxPBKDF2Iterations + 1}, make([]byte, 16)), ErrUnsupported, "iteration count"},
		{"iterations 2^31-1, PBES1", build(md5des, keyPBEParams{salt, 1<<31 - 1}, make([]byte, 16)), ErrUnsupported, "iteration count"},
		{"zero iterations", build(des3, keyPBEParams{salt, 0}, make([]byte, 16)), ErrUnsupported, "iteration count"},
		{"ciphertext not whole blocks", build(des3, keyPBEParams{salt, 2048}, make([]byte, 15)), ErrMalformed, "blocks"},
		{"PBES1 salt of 4 bytes", build(md5des, keyPBEParams{salt[:4], 2048}, make([]byte, 16)), ErrMalformed, "salt"},
		{"parameters not a PBEParameter", build(des3, asn1.NullRawValue, make([]byte, 16)), ErrMalformed, "parameters"},
		{"MD2", build(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 1}, keyPBEParams{salt, 2048}, make([]byte, 16)), ErrUnsupported, "pbeWithMD2AndDES-CBC"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			passFunc, calls := keyTestPassFunc("x")
			_, err := DecodeKey(tc.der, passFunc)
			if !errors.Is(err, tc.target) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("DecodeKey = %v; want %v mentioning %q", err, tc.target, tc.want)
			}
			if *calls != 0 {
				t.Errorf("the passphrase was asked for")
			}
		})
	}
}
