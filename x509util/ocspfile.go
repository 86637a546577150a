package x509util

import (
	"encoding/pem"
	"fmt"
	"os"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// maxOCSPFile bounds an OCSP response file read whole; real responses are a few KiB.
const maxOCSPFile = 1 << 20

// LoadOCSPResponses reads OCSP responses (RFC 6960), one per file, DER (as `openssl ocsp
// -respout` writes them) or PEM ("OCSP RESPONSE"). Each must be an OCSP response, successful
// or not; its signature and dates are judged by the verifier, not here. Errors wrap
// ErrMalformed and name the file.
func LoadOCSPResponses(paths ...string) ([][]byte, error) {
	var out [][]byte
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("%w: %s is not a regular file", ErrMalformed, p)
		}
		if fi.Size() > maxOCSPFile {
			return nil, fmt.Errorf("%w: %s is larger than %d bytes, too large for an OCSP response", ErrMalformed, p, maxOCSPFile)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if block, _ := pem.Decode(data); block != nil {
			data = block.Bytes
		}
		if !isOCSPResponse(data) {
			return nil, fmt.Errorf("%w: %s is not an OCSP response (DER or PEM OCSPResponse)", ErrMalformed, p)
		}
		out = append(out, data)
	}
	return out, nil
}

// isOCSPResponse checks the outer shape of an OCSPResponse: a SEQUENCE starting with the
// ENUMERATED responseStatus, nothing after it.
func isOCSPResponse(der []byte) bool {
	s := cryptobyte.String(der)
	var seq, status cryptobyte.String
	return s.ReadASN1(&seq, cbasn1.SEQUENCE) && s.Empty() && seq.ReadASN1(&status, cbasn1.ENUM) && len(status) == 1
}
