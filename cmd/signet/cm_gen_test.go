package main

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	mrand "math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/internal/testutil"
)

// The generator of the CMS campaign (cm_diff_test.go): from one seed, a signer's certificate
// under one root and intermediate (kept for the whole run), its key type, validity, key usage
// and extended key usage drawn; the options of `openssl cms -sign` that signs a random file
// with it (hash, PSS salt length, -noattr, -nosmimecap, -nocerts, -certfile, -binary,
// -stream, -outform PEM, -keyid, a second -signer); and a tampering on top of the signature
// (content, signature value, signed attributes, eContentType, digest and signature algorithms,
// the signer's certificate). Each draw notes the faults it puts in (cmFault), which say which
// exit codes signet may give and whether openssl must refuse.

// cmFault is one reason the case's signature must be refused, with the exit codes of
// cmd/signet/exit.go that say it.
type cmFault string

const (
	cmMalformed   cmFault = "malformed"    // exit 3: signet reads the signature as malformed
	cmMismatch    cmFault = "mismatch"     // exit 10: content, signature or signed attributes changed
	cmSignerUnkn  cmFault = "signer-unkn"  // exit 11: the signer identifier names no certificate given
	cmUntrusted   cmFault = "untrusted"    // exit 11: no chain (the intermediate is missing)
	cmValidity    cmFault = "validity"     // exit 12: the signer's certificate expired or is not yet valid
	cmPolicy      cmFault = "policy"       // exit 14: key usage or extended key usage (signet's rule)
	cmWeak        cmFault = "weak"         // exit 14: SHA-1 (signet's rule)
	cmTwoSigners  cmFault = "two-signers"  // exit 3: signet reads one signer (README), openssl all
	cmSigAlgHash  cmFault = "sigalg-hash"  // exit 3: signatureAlgorithm names another hash (README)
	cmContentType cmFault = "content-type" // exit 3: eContentType not id-data, or the attribute differs
	cmCASigner    cmFault = "ca-signer"    // exit 11: a CA certificate signed (README: never accepted as a signer)
	cmCritExt     cmFault = "crit-ext"     // exit 11: the signer's certificate has an unknown critical extension
	cmTrailing    cmFault = "trailing"     // exit 3: bytes after the ContentInfo
	cmAttached    cmFault = "attached"     // exit 3: the content is in the signature (openssl -stream): signet reads detached ones
	cmDigestAlgs  cmFault = "digest-algs"  // exit 3: SignedData.digestAlgorithms lacks the SignerInfo's digestAlgorithm
)

func cmFaultCodes() map[cmFault]int {
	return map[cmFault]int{
		cmMalformed: exitBadInput, cmMismatch: exitSigMismatch, cmSignerUnkn: exitUntrusted,
		cmUntrusted: exitUntrusted, cmValidity: exitValidity, cmPolicy: exitPolicy, cmWeak: exitPolicy,
		cmTwoSigners: exitBadInput, cmSigAlgHash: exitBadInput, cmContentType: exitBadInput,
		cmAttached: exitBadInput, cmDigestAlgs: exitBadInput, cmCASigner: exitUntrusted, cmCritExt: exitUntrusted,
		cmTrailing: exitBadInput,
	}
}

// cmKeyTypes are the signer key types openssl 3.0 signs CMS with (it cannot sign Ed25519 CMS:
// "no default digest"; signet's Ed25519 CMS is checked with GnuTLS in the other direction).
var cmKeyTypes = []string{"rsa2048", "rsa3072", "rsa2048-pss", "rsa3072-pss", "p256", "p384", "p521"}

// cmKey returns the test binary's key of type name ("rsa2048-pss" is the rsa2048 key);
// "other-..." is a second key of the type, for a twin certificate; "root", "int" and "second"
// are the PKI's.
func cmKey(t testing.TB, name string) crypto.Signer {
	name = strings.TrimSuffix(name, "-pss")
	switch name {
	case "root", "second":
		return testutil.Key(t, "p256/cm-"+name)
	case "int":
		return testutil.Key(t, "p384/cm-int")
	}
	if base, ok := strings.CutPrefix(name, "other-"); ok {
		return testutil.Key(t, base+"/cm-other")
	}
	return testutil.Key(t, name)
}

// cmPKI is the run's root and intermediate, valid from a year ago for ten years.
type cmPKI struct {
	root, int         *x509.Certificate
	rootKey, intKey   crypto.Signer
	second            *x509.Certificate // a second signer's certificate (P-256, codeSigning)
	unrelated         *x509.Certificate // a certificate of another root, carried as an extra
	dir               string
	rootPEM, intPEM   string
	rootAndInt        string // root.pem and int.pem in one file
	secondPEM, secKey string
}

func cmSKI(pub crypto.PublicKey) []byte {
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic(err)
	}
	var info struct {
		Alg asn1.RawValue
		Key asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &info); err != nil {
		panic(err)
	}
	s := sha1.Sum(info.Key.Bytes)
	return s[:]
}

func cmIssue(tmpl *x509.Certificate, key crypto.Signer, parent *x509.Certificate, parentKey crypto.Signer) (*x509.Certificate, error) {
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	return cmIssuePub(tmpl, key.Public(), parent, parentKey)
}

// cmIssuePub issues tmpl for the public key pub, signed by parentKey.
func cmIssuePub(tmpl *x509.Certificate, pub crypto.PublicKey, parent *x509.Certificate, parentKey crypto.Signer) (*x509.Certificate, error) {
	tmpl.SubjectKeyId = cmSKI(pub)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

func writeCertsPEM(path string, certs ...*x509.Certificate) error {
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return os.WriteFile(path, b, 0o644)
}

func writeKeyPEM(path string, k crypto.Signer) error {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}

// cmGetPKI makes the PKI of a test (or of one case), in a directory of the test's.
func cmGetPKI(t testing.TB) *cmPKI {
	p, err := cmMakePKI(t, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func cmMakePKI(t testing.TB, dir string) (*cmPKI, error) {
	var err error
	now := time.Now().Truncate(time.Second)
	p := &cmPKI{dir: dir, rootKey: cmKey(t, "root"), intKey: cmKey(t, "int")}
	ca := func(cn string, serial int64) *x509.Certificate {
		return &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn, Organization: []string{"Signet CM"}},
			NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(10, 0, 0),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		}
	}
	if p.root, err = cmIssue(ca("CM Root", 1), p.rootKey, nil, nil); err != nil {
		return nil, err
	}
	if p.int, err = cmIssue(ca("CM Intermediate", 2), p.intKey, p.root, p.rootKey); err != nil {
		return nil, err
	}
	second := cmLeafTemplate(now, "CM Second Signer", 3)
	if p.second, err = cmIssue(second, cmKey(t, "second"), p.int, p.intKey); err != nil {
		return nil, err
	}
	other := ca("CM Unrelated", 4)
	if p.unrelated, err = cmIssue(other, cmKey(t, "other-p256"), nil, nil); err != nil {
		return nil, err
	}
	p.rootPEM, p.intPEM = filepath.Join(dir, "root.pem"), filepath.Join(dir, "int.pem")
	p.secondPEM, p.secKey = filepath.Join(dir, "second.pem"), filepath.Join(dir, "second.key")
	p.rootAndInt = filepath.Join(dir, "root-int.pem")
	for _, w := range []error{
		writeCertsPEM(p.rootPEM, p.root), writeCertsPEM(p.intPEM, p.int),
		writeCertsPEM(p.secondPEM, p.second), writeKeyPEM(p.secKey, cmKey(t, "second")),
		writeCertsPEM(p.rootAndInt, p.root, p.int),
	} {
		if w != nil {
			return nil, w
		}
	}
	for _, n := range []string{"rsa2048", "rsa3072", "p256", "p384", "p521"} {
		if err := writeKeyPEM(filepath.Join(dir, n+".key"), cmKey(t, n)); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func cmLeafTemplate(now time.Time, cn string, serial int64) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn, Organization: []string{"Signet CM"}},
		NotBefore: now.AddDate(0, -1, 0), NotAfter: now.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		BasicConstraintsValid: true,
	}
}

// cmCase is one seed's draw.
type cmCase struct {
	seed    int64
	key     string // of cmKeyTypes
	salt    string // rsa_pss_saltlen, "" for openssl's default
	md      string
	leaf    string // "ok", "expired", "notyet", "no-ds" (keyEncipherment only), "server-eku", "no-eku"
	content []byte

	noattr, nosmimecap, nocerts, certfile, binary, stream, pemOut, keyid, twoSigners, extraCert bool

	ber     bool // the signature re-encoded with indefinite lengths, as streaming writers make it
	giveInt bool // the intermediate is given at verification (--intermediates, -certfile)
	noLeaf  bool // with -nocerts, the signer's certificate is not given at verification either
	bareKey bool // verified with the signer's certificate as --key (openssl: -noverify): the signature alone

	tamper string
	faults []cmFault
}

func (c *cmCase) String() string {
	var opts []string
	for _, o := range []struct {
		on   bool
		name string
	}{{c.noattr, "noattr"}, {c.nosmimecap, "nosmimecap"}, {c.nocerts, "nocerts"}, {c.certfile, "certfile"},
		{c.binary, "binary"}, {c.stream, "stream"}, {c.pemOut, "pem"}, {c.keyid, "keyid"}, {c.twoSigners, "two-signers"},
		{c.extraCert, "extra-cert"}, {c.giveInt, "give-int"}, {c.ber, "ber"}, {c.noLeaf, "no-leaf"}, {c.bareKey, "bare-key"}} {
		if o.on {
			opts = append(opts, o.name)
		}
	}
	return fmt.Sprintf("seed %d: %s salt=%q %s leaf=%s [%s] tamper=%s faults=%v", c.seed, c.key, c.salt, c.md, c.leaf,
		strings.Join(opts, " "), c.tamper, c.faults)
}

func (c *cmCase) has(f cmFault) bool {
	for _, g := range c.faults {
		if g == f {
			return true
		}
	}
	return false
}

func (c *cmCase) add(f cmFault) {
	if !c.has(f) {
		c.faults = append(c.faults, f)
	}
}

// cmTampers are the changes drawn on top of a signature. All but "content" rewrite the DER
// signature; those of cmAttrTampers change the signed attributes, and those of cmResigned
// sign them again with the signer's key (not for RSA-PSS, whose salt openssl drew), so that
// the change itself is what is judged, not a broken signature.
var cmTampers = []string{"content", "signature", "md-value", "signing-time", "ct-attr", "md-remove",
	"econtent-type", "digest-algs", "sigalg-hash", "twin-cert", "sid", "backdate", "md-two-values",
	"extra-attr", "attrs-unsorted", "unsigned-attr", "ct-remove", "trailing"}

func cmAttrTampers() map[string]bool {
	return map[string]bool{"ct-remove": true, "md-value": true, "signing-time": true, "ct-attr": true, "md-remove": true,
		"backdate": true, "md-two-values": true, "extra-attr": true, "attrs-unsorted": true}
}

func cmResigned() map[string]bool {
	return map[string]bool{"ct-remove": true, "ct-attr": true, "md-remove": true, "backdate": true, "md-two-values": true,
		"extra-attr": true, "attrs-unsorted": true}
}

func pick[T any](r *mrand.Rand, xs ...T) T { return xs[r.Intn(len(xs))] }

func cmDraw(seed int64) *cmCase {
	r := mrand.New(mrand.NewSource(seed))
	c := &cmCase{seed: seed}
	c.key = pick(r, cmKeyTypes...)
	if strings.HasSuffix(c.key, "-pss") {
		c.salt = pick(r, "", "digest", "max", "auto", "0", "20", "-1", "-2")
	}
	c.md = pick(r, "sha256", "sha256", "sha256", "sha384", "sha384", "sha512", "sha512", "sha1", "sha3-256", "sha3-512")

	c.leaf = "ok"
	if r.Intn(3) == 0 {
		c.leaf = pick(r, "expired", "notyet", "no-ds", "server-eku", "no-eku", "nr-only", "any-eku", "multi-eku", "ca", "crit-ext")
	}
	c.content = make([]byte, 1+r.Intn(300)) // openssl 3.0 cannot sign an empty file: "illegal zero content"
	r.Read(c.content)
	if r.Intn(3) == 0 { // text, with or without a line end
		c.content = []byte(pick(r, "release notes\n", "one line, no end", "a\nb\r\nc\n"))
	}
	c.noattr = r.Intn(5) == 0
	c.nosmimecap = r.Intn(2) == 0
	c.nocerts = r.Intn(6) == 0
	c.certfile = r.Intn(4) != 0
	c.binary = r.Intn(5) != 0
	// openssl 3.0 cannot stream an RSA-PSS signature ("illegal zero content").
	c.stream = r.Intn(10) == 0 && !strings.HasSuffix(c.key, "-pss")
	c.pemOut = r.Intn(6) == 0
	c.keyid = r.Intn(5) == 0
	c.twoSigners = r.Intn(15) == 0
	if strings.HasPrefix(c.md, "sha3") && (c.key != "rsa2048" && c.key != "rsa3072" || c.twoSigners) {
		c.md = "sha256" // openssl 3.0 signs CMS with SHA-3 only with RSA PKCS#1 v1.5 (the second signer is P-256)
	}
	c.extraCert = r.Intn(6) == 0
	c.giveInt = !c.certfile && r.Intn(3) != 0
	c.ber = !c.stream && !c.pemOut && r.Intn(5) == 0
	c.noLeaf = c.nocerts && r.Intn(4) == 0
	c.bareKey = r.Intn(8) == 0
	if r.Intn(5) < 2 {
		c.tamper = pick(r, cmTampers...)
	}
	structural := c.tamper != "" && c.tamper != "content"
	if structural && (c.stream || c.pemOut || c.twoSigners) {
		c.tamper = "content"
	}
	if cmAttrTampers()[c.tamper] && c.noattr {
		c.tamper = "signature"
	}
	if cmResigned()[c.tamper] && strings.HasSuffix(c.key, "-pss") || c.tamper == "backdate" && c.leaf != "expired" {
		c.tamper = "signing-time"
	}
	if (c.tamper == "twin-cert") && c.nocerts {
		c.tamper = "signature"
	}

	// The faults the draw puts in.
	if c.md == "sha1" {
		c.add(cmWeak)
	}
	switch c.leaf {
	case "expired", "notyet":
		c.add(cmValidity)
	case "no-ds", "server-eku", "no-eku", "nr-only", "any-eku":
		c.add(cmPolicy)
	case "ca":
		c.add(cmCASigner)
	case "crit-ext":
		c.add(cmCritExt)
	}
	if !c.certfile && !c.giveInt {
		c.add(cmUntrusted)
	}
	if !c.binary && cmTextChanged(c.content) {
		c.add(cmMismatch) // openssl signed another content (cmTextChanged)
	}
	if c.twoSigners {
		c.add(cmTwoSigners)
	}
	if c.noLeaf {
		c.add(cmSignerUnkn)
	}
	if c.stream {
		c.add(cmAttached)
	}
	switch c.tamper {
	case "digest-algs":
		c.add(cmDigestAlgs)
	case "content", "signature", "md-value", "signing-time":
		c.add(cmMismatch)
	case "twin-cert":
		if c.keyid {
			c.add(cmSignerUnkn) // the twin has another key, so another subject key identifier
		} else {
			c.add(cmMismatch)
		}
	case "sid":
		c.add(cmSignerUnkn)
	case "ct-attr", "econtent-type":
		c.add(cmContentType)
	case "md-remove", "md-two-values", "ct-remove":
		c.add(cmMalformed)
	case "trailing":
		c.add(cmTrailing)
	case "sigalg-hash":
		c.add(cmSigAlgHash)
	}
	if c.bareKey {
		// With --key, signet checks the signature alone, with that key (README: '--key CERT
		// checks the signature alone'): no chain, no policy, and neither the certificates
		// carried nor the signer identifier choose the key.
		c.faults = slices.DeleteFunc(c.faults, func(f cmFault) bool {
			switch f {
			case cmUntrusted, cmValidity, cmPolicy, cmCASigner, cmCritExt, cmSignerUnkn:
				return true
			}
			return f == cmMismatch && c.tamper == "twin-cert" && !(!c.binary && cmTextChanged(c.content))
		})
	}
	return c
}

// cmTextChanged reports whether openssl's S/MIME canonical text form of content (without
// -binary) differs from it: each line's end (CR and LF at the end of a line read up to LF)
// becomes CRLF, and a NUL ends a line early (SMIME_crlf_copy reads C strings with BIO_gets).
func cmTextChanged(content []byte) bool {
	return strings.ContainsAny(string(content), "\n\x00") || strings.HasSuffix(string(content), "\r")
}

// cmAbort is a case the campaign could not judge (a generator's or a tool's failure): a
// worker goroutine must not call t.Fatal, so cmFatalf panics with it and the worker records it.
type cmAbort struct{ msg string }

func cmFatalf(format string, args ...any) { panic(cmAbort{fmt.Sprintf(format, args...)}) }

// cmFiles are the paths of one case.
type cmFiles struct {
	dir, content, sig, leaf, key, certfile, verifyCerts string
}

// build writes the signer's certificate, the content, and signs it with openssl; ok is false
// when openssl refused to sign (its message in why).
func (c *cmCase) build(t testing.TB, openssl string, p *cmPKI, dir string) (f cmFiles, ok bool, why string) {
	f.dir = dir
	now := time.Now().Truncate(time.Second)
	tmpl := cmLeafTemplate(now, fmt.Sprintf("CM Signer %d", c.seed), 1000+c.seed)
	switch c.leaf {
	case "expired":
		tmpl.NotBefore, tmpl.NotAfter = now.AddDate(0, -2, 0), now.AddDate(0, 0, -1)
	case "notyet":
		tmpl.NotBefore, tmpl.NotAfter = now.AddDate(0, 0, 1), now.AddDate(1, 0, 0)
	case "no-ds":
		tmpl.KeyUsage = x509.KeyUsageKeyEncipherment
	case "server-eku":
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	case "no-eku":
		tmpl.ExtKeyUsage = nil
	case "nr-only": // nonRepudiation (contentCommitment) alone, which S/MIME accepts
		tmpl.KeyUsage = x509.KeyUsageContentCommitment
	case "any-eku":
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageAny}
	case "multi-eku":
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageCodeSigning, x509.ExtKeyUsageEmailProtection}
	case "ca":
		tmpl.IsCA, tmpl.KeyUsage = true, x509.KeyUsageDigitalSignature|x509.KeyUsageCertSign
	case "crit-ext":
		tmpl.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 9}, Critical: true, Value: []byte{5, 0}}}
	}
	key := cmKey(t, c.key)
	leaf, err := cmIssue(tmpl, key, p.int, p.intKey)
	if err != nil {
		cmFatalf("%v: %v", c, err)
	}
	f.leaf, f.key = filepath.Join(dir, "leaf.pem"), filepath.Join(p.dir, strings.TrimSuffix(c.key, "-pss")+".key")
	f.content, f.sig = filepath.Join(dir, "content.bin"), filepath.Join(dir, "content.bin.p7s")
	f.certfile = filepath.Join(dir, "certfile.pem")
	must := func(err error) {
		if err != nil {
			cmFatalf("%v", err)
		}
	}
	must(writeCertsPEM(f.leaf, leaf))
	must(os.WriteFile(f.content, c.content, 0o644))
	var carried []*x509.Certificate
	if c.certfile {
		carried = append(carried, p.int)
	}
	if c.extraCert {
		carried = append(carried, p.unrelated)
	}
	args := []string{"cms", "-sign", "-in", f.content, "-out", f.sig, "-md", c.md,
		"-signer", f.leaf, "-inkey", f.key}
	if strings.HasSuffix(c.key, "-pss") {
		args = append(args, "-keyopt", "rsa_padding_mode:pss")
		if c.salt != "" {
			args = append(args, "-keyopt", "rsa_pss_saltlen:"+c.salt)
		}
	}
	if c.twoSigners {
		args = append(args, "-signer", p.secondPEM, "-inkey", p.secKey)
	}
	if len(carried) > 0 {
		must(writeCertsPEM(f.certfile, carried...))
		args = append(args, "-certfile", f.certfile)
	}
	for _, o := range []struct {
		on   bool
		flag string
	}{{c.noattr, "-noattr"}, {c.nosmimecap, "-nosmimecap"}, {c.nocerts, "-nocerts"}, {c.binary, "-binary"},
		{c.stream, "-stream"}, {c.keyid, "-keyid"}} {
		if o.on {
			args = append(args, o.flag)
		}
	}
	if c.pemOut {
		args = append(args, "-outform", "PEM")
	} else {
		args = append(args, "-outform", "DER")
	}
	out, err := cmRun(openssl, args...)
	if err != nil {
		return f, false, strings.TrimSpace(out)
	}

	// What the verifiers are given besides the signature: the intermediate when asked (it
	// is carried otherwise, or missing), the signer's certificate when it is not carried.
	var given []*x509.Certificate
	if c.giveInt {
		given = append(given, p.int)
	}
	if c.nocerts && !c.noLeaf {
		given = append(given, leaf)
		if c.twoSigners {
			given = append(given, p.second)
		}
	}
	if len(given) > 0 {
		f.verifyCerts = filepath.Join(dir, "given.pem")
		must(writeCertsPEM(f.verifyCerts, given...))
	}
	if c.tamper != "" {
		c.applyTamper(t, p, f, leaf)
	}
	if c.ber {
		raw, err := os.ReadFile(f.sig)
		must(err)
		top, ok := cmParse(raw)
		if !ok || len(top) != 1 {
			cmFatalf("%v: the signature is not DER", c)
		}
		must(os.WriteFile(f.sig, top[0].indefinite(0), 0o644))
	}
	if c.tamper == "trailing" {
		// Bytes after the ContentInfo: a signature file is one element.
		raw, err := os.ReadFile(f.sig)
		must(err)
		raw = append(raw, pick(mrand.New(mrand.NewSource(c.seed)), []byte{0}, []byte{0, 0}, []byte("\n"), []byte{0x30, 0})...)
		must(os.WriteFile(f.sig, raw, 0o644))
	}
	return f, true, ""
}

func cmRun(name string, args ...string) (string, error) {
	out, stderr, err := testutil.RunErr(name, args...)
	return string(out) + string(stderr), err
}

// cmNode is a DER element as a tree: a constructed element's children, or a primitive's
// content.
type cmNode struct {
	tag     cbasn1.Tag
	content []byte
	kids    []*cmNode
}

func cmParse(der []byte) ([]*cmNode, bool) {
	in := cryptobyte.String(der)
	var out []*cmNode
	for !in.Empty() {
		var body cryptobyte.String
		var tag cbasn1.Tag
		if !in.ReadAnyASN1(&body, &tag) {
			return nil, false
		}
		n := &cmNode{tag: tag}
		if tag&0x20 != 0 {
			kids, ok := cmParse(body)
			if !ok {
				return nil, false
			}
			n.kids = kids
		} else {
			n.content = body
		}
		out = append(out, n)
	}
	return out, true
}

func (n *cmNode) add(b *cryptobyte.Builder) {
	b.AddASN1(n.tag, func(b *cryptobyte.Builder) {
		if n.tag&0x20 == 0 {
			b.AddBytes(n.content)
			return
		}
		for _, k := range n.kids {
			k.add(b)
		}
	})
}

func (n *cmNode) der() []byte {
	var b cryptobyte.Builder
	n.add(&b)
	return b.BytesOrPanic()
}

// indefinite encodes n with indefinite lengths down to depth 3 (ContentInfo, its [0],
// SignedData, and the SignedData's and SignerInfos' fields), as a streaming writer does;
// certificates and attributes stay DER, as their signatures are over their DER.
func (n *cmNode) indefinite(depth int) []byte {
	if n.tag&0x20 == 0 || depth > 3 {
		return n.der()
	}
	out := []byte{byte(n.tag), 0x80}
	for _, k := range n.kids {
		out = append(out, k.indefinite(depth+1)...)
	}
	return append(out, 0, 0)
}

func cmOID(der []byte) *cmNode {
	ns, ok := cmParse(der)
	if !ok {
		panic("bad OID")
	}
	return ns[0]
}

func cmOIDNode(oid asn1.ObjectIdentifier) *cmNode {
	der, err := asn1.Marshal(oid)
	if err != nil {
		panic(err)
	}
	return cmOID(der)
}

var (
	cmOIDContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	cmOIDMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	cmOIDSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	cmOIDSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	cmOIDTSTInfo       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	cmOIDSHA1          = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	cmOIDSHA384        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
)

func (n *cmNode) isOID(oid asn1.ObjectIdentifier) bool {
	var got asn1.ObjectIdentifier
	s := cryptobyte.String(n.der())
	return s.ReadASN1ObjectIdentifier(&got) && got.Equal(oid)
}

// applyTamper rewrites the DER signature at f.sig (or the content) as c.tamper says.
func (c *cmCase) applyTamper(t testing.TB, p *cmPKI, f cmFiles, leaf *x509.Certificate) {
	if c.tamper == "content" {
		b := append([]byte{}, c.content...)
		if len(b) == 0 {
			b = []byte{0}
		} else {
			b[int(c.seed)%len(b)] ^= 0x01
		}
		if err := os.WriteFile(f.content, b, 0o644); err != nil {
			cmFatalf("%v", err)
		}
		return
	}
	raw, err := os.ReadFile(f.sig)
	if err != nil {
		cmFatalf("%v", err)
	}
	top, ok := cmParse(raw)
	if !ok || len(top) != 1 {
		cmFatalf("%v: openssl's signature is not DER", c)
	}
	sd := top[0].kids[1].kids[0]
	si := sd.kids[len(sd.kids)-1].kids[0]
	var attrs *cmNode
	var sigAlg, sigVal *cmNode
	for i, k := range si.kids {
		if k.tag == cbasn1.Tag(0).Constructed().ContextSpecific() && i == 3 {
			attrs = k
		}
	}
	idx := 3
	if attrs != nil {
		idx = 4
	}
	sigAlg, sigVal = si.kids[idx], si.kids[idx+1]
	attr := func(oid asn1.ObjectIdentifier) (int, *cmNode) {
		for i, a := range attrs.kids {
			if a.kids[0].isOID(oid) {
				return i, a.kids[1].kids[0]
			}
		}
		cmFatalf("%v: no attribute %v", c, oid)
		return 0, nil
	}
	switch c.tamper {
	case "signature":
		sigVal.content = append([]byte{}, sigVal.content...)
		sigVal.content[len(sigVal.content)/2] ^= 0x80
	case "md-value":
		_, v := attr(cmOIDMessageDigest)
		v.content = append([]byte{}, v.content...)
		v.content[0] ^= 0x01
	case "signing-time":
		_, v := attr(cmOIDSigningTime)
		v.content = append([]byte{}, v.content...)
		v.content[1] ^= 0x01 // another year digit: still a time
	case "ct-attr":
		i, _ := attr(cmOIDContentType)
		attrs.kids[i].kids[1].kids[0] = cmOIDNode(cmOIDSignedData)
	case "md-remove":
		i, _ := attr(cmOIDMessageDigest)
		attrs.kids = append(attrs.kids[:i], attrs.kids[i+1:]...)
	case "ct-remove":
		// RFC 5652 5.3: with signed attributes, contentType must be among them.
		i, _ := attr(cmOIDContentType)
		attrs.kids = append(attrs.kids[:i], attrs.kids[i+1:]...)
	case "econtent-type":
		sd.kids[2].kids[0] = cmOIDNode(cmOIDTSTInfo)
	case "digest-algs":
		// SignedData.digestAlgorithms naming another hash alone than the signer's (RFC
		// 5652 5.1 has it list every signer's).
		other := cmOIDSHA1
		if c.md == "sha1" {
			other = cmOIDSHA384
		}
		sd.kids[1].kids = []*cmNode{{tag: cbasn1.SEQUENCE, kids: []*cmNode{cmOIDNode(other)}}}
	case "sigalg-hash":
		// A signatureAlgorithm naming another hash than the digestAlgorithm.
		other := "sha384"
		if c.md == "sha384" {
			other = "sha512"
		}
		sigAlg.kids = []*cmNode{cmOIDNode(cmSigAlgOID(c.key, other))}
		if strings.HasPrefix(c.key, "rsa") {
			sigAlg.kids = append(sigAlg.kids, &cmNode{tag: cbasn1.NULL})
		}
	case "twin-cert":
		// Another certificate of the same issuer and serial number, with another key.
		twin := *leaf
		tmpl := &twin
		tmpl.ExtraExtensions, tmpl.Extensions = nil, nil
		other, err := cmIssue(tmpl, cmKey(t, "other-"+strings.TrimSuffix(c.key, "-pss")), p.int, p.intKey)
		if err != nil {
			cmFatalf("%v", err)
		}
		certs := sd.kids[3]
		for i, k := range certs.kids {
			if string(k.der()) == string(leaf.Raw) {
				n, _ := cmParse(other.Raw)
				certs.kids[i] = n[0]
			}
		}
	case "sid":
		sid := si.kids[1]
		if sid.tag == cbasn1.SEQUENCE { // issuerAndSerialNumber: another serial
			sid.kids[1].content = append([]byte{}, sid.kids[1].content...)
			sid.kids[1].content[len(sid.kids[1].content)-1] ^= 0x01
		} else {
			sid.content = append([]byte{}, sid.content...)
			sid.content[0] ^= 0x01
		}
	case "backdate":
		// A signingTime in the signer's validity, though it expired: a claim of the signer,
		// not a trusted time (README: only reported); the chain is still judged now.
		i, _ := attr(cmOIDSigningTime)
		var b cryptobyte.Builder
		b.AddASN1UTCTime(leaf.NotBefore.Add(time.Hour))
		n, _ := cmParse(b.BytesOrPanic())
		attrs.kids[i].kids[1].kids[0] = n[0]
	case "md-two-values":
		// RFC 5652 11.2: messageDigest has a single value; the right one first.
		i, v := attr(cmOIDMessageDigest)
		other := &cmNode{tag: cbasn1.OCTET_STRING, content: make([]byte, len(v.content))}
		attrs.kids[i].kids[1].kids = append(attrs.kids[i].kids[1].kids, other)
	case "extra-attr":
		// An attribute signet does not know (id-aa-contentHint's arc, 1.2.840.113549.1.9.16.2.99),
		// signed: both must accept.
		a := &cmNode{tag: cbasn1.SEQUENCE, kids: []*cmNode{
			cmOIDNode(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 99}),
			{tag: cbasn1.SET.Constructed(), kids: []*cmNode{{tag: cbasn1.UTF8String, content: []byte("extra")}}},
		}}
		attrs.kids = append(attrs.kids, a)
		slices.SortFunc(attrs.kids, func(a, b *cmNode) int { return bytes.Compare(a.der(), b.der()) })
	case "attrs-unsorted":
		// The signed attributes out of DER's SET OF order, signed as they are.
		slices.SortFunc(attrs.kids, func(a, b *cmNode) int { return bytes.Compare(b.der(), a.der()) })
	case "unsigned-attr":
		// An unsigned attribute: outside the signature, ignored by both.
		ua := &cmNode{tag: cbasn1.Tag(1).Constructed().ContextSpecific(), kids: []*cmNode{{tag: cbasn1.SEQUENCE, kids: []*cmNode{
			cmOIDNode(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 98}),
			{tag: cbasn1.SET.Constructed(), kids: []*cmNode{{tag: cbasn1.UTF8String, content: []byte("unsigned")}}},
		}}}}
		si.kids = append(si.kids, ua)
	case "trailing": // appended in build, after any BER encoding
	default:
		cmFatalf("unknown tamper %q", c.tamper)
	}
	if cmResigned()[c.tamper] {
		set := &cmNode{tag: cbasn1.SET.Constructed(), kids: attrs.kids}
		sigVal.content = c.sign(t, set.der())
	}
	if err := os.WriteFile(f.sig, top[0].der(), 0o644); err != nil {
		cmFatalf("%v", err)
	}
}

// sign signs data as openssl did, with the case's key and hash (not RSA-PSS).
func (c *cmCase) sign(t testing.TB, data []byte) []byte {
	h := map[string]crypto.Hash{"sha1": crypto.SHA1, "sha256": crypto.SHA256, "sha384": crypto.SHA384, "sha512": crypto.SHA512,
		"sha3-256": crypto.SHA3_256, "sha3-512": crypto.SHA3_512}[c.md]
	d := h.New()
	d.Write(data)
	sig, err := cmKey(t, c.key).Sign(rand.Reader, d.Sum(nil), h)
	if err != nil {
		cmFatalf("%v", err)
	}
	return sig
}

func cmSigAlgOID(key, hash string) asn1.ObjectIdentifier {
	rsaOIDs := map[string]asn1.ObjectIdentifier{"sha256": {1, 2, 840, 113549, 1, 1, 11}, "sha384": {1, 2, 840, 113549, 1, 1, 12}, "sha512": {1, 2, 840, 113549, 1, 1, 13}}
	ecOIDs := map[string]asn1.ObjectIdentifier{"sha256": {1, 2, 840, 10045, 4, 3, 2}, "sha384": {1, 2, 840, 10045, 4, 3, 3}, "sha512": {1, 2, 840, 10045, 4, 3, 4}}
	if strings.HasPrefix(key, "rsa") {
		return rsaOIDs[hash]
	}
	return ecOIDs[hash]
}
