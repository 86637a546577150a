package timestamp

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/internal/dertime"
	"github.com/signet-pki/signet/internal/pkixname"
)

// Token is a TimeStampToken (RFC 3161 2.4.2): a CMS SignedData whose content is a TSTInfo,
// as read by ParseToken. Its fields come from the TSTInfo; nothing in it is trusted until
// Verify has checked the signature and Covers the imprint.
type Token struct {
	// Raw is the token's DER (the ContentInfo).
	Raw []byte
	// Policy is the TSA policy the token was issued under.
	Policy asn1.ObjectIdentifier
	// Hash and HashedMessage are the message imprint: the digest of what was timestamped.
	Hash          crypto.Hash
	HashedMessage []byte
	// SerialNumber is the token's serial number, unique per TSA.
	SerialNumber *big.Int
	// GenTime is when the token was made, by the TSA's clock.
	GenTime time.Time
	// Accuracy is how far GenTime may be from the true time, either way; zero when the token
	// says nothing.
	Accuracy time.Duration
	// Ordering says that tokens of this TSA can be ordered by GenTime alone.
	Ordering bool
	// Nonce is the request's nonce, nil when the request had none.
	Nonce *big.Int
	// TSAName is the TSA's name from the token, when it gives one as a directory name (in
	// RFC 4514 form); "" otherwise.
	TSAName string
	// Certificates are the certificates the token carries (the TSA's, with certReq).
	Certificates []*x509.Certificate

	sidIssuer    []byte // the signer's issuer (DER Name), or nil with a key identifier
	sidSerial    *big.Int
	sidKeyID     []byte
	digestHash   crypto.Hash
	sigAlg       x509.SignatureAlgorithm
	signature    []byte
	signedAttrs  []byte // the DER SET OF attributes that the signature covers
	msgDigest    []byte
	essV1        []essCertID             // the SigningCertificate attribute's IDs, nil without one
	essV2        []essCertID             // the SigningCertificateV2 attribute's IDs, nil without one
	critExts     []asn1.ObjectIdentifier // the TSTInfo's critical extensions (none is processed)
	tsaName      []byte                  // the TSTInfo's tsa GeneralName (DER), nil without one
	tstInfo      []byte                  // the encapsulated content, the DER TSTInfo
	attrContType asn1.ObjectIdentifier
}

// essCertID is one certificate named by the ESS signing-certificate attribute (v1: SHA-1;
// v2: the hash named, SHA-256 by default), optionally with its issuer and serial number.
type essCertID struct {
	hash      crypto.Hash
	certHash  []byte
	issuer    []byte // DER GeneralNames, nil when absent
	serial    *big.Int
	hasIssuer bool
}

// ParseToken reads a DER TimeStampToken. It checks the structure only: Verify checks the
// signature. Errors wrap ErrMalformed, or ErrUnsupported for a hash signet does not know.
func ParseToken(der []byte) (*Token, error) {
	t := &Token{Raw: slices.Clone(der)}
	in := cryptobyte.String(der)
	var ci, content, sd cryptobyte.String
	var ctype asn1.ObjectIdentifier
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) || !in.Empty() ||
		!ci.ReadASN1ObjectIdentifier(&ctype) || !ctype.Equal(oidSignedData) ||
		!ci.ReadASN1(&content, cbasn1.Tag(0).Constructed().ContextSpecific()) || !ci.Empty() ||
		!content.ReadASN1(&sd, cbasn1.SEQUENCE) || !content.Empty() {
		return nil, malformed("not a DER CMS SignedData")
	}
	var version int64
	var digestAlgs, encap, certs, signerInfos, eContent cryptobyte.String
	var eType asn1.ObjectIdentifier
	var hasCerts bool
	if !sd.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) ||
		!sd.ReadASN1(&digestAlgs, cbasn1.SET) ||
		!sd.ReadASN1(&encap, cbasn1.SEQUENCE) ||
		!encap.ReadASN1ObjectIdentifier(&eType) {
		return nil, malformed("bad SignedData")
	}
	if !eType.Equal(oidTSTInfo) {
		return nil, malformed("the content type is %v, not id-ct-TSTInfo: not a time-stamp token", eType)
	}
	if !encap.ReadASN1(&eContent, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!eContent.ReadASN1Bytes(&t.tstInfo, cbasn1.OCTET_STRING) || !eContent.Empty() || !encap.Empty() {
		return nil, malformed("the token holds no TSTInfo")
	}
	if !sd.ReadOptionalASN1(&certs, &hasCerts, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!sd.SkipOptionalASN1(cbasn1.Tag(1).Constructed().ContextSpecific()) ||
		!sd.ReadASN1(&signerInfos, cbasn1.SET) || !sd.Empty() {
		return nil, malformed("bad SignedData")
	}
	for hasCerts && !certs.Empty() {
		var c cryptobyte.String
		var tag cbasn1.Tag
		if !certs.ReadAnyASN1Element(&c, &tag) {
			return nil, malformed("bad certificates")
		}
		if tag != cbasn1.SEQUENCE {
			continue // other certificate formats: not X.509
		}
		cert, err := x509.ParseCertificate(c)
		if err != nil {
			return nil, malformed("certificate: %v", err)
		}
		t.Certificates = append(t.Certificates, cert)
	}
	var si cryptobyte.String
	if !signerInfos.ReadASN1(&si, cbasn1.SEQUENCE) {
		return nil, malformed("no SignerInfo")
	}
	if !signerInfos.Empty() {
		return nil, malformed("a time-stamp token has one signer (RFC 3161 2.4.2)")
	}
	if err := t.parseSignerInfo(si); err != nil {
		return nil, err
	}
	if err := t.parseTSTInfo(); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Token) parseSignerInfo(si cryptobyte.String) error {
	var version int64
	var sid cryptobyte.String
	var sidTag cbasn1.Tag
	var digestOID, sigOID asn1.ObjectIdentifier
	if !si.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) ||
		!si.ReadAnyASN1Element(&sid, &sidTag) ||
		!readAlgorithm(&si, &digestOID) {
		return malformed("bad SignerInfo")
	}
	switch sidTag {
	case cbasn1.SEQUENCE: // issuerAndSerialNumber
		var ias, issuer cryptobyte.String
		if !sid.ReadASN1(&ias, cbasn1.SEQUENCE) || !ias.ReadASN1Element(&issuer, cbasn1.SEQUENCE) ||
			!readBigInt(&ias, &t.sidSerial) || !ias.Empty() {
			return malformed("bad signer identifier")
		}
		t.sidIssuer = issuer
	case cbasn1.Tag(0).ContextSpecific(): // subjectKeyIdentifier
		if !sid.ReadASN1Bytes(&t.sidKeyID, cbasn1.Tag(0).ContextSpecific()) {
			return malformed("bad signer identifier")
		}
	default:
		return malformed("bad signer identifier")
	}
	h, ok := hashByOID(digestOID)
	if !ok {
		return fmt.Errorf("%w: digest algorithm %v", ErrUnsupported, digestOID)
	}
	t.digestHash = h
	attrsTag := cbasn1.Tag(0).Constructed().ContextSpecific()
	var full, attrs cryptobyte.String
	if !si.ReadASN1Element(&full, attrsTag) {
		return malformed("the SignerInfo has no signed attributes (RFC 3161 needs them)")
	}
	// What is signed is the attributes' encoding with the SET tag in place of [0].
	t.signedAttrs = append([]byte{0x31}, full[1:]...)
	if !full.ReadASN1(&attrs, attrsTag) {
		return malformed("bad signed attributes")
	}
	var sigAlg cryptobyte.String
	if !si.ReadASN1(&sigAlg, cbasn1.SEQUENCE) {
		return malformed("bad SignerInfo")
	}
	if !sigAlg.ReadASN1ObjectIdentifier(&sigOID) {
		return malformed("bad signature algorithm")
	}
	if !si.ReadASN1Bytes(&t.signature, cbasn1.OCTET_STRING) ||
		!si.SkipOptionalASN1(cbasn1.Tag(1).Constructed().ContextSpecific()) || !si.Empty() {
		return malformed("bad SignerInfo")
	}
	t.sigAlg = sigAlgorithm(sigOID, h)
	if t.sigAlg == x509.UnknownSignatureAlgorithm {
		return fmt.Errorf("%w: signature algorithm %v with %v", ErrUnsupported, sigOID, h)
	}
	for !attrs.Empty() {
		var attr, values cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !attrs.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&oid) ||
			!attr.ReadASN1(&values, cbasn1.SET) || !attr.Empty() {
			return malformed("bad signed attribute")
		}
		var err error
		switch {
		case oid.Equal(oidContentType):
			// RFC 5652 11.1, 11.2: exactly one contentType and one messageDigest attribute
			// (a second one would be read in place of the first, or beside it elsewhere).
			if t.attrContType != nil {
				err = malformed("two contentType attributes (RFC 5652 11.1 allows one)")
			} else if !values.ReadASN1ObjectIdentifier(&t.attrContType) || !values.Empty() {
				err = malformed("bad contentType attribute")
			}
		case oid.Equal(oidMessageDigest):
			if t.msgDigest != nil {
				err = malformed("two messageDigest attributes (RFC 5652 11.2 allows one)")
			} else if !values.ReadASN1Bytes(&t.msgDigest, cbasn1.OCTET_STRING) || !values.Empty() {
				err = malformed("bad messageDigest attribute")
			}
		case oid.Equal(oidSigningCert):
			err = t.parseESS(&t.essV1, values, false)
		case oid.Equal(oidSigningCertV2):
			err = t.parseESS(&t.essV2, values, true)
		}
		if err != nil {
			return err
		}
	}
	if t.attrContType == nil || !t.attrContType.Equal(oidTSTInfo) {
		return malformed("the contentType attribute is missing or not id-ct-TSTInfo")
	}
	if t.msgDigest == nil {
		return malformed("no messageDigest attribute")
	}
	if t.essV1 == nil && t.essV2 == nil {
		return malformed("no ESS signing-certificate attribute (RFC 3161 2.4.1, RFC 5816)")
	}
	return nil
}

// parseESS reads a SigningCertificate (v2: SigningCertificateV2) attribute value into
// *out. A second attribute of the same kind is refused: two lists of certificate IDs make
// it ambiguous which certificate the TSA bound the token to, and Verify would check one of
// them only.
func (t *Token) parseESS(out *[]essCertID, values cryptobyte.String, v2 bool) error {
	kind := "signing-certificate"
	if v2 {
		kind = "signing-certificate-v2"
	}
	if *out != nil {
		return malformed("two ESS %s attributes: which certificate the TSA signed with is ambiguous", kind)
	}
	var sc, ids cryptobyte.String
	if !values.ReadASN1(&sc, cbasn1.SEQUENCE) || !values.Empty() || !sc.ReadASN1(&ids, cbasn1.SEQUENCE) {
		return malformed("bad %s attribute", kind)
	}
	if ids.Empty() {
		return malformed("the ESS %s attribute names no certificate", kind)
	}
	*out = []essCertID{}
	for !ids.Empty() {
		var id cryptobyte.String
		if !ids.ReadASN1(&id, cbasn1.SEQUENCE) {
			return malformed("bad ESSCertID")
		}
		e := essCertID{hash: crypto.SHA1}
		if v2 {
			e.hash = crypto.SHA256
			if id.PeekASN1Tag(cbasn1.SEQUENCE) {
				var oid asn1.ObjectIdentifier
				if !readAlgorithm(&id, &oid) {
					return malformed("bad ESSCertIDv2 hash algorithm")
				}
				h, ok := hashByOID(oid)
				if !ok {
					return fmt.Errorf("%w: ESS certificate hash %v", ErrUnsupported, oid)
				}
				e.hash = h
			}
		}
		if !id.ReadASN1Bytes(&e.certHash, cbasn1.OCTET_STRING) {
			return malformed("bad ESS certHash")
		}
		if id.PeekASN1Tag(cbasn1.SEQUENCE) {
			var is cryptobyte.String
			if !id.ReadASN1(&is, cbasn1.SEQUENCE) || !is.ReadASN1Element((*cryptobyte.String)(&e.issuer), cbasn1.SEQUENCE) ||
				!readBigInt(&is, &e.serial) || !is.Empty() {
				return malformed("bad ESS issuerSerial")
			}
			e.hasIssuer = true
		}
		if !id.Empty() {
			return malformed("bad ESSCertID")
		}
		*out = append(*out, e)
	}
	return nil
}

func (t *Token) parseTSTInfo() error {
	in := cryptobyte.String(t.tstInfo)
	var ti cryptobyte.String
	var version int64
	if !in.ReadASN1(&ti, cbasn1.SEQUENCE) || !in.Empty() ||
		!ti.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) || version != 1 ||
		!ti.ReadASN1ObjectIdentifier(&t.Policy) {
		return malformed("bad TSTInfo")
	}
	if err := readImprint(&ti, &t.Hash, &t.HashedMessage); err != nil {
		return err
	}
	if !readBigInt(&ti, &t.SerialNumber) {
		return malformed("bad TSTInfo serial number")
	}
	if why := dertime.ReadGeneralizedTime(&ti, &t.GenTime); why != "" {
		return malformed("bad TSTInfo genTime: %s", why)
	}
	if ti.PeekASN1Tag(cbasn1.SEQUENCE) {
		var acc cryptobyte.String
		var sec, ms, us int64
		ok := ti.ReadASN1(&acc, cbasn1.SEQUENCE) &&
			readOptionalInt(&acc, cbasn1.INTEGER, &sec) &&
			readOptionalInt(&acc, cbasn1.Tag(0).ContextSpecific(), &ms) &&
			readOptionalInt(&acc, cbasn1.Tag(1).ContextSpecific(), &us) && acc.Empty()
		if !ok || sec < 0 || sec > 1<<31 || ms < 0 || ms > 999 || us < 0 || us > 999 {
			return malformed("bad TSTInfo accuracy")
		}
		t.Accuracy = time.Duration(sec)*time.Second + time.Duration(ms)*time.Millisecond + time.Duration(us)*time.Microsecond
	}
	if ti.PeekASN1Tag(cbasn1.BOOLEAN) && !ti.ReadASN1Boolean(&t.Ordering) {
		return malformed("bad TSTInfo ordering")
	}
	if ti.PeekASN1Tag(cbasn1.INTEGER) && !readBigInt(&ti, &t.Nonce) {
		return malformed("bad TSTInfo nonce")
	}
	tsaTag := cbasn1.Tag(0).Constructed().ContextSpecific()
	if ti.PeekASN1Tag(tsaTag) {
		var gn, dn cryptobyte.String
		if !ti.ReadASN1(&gn, tsaTag) {
			return malformed("bad TSTInfo tsa")
		}
		t.tsaName = slices.Clone([]byte(gn))
		// GeneralName directoryName is [4] EXPLICIT Name.
		if gn.ReadASN1(&dn, cbasn1.Tag(4).Constructed().ContextSpecific()) {
			var rdn pkix.RDNSequence
			if rest, err := asn1.Unmarshal(dn, &rdn); err == nil && len(rest) == 0 {
				var n pkix.Name
				n.FillFromRDNSequence(&rdn)
				t.TSAName = n.String()
			}
		}
	}
	extsTag := cbasn1.Tag(1).Constructed().ContextSpecific()
	if ti.PeekASN1Tag(extsTag) {
		if err := t.readExtensions(&ti, extsTag); err != nil {
			return err
		}
	}
	if !ti.Empty() {
		return malformed("bad TSTInfo")
	}
	return nil
}

// readExtensions reads the TSTInfo's extensions ([1] IMPLICIT Extensions, RFC 5280's
// syntax) and keeps the OIDs of the critical ones: signet processes no TSTInfo extension,
// so Verify refuses a token with a critical one; a non-critical one is ignored. An
// extension twice is malformed (RFC 5280 4.2).
func (t *Token) readExtensions(ti *cryptobyte.String, tag cbasn1.Tag) error {
	var exts cryptobyte.String
	if !ti.ReadASN1(&exts, tag) || exts.Empty() {
		return malformed("bad TSTInfo extensions")
	}
	var seen []asn1.ObjectIdentifier
	for !exts.Empty() {
		var ext cryptobyte.String
		var id asn1.ObjectIdentifier
		var critical bool
		if !exts.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1ObjectIdentifier(&id) ||
			(ext.PeekASN1Tag(cbasn1.BOOLEAN) && !ext.ReadASN1Boolean(&critical)) ||
			!ext.SkipASN1(cbasn1.OCTET_STRING) || !ext.Empty() {
			return malformed("bad TSTInfo extension")
		}
		if slices.ContainsFunc(seen, id.Equal) {
			return malformed("the TSTInfo has extension %v twice", id)
		}
		seen = append(seen, id)
		if critical {
			t.critExts = append(t.critExts, id)
		}
	}
	return nil
}

// Signer returns the certificate that signed the token: the one its signer identifier
// names, among the token's certificates and extra. It is not verified.
func (t *Token) Signer(extra []*x509.Certificate) (*x509.Certificate, error) {
	for _, c := range slices.Concat(t.Certificates, extra) {
		switch {
		case c == nil:
		case t.sidIssuer != nil:
			if bytes.Equal(c.RawIssuer, t.sidIssuer) && c.SerialNumber.Cmp(t.sidSerial) == 0 {
				return c, nil
			}
		case len(c.SubjectKeyId) > 0 && bytes.Equal(c.SubjectKeyId, t.sidKeyID):
			return c, nil
		}
	}
	return nil, invalid("the TSA's certificate is neither in the token nor given (ask with certReq, or give the TSA's certificate)")
}

// Verify checks that the token is what its TSA signed: the content digest, the signature
// with the key of the signer's certificate (found by Signer among the token's certificates
// and extra), the ESS signing-certificate attribute (RFC 2634 / RFC 5035: the signer's
// certificate's hash, and its issuer and serial number when given, so that another
// certificate for the same key cannot be substituted; with both a v1 and a v2 attribute,
// each must name the signer; the IDs after the first are CheckChain's), no critical TSTInfo extension (signet processes none, so a
// token whose TSA marked one critical is not relied on), and the signer's certificate as RFC
// 3161 2.3 requires: an extended key usage extension, critical, with id-kp-timeStamping
// only; and the TSTInfo's tsa name, when given, must be one of that certificate's names
// (RFC 3161 2.4.2). It returns the signer's certificate, whose chain the caller still has to validate
// (at GenTime: package verify does). Errors wrap ErrInvalid, or ErrUnsupported for a token
// signed with SHA-1 (its digestAlgorithm or signatureAlgorithm), which is refused as a SHA-1
// message imprint is (Covers): a collision on the TSTInfo or the signed attributes would make
// the TSA vouch for a time or an imprint it never signed.
func (t *Token) Verify(extra []*x509.Certificate) (*x509.Certificate, error) {
	if t.digestHash == crypto.SHA1 || isSHA1Signature(t.sigAlg) {
		return nil, fmt.Errorf("%w: a token signed with SHA-1 proves nothing about what its TSA signed", ErrUnsupported)
	}
	signer, err := t.Signer(extra)
	if err != nil {
		return nil, err
	}
	h := t.digestHash.New()
	h.Write(t.tstInfo)
	if !bytes.Equal(h.Sum(nil), t.msgDigest) {
		return nil, invalid("the messageDigest attribute differs from the digest of the TSTInfo")
	}
	if err := signer.CheckSignature(t.sigAlg, t.signedAttrs, t.signature); err != nil {
		return nil, invalid("the signature does not verify with the key of %s: %v", subjectName(signer), err)
	}
	// RFC 5035 5.4: when both attributes are present, each is evaluated on its own; both
	// must name the signer.
	for _, ids := range [][]essCertID{t.essV1, t.essV2} {
		if ids == nil {
			continue
		}
		if err := checkESS(ids[0], signer); err != nil {
			return nil, err
		}
	}
	if len(t.critExts) > 0 {
		return nil, invalid("the TSTInfo has a critical extension signet does not process (%v): the TSA says the token must not be relied on without it", t.critExts[0])
	}
	if err := CheckTSACertificate(signer); err != nil {
		return nil, err
	}
	if err := t.checkTSAName(signer); err != nil {
		return nil, err
	}
	return signer, nil
}

// checkTSAName checks the TSTInfo's tsa field, when there is one: RFC 3161 2.4.2 says it
// "MUST correspond to one of the subject names included in the certificate that is to be
// used to verify the token", the subject (a directoryName) or a name of its subject
// alternative name extension. Otherwise a token signed by one TSA claims another's name, which
// is printed beside the signer's (TSAName). openssl ts -verify refuses it too.
func (t *Token) checkTSAName(signer *x509.Certificate) error {
	if t.tsaName == nil {
		return nil
	}
	in := cryptobyte.String(t.tsaName)
	name, err := pkixname.ParseGeneralName(&in)
	if err != nil || !in.Empty() {
		return invalid("the TSTInfo's tsa name cannot be read, so it cannot be matched to the certificate of %s (RFC 3161 2.4.2)", subjectName(signer))
	}
	if name.Form == pkixname.DirectoryName && pkixname.EqualDER(name.Raw, signer.RawSubject) {
		return nil
	}
	for _, e := range signer.Extensions {
		if !e.Id.Equal(oidSubjectAltName) {
			continue
		}
		sans, err := pkixname.ParseGeneralNames(e.Value, false)
		if err != nil {
			break
		}
		for _, san := range sans {
			if sameGeneralName(name, san) {
				return nil
			}
		}
	}
	return invalid("the token's tsa name %s is not a name of its signer's certificate %s (RFC 3161 2.4.2)", name, subjectName(signer))
}

// sameGeneralName reports whether a and b are the same name: directory names as RFC 5280
// 7.1 compares them, DNS names without regard to case, the other forms byte for byte.
func sameGeneralName(a, b pkixname.GeneralName) bool {
	if a.Form != b.Form {
		return false
	}
	switch a.Form {
	case pkixname.DirectoryName:
		return pkixname.EqualDER(a.Raw, b.Raw)
	case pkixname.DNSName:
		return strings.EqualFold(string(a.Raw), string(b.Raw))
	}
	return bytes.Equal(a.Raw, b.Raw)
}

// isSHA1Signature reports whether alg hashes with SHA-1.
func isSHA1Signature(alg x509.SignatureAlgorithm) bool {
	return alg == x509.SHA1WithRSA || alg == x509.ECDSAWithSHA1 || alg == x509.DSAWithSHA1
}

func checkESS(e essCertID, signer *x509.Certificate) error {
	hashOK, serialOK, err := e.names(signer)
	switch {
	case err != nil:
		return err
	case !hashOK:
		return invalid("the ESS signing-certificate attribute names another certificate than the signer's %s", subjectName(signer))
	case !serialOK:
		return invalid("the ESS signing-certificate attribute's issuer and serial are not those of %s", subjectName(signer))
	}
	return nil
}

// names reports whether e names c: by its hash (hashOK), and by its issuer and serial number
// when e gives them (serialOK, true when it does not).
func (e essCertID) names(c *x509.Certificate) (hashOK, serialOK bool, err error) {
	if !e.hash.Available() {
		return false, false, fmt.Errorf("%w: ESS certificate hash %v", ErrUnsupported, e.hash)
	}
	h := e.hash.New()
	h.Write(c.Raw)
	if !bytes.Equal(h.Sum(nil), e.certHash) {
		return false, false, nil
	}
	if e.hasIssuer {
		// IssuerSerial: GeneralNames holding the issuer as a directoryName, and the serial.
		in := cryptobyte.String(e.issuer)
		var names, dn cryptobyte.String
		if !in.ReadASN1(&names, cbasn1.SEQUENCE) || !names.ReadASN1(&dn, cbasn1.Tag(4).Constructed().ContextSpecific()) ||
			!bytes.Equal(dn, c.RawIssuer) || e.serial.Cmp(c.SerialNumber) != 0 {
			return true, false, nil
		}
	}
	return true, true, nil
}

// CheckChain checks the certificate IDs of the ESS signing-certificate attributes after the
// first, the signer's own, which Verify checks: RFC 2634 5.4 (SigningCertificate) and RFC
// 5035 (SigningCertificateV2) say they limit the certificates the signature is validated
// with, so each must name a certificate of chain, the TSA's validated chain (its certificate
// first, the trust anchor last), as openssl ts -verify checks them. Call it once the chain is
// validated. Errors wrap ErrInvalid, or ErrUnsupported for an ID's hash signet does not know.
func (t *Token) CheckChain(chain []*x509.Certificate) error {
	for _, ids := range [][]essCertID{t.essV1, t.essV2} {
		for k := 1; k < len(ids); k++ {
			found := false
			for _, c := range chain {
				hashOK, serialOK, err := ids[k].names(c)
				if err != nil {
					return err
				}
				if hashOK && serialOK {
					found = true
					break
				}
			}
			if !found {
				return invalid("certificate %d of the ESS signing-certificate attribute is not in the TSA's chain, which it restricts (RFC 2634 5.4)", k+1)
			}
		}
	}
	return nil
}

// ErrNotTSACertificate is wrapped (with ErrInvalid) by CheckTSACertificate's error.
var ErrNotTSACertificate = errors.New("timestamp: not a time-stamping certificate")

// CheckTSACertificate checks what RFC 3161 2.3 requires of a TSA's certificate: the extended
// key usage extension, marked critical, with exactly one purpose, id-kp-timeStamping.
// It matches ErrInvalid and ErrNotTSACertificate.
func CheckTSACertificate(c *x509.Certificate) error {
	if c == nil {
		return &notTSAError{subject: "(no certificate)", why: "there is none"}
	}
	bad := func(why string) error { return &notTSAError{subject: subjectName(c), why: why} }
	if c.KeyUsage != 0 && c.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return bad("its key usage allows no signature (digitalSignature or nonRepudiation)")
	}
	for _, e := range c.Extensions {
		if !e.Id.Equal(oidExtKeyUsage) {
			continue
		}
		if !e.Critical {
			return bad("its extended key usage is not critical")
		}
		if len(c.ExtKeyUsage) != 1 || c.ExtKeyUsage[0] != x509.ExtKeyUsageTimeStamping || len(c.UnknownExtKeyUsage) != 0 {
			return bad("its extended key usage is not timeStamping alone")
		}
		return nil
	}
	return bad("it has no extended key usage timeStamping")
}

// subjectName is c's subject for messages, as package verify prints names (RFC 4514, control
// and format characters escaped): the certificate is the token maker's choice, and no subject
// may forge or hide a line of output.
func subjectName(c *x509.Certificate) string {
	dn, err := pkixname.ParseDN(c.RawSubject)
	if err != nil {
		return "(unparseable name)"
	}
	if s := dn.String(); s != "" {
		return s
	}
	return "(empty subject)"
}

type notTSAError struct{ subject, why string }

func (e *notTSAError) Error() string {
	return fmt.Sprintf("timestamp: %s is not a time-stamping certificate: %s (RFC 3161 2.3)", e.subject, e.why)
}

func (e *notTSAError) Is(target error) bool {
	return target == ErrInvalid || target == ErrNotTSACertificate
}

// Covers checks that the token's message imprint is the digest of data under the token's
// hash. Errors wrap ErrMismatch, or ErrUnsupported for a SHA-1 imprint.
func (t *Token) Covers(data []byte) error {
	if !t.Hash.Available() {
		return fmt.Errorf("%w: %v", ErrUnsupported, t.Hash)
	}
	if err := t.imprintUsable(); err != nil {
		return err
	}
	h := t.Hash.New()
	h.Write(data)
	if !bytes.Equal(h.Sum(nil), t.HashedMessage) {
		return fmt.Errorf("%w: its message imprint is not the %v digest of the data timestamped", ErrMismatch, t.Hash)
	}
	return nil
}

// CoversDigest checks that the token's message imprint is d, a digest the caller computed
// under the token's hash (ts verify --digest). A SHA-1 imprint is refused as Covers refuses
// it: the digest given does not make it collision-resistant. Errors wrap ErrMismatch, or
// ErrUnsupported (also for a token without an imprint of a known hash, as the zero Token).
func (t *Token) CoversDigest(d []byte) error {
	if err := t.imprintUsable(); err != nil {
		return err
	}
	if !t.Hash.Available() || len(t.HashedMessage) != t.Hash.Size() {
		// Not a parsed token (the zero Token has no imprint): it covers nothing, not even an
		// empty digest.
		return fmt.Errorf("%w: the token has no %v message imprint", ErrUnsupported, t.Hash)
	}
	if !bytes.Equal(d, t.HashedMessage) {
		return fmt.Errorf("%w: its message imprint is not the digest given", ErrMismatch)
	}
	return nil
}

// imprintUsable refuses a SHA-1 message imprint: a chosen-prefix collision makes it cover
// two files.
func (t *Token) imprintUsable() error {
	if t.Hash == crypto.SHA1 {
		return fmt.Errorf("%w: a SHA-1 message imprint proves nothing about which data was timestamped", ErrUnsupported)
	}
	return nil
}

// readOptionalInt reads an INTEGER with tag (IMPLICIT), if there is one.
func readOptionalInt(s *cryptobyte.String, tag cbasn1.Tag, out *int64) bool {
	if !s.PeekASN1Tag(tag) {
		return true
	}
	return s.ReadASN1Int64WithTag(out, tag)
}
