package verify

import (
	"cmp"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/signet-pki/signet/x509util"
)

// Revocation, RFC 5280 6.3: for every certificate below the trust anchor, the CRLs given are
// sorted by scope (issuer, distribution point, issuing distribution point, reasons), their
// signers found and validated (the certificate's issuer, or another key of the same CA or an
// indirect CRL issuer with a path to the same trust anchor), deltas applied to their base, and
// reasons accumulated until every reason is covered. OCSP responses (RFC 6960) are checked
// first and settle a status the same way.

var (
	oidCRLAuthorityKeyID = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidCRLNumber         = asn1.ObjectIdentifier{2, 5, 29, 20}
	oidCRLIssuingDP      = asn1.ObjectIdentifier{2, 5, 29, 28}
	oidCRLDeltaIndicator = asn1.ObjectIdentifier{2, 5, 29, 27}
	oidCRLFreshest       = asn1.ObjectIdentifier{2, 5, 29, 46}
	oidCRLIssuerAltName  = asn1.ObjectIdentifier{2, 5, 29, 18}
	oidCRLReason         = asn1.ObjectIdentifier{2, 5, 29, 21}
	oidCRLHoldCode       = asn1.ObjectIdentifier{2, 5, 29, 23}
	oidCRLInvalidityDate = asn1.ObjectIdentifier{2, 5, 29, 24}
	oidCRLCertIssuer     = asn1.ObjectIdentifier{2, 5, 29, 29}
	oidOCSPSigning       = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 9}
)

const reasonRemoveFromCRL = 8

// revocationContext is what checking one certificate's status needs from its path.
type revocationContext struct {
	e      *evaluation
	i      int
	anchor *certInfo
}

// crlUsable checks a CRL in scope for path certificate i: signer, signature algorithm, dates,
// findings. It returns the signer, or the problem and whether the problem is a forgery (no key
// of the issuer signed it).
func (v *verifier) crlUsable(rc revocationContext, l *crlInfo) (*certInfo, *Error, bool) {
	c := rc.e.path[rc.i]
	bad := func(rule string, err error, format string, args ...any) *Error {
		return newRuleError(CRLInvalid, c.c, rule, err, format, args...)
	}
	if len(l.findings) > 0 {
		f := l.findings[0]
		return nil, bad(f.rule, nil, "%s cannot be used: %s", crlLabel(l), f.detail), false
	}
	if weakSignature(l.l.SignatureAlgorithm) {
		return nil, bad("signet.weak-signature", nil, "%s is signed with %s, which signet refuses", crlLabel(l), l.l.SignatureAlgorithm), false
	}
	signer, problem, forged := v.crlSigner(rc, l)
	if problem != nil {
		return nil, problem, forged
	}
	if v.revAt.Before(l.l.ThisUpdate) {
		return nil, bad("rfc5280.crl-not-yet-valid", nil, "%s is not valid before %s (thisUpdate)", crlLabel(l), ts(l.l.ThisUpdate)), false
	}
	if !l.l.NextUpdate.IsZero() && v.revAt.After(l.l.NextUpdate) {
		return nil, bad("rfc5280.crl-expired", nil, "%s expired at %s (nextUpdate)", crlLabel(l), ts(l.l.NextUpdate)), false
	}
	return signer, nil, false
}

// crlSigner finds the key that signed a CRL (RFC 5280 6.3.3 (f), (g)): the issuer of the
// certificate in the path when the names match, or a certificate of the CRL issuer's name
// from the pool with a valid path to the same trust anchor. The signer must have cRLSign when
// it has a key usage extension. It returns the certificate whose key verified the CRL, or the
// problem and whether it is a forgery.
func (v *verifier) crlSigner(rc revocationContext, l *crlInfo) (*certInfo, *Error, bool) {
	c := rc.e.path[rc.i]
	issuer := rc.e.path[rc.i+1]
	var cands []*certInfo
	if issuer.subjectKey == l.issuerKey {
		cands = append(cands, issuer)
	}
	for _, x := range v.byName[l.issuerKey] {
		if x != issuer && (!x.anchor || x == rc.anchor) {
			cands = append(cands, x)
		}
	}
	var problem *Error
	for _, s := range cands {
		err, done := l.sigs[s]
		if !done {
			if s.c.PublicKey == nil {
				err = fmt.Errorf("unsupported public key")
			} else {
				err = checkSignedBy(s.c, l.l.SignatureAlgorithm, l.l.Raw, l.l.RawTBSRevocationList, l.l.Signature)
			}
			l.sigs[s] = err
		}
		if err != nil {
			continue
		}
		if findExt(s.c, oidExtKeyUsage) != nil && s.c.KeyUsage&x509.KeyUsageCRLSign == 0 {
			problem = newRuleError(CRLInvalid, c.c, "rfc5280.crl-signer-no-crlsign", x509.ConstraintViolationError{},
				"%s cannot be trusted: the issuer's key usage (%s) lacks cRLSign", crlLabel(l), strings.Join(KeyUsageNames(s.c.KeyUsage), ", "))
			continue
		}
		if s == issuer || s == rc.anchor {
			return s, nil, false
		}
		why := v.signerProblem(s, rc.anchor)
		if why == nil {
			return s, nil, false
		}
		problem = newRuleError(CRLInvalid, c.c, "rfc5280.crl-signer-invalid", nil,
			"%s is signed by %s (sha256:%s), whose certificate has no valid path to %s: %s", crlLabel(l), Name(s.c), x509util.CertificateFingerprint(s.c)[:16], Name(rc.anchor.c), nestedWhy(why))
	}
	if problem != nil {
		return nil, problem, false
	}
	return nil, newRuleError(CRLInvalid, c.c, "rfc5280.crl-signature", fmt.Errorf("no certificate of %s verifies its signature", rawNameString(l.l.RawIssuer)),
		"%s is not signed by the chain's %s (sha256:%s) nor by another certificate of its issuer", crlLabel(l), Name(issuer.c), x509util.CertificateFingerprint(issuer.c)[:16]), true
}

// crlCurrent reports whether a CRL speaks of the time t: issued at or before it, and not
// past its nextUpdate.
func crlCurrent(l *crlInfo, t time.Time) bool {
	return !t.Before(l.l.ThisUpdate) && (l.l.NextUpdate.IsZero() || !t.After(l.l.NextUpdate))
}

// nestedWhy is the reason a nested validation failed, put inside another refusal: its detail
// and rule without a second "verify:" prefix.
func nestedWhy(err error) string {
	var ve *Error
	if errors.As(err, &ve) && ve.Rule != "" {
		return ve.Detail + " (" + ve.Rule + ")"
	}
	if ve != nil {
		return ve.Detail
	}
	return err.Error()
}

// maxSignerDepth bounds the nesting of CRL-signer validations (a CRL signer whose own CRL has
// another signer, and so on), and maxSignerValidations their number in one Verify call: a chain
// made of many certificates that bear a CA's name and key must not multiply the work.
const (
	maxSignerDepth       = 3
	maxSignerValidations = 16
)

// sharedState is what one Verify call and the verifiers it nests for CRL signers share: the
// verdict on each (signer, anchor) pair, the signers being validated, and the work done.
type sharedState struct {
	signers     map[string]error // nil: valid
	inProgress  map[string]bool
	validations int
}

// signerProblem validates the certificate of a CRL signer to the same trust anchor, with the
// same time and revocation information, requiring cRLSign, and says why it fails (nil: valid),
// for the refusal of the CRL to explain. A signer met again while it is
// being validated (an indirect CRL issuer whose own status is on the CRL it signs, as PKITS
// 4.14.30 has it) is taken as valid there: its signature was checked, and the CRL it signed
// still lists it if it is revoked.
func (v *verifier) signerProblem(s, anchor *certInfo) error {
	key := string(s.c.Raw) + "\x00" + string(anchor.c.Raw)
	sh := v.shared
	if why, done := sh.signers[key]; done {
		return why
	}
	if sh.inProgress[key] {
		return nil
	}
	if v.depth >= maxSignerDepth {
		return fmt.Errorf("CRL signers nested more than %d deep are not validated", maxSignerDepth)
	}
	if sh.validations >= maxSignerValidations {
		return fmt.Errorf("more than %d CRL signers in one verification are not validated", maxSignerValidations)
	}
	sh.validations++
	sh.inProgress[key] = true
	defer delete(sh.inProgress, key)
	p := v.p
	p.Roots = []*x509.Certificate{anchor.c}
	p.SystemRoots = false
	p.Intermediates = nil
	for _, x := range v.inters {
		p.Intermediates = append(p.Intermediates, x.c)
	}
	p.EKUs, p.UnknownEKUs, p.ExplicitEKU, p.LeafNotCA = nil, nil, false, false
	p.KeyUsage = x509.KeyUsageCRLSign
	p.DNSName, p.IP, p.Email = "", nil, ""
	p.Policies, p.RequireExplicitPolicy, p.InhibitPolicyMapping, p.InhibitAnyPolicy = nil, false, false, false
	p.MaxDepth = nil
	p.Profile = ProfileRFC5280
	p.At, p.RevocationAt, p.SignedAt = v.revAt, time.Time{}, time.Time{}
	// The CRLs are the same: the nested verifier takes them as this one read them, rather
	// than reading every entry again for each possible signer a chain may offer.
	crls := p.CRLs
	p.CRLs = nil
	sub, err := newVerifier(p, nil)
	if err != nil {
		return err
	}
	sub.p.CRLs, sub.crls = crls, v.crls
	sub.ocsp = v.ocsp // read once for the whole call, as the CRLs
	sub.depth = v.depth + 1
	sub.shared = sh
	var why error
	if fe := sub.build(sub.info(s.c)).firstError(); fe != nil {
		why = fe
	}
	sh.signers[key] = why
	return why
}

func (v *verifier) checkRevocation(e *evaluation) {
	path := e.path
	used := make([]bool, len(v.crls))
	usedOCSP := make([]bool, len(v.ocsp))
	if !e.anchored {
		// Revocation is judged against a trust anchor: without one there is nothing to
		// validate a CRL signer to, and nothing to gain.
		e.skip(CheckRevocation, nil, "not checked: no complete chain")
		return
	}
	anchor := path[len(path)-1]
	for i, c := range path {
		if i == len(path)-1 {
			break // the trust anchor is trusted as it is
		}
		issuer := path[i+1]
		// Under RequireCRL the leaf and every certificate not issued by the trust anchor
		// need a CRL. A CRL signer validated in a nested verifier (depth > 0) is the leaf
		// there but a CA in the chain's place of an intermediate: issued directly by the
		// trust anchor, it needs none, as such an intermediate of the chain needs none.
		required := v.p.RequireCRL && (i == 0 && v.depth == 0 || i+1 != len(path)-1)
		rc := revocationContext{e: e, i: i, anchor: anchor}

		// OCSP: a revoked answer fails the certificate; a good one settles its status, but
		// the CRLs given are still read, so that revocation evidence from any source wins.
		// A forged response (rfc6960.forged) fails the certificate as a forged CRL does,
		// whatever else was given.
		var problem, ocspUnknown, forged *Error
		ocspGood := ""
		ocspRevoked := false
		for k, o := range v.ocsp {
			r, perr, isForged := v.ocspFor(o, c, issuer)
			if r == nil && perr == nil {
				continue
			}
			usedOCSP[k] = true
			if perr != nil {
				if isForged {
					forged = cmp.Or(forged, perr)
				} else if problem == nil {
					problem = perr
				}
				continue
			}
			switch r.status {
			case ocsp.Revoked:
				if v.revokedAfterSigning(r.revokedAt, r.reason) {
					ocspGood = fmt.Sprintf("revoked at %s (%s) according to an OCSP response of %s, after the signature's timestamp %s: still valid for it",
						ts(r.revokedAt), x509util.ReasonName(r.reason), Name(issuer.c), ts(v.p.SignedAt))
					continue
				}
				e.fail(CheckRevocation, newRuleError(Revoked, c.c, "rfc6960.revoked", nil, "%s %s (serial %s) was revoked at %s (%s) according to an OCSP response of %s",
					e.role(i), Name(c.c), x509util.FormatSerial(c.c.SerialNumber), ts(r.revokedAt), x509util.ReasonName(r.reason), Name(issuer.c)))
				ocspRevoked = true
			case ocsp.Good:
				ocspGood = fmt.Sprintf("not revoked according to an OCSP response of %s, thisUpdate %s", Name(issuer.c), ts(r.thisUpdate))
			case ocsp.Unknown:
				// RFC 6960 2.2: the responder does not know the certificate. The answer
				// establishes nothing, and it was given for this certificate: unless
				// another source settles the status, it is not established.
				if ocspUnknown == nil {
					ocspUnknown = newRuleError(CRLMissing, c.c, "rfc6960.unknown", nil, "an OCSP response of %s says the status of %s is unknown, and no CRL or other response settles it",
						Name(issuer.c), Name(c.c))
				}
			}
			if ocspRevoked {
				break
			}
		}
		if ocspRevoked {
			continue
		}

		// CRLs.
		var reasons uint16
		given := false
		var revokedBy, misnamed, deltaOnly *crlInfo
		sawComplete := false
		var revokedEntry crlEntry
		var sources []string
		var unjudged []scoped               // CRLs in scope that cannot be used, for other reasons than their dates
		judged := make([]bool, len(v.crls)) // complete CRLs whose word (with their delta) was taken
		// Complete CRLs, newest first.
		order := make([]int, 0, len(v.crls))
		for k := range v.crls {
			order = append(order, k)
		}
		slices.SortStableFunc(order, func(a, b int) int { return v.crls[b].l.ThisUpdate.Compare(v.crls[a].l.ThisUpdate) })
		for _, k := range order {
			l := v.crls[k]
			mask, ok := crlScope(c, l)
			if l.issuerKey == c.issuerKey || ok {
				used[k] = true
				given = true
			} else if v.signedUnderAnotherName(rc, l) {
				used[k], given = true, true
				misnamed = cmp.Or(misnamed, l)
			}
			if ok && l.delta {
				deltaOnly = cmp.Or(deltaOnly, l)
			}
			if !ok || l.delta {
				continue
			}
			sawComplete = true
			if mask&^reasons == 0 {
				continue
			}
			signer, perr, isForged := v.crlUsable(rc, l)
			if perr != nil {
				switch {
				case isForged:
					forged = cmp.Or(forged, perr)
				default:
					problem = cmp.Or(problem, perr)
					if crlCurrent(l, v.revAt) {
						// A CRL that cannot be judged, and not one that speaks of
						// another time (whichever problem was found first), is the
						// issuer's word on the reasons it covers: an older CRL it
						// supersedes cannot settle them in its place.
						unjudged = append(unjudged, scoped{l, mask})
					}
				}
				continue
			}
			if v.webpki {
				if f := webpkiCRL(c, l); f != nil {
					if problem == nil {
						problem = newRuleError(CRLInvalid, c.c, f.rule, nil, "%s cannot be used: %s", crlLabel(l), f.detail)
					}
					unjudged = append(unjudged, scoped{l, mask})
					continue
				}
			}
			delta, dproblem, dforged := v.deltaFor(rc, l, signer, c, used)
			entry, listed := l.listed(c)
			if listed && entry.reason == reasonRemoveFromCRL {
				listed = false
			}
			if dproblem != nil && !listed {
				// The delta of this CRL cannot be used: what it says about the
				// certificate is unknown, so this CRL settles nothing (a listing on the
				// complete CRL still stands: an unusable delta cannot lift it).
				switch {
				case dforged:
					forged = cmp.Or(forged, dproblem)
				case problem == nil:
					problem = dproblem
				}
				// Nor can an older complete CRL settle in its place what this one and
				// its delta cover.
				unjudged = append(unjudged, scoped{l, mask})
				continue
			}
			if delta != nil {
				if de, ok := delta.listed(c); ok {
					if de.reason == reasonRemoveFromCRL {
						listed = false
					} else {
						listed, entry, l = true, de, delta
					}
				}
			}
			if !listed {
				if d, de, ok := v.newerDeltaListing(rc, l, delta, c); ok {
					listed, entry, l = true, de, d
				}
			}
			if listed {
				revokedBy, revokedEntry = l, entry
				break
			}
			judged[k] = true
			src := fmt.Sprintf("the %s, thisUpdate %s, nextUpdate %s", crlLabel(l), ts(l.l.ThisUpdate), nextUpdateString(l.l))
			if delta != nil {
				src += " and the " + crlLabel(delta)
			}
			sources = append(sources, src)
			for _, u := range unjudged {
				if supersedes(u.l, l) {
					mask &^= u.mask
				}
			}
			reasons |= mask
			if reasons&allReasons == allReasons {
				break
			}
		}
		if revokedBy == nil {
			// A revocation is for good, but for certificateHold (RFC 5280 3.3: an entry
			// stays on every CRL until after the certificate expires; 5.3.1: only a hold may
			// be lifted): an older CRL of the issuer that lists the certificate for another
			// reason is the issuer's signed word that it is revoked, though a newer one
			// leaves it out. The certificate is refused, as revocation evidence from any
			// source wins over silence.
			if l, entry, ok := v.olderListing(rc, c, judged); ok {
				revokedBy, revokedEntry = l, entry
			}
		}
		if forged == nil && revokedBy == nil {
			// A CRL in the issuer's name that no key of the issuer signed is a forgery, even
			// beside a genuine CRL: say so rather than pass over it.
			for k, l := range v.crls {
				if _, ok := crlScope(c, l); !ok || l.issuerKey != c.issuerKey {
					continue
				}
				used[k] = true
				if _, perr, isForged := v.crlSigner(rc, l); isForged {
					forged = perr
					break
				}
			}
		}
		if revokedBy != nil && v.revokedAfterSigning(revokedEntry.at, revokedEntry.reason) {
			e.pass(CheckRevocation, c, "revoked at %s (%s) by %s, after the signature's timestamp %s: still valid for it",
				ts(revokedEntry.at), x509util.ReasonName(revokedEntry.reason), crlLabel(revokedBy), ts(v.p.SignedAt))
			continue
		}
		switch {
		case revokedBy != nil:
			e.fail(CheckRevocation, newRuleError(Revoked, c.c, "rfc5280.revoked", nil, "%s %s (serial %s) was revoked at %s (%s) by %s",
				e.role(i), Name(c.c), x509util.FormatSerial(c.c.SerialNumber), ts(revokedEntry.at),
				x509util.ReasonName(revokedEntry.reason), crlLabel(revokedBy)))
		case forged != nil:
			e.fail(CheckRevocation, forged)
		case ocspGood != "":
			e.pass(CheckRevocation, c, "%s", ocspGood)
		case reasons&allReasons == allReasons:
			e.pass(CheckRevocation, c, "not revoked according to %s", strings.Join(sources, "; "))
		case problem != nil:
			e.fail(CheckRevocation, problem)
		case ocspUnknown != nil:
			e.fail(CheckRevocation, ocspUnknown)
		case given:
			why := "none of them covers it (another distribution point or scope)"
			if reasons != 0 {
				why = "they cover only some revocation reasons"
			} else if deltaOnly != nil && !sawComplete {
				why = fmt.Sprintf("the %s applies to the complete CRL number %s, which was not given (RFC 5280 5.2.4)", crlLabel(deltaOnly), deltaOnly.base)
			} else if misnamed != nil {
				why = "the CRL its key signed names another issuer, " + rawNameString(misnamed.l.RawIssuer)
			}
			e.fail(CheckRevocation, newRuleError(CRLMissing, c.c, "rfc5280.crl-scope", nil,
				"the CRLs given for %s cannot establish the status of %s: %s", Name(issuer.c), Name(c.c), why))
		case required:
			e.fail(CheckRevocation, newRuleError(CRLMissing, c.c, "signet.crl-required", nil, "no CRL of %s to check %s, and a CRL is required",
				Name(issuer.c), Name(c.c)))
		default:
			e.skip(CheckRevocation, c, "not checked: no CRL of %s given", Name(issuer.c))
		}
	}
	for k, l := range v.crls {
		if !used[k] {
			e.skip(CheckRevocation, nil, "%s covers no certificate of the chain", crlLabel(l))
		}
	}
	for k := range v.ocsp {
		switch {
		case usedOCSP[k]:
		case v.p.OCSPAboutChain && v.depth == 0:
			// Given for this chain only, it answers a question nobody asked, and the status
			// it was given to settle is not settled (openssl ocsp: "No Status found").
			e.fail(CheckRevocation, newRuleError(CRLMissing, nil, "signet.ocsp-unused", nil,
				"OCSP response %d is about no certificate of the chain", k+1))
		default:
			e.skip(CheckRevocation, nil, "OCSP response %d is about no certificate of the chain", k+1)
		}
	}
}

// reasonCertificateHold is the one CRLReason (RFC 5280 5.3.1) whose entry may leave later
// CRLs: a hold the CA lifts.
const reasonCertificateHold = 6

// olderListing returns a usable complete CRL in c's scope, other than those whose word was
// taken (judged: a CRL read with its delta, whose removeFromCRL stands), that lists c for a
// reason that is for good (any but certificateHold and removeFromCRL), and its entry: the
// newest such.
func (v *verifier) olderListing(rc revocationContext, c *certInfo, judged []bool) (*crlInfo, crlEntry, bool) {
	var best *crlInfo
	var bestEntry crlEntry
	for k, l := range v.crls {
		if _, ok := crlScope(c, l); !ok || l.delta || judged[k] {
			continue
		}
		entry, listed := l.listed(c)
		if !listed || entry.reason == reasonCertificateHold || entry.reason == reasonRemoveFromCRL {
			continue
		}
		if best != nil && !newerCRL(l, best) {
			continue
		}
		if _, perr, _ := v.crlUsable(rc, l); perr != nil {
			continue
		}
		if v.webpki && webpkiCRL(c, l) != nil {
			continue
		}
		best, bestEntry = l, entry
	}
	return best, bestEntry, best != nil
}

// CRLReason codes (RFC 5280 5.3.1) after which nothing the key signed can be trusted,
// whatever a timestamp says: the compromise of the key or of a CA's.
const (
	reasonKeyCompromise = 1
	reasonCACompromise  = 2
	reasonAACompromise  = 10
)

// revokedAfterSigning reports that a revocation at revokedAt for reason does not touch what
// was signed at Policy.SignedAt: it came later, and for a reason that does not put earlier
// signatures in doubt (not a compromise). An entry without a reason code (openssl ca -revoke
// writes none) or with unspecified counts as "a reason other than keyCompromise", as issue
// 12 states the rule: the CA that meant a compromise says so.
func (v *verifier) revokedAfterSigning(revokedAt time.Time, reason int) bool {
	if v.p.SignedAt.IsZero() || !revokedAt.After(v.p.SignedAt) {
		return false
	}
	switch reason {
	case reasonKeyCompromise, reasonCACompromise, reasonAACompromise:
		return false
	}
	return true
}

// signedUnderAnotherName reports whether CRL l, which names another issuer than certificate
// rc's, was signed by the key of rc's issuer: the issuer put its signature on a list in a name
// it does not bear. Such a CRL cannot settle the certificate's status (RFC 5280 6.3.3 (b)), but
// it was given for this issuer, so it is not passed over as another CA's either: the status
// must then be settled by a CRL in the issuer's name (rfc5280.crl-scope otherwise).
func (v *verifier) signedUnderAnotherName(rc revocationContext, l *crlInfo) bool {
	issuer := rc.e.path[rc.i+1]
	if l.issuerKey == issuer.subjectKey || issuer.c.PublicKey == nil {
		return false
	}
	err, done := l.sigs[issuer]
	if !done {
		err = checkSignedBy(issuer.c, l.l.SignatureAlgorithm, l.l.Raw, l.l.RawTBSRevocationList, l.l.Signature)
		l.sigs[issuer] = err
	}
	return err == nil
}

// scoped is a CRL and the reasons it covers for a certificate.
type scoped struct {
	l    *crlInfo
	mask uint16
}

// supersedes reports whether CRL a is newer than CRL b: a higher CRL number, or when one has
// none, a later thisUpdate.
func supersedes(a, b *crlInfo) bool {
	if a.l.Number != nil && b.l.Number != nil {
		return a.l.Number.Cmp(b.l.Number) > 0
	}
	return a.l.ThisUpdate.After(b.l.ThisUpdate)
}
