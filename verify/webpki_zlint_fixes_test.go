package verify_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"testing"

	"github.com/signet-pki/signet/verify"
)

// The signet faults the differential audit against zlint found (interop/zlint_webpki_test.go):
// each case is a chain zlint's Baseline Requirements lints flag and signet accepted, with the
// rule that now refuses it, and a control a step away that both accept.

// pubOnly is a key whose certificate carries pub: a public key no private key goes with
// (an even RSA exponent), which only its issuer's signature needs.
type pubOnly struct {
	crypto.Signer
	pub crypto.PublicKey
}

func (p pubOnly) Public() crypto.PublicKey { return p.pub }

func TestWebPKIZlintFixes(t *testing.T) {
	ecKey := func(c elliptic.Curve) tpKey {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return tpKey{k}
	}
	rsaKey := newRSAKey(t, 2048)
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	withExp := func(e int) tpKey {
		pub := rsaKey.signer.Public().(*rsa.PublicKey)
		return tpKey{pubOnly{rsaKey.signer, &rsa.PublicKey{N: pub.N, E: e}}}
	}
	leafKU := func(k tpKey, ku x509.KeyUsage) func(*tpCert) {
		return func(c *tpCert) { c.key, c.ku = k, ku }
	}
	leafKey := func(k tpKey) func(*tpCert) { return func(c *tpCert) { c.key = k } }
	sanName := func(name string) func(*tpCert) {
		return func(c *tpCert) { c.subject, c.dns = cn(name), []string{name} }
	}

	cases := []struct {
		name    string
		leaf    func(*tpCert) // the leaf's change
		inter   func(*tpCert) // the intermediate's
		webpki  string        // the rule under ProfileWebPKI ("" valid)
		rfc5280 string        // under ProfileRFC5280
	}{
		// webpki.leaf-key-usage: zlint e_cabf_ecc_allowed_key_usages, e_key_usage_and_extended_key_usage_inconsistent.
		{name: "ECDSA leaf with keyAgreement only", leaf: leafKU(ecKey(elliptic.P256()), x509.KeyUsageKeyAgreement), webpki: "webpki.leaf-key-usage"},
		{name: "ECDSA leaf with keyEncipherment only", leaf: leafKU(ecKey(elliptic.P256()), x509.KeyUsageKeyEncipherment), webpki: "webpki.leaf-key-usage"},
		{name: "control: ECDSA leaf with digitalSignature and keyAgreement", leaf: leafKU(ecKey(elliptic.P256()), x509.KeyUsageDigitalSignature|x509.KeyUsageKeyAgreement)},
		{name: "RSA leaf with dataEncipherment only", leaf: leafKU(rsaKey, x509.KeyUsageDataEncipherment), webpki: "webpki.leaf-key-usage"},
		{name: "control: RSA leaf with keyEncipherment only", leaf: leafKU(rsaKey, x509.KeyUsageKeyEncipherment)},
		{name: "control: RSA leaf with digitalSignature only", leaf: leafKU(rsaKey, x509.KeyUsageDigitalSignature)},

		// webpki.key-algorithm: zlint e_ec_improper_curves, e_algorithm_identifier_improper_encoding.
		{name: "leaf ECDSA P-224", leaf: leafKey(ecKey(elliptic.P224())), webpki: "webpki.key-algorithm"},
		{name: "intermediate ECDSA P-224", inter: func(c *tpCert) { c.key = ecKey(elliptic.P224()) }, webpki: "webpki.key-algorithm"},
		{name: "leaf Ed25519", leaf: leafKey(tpKey{edKey}), webpki: "webpki.key-algorithm"},
		{name: "control: leaf ECDSA P-384", leaf: leafKey(ecKey(elliptic.P384()))},
		{name: "control: leaf ECDSA P-521", leaf: leafKey(ecKey(elliptic.P521()))},

		// webpki.rsa-exponent: zlint e_rsa_public_exponent_not_odd.
		{name: "leaf RSA exponent 65538", leaf: leafKey(withExp(65538)), webpki: "webpki.rsa-exponent"},
		{name: "leaf RSA exponent 1", leaf: leafKey(withExp(1)), webpki: "webpki.rsa-exponent"},
		{name: "control: leaf RSA exponent 3", leaf: leafKey(withExp(3))},

		// webpki.san-public-suffix: zlint e_dnsname_contains_bare_iana_suffix.
		{name: "leaf SAN com", leaf: sanName("com"), webpki: "webpki.san-public-suffix"},
		{name: "leaf SAN co.uk", leaf: sanName("co.uk"), webpki: "webpki.san-public-suffix"},
		{name: "control: leaf SAN github.io (a suffix of the private section)", leaf: sanName("github.io")},
		{name: "control: leaf SAN example.co.uk", leaf: sanName("example.co.uk")},

		// webpki.san-dns-root-label: zlint e_dnsname_empty_label.
		{name: "leaf SAN www.example.com.", leaf: sanName("www.example.com."), webpki: "webpki.san-dns-root-label"},

		// rfc5280.pathlen-not-ca with a pathLenConstraint of 0: zlint e_path_len_constraint_improperly_included.
		{name: "leaf pathLenConstraint 0 without cA", leaf: func(c *tpCert) {
			c.noBC = true
			c.exts = append(c.exts, ext(oidBC, true, struct {
				CA      bool `asn1:"optional"`
				PathLen int
			}{false, 0}))
		}, webpki: "rfc5280.pathlen-not-ca", rfc5280: "rfc5280.pathlen-not-ca"},
		{name: "control: leaf basicConstraints cA false without pathLenConstraint", leaf: func(c *tpCert) {
			c.noBC = true
			c.exts = append(c.exts, ext(oidBC, true, struct {
				CA bool `asn1:"optional"`
			}{false}))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := rootCA(t, "Zlint Root")
			var interMods []func(*tpCert)
			if tc.inter != nil {
				interMods = append(interMods, tc.inter)
			}
			inter := subCA(t, "Zlint Intermediate", root, interMods...)
			var leafMods []func(*tpCert)
			if tc.leaf != nil {
				leafMods = append(leafMods, tc.leaf)
			}
			leaf := leafCert(t, "www.example.com", inter, leafMods...)
			for _, prof := range []struct {
				p    verify.Profile
				want string
			}{{verify.ProfileWebPKI, tc.webpki}, {verify.ProfileRFC5280, tc.rfc5280}} {
				_, err := verify.Verify(leaf.cert, []*x509.Certificate{inter.cert}, verify.Policy{
					Roots: []*x509.Certificate{root.cert}, At: tpAt, Profile: prof.p,
				})
				var ve *verify.Error
				switch {
				case prof.want == "" && err != nil:
					t.Errorf("%s: want valid, got %v", prof.p, err)
				case prof.want != "" && !errors.As(err, &ve):
					t.Errorf("%s: want refused (%s), got %v", prof.p, prof.want, err)
				case prof.want != "" && ve.Rule != prof.want:
					t.Errorf("%s: want rule %s, got %s (%v)", prof.p, prof.want, ve.Rule, err)
				case prof.want != "" && !errors.Is(err, verify.ErrInvalid):
					t.Errorf("%s: the refusal does not match ErrInvalid: %v", prof.p, err)
				}
			}
		})
	}
}
