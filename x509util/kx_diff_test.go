package x509util

import (
	"bytes"
	"context"
	"crypto"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/ssh"

	"github.com/signet-pki/signet/internal/testutil"
)

// The key-file campaign: openssl (or ssh-keygen) writes a key in a drawn form (kx_gen_test.go),
// signet reads it, and what signet makes of it is held to what openssl makes of it:
//
//   - as written, with the right passphrase: signet reads it and its public key is byte for byte
//     the one `openssl pkey -pubout` prints of the key made (ssh-keygen's, as x/crypto/ssh reads
//     it), it says it was encrypted exactly when it was, and asks for the passphrase once then;
//     or it refuses it with ErrUnsupported naming what it does not read (the algorithm, curve,
//     cipher, PRF, explicit parameters), before asking for a passphrase when what it does not
//     read is the encryption. An RSA key under MinRSABits is read by DecodeKey and refused by
//     ParsePrivateKey. A SubjectPublicKeyInfo with a compressed or hybrid point is refused,
//     ErrUnsupported naming the openssl command that writes it uncompressed (RFC 5480
//     section 2.2: only the uncompressed form MUST be read; crypto/x509 reads no other).
//   - with a wrong passphrase: ErrIncorrectPassphrase (exit 4), never a key; ErrUnsupported when
//     the encryption is one signet does not read.
//   - with a byte changed (in the salt, the IV, the iteration count, the ciphertext, its last
//     blocks, or anywhere): every error wraps one of ErrMalformed, ErrUnsupported and
//     ErrIncorrectPassphrase (else the CLI's exit would be 70), and a key signet returns is the
//     key made, unless the file carries no public key and has no integrity check (openssl's
//     Ed25519 PKCS#8 v1, SEC1 written with -no_public): then no reader can tell, and openssl
//     must read the same changed key. A public key file changed is read as openssl reads it.
//
// The explanations are the case's own (what was drawn), never openssl's message text.

// kxCI is the number of seeds CI runs; KX_SEEDS=first:count runs others.
const kxCI = 200

// kxPinnedSeeds are seeds CI runs besides the first kxCI: the ones that found faults (5: a
// 3-prime RSA key with its modulus changed; 147: a PKCS#1 public key with bytes after its
// exponent; 4919: an encrypted P-384 key whose changed ciphertext changed its scalar and the
// tag of its stored public key; 7412: a DSA key in DER, refused as a malformed RSA key).
func kxPinnedSeeds() []int64 { return []int64{4919, 7412} }

// kxSeeds is the seeds 1 to ciCount, or those KX_SEEDS names as first:count.
func kxSeeds(t *testing.T, ciCount int) []int64 {
	t.Helper()
	out := testutil.Seeds(t, "KX_SEEDS", ciCount)
	if os.Getenv("KX_SEEDS") == "" {
		out = append(out, kxPinnedSeeds()...)
	}
	return out
}

// kxResult is what one case gave.
type kxResult struct {
	file    string // the key file, as the tool wrote it and then as mutated
	data    []byte
	ref     []byte // the SubjectPublicKeyInfo PEM of the key made
	orig    crypto.Signer
	k       *DecodedKey
	err     error
	asked   int
	flipped int // the offset of the byte changed in the DER or blob, -1 none
	// osslPub is the public key openssl (ssh-keygen for OpenSSH files) reads from the file,
	// nil when it refuses it; asked only of a mutated file.
	osslPub crypto.PublicKey
	osslErr string
}

// kxPaths replaces "@name" (and "file:@name") in args with the file in dir.
func kxPaths(dir string, args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if name, ok := strings.CutPrefix(a, "file:@"); ok {
			a = "file:" + filepath.Join(dir, name)
		} else if name, ok := strings.CutPrefix(a, "@"); ok {
			a = filepath.Join(dir, name)
		}
		out[i] = a
	}
	return out
}

// write runs the tool that writes the case's file and returns its path.
func (c kxCase) write(t *testing.T, dir, plain string) string {
	t.Helper()
	k := filepath.Join(dir, "k")
	mustKeyWrite(t, filepath.Join(dir, "pass"), []byte(c.pass+"\n"))
	if c.tool == "ssh-keygen" {
		mustKeyWrite(t, k, mustKeyRead(t, plain))
		args := slices.Clone(c.args)
		for i, a := range args {
			if a == "@pass" {
				args[i] = c.pass
			}
		}
		out := testutil.Run(t, "ssh-keygen", kxPaths(dir, args)...)
		if c.pubin {
			mustKeyWrite(t, k, out)
		}
		return k
	}
	mustKeyWrite(t, filepath.Join(dir, "plain"), mustKeyRead(t, plain))
	args := kxPaths(dir, c.args)
	for len(args) > 0 {
		one := args
		if i := slices.Index(args, "+"); i >= 0 {
			one, args = args[:i], args[i+1:]
		} else {
			args = nil
		}
		testutil.Run(t, "openssl", one...)
	}
	return k
}

// kxRegions finds the byte ranges of an encrypted file a flip aims at: the salt, IV,
// iteration count and ciphertext of an EncryptedPrivateKeyInfo or an OpenSSH key, and the
// block size. Missing ones are nil.
type kxRegions struct {
	salt, iv, iter, ct [2]int // [start, end) in the DER or blob
	bs                 int
}

func kxFindRegions(der []byte) kxRegions {
	var r kxRegions
	r.bs = 16
	at := func(sub []byte, from int) [2]int {
		if len(sub) == 0 {
			return [2]int{}
		}
		if i := bytes.Index(der[from:], sub); i >= 0 {
			return [2]int{from + i, from + i + len(sub)}
		}
		return [2]int{}
	}
	if bytes.HasPrefix(der, []byte(opensshMagic)) {
		s := cryptobyte.String(der[len(opensshMagic):])
		var cipherName, kdfName, kdfOpts, pubBlob, priv cryptobyte.String
		var n uint32
		if opensshString(&s, &cipherName) && opensshString(&s, &kdfName) && opensshString(&s, &kdfOpts) && s.ReadUint32(&n) && opensshString(&s, &pubBlob) && opensshString(&s, &priv) {
			var salt cryptobyte.String
			if opensshString(&kdfOpts, &salt) {
				r.salt = at(salt, 0)
				r.iter = [2]int{r.salt[1], r.salt[1] + 4}
			}
			r.ct = [2]int{len(der) - len(priv), len(der)}
		}
		return r
	}
	var info keyEncryptedPKCS8Outline
	if !keyOutline(der, &info) {
		return r
	}
	r.ct = [2]int{len(der) - len(info.Data), len(der)}
	var p2 keyPBES2Params
	var p1 keyPBEParams
	switch {
	case keyOutline(info.Algo.Parameters.FullBytes, &p2):
		var iv []byte
		keyOutline(p2.EncryptionScheme.Parameters.FullBytes, &iv)
		r.iv = at(iv, 0)
		if len(iv) == 8 {
			r.bs = 8
		}
		var pb keyPBKDF2Params
		var sc keyScryptParams
		switch {
		case keyOutline(p2.KeyDerivationFunc.Parameters.FullBytes, &pb):
			r.salt = at(pb.Salt, 0)
			it, _ := asn1.Marshal(pb.IterationCount)
			r.iter = at(it, r.salt[1])
		case keyOutline(p2.KeyDerivationFunc.Parameters.FullBytes, &sc):
			r.salt = at(sc.Salt, 0)
			it, _ := asn1.Marshal(sc.CostParameter)
			r.iter = at(it, r.salt[1])
		}
	case keyOutline(info.Algo.Parameters.FullBytes, &p1):
		r.salt = at(p1.Salt, 0)
		it, _ := asn1.Marshal(p1.Iterations)
		r.iter = at(it, r.salt[1])
		r.bs = 8
	}
	return r
}

// flip changes one byte of the file as the case drew it, and returns its offset (in the DER
// of a PEM file, or in the OpenSSH blob), or -1 when the file has nothing to flip.
func (c kxCase) flip(t *testing.T, data []byte) ([]byte, int) {
	t.Helper()
	block, rest := pem.Decode(data)
	der := data
	if block != nil {
		der = block.Bytes
	}
	if len(der) == 0 {
		return data, -1
	}
	der = slices.Clone(der)
	pick := func(r [2]int) int {
		if r[1] <= r[0] {
			return -1
		}
		return r[0] + (-1-c.flipAt)%(r[1]-r[0])
	}
	reg := kxFindRegions(der)
	at := -1
	switch c.flipWhere {
	case "salt":
		at = pick(reg.salt)
	case "iv":
		if block != nil && block.Headers["DEK-Info"] != "" {
			// Traditional PEM: the IV (and salt) is the DEK-Info header's hex.
			mode, ivHex, _ := strings.Cut(block.Headers["DEK-Info"], ",")
			iv, err := hex.DecodeString(ivHex)
			if err == nil && len(iv) > 0 {
				i := (-1 - c.flipAt) % len(iv)
				iv[i] ^= c.flipMask
				h := maps.Clone(block.Headers)
				h["DEK-Info"] = mode + "," + strings.ToUpper(hex.EncodeToString(iv))
				return append(pem.EncodeToMemory(&pem.Block{Type: block.Type, Headers: h, Bytes: der}), rest...), i
			}
		}
		at = pick(reg.iv)
	case "iterations":
		at = pick(reg.iter)
	case "ciphertext":
		at = pick(reg.ct)
	case "last block":
		at = pick([2]int{max(reg.ct[0], reg.ct[1]-reg.bs), reg.ct[1]})
	case "next to last block":
		at = pick([2]int{max(reg.ct[0], reg.ct[1]-2*reg.bs), max(reg.ct[0], reg.ct[1]-reg.bs)})
	}
	if at < 0 {
		at = pick([2]int{0, len(der)})
	}
	der[at] ^= c.flipMask
	if block == nil {
		return der, at
	}
	return append(pem.EncodeToMemory(&pem.Block{Type: block.Type, Headers: block.Headers, Bytes: der}), rest...), at
}

// osslRead asks openssl (ssh-keygen for an OpenSSH private key) for the public key of the
// file, with the passphrase file given.
func (c kxCase) osslRead(t *testing.T, file, passFile string) (crypto.PublicKey, string) {
	t.Helper()
	var out, errOut []byte
	var err error
	switch {
	case c.tool == "ssh-keygen" && !c.pubin:
		pass, _ := os.ReadFile(passFile)
		out, errOut, err = kxRunErr("ssh-keygen", "-y", "-P", strings.TrimSuffix(string(pass), "\n"), "-f", file)
		if err == nil {
			k, err := DecodeKey(out, nil)
			if err != nil {
				return nil, "signet cannot read ssh-keygen -y's line: " + err.Error()
			}
			return k.Public, ""
		}
	case c.tool == "ssh-keygen":
		// OpenSSH reads the public key file (ssh-keygen -l for a .pub line, -i for RFC 4716);
		// x/crypto/ssh reads the key of the line.
		line, e, err := kxRunErr("ssh-keygen", "-i", "-f", file)
		if c.form == "ssh-pub" {
			_, e, err = kxRunErr("ssh-keygen", "-l", "-f", file)
			line = mustKeyRead(t, file)
		}
		if err != nil {
			return nil, strings.TrimSpace(string(e))
		}
		pk, _, _, _, err := ssh.ParseAuthorizedKey(line)
		if err != nil {
			return nil, "x/crypto/ssh: " + err.Error()
		}
		return pk.(ssh.CryptoPublicKey).CryptoPublicKey(), ""
	default:
		args := []string{"pkey", "-in", file, "-pubout", "-passin", "file:" + passFile}
		if c.rsapub {
			args = []string{"rsa", "-RSAPublicKey_in", "-in", file, "-pubout"}
		} else if c.pubin {
			args = append(args, "-pubin")
		}
		if c.der {
			args = append(args, "-inform", "DER")
		}
		if slices.Contains(c.args, "legacy") {
			args = append(args, "-provider", "legacy", "-provider", "default")
		}
		out, errOut, err = kxRunErr("openssl", args...)
	}
	if err != nil {
		return nil, strings.TrimSpace(string(errOut))
	}
	k, err := DecodeKey(out, nil)
	if err != nil {
		// openssl printed a key signet does not read (a compressed point): openssl read it.
		return "unreadable", ""
	}
	return k.Public, ""
}

// run writes the case's file, mutates it, and has signet (and, for a mutated file, openssl)
// read it.
func (c kxCase) run(t *testing.T) kxResult {
	t.Helper()
	plain, ref := kxKey(t, c.alg)
	dir := t.TempDir()
	var res kxResult
	res.ref, res.flipped = ref, -1
	res.file = c.write(t, dir, plain)
	res.data = mustKeyRead(t, res.file)
	if c.refused == "" && !c.pubin {
		if k, err := DecodeKey(mustKeyRead(t, plain), nil); err == nil {
			res.orig = k.Signer
		}
	}
	pass := c.pass
	switch c.mutate {
	case "wrongpass":
		pass = "not " + pass
	case "flip":
		res.data, res.flipped = c.flip(t, res.data)
		mustKeyWrite(t, res.file, res.data)
	}
	passFunc, asked := keyTestPassFunc(pass)
	res.k, res.err = DecodeKey(res.data, passFunc)
	res.asked = *asked
	if c.mutate != "" {
		passFile := filepath.Join(dir, "pass")
		if c.mutate == "wrongpass" {
			passFile = mustKeyWrite(t, filepath.Join(dir, "wrong"), []byte(pass+"\n"))
		}
		res.osslPub, res.osslErr = c.osslRead(t, res.file, passFile)
	}
	return res
}

// kxClass names a result for the tally.
func kxClass(err error) string {
	switch {
	case err == nil:
		return "read"
	case errors.Is(err, ErrIncorrectPassphrase):
		return "passphrase"
	case errors.Is(err, ErrUnsupported):
		return "unsupported"
	case errors.Is(err, ErrMalformed):
		return "malformed"
	}
	return "other"
}

// kxCheck returns what is wrong with the result, "" when it agrees or is explained, and the
// explanation used.
func kxCheck(c kxCase, res kxResult) (wrong, explained string) {
	if res.err != nil && kxClass(res.err) == "other" {
		return fmt.Sprintf("an error that wraps no sentinel (exit 70): %v", res.err), ""
	}
	if res.err != nil && strings.Contains(res.err.Error(), c.pass) && len(c.pass) > 2 {
		return "the passphrase is in the error: " + res.err.Error(), ""
	}
	switch c.mutate {
	case "":
		return kxCheckAsWritten(c, res)
	case "wrongpass":
		switch {
		case c.noAsk && errors.Is(res.err, ErrUnsupported) && res.asked == 0:
			return "", "unsupported-encryption"
		case !errors.Is(res.err, ErrIncorrectPassphrase):
			return fmt.Sprintf("wrong passphrase: %v (key %v), want ErrIncorrectPassphrase", res.err, res.k != nil), ""
		case res.osslPub != nil:
			return "", "openssl-reads-wrong-passphrase"
		}
		return "", ""
	}
	// A byte changed.
	if res.err != nil {
		if res.osslPub != nil && res.orig != nil && PublicKeysEqual(res.osslPub, res.orig.Public()) {
			return "", "damaged-refused-openssl-reads-same"
		}
		return "", ""
	}
	if res.k.Signer == nil {
		// A public key file: signet reads what openssl reads.
		switch pk := res.osslPub; {
		case pk == nil:
			return fmt.Sprintf("a changed public key file is read (%T), openssl refuses it: %s", res.k.Public, res.osslErr), ""
		case pk == "unreadable":
			return "a changed public key file is read, openssl prints a key signet does not read", ""
		case !PublicKeysEqual(pk, res.k.Public):
			return "a changed public key file is read as another key than openssl's", ""
		}
		return "", "public-key-no-integrity"
	}
	if res.orig == nil {
		return fmt.Sprintf("a changed file of a key signet refuses is read (%T)", res.k.Signer), ""
	}
	if kxSignerEqual(res.k.Signer, res.orig) {
		return "", "same-key"
	}
	if !c.storesPublic && res.osslPub != nil && PublicKeysEqual(res.osslPub, res.k.Public) {
		return "", "no-public-no-integrity"
	}
	return fmt.Sprintf("a changed file is read as another key (openssl: %v %s)", res.osslPub != nil, res.osslErr), ""
}

func kxSignerEqual(a, b crypto.Signer) bool {
	e, ok := a.(interface{ Equal(crypto.PrivateKey) bool })
	return ok && e.Equal(b)
}

func kxCheckAsWritten(c kxCase, res kxResult) (wrong, explained string) {
	switch {
	case c.refused != "":
		if !errors.Is(res.err, ErrUnsupported) || !strings.Contains(strings.ToLower(res.err.Error()), strings.ToLower(c.refused)) {
			return fmt.Sprintf("%v (key %v), want ErrUnsupported naming %q", res.err, res.k != nil, c.refused), ""
		}
		if c.noAsk && res.asked != 0 {
			return "asked for the passphrase of an encryption it does not read", ""
		}
		return "", "unsupported:" + c.refused
	case c.compressed:
		if errors.Is(res.err, ErrUnsupported) && strings.Contains(res.err.Error(), "-conv_form uncompressed") {
			return "", "rfc5480-compressed-point"
		}
		return fmt.Sprintf("compressed point: %v, want ErrUnsupported naming -conv_form uncompressed", res.err), ""
	case res.err != nil:
		return fmt.Sprintf("refused: %v", res.err), ""
	}
	got, err := MarshalPublicKeyPEM(res.k.Public)
	switch {
	case err != nil:
		return err.Error(), ""
	case !bytes.Equal(got, res.ref):
		return fmt.Sprintf("public key %s, openssl's %s", got, res.ref), ""
	case res.k.Encrypted != c.encrypted:
		return fmt.Sprintf("Encrypted = %v", res.k.Encrypted), ""
	case res.asked != map[bool]int{true: 1}[c.encrypted]:
		return fmt.Sprintf("passphrase asked %d times", res.asked), ""
	case c.pubin != (res.k.Signer == nil):
		return fmt.Sprintf("private key %v, public key file %v", res.k.Signer != nil, c.pubin), ""
	case c.pubin:
		return "", ""
	case !kxSignerEqual(res.k.Signer, res.orig):
		return "the private key is not the one made", ""
	}
	pf, _ := keyTestPassFunc(c.pass)
	_, err = ParsePrivateKey(res.data, pf)
	switch {
	case c.small && !errors.Is(err, ErrUnsupported):
		return fmt.Sprintf("ParsePrivateKey of a %s key: %v, want ErrUnsupported", c.alg.name, err), ""
	case c.small:
		return "", "rsa-under-1024"
	case err != nil:
		return fmt.Sprintf("ParsePrivateKey: %v", err), ""
	}
	return "", ""
}

// TestKXDifferential runs the campaign: CI runs the first kxCI seeds and kxPinnedSeeds;
// KX_SEEDS=first:count runs others; a failure names its seed and the case, and KX_DIR=dir
// keeps the file of each failing seed there.
func TestKXDifferential(t *testing.T) {
	t.Parallel()
	testutil.RequireTool(t, "openssl")
	testutil.RequireTool(t, "ssh-keygen")
	if out, _ := exec.Command("openssl", "version").Output(); !strings.HasPrefix(string(out), "OpenSSL 3.") {
		t.Skipf("openssl is %s; the campaign is written for OpenSSL 3", out)
	}
	t.Cleanup(kxCleanKeys)
	seeds := kxSeeds(t, kxCI)
	var tally testutil.Tally
	t.Run("seeds", func(t *testing.T) {
		for _, s := range seeds {
			t.Run(strconv.FormatInt(s, 10), func(t *testing.T) {
				t.Parallel()
				c := kxGenerate(s)
				res := c.run(t)
				wrong, why := kxCheck(c, res)
				if wrong != "" {
					if d := os.Getenv("KX_DIR"); d != "" {
						os.WriteFile(filepath.Join(d, fmt.Sprintf("seed%d", s)), res.data, 0o600)
					}
					t.Errorf("%s\n  flipped at %d; %s", c, res.flipped, wrong)
				}
				if os.Getenv("KX_VERBOSE") != "" {
					t.Logf("%s\n  flipped at %d: signet %v; openssl %v %s; %s", c, res.flipped, res.err, res.osslPub != nil, res.osslErr, why)
				}
				key := fmt.Sprintf("%-9s %-10s", cmpOr(c.mutate, "as-written"), kxClass(res.err))
				if why != "" {
					key += " " + why
				}
				tally.Add(key)
			})
		}
	})
	tally.Log(t, len(seeds))
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// kxRunErr runs a tool for at most 5 s: a changed iteration count or bcrypt round count can
// ask a tool for hours (signet refuses such counts before any work); it is then killed and
// counts as refusing the file.
func kxRunErr(name string, args ...string) (stdout, stderr []byte, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var o, e bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	if ctx.Err() != nil {
		e.WriteString(" (killed after 5 s)")
	}
	return o.Bytes(), e.Bytes(), err
}
