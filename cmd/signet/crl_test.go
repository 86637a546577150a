package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/x509util"
)

func TestCRLParseRevoke(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	// A file whose name looks like a serial is a file: it exists.
	if err := os.WriteFile("cafe", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		spec   string
		file   string // want a file
		serial string // want a serial (FormatSerial)
		reason int
		err    string // want a usage error containing it
	}{
		{spec: "5167000000000015", serial: "5167000000000015"},
		{spec: "5167000000000015:keyCompromise", serial: "5167000000000015", reason: 1},
		{spec: "51:67:00:15", serial: "51670015"},
		{spec: "51:67:00:15:superseded", serial: "51670015", reason: 4},
		{spec: "de:ad:be:ef", serial: "deadbeef"},
		{spec: "decimal:4096", serial: "1000"},
		{spec: "decimal:4096:CACOMPROMISE", serial: "1000", reason: 2},
		{spec: "serial=0A:unspecified", serial: "0a"},
		{spec: "leaf.pem", file: "leaf.pem"},
		{spec: "leaf.pem:keyCompromise", file: "leaf.pem", reason: 1},
		{spec: "certs/leaf", file: "certs/leaf"},
		{spec: "cafe", file: "cafe"},
		{spec: "cafe:affiliationChanged", file: "cafe", reason: 3},
		{spec: "leaf.pem:stolen", err: `unknown revocation reason "stolen"`},
		{spec: "12:nope", err: `unknown revocation reason "nope"`},
		{spec: "xyz", err: `'x' is not a hex digit`},
		{spec: "decimal:x", err: "write decimal digits after decimal:"},
		{spec: "0", err: "must be positive"},
		{spec: "", err: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			r, err := crlParseRevoke(tt.spec)
			if tt.err != "" {
				var ue *usageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want a usage error with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			given := tt.reason != 0 || strings.HasSuffix(tt.spec, ":unspecified")
			if r.file != tt.file || r.reason != tt.reason || r.reasonGiven != given || (tt.serial != "") != (r.serial != nil) ||
				(r.serial != nil && x509util.FormatSerial(r.serial) != tt.serial) {
				t.Fatalf("got file %q serial %v reason %d (given %v)", r.file, r.serial, r.reason, r.reasonGiven)
			}
		})
	}
}

func FuzzCRLParseRevoke(f *testing.F) {
	for _, s := range []string{"5167000000000015:keyCompromise", "51:67:00:15", "decimal:4096:superseded",
		"serial=0A", "leaf.pem:keyCompromise", ":", "::keyCompromise", "decimal::", "0x:0x"} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, spec string) {
		if strings.ContainsRune(spec, 0) {
			return // not a possible argv string
		}
		r, err := crlParseRevoke(filepath.Join(dir, "no-such-dir-"+spec)) // never names an existing file
		if err == nil && r.file == "" {
			t.Fatalf("a path was read as a serial: %+v", r)
		}
		r, err = crlParseRevoke(spec)
		if err != nil {
			var ue *usageError
			if !errors.As(err, &ue) {
				t.Fatalf("not a usage error: %v", err)
			}
			return
		}
		if r.file == "" && (r.serial == nil || r.serial.Sign() <= 0) {
			t.Fatalf("%q: neither a file nor a positive serial: %+v", spec, r)
		}
		if r.reason < 0 || r.reason > 10 || r.reason == 7 {
			t.Fatalf("%q: reason %d", spec, r.reason)
		}
	})
}

// TestCRLCreateNotPastTheCA: a CRL's nextUpdate is clipped to the end of the CA that signs
// it, with a warning (stderr and --json), as cert create clips a certificate's validity: a
// CRL that outlives its issuer promises a next CRL the CA cannot sign (RFC 5280 5.1.2.5).
// A CA that has expired signs no CRL (exit 3), as it issues no certificate. Both went
// unsaid.
func TestCRLCreateNotPastTheCA(t *testing.T) {
	dir := t.TempDir()
	caKey, caFile := filepath.Join(dir, "ca.key"), filepath.Join(dir, "ca.pem")
	if code, _, stderr := certRun("key", "gen", "--no-passphrase", "-o", caKey); code != 0 {
		t.Fatalf("key gen: exit %d: %s", code, stderr)
	}
	if code, _, stderr := certRun("cert", "create", "--profile", "root-ca", "--subject", "CN=Short CA", "--key", caKey, "--days", "3", "-o", caFile); code != 0 {
		t.Fatalf("cert create: exit %d: %s", code, stderr)
	}
	certs, err := x509util.LoadCertificateFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	ca := certs[0]

	out := filepath.Join(dir, "ca.crl")
	code, stdout, stderr := certRun("crl", "create", "--ca", caFile, "--ca-key", caKey, "--days", "7", "-o", out, "--json")
	if code != 0 {
		t.Fatalf("crl create --days 7: exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509util.ParseCRL(data)
	if err != nil {
		t.Fatal(err)
	}
	if !crl.NextUpdate.Equal(ca.NotAfter) {
		t.Errorf("nextUpdate %s, want the CA's notAfter %s", crl.NextUpdate, ca.NotAfter)
	}
	want := "nextUpdate clipped to the CA's end, " + ca.NotAfter.UTC().Format(time.RFC3339)
	if !strings.Contains(stderr, "signet: warning: "+want) {
		t.Errorf("stderr lacks the warning %q:\n%s", want, stderr)
	}
	var rep struct {
		Warnings []string `json:"warnings"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || len(rep.Warnings) != 1 || !strings.HasPrefix(rep.Warnings[0], want) {
		t.Errorf("--json warnings %q (%v), want %q", rep.Warnings, err, want)
	}

	// Within the CA's life: no warning, the nextUpdate asked for.
	code, stdout, stderr = certRun("crl", "create", "--ca", caFile, "--ca-key", caKey, "--days", "1", "-o", out, "--force", "--json")
	if code != 0 || strings.Contains(stderr, "clipped") || !strings.Contains(stdout, `"warnings": []`) {
		t.Errorf("crl create --days 1: exit %d, stdout %s, stderr %s", code, stdout, stderr)
	}

	// An expired CA: refused, nothing written.
	expired := filepath.Join(dir, "expired.crl")
	code, _, stderr = certRun("crl", "create", "--ca", fixturePKI(t, "expired-ca.pem"), "--ca-key", fixturePKI(t, "expired-ca.key"), "-o", expired)
	if code != exitBadInput || !strings.Contains(stderr, "expired on 2021-01-01T00:00:00Z") {
		t.Errorf("an expired CA: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(expired); err == nil {
		t.Error("a CRL of an expired CA was written")
	}
}
