package interop_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	zx509 "github.com/zmap/zcrypto/x509"
	"github.com/zmap/zlint/v3"
	"github.com/zmap/zlint/v3/lint"

	"github.com/signet-pki/signet/verify"
)

// The differential audit of signet's webpki profile against zlint (github.com/zmap/zlint/v3),
// the linter CAs and root programs run over certificates before and after issuance.
//
// One chain shaped as the Baseline Requirements (BRs) want it -- a root, an intermediate and a
// TLS server leaf, all ECDSA P-256, issued 2026-06-01 so that the BR lints of today apply
// (SC-62 profiles, SC-81's 200-day lifetime) -- passes zlint's BR and RFC lints with no error
// and verifies under verify.ProfileWebPKI. Each case changes one thing in one certificate; zlint
// lints the certificate changed, signet's verify judges the whole chain (the library, and every
// third case also through `signet cert verify --profile webpki --json`), and the case pins both
// verdicts: zlint's failing lints (error and fatal; warnings and notices are a CA's business)
// and signet's (valid, or the rule id). Where they disagree, the case says who is right:
//
//	signet   signet is right: the BR or RFC section says why (zlint lints one certificate
//	         and sees no path: an excluded name, a pathLenConstraint)
//	choice   a documented choice: the lint is about how a CA should issue, which a relying
//	         party does not enforce, as browsers do not (the case says which behaviour)
//	fixed    was a signet fault, fixed in verify (verify/webpki_zlint_fixes_test.go) and
//	         pinned here at the fixed verdict, where the two now agree
//
// Agreement is "valid" against no zlint error, or a rule against at least one. The lints and
// rules need not name the same thing: a case pins both in full, so that a change on either
// side (a zlint upgrade, a new signet rule) shows up here. ZLINT_AUDIT_PRINT=1 prints every
// case's verdicts, for re-pinning after such a change.
//
// The verify library comes from this tree (go.mod's replace), so a change to the webpki
// profile is audited by the next run of this module's tests (scripts/test.sh).

// zAt is when the chain is judged; zNotBefore when it was issued.
var (
	zNotBefore = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	zAt        = zNotBefore.Add(24 * time.Hour)
)

// The zlint sources audited: the BRs and the RFCs they build on.
var zSources = lint.SourceList{lint.CABFBaselineRequirements, lint.RFC5280, lint.RFC5480, lint.RFC5891, lint.RFC3279, lint.RFC8813}

var (
	zOidEKU   = asn1.ObjectIdentifier{2, 5, 29, 37}
	zOidKU    = asn1.ObjectIdentifier{2, 5, 29, 15}
	zOidSAN   = asn1.ObjectIdentifier{2, 5, 29, 17}
	zOidBC    = asn1.ObjectIdentifier{2, 5, 29, 19}
	zOidAKI   = asn1.ObjectIdentifier{2, 5, 29, 35}
	zOidSKI   = asn1.ObjectIdentifier{2, 5, 29, 14}
	zOidCRLDP = asn1.ObjectIdentifier{2, 5, 29, 31}
	zOidCP    = asn1.ObjectIdentifier{2, 5, 29, 32}
	zOidDV    = asn1.ObjectIdentifier{2, 23, 140, 1, 2, 1}
	zOidAnyP  = asn1.ObjectIdentifier{2, 5, 29, 32, 0}
)

// zNode is one certificate to issue: its template, the key it certifies (pub), and the key
// that signs what it issues.
type zNode struct {
	tmpl  *x509.Certificate
	key   crypto.Signer
	pub   any  // nil: key.Public()
	noAKI bool // issue it without an authority key identifier
	// drop lists extensions taken out after issuing (the certificate is signed again):
	// those crypto/x509 always writes, such as a CA's subject key identifier.
	drop []asn1.ObjectIdentifier
}

// zChain is the certificates, issued in order: sub, if set, is a second CA that inter
// issues and that issues the leaf.
type zChain struct{ root, inter, sub, leaf *zNode }

// zKeys are the keys of the audit, made once: the chain's (P-256), and those the key cases
// put in a certificate or sign with.
var zKeys struct {
	once              sync.Once
	root, inter, leaf *ecdsa.PrivateKey
	sub               *ecdsa.PrivateKey
	rsa2048, rsaInter *rsa.PrivateKey
	p224, p384, p521  *ecdsa.PrivateKey
	ed                ed25519.PrivateKey
	rsa1024           *rsa.PrivateKey
	err               error
}

func zLoadKeys(t *testing.T) {
	t.Helper()
	zKeys.once.Do(func() {
		var errs []error
		ec := func(c elliptic.Curve) *ecdsa.PrivateKey {
			k, err := ecdsa.GenerateKey(c, rand.Reader)
			errs = append(errs, err)
			return k
		}
		rk := func(bits int) *rsa.PrivateKey {
			k, err := rsa.GenerateKey(rand.Reader, bits)
			errs = append(errs, err)
			return k
		}
		zKeys.root, zKeys.inter, zKeys.leaf = ec(elliptic.P256()), ec(elliptic.P256()), ec(elliptic.P256())
		zKeys.sub = ec(elliptic.P256())
		zKeys.p224, zKeys.p384, zKeys.p521 = ec(elliptic.P224()), ec(elliptic.P384()), ec(elliptic.P521())
		zKeys.rsa2048, zKeys.rsaInter, zKeys.rsa1024 = rk(2048), rk(2048), rk(1024)
		var err error
		_, zKeys.ed, err = ed25519.GenerateKey(rand.Reader)
		zKeys.err = errors.Join(append(errs, err)...)
	})
	if zKeys.err != nil {
		t.Fatal(zKeys.err)
	}
}

func zSerial(name string) *big.Int {
	h := sha256.Sum256([]byte(name))
	h[0] &= 0x7f
	return new(big.Int).SetBytes(h[:16])
}

func zName(cn string) pkix.Name {
	return pkix.Name{Country: []string{"US"}, Organization: []string{"Signet Test"}, CommonName: cn}
}

// zBase is the BR-shaped chain.
func zBase() *zChain {
	root := &x509.Certificate{
		SerialNumber:          zSerial("root"),
		Subject:               zName("Signet zlint Root"),
		NotBefore:             time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2041, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            -1,
		SignatureAlgorithm:    x509.ECDSAWithSHA256,
	}
	inter := &x509.Certificate{
		SerialNumber:          zSerial("inter"),
		Subject:               zName("Signet zlint TLS CA"),
		NotBefore:             zNotBefore,
		NotAfter:              time.Date(2031, 6, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
		IssuingCertificateURL: []string{"http://root.example.com/root.crt"},
		CRLDistributionPoints: []string{"http://root.example.com/root.crl"},
		Policies:              []x509.OID{zOID(zOidAnyP)},
		SignatureAlgorithm:    x509.ECDSAWithSHA256,
	}
	leaf := &x509.Certificate{
		SerialNumber:          zSerial("leaf"),
		Subject:               pkix.Name{CommonName: "www.example.com"},
		NotBefore:             zNotBefore,
		NotAfter:              zNotBefore.Add(90*24*time.Hour - time.Second),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{"www.example.com", "example.com"},
		IssuingCertificateURL: []string{"http://ca.example.com/ca.crt"},
		CRLDistributionPoints: []string{"http://ca.example.com/ca.crl"},
		Policies:              []x509.OID{zOID(zOidDV)},
		SignatureAlgorithm:    x509.ECDSAWithSHA256,
	}
	return &zChain{
		root:  &zNode{tmpl: root, key: zKeys.root},
		inter: &zNode{tmpl: inter, key: zKeys.inter},
		leaf:  &zNode{tmpl: leaf, key: zKeys.leaf},
	}
}

func zOID(o asn1.ObjectIdentifier) x509.OID {
	ints := make([]uint64, len(o))
	for i, n := range o {
		ints[i] = uint64(n)
	}
	oid, err := x509.OIDFromInts(ints)
	if err != nil {
		panic(err)
	}
	return oid
}

// issue makes the certificates: the root, the CAs below it in order, the leaf.
func (z *zChain) issue() (root *x509.Certificate, cas []*x509.Certificate, leaf *x509.Certificate, err error) {
	one := func(n *zNode, parent *x509.Certificate, signer crypto.Signer) (*x509.Certificate, error) {
		pub := n.pub
		if pub == nil {
			pub = n.key.Public()
		}
		if parent == nil {
			parent = n.tmpl
		} else if n.noAKI {
			p := *parent
			p.SubjectKeyId = nil
			parent = &p
		}
		if n.tmpl.IsCA && n.tmpl.SubjectKeyId == nil {
			spki, err := x509.MarshalPKIXPublicKey(pub)
			if err != nil {
				return nil, err
			}
			h := sha256.Sum256(spki)
			n.tmpl.SubjectKeyId = h[:20]
		}
		der, err := x509.CreateCertificate(rand.Reader, n.tmpl, parent, pub, signer)
		if err != nil {
			return nil, err
		}
		if len(n.drop) > 0 {
			if der, err = zResign(der, signer, n.drop); err != nil {
				return nil, err
			}
		}
		return x509.ParseCertificate(der)
	}
	if root, err = one(z.root, nil, z.root.key); err != nil {
		return nil, nil, nil, fmt.Errorf("root: %w", err)
	}
	inter, err := one(z.inter, root, z.root.key)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("intermediate: %w", err)
	}
	cas, issuer, issuerKey := []*x509.Certificate{inter}, inter, z.inter.key
	if z.sub != nil {
		sub, err := one(z.sub, inter, z.inter.key)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("second CA: %w", err)
		}
		cas, issuer, issuerKey = append(cas, sub), sub, z.sub.key
	}
	if leaf, err = one(z.leaf, issuer, issuerKey); err != nil {
		return nil, nil, nil, fmt.Errorf("leaf: %w", err)
	}
	return root, cas, leaf, nil
}

// zResign takes the extensions drop out of the certificate der and signs it again with
// signer, an ECDSA key, with ecdsa-with-SHA256.
func zResign(der []byte, signer crypto.Signer, drop []asn1.ObjectIdentifier) ([]byte, error) {
	var cert struct {
		TBS    asn1.RawValue
		SigAlg asn1.RawValue
		Sig    asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &cert); err != nil {
		return nil, err
	}
	var tbs struct {
		Version    int `asn1:"optional,explicit,default:0,tag:0"`
		Serial     *big.Int
		SigAlg     asn1.RawValue
		Issuer     asn1.RawValue
		Validity   asn1.RawValue
		Subject    asn1.RawValue
		PublicKey  asn1.RawValue
		Extensions []pkix.Extension `asn1:"omitempty,optional,explicit,tag:3"`
	}
	if _, err := asn1.Unmarshal(cert.TBS.FullBytes, &tbs); err != nil {
		return nil, err
	}
	tbs.Extensions = slices.DeleteFunc(tbs.Extensions, func(e pkix.Extension) bool {
		return slices.ContainsFunc(drop, e.Id.Equal)
	})
	raw, err := asn1.Marshal(tbs)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(raw)
	sig, err := signer.Sign(rand.Reader, h[:], crypto.SHA256)
	if err != nil {
		return nil, err
	}
	cert.TBS = asn1.RawValue{FullBytes: raw}
	cert.Sig = asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}
	return asn1.Marshal(cert)
}

// zExt is an extension with value marshalled by encoding/asn1 (raw bytes as they are).
func zExt(oid asn1.ObjectIdentifier, critical bool, v any) pkix.Extension {
	der, ok := v.([]byte)
	if !ok {
		var err error
		if der, err = asn1.Marshal(v); err != nil {
			panic(err)
		}
	}
	return pkix.Extension{Id: oid, Critical: critical, Value: der}
}

// zGN is one GeneralName: its context tag and its content (directoryName, tag 4, constructed).
type zGN struct {
	tag int
	val []byte
}

// zGeneralNames writes a GeneralNames sequence.
func zGeneralNames(gns ...zGN) []byte {
	var seq []asn1.RawValue
	for _, g := range gns {
		rv := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: g.tag, Bytes: g.val}
		if g.tag == 4 {
			rv.IsCompound = true
		}
		seq = append(seq, rv)
	}
	der, err := asn1.Marshal(seq)
	if err != nil {
		panic(err)
	}
	return der
}

func dnsGN(s string) zGN { return zGN{2, []byte(s)} }

// set replaces (or adds) an extension of n's certificate.
func (n *zNode) set(e pkix.Extension) {
	n.tmpl.ExtraExtensions = slices.DeleteFunc(n.tmpl.ExtraExtensions, func(x pkix.Extension) bool { return x.Id.Equal(e.Id) })
	n.tmpl.ExtraExtensions = append(n.tmpl.ExtraExtensions, e)
}

func zKUExt(critical bool, ku x509.KeyUsage) pkix.Extension {
	var b [2]byte
	bits := 0
	for i := 0; i < 9; i++ {
		if ku&(1<<i) != 0 {
			b[i/8] |= 0x80 >> (i % 8)
			bits = i + 1
		}
	}
	n := (bits + 7) / 8
	return zExt(zOidKU, critical, asn1.BitString{Bytes: b[:n], BitLength: bits})
}

func zEKUExt(critical bool, oids ...asn1.ObjectIdentifier) pkix.Extension {
	return zExt(zOidEKU, critical, oids)
}

var (
	zServerAuth = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 1}
	zClientAuth = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}
	zCodeSign   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}
	zEmailProt  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 4}
	zOCSPSign   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 9}
	zAnyEKU     = asn1.ObjectIdentifier{2, 5, 29, 37, 0}
)

func zBCExt(critical, ca bool, pathLen int) pkix.Extension {
	type bcNoPath struct {
		CA bool `asn1:"optional"`
	}
	if pathLen < 0 {
		return zExt(zOidBC, critical, bcNoPath{ca})
	}
	return zExt(zOidBC, critical, struct {
		CA      bool `asn1:"optional"`
		PathLen int
	}{ca, pathLen})
}

// zCase is one mutation and the verdicts it pins.
type zCase struct {
	name   string
	target string // the certificate changed and linted: "leaf" (default), "inter", "sub" (the second CA), "root"
	mut    func(z *zChain)
	zlint  string // zlint's failing lints (error, fatal), comma-separated, sorted
	signet string // "" valid, or the rule id
	class  string // a disagreement: signet or choice; a former one: fixed
	why    string // with a class: the section, the behaviour, or the fix
	host   string // the host to verify the leaf for, if any
	ip     string // the IP address, if any
}

func leafMut(f func(n *zNode)) func(*zChain)  { return func(z *zChain) { f(z.leaf) } }
func interMut(f func(n *zNode)) func(*zChain) { return func(z *zChain) { f(z.inter) } }
func rootMut(f func(n *zNode)) func(*zChain)  { return func(z *zChain) { f(z.root) } }

func zCases() []zCase {
	ku := func(critical bool, u x509.KeyUsage) func(*zNode) {
		return func(n *zNode) { n.set(zKUExt(critical, u)) }
	}
	eku := func(critical bool, oids ...asn1.ObjectIdentifier) func(*zNode) {
		return func(n *zNode) { n.set(zEKUExt(critical, oids...)) }
	}
	noEKU := func(n *zNode) { n.tmpl.ExtKeyUsage = nil }
	sans := func(names ...string) func(*zNode) {
		return func(n *zNode) { n.tmpl.DNSNames = names }
	}
	cnSAN := func(cn string, names ...string) func(*zNode) {
		return func(n *zNode) { n.tmpl.Subject.CommonName = cn; n.tmpl.DNSNames = names }
	}
	rawSAN := func(critical bool, gns ...zGN) func(*zNode) {
		return func(n *zNode) { n.set(zExt(zOidSAN, critical, zGeneralNames(gns...))) }
	}
	ips := func(cn string, addrs ...string) func(*zNode) {
		return func(n *zNode) {
			n.tmpl.Subject.CommonName, n.tmpl.DNSNames = cn, nil
			for _, a := range addrs {
				n.tmpl.IPAddresses = append(n.tmpl.IPAddresses, net.ParseIP(a))
			}
		}
	}
	pub := func(k func() any) func(*zNode) { return func(n *zNode) { n.pub = k() } }
	sigAlg := func(a x509.SignatureAlgorithm) func(*zNode) { return func(n *zNode) { n.tmpl.SignatureAlgorithm = a } }
	return []zCase{
		{name: "base chain: leaf", host: "www.example.com"},
		{name: "base chain: intermediate", target: "inter"},
		{name: "base chain: root", target: "root"},

		// Extended key usage of the leaf (BR 7.1.2.7.10).
		{name: "leaf without EKU", zlint: "e_sub_cert_eku_missing", signet: "signet.eku-missing", mut: leafMut(noEKU)},
		{name: "leaf EKU serverAuth and anyExtendedKeyUsage", zlint: "e_sub_cert_eku_check", signet: "signet.eku-any", mut: leafMut(eku(false, zServerAuth, zAnyEKU))},
		{name: "leaf EKU critical", zlint: "e_eku_critical", signet: "webpki.leaf-eku-critical", mut: leafMut(eku(true, zServerAuth))},
		{name: "leaf EKU serverAuth and clientAuth", mut: leafMut(eku(false, zServerAuth, zClientAuth))},
		{name: "leaf EKU serverAuth and codeSigning", zlint: "e_sub_cert_eku_check", signet: "webpki.leaf-eku-forbidden", mut: leafMut(eku(false, zServerAuth, zCodeSign))},
		{name: "leaf EKU serverAuth and emailProtection", zlint: "e_sub_cert_eku_check", signet: "webpki.leaf-eku-forbidden", mut: leafMut(eku(false, zServerAuth, zEmailProt))},
		{name: "leaf EKU serverAuth and OCSPSigning", zlint: "e_ocsp_cert_cdp_forbidden,e_ocsp_cert_cp_forbidden,e_ocsp_id_pkix_ocsp_nocheck_ext_not_included_server_auth,e_sub_cert_eku_check", signet: "webpki.leaf-eku-forbidden", mut: leafMut(eku(false, zServerAuth, zOCSPSign))},
		{name: "leaf EKU clientAuth only", zlint: "e_sub_cert_eku_check", signet: "rfc5280.eku", mut: leafMut(eku(false, zClientAuth))},
		{name: "leaf EKU serverAuth and a private OID", mut: leafMut(eku(false, zServerAuth, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 1}))},

		// Key usage of the leaf (BR 7.1.2.7.11).
		{name: "leaf without key usage", mut: leafMut(func(n *zNode) { n.tmpl.KeyUsage = 0 })},
		{name: "leaf key usage not critical", mut: leafMut(ku(false, x509.KeyUsageDigitalSignature))},
		{name: "leaf key usage keyCertSign", zlint: "e_ca_is_ca,e_cabf_ecc_allowed_key_usages,e_ext_key_usage_cert_sign_without_ca,e_key_usage_and_extended_key_usage_inconsistent,e_sub_cert_key_usage_cert_sign_bit_set", signet: "rfc5280.keycertsign-not-ca", mut: leafMut(ku(true, x509.KeyUsageDigitalSignature|x509.KeyUsageCertSign))},
		{name: "leaf key usage cRLSign", zlint: "e_cabf_ecc_allowed_key_usages,e_key_usage_and_extended_key_usage_inconsistent,e_sub_cert_key_usage_crl_sign_bit_set", class: "choice", why: "a rule on how a CA issues: BR 7.1.2.7.11 forbids cRLSign in a TLS leaf, but Chrome (BoringSSL) and Firefox (mozilla::pkix) check only that the key usage allows the handshake's use, as signet does (webpki.leaf-key-usage)", mut: leafMut(ku(true, x509.KeyUsageDigitalSignature|x509.KeyUsageCRLSign))},
		{name: "leaf ECDSA key usage keyEncipherment beside digitalSignature", zlint: "e_cabf_ecc_allowed_key_usages,e_ecdsa_allowed_ku", class: "choice", why: "a rule on how a CA issues: BR 7.1.2.7.11 forbids keyEncipherment for an ECDSA key; Chrome and Firefox need digitalSignature and ignore the other bits, as signet does", mut: leafMut(ku(true, x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment))},
		{name: "leaf ECDSA key usage keyAgreement only", zlint: "e_cabf_ecc_allowed_key_usages", signet: "webpki.leaf-key-usage", class: "fixed", why: "BR 7.1.2.7.11, RFC 8446 4.4.2.2: an ECDSA server key signs the handshake, so digitalSignature is required; signet accepted it until webpki.leaf-key-usage", mut: leafMut(ku(true, x509.KeyUsageKeyAgreement))},
		{name: "leaf ECDSA key usage digitalSignature and keyAgreement", mut: leafMut(ku(true, x509.KeyUsageDigitalSignature|x509.KeyUsageKeyAgreement))},
		{name: "leaf key usage empty", zlint: "e_cabf_ecc_allowed_key_usages,e_ext_key_usage_without_bits,e_incorrect_ku_encoding,e_key_usage_and_extended_key_usage_inconsistent,e_superfluous_ku_encoding", signet: "rfc5280.ku-empty", mut: leafMut(func(n *zNode) { n.set(zExt(zOidKU, true, []byte{0x03, 0x01, 0x00})) })},
		{name: "leaf RSA key usage keyEncipherment only", mut: leafMut(func(n *zNode) {
			n.pub = zKeys.rsa2048.Public()
			n.set(zKUExt(true, x509.KeyUsageKeyEncipherment))
		})},
		{name: "leaf RSA key usage digitalSignature and keyEncipherment", mut: leafMut(func(n *zNode) {
			n.pub = zKeys.rsa2048.Public()
			n.set(zKUExt(true, x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment))
		})},
		{name: "leaf RSA key usage dataEncipherment only", zlint: "e_key_usage_and_extended_key_usage_inconsistent", signet: "webpki.leaf-key-usage", class: "fixed", why: "RFC 5280 4.2.1.12: serverAuth is consistent with digitalSignature or keyEncipherment only; signet accepted it until webpki.leaf-key-usage", mut: leafMut(func(n *zNode) {
			n.pub = zKeys.rsa2048.Public()
			n.set(zKUExt(true, x509.KeyUsageDataEncipherment))
		})},

		// Subject alternative names and the common name (BR 7.1.2.7.12, 7.1.4.3).
		{name: "leaf without SAN", zlint: "e_ext_san_missing,e_subject_common_name_not_exactly_from_san", signet: "webpki.leaf-san-missing", mut: leafMut(sans())},
		{name: "leaf SAN critical beside a subject", signet: "webpki.san-critical-with-subject", class: "signet", why: "BR 7.1.2.7.12: with a non-empty subject the SAN MUST NOT be critical; zlint has it only as a warning (w_ext_san_critical_with_subject_dn)", mut: leafMut(rawSAN(true, dnsGN("www.example.com")))},
		{name: "leaf empty subject, SAN critical", mut: leafMut(func(n *zNode) {
			n.tmpl.Subject = pkix.Name{}
			n.set(zExt(zOidSAN, true, zGeneralNames(dnsGN("www.example.com"))))
		})},
		{name: "leaf without subject CN", mut: leafMut(func(n *zNode) { n.tmpl.Subject = pkix.Name{Country: []string{"US"}} })},
		{name: "leaf CN not among the SANs", zlint: "e_subject_common_name_not_exactly_from_san", signet: "webpki.cn-not-in-san", mut: leafMut(cnSAN("other.example.org", "www.example.com"))},
		{name: "leaf CN differs in case from its SAN", zlint: "e_subject_common_name_not_exactly_from_san", signet: "webpki.cn-not-in-san", mut: leafMut(cnSAN("WWW.example.com", "www.example.com"))},
		{name: "leaf CN a parent domain of its SAN", zlint: "e_subject_common_name_not_exactly_from_san", class: "choice", why: "browsers match a host against the SAN and not the subject CN when a SAN is present (Chrome since version 58, Firefox); signet refuses a CN naming a host outside every SAN's domain (BR 7.1.4.3) and tolerates one naming the registered domain above a SAN, which misleads no one (verify/profile.go cnNotInSAN)", mut: leafMut(cnSAN("example.com", "www.example.com"))},
		{name: "leaf CN a U-label, SAN its P-label", zlint: "e_dnsname_bad_character_in_label,e_dnsname_not_valid_tld,e_subject_common_name_not_exactly_from_san", signet: "webpki.cn-not-in-san", mut: leafMut(cnSAN("bücher.example", "xn--bcher-kva.example"))},
		{name: "leaf CN a P-label among its SANs", mut: leafMut(cnSAN("xn--bcher-kva.example.com", "xn--bcher-kva.example.com"))},
		{name: "leaf two CNs", zlint: "e_duplicate_subject_attribs", signet: "webpki.cn-not-in-san", mut: leafMut(func(n *zNode) {
			n.tmpl.Subject = pkix.Name{ExtraNames: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "www.example.com"}, {Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "example.com"}}}
		})},
		{name: "leaf wildcard SAN", host: "www.example.com", mut: leafMut(cnSAN("*.example.com", "*.example.com"))},
		{name: "leaf wildcard over a public suffix (*.com)", signet: "rfc5280.san-dns-invalid", class: "signet", why: "BR 3.2.2.6: no wildcard over a public suffix (RFC 6125 6.4.3 too); zlint has it only as a notice (n_dnsname_wildcard_left_of_public_suffix)", mut: leafMut(cnSAN("*.com", "*.com"))},
		{name: "leaf wildcard over a public suffix (*.co.uk)", signet: "webpki.wildcard-public-suffix", class: "signet", why: "BR 3.2.2.6: no wildcard over a registry-controlled suffix; zlint has it only as a notice", mut: leafMut(cnSAN("*.co.uk", "*.co.uk"))},
		{name: "leaf wildcard over a private public suffix (*.github.io)", host: "project.github.io", signet: "webpki.wildcard-public-suffix-match", class: "signet", why: "BR 3.2.2.6: a wildcard over a suffix of the list's private section is its owner's to hold (as Amazon's *.s3.amazonaws.com), so the certificate stands, but no host is matched through it; zlint has it only as a notice", mut: leafMut(cnSAN("*.github.io", "*.github.io"))},
		{name: "leaf wildcard not leftmost", zlint: "e_dnsname_wildcard_only_in_left_label", signet: "rfc5280.san-dns-invalid", mut: leafMut(cnSAN("www.*.example.com", "www.*.example.com"))},
		{name: "leaf partial wildcard", zlint: "e_dnsname_left_label_wildcard_correct", signet: "rfc5280.san-dns-invalid", mut: leafMut(cnSAN("w*.example.com", "w*.example.com"))},
		{name: "leaf double wildcard", zlint: "e_dnsname_wildcard_only_in_left_label", signet: "rfc5280.san-dns-invalid", mut: leafMut(cnSAN("*.*.example.com", "*.*.example.com"))},
		{name: "leaf bare wildcard", zlint: "e_dnsname_not_valid_tld,e_subject_contains_noninformational_value", signet: "rfc5280.san-dns-invalid", mut: leafMut(cnSAN("*", "*"))},
		{name: "leaf underscore in a SAN label", zlint: "e_underscore_not_permissible_in_dnsname", signet: "rfc5280.san-dns-invalid", mut: leafMut(cnSAN("_acme.example.com", "_acme.example.com"))},
		{name: "leaf underscore in the registrable label", zlint: "e_dnsname_underscore_in_sld,e_rfc_dnsname_underscore_in_sld,e_underscore_not_permissible_in_dnsname", signet: "rfc5280.san-dns-invalid", mut: leafMut(cnSAN("ex_ample.com", "ex_ample.com"))},
		{name: "leaf empty label in a SAN", zlint: "e_dnsname_bad_character_in_label,e_dnsname_empty_label,e_rfc_dnsname_empty_label", signet: "rfc5280.san-dns-invalid", mut: leafMut(cnSAN("www..example.com", "www..example.com"))},
		{name: "leaf SAN label of 64 octets", zlint: "e_dnsname_label_too_long,e_rfc_dnsname_label_too_long", signet: "rfc5280.san-dns-invalid", mut: leafMut(cnSAN("", strings.Repeat("a", 64)+".example.com"))},
		{name: "leaf SAN with a space", zlint: "e_dnsname_bad_character_in_label", signet: "rfc5280.san-dns-invalid", mut: leafMut(cnSAN("", "www example.com"))},
		{name: "leaf SAN label starting with a hyphen", signet: "rfc5280.san-dns-invalid", class: "signet", why: "BR 7.1.2.7.12: P-labels or non-reserved LDH labels only; an LDH label does not begin with a hyphen (RFC 5890 2.3.1)", mut: leafMut(cnSAN("-www.example.com", "-www.example.com"))},
		{name: "leaf SAN a bare public suffix", zlint: "e_dnsname_contains_bare_iana_suffix", signet: "webpki.san-public-suffix", class: "fixed", why: "BR 3.2.2.4, 7.1.2.7.12: a bare ICANN suffix is no domain anyone can be validated for; signet accepted it until webpki.san-public-suffix", mut: leafMut(cnSAN("com", "com"))},
		{name: "leaf SAN under no IANA TLD", zlint: "e_dnsname_not_valid_tld", class: "choice", why: "a rule on how a CA issues: BR 7.1.2.7.12 forbids Internal Names; Chrome and Firefox accept them under locally trusted roots (intranets), which are the roots signet is given", mut: leafMut(cnSAN("www.example.invalidtld", "www.example.invalidtld"))},
		{name: "leaf SAN with a trailing dot", zlint: "e_dnsname_empty_label,e_dnsname_not_valid_tld,e_rfc_dnsname_empty_label", signet: "webpki.san-dns-root-label", class: "fixed", why: "BR 7.1.2.7.12: the root zone's empty label MUST NOT be included; signet accepted it until webpki.san-dns-root-label", mut: leafMut(cnSAN("www.example.com.", "www.example.com."))},
		{name: "leaf SAN an invalid P-label", mut: leafMut(cnSAN("xn--a.example.com", "xn--a.example.com"))},
		{name: "leaf SAN an rfc822Name", zlint: "e_ext_san_rfc822_name_present", class: "choice", why: "a rule on how a CA issues: BR 7.1.2.7.12 permits only dNSName and iPAddress; a TLS client matches the host against those alone (RFC 6125 6.4) and, like Chrome and Firefox, ignores the rest", mut: leafMut(rawSAN(false, dnsGN("www.example.com"), zGN{1, []byte("admin@example.com")}))},
		{name: "leaf SAN a URI", zlint: "e_ext_san_uniform_resource_identifier_present", class: "choice", why: "a rule on how a CA issues: BR 7.1.2.7.12 permits only dNSName and iPAddress; a TLS client matches the host against those alone and ignores the rest, as Chrome and Firefox do", mut: leafMut(rawSAN(false, dnsGN("www.example.com"), zGN{6, []byte("https://www.example.com/")}))},
		{name: "leaf SAN an IP address, CN its text", ip: "8.8.8.8", mut: leafMut(ips("8.8.8.8", "8.8.8.8"))},
		{name: "leaf SAN an IP address, CN with leading zeros", zlint: "e_dnsname_not_valid_tld,e_subject_common_name_not_exactly_from_san", signet: "webpki.cn-not-in-san", mut: leafMut(ips("008.008.008.008", "8.8.8.8"))},
		{name: "leaf SAN an IPv6 address, CN not in RFC 5952 form", zlint: "e_subject_common_name_not_exactly_from_san", signet: "webpki.cn-not-in-san", mut: leafMut(ips("2001:4860:4860:0:0:0:0:8888", "2001:4860:4860::8888"))},
		{name: "leaf SAN an IP address, CN a host name", zlint: "e_subject_common_name_not_exactly_from_san", class: "choice", why: "browsers ignore the subject CN when a SAN is present; a host-name CN beside IP-only SANs names nothing a client would match, and signet tolerates it (cnNotInSAN)", mut: leafMut(ips("www.example.com", "8.8.8.8"))},
		{name: "leaf SAN a reserved IP address", zlint: "e_ext_san_contains_reserved_ip", class: "choice", why: "a rule on how a CA issues: BR 7.1.2.7.12 forbids Reserved IP Addresses; Chrome and Firefox accept them under locally trusted roots, which are the roots signet is given", mut: leafMut(ips("", "192.168.1.1"))},

		// Keys (BR 6.1.5, 6.1.6, 7.1.3.1).
		{name: "leaf RSA 2048", mut: leafMut(pub(func() any { return zKeys.rsa2048.Public() }))},
		{name: "leaf RSA 1024", zlint: "e_rsa_mod_less_than_2048_bits", signet: "signet.rsa-key-too-small", mut: leafMut(pub(func() any { return zKeys.rsa1024.Public() }))},
		{name: "leaf RSA modulus of 2052 bits", signet: "signet.rsa-key-size", class: "signet", why: "BR 6.1.5: the modulus size in bits MUST be divisible by 8; zlint lints it only in its Mozilla source (e_mp_modulus_must_be_divisible_by_8)", mut: leafMut(pub(func() any {
			n := new(big.Int).Lsh(zKeys.rsa2048.N, 4)
			return &rsa.PublicKey{N: n.Or(n, big.NewInt(1)), E: 65537}
		}))},
		{name: "leaf RSA exponent 3", mut: leafMut(pub(func() any { return &rsa.PublicKey{N: zKeys.rsa2048.N, E: 3} }))},
		{name: "leaf RSA exponent even", zlint: "e_rsa_public_exponent_not_odd", signet: "webpki.rsa-exponent", class: "fixed", why: "BR 6.1.6: the exponent MUST be odd and at least 3 (an even one is no RSA key); signet accepted it until webpki.rsa-exponent", mut: leafMut(pub(func() any { return &rsa.PublicKey{N: zKeys.rsa2048.N, E: 65538} }))},
		{name: "leaf RSA modulus even", mut: leafMut(pub(func() any {
			return &rsa.PublicKey{N: new(big.Int).SetBit(zKeys.rsa2048.N, 0, 0), E: 65537}
		}))},
		{name: "leaf ECDSA P-384", mut: leafMut(pub(func() any { return zKeys.p384.Public() }))},
		{name: "leaf ECDSA P-521", mut: leafMut(pub(func() any { return zKeys.p521.Public() }))},
		{name: "leaf ECDSA P-224", zlint: "e_algorithm_identifier_improper_encoding,e_ec_improper_curves", signet: "webpki.key-algorithm", class: "fixed", why: "BR 6.1.5: ECDSA on P-256, P-384 or P-521 only; signet accepted P-224 until webpki.key-algorithm", mut: leafMut(pub(func() any { return zKeys.p224.Public() }))},
		{name: "leaf Ed25519", zlint: "e_algorithm_identifier_improper_encoding", signet: "webpki.key-algorithm", class: "fixed", why: "BR 6.1.5, 7.1.3.1: RSA and ECDSA keys only; signet accepted Ed25519 until webpki.key-algorithm", mut: leafMut(pub(func() any { return zKeys.ed.Public() }))},

		// Signature algorithms (BR 7.1.3.2).
		{name: "leaf signed ECDSA with SHA-384 by a P-256 key", mut: leafMut(sigAlg(x509.ECDSAWithSHA384))},
		{name: "leaf signed ECDSA with SHA-512 by a P-256 key", mut: leafMut(sigAlg(x509.ECDSAWithSHA512))},
		{name: "leaf signed RSA PKCS#1 SHA-256", mut: func(z *zChain) { z.inter.key = zKeys.rsaInter; z.leaf.tmpl.SignatureAlgorithm = x509.SHA256WithRSA }},
		{name: "leaf signed RSA-PSS SHA-256", mut: func(z *zChain) { z.inter.key = zKeys.rsaInter; z.leaf.tmpl.SignatureAlgorithm = x509.SHA256WithRSAPSS }},
		{name: "leaf signed RSA PKCS#1 SHA-512", mut: func(z *zChain) { z.inter.key = zKeys.rsaInter; z.leaf.tmpl.SignatureAlgorithm = x509.SHA512WithRSA }},

		// Validity (BR 6.3.2) and serial (BR 7.1).
		{name: "leaf valid 200 days", mut: leafMut(func(n *zNode) { n.tmpl.NotAfter = n.tmpl.NotBefore.Add(200*24*time.Hour - time.Second) })},
		{name: "leaf valid 201 days", zlint: "e_server_cert_valid_time_longer_than_200_days", class: "choice", why: "BR 6.3.2 (SC-081: 200 days from 2026-03-15) binds issuance; Chrome caps lifetimes (398 days) only for chains to its public roots, not locally trusted ones, and Firefox not at all; signet's roots are the caller's", mut: leafMut(func(n *zNode) { n.tmpl.NotAfter = n.tmpl.NotBefore.Add(201 * 24 * time.Hour) })},
		{name: "leaf valid 398 days", zlint: "e_server_cert_valid_time_longer_than_200_days", class: "choice", why: "BR 6.3.2 binds issuance; Chrome's 398-day cap applies only to chains to its public roots, and Firefox has none; signet's roots are the caller's", mut: leafMut(func(n *zNode) { n.tmpl.NotAfter = n.tmpl.NotBefore.Add(398*24*time.Hour - time.Second) })},
		{name: "leaf serial zero", zlint: "e_serial_number_not_positive", signet: "rfc5280.serial-zero", mut: leafMut(func(n *zNode) { n.tmpl.SerialNumber = big.NewInt(0) })},
		{name: "leaf serial of 21 octets", zlint: "e_serial_number_longer_than_20_octets", signet: "rfc5280.serial-too-long", mut: leafMut(func(n *zNode) { n.tmpl.SerialNumber = new(big.Int).Lsh(big.NewInt(1), 160) })},
		{name: "leaf serial of one octet", mut: leafMut(func(n *zNode) { n.tmpl.SerialNumber = big.NewInt(7) })},

		// Basic constraints of the leaf (BR 7.1.2.7.8).
		{name: "leaf without basic constraints", mut: leafMut(func(n *zNode) { n.tmpl.BasicConstraintsValid = false })},
		{name: "leaf basic constraints cA false, not critical", zlint: "e_sub_cert_basic_constraints_not_critical", class: "choice", why: "a rule on how a CA issues: BR 7.1.2.7.8 wants it critical; a cA=FALSE basicConstraints says the same whether critical or not, and browsers accept both", mut: leafMut(func(n *zNode) { n.set(zBCExt(false, false, -1)) })},
		{name: "leaf basic constraints cA true", zlint: "e_ca_country_name_missing,e_ca_crl_sign_not_set,e_ca_key_cert_sign_not_set,e_ca_organization_name_missing,e_sub_cert_not_is_ca", signet: "webpki.leaf-is-ca", mut: leafMut(func(n *zNode) { n.tmpl.IsCA, n.tmpl.MaxPathLen = true, -1 })},
		{name: "leaf basic constraints pathLen without cA", zlint: "e_path_len_constraint_improperly_included", signet: "rfc5280.pathlen-not-ca", class: "fixed", why: "RFC 5280 4.2.1.9: no pathLenConstraint without cA; rfc5280.pathlen-not-ca missed a pathLenConstraint of 0 (crypto/x509's MaxPathLenZero)", mut: leafMut(func(n *zNode) { n.set(zBCExt(true, false, 0)) })},

		// Key identifiers (BR 7.1.2.7.7, 7.1.2.11.1, RFC 5280 4.2.1.1, 4.2.1.2).
		{name: "leaf without authority key identifier", zlint: "e_ext_authority_key_identifier_no_key_identifier", signet: "rfc5280.aki-missing", mut: leafMut(func(n *zNode) { n.noAKI = true })},
		{name: "leaf authority key identifier with issuer and serial", zlint: "e_ext_authority_key_identifier_no_key_identifier", signet: "rfc5280.aki-missing-keyid", mut: func(z *zChain) {
			z.leaf.set(zExt(zOidAKI, false, []byte{0x30, 0x0a, 0xa1, 0x04, 0xa4, 0x02, 0x30, 0x00, 0x82, 0x02, 0x01, 0x02}))
		}},
		{name: "leaf subject key identifier", mut: leafMut(func(n *zNode) { n.tmpl.SubjectKeyId = []byte{1, 2, 3, 4} })},

		// Distribution points, authority information access, policies (BR 7.1.2.7.2, 7.1.2.11.2).
		{name: "leaf CRL distribution point ldap://", zlint: "e_crl_distrib_points_not_http,e_sub_cert_crl_distribution_points_does_not_contain_url", class: "choice", why: "signet fetches nothing (nor does Chrome, which uses CRLSets); the distribution point's form matters only to a client that fetches it (BR 7.1.2.11.2)", mut: leafMut(func(n *zNode) { n.tmpl.CRLDistributionPoints = []string{"ldap://ca.example.com/cn=CA"} })},
		{name: "leaf CRL distribution point a directoryName", zlint: "e_missing_crl_distrib_point,e_sub_cert_crl_distribution_points_does_not_contain_url", class: "choice", why: "signet fetches nothing; with a CRL given, webpki.crldp-not-uri refuses this form (verify/crl.go), and without one it is unread, as in Chrome", mut: leafMut(func(n *zNode) {
			n.tmpl.CRLDistributionPoints = nil
			// DistributionPoint { distributionPoint [0] { fullName [0] { directoryName [4] { Name } } } }
			name, _ := asn1.Marshal(pkix.Name{CommonName: "CA"}.ToRDNSequence())
			dn := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: name}
			full := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: zMust(asn1.Marshal(dn))}
			dpn := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: zMust(asn1.Marshal(full))}
			n.set(zExt(zOidCRLDP, false, []asn1.RawValue{{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: zMust(asn1.Marshal(dpn))}}))
		})},
		{name: "leaf CRL distribution points critical", zlint: "e_sub_cert_crl_distribution_points_marked_critical", class: "choice", why: "a rule on how a CA issues: signet processes the CRL distribution points extension, so its criticality changes nothing (RFC 5280 4.2.1.13 says SHOULD be non-critical); browsers accept it", mut: leafMut(func(n *zNode) {
			n.tmpl.CRLDistributionPoints = nil
			n.set(zExt(zOidCRLDP, true, zCRLDP("http://ca.example.com/ca.crl")))
		})},
		{name: "leaf without CRL distribution points or OCSP", zlint: "e_missing_crl_distrib_point", class: "choice", why: "a rule on how a CA issues: BR 7.1.2.7.2 wants a way to revocation status; relying parties do not refuse a certificate without one (Chrome, Firefox), and signet's revocation is the caller's CRLs and OCSP responses", mut: leafMut(func(n *zNode) { n.tmpl.CRLDistributionPoints = nil })},
		{name: "leaf without authority information access", zlint: "e_sub_cert_aia_missing", class: "choice", why: "a rule on how a CA issues: BR 7.1.2.7.7 wants caIssuers; signet, like browsers, fetches no issuer and does not need it", mut: leafMut(func(n *zNode) { n.tmpl.IssuingCertificateURL = nil })},
		{name: "leaf AIA caIssuers ldap://", zlint: "e_aia_ca_issuers_must_have_http_only", class: "choice", why: "signet fetches nothing from AIA; the URI scheme matters only to a client that fetches (BR 7.1.2.7.7)", mut: leafMut(func(n *zNode) { n.tmpl.IssuingCertificateURL = []string{"ldap://ca.example.com/cn=CA"} })},
		{name: "leaf OCSP URL ldap://", zlint: "e_aia_ocsp_must_have_http_only", class: "choice", why: "signet queries no OCSP responder (responses are given); the URI scheme matters only to a client that fetches", mut: leafMut(func(n *zNode) { n.tmpl.OCSPServer = []string{"ldap://ca.example.com/ocsp"} })},
		{name: "leaf without certificate policies", zlint: "e_sub_cert_cert_policy_empty,e_sub_cert_certificate_policies_missing", class: "choice", why: "a rule on how a CA issues: BR 7.1.2.7.9 wants a reserved policy OID; browsers use policy OIDs only to show EV, and signet's policy checks follow RFC 5280 6.1 with anyPolicy as the default initial set", mut: leafMut(func(n *zNode) { n.tmpl.Policies = nil })},
		{name: "leaf certificate policies critical", mut: leafMut(func(n *zNode) {
			n.tmpl.Policies = nil
			n.set(zExt(zOidCP, true, []struct{ ID asn1.ObjectIdentifier }{{zOidDV}}))
		})},
		{name: "leaf subject organizationalUnit", zlint: "e_cab_dv_subject_invalid_values,e_organizational_unit_name_prohibited,e_subject_contains_organizational_unit_name_and_no_organization_name", class: "choice", why: "a rule on how a CA issues: BR 7.1.2.7.4 forbids OU; subject attributes other than the CN are identity information browsers never refuse a certificate for", mut: leafMut(func(n *zNode) { n.tmpl.Subject.OrganizationalUnit = []string{"Web"} })},
		{name: "leaf name constraints", zlint: "e_ext_name_constraints_not_critical,e_ext_name_constraints_not_in_ca", signet: "rfc5280.nc-not-ca", mut: leafMut(func(n *zNode) { n.tmpl.PermittedDNSDomains = []string{"example.com"} })},

		// The intermediate (BR 7.1.2.10).
		{name: "intermediate basic constraints not critical", zlint: "e_basic_constraints_not_critical", signet: "webpki.bc-not-critical", target: "inter", mut: interMut(func(n *zNode) { n.set(zBCExt(false, true, 0)) })},
		{name: "intermediate without basic constraints", zlint: "e_cabf_ecc_allowed_key_usages,e_dnsname_bad_character_in_label,e_dnsname_not_valid_tld,e_ext_key_usage_cert_sign_without_ca,e_ext_san_missing,e_key_usage_and_extended_key_usage_inconsistent,e_server_cert_valid_time_longer_than_200_days,e_sub_cert_key_usage_cert_sign_bit_set,e_sub_cert_key_usage_crl_sign_bit_set,e_sub_cert_locality_name_must_appear,e_sub_cert_province_must_appear,e_sub_cert_valid_time_longer_than_39_months,e_sub_cert_valid_time_longer_than_825_days,e_subject_common_name_not_exactly_from_san", signet: "rfc5280.issuer-not-ca", target: "inter", mut: interMut(func(n *zNode) { n.tmpl.BasicConstraintsValid, n.tmpl.IsCA = false, false })},
		{name: "intermediate without key usage", zlint: "e_ca_key_usage_missing,e_path_len_constraint_improperly_included", signet: "rfc5280.pathlen-not-ca", class: "fixed", why: "RFC 5280 4.2.1.9: a pathLenConstraint (0 here) only with keyCertSign asserted, as zlint's e_path_len_constraint_improperly_included says; signet accepted it until verify/rx_fixes_test.go (TestRXPathLenWithoutKeyCertSign); a CA without key usage and without pathLenConstraint is still accepted (RFC 5280 6.1.4 (n))", target: "inter", mut: interMut(func(n *zNode) { n.tmpl.KeyUsage = 0 })},
		{name: "intermediate key usage not critical", zlint: "e_ca_key_usage_not_critical", class: "choice", why: "a rule on how a CA issues: BR 7.1.2.10.7 wants it critical (RFC 5280: SHOULD); signet processes key usage either way, as browsers do", target: "inter", mut: interMut(ku(false, x509.KeyUsageDigitalSignature|x509.KeyUsageCertSign|x509.KeyUsageCRLSign))},
		{name: "intermediate key usage without keyCertSign", zlint: "e_ca_key_cert_sign_not_set,e_path_len_constraint_improperly_included,e_sub_cert_not_is_ca", signet: "rfc5280.issuer-no-keycertsign", target: "inter", mut: interMut(ku(true, x509.KeyUsageDigitalSignature|x509.KeyUsageCRLSign))},
		{name: "intermediate key usage without cRLSign", zlint: "e_ca_crl_sign_not_set", class: "choice", why: "the intermediate signs no CRL here; when it does, signet refuses the CRL (rfc5280.crl-signer-no-crlsign), as RFC 5280 6.3.3 (f) says", target: "inter", mut: interMut(ku(true, x509.KeyUsageDigitalSignature|x509.KeyUsageCertSign))},
		{name: "intermediate without EKU", target: "inter", mut: interMut(noEKU)},
		{name: "intermediate EKU anyExtendedKeyUsage", signet: "webpki.ca-eku", class: "signet", why: "BR 7.1.2.10.6: a TLS subordinate CA's EKU MUST NOT hold anyExtendedKeyUsage; zlint's e_ca_invalid_eku lets it pass", target: "inter", mut: interMut(eku(false, zAnyEKU))},
		{name: "intermediate EKU serverAuth and codeSigning", zlint: "e_ca_invalid_eku", signet: "webpki.ca-eku", target: "inter", mut: interMut(eku(false, zServerAuth, zCodeSign))},
		{name: "intermediate EKU serverAuth only", target: "inter", mut: interMut(eku(false, zServerAuth))},
		{name: "intermediate EKU clientAuth only", signet: "signet.ca-eku", class: "signet", why: "RFC 5280 4.2.1.12 read as browsers and crypto/x509 read it: a CA whose EKU lacks serverAuth cannot vouch for a TLS server; zlint lints one certificate, not the path", target: "inter", mut: interMut(eku(false, zClientAuth))},
		{name: "intermediate EKU critical", target: "inter", mut: interMut(eku(true, zServerAuth, zClientAuth))},
		{name: "intermediate pathLenConstraint absent", target: "inter", mut: interMut(func(n *zNode) { n.tmpl.MaxPathLen, n.tmpl.MaxPathLenZero = -1, false })},
		{name: "intermediate without subject key identifier", zlint: "e_ext_subject_key_identifier_missing_ca", signet: "rfc5280.ski-missing", target: "inter", mut: func(z *zChain) {
			z.inter.drop = []asn1.ObjectIdentifier{zOidSKI}
			z.leaf.set(zAKIExt(zSKI(z.inter)))
		}},
		{name: "intermediate without authority key identifier", zlint: "e_ext_authority_key_identifier_no_key_identifier", signet: "rfc5280.aki-missing", target: "inter", mut: interMut(func(n *zNode) { n.noAKI = true })},
		{name: "intermediate name constraints permitting the leaf, critical", target: "inter", mut: interMut(func(n *zNode) {
			n.tmpl.PermittedDNSDomains, n.tmpl.PermittedDNSDomainsCritical = []string{"example.com"}, true
		})},
		{name: "intermediate name constraints permitting the leaf, not critical", zlint: "e_ext_name_constraints_not_critical", class: "choice", why: "BR 7.1.2.10.8 allows non-critical name constraints (zlint's BR lint is a warning, w_sub_ca_name_constraints_not_critical; this error is its RFC 5280 lint) and Chrome and Firefox enforce them either way; --profile rfc5280 refuses (rfc5280.nc-not-critical)", target: "inter", mut: interMut(func(n *zNode) { n.tmpl.PermittedDNSDomains = []string{"example.com"} })},
		{name: "intermediate name constraints excluding the leaf", signet: "rfc5280.nc-excluded", class: "signet", why: "RFC 5280 6.1.3 (b), (c): the leaf's name is in an excluded subtree; zlint lints one certificate, not the path", target: "inter", mut: interMut(func(n *zNode) {
			n.tmpl.ExcludedDNSDomains, n.tmpl.PermittedDNSDomainsCritical = []string{"www.example.com"}, true
		})},
		{name: "intermediate name constraints with a leading period", signet: "rfc5280.nc-invalid", class: "signet", why: "RFC 5280 4.2.1.10: a dNSName constraint is a host name (\".example.com\" is a URI or mailbox form); zlint does not lint the form", target: "inter", mut: interMut(func(n *zNode) {
			n.tmpl.PermittedDNSDomains, n.tmpl.PermittedDNSDomainsCritical = []string{".example.com"}, true
		})},
		{name: "intermediate pathLenConstraint 0, a second CA below it", target: "inter", signet: "rfc5280.pathlen", class: "signet", why: "RFC 5280 6.1.4 (l), (m): a pathLenConstraint of 0 allows no CA below; zlint lints one certificate, not the path", mut: zSubCA(nil)},
		{name: "intermediate without pathLenConstraint, a second CA below it (linted)", target: "sub", mut: zSubCA(func(n *zNode) { n.tmpl.MaxPathLen, n.tmpl.MaxPathLenZero = -1, false })},
		{name: "intermediate name constraints excluding the leaf, a second CA between", target: "inter", signet: "rfc5280.nc-excluded", class: "signet", why: "RFC 5280 6.1.4 (g), 6.1.3 (c): the excluded subtree holds for the whole path below, across a CA without constraints; zlint lints one certificate, not the path", mut: zSubCA(func(n *zNode) {
			n.tmpl.MaxPathLen, n.tmpl.MaxPathLenZero = -1, false
			n.tmpl.ExcludedDNSDomains, n.tmpl.PermittedDNSDomainsCritical = []string{"www.example.com"}, true
		})},
		{name: "intermediate without certificate policies", zlint: "e_invalid_ca_certificate_policies,e_sub_ca_certificate_policies_missing", class: "choice", why: "a rule on how a CA issues: BR 7.1.2.10.5 wants policies in a subordinate CA; signet's policy checks follow RFC 5280 6.1 (anyPolicy as the default initial set), and browsers use policies only for EV", target: "inter", mut: interMut(func(n *zNode) { n.tmpl.Policies = nil })},
		{name: "intermediate without CRL distribution points", zlint: "e_sub_ca_crl_distribution_points_missing", class: "choice", why: "a rule on how a CA issues: BR 7.1.2.10.2 wants them; signet's revocation is the caller's CRLs, and Chrome uses CRLSets", target: "inter", mut: interMut(func(n *zNode) { n.tmpl.CRLDistributionPoints = nil })},
		{name: "intermediate without authority information access", target: "inter", mut: interMut(func(n *zNode) { n.tmpl.IssuingCertificateURL = nil })},
		{name: "intermediate without organization", zlint: "e_ca_organization_name_missing", class: "choice", why: "a rule on how a CA issues: BR 7.1.2.10.2 wants an organizationName; browsers never refuse a CA for its subject attributes", target: "inter", mut: interMut(func(n *zNode) { n.tmpl.Subject.Organization = nil })},
		{name: "intermediate RSA 1024", zlint: "e_rsa_mod_less_than_2048_bits", signet: "signet.rsa-key-too-small", target: "inter", mut: func(z *zChain) { z.inter.key = zKeys.rsa1024; z.leaf.tmpl.SignatureAlgorithm = x509.SHA256WithRSA }},
		{name: "intermediate ECDSA P-224", zlint: "e_algorithm_identifier_improper_encoding,e_ec_improper_curves", signet: "webpki.key-algorithm", class: "fixed", why: "BR 6.1.5 holds for CA keys too; signet accepted a P-224 intermediate until webpki.key-algorithm", target: "inter", mut: func(z *zChain) { z.inter.key = zKeys.p224 }},
		{name: "intermediate signed SHA-1 with RSA", zlint: "e_sub_cert_or_sub_ca_using_sha1", signet: "signet.weak-signature", target: "inter", mut: func(z *zChain) {
			z.root.key = zKeys.rsaInter
			z.root.tmpl.SignatureAlgorithm = x509.SHA256WithRSA
			z.inter.tmpl.SignatureAlgorithm = x509.SHA1WithRSA
		}},

		// The root (BR 7.1.2.1).
		{name: "root with EKU", zlint: "e_root_ca_extended_key_usage_present", signet: "webpki.root-eku", target: "root", mut: rootMut(func(n *zNode) { n.tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth} })},
		{name: "root basic constraints not critical", zlint: "e_basic_constraints_not_critical", signet: "rfc5280.bc-not-critical", target: "root", mut: rootMut(func(n *zNode) { n.set(zBCExt(false, true, -1)) })},
		{name: "root with pathLenConstraint", target: "root", mut: rootMut(func(n *zNode) { n.tmpl.MaxPathLen = 1 })},
		{name: "root key usage not critical", zlint: "e_ca_key_usage_not_critical,e_root_ca_key_usage_must_be_critical", class: "choice", why: "a rule on how a CA issues: BR 7.1.2.1.2 wants it critical; the anchor is trusted as the caller configured it (RFC 5937), and signet processes key usage either way", target: "root", mut: rootMut(ku(false, x509.KeyUsageCertSign|x509.KeyUsageCRLSign))},
		{name: "root without key usage", zlint: "e_ca_key_usage_missing,e_root_ca_key_usage_present", class: "choice", why: "the anchor is trusted as the caller configured it (RFC 5937); RFC 5280 6.1.4 (n) checks keyCertSign only when key usage is present, as Chrome and Firefox do", target: "root", mut: rootMut(func(n *zNode) { n.tmpl.KeyUsage = 0 })},
		{name: "root authority key identifier not its SKI", signet: "webpki.root-aki", class: "signet", why: "BR 7.1.2.1.3: a root's AKI, if present, MUST hold only the keyIdentifier and equal its SKI; zlint has no such lint", target: "root", mut: rootMut(func(n *zNode) {
			n.set(zExt(zOidAKI, false, struct {
				ID []byte `asn1:"optional,tag:0"`
			}{[]byte{9, 9, 9, 9}}))
		})},
		{name: "root with certificate policies", target: "root", mut: rootMut(func(n *zNode) { n.tmpl.Policies = []x509.OID{zOID(zOidAnyP)} })},
		{name: "root without subject key identifier", zlint: "e_ext_subject_key_identifier_missing_ca", signet: "rfc5280.ski-missing", target: "root", mut: func(z *zChain) {
			z.root.drop = []asn1.ObjectIdentifier{zOidSKI}
			z.inter.set(zAKIExt(zSKI(z.root)))
		}},
	}
}

// zSubCA puts a second CA, shaped as the intermediate, between the intermediate (changed by
// f) and the leaf.
func zSubCA(f func(n *zNode)) func(*zChain) {
	return func(z *zChain) {
		if f != nil {
			f(z.inter)
		}
		sub := *z.inter.tmpl
		sub.Subject, sub.SerialNumber = zName("Signet zlint TLS Issuing CA"), zSerial("sub")
		sub.MaxPathLen, sub.MaxPathLenZero = 0, true
		sub.SubjectKeyId, sub.ExcludedDNSDomains, sub.PermittedDNSDomainsCritical = nil, nil, false
		sub.IssuingCertificateURL = []string{"http://ca.example.com/ca.crt"}
		sub.CRLDistributionPoints = []string{"http://ca.example.com/ca.crl"}
		z.sub = &zNode{tmpl: &sub, key: zKeys.sub}
	}
}

func zMust(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// zSKI is the subject key identifier issue gives a CA.
func zSKI(n *zNode) []byte {
	spki, _ := x509.MarshalPKIXPublicKey(n.key.Public())
	h := sha256.Sum256(spki)
	return h[:20]
}

// zAKIExt is an authority key identifier with keyIdentifier id.
func zAKIExt(id []byte) pkix.Extension {
	return zExt(zOidAKI, false, struct {
		ID []byte `asn1:"optional,tag:0"`
	}{id})
}

// zCRLDP is a CRL distribution points extension value with one URI.
func zCRLDP(uri string) []byte {
	u := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 6, Bytes: []byte(uri)}
	full := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: zMust(asn1.Marshal(u))}
	dpn := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: zMust(asn1.Marshal(full))}
	return zMust(asn1.Marshal([]asn1.RawValue{{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: zMust(asn1.Marshal(dpn))}}))
}

// zlintErrors runs zlint's audited lints on der and returns the names of those that fail
// with an error or worse.
func zlintErrors(t *testing.T, reg lint.Registry, der []byte) string {
	t.Helper()
	c, err := zx509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("zcrypto cannot parse the certificate: %v", err)
	}
	rs := zlint.LintCertificateEx(c, reg)
	var names []string
	for name, r := range rs.Results {
		if r.Status >= lint.Error {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

func TestZlintWebPKI(t *testing.T) {
	zLoadKeys(t)
	reg, err := lint.GlobalRegistry().Filter(lint.FilterOptions{IncludeSources: zSources})
	if err != nil {
		t.Fatal(err)
	}
	cases := zCases()
	dir := t.TempDir()
	counts := map[string]int{}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			z := zBase()
			if tc.mut != nil {
				tc.mut(z)
			}
			root, cas, leaf, err := z.issue()
			if err != nil {
				t.Fatalf("issuing: %v", err)
			}
			target := map[string]*x509.Certificate{"": leaf, "leaf": leaf, "inter": cas[0], "sub": cas[len(cas)-1], "root": root}[tc.target]
			gotZ := zlintErrors(t, reg, target.Raw)

			p := verify.Policy{Roots: []*x509.Certificate{root}, At: zAt, Profile: verify.ProfileWebPKI, DNSName: tc.host, IP: net.ParseIP(tc.ip)}
			gotS := ""
			if _, err := verify.Verify(leaf, cas, p); err != nil {
				var ve *verify.Error
				if !errors.As(err, &ve) {
					t.Fatalf("verify: not checked: %v", err)
				}
				gotS = ve.Rule
				if gotS == "" {
					gotS = "(no rule) " + err.Error()
				}
			}
			if os.Getenv("ZLINT_AUDIT_PRINT") != "" {
				fmt.Printf("CASE %q target=%s\n  zlint:  %q\n  signet: %q\n", tc.name, tc.target, gotZ, gotS)
			}
			if gotZ != tc.zlint {
				t.Errorf("zlint: got %q, pinned %q", gotZ, tc.zlint)
			}
			if gotS != tc.signet {
				t.Errorf("signet: got %q, pinned %q", gotS, tc.signet)
			}
			agree := (tc.zlint == "") == (tc.signet == "")
			switch {
			case agree && tc.class != "" && tc.class != "fixed":
				t.Errorf("zlint and signet agree, yet the case is classified %q", tc.class)
			case !agree && tc.class != "signet" && tc.class != "choice":
				t.Errorf("zlint and signet disagree and the case does not say who is right (class %q)", tc.class)
			case tc.class != "" && tc.why == "":
				t.Errorf("a case classified %q without a reason", tc.class)
			}
			if i%3 == 0 {
				zCLI(t, dir, i, root, cas, leaf, tc)
			}
		})
		if tc.class == "" {
			counts["agree"]++
		} else {
			counts[tc.class]++
		}
	}
	t.Logf("%d cases: %d agree, %d signet right, %d documented choices, %d signet faults fixed",
		len(cases), counts["agree"], counts["signet"], counts["choice"], counts["fixed"])
}

// zCLI checks the case's verdict through signet cert verify --profile webpki --json.
func zCLI(t *testing.T, dir string, i int, root *x509.Certificate, cas []*x509.Certificate, leaf *x509.Certificate, tc zCase) {
	t.Helper()
	write := func(name string, certs ...*x509.Certificate) string {
		var b []byte
		for _, c := range certs {
			b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
		}
		p := filepath.Join(dir, fmt.Sprintf("%d-%s.pem", i, name))
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	args := []string{"cert", "verify", "--json", "--profile", "webpki", "--at", zAt.Format(time.RFC3339),
		"--roots", write("root", root), "--intermediates", write("cas", cas...)}
	if tc.host != "" {
		args = append(args, "--host", tc.host)
	}
	if tc.ip != "" {
		args = append(args, "--ip", tc.ip)
	}
	args = append(args, write("leaf", leaf))
	cmd := exec.Command(signet(t), args...)
	cmd.Env = append(os.Environ(), "SIGNET_HOME="+t.TempDir())
	out, err := cmd.Output()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	var res struct {
		Valid bool   `json:"valid"`
		Rule  string `json:"rule"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("signet %s: exit %d, output not JSON: %v\n%s", strings.Join(args, " "), code, err, out)
	}
	wantCode := 0
	if tc.signet != "" {
		wantCode = 1
	}
	if code != wantCode || res.Rule != tc.signet || res.Valid != (tc.signet == "") {
		t.Errorf("signet cert verify: exit %d, valid %v, rule %q; pinned rule %q", code, res.Valid, res.Rule, tc.signet)
	}
}
