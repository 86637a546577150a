package x509util

import (
	"encoding/asn1"
	"testing"
)

// FuzzParseDottedOID: a dotted OID typed by a user (--policy, --eku, a DN's attribute type)
// is taken only in the form it prints back, and what is taken marshals to DER that reads
// back as the same OID.
//
//	go test -run '^$' -fuzz FuzzParseDottedOID -fuzztime 60s ./x509util/
func FuzzParseDottedOID(f *testing.F) {
	for _, s := range []string{"2.5.4.3", "1.3.6.1.4.1.99999.1", "2.999.1", "0.39", "1.40", "2.18446744073709551616",
		"1.2.2147483647", "2.2147483567", "01.2", "1..2", "1", "", "1.2.+3", "2.5.4.3 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		oid, ok := ParseDottedOID(s)
		if !ok {
			return
		}
		if oid.String() != s {
			t.Fatalf("%q read as %v", s, oid)
		}
		der, err := asn1.Marshal(oid)
		if err != nil {
			t.Fatalf("%q accepted but does not marshal: %v", s, err)
		}
		var back asn1.ObjectIdentifier
		if rest, err := asn1.Unmarshal(der, &back); err != nil || len(rest) != 0 || !back.Equal(oid) {
			t.Fatalf("%q marshals to %x, read back as %v (%v)", s, der, back, err)
		}
	})
}
