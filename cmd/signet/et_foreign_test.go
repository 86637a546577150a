package main

import (
	"crypto/rand"
	"crypto/x509"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/x509util"
)

// etForeign is a SoftHSM2 token "fx" on which other tools made two keys and wrote their
// certificates (issued by 'openssl x509 -req' under the fixture intermediate CA): one by
// pkcs11-tool (--keypairgen, EC P-256, id 4a, label "opensc key"; its CSR by openssl req with
// libp11's engine; the certificate by --write-object) and one by p11tool (--generate-privkey,
// EC P-384, label "gnutls key", the id p11tool draws; its CSR by certtool; the certificate by
// --write). privURI is the URI p11tool prints for the second key.
type etForeign struct {
	dir, engineConf, privURI string
}

func newETForeign(t *testing.T) *etForeign {
	t.Helper()
	newSoftHSM(t, "fx")
	module := os.Getenv("SIGNET_PKCS11_MODULE")
	pkcs11Tool := testutil.RequireTool(t, "pkcs11-tool")
	p11tool := testutil.RequireTool(t, "p11tool")
	certtool := testutil.RequireTool(t, "certtool")
	openssl := testutil.RequireTool(t, "openssl")
	f := &etForeign{dir: t.TempDir(), engineConf: etEngineConf(t)}
	gnutls := testutil.Cmd{Env: []string{"GNUTLS_PIN=" + testutil.SoftHSMPIN}}
	write := func(name, content string) string {
		p := filepath.Join(f.dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ext := write("client.ext", "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n")
	issue := func(csr, name string) string {
		out := filepath.Join(f.dir, name+".pem")
		testutil.Run(t, openssl, "x509", "-req", "-in", csr, "-CA", fixturePKI(t, "int-ca.pem"), "-CAkey", fixturePKI(t, "int-ca.key"),
			"-CAcreateserial", "-CAserial", filepath.Join(f.dir, "serial"), "-days", "30", "-extfile", ext, "-out", out)
		return out
	}

	testutil.Run(t, pkcs11Tool, "--module", module, "--token-label", "fx", "--login", "--pin", testutil.SoftHSMPIN,
		"--keypairgen", "--key-type", "EC:prime256v1", "--id", "4a", "--label", "opensc key")
	csr := filepath.Join(f.dir, "opensc.csr")
	testutil.Cmd{Env: []string{"OPENSSL_CONF=" + f.engineConf}}.Run(t, openssl, "req", "-new", "-engine", "pkcs11", "-keyform", "engine",
		"-key", "pkcs11:token=fx;object=opensc%20key;type=private", "-passin", "pass:"+testutil.SoftHSMPIN, "-subj", "/CN=opensc client", "-out", csr)
	der := filepath.Join(f.dir, "opensc.der")
	testutil.Run(t, openssl, "x509", "-in", issue(csr, "opensc"), "-outform", "DER", "-out", der)
	testutil.Run(t, pkcs11Tool, "--module", module, "--token-label", "fx", "--login", "--pin", testutil.SoftHSMPIN,
		"--write-object", der, "--type", "cert", "--id", "4a", "--label", "opensc key")

	gnutls.Run(t, p11tool, "--login", "--generate-privkey", "ECDSA", "--curve", "secp384r1", "--label", "gnutls key", "pkcs11:token=fx")
	csr = filepath.Join(f.dir, "gnutls.csr")
	gnutls.Run(t, certtool, "--generate-request", "--load-privkey", "pkcs11:token=fx;object=gnutls%20key;type=private",
		"--template", write("gnutls.tmpl", "cn = \"gnutls client\"\ntls_www_client\nsigning_key\n"), "--outfile", csr)
	gnutls.Run(t, p11tool, "--login", "--write", "--load-certificate", issue(csr, "gnutls"), "--label", "gnutls key", "pkcs11:token=fx")
	for _, b := range p11toolList(t, "pkcs11:token=fx", "--login", "--list-privkeys") {
		if strings.Contains(b, "Label: gnutls key\n") {
			_, u, _ := strings.Cut(b, "URL: ")
			f.privURI, _, _ = strings.Cut(u, "\n")
		}
	}
	if f.privURI == "" {
		t.Fatal("p11tool lists no private key labelled \"gnutls key\"")
	}
	return f
}

// gnutlsServ starts gnutls-serv with the fixture server certificate, requiring a client
// certificate that verifies under cafile, echoing what it reads; it returns its address.
func gnutlsServ(t *testing.T, cafile string) string {
	t.Helper()
	bin := testutil.RequireTool(t, "gnutls-serv")
	addr := freePort(t)
	_, port, _ := strings.Cut(addr, ":")
	p := &serverProc{out: &syncBuffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(bin, "--echo", "--require-client-cert", "--x509cafile", cafile, "--x509certfile", fixturePKI(t, "server-chain.pem"),
		"--x509keyfile", fixturePKI(t, "server.key"), "-p", port)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("gnutls-serv said:\n%s", p.out.String())
		}
	})
	waitPort(t, addr, p.out)
	return addr
}

// TestETForeignKeysInSignet: keys and certificates pkcs11-tool and p11tool put on a token are
// used by signet tls check (by signet's URI and by the URI p11tool prints) against openssl
// s_server -Verify 1 and gnutls-serv --require-client-cert, and by signet tls tunnel as the
// client; signet enroll over that token changes none of their objects
// (etEnrollOverForeignObjects).
func TestETForeignKeysInSignet(t *testing.T) {
	f := newETForeign(t)
	bundle := etCABundle(t)
	root := fixturePKI(t, "root-ca.pem")
	keys := map[string]string{
		"pkcs11-tool's key": "pkcs11:token=fx;object=opensc%20key",
		"p11tool's key":     f.privURI,
	}
	for name, uri := range keys {
		t.Run(name, func(t *testing.T) {
			servers := map[string]string{"openssl s_server": startSServer(t, "-CAfile", bundle, "-Verify", "1", "-verify_return_error")}
			if uri == f.privURI {
				servers["gnutls-serv"] = gnutlsServ(t, bundle)
			}
			// pkcs11-tool's key under TLS 1.2, where the server's verdict is part of the
			// handshake (under 1.3 tls check waits for it after the handshake, 2 s with s_server).
			version := "1.3"
			if uri != f.privURI {
				version = "1.2"
			}
			for server, addr := range servers {
				code, out, errOut := signetRun(t, "tls", "check", addr, "--server-name", "www.example.com", "--roots", root, "--key", uri, "--max-version", version)
				if code != 0 || !strings.Contains(out, "accepted        yes") {
					t.Errorf("tls check against %s with %s: exit %d\n%s%s", server, uri, code, out, errOut)
				}
			}
		})
	}
	t.Run("tunnel", func(t *testing.T) {
		srv := gnutlsServ(t, bundle)
		addr, _, stop := startInProcess(t, "tls tunnel", []string{"signet", "tls", "tunnel", "--listen", "127.0.0.1:0", "--connect", srv,
			"--host", "www.example.com", "--roots", root, "--key", f.privURI})
		defer stop()
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		if _, err := c.Write([]byte("ping through the tunnel\n")); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 64)
		n, err := c.Read(buf)
		if got := string(buf[:n]); got != "ping through the tunnel\n" {
			t.Errorf("through the tunnel to gnutls-serv --echo: %q, %v", got, err)
		}
	})
	t.Run("enroll over them", func(t *testing.T) { etEnrollOverForeignObjects(t, f) })
}

// etSnapshot is every object on the token fx as signet lists it, by URI.
func etSnapshot(t *testing.T) map[string]etObject {
	t.Helper()
	m := map[string]etObject{}
	for _, o := range etObjects(t, "pkcs11:token=fx") {
		m[o.URI] = o
	}
	return m
}

// etEnrollOverForeignObjects: enroll run over a token that other tools filled keeps their
// objects and pairings: a key with a valid certificate of the CA for the names asked is
// already enrolled; other names are refused (exit 2); a new key gets an id none of them uses.
func etEnrollOverForeignObjects(t *testing.T, f *etForeign) {
	before := etSnapshot(t)
	ca := []string{"--ca", fixturePKI(t, "int-ca.pem"), "--ca-key", fixturePKI(t, "int-ca.key")}
	for uri, subject := range map[string]string{"pkcs11:token=fx;object=opensc%20key": "CN=opensc client", f.privURI: "CN=gnutls client"} {
		out := mustSignet(t, append([]string{"enroll", "--token", uri, "--subject", subject}, ca...)...)
		if !strings.Contains(out, "already enrolled: "+subject) {
			t.Errorf("enroll over %s:\n%s", uri, out)
		}
		code, out, errOut := signetRun(t, append([]string{"enroll", "--token", uri, "--subject", "CN=mallory"}, ca...)...)
		if code != exitUsage || strings.Count(strings.TrimSpace(errOut), "\n") > 1 || !strings.Contains(errOut, "not the subject asked for") {
			t.Errorf("enroll for other names over %s: exit %d\n%s%s", uri, code, out, errOut)
		}
	}
	mustSignet(t, append([]string{"enroll", "--token", "pkcs11:token=fx;object=new", "--subject", "CN=new"}, ca...)...)
	after := etSnapshot(t)
	for u, o := range before {
		if a, ok := after[u]; !ok || a != o {
			t.Errorf("%s changed: %+v, now %+v", u, o, a)
		}
	}
	gnutlsID := ""
	for _, o := range before {
		if o.Label == "gnutls key" {
			gnutlsID = o.ID
		}
	}
	for _, o := range after {
		if o.Label == "new" && (o.ID == "4a" || o.ID == gnutlsID) {
			t.Errorf("the new key's %s has the id of another key", o.URI)
		}
	}
}

// etWriteCert writes a certificate (PEM or DER file) onto the token fx with pkcs11-tool, as a
// user does, with the id (hex) and label given.
func etWriteCert(t *testing.T, f *etForeign, certFile, id, label string) {
	t.Helper()
	der := filepath.Join(f.dir, label+"-"+id+".der")
	testutil.Run(t, testutil.RequireTool(t, "openssl"), "x509", "-in", certFile, "-outform", "DER", "-out", der)
	testutil.Run(t, testutil.RequireTool(t, "pkcs11-tool"), "--module", os.Getenv("SIGNET_PKCS11_MODULE"), "--token-label", "fx", "--login",
		"--pin", testutil.SoftHSMPIN, "--write-object", der, "--type", "cert", "--id", id, "--label", label)
}

// etCheckOneLine holds a failing command to its exit code and a one-line error that names
// what and never the PIN.
func etCheckOneLine(t *testing.T, what string, code, want int, out, errOut string, says string) {
	t.Helper()
	var errs []string
	for _, l := range strings.Split(errOut, "\n") {
		if strings.HasPrefix(l, "signet: error: ") {
			errs = append(errs, l)
		}
	}
	first := strings.Join(errs, "\n")
	if code != want || len(errs) != 1 || !strings.Contains(first, says) || strings.Contains(errOut+out, testutil.SoftHSMPIN) || strings.Contains(errOut+out, "9999") {
		t.Errorf("%s: exit %d (want %d), error %q (want it to say %q)\n%s%s", what, code, want, first, says, out, errOut)
	}
}

// TestETTokenFailurePaths: what a user meets on a token other tools filled, each time with
// the token's objects unchanged by signet: a certificate of another key written with a key's
// id, an expired certificate beside the current one, a certificate whose key is not there, a
// key that may not sign, a wrong PIN.
func TestETTokenFailurePaths(t *testing.T) {
	f := newETForeign(t)
	root := fixturePKI(t, "root-ca.pem")
	bundle := etCABundle(t)
	ca := []string{"--ca", fixturePKI(t, "int-ca.pem"), "--ca-key", fixturePKI(t, "int-ca.key")}
	opensc := "pkcs11:token=fx;object=opensc%20key"
	checkOpensc := func(t *testing.T) {
		t.Helper()
		addr := startSServer(t, "-CAfile", bundle, "-Verify", "1", "-verify_return_error")
		code, out, errOut := signetRun(t, "tls", "check", addr, "--server-name", "www.example.com", "--roots", root, "--key", opensc, "--max-version", "1.2")
		if code != 0 || !strings.Contains(out, "accepted        yes") || !strings.Contains(out, "CN=opensc client") {
			t.Errorf("tls check with %s: exit %d\n%s%s", opensc, code, out, errOut)
		}
		out = mustSignet(t, append([]string{"enroll", "--token", opensc, "--subject", "CN=opensc client"}, ca...)...)
		if !strings.Contains(out, "already enrolled: CN=opensc client") {
			t.Errorf("enroll over %s:\n%s", opensc, out)
		}
	}

	t.Run("an expired certificate beside the current one", func(t *testing.T) {
		cur, err := x509util.LoadCertificateFile(filepath.Join(f.dir, "opensc.pem"))
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(4242), Subject: cur[0].Subject, NotBefore: time.Now().Add(-60 * 24 * time.Hour),
			NotAfter: time.Now().Add(-30 * 24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
		ints, err := x509util.LoadCertificateFile(fixturePKI(t, "int-ca.pem"))
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ints[0], cur[0].PublicKey, loadFixtureKey(t, "int-ca.key"))
		if err != nil {
			t.Fatal(err)
		}
		expired := writePEMFile(t, filepath.Join(f.dir, "expired.pem"), "CERTIFICATE", der)
		etWriteCert(t, f, expired, "4a", "opensc key")
		before := etSnapshot(t)
		checkOpensc(t)
		if after := etSnapshot(t); len(after) != len(before) {
			t.Errorf("%d objects, %d before", len(after), len(before))
		}
	})
	t.Run("a certificate of another key with the key's id", func(t *testing.T) {
		etWriteCert(t, f, filepath.Join(f.dir, "gnutls.pem"), "4a", "a stray")
		for _, o := range etObjects(t, opensc) {
			if o.Type == "private" && !strings.Contains(o.CertificateURI, "object=opensc%20key") {
				t.Errorf("signet pairs %s with %s, a certificate of another key", o.URI, o.CertificateURI)
			}
		}
		checkOpensc(t)
	})
	t.Run("a certificate whose key is not there", func(t *testing.T) {
		etWriteCert(t, f, filepath.Join(f.dir, "gnutls.pem"), "77", "orphan")
		before := etSnapshot(t)
		code, out, errOut := signetRun(t, "tls", "check", "127.0.0.1:1", "--roots", root, "--key", "pkcs11:token=fx;object=orphan")
		etCheckOneLine(t, "tls check with a certificate's label", code, exitKey, out, errOut, "no private key matches")
		code, out, errOut = signetRun(t, append([]string{"enroll", "--token", "pkcs11:token=fx;object=orphan", "--subject", "CN=orphan"}, ca...)...)
		etCheckOneLine(t, "enroll on a certificate's label", code, exitUsage, out, errOut, "already has an object with label \"orphan\"")
		if after := etSnapshot(t); len(after) != len(before) {
			t.Errorf("%d objects, %d before", len(after), len(before))
		}
	})
	t.Run("a key that may not sign", func(t *testing.T) {
		testutil.Cmd{Env: []string{"GNUTLS_PIN=" + testutil.SoftHSMPIN}}.Run(t, testutil.RequireTool(t, "p11tool"), "--login",
			"--generate-privkey", "RSA", "--bits", "2048", "--mark-decrypt", "--label", "decrypt only", "pkcs11:token=fx")
		before := etSnapshot(t)
		code, out, errOut := signetRun(t, append([]string{"enroll", "--token", "pkcs11:token=fx;object=decrypt%20only", "--subject", "CN=d"}, ca...)...)
		etCheckOneLine(t, "enroll on a key with CKA_SIGN false", code, exitKey, out, errOut, "cannot sign (CKA_SIGN is false)")
		addr := startSServer(t, "-CAfile", bundle, "-Verify", "1", "-verify_return_error")
		code, out, errOut = signetRun(t, "tls", "check", addr, "--server-name", "www.example.com", "--roots", root, "--key", "pkcs11:token=fx;object=decrypt%20only")
		etCheckOneLine(t, "tls check with a key with CKA_SIGN false", code, exitKey, out, errOut, "cannot sign (CKA_SIGN is false)")
		if after := etSnapshot(t); len(after) != len(before) {
			t.Errorf("%d objects, %d before", len(after), len(before))
		}
	})
	t.Run("a wrong PIN", func(t *testing.T) {
		before := etSnapshot(t)
		t.Setenv("SIGNET_PIN", "9999")
		code, out, errOut := signetRun(t, append([]string{"enroll", "--token", "pkcs11:token=fx;object=new", "--subject", "CN=new"}, ca...)...)
		etCheckOneLine(t, "enroll with a wrong PIN", code, exitKey, out, errOut, "PIN")
		t.Setenv("SIGNET_PIN", testutil.SoftHSMPIN)
		if after := etSnapshot(t); len(after) != len(before) {
			t.Errorf("%d objects, %d before", len(after), len(before))
		}
	})
}

// TestETEnrollChainClashWritesNothing: a chain certificate enroll cannot write (the token holds
// another certificate under its label, here one pkcs11-tool wrote) stops enroll before it
// writes anything: no key generated, no certificate beside an existing key, none on finishing
// with --cert. Enroll generated the key and wrote its certificate, then failed on the chain
// (exit 2); run again, it reported the key enrolled and changed nothing, and the token stayed
// without the chain its certificate needs before servers that know only the root.
func TestETEnrollChainClashWritesNothing(t *testing.T) {
	newSoftHSM(t, "fx")
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	etWriteCert(t, &etForeign{dir: dir}, fixturePKI(t, "root-ca.pem"), "99", "Signet Test Intermediate CA")
	ca := []string{"--ca", fixturePKI(t, "int-ca.pem"), "--ca-key", fixturePKI(t, "int-ca.key")}
	says := `already has a certificate with label "Signet Test Intermediate CA"`
	before := etSnapshot(t)
	code, out, errOut := signetRun(t, append([]string{"enroll", "--token", "pkcs11:token=fx;object=new", "--subject", "CN=new"}, ca...)...)
	etCheckOneLine(t, "enroll generating a key", code, exitUsage, out, errOut, says)
	if after := etSnapshot(t); len(after) != len(before) {
		t.Errorf("%d objects after a refused enroll, %d before: %v", len(after), len(before), after)
	}

	mustSignet(t, "key", "gen", "--type", "ec-p256", "-o", "pkcs11:token=fx;object=old")
	before = etSnapshot(t)
	code, out, errOut = signetRun(t, append([]string{"enroll", "--token", "pkcs11:token=fx;object=old", "--subject", "CN=old"}, ca...)...)
	etCheckOneLine(t, "enroll on an existing key", code, exitUsage, out, errOut, says)

	csr, cert := filepath.Join(dir, "old.csr"), filepath.Join(dir, "old.pem")
	mustSignet(t, "enroll", "--token", "pkcs11:token=fx;object=old", "--subject", "CN=old", "--csr-out", csr)
	ext := filepath.Join(dir, "client.ext")
	if err := os.WriteFile(ext, []byte("extendedKeyUsage=clientAuth\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	testutil.Run(t, openssl, "x509", "-req", "-in", csr, "-CA", fixturePKI(t, "int-ca.pem"), "-CAkey", fixturePKI(t, "int-ca.key"),
		"-CAcreateserial", "-CAserial", filepath.Join(dir, "serial"), "-days", "30", "-extfile", ext, "-out", cert)
	code, out, errOut = signetRun(t, "enroll", "--token", "pkcs11:token=fx;object=old", "--cert", cert, "--chain", fixturePKI(t, "int-ca.pem"))
	etCheckOneLine(t, "enroll --cert --chain", code, exitUsage, out, errOut, says)
	if after := etSnapshot(t); len(after) != len(before) {
		t.Errorf("%d objects after refused enrolments of an existing key, %d before: %v", len(after), len(before), after)
	}

	// A renewal (--force) under the intermediate of a key the root enrolled keeps the
	// certificate it has.
	mustSignet(t, "enroll", "--token", "pkcs11:token=fx;object=ren", "--subject", "CN=ren", "--ca", fixturePKI(t, "root-ca.pem"), "--ca-key", fixturePKI(t, "root-ca.key"))
	before = etSnapshot(t)
	code, out, errOut = signetRun(t, append([]string{"enroll", "--token", "pkcs11:token=fx;object=ren", "--subject", "CN=ren", "--force"}, ca...)...)
	etCheckOneLine(t, "enroll --force", code, exitUsage, out, errOut, says)
	if after := etSnapshot(t); len(after) != len(before) {
		t.Errorf("%d objects after a refused renewal, %d before: %v", len(after), len(before), after)
	}
	out = mustSignet(t, "enroll", "--token", "pkcs11:token=fx;object=ren", "--subject", "CN=ren", "--ca", fixturePKI(t, "root-ca.pem"), "--ca-key", fixturePKI(t, "root-ca.key"))
	if !strings.Contains(out, "already enrolled: CN=ren, issued by CN=Signet Test Root CA") {
		t.Errorf("after a refused renewal:\n%s", out)
	}
}
