package verify_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"net"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/signet-pki/signet/verify"
)

// x509-limbo carries Netflix BetterTLS's two suites as bettertls::nameconstraints::tcN (8754
// cases) and bettertls::pathbuilding::tcN, validated as server validation of the hostname the
// case names, at one second after the leaf's notBefore. Their certificates are not stored here,
// so these tests make certificates of the same shapes, as BetterTLS makes them (crypto/x509,
// P-256, KU keyCertSign on CAs, an 18-octet serial, subject CN, O and serialNumber), and check
// signet against the expected result BetterTLS computes for each shape (its PASS and SOFT_PASS
// are limbo's SUCCESS, its FAIL and SOFT_FAIL limbo's FAILURE).
//
// The rfc5280 profile agrees with every case. The webpki profile differs, on purpose, where a
// leaf's subject CN is not one of its SAN values (BetterTLS's CN "bad.example.com" beside the
// SAN test.localhost, "1.1.1.1" beside 127.0.0.1, "EE" beside localhost): BetterTLS expects
// the chain accepted, the Baseline Requirements 7.1.4.3 forbid the certificate, and so do
// x509-limbo's own webpki::cn::* cases (webpki::cn::not-in-san is the same shape); signet
// follows the Baseline Requirements (webpki.cn-not-in-san). Over the whole suites that is 272
// nameconstraints and 42 pathbuilding cases.

type btTri int

const (
	btNone btTri = iota
	btValid
	btInvalid
)

// btNC is one case of BetterTLS's nameconstraints suite.
type btNC struct {
	hostIP, cnIP                                        bool
	cn, dnsSAN, ipSAN, dnsPerm, ipPerm, dnsExcl, ipExcl btTri
}

// accept is BetterTLS's expected result: the hostname must be a SAN (a CN match alone is a
// soft failure); a constraint against the hostname fails; a constraint against another SAN
// value is a soft failure; a constraint against only the CN is a soft pass.
func (n btNC) accept() bool {
	if !n.hostIP && n.dnsSAN != btValid || n.hostIP && n.ipSAN != btValid {
		return false
	}
	if !n.hostIP && (n.dnsPerm == btInvalid || n.dnsExcl == btValid) || n.hostIP && (n.ipPerm == btInvalid || n.ipExcl == btValid) {
		return false
	}
	denies := func(v, perm, excl btTri) bool {
		return v == btValid && (perm == btInvalid || excl == btValid) || v == btInvalid && (perm == btValid || excl == btInvalid)
	}
	return !denies(n.dnsSAN, n.dnsPerm, n.dnsExcl) && !denies(n.ipSAN, n.ipPerm, n.ipExcl)
}

func btSerial() *big.Int {
	b := make([]byte, 18)
	b[0] = 1
	rand.Read(b[1:])
	return new(big.Int).SetBytes(b)
}

// btMaker makes certificates as BetterTLS does.
type btMaker struct {
	t      *testing.T
	nb, na time.Time
}

func (m btMaker) name(cn string) pkix.Name {
	return pkix.Name{CommonName: cn, Organization: []string{"bettertls.com"}, SerialNumber: btSerial().Text(16)}
}

func (m btMaker) ca(subject pkix.Name) *x509.Certificate {
	return &x509.Certificate{SerialNumber: btSerial(), Subject: subject, NotBefore: m.nb, NotAfter: m.na, KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true}
}

func (m btMaker) issue(tmpl, parent *x509.Certificate, key, parentKey crypto.Signer) *x509.Certificate {
	m.t.Helper()
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		m.t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		m.t.Fatal(err)
	}
	return c
}

func btKey(t *testing.T) crypto.Signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// btCNNotInSAN says whether the leaf's CN is absent from its SAN values: the one ground on
// which webpki refuses what BetterTLS accepts.
func btCNNotInSAN(leaf *x509.Certificate) bool {
	cn := leaf.Subject.CommonName
	if cn == "" {
		return false
	}
	for _, ip := range leaf.IPAddresses {
		if ip.String() == cn {
			return false
		}
	}
	return !slices.Contains(leaf.DNSNames, cn)
}

// checkBetterTLS verifies leaf under both profiles and compares with accept.
func checkBetterTLS(t *testing.T, name string, leaf *x509.Certificate, p verify.Policy, accept bool) {
	t.Helper()
	for _, prof := range []verify.Profile{verify.ProfileRFC5280, verify.ProfileWebPKI} {
		p.Profile = prof
		_, err := verify.Verify(leaf, nil, p)
		var ve *verify.Error
		switch {
		case (err == nil) == accept:
		case prof == verify.ProfileWebPKI && accept && errors.As(err, &ve) && ve.Rule == "webpki.cn-not-in-san" && btCNNotInSAN(leaf):
			// BR 7.1.4.3 against BetterTLS: see the comment at the top of this file.
		default:
			t.Errorf("%s (%v): BetterTLS expects accepted=%v, signet: %v", name, prof, accept, err)
		}
	}
}

// TestBetterTLSNameConstraints: every 53rd case of the nameconstraints suite (the whole suite
// takes half a minute), and its six named cases.
func TestBetterTLSNameConstraints(t *testing.T) {
	now := time.Now()
	m := btMaker{t: t, nb: now.Add(-24 * time.Hour), na: now.Add(366 * 24 * time.Hour)}
	rootKey := btKey(t)
	root := m.issue(m.ca(m.name("bettertls_trust_root")), nil, rootKey, nil)
	_, goodNet, _ := net.ParseCIDR("127.0.0.0/24")
	_, badNet, _ := net.ParseCIDR("1.1.1.0/24")
	all := []btTri{btNone, btValid, btInvalid}
	var cases []btNC
	for _, hostIP := range []bool{false, true} {
		for _, cnIP := range []bool{false, true} {
			for _, cn := range all {
				for _, ds := range all {
					for _, is := range all {
						for _, dp := range all {
							for _, ip := range all {
								for _, de := range all {
									for _, ie := range all {
										cases = append(cases, btNC{hostIP, cnIP, cn, ds, is, dp, ip, de, ie})
									}
								}
							}
						}
					}
				}
			}
		}
	}
	named := []btNC{
		{cn: btValid, dnsSAN: btValid},                   // sanity check
		{cn: btValid, dnsSAN: btValid, dnsPerm: btValid}, // NAME_CONSTRAINTS
		{dnsSAN: btValid}, {dnsSAN: btInvalid},           // VALIDATE_DNS
		{hostIP: true, cnIP: true, ipSAN: btValid}, {hostIP: true, cnIP: true, ipSAN: btInvalid}, // VALIDATE_IP
	}
	for i := 0; i < len(cases); i += 53 {
		named = append(named, cases[i])
	}
	pick := func(v btTri, valid, invalid string) string {
		return map[btTri]string{btValid: valid, btInvalid: invalid}[v]
	}
	lrKey, icaKey, leafKey := btKey(t), btKey(t), btKey(t) // shared by the cases: only the certificates differ
	for _, n := range named {
		localRoot := m.issue(m.ca(m.name("local_root")), root, lrKey, rootKey)
		tmpl := m.ca(m.name("local_ica"))
		tmpl.PermittedDNSDomainsCritical = n.dnsPerm != btNone || n.dnsExcl != btNone || n.ipPerm != btNone || n.ipExcl != btNone
		if n.dnsPerm != btNone {
			tmpl.PermittedDNSDomains = []string{pick(n.dnsPerm, "localhost", "example.com")}
		}
		if n.dnsExcl != btNone {
			tmpl.ExcludedDNSDomains = []string{pick(n.dnsExcl, "localhost", "bad.example.com")}
		}
		nets := map[btTri]*net.IPNet{btValid: goodNet, btInvalid: badNet}
		if n.ipPerm != btNone {
			tmpl.PermittedIPRanges = []*net.IPNet{nets[n.ipPerm]}
		}
		if n.ipExcl != btNone {
			tmpl.ExcludedIPRanges = []*net.IPNet{nets[n.ipExcl]}
		}
		ica := m.issue(tmpl, localRoot, icaKey, lrKey)
		cn := pick(n.cn, "test.localhost", "bad.example.com")
		if n.cnIP {
			cn = pick(n.cn, "127.0.0.1", "1.1.1.1")
		}
		leafTmpl := &x509.Certificate{SerialNumber: btSerial(), Subject: m.name(cn), NotBefore: m.nb, NotAfter: m.na, KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true}
		var sans []asn1.RawValue
		if v := pick(n.dnsSAN, "test.localhost", "bad.example.com"); v != "" {
			sans = append(sans, asn1.RawValue{Class: 2, Tag: 2, Bytes: []byte(v)})
		}
		if v := pick(n.ipSAN, "127.0.0.1", "1.1.1.1"); v != "" {
			sans = append(sans, asn1.RawValue{Class: 2, Tag: 7, Bytes: net.ParseIP(v).To4()})
		}
		if len(sans) > 0 {
			leafTmpl.ExtraExtensions = []pkix.Extension{{Id: oidSAN, Value: mustMarshal(sans)}}
		}
		leaf := m.issue(leafTmpl, ica, leafKey, icaKey)
		p := verify.Policy{At: leaf.NotBefore.Add(time.Second), Roots: []*x509.Certificate{root}, Intermediates: []*x509.Certificate{ica, localRoot, root},
			EKUs: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, DNSName: "test.localhost"}
		if n.hostIP {
			p.DNSName, p.IP = "", net.ParseIP("127.0.0.1")
		}
		checkBetterTLS(t, fmt.Sprintf("%+v", n), leaf, p, n.accept())
	}
}

// btEdge is a certificate of a BetterTLS trust graph: src issues to dst.
type btEdge struct{ src, dst string }

type btGraph []btEdge

var (
	btLinear   = btGraph{{"ICA", "EE"}, {"Trust Anchor", "ICA"}}
	btTwoRoots = btGraph{{"ICA", "EE"}, {"Root1", "ICA"}, {"Root2", "ICA"}}
	// RFC 4158 figure 7 and the bridge CA PKI of its section 2.4.
	btFigure7 = btGraph{{"B", "EE"}, {"C", "B"}, {"A", "B"}, {"C", "A"}, {"A", "C"}, {"Trust Anchor", "C"}, {"Trust Anchor", "A"}}
	btBridge  = btGraph{{"F", "H"}, {"F", "G"}, {"G", "F"}, {"H", "I"}, {"I", "H"}, {"G", "I"}, {"TA W", "F"}, {"TA W", "G"},
		{"J", "K"}, {"N", "EE"}, {"L", "N"}, {"L", "M"}, {"TA X", "J"}, {"TA X", "L"},
		{"B", "E"}, {"B", "D"}, {"A", "B"}, {"C", "B"}, {"A", "C"}, {"C", "A"}, {"TA Y", "A"}, {"TA Y", "C"},
		{"R", "S"}, {"O", "R"}, {"O", "Q"}, {"P", "S"}, {"TA Z", "O"}, {"TA Z", "P"},
		{"TA W", "Bridge CA"}, {"Bridge CA", "TA W"}, {"TA X", "Bridge CA"}, {"Bridge CA", "TA X"},
		{"TA Y", "Bridge CA"}, {"Bridge CA", "TA Y"}, {"TA Z", "Bridge CA"}, {"Bridge CA", "TA Z"}}
)

// reachable: a path of valid edges from src to dst.
func (g btGraph) reachable(invalid []btEdge, src, dst string) bool {
	seen := map[string]bool{}
	var walk func(n string) bool
	walk = func(n string) bool {
		if n == dst {
			return true
		}
		if seen[n] {
			return false
		}
		seen[n] = true
		defer delete(seen, n)
		for _, e := range g {
			if e.src == n && !slices.Contains(invalid, e) && walk(e.dst) {
				return true
			}
		}
		return false
	}
	return walk(src)
}

// TestBetterTLSPathBuilding: the pathbuilding suite, every trust graph and every way of
// making its invalid edges invalid. Only the trust anchor of the case is trusted; every other
// certificate is an untrusted intermediate; the leaf is for localhost.
func TestBetterTLSPathBuilding(t *testing.T) {
	now := time.Now()
	m := btMaker{t: t, nb: now.Add(-24 * time.Hour), na: now.Add(366 * 24 * time.Hour)}
	rootKey := btKey(t)
	root := m.issue(m.ca(m.name("bettertls_trust_root")), nil, rootKey, nil)
	type graphCase struct {
		g        btGraph
		src, dst string
		invalid  []btEdge
	}
	graphs := []graphCase{
		{btLinear, "Trust Anchor", "EE", nil},
		{btLinear, "Trust Anchor", "EE", []btEdge{{"Trust Anchor", "ICA"}}},
		{btLinear, "ICA", "EE", []btEdge{{"Trust Anchor", "ICA"}}},
		{btTwoRoots, "Root1", "EE", nil}, {btTwoRoots, "Root2", "EE", nil},
		{btTwoRoots, "Root1", "EE", []btEdge{{"Root2", "ICA"}}}, {btTwoRoots, "Root2", "EE", []btEdge{{"Root1", "ICA"}}},
		{btTwoRoots, "Root1", "EE", []btEdge{{"Root1", "ICA"}}}, {btTwoRoots, "Root2", "EE", []btEdge{{"Root2", "ICA"}}},
		{btFigure7, "Trust Anchor", "EE", nil},
		{btFigure7, "Trust Anchor", "EE", []btEdge{{"Trust Anchor", "C"}, {"A", "B"}}},
		{btFigure7, "Trust Anchor", "EE", []btEdge{{"Trust Anchor", "A"}, {"C", "B"}}},
		{btBridge, "TA Z", "D", nil}, {btBridge, "TA Z", "EE", nil},
		{btBridge, "TA Z", "EE", []btEdge{{"TA X", "Bridge CA"}}},
		{btBridge, "TA Z", "EE", []btEdge{{"Bridge CA", "TA X"}}},
		{btBridge, "TA Z", "EE", []btEdge{{"TA Z", "Bridge CA"}}},
	}
	reasons := map[string]func(*x509.Certificate){
		"EXPIRED": func(c *x509.Certificate) { c.NotAfter = now.Add(-time.Hour) },
		"NAME_CONSTRAINTS": func(c *x509.Certificate) {
			c.PermittedDNSDomainsCritical, c.PermittedDNSDomains = true, []string{"bad.example.com"}
		},
		"BAD_EKU":                   func(c *x509.Certificate) { c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection} },
		"MISSING_BASIC_CONSTRAINTS": func(c *x509.Certificate) { c.BasicConstraintsValid = false },
		"NOT_A_CA":                  func(c *x509.Certificate) { c.IsCA = false },
		"DEPRECATED_CRYPTO":         func(c *x509.Certificate) { c.SignatureAlgorithm = x509.ECDSAWithSHA1 },
	}
	var reasonNames []string
	for r := range reasons {
		reasonNames = append(reasonNames, r)
	}
	sort.Strings(reasonNames)
	nodeKeys, nodeCerts := map[string]crypto.Signer{}, map[string]*x509.Certificate{}
	for gi, gc := range graphs {
		rs := reasonNames
		if len(gc.invalid) == 0 {
			rs = []string{""}
		}
		for _, reason := range rs {
			certs, keys := map[string]*x509.Certificate{}, map[string]crypto.Signer{}
			for _, e := range gc.g {
				for _, n := range []string{e.src, e.dst} {
					if nodeCerts[n] == nil {
						nodeKeys[n] = btKey(t)
						nodeCerts[n] = m.issue(m.ca(m.name(n)), nil, nodeKeys[n], nil)
					}
					certs[n], keys[n] = nodeCerts[n], nodeKeys[n]
				}
			}
			certs[gc.src], keys[gc.src] = root, rootKey
			var leaf *x509.Certificate
			var inters []*x509.Certificate
			for _, e := range gc.g {
				tmpl := m.ca(certs[e.dst].Subject)
				if e.dst == gc.dst {
					tmpl.KeyUsage, tmpl.IsCA, tmpl.Subject = x509.KeyUsageDigitalSignature, false, m.name(gc.dst)
					tmpl.DNSNames, tmpl.ExtKeyUsage = []string{"localhost"}, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
				}
				if slices.Contains(gc.invalid, e) {
					reasons[reason](tmpl)
				}
				c := m.issue(tmpl, certs[e.src], keys[e.dst], keys[e.src])
				if e.dst == gc.dst {
					leaf = c
				} else {
					inters = append(inters, c)
				}
			}
			accept := gc.g.reachable(gc.invalid, gc.src, gc.dst)
			at := leaf.NotBefore.Add(time.Second)
			if reason == "EXPIRED" && !accept {
				at = leaf.NotAfter.Add(time.Second) // BetterTLS's time for a case about expiry that fails
			}
			p := verify.Policy{At: at, Roots: []*x509.Certificate{root}, Intermediates: inters, DNSName: "localhost", EKUs: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
			checkBetterTLS(t, fmt.Sprintf("graph %d %s", gi, reason), leaf, p, accept)
		}
	}
}
