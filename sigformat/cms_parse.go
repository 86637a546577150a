package sigformat

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// parseCMS reads a ContentInfo holding a SignedData with one signer (RFC 5652), DER or BER
// (indefinite lengths, as streaming writers produce, are made definite first).
func parseCMS(data []byte) (*Signature, error) {
	der, err := berToDER(data)
	if err != nil {
		return nil, malformed("cms: %v", err)
	}
	in := cryptobyte.String(der)
	var ci, content cryptobyte.String
	var ctype asn1.ObjectIdentifier
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) {
		return nil, malformed("cms: bad ContentInfo")
	}
	if !in.Empty() {
		return nil, malformed("cms: %d trailing bytes after the ContentInfo", len(in))
	}
	if !ci.ReadASN1ObjectIdentifier(&ctype) || !ctype.Equal(oidSignedData) {
		return nil, malformed("cms: content type is not signedData")
	}
	if !ci.ReadASN1(&content, cbasn1.Tag(0).Constructed().ContextSpecific()) || !ci.Empty() {
		return nil, malformed("cms: bad ContentInfo content")
	}
	var sd cryptobyte.String
	if !content.ReadASN1(&sd, cbasn1.SEQUENCE) || !content.Empty() {
		return nil, malformed("cms: bad SignedData")
	}
	var version int64
	var digestAlgs, encap, certs, signerInfos cryptobyte.String
	var eType asn1.ObjectIdentifier
	var hasCerts bool
	if !sd.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) ||
		!sd.ReadASN1(&digestAlgs, cbasn1.SET) ||
		!sd.ReadASN1(&encap, cbasn1.SEQUENCE) ||
		!encap.ReadASN1ObjectIdentifier(&eType) ||
		!sd.ReadOptionalASN1(&certs, &hasCerts, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!sd.SkipOptionalASN1(cbasn1.Tag(1).Constructed().ContextSpecific()) ||
		!sd.ReadASN1(&signerInfos, cbasn1.SET) || !sd.Empty() {
		return nil, malformed("cms: bad SignedData")
	}
	if !encap.Empty() {
		return nil, malformed("cms: the signature embeds its content; signet reads detached signatures only")
	}
	if !eType.Equal(oidData) {
		// A SignedData over typed content (a TSTInfo, a receipt) is a statement of that
		// protocol, not a signature of a file: RFC 5652 5.3 and 11.1 tie the meaning to the
		// type, and a file signature's type is id-data.
		return nil, malformed("cms: the signed content is of type %v, not id-data: not a signature of a file", eType)
	}
	s := &Signature{Format: CMS, SignatureAlgorithm: x509.UnknownSignatureAlgorithm}
	for hasCerts && !certs.Empty() {
		var c cryptobyte.String
		var tag cbasn1.Tag
		if !certs.ReadAnyASN1Element(&c, &tag) {
			return nil, malformed("cms: bad certificates")
		}
		if tag != cbasn1.SEQUENCE {
			continue // attribute or other certificate formats: not X.509
		}
		cert, err := x509.ParseCertificate(c)
		if err != nil {
			return nil, malformed("cms: certificate: %v", err)
		}
		s.Certificates = append(s.Certificates, cert)
	}
	var si cryptobyte.String
	if !signerInfos.ReadASN1(&si, cbasn1.SEQUENCE) {
		return nil, malformed("cms: no SignerInfo")
	}
	if !signerInfos.Empty() {
		return nil, malformed("cms: more than one signer is not supported")
	}
	if err := parseSignerInfo(si, s); err != nil {
		return nil, err
	}
	if !listsHash(digestAlgs, s.Hash) {
		// RFC 5652 5.1: digestAlgorithms lists the digest algorithms of all the signers;
		// openssl cms -verify finds the signer's there and refuses the signature without it.
		return nil, malformed("cms: SignedData.digestAlgorithms does not name the signer's digestAlgorithm %v", s.Hash)
	}
	if s.SignedData != nil && !eType.Equal(s.contentType) {
		return nil, malformed("cms: contentType attribute %v differs from the encapsulated type %v", s.contentType, eType)
	}
	return s, nil
}

// listsHash reports whether the SET OF DigestAlgorithmIdentifier algs (its content) names h.
// An identifier that is not an AlgorithmIdentifier is malformed and names nothing.
func listsHash(algs cryptobyte.String, h crypto.Hash) bool {
	for !algs.Empty() {
		var ai cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !algs.ReadASN1(&ai, cbasn1.SEQUENCE) || !ai.ReadASN1ObjectIdentifier(&oid) {
			return false
		}
		if got, ok := hashByOID(oid); ok && got == h {
			return true
		}
	}
	return false
}

func parseSignerInfo(si cryptobyte.String, s *Signature) error {
	var version int64
	var sid cryptobyte.String
	var sidTag cbasn1.Tag
	var digestAlg, sigAlg cryptobyte.String
	var attrs cryptobyte.String
	var hasAttrs bool
	var sig []byte
	if !si.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) ||
		!si.ReadAnyASN1(&sid, &sidTag) ||
		!si.ReadASN1(&digestAlg, cbasn1.SEQUENCE) {
		return malformed("cms: bad SignerInfo")
	}
	attrsTag := cbasn1.Tag(0).Constructed().ContextSpecific()
	if si.PeekASN1Tag(attrsTag) {
		var full cryptobyte.String
		if !si.ReadASN1Element(&full, attrsTag) {
			return malformed("cms: bad signed attributes")
		}
		hasAttrs = true
		// What is signed is the attributes' encoding with the SET tag in place of [0].
		s.SignedData = append([]byte{0x31}, full[1:]...)
		var hdr cryptobyte.String = full
		if !hdr.ReadASN1(&attrs, attrsTag) {
			return malformed("cms: bad signed attributes")
		}
	}
	var unsigned cryptobyte.String
	var hasUnsigned bool
	if !si.ReadASN1(&sigAlg, cbasn1.SEQUENCE) ||
		!readOctetString(&si, &sig) ||
		!si.ReadOptionalASN1(&unsigned, &hasUnsigned, cbasn1.Tag(1).Constructed().ContextSpecific()) || !si.Empty() {
		return malformed("cms: bad SignerInfo")
	}
	if hasUnsigned {
		if err := parseUnsignedAttributes(unsigned, s); err != nil {
			return err
		}
	}
	if len(sig) == 0 {
		return malformed("cms: empty signature")
	}
	s.Raw = sig

	var dOID asn1.ObjectIdentifier
	if !digestAlg.ReadASN1ObjectIdentifier(&dOID) {
		return malformed("cms: bad digestAlgorithm")
	}
	h, ok := hashByOID(dOID)
	if !ok {
		return malformed("cms: unsupported digest algorithm %v", dOID)
	}
	s.Hash = h

	var sOID asn1.ObjectIdentifier
	if !sigAlg.ReadASN1ObjectIdentifier(&sOID) {
		return malformed("cms: bad signatureAlgorithm")
	}
	alg, pss, ok := signatureAlgorithmByOID(sOID, h)
	if !ok {
		return malformed("cms: unsupported signature algorithm %v", sOID)
	}
	s.SignatureAlgorithm, s.PSS = alg, pss
	if err := checkSignatureAlgorithm(s, sOID, sigAlg, h); err != nil {
		return err
	}

	if hasAttrs {
		if err := parseSignedAttributes(attrs, s); err != nil {
			return err
		}
	}
	return identifySigner(s, sid, sidTag)
}

// checkSignatureAlgorithm refuses a signatureAlgorithm that contradicts the digestAlgorithm h:
// one whose OID names another hash (ecdsa-with-SHA1 beside SHA-256), or RSASSA-PSS whose
// parameters name another hash or mask generation hash. A verifier would otherwise check the
// signature with h while the signer claims another. It records the key type the algorithm is
// for, and the PSS salt length. params is what follows the OID in the AlgorithmIdentifier.
func checkSignatureAlgorithm(s *Signature, oid asn1.ObjectIdentifier, params cryptobyte.String, h crypto.Hash) error {
	switch {
	case oid.Equal(oidEd25519):
		s.KeyAlgorithm = x509.Ed25519
		return nil
	case oid.Equal(oidRSAEncryption):
		s.KeyAlgorithm = x509.RSA
		return nil
	case oid.Equal(oidECPublicKey):
		s.KeyAlgorithm = x509.ECDSA
		return nil
	case oid.Equal(oidRSAPSS):
		s.KeyAlgorithm = x509.RSA
		return checkPSSParams(s, params, h)
	}
	for _, a := range signatureOIDs {
		if !a.oid.Equal(oid) {
			continue
		}
		s.KeyAlgorithm = x509.RSA
		if a.ec {
			s.KeyAlgorithm = x509.ECDSA
		}
		if a.hash != h {
			return malformed("cms: signatureAlgorithm %s names %v, but the digestAlgorithm is %v", signatureName(a.alg, oid), a.hash, h)
		}
		return nil
	}
	return nil
}

func signatureName(alg x509.SignatureAlgorithm, oid asn1.ObjectIdentifier) string {
	if alg != x509.UnknownSignatureAlgorithm {
		return alg.String()
	}
	return oid.String()
}

// checkPSSParams reads RSASSA-PSS-params (RFC 4055 section 3.1), which must be present in a
// signature's AlgorithmIdentifier: the hash and the MGF1 hash must be h (their default,
// SHA-1, is not), the trailer field 1.
func checkPSSParams(s *Signature, params cryptobyte.String, h crypto.Hash) error {
	var seq cryptobyte.String
	if !params.ReadASN1(&seq, cbasn1.SEQUENCE) || !params.Empty() {
		return malformed("cms: RSASSA-PSS without its parameters")
	}
	hash, mgfHash, salt, trailer := crypto.SHA1, crypto.SHA1, int64(20), int64(1)
	readHash := func(in *cryptobyte.String, out *crypto.Hash) bool {
		var ai cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !in.ReadASN1(&ai, cbasn1.SEQUENCE) || !ai.ReadASN1ObjectIdentifier(&oid) {
			return false
		}
		if ai.PeekASN1Tag(cbasn1.NULL) {
			var null cryptobyte.String
			ai.ReadASN1(&null, cbasn1.NULL)
		}
		var ok bool
		*out, ok = hashByOID(oid)
		return ok && ai.Empty()
	}
	var f cryptobyte.String
	var present bool
	bad := func(what string) error { return malformed("cms: bad RSASSA-PSS parameters (%s)", what) }
	if !seq.ReadOptionalASN1(&f, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) || present && (!readHash(&f, &hash) || !f.Empty()) {
		return bad("hashAlgorithm")
	}
	if !seq.ReadOptionalASN1(&f, &present, cbasn1.Tag(1).Constructed().ContextSpecific()) {
		return bad("maskGenAlgorithm")
	}
	if present {
		var mgf cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !f.ReadASN1(&mgf, cbasn1.SEQUENCE) || !f.Empty() || !mgf.ReadASN1ObjectIdentifier(&oid) || !oid.Equal(oidMGF1) ||
			!readHash(&mgf, &mgfHash) || !mgf.Empty() {
			return bad("maskGenAlgorithm: MGF1 with a known hash")
		}
	}
	if !seq.ReadOptionalASN1Integer(&salt, cbasn1.Tag(2).Constructed().ContextSpecific(), int64(20)) || salt < 0 {
		return bad("saltLength")
	}
	if !seq.ReadOptionalASN1Integer(&trailer, cbasn1.Tag(3).Constructed().ContextSpecific(), int64(1)) || trailer != 1 || !seq.Empty() {
		return bad("trailerField")
	}
	if hash != h || mgfHash != h {
		return malformed("cms: RSASSA-PSS parameters name %v with MGF1-%v, but the digestAlgorithm is %v", hash, mgfHash, h)
	}
	s.PSSSaltLength = int(salt)
	return nil
}

func readOctetString(in *cryptobyte.String, out *[]byte) bool {
	var v cryptobyte.String
	if !in.ReadASN1(&v, cbasn1.OCTET_STRING) {
		return false
	}
	*out = bytes.Clone(v)
	return true
}

func parseSignedAttributes(attrs cryptobyte.String, s *Signature) error {
	seen := map[string]bool{}
	for !attrs.Empty() {
		var attr, values cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !attrs.ReadASN1(&attr, cbasn1.SEQUENCE) ||
			!attr.ReadASN1ObjectIdentifier(&oid) ||
			!attr.ReadASN1(&values, cbasn1.SET) || !attr.Empty() {
			return malformed("cms: bad signed attribute")
		}
		key := oid.String()
		switch {
		case oid.Equal(oidContentType), oid.Equal(oidMessageDigest), oid.Equal(oidSigningTime):
			if seen[key] {
				return malformed("cms: attribute %v appears twice", oid)
			}
			seen[key] = true
		default:
			continue
		}
		var v cryptobyte.String
		var tag cbasn1.Tag
		if !values.ReadAnyASN1Element(&v, &tag) || !values.Empty() {
			return malformed("cms: attribute %v must have one value", oid)
		}
		switch {
		case oid.Equal(oidContentType):
			var ct asn1.ObjectIdentifier
			if !v.ReadASN1ObjectIdentifier(&ct) || !v.Empty() {
				return malformed("cms: bad contentType attribute")
			}
			s.contentType = ct
		case oid.Equal(oidMessageDigest):
			var d []byte
			if !readOctetString(&v, &d) || !v.Empty() {
				return malformed("cms: bad messageDigest attribute")
			}
			if len(d) != s.Hash.Size() {
				return malformed("cms: %d-byte messageDigest for %v", len(d), s.Hash)
			}
			s.ContentDigest = d
		case oid.Equal(oidSigningTime):
			t, why := readSigningTime(v, tag)
			if why != "" {
				return malformed("cms: bad signingTime attribute: %s", why)
			}
			s.SigningTime = t
		}
	}
	if s.contentType == nil || s.ContentDigest == nil {
		return malformed("cms: signed attributes lack contentType or messageDigest")
	}
	return nil
}

// identifySigner moves the certificate the signer identifier names to the front, keeping the
// others in their order, and sets SignerIdentified; no match leaves it false. sid is the
// identifier's content (without its tag and length); one that is neither form is malformed.
func identifySigner(s *Signature, sid cryptobyte.String, tag cbasn1.Tag) error {
	var match func(c *x509.Certificate) bool
	switch tag {
	case cbasn1.SEQUENCE: // IssuerAndSerialNumber
		var issuer, serial cryptobyte.String
		if !sid.ReadASN1Element(&issuer, cbasn1.SEQUENCE) || !sid.ReadASN1Element(&serial, cbasn1.INTEGER) || !sid.Empty() {
			return malformed("cms: bad signer identifier (issuerAndSerialNumber)")
		}
		match = func(c *x509.Certificate) bool {
			return bytes.Equal(c.RawIssuer, issuer) && bytes.Equal(serialDER(c), serial)
		}
	case cbasn1.Tag(0).ContextSpecific(): // [0] IMPLICIT SubjectKeyIdentifier
		if len(sid) == 0 {
			return malformed("cms: empty subjectKeyIdentifier as signer identifier")
		}
		ski := bytes.Clone(sid)
		match = func(c *x509.Certificate) bool { return bytes.Equal(c.SubjectKeyId, ski) }
	default:
		return malformed("cms: signer identifier is neither issuerAndSerialNumber nor subjectKeyIdentifier")
	}
	s.namesSigner = match
	for i, c := range s.Certificates {
		if match(c) {
			copy(s.Certificates[1:i+1], s.Certificates[:i])
			s.Certificates[0] = c
			s.SignerIdentified = true
			return nil
		}
	}
	return nil
}

// NamesSigner reports whether c is the certificate a CMS signature's signer identifier names
// (its issuer and serial number, or its subject key identifier). A verifier uses it to find
// the signer's certificate among certificates given apart from the signature, when the
// signature carries none (`openssl cms -sign -nocerts`) or not the signer's
// (SignerIdentified false). It is false for other formats.
func (s *Signature) NamesSigner(c *x509.Certificate) bool {
	return s.namesSigner != nil && c != nil && s.namesSigner(c)
}

func serialDER(c *x509.Certificate) []byte {
	var b cryptobyte.Builder
	b.AddASN1BigInt(c.SerialNumber)
	return b.BytesOrPanic()
}

// parseUnsignedAttributes reads the unsigned attributes of a SignerInfo, keeping the RFC 3161
// timestamp tokens (id-aa-signatureTimeStampToken, each a ContentInfo) and skipping the rest.
func parseUnsignedAttributes(attrs cryptobyte.String, s *Signature) error {
	for !attrs.Empty() {
		var attr, values cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !attrs.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&oid) ||
			!attr.ReadASN1(&values, cbasn1.SET) || !attr.Empty() {
			return malformed("cms: bad unsigned attribute")
		}
		if !oid.Equal(oidTimeStampToken) {
			continue
		}
		for !values.Empty() {
			var token cryptobyte.String
			if !values.ReadASN1Element(&token, cbasn1.SEQUENCE) {
				return malformed("cms: bad signatureTimeStampToken attribute")
			}
			s.Timestamps = append(s.Timestamps, bytes.Clone(token))
		}
	}
	return nil
}

// readSigningTime reads the value of a signingTime attribute, v (an element of type tag), as RFC 5652 11.3
// requires it: a UTCTime YYMMDDHHMMSSZ for the years 1950 to 2049, a GeneralizedTime
// YYYYMMDDHHMMSSZ otherwise, in UTC with seconds and without a fraction. cryptobyte's readers
// also take a UTCTime without seconds and a time zone offset. It returns what is wrong, or "".
func readSigningTime(v cryptobyte.String, tag cbasn1.Tag) (time.Time, string) {
	var content cryptobyte.String
	if e := v; !e.ReadASN1(&content, tag) || len(content) == 0 {
		return time.Time{}, "not a time"
	}
	raw := string(content)
	var t time.Time
	var ok bool
	switch tag {
	case cbasn1.UTCTime:
		ok = len(raw) == 13 && digitsZ(raw)
		if ok {
			ok = v.ReadASN1UTCTime(&t)
		}
	case cbasn1.GeneralizedTime:
		ok = len(raw) == 15 && digitsZ(raw)
		if ok {
			ok = v.ReadASN1GeneralizedTime(&t)
		}
		if ok && t.Year() >= 1950 && t.Year() < 2050 {
			return time.Time{}, fmt.Sprintf("GeneralizedTime %q for a year RFC 5652 11.3 writes as UTCTime", raw)
		}
	default:
		return time.Time{}, "neither a UTCTime nor a GeneralizedTime"
	}
	if !ok {
		return time.Time{}, fmt.Sprintf("%q is not YYMMDDHHMMSSZ (UTCTime) or YYYYMMDDHHMMSSZ (GeneralizedTime), a date in UTC with seconds (RFC 5652 11.3)", raw)
	}
	return t, ""
}

// digitsZ reports whether s is digits and a final "Z".
func digitsZ(s string) bool {
	for _, c := range s[:len(s)-1] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s[len(s)-1] == 'Z'
}
