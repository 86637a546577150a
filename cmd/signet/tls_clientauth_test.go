package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/pkixname"
	"github.com/signet-pki/signet/internal/tlsprobe"
	"github.com/signet-pki/signet/x509util"

	"github.com/signet-pki/signet/internal/testutil"
)

// fixtureClient issues a certificate for a new P-256 key under the fixture intermediate with
// the template's fields, and writes the certificate (with the intermediate after it) and key.
func fixtureClient(t *testing.T, tmpl *x509.Certificate, issuer *x509.Certificate, issuerKey crypto.Signer, dir, name string) (certFile, keyFile string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.SerialNumber == nil {
		tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, k.Public(), issuerKey)
	if err != nil {
		t.Fatal(err)
	}
	chain := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if !bytes.Equal(issuer.RawSubject, tmpl.RawSubject) || issuer.Raw != nil {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: issuer.Raw})...)
	}
	certFile = filepath.Join(dir, name+".pem")
	if err := os.WriteFile(certFile, chain, 0o600); err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	keyFile = filepath.Join(dir, name+".key")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestServeClientAuthProbes: signet tls serve --require-client-cert lets in, through
// openssl s_client, only a client whose chain signet's engine finds valid for clientAuth
// now: a serverAuth-only certificate, an expired one, one not yet valid, one under another
// root of the same name, and a CA certificate presented as a leaf are each refused during
// the handshake, and the log gives the engine's reason and rule.
func TestServeClientAuthProbes(t *testing.T) {
	dir := t.TempDir()
	ints, err := x509util.LoadCertificateFile(fixturePKI(t, "int-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	intKey := loadFixtureKey(t, "int-ca.key")
	now := time.Now()
	client := func(cn string, from, to time.Time) *x509.Certificate {
		return &x509.Certificate{Subject: pkix.Name{CommonName: cn, Organization: []string{"Signet Test"}},
			NotBefore: from, NotAfter: to, KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, BasicConstraintsValid: true}
	}
	goodCert, goodKey := fixtureClient(t, client("good", now.Add(-time.Hour), now.Add(time.Hour)), ints[0], intKey, dir, "good")
	expCert, expKey := fixtureClient(t, client("expired", now.Add(-48*time.Hour), now.Add(-24*time.Hour)), ints[0], intKey, dir, "expired")
	futCert, futKey := fixtureClient(t, client("future", now.Add(24*time.Hour), now.Add(48*time.Hour)), ints[0], intKey, dir, "future")
	// Another root with the fixture root's very name, and a client under it.
	fk, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rootName := pkix.Name{CommonName: "Signet Test Root CA", Organization: []string{"Signet Test"}}
	ftmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: rootName, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	fder, err := x509.CreateCertificate(rand.Reader, ftmpl, ftmpl, fk.Public(), fk)
	if err != nil {
		t.Fatal(err)
	}
	froot, err := x509.ParseCertificate(fder)
	if err != nil {
		t.Fatal(err)
	}
	forCert, forKey := fixtureClient(t, client("foreign", now.Add(-time.Hour), now.Add(time.Hour)), froot, fk, dir, "foreign")

	addr, log, stop := startServe(t, "--client-ca", fixturePKI(t, "root-ca.pem"), "--require-client-cert")
	if out := sClientTo(t, addr, "-cert", goodCert, "-key", goodKey, "-cert_chain", goodCert); !strings.Contains(out, "hello, CN=good") {
		t.Fatalf("a valid client was not served:\n%s", out)
	}
	cases := []struct {
		name, cert, key, chain, why string
	}{
		{"serverAuth only", fixturePKI(t, "server.pem"), fixturePKI(t, "server.key"), fixturePKI(t, "int-ca.pem"),
			`CN=server\.example\.com,O=Signet Test \(its key not proven\) rejected: eku: .* \[rfc5280\.eku\]`},
		{"expired", expCert, expKey, expCert, `CN=expired,O=Signet Test \(its key not proven\) rejected: expired: .* \[rfc5280\.validity\]`},
		{"not yet valid", futCert, futKey, futCert, `CN=future,O=Signet Test \(its key not proven\) rejected: not-yet-valid: .* \[rfc5280\.validity\]`},
		{"another root of the same name", forCert, forKey, forCert, `CN=foreign,O=Signet Test \(its key not proven\) rejected: unknown-authority: .* \[signet\.no-path\]`},
		{"a CA as leaf", fixturePKI(t, "int-ca.pem"), fixturePKI(t, "int-ca.key"), fixturePKI(t, "int-ca.pem"),
			`CN=Signet Test Intermediate CA,O=Signet Test \(its key not proven\) rejected: constraint: .* \[signet\.leaf-is-ca\]`},
	}
	for _, tc := range cases {
		for _, v := range []string{"-tls1_2", "-tls1_3"} {
			if out := sClientTo(t, addr, v, "-cert", tc.cert, "-key", tc.key, "-cert_chain", tc.chain); strings.Contains(out, "hello,") {
				t.Errorf("%s (%s): served:\n%s", tc.name, v, out)
			}
		}
	}
	stop()
	l := log.String()
	for _, tc := range cases {
		if n := len(regexp.MustCompile(`(?m)^signet: [0-9.:]+: client presenting `+tc.why+`$`).FindAllString(l, -1)); n != 2 {
			t.Errorf("%s: %d log lines %s, want one per TLS version:\n%s", tc.name, n, tc.why, l)
		}
	}
}

// TestTLSCheckHostileServerNames: a server whose certificate's subject or dNSNames, and the
// CA names it asks client certificates of, hold control characters (an escape sequence, a
// bell, a newline): nothing of them reaches tls check's output raw, in text or in JSON's
// decoded strings, and the JSON reason is one of the documented ones. It found no fault.
func TestTLSCheckHostileServerNames(t *testing.T) {
	ints, err := x509util.LoadCertificateFile(fixturePKI(t, "int-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	intKey := loadFixtureKey(t, "int-ca.key")
	now := time.Now()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caDER, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "CA\x1b[2J\nOK"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, ints[0], k.Public(), intKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	// server starts a TLS server with a certificate for these dNSNames, whose subject has
	// control characters, under the fixture intermediate.
	server := func(dnsNames ...string) string {
		der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(now.UnixNano()),
			Subject:  pkix.Name{CommonName: "host\x1b]0;pwn\x07\nOK trusted"},
			DNSNames: dnsNames, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}, ints[0], k.Public(), intKey)
		if err != nil {
			t.Fatal(err)
		}
		ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der, ints[0].Raw}, PrivateKey: k}},
			ClientAuth: tls.RequestClientCert, ClientCAs: pool})
		if err != nil {
			t.Fatal(err)
		}
		testutil.ServeConns(t, ln, func(c net.Conn) {
			c.SetDeadline(time.Now().Add(30 * time.Second))
			if c.(*tls.Conn).Handshake() == nil {
				c.Write([]byte("hi\n"))
			}
		})
		return ln.Addr().String()
	}
	trusted, hostileSAN := server("www.example.com"), server("evil\x1b[31m.example", "www.example.com")
	reasons := []string{"", tlsprobe.ReasonUntrustedServer, tlsprobe.ReasonNameMismatch, tlsprobe.ReasonClientCertRequired,
		tlsprobe.ReasonClientCertRejected, tlsprobe.ReasonProtocolVersion, tlsprobe.ReasonHandshake, tlsprobe.ReasonConnect}
	for _, tc := range []struct{ addr, name, want string }{
		{trusted, "www.example.com", `CN=CA\1B[2J\0AOK`}, // trusted: the CA names are shown
		{trusted, "other.example", ""},
		{hostileSAN, "www.example.com", `"evil\x1b[31m.example"`},
	} {
		_, out, errOut := signetRun(t, "tls", "check", tc.addr, "--server-name", tc.name, "--roots", fixturePKI(t, "root-ca.pem"))
		for i, line := range strings.Split(strings.TrimSuffix(out+errOut, "\n"), "\n") {
			if pkixname.HasUnsafe(line) || strings.HasPrefix(line, "OK") && !strings.HasPrefix(line, "OK "+tc.addr) {
				t.Errorf("%s: line %d is raw: %q", tc.name, i+1, line)
			}
		}
		if !strings.Contains(out, `CN=host\1B]0\;pwn\07\0AOK trusted`) || !strings.Contains(out, tc.want) {
			t.Errorf("%s: the names are not shown escaped:\n%s", tc.name, out)
		}
		_, out, _ = signetRun(t, "tls", "check", tc.addr, "--server-name", tc.name, "--roots", fixturePKI(t, "root-ca.pem"), "--json")
		var rep map[string]any
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("--json: %v\n%s", err, out)
		}
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case string:
				if pkixname.HasUnsafe(v) {
					t.Errorf("%s: a JSON string is raw: %q", tc.name, v)
				}
			case []any:
				for _, e := range v {
					walk(e)
				}
			case map[string]any:
				for _, e := range v {
					walk(e)
				}
			}
		}
		walk(rep)
		if r, _ := rep["reason"].(string); !slices.Contains(reasons, r) {
			t.Errorf("%s: reason %q is none of the documented ones", tc.name, r)
		}
	}
}

// TestServeCRL: tls serve --crl refuses a client its CA has revoked, in the handshake, with
// the engine's rule in the log, and lets in one that is not revoked; --require-crl refuses
// a client whose CA's CRL was not given. tls serve had no way to refuse a revoked client.
func TestServeCRL(t *testing.T) {
	ca := newTestCA(t, "Serve CRL CA")
	_, goodCert, goodKey := ca.client(t, "good")
	bad, badCert, badKey := ca.client(t, "revoked")
	crl := ca.crl(t, bad)
	addr, log, stop := startServe(t, "--client-ca", ca.certFile, "--require-client-cert", "--crl", crl)
	if out := sClientTo(t, addr, "-cert", goodCert, "-key", goodKey); !strings.Contains(out, "hello, CN=good") {
		t.Errorf("a client that is not revoked was not served:\n%s", out)
	}
	for _, v := range []string{"-tls1_2", "-tls1_3"} {
		if out := sClientTo(t, addr, v, "-cert", badCert, "-key", badKey); strings.Contains(out, "hello,") {
			t.Errorf("a revoked client was served (%s):\n%s", v, out)
		}
	}
	stop()
	if n := len(regexp.MustCompile(`(?m)^signet: [0-9.:]+: client presenting CN=revoked,O=Example \(its key not proven\) rejected: revoked: .*\[rfc5280\.revoked\]$`).FindAllString(log.String(), -1)); n != 2 {
		t.Errorf("%d refusals of the revoked client logged, want 2:\n%s", n, log.String())
	}

	other := newTestCA(t, "No CRL CA")
	_, oCert, oKey := other.client(t, "nocrl")
	addr, log, stop = startServe(t, "--client-ca", ca.certFile, "--client-ca", other.certFile, "--require-client-cert", "--crl", crl, "--require-crl")
	if out := sClientTo(t, addr, "-cert", oCert, "-key", oKey); strings.Contains(out, "hello,") {
		t.Errorf("--require-crl: a client whose CA's CRL was not given was served:\n%s", out)
	}
	if out := sClientTo(t, addr, "-cert", goodCert, "-key", goodKey); !strings.Contains(out, "hello, CN=good") {
		t.Errorf("--require-crl: a client with its CA's CRL given was not served:\n%s", out)
	}
	stop()
	if !strings.Contains(log.String(), "client presenting CN=nocrl,O=Example (its key not proven) rejected: ") {
		t.Errorf("log:\n%s", log.String())
	}
}
