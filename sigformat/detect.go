package sigformat

import (
	"crypto/ed25519"
	"encoding/asn1"
	"io"
	"math/big"
	"os"
	"unicode/utf8"
)

// maxDetect bounds what DetectFile reads of a file to tell whether it is a signature: the
// largest signature a verifier reads (16 MiB, a bundle or CMS with a long chain).
const maxDetect = 16 << 20

// DetectFile says which signature format the regular file name holds, by its content alone:
// a bundle or CMS that parses, or a raw signature of a plausible shape (plausibleRaw: a DER
// ECDSA signature, or binary data of an Ed25519 or RSA signature's length, in binary or
// base64). SignatureOf decides with it, and the name, whether a file given is the signature
// of another. Only regular files are read (at most 16 MiB). It is false for anything else (a
// web page saved under a signature's name, a file too large, a named pipe, which it does not
// open) and for a file it cannot read.
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
