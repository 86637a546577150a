package verify

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/readlimit"
	"github.com/signet-pki/signet/sigformat"
)

// Artifact verification: a file, a signature over it in one of the formats of package
// sigformat, and either the signer's bare public key or a certificate Policy. See
// VerifyArtifacts.

// ErrNoKey is returned when nothing says which key checks a signature: a raw signature (which
// names no certificate) or a bundle with only a key hint, and no ArtifactOptions.Key. It is a
// usage problem (exit 2): the caller must give the key.
var ErrNoKey = errors.New("verify: no key to check the signature with")

// ErrSignerNotFound is returned when a CMS signature's signer identifier (issuer and serial
// number, or subject key identifier) names none of the certificates the signature carries
// (it may carry none: `openssl cms -sign -nocerts`) nor any of Policy.Intermediates. The
// signer is then unknown: a certificate whose key verifies is not taken in its place. Give
// the signer's certificate among Policy.Intermediates to check it under the policy, or as
// ArtifactOptions.Key to check the signature alone.
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
	// CheckKeyID compares a minisign signature's key id with the key's.
	CheckKeyID = "key-id"
	// CheckTrustedComment verifies a minisign signature's global signature, over the
	// signature and its trusted comment.
	CheckTrustedComment = "trusted-comment"
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

// ArtifactOptions say how signed artifacts are judged. With Key set the signature alone is
// checked; otherwise the signer's certificate must be acceptable under Policy.
type ArtifactOptions struct {
	// Key, if not nil, is the signer's public key: only the digest and the signature are
	// checked, never a certificate, a chain or a policy, and the certificates a signature
	// carries are ignored (as `openssl dgst -verify` and `cms -verify -noverify` with
	// -certfile would). Identity must then be zero, and so must every field of Policy
	// that judges the signer's certificate (Roots, SystemRoots, the usages, names, Profile,
	// certificate policies, OCSPAboutChain, SignedAt) and TrustedCAs: they are refused
	// (ErrPolicy) rather than ignored, for a key given beside roots would leave the chain
	// the caller asked for unchecked. Policy's At, Intermediates, CRLs, OCSP, RequireCRL,
	// MaxDepth and RevocationAt still serve the timestamps' TSA chains (TSARoots).
	Key crypto.PublicKey
	// Policy judges the signer's certificate when Key is nil, with verify.Verify: the
	// certificates the signature carries after the signer's are untrusted intermediates. A
	// CMS signature that does not carry its signer's certificate takes it from
	// Policy.Intermediates, the one its signer identifier names (as `openssl cms -verify
	// -certfile` does).
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
	// MinisignKeyID is the key id of Key as its minisign public key file gives it, which a
	// minisign signature must name; nil means the id signet derives from Key
	// (sigformat.MinisignKeyIDOf). A minisign signature needs Key: it carries no certificate.
	MinisignKeyID *sigformat.MinisignKeyID
	// PSS says raw and bundle RSA signatures are RSASSA-PSS (any salt length); false means
	// PKCS#1 v1.5. CMS says which it uses.
	PSS bool
	// Workers is the number of files hashed and signatures checked at once; zero means
	// runtime.GOMAXPROCS(0).
	Workers int
	// TSARoots are the trust anchors of the RFC 3161 timestamps a signature carries (CMS
	// unsigned attribute, bundle rfc3161Timestamps, FILE.sig.tsr beside a raw signature).
	// Nil: timestamps are not checked (CheckTimestamp is skipped, or fails under
	// RequireTimestamp) and do not date the signature; the signer's roots are never TSA
	// anchors by default. The TSA's chain is completed by the certificates the token
	// carries and Policy.Intermediates, and checked against Policy.CRLs and Policy.OCSP. Every timestamp is checked (CheckTimestamp): the token's
	// signature and ESS signing-certificate attribute, its TSA's certificate (critical
	// extended key usage timeStamping alone, RFC 3161 2.3) and chain to these roots at the
	// token's genTime, and the message imprint against the signature value. When one holds,
	// the signer's chain is validated at the earliest genTime (plus its accuracy) of those
	// that hold, never after the verification time, instead of Policy.At (Policy.SignedAt
	// and Policy.RevocationAt are set: CRLs must be current at Policy.At, and a revocation
	// after genTime that is not a compromise does not fail the signature). A timestamp that
	// does not hold fails the artifact (ReasonTimestampInvalid).
	TSARoots []*x509.Certificate
	// RequireTimestamp fails a signature without a timestamp (ReasonTimestampMissing).
	RequireTimestamp bool
	// TrustedCAs are the certificate authorities of Sigstore trusted roots whose certificates
	// are among Policy.Roots and Policy.Intermediates. A chain whose trust anchor ends one of
	// them is accepted only when all its CA certificates are in the certChain of one
	// authority valid (validFor) at the signing time: a timestamp's genTime, else Policy.At or
	// now. So a retired authority's intermediate, carried by the signature, cannot chain to a
	// root that a current authority shares (rule sigstore.trusted-root-path).
	TrustedCAs []TrustedCA
	// TrustedTSAs are the timestamp authorities of Sigstore trusted roots whose certificates
	// are among TSARoots and Policy.Intermediates. A TSA chain whose trust anchor ends one of
	// them is accepted only when it is the chain of one authority valid (validFor) at the
	// token's genTime: its CA certificates all in that authority's certChain and, when the
	// certChain starts with the TSA's own certificate, that certificate the token's signer,
	// as sigstore-go checks it. So another TSA under the same root, which the trusted root
	// does not list, cannot date a signature (rule sigstore.trusted-root-tsa).
	TrustedTSAs []TrustedCA
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

// SignatureExtensions returns the suffixes LoadSignature tries after a file's name, in this
// order: the formats that carry the signer's certificate first, so that a release shipping
// several is verified against its chain. The list is a copy.
func SignatureExtensions() []string { return slices.Clone(signatureExtensions) }

var signatureExtensions = []string{".sigstore.json", ".p7s", ".minisig", ".sig"}

// DefaultSignature is the signature LoadSignature reads for file when none is named: the
// first of FILE.sigstore.json, FILE.p7s, FILE.minisig and FILE.sig that exists, or "".
func DefaultSignature(file string) string {
	for _, ext := range signatureExtensions {
		if _, err := os.Stat(file + ext); err == nil {
			return file + ext
		}
	}
	return ""
}

// MaxSignatureSize bounds what LoadSignature reads: a bundle or CMS signature with its chain is
// a few kilobytes; a large file is a mistake (the artifact given as its own signature).
const MaxSignatureSize = 16 << 20

// MaxWholeFile bounds an artifact read whole into memory, which only Ed25519 signatures over
// the file itself (raw, bundle) need; it is the bound `signet sign` puts on the files it signs
// that way.
const MaxWholeFile = 1 << 30

// LoadSignature reads and parses the signature of file: sigPath, or when sigPath is empty the
// first of file+SignatureExtensions() that exists. It returns the signature and its path. A
// signature is read up to MaxSignatureSize, from a file or a pipe (one without a writer reads
// as empty); a device is refused unread. The format comes from the content
// (sigformat.Parse); a file whose name says bundle (.sigstore.json), CMS (.p7s) or minisign (.minisig) and
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
		sigPath = DefaultSignature(file)
		if sigPath == "" {
			return nil, "", artifactErrorf(ErrNoSignature, nil, "no signature found for %s (looked for %s%s)", file, file,
				strings.Join(signatureExtensions, ", "+file))
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
	for _, want := range []sigformat.Format{sigformat.Bundle, sigformat.CMS, sigformat.Minisign} {
		if strings.HasSuffix(sigPath, want.Extension()) && s.Format != want {
			return nil, sigPath, artifactErrorf(ErrMisnamedSignature, nil, "%s is named as a %s signature but holds a %s one", sigPath, want, s.Format)
		}
	}
	if s.Format == sigformat.Raw {
		// A raw signature's timestamp token is kept beside it (signet sign --tsa).
		tsr, err := loadTimestampFile(sigPath)
		if err != nil {
			return nil, sigPath, err
		}
		if tsr != nil {
			s.Timestamps = append(s.Timestamps, tsr)
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
	// TrustedComment is a minisign signature's trusted comment, set only when the signature
	// and the global signature over the comment verified.
	TrustedComment string `json:"trusted_comment,omitempty"`
	// SigningTime is the time the signer claims (CMS signingTime), not a trusted timestamp.
	SigningTime *time.Time `json:"signing_time,omitempty"`
	// Timestamps are the RFC 3161 timestamps of the signature, each with its verdict; nil
	// when it has none.
	Timestamps []TimestampReport `json:"timestamps,omitempty"`
	// Checks are every check made, in order: digest, signature, timestamp (when the signature
	// has timestamps or one is required), then Verify's chain checks
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
//     digest (the file itself for Ed25519, which is then read whole into memory: one file
//     per worker at a time, each dropped once checked), with
//     opts.Key, or else the key of the signer's certificate the signature carries;
//  3. without opts.Key: the signer's certificate under opts.Policy with Verify (each signer
//     and chain is verified once per call, however many artifacts it signed), then
//     opts.Identity.
//
// Every check runs even after one failed, so that a report is complete; the first failure
// is the verdict (ArtifactResult.Err). The returned error is for a run that could not go on:
// ctx cancelled, emit failed, or a policy that cannot be applied (ErrPolicy), reported before
// any file is read; a nil ctx or emit (or, to VerifyArtifactsFrom, arts) is ErrUnchecked.
func VerifyArtifacts(ctx context.Context, arts []Artifact, opts ArtifactOptions, emit func(*ArtifactResult) error) error {
	return VerifyArtifactsFrom(ctx, func(yield func(Artifact, error) bool) {
		for _, a := range arts {
			if !yield(a, nil) {
				return
			}
		}
	}, opts, emit)
}

// VerifyArtifactsFrom is VerifyArtifacts over artifacts as they come (a list of a million
// files read as it is verified, issue 15): it takes artifactBatch of them at a time, and
// holds none once its result is emitted. The first error arts yields ends the run: the
// results before it are emitted, and it is the error returned.
func VerifyArtifactsFrom(ctx context.Context, arts iter.Seq2[Artifact, error], opts ArtifactOptions, emit func(*ArtifactResult) error) error {
	switch {
	case ctx == nil:
		return fmt.Errorf("%w: no context", ErrUnchecked)
	case arts == nil:
		return fmt.Errorf("%w: no artifacts", ErrUnchecked)
	case emit == nil:
		return fmt.Errorf("%w: no function to emit the results", ErrUnchecked)
	}
	v, err := newArtifactVerifier(opts)
	if err != nil {
		return err
	}
	next, stop := iter.Pull2(arts)
	defer stop()
	batch := make([]Artifact, 0, artifactBatch)
	// A batch at a time: what a plan holds (the parsed signature, its certificates) is
	// dropped once its result is emitted, so memory does not grow with the number of files.
	for {
		batch = batch[:0]
		var listErr error
		for len(batch) < artifactBatch {
			a, err, ok := next()
			if !ok {
				break
			}
			if err != nil {
				listErr = err
				break
			}
			batch = append(batch, a)
		}
		if len(batch) == 0 {
			return listErr
		}
		if err := v.verifyBatch(ctx, batch, emit); err != nil {
			return err
		}
		if listErr != nil {
			return listErr
		}
	}
}

// verifyBatch checks a batch of artifacts and emits their results, in order.
func (v *artifactVerifier) verifyBatch(ctx context.Context, batch []Artifact, emit func(*ArtifactResult) error) error {
	plans := make([]*artifactPlan, len(batch))
	parallel(len(batch), v.workers, func(i int) { plans[i] = v.plan(batch[i]) })
	if err := v.hash(ctx, plans); err != nil {
		return err
	}
	parallel(len(plans), v.workers, func(i int) {
		if p := plans[i]; p.res.err == nil && !p.checked {
			v.check(p)
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

// artifactBatch is how many artifacts VerifyArtifacts plans, hashes and checks at a time.
const artifactBatch = 256

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
