package x509util

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/internal/pkixname"
)

// CreateCSR makes a PKCS#10 certificate signing request for signer's key, signed by signer,
// with the subject exactly as given (order and multi-valued RDNs kept; see ParseRDNSequence,
// or pass name.ToRDNSequence() for a pkix.Name) and sans in a subjectAltName extension.
//
// The signature algorithm follows the key (SignatureAlgorithmFor): ECDSA with SHA-256, -384
// or -512 for P-256, P-384 and P-521, RSA PKCS#1 v1.5 with SHA-256, or Ed25519. The request is
// checked against signer's public key before it is returned, since a signer on a token could
// return a bad signature; a failure wraps ErrKeyMismatch. A request with neither subject nor
// SANs wraps ErrInvalidName.
func CreateCSR(signer crypto.Signer, subject pkix.RDNSequence, sans SANs) (*x509.CertificateRequest, error) {
	if err := CheckCSRNames(subject, sans); err != nil {
		return nil, err
	}
	if signer == nil {
		return nil, fmt.Errorf("%w: no key to sign the CSR with", ErrUnsupported)
	}
	alg, err := SignatureAlgorithmFor(signer.Public())
	if err != nil {
		return nil, err
	}
	rawSubject, err := asn1.Marshal(subject)
	if err != nil {
		return nil, fmt.Errorf("%w: subject: %v", ErrInvalidName, err)
	}
	tmpl := &x509.CertificateRequest{
		SignatureAlgorithm: alg,
		RawSubject:         rawSubject,
		DNSNames:           sans.DNSNames,
		IPAddresses:        sans.IPAddresses,
		EmailAddresses:     sans.EmailAddresses,
		URIs:               sans.URIs,
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, checkedSigner{signer})
	if err != nil {
		return nil, fmt.Errorf("x509util: create CSR: %w", err)
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, fmt.Errorf("x509util: create CSR: %w", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("%w: the key's signature on the CSR does not verify with its public key: %v", ErrKeyMismatch, err)
	}
	return csr, nil
}

// CheckCSRNames reports what CreateCSR would refuse in the names alone, whatever the key: a
// request with neither subject nor SANs (wrapping ErrInvalidName), or a subject that does not
// encode. A command calls it before opening the key, so that no passphrase is asked for a
// request that cannot be made.
func CheckCSRNames(subject pkix.RDNSequence, sans SANs) error {
	if len(subject) == 0 && sans.Len() == 0 {
		return fmt.Errorf("%w: a CSR needs a subject or a subject alternative name", ErrInvalidName)
	}
	if _, err := asn1.Marshal(subject); err != nil {
		return fmt.Errorf("%w: subject: %v", ErrInvalidName, err)
	}
	return nil
}

// CreateCSRPEM is CreateCSR, encoded as MarshalCSRPEM does: the request as openssl writes it.
func CreateCSRPEM(signer crypto.Signer, subject pkix.RDNSequence, sans SANs) ([]byte, error) {
	csr, err := CreateCSR(signer, subject, sans)
	if err != nil {
		return nil, err
	}
	return MarshalCSRPEM(csr), nil
}

// MarshalCSRPEM encodes a CSR as a "CERTIFICATE REQUEST" PEM block, as openssl writes it.
func MarshalCSRPEM(csr *x509.CertificateRequest) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr.Raw})
}

// ParseCSR reads a PKCS#10 certificate signing request, PEM ("CERTIFICATE REQUEST" or the
// older "NEW CERTIFICATE REQUEST"; the first one in the input) or DER, and checks its
// signature with the public key it carries (RSASSA-PSS with any salt length, as openssl
// signs with `-sigopt rsa_padding_mode:pss`, included). It is ParseCSRWithOptions with the
// zero CSROptions: a CSR signed with SHA-1 (or MD5) is refused. Errors wrap ErrMalformed (not
// a CSR, damaged, a version other than 0, an attribute without a value, an extensionRequest
// given twice or with two values, an RDN with no attribute, a signature that does not
// verify, or requested extensions that are malformed: one requested twice, one that does not
// parse, or one cert inspect takes apart whose value does not parse), ErrWeakSignature (SHA-1 or older) or ErrUnsupported (a key or signature algorithm
// signet does not verify, or a subject value crypto/x509 cannot carry in a certificate).
func ParseCSR(data []byte) (*x509.CertificateRequest, error) {
	return ParseCSRWithOptions(data, CSROptions{})
}

// CSROptions are what ParseCSRWithOptions leaves to its caller. The zero value refuses what
// ParseCSR refuses.
type CSROptions struct {
	// AllowSHA1 accepts a CSR signed with SHA-1, with PKCS#1 v1.5 or RSASSA-PSS padding. A CSR's signature proves that its maker
	// holds the key and that the request was not altered; with SHA-1 a request can be made
	// that collides with another, so the proof is void and a CA should not sign it without
	// knowing why. MD5 and MD2 are refused even so (crypto/x509 does not verify them).
	AllowSHA1 bool
}

// ParseCSRWithOptions is ParseCSR with the choices of opts.
func ParseCSRWithOptions(data []byte, opts CSROptions) (*x509.CertificateRequest, error) {
	der := data
	if bytes.Contains(data, []byte("-----BEGIN ")) {
		der = nil
		var seen []string
		for rest := data; ; {
			var block *pem.Block
			block, rest = pem.Decode(rest)
			if block == nil {
				break
			}
			if block.Type == "CERTIFICATE REQUEST" || block.Type == "NEW CERTIFICATE REQUEST" {
				der = block.Bytes
				break
			}
			seen = append(seen, block.Type)
		}
		if der == nil {
			if t, ok := keyDamagedPEM(data, seen); ok {
				return nil, fmt.Errorf("%w: PEM block %q is truncated or damaged (no END line or bad base64)", ErrMalformed, t)
			}
			if len(seen) > 0 {
				return nil, fmt.Errorf("%w: no CERTIFICATE REQUEST PEM block (the input has %v)", ErrMalformed, seen)
			}
			return nil, fmt.Errorf("%w: no CERTIFICATE REQUEST PEM block", ErrMalformed)
		}
	}
	if len(bytes.TrimSpace(der)) == 0 {
		return nil, fmt.Errorf("%w: empty input", ErrMalformed)
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, fmt.Errorf("%w: not a certificate signing request: %v", ErrMalformed, err)
	}
	if csr.PublicKeyAlgorithm == x509.UnknownPublicKeyAlgorithm {
		return nil, fmt.Errorf("%w: the CSR's public key algorithm", ErrUnsupported)
	}
	if err := CheckCSRSignature(csr); err != nil {
		return nil, err
	}
	if err := checkCSRStructure(csr); err != nil {
		return nil, err
	}
	// What the CSR asks for must parse, although only its names are certified: the operator
	// who inspected it saw what signet and openssl read of it.
	if why := checkRequestedExtensions(csr.RawTBSCertificateRequest); why != "" {
		return nil, fmt.Errorf("%w: %s", ErrMalformed, why)
	}
	if err := checkCertificateName(csr.RawSubject); err != nil {
		return nil, fmt.Errorf("the CSR's subject: %w", err)
	}
	// MD5 and MD2 failed above: crypto/x509 does not verify them.
	if (isWeakSignature(csr.SignatureAlgorithm) || isWeakPSS(csr.Raw)) && !opts.AllowSHA1 {
		return nil, fmt.Errorf("%w: the CSR is signed with %v: SHA-1 collisions can be made, so the signature does not prove who made the request",
			ErrWeakSignature, SignatureAlgorithmName(csr.SignatureAlgorithm, csr.Raw))
	}
	return csr, nil
}

// checkCSRStructure refuses what crypto/x509 reads in a CSR without checking it (ErrMalformed):
// a version other than 0, the only one RFC 2986 defines; an attribute whose SET of values is
// empty (RFC 2986 4.1: SIZE(1..MAX)), which crypto/x509 skips; and an extensionRequest
// attribute given twice, or with more than one value (PKCS #9 defines it SINGLE VALUE).
// crypto/x509 reads the extensions of every extensionRequest attribute but only the first value
// of each, openssl the first value of the first attribute: a CA and the requester's tools would
// disagree on what was asked, and the names of a second value were dropped unsaid.
func checkCSRStructure(csr *x509.CertificateRequest) error {
	if csr.Version != 0 {
		return fmt.Errorf("%w: the CSR's version is %d: RFC 2986 defines 0 (v1) alone", ErrMalformed, csr.Version)
	}
	attrs, why := readCSRAttributes(csr.RawTBSCertificateRequest)
	if why != "" {
		return fmt.Errorf("%w: %s", ErrMalformed, why)
	}
	extReqs := 0
	for _, a := range attrs {
		oid, values := a.oid, a.values
		n := 0
		for ; !values.Empty(); n++ {
			var v cryptobyte.String
			if !values.ReadAnyASN1Element(&v, nil) {
				return fmt.Errorf("%w: the value of the CSR attribute %s does not parse", ErrMalformed, oid)
			}
		}
		if n == 0 {
			return fmt.Errorf("%w: the CSR attribute %s has no value (RFC 2986 wants at least one)", ErrMalformed, oid)
		}
		if oid.Equal(oidExtensionRequest) {
			extReqs++
			if n > 1 {
				return fmt.Errorf("%w: the CSR's extensionRequest has %d values; PKCS #9 allows one", ErrMalformed, n)
			}
		}
	}
	if extReqs > 1 {
		return fmt.Errorf("%w: the CSR has %d extensionRequest attributes; PKCS #9 allows one (tools read different ones)", ErrMalformed, extReqs)
	}
	return nil
}

var oidExtensionRequest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 14}

// csrAttribute is one attribute of a CSR (RFC 2986 4.1): its type and the content of its SET
// of values.
type csrAttribute struct {
	oid    asn1.ObjectIdentifier
	values cryptobyte.String
}

// readCSRAttributes reads the attributes of a CSR's TBS strictly: the [0] after the version,
// subject and key, with nothing after it, each attribute an OID and a SET with nothing after
// them. It says what does not parse ("" when all does).
func readCSRAttributes(tbs []byte) ([]csrAttribute, string) {
	s := cryptobyte.String(tbs)
	var body, list cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !body.SkipASN1(cbasn1.INTEGER) || !body.SkipASN1(cbasn1.SEQUENCE) ||
		!body.SkipASN1(cbasn1.SEQUENCE) || !body.ReadASN1(&list, cbasn1.Tag(0).ContextSpecific().Constructed()) || !body.Empty() {
		return nil, "the CSR's attributes do not parse"
	}
	var attrs []csrAttribute
	for !list.Empty() {
		var attr cryptobyte.String
		var a csrAttribute
		if !list.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&a.oid) ||
			!attr.ReadASN1(&a.values, cbasn1.SET) || !attr.Empty() {
			return nil, "a CSR attribute does not parse"
		}
		attrs = append(attrs, a)
	}
	return attrs, ""
}

// checkCertificateName refuses a Name, written into a certificate byte for byte, that the
// certificate cannot carry: an RDN with no attribute (RFC 5280: SIZE (1..MAX); ErrMalformed),
// or an attribute value that crypto/x509 does not read in a certificate (ErrUnsupported): a
// string type other than PrintableString, UTF8String, TeletexString, BMPString, IA5String or
// NumericString (a UniversalString, which RFC 5280 allows for old names; a value that is no
// string), or one of those types holding what it cannot hold. crypto/x509 refuses to write such
// a certificate, after the CA's key signed it; every verifier built on it would refuse to read
// it.
func checkCertificateName(raw []byte) error {
	s := cryptobyte.String(raw)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return fmt.Errorf("%w: not a DER Name", ErrMalformed)
	}
	for !seq.Empty() {
		var set cryptobyte.String
		if !seq.ReadASN1(&set, cbasn1.SET) {
			return fmt.Errorf("%w: not a DER Name", ErrMalformed)
		}
		if set.Empty() {
			return fmt.Errorf("%w: a relative distinguished name with no attribute (RFC 5280 wants at least one)", ErrMalformed)
		}
		for !set.Empty() {
			var atv, value cryptobyte.String
			var oid asn1.ObjectIdentifier
			var tag cbasn1.Tag
			if !set.ReadASN1(&atv, cbasn1.SEQUENCE) || !atv.ReadASN1ObjectIdentifier(&oid) || !atv.ReadAnyASN1(&value, &tag) || !atv.Empty() {
				return fmt.Errorf("%w: an attribute does not parse", ErrMalformed)
			}
			if !certificateString(tag, value) {
				name, ok := pkixname.AttributeName(oid)
				if !ok {
					name = oid.String()
				}
				what, ok := map[cbasn1.Tag]string{28: "a UniversalString", cbasn1.INTEGER: "an INTEGER", cbasn1.OCTET_STRING: "an OCTET STRING",
					cbasn1.SEQUENCE: "a SEQUENCE", cbasn1.PrintableString: "a PrintableString", cbasn1.UTF8String: "a UTF8String",
					cbasn1.Tag(asn1.TagBMPString): "a BMPString", cbasn1.IA5String: "an IA5String", cbasn1.Tag(asn1.TagNumericString): "a NumericString"}[tag]
				if !ok {
					what = fmt.Sprintf("a value of ASN.1 tag %#x", uint8(tag))
				}
				return fmt.Errorf("%w: the attribute %s is %s that crypto/x509 cannot read in a certificate", ErrUnsupported, name, what)
			}
		}
	}
	return nil
}

// certificateString reports whether crypto/x509 reads value, of ASN.1 type tag, as an
// attribute value of a certificate's name (its parseASN1String).
func certificateString(tag cbasn1.Tag, value []byte) bool {
	switch tag {
	case cbasn1.T61String:
		return true
	case cbasn1.PrintableString:
		for _, b := range value {
			ok := 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || bytes.IndexByte([]byte(" '()+,-./:=?*&"), b) >= 0
			if !ok {
				return false
			}
		}
		return true
	case cbasn1.UTF8String:
		return utf8.Valid(value)
	case cbasn1.Tag(asn1.TagBMPString):
		if len(value)%2 != 0 {
			return false
		}
		for i := 0; i < len(value); i += 2 {
			p := uint16(value[i])<<8 | uint16(value[i+1])
			if p == 0xfffe || p == 0xffff || p >= 0xfdd0 && p <= 0xfdef || utf16.IsSurrogate(rune(p)) {
				return false
			}
		}
		return true
	case cbasn1.IA5String:
		for _, b := range value {
			if b >= utf8.RuneSelf {
				return false
			}
		}
		return true
	case cbasn1.Tag(asn1.TagNumericString):
		for _, b := range value {
			if !('0' <= b && b <= '9' || b == ' ') {
				return false
			}
		}
		return true
	}
	return false
}

// CheckCSRSignature checks a CSR's signature with the public key it carries, as ParseCSR does
// (RSASSA-PSS with any salt length included; SHA-1 accepted here, with either padding). Errors wrap ErrMalformed (the
// signature does not verify) or ErrUnsupported (a signature algorithm signet does not verify).
func CheckCSRSignature(csr *x509.CertificateRequest) error {
	err := checkSignature(csr.PublicKey, csr.SignatureAlgorithm, csr.Raw, csr.RawTBSCertificateRequest, csr.Signature, true)
	if err == nil {
		return nil
	}
	var insecure x509.InsecureAlgorithmError
	if errors.Is(err, ErrUnsupported) {
		return fmt.Errorf("the CSR's signature algorithm: %w", err)
	}
	if errors.Is(err, x509.ErrUnsupportedAlgorithm) || errors.As(err, &insecure) {
		return fmt.Errorf("%w: the CSR's signature algorithm %s", ErrUnsupported, SignatureAlgorithmName(csr.SignatureAlgorithm, csr.Raw))
	}
	return fmt.Errorf("%w: the CSR's signature does not verify (it was altered, or not signed by the key it carries): %v", ErrMalformed, err)
}

// CSRNotCertified lists what csr asks for that a certificate issued from it with its names
// (IssueRequest with the CSR's RawSubject and SANs) does not get: every requested extension
// but the subject alternative names (signet's profile decides basic constraints, key usages,
// policies; openssl ca's copy_extensions=none), by name ("basicConstraints (critical)") or
// dotted OID, and each subject alternative name form signet does not issue ("a subject
// alternative name of the form otherName"). A caller tells the operator, who then knows
// what the requester wanted and did not get. Nil when nothing is left out.
func CSRNotCertified(csr *x509.CertificateRequest) []string {
	var out []string
	for _, e := range csr.Extensions {
		if e.Id.Equal(oidExtSubjectAltName) {
			out = append(out, sanFormsNotIssued(e.Value)...)
			continue
		}
		name := extensionNames()[e.Id.String()]
		if name == "" {
			name = e.Id.String()
		}
		if e.Critical {
			name += " (critical)"
		}
		out = append(out, name)
	}
	return out
}

var oidExtSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}

// sanFormsNotIssued names the GeneralName forms of a subjectAltName extension value other
// than the four signet issues (rfc822Name, dNSName, URI, iPAddress), once each.
func sanFormsNotIssued(value []byte) []string {
	forms := []string{"otherName", "", "", "x400Address", "directoryName", "ediPartyName", "", "", "registeredID"}
	var seq asn1.RawValue
	if rest, err := asn1.Unmarshal(value, &seq); err != nil || len(rest) > 0 || seq.Tag != asn1.TagSequence {
		return []string{"a subject alternative name extension that does not parse"}
	}
	var out []string
	seen := map[int]bool{}
	for rest := seq.Bytes; len(rest) > 0; {
		var gn asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &gn); err != nil {
			return append(out, "a subject alternative name that does not parse")
		}
		switch gn.Tag {
		case 1, 2, 6, 7:
			continue
		}
		if seen[gn.Tag] {
			continue
		}
		seen[gn.Tag] = true
		form := fmt.Sprintf("[%d]", gn.Tag)
		if gn.Tag < len(forms) && forms[gn.Tag] != "" {
			form = forms[gn.Tag]
		}
		out = append(out, "a subject alternative name of the form "+form)
	}
	return out
}
