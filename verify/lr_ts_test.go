package verify_test

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"strings"
	"testing"

	"github.com/signet-pki/signet/verify"
)

// TestTSTokenNameComparedAsRFC5280Says: a token's tsa name that is its signer's subject
// written otherwise (UTF8String for PrintableString, another case, doubled spaces) is the
// signer's name as RFC 5280 7.1 compares names, and as openssl ts -verify compares them
// (X509_NAME_cmp on the canonical encodings): the tsa name check (d645d7d) accepts it; a name
// that differs in a value is still refused. The campaign draws the subject's own bytes only.
func TestTSTokenNameComparedAsRFC5280Says(t *testing.T) {
	root, tsa, key := tsFixTSA(t)
	data := []byte("a signature\n")
	var subject pkix.RDNSequence
	if _, err := asn1.Unmarshal(tsa.RawSubject, &subject); err != nil {
		t.Fatal(err)
	}
	reencode := func(f func(string) string) []byte {
		var seq pkix.RDNSequence
		for _, rdn := range subject {
			var set pkix.RelativeDistinguishedNameSET
			for _, atv := range rdn {
				v := f(atv.Value.(string))
				set = append(set, pkix.AttributeTypeAndValue{Type: atv.Type,
					Value: asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagUTF8String, Bytes: []byte(v)}})
			}
			seq = append(seq, set)
		}
		raw, err := asn1.Marshal(seq)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	for _, tc := range []struct {
		name string
		raw  []byte
		ok   bool
	}{
		{"UTF8String, upper case, spaces doubled", reencode(func(s string) string { return "  " + strings.ReplaceAll(strings.ToUpper(s), " ", "  ") }), true},
		{"a value changed", reencode(func(s string) string { return s + "x" }), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := tsFixToken(tsa, key, data, crypto.SHA256, tsGeneralName(4, true, tc.raw))
			_, err := verify.VerifyTimestamp(tok, data, nil, []*x509.Certificate{root})
			if (err == nil) != tc.ok {
				t.Fatalf("accepted %v, want %v: %v", err == nil, tc.ok, err)
			}
		})
	}
}
