package tlsaudit

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/pkixname"
	"github.com/signet-pki/signet/x509util"
)

// TestAuditHostileNamesEscaped: a server whose certificate's subject and dNSNames hold
// control characters (an escape sequence, a bell) gets findings where none of them is raw:
// the text report prints the details as they are, on a terminal. The names finding used to
// list the dNSNames raw.
func TestAuditHostileNamesEscaped(t *testing.T) {
	t.Parallel()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "host\x1b]0;pwn\x07"},
		DNSNames: []string{"evil\x1b[31m.example", "x\x07y.example"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	rep := auditGoServer(t, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: k})
	for _, f := range rep.Findings {
		if pkixname.HasUnsafe(f.Detail) || pkixname.HasUnsafe(f.Subject) {
			t.Errorf("a raw control character in %+q", f)
		}
	}
	names := findings(rep, AreaCertificate, "names")
	if len(names) != 1 || !strings.Contains(names[0].Detail, `(its names: evil\1B[31m.example, x\07y.example)`) {
		t.Errorf("names finding %+q", names)
	}
}

// TestAuditRefusesLongChains: a server that sends more certificates than any real chain
// needs gets a failed chain finding and its chain is neither judged nor listed past the leaf,
// as tls serve refuses such a client: path building over them costs CPU and the report
// listed every one.
func TestAuditRefusesLongChains(t *testing.T) {
	t.Parallel()
	cert, err := tls.LoadX509KeyPair(pki(t, "server-chain.pem"), pki(t, "server.key"))
	if err != nil {
		t.Fatal(err)
	}
	inter := cert.Certificate[len(cert.Certificate)-1]
	for len(cert.Certificate) <= x509util.MaxPeerCertificates {
		cert.Certificate = append(cert.Certificate, inter)
	}
	rep := auditGoServer(t, cert)
	want := fmt.Sprintf("the served chain is not judged: it sent %d certificates, more than the %d a chain may have here",
		x509util.MaxPeerCertificates+1, x509util.MaxPeerCertificates)
	if fs := findings(rep, AreaCertificate, "chain"); len(fs) != 1 || fs[0].Verdict != Fail || fs[0].Detail != want {
		t.Errorf("chain findings %+q, want one failure %q", fs, want)
	}
	if len(findings(rep, AreaCertificate, "trust")) != 0 || rep.Verification != nil {
		t.Errorf("the chain was judged:\n%s", dump(rep))
	}
	if len(rep.Chain) != 1 || rep.Chain[0].Subject != "CN=server.example.com,O=Signet Test" {
		t.Errorf("the report lists %d certificates: %+v", len(rep.Chain), rep.Chain)
	}
}
