package enroll

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"strings"
	"testing"

	"github.com/signet-pki/signet/hsm"
	"github.com/signet-pki/signet/x509util"
)

// TestEnrollAgainRecognisesNoLossyReencoding: enroll recognises a certificate it issued
// before it issued the subject as given (793fd39) by pkix.Name's re-encoding of the subject
// asked for, but that re-encoding drops the attributes pkix.Name has no field for (UID, DC,
// title, emailAddress, a second CN). A token holding a certificate for "CN=alice" (issued
// for "CN=alice,UID=42" by the old enroll, which dropped the UID, or for plain CN=alice) was
// reported already enrolled, exit 0, for "CN=alice,UID=43": another person's certificate, or
// one without the attributes asked, kept without a word. Such a certificate is not the subject
// asked for (ErrExists, --force renews it); a re-encoding that only reorders attributes or
// splits a multi-valued RDN, as the old enroll issued "CN=a+OU=b,O=Example", is still
// recognised.
func TestEnrollAgainRecognisesNoLossyReencoding(t *testing.T) {
	topts := tokenOptions(t)
	root, rootKey := caCert(t, pkix.Name{CommonName: "Lossy Root"}, nil, nil, nil)
	dn := func(s string) pkix.RDNSequence {
		seq, err := x509util.ParseRDNSequence(s)
		if err != nil {
			t.Fatal(err)
		}
		return seq
	}
	// What the old enroll issued: pkix.Name's re-encoding of the subject asked for.
	old := func(s string) pkix.RDNSequence {
		var n pkix.Name
		n.FillFromRDNSequence(ptr(dn(s)))
		return n.ToRDNSequence()
	}
	for i, tc := range []struct {
		asked      string
		recognised bool
	}{
		{"CN=alice,UID=43", false},
		{"CN=alice,DC=example,DC=com", false},
		{"CN=alice,CN=bob", false},
		{"CN=a+OU=b,O=Example", true},
		{"CN=alice,O=Example,C=DE", true},
	} {
		token := "pkcs11:token=alice;object=lossy" + string(rune('a'+i))
		opts := Options{Token: token, TokenOptions: topts, Subject: old(tc.asked), CA: []*x509.Certificate{root}, CAKey: rootKey}
		if _, err := Enroll(opts); err != nil {
			t.Fatalf("%s: the old enrolment: %v", tc.asked, err)
		}
		opts.Subject = dn(tc.asked)
		again, err := Enroll(opts)
		switch {
		case tc.recognised && (err != nil || !again.AlreadyEnrolled):
			t.Errorf("%s: %+v, %v; want already enrolled", tc.asked, again, err)
		case !tc.recognised && (!errors.Is(err, hsm.ErrExists) || !strings.Contains(err.Error(), "not the subject asked for")):
			t.Errorf("%s: %+v, %v; want ErrExists, not the subject asked for", tc.asked, again, err)
		}
	}
}

func ptr[T any](v T) *T { return &v }
