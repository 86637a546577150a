package x509util

import (
	"bytes"
	"encoding/pem"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseCSRRSAPSS: CSRs openssl signs with RSASSA-PSS are read whatever the salt length
// (its default, the longest, is one crypto/x509 does not read), and their signature is
// checked: one bit flipped in it is refused as a signature that does not verify.
func TestParseCSRRSAPSS(t *testing.T) {
	dir := t.TempDir()
	keyFile := mustKeyWrite(t, filepath.Join(dir, "rsa.pem"), mustKeyPEM(t, KeyRSA2048))
	for _, tc := range []struct {
		name string
		opts []string
		alg  string
	}{
		{"openssl's default salt (the longest)", []string{"-sigopt", "rsa_padding_mode:pss"}, "SHA256-RSAPSS (salt 222)"},
		{"salt 20, SHA-384", []string{"-sha384", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:20"}, "SHA384-RSAPSS (salt 20)"},
		{"salt equal to the hash", []string{"-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"}, "SHA256-RSAPSS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"req", "-new", "-key", keyFile, "-subj", "/CN=pss"}, tc.opts...)
			data := keyTestOpenSSL(t, dir, args...)
			csr, err := ParseCSR(data)
			if err != nil {
				t.Fatalf("ParseCSR: %v", err)
			}
			if got := DescribeCSR(csr); !got.SignatureValid || got.SignatureAlgorithm != tc.alg {
				t.Errorf("DescribeCSR: algorithm %q valid %v (%s), want %q valid", got.SignatureAlgorithm, got.SignatureValid, got.SignatureError, tc.alg)
			}
			block, _ := pem.Decode(data)
			bad := bytes.Clone(block.Bytes)
			bad[len(bad)-1] ^= 1
			if _, err := ParseCSR(bad); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "does not verify") {
				t.Errorf("ParseCSR(signature altered) = %v, want ErrMalformed: does not verify", err)
			}
		})
	}
}

// TestParseCSRSHA1: a CSR signed with SHA-1 (RSA or ECDSA) is refused with ErrWeakSignature,
// which is also ErrUnsupported, unless AllowSHA1.
func TestParseCSRSHA1(t *testing.T) {
	dir := t.TempDir()
	for _, kt := range []KeyType{KeyRSA2048, KeyECP256} {
		t.Run(string(kt), func(t *testing.T) {
			keyFile := mustKeyWrite(t, filepath.Join(dir, string(kt)+".pem"), mustKeyPEM(t, kt))
			data := keyTestOpenSSL(t, dir, "req", "-new", "-sha1", "-key", keyFile, "-subj", "/CN=sha1")
			_, err := ParseCSR(data)
			if !errors.Is(err, ErrWeakSignature) || !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "SHA1") {
				t.Fatalf("ParseCSR(SHA-1) = %v, want ErrWeakSignature naming SHA-1", err)
			}
			csr, err := ParseCSRWithOptions(data, CSROptions{AllowSHA1: true})
			if err != nil || csr.Subject.CommonName != "sha1" {
				t.Fatalf("ParseCSRWithOptions(AllowSHA1) = %v", err)
			}
			// SHA-256 is not affected by the option either way.
			good := keyTestOpenSSL(t, dir, "req", "-new", "-sha256", "-key", keyFile, "-subj", "/CN=sha256")
			if _, err := ParseCSR(good); err != nil {
				t.Errorf("ParseCSR(SHA-256) = %v", err)
			}
		})
	}
}
