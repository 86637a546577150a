package x509util

import (
	"bytes"
	"crypto"
	"encoding/pem"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// TestCreateCSROpenSSL: a CSR from every key type passes `openssl req -verify` and shows the
// subject and SANs as written.
func TestCreateCSROpenSSL(t *testing.T) {
	dir := t.TempDir()
	subject, err := ParseRDNSequence("CN=alice,OU=Release Engineering,O=Example Corp,C=US")
	if err != nil {
		t.Fatal(err)
	}
	sans, err := ParseSANs([]string{"dns:www.example.com", "dns:*.example.com", "ip:192.0.2.1", "ip:2001:db8::1", "email:alice@example.com", "uri:spiffe://example.org/ci"})
	if err != nil {
		t.Fatal(err)
	}
	sigNames := map[KeyType]string{
		KeyECP256:  "ecdsa-with-SHA256",
		KeyECP384:  "ecdsa-with-SHA384",
		KeyECP521:  "ecdsa-with-SHA512",
		KeyEd25519: "ED25519",
		KeyRSA2048: "sha256WithRSAEncryption",
		KeyRSA3072: "sha256WithRSAEncryption",
	}
	for _, kt := range keyTestTypes {
		t.Run(string(kt), func(t *testing.T) {
			csr, err := CreateCSR(mustKeyGen(t, kt), subject, sans)
			if err != nil {
				t.Fatal(err)
			}
			file := mustKeyWrite(t, filepath.Join(dir, string(kt)+".csr"), MarshalCSRPEM(csr))
			text := string(keyTestOpenSSL(t, dir, "req", "-in", file, "-verify", "-noout", "-text"))
			for _, want := range []string{
				"Subject: C = US, O = Example Corp, OU = Release Engineering, CN = alice",
				"DNS:www.example.com, DNS:*.example.com, email:alice@example.com, IP Address:192.0.2.1, IP Address:2001:DB8:0:0:0:0:0:1, URI:spiffe://example.org/ci",
				"Signature Algorithm: " + sigNames[kt],
			} {
				if !strings.Contains(text, want) {
					t.Errorf("openssl req -text lacks %q:\n%s", want, text)
				}
			}
			back, err := ParseCSR(MarshalCSRPEM(csr))
			if err != nil {
				t.Fatalf("ParseCSR: %v", err)
			}
			if !bytes.Equal(back.Raw, csr.Raw) || back.Subject.CommonName != "alice" || len(back.DNSNames) != 2 {
				t.Errorf("ParseCSR read back %+v", back.Subject)
			}
			if _, err := ParseCSR(csr.Raw); err != nil {
				t.Errorf("ParseCSR(DER): %v", err)
			}
		})
	}
}

// TestCSRSubjectAsOpenSSLShowsIt: both DN forms give the name a user expects in openssl's
// display, and the RFC 4514 form round-trips through openssl's RFC2253 output.
func TestCSRSubjectAsOpenSSLShowsIt(t *testing.T) {
	dir := t.TempDir()
	key := mustKeyGen(t, KeyEd25519)
	tests := []struct {
		name, dn, openssl, rfc2253 string
	}{
		{"rfc4514", "CN=alice,O=Example Corp,C=US", "subject=C = US, O = Example Corp, CN = alice", "subject=CN=alice,O=Example Corp,C=US"},
		{"openssl form", "/C=US/O=Example Corp/CN=alice", "subject=C = US, O = Example Corp, CN = alice", "subject=CN=alice,O=Example Corp,C=US"},
		{"multi-valued", "CN=alice+UID=42,O=Example", "subject=O = Example, CN = alice + UID = 42", ""},
		{"escaped comma", `CN=Doe\, John,O=Example`, `subject=O = Example, CN = "Doe, John"`, `subject=CN=Doe\, John,O=Example`},
		{"email and DC", "emailAddress=a@example.com,CN=a,DC=example,DC=com", "subject=DC = com, DC = example, CN = a, emailAddress = a@example.com", "subject=emailAddress=a@example.com,CN=a,DC=example,DC=com"},
		{"UTF-8", "CN=Jürgen,C=DE", "subject=C = DE, CN = J\\C3\\BCrgen", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			subject, err := ParseRDNSequence(tc.dn)
			if err != nil {
				t.Fatal(err)
			}
			csr, err := CreateCSR(key, subject, SANs{})
			if err != nil {
				t.Fatal(err)
			}
			file := mustKeyWrite(t, filepath.Join(dir, tc.name+".csr"), MarshalCSRPEM(csr))
			if got := strings.TrimSpace(string(keyTestOpenSSL(t, dir, "req", "-in", file, "-noout", "-subject"))); got != tc.openssl {
				t.Errorf("openssl req -subject = %q, want %q", got, tc.openssl)
			}
			if tc.rfc2253 != "" {
				got := strings.TrimSpace(string(keyTestOpenSSL(t, dir, "req", "-in", file, "-noout", "-subject", "-nameopt", "RFC2253")))
				if got != tc.rfc2253 {
					t.Errorf("openssl -nameopt RFC2253 = %q, want %q", got, tc.rfc2253)
				}
			}
		})
	}
}

// keyTestWrongSigner claims one public key and signs with another key, as a token that picked
// the wrong object would.
type keyTestWrongSigner struct {
	crypto.Signer
	claimed crypto.PublicKey
}

func (s keyTestWrongSigner) Public() crypto.PublicKey { return s.claimed }
func (s keyTestWrongSigner) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	return s.Signer.Sign(r, d, o)
}

func TestCreateCSRErrors(t *testing.T) {
	key := mustKeyGen(t, KeyECP256)
	subject, _ := ParseRDNSequence("CN=x")
	if _, err := CreateCSR(key, nil, SANs{}); !errors.Is(err, ErrInvalidName) {
		t.Errorf("no subject, no SANs: %v, want ErrInvalidName", err)
	}
	if _, err := CreateCSR(key, nil, SANs{DNSNames: []string{"only.example"}}); err != nil {
		t.Errorf("SANs only: %v", err)
	}
	other, err := GenerateKey(KeyECP256)
	if err != nil {
		t.Fatal(err)
	}
	wrong := keyTestWrongSigner{Signer: other, claimed: key.Public()}
	if _, err := CreateCSR(wrong, subject, SANs{}); !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("signer signing with another key: %v, want ErrKeyMismatch", err)
	}
}

func TestParseCSR(t *testing.T) {
	dir := t.TempDir()
	keyFile := mustKeyWrite(t, filepath.Join(dir, "k.pem"), mustKeyPEM(t, KeyECP384))
	openCSR := keyTestOpenSSL(t, dir, "req", "-new", "-key", keyFile, "-subj", "/CN=from openssl", "-addext", "subjectAltName=DNS:a.example")
	csr, err := ParseCSR(openCSR)
	if err != nil {
		t.Fatalf("ParseCSR(openssl's CSR): %v", err)
	}
	if csr.Subject.CommonName != "from openssl" || len(csr.DNSNames) != 1 {
		t.Errorf("read %+v %v", csr.Subject, csr.DNSNames)
	}
	block, _ := pem.Decode(openCSR)
	old := pem.EncodeToMemory(&pem.Block{Type: "NEW CERTIFICATE REQUEST", Bytes: block.Bytes})
	if _, err := ParseCSR(old); err != nil {
		t.Errorf("NEW CERTIFICATE REQUEST: %v", err)
	}

	tampered := bytes.Clone(block.Bytes)
	i := bytes.Index(tampered, []byte("from openssl"))
	tampered[i] = 'F'
	tests := []struct {
		name   string
		data   []byte
		target error
		want   string
	}{
		{"tampered subject", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: tampered}), ErrMalformed, "does not verify"},
		{"garbage", []byte("not a csr"), ErrMalformed, "not a certificate signing request"},
		{"empty", nil, ErrMalformed, "empty"},
		{"truncated", openCSR[:len(openCSR)/2], ErrMalformed, "truncated"},
		{"a key instead", mustKeyPEM(t, KeyEd25519), ErrMalformed, "PRIVATE KEY"},
		{"truncated DER", block.Bytes[:50], ErrMalformed, "not a certificate signing request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCSR(tc.data)
			if !errors.Is(err, tc.target) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseCSR = %v; want %v mentioning %q", err, tc.target, tc.want)
			}
		})
	}
}

func mustKeyPEM(t *testing.T, kt KeyType) []byte {
	t.Helper()
	b, err := MarshalPrivateKey(mustKeyGen(t, kt), nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
