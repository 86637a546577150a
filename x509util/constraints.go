package x509util

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"

	"github.com/signet-pki/signet/internal/pkixname"
)

// Name constraints (RFC 5280 section 4.2.1.10) are checked when a certificate is issued, so
// that signet never signs a certificate its own CA's constraints forbid. crypto/x509 only
// checks them when verifying, and not for directoryName at all. The extension is parsed and
// the names are matched by internal/pkixname, the code path validation (package verify) uses,
// in its issuing reading (pkixname.Checker.Conservative): where readings of RFC 5280 differ, a
// permitted subtree is read narrowly and an excluded one broadly, so that a certificate signet
// issues passes every verifier's reading (the list is in pkixname.Checker's doc).
//
// A CA whose name constraints break RFC 5280's syntax (a dNSName with a leading period, an
// iPAddress mask that is not contiguous, empty subtrees, a minimum or maximum) is refused as
// an issuer (ErrIssuer): path validation refuses every certificate below it, so nothing it
// issued would be accepted.
//
// The names held to the constraints are the subject (directoryName), every SAN of the forms
// signet issues (dNSName, rfc822Name, iPAddress, uniformResourceIdentifier), every
// emailAddress attribute of the subject as an rfc822Name (RFC 5280 asks it when there is no
// SAN; OpenSSL always does it) and a common name that is a host name as a dNSName, for clients
// that still read it (OpenSSL does so only when there is no DNS SAN; signet always).

var oidExtNameConstraints = asn1.ObjectIdentifier{2, 5, 29, 30}

// NameConstraintError is a name of a certificate to issue that a CA's name constraints do not
// allow. It wraps ErrNameConstraint.
type NameConstraintError struct {
	// CA is the subject of the constrained CA (FormatName).
	CA string
	// Name is the offending name as --san writes it ("dns:www.example.org"), or "subject
	// CN=..." for the subject.
	Name string
	// Constraint says which constraint it breaks: "permitted dNSName subtrees nc.example.com"
	// or "excluded rfc822Name subtree example.org".
	Constraint string
}

func (e *NameConstraintError) Error() string {
	return fmt.Sprintf("%v: %s is outside the %s of the CA %q", ErrNameConstraint, e.Name, e.Constraint, e.CA)
}

func (e *NameConstraintError) Unwrap() error { return ErrNameConstraint }

// parseNameConstraints reads the nameConstraints extension of ca; nil when it has none.
func parseNameConstraints(ca *x509.Certificate) (*pkixname.NameConstraints, error) {
	for _, e := range ca.Extensions {
		if !e.Id.Equal(oidExtNameConstraints) {
			continue
		}
		nc, err := pkixname.ParseNameConstraints(e.Value)
		if err != nil {
			return nil, fmt.Errorf("%w: the CA %q has invalid name constraints, so signet will not issue under it (a verifier refuses every certificate below it): %w",
				ErrIssuer, FormatName(ca.Subject), err)
		}
		return nc, nil
	}
	return nil, nil
}

// issuedName is one name of a certificate to issue, as name constraints see it and as
// messages show it.
type issuedName struct {
	name pkixname.GeneralName
	show string // as --san writes it, or "subject ..."
}

// CheckNameConstraints reports a name of the certificate req asks for (its subject and SANs)
// that the name constraints of its issuer, or of a CA of IssuerChain, exclude
// (ErrNameConstraint): the check IssueCertificate makes, for a caller that validates
// everything before it writes anything (a key generated on a token). A request without an
// issuer passes.
func CheckNameConstraints(req IssueRequest) error {
	if req.Issuer == nil {
		return nil
	}
	rawSubject, _, err := issueSubject(req)
	if err != nil {
		return err
	}
	sans := SANs{DNSNames: req.DNSNames, IPAddresses: req.IPAddresses, EmailAddresses: req.EmailAddresses, URIs: req.URIs}
	return checkNameConstraints(append([]*x509.Certificate{req.Issuer}, req.IssuerChain...), rawSubject, sans)
}

// checkNameConstraints checks the subject (DER) and names of a certificate to issue against
// the name constraints of each CA in cas.
func checkNameConstraints(cas []*x509.Certificate, rawSubject []byte, sans SANs) error {
	subject, err := pkixname.ParseDN(rawSubject)
	if err != nil {
		return fmt.Errorf("%w: the subject is not a DER Name", ErrInvalidName)
	}
	var names []issuedName
	add := func(form pkixname.Form, raw []byte, show string) {
		names = append(names, issuedName{pkixname.GeneralName{Form: form, Raw: raw}, show})
	}
	if !subject.Empty() {
		names = append(names, issuedName{pkixname.GeneralName{Form: pkixname.DirectoryName, Raw: rawSubject, DN: subject},
			"subject " + formatRawName(rawSubject)})
	}
	for _, d := range sans.DNSNames {
		add(pkixname.DNSName, []byte(d), "dns:"+d)
	}
	for _, e := range sans.EmailAddresses {
		add(pkixname.RFC822Name, []byte(e), "email:"+e)
	}
	for _, ip := range sans.IPAddresses {
		raw := ip.To4() // as crypto/x509 writes an IPv4 address: 4 octets
		if raw == nil {
			raw = ip.To16()
		}
		add(pkixname.IPAddress, raw, "ip:"+ip.String())
	}
	for _, u := range sans.URIs {
		add(pkixname.URI, []byte(u.String()), "uri:"+u.String())
	}
	for _, e := range subject.Values(pkixname.OIDEmailAddress) {
		add(pkixname.RFC822Name, []byte(e), "subject emailAddress "+escapeText(e))
	}
	for _, cn := range subject.Values(oidCommonName) {
		if strings.Contains(cn, ".") && sanCheckDNS(cn, true) == nil {
			add(pkixname.DNSName, []byte(cn), "subject CN "+escapeText(cn))
		}
	}

	for _, ca := range cas {
		nc, err := parseNameConstraints(ca)
		if err != nil {
			return err
		}
		if nc == nil {
			continue
		}
		checker := &pkixname.Checker{Conservative: true}
		checker.Add(nc)
		for _, n := range names {
			if err := checker.Check([]pkixname.GeneralName{n.name}); err != nil {
				return nameConstraintError(FormatName(ca.Subject), n.show, err)
			}
		}
	}
	return nil
}

// nameConstraintError says which constraint of the CA the name shown breaks.
func nameConstraintError(ca, name string, err error) *NameConstraintError {
	e := &NameConstraintError{CA: ca, Name: name}
	var v *pkixname.Violation
	var syn *pkixname.SyntaxError
	switch {
	case errors.As(err, &v) && v.Excluded != nil:
		e.Constraint = "excluded " + v.Name.Form.String() + " subtree " + showConstraint(*v.Excluded)
	case errors.As(err, &v):
		sep := ", "
		if v.Name.Form == pkixname.DirectoryName {
			sep = "; " // a DN has commas of its own
		}
		var all []string
		for _, p := range v.Permitted {
			all = append(all, showConstraint(p))
		}
		e.Constraint = "permitted " + v.Name.Form.String() + " subtrees " + strings.Join(all, sep)
	case errors.As(err, &syn):
		e.Constraint = syn.Form.String() + " subtrees (" + syn.Why + ")"
	default:
		e.Constraint = "name constraints (" + escapeText(err.Error()) + ")"
	}
	return e
}

// showConstraint writes a constraint as messages show it, escaping what a hostile CA could
// put in it.
func showConstraint(g pkixname.GeneralName) string {
	switch g.Form {
	case pkixname.DirectoryName:
		return formatRawName(g.Raw)
	case pkixname.IPAddress:
		return g.String()
	}
	return escapeText(string(g.Raw))
}
