package main

import (
	"strings"
	"testing"
)

// TestTLSCheckLeafOnlyUnknownCA: a client certificate sent without its intermediate to a
// server that answers unknown_ca (openssl s_server, a real peer) is reported as rejected with
// the server's alert and a word on the missing intermediates; the same certificate with its
// chain is accepted, so the word is about the chain and nothing else.
func TestTLSCheckLeafOnlyUnknownCA(t *testing.T) {
	root := fixturePKI(t, "root-ca.pem")
	for _, v := range []string{"-tls1_2", "-tls1_3"} {
		t.Run(v, func(t *testing.T) {
			addr := sServer(t, v, root)
			code, out, errOut := signetRun(t, "tls", "check", addr, "--server-name", "www.example.com", "--roots", root,
				"--cert", fixturePKI(t, "client.pem"), "--key", fixturePKI(t, "client.key"))
			want := "FAILED " + addr + ": client certificate rejected: remote error: tls: unknown certificate authority " +
				"(the certificate was sent without its intermediate CA certificates, which the server may need)\n"
			if code != exitCheckFailed || !strings.HasSuffix(out, want) {
				t.Errorf("exit %d, want 1 ending %q:\n%s%s", code, want, out, errOut)
			}
		})
	}
}
