package verify

import (
	"bytes"
	"cmp"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Verify decides whether leaf is acceptable under p. extraChain holds untrusted certificates
// that came with the leaf (the rest of a chain file); they may link it to a root, as
// p.Intermediates do.
//
// The verdict comes in three shapes:
//   - valid: a Result with Valid set, and a nil error;
//   - invalid: a Result saying what was checked and why it failed, and an *Error (matching
//     ErrInvalid and its Reason with errors.Is, and the crypto/x509 error underneath with
//     errors.As);
//   - not checked: a nil Result and an error wrapping ErrPolicy (the policy cannot be
//     applied) or ErrUnchecked (no certificate, unreadable system trust store).
//
// Paths are built and validated by this package as RFC 5280 section 6 describes (crypto/x509
// parses certificates and checks signatures); the package documentation lists the rules.
func Verify(leaf *x509.Certificate, extraChain []*x509.Certificate, p Policy) (*Result, error) {
	if leaf == nil || len(leaf.Raw) == 0 {
		return nil, fmt.Errorf("%w: no certificate to verify", ErrUnchecked)
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	v, err := newVerifier(p, extraChain)
	if err != nil {
		return nil, err
	}
	best := v.build(v.info(leaf))
	res := &Result{
		Policy: v.report(),
		Chain:  chainCerts(best.certs(), best.anchored),
		Checks: best.checks,
	}
	if best.policies != nil {
		res.Policies = best.policies
	}
	if err := best.firstError(); err != nil {
		res.Reason, res.Error, res.Rule = err.Reason, err.Error(), err.Rule
		return res, err
	}
	res.Valid = true
	return res, nil
}

func (p *Policy) validate() error {
	if len(p.Roots) == 0 && !p.SystemRoots {
		return fmt.Errorf("%w: no trust anchors (give roots, or allow the system roots)", ErrPolicy)
	}
	for _, r := range p.Roots {
		if r == nil || len(r.Raw) == 0 {
			return fmt.Errorf("%w: a root is nil or unparsed", ErrPolicy)
		}
	}
	if p.MaxDepth != nil && *p.MaxDepth < 0 {
		return fmt.Errorf("%w: negative maximum depth %d", ErrPolicy, *p.MaxDepth)
	}
	for _, u := range p.EKUs {
		if ekuOID(u) == nil {
			return fmt.Errorf("%w: unknown extended key usage %d", ErrPolicy, u)
		}
	}
	for _, l := range p.CRLs {
		if l == nil || len(l.RawTBSRevocationList) == 0 {
			return fmt.Errorf("%w: a CRL is nil or unparsed", ErrPolicy)
		}
	}
	switch p.Profile {
	case "", ProfileRFC5280, ProfileWebPKI:
	default:
		return fmt.Errorf("%w: unknown profile %q", ErrPolicy, p.Profile)
	}
	for _, o := range p.Policies {
		if len(o) < 2 {
			return fmt.Errorf("%w: bad policy OID %v", ErrPolicy, o)
		}
	}
	return nil
}

// verifier holds one Verify call's inputs, indexed, and its caches.
type verifier struct {
	p       Policy
	at      time.Time
	revAt   time.Time // when CRLs and OCSP responses must be current (Policy.RevocationAt)
	webpki  bool
	roots   []*certInfo
	inters  []*certInfo
	byName  map[string][]*certInfo // roots first, then intermediates, by canonical subject
	infos   map[*x509.Certificate]*certInfo
	sigs    map[[2]*certInfo]error
	crls    []*crlInfo
	ocsp    []*ocspInfo
	reqEKU  []asn1.ObjectIdentifier
	depth   int // nesting of CRL-signer validations
	leafNot bool
	// shared is the state of one Verify call that nested verifiers (CRL signers) share.
	shared *sharedState
}

func newVerifier(p Policy, extraChain []*x509.Certificate) (*verifier, error) {
	v := &verifier{p: p, at: p.At, infos: map[*x509.Certificate]*certInfo{}, sigs: map[[2]*certInfo]error{},
		byName: map[string][]*certInfo{}, shared: &sharedState{signers: map[string]error{}, inProgress: map[string]bool{}}}
	if v.at.IsZero() {
		v.at = time.Now()
	}
	// Validity is compared to the second, as certificates encode it (RFC 5280 4.1.2.5).
	v.at = v.at.UTC().Truncate(time.Second)
	v.revAt = v.at
	if !p.RevocationAt.IsZero() {
		v.revAt = p.RevocationAt.UTC().Truncate(time.Second)
	}
	if v.p.Profile == "" {
		v.p.Profile = ProfileRFC5280
	}
	v.webpki = v.p.Profile == ProfileWebPKI
	roots := slices.Clone(p.Roots)
	nGiven := len(roots)
	if p.SystemRoots {
		sys, err := systemRoots()
		if err != nil {
			return nil, fmt.Errorf("%w: reading the system roots: %v", ErrUnchecked, err)
		}
		roots = append(roots, sys...)
	}
	seen := map[string]bool{}
	for k, r := range roots {
		if seen[string(r.Raw)] {
			continue
		}
		seen[string(r.Raw)] = true
		ci := v.info(r)
		ci.anchor = true
		ci.system = k >= nGiven
		v.roots = append(v.roots, ci)
		v.byName[ci.subjectKey] = append(v.byName[ci.subjectKey], ci)
	}
	for _, c := range slices.Concat(p.Intermediates, extraChain) {
		if c == nil || len(c.Raw) == 0 || seen[string(c.Raw)] {
			continue
		}
		seen[string(c.Raw)] = true
		ci := v.info(c)
		v.inters = append(v.inters, ci)
		v.byName[ci.subjectKey] = append(v.byName[ci.subjectKey], ci)
	}
	v.reqEKU = p.requiredEKUs()
	if v.webpki && len(p.EKUs) == 0 && len(p.UnknownEKUs) == 0 {
		v.reqEKU = []asn1.ObjectIdentifier{ekuOID(x509.ExtKeyUsageServerAuth)}
	}
	// A certificate for an end-entity purpose must not be a CA.
	v.leafNot = p.LeafNotCA || v.webpki || len(v.reqEKU) > 0
	for _, l := range p.CRLs {
		v.crls = append(v.crls, newCRLInfo(l))
	}
	for _, raw := range p.OCSP {
		v.ocsp = append(v.ocsp, &ocspInfo{raw: raw})
	}
	return v, nil
}

// info returns the parsed view of c, parsing it once.
func (v *verifier) info(c *x509.Certificate) *certInfo {
	if ci, ok := v.infos[c]; ok {
		return ci
	}
	ci := newCertInfo(c)
	v.infos[c] = ci
	return ci
}

// signed reports whether parent's key verifies child's signature, once per pair.
func (v *verifier) signed(child, parent *certInfo) error {
	k := [2]*certInfo{child, parent}
	if err, ok := v.sigs[k]; ok {
		return err
	}
	var err error
	if parent.c.PublicKey == nil {
		err = fmt.Errorf("the issuer's public key is of an unsupported type")
	} else {
		err = checkSignedBy(parent.c, child.c.SignatureAlgorithm, child.c.Raw, child.c.RawTBSCertificate, child.c.Signature)
	}
	v.sigs[k] = err
	return err
}

func (v *verifier) report() PolicyReport {
	roots := append([]*x509.Certificate(nil), v.p.Roots...)
	var inters []*x509.Certificate
	for _, c := range v.inters {
		inters = append(inters, c.c)
	}
	r := PolicyReport{
		At:                    v.at,
		Roots:                 certRefs(roots),
		SystemRoots:           v.p.SystemRoots,
		Intermediates:         certRefs(inters),
		EKUs:                  []string{},
		KeyUsage:              KeyUsageNames(v.p.KeyUsage),
		DNSName:               v.p.DNSName,
		Email:                 v.p.Email,
		CRLs:                  crlRefs(v.p.CRLs),
		RequireCRL:            v.p.RequireCRL,
		MaxDepth:              v.p.MaxDepth,
		Profile:               string(v.p.Profile),
		InitialPolicies:       []string{},
		RequireExplicitPolicy: v.p.RequireExplicitPolicy,
		InhibitPolicyMapping:  v.p.InhibitPolicyMapping,
		InhibitAnyPolicy:      v.p.InhibitAnyPolicy,
		OCSP:                  len(v.p.OCSP),
		ExplicitEKU:           v.p.ExplicitEKU || v.webpki,
		LeafNotCA:             v.leafNot,
	}
	if v.p.IP != nil {
		r.IP = v.p.IP.String()
	}
	for _, o := range v.reqEKU {
		r.EKUs = append(r.EKUs, ekuName(o))
	}
	if len(v.reqEKU) == 0 {
		for _, u := range v.p.EKUs {
			r.EKUs = append(r.EKUs, ekuName(ekuOID(u)))
		}
		for _, o := range v.p.UnknownEKUs {
			r.EKUs = append(r.EKUs, ekuName(o))
		}
	}
	for _, o := range v.p.Policies {
		r.InitialPolicies = append(r.InitialPolicies, policyName(o.String()))
	}
	if len(r.InitialPolicies) == 0 {
		r.InitialPolicies = []string{"anyPolicy"}
	}
	return r
}

// evaluation is the checks made on one candidate path.
type evaluation struct {
	path     []*certInfo // leaf first; the last is the trust anchor when anchored
	anchored bool
	checks   []Check
	policies []string // the user-constrained policy set, nil when not computed
}

func (e *evaluation) certs() []*x509.Certificate {
	out := make([]*x509.Certificate, len(e.path))
	for i, c := range e.path {
		out[i] = c.c
	}
	return out
}

func (e *evaluation) failures() int {
	n := 0
	for _, c := range e.checks {
		if c.Status == Fail {
			n++
		}
	}
	return n
}

func (e *evaluation) firstError() *Error {
	for _, c := range e.checks {
		if c.Status == Fail {
			return c.err
		}
	}
	return nil
}

func (e *evaluation) pass(check string, c *certInfo, format string, args ...any) {
	e.checks = append(e.checks, Check{Check: check, Status: Pass, Subject: subjectOf(c), Detail: fmt.Sprintf(format, args...)})
}

func (e *evaluation) skip(check string, c *certInfo, format string, args ...any) {
	e.checks = append(e.checks, Check{Check: check, Status: Skip, Subject: subjectOf(c), Detail: fmt.Sprintf(format, args...)})
}

func (e *evaluation) fail(check string, err *Error) {
	e.checks = append(e.checks, failCheck(check, err))
}

func subjectOf(c *certInfo) string {
	if c == nil {
		return ""
	}
	return Name(c.c)
}

func subjectOfCert(c *x509.Certificate) string {
	if c == nil {
		return ""
	}
	return Name(c)
}

func newRuleError(r Reason, c *x509.Certificate, rule string, err error, format string, args ...any) *Error {
	return &Error{Reason: r, Cert: c, Rule: rule, Err: err, Detail: fmt.Sprintf(format, args...)}
}

func newError(r Reason, c *x509.Certificate, err error, format string, args ...any) *Error {
	return &Error{Reason: r, Cert: c, Err: err, Detail: fmt.Sprintf(format, args...)}
}

func failCheck(check string, err *Error) Check {
	return Check{Check: check, Status: Fail, Subject: subjectOfCert(err.Cert), Detail: err.Detail, Rule: err.Rule, err: err}
}

// reportOf is the policy report before any certificate is seen (Verify's has the same form).
func (p *Policy) reportOf() PolicyReport {
	v, err := newVerifier(*p, nil)
	if err != nil {
		v = &verifier{p: *p, at: p.At.UTC().Truncate(time.Second), revAt: p.At.UTC().Truncate(time.Second)}
	}
	return v.report()
}

// role names a certificate by its place in the path, for messages.
func (e *evaluation) role(i int) string {
	switch {
	case i == 0:
		return "certificate"
	case i == len(e.path)-1 && e.anchored:
		return "root"
	}
	return "intermediate CA"
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// evaluate runs every check on one path.
func (v *verifier) evaluate(path []*certInfo, anchored bool, deadEnd, deadRule string) *evaluation {
	e := &evaluation{path: path, anchored: anchored}
	v.checkChain(e, deadEnd, deadRule)
	v.checkValidity(e)
	v.checkConstraints(e)
	v.checkPolicies(e)
	v.checkProfile(e)
	v.checkDepth(e)
	v.checkKeyUsage(e)
	v.checkEKU(e)
	v.checkNames(e)
	v.checkRevocation(e)
	return e
}

// weakSignature reports whether a signature algorithm is one signet refuses in certificates
// and CRLs: MD2, MD5 and SHA-1 (collisions are practical), and DSA (crypto/x509 cannot verify
// it).
func weakSignature(a x509.SignatureAlgorithm) bool {
	switch a {
	case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.DSAWithSHA1, x509.DSAWithSHA256:
		return true
	}
	return false
}

// checkChain checks the signatures of an anchored path; an unanchored one fails with the
// builder's account of its dead end (deadEnd) under deadRule (signet.no-path by default).
func (v *verifier) checkChain(e *evaluation, deadEnd, deadRule string) {
	path := e.path
	if !e.anchored {
		e.fail(CheckChain, newRuleError(UnknownAuthority, path[len(path)-1].c, cmp.Or(deadRule, "signet.no-path"), x509.UnknownAuthorityError{Cert: path[0].c},
			"no chain to a trusted root: %s", deadEnd))
		return
	}
	for i := 0; i+1 < len(path); i++ {
		child, parent := path[i], path[i+1]
		if err := v.signed(child, parent); err != nil {
			e.fail(CheckChain, newRuleError(UnknownAuthority, child.c, "rfc5280.signature", err, "signature of %s by %s is not acceptable: %v",
				Name(child.c), Name(parent.c), err))
			return
		}
		if weakSignature(child.c.SignatureAlgorithm) {
			e.fail(CheckChain, newRuleError(UnknownAuthority, child.c, "signet.weak-signature", x509.InsecureAlgorithmError(child.c.SignatureAlgorithm),
				"%s is signed with %s, which signet refuses (collisions make such signatures forgeable)", Name(child.c), child.c.SignatureAlgorithm))
			return
		}
	}
	if len(path) == 1 {
		e.pass(CheckChain, path[0], "the certificate is itself a trust anchor")
		return
	}
	names := make([]string, len(path))
	for i, c := range path {
		names[i] = Name(c.c)
	}
	e.pass(CheckChain, nil, "%s (trust anchor), each signature verified", strings.Join(names, " → "))
}

func (v *verifier) checkValidity(e *evaluation) {
	for i, ci := range e.path {
		c := ci.c
		r := e.role(i)
		switch {
		case v.at.Before(c.NotBefore):
			e.fail(CheckValidity, newRuleError(NotYetValid, c, "rfc5280.validity", x509.CertificateInvalidError{Cert: c, Reason: x509.Expired, Detail: "not yet valid at " + ts(v.at)},
				"%s %s is not valid before %s", r, Name(c), ts(c.NotBefore)))
		case v.at.After(c.NotAfter):
			e.fail(CheckValidity, newRuleError(Expired, c, "rfc5280.validity", x509.CertificateInvalidError{Cert: c, Reason: x509.Expired, Detail: "expired at " + ts(v.at)},
				"%s %s expired at %s", r, Name(c), ts(c.NotAfter)))
		default:
			e.pass(CheckValidity, ci, "valid from %s to %s", ts(c.NotBefore), ts(c.NotAfter))
		}
	}
}

func (v *verifier) checkDepth(e *evaluation) {
	if !e.anchored {
		e.skip(CheckDepth, nil, "no complete chain")
		return
	}
	n := 0
	for i := 1; i < len(e.path)-1; i++ {
		if !e.path[i].selfIssued {
			n++
		}
	}
	switch {
	case v.p.MaxDepth == nil:
		e.skip(CheckDepth, nil, "no limit (the chain has %d intermediate(s))", n)
	case n > *v.p.MaxDepth:
		e.fail(CheckDepth, newRuleError(Depth, e.path[0].c, "signet.max-depth", nil,
			"the chain has %d intermediate(s), more than the %d allowed", n, *v.p.MaxDepth))
	default:
		e.pass(CheckDepth, nil, "%d intermediate(s), at most %d allowed", n, *v.p.MaxDepth)
	}
}

func (v *verifier) checkKeyUsage(e *evaluation) {
	leaf := e.path[0]
	want := v.p.KeyUsage
	switch {
	case want == 0:
		e.skip(CheckKeyUsage, leaf, "no key usage required")
	case findExt(leaf.c, oidExtKeyUsage) == nil:
		e.pass(CheckKeyUsage, leaf, "no key usage extension: every usage allowed (%s required)", strings.Join(KeyUsageNames(want), ", "))
	case want&^leaf.c.KeyUsage != 0:
		e.fail(CheckKeyUsage, newRuleError(KeyUsage, leaf.c, "rfc5280.key-usage", nil, "certificate %s has key usage %s, without %s",
			Name(leaf.c), strings.Join(KeyUsageNames(leaf.c.KeyUsage), ", "), strings.Join(KeyUsageNames(want&^leaf.c.KeyUsage), ", ")))
	default:
		e.pass(CheckKeyUsage, leaf, "%s present", strings.Join(KeyUsageNames(want), ", "))
	}
}

func (v *verifier) checkEKU(e *evaluation) {
	want := v.reqEKU
	if len(want) == 0 {
		e.skip(CheckEKU, nil, "no extended key usage required")
		return
	}
	wantNames := make([]string, len(want))
	for i, o := range want {
		wantNames[i] = ekuName(o)
	}
	for i, ci := range e.path {
		c := ci.c
		have := certEKUs(c)
		if i == 0 && (v.p.ExplicitEKU || v.webpki) {
			if err := explicitEKU(c, have, want, v.webpki); err != nil {
				e.fail(CheckEKU, err)
				return
			}
		}
		if len(have) == 0 || slices.ContainsFunc(have, oidAnyEKU.Equal) {
			continue
		}
		haveNames := make([]string, len(have))
		for j, o := range have {
			haveNames[j] = ekuName(o)
		}
		for _, w := range want {
			if slices.ContainsFunc(have, w.Equal) {
				continue
			}
			err := x509.CertificateInvalidError{Cert: c, Reason: x509.IncompatibleUsage}
			if i == 0 {
				e.fail(CheckEKU, newRuleError(EKU, c, "rfc5280.eku", err, "certificate %s is for %s, not %s",
					Name(c), strings.Join(haveNames, ", "), ekuName(w)))
			} else {
				e.fail(CheckEKU, newRuleError(EKU, c, "signet.ca-eku", err, "%s %s restricts extended key usage to %s, which excludes %s",
					e.role(i), Name(c), strings.Join(haveNames, ", "), ekuName(w)))
			}
			return
		}
	}
	e.pass(CheckEKU, nil, "%s allowed by every certificate of the chain", strings.Join(wantNames, ", "))
}

// explicitEKU refuses a leaf that does not itself list every usage in want (Policy.ExplicitEKU),
// and under webpki a leaf that lists anyExtendedKeyUsage at all (Baseline Requirements
// 7.1.2.7.10: it MUST NOT be present in a TLS server certificate, beside serverAuth or not).
func explicitEKU(leaf *x509.Certificate, have, want []asn1.ObjectIdentifier, webpki bool) *Error {
	err := x509.CertificateInvalidError{Cert: leaf, Reason: x509.IncompatibleUsage}
	if len(have) == 0 {
		return newRuleError(EKU, leaf, "signet.eku-missing", err, "certificate %s has no extended key usage extension; it must assert %s",
			Name(leaf), ekuName(want[0]))
	}
	hasAny := slices.ContainsFunc(have, oidAnyEKU.Equal)
	for _, w := range want {
		if !slices.ContainsFunc(have, w.Equal) && hasAny {
			return newRuleError(EKU, leaf, "signet.eku-any", err, "certificate %s relies on anyExtendedKeyUsage; it must assert %s itself",
				Name(leaf), ekuName(w))
		}
	}
	if webpki && hasAny {
		return newRuleError(EKU, leaf, "signet.eku-any", err, "certificate %s asserts anyExtendedKeyUsage, which a TLS server certificate must not (Baseline Requirements 7.1.2.7.10)",
			Name(leaf))
	}
	return nil
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// sameKey reports whether two certificates carry the same public key.
func sameKey(a, b *x509.Certificate) bool {
	return bytes.Equal(a.RawSubjectPublicKeyInfo, b.RawSubjectPublicKeyInfo)
}
