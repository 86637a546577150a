package interop_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/sign"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/options"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/signet-pki/signet/internal/testutil"
)

// The Sigstore-bundle differential campaign: per seed (sbDraw), a bundle made by signet, by
// sigstore-go or field by field, mutated, then judged by signet verify (--trusted-root for a
// certificate, --key for a bare key) and by sigstore-go's verifier configured the same way
// (offline, no log, the current time). Each mutation says whether the bundle stays valid;
// signet must agree with that, and every difference from sigstore-go must be one that
// sbExplain names with the rule behind it. SIGNET_SB_SEEDS=first:count runs other seeds.

// sbEnv is a campaign run's fixtures: the keys and certificates, the trusted root.
type sbEnv struct {
	dir    string
	trPath string
	tr     root.TrustedMaterial
	keys   map[string]crypto.Signer // by key type; "other" is another P-256 signer
	files  map[string]string        // key type -> private key file, key type+".pub" -> public key
	certs  map[string]*x509.Certificate
	int    *x509.Certificate
	intKey crypto.Signer
	tsa    map[string]tsa // "listed" (in the trusted root's timestampAuthorities), "other"
}

var sbSerial atomic.Int64

func sbSetup(t *testing.T) *sbEnv {
	e := &sbEnv{dir: t.TempDir(), keys: map[string]crypto.Signer{}, files: map[string]string{}, certs: map[string]*x509.Certificate{}}
	e.tsa = map[string]tsa{}
	for _, n := range []string{"listed", "other"} {
		d := filepath.Join(e.dir, "tsa-"+n)
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		e.tsa[n] = startTSA(t, d)
	}
	e.trPath, e.tr = trustedRootWithTSA(t, e.dir, e.tsa["listed"].chain)
	e.int, e.intKey = mustCert(t, "int-ca.pem"), mustKey(t, "int-ca.key")
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, kt := range append(append([]string{}, sbKeyTypes...), "other") {
		wg.Go(func() {
			var k crypto.Signer
			var err error
			switch kt {
			case "p256", "other":
				k, err = ecdsa.GenerateKey(ecdsaCurve("p256"), rand.Reader)
			case "p384":
				k, err = ecdsa.GenerateKey(ecdsaCurve("p384"), rand.Reader)
			case "rsa2048":
				k, err = rsa.GenerateKey(rand.Reader, 2048)
			case "rsa3072":
				k, err = rsa.GenerateKey(rand.Reader, 3072)
			case "ed25519":
				_, k, err = ed25519.GenerateKey(rand.Reader)
			}
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			e.keys[kt] = k
			mu.Unlock()
		})
	}
	wg.Wait()
	for kt, k := range e.keys {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		pub, err := x509.MarshalPKIXPublicKey(k.Public())
		if err != nil {
			t.Fatal(err)
		}
		e.files[kt] = filepath.Join(e.dir, kt+".key")
		e.files[kt+".pub"] = filepath.Join(e.dir, kt+".pub")
		if err := os.WriteFile(e.files[kt], pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(e.files[kt+".pub"], pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{"good", "expired", "notyet", "noeku", "ca"} {
			e.certs[kt+":"+v] = e.issue(t, k.Public(), v)
		}
		chain := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: e.certs[kt+":good"].Raw}),
			pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: e.int.Raw})...)
		e.files[kt+".chain"] = filepath.Join(e.dir, kt+"-chain.pem")
		if err := os.WriteFile(e.files[kt+".chain"], chain, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// issue makes a certificate for pub under the fixture intermediate: a code signer valid
// around now (good), one whose validity ended before now (expired) or starts after it
// (notyet), one whose only EKU is
// emailProtection (noeku), or a CA certificate with codeSigning (ca).
func (e *sbEnv) issue(t *testing.T, pub crypto.PublicKey, variant string) *x509.Certificate {
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:   big.NewInt(1000 + sbSerial.Add(1)),
		Subject:        pkix.Name{Organization: []string{"Signet Test"}, CommonName: "sb signer " + variant},
		NotBefore:      now.Add(-time.Hour),
		NotAfter:       now.Add(24 * time.Hour),
		KeyUsage:       x509.KeyUsageDigitalSignature,
		ExtKeyUsage:    []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		EmailAddresses: []string{"signer@example.com"},
	}
	switch variant {
	case "expired":
		tmpl.NotBefore, tmpl.NotAfter = now.Add(-72*time.Hour), now.Add(-48*time.Hour)
	case "notyet":
		tmpl.NotBefore = now.Add(2 * time.Hour)
	case "noeku":
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}
	case "ca":
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, e.int, pub, e.intKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sbHash is the hash the Sigstore algorithm registry (and sigstore-go) pairs with a key:
// SHA-384 for P-384, SHA-512 for Ed25519ph, SHA-256 otherwise.
func sbHash(kt string) crypto.Hash {
	switch kt {
	case "p384":
		return crypto.SHA384
	case "ed25519":
		return crypto.SHA512
	}
	return crypto.SHA256
}

// sbKeypair is a sign.Keypair over a campaign key, for sigstore-go's sign.Bundle.
type sbKeypair struct {
	kt   string
	key  crypto.Signer
	cert bool // Ed25519ph with a certificate, pure Ed25519 without
}

func (k sbKeypair) GetHashAlgorithm() protocommon.HashAlgorithm {
	switch {
	case k.kt == "ed25519" && !k.cert:
		return protocommon.HashAlgorithm_HASH_ALGORITHM_UNSPECIFIED
	case sbHash(k.kt) == crypto.SHA384:
		return protocommon.HashAlgorithm_SHA2_384
	case sbHash(k.kt) == crypto.SHA512:
		return protocommon.HashAlgorithm_SHA2_512
	}
	return protocommon.HashAlgorithm_SHA2_256
}

func (k sbKeypair) GetSigningAlgorithm() protocommon.PublicKeyDetails {
	switch k.kt {
	case "p256":
		return protocommon.PublicKeyDetails_PKIX_ECDSA_P256_SHA_256
	case "p384":
		return protocommon.PublicKeyDetails_PKIX_ECDSA_P384_SHA_384
	case "rsa2048":
		return protocommon.PublicKeyDetails_PKIX_RSA_PKCS1V15_2048_SHA256
	case "rsa3072":
		return protocommon.PublicKeyDetails_PKIX_RSA_PKCS1V15_3072_SHA256
	}
	if k.cert {
		return protocommon.PublicKeyDetails_PKIX_ED25519_PH
	}
	return protocommon.PublicKeyDetails_PKIX_ED25519
}

func (k sbKeypair) GetHint() []byte {
	der, _ := x509.MarshalPKIXPublicKey(k.key.Public())
	s := sha256.Sum256(der)
	// sign.Bundle writes the hint as the string of these bytes: the base64 of the key id.
	return []byte(base64.StdEncoding.EncodeToString(s[:]))
}

func (k sbKeypair) GetKeyAlgorithm() string          { return k.kt }
func (k sbKeypair) GetPublicKey() crypto.PublicKey   { return k.key.Public() }
func (k sbKeypair) GetPublicKeyPem() (string, error) { return "", nil }

func (k sbKeypair) SignData(_ context.Context, data []byte) ([]byte, []byte, error) {
	return sbSign(k.kt, k.key, k.cert, false, data)
}

// sbSign signs data as the registry has it for the key: the digest for ECDSA and RSA (PSS
// when pss), Ed25519ph over SHA-512 with a certificate, pure Ed25519 without. It returns the
// signature and the messageDigest (nil for pure Ed25519).
func sbSign(kt string, key crypto.Signer, cert, pss bool, data []byte) ([]byte, []byte, error) {
	h := sbHash(kt)
	if kt == "ed25519" {
		if !cert {
			sig, err := key.Sign(rand.Reader, data, crypto.Hash(0))
			return sig, nil, err
		}
		d := sha512.Sum512(data)
		sig, err := key.Sign(rand.Reader, d[:], &ed25519.Options{Hash: crypto.SHA512})
		return sig, d[:], err
	}
	hh := h.New()
	hh.Write(data)
	d := hh.Sum(nil)
	var opts crypto.SignerOpts = h
	if pss {
		opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h}
	}
	sig, err := key.Sign(rand.Reader, d, opts)
	return sig, d, err
}

// sbCertProvider gives sign.Bundle the campaign's certificate.
type sbCertProvider struct{ der []byte }

func (p sbCertProvider) GetCertificate(context.Context, sign.Keypair, *sign.CertificateProviderOptions) ([]byte, error) {
	return p.der, nil
}

// sbOutcome is one case's verdicts.
type sbOutcome struct {
	signetOK   bool
	exit       int
	reason     string
	rule       string
	sigstoreOK bool
	sigstoreE  string
}

func TestSigstoreBundleCampaign(t *testing.T) {
	seeds := testutil.Seeds(t, "SIGNET_SB_SEEDS", 300)
	signet(t) // build once before the parallel subtests
	e := sbSetup(t)
	var tally testutil.Tally
	t.Run("seeds", func(t *testing.T) {
		for _, seed := range seeds {
			t.Run(fmt.Sprint(seed), func(t *testing.T) {
				t.Parallel()
				c := sbDraw(seed)
				e.runCase(t, c, &tally)
			})
		}
	})
	tally.Log(t, len(seeds))
}

var sbContent = []byte("a release, in a Sigstore bundle\n")

func (e *sbEnv) runCase(t *testing.T, c *sbCase, tally *testutil.Tally) {
	dir := t.TempDir()
	art := filepath.Join(dir, "release.tar.gz")
	if err := os.WriteFile(art, sbContent, 0o644); err != nil {
		t.Fatal(err)
	}
	b := e.makeBundle(t, c, dir, art)
	content := sbContent
	for _, m := range c.muts {
		b, content = e.mutate(t, c, m, b, content)
	}
	if err := os.WriteFile(art, content, 0o644); err != nil {
		t.Fatal(err)
	}
	sig := filepath.Join(dir, "bundle.sigstore.json")
	if err := os.WriteFile(sig, b, 0o644); err != nil {
		t.Fatal(err)
	}
	o := e.judge(t, c, art, sig, b, content)
	want, why := sbExpect(c)
	switch {
	case o.signetOK && !want:
		t.Errorf("%v: FAIL-OPEN: signet accepts a bundle that must be refused (%s); sigstore-go: %v\n%s", c, why, o.sigstoreE, b)
	case !o.signetOK && want:
		t.Errorf("%v: signet refuses a valid bundle: exit %d reason %q rule %q; sigstore-go: %v\n%s", c, o.exit, o.reason, o.rule, o.sigstoreE, b)
	}
	if o.signetOK != o.sigstoreOK {
		ex := sbExplain(c, o)
		if ex == "" {
			t.Errorf("%v: unexplained difference: signet ok=%v (exit %d, %s %s), sigstore-go ok=%v (%s)\n%s", c, o.signetOK, o.exit, o.reason, o.rule, o.sigstoreOK, o.sigstoreE, b)
		}
		tally.Add("differ: " + ex)
	} else {
		tally.Add(fmt.Sprintf("agree ok=%v", o.signetOK))
	}
	if len(c.muts) == 1 {
		tally.Add(fmt.Sprintf("%s alone: signet exit %d %s", c.muts[0], o.exit, o.reason))
	}
	if !o.signetOK {
		if code := sbExitFor(c); code != 0 && o.exit != code {
			t.Errorf("%v: signet exit %d (reason %q), want %d", c, o.exit, o.reason, code)
		}
	}
}

// makeBundle makes the case's bundle over sbContent.
func (e *sbEnv) makeBundle(t *testing.T, c *sbCase, dir, art string) []byte {
	key := e.keys[c.key]
	switch c.maker {
	case "signet":
		out := filepath.Join(dir, "signet.sigstore.json")
		args := []string{"sign", "--key", e.files[c.key], "--format", "bundle", "-o", out}
		if c.withCrt {
			args = append(args, "--cert", e.files[c.key+".chain"])
		}
		if c.key == "p384" {
			args = append(args, "-a", "sha384")
		}
		if code, msg := run(t, append(args, art)...); code != 0 {
			t.Fatalf("%v: signet sign: exit %d: %s", c, code, msg)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return b
	case "sigstore-go":
		opts := sign.BundleOptions{}
		if c.withCrt {
			opts.CertificateProvider = sbCertProvider{e.certs[c.key+":good"].Raw}
		}
		pb, err := sign.Bundle(&sign.PlainData{Data: sbContent}, sbKeypair{c.key, key, c.withCrt}, opts)
		if err != nil {
			t.Fatalf("%v: sign.Bundle: %v", c, err)
		}
		b, err := protojson.Marshal(pb)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	sig, d, err := sbSign(c.key, key, c.withCrt, c.pss, sbContent)
	if err != nil {
		t.Fatal(err)
	}
	alg := map[crypto.Hash]string{crypto.SHA256: "SHA2_256", crypto.SHA384: "SHA2_384", crypto.SHA512: "SHA2_512"}[sbHash(c.key)]
	if d == nil {
		// Pure Ed25519 names no hash in its signature; the bundle records the file's SHA-256
		// all the same, as signet and cosign write it (sigstore-go requires a messageDigest).
		s := sha256.Sum256(sbContent)
		d, alg = s[:], "SHA2_256"
	}
	vm := map[string]any{}
	if c.withCrt {
		vm["certificate"] = map[string]any{"rawBytes": e.certs[c.key+":good"].Raw}
	} else {
		vm["publicKey"] = map[string]any{"hint": string(sbKeypair{c.key, key, false}.GetHint())}
	}
	ms := map[string]any{"signature": sig, "messageDigest": map[string]any{"algorithm": alg, "digest": d}}
	b, err := json.Marshal(map[string]any{
		"mediaType":            "application/vnd.dev.sigstore.bundle.v0.3+json",
		"verificationMaterial": vm,
		"messageSignature":     ms,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sbObj decodes a bundle for a mutation; bytes fields stay base64 strings.
func sbObj(t *testing.T, b []byte) map[string]any {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatalf("mutating a bundle that is not JSON: %v\n%s", err, b)
	}
	return m
}

func sbMarshal(t *testing.T, m map[string]any) []byte {
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sbSub(m map[string]any, path ...string) map[string]any {
	for _, p := range path {
		n, _ := m[p].(map[string]any)
		if n == nil {
			n = map[string]any{}
			m[p] = n
		}
		m = n
	}
	return m
}

func sbB64(v any) []byte {
	s, _ := v.(string)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b
		}
	}
	return nil
}

// mutate applies m to bundle b over content, returning both as changed.
func (e *sbEnv) mutate(t *testing.T, c *sbCase, m string, b, content []byte) ([]byte, []byte) {
	o := sbObj(t, b)
	ms, vm := sbSub(o, "messageSignature"), sbSub(o, "verificationMaterial")
	if _, snake := o["message_signature"]; snake {
		delete(o, "messageSignature")
		delete(o, "verificationMaterial")
		ms, vm = sbSub(o, "message_signature"), sbSub(o, "verification_material")
	}
	enc := base64.StdEncoding.EncodeToString
	if len(sbB64(ms["signature"])) == 0 && (strings.HasPrefix(m, "sig-") || strings.HasPrefix(m, "ts-") || strings.HasPrefix(m, "b64-") || m == "dup-field") {
		return b, content // after empty-signature: nothing to change
	}
	switch m {
	case "none":
		return b, content
	case "artifact":
		return b, append(append([]byte{}, content...), '!')
	case "sig-flip":
		s := sbB64(ms["signature"])
		s[len(s)/2] ^= 0x04
		ms["signature"] = enc(s)
	case "sig-truncate":
		s := sbB64(ms["signature"])
		ms["signature"] = enc(s[:len(s)-1])
	case "digest-value":
		md := sbSub(ms, "messageDigest")
		d := sbB64(md["digest"])
		if len(d) == 0 {
			d = make([]byte, 32)
			md["algorithm"] = "SHA2_256"
		}
		d[0] ^= 0xff
		md["digest"] = enc(d)
	case "digest-alg":
		md := sbSub(ms, "messageDigest")
		if a := fmt.Sprint(md["algorithm"]); a == "SHA2_256" || a == "1" {
			md["algorithm"] = "SHA3_256"
		} else {
			md["algorithm"] = "SHA2_256"
		}
	case "digest-unspec":
		sbSub(ms, "messageDigest")["algorithm"] = "HASH_ALGORITHM_UNSPECIFIED"
	case "digest-drop":
		delete(ms, "messageDigest")
	case "mediatype-v02":
		o["mediaType"] = "application/vnd.dev.sigstore.bundle+json;version=0.2"
	case "mediatype-v04":
		o["mediaType"] = "application/vnd.dev.sigstore.bundle.v0.4+json"
	case "mediatype-drop":
		delete(o, "mediaType")
	case "cert-other":
		vm["certificate"] = map[string]any{"rawBytes": enc(e.certs["other:good"].Raw)}
	case "cert-expired", "cert-notyet", "cert-noeku", "cert-ca":
		delete(vm, "x509CertificateChain")
		vm["certificate"] = map[string]any{"rawBytes": enc(e.certs[c.key+":"+strings.TrimPrefix(m, "cert-")].Raw)}
	case "cert-chain":
		cert, _ := vm["certificate"].(map[string]any)
		if cert == nil {
			return b, content
		}
		delete(vm, "certificate")
		vm["x509CertificateChain"] = map[string]any{"certificates": []any{cert, map[string]any{"rawBytes": enc(e.int.Raw)}}}
	case "cert-and-key":
		vm["publicKey"] = map[string]any{"hint": string(sbKeypair{c.key, e.keys[c.key], false}.GetHint())}
	case "hint-other":
		vm["publicKey"] = map[string]any{"hint": string(sbKeypair{"other", e.keys["other"], false}.GetHint())}
	case "unknown-field":
		ms["signatureNote"] = "unknown"
	case "dup-field":
		// A member given twice: the last one a JSON object decoder would keep is the valid
		// signature, the first another.
		s := sbB64(ms["signature"])
		bad := append([]byte{}, s...)
		bad[0] ^= 1
		out := sbMarshal(t, o)
		key := []byte(`"signature":`)
		i := bytes.Index(out, key)
		return append(append(append([]byte{}, out[:i]...), []byte(`"signature":"`+enc(bad)+`",`)...), out[i:]...), content
	case "b64-url":
		ms["signature"] = base64.RawURLEncoding.EncodeToString(sbB64(ms["signature"]))
	case "b64-nopad":
		ms["signature"] = base64.RawStdEncoding.EncodeToString(sbB64(ms["signature"]))
		if cert, _ := vm["certificate"].(map[string]any); cert != nil {
			cert["rawBytes"] = base64.RawStdEncoding.EncodeToString(sbB64(cert["rawBytes"]))
		}
	case "b64-bad":
		ms["signature"] = "%%" + ms["signature"].(string)
	case "snake-case":
		o["message_signature"], o["verification_material"], o["media_type"] = ms, vm, o["mediaType"]
		delete(o, "messageSignature")
		delete(o, "verificationMaterial")
		delete(o, "mediaType")
		if md, ok := ms["messageDigest"]; ok {
			ms["message_digest"] = md
			delete(ms, "messageDigest")
		}
	case "enum-number":
		if md, ok := ms["messageDigest"].(map[string]any); ok {
			n := map[any]int{"HASH_ALGORITHM_UNSPECIFIED": 0, "SHA2_256": 1, "SHA2_384": 2, "SHA2_512": 3, "SHA3_256": 4, "SHA3_384": 5}[md["algorithm"]]
			md["algorithm"] = n
		}
	case "tlog-entry":
		vm["tlogEntries"] = []any{map[string]any{
			"logIndex": "7", "logId": map[string]any{"keyId": enc(make([]byte, 32))},
			"kindVersion":       map[string]any{"kind": "hashedrekord", "version": "0.0.1"},
			"integratedTime":    "1700000000",
			"canonicalizedBody": enc([]byte(`{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{}}`)),
		}}
	case "dsse-too":
		o["dsseEnvelope"] = map[string]any{"payload": enc([]byte("{}")), "payloadType": "application/vnd.in-toto+json",
			"signatures": []any{map[string]any{"sig": ms["signature"], "keyid": ""}}}
	case "empty-signature":
		delete(ms, "signature")
	case "ts-two":
		sig := sbB64(ms["signature"])
		vm["timestampVerificationData"] = map[string]any{"rfc3161Timestamps": []any{
			map[string]any{"signedTimestamp": enc(e.timestamp(t, c, "listed", sig))},
			map[string]any{"signedTimestamp": enc(e.timestamp(t, c, "other", sig))},
		}}
	case "ts-good", "ts-other-sig", "ts-unlisted", "ts-garbage":
		over, from := sbB64(ms["signature"]), "listed"
		switch m {
		case "ts-other-sig":
			over = append(append([]byte{}, over...), 0)
		case "ts-unlisted":
			from = "other"
		}
		var resp []byte
		if m == "ts-garbage" {
			resp = []byte{0x30, 0x03, 0x02, 0x01}
		} else {
			resp = e.timestamp(t, c, from, over)
		}
		vm["timestampVerificationData"] = map[string]any{"rfc3161Timestamps": []any{map[string]any{"signedTimestamp": enc(resp)}}}
	default:
		t.Fatalf("mutation %q", m)
	}
	return sbMarshal(t, o), content
}

// timestamp asks the TSA from for a token over sig with signet ts query, and returns it as a
// granted TimeStampResponse, the form a bundle carries.
func (e *sbEnv) timestamp(t *testing.T, c *sbCase, from string, sig []byte) []byte {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "sig"), filepath.Join(dir, "sig.tsr")
	if err := os.WriteFile(in, sig, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, msg := run(t, "ts", "query", "--tsa", e.tsa[from].url, "-o", out, in); code != 0 {
		t.Fatalf("%v: signet ts query: exit %d: %s", c, code, msg)
	}
	tok, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := asn1.Marshal(struct {
		Status struct{ Status int }
		Token  asn1.RawValue
	}{Token: asn1.RawValue{FullBytes: tok}})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// judge runs signet verify and sigstore-go's verifier on the bundle.
func (e *sbEnv) judge(t *testing.T, c *sbCase, art, sig string, b, content []byte) sbOutcome {
	var o sbOutcome
	args := []string{"verify", "--json", "--sig", sig}
	if c.withCrt {
		args = append(args, "--trusted-root", e.trPath)
		if c.timestamped() {
			args = append(args, "--require-timestamp")
		}
	} else {
		args = append(args, "--key", e.files[c.key+".pub"])
	}
	cmd := exec.Command(signet(t), append(args, art)...)
	cmd.Env = append(os.Environ(), "SIGNET_HOME="+t.TempDir())
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		o.exit = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Valid     bool `json:"valid"`
		Artifacts []struct {
			Reason string `json:"reason"`
			Rule   string `json:"rule"`
			Error  string `json:"error"`
		} `json:"artifacts"`
	}
	if json.Unmarshal(out, &rep) == nil {
		o.signetOK = rep.Valid && o.exit == 0
		if len(rep.Artifacts) > 0 {
			o.reason, o.rule = rep.Artifacts[0].Reason, rep.Artifacts[0].Rule
			if o.reason == "" && !rep.Valid {
				o.reason = rep.Artifacts[0].Error
			}
		}
	} else if o.exit == 0 {
		t.Fatalf("%v: signet verify --json: exit 0 and no JSON: %s", c, out)
	}
	var err2 error
	switch {
	case c.timestamped():
		err2 = sbTimestampedVerify(t, e.tr, b, content)
	case c.withCrt:
		err2 = sigstoreVerify(t, e.tr, b, content)
	default:
		err2 = e.sigstoreKeyVerify(c, b, content)
	}
	o.sigstoreOK = err2 == nil
	if err2 != nil {
		o.sigstoreE = err2.Error()
	}
	return o
}

// timestamped reports whether the case carries a timestamp, which both verifiers then require.
func (c *sbCase) timestamped() bool {
	for _, m := range c.muts {
		if strings.HasPrefix(m, "ts-") {
			return true
		}
	}
	return false
}

// sbTimestampedVerify is sigstoreVerify with one signed timestamp required, the signer's
// certificate judged at its time.
func sbTimestampedVerify(t *testing.T, tr root.TrustedMaterial, b, content []byte) error {
	var bb bundle.Bundle
	if err := bb.UnmarshalJSON(b); err != nil {
		return err
	}
	v, err := verify.NewVerifier(tr, verify.WithSignedTimestamps(1))
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.Verify(&bb, verify.NewPolicy(verify.WithArtifact(bytes.NewReader(content)), verify.WithoutIdentitiesUnsafe()))
	return err
}

// sigstoreKeyVerify is keyVerify (cosign verify-blob --key) with the verifier holding the
// signer's key under the hint signet writes (the SHA-256 of its SubjectPublicKeyInfo), the
// hash the registry pairs with the key, pure Ed25519.
func (e *sbEnv) sigstoreKeyVerify(c *sbCase, b, content []byte) error {
	var bb bundle.Bundle
	if err := bb.UnmarshalJSON(b); err != nil {
		return err
	}
	v, err := signature.LoadVerifierWithOpts(e.keys[c.key].Public(), options.WithHash(sbHash(c.key)))
	if err != nil {
		return err
	}
	hint := string(sbKeypair{c.key, e.keys[c.key], false}.GetHint())
	tm := root.NewTrustedPublicKeyMaterialFromMapping(map[string]*root.ExpiringKey{hint: root.NewExpiringKey(v, time.Time{}, time.Time{})})
	sv, err := verify.NewVerifier(tm, verify.WithCurrentTime())
	if err != nil {
		return err
	}
	_, err = sv.Verify(&bb, verify.NewPolicy(verify.WithArtifact(bytes.NewReader(content)), verify.WithKey()))
	return err
}

// sbInvalidating are the mutations after which no verifier may accept the bundle, with why.
var sbInvalidating = map[string]string{
	"artifact":        "the signature is another content's",
	"sig-flip":        "the signature is damaged",
	"sig-truncate":    "the signature is damaged",
	"cert-other":      "the certificate is not the signer's",
	"cert-expired":    "the certificate expired before the signing (no timestamp: now)",
	"cert-notyet":     "the certificate is not yet valid at the signing (a timestamp's genTime, or now)",
	"cert-noeku":      "the certificate does not assert codeSigning",
	"cert-ca":         "a CA certificate is never a signer (README)",
	"mediatype-v04":   "a bundle version neither reads",
	"mediatype-drop":  "not a bundle: no media type",
	"cert-and-key":    "two members of the verificationMaterial content oneof",
	"dup-field":       "a member given twice (protojson refuses it)",
	"b64-bad":         "the signature is not base64",
	"dsse-too":        "two members of the bundle content oneof",
	"empty-signature": "no signature",
	"digest-value":    "the recorded digest is not the file's (signet checks it; README)",
	"digest-alg":      "the recorded digest is of another hash than named",
	"ts-other-sig":    "the timestamp is another signature's",
	"ts-unlisted":     "the timestamp's TSA is not one the trusted root lists",
	"ts-garbage":      "the timestamp is not DER",
	"ts-two":          "a timestamp that fails fails the signature in signet (README), whatever the others",
}

// sbExpect is whether the case's bundle must verify in signet, and if not why.
func sbExpect(c *sbCase) (bool, string) {
	if c.pss {
		return false, "RSA-PSS: a bundle cannot name it, and the registry's RSA is PKCS#1 v1.5"
	}
	if c.key == "ed25519" && c.withCrt && (slices.Contains(c.muts, "digest-unspec") || slices.Contains(c.muts, "digest-drop")) {
		return false, "a bundle that names no hash is pure Ed25519 in signet (README), and the signature is Ed25519ph"
	}
	for _, m := range c.muts {
		if why, ok := sbInvalidating[m]; ok {
			return false, why
		}
	}
	return true, ""
}

// sbExitFor is the exit code signet's refusal of the case must have, 0 for no one code.
func sbExitFor(c *sbCase) int {
	if len(c.muts) != 1 || c.pss {
		return 0
	}
	switch c.muts[0] {
	case "artifact", "sig-flip", "sig-truncate", "cert-other", "digest-value":
		return 10
	case "cert-noeku":
		return 14
	case "cert-ca":
		return 11
	case "mediatype-v04", "mediatype-drop", "cert-and-key", "dup-field", "b64-bad", "dsse-too", "empty-signature":
		return 3
	case "ts-other-sig", "ts-unlisted", "ts-garbage", "ts-two":
		return 15
	}
	return 0
}

// sbExplain names the rule behind a difference between signet and sigstore-go, "" for none.
func sbExplain(c *sbCase, o sbOutcome) string {
	has := func(m string) bool {
		for _, x := range c.muts {
			if x == m {
				return true
			}
		}
		return false
	}
	if !o.signetOK && o.sigstoreOK {
		switch {
		case has("digest-value") || has("digest-alg"):
			return "sigstore-go verifies the signature over the artifact and never reads messageDigest; signet checks the recorded digest (README)"
		case has("digest-unspec") && c.key == "ed25519":
			return "a certificate's Ed25519 bundle that names no hash is pure Ed25519 in signet (sigstore-go's own PKIX_ED25519 bundles, README); sigstore-go checks a certificate's Ed25519 as Ed25519ph only"
		case has("ts-two"):
			return "signet fails a signature any of whose timestamps fails (README); sigstore-go needs its threshold of timestamps that hold, one here"
		case has("cert-ca"):
			return "a CA certificate is never a signer in signet (README); sigstore-go takes it"
		}
		return ""
	}
	if o.signetOK && !o.sigstoreOK {
		switch {
		case has("unknown-field"):
			return "unknown fields: signet ignores them (protojson DiscardUnknown), sigstore-go's protojson.Unmarshal refuses them"
		case has("tlog-entry"):
			return "signet does not read tlogEntries (README); sigstore-go checks an entry's form even offline (a v0.3 entry needs an inclusion proof)"
		case has("digest-drop"):
			return "sigstore-go requires a messageDigest; signet reads a bundle without one and checks the signature over the file's digest all the same"
		case has("cert-chain"):
			return "x509CertificateChain in a v0.3 bundle: sigstore-go refuses it; signet reads it as earlier signet versions wrote it (sigformat/bundle.go), its certificates untrusted intermediates, as the protobuf-specs say verifiers SHOULD handle non-complying bundles"
		case has("hint-other"):
			return "signet verify --key checks with the key given, whatever the hint; sigstore-go looks the key up by hint"
		}
	}
	return ""
}

func ecdsaCurve(name string) elliptic.Curve {
	if name == "p384" {
		return elliptic.P384()
	}
	return elliptic.P256()
}
