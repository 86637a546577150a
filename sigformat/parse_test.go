package sigformat

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
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
			key := mustKey(t, typ)
			msg := make([]byte, 16)
			for i := range n {
				rand.Read(msg)
				_, sig := mustSign(t, key, msg, sigOptions{})
				for _, data := range [][]byte{sig, AppendBase64(nil, sig)} {
					p, err := Parse(data)
					if err != nil {
						t.Fatalf("signature %d: %v", i, err)
					}
					if p.Format != Raw || !bytes.Equal(p.Raw, sig) {
						t.Fatalf("signature %d (%x) parsed as %s", i, sig, p.Format)
					}
				}
			}
		})
	}
}

func TestParseMalformed(t *testing.T) {
	ec := mustFixture(t, "codesign")
	_, cms := mustSign(t, ec.key, []byte("x"), sigOptions{format: CMS, chain: ec.chain[:2]})
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
			p, err := Parse(tc.data)
			if !isMalformed(err) {
				t.Fatalf("got %v (%+v), want ErrMalformedSignature", err, p)
			}
		})
	}
}

// FuzzParse: no input makes Parse panic, and what it accepts is consistent. The seeds are
// signatures of every format signet makes. The seeds are a few kilobytes, and minimizing each
// new interesting input takes the fuzzer long, so run it with
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 20s -fuzzminimizetime 2x ./sigformat/
func FuzzParse(f *testing.F) {
	ec := mustFixture(f, "codesign")
	ed := mustFixture(f, "codesign-ed25519")
	rsaFx := mustFixture(f, "codesign-rsa")
	for _, c := range []struct {
		fx   fixture
		opts sigOptions
	}{
		{ec, sigOptions{}},
		{ec, sigOptions{base64: true}},
		{ec, sigOptions{format: CMS, chain: ec.chain[:2]}},
		{rsaFx, sigOptions{format: CMS, pss: true, chain: rsaFx.chain[:2]}},
		{ed, sigOptions{format: CMS, chain: ed.chain[:2]}},
		{ec, sigOptions{format: Bundle, chain: ec.chain[:2]}},
		{ec, sigOptions{format: Bundle, chain: ec.chain[:1]}},
		{ed, sigOptions{format: Bundle}},
		{rsaFx, sigOptions{}},
	} {
		_, out := mustSign(f, c.fx.key, []byte("seed"), c.opts)
		f.Add(out)
	}
	f.Add([]byte("-----BEGIN CMS-----\nMAA=\n-----END CMS-----\n"))
	f.Add([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02})
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
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
		case Raw:
			if p.Hash != 0 || p.Certificates != nil {
				t.Fatal("raw with a hash or certificates")
			}
		case CMS:
			if p.Hash == 0 {
				t.Fatal("cms without a hash")
			}
			if p.SignedData != nil && (p.SignedData[0] != 0x31 || len(p.ContentDigest) != p.Hash.Size()) {
				t.Fatal("cms signed attributes inconsistent")
			}
		case Bundle:
			if p.ContentDigest != nil && len(p.ContentDigest) != p.Hash.Size() {
				t.Fatal("bundle digest inconsistent")
			}
		case Minisign:
			checkMinisignParsed(t, p)
		default:
			t.Fatalf("format %q", p.Format)
		}
	})
}
