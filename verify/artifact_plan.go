package verify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/readlimit"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/x509util"
)

type artifactVerifier struct {
	opts    ArtifactOptions
	workers int
	subject pkix.RDNSequence // parsed Identity.Subject

	mu     sync.Mutex
	chains map[string]*chainVerdict // by leaf and carried certificates

	heldBytes atomic.Int64 // of files read whole, in memory now
}

type chainVerdict struct {
	once sync.Once
	res  *Result
	err  error
}

func newArtifactVerifier(opts ArtifactOptions) (*artifactVerifier, error) {
	v := &artifactVerifier{opts: opts, workers: opts.Workers, chains: map[string]*chainVerdict{}}
	if v.workers <= 0 {
		v.workers = runtime.GOMAXPROCS(0)
	}
	if v.opts.Hash == 0 {
		v.opts.Hash = digest.DefaultAlgorithm
	}
	if !v.opts.Hash.Valid() {
		return nil, fmt.Errorf("%w: hash %d", ErrPolicy, v.opts.Hash)
	}
	if opts.Key != nil {
		if !opts.Identity.empty() {
			return nil, fmt.Errorf("%w: an identity needs a certificate, and a bare key has none", ErrPolicy)
		}
		if f := opts.Policy.signerField(); f != "" || len(opts.TrustedCAs) > 0 {
			if f == "" {
				f = "TrustedCAs"
			}
			return nil, fmt.Errorf("%w: a bare key has no certificate for %s to judge (give the key or the policy, not both)", ErrPolicy, f)
		}
		return v, nil
	}
	if err := v.opts.Policy.validate(); err != nil {
		return nil, err
	}
	if s := opts.Identity.Subject; s != "" {
		seq, err := x509util.ParseRDNSequence(s)
		if err != nil {
			return nil, fmt.Errorf("%w: subject %q: %v", ErrPolicy, s, err)
		}
		v.subject = seq
	}
	return v, nil
}

// artifactPlan is one artifact on its way through VerifyArtifacts.
type artifactPlan struct {
	a   Artifact
	res *ArtifactResult

	key         crypto.PublicKey
	leaf        *x509.Certificate   // nil with a bare key
	carried     []*x509.Certificate // the signature's other certificates
	fileHash    digest.Algorithm    // the file's digest is needed under this hash (0: not)
	wholeFile   bool                // Ed25519 over the file: the content is needed
	digest      digest.Digest
	content     []byte
	checked     bool // checked already (a file read whole is checked as soon as it is read)
	sigParams   SignatureParams
	signedAttrs bool // CMS: the signature covers SignedData
	// ed25519ph: an Ed25519 bundle whose messageDigest is SHA-512 may be Ed25519ph over that
	// digest (PKIX_ED25519_PH, what sigstore-go checks for a certificate's key), tried before
	// pure Ed25519 over the file; phVerified says it was.
	ed25519ph, phVerified bool
	readLate              bool // content was read for the pure Ed25519 fallback of an Ed25519ph candidate
	blake2b               bool // minisign ED: the file's BLAKE2b-512 digest is signed, streamed by readWhole
}

func (p *artifactPlan) unchecked(err error) *artifactPlan {
	p.res.err = err
	p.res.Reason = ReasonUnchecked
	switch {
	case errors.Is(err, ErrWeakAlgorithm):
		p.res.Reason = ReasonWeakAlgorithm
	case errors.Is(err, ErrSignerNotFound):
		p.res.Reason = ReasonSignerNotFound
	}
	p.res.Error = message(err)
	return p
}

// message is an error's text for a one-line verdict, which names the file already: the words
// of this package's verdicts (an artifactError, an *Error) without the package's name, and any
// other error (a file's, another package's) as it prints. It looks at the error's type, never
// at its text.
func message(err error) string {
	switch e := err.(type) {
	case *artifactError:
		return e.msg
	case *Error:
		if e.Rule == "" {
			return e.Detail
		}
		return e.Detail + " [" + e.Rule + "]"
	}
	return err.Error()
}

// artifactError is a verdict about an artifact, worded for the one-line report: its text does
// not repeat the sentinel it matches.
type artifactError struct {
	msg  string
	kind error // the sentinel errors.Is matches (and what that sentinel matches)
	err  error // the cause, or nil
}

func (e *artifactError) Error() string { return "verify: " + e.msg }

func (e *artifactError) Is(target error) bool { return errors.Is(e.kind, target) }

func (e *artifactError) Unwrap() error { return e.err }

func artifactErrorf(kind, cause error, format string, args ...any) error {
	return &artifactError{msg: fmt.Sprintf(format, args...), kind: kind, err: cause}
}

// plan works out, before any file is read, which key checks the signature and what of the
// file it needs.
func (v *artifactVerifier) plan(a Artifact) *artifactPlan {
	p := &artifactPlan{a: a, res: &ArtifactResult{File: a.Name, SignatureFile: a.SignatureName, Checks: []Check{}, Identity: v.opts.Identity}}
	if a.Content == nil {
		// The file is streamed by name: a named pipe would block the hashing for ever, a
		// device never end. A missing file is reported when it is hashed.
		if err := readlimit.CheckRegular(a.Name); errors.Is(err, readlimit.ErrNotFile) {
			return p.unchecked(artifactErrorf(ErrUnchecked, err, "%v", err))
		}
	}
	s := a.Signature
	if s == nil {
		var err error
		if s, p.res.SignatureFile, err = LoadSignature(a.Name, a.SignatureName); err != nil {
			return p.unchecked(err)
		}
		p.a.Signature = s
	}
	p.res.Format = s.Format
	if !s.SigningTime.IsZero() {
		t := s.SigningTime.UTC()
		p.res.SigningTime = &t
	}
	if v.opts.Key == nil {
		r := v.opts.Policy.reportOf()
		p.res.Policy = &r
	}

	// Which key.
	switch {
	case v.opts.Key != nil:
		p.key = v.opts.Key
	case s.Format == sigformat.CMS && !s.SignerIdentified:
		// The signature carries no certificate (openssl cms -sign -nocerts) or not the one its
		// signer identifier names: the signer's certificate may be among the intermediates
		// given, as openssl cms -verify takes it from -certfile. Its chain is then checked as
		// any other's; another certificate whose key happens to verify is never taken.
		for _, c := range v.opts.Policy.Intermediates {
			if s.NamesSigner(c) {
				p.leaf, p.carried, p.key = c, s.Certificates, c.PublicKey
				break
			}
		}
		if p.leaf != nil {
			break
		}
		msg := fmt.Sprintf("the CMS signer identifier names none of the %d certificate(s) the signature carries", len(s.Certificates))
		if len(s.Certificates) == 0 {
			msg = "the CMS signature carries no certificate (openssl cms -sign -nocerts)"
			if len(v.opts.Policy.Intermediates) == 0 {
				msg += ", and no intermediates were given: the signer's certificate is unknown"
			}
		}
		if n := len(v.opts.Policy.Intermediates); n > 0 {
			msg += fmt.Sprintf(", nor among the %d intermediate(s) given", n)
		}
		return p.unchecked(artifactErrorf(ErrSignerNotFound, nil, "%s", msg))
	case s.Format == sigformat.Minisign:
		return p.unchecked(artifactErrorf(ErrNoKey, nil, "no key to check the signature with: a minisign signature names its key by id %s only; give its public key file", s.Minisign.KeyID))
	case len(s.Certificates) == 0 && s.Format == sigformat.Raw:
		return p.unchecked(artifactErrorf(ErrNoKey, nil, "no key to check the signature with: a raw signature names no signer"))
	case len(s.Certificates) == 0 && s.PublicKeyHint != "":
		return p.unchecked(artifactErrorf(ErrNoKey, nil, "no key to check the signature with: the bundle names a key (hint %q) and carries no certificate", s.PublicKeyHint))
	case len(s.Certificates) == 0:
		return p.unchecked(artifactErrorf(ErrNoKey, nil, "no key to check the signature with: the %s signature carries no certificate", s.Format))
	default:
		p.leaf, p.carried, p.key = s.Certificates[0], s.Certificates[1:], s.Certificates[0].PublicKey
	}
	p.res.Signer = signerOf(p.key, p.leaf)
	if want := s.KeyAlgorithm; want != x509.UnknownPublicKeyAlgorithm && want != keyAlgorithm(p.key) {
		return p.unchecked(artifactErrorf(sigformat.ErrMalformedSignature, nil,
			"the CMS signatureAlgorithm is for %v keys, but the signer's key is %s", want, p.res.Signer.KeyType))
	}
	_, isEd := p.key.(ed25519.PublicKey)
	if s.Minisign != nil {
		if !isEd {
			p.unchecked(artifactErrorf(ErrSignatureMismatch, nil, "a minisign signature is Ed25519, and the key given is %s", p.res.Signer.KeyType))
			p.res.Reason = ReasonSignatureMismatch
			return p
		}
		p.wholeFile, p.blake2b = true, s.Minisign.Algorithm == sigformat.MinisignAlgHashed
		return p
	}

	// Which hash, and how the signature is checked.
	h := s.Hash
	if s.Format != sigformat.CMS && h == 0 {
		h = v.opts.Hash.CryptoHash()
		if k, ok := p.key.(*ecdsa.PublicKey); ok && s.Format == sigformat.Bundle {
			// A bundle that names no hash (HASH_ALGORITHM_UNSPECIFIED, no messageDigest):
			// the hash the Sigstore algorithm registry pairs with the curve, as sigstore-go
			// checks it; -a is the hash of raw signatures.
			h = registryHash(k, h)
		}
	}
	if s.Format == sigformat.Raw {
		h = v.opts.Hash.CryptoHash()
	}
	p.sigParams = SignatureParams{Hash: h, PSS: v.opts.PSS}
	if s.Format == sigformat.CMS {
		p.sigParams.PSS = s.PSS
		if s.PSS {
			// The salt length the parameters name, exactly (0 is SaltLengthNone).
			p.sigParams.SaltLength = s.PSSSaltLength
			if s.PSSSaltLength == 0 {
				p.sigParams.SaltLength = SaltLengthNone
			}
		}
		p.signedAttrs = s.SignedData != nil
	}
	if isEd {
		p.sigParams.Hash = 0
	}
	switch {
	case p.signedAttrs:
		// The signature covers the attributes; the file is compared through its digest.
		alg, err := algorithmOf(h)
		if err != nil {
			return p.unchecked(err)
		}
		p.fileHash = alg
	case isEd:
		p.ed25519ph = s.Format == sigformat.Bundle && h == crypto.SHA512 && s.ContentDigest != nil
		// An Ed25519ph candidate is checked over its streamed SHA-512 digest first; the file is
		// read whole only if that fails and pure Ed25519 is tried (check), so a certificate
		// bundle's file of any size verifies, as sign makes them of any size.
		p.wholeFile = !p.ed25519ph
		if s.ContentDigest != nil {
			alg, err := algorithmOf(h)
			if err != nil {
				return p.unchecked(err)
			}
			p.fileHash = alg
		}
	default:
		alg, err := algorithmOf(h)
		if err != nil {
			return p.unchecked(err)
		}
		p.fileHash = alg
	}
	return p
}

// registryHash is the hash of the Sigstore algorithm registry's entry for an ECDSA key's
// curve (PKIX_ECDSA_P256_SHA_256, _P384_SHA_384, _P521_SHA_512), def for another curve.
func registryHash(k *ecdsa.PublicKey, def crypto.Hash) crypto.Hash {
	switch k.Curve {
	case elliptic.P256():
		return crypto.SHA256
	case elliptic.P384():
		return crypto.SHA384
	case elliptic.P521():
		return crypto.SHA512
	}
	return def
}

// algorithmOf returns the digest.Algorithm that computes h, refusing weak hashes.
func algorithmOf(h crypto.Hash) (digest.Algorithm, error) {
	if err := checkDigest(h, make([]byte, h.Size())); errors.Is(err, ErrWeakAlgorithm) {
		return 0, artifactErrorf(ErrWeakAlgorithm, err, "the signature's hash %v is refused as weak: collisions can be made, so a valid signature would not prove what was signed", h)
	} else if err != nil && !errors.Is(err, ErrUnchecked) {
		return 0, err
	}
	for _, a := range digest.Algorithms() {
		if a.CryptoHash() == h {
			return a, nil
		}
	}
	if h == 0 {
		return 0, artifactErrorf(ErrUnchecked, nil, "could not check: the signature names no hash")
	}
	return 0, fmt.Errorf("%w: files are not hashed with %v (signet hashes with %s)", x509util.ErrUnsupported, h, algorithmList())
}

func algorithmList() string {
	var names []string
	for _, a := range digest.Algorithms() {
		names = append(names, a.Name())
	}
	return strings.Join(names, ", ")
}

// keyAlgorithm is the x509 key type of pub, UnknownPublicKeyAlgorithm for another.
func keyAlgorithm(pub crypto.PublicKey) x509.PublicKeyAlgorithm {
	switch pub.(type) {
	case *rsa.PublicKey:
		return x509.RSA
	case *ecdsa.PublicKey:
		return x509.ECDSA
	case ed25519.PublicKey:
		return x509.Ed25519
	}
	return x509.UnknownPublicKeyAlgorithm
}

func signerOf(key crypto.PublicKey, leaf *x509.Certificate) *SignerReport {
	s := &SignerReport{Chain: []ChainCert{}}
	if info, err := x509util.Inspect(key); err == nil {
		s.KeyType, s.KeyFingerprint = string(info.Type), info.Fingerprint
	}
	if leaf != nil {
		s.Subject, s.SHA256 = Name(leaf), x509util.CertificateFingerprint(leaf)
	}
	return s
}
