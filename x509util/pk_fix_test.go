package x509util

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
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

// TestP12UnsupportedAlgorithms: openssl writes PKCS#12 files with algorithms go-pkcs12 does not
// implement (a SHA-384 or MD5 MAC, PBES2 with DES-EDE3-CBC or Camellia, PKCS#12 PBE with 2-key
// 3DES or RC4). They were "malformed input" (exit 3 for the wrong reason, the file blamed);
// they are ErrUnsupported, and a private key's algorithm is named before any passphrase is
// asked for.
func TestP12UnsupportedAlgorithms(t *testing.T) {
	openssl := pkOpenSSL(t)
	p := newPKPKI(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		e         pkExport
		beforePW  bool // refused before the passphrase is asked for
		wantInErr string
	}{
		{pkExport{macAlg: "sha384"}, true, "2.16.840.1.101.3.4.2.2"},
		{pkExport{macAlg: "md5"}, true, "1.2.840.113549.2.5"},
		{pkExport{keyPBE: "DES-EDE3-CBC"}, true, "1.2.840.113549.3.7"},
		{pkExport{keyPBE: "CAMELLIA-256-CBC"}, true, "1.2.392.200011.61.1.1.1.4"},
		{pkExport{keyPBE: "PBE-SHA1-2DES"}, true, "1.2.840.113549.1.12.1.4"},
		{pkExport{certPBE: "PBE-SHA1-RC4-128", legacy: true}, false, "1.2.840.113549.1.12.1.1"},
	} {
		e := tc.e
		e.keyType, e.pw = "p384", "correct horse"
		der, ok := e.run(t, openssl, p, dir)
		if !ok {
			t.Fatalf("%v: openssl pkcs12 -export failed", e)
		}
		if _, ok := pkOpenSSLRead(t, openssl, dir, der, e.pw, true); !ok {
			t.Fatalf("%v: openssl does not read its own file", e)
		}
		asked := false
		_, err := ParseP12(der, func() ([]byte, error) { asked = true; return []byte(e.pw), nil })
		if !errors.Is(err, ErrUnsupported) || errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.wantInErr) {
			t.Errorf("%v: ParseP12 = %v, want ErrUnsupported naming %s", e, err, tc.wantInErr)
		}
		if tc.beforePW && asked {
			t.Errorf("%v: the passphrase was asked for", e)
		}
	}
}

// TestP12AuthSafeNotOctetString: the campaign's tampering found that the tag of the OCTET STRING
// holding a PFX's authenticated safe could be anything (a UTF8String, a context-specific tag):
// go-pkcs12 reads it into an asn1.RawValue, the MAC covers only its contents, and signet read
// the file, which openssl refuses ("wrong tag"). It is malformed now.
func TestP12AuthSafeNotOctetString(t *testing.T) {
	openssl := pkOpenSSL(t)
	p := newPKPKI(t)
	dir := t.TempDir()
	e := pkExport{keyType: "ed25519", pw: "correct horse"}
	der, ok := e.run(t, openssl, p, dir)
	if !ok {
		t.Fatal("openssl pkcs12 -export failed")
	}
	i := bytes.Index(der, []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01}) + 11 // id-data, then [0]
	if der[i] != 0xa0 {
		t.Fatalf("no [0] after the authSafe's id-data: %x", der[:i+1])
	}
	i += 2
	if der[i-1] >= 0x80 {
		i += int(der[i-1] & 0x7f)
	}
	if der[i] != 0x04 {
		t.Fatalf("no OCTET STRING at %d: %x", i, der[i])
	}
	if _, err := pkParse(der, e.pw); err != nil {
		t.Fatalf("the file as openssl wrote it: %v", err)
	}
	for _, tag := range []byte{0x0c, 0x13, 0x80, 0x05} {
		bad := bytes.Clone(der)
		bad[i] = tag
		if _, ok := pkOpenSSLRead(t, openssl, dir, bad, e.pw, false); ok {
			t.Errorf("tag %#x: openssl reads it", tag)
		}
		if _, err := pkParse(bad, e.pw); !errors.Is(err, ErrMalformed) {
			t.Errorf("tag %#x: ParseP12 = %v, want ErrMalformed", tag, err)
		}
	}
}

// TestP12MACInsideAuthSafe: the campaign's tampering found a file read whose authSafe's length
// had grown to swallow the MAC: encoding/asn1 ignores the extra element, go-pkcs12 sees a file
// without a MAC, and with the empty password reads it. openssl refuses it; so does signet now,
// and a file with anything after its MAC.
func TestP12MACInsideAuthSafe(t *testing.T) {
	openssl := pkOpenSSL(t)
	p := newPKPKI(t)
	dir := t.TempDir()
	e := pkExport{keyType: "p384"}
	der, ok := e.run(t, openssl, p, dir)
	if !ok {
		t.Fatal("openssl pkcs12 -export failed")
	}
	in := cryptobyte.String(der)
	var pfx, authSafe, mac cryptobyte.String
	var version int
	if !in.ReadASN1(&pfx, cbasn1.SEQUENCE) || !pfx.ReadASN1Integer(&version) || !pfx.ReadASN1Element(&authSafe, cbasn1.SEQUENCE) ||
		!pfx.ReadASN1Element(&mac, cbasn1.SEQUENCE) || !pfx.Empty() {
		t.Fatal("openssl's PFX is not version, authSafe, MAC")
	}
	var inner cryptobyte.String
	if !authSafe.ReadASN1(&inner, cbasn1.SEQUENCE) {
		t.Fatal("authSafe")
	}
	build := func(authSafeBody, after []byte) []byte {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Int64(3)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddBytes(authSafeBody) })
			b.AddBytes(after)
		})
		return b.BytesOrPanic()
	}
	if _, err := ParseP12(build(inner, mac), nil); err != nil {
		t.Fatalf("openssl's file rebuilt: %v", err)
	}
	for name, bad := range map[string][]byte{
		"MAC inside the authSafe": build(append(bytes.Clone(inner), mac...), nil),
		"a second MAC":            build(inner, append(bytes.Clone(mac), mac...)),
		"a NULL after the MAC":    build(inner, append(bytes.Clone(mac), 0x05, 0x00)),
	} {
		if _, ok := pkOpenSSLRead(t, openssl, dir, bad, "", false); ok {
			t.Errorf("%s: openssl reads it", name)
		}
		if _, err := ParseP12(bad, nil); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: ParseP12 = %v, want ErrMalformed", name, err)
		}
	}
}
