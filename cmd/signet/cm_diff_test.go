package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// The CMS campaign: every seed's signature (cm_gen_test.go), made by `openssl cms -sign` and
// perhaps tampered with, is judged by `signet verify --json --roots ROOT` (in process, with
// its real exit code) and by `openssl cms -verify -binary -content FILE -CAfile ROOT -purpose
// any`. signet's exit code must be one the drawn faults say (cmFaultCodes: a malformed
// signature is 3 before anything else is judged), its --json reason the one of that class,
// and openssl must refuse what both must refuse. Where the two differ, the difference is one
// of cmWhys, each from an RFC or a rule the README documents; a case where signet accepts
// and openssl refuses is a fail-open until explained.
//
// CI runs cmPinnedSeeds; SIGNET_CM_SEEDS=FROM-TO runs those instead (go test ./cmd/signet
// -run TestCMSCampaign -v; each seed is one openssl sign, one signet and one openssl verify).

const cmPinnedSeeds = 80

// cmReasons are the --json reasons each fault's exit code may come with.
func cmReasons() map[cmFault][]string {
	return map[cmFault][]string{
		cmMalformed: {"unchecked"}, cmTwoSigners: {"unchecked"}, cmSigAlgHash: {"unchecked"}, cmContentType: {"unchecked"},
		cmAttached: {"unchecked"}, cmDigestAlgs: {"unchecked"}, cmCASigner: {"constraint"}, cmTrailing: {"unchecked"}, cmCritExt: {"malformed", "constraint"},
		cmMismatch: {"digest-mismatch", "signature-mismatch"}, cmSignerUnkn: {"signer-not-found"},
		cmUntrusted: {"unknown-authority"}, cmValidity: {"expired", "not-yet-valid"},
		cmPolicy: {"eku", "key-usage"}, cmWeak: {"weak-algorithm"},
	}
}

// cmChainReasons are the reasons of a chain's refusal (verify.Verify's), which name the rule
// broken; the others (digest, signature, a malformed signature, an unknown signer, a weak
// hash) name none.
func cmChainReasons() map[string]bool {
	return map[string]bool{"unknown-authority": true, "expired": true, "not-yet-valid": true,
		"eku": true, "key-usage": true, "constraint": true, "malformed": true}
}

// cmWhys are the faults openssl does not refuse, and why signet does.
func cmWhys() map[cmFault]string {
	return map[cmFault]string{
		cmTrailing: "a signature file is one ContentInfo: signet refuses bytes after it as malformed (README 'Signature formats'), " +
			"where openssl reads the first element and ignores the rest",
		cmCASigner: "README: 'A CA certificate is never accepted as a signer, whatever --eku says (reason constraint, exit 11)'; " +
			"openssl -purpose any takes any certificate as a signer",
		cmPolicy: "signet requires key usage digitalSignature and EKU codeSigning of an artifact's signer (README: " +
			"'The signer's own certificate must assert codeSigning'); openssl -purpose any checks neither",
		cmWeak: "signet refuses SHA-1 (README: 'SHA-1 and MD5 are refused (reason weak-algorithm, exit 14)'); " +
			"openssl 3.0 accepts SHA-1 in CMS at its default security level",
		cmTwoSigners: "signet reads CMS with one signer (README 'Signature formats'): a second signer is refused as malformed, " +
			"where openssl verifies every signer",
		cmSigAlgHash: "signet holds a SignerInfo to what it says of itself (README: a signatureAlgorithm naming another hash than " +
			"the digestAlgorithm is malformed, exit 3); openssl verifies with the digestAlgorithm and ignores the hash the OID names",
		cmAttached: "signet reads detached signatures only (README 'Signature formats'); openssl -stream -outform DER embeds " +
			"the content, and openssl -verify -content checks the file given in its place",
		cmContentType: "RFC 5652 5.3 and 11.1: the contentType attribute must be the eContentType, and signet reads only " +
			"id-data (a file's signature; README 'Signature formats'); openssl does not compare them over detached content",
	}
}

type cmVerdict struct {
	code     int
	valid    bool
	reason   string
	rule     string // the rule id a chain's refusal names
	errText  string
	ossl     bool // openssl -verify succeeded
	osslLine string
}

func (c *cmCase) judge(t *testing.T, openssl string, p *cmPKI) (v cmVerdict, ok bool, why string) {
	dir := t.TempDir()
	f, ok, why := c.build(t, openssl, p, dir)
	if !ok {
		return v, false, why
	}
	args := []string{"verify", "--json", "--roots", p.rootPEM, "--sig", f.sig}
	if c.bareKey {
		args = []string{"verify", "--json", "--key", f.leaf, "--sig", f.sig}
	}
	if f.verifyCerts != "" && !c.bareKey {
		args = append(args, "--intermediates", f.verifyCerts)
	}
	stdout, stderr, code := runSignet(t, "", append(args, f.content)...)
	v.code = code
	var rep struct {
		Artifacts []struct {
			Valid  bool   `json:"valid"`
			Reason string `json:"reason"`
			Rule   string `json:"rule"`
			Error  string `json:"error"`
		} `json:"artifacts"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || len(rep.Artifacts) != 1 {
		cmFatalf("%v: signet's --json: %v\n%s\n%s", c, err, stdout, stderr)
	}
	a := rep.Artifacts[0]
	v.valid, v.reason, v.rule, v.errText = a.Valid, a.Reason, a.Rule, a.Error
	form := "DER"
	if c.pemOut {
		form = "PEM"
	}
	// openssl 3.0 cms -verify searches -certfile for the signer's certificate only: it builds
	// the chain with the certificates the signature carries (CMS_verify) and has no
	// -untrusted. An intermediate given apart (signet's --intermediates) is in its -CAfile.
	caFile := p.rootPEM
	if c.giveInt {
		caFile = p.rootAndInt
	}
	oargs := []string{"cms", "-verify", "-binary", "-inform", form, "-in", f.sig, "-content", f.content,
		"-CAfile", caFile, "-purpose", "any", "-out", filepath.Join(dir, "out")}
	if f.verifyCerts != "" {
		oargs = append(oargs, "-certfile", f.verifyCerts)
	}
	if c.bareKey {
		oargs = append(oargs, "-noverify") // the signature alone, as signet's --key
		if c.noLeaf {
			oargs = append(oargs, "-certfile", f.leaf)
		}
	}
	out, err := cmRun(openssl, oargs...)
	v.ossl = err == nil
	v.osslLine = strings.Join(strings.Split(strings.TrimSpace(out), "\n"), " | ")
	return v, true, ""
}

// judgeOrAbort is judge, with a cmFatalf's message in abort.
func (c *cmCase) judgeOrAbort(t *testing.T, openssl string, p *cmPKI) (v cmVerdict, ok bool, why, abort string) {
	defer func() {
		if r := recover(); r != nil {
			a, isAbort := r.(cmAbort)
			if !isAbort {
				panic(r)
			}
			abort = a.msg
		}
	}()
	v, ok, why = c.judge(t, openssl, p)
	return v, ok, why, ""
}

// problems are what is wrong with a case's verdicts, none when they hold.
func (c *cmCase) problems(v cmVerdict) []string {
	var out []string
	allowed := map[int]bool{}
	reasons := map[string]bool{}
	mustBe3 := false
	for _, f := range c.faults {
		allowed[cmFaultCodes()[f]] = true
		for _, r := range cmReasons()[f] {
			reasons[r] = true
		}
		if cmFaultCodes()[f] == exitBadInput {
			mustBe3 = true
		}
	}
	switch {
	case len(c.faults) == 0 && (v.code != 0 || !v.valid):
		out = append(out, fmt.Sprintf("signet refused a valid signature: exit %d, %s: %s", v.code, v.reason, v.errText))
	case len(c.faults) > 0 && (v.code == 0 || v.valid):
		out = append(out, "FAIL-OPEN: signet accepted a signature it must refuse")
	case len(c.faults) > 0 && mustBe3 && v.code != exitBadInput:
		out = append(out, fmt.Sprintf("signet's exit %d (%s: %s), want 3: the signature is malformed", v.code, v.reason, v.errText))
	case len(c.faults) > 0 && !allowed[v.code]:
		out = append(out, fmt.Sprintf("signet's exit %d (%s: %s) is none of the faults' codes", v.code, v.reason, v.errText))
	case len(c.faults) > 0 && !reasons[v.reason]:
		out = append(out, fmt.Sprintf("signet's reason %q (exit %d: %s) is none of the faults' reasons", v.reason, v.code, v.errText))
	case cmChainReasons()[v.reason] && v.rule == "":
		out = append(out, fmt.Sprintf("signet's refusal of the chain (%s: %s) names no rule in --json", v.reason, v.errText))
	case !cmChainReasons()[v.reason] && v.rule != "":
		out = append(out, fmt.Sprintf("signet's refusal %s (%s) names rule %q, though no chain rule failed", v.reason, v.errText, v.rule))
	}
	if v.ossl == (len(c.faults) == 0) {
		return out
	}
	if v.ossl {
		// openssl accepted: every fault must be one signet alone refuses, for a reason.
		for _, f := range c.faults {
			if cmWhys()[f] == "" {
				out = append(out, fmt.Sprintf("openssl accepted a signature with fault %s", f))
			}
		}
		return out
	}
	if c.bareKey && (c.tamper == "twin-cert" && strings.Contains(v.osslLine, "verification failure") ||
		c.tamper == "sid" && strings.Contains(v.osslLine, "signer certificate not found")) {
		// signet's --key checks the signature with the key given, whatever the signature
		// carries or names (README: '--key CERT checks the signature alone'); openssl
		// -noverify still takes the signer's certificate its identifier names: the twin, whose
		// key fails the signature, or none. openssl's refusal must be that one: another would
		// be a fault of the signature signet's acceptance must answer for.
		return out
	}
	out = append(out, "openssl refused a signature with no fault: "+v.osslLine)
	return out
}

func cmSeeds(t *testing.T) (int64, int64) {
	env := os.Getenv("SIGNET_CM_SEEDS")
	if env == "" {
		return 0, cmPinnedSeeds
	}
	a, b, ok := strings.Cut(env, "-")
	from, err1 := strconv.ParseInt(a, 10, 64)
	to, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || to <= from {
		t.Fatalf("SIGNET_CM_SEEDS=%q: want FROM-TO", env)
	}
	return from, to
}

func TestCMSCampaign(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	p := cmGetPKI(t)
	from, to := cmSeeds(t)
	var mu sync.Mutex
	var failures []string
	skipped, faulted, accepted := map[string]int{}, 0, 0
	tally := map[string]int{} // tamper, signet's exit, openssl's verdict
	seeds := make(chan int64)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seed := range seeds {
				c := cmDraw(seed)
				v, ok, why, abort := c.judgeOrAbort(t, openssl, p)
				mu.Lock()
				if abort != "" {
					failures = append(failures, fmt.Sprintf("%v\n\tnot judged: %s", c, abort))
					mu.Unlock()
					continue
				}
				switch {
				case !ok:
					skipped[why]++
					if len(skipped) < 3 {
						t.Logf("openssl would not sign %v", c)
					}
				default:
					tally[fmt.Sprintf("tamper %-15s signet %2d openssl %v", c.tamper, v.code, v.ossl)]++
					tally[fmt.Sprintf("leaf %-10s signet %2d %-17s openssl %v", c.leaf, v.code, v.reason, v.ossl)]++
					if len(c.faults) > 0 {
						faulted++
					} else {
						accepted++
					}
					for _, pr := range c.problems(v) {
						failures = append(failures, fmt.Sprintf("%v\n\t%s\n\tsignet: exit %d %s: %s\n\topenssl: %v %s",
							c, pr, v.code, v.reason, v.errText, v.ossl, v.osslLine))
					}
				}
				mu.Unlock()
			}
		}()
	}
	for s := from; s < to; s++ {
		seeds <- s
	}
	close(seeds)
	wg.Wait()
	slices.Sort(failures)
	for _, f := range failures {
		t.Error(f)
	}
	t.Logf("seeds %d-%d: %d valid, %d with faults, %d openssl would not sign", from, to, accepted, faulted, len(skipped))
	if testing.Verbose() {
		keys := slices.Sorted(maps.Keys(tally))
		for _, k := range keys {
			t.Logf("%5d %s", tally[k], k)
		}
	}
	for why, n := range skipped {
		t.Logf("openssl would not sign (%d): %s", n, why)
	}
}
