package x509util

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// TestIssueRawSubjectFromCSR: the subject of a CSR openssl makes with a multi-valued RDN, all
// UTF8String, is written into the certificate byte for byte (one RDN, not two; UID kept a
// UTF8String), as openssl shows it.
func TestIssueRawSubjectFromCSR(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	_, inter, interKey := testCA(t)
	keyFile := mustKeyWrite(t, filepath.Join(dir, "k.pem"), mustKeyPEM(t, KeyECP256))
	data := testutil.Run(t, openssl, "req", "-new", "-key", keyFile, "-utf8", "-multivalue-rdn",
		"-subj", "/O=Example/CN=Jürgen Müller+UID=42")
	csr, err := ParseCSR(data)
	if err != nil {
		t.Fatal(err)
	}
	leaf := mustIssue(t, IssueRequest{Profile: ProfileClient, RawSubject: csr.RawSubject, PublicKey: csr.PublicKey,
		Issuer: inter, IssuerKey: interKey})
	if !bytes.Equal(leaf.RawSubject, csr.RawSubject) {
		t.Fatalf("subject changed:\n csr  %x\n cert %x", csr.RawSubject, leaf.RawSubject)
	}
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(leaf.RawSubject, &seq); err != nil || len(seq) != 2 || len(seq[1]) != 2 {
		t.Fatalf("subject RDNs %v (%v), want 2 with the second multi-valued", seq, err)
	}
	certFile := writePEM(t, filepath.Join(dir, "leaf.pem"), "CERTIFICATE", leaf.Raw)
	out := string(testutil.Run(t, openssl, "x509", "-in", certFile, "-noout", "-subject", "-nameopt", "RFC2253,-esc_msb"))
	if want := "subject=CN=Jürgen Müller+UID=42,O=Example"; strings.TrimSpace(out) != want {
		t.Errorf("openssl shows %q, want %q", strings.TrimSpace(out), want)
	}
}

// TestIssueSubjectMultiValued: a --subject with '+' (RFC 4514) or OpenSSL's form gives one
// multi-valued RDN, with the string types of ParseDN's rules (CN UTF8String when it must be,
// UID PrintableString, emailAddress IA5String), in DER order inside the SET.
func TestIssueSubjectMultiValued(t *testing.T) {
	_, inter, interKey := testCA(t)
	for _, s := range []string{"CN=Jürgen Müller+UID=42+emailAddress=jm@example.com,O=Example", "/O=Example/CN=Jürgen Müller+UID=42+emailAddress=jm@example.com"} {
		t.Run(s, func(t *testing.T) {
			seq, err := ParseRDNSequence(s)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := asn1.Marshal(seq)
			if err != nil {
				t.Fatal(err)
			}
			// The mailbox also as a SAN, as RFC 5280 4.1.2.6 wants (TestIssueSubjectEmailNeedsSAN).
			leaf := mustIssue(t, IssueRequest{Profile: ProfileClient, RawSubject: raw, EmailAddresses: []string{"jm@example.com"},
				PublicKey: issueTestKey(t, "p256b").Public(), Issuer: inter, IssuerKey: interKey})
			var rdns []asn1.RawValue
			rest, err := asn1.Unmarshal(leaf.RawSubject, &rdns)
			if err != nil || len(rest) > 0 || len(rdns) != 2 {
				t.Fatalf("subject: %d RDNs (%v), want 2", len(rdns), err)
			}
			var set []asn1.RawValue
			if _, err := asn1.UnmarshalWithParams(rdns[1].FullBytes, &set, "set"); err != nil || len(set) != 3 {
				t.Fatalf("second RDN: %d attributes (%v), want 3", len(set), err)
			}
			tags := map[string]int{}
			for i, el := range set {
				if i > 0 && bytes.Compare(set[i-1].FullBytes, el.FullBytes) > 0 {
					t.Errorf("attributes %d and %d out of DER order", i-1, i)
				}
				var atv struct {
					Type  asn1.ObjectIdentifier
					Value asn1.RawValue
				}
				if _, err := asn1.Unmarshal(el.FullBytes, &atv); err != nil {
					t.Fatal(err)
				}
				tags[atv.Type.String()] = atv.Value.Tag
			}
			want := map[string]int{"2.5.4.3": asn1.TagUTF8String, "0.9.2342.19200300.100.1.1": asn1.TagPrintableString, "1.2.840.113549.1.9.1": asn1.TagIA5String}
			for oid, tag := range want {
				if tags[oid] != tag {
					t.Errorf("%s encoded with tag %d, want %d", oid, tags[oid], tag)
				}
			}
		})
	}
}

// TestIssueRawSubjectRefused: a RawSubject that is not one DER Name, or that holds a control
// character, is refused before anything is signed.
func TestIssueRawSubjectRefused(t *testing.T) {
	_, inter, interKey := testCA(t)
	ctl, err := asn1.Marshal(pkix.RDNSequence{{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "a\x1b[2Jb"}}})
	if err != nil {
		t.Fatal(err)
	}
	good, _ := asn1.Marshal(pkix.RDNSequence{{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "a"}}})
	for name, raw := range map[string][]byte{
		"garbage":           []byte("not DER"),
		"trailing bytes":    append(append([]byte(nil), good...), 0),
		"control character": ctl,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := IssueCertificate(IssueRequest{Profile: ProfileClient, RawSubject: raw, PublicKey: issueTestKey(t, "p256b").Public(),
				Issuer: inter, IssuerKey: interKey, Now: issueNow})
			if !errors.Is(err, ErrInvalidName) {
				t.Errorf("IssueCertificate = %v, want ErrInvalidName", err)
			}
		})
	}
}
