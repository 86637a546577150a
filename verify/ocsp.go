package verify

import (
	"bytes"
	"cmp"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"hash"
	"math/big"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/ocsp"

	"github.com/signet-pki/signet/internal/dertime"
	"github.com/signet-pki/signet/internal/pkixname"
	"github.com/signet-pki/signet/x509util"
)

// OCSP responses (RFC 6960): the single responses of a response, matched to a certificate by
// CertID, and their signer checked (the issuer, or a delegated responder it certified).

// ocspInfo is one response given, read once per Verify call (parsed), and the verdict on its
// signer for each issuer it was checked against.
type ocspInfo struct {
	raw     []byte
	read    bool
	resp    *ocspResponse
	err     error
	signers map[*certInfo]*finding // nil finding: the issuer or its responder signed it
}

// parsed returns the response read, reading it on first use.
func (o *ocspInfo) parsed() (*ocspResponse, error) {
	if !o.read {
		o.resp, o.err = parseOCSP(o.raw)
		o.read = true
	}
	return o.resp, o.err
}

// ocspSkew is the clock difference tolerated between a responder and the validation time for
// thisUpdate (RFC 5019 2.2.4 asks clients to allow for it).
const ocspSkew = 5 * time.Minute

// ocspAnswer is what one OCSP SingleResponse says about a certificate.
type ocspAnswer struct {
	status     int // ocsp.Good, ocsp.Revoked, ocsp.Unknown
	thisUpdate time.Time
	nextUpdate time.Time // zero when absent
	revokedAt  time.Time
	reason     int
}

// ocspMaxAgeWithoutNextUpdate is how old a response without nextUpdate may be: such a response
// says newer information is always available (RFC 5019 2.2.4), so an old one is stale.
const ocspMaxAgeWithoutNextUpdate = 24 * time.Hour

// ocspFor returns the answer about c if the raw response holds one (a SingleResponse whose
// CertID names c's serial and its issuer's name and key hashes), with the response's signer
// and the answer's dates checked; nil, nil when it is about other certificates.
//
// forged is set with the problem when the response is about c but no key of c's issuer signed
// it, nor a responder such a key certified (rfc6960.forged): a forgery, or a response changed
// since it was signed, which fails the certificate even beside a genuine answer, as a forged
// CRL does.
func (v *verifier) ocspFor(o *ocspInfo, c, issuer *certInfo) (_ *ocspAnswer, _ *Error, forged bool) {
	r, err := o.parsed()
	if err != nil {
		return nil, newRuleError(CRLInvalid, c.c, "rfc6960.response", err, "an OCSP response given cannot be read: %v", err), false
	}
	// The answer about c; of several, a revoked one, else an unknown one: a responder that
	// said both said revoked, and one that said good and unknown does not know.
	rank := func(status int) int {
		switch status {
		case ocsp.Revoked:
			return 2
		case ocsp.Unknown:
			return 1
		}
		return 0
	}
	var mine *ocspSingle
	for k := range r.singles {
		if id := r.singles[k].id; id.serial.Cmp(c.c.SerialNumber) == 0 && id.matches(issuer.c, c.c.RawIssuer) {
			if mine == nil || rank(r.singles[k].answer.status) > rank(mine.answer.status) {
				mine = &r.singles[k]
			}
		}
	}
	if mine == nil {
		return nil, nil, false
	}
	bad := func(rule, format string, args ...any) (*ocspAnswer, *Error, bool) {
		return nil, newRuleError(CRLInvalid, c.c, rule, nil, "the OCSP response about %s cannot be used: %s", Name(c.c), fmt.Sprintf(format, args...)), rule == "rfc6960.forged"
	}
	if mine.criticalExt != nil {
		return bad("rfc6960.response", "its answer has a critical extension signet does not process (%s)", mine.criticalExt)
	}
	if r.respCritical != nil {
		return bad("rfc6960.response", "it has a critical response extension signet does not process (%s; RFC 6960 4.4)", r.respCritical)
	}
	f, done := o.signers[issuer]
	if !done {
		f = v.ocspSigner(r, issuer)
		if o.signers == nil {
			o.signers = map[*certInfo]*finding{}
		}
		o.signers[issuer] = f
	}
	if f != nil {
		return bad(f.rule, "%s", f.detail)
	}
	if weakSignature(r.sigAlg) {
		return bad("signet.weak-signature", "it is signed with %s", r.sigAlg)
	}
	a := &mine.answer
	if v.revAt.Add(ocspSkew).Before(a.thisUpdate) {
		return bad("rfc6960.not-yet-valid", "its thisUpdate %s is after %s", ts(a.thisUpdate), ts(v.revAt))
	}
	// A window that ends before it begins is current at no time, though the skew allowed for
	// thisUpdate could put the validation time between the two.
	if !a.nextUpdate.IsZero() && a.nextUpdate.Before(a.thisUpdate) {
		return bad("rfc6960.expired", "its nextUpdate %s is before its thisUpdate %s", ts(a.nextUpdate), ts(a.thisUpdate))
	}
	if !a.nextUpdate.IsZero() && v.revAt.After(a.nextUpdate) {
		return bad("rfc6960.expired", "its nextUpdate %s has passed", ts(a.nextUpdate))
	}
	if a.nextUpdate.IsZero() && v.revAt.Sub(a.thisUpdate) > ocspMaxAgeWithoutNextUpdate {
		return bad("rfc6960.expired", "it has no nextUpdate and its thisUpdate %s is more than %v old", ts(a.thisUpdate), ocspMaxAgeWithoutNextUpdate)
	}
	// producedAt, when the responder signed (RFC 6960 4.2.1, 2.5): openssl and
	// golang.org/x/crypto/ocsp never compare it. A response signed after the validation time
	// (beyond the clock skew allowed for thisUpdate) did not exist then; one signed after its
	// answer's nextUpdate gave status the responder knew was stale; one signed before its
	// thisUpdate vouches for a time yet to come, when a revocation could have happened. The
	// skew allowed for the last: responders write producedAt to the minute
	// (golang.org/x/crypto/ocsp truncates it) and thisUpdate to the second.
	switch p := r.producedAt; {
	case v.revAt.Add(ocspSkew).Before(p):
		return bad("rfc6960.produced-at", "its producedAt %s is after %s", ts(p), ts(v.revAt))
	case !a.nextUpdate.IsZero() && p.After(a.nextUpdate):
		return bad("rfc6960.produced-at", "its producedAt %s is after its nextUpdate %s: signed when stale", ts(p), ts(a.nextUpdate))
	case p.Add(ocspSkew).Before(a.thisUpdate):
		return bad("rfc6960.produced-at", "its producedAt %s is before its thisUpdate %s: it vouches for a time to come", ts(p), ts(a.thisUpdate))
	}
	return a, nil, false
}

// oidOCSPNoCheck is id-pkix-ocsp-nocheck (RFC 6960 4.2.2.2.1).
var oidOCSPNoCheck = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}

// maxOCSPResponderCandidates bounds the certificates of a response tried as its responder.
const maxOCSPResponderCandidates = 8

// ocspSigner checks that the issuer signed r, or a delegated responder it certified (RFC 6960
// 4.2.2.2): nil when one did, else the finding (rfc6960.forged when no key of the issuer's
// name vouches for the signature). The responder is looked for among every certificate the
// response carries, those its responderID names first: golang.org/x/crypto/ocsp takes the
// first for the responder, and a response that lists it after another (the issuer's
// certificate, or an older certificate of the responder's key) would be refused.
func (v *verifier) ocspSigner(r *ocspResponse, issuer *certInfo) *finding {
	if r.signedBy(issuer.c) {
		if !r.names(issuer.c) {
			return &finding{"rfc6960.responder-id", fmt.Sprintf("its responderID does not name %s, which signed it (RFC 6960 4.2.2.3)", Name(issuer.c))}
		}
		return nil
	}
	// The certificates whose key made the signature, those the responderID names first; of
	// the first maxOCSPResponderCandidates, so that a response stuffed with certificates (a
	// megabyte holds thousands) costs no more than a few signature checks.
	var named, others []*x509.Certificate
	for _, rc := range r.certs {
		if sameKey(rc, issuer.c) {
			continue
		}
		if r.names(rc) {
			named = append(named, rc)
		} else {
			others = append(others, rc)
		}
	}
	cands := slices.Concat(named, others)
	cands = cands[:min(len(cands), maxOCSPResponderCandidates)]
	var signers []*x509.Certificate
	byKey := map[string]bool{}
	for _, rc := range cands {
		ok, done := byKey[string(rc.RawSubjectPublicKeyInfo)]
		if !done {
			ok = r.signedBy(rc)
			byKey[string(rc.RawSubjectPublicKeyInfo)] = ok
		}
		if ok {
			signers = append(signers, rc)
		}
	}
	var first *finding
	for _, rc := range signers {
		f := v.responderProblem(issuer, rc)
		if f == nil && !r.names(rc) {
			f = &finding{"rfc6960.responder-id", fmt.Sprintf("its responderID does not name %s, which signed it (RFC 6960 4.2.2.3)", Name(rc))}
		}
		if f == nil {
			return nil
		}
		if first == nil || first.rule == "rfc6960.forged" && f.rule != "rfc6960.forged" {
			first = f
		}
	}
	if first != nil {
		return first
	}
	if other := v.otherCAKey(issuer, r.sigAlg, r.basic, r.tbs, r.sig); other != nil {
		return &finding{"rfc6960.signature", fmt.Sprintf("it is signed by another key of %s (sha256:%s), not the one its CertID names",
			Name(issuer.c), x509util.CertificateFingerprint(other.c)[:16])}
	}
	return &finding{"rfc6960.forged", fmt.Sprintf("it is not signed by %s or a responder it certified: a forgery, or changed since it was signed", Name(issuer.c))}
}

// responderProblem checks rc, a certificate whose key signed an OCSP response, as the
// issuer's delegated responder: nil when it is one signet accepts.
func (v *verifier) responderProblem(issuer *certInfo, rc *x509.Certificate) *finding {
	bad := func(rule, format string, args ...any) *finding { return &finding{rule, fmt.Sprintf(format, args...)} }
	if weakSignature(rc.SignatureAlgorithm) {
		return bad("signet.weak-signature", "its responder certificate %s is signed with %s", Name(rc), rc.SignatureAlgorithm)
	}
	if err := checkSignedBy(issuer.c, rc.SignatureAlgorithm, rc.Raw, rc.RawTBSCertificate, rc.Signature); err != nil {
		if other := v.otherCAKey(issuer, rc.SignatureAlgorithm, rc.Raw, rc.RawTBSCertificate, rc.Signature); other != nil {
			return bad("rfc6960.responder", "its responder %s was certified by another key of %s (sha256:%s), not the one its CertID names",
				Name(rc), Name(issuer.c), x509util.CertificateFingerprint(other.c)[:16])
		}
		return bad("rfc6960.forged", "its responder %s was not certified by %s nor by another key of its name: a forgery", Name(rc), Name(issuer.c))
	}
	// Issued directly by the CA (RFC 6960 4.2.2.2): in its name too, as a path chains names
	// (RFC 5280 6.1.3 (a)(4)); a certificate its key signed in another name is that other
	// name's, as a CRL its key signed in another name is (rfc5280.crl-scope).
	if v.info(rc).issuerKey != issuer.subjectKey {
		return bad("rfc6960.responder", "its responder %s was certified by the key of %s in another name, %s (RFC 6960 4.2.2.2)",
			Name(rc), Name(issuer.c), rawNameString(rc.RawIssuer))
	}
	if !slices.ContainsFunc(certEKUs(rc), oidOCSPSigning.Equal) {
		return bad("rfc6960.responder-eku", "its responder %s lacks id-kp-OCSPSigning", Name(rc))
	}
	if findExt(rc, oidExtKeyUsage) != nil && rc.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return bad("rfc6960.responder-eku", "its responder %s has a key usage without digitalSignature", Name(rc))
	}
	// The key checks signet applies to every certificate of a chain (signet.rsa-key-too-small,
	// signet.dsa-key): a responder's key vouches for the status of every certificate of
	// its CA, and one that can be factored signs any answer.
	switch k := rc.PublicKey.(type) {
	case *rsa.PublicKey:
		if bits := k.N.BitLen(); bits < 2048 {
			return bad("rfc6960.responder-key", "its responder %s has a %d-bit RSA key; signet requires at least 2048", Name(rc), bits)
		}
	case *ecdsa.PublicKey, ed25519.PublicKey:
	default:
		return bad("rfc6960.responder-key", "its responder %s has a key signet does not accept (%s)", Name(rc), rc.PublicKeyAlgorithm)
	}
	// id-pkix-ocsp-nocheck (RFC 6960 4.2.2.2.1) is processed: it asks the client not to check
	// the responder's status (signet still refuses a responder a CRL given revokes,
	// responderRevoked). It SHOULD be non-critical, so it may be critical; its value is NULL.
	for _, oid := range rc.UnhandledCriticalExtensions {
		if !oid.Equal(oidOCSPNoCheck) || !slices.ContainsFunc(rc.Extensions, func(e pkix.Extension) bool {
			return e.Id.Equal(oidOCSPNoCheck) && bytes.Equal(e.Value, []byte{5, 0})
		}) {
			return bad("rfc6960.responder", "its responder %s has a critical extension signet does not process (%s)", Name(rc), oid)
		}
	}
	if v.revAt.Before(rc.NotBefore) || v.revAt.After(rc.NotAfter) {
		return bad("rfc6960.responder-validity", "its responder certificate %s is not valid at %s", Name(rc), ts(v.revAt))
	}
	if l, en := v.responderRevoked(issuer, rc); l != nil {
		return bad("rfc6960.responder-revoked", "its responder %s (serial %s) was revoked at %s (%s) by the %s",
			Name(rc), x509util.FormatSerial(rc.SerialNumber), ts(en.at), x509util.ReasonName(en.reason), crlLabel(l))
	}
	return nil
}

// otherCAKey returns a certificate given in the name of the issuer with another key (the CA's
// rolled-over key) that verifies sig over tbs (of the signed object raw), or nil. RFC 6960
// 4.2.2.2 wants the key the CertID names, so such a signature does not make a response
// usable; but it is the CA's, not a forgery.
func (v *verifier) otherCAKey(issuer *certInfo, algo x509.SignatureAlgorithm, raw, tbs, sig []byte) *certInfo {
	for _, x := range v.byName[issuer.subjectKey] {
		if x.c.PublicKey == nil || sameKey(x.c, issuer.c) {
			continue
		}
		if checkSignedBy(x.c, algo, raw, tbs, sig) == nil {
			return x
		}
	}
	return nil
}

// ocspSingle is one SingleResponse: its CertID and its answer.
type ocspSingle struct {
	id          ocspCertID
	answer      ocspAnswer
	criticalExt asn1.ObjectIdentifier // the first critical singleExtension, nil when none
}

// ocspCertID is the CertID of one SingleResponse (RFC 6960 4.1.1).
type ocspCertID struct {
	hash     asn1.ObjectIdentifier
	nameHash []byte
	keyHash  []byte
	serial   *big.Int
}

// matches reports whether the CertID's hashes name issuer: the hash of its public key's BIT
// STRING contents, and of its name: RFC 6960 4.1.1 hashes the issuer field of the certificate
// checked (issuerField), clients such as openssl the issuer's subject; the two name the same
// issuer when the chain links them, even encoded differently (RFC 5280 7.1).
func (id ocspCertID) matches(issuer *x509.Certificate, issuerField []byte) bool {
	var h hash.Hash
	switch {
	case id.hash.Equal(asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}):
		h = sha1.New()
	case id.hash.Equal(asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}):
		h = sha256.New()
	case id.hash.Equal(asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}):
		h = sha512.New384()
	case id.hash.Equal(asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}):
		h = sha512.New()
	default:
		return false
	}
	h.Write(issuer.RawSubject)
	if !bytes.Equal(h.Sum(nil), id.nameHash) {
		h.Reset()
		h.Write(issuerField)
		if !bytes.Equal(h.Sum(nil), id.nameHash) {
			return false
		}
	}
	spki := cryptobyte.String(issuer.RawSubjectPublicKeyInfo)
	var inner, algo cryptobyte.String
	var key asn1.BitString
	if !spki.ReadASN1(&inner, cbasn1.SEQUENCE) || !inner.ReadASN1(&algo, cbasn1.SEQUENCE) || !inner.ReadASN1BitString(&key) {
		return false
	}
	h.Reset()
	h.Write(key.Bytes)
	return bytes.Equal(h.Sum(nil), id.keyHash)
}

// ocspResponse is a successful OCSP response as signet reads it (RFC 6960 4.2.1):
// golang.org/x/crypto/ocsp exposes neither the CertID's issuer hashes nor the answers beyond
// the first with a given serial, nor the certificates beyond the first, so that a response is
// tied to the issuer by its name and key hashes, the answer read is the one whose CertID
// matched, and the responder is found wherever it is listed.
type ocspResponse struct {
	singles []ocspSingle
	// respCritical is the first critical response extension signet does not process, nil
	// when there is none.
	respCritical asn1.ObjectIdentifier
	basic        []byte // the BasicOCSPResponse, whole (SEQUENCE { tbs, algorithm, signature, ... })
	tbs          []byte // its ResponseData, whole: what the signature covers
	sigAlg       x509.SignatureAlgorithm
	sig          []byte
	producedAt   time.Time
	// The responderID: byName the Name (whole), byKey the SHA-1 of the key.
	responderName, responderKeyHash []byte
	certs                           []*x509.Certificate
}

// ocspSignatureAlgorithms are the signatureAlgorithm OIDs of a BasicOCSPResponse signet
// reads; RSASSA-PSS is left UnknownSignatureAlgorithm, for x509util.CheckSignature reads its
// parameters from the response.
var ocspSignatureAlgorithms = []struct {
	oid asn1.ObjectIdentifier
	alg x509.SignatureAlgorithm
}{
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 2}, x509.MD2WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 4}, x509.MD5WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}, x509.SHA1WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}, x509.SHA256WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}, x509.SHA384WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}, x509.SHA512WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 3}, x509.DSAWithSHA1},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 2}, x509.DSAWithSHA256},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}, x509.ECDSAWithSHA1},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}, x509.ECDSAWithSHA256},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}, x509.ECDSAWithSHA384},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}, x509.ECDSAWithSHA512},
	{asn1.ObjectIdentifier{1, 3, 101, 112}, x509.PureEd25519},
}

// signedBy reports whether c's key made the response's signature.
func (r *ocspResponse) signedBy(c *x509.Certificate) bool {
	return c.PublicKey != nil && checkSignedBy(c, r.sigAlg, r.basic, r.tbs, r.sig) == nil
}

// names reports whether the responderID names c (RFC 6960 4.2.2.3): byName its subject
// (compared as RFC 5280 7.1 compares names), byKey the SHA-1 of its subjectPublicKey BIT
// STRING. openssl finds the signer by this id, so a response whose id names another entity
// fails there.
func (r *ocspResponse) names(c *x509.Certificate) bool {
	if r.responderName != nil {
		if bytes.Equal(r.responderName, c.RawSubject) {
			return true
		}
		a, errA := pkixname.ParseDN(r.responderName)
		b, errB := pkixname.ParseDN(c.RawSubject)
		return errA == nil && errB == nil && a.Key() == b.Key()
	}
	spki := cryptobyte.String(c.RawSubjectPublicKeyInfo)
	var inner, algo cryptobyte.String
	var key asn1.BitString
	if !spki.ReadASN1(&inner, cbasn1.SEQUENCE) || !inner.ReadASN1(&algo, cbasn1.SEQUENCE) || !inner.ReadASN1BitString(&key) {
		return false
	}
	sum := sha1.Sum(key.Bytes)
	return bytes.Equal(sum[:], r.responderKeyHash)
}

// parseOCSP reads a successful OCSP response, whole: an error status, another response type,
// or bytes out of place are errors.
func parseOCSP(der []byte) (*ocspResponse, error) {
	s := cryptobyte.String(der)
	var resp, status, rb, rbs, basicDER, basic, tbs, responses cryptobyte.String
	var rtype asn1.ObjectIdentifier
	if !s.ReadASN1(&resp, cbasn1.SEQUENCE) || !resp.ReadASN1(&status, cbasn1.ENUM) {
		return nil, fmt.Errorf("not an OCSP response")
	}
	if !s.Empty() {
		return nil, fmt.Errorf("trailing data after the OCSP response")
	}
	if len(status) != 1 || status[0] != 0 {
		return nil, fmt.Errorf("the responder answered with an error status (%x)", []byte(status))
	}
	if !resp.ReadASN1(&rb, cbasn1.Tag(0).ContextSpecific().Constructed()) || !resp.Empty() || !rb.ReadASN1(&rbs, cbasn1.SEQUENCE) || !rb.Empty() ||
		!rbs.ReadASN1ObjectIdentifier(&rtype) || !rbs.ReadASN1(&basicDER, cbasn1.OCTET_STRING) || !rbs.Empty() {
		return nil, fmt.Errorf("malformed response bytes")
	}
	if !rtype.Equal(asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}) {
		return nil, fmt.Errorf("a response type signet does not read (%s)", rtype)
	}
	r := &ocspResponse{basic: basicDER}
	var algID, sigBits cryptobyte.String
	var sigOID asn1.ObjectIdentifier
	var sig asn1.BitString
	if !basicDER.ReadASN1(&basic, cbasn1.SEQUENCE) || !basicDER.Empty() || !basic.ReadASN1Element(&tbs, cbasn1.SEQUENCE) ||
		!basic.ReadASN1(&algID, cbasn1.SEQUENCE) || !algID.ReadASN1ObjectIdentifier(&sigOID) ||
		!basic.ReadASN1Element(&sigBits, cbasn1.BIT_STRING) || !sigBits.ReadASN1BitString(&sig) || sig.BitLength%8 != 0 {
		return nil, fmt.Errorf("malformed BasicOCSPResponse")
	}
	r.tbs, r.sig = tbs, sig.Bytes
	for _, a := range ocspSignatureAlgorithms {
		if a.oid.Equal(sigOID) {
			r.sigAlg = a.alg
		}
	}
	if basic.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()) {
		var certs, list cryptobyte.String
		if !basic.ReadASN1(&certs, cbasn1.Tag(0).ContextSpecific().Constructed()) || !certs.ReadASN1(&list, cbasn1.SEQUENCE) || !certs.Empty() {
			return nil, fmt.Errorf("malformed certs")
		}
		for !list.Empty() {
			var one cryptobyte.String
			if !list.ReadASN1Element(&one, cbasn1.SEQUENCE) {
				return nil, fmt.Errorf("malformed certs")
			}
			c, err := x509util.ParseCertificate(one)
			if err != nil {
				return nil, fmt.Errorf("a certificate it carries cannot be read: %v", err)
			}
			r.certs = append(r.certs, c)
		}
	}
	if !basic.Empty() {
		return nil, fmt.Errorf("malformed BasicOCSPResponse")
	}
	// ResponseData: [0] version, responderID, producedAt, responses, [1] extensions.
	whole := tbs
	if !whole.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil, fmt.Errorf("malformed response data")
	}
	if tbs.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()) {
		tbs.SkipASN1(cbasn1.Tag(0).ContextSpecific().Constructed())
	}
	var rid, id cryptobyte.String
	var ridTag cbasn1.Tag
	if !tbs.ReadAnyASN1(&rid, &ridTag) {
		return nil, fmt.Errorf("malformed responderID")
	}
	switch {
	case ridTag == cbasn1.Tag(1).ContextSpecific().Constructed() && rid.ReadASN1Element(&id, cbasn1.SEQUENCE) && rid.Empty():
		r.responderName = id
	case ridTag == cbasn1.Tag(2).ContextSpecific().Constructed() && rid.ReadASN1(&id, cbasn1.OCTET_STRING) && rid.Empty():
		r.responderKeyHash = id
	default:
		return nil, fmt.Errorf("malformed responderID")
	}
	if why := dertime.ReadGeneralizedTime(&tbs, &r.producedAt); why != "" {
		return nil, fmt.Errorf("producedAt %s", why)
	}
	if !tbs.ReadASN1(&responses, cbasn1.SEQUENCE) {
		return nil, fmt.Errorf("malformed response data")
	}
	// responseExtensions (RFC 6960 4.2.1, 4.4): golang.org/x/crypto/ocsp does not read them,
	// so a critical one would pass unnoticed. The nonce is the one signet knows: it answers a
	// request signet did not make, and is ignored whatever its flag.
	if tbs.PeekASN1Tag(cbasn1.Tag(1).ContextSpecific().Constructed()) {
		var err error
		if r.respCritical, err = criticalExtension(&tbs, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}); err != nil {
			return nil, fmt.Errorf("malformed responseExtensions")
		}
	}
	if !tbs.Empty() {
		return nil, fmt.Errorf("malformed response data")
	}
	for !responses.Empty() {
		var single, certID, algo, name, key, st cryptobyte.String
		var one ocspSingle
		var stTag cbasn1.Tag
		one.id.serial = new(big.Int)
		if !responses.ReadASN1(&single, cbasn1.SEQUENCE) || !single.ReadASN1(&certID, cbasn1.SEQUENCE) ||
			!certID.ReadASN1(&algo, cbasn1.SEQUENCE) || !algo.ReadASN1ObjectIdentifier(&one.id.hash) ||
			!certID.ReadASN1(&name, cbasn1.OCTET_STRING) || !certID.ReadASN1(&key, cbasn1.OCTET_STRING) ||
			!certID.ReadASN1Integer(one.id.serial) || !single.ReadAnyASN1(&st, &stTag) {
			return nil, fmt.Errorf("malformed SingleResponse")
		}
		if why := dertime.ReadGeneralizedTime(&single, &one.answer.thisUpdate); why != "" {
			return nil, fmt.Errorf("thisUpdate %s", why)
		}
		one.id.nameHash, one.id.keyHash = name, key
		switch stTag {
		case cbasn1.Tag(0).ContextSpecific():
			one.answer.status = ocsp.Good
		case cbasn1.Tag(1).ContextSpecific().Constructed():
			one.answer.status = ocsp.Revoked
			if why := dertime.ReadGeneralizedTime(&st, &one.answer.revokedAt); why != "" {
				return nil, fmt.Errorf("revocationTime %s", why)
			}
			if st.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()) {
				var rs cryptobyte.String
				var reason int
				if !st.ReadASN1(&rs, cbasn1.Tag(0).ContextSpecific().Constructed()) || !rs.ReadASN1Enum(&reason) {
					return nil, fmt.Errorf("malformed revocation reason")
				}
				one.answer.reason = reason
			}
		case cbasn1.Tag(2).ContextSpecific():
			one.answer.status = ocsp.Unknown
		default:
			return nil, fmt.Errorf("malformed CertStatus")
		}
		if single.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()) {
			var nu cryptobyte.String
			if !single.ReadASN1(&nu, cbasn1.Tag(0).ContextSpecific().Constructed()) {
				return nil, fmt.Errorf("malformed nextUpdate")
			}
			if why := dertime.ReadGeneralizedTime(&nu, &one.answer.nextUpdate); why != "" || !nu.Empty() {
				return nil, fmt.Errorf("nextUpdate %s", cmp.Or(why, "is followed by other bytes"))
			}
		}
		if single.PeekASN1Tag(cbasn1.Tag(1).ContextSpecific().Constructed()) {
			var err error
			if one.criticalExt, err = criticalExtension(&single); err != nil {
				return nil, fmt.Errorf("malformed singleExtensions")
			}
		}
		if !single.Empty() {
			return nil, fmt.Errorf("malformed SingleResponse")
		}
		r.singles = append(r.singles, one)
	}
	if len(r.singles) == 0 {
		return nil, fmt.Errorf("no SingleResponse")
	}
	return r, nil
}

// criticalExtension reads an [1] EXPLICIT Extensions field and returns the OID of its first
// critical extension that is not one of known, or nil.
func criticalExtension(s *cryptobyte.String, known ...asn1.ObjectIdentifier) (asn1.ObjectIdentifier, error) {
	var exts, list cryptobyte.String
	if !s.ReadASN1(&exts, cbasn1.Tag(1).ContextSpecific().Constructed()) || !exts.ReadASN1(&list, cbasn1.SEQUENCE) || !exts.Empty() {
		return nil, fmt.Errorf("malformed extensions")
	}
	var found asn1.ObjectIdentifier
	for !list.Empty() {
		var e, value cryptobyte.String
		var oid asn1.ObjectIdentifier
		crit := false
		if !list.ReadASN1(&e, cbasn1.SEQUENCE) || !e.ReadASN1ObjectIdentifier(&oid) ||
			e.PeekASN1Tag(cbasn1.BOOLEAN) && !e.ReadASN1Boolean(&crit) || !e.ReadASN1(&value, cbasn1.OCTET_STRING) || !e.Empty() {
			return nil, fmt.Errorf("malformed extension")
		}
		if crit && found == nil && !slices.ContainsFunc(known, oid.Equal) {
			found = oid
		}
	}
	return found, nil
}

// responderRevoked returns a CRL given that lists the delegated responder rc, and its entry:
// a current CRL of the issuer that certified rc, signed by the issuer's key. RFC 6960
// 4.2.2.2.1 leaves the responder's status to the client (id-pkix-ocsp-nocheck asks it not to
// look); a CRL the user gave that revokes it is evidence signet does not pass over, with or
// without that extension: a good answer of a responder whose key was compromised is worth
// nothing.
func (v *verifier) responderRevoked(issuer *certInfo, rc *x509.Certificate) (*crlInfo, crlEntry) {
	if issuer.c.PublicKey == nil {
		return nil, crlEntry{}
	}
	ri := v.info(rc)
	for _, l := range v.crls {
		if l.issuerKey != issuer.subjectKey || len(l.findings) > 0 {
			continue
		}
		en, ok := l.listed(ri)
		if !ok || en.reason == reasonRemoveFromCRL {
			continue
		}
		if v.revAt.Before(l.l.ThisUpdate) || !l.l.NextUpdate.IsZero() && v.revAt.After(l.l.NextUpdate) {
			continue
		}
		err, done := l.sigs[issuer]
		if !done {
			err = checkSignedBy(issuer.c, l.l.SignatureAlgorithm, l.l.Raw, l.l.RawTBSRevocationList, l.l.Signature)
			l.sigs[issuer] = err
		}
		if err == nil {
			return l, en
		}
	}
	return nil, crlEntry{}
}

// OCSPUse follows which of the OCSP responses given to a run answer about a certificate of
// one of the chains the run validated (Result.Chain, SignerReport.Chain,
// TimestampReport.Chain: leaf first, each certificate's issuer after it), chain by chain, so
// that a run over many artifacts keeps no chain. Verify cannot judge this alone, for `signet
// verify` gives the same responses to the signer's chain and to each TSA's, and a response
// about either is used. A response about none answers a question nobody asked (a wrong file,
// a certificate of the CA's other key) and leaves unestablished the status it was given for;
// `openssl ocsp -respin` says "No Status found" and fails, and so does Check. A response that
// cannot be read as a successful one is not judged here: Verify fails every certificate whose
// status it leaves open (rfc6960.response).
type OCSPUse struct {
	resps []*ocspResponse // nil: not judged
	used  []bool
}

// NewOCSPUse follows responses, none used yet.
func NewOCSPUse(responses [][]byte) *OCSPUse {
	u := &OCSPUse{resps: make([]*ocspResponse, len(responses)), used: make([]bool, len(responses))}
	for k, raw := range responses {
		if r, err := parseOCSP(raw); err == nil {
			u.resps[k] = r
		} else {
			u.used[k] = true
		}
	}
	return u
}

// Add marks the responses that answer about a certificate of chain: one of their
// SingleResponses names its serial and its issuer's name and key (the certificate after it).
func (u *OCSPUse) Add(chain []ChainCert) {
	for k, r := range u.resps {
		if !u.used[k] && ocspAboutChain(r, chain) {
			u.used[k] = true
		}
	}
}

// Check returns the index of the first response about no certificate of the chains added, and
// an *Error (CRLMissing, signet.ocsp-unused); -1, nil when every response is about one.
func (u *OCSPUse) Check() (int, error) {
	for k, ok := range u.used {
		if ok {
			continue
		}
		id := u.resps[k].singles[0].id
		return k, newRuleError(CRLMissing, nil, "signet.ocsp-unused", nil,
			"OCSP response %d is about no certificate of the chains verified (its first answer: serial %s, issuer key hash %x)",
			k+1, x509util.FormatSerial(id.serial), id.keyHash)
	}
	return -1, nil
}

// CheckOCSPUsed is OCSPUse's Check of responses after adding chains.
func CheckOCSPUsed(responses [][]byte, chains ...[]ChainCert) (int, error) {
	u := NewOCSPUse(responses)
	for _, c := range chains {
		u.Add(c)
	}
	return u.Check()
}

// ocspAboutChain reports whether one of r's answers is about a certificate of chain.
func ocspAboutChain(r *ocspResponse, chain []ChainCert) bool {
	for i := 0; i+1 < len(chain); i++ {
		c, issuer := chain[i].Certificate, chain[i+1].Certificate
		if c == nil || issuer == nil {
			continue
		}
		for _, s := range r.singles {
			if s.id.serial.Cmp(c.SerialNumber) == 0 && s.id.matches(issuer, c.RawIssuer) {
				return true
			}
		}
	}
	return false
}
