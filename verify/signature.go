package verify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	_ "crypto/sha256" // registers the hashes Signature accepts, so Hash.New works for PSS
	_ "crypto/sha3"
	_ "crypto/sha512"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/signet-pki/signet/x509util"
)

var (
	// ErrSignatureMismatch is returned when a signature was checked and does not match: the
	// data was altered, the key is not the signer's, the signature belongs to other data, or
	// it is damaged or truncated. The CLI maps it to exit code 1 (10 for signet verify).
	ErrSignatureMismatch = errors.New("verify: signature mismatch")
	// ErrWeakAlgorithm is returned for a signature over a hash signet refuses to trust:
	// MD5, SHA-1 and the like, where collisions can be made. The signature was not checked
	// because a match would prove nothing. It is a policy refusal (exit 1, 14 for signet
	// verify), not bad input.
	ErrWeakAlgorithm = errors.New("verify: weak algorithm refused")
	// ErrForgeableKey is returned, with ErrSignatureMismatch, for a minisign public key that
	// libsodium refuses whatever the signature: a point of small order, for which anyone can
	// make signatures that verify, or a non-canonical encoding. No key pair a signer generated
	// is one; the file given is not the signer's key.
	ErrForgeableKey = errors.New("verify: a public key anyone can sign for")
)

// PSS salt lengths a SignatureParams may require besides an exact positive length.
const (
	// SaltLengthAny (the zero value) accepts any salt length, as `openssl dgst -verify
	// -sigopt rsa_padding_mode:pss` does by default (rsa_pss_saltlen:auto): the salt length
	// does not change what a valid signature proves, and signers differ (the digest length,
	// the maximum).
	SaltLengthAny = 0
	// SaltLengthEqualsHash requires a salt as long as the digest, which is what `signet sign
	// --pss` and openssl's rsa_pss_saltlen:digest make.
	SaltLengthEqualsHash = -1
	// SaltLengthNone requires an empty salt (a deterministic PSS signature).
	SaltLengthNone = -2
)

// SignatureParams says how a signature was made, beyond the key: the hash of the digest and,
// for RSA, the padding. The zero value means a pure Ed25519 signature over the message.
type SignatureParams struct {
	// Hash is the hash the signed digest was computed with. It must be zero for Ed25519,
	// which signs the message itself (as `openssl pkeyutl -sign -rawin` and RFC 8419 CMS
	// do; Ed25519ph is not supported), and one of the hashes AcceptedHashes lists for RSA
	// and ECDSA.
	Hash crypto.Hash
	// PSS selects RSASSA-PSS for an RSA key; false means RSASSA-PKCS1-v1_5. A signature in
	// one scheme never verifies in the other: there is no detection, as Wycheproof's
	// WrongPrimitive vectors require and `openssl dgst -verify` does (PSS needs -sigopt
	// rsa_padding_mode:pss). Ignored for other keys.
	PSS bool
	// SaltLength constrains the PSS salt: SaltLengthAny (the zero value), SaltLengthEqualsHash,
	// SaltLengthNone, or a positive length in bytes. The mask generation function is always
	// MGF1 with Hash (RFC 8017's recommendation, and the only one crypto/rsa implements).
	SaltLength int
}

// AcceptedHashes returns the hashes Signature accepts for RSA and ECDSA: SHA-2 and SHA-3, the
// truncated SHA-512 variants included. MD5, SHA-1 and MD5+SHA-1 are refused as weak
// (ErrWeakAlgorithm); any other crypto.Hash is unsupported. The list is a copy: what
// Signature accepts cannot be changed from outside the package.
func AcceptedHashes() []crypto.Hash { return slices.Clone(acceptedHashes) }

var acceptedHashes = []crypto.Hash{crypto.SHA224, crypto.SHA256, crypto.SHA384, crypto.SHA512,
	crypto.SHA512_224, crypto.SHA512_256, crypto.SHA3_224, crypto.SHA3_256, crypto.SHA3_384, crypto.SHA3_512}

// Signature checks that sig is a signature by the private half of pub over data, made as p
// says. data is the digest of the message under p.Hash for RSA and ECDSA keys, and the message
// itself for Ed25519. It is the one signature primitive of signet's verifiers: raw signature
// files, the signed attributes of CMS and the bundle's messageSignature all go through it.
//
// Encodings: ECDSA signatures must be ASN.1 DER (SEQUENCE of two INTEGERs, minimal, with
// nothing after it), as openssl, CMS and Sigstore write them; the IEEE P1363 form (r||s,
// fixed width) is refused as a mismatch, whose message names the form. RSA signatures must be
// exactly as long as the modulus. Ed25519 signatures are 64 bytes, with S reduced (RFC 8032
// strict checking, crypto/ed25519's).
//
// The outcomes are three:
//   - nil: the signature is valid;
//   - an error wrapping ErrSignatureMismatch: checked and not valid (altered data, another
//     key, another scheme, a damaged, truncated or extended signature);
//   - an error wrapping ErrWeakAlgorithm (p.Hash is MD5 or SHA-1), x509util.ErrUnsupported (a
//     key type or hash signet does not verify with) or ErrUnchecked (data is not a digest of
//     p.Hash, Ed25519 with a hash): nothing was checked.
func Signature(pub crypto.PublicKey, data, sig []byte, p SignatureParams) error {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		if p.Hash != 0 {
			return fmt.Errorf("%w: Ed25519 signs the message itself, not a %v digest (Ed25519ph is not supported)", ErrUnchecked, p.Hash)
		}
		if len(k) != ed25519.PublicKeySize {
			return fmt.Errorf("%w: an Ed25519 public key of %d bytes", x509util.ErrUnsupported, len(k))
		}
		if len(sig) != ed25519.SignatureSize {
			return mismatch("an Ed25519 signature is %d bytes, not %d", ed25519.SignatureSize, len(sig))
		}
		if !ed25519.Verify(k, data, sig) {
			return mismatch("the Ed25519 signature does not match")
		}
		return nil
	case *ecdsa.PublicKey:
		if err := checkDigest(p.Hash, data); err != nil {
			return err
		}
		if ecdsa.VerifyASN1(k, data, sig) {
			return nil
		}
		if n := (k.Curve.Params().BitSize + 7) / 8; len(sig) == 2*n && !isDERSequence(sig) {
			return mismatch("the signature is not DER: %d bytes look like the raw r||s (IEEE P1363) form, which signet does not read; ECDSA signatures are DER, as openssl writes them", len(sig))
		}
		return mismatch("the ECDSA %s signature does not match", k.Curve.Params().Name)
	case *rsa.PublicKey:
		if err := checkDigest(p.Hash, data); err != nil {
			return err
		}
		if p.PSS {
			return verifyPSS(k, data, sig, p)
		}
		if err := rsa.VerifyPKCS1v15(k, p.Hash, data, sig); err != nil {
			return mismatch("the RSA PKCS#1 v1.5 %v signature does not match", p.Hash)
		}
		return nil
	case nil:
		return fmt.Errorf("%w: no public key", ErrUnchecked)
	}
	return fmt.Errorf("%w: %T public keys (signet verifies RSA, ECDSA and Ed25519 signatures)", x509util.ErrUnsupported, pub)
}

// SignatureMismatchError is a signature that does not verify, with what did not match in
// words (Detail). It matches ErrSignatureMismatch.
type SignatureMismatchError struct{ Detail string }

func (e *SignatureMismatchError) Error() string {
	return ErrSignatureMismatch.Error() + ": " + e.Detail
}

// Is makes a SignatureMismatchError match ErrSignatureMismatch.
func (e *SignatureMismatchError) Is(target error) bool { return target == ErrSignatureMismatch }

func mismatch(format string, args ...any) error {
	return &SignatureMismatchError{Detail: fmt.Sprintf(format, args...)}
}

// checkDigest checks that h is a hash RSA and ECDSA signatures may use, and that digest is one
// of its outputs.
func checkDigest(h crypto.Hash, digest []byte) error {
	switch h {
	case 0:
		return fmt.Errorf("%w: no hash given for an RSA or ECDSA signature", ErrUnchecked)
	case crypto.MD4, crypto.MD5, crypto.SHA1, crypto.MD5SHA1, crypto.RIPEMD160:
		return fmt.Errorf("%w: %v (collisions can be made: a valid signature would not prove what was signed)", ErrWeakAlgorithm, h)
	}
	accepted := false
	for _, a := range acceptedHashes {
		accepted = accepted || a == h
	}
	if !accepted || !h.Available() {
		return fmt.Errorf("%w: hash %v", x509util.ErrUnsupported, h)
	}
	if len(digest) != h.Size() {
		return fmt.Errorf("%w: a %v digest is %d bytes, not %d", ErrUnchecked, h, h.Size(), len(digest))
	}
	return nil
}

// isDERSequence reports whether b starts as a DER SEQUENCE whose length covers exactly b.
func isDERSequence(b []byte) bool {
	if len(b) < 2 || b[0] != 0x30 {
		return false
	}
	l, n := int(b[1]), 2
	if l&0x80 != 0 {
		k := l & 0x7f
		if k == 0 || k > 2 || len(b) < 2+k {
			return false
		}
		l = 0
		for _, c := range b[2 : 2+k] {
			l = l<<8 | int(c)
		}
		n += k
	}
	return n+l == len(b)
}

func verifyPSS(k *rsa.PublicKey, digest, sig []byte, p SignatureParams) error {
	opts := &rsa.PSSOptions{Hash: p.Hash, SaltLength: rsa.PSSSaltLengthAuto}
	switch {
	case p.SaltLength == SaltLengthEqualsHash:
		opts.SaltLength = rsa.PSSSaltLengthEqualsHash
	case p.SaltLength > 0:
		opts.SaltLength = p.SaltLength
	case p.SaltLength < SaltLengthNone:
		return fmt.Errorf("%w: PSS salt length %d", ErrUnchecked, p.SaltLength)
	}
	if err := rsa.VerifyPSS(k, p.Hash, digest, sig, opts); err != nil {
		return mismatch("the RSA-PSS %v signature does not match", p.Hash)
	}
	if p.SaltLength == SaltLengthNone {
		// crypto/rsa reads a salt length of 0 as "any": measure it.
		if n, ok := pssSaltLength(k, p.Hash, sig); !ok || n != 0 {
			return mismatch("the RSA-PSS %v signature has a %d-byte salt where none is allowed", p.Hash, n)
		}
	}
	return nil
}

// pssSaltLength decodes a PSS signature that crypto/rsa has already verified and returns the
// length of its salt (RFC 8017 9.1.2 steps 7 to 10): the signature is valid, so the encoding
// is well formed and only its shape is read here.
func pssSaltLength(k *rsa.PublicKey, h crypto.Hash, sig []byte) (int, bool) {
	m := new(big.Int).Exp(new(big.Int).SetBytes(sig), big.NewInt(int64(k.E)), k.N)
	emBits := k.N.BitLen() - 1
	emLen := (emBits + 7) / 8
	hLen := h.Size()
	if emLen < hLen+2 || len(m.Bytes()) > emLen {
		return 0, false
	}
	em := m.FillBytes(make([]byte, emLen))
	db := em[:emLen-hLen-1]
	hh := em[emLen-hLen-1 : emLen-1]
	mgf1XOR(db, h, hh)
	db[0] &= 0xff >> (8*emLen - emBits)
	for i, c := range db {
		switch c {
		case 0:
			continue
		case 1:
			return len(db) - i - 1, true
		}
		return 0, false
	}
	return 0, false
}

// mgf1XOR XORs out with MGF1(seed) under h (RFC 8017 B.2.1).
func mgf1XOR(out []byte, h crypto.Hash, seed []byte) {
	var counter [4]byte
	done := 0
	for done < len(out) {
		d := h.New()
		d.Write(seed)
		d.Write(counter[:])
		for _, c := range d.Sum(nil) {
			if done == len(out) {
				break
			}
			out[done] ^= c
			done++
		}
		for i := 3; i >= 0; i-- {
			if counter[i]++; counter[i] != 0 {
				break
			}
		}
	}
}
