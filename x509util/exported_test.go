package x509util

import (
	"crypto/x509"
	"encoding/asn1"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestPolicyListsAreCopies: what x509util exports as lists are copies, so an importer that
// changes them changes nothing for anyone: the OID a name such as codeSigning stands for,
// which files of a directory of roots are read, the profiles, key types and revocation reasons.
func TestPolicyListsAreCopies(t *testing.T) {
	anyEKU := asn1.ObjectIdentifier{2, 5, 29, 37, 0}
	for _, e := range ExtKeyUsages() {
		copy(e.OID, anyEKU)
	}
	e, ok := ExtKeyUsageByName("codeSigning")
	if !ok || !e.OID.Equal(asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}) || e.Usage != x509.ExtKeyUsageCodeSigning {
		t.Fatalf("codeSigning is now %v", e)
	}
	e.OID[0] = 2 // nor through what ExtKeyUsageByName returned
	if oid := ExtKeyUsageOID(x509.ExtKeyUsageCodeSigning); !oid.Equal(asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}) {
		t.Fatalf("codeSigning's OID is now %v", oid)
	}
	ExtKeyUsageOID(x509.ExtKeyUsageCodeSigning)[0] = 2
	if _, ok := ExtKeyUsageByOID(asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}); !ok {
		t.Fatal("codeSigning's OID is unknown now")
	}

	// A directory of roots: a .txt file is never read as a certificate.
	dir := t.TempDir()
	root := mustCertfileFixture(t, "root-ca.pem")
	if err := os.WriteFile(filepath.Join(dir, "root.txt"), root, 0o644); err != nil {
		t.Fatal(err)
	}
	exts := CertificateFileExtensions()
	exts[0] = ".txt"
	if certs, err := LoadCertificates(dir); err == nil && len(certs) > 0 {
		t.Fatalf("a changed extension list made %d certificate(s) trusted", len(certs))
	}
	crl := CRLFileExtensions()
	crl[0] = ".txt"
	if slices.Contains(CRLFileExtensions(), ".txt") {
		t.Fatal("CRLFileExtensions changed")
	}

	p := Profiles()
	p[0] = "anything"
	if _, err := ParseProfile("anything"); err == nil {
		t.Error("a changed Profiles list made a profile")
	}
	k := KeyTypes()
	k[0] = "rsa-1024"
	if _, err := ParseKeyType("rsa-1024"); err == nil {
		t.Error("a changed KeyTypes list made a key type")
	}
	r := RevocationReasons()
	r["keyCompromise"] = 0
	if c, err := ParseReason("keyCompromise"); err != nil || c != 1 {
		t.Errorf("keyCompromise is now %d, %v", c, err)
	}
	n := DNAttributeNames()
	n[0] = "XX"
	if DNAttributeNames()[0] != "CN" {
		t.Error("DNAttributeNames changed")
	}
}
