package verify_test

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"slices"
	"testing"
	"time"

	"github.com/signet-pki/signet/verify"
)

// TestNMDeltaSignedByAnotherKey: RFC 5280 6.3.3 (h) validates the signature on a delta CRL
// "using the public key validated in step (f)", the key that verified the complete CRL it is
// combined with. The CA here rolled its key over: its old key K1 issued the leaf, its new key
// K2 has its own certificate under the root and certifies K1 (old-with-new), so both keys are
// validated keys of the CA's name. signet combined a complete CRL signed by one with a delta
// signed by the other, and so accepted the leaf on a delta the complete CRL's key never
// signed. Such a delta now cannot be used, as any unusable delta: the complete CRL alone
// settles nothing unless it lists the certificate (rfc5280.crl-delta-signer).
//
// openssl 3.0 (-crl_check_all -extended_crl -use_deltas, the complete CRL with a freshest CRL
// extension) passes over such a delta: it accepts the leaf on the complete CRL by K1 beside a delta by K2 that lists it
// revoked, where signet refuses (the status is undetermined: RFC 5280 5.2 and 6.3.3 (h)).
func TestNMDeltaSignedByAnotherKey(t *testing.T) {
	t.Parallel()
	nb, na := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	rootKey, k1, k2, leafKey := rxKey("p256", 960), rxKey("p256", 961), rxKey("p256", 962), rxKey("p256", 963)
	rootName, caName := rxName("NM rollover root"), rxName("NM rollover CA")
	cert := func(subj, iss []byte, key, signer crypto.Signer, serial int64, exts ...pkix.Extension) *x509.Certificate {
		t.Helper()
		c := rxCert{subj: subj, iss: iss, key: key, signer: signer, serial: serial, nb: nb, na: na,
			exts: append([]pkix.Extension{dExt(oidSKI, false, dKeyID(key))}, exts...)}
		if key != signer {
			c.exts = append(c.exts, dAKI(dKeyID(signer)))
		}
		x, err := rxParse(c.der())
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	root := cert(rootName, rootName, rootKey, rootKey, 0x7801, rxCAExts...)
	caOld := cert(caName, rootName, k1, rootKey, 0x7802, rxCAExts...)
	caNew := cert(caName, rootName, k2, rootKey, 0x7803, rxCAExts...)
	oldWithNew := cert(caName, caName, k1, k2, 0x7804, rxCAExts...)
	leafSerial := int64(0x7805)
	leaf := cert(rxName("leaf.example.com"), caName, leafKey, k1, leafSerial, rxLeafExts...)

	crl := func(signer crypto.Signer, number, base int64, lists bool) []byte {
		l := rxcCRL{issuer: caName, signer: signer, this: rxcThis, next: rxcNext, number: number}
		if base > 0 {
			l.this = rxcThis.Add(24 * time.Hour)
			l.exts = append(l.exts, rawExt(oidDeltaCRL, true, intDER(base)))
		}
		if lists {
			l.entries = []rxcEntry{{serial: leafSerial, reason: 1}}
		}
		return l.der()
	}
	const lists, clean = true, false
	for _, tc := range []struct {
		name string
		crls [][]byte
		want string
	}{
		{"complete by K1, delta by K2", [][]byte{crl(k1, 10, 0, clean), crl(k2, 11, 10, clean)}, "rfc5280.crl-delta-signer"},
		{"complete by K2, delta by K1", [][]byte{crl(k2, 10, 0, clean), crl(k1, 11, 10, clean)}, "rfc5280.crl-delta-signer"},
		{"complete by K1, delta by K2 listing the leaf", [][]byte{crl(k1, 10, 0, clean), crl(k2, 11, 10, lists)}, "rfc5280.crl-delta-signer"},
		{"complete by K1 listing the leaf, delta by K2", [][]byte{crl(k1, 10, 0, lists), crl(k2, 11, 10, clean)}, "rfc5280.revoked"},
		{"complete by K1, its delta by K1 and a newer one by K2", [][]byte{crl(k1, 10, 0, clean), crl(k1, 11, 10, clean), crl(k2, 12, 10, clean)}, "rfc5280.crl-delta-signer"},
		// Controls: a delta signed by its complete CRL's key, whichever key of the CA that is.
		{"complete by K1, delta by K1", [][]byte{crl(k1, 10, 0, clean), crl(k1, 11, 10, clean)}, ""},
		{"complete by K2, delta by K2", [][]byte{crl(k2, 10, 0, clean), crl(k2, 11, 10, clean)}, ""},
		{"complete by K1, delta by K1 listing the leaf", [][]byte{crl(k1, 10, 0, clean), crl(k1, 11, 10, lists)}, "rfc5280.revoked"},
		{"complete by K2, delta by K2 listing the leaf", [][]byte{crl(k2, 10, 0, clean), crl(k2, 11, 10, lists)}, "rfc5280.revoked"},
		{"complete by K1, delta by K2, newer delta by K1", [][]byte{crl(k1, 10, 0, clean), crl(k2, 11, 10, clean), crl(k1, 12, 10, clean)}, ""},
		{"two complete CRLs, each with its delta by its own key", [][]byte{crl(k1, 10, 0, clean), crl(k1, 11, 10, clean), crl(k2, 20, 0, clean), crl(k2, 21, 20, clean)}, ""},
	} {
		for _, require := range []bool{false, true} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				p := verify.Policy{At: rxAt, Roots: []*x509.Certificate{root}, Intermediates: []*x509.Certificate{caOld, caNew, oldWithNew},
					RequireCRL: require, CRLs: rxcParseCRLs(t, tc.crls...)}
				got := rxRules(t, leaf, p)
				if tc.want == "" && len(got) > 0 || tc.want != "" && !slices.Equal(got, []string{tc.want}) {
					t.Errorf("RequireCRL %v: failing rules %q, want %q", require, got, tc.want)
				}
			})
		}
	}
}
