package verify

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"sort"
)

// Path building for diagnosis. crypto/x509 decides whether a chain is valid; when it says no,
// it does not say which chain it tried or, for an untrusted issuer, why (UnknownAuthorityError
// keeps its hint unexported). This builder links certificates by name and signature alone,
// ignoring dates and CA flags, so that Verify can show the chain and name the rule that broke
// it: the expired intermediate, the CA without keyCertSign, the root with the right name and
// another key.

const (
	maxPathCerts     = 12  // longer paths are not explored
	maxPathSigChecks = 200 // as crypto/x509, bound the work an adversarial pool can cause
	maxPaths         = 16
)

type pathBuilder struct {
	roots, inters []*x509.Certificate
	sigChecks     int
	complete      [][]*x509.Certificate
	longest       []*x509.Certificate // the longest path that reached no trust anchor
	deadEnd       string              // why longest stops where it does
}

// buildPaths returns the paths from leaf to a certificate of roots (shortest first), or when
// there is none the longest path found and why it could not be extended.
func buildPaths(leaf *x509.Certificate, roots, inters []*x509.Certificate) (complete [][]*x509.Certificate, longest []*x509.Certificate, deadEnd string) {
	b := &pathBuilder{roots: roots, inters: inters}
	for _, r := range roots {
		if bytes.Equal(r.Raw, leaf.Raw) {
			return [][]*x509.Certificate{{leaf}}, nil, ""
		}
	}
	b.extend([]*x509.Certificate{leaf})
	sort.SliceStable(b.complete, func(i, j int) bool { return len(b.complete[i]) < len(b.complete[j]) })
	return b.complete, b.longest, b.deadEnd
}

func (b *pathBuilder) signed(child, parent *x509.Certificate) bool {
	b.sigChecks++
	if b.sigChecks > maxPathSigChecks || parent.PublicKey == nil {
		return false
	}
	return parent.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature) == nil
}

func (b *pathBuilder) extend(path []*x509.Certificate) {
	c := path[len(path)-1]
	var impostor *x509.Certificate
	var impostorIsRoot, extended bool
	if len(path) < maxPathCerts {
		for _, pool := range []struct {
			certs []*x509.Certificate
			root  bool
		}{{b.roots, true}, {b.inters, false}} {
			for _, cand := range pool.certs {
				if len(b.complete) >= maxPaths || !bytes.Equal(cand.RawSubject, c.RawIssuer) || inPath(path, cand) {
					continue
				}
				if !b.signed(c, cand) {
					if impostor == nil || pool.root && !impostorIsRoot {
						impostor, impostorIsRoot = cand, pool.root
					}
					continue
				}
				extended = true
				next := append(append([]*x509.Certificate{}, path...), cand)
				if pool.root {
					b.complete = append(b.complete, next)
				} else {
					b.extend(next)
				}
			}
		}
	}
	if extended || len(path) < len(b.longest) {
		return
	}
	b.longest = path
	switch {
	case len(path) >= maxPathCerts:
		b.deadEnd = fmt.Sprintf("no trust anchor within %d certificates of the leaf", maxPathCerts)
	case bytes.Equal(c.RawIssuer, c.RawSubject) && b.signed(c, c):
		b.deadEnd = fmt.Sprintf("%s is self-signed and not among the trusted roots", Name(c))
	case impostor != nil:
		where := "the intermediates"
		if impostorIsRoot {
			where = "the roots"
		}
		b.deadEnd = fmt.Sprintf("%s names %s as its issuer, but the certificate of that name in %s (sha256:%s) did not sign it: same name, another key",
			Name(c), nameString(c.Issuer), where, Fingerprint(impostor)[:16])
	default:
		b.deadEnd = fmt.Sprintf("the issuer of %s, %s, is neither among the trusted roots nor among the intermediates",
			Name(c), nameString(c.Issuer))
	}
}

func inPath(path []*x509.Certificate, c *x509.Certificate) bool {
	for _, p := range path {
		if bytes.Equal(p.Raw, c.Raw) {
			return true
		}
	}
	return false
}
