package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
)

// TestREADME runs every ```sh block of README.md with bash, as written, so that the README
// cannot drift from what signet does. The Install block builds the signet that the other
// blocks find first in PATH (its `-o bin/signet` goes to a temporary directory instead of
// the source tree). Each other block runs in a fresh directory with its own HOME (so
// ~/.config/signet is the identity of `signet init`) and SIGNET_PASSPHRASE, after a setup
// that makes the files the block takes for granted (a release to sign, a CA's key, a
// SoftHSM2 token); readmeBlocks says which setup goes with which block.
//
// A few lines cannot run here, each for a reason readmeBlocks gives (a public server, the
// suite that runs this test); the test fails if such a line is no longer in the README, so
// the list cannot rot, and every other line of the block runs. A block the test does not
// know fails the test: a new block needs its setup here.
func TestREADME(t *testing.T) {
	if testing.Short() {
		t.Skip("builds signet twice and runs the README's blocks")
	}
	t.Parallel() // its SoftHSM2 tokens are in the blocks' environment, not the test's
	bash := testutil.RequireTool(t, "bash")
	goTool := testutil.RequireTool(t, "go")
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	blocks := readREADMEBlocks(t, filepath.Join(root, "README.md"))
	// The Install block first: it builds the signet the others run.
	sort.SliceStable(blocks, func(i, j int) bool {
		return strings.Contains(blocks[i].text, installKey) && !strings.Contains(blocks[j].text, installKey)
	})
	bin := t.TempDir()
	// Blocks get a HOME of their own; the Go build caches stay the developer's.
	var goEnv []string
	for _, v := range []string{"GOCACHE", "GOMODCACHE", "GOPATH"} {
		out, err := exec.Command(goTool, "env", v).Output()
		if err != nil {
			t.Fatal(err)
		}
		goEnv = append(goEnv, v+"="+strings.TrimSpace(string(out)))
	}
	blockEnv := func(home string, extra ...string) []string {
		var env []string
		for _, kv := range os.Environ() {
			k, _, _ := strings.Cut(kv, "=")
			if strings.HasPrefix(k, "SIGNET_") || k == "HOME" || k == "XDG_CONFIG_HOME" || k == "PATH" || k == "GORACE" {
				continue
			}
			env = append(env, kv)
		}
		env = append(env, goEnv...)
		return append(env, "HOME="+home, "PATH="+bin+":"+os.Getenv("PATH"), "SIGNET_PASSPHRASE=readme passphrase", "LC_ALL=C")
	}
	runBash := func(name, dir, script string, env []string) string {
		t.Helper()
		cmd := exec.Command(bash, "-euo", "pipefail", "-c", script)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n--- script\n%s\n--- output\n%s", name, err, script, out)
		}
		return string(out)
	}

	known := readmeSetups()
	ran := map[string]bool{}
	for _, b := range blocks {
		key := ""
		for k := range known {
			if strings.Contains(b.text, k) {
				if key != "" {
					t.Fatalf("README.md:%d: both %q and %q of readmeSetups are in the block", b.line, key, k)
				}
				key = k
			}
		}
		if key == "" {
			t.Fatalf("README.md:%d: a shell block TestREADME does not know; give it a setup in readmeSetups:\n%s", b.line, b.text)
		}
		ran[key] = true
		s := known[key]
		text := b.text
		for line, why := range s.notRun {
			if !strings.Contains(text, line) {
				t.Fatalf("README.md:%d: %q is no longer in the block: take it out of readmeSetups", b.line, line)
			}
			t.Logf("README.md:%d: not run: %s (%s)", b.line, line, why)
			text = strings.ReplaceAll(text, line, "true")
		}
		setup, after := s.setup, s.after
		if s.addr != "" {
			// The block's fixed address, moved to a free port so that two checkouts testing at
			// once do not collide; in the setup too, also as bash's /dev/tcp/HOST/PORT.
			if !strings.Contains(text, s.addr) {
				t.Fatalf("README.md:%d: %q is no longer in the block: change readmeSetups' addr", b.line, s.addr)
			}
			free := freePort(t)
			r := strings.NewReplacer(s.addr, free, strings.Replace(s.addr, ":", "/", 1), strings.Replace(free, ":", "/", 1))
			text, setup, after = r.Replace(text), r.Replace(setup), r.Replace(after)
		}
		name := "README.md:" + itoa(b.line)
		home := t.TempDir()
		dir := t.TempDir()
		if s.inRoot {
			dir = root
		}
		env := blockEnv(home)
		switch {
		case s.install:
			// The install lines, in order, into a directory of the test's; the cgo build is the
			// signet the other blocks run.
			built := filepath.Join(t.TempDir(), "signet")
			for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
				runBash(name, root, strings.ReplaceAll(line, "bin/signet", built), os.Environ())
				if strings.Contains(line, "go build") && !strings.Contains(line, "CGO_ENABLED=0") {
					if err := os.Remove(filepath.Join(bin, "signet")); err != nil && !os.IsNotExist(err) {
						t.Fatal(err)
					}
					if err := os.Chmod(copyFile(t, built, bin), 0o755); err != nil {
						t.Fatal(err)
					}
				}
			}
			// The cgo build knows its source revision (Go records none in a git worktree, whose
			// .git is a file); the CGO_ENABLED=0 one says plainly that it does not speak PKCS#11.
			v := runBash(name, dir, "signet --version", env)
			if fi, err := os.Stat(filepath.Join(root, ".git")); err == nil && fi.IsDir() && !strings.Contains(v, "(revision ") {
				t.Errorf("%s: signet --version of the README's build says no revision:\n%s", name, v)
			}
			out, _ := exec.Command(built, "key", "inspect", "pkcs11:token=x;object=y").CombinedOutput()
			if !strings.Contains(string(out), "built without PKCS#11 support") {
				t.Errorf("%s: the CGO_ENABLED=0 build on a token reference: %s", name, out)
			}
			continue
		case s.pkits:
			if _, err := os.Stat(filepath.Join(root, "..", "shared", "vectors", "pkits")); err != nil {
				if os.Getenv("CI") != "" {
					t.Fatal(err)
				}
				t.Logf("%s: skipped: %v", name, err)
				continue
			}
		case s.token:
			hsm := testutil.NewSoftHSMDir(t, "", "ci", "alice")
			env = append(env, hsm.Env(), "SIGNET_PIN="+testutil.SoftHSMPIN)
			if _, err := os.Stat("/usr/lib/softhsm/libsofthsm2.so"); err != nil {
				t.Fatalf("%s: the README names /usr/lib/softhsm/libsofthsm2.so, but SoftHSM2 is at %s", name, hsm.Module)
			}
		}
		if _, err := exec.LookPath(filepath.Join(bin, "signet")); err != nil {
			t.Fatalf("%s: the Install block must come before the blocks that run signet", name)
		}
		if setup != "" {
			runBash(name+" (setup)", dir, setup, env)
		}
		if after != "" {
			t.Cleanup(func() {
				cmd := exec.Command(bash, "-c", after)
				cmd.Dir, cmd.Env = dir, env
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("%s (after): %v\n%s", name, err, out)
				}
			})
		}
		out := runBash(name, dir, text, env)
		t.Logf("%s: ran\n%s", name, out)
		for _, want := range s.want {
			if !strings.Contains(out, want) {
				t.Errorf("%s: the output lacks %q", name, want)
			}
		}
	}
	for k := range known {
		if !ran[k] {
			t.Errorf("readmeSetups has a setup for a block no longer in the README (%q)", k)
		}
	}
}

// readmeSetup is what a README block needs to run.
type readmeSetup struct {
	setup   string            // bash run first in the block's directory, its output not shown
	notRun  map[string]string // lines that cannot run here, and why
	want    []string          // what the block's output must show
	inRoot  bool              // the block runs in the source tree (it reads ../shared or scripts/)
	install bool              // the Install block
	pkits   bool              // needs the PKITS vectors in ../shared/vectors
	token   bool              // needs SoftHSM2 tokens "ci" and "alice" and SIGNET_PIN
	after   string            // bash run after the block, even when it failed (stops servers)
	addr    string            // a HOST:PORT of the block's that the test moves to a free port
}

// installKey is a line of the Install block.
const installKey = "CGO_ENABLED=0 go build"

// readmeSetups maps a line of each block (a key that only it contains) to its setup.
func readmeSetups() map[string]readmeSetup {
	const corpCA = `signet init >/dev/null
mkdir -p dist
head -c 65536 /dev/urandom > dist/app.tar.gz
echo lib > dist/lib.tar.gz
H=~/.config/signet
cp $H/intermediate.pem ca.pem
cp $H/intermediate.key ca.key
`
	return map[string]readmeSetup{
		"bash scripts/demo.sh": {
			inRoot: true,
			notRun: map[string]string{"bash scripts/test.sh": "the whole suite, which runs this test"},
			want:   []string{"demo: OK"},
		},
		installKey: {install: true},
		"signet init    ": {
			setup: `head -c 1000 /dev/urandom > release.tar.gz`,
			want:  []string{"OK release.tar.gz: signed by CN=signet local signer", "release.tar.gz: OK", "verdict: valid"},
		},
		"P=../shared/vectors/pkits": {inRoot: true, pkits: true, want: []string{"valid for policies: 2.16.840.1.101.3.2.1.48.1"}},
		"signet verify --manifest dist/SHA256SUMS": {
			setup: corpCA + `echo bin > app.bin
signet key gen --type ec-p256 -o release.key --pub-out release.pub
signet csr --key release.key --subject 'CN=Release Bot,O=Example' -o release.csr
signet cert create --profile code-signing --csr release.csr --ca ca.pem --ca-key ca.key --bundle -o release-chain.pem
cp $H/root.pem corp-root.pem
cp ca.pem corp-int.pem
signet crl create --ca ca.pem --ca-key ca.key -o int.crl
`,
			want: []string{
				"OK dist/app.tar.gz: signed by CN=Release Bot,O=Example",
				"OK dist/lib.tar.gz: signed by CN=Release Bot,O=Example",
				"OK dist/SHA256SUMS: signed by CN=signet local signer",
				"skipped dist/app.tar.gz.p7s: the signature of dist/app.tar.gz",
				"OK app.bin: signed by key sha256:",
				`"valid": true`,
			},
		},
		"signet tls audit mail.example.com:465": {
			notRun: map[string]string{
				"signet tls audit mail.example.com:465 --system-roots":                                                                                                   "a public server",
				"signet tls audit 10.0.0.5:8443 --server-name api.internal --roots corp-root.pem --json":                                                                 "a private server",
				"signet tls tunnel --listen 127.0.0.1:6380 --connect db.example.com:6379 \\\n    --key 'pkcs11:token=alice;object=client' --roots corp-root.pem":         "a server to connect to, and it runs until stopped",
				"signet tls tunnel --listen :6379 --tls --forward 127.0.0.1:6379 --cert server.pem \\\n    --key server.key --client-roots corp-root.pem --crl corp.crl": "it runs until stopped",
			},
		},
		"signet key pub --format minisign release.key": {
			setup: `head -c 100000 /dev/urandom > app.tar.gz`,
			want:  []string{"Trusted comment: app 1.0", `OK app.tar.gz: signed by key sha256:`, `trusted comment "app 1.0"`},
		},
		"signet verify --trusted-root trusted_root.json": {
			// A trusted root listing the signet init CA (intermediate, then root), and the
			// identity moved away after signing, so that only the trusted root can vouch.
			setup: `signet init >/dev/null
mkdir -p dist
echo app > dist/app.tar.gz
signet sign dist/app.tar.gz 2>/dev/null
H=~/.config/signet
r=$(openssl x509 -in $H/root.pem -outform DER | base64 -w0)
i=$(openssl x509 -in $H/intermediate.pem -outform DER | base64 -w0)
printf '{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1","certificateAuthorities":[{"certChain":{"certificates":[{"rawBytes":"%s"},{"rawBytes":"%s"}]},"validFor":{"start":"2020-01-01T00:00:00Z"}}]}\n' "$i" "$r" > trusted_root.json
mv $H ~/.config/signet-away
`,
			want: []string{"OK dist/app.tar.gz: signed by CN=signet local signer"},
		},
		"signet ts query --tsa http://127.0.0.1:3180/ app.bin.sig": {
			// The TSA of the block's first line, started in the background; a release signed by
			// the signet init identity; a raw signature to timestamp alone.
			setup: `signet init >/dev/null
H=~/.config/signet
signet key gen --no-passphrase -o tsa.key 2>/dev/null
signet cert create --profile tsa --subject 'CN=CI TSA,O=Example' --key tsa.key --ca $H/intermediate.pem \
    --ca-key $H/intermediate.key --bundle -o tsa-chain.pem 2>/dev/null
cp $H/root.pem tsa-root.pem
cp $H/root.pem root.pem
signet tsa serve --listen 127.0.0.1:3180 --key tsa.key --cert tsa-chain.pem >tsa.log 2>&1 </dev/null &
echo $! > tsa.pid
for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/3180) 2>/dev/null && break; sleep 0.1; done
mkdir -p dist
echo app > dist/app.tar.gz
echo bin > app.bin
signet key gen --no-passphrase -o app.key 2>/dev/null
signet sign --format raw --key app.key app.bin 2>/dev/null
`,
			notRun: map[string]string{
				"signet tsa serve --listen 127.0.0.1:3180 --key tsa.key --cert tsa-chain.pem": "it runs until stopped; the setup starts it in the background",
			},
			after: `kill $(cat tsa.pid)`,
			addr:  "127.0.0.1:3180",
			want:  []string{"OK dist/app.tar.gz: signed by CN=signet local signer", "timestamp"},
		},
		"SIGNET_CA_PASSPHRASE=$(cat root.pass)": {
			setup: `echo root-pass > root.pass; echo int-pass > int.pass`,
		},
		"signet token list": {
			token: true,
			setup: corpCA,
			notRun: map[string]string{
				"signet tls check db.internal:5432 --roots server-root.pem --key 'pkcs11:token=alice;object=client'": "a server at db.internal",
			},
			want: []string{"ci", "alice"},
		},
	}
}

// readmeBlock is one ```sh block: its first line's number and its text.
type readmeBlock struct {
	line int
	text string
}

func readREADMEBlocks(t *testing.T, path string) []readmeBlock {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []readmeBlock
	var cur *readmeBlock
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(line, "```sh"):
			cur = &readmeBlock{line: n + 1}
		case cur == nil && strings.HasPrefix(line, "```") && line != "```":
			t.Fatalf("README.md:%d: a code block in %q: shell blocks are ```sh (and run in TestREADME); others are plain ```", n, line)
		case cur != nil && line == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.text += line + "\n"
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return blocks
}

func itoa(n int) string { return strings.TrimSpace(sprintf("%d", n)) }
