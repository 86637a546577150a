package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/verify"
)

// certPKI is the fixture PKI (testdata/pki/README.md); certAt is its pinned validation time.
const (
	certPKI    = "../../testdata/pki"
	certAt     = "2026-06-01T00:00:00Z"
	certAtUnix = "1780272000"
)

func certRun(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(append([]string{"signet"}, args...), strings.NewReader(""), &o, &e)
	return code, o.String(), e.String()
}

func certFixture(name string) string { return filepath.Join(certPKI, name) }

// certAgreeCase is one fixture verified by both signet and openssl under the same policy.
type certAgreeCase struct {
	name     string
	leaf     string
	roots    []string // default root-ca.pem
	inters   []string // default int-ca.pem; "-" for none
	eku      string   // serverAuth, clientAuth, emailProtection, codeSigning, any, or ""
	host, ip string
	email    string
	crls     []string
	crlAll   bool // CRLs for the whole chain: openssl -crl_check_all (else -crl_check)
	maxDepth *int // nil: no limit
	partial  bool // trust anchor is not self-signed: openssl needs -partial_chain
	valid    bool
	reason   verify.Reason // signet's reason when not valid
}

// TestCertVerifyAgreesWithOpenSSL runs `signet cert verify` and `openssl verify` on every
// fixture of testdata/pki, valid and invalid, and requires the same verdict. openssl runs
// with -x509_strict, so its RFC 5280 checks are compared with signet's added rules.
//
// openssl 3.0 has no code-signing purpose (3.4 adds "codesign"). Where it lacks one, the
// openssl verdict for --eku codeSigning is `openssl verify -purpose any` and the leaf's
// extendedKeyUsage and keyUsage as `openssl x509 -ext` prints them: codeSigning (or no EKU)
// and digitalSignature (or no key usage), which signet is asked for with --key-usage.
func TestCertVerifyAgreesWithOpenSSL(t *testing.T) {
	t.Parallel()
	openssl := testutil.RequireTool(t, "openssl")
	help, _, _ := testutil.RunErr(openssl, "verify", "-help")
	hasCodesign := bytes.Contains(help, []byte("codesign"))

	tests := []certAgreeCase{
		{name: "server host", leaf: "server.pem", eku: "serverAuth", host: "server.example.com", valid: true},
		{name: "server second name", leaf: "server.pem", eku: "serverAuth", host: "www.example.com", valid: true},
		{name: "server IP", leaf: "server.pem", eku: "serverAuth", ip: "192.0.2.10", valid: true},
		{name: "server other host", leaf: "server.pem", eku: "serverAuth", host: "other.example.com", reason: verify.NameMismatch},
		{name: "server other IP", leaf: "server.pem", eku: "serverAuth", ip: "192.0.2.99", reason: verify.NameMismatch},
		{name: "server chain file", leaf: "server-chain.pem", inters: []string{"-"}, eku: "serverAuth", host: "server.example.com", valid: true},
		{name: "server without its intermediate", leaf: "server.pem", inters: []string{"-"}, reason: verify.UnknownAuthority},
		{name: "impostor root", leaf: "server.pem", roots: []string{"impostor-root.pem"}, reason: verify.UnknownAuthority},
		{name: "intermediate as trust anchor", leaf: "server.pem", roots: []string{"int-ca.pem"}, inters: []string{"-"}, partial: true, valid: true},
		{name: "root verifies itself", leaf: "root-ca.pem", inters: []string{"-"}, valid: true},
		{name: "self-signed impostor intermediate", leaf: "int-impostor.pem", inters: []string{"-"}, reason: verify.UnknownAuthority},
		{name: "client", leaf: "client.pem", eku: "clientAuth", valid: true},
		{name: "client as server", leaf: "client.pem", eku: "serverAuth", reason: verify.EKU},
		{name: "email", leaf: "email.pem", eku: "emailProtection", email: "alice@example.com", valid: true},
		{name: "email other address", leaf: "email.pem", eku: "emailProtection", email: "bob@example.com", reason: verify.NameMismatch},
		{name: "code signing P-256", leaf: "codesign.pem", eku: "codeSigning", valid: true},
		{name: "code signing RSA", leaf: "codesign-rsa.pem", eku: "codeSigning", valid: true},
		{name: "code signing Ed25519", leaf: "codesign-ed25519.pem", eku: "codeSigning", valid: true},
		{name: "code signing any purpose", leaf: "codesign.pem", eku: "any", valid: true},
		{name: "code signing without digitalSignature", leaf: "codesign-nods.pem", eku: "codeSigning", reason: verify.KeyUsage},
		{name: "server certificate for code signing", leaf: "wrong-eku.pem", eku: "codeSigning", reason: verify.EKU},
		{name: "server certificate for its host", leaf: "wrong-eku.pem", eku: "serverAuth", host: "wrong-eku.example.com", valid: true},
		{name: "expired", leaf: "expired.pem", reason: verify.Expired},
		{name: "not yet valid", leaf: "not-yet-valid.pem", reason: verify.NotYetValid},
		{name: "revoked", leaf: "revoked.pem", eku: "codeSigning", crls: []string{"int-ca.crl"}, reason: verify.Revoked},
		{name: "revoked but no CRL given", leaf: "revoked.pem", valid: true},
		{name: "CRL current", leaf: "codesign.pem", crls: []string{"int-ca.crl"}, valid: true},
		{name: "CRL required and missing", leaf: "codesign.pem", crls: []string{}, reason: verify.CRLMissing},
		{name: "CRL stale", leaf: "codesign.pem", crls: []string{"int-ca-stale.crl"}, reason: verify.CRLInvalid},
		{name: "CRL not yet valid", leaf: "codesign.pem", crls: []string{"int-ca-future.crl"}, reason: verify.CRLInvalid},
		{name: "CRL signed by another key", leaf: "codesign.pem", crls: []string{"int-ca-wrongkey.crl"}, reason: verify.CRLInvalid},
		{name: "CRL critical extension", leaf: "codesign.pem", crls: []string{"int-ca-critext.crl"}, reason: verify.CRLInvalid},
		{name: "CRL issuer without cRLSign", leaf: "nc-ok.pem", inters: []string{"nc-ca.pem"}, crls: []string{"nc-ca.crl"}, reason: verify.CRLInvalid},
		{name: "revoked intermediate", leaf: "revoked-ca-leaf.pem", inters: []string{"revoked-ca.pem"}, crls: []string{"root-ca.crl", "revoked-ca.crl"}, crlAll: true, reason: verify.Revoked},
		{name: "revoked intermediate, no CRL", leaf: "revoked-ca-leaf.pem", inters: []string{"revoked-ca.pem"}, valid: true},
		{name: "name constraints inside", leaf: "nc-ok.pem", inters: []string{"nc-ca.pem"}, eku: "serverAuth", host: "app.nc.example.com", valid: true},
		{name: "name constraints outside", leaf: "nc-bad.pem", inters: []string{"nc-ca.pem"}, reason: verify.Constraint},
		{name: "CA without keyCertSign", leaf: "nokcs-leaf.pem", inters: []string{"nokcs-ca.pem"}, reason: verify.Constraint},
		{name: "version 1 intermediate", leaf: "v1-leaf.pem", inters: []string{"v1-ca.pem"}, reason: verify.Constraint},
		{name: "expired intermediate", leaf: "expired-ca-leaf.pem", inters: []string{"expired-ca.pem"}, reason: verify.Expired},
		{name: "CA restricted to serverAuth, leaf for clientAuth", leaf: "eku-ca-leaf.pem", inters: []string{"eku-ca.pem"}, eku: "clientAuth", reason: verify.EKU},
		{name: "CA restricted to serverAuth, no purpose", leaf: "eku-ca-leaf.pem", inters: []string{"eku-ca.pem"}, valid: true},
		{name: "two intermediates", leaf: "deep-leaf.pem", inters: []string{"mid-ca.pem", "issuing-ca.pem"}, eku: "serverAuth", host: "deep.example.com", valid: true},
		{name: "two intermediates, depth 1", leaf: "deep-leaf.pem", inters: []string{"mid-ca.pem", "issuing-ca.pem"}, maxDepth: new(1), reason: verify.Depth},
		{name: "two intermediates, depth 2", leaf: "deep-leaf.pem", inters: []string{"mid-ca.pem", "issuing-ca.pem"}, maxDepth: new(2), valid: true},
		{name: "one intermediate, depth 0", leaf: "server.pem", maxDepth: new(0), reason: verify.Depth},
		{name: "two intermediates, every CRL", leaf: "deep-leaf.pem", inters: []string{"mid-ca.pem", "issuing-ca.pem"}, crls: []string{"issuing-ca.crl", "mid-ca.crl", "root-ca.crl"}, crlAll: true, valid: true},
		{name: "path length exceeded", leaf: "pathlen-leaf.pem", inters: []string{"int-ca.pem", "sub-ca.pem"}, reason: verify.Constraint},
		{name: "unknown critical extension", leaf: "critext.pem", reason: verify.Constraint},
		{name: "keyCertSign in a leaf", leaf: "kcs-leaf.pem", reason: verify.Malformed},
		{name: "empty subject, SAN not critical", leaf: "empty-subject.pem", reason: verify.Malformed},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sArgs, oArgs := certAgreeArgs(tt, hasCodesign)
			for _, a := range append(sArgs, oArgs...) {
				if strings.HasPrefix(a, certPKI) {
					seen[filepath.Base(a)] = true
				}
			}
			code, stdout, stderr := certRun(sArgs...)
			signetValid := code == 0
			if code != 0 && code != 1 {
				t.Fatalf("signet exit %d: %s", code, stderr)
			}
			oOut, oErr, err := testutil.RunErr(openssl, oArgs...)
			opensslValid := err == nil
			if _, isExit := err.(*exec.ExitError); err != nil && !isExit {
				t.Fatal(err)
			}
			why := ""
			if tt.eku == "codeSigning" && !hasCodesign && opensslValid {
				opensslValid, why = certOpenSSLCodeSigning(t, openssl, certFixture(tt.leaf))
			}
			if signetValid != opensslValid {
				t.Fatalf("disagree: signet valid=%v, openssl valid=%v %s\nsignet %s\n%s%s\nopenssl %s\n%s%s",
					signetValid, opensslValid, why, strings.Join(sArgs, " "), stdout, stderr, strings.Join(oArgs, " "), oOut, oErr)
			}
			if signetValid != tt.valid {
				t.Fatalf("both say valid=%v, the case expects %v\n%s%s\n%s", signetValid, tt.valid, stdout, stderr, oErr)
			}
			if !tt.valid {
				if !strings.Contains(stdout, "verdict: NOT VALID ("+string(tt.reason)+")") {
					t.Fatalf("signet's reason is not %s:\n%s", tt.reason, stdout)
				}
				// The verdict is said once, on stdout; stderr has at most a hint.
				if stderr != "" && !strings.HasPrefix(stderr, "signet: hint: ") || strings.Count(stderr, "\n") > 1 {
					t.Fatalf("stderr: %q", stderr)
				}
			}
		})
	}
	t.Run("every fixture is covered", func(t *testing.T) {
		all, _ := filepath.Glob(filepath.Join(certPKI, "*.pem"))
		crls, _ := filepath.Glob(filepath.Join(certPKI, "*.crl"))
		for _, f := range append(all, crls...) {
			if !seen[filepath.Base(f)] {
				t.Errorf("%s is in no case", filepath.Base(f))
			}
		}
	})
}

// certAgreeArgs turns a case into the arguments of `signet` and of `openssl`.
func certAgreeArgs(tt certAgreeCase, hasCodesign bool) (sArgs, oArgs []string) {
	roots := tt.roots
	if roots == nil {
		roots = []string{"root-ca.pem"}
	}
	inters := tt.inters
	if inters == nil {
		inters = []string{"int-ca.pem"}
	}
	if len(inters) == 1 && inters[0] == "-" {
		inters = nil
	}
	leaf := certFixture(tt.leaf)
	sArgs = []string{"cert", "verify", "--at", certAt}
	oArgs = []string{"verify", "-attime", certAtUnix, "-x509_strict"}
	for _, r := range roots {
		sArgs = append(sArgs, "--roots", certFixture(r))
		oArgs = append(oArgs, "-CAfile", certFixture(r))
	}
	for _, i := range inters {
		sArgs = append(sArgs, "--intermediates", certFixture(i))
		oArgs = append(oArgs, "-untrusted", certFixture(i))
	}
	if tt.leaf == "server-chain.pem" { // openssl verifies the first certificate of the file only
		oArgs = append(oArgs, "-untrusted", leaf)
	}
	if tt.partial {
		oArgs = append(oArgs, "-partial_chain")
	}
	if tt.eku != "" {
		sArgs = append(sArgs, "--eku", tt.eku)
		purpose := map[string]string{"serverAuth": "sslserver", "clientAuth": "sslclient", "emailProtection": "smimesign", "any": "any", "codeSigning": "any"}[tt.eku]
		if tt.eku == "codeSigning" {
			sArgs = append(sArgs, "--key-usage", "digitalSignature")
			if hasCodesign {
				purpose = "codesign"
			}
		}
		oArgs = append(oArgs, "-purpose", purpose)
	}
	if tt.host != "" {
		sArgs = append(sArgs, "--host", tt.host)
		oArgs = append(oArgs, "-verify_hostname", tt.host)
	}
	if tt.ip != "" {
		sArgs = append(sArgs, "--ip", tt.ip)
		oArgs = append(oArgs, "-verify_ip", tt.ip)
	}
	if tt.email != "" {
		sArgs = append(sArgs, "--email", tt.email)
		oArgs = append(oArgs, "-verify_email", tt.email)
	}
	if tt.crls != nil {
		sArgs = append(sArgs, "--require-crl")
		if tt.crlAll {
			oArgs = append(oArgs, "-crl_check_all")
		} else {
			oArgs = append(oArgs, "-crl_check")
		}
		for _, c := range tt.crls {
			sArgs = append(sArgs, "--crl", certFixture(c))
			oArgs = append(oArgs, "-CRLfile", certFixture(c))
		}
	}
	if tt.maxDepth != nil {
		sArgs = append(sArgs, "--max-depth", strconv.Itoa(*tt.maxDepth))
		oArgs = append(oArgs, "-verify_depth", strconv.Itoa(*tt.maxDepth))
	}
	return append(sArgs, leaf), append(oArgs, leaf)
}

// certOpenSSLCodeSigning is openssl's view of a leaf's fitness for code signing when its
// verify has no codesign purpose: the extensions as `openssl x509 -ext` prints them.
func certOpenSSLCodeSigning(t *testing.T, openssl, leaf string) (bool, string) {
	out := string(testutil.Run(t, openssl, "x509", "-in", leaf, "-noout", "-ext", "extendedKeyUsage,keyUsage"))
	if strings.Contains(out, "Extended Key Usage") && !strings.Contains(out, "Code Signing") && !strings.Contains(out, "Any Extended Key Usage") {
		return false, "(openssl x509: no Code Signing extended key usage)"
	}
	if strings.Contains(out, "X509v3 Key Usage") && !strings.Contains(out, "Digital Signature") {
		return false, "(openssl x509: no Digital Signature key usage)"
	}
	return true, ""
}

// TestCertVerifyExitCodes pins the exit code and the one stderr line of each kind of outcome.
func TestCertVerifyExitCodes(t *testing.T) {
	dir := t.TempDir()
	// No local identity, whatever the developer's own SIGNET_HOME holds: "no roots" is a
	// usage error only then.
	t.Setenv("SIGNET_HOME", filepath.Join(dir, "no-identity"))
	garbage := filepath.Join(dir, "garbage.pem")
	truncated := filepath.Join(dir, "truncated.pem")
	server, err := os.ReadFile(certFixture("server.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(garbage, []byte("-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(truncated, server[:len(server)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	emptyDir := filepath.Join(dir, "empty")
	if err := os.Mkdir(emptyDir, 0o755); err != nil {
		t.Fatal(err)
	}
	root, inter := certFixture("root-ca.pem"), certFixture("int-ca.pem")
	base := []string{"cert", "verify", "--at", certAt, "--roots", root, "--intermediates", inter}
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string // the first line must contain it
	}{
		{"valid", append(base, certFixture("server.pem")), 0, ""},
		{"expired", append(base, certFixture("expired.pem")), 1, "expired at 2021-01-01T00:00:00Z"},
		{"revoked", append(base, "--crl", certFixture("int-ca.crl"), certFixture("revoked.pem")), 1, "(serial 5167000000000015) was revoked at 2025-06-01T00:00:00Z (keyCompromise)"},
		{"wrong EKU", append(base, "--eku", "codeSigning", certFixture("wrong-eku.pem")), 1, "is for serverAuth, not codeSigning"},
		{"host implies serverAuth", append(base, "--host", "client.example.com", certFixture("client.pem")), 1, "is for clientAuth, not serverAuth"},
		{"stale CRL", append(base, "--crl", certFixture("int-ca-stale.crl"), certFixture("codesign.pem")), 1, "expired at 2025-02-01T00:00:00Z (nextUpdate)"},
		{"no CERT", []string{"cert", "verify", "--roots", root}, 2, "missing CERT"},
		{"two CERTs", []string{"cert", "verify", "--roots", root, "a.pem", "b.pem"}, 2, "one CERT at a time"},
		{"no roots", []string{"cert", "verify", certFixture("server.pem")}, 2, "no trust anchors: give --roots FILE (or --system-roots)"},
		{"bad time", append(base, "--at", "yesterday", certFixture("server.pem")), 2, `--at "yesterday" is not an RFC 3339 time`},
		{"bad IP", append(base, "--ip", "300.1.1.1", certFixture("server.pem")), 2, "is not an IP address"},
		{"bad EKU", append(base, "--eku", "codesigning,serverauth,nope", certFixture("server.pem")), 2, `unknown extended key usage "nope"`},
		{"negative depth", append(base, "--max-depth", "-1", certFixture("server.pem")), 2, "--max-depth must be 0 or more"},
		{"unknown flag", append(base, "--nope", certFixture("server.pem")), 2, "flag provided but not defined"},
		{"directory as CERT", append(base, certPKI), 3, "is a directory, not a file"},
		{"missing CERT file", append(base, filepath.Join(dir, "nope.pem")), 3, "no such file or directory"},
		{"garbage PEM", append(base, garbage), 3, "garbage.pem: PEM block 1 (line 1): CERTIFICATE block is truncated or damaged"},
		{"truncated PEM", append(base, truncated), 3, "truncated.pem: PEM block 1 (line 1)"},
		{"garbage roots", []string{"cert", "verify", "--roots", garbage, certFixture("server.pem")}, 3, "garbage.pem: PEM block 1"},
		{"CRL given as roots", []string{"cert", "verify", "--roots", certFixture("int-ca.crl"), certFixture("server.pem")}, 3, "no CERTIFICATE PEM block (the input has X509 CRL)"},
		{"certificate given as CRL", append(base, "--crl", root, certFixture("server.pem")), 3, "no X509 CRL PEM block (the input has CERTIFICATE)"},
		{"empty roots directory", []string{"cert", "verify", "--roots", emptyDir, certFixture("server.pem")}, 3, "has no certificate files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := certRun(tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			if tt.code == 0 {
				if stderr != "" || !strings.Contains(stdout, "verdict: valid") {
					t.Fatalf("stdout %q stderr %q", stdout, stderr)
				}
				return
			}
			// A verdict (exit 1) carries its reason on stdout, once; other failures are an
			// error line.
			first, _, _ := strings.Cut(stderr, "\n")
			if tt.code == 1 && (!strings.Contains(stdout, "verdict: NOT VALID") || !strings.Contains(stdout, tt.stderr) || strings.Contains(stderr, "error:")) ||
				tt.code != 1 && (!strings.HasPrefix(first, "signet: error: ") || !strings.Contains(first, tt.stderr)) {
				t.Fatalf("stdout %q\nstderr %q, want the reason %q once", stdout, stderr, tt.stderr)
			}
			if tt.code == 3 && (stdout != "" || strings.Count(stderr, "\n") != 1) {
				t.Fatalf("bad input must print one line and no report: stdout %q stderr %q", stdout, stderr)
			}
		})
	}
}

// TestCertVerifyJSON checks the --json report against the documented schema.
func TestCertVerifyJSON(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := certRun("cert", "verify", "--json", "--at", certAt, "--roots", certFixture("root-ca.pem"),
		"--intermediates", certFixture("mid-ca.pem"), "--intermediates", certFixture("issuing-ca.pem"), "--max-depth", "1",
		certFixture("deep-leaf.pem"))
	if code != 1 || stderr != "" || !strings.Contains(stdout, "more than the 1 allowed") {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var r struct {
		Valid  bool   `json:"valid"`
		Reason string `json:"reason"`
		Error  string `json:"error"`
		Chain  []struct {
			Role, Subject, SHA256 string
			TrustAnchor           bool `json:"trust_anchor"`
		} `json:"chain"`
		Policy struct {
			At       string `json:"at"`
			MaxDepth *int   `json:"max_depth"`
			EKUs     []string
		} `json:"policy"`
		Checks []struct{ Check, Status, Subject, Detail string } `json:"checks"`
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if r.Valid || r.Reason != "depth" || !strings.HasPrefix(r.Error, "verify: the chain has 2 intermediate(s)") {
		t.Fatalf("verdict: %+v", r)
	}
	roles := []string{}
	for _, c := range r.Chain {
		roles = append(roles, c.Role)
		if len(c.SHA256) != 64 {
			t.Fatalf("fingerprint %q", c.SHA256)
		}
	}
	if strings.Join(roles, ",") != "leaf,intermediate,intermediate,root" || !r.Chain[3].TrustAnchor {
		t.Fatalf("chain roles %v", roles)
	}
	if r.Policy.At != certAt || r.Policy.MaxDepth == nil || *r.Policy.MaxDepth != 1 || r.Policy.EKUs == nil || len(r.Policy.EKUs) != 0 {
		t.Fatalf("policy %+v", r.Policy)
	}
	failed := ""
	for _, c := range r.Checks {
		if c.Status == "fail" {
			failed += c.Check + ";"
		}
	}
	if failed != "depth;" {
		t.Fatalf("failed checks %q", failed)
	}
}

// TestCertVerifyHelpExamples runs every example of `signet cert verify --help` against the
// fixtures, with the exit code its comment announces: each example announces one, and prints
// its verdict.
func TestCertVerifyHelpExamples(t *testing.T) {
	exampleFixture(t, nil)
	examples, results := runHelpExamples(t, "cert", "verify")
	for i, ex := range examples {
		if !ex.announced {
			t.Errorf("%s: no comment announces its exit code", ex.line)
		}
		if results[i].stdout == "" {
			t.Errorf("%s: printed nothing", ex.line)
		}
	}
}
