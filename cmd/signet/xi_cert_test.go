package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// TestCertP12NoPassphraseIsAChoice: a PKCS#12 file under the empty password is a key anyone
// reads, so cert p12 writes one only with --no-passphrase (as openssl's -passout pass:), and
// never because SIGNET_PASSPHRASE or the --passphrase-file is empty: those are refused (exit
// 4) and nothing is written. --no-passphrase's file is one openssl reads with -passin pass:.
func TestCertP12NoPassphraseIsAChoice(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	base := []string{"cert", "p12", "--cert", certFixture("server.pem"), "--key", certFixture("server.key")}
	empty := filepath.Join(dir, "empty.txt")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SIGNET_PASSPHRASE", "")
	for name, extra := range map[string][]string{"empty env": nil, "empty file": {"--passphrase-file", empty}} {
		out := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".p12")
		code, _, errOut := certRun(append(base, append(extra, "-o", out)...)...)
		if _, err := os.Stat(out); code != exitKey || err == nil {
			t.Errorf("%s: exit %d, want %d and no file written (%v)\n%s", name, code, exitKey, err, errOut)
		}
	}
	code, _, errOut := certRun(append(base, "--no-passphrase", "--passphrase-file", empty, "-o", filepath.Join(dir, "both.p12"))...)
	if code != exitUsage || !strings.Contains(errOut, "--no-passphrase and --passphrase-file") {
		t.Errorf("--no-passphrase with --passphrase-file: exit %d, want %d\n%s", code, exitUsage, errOut)
	}
	os.Unsetenv("SIGNET_PASSPHRASE")
	for _, legacy := range []bool{false, true} {
		out := filepath.Join(dir, "nopass.p12")
		args := append(base, "--no-passphrase", "--force", "-o", out)
		if legacy {
			args = append(args, "--legacy")
		}
		if code, _, errOut := certRun(args...); code != exitOK {
			t.Fatalf("--no-passphrase (legacy %v): exit %d\n%s", legacy, code, errOut)
		}
		if _, errOut, err := testutil.RunErr(openssl, "pkcs12", "-in", out, "-info", "-noout", "-passin", "pass:"); err != nil {
			t.Fatalf("openssl cannot read --no-passphrase's file (legacy %v): %v %s", legacy, err, errOut)
		}
		if code, _, errOut := certRun("key", "inspect", out); code != exitOK {
			t.Errorf("signet key inspect of --no-passphrase's file: exit %d\n%s", code, errOut)
		}
	}
}

// TestCertCreateSHA1PSSCSR: --allow-sha1-csr accepted a CSR signed with PKCS#1 v1.5 over
// SHA-1 but not one signed with RSASSA-PSS over SHA-1 (exit 3, "parameters signet does not
// verify"). The flag now means SHA-1 whichever the padding: both are refused without it with
// the same hint, and both issued with it.
func TestCertCreateSHA1PSSCSR(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	for name, opts := range map[string][]string{
		"pkcs1": {"-sha1"},
		"pss":   {"-sha1", "-sigopt", "rsa_padding_mode:pss"},
	} {
		key, csr := filepath.Join(dir, name+".key"), filepath.Join(dir, name+".csr")
		args := append([]string{"req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-subj", "/CN=" + name + ".example",
			"-addext", "subjectAltName=DNS:" + name + ".example", "-out", csr}, opts...)
		if _, errOut, err := testutil.RunErr(openssl, args...); err != nil {
			t.Fatalf("openssl req: %v %s", err, errOut)
		}
		base := []string{"cert", "create", "--profile", "server", "--csr", csr, "--ca", certFixture("int-ca.pem"),
			"--ca-key", certFixture("int-ca.key"), "-o", filepath.Join(dir, name+".pem")}
		code, _, errOut := certRun(base...)
		if code != exitBadInput || !strings.Contains(errOut, "--allow-sha1-csr") {
			t.Errorf("%s without --allow-sha1-csr: exit %d, want %d with the hint\n%s", name, code, exitBadInput, errOut)
		}
		if code, _, errOut := certRun(append(base, "--allow-sha1-csr")...); code != exitOK {
			t.Errorf("%s with --allow-sha1-csr: exit %d, want 0\n%s", name, code, errOut)
		}
	}
}

// TestKeyMismatchExitsKey: a key that does not belong to its certificate exited 4 (a key
// problem, x509util.ErrKeyMismatch) in cert p12, but 3 (bad input, ErrIssuer) when it was the
// CA's --ca-key in cert create and crl create (and enroll). It is one fault and one rule
// now: exit 4, from the sentinel, whichever command and whichever key.
func TestKeyMismatchExitsKey(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SIGNET_PASSPHRASE", "xi-passphrase")
	for name, args := range map[string][]string{
		"cert create --ca-key": {"cert", "create", "--profile", "client", "--subject", "CN=xi", "--key", certFixture("server.key"),
			"--ca", certFixture("int-ca.pem"), "--ca-key", certFixture("client.key"), "-o", filepath.Join(dir, "c.pem")},
		"crl create --ca-key": {"crl", "create", "--ca", certFixture("int-ca.pem"), "--ca-key", certFixture("client.key"), "-o", filepath.Join(dir, "c.crl")},
		"cert p12 --key":      {"cert", "p12", "--cert", certFixture("server.pem"), "--key", certFixture("client.key"), "-o", filepath.Join(dir, "c.p12")},
	} {
		code, _, errOut := certRun(args...)
		if code != exitKey || !strings.Contains(errOut, "does not belong to") {
			t.Errorf("%s of another key: exit %d, want %d\n%s", name, code, exitKey, errOut)
		}
	}
}

// TestCertCreateSubjectEmailKept holds the decision on a CSR from openssl req whose subject has
// an emailAddress and no email SAN: refused (exit 2) with the --san email: hint, and issued
// with that --san, both names then in the certificate as openssl reads it. RFC 5280 4.1.2.6:
// a CA issuing a certificate with an email address MUST put it in the subjectAltName, the
// subject attribute being a deprecated legacy copy; openssl ca would copy the subject alone
// and issue what that MUST forbids, so signet asks rather than silently add or drop a name.
func TestCertCreateSubjectEmailKept(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	key, csr := filepath.Join(dir, "a.key"), filepath.Join(dir, "a.csr")
	if _, errOut, err := testutil.RunErr(openssl, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", key, "-subj", "/CN=alice/emailAddress=alice@example.com", "-out", csr); err != nil {
		t.Fatalf("openssl req: %v %s", err, errOut)
	}
	out := filepath.Join(dir, "a.pem")
	base := []string{"cert", "create", "--profile", "client", "--csr", csr, "--ca", certFixture("int-ca.pem"), "--ca-key", certFixture("int-ca.key"), "-o", out}
	code, _, errOut := certRun(base...)
	if code != exitUsage || !strings.Contains(errOut, "--san email:alice@example.com") {
		t.Fatalf("emailAddress without an email SAN: exit %d, want %d with the --san hint\n%s", code, exitUsage, errOut)
	}
	if code, _, errOut := certRun(append(base, "--san", "email:alice@example.com")...); code != exitOK {
		t.Fatalf("with --san email: exit %d\n%s", code, errOut)
	}
	text, errB, err := testutil.RunErr(openssl, "x509", "-in", out, "-noout", "-subject", "-ext", "subjectAltName", "-nameopt", "RFC2253")
	if err != nil || !strings.Contains(string(text), "emailAddress=alice@example.com") || !strings.Contains(string(text), "email:alice@example.com") {
		t.Errorf("openssl x509: %v %s\n%s", err, errB, text)
	}
}
