package verify_test

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// tmGenTime is a GeneralizedTime element holding s as written.
func tmGenTime(s string) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.GeneralizedTime, func(b *cryptobyte.Builder) { b.AddBytes([]byte(s)) })
	return b.BytesOrPanic()
}

// tmOCSPCase is the OCSP fix chain with one response about its leaf, judged by signet (and
// by openssl ocsp when there is one): the rule of the leaf's revocation check, "" passed.
func tmOCSPCase(t *testing.T, resp ocResp) (signet string, ossl ocVerdict) {
	t.Helper()
	root, inter, leaf, _ := ocFixChain()
	c := &ocCase{rx: &rxCase{roots: [][]byte{root.der}, inters: [][]byte{inter.der}, leaf: leaf}, at: ocNow,
		resps: [][]byte{resp.der()}, targets: []ocTarget{{name: "leaf", cert: leaf, issuer: inter.der, present: true}}}
	openssl, _ := exec.LookPath("openssl")
	v := c.run(t, openssl)
	o := v.targets[0]
	if o.signet != v.rule {
		t.Fatalf("the leaf's revocation %q, the chain %q", o.signet, v.rule)
	}
	return o.signet, o
}

// tmGoodResp is a good answer about the fix chain's leaf, signed by its issuer, current at
// ocNow.
func tmGoodResp() ocResp {
	_, inter, _, serial := ocFixChain()
	return ocResp{signer: inter.key, idName: inter.subj, producedAt: ocNow.Add(-time.Hour),
		singles: []ocSingle{{serial: serial, issuerName: inter.subj, issuerKey: inter.key, status: "good", reason: -1,
			this: ocNow.Add(-time.Hour), next: ocNow.Add(24 * time.Hour)}}}
}

// TestTMOCSPTimeFraction: DER lets a GeneralizedTime carry a fraction of a second (X.690
// 11.7: a "." point, no trailing zeros, Z), and openssl ocsp reads such a response. signet read
// the times with cryptobyte, which takes no fraction, so a response whose thisUpdate,
// nextUpdate, producedAt or revocationTime had one could not be read (rfc6960.response): a
// good answer settled nothing, and a revoked one revoked nothing it could name. The times are
// read strictly still: a comma, trailing zeros, an empty fraction, a time zone offset or no Z
// are not DER, and the response cannot be read.
func TestTMOCSPTimeFraction(t *testing.T) {
	g := func(d time.Duration, frac string) []byte {
		return tmGenTime(ocNow.Add(d).Format("20060102150405") + frac)
	}
	for _, tc := range []struct {
		name string
		set  func(*ocResp)
		want string
	}{
		{"thisUpdate .5", func(o *ocResp) { o.singles[0].thisRaw = g(-time.Hour, ".5Z") }, ""},
		{"nextUpdate .123456789", func(o *ocResp) { o.singles[0].nextRaw = g(24*time.Hour, ".123456789Z") }, ""},
		{"producedAt .001", func(o *ocResp) { o.producedRaw = g(-time.Hour, ".001Z") }, ""},
		{"nextUpdate passed by its fraction", func(o *ocResp) {
			o.singles[0].nextRaw = tmGenTime(ocNow.Add(-time.Second).Format("20060102150405") + ".999Z")
		}, "rfc6960.expired"},
		{"revoked at .25", func(o *ocResp) {
			o.singles[0].status, o.singles[0].revokedRaw = "revoked", g(-2*time.Hour, ".25Z")
		}, "rfc6960.revoked"},
		{"thisUpdate comma", func(o *ocResp) { o.singles[0].thisRaw = g(-time.Hour, ",5Z") }, "rfc6960.response"},
		{"thisUpdate trailing zero", func(o *ocResp) { o.singles[0].thisRaw = g(-time.Hour, ".50Z") }, "rfc6960.response"},
		{"thisUpdate zero fraction", func(o *ocResp) { o.singles[0].thisRaw = g(-time.Hour, ".0Z") }, "rfc6960.response"},
		{"thisUpdate empty fraction", func(o *ocResp) { o.singles[0].thisRaw = g(-time.Hour, ".Z") }, "rfc6960.response"},
		{"thisUpdate offset", func(o *ocResp) {
			o.singles[0].thisRaw = tmGenTime(ocNow.Add(-time.Hour).In(time.FixedZone("", 3600)).Format("20060102150405-0700"))
		}, "rfc6960.response"},
		{"thisUpdate +0000", func(o *ocResp) { o.singles[0].thisRaw = g(-time.Hour, "+0000") }, "rfc6960.response"},
		{"thisUpdate no Z", func(o *ocResp) { o.singles[0].thisRaw = g(-time.Hour, "") }, "rfc6960.response"},
		{"thisUpdate lower z", func(o *ocResp) { o.singles[0].thisRaw = g(-time.Hour, "z") }, "rfc6960.response"},
		{"nextUpdate no seconds", func(o *ocResp) {
			o.singles[0].nextRaw = tmGenTime(ocNow.Add(24*time.Hour).Format("200601021504") + "Z")
		}, "rfc6960.response"},
		{"producedAt offset", func(o *ocResp) { o.producedRaw = g(-time.Hour, "+0100") }, "rfc6960.response"},
		{"producedAt comma", func(o *ocResp) { o.producedRaw = g(-time.Hour, ",5Z") }, "rfc6960.response"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tmGoodResp()
			tc.set(&o)
			got, ov := tmOCSPCase(t, o)
			if got != tc.want {
				t.Errorf("signet: %q, want %q", got, tc.want)
			}
			// openssl ocsp reads the response: its signature verifies, and it finds the
			// answer. Its verdict on the times may be "nextupdate before thisupdate" when
			// only thisUpdate has a fraction: OCSP_check_validity compares the two times
			// with ASN1_STRING_cmp, which orders the shorter string first.
			if tc.want == "" && ov.ossl != "" && ov.ossl != "ok" &&
				!(ov.ossl == "times" && strings.Contains(ov.osslText, "nextupdate before thisupdate") && o.singles[0].thisRaw != nil) {
				t.Errorf("openssl ocsp: %s (%s), want ok", ov.ossl, ov.osslText)
			}
			if tc.want == "rfc6960.revoked" && ov.ossl != "" && ov.ossl != "revoked" {
				t.Errorf("openssl ocsp: %s (%s), want revoked", ov.ossl, ov.osslText)
			}
		})
	}
}

// TestTMOCSPProducedAt: producedAt is when the responder signed (RFC 6960 4.2.1), and signet
// skipped it unread. A response signed after the validation time (beyond the 5-minute skew
// thisUpdate is allowed) did not exist then; one signed after its answer's nextUpdate gave a
// status the responder knew was stale; one signed before its thisUpdate vouches for a time to
// come, when a revocation could have happened. Each settled the leaf's status as good, as it
// does for openssl ocsp, which never compares producedAt; signet refuses each
// (rfc6960.produced-at). A producedAt a minute before thisUpdate passes: responders write
// producedAt to the minute (golang.org/x/crypto/ocsp truncates it).
func TestTMOCSPProducedAt(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		produced, this, next time.Duration // after ocNow, the validation time
		want                 string
	}{
		{"when thisUpdate", -time.Hour, -time.Hour, 24 * time.Hour, ""},
		{"after thisUpdate", -10 * time.Minute, -time.Hour, 24 * time.Hour, ""},
		{"a minute before thisUpdate", -61 * time.Minute, -time.Hour, 24 * time.Hour, ""},
		{"in the skew of the validation time", 4 * time.Minute, -time.Hour, 24 * time.Hour, ""},
		{"after the validation time", time.Hour, -time.Hour, 24 * time.Hour, "rfc6960.produced-at"},
		{"a day after the validation time", 24 * time.Hour, -time.Hour, 48 * time.Hour, "rfc6960.produced-at"},
		{"after nextUpdate", 3 * time.Minute, -time.Hour, time.Minute, "rfc6960.produced-at"},
		{"two hours before thisUpdate", -3 * time.Hour, -time.Hour, 24 * time.Hour, "rfc6960.produced-at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tmGoodResp()
			o.producedAt = ocNow.Add(tc.produced)
			o.singles[0].this, o.singles[0].next = ocNow.Add(tc.this), ocNow.Add(tc.next)
			got, ov := tmOCSPCase(t, o)
			if got != tc.want {
				t.Errorf("signet: %q, want %q", got, tc.want)
			}
			if ov.ossl != "" && ov.ossl != "ok" {
				t.Errorf("openssl ocsp: %s (%s), want ok", ov.ossl, ov.osslText)
			}
		})
	}
}
