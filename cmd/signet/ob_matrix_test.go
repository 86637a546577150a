package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
)

// The bad-input contract, checked over every command that reads files or writes outputs:
// bad input (a missing file, a directory, an empty file, a FIFO, a device, garbage, a
// truncated file, a file over the cap, a file of another kind, a wrong key or passphrase, a
// tampered file) gets one error line on stderr naming the file (and at most a hint line),
// the exit code of the table in exit.go, no output written or changed and no temporary file
// left beside it, and no secret in anything printed. Each case runs the built signet as a
// process of its own in a directory of its own, so the cases run in parallel.

// The secrets of the matrix: distinctive, so that finding one in output is a leak.
const (
	obFilePass = "Ob7filePassQz" // pass.txt's passphrase, that of enc.key and s.p12
	obEnvPass  = "Ob9envPassWx"  // SIGNET_PASSPHRASE of every run
	obPIN      = "Ob3pinVk"      // the user PIN of the matrix's tokens
	obWrongPIN = "Wr0ngPinOb"    // a PIN that is not theirs
)

// obClasses are the bad files a file argument is crossed with, by name. Each makes the bad
// file in dir (good is the fixture file the argument stands for) and returns the path
// given on the command line.
var obClasses = map[string]func(t *testing.T, dir, good string) string{
	"missing": func(t *testing.T, dir, good string) string { return "no-such.pem" },
	"dir": func(t *testing.T, dir, good string) string {
		obMust(t, os.Mkdir(filepath.Join(dir, "a-dir.pem"), 0o755))
		return "a-dir.pem"
	},
	"empty": func(t *testing.T, dir, good string) string {
		obMust(t, os.WriteFile(filepath.Join(dir, "empty.pem"), nil, 0o600))
		return "empty.pem"
	},
	"fifo": func(t *testing.T, dir, good string) string {
		obMust(t, syscall.Mkfifo(filepath.Join(dir, "a-fifo.pem"), 0o600))
		return "a-fifo.pem"
	},
	"dev": func(t *testing.T, dir, good string) string { return "/dev/zero" },
	"junk": func(t *testing.T, dir, good string) string {
		obMust(t, os.WriteFile(filepath.Join(dir, "junk.pem"), []byte("\x00\x01\xffthis is neither PEM nor DER\n"), 0o600))
		return "junk.pem"
	},
	"trunc": func(t *testing.T, dir, good string) string {
		data, err := os.ReadFile(filepath.Join(dir, good))
		obMust(t, err)
		obMust(t, os.WriteFile(filepath.Join(dir, "trunc.pem"), data[:len(data)/2], 0o600))
		return "trunc.pem"
	},
	"big": func(t *testing.T, dir, good string) string {
		// Sparse: a file over every cap signet has for a key, certificate or signature
		// (64 MiB), that costs no disk.
		p := filepath.Join(dir, "big.pem")
		f, err := os.Create(p)
		obMust(t, err)
		obMust(t, f.Truncate(65<<20))
		obMust(t, f.Close())
		return "big.pem"
	},
}

// obAll are the classes of a small file argument: a key, a certificate, a signature, a CRL.
const obAll = "missing dir empty fifo dev junk trunc big"

// obCase is one file argument of one command. args holds "@" for the bad file; the classes
// are obClasses' names, each expected to exit 3 unless want says otherwise; extra cases
// name another file for "@" (a file of another kind, a wrong key) with their exit codes.
type obCase struct {
	name    string
	args    []string
	good    string // the fixture file "@" stands for
	classes string
	want    map[string]int    // class -> exit code, when not exitBadInput
	extra   map[string]int    // a fixture file given as "@" -> exit code
	blame   map[string]string // a class or extra file -> what the error line must name, when not "@"
	outs    []string          // outputs that exist before the run (and --force is given)
	json    bool              // the command has --json: run each case with it too
	token   bool              // TOKEN stands for a pkcs11: URI on a fresh SoftHSM2 token, BADPIN for one with a wrong PIN
	noForce bool              // the command has no --force
	// verdict: the command reports a failed check as a verdict on stdout (verify, cert
	// verify, ts verify, hash -c), naming the file there; stderr then holds at most one line
	// besides hints (an error, or hash -c's coreutils WARNING).
	verdict bool
	// multi: a run over many files names each file that failed on a line of its own, then
	// says that nothing was written (sign's style).
	multi bool
}

func TestOBMatrix(t *testing.T) {
	bin := obBinary(t)
	tsaURL := testTSA(t)
	fx := obFixture(t, bin, tsaURL)
	home := t.TempDir()
	secrets := []string{obFilePass, obEnvPass, obPIN, obWrongPIN}
	for _, k := range []string{"server.key", "codesign.key", "int-ca.key", "codesign-ed25519.key", "expired.key"} {
		// The first line of each private key's base64: no output may carry key bytes.
		data, err := os.ReadFile(filepath.Join(fx, k))
		obMust(t, err)
		secrets = append(secrets, strings.Split(string(data), "\n")[1])
	}
	cases := obCases(tsaURL)
	n := 0
	for _, c := range cases {
		type run struct {
			name, class, file string
			code              int
		}
		var runs []run
		for _, cl := range strings.Fields(c.classes) {
			code := exitBadInput
			if w, ok := c.want[cl]; ok {
				code = w
			}
			runs = append(runs, run{name: cl, class: cl, code: code})
		}
		extras := make([]string, 0, len(c.extra))
		for f := range c.extra {
			extras = append(extras, f)
		}
		sort.Strings(extras)
		for _, f := range extras {
			runs = append(runs, run{name: "as-" + strings.ReplaceAll(f, "/", "-"), file: f, code: c.extra[f]})
		}
		for _, r := range runs {
			for _, asJSON := range []bool{false, true} {
				if asJSON && (!c.json || r.class != "" && r.class != "missing" && r.class != "junk" && r.class != "dir") {
					continue
				}
				name := c.name + "/" + r.name
				if asJSON {
					name += "/json"
				}
				n++
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					dir := t.TempDir()
					obCopyDir(t, fx, dir)
					env := []string{"SIGNET_HOME=" + filepath.Join(home, "none"), "XDG_CONFIG_HOME=" + filepath.Join(home, "none"),
						"HOME=" + filepath.Join(home, "none"), "SIGNET_PASSPHRASE=" + obEnvPass, "GORACE=atexit_sleep_ms=0"}
					var tokenURI, badPINURI string
					var tokenEnv []string
					if c.token {
						tokenURI, badPINURI, tokenEnv = obToken(t, bin, dir)
						env = append(env, tokenEnv...)
					}
					bad := r.file
					if r.class != "" {
						bad = obClasses[r.class](t, dir, c.good)
					}
					blame := bad
					if b, ok := c.blame[r.name]; ok {
						blame = b
					}
					args := make([]string, 0, len(c.args)+2)
					for _, a := range c.args {
						a = strings.ReplaceAll(strings.ReplaceAll(a, "TOKEN", tokenURI), "BADPIN", badPINURI)
						if a == "@" {
							a = bad
						}
						args = append(args, a)
					}
					for _, o := range c.outs {
						obMust(t, os.WriteFile(filepath.Join(dir, o), []byte("an earlier output, to be kept\n"), 0o644))
					}
					if len(c.outs) > 0 && !c.noForce {
						args = append(args, "--force")
					}
					if asJSON {
						args = append(args, "--json")
					}
					var objectsBefore string
					if c.token {
						objectsBefore = obTokenObjects(t, bin, dir, env, tokenURI)
					}
					before := obSnapshot(t, dir)
					code, stdout, stderr := obRun(t, bin, dir, env, args)
					cmdline := "signet " + strings.Join(args, " ")
					if code != r.code {
						t.Errorf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", cmdline, code, r.code, stdout, stderr)
					}
					if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine ") {
						t.Errorf("%s: panicked\n%s", cmdline, stderr)
					}
					if asJSON {
						if strings.TrimSpace(stdout) != "" && !json.Valid([]byte(stdout)) {
							t.Errorf("%s: stdout is not JSON:\n%s", cmdline, stdout)
						}
					}
					var lines []string
					for _, l := range strings.Split(stderr, "\n") {
						if l != "" && !strings.HasPrefix(l, "signet: hint: ") {
							lines = append(lines, l)
						}
					}
					if c.multi && len(lines) == 2 && strings.Contains(lines[1], "nothing was written") {
						lines = lines[:1]
					}
					if (asJSON || c.verdict) && strings.TrimSpace(stdout) != "" {
						// An outcome reported on stdout (a verdict, the JSON) need not be repeated on stderr.
						if len(lines) > 1 || len(lines) == 1 && !strings.HasPrefix(lines[0], "signet: error: ") && !strings.HasPrefix(lines[0], "signet: WARNING: ") {
							t.Errorf("%s: stderr is more than one error line (and a hint):\n%s", cmdline, stderr)
						}
						if !strings.Contains(stdout, blame) && (len(lines) == 0 || !strings.Contains(lines[0], blame)) {
							t.Errorf("%s: neither stdout nor the error names %s:\n%s\n%s", cmdline, blame, stdout, stderr)
						}
					} else if len(lines) != 1 || !strings.HasPrefix(lines[0], "signet: error: ") {
						t.Errorf("%s: stderr is not one error line (and a hint):\n%s", cmdline, stderr)
					} else if !strings.Contains(lines[0], blame) {
						t.Errorf("%s: the error does not name %s:\n%s", cmdline, blame, stderr)
					}
					for _, s := range secrets {
						if strings.Contains(stdout, s) || strings.Contains(stderr, s) {
							t.Errorf("%s: a secret (%.6s...) is in the output\nstdout: %s\nstderr: %s", cmdline, s, stdout, stderr)
						}
					}
					if after := obSnapshot(t, dir); after != before {
						t.Errorf("%s: the directory changed:\nbefore:\n%s\nafter:\n%s", cmdline, before, after)
					}
					if c.token {
						if after := obTokenObjects(t, bin, dir, env, tokenURI); after != objectsBefore {
							t.Errorf("%s: the token changed:\nbefore:\n%s\nafter:\n%s", cmdline, objectsBefore, after)
						}
					}
				})
			}
		}
	}
	t.Logf("%d cases", n)
}

// obCases is the matrix: every command that reads a file or writes one, each file argument.
func obCases(tsaURL string) []obCase {
	key := map[string]int{"server.pem": exitBadInput}
	return []obCase{
		// hash: data files are read as they are (a pipe or a device is data, as for sha256sum).
		{name: "hash/file", args: []string{"hash", "@"}, classes: "missing dir", json: true},
		{verdict: true, name: "hash/check", args: []string{"hash", "-c", "@"}, good: "sums.txt", classes: "missing dir empty dev junk trunc"},
		{verdict: true, name: "hash/check-listed", args: []string{"hash", "-c", "@"}, extra: map[string]int{"sums-bad.txt": exitCheckFailed},
			blame: map[string]string{"as-sums-bad.txt": "tampered.txt"}},
		{name: "hash/files-from", args: []string{"hash", "--files-from", "@"}, classes: "missing dir", json: true},

		// sign
		{name: "sign/key", args: []string{"sign", "--key", "@", "f.txt"}, good: "codesign.key", classes: obAll,
			extra: map[string]int{"server.pem": exitBadInput}, outs: []string{"f.txt.sig"}, json: true},
		{name: "sign/file", args: []string{"sign", "--key", "codesign.key", "@"}, classes: "missing dir fifo dev", json: true},
		{name: "sign/cert-cms", args: []string{"sign", "--key", "codesign.key", "-F", "cms", "--cert", "@", "f.txt"}, good: "chain.pem", classes: obAll,
			extra: map[string]int{"codesign.key": exitBadInput, "server.pem": exitKey}, blame: map[string]string{"as-server.pem": "(--cert server.pem)"}, outs: []string{"f.txt.p7s"}, json: true},
		{name: "sign/cert-bundle", args: []string{"sign", "--key", "codesign.key", "-F", "bundle", "--cert", "@", "f.txt"}, good: "chain.pem", classes: obAll,
			extra: map[string]int{"server.pem": exitKey}, blame: map[string]string{"as-server.pem": "(--cert server.pem)"}, outs: []string{"f.txt.sigstore.json"}, json: true},
		{name: "sign/minisign-key", args: []string{"sign", "--key", "@", "-F", "minisign", "f.txt"}, good: "codesign-ed25519.key", classes: obAll,
			extra: map[string]int{"codesign.key": exitUsage}, blame: map[string]string{"as-codesign.key": "the key is ECDSA"}, outs: []string{"f.txt.minisig"}, json: true},
		{multi: true, name: "sign/manifest-file", args: []string{"sign", "--key", "codesign.key", "--manifest", "NEW.SUMS", "f.txt", "@"}, classes: "missing dir fifo dev", json: true},
		{name: "sign/files-from", args: []string{"sign", "--key", "codesign.key", "--files-from", "@"}, classes: "missing dir", json: true},
		{name: "sign/passphrase-file", args: []string{"sign", "--key", "enc.key", "--passphrase-file", "@", "f.txt"}, classes: "missing dir empty fifo dev big",
			want: map[string]int{"empty": exitKey, "fifo": exitKey}, extra: map[string]int{"wrongpass.txt": exitKey},
			blame: map[string]string{"as-wrongpass.txt": "enc.key"}, outs: []string{"f.txt.sig"}, json: true},
		{name: "sign/key-wrong-env-passphrase", args: []string{"sign", "--key", "@", "f.txt"}, extra: map[string]int{"enc.key": exitKey}, outs: []string{"f.txt.sig"}, json: true},

		// verify
		{verdict: true, name: "verify/key", args: []string{"verify", "--key", "@", "f.txt"}, good: "codesign.pem", classes: obAll,
			extra: map[string]int{"server.pem": exitSigMismatch}, blame: map[string]string{"as-server.pem": "f.txt"}, json: true},
		{verdict: true, name: "verify/sig", args: []string{"verify", "--key", "codesign.pem", "--sig", "@", "f.txt"}, good: "f.txt.sig", classes: obAll,
			// A raw signature is bytes: one cut short, or junk, is a signature that does not match.
			want: map[string]int{"junk": exitSigMismatch, "trunc": exitSigMismatch}, extra: map[string]int{"c.txt.p7s": exitSigMismatch},
			blame: map[string]string{"junk": "f.txt", "trunc": "f.txt", "as-c.txt.p7s": "f.txt"}, json: true},
		{verdict: true, name: "verify/data", args: []string{"verify", "--key", "codesign.pem", "--sig", "f.txt.sig", "@"}, classes: "missing dir fifo dev",
			extra: map[string]int{"tampered.txt": exitSigMismatch}, json: true},
		{verdict: true, name: "verify/p7s", args: []string{"verify", "--roots", "root-ca.pem", "--at", certAt, "--sig", "@", "c.txt"}, good: "c.txt.p7s", classes: obAll,
			// Bytes of no format signet knows are taken as a raw signature, which names no signer.
			want: map[string]int{"junk": exitUsage}, blame: map[string]string{"junk": "c.txt"}, json: true},
		{verdict: true, name: "verify/bundle", args: []string{"verify", "--roots", "root-ca.pem", "--at", certAt, "--sig", "@", "b.txt"}, good: "b.txt.sigstore.json", classes: obAll,
			// Bytes of no format signet knows are taken as a raw signature, which names no signer.
			want: map[string]int{"junk": exitUsage}, blame: map[string]string{"junk": "b.txt"}, json: true},
		{verdict: true, name: "verify/minisig", args: []string{"verify", "--key", "mini.pub", "--sig", "@", "m.txt"}, good: "m.txt.minisig", classes: obAll, want: map[string]int{"junk": exitSigMismatch}, blame: map[string]string{"junk": "m.txt"}, json: true},
		{verdict: true, name: "verify/minisign-key", args: []string{"verify", "--key", "@", "m.txt"}, good: "mini.pub", classes: obAll, json: true},
		{verdict: true, name: "verify/roots", args: []string{"verify", "--roots", "@", "--at", certAt, "c.txt"}, good: "root-ca.pem", classes: obAll,
			extra: map[string]int{"server.key": exitBadInput}, json: true},
		{verdict: true, name: "verify/intermediates", args: []string{"verify", "--roots", "root-ca.pem", "--intermediates", "@", "--at", certAt, "c.txt"}, good: "int-ca.pem", classes: obAll, json: true},
		{verdict: true, name: "verify/crl", args: []string{"verify", "--roots", "root-ca.pem", "--crl", "@", "--at", certAt, "c.txt"}, good: "int-ca.crl", classes: obAll, json: true},
		{verdict: true, name: "verify/ocsp", args: []string{"verify", "--roots", "root-ca.pem", "--ocsp", "@", "--at", certAt, "c.txt"}, classes: "missing dir empty fifo dev junk big", json: true},
		{verdict: true, name: "verify/trusted-root", args: []string{"verify", "--trusted-root", "@", "--at", certAt, "b.txt"}, classes: "missing dir empty fifo dev junk big", json: true},
		{verdict: true, name: "verify/tsa-roots", args: []string{"verify", "--roots", "root-ca.pem", "--tsa-roots", "@", "--at", certAt, "c.txt"}, good: "root-ca.pem", classes: obAll, json: true},
		{verdict: true, name: "verify/manifest", args: []string{"verify", "--key", "codesign.pem", "--manifest", "@"}, good: "SUMS", classes: "missing dir empty fifo dev big", json: true},
		{verdict: true, name: "verify/files-from", args: []string{"verify", "--key", "codesign.pem", "--files-from", "@"}, classes: "missing dir", json: true},
		{verdict: true, name: "verify/expired", args: []string{"verify", "--roots", "root-ca.pem", "--at", certAt, "@"}, extra: map[string]int{"e.txt": exitValidity}, json: true},
		// A signer revoked, or whose certificate is not for code signing; a key of another type.
		{verdict: true, name: "verify/revoked", args: []string{"verify", "--roots", "root-ca.pem", "--crl", "int-ca.crl", "--at", certAt, "@"},
			extra: map[string]int{"r.txt": exitRevoked}, json: true},
		{verdict: true, name: "verify/misused", args: []string{"verify", "--roots", "root-ca.pem", "--at", certAt, "@"}, extra: map[string]int{"s.txt": exitPolicy}, json: true},
		{verdict: true, name: "verify/key-type", args: []string{"verify", "--key", "@", "f.txt"}, extra: map[string]int{"codesign-ed25519.key": exitSigMismatch},
			blame: map[string]string{"as-codesign-ed25519.key": "f.txt"}, json: true},
		// Each format's signature over a file changed since.
		{verdict: true, name: "verify/tampered-p7s", args: []string{"verify", "--roots", "root-ca.pem", "--at", certAt, "--sig", "c.txt.p7s", "@"},
			extra: map[string]int{"tampered.txt": exitSigMismatch}, json: true},
		{verdict: true, name: "verify/tampered-bundle", args: []string{"verify", "--roots", "root-ca.pem", "--at", certAt, "--sig", "b.txt.sigstore.json", "@"},
			extra: map[string]int{"tampered.txt": exitSigMismatch}, json: true},
		{verdict: true, name: "verify/tampered-minisig", args: []string{"verify", "--key", "mini.pub", "--sig", "m.txt.minisig", "@"},
			extra: map[string]int{"tampered.txt": exitSigMismatch}, json: true},
		{verdict: true, name: "verify/tampered-manifest", args: []string{"verify", "--key", "codesign.pem", "--manifest", "@"},
			extra: map[string]int{"TSUMS": exitSigMismatch}, blame: map[string]string{"as-TSUMS": "t2.txt"}, json: true},
		{verdict: true, name: "verify/passphrase-file", args: []string{"verify", "--key", "enc.key", "--passphrase-file", "@", "f.txt"}, classes: "missing dir fifo dev",
			want: map[string]int{"fifo": exitKey}, extra: map[string]int{"wrongpass.txt": exitKey}, blame: map[string]string{"as-wrongpass.txt": "enc.key"}, json: true},

		// key
		{name: "key-gen/passphrase-file", args: []string{"key", "gen", "--passphrase-file", "@", "-o", "new.key"}, classes: "missing dir empty fifo dev big",
			want: map[string]int{"empty": exitKey, "fifo": exitKey}, outs: []string{"new.key"}, json: true},
		{name: "key-gen/out-dir-missing", args: []string{"key", "gen", "--no-passphrase", "-o", "@"}, extra: map[string]int{"no-dir/new.key": exitBadInput}, json: true},
		{name: "key-gen/pub-out-dir-missing", args: []string{"key", "gen", "--no-passphrase", "-o", "new.key", "--pub-out", "@"},
			extra: map[string]int{"no-dir/new.pub": exitBadInput}, json: true},
		{name: "key-pub", args: []string{"key", "pub", "@", "-o", "out.pub"}, good: "server.key", classes: obAll, outs: []string{"out.pub"}},
		{name: "key-pub/passphrase", args: []string{"key", "pub", "enc.key", "--passphrase-file", "@", "-o", "out.pub"}, classes: "missing dir empty fifo dev",
			want: map[string]int{"empty": exitKey, "fifo": exitKey}, extra: map[string]int{"wrongpass.txt": exitKey},
			blame: map[string]string{"as-wrongpass.txt": "enc.key"}, outs: []string{"out.pub"}},
		{name: "key-pub/minisign", args: []string{"key", "pub", "--format", "minisign", "@", "-o", "out.pub"}, extra: map[string]int{"server.key": exitUsage}, outs: []string{"out.pub"}},
		{name: "key-inspect", args: []string{"key", "inspect", "@"}, good: "server.key", classes: obAll, json: true},

		// csr, cert create
		{name: "csr/key", args: []string{"csr", "--key", "@", "--subject", "CN=x", "-o", "out.csr"}, good: "server.key", classes: obAll,
			extra: key, outs: []string{"out.csr"}},
		{name: "cert-create/csr", args: []string{"cert", "create", "--profile", "server", "--csr", "@", "--ca", "int-ca.pem", "--ca-key", "int-ca.key", "-o", "out.pem"},
			good: "s.csr", classes: obAll, extra: map[string]int{"server.pem": exitBadInput}, outs: []string{"out.pem"}, json: true},
		{name: "cert-create/ca", args: []string{"cert", "create", "--profile", "server", "--csr", "s.csr", "--ca", "@", "--ca-key", "int-ca.key", "-o", "out.pem"},
			good: "int-ca.pem", classes: obAll, extra: map[string]int{"int-ca.key": exitBadInput, "root-ca.pem": exitKey},
			blame: map[string]string{"as-root-ca.pem": "--ca root-ca.pem"}, outs: []string{"out.pem"}, json: true},
		{name: "cert-create/ca-key", args: []string{"cert", "create", "--profile", "server", "--csr", "s.csr", "--ca", "int-ca.pem", "--ca-key", "@", "-o", "out.pem"},
			good: "int-ca.key", classes: obAll, extra: map[string]int{"server.key": exitKey, "int-ca.pem": exitBadInput},
			blame: map[string]string{"as-server.key": "--ca-key server.key"}, outs: []string{"out.pem"}, json: true},
		{name: "cert-create/key", args: []string{"cert", "create", "--profile", "root-ca", "--subject", "CN=x", "--key", "@", "-o", "out.pem"},
			good: "server.key", classes: obAll, extra: key, outs: []string{"out.pem"}, json: true},
		{name: "cert-create/out-dir-missing", args: []string{"cert", "create", "--profile", "root-ca", "--subject", "CN=x", "--key", "server.key", "-o", "@"},
			extra: map[string]int{"no-dir/out.pem": exitBadInput}, json: true},

		// cert inspect, verify, p12
		{name: "cert-inspect", args: []string{"cert", "inspect", "@"}, good: "server.pem", classes: obAll, json: true},
		{verdict: true, name: "cert-verify/cert", args: []string{"cert", "verify", "--roots", "root-ca.pem", "--intermediates", "int-ca.pem", "--at", certAt, "@"}, good: "server-chain.pem", classes: obAll,
			extra: map[string]int{"server.key": exitBadInput, "expired.pem": exitCheckFailed}, blame: map[string]string{"as-expired.pem": "Expired Signer"}, json: true},
		{verdict: true, name: "cert-verify/roots", args: []string{"cert", "verify", "--roots", "@", "--at", certAt, "server-chain.pem"}, good: "root-ca.pem", classes: obAll, json: true},
		{verdict: true, name: "cert-verify/intermediates", args: []string{"cert", "verify", "--roots", "root-ca.pem", "--intermediates", "@", "--at", certAt, "server.pem"},
			good: "int-ca.pem", classes: obAll, json: true},
		{verdict: true, name: "cert-verify/crl", args: []string{"cert", "verify", "--roots", "root-ca.pem", "--crl", "@", "--at", certAt, "server-chain.pem"},
			good: "int-ca.crl", classes: obAll, json: true},
		{verdict: true, name: "cert-verify/ocsp", args: []string{"cert", "verify", "--roots", "root-ca.pem", "--ocsp", "@", "--at", certAt, "server-chain.pem"},
			classes: "missing dir empty fifo dev junk big", json: true},
		{name: "cert-p12/cert", args: []string{"cert", "p12", "--cert", "@", "--key", "server.key", "--passphrase-file", "pass.txt", "-o", "out.p12"},
			good: "server.pem", classes: obAll, extra: map[string]int{"codesign.pem": exitKey}, blame: map[string]string{"as-codesign.pem": "CN=Signet Test Code Signer"}, outs: []string{"out.p12"}, json: true},
		{name: "cert-p12/key", args: []string{"cert", "p12", "--cert", "server.pem", "--key", "@", "--passphrase-file", "pass.txt", "-o", "out.p12"},
			good: "server.key", classes: obAll, extra: map[string]int{"codesign.key": exitKey}, outs: []string{"out.p12"}, json: true},
		{name: "cert-p12/chain", args: []string{"cert", "p12", "--cert", "server.pem", "--key", "server.key", "--chain", "@", "--passphrase-file", "pass.txt", "-o", "out.p12"},
			good: "int-ca.pem", classes: obAll, extra: map[string]int{"server.key": exitBadInput}, outs: []string{"out.p12"}, json: true},
		{name: "cert-p12/passphrase-file", args: []string{"cert", "p12", "--cert", "server.pem", "--key", "server.key", "--passphrase-file", "@", "-o", "out.p12"},
			classes: "missing dir empty fifo dev big", want: map[string]int{"empty": exitKey, "fifo": exitKey}, outs: []string{"out.p12"}, json: true},
		{name: "cert-p12/key-passphrase-file", args: []string{"cert", "p12", "--cert", "enc.pem", "--key", "enc.key", "--key-passphrase-file", "@", "--passphrase-file", "pass.txt", "-o", "out.p12"},
			classes: "missing dir empty fifo dev", want: map[string]int{"empty": exitKey, "fifo": exitKey}, extra: map[string]int{"wrongpass.txt": exitKey},
			blame: map[string]string{"as-wrongpass.txt": "enc.key"}, outs: []string{"out.p12"}, json: true},
		{name: "key-pub/p12", args: []string{"key", "pub", "@", "-o", "out.pub"}, good: "s.p12", classes: "trunc", outs: []string{"out.pub"}},

		// crl create
		{name: "crl-create/ca", args: []string{"crl", "create", "--ca", "@", "--ca-key", "int-ca.key", "-o", "out.crl"}, good: "int-ca.pem", classes: obAll,
			extra: map[string]int{"root-ca.pem": exitKey}, blame: map[string]string{"as-root-ca.pem": "--ca root-ca.pem"}, outs: []string{"out.crl"}, json: true},
		{name: "crl-create/ca-key", args: []string{"crl", "create", "--ca", "int-ca.pem", "--ca-key", "@", "-o", "out.crl"}, good: "int-ca.key", classes: obAll,
			extra: map[string]int{"server.key": exitKey}, blame: map[string]string{"as-server.key": "--ca-key server.key"}, outs: []string{"out.crl"}, json: true},
		{name: "crl-create/revoke", args: []string{"crl", "create", "--ca", "int-ca.pem", "--ca-key", "int-ca.key", "--revoke", "@", "-o", "out.crl"}, good: "revoked.pem",
			classes: "dir empty fifo dev junk trunc big", outs: []string{"out.crl"}, json: true},
		{name: "crl-create/previous", args: []string{"crl", "create", "--ca", "int-ca.pem", "--ca-key", "int-ca.key", "--previous", "@", "-o", "out.crl"}, good: "int-ca.crl",
			classes: obAll, outs: []string{"out.crl"}, json: true},
		// ts
		{name: "ts-query/file", args: []string{"ts", "query", "--tsa", tsaURL, "@", "-o", "out.tsr"}, classes: "missing dir fifo dev", outs: []string{"out.tsr"}},
		{verdict: true, name: "ts-verify/token", args: []string{"ts", "verify", "@", "--data", "f.txt", "--tsa-roots", "root-ca.pem"}, good: "f.txt.tsr", classes: obAll,
			extra: map[string]int{"f.txt.sig": exitBadInput}, json: true},
		{verdict: true, name: "ts-verify/data", args: []string{"ts", "verify", "f.txt.tsr", "--data", "@", "--tsa-roots", "root-ca.pem"}, classes: "missing dir fifo dev",
			extra: map[string]int{"tampered.txt": exitCheckFailed}, blame: map[string]string{"as-tampered.txt": "f.txt.tsr"}, json: true},
		{verdict: true, name: "ts-verify/tsa-roots", args: []string{"ts", "verify", "f.txt.tsr", "--data", "f.txt", "--tsa-roots", "@"}, good: "root-ca.pem", classes: obAll, json: true},

		// tls: the files are read before any connection is made or accepted.
		{name: "tls-check/roots", args: []string{"tls", "check", "127.0.0.1:1", "--roots", "@"}, good: "root-ca.pem", classes: obAll, json: true},
		{name: "tls-check/cert", args: []string{"tls", "check", "127.0.0.1:1", "--roots", "root-ca.pem", "--cert", "@", "--key", "client.key"}, good: "client.pem", classes: obAll,
			extra: map[string]int{"server.pem": exitKey}, blame: map[string]string{"as-server.pem": "(--cert server.pem)"}, json: true},
		{name: "tls-check/key", args: []string{"tls", "check", "127.0.0.1:1", "--roots", "root-ca.pem", "--cert", "client.pem", "--key", "@"}, good: "client.key", classes: obAll, json: true},
		{name: "tls-check/crl", args: []string{"tls", "check", "127.0.0.1:1", "--roots", "root-ca.pem", "--crl", "@"}, good: "int-ca.crl", classes: obAll, json: true},
		{name: "tls-serve/cert", args: []string{"tls", "serve", "--listen", "127.0.0.1:0", "--cert", "@", "--key", "server.key", "--client-ca", "root-ca.pem"}, good: "server-chain.pem", classes: obAll,
			extra: map[string]int{"client.pem": exitKey}, blame: map[string]string{"as-client.pem": "(--cert client.pem)"}},
		{name: "tls-serve/key", args: []string{"tls", "serve", "--listen", "127.0.0.1:0", "--cert", "server-chain.pem", "--key", "@", "--client-ca", "root-ca.pem"}, good: "server.key", classes: obAll},
		{name: "tls-serve/client-ca", args: []string{"tls", "serve", "--listen", "127.0.0.1:0", "--cert", "server-chain.pem", "--key", "server.key", "--client-ca", "@"},
			good: "root-ca.pem", classes: obAll},
		{name: "tls-serve/crl", args: []string{"tls", "serve", "--listen", "127.0.0.1:0", "--cert", "server-chain.pem", "--key", "server.key", "--client-ca", "root-ca.pem", "--crl", "@"},
			good: "int-ca.crl", classes: obAll},
		{name: "tsa-serve/cert", args: []string{"tsa", "serve", "--listen", "127.0.0.1:0", "--cert", "@", "--key", "server.key"}, good: "server-chain.pem", classes: obAll},
		{name: "tsa-serve/key", args: []string{"tsa", "serve", "--listen", "127.0.0.1:0", "--cert", "server-chain.pem", "--key", "@"}, good: "server.key", classes: obAll},

		// token, enroll: a failed run leaves the token as it was.
		{name: "token-import-cert/cert", args: []string{"token", "import-cert", "TOKEN", "--cert", "@"}, good: "server.pem", classes: obAll,
			extra: map[string]int{"server.pem": exitKey}, token: true},
		{name: "enroll/ca", args: []string{"enroll", "--token", "TOKEN", "--subject", "CN=ob", "--ca", "@", "--ca-key", "int-ca.key"}, good: "int-ca.pem", classes: obAll,
			extra: map[string]int{"root-ca.pem": exitKey}, blame: map[string]string{"as-root-ca.pem": "--ca root-ca.pem"}, token: true, json: true},
		{name: "enroll/ca-key", args: []string{"enroll", "--token", "TOKEN", "--subject", "CN=ob", "--ca", "int-ca.pem", "--ca-key", "@"}, good: "int-ca.key", classes: obAll,
			extra: map[string]int{"server.key": exitKey}, blame: map[string]string{"as-server.key": "--ca-key server.key"}, token: true, json: true},
		{name: "enroll/csr-out", args: []string{"enroll", "--token", "TOKEN", "--subject", "CN=ob", "--csr-out", "@"},
			extra: map[string]int{"no-dir/ob.csr": exitBadInput}, token: true, json: true},
		{name: "enroll/cert", args: []string{"enroll", "--token", "TOKEN", "--cert", "@"}, good: "server.pem", classes: obAll,
			extra: map[string]int{"server.pem": exitKey, "server.key": exitBadInput}, token: true, json: true},
		// A wrong PIN: exit 4, the token as it was, the PIN never printed.
		{name: "token-import-cert/wrong-pin", args: []string{"token", "import-cert", "BADPIN", "--cert", "@"}, extra: map[string]int{"server.pem": exitKey},
			blame: map[string]string{"as-server.pem": "from the pin-source file "}, token: true},
		{name: "enroll/wrong-pin", args: []string{"enroll", "--token", "BADPIN", "--subject", "CN=ob", "--ca", "int-ca.pem", "--ca-key", "@"}, extra: map[string]int{"int-ca.key": exitKey},
			blame: map[string]string{"as-int-ca.key": "from the pin-source file "}, token: true, json: true},
		{name: "sign/wrong-pin", args: []string{"sign", "--key", "BADPIN", "@"}, extra: map[string]int{"f.txt": exitKey},
			blame: map[string]string{"as-f.txt": "from the pin-source file "}, outs: []string{"f.txt.sig"}, token: true, json: true},

		// An output that exists, without --force: exit 2, the file as it was.
		{name: "key-gen/out-exists", args: []string{"key", "gen", "--no-passphrase", "-o", "@"}, extra: map[string]int{"out.key": exitUsage}, outs: []string{"out.key"}, noForce: true, json: true},
		{name: "key-gen/pub-out-exists", args: []string{"key", "gen", "--no-passphrase", "-o", "new.key", "--pub-out", "@"}, extra: map[string]int{"out.pub": exitUsage},
			outs: []string{"out.pub"}, noForce: true, json: true},
		{name: "key-pub/out-exists", args: []string{"key", "pub", "server.key", "-o", "@"}, extra: map[string]int{"out.pub": exitUsage}, outs: []string{"out.pub"}, noForce: true},
		{name: "csr/out-exists", args: []string{"csr", "--key", "server.key", "--subject", "CN=x", "-o", "@"}, extra: map[string]int{"out.csr": exitUsage}, outs: []string{"out.csr"}, noForce: true},
		{name: "cert-create/out-exists", args: []string{"cert", "create", "--profile", "root-ca", "--subject", "CN=x", "--key", "server.key", "-o", "@"},
			extra: map[string]int{"out.pem": exitUsage}, outs: []string{"out.pem"}, noForce: true, json: true},
		{name: "cert-p12/out-exists", args: []string{"cert", "p12", "--cert", "server.pem", "--key", "server.key", "--passphrase-file", "pass.txt", "-o", "@"},
			extra: map[string]int{"out.p12": exitUsage}, outs: []string{"out.p12"}, noForce: true, json: true},
		{name: "crl-create/out-exists", args: []string{"crl", "create", "--ca", "int-ca.pem", "--ca-key", "int-ca.key", "-o", "@"},
			extra: map[string]int{"out.crl": exitUsage}, outs: []string{"out.crl"}, noForce: true, json: true},
		{name: "sign/sig-exists", args: []string{"sign", "--key", "codesign.key", "@"}, extra: map[string]int{"f.txt": exitUsage},
			blame: map[string]string{"as-f.txt": "f.txt.sig"}, outs: []string{"f.txt.sig"}, noForce: true, json: true},
		{name: "sign/out-exists", args: []string{"sign", "--key", "codesign.key", "-o", "@", "f.txt"}, extra: map[string]int{"out.sig": exitUsage}, outs: []string{"out.sig"}, noForce: true, json: true},
		{name: "sign/manifest-exists", args: []string{"sign", "--key", "codesign.key", "--manifest", "@", "f.txt"}, extra: map[string]int{"NEW.SUMS": exitUsage},
			outs: []string{"NEW.SUMS"}, noForce: true, json: true},
		{name: "ts-query/out-exists", args: []string{"ts", "query", "--tsa", tsaURL, "f.txt", "-o", "@"}, extra: map[string]int{"out.tsr": exitUsage}, outs: []string{"out.tsr"}, noForce: true},
		{name: "enroll/csr-out-exists", args: []string{"enroll", "--token", "TOKEN", "--subject", "CN=ob", "--csr-out", "@"}, extra: map[string]int{"ob.csr": exitUsage},
			outs: []string{"ob.csr"}, noForce: true, token: true, json: true},
	}
}

// obRun runs signet in dir with env (over a clean copy of the test's) and returns what it did,
// killing it after 20 seconds (a run that waits on a FIFO or serves is a failure).
func obRun(t *testing.T, bin, dir string, env, args []string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "SIGNET_") && !strings.HasPrefix(e, "SOFTHSM2_CONF=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var o, e bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(""), &o, &e
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Errorf("signet %s: still running after 20 s (killed)\nstderr: %s", strings.Join(args, " "), e.String())
		return -1, o.String(), e.String()
	}
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("signet %s: %v", strings.Join(args, " "), err)
		}
		code = ee.ExitCode()
	}
	return code, o.String(), e.String()
}

// obBinary is the signet the matrix runs: this test binary as signet (testscript.Main puts it
// on PATH), or under -race one built without it, as the scripts run.
func obBinary(t *testing.T) string {
	t.Helper()
	if d := scriptSignet(t); d != "" {
		return filepath.Join(d, "signet")
	}
	p, err := exec.LookPath("signet")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// obFixture makes the matrix's good inputs: fixture PKI files, data files with a signature
// of every format, an encrypted key, a CSR, a PKCS#12 file, a checksum list, a signed
// manifest and an RFC 3161 token.
func obFixture(t *testing.T, bin, tsaURL string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"server.key", "server.pem", "server-chain.pem", "int-ca.pem", "int-ca.key", "root-ca.pem", "codesign.key", "codesign.pem",
		"codesign-ed25519.key", "int-ca.crl", "revoked.pem", "revoked.key", "expired.pem", "expired.key", "client.pem", "client.key"} {
		data, err := os.ReadFile(fixturePKI(t, f))
		obMust(t, err)
		obMust(t, os.WriteFile(filepath.Join(dir, f), data, 0o600))
	}
	cat := func(to string, from ...string) {
		var b []byte
		for _, f := range from {
			d, err := os.ReadFile(filepath.Join(dir, f))
			obMust(t, err)
			b = append(b, d...)
		}
		obMust(t, os.WriteFile(filepath.Join(dir, to), b, 0o600))
	}
	cat("chain.pem", "codesign.pem", "int-ca.pem")
	cat("expired-chain.pem", "expired.pem", "int-ca.pem")
	cat("revoked-chain.pem", "revoked.pem", "int-ca.pem")
	for name, data := range map[string]string{"pass.txt": obFilePass + "\n", "wrongpass.txt": "not the passphrase\n", "f.txt": "hello\n", "c.txt": "cms\n",
		"b.txt": "bundle\n", "m.txt": "minisign\n", "e.txt": "expired\n", "r.txt": "revoked\n", "s.txt": "server\n", "tampered.txt": "hellO\n", "list.txt": "f.txt\n", "junk.crl": "not a CRL\n"} {
		obMust(t, os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600))
	}
	env := []string{"SIGNET_HOME=" + filepath.Join(dir, "none"), "GORACE=atexit_sleep_ms=0"}
	must := func(args ...string) string {
		t.Helper()
		code, out, errOut := obRun(t, bin, dir, env, args)
		if code != 0 {
			t.Fatalf("fixture: signet %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
		}
		return out
	}
	must("key", "gen", "--passphrase-file", "pass.txt", "-o", "enc.key", "-q")
	must("cert", "create", "--profile", "client", "--subject", "CN=enc", "--key", "enc.key", "--passphrase-file", "pass.txt",
		"--ca", "int-ca.pem", "--ca-key", "int-ca.key", "-o", "enc.pem", "-q")
	must("sign", "-q", "--key", "codesign.key", "f.txt")
	must("sign", "-q", "--key", "codesign.key", "--cert", "chain.pem", "-F", "cms", "c.txt")
	must("sign", "-q", "--key", "codesign.key", "--cert", "chain.pem", "-F", "bundle", "b.txt")
	must("sign", "-q", "--key", "codesign-ed25519.key", "-F", "minisign", "m.txt")
	must("sign", "-q", "--key", "expired.key", "--cert", "expired-chain.pem", "-F", "cms", "e.txt")
	must("sign", "-q", "--key", "revoked.key", "--cert", "revoked-chain.pem", "-F", "cms", "r.txt")
	must("sign", "-q", "--key", "server.key", "--cert", "server-chain.pem", "-F", "cms", "s.txt")
	must("key", "pub", "-q", "--format", "minisign", "codesign-ed25519.key", "-o", "mini.pub")
	must("sign", "-q", "--key", "codesign.key", "--manifest", "SUMS", "f.txt")
	obMust(t, os.WriteFile(filepath.Join(dir, "t2.txt"), []byte("before\n"), 0o600))
	must("sign", "-q", "--key", "codesign.key", "--manifest", "TSUMS", "t2.txt")
	obMust(t, os.WriteFile(filepath.Join(dir, "t2.txt"), []byte("after\n"), 0o600))
	must("csr", "-q", "--key", "server.key", "--subject", "CN=s", "--san", "dns:s.example", "-o", "s.csr")
	must("cert", "p12", "-q", "--cert", "server.pem", "--key", "server.key", "--passphrase-file", "pass.txt", "-o", "s.p12")
	obMust(t, os.WriteFile(filepath.Join(dir, "sums.txt"), []byte(must("hash", "f.txt")), 0o600))
	obMust(t, os.WriteFile(filepath.Join(dir, "sums-bad.txt"), []byte(strings.Replace(must("hash", "f.txt"), "f.txt", "tampered.txt", 1)), 0o600))
	must("ts", "query", "--tsa", tsaURL, "f.txt")
	return dir
}

// obToken makes a SoftHSM2 token (PIN obPIN, from a file outside dir) holding a key "k",
// and returns the key's pkcs11: URI, the same with a file of a wrong PIN (obWrongPIN,
// pin-source file "wrong-pin") and the environment that finds the token.
func obToken(t *testing.T, bin, dir string) (string, string, []string) {
	t.Helper()
	hsm := testutil.NewSoftHSMDir(t, "")
	testutil.Cmd{Env: []string{hsm.Env()}}.Run(t, testutil.RequireTool(t, "softhsm2-util"), "--init-token", "--free", "--label", "ob",
		"--pin", obPIN, "--so-pin", testutil.SoftHSMSOPIN)
	pin := filepath.Join(hsm.Dir, "pin")
	obMust(t, os.WriteFile(pin, []byte(obPIN+"\n"), 0o600))
	uri := "pkcs11:token=ob;object=k?module-path=" + hsm.Module + "&pin-source=file:" + pin
	env := []string{hsm.Env()}
	if code, _, errOut := obRun(t, bin, hsm.Dir, env, []string{"key", "gen", "-q", "-o", uri}); code != 0 {
		t.Fatalf("key gen on the token: exit %d\n%s", code, errOut)
	}
	wrong := filepath.Join(hsm.Dir, "wrong-pin")
	obMust(t, os.WriteFile(wrong, []byte(obWrongPIN+"\n"), 0o600))
	return uri, strings.Replace(uri, "pin-source=file:"+pin, "pin-source=file:"+wrong, 1), env
}

// obTokenObjects lists the token's objects.
func obTokenObjects(t *testing.T, bin, dir string, env []string, uri string) string {
	t.Helper()
	code, out, errOut := obRun(t, bin, dir, env, []string{"token", "objects", uri})
	if code != 0 {
		t.Fatalf("token objects: exit %d\n%s", code, errOut)
	}
	return out
}

// obSnapshot describes every entry below dir: name, type, mode, inode and content digest.
func obSnapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		ino := fi.Sys().(*syscall.Stat_t).Ino
		sum := ""
		if fi.Mode().IsRegular() && fi.Size() < 1<<20 {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum = fmt.Sprintf("%x", sha256.Sum256(data))[:16]
		}
		fmt.Fprintf(&b, "%s %v %d %d %s\n", rel, fi.Mode(), fi.Size(), ino, sum)
		return nil
	})
	obMust(t, err)
	return b.String()
}

// obCopyDir copies the fixture's files into dir.
func obCopyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	obMust(t, err)
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		obMust(t, err)
		obMust(t, os.WriteFile(filepath.Join(to, e.Name()), data, 0o600))
	}
}

func obMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
