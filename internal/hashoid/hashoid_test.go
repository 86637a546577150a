package hashoid

import (
	"crypto"
	"encoding/asn1"
	"testing"
)

// TestRoundTrip: every hash maps to its OID and back, and the OIDs are the registered ones
// (a typo in one arc would make CMS and timestamps name another algorithm).
func TestRoundTrip(t *testing.T) {
	want := map[crypto.Hash]string{
		crypto.SHA256: "2.16.840.1.101.3.4.2.1", crypto.SHA384: "2.16.840.1.101.3.4.2.2",
		crypto.SHA512: "2.16.840.1.101.3.4.2.3", crypto.SHA224: "2.16.840.1.101.3.4.2.4",
		crypto.SHA512_256: "2.16.840.1.101.3.4.2.6", crypto.SHA3_256: "2.16.840.1.101.3.4.2.8",
		crypto.SHA3_384: "2.16.840.1.101.3.4.2.9", crypto.SHA3_512: "2.16.840.1.101.3.4.2.10",
		crypto.SHA1: "1.3.14.3.2.26",
	}
	for h, s := range want {
		oid, ok := OID(h)
		if !ok || oid.String() != s {
			t.Errorf("OID(%v) = %v, %v; want %s", h, oid, ok, s)
		}
		if back, ok := Hash(oid); !ok || back != h {
			t.Errorf("Hash(%s) = %v, %v; want %v", s, back, ok, h)
		}
	}
	if _, ok := Hash(asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 5}); ok {
		t.Error("Hash named an OID outside the table (SHA-512/224)")
	}
	if _, ok := OID(crypto.MD5); ok {
		t.Error("OID named MD5")
	}
}
