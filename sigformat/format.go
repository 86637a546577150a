package sigformat

import (
	"fmt"
	"strings"
)

// Format is the encoding of a signature file.
type Format string

// The signature formats signet writes and reads.
const (
	// Raw is the bare signature, as `openssl dgst -sign` writes it (DER ECDSA, RSA
	// PKCS#1 v1.5 or PSS, Ed25519's 64 bytes), optionally base64-encoded.
	Raw Format = "raw"
	// CMS is a detached CMS SignedData (RFC 5652), DER, as `openssl cms -sign -binary
	// -outform DER` writes it.
	CMS Format = "cms"
	// Bundle is a Sigstore bundle (v0.1 to v0.3 read, v0.3 written) in its JSON form,
	// with a messageSignature.
	Bundle Format = "bundle"
	// Minisign is a minisign signature file (FILE.minisig), as minisign 0.11 writes it: an
	// Ed25519 signature over the file's BLAKE2b-512 digest and a signed trusted comment.
	Minisign Format = "minisign"
)

// Formats lists the formats in the order `signet sign --help` shows them.
func Formats() []Format { return []Format{Raw, CMS, Bundle, Minisign} }

// ParseFormat returns the format called name ("raw", "cms", "bundle" or "minisign"; case is ignored). An
// unknown name gives an error wrapping ErrUnsupported.
func ParseFormat(name string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(name))); f {
	case Raw, CMS, Bundle, Minisign:
		return f, nil
	}
	return "", &kindError{msg: fmt.Sprintf("sign: unknown signature format %q (known: raw, cms, bundle, minisign)", name), kind: ErrUnsupported}
}

// Extension is the suffix signet appends to a file's name for a signature in format f:
// ".sig", ".p7s", ".sigstore.json" or ".minisig".
func (f Format) Extension() string {
	switch f {
	case Raw:
		return ".sig"
	case CMS:
		return ".p7s"
	case Bundle:
		return ".sigstore.json"
	case Minisign:
		return ".minisig"
	}
	return ""
}

// BundleMediaType is the media type of the bundles signet writes.
const BundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"
