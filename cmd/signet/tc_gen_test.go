package main

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	mrand "math/rand"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signet-pki/signet/x509util"
)

// The generator of the TLS client-certificate campaign (tc_diff_test.go): from one seed, a
// client chain (a root, perhaps an intermediate, a leaf) with the fields a TLS server judges
// drawn from a menu of valid and invalid forms, perhaps a CRL of the leaf's issuer, and a
// server chain with the fields a TLS client judges, with the host name it is reached by. The
// draw uses only the seeded math/rand, so a seed replays the same case (the keys come from a
// pool made once per run: their bytes change between runs, never a verdict).

var tcKeys struct {
	sync.Mutex
	m map[string]crypto.Signer // made on first use: a test binary's init counts against initBudget
}

// tcKey returns the key of a type for a slot (each certificate of a case has its own slot,
// so that the keys of a chain differ).
func tcKey(typ string, slot int) crypto.Signer {
	name := fmt.Sprintf("%s:%d", typ, slot)
	tcKeys.Lock()
	defer tcKeys.Unlock()
	if tcKeys.m == nil {
		tcKeys.m = map[string]crypto.Signer{}
	}
	if k, ok := tcKeys.m[name]; ok {
		return k
	}
	kt, ok := map[string]x509util.KeyType{"p256": x509util.KeyECP256, "p384": x509util.KeyECP384,
		"rsa": x509util.KeyRSA2048, "ed25519": x509util.KeyEd25519}[typ]
	if !ok {
		panic("tc: key type " + typ)
	}
	k, err := x509util.GenerateKey(kt)
	if err != nil {
		panic(err)
	}
	tcKeys.m[name] = k
	return k
}

// Key slots: the client chain's, the server chain's, and the foreign root's.
const (
	tcSlotCRoot = iota
	tcSlotCInter
	tcSlotCLeaf
	tcSlotSRoot
	tcSlotSInter
	tcSlotSLeaf
	tcSlotForeign
)

// tcFault is a drawn property that makes a chain invalid, or that one of the two sides may
// judge otherwise than the other; tcWhys says which and why.
type tcFault string

// Faults of the client chain.
const (
	tcLeafEKUServer   tcFault = "leaf-eku-serverAuth-only" // RFC 5280 4.2.1.12: not for clientAuth
	tcLeafEKUAny      tcFault = "leaf-eku-anyEKU-only"
	tcLeafKUNoSign    tcFault = "leaf-ku-without-digitalSignature" // RFC 8446 4.4.2.2, RFC 5280 4.2.1.3
	tcLeafExpired     tcFault = "leaf-expired"
	tcLeafNotYet      tcFault = "leaf-not-yet-valid"
	tcInterExpired    tcFault = "inter-expired"
	tcRootExpired     tcFault = "root-expired"
	tcInterNotCA      tcFault = "inter-not-ca" // RFC 5280 6.1.4 (k)
	tcInterNoBC       tcFault = "inter-no-basic-constraints"
	tcInterNoCertSign tcFault = "inter-ku-without-keyCertSign" // RFC 5280 6.1.4 (n)
	tcInterEKUServer  tcFault = "inter-eku-serverAuth-only"
	tcInterEKUAny     tcFault = "inter-eku-anyEKU-only"
	tcRootPathLen0    tcFault = "root-pathlen-0-over-inter" // RFC 5280 6.1.4 (m)
	tcNCDirName       tcFault = "nc-dirname-outside"        // RFC 5280 4.2.1.10
	tcNCEmailSAN      tcFault = "nc-email-san-excluded"
	tcNCEmailSubject  tcFault = "nc-email-subject-outside" // RFC 5280 4.2.1.10: emailAddress in the subject
	tcInterMissing    tcFault = "inter-missing"            // neither sent nor given to the server
	tcForeignRoot     tcFault = "foreign-root"             // under another root of the same name
	tcRevoked         tcFault = "revoked"                  // RFC 5280 6.3
	tcCRLStale        tcFault = "crl-stale"                // the CRL's nextUpdate is past
	tcCRLNotYet       tcFault = "crl-not-yet-valid"        // the CRL's thisUpdate is ahead
	tcCRLForged       tcFault = "crl-forged"               // signed by another key of the issuer's name, listing the leaf
	tcCRLCritExt      tcFault = "crl-unknown-critical-ext" // RFC 5280 5.2: a CRL with one is not to be used
)

// Faults of the server chain.
const (
	tcSrvNameMismatch tcFault = "srv-name-mismatch" // RFC 6125 6.4
	tcSrvCNOnly       tcFault = "srv-cn-only"       // RFC 6125 6.4.4: the CN is a fallback
	tcSrvEKUClient    tcFault = "srv-eku-clientAuth-only"
	tcSrvEKUAny       tcFault = "srv-eku-anyEKU-only"
	tcSrvKUNoSign     tcFault = "srv-ku-without-digitalSignature"
	tcSrvExpired      tcFault = "srv-expired"
	tcSrvInterMissing tcFault = "srv-inter-missing"
	tcSrvInterEKU     tcFault = "srv-inter-eku-clientAuth-only"
)

// tcCase is one seed's draw.
type tcCase struct {
	seed int64
	tls  string // "1.2" or "1.3"
	// The client chain.
	cRootKey, cInterKey, cLeafKey string
	cInter                        bool // an intermediate between root and leaf
	cInterSent                    bool // the client sends it
	cInterGiven                   bool // the server is given it (--client-intermediates; openssl: in -CAfile)
	cLeafEKU                      string
	cLeafKU                       string
	cInterEKU                     string
	cInterCA                      string // "ca", "not-ca", "no-bc"
	cInterKU                      string // "sign", "no-certsign", "absent"
	cLeafTime, cInterTime         string // "ok", "expired", "not-yet"
	cRootTime                     string
	cRootPathLen0                 bool
	cNC                           string // "", "dirname-in", "dirname-out", "email-san-in", "email-san-out", "email-subject-in", "email-subject-out"
	cNCOn                         string // "root" or "inter": the CA that carries the constraint
	cForeign                      bool
	cCRL                          string // "", "fresh", "revoked", "stale", "not-yet", "forged", "crit-ext"
	// The server chain.
	sLeafKey  string
	sInter    bool
	sInterOK  bool // sent by the server
	sName     string
	sEKU      string
	sKU       string
	sExpired  bool
	sInterEKU string
	host      string
	// signetServer is the signet server the client chain is presented to: "serve" (tls
	// serve) or "tunnel" (the server side of tls tunnel).
	signetServer string
	faults       map[tcFault]bool
}

func (c *tcCase) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d tls %s (signet %s) client{root %s", c.seed, c.tls, c.signetServer, c.cRootKey)
	if c.cRootTime != "ok" {
		fmt.Fprintf(&b, " %s", c.cRootTime)
	}
	if c.cRootPathLen0 {
		b.WriteString(" pathLen0")
	}
	if c.cForeign {
		b.WriteString(" foreign")
	}
	if c.cInter {
		fmt.Fprintf(&b, "; inter %s %s ku=%s eku=%s time=%s sent=%v given=%v", c.cInterKey, c.cInterCA, c.cInterKU, c.cInterEKU, c.cInterTime, c.cInterSent, c.cInterGiven)
	}
	fmt.Fprintf(&b, "; leaf %s eku=%s ku=%s time=%s", c.cLeafKey, c.cLeafEKU, c.cLeafKU, c.cLeafTime)
	if c.cNC != "" {
		fmt.Fprintf(&b, "; nc %s on %s", c.cNC, c.cNCOn)
	}
	if c.cCRL != "" {
		fmt.Fprintf(&b, "; crl %s", c.cCRL)
	}
	fmt.Fprintf(&b, "} server{leaf %s name=%s host=%s eku=%s ku=%s expired=%v", c.sLeafKey, c.sName, c.host, c.sEKU, c.sKU, c.sExpired)
	if c.sInter {
		fmt.Fprintf(&b, "; inter eku=%s sent=%v", c.sInterEKU, c.sInterOK)
	}
	b.WriteString("} faults[")
	first := true
	for _, f := range tcFaultOrder() {
		if c.faults[f] {
			if !first {
				b.WriteString(" ")
			}
			first = false
			b.WriteString(string(f))
		}
	}
	b.WriteString("]")
	return b.String()
}

// tcFaultOrder lists every fault, for printing in a fixed order.
func tcFaultOrder() []tcFault {
	return []tcFault{tcLeafEKUServer, tcLeafEKUAny, tcLeafKUNoSign, tcLeafExpired, tcLeafNotYet, tcInterExpired, tcRootExpired,
		tcInterNotCA, tcInterNoBC, tcInterNoCertSign, tcInterEKUServer, tcInterEKUAny, tcRootPathLen0, tcNCDirName, tcNCEmailSAN, tcNCEmailSubject,
		tcInterMissing, tcForeignRoot, tcRevoked, tcCRLStale, tcCRLNotYet, tcCRLForged, tcCRLCritExt,
		tcSrvNameMismatch, tcSrvCNOnly, tcSrvEKUClient, tcSrvEKUAny, tcSrvKUNoSign, tcSrvExpired, tcSrvInterMissing, tcSrvInterEKU}
}

// tcPick draws one of the choices, the first weighted w times, the others once.
func tcPick(r *mrand.Rand, w int, choices ...string) string {
	i := r.Intn(len(choices) - 1 + w)
	if i < w {
		return choices[0]
	}
	return choices[i-w+1]
}

// tcDraw draws seed's case. Most draws are valid, so that each fault is met mostly alone.
func tcDraw(seed int64) *tcCase {
	r := mrand.New(mrand.NewSource(seed))
	c := &tcCase{seed: seed, faults: map[tcFault]bool{}}
	c.tls = tcPick(r, 1, "1.3", "1.2")
	c.cRootKey = tcPick(r, 4, "p256", "rsa", "p384")
	c.cLeafKey = tcPick(r, 5, "p256", "rsa", "p384", "ed25519")
	c.cInter = r.Intn(3) > 0
	c.cLeafEKU = tcPick(r, 6, "clientAuth", "none", "serverAuth", "any", "client+server")
	c.cLeafKU = tcPick(r, 6, "digitalSignature", "absent", "keyEncipherment", "keyAgreement", "digitalSignature+keyEncipherment")
	c.cLeafTime = tcPick(r, 14, "ok", "expired", "not-yet")
	c.cRootTime = tcPick(r, 24, "ok", "expired")
	c.cForeign = r.Intn(25) == 0
	if c.cInter {
		c.cInterKey = tcPick(r, 4, "p256", "rsa", "p384")
		c.cInterSent = r.Intn(4) > 0
		c.cInterGiven = !c.cInterSent && r.Intn(3) > 0 || c.cInterSent && r.Intn(6) == 0
		c.cInterEKU = tcPick(r, 10, "none", "clientAuth", "serverAuth", "any")
		c.cInterCA = tcPick(r, 14, "ca", "not-ca", "no-bc")
		c.cInterKU = tcPick(r, 14, "sign", "no-certsign", "absent")
		c.cInterTime = tcPick(r, 20, "ok", "expired")
		c.cRootPathLen0 = r.Intn(15) == 0
	}
	if r.Intn(4) == 0 {
		c.cNC = tcPick(r, 1, "dirname-in", "dirname-out", "email-san-in", "email-san-out", "email-subject-in", "email-subject-out")
		c.cNCOn = "root"
		if c.cInter && r.Intn(2) == 0 {
			c.cNCOn = "inter"
		}
	}
	if r.Intn(3) == 0 {
		c.cCRL = tcPick(r, 2, "fresh", "revoked", "stale")
	}
	// A CRL needs an issuer with cRLSign (x509.CreateRevocationList): a drawn intermediate
	// without it gets none.
	if c.cInter && c.cInterKU != "sign" {
		c.cCRL = ""
	}

	c.sLeafKey = tcPick(r, 5, "p256", "rsa", "ed25519")
	c.sInter = r.Intn(3) == 0
	c.sInterOK = !c.sInter || r.Intn(8) > 0
	c.sInterEKU = "none"
	if c.sInter {
		c.sInterEKU = tcPick(r, 10, "none", "serverAuth", "clientAuth")
	}
	c.sName = tcPick(r, 8, "exact", "wildcard", "other", "cn-only", "ip")
	c.host = "srv.example.test"
	if c.sName == "ip" {
		c.host = "127.0.0.1"
	}
	c.sEKU = tcPick(r, 8, "serverAuth", "none", "clientAuth", "any", "client+server")
	c.sKU = tcPick(r, 8, "digitalSignature", "absent", "keyEncipherment", "keyAgreement")
	c.sExpired = r.Intn(20) == 0
	c.signetServer = tcPick(r, 1, "serve", "tunnel")
	if c.cCRL == "fresh" && r.Intn(2) == 0 {
		c.cCRL = tcPick(r, 1, "not-yet", "forged", "crit-ext")
	}
	c.classify()
	return c
}

// classify notes the faults of the draw.
func (c *tcCase) classify() {
	f := c.faults
	f[tcLeafEKUServer] = c.cLeafEKU == "serverAuth"
	f[tcLeafEKUAny] = c.cLeafEKU == "any"
	f[tcLeafKUNoSign] = c.cLeafKU == "keyEncipherment" || c.cLeafKU == "keyAgreement"
	f[tcLeafExpired] = c.cLeafTime == "expired"
	f[tcLeafNotYet] = c.cLeafTime == "not-yet"
	f[tcRootExpired] = c.cRootTime == "expired"
	f[tcForeignRoot] = c.cForeign
	if c.cInter {
		f[tcInterExpired] = c.cInterTime == "expired"
		f[tcInterNotCA] = c.cInterCA == "not-ca"
		f[tcInterNoBC] = c.cInterCA == "no-bc"
		f[tcInterNoCertSign] = c.cInterKU == "no-certsign"
		f[tcInterEKUServer] = c.cInterEKU == "serverAuth"
		f[tcInterEKUAny] = c.cInterEKU == "any"
		f[tcRootPathLen0] = c.cRootPathLen0
		f[tcInterMissing] = !c.cInterSent && !c.cInterGiven
	}
	f[tcNCDirName] = c.cNC == "dirname-out"
	f[tcNCEmailSAN] = c.cNC == "email-san-out"
	f[tcNCEmailSubject] = c.cNC == "email-subject-out"
	f[tcRevoked] = c.cCRL == "revoked"
	f[tcCRLStale] = c.cCRL == "stale"
	f[tcCRLNotYet] = c.cCRL == "not-yet"
	f[tcCRLForged] = c.cCRL == "forged"
	f[tcCRLCritExt] = c.cCRL == "crit-ext"

	f[tcSrvNameMismatch] = c.sName == "other"
	f[tcSrvCNOnly] = c.sName == "cn-only"
	f[tcSrvEKUClient] = c.sEKU == "clientAuth"
	f[tcSrvEKUAny] = c.sEKU == "any"
	f[tcSrvKUNoSign] = c.sKU == "keyEncipherment" || c.sKU == "keyAgreement"
	f[tcSrvExpired] = c.sExpired
	f[tcSrvInterMissing] = !c.sInterOK
	f[tcSrvInterEKU] = c.sInter && c.sInterEKU == "clientAuth"
	for k, v := range f {
		if !v {
			delete(f, k)
		}
	}
}

// clientFaults and serverFaults are the faults of each chain.
func (c *tcCase) clientFaults() []tcFault {
	var out []tcFault
	for _, f := range tcFaultOrder() {
		if c.faults[f] && !strings.HasPrefix(string(f), "srv-") {
			out = append(out, f)
		}
	}
	return out
}

func (c *tcCase) serverFaults() []tcFault {
	var out []tcFault
	for _, f := range tcFaultOrder() {
		if c.faults[f] && strings.HasPrefix(string(f), "srv-") {
			out = append(out, f)
		}
	}
	return out
}

// tcFiles are the files of a built case.
type tcFiles struct {
	cRoot       string // the client CA (the server's trust anchor)
	cInter      string // the client chain's intermediate, alone ("" when none)
	cLeaf       string // the client leaf alone
	cSent       string // what the client sends: the leaf, and the intermediate when sent
	cKey        string
	cCRL        string // "" when none
	cOsslCAfile string // openssl s_server's -CAfile: the root, and the intermediate when given
	sRoot       string
	sLeaf       string
	sInter      string // "" when none is sent
	sKey        string
}

func tcWritePEM(t testing.TB, path, typ string, ders ...[]byte) string {
	t.Helper()
	var b []byte
	for _, d := range ders {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: d})...)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func tcWriteKey(t testing.TB, path string, k crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return tcWritePEM(t, path, "PRIVATE KEY", der)
}

// tcSerial is a fresh positive serial number.
func tcSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		panic(err)
	}
	return n.Add(n, big.NewInt(1))
}

// tcSKID is a fresh subject key identifier (x509.CreateRevocationList needs one of the
// issuer, which crypto/x509 makes by itself only for a CA).
func tcSKID() []byte {
	b := make([]byte, 20)
	rand.Read(b)
	return b
}

// tcTimes are the validity of a drawn time: ok (now within), expired, or not yet valid.
func tcTimes(now time.Time, s string) (time.Time, time.Time) {
	switch s {
	case "expired":
		return now.Add(-72 * time.Hour), now.Add(-24 * time.Hour)
	case "not-yet":
		return now.Add(24 * time.Hour), now.Add(72 * time.Hour)
	}
	return now.Add(-time.Hour), now.Add(48 * time.Hour)
}

func tcEKUs(s string) []x509.ExtKeyUsage {
	switch s {
	case "clientAuth":
		return []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	case "serverAuth":
		return []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	case "any":
		return []x509.ExtKeyUsage{x509.ExtKeyUsageAny}
	case "client+server":
		return []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth}
	}
	return nil
}

func tcLeafKU(s string) x509.KeyUsage {
	switch s {
	case "digitalSignature":
		return x509.KeyUsageDigitalSignature
	case "keyEncipherment":
		return x509.KeyUsageKeyEncipherment
	case "keyAgreement":
		return x509.KeyUsageKeyAgreement
	case "digitalSignature+keyEncipherment":
		return x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	}
	return 0
}

// tcDirNameConstraint is a name constraints extension permitting the directory name O=Allowed
// (x509.Certificate cannot express one).
func tcDirNameConstraint() pkix.Extension {
	name, err := asn1.Marshal(pkix.Name{Organization: []string{"Allowed"}}.ToRDNSequence())
	if err != nil {
		panic(err)
	}
	gn, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: name})
	if err != nil {
		panic(err)
	}
	subtree, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: gn})
	if err != nil {
		panic(err)
	}
	permitted, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: subtree})
	if err != nil {
		panic(err)
	}
	nc, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: permitted})
	if err != nil {
		panic(err)
	}
	return pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 30}, Critical: true, Value: nc}
}

// tcOIDEmailAddress is PKCS #9's emailAddress, a subject attribute (an IA5String).
func tcOIDEmailAddress() asn1.ObjectIdentifier {
	return asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
}

func tcCreate(t testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatalf("tc: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("tc: %v", err)
	}
	return cert
}

// build writes the case's certificates, keys and CRL into dir.
func (c *tcCase) build(t testing.TB, dir string) tcFiles {
	t.Helper()
	now := time.Now()
	var f tcFiles
	// The client chain.
	rootName := pkix.Name{CommonName: fmt.Sprintf("TC Client Root %d", c.seed), Organization: []string{"Allowed"}}
	nb, na := tcTimes(now, c.cRootTime)
	rootTmpl := &x509.Certificate{SerialNumber: tcSerial(), Subject: rootName, NotBefore: nb, NotAfter: na,
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, SubjectKeyId: tcSKID()}
	if c.cRootPathLen0 {
		rootTmpl.MaxPathLen, rootTmpl.MaxPathLenZero = 0, true
	}
	leafTmpl := &x509.Certificate{SerialNumber: tcSerial(),
		Subject:     pkix.Name{CommonName: fmt.Sprintf("tc client %d", c.seed), Organization: []string{"Allowed"}},
		ExtKeyUsage: tcEKUs(c.cLeafEKU), KeyUsage: tcLeafKU(c.cLeafKU), BasicConstraintsValid: true}
	leafTmpl.NotBefore, leafTmpl.NotAfter = tcTimes(now, c.cLeafTime)
	var ncHolder *x509.Certificate
	var interTmpl *x509.Certificate
	if c.cInter {
		interTmpl = &x509.Certificate{SerialNumber: tcSerial(),
			Subject:     pkix.Name{CommonName: fmt.Sprintf("TC Client Intermediate %d", c.seed), Organization: []string{"Allowed"}},
			ExtKeyUsage: tcEKUs(c.cInterEKU), SubjectKeyId: tcSKID()}
		interTmpl.NotBefore, interTmpl.NotAfter = tcTimes(now, c.cInterTime)
		switch c.cInterCA {
		case "ca":
			interTmpl.IsCA, interTmpl.BasicConstraintsValid = true, true
		case "not-ca":
			interTmpl.BasicConstraintsValid = true
		}
		switch c.cInterKU {
		case "sign":
			interTmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		case "no-certsign":
			interTmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageCRLSign
		}
	}
	ncHolder = rootTmpl
	if c.cNCOn == "inter" {
		ncHolder = interTmpl
	}
	ncHolder.PermittedDNSDomainsCritical = true // the whole extension critical (RFC 5280 4.2.1.10)
	switch c.cNC {
	case "dirname-in", "dirname-out":
		ncHolder.ExtraExtensions = append(ncHolder.ExtraExtensions, tcDirNameConstraint())
		if c.cNC == "dirname-out" {
			leafTmpl.Subject.Organization = []string{"Other"}
		}
	case "email-san-in", "email-san-out":
		ncHolder.ExcludedEmailAddresses = []string{"evil.test"}
		leafTmpl.EmailAddresses = []string{"alice@example.test"}
		if c.cNC == "email-san-out" {
			leafTmpl.EmailAddresses = []string{"mallory@evil.test"}
		}
	case "email-subject-in", "email-subject-out":
		ncHolder.PermittedEmailAddresses = []string{"example.test"}
		addr := "alice@example.test"
		if c.cNC == "email-subject-out" {
			addr = "mallory@evil.test"
		}
		ia5, err := asn1.MarshalWithParams(addr, "ia5")
		if err != nil {
			t.Fatal(err)
		}
		leafTmpl.Subject.ExtraNames = append(leafTmpl.Subject.ExtraNames, pkix.AttributeTypeAndValue{Type: tcOIDEmailAddress(), Value: asn1.RawValue{FullBytes: ia5}})
	}
	rootKey := tcKey(c.cRootKey, tcSlotCRoot)
	root := tcCreate(t, rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	f.cRoot = tcWritePEM(t, filepath.Join(dir, "c-root.pem"), "CERTIFICATE", root.Raw)
	issuer, issuerKey := root, rootKey
	if c.cForeign {
		// Another root of the same name and another key issues the chain.
		fk := tcKey("p256", tcSlotForeign)
		issuer = tcCreate(t, rootTmpl, rootTmpl, fk.Public(), fk)
		issuerKey = fk
	}
	var inter *x509.Certificate
	if c.cInter {
		ik := tcKey(c.cInterKey, tcSlotCInter)
		inter = tcCreate(t, interTmpl, issuer, ik.Public(), issuerKey)
		f.cInter = tcWritePEM(t, filepath.Join(dir, "c-inter.pem"), "CERTIFICATE", inter.Raw)
		issuer, issuerKey = inter, ik
	}
	lk := tcKey(c.cLeafKey, tcSlotCLeaf)
	leaf := tcCreate(t, leafTmpl, issuer, lk.Public(), issuerKey)
	f.cLeaf = tcWritePEM(t, filepath.Join(dir, "c-leaf.pem"), "CERTIFICATE", leaf.Raw)
	f.cKey = tcWriteKey(t, filepath.Join(dir, "c-leaf.key"), lk)
	f.cSent = f.cLeaf
	if c.cInter && c.cInterSent {
		f.cSent = tcWritePEM(t, filepath.Join(dir, "c-sent.pem"), "CERTIFICATE", leaf.Raw, inter.Raw)
	}
	f.cOsslCAfile = f.cRoot
	if c.cInter && c.cInterGiven {
		f.cOsslCAfile = tcWritePEM(t, filepath.Join(dir, "c-cafile.pem"), "CERTIFICATE", root.Raw, inter.Raw)
	}
	if c.cCRL != "" {
		tmpl := &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(24 * time.Hour)}
		switch c.cCRL {
		case "revoked":
			tmpl.RevokedCertificateEntries = []x509.RevocationListEntry{{SerialNumber: leaf.SerialNumber, RevocationTime: now.Add(-time.Minute)}}
		case "stale":
			tmpl.ThisUpdate, tmpl.NextUpdate = now.Add(-72*time.Hour), now.Add(-24*time.Hour)
		case "not-yet":
			tmpl.ThisUpdate, tmpl.NextUpdate = now.Add(24*time.Hour), now.Add(72*time.Hour)
		case "crit-ext":
			tmpl.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 1}, Critical: true, Value: []byte{5, 0}}}
		}
		crlIssuer, crlKey := issuer, issuerKey
		if c.cCRL == "forged" {
			tmpl.RevokedCertificateEntries = []x509.RevocationListEntry{{SerialNumber: leaf.SerialNumber, RevocationTime: now.Add(-time.Minute)}}
			crlKey = tcKey("p256", tcSlotForeign+1)
			forger := *issuer
			forger.PublicKey = crlKey.Public()
			crlIssuer = &forger
		}
		der, err := x509.CreateRevocationList(rand.Reader, tmpl, crlIssuer, crlKey)
		if err != nil {
			t.Fatalf("tc: CRL: %v", err)
		}
		f.cCRL = tcWritePEM(t, filepath.Join(dir, "c-crl.pem"), "X509 CRL", der)
	}

	// The server chain.
	sRootKey := tcKey("p256", tcSlotSRoot)
	sRootTmpl := &x509.Certificate{SerialNumber: tcSerial(), Subject: pkix.Name{CommonName: fmt.Sprintf("TC Server Root %d", c.seed)},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(48 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	sRoot := tcCreate(t, sRootTmpl, sRootTmpl, sRootKey.Public(), sRootKey)
	f.sRoot = tcWritePEM(t, filepath.Join(dir, "s-root.pem"), "CERTIFICATE", sRoot.Raw)
	sIssuer, sIssuerKey := sRoot, sRootKey
	if c.sInter {
		ik := tcKey("p256", tcSlotSInter)
		tmpl := &x509.Certificate{SerialNumber: tcSerial(), Subject: pkix.Name{CommonName: fmt.Sprintf("TC Server Intermediate %d", c.seed)},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(48 * time.Hour), IsCA: true, BasicConstraintsValid: true,
			KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, ExtKeyUsage: tcEKUs(c.sInterEKU)}
		sInter := tcCreate(t, tmpl, sRoot, ik.Public(), sRootKey)
		if c.sInterOK {
			f.sInter = tcWritePEM(t, filepath.Join(dir, "s-inter.pem"), "CERTIFICATE", sInter.Raw)
		}
		sIssuer, sIssuerKey = sInter, ik
	}
	sTmpl := &x509.Certificate{SerialNumber: tcSerial(), Subject: pkix.Name{CommonName: "tc server"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(48 * time.Hour), BasicConstraintsValid: true,
		ExtKeyUsage: tcEKUs(c.sEKU), KeyUsage: tcLeafKU(c.sKU)}
	if c.sExpired {
		sTmpl.NotBefore, sTmpl.NotAfter = tcTimes(now, "expired")
	}
	switch c.sName {
	case "exact":
		sTmpl.DNSNames = []string{"srv.example.test"}
	case "wildcard":
		sTmpl.DNSNames = []string{"*.example.test"}
	case "other":
		sTmpl.DNSNames = []string{"other.example.test"}
	case "cn-only":
		sTmpl.Subject.CommonName = "srv.example.test"
	case "ip":
		sTmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	sk := tcKey(c.sLeafKey, tcSlotSLeaf)
	sLeaf := tcCreate(t, sTmpl, sIssuer, sk.Public(), sIssuerKey)
	f.sLeaf = tcWritePEM(t, filepath.Join(dir, "s-leaf.pem"), "CERTIFICATE", sLeaf.Raw)
	f.sKey = tcWriteKey(t, filepath.Join(dir, "s-leaf.key"), sk)
	return f
}
