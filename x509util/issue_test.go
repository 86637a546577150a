package x509util

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
)

var issueNow = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// issueTestKey returns the test run's key of a kind; p256, p256b and p256c are three distinct
// P-256 keys, rsa and rsa2 two RSA-2048 keys.
func issueTestKey(t testing.TB, kind string) crypto.Signer {
	t.Helper()
	switch kind {
	case "p256b", "p256c":
		kind = "p256/" + kind[4:]
	case "rsa":
		kind = "rsa2048"
	case "rsa2":
		kind = "rsa2048/2"
	}
	return testutil.Key(t, kind)
}

func mustIssue(t testing.TB, req IssueRequest) *x509.Certificate {
	t.Helper()
	if req.Now.IsZero() {
		req.Now = issueNow
	}
	got, err := IssueCertificate(req)
	if err != nil {
		t.Fatalf("IssueCertificate(%s): %v", req.Profile, err)
	}
	return got.Certificate
}

func writePEM(t *testing.T, path, typ string, ders ...[]byte) string {
	t.Helper()
	var b strings.Builder
	for _, d := range ders {
		b.Write(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: d}))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// testCA issues a root (P-256) and an intermediate (RSA) for the tests.
func testCA(t *testing.T) (root, inter *x509.Certificate, interKey crypto.Signer) {
	t.Helper()
	rootKey := issueTestKey(t, "p256")
	root = mustIssue(t, IssueRequest{Profile: ProfileRootCA, Subject: pkix.Name{CommonName: "Test Root"},
		PublicKey: rootKey.Public(), IssuerKey: rootKey})
	interKey = issueTestKey(t, "rsa")
	inter = mustIssue(t, IssueRequest{Profile: ProfileIntermediateCA, Subject: pkix.Name{CommonName: "Test Intermediate"},
		PublicKey: interKey.Public(), Issuer: root, IssuerKey: rootKey})
	return root, inter, interKey
}

func TestIssueProfilesVerifyWithOpenSSL(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	root, inter, interKey := testCA(t)
	rootPEM := writePEM(t, filepath.Join(dir, "root.pem"), "CERTIFICATE", root.Raw)
	interPEM := writePEM(t, filepath.Join(dir, "int.pem"), "CERTIFICATE", inter.Raw)

	tests := []struct {
		profile Profile
		key     string
		req     IssueRequest
		// purpose is the line `openssl x509 -purpose` must show; OpenSSL 3.0 has no code-signing
		// purpose, so for that profile it is the EKU as `openssl x509 -text` names it.
		purpose string
		eku     x509.ExtKeyUsage
	}{
		{ProfileServer, "p384", IssueRequest{DNSNames: []string{"www.example.com"}}, "SSL server : Yes", x509.ExtKeyUsageServerAuth},
		{ProfileServer, "rsa2", IssueRequest{DNSNames: []string{"rsa.example.com"}}, "SSL server : Yes", x509.ExtKeyUsageServerAuth},
		{ProfileClient, "p256b", IssueRequest{Subject: pkix.Name{CommonName: "alice"}}, "SSL client : Yes", x509.ExtKeyUsageClientAuth},
		{ProfileCodeSigning, "ed25519", IssueRequest{Subject: pkix.Name{CommonName: "Release Bot"}}, "Code Signing", x509.ExtKeyUsageCodeSigning},
		{ProfileEmail, "p256c", IssueRequest{Subject: pkix.Name{CommonName: "bob"}, EmailAddresses: []string{"bob@example.com"}}, "S/MIME signing : Yes", x509.ExtKeyUsageEmailProtection},
		// OpenSSL's timestamp purpose requires the EKU timeStamping alone and critical.
		{ProfileTSA, "rsa2", IssueRequest{Subject: pkix.Name{CommonName: "Test TSA"}}, "Time Stamp signing : Yes", x509.ExtKeyUsageTimeStamping},
	}
	for _, tt := range tests {
		t.Run(string(tt.profile)+"-"+tt.key, func(t *testing.T) {
			req := tt.req
			req.Profile = tt.profile
			req.PublicKey = issueTestKey(t, tt.key).Public()
			req.Issuer, req.IssuerKey = inter, interKey
			leaf := mustIssue(t, req)

			if len(leaf.ExtKeyUsage) != 1 || leaf.ExtKeyUsage[0] != tt.eku {
				t.Errorf("EKU = %v, want [%v]", leaf.ExtKeyUsage, tt.eku)
			}
			_, isRSA := req.PublicKey.(*rsa.PublicKey)
			if got := leaf.KeyUsage&x509.KeyUsageKeyEncipherment != 0; got != (isRSA && tt.profile != ProfileCodeSigning && tt.profile != ProfileTSA && tt.profile != ProfileClient) {
				t.Errorf("keyEncipherment = %v for a %s key", got, tt.key)
			}
			if leaf.SerialNumber.Sign() <= 0 || leaf.SerialNumber.BitLen() < 64 {
				t.Errorf("serial %v is not positive with at least 64 bits", leaf.SerialNumber)
			}
			if len(leaf.SubjectKeyId) == 0 || string(leaf.AuthorityKeyId) != string(inter.SubjectKeyId) {
				t.Errorf("SKI/AKI missing or wrong: ski=%x aki=%x issuer ski=%x", leaf.SubjectKeyId, leaf.AuthorityKeyId, inter.SubjectKeyId)
			}
			leafPEM := writePEM(t, filepath.Join(dir, t.Name()[strings.LastIndex(t.Name(), "/")+1:]+".pem"), "CERTIFICATE", leaf.Raw)
			testutil.Run(t, openssl, "verify", "-attime", "1780272000", "-CAfile", rootPEM, "-untrusted", interPEM, leafPEM)
			out := string(testutil.Run(t, openssl, "x509", "-in", leafPEM, "-noout", "-purpose", "-ext", "extendedKeyUsage"))
			if !strings.Contains(out, tt.purpose) {
				t.Errorf("openssl x509 -purpose does not show %q:\n%s", tt.purpose, out)
			}
		})
	}
}

func TestIssueRefusals(t *testing.T) {
	root, inter, interKey := testCA(t)
	leafKey := issueTestKey(t, "p256b")
	leaf := mustIssue(t, IssueRequest{Profile: ProfileClient, Subject: pkix.Name{CommonName: "leaf"},
		PublicKey: leafKey.Public(), Issuer: inter, IssuerKey: interKey})
	tests := []struct {
		name string
		req  IssueRequest
		want error
	}{
		{"issuer is not a CA", IssueRequest{Profile: ProfileClient, Subject: pkix.Name{CommonName: "x"}, Issuer: leaf, IssuerKey: leafKey}, ErrIssuer},
		{"CA key does not match", IssueRequest{Profile: ProfileClient, Subject: pkix.Name{CommonName: "x"}, Issuer: inter, IssuerKey: leafKey}, ErrIssuer},
		{"server without SAN", IssueRequest{Profile: ProfileServer, Subject: pkix.Name{CommonName: "www"}, Issuer: inter, IssuerKey: interKey}, ErrInvalidName},
		{"email without email SAN", IssueRequest{Profile: ProfileEmail, Subject: pkix.Name{CommonName: "bob"}, Issuer: inter, IssuerKey: interKey}, ErrInvalidName},
		{"code signing without subject", IssueRequest{Profile: ProfileCodeSigning, Issuer: inter, IssuerKey: interKey}, ErrInvalidName},
		{"intermediate without issuer", IssueRequest{Profile: ProfileIntermediateCA, Subject: pkix.Name{CommonName: "i"}, IssuerKey: leafKey}, ErrIssuer},
		{"self-signed by another key", IssueRequest{Profile: ProfileRootCA, Subject: pkix.Name{CommonName: "r"}, IssuerKey: interKey}, ErrIssuer},
		{"ends before it starts", IssueRequest{Profile: ProfileClient, Subject: pkix.Name{CommonName: "x"}, Issuer: inter, IssuerKey: interKey,
			NotBefore: issueNow, NotAfter: issueNow.Add(-time.Hour)}, ErrValidity},
		{"ends after 9999", IssueRequest{Profile: ProfileRootCA, Subject: pkix.Name{CommonName: "r"}, IssuerKey: leafKey,
			NotBefore: issueNow, NotAfter: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, ErrValidity},
		{"starts before 1950", IssueRequest{Profile: ProfileRootCA, Subject: pkix.Name{CommonName: "r"}, IssuerKey: leafKey,
			NotBefore: time.Date(1949, 12, 31, 0, 0, 0, 0, time.UTC), NotAfter: issueNow}, ErrValidity},
	}
	_ = root
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.Now = issueNow
			if tt.req.PublicKey == nil {
				tt.req.PublicKey = leafKey.Public()
			}
			_, err := IssueCertificate(tt.req)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestIssueClipsToIssuer(t *testing.T) {
	_, inter, interKey := testCA(t)
	got, err := IssueCertificate(IssueRequest{Profile: ProfileClient, Subject: pkix.Name{CommonName: "long"},
		PublicKey: issueTestKey(t, "p256b").Public(), Issuer: inter, IssuerKey: interKey,
		Now: issueNow, NotAfter: inter.NotAfter.Add(1000 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Certificate.NotAfter.Equal(inter.NotAfter) || len(got.Warnings) == 0 {
		t.Errorf("NotAfter = %v (issuer ends %v), warnings %q: want clipped with a warning", got.Certificate.NotAfter, inter.NotAfter, got.Warnings)
	}
}

func TestIssuePathLen(t *testing.T) {
	root, _, _ := testCA(t)
	if root.MaxPathLen != -1 || root.MaxPathLenZero {
		t.Errorf("root path length = %d (zero=%v), want unlimited", root.MaxPathLen, root.MaxPathLenZero)
	}
	rootKey := issueTestKey(t, "p256")
	one := 1
	inter := mustIssue(t, IssueRequest{Profile: ProfileIntermediateCA, Subject: pkix.Name{CommonName: "i1"},
		PublicKey: issueTestKey(t, "p384").Public(), Issuer: root, IssuerKey: rootKey, MaxPathLen: &one})
	if inter.MaxPathLen != 1 {
		t.Errorf("MaxPathLen = %d, want 1", inter.MaxPathLen)
	}
}

func TestCreateCRLWithOpenSSL(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	root, inter, interKey := testCA(t)
	leafKey := issueTestKey(t, "p256b")
	revoked := mustIssue(t, IssueRequest{Profile: ProfileCodeSigning, Subject: pkix.Name{CommonName: "revoked"},
		PublicKey: leafKey.Public(), Issuer: inter, IssuerKey: interKey})
	good := mustIssue(t, IssueRequest{Profile: ProfileCodeSigning, Subject: pkix.Name{CommonName: "good"},
		PublicKey: leafKey.Public(), Issuer: inter, IssuerKey: interKey})

	der, crl, err := CreateCRL(CRLRequest{Issuer: inter, IssuerKey: interKey, Now: issueNow, Number: big.NewInt(7),
		Revoked: []x509.RevocationListEntry{{SerialNumber: revoked.SerialNumber, RevocationTime: issueNow.Add(-time.Hour), ReasonCode: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if crl.Number.Int64() != 7 || len(crl.RevokedCertificateEntries) != 1 {
		t.Fatalf("CRL number %v, %d entries", crl.Number, len(crl.RevokedCertificateEntries))
	}
	crlPEM := writePEM(t, filepath.Join(dir, "int.crl"), "X509 CRL", der)
	rootPEM := writePEM(t, filepath.Join(dir, "root.pem"), "CERTIFICATE", root.Raw)
	interPEM := writePEM(t, filepath.Join(dir, "int.pem"), "CERTIFICATE", inter.Raw)
	testutil.Run(t, openssl, "crl", "-in", crlPEM, "-CAfile", interPEM, "-noout")

	// openssl verify -crl_check needs the whole chain in -CAfile.
	chain := writePEM(t, filepath.Join(dir, "chain.pem"), "CERTIFICATE", root.Raw, inter.Raw)
	attime := "1780272000" // 2026-06-01
	testutil.Run(t, openssl, "verify", "-attime", attime, "-crl_check", "-CAfile", chain, "-CRLfile", crlPEM,
		writePEM(t, filepath.Join(dir, "good.pem"), "CERTIFICATE", good.Raw))
	_, errOut, err := testutil.RunErr(openssl, "verify", "-attime", attime, "-crl_check", "-CAfile", chain, "-CRLfile", crlPEM,
		writePEM(t, filepath.Join(dir, "revoked.pem"), "CERTIFICATE", revoked.Raw))
	if err == nil || !strings.Contains(string(errOut), "certificate revoked") {
		t.Errorf("openssl verify -crl_check accepted a revoked certificate: %v\n%s", err, errOut)
	}
	_ = rootPEM

	// A CA without cRLSign cannot sign CRLs.
	leafCA := mustIssue(t, IssueRequest{Profile: ProfileCodeSigning, Subject: pkix.Name{CommonName: "not a ca"},
		PublicKey: leafKey.Public(), Issuer: inter, IssuerKey: interKey})
	if _, _, err := CreateCRL(CRLRequest{Issuer: leafCA, IssuerKey: leafKey, Now: issueNow}); !errors.Is(err, ErrIssuer) {
		t.Errorf("CRL from a non-CA: error = %v, want ErrIssuer", err)
	}
}

func TestParseReason(t *testing.T) {
	for name, code := range RevocationReasons() {
		got, err := ParseReason(strings.ToUpper(name))
		if err != nil || got != code {
			t.Errorf("ParseReason(%q) = %d, %v; want %d", name, got, err, code)
		}
		if ReasonName(code) != name {
			t.Errorf("ReasonName(%d) = %q, want %q", code, ReasonName(code), name)
		}
	}
	if _, err := ParseReason("bogus"); !errors.Is(err, ErrInvalidName) {
		t.Errorf("ParseReason(bogus) error = %v", err)
	}
}

// A signer that signs with another key than it claims (a token that picked the wrong object)
// is caught by the signature check with ErrKeyMismatch, for certificates and CRLs alike, not
// recognised in the wording of crypto/x509's error.
func TestIssueWrongSigner(t *testing.T) {
	_, inter, interKey := testCA(t)
	wrong := keyTestWrongSigner{Signer: mustKeyGen(t, KeyRSA2048), claimed: interKey.Public()}
	_, err := IssueCertificate(IssueRequest{Profile: ProfileClient, Subject: pkix.Name{CommonName: "x"},
		PublicKey: issueTestKey(t, "p256b").Public(), Issuer: inter, IssuerKey: wrong, Now: issueNow})
	if !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("IssueCertificate = %v, want ErrKeyMismatch", err)
	}
	_, _, err = CreateCRL(CRLRequest{Issuer: inter, IssuerKey: wrong, Now: issueNow})
	if !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("CreateCRL = %v, want ErrKeyMismatch", err)
	}
}

// A CRL that ends before it starts is refused; one whose next update is past the end of its
// CA (even past what X.509 can encode) ends with the CA.
func TestCreateCRLValidity(t *testing.T) {
	_, inter, interKey := testCA(t)
	if _, _, err := CreateCRL(CRLRequest{Issuer: inter, IssuerKey: interKey, Now: issueNow, NextUpdate: issueNow.Add(-time.Hour)}); !errors.Is(err, ErrValidity) {
		t.Errorf("nextUpdate before thisUpdate: %v, want ErrValidity", err)
	}
	_, crl, err := CreateCRL(CRLRequest{Issuer: inter, IssuerKey: interKey, Now: issueNow, NextUpdate: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil || !crl.NextUpdate.Equal(inter.NotAfter) {
		t.Errorf("nextUpdate in the year 10000: %v, want the CA's end %v", err, inter.NotAfter)
	}
	if _, _, err := CreateCRL(CRLRequest{Issuer: inter, IssuerKey: interKey, Now: inter.NotAfter.Add(time.Second)}); !errors.Is(err, ErrIssuer) {
		t.Errorf("a CA expired: %v, want ErrIssuer", err)
	}
}

// TestCreateCRLNumberBounds: a CRL number is a non-negative INTEGER of at most 20 octets as
// DER writes it (RFC 5280 5.2.3), so at most 2^159-1. A larger one (a --number of 2^159 to
// 2^160-1, or the successor of a previous CRL's 2^159-1) is the caller's value refused
// (ErrInvalidName), not an error of crypto/x509 that nothing classifies.
func TestCreateCRLNumberBounds(t *testing.T) {
	_, inter, interKey := testCA(t)
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 159), big.NewInt(1))
	for _, n := range []*big.Int{big.NewInt(0), big.NewInt(1), max} {
		if _, crl, err := CreateCRL(CRLRequest{Issuer: inter, IssuerKey: interKey, Now: issueNow, Number: n}); err != nil || crl.Number.Cmp(n) != 0 {
			t.Errorf("number %v: %v", n, err)
		}
	}
	tooLong := []*big.Int{
		new(big.Int).Add(max, big.NewInt(1)),
		new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 160), big.NewInt(1)),
		new(big.Int).Lsh(big.NewInt(1), 200),
		big.NewInt(-1),
	}
	for _, n := range tooLong {
		if _, _, err := CreateCRL(CRLRequest{Issuer: inter, IssuerKey: interKey, Now: issueNow, Number: n}); !errors.Is(err, ErrInvalidName) {
			t.Errorf("number %v: %v; want ErrInvalidName", n, err)
		}
	}
}
