package verify_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"os/exec"
	"testing"
	"time"
)

// ocFixChain is a root, an intermediate and a leaf the intermediate issued, valid at ocNow,
// as the OCSP campaign writes them; the keys are the pool's.
func ocFixChain() (root, inter ocIssuer, leaf []byte, leafSerial *big.Int) {
	nb, na := ocNow.Add(-90*24*time.Hour), ocNow.Add(365*24*time.Hour)
	root = ocIssuer{subj: rxName("OC Fix Root"), key: rxKey("p256", 0)}
	root.der = rxCert{subj: root.subj, iss: root.subj, key: root.key, signer: root.key, serial: 0x0cf0, nb: nb, na: na,
		exts: []pkix.Extension{bcExt(true, true, -1), kuExt(x509.KeyUsageCertSign | x509.KeyUsageCRLSign), dExt(oidSKI, false, dKeyID(root.key))}}.der()
	inter = ocIssuer{subj: rxName("OC Fix Intermediate"), key: rxKey("p384", 1)}
	inter.der = rxCert{subj: inter.subj, iss: root.subj, key: inter.key, signer: root.key, serial: 0x0cf1, nb: nb, na: na,
		exts: []pkix.Extension{bcExt(true, true, -1), kuExt(x509.KeyUsageCertSign | x509.KeyUsageCRLSign),
			dExt(oidSKI, false, dKeyID(inter.key)), dAKI(dKeyID(root.key))}}.der()
	lkey := rxKey("p256", 4)
	leafSerial = big.NewInt(0x0cf2)
	leaf = rxCert{subj: rxName("leaf.example.com"), iss: inter.subj, key: lkey, signer: inter.key, serial: 0x0cf2, nb: nb, na: na,
		exts: []pkix.Extension{bcExt(true, false, -1), kuExt(x509.KeyUsageDigitalSignature),
			dExt(oidEKU, false, []asn1.ObjectIdentifier{rxEKUServer}), dAKI(dKeyID(inter.key))}}.der()
	return root, inter, leaf, leafSerial
}

// TestOCResponderCertifiedInAnotherName: a delegated responder's certificate must be issued
// directly by the CA that issued the certificate in question (RFC 6960 4.2.2.2), and a
// certificate is issued by the CA its issuer field names (RFC 5280 4.1.2.4, 6.1.3 (a)(4)). A
// responder certificate the intermediate's key signed in the root's name (with
// id-kp-OCSPSigning) was taken for the intermediate's responder, as signet checked only the
// key: its good answer about the leaf settled the leaf's status. openssl ocsp cannot build the
// responder's path and refuses; signet refused a CRL the issuer's key signed in another name
// already (rfc5280.crl-scope). Found by the OCSP campaign (seed 279, about the intermediate,
// the root's key signing in the intermediate's name).
func TestOCResponderCertifiedInAnotherName(t *testing.T) {
	root, inter, leaf, serial := ocFixChain()
	rkey := rxKey("p256", 20)
	rsubj := rxName("OC Fix Responder")
	responder := func(issuerName []byte) []byte {
		return rxCert{subj: rsubj, iss: issuerName, key: rkey, signer: inter.key, serial: 0x0cf3,
			nb: ocNow.Add(-30 * 24 * time.Hour), na: ocNow.Add(60 * 24 * time.Hour),
			exts: []pkix.Extension{bcExt(true, false, -1), kuExt(x509.KeyUsageDigitalSignature), dAKI(dKeyID(inter.key)),
				dExt(oidEKU, false, []asn1.ObjectIdentifier{oidOCEKUOCSPSigning})}}.der()
	}
	openssl, _ := exec.LookPath("openssl")
	for _, tc := range []struct {
		name       string
		issuerName []byte
		want       string // signet's rule for the leaf's revocation check
		osslOK     bool
	}{
		{"in the intermediate's name", inter.subj, "", true},
		{"in the root's name", root.subj, "rfc6960.responder", false},
		{"in a name of no CA given", rxName("OC Fix Elsewhere"), "rfc6960.responder", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := ocResp{signer: rkey, idName: rsubj, idKey: rkey, producedAt: ocNow.Add(-time.Hour), certs: [][]byte{responder(tc.issuerName)},
				singles: []ocSingle{{serial: serial, issuerName: inter.subj, issuerKey: inter.key, status: "good", reason: -1,
					this: ocNow.Add(-time.Hour), next: ocNow.Add(24 * time.Hour)}}}
			c := &ocCase{rx: &rxCase{roots: [][]byte{root.der}, inters: [][]byte{inter.der}, leaf: leaf}, at: ocNow,
				resps: [][]byte{resp.der()}, targets: []ocTarget{{name: "leaf", cert: leaf, issuer: inter.der, present: true}}}
			v := c.run(t, openssl)
			o := v.targets[0]
			if o.signet != tc.want || v.rule != tc.want {
				t.Errorf("signet: the leaf's revocation %q, the chain %q; want %q", o.signet, v.rule, tc.want)
			}
			if openssl != "" && (o.ossl == "ok") != tc.osslOK {
				t.Errorf("openssl ocsp: %s (%s); want ok %v", o.ossl, o.osslText, tc.osslOK)
			}
		})
	}
}

// TestOCNextUpdateBeforeThisUpdate: an answer whose nextUpdate is before its thisUpdate is
// current at no time (RFC 6960 4.2.2.1: newer information is available from nextUpdate on).
// signet allows a responder's clock to run up to ocspSkew ahead (thisUpdate that far after the
// validation time) and compared nextUpdate to the validation time only, so an answer with
// thisUpdate 4 minutes and nextUpdate 1 minute after it settled the leaf's status as good.
// openssl ocsp refuses it (OCSP_check_validity: "nextupdate before thisupdate"). Found by the
// OCSP campaign (seeds 79, 105, 193 once it drew such windows).
func TestOCNextUpdateBeforeThisUpdate(t *testing.T) {
	root, inter, leaf, serial := ocFixChain()
	openssl, _ := exec.LookPath("openssl")
	for _, tc := range []struct {
		name       string
		this, next time.Duration // after ocNow, the validation time
		want       string
		osslOK     bool
	}{
		{"thisUpdate in the skew, nextUpdate after it", 4 * time.Minute, 24 * time.Hour, "", true},
		{"thisUpdate in the skew, nextUpdate before it", 4 * time.Minute, time.Minute, "rfc6960.expired", false},
		{"thisUpdate before the time, nextUpdate before it", -time.Hour, -2 * time.Hour, "rfc6960.expired", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := ocResp{signer: inter.key, idName: inter.subj, idKey: inter.key, producedAt: ocNow.Add(tc.this),
				singles: []ocSingle{{serial: serial, issuerName: inter.subj, issuerKey: inter.key, status: "good", reason: -1,
					this: ocNow.Add(tc.this), next: ocNow.Add(tc.next)}}}
			c := &ocCase{rx: &rxCase{roots: [][]byte{root.der}, inters: [][]byte{inter.der}, leaf: leaf}, at: ocNow,
				resps: [][]byte{resp.der()}, targets: []ocTarget{{name: "leaf", cert: leaf, issuer: inter.der, present: true}}}
			v := c.run(t, openssl)
			o := v.targets[0]
			if o.signet != tc.want || v.rule != tc.want {
				t.Errorf("signet: the leaf's revocation %q, the chain %q; want %q", o.signet, v.rule, tc.want)
			}
			if openssl != "" && (o.ossl == "ok") != tc.osslOK {
				t.Errorf("openssl ocsp: %s (%s); want ok %v", o.ossl, o.osslText, tc.osslOK)
			}
		})
	}
}
