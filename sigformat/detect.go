package sigformat

import (
	"crypto/ed25519"
	"encoding/asn1"
	"io"
	"math/big"
	"os"
	"strings"
	"unicode/utf8"
)

// maxDetect bounds what DetectSignatures reads of a file to tell whether it is a signature:
// the largest signature a verifier reads (16 MiB, a bundle or CMS with a long chain).
const maxDetect = 16 << 20

// DetectSignatures finds, among names, the files that are signatures of other names: a file
// whose name is another name followed by a format's extension (".sig", ".p7s",
// ".sigstore.json") and whose content parses as that format (for a raw signature, which has
// no header: a DER ECDSA signature, or binary data of an Ed25519 or RSA signature's length,
// in binary or base64). It returns each such
// signature's name mapped to the name of the file it signs; a name that is not a signature
// of another is absent.
//
// Both the name and the content must agree, so that `signet sign dist/*` run twice, or
// `signet verify dist/*`, leaves out the signatures the first run wrote, but never a file
// that only happens to be called app.sig beside app: a text file named so is still a file
// to sign. Only regular files are read (at most 16 MiB each); a file that cannot be read is
// not a signature, and is left to the caller to report.
func DetectSignatures(names []string) map[string]string {
	given := make(map[string]bool, len(names))
	for _, n := range names {
		given[n] = true
	}
	found := map[string]string{}
	for _, n := range names {
		for _, f := range Formats() {
			base, ok := strings.CutSuffix(n, f.Extension())
			if !ok || base == "" || !given[base] || base == n {
				continue
			}
			if isSignatureFile(n, f) {
				found[n] = base
				break
			}
		}
	}
	return found
}

// isSignatureFile reports whether the regular file name holds a signature in format f.
func isSignatureFile(name string, f Format) bool {
	got, ok := DetectFile(name)
	return ok && got == f
}

// DetectFile says which signature format the regular file name holds, by its content alone:
// a bundle or CMS that parses, or a raw signature of a plausible shape (see
// DetectSignatures). It is false for anything else (a web page saved under a signature's
// name, a file too large, a named pipe, which it does not open) and for a file it cannot read.
func DetectFile(name string) (Format, bool) {
	// Stat before opening: opening a named pipe for reading waits for a writer.
	fi, err := os.Stat(name)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxDetect {
		return "", false
	}
	fh, err := os.Open(name)
	if err != nil {
		return "", false
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxDetect+1))
	if err != nil || len(data) > maxDetect {
		return "", false
	}
	s, err := Parse(data)
	if err != nil || s.Format == Raw && !plausibleRaw(s.Raw) {
		return "", false
	}
	return s.Format, true
}

// plausibleRaw reports whether sig has the shape of a raw signature signet makes, since a
// raw signature has no header to recognise: a DER ECDSA signature (a SEQUENCE of two
// INTEGERs), or binary data (not UTF-8 text) as long as an Ed25519 signature (64 bytes) or an
// RSA one (2048 to 16384 bits).
func plausibleRaw(sig []byte) bool {
	var ecdsa struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(sig, &ecdsa); err == nil && len(rest) == 0 {
		return true
	}
	if utf8.Valid(sig) {
		return false
	}
	return len(sig) == ed25519.SignatureSize || len(sig) >= 256 && len(sig) <= 2048
}
