package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
			if r.file != tt.file || r.reason != tt.reason || (tt.serial != "") != (r.serial != nil) ||
				(r.serial != nil && x509util.FormatSerial(r.serial) != tt.serial) {
				t.Fatalf("got file %q serial %v reason %d", r.file, r.serial, r.reason)
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
