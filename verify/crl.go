package verify

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/internal/pkixname"
	"github.com/signet-pki/signet/x509util"
)

// CRLs: what each one covers (its issuer, distribution point, issuing distribution point and
// reasons, RFC 5280 6.3.3), read once per run; which entries it lists; its delta.

type idpInfo struct {
	dp                         distPoint
	onlyUser, onlyCA, onlyAttr bool
	indirect                   bool
	someReasons                uint16
	hasSome                    bool
	raw                        []byte
	nonURIName, relativeName   bool
}

type crlEntry struct {
	serial    *big.Int
	issuerKey string // the certificate issuer the entry is about (indirect CRLs)
	reason    int
	at        time.Time
}

type crlInfo struct {
	l         *x509.RevocationList
	issuer    *pkixname.DN
	issuerKey string
	idp       *idpInfo
	delta     bool
	base      *big.Int
	findings  []finding // why the CRL can be used for nothing
	entries   []crlEntry
	sigs      map[*certInfo]error
}

// crlTimeEncoding checks the times of a TBSCertList (thisUpdate, nextUpdate and every entry's
// revocationDate) as timeEncoding does; crypto/x509 reads a UTCTime without seconds or with
// a time zone offset. It returns what is wrong, or "" (also for what it cannot read).
func crlTimeEncoding(tbs []byte) string {
	s := cryptobyte.String(tbs)
	var body cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !body.SkipOptionalASN1(cbasn1.INTEGER) ||
		!body.SkipASN1(cbasn1.SEQUENCE) || !body.SkipASN1(cbasn1.SEQUENCE) {
		return ""
	}
	if why := timeEncoding(&body, "thisUpdate"); why != "" {
		return why
	}
	if body.PeekASN1Tag(cbasn1.UTCTime) || body.PeekASN1Tag(cbasn1.GeneralizedTime) {
		if why := timeEncoding(&body, "nextUpdate"); why != "" {
			return why
		}
	}
	var entries cryptobyte.String
	if !body.ReadOptionalASN1(&entries, nil, cbasn1.SEQUENCE) {
		return ""
	}
	for !entries.Empty() {
		var entry cryptobyte.String
		if !entries.ReadASN1(&entry, cbasn1.SEQUENCE) || !entry.SkipASN1(cbasn1.INTEGER) {
			return ""
		}
		if why := timeEncoding(&entry, "an entry's revocationDate"); why != "" {
			return why
		}
	}
	return ""
}

func newCRLInfo(l *x509.RevocationList) *crlInfo {
	ci := &crlInfo{l: l, sigs: map[*certInfo]error{}}
	add := func(rule, format string, args ...any) {
		ci.findings = append(ci.findings, finding{rule, fmt.Sprintf(format, args...)})
	}
	var err error
	if ci.issuer, err = pkixname.ParseDN(l.RawIssuer); err != nil {
		ci.issuer = &pkixname.DN{}
		ci.issuerKey = "raw:" + string(l.RawIssuer)
		add("rfc5280.name-encoding", "its issuer name cannot be parsed: %v", err)
	} else {
		ci.issuerKey = ci.issuer.Key()
	}
	hasNumber := false
	for _, e := range l.Extensions {
		switch {
		case e.Id.Equal(oidCRLNumber):
			hasNumber = true
			if e.Critical {
				add("rfc5280.crl-number-critical", "its CRL number is marked critical; RFC 5280 5.2.3 requires non-critical")
			}
		case e.Id.Equal(oidCRLIssuingDP):
			idp, err := parseIDP(e.Value)
			if err != nil {
				add("rfc5280.crl-idp-encoding", "its issuing distribution point cannot be parsed: %v", err)
			} else {
				ci.idp = idp
			}
		case e.Id.Equal(oidCRLDeltaIndicator):
			var base big.Int
			s := cryptobyte.String(e.Value)
			if !s.ReadASN1Integer(&base) || !s.Empty() {
				add("rfc5280.crl-delta-encoding", "its delta CRL indicator cannot be parsed")
			} else {
				ci.delta, ci.base = true, &base
			}
			if !e.Critical {
				add("rfc5280.crl-delta-not-critical", "its delta CRL indicator is not marked critical (RFC 5280 5.2.4)")
			}
		case e.Id.Equal(oidCRLAuthorityKeyID), e.Id.Equal(oidCRLFreshest), e.Id.Equal(oidCRLIssuerAltName):
		default:
			if e.Critical {
				add("rfc5280.crl-unknown-critical-extension", "it has a critical extension signet does not process (%s; RFC 5280 5.2)", e.Id)
			}
		}
	}
	if !hasNumber {
		add("rfc5280.crl-number-missing", "it has no CRL number; RFC 5280 5.2.3 requires one")
	}
	if l.NextUpdate.IsZero() {
		add("rfc5280.crl-next-update-missing", "it has no nextUpdate; RFC 5280 5.1.2.5 requires one")
	}
	if why := crlTimeEncoding(l.RawTBSRevocationList); why != "" {
		add("rfc5280.crl-time-encoding", "a time is written invalidly: %s (5.1.2.4 to 5.1.2.6)", why)
	}
	current := ci.issuerKey
	ci.entries = make([]crlEntry, 0, len(l.RevokedCertificateEntries))
	for _, en := range l.RevokedCertificateEntries {
		for _, x := range en.Extensions {
			switch {
			case x.Id.Equal(oidCRLCertIssuer):
				names, err := pkixname.ParseGeneralNames(x.Value, false)
				found := false
				for _, g := range names {
					if err == nil && g.Form == pkixname.DirectoryName {
						current, found = g.DN.Key(), true
						break
					}
				}
				if !found {
					add("rfc5280.crl-entry-issuer", "an entry's certificate issuer cannot be read")
				}
			case x.Id.Equal(oidCRLReason), x.Id.Equal(oidCRLHoldCode), x.Id.Equal(oidCRLInvalidityDate):
			default:
				if x.Critical {
					add("rfc5280.crl-entry-unknown-critical-extension", "an entry has a critical extension signet does not process (%s; RFC 5280 5.3)", x.Id)
				}
			}
		}
		if en.SerialNumber == nil {
			continue
		}
		ci.entries = append(ci.entries, crlEntry{serial: en.SerialNumber, issuerKey: current, reason: en.ReasonCode, at: en.RevocationTime})
	}
	// Sorted by issuer and serial, the entries show their duplicates side by side and are
	// looked up by binary search, without a set of every entry (a CRL may list millions).
	slices.SortFunc(ci.entries, compareEntry)
	for i := 1; i < len(ci.entries); i++ {
		if compareEntry(ci.entries[i-1], ci.entries[i]) == 0 {
			add("rfc5280.crl-duplicate-entry", "it lists serial %s twice", x509util.FormatSerial(ci.entries[i].serial))
			break
		}
	}
	if ci.idp == nil || !ci.idp.indirect {
		for _, en := range ci.entries {
			if en.issuerKey != ci.issuerKey {
				add("rfc5280.crl-entry-issuer", "an entry names another certificate issuer, but the CRL is not indirect")
				break
			}
		}
	}
	return ci
}

func parseIDP(der []byte) (*idpInfo, error) {
	s := cryptobyte.String(der)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, fmt.Errorf("not a SEQUENCE")
	}
	idp := &idpInfo{raw: der}
	var body cryptobyte.String
	var ok bool
	if !seq.ReadOptionalASN1(&body, &ok, cbasn1.Tag(0).ContextSpecific().Constructed()) {
		return nil, fmt.Errorf("bad distributionPoint")
	}
	if ok {
		if err := parseDistPointName(&idp.dp, body); err != nil {
			return nil, err
		}
		for _, g := range idp.dp.fullName {
			if g.Form != pkixname.URI {
				idp.nonURIName = true
			}
		}
		idp.relativeName = idp.dp.relative != nil
	}
	readBool := func(tag int, dst *bool) error {
		var v cryptobyte.String
		var present bool
		if !seq.ReadOptionalASN1(&v, &present, cbasn1.Tag(tag).ContextSpecific()) {
			return fmt.Errorf("bad field [%d]", tag)
		}
		if present {
			if len(v) != 1 || (v[0] != 0 && v[0] != 0xff) {
				return fmt.Errorf("bad BOOLEAN [%d]", tag)
			}
			*dst = v[0] == 0xff
		}
		return nil
	}
	if err := readBool(1, &idp.onlyUser); err != nil {
		return nil, err
	}
	if err := readBool(2, &idp.onlyCA); err != nil {
		return nil, err
	}
	var reasons cryptobyte.String
	if !seq.ReadOptionalASN1(&reasons, &idp.hasSome, cbasn1.Tag(3).ContextSpecific()) {
		return nil, fmt.Errorf("bad onlySomeReasons")
	}
	if idp.hasSome {
		bits, ok := parseBitString(reasons)
		if !ok {
			return nil, fmt.Errorf("bad onlySomeReasons")
		}
		idp.someReasons = readReasonFlags(bits)
	}
	if err := readBool(4, &idp.indirect); err != nil {
		return nil, err
	}
	if err := readBool(5, &idp.onlyAttr); err != nil {
		return nil, err
	}
	if !seq.Empty() {
		return nil, fmt.Errorf("trailing data")
	}
	if idp.onlyUser && idp.onlyCA || idp.onlyUser && idp.onlyAttr || idp.onlyCA && idp.onlyAttr {
		return nil, fmt.Errorf("more than one of onlyContainsUserCerts, onlyContainsCACerts, onlyContainsAttributeCerts")
	}
	return idp, nil
}

func crlLabel(l *crlInfo) string {
	s := "CRL of " + rawNameString(l.l.RawIssuer)
	if l.delta {
		s = "delta CRL of " + rawNameString(l.l.RawIssuer)
	}
	if l.l.Number != nil {
		s += fmt.Sprintf(" (number %s)", l.l.Number)
	}
	return s
}

func nextUpdateString(l *x509.RevocationList) string {
	if l.NextUpdate.IsZero() {
		return "none"
	}
	return ts(l.NextUpdate)
}

// dpNames returns the names of a distribution point: its fullName, or its relative name added
// to base.
func dpNames(dp distPoint, base *pkixname.DN) []pkixname.GeneralName {
	if dp.relative != nil {
		if base == nil {
			return nil
		}
		dn, err := base.Append(dp.relative)
		if err != nil {
			return nil
		}
		return []pkixname.GeneralName{{Form: pkixname.DirectoryName, DN: dn}}
	}
	return dp.fullName
}

func namesIntersect(a, b []pkixname.GeneralName) bool {
	for _, x := range a {
		for _, y := range b {
			if x.Equal(y) {
				return true
			}
		}
	}
	return false
}

func firstDN(names []pkixname.GeneralName) *pkixname.DN {
	for _, g := range names {
		if g.Form == pkixname.DirectoryName {
			return g.DN
		}
	}
	return nil
}

// scope returns the reasons a CRL covers for certificate c (RFC 5280 6.3.3 (b), (c)), and
// whether it covers c at all.
func crlScope(c *certInfo, l *crlInfo) (uint16, bool) {
	dps := c.dps
	if !c.hasDPs || len(dps) == 0 {
		dps = []distPoint{{}}
	}
	var mask uint16
	ok := false
	isCA := c.c.BasicConstraintsValid && c.c.IsCA
	for _, dp := range dps {
		var base *pkixname.DN
		if dp.hasIssuer {
			if l.idp == nil || !l.idp.indirect {
				continue
			}
			crlIssuer := []pkixname.GeneralName{{Form: pkixname.DirectoryName, DN: l.issuer}}
			if !namesIntersect(dp.crlIssuer, crlIssuer) {
				continue
			}
			base = firstDN(dp.crlIssuer)
		} else {
			if l.issuerKey != c.issuerKey {
				continue
			}
			base = c.issuer
		}
		if l.idp != nil && l.idp.dp.hasName {
			idpNames := dpNames(l.idp.dp, l.issuer)
			switch {
			case dp.hasName:
				if !namesIntersect(idpNames, dpNames(dp, base)) {
					continue
				}
			case dp.hasIssuer:
				if !namesIntersect(idpNames, dp.crlIssuer) {
					continue
				}
			default:
				continue
			}
		}
		if l.idp != nil {
			if l.idp.onlyUser && isCA || l.idp.onlyCA && !isCA || l.idp.onlyAttr {
				continue
			}
		}
		m := allReasons
		if dp.hasReasons {
			m &= dp.reasons
		}
		if l.idp != nil && l.idp.hasSome {
			m &= l.idp.someReasons
		}
		mask |= m
		ok = true
	}
	return mask, ok
}

// compareEntry orders CRL entries by certificate issuer, then serial.
func compareEntry(a, b crlEntry) int {
	if c := strings.Compare(a.issuerKey, b.issuerKey); c != 0 {
		return c
	}
	return a.serial.Cmp(b.serial)
}

// listed returns the entry of a CRL about certificate c, if any.
func (l *crlInfo) listed(c *certInfo) (crlEntry, bool) {
	if c.c.SerialNumber == nil {
		return crlEntry{}, false
	}
	i, ok := slices.BinarySearchFunc(l.entries, crlEntry{issuerKey: c.issuerKey, serial: c.c.SerialNumber}, compareEntry)
	if !ok {
		return crlEntry{}, false
	}
	return l.entries[i], true
}

// deltaFor returns the newest usable delta CRL for the complete CRL base (RFC 5280 5.2.4):
// same issuer and scope, a base CRL number not above base's number, a number above it, and
// signed by the key of baseSigner, which verified base (RFC 5280 6.3.3 (h): the public key
// validated for the complete CRL, not another key of its issuer). A delta of that issuer,
// scope and base that cannot be used (a critical extension signet does not process, dates
// that do not cover the time, a signer without cRLSign, no CRL number, another key...) is not
// passed over: unless a usable delta of a higher number supersedes it, deltaFor returns its
// problem, and whether it is a forgery, as crlUsable does (RFC 5280 5.2: such a CRL MUST NOT
// be used, and the status it may change cannot be determined without it).
func (v *verifier) deltaFor(rc revocationContext, base *crlInfo, baseSigner, c *certInfo, used []bool) (*crlInfo, *Error, bool) {
	var best, bad *crlInfo
	var problem *Error
	forged := false
	for k, d := range v.crls {
		if !d.delta || d.issuerKey != base.issuerKey || base.l.Number == nil {
			continue
		}
		if !sameIDP(d, base) {
			continue
		}
		used[k] = true
		if d.l.Number != nil && (d.base.Cmp(base.l.Number) > 0 || d.l.Number.Cmp(base.l.Number) <= 0) {
			continue
		}
		signer, perr, isForged := v.crlUsable(rc, d)
		if perr == nil && d.l.Number == nil {
			perr = newRuleError(CRLInvalid, c.c, "rfc5280.crl-number-missing", nil, "%s cannot be used: it has no CRL number; RFC 5280 5.2.3 requires one", crlLabel(d))
		}
		if perr == nil && !bytes.Equal(signer.c.RawSubjectPublicKeyInfo, baseSigner.c.RawSubjectPublicKeyInfo) {
			perr = newRuleError(CRLInvalid, c.c, "rfc5280.crl-delta-signer", nil,
				"%s cannot be used with the %s: another key of %s signed it (sha256:%s, the complete CRL's signer sha256:%s); RFC 5280 6.3.3 (h) requires the key that verified the complete CRL",
				crlLabel(d), crlLabel(base), Name(signer.c), x509util.CertificateFingerprint(signer.c)[:16], x509util.CertificateFingerprint(baseSigner.c)[:16])
		}
		if perr != nil {
			if bad == nil || newerCRL(d, bad) {
				bad, problem, forged = d, perr, isForged
			}
			continue
		}
		if best == nil || d.l.Number.Cmp(best.l.Number) > 0 {
			best = d
		}
	}
	if bad != nil && (best == nil || newerCRL(bad, best)) {
		return nil, problem, forged
	}
	return best, nil, false
}

// newerDeltaListing returns a delta CRL of base's issuer and scope that cannot be combined with
// base because its BaseCRLNumber is above base's number (RFC 5280 5.2.4), is newer than
// applied (the delta used with base, if any), is usable itself, and lists certificate c (not
// removeFromCRL, which speaks of a base not given): the issuer's word, newer than base, that
// c is revoked. Without it, base would settle a status that a complete CRL newer than base
// changed.
func (v *verifier) newerDeltaListing(rc revocationContext, base, applied *crlInfo, c *certInfo) (*crlInfo, crlEntry, bool) {
	if base.l.Number == nil {
		return nil, crlEntry{}, false
	}
	for _, d := range v.crls {
		if !d.delta || d.issuerKey != base.issuerKey || d.l.Number == nil || !sameIDP(d, base) ||
			d.base.Cmp(base.l.Number) <= 0 || d.l.Number.Cmp(base.l.Number) <= 0 ||
			applied != nil && d.l.Number.Cmp(applied.l.Number) <= 0 {
			continue
		}
		de, ok := d.listed(c)
		if !ok || de.reason == reasonRemoveFromCRL {
			continue
		}
		if _, perr, _ := v.crlUsable(rc, d); perr != nil {
			continue
		}
		return d, de, true
	}
	return nil, crlEntry{}, false
}

// newerCRL reports whether a has a higher CRL number than b; a CRL without a number is
// newer than any (nothing can supersede it).
func newerCRL(a, b *crlInfo) bool {
	switch {
	case a.l.Number == nil:
		return true
	case b.l.Number == nil:
		return false
	}
	return a.l.Number.Cmp(b.l.Number) > 0
}

func sameIDP(a, b *crlInfo) bool {
	switch {
	case a.idp == nil && b.idp == nil:
		return true
	case a.idp == nil || b.idp == nil:
		return false
	}
	return bytes.Equal(a.idp.raw, b.idp.raw)
}

// webpkiCRL applies the Baseline Requirements' limits on CRLs (7.2.2) and distribution
// points (7.1.2.11.2): URIs only, no indirect CRLs, no partitions by reason, no names relative
// to the issuer.
func webpkiCRL(c *certInfo, l *crlInfo) *finding {
	for _, dp := range c.dps {
		for _, g := range dp.fullName {
			if g.Form != pkixname.URI {
				return &finding{"webpki.crldp-not-uri", "the certificate's CRL distribution point holds a name that is not a URI"}
			}
		}
		if dp.relative != nil || dp.hasIssuer || dp.hasReasons {
			return &finding{"webpki.crldp-form", "the certificate's CRL distribution point uses a form the Baseline Requirements forbid"}
		}
	}
	if idp := l.idp; idp != nil {
		switch {
		case idp.nonURIName:
			return &finding{"webpki.crl-idp-not-uri", "its issuing distribution point holds a name that is not a URI"}
		case idp.relativeName:
			return &finding{"webpki.crl-idp-relative", "its issuing distribution point names itself relative to the issuer"}
		case idp.indirect:
			return &finding{"webpki.crl-indirect", "it is an indirect CRL"}
		case idp.hasSome:
			return &finding{"webpki.crl-only-some-reasons", "it covers only some revocation reasons"}
		}
	}
	return nil
}
