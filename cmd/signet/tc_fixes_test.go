package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/x509util"
)

// TestServeRefusesClientKeyUsageWithoutDigitalSignature: a client proves its key by signing
// the handshake (CertificateVerify), so a certificate whose key usage does not allow
// signatures (keyEncipherment alone, keyAgreement alone) cannot be used for TLS client
// authentication (RFC 8446 4.4.2.2; RFC 5280 4.2.1.3). tls serve let both in, through
// openssl s_client, in TLS 1.2 and 1.3 (found by the TLS client-certificate campaign, seed
// 17); it now refuses them with the engine's rule, and still serves a certificate with
// digitalSignature or with no key usage extension (unrestricted, RFC 5280 4.2.1.3).
func TestServeRefusesClientKeyUsageWithoutDigitalSignature(t *testing.T) {
	dir := t.TempDir()
	ints, err := x509util.LoadCertificateFile(fixturePKI(t, "int-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	intKey := loadFixtureKey(t, "int-ca.key")
	now := time.Now()
	client := func(cn string, ku x509.KeyUsage) (string, string) {
		return fixtureClient(t, &x509.Certificate{Subject: pkix.Name{CommonName: cn}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
			KeyUsage: ku, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, BasicConstraintsValid: true}, ints[0], intKey, dir, cn)
	}
	addr, log, stop := startServe(t, "--client-ca", fixturePKI(t, "root-ca.pem"), "--require-client-cert")
	for _, tc := range []struct {
		cn    string
		ku    x509.KeyUsage
		serve bool
	}{
		{"signs", x509.KeyUsageDigitalSignature, true},
		{"unrestricted", 0, true},
		{"encipherment", x509.KeyUsageKeyEncipherment, false},
		{"agreement", x509.KeyUsageKeyAgreement, false},
	} {
		cert, key := client(tc.cn, tc.ku)
		for _, v := range []string{"-tls1_2", "-tls1_3"} {
			out := sClientTo(t, addr, v, "-cert", cert, "-key", key, "-cert_chain", cert)
			if served := strings.Contains(out, "hello, CN="+tc.cn); served != tc.serve {
				t.Errorf("%s (%s): served %v, want %v:\n%s", tc.cn, v, served, tc.serve, out)
			}
		}
	}
	stop()
	for _, cn := range []string{"encipherment", "agreement"} {
		re := regexp.MustCompile(`(?m)^signet: [0-9.:]+: client presenting CN=` + cn + ` \(its key not proven\) rejected: key-usage: .*without digitalSignature \[rfc5280\.key-usage\]$`)
		if n := len(re.FindAllString(log.String(), -1)); n != 2 {
			t.Errorf("%s: %d log lines with the key-usage rule, want one per TLS version:\n%s", cn, n, log.String())
		}
	}
}

// tcServerCert writes a root, and under it a server certificate for srv.example.test with
// serverAuth, a key of the type (ed25519, rsa) and the key usage (a name, or "absent").
func tcServerCert(t *testing.T, dir, keyType, ku string) (root, leaf, key string) {
	t.Helper()
	kt := map[string]x509util.KeyType{"ed25519": x509util.KeyEd25519, "rsa": x509util.KeyRSA2048}[keyType]
	rk, err := x509util.GenerateKey(x509util.KeyECP256)
	if err != nil {
		t.Fatal(err)
	}
	lk, err := x509util.GenerateKey(kt)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	rt := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "KU Root"}, NotBefore: now.Add(-time.Hour),
		NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	rder, err := x509.CreateCertificate(rand.Reader, rt, rt, rk.Public(), rk)
	if err != nil {
		t.Fatal(err)
	}
	lt := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "srv"}, DNSNames: []string{"srv.example.test"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: map[string]x509.KeyUsage{"digitalSignature": x509.KeyUsageDigitalSignature, "keyAgreement": x509.KeyUsageKeyAgreement,
			"keyEncipherment": x509.KeyUsageKeyEncipherment}[ku]}
	rc, err := x509.ParseCertificate(rder) // with the subject key identifier crypto/x509 made
	if err != nil {
		t.Fatal(err)
	}
	lder, err := x509.CreateCertificate(rand.Reader, lt, rc, lk.Public(), rk)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(lk)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, der []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	return write("root.pem", "CERTIFICATE", rder), write("leaf.pem", "CERTIFICATE", lder), write("leaf.key", "PRIVATE KEY", kder)
}

// TestTLSCheckRefusesServerKeyUsageWithoutDigitalSignature: a server signs the handshake
// (TLS 1.3's CertificateVerify, TLS 1.2's ServerKeyExchange: signet's clients agree to no
// other key exchange), which a certificate whose key usage lacks digitalSignature does not
// allow (RFC 8446 4.4.2.2, RFC 5246 7.4.2, RFC 8422 5.3). openssl s_server signs with such an
// Ed25519 or RSA key all the same; tls check trusted it, in TLS 1.2 and 1.3, where openssl
// s_client refuses the Ed25519 one under TLS 1.2 ("ecc cert not for signing"; found by the TLS
// client-certificate campaign, seed 461). It now reports an untrusted server with the
// engine's rule, and still trusts a certificate with digitalSignature or without the
// extension.
func TestTLSCheckRefusesServerKeyUsageWithoutDigitalSignature(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	for _, tc := range []struct {
		key, ku string
		trust   bool
	}{
		{"ed25519", "digitalSignature", true},
		{"ed25519", "absent", true},
		{"ed25519", "keyAgreement", false},
		{"ed25519", "keyEncipherment", false},
		{"rsa", "keyEncipherment", false},
		{"rsa", "keyAgreement", false},
	} {
		for _, v := range []string{"1.2", "1.3"} {
			root, leaf, key := tcServerCert(t, t.TempDir(), tc.key, tc.ku)
			addr, wait := tcSServer(t, openssl, 1, "-cert", leaf, "-key", key)
			_, port, _ := strings.Cut(addr, ":")
			code, out, errOut := signetRun(t, "tls", "check", "127.0.0.1:"+port, "--server-name", "srv.example.test", "--roots", root,
				"--min-version", v, "--max-version", v, "--json")
			wait()
			var rep struct {
				ServerTrusted bool   `json:"server_trusted"`
				ServerError   string `json:"server_error"`
				Reason        string `json:"reason"`
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("%s %s TLS %s: %v: %s%s", tc.key, tc.ku, v, err, out, errOut)
			}
			if rep.ServerTrusted != tc.trust || (code == 0) != tc.trust {
				t.Errorf("%s with key usage %s, TLS %s: trusted %v (exit %d), want %v: %s", tc.key, tc.ku, v, rep.ServerTrusted, code, tc.trust, out)
			}
			if !tc.trust && (rep.Reason != "untrusted server" || !strings.HasSuffix(rep.ServerError, "without digitalSignature [rfc5280.key-usage]")) {
				t.Errorf("%s with key usage %s, TLS %s: reason %q, %q; want untrusted server and the key-usage rule", tc.key, tc.ku, v, rep.Reason, rep.ServerError)
			}
		}
	}
}

// tcSServer starts openssl s_server for n connections and returns its address and a function
// that waits for it (killing it if it has not ended in time) and returns its output.
func tcSServer(t *testing.T, openssl string, n int, args ...string) (string, func() string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	cmd := exec.CommandContext(ctx, openssl, append([]string{"s_server", "-accept", "127.0.0.1:0", "-naccept", strconv.Itoa(n), "-www"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(stdout)
	addr := ""
	var head strings.Builder
	for addr == "" {
		line, err := r.ReadString('\n')
		head.WriteString(line)
		if a, ok := strings.CutPrefix(strings.TrimSpace(line), "ACCEPT "); ok {
			addr = a
		}
		if err != nil {
			break
		}
	}
	var rest bytes.Buffer
	copied := make(chan struct{})
	go func() { io.Copy(&rest, r); close(copied) }()
	wait := func() string {
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		cancel()
		<-copied
		return head.String() + rest.String() + stderr.String()
	}
	if addr == "" {
		out := wait()
		t.Fatalf("openssl s_server did not start: %s", out)
	}
	return addr, wait
}
