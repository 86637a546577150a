package verify

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/signet-pki/signet/internal/pkixname"
)

// maxNameComparisons bounds the work of checking names against name constraints over one
// path: a certificate with thousands of names under a CA with thousands of constraints is
// refused rather than checked for minutes. It bounds two counts: the comparisons of a name
// with a constraint of its form over the path, and for each certificate its names times the
// constraints above it of any form (each name is held against every constraint, as OpenSSL
// counts the work), so that thousands of e-mail addresses under thousands of DNS constraints
// are refused as thousands of DNS names are.
const maxNameComparisons = 1 << 17

// checkConstraints runs the CA checks of RFC 5280 6.1.3 and 6.1.4 over a path, from the trust
// anchor down: every issuer is a CA (basic constraints cA, keyCertSign when key usage is
// present), pathLenConstraint counted without self-issued certificates, name constraints of
// every form accumulated from the trust anchor down and applied to every certificate but
// self-issued intermediates.
func (v *verifier) checkConstraints(e *evaluation) {
	before := len(e.checks)
	path := e.path
	top := len(path) - 1
	if !e.anchored {
		e.skip(CheckConstraints, nil, "no complete chain")
		return
	}
	// Unknown critical extensions (6.1.4 (o), 6.1.5 (f)), the trust anchor's included.
	for i, ci := range path {
		if len(ci.unhandled) > 0 {
			var oids []string
			for _, o := range ci.unhandled {
				oids = append(oids, o.String())
			}
			e.fail(CheckConstraints, newRuleError(Constraint, ci.c, "rfc5280.unknown-critical-extension", x509.UnhandledCriticalExtension{},
				"%s %s has an unhandled critical extension %s", e.role(i), Name(ci.c), strings.Join(oids, ", ")))
		}
	}
	// Issuers must be CAs.
	for i := 1; i <= top; i++ {
		ci := path[i]
		c := ci.c
		r := e.role(i)
		isCA := c.BasicConstraintsValid && c.IsCA
		switch {
		case i < top && !isCA:
			why := "its basic constraints do not say CA"
			if c.Version < 3 {
				why = fmt.Sprintf("it is a version %d certificate, without basic constraints", c.Version)
			}
			e.fail(CheckConstraints, newRuleError(Constraint, c, "rfc5280.issuer-not-ca", x509.CertificateInvalidError{Cert: c, Reason: x509.NotAuthorizedToSign},
				"%s %s may not issue certificates: %s", r, Name(c), why))
		case i == top && (c.Version >= 3 && !c.BasicConstraintsValid || c.BasicConstraintsValid && !c.IsCA):
			e.fail(CheckConstraints, newRuleError(Constraint, c, "rfc5280.issuer-not-ca", x509.ConstraintViolationError{},
				"root %s may not issue certificates: its basic constraints do not say CA", Name(c)))
		}
		if findExt(c, oidExtKeyUsage) != nil && c.KeyUsage&x509.KeyUsageCertSign == 0 {
			e.fail(CheckConstraints, newRuleError(Constraint, c, "rfc5280.issuer-no-keycertsign", x509.ConstraintViolationError{},
				"%s %s may not issue certificates: its key usage (%s) lacks keyCertSign", r, Name(c),
				strings.Join(KeyUsageNames(c.KeyUsage), ", ")))
		}
	}
	// A leaf for an end-entity purpose is not a CA.
	if leaf := path[0].c; v.leafNot && top > 0 && leaf.BasicConstraintsValid && leaf.IsCA && !v.webpki {
		e.fail(CheckConstraints, newRuleError(Constraint, leaf, "signet.leaf-is-ca", nil,
			"certificate %s is a CA certificate (basic constraints cA=TRUE), not an end entity", Name(leaf)))
	}
	// pathLenConstraint (6.1.4 (l), (m)): the trust anchor's own constraint counts.
	maxLen, setter := -1, (*certInfo)(nil)
	if a := path[top].c; a.BasicConstraintsValid && a.IsCA && (a.MaxPathLen > 0 || a.MaxPathLenZero) {
		maxLen, setter = a.MaxPathLen, path[top]
	}
	used := 0
	for i := top - 1; i >= 1; i-- {
		ci := path[i]
		if !ci.selfIssued {
			if maxLen >= 0 && used >= maxLen {
				c := setter.c
				e.fail(CheckConstraints, newRuleError(Constraint, c, "rfc5280.pathlen", x509.CertificateInvalidError{Cert: c, Reason: x509.TooManyIntermediates},
					"%s %s allows %d intermediate CA(s) below it (pathLenConstraint), the chain has %d", e.role(indexOf(path, setter)), Name(c), setter.c.MaxPathLen, nonSelfIssuedBelow(path, indexOf(path, setter))))
				break
			}
			used++
		}
		if c := ci.c; c.BasicConstraintsValid && c.IsCA && (c.MaxPathLen > 0 || c.MaxPathLenZero) {
			if maxLen < 0 || c.MaxPathLen < maxLen-used {
				maxLen, used, setter = c.MaxPathLen, 0, ci
			}
		}
	}
	// Name constraints (6.1.3 (b), (c); 6.1.4 (g)).
	for i := top; i >= 1; i-- {
		if err := path[i].ncErr; err != nil {
			e.fail(CheckConstraints, newRuleError(Constraint, path[i].c, "rfc5280.nc-invalid", x509.CertificateInvalidError{Cert: path[i].c, Reason: x509.CANotAuthorizedForThisName},
				"%s %s has name constraints written invalidly, so nothing below it can be checked: %v", e.role(i), Name(path[i].c), err))
			return
		}
	}
	checker := &pkixname.Checker{Budget: maxNameComparisons}
	constraints := 0 // of every form, from the trust anchor down
	add := func(nc *pkixname.NameConstraints) {
		checker.Add(nc)
		if nc != nil {
			constraints += len(nc.Permitted) + len(nc.Excluded)
		}
	}
	add(path[top].nc)
	for i := top - 1; i >= 0; i-- {
		ci := path[i]
		if (i == 0 || !ci.selfIssued) && !checker.Empty() {
			names := pkixname.SubjectNames(ci.subject, ci.sans, ci.hasSAN)
			err := error(pkixname.ErrTooMuchWork) // refused before any work
			if len(names)*constraints <= maxNameComparisons {
				err = checker.Check(names)
			}
			if err != nil {
				e.fail(CheckConstraints, ncError(ci.c, e.role(i), err))
				break
			}
		}
		if i > 0 {
			add(ci.nc)
		}
	}
	if len(e.checks) == before {
		e.pass(CheckConstraints, nil, "basic constraints, keyCertSign, path lengths and name constraints hold")
	}
}

func ncError(c *x509.Certificate, role string, err error) *Error {
	var viol *pkixname.Violation
	var syn *pkixname.SyntaxError
	base := x509.CertificateInvalidError{Cert: c, Reason: x509.CANotAuthorizedForThisName, Detail: err.Error()}
	switch {
	case errors.Is(err, pkixname.ErrTooMuchWork):
		return newRuleError(Constraint, c, "signet.nc-too-much-work", x509.CertificateInvalidError{Cert: c, Reason: x509.TooManyConstraints},
			"%s %s: checking its names against the name constraints of its chain would take more than %d comparisons", role, Name(c), maxNameComparisons)
	case errors.Is(err, pkixname.ErrUnsupportedForm):
		return newRuleError(Constraint, c, "rfc5280.nc-unsupported-form", base,
			"%s %s has a name of a form the name constraints of its chain restrict and signet cannot check (%v)", role, Name(c), err)
	case errors.As(err, &syn):
		return newRuleError(Constraint, c, "rfc5280.nc-unchecked-name", base,
			"%s %s is outside the name constraints of a CA of its chain: %v", role, Name(c), err)
	case errors.As(err, &viol):
		rule := "rfc5280.nc-permitted"
		if viol.Excluded != nil {
			rule = "rfc5280.nc-excluded"
		}
		return newRuleError(Constraint, c, rule, base, "%s %s is outside the name constraints of a CA of its chain: %v", role, Name(c), err)
	}
	return newRuleError(Constraint, c, "rfc5280.nc-permitted", base, "%s %s is outside the name constraints of a CA of its chain: %v", role, Name(c), err)
}

func indexOf(path []*certInfo, c *certInfo) int {
	for i, p := range path {
		if p == c {
			return i
		}
	}
	return -1
}

// nonSelfIssuedBelow counts the intermediates below path[i] that are not self-issued.
func nonSelfIssuedBelow(path []*certInfo, i int) int {
	n := 0
	for j := i - 1; j >= 1; j-- {
		if !path[j].selfIssued {
			n++
		}
	}
	return n
}
