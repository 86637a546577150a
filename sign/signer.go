package sign

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"io"
	"slices"
	"sync/atomic"
	"time"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/x509util"
)

// SignOptions configures a Signer. The zero value makes raw SHA-256 signatures (PKCS#1 v1.5
// for RSA) with no certificate.
type SignOptions struct {
	// Format is the signature format; zero means sigformat.Raw.
	Format sigformat.Format
	// Algorithm is the hash. Zero means digest.DefaultAlgorithm, except for Ed25519 in CMS,
	// where RFC 8419 requires SHA-512, and Ed25519 in a bundle with a certificate, which is
	// Ed25519ph over SHA-512 (see NeedsMessage): there zero means digest.SHA512 and any
	// other hash is refused.
	Algorithm digest.Algorithm
	// PSS selects RSA-PSS (salt as long as the hash, MGF1 with the same hash, as openssl's
	// -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest) instead of PKCS#1 v1.5.
	// Only for RSA keys, and not in bundles, which have no field to say it.
	PSS bool
	// Base64 writes a raw signature as base64 text, wrapped at 64 columns like `openssl
	// base64`, with a final newline.
	Base64 bool
	// Certificates is the signer's certificate followed by its issuers. The one for the key
	// is put first wherever it is in the list; if none is for the key, NewSigner fails. CMS needs it; a bundle carries it (or, without one, a public-key hint). Roots
	// (self-signed certificates after the first) are left out of the signatures: verifiers
	// bring their own.
	Certificates []*x509.Certificate
	// Now gives the CMS signingTime; nil means time.Now.
	Now func() time.Time
	// Rand is the randomness for ECDSA and RSA-PSS; nil means crypto/rand. Token keys draw
	// their own.
	Rand io.Reader
	// Timestamp, if not nil, is called with each signature value once it is made, before
	// anything is written, and returns an RFC 3161 TimeStampToken (DER) over it (package
	// timestamp's Client, checked there). The token goes where the format keeps it: in CMS
	// the unsigned attribute id-aa-signatureTimeStampToken, in a bundle
	// timestampVerificationData.rfc3161Timestamps, beside a raw signature FILE.sig.tsr
	// (see RawTimestamp). Its error fails that signature, and so the run: nothing is written.
	Timestamp func(signature []byte) ([]byte, error)
	// TrustedComment is the trusted comment of minisign signatures, which their global
	// signature covers; "" means minisign 0.11's default, "timestamp:UNIX\tfile:NAME\thashed"
	// (NAME the file's base name, UNIX the time of Now).
	TrustedComment string
}

// TimestampExtension is appended to a raw signature's name for the file that holds its
// timestamp token.
const TimestampExtension = ".tsr"

// rawTimestamped reports whether s's raw signatures have a token beside them.
func (s *Signer) rawTimestamped() bool {
	return s.opts.Timestamp != nil && s.opts.Format == sigformat.Raw
}

// RawTimestamp returns the timestamp token over a raw signature file's content made by s
// (base64 text is decoded first: the token covers the signature value), or nil when s makes
// no raw timestamped signatures.
func (s *Signer) RawTimestamp(sigFile []byte) ([]byte, error) {
	if !s.rawTimestamped() {
		return nil, nil
	}
	sig := sigFile
	if s.opts.Base64 {
		p, err := sigformat.Parse(sigFile)
		if err != nil {
			return nil, fmt.Errorf("sign: %w", err)
		}
		sig = p.Raw
	}
	return s.opts.Timestamp(sig)
}

// Signer makes signatures in one format with one key. It is safe for concurrent use when its
// key is (software keys and hsm token keys are).
type Signer struct {
	key   crypto.Signer
	pub   crypto.PublicKey
	kind  keyKind
	opts  SignOptions
	alg   digest.Algorithm
	chain []*x509.Certificate // what goes into signatures: no roots
	keyFP string
	// ph: Ed25519ph (RFC 8032 §5.1) over the content's SHA-512 digest, for an Ed25519 key
	// with a certificate in a bundle (the Sigstore algorithm registry's PKIX_ED25519_PH).
	ph     bool
	now    func() time.Time
	random io.Reader
	// checked: a signature of key verified with pub (keySign), so that a key whose Public()
	// is not the key that signs writes no signature at all.
	checked atomic.Bool
}

type keyKind int

const (
	kindECDSA keyKind = iota + 1
	kindRSA
	kindEd25519
)

func (k keyKind) String() string {
	switch k {
	case kindECDSA:
		return "ECDSA"
	case kindRSA:
		return "RSA"
	case kindEd25519:
		return "Ed25519"
	}
	return "unknown"
}

// NewSigner checks that key, format, hash and certificates go together and returns a Signer.
// Errors wrap ErrUnsupported (no key, or a combination signet cannot make, such as RSA-PSS
// with an ECDSA key or in a bundle), digest.ErrUnknownAlgorithm, or x509util.ErrKeyMismatch
// when the certificate is not the key's (or is nil). The Signer's first signature is checked
// against key.Public() (x509util.ErrKeyMismatch when it does not verify: the key that signs is
// not the one it describes), before anything is written.
func NewSigner(key crypto.Signer, opts SignOptions) (*Signer, error) {
	if key == nil {
		return nil, fmt.Errorf("%w: no key", ErrUnsupported)
	}
	s := &Signer{key: key, pub: key.Public(), opts: opts, now: opts.Now, random: opts.Rand}
	if s.now == nil {
		s.now = time.Now
	}
	if s.random == nil {
		s.random = rand.Reader
	}
	switch s.pub.(type) {
	case *ecdsa.PublicKey:
		s.kind = kindECDSA
	case *rsa.PublicKey:
		s.kind = kindRSA
	case ed25519.PublicKey:
		s.kind = kindEd25519
	default:
		return nil, fmt.Errorf("%w: %T keys", ErrUnsupported, s.pub)
	}
	if s.opts.Format == "" {
		s.opts.Format = sigformat.Raw
	}
	f := s.opts.Format
	if f.Extension() == "" {
		return nil, fmt.Errorf("%w: signature format %q", ErrUnsupported, f)
	}
	// With a certificate, sigstore-go and cosign check a bundle's Ed25519 key as Ed25519ph
	// (their hashedrekord rule: PKIX_ED25519_PH); with a bare key they check pure Ed25519
	// (PKIX_ED25519), as cosign sign-blob --key writes it without a log entry.
	if err := checkMinisign(opts, s.kind); err != nil {
		return nil, err
	}
	s.ph = s.kind == kindEd25519 && f == sigformat.Bundle && len(opts.Certificates) > 0
	s.alg = opts.Algorithm
	if s.alg == 0 {
		s.alg = digest.DefaultAlgorithm
		if s.kind == kindEd25519 && f == sigformat.CMS || s.ph {
			s.alg = digest.SHA512
		}
	}
	if !s.alg.Valid() {
		return nil, fmt.Errorf("%w: %s", digest.ErrUnknownAlgorithm, s.alg.Name())
	}
	if s.kind == kindEd25519 && f == sigformat.CMS && s.alg != digest.SHA512 {
		return nil, fmt.Errorf("%w: Ed25519 in CMS digests with sha512 (RFC 8419), not %s", ErrUnsupported, s.alg)
	}
	if s.ph && s.alg != digest.SHA512 {
		return nil, fmt.Errorf("%w: an Ed25519 certificate's bundle is Ed25519ph over sha512 (Sigstore's PKIX_ED25519_PH), not %s", ErrUnsupported, s.alg)
	}
	if opts.PSS {
		if s.kind != kindRSA {
			return nil, fmt.Errorf("%w: RSA-PSS needs an RSA key, not %s", ErrUnsupported, s.kind)
		}
		if f == sigformat.Bundle {
			return nil, fmt.Errorf("%w: a bundle cannot say that its signature is RSA-PSS; use the raw or cms format", ErrUnsupported)
		}
	}
	if opts.Base64 && f != sigformat.Raw {
		return nil, fmt.Errorf("%w: base64 applies to raw signatures only (a %s signature has its own encoding)", ErrUnsupported, f)
	}
	if f == sigformat.Bundle {
		if !sigformat.CanBundle(s.alg.CryptoHash()) {
			return nil, fmt.Errorf("%w: a bundle cannot name %s (it knows sha256, sha384, sha512, sha3-256, sha3-384)", ErrUnsupported, s.alg)
		}
	}
	if len(opts.Certificates) > 0 {
		if slices.Contains(opts.Certificates, nil) {
			return nil, fmt.Errorf("sign: a certificate given is nil: %w", x509util.ErrKeyMismatch)
		}
		li := slices.IndexFunc(opts.Certificates, func(c *x509.Certificate) bool {
			return x509util.PublicKeysEqual(s.pub, c.PublicKey)
		})
		if li < 0 {
			return nil, fmt.Errorf("sign: the certificate \"%s\" is not for the signing key: %w", x509util.FormatName(opts.Certificates[0].Subject), x509util.ErrKeyMismatch)
		}
		leaf := opts.Certificates[li]
		s.chain = []*x509.Certificate{leaf}
		for i, c := range opts.Certificates {
			if i != li && !isSelfSigned(c) {
				s.chain = append(s.chain, c)
			}
		}
	} else if f == sigformat.CMS {
		return nil, fmt.Errorf("%w: a CMS signature needs the signer's certificate", ErrUnsupported)
	}
	fp, err := x509util.Fingerprint(s.pub)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	s.keyFP = fp
	return s, nil
}

func isSelfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil
}

// Format is the format of the signatures s makes.
func (s *Signer) Format() sigformat.Format { return s.opts.Format }

// Algorithm is the hash s signs with.
func (s *Signer) Algorithm() digest.Algorithm { return s.alg }

// Certificate is the signer's certificate, or nil.
func (s *Signer) Certificate() *x509.Certificate {
	if len(s.chain) == 0 {
		return nil
	}
	return s.chain[0]
}

// KeyFingerprint is x509util.Fingerprint of the signing key.
func (s *Signer) KeyFingerprint() string { return s.keyFP }

// NeedsMessage reports that s signs the message itself rather than its digest: Ed25519 in the
// raw format (pure Ed25519, as `openssl pkeyutl -sign -rawin` does), in a bundle without a
// certificate (pure Ed25519, PKIX_ED25519, what cosign verify-blob --key checks), and in
// minisign (over the message's BLAKE2b-512 digest, which no other format uses). Such a
// Signer takes SignMessage; SignDigest fails. An Ed25519 bundle with a certificate is
// Ed25519ph over the content's SHA-512 digest (PKIX_ED25519_PH, what sigstore-go and cosign
// check for a certificate) and, like CMS, signs a digest.
func (s *Signer) NeedsMessage() bool {
	return s.kind == kindEd25519 && s.opts.Format != sigformat.CMS && !s.ph
}

// SignDigest returns the signature file's content for content whose digest under
// s.Algorithm() is d. Errors wrap ErrUnsupported for a d of another length and for a Signer
// that needs the message (see NeedsMessage), and the key's errors (a token's hsm.ErrToken,
// hsm.ErrUnsupportedKey from a token that cannot make Ed25519ph) otherwise.
func (s *Signer) SignDigest(d digest.Digest) ([]byte, error) {
	if len(d) != s.alg.Size() {
		return nil, &kindError{msg: fmt.Sprintf("sign: %d-byte digest for %s, which makes %d bytes", len(d), s.alg, s.alg.Size()), kind: ErrUnsupported}
	}
	if s.NeedsMessage() {
		if s.opts.Format == sigformat.Bundle {
			return nil, fmt.Errorf("%w: Ed25519 signs the whole message in a bundle without a certificate, not a digest; a CMS signature, or a bundle with a certificate (Ed25519ph), can be made from a sha512 digest", ErrUnsupported)
		}
		return nil, fmt.Errorf("%w: Ed25519 signs the whole message in a %s signature, not a digest; a CMS signature (sha512) can be made from a digest", ErrUnsupported, s.opts.Format)
	}
	switch s.opts.Format {
	case sigformat.CMS:
		return s.cms(d)
	case sigformat.Bundle:
		sig, err := s.signDigest(d)
		if err != nil {
			return nil, err
		}
		return s.bundle(d, sig)
	}
	sig, err := s.signDigest(d)
	if err != nil {
		return nil, err
	}
	return s.raw(sig), nil
}

// SignMessage signs msg whole and returns its digest under s.Algorithm() with the signature
// file's content. For every Signer but one that NeedsMessage it is SignDigest of the digest.
func (s *Signer) SignMessage(msg []byte) (digest.Digest, []byte, error) {
	return s.signMessage("", msg)
}

// signMessage is SignMessage of the file called name, which a minisign signature's default
// trusted comment names.
func (s *Signer) signMessage(name string, msg []byte) (digest.Digest, []byte, error) {
	h := s.alg.New()
	h.Write(msg)
	d := digest.Digest(h.Sum(nil))
	if !s.NeedsMessage() {
		out, err := s.SignDigest(d)
		return d, out, err
	}
	if s.opts.Format == sigformat.Minisign {
		out, err := s.minisign(name, msg)
		return d, out, err
	}
	sig, err := s.keySign(msg, crypto.Hash(0))
	if err != nil {
		return nil, nil, fmt.Errorf("sign: %w", err)
	}
	if s.opts.Format == sigformat.Bundle {
		out, err := s.bundle(d, sig)
		return d, out, err
	}
	return d, s.raw(sig), nil
}

// signDigest is the bare signature over a digest: DER ECDSA, PKCS#1 v1.5, PSS or Ed25519ph.
func (s *Signer) signDigest(d []byte) ([]byte, error) {
	var opts crypto.SignerOpts = s.alg.CryptoHash()
	switch {
	case s.opts.PSS:
		opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: s.alg.CryptoHash()}
	case s.ph:
		opts = &ed25519.Options{Hash: crypto.SHA512}
	}
	sig, err := s.keySign(d, opts)
	if err != nil {
		if s.ph {
			return nil, fmt.Errorf("sign: a bundle with an Ed25519 certificate is Ed25519ph (raw and cms signatures are pure Ed25519): %w", err)
		}
		return nil, fmt.Errorf("sign: %w", err)
	}
	return sig, nil
}

// keySign is s.key.Sign, the first signature of s checked against the public key: a token
// whose private key object is not the one its public key or certificate describes (or any
// crypto.Signer whose Public() is not the key that signs) would otherwise write signatures
// that no verifier accepts, all of a run. Later signatures are not checked: checking each
// would double the cost of signing with a software key, and what they get wrong a verifier
// refuses.
func (s *Signer) keySign(msg []byte, opts crypto.SignerOpts) ([]byte, error) {
	sig, err := s.key.Sign(s.random, msg, opts)
	if err != nil || s.checked.Load() {
		return sig, err
	}
	if err := x509util.CheckSignerSignature(s.pub, msg, sig, opts); err != nil {
		return nil, err // its callers say "sign:"
	}
	s.checked.Store(true)
	return sig, nil
}

func (s *Signer) raw(sig []byte) []byte {
	if !s.opts.Base64 {
		return sig
	}
	return sigformat.AppendBase64(nil, sig)
}

// cms is the CMS signature over content whose digest is d: the signed attributes are signed
// whole with Ed25519 (RFC 8419), else through their digest under s.alg.
func (s *Signer) cms(d digest.Digest) ([]byte, error) {
	opts := sigformat.CMSOptions{Algorithm: s.alg, PSS: s.opts.PSS, Certificates: s.chain, SigningTime: s.now(), Timestamp: s.opts.Timestamp}
	return sigformat.MarshalCMS(d, opts, func(signed []byte) ([]byte, error) {
		if s.kind == kindEd25519 {
			sig, err := s.keySign(signed, crypto.Hash(0))
			if err != nil {
				return nil, fmt.Errorf("sign: %w", err)
			}
			return sig, nil
		}
		h := s.alg.New()
		h.Write(signed)
		return s.signDigest(h.Sum(nil))
	})
}

// bundle is the Sigstore bundle of content whose digest is d, with the signature sig over it.
func (s *Signer) bundle(d digest.Digest, sig []byte) ([]byte, error) {
	c := sigformat.BundleContent{Algorithm: s.alg, Digest: d, Signature: sig, Certificates: s.chain, PublicKey: s.pub}
	if s.opts.Timestamp != nil {
		token, err := s.opts.Timestamp(sig)
		if err != nil {
			return nil, err
		}
		c.Timestamps = [][]byte{token}
	}
	return sigformat.MarshalBundle(c)
}
