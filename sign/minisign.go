package sign

import (
	"crypto"
	"crypto/ed25519"
	"fmt"
	"path/filepath"

	"golang.org/x/crypto/blake2b"

	"github.com/signet-pki/signet/sigformat"
)

// checkMinisign refuses what a minisign signature cannot be: another key than Ed25519 (kind;
// 0 when not known yet), another hash than its BLAKE2b-512, a certificate, an RFC 3161
// timestamp (minisign has no place for either), or a trusted comment minisign would not read
// back. A trusted comment with another format is refused too, so that it is never dropped
// unsaid.
func checkMinisign(opts SignOptions, kind keyKind) error {
	if opts.Format != sigformat.Minisign {
		if opts.TrustedComment != "" {
			return fmt.Errorf("%w: a trusted comment is for minisign signatures only (--format minisign)", ErrUnsupported)
		}
		return nil
	}
	switch {
	case kind != 0 && kind != kindEd25519:
		return fmt.Errorf("%w: a minisign signature is Ed25519, and the key is %s", ErrUnsupported, kind)
	case opts.Algorithm != 0:
		return fmt.Errorf("%w: a minisign signature hashes with BLAKE2b-512, not %s", ErrUnsupported, opts.Algorithm)
	case len(opts.Certificates) > 0:
		return fmt.Errorf("%w: a minisign signature carries no certificate", ErrUnsupported)
	case opts.Timestamp != nil:
		return fmt.Errorf("%w: a minisign signature has no place for an RFC 3161 timestamp", ErrUnsupported)
	case opts.PSS:
		return fmt.Errorf("%w: a minisign signature is Ed25519, not RSA-PSS", ErrUnsupported)
	}
	return sigformat.CheckMinisignTrustedComment(opts.TrustedComment)
}

// minisign is the minisign signature file of msg, the content of the file called name, as
// minisign -S writes it: algorithm ED, the Ed25519 signature over msg's BLAKE2b-512 digest
// (pure Ed25519 over those 64 bytes: a token's CKM_EDDSA makes it), the key id signet derives
// from the key, and the global signature over that signature and the trusted comment.
func (s *Signer) minisign(name string, msg []byte) ([]byte, error) {
	comment := s.opts.TrustedComment
	if comment == "" {
		base := "-"
		if name != "" && name != "-" {
			base = filepath.Base(name)
		}
		comment = fmt.Sprintf("timestamp:%d\tfile:%s\thashed", s.now().Unix(), base)
		if err := sigformat.CheckMinisignTrustedComment(comment); err != nil {
			return nil, fmt.Errorf("%w (the file's name is in the default comment: give --trusted-comment)", err)
		}
	}
	h := blake2b.Sum512(msg)
	sig, err := s.keySign(h[:], crypto.Hash(0))
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	global, err := s.keySign(append(append([]byte(nil), sig...), comment...), crypto.Hash(0))
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	id := sigformat.MinisignKeyIDOf(s.pub.(ed25519.PublicKey))
	return sigformat.MarshalMinisign(sigformat.MinisignContent{KeyID: id, Signature: sig,
		UntrustedComment: sigformat.MinisignUntrustedComment, TrustedComment: comment, GlobalSignature: global}), nil
}
