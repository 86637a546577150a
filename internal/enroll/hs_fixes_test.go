package enroll

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/signet-pki/signet/hsm"
	"github.com/signet-pki/signet/internal/testutil"
)

// renewCA issues ca again under its own key (the same subject and key, a new serial and
// validity), as a CA renews its self-signed certificate.
func renewCA(t *testing.T, ca *x509.Certificate, key crypto.Signer) *x509.Certificate {
	t.Helper()
	tmpl := *ca
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano() + 1)
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-30*time.Minute), time.Now().Add(48*time.Hour)
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, &tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestEnrollChainClashesWithTheKey: a key whose label is the issuing CA's common name (the
// label its certificate gets on the token), or whose CKA_ID is the CA's subject key
// identifier, passed the chain check, which compared the CA certificate with the token's
// certificates alone: enroll generated the key, wrote its certificate under that label and id,
// and failed on the CA certificate (ErrExists), the key left with its certificate and without
// its chain, which the next run took for a finished enrolment. The check now covers the key's
// certificate too, before the key is generated and before anything is written.
func TestEnrollChainClashesWithTheKey(t *testing.T) {
	topts := tokenOptions(t)
	ca, caKey := caCert(t, pkix.Name{CommonName: "Clash CA"}, nil, nil, nil)

	// A new key, labelled as the CA: nothing is generated, nothing written.
	_, err := Enroll(Options{Token: "pkcs11:token=alice;object=Clash%20CA", TokenOptions: topts, Subject: subject("alice"),
		CA: []*x509.Certificate{ca}, CAKey: caKey})
	if !errors.Is(err, hsm.ErrExists) {
		t.Errorf("a new key labelled as its CA: %v, want ErrExists", err)
	}
	if objs := tokenObjects(t, topts); len(objs) != 0 {
		t.Errorf("after the refused enrolment the token holds %d objects, want none: %s", len(objs), uris(objs))
	}

	// An existing key labelled as the CA, and one whose id is the CA's key identifier.
	for _, key := range []string{"object=Clash%20CA", "object=k;id=" + pctEncode(ca.SubjectKeyId)} {
		if _, err := hsm.GenerateKey("pkcs11:token=alice;"+key, hsm.ECP256, topts); err != nil {
			t.Fatal(err)
		}
		_, err := Enroll(Options{Token: "pkcs11:token=alice;" + key, TokenOptions: topts, Subject: subject("alice"),
			CA: []*x509.Certificate{ca}, CAKey: caKey})
		if !errors.Is(err, hsm.ErrExists) {
			t.Errorf("%s: %v, want ErrExists", key, err)
		}
		if certs := tokenCerts(t, topts); len(certs) != 0 {
			t.Errorf("%s: after the refused enrolment the token holds %d certificates, want none: %s", key, len(certs), uris(certs))
		}
		if _, err := hsm.Delete("pkcs11:token=alice;"+key, topts); err != nil {
			t.Fatal(err)
		}
	}
}

// TestEnrollForceAfterTheCARenewed: a CA that renewed its certificate under the same key (the
// same subject and key, a new serial and validity) left 'enroll --force' refused (ErrExists:
// the token held the old CA certificate where the new one would go) until the old one was
// deleted by hand. With Force the CA certificate of the same subject and key is replaced, as
// the key's own certificate is; without it, a new key's enrolment is refused as before,
// saying that Force replaces it, and nothing is written.
func TestEnrollForceAfterTheCARenewed(t *testing.T) {
	topts := tokenOptions(t)
	ca, caKey := caCert(t, pkix.Name{CommonName: "Renewing CA"}, nil, nil, nil)
	if _, err := Enroll(Options{Token: "pkcs11:token=alice;object=k1", TokenOptions: topts, Subject: subject("alice"),
		CA: []*x509.Certificate{ca}, CAKey: caKey}); err != nil {
		t.Fatal(err)
	}
	renewed := renewCA(t, ca, caKey)

	// A second key, without Force: refused before its key is generated.
	_, err := Enroll(Options{Token: "pkcs11:token=alice;object=k2", TokenOptions: topts, Subject: subject("bob"),
		CA: []*x509.Certificate{renewed}, CAKey: caKey})
	var fe *ForceError
	if !errors.Is(err, hsm.ErrExists) || !errors.As(err, &fe) {
		t.Errorf("a new key under the renewed CA without Force: %v, want ErrExists, a ForceError", err)
	}
	if objs := tokenObjects(t, topts); len(objs) != 4 {
		t.Errorf("the refused enrolment left %d objects, want the first key's 4 (its pair, its certificate, the CA's): %s", len(objs), uris(objs))
	}

	res, err := Enroll(Options{Token: "pkcs11:token=alice;object=k1", TokenOptions: topts, Subject: subject("alice"),
		CA: []*x509.Certificate{renewed}, CAKey: caKey, Force: true})
	if err != nil {
		t.Fatalf("enroll --force under the renewed CA: %v", err)
	}
	if !res.Renewed || res.Certificate.CheckSignatureFrom(renewed) != nil {
		t.Errorf("renewed %v, certificate from %s", res.Renewed, res.Issuer)
	}
	var leaves, cas []*x509.Certificate
	for _, o := range tokenCerts(t, topts) {
		if o.Certificate.IsCA {
			cas = append(cas, o.Certificate)
		} else {
			leaves = append(leaves, o.Certificate)
		}
	}
	if len(leaves) != 1 || !leaves[0].Equal(res.Certificate) || len(cas) != 1 || !cas[0].Equal(renewed) {
		t.Errorf("the token holds %d key certificates and %d CA certificates, want the new one and the renewed CA's", len(leaves), len(cas))
	}
	s, err := hsm.OpenSigner("pkcs11:token=alice;object=k1", topts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if c := s.Certificate(); c == nil || !c.Equal(res.Certificate) {
		t.Errorf("the key's certificate is not the renewed one")
	}
}

func uris(objs []hsm.Object) string {
	var s []string
	for _, o := range objs {
		s = append(s, o.URI)
	}
	return strings.Join(s, ", ")
}

func pctEncode(b []byte) string {
	const hex = "0123456789ABCDEF"
	var sb strings.Builder
	for _, c := range b {
		sb.WriteByte('%')
		sb.WriteByte(hex[c>>4])
		sb.WriteByte(hex[c&15])
	}
	return sb.String()
}

// failingSigner is a CA key whose signatures fail, as a CA key on a token pulled out
// mid-run would.
type failingSigner struct{ crypto.Signer }

func (failingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("the CA key is gone")
}

// TestEnrollUndoesTheKeyItGenerated: an enrolment that failed after it generated the key (the
// CA's signature failed) left the new key on the token without a certificate. The key this
// run generated is deleted again: the token is as it was.
func TestEnrollUndoesTheKeyItGenerated(t *testing.T) {
	topts := tokenOptions(t)
	ca, caKey := caCert(t, pkix.Name{CommonName: "Failing CA"}, nil, nil, nil)
	_, err := Enroll(Options{Token: "pkcs11:token=alice;object=k", TokenOptions: topts, Subject: subject("alice"),
		CA: []*x509.Certificate{ca}, CAKey: failingSigner{caKey}})
	if err == nil || !strings.Contains(err.Error(), "the CA key is gone") {
		t.Fatalf("enroll with a failing CA key: %v", err)
	}
	if objs := tokenObjects(t, topts); len(objs) != 0 {
		t.Errorf("the failed enrolment (%v) left %d objects, want none: %s", err, len(objs), uris(objs))
	}
}

// TestEnrollHoldsSignals: a SIGTERM (or Ctrl-C) that came once enroll had generated the key
// ended it there, the key left on the token without its certificate and chain. A child
// process sends itself SIGTERM just after the key is generated: the enrolment goes on to its
// end (key, certificate, chain), and then the signal ends the process.
func TestEnrollHoldsSignals(t *testing.T) {
	if module := os.Getenv("SIGNET_ENROLL_HS_CHILD"); module != "" {
		testHookGenerated = func() {
			syscall.Kill(os.Getpid(), syscall.SIGTERM)
			time.Sleep(300 * time.Millisecond) // without the hold, the process ends here
		}
		ca, caKey := caCert(t, pkix.Name{CommonName: "Signal CA"}, nil, nil, nil)
		topts := hsm.Options{Module: module, Getenv: func(k string) string {
			if k == "SIGNET_PIN" {
				return testutil.SoftHSMPIN
			}
			return ""
		}}
		if _, err := Enroll(Options{Token: "pkcs11:token=alice;object=k", TokenOptions: topts, Subject: subject("alice"),
			CA: []*x509.Certificate{ca}, CAKey: caKey}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Second) // the held SIGTERM ends the process before this
		t.Fatal("still alive after the held SIGTERM")
	}
	topts := tokenOptions(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestEnrollHoldsSignals$")
	cmd.Env = append(os.Environ(), "SIGNET_ENROLL_HS_CHILD="+topts.Module)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || !ee.Sys().(syscall.WaitStatus).Signaled() || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
		t.Fatalf("the child: %v, want ended by SIGTERM\n%s", err, out)
	}
	if objs := tokenObjects(t, topts); len(objs) != 4 {
		t.Errorf("after SIGTERM during the enrolment the token holds %d objects, want the key pair, its certificate and the CA's: %s", len(objs), uris(objs))
	}
}
