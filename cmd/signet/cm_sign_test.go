package main

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	mrand "math/rand"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
)

// The CMS campaign's other direction: `signet sign --format cms` over drawn keys (RSA
// 2048/3072 with and without --pss, P-256/384/521, Ed25519), hashes (-a: SHA-2 and SHA-3),
// chains (--cert
// with the signer's certificate alone or with the intermediate), files of any size (empty
// too); openssl cms -verify (GnuTLS certtool --p7-verify for Ed25519, which OpenSSL 3.0
// cannot verify) must accept each signature and refuse it over a changed file, and signet
// verify must agree with exit 0 and 10. One case signs with a key on a SoftHSM2 token.

const cmSignPinnedSeeds = 14

// cmSignCase is one seed's draw of signet's options.
type cmSignCase struct {
	seed     int64
	key, alg string
	pss      bool
	withInt  bool // --cert carries the intermediate
	tsa      bool // --tsa: an RFC 3161 timestamp in an unsigned attribute
	content  []byte
}

func (c cmSignCase) String() string {
	return fmt.Sprintf("seed %d: %s pss=%v -a %s int=%v tsa=%v %d bytes", c.seed, c.key, c.pss, c.alg, c.withInt, c.tsa, len(c.content))
}

func cmSignDraw(seed int64) cmSignCase {
	r := mrand.New(mrand.NewSource(seed))
	c := cmSignCase{seed: seed}
	c.key = pick(r, "rsa2048", "rsa3072", "p256", "p384", "p521", "ed25519")
	c.pss = strings.HasPrefix(c.key, "rsa") && r.Intn(2) == 0
	c.alg = pick(r, "", "sha256", "sha384", "sha512", "sha3-256", "sha3-384", "sha3-512")
	if c.key == "ed25519" {
		c.alg = pick(r, "", "sha512") // RFC 8419 3.1: SHA-512 with signed attributes
	}
	c.withInt = r.Intn(3) != 0
	c.tsa = r.Intn(4) == 0
	c.content = make([]byte, pick(r, 0, 1, 100, 4096, 70000))
	r.Read(c.content)
	return c
}

// cmSignAndCheck signs content with keyRef (whose public key is pub) under the run's PKI and
// checks the signature with the peers and signet; extra are sign's other flags.
func cmSignAndCheck(t *testing.T, c cmSignCase, keyRef string, pub crypto.PublicKey, extra ...string) {
	t.Helper()
	if c.tsa {
		extra = append(extra, "--tsa", cmTSA(t))
	}
	t.Helper()
	p := cmGetPKI(t)
	dir := t.TempDir()
	now := time.Now().Truncate(time.Second)
	leaf, err := cmIssuePub(cmLeafTemplate(now, "CM signet signer "+c.key, 5000+c.seed), pub, p.int, p.intKey)
	if err != nil {
		t.Fatal(err)
	}
	chain := filepath.Join(dir, "chain.pem")
	certs := []*x509.Certificate{leaf}
	if c.withInt {
		certs = append(certs, p.int)
	}
	if err := writeCertsPEM(chain, certs...); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "art.bin")
	if err := os.WriteFile(file, c.content, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"sign", "-q", "--format", "cms", "--key", keyRef, "--cert", chain}
	if c.alg != "" {
		args = append(args, "-a", c.alg)
	}
	if c.pss {
		args = append(args, "--pss")
	}
	args = append(append(args, extra...), file)
	if _, stderr, code := runSignet(t, "", args...); code != 0 {
		t.Fatalf("%v: signet sign: exit %d: %s", c, code, stderr)
	}
	sig := file + ".p7s"
	caFile := p.rootPEM
	if !c.withInt {
		caFile = p.rootAndInt // openssl builds chains with the carried certificates only
	}
	peer := func() (string, error) {
		if c.key == "ed25519" {
			return cmRun(testutil.RequireTool(t, "certtool"), "--p7-verify", "--inder", "--infile", sig,
				"--load-data", file, "--load-ca-certificate", caFile)
		}
		return cmRun(testutil.RequireTool(t, "openssl"), "cms", "-verify", "-binary", "-inform", "DER", "-in", sig,
			"-content", file, "-CAfile", caFile, "-purpose", "any", "-out", filepath.Join(dir, "out"))
	}
	verifyArgs := []string{"verify", "--roots", p.rootPEM, "--sig", sig}
	if c.tsa {
		// The TSA of testTSA is under the fixture PKI; its token must hold.
		verifyArgs = append(verifyArgs, "--tsa-roots", fixturePKI(t, "root-ca.pem"), "--require-timestamp")
	}
	if !c.withInt {
		verifyArgs = append(verifyArgs, "--intermediates", p.intPEM)
	}
	// GnuTLS reads empty detached data as none ("There are no embedded data in the
	// structure"): an empty file's Ed25519 signature is left to signet.
	gnutlsEmpty := c.key == "ed25519" && len(c.content) == 0
	if out, err := peer(); err != nil && !gnutlsEmpty {
		t.Errorf("%v: the peer refused signet's signature: %v\n%s", c, err, out)
	}
	if stdout, _, code := runSignet(t, "", append(verifyArgs, file)...); code != 0 {
		t.Errorf("%v: signet verify: exit %d: %s", c, code, stdout)
	}
	// The same signature over a changed file: both refuse, signet with exit 10.
	changed := append([]byte{}, c.content...)
	if len(changed) == 0 {
		changed = []byte{0}
	} else {
		changed[len(changed)/2] ^= 0x01
	}
	if err := os.WriteFile(file, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := peer(); err == nil {
		t.Errorf("%v: the peer accepted the signature over a changed file\n%s", c, out)
	}
	if stdout, _, code := runSignet(t, "", append(verifyArgs, file)...); code != exitSigMismatch {
		t.Errorf("%v: signet verify of a changed file: exit %d, want %d: %s", c, code, exitSigMismatch, stdout)
	}
}

func TestCMSCampaignSignetSigns(t *testing.T) {
	testutil.RequireTool(t, "openssl")
	testutil.RequireTool(t, "certtool")
	from, to := int64(0), int64(cmSignPinnedSeeds)
	if os.Getenv("SIGNET_CM_SEEDS") != "" {
		from, to = cmSeeds(t)
	}
	dir := t.TempDir()
	for seed := from; seed < to; seed++ {
		c := cmSignDraw(seed)
		k := testutil.Key(t, c.key)
		keyFile := filepath.Join(dir, c.key+".key")
		if _, err := os.Stat(keyFile); err != nil {
			if err := writeKeyPEM(keyFile, k); err != nil {
				t.Fatal(err)
			}
		}
		cmSignAndCheck(t, c, keyFile, k.Public())
	}
}

var cmTSAs struct {
	sync.Mutex
	url map[*testing.T]string
}

// cmTSA is the URL of the in-process TSA (testTSA) of test t, started on its first call.
func cmTSA(t *testing.T) string {
	cmTSAs.Lock()
	defer cmTSAs.Unlock()
	if cmTSAs.url == nil {
		cmTSAs.url = map[*testing.T]string{}
	}
	if cmTSAs.url[t] == "" {
		cmTSAs.url[t] = testTSA(t)
		t.Cleanup(func() {
			cmTSAs.Lock()
			defer cmTSAs.Unlock()
			delete(cmTSAs.url, t)
		})
	}
	return cmTSAs.url[t]
}

// TestCMSSignetSignsOnToken: signet's CMS signature made with keys on a real SoftHSM2 token
// (made there by signet key gen: P-256, RSA-2048 with PKCS#1 v1.5 and with PSS) passes
// openssl cms -verify and signet verify, and fails both over a changed file.
func TestCMSSignetSignsOnToken(t *testing.T) {
	testutil.RequireTool(t, "openssl")
	sh := testutil.NewSoftHSM(t, "", "cm")
	t.Setenv("SIGNET_PKCS11_MODULE", sh.Module)
	t.Setenv("SIGNET_PIN", testutil.SoftHSMPIN)
	dir := t.TempDir()
	for i, tc := range []struct {
		typ, key, alg string
		pss           bool
	}{
		{"ec-p256", "p256", "sha256", false},
		{"ec-p256", "p256", "sha512", false},
		{"rsa-2048", "rsa2048", "sha384", false},
		{"rsa-2048", "rsa2048", "sha256", true},
	} {
		object := fmt.Sprintf("cm%d", i)
		pubFile := filepath.Join(dir, object+".pub")
		mustSignet(t, "key", "gen", "--type", tc.typ, "-o", "pkcs11:token=cm;object="+object, "--pub-out", pubFile)
		b, err := os.ReadFile(pubFile)
		if err != nil {
			t.Fatal(err)
		}
		block, _ := pem.Decode(b)
		if block == nil {
			t.Fatalf("%s: no PEM", pubFile)
		}
		pub, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		c := cmSignCase{seed: int64(900 + i), key: tc.key, alg: tc.alg, pss: tc.pss, withInt: i%2 == 0, content: []byte("signed on a token\n")}
		cmSignAndCheck(t, c, "pkcs11:token=cm;object="+object, pub)
	}
}
