package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// TestCertCreateCSRSubjectEmailHint: a CSR as 'openssl req' writes it by default, its subject
// with an emailAddress and its host in a dNSName, is refused (exit 2: the mailbox is not also
// an email SAN, RFC 5280 4.1.2.6). The hint said "add --san email:ADDR", and --san replaces
// the CSR's names: following it dropped the dNSName, and the server profile refused the
// result for having no host. It says to give the CSR's other names too, and doing so issues
// the certificate with both.
func TestCertCreateCSRSubjectEmailHint(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	t.Setenv("SIGNET_PASSPHRASE", "")
	caKey, ca := filepath.Join(dir, "ca.key"), filepath.Join(dir, "ca.pem")
	mustSignet(t, "key", "gen", "--no-passphrase", "-o", caKey)
	mustSignet(t, "cert", "create", "--profile", "root-ca", "--subject", "CN=Hint Root", "--key", caKey, "-o", ca)
	csr := filepath.Join(dir, "www.csr")
	if out, err := exec.Command(openssl, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", filepath.Join(dir, "www.key"), "-subj", "/CN=www.example.com/emailAddress=admin@example.com",
		"-addext", "subjectAltName=DNS:www.example.com", "-out", csr).CombinedOutput(); err != nil {
		t.Fatalf("openssl req: %v: %s", err, out)
	}
	base := []string{"cert", "create", "--profile", "server", "--csr", csr, "--ca", ca, "--ca-key", caKey, "-o", filepath.Join(dir, "www.pem")}
	code, _, stderr := certRun(base...)
	if code != 2 || !strings.Contains(stderr, "--san email:admin@example.com") || !strings.Contains(stderr, "--san replaces them") {
		t.Fatalf("exit %d: %s; want exit 2 and a hint that --san replaces the CSR's names", code, stderr)
	}
	if code, _, stderr := certRun(append(base, "--san", "email:admin@example.com", "--san", "dns:www.example.com")...); code != 0 {
		t.Fatalf("with the CSR's names and the mailbox as --san: exit %d: %s", code, stderr)
	}
}

// TestCertCreateServer825DaysWarning: 'cert create --profile server --days 825', the longest
// validity Apple's platforms accept, is clipped (the days are counted from now, and the
// validity starts 5 minutes before: 825 days and 5 minutes), and the warning said only
// "validity clipped to 825 days", which reads as clipped to what was asked. It names the start
// the days are counted from.
func TestCertCreateServer825DaysWarning(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SIGNET_PASSPHRASE", "")
	caKey, ca, key := filepath.Join(dir, "ca.key"), filepath.Join(dir, "ca.pem"), filepath.Join(dir, "www.key")
	mustSignet(t, "key", "gen", "--no-passphrase", "-o", caKey)
	mustSignet(t, "key", "gen", "--no-passphrase", "-o", key)
	mustSignet(t, "cert", "create", "--profile", "root-ca", "--subject", "CN=825 Root", "--key", caKey, "-o", ca)
	code, _, stderr := certRun("cert", "create", "--profile", "server", "--san", "dns:www.example.com", "--key", key,
		"--ca", ca, "--ca-key", caKey, "--days", "825", "-o", filepath.Join(dir, "www.pem"))
	if code != 0 || !strings.Contains(stderr, "validity clipped to 825 days from its start (") {
		t.Fatalf("exit %d: %s; want the warning to name the start the 825 days are counted from", code, stderr)
	}
}
