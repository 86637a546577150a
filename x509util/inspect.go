package x509util

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/internal/pkixname"
)

// Describing certificates, CSRs and CRLs: ParseObjects finds them in a file whatever its
// encoding, and the Describe functions turn each into a plain struct whose JSON form is what
// `signet cert inspect --json` prints. They are pure functions of the parsed object and the
// time given; the CLI only formats them.

// ObjectKind says what an Object holds.
type ObjectKind string

// The kinds of object ParseObjects finds.
const (
	KindCertificate ObjectKind = "certificate"
	KindCSR         ObjectKind = "csr"
	KindCRL         ObjectKind = "crl"
)

// Object is one certificate, certificate signing request or CRL found in a file. Exactly one
// of Certificate, CSR and CRL is set, as Kind says.
type Object struct {
	Kind        ObjectKind
	Certificate *x509.Certificate
	CSR         *x509.CertificateRequest
	CRL         *x509.RevocationList
	// PEM is true when the object came from a PEM block, false for DER.
	PEM bool
}

// PEM block types ParseObjects reads; blocks of other types (a private key beside its
// certificate) are skipped.
const (
	inspectPEMCSR    = "CERTIFICATE REQUEST"
	inspectPEMNewCSR = "NEW CERTIFICATE REQUEST"
)

// ParseObjects finds every certificate, CSR and CRL in data, in order: PEM blocks of types
// CERTIFICATE, CERTIFICATE REQUEST (or NEW CERTIFICATE REQUEST) and X509 CRL, other blocks
// skipped; or, when data holds no PEM, DER: one or more concatenated certificates, one CSR or
// one CRL. A CSR's signature is not checked here (DescribeCSR reports it), so a damaged CSR
// can still be looked at. An object crypto/x509 refuses for a name, a key or a certificate
// extension it cannot read is read with those parts set aside (inspectparse.go): the
// Describe functions show them from the object's DER.
//
// Errors wrap ErrMalformed and say where the problem is: empty input, a damaged PEM block, a
// block of a known type that does not parse, PEM with none of the known types, DER shaped as
// a certificate, CSR or CRL that does not parse (named as what it looks like, with that
// parser's reason), or bytes that are no DER object signet knows.
func ParseObjects(data []byte) ([]Object, error) {
	objs, msg := inspectParse(data)
	if msg != "" {
		return nil, fmt.Errorf("%w: %s", ErrMalformed, msg)
	}
	return objs, nil
}

// LoadObjects reads path and parses it with ParseObjects. A directory is refused. Errors
// name the file.
func LoadObjects(path string) ([]Object, error) {
	data, err := certfileRead(path)
	if err != nil {
		return nil, err
	}
	objs, msg := inspectParse(data)
	if msg != "" {
		return nil, fmt.Errorf("%w: %s: %s", ErrMalformed, path, msg)
	}
	return objs, nil
}

func inspectParse(data []byte) ([]Object, string) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, "empty input"
	}
	blocks, msg := certfileBlocks(data)
	if msg != "" {
		return nil, msg
	}
	if len(blocks) == 0 {
		return inspectParseDER(data)
	}
	var objs []Object
	var others []string
	for _, b := range blocks {
		o := Object{PEM: true}
		var err error
		switch b.block.Type {
		case certfilePEMCertificate:
			o.Kind = KindCertificate
			o.Certificate, err = inspectParseCertificate(b.block.Bytes)
		case inspectPEMCSR, inspectPEMNewCSR:
			o.Kind = KindCSR
			o.CSR, err = inspectParseCSR(b.block.Bytes)
		case certfilePEMCRL:
			o.Kind = KindCRL
			o.CRL, err = inspectParseCRL(b.block.Bytes)
		default:
			others = append(others, b.block.Type)
			continue
		}
		if err != nil {
			return nil, fmt.Sprintf("%s: %s block does not parse: %v", b.where(), b.block.Type, err)
		}
		objs = append(objs, o)
	}
	if len(objs) == 0 {
		return nil, fmt.Sprintf("no CERTIFICATE, CERTIFICATE REQUEST or X509 CRL PEM block (the input has %s)", strings.Join(others, ", "))
	}
	return objs, ""
}

func inspectParseDER(data []byte) ([]Object, string) {
	certs, certErr := parseDERCertificatesWith(data, inspectParseCertificate)
	if certErr == nil && len(certs) > 0 {
		objs := make([]Object, len(certs))
		for i, c := range certs {
			objs[i] = Object{Kind: KindCertificate, Certificate: c}
		}
		return objs, ""
	}
	csr, csrErr := inspectParseCSR(data)
	if csrErr == nil {
		return []Object{{Kind: KindCSR, CSR: csr}}, ""
	}
	crl, crlErr := inspectParseCRL(data)
	if crlErr == nil {
		return []Object{{Kind: KindCRL, CRL: crl}}, ""
	}
	// say what the input looks like and its own parser's reason, not the certificate
	// parser's for a CSR or a CRL
	switch inspectDERShape(data) {
	case KindCertificate:
		if certErr != nil {
			return nil, "DER certificate that does not parse: " + certErr.Error()
		}
	case KindCSR:
		return nil, "DER certificate signing request that does not parse: " + csrErr.Error()
	case KindCRL:
		return nil, "DER CRL that does not parse: " + crlErr.Error()
	}
	why := "no certificate found"
	if certErr != nil {
		why = "as a certificate: " + certErr.Error()
	}
	return nil, "neither PEM nor a DER certificate, CSR or CRL (" + why + ")"
}

// inspectDERShape says which kind of object der is shaped as, from the tags of its TBS's
// first elements: a certificate's ([0] version, or serial, algorithm, issuer, validity), a
// CSR's (version, subject, key, [0] attributes) or a CRL's ([version,] algorithm, issuer,
// thisUpdate); "" when der is no signed object of those shapes.
func inspectDERShape(der []byte) ObjectKind {
	_, _, _, _, tags, ok := inspectSplit(der)
	if !ok || len(tags) < 3 {
		return ""
	}
	isTime := func(t cbasn1.Tag) bool { return t == cbasn1.UTCTime || t == cbasn1.GeneralizedTime }
	seq := cbasn1.SEQUENCE
	switch {
	case tags[0] == cbasn1.Tag(0).ContextSpecific().Constructed():
		return KindCertificate
	case tags[0] == seq && tags[1] == seq && isTime(tags[2]):
		return KindCRL // v1, without a version
	case tags[0] != cbasn1.INTEGER || tags[1] != seq || tags[2] != seq || len(tags) < 4:
		return ""
	case tags[3] == cbasn1.Tag(0).ContextSpecific().Constructed():
		return KindCSR
	case isTime(tags[3]):
		return KindCRL
	case tags[3] == seq:
		return KindCertificate // v1, without a version
	}
	return ""
}

// FormatSerial writes a serial number as signet prints it everywhere: lowercase hex without
// separators, in whole bytes (an even number of digits), as `openssl x509 -noout -serial`
// prints it there in upper case. ParseSerial reads it back.
func FormatSerial(n *big.Int) string {
	if n == nil {
		return ""
	}
	s := n.Text(16)
	if len(strings.TrimPrefix(s, "-"))%2 == 1 {
		if strings.HasPrefix(s, "-") {
			return "-0" + s[1:]
		}
		return "0" + s
	}
	return s
}

// ParseSerial reads a certificate serial number as a user copies it: hex, as FormatSerial,
// `openssl x509 -serial` ("serial=" prefix allowed) and `openssl x509 -text` (with colons
// between the bytes) print it, optionally with a 0x prefix, in any case; or decimal after the
// prefix "decimal:" (a bare number is always hex: 1000 is 4096). The serial must be positive
// and at most 20 octets (RFC 5280 section 4.1.2.2). Errors are a *SerialError, which wraps
// ErrMalformed.
func ParseSerial(s string) (*big.Int, error) {
	in := s
	s = strings.TrimSpace(s)
	bad := func(why string) error {
		return &SerialError{Input: in, Reason: why}
	}
	n := new(big.Int)
	if dec, ok := inspectCutPrefixFold(s, "decimal:"); ok {
		if dec == "" || strings.TrimLeft(dec, "0123456789") != "" {
			return nil, bad("write decimal digits after decimal:")
		}
		n.SetString(dec, 10)
	} else {
		s, _ = inspectCutPrefixFold(s, "serial=")
		s, _ = inspectCutPrefixFold(s, "0x")
		if s == "" {
			return nil, bad("empty (write hex digits, as openssl x509 -serial prints them, or decimal:N)")
		}
		if strings.HasPrefix(s, ":") || strings.HasSuffix(s, ":") || strings.Contains(s, "::") {
			return nil, bad("misplaced ':' (write 51:67:00:15 or 51670015)")
		}
		digits := strings.ReplaceAll(s, ":", "")
		for _, c := range digits {
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return nil, bad(fmt.Sprintf("%q is not a hex digit (write decimal serials as decimal:N)", c))
			}
		}
		n.SetString(digits, 16)
	}
	switch {
	case n.Sign() <= 0:
		return nil, bad("a serial number must be positive")
	case len(n.Bytes()) > 20:
		return nil, bad("longer than the 20 octets RFC 5280 allows")
	}
	return n, nil
}

// SerialError is a serial number ParseSerial cannot read: the input as given and why, so
// that a caller can put the reason in its own words without cutting up the message.
type SerialError struct {
	Input  string
	Reason string
}

func (e *SerialError) Error() string {
	return fmt.Sprintf("%v: serial number %q: %s", ErrMalformed, e.Input, e.Reason)
}

func (e *SerialError) Unwrap() error { return ErrMalformed }

func inspectCutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// Validity places a time against a window [start, end]: a certificate's notBefore and
// notAfter, or a CRL's thisUpdate and nextUpdate.
type Validity struct {
	// Status is "valid" inside the window, "expired" after its end, "not-yet-valid" before
	// its start.
	Status string `json:"status"`
	// Days is whole days: until the end when valid, since the end when expired, until the
	// start when not yet valid.
	Days int `json:"days"`
	// Left is the same span exactly (not in JSON).
	Left time.Duration `json:"-"`
}

// The Validity statuses.
const (
	ValidityValid       = "valid"
	ValidityExpired     = "expired"
	ValidityNotYetValid = "not-yet-valid"
)

// DescribeValidity places at against [start, end]. A zero end (a CRL without nextUpdate)
// never expires; Days is then 0 while valid.
func DescribeValidity(start, end, at time.Time) Validity {
	var v Validity
	switch {
	case at.Before(start):
		v.Status, v.Left = ValidityNotYetValid, start.Sub(at)
	case !end.IsZero() && at.After(end):
		v.Status, v.Left = ValidityExpired, at.Sub(end)
	default:
		v.Status = ValidityValid
		if !end.IsZero() {
			v.Left = end.Sub(at)
		}
	}
	v.Days = int(v.Left / (24 * time.Hour))
	return v
}

// SANInfo lists subject alternative names by type. The lists are empty, never nil.
type SANInfo struct {
	DNS   []string `json:"dns"`
	IP    []string `json:"ip"`
	Email []string `json:"email"`
	URI   []string `json:"uri"`
	// DirName holds directoryNames, as FormatName prints names.
	DirName []string `json:"dir_name"`
	// OtherName holds otherNames: the dotted OID of the type, ':' and the value, as text when
	// it is a string (escaped as the other names are), otherwise # and the hex of its DER.
	OtherName []string `json:"other_name"`
	// RegisteredID holds registeredIDs as dotted OIDs.
	RegisteredID []string `json:"registered_id"`
	// Other holds x400Address and ediPartyName names: the form, ':' and # with the hex of
	// the name's content octets.
	Other []string `json:"other"`
}

// describeSANs lists the names of the subject alternative name extension among exts, every
// form of them; crypto/x509's lists (dns, ips, emails, uris) stand in when the extension does
// not parse here, which crypto/x509 has then read.
func describeSANs(exts []pkix.Extension, dns []string, ips []net.IP, emails []string, uris []*url.URL) SANInfo {
	s := SANInfo{DNS: []string{}, IP: []string{}, Email: []string{}, URI: []string{}, DirName: []string{},
		OtherName: []string{}, RegisteredID: []string{}, Other: []string{}}
	for _, e := range exts {
		if !e.Id.Equal(oidExtSubjectAltName) {
			continue
		}
		names, err := pkixname.ParseGeneralNames(e.Value, false)
		if err != nil {
			break
		}
		for _, g := range names {
			switch g.Form {
			case pkixname.DNSName:
				s.DNS = append(s.DNS, escapeText(string(g.Raw)))
			case pkixname.IPAddress:
				s.IP = append(s.IP, g.String())
			case pkixname.RFC822Name:
				s.Email = append(s.Email, escapeText(string(g.Raw)))
			case pkixname.URI:
				s.URI = append(s.URI, escapeText(string(g.Raw)))
			case pkixname.DirectoryName:
				s.DirName = append(s.DirName, g.String())
			case pkixname.OtherName:
				s.OtherName = append(s.OtherName, describeOtherName(g.Raw))
			case pkixname.RegisteredID:
				s.RegisteredID = append(s.RegisteredID, describeRegisteredID(g.Raw))
			default:
				s.Other = append(s.Other, fmt.Sprintf("%s:#%X", g.Form, g.Raw))
			}
		}
		return s
	}
	s.DNS, s.Email = escapeAll(dns), escapeAll(emails)
	for _, ip := range ips {
		s.IP = append(s.IP, ip.String())
	}
	for _, u := range uris {
		s.URI = append(s.URI, escapeText(u.String()))
	}
	return s
}

// describeOtherName writes an otherName's content (type-id, [0] EXPLICIT value) as
// SANInfo.OtherName says.
func describeOtherName(raw []byte) string {
	in := cryptobyte.String(raw)
	var oid asn1.ObjectIdentifier
	var inner, val cryptobyte.String
	var tag cbasn1.Tag
	if !in.ReadASN1ObjectIdentifier(&oid) || !in.ReadASN1(&inner, cbasn1.Tag(0).ContextSpecific().Constructed()) || !in.Empty() {
		return fmt.Sprintf("#%X", raw)
	}
	elem := []byte(inner)
	if inner.ReadAnyASN1(&val, &tag) && inner.Empty() {
		if text, ok := pkixname.DecodeString(tag, val); ok {
			return oid.String() + ":" + escapeText(text)
		}
	}
	return fmt.Sprintf("%s:#%X", oid, elem)
}

// describeRegisteredID writes a registeredID's content octets (an OBJECT IDENTIFIER's) as a
// dotted OID, or # and hex when they are none.
func describeRegisteredID(raw []byte) string {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.OBJECT_IDENTIFIER, func(b *cryptobyte.Builder) { b.AddBytes(raw) })
	der, err := b.Bytes()
	in := cryptobyte.String(der)
	var oid asn1.ObjectIdentifier
	if err != nil || !in.ReadASN1ObjectIdentifier(&oid) {
		return fmt.Sprintf("#%X", raw)
	}
	return oid.String()
}

// escapeAll is escapeText of each string, never nil.
func escapeAll(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = escapeText(s)
	}
	return out
}

// Len is the number of names.
func (s SANInfo) Len() int {
	return len(s.DNS) + len(s.IP) + len(s.Email) + len(s.URI) + len(s.DirName) + len(s.OtherName) +
		len(s.RegisteredID) + len(s.Other)
}

// BasicConstraintsInfo is the basic constraints extension.
type BasicConstraintsInfo struct {
	CA bool `json:"ca"`
	// PathLen is the path length constraint; nil when there is none.
	PathLen  *int `json:"path_len"`
	Critical bool `json:"critical"`
}

// ExtensionInfo names an extension and says whether it is critical.
type ExtensionInfo struct {
	OID string `json:"oid"`
	// Name is the RFC 5280 name of the extension, "" for one signet does not know.
	Name     string `json:"name"`
	Critical bool   `json:"critical"`
	// Value is the hex of the extension's value (the DER inside extnValue), lowercase.
	Value string `json:"value"`
}

// extensionNames are the extensions signet names; others are shown by OID.
var extensionNames = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"2.5.29.14":               "subjectKeyIdentifier",
		"2.5.29.15":               "keyUsage",
		"2.5.29.17":               "subjectAltName",
		"2.5.29.18":               "issuerAltName",
		"2.5.29.19":               "basicConstraints",
		"2.5.29.20":               "cRLNumber",
		"2.5.29.21":               "reasonCode",
		"2.5.29.24":               "invalidityDate",
		"2.5.29.27":               "deltaCRLIndicator",
		"2.5.29.28":               "issuingDistributionPoint",
		"2.5.29.29":               "certificateIssuer",
		"2.5.29.30":               "nameConstraints",
		"2.5.29.31":               "cRLDistributionPoints",
		"2.5.29.32":               "certificatePolicies",
		"2.5.29.33":               "policyMappings",
		"2.5.29.35":               "authorityKeyIdentifier",
		"2.5.29.36":               "policyConstraints",
		"2.5.29.37":               "extendedKeyUsage",
		"2.5.29.46":               "freshestCRL",
		"2.5.29.54":               "inhibitAnyPolicy",
		"1.3.6.1.5.5.7.1.1":       "authorityInfoAccess",
		"1.3.6.1.5.5.7.1.11":      "subjectInfoAccess",
		"1.3.6.1.5.5.7.48.1.5":    "ocspNoCheck",
		"1.3.6.1.4.1.11129.2.4.2": "ctSignedCertificateTimestamps",
		"1.3.6.1.4.1.11129.2.4.3": "ctPrecertificatePoison",
	}
})

var (
	oidExtKeyUsage         = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtExtKeyUsage      = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidExtBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
)

func describeExtensions(exts []inspectExt) []ExtensionInfo {
	out := []ExtensionInfo{}
	for _, e := range exts {
		out = append(out, ExtensionInfo{OID: e.id.String(), Name: extensionNames()[e.id.String()], Critical: e.critical,
			Value: hex.EncodeToString(e.value)})
	}
	return out
}

type inspectExt struct {
	id       asn1.ObjectIdentifier
	critical bool
	value    []byte
}

// describeKey describes a public key. A key signet does not use (DSA, Ed448, X25519, X448,
// an elliptic curve crypto/x509 does not know) is described from its DER
// SubjectPublicKeyInfo, spki (describeSPKI), so that such a certificate can still be
// inspected: without a Type, but with its algorithm, size and fingerprint.
func describeKey(pub any, spki []byte) KeyInfo {
	if info, err := Inspect(pub); err == nil {
		return info
	}
	return describeSPKI(spki)
}

// The key algorithms and curves describeSPKI names, as openssl -text names them but for the
// case, by their OIDs.
var (
	spkiAlgorithms = sync.OnceValue(func() map[string]string {
		return map[string]string{
			"1.2.840.113549.1.1.1":  "RSA",
			"1.2.840.113549.1.1.10": "RSASSA-PSS",
			"1.2.840.10045.2.1":     "ECDSA",
			"1.2.840.10040.4.1":     "DSA",
			"1.3.101.110":           "X25519",
			"1.3.101.111":           "X448",
			"1.3.101.112":           "Ed25519",
			"1.3.101.113":           "Ed448",
		}
	})
	spkiCurves = sync.OnceValue(func() map[string]string {
		return map[string]string{
			"1.2.840.10045.3.1.7":   "P-256",
			"1.3.132.0.34":          "P-384",
			"1.3.132.0.35":          "P-521",
			"1.3.132.0.33":          "P-224",
			"1.2.840.10045.3.1.1":   "P-192",
			"1.3.132.0.10":          "secp256k1",
			"1.3.36.3.3.2.8.1.1.7":  "brainpoolP256r1",
			"1.3.36.3.3.2.8.1.1.11": "brainpoolP384r1",
			"1.3.36.3.3.2.8.1.1.13": "brainpoolP512r1",
			"1.2.156.10197.1.301":   "SM2",
		}
	})
)

// describeSPKI describes a DER SubjectPublicKeyInfo without parsing the key: the algorithm
// (its dotted OID when unknown), the size (an RSA modulus, a DSA prime, the order of the
// curve's field from the point's length, the key's bits for the others), an EC curve by name
// (its dotted OID when unknown) and the fingerprint, which is what Fingerprint computes for a
// key signet uses.
func describeSPKI(spki []byte) KeyInfo {
	sum := sha256.Sum256(spki)
	info := KeyInfo{Fingerprint: FingerprintPrefix + hex.EncodeToString(sum[:])}
	in := cryptobyte.String(spki)
	var body, algID cryptobyte.String
	var oid asn1.ObjectIdentifier
	var key asn1.BitString
	if !in.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1(&algID, cbasn1.SEQUENCE) ||
		!algID.ReadASN1ObjectIdentifier(&oid) || !body.ReadASN1BitString(&key) {
		info.Algorithm = "unreadable"
		return info
	}
	info.Algorithm = spkiAlgorithms()[oid.String()]
	if info.Algorithm == "" {
		info.Algorithm = oid.String()
	}
	info.Bits = len(key.Bytes) * 8
	switch info.Algorithm {
	case "RSA", "RSASSA-PSS":
		k := cryptobyte.String(key.Bytes)
		var seq cryptobyte.String
		n := new(big.Int)
		if k.ReadASN1(&seq, cbasn1.SEQUENCE) && seq.ReadASN1Integer(n) {
			info.Bits = n.BitLen()
		}
	case "DSA":
		var params cryptobyte.String
		p := new(big.Int)
		if algID.ReadASN1(&params, cbasn1.SEQUENCE) && params.ReadASN1Integer(p) {
			info.Bits = p.BitLen()
		}
	case "ECDSA":
		var curve asn1.ObjectIdentifier
		if algID.ReadASN1ObjectIdentifier(&curve) {
			info.Curve = spkiCurves()[curve.String()]
			if info.Curve == "" {
				info.Curve = curve.String()
			}
		}
		switch {
		case len(key.Bytes) > 0 && key.Bytes[0] == 4:
			info.Bits = (len(key.Bytes) - 1) / 2 * 8 // an uncompressed point: 04, X, Y
		case len(key.Bytes) > 0 && (key.Bytes[0] == 2 || key.Bytes[0] == 3):
			info.Bits = (len(key.Bytes) - 1) * 8 // a compressed one: 02 or 03, X
		}
		if info.Curve == "P-521" {
			info.Bits = 521
		}
	}
	return info
}

func hexOrEmpty(b []byte) string { return hex.EncodeToString(b) }

func sha256Hex(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// CertificateInfo describes a certificate. Its JSON form is stable: fields are only ever
// added. Names print from their DER as FormatName prints them (RFC 4514, most specific first,
// with OpenSSL's attribute names, and control and invisible characters escaped as \XX),
// keeping their multi-valued RDNs and, for an attribute shown as # and hex, its string type,
// as `openssl x509 -nameopt RFC2253` shows them; "" for an empty one. SANs and URLs have
// such characters escaped as \XX and a backslash as \\.
type CertificateInfo struct {
	Version    int       `json:"version"`
	Subject    string    `json:"subject"`
	Issuer     string    `json:"issuer"`
	SelfSigned bool      `json:"self_signed"` // the issuer is the subject and the certificate's own key verifies its signature
	Serial     string    `json:"serial"`      // FormatSerial
	NotBefore  time.Time `json:"not_before"`
	NotAfter   time.Time `json:"not_after"`
	Validity   Validity  `json:"validity"`
	PublicKey  KeyInfo   `json:"public_key"`
	// SignatureAlgorithm is crypto/x509's name, such as "ECDSA-SHA384" (see
	// SignatureAlgorithmName for RSASSA-PSS with another salt than the hash's length).
	SignatureAlgorithm string  `json:"signature_algorithm"`
	SANs               SANInfo `json:"sans"`
	// KeyUsage is nil (JSON null) without a key usage extension: every usage allowed.
	KeyUsage []string `json:"key_usage"`
	// ExtKeyUsage holds names (ExtKeyUsages) or dotted OIDs; nil (JSON null)
	// without an extended key usage extension.
	ExtKeyUsage []string `json:"ext_key_usage"`
	// BasicConstraints is nil (JSON null) without the extension.
	BasicConstraints *BasicConstraintsInfo `json:"basic_constraints"`
	SubjectKeyID     string                `json:"subject_key_id"`   // lowercase hex, "" when absent
	AuthorityKeyID   string                `json:"authority_key_id"` // lowercase hex, "" when absent
	CRLDistribution  []string              `json:"crl_distribution_points"`
	OCSPServers      []string              `json:"ocsp_servers"`
	IssuingCertURLs  []string              `json:"issuing_certificate_urls"`
	Extensions       []ExtensionInfo       `json:"extensions"`
	// NameConstraints is nil (JSON null) without a name constraints extension.
	NameConstraints *NameConstraintsInfo `json:"name_constraints"`
	// SHA256 is CertificateFingerprint: the SHA-256 of the DER certificate, lowercase hex.
	SHA256 string `json:"sha256"`

	// The extensions below are nil (JSON null) when absent, and when their value does not
	// parse (its hex is in Extensions); their criticality is in Extensions.

	Policies          []PolicyInfo           `json:"policies"`
	PolicyMappings    []PolicyMappingInfo    `json:"policy_mappings"`
	PolicyConstraints *PolicyConstraintsInfo `json:"policy_constraints"`
	InhibitAnyPolicy  *int                   `json:"inhibit_any_policy"`
	// IssuerAltNames are the issuer alternative names as describeGeneralName writes them.
	IssuerAltNames    []string     `json:"issuer_alt_names"`
	SubjectInfoAccess []AccessInfo `json:"subject_info_access"`
	// SCTs are the signed certificate timestamps of an RFC 6962 SCT list.
	SCTs []SCTInfo `json:"scts"`
	// AuthorityCertIssuer and AuthorityCertSerial are an authority key identifier's issuer
	// names (as describeGeneralName writes them) and serial (FormatSerial); nil and "" when
	// absent.
	AuthorityCertIssuer []string `json:"authority_cert_issuer"`
	AuthorityCertSerial string   `json:"authority_cert_serial"`
	// FreshestCRL holds the URIs of the freshest CRL (delta CRL) distribution points.
	FreshestCRL []string `json:"freshest_crl"`
}

// DescribeCertificate describes c, with its validity placed against at.
func DescribeCertificate(c *x509.Certificate, at time.Time) CertificateInfo {
	info := CertificateInfo{
		Version:            c.Version,
		Subject:            formatRawName(c.RawSubject),
		Issuer:             formatRawName(c.RawIssuer),
		Serial:             FormatSerial(c.SerialNumber),
		NotBefore:          c.NotBefore.UTC(),
		NotAfter:           c.NotAfter.UTC(),
		Validity:           DescribeValidity(c.NotBefore, c.NotAfter, at),
		PublicKey:          describeKey(c.PublicKey, c.RawSubjectPublicKeyInfo),
		SignatureAlgorithm: SignatureAlgorithmName(c.SignatureAlgorithm, c.Raw),
		SANs:               describeSANs(c.Extensions, c.DNSNames, c.IPAddresses, c.EmailAddresses, c.URIs),
		SubjectKeyID:       hexOrEmpty(c.SubjectKeyId),
		AuthorityKeyID:     hexOrEmpty(c.AuthorityKeyId),
		CRLDistribution:    escapeAll(distributionPointURIs(c.Extensions)),
		OCSPServers:        escapeAll(c.OCSPServer),
		IssuingCertURLs:    escapeAll(c.IssuingCertificateURL),
		SHA256:             CertificateFingerprint(c),
	}
	info.SelfSigned = bytes.Equal(c.RawSubject, c.RawIssuer) &&
		CheckSignature(c.PublicKey, c.SignatureAlgorithm, c.Raw, c.RawTBSCertificate, c.Signature) == nil
	var exts []inspectExt
	for _, e := range c.Extensions {
		exts = append(exts, inspectExt{e.Id, e.Critical, e.Value})
		switch {
		case e.Id.Equal(oidExtKeyUsage):
			info.KeyUsage = KeyUsageNames(c.KeyUsage)
		case e.Id.Equal(oidExtExtKeyUsage):
			info.ExtKeyUsage = []string{}
			for _, o := range inspectEKUs(c, e.Value) {
				info.ExtKeyUsage = append(info.ExtKeyUsage, ExtKeyUsageName(o))
			}
		case e.Id.Equal(oidExtNameConstraints):
			info.NameConstraints = describeNameConstraints(e.Value, e.Critical)
		case e.Id.Equal(oidExtBasicConstraints):
			bc := &BasicConstraintsInfo{CA: c.IsCA, Critical: e.Critical}
			if c.IsCA && (c.MaxPathLen > 0 || c.MaxPathLenZero) {
				n := c.MaxPathLen
				bc.PathLen = &n
			}
			info.BasicConstraints = bc
		}
	}
	info.Extensions = describeExtensions(exts)
	var f ExtensionFields
	describeFromDER(exts, &f)
	info.Policies, info.PolicyMappings, info.PolicyConstraints, info.InhibitAnyPolicy = f.Policies, f.PolicyMappings, f.PolicyConstraints, f.InhibitAnyPolicy
	info.SubjectInfoAccess, info.SCTs = f.SubjectInfoAccess, f.SCTs
	info.IssuerAltNames, info.AuthorityCertIssuer, info.AuthorityCertSerial, info.FreshestCRL = f.IssuerAltNames, f.AuthorityCertIssuer, f.AuthorityCertSerial, f.FreshestCRL
	return info
}

// describeIssuerExtensions reads what certificates and CRLs share: the issuer alternative
// names, the issuer and serial of the authority key identifier, the freshest CRL's URIs.
func describeIssuerExtensions(exts []inspectExt) (ian, akiIssuer []string, akiSerial string, freshest []string) {
	if v, ok := findExt(exts, oidExtIssuerAltName); ok {
		ian, _ = describeGeneralNamesOK(v)
	}
	if v, ok := findExt(exts, oidAuthorityKeyID); ok {
		akiIssuer, akiSerial, _ = describeAKIIssuer(v)
	}
	if v, ok := findExt(exts, oidExtFreshestCRL); ok {
		freshest = append([]string{}, escapeAll(freshestCRLURIs(v))...)
	}
	return ian, akiIssuer, akiSerial, freshest
}

// inspectEKUs reads the usages of an extended key usage extension's value in their order
// (CertificateEKUs has crypto/x509's, which puts the usages it knows first), or returns
// CertificateEKUs(c) when the value does not parse here.
func inspectEKUs(c *x509.Certificate, value []byte) []asn1.ObjectIdentifier {
	s := cryptobyte.String(value)
	var out []asn1.ObjectIdentifier
	if !s.ReadASN1(&s, cbasn1.SEQUENCE) {
		return CertificateEKUs(c)
	}
	for !s.Empty() {
		var o asn1.ObjectIdentifier
		if !s.ReadASN1ObjectIdentifier(&o) {
			return CertificateEKUs(c)
		}
		out = append(out, o)
	}
	return out
}

// CSRInfo describes a certificate signing request. Its JSON form is stable: fields are only
// ever added.
type CSRInfo struct {
	Subject            string  `json:"subject"`
	PublicKey          KeyInfo `json:"public_key"`
	SignatureAlgorithm string  `json:"signature_algorithm"`
	// SignatureValid is true when the CSR's own key verifies its signature; SignatureError
	// says why not ("" when valid).
	SignatureValid bool            `json:"signature_valid"`
	SignatureError string          `json:"signature_error"`
	SANs           SANInfo         `json:"sans"`
	Extensions     []ExtensionInfo `json:"extensions"` // the extensions requested
	SHA256         string          `json:"sha256"`     // of the DER CSR
	// ChallengePassword is true when the CSR has a challengePassword attribute, whose value
	// (a secret) is never shown.
	ChallengePassword bool `json:"challenge_password"`
	// Attributes are the CSR's other attributes but its extensionRequest.
	Attributes []AttributeInfo `json:"attributes"`
	// The requested extensions taken apart as a certificate's are, with the same JSON fields
	// (key_usage, basic_constraints, policies, ...), each null when not requested.
	ExtensionFields
}

// DescribeCSR describes csr and checks its signature. The requested extensions are taken
// apart as a certificate's are; a CSR from ParseObjects or ParseCSR has them well-formed, and
// one that is not shows those that do not parse as null and in Extensions as hex.
func DescribeCSR(csr *x509.CertificateRequest) CSRInfo {
	info := CSRInfo{
		Subject:            formatRawName(csr.RawSubject),
		PublicKey:          describeKey(csr.PublicKey, csr.RawSubjectPublicKeyInfo),
		SignatureAlgorithm: SignatureAlgorithmName(csr.SignatureAlgorithm, csr.Raw),
		SANs:               describeSANs(csr.Extensions, csr.DNSNames, csr.IPAddresses, csr.EmailAddresses, csr.URIs),
		SHA256:             sha256Hex(csr.Raw),
		ExtensionFields:    describeRequested(csr.Extensions),
	}
	if err := CheckCSRSignature(csr); err != nil {
		info.SignatureError = err.Error()
	} else {
		info.SignatureValid = true
	}
	info.ChallengePassword, info.Attributes = csrAttributes(csr.RawTBSCertificateRequest)
	var exts []inspectExt
	for _, e := range csr.Extensions {
		exts = append(exts, inspectExt{e.Id, e.Critical, e.Value})
	}
	info.Extensions = describeExtensions(exts)
	return info
}

// RevokedInfo is one entry of a CRL.
type RevokedInfo struct {
	Serial    string    `json:"serial"` // FormatSerial
	RevokedAt time.Time `json:"revoked_at"`
	// Reason is the RFC 5280 name of the reason code (RevocationReasons), "" when the entry
	// has none.
	Reason string `json:"reason"`
	// InvalidityDate is the entry's invalidity date; nil (JSON null) when absent.
	InvalidityDate *time.Time `json:"invalidity_date"`
	// CertificateIssuer is, in an indirect CRL, the issuer of the certificate the entry
	// revokes: the names of the entry's certificateIssuer extension or, without one, of the
	// entry before it that has one (RFC 5280 5.3.3), each as its form and the name
	// ("dns:ca.example", "dirName:CN=CA"); nil (JSON null) when no entry so far has one: the
	// certificate is the CRL issuer's.
	CertificateIssuer []string `json:"certificate_issuer"`
}

var (
	oidEntryReason            = asn1.ObjectIdentifier{2, 5, 29, 21}
	oidEntryInvalidityDate    = asn1.ObjectIdentifier{2, 5, 29, 24}
	oidEntryCertificateIssuer = asn1.ObjectIdentifier{2, 5, 29, 29}
)

// describeGeneralNames writes each name of a DER GeneralNames as describeGeneralName does;
// GeneralNames that do not parse are "#" and the hex of their DER.
func describeGeneralNames(der []byte) []string {
	names, err := pkixname.ParseGeneralNames(der, false)
	if err != nil {
		return []string{fmt.Sprintf("#%X", der)}
	}
	var out []string
	for _, g := range names {
		out = append(out, describeGeneralName(g))
	}
	return out
}

// describeGeneralName writes a general name as its form and the name, as the text of cert
// inspect lists SANs ("dns:a.example", "ip:192.0.2.0/24", "dirName:CN=CA").
func describeGeneralName(g pkixname.GeneralName) string {
	switch g.Form {
	case pkixname.DNSName:
		return "dns:" + escapeText(string(g.Raw))
	case pkixname.IPAddress:
		return "ip:" + g.String()
	case pkixname.RFC822Name:
		return "email:" + escapeText(string(g.Raw))
	case pkixname.URI:
		return "uri:" + escapeText(string(g.Raw))
	case pkixname.DirectoryName:
		return "dirName:" + g.String()
	case pkixname.OtherName:
		return "otherName:" + describeOtherName(g.Raw)
	case pkixname.RegisteredID:
		return "registeredID:" + describeRegisteredID(g.Raw)
	}
	return fmt.Sprintf("%s:#%X", g.Form, g.Raw)
}

// NameConstraintsInfo is the name constraints extension: the base of each permitted and
// excluded subtree, as describeGeneralName writes them (a subtree's minimum and maximum,
// which RFC 5280 says must be 0 and absent, are not shown).
type NameConstraintsInfo struct {
	Permitted []string `json:"permitted"`
	Excluded  []string `json:"excluded"`
	Critical  bool     `json:"critical"`
}

// describeNameConstraints reads a name constraints extension's value; a subtree whose base
// does not parse is "#" and the hex of the subtree, and a value that does not parse at all
// gives nil (the extension's hex is in extensions[]).
func describeNameConstraints(value []byte, critical bool) *NameConstraintsInfo {
	s := cryptobyte.String(value)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return nil
	}
	info := &NameConstraintsInfo{Permitted: []string{}, Excluded: []string{}, Critical: critical}
	var permitted, excluded cryptobyte.String
	if !seq.ReadOptionalASN1(&permitted, nil, cbasn1.Tag(0).ContextSpecific().Constructed()) ||
		!seq.ReadOptionalASN1(&excluded, nil, cbasn1.Tag(1).ContextSpecific().Constructed()) || !seq.Empty() {
		return nil
	}
	for _, l := range []struct {
		trees cryptobyte.String
		out   *[]string
	}{{permitted, &info.Permitted}, {excluded, &info.Excluded}} {
		for !l.trees.Empty() {
			var el cryptobyte.String
			if !l.trees.ReadASN1Element(&el, cbasn1.SEQUENCE) {
				return nil
			}
			tree := el
			var g pkixname.GeneralName
			var err error
			if tree.ReadASN1(&tree, cbasn1.SEQUENCE) {
				g, err = pkixname.ParseGeneralName(&tree)
			}
			if err != nil || g.Raw == nil && g.Form == 0 {
				*l.out = append(*l.out, fmt.Sprintf("#%X", []byte(el)))
				continue
			}
			*l.out = append(*l.out, describeGeneralName(g))
		}
	}
	return info
}

// CRLInfo describes a CRL. Its signature is not checked: that needs the issuer, which
// `signet cert verify --crl` finds in the chain. Its JSON form is stable: fields are only
// ever added.
type CRLInfo struct {
	Issuer string `json:"issuer"`
	// Number is the CRL number in decimal, "" when absent.
	Number     string    `json:"number"`
	ThisUpdate time.Time `json:"this_update"`
	// NextUpdate is nil (JSON null) when absent.
	NextUpdate *time.Time `json:"next_update"`
	// Validity places the time given against thisUpdate and nextUpdate: "expired" means
	// past nextUpdate (the CRL is stale).
	Validity           Validity        `json:"validity"`
	SignatureAlgorithm string          `json:"signature_algorithm"`
	AuthorityKeyID     string          `json:"authority_key_id"`
	Revoked            []RevokedInfo   `json:"revoked"`
	Extensions         []ExtensionInfo `json:"extensions"`
	SHA256             string          `json:"sha256"` // of the DER CRL

	// The extensions below are as in CertificateInfo: nil (JSON null) or "" when absent or
	// when their value does not parse, their criticality in Extensions.

	IssuerAltNames      []string `json:"issuer_alt_names"`
	AuthorityCertIssuer []string `json:"authority_cert_issuer"`
	AuthorityCertSerial string   `json:"authority_cert_serial"`
	FreshestCRL         []string `json:"freshest_crl"`
	// IssuingDistributionPoint is the issuing distribution point extension.
	IssuingDistributionPoint *IssuingDistributionPointInfo `json:"issuing_distribution_point"`
	// DeltaCRLIndicator is the number of the base CRL of a delta CRL, in decimal.
	DeltaCRLIndicator string `json:"delta_crl_indicator"`
}

// DescribeCRL describes crl, with its dates placed against at.
func DescribeCRL(crl *x509.RevocationList, at time.Time) CRLInfo {
	info := CRLInfo{
		Issuer:             formatRawName(crl.RawIssuer),
		ThisUpdate:         crl.ThisUpdate.UTC(),
		Validity:           DescribeValidity(crl.ThisUpdate, crl.NextUpdate, at),
		SignatureAlgorithm: SignatureAlgorithmName(crl.SignatureAlgorithm, crl.Raw),
		AuthorityKeyID:     hexOrEmpty(crl.AuthorityKeyId),
		Revoked:            []RevokedInfo{},
		SHA256:             sha256Hex(crl.Raw),
	}
	if crl.Number != nil {
		info.Number = crl.Number.String()
	}
	if !crl.NextUpdate.IsZero() {
		t := crl.NextUpdate.UTC()
		info.NextUpdate = &t
	}
	var certIssuer []string
	for _, e := range crl.RevokedCertificateEntries {
		r := RevokedInfo{Serial: FormatSerial(e.SerialNumber), RevokedAt: e.RevocationTime.UTC()}
		for _, x := range e.Extensions {
			switch {
			case x.Id.Equal(oidEntryReason):
				// crypto/x509 reads an explicit "unspecified" (0) as no reason
				r.Reason = ReasonName(e.ReasonCode)
			case x.Id.Equal(oidEntryInvalidityDate):
				var t time.Time
				if rest, err := asn1.UnmarshalWithParams(x.Value, &t, "generalized"); err == nil && len(rest) == 0 {
					t = t.UTC()
					r.InvalidityDate = &t
				}
			case x.Id.Equal(oidEntryCertificateIssuer):
				certIssuer = describeGeneralNames(x.Value)
			}
		}
		r.CertificateIssuer = certIssuer
		info.Revoked = append(info.Revoked, r)
	}
	var exts []inspectExt
	for _, e := range crl.Extensions {
		exts = append(exts, inspectExt{e.Id, e.Critical, e.Value})
	}
	info.Extensions = describeExtensions(exts)
	info.IssuerAltNames, info.AuthorityCertIssuer, info.AuthorityCertSerial, info.FreshestCRL = describeIssuerExtensions(exts)
	if v, ok := findExt(exts, oidExtIssuingDP); ok {
		info.IssuingDistributionPoint, _ = describeIDP(v)
	}
	if v, ok := findExt(exts, oidExtDeltaCRLIndicator); ok {
		info.DeltaCRLIndicator, _ = describeDeltaCRLIndicator(v)
	}
	return info
}
