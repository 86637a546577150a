package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
)

// These tests hold what signet enrolls on a token to what other software does with it, and
// what other tools put on a token to what signet does with it: GnuTLS (gnutls-cli, p11tool,
// certtool, gnutls-serv) and OpenSSL (s_server, s_client and req through libp11's pkcs11
// engine) on a real SoftHSM2 token, by the URIs signet prints, as a user copies them.

// etObject is an object as 'signet token objects --json' lists it.
type etObject struct {
	URI            string `json:"uri"`
	Type           string `json:"type"`
	Label          string `json:"label"`
	ID             string `json:"id"`
	CertificateURI string `json:"certificate_uri"`
	PrivateKeyURI  string `json:"private_key_uri"`
}

// etObjects lists the objects a URI selects, as signet prints them.
func etObjects(t *testing.T, uri string) []etObject {
	t.Helper()
	var objs []etObject
	if err := json.Unmarshal([]byte(mustSignet(t, "token", "objects", "--json", uri)), &objs); err != nil {
		t.Fatal(err)
	}
	return objs
}

// etPick returns the one object of a type among objs.
func etPick(t *testing.T, objs []etObject, typ string) etObject {
	t.Helper()
	var found []etObject
	for _, o := range objs {
		if o.Type == typ {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d objects of type %s, want 1: %+v", len(found), typ, objs)
	}
	return found[0]
}

// etCABundle writes the fixture root and intermediate CA into one file: a server's client CA
// file that knows the issuing CA, since gnutls-cli sends no chain certificate from a token (it
// loads the one certificate the URI names).
func etCABundle(t *testing.T) string {
	t.Helper()
	var b []byte
	for _, f := range []string{"root-ca.pem", "int-ca.pem"} {
		c, err := os.ReadFile(fixturePKI(t, f))
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, c...)
	}
	p := filepath.Join(t.TempDir(), "client-cas.pem")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// etWWWServer starts openssl s_server -www for one connection, requiring a client certificate
// that verifies under cafile; its status page names the client's certificate.
func etWWWServer(t *testing.T, cafile string) string {
	t.Helper()
	return startSServer(t, "-www", "-CAfile", cafile, "-Verify", "1", "-verify_return_error")
}

// etClient runs a TLS client command (gnutls-cli, openssl s_client) with env added, writes
// send to it and reads what it prints until want appears or it ends, then closes its input.
// It returns what the client printed, stdout and stderr.
func etClient(t *testing.T, env []string, send, want string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); pw.Close() }()
	io.WriteString(stdin, send)
	var out strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), want) {
			break
		}
	}
	stdin.Close()
	go io.Copy(io.Discard, pr)
	return out.String()
}

// gnutlsCLI connects gnutls-cli to addr with the certificate and key the URIs name, the PIN in
// GNUTLS_PIN, the fixture root for the server, sends send and returns its output once want
// appears (or it ends).
func gnutlsCLI(t *testing.T, addr, certURI, keyURI, send, want string) string {
	t.Helper()
	bin := testutil.RequireTool(t, "gnutls-cli")
	host, port, _ := strings.Cut(addr, ":")
	return etClient(t, []string{"GNUTLS_PIN=" + testutil.SoftHSMPIN}, send, want, bin,
		"--x509cafile", fixturePKI(t, "root-ca.pem"), "--verify-hostname", "www.example.com",
		"--x509certfile", certURI, "--x509keyfile", keyURI, "-p", port, host)
}

// etEngineConf writes an OpenSSL configuration that loads libp11's pkcs11 engine with the
// SoftHSM2 module, and returns its path.
func etEngineConf(t *testing.T) string {
	t.Helper()
	testutil.RequireTool(t, "openssl")
	engines, _ := filepath.Glob("/usr/lib/*/engines-3/pkcs11.so")
	if len(engines) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("libp11's pkcs11 engine (libengine-pkcs11-openssl) is required in CI but not installed")
		}
		t.Skip("libp11's pkcs11 engine (libengine-pkcs11-openssl) not installed")
	}
	conf := "openssl_conf = openssl_init\n[openssl_init]\nengines = engine_section\n[engine_section]\npkcs11 = pkcs11_section\n" +
		"[pkcs11_section]\nengine_id = pkcs11\ndynamic_path = " + engines[0] + "\nMODULE_PATH = " + testutil.SoftHSMModule(t) + "\ninit = 0\n"
	p := filepath.Join(t.TempDir(), "openssl-engine.cnf")
	if err := os.WriteFile(p, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// p11toolList runs p11tool on the URI with the further arguments (GNUTLS_PIN given) and
// returns its listing as one block per object.
func p11toolList(t *testing.T, uri string, args ...string) []string {
	t.Helper()
	bin := testutil.RequireTool(t, "p11tool")
	out := testutil.Cmd{Env: []string{"GNUTLS_PIN=" + testutil.SoftHSMPIN}}.Run(t, bin, append(args, uri)...)
	var blocks []string
	for _, b := range strings.Split(string(out), "Object ") {
		if strings.Contains(b, "URL: ") {
			blocks = append(blocks, b)
		}
	}
	return blocks
}

// colonHex is an id as p11tool prints it: 01, 5d:cf:77.
func colonHex(id string) string {
	b, err := hex.DecodeString(id)
	if err != nil {
		return id
	}
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = hex.EncodeToString([]byte{c})
	}
	return strings.Join(parts, ":")
}
