package verify_test

import (
	"crypto/x509/pkix"
	"slices"
	"testing"
	"time"
)

// TestRVDeltaOfNewerBaseListsTheLeaf: a delta CRL whose BaseCRLNumber is above the number of
// the complete CRL given cannot be combined with it (RFC 5280 5.2.4), but it is a current CRL
// of the issuer, of the same scope, that lists the certificate as revoked since a complete CRL
// newer than the one given. signet passed over it and accepted the certificate on the older
// complete CRL alone, though with no complete CRL beside it the same delta made the status
// undetermined: the older the evidence given, the more signet trusted. A usable delta that
// lists the certificate now revokes it whatever its base; one that does not list it, or lists
// it removeFromCRL (which speaks of a base not given), changes nothing, and a delta older than
// the complete CRL is still superseded by it. openssl -use_deltas passes over such a delta
// (x509_vfy.c check_delta_base), and accepts (diff_cases "crl delta whose base is newer than
// the CRL").
func TestRVDeltaOfNewerBaseListsTheLeaf(t *testing.T) {
	t.Parallel()
	rootKey := rxKey("p256", 20)
	rootName := rxName("RV delta")
	leafSerial := int64(0x7701)
	complete := rxcCRL{issuer: rootName, signer: rootKey, this: rxcThis, next: rxcNext, number: 100, exts: []pkix.Extension{rxcFreshest(0)}}
	delta := func(base, number int64, reason int, spoil string) []byte {
		d := rxcCRL{issuer: rootName, signer: rootKey, this: rxcThis.Add(24 * time.Hour), next: rxcNext, number: number,
			exts: []pkix.Extension{rawExt(oidDeltaCRL, true, intDER(base))}}
		if number < 100 {
			d.this = rxcThis.Add(-24 * time.Hour)
		}
		if reason >= 0 {
			d.entries = []rxcEntry{{serial: leafSerial, reason: reason}}
		}
		if spoil == "expired" {
			d.this, d.next = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		}
		return d.der()
	}
	const keyCompromise, removeFromCRL, none = 1, 8, -1
	for _, tc := range []struct {
		name   string
		deltas [][]byte
		want   string
	}{
		{"delta of a newer base lists the leaf", [][]byte{delta(102, 103, keyCompromise, "")}, "rfc5280.revoked"},
		{"delta of the next base lists the leaf", [][]byte{delta(101, 102, keyCompromise, "")}, "rfc5280.revoked"},
		// Controls.
		{"delta of a newer base does not list the leaf", [][]byte{delta(102, 103, none, "")}, ""},
		{"delta of a newer base takes the leaf off its own base", [][]byte{delta(102, 103, removeFromCRL, "")}, ""},
		{"delta older than the complete CRL lists the leaf", [][]byte{delta(98, 99, keyCompromise, "")}, ""},
		{"delta of the complete CRL lists the leaf", [][]byte{delta(100, 101, keyCompromise, "")}, "rfc5280.revoked"},
		{"delta of the complete CRL does not list the leaf", [][]byte{delta(100, 101, none, "")}, ""},
		{"delta of a newer base, expired, lists the leaf", [][]byte{delta(102, 103, keyCompromise, "expired")}, ""},
		// Beside a delta of the complete CRL: the newer of the two speaks.
		{"delta of a newer base lists the leaf, a newer delta of the complete CRL does not", [][]byte{delta(102, 103, keyCompromise, ""), delta(100, 104, none, "")}, ""},
		{"delta of a newer base lists the leaf, an older delta of the complete CRL does not", [][]byte{delta(101, 103, keyCompromise, ""), delta(100, 102, none, "")}, "rfc5280.revoked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leaf, p := rxMakeChain(t, rxSpec{subj: rootName, exts: rxCAExts}, rxSpec{subj: rxName("leaf.example.com"), exts: rxLeafExts})
			p.RequireCRL = true
			p.CRLs = append(p.CRLs, rxcParseCRLs(t, append([][]byte{complete.der()}, tc.deltas...)...)...)
			got := rxRules(t, leaf, p)
			if tc.want == "" && len(got) > 0 || tc.want != "" && !slices.Equal(got, []string{tc.want}) {
				t.Errorf("failing rules %q, want %q", got, tc.want)
			}
		})
	}
}
