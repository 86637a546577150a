package x509util

import (
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"math/big"
	"sync"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/internal/pkixname"
)

// The extensions inspection takes apart beyond those crypto/x509 reads: certificate policies,
// policy mappings and constraints, inhibitAnyPolicy, issuer alternative names, subject
// information access, signed certificate timestamps (RFC 6962), the issuer and serial of an
// authority key identifier, and a CRL's issuing distribution point, freshest CRL and delta
// CRL indicator. Each is read from the extension's own bytes, showing what `openssl x509|crl
// -text` shows; a value that does not parse here leaves its field nil (JSON null), and the
// extension's hex in extensions[] is then what there is to see.

var (
	oidExtCertificatePolicies = asn1.ObjectIdentifier{2, 5, 29, 32}
	oidExtPolicyMappings      = asn1.ObjectIdentifier{2, 5, 29, 33}
	oidExtPolicyConstraints   = asn1.ObjectIdentifier{2, 5, 29, 36}
	oidExtInhibitAnyPolicy    = asn1.ObjectIdentifier{2, 5, 29, 54}
	oidExtIssuerAltName       = asn1.ObjectIdentifier{2, 5, 29, 18}
	oidExtSubjectInfoAccess   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 11}
	oidExtSCTList             = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 2}
	oidExtIssuingDP           = asn1.ObjectIdentifier{2, 5, 29, 28}
	oidExtFreshestCRL         = asn1.ObjectIdentifier{2, 5, 29, 46}
	oidExtDeltaCRLIndicator   = asn1.ObjectIdentifier{2, 5, 29, 27}
	oidQualifierCPS           = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 2, 1}
	oidQualifierUserNotice    = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 2, 2}
)

// PolicyInfo is one policy of a certificate policies extension.
type PolicyInfo struct {
	// OID is the policy's dotted OID (2.5.29.32.0 is anyPolicy).
	OID string `json:"oid"`
	// CPS holds the URIs of its CPS qualifiers, UserNotices its user notices; Other the
	// qualifiers of other kinds, each its dotted OID, ':' and # with the hex of its DER.
	CPS         []string         `json:"cps"`
	UserNotices []UserNoticeInfo `json:"user_notices"`
	Other       []string         `json:"other_qualifiers"`
}

// UserNoticeInfo is a user notice qualifier: the organization and notice numbers of its
// notice reference ("" and nil without one) and its explicit text ("" without one).
type UserNoticeInfo struct {
	Organization string   `json:"organization"`
	Numbers      []string `json:"numbers"`
	ExplicitText string   `json:"explicit_text"`
}

// PolicyMappingInfo is one mapping of a policy mappings extension, as dotted OIDs.
type PolicyMappingInfo struct {
	IssuerDomainPolicy  string `json:"issuer_domain_policy"`
	SubjectDomainPolicy string `json:"subject_domain_policy"`
}

// PolicyConstraintsInfo is the policy constraints extension; a field is nil when absent.
type PolicyConstraintsInfo struct {
	RequireExplicitPolicy *int `json:"require_explicit_policy"`
	InhibitPolicyMapping  *int `json:"inhibit_policy_mapping"`
}

// AccessInfo is one access description of an information access extension: the method by
// name (caRepository, timeStamping, ocsp, caIssuers, signedObject, rpkiManifest, rpkiNotify)
// or dotted OID, and the location as describeGeneralName writes it ("uri:http://...").
type AccessInfo struct {
	Method   string `json:"method"`
	Location string `json:"location"`
}

// SCTInfo is one signed certificate timestamp of an RFC 6962 SCT list.
type SCTInfo struct {
	Version   int       `json:"version"` // 0 for v1
	LogID     string    `json:"log_id"`  // lowercase hex
	Timestamp time.Time `json:"timestamp"`
	// Extensions is the hex of the SCT's extensions, "" for none.
	Extensions string `json:"extensions"`
	// SignatureAlgorithm is crypto/x509's name of the pair ("ECDSA-SHA256", "SHA256-RSA"), or
	// "hash N, signature M" for a pair it has no name for.
	SignatureAlgorithm string `json:"signature_algorithm"`
	Signature          string `json:"signature"` // lowercase hex
}

// IssuingDistributionPointInfo is a CRL's issuing distribution point extension.
type IssuingDistributionPointInfo struct {
	// FullName holds the names of the distribution point as describeGeneralName writes them;
	// RelativeName is its name relative to the CRL issuer, as names print ("" for none).
	FullName          []string `json:"full_name"`
	RelativeName      string   `json:"relative_name"`
	OnlyUserCerts     bool     `json:"only_user_certs"`
	OnlyCACerts       bool     `json:"only_ca_certs"`
	OnlySomeReasons   []string `json:"only_some_reasons"` // RFC 5280 names; nil: every reason
	IndirectCRL       bool     `json:"indirect_crl"`
	OnlyAttributeCert bool     `json:"only_attribute_certs"`
}

// findExt returns the value of the extension oid among exts.
func findExt(exts []inspectExt, oid asn1.ObjectIdentifier) ([]byte, bool) {
	for _, e := range exts {
		if e.id.Equal(oid) {
			return e.value, true
		}
	}
	return nil, false
}

// describeDisplayText reads a DisplayText (or any string) as text, escaped as names are.
func describeDisplayText(s *cryptobyte.String) (string, bool) {
	var v cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&v, &tag) {
		return "", false
	}
	text, ok := pkixname.DecodeString(tag, v)
	return escapeText(text), ok
}

// describePolicies reads a certificate policies extension's value.
func describePolicies(value []byte) ([]PolicyInfo, bool) {
	s := cryptobyte.String(value)
	var list cryptobyte.String
	if !s.ReadASN1(&list, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, false
	}
	out := []PolicyInfo{}
	for !list.Empty() {
		var pi, quals cryptobyte.String
		var oid asn1.ObjectIdentifier
		var hasQuals bool
		if !list.ReadASN1(&pi, cbasn1.SEQUENCE) || !pi.ReadASN1ObjectIdentifier(&oid) ||
			!pi.ReadOptionalASN1(&quals, &hasQuals, cbasn1.SEQUENCE) || !pi.Empty() {
			return nil, false
		}
		p := PolicyInfo{OID: oid.String(), CPS: []string{}, UserNotices: []UserNoticeInfo{}, Other: []string{}}
		for !quals.Empty() {
			var q, qual cryptobyte.String
			var qid asn1.ObjectIdentifier
			if !quals.ReadASN1(&q, cbasn1.SEQUENCE) || !q.ReadASN1ObjectIdentifier(&qid) {
				return nil, false
			}
			qual = q
			switch {
			case qid.Equal(oidQualifierCPS):
				var uri cryptobyte.String
				if !q.ReadASN1(&uri, cbasn1.IA5String) || !q.Empty() {
					return nil, false
				}
				p.CPS = append(p.CPS, escapeText(string(uri)))
			case qid.Equal(oidQualifierUserNotice):
				var un cryptobyte.String
				if !q.ReadASN1(&un, cbasn1.SEQUENCE) || !q.Empty() {
					return nil, false
				}
				n := UserNoticeInfo{}
				if un.PeekASN1Tag(cbasn1.SEQUENCE) {
					var ref, nums cryptobyte.String
					var ok bool
					if !un.ReadASN1(&ref, cbasn1.SEQUENCE) {
						return nil, false
					}
					if n.Organization, ok = describeDisplayText(&ref); !ok || !ref.ReadASN1(&nums, cbasn1.SEQUENCE) || !ref.Empty() {
						return nil, false
					}
					n.Numbers = []string{}
					for !nums.Empty() {
						v := new(big.Int)
						if !nums.ReadASN1Integer(v) {
							return nil, false
						}
						n.Numbers = append(n.Numbers, v.String())
					}
				}
				if !un.Empty() {
					var ok bool
					if n.ExplicitText, ok = describeDisplayText(&un); !ok || !un.Empty() {
						return nil, false
					}
				}
				p.UserNotices = append(p.UserNotices, n)
			default:
				p.Other = append(p.Other, fmt.Sprintf("%s:#%X", qid, []byte(qual)))
			}
		}
		out = append(out, p)
	}
	return out, true
}

// describePolicyMappings reads a policy mappings extension's value.
func describePolicyMappings(value []byte) ([]PolicyMappingInfo, bool) {
	s := cryptobyte.String(value)
	var list cryptobyte.String
	if !s.ReadASN1(&list, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, false
	}
	out := []PolicyMappingInfo{}
	for !list.Empty() {
		var m cryptobyte.String
		var from, to asn1.ObjectIdentifier
		if !list.ReadASN1(&m, cbasn1.SEQUENCE) || !m.ReadASN1ObjectIdentifier(&from) || !m.ReadASN1ObjectIdentifier(&to) || !m.Empty() {
			return nil, false
		}
		out = append(out, PolicyMappingInfo{from.String(), to.String()})
	}
	return out, true
}

// readSkipCerts reads a SkipCerts INTEGER (0..MAX) of the given tag.
func readSkipCerts(s *cryptobyte.String, tag cbasn1.Tag) (*int, bool) {
	var v cryptobyte.String
	var present bool
	if !s.ReadOptionalASN1(&v, &present, tag) {
		return nil, false
	}
	if !present {
		return nil, true
	}
	// the content octets of an INTEGER, read again under the universal tag
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.INTEGER, func(b *cryptobyte.Builder) { b.AddBytes(v) })
	der, err := b.Bytes()
	in := cryptobyte.String(der)
	var n int64
	if err != nil || !in.ReadASN1Integer(&n) || n < 0 || n > 1<<31-1 {
		return nil, false
	}
	i := int(n)
	return &i, true
}

// describePolicyConstraints reads a policy constraints extension's value.
func describePolicyConstraints(value []byte) (*PolicyConstraintsInfo, bool) {
	s := cryptobyte.String(value)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, false
	}
	var pc PolicyConstraintsInfo
	var ok1, ok2 bool
	pc.RequireExplicitPolicy, ok1 = readSkipCerts(&seq, cbasn1.Tag(0).ContextSpecific())
	pc.InhibitPolicyMapping, ok2 = readSkipCerts(&seq, cbasn1.Tag(1).ContextSpecific())
	if !ok1 || !ok2 || !seq.Empty() {
		return nil, false
	}
	return &pc, true
}

// describeInhibitAnyPolicy reads an inhibitAnyPolicy extension's value.
func describeInhibitAnyPolicy(value []byte) (*int, bool) {
	s := cryptobyte.String(value)
	n, ok := readSkipCerts(&s, cbasn1.INTEGER)
	if !ok || n == nil || !s.Empty() {
		return nil, false
	}
	return n, true
}

// accessMethods names the access methods of RFC 5280 4.2.2 and of the RPKI.
var accessMethods = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"1.3.6.1.5.5.7.48.1":  "ocsp",
		"1.3.6.1.5.5.7.48.2":  "caIssuers",
		"1.3.6.1.5.5.7.48.3":  "timeStamping",
		"1.3.6.1.5.5.7.48.5":  "caRepository",
		"1.3.6.1.5.5.7.48.10": "rpkiManifest",
		"1.3.6.1.5.5.7.48.11": "signedObject",
		"1.3.6.1.5.5.7.48.13": "rpkiNotify",
	}
})

// describeAccess reads an information access extension's value (SIA, AIA).
func describeAccess(value []byte) ([]AccessInfo, bool) {
	s := cryptobyte.String(value)
	var list cryptobyte.String
	if !s.ReadASN1(&list, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, false
	}
	out := []AccessInfo{}
	for !list.Empty() {
		var ad, name cryptobyte.String
		var method asn1.ObjectIdentifier
		var tag cbasn1.Tag
		if !list.ReadASN1(&ad, cbasn1.SEQUENCE) || !ad.ReadASN1ObjectIdentifier(&method) || !ad.ReadAnyASN1Element(&name, &tag) || !ad.Empty() {
			return nil, false
		}
		loc, ok := describeGeneralNamesOK(wrapSequence(name))
		if !ok || len(loc) != 1 {
			return nil, false
		}
		m := accessMethods()[method.String()]
		if m == "" {
			m = method.String()
		}
		out = append(out, AccessInfo{Method: m, Location: loc[0]})
	}
	return out, true
}

// describeGeneralNamesOK is describeGeneralNames, never nil, and false for GeneralNames
// that do not parse.
func describeGeneralNamesOK(der []byte) ([]string, bool) {
	names, err := pkixname.ParseGeneralNames(der, false)
	if err != nil {
		return nil, false
	}
	out := []string{}
	for _, g := range names {
		out = append(out, describeGeneralName(g))
	}
	return out, true
}

// wrapSequence writes content as the content of a SEQUENCE.
func wrapSequence(content []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddBytes(content) })
	der, err := b.Bytes()
	if err != nil {
		return nil
	}
	return der
}

// describeSCTs reads an RFC 6962 SCT list extension's value: an OCTET STRING holding a TLS
// SignedCertificateTimestampList.
func describeSCTs(value []byte) ([]SCTInfo, bool) {
	s := cryptobyte.String(value)
	var tls, list cryptobyte.String
	if !s.ReadASN1(&tls, cbasn1.OCTET_STRING) || !s.Empty() || !tls.ReadUint16LengthPrefixed(&list) || !tls.Empty() {
		return nil, false
	}
	out := []SCTInfo{}
	for !list.Empty() {
		var sct, logID, exts, sig cryptobyte.String
		var version, hash, alg uint8
		var ts uint64
		if !list.ReadUint16LengthPrefixed(&sct) || !sct.ReadUint8(&version) || version != 0 || !sct.ReadBytes((*[]byte)(&logID), 32) ||
			!sct.ReadUint64(&ts) || !sct.ReadUint16LengthPrefixed(&exts) || !sct.ReadUint8(&hash) || !sct.ReadUint8(&alg) ||
			!sct.ReadUint16LengthPrefixed(&sig) || !sct.Empty() || ts > 1<<62 {
			return nil, false
		}
		out = append(out, SCTInfo{Version: int(version), LogID: hex.EncodeToString(logID),
			Timestamp: time.UnixMilli(int64(ts)).UTC(), Extensions: hex.EncodeToString(exts),
			SignatureAlgorithm: sctAlgorithm(hash, alg), Signature: hex.EncodeToString(sig)})
	}
	return out, true
}

// sctAlgorithm names an RFC 5246 SignatureAndHashAlgorithm as crypto/x509 names its pairs.
func sctAlgorithm(hash, sig uint8) string {
	h := map[uint8]string{1: "MD5", 2: "SHA1", 3: "SHA224", 4: "SHA256", 5: "SHA384", 6: "SHA512"}[hash]
	switch {
	case h != "" && sig == 1:
		return h + "-RSA"
	case h != "" && sig == 2:
		return "DSA-" + h
	case h != "" && sig == 3:
		return "ECDSA-" + h
	}
	return fmt.Sprintf("hash %d, signature %d", hash, sig)
}

// describeAKIIssuer reads the authorityCertIssuer and authorityCertSerialNumber of an
// authority key identifier extension's value: the names as describeGeneralName writes them
// and the serial as FormatSerial does; nil and "" when absent.
func describeAKIIssuer(value []byte) ([]string, string, bool) {
	s := cryptobyte.String(value)
	var seq, names, serial cryptobyte.String
	var hasNames, hasSerial bool
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() ||
		!seq.SkipOptionalASN1(cbasn1.Tag(0).ContextSpecific()) ||
		!seq.ReadOptionalASN1(&names, &hasNames, cbasn1.Tag(1).ContextSpecific().Constructed()) ||
		!seq.ReadOptionalASN1(&serial, &hasSerial, cbasn1.Tag(2).ContextSpecific()) || !seq.Empty() {
		return nil, "", false
	}
	var issuer []string
	if hasNames {
		var ok bool
		if issuer, ok = describeGeneralNamesOK(wrapSequence(names)); !ok {
			return nil, "", false
		}
	}
	sn := ""
	if hasSerial {
		// an INTEGER, signed as every INTEGER is (openssl prints its magnitude)
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.INTEGER, func(b *cryptobyte.Builder) { b.AddBytes(serial) })
		der, err := b.Bytes()
		in := cryptobyte.String(der)
		n := new(big.Int)
		if err != nil || !in.ReadASN1Integer(n) {
			return nil, "", false
		}
		sn = FormatSerial(n)
	}
	return issuer, sn, true
}

// reasonFlagNames are RFC 5280's ReasonFlags, by bit.
var reasonFlagNames = []string{"unused", "keyCompromise", "cACompromise", "affiliationChanged", "superseded",
	"cessationOfOperation", "certificateHold", "privilegeWithdrawn", "aACompromise"}

// describeIDP reads a CRL's issuing distribution point extension's value.
func describeIDP(value []byte) (*IssuingDistributionPointInfo, bool) {
	s := cryptobyte.String(value)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, false
	}
	idp := &IssuingDistributionPointInfo{}
	var dpn cryptobyte.String
	var has bool
	if !seq.ReadOptionalASN1(&dpn, &has, cbasn1.Tag(0).ContextSpecific().Constructed()) {
		return nil, false
	}
	if has {
		var full, rel cryptobyte.String
		switch {
		case dpn.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()):
			if !dpn.ReadASN1(&full, cbasn1.Tag(0).ContextSpecific().Constructed()) {
				return nil, false
			}
			var ok bool
			if idp.FullName, ok = describeGeneralNamesOK(wrapSequence(full)); !ok {
				return nil, false
			}
		case dpn.PeekASN1Tag(cbasn1.Tag(1).ContextSpecific().Constructed()):
			if !dpn.ReadASN1(&rel, cbasn1.Tag(1).ContextSpecific().Constructed()) {
				return nil, false
			}
			var b cryptobyte.Builder
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(rel) })
			})
			der, err := b.Bytes()
			if err != nil {
				return nil, false
			}
			idp.RelativeName = formatRawName(der)
		}
		if !dpn.Empty() {
			return nil, false
		}
	}
	flag := func(tag int, out *bool) bool {
		var v cryptobyte.String
		var present bool
		if !seq.ReadOptionalASN1(&v, &present, cbasn1.Tag(tag).ContextSpecific()) {
			return false
		}
		if present {
			if len(v) != 1 {
				return false
			}
			*out = v[0] != 0
		}
		return true
	}
	if !flag(1, &idp.OnlyUserCerts) || !flag(2, &idp.OnlyCACerts) {
		return nil, false
	}
	var reasons cryptobyte.String
	if !seq.ReadOptionalASN1(&reasons, &has, cbasn1.Tag(3).ContextSpecific()) {
		return nil, false
	}
	if has {
		if len(reasons) == 0 || reasons[0] > 7 {
			return nil, false
		}
		idp.OnlySomeReasons = []string{}
		bits := reasons[1:]
		// the bits the first octet says are unused are not reasons, whatever they hold (DER
		// wants them 0; openssl ignores them too)
		for i := 0; i < len(bits)*8-int(reasons[0]); i++ {
			if bits[i/8]&(0x80>>(i%8)) == 0 {
				continue
			}
			name := fmt.Sprintf("bit %d", i)
			if i < len(reasonFlagNames) {
				name = reasonFlagNames[i]
			}
			idp.OnlySomeReasons = append(idp.OnlySomeReasons, name)
		}
	}
	if !flag(4, &idp.IndirectCRL) || !flag(5, &idp.OnlyAttributeCert) || !seq.Empty() {
		return nil, false
	}
	return idp, true
}

// describeDeltaCRLIndicator reads a delta CRL indicator extension's value (the base CRL's
// number) in decimal.
func describeDeltaCRLIndicator(value []byte) (string, bool) {
	s := cryptobyte.String(value)
	n := new(big.Int)
	if !s.ReadASN1Integer(n) || !s.Empty() {
		return "", false
	}
	return n.String(), true
}

// freshestCRLURIs reads the URIs of a freshest CRL extension's distribution points, as
// distributionPointURIs reads a CRL distribution points extension's.
func freshestCRLURIs(value []byte) []string {
	return distributionPointURIsOf(value)
}
