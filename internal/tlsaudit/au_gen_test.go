package tlsaudit

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
)

// The au campaign's draws: a server configuration per seed (au_campaign_test.go plays it).

// auPKI is the campaign's certificates: a root, an intermediate, and two leaves for
// www.example.com under it, ECDSA P-256 and RSA 2048, so that suites of both
// authentications can be served with one name and one chain.
type auPKI struct {
	dir                      string
	root, inter              string // PEM files
	interKey                 string
	leafEC, leafECKey        string
	leafRSA, leafRSAKey      string
	chainGood, chainSwapped  string // the intermediate; the root then the intermediate
	chainWithRoot            string // the intermediate then the root
	leafECCert, leafRSACert  *x509.Certificate
	ocspGood, ocspRevoked    string // DER OCSP responses for leafEC, valid one day
	ocspStale                string // the good one, judged three days on (its nextUpdate one day on)
	ocspGoodRSA, ocspRevRSA  string
	ocspStaleRSA             string
	gnutlsChainEC, gnutlsRSA string // leaf and intermediate, for gnutls-serv and tls serve
}

func auWritePEM(t *testing.T, path, typ string, der []byte) string {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func auCat(t *testing.T, path string, files ...string) string {
	t.Helper()
	var b []byte
	for _, f := range files {
		d, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, d...)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func newAUPKI(t *testing.T) *auPKI {
	t.Helper()
	dir := t.TempDir()
	p := &auPKI{dir: dir}
	now := time.Now()
	serial := int64(1)
	issue := func(tmpl *x509.Certificate, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) *x509.Certificate {
		serial++
		tmpl.SerialNumber = big.NewInt(serial)
		tmpl.NotBefore, tmpl.NotAfter = now.Add(-time.Hour), now.Add(5*365*24*time.Hour)
		if parent == nil {
			parent = tmpl
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	key := func(name string) (crypto.Signer, string) {
		k := testutil.Key(t, name)
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return k, auWritePEM(t, filepath.Join(dir, strings.ReplaceAll(name, "/", "-")+".key"), "PRIVATE KEY", der)
	}
	rootKey, _ := key("p256/au-root")
	interKey, interKeyFile := key("p256/au-int")
	ecKey, ecKeyFile := key("p256/au-leaf")
	rsaKey, rsaKeyFile := key("rsa2048/au-leaf")
	ca := func(cn string) *x509.Certificate {
		return &x509.Certificate{Subject: pkix.Name{CommonName: cn, Organization: []string{"Signet AU"}}, IsCA: true,
			BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	}
	root := issue(ca("AU Root"), nil, rootKey.Public(), rootKey)
	inter := issue(ca("AU Intermediate"), root, interKey.Public(), rootKey)
	leaf := func(cn string, ku x509.KeyUsage) *x509.Certificate {
		return &x509.Certificate{Subject: pkix.Name{CommonName: cn, Organization: []string{"Signet AU"}}, DNSNames: []string{"www.example.com"},
			KeyUsage: ku, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	}
	p.leafECCert = issue(leaf("www.example.com EC", x509.KeyUsageDigitalSignature), inter, ecKey.Public(), interKey)
	p.leafRSACert = issue(leaf("www.example.com RSA", x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment), inter, rsaKey.Public(), interKey)
	p.root = auWritePEM(t, filepath.Join(dir, "root.pem"), "CERTIFICATE", root.Raw)
	p.inter = auWritePEM(t, filepath.Join(dir, "int.pem"), "CERTIFICATE", inter.Raw)
	p.interKey = interKeyFile
	p.leafEC = auWritePEM(t, filepath.Join(dir, "leaf-ec.pem"), "CERTIFICATE", p.leafECCert.Raw)
	p.leafRSA = auWritePEM(t, filepath.Join(dir, "leaf-rsa.pem"), "CERTIFICATE", p.leafRSACert.Raw)
	p.leafECKey, p.leafRSAKey = ecKeyFile, rsaKeyFile
	p.chainGood = p.inter
	p.chainSwapped = auCat(t, filepath.Join(dir, "swapped.pem"), p.root, p.inter)
	p.chainWithRoot = auCat(t, filepath.Join(dir, "withroot.pem"), p.inter, p.root)
	p.gnutlsChainEC = auCat(t, filepath.Join(dir, "gnutls-ec.pem"), p.leafEC, p.inter)
	p.gnutlsRSA = auCat(t, filepath.Join(dir, "gnutls-rsa.pem"), p.leafRSA, p.inter)
	p.ocspGood, p.ocspRevoked, p.ocspStale = p.ocsp(t, p.leafEC, p.leafECCert, "ec")
	p.ocspGoodRSA, p.ocspRevRSA, p.ocspStaleRSA = p.ocsp(t, p.leafRSA, p.leafRSACert, "rsa")
	return p
}

// ocsp has openssl ocsp answer, as the intermediate, for a leaf: good and revoked, each
// current for a day. The stale one is the good one judged three days on (auAuditAt): openssl
// cannot back-date a response.
func (p *auPKI) ocsp(t *testing.T, leafFile string, leaf *x509.Certificate, tag string) (good, revoked, stale string) {
	t.Helper()
	openssl := testutil.RequireTool(t, "openssl")
	req := filepath.Join(p.dir, tag+"-req.der")
	testutil.Run(t, openssl, "ocsp", "-issuer", p.inter, "-cert", leafFile, "-no_nonce", "-reqout", req)
	resp := func(status, name string, validity ...string) string {
		index := filepath.Join(p.dir, tag+"-"+name+"-index.txt")
		rev := ""
		if status == "R" {
			rev = "250601000000Z,keyCompromise"
		}
		line := fmt.Sprintf("%s\t%s\t%s\t%X\tunknown\t/CN=x\n", status, leaf.NotAfter.UTC().Format("060102150405Z"), rev, leaf.SerialNumber)
		if err := os.WriteFile(index, []byte(line), 0o600); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(p.dir, tag+"-"+name+".der")
		args := append([]string{"ocsp", "-index", index, "-CA", p.inter, "-rsigner", p.inter, "-rkey", p.interKey, "-reqin", req, "-respout", out}, validity...)
		testutil.Run(t, openssl, args...)
		return out
	}
	good = resp("V", "good", "-ndays", "1")
	return good, resp("R", "revoked", "-ndays", "1"), good
}

// auServerKind is the program that serves a case.
type auServerKind string

const (
	auOpenSSL auServerKind = "openssl"
	auGnuTLS  auServerKind = "gnutls"
	auSignet  auServerKind = "signet"
)

// auCase is one drawn server configuration and what it makes the server accept.
type auCase struct {
	seed int64
	kind auServerKind
	args []string // the server's command line (openssl, gnutls) or a description (signet)

	// What the configuration says, for the judge; nil or empty when the draw does not decide.
	versions     []uint16 // the versions it must accept, exactly
	cipherList   string   // openssl -cipher, the TLS 1.2-and-below suites (openssl ciphers -s decides which per version)
	suites13     []string // openssl -ciphersuites
	groups       []uint16 // openssl -groups / gnutls GROUP-: the TLS 1.3 groups, exactly
	serverPref   bool
	noTicket     bool // no TLS 1.2 ticket
	numTickets0  bool // no TLS 1.3 ticket
	clientReneg  bool // openssl -client_renegotiation
	noReneg      bool // openssl -no_renegotiation: renegotiation refused either way
	certRequest  bool // the server asks for a client certificate
	certRequired bool // and refuses a handshake without one
	rsa          bool // an RSA leaf is served (too, for openssl)
	chain        string
	ocsp         string // "", good, revoked, stale
	signetMax    uint16
	noECDSAKx    bool // gnutls -ECDHE-ECDSA
}

func (c *auCase) String() string {
	return fmt.Sprintf("seed %d: %s %s", c.seed, c.kind, strings.Join(c.args, " "))
}

// auOpenSSLCiphers are cipher strings drawn into -cipher: good, weak and awful, each
// a few suites. This openssl (3.0, Debian) has no 3DES or RC4 suite at all, and s_server
// refuses a -cipher list that names nothing it has (nor SEED): gnutls-serv draws those.
var auOpenSSLCiphers = []string{
	"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305",
	"ECDHE-RSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384", "DHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES256-SHA",
	"AES128-GCM-SHA256", "AES256-SHA256", "AES128-SHA", "CAMELLIA128-SHA", "ARIA256-GCM-SHA384",
	"NULL-SHA", "NULL-SHA256", "ECDHE-ECDSA-NULL-SHA",
	"ADH-AES128-SHA", "AECDH-AES256-SHA", "ADH-CAMELLIA128-SHA256", "AES128-CCM8", "DHE-RSA-AES256-CCM8",
	"ECDHE-ECDSA-AES128-CCM", "ECDHE:!aNULL", "kRSA",
}

var auTLS13Suites = []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
	"TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256"}

// auGroupNames are the groups drawn, as openssl and gnutls name them.
var auGroupNames = []struct {
	id             uint16
	openssl, gnutl string
}{
	{groupX25519, "X25519", "GROUP-X25519"}, {groupP256, "P-256", "GROUP-SECP256R1"}, {groupP384, "P-384", "GROUP-SECP384R1"},
	{groupP521, "P-521", "GROUP-SECP521R1"}, {groupX448, "X448", "GROUP-X448"}, {groupFFDHE2048, "ffdhe2048", "GROUP-FFDHE2048"},
	{groupFFDHE3072, "ffdhe3072", "GROUP-FFDHE3072"},
}

func auPick[T any](r *mrand.Rand, list []T, min, max int) []T {
	n := min + r.IntN(max-min+1)
	idx := r.Perm(len(list))[:n]
	slices.Sort(idx)
	out := make([]T, 0, n)
	for _, i := range idx {
		out = append(out, list[i])
	}
	return out
}

// auVersionsDrawn draws the accepted versions: a contiguous range, or, now and then, one with
// a hole (TLS 1.1 off between 1.0 and 1.2), as -no_tls1_1 and gnutls -VERS- make.
func auVersionsDrawn(r *mrand.Rand) []uint16 {
	all := []uint16{VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13}
	lo := r.IntN(4)
	hi := lo + r.IntN(4-lo)
	vs := slices.Clone(all[lo : hi+1])
	if len(vs) >= 3 && r.IntN(3) == 0 && vs[0] == VersionTLS10 {
		vs = slices.Delete(vs, 1, 2)
	}
	return vs
}

func auGenCase(p *auPKI, seed int64) *auCase {
	r := mrand.New(mrand.NewPCG(uint64(seed), 0xa0))
	c := &auCase{seed: seed}
	switch k := r.IntN(10); {
	case k < 6:
		c.kind = auOpenSSL
	case k < 9:
		c.kind = auGnuTLS
	default:
		c.kind = auSignet
	}
	switch c.kind {
	case auOpenSSL:
		auGenOpenSSL(r, p, c)
	case auGnuTLS:
		auGenGnuTLS(r, p, c)
	case auSignet:
		c.signetMax = []uint16{VersionTLS12, VersionTLS13}[r.IntN(2)]
		c.certRequest = true // tls serve always asks
		c.certRequired = r.IntN(2) == 0
		c.args = []string{"max", VersionName(c.signetMax), "require-client-cert", fmt.Sprint(c.certRequired)}
		c.versions = []uint16{VersionTLS12}
		if c.signetMax == VersionTLS13 {
			c.versions = append(c.versions, VersionTLS13)
		}
		c.chain = "good"
	}
	return c
}

func auGenOpenSSL(r *mrand.Rand, p *auPKI, c *auCase) {
	c.versions = auVersionsDrawn(r)
	c.rsa = r.IntN(3) > 0
	cipher := auPick(r, auOpenSSLCiphers, 1, 5)
	// At security level 1, OpenSSL 3 signs with SHA-1 nowhere, and TLS 1.0 and 1.1 cannot
	// sign at all: their draws need level 0, as do the NULL and anonymous suites.
	c.cipherList = strings.Join(cipher, ":")
	if c.versions[0] < VersionTLS12 || r.IntN(2) == 0 {
		c.cipherList += ":@SECLEVEL=0"
	}
	c.chain = []string{"good", "good", "swapped", "missing", "withroot"}[r.IntN(5)]
	leaf, key := p.leafEC, p.leafECKey
	if c.rsa && r.IntN(2) == 0 {
		leaf, key = p.leafRSA, p.leafRSAKey // the RSA leaf first, the EC one as -dcert
	}
	args := []string{"-cert", leaf, "-key", key, "-cipher", c.cipherList}
	if c.rsa {
		other, okey := p.leafRSA, p.leafRSAKey
		if leaf == p.leafRSA {
			other, okey = p.leafEC, p.leafECKey
		}
		args = append(args, "-dcert", other, "-dkey", okey)
		// -cert_chain is the first leaf's alone: the other gets the same one.
		if ch := map[string]string{"good": p.chainGood, "swapped": p.chainSwapped, "withroot": p.chainWithRoot}[c.chain]; ch != "" {
			args = append(args, "-dcert_chain", ch)
		}
	}
	c.suites13 = auPick(r, auTLS13Suites, 1, 3)
	args = append(args, "-ciphersuites", strings.Join(c.suites13, ":"))
	// Versions: a range by -min/-max_protocol, or the -no_ flags for the ones left out.
	name := map[uint16]string{VersionTLS10: "TLSv1", VersionTLS11: "TLSv1.1", VersionTLS12: "TLSv1.2", VersionTLS13: "TLSv1.3"}
	flag := map[uint16]string{VersionTLS10: "-no_tls1", VersionTLS11: "-no_tls1_1", VersionTLS12: "-no_tls1_2", VersionTLS13: "-no_tls1_3"}
	contiguous := true
	for i := 1; i < len(c.versions); i++ {
		contiguous = contiguous && c.versions[i] == c.versions[i-1]+1
	}
	if contiguous && r.IntN(2) == 0 {
		args = append(args, "-min_protocol", name[c.versions[0]], "-max_protocol", name[c.versions[len(c.versions)-1]])
	} else {
		// The -no_ flags, over a floor of TLS 1.0 (this openssl has no SSL 3.0).
		args = append(args, "-min_protocol", "TLSv1")
		for _, v := range []uint16{VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13} {
			if !slices.Contains(c.versions, v) {
				args = append(args, flag[v])
			}
		}
	}
	gs := auPick(r, auGroupNames, 1, 4)
	var gnames []string
	for _, g := range gs {
		c.groups = append(c.groups, g.id)
		gnames = append(gnames, g.openssl)
	}
	args = append(args, "-groups", strings.Join(gnames, ":"))
	if c.serverPref = r.IntN(2) == 0; c.serverPref {
		args = append(args, "-serverpref")
	}
	if c.noTicket = r.IntN(3) == 0; c.noTicket {
		args = append(args, "-no_ticket")
	}
	if c.numTickets0 = r.IntN(4) == 0; c.numTickets0 {
		args = append(args, "-num_tickets", "0")
	}
	switch r.IntN(4) {
	case 0:
		c.clientReneg = true
		args = append(args, "-client_renegotiation")
	case 1:
		c.noReneg = true
		args = append(args, "-no_renegotiation")
	case 2:
		args = append(args, "-legacy_renegotiation")
	}
	switch r.IntN(4) {
	case 0:
		c.certRequest = true
		args = append(args, "-verify", "1", "-CAfile", p.root)
	case 1:
		c.certRequest, c.certRequired = true, true
		args = append(args, "-Verify", "1", "-CAfile", p.root)
	}
	switch c.chain {
	case "good":
		args = append(args, "-cert_chain", p.chainGood)
	case "swapped":
		args = append(args, "-cert_chain", p.chainSwapped)
	case "withroot":
		args = append(args, "-cert_chain", p.chainWithRoot)
	}
	if c.ocsp = []string{"", "", "good", "revoked", "stale"}[r.IntN(5)]; c.ocsp != "" {
		// The staple is for the leaf served first: with two, openssl staples the same
		// response for both, so the EC leaf's staple is drawn only when it is served first.
		resp := map[string]string{"good": p.ocspGood, "revoked": p.ocspRevoked, "stale": p.ocspStale}[c.ocsp]
		if leaf == p.leafRSA {
			resp = map[string]string{"good": p.ocspGoodRSA, "revoked": p.ocspRevRSA, "stale": p.ocspStaleRSA}[c.ocsp]
		}
		args = append(args, "-status_file", resp)
	}
	c.args = args
}

func auGenGnuTLS(r *mrand.Rand, p *auPKI, c *auCase) {
	c.versions = auVersionsDrawn(r)
	prio := []string{"NORMAL", "-VERS-ALL"}
	for _, v := range c.versions {
		prio = append(prio, map[uint16]string{VersionTLS10: "+VERS-TLS1.0", VersionTLS11: "+VERS-TLS1.1", VersionTLS12: "+VERS-TLS1.2", VersionTLS13: "+VERS-TLS1.3"}[v])
	}
	prio = append(prio, auPick(r, []string{"+3DES-CBC", "+RSA", "+DHE-RSA", "-CHACHA20-POLY1305", "+CAMELLIA-128-GCM", "-AES-128-CBC", "+AES-128-CCM-8", "+ARCFOUR-128", "-ECDHE-ECDSA"}, 0, 4)...)
	c.noECDSAKx = slices.Contains(prio, "-ECDHE-ECDSA")
	gs := auPick(r, auGroupNames, 1, 4)
	prio = append(prio, "-GROUP-ALL")
	for _, g := range gs {
		c.groups = append(c.groups, g.id)
		prio = append(prio, "+"+g.gnutl)
	}
	if c.serverPref = r.IntN(2) == 0; c.serverPref {
		prio = append(prio, "%SERVER_PRECEDENCE")
	}
	c.rsa = r.IntN(2) == 0
	chain, key := p.gnutlsChainEC, p.leafECKey
	if c.rsa {
		chain, key = p.gnutlsRSA, p.leafRSAKey
	}
	args := []string{"--x509certfile", chain, "--x509keyfile", key, "--priority", strings.Join(prio, ":"), "--echo", "--quiet"}
	if c.noTicket = r.IntN(3) == 0; c.noTicket {
		args = append(args, "--noticket")
		c.numTickets0 = true
	}
	switch r.IntN(3) {
	case 0:
		args = append(args, "--disable-client-cert")
	case 1:
		c.certRequest = true
	case 2:
		c.certRequest, c.certRequired = true, true
		args = append(args, "--require-client-cert", "--x509cafile", p.root)
	}
	c.chain = "good"
	if r.IntN(3) == 0 {
		c.ocsp = "good"
		resp := p.ocspGood
		if c.rsa {
			resp = p.ocspGoodRSA
		}
		args = append(args, "--ocsp-response", resp, "--ignore-ocsp-response-errors")
	}
	c.args = args
}
