package digest

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"strings"
)

// Algorithm is a hash algorithm signet computes. The zero value is "unspecified": it is not a
// valid algorithm, and option structs read it as "the default" ([DefaultAlgorithm]) or, when
// checking lists, as "infer from each line".
type Algorithm int

// The algorithms signet knows, in the order `signet hash --help` lists them.
const (
	SHA256 Algorithm = iota + 1
	SHA384
	SHA512
	SHA512_256
	SHA3_256
	SHA3_384
	SHA3_512
)

// DefaultAlgorithm is the algorithm used when none is given.
const DefaultAlgorithm = SHA256

var algorithms = [...]struct {
	name string // canonical name, as `-a` takes it
	tag  string // BSD tag, as `--tag` prints it
	size int
	hash crypto.Hash
	new  func() hash.Hash
}{
	SHA256:     {"sha256", "SHA256", sha256.Size, crypto.SHA256, sha256.New},
	SHA384:     {"sha384", "SHA384", sha512.Size384, crypto.SHA384, sha512.New384},
	SHA512:     {"sha512", "SHA512", sha512.Size, crypto.SHA512, sha512.New},
	SHA512_256: {"sha512-256", "SHA512/256", sha512.Size256, crypto.SHA512_256, sha512.New512_256},
	SHA3_256:   {"sha3-256", "SHA3-256", 32, crypto.SHA3_256, func() hash.Hash { return sha3.New256() }},
	SHA3_384:   {"sha3-384", "SHA3-384", 48, crypto.SHA3_384, func() hash.Hash { return sha3.New384() }},
	SHA3_512:   {"sha3-512", "SHA3-512", 64, crypto.SHA3_512, func() hash.Hash { return sha3.New512() }},
}

// Algorithms returns every algorithm signet knows, the default first.
func Algorithms() []Algorithm {
	return []Algorithm{SHA256, SHA384, SHA512, SHA512_256, SHA3_256, SHA3_384, SHA3_512}
}

// Valid reports whether a is one of the known algorithms (the zero value is not).
func (a Algorithm) Valid() bool { return a > 0 && int(a) < len(algorithms) }

// Name is the canonical lower-case name: sha256, sha384, sha512, sha512-256, sha3-256,
// sha3-384 or sha3-512.
func (a Algorithm) Name() string {
	if !a.Valid() {
		return fmt.Sprintf("Algorithm(%d)", int(a))
	}
	return algorithms[a].name
}

// String is Name.
func (a Algorithm) String() string { return a.Name() }

// Tag is the name in BSD-style lines (`TAG (file) = hex`). For the SHA-2 family it is what
// coreutils prints with --tag (SHA256, SHA384, SHA512). Coreutils has no SHA-512/256; signet
// prints "SHA512/256" like Perl's shasum, so `shasum -a 512256 -c` reads the list. For SHA-3 it
// is "SHA3-256" etc., as both `openssl dgst` and GNU `cksum -a sha3 --tag` (coreutils 9.8+)
// print. Reading a list also accepts the other spellings in use; see [ParseTag].
func (a Algorithm) Tag() string {
	if !a.Valid() {
		return ""
	}
	return algorithms[a].tag
}

// Size is the digest length in bytes.
func (a Algorithm) Size() int {
	if !a.Valid() {
		return 0
	}
	return algorithms[a].size
}

// HexLen is the length of the digest in hexadecimal.
func (a Algorithm) HexLen() int { return 2 * a.Size() }

// New returns a new hash.Hash computing a: the standard library's (crypto/sha256,
// crypto/sha512, crypto/sha3), which stay inside Go's FIPS 140 module. It panics if a is not
// valid.
func (a Algorithm) New() hash.Hash {
	if !a.Valid() {
		panic("digest: New of invalid " + a.Name())
	}
	return algorithms[a].new()
}

// CryptoHash is the crypto.Hash identifier of a, to pass as the SignerOpts of a signature over
// a digest computed with a (crypto.SHA3_256 for SHA3_256, and so on). It is 0 if a is not valid.
func (a Algorithm) CryptoHash() crypto.Hash {
	if !a.Valid() {
		return 0
	}
	return algorithms[a].hash
}

// MarshalText encodes a as its Name, so JSON shows "sha256".
func (a Algorithm) MarshalText() ([]byte, error) {
	if !a.Valid() {
		return nil, fmt.Errorf("%w: %d", ErrUnknownAlgorithm, int(a))
	}
	return []byte(a.Name()), nil
}

// UnmarshalText decodes any name ParseAlgorithm accepts.
func (a *Algorithm) UnmarshalText(b []byte) error {
	v, err := ParseAlgorithm(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// ParseAlgorithm returns the algorithm called name. Case is ignored, and the usual spellings
// are accepted: sha256, SHA-256, SHA2-256; sha512-256, sha512/256, SHA-512/256, sha512t256;
// sha3-256, SHA3_256. An unknown name gives an *AlgorithmError, which wraps
// ErrUnknownAlgorithm.
func ParseAlgorithm(name string) (Algorithm, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.ReplaceAll(n, "_", "-")
	n = strings.TrimPrefix(n, "sha-")
	n = strings.TrimPrefix(n, "sha2-")
	n = strings.TrimPrefix(n, "sha")
	switch n {
	case "256":
		return SHA256, nil
	case "384":
		return SHA384, nil
	case "512":
		return SHA512, nil
	case "512-256", "512/256", "512t256":
		return SHA512_256, nil
	case "3-256":
		return SHA3_256, nil
	case "3-384":
		return SHA3_384, nil
	case "3-512":
		return SHA3_512, nil
	}
	return 0, &AlgorithmError{Name: name}
}

func algorithmNames() string {
	var names []string
	for _, a := range Algorithms() {
		names = append(names, a.Name())
	}
	return strings.Join(names, ", ")
}

// ParseTag returns the algorithm of a BSD-style tag, case-sensitively like coreutils: the tags
// signet prints (see [Algorithm.Tag]), OpenSSL's (SHA2-256, SHA2-512/256, as `openssl dgst`
// prints without -r), FreeBSD's SHA512t256 and SHA512-256. ok is false for anything else.
func ParseTag(tag string) (a Algorithm, ok bool) {
	switch tag {
	case "SHA256", "SHA2-256":
		return SHA256, true
	case "SHA384", "SHA2-384":
		return SHA384, true
	case "SHA512", "SHA2-512":
		return SHA512, true
	case "SHA512/256", "SHA512t256", "SHA512-256", "SHA2-512/256":
		return SHA512_256, true
	case "SHA3-256":
		return SHA3_256, true
	case "SHA3-384":
		return SHA3_384, true
	case "SHA3-512":
		return SHA3_512, true
	}
	return 0, false
}

// algorithmForHexLen is the algorithm an untagged line's digest length implies when no
// algorithm was given: 64 hex digits are SHA-256 (not SHA3-256 or SHA-512/256, which need -a),
// 96 SHA-384, 128 SHA-512.
func algorithmForHexLen(n int) (Algorithm, bool) {
	switch n {
	case 64:
		return SHA256, true
	case 96:
		return SHA384, true
	case 128:
		return SHA512, true
	}
	return 0, false
}

// Digest is a computed hash value.
type Digest []byte

// String is the lower-case hexadecimal form, as the *sum tools print it.
func (d Digest) String() string { return hex.EncodeToString(d) }

// MarshalText encodes d in lower-case hexadecimal.
func (d Digest) MarshalText() ([]byte, error) {
	b := make([]byte, hex.EncodedLen(len(d)))
	hex.Encode(b, d)
	return b, nil
}

// BufferSize is the read size of the hashing loops. Measured on the reference machine
// (bench/hash), 256 KiB reads are as fast as larger ones for SHA-256 and stay within the L2
// cache, so the data is still cached when the hash consumes it.
const BufferSize = 256 << 10

// HashReader reads r to its end and returns its digest under a and the number of bytes read.
// It reads with a BufferSize buffer in its own loop (io.CopyBuffer would fall back to 32 KiB
// reads for an *os.File) and stops early with ctx's error when ctx is cancelled. A nil r is
// an error wrapping ErrNoStdin, a nil ctx one wrapping ErrNoContext.
func HashReader(ctx context.Context, a Algorithm, r io.Reader) (Digest, int64, error) {
	if err := noContext(ctx); err != nil {
		return nil, 0, err
	}
	if !a.Valid() {
		return nil, 0, fmt.Errorf("%w: %s", ErrUnknownAlgorithm, a.Name())
	}
	buf := make([]byte, BufferSize)
	h := a.New()
	n, err := hashInto(ctx, h, orNoInput(r), buf, nil)
	if err != nil {
		return nil, n, err
	}
	return h.Sum(nil), n, nil
}

// hashInto copies r into h through buf. done, if not nil, is told the size of every chunk.
func hashInto(ctx context.Context, h hash.Hash, r io.Reader, buf []byte, done func(int)) (int64, error) {
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		n, err := r.Read(buf)
		if n > 0 {
			h.Write(buf[:n])
			total += int64(n)
			if done != nil {
				done(n)
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}
