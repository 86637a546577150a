package verify_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// Focused tests of the engine faults the differential audit (diff_openssl_test.go) found.

// verifyDChain runs verify.Verify on a dChain as signetVerdict does and returns the result.
func verifyDChain(t *testing.T, ch dChain) (*verify.Result, error) {
	t.Helper()
	p := verify.Policy{At: dAt}
	leaf, err := x509util.ParseCertificate(ch.leaf.der)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range ch.roots {
		c, err := x509util.ParseCertificate(r.der)
		if err != nil {
			t.Fatal(err)
		}
		p.Roots = append(p.Roots, c)
	}
	for _, r := range ch.inters {
		c, err := x509util.ParseCertificate(r.der)
		if err != nil {
			t.Fatal(err)
		}
		p.Intermediates = append(p.Intermediates, c)
	}
	for _, der := range ch.crls {
		l, err := x509util.ParseCRL(der)
		if err != nil {
			t.Fatal(err)
		}
		p.CRLs = append(p.CRLs, l)
	}
	if ch.pol != nil {
		ch.pol(&p)
	}
	return verify.Verify(leaf, nil, p)
}

// A UTCTime without seconds or with a time zone offset is refused (RFC 5280 4.1.2.5.1);
// crypto/x509 reads both, and signet accepted them.
func TestValidityEncoding(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		raw  []byte // the leaf's notAfter element, nil: the default
		rule string
	}{
		{"UTCTime with seconds", nil, ""},
		{"UTCTime without seconds", append([]byte{0x17, 11}, "2901010000Z"...), "rfc5280.validity-encoding"},
		{"UTCTime with an offset", append([]byte{0x17, 17}, "290101000000+0100"...), "rfc5280.validity-encoding"},
		{"UTCTime without seconds, with an offset", append([]byte{0x17, 15}, "2901010000-0130"...), "rfc5280.validity-encoding"},
		{"GeneralizedTime", append([]byte{0x18, 15}, "20290101000000Z"...), ""},
		{"GeneralizedTime with an offset", append([]byte{0x18, 19}, "20290101000000+0100"...), "rfc5280.validity-encoding"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := three(nil, nil, func(c *dCert) { c.rawNA = tc.raw })()
			if _, err := x509util.ParseCertificate(ch.leaf.der); err != nil {
				if tc.rule == "" {
					t.Fatal(err)
				}
				t.Skipf("crypto/x509 refuses it already: %v", err)
			}
			res, err := verifyDChain(t, ch)
			switch {
			case tc.rule == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.rule != "" && (err == nil || res.Rule != tc.rule):
				t.Fatalf("verdict %v (rule %q), want %s", err, res.Rule, tc.rule)
			}
			var ve *verify.Error
			if tc.rule != "" && (!errors.As(err, &ve) || ve.Reason != verify.Malformed) {
				t.Fatalf("not a Malformed *verify.Error: %v", err)
			}
		})
	}
	// The trust anchor's own encoding is judged too (its contents are checked).
	ch := three(func(c *dCert) { c.rawNA = append([]byte{0x17, 11}, "2901010000Z"...) }, nil, nil)()
	if res, err := verifyDChain(t, ch); err == nil || res.Rule != "rfc5280.validity-encoding" {
		t.Fatalf("root without seconds: %v", err)
	}
}

// Under RequireCRL, a CRL signed by another key of the leaf's issuer (a CA's rolled-over key,
// RFC 5280 6.3.3 (f)), whose certificate the trust anchor issued, needs no CRL of the trust
// anchor, as the chain's intermediate issued by the trust anchor needs none. signet refused
// the chain (rfc5280.crl-signer-invalid) for want of a root CRL for the signer.
func TestRequireCRLRolledOverSigner(t *testing.T) {
	t.Parallel()
	leafSerial := big.NewInt(0x7777)
	build := func(revokeLeaf, rootRevokesSigner bool) dChain {
		ch := three(nil, nil, func(c *dCert) { c.serial = leafSerial })()
		next := dBuild(dCert{cn: "Diff Intermediate", key: "Diff Intermediate next", ca: true, serial: big.NewInt(0x8888)}, ch.roots[0])
		ch.inters = append(ch.inters, next)
		spec := dCRLSpec{issuer: next}
		if revokeLeaf {
			spec.revoked = []*big.Int{leafSerial}
		}
		ch.crls = [][]byte{dCRL(spec)}
		if rootRevokesSigner {
			ch.crls = append(ch.crls, dCRL(dCRLSpec{issuer: ch.roots[0], revoked: []*big.Int{big.NewInt(0x8888)}}))
		}
		ch.pol = func(p *verify.Policy) { p.RequireCRL = true }
		return ch
	}
	if res, err := verifyDChain(t, build(false, false)); err != nil {
		t.Fatalf("a CRL of the rolled-over key, not listing the leaf: %v\n%s", err, dumpChecks(res))
	}
	if res, err := verifyDChain(t, build(true, false)); err == nil || res.Rule != "rfc5280.revoked" {
		t.Fatalf("the leaf listed: %v", err)
	}
	// A CRL of the trust anchor, when given, is still checked for the signer.
	if res, err := verifyDChain(t, build(false, true)); err == nil || res.Rule != "rfc5280.crl-signer-invalid" {
		t.Fatalf("the signer revoked by the root's CRL: %v", err)
	} else if !strings.Contains(err.Error(), "no valid path to CN=Diff Root,O=Signet Diff: certificate CN=Diff Intermediate,O=Signet Diff (serial 8888) was revoked") ||
		!strings.Contains(err.Error(), "(rfc5280.revoked)") {
		// The refusal says why the signer's path failed, not only that it did.
		t.Errorf("the refusal does not say the signer is revoked: %v", err)
	}
	// The chain's own leaf still needs its CRL when nested validation is not involved.
	ch := build(false, false)
	ch.crls = nil
	if res, err := verifyDChain(t, ch); err == nil || res.Rule != "signet.crl-required" {
		t.Fatalf("no CRL at all: %v", err)
	}
}

// An otherName or registeredID in the subjectAltName that is not written as RFC 5280 4.2.1.6
// has it is refused (rfc5280.san-encoding): package pkixname keeps their contents unread, so
// signet accepted a subjectAltName that openssl cannot parse.
func TestSANOpaqueFormsEncoding(t *testing.T) {
	t.Parallel()
	upn := mustMarshal(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3})
	value := gn(0, true, []byte{0x0c, 1, 'x'})
	for _, tc := range []struct {
		name string
		gn   []byte
		rule string
	}{
		{"otherName", gn(0, true, append(append([]byte{}, upn...), value...)), ""},
		{"otherName wrapped in a SEQUENCE", gn(0, true, seqOfRaw(upn, value)), "rfc5280.san-encoding"},
		{"otherName without a value", gn(0, true, upn), "rfc5280.san-encoding"},
		{"otherName with two values", gn(0, true, append(append(append([]byte{}, upn...), value...), value...)), "rfc5280.san-encoding"},
		{"otherName value not explicit", gn(0, true, append(append([]byte{}, upn...), gn(0, false, []byte("x"))...)), "rfc5280.san-encoding"},
		{"registeredID", gn(8, false, upn[2:]), ""},
		{"registeredID not an OID", gn(8, false, []byte{0x80}), "rfc5280.san-encoding"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := three(nil, nil, leafSAN(true, gnDNS("leaf.example.com"), tc.gn))()
			if _, err := x509util.ParseCertificate(ch.leaf.der); err != nil {
				t.Skipf("crypto/x509 refuses it already: %v", err)
			}
			res, err := verifyDChain(t, ch)
			switch {
			case tc.rule == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.rule != "" && (err == nil || res.Rule != tc.rule):
				t.Fatalf("verdict %v, want %s", err, tc.rule)
			}
		})
	}
}

// A CRL whose thisUpdate, nextUpdate or a revocationDate is a UTCTime without seconds or with a
// time zone offset cannot be used (rfc5280.crl-time-encoding, RFC 5280 5.1.2.4 to 5.1.2.6):
// crypto/x509 reads such times, and signet used the CRL.
func TestCRLTimeEncoding(t *testing.T) {
	t.Parallel()
	utc := func(s string) []byte { return append([]byte{0x17, byte(len(s))}, s...) }
	for _, tc := range []struct {
		name string
		spec func(issuer *dIssued) dCRLSpec
		rule string
	}{
		{"well written", func(i *dIssued) dCRLSpec { return dCRLSpec{issuer: i, revoked: []*big.Int{big.NewInt(5)}} }, ""},
		{"thisUpdate without seconds", func(i *dIssued) dCRLSpec { return dCRLSpec{issuer: i, rawThis: utc("2501010000Z")} }, "rfc5280.crl-time-encoding"},
		{"thisUpdate with an offset", func(i *dIssued) dCRLSpec { return dCRLSpec{issuer: i, rawThis: utc("250101000000+0100")} }, "rfc5280.crl-time-encoding"},
		{"revocationDate without seconds", func(i *dIssued) dCRLSpec {
			return dCRLSpec{issuer: i, revoked: []*big.Int{big.NewInt(5)}, rawRevDate: utc("2501010000Z")}
		}, "rfc5280.crl-time-encoding"},
		{"revocationDate GeneralizedTime", func(i *dIssued) dCRLSpec {
			return dCRLSpec{issuer: i, revoked: []*big.Int{big.NewInt(5)}, rawRevDate: append([]byte{0x18, 15}, "20250101000000Z"...)}
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := three(nil, nil, nil)()
			ch.crls = [][]byte{dCRL(tc.spec(ch.inters[0]))}
			ch.pol = func(p *verify.Policy) { p.RequireCRL = true }
			if _, err := x509util.ParseCRL(ch.crls[0]); err != nil {
				t.Skipf("crypto/x509 refuses it already: %v", err)
			}
			res, err := verifyDChain(t, ch)
			switch {
			case tc.rule == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.rule != "" && (err == nil || res.Rule != tc.rule):
				t.Fatalf("verdict %v, want %s", err, tc.rule)
			}
			var ve *verify.Error
			if tc.rule != "" && (!errors.As(err, &ve) || ve.Reason != verify.CRLInvalid) {
				t.Fatalf("not a CRLInvalid *verify.Error: %v", err)
			}
		})
	}
}

// An extension signet processes whose extnValue holds bytes after its value is refused
// (rfc5280.extension-encoding, RFC 5280 4.1): crypto/x509 ignores them in key usage, basic
// constraints, subjectAltName, extended key usage and the policy extensions, and signet
// accepted such certificates. An extension signet does not process is not read.
func TestExtensionEncoding(t *testing.T) {
	t.Parallel()
	trail := func(e pkix.Extension) pkix.Extension {
		e.Value = append(append([]byte{}, e.Value...), 0x05, 0x00)
		return e
	}
	for _, tc := range []struct {
		name        string
		inter, leaf func(*dCert)
		rule        string
	}{
		{"control", nil, nil, ""},
		{"key usage", nil, mod(setExt(trail(kuExt(x509.KeyUsageDigitalSignature)))), "rfc5280.extension-encoding"},
		{"basic constraints", mod(setExt(trail(bcExt(true, true, -1)))), nil, "rfc5280.extension-encoding"},
		{"subjectAltName", nil, mod(setExt(trail(sanOfNames(false, gnDNS("leaf.example.com"))))), "rfc5280.extension-encoding"},
		{"extended key usage", nil, mod(setExt(trail(dExt(oidEKU, false, []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 1}})))), "rfc5280.extension-encoding"},
		{"certificate policies", nil, mod(addExt(trail(policiesOf(pol1)))), "rfc5280.extension-encoding"},
		{"policy constraints", mod(addExt(trail(pcExt(5, -1)))), nil, "rfc5280.extension-encoding"},
		{"an extension signet does not process", nil, mod(addExt(trail(pkix.Extension{Id: oidUnknown, Value: []byte{5, 0}}))), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := three(nil, tc.inter, tc.leaf)()
			res, err := verifyDChain(t, ch)
			switch {
			case tc.rule == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.rule != "" && (err == nil || res.Rule != tc.rule):
				t.Fatalf("verdict %v, want %s", err, tc.rule)
			}
		})
	}
}
