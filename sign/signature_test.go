package sign

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func isMalformed(err error) bool { return errors.Is(err, ErrMalformedSignature) }

// TestRawNeverParsesAsOther signs many messages with every key type and checks that each raw
// signature, binary and base64, is taken for raw: ECDSA's DER SEQUENCE never for CMS, random
// RSA and Ed25519 bytes never for a bundle or CMS.
func TestRawNeverParsesAsOther(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 30
	}
	for _, typ := range []string{"p256", "p384", "rsa2048", "ed25519"} {
		t.Run(typ, func(t *testing.T) {
			s := mustSigner(t, mustKey(t, typ), SignOptions{})
			msg := make([]byte, 16)
			for i := range n {
				rand.Read(msg)
				_, sig, err := s.SignMessage(msg)
				if err != nil {
					t.Fatal(err)
				}
				for _, data := range [][]byte{sig, appendBase64Lines(nil, sig)} {
					p, err := ParseSignature(data)
					if err != nil {
						t.Fatalf("signature %d: %v", i, err)
					}
					if p.Format != FormatRaw || !bytes.Equal(p.Raw, sig) {
						t.Fatalf("signature %d (%x) parsed as %s", i, sig, p.Format)
					}
				}
			}
		})
	}
}

func TestParseSignatureMalformed(t *testing.T) {
	ec := mustFixture(t, "codesign")
	s := mustSigner(t, ec.key, SignOptions{Format: FormatCMS, Certificates: ec.chain})
	_, cms, err := s.SignMessage([]byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"blank", []byte(" \n")},
		{"truncated cms", cms[:len(cms)-10]},
		{"cms cut after its content type", cms[:20]},
		{"cms with trailing bytes", append(bytes.Clone(cms), 0)},
		{"base64 of truncated cms", []byte(base64.StdEncoding.EncodeToString(cms[:200]))},
		{"a certificate", mustRead(t, filepath.Join(pkiDir, "codesign.pem"))},
		{"json that is no bundle", []byte(`{"a": 1}`)},
		{"truncated json", []byte(`{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "messageSig`)},
		{"too large for raw", make([]byte, 100<<10)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseSignature(tc.data)
			if !isMalformed(err) {
				t.Fatalf("got %v (%+v), want ErrMalformedSignature", err, p)
			}
		})
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// FuzzParseSignature: no input makes ParseSignature panic, and what it accepts is consistent.
// The seeds are signatures of every format signet makes. The seeds are a few kilobytes, and
// minimizing each new interesting input takes the fuzzer long, so run it with
//
//	go test -run '^$' -fuzz FuzzParseSignature -fuzztime 20s -fuzzminimizetime 2x ./sign/
func FuzzParseSignature(f *testing.F) {
	ec := mustFixture(f, "codesign")
	ed := mustFixture(f, "codesign-ed25519")
	rsaFx := mustFixture(f, "codesign-rsa")
	for _, c := range []struct {
		fx   fixture
		opts SignOptions
	}{
		{ec, SignOptions{}},
		{ec, SignOptions{Base64: true}},
		{ec, SignOptions{Format: FormatCMS, Certificates: ec.chain}},
		{rsaFx, SignOptions{Format: FormatCMS, PSS: true, Certificates: rsaFx.chain}},
		{ed, SignOptions{Format: FormatCMS, Certificates: ed.chain}},
		{ec, SignOptions{Format: FormatBundle, Certificates: ec.chain}},
		{ec, SignOptions{Format: FormatBundle, Certificates: ec.chain[:1]}},
		{ed, SignOptions{Format: FormatBundle}},
		{rsaFx, SignOptions{}},
	} {
		s := mustSigner(f, c.fx.key, c.opts)
		_, out, err := s.SignMessage([]byte("seed"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(out)
	}
	f.Add([]byte("-----BEGIN CMS-----\nMAA=\n-----END CMS-----\n"))
	f.Add([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02})
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseSignature(data)
		if err != nil {
			if !isMalformed(err) {
				t.Fatalf("error %v does not wrap ErrMalformedSignature", err)
			}
			return
		}
		if len(p.Raw) == 0 {
			t.Fatal("accepted with an empty signature")
		}
		switch p.Format {
		case FormatRaw:
			if p.Hash != 0 || p.Certificates != nil {
				t.Fatal("raw with a hash or certificates")
			}
		case FormatCMS:
			if p.Hash == 0 {
				t.Fatal("cms without a hash")
			}
			if p.SignedData != nil && (p.SignedData[0] != 0x31 || len(p.ContentDigest) != p.Hash.Size()) {
				t.Fatal("cms signed attributes inconsistent")
			}
		case FormatBundle:
			if p.ContentDigest != nil && len(p.ContentDigest) != p.Hash.Size() {
				t.Fatal("bundle digest inconsistent")
			}
		default:
			t.Fatalf("format %q", p.Format)
		}
	})
}
