package x509util

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Reading for inspection what crypto/x509 refuses. `signet cert inspect` shows what an object
// says, and openssl shows objects crypto/x509 refuses for parts that showing them need not
// judge: a name holding a UniversalString or VisibleString value, a PrintableString with '@'
// or '_', a value that is no string; a key on a curve crypto/x509 does not know (secp256k1,
// brainpool) or of a type it does not parse; an extension it cannot read (an empty name
// constraints extension, a policy it finds malformed). Where crypto/x509 (and ParseCertificate)
// refuse an object, these functions parse a copy with those parts replaced by placeholders
// (an empty name, an Ed25519 key of zeros, and for a certificate only the key usage, extended
// key usage, basic constraints and key identifier extensions), then restore the object's own
// bytes: Raw, the TBS, RawSubject, RawIssuer, RawSubjectPublicKeyInfo, Extensions,
// SerialNumber. The Describe functions show names, keys, SANs and extensions from those
// bytes, so nothing shown comes from a placeholder; the parsed pkix.Name fields are empty and
// the public key nil when replaced. Only inspection reads objects this way: verification
// (ParseCertificate, ParseCRL) still refuses them.

// inspectPlaceholderSPKI is an Ed25519 SubjectPublicKeyInfo of zeros.
func inspectPlaceholderSPKI() []byte {
	return append([]byte{0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00}, make([]byte, 32)...)
}

var inspectEmptyName = []byte{0x30, 0x00}

// inspectCertificateExtensionsKept are the extensions the placeholder reading of a
// certificate leaves to crypto/x509, which the Describe functions take from its parse.
func inspectCertificateExtensionKept(e pkix.Extension) bool {
	switch {
	case e.Id.Equal(oidExtKeyUsage), e.Id.Equal(oidExtExtKeyUsage), e.Id.Equal(oidExtBasicConstraints):
		return true
	case e.Id.Equal(oidSubjectKeyID), e.Id.Equal(oidAuthorityKeyID):
		return !e.Critical
	}
	return false
}

// inspectParseCertificate is ParseCertificate, or where it refuses der, the placeholder
// reading; the error is ParseCertificate's.
func inspectParseCertificate(der []byte) (*x509.Certificate, error) {
	c, err := ParseCertificate(der)
	if err == nil {
		return c, nil
	}
	if c, ok := inspectLenientCertificate(der); ok {
		return c, nil
	}
	return nil, err
}

// inspectSplit reads a signed object (SEQUENCE { tbs, algorithm, BIT STRING }) into its
// parts and the TBS's elements.
func inspectSplit(der []byte) (tbs, sigAlg []byte, sig asn1.BitString, elems [][]byte, tags []cbasn1.Tag, ok bool) {
	in := cryptobyte.String(der)
	var outer, t, a cryptobyte.String
	if !in.ReadASN1(&outer, cbasn1.SEQUENCE) || !in.Empty() ||
		!outer.ReadASN1Element(&t, cbasn1.SEQUENCE) || !outer.ReadASN1Element(&a, cbasn1.SEQUENCE) ||
		!outer.ReadASN1BitString(&sig) || !outer.Empty() {
		return nil, nil, sig, nil, nil, false
	}
	tbs, sigAlg = t, a
	var body cryptobyte.String
	if !t.ReadASN1(&body, cbasn1.SEQUENCE) {
		return nil, nil, sig, nil, nil, false
	}
	for !body.Empty() {
		var el cryptobyte.String
		var tag cbasn1.Tag
		if !body.ReadAnyASN1Element(&el, &tag) {
			return nil, nil, sig, nil, nil, false
		}
		elems, tags = append(elems, el), append(tags, tag)
	}
	return tbs, sigAlg, sig, elems, tags, true
}

// inspectJoin writes a signed object of the TBS elements given.
func inspectJoin(elems [][]byte, sigAlg []byte, sig asn1.BitString) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, e := range elems {
				b.AddBytes(e)
			}
		})
		b.AddBytes(sigAlg)
		b.AddASN1BitString(sig.Bytes)
	})
	return b.Bytes()
}

// inspectSPKI returns spki, or the placeholder when crypto/x509 cannot parse it.
func inspectSPKI(spki []byte) ([]byte, bool) {
	if _, err := x509.ParsePKIXPublicKey(spki); err != nil {
		return inspectPlaceholderSPKI(), true
	}
	return spki, false
}

func inspectLenientCertificate(der []byte) (*x509.Certificate, bool) {
	tbs, sigAlg, sig, elems, tags, ok := inspectSplit(der)
	if !ok {
		return nil, false
	}
	i := 0
	if len(tags) > 0 && tags[0] == cbasn1.Tag(0).ContextSpecific().Constructed() {
		i = 1 // version
	}
	if len(elems) < i+6 {
		return nil, false
	}
	orig := make([][]byte, len(elems))
	copy(orig, elems)
	// serial, signature, issuer, validity, subject, subjectPublicKeyInfo
	serial := new(big.Int)
	if s := cryptobyte.String(elems[i]); !s.ReadASN1Integer(serial) || !s.Empty() {
		return nil, false
	}
	if serial.Sign() < 0 {
		var b cryptobyte.Builder
		b.AddASN1BigInt(new(big.Int).Neg(serial))
		elems[i] = b.BytesOrPanic()
	}
	elems[i+2], elems[i+4] = inspectEmptyName, inspectEmptyName
	var placeholder bool
	elems[i+5], placeholder = inspectSPKI(elems[i+5])
	var exts []pkix.Extension
	for k := i + 6; k < len(elems); k++ {
		if tags[k] != cbasn1.Tag(3).ContextSpecific().Constructed() {
			continue
		}
		var err error
		if exts, elems[k], err = inspectKeepExtensions(elems[k]); err != nil {
			return nil, false
		}
	}
	rebuilt, err := inspectJoin(elems, sigAlg, sig)
	if err != nil {
		return nil, false
	}
	c, err := x509.ParseCertificate(rebuilt)
	if err != nil {
		return nil, false
	}
	c.Raw = append([]byte(nil), der...)
	c.RawTBSCertificate = tbs
	c.SerialNumber = serial
	c.RawIssuer, c.RawSubject, c.RawSubjectPublicKeyInfo = orig[i+2], orig[i+4], orig[i+5]
	if placeholder {
		c.PublicKey, c.PublicKeyAlgorithm = nil, x509.UnknownPublicKeyAlgorithm
	}
	if exts != nil {
		c.Extensions = exts
		restoreKeyIDs(c, exts)
	}
	c.CRLDistributionPoints = distributionPointURIs(c.Extensions)
	c.OCSPServer, c.IssuingCertificateURL = aiaURIs(c.Extensions)
	return c, true
}

// inspectKeepExtensions reads a certificate's [3] extensions and writes them again with only
// those inspectCertificateExtensionKept keeps.
func inspectKeepExtensions(el []byte) ([]pkix.Extension, []byte, error) {
	s := cryptobyte.String(el)
	var list cryptobyte.String
	if !s.ReadASN1(&s, cbasn1.Tag(3).ContextSpecific().Constructed()) || !s.ReadASN1(&list, cbasn1.SEQUENCE) {
		return nil, nil, errors.New("bad extensions")
	}
	var exts []pkix.Extension
	var kept [][]byte
	for !list.Empty() {
		var ext cryptobyte.String
		if !list.ReadASN1Element(&ext, cbasn1.SEQUENCE) {
			return nil, nil, errors.New("bad extension")
		}
		e := ext
		var pe pkix.Extension
		var val cryptobyte.String
		if !e.ReadASN1(&e, cbasn1.SEQUENCE) || !e.ReadASN1ObjectIdentifier(&pe.Id) ||
			e.PeekASN1Tag(cbasn1.BOOLEAN) && !e.ReadASN1Boolean(&pe.Critical) ||
			!e.ReadASN1(&val, cbasn1.OCTET_STRING) || !e.Empty() {
			return nil, nil, errors.New("bad extension")
		}
		pe.Value = val
		exts = append(exts, pe)
		if inspectCertificateExtensionKept(pe) {
			kept = append(kept, ext)
		}
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.Tag(3).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, k := range kept {
				b.AddBytes(k)
			}
		})
	})
	out, err := b.Bytes()
	return exts, out, err
}

var (
	oidAccessOCSP      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1}
	oidAccessCAIssuers = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 2}
)

// aiaURIs reads the URIs of the OCSP and CA issuers access descriptions of an authority
// information access extension, as crypto/x509 does, skipping what it cannot read.
func aiaURIs(exts []pkix.Extension) (ocsp, caIssuers []string) {
	for _, e := range exts {
		if !e.Id.Equal(oidAuthorityInfoAccess) {
			continue
		}
		s := cryptobyte.String(e.Value)
		if !s.ReadASN1(&s, cbasn1.SEQUENCE) {
			return nil, nil
		}
		for !s.Empty() {
			var ad cryptobyte.String
			var method asn1.ObjectIdentifier
			var v cryptobyte.String
			var tag cbasn1.Tag
			if !s.ReadASN1(&ad, cbasn1.SEQUENCE) || !ad.ReadASN1ObjectIdentifier(&method) || !ad.ReadAnyASN1(&v, &tag) {
				return ocsp, caIssuers
			}
			if tag != cbasn1.Tag(6).ContextSpecific() {
				continue
			}
			switch {
			case method.Equal(oidAccessOCSP):
				ocsp = append(ocsp, string(v))
			case method.Equal(oidAccessCAIssuers):
				caIssuers = append(caIssuers, string(v))
			}
		}
	}
	return ocsp, caIssuers
}

// inspectParseCRL is x509.ParseRevocationList, or where it refuses der for its issuer's name,
// the placeholder reading.
func inspectParseCRL(der []byte) (*x509.RevocationList, error) {
	crl, err := x509.ParseRevocationList(der)
	if err == nil {
		return crl, nil
	}
	tbs, sigAlg, sig, elems, tags, ok := inspectSplit(der)
	if !ok {
		return nil, err
	}
	// version (optional), signature, issuer
	i := 1
	if len(tags) > 0 && tags[0] == cbasn1.INTEGER {
		i = 2
	}
	if len(elems) <= i {
		return nil, err
	}
	issuer := elems[i]
	elems[i] = inspectEmptyName
	rebuilt, err2 := inspectJoin(elems, sigAlg, sig)
	if err2 != nil {
		return nil, err
	}
	crl, err2 = x509.ParseRevocationList(rebuilt)
	if err2 != nil {
		return nil, err
	}
	crl.Raw = append([]byte(nil), der...)
	crl.RawTBSRevocationList = tbs
	crl.RawIssuer = issuer
	return crl, nil
}

// inspectParseCSR is x509.ParseCertificateRequest, or where it refuses der for its subject or
// key, the placeholder reading. Either way a CSR whose requested extensions are malformed
// (checkRequestedExtensions: requested twice, a value that does not parse) is refused: cert
// inspect would show a part of what it asks for (crypto/x509 reads one of two
// subjectAltNames, and no other extension), and cert create refuses it.
func inspectParseCSR(der []byte) (*x509.CertificateRequest, error) {
	csr, err := inspectParseCSRLenient(der)
	if err != nil {
		return nil, err
	}
	if why := checkRequestedExtensions(csr.RawTBSCertificateRequest); why != "" {
		return nil, errors.New(why)
	}
	return csr, nil
}

func inspectParseCSRLenient(der []byte) (*x509.CertificateRequest, error) {
	csr, err := x509.ParseCertificateRequest(der)
	if err == nil {
		return csr, nil
	}
	tbs, sigAlg, sig, elems, _, ok := inspectSplit(der)
	if !ok || len(elems) < 3 {
		return nil, err
	}
	// version, subject, subjectPKInfo, [0] attributes: the attributes are set aside too (a
	// requested SAN crypto/x509 cannot read, such as a URI with a control character), and
	// the requested extensions read from them here
	subject, spki := elems[1], elems[2]
	var placeholder bool
	elems[1] = inspectEmptyName
	elems[2], placeholder = inspectSPKI(spki)
	var exts []pkix.Extension
	if len(elems) > 3 {
		var ok bool
		if exts, ok = inspectRequestedExtensions(elems[3]); !ok {
			return nil, err
		}
		elems[3] = []byte{0xa0, 0x00}
	}
	rebuilt, err2 := inspectJoin(elems, sigAlg, sig)
	if err2 != nil {
		return nil, err
	}
	csr, err2 = x509.ParseCertificateRequest(rebuilt)
	if err2 != nil {
		return nil, err
	}
	csr.Raw = append([]byte(nil), der...)
	csr.RawTBSCertificateRequest = tbs
	csr.RawSubject, csr.RawSubjectPublicKeyInfo = subject, spki
	if placeholder {
		csr.PublicKey, csr.PublicKeyAlgorithm = nil, x509.UnknownPublicKeyAlgorithm
	}
	csr.Extensions = exts
	return csr, nil
}

// inspectRequestedExtensions reads the extensions of a CSR's extensionRequest attribute from
// its [0] attributes; false when they do not parse.
func inspectRequestedExtensions(el []byte) ([]pkix.Extension, bool) {
	s := cryptobyte.String(el)
	var attrs cryptobyte.String
	if !s.ReadASN1(&attrs, cbasn1.Tag(0).ContextSpecific().Constructed()) || !s.Empty() {
		return nil, false
	}
	var exts []pkix.Extension
	for !attrs.Empty() {
		var attr, values cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !attrs.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&oid) ||
			!attr.ReadASN1(&values, cbasn1.SET) {
			return nil, false
		}
		if !oid.Equal(oidExtensionRequest) {
			continue
		}
		var list cryptobyte.String
		if !values.ReadASN1(&list, cbasn1.SEQUENCE) {
			return nil, false
		}
		for !list.Empty() {
			var e cryptobyte.String
			var pe pkix.Extension
			var val cryptobyte.String
			if !list.ReadASN1(&e, cbasn1.SEQUENCE) || !e.ReadASN1ObjectIdentifier(&pe.Id) ||
				e.PeekASN1Tag(cbasn1.BOOLEAN) && !e.ReadASN1Boolean(&pe.Critical) ||
				!e.ReadASN1(&val, cbasn1.OCTET_STRING) || !e.Empty() {
				return nil, false
			}
			pe.Value = val
			exts = append(exts, pe)
		}
	}
	return exts, true
}
