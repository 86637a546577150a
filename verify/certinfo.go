package verify

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/internal/pkixname"
)

// Extension OIDs the engine reads itself or knows crypto/x509 handles.
var (
	oidExtSubjectKeyID      = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidExtKeyUsage          = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtSubjectAltName    = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidExtIssuerAltName     = asn1.ObjectIdentifier{2, 5, 29, 18}
	oidExtBasicConstraints  = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidExtNameConstraints   = asn1.ObjectIdentifier{2, 5, 29, 30}
	oidExtCRLDistPoints     = asn1.ObjectIdentifier{2, 5, 29, 31}
	oidExtCertPolicies      = asn1.ObjectIdentifier{2, 5, 29, 32}
	oidExtPolicyMappings    = asn1.ObjectIdentifier{2, 5, 29, 33}
	oidExtAuthorityKeyID    = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidExtPolicyConstraints = asn1.ObjectIdentifier{2, 5, 29, 36}
	oidExtExtKeyUsage       = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidExtFreshestCRL       = asn1.ObjectIdentifier{2, 5, 29, 46}
	oidExtInhibitAnyPolicy  = asn1.ObjectIdentifier{2, 5, 29, 54}
	oidExtAuthorityInfo     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}
	oidAnyEKU               = asn1.ObjectIdentifier{2, 5, 29, 37, 0}
	oidAnyPolicy            = asn1.ObjectIdentifier{2, 5, 29, 32, 0}
)

// handledCritical are the extensions path validation processes, so that a certificate may mark
// them critical. Everything else critical is refused (RFC 5280 4.2).
var handledCritical = []asn1.ObjectIdentifier{
	oidExtKeyUsage, oidExtSubjectAltName, oidExtBasicConstraints, oidExtNameConstraints,
	oidExtCertPolicies, oidExtPolicyMappings, oidExtPolicyConstraints, oidExtExtKeyUsage,
	oidExtInhibitAnyPolicy, oidExtCRLDistPoints, oidExtAuthorityKeyID, oidExtIssuerAltName,
	oidExtFreshestCRL, oidExtSubjectKeyID,
}

// finding is a certificate's breach of a rule about its own contents.
type finding struct {
	rule   string
	detail string
}

// certInfo is what the engine reads from a certificate beyond crypto/x509's fields, parsed once
// per Verify call.
type certInfo struct {
	c                *x509.Certificate
	anchor           bool // in Policy.Roots (or the system roots)
	system           bool // from the system trust store: its contents are the vendor's to judge
	subject, issuer  *pkixname.DN
	subjectKey       string // canonical subject, for lookups by name
	issuerKey        string
	selfIssued       bool // subject and issuer are the same name (RFC 5280 6.1)
	sans             []pkixname.GeneralName
	hasSAN           bool
	nc               *pkixname.NameConstraints
	ncErr            error // why the name constraints extension is invalid
	dps              []distPoint
	hasDPs           bool
	unhandled        []asn1.ObjectIdentifier // critical extensions the engine does not process
	findings         []finding               // encoding problems found while parsing
	policyConstraint *pkix.Extension
}

func newCertInfo(c *x509.Certificate) *certInfo {
	ci := &certInfo{c: c}
	var err error
	if ci.subject, err = pkixname.ParseDN(c.RawSubject); err != nil {
		ci.subject = &pkixname.DN{}
		ci.findings = append(ci.findings, finding{"rfc5280.name-encoding", "its subject name cannot be parsed: " + err.Error()})
		ci.subjectKey = "raw:" + string(c.RawSubject)
	} else {
		ci.subjectKey = ci.subject.Key()
	}
	if ci.issuer, err = pkixname.ParseDN(c.RawIssuer); err != nil {
		ci.issuer = &pkixname.DN{}
		ci.findings = append(ci.findings, finding{"rfc5280.name-encoding", "its issuer name cannot be parsed: " + err.Error()})
		ci.issuerKey = "raw:" + string(c.RawIssuer)
	} else {
		ci.issuerKey = ci.issuer.Key()
	}
	ci.selfIssued = ci.subjectKey == ci.issuerKey
	for _, e := range c.Extensions {
		switch {
		case e.Id.Equal(oidExtSubjectAltName):
			ci.hasSAN = true
			names, err := pkixname.ParseGeneralNames(e.Value, false)
			switch {
			case emptySequence(e.Value):
				ci.findings = append(ci.findings, finding{"rfc5280.san-empty", "its subjectAltName extension names nothing; RFC 5280 4.2.1.6 requires at least one name"})
			case err != nil:
				ci.findings = append(ci.findings, finding{"rfc5280.san-encoding", "its subjectAltName cannot be parsed: " + err.Error()})
			default:
				if why := opaqueNameProblem(names); why != "" {
					ci.findings = append(ci.findings, finding{"rfc5280.san-encoding", "its subjectAltName cannot be parsed: " + why})
				}
			}
			ci.sans = names
		case e.Id.Equal(oidExtNameConstraints):
			nc, err := pkixname.ParseNameConstraints(e.Value)
			if err != nil {
				// Refused by checkConstraints: an unusable constraint must not widen what
				// the CA may issue.
				ci.ncErr = err
			}
			ci.nc = nc
		case e.Id.Equal(oidExtCRLDistPoints):
			ci.hasDPs = true
			dps, err := parseDistPoints(e.Value)
			if err != nil {
				ci.findings = append(ci.findings, finding{"rfc5280.crldp-encoding", "its CRL distribution points cannot be parsed: " + err.Error()})
			}
			ci.dps = dps
		case e.Id.Equal(oidExtPolicyConstraints):
			ci.policyConstraint = &e
		}
		if e.Critical && !containsOID(handledCritical, e.Id) {
			ci.unhandled = append(ci.unhandled, e.Id)
		}
		if (containsOID(handledCritical, e.Id) || e.Id.Equal(oidExtAuthorityInfo)) && !oneElement(e.Value) {
			ci.findings = append(ci.findings, finding{"rfc5280.extension-encoding",
				fmt.Sprintf("its extension %s is not one DER value (bytes after it, or none); RFC 5280 4.1 puts the DER encoding of the value in extnValue", e.Id)})
		}
	}
	return ci
}

// oneElement reports whether der is exactly one DER element: an extension's extnValue holds
// the DER encoding of one value, and crypto/x509 ignores what follows it in several
// extensions (key usage, basic constraints, extended key usage, policies).
func oneElement(der []byte) bool {
	s := cryptobyte.String(der)
	var el cryptobyte.String
	return s.ReadAnyASN1Element(&el, nil) && s.Empty()
}

// opaqueNameProblem checks the general names whose contents package pkixname keeps as they are
// (no name constraint signet applies reads them): an otherName must be a type-id OBJECT
// IDENTIFIER and one [0] EXPLICIT value (RFC 5280 4.2.1.6), a registeredID an OBJECT
// IDENTIFIER. A subjectAltName holding anything else is malformed, as crypto/x509 and openssl
// would have it if they read those forms.
func opaqueNameProblem(names []pkixname.GeneralName) string {
	for _, g := range names {
		v := cryptobyte.String(g.Raw)
		var oid asn1.ObjectIdentifier
		switch g.Form {
		case pkixname.OtherName:
			var val, elem cryptobyte.String
			if !v.ReadASN1ObjectIdentifier(&oid) || !v.ReadASN1(&val, cbasn1.Tag(0).ContextSpecific().Constructed()) || !v.Empty() ||
				!val.ReadAnyASN1Element(&elem, nil) || !val.Empty() {
				return "an otherName that is not a type-id and one [0] value"
			}
		case pkixname.RegisteredID:
			var b cryptobyte.Builder
			b.AddASN1(cbasn1.OBJECT_IDENTIFIER, func(b *cryptobyte.Builder) { b.AddBytes(g.Raw) })
			der := cryptobyte.String(b.BytesOrPanic())
			if !der.ReadASN1ObjectIdentifier(&oid) || !der.Empty() {
				return "a registeredID that is not an OBJECT IDENTIFIER"
			}
		}
	}
	return ""
}

func containsOID(list []asn1.ObjectIdentifier, o asn1.ObjectIdentifier) bool {
	for _, l := range list {
		if l.Equal(o) {
			return true
		}
	}
	return false
}

func findExt(c *x509.Certificate, oid asn1.ObjectIdentifier) *pkix.Extension {
	for i := range c.Extensions {
		if c.Extensions[i].Id.Equal(oid) {
			return &c.Extensions[i]
		}
	}
	return nil
}

// isEmptyName reports whether a DER Name is an empty SEQUENCE.
func isEmptyName(raw []byte) bool { return bytes.Equal(raw, []byte{0x30, 0x00}) }

// distPoint is one DistributionPoint of a certificate's CRL distribution points, or the
// distribution point of a CRL's issuing distribution point extension.
type distPoint struct {
	// fullName holds the names of the distribution point; relative, when set, is an RDN to
	// add to the CRL issuer's name instead (nameRelativeToCRLIssuer).
	fullName    []pkixname.GeneralName
	relative    []byte // DER of the RelativeDistinguishedName (a SET)
	hasName     bool
	reasons     uint16 // ReasonFlags bits, 1<<1 keyCompromise ... 1<<8 aACompromise; 0 when absent
	hasReasons  bool
	crlIssuer   []pkixname.GeneralName
	hasIssuer   bool
	rawNameBody []byte
}

// allReasons is every revocation reason of ReasonFlags but unused (RFC 5280 6.3.3).
const allReasons uint16 = 0x1fe

// readReasonFlags reads a BIT STRING of ReasonFlags into bits numbered as RFC 5280 numbers
// them (bit 0 unused, 1 keyCompromise, ...).
func readReasonFlags(bits asn1.BitString) uint16 {
	var r uint16
	for i := 0; i < 9 && i < bits.BitLength; i++ {
		if bits.At(i) == 1 {
			r |= 1 << i
		}
	}
	return r
}

func parseBitString(raw cryptobyte.String) (asn1.BitString, bool) {
	// raw is the content of an IMPLICIT [n] BIT STRING.
	if len(raw) == 0 || raw[0] > 7 || (len(raw) == 1 && raw[0] != 0) {
		return asn1.BitString{}, false
	}
	pad := int(raw[0])
	return asn1.BitString{Bytes: raw[1:], BitLength: (len(raw)-1)*8 - pad}, true
}

// parseDistPointName reads a DistributionPointName ([0] fullName GeneralNames or [1]
// nameRelativeToCRLIssuer RDN) from the content of its explicit [0] wrapper.
func parseDistPointName(dp *distPoint, body cryptobyte.String) error {
	dp.hasName = true
	dp.rawNameBody = body
	var v cryptobyte.String
	var tag cbasn1.Tag
	if !body.ReadAnyASN1(&v, &tag) || !body.Empty() {
		return fmt.Errorf("bad DistributionPointName")
	}
	switch tag {
	case cbasn1.Tag(0).ContextSpecific().Constructed():
		names, err := pkixname.ParseGeneralNames(v, true)
		if err != nil {
			return err
		}
		dp.fullName = names
	case cbasn1.Tag(1).ContextSpecific().Constructed():
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(v) })
		dp.relative = b.BytesOrPanic()
	default:
		return fmt.Errorf("bad DistributionPointName tag")
	}
	return nil
}

func parseDistPoints(der []byte) ([]distPoint, error) {
	s := cryptobyte.String(der)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() || seq.Empty() {
		return nil, fmt.Errorf("not a non-empty SEQUENCE")
	}
	var out []distPoint
	for !seq.Empty() {
		var d cryptobyte.String
		if !seq.ReadASN1(&d, cbasn1.SEQUENCE) {
			return nil, fmt.Errorf("bad DistributionPoint")
		}
		var dp distPoint
		var body, reasons, issuer cryptobyte.String
		var ok bool
		if !d.ReadOptionalASN1(&body, &ok, cbasn1.Tag(0).ContextSpecific().Constructed()) {
			return nil, fmt.Errorf("bad distributionPoint")
		}
		if ok {
			if err := parseDistPointName(&dp, body); err != nil {
				return nil, err
			}
		}
		if !d.ReadOptionalASN1(&reasons, &dp.hasReasons, cbasn1.Tag(1).ContextSpecific()) {
			return nil, fmt.Errorf("bad reasons")
		}
		if dp.hasReasons {
			bits, ok := parseBitString(reasons)
			if !ok {
				return nil, fmt.Errorf("bad reasons")
			}
			dp.reasons = readReasonFlags(bits)
		}
		if !d.ReadOptionalASN1(&issuer, &dp.hasIssuer, cbasn1.Tag(2).ContextSpecific().Constructed()) || !d.Empty() {
			return nil, fmt.Errorf("bad cRLIssuer")
		}
		if dp.hasIssuer {
			names, err := pkixname.ParseGeneralNames(issuer, true)
			if err != nil {
				return nil, err
			}
			dp.crlIssuer = names
		}
		if !dp.hasName && !dp.hasIssuer {
			return nil, fmt.Errorf("a DistributionPoint with neither distributionPoint nor cRLIssuer")
		}
		out = append(out, dp)
	}
	return out, nil
}
