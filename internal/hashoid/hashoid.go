// Package hashoid names the hash algorithms by their ASN.1 object identifiers, the one table
// that CMS (sigformat) and RFC 3161 (timestamp) both read: SHA-2 (RFC 5754), SHA-3
// (RFC 8702) and SHA-1 (RFC 3370), which readers may name and callers refuse as they see fit.
package hashoid

import (
	"crypto"
	"encoding/asn1"
)

var table = []struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
}{
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}, crypto.SHA256},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}, crypto.SHA384},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}, crypto.SHA512},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}, crypto.SHA224},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 6}, crypto.SHA512_256},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 8}, crypto.SHA3_256},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 9}, crypto.SHA3_384},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 10}, crypto.SHA3_512},
	{asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}, crypto.SHA1},
}

// Hash is the hash an OID names, false for one not in the table.
func Hash(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	for _, d := range table {
		if d.oid.Equal(oid) {
			return d.hash, true
		}
	}
	return 0, false
}

// OID is the object identifier of h, false for a hash not in the table.
func OID(h crypto.Hash) (asn1.ObjectIdentifier, bool) {
	for _, d := range table {
		if d.hash == h {
			return d.oid, true
		}
	}
	return nil, false
}
