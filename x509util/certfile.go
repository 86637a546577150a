package x509util

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/signet-pki/signet/internal/readlimit"
)

// Reading certificates and CRLs in the encodings operators meet: one PEM file holding many
// certificates (a chain or a bundle of roots), DER files, and directories of such files.

// CertificateFileExtensions returns the file name extensions LoadCertificates reads in a
// directory (compared without regard to case); other files there are skipped. The list is a
// copy: which files of a directory of roots are trusted cannot be changed from outside.
func CertificateFileExtensions() []string { return slices.Clone(certificateFileExtensions) }

var certificateFileExtensions = []string{".pem", ".crt", ".cer", ".der"}

// CRLFileExtensions returns the file name extensions LoadCRLs reads in a directory (compared
// without regard to case); other files there are skipped. The list is a copy.
func CRLFileExtensions() []string { return slices.Clone(crlFileExtensions) }

var crlFileExtensions = []string{".crl", ".pem", ".der"}

// MaxCertificateFileSize bounds a certificate, CRL or inspected file: a bundle of every root
// of a system store is under 1 MiB and a large CRL tens of MiB. A larger input is refused
// unread (ErrMalformed), so that /dev/zero or a disk image given by mistake is an error, not a
// process growing without bound.
const MaxCertificateFileSize = 64 << 20

const (
	certfilePEMCertificate = "CERTIFICATE"
	certfilePEMCRL         = "X509 CRL"
)

// ParseCertificates parses one or more certificates: PEM blocks of type CERTIFICATE (text
// around and between the blocks is ignored, and so are blocks of other types such as a private
// key next to its certificate) or, when data holds no PEM at all, one or more concatenated
// DER certificates. The certificates are returned in the order of the input.
//
// Errors wrap ErrMalformed and say where the problem is ("PEM block 2 (line 23): ..."): empty
// input, a truncated or damaged PEM block, a CERTIFICATE block that does not parse, input with
// PEM blocks but none of type CERTIFICATE, or bytes that are neither PEM nor DER.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	certs, msg := certfileParse(data)
	if msg != "" {
		return nil, fmt.Errorf("%w: %s", ErrMalformed, msg)
	}
	return certs, nil
}

// LoadCertificateFile reads the certificates of one file, as ParseCertificates does. A
// directory is refused: use LoadCertificates where a directory of certificates makes sense.
// Errors name the file.
func LoadCertificateFile(path string) ([]*x509.Certificate, error) {
	data, err := certfileRead(path)
	if err != nil {
		return nil, err
	}
	certs, msg := certfileParse(data)
	if msg != "" {
		return nil, fmt.Errorf("%w: %s: %s", ErrMalformed, path, msg)
	}
	return certs, nil
}

// LoadCertificates reads the certificates of every path, in order, as ParseCertificates does.
// A path that is a directory contributes each regular file in it whose name ends in one of
// CertificateFileExtensions, in sorted name order, not descending into subdirectories; other
// files are skipped, and a directory with no such file is an error (an empty trust store is
// more likely a mistake than a wish). Errors name the file and wrap ErrMalformed, or the
// fs error of a file that cannot be read.
func LoadCertificates(paths ...string) ([]*x509.Certificate, error) {
	var all []*x509.Certificate
	for _, p := range paths {
		files, err := certfileExpand(p, certificateFileExtensions, "certificate")
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			certs, err := LoadCertificateFile(f)
			if err != nil {
				return nil, err
			}
			all = append(all, certs...)
		}
	}
	return all, nil
}

// ParseCRL parses exactly one CRL, PEM (type "X509 CRL") or DER. It does not check the CRL's
// signature or dates: verify does that against the chain it builds. Errors wrap ErrMalformed.
func ParseCRL(data []byte) (*x509.RevocationList, error) {
	crls, msg := certfileParseCRLs(data)
	if msg != "" {
		return nil, fmt.Errorf("%w: %s", ErrMalformed, msg)
	}
	if len(crls) != 1 {
		return nil, fmt.Errorf("%w: %d CRLs where one was expected", ErrMalformed, len(crls))
	}
	return crls[0], nil
}

// LoadCRLs reads the CRLs of every path, in order. A file may hold several PEM CRLs (as
// openssl's -CRLfile accepts) or one DER CRL; a directory contributes each regular file whose
// name ends in one of CRLFileExtensions, in sorted name order. Errors name the file and wrap
// ErrMalformed, or the fs error of a file that cannot be read.
func LoadCRLs(paths ...string) ([]*x509.RevocationList, error) {
	var all []*x509.RevocationList
	for _, p := range paths {
		files, err := certfileExpand(p, crlFileExtensions, "CRL")
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			data, err := certfileRead(f)
			if err != nil {
				return nil, err
			}
			crls, msg := certfileParseCRLs(data)
			if msg != "" {
				return nil, fmt.Errorf("%w: %s: %s", ErrMalformed, f, msg)
			}
			all = append(all, crls...)
		}
	}
	return all, nil
}

// certfileRead reads a file or a pipe up to MaxCertificateFileSize, refusing a directory, a
// device or a socket with a message that says so rather than the bare EISDIR of read(2) or a
// read of /dev/zero that never ends; a named pipe without a writer reads as empty.
func certfileRead(path string) ([]byte, error) {
	data, err := readlimit.ReadFile(path, MaxCertificateFileSize)
	switch {
	case errors.Is(err, readlimit.ErrTooLarge):
		return nil, fmt.Errorf("%w: %s %v: not a certificate, CSR or CRL file", ErrMalformed, path, err)
	case errors.Is(err, readlimit.ErrNotFile):
		return nil, fmt.Errorf("%w: %s %v", ErrMalformed, path, err)
	case err != nil:
		return nil, fmt.Errorf("x509util: %w", err)
	}
	return data, nil
}

// certfileExpand returns path itself, or for a directory the files in it with one of exts.
func certfileExpand(path string, exts []string, what string) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("x509util: %w", err)
	}
	if !fi.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path) // sorted by name
	if err != nil {
		return nil, fmt.Errorf("x509util: %w", err)
	}
	var files []string
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if !certfileHasExt(exts, ext) {
			continue
		}
		full := filepath.Join(path, e.Name())
		if st, err := os.Stat(full); err != nil || !st.Mode().IsRegular() {
			continue // a dangling link or a subdirectory named like a file
		}
		files = append(files, full)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: directory %s has no %s files (*%s)", ErrMalformed, path, what, strings.Join(exts, ", *"))
	}
	return files, nil
}

func certfileHasExt(exts []string, ext string) bool {
	for _, e := range exts {
		if e == ext {
			return true
		}
	}
	return false
}

// certfileBlock is one PEM block found in the input, with where it is.
type certfileBlock struct {
	index int // 1-based among the PEM blocks of the input
	line  int // 1-based line of its BEGIN
	block *pem.Block
	typ   string // from the BEGIN line, also when the block is damaged
}

func (b certfileBlock) where() string {
	return fmt.Sprintf("PEM block %d (line %d)", b.index, b.line)
}

// certfileBlocks splits data at its PEM BEGIN lines and decodes each block on its own, so a
// damaged block is reported where it is instead of silently skipped, as pem.Decode alone
// would. It returns nil when data holds no BEGIN line at all.
func certfileBlocks(data []byte) ([]certfileBlock, string) {
	const begin = "-----BEGIN "
	var starts []int
	for off := 0; off < len(data); {
		if bytes.HasPrefix(data[off:], []byte(begin)) {
			starts = append(starts, off)
		}
		nl := bytes.IndexByte(data[off:], '\n')
		if nl < 0 {
			break
		}
		off += nl + 1
	}
	blocks := make([]certfileBlock, 0, len(starts))
	for i, s := range starts {
		end := len(data)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		line := data[s:]
		if nl := bytes.IndexByte(line, '\n'); nl >= 0 {
			line = line[:nl]
		}
		typ := strings.TrimSuffix(strings.TrimSpace(strings.TrimPrefix(string(line), begin)), "-----")
		b := certfileBlock{index: i + 1, line: bytes.Count(data[:s], []byte("\n")) + 1, typ: typ}
		b.block, _ = pem.Decode(data[s:end])
		if b.block == nil {
			return nil, fmt.Sprintf("%s: %s block is truncated or damaged (no END line or bad base64)", b.where(), typ)
		}
		blocks = append(blocks, b)
	}
	return blocks, ""
}

// certfileParse is ParseCertificates without the error wrapping, so loaders can put the file
// name in front of the message.
func certfileParse(data []byte) ([]*x509.Certificate, string) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, "empty input"
	}
	blocks, msg := certfileBlocks(data)
	if msg != "" {
		return nil, msg
	}
	if len(blocks) == 0 {
		certs, err := parseDERCertificates(data)
		if err != nil {
			return nil, fmt.Sprintf("neither PEM nor DER certificates: %v", err)
		}
		if len(certs) == 0 {
			return nil, "no certificate found"
		}
		return certs, ""
	}
	var certs []*x509.Certificate
	var others []string
	for _, b := range blocks {
		if b.block.Type != certfilePEMCertificate {
			others = append(others, b.block.Type)
			continue
		}
		c, err := ParseCertificate(b.block.Bytes)
		if err != nil {
			return nil, fmt.Sprintf("%s: certificate does not parse: %v", b.where(), err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Sprintf("no CERTIFICATE PEM block (the input has %s)", strings.Join(others, ", "))
	}
	return certs, ""
}

// certfileParseCRLs parses every CRL of data: PEM blocks of type "X509 CRL", or one DER CRL.
func certfileParseCRLs(data []byte) ([]*x509.RevocationList, string) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, "empty input"
	}
	blocks, msg := certfileBlocks(data)
	if msg != "" {
		return nil, msg
	}
	if len(blocks) == 0 {
		crl, err := x509.ParseRevocationList(data)
		if err != nil {
			return nil, fmt.Sprintf("neither a PEM nor a DER CRL: %v", err)
		}
		return []*x509.RevocationList{crl}, ""
	}
	var crls []*x509.RevocationList
	var others []string
	for _, b := range blocks {
		if b.block.Type != certfilePEMCRL {
			others = append(others, b.block.Type)
			continue
		}
		crl, err := x509.ParseRevocationList(b.block.Bytes)
		if err != nil {
			return nil, fmt.Sprintf("%s: CRL does not parse: %v", b.where(), err)
		}
		crls = append(crls, crl)
	}
	if len(crls) == 0 {
		return nil, fmt.Sprintf("no X509 CRL PEM block (the input has %s)", strings.Join(others, ", "))
	}
	return crls, ""
}
