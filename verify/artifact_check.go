package verify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/readlimit"
	"github.com/signet-pki/signet/x509util"
)

// hash reads what each plan needs of its file: digests with digest.HashFiles, one run per
// algorithm; and for a signature over the whole file (Ed25519), the file itself, which is
// checked at once and dropped: the bytes held at once are one file per worker, however many
// files there are (issue 15: 1,000 Ed25519 files were all held until all were checked).
func (v *artifactVerifier) hash(ctx context.Context, plans []*artifactPlan) error {
	groups := map[digest.Algorithm][]*artifactPlan{}
	var order []digest.Algorithm
	var whole []*artifactPlan
	for _, p := range plans {
		if p.res.err != nil {
			continue
		}
		if p.a.Content != nil || p.wholeFile {
			whole = append(whole, p)
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
	parallel(len(whole), v.workers, func(i int) {
		p := whole[i]
		if ctx.Err() != nil {
			return
		}
		if err := v.readWhole(p); err != nil {
			p.unchecked(err)
			return
		}
		v.check(p)
		p.checked = true
		if p.a.Content == nil {
			v.held(-int64(len(p.content)))
		}
		p.content = nil
	})
	return ctx.Err()
}

// held counts the bytes of files read whole that are in memory (testHookHeld sees it).
func (v *artifactVerifier) held(delta int64) {
	n := v.heldBytes.Add(delta)
	if testHookHeld != nil && delta > 0 {
		testHookHeld(n)
	}
}

// testHookHeld, when set by a test, is called with the bytes of files read whole held at once,
// each time a file is read.
var testHookHeld func(int64)

// signedData is what the signature of p covers: the CMS signed attributes (or their digest),
// the file itself (Ed25519), or the file's digest.
func (v *artifactVerifier) signedData(p *artifactPlan) []byte {
	s := p.a.Signature
	switch {
	case p.signedAttrs && p.sigParams.Hash == 0:
		return s.SignedData
	case p.signedAttrs:
		h := p.sigParams.Hash.New()
		h.Write(s.SignedData)
		return h.Sum(nil)
	case p.sigParams.Hash == 0:
		return p.content
	default:
		return p.digest
	}
}

// pureEd25519Content reads the file of an Ed25519ph candidate whose digest did not verify as
// Ed25519ph, for the pure Ed25519 check over the whole file (up to MaxWholeFile). The file
// must still have the digest it was checked with.
func (v *artifactVerifier) pureEd25519Content(p *artifactPlan) error {
	if !p.ed25519ph || p.content != nil || p.a.Content != nil {
		return nil
	}
	streamed := p.digest
	if !bytes.Equal(streamed, p.a.Signature.ContentDigest) {
		// The recorded digest is another file's: the digest check has failed already, and
		// the file need not be read to say the signature is not over it.
		return artifactErrorf(ErrSignatureMismatch, nil, "the signature is not over this file (its digest differs)")
	}
	if err := v.readWhole(p); err != nil {
		if errors.Is(err, readlimit.ErrTooLarge) {
			// Not Ed25519ph, and too large to try as pure Ed25519: as the signature does not
			// verify either way, it is a mismatch, as it is for a smaller file.
			return artifactErrorf(ErrSignatureMismatch, err, "the Ed25519 signature does not verify as Ed25519ph over the file's sha512 digest, and the file is too large to try pure Ed25519 over it (%v)", err)
		}
		return err
	}
	p.readLate = true
	if !bytes.Equal(streamed, p.digest) {
		return artifactErrorf(ErrSignatureMismatch, nil, "the file changed while it was verified")
	}
	return nil
}

// dropContent lets go of a file pureEd25519Content read.
func (v *artifactVerifier) dropContent(p *artifactPlan) {
	if p.readLate {
		v.held(-int64(len(p.content)))
		p.content, p.readLate = nil, false
	}
}

// wholeFileCap is MaxWholeFile; tests lower it.
var wholeFileCap int64 = MaxWholeFile

func (v *artifactVerifier) readWhole(p *artifactPlan) error {
	if p.blake2b {
		return v.readBLAKE2b(p)
	}
	p.content = p.a.Content
	if p.content == nil {
		b, err := readlimit.ReadFile(p.a.Name, wholeFileCap)
		if errors.Is(err, readlimit.ErrTooLarge) {
			return artifactErrorf(x509util.ErrUnsupported, err, "the file %v, which an Ed25519 signature over the whole file would hold in memory", err)
		}
		if err != nil {
			return err
		}
		p.content = b
		v.held(int64(len(b)))
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

	if s.Minisign != nil {
		v.checkMinisign(p, fail)
	} else {
		v.checkSignature(p, fail)
	}

	// 3. The timestamps, which say when the chain is validated.
	genTime, tsErr := v.checkTimestamps(p)
	if tsErr != nil && first == nil {
		first, res.Reason = tsErr, ReasonTimestampInvalid
		if len(s.Timestamps) == 0 {
			res.Reason = ReasonTimestampMissing
		}
	}

	// 4. The certificate, its chain, and the identity.
	if v.opts.Key == nil && p.leaf != nil {
		cr, cerr := v.verifyChain(p.leaf, p.carried, genTime)
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
		if cerr == nil && cr != nil {
			if e := v.trustedRootPath(cr, genTime); e != nil {
				res.Checks = append(res.Checks, failCheck(CheckChain, e))
				if first == nil {
					first, res.Reason = e, string(e.Reason)
				}
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

// checkSignature is the digest and signature checks (1 and 2) of every format but minisign.
func (v *artifactVerifier) checkSignature(p *artifactPlan, fail func(check, reason string, err error)) {
	s, res := p.a.Signature, p.res
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
	var sigErr error
	if p.ed25519ph && ed25519phValid(p.key, p.digest, s.Raw) {
		p.phVerified = true
	} else {
		sigErr = v.pureEd25519Content(p)
		if sigErr == nil {
			sigErr = Signature(p.key, v.signedData(p), s.Raw, p.sigParams)
		}
		v.dropContent(p)
	}
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

}

// ed25519phValid reports whether sig is an Ed25519ph signature (RFC 8032 §5.1, SHA-512
// prehash, empty context) by pub over the SHA-512 digest d.
func ed25519phValid(pub crypto.PublicKey, d, sig []byte) bool {
	k, ok := pub.(ed25519.PublicKey)
	if !ok || len(k) != ed25519.PublicKeySize || len(d) != sha512.Size {
		return false
	}
	return ed25519.VerifyWithOptions(k, d, sig, &ed25519.Options{Hash: crypto.SHA512}) == nil
}

func (v *artifactVerifier) scheme(p *artifactPlan) string {
	switch p.key.(type) {
	case ed25519.PublicKey:
		if p.phVerified {
			return "Ed25519ph"
		}
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
	case p.phVerified:
		return "the file's sha512 digest"
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

// verifyChain runs Verify once per distinct leaf, carried certificates and signing time
// (a timestamp's genTime, or zero for none).
func (v *artifactVerifier) verifyChain(leaf *x509.Certificate, carried []*x509.Certificate, signedAt time.Time) (*Result, error) {
	var k strings.Builder
	k.WriteString(signedAt.Format(time.RFC3339Nano))
	k.WriteString(x509util.CertificateFingerprint(leaf))
	for _, c := range carried {
		k.WriteString(x509util.CertificateFingerprint(c))
	}
	v.mu.Lock()
	cv, ok := v.chains[k.String()]
	if !ok {
		cv = &chainVerdict{}
		v.chains[k.String()] = cv
	}
	v.mu.Unlock()
	cv.once.Do(func() {
		p := v.opts.Policy
		if !signedAt.IsZero() {
			p.RevocationAt = p.At
			if p.RevocationAt.IsZero() {
				p.RevocationAt = time.Now()
			}
			p.At, p.SignedAt = signedAt, signedAt
		}
		cv.res, cv.err = Verify(leaf, carried, p)
	})
	return cv.res, cv.err
}
