package x509util

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// Faults the issuing campaign (interop/ic_campaign_test.go) found in what signet issues, each
// held here by the smallest request that shows it.

// TestIssueSubjectEmailNeedsSAN: RFC 5280 4.1.2.6 says a certificate issued with an email
// address MUST carry it as an rfc822Name in the subjectAltName; an emailAddress attribute in
// the subject alone is the deprecated legacy form (zlint: e_subj_email_not_in_san, an error).
// signet issued "--subject 'CN=alice,emailAddress=alice@example.com'" without an email SAN
// as it was given, for every profile, CAs included. It now refuses it (ErrInvalidName, exit 2)
// before any key is opened, naming the attribute and the --san that would carry it; with the
// mailbox also in the SAN, it issues as before.
func TestIssueSubjectEmailNeedsSAN(t *testing.T) {
	_, inter, interKey := testCA(t)
	leafKey := issueTestKey(t, "p256b")
	for _, tc := range []struct {
		name, subject string
		emails        []string
		refused       string // "" for issued
	}{
		{"no SAN", "CN=alice,emailAddress=alice@example.com", nil, `"emailAddress=alice@example.com"`},
		{"another SAN", "CN=alice,emailAddress=alice@example.com", []string{"bob@example.com"}, `"emailAddress=alice@example.com"`},
		{"in a multi-valued RDN", "CN=alice+emailAddress=alice@example.com,O=Example", nil, `"emailAddress=alice@example.com"`},
		{"the second of two", "emailAddress=b@example.com,emailAddress=a@example.com", []string{"a@example.com"}, `"emailAddress=b@example.com"`},
		// zlint and most peers compare the strings: another case is another address.
		{"another case", "CN=alice,emailAddress=Alice@example.com", []string{"alice@example.com"}, `"emailAddress=Alice@example.com"`},
		{"also in the SAN", "CN=alice,emailAddress=alice@example.com", []string{"alice@example.com"}, ""},
		{"no emailAddress", "CN=alice", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seq, err := ParseRDNSequence(tc.subject)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := asn1.Marshal(seq)
			if err != nil {
				t.Fatal(err)
			}
			req := IssueRequest{Profile: ProfileClient, RawSubject: raw, EmailAddresses: tc.emails, PublicKey: leafKey.Public(),
				Issuer: inter, IssuerKey: interKey, Now: issueNow}
			for _, check := range []struct {
				name string
				f    func(IssueRequest) error
			}{
				{"CheckProfileNames", CheckProfileNames},
				{"IssueCertificate", func(r IssueRequest) error { _, err := IssueCertificate(r); return err }},
			} {
				err := check.f(req)
				switch {
				case tc.refused == "" && err != nil:
					t.Errorf("%s: refused: %v", check.name, err)
				case tc.refused != "" && !errors.Is(err, ErrInvalidName):
					t.Errorf("%s = %v, want ErrInvalidName", check.name, err)
				case tc.refused != "" && (!strings.Contains(err.Error(), tc.refused) || !strings.Contains(err.Error(), "--san email:")):
					t.Errorf("%s: %q does not name %s and --san email:", check.name, err, tc.refused)
				}
			}
		})
	}
	// A CA's subject is held to it too: zlint's lint applies to every certificate.
	rootKey := issueTestKey(t, "p256c")
	seq, err := ParseRDNSequence("CN=Mail Root,emailAddress=pki@example.com")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := asn1.Marshal(seq)
	if _, err := IssueCertificate(IssueRequest{Profile: ProfileRootCA, RawSubject: raw, PublicKey: rootKey.Public(), IssuerKey: rootKey, Now: issueNow}); !errors.Is(err, ErrInvalidName) {
		t.Errorf("root with an emailAddress and no email SAN: %v, want ErrInvalidName", err)
	}
}

// TestIssueServerLifetimeClipped: Apple's platforms refuse a TLS server certificate valid for
// more than 825 days (notBefore to notAfter, both counted) whatever CA issued it, a private
// one included ("Requirements for trusted certificates in iOS 13 and macOS 10.15"; zlint:
// e_sub_cert_valid_time_longer_than_825_days). signet issued a server certificate for as long
// as --days, --not-after or the CA allowed: 'cert create --profile server --days 1000' made one
// that macOS and iOS refuse. A server certificate's validity is now clipped to 825 days, with a
// warning, as a validity past the CA's end is; other profiles are not (Apple's rule is for TLS
// servers), and 825 days exactly is left as it is.
func TestIssueServerLifetimeClipped(t *testing.T) {
	_, inter, interKey := testCA(t)
	leafKey := issueTestKey(t, "p256b")
	nb := issueNow.Add(-ClockSkew)
	const day = 24 * time.Hour
	for _, tc := range []struct {
		name     string
		profile  Profile
		notAfter time.Time
		want     time.Time // the notAfter issued
		warned   bool
	}{
		{"server, 1000 days", ProfileServer, nb.Add(1000 * day), nb.Add(825*day - time.Second), true},
		{"server, 825 days and a second", ProfileServer, nb.Add(825 * day), nb.Add(825*day - time.Second), true},
		{"server, 825 days", ProfileServer, nb.Add(825*day - time.Second), nb.Add(825*day - time.Second), false},
		{"server, the default", ProfileServer, time.Time{}, nb.Add(365 * day), false},
		{"client, 1000 days", ProfileClient, nb.Add(1000 * day), nb.Add(1000 * day), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := IssueCertificate(IssueRequest{Profile: tc.profile, Subject: pkix.Name{CommonName: "www.example.com"}, DNSNames: []string{"www.example.com"},
				PublicKey: leafKey.Public(), Issuer: inter, IssuerKey: interKey, Now: issueNow, NotAfter: tc.notAfter})
			if err != nil {
				t.Fatal(err)
			}
			c := got.Certificate
			if !c.NotBefore.Equal(nb) || !c.NotAfter.Equal(tc.want) {
				t.Errorf("validity %s to %s, want %s to %s", c.NotBefore, c.NotAfter, nb, tc.want)
			}
			warned := slices.ContainsFunc(got.Warnings, func(w string) bool { return strings.Contains(w, "825 days") })
			if warned != tc.warned {
				t.Errorf("warnings %q: a warning of the 825 days: %v, want %v", got.Warnings, warned, tc.warned)
			}
		})
	}
}
