package x509util

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/big"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/signet-pki/signet/internal/pkixname"
)

// ErrIssuer is returned when the issuing certificate or key cannot issue: the certificate is
// not a CA, lacks keyCertSign (or cRLSign for CRLs), or the key does not belong to it.
var ErrIssuer = errors.New("x509util: unsuitable issuer")

// Profile is a certificate profile: the extensions a certificate gets for its job.
type Profile string

// The profiles signet issues. Each fixes basic constraints, key usage and extended key usage;
// key usage follows the key type (keyEncipherment only for RSA server and email leaves).
const (
	ProfileRootCA         Profile = "root-ca"         // self-signed CA: keyCertSign, cRLSign
	ProfileIntermediateCA Profile = "intermediate-ca" // CA under another CA, path length 0 by default
	ProfileServer         Profile = "server"          // TLS server: serverAuth, needs a DNS or IP SAN
	ProfileClient         Profile = "client"          // TLS client (mutual TLS): clientAuth
	ProfileCodeSigning    Profile = "code-signing"    // artifact signing: codeSigning
	ProfileEmail          Profile = "email"           // S/MIME: emailProtection, needs an email SAN
	// ProfileTSA is an RFC 3161 Time-Stamp Authority: digitalSignature, and the extended key
	// usage timeStamping alone, marked critical, as RFC 3161 2.3 requires.
	ProfileTSA Profile = "tsa"
)

// Profiles lists every profile in the order help texts show them. The list is a copy.
func Profiles() []Profile { return slices.Clone(profiles) }

var profiles = []Profile{ProfileRootCA, ProfileIntermediateCA, ProfileServer, ProfileClient, ProfileCodeSigning, ProfileEmail, ProfileTSA}

// ParseProfile returns the profile named s.
func ParseProfile(s string) (Profile, error) {
	for _, p := range profiles {
		if string(p) == strings.ToLower(strings.TrimSpace(s)) {
			return p, nil
		}
	}
	names := make([]string, len(profiles))
	for i, p := range profiles {
		names[i] = string(p)
	}
	return "", fmt.Errorf("%w: unknown profile %q (want one of %s)", ErrInvalidName, s, strings.Join(names, ", "))
}

// IsCA reports whether the profile makes a CA certificate.
func (p Profile) IsCA() bool { return p == ProfileRootCA || p == ProfileIntermediateCA }

// DefaultLifetime is the validity a certificate of this profile gets when none is asked for:
// 10 years for a root, 5 for an intermediate, 1 year for a leaf.
func (p Profile) DefaultLifetime() time.Duration {
	const day = 24 * time.Hour
	switch p {
	case ProfileRootCA:
		return 3650 * day
	case ProfileIntermediateCA:
		return 1825 * day
	}
	return 365 * day
}

// MaxDays bounds a lifetime given in days (certificates, CRLs' next update): 100 years, far
// beyond any sensible lifetime and far inside what X.509 times encode.
const MaxDays = 36500

// The times X.509 encodes under RFC 5280: UTCTime for 1950 to 2049, GeneralizedTime with a
// four-digit year from 2050; nothing before 1950 or after 9999.
var (
	minX509Time = time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)
	maxX509Time = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// checkX509Time refuses a time a certificate or CRL cannot hold, naming the field.
func checkX509Time(field string, t time.Time) error {
	if t.Before(minX509Time) || t.After(maxX509Time) {
		return fmt.Errorf("%w: %s %s is outside the years 1950 to 9999 that X.509 times encode",
			ErrValidity, field, t.UTC().Format(time.RFC3339))
	}
	return nil
}

// MaxServerLifetime is the longest validity a server-profile certificate gets, notBefore and
// notAfter both counted as RFC 5280 4.1.2.5 counts them: Apple's platforms refuse a TLS server
// certificate valid longer, even one a private CA issued ("Requirements for trusted
// certificates in iOS 13 and macOS 10.15"). A longer validity asked for is clipped to it, with
// a warning. (The CA/Browser Forum's shorter caps bind publicly trusted CAs only.)
const MaxServerLifetime = 825 * 24 * time.Hour

// ClockSkew is how far before the issuing time NotBefore is set by default, so that a
// certificate is usable at once on a machine whose clock is a little behind.
const ClockSkew = 5 * time.Minute

// IssueRequest describes one certificate to issue. The zero values of the optional fields are
// documented on each.
type IssueRequest struct {
	Profile Profile
	// Subject is the subject name, when RawSubject is empty. A pkix.Name cannot hold a
	// multi-valued RDN (see ParseDN).
	Subject pkix.Name
	// RawSubject, when not empty, is the subject as DER (an RDNSequence), written into the
	// certificate byte for byte: a CSR's RawSubject, so that multi-valued RDNs and string
	// types stay as the requester wrote them, or asn1.Marshal of what ParseRDNSequence
	// returned. Subject is then ignored. It must be one DER Name (ErrInvalidName).
	RawSubject []byte
	// PublicKey is the key being certified.
	PublicKey crypto.PublicKey

	DNSNames       []string
	IPAddresses    []net.IP
	EmailAddresses []string
	URIs           []*url.URL

	// NotBefore zero means Now minus ClockSkew. NotAfter zero means NotBefore plus the
	// profile's DefaultLifetime. Either way the validity is clipped to that of the issuer and
	// of every CA in IssuerChain, and a server certificate's to MaxServerLifetime, with a
	// warning.
	NotBefore, NotAfter time.Time
	// MaxPathLen applies to CA profiles. Nil means no limit for a root and 0 for an
	// intermediate (it may issue only leaves).
	MaxPathLen *int

	// Issuer is the CA certificate; nil issues a self-signed certificate (PublicKey must
	// then be IssuerKey's public key).
	Issuer *x509.Certificate
	// IssuerChain holds the CAs above Issuer, as far as they are known (the rest of a --ca
	// file). Their name constraints apply too; nil checks only Issuer's.
	IssuerChain []*x509.Certificate
	// IssuerKey signs the certificate. It may live anywhere a crypto.Signer can.
	IssuerKey crypto.Signer

	// Now is the issuing time; zero means time.Now(). Rand is the randomness for the serial
	// and the signature; nil means crypto/rand.
	Now  time.Time
	Rand io.Reader
}

// Issued is the result of IssueCertificate.
type Issued struct {
	Certificate *x509.Certificate
	// Warnings are things the caller should tell the user, such as a clipped lifetime.
	Warnings []string
}

// IssueCertificate checks the request against its profile and the issuer, then creates and
// signs the certificate. Names are held to the name constraints of Issuer and IssuerChain
// before anything is signed (see NameConstraintError). Refusals wrap ErrInvalidName (missing
// or bad names, a control character in one, a SAN ParseSANs would refuse: CheckSANs), ErrNameConstraint (a name the CAs' constraints
// do not allow), ErrIssuer
// (issuer not a CA, lacking keyCertSign, key not matching, an issuer or a CA above it expired,
// a pathLenConstraint broken: see CheckIssuerAllows), ErrValidity (a validity that ends
// before it starts, or outside the years 1950 to 9999) or ErrUnsupported (a key type signet
// does not certify, or a weak key: see checkIssuableKey).
func IssueCertificate(req IssueRequest) (*Issued, error) {
	now := req.Now
	if now.IsZero() {
		now = time.Now()
	}
	rnd := req.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	if req.IssuerKey == nil {
		return nil, fmt.Errorf("%w: no signing key", ErrIssuer)
	}
	if req.PublicKey == nil {
		return nil, fmt.Errorf("%w: issue: no public key to certify", ErrUnsupported)
	}
	if slices.Contains(req.IssuerChain, nil) {
		return nil, fmt.Errorf("%w: a certificate of the issuer chain is nil", ErrIssuer)
	}
	if err := checkIssuableKey(req.PublicKey); err != nil {
		return nil, err
	}
	// The subject exactly as it will be written, checked and then used as it is.
	rawSubject, subjectRDNs, err := issueSubject(req)
	if err != nil {
		return nil, err
	}
	if err := checkNames(req, len(subjectRDNs) > 0); err != nil {
		return nil, err
	}
	if req.Issuer == nil {
		if req.Profile == ProfileIntermediateCA {
			return nil, fmt.Errorf("%w: an intermediate CA needs an issuing CA (--ca and --ca-key)", ErrIssuer)
		}
		if !PublicKeysEqual(req.PublicKey, req.IssuerKey.Public()) {
			return nil, fmt.Errorf("%w: a self-signed certificate must be signed by its own key", ErrIssuer)
		}
	} else if err := CheckIssuer(req.Issuer, req.IssuerKey, x509.KeyUsageCertSign); err != nil {
		return nil, err
	} else if err := CheckIssuerAllows(req); err != nil {
		return nil, err
	}
	sans := SANs{DNSNames: req.DNSNames, IPAddresses: req.IPAddresses, EmailAddresses: req.EmailAddresses, URIs: req.URIs}
	if err := checkPrintable(subjectRDNs, sans); err != nil {
		return nil, err
	}
	if err := checkSubjectBounds(subjectRDNs); err != nil {
		return nil, err
	}
	// Names from a CSR come here unchecked by ParseSANs.
	if err := CheckSANs(sans); err != nil {
		return nil, err
	}
	if req.Issuer != nil {
		if err := checkNameConstraints(append([]*x509.Certificate{req.Issuer}, req.IssuerChain...), rawSubject, sans); err != nil {
			return nil, err
		}
	}
	// After the name constraints, which name a subject emailAddress a CA excludes.
	if err := checkSubjectEmails(subjectRDNs, req.EmailAddresses); err != nil {
		return nil, err
	}

	var warnings []string
	notBefore := req.NotBefore
	if notBefore.IsZero() {
		notBefore = now.Add(-ClockSkew)
	}
	notAfter := req.NotAfter
	if notAfter.IsZero() {
		notAfter = notBefore.Add(req.Profile.DefaultLifetime())
	}
	if req.Issuer != nil {
		// The certificate is valid only while every CA of its chain is: it ends no later than
		// the first of them to end, and starts no earlier than the last of them to start.
		var ends, starts *x509.Certificate
		for _, ca := range issuerPath(req) {
			if notAfter.After(ca.NotAfter) {
				notAfter, ends = ca.NotAfter, ca
			}
			if notBefore.Before(ca.NotBefore) {
				notBefore, starts = ca.NotBefore, ca
			}
		}
		whose := func(ca *x509.Certificate) string {
			if ca == req.Issuer {
				return "the issuer's"
			}
			return fmt.Sprintf("that of the CA %q above the issuer,", FormatName(ca.Subject))
		}
		if ends != nil {
			warnings = append(warnings, fmt.Sprintf("validity clipped to %s end, %s", whose(ends), notAfter.UTC().Format(time.RFC3339)))
		}
		if starts != nil {
			warnings = append(warnings, fmt.Sprintf("validity start moved to %s start, %s", whose(starts), notBefore.UTC().Format(time.RFC3339)))
		}
	}
	// Apple's platforms refuse a TLS server certificate valid longer than 825 days, whatever
	// CA issued it: one that outlives that is cut to it, as one that outlives its CA is.
	if last := notBefore.Add(MaxServerLifetime - time.Second); req.Profile == ProfileServer && notAfter.After(last) {
		notAfter = last
		// The days are counted from notBefore, which is ClockSkew before now by default: say
		// so, or '--days 825' reads as clipped to what it asked.
		warnings = append(warnings, fmt.Sprintf("validity clipped to %d days from its start (%s), %s: Apple's platforms refuse a TLS server certificate valid longer, even under a private CA",
			MaxServerLifetime/(24*time.Hour), notBefore.UTC().Format(time.RFC3339), notAfter.UTC().Format(time.RFC3339)))
	}
	if !notAfter.After(notBefore) {
		return nil, fmt.Errorf("%w: validity ends (%s) before it starts (%s)", ErrValidity,
			notAfter.UTC().Format(time.RFC3339), notBefore.UTC().Format(time.RFC3339))
	}
	if err := checkX509Time("notBefore", notBefore); err != nil {
		return nil, err
	}
	if err := checkX509Time("notAfter", notAfter); err != nil {
		return nil, err
	}

	serial, err := RandomSerial(rnd)
	if err != nil {
		return nil, err
	}
	ski, err := SubjectKeyID(req.PublicKey)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		RawSubject:            rawSubject,
		NotBefore:             notBefore.UTC().Truncate(time.Second),
		NotAfter:              notAfter.UTC().Truncate(time.Second),
		SubjectKeyId:          ski,
		BasicConstraintsValid: true,
		DNSNames:              req.DNSNames,
		IPAddresses:           req.IPAddresses,
		EmailAddresses:        req.EmailAddresses,
		URIs:                  req.URIs,
	}
	_, isRSA := req.PublicKey.(*rsa.PublicKey)
	switch req.Profile {
	case ProfileRootCA, ProfileIntermediateCA:
		tmpl.IsCA = true
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		switch {
		case req.MaxPathLen != nil && *req.MaxPathLen < 0:
			return nil, fmt.Errorf("%w: negative path length", ErrInvalidName)
		case req.MaxPathLen != nil:
			tmpl.MaxPathLen = *req.MaxPathLen
			tmpl.MaxPathLenZero = *req.MaxPathLen == 0
		case req.Profile == ProfileIntermediateCA:
			tmpl.MaxPathLen, tmpl.MaxPathLenZero = 0, true
		default:
			tmpl.MaxPathLen = -1
		}
	case ProfileServer, ProfileClient, ProfileEmail:
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		// keyEncipherment for RSA key transport: a TLS server's (TLS 1.2 RSA key exchange) and
		// S/MIME's. A TLS client only signs; RFC 5280 4.2.1.12 names digitalSignature and
		// keyAgreement as the bits consistent with clientAuth, and zlint fails the others.
		if isRSA && req.Profile != ProfileClient {
			tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
		}
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{map[Profile]x509.ExtKeyUsage{
			ProfileServer: x509.ExtKeyUsageServerAuth,
			ProfileClient: x509.ExtKeyUsageClientAuth,
			ProfileEmail:  x509.ExtKeyUsageEmailProtection,
		}[req.Profile]}
	case ProfileCodeSigning:
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}
	case ProfileTSA:
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		// crypto/x509 writes ExtKeyUsage non-critical; RFC 3161 2.3 wants it critical, so the
		// extension is written here (ExtraExtensions take its place).
		eku, err := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
		if err != nil {
			return nil, fmt.Errorf("x509util: issue certificate: %w", err)
		}
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku})
	default:
		return nil, fmt.Errorf("%w: unknown profile %q", ErrInvalidName, req.Profile)
	}

	parent := tmpl
	if req.Issuer != nil {
		parent = req.Issuer
	}
	der, err := x509.CreateCertificate(rnd, tmpl, parent, req.PublicKey, checkedSigner{req.IssuerKey})
	if err != nil {
		return nil, fmt.Errorf("x509util: issue certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("x509util: issue certificate: %w", err)
	}
	// A signer on a token could return a bad signature; never hand out a certificate that
	// does not verify under its issuer.
	signerCert := cert
	if req.Issuer != nil {
		signerCert = req.Issuer
	}
	if err := signerCert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
		return nil, fmt.Errorf("%w: the issued certificate does not verify under its issuer: %w", ErrKeyMismatch, err)
	}
	return &Issued{Certificate: cert, Warnings: warnings}, nil
}

// CheckPublicKey reports whether IssueCertificate would certify pub, as far as the key alone
// decides: the check it makes, for a caller that validates a CSR before opening any key.
func CheckPublicKey(pub crypto.PublicKey) error { return checkIssuableKey(pub) }

// checkIssuableKey refuses a public key weaker than those signet generates (ErrUnsupported):
// RSA below 2048 bits or with an exponent that is even or below 3, and EC keys on curves
// other than P-256, P-384 and P-521. A CSR can carry any of them; a certificate for one would
// vouch for a key that can be broken, or that verifiers refuse. Any other type (nil, DSA,
// X25519) is refused too: signet certifies none.
func checkIssuableKey(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return fmt.Errorf("%w: an Ed25519 key of %d bytes", ErrUnsupported, len(k))
		}
	case *rsa.PublicKey:
		switch {
		case k.N == nil || k.N.BitLen() < 2048:
			bits := 0
			if k.N != nil {
				bits = k.N.BitLen()
			}
			return fmt.Errorf("%w: a %d-bit RSA key: signet certifies RSA keys of 2048 bits or more", ErrUnsupported, bits)
		case k.E < 3 || k.E%2 == 0:
			return fmt.Errorf("%w: an RSA key with the public exponent %d (it must be odd and at least 3)", ErrUnsupported, k.E)
		}
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
		case nil:
			return fmt.Errorf("%w: an EC key without a curve", ErrUnsupported)
		default:
			return fmt.Errorf("%w: an EC key on %s: signet certifies P-256, P-384 and P-521 keys", ErrUnsupported, k.Curve.Params().Name)
		}
	default:
		// Nil, DSA, X25519 (which cannot sign) or not a key: IssueCertificate fails on them
		// further on, and CheckPublicKey must say so.
		return fmt.Errorf("%w: a public key of type %T: signet certifies RSA, ECDSA and Ed25519 keys", ErrUnsupported, pub)
	}
	return nil
}

// issuerPath returns the path from req.Issuer up through IssuerChain (IssuerPath): path
// lengths are counted, and validity and extended key usages held, along the path verifiers
// build. (Name constraints are checked for every certificate given, the stricter reading.)
func issuerPath(req IssueRequest) []*x509.Certificate { return IssuerPath(req.Issuer, req.IssuerChain) }

// IssuerPath returns the path from issuer up through others: each next certificate is the
// one of others named as the issuer of the last and whose key verifies its signature, until a
// self-signed certificate or none is found. The order of others (a --ca file, a PKCS#12
// file's chain) does not matter, and a certificate off the path is left out: the path is the
// issuer chain a certificate issued by issuer is sent with (cert create --bundle). Nil
// certificates are skipped; a nil issuer has no path (nil).
func IssuerPath(issuer *x509.Certificate, others []*x509.Certificate) []*x509.Certificate {
	if issuer == nil {
		return nil
	}
	path := []*x509.Certificate{issuer}
	rest := slices.DeleteFunc(slices.Clone(others), func(c *x509.Certificate) bool { return c == nil })
	for cur := issuer; !bytes.Equal(cur.RawIssuer, cur.RawSubject) || cur.CheckSignatureFrom(cur) != nil; {
		i := slices.IndexFunc(rest, func(c *x509.Certificate) bool {
			return bytes.Equal(c.RawSubject, cur.RawIssuer) && cur.CheckSignatureFrom(c) == nil
		})
		if i < 0 {
			break
		}
		cur = rest[i]
		path = append(path, cur)
		rest = slices.Delete(rest, i, i+1)
	}
	return path
}

// PathLenError is a certificate to issue that the pathLenConstraint of its issuer, or of a CA
// above it, forbids (RFC 5280 4.2.1.9): a CA certificate below a CA that allows no more CAs
// below it, a CA whose own path length is wider than the CAs above allow, or any certificate
// under an issuer the constraints above it already put out of reach. Every verifier would
// refuse a path through it. It wraps ErrIssuer.
type PathLenError struct {
	// CA is the subject of the constraining CA (FormatName); Limit is its pathLenConstraint,
	// Below the CA certificates that would stand below it on the path (not counting
	// self-issued ones, as RFC 5280 says), the new one included when it is a CA.
	CA           string
	Limit, Below int
	// Requested is the path length asked for the new CA when that is what is too wide, and
	// Allowed the most it could be; Requested is -1 otherwise.
	Requested, Allowed int
}

func (e *PathLenError) Error() string {
	if e.Requested >= 0 {
		return fmt.Sprintf("%v: a path length of %d is wider than the CA %q allows (pathLenConstraint %d): at most %d here",
			ErrIssuer, e.Requested, e.CA, e.Limit, e.Allowed)
	}
	return fmt.Sprintf("%v: the CA %q allows %d CA certificate(s) below it (pathLenConstraint %d), and this certificate would make %d",
		ErrIssuer, e.CA, e.Limit, e.Limit, e.Below)
}

func (e *PathLenError) Unwrap() error { return ErrIssuer }

// CheckIssuerAllows reports what the issuer of req (and the CAs above it, IssuerChain) forbid
// in the certificate req asks for, whatever the keys: the check IssueCertificate makes, for a
// caller that validates everything before opening keys or asking for their secrets. It does
// not check the issuer itself (CheckIssuer does). Refused, along the path IssuerChain forms
// (issuerPath): a key to certify that is the own key of one of these CAs, a CA of them that
// has expired at req.Now, a pathLenConstraint the new certificate breaks, a leaf profile
// whose extended key usage a CA's extended key usage extension leaves out (all ErrIssuer),
// and a leaf whose subject is the name of one of them (a *NameError, ErrInvalidName: it would
// show as the CA). A request without an issuer passes.
func CheckIssuerAllows(req IssueRequest) error {
	if req.Issuer == nil {
		return nil
	}
	now := req.Now
	if now.IsZero() {
		now = time.Now()
	}
	rawSubject, _, err := issueSubject(req)
	if err != nil {
		return err
	}
	for i, ca := range issuerPath(req) {
		if !req.Profile.IsCA() && pkixname.EqualDER(rawSubject, ca.RawSubject) {
			return &NameError{Kind: "subject", Input: formatRawName(rawSubject),
				Reason: fmt.Sprintf("is the name of the CA %q: a %s certificate named as its CA would show as the CA", FormatName(ca.Subject), req.Profile)}
		}
		if req.PublicKey != nil && PublicKeysEqual(ca.PublicKey, req.PublicKey) {
			// Whoever held the new certificate's key would hold the CA's.
			return fmt.Errorf("%w: the key to certify is the CA's own key (the CA %q)", ErrIssuer, FormatName(ca.Subject))
		}
		if now.After(ca.NotAfter) {
			what := "the issuing CA"
			if i > 0 {
				what = "the CA above the issuer"
			}
			// However the new certificate is dated, no verifier accepts a path through an
			// expired CA today; backdating one under it is what a stolen old CA key would do.
			return fmt.Errorf("%w: %s %q expired on %s", ErrIssuer, what, FormatName(ca.Subject), ca.NotAfter.UTC().Format(time.RFC3339))
		}
		if err := checkIssuerEKU(ca, req.Profile); err != nil {
			return err
		}
	}
	return checkPathLen(req)
}

// ProfileExtKeyUsage is the extended key usage the leaf profile p issues; false for a CA
// profile, which issues none.
func ProfileExtKeyUsage(p Profile) (x509.ExtKeyUsage, bool) { return profileEKU(p) }

// profileEKU is the extended key usage each leaf profile issues.
func profileEKU(p Profile) (x509.ExtKeyUsage, bool) {
	u, ok := map[Profile]x509.ExtKeyUsage{
		ProfileServer:      x509.ExtKeyUsageServerAuth,
		ProfileClient:      x509.ExtKeyUsageClientAuth,
		ProfileEmail:       x509.ExtKeyUsageEmailProtection,
		ProfileCodeSigning: x509.ExtKeyUsageCodeSigning,
		ProfileTSA:         x509.ExtKeyUsageTimeStamping,
	}[p]
	return u, ok
}

// checkIssuerEKU refuses a leaf profile whose extended key usage a CA's own extended key usage
// extension leaves out: Go's verifier, and OpenSSL's for its purposes, read a CA's EKU as the
// purposes it may vouch for, so the certificate would verify nowhere.
func checkIssuerEKU(ca *x509.Certificate, p Profile) error {
	want, ok := profileEKU(p)
	if !ok || (len(ca.ExtKeyUsage) == 0 && len(ca.UnknownExtKeyUsage) == 0) {
		return nil
	}
	if slices.Contains(ca.ExtKeyUsage, x509.ExtKeyUsageAny) || slices.Contains(ca.ExtKeyUsage, want) {
		return nil
	}
	var names []string
	for _, oid := range CertificateEKUs(ca) {
		names = append(names, ExtKeyUsageName(oid))
	}
	return fmt.Errorf("%w: the CA %q may vouch only for the extended key usages %s, not %s (the %s profile): verifiers would refuse the certificate",
		ErrIssuer, FormatName(ca.Subject), strings.Join(names, ", "), ExtKeyUsageName(ExtKeyUsageOID(want)), p)
}

// checkPathLen holds a request with an issuer to the pathLenConstraint of the issuer and of
// every CA above it in IssuerChain.
func checkPathLen(req IssueRequest) error {
	cas := issuerPath(req)
	isCA := req.Profile.IsCA()
	below := 0 // the non-self-issued CAs between cas[i] and the new certificate
	allowed := -1
	var tightest *x509.Certificate
	for i, ca := range cas {
		if i > 0 && !bytes.Equal(cas[i-1].RawIssuer, cas[i-1].RawSubject) {
			below++
		}
		if !ca.BasicConstraintsValid || ca.MaxPathLen < 0 || (ca.MaxPathLen == 0 && !ca.MaxPathLenZero) {
			continue
		}
		n := below
		if isCA {
			n++
		}
		if n > ca.MaxPathLen {
			return &PathLenError{CA: FormatName(ca.Subject), Limit: ca.MaxPathLen, Below: n, Requested: -1}
		}
		if left := ca.MaxPathLen - n; isCA && (allowed < 0 || left < allowed) {
			allowed, tightest = left, ca
		}
	}
	if isCA && req.MaxPathLen != nil && tightest != nil && *req.MaxPathLen > allowed {
		return &PathLenError{CA: FormatName(tightest.Subject), Limit: tightest.MaxPathLen, Requested: *req.MaxPathLen, Allowed: allowed}
	}
	return nil
}

// issueSubject returns the subject a request names, as DER and as RDNs.
func issueSubject(req IssueRequest) ([]byte, pkix.RDNSequence, error) {
	if len(req.RawSubject) == 0 {
		seq := req.Subject.ToRDNSequence()
		raw, err := asn1.Marshal(seq)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: subject: %v", ErrInvalidName, err)
		}
		return raw, seq, nil
	}
	var seq pkix.RDNSequence
	if rest, err := asn1.Unmarshal(req.RawSubject, &seq); err != nil || len(rest) > 0 {
		return nil, nil, fmt.Errorf("%w: the subject is not one DER Name", ErrInvalidName)
	}
	return req.RawSubject, seq, nil
}

// checkSubjectBounds holds a subject that did not come through ParseDN (a CSR's) to what
// ParseDN checks of the attributes it knows: not empty, within RFC 5280's upper bounds (64
// characters for CN, O, OU), a country of two letters.
func checkSubjectBounds(subject pkix.RDNSequence) error {
	for _, rdn := range subject {
		for _, atv := range rdn {
			var attr dnAttribute
			for _, a := range dnAttributes() {
				if a.oid.Equal(atv.Type) {
					attr = a
					break
				}
			}
			v, ok := attributeString(atv.Value)
			if attr.oid == nil || !ok {
				continue
			}
			bad := func(why string, args ...any) error {
				return &NameError{Kind: "subject attribute", Input: attr.name + "=" + v, Reason: fmt.Sprintf(why, args...)}
			}
			n := utf8.RuneCountInString(v)
			switch {
			case n == 0:
				return bad("is empty")
			case attr.maxLen > 0 && n > attr.maxLen:
				return bad("is %d characters long; RFC 5280 allows at most %d", n, attr.maxLen)
			case attr.name == "C" && (n != 2 || strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != ""):
				return bad("a country is two letters (ISO 3166)")
			}
		}
	}
	return nil
}

// checkPrintable refuses a subject attribute or a DNS or email SAN holding a character
// FormatName would have to escape (a newline, a terminal escape): a certificate that cannot be
// printed as it is is a certificate that can spoof what prints it. (A CSR's names reach here
// unchecked by ParseDN.)
func checkPrintable(subject pkix.RDNSequence, sans SANs) error {
	for _, rdn := range subject {
		for _, atv := range rdn {
			if s, ok := attributeString(atv.Value); ok && hasControl(s) {
				// NameError quotes Input with %q, which escapes the character.
				typ, ok := pkixname.AttributeName(atv.Type)
				if !ok {
					typ = atv.Type.String()
				}
				return &NameError{Kind: "subject attribute", Input: typ + "=" + s, Reason: "holds a control or invisible formatting character"}
			}
		}
	}
	for _, n := range append(append([]string(nil), sans.DNSNames...), sans.EmailAddresses...) {
		if hasControl(n) {
			return &NameError{Kind: "subject alternative name", Input: n, Reason: "holds a control or invisible formatting character"}
		}
	}
	return nil
}

// CheckProfileNames refuses a request without the names its profile needs (a subject for the
// CA, code-signing and TSA profiles, a DNS or IP name for a server, ...), or whose subject has
// an emailAddress that is not also an email SAN, or whose subject holds a control character or
// breaks RFC 5280's upper bounds (a *NameError), with an error wrapping ErrInvalidName: the
// checks IssueCertificate makes, for a caller that validates everything before opening keys
// or asking for their secrets.
func CheckProfileNames(req IssueRequest) error {
	_, subjectRDNs, err := issueSubject(req)
	if err != nil {
		return err
	}
	if err := checkNames(req, len(subjectRDNs) > 0); err != nil {
		return err
	}
	// A CSR's subject comes unchecked by ParseDN: its characters and bounds, as
	// IssueCertificate holds them, before any key is opened.
	sans := SANs{DNSNames: req.DNSNames, IPAddresses: req.IPAddresses, EmailAddresses: req.EmailAddresses, URIs: req.URIs}
	if err := checkPrintable(subjectRDNs, sans); err != nil {
		return err
	}
	if err := checkSubjectBounds(subjectRDNs); err != nil {
		return err
	}
	return checkSubjectEmails(subjectRDNs, req.EmailAddresses)
}

// oidEmailAddress is PKCS #9's emailAddress attribute.
var oidEmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}

// checkSubjectEmails refuses a subject emailAddress attribute whose mailbox is not also one of
// the email SANs: RFC 5280 4.1.2.6 says a certificate issued with an email address MUST carry
// it as an rfc822Name in the subjectAltName, the subject attribute being a deprecated legacy
// copy (zlint's e_subj_email_not_in_san). The comparison is of the strings, as zlint and most
// peers make it.
func checkSubjectEmails(subject pkix.RDNSequence, emails []string) error {
	for _, rdn := range subject {
		for _, atv := range rdn {
			if !atv.Type.Equal(oidEmailAddress) {
				continue
			}
			v, ok := attributeString(atv.Value)
			if !ok {
				// Not a string (a CSR's subject comes as it is): no SAN can be it, and
				// crypto/x509 would refuse to write it, after the CA's key was opened.
				return &NameError{Kind: "subject attribute", Input: "emailAddress",
					Reason: "is not a string (PKCS #9 wants an IA5String)"}
			}
			if slices.Contains(emails, v) {
				continue
			}
			return &NameError{Kind: "subject attribute", Input: "emailAddress=" + v,
				Reason: "is not also an email subject alternative name: RFC 5280 4.1.2.6 wants a certificate's mailboxes there; add --san email:" + v +
					" (with --csr, give the CSR's other names as --san too: --san replaces them), or leave the attribute out"}
		}
	}
	return nil
}

// profileNameError is a name a profile needs and the request lacks; it wraps ErrInvalidName
// and says what is missing and which flag gives it.
type profileNameError string

func (e profileNameError) Error() string { return string(e) }
func (e profileNameError) Unwrap() error { return ErrInvalidName }

func checkNames(req IssueRequest, hasSubject bool) error {
	switch req.Profile {
	case ProfileRootCA, ProfileIntermediateCA, ProfileCodeSigning, ProfileTSA:
		if !hasSubject {
			return profileNameError(fmt.Sprintf("the %s profile needs a subject (--subject)", req.Profile))
		}
	case ProfileServer:
		if len(req.DNSNames) == 0 && len(req.IPAddresses) == 0 {
			return profileNameError("the server profile needs a DNS or IP subject alternative name (--san dns:NAME or --san ip:ADDR)")
		}
	case ProfileClient:
		if !hasSubject && len(req.DNSNames)+len(req.EmailAddresses)+len(req.URIs)+len(req.IPAddresses) == 0 {
			return profileNameError("the client profile needs a subject or a subject alternative name")
		}
	case ProfileEmail:
		if len(req.EmailAddresses) == 0 {
			return profileNameError("the email profile needs an email subject alternative name (--san email:ADDR)")
		}
	}
	return nil
}

// CheckIssuer reports whether cert can issue with key: it must be a CA whose key usage, when
// present, includes usage (x509.KeyUsageCertSign for certificates, x509.KeyUsageCRLSign for
// CRLs), and key must be its key. A nil key checks the certificate alone, as a caller does
// before it opens the key (IssueCertificate and CreateCRL refuse a nil key). Errors wrap
// ErrIssuer; a key that is not the certificate's wraps ErrKeyMismatch too, as such a key does
// wherever signet pairs a key with its certificate.
func CheckIssuer(cert *x509.Certificate, key crypto.Signer, usage x509.KeyUsage) error {
	if cert == nil {
		return fmt.Errorf("%w: no CA certificate", ErrIssuer)
	}
	name := FormatName(cert.Subject)
	if !cert.BasicConstraintsValid || !cert.IsCA {
		return fmt.Errorf("%w: %q is not a CA certificate", ErrIssuer, name)
	}
	if cert.KeyUsage != 0 && cert.KeyUsage&usage == 0 {
		what := "keyCertSign"
		if usage == x509.KeyUsageCRLSign {
			what = "cRLSign"
		}
		return fmt.Errorf("%w: %q lacks the %s key usage", ErrIssuer, name, what)
	}
	if key != nil && !PublicKeysEqual(cert.PublicKey, key.Public()) {
		return &issuerKeyError{name: name}
	}
	return nil
}

// PublicKeysEqual reports whether a and b are the same public key.
func PublicKeysEqual(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	ea, ok := a.(equaler)
	return ok && ea.Equal(b)
}

// RandomSerial returns a positive serial number of 127 random bits: more than RFC 5280 and
// the CA/Browser Forum's 64 bits, and within the 20 octets RFC 5280 allows.
func RandomSerial(rnd io.Reader) (*big.Int, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	// A retry is needed with probability 2^-63; 16 in a row mean the source is broken (one
	// that gives only zeros looped here for ever).
	for range 16 {
		b := make([]byte, 16)
		if _, err := io.ReadFull(rnd, b); err != nil {
			return nil, fmt.Errorf("x509util: serial number: %w", err)
		}
		b[0] &= 0x7f
		n := new(big.Int).SetBytes(b)
		if n.BitLen() > 64 { // also rules out zero
			return n, nil
		}
	}
	return nil, fmt.Errorf("x509util: serial number: the random source gives no randomness")
}

// SubjectKeyID computes the subject key identifier by RFC 5280 section 4.2.1.2 method 1: the
// SHA-1 of the subjectPublicKey bits, as openssl does by default.
func SubjectKeyID(pub crypto.PublicKey) ([]byte, error) {
	switch pub.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
	default:
		return nil, fmt.Errorf("%w: public key type %T", ErrUnsupported, pub)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &spki); err != nil {
		return nil, fmt.Errorf("x509util: subject key id: %w", err)
	}
	sum := sha1.Sum(spki.PublicKey.Bytes)
	return sum[:], nil
}

// RevocationReasons returns the CRL reason codes of RFC 5280 section 5.3.1, by the names
// openssl uses. The map is a copy.
func RevocationReasons() map[string]int { return maps.Clone(revocationReasons()) }

var revocationReasons = sync.OnceValue(func() map[string]int {
	return map[string]int{
		"unspecified":          0,
		"keyCompromise":        1,
		"cACompromise":         2,
		"affiliationChanged":   3,
		"superseded":           4,
		"cessationOfOperation": 5,
		"certificateHold":      6,
		"removeFromCRL":        8,
		"privilegeWithdrawn":   9,
		"aACompromise":         10,
	}
})

// ReasonName returns the RFC 5280 name of a reason code, or "reason N".
func ReasonName(code int) string {
	for name, c := range revocationReasons() {
		if c == code {
			return name
		}
	}
	return fmt.Sprintf("reason %d", code)
}

// ParseReason returns the reason code named s (case-insensitive).
func ParseReason(s string) (int, error) {
	for name, c := range revocationReasons() {
		if strings.EqualFold(name, s) {
			return c, nil
		}
	}
	return 0, fmt.Errorf("%w: unknown revocation reason %q", ErrInvalidName, s)
}

// MaxCRLNumberBits bounds a CRL number: RFC 5280 5.2.3 allows at most 20 octets, and a
// positive INTEGER of 20 octets has a clear top bit, so the number is from 0 to 2^159-1.
const MaxCRLNumberBits = 159

// CRLRequest describes a CRL to create.
type CRLRequest struct {
	Issuer    *x509.Certificate
	IssuerKey crypto.Signer
	Revoked   []x509.RevocationListEntry
	// Number is the CRL number; nil means the issuing time (Now) in Unix nanoseconds, which
	// grows from one CRL to the next without any state kept between runs (seconds did not: two
	// CRLs of the same second shared a number).
	Number *big.Int
	// ThisUpdate zero means Now; NextUpdate zero means ThisUpdate plus 7 days. NextUpdate is
	// clipped to the issuer's notAfter (compare the NextUpdate of the CRL returned).
	ThisUpdate, NextUpdate time.Time
	Now                    time.Time
	Rand                   io.Reader
}

// checkCRLEntry refuses an entry a complete CRL cannot carry (ErrInvalidName).
func checkCRLEntry(e x509.RevocationListEntry) error {
	switch {
	case e.SerialNumber == nil || e.SerialNumber.Sign() < 0:
		return fmt.Errorf("%w: a revoked serial number cannot be negative or missing (%v)", ErrInvalidName, e.SerialNumber)
	case e.ReasonCode == 8:
		return fmt.Errorf("%w: the reason removeFromCRL belongs in delta CRLs only (RFC 5280 5.3.1); to un-revoke a certificate on hold, leave it out of the next CRL", ErrInvalidName)
	case e.ReasonCode < 0 || e.ReasonCode == 7 || e.ReasonCode > 10:
		return fmt.Errorf("%w: revocation reason code %d is not one of RFC 5280 5.3.1", ErrInvalidName, e.ReasonCode)
	}
	return nil
}

// CheckCRLIssuerCurrent refuses (ErrIssuer) a CA that has expired at now (zero: the time
// it runs, as CRLRequest.Now): it signs no CRL,
// as it issues no certificate (CheckIssuerAllows). CreateCRL checks it; a caller may check it
// first, before asking for the CA key's passphrase.
func CheckCRLIssuerCurrent(ca *x509.Certificate, now time.Time) error {
	if ca == nil {
		return fmt.Errorf("%w: no CA certificate", ErrIssuer)
	}
	if now.IsZero() {
		now = time.Now()
	}
	if now.After(ca.NotAfter) {
		return fmt.Errorf("%w: the CA %q expired on %s", ErrIssuer, FormatName(ca.Subject), ca.NotAfter.UTC().Format(time.RFC3339))
	}
	return nil
}

// CreateCRL creates and signs a CRL. The issuer must be a CA with cRLSign that has not
// expired at Now (ErrIssuer), as IssueCertificate refuses an expired issuer; nextUpdate is no
// later than the issuer's notAfter, as a certificate's validity is clipped to its issuer's: a
// CRL that outlives its issuer promises a next CRL the CA cannot sign (RFC 5280 5.1.2.5).
// thisUpdate and nextUpdate must be in that order and within the years 1950 to 9999
// (ErrValidity). Each entry
// needs a serial that is not negative, listed once, and a reason code a complete CRL may
// carry: 0 to 10 but 7 (unassigned) and removeFromCRL (8), which RFC 5280 5.3.1 keeps to
// delta CRLs; and the number must be from 0 to 2^159-1, 20 octets as DER writes it (RFC
// 5280 5.2.3) (ErrInvalidName).
func CreateCRL(req CRLRequest) ([]byte, *x509.RevocationList, error) {
	if req.Issuer == nil || req.IssuerKey == nil {
		return nil, nil, fmt.Errorf("%w: a CRL needs the CA certificate and its key", ErrIssuer)
	}
	if err := CheckIssuer(req.Issuer, req.IssuerKey, x509.KeyUsageCRLSign); err != nil {
		return nil, nil, err
	}
	now := req.Now
	if now.IsZero() {
		now = time.Now()
	}
	this := req.ThisUpdate
	if this.IsZero() {
		this = now
	}
	if err := CheckCRLIssuerCurrent(req.Issuer, now); err != nil {
		return nil, nil, err
	}
	if this.After(req.Issuer.NotAfter) {
		return nil, nil, fmt.Errorf("%w: thisUpdate %s is after the end of the CA %q", ErrValidity, this.UTC().Format(time.RFC3339), FormatName(req.Issuer.Subject))
	}
	next := req.NextUpdate
	if next.IsZero() {
		next = this.Add(7 * 24 * time.Hour)
	}
	if next.After(req.Issuer.NotAfter) {
		next = req.Issuer.NotAfter
	}
	if !next.After(this) {
		return nil, nil, fmt.Errorf("%w: nextUpdate must be after thisUpdate", ErrValidity)
	}
	if err := checkX509Time("thisUpdate", this); err != nil {
		return nil, nil, err
	}
	if err := checkX509Time("nextUpdate", next); err != nil {
		return nil, nil, err
	}
	listed := map[string]bool{}
	for _, e := range req.Revoked {
		if err := checkCRLEntry(e); err != nil {
			return nil, nil, err
		}
		if listed[e.SerialNumber.String()] {
			return nil, nil, fmt.Errorf("%w: serial %s is listed twice", ErrInvalidName, FormatSerial(e.SerialNumber))
		}
		listed[e.SerialNumber.String()] = true
	}
	number := req.Number
	if number == nil {
		// Nanoseconds, not seconds: two CRLs made in the same second must not share a number,
		// or a relying party holding the first takes the second for the same CRL.
		number = big.NewInt(now.UnixNano())
	}
	if number.Sign() < 0 || number.BitLen() > MaxCRLNumberBits {
		return nil, nil, fmt.Errorf("%w: CRL number %v is not from 0 to 2^159-1 (RFC 5280 5.2.3: a non-negative integer of at most 20 octets)", ErrInvalidName, number)
	}
	rnd := req.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	tmpl := &x509.RevocationList{
		Number:                    number,
		ThisUpdate:                this.UTC().Truncate(time.Second),
		NextUpdate:                next.UTC().Truncate(time.Second),
		RevokedCertificateEntries: req.Revoked,
	}
	der, err := x509.CreateRevocationList(rnd, tmpl, req.Issuer, checkedSigner{req.IssuerKey})
	if err != nil {
		return nil, nil, fmt.Errorf("x509util: create CRL: %w", err)
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		return nil, nil, fmt.Errorf("x509util: create CRL: %w", err)
	}
	if err := crl.CheckSignatureFrom(req.Issuer); err != nil {
		return nil, nil, fmt.Errorf("%w: the CRL does not verify under its issuer: %w", ErrKeyMismatch, err)
	}
	return der, crl, nil
}

// issuerKeyError is a CA key that does not belong to the CA certificate: an issuer that
// cannot issue (ErrIssuer) because of a key that is not its certificate's (ErrKeyMismatch).
type issuerKeyError struct{ name string }

func (e *issuerKeyError) Error() string {
	return fmt.Sprintf("%v: the CA key does not belong to the CA certificate %q", ErrKeyMismatch, e.name)
}

func (e *issuerKeyError) Unwrap() []error { return []error{ErrKeyMismatch, ErrIssuer} }
