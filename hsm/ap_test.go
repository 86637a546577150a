//go:build cgo

package hsm

import (
	"crypto/x509"
	"errors"
	"testing"
)

// A careless library caller on a real SoftHSM2 token: no certificate (nil or unparsed) to
// write, empty URIs. Each is an error wrapping a sentinel, never a panic, and nothing is
// written or destroyed.
func TestAPTokenNilArguments(t *testing.T) {
	tt := mustSoftHSM(t, "ap")
	tok := mustOpen(t, tt.uri(""), tt.opts(testPIN))
	k1 := mustParse(t, "pkcs11:object=k1")
	if _, err := tok.GenerateKey(k1, ECP256); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"ImportCertificate nil", func() error { _, err := tok.ImportCertificate(nil, "c", []byte{9}); return err }, ErrObjectNotFound},
		{"ImportCertificate unparsed", func() error { _, err := tok.ImportCertificate(&x509.Certificate{}, "c", []byte{9}); return err }, ErrObjectNotFound},
		{"ImportKeyCertificate nil", func() error { _, err := tok.ImportKeyCertificate(k1, nil); return err }, ErrObjectNotFound},
		{"ImportKeyCertificate nil URI and certificate", func() error { _, err := tok.ImportKeyCertificate(nil, nil); return err }, ErrObjectNotFound},
		{"ReplaceKeyCertificate nil", func() error { _, err := tok.ReplaceKeyCertificate(k1, nil, nil); return err }, ErrObjectNotFound},
		// A chain certificate that is nil or unparsed: refused before anything is written,
		// where it panicked (chainLabel read its subject) or, unparsed, failed only after the
		// key's certificate was written.
		{"CheckChainImport nil", func() error { return tok.CheckChainImport([]*x509.Certificate{nil}) }, ErrObjectNotFound},
		{"CheckChainImport unparsed", func() error { return tok.CheckChainImport([]*x509.Certificate{{}}) }, ErrObjectNotFound},
		{"ImportCertificateChain nil chain certificate", func() error {
			_, err := ImportCertificateChain(tt.uri("object=k1"), []*x509.Certificate{{}, nil}, tt.opts(testPIN))
			return err
		}, ErrObjectNotFound},
		{"Delete empty URI", func() error { _, err := tok.Delete(&URI{}); return err }, ErrInvalidURI},
		{"Delete nil URI", func() error { _, err := tok.Delete(nil); return err }, ErrInvalidURI},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v", r)
				}
			}()
			if err := tc.call(); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	objs, err := tok.Objects(&URI{})
	if err != nil || len(objs) != 2 {
		t.Errorf("the token holds %d objects (%v), want the key pair alone", len(objs), err)
	}
}
