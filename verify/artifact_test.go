package verify_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

func mustSigner(t testing.TB, name string) crypto.Signer {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(pki, name))
	if err != nil {
		t.Fatal(err)
	}
	k, err := x509util.ParsePrivateKey(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// rawSign signs data as `openssl dgst -sign` (or pkeyutl -rawin for Ed25519) would.
func rawSign(t testing.TB, k crypto.Signer, h crypto.Hash, pss bool, data []byte) []byte {
	t.Helper()
	var sig []byte
	var err error
	switch k.Public().(type) {
	case ed25519.PublicKey:
		sig, err = k.Sign(rand.Reader, data, crypto.Hash(0))
	default:
		d := h.New()
		d.Write(data)
		var opts crypto.SignerOpts = h
		if pss {
			opts = &rsa.PSSOptions{Hash: h, SaltLength: rsa.PSSSaltLengthEqualsHash}
		}
		sig, err = k.Sign(rand.Reader, d.Sum(nil), opts)
	}
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func rawSignature(t testing.TB, sig []byte) *sigformat.Signature {
	t.Helper()
	s, err := sigformat.Parse(sig)
	if err != nil {
		t.Fatal(err)
	}
	if s.Format != sigformat.Raw {
		t.Fatalf("a raw signature parsed as %s", s.Format)
	}
	return s
}

// opensslCMS signs file with `openssl cms -sign -binary -outform DER`, the fixture leaf
// name.pem and its key, the intermediate through -certfile, plus extra arguments.
func opensslCMS(t testing.TB, file, name string, extra ...string) *sigformat.Signature {
	t.Helper()
	testutil.RequireTool(t, "openssl")
	out := file + "." + name + ".p7s"
	args := append([]string{"cms", "-sign", "-binary", "-outform", "DER", "-in", file,
		"-signer", filepath.Join(pki, name+".pem"), "-inkey", filepath.Join(pki, name+".key"),
		"-certfile", filepath.Join(pki, "int-ca.pem"), "-out", out}, extra...)
	testutil.Run(t, "openssl", args...)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sigformat.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if s.Format != sigformat.CMS {
		t.Fatalf("openssl's CMS parsed as %s", s.Format)
	}
	return s
}

func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func codeSigning(t testing.TB, crls ...string) verify.Policy {
	p := verify.CodeSigningPolicy(verify.Policy{Roots: mustCerts(t, "root-ca.pem"), At: pinned})
	if len(crls) > 0 {
		p.CRLs = mustCRLs(t, crls...)
	}
	return p
}

func checkStatus(res *verify.ArtifactResult, check string) verify.Status {
	var st verify.Status
	for _, c := range res.Checks {
		if c.Check == check && st != verify.Fail {
			st = c.Status
		}
	}
	return st
}

func TestVerifyArtifactRaw(t *testing.T) {
	dir := t.TempDir()
	art := writeFile(t, dir, "art.tar.gz", "release contents\n")
	other := writeFile(t, dir, "other.tar.gz", "other contents\n")
	data, _ := os.ReadFile(art)
	otherData, _ := os.ReadFile(other)
	ec, rsaKey, ed := mustSigner(t, "codesign.key"), mustSigner(t, "codesign-rsa.key"), mustSigner(t, "codesign-ed25519.key")
	ctx := context.Background()

	tests := []struct {
		name   string
		file   string
		sig    []byte
		key    crypto.PublicKey
		hash   digest.Algorithm
		pss    bool
		want   error
		reason string
		detail string
	}{
		{name: "ECDSA P-256 SHA-256", file: art, sig: rawSign(t, ec, crypto.SHA256, false, data), key: ec.Public()},
		{name: "ECDSA P-256 SHA-512", file: art, sig: rawSign(t, ec, crypto.SHA512, false, data), key: ec.Public(), hash: digest.SHA512},
		{name: "RSA PKCS#1 v1.5 SHA-384", file: art, sig: rawSign(t, rsaKey, crypto.SHA384, false, data), key: rsaKey.Public(), hash: digest.SHA384},
		{name: "RSA-PSS", file: art, sig: rawSign(t, rsaKey, crypto.SHA256, true, data), key: rsaKey.Public(), pss: true},
		{name: "RSA-PSS without --pss", file: art, sig: rawSign(t, rsaKey, crypto.SHA256, true, data), key: rsaKey.Public(),
			want: verify.ErrSignatureMismatch, reason: verify.ReasonSignatureMismatch, detail: "RSA PKCS#1 v1.5 SHA-256 signature does not match"},
		{name: "Ed25519 over the file", file: art, sig: rawSign(t, ed, 0, false, data), key: ed.Public()},
		{name: "tampered file", file: other, sig: rawSign(t, ec, crypto.SHA256, false, data), key: ec.Public(),
			want: verify.ErrSignatureMismatch, reason: verify.ReasonSignatureMismatch, detail: "signature over the file's sha256 digest does not verify with key sha256:"},
		{name: "signature of another file", file: art, sig: rawSign(t, ec, crypto.SHA256, false, otherData), key: ec.Public(),
			want: verify.ErrSignatureMismatch, reason: verify.ReasonSignatureMismatch},
		{name: "wrong key", file: art, sig: rawSign(t, ec, crypto.SHA256, false, data), key: mustSigner(t, "server.key").Public(),
			want: verify.ErrSignatureMismatch, reason: verify.ReasonSignatureMismatch},
		{name: "wrong hash", file: art, sig: rawSign(t, ec, crypto.SHA384, false, data), key: ec.Public(),
			want: verify.ErrSignatureMismatch, reason: verify.ReasonSignatureMismatch},
		{name: "truncated signature", file: art, sig: rawSign(t, ec, crypto.SHA256, false, data)[:40], key: ec.Public(),
			want: verify.ErrSignatureMismatch, reason: verify.ReasonSignatureMismatch},
		{name: "truncated Ed25519 signature", file: art, sig: rawSign(t, ed, 0, false, data)[:63], key: ed.Public(),
			want: verify.ErrSignatureMismatch, detail: "an Ed25519 signature is 64 bytes, not 63"},
		{name: "raw signature without a key", file: art, sig: rawSign(t, ec, crypto.SHA256, false, data),
			want: verify.ErrNoKey, reason: verify.ReasonUnchecked, detail: "a raw signature names no signer"},
		{name: "missing file", file: filepath.Join(dir, "missing"), sig: rawSign(t, ec, crypto.SHA256, false, data), key: ec.Public(),
			want: fs.ErrNotExist, reason: verify.ReasonUnchecked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := verify.ArtifactOptions{Key: tc.key, Hash: tc.hash, PSS: tc.pss}
			if tc.key == nil {
				opts.Policy = codeSigning(t)
			}
			res, err := verify.VerifyArtifact(ctx, verify.Artifact{Name: tc.file, Signature: rawSignature(t, tc.sig)}, opts)
			if res == nil {
				t.Fatalf("no result: %v", err)
			}
			if tc.want == nil {
				if err != nil || !res.Valid {
					t.Fatalf("got %v, want valid; checks %+v", err, res.Checks)
				}
				if res.Signer == nil || !strings.HasPrefix(res.Signer.KeyFingerprint, "sha256:") || res.Policy != nil {
					t.Errorf("signer %+v, policy %+v", res.Signer, res.Policy)
				}
				return
			}
			if !errors.Is(err, tc.want) || res.Valid {
				t.Fatalf("got %v (valid %v), want %v", err, res.Valid, tc.want)
			}
			if tc.reason != "" && res.Reason != tc.reason {
				t.Errorf("reason %q, want %q", res.Reason, tc.reason)
			}
			if !strings.Contains(res.Error, tc.detail) {
				t.Errorf("error %q, want it to contain %q", res.Error, tc.detail)
			}
		})
	}
}

func TestVerifyArtifactCMS(t *testing.T) {
	testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	art := writeFile(t, dir, "art.tar.gz", "release contents\n")
	other := writeFile(t, dir, "other.tar.gz", "other contents\n")
	ctx := context.Background()

	tests := []struct {
		name     string
		file     string
		signer   string
		extra    []string
		policy   func(*verify.Policy)
		identity verify.Identity
		key      string // a bare key instead of the policy
		want     error
		reason   string
		detail   string
	}{
		{name: "EC with S/MIME capabilities", signer: "codesign"},
		{name: "EC without S/MIME capabilities", signer: "codesign", extra: []string{"-nosmimecap"}},
		{name: "RSA PKCS#1 v1.5 SHA-384", signer: "codesign-rsa", extra: []string{"-md", "sha384", "-nosmimecap"}},
		{name: "RSA-PSS", signer: "codesign-rsa", extra: []string{"-keyopt", "rsa_padding_mode:pss"}},
		{name: "without signed attributes", signer: "codesign", extra: []string{"-noattr"}},
		{name: "signer named by subject key identifier", signer: "codesign-rsa", extra: []string{"-keyid"}},
		{name: "identity matches", signer: "codesign", identity: verify.Identity{
			Subject: "cn=signet  test code signer, O=Signet Test", Email: "release@EXAMPLE.com", URI: "https://example.com/release-bot"}},
		{name: "bare key", signer: "codesign", key: "codesign.pem"},
		{name: "tampered file", signer: "codesign", file: other,
			want: verify.ErrSignatureMismatch, reason: verify.ReasonDigestMismatch, detail: "the file changed, or the signature is another file's"},
		{name: "tampered file without signed attributes", signer: "codesign", extra: []string{"-noattr"}, file: other,
			want: verify.ErrSignatureMismatch, reason: verify.ReasonSignatureMismatch},
		{name: "wrong bare key", signer: "codesign", key: "server.pem",
			want: verify.ErrSignatureMismatch, reason: verify.ReasonSignatureMismatch},
		{name: "wrong root", signer: "codesign", policy: func(p *verify.Policy) { p.Roots = mustCerts(t, "mid-ca.pem") },
			want: verify.UnknownAuthority, reason: "unknown-authority"},
		{name: "impostor root", signer: "codesign", policy: func(p *verify.Policy) { p.Roots = mustCerts(t, "impostor-root.pem") },
			want: verify.UnknownAuthority, detail: "same name, another key"},
		{name: "expired signer", signer: "expired", want: verify.Expired, reason: "expired", detail: "expired at 2021-01-01T00:00:00Z"},
		{name: "server certificate", signer: "wrong-eku", want: verify.EKU, reason: "eku", detail: "is for serverAuth, not codeSigning"},
		{name: "any EKU", signer: "wrong-eku", policy: func(p *verify.Policy) { p.EKUs = []x509.ExtKeyUsage{x509.ExtKeyUsageAny} }},
		{name: "no digitalSignature", signer: "codesign-nods", want: verify.KeyUsage, reason: "key-usage"},
		{name: "revoked signer", signer: "revoked", policy: func(p *verify.Policy) { p.CRLs = mustCRLs(t, "int-ca.crl") },
			want: verify.Revoked, reason: "revoked", detail: "was revoked at 2025-06-01T00:00:00Z (keyCompromise)"},
		{name: "subject mismatch", signer: "codesign", identity: verify.Identity{Subject: "CN=Release Bot,O=Signet Test"},
			want: verify.NameMismatch, reason: "name-mismatch", detail: "the signer is CN=Signet Test Code Signer,O=Signet Test, not CN=Release Bot,O=Signet Test"},
		{name: "subject is the whole DN", signer: "codesign", identity: verify.Identity{Subject: "CN=Signet Test Code Signer"},
			want: verify.NameMismatch},
		{name: "email mismatch", signer: "codesign", identity: verify.Identity{Email: "Release@example.com"},
			want: verify.NameMismatch, detail: "its email addresses: release@example.com"},
		{name: "URI mismatch", signer: "codesign", identity: verify.Identity{URI: "https://example.com/other"}, want: verify.NameMismatch},
		{name: "DNS mismatch", signer: "codesign", identity: verify.Identity{DNS: "example.com"}, want: verify.NameMismatch, detail: "its DNS names: none"},
		{name: "mismatch wins over chain", signer: "expired", file: other, want: verify.ErrSignatureMismatch, reason: verify.ReasonDigestMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sig := opensslCMS(t, art, tc.signer, tc.extra...)
			file := art
			if tc.file != "" {
				file = tc.file
			}
			var opts verify.ArtifactOptions
			if tc.key != "" {
				opts.Key = mustCerts(t, tc.key)[0].PublicKey
			} else {
				opts.Policy, opts.Identity = codeSigning(t), tc.identity
				if tc.policy != nil {
					tc.policy(&opts.Policy)
				}
			}
			res, err := verify.VerifyArtifact(ctx, verify.Artifact{Name: file, Signature: sig, SignatureName: "art.p7s"}, opts)
			if res == nil {
				t.Fatalf("no result: %v", err)
			}
			js, _ := json.MarshalIndent(res, "", " ")
			if tc.want == nil {
				if err != nil || !res.Valid {
					t.Fatalf("got %v, want valid\n%s", err, js)
				}
				if tc.key == "" && (len(res.Signer.Chain) != 3 || res.Policy == nil || res.Chain == nil) {
					t.Errorf("want a chain of 3 and a policy:\n%s", js)
				}
				if tc.key == "" && !slicesHave(res.Policy.EKUs, "codeSigning") && tc.policy == nil {
					t.Errorf("policy EKUs %v", res.Policy.EKUs)
				}
				return
			}
			if !errors.Is(err, tc.want) || res.Valid {
				t.Fatalf("got %v, want %v\n%s", err, tc.want, js)
			}
			if tc.reason != "" && res.Reason != tc.reason {
				t.Errorf("reason %q, want %q", res.Reason, tc.reason)
			}
			if !strings.Contains(res.Error, tc.detail) {
				t.Errorf("error %q, want it to contain %q", res.Error, tc.detail)
			}
		})
	}
}

func slicesHave(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Every check is reported, even after the first failure, and the JSON form has the fields
// the CLI documents.
func TestArtifactReport(t *testing.T) {
	testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	art := writeFile(t, dir, "art", "x")
	sig := opensslCMS(t, art, "revoked")
	writeFile(t, dir, "art", "y")
	res, err := verify.VerifyArtifact(context.Background(), verify.Artifact{Name: art, Signature: sig},
		verify.ArtifactOptions{Policy: codeSigning(t, "int-ca.crl"), Identity: verify.Identity{Email: "nobody@example.com"}})
	if !errors.Is(err, verify.ErrSignatureMismatch) {
		t.Fatalf("got %v", err)
	}
	for check, want := range map[string]verify.Status{
		verify.CheckDigest: verify.Fail, verify.CheckSignature: verify.Pass, verify.CheckChain: verify.Pass,
		verify.CheckEKU: verify.Pass, verify.CheckRevocation: verify.Fail, verify.CheckIdentity: verify.Fail,
	} {
		if got := checkStatus(res, check); got != want {
			t.Errorf("check %s: %s, want %s", check, got, want)
		}
	}
	var m map[string]any
	js, _ := json.Marshal(res)
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"file", "signature_file", "format", "valid", "reason", "error", "digest", "signer", "policy", "identity", "signing_time", "checks"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, js)
		}
	}
}

// One signer's chain is verified once for all the artifacts it signed, and results come back
// in order.
func TestVerifyArtifactsBatch(t *testing.T) {
	dir := t.TempDir()
	k := mustSigner(t, "codesign.key")
	var arts []verify.Artifact
	for i := range 50 {
		content := strings.Repeat("x", i*1000)
		f := writeFile(t, dir, "f"+string(rune('a'+i%26))+string(rune('a'+i/26)), content)
		sig := rawSign(t, k, crypto.SHA256, false, []byte(content))
		if i == 17 {
			sig = rawSign(t, k, crypto.SHA256, false, []byte("else"))
		}
		arts = append(arts, verify.Artifact{Name: f, Signature: rawSignature(t, sig)})
	}
	i := 0
	err := verify.VerifyArtifacts(context.Background(), arts, verify.ArtifactOptions{Key: k.Public(), Workers: 3}, func(r *verify.ArtifactResult) error {
		if r.File != arts[i].Name {
			t.Errorf("result %d is for %s, want %s", i, r.File, arts[i].Name)
		}
		if r.Valid != (i != 17) {
			t.Errorf("%s: valid %v: %v", r.File, r.Valid, r.Err())
		}
		i++
		return nil
	})
	if err != nil || i != len(arts) {
		t.Fatalf("%v after %d results", err, i)
	}
}

func TestArtifactOptionsRefused(t *testing.T) {
	k := mustSigner(t, "codesign.key").Public()
	for name, opts := range map[string]verify.ArtifactOptions{
		"no roots":              {},
		"identity with a key":   {Key: k, Identity: verify.Identity{Email: "a@b"}},
		"unparseable subject":   {Policy: codeSigning(t), Identity: verify.Identity{Subject: "not a DN"}},
		"unknown hash for raws": {Key: k, Hash: 99},
	} {
		t.Run(name, func(t *testing.T) {
			err := verify.VerifyArtifacts(context.Background(), nil, opts, func(*verify.ArtifactResult) error { return nil })
			if !errors.Is(err, verify.ErrPolicy) {
				t.Fatalf("got %v, want ErrPolicy", err)
			}
		})
	}
}

func TestSignatureErrors(t *testing.T) {
	ec := mustSigner(t, "codesign.key").(*ecdsa.PrivateKey)
	digest := make([]byte, 32)
	good, _ := ecdsa.SignASN1(rand.Reader, ec, digest)
	tests := []struct {
		name string
		pub  crypto.PublicKey
		data []byte
		sig  []byte
		p    verify.SignatureParams
		want error
		msg  string
	}{
		{"valid", &ec.PublicKey, digest, good, verify.SignatureParams{Hash: crypto.SHA256}, nil, ""},
		{"SHA-1 is weak", &ec.PublicKey, make([]byte, 20), good, verify.SignatureParams{Hash: crypto.SHA1}, verify.ErrWeakAlgorithm, "SHA-1"},
		{"digest of the wrong size", &ec.PublicKey, digest[:20], good, verify.SignatureParams{Hash: crypto.SHA256}, verify.ErrUnchecked, "not 20"},
		{"no hash", &ec.PublicKey, digest, good, verify.SignatureParams{}, verify.ErrUnchecked, "no hash"},
		{"Ed25519ph", mustSigner(t, "codesign-ed25519.key").Public(), digest, good, verify.SignatureParams{Hash: crypto.SHA256}, verify.ErrUnchecked, "Ed25519ph"},
		{"no key", nil, digest, good, verify.SignatureParams{Hash: crypto.SHA256}, verify.ErrUnchecked, "no public key"},
		{"DSA-like key", struct{}{}, digest, good, verify.SignatureParams{Hash: crypto.SHA256}, x509util.ErrUnsupported, "struct"},
		{"P1363", &ec.PublicKey, digest, make([]byte, 64), verify.SignatureParams{Hash: crypto.SHA256}, verify.ErrSignatureMismatch, "IEEE P1363"},
		{"empty", &ec.PublicKey, digest, nil, verify.SignatureParams{Hash: crypto.SHA256}, verify.ErrSignatureMismatch, "does not match"},
		{"trailing byte", &ec.PublicKey, digest, append(append([]byte{}, good...), 0), verify.SignatureParams{Hash: crypto.SHA256}, verify.ErrSignatureMismatch, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := verify.Signature(tc.pub, tc.data, tc.sig, tc.p)
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, want %v containing %q", err, tc.want, tc.msg)
			}
		})
	}
}

// FuzzSignature feeds arbitrary signatures to every key type: no panic, and nothing but a
// valid signature is accepted.
func FuzzSignature(f *testing.F) {
	keys := []crypto.Signer{mustSigner(f, "codesign.key"), mustSigner(f, "codesign-rsa.key"), mustSigner(f, "codesign-ed25519.key")}
	msg := []byte("fuzz")
	for _, k := range keys {
		h := crypto.SHA256
		if _, ok := k.Public().(ed25519.PublicKey); ok {
			h = 0
		}
		f.Add(rawSign(f, k, h, false, msg), false)
	}
	f.Add(rawSign(f, keys[1], crypto.SHA256, true, msg), true)
	f.Add([]byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01}, false)
	digest := crypto.SHA256.New()
	digest.Write(msg)
	d := digest.Sum(nil)
	f.Fuzz(func(t *testing.T, sig []byte, pss bool) {
		for _, k := range keys {
			data, p := d, verify.SignatureParams{Hash: crypto.SHA256, PSS: pss}
			if _, ok := k.Public().(ed25519.PublicKey); ok {
				data, p = msg, verify.SignatureParams{}
			}
			if err := verify.Signature(k.Public(), data, sig, p); err != nil && !errors.Is(err, verify.ErrSignatureMismatch) {
				t.Fatalf("%T: %v", k.Public(), err)
			}
		}
	})
}

func TestVerifyManifest(t *testing.T) {
	testutil.RequireTool(t, "openssl")
	sha256sum := testutil.RequireTool(t, "sha256sum")
	ctx := context.Background()

	type tc struct {
		name     string
		signer   string
		mo       verify.ManifestOptions
		prepare  func(dir string)
		want     error
		statuses map[string]string
		detail   string
	}
	tests := []tc{
		{name: "every file matches", statuses: map[string]string{"a.txt": verify.EntryOK, "sub/b.txt": verify.EntryOK, "c d.txt": verify.EntryOK}},
		{name: "tampered file", prepare: func(dir string) { writeFile(t, dir, "sub/b.txt", "changed") }, want: verify.ErrSignatureMismatch,
			statuses: map[string]string{"a.txt": verify.EntryOK, "sub/b.txt": verify.EntryMismatch}, detail: "the signed manifest lists"},
		{name: "missing file", prepare: func(dir string) { os.Remove(filepath.Join(dir, "a.txt")) }, want: fs.ErrNotExist,
			statuses: map[string]string{"a.txt": verify.EntryMissing, "sub/b.txt": verify.EntryOK}},
		{name: "missing file ignored", mo: verify.ManifestOptions{IgnoreMissing: true}, prepare: func(dir string) { os.Remove(filepath.Join(dir, "a.txt")) },
			statuses: map[string]string{"a.txt": verify.EntryIgnored, "sub/b.txt": verify.EntryOK}},
		{name: "everything missing", mo: verify.ManifestOptions{IgnoreMissing: true}, prepare: func(dir string) {
			for _, f := range []string{"a.txt", "sub/b.txt", "c d.txt"} {
				os.Remove(filepath.Join(dir, f))
			}
		}, want: verify.ErrUnchecked, detail: "no file of manifest"},
		{name: "only some", mo: verify.ManifestOptions{Only: []string{"sub/b.txt"}}, prepare: func(dir string) { writeFile(t, dir, "a.txt", "changed") },
			statuses: map[string]string{"sub/b.txt": verify.EntryOK}},
		{name: "not listed", mo: verify.ManifestOptions{Only: []string{"zz.txt"}}, want: verify.ErrUnchecked, detail: "not listed",
			statuses: map[string]string{"zz.txt": verify.EntryNotListed}},
		{name: "tampered list", prepare: func(dir string) {
			f, _ := os.OpenFile(filepath.Join(dir, "SHA256SUMS"), os.O_APPEND|os.O_WRONLY, 0)
			f.WriteString("0000000000000000000000000000000000000000000000000000000000000000  evil\n")
			f.Close()
		}, want: verify.ErrSignatureMismatch, detail: "the file changed", statuses: map[string]string{}},
		{name: "expired signer", signer: "expired", want: verify.Expired, statuses: map[string]string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.Mkdir(filepath.Join(dir, "sub"), 0o755)
			writeFile(t, dir, "a.txt", "a")
			writeFile(t, dir, "sub/b.txt", "b")
			writeFile(t, dir, "c d.txt", "c")
			cmd := exec.Command(sha256sum, "a.txt", "sub/b.txt", "c d.txt")
			cmd.Dir = dir
			sums, err := cmd.Output()
			if err != nil {
				t.Fatal(err)
			}
			list := writeFile(t, dir, "SHA256SUMS", string(sums))
			signer := "codesign"
			if tc.signer != "" {
				signer = tc.signer
			}
			sig := opensslCMS(t, list, signer)
			if tc.prepare != nil {
				tc.prepare(dir)
			}
			mo := tc.mo
			for i, o := range mo.Only {
				mo.Only[i] = filepath.Join(dir, o)
			}
			res, err := verify.VerifyManifest(ctx, verify.Artifact{Name: list, Signature: sig}, verify.ArtifactOptions{Policy: codeSigning(t)}, mo)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, f := range res.Files {
				got[strings.TrimPrefix(f.Name, dir+"/")] = f.Status
			}
			for n, st := range tc.statuses {
				if got[n] != st {
					t.Errorf("%s: %q, want %q (all: %v)", n, got[n], st, got)
				}
			}
			if tc.statuses != nil && len(tc.statuses) == 0 && len(res.Files) != 0 {
				t.Errorf("files checked after the list failed: %v", got)
			}
			if tc.want == nil {
				if res.Err() != nil || !res.Valid {
					t.Fatalf("got %v", res.Err())
				}
				return
			}
			if !errors.Is(res.Err(), tc.want) || res.Valid {
				t.Fatalf("got %v, want %v", res.Err(), tc.want)
			}
			if !strings.Contains(res.Error, tc.detail) {
				t.Errorf("error %q, want %q", res.Error, tc.detail)
			}
		})
	}
}
