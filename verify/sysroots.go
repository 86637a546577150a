package verify

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/signet-pki/signet/x509util"
)

// The system trust store, read as crypto/x509 reads it on Linux and the BSDs (SSL_CERT_FILE,
// SSL_CERT_DIR, then the distributions' bundle files), because path building needs the
// certificates themselves and x509.CertPool does not list them.
var systemRootFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Gentoo
	"/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora, RHEL
	"/etc/ssl/ca-bundle.pem",                            // OpenSUSE
	"/etc/pki/tls/cacert.pem",                           // OpenELEC
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS, RHEL 7
	"/etc/ssl/cert.pem",                                 // Alpine, BSDs
}

var systemRootDirs = []string{"/etc/ssl/certs", "/etc/pki/tls/certs"}

func systemRoots() ([]*x509.Certificate, error) {
	files := systemRootFiles
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		files = []string{f}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if certs := parsePEMBundle(data); len(certs) > 0 {
			return certs, nil
		}
	}
	dirs := systemRootDirs
	if d := os.Getenv("SSL_CERT_DIR"); d != "" {
		dirs = filepath.SplitList(d)
	}
	var certs []*x509.Certificate
	for _, d := range dirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if e.IsDir() || !(strings.HasSuffix(e.Name(), ".pem") || strings.HasSuffix(e.Name(), ".crt")) {
				continue
			}
			if data, err := os.ReadFile(filepath.Join(d, e.Name())); err == nil {
				certs = append(certs, parsePEMBundle(data)...)
			}
		}
	}
	if len(certs) == 0 {
		return nil, errors.New("no system trust store found (set SSL_CERT_FILE or SSL_CERT_DIR)")
	}
	return certs, nil
}

// parsePEMBundle returns the certificates of a PEM bundle that parse, skipping the others as
// crypto/x509's AppendCertsFromPEM does.
func parsePEMBundle(data []byte) []*x509.Certificate {
	return x509util.PEMCertificatesLenient(data)
}
