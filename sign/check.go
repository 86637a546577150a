package sign

import (
	"fmt"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/sigformat"
)

// CheckOptions reports what NewSigner would refuse in opts whatever the key: an unknown
// format or hash, --base64 beside another format than raw, RSA-PSS in a bundle, a hash a
// bundle cannot name. A command calls it before it opens the key, so that a usage mistake
// never costs a passphrase prompt or a token login; NewSigner still checks everything,
// including what depends on the key. The errors are NewSigner's, word for word; when the key
// would be refused too (--pss with an EC key and a bundle), the one reported first may differ.
//
// An empty Format is left to NewSigner (it depends on the certificates); an empty
// Algorithm is not checked against a bundle, since the default one always fits.
func CheckOptions(opts SignOptions) error {
	f := opts.Format
	if f != "" && f.Extension() == "" {
		return fmt.Errorf("%w: signature format %q", ErrUnsupported, f)
	}
	if opts.Algorithm != 0 && !opts.Algorithm.Valid() {
		return fmt.Errorf("%w: %s", digest.ErrUnknownAlgorithm, opts.Algorithm.Name())
	}
	if opts.PSS && f == sigformat.Bundle {
		return fmt.Errorf("%w: a bundle cannot say that its signature is RSA-PSS; use the raw or cms format", ErrUnsupported)
	}
	if opts.Base64 && f != "" && f != sigformat.Raw {
		return fmt.Errorf("%w: base64 applies to raw signatures only (a %s signature has its own encoding)", ErrUnsupported, f)
	}
	if err := checkMinisign(opts, 0); err != nil {
		return err
	}
	if f == sigformat.Bundle && opts.Algorithm != 0 && !sigformat.CanBundle(opts.Algorithm.CryptoHash()) {
		return fmt.Errorf("%w: a bundle cannot name %s (it knows sha256, sha384, sha512, sha3-256, sha3-384)", ErrUnsupported, opts.Algorithm)
	}
	return nil
}

// DigestSizes returns the sizes in bytes a digest to sign may have under opts before the key
// is known: the size of opts.Algorithm when set, else the default algorithm's, and SHA-512's
// too when the format may be CMS (an Ed25519 key signs CMS over SHA-512 by default).
func DigestSizes(opts SignOptions) []int {
	if opts.Algorithm != 0 {
		return []int{opts.Algorithm.Size()}
	}
	sizes := []int{digest.DefaultAlgorithm.Size()}
	if opts.Format == "" || opts.Format == sigformat.CMS {
		sizes = append(sizes, digest.SHA512.Size())
	}
	return sizes
}
