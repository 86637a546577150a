package main

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
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
