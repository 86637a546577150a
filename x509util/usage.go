package x509util

import (
	"crypto/x509"
	"encoding/asn1"
	"slices"
	"strings"
)

// The names of key usages and extended key usages, in one table that the policy engine
// (verify), `signet cert inspect` and the help texts all use, so a usage is spelled the same
// wherever signet prints or accepts it.

// ExtKeyUsageInfo names an extended key usage crypto/x509 knows.
type ExtKeyUsageInfo struct {
	// Name is the RFC 5280 / openssl configuration spelling, such as "codeSigning".
	Name  string
	Usage x509.ExtKeyUsage
	OID   asn1.ObjectIdentifier
}

// ExtKeyUsages lists the extended key usages known by name. The list and its OIDs are copies:
// which OID a name such as codeSigning stands for cannot be changed from outside.
func ExtKeyUsages() []ExtKeyUsageInfo {
	out := make([]ExtKeyUsageInfo, len(extKeyUsages))
	for i, e := range extKeyUsages {
		out[i] = e.clone()
	}
	return out
}

func (e ExtKeyUsageInfo) clone() ExtKeyUsageInfo {
	e.OID = slices.Clone(e.OID)
	return e
}

var extKeyUsages = []ExtKeyUsageInfo{
	{"serverAuth", x509.ExtKeyUsageServerAuth, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 1}},
	{"clientAuth", x509.ExtKeyUsageClientAuth, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}},
	{"codeSigning", x509.ExtKeyUsageCodeSigning, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}},
	{"emailProtection", x509.ExtKeyUsageEmailProtection, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 4}},
	{"ipsecEndSystem", x509.ExtKeyUsageIPSECEndSystem, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 5}},
	{"ipsecTunnel", x509.ExtKeyUsageIPSECTunnel, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 6}},
	{"ipsecUser", x509.ExtKeyUsageIPSECUser, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 7}},
	{"timeStamping", x509.ExtKeyUsageTimeStamping, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}},
	{"OCSPSigning", x509.ExtKeyUsageOCSPSigning, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 9}},
	{"anyExtendedKeyUsage", x509.ExtKeyUsageAny, asn1.ObjectIdentifier{2, 5, 29, 37, 0}},
	{"msSGC", x509.ExtKeyUsageMicrosoftServerGatedCrypto, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 10, 3, 3}},
	{"nsSGC", x509.ExtKeyUsageNetscapeServerGatedCrypto, asn1.ObjectIdentifier{2, 16, 840, 1, 113730, 4, 1}},
	{"msCodeCom", x509.ExtKeyUsageMicrosoftCommercialCodeSigning, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 1, 22}},
	{"msKernelCodeSigning", x509.ExtKeyUsageMicrosoftKernelCodeSigning, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 61, 1, 1}},
}

// ExtKeyUsageByName returns the usage named name (without regard to case).
func ExtKeyUsageByName(name string) (ExtKeyUsageInfo, bool) {
	for _, e := range extKeyUsages {
		if strings.EqualFold(name, e.Name) {
			return e.clone(), true
		}
	}
	return ExtKeyUsageInfo{}, false
}

// ExtKeyUsageByOID returns the usage whose OID is oid.
func ExtKeyUsageByOID(oid asn1.ObjectIdentifier) (ExtKeyUsageInfo, bool) {
	for _, e := range extKeyUsages {
		if oid.Equal(e.OID) {
			return e.clone(), true
		}
	}
	return ExtKeyUsageInfo{}, false
}

// ExtKeyUsageOID returns the OID of a usage crypto/x509 knows, nil for one it does not.
func ExtKeyUsageOID(u x509.ExtKeyUsage) asn1.ObjectIdentifier {
	for _, e := range extKeyUsages {
		if e.Usage == u {
			return slices.Clone(e.OID)
		}
	}
	return nil
}

// ExtKeyUsageName returns the name of the usage with OID oid, or the dotted OID.
func ExtKeyUsageName(oid asn1.ObjectIdentifier) string {
	if e, ok := ExtKeyUsageByOID(oid); ok {
		return e.Name
	}
	return oid.String()
}

// CertificateEKUs returns the extended key usages of c as OIDs, in the order crypto/x509
// parsed them (those it knows first), nil when c has no extended key usage extension.
func CertificateEKUs(c *x509.Certificate) []asn1.ObjectIdentifier {
	var oids []asn1.ObjectIdentifier
	for _, u := range c.ExtKeyUsage {
		if o := ExtKeyUsageOID(u); o != nil {
			oids = append(oids, o)
		}
	}
	return append(oids, c.UnknownExtKeyUsage...)
}

// keyUsageNames are the key usage bits by their RFC 5280 names, in bit order.
var keyUsageNames = []struct {
	bit  x509.KeyUsage
	name string
}{
	{x509.KeyUsageDigitalSignature, "digitalSignature"},
	{x509.KeyUsageContentCommitment, "nonRepudiation"},
	{x509.KeyUsageKeyEncipherment, "keyEncipherment"},
	{x509.KeyUsageDataEncipherment, "dataEncipherment"},
	{x509.KeyUsageKeyAgreement, "keyAgreement"},
	{x509.KeyUsageCertSign, "keyCertSign"},
	{x509.KeyUsageCRLSign, "cRLSign"},
	{x509.KeyUsageEncipherOnly, "encipherOnly"},
	{x509.KeyUsageDecipherOnly, "decipherOnly"},
}

// KeyUsageNames returns the RFC 5280 names of the bits set in ku, in bit order; an empty
// (never nil) slice for none.
func KeyUsageNames(ku x509.KeyUsage) []string {
	names := []string{}
	for _, k := range keyUsageNames {
		if ku&k.bit != 0 {
			names = append(names, k.name)
		}
	}
	return names
}

// KeyUsageBit returns the key usage bit named name (RFC 5280 names, without regard to case).
func KeyUsageBit(name string) (x509.KeyUsage, bool) {
	for _, k := range keyUsageNames {
		if strings.EqualFold(name, k.name) {
			return k.bit, true
		}
	}
	return 0, false
}
