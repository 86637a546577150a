package tlsaudit

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
)

// TestAuditFindsEverySuiteOpenSSLServes: the suites OpenSSL 3.0 negotiates with a certificate
// (no PSK or SRP) that the suite table did not list were never offered, so never found: among
// them six anonymous suites, a failure each, and the CCM_8 suites of DHE and RSA key exchange.
// An openssl s_server that serves only those (an ECDSA and an RSA certificate) was reported as
// accepting TLS 1.2 with "none of the suites offered".
func TestAuditFindsEverySuiteOpenSSLServes(t *testing.T) {
	t.Parallel()
	want := map[string]Verdict{
		"TLS_DH_anon_WITH_AES_128_CBC_SHA256":      Fail,
		"TLS_DH_anon_WITH_AES_256_CBC_SHA256":      Fail,
		"TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA":    Fail,
		"TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA":    Fail,
		"TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256": Fail,
		"TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256": Fail,
		"TLS_DHE_RSA_WITH_AES_128_CCM_8":           OK,
		"TLS_DHE_RSA_WITH_AES_256_CCM_8":           OK,
		"TLS_RSA_WITH_AES_128_CCM_8":               Warn,
		"TLS_RSA_WITH_AES_256_CCM_8":               Warn,
	}
	rep := runAudit(t, sServer(t, "-tls1_2", "-dcert", pki(t, "client.pem"), "-dkey", pki(t, "client.key"), "-cipher",
		"ADH-AES128-SHA256:ADH-AES256-SHA256:ADH-CAMELLIA128-SHA:ADH-CAMELLIA256-SHA:ADH-CAMELLIA128-SHA256:ADH-CAMELLIA256-SHA256:"+
			"DHE-RSA-AES128-CCM8:DHE-RSA-AES256-CCM8:AES128-CCM8:AES256-CCM8:@SECLEVEL=0"))
	var got []string
	for _, s := range rep.version(VersionTLS12).Suites {
		got = append(got, s.Name)
	}
	for name, v := range want {
		if !slices.Contains(got, name) {
			t.Errorf("%s not found (found %v)", name, got)
			continue
		}
		for _, f := range findings(rep, AreaCipher, "TLS 1.2 "+name) {
			if f.Subject == "TLS 1.2 "+name && f.Verdict != v {
				t.Errorf("%s: %s, want %s", name, f.Verdict, v)
			}
		}
	}
	if len(got) != len(want) {
		t.Errorf("found %d suites, want %d: %v", len(got), len(want), got)
	}
}

// TestSuiteTableCoversOpenSSL: every suite this openssl can negotiate with a certificate (its
// whole list at security level 0, less PSK and SRP, which need a shared secret the audit does
// not have) is in the table the probes offer, so that none a server accepts goes unfound.
func TestSuiteTableCoversOpenSSL(t *testing.T) {
	t.Parallel()
	openssl := testutil.RequireTool(t, "openssl")
	out, err := exec.Command(openssl, "ciphers", "-V", "ALL:COMPLEMENTOFALL:@SECLEVEL=0").Output()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || strings.Contains(f[4], "PSK") || strings.Contains(f[4], "SRP") {
			continue
		}
		var hi, lo uint16
		if _, err := fmt.Sscanf(f[0], "0x%02X,0x%02X", &hi, &lo); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		n++
		if id := hi<<8 | lo; suiteByID()[id] == nil {
			t.Errorf("%s (0x%04x, %s %s) is not in the suite table", f[2], id, f[4], f[5])
		}
	}
	if n < 80 { // 92 in OpenSSL 3.0
		t.Fatalf("only %d suites read from openssl ciphers:\n%s", n, out)
	}
}

// TestAuditTLS13ResumptionUntestedWithoutClientCert: a TLS 1.3 server that requires a client
// certificate ends the connection with an alert (certificate_required) once the client's
// side of the handshake is done, before any ticket. The audit read that as "the server
// issues no session ticket", tls13_psk false in the JSON, a fact about a server that was
// never asked; it is not tested (nil), as TLS 1.2 resumption is in that case.
func TestAuditTLS13ResumptionUntestedWithoutClientCert(t *testing.T) {
	t.Parallel()
	rep := runAudit(t, sServer(t, "-tls1_3", "-Verify", "1", "-CAfile", pki(t, "root-ca.pem")))
	if rep.Resumption.PSK13 != nil {
		t.Errorf("tls13_psk %v, want not tested\n%s", *rep.Resumption.PSK13, dump(rep))
	}
	fs := findings(rep, AreaResumption, "TLS 1.3")
	if len(fs) != 1 || !strings.Contains(fs[0].Detail, "not tested") || !strings.Contains(fs[0].Detail, "give one to test this") {
		t.Errorf("findings %+v", fs)
	}
	// Asked but not required: the tickets come, and resumption is tested.
	asks := runAudit(t, sServer(t, "-tls1_3", "-verify", "1", "-CAfile", pki(t, "root-ca.pem")))
	if p := asks.Resumption.PSK13; p == nil || !*p {
		t.Errorf("a certificate asked for, not required: tls13_psk %v\n%s", p, dump(asks))
	}
}

// TestAuditFindsGnuTLSSuites: the suites GnuTLS serves that OpenSSL has not were missing from
// the table, so never offered and never found: Camellia-GCM of every key exchange, and the
// anonymous ECDH suites with RC4 and 3DES, two failures sslscan finds (noticed by the au
// campaign). gnutls-serv with them enabled and an RSA certificate.
func TestAuditFindsGnuTLSSuites(t *testing.T) {
	t.Parallel()
	rep := runAudit(t, gnutlsServCert(t, "client", "NORMAL:-VERS-TLS1.3:+CAMELLIA-128-GCM:+ANON-ECDH:+ANON-DH:+3DES-CBC:+ARCFOUR-128", "-a"))
	want := map[string]Verdict{
		"TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256":       Warn,
		"TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256":   OK,
		"TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256": OK,
		"TLS_DH_anon_WITH_CAMELLIA_128_GCM_SHA256":   Fail,
		"TLS_ECDH_anon_WITH_RC4_128_SHA":             Fail,
		"TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA":        Fail,
	}
	for name, v := range want {
		fs := findings(rep, AreaCipher, "TLS 1.2 "+name)
		if len(fs) != 1 || fs[0].Verdict != v {
			t.Errorf("%s: %+v, want one finding %s", name, fs, v)
		}
	}
	if t.Failed() {
		t.Log(dump(rep))
	}
}

// TestSuiteTableCoversGnuTLS: every suite gnutls-cli lists (less PSK, SRP and GOST) is in the
// table.
func TestSuiteTableCoversGnuTLS(t *testing.T) {
	t.Parallel()
	cli := testutil.RequireTool(t, "gnutls-cli")
	out, err := exec.Command(cli, "-l").Output()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || !strings.HasPrefix(f[0], "TLS_") || !strings.HasPrefix(f[1], "0x") ||
			strings.Contains(f[0], "PSK") || strings.Contains(f[0], "SRP") || strings.Contains(f[0], "GOST") {
			continue
		}
		var hi, lo uint16
		if _, err := fmt.Sscanf(f[1]+" "+f[2], "0x%02x, 0x%02x", &hi, &lo); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		n++
		if id := hi<<8 | lo; suiteByID()[id] == nil {
			t.Errorf("%s (0x%04x) is not in the suite table", f[0], id)
		}
	}
	if n < 50 {
		t.Fatalf("only %d suites read from gnutls-cli -l:\n%s", n, out)
	}
}

// TestAuditTLS12CurvesBehindAnECDSALeafNotSeen: in TLS 1.2 a server signs ECDHE_ECDSA with its
// ECDSA certificate only when the client's supported_groups allow that certificate's curve,
// so a curve offered alone with those suites is refused. The audit offered the curve again
// beside the curve of the leaf it had seen; a server with an RSA and an ECDSA certificate
// that showed the RSA one in the chain handshake had its curves probed alone only, and
// those its ECDHE_ECDSA suites accept went unreported (noticed by the au campaign).
func TestAuditTLS12CurvesBehindAnECDSALeafNotSeen(t *testing.T) {
	t.Parallel()
	rep := runAudit(t, sServer(t, "-tls1_2", "-serverpref", "-cipher", "AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256",
		"-groups", "X25519:P-384", "-dcert", pki(t, "client.pem"), "-dkey", pki(t, "client.key"), "-dcert_chain", pki(t, "int-ca.pem")))
	if len(rep.Chain) == 0 || rep.Chain[0].Key != "RSA 2048" {
		t.Fatalf("the chain handshake did not get the RSA leaf: %+v", rep.Chain)
	}
	if g := strings.Join(rep.version(VersionTLS12).Groups, ","); g != "x25519,secp384r1" {
		t.Errorf("TLS 1.2 curves %q, want x25519,secp384r1\n%s", g, dump(rep))
	}
}

// TestAuditSuitesPastAHelloTheServerFails: the suites were enumerated by offering all, taking
// away the one chosen, until the server refused; a server that picks a suite it then cannot
// serve refuses the whole hello though it accepts others in it. gnutls-serv with DHE-RSA in
// its priorities but no finite-field group picks a DHE suite when the client prefers one and
// fails (internal_error): the audit stopped at the first DHE suite of its list and missed the
// 3DES suites after it, failures both, and every RSA key exchange suite (noticed by the au
// campaign). The rest is now offered again by key exchange and authentication.
func TestAuditSuitesPastAHelloTheServerFails(t *testing.T) {
	t.Parallel()
	rep := runAudit(t, gnutlsServCert(t, "client", "NORMAL:-VERS-TLS1.3:+3DES-CBC:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1"))
	for name, v := range map[string]Verdict{
		"TLS_RSA_WITH_3DES_EDE_CBC_SHA":         Fail,
		"TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA":   Fail,
		"TLS_RSA_WITH_AES_256_GCM_SHA384":       Warn,
		"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA":    Warn,
		"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": OK,
	} {
		if fs := findings(rep, AreaCipher, "TLS 1.2 "+name); len(fs) != 1 || fs[0].Verdict != v {
			t.Errorf("%s: %+v, want one finding %s", name, fs, v)
		}
	}
	if fs := findings(rep, AreaCipher, "TLS 1.2 TLS_DHE_"); len(fs) != 0 {
		t.Errorf("DHE suites the server cannot serve: %+v", fs)
	}
	if t.Failed() {
		t.Log(dump(rep))
	}
}

// TestAuditServerGoneMidway: a server that stops taking connections during the audit (it
// crashed, or a connection limit or a ban set in) was reported probe by probe as refusing
// what it was never asked: "TLS 1.0: not accepted (dial tcp ...: connection refused)", an OK
// verdict. A probe that cannot connect now ends the audit with ErrUnreachable (noticed by
// the au campaign, an openssl s_server that exited at its first handshake).
func TestAuditServerGoneMidway(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.LoadX509KeyPair(pki(t, "server-chain.pem"), pki(t, "server.key"))
	if err != nil {
		t.Fatal(err)
	}
	// The reachability dial and the SSL 3.0 probe get an answer; then the port is closed.
	go func() {
		for i := 0; i < 2; i++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
			tc.SetDeadline(time.Now().Add(5 * time.Second))
			tc.Handshake()
			tc.Close()
		}
		ln.Close()
	}()
	t.Cleanup(func() { ln.Close() })
	rep, err := Audit(context.Background(), Options{Addr: ln.Addr().String(), ServerName: "www.example.com", Policy: fixturePolicy(t), Timeout: 3 * time.Second})
	if !errors.Is(err, ErrUnreachable) {
		if rep != nil {
			t.Errorf("report:\n%s", dump(rep))
		}
		t.Fatalf("Audit: %v, want ErrUnreachable", err)
	}
}

// TestAuditTLS12CurvesUndetermined: a server whose TLS 1.2 ECDHE suites are ECDHE_ECDSA ones
// and that chooses the curve by its own order cannot be asked about a curve alone (its
// certificate's curve must be offered too, and it prefers that one): the audit listed only
// the certificate's curve, as if the others were refused. They are now reported as not
// determined, in a finding and in groups_undetermined (noticed by the au campaign).
func TestAuditTLS12CurvesUndetermined(t *testing.T) {
	t.Parallel()
	rep := runAudit(t, sServer(t, "-tls1_2", "-serverpref", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256", "-groups", "P-256:P-384:X25519"))
	vr := rep.version(VersionTLS12)
	if g := strings.Join(vr.Groups, ","); g != "secp256r1" {
		t.Errorf("TLS 1.2 curves %q, want secp256r1", g)
	}
	if u := strings.Join(vr.GroupsUndetermined, ","); u != "x25519,secp384r1,secp521r1,x448" {
		t.Errorf("undetermined %q", u)
	}
	if fs := findings(rep, AreaGroup, "TLS 1.2"); len(fs) != 2 || !strings.Contains(fs[1].Detail, "not determined") {
		t.Errorf("findings %+v", fs)
	}
}
