package verify_test

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/signet-pki/signet/verify"
)

// The faults the randomized differential campaign (rx_diff_test.go) found in signet, each
// pinned by name with the seed that found it.

// rxChain builds root -> intermediates... -> leaf from extension lists (nil: the defaults of
// a CA and of a TLS leaf) and returns the policy and leaf to verify.
type rxSpec struct {
	subj []byte
	exts []pkix.Extension
}

func rxMakeChain(t *testing.T, specs ...rxSpec) (*x509.Certificate, verify.Policy) {
	t.Helper()
	nb, na := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	var prevSubj []byte
	var prevKey crypto.Signer
	p := verify.Policy{At: rxAt}
	var leaf *x509.Certificate
	for i, s := range specs {
		key := rxKey("p256", 20+i)
		subj := s.subj
		if subj == nil {
			subj = rxName("RX fix " + string(rune('A'+i)))
		}
		iss, signer := prevSubj, prevKey
		if i == 0 {
			iss, signer = subj, key
		}
		exts := append([]pkix.Extension{dExt(oidSKI, false, dKeyID(key))}, s.exts...)
		if i > 0 {
			exts = append(exts, dAKI(dKeyID(signer)))
		}
		der := rxCert{subj: subj, iss: iss, key: key, signer: signer, serial: int64(0x7700 + i), nb: nb, na: na, exts: exts}.der()
		c, err := rxParse(der)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case i == 0:
			p.Roots = append(p.Roots, c)
		case i == len(specs)-1:
			leaf = c
		default:
			p.Intermediates = append(p.Intermediates, c)
		}
		prevSubj, prevKey = subj, key
	}
	return leaf, p
}

// rxRules returns the rules of every failing check, "" when the chain is valid.
func rxRules(t *testing.T, leaf *x509.Certificate, p verify.Policy) []string {
	t.Helper()
	res, err := verify.Verify(leaf, nil, p)
	if err == nil {
		return nil
	}
	var ve *verify.Error
	if !errors.As(err, &ve) || ve.Rule != res.Rule {
		t.Fatalf("not a verdict: %v", err)
	}
	var out []string
	for _, c := range res.Checks {
		if c.Status == verify.Fail {
			out = append(out, c.Rule)
		}
	}
	return out
}

var (
	rxCAExts   = []pkix.Extension{bcExt(true, true, -1), kuExt(x509.KeyUsageCertSign | x509.KeyUsageCRLSign)}
	rxLeafExts = []pkix.Extension{kuExt(x509.KeyUsageDigitalSignature), sanOfNames(false, gnDNS("leaf.example.com")),
		dExt(oidEKU, false, []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 1}})}
)

// TestRXPathLenWithoutKeyCertSign: RFC 5280 4.2.1.9, "CAs MUST NOT include the
// pathLenConstraint field unless the cA boolean is asserted and the key usage extension
// asserts the keyCertSign bit". signet refused a pathLenConstraint without cA only and
// accepted one in a CA without key usage, which openssl -x509_strict refuses
// (X509_V_ERR_PATHLEN_WITHOUT_KU_KEY_CERT_SIGN). Found by seed 1380 of the first generator
// (a root with pathLenConstraint 1 and no key usage); seed 2312 of today's (rxPinnedSeeds).
// Both halves of the sentence are one rule, rfc5280.pathlen-not-ca.
func TestRXPathLenWithoutKeyCertSign(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		root []pkix.Extension
		mid  []pkix.Extension
		want string
	}{
		{"root pathLen, no key usage", []pkix.Extension{bcExt(true, true, 1)}, rxCAExts, "rfc5280.pathlen-not-ca"},
		{"intermediate pathLen 0, no key usage", rxCAExts, []pkix.Extension{bcExt(true, true, 0)}, "rfc5280.pathlen-not-ca"},
		{"intermediate pathLen, key usage without keyCertSign", rxCAExts, []pkix.Extension{bcExt(true, true, 2), kuExt(x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature)}, "rfc5280.pathlen-not-ca"},
		// Controls: keyCertSign present; no pathLenConstraint at all (key usage absent is
		// then allowed, RFC 5280 6.1.4 (n)).
		{"intermediate pathLen with keyCertSign", rxCAExts, []pkix.Extension{bcExt(true, true, 0), kuExt(x509.KeyUsageCertSign)}, ""},
		{"intermediate without pathLen, no key usage", rxCAExts, []pkix.Extension{bcExt(true, true, -1)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leaf, p := rxMakeChain(t, rxSpec{exts: tc.root}, rxSpec{exts: tc.mid}, rxSpec{subj: rxName("leaf.example.com"), exts: rxLeafExts})
			for _, prof := range verify.Profiles() {
				p.Profile = prof
				got := rxRules(t, leaf, p)
				if tc.want == "" && len(got) > 0 || tc.want != "" && !slices.Contains(got, tc.want) {
					t.Errorf("%s: failing rules %q, want %q", prof, got, tc.want)
				}
			}
		})
	}
}

// TestRXCRLIssuerSubjectEmpty: RFC 5280 4.1.2.6, "If the subject is a CA or a CRL issuer
// (see Section 4.2.1.13), then the subject field MUST be populated with a non-empty
// distinguished name". signet required it of CAs only and accepted a certificate asserting
// cRLSign with an empty subject, which openssl -x509_strict refuses
// (X509_V_ERR_SUBJECT_NAME_EMPTY). Found by seed 375 of the first generator; seed 1365 of
// today's (rxPinnedSeeds). The sentence is one rule,
// rfc5280.ca-subject-empty.
func TestRXCRLIssuerSubjectEmpty(t *testing.T) {
	t.Parallel()
	empty := []byte{0x30, 0}
	for _, tc := range []struct {
		name string
		ku   x509.KeyUsage
		want string
	}{
		{"cRLSign", x509.KeyUsageCRLSign, "rfc5280.ca-subject-empty"},
		{"cRLSign and digitalSignature", x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature, "rfc5280.ca-subject-empty"},
		{"digitalSignature (control)", x509.KeyUsageDigitalSignature, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leafExts := []pkix.Extension{kuExt(tc.ku), sanOfNames(true, gnDNS("leaf.example.com"))}
			leaf, p := rxMakeChain(t, rxSpec{exts: rxCAExts}, rxSpec{exts: rxCAExts}, rxSpec{subj: empty, exts: leafExts})
			got := rxRules(t, leaf, p)
			if tc.want == "" && len(got) > 0 || tc.want != "" && !slices.Equal(got, []string{tc.want}) {
				t.Errorf("failing rules %q, want %q", got, tc.want)
			}
		})
	}
}
