package main

import (
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/x509util"
)

// crlTestCA makes a root CA (key and certificate files) named CN=name in dir.
func crlTestCA(t *testing.T, dir, name string) (caFile, caKey string) {
	t.Helper()
	caKey, caFile = filepath.Join(dir, name+".key"), filepath.Join(dir, name+".pem")
	if code, _, stderr := certRun("key", "gen", "--no-passphrase", "-o", caKey); code != 0 {
		t.Fatalf("key gen: exit %d: %s", code, stderr)
	}
	if code, _, stderr := certRun("cert", "create", "--profile", "root-ca", "--subject", "CN="+name, "--key", caKey, "-o", caFile); code != 0 {
		t.Fatalf("cert create: exit %d: %s", code, stderr)
	}
	return caFile, caKey
}

// crlRead parses the CRL file.
func crlRead(t *testing.T, file string) *crlFile {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509util.ParseCRL(data)
	if err != nil {
		t.Fatal(err)
	}
	f := &crlFile{number: crl.Number, reasons: map[string]int{}}
	for _, e := range crl.RevokedCertificateEntries {
		f.reasons[x509util.FormatSerial(e.SerialNumber)] = e.ReasonCode
	}
	return f
}

type crlFile struct {
	number  *big.Int
	reasons map[string]int // by FormatSerial
}

// TestCRLNumberBound: --number takes 0 to 2^159-1, the 20 octets of RFC 5280 5.2.3, and says
// so naming the flag (exit 2); it said 2^160-1, and a number of 2^159 or more passed its check
// to fail in x509util.CreateCRL without naming --number.
func TestCRLNumberBound(t *testing.T) {
	dir := t.TempDir()
	caFile, caKey := crlTestCA(t, dir, "Number CA")
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 159), big.NewInt(1))
	for _, n := range []*big.Int{new(big.Int).Add(max, big.NewInt(1)), new(big.Int).Lsh(big.NewInt(1), 160), big.NewInt(-1)} {
		out := filepath.Join(dir, "n.crl")
		code, _, stderr := certRun("crl", "create", "--ca", caFile, "--ca-key", caKey, "--number", n.String(), "-o", out)
		if code != exitUsage || !crlOneError(stderr) || !strings.Contains(stderr, "--number") || !strings.Contains(stderr, "0 to 2^159-1") {
			t.Errorf("--number %s: exit %d: %s", n, code, stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("--number %s: a CRL was written", n)
		}
	}
	out := filepath.Join(dir, "max.crl")
	if code, _, stderr := certRun("crl", "create", "--ca", caFile, "--ca-key", caKey, "--number", max.String(), "-o", out); code != 0 {
		t.Fatalf("--number 2^159-1: exit %d: %s", code, stderr)
	}
	if got := crlRead(t, out).number; got.Cmp(max) != 0 {
		t.Errorf("number %s, want %s", got, max)
	}
}

// TestCRLNumberAfterPreviousAtBound: a previous CRL (--previous, or the one -o replaces) at
// 2^159-1 has no successor: refused, exit 2, naming where the previous CRL came from. The
// successor number was not checked, and x509util.CreateCRL's refusal named no flag.
func TestCRLNumberAfterPreviousAtBound(t *testing.T) {
	dir := t.TempDir()
	caFile, caKey := crlTestCA(t, dir, "Bound CA")
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 159), big.NewInt(1))
	prev := filepath.Join(dir, "prev.crl")
	if code, _, stderr := certRun("crl", "create", "--ca", caFile, "--ca-key", caKey, "--number", max.String(), "-o", prev); code != 0 {
		t.Fatalf("--number 2^159-1: exit %d: %s", code, stderr)
	}
	next := filepath.Join(dir, "next.crl")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--previous", prev, "-o", next}, "--previous " + prev},
		{[]string{"-o", prev, "--force"}, "-o " + prev},
	} {
		args := append([]string{"crl", "create", "--ca", caFile, "--ca-key", caKey}, tt.args...)
		code, _, stderr := certRun(args...)
		if code != exitUsage || !crlOneError(stderr) || !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, "2^159-1") {
			t.Errorf("%s: exit %d: %s", tt.args, code, stderr)
		}
	}
	if _, err := os.Stat(next); err == nil {
		t.Error("a CRL was written after the last number")
	}
	if got := crlRead(t, prev).number; got.Cmp(max) != 0 {
		t.Errorf("the previous CRL was replaced: number %s", got)
	}
}

// crlOneError reports whether stderr says one error, in one line (a usage error's hint may
// follow it).
func crlOneError(stderr string) bool {
	first, rest, _ := strings.Cut(stderr, "\n")
	return strings.HasPrefix(first, "signet: error: ") && !strings.Contains(rest, "error:")
}
