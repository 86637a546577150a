package sigformat

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"time"
	"unicode/utf8"
)

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
	// compute (crypto.MD5, crypto.SHA1, crypto.SHA224): the verifier decides what it accepts.
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
	// Timestamps are the RFC 3161 timestamps the signature carries, each over Raw, as the
	// format keeps them: TimeStampTokens (DER) in the CMS unsigned attribute
	// id-aa-signatureTimeStampToken (RFC 3161 appendix A), TimeStampResponses holding them in
	// the bundle's timestampVerificationData.rfc3161Timestamps (package timestamp's
	// ParseTokenOrResponse reads both). Raw signatures carry none (a token is kept beside
	// them, FILE.sig.tsr). Nothing in them is checked here.
	Timestamps [][]byte
	// Minisign is, for a minisign signature, its algorithm, key id, comments and global
	// signature (Raw is the signature over the file or its BLAKE2b-512 digest); nil otherwise.
	Minisign *MinisignSignature

	contentType asn1.ObjectIdentifier // CMS contentType attribute, checked against eContentType
	// namesSigner matches the certificate the CMS signer identifier names (NamesSigner).
	namesSigner func(*x509.Certificate) bool
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

// Parse reads a signature file in any of the formats and tells which it is from the
// content:
//
//   - UTF-8 text starting with '{' is a Sigstore bundle (JSON);
//   - text starting with "untrusted comment: " is a minisign signature;
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
func Parse(data []byte) (*Signature, error) {
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return nil, malformed("empty signature file")
	case IsMinisign(data):
		return parseMinisign(data)
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
