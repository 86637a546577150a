package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// The generator of the CSR campaign (cs_diff_test.go): from one seed, a PKCS#10 request made
// by `openssl req -new` (any key openssl makes, subjects of every string type, SANs of every
// form, extensions a profile must not copy, attributes, PSS), by `signet csr`, or built here
// byte by byte with cryptobyte, maybe with one mutation that makes it malformed; and the
// flags of `signet cert create` that issue from it (profile, --san, --days). The draw uses
// only the seeded math/rand/v2, so a seed replays its case (the keys come from a pool made
// once per run: their bytes change between runs, never a verdict).

// csKey is a key of the pool: its PKCS #8 file for openssl and signet csr, and for the keys Go
// makes the signer the byte-level builder signs with.
type csKey struct {
	name   string
	file   string
	signer crypto.Signer // nil for a key only openssl makes (Ed448, DSA, an RSA-PSS key)
	// refused says why signet must refuse to certify the key (exit 3), "" when it certifies it.
	refused string
}

// csKeyNames are the pool's keys, by name.
var csKeyNames = []string{"rsa2048", "rsa3072", "rsa4096", "p256", "p384", "p521", "ed25519",
	"rsapss", "rsa1024", "p224", "ed448", "dsa"}

// csMakeKeys makes the pool in dir: the RSA keys of 2048 and 3072 bits are the fixture PKI's
// (testdata/pki), the others are made here, openssl's at once in the background (an RSA key of
// 4096 bits or DSA parameters take seconds; Go under the race detector takes longer still).
func csMakeKeys(t testing.TB, dir, openssl string) map[string]*csKey {
	t.Helper()
	keys := map[string]*csKey{}
	for _, n := range csKeyNames {
		keys[n] = &csKey{name: n, file: filepath.Join(dir, n+".key")}
	}
	keys["rsa1024"].refused = "a 1024-bit RSA key is weaker than signet certifies"
	keys["p224"].refused = "P-224 is off the curves signet certifies"
	keys["rsapss"].refused = "an id-RSASSA-PSS key: crypto/x509 reads no such key, so signet cannot certify it"
	keys["ed448"].refused = "an Ed448 key: signet does not certify Ed448"
	keys["dsa"].refused = "a DSA key: crypto/x509 verifies no DSA signature, and signet certifies no DSA key"
	gen := map[string][][]string{
		"rsa4096": {{"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096", "-out", keys["rsa4096"].file}},
		"rsa1024": {{"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", keys["rsa1024"].file}},
		"rsapss":  {{"genpkey", "-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048", "-out", keys["rsapss"].file}},
		"ed448":   {{"genpkey", "-algorithm", "ED448", "-out", keys["ed448"].file}},
		"dsa": {{"genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt", "dsa_paramgen_bits:2048", "-out", filepath.Join(dir, "dsa.params")},
			{"genpkey", "-paramfile", filepath.Join(dir, "dsa.params"), "-out", keys["dsa"].file}},
	}
	errs := make(chan error, len(gen))
	for _, cmds := range gen {
		go func() {
			for _, args := range cmds {
				if out, err := exec.Command(openssl, args...).CombinedOutput(); err != nil {
					errs <- fmt.Errorf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
					return
				}
			}
			errs <- nil
		}()
	}
	for n, fixture := range map[string]string{"rsa2048": "client.key", "rsa3072": "int-ca.key"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "pki", fixture))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(keys[n].file, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	for n, k := range keys {
		switch n {
		case "p256":
			k.signer, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		case "p384":
			k.signer, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		case "p521":
			k.signer, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
		case "p224":
			k.signer, err = ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
		case "ed25519":
			_, k.signer, err = ed25519.GenerateKey(rand.Reader)
		default:
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(k.signer)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(k.file, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for range gen {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	// The builder signs with the RSA keys of the files.
	for _, n := range []string{"rsa2048", "rsa3072", "rsa4096", "rsa1024"} {
		b, err := os.ReadFile(keys[n].file)
		if err != nil {
			t.Fatal(err)
		}
		blk, _ := pem.Decode(b)
		if blk == nil {
			t.Fatalf("%s: no PEM", keys[n].file)
		}
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			t.Fatalf("%s: %v", keys[n].file, err)
		}
		keys[n].signer = k.(crypto.Signer)
	}
	return keys
}

// csAttr is one subject attribute as drawn.
type csAttr struct {
	typ   string // openssl's short name
	oid   asn1.ObjectIdentifier
	value string
	tag   int // the string type the builder writes (openssl picks its own from string_mask)
}

func csAttrOIDs() map[string]asn1.ObjectIdentifier {
	return map[string]asn1.ObjectIdentifier{
		"CN": {2, 5, 4, 3}, "O": {2, 5, 4, 10}, "OU": {2, 5, 4, 11}, "C": {2, 5, 4, 6}, "L": {2, 5, 4, 7},
		"ST": {2, 5, 4, 8}, "serialNumber": {2, 5, 4, 5}, "emailAddress": {1, 2, 840, 113549, 1, 9, 1},
		"UID": {0, 9, 2342, 19200300, 100, 1, 1}, "DC": {0, 9, 2342, 19200300, 100, 1, 25},
	}
}

// csName is a subject alternative name as drawn, with the verdict RFC 5280 (and the README's
// rules for --san, which a CSR's names are held to) gives it.
type csName struct {
	kind  string // dns, ip, email, uri, other (otherName), rid (registeredID)
	value string
	bad   string // why signet must refuse it (exit 2), "" for a good name
}

// csNamePool is what a drawn SAN is taken from.
var csNamePool = []csName{
	{kind: "dns", value: "www.example.com"},
	{kind: "dns", value: "api.example.org"},
	{kind: "dns", value: "*.example.com"},
	{kind: "dns", value: "xn--bcher-kva.example"},
	{kind: "dns", value: "a-b.c-d.example.net"},
	{kind: "dns", value: "123.example"},
	{kind: "dns", value: "localhost"},
	{kind: "dns", value: "-lead.example.com", bad: "a label that starts with a hyphen breaks RFC 5280's preferred name syntax"},
	{kind: "dns", value: "under_score.example.com", bad: "an underscore is not a letter, digit or hyphen (RFC 5280 4.2.1.6)"},
	{kind: "dns", value: "a..b.example", bad: "an empty label"},
	{kind: "dns", value: "*.*.example.com", bad: "a wildcard past the first label"},
	{kind: "dns", value: "10.1.2.3", bad: "an IP address as a DNS name"},
	{kind: "dns", value: "trailing.example.com.", bad: "a trailing dot is not in RFC 5280's preferred name syntax"},
	{kind: "dns", value: "WWW.Example.COM"},
	{kind: "dns", value: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com", bad: "a label of 64 characters (RFC 1035: at most 63)"},
	{kind: "ip", value: "10.0.0.1"},
	{kind: "ip", value: "192.0.2.7"},
	{kind: "ip", value: "2001:db8::1"},
	{kind: "email", value: "alice@example.com"},
	{kind: "email", value: "bob.smith@mail.example.org"},
	{kind: "email", value: "no-at-sign.example.com", bad: "a mailbox needs an @"},
	{kind: "email", value: "a@b@example.com", bad: "two @ in a mailbox"},
	{kind: "uri", value: "example.com/path", bad: "not an absolute URI (RFC 5280 4.2.1.6 wants a scheme)"},
	{kind: "uri", value: "https://example.com/path"},
	{kind: "uri", value: "spiffe://example.org/ns/prod/sa/web"},
	{kind: "uri", value: "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"},
	{kind: "other", value: "1.3.6.1.4.1.311.20.2.3;UTF8:alice@corp.example"},
	{kind: "rid", value: "1.2.3.4.5"},
}

// csFlagSANs are the --san values a draw may replace the CSR's names with.
var csFlagSANs = []string{"dns:svc.example.com", "dns:*.svc.example.com", "ip:10.9.8.7", "ip:2001:db8::42",
	"email:ops@example.com", "uri:https://svc.example.com/"}

// csExt is an extension the request asks for, which no profile copies.
type csExt struct {
	openssl string // the -addext argument
	oid     asn1.ObjectIdentifier
	value   []byte // the DER the builder writes
	crit    bool
}

var csExtPool = []csExt{
	{"basicConstraints=critical,CA:TRUE", asn1.ObjectIdentifier{2, 5, 29, 19}, []byte{0x30, 0x03, 0x01, 0x01, 0xff}, true},
	{"basicConstraints=critical,CA:TRUE,pathlen:3", asn1.ObjectIdentifier{2, 5, 29, 19}, []byte{0x30, 0x06, 0x01, 0x01, 0xff, 0x02, 0x01, 0x03}, true},
	{"keyUsage=critical,keyCertSign,cRLSign,digitalSignature", asn1.ObjectIdentifier{2, 5, 29, 15}, []byte{0x03, 0x02, 0x01, 0x86}, true},
	{"keyUsage=keyEncipherment,dataEncipherment,keyAgreement", asn1.ObjectIdentifier{2, 5, 29, 15}, []byte{0x03, 0x02, 0x03, 0x38}, false},
	// anyExtendedKeyUsage, OCSPSigning and codeSigning: what no server, client or TSA gets.
	{"extendedKeyUsage=anyExtendedKeyUsage,OCSPSigning,codeSigning", asn1.ObjectIdentifier{2, 5, 29, 37},
		[]byte{0x30, 0x1a, 0x06, 0x04, 0x55, 0x1d, 0x25, 0x00, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x09, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03}, false},
	{"nameConstraints=critical,permitted;DNS:example.com", asn1.ObjectIdentifier{2, 5, 29, 30},
		[]byte{0x30, 0x11, 0xa0, 0x0f, 0x30, 0x0d, 0x82, 0x0b, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm'}, true},
	{"1.3.6.1.4.1.55555.7=critical,DER:0500", asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 7}, []byte{0x05, 0x00}, true},
	{"1.3.6.1.4.1.55555.8=DER:0101FF", asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 8}, []byte{0x01, 0x01, 0xff}, false},
	{"certificatePolicies=2.5.29.32.0", asn1.ObjectIdentifier{2, 5, 29, 32}, []byte{0x30, 0x06, 0x30, 0x04, 0x06, 0x02, 0x55, 0x1d}, false},
	{"subjectKeyIdentifier=0102030405", asn1.ObjectIdentifier{2, 5, 29, 14}, []byte{0x04, 0x05, 1, 2, 3, 4, 5}, false},
}

// The mutations of a built request. Each makes it one that RFC 2986 (with DER, X.690) or
// PKCS #9 says is not a request, or that carries a key signet does not certify: refused,
// exit 3, before the CA's key is opened.
func csMutations() map[string]string {
	return map[string]string{
		"version1":        "RFC 2986 4.1: version is 0 for this version of the standard",
		"version-neg":     "RFC 2986 4.1: version is 0",
		"bad-signature":   "the self-signature does not verify, so the request does not prove its key",
		"alg-mismatch":    "the signature algorithm names another key type than the request's key",
		"trailing":        "bytes after the request's DER SEQUENCE",
		"dup-extension":   "one extension twice in the extensionRequest (RFC 5280 4.2: at most one instance)",
		"extreq-twice":    "two extensionRequest attributes: readers disagree on which counts (openssl the first, crypto/x509 both)",
		"extreq-2values":  "an extensionRequest with two values (PKCS #9: SINGLE VALUE); crypto/x509 reads the first alone",
		"ber-length":      "a length in BER's long form where DER wants the short one",
		"indefinite":      "an indefinite length, which DER forbids",
		"x25519-key":      "an X25519 key, which signs nothing: the signature cannot be the key's",
		"pss-spki":        "an id-RSASSA-PSS key, which signet does not certify",
		"empty-rdn":       "a RelativeDistinguishedName with no attribute (RFC 5280: SIZE (1..MAX))",
		"rdn-not-string":  "a subject CN whose value is an INTEGER, not a DirectoryString",
		"attr-no-values":  "an attribute whose SET of values is empty (RFC 2986 4.1: SIZE(1..MAX))",
		"extreq-garbage":  "an extensionRequest value that is not a SEQUENCE of extensions",
		"sig-unused-bits": "a signature BIT STRING with unused bits",
		"ed25519-params":  "Ed25519's AlgorithmIdentifier with NULL parameters, which RFC 8410 3 says MUST be absent",
		"ip-5-bytes":      "an iPAddress of 5 bytes (RFC 5280 4.2.1.6: 4 or 16)",
		"dns-8bit":        "a dNSName with a byte past ASCII (an IA5String)",
		"san-garbage":     "a subjectAltName whose value is not GeneralNames",
	}
}

// csTolerated are mutations that break a MUST of an RFC yet are taken, as crypto/x509 and
// openssl (req -verify) take them: the request is issued as if it were not mutated.
func csTolerated() map[string]string {
	return map[string]string{
		// The signature still proves the key and nothing of the AlgorithmIdentifier reaches the
		// certificate, which the CA signs with its own.
		"ecdsa-params": "ECDSA's AlgorithmIdentifier with NULL parameters, which RFC 5758 3.2 says MUST be absent",
	}
}

// csOddValues are subject values signet must refuse as names (exit 2): a control character
// (a certificate that cannot be printed as it is can spoof what prints it), a CN past RFC
// 5280's upper bound of 64 characters.
var csOddValues = []string{"evil\x1b[31m", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}

// csCase is one draw.
type csCase struct {
	seed   int64
	source string // openssl, signet, built
	key    *csKey

	subject   [][]csAttr // RDNs, each one or more attributes
	emptySubj bool
	utf8      bool   // openssl -utf8 (a non-ASCII value)
	mask      string // openssl string_mask
	names     []csName
	exts      []csExt
	attrs     []string // challengePassword, unstructuredName
	digest    string   // openssl -sha256 etc.; "sha1" is refused without --allow-sha1-csr
	pss       string   // openssl -sigopt rsa_pss_saltlen: value, "" for PKCS #1 v1.5
	mutation  string   // a built request's, "" for none
	oddValue  string   // a CN signet must refuse as a name (csOddValues)

	profile   string
	flagSANs  []string // --san, replacing the CSR's names
	days      int
	allowSHA1 bool
}

func (c *csCase) String() string {
	var subj []string
	for _, rdn := range c.subject {
		var as []string
		for _, a := range rdn {
			as = append(as, a.typ+"="+a.value)
		}
		subj = append(subj, strings.Join(as, "+"))
	}
	var names []string
	for _, n := range c.names {
		names = append(names, n.kind+":"+n.value)
	}
	var exts []string
	for _, e := range c.exts {
		exts = append(exts, e.openssl)
	}
	return fmt.Sprintf("seed %d: %s %s key, subject /%s (mask %s), names %v, exts %v, attrs %v, digest %q pss %q, mutation %q; --profile %s --san %v --days %d allow-sha1 %v",
		c.seed, c.source, c.key.name, strings.Join(subj, "/"), c.mask, names, exts, c.attrs, c.digest, c.pss, c.mutation,
		c.profile, c.flagSANs, c.days, c.allowSHA1)
}

func csPick[T any](r *mrand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// csValues are attribute values: ASCII, Latin-1, beyond the BMP's Latin, and with the
// characters openssl's -subj escapes.
var csASCII = []string{"Example Org", "Widgets Ltd", "R&D", "alice", "Test 42", "build-bot"}
var csWide = []string{"Jürgen Müller", "Société Générale", "東京", "Ωmega", "Łódź"}

// csDraw draws the case of a seed. token, when not "", is the key type of a SoftHSM2 token
// key (x509util.KeyType) to request for: the request is made by signet (enroll --csr-out or
// csr --key pkcs11:...), so the draw is that of signet csr's.
func csDraw(seed int64, keys map[string]*csKey, token string) *csCase {
	r := mrand.New(mrand.NewPCG(uint64(seed), 0xc5))
	c := &csCase{seed: seed}
	switch x := r.IntN(10); {
	case token != "":
		c.source = "token"
	case x < 5:
		c.source = "openssl"
	case x < 7:
		c.source = "signet"
	default:
		c.source = "built"
	}
	switch c.source {
	case "token":
		c.key = &csKey{name: token}
	case "openssl":
		names := csKeyNames
		if r.IntN(4) > 0 { // mostly keys signet certifies
			names = csKeyNames[:7]
		}
		c.key = keys[csPick(r, names)]
		if k := keys["ca"]; k != nil && r.IntN(40) == 0 {
			c.key = k // the issuing CA's own key
		}
	default:
		goKeys := []string{"rsa2048", "rsa3072", "p256", "p384", "p521", "ed25519"}
		if r.IntN(8) == 0 {
			goKeys = append(goKeys, "rsa1024", "p224")
		}
		c.key = keys[csPick(r, goKeys)]
	}
	// The subject.
	if r.IntN(8) == 0 && c.source != "signet" && c.source != "token" { // signet csr wants --subject
		c.emptySubj = true
	} else {
		n := 1 + r.IntN(4)
		cn := csPick(r, []string{"www.example.com", "Release Bot", "alice", "api.example.org"})
		for i := 0; i < n; i++ {
			var rdn []csAttr
			m := 1
			if r.IntN(4) == 0 {
				m = 2
			}
			for j := 0; j < m; j++ {
				typ := csPick(r, []string{"O", "OU", "L", "ST", "C", "UID", "DC", "serialNumber"})
				if i == n-1 && j == 0 {
					typ = "CN"
				}
				val := csPick(r, csASCII)
				switch typ {
				case "CN":
					val = cn
				case "C":
					val = csPick(r, []string{"DE", "FR", "JP"})
				case "DC":
					val = csPick(r, []string{"example", "com"})
				case "serialNumber":
					val = fmt.Sprint(1000 + r.IntN(9000))
				}
				if (typ == "O" || typ == "OU" || typ == "L") && r.IntN(3) == 0 {
					val = csPick(r, csWide)
					c.utf8 = true
				}
				tag := asn1.TagUTF8String
				switch {
				case typ == "C" || typ == "serialNumber":
					tag = asn1.TagPrintableString
				case typ == "DC":
					tag = asn1.TagIA5String
				case !c.utf8 && r.IntN(3) == 0:
					tag = asn1.TagPrintableString
				case r.IntN(4) == 0:
					tag = csPick(r, []int{asn1.TagBMPString, 28})
				}
				if tag == asn1.TagPrintableString && strings.ContainsAny(val, "&") {
					tag = asn1.TagUTF8String
				}
				rdn = append(rdn, csAttr{typ: typ, oid: csAttrOIDs()[typ], value: val, tag: tag})
			}
			c.subject = append(c.subject, rdn)
		}
	}
	if c.source == "built" && !c.emptySubj && r.IntN(12) == 0 {
		v := csPick(r, csOddValues)
		c.subject[len(c.subject)-1][0].value, c.subject[len(c.subject)-1][0].tag = v, asn1.TagUTF8String
		c.oddValue = v
	}
	c.mask = csPick(r, []string{"utf8only", "default", "pkix", "nombstr"})
	if c.utf8 && c.mask == "nombstr" {
		c.mask = "default" // nombstr has no string type for a character past Latin-1
	}
	// The names.
	for n := r.IntN(4); n > 0; n-- {
		nm := csPick(r, csNamePool)
		if nm.bad != "" && r.IntN(3) > 0 {
			continue // fewer refusals than acceptances
		}
		if slices.ContainsFunc(c.names, func(n csName) bool { return n.kind == nm.kind && strings.EqualFold(n.value, nm.value) }) {
			continue // signet csr drops a name given twice, in any case (--san's rule)
		}
		if (c.source == "signet" || c.source == "token") && (nm.kind == "other" || nm.kind == "rid" || nm.bad != "") {
			continue // signet csr writes only the four forms it issues, and refuses bad ones
		}
		c.names = append(c.names, nm)
	}
	// A subject emailAddress: its SAN too, most often.
	if !c.emptySubj && r.IntN(6) == 0 {
		addr := "alice@example.com"
		c.subject[0] = append(c.subject[0], csAttr{typ: "emailAddress", oid: csAttrOIDs()["emailAddress"], value: addr, tag: asn1.TagIA5String})
		if nm := (csName{kind: "email", value: addr}); r.IntN(3) > 0 && !slices.Contains(c.names, nm) {
			c.names = append(c.names, nm)
		}
	}
	if c.source != "signet" && c.source != "token" {
		for n := r.IntN(4); n > 0; n-- {
			c.exts = append(c.exts, csPick(r, csExtPool))
		}
		c.exts = csUniqueExts(c.exts)
		if r.IntN(4) == 0 {
			c.attrs = append(c.attrs, "challengePassword")
		}
		if r.IntN(4) == 0 {
			c.attrs = append(c.attrs, "unstructuredName")
		}
		if c.source == "built" && r.IntN(4) == 0 {
			c.attrs = append(c.attrs, "unknownAttribute")
		}
	}
	if c.source == "openssl" {
		switch c.key.name {
		case "ed25519", "ed448":
		default:
			c.digest = csPick(r, []string{"", "sha256", "sha384", "sha512", "sha1"})
			if c.digest == "sha1" && r.IntN(2) == 0 {
				c.digest = ""
			}
		}
		if strings.HasPrefix(c.key.name, "rsa") && c.key.name != "rsapss" && r.IntN(3) == 0 {
			c.pss = csPick(r, []string{"digest", "max", "32", "20"})
		}
		if c.key.name == "rsa1024" && c.pss == "digest" && c.digest == "sha512" {
			c.digest = "sha256" // a 1024-bit modulus has no room for SHA-512 and a salt as long
		}
		if c.digest == "sha1" {
			c.allowSHA1 = r.IntN(2) == 0
		}
	}
	if c.source == "built" && r.IntN(2) == 0 {
		ms := make([]string, 0, len(csMutations())+len(csTolerated()))
		for k := range csMutations() {
			ms = append(ms, k)
		}
		for k := range csTolerated() {
			ms = append(ms, k)
		}
		slices.Sort(ms)
		c.mutation = csPick(r, ms)
		switch c.mutation {
		case "pss-spki":
			c.key = keys["rsa2048"]
		case "ecdsa-params":
			c.key = keys["p256"]
		case "ed25519-params":
			c.key = keys["ed25519"]
		case "ip-5-bytes":
			c.names = append(c.names, csName{kind: "ip", value: "10.0.0.1"})
		case "dns-8bit", "san-garbage":
			c.names = append(c.names, csName{kind: "dns", value: "www.example.com"})
		}
		if c.mutation == "empty-rdn" || c.mutation == "rdn-not-string" {
			c.emptySubj = false
			if len(c.subject) == 0 {
				c.subject = [][]csAttr{{{typ: "CN", oid: csAttrOIDs()["CN"], value: "alice", tag: asn1.TagUTF8String}}}
			}
		}
	}
	// The flags.
	c.profile = csPick(r, []string{"server", "server", "client", "client", "code-signing", "email", "tsa", "intermediate-ca"})
	// Most often the names the profile needs are there, so that most requests are issued.
	need := map[string]csName{"server": {kind: "dns", value: "www.example.com"}, "email": {kind: "email", value: "alice@example.com"}}[c.profile]
	if need.kind != "" && r.IntN(4) > 0 && !slices.ContainsFunc(c.names, func(n csName) bool { return n.kind == need.kind }) {
		c.names = append(c.names, need)
	}
	if r.IntN(4) == 0 {
		for n := 1 + r.IntN(2); n > 0; n-- {
			if s := csPick(r, csFlagSANs); !slices.Contains(c.flagSANs, s) {
				c.flagSANs = append(c.flagSANs, s)
			}
		}
	}
	if r.IntN(2) == 0 {
		c.days = 1 + r.IntN(1200)
	}
	return c
}

// csUniqueExts keeps the first of each extension type: a valid request has one of each.
func csUniqueExts(in []csExt) []csExt {
	var out []csExt
	seen := map[string]bool{}
	for _, e := range in {
		if !seen[e.oid.String()] {
			seen[e.oid.String()] = true
			out = append(out, e)
		}
	}
	return out
}

// opensslSubj is the subject as openssl's -subj reads it: /type=value, + joining a
// multi-valued RDN's attributes, / + = and \ escaped.
func (c *csCase) opensslSubj() string {
	if c.emptySubj || len(c.subject) == 0 {
		return "/"
	}
	esc := strings.NewReplacer(`\`, `\\`, `/`, `\/`, `+`, `\+`, `=`, `\=`)
	var b strings.Builder
	for _, rdn := range c.subject {
		b.WriteString("/")
		for i, a := range rdn {
			if i > 0 {
				b.WriteString("+")
			}
			b.WriteString(a.typ + "=" + esc.Replace(a.value))
		}
	}
	return b.String()
}

// signetSubj is the subject in RFC 4514 form for signet csr, most significant RDN first.
func (c *csCase) signetSubj() string {
	esc := strings.NewReplacer(`\`, `\\`, `,`, `\,`, `+`, `\+`, `"`, `\"`, `<`, `\<`, `>`, `\>`, `;`, `\;`, `=`, `\=`)
	var parts []string
	for i := len(c.subject) - 1; i >= 0; i-- {
		var as []string
		for _, a := range c.subject[i] {
			as = append(as, a.typ+"="+esc.Replace(a.value))
		}
		parts = append(parts, strings.Join(as, "+"))
	}
	return strings.Join(parts, ",")
}

// opensslSAN is the subjectAltName -addext value.
func (c *csCase) opensslSAN() string {
	var parts []string
	for _, n := range c.names {
		k := map[string]string{"dns": "DNS", "ip": "IP", "email": "email", "uri": "URI", "other": "otherName", "rid": "RID"}[n.kind]
		parts = append(parts, k+":"+n.value)
	}
	return "subjectAltName=" + strings.Join(parts, ",")
}

// opensslConfig is the config file openssl req reads: no prompt, the string mask, the
// attributes.
func (c *csCase) opensslConfig() string {
	var b strings.Builder
	b.WriteString("[req]\nprompt = no\ndistinguished_name = dn\nstring_mask = " + c.mask + "\n")
	if len(c.attrs) > 0 {
		b.WriteString("attributes = attrs\n")
	}
	b.WriteString("[dn]\nCN = unused\n")
	if len(c.attrs) > 0 {
		b.WriteString("[attrs]\n")
		for _, a := range c.attrs {
			b.WriteString(a + " = " + map[string]string{"challengePassword": "sesame12", "unstructuredName": "Example Unstructured"}[a] + "\n")
		}
	}
	return b.String()
}

// The byte-level builder.

func csAddOID(b *cryptobyte.Builder, oid asn1.ObjectIdentifier) {
	der, err := asn1.Marshal(oid)
	if err != nil {
		panic(err)
	}
	b.AddBytes(der)
}

// csString encodes a string value with a tag.
func csString(tag int, s string) []byte {
	var body []byte
	switch tag {
	case asn1.TagBMPString:
		for _, u := range utf16.Encode([]rune(s)) {
			body = append(body, byte(u>>8), byte(u))
		}
	case 28:
		for _, r := range s {
			body = append(body, byte(r>>24), byte(r>>16), byte(r>>8), byte(r))
		}
	default:
		body = []byte(s)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.Tag(tag), func(b *cryptobyte.Builder) { b.AddBytes(body) })
	return b.BytesOrPanic()
}

// builtSubject is the subject as the builder writes it.
func (c *csCase) builtSubject() []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if c.emptySubj {
			return
		}
		for i, rdn := range c.subject {
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				if c.mutation == "empty-rdn" && i == 0 {
					return
				}
				for _, a := range rdn {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						csAddOID(b, a.oid)
						if c.mutation == "rdn-not-string" && a.typ == "CN" {
							b.AddASN1Int64(42)
							return
						}
						b.AddBytes(csString(a.tag, a.value))
					})
				}
			})
		}
	})
	return b.BytesOrPanic()
}

// builtSAN is the subjectAltName extension value.
func (c *csCase) builtSAN() []byte {
	if c.mutation == "san-garbage" {
		return []byte{0x04, 0x02, 'n', 'o'}
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, n := range c.names {
			switch n.kind {
			case "dns":
				v := []byte(n.value)
				if c.mutation == "dns-8bit" {
					v = append([]byte("b\xfccher."), v...)
				}
				b.AddASN1(cbasn1.Tag(2).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(v) })
			case "email":
				b.AddASN1(cbasn1.Tag(1).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte(n.value)) })
			case "uri":
				b.AddASN1(cbasn1.Tag(6).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte(n.value)) })
			case "ip":
				ip := csParseIP(n.value)
				if c.mutation == "ip-5-bytes" {
					ip = []byte{10, 0, 0, 1, 0}
				}
				b.AddASN1(cbasn1.Tag(7).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(ip) })
			case "other":
				b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
					csAddOID(b, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3})
					b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
						b.AddBytes(csString(asn1.TagUTF8String, "alice@corp.example"))
					})
				})
			case "rid":
				der, _ := asn1.Marshal(asn1.ObjectIdentifier{1, 2, 3, 4, 5})
				b.AddASN1(cbasn1.Tag(8).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(der[2:]) })
			}
		}
	})
	return b.BytesOrPanic()
}

// builtExtensions is the Extensions of the extensionRequest, dup adding the first twice.
func (c *csCase) builtExtensions(only []csExt, san bool) []byte {
	exts := append([]csExt(nil), only...)
	if san {
		exts = append([]csExt{{oid: asn1.ObjectIdentifier{2, 5, 29, 17}, value: c.builtSAN()}}, exts...)
	}
	if c.mutation == "dup-extension" && len(exts) > 0 {
		exts = append(exts, exts[0])
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, e := range exts {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				csAddOID(b, e.oid)
				if e.crit {
					b.AddASN1Boolean(true)
				}
				b.AddASN1OctetString(e.value)
			})
		}
	})
	return b.BytesOrPanic()
}

func csAttribute(oid asn1.ObjectIdentifier, values ...[]byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		csAddOID(b, oid)
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
			for _, v := range values {
				b.AddBytes(v)
			}
		})
	})
	return b.BytesOrPanic()
}

var (
	csOIDExtReq        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 14}
	csOIDChallenge     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 7}
	csOIDUnstructured  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 2}
	csOIDECDSAWithSHA2 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
)

// builtAttributes is the [0] attributes' content.
func (c *csCase) builtAttributes() [][]byte {
	var out [][]byte
	for _, a := range c.attrs {
		switch a {
		case "challengePassword":
			out = append(out, csAttribute(csOIDChallenge, csString(asn1.TagPrintableString, "sesame12")))
		case "unstructuredName":
			out = append(out, csAttribute(csOIDUnstructured, csString(asn1.TagUTF8String, "Example Unstructured")))
		case "unknownAttribute":
			out = append(out, csAttribute(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 9}, csString(asn1.TagUTF8String, "what no CA reads")))
		}
	}
	hasExts := len(c.names) > 0 || len(c.exts) > 0
	switch c.mutation {
	case "extreq-twice":
		// The SAN in one, the rest (or a policy) in the other: no extension twice.
		rest := c.exts
		if len(rest) == 0 {
			rest = []csExt{csExtPool[8]}
		}
		out = append(out, csAttribute(csOIDExtReq, c.builtExtensions(nil, true)), csAttribute(csOIDExtReq, c.builtExtensions(rest, false)))
	case "extreq-2values":
		rest := c.exts
		if len(rest) == 0 {
			rest = []csExt{csExtPool[0]}
		}
		out = append(out, csAttribute(csOIDExtReq, c.builtExtensions(nil, true), c.builtExtensions(rest, false)))
	case "attr-no-values":
		out = append(out, csAttribute(csOIDChallenge))
		if hasExts {
			out = append(out, csAttribute(csOIDExtReq, c.builtExtensions(c.exts, len(c.names) > 0)))
		}
	case "extreq-garbage":
		out = append(out, csAttribute(csOIDExtReq, csString(asn1.TagUTF8String, "not extensions")))
	default:
		if hasExts || c.mutation == "dup-extension" {
			exts := c.exts
			if c.mutation == "dup-extension" && len(exts) == 0 && len(c.names) == 0 {
				exts = []csExt{csExtPool[6]}
			}
			out = append(out, csAttribute(csOIDExtReq, c.builtExtensions(exts, len(c.names) > 0)))
		}
	}
	return out
}

// csSPKI is the SubjectPublicKeyInfo the builder writes for the key, or for the mutations that
// swap it, another.
func (c *csCase) csSPKI() []byte {
	switch c.mutation {
	case "x25519-key":
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { csAddOID(b, asn1.ObjectIdentifier{1, 3, 101, 110}) })
			b.AddASN1BitString(make([]byte, 32))
		})
		return b.BytesOrPanic()
	case "pss-spki":
		if k, ok := c.key.signer.Public().(*rsa.PublicKey); ok {
			var b cryptobyte.Builder
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { csAddOID(b, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}) })
				b.AddASN1BitString(x509.MarshalPKCS1PublicKey(k))
			})
			return b.BytesOrPanic()
		}
	}
	der, err := x509.MarshalPKIXPublicKey(c.key.signer.Public())
	if err != nil {
		panic(err)
	}
	return der
}

// csSign returns the AlgorithmIdentifier the key signs with and its signature of tbs.
func csSign(k crypto.Signer, tbs []byte) (alg, sig []byte) {
	var h crypto.Hash
	var oid asn1.ObjectIdentifier
	null := false
	switch pk := k.Public().(type) {
	case *ecdsa.PublicKey:
		switch pk.Curve {
		case elliptic.P384():
			oid, h = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}, crypto.SHA384
		case elliptic.P521():
			oid, h = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}, crypto.SHA512
		default:
			oid, h = csOIDECDSAWithSHA2, crypto.SHA256
		}
	case *rsa.PublicKey:
		oid, h, null = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}, crypto.SHA256, true
	case ed25519.PublicKey:
		s, err := k.Sign(rand.Reader, tbs, crypto.Hash(0))
		if err != nil {
			panic(err)
		}
		return csAlgID(asn1.ObjectIdentifier{1, 3, 101, 112}, false), s
	}
	hh := h.New()
	hh.Write(tbs)
	s, err := k.Sign(rand.Reader, hh.Sum(nil), h)
	if err != nil {
		panic(err)
	}
	return csAlgID(oid, null), s
}

func csAlgID(oid asn1.ObjectIdentifier, null bool) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		csAddOID(b, oid)
		if null {
			b.AddASN1NULL()
		}
	})
	return b.BytesOrPanic()
}

// built writes the request: DER, with the case's mutation.
func (c *csCase) built() []byte {
	version := int64(0)
	switch c.mutation {
	case "version1":
		version = 1
	case "version-neg":
		version = -1
	}
	subject := c.builtSubject()
	spki := c.csSPKI()
	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if c.mutation == "ber-length" {
			b.AddBytes([]byte{0x02, 0x81, 0x01, 0x00}) // INTEGER 0, its length in the long form
		} else {
			b.AddASN1Int64(version)
		}
		b.AddBytes(subject)
		b.AddBytes(spki)
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			for _, a := range c.builtAttributes() {
				b.AddBytes(a)
			}
		})
	})
	tbs := tb.BytesOrPanic()
	alg, sig := csSign(c.key.signer, tbs)
	switch c.mutation {
	case "bad-signature":
		sig[len(sig)/2] ^= 0x10
	case "ecdsa-params", "ed25519-params":
		alg = append([]byte{0x30, byte(len(alg))}, append(alg[2:], 0x05, 0x00)...)
	case "alg-mismatch":
		if _, ok := c.key.signer.Public().(*ecdsa.PublicKey); ok {
			alg = csAlgID(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}, true)
		} else {
			alg = csAlgID(csOIDECDSAWithSHA2, false)
		}
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		b.AddBytes(alg)
		if c.mutation == "sig-unused-bits" {
			b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) {
				b.AddUint8(1)
				b.AddBytes(sig)
			})
			return
		}
		b.AddASN1BitString(sig)
	})
	der := b.BytesOrPanic()
	switch c.mutation {
	case "trailing":
		der = append(der, 0x05, 0x00)
	case "indefinite":
		// The outer SEQUENCE with an indefinite length: 30 80 ... 00 00.
		der = append(append([]byte{0x30, 0x80}, csTBSBody(der)...), 0, 0)
	}
	return der
}

// csTBSBody is the content of a DER SEQUENCE.
func csTBSBody(der []byte) []byte {
	s := cryptobyte.String(der)
	var body cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) {
		panic("csTBSBody: not a SEQUENCE")
	}
	return body
}

func csParseIP(s string) []byte {
	ip := net.ParseIP(s)
	if v4 := ip.To4(); v4 != nil {
		return v4
	}
	return ip
}
