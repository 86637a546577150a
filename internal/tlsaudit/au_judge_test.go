package tlsaudit

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/tlsprobe"
	"github.com/signet-pki/signet/x509util"
)

// The au campaign's servers, its peers (sslscan, openssl s_client) and its judges.

// auStart starts the case's server and returns its address.
func auStart(t *testing.T, p *auPKI, c *auCase) string {
	t.Helper()
	switch c.kind {
	case auOpenSSL:
		return startServer(t, "openssl", func(addr string) []string {
			return append([]string{"s_server", "-accept", addr, "-quiet"}, c.args...)
		})
	case auGnuTLS:
		return startServer(t, "gnutls-serv", func(addr string) []string {
			_, port, _ := net.SplitHostPort(addr)
			return append([]string{"--port", port}, c.args...)
		})
	}
	cert, err := tls.LoadX509KeyPair(p.gnutlsChainEC, p.leafECKey)
	if err != nil {
		t.Fatal(err)
	}
	root, err := x509.ParseCertificate(mustRead(t, p.root))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(root)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- tlsprobe.Serve(ctx, tlsprobe.ServeOptions{Listener: ln, Certificate: cert, ClientCAs: pool,
			RequireClientCert: c.certRequired, MaxVersion: c.signetMax, HandshakeTimeout: 5 * time.Second})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// mustRead returns the DER of the first PEM block of a file.
func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	certs, err := x509util.LoadCertificates(path)
	if err != nil {
		t.Fatal(err)
	}
	return certs[0].Raw
}

// auOpenSSLNames is openssl's name of every suite it has, by id.
func auOpenSSLNames(t *testing.T) map[uint16]string {
	t.Helper()
	out, err := exec.Command("openssl", "ciphers", "-V", "ALL:COMPLEMENTOFALL:@SECLEVEL=0").Output()
	if err != nil {
		t.Fatal(err)
	}
	m := map[uint16]string{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		var hi, lo uint16
		if len(f) >= 3 {
			if _, err := fmt.Sscanf(f[0], "0x%02X,0x%02X", &hi, &lo); err == nil {
				m[hi<<8|lo] = f[2]
			}
		}
	}
	for _, s := range suites() {
		if s.tls13 {
			m[s.id] = s.name // -ciphersuites takes the IANA names
		}
	}
	return m
}

// auSClientSuite offers suite id alone at version v with openssl s_client: whether the server
// took it, and whether s_client could offer it at all.
func auSClientSuite(addr string, v, id uint16, ossl map[uint16]string) (accepted, known bool) {
	name := ossl[id]
	if name == "" {
		return false, false
	}
	args := []string{"s_client", "-connect", addr, "-servername", "www.example.com"}
	switch v {
	case VersionTLS13:
		args = append(args, "-tls1_3", "-ciphersuites", name, "-groups", "X25519:P-256:P-384:P-521:X448:ffdhe2048:ffdhe3072:ffdhe4096")
	default:
		args = append(args, map[uint16]string{VersionTLS10: "-tls1", VersionTLS11: "-tls1_1", VersionTLS12: "-tls1_2"}[v], "-cipher", name+":@SECLEVEL=0")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "openssl", args...)
	cmd.Stdin = strings.NewReader("")
	out, _ := cmd.CombinedOutput()
	return strings.Contains(string(out), "Cipher is "+name) || strings.Contains(string(out), "Cipher    : "+name), true
}

// auGoSuite offers suite id alone at version v (below TLS 1.3) with crypto/tls: whether the
// server took it, and whether crypto/tls has it.
func auGoSuite(addr string, v, id uint16) (accepted, known bool) {
	if v == VersionTLS13 || !slices.ContainsFunc(append(tls.CipherSuites(), tls.InsecureCipherSuites()...), func(s *tls.CipherSuite) bool { return s.ID == id }) {
		return false, false
	}
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return false, true
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	err = tls.Client(c, &tls.Config{ServerName: "www.example.com", InsecureSkipVerify: true, MinVersion: v, MaxVersion: v,
		CipherSuites: []uint16{id}}).Handshake()
	return err == nil, true
}

func auSymDiff(a, b []uint16) []uint16 {
	var d []uint16
	for _, x := range a {
		if !slices.Contains(b, x) {
			d = append(d, x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			d = append(d, x)
		}
	}
	return d
}

// auExpectedSuites is what openssl s_server with the case's -cipher list allows at version v
// ('openssl ciphers -s' at that version), less what its certificates cannot serve: DSS suites
// (no DSA certificate), RSA-authenticated ones without the RSA leaf (the EC leaf is always
// served), and ECDHE ones when no elliptic curve is among the groups.
func auExpectedSuites(t *testing.T, c *auCase, v uint16) []uint16 {
	t.Helper()
	flag := map[uint16]string{VersionTLS10: "-tls1", VersionTLS11: "-tls1_1", VersionTLS12: "-tls1_2"}[v]
	out, err := exec.Command("openssl", "ciphers", "-s", "-V", flag, c.cipherList).Output()
	if err != nil {
		return nil // no suite matches the list at all
	}
	ec := slices.ContainsFunc(c.groups, ecGroup)
	var ids []uint16
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 7 {
			continue
		}
		var hi, lo uint16
		if _, err := fmt.Sscanf(f[0], "0x%02X,0x%02X", &hi, &lo); err != nil {
			t.Fatalf("openssl ciphers: %q", line)
		}
		kx, au := strings.TrimPrefix(f[4], "Kx="), strings.TrimPrefix(f[5], "Au=")
		switch {
		case au == "DSS", au == "RSA" && !c.rsa, kx == "ECDH" && !ec, strings.Contains(kx, "PSK"), kx == "SRP":
			continue
		}
		ids = append(ids, hi<<8|lo)
	}
	slices.Sort(ids)
	return ids
}

func auSuiteIDs(vr *VersionReport) []uint16 {
	var ids []uint16
	for _, s := range vr.Suites {
		id, _ := strconv.ParseUint(strings.TrimPrefix(s.ID, "0x"), 16, 16)
		ids = append(ids, uint16(id))
	}
	slices.Sort(ids)
	return ids
}

func auHex(ids []uint16) string {
	var s []string
	for _, id := range ids {
		s = append(s, fmt.Sprintf("%04x(%s)", id, suiteName(id)))
	}
	return "[" + strings.Join(s, " ") + "]"
}

func auGroupIDs(names []string) []uint16 {
	var ids []uint16
	for _, g := range groups {
		if slices.Contains(names, GroupName(g)) {
			ids = append(ids, g)
		}
	}
	slices.Sort(ids)
	return ids
}

func auAccepted(rep *Report) []uint16 {
	var vs []uint16
	for _, v := range probedVersions {
		if vr := rep.version(v); vr != nil && vr.Accepted {
			vs = append(vs, v)
		}
	}
	return vs
}

// auWantVersions is the versions the configuration makes the server accept.
func auWantVersions(t *testing.T, c *auCase) []uint16 {
	t.Helper()
	want := slices.Clone(c.versions)
	if c.kind == auGnuTLS && !c.rsa && (c.noECDSAKx || !slices.ContainsFunc(c.groups, ecGroup)) {
		// The EC leaf's only key exchange below TLS 1.3 is ECDHE_ECDSA.
		want = slices.DeleteFunc(want, func(v uint16) bool { return v < VersionTLS13 })
	}
	if c.kind == auOpenSSL {
		// A version is accepted only when the -cipher list leaves it a suite.
		want = slices.DeleteFunc(want, func(v uint16) bool { return v < VersionTLS13 && len(auExpectedSuites(t, c, v)) == 0 })
	}
	return want
}

// auJudgeConfig judges the report against what the configuration drawn makes the server do.
func auJudgeConfig(t *testing.T, c *auCase, rep *Report, p *auPKI) []string {
	t.Helper()
	var d []string
	want := auWantVersions(t, c)
	if got := auAccepted(rep); !slices.Equal(got, want) {
		d = append(d, fmt.Sprintf("config: versions accepted %v, want %v", auNames(got), auNames(want)))
	}
	for _, v := range auAccepted(rep) {
		vr := rep.version(v)
		got := auSuiteIDs(vr)
		switch {
		case c.kind == auOpenSSL && v < VersionTLS13:
			if w := auExpectedSuites(t, c, v); !slices.Equal(got, w) {
				d = append(d, fmt.Sprintf("config: %s suites %s, want %s", VersionName(v), auHex(got), auHex(w)))
			}
		case c.kind == auOpenSSL:
			var w []uint16
			for _, s := range suites() {
				if slices.Contains(c.suites13, s.name) {
					w = append(w, s.id)
				}
			}
			slices.Sort(w)
			if !slices.Equal(got, w) {
				d = append(d, fmt.Sprintf("config: TLS 1.3 suites %s, want %s", auHex(got), auHex(w)))
			}
		}
		if vr.ServerOrder != nil && c.kind != auSignet && *vr.ServerOrder != c.serverPref {
			d = append(d, fmt.Sprintf("config: %s server order %v, drawn %v", VersionName(v), *vr.ServerOrder, c.serverPref))
		}
	}
	if c.kind != auSignet && rep.version(VersionTLS13).Accepted {
		w := slices.Clone(c.groups)
		slices.Sort(w)
		if got := auGroupIDs(rep.version(VersionTLS13).Groups); !slices.Equal(got, w) {
			d = append(d, fmt.Sprintf("config: TLS 1.3 groups %v, want %v", rep.version(VersionTLS13).Groups, w))
		}
	}
	if c.kind == auOpenSSL && rep.version(VersionTLS12).Accepted {
		var w []uint16
		if slices.ContainsFunc(rep.version(VersionTLS12).Suites, func(s SuiteReport) bool { return strings.HasPrefix(s.Name, "TLS_ECDHE_") }) {
			for _, g := range c.groups {
				if ecGroup(g) {
					w = append(w, g)
				}
			}
		}
		slices.Sort(w)
		// Every curve drawn is found or said not determined (a server whose ECDHE suites
		// are ECDHE_ECDSA ones and that prefers its certificate's curve); none other found.
		vr := rep.version(VersionTLS12)
		got, undet := auGroupIDs(vr.Groups), auGroupIDs(vr.GroupsUndetermined)
		for _, g := range w {
			if !slices.Contains(got, g) && !slices.Contains(undet, g) {
				d = append(d, fmt.Sprintf("config: TLS 1.2 curves %v (not determined %v), want %v", vr.Groups, vr.GroupsUndetermined, w))
				break
			}
		}
		for _, g := range got {
			if !slices.Contains(w, g) {
				d = append(d, fmt.Sprintf("config: TLS 1.2 curves %v, want %v", vr.Groups, w))
				break
			}
		}
	}
	r := rep.Resumption
	if r.Ticket12 != nil && c.kind != auSignet && *r.Ticket12 == c.noTicket {
		d = append(d, fmt.Sprintf("config: TLS 1.2 ticket resumption %v, -no_ticket %v", *r.Ticket12, c.noTicket))
	}
	if r.PSK13 != nil && c.kind != auSignet && *r.PSK13 == c.numTickets0 {
		d = append(d, fmt.Sprintf("config: TLS 1.3 resumption %v, no tickets %v", *r.PSK13, c.numTickets0))
	}
	if ci := rep.Renegotiation.ClientInitiated; ci != nil && c.kind == auOpenSSL && *ci != (c.clientReneg && !c.noReneg) {
		d = append(d, fmt.Sprintf("config: client-initiated renegotiation %v, drawn -client_renegotiation %v -no_renegotiation %v", *ci, c.clientReneg, c.noReneg))
	}
	// gnutls-serv takes a renegotiation the client starts (RFC 5746 safe renegotiation, its
	// default; openssl s_client's R command renegotiates with it too); Go's server never does.
	if ci := rep.Renegotiation.ClientInitiated; ci != nil && c.kind != auOpenSSL && *ci != (c.kind == auGnuTLS) {
		d = append(d, fmt.Sprintf("config: client-initiated renegotiation %v against %s", *ci, c.kind))
	}
	if rep.ClientCertRequested != c.certRequest && len(rep.Chain) > 0 {
		d = append(d, fmt.Sprintf("config: client certificate requested %v, drawn %v", rep.ClientCertRequested, c.certRequest))
	}
	if len(rep.Chain) == 0 {
		return d // no handshake crypto/tls can make (ffdhe or X448 alone, CCM or weak suites alone)
	}
	verdict := func(subject string) (Verdict, string) {
		for _, f := range rep.Findings {
			if f.Area == AreaCertificate && f.Subject == subject || f.Area == AreaOCSP && f.Subject == subject {
				return f.Verdict, f.Detail
			}
		}
		return "", ""
	}
	order, _ := verdict("order")
	trust, trustDetail := verdict("trust")
	switch c.chain {
	case "swapped":
		if order != Fail {
			d = append(d, "config: a swapped chain's order is "+string(order))
		}
	case "missing":
		if trust != Fail || !strings.Contains(trustDetail, "incomplete chain") {
			d = append(d, "config: a chain without its intermediate: trust "+string(trust)+": "+trustDetail)
		}
	case "withroot":
		if fs := findings(rep, AreaCertificate, "extra"); len(fs) != 1 || fs[0].Verdict != Info {
			d = append(d, fmt.Sprintf("config: the root served: extra findings %+v", fs))
		}
	}
	if c.chain != "missing" && trust != OK {
		d = append(d, "config: a complete chain's trust is "+string(trust)+": "+trustDetail)
	}
	if c.chain != "swapped" && order != OK {
		d = append(d, "config: an ordered chain's order is "+string(order))
	}
	// The staple is for the leaf openssl serves first (-cert); with two leaves the handshake
	// may have had the other, for which the staple says nothing.
	stapledFor := p.leafECCert
	if c.rsa && (c.kind == auGnuTLS || slices.Contains(c.args, p.leafRSA) && slices.Index(c.args, p.leafRSA) == slices.Index(c.args, "-cert")+1) {
		stapledFor = p.leafRSACert
	}
	sum := sha256.Sum256(stapledFor.Raw)
	// Without its intermediate the staple's signer is unknown: it cannot be checked, which the
	// trust finding already says.
	if c.ocsp != "" && c.chain != "missing" && rep.Chain[0].SHA256 == hex.EncodeToString(sum[:]) {
		v, detail := verdict("staple")
		ok := rep.OCSPStapled
		switch c.ocsp {
		case "good":
			ok = ok && v == OK
		case "revoked":
			ok = ok && v == Fail && strings.Contains(detail, "revoked")
		case "stale":
			ok = ok && v == Fail && strings.Contains(detail, "cannot be used")
		}
		if !ok {
			d = append(d, fmt.Sprintf("config: a %s staple: stapled %v, %s: %s", c.ocsp, rep.OCSPStapled, v, detail))
		}
	} else if c.ocsp == "" && rep.OCSPStapled {
		d = append(d, "config: a staple where none was configured")
	}
	return d
}

func auNames(vs []uint16) []string {
	var s []string
	for _, v := range vs {
		s = append(s, VersionName(v))
	}
	return s
}

// auScanResult is what sslscan said.
type auScanResult struct {
	XML struct {
		Test struct {
			Protocols []struct {
				Type    string `xml:"type,attr"`
				Version string `xml:"version,attr"`
				Enabled int    `xml:"enabled,attr"`
			} `xml:"protocol"`
			Reneg *struct {
				Supported int `xml:"supported,attr"`
				Secure    int `xml:"secure,attr"`
			} `xml:"renegotiation"`
			Ciphers []struct {
				Version string `xml:"sslversion,attr"`
				ID      string `xml:"id,attr"`
			} `xml:"cipher"`
			Groups []struct {
				Version string `xml:"sslversion,attr"`
				ID      string `xml:"id,attr"`
			} `xml:"group"`
		} `xml:"ssltest"`
	}
	text string
	// fallback: 1 supported, 0 not, -1 not said
	fallback int
}

func auScan(t *testing.T, sslscan, addr string) *auScanResult {
	t.Helper()
	xmlFile := filepath.Join(t.TempDir(), "scan.xml")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// sslscan does not ignore SIGPIPE, and a server that closes as it writes kills it: the
	// shell sets it ignored, which exec keeps.
	out, err := exec.CommandContext(ctx, "sh", "-c", `trap "" PIPE; exec "$0" "$@"`, sslscan, "--no-colour", "--xml="+xmlFile,
		"--sni-name=www.example.com", "--no-heartbleed", "--no-compression", addr).CombinedOutput()
	if err != nil {
		t.Fatalf("sslscan %s: %v\n%s", addr, err, out)
	}
	res := &auScanResult{text: string(out), fallback: -1}
	b, err := os.ReadFile(xmlFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(b, &res.XML); err != nil {
		t.Fatalf("sslscan XML: %v\n%s", err, b)
	}
	switch {
	case strings.Contains(res.text, "Server supports TLS Fallback SCSV"):
		res.fallback = 1
	case strings.Contains(res.text, "Server does not support TLS Fallback SCSV"):
		res.fallback = 0
	}
	return res
}

// auScanVersion is the version sslscan names ("TLSv1.2"), 0 for others.
func auScanVersion(name string) uint16 {
	switch name {
	case "TLSv1.0":
		return VersionTLS10
	case "TLSv1.1":
		return VersionTLS11
	case "TLSv1.2":
		return VersionTLS12
	case "TLSv1.3":
		return VersionTLS13
	}
	return 0
}

// auJudgeScan judges the report against sslscan.
// note counts each explanation applied, for the campaign's tally.
func auJudgeScan(c *auCase, rep *Report, s *auScanResult, addr string, ossl map[uint16]string, note func(string)) []string {
	var d []string
	var versions []uint16
	for _, p := range s.XML.Test.Protocols {
		if p.Type == "tls" && p.Enabled == 1 {
			versions = append(versions, auScanVersion("TLSv"+p.Version))
		}
		// SSL 2 and 3: this sslscan's openssl has neither, and says disabled whatever the
		// server does (a peer limit); the audit's own SSL 3.0 probe is judged by the
		// configuration, none of which enables it.
	}
	slices.Sort(versions)
	// sslscan's own hello for TLS 1.2 and below offers the NIST curves alone, no X25519 or
	// X448 (a peer limit, seen with openssl s_server -tls1_2 -groups X448): a version whose
	// every suite needs an elliptic curve, on a server that has none of those, is one it
	// cannot see. It is left out of the comparison, and so are its suites.
	blind := func(v uint16) bool {
		if v == VersionTLS13 || c.kind == auSignet || slices.ContainsFunc(c.groups, func(g uint16) bool { return g == groupP256 || g == groupP384 || g == groupP521 }) {
			return false
		}
		vr := rep.version(v)
		return vr != nil && vr.Accepted && !slices.ContainsFunc(vr.Suites, func(s SuiteReport) bool {
			return !strings.HasPrefix(s.Name, "TLS_ECDHE_") && !strings.HasPrefix(s.Name, "TLS_ECDH_")
		})
	}
	got := slices.DeleteFunc(auAccepted(rep), blind)
	if len(got) < len(auAccepted(rep)) {
		note("peer limit: sslscan, a version whose suites all need X25519 or X448")
	}
	if !slices.Equal(got, versions) {
		d = append(d, fmt.Sprintf("sslscan: versions %v, signet %v", auNames(versions), auNames(got)))
	}
	for _, v := range got {
		var theirs []uint16
		for _, ci := range s.XML.Test.Ciphers {
			if auScanVersion(ci.Version) == v {
				id, _ := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(ci.ID), "0x"), 16, 16)
				theirs = append(theirs, uint16(id))
			}
		}
		slices.Sort(theirs)
		ours := auSuiteIDs(rep.version(v))
		if len(theirs) == 0 && c.certRequired && v < VersionTLS13 {
			// sslscan enumerates the suites of TLS 1.2 and below with whole handshakes
			// (OpenSSL's SSL_connect), which a server requiring a client certificate ends:
			// it finds none (a peer limit; the configuration judged them).
			note("peer limit: sslscan, client certificate required, no TLS 1.2 suites")
			continue
		}
		if slices.Equal(ours, theirs) {
			continue
		}
		// Each suite they differ on is settled by openssl s_client offering it alone at
		// that version: sslscan's own enumeration also stops at a hello the server refuses
		// over a suite it picked and cannot serve (gnutls with DHE but no finite-field
		// group), a limit of the peer when s_client confirms the audit.
		var unsettled []string
		for _, id := range auSymDiff(ours, theirs) {
			acc, known := auSClientSuite(addr, v, id, ossl)
			if !known {
				// This openssl has no 3DES or RC4: crypto/tls, which has some, settles those,
				// but for an ECDHE suite on a server whose only curve is X448, which neither
				// crypto/tls nor sslscan's own hello offers: no peer here can settle that.
				if strings.HasPrefix(suiteClass(id), "ECDHE/") && !slices.ContainsFunc(c.groups, func(g uint16) bool { return ecGroup(g) && g != groupX448 }) {
					note("peer limit: no peer offers that ECDHE suite over X448")
					continue
				}
				acc, known = auGoSuite(addr, v, id)
			}
			if known && acc == slices.Contains(ours, id) {
				note("sslscan differs on a suite, s_client or crypto/tls agrees with signet")
			}
			if !known || acc != slices.Contains(ours, id) {
				unsettled = append(unsettled, fmt.Sprintf("%04x(%s) signet %v, sslscan %v, s_client %s", id, suiteName(id),
					slices.Contains(ours, id), slices.Contains(theirs, id), map[bool]string{true: fmt.Sprint(acc), false: "cannot offer it"}[known]))
			}
		}
		if len(unsettled) > 0 {
			d = append(d, fmt.Sprintf("sslscan: %s suites %s, signet %s: %s", VersionName(v), auHex(theirs), auHex(ours), strings.Join(unsettled, "; ")))
		}
	}
	scanGroups := map[uint16][]uint16{}
	for _, g := range s.XML.Test.Groups {
		id, _ := strconv.ParseUint(strings.TrimPrefix(g.ID, "0x"), 16, 16)
		// Only the groups both probe: sslscan also tries brainpool and older curves.
		if slices.Contains(groups, uint16(id)) {
			scanGroups[auScanVersion(g.Version)] = append(scanGroups[auScanVersion(g.Version)], uint16(id))
		}
	}
	for v, theirs := range scanGroups {
		if v < VersionTLS12 {
			// The audit probes curves at TLS 1.2 and groups at TLS 1.3 only (its documented
			// scope); sslscan enumerates them at the highest version it found, TLS 1.0 or 1.1
			// on a server without 1.2.
			continue
		}
		slices.Sort(theirs)
		if vr := rep.version(v); vr != nil {
			// sslscan 2.0.7 predates X25519MLKEM768 (a peer limit): it never offers it.
			ours := slices.DeleteFunc(auGroupIDs(vr.Groups), func(g uint16) bool { return g == groupX25519MLKEM768 })
			// sslscan offers each TLS 1.2 curve alone, which a server whose ECDHE suites are
			// ECDHE_ECDSA ones refuses but for its certificate's curve (a peer limit the
			// audit works around): there it sees a part of what the audit finds.
			ecdsaOnly := v == VersionTLS12 && !slices.ContainsFunc(vr.Suites, func(s SuiteReport) bool {
				return strings.HasPrefix(s.Name, "TLS_ECDHE_") && !strings.HasPrefix(s.Name, "TLS_ECDHE_ECDSA_")
			})
			if ecdsaOnly && !slices.ContainsFunc(theirs, func(g uint16) bool { return !slices.Contains(ours, g) }) {
				if !slices.Equal(ours, theirs) {
					note("peer limit: sslscan, TLS 1.2 curves behind an ECDSA certificate")
				}
				continue
			}
			if !slices.Equal(ours, theirs) {
				d = append(d, fmt.Sprintf("sslscan: %s groups %v, signet %v", VersionName(v), theirs, vr.Groups))
			}
		}
	}
	// sslscan tries renegotiation over TLS 1.0 alone (a peer limit: against a server without
	// TLS 1.0 it says "not supported", secure 0), and over a whole handshake.
	if rn := s.XML.Test.Reneg; rn != nil && rep.Renegotiation.Secure != nil && rep.version(VersionTLS10).Accepted && !c.certRequired &&
		(rn.Secure == 1) != *rep.Renegotiation.Secure {
		d = append(d, fmt.Sprintf("sslscan: secure renegotiation %d, signet %v", rn.Secure, *rep.Renegotiation.Secure))
	}
	if s.fallback >= 0 && len(auAccepted(rep)) >= 2 {
		fs := findings(rep, AreaDowngrade, "TLS_FALLBACK_SCSV")
		if len(fs) != 1 || (fs[0].Verdict == OK) != (s.fallback == 1) {
			d = append(d, fmt.Sprintf("sslscan: TLS_FALLBACK_SCSV supported %d, signet %+v", s.fallback, fs))
		}
	}
	return d
}

// auJudgeSClient asks openssl s_client what the audit says of resumption and the staple.
func auJudgeSClient(t *testing.T, c *auCase, rep *Report, addr string, p *auPKI) []string {
	t.Helper()
	var d []string
	sclient := func(args ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "openssl", append([]string{"s_client", "-connect", addr, "-servername", "www.example.com",
			"-cipher", "ALL:@SECLEVEL=0"}, args...)...)
		cmd.Stdin = strings.NewReader("")
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	r := rep.Resumption
	if r.SessionID12 != nil && r.Ticket12 != nil && !c.certRequired {
		sess := filepath.Join(t.TempDir(), "sess.pem")
		first := sclient("-tls1_2", "-sess_out", sess)
		if strings.Contains(first, "New, TLSv1.2") {
			second := sclient("-tls1_2", "-sess_in", sess)
			reused := strings.Contains(second, "Reused, TLSv1.2")
			if reused != (*r.SessionID12 || *r.Ticket12) {
				d = append(d, fmt.Sprintf("s_client: TLS 1.2 session reused %v, signet by ID %v, by ticket %v", reused, *r.SessionID12, *r.Ticket12))
			}
		}
	}
	// s_client prints the staple of a handshake that completes: not of one a server requiring
	// a client certificate ends (a peer limit; the configuration judged the staple).
	// With two leaves s_client was seen to get no staple where crypto/tls got one (openssl
	// s_server -dcert, TLS 1.1, RSA key exchange): single-leaf servers only.
	if c.ocsp != "" && len(rep.Chain) > 0 && !c.certRequired && !(c.kind == auOpenSSL && c.rsa) {
		out := sclient("-status")
		stapled := strings.Contains(out, "OCSP Response Status: successful")
		if stapled != rep.OCSPStapled {
			d = append(d, fmt.Sprintf("s_client -status: stapled %v, signet %v", stapled, rep.OCSPStapled))
		}
	}
	_ = p
	return d
}
