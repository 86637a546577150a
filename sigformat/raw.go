package sigformat

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
)

// AppendBase64 appends sig as `openssl base64` encodes it, the text form of a raw signature:
// lines of 64 columns, each ended with a newline.
func AppendBase64(dst, sig []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(sig)
	for len(enc) > 64 {
		dst = append(dst, enc[:64]...)
		dst = append(dst, '\n')
		enc = enc[64:]
	}
	dst = append(dst, enc...)
	return append(dst, '\n')
}

func parseRaw(data []byte) (*Signature, error) {
	if len(data) == 0 {
		return nil, malformed("empty signature")
	}
	if len(data) > maxRawSignature {
		return nil, malformed("%d bytes is too large for a raw signature (is it the signed file?)", len(data))
	}
	return &Signature{Format: Raw, Raw: bytes.Clone(data), SignatureAlgorithm: x509.UnknownSignatureAlgorithm}, nil
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
