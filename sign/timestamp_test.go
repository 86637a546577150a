package sign

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/atomicfile"
	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/timestamp"
)

// newTSA starts a TSA (timestamp.Authority on HTTP) with a certificate issued by the fixture
// intermediate, and returns the hook that asks it for tokens.
func newTSA(t *testing.T) func([]byte) ([]byte, error) {
	t.Helper()
	ca := mustFixture(t, "int-ca")
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(77), Subject: pkix.Name{CommonName: "Test TSA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}},
	}, ca.chain[0], key.Public(), ca.key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	srv := httptest.NewServer(&timestamp.Authority{Key: key, Chain: []*x509.Certificate{cert}})
	t.Cleanup(srv.Close)
	c := &timestamp.Client{URLs: []string{srv.URL}}
	return func(sig []byte) ([]byte, error) {
		tok, err := c.Timestamp(context.Background(), sig)
		if err != nil {
			return nil, err
		}
		return tok.Raw, nil
	}
}

// TestTimestampedSignatures: with SignOptions.Timestamp every format carries a token over the
// signature value: CMS in its unsigned attribute (and openssl cms -verify still accepts it),
// a bundle in rfc3161Timestamps, a raw signature in FILE.sig.tsr beside it.
func TestTimestampedSignatures(t *testing.T) {
	hook := newTSA(t)
	fx := mustFixture(t, "codesign")
	for _, tc := range []struct {
		format sigformat.Format
		base64 bool
	}{{sigformat.Raw, false}, {sigformat.Raw, true}, {sigformat.CMS, false}, {sigformat.Bundle, false}} {
		t.Run(fmt.Sprintf("%v/base64=%v", tc.format, tc.base64), func(t *testing.T) {
			dir := t.TempDir()
			f := writeFile(t, filepath.Join(dir, "app.bin"), []byte("release\n"))
			s := mustSigner(t, fx.key, SignOptions{Format: tc.format, Base64: tc.base64, Certificates: fx.chain, Timestamp: hook})
			if _, err := SignFiles(context.Background(), s, []string{f}, FilesOptions{}); err != nil {
				t.Fatal(err)
			}
			sigPath := f + tc.format.Extension()
			p, err := sigformat.Parse(mustRead(t, sigPath))
			if err != nil {
				t.Fatal(err)
			}
			tokens := p.Timestamps
			if tc.format == sigformat.Raw {
				if len(tokens) != 0 {
					t.Fatal("a raw signature carries a token")
				}
				tokens = [][]byte{mustRead(t, sigPath+TimestampExtension)}
			} else if _, err := os.Stat(sigPath + TimestampExtension); err == nil {
				t.Fatal("a .tsr beside a format that carries its token")
			}
			if len(tokens) != 1 {
				t.Fatalf("%d tokens", len(tokens))
			}
			tok, err := timestamp.ParseTokenOrResponse(tokens[0])
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tok.Verify(nil); err != nil {
				t.Fatal(err)
			}
			if err := tok.Covers(p.Raw); err != nil {
				t.Fatalf("the token does not cover the signature value: %v", err)
			}
			if tc.format == sigformat.CMS {
				openssl := testutil.RequireTool(t, "openssl")
				testutil.Run(t, openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", sigPath, "-content", f,
					"-CAfile", filepath.Join(pkiDir, "root-ca.pem"), "-purpose", "any", "-attime", "1780272000", "-out", os.DevNull)
			}
		})
	}
}

// TestTimestampFailureWritesNothing: a TSA that fails fails the run before anything is
// written, and an existing FILE.sig.tsr is refused without Force like the signature itself.
func TestTimestampFailureWritesNothing(t *testing.T) {
	fx := mustFixture(t, "codesign")
	dir := t.TempDir()
	a := writeFile(t, filepath.Join(dir, "a"), []byte("a"))
	b := writeFile(t, filepath.Join(dir, "b"), []byte("b"))
	errTSA := errors.New("TSA down")
	var calls atomic.Int32
	s := mustSigner(t, fx.key, SignOptions{Format: sigformat.Raw, Timestamp: func([]byte) ([]byte, error) {
		if calls.Add(1) > 1 {
			return nil, errTSA
		}
		return []byte{0x30, 0}, nil
	}})
	_, err := SignFiles(context.Background(), s, []string{a, b}, FilesOptions{SignWorkers: 1})
	if !errors.Is(err, errTSA) {
		t.Fatalf("err = %v, want the TSA's error", err)
	}
	for _, n := range []string{a + ".sig", b + ".sig", a + ".sig.tsr", b + ".sig.tsr"} {
		if _, err := os.Stat(n); err == nil {
			t.Errorf("%s written", n)
		}
	}
	writeFile(t, a+".sig.tsr", []byte("old"))
	s = mustSigner(t, fx.key, SignOptions{Format: sigformat.Raw, Timestamp: func([]byte) ([]byte, error) { return []byte{0x30, 0}, nil }})
	if _, err := SignFiles(context.Background(), s, []string{a}, FilesOptions{}); !errors.Is(err, atomicfile.ErrExists) {
		t.Fatalf("err = %v, want ErrExists for a.sig.tsr", err)
	}
	if _, err := os.Stat(a + ".sig"); err == nil {
		t.Error("a.sig written beside a refused a.sig.tsr")
	}
	if _, err := SignFiles(context.Background(), s, []string{a}, FilesOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if string(mustRead(t, a+".sig.tsr")) != "\x30\x00" {
		t.Error("--force did not replace a.sig.tsr")
	}
}

// TestRecursiveSkipsTimestampFiles: a tree signed again does not sign the tokens beside its
// raw signatures.
func TestRecursiveSkipsTimestampFiles(t *testing.T) {
	fx := mustFixture(t, "codesign")
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a"), []byte("a"))
	writeFile(t, filepath.Join(dir, "a.sig.tsr"), []byte("token"))
	s := mustSigner(t, fx.key, SignOptions{Format: sigformat.Raw})
	r, err := SignFiles(context.Background(), s, []string{dir}, FilesOptions{Recursive: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(r) != 1 || r[0].Path != filepath.Join(dir, "a") {
		t.Fatalf("signed %+v", r)
	}
}
