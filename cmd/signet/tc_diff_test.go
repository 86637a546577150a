package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
)

// The TLS client-certificate campaign: every seed's case (tc_gen_test.go) is played over
// real handshakes on 127.0.0.1, three ways:
//
//   - the client chain, presented by openssl s_client, to 'signet tls serve
//     --require-client-cert --client-ca ROOT [--client-intermediates] [--crl]' or to the
//     server side of 'signet tls tunnel --client-roots ROOT [--intermediates] [--crl]' (in
//     process, half the seeds each) and to 'openssl s_server -Verify 5 -verify_return_error -purpose sslclient -CAfile ROOT
//     [-crl_check -CRL]': accepted or refused, by each (-Verify's number is openssl's chain
//     depth limit, set above any drawn chain; an intermediate given to the server is in
//     s_server's -CAfile, which has no file of untrusted certificates);
//   - the server chain, served by that openssl s_server, judged by 'signet tls check
//     --roots ROOT --server-name H' and by 'openssl s_client -CAfile ROOT -verify_hostname H';
//   - signet tls check's report of the client certificate (sent by it to the same s_server)
//     against what openssl s_server decided.
//
// Where signet and openssl differ, the difference is one of tcWhys, each from an RFC or a
// rule signet documents; a case where signet accepts and openssl refuses is a fail-open until
// explained, and a chain with a fault both must refuse (tcMustRefuse) must be refused by
// signet whatever openssl does.
//
// CI runs seeds 1 to tcPinnedSeeds (tcPinnedSeedsRace under -race); SIGNET_TC_SEEDS=first:count
// runs those instead (go test ./cmd/signet -run TestTLSClientCertCampaign -v; a seed costs
// four handshakes and one openssl s_server; five seeds or fewer log what each side said).

const tcPinnedSeeds = 150

// tcPinnedSeedsRace is CI's count under -race, where signet's side costs twice as much.
const tcPinnedSeedsRace = 60

// tcMustRefuse are the faults that make a chain invalid under RFC 5280 for its TLS use,
// whoever judges it.
func tcMustRefuse() map[tcFault]string {
	return map[tcFault]string{
		tcLeafEKUServer: "RFC 5280 4.2.1.12: an EKU without clientAuth", tcLeafKUNoSign: "RFC 8446 4.4.2.2", tcLeafExpired: "RFC 5280 6.1.3 (a)(2)",
		tcLeafNotYet: "RFC 5280 6.1.3 (a)(2)", tcInterExpired: "RFC 5280 6.1.3 (a)(2)", tcInterNotCA: "RFC 5280 6.1.4 (k)",
		tcInterNoBC: "RFC 5280 6.1.4 (k)", tcInterNoCertSign: "RFC 5280 6.1.4 (n)", tcInterEKUServer: "EKU nesting (crypto/x509, openssl)",
		tcRootPathLen0: "RFC 5280 6.1.4 (m)", tcNCDirName: "RFC 5280 4.2.1.10", tcNCEmailSAN: "RFC 5280 4.2.1.10",
		tcInterMissing: "no path", tcForeignRoot: "no path", tcRevoked: "RFC 5280 6.3",
		tcSrvNameMismatch: "RFC 6125 6.4", tcSrvEKUClient: "RFC 5280 4.2.1.12", tcSrvExpired: "RFC 5280 6.1.3 (a)(2)",
		tcSrvInterMissing: "no path", tcSrvInterEKU: "EKU nesting", tcSrvKUNoSign: "RFC 8446 4.4.2.2, RFC 5246 7.4.2: the server signs the handshake",
	}
}

// tcWhy explains one difference: a fault of the case, which side accepts, and why.
type tcWhy struct {
	signetAccepts bool // signet accepts what openssl refuses (else the reverse)
	why           string
	// holds, when not nil, narrows the explanation to the draws it is true of, and to what
	// openssl said (the verdict).
	holds func(c *tcCase, v tcVerdict) bool
}

// tcOsslPurpose reports whether openssl refused a chain for its purpose (X509_V_ERR_INVALID_PURPOSE,
// 26): what the anyExtendedKeyUsage explanations explain. s_server logs it for the client
// chain; s_client's verify return code says it for the server chain.
func tcOsslPurpose(v tcVerdict, server bool) bool {
	if server {
		return v.osslCode == 26
	}
	_, sserver, _ := strings.Cut(v.osslOut, "\n--- s_server:\n")
	return strings.Contains(sserver, "verify error:num=26:")
}

// tcWhys are the faults the two sides judge differently, and why.
func tcWhys() map[tcFault]tcWhy {
	return map[tcFault]tcWhy{
		tcLeafEKUAny: {signetAccepts: true, why: "signet's documented choice (verify.Policy.EKUs): a leaf whose extended key usage is " +
			"anyExtendedKeyUsage allows every usage (RFC 5280 4.2.1.12), as in crypto/x509; openssl's sslclient purpose wants clientAuth listed",
			holds: func(c *tcCase, v tcVerdict) bool { return tcOsslPurpose(v, false) }},
		tcInterEKUAny: {signetAccepts: true, why: "signet's documented choice (verify.Policy.EKUs): a CA certificate whose extended key " +
			"usage is anyExtendedKeyUsage restricts nothing, as in crypto/x509; openssl's sslclient purpose wants clientAuth listed by every CA that has the extension",
			holds: func(c *tcCase, v tcVerdict) bool { return tcOsslPurpose(v, false) }},
		tcSrvEKUAny: {signetAccepts: true, why: "signet's documented choice under the rfc5280 profile (verify.Policy.EKUs; --profile webpki " +
			"refuses it, signet.eku-any): anyExtendedKeyUsage allows every usage (RFC 5280 4.2.1.12); openssl's sslserver purpose wants serverAuth listed",
			holds: func(c *tcCase, v tcVerdict) bool { return tcOsslPurpose(v, true) }},
		tcSrvCNOnly: {signetAccepts: false, why: "signet never takes the subject's common name as a host name (verify.Policy.DNSName; " +
			"RFC 6125 6.4.4 makes it a fallback only, Baseline Requirements 7.1.2.7.12 require the SAN); openssl's X509_check_host " +
			"falls back to the CN of a certificate without DNS names"},
		tcLeafKUNoSign: {signetAccepts: false, why: "a client signs the handshake (CertificateVerify), which RFC 8446 4.4.2.2 says its " +
			"certificate must allow: signet requires digitalSignature of a key usage; openssl's sslclient purpose also takes keyAgreement " +
			"(for the fixed-DH client certificates of RFC 5246 7.4.6, which TLS 1.3 has not and crypto/tls never offers)",
			holds: func(c *tcCase, _ tcVerdict) bool { return c.cLeafKU == "keyAgreement" }},
		tcSrvKUNoSign: {signetAccepts: false, why: "a server signs the handshake (signet's clients agree to no RSA key transport), which " +
			"RFC 8446 4.4.2.2 and RFC 5246 7.4.2 say its certificate must allow: signet requires digitalSignature of a key usage; " +
			"openssl s_client checks it only of an ECC certificate under TLS 1.2 (ssl_check_srvr_ecc_cert_and_alg)",
			holds: func(c *tcCase, _ tcVerdict) bool { return c.sLeafKey == "rsa" || c.tls == "1.3" }},
	}
}

// tcVerdict is what the handshakes of a case found.
type tcVerdict struct {
	serve    bool   // signet tls serve let the client in
	serveLog string // its log
	ossl     bool   // openssl s_server let the client in
	osslOut  string // s_client's output against s_server
	osslCode int    // s_client's verify return code for the server chain
	osslText string
	// osslHandshakeFailed: s_client got no handshake with s_server ("Cipher is (NONE)"); its
	// verify return code is then about nothing, and s_server judged no client chain.
	osslHandshakeFailed bool
	osslKURefused       bool // s_client refused an ECC server certificate without digitalSignature
	check               tcCheckReport
	checkOut            string
}

type tcCheckReport struct {
	ServerTrusted bool   `json:"server_trusted"`
	ServerError   string `json:"server_error"`
	Accepted      bool   `json:"client_cert_accepted"`
	Sent          any    `json:"client_cert_sent"`
	OK            bool   `json:"ok"`
	Reason        string `json:"reason"`
	Detail        string `json:"detail"`
}

// tcVerifyCode reads s_client's verdict on the server chain (built on first use: a test
// binary's init counts against initBudget).
var tcVerifyCode = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`Verify return code: (\d+) \(([^)]*)\)`) })

// tcSClient runs openssl s_client to addr with args, stdin in, and returns what it printed.
func tcSClient(ctx context.Context, openssl, addr, stdin string, args ...string) string {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, openssl, append([]string{"s_client", "-connect", addr, "-ign_eof"}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, _ := cmd.CombinedOutput()
	return string(out)
}

// tcStartTunnel runs the server side of 'signet tls tunnel' in process, with the fixture
// server identity and the further flags, in front of a service that greets each connection;
// it returns the address, the log (complete once stop has been called) and stop.
func tcStartTunnel(t *testing.T, flags ...string) (addr string, log *syncBuffer, stop func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	testutil.ServeConns(t, ln, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(20 * time.Second))
		io.WriteString(c, "hello from behind the tunnel\n")
	})
	return startInProcess(t, "tls tunnel", append([]string{"signet", "tls", "tunnel", "--listen", "127.0.0.1:0",
		"--tls", "--forward", ln.Addr().String(), "--cert", fixturePKI(t, "server-chain.pem"), "--key", fixturePKI(t, "server.key"),
		"--shutdown-grace", "5s"}, flags...))
}

func (c *tcCase) versionFlag() string {
	if c.tls == "1.2" {
		return "-tls1_2"
	}
	return "-tls1_3"
}

// play runs the case's handshakes.
func (c *tcCase) play(t *testing.T, openssl string, f tcFiles) tcVerdict {
	t.Helper()
	var v tcVerdict
	ctx := context.Background()
	clientArgs := []string{"-cert", f.cLeaf, "-key", f.cKey}
	if c.cInter && c.cInterSent {
		clientArgs = append(clientArgs, "-cert_chain", f.cInter)
	}
	clientArgs = append(clientArgs, c.versionFlag())

	// The client chain to signet tls serve or the server side of signet tls tunnel.
	var addr string
	var log *syncBuffer
	var stop func()
	greeting := "hello, "
	if c.signetServer == "tunnel" {
		flags := []string{"--client-roots", f.cRoot}
		if c.cInter && c.cInterGiven {
			flags = append(flags, "--intermediates", f.cInter)
		}
		if f.cCRL != "" {
			flags = append(flags, "--crl", f.cCRL)
		}
		addr, log, stop = tcStartTunnel(t, flags...)
		greeting = "hello from behind the tunnel"
	} else {
		flags := []string{"--client-ca", f.cRoot, "--require-client-cert", "--min-version", c.tls, "--max-version", c.tls}
		if c.cInter && c.cInterGiven {
			flags = append(flags, "--client-intermediates", f.cInter)
		}
		if f.cCRL != "" {
			flags = append(flags, "--crl", f.cCRL)
		}
		addr, log, stop = startServe(t, flags...)
	}
	out := tcSClient(ctx, openssl, addr, "", append([]string{"-CAfile", fixturePKI(t, "root-ca.pem")}, clientArgs...)...)
	stop()
	v.serve = strings.Contains(out, greeting)
	v.serveLog = log.String()

	// openssl s_server: the client chain judged by it, the server chain by both clients.
	sargs := []string{"-cert", f.sLeaf, "-key", f.sKey, "-Verify", "5", "-verify_return_error", "-CAfile", f.cOsslCAfile, "-purpose", "sslclient"}
	if f.sInter != "" {
		sargs = append(sargs, "-cert_chain", f.sInter)
	}
	if f.cCRL != "" {
		sargs = append(sargs, "-crl_check", "-CRL", f.cCRL)
	}
	saddr, wait := tcSServer(t, openssl, 2, sargs...)
	_, port, _ := strings.Cut(saddr, ":")
	target := "127.0.0.1:" + port
	var stdout, stderr bytes.Buffer
	code := runContext(ctx, []string{"signet", "tls", "check", target, "--server-name", c.host, "--roots", f.sRoot,
		"--cert", f.cSent, "--key", f.cKey, "--json", "--min-version", c.tls, "--max-version", c.tls, "--timeout", "10s"}, &stdout, &stderr)
	v.checkOut = fmt.Sprintf("exit %d: %s%s", code, stdout.String(), stderr.String())
	if err := json.Unmarshal(stdout.Bytes(), &v.check); err != nil {
		t.Errorf("%v\n\tsignet tls check: %v: %s", c, err, v.checkOut)
	}
	if (code == 0) != v.check.OK {
		t.Errorf("%v\n\tsignet tls check exit %d with ok %v", c, code, v.check.OK)
	}
	hostArgs := []string{"-verify_hostname", c.host, "-servername", c.host}
	if c.host == "127.0.0.1" {
		hostArgs = []string{"-verify_ip", c.host}
	}
	v.osslOut = tcSClient(ctx, openssl, target, "GET / HTTP/1.0\r\n\r\n", append(append([]string{"-CAfile", f.sRoot}, hostArgs...), clientArgs...)...)
	v.osslOut += "\n--- s_server:\n" + wait()
	v.ossl = strings.Contains(v.osslOut, "HTTP/1.0 200 ok")
	v.osslHandshakeFailed = strings.Contains(v.osslOut, "Cipher is (NONE)")
	if strings.Contains(v.osslOut, "ecc cert not for signing") {
		// s_client refused the server's certificate for its key usage (TLS 1.2): a verdict on
		// the server chain, which its verify return code does not carry.
		v.osslKURefused, v.osslHandshakeFailed = true, false
	}
	v.osslCode = -1
	if m := tcVerifyCode().FindStringSubmatch(v.osslOut); m != nil {
		v.osslCode, _ = strconv.Atoi(m[1])
		v.osslText = m[2]
	}
	return v
}

// noHandshake reports whether neither client got a handshake with openssl s_server.
func (v tcVerdict) noHandshake() bool {
	return v.osslHandshakeFailed && v.check.Reason == "handshake failed" && !v.check.ServerTrusted
}

// problems lists what is wrong with a verdict: a refusal-worthy chain signet accepts, a
// difference from openssl that no drawn fault explains, a report of tls check that says
// otherwise than openssl s_server did.
func (c *tcCase) problems(v tcVerdict) []string {
	var out []string
	must, whys := tcMustRefuse(), tcWhys()
	// explain finds the explanation of a difference. Where signet accepts, every fault drawn
	// on that side must be one signet is explained to accept: openssl stops at its first
	// error, and a fault signet should refuse beside an explained one (a stale CRL beside an
	// anyExtendedKeyUsage leaf) would hide behind the explanation.
	explain := func(faults []tcFault, signetAccepts bool) string {
		if signetAccepts {
			for _, f := range faults {
				if w, ok := whys[f]; !ok || !w.signetAccepts {
					return ""
				}
			}
		}
		for _, f := range faults {
			if w, ok := whys[f]; ok && w.signetAccepts == signetAccepts && (w.holds == nil || w.holds(c, v)) {
				return string(f) + ": " + w.why
			}
		}
		return ""
	}
	// The client chain: signet tls serve against openssl s_server.
	cf := c.clientFaults()
	for _, f := range cf {
		if must[f] != "" && v.serve {
			out = append(out, fmt.Sprintf("FAIL-OPEN: signet (tls %s) let in a client whose chain has %s (%s)", c.signetServer, f, must[f]))
		}
	}
	if !v.osslHandshakeFailed && !v.osslKURefused && v.serve != v.ossl && explain(cf, v.serve) == "" {
		out = append(out, fmt.Sprintf("client chain: tls %s %v, openssl s_server %v, unexplained", c.signetServer, v.serve, v.ossl))
	}
	// The server chain: signet tls check against openssl s_client.
	sf := c.serverFaults()
	osslTrusts := v.osslCode == 0 && !v.osslKURefused
	for _, f := range sf {
		if must[f] != "" && v.check.ServerTrusted {
			out = append(out, fmt.Sprintf("FAIL-OPEN: tls check trusted a server whose chain has %s (%s)", f, must[f]))
		}
	}
	switch {
	case v.osslCode < 0 && !v.osslKURefused:
		out = append(out, "openssl s_client gave no verify return code")
	case v.noHandshake():
		// openssl s_server does not sign with a key its certificate does not let sign
		// (ECDSA, Ed25519: digitalSignature; ssl_set_masks) and has no suite for either
		// client: there is no server chain to judge, nor client chain. Only that fault may
		// cause it.
		if !c.faults[tcSrvKUNoSign] || c.sLeafKey != "p256" {
			out = append(out, "no handshake with openssl s_server for either client, and no drawn cause")
		}
	case v.osslHandshakeFailed || v.check.Reason == "handshake failed" && !v.osslKURefused:
		out = append(out, fmt.Sprintf("one client's handshake with openssl s_server failed, not the other's: openssl %v, tls check %q",
			v.osslHandshakeFailed, v.check.Reason))
	case v.check.ServerTrusted != osslTrusts && explain(sf, v.check.ServerTrusted) == "":
		out = append(out, fmt.Sprintf("server chain: tls check %v, openssl s_client %v (%s), unexplained", v.check.ServerTrusted, osslTrusts, v.osslText))
	}
	// tls check's report of the client certificate, when it got to send it.
	if v.check.ServerTrusted && !v.osslKURefused {
		if v.check.Accepted != v.ossl || v.check.OK != v.ossl {
			out = append(out, fmt.Sprintf("tls check reports the client certificate accepted %v (ok %v, %s), openssl s_server decided %v",
				v.check.Accepted, v.check.OK, v.check.Reason, v.ossl))
		}
		if !v.check.OK && v.check.Reason != "client certificate rejected" {
			out = append(out, fmt.Sprintf("tls check's reason for a refused client certificate is %q", v.check.Reason))
		}
	}
	return out
}

// tcSeeds is the seeds 1 to tcPinnedSeeds, or those SIGNET_TC_SEEDS names as first:count.
func tcSeeds(t *testing.T) []int64 {
	n := tcPinnedSeeds
	if raceEnabled {
		n = tcPinnedSeedsRace
	}
	return testutil.Seeds(t, "SIGNET_TC_SEEDS", n)
}

func TestTLSClientCertCampaign(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	if out, _ := exec.Command(openssl, "version").Output(); !strings.HasPrefix(string(out), "OpenSSL 3.") {
		t.Skipf("openssl is %s; the explanations are written for OpenSSL 3", strings.TrimSpace(string(out)))
	}
	seeds := tcSeeds(t)
	var mu sync.Mutex
	tally := map[string]int{}
	t.Run("seeds", func(t *testing.T) {
		for _, seed := range seeds {
			t.Run(strconv.FormatInt(seed, 10), func(t *testing.T) {
				t.Parallel()
				c := tcDraw(seed)
				v := c.play(t, openssl, c.build(t, t.TempDir()))
				if len(seeds) <= 5 && testing.Verbose() { // a few seeds replayed: say what each side said
					t.Logf("%v\n\tsignet tls %s: %v: %s\n\ttls check: %s\n\topenssl: s_server %v, verify %d (%s)\n%s",
						c, c.signetServer, v.serve, strings.TrimSpace(v.serveLog), v.checkOut, v.ossl, v.osslCode, v.osslText, tcTail(v.osslOut))
				}
				for _, p := range c.problems(v) {
					t.Errorf("%v\n\t%s\n\ttls serve: %v: %s\n\ttls check: %s\n\topenssl: s_server %v, verify %d (%s)\n%s",
						c, p, v.serve, strings.TrimSpace(v.serveLog), v.checkOut, v.ossl, v.osslCode, v.osslText, tcTail(v.osslOut))
				}
				mu.Lock()
				defer mu.Unlock()
				if v.noHandshake() {
					tally[fmt.Sprintf("client: %-6s %-5v s_server (no handshake) %s", c.signetServer, v.serve, faultList(c.clientFaults()))]++
					tally[fmt.Sprintf("server: no handshake with s_server %s", faultList(c.serverFaults()))]++
				} else {
					tally[fmt.Sprintf("client: %-6s %-5v s_server %-5v %s", c.signetServer, v.serve, v.ossl, faultList(c.clientFaults()))]++
					tally[fmt.Sprintf("server: check %-5v s_client %-5v %s", v.check.ServerTrusted, v.osslCode == 0 && !v.osslKURefused, faultList(c.serverFaults()))]++
				}
			})
		}
	})
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(tally)) {
		fmt.Fprintf(&b, "\n  %4d %s", tally[k], k)
	}
	t.Logf("%d seeds:%s", len(seeds), b.String())
}

func faultList(fs []tcFault) string {
	if len(fs) == 0 {
		return "(valid)"
	}
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = string(f)
	}
	return strings.Join(s, " ")
}

// tcTail is the lines of openssl's output worth reading in a failure.
func tcTail(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "error") || strings.Contains(l, "Verify return") || strings.Contains(l, "alert") ||
			strings.Contains(l, "HTTP/1.0") || strings.Contains(l, "verify") {
			keep = append(keep, "\t\t"+strings.TrimSpace(l))
		}
	}
	return strings.Join(keep, "\n")
}
