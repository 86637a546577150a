package main

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
)

// The CSR campaign: requests written by openssl req, by signet csr and byte by byte
// (cs_gen_test.go), some malformed on purpose, through `signet cert create --csr`. Every
// outcome is held to RFC 2986 and to the README's rules ("What the small CA will not sign",
// "Requests and certificates from other tools"):
//
//   - a request that is not one (a mutation), carries a key signet does not certify, or is
//     signed with SHA-1 without --allow-sha1-csr is refused with exit 3 before the CA's key is
//     opened: the CA key of the first run is encrypted and no passphrase is given, so a
//     refusal that comes after the key was opened shows as "no source for the secret";
//   - a request whose names break the rules of --san, or that lacks what the profile needs,
//     is refused with exit 2, before the key too;
//   - any other request is issued, and what is issued is judged by openssl verify
//     -x509_strict -purpose, crypto/x509 and signet cert verify and cert inspect; it must carry
//     the request's key, its subject byte for byte, the names of --san or else
//     the request's four forms, and only the extensions its profile decides: never CA:TRUE but
//     for intermediate-ca, no key usage, extended key usage, name constraints, policy or
//     unknown extension from the request; what the request asked and did not get is named in
//     a warning, and each extension `openssl x509 -req -copy_extensions copy` takes from it is
//     a difference the tally names;
//   - a request that breaks a MUST of an RFC that crypto/x509 and openssl both take, where
//     nothing of the break reaches the certificate, is issued (csTolerated: ECDSA's
//     AlgorithmIdentifier with NULL parameters).
//
// CI runs 100 seeds (3 to 10 s, most of it the key pool); SIGNET_CS_SEEDS=first:count runs
// others. Seeds 1:7000 ran clean.

func csPurpose() map[string]string {
	return map[string]string{"server": "sslserver", "client": "sslclient", "email": "smimesign",
		"tsa": "timestampsign", "code-signing": "any", "intermediate-ca": "any"}
}
func csGoEKU() map[string]x509.ExtKeyUsage {
	return map[string]x509.ExtKeyUsage{"server": x509.ExtKeyUsageServerAuth, "client": x509.ExtKeyUsageClientAuth,
		"email": x509.ExtKeyUsageEmailProtection, "tsa": x509.ExtKeyUsageTimeStamping, "code-signing": x509.ExtKeyUsageCodeSigning,
		"intermediate-ca": x509.ExtKeyUsageAny}
}
func csEKUName() map[string]string {
	return map[string]string{"server": "serverAuth", "client": "clientAuth", "email": "emailProtection",
		"tsa": "timeStamping", "code-signing": "codeSigning"}
}

// csEnv is what every seed shares: the key pool and the CA.
type csEnv struct {
	openssl   string
	keys      map[string]*csKey
	caCert    string
	caKey     string // the CA's key in the clear
	caKeyEnc  string // the same key, encrypted (PBES2): opening it asks for a passphrase
	caSubject []byte
}

// csSetup makes the CA and, with pool, the key pool.
func csSetup(t *testing.T, pool bool) *csEnv {
	t.Helper()
	dir := t.TempDir()
	e := &csEnv{openssl: testutil.RequireTool(t, "openssl")}
	if pool {
		e.keys = csMakeKeys(t, dir, e.openssl)
	}
	e.caKey = filepath.Join(dir, "ca.key")
	e.caKeyEnc = filepath.Join(dir, "ca-enc.key")
	e.caCert = filepath.Join(dir, "ca.pem")
	mustSignet(t, "key", "gen", "--no-passphrase", "-q", "-o", e.caKey)
	testutil.Cmd{}.Run(t, e.openssl, "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:campaign", "-in", e.caKey, "-out", e.caKeyEnc)
	mustSignet(t, "cert", "create", "--profile", "root-ca", "--subject", "CN=CS Campaign Root,O=Signet Tests", "--key", e.caKey, "-q", "-o", e.caCert)
	if pool {
		e.keys["ca"] = &csKey{name: "ca", file: e.caKey, refused: "the issuing CA's own key (README: refused, exit 3)"}
	}
	ca := csReadCert(t, e.caCert)
	e.caSubject = ca.RawSubject
	return e
}

func csReadCert(t testing.TB, file string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s: no PEM", file)
	}
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatalf("crypto/x509 cannot parse %s: %v", file, err)
	}
	return cert
}

func TestCSRCampaign(t *testing.T) {
	t.Parallel()
	seeds := testutil.Seeds(t, "SIGNET_CS_SEEDS", 100)
	e := csSetup(t, true)
	var tally testutil.Tally
	t.Cleanup(func() { tally.Log(t, len(seeds)) })
	t.Run("seeds", func(t *testing.T) {
		for _, seed := range seeds {
			t.Run(fmt.Sprint(seed), func(t *testing.T) {
				t.Parallel()
				r := &csRun{t: t, e: e, c: csDraw(seed, e.keys, ""), dir: t.TempDir(), tally: &tally}
				r.run()
			})
		}
	})
}

// TestCSRCampaignToken: the requests signet makes for a key on a SoftHSM2 token, by enroll
// --csr-out (which generates the key) and, for odd seeds, then by csr --key pkcs11:..., judged
// as the campaign judges every request. CI runs 4 seeds, one of each key type in turn;
// SIGNET_CS_TOKEN_SEEDS=first:count runs others.
func TestCSRCampaignToken(t *testing.T) {
	seeds := testutil.Seeds(t, "SIGNET_CS_TOKEN_SEEDS", 4)
	newSoftHSM(t, "cs") // sets the test's environment: not in parallel
	e := csSetup(t, false)
	var tally testutil.Tally
	t.Cleanup(func() { tally.Log(t, len(seeds)) })
	types := []string{"ec-p256", "rsa-2048", "ec-p384", "ed25519", "ec-p521", "rsa-3072"}
	for i, seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			c := csDraw(seed, nil, types[i%len(types)])
			r := &csRun{t: t, e: e, c: c, dir: t.TempDir(), tally: &tally}
			uri := fmt.Sprintf("pkcs11:token=cs;object=k%d", seed)
			r.csr = r.path("enroll.csr")
			args := []string{"enroll", "--token", uri, "--type", c.key.name, "--subject", c.signetSubj(), "--csr-out", r.csr}
			var sans []string
			for _, n := range c.names {
				sans = append(sans, "--san", n.kind+":"+n.value)
			}
			if code, _, stderr := signetRun(t, append(args, sans...)...); code != 0 {
				t.Fatalf("signet %s: exit %d: %s\n%s", strings.Join(args, " "), code, stderr, c)
			}
			if seed%2 == 1 {
				r.csr = r.path("csr.csr")
				args := []string{"csr", "--key", uri, "--subject", c.signetSubj(), "-q", "-o", r.csr}
				if code, _, stderr := signetRun(t, append(args, sans...)...); code != 0 {
					t.Fatalf("signet %s: exit %d: %s\n%s", strings.Join(args, " "), code, stderr, c)
				}
			}
			r.run()
		})
	}
}

type csRun struct {
	csr   string // the request, when made before the run (a token's); else made by makeCSR
	t     *testing.T
	e     *csEnv
	c     *csCase
	dir   string
	tally *testutil.Tally
}

func (r *csRun) path(name string) string { return filepath.Join(r.dir, name) }

// want is the outcome the README's rules give the case: 0 (issued), 2 or 3, and why.
func (c *csCase) want(caSubject []byte) (int, string) {
	switch {
	case c.mutation != "" && csTolerated()[c.mutation] == "":
		return 3, "malformed: " + csMutations()[c.mutation]
	case c.key.refused != "" && c.key.name != "ca":
		return 3, "key: " + c.key.refused
	case c.digest == "sha1" && !c.allowSHA1:
		return 3, "signed with SHA-1, no --allow-sha1-csr"
	}
	for _, rdn := range c.subject {
		for _, a := range rdn {
			if a.tag == 28 && c.source == "built" {
				return 3, "a UniversalString in the subject, which crypto/x509 cannot carry in a certificate"
			}
		}
	}
	if c.oddValue != "" {
		return 2, "a subject value that is no name: " + fmt.Sprintf("%.20q", c.oddValue)
	}
	dns, ips, emails, uris := c.wantNames()
	if c.flagSANs == nil {
		for _, n := range c.names {
			if n.bad != "" {
				return 2, "the CSR's name " + n.value + ": " + n.bad
			}
		}
	}
	hasSubject := !c.emptySubj
	switch c.profile {
	case "intermediate-ca", "code-signing", "tsa":
		if !hasSubject {
			return 2, "the profile needs a subject"
		}
	case "server":
		if len(dns)+len(ips) == 0 {
			return 2, "the server profile needs a DNS or IP name"
		}
	case "client":
		if !hasSubject && len(dns)+len(ips)+len(emails)+len(uris) == 0 {
			return 2, "the client profile needs a subject or a SAN"
		}
	case "email":
		if len(emails) == 0 {
			return 2, "the email profile needs an email SAN"
		}
	}
	for _, rdn := range c.subject {
		for _, a := range rdn {
			if a.typ == "emailAddress" && !slices.Contains(emails, a.value) {
				return 2, "a subject emailAddress that is not an email SAN"
			}
		}
	}
	if c.key.name == "ca" {
		// Checked with what the CA allows, once the names are known good (CheckIssuerAllows).
		return 3, "key: " + c.key.refused
	}
	return 0, "issued"
}

// wantNames are the names the certificate must carry: --san's, else the CSR's four forms.
func (c *csCase) wantNames() (dns, ips, emails, uris []string) {
	if c.flagSANs != nil {
		for _, s := range c.flagSANs {
			k, v, _ := strings.Cut(s, ":")
			switch k {
			case "dns":
				dns = append(dns, v)
			case "ip":
				ips = append(ips, net.ParseIP(v).String())
			case "email":
				emails = append(emails, v)
			case "uri":
				uris = append(uris, v)
			}
		}
		return
	}
	for _, n := range c.names {
		switch n.kind {
		case "dns":
			dns = append(dns, n.value)
		case "ip":
			ips = append(ips, net.ParseIP(n.value).String())
		case "email":
			emails = append(emails, n.value)
		case "uri":
			uris = append(uris, n.value)
		}
	}
	return
}

// makeCSR writes the case's request and returns its file, or "" when signet csr refused to
// write it as it must (no subject and no name).
func (r *csRun) makeCSR() string {
	t, c := r.t, r.c
	switch c.source {
	case "openssl":
		cfg := r.path("req.cnf")
		if err := os.WriteFile(cfg, []byte(c.opensslConfig()), 0o644); err != nil {
			t.Fatal(err)
		}
		out := r.path("req.pem")
		args := []string{"req", "-new", "-config", cfg, "-key", c.key.file, "-subj", c.opensslSubj(), "-out", out}
		if c.utf8 {
			args = append(args, "-utf8")
		}
		if len(c.names) > 0 {
			args = append(args, "-addext", c.opensslSAN())
		}
		for _, x := range c.exts {
			args = append(args, "-addext", x.openssl)
		}
		if c.digest != "" {
			args = append(args, "-"+c.digest)
		}
		if c.pss != "" {
			args = append(args, "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:"+c.pss)
		}
		if o, err := exec.Command(r.e.openssl, args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v\n%s\n%s", strings.Join(args, " "), err, o, c)
		}
		return out
	case "signet":
		out := r.path("req.pem")
		args := []string{"csr", "--key", c.key.file, "-q", "-o", out}
		if !c.emptySubj {
			args = append(args, "--subject", c.signetSubj())
		}
		for _, n := range c.names {
			args = append(args, "--san", n.kind+":"+n.value)
		}
		code, _, stderr := signetRun(t, args...)
		if c.emptySubj && len(c.names) == 0 {
			if code != 2 {
				t.Errorf("signet csr with neither subject nor SAN: exit %d, want 2: %s\n%s", code, stderr, c)
			}
			r.tally.Add("signet csr refused: no subject, no SAN")
			return ""
		}
		if code != 0 {
			t.Fatalf("signet %s: exit %d: %s\n%s", strings.Join(args, " "), code, stderr, c)
		}
		return out
	}
	der := c.built()
	if c.seed%2 == 0 {
		out := r.path("req.der")
		if err := os.WriteFile(out, der, 0o644); err != nil {
			t.Fatal(err)
		}
		return out
	}
	out := r.path("req.pem")
	if err := os.WriteFile(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func (r *csRun) createArgs(csr, caKey, out string) []string {
	c := r.c
	args := []string{"cert", "create", "--profile", c.profile, "--csr", csr, "--ca", r.e.caCert, "--ca-key", caKey, "-o", out}
	for _, s := range c.flagSANs {
		args = append(args, "--san", s)
	}
	if c.days > 0 {
		args = append(args, "--days", fmt.Sprint(c.days))
	}
	if c.allowSHA1 {
		args = append(args, "--allow-sha1-csr")
	}
	return args
}

func (r *csRun) run() {
	t, c := r.t, r.c
	csr := r.csr
	if csr == "" {
		if csr = r.makeCSR(); csr == "" {
			return
		}
	}
	want, why := c.want(r.e.caSubject)
	out := r.path("leaf.pem")
	// The first run: the CA's key encrypted, no passphrase anywhere. A request signet must
	// refuse is refused before the key is opened; a good one gets as far as the key.
	code, stdout, stderr := signetRun(t, r.createArgs(csr, r.e.caKeyEnc, out)...)
	asked := code == 4 && strings.Contains(stderr, "no source for the secret")
	if want != 0 {
		r.tally.Add(fmt.Sprintf("refused %d: %s", want, why))
		switch {
		case asked:
			t.Errorf("refused (%s) only after the CA key was opened: its passphrase was asked for\n%s", why, c)
		case code != want:
			t.Errorf("exit %d, want %d (%s): %s\n%s", code, want, why, strings.TrimSpace(stderr), c)
		}
		r.judgeRefusal(stdout, stderr, out)
		return
	}
	if !asked {
		t.Errorf("a request to issue (%s) ended before the CA key was opened: exit %d: %s\n%s", why, code, strings.TrimSpace(stderr), c)
		return
	}
	code, stdout, stderr = signetRun(t, r.createArgs(csr, r.e.caKey, out)...)
	if code != 0 {
		t.Errorf("refused after the CA key was opened: exit %d: %s\n%s", code, strings.TrimSpace(stderr), c)
		return
	}
	if stdout != "" {
		t.Errorf("cert create -o FILE wrote to stdout: %q\n%s", stdout, c)
	}
	r.tally.Add(fmt.Sprintf("issued %s from %s", c.profile, c.source))
	if m := c.mutation; m != "" {
		r.tally.Add("issued though " + csTolerated()[m])
	}
	r.judgeIssued(csr, out, stderr)
}

func (r *csRun) judgeRefusal(stdout, stderr, out string) {
	t, c := r.t, r.c
	if _, err := os.Stat(out); err == nil {
		t.Errorf("refused, yet %s was written\n%s", filepath.Base(out), c)
	}
	var errLines []string
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if !strings.HasPrefix(l, "signet: hint:") {
			errLines = append(errLines, l)
		}
	}
	if len(errLines) != 1 || !strings.HasPrefix(errLines[0], "signet: error: ") {
		t.Errorf("want one error line, got %q\n%s", stderr, c)
	}
	if stdout != "" {
		t.Errorf("refused with output on stdout: %q\n%s", stdout, c)
	}
}

// csCSR reads the request as crypto/x509 does (a good one: it was issued).
func (r *csRun) csCSR(file string) *x509.CertificateRequest {
	b, err := os.ReadFile(file)
	if err != nil {
		r.t.Fatal(err)
	}
	if blk, _ := pem.Decode(b); blk != nil {
		b = blk.Bytes
	}
	csr, err := x509.ParseCertificateRequest(b)
	if err != nil {
		r.t.Fatalf("crypto/x509 cannot parse the request signet issued from: %v\n%s", err, r.c)
	}
	return csr
}

var (
	csOIDKU   = asn1.ObjectIdentifier{2, 5, 29, 15}
	csOIDBC   = asn1.ObjectIdentifier{2, 5, 29, 19}
	csOIDSKI  = asn1.ObjectIdentifier{2, 5, 29, 14}
	csOIDAKI  = asn1.ObjectIdentifier{2, 5, 29, 35}
	csOIDSAN  = asn1.ObjectIdentifier{2, 5, 29, 17}
	csOIDEKU  = asn1.ObjectIdentifier{2, 5, 29, 37}
	csAllowed = []asn1.ObjectIdentifier{csOIDKU, csOIDBC, csOIDSKI, csOIDAKI, csOIDSAN, csOIDEKU}
)

func (r *csRun) judgeIssued(csrFile, out, stderr string) {
	t, c := r.t, r.c
	csr := r.csCSR(csrFile)
	cert := csReadCert(t, out)
	// The request's key and subject.
	if !bytes.Equal(cert.RawSubjectPublicKeyInfo, csr.RawSubjectPublicKeyInfo) {
		t.Errorf("the certificate's key is not the request's\n%s", c)
	}
	if !bytes.Equal(cert.RawSubject, csr.RawSubject) {
		t.Errorf("the subject is not the request's byte for byte: %x, want %x\n%s", cert.RawSubject, csr.RawSubject, c)
	}
	// The names: --san's, else the request's four forms, in order.
	dns, ips, emails, uris := c.wantNames()
	var gotIPs, gotURIs []string
	for _, ip := range cert.IPAddresses {
		gotIPs = append(gotIPs, ip.String())
	}
	for _, u := range cert.URIs {
		gotURIs = append(gotURIs, u.String())
	}
	if !slices.Equal(cert.DNSNames, dns) || !slices.Equal(gotIPs, ips) || !slices.Equal(cert.EmailAddresses, emails) || !slices.Equal(gotURIs, uris) {
		t.Errorf("names %v %v %v %v, want %v %v %v %v\n%s", cert.DNSNames, gotIPs, cert.EmailAddresses, gotURIs, dns, ips, emails, uris, c)
	}
	// Only the extensions the profile decides, none the request asked for.
	for _, x := range cert.Extensions {
		if !slices.ContainsFunc(csAllowed, x.Id.Equal) {
			t.Errorf("the certificate carries extension %v, which no profile writes\n%s", x.Id, c)
		}
		if x.Id.Equal(csOIDSAN) && x.Critical != (len(cert.RawSubject) == 2) {
			t.Errorf("subjectAltName critical %v with subject %x (RFC 5280 4.2.1.6: critical exactly when the subject is empty)\n%s", x.Critical, cert.RawSubject, c)
		}
	}
	isCA := c.profile == "intermediate-ca"
	if cert.IsCA != isCA || !cert.BasicConstraintsValid {
		t.Errorf("CA %v, want %v\n%s", cert.IsCA, isCA, c)
	}
	if isCA && (cert.MaxPathLen != 0 || !cert.MaxPathLenZero) {
		t.Errorf("intermediate-ca path length %d, want 0\n%s", cert.MaxPathLen, c)
	}
	_, isRSA := csr.PublicKey.(interface{ Size() int })
	wantKU := x509.KeyUsageDigitalSignature
	switch {
	case isCA:
		wantKU = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	case isRSA && (c.profile == "server" || c.profile == "email"):
		wantKU |= x509.KeyUsageKeyEncipherment
	}
	if cert.KeyUsage != wantKU {
		t.Errorf("key usage %b, want %b\n%s", cert.KeyUsage, wantKU, c)
	}
	var wantEKU []x509.ExtKeyUsage
	if !isCA {
		wantEKU = []x509.ExtKeyUsage{csGoEKU()[c.profile]}
	}
	if !slices.Equal(cert.ExtKeyUsage, wantEKU) || len(cert.UnknownExtKeyUsage) > 0 {
		t.Errorf("extended key usages %v %v, want %v\n%s", cert.ExtKeyUsage, cert.UnknownExtKeyUsage, wantEKU, c)
	}
	if len(cert.PermittedDNSDomains)+len(cert.ExcludedDNSDomains) > 0 || len(cert.PolicyIdentifiers) > 0 {
		t.Errorf("name constraints or policies copied from the request\n%s", c)
	}
	// The validity: --days from the start, at most 825 days for a server.
	life := cert.NotAfter.Sub(cert.NotBefore)
	if c.days > 0 {
		wantLife := time.Duration(c.days)*24*time.Hour + 5*time.Minute
		if c.profile == "server" && c.days >= 825 {
			wantLife = 825*24*time.Hour - time.Second
		}
		if d := life - wantLife; d < -2*time.Second || d > 2*time.Second {
			t.Errorf("validity %v for --days %d, want %v\n%s", life, c.days, wantLife, c)
		}
	}
	// What the request asked for and did not get is named in a warning.
	if c.flagSANs == nil && (len(c.exts) > 0 || slices.ContainsFunc(c.names, func(n csName) bool { return n.kind == "other" || n.kind == "rid" })) {
		if !strings.Contains(stderr, "asks for what is not certified") {
			t.Errorf("no warning of what the request asked and did not get: %q\n%s", stderr, c)
		}
	}
	if len(c.exts) > 0 && !strings.Contains(stderr, "asks for what is not certified") {
		t.Errorf("no warning of the extensions the request asked for: %q\n%s", stderr, c)
	}
	// openssl reads the request signet took and finds its self-signature good.
	vargs := []string{"req", "-verify", "-noout", "-in", csrFile}
	if strings.HasSuffix(csrFile, ".der") {
		vargs = append(vargs, "-inform", "DER")
	}
	if o, err := exec.Command(r.e.openssl, vargs...).CombinedOutput(); err != nil {
		t.Errorf("openssl req -verify refuses the request signet issued from: %v: %s\n%s", err, o, c)
	}
	r.judgeOpenSSL(out)
	r.judgeGo(cert)
	r.judgeSignet(out)
	if len(c.exts) > 0 {
		r.compareCopyExtensions(csrFile, cert)
	}
}

// compareCopyExtensions names what `openssl x509 -req -copy_extensions copy` takes from the
// request that signet does not: the README's rule (from a CSR only the key, the subject and
// the SANs) is signet's, and each such extension is a difference it explains.
func (r *csRun) compareCopyExtensions(csrFile string, cert *x509.Certificate) {
	t, c := r.t, r.c
	peer := r.path("openssl-copy.pem")
	args := []string{"x509", "-req", "-in", csrFile, "-CA", r.e.caCert, "-CAkey", r.e.caKey, "-copy_extensions", "copy", "-days", "1", "-out", peer}
	if strings.HasSuffix(csrFile, ".der") {
		args = append(args, "-inform", "DER")
	}
	if o, err := exec.Command(r.e.openssl, args...).CombinedOutput(); err != nil {
		t.Errorf("openssl %s: %v: %s\n%s", strings.Join(args, " "), err, o, c)
		return
	}
	pc := csReadCert(t, peer)
	for _, x := range pc.Extensions {
		if slices.ContainsFunc(cert.Extensions, func(y pkix.Extension) bool { return y.Id.Equal(x.Id) && bytes.Equal(y.Value, x.Value) }) {
			continue
		}
		for _, want := range c.exts {
			if want.oid.Equal(x.Id) {
				r.tally.Add("openssl -copy_extensions copy takes the request's " + strings.SplitN(want.openssl, "=", 2)[0] + "; signet's profile decides it")
			}
		}
	}
}

func (r *csRun) judgeOpenSSL(leaf string) {
	args := []string{"verify", "-x509_strict", "-purpose", csPurpose()[r.c.profile], "-CAfile", r.e.caCert, leaf}
	if o, err := exec.Command(r.e.openssl, args...).CombinedOutput(); err != nil {
		r.t.Errorf("openssl verify -x509_strict -purpose %s refuses the certificate: %s\n%s", csPurpose()[r.c.profile], strings.TrimSpace(string(o)), r.c)
	}
}

func (r *csRun) judgeGo(cert *x509.Certificate) {
	roots := x509.NewCertPool()
	roots.AddCert(csReadCert(r.t, r.e.caCert))
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{csGoEKU()[r.c.profile]}}); err != nil {
		r.t.Errorf("crypto/x509 refuses the certificate: %v\n%s", err, r.c)
	}
}

func (r *csRun) judgeSignet(leaf string) {
	t, c := r.t, r.c
	args := []string{"cert", "verify", "--roots", r.e.caCert}
	if eku := csEKUName()[c.profile]; eku != "" {
		args = append(args, "--eku", eku)
	}
	if code, stdout, stderr := signetRun(t, append(args, leaf)...); code != 0 {
		t.Errorf("signet cert verify: exit %d: %s%s\n%s", code, stdout, stderr, c)
	}
	if code, _, stderr := signetRun(t, "cert", "inspect", "--json", leaf); code != 0 {
		t.Errorf("signet cert inspect: exit %d: %s\n%s", code, stderr, c)
	}
}
