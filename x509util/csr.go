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
// a CSR, damaged, or a signature that does not verify), ErrWeakSignature (SHA-1 or older) or
// ErrUnsupported (a key or signature algorithm signet does not verify).
func ParseCSR(data []byte) (*x509.CertificateRequest, error) {
	return ParseCSRWithOptions(data, CSROptions{})
}

// CSROptions are what ParseCSRWithOptions leaves to its caller. The zero value refuses what
// ParseCSR refuses.
type CSROptions struct {
	// AllowSHA1 accepts a CSR signed with SHA-1. A CSR's signature proves that its maker
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
	// MD5 and MD2 failed above: crypto/x509 does not verify them.
	if isWeakSignature(csr.SignatureAlgorithm) && !opts.AllowSHA1 {
		return nil, fmt.Errorf("%w: the CSR is signed with %v: SHA-1 collisions can be made, so the signature does not prove who made the request",
			ErrWeakSignature, csr.SignatureAlgorithm)
	}
	return csr, nil
}

// CheckCSRSignature checks a CSR's signature with the public key it carries, as ParseCSR does
// (RSASSA-PSS with any salt length included; SHA-1 accepted here). Errors wrap ErrMalformed (the
// signature does not verify) or ErrUnsupported (a signature algorithm signet does not verify).
func CheckCSRSignature(csr *x509.CertificateRequest) error {
	err := CheckSignature(csr.PublicKey, csr.SignatureAlgorithm, csr.Raw, csr.RawTBSCertificateRequest, csr.Signature)
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
