package timestamp

import (
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/cryptobyte"

	"github.com/signet-pki/signet/internal/testutil"
)

// rzESSChain is a signing-certificate attribute (v2 when v2, else v1) naming the certificates
// certs in order, by hash alone.
func rzESSChain(certs []*x509.Certificate, v2 bool) []byte {
	oid := oidSigningCert
	if v2 {
		oid = oidSigningCertV2
	}
	return rzAttr(oid, func(b *cryptobyte.Builder) {
		b.AddASN1(0x30, func(b *cryptobyte.Builder) { // SigningCertificate(V2)
			b.AddASN1(0x30, func(b *cryptobyte.Builder) { // certs
				for _, c := range certs {
					b.AddBytes(rzESSCertID(c, v2))
				}
			})
		})
	})
}

// rzESSCertID is one ESSCertID(v2) naming c by its hash.
func rzESSCertID(c *x509.Certificate, v2 bool) []byte {
	attr := cryptobyte.String(rzESS(c, v2))
	// SEQUENCE { OID, SET { SEQUENCE { SEQUENCE { ESSCertID } } } }: take the ESSCertID.
	var seq, set, sc, ids, id cryptobyte.String
	attr.ReadASN1(&seq, 0x30)
	seq.SkipASN1(0x06)
	seq.ReadASN1(&set, 0x31)
	set.ReadASN1(&sc, 0x30)
	sc.ReadASN1(&ids, 0x30)
	ids.ReadASN1Element(&id, 0x30)
	return id
}

// TestTokenESSChain: the ESS signing-certificate attribute may name more certificates than
// the TSA's: RFC 2634 5.4 (and RFC 5035 for v2) says the IDs after the first limit the
// certificates the signature is validated with. Only the first was checked. CheckChain now
// checks every later ID against the TSA's validated chain: one that names a certificate not
// in it fails the token.
func TestTokenESSChain(t *testing.T) {
	p := goodPKI(t)
	base := rzTSTInfo(t, p)
	otherKey := mustECKey(t)
	otherTmpl := &x509.Certificate{SerialNumber: big.NewInt(9), Subject: pkix.Name{CommonName: "Another Root"},
		NotBefore: notBefore, NotAfter: notAfter, IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	other := mustCert(t, otherTmpl, otherTmpl, otherKey.Public(), otherKey)
	chain := []*x509.Certificate{p.tsa, p.root}

	for _, v2 := range []bool{false, true} {
		for _, c := range []struct {
			name  string
			named []*x509.Certificate
			ok    bool
		}{
			{"the TSA alone", []*x509.Certificate{p.tsa}, true},
			{"the TSA and its root", []*x509.Certificate{p.tsa, p.root}, true},
			{"the TSA and another root", []*x509.Certificate{p.tsa, other}, false},
			{"the TSA, its root and another", []*x509.Certificate{p.tsa, p.root, other}, false},
		} {
			t.Run(c.name, func(t *testing.T) {
				tok, err := ParseToken(rzSign(t, p, base, rzESSChain(c.named, v2)))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := tok.Verify(nil); err != nil {
					t.Fatalf("Verify: %v", err)
				}
				err = tok.CheckChain(chain)
				switch {
				case c.ok && err != nil:
					t.Fatalf("CheckChain = %v, want nil", err)
				case !c.ok && !errors.Is(err, ErrInvalid):
					t.Fatalf("CheckChain = %v, want an error wrapping ErrInvalid", err)
				}
			})
		}
	}
}

// TestTokenESSChainOpenSSL: openssl ts -reply with ess_cert_id_chain = yes names the TSA's
// certificate and then those of -chain; the token checks against the chain it names, and not
// against a chain that lacks one of them.
func TestTokenESSChainOpenSSL(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	p := goodPKI(t)
	otherKey := mustECKey(t)
	otherTmpl := &x509.Certificate{SerialNumber: big.NewInt(9), Subject: pkix.Name{CommonName: "Another Root"},
		NotBefore: notBefore, NotAfter: notAfter, IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	other := mustCert(t, otherTmpl, otherTmpl, otherKey.Public(), otherKey)
	for _, alg := range []string{"sha1", "sha256"} {
		t.Run(alg, func(t *testing.T) {
			dir := t.TempDir()
			writePEM(t, filepath.Join(dir, "tsa.pem"), p.tsa)
			writePEM(t, filepath.Join(dir, "root.pem"), p.root)
			writeKey(t, filepath.Join(dir, "tsa.key"), p.tsaKey)
			conf := "[ tsa ]\ndefault_tsa = c\n[ c ]\nserial = " + filepath.Join(dir, "serial") +
				"\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256\ness_cert_id_alg = " + alg + "\ness_cert_id_chain = yes\n"
			os.WriteFile(filepath.Join(dir, "serial"), []byte("01\n"), 0o600)
			os.WriteFile(filepath.Join(dir, "tsa.cnf"), []byte(conf), 0o600)
			req, err := NewRequest([]byte("the signature value"), 0)
			if err != nil {
				t.Fatal(err)
			}
			der, _ := req.Marshal()
			os.WriteFile(filepath.Join(dir, "req.tsq"), der, 0o600)
			testutil.Run(t, openssl, "ts", "-reply", "-config", filepath.Join(dir, "tsa.cnf"), "-queryfile", filepath.Join(dir, "req.tsq"),
				"-inkey", filepath.Join(dir, "tsa.key"), "-signer", filepath.Join(dir, "tsa.pem"), "-chain", filepath.Join(dir, "root.pem"),
				"-out", filepath.Join(dir, "resp.tsr"))
			resp, _ := os.ReadFile(filepath.Join(dir, "resp.tsr"))
			tok, err := ParseResponse(resp)
			if err != nil {
				t.Fatal(err)
			}
			ids := tok.essV2
			if alg == "sha1" {
				ids = tok.essV1
			}
			if len(ids) != 2 {
				t.Fatalf("openssl named %d certificates, want the TSA's and the root's", len(ids))
			}
			if _, err := tok.Verify(nil); err != nil {
				t.Fatal(err)
			}
			if err := tok.CheckChain([]*x509.Certificate{p.tsa, p.root}); err != nil {
				t.Fatalf("the chain openssl named: %v", err)
			}
			if err := tok.CheckChain([]*x509.Certificate{p.tsa, other}); !errors.Is(err, ErrInvalid) {
				t.Fatalf("a chain without the root: %v, want ErrInvalid", err)
			}
		})
	}
}

// TestTokenSignedAttributeTwice: RFC 5652 11.1 and 11.2 allow exactly one contentType and one
// messageDigest attribute. A token with two was read by its last, unnoticed; it is now
// malformed, as a CMS signature with two is (package sigformat).
func TestTokenSignedAttributeTwice(t *testing.T) {
	p := goodPKI(t)
	base := rzTSTInfo(t, p)
	ess := rzESS(p.tsa, true)
	digest := sha256.Sum256(base)
	otherDigest := sha256.Sum256([]byte("something else"))
	ct := rzAttr(oidContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidTSTInfo) })
	md := func(d []byte) []byte {
		return rzAttr(oidMessageDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(d) })
	}
	if tok, err := ParseToken(rzSign(t, p, base, ess)); err != nil {
		t.Fatalf("control: %v", err)
	} else if _, err := tok.Verify(nil); err != nil {
		t.Fatalf("control: %v", err)
	}
	for name, extra := range map[string][]byte{
		"contentType twice":                   ct,
		"messageDigest twice, the same":       md(digest[:]),
		"messageDigest twice, another digest": md(otherDigest[:]),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseToken(rzSign(t, p, base, ess, extra))
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseToken = %v, want an error wrapping ErrMalformed", err)
			}
		})
	}
}
