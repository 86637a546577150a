package x509util

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/internal/pkixname"
)

// What a CSR asks for: its requested extensions taken apart as a certificate's are, and its
// other attributes. A CA operator inspects a CSR before issuing it; a request for CA:TRUE
// must not read as one without it. crypto/x509 reads no requested extension but the subject
// alternative names, so each is read here from its own bytes, with the decoders that show a
// certificate's (inspectext.go), and a requested extension that does not parse, or one
// requested twice, makes the CSR malformed: inspecting and issuing refuse it rather than show
// or certify a part of it.

// ExtensionFields are the extensions cert inspect takes apart beyond the subject alternative
// names, with the JSON fields of CertificateInfo: a CSR's requested extensions (CSRInfo
// embeds it), or a certificate's (CertificateInfo.ExtensionFields). Each is nil (JSON null),
// or "" for a string, when its extension is absent.
type ExtensionFields struct {
	// KeyUsage holds the RFC 5280 names of the bits set.
	KeyUsage []string `json:"key_usage"`
	// ExtKeyUsage holds names (ExtKeyUsages) or dotted OIDs, in the extension's order.
	ExtKeyUsage      []string              `json:"ext_key_usage"`
	BasicConstraints *BasicConstraintsInfo `json:"basic_constraints"`
	SubjectKeyID     string                `json:"subject_key_id"`   // lowercase hex
	AuthorityKeyID   string                `json:"authority_key_id"` // lowercase hex
	CRLDistribution  []string              `json:"crl_distribution_points"`
	OCSPServers      []string              `json:"ocsp_servers"`
	IssuingCertURLs  []string              `json:"issuing_certificate_urls"`
	NameConstraints  *NameConstraintsInfo  `json:"name_constraints"`

	Policies            []PolicyInfo           `json:"policies"`
	PolicyMappings      []PolicyMappingInfo    `json:"policy_mappings"`
	PolicyConstraints   *PolicyConstraintsInfo `json:"policy_constraints"`
	InhibitAnyPolicy    *int                   `json:"inhibit_any_policy"`
	IssuerAltNames      []string               `json:"issuer_alt_names"`
	SubjectInfoAccess   []AccessInfo           `json:"subject_info_access"`
	SCTs                []SCTInfo              `json:"scts"`
	AuthorityCertIssuer []string               `json:"authority_cert_issuer"`
	AuthorityCertSerial string                 `json:"authority_cert_serial"`
	FreshestCRL         []string               `json:"freshest_crl"`
}

// ExtensionFields returns the extensions of c that ExtensionFields holds, as c has them.
func (c CertificateInfo) ExtensionFields() ExtensionFields {
	return ExtensionFields{
		KeyUsage: c.KeyUsage, ExtKeyUsage: c.ExtKeyUsage, BasicConstraints: c.BasicConstraints,
		SubjectKeyID: c.SubjectKeyID, AuthorityKeyID: c.AuthorityKeyID, CRLDistribution: c.CRLDistribution,
		OCSPServers: c.OCSPServers, IssuingCertURLs: c.IssuingCertURLs, NameConstraints: c.NameConstraints,
		Policies: c.Policies, PolicyMappings: c.PolicyMappings, PolicyConstraints: c.PolicyConstraints,
		InhibitAnyPolicy: c.InhibitAnyPolicy, IssuerAltNames: c.IssuerAltNames, SubjectInfoAccess: c.SubjectInfoAccess,
		SCTs: c.SCTs, AuthorityCertIssuer: c.AuthorityCertIssuer, AuthorityCertSerial: c.AuthorityCertSerial,
		FreshestCRL: c.FreshestCRL,
	}
}

// AttributeInfo is an attribute of a CSR other than its extensionRequest and
// challengePassword: its dotted OID, its PKCS #9 name ("" for one signet does not name), and
// each value as text when it is a string (escaped as names are), otherwise # and the hex of
// its DER.
type AttributeInfo struct {
	OID    string   `json:"oid"`
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

var (
	oidAttrChallengePassword = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 7}
	// the attributes of a CSR signet names, PKCS #9's (RFC 2985)
	csrAttributeNames = sync.OnceValue(func() map[string]string {
		return map[string]string{
			"1.2.840.113549.1.9.2":  "unstructuredName",
			"1.2.840.113549.1.9.8":  "unstructuredAddress",
			"1.2.840.113549.1.9.15": "smimeCapabilities",
		}
	})
)

// csrAttributes reads the attributes of a CSR's TBS: whether it has a challengePassword (its
// value is never read: it is a secret), and the others but the extensionRequest. What does
// not parse is left out: DescribeCSR shows a CSR crypto/x509 has read.
func csrAttributes(tbs []byte) (challenge bool, attrs []AttributeInfo) {
	attrs = []AttributeInfo{}
	s := cryptobyte.String(tbs)
	var body, list cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !body.SkipASN1(cbasn1.INTEGER) || !body.SkipASN1(cbasn1.SEQUENCE) ||
		!body.SkipASN1(cbasn1.SEQUENCE) || !body.ReadASN1(&list, cbasn1.Tag(0).ContextSpecific().Constructed()) {
		return false, attrs
	}
	for !list.Empty() {
		var attr, values cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !list.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&oid) || !attr.ReadASN1(&values, cbasn1.SET) {
			return challenge, attrs
		}
		switch {
		case oid.Equal(oidAttrChallengePassword):
			challenge = true
			continue
		case oid.Equal(oidExtensionRequest):
			continue
		}
		a := AttributeInfo{OID: oid.String(), Name: csrAttributeNames()[oid.String()], Values: []string{}}
		for !values.Empty() {
			var el, v cryptobyte.String
			var tag cbasn1.Tag
			if !values.ReadAnyASN1Element(&el, &tag) {
				break
			}
			inner := el
			if inner.ReadAnyASN1(&v, &tag) {
				if text, ok := pkixname.DecodeString(tag, v); ok {
					a.Values = append(a.Values, escapeText(text))
					continue
				}
			}
			a.Values = append(a.Values, fmt.Sprintf("#%X", []byte(el)))
		}
		attrs = append(attrs, a)
	}
	return challenge, attrs
}

// describeRequested takes apart a CSR's requested extensions with the decoders of a
// certificate's. checkRequestedExtensions has found each of them parses.
func describeRequested(exts []pkix.Extension) ExtensionFields {
	var f ExtensionFields
	f.CRLDistribution, f.OCSPServers, f.IssuingCertURLs = []string{}, []string{}, []string{}
	var all []inspectExt
	for _, e := range exts {
		all = append(all, inspectExt{e.Id, e.Critical, e.Value})
		switch {
		case e.Id.Equal(oidExtKeyUsage):
			if ku, ok := readKeyUsage(e.Value); ok {
				f.KeyUsage = KeyUsageNames(ku)
			}
		case e.Id.Equal(oidExtExtKeyUsage):
			if ekus, ok := readEKUs(e.Value); ok {
				f.ExtKeyUsage = []string{}
				for _, o := range ekus {
					f.ExtKeyUsage = append(f.ExtKeyUsage, ExtKeyUsageName(o))
				}
			}
		case e.Id.Equal(oidExtBasicConstraints):
			if bc, ok := readBasicConstraints(e.Value); ok {
				bc.Critical = e.Critical
				f.BasicConstraints = bc
			}
		case e.Id.Equal(oidExtNameConstraints):
			f.NameConstraints = describeNameConstraints(e.Value, e.Critical)
		case e.Id.Equal(oidSubjectKeyID):
			if id, ok := readSubjectKeyID(e.Value); ok {
				f.SubjectKeyID = hexOrEmpty(id)
			}
		case e.Id.Equal(oidAuthorityKeyID):
			if id, ok := readAuthorityKeyID(e.Value); ok {
				f.AuthorityKeyID = hexOrEmpty(id)
			}
		}
	}
	f.CRLDistribution = escapeAll(distributionPointURIs(exts))
	ocsp, ca := aiaURIs(exts)
	f.OCSPServers, f.IssuingCertURLs = escapeAll(ocsp), escapeAll(ca)
	describeFromDER(all, &f)
	return f
}

// describeFromDER fills the fields of f that certificates and CSRs read alike from the
// extensions' DER (crypto/x509 reads none of them): policies, policy mappings and
// constraints, inhibitAnyPolicy, subject information access, SCTs, and
// describeIssuerExtensions's. A value that does not parse leaves its field nil.
func describeFromDER(exts []inspectExt, f *ExtensionFields) {
	if v, ok := findExt(exts, oidExtCertificatePolicies); ok {
		f.Policies, _ = describePolicies(v)
	}
	if v, ok := findExt(exts, oidExtPolicyMappings); ok {
		f.PolicyMappings, _ = describePolicyMappings(v)
	}
	if v, ok := findExt(exts, oidExtPolicyConstraints); ok {
		f.PolicyConstraints, _ = describePolicyConstraints(v)
	}
	if v, ok := findExt(exts, oidExtInhibitAnyPolicy); ok {
		f.InhibitAnyPolicy, _ = describeInhibitAnyPolicy(v)
	}
	if v, ok := findExt(exts, oidExtSubjectInfoAccess); ok {
		f.SubjectInfoAccess, _ = describeAccess(v)
	}
	if v, ok := findExt(exts, oidExtSCTList); ok {
		f.SCTs, _ = describeSCTs(v)
	}
	f.IssuerAltNames, f.AuthorityCertIssuer, f.AuthorityCertSerial, f.FreshestCRL = describeIssuerExtensions(exts)
}

// readKeyUsage reads a key usage extension's value as crypto/x509 reads a certificate's (the
// nine bits RFC 5280 names), and DER's BIT STRING alone.
func readKeyUsage(value []byte) (x509.KeyUsage, bool) {
	s := cryptobyte.String(value)
	var bits asn1.BitString
	if !s.ReadASN1BitString(&bits) || !s.Empty() {
		return 0, false
	}
	var ku x509.KeyUsage
	for i := 0; i < 9; i++ {
		if bits.At(i) != 0 {
			ku |= 1 << uint(i)
		}
	}
	return ku, true
}

// readEKUs reads an extended key usage extension's value: its usages in their order.
func readEKUs(value []byte) ([]asn1.ObjectIdentifier, bool) {
	s := cryptobyte.String(value)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() || seq.Empty() {
		return nil, false
	}
	var out []asn1.ObjectIdentifier
	for !seq.Empty() {
		var o asn1.ObjectIdentifier
		if !seq.ReadASN1ObjectIdentifier(&o) {
			return nil, false
		}
		out = append(out, o)
	}
	return out, true
}

// readBasicConstraints reads a basic constraints extension's value: cA (DEFAULT FALSE) and a
// pathLenConstraint (0..MAX), which is shown whenever present (openssl shows it after
// CA:FALSE too; RFC 5280 wants it only with CA:TRUE).
func readBasicConstraints(value []byte) (*BasicConstraintsInfo, bool) {
	s := cryptobyte.String(value)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, false
	}
	bc := &BasicConstraintsInfo{}
	if seq.PeekASN1Tag(cbasn1.BOOLEAN) && !seq.ReadASN1Boolean(&bc.CA) {
		return nil, false
	}
	if seq.PeekASN1Tag(cbasn1.INTEGER) {
		var n int64
		if !seq.ReadASN1Integer(&n) || n < 0 || n > 1<<31-1 {
			return nil, false
		}
		i := int(n)
		bc.PathLen = &i
	}
	if !seq.Empty() {
		return nil, false
	}
	return bc, true
}

// readSubjectKeyID reads a subject key identifier extension's value.
func readSubjectKeyID(value []byte) ([]byte, bool) {
	s := cryptobyte.String(value)
	var id cryptobyte.String
	if !s.ReadASN1(&id, cbasn1.OCTET_STRING) || !s.Empty() {
		return nil, false
	}
	return id, true
}

// readAuthorityKeyID reads the keyIdentifier of an authority key identifier extension's
// value (nil without one); describeAKIIssuer reads the rest.
func readAuthorityKeyID(value []byte) ([]byte, bool) {
	if _, _, ok := describeAKIIssuer(value); !ok {
		return nil, false
	}
	s := cryptobyte.String(value)
	var seq, id cryptobyte.String
	var has bool
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadOptionalASN1(&id, &has, cbasn1.Tag(0).ContextSpecific()) {
		return nil, false
	}
	return id, true
}

// readDistributionPoints checks a CRL distribution points (or freshest CRL) extension's
// value: a SEQUENCE of DistributionPoint, each a name (full, of GeneralNames, or relative to
// the issuer), reasons and CRL issuer, all optional.
func readDistributionPoints(value []byte) bool {
	s := cryptobyte.String(value)
	var list cryptobyte.String
	if !s.ReadASN1(&list, cbasn1.SEQUENCE) || !s.Empty() || list.Empty() {
		return false
	}
	for !list.Empty() {
		var dp, name, reasons, issuer cryptobyte.String
		var hasName, hasReasons, hasIssuer bool
		if !list.ReadASN1(&dp, cbasn1.SEQUENCE) ||
			!dp.ReadOptionalASN1(&name, &hasName, cbasn1.Tag(0).ContextSpecific().Constructed()) ||
			!dp.ReadOptionalASN1(&reasons, &hasReasons, cbasn1.Tag(1).ContextSpecific()) ||
			!dp.ReadOptionalASN1(&issuer, &hasIssuer, cbasn1.Tag(2).ContextSpecific().Constructed()) || !dp.Empty() {
			return false
		}
		if hasName {
			var full, rel cryptobyte.String
			switch {
			case name.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()):
				name.ReadASN1(&full, cbasn1.Tag(0).ContextSpecific().Constructed())
				if _, ok := describeGeneralNamesOK(wrapSequence(full)); !ok {
					return false
				}
			case !name.ReadASN1(&rel, cbasn1.Tag(1).ContextSpecific().Constructed()):
				return false
			}
			if !name.Empty() {
				return false
			}
		}
		if hasReasons && (len(reasons) == 0 || reasons[0] > 7) {
			return false
		}
		if hasIssuer {
			if _, ok := describeGeneralNamesOK(wrapSequence(issuer)); !ok {
				return false
			}
		}
	}
	return true
}

// requestedExtensionsProblem says what makes the extensions a CSR requests malformed: an
// extension requested twice (RFC 5280 4.2 allows one of each; tools read different ones),
// or one signet takes apart whose value does not parse. "" when there is nothing.
func requestedExtensionsProblem(exts []pkix.Extension) string {
	seen := map[string]bool{}
	for _, e := range exts {
		name := extensionNames()[e.Id.String()]
		if name == "" {
			name = e.Id.String()
		}
		if seen[e.Id.String()] {
			return fmt.Sprintf("the extension %s is requested twice", name)
		}
		seen[e.Id.String()] = true
		if !requestedValueParses(e) {
			return fmt.Sprintf("the requested extension %s does not parse", name)
		}
	}
	return ""
}

// requestedValueParses reports whether the value of e parses, for an extension signet takes
// apart (true for others, which are shown as their hex).
func requestedValueParses(e pkix.Extension) bool {
	v := e.Value
	if _, known := extensionNames()[e.Id.String()]; known {
		// one DER element and nothing after it (a decoder may read the first and stop)
		s := cryptobyte.String(v)
		var el cryptobyte.String
		if !s.ReadAnyASN1Element(&el, nil) || !s.Empty() {
			return false
		}
	}
	ok := true
	switch e.Id.String() {
	case "2.5.29.15":
		_, ok = readKeyUsage(v)
	case "2.5.29.37":
		_, ok = readEKUs(v)
	case "2.5.29.19":
		_, ok = readBasicConstraints(v)
	case "2.5.29.17", "2.5.29.18":
		_, ok = describeGeneralNamesOK(v)
	case "2.5.29.30":
		nc := describeNameConstraints(v, false)
		ok = nc != nil
		if ok {
			for _, n := range append(append([]string{}, nc.Permitted...), nc.Excluded...) {
				ok = ok && !strings.HasPrefix(n, "#") // a subtree whose base does not parse
			}
		}
	case "2.5.29.14":
		_, ok = readSubjectKeyID(v)
	case "2.5.29.35":
		_, ok = readAuthorityKeyID(v)
	case "2.5.29.31", "2.5.29.46":
		ok = readDistributionPoints(v)
	case "1.3.6.1.5.5.7.1.1", "1.3.6.1.5.5.7.1.11":
		_, ok = describeAccess(v)
	case "2.5.29.32":
		_, ok = describePolicies(v)
	case "2.5.29.33":
		_, ok = describePolicyMappings(v)
	case "2.5.29.36":
		_, ok = describePolicyConstraints(v)
	case "2.5.29.54":
		_, ok = describeInhibitAnyPolicy(v)
	case "1.3.6.1.4.1.11129.2.4.2":
		_, ok = describeSCTs(v)
	}
	return ok
}

// readExtensionRequest reads the extensions a CSR's TBS requests, strictly: its [0]
// attributes each an OID and a SET of values, one extensionRequest at most, of one value, a
// SEQUENCE of Extension (an OID, a BOOLEAN critical, an OCTET STRING) with nothing after any
// of them. It says what does not parse ("" when all does).
func readExtensionRequest(tbs []byte) ([]pkix.Extension, string) {
	attrs, why := readCSRAttributes(tbs)
	if why != "" {
		return nil, why
	}
	var exts []pkix.Extension
	found := false
	for _, a := range attrs {
		oid, values := a.oid, a.values
		if !oid.Equal(oidExtensionRequest) {
			continue
		}
		if found {
			return nil, "the extensionRequest attribute is given twice"
		}
		found = true
		var list cryptobyte.String
		if !values.ReadASN1(&list, cbasn1.SEQUENCE) {
			return nil, "the extensionRequest attribute does not hold a list of extensions"
		}
		if !values.Empty() {
			return nil, "the extensionRequest attribute has more than one value"
		}
		for !list.Empty() {
			var e, val cryptobyte.String
			var pe pkix.Extension
			if !list.ReadASN1(&e, cbasn1.SEQUENCE) || !e.ReadASN1ObjectIdentifier(&pe.Id) ||
				e.PeekASN1Tag(cbasn1.BOOLEAN) && !e.ReadASN1Boolean(&pe.Critical) ||
				!e.ReadASN1(&val, cbasn1.OCTET_STRING) || !e.Empty() {
				return nil, "an extension of the extensionRequest attribute does not parse"
			}
			pe.Value = val
			exts = append(exts, pe)
		}
	}
	return exts, ""
}

// checkRequestedExtensions says why the extensions the CSR whose TBS is tbs requests are
// malformed (readExtensionRequest, requestedExtensionsProblem), "" when they are not.
func checkRequestedExtensions(tbs []byte) string {
	exts, why := readExtensionRequest(tbs)
	if why != "" {
		return why
	}
	return requestedExtensionsProblem(exts)
}
