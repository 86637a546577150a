package verify

import (
	"bytes"
	"cmp"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"hash"
	"math/big"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/ocsp"

	"github.com/signet-pki/signet/internal/pkixname"
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

type idpInfo struct {
	dp                         distPoint
	onlyUser, onlyCA, onlyAttr bool
	indirect                   bool
	someReasons                uint16
	hasSome                    bool
	raw                        []byte
	nonURIName, relativeName   bool
}

type crlEntry struct {
	serial    *big.Int
	issuerKey string // the certificate issuer the entry is about (indirect CRLs)
	reason    int
	at        time.Time
}

type crlInfo struct {
	l         *x509.RevocationList
	issuer    *pkixname.DN
	issuerKey string
	idp       *idpInfo
	delta     bool
	base      *big.Int
	findings  []finding // why the CRL can be used for nothing
	entries   []crlEntry
	sigs      map[*certInfo]error
}

func newCRLInfo(l *x509.RevocationList) *crlInfo {
	ci := &crlInfo{l: l, sigs: map[*certInfo]error{}}
	add := func(rule, format string, args ...any) {
		ci.findings = append(ci.findings, finding{rule, fmt.Sprintf(format, args...)})
	}
	var err error
	if ci.issuer, err = pkixname.ParseDN(l.RawIssuer); err != nil {
		ci.issuer = &pkixname.DN{}
		ci.issuerKey = "raw:" + string(l.RawIssuer)
		add("rfc5280.name-encoding", "its issuer name cannot be parsed: %v", err)
	} else {
		ci.issuerKey = ci.issuer.Key()
	}
	hasNumber := false
	for _, e := range l.Extensions {
		switch {
		case e.Id.Equal(oidCRLNumber):
			hasNumber = true
			if e.Critical {
				add("rfc5280.crl-number-critical", "its CRL number is marked critical; RFC 5280 5.2.3 requires non-critical")
			}
		case e.Id.Equal(oidCRLIssuingDP):
			idp, err := parseIDP(e.Value)
			if err != nil {
				add("rfc5280.crl-idp-encoding", "its issuing distribution point cannot be parsed: %v", err)
			} else {
				ci.idp = idp
			}
		case e.Id.Equal(oidCRLDeltaIndicator):
			var base big.Int
			s := cryptobyte.String(e.Value)
			if !s.ReadASN1Integer(&base) || !s.Empty() {
				add("rfc5280.crl-delta-encoding", "its delta CRL indicator cannot be parsed")
			} else {
				ci.delta, ci.base = true, &base
			}
			if !e.Critical {
				add("rfc5280.crl-delta-not-critical", "its delta CRL indicator is not marked critical (RFC 5280 5.2.4)")
			}
		case e.Id.Equal(oidCRLAuthorityKeyID), e.Id.Equal(oidCRLFreshest), e.Id.Equal(oidCRLIssuerAltName):
		default:
			if e.Critical {
				add("rfc5280.crl-unknown-critical-extension", "it has a critical extension signet does not process (%s; RFC 5280 5.2)", e.Id)
			}
		}
	}
	if !hasNumber {
		add("rfc5280.crl-number-missing", "it has no CRL number; RFC 5280 5.2.3 requires one")
	}
	if l.NextUpdate.IsZero() {
		add("rfc5280.crl-next-update-missing", "it has no nextUpdate; RFC 5280 5.1.2.5 requires one")
	}
	current := ci.issuerKey
	seen := map[string]bool{}
	for _, en := range l.RevokedCertificateEntries {
		for _, x := range en.Extensions {
			switch {
			case x.Id.Equal(oidCRLCertIssuer):
				names, err := pkixname.ParseGeneralNames(x.Value, false)
				found := false
				for _, g := range names {
					if err == nil && g.Form == pkixname.DirectoryName {
						current, found = g.DN.Key(), true
						break
					}
				}
				if !found {
					add("rfc5280.crl-entry-issuer", "an entry's certificate issuer cannot be read")
				}
			case x.Id.Equal(oidCRLReason), x.Id.Equal(oidCRLHoldCode), x.Id.Equal(oidCRLInvalidityDate):
			default:
				if x.Critical {
					add("rfc5280.crl-entry-unknown-critical-extension", "an entry has a critical extension signet does not process (%s; RFC 5280 5.3)", x.Id)
				}
			}
		}
		if en.SerialNumber == nil {
			continue
		}
		k := current + "\x00" + en.SerialNumber.String()
		if seen[k] {
			add("rfc5280.crl-duplicate-entry", "it lists serial %s twice", x509util.FormatSerial(en.SerialNumber))
		}
		seen[k] = true
		ci.entries = append(ci.entries, crlEntry{serial: en.SerialNumber, issuerKey: current, reason: en.ReasonCode, at: en.RevocationTime})
	}
	if ci.idp == nil || !ci.idp.indirect {
		for _, en := range ci.entries {
			if en.issuerKey != ci.issuerKey {
				add("rfc5280.crl-entry-issuer", "an entry names another certificate issuer, but the CRL is not indirect")
				break
			}
		}
	}
	return ci
}

func parseIDP(der []byte) (*idpInfo, error) {
	s := cryptobyte.String(der)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, fmt.Errorf("not a SEQUENCE")
	}
	idp := &idpInfo{raw: der}
	var body cryptobyte.String
	var ok bool
	if !seq.ReadOptionalASN1(&body, &ok, cbasn1.Tag(0).ContextSpecific().Constructed()) {
		return nil, fmt.Errorf("bad distributionPoint")
	}
	if ok {
		if err := parseDistPointName(&idp.dp, body); err != nil {
			return nil, err
		}
		for _, g := range idp.dp.fullName {
			if g.Form != pkixname.URI {
				idp.nonURIName = true
			}
		}
		idp.relativeName = idp.dp.relative != nil
	}
	readBool := func(tag int, dst *bool) error {
		var v cryptobyte.String
		var present bool
		if !seq.ReadOptionalASN1(&v, &present, cbasn1.Tag(tag).ContextSpecific()) {
			return fmt.Errorf("bad field [%d]", tag)
		}
		if present {
			if len(v) != 1 || (v[0] != 0 && v[0] != 0xff) {
				return fmt.Errorf("bad BOOLEAN [%d]", tag)
			}
			*dst = v[0] == 0xff
		}
		return nil
	}
	if err := readBool(1, &idp.onlyUser); err != nil {
		return nil, err
	}
	if err := readBool(2, &idp.onlyCA); err != nil {
		return nil, err
	}
	var reasons cryptobyte.String
	if !seq.ReadOptionalASN1(&reasons, &idp.hasSome, cbasn1.Tag(3).ContextSpecific()) {
		return nil, fmt.Errorf("bad onlySomeReasons")
	}
	if idp.hasSome {
		bits, ok := parseBitString(reasons)
		if !ok {
			return nil, fmt.Errorf("bad onlySomeReasons")
		}
		idp.someReasons = readReasonFlags(bits)
	}
	if err := readBool(4, &idp.indirect); err != nil {
		return nil, err
	}
	if err := readBool(5, &idp.onlyAttr); err != nil {
		return nil, err
	}
	if !seq.Empty() {
		return nil, fmt.Errorf("trailing data")
	}
	if idp.onlyUser && idp.onlyCA || idp.onlyUser && idp.onlyAttr || idp.onlyCA && idp.onlyAttr {
		return nil, fmt.Errorf("more than one of onlyContainsUserCerts, onlyContainsCACerts, onlyContainsAttributeCerts")
	}
	return idp, nil
}

func crlLabel(l *crlInfo) string {
	s := "CRL of " + rawNameString(l.l.RawIssuer)
	if l.delta {
		s = "delta CRL of " + rawNameString(l.l.RawIssuer)
	}
	if l.l.Number != nil {
		s += fmt.Sprintf(" (number %s)", l.l.Number)
	}
	return s
}

func nextUpdateString(l *x509.RevocationList) string {
	if l.NextUpdate.IsZero() {
		return "none"
	}
	return ts(l.NextUpdate)
}

// dpNames returns the names of a distribution point: its fullName, or its relative name added
// to base.
func dpNames(dp distPoint, base *pkixname.DN) []pkixname.GeneralName {
	if dp.relative != nil {
		if base == nil {
			return nil
		}
		dn, err := base.Append(dp.relative)
		if err != nil {
			return nil
		}
		return []pkixname.GeneralName{{Form: pkixname.DirectoryName, DN: dn}}
	}
	return dp.fullName
}

func namesIntersect(a, b []pkixname.GeneralName) bool {
	for _, x := range a {
		for _, y := range b {
			if x.Equal(y) {
				return true
			}
		}
	}
	return false
}

func firstDN(names []pkixname.GeneralName) *pkixname.DN {
	for _, g := range names {
		if g.Form == pkixname.DirectoryName {
			return g.DN
		}
	}
	return nil
}

// scope returns the reasons a CRL covers for certificate c (RFC 5280 6.3.3 (b), (c)), and
// whether it covers c at all.
func crlScope(c *certInfo, l *crlInfo) (uint16, bool) {
	dps := c.dps
	if !c.hasDPs || len(dps) == 0 {
		dps = []distPoint{{}}
	}
	var mask uint16
	ok := false
	isCA := c.c.BasicConstraintsValid && c.c.IsCA
	for _, dp := range dps {
		var base *pkixname.DN
		if dp.hasIssuer {
			if l.idp == nil || !l.idp.indirect {
				continue
			}
			crlIssuer := []pkixname.GeneralName{{Form: pkixname.DirectoryName, DN: l.issuer}}
			if !namesIntersect(dp.crlIssuer, crlIssuer) {
				continue
			}
			base = firstDN(dp.crlIssuer)
		} else {
			if l.issuerKey != c.issuerKey {
				continue
			}
			base = c.issuer
		}
		if l.idp != nil && l.idp.dp.hasName {
			idpNames := dpNames(l.idp.dp, l.issuer)
			switch {
			case dp.hasName:
				if !namesIntersect(idpNames, dpNames(dp, base)) {
					continue
				}
			case dp.hasIssuer:
				if !namesIntersect(idpNames, dp.crlIssuer) {
					continue
				}
			default:
				continue
			}
		}
		if l.idp != nil {
			if l.idp.onlyUser && isCA || l.idp.onlyCA && !isCA || l.idp.onlyAttr {
				continue
			}
		}
		m := allReasons
		if dp.hasReasons {
			m &= dp.reasons
		}
		if l.idp != nil && l.idp.hasSome {
			m &= l.idp.someReasons
		}
		mask |= m
		ok = true
	}
	return mask, ok
}

// revocationContext is what checking one certificate's status needs from its path.
type revocationContext struct {
	e      *evaluation
	i      int
	anchor *certInfo
}

// crlUsable checks a CRL in scope for path certificate i: signer, signature algorithm, dates,
// findings. It returns the signer, or the problem and whether the problem is a forgery (no key
// of the issuer signed it).
func (v *verifier) crlUsable(rc revocationContext, l *crlInfo) (*Error, bool) {
	c := rc.e.path[rc.i]
	bad := func(rule string, err error, format string, args ...any) *Error {
		return newRuleError(CRLInvalid, c.c, rule, err, format, args...)
	}
	if len(l.findings) > 0 {
		f := l.findings[0]
		return bad(f.rule, nil, "%s cannot be used: %s", crlLabel(l), f.detail), false
	}
	if weakSignature(l.l.SignatureAlgorithm) {
		return bad("signet.weak-signature", nil, "%s is signed with %s, which signet refuses", crlLabel(l), l.l.SignatureAlgorithm), false
	}
	if problem, forged := v.crlSigner(rc, l); problem != nil {
		return problem, forged
	}
	if v.revAt.Before(l.l.ThisUpdate) {
		return bad("rfc5280.crl-not-yet-valid", nil, "%s is not valid before %s (thisUpdate)", crlLabel(l), ts(l.l.ThisUpdate)), false
	}
	if !l.l.NextUpdate.IsZero() && v.revAt.After(l.l.NextUpdate) {
		return bad("rfc5280.crl-expired", nil, "%s expired at %s (nextUpdate)", crlLabel(l), ts(l.l.NextUpdate)), false
	}
	return nil, false
}

// crlSigner finds the key that signed a CRL (RFC 5280 6.3.3 (f), (g)): the issuer of the
// certificate in the path when the names match, or a certificate of the CRL issuer's name
// from the pool with a valid path to the same trust anchor. The signer must have cRLSign when
// it has a key usage extension.
func (v *verifier) crlSigner(rc revocationContext, l *crlInfo) (*Error, bool) {
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
			return nil, false
		}
		if v.signerValid(s, rc.anchor) {
			return nil, false
		}
		problem = newRuleError(CRLInvalid, c.c, "rfc5280.crl-signer-invalid", nil,
			"%s is signed by %s (sha256:%s), whose certificate has no valid path to %s", crlLabel(l), Name(s.c), x509util.CertificateFingerprint(s.c)[:16], Name(rc.anchor.c))
	}
	if problem != nil {
		return problem, false
	}
	return newRuleError(CRLInvalid, c.c, "rfc5280.crl-signature", fmt.Errorf("no certificate of %s verifies its signature", rawNameString(l.l.RawIssuer)),
		"%s is not signed by the chain's %s (sha256:%s) nor by another certificate of its issuer", crlLabel(l), Name(issuer.c), x509util.CertificateFingerprint(issuer.c)[:16]), true
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
	signers     map[string]bool
	inProgress  map[string]bool
	validations int
}

// signerValid validates the certificate of a CRL signer to the same trust anchor, with the
// same time and revocation information, requiring cRLSign. A signer met again while it is
// being validated (an indirect CRL issuer whose own status is on the CRL it signs, as PKITS
// 4.14.30 has it) is taken as valid there: its signature was checked, and the CRL it signed
// still lists it if it is revoked.
func (v *verifier) signerValid(s, anchor *certInfo) bool {
	key := string(s.c.Raw) + "\x00" + string(anchor.c.Raw)
	sh := v.shared
	if ok, done := sh.signers[key]; done {
		return ok
	}
	if sh.inProgress[key] {
		return true
	}
	if v.depth >= maxSignerDepth || sh.validations >= maxSignerValidations {
		return false
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
	sub, err := newVerifier(p, nil)
	if err != nil {
		return false
	}
	sub.depth = v.depth + 1
	sub.shared = sh
	e := sub.build(sub.info(s.c))
	ok := e.firstError() == nil
	sh.signers[key] = ok
	return ok
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
		required := v.p.RequireCRL && (i == 0 || i+1 != len(path)-1)
		rc := revocationContext{e: e, i: i, anchor: anchor}

		// OCSP: a revoked answer fails the certificate; a good one settles its status, but
		// the CRLs given are still read, so that revocation evidence from any source wins.
		var problem *Error
		ocspGood := ""
		ocspRevoked := false
		for k, o := range v.ocsp {
			r, perr := v.ocspFor(o, c, issuer)
			if r == nil && perr == nil {
				continue
			}
			usedOCSP[k] = true
			if perr != nil {
				if problem == nil {
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
		var forged *Error
		given := false
		var revokedBy, misnamed *crlInfo
		var revokedEntry crlEntry
		var sources []string
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
			if !ok || l.delta {
				continue
			}
			if mask&^reasons == 0 {
				continue
			}
			perr, isForged := v.crlUsable(rc, l)
			if perr != nil {
				if isForged {
					if forged == nil {
						forged = perr
					}
				} else if problem == nil {
					problem = perr
				}
				continue
			}
			if v.webpki {
				if f := webpkiCRL(c, l); f != nil {
					if problem == nil {
						problem = newRuleError(CRLInvalid, c.c, f.rule, nil, "%s cannot be used: %s", crlLabel(l), f.detail)
					}
					continue
				}
			}
			delta := v.deltaFor(rc, l, c, used)
			entry, listed := l.listed(c)
			if listed && entry.reason == reasonRemoveFromCRL {
				listed = false
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
			if listed {
				revokedBy, revokedEntry = l, entry
				break
			}
			src := fmt.Sprintf("the %s, thisUpdate %s, nextUpdate %s", crlLabel(l), ts(l.l.ThisUpdate), nextUpdateString(l.l))
			if delta != nil {
				src += " and the " + crlLabel(delta)
			}
			sources = append(sources, src)
			reasons |= mask
			if reasons&allReasons == allReasons {
				break
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
				if perr, isForged := v.crlSigner(rc, l); isForged {
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
		case given:
			why := "none of them covers it (another distribution point or scope)"
			if reasons != 0 {
				why = "they cover only some revocation reasons"
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
		if !usedOCSP[k] {
			e.skip(CheckRevocation, nil, "OCSP response %d is about no certificate of the chain", k+1)
		}
	}
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

// listed returns the entry of a CRL about certificate c, if any.
func (l *crlInfo) listed(c *certInfo) (crlEntry, bool) {
	for _, en := range l.entries {
		if en.issuerKey == c.issuerKey && en.serial.Cmp(c.c.SerialNumber) == 0 {
			return en, true
		}
	}
	return crlEntry{}, false
}

// deltaFor returns the newest usable delta CRL for the complete CRL base (RFC 5280 5.2.4):
// same issuer and scope, a base CRL number not above base's number, a number above it.
func (v *verifier) deltaFor(rc revocationContext, base *crlInfo, c *certInfo, used []bool) *crlInfo {
	var best *crlInfo
	for k, d := range v.crls {
		if !d.delta || d.issuerKey != base.issuerKey || base.l.Number == nil || d.l.Number == nil {
			continue
		}
		if !sameIDP(d, base) {
			continue
		}
		used[k] = true
		if d.base.Cmp(base.l.Number) > 0 || d.l.Number.Cmp(base.l.Number) <= 0 {
			continue
		}
		if perr, _ := v.crlUsable(rc, d); perr != nil {
			continue
		}
		if best == nil || d.l.Number.Cmp(best.l.Number) > 0 {
			best = d
		}
	}
	return best
}

func sameIDP(a, b *crlInfo) bool {
	switch {
	case a.idp == nil && b.idp == nil:
		return true
	case a.idp == nil || b.idp == nil:
		return false
	}
	return bytes.Equal(a.idp.raw, b.idp.raw)
}

// webpkiCRL applies the Baseline Requirements' limits on CRLs (7.2.2) and distribution
// points (7.1.2.11.2): URIs only, no indirect CRLs, no partitions by reason, no names relative
// to the issuer.
func webpkiCRL(c *certInfo, l *crlInfo) *finding {
	for _, dp := range c.dps {
		for _, g := range dp.fullName {
			if g.Form != pkixname.URI {
				return &finding{"webpki.crldp-not-uri", "the certificate's CRL distribution point holds a name that is not a URI"}
			}
		}
		if dp.relative != nil || dp.hasIssuer || dp.hasReasons {
			return &finding{"webpki.crldp-form", "the certificate's CRL distribution point uses a form the Baseline Requirements forbid"}
		}
	}
	if idp := l.idp; idp != nil {
		switch {
		case idp.nonURIName:
			return &finding{"webpki.crl-idp-not-uri", "its issuing distribution point holds a name that is not a URI"}
		case idp.relativeName:
			return &finding{"webpki.crl-idp-relative", "its issuing distribution point names itself relative to the issuer"}
		case idp.indirect:
			return &finding{"webpki.crl-indirect", "it is an indirect CRL"}
		case idp.hasSome:
			return &finding{"webpki.crl-only-some-reasons", "it covers only some revocation reasons"}
		}
	}
	return nil
}

type ocspInfo struct {
	raw []byte
}

// ocspSkew is the clock difference tolerated between a responder and the validation time for
// thisUpdate (RFC 5019 2.2.4 asks clients to allow for it).
const ocspSkew = 5 * time.Minute

// ocspAnswer is what one OCSP SingleResponse says about a certificate.
type ocspAnswer struct {
	status     int // ocsp.Good, ocsp.Revoked, ocsp.Unknown
	thisUpdate time.Time
	nextUpdate time.Time // zero when absent
	revokedAt  time.Time
	reason     int
}

// ocspMaxAgeWithoutNextUpdate is how old a response without nextUpdate may be: such a response
// says newer information is always available (RFC 5019 2.2.4), so an old one is stale.
const ocspMaxAgeWithoutNextUpdate = 24 * time.Hour

// ocspFor returns the answer about c if the raw response holds one (a SingleResponse whose
// CertID names c's serial and its issuer's name and key hashes), with the response's signer
// and the answer's dates checked; nil, nil when it is about other certificates.
func (v *verifier) ocspFor(o *ocspInfo, c, issuer *certInfo) (*ocspAnswer, *Error) {
	singles, err := ocspSingles(o.raw)
	if err != nil {
		return nil, newRuleError(CRLInvalid, c.c, "rfc6960.response", err, "an OCSP response given cannot be read: %v", err)
	}
	var mine *ocspSingle
	for k := range singles {
		if id := singles[k].id; id.serial.Cmp(c.c.SerialNumber) == 0 && id.matches(issuer.c) {
			mine = &singles[k]
			break
		}
	}
	if mine == nil {
		return nil, nil
	}
	bad := func(rule, format string, args ...any) (*ocspAnswer, *Error) {
		return nil, newRuleError(CRLInvalid, c.c, rule, nil, "the OCSP response about %s cannot be used: %s", Name(c.c), fmt.Sprintf(format, args...))
	}
	if mine.criticalExt {
		return bad("rfc6960.response", "its answer has a critical extension signet does not process")
	}
	// The response-level fields (signature, responder certificate) are golang.org/x/crypto's.
	r, err := ocsp.ParseResponseForCert(o.raw, c.c, nil)
	if err != nil {
		return nil, newRuleError(CRLInvalid, c.c, "rfc6960.response", err, "the OCSP response about %s cannot be used: %v", Name(c.c), err)
	}
	signer := issuer.c
	if r.Certificate != nil && !sameKey(r.Certificate, issuer.c) {
		rc := r.Certificate
		if weakSignature(rc.SignatureAlgorithm) {
			return bad("signet.weak-signature", "its responder certificate %s is signed with %s", Name(rc), rc.SignatureAlgorithm)
		}
		if err := issuer.c.CheckSignature(rc.SignatureAlgorithm, rc.RawTBSCertificate, rc.Signature); err != nil {
			return bad("rfc6960.responder", "its responder %s was not issued by %s", Name(rc), Name(issuer.c))
		}
		if !slices.ContainsFunc(certEKUs(rc), oidOCSPSigning.Equal) {
			return bad("rfc6960.responder-eku", "its responder %s lacks id-kp-OCSPSigning", Name(rc))
		}
		if findExt(rc, oidExtKeyUsage) != nil && rc.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
			return bad("rfc6960.responder-eku", "its responder %s has a key usage without digitalSignature", Name(rc))
		}
		if len(rc.UnhandledCriticalExtensions) > 0 {
			return bad("rfc6960.responder", "its responder %s has a critical extension signet does not process", Name(rc))
		}
		if v.revAt.Before(rc.NotBefore) || v.revAt.After(rc.NotAfter) {
			return bad("rfc6960.responder-validity", "its responder certificate %s is not valid at %s", Name(rc), ts(v.revAt))
		}
		signer = rc
	}
	if err := signer.CheckSignature(r.SignatureAlgorithm, r.TBSResponseData, r.Signature); err != nil {
		return bad("rfc6960.signature", "it is not signed by %s or a responder it authorised: %v", Name(issuer.c), err)
	}
	if weakSignature(r.SignatureAlgorithm) {
		return bad("signet.weak-signature", "it is signed with %s", r.SignatureAlgorithm)
	}
	a := &mine.answer
	if v.revAt.Add(ocspSkew).Before(a.thisUpdate) {
		return bad("rfc6960.not-yet-valid", "its thisUpdate %s is after %s", ts(a.thisUpdate), ts(v.revAt))
	}
	if !a.nextUpdate.IsZero() && v.revAt.After(a.nextUpdate) {
		return bad("rfc6960.expired", "its nextUpdate %s has passed", ts(a.nextUpdate))
	}
	if a.nextUpdate.IsZero() && v.revAt.Sub(a.thisUpdate) > ocspMaxAgeWithoutNextUpdate {
		return bad("rfc6960.expired", "it has no nextUpdate and its thisUpdate %s is more than %v old", ts(a.thisUpdate), ocspMaxAgeWithoutNextUpdate)
	}
	return a, nil
}

// ocspSingle is one SingleResponse: its CertID and its answer.
type ocspSingle struct {
	id          ocspCertID
	answer      ocspAnswer
	criticalExt bool
}

// ocspCertID is the CertID of one SingleResponse (RFC 6960 4.1.1).
type ocspCertID struct {
	hash     asn1.ObjectIdentifier
	nameHash []byte
	keyHash  []byte
	serial   *big.Int
}

// matches reports whether the CertID's hashes name issuer: the hash of its DER subject and of
// its public key's BIT STRING contents.
func (id ocspCertID) matches(issuer *x509.Certificate) bool {
	var h hash.Hash
	switch {
	case id.hash.Equal(asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}):
		h = sha1.New()
	case id.hash.Equal(asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}):
		h = sha256.New()
	case id.hash.Equal(asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}):
		h = sha512.New384()
	case id.hash.Equal(asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}):
		h = sha512.New()
	default:
		return false
	}
	h.Write(issuer.RawSubject)
	if !bytes.Equal(h.Sum(nil), id.nameHash) {
		return false
	}
	spki := cryptobyte.String(issuer.RawSubjectPublicKeyInfo)
	var inner, algo cryptobyte.String
	var key asn1.BitString
	if !spki.ReadASN1(&inner, cbasn1.SEQUENCE) || !inner.ReadASN1(&algo, cbasn1.SEQUENCE) || !inner.ReadASN1BitString(&key) {
		return false
	}
	h.Reset()
	h.Write(key.Bytes)
	return bytes.Equal(h.Sum(nil), id.keyHash)
}

// ocspSingles reads the SingleResponses of a successful OCSP response (RFC 6960 4.2.1):
// golang.org/x/crypto/ocsp exposes neither the CertID's issuer hashes nor the answers beyond
// the first with a given serial, so that a response is tied to the issuer by its name and key
// hashes, and the answer read is the one whose CertID matched.
func ocspSingles(der []byte) ([]ocspSingle, error) {
	s := cryptobyte.String(der)
	var resp, status, rb, rbs, basicDER, basic, tbs, responses cryptobyte.String
	var rtype asn1.ObjectIdentifier
	if !s.ReadASN1(&resp, cbasn1.SEQUENCE) || !resp.ReadASN1(&status, cbasn1.ENUM) {
		return nil, fmt.Errorf("not an OCSP response")
	}
	if len(status) != 1 || status[0] != 0 {
		return nil, fmt.Errorf("the responder answered with an error status (%x)", []byte(status))
	}
	if !resp.ReadASN1(&rb, cbasn1.Tag(0).ContextSpecific().Constructed()) || !rb.ReadASN1(&rbs, cbasn1.SEQUENCE) ||
		!rbs.ReadASN1ObjectIdentifier(&rtype) || !rbs.ReadASN1(&basicDER, cbasn1.OCTET_STRING) ||
		!basicDER.ReadASN1(&basic, cbasn1.SEQUENCE) || !basic.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil, fmt.Errorf("malformed response bytes")
	}
	if tbs.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()) {
		tbs.SkipASN1(cbasn1.Tag(0).ContextSpecific().Constructed())
	}
	var skip cryptobyte.String
	var tag cbasn1.Tag
	if !tbs.ReadAnyASN1(&skip, &tag) || !tbs.SkipASN1(cbasn1.GeneralizedTime) || !tbs.ReadASN1(&responses, cbasn1.SEQUENCE) {
		return nil, fmt.Errorf("malformed response data")
	}
	var out []ocspSingle
	for !responses.Empty() {
		var single, certID, algo, name, key, st cryptobyte.String
		var one ocspSingle
		var stTag cbasn1.Tag
		one.id.serial = new(big.Int)
		if !responses.ReadASN1(&single, cbasn1.SEQUENCE) || !single.ReadASN1(&certID, cbasn1.SEQUENCE) ||
			!certID.ReadASN1(&algo, cbasn1.SEQUENCE) || !algo.ReadASN1ObjectIdentifier(&one.id.hash) ||
			!certID.ReadASN1(&name, cbasn1.OCTET_STRING) || !certID.ReadASN1(&key, cbasn1.OCTET_STRING) ||
			!certID.ReadASN1Integer(one.id.serial) || !single.ReadAnyASN1(&st, &stTag) ||
			!single.ReadASN1GeneralizedTime(&one.answer.thisUpdate) {
			return nil, fmt.Errorf("malformed SingleResponse")
		}
		one.id.nameHash, one.id.keyHash = name, key
		switch stTag {
		case cbasn1.Tag(0).ContextSpecific():
			one.answer.status = ocsp.Good
		case cbasn1.Tag(1).ContextSpecific().Constructed():
			one.answer.status = ocsp.Revoked
			if !st.ReadASN1GeneralizedTime(&one.answer.revokedAt) {
				return nil, fmt.Errorf("malformed RevokedInfo")
			}
			if st.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()) {
				var r cryptobyte.String
				var reason int
				if !st.ReadASN1(&r, cbasn1.Tag(0).ContextSpecific().Constructed()) || !r.ReadASN1Enum(&reason) {
					return nil, fmt.Errorf("malformed revocation reason")
				}
				one.answer.reason = reason
			}
		case cbasn1.Tag(2).ContextSpecific():
			one.answer.status = ocsp.Unknown
		default:
			return nil, fmt.Errorf("malformed CertStatus")
		}
		if single.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()) {
			var nu cryptobyte.String
			if !single.ReadASN1(&nu, cbasn1.Tag(0).ContextSpecific().Constructed()) || !nu.ReadASN1GeneralizedTime(&one.answer.nextUpdate) {
				return nil, fmt.Errorf("malformed nextUpdate")
			}
		}
		if single.PeekASN1Tag(cbasn1.Tag(1).ContextSpecific().Constructed()) {
			var exts, list cryptobyte.String
			if !single.ReadASN1(&exts, cbasn1.Tag(1).ContextSpecific().Constructed()) || !exts.ReadASN1(&list, cbasn1.SEQUENCE) {
				return nil, fmt.Errorf("malformed singleExtensions")
			}
			for !list.Empty() {
				var e cryptobyte.String
				var oid asn1.ObjectIdentifier
				crit := false
				if !list.ReadASN1(&e, cbasn1.SEQUENCE) || !e.ReadASN1ObjectIdentifier(&oid) ||
					e.PeekASN1Tag(cbasn1.BOOLEAN) && !e.ReadASN1Boolean(&crit) {
					return nil, fmt.Errorf("malformed singleExtensions")
				}
				one.criticalExt = one.criticalExt || crit
			}
		}
		out = append(out, one)
	}
	return out, nil
}
