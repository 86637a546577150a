package enroll

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"

	"github.com/signet-pki/signet/x509util"
)

// TestEnrollIssuesTheSubjectAsGiven: the certificate enroll issues with --ca carries the
// subject asked for, byte for byte, as cert create writes a --subject and as the CSR enroll
// makes carries it. Enroll issued from pkix.Name's re-encoding of it, which keeps only the
// attributes pkix.Name has fields for: 'enroll --subject "CN=alice+UID=42,title=Dr,
// DC=example,DC=com"' put a certificate for "CN=alice" on the token, the UID, title and
// domain components dropped without a word, the multi-valued RDN split and the rest
// reordered (found by the issuing campaign's token family, interop/ic_campaign_test.go).
func TestEnrollIssuesTheSubjectAsGiven(t *testing.T) {
	topts := tokenOptions(t)
	ca, caKey := caCert(t, pkix.Name{CommonName: "IC CA"}, nil, nil, nil)
	const dn = "CN=alice+UID=42,title=Dr,emailAddress=alice@example.com,DC=example,DC=com,O=Ex+OU=Lab,C=DE"
	seq, err := x509util.ParseRDNSequence(dn)
	if err != nil {
		t.Fatal(err)
	}
	want, err := asn1.Marshal(seq)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Enroll(Options{Token: "pkcs11:token=alice;object=client", TokenOptions: topts, Subject: seq,
		SANs: x509util.SANs{EmailAddresses: []string{"alice@example.com"}}, CA: []*x509.Certificate{ca}, CAKey: caKey})
	if err != nil {
		t.Fatal(err)
	}
	var leaf *x509.Certificate
	for _, o := range tokenCerts(t, topts) {
		if o.Certificate != nil && !o.Certificate.IsCA {
			leaf = o.Certificate
		}
	}
	if leaf == nil {
		t.Fatal("no certificate enrolled")
	}
	if !bytes.Equal(leaf.RawSubject, want) {
		t.Errorf("enrolled subject %s (reported %q), want %s", x509util.FormatName(leaf.Subject), res.Subject, dn)
	}
	// Run again, the enrolment is found as it is: nothing changes.
	again, err := Enroll(Options{Token: "pkcs11:token=alice;object=client", TokenOptions: topts, Subject: seq,
		SANs: x509util.SANs{EmailAddresses: []string{"alice@example.com"}}, CA: []*x509.Certificate{ca}, CAKey: caKey})
	if err != nil || !again.AlreadyEnrolled {
		t.Errorf("again: %+v, %v; want already enrolled", again, err)
	}
}
