package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/timestamp"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// testTSA starts an in-process TSA (timestamp.Authority over HTTP) whose certificate
// 'cert create --profile tsa' would make: issued by the fixture intermediate through
// x509util's tsa profile. It returns the URL.
func testTSA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509util.LoadCertificates(fixturePKI(t, "int-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	caKeyPEM, _ := os.ReadFile(fixturePKI(t, "int-ca.key"))
	caKey, err := x509util.ParsePrivateKey(caKeyPEM, nil)
	if err != nil {
		t.Fatal(err)
	}
	issued, err := x509util.IssueCertificate(x509util.IssueRequest{Profile: x509util.ProfileTSA, Subject: pkix.Name{CommonName: "Test TSA"},
		PublicKey: key.Public(), Issuer: ca[0], IssuerKey: caKey})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(&timestamp.Authority{Key: key, Chain: []*x509.Certificate{issued.Certificate, ca[0]}})
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// TestTSHelpExamples runs the EXAMPLES of ts query and ts verify against an in-process TSA
// whose URL is in tsa.url.
func TestTSHelpExamples(t *testing.T) {
	testutil.RequireTool(t, "openssl")
	url := testTSA(t)
	root, _ := os.ReadFile(fixturePKI(t, "root-ca.pem"))
	for _, cmd := range [][]string{{"ts", "query"}, {"ts", "verify"}} {
		t.Run(strings.Join(cmd, " "), func(t *testing.T) {
			exampleFixture(t, map[string]string{"tsa.url": url, "root.pem": string(root),
				"release.tar.gz.sig": "signature\n", "release.tar.gz": "release\n"})
			runHelpExamples(t, cmd...)
		})
	}
}

// TestTSAServeHelpExamples runs the EXAMPLES of tsa serve: a TSA made with cert create
// --profile tsa, serving signet sign --tsa, and verify --require-timestamp accepting the
// result.
func TestTSAServeHelpExamples(t *testing.T) {
	testutil.RequireTool(t, "openssl")
	exampleFixture(t, map[string]string{"release.tar.gz": "release\n"})
	runHelpExamples(t, "tsa", "serve")
	b, err := os.ReadFile("release.tar.gz.sigstore.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := sigformat.Parse(b)
	if err != nil || len(s.Timestamps) != 1 {
		t.Fatalf("the bundle has %d timestamps (%v)", len(s.Timestamps), err)
	}
}

// TestSignTSAFormats: sign --tsa in each format, verify reports the timestamp (--json), a
// tampered token fails with exit 15, --require-timestamp without one fails with exit 15, an
// unreachable TSA fails sign with exit 69 and writes nothing, and openssl cms -verify accepts
// the timestamped CMS.
func TestSignTSAFormats(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	url := testTSA(t)
	fx := fixtureFunc(t)
	dir := t.TempDir()
	t.Chdir(dir)
	os.WriteFile("app.bin", []byte("release\n"), 0o644)
	chain := filepath.Join(dir, "chain.pem")
	leaf, _ := os.ReadFile(fx("codesign.pem"))
	inter, _ := os.ReadFile(fx("int-ca.pem"))
	os.WriteFile(chain, append(leaf, inter...), 0o644)
	root := fx("root-ca.pem")
	signArgs := []string{"sign", "--key", fx("codesign.key"), "--cert", chain, "--tsa", url}
	for _, f := range []struct{ format, sig string }{{"raw", "app.bin.sig"}, {"cms", "app.bin.p7s"}, {"bundle", "app.bin.sigstore.json"}} {
		t.Run(f.format, func(t *testing.T) {
			mustSignet(t, append(signArgs, "--format", f.format, "app.bin")...)
			args := []string{"verify", "app.bin", "--sig", f.sig, "--roots", root, "--intermediates", fx("int-ca.pem"), "--tsa-roots", root, "--require-timestamp", "--json"}
			if f.format == "raw" {
				args = []string{"verify", "app.bin", "--sig", f.sig, "--key", fx("codesign.pem"), "--tsa-roots", root, "--require-timestamp", "--json"}
				if _, err := os.Stat("app.bin.sig.tsr"); err != nil {
					t.Fatal(err)
				}
			}
			var rep struct {
				Valid     bool
				Artifacts []struct {
					Timestamps []struct {
						TSA, Serial, Policy, Accuracy string
						GenTime                       time.Time `json:"gen_time"`
						Valid                         bool
					}
				}
			}
			if err := json.Unmarshal([]byte(mustSignet(t, args...)), &rep); err != nil {
				t.Fatal(err)
			}
			ts := rep.Artifacts[0].Timestamps
			if !rep.Valid || len(ts) != 1 || !ts[0].Valid || ts[0].TSA != "CN=Test TSA" || ts[0].Serial == "" ||
				ts[0].Policy != timestamp.DefaultPolicy().String() || ts[0].Accuracy != "0s" || time.Since(ts[0].GenTime) > time.Hour {
				t.Fatalf("report %+v", rep)
			}
			if f.format == "cms" {
				testutil.Run(t, openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", f.sig, "-content", "app.bin",
					"-CAfile", root, "-purpose", "any", "-out", os.DevNull)
			}
		})
	}
	// A token over another signature, beside a raw one: exit 15.
	mustSignet(t, append(signArgs, "--format", "raw", "--force", "-o", "other.sig", chain)...)
	os.Rename("other.sig.tsr", "app.bin.sig.tsr")
	code, out, errOut := signetRun(t, "verify", "app.bin", "--sig", "app.bin.sig", "--key", fx("codesign.pem"), "--tsa-roots", root)
	if code != exitTimestamp || !strings.Contains(out, "another signature") {
		t.Errorf("a token of another signature: exit %d\n%s%s", code, out, errOut)
	}
	// No timestamp, one required: exit 15.
	os.Remove("app.bin.sig.tsr")
	code, out, errOut = signetRun(t, "verify", "app.bin", "--sig", "app.bin.sig", "--key", fx("codesign.pem"), "--require-timestamp")
	if code != exitTimestamp || !strings.Contains(out, "no timestamp, and one is required") {
		t.Errorf("--require-timestamp without one: exit %d\n%s%s", code, out, errOut)
	}
	// No TSA answers: exit 69, nothing written.
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	code, _, errOut = signetRun(t, "sign", "--key", fx("codesign.key"), "--format", "raw", "--tsa", down.URL, "-o", "new.sig", "app.bin")
	if code != exitUnavailable || !strings.Contains(errOut, "no time-stamp authority gave a token") {
		t.Errorf("unreachable TSA: exit %d\n%s", code, errOut)
	}
	for _, n := range []string{"new.sig", "new.sig.tsr"} {
		if _, err := os.Stat(n); err == nil {
			t.Errorf("%s written after the TSA failed", n)
		}
	}
	// A --tsa that is not a URL is a usage error.
	if code, _, _ := signetRun(t, "sign", "--key", fx("codesign.key"), "--tsa", "tsa.example.com", "app.bin"); code != exitUsage {
		t.Errorf("--tsa without a scheme: exit %d", code)
	}
}

// TestTSAServeSoftHSMWithOpenSSL: signet tsa serve with its key on a SoftHSM token answers
// `openssl ts -query` requests, and `openssl ts -verify` accepts the reply; a certificate
// that is not a TSA's is refused at start (exit 3).
func TestTSAServeSoftHSMWithOpenSSL(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	signetBin, err := exec.LookPath("signet")
	if err != nil {
		t.Fatalf("signet is not in PATH (TestMain puts it there): %v", err)
	}
	newSoftHSM(t, "tsa")
	fx := fixtureFunc(t)
	dir := t.TempDir()
	t.Chdir(dir)
	uri := "pkcs11:token=tsa;object=tsa"
	mustSignet(t, "key", "gen", "--type", "ec-p256", "-o", uri)
	mustSignet(t, "csr", "--key", uri, "--subject", "CN=Token TSA,O=Example", "-o", "tsa.csr")
	mustSignet(t, "cert", "create", "--profile", "tsa", "--csr", "tsa.csr", "--ca", fx("int-ca.pem"),
		"--ca-key", fx("int-ca.key"), "--bundle", "-o", "tsa.pem")
	mustSignet(t, "cert", "create", "--profile", "code-signing", "--subject", "CN=Not A TSA", "--csr", "tsa.csr", "--ca", fx("int-ca.pem"),
		"--ca-key", fx("int-ca.key"), "-o", "notsa.pem")
	if code, _, errOut := signetRun(t, "tsa", "serve", "--listen", "127.0.0.1:0", "--key", uri, "--cert", "notsa.pem"); code != exitBadInput ||
		!strings.Contains(errOut, "not a time-stamping certificate") {
		t.Errorf("a code-signing certificate as the TSA's: exit %d\n%s", code, errOut)
	}

	cmd := exec.Command(signetBin, "tsa", "serve", "--listen", "127.0.0.1:0", "--addr-file", "tsa.url", "--key", uri, "--cert", "tsa.pem",
		"--policy", "1.2.3.4.5")
	cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
	var serveErr bytes.Buffer
	cmd.Stderr = &serveErr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("tsa serve after SIGTERM: %v\n%s", err, serveErr.String())
		}
	}()
	var url string
	for i := 0; i < 200 && url == ""; i++ {
		b, _ := os.ReadFile("tsa.url")
		url = strings.TrimSpace(string(b))
		time.Sleep(25 * time.Millisecond)
	}
	if url == "" {
		t.Fatalf("tsa serve did not start:\n%s", serveErr.String())
	}
	os.WriteFile("data", []byte("timestamp me\n"), 0o644)
	testutil.Run(t, openssl, "ts", "-query", "-data", "data", "-sha256", "-cert", "-out", "req.tsq")
	req, _ := os.ReadFile("req.tsq")
	resp, err := http.Post(url, "application/timestamp-query", bytes.NewReader(req))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/timestamp-reply" {
		t.Fatalf("HTTP %s %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	os.WriteFile("resp.tsr", body.Bytes(), 0o644)
	out := testutil.Run(t, openssl, "ts", "-verify", "-queryfile", "req.tsq", "-in", "resp.tsr", "-CAfile", fx("root-ca.pem"))
	if !strings.Contains(string(out), "Verification: OK") {
		t.Fatalf("openssl ts -verify: %s", out)
	}
	text := string(testutil.Run(t, openssl, "ts", "-reply", "-in", "resp.tsr", "-text"))
	if !strings.Contains(text, "Policy OID: 1.2.3.4.5") || !strings.Contains(text, "TSA: DirName:/O=Example/CN=Token TSA") {
		t.Errorf("openssl ts -reply -text:\n%s", text)
	}
	// signet's own check of the reply, with the data.
	if got := mustSignet(t, "ts", "verify", "resp.tsr", "--data", "data", "--tsa-roots", fx("root-ca.pem")); !strings.Contains(got, "by CN=Token TSA,O=Example") {
		t.Errorf("ts verify: %s", got)
	}
}

// fixtureFunc resolves fixture names before a test changes directory.
func fixtureFunc(t *testing.T) func(string) string {
	dir := filepath.Dir(fixturePKI(t, "root-ca.pem"))
	return func(name string) string { return filepath.Join(dir, name) }
}

// TestVerifyOpenSSLTimestamp: a raw signature timestamped by OpenSSL as the TSA (`openssl ts
// -reply` with a [tsa] configuration, ESS v1 with SHA-1 as it writes by default, its
// certificate from cert create --profile tsa) verifies with --require-timestamp, and the
// report names OpenSSL's policy and serial.
func TestVerifyOpenSSLTimestamp(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	fx := fixtureFunc(t)
	dir := t.TempDir()
	t.Chdir(dir)
	mustSignet(t, "key", "gen", "--no-passphrase", "-o", "tsa.key")
	mustSignet(t, "csr", "--key", "tsa.key", "--subject", "CN=OpenSSL TSA,O=Example", "-o", "tsa.csr")
	mustSignet(t, "cert", "create", "--profile", "tsa", "--csr", "tsa.csr", "--ca", fx("int-ca.pem"), "--ca-key", fx("int-ca.key"), "-o", "tsa.pem")
	os.WriteFile("serial", []byte("41\n"), 0o600)
	os.WriteFile("tsa.cnf", []byte(`[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = serial
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:2
ess_cert_id_chain = no
`), 0o600)
	os.WriteFile("app.bin", []byte("release\n"), 0o644)
	mustSignet(t, "sign", "--key", fx("codesign.key"), "--format", "raw", "app.bin")
	testutil.Run(t, openssl, "ts", "-query", "-data", "app.bin.sig", "-sha256", "-cert", "-out", "req.tsq")
	testutil.Run(t, openssl, "ts", "-reply", "-config", "tsa.cnf", "-queryfile", "req.tsq", "-inkey", "tsa.key",
		"-signer", "tsa.pem", "-chain", fx("int-ca.pem"), "-out", "app.bin.sig.tsr")
	out := mustSignet(t, "verify", "app.bin", "--key", fx("codesign.pem"), "--tsa-roots", fx("root-ca.pem"), "--require-timestamp", "--json")
	var rep struct {
		Valid     bool
		Artifacts []struct {
			Timestamps []struct {
				TSA, Serial, Policy, Accuracy string
				Valid                         bool
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	ts := rep.Artifacts[0].Timestamps
	if !rep.Valid || len(ts) != 1 || !ts[0].Valid || ts[0].TSA != "CN=OpenSSL TSA,O=Example" || ts[0].Policy != "1.2.3.4.1" ||
		ts[0].Serial != "42" || ts[0].Accuracy != "2s" {
		t.Fatalf("report %s", out)
	}
}

// TestTimestampExitCodes: the timestamp sentinels map to their exit codes by type.
func TestTimestampExitCodes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err        error
		general    int
		verifyCode int
	}{
		{verify.ErrTimestamp, exitCheckFailed, exitTimestamp},
		{fmt.Errorf("x: %w", timestamp.ErrUnavailable), exitUnavailable, exitUnavailable},
		{fmt.Errorf("x: %w", timestamp.ErrMalformed), exitBadInput, exitBadInput},
		{fmt.Errorf("x: %w", timestamp.ErrInvalid), exitCheckFailed, exitCheckFailed},
	} {
		if got := exitCode(tc.err); got != tc.general {
			t.Errorf("%v: exit %d, want %d", tc.err, got, tc.general)
		}
		if got := verifyExitCode(tc.err); got != tc.verifyCode {
			t.Errorf("%v: verify exit %d, want %d", tc.err, got, tc.verifyCode)
		}
	}
}

// TestTSReadsProcessSubstitution: ts query FILE and ts verify --data FILE read a pipe with a
// writer, as a shell's process substitution gives it (/dev/fd/N, which the README's inputs
// read whole may be): the token is over the bytes the pipe gave. A named pipe that gives no
// bytes (no writer) is refused, exit 3, rather than timestamped or checked as empty.
func TestTSReadsProcessSubstitution(t *testing.T) {
	url := testTSA(t)
	root, err := os.ReadFile(fixturePKI(t, "root-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	content := "release bytes\n"
	writeFiles(t, dir, map[string]string{"f.txt": content, "root-ca.pem": string(root)})
	pipe := func() string {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		go func() {
			w.WriteString(content)
			w.Close()
		}()
		return fmt.Sprintf("/dev/fd/%d", r.Fd())
	}
	if _, errOut, code := runSignet(t, "", "ts", "query", "--tsa", url, pipe(), "-o", "out.tsr"); code != exitOK {
		t.Fatalf("ts query over a pipe: exit %d: %s", code, errOut)
	}
	if _, errOut, code := runSignet(t, "", "ts", "verify", "out.tsr", "--data", "f.txt", "--tsa-roots", "root-ca.pem"); code != exitOK {
		t.Fatalf("the token made over the pipe is not over its bytes: exit %d: %s", code, errOut)
	}
	if _, errOut, code := runSignet(t, "", "ts", "verify", "out.tsr", "--data", pipe(), "--tsa-roots", "root-ca.pem"); code != exitOK {
		t.Fatalf("ts verify --data over a pipe: exit %d: %s", code, errOut)
	}
	if err := syscall.Mkfifo("idle", 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runSignet(t, "", "ts", "query", "--tsa", url, "idle", "-o", "idle.tsr"); code != exitBadInput || !strings.Contains(errOut, "idle") {
		t.Errorf("ts query over an idle named pipe: exit %d, want %d naming it: %s", code, exitBadInput, errOut)
	}
	if _, err := os.Stat("idle.tsr"); err == nil {
		t.Error("ts query over an idle named pipe wrote a token")
	}
	if _, errOut, code := runSignet(t, "", "ts", "verify", "out.tsr", "--data", "idle", "--tsa-roots", "root-ca.pem"); code != exitBadInput || !strings.Contains(errOut, "idle") {
		t.Errorf("ts verify --data over an idle named pipe: exit %d, want %d naming it: %s", code, exitBadInput, errOut)
	}
}
