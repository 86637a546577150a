package x509util

import (
	"fmt"
	mrand "math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/signet-pki/signet/internal/testutil"
)

// The generator of the key-file campaign (kx_diff_test.go): from one seed, a key openssl (or
// ssh-keygen) made, the form it is written in (PKCS#8 plain or encrypted with every PBES2
// cipher and PRF openssl offers, scrypt, the PBES1 schemes of -v1; OpenSSL's traditional PEM
// with its ciphers; SEC1 with explicit parameters, compressed or hybrid points, no public key;
// SubjectPublicKeyInfo and PKCS#1 public keys; OpenSSH's format, plain or encrypted with
// bcrypt rounds and its ciphers, and ssh-keygen's PEM and PKCS#8 exports), PEM or DER, the
// passphrase (ASCII or not), and what is done to the file: nothing, a wrong passphrase, or a
// byte changed (in the salt, the IV, the iteration count, the ciphertext, its padding, or
// anywhere).

// kxAlg is a key algorithm as openssl genpkey (or ssh-keygen) makes it.
type kxAlg struct {
	name    string
	family  string   // "rsa", "ec", "ed25519", "other"
	gen     []string // openssl genpkey arguments; nil for an ssh-keygen key
	ssh     []string // ssh-keygen -t ... arguments, for the ssh family
	refused string   // "": signet reads it; else what its ErrUnsupported names
	curve   string   // the ec family's openssl curve name
}

// kxAlgs lists the algorithms drawn (a function: no table at package init).
func kxAlgs() []kxAlg {
	rsa := func(bits int, extra ...string) kxAlg {
		name := fmt.Sprintf("rsa-%d", bits)
		if len(extra) > 0 {
			name += "-" + strings.ReplaceAll(strings.TrimPrefix(extra[1], "rsa_keygen_"), ":", "")
		}
		return kxAlg{name: name, family: "rsa", gen: append([]string{"-algorithm", "RSA", "-pkeyopt", fmt.Sprintf("rsa_keygen_bits:%d", bits)}, extra...)}
	}
	ec := func(curve, refused string) kxAlg {
		return kxAlg{name: "ec-" + curve, family: "ec", gen: []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:" + curve}, refused: refused, curve: curve}
	}
	return []kxAlg{
		rsa(512), rsa(1024), rsa(1031), rsa(1537), rsa(2048), rsa(2049), rsa(3072), rsa(4096),
		rsa(2048, "-pkeyopt", "rsa_keygen_primes:3"), rsa(1024, "-pkeyopt", "rsa_keygen_pubexp:3"),
		{name: "rsa-pss", family: "other", gen: []string{"-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048"}, refused: "RSASSA-PSS"},
		ec("P-224", ""), ec("P-256", ""), ec("P-384", ""), ec("P-521", ""),
		ec("secp256k1", "secp256k1"), ec("brainpoolP256r1", "brainpoolP256r1"), ec("prime192v1", "P-192"),
		{name: "ed25519", family: "ed25519", gen: []string{"-algorithm", "ED25519"}},
		{name: "ed448", family: "other", gen: []string{"-algorithm", "ED448"}, refused: "Ed448"},
		{name: "x25519", family: "other", gen: []string{"-algorithm", "X25519"}, refused: "X25519"},
		{name: "x448", family: "other", gen: []string{"-algorithm", "X448"}, refused: "X448"},
		{name: "dsa", family: "other", gen: []string{"dsa"}, refused: "DSA"},
		{name: "ssh-ed25519", family: "ssh", ssh: []string{"-t", "ed25519"}},
		{name: "ssh-ecdsa-256", family: "ssh", ssh: []string{"-t", "ecdsa", "-b", "256"}},
		{name: "ssh-ecdsa-384", family: "ssh", ssh: []string{"-t", "ecdsa", "-b", "384"}},
		{name: "ssh-ecdsa-521", family: "ssh", ssh: []string{"-t", "ecdsa", "-b", "521"}},
		{name: "ssh-rsa-2048", family: "ssh", ssh: []string{"-t", "rsa", "-b", "2048"}},
		{name: "ssh-rsa-3071", family: "ssh", ssh: []string{"-t", "rsa", "-b", "3071"}},
	}
}

// kxCase is one drawn case.
type kxCase struct {
	seed int64
	alg  kxAlg
	// form names how the file is written; args are the openssl (or ssh-keygen) arguments
	// that write it from the plain key "@plain" to "@k", with the passphrase file "@pass".
	form string
	args []string
	tool string // "openssl" or "ssh-keygen"
	der  bool   // the file is DER
	// pubin: the file is a public key (for openssl: -pubin; rsapub: -RSAPublicKey_in).
	pubin, rsapub bool
	encrypted     bool
	// refused is what signet's ErrUnsupported must name for the form ("" when it reads it);
	// noAsk: it refuses before asking for the passphrase.
	refused string
	noAsk   bool
	// storesPublic: the private key file carries the public key too (SEC1 with its publicKey,
	// OpenSSH), so a changed private key can be told from the file's.
	storesPublic bool
	// compressed: a SubjectPublicKeyInfo with a compressed or hybrid point.
	compressed bool
	// small: an RSA key under MinRSABits.
	small bool
	pass  string
	// what is done to the file: "" nothing, "wrongpass", or "flip" (flipAt of the DER, or
	// of the OpenSSH blob, XORed with flipMask; flipWhere names the region aimed at).
	mutate    string
	flipAt    int // -1: drawn once the file is written, from flipWhere
	flipMask  byte
	flipWhere string
}

func (c kxCase) String() string {
	s := fmt.Sprintf("seed %d: %s %s %s %q", c.seed, c.alg.name, c.form, strings.Join(c.args, " "), c.pass)
	if c.mutate != "" {
		s += fmt.Sprintf(" %s %s@%d^%#x", c.mutate, c.flipWhere, c.flipAt, c.flipMask)
	}
	return s
}

// kxPassphrases are the passphrases drawn: ASCII, Latin-1 and CJK in UTF-8, one byte, long.
func kxPassphrases() []string {
	return []string{"correct horse battery", "p", "pässwörd-ü", "日本語のパスワード", "x" + strings.Repeat("0123456789", 7), "tab\tand space"}
}

func kxPick[T any](r *mrand.Rand, s []T) T { return s[r.Intn(len(s))] }

// kxGenerate draws the case of seed.
func kxGenerate(seed int64) kxCase {
	r := mrand.New(mrand.NewSource(seed))
	// One case in five draws from the algorithms signet refuses, so that most are of keys it
	// reads.
	var read, refused []kxAlg
	for _, a := range kxAlgs() {
		if a.refused == "" {
			read = append(read, a)
		} else {
			refused = append(refused, a)
		}
	}
	algs := read
	if r.Intn(5) == 0 {
		algs = refused
	}
	c := kxCase{seed: seed, alg: algs[r.Intn(len(algs))], pass: kxPick(r, kxPassphrases()), tool: "openssl", flipAt: -1}
	if c.alg.family == "ssh" {
		kxDrawSSH(r, &c)
	} else {
		kxDrawOpenSSL(r, &c)
	}
	c.small = c.alg.name == "rsa-512"
	// The private key files that carry the public key too: RSA's (n and e), SEC1's unless
	// written with -no_public, OpenSSH's own format; not openssl's Ed25519 PKCS#8 (v1).
	switch {
	case c.alg.family == "rsa", strings.HasPrefix(c.alg.name, "ssh-rsa"):
		c.storesPublic = true
	case c.alg.family == "ec", strings.HasPrefix(c.alg.name, "ssh-ecdsa"):
		c.storesPublic = !slices.Contains(c.args, "-no_public")
	case c.alg.name == "ssh-ed25519":
		c.storesPublic = strings.HasPrefix(c.form, "openssh")
	}
	if c.refused == "" && c.alg.refused != "" {
		c.refused = c.alg.refused
	}
	switch n := r.Intn(8); {
	case n < 2 && c.encrypted:
		c.mutate = "wrongpass"
	case n < 6:
		c.mutate = "flip"
		c.flipMask = byte(1 << r.Intn(8))
		if r.Intn(4) == 0 {
			c.flipMask = byte(1 + r.Intn(255))
		}
		c.flipWhere = kxPick(r, []string{"any", "salt", "iv", "iterations", "ciphertext", "ciphertext", "last block", "next to last block"})
		if !c.encrypted {
			c.flipWhere = "any"
		}
		c.flipAt = -1 - r.Intn(1<<20) // resolved against the file's length and layout
	}
	return c
}

// kxSupportedPBES2 are the PBES2 ciphers and PRFs signet reads.
func kxSupportedPBES2(cipher, prf string) string {
	switch cipher {
	case "aes-128-cbc", "aes-192-cbc", "aes-256-cbc", "des3", "des-ede3-cbc":
	default:
		return "cipher"
	}
	if prf == "hmacWithMD5" {
		return "PRF"
	}
	return ""
}

func kxDrawOpenSSL(r *mrand.Rand, c *kxCase) {
	outform := func() []string {
		if r.Intn(3) == 0 {
			c.der = true
			return []string{"-outform", "DER"}
		}
		return nil
	}
	pass := []string{"-passout", "file:@pass"}
	forms := []string{"pkcs8", "pkcs8", "pbes2", "pbes2", "pbes2", "scrypt", "pbes1", "pkey-enc", "spki"}
	switch c.alg.family {
	case "rsa":
		forms = append(forms, "traditional", "traditional", "rsapub")
	case "ec":
		forms = append(forms, "traditional", "traditional", "ec-form", "ec-form", "spki-point")
	case "other":
		if c.alg.name == "dsa" {
			forms = append(forms, "traditional")
		}
	}
	c.form = kxPick(r, forms)
	switch c.form {
	case "pkcs8":
		if r.Intn(2) == 0 {
			c.args = append([]string{"pkey", "-in", "@plain", "-out", "@k"}, outform()...)
		} else {
			c.args = append([]string{"pkcs8", "-topk8", "-nocrypt", "-in", "@plain", "-out", "@k"}, outform()...)
		}
	case "pbes2":
		cipher := kxPick(r, []string{"aes-128-cbc", "aes-192-cbc", "aes-256-cbc", "aes-256-cbc", "des3", "camellia-128-cbc", "camellia-256-cbc", "aria-256-cbc", "aes-256-ofb", "aes-128-cfb", "sm4-cbc", "cast5-cbc", "des-cbc", "rc2-cbc", "bf-cbc", "seed-cbc"})
		prf := kxPick(r, []string{"", "hmacWithSHA1", "hmacWithSHA224", "hmacWithSHA256", "hmacWithSHA384", "hmacWithSHA512", "hmacWithSHA512-224", "hmacWithSHA512-256", "hmacWithMD5"})
		iter := kxPick(r, []string{"", "1", "2", "7", "1000", "2048", "4096", "20000"})
		c.args = []string{"pkcs8", "-topk8", "-v2", cipher, "-in", "@plain", "-out", "@k"}
		if prf != "" {
			c.args = append(c.args, "-v2prf", prf)
		}
		if iter != "" {
			c.args = append(c.args, "-iter", iter)
		}
		c.args = append(append(c.args, pass...), outform()...)
		if kxLegacyCipher(cipher) {
			c.args = append(c.args, "-provider", "legacy", "-provider", "default")
		}
		c.encrypted = true
		if why := kxSupportedPBES2(cipher, prf); why != "" {
			c.refused, c.noAsk = why, true
		}
	case "scrypt":
		n := kxPick(r, []string{"1024", "4096", "16384"})
		rr := kxPick(r, []string{"1", "2", "8"})
		p := kxPick(r, []string{"1", "1", "2", "3"})
		c.args = append(append([]string{"pkcs8", "-topk8", "-scrypt", "-scrypt_N", n, "-scrypt_r", rr, "-scrypt_p", p, "-in", "@plain", "-out", "@k"}, pass...), outform()...)
		if r.Intn(3) == 0 {
			c.args = append(c.args, "-v2", kxPick(r, []string{"aes-128-cbc", "des3", "camellia-256-cbc"}))
			if c.args[len(c.args)-1] == "camellia-256-cbc" {
				c.refused, c.noAsk = "cipher", true
			}
		}
		c.encrypted = true
	case "pbes1":
		alg := kxPick(r, []string{"PBE-SHA1-3DES", "PBE-SHA1-2DES", "PBE-SHA1-RC4-128", "PBE-SHA1-RC4-40", "PBE-SHA1-RC2-128", "PBE-SHA1-RC2-40", "PBE-MD5-DES", "PBE-SHA1-DES", "PBE-MD5-RC2-64", "PBE-SHA1-RC2-64"})
		c.args = append(append([]string{"pkcs8", "-topk8", "-v1", alg, "-iter", kxPick(r, []string{"1", "2048", "5000"}), "-in", "@plain", "-out", "@k"}, pass...), outform()...)
		c.args = append(c.args, "-provider", "legacy", "-provider", "default")
		c.encrypted = true
	case "pkey-enc":
		cipher := kxPick(r, []string{"-aes-128-cbc", "-aes-256-cbc", "-des3", "-camellia256", "-aria128"})
		c.args = []string{"pkey", "-in", "@plain", "-out", "@k", cipher, "-passout", "file:@pass"}
		c.encrypted = true
		if cipher == "-camellia256" || cipher == "-aria128" {
			c.refused, c.noAsk = "cipher", true
		}
	case "spki":
		c.args = append([]string{"pkey", "-in", "@plain", "-pubout", "-out", "@k"}, outform()...)
		c.pubin = true
	case "spki-point":
		c.args = append([]string{"ec", "-in", "@plain", "-pubout", "-conv_form", kxPick(r, []string{"compressed", "hybrid"}), "-out", "@k"}, outform()...)
		c.pubin, c.compressed = true, true
	case "rsapub":
		c.args = append([]string{"rsa", "-in", "@plain", "-RSAPublicKey_out", "-out", "@k"}, outform()...)
		c.pubin, c.rsapub = true, true
	case "traditional":
		cmd := map[string]string{"rsa": "rsa", "ec": "ec", "other": "dsa"}[c.alg.family]
		c.args = append([]string{cmd, "-in", "@plain", "-out", "@k"}, outform()...)
		if cmd == "rsa" {
			c.args = append(c.args, "-traditional")
		}
		if !c.der && r.Intn(3) != 0 {
			cipher := kxPick(r, []string{"-aes128", "-aes192", "-aes256", "-des3", "-des", "-camellia128", "-aria256", "-seed"})
			c.args = append(c.args, cipher, "-passout", "file:@pass")
			c.encrypted = true
			if kxLegacyCipher(cipher[1:]) {
				c.args = append(c.args, "-provider", "legacy", "-provider", "default")
			}
			switch cipher {
			case "-camellia128", "-aria256", "-seed":
				c.refused, c.noAsk = "PEM encryption", true
			}
		}
		if cmd == "dsa" {
			// "DSA PRIVATE KEY": refused by its PEM type, before its encryption is looked at.
			c.refused, c.noAsk = "DSA", true
		}
	case "ec-form":
		// SEC1 (or PKCS#8 of it) with explicit parameters, another point form, or no public
		// key: openssl ec's options.
		c.args = []string{"ec", "-in", "@plain", "-out", "@k"}
		switch r.Intn(3) {
		case 0:
			c.args = append(c.args, "-param_enc", "explicit")
			c.refused = "explicit"
		case 1:
			c.args = append(c.args, "-conv_form", kxPick(r, []string{"compressed", "hybrid"}))
		default:
			c.args = append(c.args, "-no_public")
			c.storesPublic = false
		}
		if r.Intn(2) == 0 {
			// Then into PKCS#8, encrypted or not.
			c.form = "ec-form-pkcs8"
			c.args[4] = "@k0"
			c.args = append(c.args, "+", "pkcs8", "-topk8", "-in", "@k0", "-out", "@k")
			if r.Intn(2) == 0 {
				c.args = append(c.args, "-nocrypt")
			} else {
				c.args = append(c.args, "-v2", "aes-256-cbc", "-passout", "file:@pass")
				c.encrypted = true
			}
		}
		if r.Intn(3) == 0 {
			c.args = append(c.args, "-outform", "DER")
			c.der = true
		}
	}
}

// kxLegacyCipher: openssl 3 has this cipher only in its legacy provider.
func kxLegacyCipher(c string) bool {
	switch c {
	case "des-cbc", "des", "rc2-cbc", "bf-cbc", "seed-cbc", "seed", "cast5-cbc":
		return true
	}
	return false
}

func kxDrawSSH(r *mrand.Rand, c *kxCase) {
	c.tool = "ssh-keygen"
	c.storesPublic = true
	switch c.form = kxPick(r, []string{"openssh", "openssh-enc", "openssh-enc", "ssh-pem", "ssh-pkcs8", "ssh-pub"}); c.form {
	case "openssh":
		c.args = []string{"-p", "-P", "", "-N", "", "-f", "@k"}
	case "openssh-enc":
		cipher := kxPick(r, []string{"aes256-ctr", "aes256-ctr", "aes256-cbc", "aes128-ctr", "aes192-cbc", "chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com"})
		c.args = []string{"-p", "-P", "", "-N", "@pass", "-a", kxPick(r, []string{"1", "2", "16"}), "-Z", cipher, "-f", "@k"}
		c.encrypted = true
		if cipher != "aes256-ctr" && cipher != "aes256-cbc" {
			c.refused, c.noAsk = "encrypted with", true
		}
	case "ssh-pem", "ssh-pkcs8":
		m := map[string]string{"ssh-pem": "PEM", "ssh-pkcs8": "PKCS8"}[c.form]
		if len(c.pass) < 5 {
			c.pass = "ssh-keygen wants five characters" // for these two formats
		}
		c.args = []string{"-p", "-P", "", "-m", m, "-f", "@k"}
		if r.Intn(2) == 0 {
			c.args = append(c.args, "-N", "@pass")
			c.encrypted = true
		} else {
			c.args = append(c.args, "-N", "")
		}
	case "ssh-pub":
		c.args = []string{"-y", "-f", "@k"}
		c.pubin = true
		if r.Intn(2) == 0 {
			c.form = "ssh-rfc4716"
			c.args = []string{"-e", "-f", "@k"}
		}
	}
}

// kxKeys holds the keys of a process, made once per algorithm (RSA-4096 and DSA take seconds).
var kxKeys struct {
	sync.Mutex
	dir string
	m   map[string]*sync.Once
}

// kxKey returns the path of the plain key of alg (PKCS#8 from openssl, OpenSSH from
// ssh-keygen) and the SubjectPublicKeyInfo PEM of its public key, as openssl prints it (for
// ssh-keygen's keys, its public key as x/crypto/ssh reads it).
func kxKey(t *testing.T, alg kxAlg) (path string, pub []byte) {
	t.Helper()
	kxKeys.Lock()
	if kxKeys.m == nil {
		d, err := os.MkdirTemp("", "kx-keys-")
		if err != nil {
			kxKeys.Unlock()
			t.Fatal(err)
		}
		kxKeys.dir, kxKeys.m = d, map[string]*sync.Once{}
	}
	once := kxKeys.m[alg.name]
	if once == nil {
		once = new(sync.Once)
		kxKeys.m[alg.name] = once
	}
	dir := kxKeys.dir
	kxKeys.Unlock()
	path = filepath.Join(dir, alg.name)
	once.Do(func() {
		switch {
		case alg.family == "ssh":
			testutil.RequireTool(t, "ssh-keygen")
			testutil.Run(t, "ssh-keygen", append([]string{"-q", "-N", "", "-C", "kx", "-f", path + ".tmp"}, alg.ssh...)...)
			os.Remove(path + ".tmp.pub")
		case alg.name == "dsa":
			keyTestOpenSSL(t, dir, "genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt", "dsa_paramgen_bits:1024", "-out", "@dsa.params")
			keyTestOpenSSL(t, dir, "genpkey", "-paramfile", "@dsa.params", "-out", "@"+alg.name+".tmp")
		default:
			keyTestOpenSSL(t, dir, append(append([]string{"genpkey"}, alg.gen...), "-out", "@"+alg.name+".tmp")...)
		}
		if alg.family != "ssh" {
			keyTestOpenSSL(t, dir, "pkey", "-in", "@"+alg.name+".tmp", "-pubout", "-out", "@"+alg.name+".pub")
		} else {
			// ssh-keygen's public key, read by x/crypto/ssh, as SubjectPublicKeyInfo PEM.
			line := testutil.Run(t, "ssh-keygen", "-y", "-f", path+".tmp")
			pk, _, _, _, err := ssh.ParseAuthorizedKey(line)
			if err != nil {
				t.Fatal(err)
			}
			spki, err := MarshalPublicKeyPEM(pk.(ssh.CryptoPublicKey).CryptoPublicKey())
			if err != nil {
				t.Fatal(err)
			}
			mustKeyWrite(t, path+".pub", spki)
		}
		if err := os.Rename(path+".tmp", path); err != nil {
			t.Fatal(err)
		}
	})
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the %s key was not made: %v", alg.name, err)
	}
	return path, mustKeyRead(t, path+".pub")
}

// kxCleanKeys removes the keys of the process.
func kxCleanKeys() {
	kxKeys.Lock()
	defer kxKeys.Unlock()
	if kxKeys.dir != "" {
		os.RemoveAll(kxKeys.dir)
		kxKeys.dir, kxKeys.m = "", nil
	}
}
