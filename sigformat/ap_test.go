package sigformat

import (
	"crypto/x509"
	"errors"
	"testing"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/x509util"
)

// A careless library caller of the writers: no certificate or a nil one, no signing function,
// a digest of the wrong size, an empty signature or timestamp. Each is refused
// (ErrUnsupported) rather than written as a signature no verifier accepts, and none panics.
func TestAPMarshalMisuse(t *testing.T) {
	certs, err := x509util.LoadCertificateFile("../testdata/pki/codesign.pem")
	if err != nil {
		t.Fatal(err)
	}
	d := make([]byte, 32)
	sig := func([]byte) ([]byte, error) { return []byte{0x30, 0}, nil }
	empty := func([]byte) ([]byte, error) { return nil, nil }
	cms := CMSOptions{Algorithm: digest.SHA256, Certificates: certs}
	bundle := func(f func(*BundleContent)) func() error {
		return func() error {
			c := BundleContent{Algorithm: digest.SHA256, Digest: d, Signature: []byte{1}, Certificates: certs}
			f(&c)
			_, err := MarshalBundle(c)
			return err
		}
	}
	tests := []struct {
		name string
		call func() error
		ok   bool
	}{
		{"CMS", func() error { _, err := MarshalCMS(d, cms, sig); return err }, true},
		{"CMS without sign", func() error { _, err := MarshalCMS(d, cms, nil); return err }, false},
		{"CMS with a nil certificate", func() error {
			_, err := MarshalCMS(d, CMSOptions{Algorithm: digest.SHA256, Certificates: []*x509.Certificate{nil}}, sig)
			return err
		}, false},
		{"CMS with an unparsed certificate", func() error {
			_, err := MarshalCMS(d, CMSOptions{Algorithm: digest.SHA256, Certificates: []*x509.Certificate{{}}}, sig)
			return err
		}, false},
		{"CMS with a short digest", func() error { _, err := MarshalCMS(d[:5], cms, sig); return err }, false},
		{"CMS with an empty signature", func() error { _, err := MarshalCMS(d, cms, empty); return err }, false},
		{"bundle", bundle(func(*BundleContent) {}), true},
		{"bundle with a nil certificate", bundle(func(c *BundleContent) { c.Certificates = []*x509.Certificate{nil} }), false},
		{"bundle with neither certificate nor key", bundle(func(c *BundleContent) { c.Certificates = nil }), false},
		{"bundle with a short digest", bundle(func(c *BundleContent) { c.Digest = d[:3] }), false},
		{"bundle without a signature", bundle(func(c *BundleContent) { c.Signature = nil }), false},
		{"bundle with an empty timestamp", bundle(func(c *BundleContent) { c.Timestamps = [][]byte{nil} }), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v", r)
				}
			}()
			err := tc.call()
			if tc.ok != (err == nil) || err != nil && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("got %v, want ok %v or ErrUnsupported", err, tc.ok)
			}
		})
	}
}
