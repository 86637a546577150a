package verify_test

import (
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	mrand "math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/verify"
)

// The times campaign: per seed one time written well or badly (tv_gen_test.go) in one place
// (a certificate's or the root's validity, a CRL's thisUpdate, nextUpdate or revocationDate,
// an OCSP response's thisUpdate, nextUpdate or producedAt, a TSTInfo's genTime, a CMS
// signingTime), checked by signet at a validation time a second before, at or a second after
// the boundary it makes, and by openssl (verify -attime with -x509_strict and -crl_check, ts
// -verify -attime, ocsp -resp_text, cms -cmsout -print). Every verdict is held to what the
// RFCs say of that time, every time signet reads to the time written, and every difference
// from openssl is explained (tvAgainstRFC, tvAgainstOpenSSL). 300 seeds in CI (~10 s);
// SIGNET_TV_SEEDS=first:count for more (1:3000 runs clean).

// tvCase is one seed's case.
type tvCase struct {
	seed  int64
	place string // cert-notBefore, cert-notAfter, root-notBefore, root-notAfter, crl-thisUpdate, crl-nextUpdate, crl-revocationDate, tst-genTime, cms-signingTime, ocsp-thisUpdate, ocsp-nextUpdate, ocsp-producedAt
	enc   tvTime
	delta int       // the validation time's seconds from the boundary
	at    time.Time // the validation time
	// want is what the RFCs make of the case: "valid", "not-yet-valid", "expired",
	// "revoked", or "malformed" (the time breaks a MUST of the place).
	want string

	root, leaf []byte
	crl        []byte
	ocsp       []byte
	tsaRoot    []byte
	token      []byte
	cms, data  []byte
}

func (c *tvCase) String() string {
	return fmt.Sprintf("seed %d: %s %s, at %s (%+ds), want %s", c.seed, c.place, c.enc, c.at.Format(time.RFC3339Nano), c.delta, c.want)
}

var tvPlaces = []string{"cert-notBefore", "cert-notAfter", "root-notBefore", "root-notAfter",
	"crl-thisUpdate", "crl-nextUpdate", "crl-revocationDate", "tst-genTime", "cms-signingTime",
	"ocsp-thisUpdate", "ocsp-nextUpdate", "ocsp-producedAt"}

// tvFirst and tvLast are a validity that holds the validation time whatever it is: 1900 to
// 9999.
var (
	tvFirst = tvCanon(time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC))
	tvLast  = tvCanon(time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC))
)

func tvGenerate(seed int64) *tvCase {
	r := mrand.New(mrand.NewSource(seed))
	c := &tvCase{seed: seed, place: tvPlaces[r.Intn(len(tvPlaces))], delta: r.Intn(3) - 1}
	base := tvBase(r)
	switch c.place {
	case "tst-genTime":
		// A genTime in the past: a token from the future fails whatever its encoding.
		switch r.Intn(5) {
		case 0:
			base = time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC)
		case 1:
			base = time.Date(1950, 1, 1, 0, 0, 1, 0, time.UTC)
		default:
			base = time.Now().UTC().Add(-time.Duration(1+r.Intn(5000)) * time.Hour).Truncate(time.Second)
		}
	case "crl-thisUpdate", "crl-nextUpdate", "crl-revocationDate", "root-notBefore", "root-notAfter":
		if base.Year() >= 9999 {
			base = base.AddDate(-1, 0, 0)
		}
	}
	genOnly := c.place == "tst-genTime" || strings.HasPrefix(c.place, "ocsp-")
	c.enc = tvDraw(r, base, genOnly)
	for c.place != "cert-notBefore" && c.place != "cms-signingTime" && c.enc.kind == "year-0000" ||
		c.place != "cert-notAfter" && c.place != "root-notAfter" && c.place != "cms-signingTime" && c.enc.kind == "y9999" {
		c.enc = tvDraw(r, base, genOnly)
	}
	// The boundary: the instant the time names, or the base when it names none.
	b := c.enc.at
	if b.IsZero() || c.enc.kind == "year-0000" {
		b = base
	}
	c.at = b.Truncate(time.Second).Add(time.Duration(c.delta) * time.Second)
	rootKey, leafKey := rxKey("p256", 931), rxKey("p256", 932)
	rootName, leafName := rxName("TV Root"), rxName("TV Leaf")
	serial := int64(0x7400_0000) + seed*4
	rootNB, rootNA, leafNB, leafNA := tvFirst, tvLast, tvFirst, tvLast
	switch c.place {
	case "cert-notBefore":
		leafNB = c.enc
	case "cert-notAfter":
		leafNA = c.enc
	case "root-notBefore":
		rootNB = c.enc
	case "root-notAfter":
		rootNA = c.enc
	}
	c.root = tvCert(rootName, rootName, rootKey, rootKey, serial, rootNB, rootNA, true)
	c.leaf = tvCert(leafName, rootName, leafKey, rootKey, serial+1, leafNB, leafNA, false)
	day := 24 * time.Hour
	switch c.place {
	case "crl-thisUpdate":
		c.crl = tvCRL(rootName, rootKey, c.enc, tvCanon(b.Add(7*day)), nil)
	case "crl-nextUpdate":
		c.crl = tvCRL(rootName, rootKey, tvCanon(b.Add(-7*day)), c.enc, nil)
	case "crl-revocationDate":
		c.crl = tvCRL(rootName, rootKey, tvCanon(b.Add(-day)), tvCanon(b.Add(day)), []tvRevoked{{serial + 1, c.enc}})
	case "tst-genTime":
		// The TSA's certificate ends (or starts) at the boundary, a second after or before.
		nb, na := b.Add(-30*day), b.Add(-time.Duration(c.delta)*time.Second)
		if r.Intn(2) == 0 {
			nb, na = b.Add(-time.Duration(c.delta)*time.Second), b.Add(30*day)
			c.place = "tst-genTime(notBefore)"
		}
		root, tsa, key := tvTSA(nb, na)
		c.tsaRoot = root.Raw
		c.data = []byte(fmt.Sprintf("signature %d\n", seed))
		c.token = tvToken(tsa, key, c.data, c.enc.raw)
		c.at = b.Add(time.Duration(c.delta) * time.Second) // genTime's whole second, against the TSA's validity
	case "ocsp-thisUpdate", "ocsp-nextUpdate", "ocsp-producedAt":
		// A good answer about the leaf, signed by the root. thisUpdate may be up to
		// ocspSkew (5 minutes, RFC 5019 2.2.4) after the validation time.
		one := ocSingle{serial: big.NewInt(serial + 1), issuerName: rootName, issuerKey: rootKey, status: "good",
			this: b.Add(-day), next: b.Add(day)}
		resp := ocResp{idName: rootName, producedAt: b, signer: rootKey} // not before thisUpdate (rfc6960.produced-at)
		switch c.place {
		case "ocsp-thisUpdate":
			one.thisRaw = c.enc.element()
			c.at = b.Truncate(time.Second).Add(-5*time.Minute + time.Duration(c.delta)*time.Second)
		case "ocsp-nextUpdate":
			one.nextRaw = c.enc.element()
			one.this = b.Add(-7 * day)
		default:
			resp.producedRaw = c.enc.element()
		}
		resp.singles = []ocSingle{one}
		c.ocsp = resp.der()
	case "cms-signingTime":
		leaf, err := x509.ParseCertificate(c.leaf)
		if err != nil {
			panic(err)
		}
		c.data = []byte(fmt.Sprintf("data %d\n", seed))
		c.cms = tvCMS(leaf, leafKey, c.data, c.enc)
	}
	c.want = tvWant(c)
	return c
}

// tvWant is what the RFCs make of the case.
func tvWant(c *tvCase) string {
	e := c.enc
	switch c.place {
	case "cms-signingTime":
		// RFC 5652 11.3: UTC with seconds, no fraction, UTCTime for 1950 to 2049 and
		// GeneralizedTime otherwise.
		if !e.strict || !e.rightType || e.at.IsZero() {
			return "malformed"
		}
		return "valid"
	case "tst-genTime", "tst-genTime(notBefore)":
		if !e.genTime || e.at.IsZero() {
			return "malformed"
		}
		// Compared to the second: a validity's end covers its whole second (RFC 5280
		// 4.1.2.5 as x509-limbo's rfc5280::validity::notafter-fractional reads it).
		switch {
		case c.place == "tst-genTime" && c.delta > 0:
			return "expired"
		case c.place != "tst-genTime" && c.delta < 0:
			return "not-yet-valid"
		}
		return "valid"
	case "ocsp-thisUpdate", "ocsp-nextUpdate", "ocsp-producedAt":
		// RFC 6960 responses are DER: a GeneralizedTime in Zulu with seconds, a fraction
		// without trailing zeros (X.690 11.7).
		if !e.genTime || e.at.IsZero() {
			return "malformed"
		}
		return tvOCSPWindow(c)
	}
	// RFC 5280 4.1.2.5.1/4.1.2.5.2 and 5.1.2.4 to 5.1.2.6: Zulu, with seconds, no fraction.
	if !e.strict || e.at.IsZero() {
		return "malformed"
	}
	switch c.place {
	case "cert-notBefore", "root-notBefore":
		if c.at.Before(e.at) {
			return "not-yet-valid"
		}
	case "cert-notAfter", "root-notAfter":
		if c.at.After(e.at) {
			return "expired"
		}
	case "crl-thisUpdate":
		if c.at.Before(e.at) {
			return "not-yet-valid" // the CRL; so no CRL settles the leaf's status
		}
	case "crl-nextUpdate":
		if c.at.After(e.at) {
			return "expired"
		}
	case "crl-revocationDate":
		return "revoked"
	}
	return "valid"
}

// tvOCSPWindow is the verdict on an OCSP case at the instant its time names, whatever its
// form: thisUpdate may be up to 5 minutes after the validation time (RFC 5019 2.2.4), and
// nextUpdate not before it.
func tvOCSPWindow(c *tvCase) string {
	switch {
	case c.enc.at.IsZero():
		return "malformed"
	case c.place == "ocsp-thisUpdate" && c.at.Add(5*time.Minute).Before(c.enc.at):
		return "not-yet-valid"
	case c.place == "ocsp-nextUpdate" && c.at.After(c.enc.at):
		return "expired"
	}
	return "valid"
}

// tvVerdict is one side's verdict and what it said.
type tvVerdict struct {
	kind   string // valid, or the class of the refusal
	detail string
	time   time.Time // the time read (genTime, signingTime), zero when none
	rules  []string  // signet's: the rules of every check that failed
}

// signet judges the case as the library does for the CLI.
func (c *tvCase) signet(t testing.TB) tvVerdict {
	switch c.place {
	case "cms-signingTime":
		s, err := sigformat.Parse(c.cms)
		if err != nil {
			if !errors.Is(err, sigformat.ErrMalformedSignature) {
				t.Fatalf("%v: not a malformed signature: %v", c, err)
			}
			return tvVerdict{kind: "malformed", detail: err.Error()}
		}
		return tvVerdict{kind: "valid", time: s.SigningTime}
	case "tst-genTime", "tst-genTime(notBefore)":
		root, err := x509.ParseCertificate(c.tsaRoot)
		if err != nil {
			t.Fatal(err)
		}
		r, err := verify.VerifyTimestamp(c.token, c.data, nil, []*x509.Certificate{root})
		v := tvVerdict{kind: "valid", time: r.GenTime}
		if err != nil {
			v.detail = err.Error()
			v.kind = tsKind(err) + ":" + r.Rule
			switch {
			case errors.Is(err, verify.ErrTimestamp) && strings.Contains(r.Rule, "validity") && strings.Contains(err.Error(), "expired"):
				v.kind = "expired"
			case errors.Is(err, verify.ErrTimestamp) && strings.Contains(r.Rule, "validity"):
				v.kind = "not-yet-valid"
			case tsKind(err) == "malformed":
				v.kind = "malformed"
			}
		}
		return v
	}
	root, err1 := x509.ParseCertificate(c.root)
	leaf, err2 := x509.ParseCertificate(c.leaf)
	if err := errors.Join(err1, err2); err != nil {
		return tvVerdict{kind: "malformed", detail: "unparsed: " + err.Error()}
	}
	p := verify.Policy{Roots: []*x509.Certificate{root}, At: c.at}
	if c.crl != nil {
		l, err := x509.ParseRevocationList(c.crl)
		if err != nil {
			return tvVerdict{kind: "malformed", detail: "unparsed CRL: " + err.Error()}
		}
		p.CRLs, p.RequireCRL = []*x509.RevocationList{l}, true
	}
	if c.ocsp != nil {
		p.OCSP, p.RequireCRL = [][]byte{c.ocsp}, true
	}
	res, err := verify.Verify(leaf, nil, p)
	if err == nil {
		return tvVerdict{kind: "valid"}
	}
	var ve *verify.Error
	if !errors.As(err, &ve) || res == nil {
		t.Fatalf("%v: not a verdict: %v", c, err)
	}
	v := tvVerdict{kind: string(ve.Reason) + ":" + res.Rule, detail: err.Error()}
	for _, ch := range res.Checks {
		if ch.Status == verify.Fail {
			v.rules = append(v.rules, ch.Rule)
		}
	}
	switch {
	case res.Rule == "rfc5280.validity-encoding" || res.Rule == "rfc5280.crl-time-encoding":
		v.kind = "malformed"
	case ve.Reason == verify.Expired:
		v.kind = "expired"
	case ve.Reason == verify.NotYetValid:
		v.kind = "not-yet-valid"
	case ve.Reason == verify.Revoked:
		v.kind = "revoked"
	case res.Rule == "rfc5280.crl-expired" || res.Rule == "rfc5280.crl-not-yet-valid":
		v.kind = strings.TrimPrefix(res.Rule, "rfc5280.crl-")
	case res.Rule == "rfc6960.response" && strings.Contains(err.Error(), "cannot be read"):
		v.kind = "malformed"
	case res.Rule == "rfc6960.expired" || res.Rule == "rfc6960.not-yet-valid":
		v.kind = strings.TrimPrefix(res.Rule, "rfc6960.")
	}
	return v
}

var tvOSSLVerifyErr = regexp.MustCompile(`(?m)^error (\d+) at (\d+) depth lookup: (.*)$`)

// openssl judges the case; kind "" when openssl cannot be asked (a validation time it does
// not take).
func (c *tvCase) openssl(t *testing.T, bin string) tvVerdict {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	switch c.place {
	case "cms-signingTime":
		out, err := exec.Command(bin, "cms", "-cmsout", "-print", "-inform", "DER", "-in", write("sig.p7s", c.cms)).CombinedOutput()
		if err != nil {
			return tvVerdict{kind: "refused", detail: strings.TrimSpace(string(out))}
		}
		m := regexp.MustCompile(`(?s)object: signingTime.*?set:\s*\n\s*(UTCTIME|GENERALIZEDTIME):(.*?)\n`).FindSubmatch(out)
		if m == nil {
			return tvVerdict{kind: "valid", detail: "no signingTime printed"}
		}
		return tvVerdict{kind: "valid", detail: string(m[1]) + ":" + string(m[2]), time: tvOSSLTime(string(m[2]))}
	case "tst-genTime", "tst-genTime(notBefore)":
		out, err := exec.Command(bin, "ts", "-verify", "-token_in", "-in", write("tok.der", c.token), "-data", write("data", c.data),
			"-CAfile", dPEMtb(t, dir, "root.pem", c.tsaRoot), "-attime", fmt.Sprint(c.at.Unix())).CombinedOutput()
		if err == nil {
			return tvVerdict{kind: "valid"}
		}
		v := tvVerdict{kind: "refused", detail: strings.TrimSpace(string(out))}
		switch {
		case strings.Contains(string(out), "certificate has expired"):
			v.kind = "expired"
		case strings.Contains(string(out), "certificate is not yet valid"):
			v.kind = "not-yet-valid"
		}
		return v
	}
	if c.ocsp != nil {
		// openssl ocsp judges a response's times by the clock, not -attime: it is asked to
		// print them.
		out, err := exec.Command(bin, "ocsp", "-respin", write("resp.der", c.ocsp), "-resp_text", "-noverify").CombinedOutput()
		if err != nil {
			return tvVerdict{kind: "refused", detail: strings.TrimSpace(string(out))}
		}
		label := map[string]string{"ocsp-thisUpdate": "This Update", "ocsp-nextUpdate": "Next Update", "ocsp-producedAt": "Produced At"}[c.place]
		m := regexp.MustCompile(`(?m)^\s*` + label + `: (.*)$`).FindSubmatch(out)
		if m == nil {
			return tvVerdict{kind: "printed", detail: "no " + label}
		}
		return tvVerdict{kind: "printed", detail: label + ": " + string(m[1]), time: tvOSSLTime(string(m[1]))}
	}
	args := []string{"verify", "-x509_strict", "-attime", fmt.Sprint(c.at.Unix()), "-CAfile", dPEMtb(t, dir, "root.pem", c.root)}
	if c.crl != nil {
		args = append(args, "-crl_check", "-CRLfile", dPEM(t, dir, "crl.pem", "X509 CRL", c.crl))
	}
	args = append(args, dPEMtb(t, dir, "leaf.pem", c.leaf))
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err == nil {
		return tvVerdict{kind: "valid"}
	}
	m := tvOSSLVerifyErr.FindSubmatch(out)
	if m == nil {
		return tvVerdict{kind: "refused", detail: strings.TrimSpace(string(out))}
	}
	v := tvVerdict{kind: "error-" + string(m[1]), detail: string(m[0])}
	switch string(m[1]) {
	case "9", "11":
		v.kind = "not-yet-valid"
	case "10", "12":
		v.kind = "expired"
	case "13", "14", "15", "16":
		v.kind = "malformed"
	case "23":
		v.kind = "revoked"
	}
	return v
}

// tvOSSLTime reads a time as openssl prints it, "Jan  1 00:00:00 2026 GMT" (the year
// without leading zeros, a fraction after the seconds when there is one); zero when it is not
// one.
func tvOSSLTime(s string) time.Time {
	f := strings.Fields(s)
	if len(f) != 5 {
		return time.Time{}
	}
	f[3] = fmt.Sprintf("%04s", f[3])
	tm, err := time.Parse("Jan 2 15:04:05.999999999 2006 MST", strings.Join(f, " "))
	if err != nil {
		return time.Time{}
	}
	return tm
}

// tvExplanation is a difference from the RFCs' verdict or from openssl's that is understood.
type tvExplanation struct {
	name string
	why  string
	when func(c *tvCase, s, o tvVerdict) bool
	// accepts: the explanation covers signet accepting what the RFCs refuse (a time read at
	// the instant it names, never outside its window); none other may.
	accepts bool
}

// tvAgainstRFC are the signet verdicts other than the RFCs' that signet chose.
var tvAgainstRFC = []tvExplanation{
	{"window-first", "a validity time written as RFC 5280 forbids (an offset, no seconds) that also puts the validation time outside the window fails both checks; the verdict is the validity check's, which comes first (the report lists rfc5280.validity-encoding too)",
		func(c *tvCase, s, o tvVerdict) bool {
			return c.want == "malformed" && (s.kind == "expired" || s.kind == "not-yet-valid") &&
				slices.Contains(s.rules, "rfc5280.validity-encoding") && tvOutside(c)
		}, false},
}

// tvOutside reports whether the instant a certificate's time names (however written) puts the
// validation time outside the validity.
func tvOutside(c *tvCase) bool {
	switch {
	case c.enc.at.IsZero():
		return false
	case strings.HasSuffix(c.place, "notBefore"):
		return c.at.Before(c.enc.at)
	case strings.HasSuffix(c.place, "notAfter"):
		return c.at.After(c.enc.at)
	}
	return false
}

// tvAgainstOpenSSL are the differences from openssl that are understood.
var tvAgainstOpenSSL = []tvExplanation{
	{"openssl-notafter-exclusive", "openssl's X509_cmp_time counts the second of notAfter (and nextUpdate) as past ('wait a second then return younger'): at notAfter it says expired, where RFC 5280 4.1.2.5 and 5.1.2.5 include that second, as signet does",
		func(c *tvCase, s, o tvVerdict) bool {
			return c.delta == 0 && s.kind == "valid" && (o.kind == "expired") && c.enc.at.Equal(c.at)
		}, false},
	{"window-first", "openssl refuses the form of the time (X509_cmp_time: error 13, 14) before it compares; signet's validity check, which fails too, comes before its profile check of the form (rfc5280.validity-encoding, also in the report)",
		func(c *tvCase, s, o tvVerdict) bool {
			return o.kind == "malformed" && slices.Contains(s.rules, "rfc5280.validity-encoding")
		}, false},
	{"openssl-no-year-10000", "a validation time after 9999-12-31T23:59:59Z has no X.509 time: openssl's X509_cmp_time cannot write it and says the certificate's time is malformed (error 13); signet compares it and finds 99991231235959Z passed",
		func(c *tvCase, s, o tvVerdict) bool {
			return c.at.Year() > 9999 && o.kind == "malformed" && s.kind == "expired"
		}, false},
	{"openssl-ts-no-genTime-form", "openssl ts -verify does not read the genTime's form (it validates at -attime), so a genTime RFC 3161 2.4.2 forbids (offset, comma, trailing zeros, no Z) passes it; signet refuses it as malformed",
		func(c *tvCase, s, o tvVerdict) bool {
			return strings.HasPrefix(c.place, "tst-") && c.want == "malformed" && s.kind == "malformed"
		}, false},
	{"openssl-cms-prints-any", "openssl cms -cmsout -print prints any signingTime as the bytes say, a form RFC 5652 11.3 forbids too; signet refuses the signature as malformed",
		func(c *tvCase, s, o tvVerdict) bool {
			return c.place == "cms-signingTime" && c.want == "malformed" && s.kind == "malformed"
		}, false},
	{"openssl-revocationDate-unread", "openssl does not check the form of a CRL entry's revocationDate (it revokes whatever the date); signet refuses the CRL (rfc5280.crl-time-encoding)",
		func(c *tvCase, s, o tvVerdict) bool {
			return c.place == "crl-revocationDate" && c.want == "malformed" && s.kind == "malformed" && o.kind == "revoked"
		}, false},
}

// tvFind names the explanation of list that covers the case; against the RFCs, signet's
// acceptance only by one that says it accepts.
func tvFind(list []tvExplanation, c *tvCase, s, o tvVerdict, againstRFC bool) string {
	for _, e := range list {
		if e.when(c, s, o) && (!againstRFC || s.kind != "valid" || e.accepts) {
			return e.name
		}
	}
	return ""
}

// tvCheck holds one case's verdicts to the RFCs and to openssl; it returns the tally key or
// fails the test.
func tvCheck(t *testing.T, c *tvCase, s, o tvVerdict, haveOpenSSL bool) string {
	t.Helper()
	key := c.place + " " + c.want
	if s.kind != c.want {
		why := tvFind(tvAgainstRFC, c, s, o, true)
		if why == "" {
			t.Errorf("%v\n  signet: %s (%s)", c, s.kind, s.detail)
			return "FAIL"
		}
		key += " [" + why + "]"
	}
	// The time read is the time written.
	if s.kind == "valid" && (strings.HasPrefix(c.place, "tst-") || c.place == "cms-signingTime") && !s.time.Equal(c.enc.at) {
		t.Errorf("%v\n  signet read %s", c, s.time.Format(time.RFC3339Nano))
		return "FAIL"
	}
	if !haveOpenSSL {
		return key
	}
	if c.place == "cms-signingTime" && s.kind == "valid" && o.kind == "valid" && !o.time.Equal(s.time.Truncate(time.Second)) {
		t.Errorf("%v\n  signet read %s, openssl printed %s", c, s.time.Format(time.RFC3339Nano), o.detail)
		return "FAIL"
	}
	if strings.HasPrefix(c.place, "ocsp-") {
		// openssl printed the time: the instant it names, to the second, when signet read it.
		switch {
		case o.kind == "printed" && c.enc.kind == "gen-offset" && strings.HasSuffix(o.detail, "Bad time value") &&
			(strings.Contains(c.enc.raw, "+14") || strings.Contains(c.enc.raw, "-14")):
			// ossl_asn1_time_to_tm takes an offset of at most 12 hours; +1400 is a real
			// zone (Line Islands), and X.680 bounds it no lower.
			return key + " {openssl ocsp: no offset beyond 12 hours}"
		case o.kind == "printed" && s.kind != "malformed" && !o.time.Truncate(time.Second).Equal(c.enc.at.Truncate(time.Second)):
			t.Errorf("%v\n  signet: %s, openssl printed %s", c, s.kind, o.detail)
			return "FAIL"
		case o.kind == "refused" && s.kind != "malformed":
			t.Errorf("%v\n  signet: %s, openssl cannot read it: %s", c, s.kind, o.detail)
			return "FAIL"
		}
		return key + " {openssl ocsp " + o.kind + "}"
	}
	if o.kind != s.kind && !(c.place == "cms-signingTime" && o.kind == "valid" && s.kind == "valid") {
		why := tvFind(tvAgainstOpenSSL, c, s, o, false)
		if why == "" {
			t.Errorf("%v\n  signet: %s (%s)\n  openssl: %s (%s)", c, s.kind, s.detail, o.kind, o.detail)
			return "FAIL"
		}
		key += " {" + why + ": openssl " + o.kind + "}"
	}
	return key
}

func TestTVDifferential(t *testing.T) {
	openssl, _ := exec.LookPath("openssl")
	if openssl == "" {
		t.Log("openssl not found: signet held to the RFCs alone")
	}
	seeds := testutil.Seeds(t, "SIGNET_TV_SEEDS", 300)
	var tally testutil.Tally
	t.Run("seeds", func(t *testing.T) {
		for _, seed := range seeds {
			t.Run(fmt.Sprint(seed), func(t *testing.T) {
				t.Parallel()
				c := tvGenerate(seed)
				s := c.signet(t)
				var o tvVerdict
				if openssl != "" {
					o = c.openssl(t, openssl)
				}
				tally.Add(tvCheck(t, c, s, o, openssl != ""))
			})
		}
	})
	tally.Log(t, len(seeds))
}
