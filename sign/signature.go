package sign

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"google.golang.org/protobuf/encoding/protojson"
)

// Format is the encoding of a signature file.
type Format string

// The signature formats signet writes and reads.
const (
	// FormatRaw is the bare signature, as `openssl dgst -sign` writes it (DER ECDSA, RSA
	// PKCS#1 v1.5 or PSS, Ed25519's 64 bytes), optionally base64-encoded.
	FormatRaw Format = "raw"
	// FormatCMS is a detached CMS SignedData (RFC 5652), DER, as `openssl cms -sign -binary
	// -outform DER` writes it.
	FormatCMS Format = "cms"
	// FormatBundle is a Sigstore bundle (v0.1 to v0.3 read, v0.3 written) in its JSON form,
	// with a messageSignature.
	FormatBundle Format = "bundle"
)

// Formats lists the formats in the order `signet sign --help` shows them.
func Formats() []Format { return []Format{FormatRaw, FormatCMS, FormatBundle} }

// ParseFormat returns the format called name ("raw", "cms" or "bundle"; case is ignored). An
// unknown name gives an error wrapping ErrUnsupported.
func ParseFormat(name string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(name))); f {
	case FormatRaw, FormatCMS, FormatBundle:
		return f, nil
	}
	return "", &kindError{msg: fmt.Sprintf("sign: unknown signature format %q (known: raw, cms, bundle)", name), kind: ErrUnsupported}
}

// Extension is the suffix signet appends to a file's name for a signature in format f:
// ".sig", ".p7s" or ".sigstore.json".
func (f Format) Extension() string {
	switch f {
	case FormatRaw:
		return ".sig"
	case FormatCMS:
		return ".p7s"
	case FormatBundle:
		return ".sigstore.json"
	}
	return ""
}

// BundleMediaType is the media type of the bundles signet writes.
const BundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"

// Signature is a parsed signature file, whatever its format. It says what was signed and how;
// checking it is the verifier's job.
type Signature struct {
	Format Format
	// Raw is the signature value: the whole file for raw (base64-decoded if it was base64),
	// SignerInfo.signature for CMS, messageSignature.signature for a bundle.
	Raw []byte
	// Base64 reports that a raw signature file was base64 text.
	Base64 bool

	// Hash is the hash the format names: the CMS SignerInfo digestAlgorithm, the bundle's
	// messageDigest.algorithm. It is 0 for raw signatures, which name none (the caller says
	// which, as `openssl dgst -verify` takes -sha256). It may be a hash signet does not
	// compute (crypto.SHA1, crypto.SHA224): the verifier decides what it accepts.
	Hash crypto.Hash
	// ContentDigest is the digest of the signed content that the format records: the CMS
	// messageDigest attribute, the bundle's messageDigest.digest. It is nil for raw
	// signatures and for CMS without signed attributes.
	//
	// In a CMS signature with signed attributes the signature covers SignedData, which
	// contains this digest: the content is verified by comparing its digest with this one.
	// In a bundle the signature covers the content itself (its digest for ECDSA and RSA, the
	// message for Ed25519) and this digest only identifies the artifact.
	ContentDigest []byte
	// SignedData is, for CMS with signed attributes, the DER encoding of the SET OF
	// attributes (tagged as a SET, as RFC 5652 §5.4 says), which is exactly what the
	// signature covers (prehashed with Hash, except for Ed25519 which signs it whole, RFC
	// 8419). It is nil otherwise: the signature then covers the content (its digest).
	SignedData []byte
	// SignatureAlgorithm is the algorithm the format names (CMS signatureAlgorithm,
	// combined with Hash when it names only the key type, as rsaEncryption does), or
	// x509.UnknownSignatureAlgorithm when the format names none or crypto/x509 has no
	// constant for it (RSA with SHA-3, for example). Hash, PSS and the key decide.
	SignatureAlgorithm x509.SignatureAlgorithm
	// PSS reports an RSA-PSS signature, when the format says so (CMS RSASSA-PSS). Raw
	// signatures and bundles do not say.
	PSS bool
	// PSSSaltLength is the salt length the CMS RSASSA-PSS parameters name (RFC 4055), when PSS
	// is set by CMS; a signature with another salt does not match them.
	PSSSaltLength int
	// KeyAlgorithm is the key type the CMS signatureAlgorithm is for (x509.RSA, x509.ECDSA or
	// x509.Ed25519), which the signer's key must be; x509.UnknownPublicKeyAlgorithm when the
	// format names none (raw, bundle).
	KeyAlgorithm x509.PublicKeyAlgorithm
	// Certificates are the certificates the signature carries (the CMS certificates set, the
	// bundle's certificate or x509CertificateChain), the signer's first when it is known (the
	// CMS signer identifier names it; a bundle lists it first).
	Certificates []*x509.Certificate
	// SignerIdentified reports that, in a CMS signature, Certificates[0] is the certificate
	// the SignerInfo's identifier names. It is false when no carried certificate matches it:
	// the signer is then unknown, whichever carried certificate's key might verify.
	SignerIdentified bool
	// PublicKeyHint is the bundle's verificationMaterial.publicKey.hint, when the bundle
	// names a key instead of carrying a certificate.
	PublicKeyHint string
	// SigningTime is the CMS signingTime attribute, zero when absent. It is what the signer
	// claimed, not a trusted timestamp.
	SigningTime time.Time
	// MediaType is the bundle's mediaType.
	MediaType string

	contentType asn1.ObjectIdentifier // CMS contentType attribute, checked against eContentType
}

// maxRawSignature bounds what is taken for a raw signature: the largest signature signet
// makes (RSA-16384) is 2 KiB; a file of a megabyte is not a signature but a mistake, such as
// the artifact passed in the signature's place.
const maxRawSignature = 64 << 10

var (
	oidSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
)

// signedDataPrefix is the DER a CMS ContentInfo of type signedData starts with after its
// outer SEQUENCE header: OBJECT IDENTIFIER 1.2.840.113549.1.7.2. A raw ECDSA signature is a
// SEQUENCE too, but of two INTEGERs; RSA and Ed25519 signatures are random bytes.
var signedDataPrefix = []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}

// ParseSignature reads a signature file in any of the formats and tells which it is from the
// content:
//
//   - UTF-8 text starting with '{' is a Sigstore bundle (JSON);
//   - a DER (or PEM "CMS" / "PKCS7") ContentInfo of type signedData is CMS;
//   - anything else up to 64 KiB is a raw signature; if it is entirely base64 text it is
//     decoded first (and, if the decoded bytes are a CMS ContentInfo, they are CMS).
//
// A raw signature cannot be taken for CMS or a bundle by accident: an ECDSA signature is a
// DER SEQUENCE of two INTEGERs, never of an OBJECT IDENTIFIER, and the other algorithms'
// signatures are uniformly random bytes which start with '{' or the 13-byte signedData prefix
// with negligible probability. A file that starts like a bundle or a CMS signature and then
// fails to parse (a truncated download) is malformed, not raw.
//
// Errors wrap ErrMalformedSignature.
func ParseSignature(data []byte) (*Signature, error) {
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return nil, malformed("empty signature file")
	case trimmed[0] == '{' && utf8.Valid(trimmed):
		// JSON text: a bundle, or a broken one. A binary signature that happens to start
		// with '{' is not valid UTF-8 but with negligible probability.
		return parseBundle(trimmed)
	case bytes.HasPrefix(trimmed, []byte("-----BEGIN ")):
		return parsePEMSignature(trimmed)
	case looksLikeCMS(data):
		return parseCMS(data)
	}
	if dec, ok := decodeBase64(trimmed); ok {
		if looksLikeCMS(dec) {
			return parseCMS(dec)
		}
		if s, err := parseRaw(dec); err == nil {
			s.Base64 = true
			return s, nil
		}
	}
	return parseRaw(data)
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformedSignature, fmt.Sprintf(format, args...))
}

func parseRaw(data []byte) (*Signature, error) {
	if len(data) == 0 {
		return nil, malformed("empty signature")
	}
	if len(data) > maxRawSignature {
		return nil, malformed("%d bytes is too large for a raw signature (is it the signed file?)", len(data))
	}
	return &Signature{Format: FormatRaw, Raw: bytes.Clone(data), SignatureAlgorithm: x509.UnknownSignatureAlgorithm}, nil
}

// decodeBase64 decodes text that is entirely standard base64, possibly wrapped in lines
// (openssl base64 wraps at 64 columns).
func decodeBase64(s []byte) ([]byte, bool) {
	if len(s) < 4 {
		return nil, false
	}
	clean := make([]byte, 0, len(s))
	for _, c := range s {
		switch {
		case c == '\n' || c == '\r' || c == ' ' || c == '\t':
			continue
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/', c == '=':
			clean = append(clean, c)
		default:
			return nil, false
		}
	}
	dec, err := base64.StdEncoding.DecodeString(string(clean))
	if err != nil || len(dec) == 0 {
		return nil, false
	}
	return dec, true
}

// looksLikeCMS reports whether data starts as a ContentInfo of type signedData.
func looksLikeCMS(data []byte) bool {
	if len(data) < 2 || data[0] != 0x30 {
		return false
	}
	n := 2
	switch l := data[1]; {
	case l == 0x80: // BER indefinite length
	case l > 0x80:
		n += int(l & 0x7f)
	}
	return len(data) > n && bytes.HasPrefix(data[n:], signedDataPrefix)
}

func parsePEMSignature(data []byte) (*Signature, error) {
	block, rest := pem.Decode(data)
	if block == nil {
		return nil, malformed("unreadable PEM")
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, malformed("more than one PEM block")
	}
	switch block.Type {
	case "CMS", "PKCS7", "PKCS #7 SIGNED DATA":
		return parseCMS(block.Bytes)
	}
	return nil, malformed("a PEM %q block is not a signature", block.Type)
}

// parseBundle reads a Sigstore bundle with a messageSignature.
func parseBundle(data []byte) (*Signature, error) {
	var b protobundle.Bundle
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, &b); err != nil {
		return nil, malformed("bundle: %v", err)
	}
	mt := b.GetMediaType()
	if !strings.HasPrefix(mt, "application/vnd.dev.sigstore.bundle") {
		return nil, malformed("bundle: media type %q is not a Sigstore bundle's", mt)
	}
	if b.GetDsseEnvelope() != nil {
		return nil, malformed("bundle: DSSE envelopes are not supported, only messageSignature")
	}
	ms := b.GetMessageSignature()
	if ms == nil {
		return nil, malformed("bundle: no messageSignature")
	}
	if len(ms.GetSignature()) == 0 {
		return nil, malformed("bundle: empty signature")
	}
	s := &Signature{
		Format:             FormatBundle,
		Raw:                ms.GetSignature(),
		MediaType:          mt,
		SignatureAlgorithm: x509.UnknownSignatureAlgorithm,
	}
	if md := ms.GetMessageDigest(); md != nil {
		h, ok := bundleHashes[md.GetAlgorithm()]
		if !ok {
			return nil, malformed("bundle: unsupported messageDigest algorithm %v", md.GetAlgorithm())
		}
		if len(md.GetDigest()) != h.Size() {
			return nil, malformed("bundle: %d-byte messageDigest for %v", len(md.GetDigest()), h)
		}
		s.Hash, s.ContentDigest = h, md.GetDigest()
	}
	vm := b.GetVerificationMaterial()
	if vm == nil {
		return nil, malformed("bundle: no verificationMaterial")
	}
	var ders [][]byte
	switch {
	case vm.GetCertificate() != nil:
		ders = append(ders, vm.GetCertificate().GetRawBytes())
	case vm.GetX509CertificateChain() != nil:
		for _, c := range vm.GetX509CertificateChain().GetCertificates() {
			ders = append(ders, c.GetRawBytes())
		}
		if len(ders) == 0 {
			return nil, malformed("bundle: empty x509CertificateChain")
		}
	case vm.GetPublicKey() != nil:
		s.PublicKeyHint = vm.GetPublicKey().GetHint()
	default:
		return nil, malformed("bundle: verificationMaterial has no key material")
	}
	for i, der := range ders {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, malformed("bundle: certificate %d: %v", i+1, err)
		}
		s.Certificates = append(s.Certificates, c)
	}
	return s, nil
}

// bundleHashes are the hashes a bundle can name. The protobuf-specs mark the two SHA-3 values
// deprecated (they were added for LMS), but they are still values of the enum that bundles
// carry: signet keeps reading them, and writing them when -a asks for SHA-3 (README, package
// doc), rather than silently falling back to another hash.
var bundleHashes = map[protocommon.HashAlgorithm]crypto.Hash{
	protocommon.HashAlgorithm_SHA2_256: crypto.SHA256,
	protocommon.HashAlgorithm_SHA2_384: crypto.SHA384,
	protocommon.HashAlgorithm_SHA2_512: crypto.SHA512,
	//lint:ignore SA1019 deliberate: see bundleHashes
	protocommon.HashAlgorithm_SHA3_256: crypto.SHA3_256,
	//lint:ignore SA1019 deliberate: see bundleHashes
	protocommon.HashAlgorithm_SHA3_384: crypto.SHA3_384,
}

// bundleHashAlgorithm is the bundle's name for h, ok false when a bundle cannot record it.
func bundleHashAlgorithm(h crypto.Hash) (protocommon.HashAlgorithm, bool) {
	for k, v := range bundleHashes {
		if v == h {
			return k, true
		}
	}
	return 0, false
}

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
	s := &Signature{Format: FormatCMS, SignatureAlgorithm: x509.UnknownSignatureAlgorithm}
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
	if s.SignedData != nil && !eType.Equal(s.contentType) {
		return nil, malformed("cms: contentType attribute %v differs from the encapsulated type %v", s.contentType, eType)
	}
	return s, nil
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
	if !si.ReadASN1(&sigAlg, cbasn1.SEQUENCE) ||
		!readOctetString(&si, &sig) ||
		!si.SkipOptionalASN1(cbasn1.Tag(1).Constructed().ContextSpecific()) || !si.Empty() {
		return malformed("cms: bad SignerInfo")
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
			var t time.Time
			var ok bool
			switch tag {
			case cbasn1.UTCTime:
				ok = v.ReadASN1UTCTime(&t)
			case cbasn1.GeneralizedTime:
				ok = v.ReadASN1GeneralizedTime(&t)
			}
			if !ok {
				return malformed("cms: bad signingTime attribute")
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

func serialDER(c *x509.Certificate) []byte {
	var b cryptobyte.Builder
	b.AddASN1BigInt(c.SerialNumber)
	return b.BytesOrPanic()
}
