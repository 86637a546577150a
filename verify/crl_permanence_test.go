package verify_test

import (
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/signet-pki/signet/verify"
)

// TestOlderCRLRevocationStands: a revocation is for good but for certificateHold (RFC 5280
// 3.3: an entry stays on every CRL until after the certificate expires; 5.3.1: only a hold may
// be lifted). Given two current CRLs of the issuer, an older that lists the leaf for
// keyCompromise and a newer that leaves it out, signet went by the newer alone and accepted
// the leaf, as openssl does: the issuer's signed word that the key was compromised was passed
// over for its silence. The leaf is now refused, naming the older CRL, whichever order the CRLs
// come in; a hold the newer CRL lifts is lifted; and a removeFromCRL that a delta of the very
// CRL that lists the entry carries is still honoured (TestDifferentialOpenSSL pins it).
func TestOlderCRLRevocationStands(t *testing.T) {
	k := newRVPKI(t)
	crl := func(number int64, this time.Time, reason int) *x509.RevocationList {
		tmpl := &x509.RevocationList{Number: big.NewInt(number), ThisUpdate: this, NextUpdate: tpAt.Add(30 * 24 * time.Hour)}
		if reason >= 0 {
			tmpl.RevokedCertificateEntries = []x509.RevocationListEntry{{SerialNumber: k.leaf.cert.SerialNumber, RevocationTime: tpNotBefore.Add(24 * time.Hour), ReasonCode: reason}}
		}
		der, err := x509.CreateRevocationList(rand.Reader, tmpl, k.inter.cert, k.inter.key.signer)
		if err != nil {
			t.Fatal(err)
		}
		l, err := x509.ParseRevocationList(der)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	newer := crl(8, tpAt.Add(-24*time.Hour), -1)
	for _, tc := range []struct {
		reason int
		name   string
		want   string
	}{
		{1, "keyCompromise", "rfc5280.revoked"},
		{0, "unspecified", "rfc5280.revoked"},
		{5, "cessationOfOperation", "rfc5280.revoked"},
		{6, "certificateHold", ""},
	} {
		older := crl(7, tpAt.Add(-48*time.Hour), tc.reason)
		for _, order := range [][]*x509.RevocationList{{older, newer}, {newer, older}} {
			t.Run(fmt.Sprintf("%s, older CRL given first %v", tc.name, order[0] == older), func(t *testing.T) {
				p := k.policy()
				p.CRLs = order
				res, err := verify.Verify(k.leaf.cert, nil, p)
				if tc.want == "" {
					mustValid(t, res, err)
					return
				}
				mustRule(t, res, err, tc.want)
			})
		}
	}
}
