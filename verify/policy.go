package verify

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/signet-pki/signet/x509util"
)

// Policy says what makes a certificate acceptable. Every field's zero value is documented;
// the zero Policy is unusable only because it trusts no root.
type Policy struct {
	// Roots are the trust anchors. Every certificate here is trusted as it is, self-signed or
	// not: an intermediate listed here anchors the chains under it (as openssl's
	// -partial_chain). Nil trusts nothing but the system roots, if SystemRoots is set.
	Roots []*x509.Certificate
	// SystemRoots adds the operating system's trust store to Roots. False (the zero value)
	// means exactly Roots are trusted.
	SystemRoots bool
	// Intermediates are untrusted certificates that may link the leaf to a root, together
	// with the extraChain given to Verify. Nil means none besides extraChain.
	Intermediates []*x509.Certificate
	// At is the validation time for certificates and CRLs. Zero means the time Verify runs.
	At time.Time
	// EKUs are the extended key usages the leaf must be good for. Each one must be allowed
	// by the leaf and by every CA certificate of the chain, where a certificate without the
	// extended key usage extension, or with anyExtendedKeyUsage, allows every usage (RFC
	// 5280 4.2.1.12; the restriction by CAs is common practice, as in crypto/x509). Empty
	// (the zero value) means NO extended key usage constraint -- unlike
	// x509.VerifyOptions.KeyUsages, where empty means serverAuth. x509.ExtKeyUsageAny in the
	// list also lifts the constraint.
	EKUs []x509.ExtKeyUsage
	// UnknownEKUs are further required extended key usages given by OID, checked like EKUs.
	UnknownEKUs []asn1.ObjectIdentifier
	// ExplicitEKU makes the leaf itself assert every required usage: a leaf without the
	// extended key usage extension, or one that relies on anyExtendedKeyUsage, does not
	// qualify (as code signing and the CA/Browser Forum's server profile demand). False
	// (the zero value) follows RFC 5280 4.2.1.12: no extension allows every usage.
	ExplicitEKU bool
	// LeafNotCA refuses a leaf whose basic constraints say CA: a CA certificate is for
	// issuing, not for signing artifacts or serving TLS. False (the zero value) accepts it.
	LeafNotCA bool
	// KeyUsage holds the key usage bits the leaf must assert. A leaf without the key usage
	// extension is unrestricted (RFC 5280 4.2.1.3) and passes. Zero requires nothing;
	// artifact signing requires x509.KeyUsageDigitalSignature.
	KeyUsage x509.KeyUsage
	// DNSName, if not empty, must match a DNS subjectAltName of the leaf (a wildcard as the
	// whole leftmost label standing for one label of letters, digits, hyphens or underscores;
	// Unicode labels are compared as A-labels). The subject's common name is never used as a
	// host name.
	DNSName string
	// IP, if not nil, must equal an IP address subjectAltName of the leaf.
	IP net.IP
	// Email, if not empty, must equal an email subjectAltName of the leaf: the local part
	// exactly, the domain without regard to case. The subject's emailAddress is not used.
	Email string
	// CRLs are checked for every certificate of the chain whose issuer signed one of them.
	// A CRL is used only if its issuer name matches the issuing certificate of the chain and
	// that certificate's key verifies it. A CRL with the issuer's name and a bad signature
	// makes the verdict CRLInvalid whatever else is given (a forgery); one whose issuer lacks
	// cRLSign, with an unsupported critical extension, or with dates that do not cover At
	// (RevocationAt when set) makes it CRLInvalid, unless another CRL of the same scope
	// settles the status: a current one, for a CRL whose dates do not cover the time (stale,
	// or not yet valid); a newer one, for one that cannot be used otherwise (an older CRL
	// never settles what a newer one covers). So does such a delta CRL of a complete CRL
	// used, unless a usable delta of a higher number supersedes it. A usable delta CRL of the
	// scope whose base is newer than the complete CRL used cannot be applied to it, but a
	// certificate it lists (other than removeFromCRL) is revoked, unless a delta of a higher
	// number is used with that complete CRL: the issuer's newer word wins over the older. A
	// certificate listed is
	// revoked whatever its revocation date (as openssl does), except after a trusted SignedAt
	// for a reason that is not a compromise; an entry with reason removeFromCRL does not
	// count. Nil means no revocation checking unless RequireCRL is set.
	CRLs []*x509.RevocationList
	// RequireCRL makes a missing CRL a failure (CRLMissing) for the leaf's issuer and for
	// every intermediate that issues a certificate of the chain: that is, every certificate
	// below the trust anchor needs a CRL, except that intermediates issued directly by the
	// trust anchor need none, nor does the certificate of a CRL signer the trust anchor issued
	// (root CRLs are often hard to come by; give one in CRLs and it is checked). For leaf -> intermediate -> root this is openssl's -crl_check. False (the zero
	// value) checks the CRLs given and reports certificates without one as not checked.
	RequireCRL bool
	// MaxDepth, if not nil, is the most intermediates allowed between the leaf and the trust
	// anchor (as openssl's -verify_depth), not counting self-issued ones (a CA's key rollover
	// certificates, as pathLenConstraint does not count them): new(0) accepts only leaves
	// signed by a root. Nil (the zero value) means no limit beyond the path length constraints
	// of the CAs.
	MaxDepth *int
	// Profile is the set of rules applied beyond path validation: ProfileRFC5280 (the zero
	// value) or ProfileWebPKI. See the package documentation for the rules of each.
	Profile Profile
	// Policies is the initial policy set of RFC 5280 6.1.1 (user-initial-policy-set): the
	// certificate policies the relying party accepts. Empty (the zero value) means anyPolicy,
	// and so does a set that holds anyPolicy, whatever else it lists.
	Policies []asn1.ObjectIdentifier
	// RequireExplicitPolicy sets initial-explicit-policy: the path must be valid for at least
	// one policy of Policies. False (the zero value) lets the CAs' policy constraints decide.
	RequireExplicitPolicy bool
	// InhibitPolicyMapping sets initial-policy-mapping-inhibit: policy mappings are not
	// honoured. False (the zero value) lets the CAs decide.
	InhibitPolicyMapping bool
	// InhibitAnyPolicy sets initial-any-policy-inhibit: anyPolicy in a certificate does not
	// match other policies. False (the zero value) lets the CAs decide.
	InhibitAnyPolicy bool
	// OCSP holds DER OCSP responses (RFC 6960), checked for every certificate of the chain
	// whose issuer (or a responder it delegated with id-kp-OCSPSigning) signed one; a good
	// answer settles that certificate's status as a CRL would, a revoked one fails it (and
	// wins over a good one in the same response), an unknown one fails it with CRLMissing
	// (rule rfc6960.unknown) unless a CRL or another response settles the status. Nil means
	// none.
	OCSP [][]byte
	// OCSPAboutChain requires every response of OCSP to answer about a certificate of the
	// path validated: one about none fails the path with CRLMissing (rule
	// signet.ocsp-unused), as openssl ocsp says "No Status found" for it, and path building
	// tries the next path. Set it when OCSP serves this one chain; where responses serve
	// several (a signer's chain and its timestamp authorities'), leave it false and judge
	// them over the run with OCSPUse.
	OCSPAboutChain bool
	// SignedAt, if not zero, is a trusted time at which what the certificate signed existed:
	// the genTime of an RFC 3161 timestamp whose token verified (VerifyArtifacts sets it,
	// with At, from the signature's timestamp). A certificate of the chain revoked after
	// SignedAt for a reason other than keyCompromise, cACompromise or aACompromise then still
	// verifies: the revocation came after the signature, and the CRL or OCSP entry is
	// reported; an entry without a reason code, or unspecified, counts as another reason. A
	// compromise always fails: the key may have signed anything, at any claimed time. Zero
	// (the zero value): every revocation fails.
	SignedAt time.Time
	// RevocationAt is the time at which CRLs and OCSP responses must be current (thisUpdate
	// and nextUpdate), when it differs from At: a signature validated at a timestamp's
	// genTime is judged against the revocation information of today. Zero means At.
	RevocationAt time.Time
}

// Profile names a set of rules applied on top of RFC 5280 path validation.
type Profile string

const (
	// ProfileRFC5280 applies RFC 5280 strictly: the section 6 algorithm and the MUSTs about
	// certificate contents that relying parties can check (rule ids rfc5280.*). It is the
	// default.
	ProfileRFC5280 Profile = "rfc5280"
	// ProfileWebPKI adds the CA/Browser Forum Baseline Requirements for TLS server
	// certificates (rule ids webpki.*): an explicit serverAuth leaf that is not a CA, a SAN,
	// a subject CN among the SANs, no wildcard over a public suffix, keys RSA (2048 bits
	// or more, a multiple of 8, an odd exponent) or ECDSA on P-256, P-384 or P-521, a leaf
	// key usage a TLS server can use, EKU rules for the CAs and the root. It requires serverAuth when no EKU is given.
	ProfileWebPKI Profile = "webpki"
)

// Profiles lists the profiles, for help texts and flag parsing. The list is a copy.
func Profiles() []Profile { return slices.Clone(profiles) }

var profiles = []Profile{ProfileRFC5280, ProfileWebPKI}

// ParseProfile returns the profile named s. Errors wrap ErrPolicy.
func ParseProfile(s string) (Profile, error) {
	for _, p := range profiles {
		if strings.EqualFold(s, string(p)) {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: unknown profile %q (use rfc5280 or webpki)", ErrPolicy, s)
}

// ParsePolicyOID reads a certificate policy given as a dotted OID or "anyPolicy". Errors wrap
// ErrPolicy.
func ParsePolicyOID(s string) (asn1.ObjectIdentifier, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "anyPolicy") || strings.EqualFold(s, "any") {
		return oidAnyPolicy, nil
	}
	if oid, ok := x509util.ParseDottedOID(s); ok {
		return oid, nil
	}
	return nil, fmt.Errorf("%w: %q is not a certificate policy OID (use a dotted OID such as 2.16.840.1.101.3.2.1.48.1, or anyPolicy)", ErrPolicy, s)
}

// EKUNames returns the names ParseEKUs accepts besides dotted OIDs ("any" is short for
// anyExtendedKeyUsage). The list is a copy.
func EKUNames() []string { return slices.Clone(ekuNames) }

var ekuNames = []string{"serverAuth", "clientAuth", "codeSigning", "emailProtection", "timeStamping",
	"OCSPSigning", "anyExtendedKeyUsage", "any"}

// ParseEKUs turns names (EKUNames, without regard to case, or dotted OIDs such as
// 1.3.6.1.5.5.7.3.3) into the EKUs and UnknownEKUs fields of a Policy. A dotted OID of a
// usage crypto/x509 knows comes back as that usage. Errors wrap ErrPolicy.
func ParseEKUs(names []string) ([]x509.ExtKeyUsage, []asn1.ObjectIdentifier, error) {
	var known []x509.ExtKeyUsage
	var unknown []asn1.ObjectIdentifier
	for _, n := range names {
		n = strings.TrimSpace(n)
		if strings.EqualFold(n, "any") {
			known = append(known, x509.ExtKeyUsageAny)
			continue
		}
		oid, isOID := x509util.ParseDottedOID(n)
		e, found := x509util.ExtKeyUsageByName(n)
		if !found && isOID {
			e, found = x509util.ExtKeyUsageByOID(oid)
		}
		if found {
			known = append(known, e.Usage)
		}
		switch {
		case found:
		case isOID:
			unknown = append(unknown, oid)
		default:
			return nil, nil, &UnknownEKUError{Name: n}
		}
	}
	return known, unknown, nil
}

// UnknownEKUError is ParseEKUs's refusal of a name that is neither a known usage nor a dotted
// OID. It matches ErrPolicy.
type UnknownEKUError struct{ Name string }

func (e *UnknownEKUError) Error() string {
	return fmt.Sprintf("verify: unusable policy: unknown extended key usage %q (use %s, or a dotted OID)", e.Name, strings.Join(ekuNames, ", "))
}

// Is makes an UnknownEKUError match ErrPolicy.
func (e *UnknownEKUError) Is(target error) bool { return target == ErrPolicy }

// ekuOID returns the OID of a usage crypto/x509 knows.
func ekuOID(u x509.ExtKeyUsage) asn1.ObjectIdentifier { return x509util.ExtKeyUsageOID(u) }

// ekuName returns the name of a usage given by OID, or the dotted OID.
func ekuName(oid asn1.ObjectIdentifier) string { return x509util.ExtKeyUsageName(oid) }

// certEKUs returns a certificate's extended key usages as OIDs, nil when it has none.
func certEKUs(c *x509.Certificate) []asn1.ObjectIdentifier { return x509util.CertificateEKUs(c) }

// KeyUsageNames returns the RFC 5280 names of the bits set in ku, in bit order.
func KeyUsageNames(ku x509.KeyUsage) []string { return x509util.KeyUsageNames(ku) }

// ParseKeyUsage returns the key usage bit named s (RFC 5280 names, without regard to case;
// contentCommitment, the name X.509 has given nonRepudiation since 2005 and the one
// x509-limbo's key_usage uses, is read too). Errors wrap ErrPolicy.
func ParseKeyUsage(s string) (x509.KeyUsage, error) {
	if strings.EqualFold(s, "contentCommitment") {
		return x509.KeyUsageContentCommitment, nil
	}
	if bit, ok := x509util.KeyUsageBit(s); ok {
		return bit, nil
	}
	return 0, fmt.Errorf("%w: unknown key usage %q", ErrPolicy, s)
}

// signerField names the first field of p that judges the signer's own certificate, which a
// bare key (ArtifactOptions.Key) does not have; "" when none is set. The fields left out
// (At, Intermediates, CRLs, OCSP, RequireCRL, MaxDepth, RevocationAt) serve the chains of
// the timestamps' TSAs too.
func (p *Policy) signerField() string {
	switch {
	case len(p.Roots) > 0:
		return "Policy.Roots"
	case p.SystemRoots:
		return "Policy.SystemRoots"
	case len(p.EKUs) > 0 || len(p.UnknownEKUs) > 0 || p.ExplicitEKU:
		return "Policy.EKUs"
	case p.LeafNotCA:
		return "Policy.LeafNotCA"
	case p.KeyUsage != 0:
		return "Policy.KeyUsage"
	case p.DNSName != "" || p.IP != nil || p.Email != "":
		return "a name of Policy (DNSName, IP, Email)"
	case p.Profile != "":
		return "Policy.Profile"
	case len(p.Policies) > 0 || p.RequireExplicitPolicy || p.InhibitPolicyMapping || p.InhibitAnyPolicy:
		return "the certificate policies of Policy"
	case p.OCSPAboutChain || !p.SignedAt.IsZero():
		return "Policy.OCSPAboutChain or SignedAt"
	}
	return ""
}

// requiredEKUs returns the OIDs the policy requires, nil when there is no constraint.
func (p *Policy) requiredEKUs() []asn1.ObjectIdentifier {
	var oids []asn1.ObjectIdentifier
	for _, u := range p.EKUs {
		if u == x509.ExtKeyUsageAny {
			return nil
		}
		if o := ekuOID(u); o != nil {
			oids = append(oids, o)
		}
	}
	for _, o := range p.UnknownEKUs {
		if o.Equal(asn1.ObjectIdentifier{2, 5, 29, 37, 0}) {
			return nil
		}
		oids = append(oids, o)
	}
	return oids
}
