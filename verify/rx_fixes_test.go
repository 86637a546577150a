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
	"github.com/signet-pki/signet/x509util"
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

// TestRXCDeltaUnusable: Policy.CRLs, "a CRL with the issuer's name and ... an unsupported
// critical extension, or dates that do not cover At makes the verdict CRLInvalid", and RFC
// 5280 5.2: a CRL with a critical extension the application cannot process MUST NOT be used
// to determine a status. signet passed over a delta CRL of the complete CRL's scope and base
// that it could not use (an unknown critical extension, expired, not yet valid) and judged the
// certificate on the complete CRL alone: a delta that listed the certificate revoked went
// unseen, where openssl -use_deltas refuses (X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION,
// X509_V_ERR_CRL_HAS_EXPIRED). A delta that cannot be judged now fails closed with its rule,
// unless a usable delta of a higher number supersedes it. Found by seed 563 of the revocation
// campaign (rxc_diff_test.go).
func TestRXCDeltaUnusable(t *testing.T) {
	t.Parallel()
	rootKey := rxKey("p256", 20)
	rootName := rxName("RX fix A")
	leafSerial := int64(0x7701)
	base := rxcCRL{issuer: rootName, signer: rootKey, this: rxcThis, next: rxcNext, number: 100, exts: []pkix.Extension{rxcFreshest(0)}}
	delta := func(number int64, lists bool, spoil string) []byte {
		d := rxcCRL{issuer: rootName, signer: rootKey, this: rxcThis.Add(24 * time.Hour), next: rxcNext, number: number,
			exts: []pkix.Extension{rawExt(oidDeltaCRL, true, intDER(100))}}
		if lists {
			d.entries = []rxcEntry{{serial: leafSerial, reason: 1}}
		}
		switch spoil {
		case "unknown-critical":
			d.exts = append(d.exts, rawExt(oidRXCUnknown, true, []byte{5, 0}))
		case "expired":
			d.this, d.next = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		case "notyet":
			d.this, d.next = time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
		}
		return d.der()
	}
	for _, tc := range []struct {
		name   string
		deltas [][]byte
		want   string
	}{
		{"delta with an unknown critical extension lists the leaf", [][]byte{delta(101, true, "unknown-critical")}, "rfc5280.crl-unknown-critical-extension"},
		{"delta with an unknown critical extension", [][]byte{delta(101, false, "unknown-critical")}, "rfc5280.crl-unknown-critical-extension"},
		{"delta expired lists the leaf", [][]byte{delta(101, true, "expired")}, "rfc5280.crl-expired"},
		{"delta not yet valid", [][]byte{delta(101, false, "notyet")}, "rfc5280.crl-not-yet-valid"},
		// Controls: usable deltas; an unusable one superseded by a usable one of a higher number.
		{"delta lists the leaf", [][]byte{delta(101, true, "")}, "rfc5280.revoked"},
		{"delta does not list the leaf", [][]byte{delta(101, false, "")}, ""},
		{"expired delta superseded", [][]byte{delta(101, true, "expired"), delta(102, false, "")}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leaf, p := rxMakeChain(t, rxSpec{subj: rootName, exts: rxCAExts}, rxSpec{subj: rxName("leaf.example.com"), exts: rxLeafExts})
			p.RequireCRL = true
			p.CRLs = append(p.CRLs, rxcParseCRLs(t, append([][]byte{base.der()}, tc.deltas...)...)...)
			got := rxRules(t, leaf, p)
			if tc.want == "" && len(got) > 0 || tc.want != "" && !slices.Equal(got, []string{tc.want}) {
				t.Errorf("failing rules %q, want %q", got, tc.want)
			}
		})
	}
}

// TestRXCNewerCRLUnusable: Policy.CRLs, "a CRL with the issuer's name and ... an unsupported
// critical extension ... makes the verdict CRLInvalid (a stale CRL beside a current one for
// the same issuer is ignored)". signet passed over a complete CRL it could not use (an unknown
// critical CRL or entry extension, a critical CRL number) whenever another CRL of the same
// scope settled the status, even an older one the unusable CRL supersedes: the newest word of
// the issuer, which may list the certificate, went unseen. It now fails with its rule; an
// older CRL that cannot be used beside a newer usable one is still passed over, and so is a
// newer one not yet valid at the time (it speaks of a later time). openssl passes over a CRL
// it cannot process and uses the older one (rxcWhys openssl-skips-unusable-newer). Found by
// seed 183 of the revocation campaign (rxc_diff_test.go).
func TestRXCNewerCRLUnusable(t *testing.T) {
	t.Parallel()
	rootKey := rxKey("p256", 20)
	rootName := rxName("RX fix A")
	leafSerial := int64(0x7701)
	crl := func(number int64, lists bool, spoil string) []byte {
		l := rxcCRL{issuer: rootName, signer: rootKey, this: rxcThis.Add(time.Duration(number-100) * 24 * time.Hour), next: rxcNext, number: number}
		if lists {
			l.entries = []rxcEntry{{serial: leafSerial, reason: 1}}
		}
		switch spoil {
		case "unknown-critical":
			l.exts = append(l.exts, rawExt(oidRXCUnknown, true, []byte{5, 0}))
		case "entry-unknown-critical":
			l.entries = append(l.entries, rxcEntry{serial: 0x7fff, reason: -1, unknownCrit: true})
		case "number-critical":
			l.numberCrit = true
		case "notyet":
			l.this, l.next = time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
		}
		return l.der()
	}
	for _, tc := range []struct {
		name string
		crls [][]byte
		want string
	}{
		{"newer CRL with an unknown critical extension lists the leaf", [][]byte{crl(100, false, ""), crl(102, true, "unknown-critical")}, "rfc5280.crl-unknown-critical-extension"},
		{"newer CRL with an unknown critical extension", [][]byte{crl(102, false, "unknown-critical"), crl(100, false, "")}, "rfc5280.crl-unknown-critical-extension"},
		{"newer CRL with an unknown critical entry extension", [][]byte{crl(100, false, ""), crl(102, false, "entry-unknown-critical")}, "rfc5280.crl-entry-unknown-critical-extension"},
		{"newer CRL with a critical CRL number", [][]byte{crl(100, false, ""), crl(102, false, "number-critical")}, "rfc5280.crl-number-critical"},
		// Controls: the older CRL lists the leaf (revoked stands); an older unusable CRL
		// beside a newer usable one; a newer one not yet valid.
		{"older CRL lists the leaf", [][]byte{crl(100, true, ""), crl(102, false, "unknown-critical")}, "rfc5280.revoked"},
		{"older CRL with an unknown critical extension", [][]byte{crl(100, true, "unknown-critical"), crl(102, false, "")}, ""},
		{"newer CRL not yet valid", [][]byte{crl(100, false, ""), crl(102, true, "notyet")}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leaf, p := rxMakeChain(t, rxSpec{subj: rootName, exts: rxCAExts}, rxSpec{subj: rxName("leaf.example.com"), exts: rxLeafExts})
			p.RequireCRL = true
			p.CRLs = append(p.CRLs, rxcParseCRLs(t, tc.crls...)...)
			got := rxRules(t, leaf, p)
			if tc.want == "" && len(got) > 0 || tc.want != "" && !slices.Equal(got, []string{tc.want}) {
				t.Errorf("failing rules %q, want %q", got, tc.want)
			}
		})
	}
}

// TestRXCOlderCompleteBesideUnusableDelta: complete CRLs 100 and 101 of the root, and delta
// 102 (base 101) listing the leaf with an unknown critical extension. The delta cannot be
// used, so CRL 101 settles nothing; CRL 100, older, was then taken as the issuer's word and
// the chain accepted, where without it the chain failed: an older CRL must never settle what
// a newer one covers (Policy.CRLs). Both now fail with the delta's rule. Found by the last
// read of the revocation campaign's fixes; the campaign never drew a usable older complete
// CRL beside an unusable newer one.
func TestRXCOlderCompleteBesideUnusableDelta(t *testing.T) {
	rootKey := rxKey("p256", 20)
	rootName := rxName("RX fix A")
	c100 := rxcCRL{issuer: rootName, signer: rootKey, this: rxcThis, next: rxcNext, number: 100, exts: []pkix.Extension{rxcFreshest(0)}}
	c101 := rxcCRL{issuer: rootName, signer: rootKey, this: rxcThis.Add(24 * time.Hour), next: rxcNext, number: 101, exts: []pkix.Extension{rxcFreshest(0)}}
	for _, withOlder := range []bool{false, true} {
		leaf, p := rxMakeChain(t, rxSpec{subj: rootName, exts: rxCAExts}, rxSpec{subj: rxName("leaf.example.com"), exts: rxLeafExts})
		d102 := rxcCRL{issuer: rootName, signer: rootKey, this: rxcThis.Add(48 * time.Hour), next: rxcNext, number: 102,
			exts:    []pkix.Extension{rawExt(oidDeltaCRL, true, intDER(101)), rawExt(oidRXCUnknown, true, []byte{5, 0})},
			entries: []rxcEntry{{serial: leaf.SerialNumber.Int64(), reason: 1}}}
		ders := [][]byte{c101.der(), d102.der()}
		if withOlder {
			ders = append(ders, c100.der())
		}
		p.CRLs = append(p.CRLs, rxcParseCRLs(t, ders...)...)
		for _, require := range []bool{false, true} {
			p.RequireCRL = require
			if rules := rxRules(t, leaf, p); !slices.Contains(rules, "rfc5280.crl-unknown-critical-extension") {
				t.Errorf("older complete CRL given %v, RequireCRL %v: rules %q, want the delta's rfc5280.crl-unknown-critical-extension", withOlder, require, rules)
			}
		}
	}
}

// TestRXCUnusableCRLOfAnotherTime: a CRL that is not yet valid at the validation time speaks
// of a later time, whatever else is wrong with it (here an entry extension signet does not
// process), so an older current CRL settles the status: the chain is accepted. signet kept
// such a CRL among the unjudged when its first problem found was not its dates, and refused
// (rfc5280.crl-entry-unknown-critical-extension) a chain that its current CRL clears. A
// current CRL with the same problem still fails. Found by seed 3485 of the revocation
// campaign once it drew usable older CRLs.
func TestRXCUnusableCRLOfAnotherTime(t *testing.T) {
	rootKey := rxKey("p256", 20)
	rootName := rxName("RX fix B")
	for _, notYet := range []bool{true, false} {
		leaf, p := rxMakeChain(t, rxSpec{subj: rootName, exts: rxCAExts}, rxSpec{subj: rxName("leaf.example.com"), exts: rxLeafExts})
		older := rxcCRL{issuer: rootName, signer: rootKey, this: rxcThis.Add(-72 * time.Hour), next: rxcNext, number: 100}
		newer := rxcCRL{issuer: rootName, signer: rootKey, this: rxcThis, next: rxcNext, number: 101,
			entries: []rxcEntry{{serial: 0x4242, reason: 1, unknownCrit: true}}}
		if notYet {
			newer.this = p.At.Add(24 * time.Hour)
			newer.next = newer.this.Add(30 * 24 * time.Hour)
		}
		p.CRLs = append(p.CRLs, rxcParseCRLs(t, newer.der(), older.der())...)
		p.RequireCRL = true
		rules := rxRules(t, leaf, p)
		switch {
		case notYet && len(rules) != 0:
			t.Errorf("the newer CRL not yet valid: rules %q, want the chain accepted on the older, current CRL", rules)
		case !notYet && !slices.Contains(rules, "rfc5280.crl-entry-unknown-critical-extension"):
			t.Errorf("the newer CRL current: rules %q, want rfc5280.crl-entry-unknown-critical-extension", rules)
		}
	}
}

// rxcParseCRLs parses the CRLs the fix tests write (rxcCRL.der).
func rxcParseCRLs(t *testing.T, ders ...[]byte) []*x509.RevocationList {
	t.Helper()
	var out []*x509.RevocationList
	for _, der := range ders {
		l, err := x509util.ParseCRL(der)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}
