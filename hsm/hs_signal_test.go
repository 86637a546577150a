//go:build cgo && unix

package hsm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// hsChild runs the test named in a child process of the test binary with env set, and fails
// unless SIGTERM ended it.
func hsChild(t *testing.T, name string, env ...string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+name+"$")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || !ee.Sys().(syscall.WaitStatus).Signaled() || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
		t.Fatalf("the child: %v, want ended by SIGTERM\n%s", err, out)
	}
}

// hsTermOnFirstWrite has the process send itself SIGTERM after the first object written, and
// wait as long as the signal takes to end a process that does not hold it.
func hsTermOnFirstWrite() {
	first := true
	testHookWrite = func() {
		if first {
			first = false
			syscall.Kill(os.Getpid(), syscall.SIGTERM)
			time.Sleep(300 * time.Millisecond)
		}
	}
}

func hsEnvPIN(k string) string {
	if k == EnvPIN {
		return testPIN
	}
	return ""
}

// hsCert issues a certificate for pub, self-signed when parent is nil.
func hsCert(t *testing.T, serial int64, cn string, pub crypto.PublicKey, parent *x509.Certificate, parentKey crypto.Signer, ca bool) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), BasicConstraintsValid: true, IsCA: ca, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestChainImportHoldsSignals: a SIGTERM (or Ctrl-C) that came while signet wrote a key's
// certificate and its chain (token import-cert --with-chain, enroll) ended it between two
// writes, the key left with its certificate and part of its chain (or, as the chain now goes
// first, a chain without the key's certificate). The writes are held together now: the
// signal ends the process once the last is written. A child process sends itself SIGTERM after
// the first write.
func TestChainImportHoldsSignals(t *testing.T) {
	if dir := os.Getenv("SIGNET_HSM_HS_CHAIN_CHILD"); dir != "" {
		hsTermOnFirstWrite()
		var chain []*x509.Certificate
		for _, name := range []string{"leaf", "inter", "root"} {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			c, err := x509.ParseCertificate(b)
			if err != nil {
				t.Fatal(err)
			}
			chain = append(chain, c)
		}
		if _, err := ImportCertificateChain(os.Getenv("SIGNET_HSM_HS_URI"), chain, Options{Getenv: hsEnvPIN}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Second) // the held SIGTERM ends the process before this
		t.Fatal("still alive after the held SIGTERM")
	}
	tt := mustSoftHSM(t, "hs")
	tok := mustOpen(t, tt.uri(""), tt.opts(testPIN))
	if _, err := tok.GenerateKey(mustParse(t, "pkcs11:object=k1"), ECP256); err != nil {
		t.Fatal(err)
	}
	s, err := tok.Signer(mustParse(t, "pkcs11:object=k1"))
	if err != nil {
		t.Fatal(err)
	}
	rootKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	intKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	root := hsCert(t, 1, "HS Root", rootKey.Public(), nil, rootKey, true)
	inter := hsCert(t, 2, "HS Issuing CA", intKey.Public(), root, rootKey, true)
	leaf := hsCert(t, 3, "k1", s.Public(), inter, intKey, false)
	dir := t.TempDir()
	for name, c := range map[string]*x509.Certificate{"leaf": leaf, "inter": inter, "root": root} {
		if err := os.WriteFile(filepath.Join(dir, name), c.Raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	hsChild(t, "TestChainImportHoldsSignals", "SIGNET_HSM_HS_CHAIN_CHILD="+dir, "SIGNET_HSM_HS_URI="+tt.uri("object=k1"))
	certs, err := tok.Objects(&URI{Type: TypeCert})
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 3 {
		t.Errorf("after SIGTERM during the import the token holds %d certificates, want the key's and its chain's 3: %s", len(certs), joinObjectURIs(certs))
	}
	if s, err := tok.Signer(mustParse(t, "pkcs11:object=k1")); err != nil || s.Certificate() == nil || !s.Certificate().Equal(leaf) {
		t.Errorf("the key after the import: %v, want it with its certificate", err)
	}
}

// TestDeleteHoldsSignals: a SIGTERM that came while 'token delete' deleted a key pair and its
// certificate ended it between two deletions, leaving part of the pair. The deletions are
// held together: the signal ends the process once the last is done.
func TestDeleteHoldsSignals(t *testing.T) {
	if uri := os.Getenv("SIGNET_HSM_HS_DELETE_CHILD"); uri != "" {
		hsTermOnFirstWrite()
		if _, err := Delete(uri, Options{Getenv: hsEnvPIN}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Second)
		t.Fatal("still alive after the held SIGTERM")
	}
	tt := mustSoftHSM(t, "hs")
	tok := mustOpen(t, tt.uri(""), tt.opts(testPIN))
	k1, s := mustECKey(t, tok, "pkcs11:object=k1")
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if _, err := tok.ImportKeyCertificate(k1, hsCert(t, 4, "k1", s.Public(), hsCert(t, 5, "CA", caKey.Public(), nil, caKey, true), caKey, false)); err != nil {
		t.Fatal(err)
	}
	hsChild(t, "TestDeleteHoldsSignals", "SIGNET_HSM_HS_DELETE_CHILD="+tt.uri("object=k1"))
	if left, err := tok.Objects(&URI{}); err != nil || len(left) != 0 {
		t.Errorf("after SIGTERM during the deletion the token holds %d objects (%v), want none: %s", len(left), err, joinObjectURIs(left))
	}
}
