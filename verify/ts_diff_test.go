package verify_test

import (
	"crypto"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/signet-pki/signet/timestamp"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// The time-stamp campaign: every seed's TSA and token (ts_gen_test.go) are judged by signet
// as `signet ts verify TOKEN --data FILE | --digest HEX --tsa-roots ROOT` judges them
// (verify.VerifyTimestamp), and by `openssl ts -verify [-token_in] -in TOKEN -data FILE |
// -digest HEX -CAfile ROOT -attime GENTIME` (the chain judged at genTime, as signet judges
// it), and, where a request was answered, by `openssl ts -verify -queryfile`. Tokens are made
// by the generator, by signet's Authority (`signet tsa serve`) and by `openssl ts -reply`:
// signet-made tokens go to openssl and openssl-made ones to signet. Every disagreement is
// explained below (tsWhys) or was a signet fault, fixed (ts_fixes_test.go).

// tsVerdicts are the answers on one case.
type tsVerdicts struct {
	signet    string // "" valid, else the kind of refusal (tsKind)
	signetErr string
	report    verify.TimestampReport
	ossl      string // "ok", or openssl's first error (function:reason); "" not run
	osslLine  string
	osslQuery string // with -queryfile, "" not run
}

// tsKind names signet's refusal by its sentinel.
func tsKind(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, timestamp.ErrRejected):
		return "rejected"
	case errors.Is(err, timestamp.ErrMalformed):
		return "malformed"
	case errors.Is(err, timestamp.ErrUnsupported):
		return "unsupported"
	case errors.Is(err, timestamp.ErrNotTSACertificate):
		return "not-tsa-cert"
	case errors.Is(err, timestamp.ErrMismatch):
		return "mismatch"
	case errors.Is(err, timestamp.ErrInvalid):
		return "invalid"
	case errors.Is(err, verify.ErrTimestamp):
		return "chain"
	}
	return "other"
}

var tsOSSLErr = regexp.MustCompile(`routines:([a-zA-Z0-9_]+):([^:\n]+)`)

// tsOpenSSLReply makes the token of an openssl case with openssl ts -reply; false when
// openssl refuses to make it.
func (c *tsCase) opensslReply(t testing.TB, bin, dir string) bool {
	o := c.osslConf
	tsaPEM := dPEMtb(t, dir, "tsa.pem", c.tsa)
	keyDER, err := x509.MarshalPKCS8PrivateKey(c.tsaKey)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "tsa.key")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	var conf strings.Builder
	fmt.Fprintf(&conf, "[ tsa ]\ndefault_tsa = tsa1\n[ tsa1 ]\nserial = %s/serial\ncrypto_device = builtin\n", dir)
	fmt.Fprintf(&conf, "signer_cert = %s\nsigner_key = %s\nsigner_digest = %s\n", tsaPEM, keyFile, o.signerDigest)
	if o.chain {
		fmt.Fprintf(&conf, "certs = %s\n", dPEMtb(t, dir, "chain.pem", c.inter))
	}
	fmt.Fprintf(&conf, "default_policy = %s\nother_policies = %s\ndigests = sha1, sha256, sha384, sha512\n", o.policy, tsPolicyB)
	if o.accuracy != "" {
		fmt.Fprintf(&conf, "accuracy = %s\n", o.accuracy)
	}
	fmt.Fprintf(&conf, "clock_precision_digits = 0\nordering = %s\ntsa_name = %s\ness_cert_id_chain = %s\ness_cert_id_alg = %s\n",
		yesNo(o.ordering), yesNo(o.tsaName), yesNo(o.essChain), o.essAlg)
	cfg := filepath.Join(dir, "tsa.cnf")
	if err := os.WriteFile(cfg, []byte(conf.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "serial"), []byte("01\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	req := filepath.Join(dir, "answered.tsq")
	if err := os.WriteFile(req, tsMust(o.request.Marshal()), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "reply.tsr")
	args := []string{"ts", "-reply", "-config", cfg, "-queryfile", req, "-out", out}
	if o.tokenOut {
		args = append(args, "-token_out")
	}
	if b, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Logf("seed %d: openssl ts -reply: %v\n%s", c.seed, err, b)
		return false
	}
	c.token, c.resp = tsMust(os.ReadFile(out)), !o.tokenOut
	if !o.tokenOut {
		// openssl answers a request it cannot grant with a rejection, exit 0.
		if _, err := timestamp.ParseResponse(c.token); errors.Is(err, timestamp.ErrRejected) {
			c.feats = append(c.feats, "openssl-rejected")
		}
	}
	return true
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// run judges the case; ok is false when openssl was to make the token and did not.
func (c *tsCase) run(t testing.TB, openssl string) (v tsVerdicts, ok bool) {
	dir := t.TempDir()
	if c.maker == "openssl" {
		if openssl == "" || !c.opensslReply(t, openssl, dir) {
			return v, false
		}
	}
	root := tsMust(x509util.ParseCertificate(c.root))
	covered, d := c.data, []byte(nil)
	if c.digest {
		covered, d = nil, c.want
	}
	r, err := verify.VerifyTimestamp(c.token, covered, d, []*x509.Certificate{root})
	v.signet, v.report = tsKind(err), r
	if err != nil {
		v.signetErr = err.Error()
	}
	if openssl == "" {
		return v, true
	}
	tok := filepath.Join(dir, "token.der")
	if err := os.WriteFile(tok, c.token, 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"ts", "-verify", "-in", tok, "-CAfile", dPEMtb(t, dir, "root.pem", c.root), "-attime", fmt.Sprint(c.genTime.Unix())}
	if !c.resp {
		base = append(base, "-token_in")
	}
	args := base
	if c.digest {
		args = append(args, "-digest", hex.EncodeToString(c.want))
	} else {
		data := filepath.Join(dir, "data")
		if err := os.WriteFile(data, c.data, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-data", data)
	}
	v.ossl, v.osslLine = tsOpenSSL(openssl, args)
	if c.query != nil {
		q := filepath.Join(dir, "query.tsq")
		if err := os.WriteFile(q, c.query, 0o600); err != nil {
			t.Fatal(err)
		}
		v.osslQuery, _ = tsOpenSSL(openssl, append(base, "-queryfile", q))
	}
	return v, true
}

func tsOpenSSL(bin string, args []string) (string, string) {
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err == nil && strings.Contains(string(out), "Verification: OK") {
		return "ok", ""
	}
	m := tsOSSLErr.FindAllStringSubmatch(string(out), -1)
	if len(m) == 0 {
		return "unparsed", strings.TrimSpace(string(out))
	}
	// The first error is the cause; ts_ prefixes name where openssl looked.
	return m[0][1] + ":" + strings.TrimSpace(m[0][2]), strings.TrimSpace(string(out))
}

// tsWhy explains one kind of disagreement: why signet accepts what openssl refuses, or
// refuses what openssl accepts.
type tsWhy struct {
	name string
	why  string
	// match reports whether the explanation holds for the case and its verdicts.
	match func(c *tsCase, v tsVerdicts) bool
}

// tsExplain returns the explanation of a disagreement, nil when there is none.
func tsExplain(c *tsCase, v tsVerdicts) *tsWhy {
	for i := range tsWhys {
		if tsWhys[i].match(c, v) {
			return &tsWhys[i]
		}
	}
	return nil
}

var tsWhys = []tsWhy{}

// tsHash names a crypto.Hash for the explanations.
func tsHash(h crypto.Hash) string { return strings.ToLower(strings.ReplaceAll(h.String(), "-", "")) }

// TestTSExplore prints the disagreements of the seeds of TS_SEEDS, grouped (a tool for the
// campaign, skipped without TS_EXPLORE).
func TestTSExplore(t *testing.T) {
	if os.Getenv("TS_EXPLORE") == "" {
		t.Skip("set TS_EXPLORE=1 (and TS_SEEDS=first:count)")
	}
	openssl := campaignOpenSSL(t)
	rxExploreSeeds(t, seedRange(t, "TS_SEEDS", 300), 2, 8, func(s int64) (key, line string) {
		c := tsGenerate(s)
		v, ok := c.run(t, openssl)
		if !ok {
			return "not made by openssl", c.String()
		}
		line = fmt.Sprintf("%s\n      signet=%s %s\n      ossl=%s query=%s", c, v.signet, v.signetErr, v.ossl, v.osslQuery)
		if (v.signet == "") != (v.ossl == "ok") && tsExplain(c, v) == nil {
			key = fmt.Sprintf("maker=%s signet=%q ossl=%s", c.maker, v.signet, v.ossl)
		} else if os.Getenv("TS_EXPLORE") == "all" {
			key = fmt.Sprintf("AGREE maker=%s signet=%q ossl=%s", c.maker, v.signet, v.ossl)
		}
		return key, line
	})
}
