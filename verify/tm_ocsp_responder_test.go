package verify_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"
	"time"
)

// TestTMOCSPNoCheckCritical: id-pkix-ocsp-nocheck in a delegated responder's certificate
// (RFC 6960 4.2.2.2.1) is one signet processes: it asks the client not to check the
// responder's status, and signet still refuses a responder a CRL given revokes. The RFC says
// it SHOULD be non-critical, so a critical one is allowed, and openssl ocsp, which knows the
// extension, accepts the responder; signet took it for an unknown critical extension
// (rfc6960.responder), so the response settled nothing. A critical one whose value is not
// NULL is still refused.
func TestTMOCSPNoCheckCritical(t *testing.T) {
	_, inter, _, serial := ocFixChain()
	rkey := rxKey("p256", 21)
	rsubj := rxName("TM NoCheck Responder")
	for _, tc := range []struct {
		name string
		exts []pkix.Extension
		want string
	}{
		{"no nocheck", nil, ""},
		{"nocheck", []pkix.Extension{rawExt(oidOCNoCheck, false, []byte{5, 0})}, ""},
		{"critical nocheck", []pkix.Extension{rawExt(oidOCNoCheck, true, []byte{5, 0})}, ""},
		{"critical nocheck not NULL", []pkix.Extension{rawExt(oidOCNoCheck, true, []byte{4, 0})}, "rfc6960.responder"},
		{"another critical extension", []pkix.Extension{rawExt(oidOCUnknown, true, []byte{5, 0})}, "rfc6960.responder"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := rxCert{subj: rsubj, iss: inter.subj, key: rkey, signer: inter.key, serial: 0x0cf4,
				nb: ocNow.Add(-30 * 24 * time.Hour), na: ocNow.Add(60 * 24 * time.Hour),
				exts: append([]pkix.Extension{bcExt(true, false, -1), kuExt(x509.KeyUsageDigitalSignature), dAKI(dKeyID(inter.key)),
					dExt(oidEKU, false, []asn1.ObjectIdentifier{oidOCEKUOCSPSigning})}, tc.exts...)}.der()
			resp := ocResp{signer: rkey, idName: rsubj, producedAt: ocNow.Add(-time.Hour), certs: [][]byte{rc},
				singles: []ocSingle{{serial: serial, issuerName: inter.subj, issuerKey: inter.key, status: "good", reason: -1,
					this: ocNow.Add(-time.Hour), next: ocNow.Add(24 * time.Hour)}}}
			got, ov := tmOCSPCase(t, resp)
			if got != tc.want {
				t.Errorf("signet: %q, want %q", got, tc.want)
			}
			if ov.ossl != "" && (ov.ossl == "ok") != (tc.want == "") && tc.name != "critical nocheck not NULL" {
				t.Errorf("openssl ocsp: %s (%s)", ov.ossl, ov.osslText)
			}
		})
	}
}

// TestTMOCSPGoodAndUnknown: of two answers about the leaf in one response, good and unknown,
// signet took the first, so that "good" then "unknown" settled the leaf's status as good (as
// openssl ocsp, which takes the first, does). A responder that says both does not know: the
// unknown answer is taken, whatever the order (rfc6960.unknown), as a revoked one is taken
// over a good one.
func TestTMOCSPGoodAndUnknown(t *testing.T) {
	for _, tc := range []struct {
		name     string
		statuses []string
		want     string
	}{
		{"good", []string{"good"}, ""},
		{"good then unknown", []string{"good", "unknown"}, "rfc6960.unknown"},
		{"unknown then good", []string{"unknown", "good"}, "rfc6960.unknown"},
		{"unknown then revoked", []string{"unknown", "revoked"}, "rfc6960.revoked"},
		{"revoked then unknown", []string{"revoked", "unknown"}, "rfc6960.revoked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tmGoodResp()
			one := o.singles[0]
			o.singles = nil
			for _, st := range tc.statuses {
				s := one
				s.status, s.revokedAt = st, ocNow.Add(-2*time.Hour)
				o.singles = append(o.singles, s)
			}
			if got, _ := tmOCSPCase(t, o); got != tc.want {
				t.Errorf("signet: %q, want %q", got, tc.want)
			}
		})
	}
}
