package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/x509util"
)

// stapleServer starts openssl s_server for one connection, stapling the OCSP response in
// status (DER), and returns its address.
func stapleServer(t *testing.T, status string) string {
	t.Helper()
	return startSServer(t, "-tls1_3", "-status_file", status)
}

// ocspResponse has openssl answer, as the fixture intermediate, for the fixture server
// certificate with the given index status ("V" or "R").
func ocspResponse(t *testing.T, status string) string {
	t.Helper()
	return ocspResponseFor(t, status, "server.pem")
}

// ocspResponseFor is ocspResponse for the fixture certificate in file, which the fixture
// intermediate issued.
func ocspResponseFor(t *testing.T, status, file string) string {
	t.Helper()
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	certs, err := x509util.LoadCertificateFile(fixturePKI(t, file))
	if err != nil {
		t.Fatal(err)
	}
	c := certs[0]
	rev := ""
	if status == "R" {
		rev = "250601000000Z,keyCompromise"
	}
	index := filepath.Join(dir, "index.txt")
	line := fmt.Sprintf("%s\t%s\t%s\t%X\tunknown\t/CN=x\n", status, c.NotAfter.UTC().Format("060102150405Z"), rev, c.SerialNumber)
	if err := os.WriteFile(index, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	ca, key := fixturePKI(t, "int-ca.pem"), fixturePKI(t, "int-ca.key")
	req, resp := filepath.Join(dir, "req.der"), filepath.Join(dir, "resp.der")
	testutil.Run(t, openssl, "ocsp", "-issuer", ca, "-cert", fixturePKI(t, file), "-no_nonce", "-reqout", req)
	testutil.Run(t, openssl, "ocsp", "-index", index, "-CA", ca, "-rsigner", ca, "-rkey", key, "-reqin", req, "-respout", resp, "-ndays", "1")
	return resp
}

// TestTLSCheckStapledOCSP: a good stapled response is used, a revoked one fails the server,
// and a revoked response given with --ocsp fails it too.
func TestTLSCheckStapledOCSP(t *testing.T) {
	t.Parallel()
	root := fixturePKI(t, "root-ca.pem")
	check := func(addr string, extra ...string) (int, map[string]any, string) {
		args := append([]string{"tls", "check", addr, "--roots", root, "--server-name", "server.example.com", "--json"}, extra...)
		code, stdout, stderr := signetRun(t, args...)
		var rep map[string]any
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("%v\n%s%s", err, stdout, stderr)
		}
		return code, rep, stderr
	}
	good, revoked := ocspResponse(t, "V"), ocspResponse(t, "R")
	code, rep, stderr := check(stapleServer(t, good))
	if code != 0 || rep["ocsp_stapled"] != true || rep["server_trusted"] != true {
		t.Fatalf("good staple: exit %d %v %s", code, rep, stderr)
	}
	code, rep, stderr = check(stapleServer(t, revoked))
	if code == 0 || rep["server_trusted"] == true || !strings.Contains(stderr+fmt.Sprint(rep["server_error"]), "rfc6960.revoked") {
		t.Fatalf("revoked staple: exit %d %v %s", code, rep, stderr)
	}
}

// TestTLSCheckStapledOCSPAboutAnother: a stapled response about another certificate of the
// same CA settles nothing about the server's: the check fails with signet.ocsp-unused (openssl
// ocsp: "No Status found"), as the same response given with --ocsp does.
func TestTLSCheckStapledOCSPAboutAnother(t *testing.T) {
	t.Parallel()
	root := fixturePKI(t, "root-ca.pem")
	other := ocspResponseFor(t, "V", "codesign.pem")
	for _, tc := range []struct {
		name  string
		addr  func() string
		extra []string
	}{
		{"stapled", func() string { return stapleServer(t, other) }, nil},
		{"given", func() string { return stapleServer(t, ocspResponse(t, "V")) }, []string{"--ocsp", other}},
	} {
		code, stdout, stderr := signetRun(t, append([]string{"tls", "check", tc.addr(), "--roots", root,
			"--server-name", "server.example.com", "--json"}, tc.extra...)...)
		if code == 0 || !strings.Contains(stdout+stderr, "signet.ocsp-unused") {
			t.Errorf("%s: exit %d, want a failure naming signet.ocsp-unused\n%s%s", tc.name, code, stdout, stderr)
		}
	}
}
