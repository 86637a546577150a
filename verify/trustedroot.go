package verify

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/signet-pki/signet/internal/readlimit"
	"github.com/signet-pki/signet/x509util"
)

// A Sigstore trusted root (trusted_root.json, the TrustedRoot message of the Sigstore
// protobuf-specs in its JSON form) lists the certificate authorities that issue signing
// certificates, each with its chain and the period it may be relied on, as sigstore-go and
// cosign read it with --trusted-root. signet reads it so that one file configures both.

// TrustedRootMediaTypes are the media types of the trusted roots ParseTrustedRoot reads.
var trustedRootMediaTypes = []string{
	"application/vnd.dev.sigstore.trustedroot+json;version=0.1",
	"application/vnd.dev.sigstore.trustedroot.v0.2+json",
}

// MaxTrustedRootSize bounds what LoadTrustedRoot reads: Sigstore's public-good root is about
// 10 KB.
const MaxTrustedRootSize = 4 << 20

// TrustedRoot is what signet takes from a Sigstore trusted root: its certificate
// authorities and its timestamp authorities. Transparency logs and CT logs are not read
// (signet's bundles have no log entries).
type TrustedRoot struct {
	// CertificateAuthorities issue the signers' certificates.
	CertificateAuthorities []TrustedCA
	// TimestampAuthorities issue RFC 3161 timestamps.
	TimestampAuthorities []TrustedCA
}

// TrustedCA is one authority of a trusted root: its chain, the trust anchor last (as the
// specification orders certChain: the issuing CA first, the root last), and the period in
// which it is trusted.
type TrustedCA struct {
	// URI is the authority's URI, for reports.
	URI string
	// Chain is certChain.certificates: the issuing CA first, its trust anchor last.
	Chain []*x509.Certificate
	// Start and End bound validFor; End is zero when the authority is still in use.
	Start, End time.Time
}

// ValidAt reports whether the authority is trusted at t (validFor: start ≤ t ≤ end).
func (ca TrustedCA) ValidAt(t time.Time) bool {
	return !t.Before(ca.Start) && (ca.End.IsZero() || !t.After(ca.End))
}

// TSAAnchors is Anchors for the timestamp authorities: the anchors and intermediates of the
// TSAs valid at t, or of every TSA when all is true, for a verifier that checks validFor at
// each timestamp's genTime (ArtifactOptions.TrustedTSAs).
func (r *TrustedRoot) TSAAnchors(at time.Time, all bool) (roots, intermediates []*x509.Certificate) {
	return (&TrustedRoot{CertificateAuthorities: r.TimestampAuthorities}).Anchors(at, all)
}

// Anchors returns the trust anchors (the last certificate of each chain) and the
// intermediates (the others) of the certificate authorities that are valid at t (the zero
// time means now). An authority outside its validFor at t is left out, unless all is true:
// then every authority's certificates are returned, for a verifier that checks validFor per
// signature (ArtifactOptions.TrustedCAs).
func (r *TrustedRoot) Anchors(at time.Time, all bool) (roots, intermediates []*x509.Certificate) {
	if at.IsZero() {
		at = time.Now()
	}
	for _, ca := range r.CertificateAuthorities {
		if !all && !ca.ValidAt(at) || len(ca.Chain) == 0 {
			continue
		}
		roots = append(roots, ca.Chain[len(ca.Chain)-1])
		intermediates = append(intermediates, ca.Chain[:len(ca.Chain)-1]...)
	}
	return roots, intermediates
}

type wireTrustedRoot struct {
	MediaType              string        `json:"mediaType"`
	CertificateAuthorities []wireTrustCA `json:"certificateAuthorities"`
	TimestampAuthorities   []wireTrustCA `json:"timestampAuthorities"`
}

type wireTrustCA struct {
	URI       string `json:"uri"`
	CertChain *struct {
		Certificates []struct {
			RawBytes []byte `json:"rawBytes"`
		} `json:"certificates"`
	} `json:"certChain"`
	ValidFor *struct {
		Start *time.Time `json:"start"`
		End   *time.Time `json:"end"`
	} `json:"validFor"`
}

// LoadTrustedRoot reads and parses the trusted root in the file name (ParseTrustedRoot), up
// to MaxTrustedRootSize. Errors name the file; they wrap the *fs.PathError of the read, or
// x509util.ErrMalformed.
func LoadTrustedRoot(name string) (*TrustedRoot, error) {
	data, err := readlimit.ReadFile(name, MaxTrustedRootSize)
	if err != nil {
		if errors.Is(err, readlimit.ErrTooLarge) || errors.Is(err, readlimit.ErrNotFile) {
			return nil, fmt.Errorf("%w: %s %v", x509util.ErrMalformed, name, err)
		}
		return nil, err
	}
	r, err := ParseTrustedRoot(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return r, nil
}

// ParseTrustedRoot parses a Sigstore trusted root in its JSON form (media type
// application/vnd.dev.sigstore.trustedroot+json;version=0.1 or ...trustedroot.v0.2+json):
// the certChain and validFor of each of certificateAuthorities and timestampAuthorities.
// Other fields are ignored. A root with no certificate authority, an authority without a
// chain or without validFor.start, or a certificate that does not parse is malformed
// (x509util.ErrMalformed).
func ParseTrustedRoot(data []byte) (*TrustedRoot, error) {
	var w wireTrustedRoot
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("%w: not a Sigstore trusted root: %v", x509util.ErrMalformed, err)
	}
	known := false
	for _, mt := range trustedRootMediaTypes {
		known = known || w.MediaType == mt
	}
	if !known {
		return nil, fmt.Errorf("%w: media type %q is not a Sigstore trusted root's (%s)", x509util.ErrMalformed, w.MediaType, strings.Join(trustedRootMediaTypes, ", "))
	}
	r := &TrustedRoot{}
	var err error
	if r.CertificateAuthorities, err = trustedCAs(w.CertificateAuthorities, "certificateAuthorities"); err != nil {
		return nil, err
	}
	if r.TimestampAuthorities, err = trustedCAs(w.TimestampAuthorities, "timestampAuthorities"); err != nil {
		return nil, err
	}
	if len(r.CertificateAuthorities) == 0 {
		return nil, fmt.Errorf("%w: the trusted root lists no certificateAuthorities", x509util.ErrMalformed)
	}
	return r, nil
}

func trustedCAs(ws []wireTrustCA, field string) ([]TrustedCA, error) {
	var out []TrustedCA
	for i, w := range ws {
		where := fmt.Sprintf("%s[%d]", field, i)
		if w.CertChain == nil || len(w.CertChain.Certificates) == 0 {
			return nil, fmt.Errorf("%w: %s has no certChain", x509util.ErrMalformed, where)
		}
		if w.ValidFor == nil || w.ValidFor.Start == nil {
			return nil, fmt.Errorf("%w: %s has no validFor.start", x509util.ErrMalformed, where)
		}
		ca := TrustedCA{URI: w.URI, Start: *w.ValidFor.Start}
		if w.ValidFor.End != nil {
			ca.End = *w.ValidFor.End
			if ca.End.Before(ca.Start) {
				return nil, fmt.Errorf("%w: %s: validFor ends before it starts", x509util.ErrMalformed, where)
			}
		}
		for j, c := range w.CertChain.Certificates {
			cert, err := x509.ParseCertificate(c.RawBytes)
			if err != nil {
				return nil, fmt.Errorf("%w: %s.certChain.certificates[%d]: %v", x509util.ErrMalformed, where, j, err)
			}
			ca.Chain = append(ca.Chain, cert)
		}
		out = append(out, ca)
	}
	return out, nil
}

// trustedRootPath holds a valid chain to the authorities of the Sigstore trusted roots: when
// its anchor ends an authority's certChain, every CA certificate of the path must be in the
// certChain of one authority valid at the signing time (see ArtifactOptions.TrustedCAs).
func (v *artifactVerifier) trustedRootPath(cr *Result, signedAt time.Time) *Error {
	at := signedAt
	if at.IsZero() {
		at = v.opts.Policy.At
	}
	if at.IsZero() {
		at = time.Now()
	}
	if authorityPath(v.opts.TrustedCAs, cr, at, false) {
		return nil
	}
	return &Error{Reason: UnknownAuthority, Cert: cr.Chain[0].Certificate, Rule: "sigstore.trusted-root-path",
		Detail: fmt.Sprintf("the path to %s goes through no certificate authority of the trusted root valid at %s (its certChain and validFor)",
			cr.Chain[len(cr.Chain)-1].Subject, at.UTC().Format(time.RFC3339))}
}

// trustedTSAPath holds a valid chain of a timestamp's TSA to the timestamp authorities of the
// Sigstore trusted roots (see ArtifactOptions.TrustedTSAs): when its anchor ends an
// authority's certChain, the TSA must be one the trusted root lists, at genTime.
func (v *artifactVerifier) trustedTSAPath(cr *Result, genTime time.Time) *Error {
	if authorityPath(v.opts.TrustedTSAs, cr, genTime, true) {
		return nil
	}
	return &Error{Reason: UnknownAuthority, Cert: cr.Chain[0].Certificate, Rule: "sigstore.trusted-root-tsa",
		Detail: fmt.Sprintf("it is no timestamp authority of the trusted root valid at %s (its certChain and validFor)",
			genTime.UTC().Format(time.RFC3339))}
}

// authorityPath reports whether the valid chain cr may stand under the authorities cas at
// time at: true when its anchor ends none of their certChains (it came from elsewhere), or
// when every CA certificate of the path is in the certChain of one authority valid (validFor)
// at at. With pinLeaf (timestamp authorities, as sigstore-go has them), an authority whose
// certChain starts with a certificate that is not a CA's names its TSA: the path's leaf must
// be that certificate.
func authorityPath(cas []TrustedCA, cr *Result, at time.Time, pinLeaf bool) bool {
	if len(cas) == 0 || len(cr.Chain) < 2 {
		return true
	}
	anchor := cr.Chain[len(cr.Chain)-1]
	if !anchor.TrustAnchor || anchor.Certificate == nil {
		return true
	}
	mine := false
	for _, ca := range cas {
		if len(ca.Chain) == 0 || !ca.Chain[len(ca.Chain)-1].Equal(anchor.Certificate) {
			continue
		}
		mine = true
		if !ca.ValidAt(at) {
			continue
		}
		if pinLeaf && len(ca.Chain) > 1 && !ca.Chain[0].IsCA &&
			(cr.Chain[0].Certificate == nil || !cr.Chain[0].Certificate.Equal(ca.Chain[0])) {
			continue
		}
		all := true
		for _, c := range cr.Chain[1:] {
			if c.Certificate == nil || !slices.ContainsFunc(ca.Chain, c.Certificate.Equal) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return !mine
}
