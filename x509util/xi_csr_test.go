package x509util

import (
	"bytes"
	"encoding/pem"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseCSRSHA1PSS: a CSR openssl signs with RSASSA-PSS over SHA-1 was refused as
// "RSASSA-PSS parameters signet does not verify" (ErrUnsupported) even with AllowSHA1, which
// accepts the same request signed with PKCS#1 v1.5 and SHA-1. AllowSHA1 now means SHA-1 for
// both: without it the PSS request is refused as weak (ErrWeakSignature, naming SHA-1), with
// it accepted and its signature checked (a flipped bit is refused), and inspection shows it
// as valid as it shows a PKCS#1 SHA-1 one. A certificate signed so is still refused by
// CheckSignature: verification takes no SHA-1.
func TestParseCSRSHA1PSS(t *testing.T) {
	dir := t.TempDir()
	keyFile := mustKeyWrite(t, filepath.Join(dir, "rsa.pem"), mustKeyPEM(t, KeyRSA2048))
	for _, opts := range [][]string{
		{"-sha1", "-sigopt", "rsa_padding_mode:pss"},
		{"-sha1", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:20"},
		{"-sha1", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_mgf1_md:sha1", "-sigopt", "rsa_pss_saltlen:0"},
	} {
		t.Run(strings.Join(opts[1:], " "), func(t *testing.T) {
			data := keyTestOpenSSL(t, dir, append([]string{"req", "-new", "-key", keyFile, "-subj", "/CN=pss-sha1"}, opts...)...)
			_, err := ParseCSR(data)
			if !errors.Is(err, ErrWeakSignature) || !strings.Contains(err.Error(), "SHA1") {
				t.Fatalf("ParseCSR = %v, want ErrWeakSignature naming SHA-1", err)
			}
			csr, err := ParseCSRWithOptions(data, CSROptions{AllowSHA1: true})
			if err != nil || csr.Subject.CommonName != "pss-sha1" {
				t.Fatalf("ParseCSRWithOptions(AllowSHA1) = %v", err)
			}
			if d := DescribeCSR(csr); !d.SignatureValid || !strings.HasPrefix(d.SignatureAlgorithm, "SHA1-RSAPSS") {
				t.Errorf("DescribeCSR: %q valid %v (%s)", d.SignatureAlgorithm, d.SignatureValid, d.SignatureError)
			}
			if err := CheckSignature(csr.PublicKey, csr.SignatureAlgorithm, csr.Raw, csr.RawTBSCertificateRequest, csr.Signature); !errors.Is(err, ErrUnsupported) {
				t.Errorf("CheckSignature (as verification calls it) = %v, want ErrUnsupported", err)
			}
			block, _ := pem.Decode(data)
			bad := bytes.Clone(block.Bytes)
			bad[len(bad)-1] ^= 1
			if _, err := ParseCSRWithOptions(bad, CSROptions{AllowSHA1: true}); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "does not verify") {
				t.Errorf("altered signature: %v, want ErrMalformed: does not verify", err)
			}
		})
	}
}
