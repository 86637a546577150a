package x509util

import (
	"errors"
	"strings"
	"testing"
)

// TestP12PassphraseBeyondBMP: openssl takes a password with a character beyond U+FFFF (UTF-16
// with a surrogate pair for the MAC and the PKCS#12 KDF), which RFC 7292's BMPString cannot
// hold and go-pkcs12 refuses to encode. Such a file was "malformed input" (the file blamed for
// the passphrase), and writing one failed with no kind of error (exit 70): both are now
// ErrUnsupported, saying it is the passphrase, without quoting it.
func TestP12PassphraseBeyondBMP(t *testing.T) {
	openssl := pkOpenSSL(t)
	p := newPKPKI(t)
	const pw = "p😀ss"
	dir := t.TempDir()
	for _, keypbe := range []string{"AES-256-CBC", "PBE-SHA1-3DES"} {
		e := pkExport{keyType: "p256", keyPBE: keypbe, certPBE: keypbe, pw: pw}
		der, ok := e.run(t, openssl, p, dir)
		if !ok {
			t.Fatal("openssl pkcs12 -export failed")
		}
		if _, ok := pkOpenSSLRead(t, openssl, dir, der, pw, false); !ok {
			t.Fatal("openssl does not read its own file")
		}
		_, err := pkParse(der, pw)
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "passphrase") || strings.Contains(err.Error(), pw) {
			t.Errorf("%s: ParseP12 = %v, want ErrUnsupported naming the passphrase", keypbe, err)
		}
	}
	_, err := EncodeP12(p.keys["p256"], p.leaves["p256"], nil, []byte(pw), P12Options{})
	if !errors.Is(err, ErrUnsupported) || strings.Contains(err.Error(), pw) {
		t.Errorf("EncodeP12 = %v, want ErrUnsupported", err)
	}
}

// TestP12NoMACWithPassword: openssl pkcs12 -export -nomac with a password writes a file whose
// integrity nothing checks; go-pkcs12 reads such a file only without a password. signet called
// it malformed, with go-pkcs12's "decryption error, incorrect padding" from trying the empty
// password, and never asked for the passphrase. It is ErrUnsupported now, saying why.
func TestP12NoMACWithPassword(t *testing.T) {
	openssl := pkOpenSSL(t)
	p := newPKPKI(t)
	dir := t.TempDir()
	for _, keypbe := range []string{"", "PBE-SHA1-3DES"} {
		e := pkExport{keyType: "ed25519", keyPBE: keypbe, noMac: true, pw: "correct horse"}
		der, ok := e.run(t, openssl, p, dir)
		if !ok {
			t.Fatal("openssl pkcs12 -export failed")
		}
		_, err := pkParse(der, e.pw)
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "no MAC") {
			t.Errorf("keypbe %q: ParseP12 = %v, want ErrUnsupported saying there is no MAC", keypbe, err)
		}
	}
	// Without a password, or with nothing encrypted, there is nothing to protect: read.
	for _, e := range []pkExport{
		{keyType: "p384", noMac: true},
		{keyType: "p384", noMac: true, keyPBE: "NONE", certPBE: "NONE", pw: "correct horse"},
	} {
		der, ok := e.run(t, openssl, p, dir)
		if !ok {
			t.Fatal("openssl pkcs12 -export failed")
		}
		if got, err := ParseP12(der, nil); err != nil || !got.Certificate.Equal(p.leaves["p384"]) {
			t.Errorf("%v: ParseP12 = %v", e, err)
		}
	}
}
