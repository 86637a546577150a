package verify

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"

	"github.com/signet-pki/signet/x509util"
)

var (
	oidCRLAuthorityKeyID = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidCRLNumber         = asn1.ObjectIdentifier{2, 5, 29, 20}
)

const reasonRemoveFromCRL = 8

// crlVerdict is what one CRL says about its usability for an issuer of the chain.
type crlVerdict struct {
	crl     *x509.RevocationList
	problem *Error // nil when the CRL is usable
	current bool   // signed by the issuer and its dates cover the validation time
}

func crlLabel(l *x509.RevocationList) string {
	s := "CRL of " + nameString(l.Issuer)
	if l.Number != nil {
		s += fmt.Sprintf(" (number %s)", l.Number)
	}
	return s
}

// judgeCRL checks a CRL that names issuer as its issuer: signature by issuer's key (and
// cRLSign), critical extensions, dates.
func (v *verifier) judgeCRL(l *x509.RevocationList, issuer *x509.Certificate) crlVerdict {
	bad := func(err error, format string, args ...any) crlVerdict {
		return crlVerdict{crl: l, problem: newError(CRLInvalid, issuer, err, format, args...)}
	}
	if err := l.CheckSignatureFrom(issuer); err != nil {
		var cve x509.ConstraintViolationError
		if errors.As(err, &cve) {
			if issuer.KeyUsage != 0 && issuer.KeyUsage&x509.KeyUsageCRLSign == 0 {
				return bad(err, "%s cannot be trusted: the issuer's key usage (%s) lacks cRLSign",
					crlLabel(l), strings.Join(KeyUsageNames(issuer.KeyUsage), ", "))
			}
			return bad(err, "%s cannot be trusted: the issuer is not a CA", crlLabel(l))
		}
		return bad(err, "%s is not signed by the chain's %s (sha256:%s): %v",
			crlLabel(l), Name(issuer), Fingerprint(issuer)[:16], err)
	}
	for _, ext := range l.Extensions {
		if ext.Critical && !ext.Id.Equal(oidCRLAuthorityKeyID) && !ext.Id.Equal(oidCRLNumber) {
			return bad(nil, "%s has a critical extension signet does not handle (%s; delta, partitioned and indirect CRLs are not supported)",
				crlLabel(l), ext.Id)
		}
	}
	for _, entry := range l.RevokedCertificateEntries {
		for _, ext := range entry.Extensions {
			if ext.Critical {
				return bad(nil, "%s has an entry with a critical extension signet does not handle (%s)", crlLabel(l), ext.Id)
			}
		}
	}
	if v.at.Before(l.ThisUpdate) {
		return crlVerdict{crl: l, problem: newError(CRLInvalid, issuer, nil, "%s is not valid before %s (thisUpdate)",
			crlLabel(l), ts(l.ThisUpdate))}
	}
	if !l.NextUpdate.IsZero() && v.at.After(l.NextUpdate) {
		return crlVerdict{crl: l, problem: newError(CRLInvalid, issuer, nil, "%s expired at %s (nextUpdate)",
			crlLabel(l), ts(l.NextUpdate))}
	}
	return crlVerdict{crl: l, current: true}
}

func (v *verifier) checkRevocation(e *evaluation) {
	path := e.path
	used := make([]bool, len(v.p.CRLs))
	for i, c := range path {
		if e.anchored && i == len(path)-1 {
			break // the trust anchor is trusted as it is
		}
		if i+1 >= len(path) {
			e.skip(CheckRevocation, c, "not checked: the issuer is not known")
			break
		}
		issuer := path[i+1]
		required := v.p.RequireCRL && (i == 0 || !(e.anchored && i+1 == len(path)-1))

		var current []crlVerdict
		var problem *Error
		for k, l := range v.p.CRLs {
			if !bytes.Equal(l.RawIssuer, issuer.RawSubject) {
				continue
			}
			used[k] = true
			j := v.judgeCRL(l, issuer)
			switch {
			case j.current:
				current = append(current, j)
			case problem == nil || problem.Reason == CRLInvalid && j.problem.Err != nil:
				// Prefer reporting a forged CRL over a stale one.
				problem = j.problem
			}
		}
		if problem != nil && (len(current) == 0 || problem.Err != nil) {
			problem.Cert = c
			e.fail(CheckRevocation, problem)
			continue
		}
		if len(current) == 0 {
			if required {
				e.fail(CheckRevocation, newError(CRLMissing, c, nil, "no CRL of %s to check %s, and a CRL is required",
					Name(issuer), Name(c)))
			} else {
				e.skip(CheckRevocation, c, "not checked: no CRL of %s given", Name(issuer))
			}
			continue
		}
		revoked := false
		for _, j := range current {
			for _, entry := range j.crl.RevokedCertificateEntries {
				if entry.SerialNumber == nil || entry.SerialNumber.Cmp(c.SerialNumber) != 0 || entry.ReasonCode == reasonRemoveFromCRL {
					continue
				}
				e.fail(CheckRevocation, newError(Revoked, c, nil, "%s %s (serial %s) was revoked at %s (%s) by %s",
					role(path, i, e.anchored), Name(c), x509util.FormatSerial(c.SerialNumber), ts(entry.RevocationTime),
					x509util.ReasonName(entry.ReasonCode), crlLabel(j.crl)))
				revoked = true
				break
			}
			if revoked {
				break
			}
		}
		if !revoked {
			j := current[0]
			e.pass(CheckRevocation, c, "not revoked according to the %s, thisUpdate %s, nextUpdate %s",
				crlLabel(j.crl), ts(j.crl.ThisUpdate), nextUpdateString(j.crl))
		}
	}
	for k, l := range v.p.CRLs {
		if !used[k] {
			e.skip(CheckRevocation, nil, "%s covers no certificate of the chain", crlLabel(l))
		}
	}
}

func nextUpdateString(l *x509.RevocationList) string {
	if l.NextUpdate.IsZero() {
		return "none"
	}
	return ts(l.NextUpdate)
}
