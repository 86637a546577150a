package main

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	f := &crlFile{number: crl.Number, reasons: map[string]int{}, dates: map[string]time.Time{}}
	for _, e := range crl.RevokedCertificateEntries {
		f.reasons[x509util.FormatSerial(e.SerialNumber)] = e.ReasonCode
		f.dates[x509util.FormatSerial(e.SerialNumber)] = e.RevocationTime
	}
	return f
}

type crlFile struct {
	number  *big.Int
	reasons map[string]int       // by FormatSerial
	dates   map[string]time.Time // by FormatSerial
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

// TestCRLReasonGivenOrNot: a reason given replaces the one the previous CRL lists, unspecified
// too (the entry then has no reason code), where no reason given keeps it; an entry of the
// previous CRL with removeFromCRL (a delta CRL's reason, written here by another tool) counts
// as not listed. Reason 0 stood for "none given": --revoke 42:unspecified kept the previous
// reason, and --revoke 42 inherited removeFromCRL and failed, blaming a reason never given.
func TestCRLReasonGivenOrNot(t *testing.T) {
	dir := t.TempDir()
	caFile, caKey := crlTestCA(t, dir, "Reason CA")
	crl := filepath.Join(dir, "ca.crl")
	signet := func(args ...string) string {
		t.Helper()
		args = append([]string{"crl", "create", "--ca", caFile, "--ca-key", caKey, "-o", crl, "--force"}, args...)
		code, _, stderr := certRun(args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", args[9:], code, stderr)
		}
		return stderr
	}
	signet("--revoke", "42:superseded", "--revoke", "43:superseded")
	before := crlRead(t, crl)
	time.Sleep(1100 * time.Millisecond) // a new entry would be dated a second later
	signet("--revoke", "42:unspecified", "--revoke", "43")
	after := crlRead(t, crl)
	if after.reasons["42"] != 0 || after.reasons["43"] != 4 {
		t.Errorf("reasons %v, want 42 none (unspecified given), 43 superseded (none given)", after.reasons)
	}
	if !after.dates["42"].Equal(before.dates["42"]) || !after.dates["43"].Equal(before.dates["43"]) {
		t.Errorf("revocation dates moved: %v, were %v", after.dates, before.dates)
	}

	// A previous CRL by another tool, with a removeFromCRL entry (42) beside a revoked one (43).
	data, err := os.ReadFile(caKey)
	if err != nil {
		t.Fatal(err)
	}
	key, err := x509util.ParsePrivateKey(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	certs, err := x509util.LoadCertificateFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	long := time.Now().Add(-48 * time.Hour).UTC().Truncate(time.Second)
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number:     big.NewInt(time.Now().UnixNano()),
		ThisUpdate: time.Now().Add(-time.Hour),
		NextUpdate: time.Now().Add(time.Hour),
		RevokedCertificateEntries: []x509.RevocationListEntry{
			{SerialNumber: big.NewInt(0x42), RevocationTime: long, ReasonCode: 8},
			{SerialNumber: big.NewInt(0x43), RevocationTime: long, ReasonCode: 1},
		},
	}, certs[0], key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(crl, pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	stderr := signet("--revoke", "42", "--revoke", "43")
	got := crlRead(t, crl)
	if got.reasons["42"] != 0 || got.reasons["43"] != 1 || got.dates["42"].Equal(long) || !got.dates["43"].Equal(long) {
		t.Errorf("after a removeFromCRL entry: reasons %v, dates %v; want 42 new, no reason; 43 keyCompromise since %s", got.reasons, got.dates, long)
	}
	if stderr != "" && strings.Contains(stderr, "warning") {
		t.Errorf("warnings: %s", stderr)
	}
	if err := os.WriteFile(crl, pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if stderr := signet("--revoke", "43"); strings.Contains(stderr, "serial 42") {
		t.Errorf("a removeFromCRL entry left out was warned about as made valid again: %s", stderr)
	}

	// Another tool's CRL with a reason code no CRL may carry (7): given again without a
	// reason, the entry keeps its date, is written without a reason, and a warning says so;
	// the run failed, blaming a code the user never gave.
	der, err = x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number:     big.NewInt(time.Now().UnixNano()),
		ThisUpdate: time.Now().Add(-time.Hour),
		NextUpdate: time.Now().Add(time.Hour),
		RevokedCertificateEntries: []x509.RevocationListEntry{
			{SerialNumber: big.NewInt(0x45), RevocationTime: long, ReasonCode: 7},
		},
	}, certs[0], key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(crl, pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if stderr := signet("--revoke", "45"); !strings.Contains(stderr, "reason code 7") {
		t.Errorf("no warning about the reason code no CRL may carry: %q", stderr)
	}
	if got := crlRead(t, crl); got.reasons["45"] != 0 || !got.dates["45"].Equal(long) {
		t.Errorf("after a reason code 7: reasons %v, dates %v; want 45 without a reason, since %s", got.reasons, got.dates, long)
	}

	// Another tool's CRL that lists 44 twice: left out, it is warned about once.
	der, err = x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number:     big.NewInt(time.Now().UnixNano()),
		ThisUpdate: time.Now().Add(-time.Hour),
		NextUpdate: time.Now().Add(time.Hour),
		RevokedCertificateEntries: []x509.RevocationListEntry{
			{SerialNumber: big.NewInt(0x44), RevocationTime: long},
			{SerialNumber: big.NewInt(0x44), RevocationTime: long},
		},
	}, certs[0], key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(crl, pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if stderr := signet("--revoke", "43"); strings.Count(stderr, "serial 44") != 1 {
		t.Errorf("want one warning for serial 44, listed twice before:\n%s", stderr)
	}
}

// TestCRLReasonChange: a reason given for a certificate the previous CRL lists replaces its
// reason (RFC 5280 5.3.1: certificateHold may become keyCompromise, say) and keeps its
// revocation date, as README and --help say; a compromise that becomes another reason is
// warned about (stderr and --json warnings), since relying parties no longer learn of it.
// keyCompromise silently became superseded, where README said a listed certificate keeps
// its reason.
func TestCRLReasonChange(t *testing.T) {
	dir := t.TempDir()
	caFile, caKey := crlTestCA(t, dir, "Change CA")
	crl := filepath.Join(dir, "ca.crl")
	run := func(args ...string) (string, []string) {
		t.Helper()
		args = append([]string{"crl", "create", "--ca", caFile, "--ca-key", caKey, "-o", crl, "--force", "--json"}, args...)
		code, stdout, stderr := certRun(args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", args[10:], code, stderr)
		}
		var rep struct {
			Warnings []string `json:"warnings"`
		}
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatal(err)
		}
		return stderr, rep.Warnings
	}
	run("--revoke", "42:certificateHold", "--revoke", "43:keyCompromise", "--revoke", "44:keyCompromise")
	before := crlRead(t, crl)
	stderr, warnings := run("--revoke", "42:keyCompromise", "--revoke", "43:superseded", "--revoke", "44:cACompromise")
	got := crlRead(t, crl)
	if got.reasons["42"] != 1 || got.reasons["43"] != 4 || got.reasons["44"] != 2 {
		t.Errorf("reasons %v, want the ones given", got.reasons)
	}
	for _, s := range []string{"42", "43", "44"} {
		if !got.dates[s].Equal(before.dates[s]) {
			t.Errorf("serial %s: revocation date %s, was %s", s, got.dates[s], before.dates[s])
		}
	}
	want := "serial 43, revoked for keyCompromise in " + crl + ", is now revoked for superseded"
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0], want) || strings.Count(stderr, "signet: warning: ") != 1 || !strings.Contains(stderr, "signet: warning: "+want) {
		t.Errorf("want one warning %q; --json %q, stderr:\n%s", want, warnings, stderr)
	}
}

// TestCRLPreviousOfAnEarlierKey: after a key rollover (a new CA certificate, same name, other
// key) the CRL -o replaces, signed by the earlier key, is refused (exit 3, naming --previous,
// the file kept), and given as --previous it is followed with a warning that its signature is
// not checked. It was passed over without a word, and the certificates it listed dropped from
// the new CRL with no warning: un-revoked.
func TestCRLPreviousOfAnEarlierKey(t *testing.T) {
	dir := t.TempDir()
	oldCA, oldKey := crlTestCA(t, dir, "Roll CA")
	newDir := filepath.Join(dir, "new")
	if err := os.Mkdir(newDir, 0o755); err != nil {
		t.Fatal(err)
	}
	newCA, newKey := crlTestCA(t, newDir, "Roll CA")
	crl := filepath.Join(dir, "ca.crl")
	if code, _, stderr := certRun("crl", "create", "--ca", oldCA, "--ca-key", oldKey, "--revoke", "42:keyCompromise", "-o", crl); code != 0 {
		t.Fatalf("the earlier key's CRL: exit %d: %s", code, stderr)
	}
	before := crlRead(t, crl)

	code, _, stderr := certRun("crl", "create", "--ca", newCA, "--ca-key", newKey, "--revoke", "43", "-o", crl, "--force")
	if code != exitBadInput || !crlOneError(stderr) || !strings.Contains(stderr, "-o "+crl) || !strings.Contains(stderr, "--previous "+crl) {
		t.Errorf("-o over the earlier key's CRL: exit %d: %s", code, stderr)
	}
	if got := crlRead(t, crl); got.number.Cmp(before.number) != 0 || len(got.reasons) != 1 {
		t.Errorf("the earlier key's CRL was replaced: number %s, entries %v", got.number, got.reasons)
	}

	next := filepath.Join(dir, "next.crl")
	code, stdout, stderr := certRun("crl", "create", "--ca", newCA, "--ca-key", newKey, "--revoke", "43", "--previous", crl, "-o", next, "--json")
	if code != 0 {
		t.Fatalf("--previous the earlier key's CRL: exit %d: %s", code, stderr)
	}
	var rep struct {
		Warnings []string `json:"warnings"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) != 2 || !strings.Contains(rep.Warnings[0], "its signature checked") || !strings.HasPrefix(rep.Warnings[1], "serial 42, revoked in "+crl) ||
		strings.Count(stderr, "signet: warning: ") != 2 {
		t.Errorf("warnings %q, stderr:\n%s", rep.Warnings, stderr)
	}
	got := crlRead(t, next)
	if got.number.Cmp(before.number) <= 0 {
		t.Errorf("number %s does not follow %s", got.number, before.number)
	}

	// Listed again, a certificate keeps its date and reason from the earlier key's CRL.
	if code, _, stderr := certRun("crl", "create", "--ca", newCA, "--ca-key", newKey, "--revoke", "42", "--previous", crl, "-o", next, "--force"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got := crlRead(t, next); got.reasons["42"] != 1 || !got.dates["42"].Equal(before.dates["42"]) {
		t.Errorf("serial 42: reason %d since %s, want keyCompromise since %s", got.reasons["42"], got.dates["42"], before.dates["42"])
	}
}
