package verify_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/verify"
)

// TestOCSPResponderNotFirst: a response may carry several certificates, the delegated
// responder's among them (RFC 6960 4.2.1 certs). golang.org/x/crypto/ocsp reads the first one
// only, so a response whose responder was listed second was refused: its first certificate
// (here another certificate of the responder's key, issued by another CA or without
// id-kp-OCSPSigning) was taken for the responder. The responder is now the certificate the
// responderID names that the issuer certified, whatever its place. openssl ocsp writes the
// responses: -rsigner puts its certificate first, -rother the others after it.
func TestOCSPResponderNotFirst(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	abs := func(n string) string { p, _ := filepath.Abs(filepath.Join(pki, n)); return p }
	ca, leafPath := abs("int-ca.pem"), abs("codesign.pem")
	leaf := mustCerts(t, "codesign.pem")[0]
	index := filepath.Join(dir, "index.txt")
	line := fmt.Sprintf("V\t%s\t\t%X\tunknown\t/CN=x\n", leaf.NotAfter.UTC().Format("060102150405Z"), leaf.SerialNumber)
	if err := os.WriteFile(index, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	respKey := filepath.Join(dir, "resp.key")
	testutil.Run(t, openssl, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", respKey)
	csr := filepath.Join(dir, "resp.csr")
	testutil.Run(t, openssl, "req", "-new", "-key", respKey, "-subj", "/O=Signet Test/CN=OCSP Responder", "-out", csr)
	// responder certifies the responder's key: by issuer (a CA of the fixture PKI) with eku.
	responder := func(name, issuer, eku string) string {
		ext := filepath.Join(dir, name+".ext")
		body := "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
		if eku != "" {
			body += "extendedKeyUsage=" + eku + "\n"
		}
		if err := os.WriteFile(ext, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, name+".pem")
		testutil.Run(t, openssl, "x509", "-req", "-in", csr, "-CA", abs(issuer+".pem"), "-CAkey", abs(issuer+".key"),
			"-set_serial", "4243", "-days", "30", "-extfile", ext, "-out", out)
		return out
	}
	delegated := responder("delegated", "int-ca", "OCSPSigning")
	req := filepath.Join(dir, "req.der")
	testutil.Run(t, openssl, "ocsp", "-issuer", ca, "-cert", leafPath, "-no_nonce", "-reqout", req)
	respond := func(t *testing.T, first string, byKey bool) []byte {
		t.Helper()
		out := filepath.Join(dir, "resp.der")
		args := []string{"ocsp", "-index", index, "-CA", ca, "-rsigner", first, "-rkey", respKey, "-rother", delegated,
			"-reqin", req, "-respout", out, "-ndays", "1"}
		if byKey {
			args = append(args, "-resp_key_id")
		}
		testutil.Run(t, openssl, args...)
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	firsts := map[string]string{
		"first certified by another CA": responder("other-ca", "mid-ca", "OCSPSigning"),
		"first without OCSPSigning":     responder("no-eku", "int-ca", "serverAuth"),
	}
	for name, first := range firsts {
		for _, byKey := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, responderID byKey %v", name, byKey), func(t *testing.T) {
				resp := respond(t, first, byKey)
				res, err := verify.Verify(leaf, nil, verify.Policy{Roots: mustCerts(t, "root-ca.pem"), Intermediates: mustCerts(t, "int-ca.pem"),
					At: time.Now(), OCSP: [][]byte{resp}})
				if res == nil {
					t.Fatalf("not checked: %v", err)
				}
				wantOCSPGood(t, res, err)
			})
		}
	}
	// Regression guard: the certificate that is not a usable responder, alone, is refused.
	t.Run("the other certificate alone", func(t *testing.T) {
		out := filepath.Join(dir, "alone.der")
		testutil.Run(t, openssl, "ocsp", "-index", index, "-CA", ca, "-rsigner", firsts["first without OCSPSigning"], "-rkey", respKey,
			"-reqin", req, "-respout", out, "-ndays", "1")
		resp, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		res, err := verify.Verify(leaf, nil, verify.Policy{Roots: mustCerts(t, "root-ca.pem"), Intermediates: mustCerts(t, "int-ca.pem"),
			At: time.Now(), OCSP: [][]byte{resp}})
		mustRule(t, res, err, "rfc6960.responder-eku")
	})
}

// TestOCSPResponderAfterCA: a response that carries the issuer's certificate first and its
// delegated responder's after it (the order a chain is written in, leaf last) was refused as
// unreadable: golang.org/x/crypto/ocsp checked the response's signature with the first
// certificate's key.
func TestOCSPResponderAfterCA(t *testing.T) {
	k := newRVPKI(t)
	resp := issue(t, tpCert{subject: cn("RV Responder"), pathLen: -1, eku: rvOCSPSigningEKU()}, k.inter)
	for _, byKey := range []bool{false, true} {
		res, err := k.verifyOCSP(t, rvOCSP{signer: resp, byKey: byKey, certs: [][]byte{k.inter.der, k.root.der, resp.der}, singles: []rvSingle{k.good()}})
		wantOCSPGood(t, res, err)
	}
}

// TestOCSPResponderCandidatesBounded: each certificate a response carries is tried on its
// signature, and a megabyte response holds thousands of them; only the first eight (those
// the responderID names first) are tried. A responder listed after eight other certificates
// of its name is not found.
func TestOCSPResponderCandidatesBounded(t *testing.T) {
	k := newRVPKI(t)
	resp := issue(t, tpCert{subject: cn("RV Responder"), pathLen: -1, eku: rvOCSPSigningEKU()}, k.inter)
	for _, n := range []int{7, 8} {
		var certs [][]byte
		for range n {
			certs = append(certs, issue(t, tpCert{subject: cn("RV Responder"), pathLen: -1, eku: rvOCSPSigningEKU()}, k.sister).der)
		}
		res, err := k.verifyOCSP(t, rvOCSP{signer: resp, certs: append(certs, resp.der), singles: []rvSingle{k.good()}})
		if n < 8 {
			wantOCSPGood(t, res, err)
		} else {
			mustRule(t, res, err, "rfc6960.forged")
		}
	}
}
