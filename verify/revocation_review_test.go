package verify_test

// The security review of revocation (issue 9): CRLs, deltas and OCSP answers read as an
// attacker and a PKI expert would give them (RFC 5280 6.3, RFC 6960). A test here either
// failed before the fix its comment names, or is a regression guard that pins a behaviour no
// other test pins (its comment says so).

import (
	"crypto"
	"crypto/ecdsa"
	_ "crypto/md5" // crypto.MD5, for a response signed with it
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/verify"
)

var (
	rvOIDSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	rvOIDSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
)

// rvSingle is one SingleResponse to write.
type rvSingle struct {
	hash       asn1.ObjectIdentifier // CertID hash algorithm; nil: SHA-1
	issuer     *x509.Certificate     // whose name and key the CertID hashes
	nameHash   []byte                // overrides the hash of issuer's name
	serial     *big.Int
	status     int // 0 good, 1 revoked, 2 unknown
	reason     int // for revoked, -1: none
	thisUpdate time.Time
	nextUpdate time.Time // zero: none
	exts       []pkix.Extension
}

// rvOCSP is an OCSP response to write by hand, signed by signer.
type rvOCSP struct {
	signer      *tpIssued
	status      int    // responseStatus; 0 successful
	byKey       bool   // responderID byKey (default byName)
	responderID []byte // overrides the name (byName) or the key hash (byKey)
	produced    time.Time
	singles     []rvSingle
	respExts    []pkix.Extension
	certs       [][]byte // BasicOCSPResponse.certs
	sha1        bool     // sign with SHA-1 (RSA signers)
	trailing    []byte   // after the OCSPResponse
}

func rvHash(oid asn1.ObjectIdentifier, data []byte) []byte {
	if oid.Equal(rvOIDSHA256) {
		s := sha256.Sum256(data)
		return s[:]
	}
	s := sha1.Sum(data)
	return s[:]
}

// rvSPKIBits returns the subjectPublicKey BIT STRING's bytes of c.
func rvSPKIBits(t testing.TB, c *x509.Certificate) []byte {
	var s struct {
		A pkix.AlgorithmIdentifier
		K asn1.BitString
	}
	if _, err := asn1.Unmarshal(c.RawSubjectPublicKeyInfo, &s); err != nil {
		t.Fatal(err)
	}
	return s.K.Bytes
}

func addExts(b *cryptobyte.Builder, exts []pkix.Extension) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, e := range exts {
			der, err := asn1.Marshal(e)
			if err != nil {
				b.SetError(err)
				return
			}
			b.AddBytes(der)
		}
	})
}

func (o rvOCSP) der(t testing.TB) []byte {
	t.Helper()
	gt := func(b *cryptobyte.Builder, tm time.Time) { b.AddASN1GeneralizedTime(tm.UTC()) }
	if o.produced.IsZero() {
		o.produced = tpAt
	}
	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if o.byKey {
			id := o.responderID
			if id == nil {
				id = rvHash(rvOIDSHA1, rvSPKIBits(t, o.signer.cert))
			}
			b.AddASN1(cbasn1.Tag(2).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddASN1OctetString(id) })
		} else {
			id := o.responderID
			if id == nil {
				id = o.signer.cert.RawSubject
			}
			b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddBytes(id) })
		}
		gt(b, o.produced)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, s := range o.singles {
				h := s.hash
				if h == nil {
					h = rvOIDSHA1
				}
				nh := s.nameHash
				if nh == nil {
					nh = rvHash(h, s.issuer.RawSubject)
				}
				tu := s.thisUpdate
				if tu.IsZero() {
					tu = tpAt.Add(-time.Hour)
				}
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1ObjectIdentifier(h)
							b.AddASN1NULL()
						})
						b.AddASN1OctetString(nh)
						b.AddASN1OctetString(rvHash(h, rvSPKIBits(t, s.issuer)))
						b.AddASN1BigInt(s.serial)
					})
					switch s.status {
					case 0:
						b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) {})
					case 1:
						b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
							gt(b, tpNotBefore)
							if s.reason >= 0 {
								b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddASN1Enum(int64(s.reason)) })
							}
						})
					default:
						b.AddASN1(cbasn1.Tag(2).ContextSpecific(), func(b *cryptobyte.Builder) {})
					}
					gt(b, tu)
					if !s.nextUpdate.IsZero() {
						b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { gt(b, s.nextUpdate) })
					}
					if len(s.exts) > 0 {
						b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { addExts(b, s.exts) })
					}
				})
			}
		})
		if len(o.respExts) > 0 {
			b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { addExts(b, o.respExts) })
		}
	})
	tbs := tb.BytesOrPanic()
	var algID pkix.AlgorithmIdentifier
	hash := crypto.SHA256
	switch o.signer.key.signer.(type) {
	case *ecdsa.PrivateKey:
		algID.Algorithm = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	case *rsa.PrivateKey:
		algID = pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}, Parameters: asn1.NullRawValue}
		if o.sha1 {
			hash = crypto.SHA1
			algID.Algorithm = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
		}
	}
	algDER, err := asn1.Marshal(algID)
	if err != nil {
		t.Fatal(err)
	}
	h := hash.New()
	h.Write(tbs)
	sig, err := o.signer.key.signer.Sign(rand.Reader, h.Sum(nil), hash)
	if err != nil {
		t.Fatal(err)
	}
	var basic cryptobyte.Builder
	basic.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		b.AddBytes(algDER)
		b.AddASN1BitString(sig)
		if len(o.certs) > 0 {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					for _, c := range o.certs {
						b.AddBytes(c)
					}
				})
			})
		}
	})
	var out cryptobyte.Builder
	out.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Enum(int64(o.status))
		if o.status == 0 {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1})
					b.AddASN1OctetString(basic.BytesOrPanic())
				})
			})
		}
	})
	return append(out.BytesOrPanic(), o.trailing...)
}

// rvPKI is root -> inter -> leaf, with a sister CA under the root.
type rvPKI struct {
	root, inter, sister, leaf *tpIssued
}

func newRVPKI(t testing.TB) rvPKI {
	root := rootCA(t, "RV Root")
	inter := subCA(t, "RV Inter", root)
	return rvPKI{root: root, inter: inter, sister: subCA(t, "RV Sister", root), leaf: leafCert(t, "leaf.example.com", inter)}
}

func (k rvPKI) policy() verify.Policy {
	return verify.Policy{Roots: []*x509.Certificate{k.root.cert}, Intermediates: []*x509.Certificate{k.inter.cert}, At: tpAt}
}

// good is a current good answer about the leaf, by its issuer.
func (k rvPKI) good() rvSingle {
	return rvSingle{issuer: k.inter.cert, serial: k.leaf.cert.SerialNumber, nextUpdate: tpAt.Add(24 * time.Hour), reason: -1}
}

func (k rvPKI) verifyOCSP(t *testing.T, resps ...rvOCSP) (*verify.Result, error) {
	t.Helper()
	p := k.policy()
	for _, r := range resps {
		p.OCSP = append(p.OCSP, r.der(t))
	}
	res, err := verify.Verify(k.leaf.cert, nil, p)
	if res == nil {
		t.Fatalf("not checked: %v", err)
	}
	return res, err
}

// revocationOf returns the revocation check about the certificate named subject.
func revocationOf(res *verify.Result, subject string) (verify.Check, bool) {
	for _, c := range res.Checks {
		if c.Check == verify.CheckRevocation && c.Subject == subject {
			return c, true
		}
	}
	return verify.Check{}, false
}

// wantLeafNotPassed: the leaf's status was not established, and no check says it is not
// revoked.
func wantLeafNotPassed(t *testing.T, k rvPKI, res *verify.Result) {
	t.Helper()
	c, ok := revocationOf(res, verify.Name(k.leaf.cert))
	if !ok || c.Status == verify.Pass || strings.Contains(c.Detail, "not revoked") {
		t.Fatalf("the leaf's status was taken as established\n%s", dumpChecks(res))
	}
}

func wantOCSPGood(t *testing.T, res *verify.Result, err error) {
	t.Helper()
	mustValid(t, res, err)
	if !strings.Contains(dumpChecks(res), "not revoked according to an OCSP response") {
		t.Fatalf("the OCSP answer was not used\n%s", dumpChecks(res))
	}
}

// TestReviewOCSPCertID: an answer is about the leaf only when its CertID names the leaf's
// serial and the hashes of its issuer's name and key, whatever the hash algorithm.
// Regression guards: the openssl tests use SHA-1 CertIDs of the right issuer only.
func TestReviewOCSPCertID(t *testing.T) {
	k := newRVPKI(t)
	t.Run("SHA-256 CertID of the issuer", func(t *testing.T) {
		s := k.good()
		s.hash = rvOIDSHA256
		res, err := k.verifyOCSP(t, rvOCSP{signer: k.inter, singles: []rvSingle{s}})
		wantOCSPGood(t, res, err)
	})
	t.Run("issuerNameHash of another name, the issuer's key", func(t *testing.T) {
		s := k.good()
		s.nameHash = rvHash(rvOIDSHA1, k.sister.cert.RawSubject)
		res, err := k.verifyOCSP(t, rvOCSP{signer: k.inter, singles: []rvSingle{s}})
		mustValid(t, res, err)
		wantLeafNotPassed(t, k, res)
	})
	t.Run("the sister CA's CertID for the leaf's serial", func(t *testing.T) {
		s := k.good()
		s.issuer = k.sister.cert
		res, err := k.verifyOCSP(t, rvOCSP{signer: k.sister, singles: []rvSingle{s}})
		mustValid(t, res, err)
		wantLeafNotPassed(t, k, res)
	})
	t.Run("an answer about the intermediate is not one about the leaf", func(t *testing.T) {
		s := rvSingle{issuer: k.root.cert, serial: k.inter.cert.SerialNumber, nextUpdate: tpAt.Add(24 * time.Hour), reason: -1}
		res, err := k.verifyOCSP(t, rvOCSP{signer: k.root, singles: []rvSingle{s}})
		mustValid(t, res, err)
		wantLeafNotPassed(t, k, res)
		if c, ok := revocationOf(res, verify.Name(k.inter.cert)); !ok || c.Status != verify.Pass {
			t.Fatalf("the intermediate's answer was not used\n%s", dumpChecks(res))
		}
	})
	t.Run("a good answer for another serial, a revoked one for the leaf", func(t *testing.T) {
		other := k.good()
		other.serial = big.NewInt(7)
		mine := k.good()
		mine.status = 1
		res, err := k.verifyOCSP(t, rvOCSP{signer: k.inter, singles: []rvSingle{other, mine}})
		mustRule(t, res, err, "rfc6960.revoked")
	})
	t.Run("only a good answer for another serial", func(t *testing.T) {
		other := k.good()
		other.serial = new(big.Int).Add(k.leaf.cert.SerialNumber, big.NewInt(1))
		res, err := k.verifyOCSP(t, rvOCSP{signer: k.inter, singles: []rvSingle{other}})
		mustValid(t, res, err)
		wantLeafNotPassed(t, k, res)
	})
}

// TestReviewOCSPSigner: the response is signed by the issuer's key, or by a delegated
// responder the issuer certified with id-kp-OCSPSigning that is valid now. Regression guards
// for what TestOCSPWithOpenSSL does not pin: a responder of another CA, an expired one, the
// issuer's other key, and responderID byKey.
func TestReviewOCSPSigner(t *testing.T) {
	k := newRVPKI(t)
	ocspEKU := []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 9}}
	t.Run("responderID byKey", func(t *testing.T) {
		res, err := k.verifyOCSP(t, rvOCSP{signer: k.inter, byKey: true, singles: []rvSingle{k.good()}})
		wantOCSPGood(t, res, err)
	})
	t.Run("delegated responder certified by another CA", func(t *testing.T) {
		resp := issue(t, tpCert{subject: cn("RV Responder"), pathLen: -1, eku: ocspEKU}, k.sister)
		res, err := k.verifyOCSP(t, rvOCSP{signer: resp, certs: [][]byte{resp.der}, singles: []rvSingle{k.good()}})
		mustRule(t, res, err, "rfc6960.forged")
	})
	t.Run("delegated responder expired", func(t *testing.T) {
		resp := issue(t, tpCert{subject: cn("RV Responder"), pathLen: -1, eku: ocspEKU, notAfter: tpAt.Add(-time.Hour)}, k.inter)
		res, err := k.verifyOCSP(t, rvOCSP{signer: resp, certs: [][]byte{resp.der}, singles: []rvSingle{k.good()}})
		mustRule(t, res, err, "rfc6960.responder-validity")
	})
	t.Run("delegated responder, good", func(t *testing.T) {
		resp := issue(t, tpCert{subject: cn("RV Responder"), pathLen: -1, eku: ocspEKU}, k.inter)
		res, err := k.verifyOCSP(t, rvOCSP{signer: resp, certs: [][]byte{resp.der}, singles: []rvSingle{k.good()}})
		wantOCSPGood(t, res, err)
	})
	t.Run("signed by the CA's other key", func(t *testing.T) {
		// The CA's rollover certificate: its name, a new key, certified by the root.
		next := subCA(t, "RV Inter", k.root)
		p := k.policy()
		p.Intermediates = append(p.Intermediates, next.cert)
		p.OCSP = [][]byte{rvOCSP{signer: next, singles: []rvSingle{k.good()}}.der(t)}
		res, err := verify.Verify(k.leaf.cert, nil, p)
		mustRule(t, res, err, "rfc6960.signature")
	})
}

// TestReviewOCSPAnswer: what a response says and when. Regression guards, except where a
// subtest names its fix.
func TestReviewOCSPAnswer(t *testing.T) {
	k := newRVPKI(t)
	t.Run("thisUpdate in the future", func(t *testing.T) {
		s := k.good()
		s.thisUpdate = tpAt.Add(time.Hour)
		s.nextUpdate = tpAt.Add(48 * time.Hour)
		res, err := k.verifyOCSP(t, rvOCSP{signer: k.inter, singles: []rvSingle{s}})
		mustRule(t, res, err, "rfc6960.not-yet-valid")
	})
	t.Run("responseStatus tryLater", func(t *testing.T) {
		res, err := k.verifyOCSP(t, rvOCSP{signer: k.inter, status: 3})
		mustRule(t, res, err, "rfc6960.response")
	})
	t.Run("responseStatus tryLater beside CRLs that settle the status", func(t *testing.T) {
		// An error response is about no certificate in particular: it fails every
		// certificate of the chain whose status nothing else settles.
		p := k.policy()
		p.OCSP = [][]byte{rvOCSP{signer: k.inter, status: 3}.der(t)}
		p.CRLs = []*x509.RevocationList{makeCRL(t, k.inter, big.NewInt(1), false, nil), makeCRL(t, k.root, big.NewInt(1), false, nil)}
		res, err := verify.Verify(k.leaf.cert, nil, p)
		mustValid(t, res, err)
	})
	t.Run("trailing bytes after the response", func(t *testing.T) {
		res, err := k.verifyOCSP(t, rvOCSP{signer: k.inter, singles: []rvSingle{k.good()}, trailing: []byte{0}})
		mustRule(t, res, err, "rfc6960.response")
	})
	t.Run("critical single extension", func(t *testing.T) {
		s := k.good()
		s.exts = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}, Critical: true, Value: []byte{5, 0}}}
		res, err := k.verifyOCSP(t, rvOCSP{signer: k.inter, singles: []rvSingle{s}})
		mustRule(t, res, err, "rfc6960.response")
	})
	t.Run("signed with SHA-1", func(t *testing.T) {
		rk := rvPKI{root: k.root}
		rk.inter = subCA(t, "RV RSA Inter", k.root, func(c *tpCert) { c.key = newRSAKey(t, 2048) })
		rk.leaf = leafCert(t, "leaf.example.com", rk.inter)
		res, err := rk.verifyOCSP(t, rvOCSP{signer: rk.inter, sha1: true, singles: []rvSingle{rk.good()}})
		mustRule(t, res, err, "signet.weak-signature")
	})
}

// TestReviewOCSPUnknown: an answer "unknown" about the leaf (RFC 6960 2.2: the responder does
// not know the certificate) establishes nothing. It was read as no answer at all: the check
// said "not checked: no CRL of ... given" and the chain was valid, although the user gave an
// OCSP response for that very certificate. Now the status could not be established
// (CRLMissing, rfc6960.unknown), unless a CRL settles it.
func TestReviewOCSPUnknown(t *testing.T) {
	k := newRVPKI(t)
	s := k.good()
	s.status = 2
	res, err := k.verifyOCSP(t, rvOCSP{signer: k.inter, singles: []rvSingle{s}})
	mustRule(t, res, err, "rfc6960.unknown")
	if !errors.Is(err, verify.CRLMissing) {
		t.Fatalf("want CRLMissing, got %v", err)
	}
	wantLeafNotPassed(t, k, res)

	p := k.policy()
	p.OCSP = [][]byte{rvOCSP{signer: k.inter, singles: []rvSingle{s}}.der(t)}
	p.CRLs = []*x509.RevocationList{makeCRL(t, k.inter, big.NewInt(1), false, nil)}
	res, err = verify.Verify(k.leaf.cert, nil, p)
	mustValid(t, res, err)

	p.CRLs = []*x509.RevocationList{makeCRL(t, k.inter, big.NewInt(1), false, nil, k.leaf.cert.SerialNumber)}
	res, err = verify.Verify(k.leaf.cert, nil, p)
	mustRule(t, res, err, "rfc5280.revoked")
}

// TestReviewOCSPCriticalResponseExtension: a critical extension in ResponseData that signet
// does not process (RFC 6960 4.4, RFC 5280 4.2: not understood and critical, refuse) made no
// difference: neither golang.org/x/crypto/ocsp nor signet read responseExtensions. A
// non-critical one (the nonce) is fine.
func TestReviewOCSPCriticalResponseExtension(t *testing.T) {
	k := newRVPKI(t)
	unknown := pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 2}, Critical: true, Value: []byte{5, 0}}
	res, err := k.verifyOCSP(t, rvOCSP{signer: k.inter, singles: []rvSingle{k.good()}, respExts: []pkix.Extension{unknown}})
	mustRule(t, res, err, "rfc6960.response")
	wantLeafNotPassed(t, k, res)

	nonce := pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}, Value: []byte{4, 2, 1, 2}}
	res, err = k.verifyOCSP(t, rvOCSP{signer: k.inter, singles: []rvSingle{k.good()}, respExts: []pkix.Extension{nonce}})
	wantOCSPGood(t, res, err)
}

// TestReviewOCSPResponderID: the responderID must name the key that signed the response (RFC
// 6960 4.2.2.3): byName its subject, byKey the SHA-1 of its key. A response of the issuer's
// key whose responderID named another CA (or another key) was accepted; openssl's
// OCSP_basic_verify looks the signer up by that id and refuses it.
func TestReviewOCSPResponderID(t *testing.T) {
	k := newRVPKI(t)
	res, err := k.verifyOCSP(t, rvOCSP{signer: k.inter, responderID: k.sister.cert.RawSubject, singles: []rvSingle{k.good()}})
	mustRule(t, res, err, "rfc6960.responder-id")
	res, err = k.verifyOCSP(t, rvOCSP{signer: k.inter, byKey: true, responderID: rvHash(rvOIDSHA1, rvSPKIBits(t, k.sister.cert)), singles: []rvSingle{k.good()}})
	mustRule(t, res, err, "rfc6960.responder-id")
}

// TestReviewOCSPResponderIDOpenSSL: openssl's responses name their signer byName, or byKey
// with -resp_key_id; both are read, and tie the response to its signer. Regression guard for
// rfc6960.responder-id: TestOCSPWithOpenSSL makes byName responses only.
func TestReviewOCSPResponderIDOpenSSL(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	abs := func(n string) string { p, _ := filepath.Abs(filepath.Join(pki, n)); return p }
	ca, caKey, leafPath := abs("int-ca.pem"), abs("int-ca.key"), abs("codesign.pem")
	leaf := mustCerts(t, "codesign.pem")[0]
	index := filepath.Join(dir, "index.txt")
	line := fmt.Sprintf("V\t%s\t\t%X\tunknown\t/CN=x\n", leaf.NotAfter.UTC().Format("060102150405Z"), leaf.SerialNumber)
	if err := os.WriteFile(index, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	req, out := filepath.Join(dir, "req.der"), filepath.Join(dir, "resp.der")
	testutil.Run(t, openssl, "ocsp", "-issuer", ca, "-cert", leafPath, "-no_nonce", "-reqout", req)
	for _, byKey := range []bool{false, true} {
		args := []string{"ocsp", "-index", index, "-CA", ca, "-rsigner", ca, "-rkey", caKey, "-reqin", req, "-respout", out, "-ndays", "1"}
		if byKey {
			args = append(args, "-resp_key_id")
		}
		testutil.Run(t, openssl, args...)
		resp, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		res, err := verify.Verify(leaf, nil, verify.Policy{Roots: mustCerts(t, "root-ca.pem"), Intermediates: mustCerts(t, "int-ca.pem"), OCSP: [][]byte{resp}})
		if res == nil {
			t.Fatalf("not checked: %v", err)
		}
		wantOCSPGood(t, res, err)
	}
}

// rvIDPExt is an issuing distribution point naming uri.
func rvIDPExt(uri string) pkix.Extension {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.Tag(6).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte(uri)) })
			})
		})
	})
	return rawExt(asn1.ObjectIdentifier{2, 5, 29, 28}, true, b.BytesOrPanic())
}

// TestReviewOCSPResponderRevoked: a delegated responder that a CRL given revokes cannot vouch
// for anything. Its good answer settled the leaf's status: the CRL that lists the responder
// (a partition of the issuer's CRL, by distribution point) does not cover the leaf, so
// nothing else looked at it. Now the response is refused (rfc6960.responder-revoked), and the
// leaf's status is not established.
func TestReviewOCSPResponderRevoked(t *testing.T) {
	k := newRVPKI(t)
	dp := func(uri string) func(*tpCert) {
		return func(c *tpCert) {
			c.exts = append(c.exts, rawExt(asn1.ObjectIdentifier{2, 5, 29, 31}, false, crldp(uri)))
		}
	}
	k.leaf = leafCert(t, "leaf.example.com", k.inter, dp("http://rv.example/leaf.crl"))
	resp := issue(t, tpCert{subject: cn("RV Responder"), pathLen: -1, eku: []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 9}}}, k.inter)
	respDP := issue(t, tpCert{subject: cn("RV Responder"), pathLen: -1, key: resp.key, eku: []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 9}},
		exts: []pkix.Extension{rawExt(asn1.ObjectIdentifier{2, 5, 29, 31}, false, crldp("http://rv.example/ocsp.crl"))}}, k.inter)
	partition := makeCRL(t, k.inter, big.NewInt(3), false, []pkix.Extension{rvIDPExt("http://rv.example/ocsp.crl")}, respDP.cert.SerialNumber)
	p := k.policy()
	p.OCSP = [][]byte{rvOCSP{signer: respDP, certs: [][]byte{respDP.der}, singles: []rvSingle{k.good()}}.der(t)}
	p.CRLs = []*x509.RevocationList{partition}
	res, err := verify.Verify(k.leaf.cert, nil, p)
	mustRule(t, res, err, "rfc6960.responder-revoked")
	wantLeafNotPassed(t, k, res)

	// Regression guard: the same response and partition, the responder not listed.
	p.CRLs = []*x509.RevocationList{makeCRL(t, k.inter, big.NewInt(3), false, []pkix.Extension{rvIDPExt("http://rv.example/ocsp.crl")})}
	res, err = verify.Verify(k.leaf.cert, nil, p)
	wantOCSPGood(t, res, err)
}

// FuzzOCSPResponse feeds arbitrary bytes as an OCSP response about the leaf: signet's own
// reader of responses, SingleResponses and extensions (parseOCSP) must neither panic nor hang.
func FuzzOCSPResponse(f *testing.F) {
	k := newRVPKI(f)
	unknown := k.good()
	unknown.status = 2
	revoked := k.good()
	revoked.status, revoked.reason = 1, 1
	nonce := pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}, Value: []byte{4, 0}}
	resp := issue(f, tpCert{subject: cn("RV Responder"), pathLen: -1, eku: []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 9}}}, k.inter)
	for _, o := range []rvOCSP{
		{signer: k.inter, singles: []rvSingle{k.good()}},
		{signer: k.inter, byKey: true, singles: []rvSingle{unknown, revoked}, respExts: []pkix.Extension{nonce}},
		{signer: k.inter, status: 3},
		{signer: resp, certs: [][]byte{k.inter.der, resp.der}, singles: []rvSingle{k.good()}},
	} {
		f.Add(o.der(f))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := k.policy()
		p.OCSP = [][]byte{data}
		res, _ := verify.Verify(k.leaf.cert, nil, p)
		if res == nil {
			t.Fatal("no result")
		}
		verify.CheckOCSPUsed(p.OCSP, res.Chain)
	})
}

// TestReviewCRLSignerPoolReadsCRLsOnce: a peer's chain may hold certificates that bear the name
// and public key of a CA's CRL signing key (no private key needed), each of which signet
// validates as a possible CRL signer (up to maxSignerValidations). Every such validation read
// every CRL given again, entry by entry: with a large CRL, one handshake cost sixteen times
// the reading of it. The nested validations now share the CRLs read once; the test holds the
// memory a Verify call allocates with such a pool to a small multiple of one without it.
func TestReviewCRLSignerPoolReadsCRLsOnce(t *testing.T) {
	root := rootCA(t, "RV Root")
	inter := subCA(t, "RV Inter", root)
	// The CA's new key, which signs its CRLs after a rollover.
	interNew := subCA(t, "RV Inter", root)
	leaf := leafCert(t, "leaf.example.com", inter)
	tmpl := &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: tpNotBefore, NextUpdate: tpNotAfter}
	for i := range 20000 {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries,
			x509.RevocationListEntry{SerialNumber: big.NewInt(int64(1e12 + i)), RevocationTime: tpNotBefore, ReasonCode: 1})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, interNew.cert, interNew.key.signer)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	attacker := rootCA(t, "RV Attacker")
	var fakes []*x509.Certificate
	for range 15 {
		fakes = append(fakes, subCA(t, "RV Inter", attacker, func(c *tpCert) { c.key = tpKey{interNew.key.signer} }).cert)
	}
	p := verify.Policy{Roots: []*x509.Certificate{root.cert}, Intermediates: []*x509.Certificate{inter.cert}, At: tpAt,
		CRLs: []*x509.RevocationList{crl}}
	alloc := func(chain []*x509.Certificate) uint64 {
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		res, err := verify.Verify(leaf.cert, chain, p)
		runtime.ReadMemStats(&m1)
		mustValid(t, res, err)
		return m1.TotalAlloc - m0.TotalAlloc
	}
	plain := alloc([]*x509.Certificate{interNew.cert})
	hostile := alloc(append(slices.Clone(fakes), interNew.cert))
	t.Logf("%d KiB with the pool, %d KiB without", hostile>>10, plain>>10)
	if hostile > 4*plain {
		t.Fatalf("with %d certificates bearing the CRL signer's key, Verify allocated %d KiB, %.1f times the %d KiB without them",
			len(fakes), hostile>>10, float64(hostile)/float64(plain), plain>>10)
	}
}

// TestReviewLargeCRLMemory: reading a CRL's entries for one Verify call cost about 470 bytes
// an entry (a map of every issuer and serial, as decimal strings, to find duplicates), on
// every call: 750 MB for a CRL of 1.6 million entries, the most a 64 MiB file holds, per
// handshake of a tunnel. The entries are now sorted, which finds the duplicates and lets a
// certificate be looked up by binary search; the test holds the memory a Verify call
// allocates to less than 150 bytes an entry.
func TestReviewLargeCRLMemory(t *testing.T) {
	k := newRVPKI(t)
	const n = 50000
	tmpl := &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: tpNotBefore, NextUpdate: tpNotAfter}
	for i := range n {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries,
			x509.RevocationListEntry{SerialNumber: big.NewInt(int64(1e12 + 7919*i)), RevocationTime: tpNotBefore, ReasonCode: 1})
	}
	// The leaf in the middle of the list, and one serial twice in another copy.
	tmpl.RevokedCertificateEntries[n/2].SerialNumber = k.leaf.cert.SerialNumber
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, k.inter.cert, k.inter.key.signer)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	p := k.policy()
	p.CRLs = []*x509.RevocationList{crl}
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	res, err := verify.Verify(k.leaf.cert, nil, p)
	runtime.ReadMemStats(&m1)
	mustRule(t, res, err, "rfc5280.revoked")
	perEntry := (m1.TotalAlloc - m0.TotalAlloc) / n
	t.Logf("%d bytes an entry", perEntry)
	if perEntry > 150 {
		t.Fatalf("Verify allocated %d bytes for each entry of the CRL", perEntry)
	}

	// Regression guards for the lookup and the duplicates, by the sorted entries.
	tmpl.RevokedCertificateEntries[n/2].SerialNumber = big.NewInt(5)
	tmpl.RevokedCertificateEntries[n-1].SerialNumber = big.NewInt(5)
	der, err = x509.CreateRevocationList(rand.Reader, tmpl, k.inter.cert, k.inter.key.signer)
	if err != nil {
		t.Fatal(err)
	}
	if crl, err = x509.ParseRevocationList(der); err != nil {
		t.Fatal(err)
	}
	p.CRLs = []*x509.RevocationList{crl}
	res, err = verify.Verify(k.leaf.cert, nil, p)
	mustRule(t, res, err, "rfc5280.crl-duplicate-entry")
}

// TestReviewOCSPResponderKey: a delegated responder's key vouches for every certificate of its
// CA, yet it escaped the key checks of the chain's certificates: a 1024-bit RSA responder
// (which signet refuses anywhere in a chain, signet.rsa-key-too-small) signed a good answer
// that was taken. Now rfc6960.responder-key.
func TestReviewOCSPResponderKey(t *testing.T) {
	k := newRVPKI(t)
	ocspEKU := []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 9}}
	weak := issue(t, tpCert{subject: cn("RV Responder"), pathLen: -1, eku: ocspEKU, key: newRSAKey(t, 1024)}, k.inter)
	res, err := k.verifyOCSP(t, rvOCSP{signer: weak, certs: [][]byte{weak.der}, singles: []rvSingle{k.good()}})
	mustRule(t, res, err, "rfc6960.responder-key")
	wantLeafNotPassed(t, k, res)

	// Regression guard: the same with a 2048-bit key.
	strong := issue(t, tpCert{subject: cn("RV Responder"), pathLen: -1, eku: ocspEKU, key: newRSAKey(t, 2048)}, k.inter)
	res, err = k.verifyOCSP(t, rvOCSP{signer: strong, certs: [][]byte{strong.der}, singles: []rvSingle{k.good()}})
	wantOCSPGood(t, res, err)
}

// TestReviewRevocationGuards: regression guards for behaviours no other test pins.
func TestReviewRevocationGuards(t *testing.T) {
	k := newRVPKI(t)
	t.Run("OCSP response signed with MD5", func(t *testing.T) {
		rk := rvPKI{root: k.root}
		rk.inter = subCA(t, "RV RSA Inter", k.root, func(c *tpCert) { c.key = newRSAKey(t, 2048) })
		rk.leaf = leafCert(t, "leaf.example.com", rk.inter)
		der := rvOCSP{signer: rk.inter, singles: []rvSingle{rk.good()}}.der(t)
		// Re-sign the same response with md5WithRSAEncryption.
		der = resignMD5(t, der, rk.inter)
		p := rk.policy()
		p.OCSP = [][]byte{der}
		res, err := verify.Verify(rk.leaf.cert, nil, p)
		var ve *verify.Error
		if !errors.As(err, &ve) || ve.Rule != "rfc6960.forged" && ve.Rule != "signet.weak-signature" {
			t.Fatalf("want an MD5 response refused, got %v\n%s", err, dumpChecks(res))
		}
	})
	t.Run("OCSP answer without nextUpdate, fresh", func(t *testing.T) {
		s := k.good()
		s.nextUpdate = time.Time{}
		res, err := k.verifyOCSP(t, rvOCSP{signer: k.inter, singles: []rvSingle{s}})
		wantOCSPGood(t, res, err)
	})
	expired := func(issuer *tpIssued) *x509.RevocationList {
		tmpl := &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: tpNotBefore, NextUpdate: tpAt.Add(-time.Hour)}
		der, err := x509.CreateRevocationList(rand.Reader, tmpl, issuer.cert, issuer.key.signer)
		if err != nil {
			t.Fatal(err)
		}
		l, err := x509.ParseRevocationList(der)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	for _, require := range []bool{false, true} {
		t.Run(fmt.Sprintf("expired CRL, RequireCRL %v", require), func(t *testing.T) {
			p := k.policy()
			p.RequireCRL = require
			p.CRLs = []*x509.RevocationList{expired(k.inter)}
			res, err := verify.Verify(k.leaf.cert, nil, p)
			mustRule(t, res, err, "rfc5280.crl-expired")
			wantLeafNotPassed(t, k, res)
		})
		t.Run(fmt.Sprintf("another CA's CRL only, RequireCRL %v", require), func(t *testing.T) {
			p := k.policy()
			p.RequireCRL = require
			p.CRLs = []*x509.RevocationList{makeCRL(t, k.sister, big.NewInt(1), false, nil)}
			res, err := verify.Verify(k.leaf.cert, nil, p)
			if require {
				mustRule(t, res, err, "signet.crl-required")
			} else {
				mustValid(t, res, err)
				if !strings.Contains(dumpChecks(res), "covers no certificate of the chain") {
					t.Fatalf("the unused CRL is not reported\n%s", dumpChecks(res))
				}
			}
			wantLeafNotPassed(t, k, res)
		})
	}
}

// resignMD5 replaces the signature of an OCSP response made by rvOCSP with an MD5 one by
// signer (an RSA key).
func resignMD5(t *testing.T, der []byte, signer *tpIssued) []byte {
	t.Helper()
	s := cryptobyte.String(der)
	var resp, status, rb, rbs, basicDER, basic, tbs cryptobyte.String
	var rtype asn1.ObjectIdentifier
	if !s.ReadASN1(&resp, cbasn1.SEQUENCE) || !resp.ReadASN1(&status, cbasn1.ENUM) ||
		!resp.ReadASN1(&rb, cbasn1.Tag(0).ContextSpecific().Constructed()) || !rb.ReadASN1(&rbs, cbasn1.SEQUENCE) ||
		!rbs.ReadASN1ObjectIdentifier(&rtype) || !rbs.ReadASN1(&basicDER, cbasn1.OCTET_STRING) ||
		!basicDER.ReadASN1(&basic, cbasn1.SEQUENCE) || !basic.ReadASN1Element(&tbs, cbasn1.SEQUENCE) {
		t.Fatal("cannot read the response back")
	}
	h := crypto.MD5.New()
	h.Write(tbs)
	sig, err := rsa.SignPKCS1v15(rand.Reader, signer.key.signer.(*rsa.PrivateKey), crypto.MD5, h.Sum(nil))
	if err != nil {
		t.Fatal(err)
	}
	algDER, _ := asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 4}, Parameters: asn1.NullRawValue})
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Enum(0)
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(rtype)
				b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddBytes(tbs)
						b.AddBytes(algDER)
						b.AddASN1BitString(sig)
					})
				})
			})
		})
	})
	return b.BytesOrPanic()
}

// TestReviewDeltaWithoutBase: a delta CRL alone cannot settle a status (RFC 5280 5.2.4), and
// signet refuses it with rfc5280.crl-scope (TestDifferentialOpenSSL pins the rule); the reason
// given was "none of them covers it (another distribution point or scope)", which sent the
// user looking for the wrong CRL. It now names the complete CRL the delta needs.
func TestReviewDeltaWithoutBase(t *testing.T) {
	k := newRVPKI(t)
	p := k.policy()
	ind := ext(asn1.ObjectIdentifier{2, 5, 29, 27}, true, big.NewInt(6))
	p.CRLs = []*x509.RevocationList{makeCRL(t, k.inter, big.NewInt(7), false, []pkix.Extension{ind})}
	res, err := verify.Verify(k.leaf.cert, nil, p)
	mustRule(t, res, err, "rfc5280.crl-scope")
	if !strings.Contains(err.Error(), "complete CRL number 6, which was not given") {
		t.Fatalf("the message does not say the base CRL is missing: %v", err)
	}
}

// TestReviewIndirectCRLCertificateIssuer: in an indirect CRL, an entry's certificateIssuer
// holds for the entries after it until the next one (RFC 5280 5.3.3); before any, entries
// are the CRL issuer's own. Regression guard: PKITS's indirect CRLs name the issuer on each
// entry, and TestHostileCertificateIssuerInDirectCRL covers direct CRLs only.
func TestReviewIndirectCRLCertificateIssuer(t *testing.T) {
	root := rootCA(t, "RV Root")
	inter := subCA(t, "RV Inter", root)
	crlCA := subCA(t, "RV CRL Issuer", root)
	// The leaf's distribution point: CRLs of crlCA (cRLIssuer), no name.
	var dp cryptobyte.Builder
	dp.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(2).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddBytes(gn(4, true, crlCA.cert.RawSubject))
			})
		})
	})
	leaf := leafCert(t, "leaf.example.com", inter, func(c *tpCert) {
		c.exts = append(c.exts, rawExt(asn1.ObjectIdentifier{2, 5, 29, 31}, false, dp.BytesOrPanic()))
	})
	var idp cryptobyte.Builder
	idp.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(4).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddUint8(0xff) })
	})
	idpExt := rawExt(asn1.ObjectIdentifier{2, 5, 29, 28}, true, idp.BytesOrPanic())
	var ci cryptobyte.Builder
	ci.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddBytes(gn(4, true, inter.cert.RawSubject)) })
	ciExt := pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 29}, Critical: true, Value: ci.BytesOrPanic()}
	mk := func(leafFirst bool) *x509.RevocationList {
		named := x509.RevocationListEntry{SerialNumber: big.NewInt(999), RevocationTime: tpNotBefore, ExtraExtensions: []pkix.Extension{ciExt}}
		mine := x509.RevocationListEntry{SerialNumber: leaf.cert.SerialNumber, RevocationTime: tpNotBefore}
		entries := []x509.RevocationListEntry{named, mine}
		if leafFirst {
			entries = []x509.RevocationListEntry{mine, named}
		}
		tmpl := &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: tpNotBefore, NextUpdate: tpNotAfter,
			ExtraExtensions: []pkix.Extension{idpExt}, RevokedCertificateEntries: entries}
		der, err := x509.CreateRevocationList(rand.Reader, tmpl, crlCA.cert, crlCA.key.signer)
		if err != nil {
			t.Fatal(err)
		}
		l, err := x509.ParseRevocationList(der)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	p := verify.Policy{Roots: []*x509.Certificate{root.cert}, Intermediates: []*x509.Certificate{inter.cert, crlCA.cert}, At: tpAt}
	p.CRLs = []*x509.RevocationList{mk(false)}
	res, err := verify.Verify(leaf.cert, nil, p)
	mustRule(t, res, err, "rfc5280.revoked")
	// Listed before any certificateIssuer: the serial of a certificate of the CRL issuer.
	p.CRLs = []*x509.RevocationList{mk(true)}
	res, err = verify.Verify(leaf.cert, nil, p)
	if err != nil {
		t.Fatalf("want valid: %v\n%s", err, dumpChecks(res))
	}
	if c, ok := revocationOf(res, verify.Name(leaf.cert)); !ok || c.Status != verify.Pass {
		t.Fatalf("the indirect CRL did not settle the leaf's status\n%s", dumpChecks(res))
	}
}

// TestReviewOCSPCertIDIssuerField: RFC 6960 4.1.1 hashes "the issuer's name field in the
// certificate being checked"; signet hashed the issuer certificate's subject only. When the
// two are encoded differently (the same name under RFC 5280 7.1, as signet chains them), a
// conforming response was "about no certificate of the chain": a revoked answer was passed
// over and the chain was valid. Both encodings now name the issuer.
func TestReviewOCSPCertIDIssuerField(t *testing.T) {
	root := rootCA(t, "RV Root")
	ca := issue(t, tpCert{rawSubj: rawName(oidO, tagPS, "Signet Rules", oidCN, tagPS, "RV Issuing"), ca: true, pathLen: -1}, root)
	leaf := issue(t, tpCert{subject: cn("leaf.example.com"), rawIss: rawName(oidO, tagU8, "Signet Rules", oidCN, tagU8, "RV Issuing"), pathLen: -1}, ca)
	if string(leaf.cert.RawIssuer) == string(ca.cert.RawSubject) {
		t.Fatal("the names are byte-equal: the test proves nothing")
	}
	k := rvPKI{root: root, inter: ca, leaf: leaf}
	for _, name := range [][]byte{leaf.cert.RawIssuer, ca.cert.RawSubject} {
		s := k.good()
		s.status = 1
		s.nameHash = rvHash(rvOIDSHA1, name)
		res, err := k.verifyOCSP(t, rvOCSP{signer: ca, singles: []rvSingle{s}})
		mustRule(t, res, err, "rfc6960.revoked")
	}
}

// TestReviewOCSPContradictoryAnswers: a response that answers twice about the leaf, good then
// revoked, was read by its first answer: good. A responder that says both has said revoked;
// the revoked answer now wins, in either order.
func TestReviewOCSPContradictoryAnswers(t *testing.T) {
	k := newRVPKI(t)
	good, revoked := k.good(), k.good()
	revoked.status = 1
	for _, order := range [][]rvSingle{{good, revoked}, {revoked, good}} {
		res, err := k.verifyOCSP(t, rvOCSP{signer: k.inter, singles: order})
		mustRule(t, res, err, "rfc6960.revoked")
	}
}
