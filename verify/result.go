package verify

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"time"

	"github.com/signet-pki/signet/internal/pkixname"
	"github.com/signet-pki/signet/x509util"
)

// Result is everything Verify found: the chain, the policy it applied, each check with its
// outcome, and the verdict. Its JSON form is stable: fields are added, never renamed.
type Result struct {
	// Valid is the verdict.
	Valid bool `json:"valid"`
	// Reason is why the certificate is not acceptable, "" when Valid.
	Reason Reason `json:"reason"`
	// Error is the message of the *Error Verify returned, "" when Valid.
	Error string `json:"error"`
	// Rule is the id of the rule that failed (see the package documentation), "" when Valid.
	Rule string `json:"rule"`
	// Policies is the user-constrained policy set of RFC 5280 6.1.5: the certificate policies
	// (dotted OIDs, or "anyPolicy") for which the chain is valid, in the trust anchor's
	// domain. Empty when no policy is valid (which fails only when an explicit policy is
	// required); nil when no chain was validated.
	Policies []string `json:"policies"`
	// Chain runs from the leaf to the trust anchor. When no chain to a trust anchor was
	// found it holds the longest path built, and its last element has TrustAnchor false.
	Chain []ChainCert `json:"chain"`
	// Policy is the policy applied, with the defaults resolved (the validation time).
	Policy PolicyReport `json:"policy"`
	// Checks are every check made, in order: chain, validity, constraints, policies,
	// profile, depth, key-usage, eku, name, revocation. The first that failed gives Reason.
	Checks []Check `json:"checks"`
}

// ChainCert describes one certificate of the chain.
type ChainCert struct {
	// Role is "leaf", "intermediate" or "root" (the last certificate of a chain that reached
	// a trust anchor; a leaf that is itself trusted keeps the role "leaf").
	Role        string    `json:"role"`
	Subject     string    `json:"subject"`
	Issuer      string    `json:"issuer"`
	Serial      string    `json:"serial"` // lowercase hex in whole bytes (x509util.FormatSerial)
	NotBefore   time.Time `json:"not_before"`
	NotAfter    time.Time `json:"not_after"`
	SHA256      string    `json:"sha256"` // x509util.CertificateFingerprint
	TrustAnchor bool      `json:"trust_anchor"`
	// Certificate is the parsed certificate (not in JSON).
	Certificate *x509.Certificate `json:"-"`
}

// Status is the outcome of a check.
type Status string

const (
	Pass Status = "pass"
	Fail Status = "fail"
	// Skip: the check did not apply (not required by the policy, or nothing to check it with).
	Skip Status = "skip"
)

// Check names, in the order Verify reports them.
const (
	CheckChain       = "chain"
	CheckValidity    = "validity"
	CheckConstraints = "constraints"
	CheckPolicies    = "policies"
	CheckProfile     = "profile"
	CheckDepth       = "depth"
	CheckKeyUsage    = "key-usage"
	CheckEKU         = "eku"
	CheckName        = "name"
	CheckRevocation  = "revocation"
)

// Check is one check made and its outcome.
type Check struct {
	Check  string `json:"check"`
	Status Status `json:"status"`
	// Subject is the certificate the check is about, "" when it is about the whole chain.
	Subject string `json:"subject"`
	Detail  string `json:"detail"`
	// Rule is the id of the rule a failed check broke, "" otherwise.
	Rule string `json:"rule"`
	err  *Error
}

// PolicyReport is a Policy in a JSON-friendly form, with the validation time resolved.
type PolicyReport struct {
	At            time.Time `json:"at"`
	Roots         []CertRef `json:"roots"`
	SystemRoots   bool      `json:"system_roots"`
	Intermediates []CertRef `json:"intermediates"` // Policy.Intermediates and extraChain
	EKUs          []string  `json:"ekus"`          // names or dotted OIDs; empty: no constraint
	KeyUsage      []string  `json:"key_usage"`     // required bits; empty: none
	DNSName       string    `json:"dns_name"`
	IP            string    `json:"ip"`
	Email         string    `json:"email"`
	CRLs          []CRLRef  `json:"crls"`
	RequireCRL    bool      `json:"require_crl"`
	MaxDepth      *int      `json:"max_depth"` // null: unlimited
	Profile       string    `json:"profile"`   // rfc5280 or webpki
	// InitialPolicies is the initial policy set ("anyPolicy" when none was given).
	InitialPolicies       []string `json:"initial_policies"`
	RequireExplicitPolicy bool     `json:"require_explicit_policy"`
	InhibitPolicyMapping  bool     `json:"inhibit_policy_mapping"`
	InhibitAnyPolicy      bool     `json:"inhibit_any_policy"`
	OCSP                  int      `json:"ocsp_responses"` // how many were given
	ExplicitEKU           bool     `json:"explicit_eku"`
	LeafNotCA             bool     `json:"leaf_not_ca"`
}

// CertRef names a certificate.
type CertRef struct {
	Subject string `json:"subject"`
	SHA256  string `json:"sha256"`
}

// CRLRef names a CRL.
type CRLRef struct {
	Issuer     string    `json:"issuer"`
	Number     string    `json:"number"` // decimal, "" when absent
	ThisUpdate time.Time `json:"this_update"`
	NextUpdate time.Time `json:"next_update"` // zero when absent
	SHA256     string    `json:"sha256"`
}

// Name returns a certificate's subject as a string in RFC 4514 form, with control characters
// escaped so that no subject can forge a line of output; "(empty subject)" when it has none.
func Name(c *x509.Certificate) string {
	if c == nil {
		return "(no certificate)"
	}
	return rawNameString(c.RawSubject)
}

// rawNameString is a DER name as Name prints it. A report prints about 20 names for a
// three-level chain, so it parses them for printing only (pkixname.FormatDN), without the
// RFC 4518 preparation that comparing needs.
func rawNameString(raw []byte) string {
	s, err := pkixname.FormatDN(raw)
	switch {
	case err != nil:
		return "(unparseable name)"
	case s == "":
		return "(empty subject)"
	}
	return s
}

func certRefs(certs []*x509.Certificate) []CertRef {
	refs := []CertRef{}
	for _, c := range certs {
		refs = append(refs, CertRef{Subject: Name(c), SHA256: x509util.CertificateFingerprint(c)})
	}
	return refs
}

func crlRefs(crls []*x509.RevocationList) []CRLRef {
	refs := []CRLRef{}
	for _, l := range crls {
		sum := sha256.Sum256(l.Raw)
		r := CRLRef{Issuer: rawNameString(l.RawIssuer), ThisUpdate: l.ThisUpdate.UTC(), NextUpdate: l.NextUpdate.UTC(), SHA256: hex.EncodeToString(sum[:])}
		if l.Number != nil {
			r.Number = l.Number.String()
		}
		refs = append(refs, r)
	}
	return refs
}

func chainCerts(path []*x509.Certificate, anchored bool) []ChainCert {
	out := []ChainCert{}
	for i, c := range path {
		role := "intermediate"
		switch {
		case i == 0:
			role = "leaf"
		case i == len(path)-1 && anchored:
			role = "root"
		}
		out = append(out, ChainCert{
			Role:        role,
			Subject:     Name(c),
			Issuer:      rawNameString(c.RawIssuer),
			Serial:      x509util.FormatSerial(c.SerialNumber),
			NotBefore:   c.NotBefore.UTC(),
			NotAfter:    c.NotAfter.UTC(),
			SHA256:      x509util.CertificateFingerprint(c),
			TrustAnchor: anchored && i == len(path)-1,
			Certificate: c,
		})
	}
	return out
}
