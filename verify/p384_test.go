package verify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"testing"

	"github.com/signet-pki/signet/x509util"
)

// p384Pair is the fixture root (P-384) and the intermediate it signed (ECDSA with SHA-256).
func p384Pair(t testing.TB) (root, inter *x509.Certificate) {
	t.Helper()
	var certs []*x509.Certificate
	for _, name := range []string{"root-ca.pem", "int-ca.pem"} {
		c, err := x509util.LoadCertificateFile(filepath.Join("../testdata/pki", name))
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, c[0])
	}
	return certs[0], certs[1]
}

// TestCheckSignedByP384: the first p384Untabled P-384 signatures go through checkP384 and
// the next ones through crypto/x509, and both answer alike, for a good signature and a bad one.
func TestCheckSignedByP384(t *testing.T) {
	root, inter := p384Pair(t)
	bad := append([]byte{}, inter.Signature...)
	bad[len(bad)-1] ^= 1
	p384Checked.Store(0)
	t.Cleanup(func() { p384Checked.Store(0) })
	for i := range p384Untabled + 2 {
		if err := checkSignedBy(root, inter.SignatureAlgorithm, inter.Raw, inter.RawTBSCertificate, inter.Signature); err != nil {
			t.Errorf("check %d of the intermediate's signature: %v", i+1, err)
		}
		err := checkSignedBy(root, inter.SignatureAlgorithm, inter.Raw, inter.RawTBSCertificate, bad)
		if want := x509util.CheckSignature(root.PublicKey, inter.SignatureAlgorithm, inter.Raw, inter.RawTBSCertificate, bad); err == nil || want == nil || err.Error() != want.Error() {
			t.Errorf("check %d of a bad signature: %v, crypto/x509 says %v", i+1, err, want)
		}
	}
	if got := p384Checked.Load(); got != 2*(p384Untabled+2) {
		t.Errorf("checkP384 saw %d signatures, want %d", got, 2*(p384Untabled+2))
	}
	// Another key is not counted: the intermediate (RSA) signed the code-signing leaf.
	leaf, err := x509util.LoadCertificateFile("../testdata/pki/codesign.pem")
	if err != nil {
		t.Fatal(err)
	}
	p384Checked.Store(0)
	if err := checkSignedBy(inter, leaf[0].SignatureAlgorithm, leaf[0].Raw, leaf[0].RawTBSCertificate, leaf[0].Signature); err != nil {
		t.Fatal(err)
	}
	if got := p384Checked.Load(); got != 0 {
		t.Errorf("an RSA signature counted as P-384 (%d)", got)
	}
}

// TestP384FirstCheckBuildsNoTable: in a new process, the first check of a P-384 signature
// allocates a few KB, where crypto/ecdsa's first P-384 verification builds the base-point
// table (about 200 KB, and 1.5-2.1 ms here). Allocation, not time, so that a busy machine
// does not change the answer; the control run shows the measure sees the table.
func TestP384FirstCheckBuildsNoTable(t *testing.T) {
	if os.Getenv("SIGNET_P384_CHILD") != "" {
		t.Skip("run by the test itself")
	}
	alloc := func(how string) uint64 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestP384Child$", "-test.v")
		cmd.Env = append(os.Environ(), "SIGNET_P384_CHILD="+how, "GORACE=atexit_sleep_ms=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", how, err, out)
		}
		m := regexp.MustCompile(`allocated (\d+) bytes`).FindSubmatch(out)
		if m == nil {
			t.Fatalf("%s: no figure in\n%s", how, out)
		}
		n, _ := strconv.ParseUint(string(m[1]), 10, 64)
		return n
	}
	ours, control := alloc("checkSignedBy"), alloc("crypto/x509")
	t.Logf("first P-384 check of a process allocates %d bytes; through crypto/x509 %d", ours, control)
	if control < 128<<10 {
		t.Fatalf("crypto/x509's first P-384 check allocated %d bytes: the table is no longer built on first use, and checkP384 may have no reason left", control)
	}
	if ours > 64<<10 {
		t.Errorf("checkSignedBy's first P-384 check allocated %d bytes: it built the base-point table", ours)
	}
}

// TestP384Child is the new process of TestP384FirstCheckBuildsNoTable.
func TestP384Child(t *testing.T) {
	how := os.Getenv("SIGNET_P384_CHILD")
	if how == "" {
		t.Skip("run by TestP384FirstCheckBuildsNoTable")
	}
	root, inter := p384Pair(t)
	check := func() error {
		return checkSignedBy(root, inter.SignatureAlgorithm, inter.Raw, inter.RawTBSCertificate, inter.Signature)
	}
	if how == "crypto/x509" {
		check = func() error {
			return root.CheckSignature(inter.SignatureAlgorithm, inter.RawTBSCertificate, inter.Signature)
		}
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err := check()
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("allocated %d bytes\n", after.TotalAlloc-before.TotalAlloc)
}

// TestCheckP384Hashes: each ECDSA algorithm is checked with its own hash. A signature of the
// SHA-384 digest does not pass for ECDSAWithSHA512 (nor any other pair), and SHA-1 and
// non-ECDSA algorithms are left to crypto/x509 without being counted.
func TestCheckP384Hashes(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tbs := []byte("to be signed")
	algos := map[x509.SignatureAlgorithm]crypto.Hash{
		x509.ECDSAWithSHA256: crypto.SHA256, x509.ECDSAWithSHA384: crypto.SHA384, x509.ECDSAWithSHA512: crypto.SHA512,
	}
	p384Checked.Store(0)
	t.Cleanup(func() { p384Checked.Store(0) })
	for signedAs, h := range algos {
		d := h.New()
		d.Write(tbs)
		sig, err := ecdsa.SignASN1(rand.Reader, key, d.Sum(nil))
		if err != nil {
			t.Fatal(err)
		}
		for checkedAs := range algos {
			p384Checked.Store(0)
			ok, err := checkP384(&key.PublicKey, checkedAs, tbs, sig)
			if !ok {
				t.Fatalf("%v: not checked by checkP384", checkedAs)
			}
			if (err == nil) != (checkedAs == signedAs) {
				t.Errorf("signed with %v, checked as %v: %v", h, checkedAs, err)
			}
		}
	}
	p384Checked.Store(0)
	for _, algo := range []x509.SignatureAlgorithm{x509.ECDSAWithSHA1, x509.SHA384WithRSA, x509.PureEd25519, x509.UnknownSignatureAlgorithm} {
		if ok, _ := checkP384(&key.PublicKey, algo, tbs, nil); ok {
			t.Errorf("%v: checked by checkP384", algo)
		}
	}
	if n := p384Checked.Load(); n != 0 {
		t.Errorf("%d signatures counted that checkP384 did not check", n)
	}
}
