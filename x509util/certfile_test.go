package x509util

import (
	"bytes"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// certfilePKI is the fixture PKI made by testdata/pki/gen.sh with openssl.
const certfilePKI = "../testdata/pki"

func mustCertfileFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(certfilePKI, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustCertfileDER returns the DER of the first PEM block of a fixture.
func mustCertfileDER(t testing.TB, name string) []byte {
	t.Helper()
	b, _ := pem.Decode(mustCertfileFixture(t, name))
	if b == nil {
		t.Fatalf("%s: no PEM", name)
	}
	return b.Bytes
}

func TestParseCertificates(t *testing.T) {
	server := mustCertfileFixture(t, "server.pem")
	inter := mustCertfileFixture(t, "int-ca.pem")
	key := mustCertfileFixture(t, "server.key")
	crl := mustCertfileFixture(t, "int-ca.crl")
	half := server[:len(server)/2]
	badBase64 := bytes.Replace(inter, []byte("\nMII"), []byte("\n*!*"), 1)
	notACert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 0x03, 0x02, 0x01, 0x01}})

	tests := []struct {
		name     string
		data     []byte
		subjects []string // want these CNs in order
		errMsg   string   // else want ErrMalformed with this text
	}{
		{name: "one PEM", data: server, subjects: []string{"server.example.com"}},
		{name: "chain file", data: mustCertfileFixture(t, "server-chain.pem"), subjects: []string{"server.example.com", "Signet Test Intermediate CA"}},
		{name: "DER", data: mustCertfileDER(t, "server.pem"), subjects: []string{"server.example.com"}},
		{name: "concatenated DER", data: append(mustCertfileDER(t, "server.pem"), mustCertfileDER(t, "int-ca.pem")...), subjects: []string{"server.example.com", "Signet Test Intermediate CA"}},
		{name: "text around blocks", data: []byte("subject=CN = server\n" + string(server) + "\nissuer follows\n" + string(inter) + "trailing\n"), subjects: []string{"server.example.com", "Signet Test Intermediate CA"}},
		{name: "key beside certificate", data: append(append([]byte{}, key...), server...), subjects: []string{"server.example.com"}},
		{name: "CRLF line ends", data: bytes.ReplaceAll(server, []byte("\n"), []byte("\r\n")), subjects: []string{"server.example.com"}},
		{name: "empty", data: []byte(" \n\t"), errMsg: "empty input"},
		{name: "garbage", data: []byte("this is not a certificate"), errMsg: "neither PEM nor DER certificates"},
		{name: "truncated PEM", data: half, errMsg: "PEM block 1 (line 1): CERTIFICATE block is truncated or damaged"},
		{name: "second block truncated", data: append(append([]byte{}, server...), inter[:len(inter)-40]...), errMsg: "PEM block 2 (line "},
		{name: "bad base64", data: append(append([]byte{}, server...), badBase64...), errMsg: "PEM block 2"},
		{name: "only a CRL", data: crl, errMsg: "no CERTIFICATE PEM block (the input has X509 CRL)"},
		{name: "only a key", data: key, errMsg: "the input has PRIVATE KEY"},
		{name: "CERTIFICATE block that does not parse", data: notACert, errMsg: "PEM block 1 (line 1): certificate does not parse"},
		{name: "truncated DER", data: mustCertfileDER(t, "server.pem")[:100], errMsg: "neither PEM nor DER"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			certs, err := ParseCertificates(tt.data)
			if tt.errMsg != "" {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("err = %v, want ErrMalformed", err)
				}
				if !strings.Contains(err.Error(), tt.errMsg) {
					t.Fatalf("err = %q, want it to contain %q", err, tt.errMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range certs {
				got = append(got, c.Subject.CommonName)
			}
			if strings.Join(got, "|") != strings.Join(tt.subjects, "|") {
				t.Fatalf("subjects = %q, want %q", got, tt.subjects)
			}
		})
	}
}

func TestLoadCertificates(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("store/b-root.crt", mustCertfileFixture(t, "root-ca.pem"))
	write("store/a-int.PEM", mustCertfileFixture(t, "int-ca.pem"))
	write("store/c-mid.der", mustCertfileDER(t, "mid-ca.pem"))
	write("store/README.txt", []byte("not a certificate"))
	write("store/d.key", mustCertfileFixture(t, "server.key"))
	if err := os.Mkdir(filepath.Join(dir, "store", "sub.pem"), 0o755); err != nil {
		t.Fatal(err)
	}
	write("empty/notes.txt", []byte("nothing here"))
	bad := write("roots.pem", append(mustCertfileFixture(t, "root-ca.pem"), []byte("-----BEGIN CERTIFICATE-----\nMIIB\n")...))
	leaf := write("leaf.pem", mustCertfileFixture(t, "server.pem"))

	t.Run("directory in sorted order, other files skipped", func(t *testing.T) {
		certs, err := LoadCertificates(filepath.Join(dir, "store"), leaf)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range certs {
			got = append(got, c.Subject.CommonName)
		}
		want := "Signet Test Intermediate CA|Signet Test Root CA|Signet Test Mid CA|server.example.com"
		if strings.Join(got, "|") != want {
			t.Fatalf("got %q, want %s", got, want)
		}
	})
	errCases := []struct {
		name   string
		load   func() error
		target error
		msg    string
	}{
		{"error names the file and block", func() error { _, err := LoadCertificates(bad); return err }, ErrMalformed, bad + ": PEM block 2 (line "},
		{"directory without certificates", func() error { _, err := LoadCertificates(filepath.Join(dir, "empty")); return err }, ErrMalformed, "has no certificate files"},
		{"missing file", func() error { _, err := LoadCertificates(filepath.Join(dir, "nope.pem")); return err }, fs.ErrNotExist, "nope.pem"},
		{"directory where a file is expected", func() error { _, err := LoadCertificateFile(dir); return err }, ErrMalformed, "is a directory, not a file"},
		{"CRL directory without CRLs", func() error { _, err := LoadCRLs(filepath.Join(dir, "empty")); return err }, ErrMalformed, "has no CRL files"},
	}
	for _, tt := range errCases {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.load()
			if !errors.Is(err, tt.target) {
				t.Fatalf("err = %v, want %v", err, tt.target)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %q, want it to contain %q", err, tt.msg)
			}
		})
	}
}

func TestParseCRL(t *testing.T) {
	crlPEM := mustCertfileFixture(t, "int-ca.crl")
	tests := []struct {
		name   string
		data   []byte
		errMsg string
	}{
		{name: "PEM", data: crlPEM},
		{name: "DER", data: mustCertfileDER(t, "int-ca.crl")},
		{name: "two CRLs", data: append(append([]byte{}, crlPEM...), mustCertfileFixture(t, "root-ca.crl")...), errMsg: "2 CRLs where one was expected"},
		{name: "a certificate", data: mustCertfileFixture(t, "int-ca.pem"), errMsg: "no X509 CRL PEM block (the input has CERTIFICATE)"},
		{name: "truncated PEM", data: crlPEM[:len(crlPEM)-30], errMsg: "PEM block 1 (line 1): X509 CRL block is truncated"},
		{name: "garbage", data: []byte{0x30, 0x82, 0x01}, errMsg: "neither a PEM nor a DER CRL"},
		{name: "empty", data: nil, errMsg: "empty input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			crl, err := ParseCRL(tt.data)
			if tt.errMsg != "" {
				if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.errMsg) {
					t.Fatalf("err = %v, want ErrMalformed containing %q", err, tt.errMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if crl.Issuer.CommonName != "Signet Test Intermediate CA" || len(crl.RevokedCertificateEntries) != 1 {
				t.Fatalf("issuer %s, %d entries", crl.Issuer, len(crl.RevokedCertificateEntries))
			}
		})
	}
	t.Run("LoadCRLs reads files and directories", func(t *testing.T) {
		dir := t.TempDir()
		both := append(append([]byte{}, crlPEM...), mustCertfileFixture(t, "root-ca.crl")...)
		if err := os.WriteFile(filepath.Join(dir, "all.crl"), both, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "skip.txt"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		crls, err := LoadCRLs(dir, filepath.Join(certfilePKI, "mid-ca.crl"))
		if err != nil {
			t.Fatal(err)
		}
		if len(crls) != 3 || crls[2].Issuer.CommonName != "Signet Test Mid CA" {
			t.Fatalf("got %d CRLs", len(crls))
		}
	})
}

// certfileSeeds are fixture files and damaged variants for the fuzz corpora.
func certfileSeeds(t testing.TB, names ...string) [][]byte {
	var seeds [][]byte
	for _, n := range names {
		b := mustCertfileFixture(t, n)
		seeds = append(seeds, b, b[:len(b)/2], mustCertfileDER(t, n))
	}
	return append(seeds, []byte(""), []byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"), []byte{0x30, 0x80})
}

func FuzzParseCertificates(f *testing.F) {
	for _, s := range certfileSeeds(f, "server-chain.pem", "codesign-ed25519.pem", "empty-subject.pem", "v1-ca.pem", "critext.pem") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, err := ParseCertificates(data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		if len(certs) == 0 {
			t.Fatal("no certificates and no error")
		}
		for _, c := range certs {
			if c == nil || len(c.Raw) == 0 {
				t.Fatal("nil or unparsed certificate returned")
			}
		}
	})
}

func FuzzParseCRL(f *testing.F) {
	for _, s := range certfileSeeds(f, "int-ca.crl", "root-ca.crl", "int-ca-critext.crl", "mid-ca.crl") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		crl, err := ParseCRL(data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		if crl == nil || len(crl.RawTBSRevocationList) == 0 {
			t.Fatal("nil or unparsed CRL returned")
		}
	})
}
