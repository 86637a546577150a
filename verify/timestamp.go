package verify

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/signet-pki/signet/internal/readlimit"
	"github.com/signet-pki/signet/timestamp"
	"github.com/signet-pki/signet/x509util"
)

// RFC 3161 timestamps on artifact signatures: a token over the signature value, signed by a
// TSA whose chain leads to ArtifactOptions.TSARoots, gives a trusted time (genTime) at which
// the signature existed; the signer's chain is then validated at that time.

// ErrTimestamp is wrapped by the verdict of a signature whose timestamp is missing
// (ArtifactOptions.RequireTimestamp) or does not hold: the token is malformed, its signature
// or ESS attribute does not verify, its TSA is not trusted or not a time-stamping
// certificate, or it covers another signature.
var ErrTimestamp = errors.New("verify: no trusted timestamp")

// CheckTimestamp checks the signature's RFC 3161 timestamps.
const CheckTimestamp = "timestamp"

// Reasons of a failed timestamp check (ArtifactResult.Reason). Both wrap ErrTimestamp.
const (
	// ReasonTimestampMissing: RequireTimestamp, and the signature has no timestamp.
	ReasonTimestampMissing = "timestamp-missing"
	// ReasonTimestampInvalid: a timestamp the signature has does not hold.
	ReasonTimestampInvalid = "timestamp-invalid"
)

// TimestampReport is one RFC 3161 timestamp of a signature, as --json reports it.
type TimestampReport struct {
	// TSA is the subject of the certificate that signed the token ("" when not found).
	TSA string `json:"tsa"`
	// TSAName is the name the token itself gives (TSTInfo.tsa), "" when none.
	TSAName string `json:"tsa_name,omitempty"`
	// GenTime is when the TSA made the token.
	GenTime time.Time `json:"gen_time"`
	// Accuracy is how far GenTime may be from the true time (a Go duration, "0s": unstated).
	Accuracy string `json:"accuracy"`
	// Serial is the token's serial number, lowercase hex (x509util.FormatSerial).
	Serial string `json:"serial"`
	// Policy is the TSA policy OID.
	Policy string `json:"policy"`
	// Hash is the hash of the message imprint.
	Hash string `json:"hash"`
	// Valid reports that the token verified, covers the signature, and its TSA's chain is
	// trusted at GenTime.
	Valid bool `json:"valid"`
	// DatesSignature reports that this timestamp dates the signature: the signer's chain was
	// validated at its genTime plus accuracy, the earliest of the signature's valid timestamps.
	DatesSignature bool `json:"dates_signature,omitempty"`
	// Error says why not, "" when Valid.
	Error string `json:"error,omitempty"`
	// Rule is the id of the rule the TSA's certificate chain broke (the table in the package
	// documentation), "" when the chain was not the failure or the failure has no rule.
	Rule string `json:"rule,omitempty"`
	// Chain is the TSA's chain, leaf first, when it was validated.
	Chain []ChainCert `json:"chain,omitempty"`

	latest time.Time // GenTime plus the accuracy, at most the verification time: the latest the signature may have been made
}

// Bounds on timestamps: how many a signature may carry (each costs a chain validation), the
// accuracy a token may state and still date a signature, and how far in the future of the
// verification time a genTime may be (clocks drift).
const (
	maxTimestamps = 8
	maxAccuracy   = time.Hour
	maxClockSkew  = 5 * time.Minute
)

// loadTimestampFile reads the token kept beside a raw signature (sigPath + ".tsr"), if
// there is one.
func loadTimestampFile(sigPath string) ([]byte, error) {
	name := sigPath + ".tsr"
	if _, err := os.Stat(name); err != nil {
		return nil, nil
	}
	data, err := readlimit.ReadFile(name, MaxSignatureSize)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return data, nil
}

// tsaRoots are the TSA trust anchors: TSARoots alone. The signer's roots are not TSA anchors
// by default: a timestamp moves the time the signer is judged at, and only a TSA trusted for
// that (--tsa-roots, a trusted root's timestampAuthorities) may.
func (v *artifactVerifier) tsaRoots() []*x509.Certificate {
	return v.opts.TSARoots
}

// checkTimestamps checks every timestamp of p's signature and returns the time it dates the
// signature at: the earliest of their genTimes plus accuracy (zero when there is none, or one
// fails). It adds the timestamp check to the report (none
// for a signature without timestamps, unless one is required), and returns the verdict's
// error when a timestamp is missing or fails.
func (v *artifactVerifier) checkTimestamps(p *artifactPlan) (time.Time, error) {
	s, res := p.a.Signature, p.res
	if len(s.Timestamps) == 0 {
		if v.opts.RequireTimestamp {
			err := artifactErrorf(ErrTimestamp, nil, "the signature has no timestamp, and one is required")
			res.Checks = append(res.Checks, Check{Check: CheckTimestamp, Status: Fail, Detail: message(err)})
			return time.Time{}, err
		}
		return time.Time{}, nil // no check to report: signatures without timestamps read as before
	}
	if len(v.tsaRoots()) == 0 {
		detail := fmt.Sprintf("%d timestamp(s) not checked: no TSA trust anchor given (--tsa-roots)", len(s.Timestamps))
		if v.opts.RequireTimestamp {
			err := artifactErrorf(ErrTimestamp, nil, "%s, and a timestamp is required", detail)
			res.Checks = append(res.Checks, Check{Check: CheckTimestamp, Status: Fail, Detail: message(err)})
			return time.Time{}, err
		}
		res.Checks = append(res.Checks, Check{Check: CheckTimestamp, Status: Skip, Detail: detail})
		return time.Time{}, nil
	}
	res.Timestamps = []TimestampReport{}
	if len(s.Timestamps) > maxTimestamps {
		err := artifactErrorf(ErrTimestamp, nil, "the signature carries %d timestamps, more than %d", len(s.Timestamps), maxTimestamps)
		res.Checks = append(res.Checks, Check{Check: CheckTimestamp, Status: Fail, Detail: message(err)})
		return time.Time{}, err
	}
	// The signature was made before every token's latest time (genTime plus accuracy): it is
	// dated by the earliest, whatever the order of the tokens, which nothing signs.
	var genTime time.Time
	dating := -1
	seen := map[string]bool{}
	for _, der := range s.Timestamps {
		if seen[string(der)] {
			continue // the same token twice proves nothing more
		}
		seen[string(der)] = true
		r, err := v.checkTimestamp(der, s.Raw)
		res.Timestamps = append(res.Timestamps, r)
		if err != nil {
			// Any token that fails fails the verdict: no need to check the others.
			res.Checks = append(res.Checks, Check{Check: CheckTimestamp, Status: Fail, Detail: message(err)})
			return time.Time{}, err
		}
		if genTime.IsZero() || r.latest.Before(genTime) {
			genTime, dating = r.latest, len(res.Timestamps)-1
		}
	}
	d := &res.Timestamps[dating]
	d.DatesSignature = true
	res.Checks = append(res.Checks, Check{Check: CheckTimestamp, Status: Pass, Subject: d.TSA,
		Detail: fmt.Sprintf("timestamped at %s (±%s) by %s, serial %s: the signer's chain is validated at that time", ts(d.GenTime), d.Accuracy, d.TSA, d.Serial)})
	return genTime, nil
}

// checkTimestamp checks one token over the signature value sig.
func (v *artifactVerifier) checkTimestamp(der, sig []byte) (TimestampReport, error) {
	return v.checkToken(der, func(tok *timestamp.Token) error { return tok.Covers(sig) })
}

// checkTimestampDigest checks one token whose imprint must be d.
func (v *artifactVerifier) checkTimestampDigest(der, d []byte) (TimestampReport, error) {
	return v.checkToken(der, func(tok *timestamp.Token) error { return tok.CoversDigest(d) })
}

// checkToken checks one token, its imprint with covers.
func (v *artifactVerifier) checkToken(der []byte, covers func(*timestamp.Token) error) (TimestampReport, error) {
	var r TimestampReport
	fail := func(err error) (TimestampReport, error) {
		// The timestamp package's errors say "timestamp: " themselves.
		e := artifactErrorf(ErrTimestamp, err, "timestamp: %s", strings.TrimPrefix(err.Error(), "timestamp: "))
		r.Error = message(e)
		return r, e
	}
	tok, err := timestamp.ParseTokenOrResponse(der)
	if err != nil {
		return fail(err)
	}
	r.TSAName, r.GenTime, r.Accuracy = tok.TSAName, tok.GenTime, tok.Accuracy.String()
	r.latest = tok.GenTime.Add(tok.Accuracy)
	r.Serial, r.Policy, r.Hash = x509util.FormatSerial(tok.SerialNumber), tok.Policy.String(), tok.Hash.String()
	signer, err := tok.Verify(nil)
	if signer == nil {
		if s, serr := tok.Signer(nil); serr == nil {
			signer = s
		}
	}
	if signer != nil {
		r.TSA = Name(signer)
	}
	if err != nil {
		return fail(err)
	}
	if err := covers(tok); err != nil {
		return fail(fmt.Errorf("%w (the token is another signature's)", err))
	}
	now := v.opts.Policy.At
	if now.IsZero() {
		now = time.Now()
	}
	if tok.Accuracy > maxAccuracy {
		return fail(fmt.Errorf("%w: its accuracy, ±%s, is too coarse to date a signature (at most ±%s)", timestamp.ErrInvalid, tok.Accuracy, maxAccuracy))
	}
	if tok.GenTime.Add(-tok.Accuracy).After(now.Add(maxClockSkew)) {
		return fail(fmt.Errorf("%w: its genTime %s is after the verification time %s", timestamp.ErrInvalid, ts(tok.GenTime), ts(now)))
	}
	if r.latest.After(now) {
		// The signature exists at the verification time, whatever the TSA's clock says:
		// genTime plus the accuracy, up to the skew plus twice the accuracy allowed after it,
		// would judge the signer at a time it may not yet be valid.
		r.latest = now
	}
	// The TSA's chain: the certificates the token carries and the signer's intermediates
	// (Policy.Intermediates) complete it; the signer's CRLs and OCSP responses apply to it
	// too, current at the verification time, under the signer's --require-crl and depth. Its
	// validity is judged at genTime, but any revocation of it fails: genTime is the TSA's own
	// word, which a revoked TSA key could set to any earlier time.
	pol := Policy{
		Roots: v.tsaRoots(), Intermediates: v.opts.Policy.Intermediates, At: tok.GenTime,
		EKUs: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}, ExplicitEKU: true, LeafNotCA: true,
		CRLs: v.opts.Policy.CRLs, OCSP: v.opts.Policy.OCSP, RevocationAt: now,
		RequireCRL: v.opts.Policy.RequireCRL, MaxDepth: v.opts.Policy.MaxDepth,
	}
	cr, err := Verify(signer, tok.Certificates, pol)
	if cr != nil {
		r.Chain = cr.Chain
	}
	if err != nil {
		var ve *Error
		if errors.As(err, &ve) {
			r.Rule = ve.Rule
		}
		return fail(fmt.Errorf("the TSA's certificate %s: %s", Name(signer), message(err)))
	}
	if e := v.trustedTSAPath(cr, tok.GenTime); e != nil {
		r.Rule = e.Rule
		return fail(fmt.Errorf("the TSA's certificate %s: %s", Name(signer), message(e)))
	}
	// The ESS certificate IDs after the TSA's own restrict its chain (RFC 2634 5.4).
	chain := make([]*x509.Certificate, len(cr.Chain))
	for i, c := range cr.Chain {
		chain[i] = c.Certificate
	}
	if err := tok.CheckChain(chain); err != nil {
		return fail(err)
	}
	r.Valid = true
	return r, nil
}

// VerifyTimestamp checks one RFC 3161 token (or a TimeStampResp holding one) alone, as
// `signet ts verify` does: the token's signature, ESS attribute and TSA certificate, the TSA's
// chain to roots at the token's genTime, and, when covered is not nil, that its message
// imprint is the digest of covered (or, with a digest instead, that it equals d: give d with
// covered nil). The report says what the token holds even when it fails. Errors wrap
// ErrTimestamp, with the timestamp package's sentinel of the cause (timestamp.ErrMalformed for
// a token that cannot be read), except that no roots (nil or empty) is ErrPolicy alone:
// nothing was checked, and no root is ever implied.
func VerifyTimestamp(token, covered, d []byte, roots []*x509.Certificate) (TimestampReport, error) {
	if len(roots) == 0 {
		return TimestampReport{}, fmt.Errorf("%w: no TSA trust anchor", ErrPolicy)
	}
	v := &artifactVerifier{opts: ArtifactOptions{TSARoots: roots}}
	if covered == nil && d != nil {
		return v.checkTimestampDigest(token, d)
	}
	return v.checkTimestamp(token, covered)
}
