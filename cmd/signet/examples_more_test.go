package main

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/urfave/cli/v2"
)

// The EXAMPLES of the commands that need a token or a server: enroll, token, tls check, tls
// serve, tls tunnel. TestEveryHelpExampleRuns makes sure no command's EXAMPLES are left out.

// copyFixtures copies fixture PKI files into the working directory under new names (new ->
// fixture); a fixture name list joined with "+" is concatenated.
func copyFixtures(t *testing.T, files map[string]string) {
	t.Helper()
	for to, from := range files {
		var b []byte
		for _, f := range strings.Split(from, "+") {
			d, err := os.ReadFile(filepath.Join(sourceTestdata, "pki", f))
			if err != nil {
				t.Fatal(err)
			}
			b = append(b, d...)
		}
		if err := os.WriteFile(to, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestEnrollHelpExamples: one step with a local CA; then a CSR out, the CA's certificate and
// its chain back in, as with a CA elsewhere.
func TestEnrollHelpExamples(t *testing.T) {
	newSoftHSM(t, "alice", "bob")
	exampleFixture(t, nil)
	copyFixtures(t, map[string]string{"ca.pem": "int-ca.pem", "ca.key": "int-ca.key", "ca-chain.pem": "int-ca.pem+root-ca.pem"})
	examples, results := runHelpExamples(t, "enroll")
	if len(examples) != 4 {
		t.Fatalf("%d examples", len(examples))
	}
	for _, tok := range []string{"alice", "bob"} {
		out := mustSignet(t, "token", "objects", "pkcs11:token="+tok+";object=client;type=cert")
		if !strings.Contains(out, "client") {
			t.Errorf("token %s holds no client certificate after the examples:\n%s\n%+v", tok, out, results)
		}
	}
}

// TestTokenHelpExamples runs the EXAMPLES of token and each of its commands, each on a fresh
// token labelled signet holding the keys they name: release (without a certificate, which
// the examples import) and old-key (with one, which they delete).
func TestTokenHelpExamples(t *testing.T) {
	for _, cmd := range [][]string{{"token"}, {"token", "list"}, {"token", "objects"}, {"token", "mechanisms"}, {"token", "import-cert"}, {"token", "delete"}} {
		t.Run(strings.Join(cmd, " "), func(t *testing.T) {
			newSoftHSM(t, "signet")
			exampleFixture(t, nil)
			copyFixtures(t, map[string]string{"ca.pem": "int-ca.pem", "ca.key": "int-ca.key"})
			for _, obj := range []string{"release", "old-key"} {
				key := "pkcs11:token=signet;object=" + obj
				mustSignet(t, "key", "gen", "--type", "ec-p256", "-o", key)
				mustSignet(t, "csr", "--key", key, "--subject", "CN="+obj, "-o", obj+".csr")
			}
			mustSignet(t, "cert", "create", "--profile", "code-signing", "--csr", "release.csr", "--ca", "ca.pem", "--ca-key", "ca.key", "-o", "release.crt")
			// chain.pem: release.crt and its CA
			rel, _ := os.ReadFile("release.crt")
			ca, _ := os.ReadFile("ca.pem")
			if err := os.WriteFile("chain.pem", append(rel, ca...), 0o600); err != nil {
				t.Fatal(err)
			}
			mustSignet(t, "cert", "create", "--profile", "code-signing", "--csr", "old-key.csr", "--ca", "ca.pem", "--ca-key", "ca.key", "-o", "old.crt")
			mustSignet(t, "token", "import-cert", "pkcs11:token=signet;object=old-key", "--cert", "old.crt")
			if cmd[len(cmd)-1] == "delete" { // its second example deletes release's certificate
				mustSignet(t, "token", "import-cert", "pkcs11:token=signet;object=release", "--cert", "release.crt")
			}
			if err := os.WriteFile("pin.txt", []byte(os.Getenv("SIGNET_PIN")+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			runHelpExamples(t, cmd...)
			if code, out, _ := signetRun(t, "token", "objects", "pkcs11:token=signet;object=old-key"); code != 0 || (cmd[len(cmd)-1] == "delete" || len(cmd) == 1) == strings.Contains(out, "old-key") {
				t.Errorf("after the examples, old-key: exit %d\n%s", code, out)
			}
		})
	}
}

// serverProc is an example that serves until it is stopped.
type serverProc struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan error
}

// startServerExample runs a serving example as a process and returns once it listens: on
// its --listen address, or on the address its --addr-file names.
func startServerExample(t *testing.T, ex helpExample) (*serverProc, string) {
	t.Helper()
	if ex.args == nil || ex.args[0] != "signet" {
		t.Fatalf("%s: not a signet command", ex.line)
	}
	args := rewriteExamplePaths(t, ex.args)
	p := &serverProc{cmd: exec.Command("signet", args[1:]...), out: &syncBuffer{}, done: make(chan error, 1)}
	p.cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	listen, addrFile := flagValue(args, "--listen"), flagValue(args, "--addr-file")
	addr := listen
	if strings.HasPrefix(addr, ":") {
		addr = "127.0.0.1" + addr
	}
	if addrFile != "" {
		deadline := time.Now().Add(20 * time.Second)
		for {
			b, err := os.ReadFile(addrFile)
			if err == nil && len(strings.TrimSpace(string(b))) > 0 {
				addr = strings.TrimSpace(string(b))
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: no address in %s\n%s", ex.line, addrFile, p.out.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitPort(t, addr, p.out)
	return p, addr
}

// stop sends SIGTERM and requires a clean exit.
func (p *serverProc) stop(t *testing.T, line string) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("%s: stopped with %v\n%s", line, err, p.out.String())
		}
	case <-time.After(20 * time.Second):
		t.Errorf("%s: still running 20 s after SIGTERM\n%s", line, p.out.String())
	}
}

// flagValue returns the value of a --name VALUE or --name=VALUE flag in args.
func flagValue(args []string, name string) string {
	for i, a := range args {
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}

// requireFree fails the test when addr is taken: the examples name fixed ports.
func requireFree(t *testing.T, cmd string, addrs ...string) {
	t.Helper()
	for _, addr := range addrs {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Fatalf("%s is taken: the examples of 'signet %s --help' need it", addr, cmd)
		}
	}
}

// enrollAlice puts a client key and certificate (and its chain) on the token alice.
func enrollAlice(t *testing.T) {
	t.Helper()
	mustSignet(t, "enroll", "--token", "pkcs11:token=alice;object=client", "--type", "ec-p256", "--subject", "CN=alice,O=Example",
		"--ca", fixturePKI(t, "int-ca.pem"), "--ca-key", fixturePKI(t, "int-ca.key"))
}

// TestTLSServeHelpExamples starts each serving example, checks a client completes a
// handshake with it, and stops it with SIGTERM.
func TestTLSServeHelpExamples(t *testing.T) {
	requireFree(t, "tls serve", "127.0.0.1:8443")
	newSoftHSM(t, "server")
	exampleFixture(t, nil)
	copyFixtures(t, map[string]string{"server.pem": "server.pem+int-ca.pem", "server.key": "server.key", "root.pem": "root-ca.pem",
		"client.pem": "client.pem+int-ca.pem", "client.key": "client.key", "int.pem": "int-ca.pem", "int.key": "int-ca.key"})
	mustSignet(t, "key", "gen", "--type", "ec-p256", "-o", "pkcs11:token=server;object=tls")
	mustSignet(t, "csr", "--key", "pkcs11:token=server;object=tls", "--subject", "CN=www.example.com", "--san", "dns:www.example.com", "-o", "tls.csr")
	mustSignet(t, "cert", "create", "--profile", "server", "--csr", "tls.csr", "--ca", "int.pem", "--ca-key", "int.key", "--bundle", "-o", "tls.pem")
	examples := manualExamples(t, "tls", "serve")
	if len(examples) != 2 {
		t.Fatalf("%d examples", len(examples))
	}
	for _, ex := range examples {
		p, addr := startServerExample(t, ex)
		if code, out, errOut := signetRun(t, "tls", "check", addr, "--server-name", "www.example.com", "--roots", "root.pem",
			"--cert", "client.pem", "--key", "client.key"); code != 0 {
			t.Errorf("%s: tls check: exit %d\n%s%s", ex.line, code, out, errOut)
		}
		p.stop(t, ex.line)
	}
}

// TestTLSCheckHelpExamples runs the check examples against signet's own server, which asks
// for a client certificate from the fixture CA: a key file, a key on a token (enrolled with
// its chain), and none.
func TestTLSCheckHelpExamples(t *testing.T) {
	requireFree(t, "tls check", "127.0.0.1:8443")
	newSoftHSM(t, "alice")
	enrollAlice(t)
	exampleFixture(t, nil)
	copyFixtures(t, map[string]string{"server.pem": "server.pem+int-ca.pem", "server.key": "server.key", "root.pem": "root-ca.pem",
		"client.pem": "client.pem+int-ca.pem", "client.key": "client.key"})
	p, _ := startServerExample(t, helpExample{line: "test server", args: []string{"signet", "tls", "serve", "--listen", "127.0.0.1:8443",
		"--cert", "server.pem", "--key", "server.key", "--client-ca", "root.pem"}})
	examples, results := runHelpExamples(t, "tls", "check")
	if len(examples) != 3 || !strings.HasPrefix(strings.TrimSpace(results[2].stdout), "{") {
		t.Errorf("examples %+v\n%+v", examples, results)
	}
	p.stop(t, "test server")
}

// TestTLSTunnelHelpExamples runs the server side in front of an echo service and the client
// side with its key on a token, then sends a line through both.
func TestTLSTunnelHelpExamples(t *testing.T) {
	requireFree(t, "tls tunnel", "127.0.0.1:6379", "127.0.0.1:6380", "127.0.0.1:6381")
	newSoftHSM(t, "alice")
	enrollAlice(t)
	exampleFixture(t, nil)
	copyFixtures(t, map[string]string{"server.pem": "server.pem+int-ca.pem", "server.key": "server.key", "ca.pem": "root-ca.pem",
		"ca.crl": "root-ca.crl+int-ca.crl"})
	// The service behind the tunnel: an echo server where redis would be.
	ln, err := net.Listen("tcp", "127.0.0.1:6379")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	examples := manualExamples(t, "tls", "tunnel")
	if len(examples) != 2 {
		t.Fatalf("%d examples", len(examples))
	}
	var procs []*serverProc
	for _, ex := range examples {
		p, _ := startServerExample(t, ex)
		procs = append(procs, p)
	}
	c, err := net.DialTimeout("tcp", "127.0.0.1:6381", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.WriteString(c, "PING through the tunnel\n"); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	c.Close()
	if line != "PING through the tunnel\n" {
		t.Errorf("through the tunnel: %q, %v\n%s\n%s", line, err, procs[0].out.String(), procs[1].out.String())
	}
	for i := len(procs) - 1; i >= 0; i-- {
		procs[i].stop(t, examples[i].line)
	}
}

// TestEveryHelpExampleRuns: every command whose help has EXAMPLES is named in a call of
// runHelpExamples or manualExamples with that command's words in one of this package's
// tests, so that no example goes unrun: they run the examples of the command's manual (its
// man page's EXAMPLES, TestManPageExamples), which hold those --help shows.
func TestEveryHelpExampleRuns(t *testing.T) {
	covered := map[string]bool{}
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			var words []string
			switch n := n.(type) {
			case *ast.CallExpr: // runHelpExamples(t, "cert", "verify"); a call with other arguments tells nothing
				for i, a := range n.Args {
					s, ok := stringLit(a)
					if !ok && i > 0 {
						return true
					}
					if ok {
						words = append(words, s)
					}
				}
			case *ast.CompositeLit: // []string{"token", "list"} in a table
				for _, e := range n.Elts {
					s, ok := stringLit(e)
					if !ok {
						return true
					}
					words = append(words, s)
				}
			}
			if len(words) > 0 {
				covered[strings.Join(words, " ")] = true
			}
			return true
		})
	}
	var walk func(path []string, cmds []*cli.Command)
	walk = func(path []string, cmds []*cli.Command) {
		for _, c := range cmds {
			p := append(slices.Clone(path), c.Name)
			if words := strings.Join(p, " "); strings.Contains(c.Description, "EXAMPLES") && !covered[words] && !covered[words+" --help"] {
				t.Errorf("the EXAMPLES of 'signet %s --help' are run by no test", strings.Join(p, " "))
			}
			walk(p, c.Subcommands)
		}
	}
	walk(nil, newApp(&env{}).Commands)
}

// stringLit returns the value of a string literal.
func stringLit(e ast.Expr) (string, bool) {
	l, ok := e.(*ast.BasicLit)
	if !ok || l.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(l.Value)
	return s, err == nil
}
