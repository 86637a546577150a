package x509util

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// What the PKCS#12 campaigns (pk_diff_test.go) draw from and how they ask openssl.

// pkOpenSSL is openssl 3, or skips the test: the explanations are written for OpenSSL 3.0.
func pkOpenSSL(t *testing.T) string {
	t.Helper()
	openssl := testutil.RequireTool(t, "openssl")
	out, _ := exec.Command(openssl, "version").Output()
	if !strings.HasPrefix(string(out), "OpenSSL 3.") {
		t.Skipf("openssl is %s; the explanations are written for OpenSSL 3", strings.TrimSpace(string(out)))
	}
	return openssl
}

// pkPKI is what the campaigns bundle: a root, an intermediate, and a leaf of each key type.
type pkPKI struct {
	root, inter *x509.Certificate
	leaves      map[string]*x509.Certificate
	keys        map[string]crypto.Signer
	dir         string // PEM files of all of them: root.pem, inter.pem, <type>.key, <type>.pem
}

var pkKeyTypes = []string{"rsa", "p256", "p384", "ed25519"}

func newPKPKI(t *testing.T) *pkPKI {
	t.Helper()
	root, inter, interKey := testCA(t)
	p := &pkPKI{root: root, inter: inter, leaves: map[string]*x509.Certificate{}, keys: map[string]crypto.Signer{}, dir: t.TempDir()}
	writePEM(t, filepath.Join(p.dir, "root.pem"), "CERTIFICATE", root.Raw)
	writePEM(t, filepath.Join(p.dir, "inter.pem"), "CERTIFICATE", inter.Raw)
	writePEM(t, filepath.Join(p.dir, "chain.pem"), "CERTIFICATE", inter.Raw, root.Raw)
	for _, kt := range pkKeyTypes {
		// testCA's root has the "p256" key and its intermediate the "rsa" one.
		kind := map[string]string{"rsa": "rsa2", "p256": "p256b"}[kt]
		if kind == "" {
			kind = kt
		}
		key := issueTestKey(t, kind)
		leaf := mustIssue(t, IssueRequest{Profile: ProfileClient, Subject: pkix.Name{CommonName: "pk " + kt},
			PublicKey: key.Public(), Issuer: inter, IssuerKey: interKey})
		p.keys[kt], p.leaves[kt] = key, leaf
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		writePEM(t, filepath.Join(p.dir, kt+".key"), "PRIVATE KEY", der)
		writePEM(t, filepath.Join(p.dir, kt+".pem"), "CERTIFICATE", leaf.Raw)
	}
	return p
}

// pkPasswords are the kinds of password drawn: RFC 7292 B.1 takes a password as a BMPString
// (UTF-16 big-endian, with a terminator) for its KDF and the MAC, while PBES2 (RFC 8018) takes
// octets: openssl gives it the UTF-8 bytes. The last is beyond the BMP (a surrogate pair).
var pkPasswords = []struct{ kind, pw string }{
	{"empty", ""},
	{"ascii", "correct horse"},
	{"latin1", "pässwörd"},
	{"bmp", "пароль密码"},
	{"non-bmp", "p😀ss"},
}

// pkEncryptions are the -keypbe/-certpbe values drawn; "" leaves openssl's default.
var pkEncryptions = []string{"", "AES-256-CBC", "AES-128-CBC", "PBE-SHA1-3DES", "PBE-SHA1-RC2-40", "NONE"}

// pkUnimplemented are -keypbe/-certpbe values signet refuses as unsupported.
var pkUnimplemented = []string{"DES-EDE3-CBC", "CAMELLIA-256-CBC", "PBE-SHA1-2DES", "PBE-SHA1-RC4-128"}

// pkExport is one `openssl pkcs12 -export`, drawn from a seed.
type pkExport struct {
	keyType         string
	chain           int // 0, 1 (the intermediate) or 2 (and the root)
	name            string
	keyPBE, certPBE string
	macAlg          string
	iter            int // 0: openssl's default
	noMac, noMacIt  bool
	legacy          bool
	pwKind, pw      string
	shape           string // "", "nocerts" (the key alone) or "nokeys" (the certificates alone)
}

func drawPKExport(r *rand.Rand) pkExport {
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	e := pkExport{keyType: pick(pkKeyTypes), chain: r.IntN(3)}
	e.name = pick([]string{"", "", "signet key", "ключ 鍵"})
	e.keyPBE, e.certPBE = pick(pkEncryptions), pick(pkEncryptions)
	e.macAlg = pick([]string{"", "sha1", "sha256", "sha512"})
	// Now and then an algorithm openssl writes and go-pkcs12 does not implement.
	switch r.IntN(16) {
	case 0:
		e.keyPBE = pick(pkUnimplemented)
	case 1:
		e.certPBE = pick(pkUnimplemented)
	case 2:
		e.macAlg = pick([]string{"sha384", "md5"})
	}
	e.iter = []int{0, 0, 1, 1000, 2048, 10000}[r.IntN(6)]
	switch r.IntN(8) {
	case 0:
		e.noMac = true
	case 1:
		e.noMacIt = true
	}
	pw := pkPasswords[r.IntN(len(pkPasswords))]
	e.pwKind, e.pw = pw.kind, pw.pw
	e.legacy = slices.ContainsFunc([]string{e.keyPBE, e.certPBE}, func(s string) bool { return strings.Contains(s, "RC") }) || r.IntN(10) == 0
	switch r.IntN(12) {
	case 0:
		e.shape = "nocerts"
	case 1:
		e.shape = "nokeys"
	}
	return e
}

func (e pkExport) String() string {
	return fmt.Sprintf("%s chain=%d name=%q keypbe=%q certpbe=%q macalg=%q iter=%d nomac=%v nomaciter=%v legacy=%v pw=%s shape=%q",
		e.keyType, e.chain, e.name, e.keyPBE, e.certPBE, e.macAlg, e.iter, e.noMac, e.noMacIt, e.legacy, e.pwKind, e.shape)
}

// pkPassArgs is how openssl is given pw: a file's first line, or pass: for the empty one
// (openssl refuses an empty password file).
func pkPassArgs(t *testing.T, dir, flag, pw string) []string {
	t.Helper()
	if pw == "" {
		return []string{flag, "pass:"}
	}
	f := filepath.Join(dir, "pw-"+flag)
	if err := os.WriteFile(f, []byte(pw), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{flag, "file:" + f}
}

// run writes the file with openssl; ok is false when openssl refuses to.
func (e pkExport) run(t *testing.T, openssl string, p *pkPKI, dir string) (der []byte, ok bool) {
	t.Helper()
	out := filepath.Join(dir, "o.p12")
	args := []string{"pkcs12", "-export", "-out", out}
	switch e.shape {
	case "nocerts":
		args = append(args, "-nocerts", "-inkey", filepath.Join(p.dir, e.keyType+".key"))
	case "nokeys":
		args = append(args, "-nokeys", "-in", filepath.Join(p.dir, e.keyType+".pem"))
	default:
		args = append(args, "-inkey", filepath.Join(p.dir, e.keyType+".key"), "-in", filepath.Join(p.dir, e.keyType+".pem"))
	}
	if e.chain > 0 && e.shape != "nocerts" {
		args = append(args, "-certfile", filepath.Join(p.dir, map[int]string{1: "inter.pem", 2: "chain.pem"}[e.chain]))
	}
	if e.name != "" {
		args = append(args, "-name", e.name)
	}
	if e.keyPBE != "" {
		args = append(args, "-keypbe", e.keyPBE)
	}
	if e.certPBE != "" {
		args = append(args, "-certpbe", e.certPBE)
	}
	if e.macAlg != "" {
		args = append(args, "-macalg", e.macAlg)
	}
	if e.iter > 0 {
		args = append(args, "-iter", strconv.Itoa(e.iter))
	}
	if e.noMac {
		args = append(args, "-nomac")
	}
	if e.noMacIt {
		args = append(args, "-nomaciter")
	}
	if e.legacy {
		args = append(args, "-legacy")
	}
	args = append(args, pkPassArgs(t, dir, "-passout", e.pw)...)
	if _, _, err := testutil.RunErr(openssl, args...); err != nil {
		return nil, false
	}
	der, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return der, true
}

// pkRead is what `openssl pkcs12 -nodes` printed: the certificates in the order of the file,
// the private keys (PKCS#8 DER) and the bag attributes printed before each.
type pkRead struct {
	certs     []*x509.Certificate
	certAttrs []string
	keys      [][]byte
	keyAttrs  []string
}

// pkOpenSSLRead has openssl read der with pw; ok is false when it refuses.
func pkOpenSSLRead(t *testing.T, openssl, dir string, der []byte, pw string, legacy bool) (r pkRead, ok bool) {
	t.Helper()
	in := filepath.Join(dir, "r.p12")
	if err := os.WriteFile(in, der, 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"pkcs12", "-in", in, "-nodes"}, pkPassArgs(t, dir, "-passin", pw)...)
	if legacy {
		args = append(args, "-legacy")
	}
	stdout, _, err := testutil.RunErr(openssl, args...)
	if err != nil {
		return r, false
	}
	rest := stdout
	for {
		i := bytes.Index(rest, []byte("-----BEGIN "))
		if i < 0 {
			break
		}
		attrs := string(rest[:i])
		var b *pem.Block
		b, rest = pem.Decode(rest[i:])
		if b == nil {
			t.Fatalf("openssl pkcs12 -nodes printed a PEM block it cannot end:\n%s", stdout)
		}
		switch b.Type {
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				t.Fatalf("openssl printed a certificate Go cannot parse: %v", err)
			}
			r.certs, r.certAttrs = append(r.certs, c), append(r.certAttrs, attrs)
		case "PRIVATE KEY":
			r.keys, r.keyAttrs = append(r.keys, b.Bytes), append(r.keyAttrs, attrs)
		default:
			t.Fatalf("openssl printed a %s block", b.Type)
		}
	}
	return r, true
}
