package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// TestETEnrolledKeyWorksInGnuTLSAndOpenSSL: keys signet enrolls (EC P-256 and P-384, RSA 2048
// and 3072; issued at once by a CA in files, or through --csr-out by 'openssl x509 -req') are
// used by GnuTLS and OpenSSL through the URIs 'signet token objects' prints: p11tool lists key
// and certificate with one id and the label enrolled, gnutls-cli completes mutual TLS against
// openssl s_server -Verify 1 and signet tls serve --require-client-cert, and openssl s_client
// with libp11's engine against s_server.
func TestETEnrolledKeyWorksInGnuTLSAndOpenSSL(t *testing.T) {
	newSoftHSM(t, "et")
	openssl := testutil.RequireTool(t, "openssl")
	p11tool := testutil.RequireTool(t, "p11tool")
	engineConf := etEngineConf(t)
	bundle := etCABundle(t)
	dir := t.TempDir()
	ext := filepath.Join(dir, "client.ext")
	if err := os.WriteFile(ext, []byte("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		kt, label string
		external  bool // the CSR goes out (--csr-out), openssl issues it, enroll --cert finishes
	}{
		{"ec-p256", "client p256", false},
		{"ec-p384", "client-p384", true},
		{"rsa-2048", "client rsa2048", false},
		{"rsa-3072", "client_rsa3072", true},
	} {
		t.Run(tc.kt, func(t *testing.T) {
			token := "pkcs11:token=et;object=" + strings.ReplaceAll(tc.label, " ", "%20")
			subject := "CN=et " + tc.kt + ",O=Example"
			if tc.external {
				csr := filepath.Join(dir, tc.kt+".csr")
				mustSignet(t, "enroll", "--token", token, "--type", tc.kt, "--subject", subject, "--csr-out", csr)
				cert := filepath.Join(dir, tc.kt+".pem")
				testutil.Run(t, openssl, "x509", "-req", "-in", csr, "-CA", fixturePKI(t, "int-ca.pem"), "-CAkey", fixturePKI(t, "int-ca.key"),
					"-CAcreateserial", "-CAserial", filepath.Join(dir, "serial"), "-days", "30", "-extfile", ext, "-out", cert)
				mustSignet(t, "enroll", "--token", token, "--cert", cert, "--chain", fixturePKI(t, "int-ca.pem"))
			} else {
				mustSignet(t, "enroll", "--token", token, "--type", tc.kt, "--subject", subject,
					"--ca", fixturePKI(t, "int-ca.pem"), "--ca-key", fixturePKI(t, "int-ca.key"))
			}
			objs := etObjects(t, token)
			key, pub, cert := etPick(t, objs, "private"), etPick(t, objs, "public"), etPick(t, objs, "cert")
			for _, o := range []etObject{key, pub, cert} {
				if o.ID != key.ID || o.Label != tc.label {
					t.Errorf("%s: label %q id %s, want the key's label %q and id %s", o.URI, o.Label, o.ID, tc.label, key.ID)
				}
			}
			if key.CertificateURI != cert.URI || cert.PrivateKeyURI != key.URI {
				t.Errorf("signet pairs %s with %s and %s with %s", key.URI, key.CertificateURI, cert.URI, cert.PrivateKeyURI)
			}

			// GnuTLS sees the same pair: each URI signet printed selects exactly its object.
			for _, o := range []etObject{key, pub, cert} {
				blocks := p11toolList(t, o.URI, "--login", "--list-all")
				if len(blocks) != 1 || !strings.Contains(blocks[0], "Label: "+tc.label+"\n") || !strings.Contains(blocks[0], "ID: "+colonHex(key.ID)+"\n") {
					t.Errorf("p11tool --list-all %s lists:\n%s", o.URI, strings.Join(blocks, "\n"))
				}
			}
			for _, list := range []string{"--list-all-certs", "--list-privkeys"} {
				n := 0
				for _, b := range p11toolList(t, "pkcs11:token=et", "--login", list) {
					if strings.Contains(b, "Label: "+tc.label+"\n") {
						n++
						if !strings.Contains(b, "ID: "+colonHex(key.ID)+"\n") {
							t.Errorf("p11tool %s: %s has another id than the key's (%s):\n%s", list, tc.label, key.ID, b)
						}
					}
				}
				if n != 1 {
					t.Errorf("p11tool %s lists %d objects labelled %q, want 1", list, n, tc.label)
				}
			}

			// gnutls-cli, key and certificate by signet's URIs, against openssl s_server.
			addr := etWWWServer(t, bundle)
			out := gnutlsCLI(t, addr, cert.URI, key.URI, "GET / HTTP/1.0\r\n\r\n", "</HTML>")
			if !strings.Contains(out, "Handshake was completed") || !strings.Contains(out, "Subject: O=Example, CN=et "+tc.kt+"\n") {
				t.Errorf("gnutls-cli against openssl s_server -Verify 1:\n%s", out)
			}
			// ... and against signet tls serve, which names the certificate it verified.
			srv, _, stop := startServe(t, "--client-ca", fixturePKI(t, "root-ca.pem"), "--client-intermediates", fixturePKI(t, "int-ca.pem"), "--require-client-cert")
			out = gnutlsCLI(t, srv, cert.URI, key.URI, "", "hello, ")
			if !strings.Contains(out, "hello, "+subject) {
				t.Errorf("gnutls-cli against signet tls serve:\n%s", out)
			}
			stop()

			// openssl s_client with libp11's engine: the key by signet's URI, the certificate
			// as p11tool exports it by signet's URI.
			certFile := filepath.Join(dir, tc.kt+"-exported.pem")
			pem := testutil.Run(t, p11tool, "--export", cert.URI)
			if err := os.WriteFile(certFile, pem, 0o600); err != nil {
				t.Fatal(err)
			}
			addr = etWWWServer(t, bundle)
			out = etClient(t, []string{"OPENSSL_CONF=" + engineConf}, "GET / HTTP/1.0\r\n\r\n", "</HTML>", openssl,
				"s_client", "-connect", addr, "-CAfile", fixturePKI(t, "root-ca.pem"), "-verify_return_error", "-ign_eof",
				"-engine", "pkcs11", "-keyform", "engine", "-key", key.URI, "-pass", "pass:"+testutil.SoftHSMPIN, "-cert", certFile)
			if !strings.Contains(out, "Subject: O=Example, CN=et "+tc.kt+"\n") {
				t.Errorf("openssl s_client -engine pkcs11 -key %s against openssl s_server -Verify 1:\n%s", key.URI, out)
			}
		})
	}
}

// TestETEnrollPrintedURIQuotesInTheShell: the URI enroll prints for the user to copy, inside
// single quotes ("use --key '...'", and the finishing command after --csr-out), is one shell
// word that the shell hands over unchanged, and names the key in p11tool and libp11 as it does
// in signet, whatever the label holds. A label with an apostrophe ("bob's key") was printed
// with the apostrophe bare, which RFC 7512 allows but which ends the quoted word: the line as
// printed ran a broken command, and 'signet token objects' printed the same URI, which README
// says to quote with single quotes.
func TestETEnrollPrintedURIQuotesInTheShell(t *testing.T) {
	newSoftHSM(t, "et")
	sh := testutil.RequireTool(t, "sh")
	p11tool := testutil.RequireTool(t, "p11tool")
	openssl := testutil.RequireTool(t, "openssl")
	engineConf := etEngineConf(t)
	label := "bob's key (1)&é=x"
	token := "pkcs11:token=et;object=bob%27s%20key%20(1)%26%C3%A9=x"
	csr := filepath.Join(t.TempDir(), "bob.csr")
	outs := []string{mustSignet(t, "enroll", "--token", token, "--subject", "CN=bob", "--csr-out", csr)}
	outs = append(outs, mustSignet(t, "enroll", "--token", token, "--subject", "CN=bob", "--ca", fixturePKI(t, "int-ca.pem"), "--ca-key", fixturePKI(t, "int-ca.key"), "--force"))
	key := etPick(t, etObjects(t, token), "private")
	if key.Label != label {
		t.Fatalf("label %q, want %q", key.Label, label)
	}
	for _, out := range outs {
		var quoted []string
		for _, line := range strings.Split(out, "\n") {
			if _, q, ok := strings.Cut(line, "--key "); ok {
				quoted = append(quoted, q)
			}
			if _, q, ok := strings.Cut(line, "--token "); ok {
				quoted = append(quoted, strings.Fields(q)[0])
			}
		}
		if len(quoted) == 0 {
			t.Fatalf("enroll printed no URI to use:\n%s", out)
		}
		for _, q := range quoted {
			got, _, err := testutil.RunErr(sh, "-c", "printf '%s\\n' "+q)
			if err != nil || string(got) != key.URI+"\n" {
				t.Errorf("enroll printed %s, which the shell reads as %q (%v), not the key's URI %s", q, got, err, key.URI)
			}
		}
	}
	if strings.Contains(key.URI, "'") {
		t.Errorf("token objects prints %s, which cannot be quoted with single quotes", key.URI)
	}
	// The URI as printed names the key in GnuTLS and in libp11 too.
	if blocks := p11toolList(t, key.URI, "--login", "--list-all"); len(blocks) != 1 || !strings.Contains(blocks[0], "Label: "+label+"\n") {
		t.Errorf("p11tool --list-all %s lists:\n%s", key.URI, strings.Join(blocks, "\n"))
	}
	msg := filepath.Join(t.TempDir(), "msg")
	if err := os.WriteFile(msg, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	testutil.Cmd{Env: []string{"OPENSSL_CONF=" + engineConf}}.Run(t, openssl, "dgst", "-sha256", "-engine", "pkcs11", "-keyform", "engine",
		"-sign", key.URI, "-passin", "pass:"+testutil.SoftHSMPIN, "-out", msg+".sig", msg)
	pub := filepath.Join(t.TempDir(), "pub.pem")
	if err := os.WriteFile(pub, testutil.Cmd{Env: []string{"GNUTLS_PIN=" + testutil.SoftHSMPIN}}.Run(t, p11tool, "--export-pubkey", strings.TrimSuffix(key.URI, "private")+"public"), 0o600); err != nil {
		t.Fatal(err)
	}
	testutil.Run(t, openssl, "dgst", "-sha256", "-verify", pub, "-signature", msg+".sig", msg)
}

// TestETGeneratedKeyOnlySigns: a key pair enroll generates may only sign and verify, as
// hsm.GenerateKey documents, as other tools read its flags: pkcs11-tool lists the private key
// for "sign" alone and the public key for "verify" alone. EC keys were left to the token's
// defaults, which on SoftHSM2 also allow decrypt and unwrap (encrypt and wrap for the public
// key): p11tool listed signet's EC keys with CKA_WRAP/UNWRAP.
func TestETGeneratedKeyOnlySigns(t *testing.T) {
	newSoftHSM(t, "et")
	pkcs11Tool := testutil.RequireTool(t, "pkcs11-tool")
	for _, kt := range []string{"ec-p256", "rsa-2048"} {
		mustSignet(t, "enroll", "--token", "pkcs11:token=et;object="+kt, "--type", kt, "--subject", "CN="+kt,
			"--ca", fixturePKI(t, "int-ca.pem"), "--ca-key", fixturePKI(t, "int-ca.key"))
	}
	out := string(testutil.Run(t, pkcs11Tool, "--module", os.Getenv("SIGNET_PKCS11_MODULE"), "--token-label", "et", "--login",
		"--pin", testutil.SoftHSMPIN, "--list-objects"))
	n := 0
	for _, obj := range strings.Split("\n"+out, "\nP")[1:] {
		class, _, _ := strings.Cut(obj, " ")
		_, usage, _ := strings.Cut(obj, "Usage:")
		usage, _, _ = strings.Cut(strings.TrimSpace(usage), "\n")
		want := map[string]string{"rivate": "sign", "ublic": "verify"}[class]
		if want == "" {
			continue
		}
		n++
		if usage != want {
			t.Errorf("pkcs11-tool lists P%s with usage %q, want %q", strings.SplitN(obj, "\n", 2)[0], usage, want)
		}
	}
	if n != 4 {
		t.Errorf("%d key objects listed, want 4:\n%s", n, out)
	}
}
