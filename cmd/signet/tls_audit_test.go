package main

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
)

// auditTarget runs openssl s_server for many connections with the fixture server chain and
// extra flags until the test ends, and returns its address.
func auditTarget(t *testing.T, flags ...string) string {
	t.Helper()
	openssl := testutil.RequireTool(t, "openssl")
	addr := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, openssl, append([]string{"s_server", "-accept", addr, "-quiet",
		"-cert", fixturePKI(t, "server.pem"), "-cert_chain", fixturePKI(t, "int-ca.pem"), "-key", fixturePKI(t, "server.key")}, flags...)...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	stdin, err := cmd.StdinPipe() // s_server stops at the end of its input
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cancel(); cmd.Wait() })
	waitPort(t, addr, out)
	return addr
}

// TestTLSAuditCLI: the verdict lines, the exit code and --json, against a modern and an old
// openssl s_server.
func TestTLSAuditCLI(t *testing.T) {
	t.Parallel()
	root := fixturePKI(t, "root-ca.pem")
	modern, old := auditTarget(t), auditTarget(t, "-tls1", "-cipher", "ALL:@SECLEVEL=0")

	code, out, errOut := signetRun(t, "tls", "audit", modern, "--server-name", "www.example.com", "--roots", root)
	if code != 0 || errOut != "" {
		t.Fatalf("modern server: exit %d\n%s%s", code, out, errOut)
	}
	for _, re := range []string{
		`(?m)^  OK    protocol       TLS 1\.3: accepted$`,
		`(?m)^  OK    protocol       TLS 1\.0: not accepted`,
		`(?m)^  OK    downgrade      TLS_FALLBACK_SCSV: `,
		`(?m)^  OK    certificate    trust: valid for www\.example\.com`,
		`(?m)^  WARN  cipher         TLS 1\.2 TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: accepted; weak: cbc$`,
		`(?m)^OK 127\.0\.0\.1:\d+: nothing failed, \d+ warnings$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("no line %s in:\n%s", re, out)
		}
	}
	// The same server with --fail-on warn: its CBC suites fail the run.
	code, out, _ = signetRun(t, "tls", "audit", modern, "--server-name", "www.example.com", "--roots", root, "--fail-on", "warn")
	if code != 1 || !regexp.MustCompile(`(?m)^FAILED 127\.0\.0\.1:\d+: 0 failed, \d+ warnings$`).MatchString(out) {
		t.Errorf("--fail-on warn: exit %d\n%s", code, out)
	}

	code, out, _ = signetRun(t, "tls", "audit", old, "--server-name", "www.example.com", "--roots", root)
	if code != 1 || !strings.Contains(out, "  FAIL  protocol       TLS 1.0: accepted; TLS 1.0 is obsolete (RFC 8996)\n") {
		t.Errorf("old server: exit %d\n%s", code, out)
	}
	code, out, _ = signetRun(t, "tls", "audit", old, "--server-name", "www.example.com", "--roots", root, "--json")
	var rep struct {
		OK       bool `json:"ok"`
		Failures int  `json:"failures"`
		Versions []struct {
			Version  string `json:"version"`
			Accepted bool   `json:"accepted"`
		} `json:"versions"`
		Findings     []struct{ Verdict, Area, Subject, Detail string } `json:"findings"`
		Verification *struct {
			Valid bool `json:"valid"`
		} `json:"verification"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	if code != 1 || rep.OK || rep.Failures == 0 || len(rep.Versions) != 5 || !rep.Versions[1].Accepted || rep.Versions[3].Accepted ||
		rep.Verification == nil || !rep.Verification.Valid {
		t.Errorf("--json of the old server: exit %d %+v", code, rep)
	}
}

// TestTLSAuditHelpExamples runs the EXAMPLES of 'signet tls audit --help' against openssl
// s_server on the address they name, 127.0.0.1:8443, with root.pem the fixture root.
func TestTLSAuditHelpExamples(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	const addr = "127.0.0.1:8443"
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatalf("%s is taken: the examples of 'signet tls audit --help' need it", addr)
	}
	root, err := os.ReadFile(fixturePKI(t, "root-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, openssl, "s_server", "-accept", addr, "-quiet",
		"-cert", fixturePKI(t, "server.pem"), "-cert_chain", fixturePKI(t, "int-ca.pem"), "-key", fixturePKI(t, "server.key"))
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cancel(); cmd.Wait() })
	waitPort(t, addr, out)
	exampleFixture(t, map[string]string{"root.pem": string(root)})
	examples, results := runHelpExamples(t, "tls", "audit")
	if len(examples) != 3 || !strings.Contains(results[0].stdout, "OK 127.0.0.1:8443: nothing failed") || !strings.HasPrefix(results[1].stdout, "{") {
		t.Errorf("examples %+v\n%+v", examples, results)
	}
}

// TestTLSAuditClientKey: against a server that requires a client certificate, resumption is
// "not tested" without one, and tested with a key file or a key on a SoftHSM2 token (the
// token's own certificate, as 'signet enroll' put it there). It sets SOFTHSM2_CONF, so it
// does not run in parallel.
func TestTLSAuditClientKey(t *testing.T) {
	newSoftHSM(t, "alice")
	mustSignet(t, "enroll", "--token", "pkcs11:token=alice;object=client", "--type", "ec-p256", "--subject", "CN=alice,O=Example",
		"--ca", fixturePKI(t, "int-ca.pem"), "--ca-key", fixturePKI(t, "int-ca.key"))
	cas := filepath.Join(t.TempDir(), "cas.pem")
	var both []byte
	for _, f := range []string{"root-ca.pem", "int-ca.pem"} {
		b, err := os.ReadFile(fixturePKI(t, f))
		if err != nil {
			t.Fatal(err)
		}
		both = append(both, b...)
	}
	if err := os.WriteFile(cas, both, 0o600); err != nil {
		t.Fatal(err)
	}
	addr := auditTarget(t, "-tls1_2", "-Verify", "1", "-CAfile", cas, "-verify_return_error")
	audit := func(extra ...string) map[string]any {
		t.Helper()
		code, out, errOut := signetRun(t, append([]string{"tls", "audit", addr, "--server-name", "www.example.com",
			"--roots", fixturePKI(t, "root-ca.pem"), "--json"}, extra...)...)
		var rep map[string]any
		if err := json.Unmarshal([]byte(out), &rep); err != nil || code > 1 {
			t.Fatalf("exit %d: %v\n%s%s", code, err, out, errOut)
		}
		return rep
	}
	none := audit()
	if r := none["resumption"].(map[string]any); r["tls12_session_id"] != nil || r["tls12_ticket"] != nil {
		t.Errorf("without a client certificate: %v", r)
	}
	for name, args := range map[string][]string{
		"key file": {"--cert", fixturePKI(t, "client.pem"), "--key", fixturePKI(t, "client.key")},
		"token":    {"--key", "pkcs11:token=alice;object=client"},
	} {
		rep := audit(args...)
		if r := rep["resumption"].(map[string]any); r["tls12_session_id"] != true || r["tls12_ticket"] != true {
			t.Errorf("%s: resumption %v", name, r)
		}
		if r := rep["renegotiation"].(map[string]any); r["client_initiated"] != false {
			t.Errorf("%s: renegotiation %v", name, r)
		}
	}
}
