package main

import (
	"strings"
	"testing"
)

// TestImportCertWithChain: --chain names a FILE in enroll and cert p12; token import-cert's
// switch that writes the rest of the --cert file is --with-chain, and --chain, its old name,
// still works there as a switch (scripts use it), though its help no longer shows it.
func TestImportCertWithChain(t *testing.T) {
	for _, spelling := range []string{"--with-chain", "--chain"} {
		t.Run(spelling, func(t *testing.T) {
			newSoftHSM(t, "signet")
			exampleFixture(t, nil)
			copyFixtures(t, map[string]string{"ca.pem": "int-ca.pem", "ca.key": "int-ca.key"})
			key := "pkcs11:token=signet;object=release"
			mustSignet(t, "key", "gen", "--type", "ec-p256", "-o", key)
			mustSignet(t, "csr", "--key", key, "--subject", "CN=release", "-o", "release.csr")
			mustSignet(t, "cert", "create", "--profile", "code-signing", "--csr", "release.csr", "--ca", "ca.pem", "--ca-key", "ca.key", "--bundle", "-o", "chain.pem")

			code, out, errOut := signetRun(t, "token", "import-cert", key, "--cert", "chain.pem")
			if code != exitUsage || out != "" || !strings.Contains(errOut, "pass --with-chain") {
				t.Fatalf("a chain file without the switch: exit %d, %q, %q", code, out, errOut)
			}
			out = mustSignet(t, "token", "import-cert", key, "--cert", "chain.pem", spelling)
			if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 {
				t.Fatalf("%s: want the key's certificate and its CA written:\n%s", spelling, out)
			}
			objs := mustSignet(t, "token", "objects", "pkcs11:token=signet;type=cert")
			if !strings.Contains(objs, "release") || strings.Count(objs, "type=cert") < 2 {
				t.Errorf("%s: the token's certificates:\n%s", spelling, objs)
			}
		})
	}
	_, bash, _ := certRun("completion", "bash")
	if !strings.Contains(bash, "'token import-cert') echo '--cert --help --module --with-chain -h'") {
		t.Errorf("bash completes token import-cert's flags otherwise than --help shows them:\n%s", bash)
	}
	_, help, _ := certRun("token", "import-cert", "--help")
	if _, opts, _ := strings.Cut(help, "\nOPTIONS:\n"); !strings.Contains(opts, "--with-chain ") || strings.Contains(opts, "--chain") {
		t.Errorf("token import-cert --help shows the switch as --with-chain alone:\n%s", help)
	}
}
