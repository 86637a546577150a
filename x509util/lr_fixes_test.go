package x509util

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"testing"
)

// TestIssueSubjectEmailNotAStringRefused: a subject emailAddress whose value is not a string
// (a CSR's subject is issued as it comes: here an OCTET STRING, or an INTEGER) is refused
// by CheckProfileNames, ErrInvalidName (exit 2), before any key is opened. checkSubjectEmails
// skipped it, and only crypto/x509, writing the certificate after the CA's key was opened
// (its passphrase asked), refused it, with an error of no kind signet knows.
func TestIssueSubjectEmailNotAStringRefused(t *testing.T) {
	_, inter, interKey := testCA(t)
	leafKey := issueTestKey(t, "p256b")
	for _, v := range []any{
		asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagOctetString, Bytes: []byte("alice@example.com")},
		42,
	} {
		seq := pkix.RDNSequence{
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "alice"}},
			{{Type: oidEmailAddress, Value: v}},
		}
		raw, err := asn1.Marshal(seq)
		if err != nil {
			t.Fatal(err)
		}
		req := IssueRequest{Profile: ProfileClient, RawSubject: raw, EmailAddresses: []string{"alice@example.com"},
			PublicKey: leafKey.Public(), Issuer: inter, IssuerKey: interKey, Now: issueNow}
		if err := CheckProfileNames(req); !errors.Is(err, ErrInvalidName) {
			t.Errorf("%v: CheckProfileNames = %v, want ErrInvalidName", v, err)
		}
		if _, err := IssueCertificate(req); !errors.Is(err, ErrInvalidName) {
			t.Errorf("%v: IssueCertificate = %v, want ErrInvalidName", v, err)
		}
	}
}

// TestKXWrongPassphraseExplainsNoUnsupported: the key-file campaign held a wrong passphrase to
// ErrIncorrectPassphrase, but excused ErrUnsupported for any key of a type signet refuses whose
// encryption it reads ("unsupported-key", "possible only by luck"): a reader that named an Ed448
// key unsupported without the passphrase decrypting it (from bytes a wrong key garbled) passed.
// No seed of 1:1500 used the excuse; it is gone, and such a result is wrong.
func TestKXWrongPassphraseExplainsNoUnsupported(t *testing.T) {
	c := kxCase{mutate: "wrongpass", refused: "Ed448", encrypted: true, pass: "a passphrase"}
	res := kxResult{err: fmt.Errorf("%w: private key algorithm Ed448", ErrUnsupported), asked: 1}
	if wrong, why := kxCheck(c, res); wrong == "" {
		t.Errorf("explained (%q): a wrong passphrase gave ErrUnsupported", why)
	}
}
