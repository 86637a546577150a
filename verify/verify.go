package verify

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

var (
	oidExtKeyUsage       = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidAnyEKU            = asn1.ObjectIdentifier{2, 5, 29, 37, 0}
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
// Chain building, signatures, validity periods, CA flags, path lengths, name constraints
// and certificate policies are crypto/x509's (x509.Certificate.Verify, with EKUs left to this
// package); the package documentation lists what Verify adds.
func Verify(leaf *x509.Certificate, extraChain []*x509.Certificate, p Policy) (*Result, error) {
	if leaf == nil || len(leaf.Raw) == 0 {
		return nil, fmt.Errorf("%w: no certificate to verify", ErrUnchecked)
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	v := &verifier{p: p, at: p.At}
	if v.at.IsZero() {
		v.at = time.Now()
	}
	v.at = v.at.UTC()
	for _, c := range slices.Concat(p.Intermediates, extraChain) {
		if c != nil && len(c.Raw) > 0 {
			v.inters = append(v.inters, c)
		}
	}
	roots := x509.NewCertPool()
	if p.SystemRoots {
		sys, err := x509.SystemCertPool()
		if err != nil {
			return nil, fmt.Errorf("%w: reading the system roots: %v", ErrUnchecked, err)
		}
		roots = sys
	}
	for _, r := range p.Roots {
		roots.AddCert(r)
	}
	inters := x509.NewCertPool()
	for _, c := range v.inters {
		inters.AddCert(c)
	}

	chains, goErr := leaf.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inters,
		CurrentTime:   v.at,
		// Never empty: crypto/x509 reads an empty list as serverAuth. EKUs are checked here,
		// with the policy's semantics (every usage required, unknown OIDs included).
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	var sre x509.SystemRootsError
	if errors.As(goErr, &sre) {
		return nil, fmt.Errorf("%w: %v", ErrUnchecked, goErr)
	}

	var best *evaluation
	consider := func(e *evaluation) {
		if best == nil || e.failures() < best.failures() {
			best = e
		}
	}
	if goErr == nil {
		for _, ch := range chains {
			consider(v.evaluate(ch, true, nil, ""))
			if best.failures() == 0 {
				break
			}
		}
	} else {
		paths, longest, deadEnd := buildPaths(leaf, p.Roots, v.inters)
		for _, path := range paths {
			consider(v.evaluate(path, true, goErr, ""))
		}
		if best == nil {
			if longest == nil {
				longest = []*x509.Certificate{leaf}
			}
			best = v.evaluate(longest, false, goErr, deadEnd)
		}
		if best.failures() == 0 {
			// crypto/x509 refused for a reason the mirror checks do not model; report it.
			best.insert(v.fromGo(goErr))
		}
	}

	res := &Result{
		Policy: v.report(),
		Chain:  chainCerts(best.path, best.anchored),
		Checks: best.checks,
	}
	if err := best.firstError(); err != nil {
		res.Reason, res.Error = err.Reason, err.Error()
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
	return nil
}

type verifier struct {
	p      Policy
	at     time.Time
	inters []*x509.Certificate
}

func (v *verifier) report() PolicyReport {
	r := PolicyReport{
		At:            v.at,
		Roots:         certRefs(v.p.Roots),
		SystemRoots:   v.p.SystemRoots,
		Intermediates: certRefs(v.inters),
		EKUs:          []string{},
		KeyUsage:      KeyUsageNames(v.p.KeyUsage),
		DNSName:       v.p.DNSName,
		Email:         v.p.Email,
		CRLs:          crlRefs(v.p.CRLs),
		RequireCRL:    v.p.RequireCRL,
		MaxDepth:      v.p.MaxDepth,
	}
	if v.p.IP != nil {
		r.IP = v.p.IP.String()
	}
	for _, u := range v.p.EKUs {
		r.EKUs = append(r.EKUs, ekuName(ekuOID(u)))
	}
	for _, o := range v.p.UnknownEKUs {
		r.EKUs = append(r.EKUs, ekuName(o))
	}
	return r
}

// evaluation is the checks made on one candidate chain.
type evaluation struct {
	path     []*x509.Certificate
	anchored bool // the last certificate is a trust anchor
	checks   []Check
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

func (e *evaluation) pass(check string, c *x509.Certificate, format string, args ...any) {
	e.checks = append(e.checks, Check{Check: check, Status: Pass, Subject: subjectOf(c), Detail: fmt.Sprintf(format, args...)})
}

func (e *evaluation) skip(check string, c *x509.Certificate, format string, args ...any) {
	e.checks = append(e.checks, Check{Check: check, Status: Skip, Subject: subjectOf(c), Detail: fmt.Sprintf(format, args...)})
}

func (e *evaluation) fail(check string, err *Error) {
	e.checks = append(e.checks, failCheck(check, err))
}

func failCheck(check string, err *Error) Check {
	return Check{Check: check, Status: Fail, Subject: subjectOf(err.Cert), Detail: err.Detail, err: err}
}

var checkOrder = []string{CheckChain, CheckValidity, CheckConstraints, CheckDepth, CheckKeyUsage, CheckEKU, CheckName, CheckRevocation}

// insert adds a check after the others of its kind, keeping the report's order.
func (e *evaluation) insert(c Check) {
	rank := slices.Index(checkOrder, c.Check)
	i := 0
	for i < len(e.checks) && slices.Index(checkOrder, e.checks[i].Check) <= rank {
		i++
	}
	e.checks = slices.Insert(e.checks, i, c)
}

func subjectOf(c *x509.Certificate) string {
	if c == nil {
		return ""
	}
	return Name(c)
}

func newError(r Reason, c *x509.Certificate, err error, format string, args ...any) *Error {
	return &Error{Reason: r, Cert: c, Err: err, Detail: fmt.Sprintf(format, args...)}
}

// role names a certificate by its place in the path, for messages.
func role(path []*x509.Certificate, i int, anchored bool) string {
	switch {
	case i == 0:
		return "certificate"
	case i == len(path)-1 && anchored:
		return "root"
	}
	return "intermediate CA"
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// evaluate runs every check on one path. goErr is crypto/x509's verdict on the leaf (nil when
// it accepted this path); deadEnd says why an unanchored path stops.
func (v *verifier) evaluate(path []*x509.Certificate, anchored bool, goErr error, deadEnd string) *evaluation {
	e := &evaluation{path: path, anchored: anchored}
	v.checkChain(e, deadEnd)
	v.checkValidity(e)
	v.checkConstraints(e, goErr)
	v.checkDepth(e)
	v.checkKeyUsage(e)
	v.checkEKU(e)
	v.checkNames(e)
	v.checkRevocation(e)
	return e
}

func (v *verifier) checkChain(e *evaluation, deadEnd string) {
	path := e.path
	if !e.anchored {
		e.fail(CheckChain, newError(UnknownAuthority, path[len(path)-1], x509.UnknownAuthorityError{Cert: path[0]},
			"no chain to a trusted root: %s", deadEnd))
		return
	}
	for i := 0; i+1 < len(path); i++ {
		err := path[i].CheckSignatureFrom(path[i+1])
		var cve x509.ConstraintViolationError
		if err != nil && !errors.As(err, &cve) { // CA flags and keyCertSign are constraints, below
			e.fail(CheckChain, newError(UnknownAuthority, path[i], err, "signature of %s by %s is not acceptable: %v",
				Name(path[i]), Name(path[i+1]), err))
			return
		}
	}
	if len(path) == 1 {
		e.pass(CheckChain, path[0], "the certificate is itself a trust anchor")
		return
	}
	names := make([]string, len(path))
	for i, c := range path {
		names[i] = Name(c)
	}
	e.pass(CheckChain, nil, "%s (trust anchor), each signature verified", strings.Join(names, " → "))
}

func (v *verifier) checkValidity(e *evaluation) {
	for i, c := range e.path {
		r := role(e.path, i, e.anchored)
		switch {
		case v.at.Before(c.NotBefore):
			e.fail(CheckValidity, newError(NotYetValid, c,
				x509.CertificateInvalidError{Cert: c, Reason: x509.Expired, Detail: "not yet valid at " + ts(v.at)},
				"%s %s is not valid before %s", r, Name(c), ts(c.NotBefore)))
		case v.at.After(c.NotAfter):
			e.fail(CheckValidity, newError(Expired, c,
				x509.CertificateInvalidError{Cert: c, Reason: x509.Expired, Detail: "expired at " + ts(v.at)},
				"%s %s expired at %s", r, Name(c), ts(c.NotAfter)))
		default:
			e.pass(CheckValidity, c, "valid from %s to %s", ts(c.NotBefore), ts(c.NotAfter))
		}
	}
}

// checkConstraints mirrors crypto/x509's CA checks (so a refusal can name the certificate
// and the rule) and adds the RFC 5280 rules crypto/x509 leaves out.
func (v *verifier) checkConstraints(e *evaluation, goErr error) {
	before := len(e.checks)
	path := e.path
	for i, c := range path {
		r := role(path, i, e.anchored)
		if len(c.UnhandledCriticalExtensions) > 0 {
			var oids []string
			for _, o := range c.UnhandledCriticalExtensions {
				oids = append(oids, o.String())
			}
			e.fail(CheckConstraints, newError(Constraint, c, x509.UnhandledCriticalExtension{},
				"%s %s has an unhandled critical extension %s", r, Name(c), strings.Join(oids, ", ")))
		}
		isCA := c.BasicConstraintsValid && c.IsCA
		if c.KeyUsage&x509.KeyUsageCertSign != 0 && !isCA {
			e.fail(CheckConstraints, newError(Malformed, c, nil,
				"%s %s asserts keyCertSign but is not a CA (RFC 5280 4.2.1.3)", r, Name(c)))
		}
		if isEmptyName(c.RawSubject) {
			switch ext := findExt(c, oidExtSubjectAltName); {
			case ext == nil:
				e.fail(CheckConstraints, newError(Malformed, c, nil,
					"%s %s has an empty subject and no subjectAltName (RFC 5280 4.1.2.6)", r, Name(c)))
			case !ext.Critical:
				e.fail(CheckConstraints, newError(Malformed, c, nil,
					"%s %s has an empty subject and a subjectAltName not marked critical (RFC 5280 4.2.1.6)", r, Name(c)))
			}
		}
		if i == 0 {
			if v.p.LeafNotCA && isCA && len(path) > 1 {
				e.fail(CheckConstraints, newError(Constraint, c, nil,
					"certificate %s is a CA certificate (basic constraints cA=TRUE), not an end entity", Name(c)))
			}
			continue
		}
		// c issued path[i-1].
		isRoot := e.anchored && i == len(path)-1
		switch {
		case !isRoot && !isCA:
			why := "its basic constraints do not say CA"
			if c.Version < 3 {
				why = fmt.Sprintf("it is a version %d certificate, without basic constraints", c.Version)
			}
			e.fail(CheckConstraints, newError(Constraint, c, x509.CertificateInvalidError{Cert: c, Reason: x509.NotAuthorizedToSign},
				"%s %s may not issue certificates: %s", r, Name(c), why))
		case isRoot && (c.Version == 3 && !c.BasicConstraintsValid || c.BasicConstraintsValid && !c.IsCA):
			e.fail(CheckConstraints, newError(Constraint, c, x509.ConstraintViolationError{},
				"root %s may not issue certificates: its basic constraints do not say CA", Name(c)))
		}
		if c.KeyUsage != 0 && c.KeyUsage&x509.KeyUsageCertSign == 0 {
			e.fail(CheckConstraints, newError(Constraint, c, x509.ConstraintViolationError{},
				"%s %s may not issue certificates: its key usage (%s) lacks keyCertSign", r, Name(c),
				strings.Join(KeyUsageNames(c.KeyUsage), ", ")))
		}
		if c.BasicConstraintsValid && c.MaxPathLen >= 0 && i-1 > c.MaxPathLen {
			e.fail(CheckConstraints, newError(Constraint, c, x509.CertificateInvalidError{Cert: c, Reason: x509.TooManyIntermediates},
				"%s %s allows %d intermediate CA(s) below it (pathLenConstraint), the chain has %d", r, Name(c), c.MaxPathLen, i-1))
		}
	}
	// Name constraints and certificate policies are crypto/x509's alone.
	var cie x509.CertificateInvalidError
	if errors.As(goErr, &cie) {
		switch cie.Reason {
		case x509.CANotAuthorizedForThisName, x509.NameConstraintsWithoutSANs, x509.UnconstrainedName, x509.TooManyConstraints:
			e.fail(CheckConstraints, newError(Constraint, path[0], goErr,
				"%s is outside the name constraints of a CA of its chain: %s", Name(path[0]), strings.TrimPrefix(goErr.Error(), "x509: ")))
		case x509.NoValidChains:
			e.fail(CheckConstraints, newError(Constraint, path[0], goErr,
				"no chain satisfies the certificate policies: %s", strings.TrimPrefix(goErr.Error(), "x509: ")))
		}
	}
	if len(e.checks) == before {
		if goErr == nil {
			e.pass(CheckConstraints, nil, "basic constraints, keyCertSign, path lengths, name constraints, certificate policies, critical extensions, subject and key usage rules hold")
		} else {
			e.pass(CheckConstraints, nil, "basic constraints, keyCertSign, path lengths, critical extensions, subject and key usage rules hold (name constraints and policies not evaluated: the chain failed another check)")
		}
	}
}

// isEmptyName reports whether a DER Name is an empty SEQUENCE.
func isEmptyName(raw []byte) bool {
	return bytes.Equal(raw, []byte{0x30, 0x00})
}

func findExt(c *x509.Certificate, oid asn1.ObjectIdentifier) *pkix.Extension {
	for i := range c.Extensions {
		if c.Extensions[i].Id.Equal(oid) {
			return &c.Extensions[i]
		}
	}
	return nil
}

func (v *verifier) checkDepth(e *evaluation) {
	if !e.anchored {
		e.skip(CheckDepth, nil, "no complete chain")
		return
	}
	n := max(len(e.path)-2, 0)
	switch {
	case v.p.MaxDepth == nil:
		e.skip(CheckDepth, nil, "no limit (the chain has %d intermediate(s))", n)
	case n > *v.p.MaxDepth:
		e.fail(CheckDepth, newError(Depth, e.path[0], nil,
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
	case findExt(leaf, oidExtKeyUsage) == nil:
		e.pass(CheckKeyUsage, leaf, "no key usage extension: every usage allowed (%s required)", strings.Join(KeyUsageNames(want), ", "))
	case want&^leaf.KeyUsage != 0:
		e.fail(CheckKeyUsage, newError(KeyUsage, leaf, nil, "certificate %s has key usage %s, without %s",
			Name(leaf), strings.Join(KeyUsageNames(leaf.KeyUsage), ", "), strings.Join(KeyUsageNames(want&^leaf.KeyUsage), ", ")))
	default:
		e.pass(CheckKeyUsage, leaf, "%s present", strings.Join(KeyUsageNames(want), ", "))
	}
}

func (v *verifier) checkEKU(e *evaluation) {
	want := v.p.requiredEKUs()
	if len(want) == 0 {
		e.skip(CheckEKU, nil, "no extended key usage required")
		return
	}
	wantNames := make([]string, len(want))
	for i, o := range want {
		wantNames[i] = ekuName(o)
	}
	for i, c := range e.path {
		have := certEKUs(c)
		if i == 0 && v.p.ExplicitEKU {
			if err := explicitEKU(c, have, want); err != nil {
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
				e.fail(CheckEKU, newError(EKU, c, err, "certificate %s is for %s, not %s",
					Name(c), strings.Join(haveNames, ", "), ekuName(w)))
			} else {
				e.fail(CheckEKU, newError(EKU, c, err, "%s %s restricts extended key usage to %s, which excludes %s",
					role(e.path, i, e.anchored), Name(c), strings.Join(haveNames, ", "), ekuName(w)))
			}
			return
		}
	}
	e.pass(CheckEKU, nil, "%s allowed by every certificate of the chain", strings.Join(wantNames, ", "))
}

// explicitEKU refuses a leaf that does not itself list every usage in want (Policy.ExplicitEKU).
func explicitEKU(leaf *x509.Certificate, have, want []asn1.ObjectIdentifier) *Error {
	err := x509.CertificateInvalidError{Cert: leaf, Reason: x509.IncompatibleUsage}
	if len(have) == 0 {
		return newError(EKU, leaf, err, "certificate %s has no extended key usage extension; it must assert %s",
			Name(leaf), ekuName(want[0]))
	}
	for _, w := range want {
		if !slices.ContainsFunc(have, w.Equal) {
			if slices.ContainsFunc(have, oidAnyEKU.Equal) {
				return newError(EKU, leaf, err, "certificate %s relies on anyExtendedKeyUsage; it must assert %s itself",
					Name(leaf), ekuName(w))
			}
			return nil // the general check below names what it has instead
		}
	}
	return nil
}

func (v *verifier) checkNames(e *evaluation) {
	leaf := e.path[0]
	if v.p.DNSName == "" && v.p.IP == nil && v.p.Email == "" {
		e.skip(CheckName, leaf, "no name required")
		return
	}
	if h := v.p.DNSName; h != "" {
		if err := leaf.VerifyHostname(h); err != nil {
			e.fail(CheckName, newError(NameMismatch, leaf, err, "certificate %s is not valid for host %s (its DNS names: %s)",
				Name(leaf), h, listOrNone(leaf.DNSNames)))
		} else {
			e.pass(CheckName, leaf, "host %s matches", h)
		}
	}
	if ip := v.p.IP; ip != nil {
		if err := leaf.VerifyHostname(ip.String()); err != nil {
			var ips []string
			for _, a := range leaf.IPAddresses {
				ips = append(ips, a.String())
			}
			e.fail(CheckName, newError(NameMismatch, leaf, err, "certificate %s is not valid for IP address %s (its IP addresses: %s)",
				Name(leaf), ip, listOrNone(ips)))
		} else {
			e.pass(CheckName, leaf, "IP address %s matches", ip)
		}
	}
	if m := v.p.Email; m != "" {
		if slices.ContainsFunc(leaf.EmailAddresses, func(a string) bool { return emailEqual(a, m) }) {
			e.pass(CheckName, leaf, "email %s matches", m)
		} else {
			e.fail(CheckName, newError(NameMismatch, leaf, nil, "certificate %s is not valid for email %s (its email addresses: %s)",
				Name(leaf), m, listOrNone(leaf.EmailAddresses)))
		}
	}
}

// emailEqual compares addresses as RFC 5280 4.2.1.6 says: the local part exactly, the domain
// without regard to case.
func emailEqual(a, b string) bool {
	ai, bi := strings.LastIndexByte(a, '@'), strings.LastIndexByte(b, '@')
	if ai < 0 || bi < 0 {
		return a == b
	}
	return a[:ai] == b[:bi] && strings.EqualFold(a[ai+1:], b[bi+1:])
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// fromGo turns a refusal of crypto/x509 that the mirror checks did not explain into a check.
func (v *verifier) fromGo(goErr error) Check {
	msg := strings.TrimPrefix(goErr.Error(), "x509: ")
	var cie x509.CertificateInvalidError
	if errors.As(goErr, &cie) {
		switch cie.Reason {
		case x509.Expired:
			if v.at.Before(cie.Cert.NotBefore) {
				return failCheck(CheckValidity, newError(NotYetValid, cie.Cert, goErr, "%s is not valid before %s", Name(cie.Cert), ts(cie.Cert.NotBefore)))
			}
			return failCheck(CheckValidity, newError(Expired, cie.Cert, goErr, "%s expired at %s", Name(cie.Cert), ts(cie.Cert.NotAfter)))
		case x509.IncompatibleUsage, x509.CANotAuthorizedForExtKeyUsage:
			return failCheck(CheckEKU, newError(EKU, cie.Cert, goErr, "%s", msg))
		case x509.NameMismatch:
			return failCheck(CheckChain, newError(UnknownAuthority, cie.Cert, goErr, "%s", msg))
		}
		return failCheck(CheckConstraints, newError(Constraint, cie.Cert, goErr, "%s: %s", Name(cie.Cert), msg))
	}
	var uce x509.UnhandledCriticalExtension
	if errors.As(goErr, &uce) {
		return failCheck(CheckConstraints, newError(Constraint, nil, goErr, "%s", msg))
	}
	return failCheck(CheckChain, newError(UnknownAuthority, nil, goErr, "no acceptable chain: %s", msg))
}
