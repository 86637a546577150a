package main

import (
	"strings"
	"testing"
	"time"
)

// TestTMTSAServeCertificateValidity: signet tsa serve with a certificate that has expired, or
// is not valid yet, started and answered every request with a token no verifier accepts (RFC
// 3161 4.1: the TSA's certificate is checked at genTime). It now refuses to start (exit 3),
// naming the certificate and when it is valid.
func TestTMTSAServeCertificateValidity(t *testing.T) {
	fx := fixtureFunc(t)
	t.Chdir(t.TempDir())
	mustSignet(t, "key", "gen", "--no-passphrase", "-o", "tsa.key")
	mustSignet(t, "csr", "--key", "tsa.key", "--subject", "CN=Window TSA,O=Example", "-o", "tsa.csr")
	now := time.Now().UTC()
	for _, tc := range []struct {
		name, notBefore, notAfter, want string
	}{
		{"expired", now.AddDate(0, 0, -30).Format(time.RFC3339), now.AddDate(0, 0, -1).Format(time.RFC3339), "expired at"},
		{"not yet valid", now.AddDate(0, 0, 1).Format(time.RFC3339), now.AddDate(0, 0, 30).Format(time.RFC3339), "is not valid before"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustSignet(t, "cert", "create", "--profile", "tsa", "--csr", "tsa.csr", "--ca", fx("int-ca.pem"), "--ca-key", fx("int-ca.key"),
				"--not-before", tc.notBefore, "--not-after", tc.notAfter, "--bundle", "--force", "-o", "tsa.pem")
			code, out, errOut := signetRun(t, "tsa", "serve", "--listen", "127.0.0.1:0", "--key", "tsa.key", "--cert", "tsa.pem")
			if code != exitBadInput || !strings.Contains(errOut, "--cert tsa.pem") || !strings.Contains(errOut, "CN=Window TSA") ||
				!strings.Contains(errOut, tc.want) || strings.Contains(errOut, "listening") {
				t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
			}
			if n := strings.Count(strings.TrimSpace(errOut), "\n"); n != 0 {
				t.Errorf("the error is %d lines:\n%s", n+1, errOut)
			}
		})
	}
}

// TestTSAServeKeyMismatch: tsa serve with a key that is not --cert's exited 3 saying "invalid
// token", as if a token had been checked; a key that does not match its certificate is exit 4
// everywhere else. It now exits 4 with one line naming --cert and the certificate, and does
// not listen.
func TestTSAServeKeyMismatch(t *testing.T) {
	fx := fixtureFunc(t)
	t.Chdir(t.TempDir())
	mustSignet(t, "key", "gen", "--no-passphrase", "-o", "tsa.key")
	mustSignet(t, "key", "gen", "--no-passphrase", "-o", "other.key")
	mustSignet(t, "csr", "--key", "tsa.key", "--subject", "CN=Paired TSA", "-o", "tsa.csr")
	mustSignet(t, "cert", "create", "--profile", "tsa", "--csr", "tsa.csr", "--ca", fx("int-ca.pem"), "--ca-key", fx("int-ca.key"), "--bundle", "-o", "tsa.pem")
	code, out, errOut := signetRun(t, "tsa", "serve", "--listen", "127.0.0.1:0", "--key", "other.key", "--cert", "tsa.pem")
	if code != exitKey || !strings.Contains(errOut, "--cert tsa.pem") || !strings.Contains(errOut, "CN=Paired TSA is not for the key given") ||
		strings.Contains(errOut, "invalid token") || strings.Contains(errOut, "listening") || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
}
