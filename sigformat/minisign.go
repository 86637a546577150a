package sigformat

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/blake2b"
)

// minisign's files, as minisign 0.11 (jedisct1/minisign) writes and reads them:
//
//	public key:  "untrusted comment: ...\n" base64("Ed" || key id (8) || Ed25519 key (32)) "\n"
//	signature:   "untrusted comment: ...\n" base64(alg || key id (8) || signature (64)) "\n"
//	             "trusted comment: TEXT\n" base64(global signature (64)) "\n"
//
// alg "ED" signs BLAKE2b-512 of the file, the legacy "Ed" the file itself; the global
// signature is Ed25519 over signature || TEXT, so that the trusted comment cannot change.

const (
	minisignUntrustedPrefix = "untrusted comment: "
	minisignTrustedPrefix   = "trusted comment: "
	// minisignUntrustedMax and minisignTrustedMax are the longest comment lines minisign reads,
	// prefix included, line end not: it reads them into buffers of COMMENTMAXBYTES (1024) and
	// TRUSTEDCOMMENTMAXBYTES (8192) with fgets, and refuses a line whose end does not fit.
	minisignUntrustedMax = 1022
	minisignTrustedMax   = 8190
	// MinisignAlgHashed is the algorithm of a minisign signature over BLAKE2b-512 of the file
	// (minisign's default since 0.8), the one signet writes.
	MinisignAlgHashed = "ED"
	// MinisignAlgLegacy is the algorithm of a legacy minisign signature over the file itself
	// (minisign -l): read, never written.
	MinisignAlgLegacy = "Ed"
)

// MinisignKeyID is a minisign key id: the 8 bytes as the files hold them. String prints it as
// minisign does (the bytes as a little-endian number, in upper-case hex without leading
// zeros: minisign's "%" PRIX64, so that a public key file's comment is byte for byte its).
type MinisignKeyID [8]byte

func (id MinisignKeyID) String() string {
	return fmt.Sprintf("%X", binary.LittleEndian.Uint64(id[:]))
}

// MinisignKeyIDOf is the key id signet gives an Ed25519 key in minisign's files: the first 8
// bytes of BLAKE2b-512 of the public key. minisign draws its ids at random when it makes a
// key; signet derives them, so that `signet key pub --format minisign` and every signature of
// the key agree without keeping any state.
func MinisignKeyIDOf(pub ed25519.PublicKey) MinisignKeyID {
	sum := blake2b.Sum512(pub)
	var id MinisignKeyID
	copy(id[:], sum[:8])
	return id
}

// MinisignSignature is what a minisign signature file holds besides the signature over the
// file (Signature.Raw).
type MinisignSignature struct {
	// Algorithm is MinisignAlgHashed or MinisignAlgLegacy.
	Algorithm string
	// KeyID is the id of the key that signed.
	KeyID MinisignKeyID
	// UntrustedComment is the first line's text after "untrusted comment: " (not signed).
	UntrustedComment string
	// TrustedComment is the third line's text after "trusted comment: ", which
	// GlobalSignature covers.
	TrustedComment string
	// GlobalSignature is the Ed25519 signature over Raw || TrustedComment.
	GlobalSignature []byte
}

// GlobalMessage is what GlobalSignature signs: the file signature and the trusted comment.
func (m *MinisignSignature) GlobalMessage(sig []byte) []byte {
	return append(bytes.Clone(sig), m.TrustedComment...)
}

// IsMinisign reports whether data starts as minisign's files do, with an untrusted comment.
func IsMinisign(data []byte) bool {
	return bytes.HasPrefix(data, []byte(minisignUntrustedPrefix))
}

// minisignLines splits a minisign file into its lines, each without "\n" or "\r\n", and
// refuses fewer than n lines, a NUL, and where signet is stricter than minisign (README,
// "minisign"): a "\r" inside a line (minisign ends the line there), a line but the first
// that is not UTF-8, anything after the n-th line but blank lines (minisign ignores it).
//
// read is the length of each line as minisign's fgets reads it: with its "\r", which must fit
// minisign's buffer with the "\n" as the rest of the line does.
func minisignLines(data []byte, n int) (lines []string, read []int, err error) {
	lines = strings.Split(string(data), "\n")
	read = make([]int, len(lines))
	for i := range lines {
		read[i] = len(lines[i])
		lines[i] = strings.TrimSuffix(lines[i], "\r")
	}
	if len(lines) < n {
		return nil, nil, malformed("minisign file of %d line(s), not %d", len(lines), n)
	}
	for _, l := range lines[n:] {
		if l != "" {
			return nil, nil, malformed("minisign file has more than %d lines", n)
		}
	}
	for i, l := range lines[:n] {
		// The untrusted comment (line 1) is signed and read by nothing: minisign takes any
		// bytes there, and so does signet. The other lines must be UTF-8.
		if i > 0 && !utf8.ValidString(l) || strings.ContainsAny(l, "\r\x00") {
			return nil, nil, malformed("minisign file's line %d is not text", i+1)
		}
	}
	return lines[:n], read[:n], nil
}

// minisignComment is the text of comment line n (1-based), read bytes as minisign reads it
// (minisignLines).
func minisignComment(line string, read int, prefix string, n int) (string, error) {
	text, ok := strings.CutPrefix(line, prefix)
	if !ok {
		return "", malformed("minisign file's line %d does not start with %q", n, prefix)
	}
	limit := minisignUntrustedMax
	if prefix == minisignTrustedPrefix {
		limit = minisignTrustedMax
	}
	if read > limit {
		return "", malformed("minisign file's line %d is longer than the %d bytes minisign reads (a CR before the line end counts)", n, limit)
	}
	return text, nil
}

func minisignBase64(line string, size, n int) ([]byte, error) {
	b, err := base64.StdEncoding.Strict().DecodeString(line)
	if err != nil || len(b) != size {
		return nil, malformed("minisign file's line %d is not base64 of %d bytes", n, size)
	}
	return b, nil
}

// parseMinisign reads a minisign signature file (FILE.minisig).
func parseMinisign(data []byte) (*Signature, error) {
	lines, read, err := minisignLines(data, 4)
	if err != nil {
		return nil, err
	}
	m := &MinisignSignature{}
	if m.UntrustedComment, err = minisignComment(lines[0], read[0], minisignUntrustedPrefix, 1); err != nil {
		return nil, err
	}
	sig, err := minisignBase64(lines[1], 2+8+ed25519.SignatureSize, 2)
	if err != nil {
		return nil, err
	}
	switch m.Algorithm = string(sig[:2]); m.Algorithm {
	case MinisignAlgHashed, MinisignAlgLegacy:
	default:
		return nil, malformed("minisign signature algorithm %q (known: ED, Ed)", m.Algorithm)
	}
	copy(m.KeyID[:], sig[2:10])
	if m.TrustedComment, err = minisignComment(lines[2], read[2], minisignTrustedPrefix, 3); err != nil {
		return nil, err
	}
	if m.GlobalSignature, err = minisignBase64(lines[3], ed25519.SignatureSize, 4); err != nil {
		return nil, err
	}
	return &Signature{Format: Minisign, Raw: sig[10:], Minisign: m}, nil
}

// ParseMinisignPublicKey reads a minisign public key file: an untrusted comment line and the
// base64 of "Ed", the key id and the Ed25519 key. Errors wrap ErrMalformedSignature (a key file is
// bad input as a signature file is).
func ParseMinisignPublicKey(data []byte) (ed25519.PublicKey, MinisignKeyID, error) {
	var id MinisignKeyID
	lines, read, err := minisignLines(data, 2)
	if err == nil {
		_, err = minisignComment(lines[0], read[0], minisignUntrustedPrefix, 1)
	}
	var b []byte
	if err == nil {
		b, err = minisignBase64(lines[1], 2+8+ed25519.PublicKeySize, 2)
	}
	if err != nil {
		return nil, id, err
	}
	if string(b[:2]) != "Ed" {
		return nil, id, malformed("minisign public key algorithm %q, not Ed", b[:2])
	}
	copy(id[:], b[2:10])
	return ed25519.PublicKey(bytes.Clone(b[10:])), id, nil
}

// MinisignUntrustedComment is the untrusted comment signet writes in its minisign
// signatures, as minisign writes "signature from minisign secret key".
const MinisignUntrustedComment = "signature from signet secret key"

// CheckMinisignTrustedComment says whether text can be a minisign trusted comment that
// minisign reads back: one line (no line break or NUL), valid UTF-8, no longer than minisign
// reads. Its error wraps ErrUnsupported.
func CheckMinisignTrustedComment(text string) error {
	switch {
	case strings.ContainsAny(text, "\r\n\x00"):
		return &kindError{msg: fmt.Sprintf("sign: a minisign trusted comment is one line: %q holds a line break or NUL", text), kind: ErrUnsupported}
	case !utf8.ValidString(text):
		return &kindError{msg: "sign: a minisign trusted comment must be UTF-8 text", kind: ErrUnsupported}
	case len(minisignTrustedPrefix)+len(text) > minisignTrustedMax:
		return &kindError{msg: fmt.Sprintf("sign: a minisign trusted comment of %d bytes is longer than the %d minisign reads", len(text), minisignTrustedMax-len(minisignTrustedPrefix)), kind: ErrUnsupported}
	}
	return nil
}

// MinisignContent is what MarshalMinisign writes: a signature of algorithm ED (over the
// file's BLAKE2b-512 digest) by the key KeyID names, and the global signature over Signature
// and TrustedComment.
type MinisignContent struct {
	KeyID            MinisignKeyID
	Signature        []byte
	UntrustedComment string
	TrustedComment   string
	GlobalSignature  []byte
}

// MarshalMinisign writes a minisign signature file (FILE.minisig), as minisign -S writes it.
// The comments must be one line each (CheckMinisignTrustedComment).
func MarshalMinisign(c MinisignContent) []byte {
	b := append(append([]byte(MinisignAlgHashed), c.KeyID[:]...), c.Signature...)
	return fmt.Appendf(nil, "%s%s\n%s\n%s%s\n%s\n", minisignUntrustedPrefix, c.UntrustedComment, base64.StdEncoding.EncodeToString(b),
		minisignTrustedPrefix, c.TrustedComment, base64.StdEncoding.EncodeToString(c.GlobalSignature))
}

// MarshalMinisignPublicKey writes pub as a minisign public key file, with the key id signet
// derives (MinisignKeyIDOf), as minisign -G writes one: minisign -V -p reads it.
func MarshalMinisignPublicKey(pub ed25519.PublicKey) []byte {
	id := MinisignKeyIDOf(pub)
	b := append(append([]byte("Ed"), id[:]...), pub...)
	return fmt.Appendf(nil, "%sminisign public key %s\n%s\n", minisignUntrustedPrefix, id, base64.StdEncoding.EncodeToString(b))
}
