package verify_test

import (
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/signet-pki/signet/verify"
)

// TestOCSPForgedBesideGenuine: an OCSP response about a certificate of the chain (its CertID
// names the certificate's serial and its issuer's name and key) that no key of the issuer
// signed, nor a responder it certified, is a forgery or a corruption. It was passed over when
// a genuine good answer was given beside it, where a forged CRL fails the verification. Now it
// fails the same way (rfc6960.forged, crl-invalid), in either order.
func TestOCSPForgedBesideGenuine(t *testing.T) {
	k := newRVPKI(t)
	genuine := rvOCSP{signer: k.inter, singles: []rvSingle{k.good()}}.der(t)
	// The issuer's name and certificate, another key.
	impostor := &tpIssued{cert: k.inter.cert, key: newKey(t)}
	forged := rvOCSP{signer: impostor, singles: []rvSingle{k.good()}}.der(t)
	corrupted := append([]byte(nil), genuine...)
	corrupted[len(corrupted)-1] ^= 0x01 // the last byte of the signature
	ocspEKU := rvOCSPSigningEKU()
	otherResponder := issue(t, tpCert{subject: cn("RV Responder"), pathLen: -1, eku: ocspEKU}, k.sister)
	foreign := rvOCSP{signer: otherResponder, certs: [][]byte{otherResponder.der}, singles: []rvSingle{k.good()}}.der(t)

	for name, bad := range map[string][]byte{
		"signed by another key in the issuer's name":      forged,
		"a byte of the signature changed":                 corrupted,
		"signed by a responder another CA certified":      foreign,
		"signed by another key, answering revoked":        rvOCSP{signer: impostor, singles: []rvSingle{revokedOf(k.good())}}.der(t),
		"signed by another key, CertID by SHA-256 hashes": rvOCSP{signer: impostor, singles: []rvSingle{sha256Of(k.good())}}.der(t),
	} {
		for _, order := range [][][]byte{{genuine, bad}, {bad, genuine}} {
			t.Run(name, func(t *testing.T) {
				p := k.policy()
				p.OCSP = order
				res, err := verify.Verify(k.leaf.cert, nil, p)
				mustRule(t, res, err, "rfc6960.forged")
				if !errors.Is(err, verify.CRLInvalid) {
					t.Fatalf("want CRLInvalid, got %v", err)
				}
			})
		}
	}
}

// TestOCSPNotForged: regression guards for what fails closed and what does not. A response
// about a certificate of another key of the CA (a rolled-over key: the same name and serial,
// the CertID's issuerKeyHash another key) is not about the leaf, and a genuine response that
// is merely stale is no forgery: beside a current good answer, both leave the chain valid.
func TestOCSPNotForged(t *testing.T) {
	k := newRVPKI(t)
	genuine := rvOCSP{signer: k.inter, singles: []rvSingle{k.good()}}.der(t)

	t.Run("the rolled-over key's answer about its own certificate of the same serial", func(t *testing.T) {
		next := subCA(t, "RV Inter", k.root)
		twin := leafCert(t, "leaf.example.com", next, func(c *tpCert) { c.serial = k.leaf.cert.SerialNumber })
		s := rvSingle{issuer: next.cert, serial: twin.cert.SerialNumber, status: 1, nextUpdate: tpAt.Add(24 * time.Hour), reason: -1}
		other := rvOCSP{signer: next, singles: []rvSingle{s}}.der(t)
		p := k.policy()
		p.Intermediates = append(p.Intermediates, next.cert)
		p.OCSP = [][]byte{other, genuine}
		res, err := verify.Verify(k.leaf.cert, nil, p)
		wantOCSPGood(t, res, err)
	})
	t.Run("answers of the CA's rolled-over key about the leaf", func(t *testing.T) {
		// Signed by another key of the issuer's name, or by a responder that key certified:
		// not usable (RFC 6960 4.2.2.2 wants the key the CertID names), but the CA's own.
		next := subCA(t, "RV Inter", k.root)
		resp := issue(t, tpCert{subject: cn("RV Responder"), pathLen: -1, eku: rvOCSPSigningEKU()}, next)
		for rule, o := range map[string]rvOCSP{
			"rfc6960.signature": {signer: next, singles: []rvSingle{k.good()}},
			"rfc6960.responder": {signer: resp, certs: [][]byte{resp.der}, singles: []rvSingle{k.good()}},
		} {
			p := k.policy()
			p.Intermediates = append(p.Intermediates, next.cert)
			p.OCSP = [][]byte{o.der(t)}
			res, err := verify.Verify(k.leaf.cert, nil, p)
			mustRule(t, res, err, rule)
			p.OCSP = append(p.OCSP, genuine)
			res, err = verify.Verify(k.leaf.cert, nil, p)
			wantOCSPGood(t, res, err)
		}
	})
	t.Run("an expired genuine answer", func(t *testing.T) {
		s := k.good()
		s.thisUpdate, s.nextUpdate = tpAt.Add(-72*time.Hour), tpAt.Add(-48*time.Hour)
		p := k.policy()
		p.OCSP = [][]byte{rvOCSP{signer: k.inter, singles: []rvSingle{s}}.der(t), genuine}
		res, err := verify.Verify(k.leaf.cert, nil, p)
		wantOCSPGood(t, res, err)
	})
	t.Run("an answer of the issuer's key about another serial, another key's about the leaf's", func(t *testing.T) {
		// The impostor's answer names a serial the chain does not hold: about no
		// certificate of the chain, so no forgery of one.
		impostor := &tpIssued{cert: k.inter.cert, key: newKey(t)}
		s := k.good()
		s.serial = new(big.Int).Add(k.leaf.cert.SerialNumber, big.NewInt(1))
		p := k.policy()
		p.OCSP = [][]byte{rvOCSP{signer: impostor, singles: []rvSingle{s}}.der(t), genuine}
		res, err := verify.Verify(k.leaf.cert, nil, p)
		wantOCSPGood(t, res, err)
	})
}

func rvOCSPSigningEKU() []asn1.ObjectIdentifier {
	return []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 9}}
}

func revokedOf(s rvSingle) rvSingle { s.status = 1; return s }

func sha256Of(s rvSingle) rvSingle { s.hash = rvOIDSHA256; return s }
