package verify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/readlimit"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/x509util"
)

// Artifact verification: a file, a signature over it in one of the formats of package
// sigformat, and either the signer's bare public key or a certificate Policy. See
// VerifyArtifacts.

// ErrNoKey is returned when nothing says which key checks a signature: a raw signature (which
// names no certificate) or a bundle with only a key hint, and no ArtifactOptions.Key. It is a
// usage problem (exit 2): the caller must give the key.
var ErrNoKey = errors.New("verify: no key to check the signature with")

// ErrSignerNotFound is returned when a CMS signature's signer identifier (issuer and serial
// number, or subject key identifier) names none of the certificates the signature carries.
// The signer is then unknown: a carried certificate whose key verifies is not taken in its
// place. Give the signer's certificate with ArtifactOptions.Key to check the signature alone.
var ErrSignerNotFound = errors.New("verify: signer's certificate not found")

// ErrNoSignature is returned when no signature was named and none of the file's name with
// SignatureExtensions exists. It matches fs.ErrNotExist too.
var ErrNoSignature error = &subError{"verify: no signature found", fs.ErrNotExist}

// ErrMisnamedSignature is returned for a signature file whose name says bundle
// (.sigstore.json) or CMS (.p7s) and which holds another format. It matches
// sigformat.ErrMalformedSignature too.
var ErrMisnamedSignature error = &subError{"verify: signature format differs from its file name", sigformat.ErrMalformedSignature}

// subError is a sentinel that is a case of a more general one.
type subError struct {
	msg    string
	parent error
}

func (e *subError) Error() string { return e.msg }
func (e *subError) Unwrap() error { return e.parent }

// Check names of artifact verification, besides the chain checks of Verify.
const (
	// CheckDigest compares the file's digest with the one the signature records (CMS
	// messageDigest, the bundle's messageDigest); raw signatures record none.
	CheckDigest = "digest"
	// CheckSignature verifies the signature with the signer's key.
	CheckSignature = "signature"
	// CheckIdentity compares the signer's certificate with the identity required (subject,
	// email, URI and DNS subjectAltNames).
	CheckIdentity = "identity"
)

// Reasons an artifact fails besides the Reasons of Verify, as ArtifactResult.Reason spells
// them.
const (
	// ReasonDigestMismatch: the file's digest differs from the one the signature records
	// (the file changed, or the signature is another file's). Wraps ErrSignatureMismatch.
	ReasonDigestMismatch = "digest-mismatch"
	// ReasonSignatureMismatch: the signature does not verify with the signer's key. Wraps
	// ErrSignatureMismatch.
	ReasonSignatureMismatch = "signature-mismatch"
	// ReasonWeakAlgorithm: the signature uses a hash signet refuses (ErrWeakAlgorithm).
	ReasonWeakAlgorithm = "weak-algorithm"
	// ReasonSignerNotFound: the CMS signer identifier names a certificate the signature does
	// not carry (ErrSignerNotFound). Nothing was verified.
	ReasonSignerNotFound = "signer-not-found"
	// ReasonUnchecked: no verdict: the file or its signature could not be read, the
	// algorithm is not supported, no key was given (ErrNoKey).
	ReasonUnchecked = "unchecked"
)

// Identity is the signer a policy requires, compared with the leaf certificate. Empty fields
// require nothing; every field given must match.
type Identity struct {
	// Subject is a distinguished name as x509util.ParseDN reads it ("CN=Release Bot,O=Example"
	// or "/O=Example/CN=Release Bot"). It must equal the whole subject of the leaf: the same
	// RDNs in the same order, each attribute's value compared after trimming, collapsing
	// inner white space and folding case (the string type, PrintableString or UTF8String,
	// does not matter).
	Subject string `json:"subject"`
	// Email must equal an email subjectAltName: the local part exactly, the domain in any case.
	Email string `json:"email"`
	// URI must equal a URI subjectAltName, character for character.
	URI string `json:"uri"`
	// DNS must equal a DNS subjectAltName, in any case and without regard to a final dot;
	// wildcards in the certificate are not expanded (a signer is one name, not a host pattern).
	DNS string `json:"dns"`
}

func (id Identity) empty() bool { return id == Identity{} }

// ArtifactOptions say how signed artifacts are judged. With Key set the signature alone is
// checked; otherwise the signer's certificate must be acceptable under Policy.
type ArtifactOptions struct {
	// Key, if not nil, is the signer's public key: only the digest and the signature are
	// checked, never a certificate, a chain or a policy, and the certificates a signature
	// carries are ignored (as `openssl dgst -verify` and `cms -verify -noverify` with
	// -certfile would). Policy and Identity must then be zero.
	Key crypto.PublicKey
	// Policy judges the signer's certificate when Key is nil, with verify.Verify: the
	// certificates the signature carries after the signer's are untrusted intermediates.
	// Artifact signing wants EKUs codeSigning and KeyUsage digitalSignature: the caller
	// sets them (CodeSigningPolicy), nothing is implied. Policy.At is also the time at which
	// a signer's validity is judged: a signature's signing time (CMS signingTime) is the
	// signer's claim, not a trusted timestamp, and is only reported.
	Policy Policy
	// Identity is compared with the leaf certificate when Key is nil.
	Identity Identity
	// Hash is the hash of raw signatures, which name none, and of bundles that record no
	// digest; zero means SHA-256. Formats that name their hash use it and ignore this.
	Hash digest.Algorithm
	// PSS says raw and bundle RSA signatures are RSASSA-PSS (any salt length); false means
	// PKCS#1 v1.5. CMS says which it uses.
	PSS bool
	// Workers is the number of files hashed and signatures checked at once; zero means
	// runtime.GOMAXPROCS(0).
	Workers int
}

// CodeSigningPolicy returns p requiring what artifact signing needs: extended key usage
// codeSigning (unless p already names EKUs) asserted by the leaf itself (ExplicitEKU: a leaf
// without the extension or relying on anyExtendedKeyUsage does not qualify; only
// x509.ExtKeyUsageAny among the EKUs lifts the requirement), key usage digitalSignature, and a
// leaf that is not a CA certificate (LeafNotCA, whatever the EKUs).
func CodeSigningPolicy(p Policy) Policy {
	if len(p.EKUs) == 0 && len(p.UnknownEKUs) == 0 {
		p.EKUs = []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}
	}
	p.ExplicitEKU = true
	p.LeafNotCA = true
	p.KeyUsage |= x509.KeyUsageDigitalSignature
	return p
}

// SignatureExtensions are the suffixes LoadSignature tries after a file's name, in this order:
// the formats that carry the signer's certificate first, so that a release shipping several
// is verified against its chain.
var SignatureExtensions = []string{".sigstore.json", ".p7s", ".sig"}

// MaxSignatureSize bounds what LoadSignature reads: a bundle or CMS signature with its chain is
// a few kilobytes; a large file is a mistake (the artifact given as its own signature).
const MaxSignatureSize = 16 << 20

// MaxWholeFile bounds an artifact read whole into memory, which only Ed25519 signatures over
// the file itself (raw, bundle) need; it is the bound `signet sign` puts on the files it signs
// that way.
const MaxWholeFile = 1 << 30

// LoadSignature reads and parses the signature of file: sigPath, or when sigPath is empty the
// first of file+SignatureExtensions that exists. It returns the signature and its path. A
// signature is read up to MaxSignatureSize, from a file or a pipe (one without a writer reads
// as empty); a device is refused unread. The format comes from the content
// (sigformat.Parse); a file whose name says bundle (.sigstore.json) or CMS (.p7s) and
// which holds another format is refused (ErrMisnamedSignature), so that a raw signature is
// never taken where a bundle was meant. Errors wrap fs errors (ErrNoSignature when none was
// found; unreadable), sigformat.ErrMalformedSignature, or ErrUnchecked (and readlimit.ErrNotFile)
// when file is a directory or the signature a device or a socket.
func LoadSignature(file, sigPath string) (*sigformat.Signature, string, error) {
	if fi, err := os.Stat(file); err == nil && fi.IsDir() {
		notFile := readlimit.NotRegular(fi.Mode())
		return nil, "", artifactErrorf(ErrUnchecked, notFile, "%v", notFile)
	}
	if sigPath == "" {
		for _, ext := range SignatureExtensions {
			if _, err := os.Stat(file + ext); err == nil {
				sigPath = file + ext
				break
			}
		}
		if sigPath == "" {
			return nil, "", artifactErrorf(ErrNoSignature, nil, "no signature found for %s (looked for %s%s)", file, file,
				strings.Join(SignatureExtensions, ", "+file))
		}
	}
	data, err := readlimit.ReadFile(sigPath, MaxSignatureSize)
	switch {
	case errors.Is(err, readlimit.ErrTooLarge):
		return nil, sigPath, artifactErrorf(sigformat.ErrMalformedSignature, err, "%s %v: not a signature", sigPath, err)
	case errors.Is(err, readlimit.ErrNotFile):
		return nil, sigPath, artifactErrorf(ErrUnchecked, err, "%s %v", sigPath, err)
	case err != nil:
		return nil, sigPath, err // *fs.PathError: "open x.sig: no such file or directory"
	}
	s, err := sigformat.Parse(data)
	if err != nil {
		return nil, sigPath, fmt.Errorf("%s: %w", sigPath, err)
	}
	for _, want := range []sigformat.Format{sigformat.Bundle, sigformat.CMS} {
		if strings.HasSuffix(sigPath, want.Extension()) && s.Format != want {
			return nil, sigPath, artifactErrorf(ErrMisnamedSignature, nil, "%s is named as a %s signature but holds a %s one", sigPath, want, s.Format)
		}
	}
	return s, sigPath, nil
}

// Artifact is one signed file to check.
type Artifact struct {
	// Name is the file's path. It is read (streamed through the hash) unless Content is set.
	Name string
	// Content, if not nil, is the file's content, already read: Name only labels it.
	Content []byte
	// Signature is the parsed signature over the file. If nil, it is read with
	// LoadSignature(Name, SignatureName).
	Signature *sigformat.Signature
	// SignatureName is where the signature came from (for reports), or where to read it.
	SignatureName string
}

// ArtifactResult is everything the verification of one artifact found. Its JSON form is
// stable: fields are added, never renamed.
type ArtifactResult struct {
	File          string           `json:"file"`
	SignatureFile string           `json:"signature_file"`
	Format        sigformat.Format `json:"format"`
	// Valid is the verdict.
	Valid bool `json:"valid"`
	// Reason is "" when Valid, else one of the Reasons of Verify (expired, revoked, eku,
	// name-mismatch for an identity, ...) or ReasonDigestMismatch, ReasonSignatureMismatch,
	// ReasonWeakAlgorithm, ReasonUnchecked.
	Reason string `json:"reason"`
	// Error is the message of the first failure, without the package prefix; "" when Valid.
	Error string `json:"error"`
	// Digest is the file's digest, under the hash the signature uses; nil when the file could
	// not be read, or was signed whole (Ed25519) and the format records no digest.
	Digest *DigestReport `json:"digest"`
	// Signer is who signed, as far as it is known.
	Signer *SignerReport `json:"signer"`
	// Policy is the certificate policy applied; nil when a bare key was given.
	Policy *PolicyReport `json:"policy"`
	// Policies is the certificate policies the signer's chain is valid for (Result.Policies),
	// nil when no chain was validated.
	Policies []string `json:"policies"`
	// Rule is the id of the rule the first failed check broke, "" when none did or the
	// failure has no rule (a digest or signature mismatch).
	Rule string `json:"rule"`
	// Identity is the identity required (empty strings: none).
	Identity Identity `json:"identity"`
	// SigningTime is the time the signer claims (CMS signingTime), not a trusted timestamp.
	SigningTime *time.Time `json:"signing_time,omitempty"`
	// Checks are every check made, in order: digest, signature, then Verify's chain checks
	// (chain, validity, constraints, depth, key-usage, eku, name, revocation) and identity.
	// The first that failed gives Reason.
	Checks []Check `json:"checks"`
	// Chain is the certificate verdict of Verify, shared between the artifacts of one signer;
	// nil with a bare key or when nothing was checked.
	Chain *Result `json:"-"`

	err error
}

// DigestReport is a digest and its algorithm.
type DigestReport struct {
	Algorithm string `json:"algorithm"`
	Hex       string `json:"hex"`
}

// SignerReport says who signed.
type SignerReport struct {
	// KeyType is signet's name for the key type ("ec-p256", "rsa-3072", "ed25519").
	KeyType string `json:"key_type"`
	// KeyFingerprint is x509util.Fingerprint of the public key ("sha256:...").
	KeyFingerprint string `json:"key_fingerprint"`
	// Subject and SHA256 are the leaf certificate's, empty with a bare key.
	Subject string `json:"subject"`
	SHA256  string `json:"sha256"`
	// Chain runs from the leaf to the trust anchor (see Result.Chain); empty with a bare key.
	Chain []ChainCert `json:"chain"`
}

// Err is the verdict as an error: nil when Valid; else an error wrapping
// ErrSignatureMismatch, ErrWeakAlgorithm or ErrNoKey, an *Error (its Reason says which chain
// or identity rule failed), or the reason nothing could be checked (fs errors,
// x509util.ErrUnsupported, ErrUnchecked).
func (r *ArtifactResult) Err() error { return r.err }

// VerifyArtifact checks one artifact; see VerifyArtifacts.
func VerifyArtifact(ctx context.Context, a Artifact, opts ArtifactOptions) (*ArtifactResult, error) {
	var res *ArtifactResult
	err := VerifyArtifacts(ctx, []Artifact{a}, opts, func(r *ArtifactResult) error {
		res = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, res.Err()
}

// VerifyArtifacts checks each artifact and calls emit with its result, in the order given.
// An artifact without a parsed Signature has it read with LoadSignature (found beside the file
// unless SignatureName says where); a signature that cannot be found or parsed makes that
// artifact's result unchecked. Then, for each one, in this order:
//
//  1. digest: the file is hashed (streamed; files in parallel, with digest.HashFiles) with the
//     hash the signature uses, and compared with the digest the signature records (CMS
//     messageDigest, the bundle's messageDigest);
//  2. signature: verified with Signature, over the CMS signed attributes or over the file's
//     digest (the file itself for Ed25519, which is then read whole into memory), with
//     opts.Key, or else the key of the signer's certificate the signature carries;
//  3. without opts.Key: the signer's certificate under opts.Policy with Verify (each signer
//     and chain is verified once per call, however many artifacts it signed), then
//     opts.Identity.
//
// Every check runs even after one failed, so that a report is complete; the first failure
// is the verdict (ArtifactResult.Err). The returned error is for a run that could not go on:
// ctx cancelled, emit failed, or a policy that cannot be applied (ErrPolicy), reported before
// any file is read.
func VerifyArtifacts(ctx context.Context, arts []Artifact, opts ArtifactOptions, emit func(*ArtifactResult) error) error {
	v, err := newArtifactVerifier(opts)
	if err != nil {
		return err
	}
	plans := make([]*artifactPlan, len(arts))
	parallel(len(arts), v.workers, func(i int) { plans[i] = v.plan(arts[i]) })
	if err := v.hash(ctx, plans); err != nil {
		return err
	}
	parallel(len(plans), v.workers, func(i int) {
		if plans[i].res.err == nil {
			v.check(plans[i])
		}
	})
	for _, p := range plans {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := emit(p.res); err != nil {
			return err
		}
	}
	return nil
}

// parallel calls f(0) ... f(n-1) on at most workers goroutines.
func parallel(n, workers int, f func(int)) {
	if n == 1 || workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

type artifactVerifier struct {
	opts    ArtifactOptions
	workers int
	subject pkix.RDNSequence // parsed Identity.Subject

	mu     sync.Mutex
	chains map[string]*chainVerdict // by leaf and carried certificates
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
	sigParams   SignatureParams
	signedAttrs bool // CMS: the signature covers SignedData
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
	case len(s.Certificates) == 0 && s.Format == sigformat.Raw:
		return p.unchecked(artifactErrorf(ErrNoKey, nil, "no key to check the signature with: a raw signature names no signer"))
	case len(s.Certificates) == 0 && s.PublicKeyHint != "":
		return p.unchecked(artifactErrorf(ErrNoKey, nil, "no key to check the signature with: the bundle names a key (hint %q) and carries no certificate", s.PublicKeyHint))
	case len(s.Certificates) == 0:
		return p.unchecked(artifactErrorf(ErrNoKey, nil, "no key to check the signature with: the %s signature carries no certificate", s.Format))
	case s.Format == sigformat.CMS && !s.SignerIdentified:
		// The signer identifier names a certificate the signature does not carry. Another
		// carried certificate whose key happens to verify is not the signer it names.
		return p.unchecked(artifactErrorf(ErrSignerNotFound, nil,
			"the CMS signer identifier names none of the %d certificate(s) the signature carries", len(s.Certificates)))
	default:
		p.leaf, p.carried, p.key = s.Certificates[0], s.Certificates[1:], s.Certificates[0].PublicKey
	}
	p.res.Signer = signerOf(p.key, p.leaf)
	if want := s.KeyAlgorithm; want != x509.UnknownPublicKeyAlgorithm && want != keyAlgorithm(p.key) {
		return p.unchecked(artifactErrorf(sigformat.ErrMalformedSignature, nil,
			"the CMS signatureAlgorithm is for %v keys, but the signer's key is %s", want, p.res.Signer.KeyType))
	}
	_, isEd := p.key.(ed25519.PublicKey)

	// Which hash, and how the signature is checked.
	h := s.Hash
	if s.Format != sigformat.CMS && h == 0 {
		h = v.opts.Hash.CryptoHash()
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
		p.wholeFile = true
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
		s.Subject, s.SHA256 = Name(leaf), Fingerprint(leaf)
	}
	return s
}

// hash reads what each plan needs of its file: whole files for Ed25519, digests of the others
// with digest.HashFiles, one run per algorithm.
func (v *artifactVerifier) hash(ctx context.Context, plans []*artifactPlan) error {
	groups := map[digest.Algorithm][]*artifactPlan{}
	var order []digest.Algorithm
	for _, p := range plans {
		if p.res.err != nil {
			continue
		}
		if p.a.Content != nil || p.wholeFile {
			if err := v.readWhole(p); err != nil {
				p.unchecked(err)
			}
			continue
		}
		if _, ok := groups[p.fileHash]; !ok {
			order = append(order, p.fileHash)
		}
		groups[p.fileHash] = append(groups[p.fileHash], p)
	}
	for _, alg := range order {
		g := groups[alg]
		names := make([]string, len(g))
		for i, p := range g {
			names[i] = p.a.Name
			if names[i] == "-" {
				names[i] = "./-" // a file called "-", never standard input
			}
		}
		i := 0
		err := digest.HashFiles(ctx, names, digest.HashOptions{Algorithm: alg, Workers: v.workers}, func(r digest.FileResult) error {
			p := g[i]
			i++
			if r.Err != nil {
				p.unchecked(r.Err)
				return nil
			}
			p.digest = r.Digest
			p.res.Digest = &DigestReport{Algorithm: alg.Name(), Hex: r.Digest.String()}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (v *artifactVerifier) readWhole(p *artifactPlan) error {
	p.content = p.a.Content
	if p.content == nil {
		b, err := readlimit.ReadFile(p.a.Name, MaxWholeFile)
		if errors.Is(err, readlimit.ErrTooLarge) {
			return artifactErrorf(x509util.ErrUnsupported, err, "the file %v, which an Ed25519 signature over the whole file would hold in memory", err)
		}
		if err != nil {
			return err
		}
		p.content = b
	}
	if p.fileHash != 0 {
		h := p.fileHash.New()
		h.Write(p.content)
		p.digest = h.Sum(nil)
		p.res.Digest = &DigestReport{Algorithm: p.fileHash.Name(), Hex: p.digest.String()}
	}
	return nil
}

// check makes every check of one planned artifact whose file was read.
func (v *artifactVerifier) check(p *artifactPlan) {
	s, res := p.a.Signature, p.res
	var first error
	fail := func(check, reason string, err error) {
		res.Checks = append(res.Checks, Check{Check: check, Status: Fail, Detail: message(err)})
		if first == nil {
			first, res.Reason = err, reason
		}
	}

	// 1. The digest the signature records.
	switch {
	case s.ContentDigest == nil:
		res.Checks = append(res.Checks, Check{Check: CheckDigest, Status: Skip,
			Detail: fmt.Sprintf("the %s signature records no digest: the signature covers the file itself", s.Format)})
	case !bytes.Equal(p.digest, s.ContentDigest):
		fail(CheckDigest, ReasonDigestMismatch, artifactErrorf(ErrSignatureMismatch, nil,
			"the file's %s digest %s differs from the signed one %s: the file changed, or the signature is another file's",
			p.fileHash.Name(), short(p.digest), short(s.ContentDigest)))
	default:
		res.Checks = append(res.Checks, Check{Check: CheckDigest, Status: Pass,
			Detail: fmt.Sprintf("%s %s matches the digest the signature records", p.fileHash.Name(), short(p.digest))})
	}

	// 2. The signature.
	var data []byte
	switch {
	case p.signedAttrs && p.sigParams.Hash == 0:
		data = s.SignedData
	case p.signedAttrs:
		h := p.sigParams.Hash.New()
		h.Write(s.SignedData)
		data = h.Sum(nil)
	case p.sigParams.Hash == 0:
		data = p.content
	default:
		data = p.digest
	}
	sigErr := Signature(p.key, data, s.Raw, p.sigParams)
	what := v.signedWhat(p)
	switch {
	case sigErr == nil:
		res.Checks = append(res.Checks, Check{Check: CheckSignature, Status: Pass,
			Detail: fmt.Sprintf("%s over %s verified with %s", v.scheme(p), what, keyName(res.Signer))})
	case errors.Is(sigErr, ErrSignatureMismatch):
		why := "the file changed, the key is not the signer's, or the signature is another file's"
		if p.signedAttrs {
			why = "the signature is damaged or not the signer's"
		}
		// What did not match ("the ECDSA P-256 signature does not match", "an Ed25519
		// signature is 64 bytes, not 63"), from the typed error.
		detail := "the signature does not match"
		var me *SignatureMismatchError
		if errors.As(sigErr, &me) {
			detail = me.Detail
		}
		fail(CheckSignature, ReasonSignatureMismatch, artifactErrorf(ErrSignatureMismatch, sigErr,
			"the %s signature over %s does not verify with %s (%s): %s", v.scheme(p), what, keyName(res.Signer), why, detail))
	case errors.Is(sigErr, ErrWeakAlgorithm):
		fail(CheckSignature, ReasonWeakAlgorithm, sigErr)
	default:
		fail(CheckSignature, ReasonUnchecked, sigErr)
	}

	// 3. The certificate, its chain, and the identity.
	if v.opts.Key == nil && p.leaf != nil {
		cr, cerr := v.verifyChain(p.leaf, p.carried)
		res.Chain = cr
		switch {
		case cr == nil:
			fail(CheckChain, ReasonUnchecked, cerr)
		default:
			res.Checks = append(res.Checks, cr.Checks...)
			res.Signer.Chain = cr.Chain
			res.Policy = &cr.Policy
			res.Policies = cr.Policies
			var e *Error
			if errors.As(cerr, &e) && first == nil {
				first, res.Reason = e, string(e.Reason)
			}
		}
		v.checkIdentity(p, func(err *Error) {
			res.Checks = append(res.Checks, failCheck(CheckIdentity, err))
			if first == nil {
				first, res.Reason = err, string(err.Reason)
			}
		})
	}

	if first != nil {
		res.err = first
		res.Error = message(first)
		var ve *Error
		if errors.As(first, &ve) {
			res.Rule = ve.Rule
		}
		return
	}
	res.Valid = true
}

func (v *artifactVerifier) scheme(p *artifactPlan) string {
	switch p.key.(type) {
	case ed25519.PublicKey:
		return "Ed25519"
	case *rsa.PublicKey:
		if p.sigParams.PSS {
			return fmt.Sprintf("RSA-PSS %v", p.sigParams.Hash)
		}
		return fmt.Sprintf("RSA PKCS#1 v1.5 %v", p.sigParams.Hash)
	}
	return fmt.Sprintf("ECDSA %v", p.sigParams.Hash)
}

func (v *artifactVerifier) signedWhat(p *artifactPlan) string {
	switch {
	case p.signedAttrs:
		return "the CMS signed attributes"
	case p.sigParams.Hash == 0:
		return "the file"
	}
	return "the file's " + p.fileHash.Name() + " digest"
}

func keyName(s *SignerReport) string {
	switch {
	case s == nil:
		return "the signer's key"
	case s.Subject != "":
		return fmt.Sprintf("the key of %s", s.Subject)
	}
	return fmt.Sprintf("key %s", shortHex(s.KeyFingerprint))
}

func short(d []byte) string { return shortHex(hex.EncodeToString(d)) }

// shortHex abbreviates a hex digest for messages; reports carry it whole.
func shortHex(h string) string {
	n := 16 + len(h) - len(strings.TrimPrefix(h, "sha256:"))
	if len(h) > n {
		return h[:n] + "…"
	}
	return h
}

// verifyChain runs Verify once per distinct leaf and carried certificates.
func (v *artifactVerifier) verifyChain(leaf *x509.Certificate, carried []*x509.Certificate) (*Result, error) {
	var k strings.Builder
	k.WriteString(Fingerprint(leaf))
	for _, c := range carried {
		k.WriteString(Fingerprint(c))
	}
	v.mu.Lock()
	cv, ok := v.chains[k.String()]
	if !ok {
		cv = &chainVerdict{}
		v.chains[k.String()] = cv
	}
	v.mu.Unlock()
	cv.once.Do(func() { cv.res, cv.err = Verify(leaf, carried, v.opts.Policy) })
	return cv.res, cv.err
}

// checkIdentity compares the leaf with the identity required.
func (v *artifactVerifier) checkIdentity(p *artifactPlan, fail func(*Error)) {
	id, leaf, res := v.opts.Identity, p.leaf, p.res
	if id.empty() {
		res.Checks = append(res.Checks, Check{Check: CheckIdentity, Status: Skip, Subject: Name(leaf), Detail: "no identity required"})
		return
	}
	pass := func(format string, args ...any) {
		res.Checks = append(res.Checks, Check{Check: CheckIdentity, Status: Pass, Subject: Name(leaf), Detail: fmt.Sprintf(format, args...)})
	}
	if id.Subject != "" {
		if subjectEqual(v.subject, leaf.RawSubject) {
			pass("subject is %s", id.Subject)
		} else {
			fail(newError(NameMismatch, leaf, nil, "the signer is %s, not %s", Name(leaf), id.Subject))
		}
	}
	if m := id.Email; m != "" {
		if slices.ContainsFunc(leaf.EmailAddresses, func(a string) bool { return emailEqual(a, m) }) {
			pass("email %s matches", m)
		} else {
			fail(newError(NameMismatch, leaf, nil, "certificate %s is not for email %s (its email addresses: %s)", Name(leaf), m, listOrNone(leaf.EmailAddresses)))
		}
	}
	if u := id.URI; u != "" {
		var uris []string
		for _, x := range leaf.URIs {
			uris = append(uris, x.String())
		}
		if slices.Contains(uris, u) {
			pass("URI %s matches", u)
		} else {
			fail(newError(NameMismatch, leaf, nil, "certificate %s is not for URI %s (its URIs: %s)", Name(leaf), u, listOrNone(uris)))
		}
	}
	if d := id.DNS; d != "" {
		norm := func(s string) string { return strings.ToLower(strings.TrimSuffix(s, ".")) }
		if slices.ContainsFunc(leaf.DNSNames, func(n string) bool { return norm(n) == norm(d) }) {
			pass("DNS name %s matches", d)
		} else {
			fail(newError(NameMismatch, leaf, nil, "certificate %s is not for DNS name %s (its DNS names: %s)", Name(leaf), d, listOrNone(leaf.DNSNames)))
		}
	}
}

// subjectEqual compares a required DN with a certificate's DER subject: the same RDNs in the
// same order, each with the same attributes, values compared after normalisation.
func subjectEqual(want pkix.RDNSequence, rawSubject []byte) bool {
	var have pkix.RDNSequence
	if rest, err := asn1.Unmarshal(rawSubject, &have); err != nil || len(rest) > 0 {
		return false
	}
	if len(have) != len(want) {
		return false
	}
	for i := range have {
		if !slices.Equal(rdnKeys(have[i]), rdnKeys(want[i])) {
			return false
		}
	}
	return true
}

func rdnKeys(rdn pkix.RelativeDistinguishedNameSET) []string {
	keys := make([]string, len(rdn))
	for i, atv := range rdn {
		keys[i] = atv.Type.String() + "=" + strings.ToLower(strings.Join(strings.Fields(fmt.Sprint(atv.Value)), " "))
	}
	slices.Sort(keys)
	return keys
}
