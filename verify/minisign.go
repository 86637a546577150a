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
// which is reported only once all three hold.

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

	fileOK := ed25519.Verify(key, msg, s.Raw)
	if fileOK {
		res.Checks = append(res.Checks, Check{Check: CheckSignature, Status: Pass,
			Detail: fmt.Sprintf("minisign %s Ed25519 signature over %s verified with %s", m.Algorithm, what, keyName(res.Signer))})
	} else {
		fail(CheckSignature, ReasonSignatureMismatch, artifactErrorf(ErrSignatureMismatch, nil,
			"the minisign Ed25519 signature over %s does not verify with %s (the file changed, the key is not the signer's, or the signature is another file's)", what, keyName(res.Signer)))
	}

	globalOK := ed25519.Verify(key, m.GlobalMessage(s.Raw), m.GlobalSignature)
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
