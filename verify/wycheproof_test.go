package verify_test

import (
	"crypto"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// wycheproofDir holds Project Wycheproof's signature vectors (its README says which commit),
// read in place: they are shared by the projects on this machine and never copied here.
const wycheproofDir = "../../shared/vectors/wycheproof"

// Every vector goes through verify.Signature, the function `signet verify` uses for raw
// signatures, with the key read by x509util.ParsePublicKey, the reader behind --key.
//
// Choices, asserted rather than skipped:
//   - "acceptable" vectors (only RSA PKCS#1 v1.5 MissingNull here: a DigestInfo without the
//     NULL parameters) are REJECTED: crypto/rsa builds the one DER encoding and compares, as
//     RFC 8017 8.2.2 describes.
//   - ECDSA P1363 (r||s) vectors: signet's signatures are DER, so verify.Signature rejects
//     every one of them, valid or not, as a mismatch. The test then re-encodes each r||s as
//     DER itself and runs it again: valid ones must pass, invalid ones must fail, so the
//     arithmetic is covered too.
//   - RSA-PSS: run with the group's exact salt length (valid accepted, "s_len changed"
//     rejected), then a second time with SaltLengthAny, which is what the CLI uses: valid
//     accepted, "s_len changed to N" (a correct signature with another salt) accepted by
//     that documented choice, every other invalid vector rejected.
//   - SHA-1 groups are refused by policy: every vector must fail with ErrWeakAlgorithm.
//   - Groups crypto/rsa cannot express (SHAKE, MGF1 with another hash than the message's)
//     are counted and named in the log, per file.
//   - *_params files carry the PSS parameters in an id-RSASSA-PSS key, which signet's key
//     reader refuses (asserted); their vectors run with the same key in PKCS#1 form and the
//     group's parameters.

type wpFile struct {
	Algorithm  string    `json:"algorithm"`
	Schema     string    `json:"schema"`
	NumTests   int       `json:"numberOfTests"`
	TestGroups []wpGroup `json:"testGroups"`
}

type wpGroup struct {
	Type         string   `json:"type"`
	SHA          string   `json:"sha"`
	MGF          string   `json:"mgf"`
	MGFSHA       string   `json:"mgfSha"`
	SLen         int      `json:"sLen"`
	PublicKeyDER string   `json:"publicKeyDer"`
	PublicKeyAsn string   `json:"publicKeyAsn"`
	PublicKey    wpPubKey `json:"publicKey"`
	Tests        []wpTest `json:"tests"`
}

type wpPubKey struct {
	Curve   string `json:"curve"`
	KeySize int    `json:"keySize"`
}

type wpTest struct {
	ID      int      `json:"tcId"`
	Comment string   `json:"comment"`
	Msg     string   `json:"msg"`
	Sig     string   `json:"sig"`
	Result  string   `json:"result"`
	Flags   []string `json:"flags"`
}

// wpTally counts what happened to a file's vectors.
type wpTally struct {
	run, passed, policy int
	skipped             map[string]int
	extra               []string // further lines for the summary
}

func (c *wpTally) skip(reason string, n int) {
	if c.skipped == nil {
		c.skipped = map[string]int{}
	}
	c.skipped[reason] += n
}

func (c *wpTally) String() string {
	s := fmt.Sprintf("run %d, passed %d", c.run, c.passed)
	if c.policy > 0 {
		s += fmt.Sprintf(" (of which %d refused by policy as expected)", c.policy)
	}
	total := 0
	var reasons []string
	for r, n := range c.skipped {
		total += n
		reasons = append(reasons, fmt.Sprintf("%d: %s", n, r))
	}
	sort.Strings(reasons)
	s += fmt.Sprintf(", skipped %d", total)
	if len(reasons) > 0 {
		s += " [" + strings.Join(reasons, "; ") + "]"
	}
	for _, e := range c.extra {
		s += "; " + e
	}
	return s
}

var wpHashes = map[string]crypto.Hash{
	"SHA-1": crypto.SHA1, "SHA-224": crypto.SHA224, "SHA-256": crypto.SHA256, "SHA-384": crypto.SHA384,
	"SHA-512": crypto.SHA512, "SHA-512/224": crypto.SHA512_224, "SHA-512/256": crypto.SHA512_256,
	"SHA3-224": crypto.SHA3_224, "SHA3-256": crypto.SHA3_256, "SHA3-384": crypto.SHA3_384, "SHA3-512": crypto.SHA3_512,
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func digestOf(t *testing.T, h crypto.Hash, msg []byte) []byte {
	t.Helper()
	d := h.New()
	d.Write(msg)
	return d.Sum(nil)
}

func TestWycheproof(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(wycheproofDir, "*_test.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatalf("no Wycheproof vectors in %s", wycheproofDir)
		}
		t.Skipf("no Wycheproof vectors in %s", wycheproofDir)
	}
	// The files run in parallel; grand adds them up, and is said when all have run.
	var (
		mu    sync.Mutex
		grand wpTally
	)
	t.Cleanup(func() { t.Logf("all %d files: %s", len(files), &grand) })
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, "_test.json"), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var f wpFile
			if err := json.Unmarshal(data, &f); err != nil {
				t.Fatal(err)
			}
			tally := &wpTally{}
			switch f.Schema {
			case "ecdsa_verify_schema_v1.json":
				wpECDSA(t, &f, tally, false)
			case "ecdsa_p1363_verify_schema_v1.json":
				wpECDSA(t, &f, tally, true)
			case "eddsa_verify_schema_v1.json":
				wpEd25519(t, &f, tally)
			case "rsassa_pkcs1_verify_schema_v1.json":
				wpPKCS1(t, &f, tally)
			case "rsassa_pss_verify_schema_v1.json":
				wpPSS(t, &f, tally, false)
			case "rsassa_pss_with_parameters_verify_schema.json":
				wpPSS(t, &f, tally, true)
			default:
				t.Fatalf("unknown schema %q", f.Schema)
			}
			n := 0
			for _, s := range tally.skipped {
				n += s
			}
			if tally.run+n != f.NumTests {
				t.Errorf("%d vectors run and %d skipped, the file has %d", tally.run, n, f.NumTests)
			}
			t.Logf("%s: %d vectors: %s", name, f.NumTests, tally)
			mu.Lock()
			defer mu.Unlock()
			grand.run += tally.run
			grand.passed += tally.passed
			grand.policy += tally.policy
			for r, k := range tally.skipped {
				grand.skip(r, k)
			}
		})
	}
}

// expect records the outcome of one vector: err must be nil when ok, a mismatch otherwise.
func expect(t *testing.T, tally *wpTally, tc wpTest, what string, err error, ok bool) {
	t.Helper()
	tally.run++
	switch {
	case ok && err != nil:
		t.Errorf("tcId %d (%s, %s): %s: rejected: %v", tc.ID, tc.Result, tc.Comment, what, err)
	case !ok && err == nil:
		t.Errorf("tcId %d (%s, %s): %s: accepted", tc.ID, tc.Result, tc.Comment, what)
	case !ok && !errors.Is(err, verify.ErrSignatureMismatch):
		t.Errorf("tcId %d (%s, %s): %s: rejected, but not as a mismatch: %v", tc.ID, tc.Result, tc.Comment, what, err)
	default:
		tally.passed++
	}
}

func wpKey(t *testing.T, der string) (crypto.PublicKey, error) {
	t.Helper()
	return x509util.ParsePublicKey(mustHex(t, der))
}

func wpECDSA(t *testing.T, f *wpFile, tally *wpTally, p1363 bool) {
	rederived := 0
	for _, g := range f.TestGroups {
		pub, err := wpKey(t, g.PublicKeyDER)
		if err != nil {
			t.Fatalf("%s key: %v", g.PublicKey.Curve, err)
		}
		h := wpHashes[g.SHA]
		params := verify.SignatureParams{Hash: h}
		for _, tc := range g.Tests {
			msg, sig := mustHex(t, tc.Msg), mustHex(t, tc.Sig)
			digest := digestOf(t, h, msg)
			err := verify.Signature(pub, digest, sig, params)
			if !p1363 {
				expect(t, tally, tc, "DER", err, tc.Result == "valid")
				continue
			}
			// signet reads DER only: every P1363 signature is a mismatch ...
			expect(t, tally, tc, "P1363 as given", err, false)
			// ... and the same r||s re-encoded as DER verifies exactly when the vector is valid.
			if der, ok := p1363ToDER(sig, g.PublicKey.KeySize); ok {
				rederived++
				err := verify.Signature(pub, digest, der, params)
				if tc.Result == "valid" && err != nil || tc.Result != "valid" && err == nil {
					t.Errorf("tcId %d (%s, %s): re-encoded as DER: %v", tc.ID, tc.Result, tc.Comment, err)
				}
			} else if tc.Result == "valid" {
				t.Errorf("tcId %d: a valid P1363 signature of %d bytes", tc.ID, len(sig))
			}
		}
	}
	if p1363 {
		tally.extra = append(tally.extra, fmt.Sprintf("every P1363 signature refused as not DER; %d re-encoded as DER by the test and judged as their result says", rederived))
	}
}

// p1363ToDER turns r||s into the DER SEQUENCE of two INTEGERs, if sig has the curve's width.
func p1363ToDER(sig []byte, bits int) ([]byte, bool) {
	n := (bits + 7) / 8
	if len(sig) != 2*n {
		return nil, false
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1BigInt(new(big.Int).SetBytes(sig[:n]))
		b.AddASN1BigInt(new(big.Int).SetBytes(sig[n:]))
	})
	der, err := b.Bytes()
	return der, err == nil
}

func wpEd25519(t *testing.T, f *wpFile, tally *wpTally) {
	for _, g := range f.TestGroups {
		pub, err := wpKey(t, g.PublicKeyDER)
		if err != nil {
			t.Fatalf("key: %v", err)
		}
		for _, tc := range g.Tests {
			err := verify.Signature(pub, mustHex(t, tc.Msg), mustHex(t, tc.Sig), verify.SignatureParams{})
			expect(t, tally, tc, "Ed25519", err, tc.Result == "valid")
		}
	}
}

func wpPKCS1(t *testing.T, f *wpFile, tally *wpTally) {
	acceptable := 0
	for _, g := range f.TestGroups {
		pub, err := wpKey(t, g.PublicKeyDER)
		if err != nil {
			t.Fatalf("key: %v", err)
		}
		h := wpHashes[g.SHA]
		for _, tc := range g.Tests {
			err := verify.Signature(pub, digestOf(t, h, mustHex(t, tc.Msg)), mustHex(t, tc.Sig), verify.SignatureParams{Hash: h})
			if tc.Result == "acceptable" {
				acceptable++
			}
			// acceptable (MissingNull) is rejected: see the choices above.
			expect(t, tally, tc, "PKCS#1 v1.5", err, tc.Result == "valid")
		}
	}
	if acceptable > 0 {
		tally.extra = append(tally.extra, fmt.Sprintf("%d acceptable (MissingNull) rejected by choice", acceptable))
	}
}

func wpPSS(t *testing.T, f *wpFile, tally *wpTally, keyParams bool) {
	anySaltAccepted := 0
	mgfPairs := map[string]bool{}
	defer func() {
		if len(mgfPairs) > 0 {
			var pairs []string
			for p := range mgfPairs {
				pairs = append(pairs, p)
			}
			sort.Strings(pairs)
			tally.extra = append(tally.extra, "groups skipped for their MGF1 hash: "+strings.Join(pairs, ", "))
		}
	}()
	for _, g := range f.TestGroups {
		h, known := wpHashes[g.SHA]
		switch {
		case g.MGF != "MGF1":
			tally.skip(fmt.Sprintf("%s mask generation (crypto/rsa has MGF1 only, and no SHAKE)", g.MGF), len(g.Tests))
			continue
		case !known:
			tally.skip(fmt.Sprintf("hash %s unknown to crypto", g.SHA), len(g.Tests))
			continue
		case g.MGFSHA != g.SHA:
			tally.skip("MGF1 with another hash than the message's (crypto/rsa uses the message hash for MGF1)", len(g.Tests))
			mgfPairs[g.SHA+" with MGF1-"+g.MGFSHA] = true
			continue
		}
		if keyParams {
			if _, err := wpKey(t, g.PublicKeyDER); !errors.Is(err, x509util.ErrUnsupported) && !errors.Is(err, x509util.ErrMalformed) {
				t.Errorf("an id-RSASSA-PSS key: got %v, want it refused", err)
			}
		}
		pub, err := wpKey(t, g.PublicKeyAsn)
		if err != nil {
			t.Fatalf("PKCS#1 key: %v", err)
		}
		salt := g.SLen
		if salt == 0 {
			salt = verify.SaltLengthNone
		}
		exact := verify.SignatureParams{Hash: h, PSS: true, SaltLength: salt}
		anySalt := verify.SignatureParams{Hash: h, PSS: true, SaltLength: verify.SaltLengthAny}
		for _, tc := range g.Tests {
			msg, sig := mustHex(t, tc.Msg), mustHex(t, tc.Sig)
			digest := digestOf(t, h, msg)
			err := verify.Signature(pub, digest, sig, exact)
			if h == crypto.SHA1 {
				tally.run++
				if errors.Is(err, verify.ErrWeakAlgorithm) {
					tally.passed++
					tally.policy++
				} else {
					t.Errorf("tcId %d: SHA-1: got %v, want ErrWeakAlgorithm", tc.ID, err)
				}
				continue
			}
			expect(t, tally, tc, fmt.Sprintf("PSS salt %d", g.SLen), err, tc.Result == "valid")

			err = verify.Signature(pub, digest, sig, anySalt)
			saltChanged := strings.HasPrefix(tc.Comment, "s_len changed to ")
			ok := tc.Result == "valid" || saltChanged
			if ok && err != nil || !ok && err == nil {
				t.Errorf("tcId %d (%s, %s): with any salt length: %v", tc.ID, tc.Result, tc.Comment, err)
			}
			if saltChanged && err == nil {
				anySaltAccepted++
			}
		}
	}
	if anySaltAccepted > 0 {
		tally.extra = append(tally.extra, fmt.Sprintf("with any salt length (the CLI's choice) %d \"s_len changed\" vectors accepted", anySaltAccepted))
	}
}
