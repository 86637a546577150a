package verify

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"golang.org/x/crypto/blake2b"

	"github.com/signet-pki/signet/sigformat"
)

// Minisign signatures (sigformat.Minisign) are checked with the key given
// (ArtifactOptions.Key) alone, as minisign -V -p checks them: the key id the signature names,
// the Ed25519 signature over the file's BLAKE2b-512 digest (algorithm ED) or over the file
// itself (the legacy Ed), and the global signature over the signature and the trusted comment,
// which is reported only once all three hold. The Ed25519 checks are libsodium's, which minisign
// verifies with (sodiumVerify): crypto/ed25519 besides refuses no key and no R of small order.

// readBLAKE2b streams the file of a minisign ED signature through BLAKE2b-512: the file is
// never held in memory, whatever its size.
func (v *artifactVerifier) readBLAKE2b(p *artifactPlan) error {
	h, _ := blake2b.New512(nil)
	if p.a.Content != nil {
		h.Write(p.a.Content)
	} else {
		f, err := os.Open(p.a.Name)
		if err != nil {
			return err
		}
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	p.digest = h.Sum(nil)
	p.res.Digest = &DigestReport{Algorithm: "blake2b-512", Hex: hex.EncodeToString(p.digest)}
	return nil
}

// checkMinisign is the checks of a minisign signature, in minisign's order.
func (v *artifactVerifier) checkMinisign(p *artifactPlan, fail func(check, reason string, err error)) {
	s, res, m := p.a.Signature, p.res, p.a.Signature.Minisign
	key := p.key.(ed25519.PublicKey) // plan refused any other
	msg, what := p.content, "the file"
	if p.blake2b {
		msg, what = p.digest, "the file's blake2b-512 digest"
	}
	res.Checks = append(res.Checks, Check{Check: CheckDigest, Status: Skip,
		Detail: fmt.Sprintf("a minisign signature records no digest: it signs %s", what)})

	want, from := sigformat.MinisignKeyIDOf(key), "signet derives for the key given: it was made with another key, or with a key minisign made (give its minisign public key file)"
	if v.opts.MinisignKeyID != nil {
		want, from = *v.opts.MinisignKeyID, "of the public key file: it was made with another key"
	}
	if m.KeyID != want {
		fail(CheckKeyID, ReasonSignatureMismatch, artifactErrorf(ErrSignatureMismatch, nil,
			"the minisign signature names key id %s, not %s, the key id %s", m.KeyID, want, from))
	} else {
		res.Checks = append(res.Checks, Check{Check: CheckKeyID, Status: Pass,
			Detail: fmt.Sprintf("the minisign signature names key id %s, the key's", m.KeyID)})
	}

	if why := sodiumRefusesKey(key); why != "" {
		fail(CheckSignature, ReasonSignatureMismatch, artifactErrorf(ErrSignatureMismatch, ErrForgeableKey,
			"the key given (%s) %s: anyone can make signatures that verify with it, and minisign (libsodium) refuses it", keyName(res.Signer), why))
		return
	}

	fileOK := sodiumVerify(key, msg, s.Raw)
	if fileOK {
		res.Checks = append(res.Checks, Check{Check: CheckSignature, Status: Pass,
			Detail: fmt.Sprintf("minisign %s Ed25519 signature over %s verified with %s", m.Algorithm, what, keyName(res.Signer))})
	} else {
		fail(CheckSignature, ReasonSignatureMismatch, artifactErrorf(ErrSignatureMismatch, nil,
			"the minisign Ed25519 signature over %s does not verify with %s (the file changed, the key is not the signer's, or the signature is another file's)", what, keyName(res.Signer)))
	}

	globalOK := sodiumVerify(key, m.GlobalMessage(s.Raw), m.GlobalSignature)
	if globalOK {
		res.Checks = append(res.Checks, Check{Check: CheckTrustedComment, Status: Pass,
			Detail: "the global signature over the signature and the trusted comment verified"})
	} else {
		fail(CheckTrustedComment, ReasonSignatureMismatch, artifactErrorf(ErrSignatureMismatch, nil,
			"the minisign global signature over the trusted comment %q does not verify with %s: the trusted comment was changed, or the signature damaged", m.TrustedComment, keyName(res.Signer)))
	}
	if fileOK && globalOK && m.KeyID == want {
		res.TrustedComment = m.TrustedComment
	}
}

// sodiumSmallOrder are the encodings, sign bit cleared, of the Ed25519 points of small order
// (1, 2, 4, 8) that libsodium refuses as a public key or as a signature's R
// (ge25519_has_small_order): the identity, the order-4 y = 0, the two y of order 8, and
// p-1, p and p+1 (y = -1, and the non-canonical 0 and 1).
var sodiumSmallOrder = [...][32]byte{
	{0x00},
	{0x01},
	{0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},
	{0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},
	sodiumHigh(0xec),
	sodiumHigh(0xed),
	sodiumHigh(0xee),
}

// sodiumHigh is the encoding of y = 2^255 - 19 + (b - 0xed) with the sign bit cleared.
func sodiumHigh(b byte) [32]byte {
	var e [32]byte
	e[0] = b
	for i := 1; i < 31; i++ {
		e[i] = 0xff
	}
	e[31] = 0x7f
	return e
}

// sodiumHasSmallOrder is libsodium's ge25519_has_small_order: whether the encoding, its sign
// bit aside, is one of a point of small order.
func sodiumHasSmallOrder(p []byte) bool {
	var e [32]byte
	copy(e[:], p)
	e[31] &= 0x7f
	for _, s := range sodiumSmallOrder {
		if e == s {
			return true
		}
	}
	return false
}

// sodiumRefusesKey says why libsodium's crypto_sign_verify_detached, which minisign verifies
// with, refuses an Ed25519 public key whatever the signature ("" when it does not): a point of
// small order, for which (R, S) pairs that verify are made without any private key and which
// crypto/ed25519 accepts, or a non-canonical encoding (y >= p).
func sodiumRefusesKey(key ed25519.PublicKey) string {
	switch {
	case sodiumHasSmallOrder(key):
		return "is a point of small order"
	case !sodiumCanonical(key):
		return "is not a canonical encoding of a point"
	}
	return ""
}

// sodiumCanonical is libsodium's ge25519_is_canonical: y, the sign bit aside, is below
// p = 2^255 - 19.
func sodiumCanonical(p []byte) bool {
	if p[31]&0x7f != 0x7f || p[0] < 0xed {
		return true
	}
	for _, b := range p[1:31] {
		if b != 0xff {
			return true
		}
	}
	return false
}

// sodiumVerify is ed25519.Verify with libsodium's refusals besides, as minisign verifies: the
// key (sodiumRefusesKey) and an R of small order, which no signer draws.
func sodiumVerify(key ed25519.PublicKey, msg, sig []byte) bool {
	if sodiumRefusesKey(key) != "" || len(sig) != ed25519.SignatureSize || sodiumHasSmallOrder(sig[:32]) {
		return false
	}
	return ed25519.Verify(key, msg, sig)
}
