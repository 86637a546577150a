package x509util

import (
	"crypto"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// pkBuildPlain writes a PFX with one unencrypted container holding the certificates and the
// key (a plain key bag) in the order given (a nil certificate stands for the key), behind an
// HMAC-SHA1 MAC under pw: the layout other tools than openssl may choose.
func pkBuildPlain(t *testing.T, key crypto.Signer, items []*x509.Certificate, pw string) []byte {
	t.Helper()
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	oid := func(b *cryptobyte.Builder, o asn1.ObjectIdentifier) { b.AddASN1ObjectIdentifier(o) }
	explicit := cbasn1.Tag(0).ContextSpecific().Constructed()
	var bags cryptobyte.Builder
	bags.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, c := range items {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				if c == nil {
					oid(b, p12OIDKeyBag)
					b.AddASN1(explicit, func(b *cryptobyte.Builder) { b.AddBytes(pkcs8) })
					return
				}
				oid(b, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3})
				b.AddASN1(explicit, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						oid(b, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1})
						b.AddASN1(explicit, func(b *cryptobyte.Builder) { b.AddASN1OctetString(c.Raw) })
					})
				})
			})
		}
	})
	var safe cryptobyte.Builder
	safe.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			oid(b, p12OIDData)
			b.AddASN1(explicit, func(b *cryptobyte.Builder) { b.AddASN1OctetString(bags.BytesOrPanic()) })
		})
	})
	authSafe := safe.BytesOrPanic()
	salt := []byte("saltsalt")
	bmp := append(must(bmpTest(pw)), 0, 0)
	m := hmac.New(sha1.New, p12KDF(bmp, salt, 2048, 3, 20))
	m.Write(authSafe)
	var pfx cryptobyte.Builder
	pfx.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(3)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			oid(b, p12OIDData)
			b.AddASN1(explicit, func(b *cryptobyte.Builder) { b.AddASN1OctetString(authSafe) })
		})
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					oid(b, asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26})
					b.AddASN1NULL()
				})
				b.AddASN1OctetString(m.Sum(nil))
			})
			b.AddASN1OctetString(salt)
			b.AddASN1Int64(2048)
		})
	})
	return pfx.BytesOrPanic()
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func bmpTest(s string) ([]byte, error) {
	var b []byte
	for _, r := range s {
		if r > 0xFFFF {
			return nil, errors.New("beyond the BMP")
		}
		b = append(b, byte(r>>8), byte(r))
	}
	return b, nil
}

// TestP12LeafNotFirst: a PKCS#12 file whose certificates come before the key's own (a CA
// certificate first) is one openssl reads, finding the key's certificate among them
// (PKCS12_parse); go-pkcs12 takes the first certificate as the key's, and signet refused the
// file as a key that does not belong to its certificate (exit 4). The key's certificate is now
// the one whose public key is the key's, the others the chain in the file's order.
func TestP12LeafNotFirst(t *testing.T) {
	openssl := pkOpenSSL(t)
	p := newPKPKI(t)
	key, leaf := p.keys["p256"], p.leaves["p256"]
	for _, tc := range []struct {
		name  string
		items []*x509.Certificate
		chain []*x509.Certificate
	}{
		{"leaf first", []*x509.Certificate{leaf, p.inter, p.root, nil}, []*x509.Certificate{p.inter, p.root}},
		{"leaf second", []*x509.Certificate{p.inter, leaf, nil}, []*x509.Certificate{p.inter}},
		{"leaf last, key first", []*x509.Certificate{nil, p.root, p.inter, leaf}, []*x509.Certificate{p.root, p.inter}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			der := pkBuildPlain(t, key, tc.items, "pw")
			dir := t.TempDir()
			theirs, ok := pkOpenSSLRead(t, openssl, dir, der, "pw", false)
			if !ok || len(theirs.keys) != 1 || len(theirs.certs) != len(tc.chain)+1 {
				t.Fatalf("openssl does not read the file as built")
			}
			got, err := pkParse(der, "pw")
			if err != nil {
				t.Fatalf("ParseP12 = %v", err)
			}
			if !got.Certificate.Equal(leaf) || len(got.Chain) != len(tc.chain) {
				t.Fatalf("read %q and %d more", got.Certificate.Subject, len(got.Chain))
			}
			for i := range tc.chain {
				if !got.Chain[i].Equal(tc.chain[i]) {
					t.Errorf("chain[%d] = %q, want %q", i, got.Chain[i].Subject, tc.chain[i].Subject)
				}
			}
		})
	}
	// Two key bags: openssl prints both, go-pkcs12 (and so signet) refuses the file, which
	// leaves no doubt about which key a command would use.
	der2 := pkBuildPlain(t, key, []*x509.Certificate{leaf, nil, nil}, "pw")
	if _, ok := pkOpenSSLRead(t, openssl, t.TempDir(), der2, "pw", false); !ok {
		t.Fatal("openssl does not read the file with two keys")
	}
	if _, err := pkParse(der2, "pw"); !errors.Is(err, ErrMalformed) {
		t.Errorf("two keys: %v, want ErrMalformed", err)
	}
	// No certificate of the key's: still refused, as a key that does not belong.
	der := pkBuildPlain(t, key, []*x509.Certificate{p.inter, p.root, nil}, "pw")
	if _, err := pkParse(der, "pw"); !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("no certificate of the key's: %v, want ErrKeyMismatch", err)
	}
}
