package verify

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/x509util"
)

// Path building (RFC 4158 in spirit, RFC 5280 6 for what a path is). Issuers are found by
// name, compared as RFC 5280 7.1 says; the authority and subject key identifiers only order
// the candidates. Every complete path is validated in full; a path that fails sends the
// builder back to try the next candidate (cross-signed and rolled-over CAs), until one is
// valid or the work budget is spent. The first trusted certificate reached ends a path: a
// trust anchor is never looked past.

const (
	// maxPathLen is the most certificates in a path, the trust anchor included.
	maxPathLen = 16
	// maxSignatureChecks bounds the public-key operations one Verify spends building paths.
	maxSignatureChecks = 1000
	// maxPathsValidated bounds the complete paths validated before giving up.
	maxPathsValidated = 64
	// maxCandidates bounds the issuer candidates considered, whatever their signatures.
	maxCandidates = 20000
)

type builder struct {
	v          *verifier
	leaf       *certInfo
	sigChecks  int
	candidates int
	validated  int
	best       *evaluation
	valid      *evaluation
	longest    []*certInfo // the longest path that reached no trust anchor
	deadEnd    string      // why longest stops where it does
	deadRule   string      // the rule that names it: signet.no-path, or signet.unsupported-algorithm
	exhausted  string      // which budget ran out, "" if none
}

// build returns the first valid path's evaluation, or the best failing one.
func (v *verifier) build(leaf *certInfo) *evaluation {
	b := &builder{v: v, leaf: leaf}
	for _, r := range v.roots {
		if bytes.Equal(r.c.Raw, leaf.c.Raw) {
			return v.evaluate([]*certInfo{r}, true, "", "")
		}
	}
	b.extend([]*certInfo{leaf})
	switch {
	case b.valid != nil:
		return b.valid
	case b.best != nil:
		if b.exhausted != "" {
			b.best.checks = append(b.best.checks, Check{Check: CheckChain, Status: Skip,
				Detail: "path building stopped early: " + b.exhausted + "; other paths were not tried"})
		}
		return b.best
	}
	path := b.longest
	if path == nil {
		path = []*certInfo{leaf}
	}
	dead := b.deadEnd
	if b.exhausted != "" {
		dead = "path building gave up: " + b.exhausted
	}
	return v.evaluate(path, false, dead, b.deadRule)
}

func (b *builder) budgetLeft() bool {
	switch {
	case b.sigChecks >= maxSignatureChecks:
		b.exhausted = fmt.Sprintf("%d signature checks made", b.sigChecks)
	case b.validated >= maxPathsValidated:
		b.exhausted = fmt.Sprintf("%d candidate paths validated", b.validated)
	case b.candidates >= maxCandidates:
		b.exhausted = fmt.Sprintf("%d candidate issuers considered", b.candidates)
	default:
		return true
	}
	return false
}

// onPath reports whether c, or a certificate with its subject and key, is already in path:
// such a path would loop (RFC 4158 2.4.2).
func onPath(path []*certInfo, c *certInfo) bool {
	for _, p := range path {
		if bytes.Equal(p.c.Raw, c.c.Raw) || (p.subjectKey == c.subjectKey && sameKey(p.c, c.c)) {
			return true
		}
	}
	return false
}

// candidates returns the possible issuers of c: trust anchors before intermediates, and
// within each those whose subject key identifier matches c's authority key identifier first.
func (b *builder) issuers(c *certInfo) []*certInfo {
	all := b.v.byName[c.issuerKey]
	if len(all) < 2 {
		return all
	}
	out := slices.Clone(all)
	aki := c.c.AuthorityKeyId
	rank := func(x *certInfo) int {
		r := 0
		if !x.anchor {
			r += 2
		}
		if len(aki) > 0 && !bytes.Equal(x.c.SubjectKeyId, aki) {
			r++
		}
		return r
	}
	slices.SortStableFunc(out, func(x, y *certInfo) int { return rank(x) - rank(y) })
	return out
}

// extend tries every issuer of the last certificate of path. It returns true when a valid
// path was found or the budget is spent.
func (b *builder) extend(path []*certInfo) bool {
	c := path[len(path)-1]
	var impostor *certInfo
	var impostorErr error
	extended := false
	if len(path) < maxPathLen {
		for _, cand := range b.issuers(c) {
			if !b.budgetLeft() {
				return true
			}
			b.candidates++
			if onPath(path, cand) {
				continue
			}
			b.sigChecks++
			if err := b.v.signed(c, cand); err != nil {
				if impostor == nil || cand.anchor && !impostor.anchor {
					impostor, impostorErr = cand, err
				}
				continue
			}
			extended = true
			next := append(slices.Clone(path), cand)
			if cand.anchor {
				b.validated++
				e := b.v.evaluate(next, true, "", "")
				if e.failures() == 0 {
					b.valid = e
					return true
				}
				if b.best == nil || e.failures() < b.best.failures() {
					b.best = e
				}
				continue
			}
			if b.extend(next) {
				return true
			}
		}
	}
	if extended || len(path) < len(b.longest) {
		return false
	}
	b.longest = path
	b.deadRule = "signet.no-path"
	switch {
	case len(path) >= maxPathLen:
		b.deadEnd = fmt.Sprintf("no trust anchor within %d certificates of the leaf", maxPathLen)
	case c.selfIssued && b.v.signed(c, c) == nil:
		b.deadEnd = fmt.Sprintf("%s is self-signed and not among the trusted roots", Name(c.c))
	case impostor != nil && (impostor.c.PublicKey == nil || errors.Is(impostorErr, x509.ErrUnsupportedAlgorithm)):
		b.deadEnd = fmt.Sprintf("the signature of %s (%s) by %s (%s key) cannot be checked: signet does not support that algorithm",
			Name(c.c), sigAlgName(c.c), Name(impostor.c), keyAlgName(impostor.c))
		b.deadRule = "signet.unsupported-algorithm"
	case impostor != nil:
		where := "the intermediates"
		if impostor.anchor {
			where = "the roots"
		}
		b.deadEnd = fmt.Sprintf("%s names %s as its issuer, but the certificate of that name in %s (sha256:%s) did not sign it: same name, another key",
			Name(c.c), rawNameString(c.c.RawIssuer), where, x509util.CertificateFingerprint(impostor.c)[:16])
	default:
		b.deadEnd = fmt.Sprintf("the issuer of %s, %s, is neither among the trusted roots nor among the intermediates",
			Name(c.c), rawNameString(c.c.RawIssuer))
	}
	return false
}

// algNames names the algorithms crypto/x509 does not know that a chain may use: the ML-DSA
// parameter sets of RFC 9881 (one OID for the key and the signature).
var algNames = map[string]string{
	"2.16.840.1.101.3.4.3.17": "ML-DSA-44",
	"2.16.840.1.101.3.4.3.18": "ML-DSA-65",
	"2.16.840.1.101.3.4.3.19": "ML-DSA-87",
}

func oidName(o asn1.ObjectIdentifier) string {
	if n, ok := algNames[o.String()]; ok {
		return n
	}
	return "OID " + o.String()
}

// sigAlgName names a certificate's signature algorithm, by OID when crypto/x509 does not know
// it.
func sigAlgName(c *x509.Certificate) string {
	if c.SignatureAlgorithm != x509.UnknownSignatureAlgorithm {
		return c.SignatureAlgorithm.String()
	}
	s := cryptobyte.String(c.Raw)
	var cert cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&cert, cbasn1.SEQUENCE) || !cert.SkipASN1(cbasn1.SEQUENCE) ||
		!cert.ReadASN1(&s, cbasn1.SEQUENCE) || !s.ReadASN1ObjectIdentifier(&oid) {
		return "an unreadable algorithm"
	}
	return oidName(oid)
}

// keyAlgName names a certificate's public key algorithm, by OID when crypto/x509 does not know
// it.
func keyAlgName(c *x509.Certificate) string {
	if c.PublicKeyAlgorithm != x509.UnknownPublicKeyAlgorithm {
		return c.PublicKeyAlgorithm.String()
	}
	s := cryptobyte.String(c.RawSubjectPublicKeyInfo)
	var spki, algo cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&spki, cbasn1.SEQUENCE) || !spki.ReadASN1(&algo, cbasn1.SEQUENCE) || !algo.ReadASN1ObjectIdentifier(&oid) {
		return "an unreadable"
	}
	return oidName(oid)
}
